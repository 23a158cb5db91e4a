/* The runtime in front of a self-contained xar (see embed.h). */
#include "embed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header/header.h"

static int read_all(int fd, size_t len, unsigned char **out,
		    struct xar_err *err)
{
	unsigned char *buf = malloc(len ? len : 1);
	long long n;

	if (!buf)
		return xar_err_set(err, ENOMEM, "out of memory");
	n = xar_pread_full(fd, buf, len, 0);
	if (n < 0 || (size_t)n != len) {
		free(buf);
		return n < 0 ? xar_err_sys(err, "cannot read") :
			       xar_err_set(err, EIO, "changed while read");
	}
	*out = buf;
	return 0;
}

int xar_embed_load(struct xar_embed *e, const char *path,
		   struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	if (fd < 0)
		return xar_err_sys(err, "runtime '%s'", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		xar_err_set(err, EINVAL, "runtime '%s': not a regular file",
			    path);
		goto out;
	}
	if ((uint64_t)st.st_size > XAR_RUNTIME_MAX) {
		xar_err_set(err, EFBIG, "runtime '%s': above the limit of %u "
			    "bytes", path, XAR_RUNTIME_MAX);
		goto out;
	}
	e->len = (size_t)st.st_size;
	if (read_all(fd, e->len, &e->bytes, err) ||
	    xar_runtime_check(e->bytes, e->len, err)) {
		xar_err_prefix(err, "runtime '%s'", path);
		xar_embed_free(e);
		goto out;
	}
	e->start = ((uint64_t)e->len + XAR_HEADER_ALIGN - 1) /
		   XAR_HEADER_ALIGN * XAR_HEADER_ALIGN;
	rc = 0;
out:
	close(fd);
	return rc;
}

int xar_embed_write(const struct xar_embed *e, int fd, struct xar_err *err)
{
	static const unsigned char zeros[XAR_HEADER_ALIGN];

	if (xar_pwrite_all(fd, e->bytes, e->len, 0) ||
	    xar_pwrite_all(fd, zeros, (size_t)(e->start - e->len), e->len))
		return xar_err_sys(err, "cannot write the runtime");
	return 0;
}

void xar_embed_free(struct xar_embed *e)
{
	free(e->bytes);
	memset(e, 0, sizeof(*e));
}
