/* The FUSE server process: detach from the caller, mount, serve requests
 * one at a time, unmount when idle. See server.h for the contract and
 * start.c for the report pipe.
 *
 * "Idle" cannot be judged from open files: with zero-message opens the
 * kernel no longer tells us about them. So after idle_timeout seconds
 * without a request the server asks the kernel, by attempting a plain
 * unmount in a helper process (it must go on serving meanwhile): that
 * fails with EBUSY while anything in the mount is open, mapped or a working
 * directory, and is then retried later. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/fuse.h>

#include "cpus.h"
#include "fs.h"
#include "learn.h"
#include "server.h"
#include "stats.h"
#include "base/base.h"

/* The server ends with _exit (it is a fork of xarexec, whose atexit work is
 * not its own), which skips LeakSanitizer's check: under ASan, run it. */
#if defined(__SANITIZE_ADDRESS__)
#define XAR_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XAR_LSAN 1
#endif
#endif
#ifdef XAR_LSAN
#include <sanitizer/lsan_interface.h>
#define leak_check() __lsan_do_leak_check()
#else
#define leak_check() ((void)0)
#endif

enum {
	STATS_QUIET_MS = 200, /* rewrite the stats file once requests pause */
	READ_QUIET_US = 3000, /* READs paused: the app runs (keep_placed) */
	RETRY_MAX_MS = 60000, /* retry a busy idle unmount at least this often */
	QUIESCE_POLL_MS = 10, /* while stopping, is the prefetcher done? */
};

/* Decompressed start-up blocks held at most, until requests pause. */
#define PREFETCH_BUDGET ((size_t)64 << 20)

struct server {
	const struct xar_server_config *cfg;
	struct xar_fuse_fs *fs;
	struct fuse_session *se;
	struct xar_fuse_stats stats;
	int report_fd;          /* until the mount is ready, then -1 */
	int sig_fd;
	pid_t unmount_pid;      /* an idle unmount attempt under way, or 0 */
	int unmounted;          /* the kernel has dropped the mount */
	long long next_attempt; /* when to try the idle unmount (ms) */
	long long last_request; /* ms */
	int stats_dirty;
	int stopping;           /* a stop signal came: end once quiesced */
	struct xar_prefetch_stats prefetched; /* once the prefetcher ended */
	struct xar_cpus cpus;   /* held on cpus.home until it has */
	int away;               /* moved off cpus.home for the looker */
	long long last_read;    /* when the last READ came (us) */
	unsigned moved_away, moved_home; /* counted in the stats */
	char *carried;          /* the list carried from the image last run by
				 * the xar's name (carry_path) while learning */
	size_t carried_len;
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long now_ms(void)
{
	return now_us() / 1000;
}

/* The xar this server serves, for --status: the file its image fd is
 * open on ("?" when unknown; a newline would end the line early). */
static void xar_path(const struct server *s, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", s->fs->ll.fs.fd);
	n = readlink(link, buf, size - 1);
	if (n <= 0)
		n = snprintf(buf, size, "?");
	buf[n] = '\0';
	for (; n > 0; n--)
		if (buf[n - 1] == '\n')
			buf[n - 1] = '?';
}

static void write_stats(struct server *s, const char *state)
{
	char preamble[2 * PATH_MAX + 256], xar[PATH_MAX];
	struct xar_prefetch_stats pf;

	if (!s->cfg->stats_path)
		return;
	xar_path(s, xar, sizeof(xar));
	if (s->fs->prefetch)
		xar_prefetch_get_stats(s->fs->prefetch, &pf);
	else
		pf = s->prefetched;
	snprintf(preamble, sizeof(preamble), "pid %ld\nformat %d\n"
		 "mountpoint %s\nxar %s\nidle_timeout %u\nstate %s\n"
		 "prefetched %llu\nprefetch_hits %llu\nprefetch_waits %llu\n"
		 "prefetch_pushed %llu\nserving_moved_away %u\n"
		 "serving_moved_home %u\n",
		 (long)getpid(), XAR_MOUNT_FORMAT, s->cfg->mountpoint, xar,
		 s->cfg->idle_timeout, state, (unsigned long long)pf.blocks,
		 (unsigned long long)pf.hits, (unsigned long long)pf.waits,
		 (unsigned long long)pf.pushed, s->moved_away, s->moved_home);
	xar_fuse_stats_write(&s->stats, s->cfg->stats_path, preamble, NULL);
	s->stats_dirty = 0;
}

/* The last word in the stats file, unless the next server of this mount
 * point has written its own meanwhile. Under the mount lock, which a
 * launcher holds while its server starts and writes the file first. */
static void write_final_stats(struct server *s)
{
	int lock = -1;

	if (!s->cfg->stats_path)
		return;
	if (s->cfg->lock_path &&
	    (lock = xar_mount_lock_existing(s->cfg->lock_path, getuid())) < 0)
		return; /* removed with the mount (-u): nothing to say */
	if (xar_server_stats_pid(s->cfg->stats_path) == (long)getpid())
		write_stats(s, "exited");
	xar_mount_unlock(lock);
}

/* ---- leaving the caller behind ---- */

static void close_fd_range(unsigned lo, unsigned hi)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (lo > hi || !close_range(lo, hi, 0))
		return;
	for (; lo <= hi && (long)lo < max; lo++)
		close((int)lo);
}

/* Close everything but 0-2, a and b (both > 2). */
static void close_other_fds(int a, int b)
{
	unsigned lo = (unsigned)(a < b ? a : b), hi = (unsigned)(a < b ? b : a);

	close_fd_range(3, lo - 1);
	if (hi > lo)
		close_fd_range(lo + 1, hi - 1);
	close_fd_range(hi + 1, ~0u);
}

static int above_stdio(int fd)
{
	return fd > 2 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* Default dispositions, SIGPIPE ignored (a parent that died must not take
 * a mounted server with it), and the stop signals and SIGCHLD blocked for
 * the signalfd, before mounting, so that no signal can kill us between
 * mounting and serving. */
static int setup_signals(struct server *s)
{
	struct sigaction sa;
	sigset_t set;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_SETMASK, &set, NULL);
	s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return s->sig_fd < 0 ? -1 : 0;
}

/* Own session, stdin/stdout on /dev/null, stderr on the report pipe until
 * ready (libfuse and fusermount3 explain mount failures there), nothing
 * else of the caller's open, no working directory in anybody's way. */
static int detach(struct server *s)
{
	int null;

	setsid();
	s->report_fd = above_stdio(s->report_fd);
	s->fs->ll.fs.fd = above_stdio(s->fs->ll.fs.fd);
	null = open("/dev/null", O_RDWR);
	if (s->report_fd < 0 || s->fs->ll.fs.fd < 0 || null < 0)
		return -1;
	dup2(null, 0);
	dup2(null, 1);
	dup2(s->report_fd, 2);
	close_other_fds(s->report_fd, s->fs->ll.fs.fd);
	if (chdir("/"))
		return -1;
	prctl(PR_SET_NAME, "xar-fuse-server");
	return setup_signals(s);
}

/* INIT came: the mount is ready. Tell the parent, stderr to /dev/null. */
static void report_ready(void *arg)
{
	struct server *s = arg;
	const char ready = '\0';

	if (s->report_fd < 0)
		return;
	xar_write_all(s->report_fd, &ready, 1);
	dup2(0, 2);
	close(s->report_fd);
	s->report_fd = -1;
}

static int mount_image(struct server *s)
{
	char prog[] = "xarexec", dash_o[] = "-o", *opts, *argv[4];
	struct fuse_args args;

	if (asprintf(&opts, "ro,nosuid,nodev,fsname=%s,subtype=xar",
		     s->cfg->fsname) < 0)
		return -1;
	argv[0] = prog;
	argv[1] = dash_o;
	argv[2] = opts;
	argv[3] = NULL;
	args = (struct fuse_args)FUSE_ARGS_INIT(3, argv);
	s->se = fuse_session_new(&args, &xar_fuse_ops, sizeof(xar_fuse_ops),
				 s->fs);
	fuse_opt_free_args(&args);
	free(opts);
	if (!s->se) {
		fprintf(stderr, "cannot set up a FUSE session\n");
		return -1;
	}
	if (fuse_session_mount(s->se, s->cfg->mountpoint)) {
		/* the parent names the mount point; it only needs to know
		 * that the mount itself failed (XAR_REPORT_MOUNT_FAILED) */
		fputc(XAR_REPORT_MOUNT_FAILED, stderr);
		fuse_session_destroy(s->se);
		s->se = NULL;
		return -1;
	}
	return 0;
}

/* ---- serving ---- */

static void start_idle_unmount(struct server *s, long long now)
{
	long long retry = (long long)s->cfg->idle_timeout * 1000;

	s->unmount_pid = xar_unmount_spawn(s->cfg->mountpoint, 0);
	if (s->unmount_pid < 0) {
		s->unmount_pid = 0;
		s->next_attempt = now + (retry < RETRY_MAX_MS ? retry :
					 RETRY_MAX_MS);
	}
}

/* The helper exited: unmounted (the kernel will tell us by ENODEV) or
 * busy, then try again later. */
static void reap_idle_unmount(struct server *s, long long now)
{
	long long retry = (long long)s->cfg->idle_timeout * 1000;
	int status;

	if (!s->unmount_pid || waitpid(s->unmount_pid, &status, WNOHANG) <= 0)
		return;
	s->unmount_pid = 0;
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		s->next_attempt = now + (retry < RETRY_MAX_MS ? retry :
					 RETRY_MAX_MS);
}

/* 1 when a stop signal came. */
static int take_signals(struct server *s, long long now)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(s->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_idle_unmount(s, now);
		else
			stop = 1;
	}
	return stop;
}

/* Where the serving thread answers from, once the prefetcher's looker
 * asks ahead of the app (cpus.h). The looker's lookups come while the app
 * runs: answered on the app's core, each would take the core from the
 * app, so they are answered from the looker's side of the machine. A READ
 * means that the app waits for data, and the core it waits on is free:
 * the serving thread decompresses there, beside the prefetcher, until
 * READs pause. */
static void keep_placed(struct server *s, const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;
	long long now;

	if (!xar_prefetch_looking(s->fs->prefetch))
		return;
	now = now_us();
	if (!(buf->flags & FUSE_BUF_IS_FD) && in->opcode == FUSE_READ) {
		s->last_read = now;
		if (s->away) {
			xar_cpus_home(&s->cpus);
			s->away = 0;
			s->moved_home++;
		}
	} else if (!s->away && now - s->last_read > READ_QUIET_US) {
		xar_cpus_away(&s->cpus);
		s->away = 1;
		s->moved_away++;
	}
}

/* Read and answer one request. 0 to go on, 1 when the mount is gone, -1
 * on error. */
static int serve_one(struct server *s, struct fuse_buf *buf, long long now)
{
	int n = fuse_session_receive_buf(s->se, buf);

	if (n == -EINTR || n == -EAGAIN)
		return 0;
	if (n <= 0) {
		s->unmounted = n == 0 && fuse_session_exited(s->se);
		return s->unmounted ? 1 : -1;
	}
	if (!(buf->flags & FUSE_BUF_IS_FD))
		xar_fuse_stats_count(&s->stats, buf->mem, (size_t)n);
	fuse_session_process_buf(s->se, buf);
	keep_placed(s, buf);
	s->last_request = now;
	s->stats_dirty = 1;
	if (s->cfg->idle_timeout)
		s->next_attempt = now + (long long)s->cfg->idle_timeout * 1000;
	return fuse_session_exited(s->se) ? -1 : 0;
}

/* How long poll may sleep: until the stats are due or the idle check. */
static int poll_timeout(const struct server *s, long long now)
{
	long long t = LLONG_MAX;

	if (s->stats_dirty)
		t = s->last_request + STATS_QUIET_MS - now;
	if (s->cfg->idle_timeout && !s->unmount_pid && s->next_attempt - now < t)
		t = s->next_attempt - now;
	if (s->stopping && t > QUIESCE_POLL_MS)
		t = QUIESCE_POLL_MS;
	if (t == LLONG_MAX)
		return -1;
	if (t < 0)
		return 0;
	return t > 3600000 ? 3600000 : (int)t;
}

/* The prefetcher has ended (settled or quiesced): keep its counts, free
 * it and its blocks. Reads and lookups then no longer ask it anything. */
static void drop_prefetch(struct server *s)
{
	xar_prefetch_get_stats(s->fs->prefetch, &s->prefetched);
	xar_prefetch_stop(s->fs->prefetch);
	s->fs->prefetch = NULL;
	xar_cpus_release(&s->cpus);
}

/* Requests paused: the start-up is over. End the prefetcher, or ask again
 * at the next pause while it has not ended. */
static void settle_prefetch(struct server *s, long long now)
{
	if (!s->fs->prefetch)
		return;
	if (xar_prefetch_settle(s->fs->prefetch)) {
		drop_prefetch(s);
		malloc_trim(0);
		return;
	}
	s->stats_dirty = 1;
	s->last_request = now;
}

/* Requests paused, or the mount ended: what a first mount learnt of the
 * start-up is written for the next mounts (unless nothing was read yet: a
 * bare mount). A record without a profile's record_path is a learning. */
static void end_learning(struct server *s)
{
	const struct xar_record *r = s->fs->record;

	if (s->cfg->record_path || !r ||
	    (xar_record_empty(r) && !s->carried))
		return;
	xar_record_write_after(r, s->carried, s->carried_len,
			       s->cfg->learn_path);
	if (s->cfg->carry_path)
		xar_record_write_after(r, s->carried, s->carried_len,
				       s->cfg->carry_path);
	xar_record_free(s->fs->record);
	s->fs->record = NULL;
	free(s->carried);
	s->carried = NULL;
}

static void housekeeping(struct server *s, long long now)
{
	if (s->stats_dirty && now - s->last_request >= STATS_QUIET_MS) {
		write_stats(s, "serving");
		settle_prefetch(s, now);
		end_learning(s);
	}
	if (s->cfg->idle_timeout && !s->unmount_pid && now >= s->next_attempt)
		start_idle_unmount(s, now);
}

static int serve(struct server *s)
{
	struct fuse_buf buf;
	struct pollfd p[2];
	int rc = 0, n;

	memset(&buf, 0, sizeof(buf));
	p[0].fd = fuse_session_fd(s->se);
	p[1].fd = s->sig_fd;
	p[0].events = p[1].events = POLLIN;
	s->last_request = now_ms();
	s->next_attempt = s->last_request +
			  (long long)s->cfg->idle_timeout * 1000;
	while (!rc) {
		n = poll(p, 2, poll_timeout(s, now_ms()));
		if (n < 0 && errno != EINTR)
			rc = -1;
		if (n > 0 && p[1].revents && take_signals(s, now_ms()))
			s->stopping = 1;
		/* its stores may wait for READs that only we answer */
		if (s->stopping && xar_prefetch_quiesce(s->fs->prefetch))
			rc = 1;
		if (!rc && n > 0 && p[0].revents)
			rc = serve_one(s, &buf, now_ms());
		if (!rc)
			housekeeping(s, now_ms());
	}
	free(buf.mem);
	return rc < 0 ? -1 : 0;
}

/* What runs beside the serving thread: a recorder for mkxar --profile
 * (a recording sees every read: nothing comes ahead of the app), else the
 * prefetcher, with the start-up list learnt here or, when there is none
 * yet, a recorder learning it (the reads the prefetcher's stores hide are
 * of its own lists). A new build's first mount follows the list learnt
 * for the image last run by the xar's name: its stores hide the reads of
 * what that list names, so what this mount learns is written after it.
 * After detach, so that the thread has the signal mask and the image fd.
 * Without a prefetcher the serving thread is not held. */
static void start_helpers(struct server *s)
{
	struct xar_fuse_fs *fs = s->fs;
	char *learnt = NULL;
	size_t learnt_len = 0;

	/* Every read allocates and frees a block-sized buffer, and so does
	 * libsquashfuse per block: kept in the heap instead of mapped and
	 * trimmed each time, they cost no page faults. Trimmed by hand once
	 * the start-up's blocks are freed (housekeeping). */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	if (s->cfg->record_path) {
		fs->record = xar_record_new();
	} else {
		if (s->cfg->learn_path &&
		    xar_learnt_read(s->cfg->learn_path, &learnt,
				    &learnt_len) == 1) {
			fs->record = xar_record_new();
			if (s->cfg->carry_path && fs->record)
				xar_learnt_read(s->cfg->carry_path,
						&s->carried, &s->carried_len);
		}
		fs->prefetch = xar_prefetch_start(fs->ll.fs.fd, s->cfg->offset,
						  s->cfg->prefetch,
						  learnt ? learnt : s->carried,
						  learnt ? learnt_len :
						  s->carried_len,
						  PREFETCH_BUDGET, &s->cpus);
		free(learnt);
	}
	if (!fs->prefetch)
		xar_cpus_release(&s->cpus);
}

void xar_server_run(const struct xar_server_config *cfg,
		    struct xar_fuse_fs *fs, int report_fd,
		    const struct xar_cpus *cpus)
{
	struct server s;
	pid_t self = getpid();
	int rc = 1;

	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	s.fs = fs;
	s.report_fd = report_fd;
	s.cpus = *cpus;
	xar_write_all(report_fd, &self, sizeof(self));
	fs->marker = cfg->marker;
	fs->on_init = report_ready;
	fs->on_init_arg = &s;
	if (detach(&s))
		goto out;
	start_helpers(&s);
	if (mount_image(&s))
		goto out_helpers;
	xar_prefetch_attach(fs->prefetch, s.se, cfg->mountpoint);
	write_stats(&s, "serving");
	s.stats_dirty = 1; /* to settle the prefetcher even if nobody asks */
	rc = serve(&s) ? 1 : 0;
	/* quiesced, or the mount is gone and with it every READ in flight:
	 * the thread waits for nothing, and must end before the session */
	if (fs->prefetch)
		drop_prefetch(&s);
	/* Unmount (lazily) if still mounted. Once the kernel has dropped the
	 * mount, /dev/fuse polls POLLERR and libfuse only closes it and frees
	 * its copy of the path: nothing reaches a mount made there since. */
	fuse_session_unmount(s.se);
	fuse_session_destroy(s.se);
	if (s.unmount_pid)
		waitpid(s.unmount_pid, NULL, 0);
	if (fs->record && cfg->record_path)
		xar_record_write(fs->record, cfg->record_path);
	end_learning(&s); /* a mount that ended before requests paused */
	write_final_stats(&s);
out_helpers:
	xar_prefetch_stop(fs->prefetch);
	xar_record_free(fs->record);
	free(s.carried);
out:
	xar_fuse_fs_close(fs);
	leak_check();
	_exit(rc);
}
