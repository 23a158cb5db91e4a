/* The shared libraries a set of objects needs (see elf.h), found as the
 * glibc dynamic loader finds them (elf/dl-load.c: _dl_map_object,
 * elf/dl-deps.c: _dl_map_object_deps), less LD_LIBRARY_PATH and
 * ld.so.cache: the given objects and then each library found, in order,
 * have their DT_NEEDED names looked up, and a name found once is not
 * looked up again (ld.so matches it to the object already loaded). */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_LOADER SIZE_MAX
#define HASH_SIZE (2 * XAR_ELF_MAX_LIBS) /* a power of two, never full */

static const char *const default_system_dirs[] = { XAR_ELF_SYSTEM_DIRS };

/* $LIB and $PLATFORM as Debian's ld.so has them: its $LIB is the
 * multiarch directory (LD_DEBUG=libs shows "lib/x86_64-linux-gnu" on
 * x86-64), its $PLATFORM the kernel's AT_PLATFORM. */
static const struct {
	int machine;
	const char *lib, *platform;
} dst_defaults[] = {
	{ EM_X86_64, "lib/x86_64-linux-gnu", "x86_64" },
	{ EM_AARCH64, "lib/aarch64-linux-gnu", "aarch64" },
	{ EM_386, "lib/i386-linux-gnu", "i686" },
};

/* An object whose DT_NEEDED names are looked up: a given one, or a
 * library found (then nodes[nobjects + i] is out->libs[i]). */
struct node {
	const char *path;     /* as given or found; not owned */
	char *origin;         /* what $ORIGIN expands to, or NULL */
	struct xar_elf_info info;
	size_t loader;        /* the node that needed it first, or NO_LOADER */
};

struct resolver {
	int machine, elf_class;
	const char *lib, *platform;   /* $LIB, $PLATFORM */
	size_t main;                  /* the executable's node, or NO_LOADER */
	struct xar_elf_dirs fixed;    /* ld.so.conf's, then the system dirs */
	struct node *nodes;
	size_t nnodes, cap;
	uint32_t *hash;               /* 1 + index in out->libs, by name */
	struct xar_elf_deps *out;
	size_t libcap;
};

static uint32_t *hash_slot(struct resolver *r, const char *name)
{
	uint32_t h = 2166136261u, *slot;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	for (;; h++) {
		slot = &r->hash[h & (HASH_SIZE - 1)];
		if (!*slot || !strcmp(r->out->libs[*slot - 1].name, name))
			return slot;
	}
}

/* The directory of path, realpath'd: of the file itself when resolve_file
 * (an executable, as /proc/self/exe is), else only of its directory (a
 * library found or opened through a symlink keeps the symlink's
 * directory, as ld.so's l_origin does). NULL when that fails. */
static char *origin_of(const char *path, int resolve_file)
{
	char *real, *dir, *slash;

	if (resolve_file) {
		real = realpath(path, NULL);
	} else {
		slash = strrchr(path, '/');
		if (!slash)
			return realpath(".", NULL);
		dir = slash == path ? strdup("/") :
		      strndup(path, (size_t)(slash - path));
		real = dir ? realpath(dir, NULL) : NULL;
		free(dir);
		return real;
	}
	slash = real ? strrchr(real, '/') : NULL;
	if (slash)
		slash[slash == real ? 1 : 0] = '\0';
	return real;
}

static struct xar_elf_dst dst_of(const struct resolver *r, size_t k)
{
	struct xar_elf_dst d = { r->nodes[k].origin, r->lib, r->platform };

	return d;
}

/* Append a node for path, taking info over (cleared) on success. */
static int add_node(struct resolver *r, const char *path,
		    struct xar_elf_info *info, size_t loader, int exec,
		    struct xar_err *err)
{
	struct node *n;

	if (r->nnodes == r->cap &&
	    xar_grow((void **)&r->nodes, &r->cap, sizeof(*r->nodes), 16))
		return xar_err_set(err, ENOMEM, "out of memory");
	n = &r->nodes[r->nnodes++];
	n->path = path;
	n->info = *info;
	n->loader = loader;
	n->origin = origin_of(path, exec);
	memset(info, 0, sizeof(*info));
	return 0;
}

static const char *arch_name(const struct xar_elf_info *info, int elf_class,
			     char *buf, size_t cap)
{
	if (info->elf_class == elf_class)
		return xar_elf_machine_name(info->machine);
	snprintf(buf, cap, "%s, %s", xar_elf_machine_name(info->machine),
		 info->elf_class == ELFCLASS64 ? "64-bit" : "32-bit");
	return buf;
}

/* A given object: ELF, of the machine asked for (or, without one, of the
 * first object's machine and class), read fully. */
static int add_root(struct resolver *r, const char *path,
		    struct xar_err *err)
{
	struct xar_elf_info info;
	char buf[64];
	int rc = xar_elf_is_elf(path, err);

	if (rc <= 0)
		return rc ? -1 : xar_err_set(err, ENOEXEC, "'%s' is not an "
					     "ELF file", path);
	if (xar_elf_read(path, &info, err))
		return -1;
	if (!r->machine)
		r->machine = info.machine;
	if (!r->elf_class)
		r->elf_class = info.elf_class;
	if (info.machine != r->machine || info.elf_class != r->elf_class) {
		rc = xar_err_set(err, ENOEXEC, "'%s' is an ELF file for "
				 "another architecture (%s)", path,
				 arch_name(&info, r->elf_class, buf,
					   sizeof(buf)));
	} else if (!info.complete) {
		rc = xar_err_set(err, ENOTSUP, "'%s': only 64-bit "
				 "little-endian ELF files are read", path);
	} else {
		if (info.interp && r->main == NO_LOADER)
			r->main = r->nnodes;
		rc = add_node(r, path, &info, NO_LOADER, info.interp != NULL,
			      err);
	}
	xar_elf_info_free(&info);
	return rc;
}

/* ld.so.conf's directories, then the system directories; $LIB and
 * $PLATFORM for the machine. */
static int setup_search(struct resolver *r, const struct xar_elf_search *s,
			struct xar_err *err)
{
	const char *const *sys = default_system_dirs;
	size_t nsys = sizeof(default_system_dirs) / sizeof(*sys), i;
	const char *conf = "/etc/ld.so.conf";

	for (i = 0; i < sizeof(dst_defaults) / sizeof(*dst_defaults); i++)
		if (dst_defaults[i].machine == r->machine) {
			r->lib = dst_defaults[i].lib;
			r->platform = dst_defaults[i].platform;
		}
	if (!r->lib)
		r->lib = "lib";
	if (s && s->dst_lib)
		r->lib = s->dst_lib;
	if (s && s->dst_platform)
		r->platform = s->dst_platform;
	if (s && s->system_dirs) {
		sys = s->system_dirs;
		nsys = s->nsystem_dirs;
	}
	if (s && s->ld_so_conf)
		conf = s->ld_so_conf;
	if (*conf && xar_elf_conf_read(conf, &r->fixed, err))
		return -1;
	for (i = 0; i < nsys; i++)
		if (xar_elf_dirs_add(&r->fixed, sys[i], strlen(sys[i]),
				     "the system", err))
			return -1;
	return 0;
}

/* The DT_RPATH of node l (none when it also has a DT_RUNPATH). */
static int add_rpath(const struct resolver *r, size_t l,
		     struct xar_elf_dirs *d, const char *what,
		     struct xar_err *err)
{
	const struct node *n = &r->nodes[l];
	struct xar_elf_dst dst = dst_of(r, l);

	if (!n->info.rpath || n->info.runpath)
		return 0;
	return xar_elf_dirs_add_list(d, n->info.rpath, &dst, what, err);
}

/* Where node k's names are looked for, in ld.so's order. */
static int search_path(const struct resolver *r, size_t k,
		       struct xar_elf_dirs *d, struct xar_err *err)
{
	const struct node *n = &r->nodes[k];
	struct xar_elf_dst dst = dst_of(r, k);
	int main_seen = 0;
	size_t l, i;

	if (!n->info.runpath) {
		for (l = k; l != NO_LOADER; l = r->nodes[l].loader) {
			if (add_rpath(r, l, d, n->path, err))
				return -1;
			main_seen |= l == r->main;
		}
		if (r->main != NO_LOADER && !main_seen &&
		    add_rpath(r, r->main, d, n->path, err))
			return -1;
	} else if (xar_elf_dirs_add_list(d, n->info.runpath, &dst, n->path,
					 err)) {
		return -1;
	}
	for (i = 0; i < r->fixed.n; i++)
		if (xar_elf_dirs_add(d, r->fixed.v[i], strlen(r->fixed.v[i]),
				     n->path, err))
			return -1;
	return 0;
}

/* 1 when path is an ELF file for our machine and class (read into
 * *info), 0 when it is to be skipped as ld.so skips it: missing,
 * unreadable, not ELF, or for another machine, class or byte order (also
 * when damaged past its header: ld.so looks no further either). */
static int candidate(const struct resolver *r, const char *path,
		     struct xar_elf_info *info, struct xar_err *err)
{
	struct xar_err ignored;
	int fits;

	if (xar_elf_is_elf(path, &ignored) <= 0)
		return 0;
	if (xar_elf_read(path, info, err)) {
		fits = info->machine == r->machine &&
		       info->elf_class == r->elf_class;
		memset(info, 0, sizeof(*info));
		return fits ? -1 : 0;
	}
	if (info->complete && info->machine == r->machine &&
	    info->elf_class == r->elf_class)
		return 1;
	xar_elf_info_free(info);
	return 0;
}

/* A name without '/': the first fitting candidate along node k's search
 * path. 1 found (*path malloc'ed, *info filled), 0 not (the path
 * searched is in err), -1 error. */
static int search(const struct resolver *r, size_t k, const char *name,
		  char **path, struct xar_elf_info *info, struct xar_err *err)
{
	struct xar_elf_dirs d = { 0 };
	char searched[512];
	size_t i;
	int rc = -1;

	if (search_path(r, k, &d, err))
		goto out;
	for (i = 0, rc = 0; !rc && i < d.n; i++) {
		*path = xar_path_join(d.v[i], name);
		if (!*path) {
			rc = xar_err_set(err, ENOMEM, "out of memory");
			break;
		}
		rc = candidate(r, *path, info, err);
		if (rc <= 0) {
			free(*path);
			*path = NULL;
		}
	}
	if (!rc) {
		xar_elf_dirs_format(&d, searched, sizeof(searched));
		xar_err_set(err, ENOENT, "'%s', needed by '%s', is not found "
			    "(searched: %s)", name, r->nodes[k].path, searched);
	}
out:
	xar_elf_dirs_free(&d);
	return rc;
}

/* Where node k's DT_NEEDED name is: a path when it has a '/' (after its
 * tokens are expanded), else searched for. 0 with *path and *info. */
static int lookup(const struct resolver *r, size_t k, const char *name,
		  char **path, struct xar_elf_info *info, struct xar_err *err)
{
	const char *obj = r->nodes[k].path;
	struct xar_elf_dst dst = dst_of(r, k);
	char *expanded = NULL;
	int rc = -1;

	*path = NULL;
	memset(info, 0, sizeof(*info));
	if (strchr(name, '$')) {
		rc = xar_elf_dst_expand(name, &dst, &expanded, err);
		if (!rc)
			xar_err_set(err, ENOENT, "'%s', needed by '%s', does not "
				    "expand (no $ORIGIN?)", name, obj);
		if (rc <= 0)
			return -1;
		name = expanded;
	}
	if (!strchr(name, '/')) {
		rc = search(r, k, name, path, info, err);
	} else {
		rc = candidate(r, name, info, err);
		if (!rc)
			xar_err_set(err, ENOENT, "'%s', needed by '%s', is not "
				    "found (or not an ELF file for %s)", name,
				    obj, xar_elf_machine_name(r->machine));
		if (rc > 0 && !(*path = strdup(name)))
			rc = xar_err_set(err, ENOMEM, "out of memory");
	}
	if (rc <= 0)
		xar_elf_info_free(info);
	free(expanded);
	return rc > 0 ? 0 : -1;
}

/* Record the library name found at path (taken over) for node k. */
static int add_lib(struct resolver *r, size_t k, const char *name,
		   char *path, struct xar_elf_info *info, struct xar_err *err)
{
	struct xar_elf_lib *lib;
	size_t i = r->out->nlibs;

	if (i == r->libcap && xar_grow((void **)&r->out->libs, &r->libcap,
				       sizeof(*lib), 16)) {
		free(path);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	lib = &r->out->libs[i];
	memset(lib, 0, sizeof(*lib));
	lib->path = path;
	r->out->nlibs++;
	lib->name = strdup(name);
	lib->needed_by = strdup(r->nodes[k].path);
	if (!lib->name || !lib->needed_by)
		return xar_err_set(err, ENOMEM, "out of memory");
	lib->real = realpath(path, NULL);
	if (!lib->real)
		return xar_err_sys(err, "cannot resolve '%s'", path);
	*hash_slot(r, name) = (uint32_t)i + 1;
	return add_node(r, path, info, k, 0, err);
}

/* Look up node k's DT_NEEDED names not found before. */
static int resolve_node(struct resolver *r, size_t k, struct xar_err *err)
{
	struct xar_elf_info info;
	const char *name;
	char *path;
	size_t i;

	for (i = 0; i < r->nodes[k].info.nneeded; i++) {
		name = r->nodes[k].info.needed[i];
		if (*hash_slot(r, name))
			continue;
		if (r->out->nlibs == XAR_ELF_MAX_LIBS)
			return xar_err_set(err, E2BIG, "more than %u shared "
					   "libraries are needed",
					   XAR_ELF_MAX_LIBS);
		if (lookup(r, k, name, &path, &info, err))
			return -1;
		if (add_lib(r, k, name, path, &info, err)) {
			xar_elf_info_free(&info);
			return -1;
		}
	}
	return 0;
}

static int find_interp(struct resolver *r, struct xar_err *err)
{
	const struct node *n;
	size_t k;

	for (k = 0; k < r->nnodes && !r->nodes[k].info.interp; k++)
		;
	if (k == r->nnodes)
		return 0;
	n = &r->nodes[k];
	r->out->interp = strdup(n->info.interp);
	if (!r->out->interp)
		return xar_err_set(err, ENOMEM, "out of memory");
	r->out->interp_real = realpath(n->info.interp, NULL);
	if (!r->out->interp_real)
		return xar_err_sys(err, "the program interpreter '%s' of '%s' "
				   "is not found", n->info.interp, n->path);
	return 0;
}

int xar_elf_resolve(const char *const *objects, size_t nobjects,
		    const struct xar_elf_search *s, struct xar_elf_deps *out,
		    struct xar_err *err)
{
	struct resolver r = { .main = NO_LOADER, .out = out };
	size_t k;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	r.machine = s ? s->machine : 0;
	r.hash = calloc(HASH_SIZE, sizeof(*r.hash));
	if (!r.hash) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < nobjects; k++)
		if (add_root(&r, objects[k], err))
			goto out;
	if (setup_search(&r, s, err))
		goto out;
	for (k = 0; k < r.nnodes; k++)
		if (resolve_node(&r, k, err))
			goto out;
	rc = find_interp(&r, err);
out:
	for (k = 0; k < r.nnodes; k++) {
		free(r.nodes[k].origin);
		xar_elf_info_free(&r.nodes[k].info);
	}
	free(r.nodes);
	free(r.hash);
	xar_elf_dirs_free(&r.fixed);
	if (rc)
		xar_elf_deps_free(out);
	return rc;
}

void xar_elf_deps_free(struct xar_elf_deps *d)
{
	size_t i;

	for (i = 0; i < d->nlibs; i++) {
		free(d->libs[i].name);
		free(d->libs[i].path);
		free(d->libs[i].real);
		free(d->libs[i].needed_by);
	}
	free(d->libs);
	free(d->interp);
	free(d->interp_real);
	memset(d, 0, sizeof(*d));
}
