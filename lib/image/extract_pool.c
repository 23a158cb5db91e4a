/* Regular files written by a few threads while the walk goes on (see
 * extract_internal.h). The walk makes directories, symlinks and the rest
 * itself, in image order, and hands regular files over in batches: runs of
 * files of one directory, so that a thread reads neighbouring fragment
 * blocks. Each thread has its own image handle (libsquashfuse's caches are
 * not thread-safe), buffer, error and stats. When the queue is full, the
 * walk writes the oldest batch itself, which also keeps memory bounded.
 *
 * Every file has its place in image order (its seq); of the failures, the
 * one with the lowest seq is reported, and files after a known failure are
 * not written, so a failing image gives the message a walk without threads
 * gives. */
#include "image.h"
#include "extract_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

#define BATCH_FILES 64
#define BATCH_BYTES (4u << 20)
#define QUEUE_MAX   16
#define MIN_FILES   16 /* fewer files than this in the image: no threads */

struct file {
	char *path;
	size_t name;          /* where its last part starts in path */
	uint64_t seq;
	struct xar_image_entry e;
};

struct batch {
	int pfd;              /* the directory they go into (owned) */
	size_t n;
	uint64_t bytes;
	struct file f[BATCH_FILES];
};

struct worker {
	struct xar_extract x; /* own image, buffer, error, stats */
	struct xar_err err;
	struct xar_extract_pool *pool;
	pthread_t tid;
};

struct xar_extract_pool {
	pthread_mutex_t lock;
	pthread_cond_t more;  /* a batch queued, or closing */
	pthread_cond_t idle;  /* nothing queued and nothing being written */
	struct batch *queue[QUEUE_MAX];
	size_t head, count, busy;
	int closing;
	uint64_t fail_seq;    /* lowest failing seq, UINT64_MAX: none */
	struct xar_err fail;
	struct batch *open;   /* being filled by the walk */
	struct worker *w;
	size_t nw;
};

/* ---- batches ---- */

static void free_batch(struct batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->f[i].path);
	if (b->pfd >= 0)
		close(b->pfd);
	free(b);
}

static uint64_t fail_seq(struct xar_extract_pool *p)
{
	return __atomic_load_n(&p->fail_seq, __ATOMIC_RELAXED);
}

static void note_failure(struct xar_extract_pool *p, uint64_t seq,
			 const struct xar_err *err)
{
	pthread_mutex_lock(&p->lock);
	if (seq < p->fail_seq) {
		p->fail = *err;
		__atomic_store_n(&p->fail_seq, seq, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&p->lock);
}

/* Write b's files with the context x (a thread's, or the walk's own). */
static void write_batch(struct xar_extract_pool *p, struct xar_extract *x,
			struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct file *f = &b->f[i];

		if (f->seq > fail_seq(p))
			break;
		if (xar_extract_file(x, b->pfd, f->path + f->name, &f->e,
				     f->path)) {
			note_failure(p, f->seq, x->err);
			break;
		}
	}
	free_batch(b);
}

/* With the lock held: the oldest queued batch, counted busy. */
static struct batch *take(struct xar_extract_pool *p)
{
	struct batch *b = p->queue[p->head];

	p->head = (p->head + 1) % QUEUE_MAX;
	p->count--;
	p->busy++;
	return b;
}

/* With the lock held (released meanwhile): write the oldest queued batch
 * with the context x. */
static void write_next(struct xar_extract_pool *p, struct xar_extract *x)
{
	struct batch *b = take(p);

	pthread_mutex_unlock(&p->lock);
	write_batch(p, x, b);
	pthread_mutex_lock(&p->lock);
	if (!--p->busy && !p->count)
		pthread_cond_broadcast(&p->idle);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct xar_extract_pool *p = w->pool;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->count && !p->closing)
			pthread_cond_wait(&p->more, &p->lock);
		if (!p->count)
			break;
		write_next(p, &w->x);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Queue the open batch; when the queue is full, write the oldest one on
 * this thread first. */
static void submit(struct xar_extract *x)
{
	struct xar_extract_pool *p = x->pool;
	struct batch *b = p->open;

	if (!b)
		return;
	p->open = NULL;
	pthread_mutex_lock(&p->lock);
	while (p->count == QUEUE_MAX)
		write_next(p, x);
	p->queue[(p->head + p->count) % QUEUE_MAX] = b;
	p->count++;
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
}

static int open_batch(struct xar_extract *x, int pfd)
{
	struct batch *b = malloc(sizeof(*b));

	if (!b)
		return xar_err_set(x->err, ENOMEM, "out of memory");
	b->n = 0;
	b->bytes = 0;
	b->pfd = fcntl(pfd, F_DUPFD_CLOEXEC, 0);
	if (b->pfd < 0) {
		free(b);
		return xar_err_sys(x->err, "cannot duplicate a descriptor");
	}
	x->pool->open = b;
	return 0;
}

/* 1 when path is in the directory of the open batch's files. */
static int same_dir(const struct batch *b, const char *path)
{
	const struct file *last = &b->f[b->n - 1];
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;

	return last->name == (len ? len + 1 : 0) &&
	       !memcmp(last->path, path, len);
}

int xar_extract_pool_add(struct xar_extract *x, int pfd, const char *name,
			 const struct xar_image_entry *e, const char *path)
{
	struct xar_extract_pool *p = x->pool;
	struct file *f;

	if (fail_seq(p) != UINT64_MAX)
		return -1;
	if (p->open && (p->open->n == BATCH_FILES ||
			p->open->bytes >= BATCH_BYTES ||
			!same_dir(p->open, path)))
		submit(x);
	if (!p->open && open_batch(x, pfd))
		return -1;
	f = &p->open->f[p->open->n];
	if (!(f->path = strdup(path)))
		return xar_err_set(x->err, ENOMEM, "out of memory");
	f->name = (size_t)(name - path);
	f->seq = x->seq - 1;
	f->e = *e;
	p->open->n++;
	p->open->bytes += e->size;
	return 0;
}

/* ---- starting and stopping ---- */

static unsigned cpus(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static unsigned wanted_threads(const struct xar_extract *x)
{
	unsigned n = x->opts.threads ? x->opts.threads : cpus();

	if (x->opts.flags & XAR_EXTRACT_FORCE) /* what replaces what: in order */
		return 1;
	if (xar_image_info(x->img)->inodes < MIN_FILES)
		return 1;
	return n > XAR_EXTRACT_THREADS_MAX ? XAR_EXTRACT_THREADS_MAX : n;
}

/* A thread's context: x's options, its own image, buffer and error. */
static int start_worker(struct xar_extract *x, struct worker *w)
{
	struct xar_err ignored;

	memset(w, 0, sizeof(*w));
	w->pool = x->pool;
	w->x.opts = x->opts;
	w->x.owners = x->owners;
	w->x.rootfd = -1;
	w->x.curfd = -1;
	w->x.err = &w->err;
	if (xar_image_reopen(&w->x.img, x->img, &ignored))
		return -1;
	if (!(w->x.buf = malloc(XAR_EXTRACT_CHUNK)) ||
	    pthread_create(&w->tid, NULL, work, w)) {
		free(w->x.buf);
		xar_image_close(w->x.img);
		return -1;
	}
	return 0;
}

static void free_pool(struct xar_extract_pool *p)
{
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->more);
	pthread_mutex_destroy(&p->lock);
	free(p->w);
	free(p);
}

int xar_extract_pool_start(struct xar_extract *x)
{
	unsigned n = wanted_threads(x);
	struct xar_extract_pool *p;

	if (n < 2)
		return 0;
	if (!(p = calloc(1, sizeof(*p))) ||
	    !(p->w = calloc(n - 1, sizeof(*p->w)))) {
		free(p);
		return xar_err_set(x->err, ENOMEM, "out of memory");
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->fail_seq = UINT64_MAX;
	x->pool = p;
	/* the walk's thread is one of the n; fewer threads when one cannot
	 * start, none at all when no other can */
	while (p->nw < n - 1 && !start_worker(x, &p->w[p->nw]))
		p->nw++;
	if (!p->nw) {
		free_pool(p);
		x->pool = NULL;
	} else {
		x->stats.threads = (unsigned)p->nw + 1;
	}
	return 0;
}

void xar_extract_pool_finish(struct xar_extract *x, int walk_rc,
			     uint64_t *fail)
{
	struct xar_extract_pool *p = x->pool;
	size_t i;

	submit(x); /* after a failure too: it may hold an earlier one */
	pthread_mutex_lock(&p->lock);
	while (p->count) /* help with what is left */
		write_next(p, x);
	while (p->busy)
		pthread_cond_wait(&p->idle, &p->lock);
	p->closing = 1;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nw; i++) {
		struct worker *w = &p->w[i];

		pthread_join(w->tid, NULL);
		x->stats.files += w->x.stats.files;
		x->stats.bytes += w->x.stats.bytes;
		free(w->x.buf);
		xar_image_close(w->x.img);
	}
	/* a walk that failed met entry x->seq - 1 or the one after it; every
	 * file handed over came before */
	*fail = walk_rc ? x->seq : UINT64_MAX;
	if (p->fail_seq < *fail) {
		*fail = p->fail_seq;
		*x->err = p->fail;
	}
	free_pool(p);
	x->pool = NULL;
}
