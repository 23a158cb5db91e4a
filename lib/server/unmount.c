#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static int umount_as_root(const char *path, int lazy)
{
	return umount2(path, UMOUNT_NOFOLLOW | (lazy ? MNT_DETACH : 0));
}

/* In the child: run fusermount3 with stdout and stderr on /dev/null (the
 * caller reports failures its own way). Never returns. */
static void exec_fusermount(const char *path, int lazy)
{
	const char *argv[7];
	int n = 0, null = open("/dev/null", O_WRONLY);

	argv[n++] = "fusermount3";
	argv[n++] = "-u";
	argv[n++] = "-q";
	if (lazy)
		argv[n++] = "-z";
	argv[n++] = "--";
	argv[n++] = path;
	argv[n] = NULL;
	if (null >= 0) {
		dup2(null, 1);
		dup2(null, 2);
	}
	execv("/usr/bin/fusermount3", (char *const *)argv);
	execv("/bin/fusermount3", (char *const *)argv);
	execvp("fusermount3", (char *const *)argv);
	_exit(127);
}

pid_t xar_unmount_spawn(const char *path, int lazy)
{
	pid_t pid = fork();
	sigset_t none;

	if (pid)
		return pid;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (geteuid() == 0)
		_exit(umount_as_root(path, lazy) ? 1 : 0);
	exec_fusermount(path, lazy);
	return -1; /* not reached */
}

int xar_unmount(const char *path, int lazy, struct xar_err *err)
{
	int status;
	pid_t pid;

	if (geteuid() == 0) {
		if (umount_as_root(path, lazy))
			return xar_err_sys(err, "cannot unmount '%s'", path);
		return 0;
	}
	pid = xar_unmount_spawn(path, lazy);
	if (pid < 0)
		return xar_err_sys(err, "cannot start fusermount3");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return xar_err_sys(err, "waiting for fusermount3");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return xar_err_set(err, ENOENT, "cannot unmount '%s': "
				   "fusermount3 not found", path);
	return xar_err_set(err, EBUSY, "cannot unmount '%s': fusermount3 "
			   "failed (the mount is in use or not ours)", path);
}
