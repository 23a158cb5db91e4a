#include "base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_entries(int fd)
{
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	if (!(dir = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	while ((errno = 0, d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (xar_remove_tree_at(fd, d->d_name))
			rc = -1;
	}
	if (errno)
		rc = -1;
	closedir(dir);
	return rc;
}

int xar_remove_tree_at(int dirfd, const char *name)
{
	struct stat st;
	int fd, saved;

	if (!unlinkat(dirfd, name, 0) || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (!fstat(fd, &st) && st.st_uid == geteuid() &&
	    (st.st_mode & S_IRWXU) != S_IRWXU)
		fchmod(fd, (st.st_mode & 07777) | S_IRWXU);
	if (remove_entries(fd)) {
		saved = errno;
		unlinkat(dirfd, name, AT_REMOVEDIR);
		errno = saved ? saved : EIO;
		return -1;
	}
	if (unlinkat(dirfd, name, AT_REMOVEDIR) && errno != ENOENT)
		return -1;
	return 0;
}
