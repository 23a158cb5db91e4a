/* The FUSE server's operations (lib/server/ops.c, and libsquashfuse_ll's
 * under them) on hostile images, in process and without a kernel mount:
 * this file stands in for libfuse's reply functions, so a request is a
 * plain struct and each reply is checked and recorded. From the root, the
 * harness does what a kernel walking the mount would: getattr, readdir and
 * readdirplus (taking turns) in small pages following the offsets given,
 * forgetting what readdirplus registered, lookup of each name, getattr,
 * open, read at a few offsets, readlink, statfs, within a budget of
 * requests. Properties: every request gets exactly one reply, an error
 * reply has an errno, a read returns at most what was asked, readdir
 * offsets move on; sanitizers catch the rest.
 * An input that starts with "#!" is a whole .xar, else a bare image. */
#define FUSE_USE_VERSION 35
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "server/fs.h"

#define REQUESTS 3000     /* per input */
#define NAMES    64       /* entries looked up per directory page */
#define PAGE     512      /* readdir size: a few entries at a time */

struct fuse_req {
	struct xar_fuse_fs *fs;
	int replies;
	int err;
	struct fuse_entry_param entry;
	struct stat attr;
	size_t buf_len;
	char names[NAMES][256];
	off_t offs[NAMES];
	fuse_ino_t plus[NAMES]; /* registered by readdirplus, to forget */
	int nnames;
};

static int budget;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* ---- libfuse's side, as the operations see it ---- */

void *fuse_req_userdata(fuse_req_t req)
{
	return req->fs;
}

static int replied(fuse_req_t req, int err)
{
	if (req->replies++)
		fuzz_fail("a request got two replies", NULL);
	req->err = err;
	return 0;
}

int fuse_reply_err(fuse_req_t req, int err)
{
	if (err <= 0)
		fuzz_fail("an error reply without an errno", NULL);
	return replied(req, err);
}

void fuse_reply_none(fuse_req_t req)
{
	replied(req, 0);
}

int fuse_reply_entry(fuse_req_t req, const struct fuse_entry_param *e)
{
	req->entry = *e;
	return replied(req, 0);
}

int fuse_reply_attr(fuse_req_t req, const struct stat *attr, double timeout)
{
	(void)timeout;
	req->attr = *attr;
	return replied(req, 0);
}

int fuse_reply_buf(fuse_req_t req, const char *buf, size_t size)
{
	(void)buf;
	req->buf_len = size;
	return replied(req, 0);
}

int fuse_reply_readlink(fuse_req_t req, const char *link)
{
	req->buf_len = strlen(link);
	return replied(req, 0);
}

int fuse_reply_open(fuse_req_t req, const struct fuse_file_info *fi)
{
	(void)fi;
	return replied(req, 0);
}

int fuse_reply_statfs(fuse_req_t req, const struct statvfs *st)
{
	(void)st;
	return replied(req, 0);
}

int fuse_reply_xattr(fuse_req_t req, size_t count)
{
	req->buf_len = count;
	return replied(req, 0);
}

int fuse_reply_ioctl(fuse_req_t req, int result, const void *buf,
		     size_t size)
{
	(void)result, (void)buf, (void)size;
	return replied(req, 0);
}

/* Records the entry; its size in the page, as libfuse's would be. */
size_t fuse_add_direntry(fuse_req_t req, char *buf, size_t bufsize,
			 const char *name, const struct stat *st, off_t off)
{
	size_t need = (24 + strlen(name) + 7) & ~(size_t)7;

	(void)buf, (void)st;
	if (need > bufsize)
		return need;
	if (req->nnames < NAMES && strlen(name) < sizeof(req->names[0])) {
		strcpy(req->names[req->nnames], name);
		req->offs[req->nnames++] = off;
	}
	return need;
}

size_t fuse_add_direntry_plus(fuse_req_t req, char *buf, size_t bufsize,
			      const char *name,
			      const struct fuse_entry_param *e, off_t off)
{
	size_t need = (152 + strlen(name) + 7) & ~(size_t)7;
	int n = req->nnames;

	if (!buf || need > bufsize)
		return need;
	fuse_add_direntry(req, buf, bufsize, name, &e->attr, off);
	if (req->nnames > n)
		req->plus[n] = e->ino;
	else if (e->ino)
		fuzz_fail("readdirplus entry not recorded", NULL);
	return need;
}

/* The prefetcher's stores: no kernel here, no prefetcher either. */
int fuse_lowlevel_notify_store(struct fuse_session *se, fuse_ino_t ino,
			       off_t offset, struct fuse_bufvec *bufv,
			       enum fuse_buf_copy_flags flags)
{
	(void)se, (void)ino, (void)offset, (void)bufv, (void)flags;
	return -ENOSYS;
}

/* squashfuse_ll's usage text names it; nothing here calls it. */
void fuse_cmdline_help(void)
{
}

/* ---- the walk ---- */

static void start(struct fuse_req *r, struct xar_fuse_fs *fs)
{
	memset(r, 0, sizeof(*r));
	r->fs = fs;
	budget--;
}

static void done(const struct fuse_req *r)
{
	if (r->replies != 1)
		fuzz_fail("a request got no reply", NULL);
}

static void read_file(struct xar_fuse_fs *fs, fuse_ino_t ino, off_t size)
{
	static const off_t at[] = { 0, 4095, 131071, 1 << 20 };
	struct fuse_file_info fi;
	struct fuse_req r;
	size_t i;

	memset(&fi, 0, sizeof(fi));
	start(&r, fs);
	xar_fuse_ops.open(&r, ino, &fi);
	done(&r);
	for (i = 0; i < sizeof(at) / sizeof(*at) && budget > 0; i++) {
		start(&r, fs);
		xar_fuse_ops.read(&r, ino, 8192, at[i] < size ? at[i] : size,
				  &fi);
		done(&r);
		if (!r.err && r.buf_len > 8192)
			fuzz_fail("a read returned more than asked", NULL);
	}
}

static void walk(struct xar_fuse_fs *fs, fuse_ino_t dir, int depth);

/* Look name up in dir, check it, and go on into it. */
static void visit(struct xar_fuse_fs *fs, fuse_ino_t dir, const char *name,
		  int depth)
{
	struct fuse_entry_param e;
	struct fuse_req r;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return;
	start(&r, fs);
	xar_fuse_ops.lookup(&r, dir, name);
	done(&r);
	if (r.err)
		return;
	e = r.entry;
	/* A hostile image may give two inodes one number: getattr may then
	 * answer for the other one. Consistency is not asked, safety is. */
	start(&r, fs);
	xar_fuse_ops.getattr(&r, e.ino, NULL);
	done(&r);
	if (S_ISDIR(e.attr.st_mode))
		walk(fs, e.ino, depth + 1);
	else if (S_ISREG(e.attr.st_mode))
		read_file(fs, e.ino, e.attr.st_size);
	else if (S_ISLNK(e.attr.st_mode)) {
		start(&r, fs);
		xar_fuse_ops.readlink(&r, e.ino);
		done(&r);
	}
	start(&r, fs);
	xar_fuse_ops.forget(&r, e.ino, 1);
	done(&r);
}

/* readdir dir page by page, following the offsets it gives. */
static void walk(struct xar_fuse_fs *fs, fuse_ino_t dir, int depth)
{
	struct fuse_file_info fi;
	struct fuse_req r;
	off_t off = 0;
	int i, pages = 0;

	if (depth > 8)
		return;
	memset(&fi, 0, sizeof(fi));
	while (budget > 0 && pages++ < 64) {
		start(&r, fs);
		if (pages % 2)
			xar_fuse_ops.readdir(&r, dir, PAGE, off, &fi);
		else
			xar_fuse_ops.readdirplus(&r, dir, PAGE, off, &fi);
		done(&r);
		for (i = 0; i < r.nnames; i++)
			if (r.plus[i]) {
				struct fuse_req f;

				start(&f, fs);
				xar_fuse_ops.forget(&f, r.plus[i], 1);
				done(&f);
			}
		if (r.err || !r.nnames)
			return;
		if (r.offs[r.nnames - 1] <= off)
			fuzz_fail("readdir offsets do not move on", NULL);
		off = r.offs[r.nnames - 1];
		for (i = 0; i < r.nnames && budget > 0; i++)
			visit(fs, dir, r.names[i], depth);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t off = fuzz_image_offset(data, size);
	struct xar_fuse_fs fs;
	struct fuse_req r;
	struct xar_err err;
	int fd;

	if (off == UINT64_MAX || (fd = fuzz_memfd(data, size)) < 0)
		return 0;
	if (!xar_fuse_fs_open(&fs, fd, off, &err)) {
		budget = REQUESTS;
		start(&r, &fs);
		xar_fuse_ops.getattr(&r, FUSE_ROOT_ID, NULL);
		done(&r);
		start(&r, &fs);
		xar_fuse_ops.statfs(&r, FUSE_ROOT_ID);
		done(&r);
		walk(&fs, FUSE_ROOT_ID, 0);
		xar_fuse_fs_close(&fs);
		if (getenv("FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz: %d requests\n",
				REQUESTS - budget);
	} else if (getenv("FUZZ_VERBOSE")) {
		fprintf(stderr, "fuzz: open: %s\n", err.msg);
	}
	close(fd);
	return 0;
}
