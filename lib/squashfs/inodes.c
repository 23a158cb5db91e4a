/* The inode and directory tables of the SquashFS writer.
 *
 * Directories are written depth first, children before parents: a
 * directory's listing needs its children's inode references, and its own
 * inode needs the listing's position. So the contents of every
 * subdirectory come first, and then all of a directory's children
 * together, in name order, subdirectories among files: a listing's
 * entries then point into one or two inode blocks, and a header covers a
 * long run of them. Inode numbers follow the same order, assigned in a
 * first pass because a directory names its parent's number. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "format.h"
#include "base/base.h"

static int add_id(struct xar_sqfs_tables *tb, size_t *cap, uint32_t id)
{
	size_t i;

	for (i = 0; i < tb->nids; i++) /* few distinct ids in practice */
		if (tb->ids[i] == id)
			return 0;
	if (tb->nids == *cap &&
	    xar_grow((void **)&tb->ids, cap, sizeof(*tb->ids), 8))
		return -1;
	tb->ids[tb->nids++] = id;
	return 0;
}

static int number_node(struct xar_sqfs_tables *tb, struct xar_node *n,
		       size_t *idcap)
{
	if (n->ino)
		return 0;
	n->ino = ++tb->ninodes;
	if (tb->nids > 65535 || add_id(tb, idcap, n->uid) ||
	    add_id(tb, idcap, n->gid))
		return -1;
	return 0;
}

/* Number what is below dir, in the order write_children writes it. */
static int number_children(struct xar_sqfs_tables *tb, struct xar_node *dir,
			   size_t *idcap)
{
	size_t i;

	for (i = 0; i < dir->nchildren; i++)
		if (S_ISDIR(dir->children[i].node->mode) &&
		    number_children(tb, dir->children[i].node, idcap))
			return -1;
	for (i = 0; i < dir->nchildren; i++)
		if (number_node(tb, dir->children[i].node, idcap))
			return -1;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int xar_sqfs_number(struct xar_tree *t, struct xar_sqfs_tables *tb,
		    struct xar_err *err)
{
	size_t idcap = 0;

	xar_tree_sort(t);
	if (number_children(tb, t->root, &idcap) ||
	    number_node(tb, t->root, &idcap))
		return xar_err_set(err, ENOMEM,
				   "out of memory or more than 65535 owners");
	qsort(tb->ids, tb->nids, sizeof(*tb->ids), cmp_u32);
	tb->export = calloc(tb->ninodes, sizeof(*tb->export));
	if (!tb->export)
		return xar_err_set(err, ENOMEM, "out of memory");
	return 0;
}

static uint16_t id_index(const struct xar_sqfs_tables *tb, uint32_t id)
{
	const uint32_t *p = bsearch(&id, tb->ids, tb->nids, sizeof(id), cmp_u32);

	return (uint16_t)(p - tb->ids);
}

void xar_sqfs_tables_free(struct xar_sqfs_tables *tb)
{
	xar_meta_free(&tb->inodes);
	xar_meta_free(&tb->dirs);
	free(tb->ids);
	free(tb->export);
	free(tb->scratch);
	memset(tb, 0, sizeof(*tb));
}

static uint8_t *scratch(struct xar_sqfs_tables *tb, size_t len)
{
	while (tb->scratch_cap < len)
		if (xar_grow((void **)&tb->scratch, &tb->scratch_cap, 1, 4096))
			return NULL;
	return tb->scratch;
}

static uint8_t *put_header(const struct xar_sqfs_tables *tb, uint8_t *p,
			   const struct xar_node *n, unsigned type)
{
	p = xar_put16(p, (uint16_t)type);
	p = xar_put16(p, (uint16_t)(n->mode & 07777));
	p = xar_put16(p, id_index(tb, n->uid));
	p = xar_put16(p, id_index(tb, n->gid));
	p = xar_put32(p, (uint32_t)n->mtime);
	return xar_put32(p, n->ino);
}

static uint32_t encode_dev(dev_t d)
{
	uint32_t ma = major(d), mi = minor(d);

	return (ma << 8) | (mi & 0xFF) | ((mi & ~0xFFu) << 12);
}

static uint8_t *put_file(const struct xar_sqfs_tables *tb, uint8_t *p,
			 const struct xar_node *n)
{
	const struct xar_file_data *d = n->data;
	int ext = d->start > UINT32_MAX || n->size > UINT32_MAX ||
		  n->nlink > 1 || d->sparse;
	uint64_t i;

	p = put_header(tb, p, n, ext ? SQFS_LREG : SQFS_REG);
	if (ext) {
		p = xar_put64(p, d->start);
		p = xar_put64(p, n->size);
		p = xar_put64(p, d->sparse);
		p = xar_put32(p, n->nlink);
		p = xar_put32(p, d->frag_index);
		p = xar_put32(p, d->frag_offset);
		p = xar_put32(p, SQFS_INVALID_XATTR);
	} else {
		p = xar_put32(p, (uint32_t)d->start);
		p = xar_put32(p, d->frag_index);
		p = xar_put32(p, d->frag_offset);
		p = xar_put32(p, (uint32_t)n->size);
	}
	for (i = 0; i < d->nblocks; i++)
		p = xar_put32(p, d->blocks[i]);
	return p;
}

static size_t max_inode_size(const struct xar_node *n)
{
	if (S_ISREG(n->mode))
		return SQFS_LREG_INODE_SIZE + 4 * n->data->nblocks;
	if (S_ISLNK(n->mode))
		return SQFS_INODE_HEADER_SIZE + 8 + strlen(n->target);
	return SQFS_INODE_HEADER_SIZE + 8;
}

/* Write a non-directory inode and remember its reference. */
static int write_leaf(struct xar_sqfs_tables *tb, struct xar_node *n)
{
	uint8_t *p, *start = scratch(tb, max_inode_size(n));
	unsigned t;

	if (!start)
		return -1;
	n->ref = xar_meta_ref(xar_meta_block_pos(&tb->inodes),
			      xar_meta_offset(&tb->inodes));
	if (S_ISREG(n->mode)) {
		p = put_file(tb, start, n);
	} else if (S_ISLNK(n->mode)) {
		size_t len = strlen(n->target);

		p = put_header(tb, start, n, SQFS_SYMLINK);
		p = xar_put32(p, n->nlink);
		p = xar_put32(p, (uint32_t)len);
		p = xar_putbytes(p, n->target, len);
	} else {
		t = S_ISBLK(n->mode) ? SQFS_BLKDEV : S_ISCHR(n->mode) ?
		    SQFS_CHRDEV : S_ISFIFO(n->mode) ? SQFS_FIFO : SQFS_SOCKET;
		p = put_header(tb, start, n, t);
		p = xar_put32(p, n->nlink);
		if (t == SQFS_BLKDEV || t == SQFS_CHRDEV)
			p = xar_put32(p, encode_dev(n->rdev));
	}
	n->written = 1;
	tb->export[n->ino - 1] = n->ref;
	return xar_meta_append(&tb->inodes, start, (size_t)(p - start));
}

static unsigned basic_type(mode_t m)
{
	return S_ISDIR(m) ? SQFS_DIR : S_ISREG(m) ? SQFS_REG :
	       S_ISLNK(m) ? SQFS_SYMLINK : S_ISBLK(m) ? SQFS_BLKDEV :
	       S_ISCHR(m) ? SQFS_CHRDEV : S_ISFIFO(m) ? SQFS_FIFO : SQFS_SOCKET;
}

/* A directory listing being written, with its lookup index. */
struct listing {
	uint64_t block;   /* where the listing starts in the directory table */
	uint32_t offset;
	uint64_t size;    /* bytes written so far */
	uint8_t *index;   /* encoded index entries */
	size_t index_len, index_cap;
	uint16_t nindex;
};

static int add_index(struct listing *l, uint64_t block, const char *name)
{
	size_t len = strlen(name);
	uint8_t *p;

	while (l->index_cap - l->index_len < SQFS_DIR_INDEX_SIZE + len)
		if (xar_grow((void **)&l->index, &l->index_cap, 1, 256))
			return -1;
	p = l->index + l->index_len;
	p = xar_put32(p, (uint32_t)l->size);
	p = xar_put32(p, (uint32_t)block);
	p = xar_put32(p, (uint32_t)(len - 1));
	xar_putbytes(p, name, len);
	l->index_len += SQFS_DIR_INDEX_SIZE + len;
	l->nindex++;
	return 0;
}

/* How many children from i on share one header: inodes in one metadata
 * block, numbers within 16 bits of the first one's, at most 256 entries,
 * and no more bytes than room. Sets *bytes to the run's size. */
static size_t header_run(const struct xar_node *dir, size_t i, size_t room,
			 size_t *bytes)
{
	const struct xar_node *first = dir->children[i].node;
	size_t j = i;

	*bytes = SQFS_DIR_HEADER_SIZE;
	while (j < dir->nchildren && j - i < SQFS_DIR_HEADER_MAX) {
		const struct xar_node *n = dir->children[j].node;
		int64_t diff = (int64_t)n->ino - (int64_t)first->ino;
		size_t entry = SQFS_DIR_ENTRY_SIZE + strlen(dir->children[j].name);

		if ((n->ref >> 16) != (first->ref >> 16) || diff < -32768 ||
		    diff > 32767 || *bytes + entry > room)
			break;
		*bytes += entry;
		j++;
	}
	return j - i;
}

static int write_run(struct xar_sqfs_tables *tb, const struct xar_node *dir,
		     size_t i, size_t count, size_t bytes)
{
	const struct xar_node *first = dir->children[i].node;
	uint8_t *p, *start = scratch(tb, bytes);
	size_t k;

	if (!start)
		return -1;
	p = xar_put32(start, (uint32_t)(count - 1));
	p = xar_put32(p, (uint32_t)(first->ref >> 16));
	p = xar_put32(p, first->ino);
	for (k = i; k < i + count; k++) {
		const struct xar_entry *e = &dir->children[k];
		size_t len = strlen(e->name);

		p = xar_put16(p, (uint16_t)(e->node->ref & 0xFFFF));
		p = xar_put16(p, (uint16_t)(int16_t)((int64_t)e->node->ino -
						     (int64_t)first->ino));
		p = xar_put16(p, (uint16_t)basic_type(e->node->mode));
		p = xar_put16(p, (uint16_t)(len - 1));
		p = xar_putbytes(p, e->name, len);
	}
	return xar_meta_append(&tb->dirs, start, bytes);
}

/* The listing goes in stretches of at most one metadata block's worth of
 * bytes; each stretch after the first starts with a header that the
 * directory's index points to, so that a lookup reads at most two blocks
 * past the index. A listing under 8 KiB (nearly all) has no index and
 * fits a basic directory inode. */
static int write_listing(struct xar_sqfs_tables *tb, const struct xar_node *dir,
			 struct listing *l)
{
	uint64_t stretch = 0; /* where the current stretch starts */
	size_t i = 0;

	l->block = xar_meta_block_pos(&tb->dirs);
	l->offset = xar_meta_offset(&tb->dirs);
	while (i < dir->nchildren) {
		size_t bytes, count;

		count = header_run(dir, i, SQFS_META_SIZE - (size_t)(l->size -
				   stretch), &bytes);
		if (!count) { /* not even one entry left room: a new stretch */
			if (add_index(l, xar_meta_block_pos(&tb->dirs),
				      dir->children[i].name))
				return -1;
			stretch = l->size;
			continue;
		}
		if (write_run(tb, dir, i, count, bytes))
			return -1;
		l->size += bytes;
		i += count;
	}
	return 0;
}

static uint32_t dir_nlink(const struct xar_node *dir)
{
	uint32_t n = 2;
	size_t i;

	for (i = 0; i < dir->nchildren; i++)
		n += S_ISDIR(dir->children[i].node->mode) ? 1 : 0;
	return n;
}

static int write_dir_inode(struct xar_sqfs_tables *tb, struct xar_node *dir,
			   const struct listing *l)
{
	uint64_t size = l->size + SQFS_DIR_SIZE_BIAS;
	uint32_t parent = dir->parent ? dir->parent->ino : 0;
	int ext = l->nindex > 0 || size > 0xFFFF;
	uint8_t *p, *start = scratch(tb, SQFS_LDIR_INODE_SIZE + l->index_len);

	if (!start || size > UINT32_MAX || l->block > UINT32_MAX)
		return -1;
	dir->ref = xar_meta_ref(xar_meta_block_pos(&tb->inodes),
				xar_meta_offset(&tb->inodes));
	p = put_header(tb, start, dir, ext ? SQFS_LDIR : SQFS_DIR);
	if (ext) {
		p = xar_put32(p, dir_nlink(dir));
		p = xar_put32(p, (uint32_t)size);
		p = xar_put32(p, (uint32_t)l->block);
		p = xar_put32(p, parent);
		p = xar_put16(p, l->nindex);
		p = xar_put16(p, (uint16_t)l->offset);
		p = xar_put32(p, SQFS_INVALID_XATTR);
		if (l->index_len)
			p = xar_putbytes(p, l->index, l->index_len);
	} else {
		p = xar_put32(p, (uint32_t)l->block);
		p = xar_put32(p, dir_nlink(dir));
		p = xar_put16(p, (uint16_t)size);
		p = xar_put16(p, (uint16_t)l->offset);
		p = xar_put32(p, parent);
	}
	dir->written = 1;
	tb->export[dir->ino - 1] = dir->ref;
	return xar_meta_append(&tb->inodes, start, (size_t)(p - start));
}

/* Write everything below dir and then dir's listing into *l; dir's own
 * inode is its parent's to write, among its siblings. The subdirectories'
 * listings wait in sub until then. */
static int write_children(struct xar_sqfs_tables *tb, struct xar_node *dir,
			  struct listing *l)
{
	struct listing *sub;
	size_t i, k, nsub = 0;
	int rc = -1;

	for (i = 0; i < dir->nchildren; i++)
		nsub += S_ISDIR(dir->children[i].node->mode) ? 1 : 0;
	if (!(sub = calloc(nsub ? nsub : 1, sizeof(*sub))))
		return -1;
	for (i = k = 0; i < dir->nchildren; i++)
		if (S_ISDIR(dir->children[i].node->mode) &&
		    write_children(tb, dir->children[i].node, &sub[k++]))
			goto out;
	for (i = k = 0; i < dir->nchildren; i++) {
		struct xar_node *n = dir->children[i].node;

		if (S_ISDIR(n->mode) ? write_dir_inode(tb, n, &sub[k++]) :
		    !n->written && write_leaf(tb, n))
			goto out;
	}
	rc = write_listing(tb, dir, l);
out:
	for (k = 0; k < nsub; k++)
		free(sub[k].index);
	free(sub);
	return rc;
}

int xar_sqfs_write_inodes(struct xar_tree *t, struct xar_sqfs_tables *tb,
			  struct xar_err *err)
{
	struct listing l = { 0 };
	int rc = write_children(tb, t->root, &l) ||
		 write_dir_inode(tb, t->root, &l);

	free(l.index);
	if (rc)
		return xar_err_set(err, ENOMEM, "out of memory");
	tb->root_ref = t->root->ref;
	if (xar_meta_flush(&tb->inodes) || xar_meta_flush(&tb->dirs))
		return xar_err_set(err, ENOMEM, "out of memory");
	return 0;
}
