/* Atomic output files: written under a temporary name in the target's
 * directory and renamed into place only when complete. On failure, or
 * when a signal arrives (xar_outfile_signal_cleanup from the handler), the
 * temporary file is removed and an existing output stays untouched. */
#ifndef XAR_OUTFILE_H
#define XAR_OUTFILE_H

#include <sys/types.h>

#include "err.h"

struct xar_outfile {
	char *path;  /* final name */
	char *tmp;   /* temporary name beside it */
	int fd;
};

int xar_outfile_open(struct xar_outfile *f, const char *path,
		     struct xar_err *err);
/* Set the mode (less the umask) and rename into place; the descriptor is closed. */
int xar_outfile_commit(struct xar_outfile *f, mode_t mode,
		       struct xar_err *err);
/* Remove the temporary file (no-op after commit). */
void xar_outfile_abort(struct xar_outfile *f);
/* Async-signal-safe: unlink the temporary file of the open output. */
void xar_outfile_signal_cleanup(void);

#endif
