/* Finding or making the mount of a xar's image, and removing it.
 *
 * A mount found at the mount point is trusted only when it is live (statfs
 * answers), is FUSE, and reports the marker of this UUID; that check costs
 * one STATFS request, the only request a hot run sends. Launches that find
 * no live mount take the per-mount lock, look again, replace a dead mount
 * (its server was killed: ENOTCONN or ECONNABORTED) and start the server
 * (fuse_server.h): N simultaneous first launches make one mount. */
#ifndef XAR_MOUNT_H
#define XAR_MOUNT_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "mountpoint.h"
#include "trace.h"

#define XAR_DEFAULT_MOUNT_TIMEOUT 870 /* seconds, as the original runtime */

enum xar_mount_state {
	XAR_MOUNT_ABSENT,  /* a plain directory: nothing mounted */
	XAR_MOUNT_LIVE,    /* our server, serving this UUID */
	XAR_MOUNT_DEAD,    /* a FUSE mount whose server is gone */
	XAR_MOUNT_FOREIGN, /* something else is mounted there */
};

struct xar_mount_request {
	int image_fd;           /* the xar, open for reading */
	uint64_t offset;        /* where its image starts */
	const char *uuid;
	unsigned idle_timeout;  /* for a new mount; seconds, 0 = never */
	int verify;             /* verify the xar (verify.h) before a new
				   mount; never when reusing one */
	const struct xar_trace *trace;
};

struct xar_mount {
	int root_fd;      /* O_PATH on the mount root, NOT close-on-exec: kept
			   * across exec, it keeps the mount busy while the
			   * app runs */
	int new_mount;    /* this call mounted it */
	pid_t server_pid; /* when new_mount */
};

/* What statfs reports as f_ffree on our mount of uuid (never 0, which
 * a read-only file system reports). */
uint64_t xar_mount_marker(const char *uuid);

/* What is mounted on the directory open at fd, whose parent directory is
 * on device parent_dev. */
int xar_mount_probe(int fd, dev_t parent_dev, uint64_t marker,
		    enum xar_mount_state *state, struct xar_err *err);

/* Reuse the live mount of rq's image at mp, or mount it. err->code is
 * ENODEV when FUSE cannot be used here at all (no usable /dev/fuse; for a
 * user no_new_privs, or no set-uid fusermount3; or the mount itself
 * failed): a caller may then run from an extraction. */
int xar_mount_acquire(const struct xar_mountpoint *mp,
		      const struct xar_mount_request *rq, struct xar_mount *m,
		      struct xar_err *err);

/* Unmount mp's mount if there is one: 1 when unmounted, 0 when nothing was
 * mounted, -1 on error (err->code EBUSY when it is in use). */
int xar_mount_remove(const struct xar_mountpoint *mp, const char *uuid,
		     const struct xar_trace *trace, struct xar_err *err);

#endif
