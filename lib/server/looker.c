/* The prefetcher's looker (looker.h). */
#include "looker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	PIPE_SIZE = 256 << 10, /* paths asked ahead: a few thousand */
	LIST_MAX = 256 << 10,  /* of a directory's entries (some thousands):
				* the image is hostile */
};

/* Read directory path through, so that the kernel keeps its entries. */
static void list(const char *path)
{
	static char dents[32 << 10];
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	long n, total = 0;

	if (fd < 0)
		return;
	while (total < LIST_MAX &&
	       (n = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0)
		total += n;
	close(fd);
}

/* One request: "PATH/" lists the directory PATH, "PATH" lstats it. */
static void take(char *path, size_t len)
{
	struct stat st;

	if (len > 1 && path[len - 1] == '/') {
		path[len - 1] = '\0';
		list(path);
	} else {
		fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW);
	}
}

/* In the grandchild: take each NUL-terminated request read from fd,
 * until the pipe ends. Async-signal-safe calls only. */
static void look(int fd)
{
	static char buf[2 * PATH_MAX];
	size_t have = 0;
	ssize_t n;

	if (fd > 0)
		close_range(0, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0u, 0);
	for (;;) {
		char *end;

		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		have += (size_t)n;
		while ((end = memchr(buf, '\0', have))) {
			size_t used = (size_t)(end - buf) + 1;

			take(buf, used - 1);
			memmove(buf, buf + used, have - used);
			have -= used;
		}
		if (have == sizeof(buf)) /* no path is that long */
			_exit(0);
	}
}

int xar_looker_start(void)
{
	int pfd[2], status;
	pid_t mid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	mid = fork();
	if (mid == 0) {
		if (fork() == 0)
			look(pfd[0]);
		_exit(0);
	}
	close(pfd[0]);
	if (mid < 0) {
		close(pfd[1]);
		return -1;
	}
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	(void)fcntl(pfd[1], F_SETPIPE_SZ, PIPE_SIZE); /* best effort */
	if (fcntl(pfd[1], F_SETFL, O_NONBLOCK)) {
		close(pfd[1]);
		return -1;
	}
	return pfd[1];
}

void xar_looker_ask(int fd, const char *path)
{
	size_t len = strlen(path) + 1;

	/* one write of at most PIPE_BUF bytes is all or nothing */
	if (fd >= 0 && len <= PIPE_BUF)
		(void)!write(fd, path, len);
}
