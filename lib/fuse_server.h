/* The in-process FUSE server: xarexec forks it before exec'ing the app.
 *
 * xar_server_start() opens the image, forks twice (so that the server is
 * nobody's child: an app that waits for all its children must not wait for
 * it) and waits until the server reports through a pipe that the mount is
 * ready, or why it failed. The server leaves the caller's session, puts
 * stdio on /dev/null, closes every descriptor it was not given, mounts the
 * image read-only, nosuid, nodev (through fusermount3 when not root) and
 * serves requests until
 *  - nothing has asked anything for idle_timeout seconds and a plain
 *    (non-lazy) unmount succeeds: it fails while anything in the mount is
 *    open or is a working directory, and is then retried later;
 *  - somebody else unmounted it (xarexec -u, fusermount3 -u); or
 *  - SIGTERM, SIGINT or SIGHUP arrives: then it detaches the mount lazily.
 * A server that fails after mounting unmounts before it exits; a server
 * whose parent died while waiting goes on serving a healthy mount, which
 * idles out like any other. */
#ifndef XAR_FUSE_SERVER_H
#define XAR_FUSE_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct xar_server_config {
	int image_fd;           /* the xar, open for reading */
	uint64_t offset;        /* where its SquashFS image starts */
	const char *mountpoint; /* an empty directory of ours */
	const char *fsname;     /* shown in /proc/mounts; no ',' or '\\' */
	uint64_t marker;        /* statfs f_ffree, see xar_mount_marker() */
	unsigned idle_timeout;  /* seconds; 0: serve until unmounted */
	const char *stats_path; /* where request counts go; NULL: nowhere */
	const char *lock_path;  /* the mount point's lock (xar_mount_lock) */
	unsigned start_timeout; /* seconds to wait for "ready" */
};

/* What the server reports when the mount itself failed. */
#define XAR_REPORT_MOUNT_FAILED '\001'

/* Start a server for cfg and wait until its mount is ready. *server_pid
 * gets its pid. On failure nothing is left mounted by it and no server
 * runs; err says why (the server's own and libfuse's messages included).
 * err->code is ENODEV when the mount itself failed (no_new_privs, a
 * fusermount3 that is not set-uid, a /dev/fuse that is not FUSE): FUSE
 * cannot be used here. */
int xar_server_start(const struct xar_server_config *cfg, pid_t *server_pid,
		     struct xar_err *err);

#endif
