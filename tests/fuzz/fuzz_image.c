/* Opening and walking a whole image through lib/image (and so our use of
 * libsquashfuse) on hostile bytes: every entry is looked up again by its
 * path, every regular file read (within a budget: a hostile inode may
 * claim 2^63 bytes), every symlink read. An input that starts with "#!"
 * is a whole .xar (the image at its OFFSET), else a bare image. */
#include "fuzz.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header/header.h"
#include "image/image.h"

#define READ_BUDGET (1u << 20) /* bytes read per input */
#define CHUNK       (64u << 10)

struct ctx {
	struct xar_image *img;
	unsigned char *buf;
	size_t budget;
	uint64_t entries;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void read_file(struct ctx *c, const struct xar_image_entry *e)
{
	struct xar_err err;
	uint64_t off = 0;
	long long n;

	while (off < e->size && c->budget) {
		size_t want = c->budget < CHUNK ? c->budget : CHUNK;

		n = xar_image_read(c->img, e, c->buf, want, off, &err);
		if (n < 0)
			return;
		if (n == 0 || (size_t)n > want)
			fuzz_fail("read returned a bad count", NULL);
		off += (uint64_t)n;
		c->budget -= (size_t)n;
	}
	/* The far end of a huge file, and past the end. */
	if (e->size > 16 && xar_image_read(c->img, e, c->buf, 16,
					   e->size - 16, &err) > 16)
		fuzz_fail("read past the end", NULL);
	if (xar_image_read(c->img, e, c->buf, 16, e->size, &err) > 0)
		fuzz_fail("read at the end returned bytes", NULL);
}

static int visit(void *arg, const char *path, const struct xar_image_entry *e,
		 const char *target, struct xar_err *err)
{
	struct ctx *c = arg;
	struct xar_image_entry again;
	char *t;

	c->entries++;
	if (!xar_image_lookup(c->img, path, &again, err) &&
	    again.ref == e->ref && again.mode != e->mode)
		fuzz_fail("lookup and walk disagree on a mode", path);
	if (S_ISREG(e->mode))
		read_file(c, e);
	if (S_ISLNK(e->mode)) {
		if (!target)
			fuzz_fail("walk gave a symlink without a target", path);
		if (!xar_image_readlink(c->img, e, &t, err)) {
			if (strcmp(t, target))
				fuzz_fail("readlink and walk disagree", path);
			free(t);
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { NULL, NULL, READ_BUDGET, 0 };
	uint64_t off = fuzz_image_offset(data, size);
	struct xar_image_entry root;
	struct xar_err err;
	int fd;

	if (off == UINT64_MAX || (fd = fuzz_memfd(data, size)) < 0)
		return 0;
	if (xar_image_open_fd(&c.img, fd, off, 0, &err)) {
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz: open: %s\n", err.msg);
		goto out;
	}
	if (!(c.buf = malloc(CHUNK)))
		goto out;
	xar_image_lookup(c.img, "", &root, &err);
	if (xar_image_walk(c.img, visit, &c, &err) && getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: walk: %s\n", err.msg);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz: %" PRIu64 " entries\n", c.entries);
out:
	free(c.buf);
	xar_image_close(c.img);
	close(fd);
	return 0;
}
