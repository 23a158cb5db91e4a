/* The per-mount lock file: flock() on <mount point>.lock serialises the
 * launches that find no live mount, so that N simultaneous first runs
 * make exactly one mount and one server. Later runs that find the mount
 * alive never take it. */
#ifndef XAR_MOUNT_LOCK_H
#define XAR_MOUNT_LOCK_H

#include <sys/types.h>

#include "err.h"

/* Open (creating, mode 0600, no symlinks) and lock path exclusively,
 * waiting for the holder. The file must be a regular file owned by uid
 * that no other user may open (mode 0600 or narrower).
 * Returns the descriptor (close-on-exec) that holds the lock, or -1. */
int xar_mount_lock(const char *path, uid_t uid, struct xar_err *err);

/* Release: closing the descriptor drops the lock. */
void xar_mount_unlock(int fd);

#endif
