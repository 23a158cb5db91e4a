/* Where a xar's image is mounted.
 *
 * One mount per (user, image UUID, mount namespace), found again by path:
 *
 *   <root>/uid-<uid>/<uuid>-ns-<inode of /proc/self/ns/mnt>
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
#ifndef XAR_MOUNTPOINT_H
#define XAR_MOUNTPOINT_H

#include <sys/types.h>

#include "err.h"
#include "trace.h"

#define XAR_MOUNT_ROOT_ENV "XAR_MOUNT_ROOT"

struct xar_mountpoint {
	uid_t uid;
	char *root;       /* the mount root chosen */
	char *user_dir;   /* <root>/uid-<uid> */
	char *name;       /* <uuid>-ns-<inode>: the mount point's name in user_dir */
	char *path;       /* <user_dir>/<name> */
	char *lock_path;  /* <path>.lock */
	char *stats_path; /* <path>.stats */
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

#endif
