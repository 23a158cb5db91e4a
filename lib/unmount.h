/* Unmounting a FUSE mount point: umount2() when we are root, the set-uid
 * fusermount3 otherwise. A plain unmount fails (EBUSY) while anything in
 * the mount is open or is a working directory: that is the kernel's own
 * answer to "is anybody using it?". A lazy one (MNT_DETACH, fusermount3
 * -z) detaches the tree regardless and is only for dead mounts. */
#ifndef XAR_UNMOUNT_H
#define XAR_UNMOUNT_H

#include <sys/types.h>

#include "err.h"

/* Unmount in a child process and return its pid, or -1 (errno set). The
 * child exits 0 when unmounted, non-zero otherwise. For callers that must
 * go on serving the mount meanwhile (the FUSE server itself). */
pid_t xar_unmount_spawn(const char *path, int lazy);

/* Unmount and wait for the result. On failure err->code is EBUSY when the
 * mount is known to be in use. */
int xar_unmount(const char *path, int lazy, struct xar_err *err);

#endif
