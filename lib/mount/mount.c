#include "mount.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "server/server.h"
#include "image/image.h"

#define FUSE_SUPER_MAGIC 0x65735546
#define START_TIMEOUT 30 /* seconds for a server to report ready */
#define BUSY_TRIES 25    /* unmounting a busy mount, 20 ms apart */
#define BUSY_PAUSE_MS 20

/* The per-user directory a launch works in, and what it looks for. */
struct place {
	const struct xar_mountpoint *mp;
	const struct xar_trace *trace;
	int user_fd;
	dev_t user_dev;
	uint64_t marker;
};

uint64_t xar_mount_marker(const char *uuid)
{
	char salt[32];
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	const char *parts[] = { salt, uuid };
	size_t i;

	snprintf(salt, sizeof(salt), "xar-mount-v%d:", XAR_MOUNT_FORMAT);
	for (i = 0; i < 2; i++)
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h ? h : 1;
}

static int is_disconnected(int e)
{
	return e == ENOTCONN || e == ECONNABORTED;
}

int xar_mount_probe(int fd, dev_t parent_dev, uint64_t marker,
		    enum xar_mount_state *state, struct xar_err *err)
{
	struct statfs sf;
	struct stat st;

	if (fstatfs(fd, &sf) || fstat(fd, &st)) {
		if (!is_disconnected(errno))
			return xar_err_sys(err, "cannot stat the mount point");
		*state = XAR_MOUNT_DEAD;
		return 0;
	}
	if (sf.f_type == FUSE_SUPER_MAGIC && (uint64_t)sf.f_ffree == marker)
		*state = XAR_MOUNT_LIVE;
	else if (st.st_dev != parent_dev)
		*state = XAR_MOUNT_FOREIGN;
	else
		*state = XAR_MOUNT_ABSENT;
	return 0;
}

static int open_place(struct place *p, const struct xar_mountpoint *mp,
		      const char *uuid, const struct xar_trace *trace,
		      int create, struct xar_err *err)
{
	struct stat st;

	p->mp = mp;
	p->trace = trace;
	p->marker = xar_mount_marker(uuid);
	p->user_fd = xar_mountpoint_open_user_dir(mp, create, err);
	if (p->user_fd < 0)
		return -1;
	if (fstat(p->user_fd, &st)) {
		xar_err_sys(err, "cannot stat '%s'", mp->user_dir);
		close(p->user_fd);
		return -1;
	}
	p->user_dev = st.st_dev;
	return 0;
}

/* Open the mount point (*fd = -1 when it does not exist) and say what is
 * mounted there. */
static int look(const struct place *p, int *fd, enum xar_mount_state *state,
		struct xar_err *err)
{
	struct xar_err e;

	*state = XAR_MOUNT_ABSENT;
	*fd = xar_open_dir_nofollow(p->user_fd, p->mp->name, p->mp->path,
				    "mount point", &e);
	if (*fd < 0) {
		if (e.code == ENOENT)
			return 0;
		if (is_disconnected(e.code)) {
			*state = XAR_MOUNT_DEAD;
			return 0;
		}
		if (err)
			*err = e;
		return -1;
	}
	if (xar_mount_probe(*fd, p->user_dev, p->marker, state, err)) {
		close(*fd);
		*fd = -1;
		return xar_err_prefix(err, "'%s'", p->mp->path);
	}
	return 0;
}

/* A dead mount: unmount it, lazily if something still sits in it. */
static int remove_dead(const struct place *p, struct xar_err *err)
{
	xar_tracef(p->trace, "the server of %s is gone; unmounting it",
		   p->mp->path);
	if (!xar_unmount(p->mp->path, 0, NULL))
		return 0;
	xar_tracef(p->trace, "busy; detaching it lazily");
	return xar_unmount(p->mp->path, 1, err);
}

/* The executable fusermount3 libfuse would run (it tries /usr/bin first,
 * then PATH), into cand; 0 when there is none. */
static int find_fusermount(char *cand, size_t size)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	snprintf(cand, size, "/usr/bin/fusermount3");
	if (!access(cand, X_OK))
		return 1;
	for (p = path ? path : ""; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end > p && snprintf(cand, size, "%.*s/fusermount3",
					(int)(end - p), p) < (int)size &&
		    !access(cand, X_OK))
			return 1;
	}
	return 0;
}

/* FUSE cannot work here at all: ENODEV, so that callers may fall back.
 * Checked before forking a server, so that XAR_DEBUG names the cause
 * instead of fusermount3's bare "Operation not permitted". */
static int check_fuse_usable(struct xar_err *err)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	char fm[PATH_MAX];
	struct stat st;

	if (fd < 0)
		return xar_err_set(err, ENODEV, "FUSE is unavailable: cannot "
				   "open /dev/fuse: %s", strerror(errno));
	close(fd);
	if (geteuid() == 0)
		return 0; /* root mounts without fusermount3 */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return xar_err_set(err, ENODEV, "FUSE is unavailable: "
				   "no_new_privs is set, so the set-uid "
				   "fusermount3 cannot mount");
	if (!find_fusermount(fm, sizeof(fm)))
		return xar_err_set(err, ENODEV, "FUSE is unavailable: no "
				   "fusermount3 (Debian package fuse3)");
	if (stat(fm, &st) || !(st.st_mode & S_ISUID) || st.st_uid != 0)
		return xar_err_set(err, ENODEV, "FUSE is unavailable: '%s' "
				   "is not set-uid root", fm);
	return 0;
}

/* Before a server starts: can the image answer for its root and target?
 * Refused here, a hostile image leaves no mount behind. */
static int check_serving(const struct xar_mount_request *rq,
			 struct xar_err *err)
{
	struct xar_image *img;
	int rc;

	if (xar_image_open_fd(&img, rq->image_fd, rq->offset,
			      XAR_IMAGE_ANY_COMPRESSION, err))
		return -1;
	rc = xar_image_check_serving(img, rq->target, err);
	xar_image_close(img);
	return rc;
}

/* name made absolute, without its "." and empty components; not resolved
 * through symbolic links, so that a deploy that flips a link to a
 * release directory keeps the name. NULL when out of memory or cwd. */
static char *absolute_name(const char *name)
{
	char *cwd, *full, *w;
	const char *r, *end;

	if (name[0] == '/') {
		full = strdup(name);
	} else {
		if (!(cwd = getcwd(NULL, 0)))
			return NULL;
		full = xar_path_join(cwd, name);
		free(cwd);
	}
	if (!full)
		return NULL;
	for (r = w = full; *r; r = end) { /* in place: w never passes r */
		while (*r == '/')
			r++;
		if (!(end = strchr(r, '/')))
			end = r + strlen(r);
		if (end > r && !(end - r == 1 && *r == '.')) {
			*w++ = '/';
			memmove(w, r, (size_t)(end - r));
			w += end - r;
		}
	}
	if (w == full)
		*w++ = '/';
	*w = '\0';
	return full;
}

/* Where the start-up list learnt last for an image run by the name the
 * xar was run by is kept (xar_server_config.carry_path): a new build of
 * an app, deployed under the same name, starts from its predecessor's
 * list. NULL when the name is unknown. */
static char *carry_path(const struct place *p, const char *image_path)
{
	unsigned char md[XAR_SHA256_LEN];
	char hex[2 * XAR_SHA256_LEN + 1], *name, *path = NULL;

	if (!image_path || !(name = absolute_name(image_path)))
		return NULL;
	xar_sha256_mem(name, strlen(name), md);
	xar_hex(md, sizeof(md), hex);
	hex[16] = '\0';
	if (asprintf(&path, "%s/path-%s.startup", p->mp->user_dir, hex) < 0)
		path = NULL;
	free(name);
	return path;
}

/* A trust policy's check of the image's digests before a new mount,
 * skipped for the very file checked here before and unchanged since. */
static int check_digests(const struct place *p,
			 const struct xar_mount_request *rq,
			 struct xar_err *err)
{
	const char *name = strrchr(p->mp->verified_path, '/') + 1;
	struct xar_verified v;

	if (xar_verified_known(p->user_fd, name, rq->image_fd, &v)) {
		xar_tracef(p->trace, "the image's digests were checked here "
			   "before, and the file has not changed since (%s)",
			   p->mp->verified_path);
		return 0;
	}
	xar_tracef(p->trace, "checking the image's digests (trust policy)");
	if (xar_verify_digests_fd(rq->image_fd, err))
		return -1;
	xar_verified_note(p->user_fd, name, rq->image_fd, &v);
	return 0;
}

static int start_server(const struct place *p,
			const struct xar_mount_request *rq,
			struct xar_mount *m, struct xar_err *err)
{
	struct xar_server_config cfg;
	const char *prefetch[2];
	char fsname[96], *carry = NULL;
	int rc;

	if (check_fuse_usable(err))
		return -1;
	if (rq->verify == XAR_MOUNT_VERIFY_ALL) {
		xar_tracef(p->trace, "verifying the image (XAR_VERIFY)");
		if (xar_verify_fd(rq->image_fd, NULL, err))
			return -1;
	} else if (rq->verify == XAR_MOUNT_VERIFY_DIGESTS) {
		if (check_digests(p, rq, err))
			return -1;
	}
	if (check_serving(rq, err))
		return -1;
	snprintf(fsname, sizeof(fsname), "xar:%s", rq->uuid);
	memset(&cfg, 0, sizeof(cfg));
	cfg.image_fd = rq->image_fd;
	cfg.offset = rq->offset;
	cfg.mountpoint = p->mp->path;
	cfg.fsname = fsname;
	cfg.marker = p->marker;
	cfg.idle_timeout = rq->idle_timeout;
	cfg.stats_path = p->mp->stats_path;
	cfg.lock_path = p->mp->lock_path;
	cfg.start_timeout = START_TIMEOUT;
	prefetch[0] = rq->target; /* the first file the start-up reads */
	prefetch[1] = NULL;
	cfg.prefetch = prefetch;
	cfg.record_path = rq->record_path;
	if (!rq->record_path) { /* a profile's run learns nothing here */
		cfg.learn_path = p->mp->learn_path;
		cfg.carry_path = carry = carry_path(p, rq->image_path);
	}
	rc = xar_server_start(&cfg, &m->server_pid, err);
	free(carry);
	if (rc)
		return xar_err_prefix(err, "cannot mount on '%s'", p->mp->path);
	m->new_mount = 1;
	xar_tracef(p->trace, "mounted %s (server pid %ld, idle timeout %u s)",
		   p->mp->path, (long)m->server_pid, rq->idle_timeout);
	return 0;
}

/* Make the mount point a plain directory of ours: clear a dead mount,
 * create it, check it. */
static int prepare_mount_point(const struct place *p, int *fd,
			       enum xar_mount_state state, struct xar_err *err)
{
	if (state == XAR_MOUNT_FOREIGN)
		return xar_err_set(err, EEXIST, "'%s' has another file system "
				   "mounted on it; unmount it", p->mp->path);
	if (state == XAR_MOUNT_DEAD) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		if (remove_dead(p, err) || look(p, fd, &state, err))
			return -1;
		if (state != XAR_MOUNT_ABSENT)
			return xar_err_set(err, EBUSY, "cannot clear the dead "
					   "mount at '%s'", p->mp->path);
	}
	if (*fd < 0) {
		if (mkdirat(p->user_fd, p->mp->name, 0755) && errno != EEXIST)
			return xar_err_sys(err, "cannot create mount point "
					   "'%s'", p->mp->path);
		if (look(p, fd, &state, err))
			return -1;
		if (*fd < 0 || state != XAR_MOUNT_ABSENT)
			return xar_err_set(err, EAGAIN, "mount point '%s' "
					   "changed under us", p->mp->path);
	}
	return xar_mountpoint_check_dir(*fd, p->mp->path, "mount point",
					p->mp->uid, err);
}

/* With nothing mounted there any more, and the lock held: remove the mount
 * point, its stats and its lock, which nothing uses. */
static void remove_files(const struct place *p)
{
	unlinkat(p->user_fd, strrchr(p->mp->stats_path, '/') + 1, 0);
	unlinkat(p->user_fd, p->mp->name, AT_REMOVEDIR);
	unlinkat(p->user_fd, strrchr(p->mp->lock_path, '/') + 1, 0);
}

/* Under the lock: somebody may have mounted meanwhile; else mount. */
static int mount_locked(const struct place *p,
			const struct xar_mount_request *rq, int *fd,
			struct xar_mount *m, struct xar_err *err)
{
	enum xar_mount_state state;
	int rc;

	if (look(p, fd, &state, err))
		return -1;
	if (state == XAR_MOUNT_LIVE) {
		xar_tracef(p->trace, "another launch mounted it meanwhile");
		return 0;
	}
	if (prepare_mount_point(p, fd, state, err))
		return -1;
	close(*fd);
	*fd = -1;
	if (start_server(p, rq, m, err)) {
		remove_files(p); /* nothing was mounted: leave nothing */
		return -1;
	}
	rc = look(p, fd, &state, err);
	if (rc || state != XAR_MOUNT_LIVE) {
		/* A mount we made and cannot use: take it down (its server
		 * exits with it) before the caller reports the error. */
		if (!rc)
			xar_err_set(err, EIO, "the server reported ready but "
				    "'%s' is not its mount", p->mp->path);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		xar_unmount(p->mp->path, 1, NULL);
		remove_files(p);
		m->new_mount = 0;
		return -1;
	}
	return 0;
}

/* XAR_DEBUG: name the mount points of this image that runtimes of other
 * formats (or the original XAR's) made beside ours; we never use them. */
static void trace_others(const struct place *p, const char *uuid)
{
	size_t ulen = strlen(uuid);
	struct dirent *d;
	DIR *dir;
	int fd;

	if (!p->trace || (fd = openat(p->user_fd, ".", O_RDONLY | O_DIRECTORY |
				      O_CLOEXEC)) < 0)
		return;
	if (!(dir = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, uuid, ulen) && d->d_name[ulen] == '-' &&
		    strcmp(d->d_name, p->mp->name) && !strchr(d->d_name, '.'))
			xar_tracef(p->trace, "%s/%s: a mount point of this image "
				   "from another runtime (not format %d); not "
				   "ours to use", p->mp->user_dir, d->d_name,
				   XAR_MOUNT_FORMAT);
	closedir(dir);
}

int xar_mount_acquire(const struct xar_mountpoint *mp,
		      const struct xar_mount_request *rq, struct xar_mount *m,
		      struct xar_err *err)
{
	enum xar_mount_state state;
	struct place p;
	int fd = -1, lock = -1, rc = -1;

	memset(m, 0, sizeof(*m));
	m->root_fd = -1;
	if (open_place(&p, mp, rq->uuid, rq->trace, 1, err))
		return -1;
	if (look(&p, &fd, &state, err))
		goto out;
	if (state == XAR_MOUNT_LIVE) {
		xar_tracef(rq->trace, "reusing the live mount at %s", mp->path);
	} else {
		if (fd >= 0)
			close(fd);
		fd = -1;
		trace_others(&p, rq->uuid);
		xar_tracef(rq->trace, "no live mount; locking %s",
			   mp->lock_path);
		lock = xar_mount_lock(mp->lock_path, mp->uid, err);
		if (lock < 0)
			goto out;
		xar_tracef(rq->trace, "locked");
		if (mount_locked(&p, rq, &fd, m, err))
			goto out;
	}
	if (fcntl(fd, F_SETFD, 0)) { /* keep it across exec */
		xar_err_sys(err, "fcntl");
		goto out;
	}
	m->root_fd = fd;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	xar_mount_unlock(lock);
	close(p.user_fd);
	return rc;
}

/* Is a fuse.xar mount of key on mp->path, by /proc/self/mounts (never a
 * stat of the mount point, which a broken server may answer wrongly or
 * not at all)? 1 ours, 2 something else, 0 nothing, -1 on an error. */
static int mounted_here(const struct xar_mountpoint *mp, const char *key,
			struct xar_err *err)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *e;
	int found = 0;

	if (!f)
		return xar_err_sys(err, "cannot read /proc/self/mounts");
	while ((e = getmntent(f)))
		if (!strcmp(e->mnt_dir, mp->path))
			found = !strcmp(e->mnt_type, "fuse.xar") &&
				!strncmp(e->mnt_fsname, "xar:", 4) &&
				!strcmp(e->mnt_fsname + 4, key) ? 1 : 2;
	endmntent(f);
	return found;
}

/* The server of the mount at p is gone, by its stats file's pid. */
static int server_gone(const struct place *p)
{
	long pid = xar_server_stats_pid(p->mp->stats_path);

	return pid <= 0 || (kill((pid_t)pid, 0) && errno == ESRCH);
}

/* Unmount (not lazily) a mount whose server lives. A mount is briefly
 * busy while something walks a path in it, the server's prefetcher among
 * them (it looks its listed files up right after mounting): EBUSY is
 * tried again for a while before it counts as in use. */
static int unmount_live(const struct place *p, struct xar_err *err)
{
	const struct timespec pause = { 0, BUSY_PAUSE_MS * 1000000L };
	int tries = 0;

	while (xar_unmount(p->mp->path, 0, err)) {
		if (err->code != EBUSY || ++tries >= BUSY_TRIES ||
		    server_gone(p))
			return -1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

static int remove_locked(const struct place *p, const char *key,
			 struct xar_err *err)
{
	int here = mounted_here(p->mp, key, err);
	struct xar_err e;

	if (here < 0)
		return -1;
	if (here == 2)
		return xar_err_set(err, EEXIST, "'%s' is not a xar mount; "
				   "leaving it alone", p->mp->path);
	if (!here) {
		xar_tracef(p->trace, "nothing mounted at %s", p->mp->path);
		remove_files(p);
		return 0;
	}
	xar_tracef(p->trace, "unmounting %s", p->mp->path);
	if (unmount_live(p, &e)) {
		if (e.code != EBUSY || !server_gone(p)) {
			*err = e;
			return -1;
		}
		xar_tracef(p->trace, "its server is gone: detaching it");
		if (xar_unmount(p->mp->path, 1, err))
			return -1;
	}
	remove_files(p);
	return 1;
}

int xar_mount_remove(const struct xar_mountpoint *mp, const char *uuid,
		     const struct xar_trace *trace, struct xar_err *err)
{
	struct place p;
	int lock, rc;

	if (open_place(&p, mp, uuid, trace, 0, err))
		return err && err->code == ENOENT ? 0 : -1;
	lock = xar_mount_lock(mp->lock_path, mp->uid, err);
	rc = lock < 0 ? -1 : remove_locked(&p, uuid, err);
	xar_mount_unlock(lock);
	close(p.user_fd);
	return rc;
}
