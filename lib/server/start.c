/* Starting the FUSE server and waiting for "ready" (the parent's side).
 *
 * The report pipe carries, from the server: its pid (a binary pid_t), then
 * any text (the server's own error messages, and libfuse's and
 * fusermount3's, which write to the server's stderr while it mounts), then
 * a NUL byte once the kernel's INIT arrived, i.e. the mount is ready. End
 * of file before the NUL means failure; XAR_REPORT_MOUNT_FAILED before it
 * says that the mount itself failed (fusermount3 or the kernel refused). */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpus.h"
#include "fs.h"

struct report {
	pid_t pid;
	size_t pid_bytes;
	char text[768];
	size_t len;
	int ready;
	int mount_failed;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Take in n bytes from the pipe. */
static void take(struct report *r, const char *p, size_t n)
{
	while (n && r->pid_bytes < sizeof(r->pid)) {
		((char *)&r->pid)[r->pid_bytes++] = *p++;
		n--;
	}
	for (; n && !r->ready; p++, n--) {
		if (!*p)
			r->ready = 1;
		else if (*p == XAR_REPORT_MOUNT_FAILED)
			r->mount_failed = 1;
		else if (r->len < sizeof(r->text) - 1)
			r->text[r->len++] = *p == '\n' ? ' ' : *p;
	}
}

/* Read the report until ready, end of file or the deadline; 0 when the
 * deadline passed, 1 otherwise, -1 on a read error. */
static int read_report(int fd, unsigned timeout_s, struct report *r)
{
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[256];
	ssize_t n;

	while (!r->ready) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return 0;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -1;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		take(r, buf, (size_t)n);
	}
	return 1;
}

/* A server that died after mounting leaves a dead mount (ENOTCONN):
 * detach it so that nothing broken stays behind. */
static void remove_dead_mount(const char *mountpoint)
{
	struct statfs st;

	if (statfs(mountpoint, &st) &&
	    (errno == ENOTCONN || errno == ECONNABORTED))
		xar_unmount(mountpoint, 1, NULL);
}

static int failed(const struct xar_server_config *cfg, struct report *r,
		  int rc, struct xar_err *err)
{
	if (r->pid_bytes == sizeof(r->pid) && r->pid > 0)
		kill(r->pid, SIGKILL);
	remove_dead_mount(cfg->mountpoint);
	while (r->len && r->text[r->len - 1] == ' ')
		r->len--;
	r->text[r->len] = '\0';
	if (rc < 0)
		return xar_err_sys(err, "cannot read the FUSE server's report");
	if (rc == 0)
		return xar_err_set(err, ETIMEDOUT, "the FUSE server did not "
				   "report ready within %u s%s%s",
				   cfg->start_timeout, r->len ? ": " : "",
				   r->text);
	if (r->mount_failed) /* FUSE is unusable here: callers may fall back */
		return xar_err_set(err, ENODEV, "%s", r->len ? r->text :
				   "the mount failed");
	return xar_err_set(err, EIO, "the FUSE server failed: %s",
			   r->len ? r->text : "it exited before mounting");
}

/* Fork the server through a short-lived middle process; the parent's
 * copy of fs is closed. The server starts held where the caller is. */
static pid_t spawn(const struct xar_server_config *cfg,
		   struct xar_fuse_fs *fs, int report_fd,
		   const struct xar_cpus *cpus)
{
	pid_t mid = fork(), server;
	int status;

	if (mid == 0) {
		server = fork();
		if (server == 0)
			xar_server_run(cfg, fs, report_fd, cpus);
		_exit(server < 0);
	}
	xar_fuse_fs_close(fs);
	if (mid < 0)
		return -1;
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	return mid;
}

int xar_server_start(const struct xar_server_config *cfg, pid_t *server_pid,
		     struct xar_err *err)
{
	struct xar_fuse_fs fs;
	struct xar_cpus cpus;
	struct report r;
	int pipefd[2], rc;

	memset(&r, 0, sizeof(r));
	if (strpbrk(cfg->fsname, ",\\"))
		return xar_err_set(err, EINVAL, "bad file system name '%s'",
				   cfg->fsname);
	if (xar_fuse_fs_open(&fs, cfg->image_fd, cfg->offset, err))
		return -1;
	if (pipe2(pipefd, O_CLOEXEC)) {
		xar_fuse_fs_close(&fs);
		return xar_err_sys(err, "cannot create a pipe");
	}
	xar_cpus_hold(&cpus);
	if (spawn(cfg, &fs, pipefd[1], &cpus) < 0) {
		xar_cpus_release(&cpus);
		xar_err_sys(err, "cannot fork the FUSE server");
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	close(pipefd[1]);
	rc = read_report(pipefd[0], cfg->start_timeout, &r);
	xar_cpus_release(&cpus); /* before the app is exec'd */
	close(pipefd[0]);
	if (rc != 1 || !r.ready)
		return failed(cfg, &r, rc, err);
	*server_pid = r.pid;
	return 0;
}
