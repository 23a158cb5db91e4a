/* The prefetcher (prefetch.h). A cold start spends most of the server's
 * time decompressing blocks one request at a time while the app waits;
 * the machine's other cores sit idle. This thread walks the files a
 * start-up reads, in the order it reads them, and decompresses their
 * blocks ahead of the requests, with its own libsquashfuse handle (whose
 * caches are not thread-safe) on the same descriptor.
 *
 * Blocks live in one open-addressed table keyed by (position, header),
 * under one lock:
 *   BUSY   the thread is decompressing it: a reader waits for it;
 *   READY  decompressed: a reader copies from it;
 *   FAILED the thread could not: the reader decompresses it itself;
 *   TAKEN  a reader came first and decompresses it itself: the thread
 *          skips it instead of doing the same work twice.
 * Memory is bounded by the budget and by time: once requests pause
 * (xar_prefetch_settle) the thread ends and the server drops it with its
 * blocks, since the kernel's page cache keeps what was read.
 *
 * Each READ is a round trip through the kernel, at most 128 KiB each
 * (FUSE's readahead window). So once the kernel knows a file (the serving
 * thread answered its LOOKUP), the thread also stores its prefetched
 * blocks straight into the page cache (FUSE_NOTIFY_STORE), and the app's
 * page faults on them never reach the server. Only this thread pushes: a
 * store waits for pages that a READ in flight holds locked, and the
 * serving thread must be free to answer that READ.
 *
 * An app opens a file and reads it at once, before the blocks of a file
 * the kernel learnt of only then could be stored. So the thread waits for
 * the mount and first has all its lists looked up through the mount point
 * (lookahead.h: the files, the directories above modules, absent names),
 * then decompresses the files' blocks: the kernel knows the files early,
 * their pages are stored ahead of the app's reads, and the app's own
 * lookups find them cached. A process of its own does those lookups
 * (looker.h: a thread of the server must never wait on its own mount).
 * Blocks need no mount: the thread starts decompressing them while the
 * mount is made, and stores them once their files are known. */
#include "prefetch.h"
#include "cpus.h"
#include "fs.h"
#include "lookahead.h"
#include "header/header.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	SLOTS = 8192,             /* a power of two */
	SLOTS_MAX = SLOTS / 4 * 3, /* entries, so that probes stay short */
	KNOWN = 4096,             /* files the kernel looked up (power of 2) */
	KNOWN_MAX = KNOWN / 4 * 3,
	QUEUE = 256,              /* looked-up files waiting to be pushed */
	STORE_TRIES = 20,         /* a store before the kernel made the inode */
	LIST_LINES = 16384,       /* start-up list lines followed at most: each
				   * is a path walk, and the image is hostile */
};

enum { EMPTY, BUSY, READY, FAILED, TAKEN };

struct slot {
	uint64_t pos;
	uint32_t hdr;
	int state;
	sqfs_block *block; /* READY */
};

/* A file the kernel has looked up: its FUSE inode by SquashFS number. */
struct known {
	uint32_t number; /* 0: empty (SquashFS numbers start at 1) */
	uint64_t ino;
};

struct job {
	uint64_t ino;
	sqfs_inode inode;
};

struct xar_prefetch {
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a BUSY slot is no longer */
	pthread_cond_t work;    /* a job came, or the end */
	pthread_t thread;
	int stop;           /* asked to stop */
	int done;           /* the thread has finished its lists */
	int quit;           /* no more pushes: the thread ends */
	int ended;          /* the thread has ended */
	struct fuse_session *se; /* where stores go, once mounted */
	struct known known[KNOWN];
	size_t nknown;
	struct job queue[QUEUE]; /* a ring: files pushed in lookup order */
	size_t qhead, nqueue;
	uint32_t cur;       /* the thread's file (SquashFS inode number) */
	int early;          /* before the mount: decompress only */
	int asking;         /* the first pass: only look up ahead */
	struct xar_lookahead ahead;
	uint64_t first, last; /* and the blocks of it wanted */
	size_t budget, used; /* decompressed bytes held or under way */
	size_t nslots;
	struct xar_prefetch_stats st;
	struct xar_block_source src;
	int fd;
	uint64_t offset;
	char **paths;
	char *learnt;       /* a start-up list learnt on this machine, or NULL */
	size_t learnt_len;
	char *names;        /* the thread's directory entry name buffer */
	struct xar_cpus cpus; /* the thread keeps off cpus.home */
	sqfs fs;            /* the thread's own handle */
	struct slot slot[SLOTS];
};

/* ---- the table (lock held) ---- */

static size_t hash(uint64_t pos, uint32_t hdr)
{
	uint64_t h = (pos ^ ((uint64_t)hdr << 40)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 51) & (SLOTS - 1);
}

/* The slot of (pos, hdr), or the empty one where it would go. The table
 * never fills (SLOTS_MAX), so the probe ends. */
static struct slot *find(struct xar_prefetch *p, uint64_t pos, uint32_t hdr)
{
	size_t i = hash(pos, hdr);

	while (p->slot[i].state != EMPTY &&
	       (p->slot[i].pos != pos || p->slot[i].hdr != hdr))
		i = (i + 1) & (SLOTS - 1);
	return &p->slot[i];
}

static void claim(struct xar_prefetch *p, struct slot *s, uint64_t pos,
		  uint32_t hdr, int state)
{
	s->pos = pos;
	s->hdr = hdr;
	s->state = state;
	p->nslots++;
}

static void clear(struct xar_prefetch *p)
{
	size_t i;

	for (i = 0; i < SLOTS; i++) {
		if (p->slot[i].block)
			sqfs_block_dispose(p->slot[i].block);
		memset(&p->slot[i], 0, sizeof(p->slot[i]));
	}
	p->nslots = 0;
	p->used = 0;
}

/* ---- the serving thread's side ---- */

static int copy(void *arg, uint64_t pos, uint32_t hdr, uint64_t off,
		uint64_t n, void *dst)
{
	struct xar_prefetch *p = arg;
	struct slot *s;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	s = find(p, pos, hdr);
	if (s->state == EMPTY && !p->done && p->nslots < SLOTS_MAX)
		claim(p, s, pos, hdr, TAKEN);
	if (s->state == BUSY)
		p->st.waits++;
	while (s->state == BUSY)
		pthread_cond_wait(&p->changed, &p->lock);
	if (s->state == READY && off <= s->block->size &&
	    n <= s->block->size - off) {
		memcpy(dst, (char *)s->block->data + off, n);
		p->st.hits++;
		rc = 1;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

const struct xar_block_source *xar_prefetch_source(struct xar_prefetch *p)
{
	return p ? &p->src : NULL;
}

/* ---- what the kernel knows ---- */

static struct known *known_slot(struct xar_prefetch *p, uint32_t number)
{
	size_t i = (number * 2654435761u) & (KNOWN - 1);

	while (p->known[i].number && p->known[i].number != number)
		i = (i + 1) & (KNOWN - 1);
	return &p->known[i];
}

void xar_prefetch_looked_up(struct xar_prefetch *p, uint64_t ino,
			    const sqfs_inode *in)
{
	struct known *k;

	if (!p || !S_ISREG(in->base.mode) || !in->base.inode_number)
		return;
	pthread_mutex_lock(&p->lock);
	if (!p->quit && p->nknown < KNOWN_MAX) {
		k = known_slot(p, in->base.inode_number);
		if (!k->number) {
			k->number = in->base.inode_number;
			p->nknown++;
		}
		k->ino = ino;
		if (p->nqueue < QUEUE) {
			struct job *j = &p->queue[(p->qhead + p->nqueue++) %
						  QUEUE];

			j->ino = ino;
			j->inode = *in;
			pthread_cond_signal(&p->work);
		}
	}
	pthread_mutex_unlock(&p->lock);
}

int xar_prefetch_looking(struct xar_prefetch *p)
{
	return p && xar_lookahead_started(&p->ahead);
}

void xar_prefetch_attach(struct xar_prefetch *p, struct fuse_session *se,
			 const char *mountpoint)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->se = se;
	xar_lookahead_attach(&p->ahead, mountpoint);
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

/* ---- the thread ---- */

static void sleep_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* Store a piece of a decompressed block into inode ino's page cache. The
 * kernel makes the inode only after the LOOKUP reply wakes the app, so a
 * store that comes first is tried again, briefly. */
static void push(struct xar_prefetch *p, struct fuse_session *se,
		 uint64_t ino, const struct xar_guard_piece *pc,
		 const sqfs_block *b)
{
	struct fuse_bufvec bv = FUSE_BUFVEC_INIT((size_t)pc->len);
	int tries = 0, rc;

	if (!se || pc->block_off > b->size || pc->len > b->size - pc->block_off)
		return;
	bv.buf[0].mem = (char *)b->data + pc->block_off;
	while ((rc = fuse_lowlevel_notify_store(se, ino, (off_t)pc->file_off,
						&bv, 0)) == -ENOENT &&
	       ++tries < STORE_TRIES)
		sleep_us(100);
	if (!rc) {
		pthread_mutex_lock(&p->lock);
		p->st.pushed++;
		pthread_mutex_unlock(&p->lock);
	}
}

/* The READY block of a piece, and where its file's pages go: 1 when
 * there is something to push. */
static int pushable(struct xar_prefetch *p, const struct xar_guard_piece *pc,
		    uint32_t number, uint64_t *ino, const sqfs_block **b,
		    struct fuse_session **se)
{
	struct slot *s;
	struct known *k;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	s = find(p, pc->pos, pc->hdr);
	k = known_slot(p, number);
	if (s->state == READY && k->number && !p->quit) {
		*ino = k->ino;
		*b = s->block; /* freed only after the thread ends */
		*se = p->se;
		rc = 1;
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static void push_piece(struct xar_prefetch *p, const struct xar_guard_piece *pc,
		       uint32_t number)
{
	struct fuse_session *se;
	const sqfs_block *b;
	uint64_t ino;

	if (pushable(p, pc, number, &ino, &b, &se))
		push(p, se, ino, pc, b);
}

struct job_walk {
	struct xar_prefetch *p;
	uint32_t number;
};

static int push_ready(void *arg, const struct xar_guard_piece *pc)
{
	struct job_walk *w = arg;

	push_piece(w->p, pc, w->number);
	return 0;
}

/* Push what is ready of each file looked up since the last time. */
static void drain(struct xar_prefetch *p)
{
	struct job job;
	struct job_walk w = { p, 0 };

	for (;;) {
		pthread_mutex_lock(&p->lock);
		if (!p->nqueue || p->quit) {
			pthread_mutex_unlock(&p->lock);
			return;
		}
		job = p->queue[p->qhead];
		p->qhead = (p->qhead + 1) % QUEUE;
		p->nqueue--;
		pthread_mutex_unlock(&p->lock);
		w.number = job.inode.base.inode_number;
		xar_guard_file_blocks(&p->fs, &job.inode, push_ready, &w);
	}
}

/* Whether to leave the lists: stopped, or, while following them ahead of
 * the mount (early), the mount is made. */
static int stopped(struct xar_prefetch *p)
{
	int stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stop || (p->early && p->se);
	pthread_mutex_unlock(&p->lock);
	return stop;
}

/* Decompress the block of a piece unless it is known already. 0 when the
 * block is READY (now or before), 1 when not, -1 to end the walk (stopped,
 * or out of budget). */
static int fetch(struct xar_prefetch *p, const struct xar_guard_piece *pc)
{
	size_t bs = p->fs.sb.block_size;
	sqfs_block *b = NULL;
	struct slot *s;
	sqfs_err e;

	pthread_mutex_lock(&p->lock);
	s = find(p, pc->pos, pc->hdr);
	if (s->state != EMPTY) {
		pthread_mutex_unlock(&p->lock);
		return s->state == READY ? 0 : 1;
	}
	if (p->stop || p->used + bs > p->budget || p->nslots >= SLOTS_MAX) {
		p->stop = 1;
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	claim(p, s, pc->pos, pc->hdr, BUSY);
	p->used += bs;
	pthread_mutex_unlock(&p->lock);

	e = sqfs_data_block_read(&p->fs, (sqfs_off_t)pc->pos, pc->hdr, &b);

	pthread_mutex_lock(&p->lock);
	if (e == SQFS_OK && b) {
		s->block = b;
		s->state = READY;
		p->st.blocks++;
	} else {
		s->state = FAILED;
	}
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	return e == SQFS_OK && b ? 0 : 1;
}

/* xar_guard_file_blocks' callback for the lists: fetch the pieces of the
 * line's range, and push them when the kernel knows the file already. */
static int take_piece(void *arg, const struct xar_guard_piece *pc)
{
	struct xar_prefetch *p = arg;
	uint64_t bs = p->fs.sb.block_size, index = pc->file_off / bs;
	int rc;

	if (index < p->first)
		return 0;
	if (index > p->last || (p->early && stopped(p)))
		return 1;
	drain(p);
	rc = fetch(p, pc);
	if (rc == 0)
		push_piece(p, pc, p->cur);
	return rc < 0;
}

/* The inode at path[0..len) ('/'-separated, from the root), through the
 * guarded lookups; symbolic links are not followed. */
static int lookup(struct xar_prefetch *p, const char *path, size_t len,
		  sqfs_inode *in)
{
	const char *end = path + len;
	sqfs_dir_entry e;
	bool found;

	if (xar_guard_inode_get(&p->fs, in, p->fs.sb.root_inode))
		return -1;
	sqfs_dentry_init(&e, p->names);
	while (path < end) {
		const char *c = path;

		while (c < end && *c != '/')
			c++;
		if (c > path && !(c - path == 1 && *path == '.')) {
			if (!S_ISDIR(in->base.mode) ||
			    xar_guard_dir_lookup(&p->fs, in, path,
						 (size_t)(c - path), &e,
						 &found) || !found ||
			    xar_guard_inode_get(&p->fs, in,
						sqfs_dentry_inode(&e)))
				return -1;
		}
		path = c + (c < end);
	}
	return 0;
}

/* A listed file: have it looked up ahead (lookahead.h), unless the
 * kernel knows it already (the serving thread's answer makes it known,
 * xar_prefetch_looked_up). */
static void ask_file(struct xar_prefetch *p, const char *path, size_t len,
		     uint32_t number)
{
	int known;

	pthread_mutex_lock(&p->lock);
	known = known_slot(p, number)->number != 0;
	pthread_mutex_unlock(&p->lock);
	xar_lookahead_file(&p->ahead, path, len, known);
}

/* An absent name: looked up ahead only below a directory of the image,
 * since the kernel's walk would follow a symbolic link out of it. */
static void ask_absent(struct xar_prefetch *p, const char *path, size_t len)
{
	const char *slash = path + len;
	sqfs_inode dir;

	while (slash > path && slash[-1] != '/')
		slash--;
	if (!lookup(p, path, slash > path ? (size_t)(slash - 1 - path) : 0,
		    &dir) && S_ISDIR(dir.base.mode))
		xar_lookahead_absent(&p->ahead, path, len);
}

/* A line: a path, a path and a block range, or an absent name
 * (XAR_STARTUP_LIST). */
static void prefetch_line(struct xar_prefetch *p, const char *line,
			  size_t len)
{
	sqfs_inode in;
	size_t plen;
	int kind = xar_startup_line(line, len, &plen, &p->first, &p->last);

	if (kind == 1 && p->asking)
		ask_absent(p, line, plen);
	if (kind || lookup(p, line, plen, &in) || !S_ISREG(in.base.mode))
		return;
	if (p->asking) {
		ask_file(p, line, plen, in.base.inode_number);
		return;
	}
	p->cur = in.base.inode_number;
	xar_guard_file_blocks(&p->fs, &in, take_piece, p);
}

/* A start-up list: one image path a line, in the order the recorded
 * start-up first read them. */
static void prefetch_lines(struct xar_prefetch *p, const char *buf,
			   size_t size)
{
	const char *line, *nl;
	size_t n;

	if (!buf)
		return; /* no list */
	for (line = buf, n = 0; line < buf + size && n++ < LIST_LINES &&
	     !stopped(p); line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + size - line));
		if (!nl)
			break; /* a cut last line is not trusted */
		prefetch_line(p, line, (size_t)(nl - line));
	}
}

/* The image's own start-up list into *buf (NULL when there is none). */
static size_t read_list(struct xar_prefetch *p, char **buf)
{
	uint64_t size = XAR_STARTUP_LIST_MAX;
	sqfs_inode in;

	*buf = NULL;
	if (lookup(p, XAR_STARTUP_LIST, strlen(XAR_STARTUP_LIST), &in) ||
	    !S_ISREG(in.base.mode) || !(*buf = malloc(XAR_STARTUP_LIST_MAX)))
		return 0;
	if (xar_guard_read_range(&p->fs, &in, 0, &size, *buf, NULL))
		size = 0;
	return (size_t)size;
}

/* The launch's paths, the image's list, then the list learnt here. */
static void follow_lists(struct xar_prefetch *p, const char *list,
			 size_t list_len)
{
	size_t i;

	for (i = 0; p->paths && p->paths[i] && !stopped(p); i++)
		prefetch_line(p, p->paths[i], strlen(p->paths[i]));
	if (!stopped(p))
		prefetch_lines(p, list, list_len);
	if (!stopped(p) && p->learnt)
		prefetch_lines(p, p->learnt, p->learnt_len);
}

/* After the lists: push for files looked up later, until the end. */
static void serve_pushes(struct xar_prefetch *p)
{
	for (;;) {
		drain(p);
		pthread_mutex_lock(&p->lock);
		while (!p->nqueue && !p->quit)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->quit) {
			pthread_mutex_unlock(&p->lock);
			return;
		}
		pthread_mutex_unlock(&p->lock);
	}
}

/* Until the mount is made (attach) or the thread is stopped: 1 when
 * mounted. */
static int wait_mounted(struct xar_prefetch *p)
{
	int mounted;

	pthread_mutex_lock(&p->lock);
	while (!p->se && !p->stop)
		pthread_cond_wait(&p->work, &p->lock);
	mounted = !p->stop;
	pthread_mutex_unlock(&p->lock);
	return mounted;
}

static void *run(void *arg)
{
	struct xar_prefetch *p = arg;
	const char *why;
	char *list = NULL;
	size_t list_len = 0;
	int ok;

	xar_cpus_away(&p->cpus);
	ok = xar_guard_init(&p->fs, p->fd, (size_t)p->offset, &why) == SQFS_OK;
	if (ok) {
		list_len = read_list(p, &list);
		/* blocks need no mount: the first ones are decompressed
		 * while it is made (stored once their files are known) */
		p->early = 1;
		follow_lists(p, list, list_len);
		p->early = 0;
	}
	if (ok && wait_mounted(p)) {
		/* every lookup is asked for first: the looker's round trips
		 * then overlap the decompression */
		p->asking = 1;
		follow_lists(p, list, list_len);
		p->asking = 0;
		xar_lookahead_end(&p->ahead);
		follow_lists(p, list, list_len);
	}
	free(list);
	pthread_mutex_lock(&p->lock);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELAXED); /* read unlocked */
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	if (ok) {
		serve_pushes(p);
		xar_guard_destroy(&p->fs);
	}
	pthread_mutex_lock(&p->lock);
	p->ended = 1;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- life cycle ---- */

static void free_paths(char **paths)
{
	size_t i;

	for (i = 0; paths && paths[i]; i++)
		free(paths[i]);
	free(paths);
}

static char **copy_paths(const char *const *paths)
{
	size_t n = 0, i;
	char **v;

	while (paths && paths[n])
		n++;
	if (!(v = calloc(n + 1, sizeof(*v))))
		return NULL;
	for (i = 0; i < n; i++)
		if (!(v[i] = strdup(paths[i]))) {
			free_paths(v);
			return NULL;
		}
	return v;
}

struct xar_prefetch *xar_prefetch_start(int fd, uint64_t offset,
					const char *const *paths,
					const char *learnt, size_t learnt_len,
					size_t budget,
					const struct xar_cpus *cpus)
{
	struct xar_prefetch *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (learnt && learnt_len) {
		if (!(p->learnt = malloc(learnt_len)))
			goto fail;
		memcpy(p->learnt, learnt, learnt_len);
		p->learnt_len = learnt_len;
	}
	p->fd = fd;
	p->offset = offset;
	p->budget = budget;
	p->cpus = *cpus;
	p->src.copy = copy;
	p->src.arg = p;
	p->paths = copy_paths(paths);
	p->names = malloc(XAR_GUARD_NAME_BUF);
	if (!p->paths || !p->names || offset > SIZE_MAX)
		goto fail;
	xar_lookahead_init(&p->ahead, (const char *const *)p->paths);
	if (pthread_mutex_init(&p->lock, NULL))
		goto fail;
	if (pthread_cond_init(&p->changed, NULL))
		goto fail_lock;
	if (pthread_cond_init(&p->work, NULL))
		goto fail_changed;
	if (pthread_create(&p->thread, NULL, run, p))
		goto fail_work;
	return p;
fail_work:
	pthread_cond_destroy(&p->work);
fail_changed:
	pthread_cond_destroy(&p->changed);
fail_lock:
	pthread_mutex_destroy(&p->lock);
fail:
	free(p->learnt);
	free(p->names);
	free_paths(p->paths);
	free(p);
	return NULL;
}

/* Ask the thread to end (now, or once its lists are done) without
 * waiting for it: 1 once it has ended. */
static int ask_end(struct xar_prefetch *p, int now)
{
	int ended;

	if (!p)
		return 1;
	pthread_mutex_lock(&p->lock);
	if (now)
		p->stop = 1;
	if (now || p->done) {
		p->quit = 1;
		pthread_cond_signal(&p->work);
	}
	ended = p->ended;
	pthread_mutex_unlock(&p->lock);
	return ended;
}

int xar_prefetch_settle(struct xar_prefetch *p)
{
	return ask_end(p, 0);
}

int xar_prefetch_quiesce(struct xar_prefetch *p)
{
	return ask_end(p, 1);
}

void xar_prefetch_get_stats(struct xar_prefetch *p,
			    struct xar_prefetch_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	*st = p->st;
	pthread_mutex_unlock(&p->lock);
}

void xar_prefetch_stop(struct xar_prefetch *p)
{
	if (!p)
		return;
	xar_prefetch_quiesce(p);
	pthread_join(p->thread, NULL);
	clear(p);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->lock);
	xar_lookahead_free(&p->ahead);
	free(p->learnt);
	free(p->names);
	free_paths(p->paths);
	free(p);
}
