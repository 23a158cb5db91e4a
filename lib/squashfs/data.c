/* File data and fragment blocks of the SquashFS writer.
 *
 * The caller queues files in a fixed order. Each full block of a file and
 * each fragment block becomes a job with a sequence number; worker threads
 * compress jobs in any order, and jobs are written to the image strictly in
 * sequence order, so the output does not depend on the thread count. A ring
 * of slots bounds memory: the producer waits for the oldest job to be
 * written before reusing its slot. */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_c_literalCompressionMode */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "base/base.h"

enum slot_state { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

enum { QUICK_MIN_MATCH = 4 };

struct slot {
	enum slot_state state;
	uint8_t *in, *out;
	size_t in_len, out_len;
	int raw;
	int may_be_sparse;           /* a full data block: all zeros -> hole */
	int hole;                    /* known to be a hole: nothing was read */
	int quick;                   /* compressed for decompression speed */
	struct xar_file_data *file;  /* data block of this file … */
	uint64_t block;              /* … at this index, or */
	uint32_t frag;               /* fragment block number when !file */
};

struct xar_sqfs_data {
	int fd;
	uint64_t base;        /* file offset of the image */
	uint64_t pos;         /* image offset of the next byte written */
	uint32_t block_size;
	int level;
	struct slot *slots;
	size_t nslots;
	uint64_t submitted, compressed, written; /* sequence counters */
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	pthread_t *workers;
	unsigned nworkers;
	int stop;
	ZSTD_CCtx *cctx;      /* for the caller's thread when there are no workers */
	uint8_t *frag_buf;    /* the fragment block being filled */
	size_t frag_used;
	struct xar_sqfs_frag *frags;
	size_t nfrags, capfrags;
};

/* zstd at level with matches of at least QUICK_MIN_MATCH bytes and the
 * literals left uncompressed: fewer sequences and no Huffman tables to
 * decode. Debian's python3.11, libc and libm in 128 KiB blocks at level
 * 16 decompress 1.55 times as fast this way, for 14% more bytes (minimum
 * 5: 1.85 times, 21% more; too many for a hermetic hello world's 16 MiB).
 * ZSTD_compressCCtx resets these parameters: other blocks are as before. */
static size_t compress_quick(ZSTD_CCtx *cctx, int level, const void *in,
			     size_t in_len, void *out, size_t out_cap)
{
	size_t e;

	ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
	e = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(e))
		e = ZSTD_CCtx_setParameter(cctx, ZSTD_c_minMatch,
					   QUICK_MIN_MATCH);
	if (!ZSTD_isError(e))
		e = ZSTD_CCtx_setParameter(cctx, ZSTD_c_literalCompressionMode,
					   ZSTD_ps_disable);
	if (!ZSTD_isError(e))
		e = ZSTD_compress2(cctx, out, out_cap, in, in_len);
	return e;
}

int xar_sqfs_compress(ZSTD_CCtx *cctx, int level, int quick, const void *in,
		      size_t in_len, void *out, size_t out_cap, size_t *out_len,
		      int *raw)
{
	size_t n = quick ? compress_quick(cctx, level, in, in_len, out, out_cap)
			 : ZSTD_compressCCtx(cctx, out, out_cap, in, in_len,
					     level);

	if (ZSTD_isError(n) || n >= in_len) {
		memcpy(out, in, in_len);
		*out_len = in_len;
		*raw = 1;
		return 0;
	}
	*out_len = n;
	*raw = 0;
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	static const uint8_t zero[4096];

	while (n >= sizeof(zero)) {
		if (memcmp(p, zero, sizeof(zero)))
			return 0;
		p += sizeof(zero);
		n -= sizeof(zero);
	}
	return !memcmp(p, zero, n);
}

static void compress_slot(struct xar_sqfs_data *d, ZSTD_CCtx *cctx,
			  struct slot *s)
{
	if (s->hole || (s->may_be_sparse && all_zero(s->in, s->in_len))) {
		s->out_len = 0;
		s->raw = 0;
		return;
	}
	xar_sqfs_compress(cctx, d->level, s->quick, s->in, s->in_len, s->out,
			  ZSTD_compressBound(d->block_size), &s->out_len,
			  &s->raw);
}

static void *worker_main(void *arg)
{
	struct xar_sqfs_data *d = arg;
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	pthread_mutex_lock(&d->lock);
	for (;;) {
		struct slot *s;

		while (!d->stop && d->compressed == d->submitted)
			pthread_cond_wait(&d->work, &d->lock);
		if (d->stop)
			break;
		s = &d->slots[d->compressed++ % d->nslots];
		pthread_mutex_unlock(&d->lock);
		if (cctx) {
			compress_slot(d, cctx, s);
		} else { /* no memory for a context: keep the data as is */
			memcpy(s->out, s->in, s->in_len);
			s->out_len = s->in_len;
			s->raw = 1;
		}
		pthread_mutex_lock(&d->lock);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&d->done);
	}
	pthread_mutex_unlock(&d->lock);
	ZSTD_freeCCtx(cctx);
	return NULL;
}

static int write_slot(struct xar_sqfs_data *d, struct slot *s,
		      struct xar_err *err)
{
	uint32_t word = (uint32_t)s->out_len |
			(s->raw ? SQFS_DATA_UNCOMPRESSED : 0);

	if (s->file) {
		if (s->block == 0)
			s->file->start = d->pos;
		s->file->blocks[s->block] = word;
		if (!s->out_len)
			s->file->sparse += s->in_len;
	} else {
		d->frags[s->frag].start = d->pos;
		d->frags[s->frag].size = word;
	}
	if (s->out_len &&
	    xar_pwrite_all(d->fd, s->out, s->out_len, d->base + d->pos))
		return xar_err_sys(err, "cannot write the image");
	d->pos += s->out_len;
	return 0;
}

/* Write finished jobs in sequence order; with wait, block until at least
 * the oldest outstanding job has been written. */
static int drain(struct xar_sqfs_data *d, int wait, struct xar_err *err)
{
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	while (d->written < d->submitted) {
		struct slot *s = &d->slots[d->written % d->nslots];

		if (s->state != SLOT_DONE) {
			if (!wait)
				break;
			pthread_cond_wait(&d->done, &d->lock);
			continue;
		}
		pthread_mutex_unlock(&d->lock);
		rc = write_slot(d, s, err);
		pthread_mutex_lock(&d->lock);
		if (rc)
			break;
		s->state = SLOT_FREE;
		d->written++;
		wait = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static struct slot *slot_get(struct xar_sqfs_data *d, struct xar_err *err)
{
	struct slot *s = &d->slots[d->submitted % d->nslots];

	while (s->state != SLOT_FREE)
		if (drain(d, 1, err))
			return NULL;
	return s;
}

static int slot_submit(struct xar_sqfs_data *d, struct slot *s,
		       struct xar_err *err)
{
	if (!d->nworkers) {
		compress_slot(d, d->cctx, s);
		s->state = SLOT_DONE;
		d->submitted++;
		d->compressed++;
	} else {
		pthread_mutex_lock(&d->lock);
		s->state = SLOT_QUEUED;
		d->submitted++;
		pthread_cond_signal(&d->work);
		pthread_mutex_unlock(&d->lock);
	}
	return drain(d, 0, err);
}

static int flush_fragment(struct xar_sqfs_data *d, struct xar_err *err)
{
	struct slot *s;
	uint8_t *tmp;

	if (!d->frag_used)
		return 0;
	if (d->nfrags == d->capfrags &&
	    xar_grow((void **)&d->frags, &d->capfrags, sizeof(*d->frags), 64))
		return xar_err_set(err, ENOMEM, "out of memory");
	if (!(s = slot_get(d, err)))
		return -1;
	tmp = s->in;
	s->in = d->frag_buf;
	d->frag_buf = tmp;
	s->in_len = d->frag_used;
	s->may_be_sparse = 0;
	s->hole = 0;
	s->quick = 0;
	s->file = NULL;
	s->frag = (uint32_t)d->nfrags++;
	d->frag_used = 0;
	return slot_submit(d, s, err);
}

/* Where the file's data extents are, to skip holes without reading them. */
struct extents {
	int fd;
	uint64_t size, data_start, data_end;
};

/* Is [off, off+len) entirely inside a hole? */
static int in_hole(struct extents *x, uint64_t off, uint64_t len)
{
	if (off >= x->data_end) {
		off_t s = lseek(x->fd, (off_t)off, SEEK_DATA);
		off_t e;

		if (s < 0) {
			/* ENXIO: only a hole remains; otherwise no hole
			 * support, so treat the rest as data. */
			x->data_start = errno == ENXIO ? x->size : off;
			x->data_end = x->size;
			return off + len <= x->data_start;
		}
		e = lseek(x->fd, s, SEEK_HOLE);
		x->data_start = (uint64_t)s;
		x->data_end = e < 0 ? x->size : (uint64_t)e;
	}
	return off + len <= x->data_start;
}

/* Read part of file n, from fd or from its generated contents. */
static int read_block(const struct xar_node *n, int fd, void *buf,
		      size_t len, uint64_t off, struct xar_err *err)
{
	long long got;

	if (n->content) {
		memcpy(buf, n->content + off, len);
		return 0;
	}
	got = xar_pread_full(fd, buf, len, off);
	if (got < 0)
		return xar_err_sys(err, "cannot read '%s'", n->src);
	if ((size_t)got != len)
		return xar_err_set(err, EIO, "'%s' changed while being read",
				   n->src);
	return 0;
}

static int queue_blocks(struct xar_sqfs_data *d, struct xar_node *n, int fd,
			struct xar_err *err)
{
	struct xar_file_data *fdata = n->data;
	struct extents x = { fd, n->size, 0, 0 };
	uint64_t i;

	for (i = 0; i < fdata->nblocks; i++) {
		uint64_t off = i * d->block_size;
		struct slot *s = slot_get(d, err);
		size_t len = n->size - off < d->block_size ?
			     (size_t)(n->size - off) : d->block_size;

		if (!s)
			return -1;
		s->in_len = len;
		s->file = fdata;
		s->block = i;
		s->quick = n->quick_read;
		s->may_be_sparse = len == d->block_size;
		s->hole = s->may_be_sparse && !n->content &&
			  in_hole(&x, off, len);
		if (!s->hole && read_block(n, fd, s->in, len, off, err))
			return -1;
		if (slot_submit(d, s, err))
			return -1;
	}
	return 0;
}

static int queue_tail(struct xar_sqfs_data *d, struct xar_node *n, int fd,
		      struct xar_err *err)
{
	struct xar_file_data *fdata = n->data;
	size_t tail = (size_t)(n->size % d->block_size);

	fdata->frag_index = SQFS_INVALID_FRAG;
	if (!tail || n->size > d->block_size)
		return 0;
	if (d->frag_used + tail > d->block_size && flush_fragment(d, err))
		return -1;
	if (read_block(n, fd, d->frag_buf + d->frag_used, tail,
		       n->size - tail, err))
		return -1;
	fdata->frag_index = (uint32_t)d->nfrags;
	fdata->frag_offset = (uint32_t)d->frag_used;
	d->frag_used += tail;
	return 0;
}

int xar_sqfs_data_add(struct xar_sqfs_data *d, struct xar_node *n,
		      struct xar_err *err)
{
	struct xar_file_data *fdata = n->data;
	struct stat st;
	int fd, rc = -1;

	/* Files under a block go into fragments; a larger file's tail is a
	 * short last block of its own, which packs smaller overall (measured
	 * on a Python tree) and reads without a second block. */
	fdata->nblocks = n->size / d->block_size;
	if (n->size > d->block_size && n->size % d->block_size)
		fdata->nblocks++;
	fdata->blocks = calloc(fdata->nblocks ? fdata->nblocks : 1,
			       sizeof(*fdata->blocks));
	if (!fdata->blocks)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (!n->size) {
		fdata->frag_index = SQFS_INVALID_FRAG;
		return 0;
	}
	if (n->content)
		return queue_blocks(d, n, -1, err) || queue_tail(d, n, -1, err) ?
		       -1 : 0;
	fd = open(n->src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return xar_err_sys(err, "cannot open '%s'", n->src);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != n->size) {
		xar_err_set(err, EIO, "'%s' changed while being packed", n->src);
		goto out;
	}
	if (queue_blocks(d, n, fd, err) || queue_tail(d, n, fd, err))
		goto out;
	rc = 0;
out:
	close(fd);
	return rc;
}

static int start_workers(struct xar_sqfs_data *d, unsigned threads)
{
	unsigned i;

	d->workers = calloc(threads, sizeof(*d->workers));
	if (!d->workers)
		return -1;
	for (i = 0; i < threads; i++) {
		if (pthread_create(&d->workers[i], NULL, worker_main, d))
			return -1;
		d->nworkers++;
	}
	return 0;
}

int xar_sqfs_data_open(struct xar_sqfs_data **out, int fd, uint64_t base,
		       uint64_t pos, uint32_t block_size, int level,
		       unsigned threads, struct xar_err *err)
{
	struct xar_sqfs_data *d = calloc(1, sizeof(*d));
	size_t i, bound = ZSTD_compressBound(block_size);

	if (!d)
		return xar_err_set(err, ENOMEM, "out of memory");
	d->fd = fd;
	d->base = base;
	d->pos = pos;
	d->block_size = block_size;
	d->level = level;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->work, NULL);
	pthread_cond_init(&d->done, NULL);
	d->nslots = threads > 1 ? 2 * (size_t)threads + 2 : 1;
	d->slots = calloc(d->nslots, sizeof(*d->slots));
	d->frag_buf = malloc(block_size);
	d->cctx = ZSTD_createCCtx();
	if (!d->slots || !d->frag_buf || !d->cctx)
		goto oom;
	for (i = 0; i < d->nslots; i++) {
		d->slots[i].in = malloc(block_size);
		d->slots[i].out = malloc(bound);
		if (!d->slots[i].in || !d->slots[i].out)
			goto oom;
	}
	if (threads > 1 && start_workers(d, threads))
		goto oom;
	*out = d;
	return 0;
oom:
	xar_sqfs_data_close(d);
	return xar_err_set(err, ENOMEM, "out of memory");
}

int xar_sqfs_data_finish(struct xar_sqfs_data *d, uint64_t *end,
			 const struct xar_sqfs_frag **frags, uint32_t *nfrags,
			 struct xar_err *err)
{
	if (flush_fragment(d, err))
		return -1;
	while (d->written < d->submitted)
		if (drain(d, 1, err))
			return -1;
	*end = d->pos;
	*frags = d->frags;
	*nfrags = (uint32_t)d->nfrags;
	return 0;
}

void xar_sqfs_data_close(struct xar_sqfs_data *d)
{
	size_t i;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_cond_broadcast(&d->work);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < d->nworkers; i++)
		pthread_join(d->workers[i], NULL);
	for (i = 0; d->slots && i < d->nslots; i++) {
		free(d->slots[i].in);
		free(d->slots[i].out);
	}
	free(d->slots);
	free(d->workers);
	free(d->frag_buf);
	free(d->frags);
	ZSTD_freeCCtx(d->cctx);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->work);
	pthread_cond_destroy(&d->done);
	free(d);
}
