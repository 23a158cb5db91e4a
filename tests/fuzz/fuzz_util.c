/* Shared by the harnesses: in-memory files and property failures. */
#include "fuzz.h"

#include "header/header.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/base.h"

int fuzz_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (xar_write_all(fd, data, size)) {
		close(fd);
		return -1;
	}
	return fd;
}

void fuzz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz: property broken: %s%s%s\n", what,
		detail ? ": " : "", detail ? detail : "");
	abort();
}

uint64_t fuzz_image_offset(const uint8_t *data, size_t size)
{
	struct xar_header h;
	struct xar_err err;
	uint64_t off;

	if (size < 2 || data[0] != '#' || data[1] != '!')
		return 0;
	if (xar_header_parse(&h, (const char *)data, size, size, &err))
		return UINT64_MAX;
	off = h.offset;
	xar_header_free(&h);
	return off;
}
