/* Verification of a whole xar (see image.h): the header, the digest, then
 * one walk over the image that reads every file once (hard links once)
 * in big chunks and checks the counts the superblock and inodes claim. */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "header/header.h"
#include "inomap.h"

#define CHUNK     (1u << 20)
#define UUID_HEX  16 /* mkxar's UUID: the first 16 hex digits of the digest */

struct dir_count {
	char *path;
	uint32_t nlink, subdirs;
	size_t depth;
};

struct check {
	struct xar_image *img;
	struct xar_verify_result *r;
	unsigned char *buf;
	struct dir_count *stack;    /* the directories open in the walk */
	size_t nstack, capstack;
	struct xar_inomap links;    /* hard-linked inode -> names seen (count),
				       its nlink (value) */
	uint64_t dirs, singles;     /* inodes counted so far, but links */
};

/* ---- the header and the digest ---- */

static int is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return 0;
	return !s[len];
}

/* The header's own consistency: a digest in hex, a UUID taken from it. */
static int check_header_digest(const struct xar_header *h, struct xar_err *err)
{
	const char *want = xar_header_get(h, "XAR_SHA256");
	const char *uuid = xar_header_get(h, "UUID");

	if (!want)
		return 0;
	if (!is_hex(want, 2 * XAR_SHA256_LEN))
		return xar_err_set(err, EINVAL, "bad header: XAR_SHA256 is not "
				   "a SHA-256 in hex");
	if (strlen(uuid) != UUID_HEX || strncasecmp(uuid, want, UUID_HEX))
		return xar_err_set(err, EINVAL, "bad header: UUID \"%s\" is not "
				   "the start of XAR_SHA256 \"%.16s...\"", uuid,
				   want);
	return 0;
}

/* 1 when the header has a digest the image bytes do not match. */
static int digest_mismatch(int fd, const struct xar_header *h, uint64_t size,
			   struct xar_verify_result *r, struct xar_err *err)
{
	const char *want = xar_header_get(h, "XAR_SHA256");
	unsigned char md[XAR_SHA256_LEN];

	if (xar_sha256_fd(fd, h->offset, size - h->offset, md, err))
		return xar_err_prefix(err, "cannot hash the image");
	xar_hex(md, sizeof(md), r->sha256);
	if (!want)
		return 0;
	if (strcasecmp(want, r->sha256))
		return 1;
	r->has_digest = 1;
	return 0;
}

/* ---- link counts ---- */

static size_t depth_of(const char *path)
{
	size_t d = *path ? 1 : 0;

	while ((path = strchr(path, '/')))
		d++, path++;
	return d;
}

/* Close the directories the walk has left: their nlink must be 2 plus
 * their subdirectories. */
static int pop_dirs(struct check *c, size_t depth, struct xar_err *err)
{
	while (c->nstack && c->stack[c->nstack - 1].depth >= depth) {
		struct dir_count *d = &c->stack[--c->nstack];
		char shown[XAR_SHOWN_MAX + 4];
		int bad = d->nlink != 2 + d->subdirs;

		if (bad)
			xar_err_set(err, EIO, "corrupt image: directory '%s' has "
				    "link count %" PRIu32 " but %" PRIu32
				    " subdirectories", xar_image_shown(
				    *d->path ? d->path : "/", shown),
				    d->nlink, d->subdirs);
		free(d->path);
		if (bad)
			return -1;
	}
	return 0;
}

static int push_dir(struct check *c, const char *path,
		    const struct xar_image_entry *e, size_t depth,
		    struct xar_err *err)
{
	struct dir_count *d;

	if (c->nstack)
		c->stack[c->nstack - 1].subdirs++;
	if (c->nstack == c->capstack &&
	    xar_grow((void **)&c->stack, &c->capstack, sizeof(*c->stack), 64))
		return xar_err_set(err, ENOMEM, "out of memory");
	d = &c->stack[c->nstack];
	if (!(d->path = strdup(path)))
		return xar_err_set(err, ENOMEM, "out of memory");
	d->nlink = e->nlink;
	d->subdirs = 0;
	d->depth = depth;
	c->nstack++;
	c->dirs++;
	return 0;
}

/* A non-directory's name: 1 when its data is to be read (first name). */
static int count_name(struct check *c, const struct xar_image_entry *e,
		      const char *path, struct xar_err *err)
{
	struct xar_inomap_slot *s;
	char shown[XAR_SHOWN_MAX + 4];

	if (e->nlink == 1) {
		c->singles++;
		return 1;
	}
	if (!e->nlink)
		return xar_err_set(err, EIO, "corrupt image: '%s' has link "
				   "count 0", xar_image_shown(path, shown));
	if (!(s = xar_inomap_get(&c->links, e->ino)))
		return xar_err_set(err, ENOMEM, "out of memory");
	if (s->count && (uintptr_t)s->value != e->nlink)
		return xar_err_set(err, EIO, "corrupt image: '%s' shares inode "
				   "%" PRIu32 " with an entry of another link "
				   "count", xar_image_shown(path, shown), e->ino);
	s->value = (void *)(uintptr_t)e->nlink;
	return ++s->count == 1;
}

static int check_link_counts(const struct check *c, struct xar_err *err)
{
	uint32_t inodes = xar_image_info(c->img)->inodes;
	size_t i;

	for (i = 0; i < c->links.cap; i++) {
		const struct xar_inomap_slot *s = &c->links.slot[i];

		if (s->ino && s->count != (uintptr_t)s->value)
			return xar_err_set(err, EIO, "corrupt image: inode %"
					   PRIu32 " has link count %" PRIuPTR
					   " but %" PRIu32 " names", s->ino,
					   (uintptr_t)s->value, s->count);
	}
	if (c->dirs + c->singles + c->links.n != inodes)
		return xar_err_set(err, EIO, "corrupt image: the superblock "
				   "counts %" PRIu32 " inodes, the tree has %"
				   PRIu64, inodes,
				   c->dirs + c->singles + (uint64_t)c->links.n);
	return 0;
}

/* ---- the walk ---- */

static int read_file(struct check *c, const struct xar_image_entry *e,
		     const char *path, struct xar_err *err)
{
	char shown[XAR_SHOWN_MAX + 4];
	uint64_t off = 0;

	while (off < e->size) {
		long long n = xar_image_read(c->img, e, c->buf, CHUNK, off, err);

		if (n <= 0) {
			if (!n)
				xar_err_set(err, EIO, "its data ends early");
			return xar_err_prefix(err, "file '%s' does not read "
					      "back", xar_image_shown(path,
								      shown));
		}
		off += (uint64_t)n;
	}
	c->r->files++;
	c->r->bytes += off;
	return 0;
}

static int visit(void *ctx, const char *path, const struct xar_image_entry *e,
		 const char *target, struct xar_err *err)
{
	struct check *c = ctx;
	uint32_t inodes = xar_image_info(c->img)->inodes;
	size_t depth = depth_of(path);
	char shown[XAR_SHOWN_MAX + 4];
	int first;

	(void)target; /* the walk has read it */
	if (pop_dirs(c, depth, err))
		return -1;
	if (!e->ino || e->ino > inodes)
		return xar_err_set(err, EIO, "corrupt image: '%s' has inode "
				   "number %" PRIu32 ", outside 1..%" PRIu32,
				   xar_image_shown(*path ? path : "/", shown),
				   e->ino, inodes);
	c->r->entries += *path != '\0';
	if (S_ISDIR(e->mode))
		return push_dir(c, path, e, depth, err);
	first = count_name(c, e, path, err);
	if (first < 0)
		return -1;
	return first && S_ISREG(e->mode) ? read_file(c, e, path, err) : 0;
}

static int check_image(int fd, uint64_t offset, struct xar_verify_result *r,
		       struct xar_err *err)
{
	struct check c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.r = r;
	if (xar_image_open_fd(&c.img, fd, offset, XAR_IMAGE_ANY_COMPRESSION,
			      err))
		return -1;
	r->image_size = xar_image_info(c.img)->bytes_used;
	if (!(c.buf = malloc(CHUNK))) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (xar_image_walk(c.img, visit, &c, err) || pop_dirs(&c, 0, err))
		goto out;
	rc = check_link_counts(&c, err);
out:
	while (c.nstack)
		free(c.stack[--c.nstack].path);
	free(c.stack);
	free(c.buf);
	xar_inomap_free(&c.links, NULL);
	xar_image_close(c.img);
	return rc;
}

/* ---- the runtime in front of a self-contained xar ---- */

static int check_runtime(int fd, const struct xar_header *h,
			 struct xar_err *err)
{
	const char *want = xar_header_get(h, "XAR_RUNTIME_SHA256");
	unsigned char md[XAR_SHA256_LEN];
	char got[2 * XAR_SHA256_LEN + 1];

	if (!h->start)
		return 0;
	if (!want || !is_hex(want, 2 * XAR_SHA256_LEN))
		return xar_err_set(err, EINVAL, "the header has no valid "
				   "XAR_RUNTIME_SHA256 for the runtime in front "
				   "of it");
	if (xar_sha256_fd(fd, 0, h->start, md, err))
		return xar_err_prefix(err, "cannot read the runtime");
	xar_hex(md, sizeof(md), got);
	if (strcasecmp(got, want))
		return xar_err_set(err, EIO, "the runtime's SHA-256 does not "
				   "match XAR_RUNTIME_SHA256 in the header: "
				   "the runtime in front of the header was "
				   "damaged or changed after it was built (it "
				   "hashes to %s, the header says %s)", got,
				   want);
	return 0;
}

/* ---- all of it ---- */

static void append(struct xar_err *err, const char *more)
{
	size_t n = strlen(err->msg);

	snprintf(err->msg + n, sizeof(err->msg) - n, "%s", more);
}

int xar_verify_fd(int fd, struct xar_verify_result *r,
		  struct xar_err *err)
{
	struct xar_verify_result mine;
	struct xar_header h;
	struct stat st;
	int mismatch, rc = -1;

	if (!r)
		r = &mine;
	memset(r, 0, sizeof(*r));
	if (xar_header_read_fd(&h, fd, err))
		return xar_err_prefix(err, "bad header");
	snprintf(r->uuid, sizeof(r->uuid), "%s", xar_header_get(&h, "UUID"));
	r->offset = h.offset;
	if (fstat(fd, &st)) {
		xar_err_sys(err, "cannot stat");
		goto out;
	}
	if (check_header_digest(&h, err) || check_runtime(fd, &h, err))
		goto out;
	mismatch = digest_mismatch(fd, &h, (uint64_t)st.st_size, r, err);
	if (mismatch < 0)
		goto out;
	if (check_image(fd, h.offset, r, err)) {
		if (mismatch)
			append(err, "; also, the image's SHA-256 does not "
			       "match XAR_SHA256 in the header");
		goto out;
	}
	if (mismatch) {
		xar_err_set(err, EIO, "the image's SHA-256 does not match "
			    "XAR_SHA256 in the header: the image was damaged or "
			    "changed after it was built (it hashes to %s, the "
			    "header says %s)", r->sha256,
			    xar_header_get(&h, "XAR_SHA256"));
		goto out;
	}
	rc = 0;
out:
	xar_header_free(&h);
	return rc;
}

int xar_verify_digests_fd(int fd, struct xar_err *err)
{
	struct xar_verify_result r;
	struct xar_header h;
	struct stat st;
	int mismatch, rc = -1;

	memset(&r, 0, sizeof(r));
	if (xar_header_read_fd(&h, fd, err))
		return xar_err_prefix(err, "bad header");
	if (fstat(fd, &st)) {
		xar_err_sys(err, "cannot stat");
		goto out;
	}
	if (!xar_header_get(&h, "XAR_SHA256")) {
		xar_err_set(err, EINVAL, "the header has no XAR_SHA256");
		goto out;
	}
	if (check_header_digest(&h, err) || check_runtime(fd, &h, err))
		goto out;
	mismatch = digest_mismatch(fd, &h, (uint64_t)st.st_size, &r, err);
	if (mismatch > 0)
		xar_err_set(err, EIO, "the image's SHA-256 does not match "
			    "XAR_SHA256 in the header: the image was damaged or "
			    "changed after it was built");
	rc = mismatch ? -1 : 0;
out:
	xar_header_free(&h);
	return rc;
}

int xar_verify(const char *path, struct xar_verify_result *r,
	       struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0) {
		if (r)
			memset(r, 0, sizeof(*r));
		return xar_err_sys(err, "cannot open");
	}
	rc = xar_verify_fd(fd, r, err);
	close(fd);
	return rc;
}
