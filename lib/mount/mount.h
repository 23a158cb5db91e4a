/* lib/mount: where a xar is mounted, and finding, reusing, replacing or
 * making that mount.
 * The one public header of this folder; see lib/README.md. */
#ifndef XAR_MOUNT_H
#define XAR_MOUNT_H

#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"

/* Where a xar's image is mounted.
 *
 * One mount per (user, image UUID, mount namespace), found again by path:
 *
 *   <root>/uid-<uid>/<uuid>-ns-<inode of /proc/self/ns/mnt>-v<format>
 *
 * with <name>.lock (serialises the first mount) and <name>.stats (the
 * server's request counts) beside it. The root is the first usable of
 * $XAR_MOUNT_ROOT, the header's MOUNT_ROOT, /mnt/xarfuse, $XDG_RUNTIME_DIR,
 * /dev/shm and /tmp. A root is usable when it is a directory that is either
 * shared (sticky and world-writable, like /tmp, and owned by root or the
 * user: the sticky bit does not bind the owner) or private to the user
 * (owned by them, writable by nobody else). A root the user chose
 * ($XAR_MOUNT_ROOT, or a header MOUNT_ROOT that exists) must be usable: we
 * refuse rather than silently fall back.
 *
 * In a shared root anybody can create uid-<uid> first or plant symlinks, so
 * the per-user directory and the mount point must be real directories
 * owned by the user and writable by nobody else, or we refuse. */


#define XAR_MOUNT_ROOT_ENV "XAR_MOUNT_ROOT"

struct xar_mountpoint {
	uid_t uid;
	char *root;       /* the mount root chosen */
	char *user_dir;   /* <root>/uid-<uid> */
	char *name;       /* <uuid>-ns-<inode>-v<XAR_MOUNT_FORMAT>: the mount
			     point's name in user_dir */
	char *path;       /* <user_dir>/<name> */
	char *lock_path;  /* <path>.lock */
	char *stats_path; /* <path>.stats */
	char *learn_path; /* <path>.startup: the start-up learnt here
			     (lib/server/learn.h); kept across mounts */
	char *verified_path; /* <path>.verified: the file whose digests
				were checked here (verified.c); kept */
};

/* Choose the root and compose the paths; creates nothing. header_root is
 * the header's MOUNT_ROOT or NULL. */
int xar_mountpoint_locate(struct xar_mountpoint *mp, const char *uuid,
			  const char *header_root, const struct xar_trace *t,
			  struct xar_err *err);
void xar_mountpoint_free(struct xar_mountpoint *mp);

/* 0 when dir can serve as a mount root for uid; else -1 with the reason
 * (err->code ENOENT when dir does not exist). */
int xar_mount_root_check(const char *dir, uid_t uid, struct xar_err *err);

/* Open the per-user directory (O_PATH, symlinks refused), creating it
 * first when create is set, and check it. Returns the descriptor
 * (close-on-exec), or -1; err->code is ENOENT when it is missing and
 * create is not set. */
int xar_mountpoint_open_user_dir(const struct xar_mountpoint *mp, int create,
				 struct xar_err *err);

/* Open name in dirfd (AT_FDCWD for a path) as a directory, O_PATH and
 * close-on-exec, refusing a symlink with a clear message naming shown as
 * what ("mount point"). err->code is ENOENT when it does not exist. */
int xar_open_dir_nofollow(int dirfd, const char *name, const char *shown,
			  const char *what, struct xar_err *err);

/* Check the directory open at fd (named path, described as what in the
 * message): a directory owned by uid, not writable by group or others. */
int xar_mountpoint_check_dir(int fd, const char *path, const char *what,
			     uid_t uid, struct xar_err *err);

/* Finding or making the mount of a xar's image, and removing it.
 *
 * A mount found at the mount point is trusted only when it is live (statfs
 * answers), is FUSE, and reports the marker of this UUID; that check costs
 * one STATFS request, the only request a hot run sends. Launches that find
 * no live mount take the per-mount lock, look again, replace a dead mount
 * (its server was killed: ENOTCONN or ECONNABORTED) and start the server
 * (lib/server): N simultaneous first launches make one mount. */


#define XAR_DEFAULT_MOUNT_TIMEOUT 870 /* seconds, as the original runtime */

enum xar_mount_state {
	XAR_MOUNT_ABSENT,  /* a plain directory: nothing mounted */
	XAR_MOUNT_LIVE,    /* our server, serving this UUID */
	XAR_MOUNT_DEAD,    /* a FUSE mount whose server is gone */
	XAR_MOUNT_FOREIGN, /* something else is mounted there */
};

enum { XAR_MOUNT_VERIFY_NONE, XAR_MOUNT_VERIFY_ALL, XAR_MOUNT_VERIFY_DIGESTS };

struct xar_mount_request {
	int image_fd;           /* the xar, open for reading */
	uint64_t offset;        /* where its image starts */
	const char *uuid;
	unsigned idle_timeout;  /* for a new mount; seconds, 0 = never */
	int verify;             /* before a new mount, never when reusing
				   one: XAR_MOUNT_VERIFY_ALL (xar_verify_fd)
				   or _DIGESTS (xar_verify_digests_fd) */
	const struct xar_trace *trace;
	const char *target;     /* the path in the image that will run, or
				   NULL: checked with the root before a new
				   mount (xar_image_check_serving) */
	const char *record_path; /* a new mount records its start-up here
				    (xar_server_config), or NULL */
	const char *image_path; /* the name the xar was run by, or NULL: a
				   new mount learns for it too (carry_path) */
};

/* A trust policy's digest check, remembered (verified.c). */
struct xar_verified {
	char id[160]; /* the file's identity when it was looked at */
	int settled;  /* it had not changed for a few seconds then */
};
/* 1 when name in dirfd records the file open at fd as checked and
 * unchanged since (same device, inode, size, mtime and ctime); else 0.
 * Either way v gets the file's identity now, for xar_verified_note. */
int xar_verified_known(int dirfd, const char *name, int fd,
		       struct xar_verified *v);
/* After a check that passed: record the file open at fd, if it had
 * settled when v was taken and is still as v saw it (a write during the
 * check would otherwise be vouched for). Atomic, best effort: a record
 * that cannot be written only means checking again. */
void xar_verified_note(int dirfd, const char *name, int fd,
		       const struct xar_verified *v);

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
