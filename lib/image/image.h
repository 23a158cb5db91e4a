/* lib/image: the read side. Opening an image inside a xar, guarded reads
 * for hostile images, walking and listing it, verifying and extracting it.
 * The one public header of this folder; see lib/README.md. */
#ifndef XAR_IMAGE_H
#define XAR_IMAGE_H

#include <squashfuse/squashfuse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

/* The read side: a SquashFS 4.0 image at a byte offset inside a file (a
 * .xar, or a bare image at offset 0), read through libsquashfuse.
 *
 * The image is untrusted. Before libsquashfuse sees it, the superblock is
 * checked (magic, version 4.0, compression, block size, every table inside
 * bytes_used, bytes_used inside the file). The walk refuses names that are
 * empty, ".", ".." or contain '/' or NUL, a directory reached twice (loops
 * and shared subtrees) and nesting deeper than XAR_IMAGE_DEPTH_MAX, so its
 * paths are safe to join under an extraction root.
 *
 * Messages do not name the file; front ends put it in front. */

#define XAR_IMAGE_DEPTH_MAX 1024
#define XAR_SHOWN_MAX 200 /* how much of an image path a message repeats */

/* xar_image_open flags */
#ifndef XAR_EMBEDDED_RUNTIME
#define XAR_IMAGE_ANY_COMPRESSION 1u /* accept whatever libsquashfuse
					decompresses, not only zstd */
#else
/* The runtime in front of a self-contained xar reads only its own image,
 * which mkxar always compresses with zstd; it links no other decompressor
 * (xarexec/runtime_shims.c). */
#define XAR_IMAGE_ANY_COMPRESSION 0u
#endif

struct xar_image;

/* From the superblock. */
struct xar_image_info {
	uint64_t offset;          /* where the image starts in the file */
	uint64_t bytes_used;      /* image size */
	uint32_t block_size;
	uint32_t inodes;
	uint32_t fragments;
	uint32_t mkfs_time;
	uint16_t flags;
	uint16_t ids;
	const char *compression;  /* "zstd", "gzip", "xz", ... */
};

/* One inode, as lstat() would describe it. */
struct xar_image_entry {
	uint32_t mode;       /* file type and permission bits (S_IFMT | 07777) */
	uint32_t uid, gid;
	uint32_t nlink;
	uint32_t ino;        /* inode number: hard links share it */
	uint32_t rdev_major; /* character and block devices */
	uint32_t rdev_minor;
	int64_t mtime;
	uint64_t size;       /* regular file: bytes; symlink: target length */
	uint64_t ref;        /* private: where the inode is */
};

/* Open the image that starts offset bytes into the file at path (or into
 * the open file fd, which is duplicated: the caller keeps and closes its
 * own). *img is NULL on failure. */
int xar_image_open(struct xar_image **img, const char *path, uint64_t offset,
		   unsigned flags, struct xar_err *err);
int xar_image_open_fd(struct xar_image **img, int fd, uint64_t offset,
		      unsigned flags, struct xar_err *err);
void xar_image_close(struct xar_image *img);

/* A second handle on the same image, for another thread: libsquashfuse's
 * caches belong to one handle and are not thread-safe. */
int xar_image_reopen(struct xar_image **img, const struct xar_image *from,
		     struct xar_err *err);

const struct xar_image_info *xar_image_info(const struct xar_image *img);

/* Called for every entry. path is relative to the image root ("" for the
 * root itself), '/'-separated; target is a symlink's target, else NULL.
 * Return 0 to go on; anything else stops the walk and is returned by it
 * (fill err then). */
typedef int (*xar_image_visit_fn)(void *ctx, const char *path,
				  const struct xar_image_entry *e,
				  const char *target, struct xar_err *err);

/* Every entry in image order: the root, then each directory's entries in
 * directory (name) order, each directory just before its contents. */
int xar_image_walk(struct xar_image *img, xar_image_visit_fn fn, void *ctx,
		   struct xar_err *err);

/* What a new mount must be able to answer at once, read the way --list
 * reads it (the same messages): the root's inode and owners, the entries
 * of the root directory (their inodes, owners and symlink targets), and
 * the path target (NULL: none) with every directory on its way. */
int xar_image_check_serving(struct xar_image *img, const char *target,
			    struct xar_err *err);

/* Look up a '/'-separated path from the root ("" or "/" is the root).
 * Symlinks are not followed. err->code is ENOENT or ENOTDIR when the path
 * is not there. */
int xar_image_lookup(struct xar_image *img, const char *path,
		     struct xar_image_entry *e, struct xar_err *err);

/* Read up to len bytes at off from a regular file: the number of bytes
 * read (short only at the end of the file, 0 at or past it), or -1. */
long long xar_image_read(struct xar_image *img, const struct xar_image_entry *e,
			 void *buf, size_t len, uint64_t off,
			 struct xar_err *err);

/* A symlink's target, malloc'ed and NUL-terminated. */
int xar_image_readlink(struct xar_image *img, const struct xar_image_entry *e,
		       char **target, struct xar_err *err);

/* A path given by a user, as the walk spells image paths: "/a//b/./c/"
 * becomes "a/b/c" ("" for the root). malloc'ed; NULL when out of memory. */
char *xar_image_clean_path(const char *path);

/* 1 when the walk's path is the clean path prefix or lies below it. */
int xar_image_path_under(const char *path, const char *prefix);

/* An image path as a message may show it: at most XAR_SHOWN_MAX bytes,
 * control bytes as '?', "..." when cut. Returns out. */
const char *xar_image_shown(const char *path, char out[XAR_SHOWN_MAX + 4]);

/* Verify a xar: its header parses; its image bytes (OFFSET to the end of
 * the file, padding included) hash to the header's XAR_SHA256, from which
 * the UUID is derived, when the header has one (xars of the original
 * format do not); the superblock and tables are consistent (inode count,
 * link counts, owners, names); every file's every block reads back and
 * decompresses.
 *
 * On failure the message names what is wrong, e.g.
 *   "bad header: ..."
 *   "file 'lib/x.so' does not read back: corrupt image: ..."
 *   "the image's SHA-256 does not match XAR_SHA256 in the header: ..."
 * and a structural problem found together with a digest mismatch is named
 * first, the mismatch after it. */

struct xar_verify_result {
	int has_digest;       /* XAR_SHA256 was there (and matched) */
	char sha256[65];      /* of the image bytes, in hex */
	char uuid[65];        /* the header's UUID */
	uint64_t offset;      /* where the image starts */
	uint64_t image_size;  /* the superblock's bytes_used */
	uint64_t entries;     /* below the root */
	uint64_t files;       /* regular files (hard links counted once) */
	uint64_t bytes;       /* their contents, decompressed */
};

/* 0 when everything holds, else -1 naming the first problem. r may be
 * NULL; it is filled as far as verification got. Messages do not name the
 * file. */
int xar_verify_fd(int fd, struct xar_verify_result *r, struct xar_err *err);
int xar_verify(const char *path, struct xar_verify_result *r,
	       struct xar_err *err);

/* The digests alone, as a trust policy needs before a mount: the header's
 * XAR_SHA256 (required) against the image's bytes, and a self-contained
 * xar's XAR_RUNTIME_SHA256 against the runtime's. Reads each byte once. */
int xar_verify_digests_fd(int fd, struct xar_err *err);

/* Extract all or part of an image into a directory, safely.
 *
 * Whatever the image holds, nothing is written outside the directory:
 * every name is created with mkdirat/openat/symlinkat/linkat relative to a
 * directory descriptor, and every directory on the way is opened with
 * O_NOFOLLOW | O_DIRECTORY, so a symlink (from the image, or already in the
 * directory) is never followed. The image walk (image.c) refuses names
 * that are empty, ".", ".." or hold a '/'; an entry whose name is already
 * taken (a hostile image may repeat names) is refused, or with
 * XAR_EXTRACT_FORCE replaced when it is not a directory.
 *
 * Kept: file contents, permission bits, mtimes (files, symlinks, and
 * directories once their contents are in), symlinks, hard links (names of
 * one inode become links to the first one extracted), fifos and sockets.
 * Devices are made only by root (else counted in skipped_devices).
 * Setuid and setgid bits are dropped unless XAR_EXTRACT_KEEP_SETID. */

#define XAR_EXTRACT_FORCE       1u /* DIR may hold files; replace what is in
				      the way (never a directory) */
#define XAR_EXTRACT_KEEP_SETID  2u /* keep setuid and setgid bits */
#define XAR_EXTRACT_OWNERS      4u /* give entries the image's owners (only
				      when running as root; else ignored) */
#define XAR_EXTRACT_PRIVATE     8u /* clear group and other write bits and
				      the sticky bit (for the run cache) */
#define XAR_EXTRACT_ROOT_ATTRS 16u /* xar_extract_at: give the directory
				      itself the image root's mode and mtime */
#define XAR_EXTRACT_READONLY   32u /* clear every write bit, as on the
				      read-only mount (for the run cache;
				      xar_remove_tree_at still removes it) */

struct xar_extract_opts {
	unsigned flags;
	/* Only these image paths and what lies below them ('/'-separated,
	 * relative to the root; leading, trailing and repeated slashes are
	 * ignored); their parent directories are made too. NULL or npaths 0:
	 * everything. Each path must be in the image. */
	char *const *paths;
	size_t npaths;
	/* Threads that write regular files: 0 for one per CPU (at most
	 * XAR_EXTRACT_THREADS_MAX), 1 for none besides the caller's. The
	 * result is the same for any count; XAR_EXTRACT_FORCE uses one. */
	unsigned threads;
};

#define XAR_EXTRACT_THREADS_MAX 4

struct xar_extract_stats {
	uint64_t dirs, files, symlinks, hardlinks, specials;
	uint64_t skipped_devices; /* devices not made (not root) */
	uint64_t bytes;           /* file contents written */
	unsigned threads;         /* that wrote files, the caller's included */
};

/* Extract into the directory at dir, which is made when missing (its
 * parent must exist); an existing one must be empty unless
 * XAR_EXTRACT_FORCE (err->code ENOTEMPTY otherwise). A directory made
 * here or found empty gets the image root's mode and mtime. stats may be
 * NULL. Messages name image paths ("cannot create 'a/b': ..."). */
int xar_extract(struct xar_image *img, const char *dir,
		const struct xar_extract_opts *o,
		struct xar_extract_stats *stats, struct xar_err *err);

/* The same into an open directory (not checked for emptiness; the
 * caller's descriptor stays open). */
int xar_extract_at(struct xar_image *img, int dirfd,
		   const struct xar_extract_opts *o,
		   struct xar_extract_stats *stats, struct xar_err *err);

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
/* What sqfs_dir_next may copy into an entry's name buffer. */
#define XAR_GUARD_NAME_BUF (65536 + 1)

/* sqfs_init, then check that every table's metadata blocks hold what the
 * table needs and that the root inode reference is inside its block.
 * Returns sqfs_init's error (*why NULL), or SQFS_ERR with *why saying
 * what is wrong; nothing is left allocated on failure. Close with
 * xar_guard_destroy. */
sqfs_err xar_guard_init(sqfs *fs, int fd, size_t offset, const char **why);

/* sqfs_destroy, and the xattr id table index it forgets (a leak); and
 * xar_decompress_release. */
void xar_guard_destroy(sqfs *fs);

/* Give fs (once sqfs_init read its superblock) a zstd decompressor that
 * keeps one context per thread, where libsquashfuse's makes one for every
 * block; nothing for other compressions. xar_guard_init does it. A thread
 * frees its context when it ends or calls xar_decompress_release (then
 * the next block makes a new one). */
void xar_decompress_keep(sqfs *fs);
void xar_decompress_release(void);

/* sqfs_inode_get, its reference checked against its metadata block. */
sqfs_err xar_guard_inode_get(sqfs *fs, sqfs_inode *in, sqfs_inode_id ref);

/* sqfs_stat, the owner and group indices checked against the id table
 * (libsquashfuse reads past it otherwise). */
struct stat;
sqfs_err xar_guard_stat(sqfs *fs, sqfs_inode *in, struct stat *st);

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

/* Blocks that another thread may have decompressed already (the FUSE
 * server's prefetcher): copy() puts bytes [off, off + n) of the block
 * stored at image position pos with header hdr into dst and returns 1, or
 * returns 0 when it does not hold that block, or not that many bytes of
 * it; the reader then decompresses the block itself. */
struct xar_block_source {
	int (*copy)(void *arg, uint64_t pos, uint32_t hdr, uint64_t off,
		    uint64_t n, void *dst);
	void *arg;
};

/* Where a sequential reader left off in a file's block list, so that the
 * next read need not walk it from the start. Zero it before first use. */
struct xar_guard_cursor {
	sqfs_md_cursor key;   /* the file's block list (its inode's next) */
	uint64_t start_block;
	uint64_t index;       /* block the list stands at (1-based; 0: none) */
	sqfs_blocklist bl;
	const struct xar_block_source *src; /* asked first, or NULL */
};

/* A data or fragment block at pos with header hdr lies inside the image
 * and is at most a block once decompressed (what copying it needs). */
int xar_guard_data_block_ok(const sqfs *fs, uint64_t pos, uint32_t hdr);

/* Where a piece of a regular file is stored: bytes [block_off, block_off
 * + len) of the block at pos (header hdr) once decompressed are the file's
 * bytes at file_off. A data block is one piece, a fragment tail another. */
struct xar_guard_piece {
	uint64_t pos;
	uint32_t hdr;
	uint64_t file_off, block_off, len;
};

/* Call fn(arg, piece) for each stored piece of a regular file, in file
 * order (holes skipped), each block checked with xar_guard_data_block_ok;
 * stop early when fn returns non-zero. */
sqfs_err xar_guard_file_blocks(sqfs *fs, sqfs_inode *in,
			       int (*fn)(void *arg,
					 const struct xar_guard_piece *piece),
			       void *arg);

/* sqfs_read_range with every block checked: reads *size bytes at start
 * (fewer only at the end of the file) and sets *size to the count. c may
 * be NULL. */
sqfs_err xar_guard_read_range(sqfs *fs, sqfs_inode *in, uint64_t start,
			      uint64_t *size, void *buf,
			      struct xar_guard_cursor *c);

#endif
