/* Internal interfaces between the parts of the SquashFS writer:
 * meta.c (metadata blocks), data.c (file data and
 * fragments, compressed by worker threads), inodes.c (inode and
 * directory tables) and writer.c (the whole image). */
#ifndef XAR_SQUASHFS_INTERNAL_H
#define XAR_SQUASHFS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "base/base.h"
#include "tree/tree.h"

/* Compress one block; stores it raw when zstd does not make it smaller.
 * out must hold in_len bytes at least. Returns the stored size, sets *raw.
 * quick: trade size for decompression speed (xar_node.quick_read). */
int xar_sqfs_compress(ZSTD_CCtx *cctx, int level, int quick, const void *in,
		      size_t in_len, void *out, size_t out_cap, size_t *out_len,
		      int *raw);

/* A metadata stream: records cut into 8 KiB blocks, each compressed and
 * preceded by its 16-bit size, collected in memory. */
struct xar_meta {
	uint8_t block[8192];
	size_t used;          /* bytes in the current (unflushed) block */
	uint8_t *out;         /* flushed blocks, headers included */
	size_t out_len, out_cap;
	ZSTD_CCtx *cctx;
	int level;
	int alt_level;        /* when not 0, also tried; the smaller is kept */
};

int xar_meta_init(struct xar_meta *m, int level);
void xar_meta_free(struct xar_meta *m);
int xar_meta_append(struct xar_meta *m, const void *data, size_t len);
/* Flush a partial block (at the end of a table). */
int xar_meta_flush(struct xar_meta *m);
/* Where the next byte lands: block location relative to the stream start,
 * and offset inside that block's uncompressed data. */
static inline uint64_t xar_meta_block_pos(const struct xar_meta *m)
{
	return m->out_len;
}
static inline uint32_t xar_meta_offset(const struct xar_meta *m)
{
	return (uint32_t)m->used;
}

/* File data and fragments. */
struct xar_sqfs_data;

struct xar_sqfs_frag {
	uint64_t start;
	uint32_t size; /* with SQFS_DATA_UNCOMPRESSED when raw */
};

int xar_sqfs_data_open(struct xar_sqfs_data **d, int fd, uint64_t base,
		       uint64_t pos, uint32_t block_size, int level,
		       unsigned threads, struct xar_err *err);
/* Queue the contents of regular file n (n->src) for writing; n->data is
 * filled in as the blocks are written (complete after finish). */
int xar_sqfs_data_add(struct xar_sqfs_data *d, struct xar_node *n,
		      struct xar_err *err);
/* Write everything still queued; *end is the image position after the
 * data. The fragment list stays owned by d until close. */
int xar_sqfs_data_finish(struct xar_sqfs_data *d, uint64_t *end,
			 const struct xar_sqfs_frag **frags, uint32_t *nfrags,
			 struct xar_err *err);
void xar_sqfs_data_close(struct xar_sqfs_data *d);

/* Inode and directory tables. */
struct xar_sqfs_tables {
	struct xar_meta inodes, dirs;
	uint32_t *ids;        /* sorted unique uids and gids */
	size_t nids;
	uint64_t *export;     /* inode number - 1 -> inode reference */
	uint32_t ninodes;
	uint64_t root_ref;
	uint32_t block_size;
	uint8_t *scratch;     /* one record being encoded */
	size_t scratch_cap;
};

/* Number every inode (post-order, the order they are written in) and
 * collect the id table. */
int xar_sqfs_number(struct xar_tree *t, struct xar_sqfs_tables *tb,
		    struct xar_err *err);
/* Encode all inodes and directory listings; n->data must be complete. */
int xar_sqfs_write_inodes(struct xar_tree *t, struct xar_sqfs_tables *tb,
			  struct xar_err *err);
void xar_sqfs_tables_free(struct xar_sqfs_tables *tb);

#endif
