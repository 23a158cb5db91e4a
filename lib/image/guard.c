/* Guards around libsquashfuse for hostile images (declared in image.h). */
#include "image.h"

#include <string.h>
#include <sys/stat.h>

#define MD_SIZE 8192u /* a metadata block's data, when full */
/* Blocks start after the superblock. The caches of 0.1.10x also take
 * position 0 for "empty slot" and return its NULL block as a hit. */
#define FIRST_BLOCK 96u

/* ---- metadata blocks ---- */

/* Decompressed size of the metadata block at table + block, or -1. */
static long long md_block_size(sqfs *fs, uint64_t table, uint64_t block)
{
	uint64_t used = fs->sb.bytes_used;
	sqfs_off_t pos;
	sqfs_block *b;

	if (table > used || block > used - table || table + block < FIRST_BLOCK)
		return -1;
	pos = (sqfs_off_t)(table + block);
	if (sqfs_md_cache(fs, &pos, &b) != SQFS_OK || !b)
		return -1;
	return (long long)b->size; /* the cache keeps b */
}

/* A cursor may start at most at the end of its block: sqfs_md_read then
 * moves on to the next one. */
static sqfs_err md_start_ok(sqfs *fs, uint64_t table, uint64_t block,
			    size_t offset)
{
	long long size = md_block_size(fs, table, block);

	return size >= 0 && offset <= (unsigned long long)size ?
	       SQFS_OK : SQFS_ERR;
}

/* Every metadata block of a table of count entries of each bytes holds
 * its share of them (8 KiB, less in the last block). */
static sqfs_err table_ok(sqfs *fs, const sqfs_table *t, uint64_t count,
			 size_t each)
{
	uint64_t bytes = count * each, i;
	uint64_t nblocks = (bytes + MD_SIZE - 1) / MD_SIZE;

	for (i = 0; i < nblocks; i++) {
		uint64_t need = bytes - i * MD_SIZE;
		long long size = md_block_size(fs, 0, t->blocks[i]);

		if (size < 0 || (uint64_t)size < (need < MD_SIZE ? need : MD_SIZE))
			return SQFS_ERR;
	}
	return SQFS_OK;
}

/* What is wrong with the tables, or NULL. */
static const char *bad_table(sqfs *fs)
{
	const struct squashfs_super_block *sb = &fs->sb;

	if (table_ok(fs, &fs->id_table, sb->no_ids, 4))
		return "the superblock counts more ids than the id table holds";
	if (table_ok(fs, &fs->frag_table, sb->fragments, 16))
		return "the superblock counts more fragments than the fragment "
		       "table holds";
	if (sb->lookup_table_start != (uint64_t)SQUASHFS_INVALID_BLK &&
	    table_ok(fs, &fs->export_table, sb->inodes, 8))
		return "the superblock counts more inodes than the export "
		       "table holds";
	if (sb->xattr_id_table_start != (uint64_t)SQUASHFS_INVALID_BLK &&
	    table_ok(fs, &fs->xattr_table, fs->xattr_info.xattr_ids, 16))
		return "the xattr id table is shorter than its count";
	if (md_start_ok(fs, sb->inode_table_start, sb->root_inode >> 16,
			sb->root_inode & 0xffff))
		return "the root inode lies outside its metadata block";
	return NULL;
}

/* sqfs_destroy (0.1.10x) forgets the xattr id table's index; freeing it
 * first stays right should a later version free it too (it is NULLed). */
void xar_guard_destroy(sqfs *fs)
{
	sqfs_table_destroy(&fs->xattr_table);
	sqfs_destroy(fs);
	xar_decompress_release();
}

sqfs_err xar_guard_init(sqfs *fs, int fd, size_t offset, const char **why)
{
	sqfs_err e;

	*why = NULL;
	memset(fs, 0, sizeof(*fs)); /* sqfs_init (0.1.10x) does not */
	e = sqfs_init(fs, fd, offset);
	if (e != SQFS_OK) {
		sqfs_table_destroy(&fs->xattr_table);
		return e;
	}
	if ((*why = bad_table(fs))) {
		xar_guard_destroy(fs);
		return SQFS_ERR;
	}
	xar_decompress_keep(fs);
	return SQFS_OK;
}

sqfs_err xar_guard_inode_get(sqfs *fs, sqfs_inode *in, sqfs_inode_id ref)
{
	if (md_start_ok(fs, fs->sb.inode_table_start, ref >> 16, ref & 0xffff))
		return SQFS_ERR;
	return sqfs_inode_get(fs, in, ref);
}

/* Not in the installed headers, exported by libsquashfuse since 2012. */
sqfs_err sqfs_stat(sqfs *fs, sqfs_inode *inode, struct stat *st);

sqfs_err xar_guard_stat(sqfs *fs, sqfs_inode *in, struct stat *st)
{
	if (in->base.uid >= fs->sb.no_ids || in->base.guid >= fs->sb.no_ids)
		return SQFS_ERR;
	return sqfs_stat(fs, in, st);
}

/* ---- directories ---- */

sqfs_err xar_guard_dir_open(sqfs *fs, sqfs_inode *dir, sqfs_dir *d)
{
	if (!S_ISDIR(dir->base.mode) ||
	    md_start_ok(fs, fs->sb.directory_table_start,
			dir->xtra.dir.start_block, dir->xtra.dir.offset))
		return SQFS_ERR;
	return sqfs_dir_open(fs, dir, d, 0);
}

sqfs_err xar_guard_dir_open_at(sqfs *fs, sqfs_inode *dir, sqfs_dir *d,
				sqfs_off_t offset, char *names)
{
	sqfs_dir_entry e;
	sqfs_err err;

	if ((err = xar_guard_dir_open(fs, dir, d)))
		return err;
	sqfs_dentry_init(&e, names);
	while (d->offset < offset && xar_guard_dir_next(fs, d, &e, &err))
		;
	if (err)
		return err;
	return d->offset == offset ? SQFS_OK : SQFS_ERR;
}

bool xar_guard_dir_next(sqfs *fs, sqfs_dir *d, sqfs_dir_entry *e,
			sqfs_err *err)
{
	if (!sqfs_dir_next(fs, d, e, err))
		return false;
	if (e->name_size > SQUASHFS_NAME_LEN) {
		*err = SQFS_ERR;
		return false;
	}
	return true;
}

sqfs_err xar_guard_dir_lookup(sqfs *fs, sqfs_inode *dir, const char *name,
			      size_t len, sqfs_dir_entry *e, bool *found)
{
	sqfs_dir d;
	sqfs_err err;

	*found = false;
	if ((err = xar_guard_dir_open(fs, dir, &d)))
		return err;
	while (xar_guard_dir_next(fs, &d, e, &err))
		if (e->name_size == len && !memcmp(e->name, name, len)) {
			*found = true;
			return SQFS_OK;
		}
	return err;
}

/* ---- file data ---- */

static int same_file(const struct xar_guard_cursor *c, const sqfs_inode *in)
{
	return c->index && c->key.block == in->next.block &&
	       c->key.offset == in->next.offset &&
	       c->start_block == in->xtra.reg.start_block &&
	       c->bl.remain + c->index == sqfs_blocklist_count(c->bl.fs,
							       (sqfs_inode *)in);
}

/* Stand c's block list at block b (0-based) of the file. */
static sqfs_err seek_block(sqfs *fs, sqfs_inode *in, uint64_t b,
			   struct xar_guard_cursor *c)
{
	if (!same_file(c, in) || c->index > b + 1) {
		sqfs_blocklist_init(fs, in, &c->bl);
		c->key = in->next;
		c->start_block = in->xtra.reg.start_block;
		c->index = 0;
	}
	while (c->index < b + 1) {
		if (sqfs_blocklist_next(&c->bl)) {
			c->index = 0;
			return SQFS_ERR;
		}
		c->index++;
	}
	return SQFS_OK;
}

/* A data or fragment block's stored size is at most a block (writers store
 * what does not compress raw) and it lies inside the image: libsquashfuse
 * mallocs what the header says, up to 4 GiB. */
int xar_guard_data_block_ok(const sqfs *fs, uint64_t pos, uint32_t hdr)
{
	uint64_t size = hdr & ~(uint32_t)SQUASHFS_COMPRESSED_BIT_BLOCK;

	return pos >= FIRST_BLOCK && size <= fs->sb.block_size &&
	       pos <= fs->sb.bytes_used && size <= fs->sb.bytes_used - pos;
}

/* Copy [off, off + n) of a block of `expect` bytes: a hole is zeros. */
static sqfs_err copy_block(sqfs *fs, const struct xar_guard_cursor *c,
			   uint64_t expect, uint64_t off, uint64_t n, char *dst)
{
	const sqfs_blocklist *bl = &c->bl;
	sqfs_block *b;

	if (!bl->input_size) {
		memset(dst, 0, n);
		return SQFS_OK;
	}
	if (!xar_guard_data_block_ok(fs, bl->block, bl->header))
		return SQFS_ERR;
	if (c->src && c->src->copy(c->src->arg, bl->block, bl->header, off, n,
				   dst))
		return SQFS_OK;
	if (sqfs_data_cache(fs, &fs->data_cache, bl->block, bl->header, &b) ||
	    !b || b->size < expect)
		return SQFS_ERR;
	memcpy(dst, (char *)b->data + off, n);
	return SQFS_OK;
}

/* The fragment entry of a file with a tail, checked. */
static sqfs_err frag_entry(sqfs *fs, sqfs_inode *in,
			   struct squashfs_fragment_entry *frag)
{
	if (in->xtra.reg.frag_idx == SQUASHFS_INVALID_FRAG ||
	    in->xtra.reg.frag_idx >= fs->sb.fragments ||
	    sqfs_frag_entry(fs, frag, in->xtra.reg.frag_idx) ||
	    !xar_guard_data_block_ok(fs, frag->start_block, frag->size))
		return SQFS_ERR;
	return SQFS_OK;
}

static sqfs_err copy_tail(sqfs *fs, sqfs_inode *in, uint64_t off, uint64_t n,
			  char *dst, const struct xar_block_source *src)
{
	struct squashfs_fragment_entry frag;
	uint64_t at = in->xtra.reg.frag_off;
	uint64_t tail = in->xtra.reg.file_size % fs->sb.block_size;
	sqfs_block *b;

	if (frag_entry(fs, in, &frag) || off + n > tail)
		return SQFS_ERR;
	if (src && src->copy(src->arg, frag.start_block, frag.size, at + off, n,
			     dst))
		return SQFS_OK;
	/* what sqfs_frag_block does, without looking the entry up again */
	if (sqfs_data_cache(fs, &fs->frag_cache, frag.start_block, frag.size,
			    &b) || !b || at > b->size || b->size - at < tail)
		return SQFS_ERR;
	memcpy(dst, (char *)b->data + at + off, n);
	return SQFS_OK;
}

sqfs_err xar_guard_read_range(sqfs *fs, sqfs_inode *in, uint64_t start,
			      uint64_t *size, void *buf,
			      struct xar_guard_cursor *c)
{
	struct xar_guard_cursor local;
	uint64_t fsize = in->xtra.reg.file_size, bs = fs->sb.block_size;
	uint64_t want, done = 0, nblocks, b;
	char *dst = buf;

	if (!c) {
		memset(&local, 0, sizeof(local));
		c = &local;
	}
	if (!S_ISREG(in->base.mode) || !bs)
		return SQFS_ERR;
	want = start < fsize ? fsize - start : 0;
	if (want > *size)
		want = *size;
	*size = 0;
	nblocks = sqfs_blocklist_count(fs, in);
	for (b = start / bs; done < want && b < nblocks; b++) {
		uint64_t pos = start + done, expect = fsize - b * bs;
		uint64_t off = pos - b * bs, n;

		if (expect > bs)
			expect = bs;
		n = expect - off < want - done ? expect - off : want - done;
		if (seek_block(fs, in, b, c) ||
		    copy_block(fs, c, expect, off, n, dst + done))
			return SQFS_ERR;
		done += n;
	}
	if (done < want) {
		if (copy_tail(fs, in, start + done - nblocks * bs, want - done,
			      dst + done, c->src))
			return SQFS_ERR;
		done = want;
	}
	*size = done;
	return SQFS_OK;
}

sqfs_err xar_guard_file_blocks(sqfs *fs, sqfs_inode *in,
			       int (*fn)(void *arg,
					 const struct xar_guard_piece *piece),
			       void *arg)
{
	uint64_t fsize = in->xtra.reg.file_size, bs = fs->sb.block_size;
	struct squashfs_fragment_entry frag;
	struct xar_guard_piece pc;
	uint64_t nblocks, b;
	sqfs_blocklist bl;

	if (!S_ISREG(in->base.mode) || !bs)
		return SQFS_ERR;
	nblocks = sqfs_blocklist_count(fs, in);
	sqfs_blocklist_init(fs, in, &bl);
	for (b = 0; b < nblocks; b++) {
		if (sqfs_blocklist_next(&bl))
			return SQFS_ERR;
		if (!bl.input_size)
			continue;
		if (!xar_guard_data_block_ok(fs, bl.block, bl.header))
			return SQFS_ERR;
		pc.pos = bl.block;
		pc.hdr = bl.header;
		pc.file_off = b * bs;
		pc.block_off = 0;
		pc.len = fsize - pc.file_off < bs ? fsize - pc.file_off : bs;
		if (fn(arg, &pc))
			return SQFS_OK;
	}
	if (fsize > nblocks * bs &&
	    in->xtra.reg.frag_idx != SQUASHFS_INVALID_FRAG) {
		if (frag_entry(fs, in, &frag))
			return SQFS_ERR;
		pc.pos = frag.start_block;
		pc.hdr = frag.size;
		pc.file_off = nblocks * bs;
		pc.block_off = in->xtra.reg.frag_off;
		pc.len = fsize - pc.file_off;
		fn(arg, &pc);
	}
	return SQFS_OK;
}
