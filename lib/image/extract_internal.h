/* Shared by extract.c (the walk: selection, final directory attributes),
 * extract_entry.c (one entry of each kind), extract_state.c (what they
 * use: errors, attributes, directories on the way, links) and
 * extract_pool.c (regular files written by threads).
 * Not for use outside lib/image/extract*.c. */
#ifndef XAR_IMAGE_EXTRACT_INTERNAL_H
#define XAR_IMAGE_EXTRACT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "inomap.h"

#define XAR_EXTRACT_CHUNK (1u << 20) /* file data read and written at once */

struct xar_extract_pool;

/* A directory whose attributes are set at the end. */
struct xar_extract_dir {
	char *path;
	struct xar_image_entry e;
};

/* A hard link made once the pool has written every file. */
struct xar_extract_link {
	char *path;
	const char *first; /* owned by links */
	uint64_t seq;
};

struct xar_extract {
	struct xar_image *img;
	struct xar_extract_opts opts;
	struct xar_extract_stats stats;
	struct xar_err *err;
	int rootfd;                /* the caller's: never closed here */
	int owners;                /* chown to the image's owners */
	int curfd;                 /* the directory written into last, or -1 */
	char *cur;                 /* its path ("" for the root) */
	size_t curcap;
	char **filters;            /* normalised opts.paths */
	struct xar_extract_dir *dirs;
	size_t ndirs, capdirs;
	struct xar_inomap links;   /* inode -> path of its first name (char *),
				      count = its file type */
	unsigned char *buf;        /* file data on its way to disk */
	uint64_t seq;              /* entries visited: image order */
	struct xar_extract_pool *pool; /* threads writing regular files, or
					  NULL: the walk writes them */
	struct xar_extract_link *later; /* hard links, with a pool */
	size_t nlater, caplater;
};

/* Fill x->err with "<what> '<path>': <strerror(code)>"; returns -1. */
int xar_extract_fail(struct xar_extract *x, int code, const char *what,
		     const char *path);

/* The permission bits an entry gets under x's flags. */
unsigned xar_extract_perm(const struct xar_extract *x, uint32_t mode);

/* Owner (when x->owners), mode and mtime of the open file fd. */
int xar_extract_set_attrs_fd(struct xar_extract *x, int fd,
			     const struct xar_image_entry *e,
			     const char *path);

/* Open the directory path[0..len) below start, one component at a time,
 * never following a symlink; a new descriptor (start itself dup'ed when
 * len is 0), or -1. */
int xar_extract_open_dir(struct xar_extract *x, int start, const char *path,
			 size_t len);

/* Remember a directory for its final mode, owner and mtime. */
int xar_extract_note_dir(struct xar_extract *x, const char *path,
			 const struct xar_image_entry *e);

/* For a name of a hard-linked non-directory: *first is the path of the
 * inode's name extracted earlier (same file type), or NULL, and then path
 * is remembered as the first. */
int xar_extract_first_link(struct xar_extract *x,
			   const struct xar_image_entry *e, const char *path,
			   const char **first);

/* Make the regular file name in the directory pfd, with its contents and
 * attributes (x is the pool thread's own context when pooled). */
int xar_extract_file(struct xar_extract *x, int pfd, const char *name,
		     const struct xar_image_entry *e, const char *path);

/* A hard link from path to first, made now. */
int xar_extract_hardlink(struct xar_extract *x, const char *path,
			 const char *first);

/* Remember a hard link from path to first, to be made after the pool. */
int xar_extract_note_link(struct xar_extract *x, const char *path,
			  const char *first);

/* ---- the pool (extract_pool.c) ---- */

/* Start the threads that x's options and the CPUs allow (counted in
 * x->stats.threads); x->pool stays NULL when there is to be none. Fails
 * only when out of memory. */
int xar_extract_pool_start(struct xar_extract *x);

/* Hand the regular file path (name: its last part, in the directory pfd,
 * which the pool duplicates) to the threads. -1 when a file handed over
 * earlier has failed: the walk stops, and xar_extract_pool_finish says
 * why. */
int xar_extract_pool_add(struct xar_extract *x, int pfd, const char *name,
			 const struct xar_image_entry *e, const char *path);

/* Wait until every file handed over is written, stop the threads, add up
 * their stats and free the pool. walk_rc is the walk's result (its message
 * in x->err). *fail_seq is where the first failure in image order is
 * (x->err then says what it is, as a walk without threads would have met
 * it), or UINT64_MAX. */
void xar_extract_pool_finish(struct xar_extract *x, int walk_rc,
			     uint64_t *fail_seq);

/* Make one entry (not the root) named name in the directory pfd. */
int xar_extract_entry(struct xar_extract *x, int pfd, const char *name,
		      const struct xar_image_entry *e, const char *target,
		      const char *path);

#endif
