/* Reading one ELF file (see elf.h): the ELF header, the program headers,
 * PT_INTERP, and the dynamic section's DT_NEEDED, DT_RPATH, DT_RUNPATH
 * and DT_SONAME strings. The string table is found as ld.so finds it: its
 * address (DT_STRTAB) mapped to a file offset through the PT_LOAD segment
 * that holds it. The section headers are not used: a stripped file may
 * have none, and ld.so does not read them either. */
#include "elf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Program headers and dynamic entries are copied into the <elf.h> structs
 * as they lie in the file: that is right on a little-endian host only. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lib/elf reads ELF64 little-endian files into host structs"
#endif

#define MAX_INTERP 4096 /* PATH_MAX: the kernel refuses longer ones too */

/* An ELF64 little-endian file being read. */
struct file {
	const char *path;
	int fd;
	uint64_t size;
	Elf64_Ehdr eh;
	Elf64_Phdr *ph; /* eh.e_phnum of them */
};

/* What the dynamic section says, before its strings are looked up. */
enum { HAVE_STRTAB = 1, HAVE_STRSZ = 2, HAVE_RPATH = 4, HAVE_RUNPATH = 8,
       HAVE_SONAME = 16 };
struct dyn {
	unsigned have;
	uint64_t strtab, strsz, rpath, runpath, soname;
	uint64_t *needed; /* string table offsets */
	size_t nneeded, cap;
};

static int not_elf(struct xar_err *err, const char *path)
{
	return xar_err_set(err, ENOEXEC, "'%s' is not an ELF file", path);
}

static int damaged(struct xar_err *err, const char *path, const char *why)
{
	return xar_err_set(err, EINVAL, "'%s' is a damaged ELF file: %s", path,
			   why);
}

/* Do len bytes at off lie in the file? */
static int in_file(const struct file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

/* Open path for reading: 1 when it is a regular file (*fd open), 0 when
 * it is something else, -1 when it cannot be opened. O_NONBLOCK: a FIFO
 * in a search directory must not hang the build. */
static int open_regular(const char *path, int *fd, uint64_t *size,
			struct xar_err *err)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (*fd < 0)
		return xar_err_sys(err, "cannot open '%s'", path);
	if (fstat(*fd, &st)) {
		xar_err_sys(err, "cannot stat '%s'", path);
		close(*fd);
		*fd = -1;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return 0;
	}
	*size = (uint64_t)st.st_size;
	return 1;
}

int xar_elf_is_elf(const char *path, struct xar_err *err)
{
	unsigned char magic[SELFMAG];
	uint64_t size;
	long long n;
	int fd, rc;

	rc = open_regular(path, &fd, &size, err);
	if (rc <= 0)
		return rc;
	n = xar_pread_full(fd, magic, sizeof(magic), 0);
	if (n < 0)
		rc = xar_err_sys(err, "cannot read '%s'", path);
	else
		rc = n == SELFMAG && !memcmp(magic, ELFMAG, SELFMAG);
	close(fd);
	return rc;
}

static int get16(const unsigned char *b, int big)
{
	return big ? b[0] << 8 | b[1] : b[1] << 8 | b[0];
}

/* The ELF header: 1 when the file is ELF64 little-endian and the rest is
 * to be read, 0 when only machine, class and type can be (and are) set. */
static int read_ehdr(struct file *f, struct xar_elf_info *info,
		     struct xar_err *err)
{
	unsigned char b[sizeof(Elf64_Ehdr)];
	long long n = xar_pread_full(f->fd, b, sizeof(b), 0);
	int big;

	if (n < 0)
		return xar_err_sys(err, "cannot read '%s'", f->path);
	if (n < SELFMAG || memcmp(b, ELFMAG, SELFMAG))
		return not_elf(err, f->path);
	if (n < EI_NIDENT + 4)
		return damaged(err, f->path, "its header is cut off");
	if ((b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64) ||
	    (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB))
		return damaged(err, f->path, "unknown class or byte order");
	big = b[EI_DATA] == ELFDATA2MSB;
	info->elf_class = b[EI_CLASS];
	info->type = get16(b + EI_NIDENT, big);
	info->machine = get16(b + EI_NIDENT + 2, big);
	if (info->elf_class != ELFCLASS64 || big)
		return 0;
	if (n < (long long)sizeof(f->eh))
		return damaged(err, f->path, "its header is cut off");
	memcpy(&f->eh, b, sizeof(f->eh));
	if (f->eh.e_phnum && f->eh.e_phentsize != sizeof(Elf64_Phdr))
		return damaged(err, f->path, "odd program header size");
	if (f->eh.e_phnum > XAR_ELF_MAX_PHDRS)
		return damaged(err, f->path, "too many program headers");
	return 1;
}

static int read_phdrs(struct file *f, struct xar_err *err)
{
	size_t len = (size_t)f->eh.e_phnum * sizeof(Elf64_Phdr);

	if (!len)
		return 0;
	if (!in_file(f, f->eh.e_phoff, len))
		return damaged(err, f->path,
			       "its program headers lie outside it");
	f->ph = malloc(len);
	if (!f->ph)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (xar_pread_full(f->fd, f->ph, len, f->eh.e_phoff) != (long long)len)
		return xar_err_sys(err, "cannot read '%s'", f->path);
	return 0;
}

static int read_interp(struct file *f, const Elf64_Phdr *p,
		       struct xar_elf_info *info, struct xar_err *err)
{
	size_t len = (size_t)p->p_filesz;

	if (!p->p_filesz || p->p_filesz > MAX_INTERP ||
	    !in_file(f, p->p_offset, p->p_filesz))
		return damaged(err, f->path, "bad PT_INTERP");
	info->interp = malloc(len + 1);
	if (!info->interp)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (xar_pread_full(f->fd, info->interp, len, p->p_offset) !=
	    (long long)len)
		return xar_err_sys(err, "cannot read '%s'", f->path);
	if (info->interp[len - 1] != '\0' || !info->interp[0])
		return damaged(err, f->path, "PT_INTERP is not a path");
	return 0;
}

/* One dynamic entry into d. Later entries of a tag replace earlier ones,
 * as in ld.so; DT_NEEDED entries add up. */
static int scan_entry(struct dyn *d, const Elf64_Dyn *e, const char *path,
		      struct xar_err *err)
{
	switch (e->d_tag) {
	case DT_NEEDED:
		if (d->nneeded == XAR_ELF_MAX_NEEDED)
			return damaged(err, path, "too many DT_NEEDED entries");
		if (d->nneeded == d->cap &&
		    xar_grow((void **)&d->needed, &d->cap, sizeof(*d->needed),
			     16))
			return xar_err_set(err, ENOMEM, "out of memory");
		d->needed[d->nneeded++] = e->d_un.d_val;
		break;
	case DT_STRTAB:
		d->have |= HAVE_STRTAB;
		d->strtab = e->d_un.d_ptr;
		break;
	case DT_STRSZ:
		d->have |= HAVE_STRSZ;
		d->strsz = e->d_un.d_val;
		break;
	case DT_RPATH:
		d->have |= HAVE_RPATH;
		d->rpath = e->d_un.d_val;
		break;
	case DT_RUNPATH:
		d->have |= HAVE_RUNPATH;
		d->runpath = e->d_un.d_val;
		break;
	case DT_SONAME:
		d->have |= HAVE_SONAME;
		d->soname = e->d_un.d_val;
		break;
	}
	return 0;
}

/* The entries of PT_DYNAMIC, up to DT_NULL or its end. */
static int scan_dynamic(struct file *f, const Elf64_Phdr *p, struct dyn *d,
			struct xar_err *err)
{
	size_t n = (size_t)(p->p_filesz / sizeof(Elf64_Dyn)), i;
	Elf64_Dyn *e = NULL;
	int rc = -1;

	if (p->p_filesz > XAR_ELF_MAX_DYNAMIC ||
	    !in_file(f, p->p_offset, p->p_filesz)) {
		damaged(err, f->path, "bad PT_DYNAMIC");
		goto out;
	}
	if (!n) {
		rc = 0;
		goto out;
	}
	e = malloc(n * sizeof(*e));
	if (!e) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (xar_pread_full(f->fd, e, n * sizeof(*e), p->p_offset) !=
	    (long long)(n * sizeof(*e))) {
		xar_err_sys(err, "cannot read '%s'", f->path);
		goto out;
	}
	for (i = 0; i < n && e[i].d_tag != DT_NULL; i++)
		if (scan_entry(d, &e[i], f->path, err))
			goto out;
	rc = 0;
out:
	free(e);
	return rc;
}

/* The file offset of the string table (a virtual address), through the
 * PT_LOAD segment that holds it, and its size: DT_STRSZ, which must fit
 * in that segment's bytes in the file, or (without one) all of them. */
static int map_strtab(const struct file *f, const struct dyn *d,
		      uint64_t *off, uint64_t *len, struct xar_err *err)
{
	const Elf64_Phdr *p;
	uint64_t rel;
	size_t i;

	if (!(d->have & HAVE_STRTAB))
		return damaged(err, f->path, "strings but no DT_STRTAB");
	for (i = 0; i < f->eh.e_phnum; i++) {
		p = &f->ph[i];
		if (p->p_type != PT_LOAD || d->strtab < p->p_vaddr ||
		    d->strtab - p->p_vaddr >= p->p_filesz ||
		    !in_file(f, p->p_offset, p->p_filesz))
			continue;
		rel = d->strtab - p->p_vaddr;
		*off = p->p_offset + rel;
		*len = d->have & HAVE_STRSZ ? d->strsz : p->p_filesz - rel;
		if (*len > p->p_filesz - rel)
			return damaged(err, f->path, "DT_STRSZ runs past "
				       "the string table's segment");
		if (*len > XAR_ELF_MAX_STRTAB)
			return damaged(err, f->path, "string table too large");
		return 0;
	}
	return damaged(err, f->path, "DT_STRTAB is in no PT_LOAD segment");
}

/* A copy of the string at off in the string table tab of len bytes. */
static int string_at(const char *tab, uint64_t len, uint64_t off,
		     char **out, const char *path, struct xar_err *err)
{
	const char *end;

	if (off >= len)
		return damaged(err, path, "a string lies outside the "
			       "string table");
	end = memchr(tab + off, '\0', (size_t)(len - off));
	if (!end)
		return damaged(err, path, "a string has no end");
	*out = strdup(tab + off);
	if (!*out)
		return xar_err_set(err, ENOMEM, "out of memory");
	return 0;
}

static int fill_strings(const char *tab, uint64_t len, const struct dyn *d,
			struct xar_elf_info *info, const char *path,
			struct xar_err *err)
{
	size_t i;

	if (d->nneeded) {
		info->needed = calloc(d->nneeded, sizeof(*info->needed));
		if (!info->needed)
			return xar_err_set(err, ENOMEM, "out of memory");
	}
	for (i = 0; i < d->nneeded; i++, info->nneeded++)
		if (string_at(tab, len, d->needed[i], &info->needed[i], path,
			      err))
			return -1;
	if ((d->have & HAVE_RPATH) &&
	    string_at(tab, len, d->rpath, &info->rpath, path, err))
		return -1;
	if ((d->have & HAVE_RUNPATH) &&
	    string_at(tab, len, d->runpath, &info->runpath, path, err))
		return -1;
	if ((d->have & HAVE_SONAME) &&
	    string_at(tab, len, d->soname, &info->soname, path, err))
		return -1;
	return 0;
}

static int read_dynamic(struct file *f, const Elf64_Phdr *p,
			struct xar_elf_info *info, struct xar_err *err)
{
	struct dyn d = { 0 };
	uint64_t off = 0, len = 0;
	char *tab = NULL;
	int rc = -1;

	info->dynamic = 1;
	if (scan_dynamic(f, p, &d, err))
		goto out;
	if (!d.nneeded && !(d.have & (HAVE_RPATH | HAVE_RUNPATH |
				      HAVE_SONAME))) {
		rc = 0;
		goto out;
	}
	if (map_strtab(f, &d, &off, &len, err))
		goto out;
	tab = malloc(len ? (size_t)len : 1);
	if (!tab) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (xar_pread_full(f->fd, tab, (size_t)len, off) != (long long)len) {
		xar_err_sys(err, "cannot read '%s'", f->path);
		goto out;
	}
	rc = fill_strings(tab, len, &d, info, f->path, err);
out:
	free(tab);
	free(d.needed);
	return rc;
}

/* The first PT_INTERP and the first PT_DYNAMIC, as the kernel and ld.so
 * take them. */
static int read_segments(struct file *f, struct xar_elf_info *info,
			 struct xar_err *err)
{
	const Elf64_Phdr *interp = NULL, *dynamic = NULL;
	size_t i;

	for (i = 0; i < f->eh.e_phnum; i++) {
		if (f->ph[i].p_type == PT_INTERP && !interp)
			interp = &f->ph[i];
		if (f->ph[i].p_type == PT_DYNAMIC && !dynamic)
			dynamic = &f->ph[i];
	}
	if (interp && read_interp(f, interp, info, err))
		return -1;
	if (dynamic && read_dynamic(f, dynamic, info, err))
		return -1;
	return 0;
}

/* A file that failed: no memory held, what its ELF header said kept. */
static void drop_all_but_header(struct xar_elf_info *info)
{
	struct xar_elf_info h = { .machine = info->machine,
				  .elf_class = info->elf_class,
				  .type = info->type };

	xar_elf_info_free(info);
	*info = h;
}

int xar_elf_read(const char *path, struct xar_elf_info *info,
		 struct xar_err *err)
{
	struct file f = { .path = path, .fd = -1 };
	int rc = -1, r;

	memset(info, 0, sizeof(*info));
	r = open_regular(path, &f.fd, &f.size, err);
	if (r < 0)
		goto out;
	if (!r) {
		not_elf(err, path);
		goto out;
	}
	r = read_ehdr(&f, info, err);
	if (r <= 0) {
		rc = r;
		goto out;
	}
	if (read_phdrs(&f, err) || read_segments(&f, info, err))
		goto out;
	info->complete = 1;
	rc = 0;
out:
	if (rc)
		drop_all_but_header(info);
	free(f.ph);
	if (f.fd >= 0)
		close(f.fd);
	return rc;
}

void xar_elf_info_free(struct xar_elf_info *info)
{
	size_t i;

	for (i = 0; i < info->nneeded; i++)
		free(info->needed[i]);
	free(info->needed);
	free(info->interp);
	free(info->rpath);
	free(info->runpath);
	free(info->soname);
	memset(info, 0, sizeof(*info));
}

static const struct {
	int machine;
	const char *name;
} machines[] = {
	{ EM_X86_64, "x86-64" },   { EM_AARCH64, "aarch64" },
	{ EM_386, "i386" },        { EM_ARM, "arm" },
	{ EM_RISCV, "riscv" },     { EM_PPC64, "ppc64" },
	{ EM_S390, "s390x" },      { EM_PPC, "ppc" },
	{ EM_MIPS, "mips" },       { EM_SPARCV9, "sparc64" },
	{ EM_IA_64, "ia64" },      { 258 /* EM_LOONGARCH */, "loongarch" },
};

const char *xar_elf_machine_name(int machine)
{
	static _Thread_local char other[32];
	size_t i;

	for (i = 0; i < sizeof(machines) / sizeof(*machines); i++)
		if (machines[i].machine == machine)
			return machines[i].name;
	snprintf(other, sizeof(other), "machine %d", machine);
	return other;
}
