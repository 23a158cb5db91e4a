/* Shared by the harnesses: in-memory files and property failures. */
#include "fuzz.h"

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
