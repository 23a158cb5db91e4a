/* The SquashFS writer's top level: lays out the image
 *
 *   superblock | compressor options | data and fragments | inode table |
 *   directory table | fragment table | export table | id table
 *
 * and writes the superblock last, once every table's place is known. */
#include "squashfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "base/base.h"
#include "format.h"
#include "internal.h"

struct layout {
	uint64_t pos;   /* next free image offset */
	uint64_t inode_table, dir_table, frag_table, export_table, id_table;
	uint32_t nfrags;
	uint16_t flags;
};

/* Regular files in the order their data is written: the start-up list's
 * files first, by rank, then the others as a depth-first walk in name
 * order meets them (each directory's files and subdirectories in name
 * order, a subdirectory's contents where its name comes), the order
 * mksquashfs writes: neighbours share fragment blocks, so the order is
 * part of the size (inode-number order, subdirectories before their
 * parent's files, came out up to 0.16% larger on a dist-packages). */
struct files {
	struct xar_node **v;
	size_t n;
};

/* x's data goes before y's. */
static int before(const struct xar_node *x, const struct xar_node *y)
{
	uint64_t rx = x->rank ? x->rank : UINT64_MAX;
	uint64_t ry = y->rank ? y->rank : UINT64_MAX;

	return rx != ry ? rx < ry : x->seq < y->seq;
}

static int cmp_order(const void *a, const void *b)
{
	const struct xar_node *x = *(struct xar_node *const *)a;
	const struct xar_node *y = *(struct xar_node *const *)b;

	return before(x, y) ? -1 : before(y, x);
}

/* Append dir's regular files to f in walk order (a hard-linked file
 * where the walk first meets it). Depth is bounded by the tree's. */
static void walk_files(const struct xar_node *dir, struct files *f)
{
	size_t i;

	for (i = 0; i < dir->nchildren; i++) {
		struct xar_node *n = dir->children[i].node;

		if (S_ISDIR(n->mode))
			walk_files(n, f);
		else if (S_ISREG(n->mode) && n->ino && !n->seq) {
			f->v[f->n++] = n;
			n->seq = (uint32_t)f->n;
		}
	}
}

static int collect_files(struct xar_tree *t, const struct xar_sqfs_tables *tb,
			 struct files *f)
{
	size_t i;

	f->v = calloc(tb->ninodes ? tb->ninodes : 1, sizeof(*f->v));
	if (!f->v)
		return -1;
	for (i = 0; i < t->nnodes; i++)
		t->nodes[i]->seq = 0;
	walk_files(t->root, f);
	qsort(f->v, f->n, sizeof(*f->v), cmp_order);
	return 0;
}

static int cmp_size_digest(const void *a, const void *b)
{
	const struct xar_node *x = *(struct xar_node *const *)a;
	const struct xar_node *y = *(struct xar_node *const *)b;
	int c;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->data->hashed != y->data->hashed)
		return x->data->hashed - y->data->hashed;
	c = memcmp(x->data->digest, y->data->digest, XAR_SHA256_LEN);
	if (c)
		return c;
	return cmp_order(a, b);
}

static int cmp_size(const void *a, const void *b)
{
	const struct xar_node *x = *(struct xar_node *const *)a;
	const struct xar_node *y = *(struct xar_node *const *)b;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return cmp_order(a, b);
}

/* Give every file its data record; files with equal contents share the
 * record of the one written first. Only files whose size
 * another file shares are hashed. */
static int share_duplicates(const struct files *f, uint64_t *dups,
			    struct xar_err *err)
{
	struct xar_node **by = malloc((f->n ? f->n : 1) * sizeof(*by));
	size_t i, j;
	int rc = -1;

	if (!by)
		return xar_err_set(err, ENOMEM, "out of memory");
	memcpy(by, f->v, f->n * sizeof(*by));
	for (i = 0; i < f->n; i++)
	{
		if (!(f->v[i]->data = calloc(1, sizeof(struct xar_file_data)))) {
			xar_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		f->v[i]->data->owner = f->v[i];
	}
	qsort(by, f->n, sizeof(*by), cmp_size);
	for (i = 0; i < f->n; i = j) {
		for (j = i + 1; j < f->n && by[j]->size == by[i]->size; j++)
			;
		if (j - i < 2 || !by[i]->size)
			continue;
		for (size_t k = i; k < j; k++) {
			struct xar_file_data *d = by[k]->data;

			if (by[k]->content)
				xar_sha256_mem(by[k]->content, by[k]->size, d->digest);
			else if (xar_sha256_path(by[k]->src, by[k]->size,
						 d->digest, err))
				goto out;
			d->hashed = 1;
		}
	}
	qsort(by, f->n, sizeof(*by), cmp_size_digest);
	for (i = 1; i < f->n; i++) {
		struct xar_node *a = by[i - 1], *b = by[i];

		if (a->size == b->size && (!a->size || (a->data->hashed &&
		    !memcmp(a->data->digest, b->data->digest, XAR_SHA256_LEN)))) {
			free(b->data);
			b->data = a->data;
			(*dups)++;
		}
	}
	rc = 0;
out:
	free(by);
	return rc;
}

static void free_file_data(struct files *f)
{
	size_t i;

	/* Forget shared records first, while their owners still hold them. */
	for (i = 0; i < f->n; i++)
		if (f->v[i]->data && f->v[i]->data->owner != f->v[i])
			f->v[i]->data = NULL;
	for (i = 0; i < f->n; i++) {
		if (f->v[i]->data) {
			free(f->v[i]->data->blocks);
			free(f->v[i]->data);
		}
		f->v[i]->data = NULL;
	}
	free(f->v);
}

static unsigned default_threads(unsigned threads)
{
	long n;

	if (threads)
		return threads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static int write_data(const struct files *f, int fd, uint64_t base,
		      const struct xar_sqfs_opts *o, struct layout *lay,
		      struct xar_sqfs_frag **frags_out, struct xar_err *err)
{
	struct xar_sqfs_data *d;
	const struct xar_sqfs_frag *frags;
	uint64_t total = 0, done = 0;
	size_t i;
	int rc = -1;

	for (i = 0; i < f->n; i++)
		if (f->v[i]->data->owner == f->v[i])
			total += f->v[i]->size;
	if (xar_sqfs_data_open(&d, fd, base, lay->pos, o->block_size, o->level,
			       default_threads(o->threads), err))
		return -1;
	for (i = 0; i < f->n; i++) {
		struct xar_node *n = f->v[i];

		if (n->data->owner != n)
			continue;
		if (xar_sqfs_data_add(d, n, err))
			goto out;
		done += n->size;
		if (o->progress)
			o->progress(done, total, o->progress_arg);
	}
	if (xar_sqfs_data_finish(d, &lay->pos, &frags, &lay->nfrags, err))
		goto out;
	*frags_out = malloc((lay->nfrags ? lay->nfrags : 1) * sizeof(*frags));
	if (!*frags_out) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (lay->nfrags)
		memcpy(*frags_out, frags, lay->nfrags * sizeof(*frags));
	rc = 0;
out:
	xar_sqfs_data_close(d);
	return rc;
}

static int write_bytes(int fd, uint64_t base, struct layout *lay,
		       const void *p, size_t len, struct xar_err *err)
{
	if (xar_pwrite_all(fd, p, len, base + lay->pos))
		return xar_err_sys(err, "cannot write the image");
	lay->pos += len;
	return 0;
}

/* The lookup tables hold little-endian integers in fixed-size records,
 * which zstd's optimal parsers (level 16 and up) compress worse than its
 * lazy ones: on the Python trees of bench/build.sh, level 6 makes the
 * fragment table 11% and the export table 4% smaller. The tables are a
 * few blocks, so each block is compressed both ways and the smaller kept. */
#define TABLE_ALT_LEVEL 6

/* A lookup table: entries in metadata blocks, then the list of the
 * blocks' locations, which is what the superblock points to. */
static int write_lookup_table(int fd, uint64_t base, struct layout *lay,
			      int level, const void *entries, size_t len,
			      uint64_t *table, struct xar_err *err)
{
	struct xar_meta m;
	uint8_t *list = NULL;
	size_t nblocks = 0, off;
	uint64_t start = lay->pos;
	int rc = -1;

	if (!xar_meta_init(&m, level)) {
		m.alt_level = TABLE_ALT_LEVEL;
		if (!xar_meta_append(&m, entries, len) && !xar_meta_flush(&m))
			list = malloc((len / SQFS_META_SIZE + 1) * 8);
	}
	if (!list) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (off = 0; off < m.out_len; nblocks++) {
		xar_put64(list + 8 * nblocks, start + off);
		off += 2 + (xar_get16(m.out + off) & ~SQFS_META_UNCOMPRESSED);
	}
	if (write_bytes(fd, base, lay, m.out, m.out_len, err))
		goto out;
	*table = lay->pos;
	rc = write_bytes(fd, base, lay, list, 8 * nblocks, err);
out:
	free(list);
	xar_meta_free(&m);
	return rc;
}

static int write_tables(int fd, uint64_t base, struct layout *lay, int level,
			const struct xar_sqfs_tables *tb,
			const struct xar_sqfs_frag *frags, struct xar_err *err)
{
	size_t i, n = lay->nfrags;
	uint8_t *buf;
	int rc = -1;

	lay->inode_table = lay->pos;
	if (write_bytes(fd, base, lay, tb->inodes.out, tb->inodes.out_len, err))
		return -1;
	lay->dir_table = lay->pos;
	if (write_bytes(fd, base, lay, tb->dirs.out, tb->dirs.out_len, err))
		return -1;
	buf = malloc(SQFS_FRAG_ENTRY_SIZE * (n + 1) + 8 * (size_t)tb->ninodes +
		     4 * tb->nids);
	if (!buf)
		return xar_err_set(err, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		uint8_t *p = buf + SQFS_FRAG_ENTRY_SIZE * i;

		p = xar_put64(p, frags[i].start);
		p = xar_put32(p, frags[i].size);
		xar_put32(p, 0);
	}
	lay->frag_table = SQFS_NO_TABLE;
	if (n && write_lookup_table(fd, base, lay, level, buf,
				    SQFS_FRAG_ENTRY_SIZE * n, &lay->frag_table, err))
		goto out;
	for (i = 0; i < tb->ninodes; i++)
		xar_put64(buf + 8 * i, tb->export[i]);
	if (write_lookup_table(fd, base, lay, level, buf, 8 * (size_t)tb->ninodes,
			       &lay->export_table, err))
		goto out;
	for (i = 0; i < tb->nids; i++)
		xar_put32(buf + 4 * i, tb->ids[i]);
	rc = write_lookup_table(fd, base, lay, level, buf, 4 * tb->nids,
				&lay->id_table, err);
out:
	free(buf);
	return rc;
}

static unsigned log2u(uint32_t v)
{
	unsigned l = 0;

	while (v >>= 1)
		l++;
	return l;
}

static int write_super(int fd, uint64_t base, const struct layout *lay,
		       const struct xar_sqfs_opts *o,
		       const struct xar_sqfs_tables *tb, struct xar_err *err)
{
	uint8_t sb[SQFS_SUPER_SIZE], *p = sb;

	p = xar_put32(p, SQFS_MAGIC);
	p = xar_put32(p, tb->ninodes);
	p = xar_put32(p, o->mkfs_time);
	p = xar_put32(p, o->block_size);
	p = xar_put32(p, lay->nfrags);
	p = xar_put16(p, SQFS_COMP_ZSTD);
	p = xar_put16(p, (uint16_t)log2u(o->block_size));
	p = xar_put16(p, lay->flags);
	p = xar_put16(p, (uint16_t)tb->nids);
	p = xar_put16(p, SQFS_VERSION_MAJOR);
	p = xar_put16(p, SQFS_VERSION_MINOR);
	p = xar_put64(p, tb->root_ref);
	p = xar_put64(p, lay->pos);
	p = xar_put64(p, lay->id_table);
	p = xar_put64(p, SQFS_NO_TABLE);
	p = xar_put64(p, lay->inode_table);
	p = xar_put64(p, lay->dir_table);
	p = xar_put64(p, lay->frag_table);
	xar_put64(p, lay->export_table);
	if (xar_pwrite_all(fd, sb, sizeof(sb), base))
		return xar_err_sys(err, "cannot write the image");
	return 0;
}

/* Non-default zstd level: recorded in an uncompressed metadata block right
 * after the superblock. */
static int write_comp_opts(int fd, uint64_t base, struct layout *lay,
			   int level, struct xar_err *err)
{
	uint8_t b[6];

	if (level == SQFS_ZSTD_DEFAULT_LEVEL)
		return 0;
	xar_put16(b, 4 | SQFS_META_UNCOMPRESSED);
	xar_put32(b + 2, (uint32_t)level);
	lay->flags |= SQFS_FLAG_COMP_OPTS;
	return write_bytes(fd, base, lay, b, sizeof(b), err);
}

static int check_opts(const struct xar_sqfs_opts *o, struct xar_err *err)
{
	if (o->block_size < SQFS_MIN_BLOCK || o->block_size > SQFS_MAX_BLOCK ||
	    (o->block_size & (o->block_size - 1)))
		return xar_err_set(err, EINVAL, "block size %u is not a power of "
				   "two from 4 KiB to 1 MiB", o->block_size);
	if (o->level < 1 || o->level > ZSTD_maxCLevel())
		return xar_err_set(err, EINVAL, "compression level %d is not "
				   "between 1 and %d", o->level, ZSTD_maxCLevel());
	return 0;
}

/* Pad the image with zeros to a multiple of 4 KiB, as the kernel needs. */
static int pad_image(int fd, uint64_t base, uint64_t used, uint64_t *size,
		     struct xar_err *err)
{
	*size = (used + 4095) & ~(uint64_t)4095;
	if (ftruncate(fd, (off_t)(base + *size)))
		return xar_err_sys(err, "cannot write the image");
	return 0;
}

int xar_sqfs_write(struct xar_tree *t, int fd, uint64_t base,
		   const struct xar_sqfs_opts *o, struct xar_sqfs_result *r,
		   struct xar_err *err)
{
	struct xar_sqfs_tables tb = { 0 };
	struct layout lay = { .pos = SQFS_SUPER_SIZE };
	struct files f = { 0 };
	struct xar_sqfs_frag *frags = NULL;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	lay.flags = SQFS_FLAG_DUPLICATES |
		    SQFS_FLAG_EXPORTABLE | SQFS_FLAG_NO_XATTRS;
	if (check_opts(o, err))
		return -1;
	if (xar_meta_init(&tb.inodes, o->level) ||
	    xar_meta_init(&tb.dirs, o->level)) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (xar_sqfs_number(t, &tb, err))
		goto out;
	if (collect_files(t, &tb, &f)) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (share_duplicates(&f, &r->dup_files, err) ||
	    write_comp_opts(fd, base, &lay, o->level, err) ||
	    write_data(&f, fd, base, o, &lay, &frags, err) ||
	    xar_sqfs_write_inodes(t, &tb, err) ||
	    write_tables(fd, base, &lay, o->level, &tb, frags, err) ||
	    write_super(fd, base, &lay, o, &tb, err) ||
	    pad_image(fd, base, lay.pos, &r->image_size, err))
		goto out;
	r->bytes_used = lay.pos;
	r->inodes = tb.ninodes;
	r->fragments = lay.nfrags;
	r->files = f.n;
	for (i = 0; i < f.n; i++)
		r->input_bytes += f.v[i]->size;
	rc = 0;
out:
	free(frags);
	free_file_data(&f);
	xar_sqfs_tables_free(&tb);
	return rc;
}
