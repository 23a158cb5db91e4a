/* mkxar --bundle-python: the interpreter, its standard library and every
 * shared library they and the app's extension modules need, down to the C
 * library and the loader, go into the image under __xar__/python (the
 * layout is python.h's), so that the xar needs no Python on the host. */
#include "bundle.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "elf/elf.h"

#define MAX_PATTERNS 256

struct objects {
	char **v;      /* disk paths of the image's ELF files, realpath'd */
	size_t n, cap;
	struct xar_err *err;
};

static int add_file(struct xar_tree *t, const char *disk, const char *rel,
		    const struct xar_python_opts *po, struct xar_err *err)
{
	char dest[PATH_MAX];

	if ((size_t)snprintf(dest, sizeof(dest), "%s/%s", XAR_PYTHON_BUNDLE_DIR,
			     rel) >= sizeof(dest))
		return xar_err_set(err, ENAMETOOLONG, "'%s': name too long", rel);
	if (xar_tree_add(t, disk, dest, err))
		return -1;
	if (po->bundled)
		po->bundled(dest, disk, po->phase_arg);
	return 0;
}

/* The default excludes and --python-exclude; --python-include. */
static int stdlib_filter(const struct xar_python_opts *po,
			 const char **ex, struct xar_tree_opts *f,
			 struct xar_err *err)
{
	size_t n = 0, i;

	for (i = 0; xar_python_bundle_excludes[i]; i++)
		ex[n++] = xar_python_bundle_excludes[i];
	if (po->nbundle_excludes > MAX_PATTERNS - n)
		return xar_err_set(err, E2BIG, "too many --python-exclude "
				   "patterns");
	for (i = 0; i < po->nbundle_excludes; i++)
		ex[n++] = po->bundle_excludes[i];
	memset(f, 0, sizeof(*f));
	f->excludes = ex;
	f->nexcludes = n;
	f->includes = po->bundle_includes;
	f->nincludes = po->nbundle_includes;
	return 0;
}

/* Whether dir is sub or a directory above it. */
static int within(const char *sub, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(sub, dir, n) && (sub[n] == '/' || !sub[n]);
}

/* stdlib, platstdlib and lib-dynload into dest (<platlibdir>/python<ver>
 * of the bundle). */
static int add_stdlib(const struct xar_python_opts *po,
		      const struct xar_python_home *home, const char *dest,
		      struct xar_tree *t, struct xar_err *err)
{
	const char *ex[MAX_PATTERNS];
	struct xar_tree_opts f;
	char dyn[PATH_MAX + 16];

	snprintf(dyn, sizeof(dyn), "%s/lib-dynload", dest);
	if (stdlib_filter(po, ex, &f, err) ||
	    xar_tree_merge_filtered(t, home->stdlib, dest, &f, err))
		return -1;
	if (po->bundled)
		po->bundled(dest, home->stdlib, po->phase_arg);
	if (strcmp(home->platstdlib, home->stdlib) &&
	    xar_tree_merge_filtered(t, home->platstdlib, dest, &f, err))
		return -1;
	if (within(home->dynload, home->stdlib) ||
	    within(home->dynload, home->platstdlib))
		return 0;
	return xar_tree_merge_filtered(t, home->dynload, dyn, &f, err);
}

/* Every ELF file of the image (by its name or mode), for the resolver. */
static int collect_elf(struct xar_node *n, const char *path, void *arg)
{
	struct objects *o = arg;
	const char *base = strrchr(path, '/');
	char *real;
	int elf;

	base = base ? base + 1 : path;
	if (!S_ISREG(n->mode) || !n->src ||
	    (!strstr(base, ".so") && !(n->mode & 0111)))
		return 0;
	elf = xar_elf_is_elf(n->src, o->err);
	if (elf <= 0)
		return elf;
	real = realpath(n->src, NULL);
	if (!real)
		return xar_err_sys(o->err, "cannot resolve '%s'", n->src);
	if (o->n == o->cap &&
	    xar_grow((void **)&o->v, &o->cap, sizeof(*o->v), 64)) {
		free(real);
		return xar_err_set(o->err, ENOMEM, "out of memory");
	}
	o->v[o->n++] = real;
	return 0;
}

static int in_image(const struct objects *o, const char *real)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->v[i], real))
			return 1;
	return 0;
}

/* The libraries the image's ELF files need that it does not hold, into
 * libs/ under the names they are needed by; the loader into libexec. */
static int add_libs(const struct xar_python_opts *po, struct xar_tree *t,
		    const struct objects *o, struct xar_err *err)
{
	struct xar_elf_search s = { .machine = EM_X86_64 };
	struct xar_elf_deps d = { 0 };
	char rel[PATH_MAX], dest[PATH_MAX + 32];
	const char *ld;
	size_t i;
	int rc = -1, libc = 0;

	if (xar_elf_resolve((const char *const *)o->v, o->n, &s, &d, err))
		return -1;
	for (i = 0; i < d.nlibs; i++) {
		const struct xar_elf_lib *l = &d.libs[i];
		const char *name = strrchr(l->name, '/');

		name = name ? name + 1 : l->name;
		libc |= !strcmp(name, "libc.so.6");
		if (in_image(o, l->real))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", XAR_PYTHON_LIBS, name);
		if (add_file(t, l->real, rel, po, err))
			goto out;
	}
	if (!d.interp || !libc) {
		xar_err_set(err, EINVAL, "the interpreter is not dynamically "
			    "linked with the GNU C library; --bundle-python "
			    "cannot bundle it");
		goto out;
	}
	/* libc needs the loader by its name: libs/ has it unless nothing
	 * named it */
	ld = strrchr(d.interp, '/');
	snprintf(rel, sizeof(rel), "%s/%s", XAR_PYTHON_LIBS, ld ? ld + 1 : d.interp);
	snprintf(dest, sizeof(dest), "%s/%s", XAR_PYTHON_BUNDLE_DIR, rel);
	if ((!xar_tree_lookup(t, dest) &&
	     add_file(t, d.interp_real, rel, po, err)) ||
	    add_file(t, d.interp_real, XAR_PYTHON_LOADER, po, err))
		goto out;
	rc = 0;
out:
	xar_elf_deps_free(&d);
	return rc;
}

/* What every start of the bundled interpreter reads, in that order: the
 * loader, the interpreter, the libraries it needs as the loader finds
 * them, the bootstrap, and the modules the interpreter imports from the
 * standard library before the app's (3.11 has the rest frozen in). The
 * start-up list of a hermetic xar built without one; mkxar --profile
 * records the app's too. Lines naming no file are skipped later. */
static int default_startup(const struct xar_python_info *info,
			   const struct xar_python_home *home,
			   struct xar_bundle_startup *out, struct xar_err *err)
{
	static const char *const modules[][2] = {
		{ "encodings", "__init__" },
		{ "encodings", "aliases" },
		{ "encodings", "utf_8" },
	};
	struct xar_elf_search s = { .machine = EM_X86_64 };
	struct xar_elf_deps d = { 0 };
	const char *interp = home->real, *dir = XAR_PYTHON_BUNDLE_DIR, *name;
	FILE *f;
	size_t i;
	int bad;

	if (xar_elf_resolve(&interp, 1, &s, &d, err))
		return -1;
	f = open_memstream(&out->list, &out->len);
	if (!f) {
		xar_elf_deps_free(&d);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	fprintf(f, "%s/%s\n%s/%s\n", dir, XAR_PYTHON_LOADER, dir,
		XAR_PYTHON_REAL);
	for (i = 0; i < d.nlibs; i++) { /* the loader is listed already */
		if (d.interp_real && !strcmp(d.libs[i].real, d.interp_real))
			continue;
		name = strrchr(d.libs[i].name, '/');
		fprintf(f, "%s/%s/%s\n", dir, XAR_PYTHON_LIBS,
			name ? name + 1 : d.libs[i].name);
	}
	fprintf(f, "%s\n", XAR_PYTHON_BOOTSTRAP_PY);
	for (i = 0; i < sizeof(modules) / sizeof(*modules); i++)
		fprintf(f, "%s/%s/__pycache__/%s.%s.pyc\n", out->stdlib,
			modules[i][0], modules[i][1], info->tag);
	bad = ferror(f);
	xar_elf_deps_free(&d);
	if (fclose(f) || bad) {
		free(out->list);
		out->list = NULL;
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* The files of the start-up list up to the bootstrap (the loader, the
 * interpreter, its libraries) are paged in through the mount at every new
 * mount, a few MiB decompressed while the app waits: the writer trades
 * some of their size for decompression speed. */
static void mark_quick(struct xar_tree *t, const struct xar_bundle_startup *s)
{
	const char *line = s->list, *end = s->list + s->len, *nl;
	char path[PATH_MAX];
	struct xar_node *n;

	for (; line < end && (nl = memchr(line, '\n', (size_t)(end - line)));
	     line = nl + 1) {
		if ((size_t)(nl - line) >= sizeof(path))
			continue;
		memcpy(path, line, (size_t)(nl - line));
		path[nl - line] = 0;
		if (!strcmp(path, XAR_PYTHON_BOOTSTRAP_PY))
			break;
		n = xar_tree_lookup(t, path);
		if (n && S_ISREG(n->mode))
			n->quick_read = 1;
	}
}

static void objects_free(struct objects *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->v[i]);
	free(o->v);
}

int xar_bundle_python(const struct xar_python_opts *po,
		      const struct xar_python_info *info, const char *launcher,
		      struct xar_tree *t, struct xar_header *h,
		      struct xar_bundle_startup *startup, struct xar_err *err)
{
	struct xar_python_home home;
	struct objects o = { .err = err };
	int rc = -1;

	if (po->phase)
		po->phase("bundling the interpreter", 0, po->phase_arg);
	if (xar_python_home(info->executable, &home, err))
		return -1;
	/* where the standard library goes; the guess follows imports into it */
	if (asprintf(&startup->stdlib, "%s/%s/python%s", XAR_PYTHON_BUNDLE_DIR,
		     home.platlibdir, info->version) < 0) {
		startup->stdlib = NULL;
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (add_stdlib(po, &home, startup->stdlib, t, err) ||
	    add_file(t, home.real, XAR_PYTHON_REAL, po, err) ||
	    add_file(t, launcher, XAR_PYTHON_LAUNCHER, po, err))
		goto out;
	if (xar_tree_walk(t, collect_elf, &o)) {
		if (!err->msg[0])
			xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (add_libs(po, t, &o, err) ||
	    xar_header_set(h, "XAR_PYTHON_BUNDLE", XAR_PYTHON_BUNDLE_DIR, err) ||
	    xar_header_set(h, "XAR_PYTHON_LIBC", home.libc, err) ||
	    default_startup(info, &home, startup, err))
		goto out;
	mark_quick(t, startup);
	rc = 0;
out:
	objects_free(&o);
	xar_python_home_free(&home);
	return rc;
}
