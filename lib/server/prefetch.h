/* The server's prefetcher: a second thread that decompresses the blocks a
 * start-up will read (the files the launcher names, then the image's
 * recorded start-up list, XAR_STARTUP_LIST) while the mount is made and
 * the app starts, so that the serving thread finds them ready instead of
 * decompressing them one request at a time. See prefetch.c. */
#ifndef XAR_SERVER_PREFETCH_H
#define XAR_SERVER_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

struct xar_prefetch;

struct xar_prefetch_stats {
	uint64_t blocks;  /* decompressed by the prefetcher */
	uint64_t hits;    /* reads answered from them */
	uint64_t waits;   /* reads that waited for a block under way */
	uint64_t pushed;  /* pieces stored into the page cache */
};

/* Start the thread on the image at offset in fd (kept open by the
 * caller), for paths (image paths, NULL-terminated; copied; may be NULL),
 * then the image's start-up list, then learnt[0..learnt_len) (a list in
 * the same format learnt from an earlier start-up here; copied; may be
 * NULL), keeping at most budget decompressed bytes, on the cores of cpus
 * other than its home (cpus.h; copied).
 * NULL when nothing can be started (then there is simply no prefetch).
 * The thread ends when xar_prefetch_settle or _quiesce ask it to; its
 * blocks are freed by xar_prefetch_stop. */
struct xar_cpus;
struct xar_prefetch *xar_prefetch_start(int fd, uint64_t offset,
					const char *const *paths,
					const char *learnt, size_t learnt_len,
					size_t budget,
					const struct xar_cpus *cpus);

/* What the serving thread hands to xar_guard_read_range (cursor->src). */
const struct xar_block_source *xar_prefetch_source(struct xar_prefetch *p);

struct fuse_session;

/* The mount is made: where to store pages (FUSE_NOTIFY_STORE), and the
 * mount point (copied), through which the thread looks up each listed file
 * before it decompresses it. The thread waits for this before its lists. */
void xar_prefetch_attach(struct xar_prefetch *p, struct fuse_session *se,
			 const char *mountpoint);

/* The serving thread answered a LOOKUP of inode in with FUSE inode ino:
 * the kernel knows the file, so its prefetched blocks can be stored into
 * its page cache. */
void xar_prefetch_looked_up(struct xar_prefetch *p, uint64_t ino,
			    const sqfs_inode *in);

/* Whether the thread has started looking its files up through the mount
 * (then the requests other than READs are mostly its own). NULL is fine
 * (0). */
int xar_prefetch_looking(struct xar_prefetch *p);

/* Once requests pause: ask the thread to end when its lists are done,
 * without waiting (it may be storing pages that a READ only the caller
 * answers holds). 1 once it has ended: then xar_prefetch_stop frees it
 * and its blocks at once. NULL is fine (1). */
int xar_prefetch_settle(struct xar_prefetch *p);

void xar_prefetch_get_stats(struct xar_prefetch *p,
			    struct xar_prefetch_stats *st);

/* Ask the thread to end: 1 once it has. A store it is making waits for
 * pages that a READ in flight holds, so the serving thread goes on
 * answering requests until this says 1. NULL is fine. */
int xar_prefetch_quiesce(struct xar_prefetch *p);

/* Stop the thread, wait for it and free everything: only once it cannot
 * be waiting for the kernel (quiesced, or the mount is gone). NULL is
 * fine. */
void xar_prefetch_stop(struct xar_prefetch *p);

#endif
