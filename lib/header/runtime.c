/* The runtime in front of a self-contained xar (see header.h): how long it
 * is, whether it may be embedded, which version it is. Its bytes are as
 * untrusted as the header's: every ELF field is checked against the bytes
 * read and the file's size before it is used, sums for overflow. */
#include "header.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define VERSION_SCAN (64u * 1024u) /* bytes read at once looking for it */

int xar_runtime_is_elf(const void *buf, size_t len)
{
	return len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG);
}

static int read_ehdr(const void *buf, size_t len, Elf64_Ehdr *e,
		     struct xar_err *err)
{
	if (len < sizeof(*e))
		return xar_err_set(err, EINVAL, "the ELF runtime in front of "
				   "the header is cut off");
	memcpy(e, buf, sizeof(*e));
	if (e->e_ident[EI_CLASS] != ELFCLASS64 ||
	    e->e_ident[EI_DATA] != ELFDATA2LSB)
		return xar_err_set(err, EINVAL, "the ELF runtime in front of "
				   "the header is not 64-bit little-endian");
	if ((e->e_phnum && e->e_phentsize != sizeof(Elf64_Phdr)) ||
	    (e->e_shnum && e->e_shentsize != sizeof(Elf64_Shdr)))
		return xar_err_set(err, EINVAL, "the ELF runtime in front of "
				   "the header has odd table entry sizes");
	return 0;
}

/* offset + count * size, or UINT64_MAX on overflow. */
static uint64_t table_end(uint64_t off, uint64_t count, uint64_t size)
{
	if (count && (size > UINT64_MAX / count ||
		      off > UINT64_MAX - count * size))
		return UINT64_MAX;
	return off + count * size;
}

/* Program header i, which must lie in buf. */
static int read_phdr(const void *buf, size_t len, const Elf64_Ehdr *e,
		     unsigned i, Elf64_Phdr *p, struct xar_err *err)
{
	uint64_t end = table_end(e->e_phoff, (uint64_t)i + 1, sizeof(*p));

	if (end > len)
		return xar_err_set(err, EINVAL, "the ELF runtime's program "
				   "headers do not lie in its first %zu bytes",
				   len);
	memcpy(p, (const char *)buf + e->e_phoff + (uint64_t)i * sizeof(*p),
	       sizeof(*p));
	return 0;
}

int xar_runtime_span(const void *buf, size_t len, uint64_t file_size,
		     uint64_t *start, struct xar_err *err)
{
	Elf64_Ehdr e;
	Elf64_Phdr p;
	uint64_t end;
	unsigned i;

	if (read_ehdr(buf, len, &e, err))
		return -1;
	end = table_end(e.e_shoff, e.e_shnum, sizeof(Elf64_Shdr));
	if (table_end(e.e_phoff, e.e_phnum, sizeof(p)) > end)
		end = table_end(e.e_phoff, e.e_phnum, sizeof(p));
	for (i = 0; i < e.e_phnum && end <= XAR_RUNTIME_MAX; i++) {
		if (read_phdr(buf, len, &e, i, &p, err))
			return -1;
		if (table_end(p.p_offset, 1, p.p_filesz) > end)
			end = table_end(p.p_offset, 1, p.p_filesz);
	}
	if (end > XAR_RUNTIME_MAX)
		return xar_err_set(err, EINVAL, "the ELF runtime in front of "
				   "the header claims more than %u bytes",
				   XAR_RUNTIME_MAX);
	end = (end + XAR_HEADER_ALIGN - 1) / XAR_HEADER_ALIGN * XAR_HEADER_ALIGN;
	if (end >= file_size)
		return xar_err_set(err, EINVAL, "an ELF file with no XAR "
				   "header after it (it ends at %" PRIu64
				   " of %" PRIu64 " bytes)", end, file_size);
	*start = end;
	return 0;
}

int xar_runtime_check(const void *buf, size_t len, struct xar_err *err)
{
	Elf64_Ehdr e;
	Elf64_Phdr p;
	unsigned i;

	if (!xar_runtime_is_elf(buf, len))
		return xar_err_set(err, EINVAL, "not an ELF executable");
	if (read_ehdr(buf, len, &e, err))
		return -1;
	if (e.e_machine != EM_X86_64 ||
	    (e.e_type != ET_EXEC && e.e_type != ET_DYN))
		return xar_err_set(err, EINVAL, "not an x86-64 executable");
	for (i = 0; i < e.e_phnum; i++) {
		if (read_phdr(buf, len, &e, i, &p, err))
			return -1;
		if (p.p_type == PT_INTERP || p.p_type == PT_DYNAMIC)
			return xar_err_set(err, EINVAL, "not fully static (it "
					   "has a %s)", p.p_type == PT_INTERP ?
					   "program interpreter" :
					   "dynamic section");
	}
	return 0;
}

/* Copy the version after the marker at buf[at] into out. */
static int copy_version(const char *buf, size_t len, size_t at, char *out,
			size_t cap)
{
	size_t n = 0;

	at += strlen(XAR_RUNTIME_MARKER);
	while (at + n < len && buf[at + n] != '\n' && buf[at + n] &&
	       n + 1 < cap)
		n++;
	if (!n || at + n >= len || buf[at + n] != '\n')
		return -1;
	memcpy(out, buf + at, n);
	out[n] = '\0';
	return 0;
}

/* The first marker in buf[0..len) followed by a version. */
static int find_version(const char *buf, size_t len, char *out, size_t cap)
{
	size_t mlen = strlen(XAR_RUNTIME_MARKER);
	const char *p = buf, *hit;

	while ((hit = memmem(p, len - (size_t)(p - buf), XAR_RUNTIME_MARKER,
			     mlen))) {
		if (!copy_version(buf, len, (size_t)(hit - buf), out, cap))
			return 0;
		p = hit + 1; /* the marker alone, as this file holds it */
	}
	return -1;
}

int xar_runtime_version(int fd, uint64_t start, char *out, size_t cap)
{
	size_t keep = strlen(XAR_RUNTIME_MARKER) + 64;
	char *buf = malloc(VERSION_SCAN + keep);
	uint64_t off = 0;
	int rc = -1;

	if (!buf || !cap)
		goto out;
	while (off < start && rc) {
		size_t want = start - off < VERSION_SCAN + keep ?
			      (size_t)(start - off) : VERSION_SCAN + keep;
		long long n = xar_pread_full(fd, buf, want, off);

		if (n <= 0)
			break;
		rc = find_version(buf, (size_t)n, out, cap);
		if ((size_t)n < want)
			break;
		off += VERSION_SCAN; /* overlap by keep: a marker may straddle */
	}
out:
	free(buf);
	return rc;
}
