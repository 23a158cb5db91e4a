/* The start-up list learnt on this machine (learn.h). */
#include "learn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "header/header.h"

int xar_learnt_read(const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t size;
	char *b = NULL;
	int fd, rc = -1;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != getuid() ||
	    st.st_size <= 0)
		goto out;
	/* a long start-up's list: its head (a cut last line is not followed) */
	size = st.st_size < XAR_STARTUP_LIST_MAX ? (size_t)st.st_size :
	       XAR_STARTUP_LIST_MAX;
	if (!(b = malloc(size)))
		goto out;
	if (xar_pread_full(fd, b, size, 0) != (long long)size)
		goto out;
	*buf = b;
	*len = size;
	b = NULL;
	rc = 0;
out:
	free(b);
	close(fd);
	return rc;
}
