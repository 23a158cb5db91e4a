/* What every xarexec/inspect*.c file shares: opening a xar's header and
 * image, and the one error format. */
#include "inspect.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int xarexec_inspect_fail(const char *file, const struct xar_err *err)
{
	fprintf(stderr, "xarexec: error: %s: %s\n", file, err->msg);
	return 1;
}

int xarexec_xar_open(struct xarexec_xar *x, const char *path)
{
	struct xar_err err;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	memset(x, 0, sizeof(*x));
	x->path = path;
	xar_header_init(&x->h);
	if (fd < 0) {
		xar_err_sys(&err, "cannot open");
		return xarexec_inspect_fail(path, &err);
	}
	if (xar_header_read_fd(&x->h, fd, &err) ||
	    xar_image_open_fd(&x->img, fd, x->h.offset,
			      XAR_IMAGE_ANY_COMPRESSION, &err)) {
		close(fd);
		xarexec_xar_close(x);
		return xarexec_inspect_fail(path, &err);
	}
	x->layout = x->h.start ? "self-contained" : "shebang";
	if (x->h.start && xar_runtime_version(fd, x->h.start, x->runtime_version,
					      sizeof(x->runtime_version)))
		strcpy(x->runtime_version, "unknown");
	close(fd);
	return 0;
}

void xarexec_xar_close(struct xarexec_xar *x)
{
	xar_image_close(x->img);
	x->img = NULL;
	xar_header_free(&x->h);
}
