/* Signal-time cleanup of an interrupted build (base.h). Everything
 * the handler side touches is a sig_atomic_t or a fixed buffer, and it
 * calls only async-signal-safe system calls. */
#include "base.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_DIRS 4
#define DIR_LEN 256

static volatile sig_atomic_t child_pgid;
static volatile sig_atomic_t interrupted_by;
static volatile sig_atomic_t dir_used[MAX_DIRS];
static char dirs[MAX_DIRS][DIR_LEN];

int xar_interrupt_children(int sig)
{
	pid_t g = (pid_t)child_pgid;

	interrupted_by = sig;
	if (g <= 0)
		return 0;
	kill(-g, SIGKILL);
	return 1;
}

int xar_interrupt_signal(void)
{
	return (int)interrupted_by;
}

static sigset_t block_all(void)
{
	sigset_t all, old;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	return old;
}

void xar_interrupt_set_child(pid_t pgid)
{
	sigset_t old = block_all();

	child_pgid = (sig_atomic_t)pgid;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int xar_interrupt_add_dir(const char *path)
{
	sigset_t old;
	int i, rc = -1;

	if (strlen(path) >= DIR_LEN)
		return -1;
	old = block_all();
	for (i = 0; i < MAX_DIRS && rc < 0; i++)
		if (!dir_used[i]) {
			strcpy(dirs[i], path);
			dir_used[i] = 1;
			rc = 0;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void xar_interrupt_forget_dir(const char *path)
{
	sigset_t old = block_all();
	int i;

	for (i = 0; i < MAX_DIRS; i++)
		if (dir_used[i] && !strcmp(dirs[i], path))
			dir_used[i] = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* getdents64's record; glibc's getdents64() wrapper is not in every
 * libc, the system call is. */
struct dent64 {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Remove name in dfd, a tree, with system calls only (no malloc, no
 * stdio): a handler may run in the middle of either. Depth is bounded by
 * the stack; the trees here are pip's and ours. */
static void remove_at(int dfd, const char *name, int depth)
{
	char buf[2048];
	int fd, pass;
	long n;

	if (unlinkat(dfd, name, 0) == 0 || depth > 64)
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	/* a second pass for what removing shifted past the first */
	for (pass = 0; pass < 2; pass++) {
		lseek(fd, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			long off = 0;

			while (off < n) {
				struct dent64 *d = (struct dent64 *)(buf + off);

				off += d->reclen;
				if (strcmp(d->name, ".") && strcmp(d->name, ".."))
					remove_at(fd, d->name, depth + 1);
			}
		}
	}
	close(fd);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

void xar_interrupt_remove_dirs(void)
{
	int i;

	for (i = 0; i < MAX_DIRS; i++)
		if (dir_used[i]) {
			remove_at(AT_FDCWD, dirs[i], 0);
			dir_used[i] = 0;
		}
}
