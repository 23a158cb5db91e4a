/* This user's live FUSE mounts, for xarexec --status, --clean and
 * --doctor (the extraction cache's part is cache_status.h). Each prints on
 * stdout, errors as "xarexec: error: ..." on stderr, and returns the exit
 * status. */
#ifndef XAREXEC_MOUNT_STATUS_H
#define XAREXEC_MOUNT_STATUS_H

/* --status: one line per xar mount of this user in this namespace: mount
 * point, UUID, server pid, seconds since its last request. */
int xarexec_mount_status(void);

/* --clean: unmount each such mount that nothing uses (a plain, non-lazy
 * unmount, which fails while anything in it is open or a working
 * directory), detach those whose server is gone. */
int xarexec_mount_clean(void);

/* --doctor: /dev/fuse usable, fusermount3 present and setuid (when not
 * root), the mount roots usable. One "ok: ..." or "problem: ... (fix)"
 * line each; 0 when all is well. */
int xarexec_mount_doctor(void);

#endif
