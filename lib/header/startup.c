/* Lines of the image's start-up list (header.h, XAR_STARTUP_LIST): read
 * by mkxar, which stores them, and by the FUSE server from a hostile
 * image, so every number is bounded. */
#include "header.h"

#include <stdint.h>
#include <string.h>

/* A decimal number filling [s, end): -1 if not one or too large. */
static int number(const char *s, const char *end, uint64_t *v)
{
	*v = 0;
	if (s == end || end - s > 19)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return 0;
}

int xar_startup_line(const char *line, size_t len, size_t *path_len,
		     uint64_t *first, uint64_t *last)
{
	const char *tab = memchr(line, '\t', len), *end = line + len, *dash;

	*first = 0;
	*last = UINT64_MAX;
	*path_len = tab ? (size_t)(tab - line) : len;
	if (!tab)
		return 0;
	if ((size_t)(end - tab - 1) == strlen(XAR_STARTUP_ABSENT) &&
	    !memcmp(tab + 1, XAR_STARTUP_ABSENT, strlen(XAR_STARTUP_ABSENT)))
		return 1;
	dash = memchr(tab + 1, '-', (size_t)(end - tab - 1));
	if (!dash || number(tab + 1, dash, first) ||
	    number(dash + 1, end, last) || *first > *last)
		return -1;
	return 0;
}
