/* xarexec: run a .xar. A front end over lib/: read the header, find the
 * mount point, reuse or make the mount, exec the app. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_status.h"
#include "image/image.h"
#include "run/run.h"
#include "header/header.h"
#include "inspect.h"
#include "mount/mount.h"
#include "mount_status.h"
#include "options.h"
#include "python/python.h"
#include "trust/trust.h"
#include "base/base.h"

static void debug_sink(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "xarexec: debug: %s\n", msg);
}

static int fail(const char *file, const struct xar_err *err)
{
	fprintf(stderr, "xarexec: error: %s: %s\n", file, err->msg);
	return 1;
}

/* Descriptors 0-2 open, so that nothing we open lands on them. */
static void ensure_stdio_open(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

/* The server's request counts so far, for XAR_DEBUG. */
static void trace_stats(const struct xar_trace *t, const char *path)
{
	char buf[2048];
	FILE *f;

	if (!t || !(f = fopen(path, "re")))
		return;
	while (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		xar_tracef(t, "server stats: %s", buf);
	}
	fclose(f);
}

static void trace_exec(const struct xar_trace *t, const struct xar_launch *l)
{
	char **a;

	if (!t)
		return;
	xar_tracef(t, "exec %s", l->path);
	for (a = l->argv; *a; a++)
		xar_tracef(t, "  argv[%d] = %s", (int)(a - l->argv), *a);
}

/* A mount this launch made, to take down when the launch fails. */
struct undo {
	const struct xar_mountpoint *mp;
	const char *key;
	struct xar_mount *m;
};

/* Unmount what this launch mounted (its server exits with it). */
static void undo_mount(const struct undo *u, const struct xar_trace *t)
{
	struct xar_err err;

	if (!u || !u->m->new_mount)
		return;
	close(u->m->root_fd);
	u->m->root_fd = -1;
	xar_tracef(t, "the launch failed: unmounting %s", u->mp->path);
	if (xar_mount_remove(u->mp, u->key, t, &err) < 0)
		xar_tracef(t, "cannot unmount it: %s", err.msg);
}

/* exec the app from root; on failure, undo (NULL: nothing to undo)
 * before saying why. */
static int exec_app(const struct xarexec_options *o,
		    const struct xar_header *h, const char *root,
		    int new_mount, const struct xar_trace *t,
		    const struct undo *undo)
{
	struct xar_launch l;
	struct xar_err err;
	int e;

	if (xar_launch_env(o->invoked_name, root, new_mount, &err) ||
	    xar_launch_plan(h, root, o->invoked_name, o->app_argc, o->app_argv,
			    &l, &err)) {
		undo_mount(undo, t);
		return fail(o->xar_path, &err);
	}
	trace_exec(t, &l);
	fflush(NULL);
	execv(l.path, l.argv);
	e = errno;
	undo_mount(undo, t);
	fprintf(stderr, "xarexec: error: %s: cannot run '%s': %s\n",
		o->xar_path, l.path, strerror(e));
	xar_launch_free(&l);
	return 1;
}

static int env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

/* The first run from the extraction cache takes a while: say so once, on
 * a terminal, with the size and the reason (later runs reuse it). */
static void announce_extraction(const struct xarexec_options *o,
				const struct xar_header *h, int by_digest,
				const char *why)
{
	char *dir = NULL, *root = NULL, key[XAR_HEADER_KEY_MAX];
	struct xar_err err;
	struct stat st;

	if (!isatty(STDERR_FILENO) || xar_header_key(h, by_digest, key, &err) ||
	    stat(o->xar_path, &st) < 0 || xar_cache_dir(&dir, &err))
		return;
	if (asprintf(&root, "%s/%s", dir, key) > 0 && access(root, F_OK) < 0)
		fprintf(stderr, "xarexec: unpacking %s (%.1f MB) into %s, "
			"once, because %s\n", o->xar_path,
			(double)st.st_size / (1024.0 * 1024.0), dir, why);
	free(root);
	free(dir);
}

/* Run from the extraction cache (lib/run): XAR_EXTRACT=1, or FUSE
 * is unusable here (fuse_error says why). The in-use lock stays open
 * across exec. */
static int extract_and_run(const struct xarexec_options *o,
			   const struct xar_header *h, const char *fuse_error,
			   int trusted_only, const struct xar_trace *t)
{
	const char *why = fuse_error ? fuse_error : "XAR_EXTRACT is set";
	struct xar_cache c;
	struct xar_err err;
	int rc;

	xar_tracef(t, "mode: run from the extraction cache (%s)", why);
	/* no extraction for an app whose interpreter is not here */
	if (xar_header_get(h, "XAR_PYTHON") &&
	    xar_python_interp_check(h, &err))
		return fail(o->xar_path, &err);
	announce_extraction(o, h, trusted_only, why);
	if (xar_cache_ensure(o->xar_path, h,
			     (env_set("XAR_VERIFY") || trusted_only ?
			      XAR_CACHE_VERIFY : 0) |
			     (trusted_only ? XAR_CACHE_BY_DIGEST : 0), &c, &err)) {
		if (fuse_error) /* say why we fell back, too */
			xar_err_prefix(&err, "%s; cannot run from an "
				       "extraction either", fuse_error);
		return fail(o->xar_path, &err);
	}
	xar_tracef(t, c.extracted ? "extracted into %s" : "reusing %s",
		   c.root);
	rc = exec_app(o, h, c.root, c.extracted, t, NULL);
	xar_cache_release(&c);
	return rc;
}

/* Where mkxar --profile's private run wants the start-up recorded: an
 * absolute path (the server runs in /), or NULL. */
static const char *record_path(void)
{
	const char *p = getenv("XAR_RECORD_STARTUP");

	return p && *p == '/' ? p : NULL;
}

/* key names the mount (xar_header_key); trusted_only: a trust policy is
 * in force, so a new mount's digests are checked first. */
static int mount_and_run(const struct xarexec_options *o,
			 const struct xar_header *h, int fd,
			 const struct xar_mountpoint *mp, const char *key,
			 int trusted_only, const struct xar_trace *t)
{
	struct xar_mount_request rq;
	struct xar_mount m;
	struct undo undo = { mp, key, &m };
	struct xar_err err;

	if (o->mode == XAREXEC_RUN && xar_launch_check(h, &err))
		return fail(o->xar_path, &err);
	if (o->mode == XAREXEC_RUN && env_set("XAR_EXTRACT"))
		return extract_and_run(o, h, NULL, trusted_only, t);
	rq.image_fd = fd;
	rq.offset = h->offset;
	rq.uuid = key;
	rq.idle_timeout = o->timeout;
	rq.verify = env_set("XAR_VERIFY") ? XAR_MOUNT_VERIFY_ALL :
		    trusted_only ? XAR_MOUNT_VERIFY_DIGESTS :
		    XAR_MOUNT_VERIFY_NONE;
	rq.trace = t;
	rq.target = o->mode == XAREXEC_RUN ? xar_launch_target(h) : NULL;
	rq.record_path = o->mode == XAREXEC_RUN ? record_path() : NULL;
	rq.image_path = o->invoked_name;
	xar_tracef(t, "mode: FUSE mount");
	if (xar_mount_acquire(mp, &rq, &m, &err)) {
		if (o->mode == XAREXEC_RUN && err.code == ENODEV)
			return extract_and_run(o, h, err.msg, trusted_only,
					       t);
		return fail(o->xar_path, &err);
	}
	trace_stats(t, mp->stats_path);
	if (o->mode == XAREXEC_MOUNT) {
		puts(mp->path);
		return fflush(stdout) ? 1 : 0;
	}
	return exec_app(o, h, mp->path, m.new_mount, t, &undo);
}

static int unmount(const struct xarexec_options *o, const char *key,
		   const struct xar_mountpoint *mp, const struct xar_trace *t)
{
	struct xar_err err;

	if (xar_mount_remove(mp, key, t, &err) < 0)
		return fail(o->xar_path, &err);
	return 0;
}

/* Open the xar without blocking on a FIFO; refuse anything but a regular
 * file. -1 after printing the error. */
static int open_xar(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int flags;

	if (fd < 0) {
		fprintf(stderr, "xarexec: error: cannot open '%s': %s\n",
			path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "xarexec: error: %s: not a regular file\n",
			path);
		goto fail;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)) {
		fprintf(stderr, "xarexec: error: %s: fcntl: %s\n", path,
			strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* --doctor FILE.xar: does its header say how to run it, and is its
 * Python interpreter here? */
static int doctor_xar(const char *path)
{
	struct xar_header h;
	struct xar_err err;
	char **argv = NULL;
	int fd = open_xar(path), rc = 1;

	if (fd < 0)
		return 1;
	if (xar_header_read_fd(&h, fd, &err)) {
		printf("problem: %s: %s\n", path, err.msg);
		goto out_fd;
	}
	if (xar_launch_check(&h, &err))
		printf("problem: %s: %s\n", path, err.msg);
	else if (!xar_header_get(&h, "XAR_PYTHON"))
		rc = printf("ok: %s says how to run it\n", path) < 0;
	else if (xar_python_argv(&h, "/", 0, NULL, &argv, &err))
		printf("problem: %s: %s\n", path, err.msg);
	else
		rc = printf("ok: %s runs with %s\n", path, argv[0]) < 0;
	xar_python_argv_free(argv);
	xar_header_free(&h);
out_fd:
	close(fd);
	return rc;
}

/* The modes that only look at the xar, or need none. */
static int inspect(const struct xarexec_options *o)
{
	switch (o->mode) {
	case XAREXEC_INFO:
		return xarexec_info(o->xar_path, o->json);
	case XAREXEC_LIST:
		return xarexec_list(o->xar_path, o->app_argv, o->app_argc);
	case XAREXEC_EXTRACT:
		return xarexec_extract(o->extract_dir, o->xar_path,
				       o->app_argv, o->app_argc,
				       (o->force ? XAR_EXTRACT_FORCE : 0) |
				       (o->keep_setid ? XAR_EXTRACT_KEEP_SETID : 0));
	case XAREXEC_VERIFY:
		return xarexec_verify(o->xar_path, o->key_file);
	case XAREXEC_STATUS:
		return xarexec_mount_status() | xarexec_cache_status();
	case XAREXEC_CLEAN:
		return xarexec_mount_clean() |
		       xarexec_cache_clean(o->older_than);
	case XAREXEC_DOCTOR:
		return xarexec_policy_doctor() | xarexec_mount_doctor() |
		       xarexec_cache_doctor() |
		       (o->xar_path ? doctor_xar(o->xar_path) : 0);
	default:
		return -1;
	}
}

/* The trust policy, before anything is mounted or extracted: with one,
 * only a good signature by a trusted key runs, and mounts are named by
 * the full digest (*key). -n and -u only need the name. */
static int trust(const struct xarexec_options *o, const struct xar_header *h,
		 char *key, int *trusted_only, const struct xar_trace *t)
{
	struct xar_policy pol;
	struct xar_err err;
	int rc = 0;

	if (xar_policy_load(&pol, &err))
		return fail(o->xar_path, &err);
	*trusted_only = pol.active;
	if (pol.active)
		xar_tracef(t, "trust policy: %zu trusted key(s)", pol.nkeys);
	if (pol.active && o->mode != XAREXEC_PRINT_PATH &&
	    o->mode != XAREXEC_UNMOUNT && xar_policy_check(&pol, h, &err))
		rc = fail(o->xar_path, &err);
	else if (xar_header_key(h, pol.active, key, &err))
		rc = fail(o->xar_path, &err);
	xar_policy_free(&pol);
	return rc;
}

static int run(const struct xarexec_options *o, const struct xar_trace *t)
{
	char key[XAR_HEADER_KEY_MAX];
	struct xar_header h;
	struct xar_mountpoint mp;
	struct xar_err err;
	int fd, rc = 1, trusted_only = 1;

	fd = open_xar(o->xar_path);
	if (fd < 0)
		return 1;
	if (xar_header_read_fd(&h, fd, &err)) {
		rc = fail(o->xar_path, &err);
		goto out_fd;
	}
	if (trust(o, &h, key, &trusted_only, t))
		goto out_header;
	if (xar_mountpoint_locate(&mp, key, xar_header_get(&h, "MOUNT_ROOT"),
				  t, &err)) {
		rc = fail(o->xar_path, &err);
		goto out_header;
	}
	if (o->mode == XAREXEC_PRINT_PATH)
		rc = puts(mp.path) < 0 || fflush(stdout) ? 1 : 0;
	else if (o->mode == XAREXEC_UNMOUNT)
		rc = unmount(o, key, &mp, t);
	else
		rc = mount_and_run(o, &h, fd, &mp, key, trusted_only, t);
	xar_mountpoint_free(&mp);
out_header:
	xar_header_free(&h);
out_fd:
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct xar_trace trace = { debug_sink, NULL };
	struct xarexec_options o;
	int rc;

	ensure_stdio_open();
	if (getuid() != geteuid() || getgid() != getegid()) {
		fputs("xarexec: error: refusing to run set-uid or set-gid\n",
		      stderr);
		return 1;
	}
#ifdef XAR_EMBEDDED_RUNTIME
	rc = xarexec_parse_runtime(&o, argc, argv);
#else
	rc = xarexec_parse_options(&o, argc, argv);
#endif
	if (rc)
		return rc == 1 ? 0 : 2;
	rc = inspect(&o);
	if (rc >= 0)
		return rc;
	return run(&o, o.verbose ? &trace : NULL);
}
