/* lib/server: the in-process FUSE server, its mount lock and unmounting.
 * The one public header of this folder; see lib/README.md. */
#ifndef XAR_SERVER_H
#define XAR_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"

/* The version of what runtimes share on a machine: the mount point's name
 * (<uuid>-ns-<mnt ns>-v<format>), its lock file, the server's stats file
 * ("format N" on its second line) and the statfs marker. A runtime uses
 * only mounts of its own format: others live under other names, so
 * runtimes of different formats never take, lock or unmount each other's
 * mounts. Raise it whenever any of them changes meaning. */
#define XAR_MOUNT_FORMAT 1

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
	const char *const *prefetch; /* image paths the start-up reads first
				      * (NULL-terminated, or NULL): their
				      * blocks, then those of the image's
				      * start-up list, are decompressed
				      * ahead of the requests */
	const char *record_path; /* record the start-up's reads (mkxar
				  * --profile) and write them here at exit
				  * (a new file); NULL: do not */
	const char *learn_path; /* a start-up list learnt here (learn.h):
				 * prefetched when it exists, else learnt
				 * and written there; NULL: neither */
	const char *carry_path; /* the list learnt last for an image run by
				 * the xar's name: prefetched when learn_path
				 * has none yet (a new build's first mount),
				 * and written with what is learnt, after
				 * the carried lines, here and to
				 * learn_path; NULL: neither */
};

/* The pid of the server that last wrote the stats file at path (its first
 * line), or -1. */
long xar_server_stats_pid(const char *path);

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

/* The per-mount lock file: flock() on <mount point>.lock serialises the
 * launches that find no live mount, so that N simultaneous first runs
 * make exactly one mount and one server. Later runs that find the mount
 * alive never take it. */


/* Open (creating, mode 0600, no symlinks) and lock path exclusively,
 * waiting for the holder. The file must be a regular file owned by uid
 * that no other user may open (mode 0600 or narrower). Its holder may
 * unlink it (xar_mount_remove does): a waiter that then gets the lock of
 * a file no longer at path starts again with the new one.
 * Returns the descriptor (close-on-exec) that holds the lock, or -1. */
int xar_mount_lock(const char *path, uid_t uid, struct xar_err *err);

/* The same, but only when path exists (-1 otherwise): for a server's last
 * words, which must not bring back a lock file that -u removed. */
int xar_mount_lock_existing(const char *path, uid_t uid);

/* Release: closing the descriptor drops the lock. */
void xar_mount_unlock(int fd);

/* Unmounting a FUSE mount point: umount2() when we are root, the set-uid
 * fusermount3 otherwise. A plain unmount fails (EBUSY) while anything in
 * the mount is open or is a working directory: that is the kernel's own
 * answer to "is anybody using it?". A lazy one (MNT_DETACH, fusermount3
 * -z) detaches the tree regardless and is only for dead mounts. */


/* Unmount in a child process and return its pid, or -1 (errno set). The
 * child exits 0 when unmounted, non-zero otherwise. For callers that must
 * go on serving the mount meanwhile (the FUSE server itself). */
pid_t xar_unmount_spawn(const char *path, int lazy);

/* Unmount and wait for the result. On failure err->code is EBUSY when the
 * mount is known to be in use. */
int xar_unmount(const char *path, int lazy, struct xar_err *err);

#endif
