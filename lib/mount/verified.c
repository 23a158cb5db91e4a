/* The record of a xar whose digests were checked here (mount.h).
 *
 * Under a trust policy a new mount first hashes the whole file: 77 ms for
 * a 15 MiB xar, at every mount, where the mount itself costs 4. The file
 * does not change between mounts, and the kernel says when it does: any
 * write moves its ctime, which nobody can set. So once its digests
 * check, the file's identity goes into <mount point>.verified: device,
 * inode, size, mtime and ctime to the nanosecond. A later mount whose open
 * file has the same identity skips the hashing; any other file, or the
 * same one changed since, is checked again.
 *
 * A file changed within the last seconds is not recorded: on a kernel
 * whose ctime steps by a clock tick, a write in the same tick as the
 * check would leave the ctime as it was. Nor is one whose identity moved
 * while it was hashed: the check may have read the bytes before a write.
 * The record lives in the user's directory, which is checked as ours and
 * writable by nobody else; it is read without following a link and only
 * when it is ours and writable by nobody else either. */
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SETTLED_SECONDS = 2 }; /* a file changed since is not recorded */

/* The identity line of the file open at fd; *settled: it has not changed
 * for SETTLED_SECONDS. */
static int identity(int fd, char *line, size_t size, int *settled)
{
	struct timespec now;
	struct stat st;
	int n;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    clock_gettime(CLOCK_REALTIME, &now))
		return -1;
	*settled = now.tv_sec - st.st_ctim.tv_sec >= SETTLED_SECONDS;
	n = snprintf(line, size, "xar-verified 1 %llu %llu %lld %lld.%09ld "
		     "%lld.%09ld\n", (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, (long long)st.st_size,
		     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		     (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

int xar_verified_known(int dirfd, const char *name, int fd,
		       struct xar_verified *v)
{
	const char *want = v->id;
	char have[sizeof(v->id)];
	struct stat st;
	ssize_t n;
	int rfd, rc = 0;

	if (identity(fd, v->id, sizeof(v->id), &v->settled)) {
		v->id[0] = 0;
		v->settled = 0;
		return 0;
	}
	rfd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		     O_CLOEXEC);
	if (rfd < 0)
		return 0;
	if (!fstat(rfd, &st) && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && !(st.st_mode & 022) &&
	    st.st_size == (off_t)strlen(want)) {
		n = pread(rfd, have, sizeof(have), 0);
		rc = n == (ssize_t)strlen(want) && !memcmp(have, want, (size_t)n);
	}
	close(rfd);
	return rc;
}

void xar_verified_note(int dirfd, const char *name, int fd,
		       const struct xar_verified *v)
{
	char line[sizeof(v->id)], tmp[NAME_MAX + 1];
	size_t len;
	int wfd, ok, settled;

	if (!v->settled || !v->id[0] ||
	    identity(fd, line, sizeof(line), &settled) || strcmp(line, v->id) ||
	    snprintf(tmp, sizeof(tmp), ".%s.%ld", name, (long)getpid()) >=
	    (int)sizeof(tmp))
		return;
	unlinkat(dirfd, tmp, 0);
	wfd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, 0600);
	if (wfd < 0)
		return;
	len = strlen(line);
	ok = xar_write_all(wfd, line, len) == 0;
	ok = !close(wfd) && ok;
	if (!ok || renameat(dirfd, tmp, dirfd, name))
		unlinkat(dirfd, tmp, 0);
}
