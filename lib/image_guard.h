/* Guards around libsquashfuse for hostile images.
 *
 * libsquashfuse 0.1.10x (Debian 12) trusts the image's offsets. Found by
 * tests/fuzz/fuzz_image.c, each of these reads or writes past a buffer:
 *  - an inode reference or directory start whose offset lies past the end
 *    of its metadata block (sqfs_md_read: an unsigned "size - offset"
 *    wraps and memcpy copies from beyond the block);
 *  - a table entry (id, fragment, export, xattr id) in a metadata block
 *    shorter than the table needs, or an index past the table's count
 *    (sqfs_table_get checks neither);
 *  - a directory entry whose name is longer than SQUASHFS_NAME_LEN
 *    (sqfs_dir_next copies up to 65536 bytes into the caller's 257-byte
 *    sqfs_name: a stack overflow), and the directory index that
 *    sqfs_dir_lookup follows to any cursor;
 *  - a data or fragment block shorter than the inode's size says, and
 *    a fragment offset past its block (sqfs_read_range), and the block
 *    index cache keyed by inode number, shared by unrelated files that
 *    claim the same number;
 *  - the caches take position 0 for an empty slot: a block at 0 is a
 *    NULL block "found" in the cache;
 *  - block headers make it malloc up to 4 GiB.
 * It also leaks the xattr id table's index on every sqfs_destroy.
 * These wrappers check first and return SQFS_ERR on a corrupt image.
 * Blocks from the md/data caches are owned by the cache (no reference
 * counts in 0.1.10x): only their size is looked at, at once. */
#ifndef XAR_IMAGE_GUARD_H
#define XAR_IMAGE_GUARD_H

#include <squashfuse/squashfuse.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What sqfs_dir_next may copy into an entry's name buffer. */
#define XAR_GUARD_NAME_BUF (65536 + 1)

/* sqfs_init, then check that every table's metadata blocks hold what the
 * table needs and that the root inode reference is inside its block.
 * Returns sqfs_init's error (*why NULL), or SQFS_ERR with *why saying
 * what is wrong; nothing is left allocated on failure. Close with
 * xar_guard_destroy. */
sqfs_err xar_guard_init(sqfs *fs, int fd, size_t offset, const char **why);

/* sqfs_destroy, and the xattr id table index it forgets (a leak). */
void xar_guard_destroy(sqfs *fs);

/* sqfs_inode_get, its reference checked against its metadata block. */
sqfs_err xar_guard_inode_get(sqfs *fs, sqfs_inode *in, sqfs_inode_id ref);

/* sqfs_dir_open at the start of a directory, its start checked. */
sqfs_err xar_guard_dir_open(sqfs *fs, sqfs_inode *dir, sqfs_dir *d);

/* sqfs_dir_open at offset (a readdir cookie, as sqfs_dentry_next_offset
 * gives): reads the entries before it instead of following the directory
 * index. names: a scratch buffer of XAR_GUARD_NAME_BUF bytes. */
sqfs_err xar_guard_dir_open_at(sqfs *fs, sqfs_inode *dir, sqfs_dir *d,
				sqfs_off_t offset, char *names);

/* sqfs_dir_next into an entry initialised with a buffer of
 * XAR_GUARD_NAME_BUF bytes; a name longer than SQUASHFS_NAME_LEN is an
 * error (*err = SQFS_ERR). */
bool xar_guard_dir_next(sqfs *fs, sqfs_dir *d, sqfs_dir_entry *e,
			sqfs_err *err);

/* Find name[0..len) in a directory by reading it through (the index is
 * not trusted); entry as for xar_guard_dir_next. */
sqfs_err xar_guard_dir_lookup(sqfs *fs, sqfs_inode *dir, const char *name,
			      size_t len, sqfs_dir_entry *e, bool *found);

/* Where a sequential reader left off in a file's block list, so that the
 * next read need not walk it from the start. Zero it before first use. */
struct xar_guard_cursor {
	sqfs_md_cursor key;   /* the file's block list (its inode's next) */
	uint64_t start_block;
	uint64_t index;       /* block the list stands at (1-based; 0: none) */
	sqfs_blocklist bl;
};

/* sqfs_read_range with every block checked: reads *size bytes at start
 * (fewer only at the end of the file) and sets *size to the count. c may
 * be NULL. */
sqfs_err xar_guard_read_range(sqfs *fs, sqfs_inode *in, uint64_t start,
			      uint64_t *size, void *buf,
			      struct xar_guard_cursor *c);

#endif
