/* The read side over libsquashfuse (see image.h). The superblock is checked
 * here, from its bytes, before libsquashfuse trusts any of it. */
#include <squashfuse/squashfuse.h> /* first: its config.h sets feature macros */

#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define SUPER_SIZE    96
#define SQFS_MAGIC    0x73717368u
#define ZSTD_ID       6
#define NO_TABLE      UINT64_MAX
#define MD_BLOCK      8192u
#define LINK_MAX_LEN  65535u /* far above PATH_MAX; keeps malloc sane */

/* Every call into libsquashfuse that follows an offset from the image goes
 * through the guarded readers (guard.c). */
struct xar_image {
	sqfs fs;
	int fd;
	unsigned flags;                 /* as opened */
	struct xar_image_info info;
	struct xar_guard_cursor cursor; /* where the last read left off */
	char *names;                    /* XAR_GUARD_NAME_BUF, for lookups */
};

/* ---- the superblock ---- */

struct super {
	uint32_t magic, inodes, mkfs_time, block_size, fragments;
	uint16_t compression, block_log, flags, ids, major, minor;
	uint64_t root, bytes_used, id_table, xattr_table, inode_table,
		 dir_table, frag_table, export_table;
};

static uint64_t le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void decode_super(const unsigned char *b, struct super *s)
{
	s->magic = (uint32_t)le(b, 4);
	s->inodes = (uint32_t)le(b + 4, 4);
	s->mkfs_time = (uint32_t)le(b + 8, 4);
	s->block_size = (uint32_t)le(b + 12, 4);
	s->fragments = (uint32_t)le(b + 16, 4);
	s->compression = (uint16_t)le(b + 20, 2);
	s->block_log = (uint16_t)le(b + 22, 2);
	s->flags = (uint16_t)le(b + 24, 2);
	s->ids = (uint16_t)le(b + 26, 2);
	s->major = (uint16_t)le(b + 28, 2);
	s->minor = (uint16_t)le(b + 30, 2);
	s->root = le(b + 32, 8);
	s->bytes_used = le(b + 40, 8);
	s->id_table = le(b + 48, 8);
	s->xattr_table = le(b + 56, 8);
	s->inode_table = le(b + 64, 8);
	s->dir_table = le(b + 72, 8);
	s->frag_table = le(b + 80, 8);
	s->export_table = le(b + 88, 8);
}

static const char *compression_name(unsigned id)
{
	static const char *const names[] = { NULL, "gzip", "lzma", "lzo",
					     "xz", "lz4", "zstd" };

	return id < sizeof(names) / sizeof(*names) ? names[id] : NULL;
}

static int check_compression(const struct super *s, unsigned flags,
			     struct xar_err *err)
{
	const char *name = compression_name(s->compression);

	if (!name)
		return xar_err_set(err, EINVAL, "image uses unknown compression "
				   "%u", s->compression);
	if (s->compression == ZSTD_ID)
		return 0;
	if (!(flags & XAR_IMAGE_ANY_COMPRESSION))
		return xar_err_set(err, EINVAL, "image is compressed with %s; "
				   "xar images use zstd", name);
	if (!sqfs_decompressor_get(s->compression))
		return xar_err_set(err, ENOTSUP, "image is compressed with %s, "
				   "which libsquashfuse cannot read", name);
	return 0;
}

/* A lookup table of count entries is indexed by one 8-byte pointer per
 * 8 KiB metadata block; that index must fit in the image (libsquashfuse
 * allocates and reads it whole). */
static int index_past_end(uint64_t at, uint64_t count, uint64_t each,
			  const struct super *s)
{
	uint64_t blocks = (count * each + MD_BLOCK - 1) / MD_BLOCK;

	return at > s->bytes_used || blocks * 8 > s->bytes_used - at;
}

/* Every table must start inside the image; optional ones may be absent. */
static int check_tables(const struct super *s, struct xar_err *err)
{
	const struct { const char *name; uint64_t at; int optional; } t[] = {
		{ "inode", s->inode_table, 0 },
		{ "directory", s->dir_table, 0 },
		{ "id", s->id_table, 0 },
		{ "fragment", s->frag_table, s->fragments == 0 },
		{ "export", s->export_table, 1 },
		{ "xattr", s->xattr_table, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
		if (t[i].optional && t[i].at == NO_TABLE)
			continue;
		if (t[i].at < SUPER_SIZE || t[i].at >= s->bytes_used)
			return xar_err_set(err, EINVAL, "bad superblock: the %s "
					   "table at %" PRIu64 " is outside the "
					   "image (%" PRIu64 " bytes)", t[i].name,
					   t[i].at, s->bytes_used);
	}
	if (index_past_end(s->id_table, s->ids, 4, s) ||
	    (s->fragments && index_past_end(s->frag_table, s->fragments, 16, s)) ||
	    (s->export_table != NO_TABLE &&
	     index_past_end(s->export_table, s->inodes, 8, s)))
		return xar_err_set(err, EINVAL, "bad superblock: a table's "
				   "index runs past the end of the image");
	if (s->inode_table >= s->dir_table ||
	    (s->root >> 16) >= s->dir_table - s->inode_table ||
	    (s->root & 0xffff) >= MD_BLOCK)
		return xar_err_set(err, EINVAL, "bad superblock: the root inode "
				   "is outside the inode table");
	return 0;
}

static int check_super(const struct super *s, uint64_t offset, uint64_t size,
		       unsigned flags, struct xar_err *err)
{
	if (s->magic != SQFS_MAGIC)
		return xar_err_set(err, EINVAL, "no SquashFS image at offset "
				   "%" PRIu64 " (bad magic)", offset);
	if (s->major != 4 || s->minor != 0)
		return xar_err_set(err, EINVAL, "SquashFS %u.%u is not supported "
				   "(only 4.0)", s->major, s->minor);
	if (check_compression(s, flags, err))
		return -1;
	if (s->block_size < 4096 || s->block_size > (1u << 20) ||
	    (s->block_size & (s->block_size - 1)) ||
	    (1u << (s->block_log & 31)) != s->block_size)
		return xar_err_set(err, EINVAL, "bad superblock: block size %u "
				   "(log %u)", s->block_size, s->block_log);
	if (s->bytes_used < SUPER_SIZE)
		return xar_err_set(err, EINVAL, "bad superblock: the image is "
				   "%" PRIu64 " bytes", s->bytes_used);
	if (s->bytes_used > size - offset)
		return xar_err_set(err, EINVAL, "image is truncated: it should "
				   "be %" PRIu64 " bytes, but the file has %"
				   PRIu64 " after offset %" PRIu64,
				   s->bytes_used, size - offset, offset);
	if (!s->ids)
		return xar_err_set(err, EINVAL, "bad superblock: no ids");
	return check_tables(s, err);
}

static int read_super(int fd, uint64_t offset, unsigned flags,
		      struct super *s, struct xar_err *err)
{
	unsigned char b[SUPER_SIZE];
	struct stat st;
	long long n;

	if (fstat(fd, &st))
		return xar_err_sys(err, "cannot stat");
	if (!S_ISREG(st.st_mode))
		return xar_err_set(err, EINVAL, "not a regular file");
	if (offset >= (uint64_t)st.st_size)
		return xar_err_set(err, EINVAL, "no SquashFS image at offset "
				   "%" PRIu64 ": the file is only %lld bytes",
				   offset, (long long)st.st_size);
	n = xar_pread_full(fd, b, sizeof(b), offset);
	if (n < 0)
		return xar_err_sys(err, "cannot read the superblock");
	if (n < SUPER_SIZE)
		return xar_err_set(err, EINVAL, "no SquashFS image at offset "
				   "%" PRIu64 ": the file ends inside the "
				   "superblock", offset);
	decode_super(b, s);
	return check_super(s, offset, (uint64_t)st.st_size, flags, err);
}

/* ---- opening ---- */

static void fill_info(struct xar_image_info *i, const struct super *s,
		      uint64_t offset)
{
	i->offset = offset;
	i->bytes_used = s->bytes_used;
	i->block_size = s->block_size;
	i->inodes = s->inodes;
	i->fragments = s->fragments;
	i->mkfs_time = s->mkfs_time;
	i->flags = s->flags;
	i->ids = s->ids;
	i->compression = compression_name(s->compression);
}

int xar_image_open_fd(struct xar_image **out, int fd, uint64_t offset,
		      unsigned flags, struct xar_err *err)
{
	struct xar_image *img;
	struct super s = { 0 };
	const char *why;

	*out = NULL;
	if (offset > SIZE_MAX / 2)
		return xar_err_set(err, EINVAL, "offset %" PRIu64 " is too "
				   "large", offset);
	if (!(img = calloc(1, sizeof(*img))))
		return xar_err_set(err, ENOMEM, "out of memory");
	img->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (img->fd < 0) {
		xar_err_sys(err, "cannot duplicate the file descriptor");
		goto fail_free;
	}
	if (read_super(img->fd, offset, flags, &s, err))
		goto fail_close;
	if (xar_guard_init(&img->fs, img->fd, (size_t)offset, &why) !=
	    SQFS_OK) {
		xar_err_set(err, EINVAL, "corrupt image: %s", why ? why :
			    "libsquashfuse cannot read its tables");
		goto fail_close;
	}
	if (!(img->names = malloc(XAR_GUARD_NAME_BUF))) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto fail_destroy;
	}
	fill_info(&img->info, &s, offset);
	img->flags = flags;
	*out = img;
	return 0;
fail_destroy:
	xar_guard_destroy(&img->fs);
fail_close:
	close(img->fd);
fail_free:
	free(img);
	return -1;
}

int xar_image_open(struct xar_image **out, const char *path, uint64_t offset,
		   unsigned flags, struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	*out = NULL;
	if (fd < 0)
		return xar_err_sys(err, "cannot open");
	rc = xar_image_open_fd(out, fd, offset, flags, err);
	close(fd);
	return rc;
}

int xar_image_reopen(struct xar_image **out, const struct xar_image *from,
		     struct xar_err *err)
{
	return xar_image_open_fd(out, from->fd, from->info.offset, from->flags,
				 err);
}

void xar_image_close(struct xar_image *img)
{
	if (!img)
		return;
	xar_guard_destroy(&img->fs);
	close(img->fd);
	free(img->names);
	free(img);
}

const struct xar_image_info *xar_image_info(const struct xar_image *img)
{
	return &img->info;
}

/* ---- inodes ---- */

const char *xar_image_shown(const char *path, char out[XAR_SHOWN_MAX + 4])
{
	size_t i;

	for (i = 0; path[i] && i < XAR_SHOWN_MAX; i++)
		out[i] = (unsigned char)path[i] < 0x20 || path[i] == 0x7f ?
			 '?' : path[i];
	strcpy(out + i, path[i] ? "..." : "");
	return out;
}

static int corrupt(struct xar_err *err, const char *what, const char *path)
{
	char buf[XAR_SHOWN_MAX + 4];

	return xar_err_set(err, EIO, "corrupt image: cannot read %s of '%s'",
			   what, xar_image_shown(*path ? path : "/", buf));
}

static int load(struct xar_image *img, uint64_t ref, sqfs_inode *in,
		struct xar_image_entry *e, const char *path,
		struct xar_err *err)
{
	sqfs_id_t uid, gid;

	if (xar_guard_inode_get(&img->fs, in, ref) != SQFS_OK)
		return corrupt(err, "the inode", path);
	if (in->base.uid >= img->info.ids || in->base.guid >= img->info.ids ||
	    sqfs_id_get(&img->fs, in->base.uid, &uid) != SQFS_OK ||
	    sqfs_id_get(&img->fs, in->base.guid, &gid) != SQFS_OK)
		return corrupt(err, "the owner", path);
	memset(e, 0, sizeof(*e));
	e->mode = in->base.mode & (S_IFMT | 07777);
	e->uid = (uint32_t)uid;
	e->gid = (uint32_t)gid;
	e->nlink = (uint32_t)in->nlink;
	e->ino = in->base.inode_number;
	e->mtime = (int64_t)in->base.mtime;
	e->ref = ref;
	if (S_ISREG(e->mode))
		e->size = in->xtra.reg.file_size;
	else if (S_ISLNK(e->mode))
		e->size = in->xtra.symlink_size;
	else if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		e->rdev_major = (uint32_t)in->xtra.dev.major;
		e->rdev_minor = (uint32_t)in->xtra.dev.minor;
	}
	return 0;
}

static int read_target(struct xar_image *img, sqfs_inode *in, char **out,
		       const char *path, struct xar_err *err)
{
	size_t n = in->xtra.symlink_size;
	size_t cap = n + 1;
	char *t;

	*out = NULL;
	if (n > LINK_MAX_LEN)
		return corrupt(err, "the (over-long) symlink target", path);
	if (!(t = malloc(cap)))
		return xar_err_set(err, ENOMEM, "out of memory");
	if (sqfs_readlink(&img->fs, in, t, &cap) != SQFS_OK ||
	    strlen(t) != n) {
		free(t);
		return corrupt(err, "the symlink target", path);
	}
	*out = t;
	return 0;
}

static int root(struct xar_image *img, sqfs_inode *in,
		struct xar_image_entry *e, struct xar_err *err)
{
	if (load(img, sqfs_inode_root(&img->fs), in, e, "/", err))
		return -1;
	if (!S_ISDIR(e->mode))
		return xar_err_set(err, EIO, "corrupt image: the root is not "
				   "a directory");
	return 0;
}

/* ---- the walk ---- */

/* Directory inodes seen so far (ref + 1; 0 marks a free slot): a directory
 * met twice means a loop or a shared subtree in a hostile image. */
struct refset {
	uint64_t *slot;
	size_t cap, n;
};

static size_t slot_of(const struct refset *s, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (s->cap - 1);

	while (s->slot[i] && s->slot[i] != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* 1 when added, 0 when already there, -1 when out of memory. */
static int refset_add(struct refset *s, uint64_t ref)
{
	uint64_t key = ref + 1;
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct refset bigger = { NULL, s->cap ? 2 * s->cap : 256, s->n };

		if (!(bigger.slot = calloc(bigger.cap, sizeof(uint64_t))))
			return -1;
		for (i = 0; i < s->cap; i++)
			if (s->slot[i])
				bigger.slot[slot_of(&bigger, s->slot[i])] =
					s->slot[i];
		free(s->slot);
		*s = bigger;
	}
	i = slot_of(s, key);
	if (s->slot[i])
		return 0;
	s->slot[i] = key;
	s->n++;
	return 1;
}

struct walk {
	struct xar_image *img;
	xar_image_visit_fn fn;
	void *ctx;
	struct xar_err *err;
	char *path;
	size_t len, cap;
	unsigned depth;
	unsigned max_depth;  /* 0: all; else directories below are not read */
	struct refset dirs;
	char *names; /* XAR_GUARD_NAME_BUF: shared by every level, as each
			name is copied into path before going deeper */
};

/* Append "/name" (just "name" at the root) to w->path. */
static int push(struct walk *w, const char *name, size_t n)
{
	size_t need = w->len + 1 + n + 1;
	char buf[XAR_SHOWN_MAX + 4], at[XAR_SHOWN_MAX + 4];

	if (!n || memchr(name, '/', n) || strlen(name) != n ||
	    (n == 1 && name[0] == '.') || (n == 2 && !memcmp(name, "..", 2)))
		return xar_err_set(w->err, EIO, "corrupt image: bad name '%s' "
				   "in '%s'", xar_image_shown(name, buf),
				   xar_image_shown(*w->path ? w->path : "/",
						   at));
	while (need > w->cap)
		if (xar_grow((void **)&w->path, &w->cap, 1, 256))
			return xar_err_set(w->err, ENOMEM, "out of memory");
	if (w->len)
		w->path[w->len++] = '/';
	memcpy(w->path + w->len, name, n + 1);
	w->len += n;
	return 0;
}

static int visit(struct walk *w, uint64_t ref, sqfs_inode *in)
{
	struct xar_image_entry e;
	char *target = NULL;
	int rc;

	if (load(w->img, ref, in, &e, w->path, w->err))
		return -1;
	if (S_ISLNK(e.mode) && read_target(w->img, in, &target, w->path, w->err))
		return -1;
	if (S_ISDIR(e.mode)) {
		rc = refset_add(&w->dirs, ref);
		if (rc < 0)
			return xar_err_set(w->err, ENOMEM, "out of memory");
		if (!rc)
			return corrupt(w->err, "the directory (met twice)",
				       w->path);
	}
	rc = w->fn(w->ctx, w->path, &e, target, w->err);
	free(target);
	return rc;
}

static int walk_dir(struct walk *w, sqfs_inode *dir)
{
	size_t base = w->len;
	sqfs_dir_entry de;
	sqfs_inode in;
	sqfs_dir d;
	sqfs_err se;
	int rc;

	if (++w->depth > XAR_IMAGE_DEPTH_MAX)
		return xar_err_set(w->err, EIO, "corrupt image: directories "
				   "nest deeper than %d", XAR_IMAGE_DEPTH_MAX);
	if (xar_guard_dir_open(&w->img->fs, dir, &d) != SQFS_OK)
		return corrupt(w->err, "the directory", w->path);
	sqfs_dentry_init(&de, w->names);
	while (xar_guard_dir_next(&w->img->fs, &d, &de, &se)) {
		if (push(w, sqfs_dentry_name(&de), sqfs_dentry_name_size(&de)))
			return -1;
		rc = visit(w, sqfs_dentry_inode(&de), &in);
		if (!rc && S_ISDIR(in.base.mode) &&
		    (!w->max_depth || w->depth < w->max_depth))
			rc = walk_dir(w, &in);
		if (rc)
			return rc;
		w->len = base;
		w->path[base] = '\0';
	}
	if (se != SQFS_OK)
		return corrupt(w->err, "the directory", w->path);
	w->depth--;
	return 0;
}

static int walk_to(struct xar_image *img, unsigned max_depth,
		   xar_image_visit_fn fn, void *ctx, struct xar_err *err)
{
	struct walk w = { img, fn, ctx, err, NULL, 0, 0, 0, max_depth,
			  { NULL, 0, 0 }, malloc(XAR_GUARD_NAME_BUF) };
	sqfs_inode in;
	int rc = -1;

	if (!w.names || xar_grow((void **)&w.path, &w.cap, 1, 256)) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	w.path[0] = '\0';
	rc = visit(&w, sqfs_inode_root(&img->fs), &in);
	if (!rc && !S_ISDIR(in.base.mode))
		rc = xar_err_set(err, EIO, "corrupt image: the root is not a "
				 "directory");
	if (!rc)
		rc = walk_dir(&w, &in);
out:
	free(w.names);
	free(w.path);
	free(w.dirs.slot);
	return rc;
}

int xar_image_walk(struct xar_image *img, xar_image_visit_fn fn, void *ctx,
		   struct xar_err *err)
{
	return walk_to(img, 0, fn, ctx, err);
}

static int nothing(void *ctx, const char *path,
		   const struct xar_image_entry *e, const char *target,
		   struct xar_err *err)
{
	(void)ctx, (void)path, (void)e, (void)target, (void)err;
	return 0;
}

int xar_image_check_serving(struct xar_image *img, const char *target,
			    struct xar_err *err)
{
	struct xar_image_entry e;

	if (walk_to(img, 1, nothing, NULL, err))
		return -1;
	return target ? xar_image_lookup(img, target, &e, err) : 0;
}

/* ---- lookup and reading ---- */

int xar_image_lookup(struct xar_image *img, const char *path,
		     struct xar_image_entry *e, struct xar_err *err)
{
	const char *p = path;
	sqfs_dir_entry de;
	sqfs_inode in;
	char buf[XAR_SHOWN_MAX + 4];
	bool found;

	if (root(img, &in, e, err))
		return -1;
	sqfs_dentry_init(&de, img->names);
	for (;;) {
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		n = strcspn(p, "/");
		if (!S_ISDIR(e->mode))
			return xar_err_set(err, ENOTDIR, "not a directory in "
					   "the image: '%s'",
					   xar_image_shown(path, buf));
		found = false;
		if (n <= SQUASHFS_NAME_LEN &&
		    xar_guard_dir_lookup(&img->fs, &in, p, n, &de, &found) !=
		    SQFS_OK)
			return corrupt(err, "the directory", path);
		if (!found)
			return xar_err_set(err, ENOENT, "no such file in the "
					   "image: '%s'",
					   xar_image_shown(path, buf));
		if (load(img, sqfs_dentry_inode(&de), &in, e, path, err))
			return -1;
		p += n;
	}
}

long long xar_image_read(struct xar_image *img, const struct xar_image_entry *e,
			 void *buf, size_t len, uint64_t off,
			 struct xar_err *err)
{
	sqfs_inode in;
	uint64_t n;

	if (!S_ISREG(e->mode))
		return xar_err_set(err, EINVAL, "not a regular file");
	if (off >= e->size)
		return 0;
	if (len > e->size - off)
		len = (size_t)(e->size - off);
	if (len > INT64_MAX / 2)
		len = INT64_MAX / 2;
	if (xar_guard_inode_get(&img->fs, &in, e->ref) != SQFS_OK)
		return xar_err_set(err, EIO, "corrupt image: cannot read an "
				   "inode");
	n = len;
	if (xar_guard_read_range(&img->fs, &in, off, &n, buf,
				 &img->cursor) != SQFS_OK || n != len)
		return xar_err_set(err, EIO, "corrupt image: cannot read "
				   "file data at byte %" PRIu64, off);
	return (long long)n;
}

int xar_image_readlink(struct xar_image *img, const struct xar_image_entry *e,
		       char **target, struct xar_err *err)
{
	sqfs_inode in;

	*target = NULL;
	if (!S_ISLNK(e->mode))
		return xar_err_set(err, EINVAL, "not a symlink");
	if (xar_guard_inode_get(&img->fs, &in, e->ref) != SQFS_OK)
		return xar_err_set(err, EIO, "corrupt image: cannot read an "
				   "inode");
	return read_target(img, &in, target, "(symlink)", err);
}

/* ---- paths ---- */

char *xar_image_clean_path(const char *p)
{
	char *out = malloc(strlen(p) + 1), *o = out;

	while (out && *p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n && !(n == 1 && *p == '.')) {
			if (o != out)
				*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	if (out)
		*o = '\0';
	return out;
}

int xar_image_path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !n || (!strncmp(path, prefix, n) &&
		      (path[n] == '\0' || path[n] == '/'));
}
