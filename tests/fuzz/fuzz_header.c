/* The XAR header parser on hostile bytes: parsed directly (file size known
 * and unknown) and read from a file (the one-read and two-read paths, and
 * the self-contained layout: an ELF runtime, then the header).
 * Property: a header we accept can be written back and reads back the
 * same (shebang, OFFSET, every key and value). */
#include "fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "header/header.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The values of a's keys are b's, and both have as many keys. */
static int same_keys(const struct xar_header *a, const struct xar_header *b)
{
	size_t i;

	if (a->nkv != b->nkv)
		return 0;
	for (i = 0; i < a->nkv; i++) {
		const char *v = xar_header_get(b, a->kv[i].key);

		if (!strcmp(a->kv[i].key, "OFFSET"))
			continue; /* formatting may grow it */
		if (!v || strcmp(v, a->kv[i].value))
			return 0;
	}
	return 1;
}

static void round_trip(struct xar_header *h)
{
	struct xar_header back;
	struct xar_err err;
	char *text;
	size_t len;

	if (xar_header_format(h, &text, &len, &err)) {
		/* Only a header too big to write may be refused. */
		if (err.code != E2BIG)
			fuzz_fail("cannot format a parsed header", err.msg);
		return;
	}
	if (len != h->offset || len % XAR_HEADER_ALIGN)
		fuzz_fail("formatted length is not OFFSET", NULL);
	if (xar_header_parse(&back, text, len, UINT64_MAX, &err))
		fuzz_fail("cannot parse a formatted header", err.msg);
	if (strcmp(back.shebang, h->shebang) || back.offset != h->offset ||
	    !same_keys(h, &back))
		fuzz_fail("header changed through format and parse", NULL);
	xar_header_free(&back);
	free(text);
}

static void from_file(const uint8_t *data, size_t size)
{
	struct xar_header h;
	struct xar_err err;
	int fd = fuzz_memfd(data, size);

	if (fd < 0)
		return;
	if (!xar_header_read_fd(&h, fd, &err)) {
		if (h.offset >= size)
			fuzz_fail("accepted an OFFSET at or past the end", NULL);
		if (h.start % XAR_HEADER_ALIGN || h.start >= h.offset ||
		    (h.start && !xar_runtime_is_elf(data, size)))
			fuzz_fail("accepted a header start that is not after "
				  "a runtime, or not below OFFSET", NULL);
		xar_header_free(&h);
	} else if (!err.msg[0] || strchr(err.msg, '\n')) {
		fuzz_fail("error message is not one line", err.msg);
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct xar_header h;
	struct xar_err err;

	if (!xar_header_parse(&h, buf, size, UINT64_MAX, &err)) {
		if (!h.shebang || !h.offset || h.offset % XAR_HEADER_ALIGN ||
		    !xar_header_get(&h, "UUID") || !xar_header_get(&h, "VERSION"))
			fuzz_fail("accepted a header without its required keys",
				  NULL);
		round_trip(&h);
		xar_header_free(&h);
	}
	if (!xar_header_parse(&h, buf, size, size, &err))
		xar_header_free(&h);
	from_file(data, size);
	return 0;
}
