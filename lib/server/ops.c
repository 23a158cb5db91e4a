/* FUSE low-level operations over libsquashfuse_ll for an image that never
 * changes, so that a hot run sends (almost) no requests:
 *
 *  - entries, attributes and negative lookups are cached for ever (a
 *    missing name is answered with inode 0 and an infinite timeout);
 *  - open and opendir answer ENOSYS when the kernel supports zero-message
 *    opens: it then opens by itself, keeps the page cache across opens and
 *    caches directory listings, and sends no RELEASE either. So read and
 *    readdir find their inode by number, never through a file handle;
 *  - flush, access and, for an image without xattrs, getxattr and
 *    listxattr answer ENOSYS once, which the kernel remembers;
 *  - symlink targets are cached in the page cache.
 *
 * The server loop is single-threaded: libsquashfuse's caches are not
 * thread-safe. Replies are sent exactly once per request. */
#include "fs.h"
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define FOREVER XAR_FUSE_FOREVER

/* Decompressed blocks kept: metadata (inodes, directories), data blocks and
 * fragment blocks, which pack many small files each. libsquashfuse's
 * defaults (8, 1, 3) suit one reader, not an interpreter reading hundreds
 * of small files in a burst. */
enum { MD_BLOCKS = 64, DATA_BLOCKS = 16, FRAG_BLOCKS = 32 };

static struct xar_fuse_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static int resize_cache(sqfs_cache *cache, size_t count)
{
	sqfs_cache_destroy(cache);
	return sqfs_block_cache_init(cache, count) == SQFS_OK ? 0 : -1;
}

static int image_error(sqfs_err e, uint64_t offset, struct xar_err *err)
{
	switch (e) {
	case SQFS_BADFORMAT:
		return xar_err_set(err, EINVAL, "no SquashFS image at offset "
				   "%llu", (unsigned long long)offset);
	case SQFS_BADVERSION:
		return xar_err_set(err, EINVAL, "unsupported SquashFS version "
				   "(need 4.0)");
	case SQFS_BADCOMP:
		return xar_err_set(err, EINVAL, "the image's compression is "
				   "not supported by libsquashfuse");
	default:
		return xar_err_set(err, EIO, "cannot read the SquashFS "
				   "image's tables");
	}
}

/* lib/image checks the superblock and every table bound that
 * libsquashfuse trusts: an absurd image is refused before anything is
 * mounted. */
static int check_image(int fd, uint64_t offset, struct xar_err *err)
{
	struct xar_image *img;

	if (xar_image_open_fd(&img, fd, offset, XAR_IMAGE_ANY_COMPRESSION,
			      err))
		return -1;
	xar_image_close(img);
	return 0;
}

int xar_fuse_fs_open(struct xar_fuse_fs *fs, int fd, uint64_t offset,
		     struct xar_err *err)
{
	sqfs *sq = &fs->ll.fs;
	sqfs_err e;

	memset(fs, 0, sizeof(*fs));
	if (offset > SIZE_MAX)
		return xar_err_set(err, EINVAL, "image offset too large");
	if (check_image(fd, offset, err))
		return -1;
	e = sqfs_init(sq, fd, (size_t)offset);
	if (e != SQFS_OK)
		return image_error(e, offset, err);
	xar_decompress_keep(sq);
	if (sqfs_ll_init(&fs->ll) != SQFS_OK) {
		sqfs_destroy(sq);
		return xar_err_set(err, ENOMEM, "cannot set up the inode map");
	}
	if (resize_cache(&sq->md_cache, MD_BLOCKS) ||
	    resize_cache(&sq->data_cache, DATA_BLOCKS) ||
	    resize_cache(&sq->frag_cache, FRAG_BLOCKS)) {
		xar_fuse_fs_close(fs);
		return xar_err_set(err, ENOMEM, "out of memory for caches");
	}
	fs->has_xattrs = sq->sb.xattr_id_table_start !=
			     (uint64_t)SQUASHFS_INVALID_BLK &&
			 sq->xattr_info.xattr_ids > 0;
	return 0;
}

void xar_fuse_fs_close(struct xar_fuse_fs *fs)
{
	/* libsquashfuse forgets the xattr id table's index (as
	 * xar_guard_destroy says) */
	sqfs_table_destroy(&fs->ll.fs.xattr_table);
	sqfs_ll_destroy(&fs->ll);
	xar_decompress_release();
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct xar_fuse_fs *fs = userdata;

	fs->no_open = !!(conn->capable & FUSE_CAP_NO_OPEN_SUPPORT);
	fs->no_opendir = !!(conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	/* Nothing changes, so never drop cached pages on our account. */
	if (conn->capable & FUSE_CAP_EXPLICIT_INVAL_DATA) {
		conn->want |= FUSE_CAP_EXPLICIT_INVAL_DATA;
		conn->want &= ~(unsigned)FUSE_CAP_AUTO_INVAL_DATA;
	}
	/* Listings with attributes every time (ops_dir.c), not only for a
	 * listing's first chunk: each entry then needs no LOOKUP. */
	if (conn->capable & FUSE_CAP_READDIRPLUS) {
		conn->want |= FUSE_CAP_READDIRPLUS;
		conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
	}
	/* Requests arrive in memory, where the server counts them by type. */
	conn->want &= ~(unsigned)FUSE_CAP_SPLICE_READ;
	if (fs->on_init)
		fs->on_init(fs->on_init_arg);
}

static void reply_entry(fuse_req_t req, fuse_ino_t ino, const struct stat *st)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.ino = ino;
	if (st)
		e.attr = *st;
	e.attr.st_ino = ino;
	e.attr_timeout = FOREVER;
	e.entry_timeout = FOREVER;
	fuse_reply_entry(req, &e);
}

static void found_entry(fuse_req_t req, fuse_ino_t parent, const char *name,
			fuse_ino_t ino, const sqfs_inode *inode,
			const struct stat *st)
{
	struct xar_fuse_fs *fs = fs_of(req); /* req is gone once replied */

	reply_entry(req, ino, st);
	xar_fuse_known(fs, parent, name, ino, inode);
}

/* A negative entry, kept for ever. */
static void absent_entry(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct xar_fuse_fs *fs = fs_of(req); /* req is gone once replied */

	reply_entry(req, 0, NULL);
	xar_fuse_absent(fs, parent, name);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	sqfs_ll_i dir;
	char *namebuf;
	sqfs_dir_entry entry;
	sqfs_inode inode;
	struct stat st;
	bool found;

	if (sqfs_ll_iget(req, &dir, parent))
		return; /* replied ENOENT */
	if (!S_ISDIR(dir.inode.base.mode)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (!(namebuf = malloc(XAR_GUARD_NAME_BUF))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	sqfs_dentry_init(&entry, namebuf);
	if (xar_guard_dir_lookup(&dir.ll->fs, &dir.inode, name, strlen(name),
				 &entry, &found))
		fuse_reply_err(req, EIO);
	else if (!found)
		absent_entry(req, parent, name);
	else if (xar_guard_inode_get(&dir.ll->fs, &inode,
				     sqfs_dentry_inode(&entry)) ||
		 xar_guard_stat(&dir.ll->fs, &inode, &st))
		fuse_reply_err(req, EIO);
	else
		found_entry(req, parent, name, dir.ll->ino_register(dir.ll,
								    &entry),
			    &inode, &st);
	free(namebuf);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	sqfs_ll_i node;
	struct stat st;

	if (sqfs_ll_iget(req, &node, ino))
		return;
	if (xar_guard_stat(&node.ll->fs, &node.inode, &st)) {
		fuse_reply_err(req, EIO);
		return;
	}
	st.st_ino = ino;
	fuse_reply_attr(req, &st, FOREVER);
}

/* Only reached when the kernel cannot open without us. */
static void reply_open(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi, int want_dir)
{
	sqfs_ll_i node;

	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (sqfs_ll_iget(req, &node, ino))
		return;
	if (want_dir && !S_ISDIR(node.inode.base.mode)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (!want_dir && !S_ISREG(node.inode.base.mode)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	fi->fh = 0;
	fi->keep_cache = 1;
	fi->cache_readdir = (unsigned)want_dir;
	fuse_reply_open(req, fi);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (fs_of(req)->no_open)
		fuse_reply_err(req, ENOSYS);
	else
		reply_open(req, ino, fi, 0);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	if (fs_of(req)->no_opendir)
		fuse_reply_err(req, ENOSYS);
	else
		reply_open(req, ino, fi, 1);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct xar_fuse_fs *fs = fs_of(req);
	struct xar_guard_cursor c;
	sqfs_inode inode;
	uint64_t n = size;
	char *buf;

	if (sqfs_ll_inode(&fs->ll, &inode, ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if (!S_ISREG(inode.base.mode)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (fs->record && size && off >= 0 && fs->ll.fs.sb.block_size)
		xar_record_read(fs->record, ino, (uint64_t)off /
				fs->ll.fs.sb.block_size, ((uint64_t)off +
				size - 1) / fs->ll.fs.sb.block_size);
	memset(&c, 0, sizeof(c));
	c.src = xar_prefetch_source(fs->prefetch);
	if (off < 0 || xar_guard_read_range(&fs->ll.fs, &inode, (uint64_t)off,
					    &n, buf, &c))
		fuse_reply_err(req, EIO);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

/* libsquashfuse_ll's readlink allocates whatever size the inode claims
 * (up to 4 GiB on a hostile image): a target longer than any path is an
 * error here. */
static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	sqfs_ll_i node;
	size_t size;
	char *target;

	if (sqfs_ll_iget(req, &node, ino))
		return;
	if (!S_ISLNK(node.inode.base.mode)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (node.inode.xtra.symlink_size >= PATH_MAX) {
		fuse_reply_err(req, EIO);
		return;
	}
	size = node.inode.xtra.symlink_size + 1;
	if (!(target = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (sqfs_readlink(&node.ll->fs, &node.inode, target, &size) != SQFS_OK)
		fuse_reply_err(req, EIO);
	else
		fuse_reply_readlink(req, target);
	free(target);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct xar_fuse_fs *fs = fs_of(req);
	const struct squashfs_super_block *sb = &fs->ll.fs.sb;
	struct statvfs st;

	memset(&st, 0, sizeof(st));
	st.f_bsize = st.f_frsize = sb->block_size;
	if (sb->block_size)
		st.f_blocks = sb->bytes_used / sb->block_size +
			      !!(sb->bytes_used % sb->block_size);
	st.f_files = sb->inodes;
	st.f_ffree = fs->marker;
	st.f_namemax = SQUASHFS_NAME_LEN;
	fuse_reply_statfs(req, &st);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size)
{
	if (fs_of(req)->has_xattrs)
		sqfs_ll_op_getxattr(req, ino, name, size);
	else
		fuse_reply_err(req, ENOSYS); /* never asked again */
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	if (fs_of(req)->has_xattrs)
		sqfs_ll_op_listxattr(req, ino, size);
	else
		fuse_reply_err(req, ENOSYS);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	sqfs_ll *ll = &fs_of(req)->ll;

	ll->ino_forget(ll, ino, (size_t)nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	sqfs_ll *ll = &fs_of(req)->ll;
	size_t i;

	for (i = 0; i < count; i++)
		ll->ino_forget(ll, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

/* Nothing to flush, and permissions are the file modes: say so once. */
static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, ENOSYS);
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	fuse_reply_err(req, ENOSYS);
}

#if FUSE_USE_VERSION < 35
typedef int ioctl_cmd;
#else
typedef unsigned int ioctl_cmd;
#endif

static void op_ioctl(fuse_req_t req, fuse_ino_t ino, ioctl_cmd cmd,
		     void *arg, struct fuse_file_info *fi, unsigned flags,
		     const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	fuse_reply_err(req, ENOTTY); /* isatty() on a file of ours */
}

const struct fuse_lowlevel_ops xar_fuse_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.open = op_open,
	.read = op_read,
	.flush = op_flush,
	.opendir = op_opendir,
	.readdir = xar_fuse_readdir,
	.readdirplus = xar_fuse_readdirplus,
	.statfs = op_statfs,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.access = op_access,
	.ioctl = op_ioctl,
};
