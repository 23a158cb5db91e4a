/* lib/elf: reading ELF dynamic information and resolving shared-library
 * dependencies as ld.so does. Real programs of this machine (Python and
 * its lib-dynload modules, checked against ldd), objects built with gcc
 * ($ORIGIN, RUNPATH and RPATH), crafted objects (search order, tokens,
 * ld.so.conf, other machines), and hostile files: damaged headers, tables
 * outside the file, strings without an end, random mutations. */
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "elf/elf.h"
#include "tmpdir_fixture.h"

#define PYTHON "/usr/bin/python3.11"
#define DYNLOAD "/usr/lib/python3.11/lib-dynload/"
#define SSL_MODULE DYNLOAD "_ssl.cpython-311-x86_64-linux-gnu.so"
#define VADDR 0x10000u /* where the crafted objects' one segment is mapped */

static void setup(void)
{
	tmpdir_setup("elf");
}

/* Tests that need a file of this machine say so, and pass, without it. */
static int have(const char *path)
{
	if (access(path, R_OK) == 0)
		return 1;
	fprintf(stderr, "check_elf: %s missing, test skipped\n", path);
	return 0;
}

/* ---- crafted objects ---- */

/* A crafted ELF64 little-endian object: one PT_LOAD mapping the whole
 * file at VADDR (so that DT_STRTAB is an address, not an offset), a
 * PT_DYNAMIC, maybe a PT_INTERP, and the string table last. */
struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3]; /* PT_LOAD, PT_DYNAMIC, PT_INTERP or PT_NULL */
	Elf64_Dyn dyn[1040];
	char str[8192];
};

struct spec {
	int machine;            /* 0: EM_X86_64 */
	const char *interp;
	const char *needed[6];
	const char *rpath, *runpath, *soname;
};

static struct image im;

static uint64_t add_str(size_t *used, const char *s)
{
	uint64_t off = *used;

	ck_assert_uint_lt(*used + strlen(s) + 1, sizeof(im.str));
	memcpy(im.str + *used, s, strlen(s) + 1);
	*used += strlen(s) + 1;
	return off;
}

static void add_dyn(size_t *n, int64_t tag, uint64_t val)
{
	im.dyn[*n].d_tag = tag;
	im.dyn[*n].d_un.d_val = val;
	(*n)++;
}

/* Fill im from sp; the file's length. Strings: interp, rpath, runpath,
 * soname, then the needed names (the last needed name ends the file). */
static size_t craft(const struct spec *sp)
{
	size_t used = 1, nd = 0, i, len;
	uint64_t interp = 0;

	memset(&im, 0, sizeof(im));
	if (sp->interp)
		interp = add_str(&used, sp->interp);
	if (sp->rpath)
		add_dyn(&nd, DT_RPATH, add_str(&used, sp->rpath));
	if (sp->runpath)
		add_dyn(&nd, DT_RUNPATH, add_str(&used, sp->runpath));
	if (sp->soname)
		add_dyn(&nd, DT_SONAME, add_str(&used, sp->soname));
	for (i = 0; i < 6 && sp->needed[i]; i++)
		add_dyn(&nd, DT_NEEDED, add_str(&used, sp->needed[i]));
	add_dyn(&nd, DT_STRTAB, VADDR + offsetof(struct image, str));
	add_dyn(&nd, DT_STRSZ, used);
	add_dyn(&nd, DT_NULL, 0);
	len = offsetof(struct image, str) + used;
	memcpy(im.eh.e_ident, ELFMAG, SELFMAG);
	im.eh.e_ident[EI_CLASS] = ELFCLASS64;
	im.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im.eh.e_ident[EI_VERSION] = EV_CURRENT;
	im.eh.e_type = ET_DYN;
	im.eh.e_machine = sp->machine ? sp->machine : EM_X86_64;
	im.eh.e_version = EV_CURRENT;
	im.eh.e_phoff = offsetof(struct image, ph);
	im.eh.e_ehsize = sizeof(im.eh);
	im.eh.e_phentsize = sizeof(Elf64_Phdr);
	im.eh.e_phnum = 3;
	im.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_vaddr = VADDR,
				 .p_filesz = len, .p_memsz = len };
	im.ph[1] = (Elf64_Phdr){ .p_type = PT_DYNAMIC,
				 .p_offset = offsetof(struct image, dyn),
				 .p_filesz = nd * sizeof(Elf64_Dyn) };
	im.ph[1].p_vaddr = VADDR + im.ph[1].p_offset;
	if (sp->interp)
		im.ph[2] = (Elf64_Phdr){ .p_type = PT_INTERP,
			.p_offset = offsetof(struct image, str) + interp,
			.p_filesz = strlen(sp->interp) + 1 };
	return len;
}

static void put(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Craft sp into the file path (made with its directory). */
static void make(const char *path, const struct spec *sp)
{
	char cmd[600];
	size_t len = craft(sp);

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	ck_assert_int_eq(system(cmd), 0);
	put(path, &im, len);
}

/* The first 64 bytes of an ELF header of the given class, byte order and
 * machine (only the fields xar_elf_read looks at first). */
static void make_header(const char *path, int elf_class, int data,
			int machine)
{
	unsigned char b[64] = { 0 };

	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = (unsigned char)elf_class;
	b[EI_DATA] = (unsigned char)data;
	b[EI_VERSION] = EV_CURRENT;
	b[data == ELFDATA2MSB ? 17 : 16] = ET_DYN;
	b[data == ELFDATA2MSB ? 18 : 19] = (unsigned char)(machine >> 8);
	b[data == ELFDATA2MSB ? 19 : 18] = (unsigned char)machine;
	put(path, b, sizeof(b));
}

/* Resolve one object with the default search; 0 or -1. */
static int resolve1(const char *obj, struct xar_elf_deps *d,
		    struct xar_err *err)
{
	const char *objs[] = { obj };
	struct xar_elf_search s = { .machine = EM_X86_64 };

	return xar_elf_resolve(objs, 1, &s, d, err);
}

static const struct xar_elf_lib *lib_named(const struct xar_elf_deps *d,
					   const char *name)
{
	size_t i;

	for (i = 0; i < d->nlibs; i++)
		if (!strcmp(d->libs[i].name, name))
			return &d->libs[i];
	return NULL;
}

/* The library name was found, and its path and realpath exist. */
static const struct xar_elf_lib *found(const struct xar_elf_deps *d,
				       const char *name)
{
	const struct xar_elf_lib *l = lib_named(d, name);
	char *real;

	ck_assert_msg(l != NULL, "%s not found", name);
	ck_assert_int_eq(access(l->path, F_OK), 0);
	real = realpath(l->path, NULL);
	ck_assert_ptr_nonnull(real);
	ck_assert_str_eq(real, l->real);
	free(real);
	return l;
}

/* ---- real programs ---- */

START_TEST(test_is_elf)
{
	struct xar_err err;

	ck_assert_int_eq(xar_elf_is_elf("/bin/ls", &err), 1);
	ck_assert_int_eq(xar_elf_is_elf("/etc/passwd", &err), 0);
	ck_assert_int_eq(xar_elf_is_elf("/", &err), 0);
	put(at("short"), "\177E", 2);
	ck_assert_int_eq(xar_elf_is_elf(at("short"), &err), 0);
	ck_assert_int_eq(xar_elf_is_elf(at("none"), &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
}
END_TEST

START_TEST(test_read_program)
{
	const char *prog = access(PYTHON, R_OK) == 0 ? PYTHON : "/bin/ls";
	struct xar_elf_info info;
	struct xar_err err;
	size_t i;
	int libc = 0;

	ck_assert_int_eq(xar_elf_read(prog, &info, &err), 0);
	ck_assert_int_eq(info.machine, EM_X86_64);
	ck_assert_int_eq(info.elf_class, ELFCLASS64);
	ck_assert(info.complete && info.dynamic);
	ck_assert_ptr_nonnull(info.interp);
	ck_assert_ptr_nonnull(strstr(info.interp, "ld-linux-x86-64.so.2"));
	for (i = 0; i < info.nneeded; i++)
		libc |= !strcmp(info.needed[i], "libc.so.6");
	ck_assert(libc);
	xar_elf_info_free(&info);
	ck_assert_int_eq(xar_elf_read("/etc/passwd", &info, &err), -1);
	ck_assert_str_eq(err.msg, "'/etc/passwd' is not an ELF file");
}
END_TEST

START_TEST(test_resolve_python)
{
	struct xar_elf_info info;
	struct xar_elf_deps d;
	struct xar_err err;
	size_t i;

	if (!have(PYTHON))
		return;
	ck_assert_int_eq(resolve1(PYTHON, &d, &err), 0);
	found(&d, "libm.so.6");
	found(&d, "libz.so.1");
	found(&d, "libexpat.so.1");
	ck_assert_str_eq(found(&d, "libc.so.6")->needed_by, PYTHON);
	/* libc needs the loader by its soname: found like any library. */
	found(&d, "ld-linux-x86-64.so.2");
	ck_assert_ptr_nonnull(d.interp);
	ck_assert_int_eq(access(d.interp_real, F_OK), 0);
	/* Breadth-first: Python's own DT_NEEDED first, in order. */
	ck_assert_int_eq(xar_elf_read(PYTHON, &info, &err), 0);
	ck_assert_uint_ge(d.nlibs, info.nneeded);
	for (i = 0; i < info.nneeded; i++)
		ck_assert_str_eq(d.libs[i].name, info.needed[i]);
	xar_elf_info_free(&info);
	xar_elf_deps_free(&d);
	ck_assert_ptr_null(d.libs);
}
END_TEST

START_TEST(test_resolve_module)
{
	struct xar_elf_deps d;
	struct xar_err err;

	if (!have(SSL_MODULE))
		return;
	ck_assert_int_eq(resolve1(SSL_MODULE, &d, &err), 0);
	found(&d, "libssl.so.3");
	found(&d, "libcrypto.so.3");
	found(&d, "libc.so.6");
	/* No PT_INTERP of its own: libc.so.6's names the loader. */
	ck_assert_ptr_nonnull(d.interp);
	ck_assert_ptr_nonnull(strstr(d.interp, "ld-linux-x86-64.so.2"));
	xar_elf_deps_free(&d);
}
END_TEST

/* The realpaths ldd prints for objs, sorted, one a line, into out. */
static void ldd_reals(const char *objs, char *out, size_t cap)
{
	char cmd[4096];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "for f in %s; do ldd \"$f\"; done | awk "
		 "'/=>/ && $3 ~ /^\\// {print $3} !/=>/ && $1 ~ /^\\// "
		 "{print $1}' | xargs realpath | LC_ALL=C sort -u", objs);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Ours, the same way: each library's and the loader's realpath. */
static void our_reals(const struct xar_elf_deps *d, char *out, size_t cap)
{
	const char **v = calloc(d->nlibs + 1, sizeof(*v));
	size_t n = 0, i, used = 0;

	for (i = 0; i < d->nlibs; i++)
		v[n++] = d->libs[i].real;
	v[n++] = d->interp_real;
	qsort(v, n, sizeof(*v), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			used += (size_t)snprintf(out + used, cap - used, "%s\n",
						 v[i]);
	free(v);
}

/* Python and all of lib-dynload: what ldd finds (through ld.so.cache),
 * we find (through ld.so.conf). Each name once. */
START_TEST(test_agrees_with_ldd)
{
	static char ours[16384], theirs[16384];
	struct xar_elf_search s = { .machine = EM_X86_64 };
	struct xar_elf_deps d;
	struct xar_err err;
	const char *objs[256];
	size_t n = 0, i;
	FILE *ls;
	char line[512];

	if (!have(PYTHON) || !have(SSL_MODULE))
		return;
	objs[n++] = PYTHON;
	ls = popen("ls " DYNLOAD "*.so", "r");
	ck_assert_ptr_nonnull(ls);
	while (n < 256 && fgets(line, sizeof(line), ls)) {
		line[strcspn(line, "\n")] = '\0';
		objs[n++] = strdup(line);
	}
	ck_assert_int_eq(pclose(ls), 0);
	ck_assert_int_eq(xar_elf_resolve(objs, n, &s, &d, &err), 0);
	for (i = 1; i < d.nlibs; i++)
		ck_assert_ptr_eq(lib_named(&d, d.libs[i].name), &d.libs[i]);
	our_reals(&d, ours, sizeof(ours));
	ldd_reals(PYTHON " " DYNLOAD "*.so", theirs, sizeof(theirs));
	ck_assert_str_eq(ours, theirs);
	xar_elf_deps_free(&d);
	for (i = 1; i < n; i++)
		free((char *)objs[i]);
}
END_TEST

/* ---- built with gcc: $ORIGIN in DT_RUNPATH and DT_RPATH ---- */

/* Run script in the directory dir. */
static void sh(const char *dir, const char *script)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "cd '%s' && %s", dir, script);
	ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

START_TEST(test_origin_gcc)
{
	struct xar_elf_info info;
	struct xar_elf_deps d;
	struct xar_err err;
	const struct xar_elf_lib *l;
	char *dir = realpath(at(""), NULL);

	sh(dir, "mkdir -p sub bin && "
	   "echo 'int dep(void) { return 7; }' > dep.c && "
	   "echo 'int dep(void); int mod(void) { return dep(); }' > mod.c && "
	   "echo 'int dep(void); int main(void) { return dep() - 7; }' > m.c &&"
	   " gcc -shared -fPIC -o sub/libxardep.so dep.c && "
	   "gcc -shared -fPIC -o mod.so mod.c -Lsub -lxardep "
	   "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/sub' && "
	   "gcc -o bin/app m.c -Lsub -lxardep "
	   "-Wl,--disable-new-dtags,-rpath,'$ORIGIN/../sub' && "
	   "ln -s bin/app link && ./link");
	ck_assert_int_eq(xar_elf_read(at("mod.so"), &info, &err), 0);
	ck_assert_str_eq(info.runpath, "$ORIGIN/sub");
	ck_assert_ptr_null(info.rpath);
	xar_elf_info_free(&info);
	ck_assert_int_eq(resolve1(at("mod.so"), &d, &err), 0);
	l = found(&d, "libxardep.so");
	ck_assert_str_eq(l->needed_by, at("mod.so"));
	ck_assert_int_eq(strncmp(l->path, dir, strlen(dir)), 0);
	ck_assert_str_eq(l->path + strlen(dir), "/sub/libxardep.so");
	xar_elf_deps_free(&d);
	/* An executable's $ORIGIN is that of the file a symlink names, as
	 * ld.so has it from /proc/self/exe: link is in dir, app in dir/bin. */
	ck_assert_int_eq(resolve1(at("link"), &d, &err), 0);
	ck_assert_str_eq(found(&d, "libxardep.so")->path + strlen(dir),
			 "/bin/../sub/libxardep.so");
	xar_elf_deps_free(&d);
	free(dir);
}
END_TEST

/* ---- crafted objects: architectures, search order ---- */

START_TEST(test_other_architecture)
{
	struct spec arm = { .machine = EM_AARCH64, .needed = { "libc.so.6" } };
	struct xar_elf_info info;
	struct xar_elf_deps d;
	struct xar_err err;

	make(at("arm.so"), &arm);
	ck_assert_int_eq(xar_elf_read(at("arm.so"), &info, &err), 0);
	ck_assert_int_eq(info.machine, EM_AARCH64);
	ck_assert_str_eq(info.needed[0], "libc.so.6");
	xar_elf_info_free(&info);
	ck_assert_int_eq(resolve1(at("arm.so"), &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "is an ELF file for another "
				     "architecture (aarch64)"));
	ck_assert_ptr_null(d.libs);
	/* 32-bit and big-endian: headers only, still named. */
	make_header(at("i386.so"), ELFCLASS32, ELFDATA2LSB, EM_386);
	ck_assert_int_eq(xar_elf_read(at("i386.so"), &info, &err), 0);
	ck_assert_int_eq(info.machine, EM_386);
	ck_assert_int_eq(info.elf_class, ELFCLASS32);
	ck_assert_int_eq(info.type, ET_DYN);
	ck_assert(!info.complete);
	ck_assert_int_eq(resolve1(at("i386.so"), &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "another architecture (i386"));
	make_header(at("s390.so"), ELFCLASS64, ELFDATA2MSB, EM_S390);
	ck_assert_int_eq(xar_elf_read(at("s390.so"), &info, &err), 0);
	ck_assert_int_eq(info.machine, EM_S390);
	ck_assert_int_eq(resolve1(at("s390.so"), &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "(s390x)"));
	/* A given object that is not ELF. */
	put(at("script"), "#!/bin/sh\n", 10);
	ck_assert_int_eq(resolve1(at("script"), &d, &err), -1);
	ck_assert_str_eq(strstr(err.msg, "' is"), "' is not an ELF file");
}
END_TEST

START_TEST(test_not_found)
{
	struct spec sp = { .needed = { "libc.so.6", "libxar-missing.so.1" },
			   .rpath = "/nonexistent/r" };
	struct xar_elf_deps d;
	struct xar_err err;
	char want[512];

	make(at("obj.so"), &sp);
	ck_assert_int_eq(resolve1(at("obj.so"), &d, &err), -1);
	snprintf(want, sizeof(want), "'libxar-missing.so.1', needed by '%s', "
		 "is not found (searched: /nonexistent/r, ", at("obj.so"));
	ck_assert_msg(!strncmp(err.msg, want, strlen(want)), "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(err.msg, "/usr/lib)"));
	ck_assert_ptr_null(d.libs);
}
END_TEST

/* An aarch64 libz.so.1 (one whole, one damaged) and a text file named
 * libz.so.1 come first along the RPATH: ld.so passes over them and takes
 * the system's. A damaged x86-64 one is an error. */
START_TEST(test_skips_incompatible)
{
	struct spec arm = { .machine = EM_AARCH64 };
	struct spec sp = { .needed = { "libz.so.1" } };
	struct xar_elf_deps d;
	struct xar_err err;
	char rpath[1024];
	const struct xar_elf_lib *l;
	size_t len;

	make(at("arm/libz.so.1"), &arm);
	len = craft(&arm);
	im.eh.e_phoff = 1u << 20;
	mkdir(at("bad"), 0755);
	put(at("bad/libz.so.1"), &im, len);
	mkdir(at("text"), 0755);
	put(at("text/libz.so.1"), "INPUT(-lz)\n", 11);
	snprintf(rpath, sizeof(rpath), "%s:%s:%s", at("arm"), at("bad"),
		 at("text"));
	sp.rpath = rpath;
	make(at("obj.so"), &sp);
	ck_assert_int_eq(resolve1(at("obj.so"), &d, &err), 0);
	l = found(&d, "libz.so.1");
	ck_assert_ptr_null(strstr(l->path, base));
	ck_assert_int_eq(xar_elf_is_elf(l->path, &err), 1);
	xar_elf_deps_free(&d);
	im.eh.e_machine = EM_X86_64;
	put(at("bad/libz.so.1"), &im, len);
	ck_assert_int_eq(resolve1(at("obj.so"), &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad/libz.so.1' is a damaged "
				     "ELF file"));
}
END_TEST

/* A DT_RPATH serves the libraries loaded below its object, unless the
 * one looking has a DT_RUNPATH; an object with both has no DT_RPATH. */
START_TEST(test_rpath_inherited)
{
	struct spec top = { .needed = { "libxarb.so" } };
	struct spec b = { .needed = { "libxarc.so" } };
	struct spec c = { .soname = "libxarc.so" };
	struct xar_elf_deps d;
	struct xar_err err;
	char rpath[300];

	snprintf(rpath, sizeof(rpath), "%s", at("d"));
	top.rpath = rpath;
	make(at("top.so"), &top);
	make(at("d/libxarb.so"), &b);
	make(at("d/libxarc.so"), &c);
	ck_assert_int_eq(resolve1(at("top.so"), &d, &err), 0);
	ck_assert_uint_eq(d.nlibs, 2);
	ck_assert_str_eq(d.libs[1].path, at("d/libxarc.so"));
	ck_assert_str_eq(d.libs[1].needed_by, at("d/libxarb.so"));
	xar_elf_deps_free(&d);
	b.runpath = "/nonexistent";
	make(at("d/libxarb.so"), &b);
	ck_assert_int_eq(resolve1(at("top.so"), &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'libxarc.so', needed by"));
	top.runpath = "/nonexistent";
	make(at("top.so"), &top);
	ck_assert_int_eq(resolve1(at("top.so"), &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'libxarb.so', needed by"));
	ck_assert_ptr_nonnull(strstr(err.msg, "searched: /nonexistent, "));
}
END_TEST

/* Breadth-first, each name once, needed_by the first that needed it. */
START_TEST(test_breadth_first)
{
	struct spec top = { .needed = { "libxa.so", "libxb.so" },
			    .runpath = "$ORIGIN/l" };
	struct spec a = { .needed = { "libxc.so" }, .runpath = "$ORIGIN" };
	struct spec b = { .needed = { "libxa.so", "libxd.so" },
			  .runpath = "$ORIGIN" };
	struct spec leaf = { 0 };
	static const char *const order[] = { "libxa.so", "libxb.so",
					     "libxc.so", "libxd.so" };
	struct xar_elf_deps d;
	struct xar_err err;
	size_t i;

	make(at("top"), &top);
	make(at("l/libxa.so"), &a);
	make(at("l/libxb.so"), &b);
	make(at("l/libxc.so"), &leaf);
	make(at("l/libxd.so"), &leaf);
	ck_assert_int_eq(resolve1(at("top"), &d, &err), 0);
	ck_assert_uint_eq(d.nlibs, 4);
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(d.libs[i].name, order[i]);
	ck_assert_str_eq(d.libs[3].needed_by, d.libs[1].path);
	ck_assert_ptr_null(d.interp);
	xar_elf_deps_free(&d);
}
END_TEST

/* $ORIGIN, ${ORIGIN}, $LIB, $PLATFORM; unknown tokens stay as written;
 * a library found through a symlink has the symlink's directory as its
 * $ORIGIN, as in ld.so; names with a '/' (after expansion) are paths. */
START_TEST(test_tokens)
{
	struct spec top = { .needed = { "libxl.so", "libxp.so", "libxs.so",
					"$ORIGIN/abs/libxq.so" },
			    .runpath = "${ORIGIN}/$LIB:$ORIGIN/p/${PLATFORM}:"
				       "$ORIGINX/no:$ORIGIN/ln" };
	struct spec s = { .needed = { "libxt.so" }, .runpath = "$ORIGIN/t" };
	struct spec leaf = { 0 };
	struct xar_elf_deps d;
	struct xar_err err;
	char *dir = realpath(at(""), NULL);

	make(at("top.so"), &top);
	make(at("lib/x86_64-linux-gnu/libxl.so"), &leaf);
	make(at("p/x86_64/libxp.so"), &leaf);
	make(at("abs/libxq.so"), &leaf);
	make(at("real/libxs.so"), &s);
	make(at("ln/t/libxt.so"), &leaf);
	make(at("real/t/libxt.so"), &leaf);
	sh(dir, "ln -s ../real/libxs.so ln/libxs.so");
	ck_assert_int_eq(resolve1(at("top.so"), &d, &err), 0);
	ck_assert_str_eq(lib_named(&d, "libxs.so")->path, at("ln/libxs.so"));
	ck_assert_str_eq(lib_named(&d, "libxs.so")->real + strlen(dir),
			 "/real/libxs.so");
	ck_assert_str_eq(lib_named(&d, "libxl.so")->path + strlen(dir),
			 "/lib/x86_64-linux-gnu/libxl.so");
	ck_assert_str_eq(lib_named(&d, "libxp.so")->path + strlen(dir),
			 "/p/x86_64/libxp.so");
	ck_assert_str_eq(lib_named(&d, "$ORIGIN/abs/libxq.so")->path +
			 strlen(dir), "/abs/libxq.so");
	ck_assert_str_eq(lib_named(&d, "libxt.so")->path + strlen(dir),
			 "/ln/t/libxt.so");
	xar_elf_deps_free(&d);
	free(dir);
}
END_TEST

/* $LIB and $PLATFORM as the caller sets them; the system directories
 * as the caller gives them. */
START_TEST(test_search_settings)
{
	struct spec top = { .needed = { "libxl.so" },
			    .runpath = "$ORIGIN/$LIB/$PLATFORM" };
	struct spec leaf = { 0 };
	const char *sys[1];
	struct xar_elf_search s = { .machine = EM_X86_64, .ld_so_conf = "",
				    .dst_lib = "lib64", .dst_platform = "p" };
	char top_so[256];
	const char *objs[] = { top_so };
	struct xar_elf_deps d;
	struct xar_err err;
	char *dir = realpath(at(""), NULL);

	snprintf(top_so, sizeof(top_so), "%s", at("top.so"));
	make(at("top.so"), &top);
	make(at("lib64/p/libxl.so"), &leaf);
	ck_assert_int_eq(xar_elf_resolve(objs, 1, &s, &d, &err), 0);
	ck_assert_str_eq(d.libs[0].path + strlen(dir), "/lib64/p/libxl.so");
	xar_elf_deps_free(&d);
	free(dir);
	top.runpath = NULL;
	make(at("top.so"), &top);
	sys[0] = at("lib64/p");
	s.system_dirs = sys;
	s.nsystem_dirs = 1;
	ck_assert_int_eq(xar_elf_resolve(objs, 1, &s, &d, &err), 0);
	ck_assert_str_eq(d.libs[0].path, at("lib64/p/libxl.so"));
	xar_elf_deps_free(&d);
	s.nsystem_dirs = 0;
	ck_assert_int_eq(xar_elf_resolve(objs, 1, &s, &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "(searched: nothing)"));
}
END_TEST

/* ld.so.conf: comments, blank lines, include globs relative to the file,
 * relative directories ignored, and an include loop refused. */
START_TEST(test_ld_so_conf)
{
	struct spec top = { .needed = { "libxconf.so" } };
	struct spec leaf = { 0 };
	static const char *const sys[] = { "/nonexistent" };
	struct xar_elf_search s = { .machine = EM_X86_64, .system_dirs = sys,
				    .nsystem_dirs = 1 };
	char top_so[256];
	const char *objs[] = { top_so };
	struct xar_elf_deps d;
	struct xar_err err;
	char text[512];

	snprintf(top_so, sizeof(top_so), "%s", at("top.so"));
	make(at("top.so"), &top);
	make(at("cl/libxconf.so"), &leaf);
	mkdir(at("conf.d"), 0755);
	snprintf(text, sizeof(text), "# comment\n\n  include conf.d/*.conf  "
		 "none/*.conf\n");
	put(at("ld.so.conf"), text, strlen(text));
	snprintf(text, sizeof(text), "relative\n/nonexistent # here\n"
		 "\t%s//\nhwcap 0 x\n", at("cl"));
	put(at("conf.d/b.conf"), text, strlen(text));
	s.ld_so_conf = at("ld.so.conf");
	ck_assert_msg(xar_elf_resolve(objs, 1, &s, &d, &err) == 0, "%s",
		      err.msg);
	ck_assert_str_eq(d.libs[0].path, at("cl/libxconf.so"));
	xar_elf_deps_free(&d);
	s.ld_so_conf = at("missing.conf");
	ck_assert_int_eq(xar_elf_resolve(objs, 1, &s, &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "(searched: /nonexistent)"));
	put(at("conf.d/loop.conf"), "include loop.conf\n", 18);
	s.ld_so_conf = at("ld.so.conf");
	ck_assert_int_eq(xar_elf_resolve(objs, 1, &s, &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "deep"));
}
END_TEST

/* ---- hostile files ---- */

struct hostile {
	const char *name;
	const char *says;
};

/* Case i applied to a crafted object whose dyn[0..1] are DT_NEEDED,
 * dyn[2] DT_STRTAB, dyn[3] DT_STRSZ; the file's length. */
static size_t spoil(int i, size_t len)
{
	Elf64_Dyn *strtab = &im.dyn[2], *strsz = &im.dyn[3];

	switch (i) {
	case 0: memset(&im, 0x5a, sizeof(im)); return 300;
	case 1: return 10;
	case 2: return 40;
	case 3: im.eh.e_phnum = 0xffff; return len;
	case 4: im.eh.e_phoff = len - 10; return len;
	case 5: im.eh.e_phentsize = 20; return len;
	case 6: return offsetof(struct image, ph) + 100;
	case 7: strtab->d_un.d_ptr = 0x7fffffff; return len;
	case 8: strsz->d_un.d_val = 1u << 30; return len;
	case 9: im.dyn[0].d_un.d_val = 1u << 20; return len;
	case 10: /* the last name loses its NUL, and the sizes follow */
		im.ph[0].p_filesz = len - 1;
		strsz->d_un.d_val--;
		return len - 1;
	case 11: im.ph[1].p_filesz = len; return len;
	case 12: im.ph[1].p_offset = UINT64_MAX - 4; return len;
	case 13: im.ph[2].p_filesz = 3; return len;
	case 14: im.ph[0].p_offset = len; return len;
	case 15: strtab->d_tag = DT_NULL; return len;
	}
	return len;
}

static const struct hostile hostile[] = {
	{ "random bytes", "is not an ELF file" },
	{ "cut in the ident", "header is cut off" },
	{ "cut in the header", "header is cut off" },
	{ "e_phnum 65535", "too many program headers" },
	{ "program headers past the end", "program headers lie outside" },
	{ "odd e_phentsize", "odd program header size" },
	{ "cut in the program headers", "program headers lie outside" },
	{ "DT_STRTAB in no segment", "DT_STRTAB is in no PT_LOAD" },
	{ "DT_STRSZ 1 GiB", "DT_STRSZ runs past" },
	{ "DT_NEEDED past the strings", "outside the string table" },
	{ "a name without its NUL", "a string has no end" },
	{ "PT_DYNAMIC past the end", "bad PT_DYNAMIC" },
	{ "PT_DYNAMIC offset overflows", "bad PT_DYNAMIC" },
	{ "PT_INTERP without NUL", "PT_INTERP is not a path" },
	{ "PT_LOAD past the end", "DT_STRTAB is in no PT_LOAD" },
	{ "names but no DT_STRTAB", "no DT_STRTAB" },
};

START_TEST(test_hostile)
{
	struct spec sp = { .interp = "/lib64/ld-linux-x86-64.so.2",
			   .needed = { "libc.so.6", "libxar-last.so" } };
	const struct hostile *c = &hostile[_i];
	struct xar_elf_info info;
	struct xar_elf_deps d;
	struct xar_err err;
	size_t len = craft(&sp);

	len = spoil(_i, len);
	put(at("bad.so"), &im, len);
	ck_assert_int_eq(xar_elf_read(at("bad.so"), &info, &err), -1);
	ck_assert_msg(strstr(err.msg, c->says), "%s: %s", c->name, err.msg);
	ck_assert_ptr_null(info.needed);
	ck_assert_int_eq(info.machine, _i <= 1 ? 0 : EM_X86_64);
	ck_assert_int_eq(resolve1(at("bad.so"), &d, &err), -1);
	ck_assert_msg(strstr(err.msg, c->says), "%s: %s", c->name, err.msg);
}
END_TEST

/* Far too many DT_NEEDED entries, or directories in a search path. */
START_TEST(test_caps)
{
	struct spec sp = { .needed = { "libc.so.6" } };
	struct xar_elf_info info;
	struct xar_elf_deps d;
	struct xar_err err;
	char *rpath = calloc(1, 4000);
	size_t len, i, n;

	len = craft(&sp);
	for (i = 0; i < 1030; i++) /* before dyn[3], DT_NULL */
		im.dyn[3 + i] = im.dyn[0];
	im.ph[1].p_filesz = (3 + 1030 + 1) * sizeof(Elf64_Dyn);
	put(at("many.so"), &im, len);
	ck_assert_int_eq(xar_elf_read(at("many.so"), &info, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "too many DT_NEEDED"));
	for (i = 0, n = 0; i < 300; i++)
		n += (size_t)sprintf(rpath + n, "/d%zu:", i);
	sp.rpath = rpath;
	sp.needed[0] = "libxar-missing.so";
	make(at("dirs.so"), &sp);
	ck_assert_int_eq(resolve1(at("dirs.so"), &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 256 directories"));
	free(rpath);
}
END_TEST

static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Every cut and thousands of random byte changes of a crafted object:
 * read cleanly, or refused cleanly (sanitizers and valgrind watch). */
START_TEST(test_mutations)
{
	struct spec sp = { .interp = "/lib64/ld-linux-x86-64.so.2",
			   .needed = { "libc.so.6", "libm.so.6" },
			   .rpath = "$ORIGIN", .soname = "libx.so" };
	static struct image orig;
	struct xar_elf_info info;
	struct xar_err err;
	size_t len = craft(&sp), i, k, cut;
	uint32_t x = 12345;
	int rc;

	orig = im;
	for (cut = 0; cut <= len; cut++) {
		put(at("m.so"), &im, cut);
		rc = xar_elf_read(at("m.so"), &info, &err);
		ck_assert_int_eq(rc, cut == len ? 0 : -1);
		xar_elf_info_free(&info);
	}
	for (i = 0; i < 3000; i++) {
		im = orig;
		for (k = 0; k < 1 + next(&x) % 4; k++)
			((unsigned char *)&im)[next(&x) % len] =
				(unsigned char)next(&x);
		put(at("m.so"), &im, len);
		if (xar_elf_read(at("m.so"), &info, &err) == 0)
			xar_elf_info_free(&info);
	}
}
END_TEST

START_TEST(test_machine_names)
{
	ck_assert_str_eq(xar_elf_machine_name(EM_X86_64), "x86-64");
	ck_assert_str_eq(xar_elf_machine_name(EM_AARCH64), "aarch64");
	ck_assert_str_eq(xar_elf_machine_name(EM_386), "i386");
	ck_assert_str_eq(xar_elf_machine_name(EM_RISCV), "riscv");
	ck_assert_str_eq(xar_elf_machine_name(12345), "machine 12345");
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "elf");

	tcase_add_checked_fixture(tc, setup, tmpdir_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_is_elf);
	tcase_add_test(tc, test_read_program);
	tcase_add_test(tc, test_resolve_python);
	tcase_add_test(tc, test_resolve_module);
	tcase_add_test(tc, test_agrees_with_ldd);
	tcase_add_test(tc, test_origin_gcc);
	tcase_add_test(tc, test_other_architecture);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_skips_incompatible);
	tcase_add_test(tc, test_rpath_inherited);
	tcase_add_test(tc, test_breadth_first);
	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_search_settings);
	tcase_add_test(tc, test_ld_so_conf);
	tcase_add_loop_test(tc, test_hostile, 0,
			    sizeof(hostile) / sizeof(*hostile));
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_machine_names);
	return xar_check_run(s);
}
