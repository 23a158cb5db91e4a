/* The start-up list of a build (startup.h). */
#include "startup.h"
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header/header.h"

/* Keep line[0..n) (append it to out) if it names a regular file of the
 * tree, ranking the file when this is its first line, or a name absent
 * from the tree as absent: 2 when ranked, 1 when kept, 0 when skipped
 * (nothing named, a name said absent that is there, or the whole file
 * again). */
static int rank_line(struct xar_tree *t, const char *line, size_t n,
		     uint32_t rank, char *out, size_t *used)
{
	struct xar_node *node;
	uint64_t first, last;
	char path[4096];
	size_t plen;
	int kind = xar_startup_line(line, n, &plen, &first, &last);

	if (kind < 0 || !plen || plen >= sizeof(path))
		return 0;
	memcpy(path, line, plen);
	path[plen] = '\0';
	node = xar_tree_lookup(t, path);
	if (kind == 1 ? node != NULL
		      : (!node || !S_ISREG(node->mode) ||
			 (node->rank && plen == n)))
		return 0;
	memcpy(out + *used, line, n);
	out[*used + n] = '\n';
	*used += n + 1;
	if (kind == 1 || node->rank)
		return 1;
	node->rank = rank;
	return 2;
}

int xar_startup_apply(struct xar_tree *t, const char *list, size_t len,
		      size_t *files, size_t *skipped, struct xar_err *err)
{
	const char *line = list, *end = list + len, *nl;
	size_t used = 0;
	char *out;
	int rc;

	*files = *skipped = 0;
	if (len > XAR_STARTUP_LIST_MAX)
		return xar_err_set(err, EFBIG, "the start-up list is longer "
				   "than %u bytes", XAR_STARTUP_LIST_MAX);
	if (memchr(list, '\0', len))
		return xar_err_set(err, EINVAL, "the start-up list is not "
				   "text");
	if (xar_tree_lookup(t, XAR_STARTUP_LIST))
		return xar_err_set(err, EEXIST, "the tree has a %s already",
				   XAR_STARTUP_LIST);
	if (!(out = malloc(len + 1)))
		return xar_err_set(err, ENOMEM, "out of memory");
	for (; line < end; line = nl + 1) {
		int kept;

		if (!(nl = memchr(line, '\n', (size_t)(end - line))))
			nl = end;
		kept = rank_line(t, line, (size_t)(nl - line),
				 (uint32_t)*files + 1, out, &used);
		if (kept == 2)
			(*files)++;
		else if (!kept && nl > line)
			(*skipped)++;
	}
	rc = used ? xar_tree_add_bytes(t, XAR_STARTUP_LIST, out, used,
					 0644, err) : 0;
	free(out);
	return rc;
}

int xar_startup_read(const char *path, char **list, size_t *len,
		     struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	*list = NULL;
	if (fd < 0)
		return xar_err_sys(err, "cannot open '%s'", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > (off_t)XAR_STARTUP_LIST_MAX) {
		close(fd);
		return xar_err_set(err, EINVAL, "'%s' is not a start-up list "
				   "(a regular file of at most %u bytes)", path,
				   XAR_STARTUP_LIST_MAX);
	}
	*list = malloc((size_t)st.st_size + 1);
	n = *list ? read(fd, *list, (size_t)st.st_size) : -1;
	close(fd);
	if (n != (ssize_t)st.st_size) {
		free(*list);
		*list = NULL;
		return xar_err_set(err, EIO, "cannot read '%s'", path);
	}
	*len = (size_t)n;
	return 0;
}
