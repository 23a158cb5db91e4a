/* Running the build interpreter as a child: probe, pip, compiler. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"

extern char **environ;

/* Feed the child's stdin through a socket, not a pipe: send() with
 * MSG_NOSIGNAL gets EPIPE instead of a SIGPIPE that would kill mkxar when
 * the child exits early. A child that stops reading is not an error here;
 * its exit status tells. */
static void feed(int fd, const char *in, size_t len)
{
	while (len) {
		ssize_t n = send(fd, in, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		in += n;
		len -= (size_t)n;
	}
}

static int slurp(int fd, char **out, size_t cap, struct xar_err *err)
{
	size_t len = 0, alloc = 0;
	char *buf = NULL, chunk[4096];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		size_t keep;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return xar_err_sys(err, "cannot read from the interpreter");
		}
		keep = (size_t)n < cap - len ? (size_t)n : cap - len;
		while (len + keep + 1 > alloc)
			if (xar_grow((void **)&buf, &alloc, 1, 256) < 0) {
				free(buf);
				return xar_err_set(err, ENOMEM, "out of memory");
			}
		memcpy(buf + len, chunk, keep);
		len += keep;
		if (n == 0)
			break;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static int reap(pid_t pid, const char *prog, struct xar_err *err)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			xar_interrupt_set_child(0);
			return xar_err_sys(err, "cannot wait for '%s'", prog);
		}
	xar_interrupt_set_child(0);
	if (xar_interrupt_signal())
		return xar_err_set(err, EINTR, "interrupted by signal %d",
				   xar_interrupt_signal());
	if (WIFSIGNALED(st))
		return xar_err_set(err, EINTR, "'%s' was killed by signal %d",
				   prog, WTERMSIG(st));
	return WEXITSTATUS(st);
}

/* fds[0]: the parent's end, fds[1]: the child's (stdin or stdout). */
static int setup_actions(posix_spawn_file_actions_t *fa, const void *in,
			 char **out, int fds[2], struct xar_err *err)
{
	int rc;

	if (in && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
		return xar_err_sys(err, "cannot make a socket pair");
	if (out && pipe2(fds, O_CLOEXEC) < 0)
		return xar_err_sys(err, "cannot make a pipe");
	if (out) { /* pipe: [0] read end is ours, [1] write end the child's */
		rc = posix_spawn_file_actions_adddup2(fa, fds[1], 1);
		if (!rc)
			rc = posix_spawn_file_actions_addopen(fa, 0, "/dev/null",
							      O_RDONLY, 0);
	} else {
		rc = in ? posix_spawn_file_actions_adddup2(fa, fds[1], 0) :
			  posix_spawn_file_actions_addopen(fa, 0, "/dev/null",
							   O_RDONLY, 0);
		if (!rc)
			rc = posix_spawn_file_actions_adddup2(fa, 2, 1);
	}
	if (rc) {
		errno = rc;
		return xar_err_sys(err, "cannot prepare a child process");
	}
	return 0;
}

/* Start the child in a process group of its own, under interrupt.h's
 * control: a terminal's Ctrl-C reaches only mkxar, whose handler kills
 * the group. Signals stay blocked until the group is registered, so
 * that none can slip between the start and the registration; the child
 * gets the caller's mask and default dispositions back. */
static int spawn_grouped(pid_t *pid, char *const argv[],
			 const posix_spawn_file_actions_t *fa,
			 char *const envp[], struct xar_err *err)
{
	posix_spawnattr_t attr;
	sigset_t all, old, dfl;
	int e;

	if (xar_interrupt_signal())
		return xar_err_set(err, EINTR, "interrupted by signal %d",
				   xar_interrupt_signal());
	if (posix_spawnattr_init(&attr))
		return xar_err_set(err, ENOMEM, "out of memory");
	sigfillset(&all);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGPIPE);
	sigprocmask(SIG_BLOCK, &all, &old);
	e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
				     POSIX_SPAWN_SETSIGMASK |
				     POSIX_SPAWN_SETSIGDEF);
	if (!e)
		e = posix_spawnattr_setpgroup(&attr, 0);
	if (!e)
		e = posix_spawnattr_setsigmask(&attr, &old);
	if (!e)
		e = posix_spawnattr_setsigdefault(&attr, &dfl);
	if (!e)
		e = posix_spawnp(pid, argv[0], fa, &attr, argv,
				 envp ? envp : environ);
	if (!e)
		xar_interrupt_set_child(*pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	posix_spawnattr_destroy(&attr);
	if (e) {
		errno = e;
		return xar_err_sys(err, "cannot run '%s'", argv[0]);
	}
	return 0;
}

int xar_python_spawn(char *const argv[], char *const envp[], const void *in,
		     size_t len, char **out, size_t cap, struct xar_err *err)
{
	posix_spawn_file_actions_t fa;
	int fds[2] = { -1, -1 };
	int rc = -1;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa))
		return xar_err_set(err, ENOMEM, "out of memory");
	if (setup_actions(&fa, in, out, fds, err) < 0)
		goto out_fa;
	if (spawn_grouped(&pid, argv, &fa, envp, err) < 0)
		goto out_fds;
	close(fds[1]);
	fds[1] = -1;
	if (in) {
		feed(fds[0], in, len);
		shutdown(fds[0], SHUT_WR);
	}
	if (out && slurp(fds[0], out, cap, err) < 0) {
		reap(pid, argv[0], NULL);
		goto out_fds;
	}
	rc = reap(pid, argv[0], err);
	if (rc < 0 && out) {
		free(*out);
		*out = NULL;
	}
out_fds:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}
