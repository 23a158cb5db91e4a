/* Directory listings for the FUSE server (fs.h): READDIR, and
 * READDIRPLUS, which gives each entry's attributes with its name so that
 * the kernel makes its dentries at once: the LOOKUPs that an interpreter
 * would send for the files of every directory it lists (a round trip
 * each) are not sent. Entries of a READDIRPLUS count as lookups (the
 * kernel FORGETs them like the others). */
#include "fs.h"
#include "image/image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Directory offsets: 1 and 2 follow "." and ".."; an entry's offset is
 * libsquashfuse's offset of the next entry plus 2. */

/* Add "." or ".." (at off 0 or 1); its size, more than room when it did
 * not fit. Never a lookup: the kernel skips the dots' attributes. */
static size_t add_dot(fuse_req_t req, char *buf, size_t room, off_t off,
		      fuse_ino_t ino, int plus)
{
	static const char *const names[] = { ".", ".." };
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.attr.st_mode = S_IFDIR;
	e.attr.st_ino = off == 0 ? ino : FUSE_ROOT_ID;
	if (plus)
		return fuse_add_direntry_plus(req, buf, room, names[off], &e,
					      off + 1);
	return fuse_add_direntry(req, buf, room, names[off], &e.attr, off + 1);
}

/* Add entry (next: the offset after it); its size, more than room when it
 * did not fit (then nothing was registered), or 0 on a corrupt inode. */
static size_t add_entry(fuse_req_t req, const sqfs_ll_i *dir,
			fuse_ino_t dir_ino, sqfs_dir_entry *entry, char *buf,
			size_t room, off_t next, int plus)
{
	const char *name = sqfs_dentry_name(entry);
	struct fuse_entry_param e;
	sqfs_inode inode;
	size_t n;

	memset(&e, 0, sizeof(e));
	if (!plus) {
		e.attr.st_ino = dir->ll->ino_fuse_num(dir->ll, entry);
		e.attr.st_mode = sqfs_dentry_mode(entry);
		return fuse_add_direntry(req, buf, room, name, &e.attr, next);
	}
	n = fuse_add_direntry_plus(req, NULL, 0, name, NULL, 0);
	if (n > room)
		return n;
	if (xar_guard_inode_get(&dir->ll->fs, &inode,
				sqfs_dentry_inode(entry)) ||
	    xar_guard_stat(&dir->ll->fs, &inode, &e.attr))
		return 0;
	e.ino = dir->ll->ino_register(dir->ll, entry);
	e.attr.st_ino = e.ino;
	e.attr_timeout = e.entry_timeout = XAR_FUSE_FOREVER;
	n = fuse_add_direntry_plus(req, buf, room, name, &e, next);
	xar_fuse_known(fuse_req_userdata(req), dir_ino, name, e.ino, &inode);
	return n;
}

static void list(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 int plus)
{
	sqfs_ll_i node;
	sqfs_dir dir;
	char *name = NULL;
	sqfs_dir_entry entry;
	sqfs_err sqerr = SQFS_OK;
	size_t used = 0, n;
	char *buf;

	if (sqfs_ll_iget(req, &node, ino))
		return;
	if (!S_ISDIR(node.inode.base.mode)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	buf = malloc(size ? size : 1);
	name = malloc(XAR_GUARD_NAME_BUF);
	if (!buf || !name) {
		fuse_reply_err(req, ENOMEM);
		goto out;
	}
	for (; off < 2; off++) {
		n = add_dot(req, buf + used, size - used, off, ino, plus);
		if (n > size - used)
			break;
		used += n;
	}
	if (xar_guard_dir_open_at(&node.ll->fs, &node.inode, &dir,
				  off >= 2 ? off - 2 : 0, name)) {
		fuse_reply_err(req, EIO);
		goto out;
	}
	sqfs_dentry_init(&entry, name);
	while (xar_guard_dir_next(&node.ll->fs, &dir, &entry, &sqerr)) {
		n = add_entry(req, &node, ino, &entry, buf + used, size - used,
			      sqfs_dentry_next_offset(&entry) + 2, plus);
		if (!n)
			sqerr = SQFS_ERR;
		if (!n || n > size - used)
			break;
		used += n;
	}
	/* Entries already registered stay so: an error here is only given
	 * when nothing was listed (the kernel counts what it receives). */
	if (sqerr && !used)
		fuse_reply_err(req, EIO);
	else
		fuse_reply_buf(req, buf, used);
out:
	free(name);
	free(buf);
}

void xar_fuse_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
		      off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	list(req, ino, size, off, 0);
}

void xar_fuse_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi)
{
	(void)fi;
	list(req, ino, size, off, 1);
}
