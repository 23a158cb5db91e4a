/* The filesystem the in-process FUSE server serves: a SquashFS image read
 * through libsquashfuse_ll, with low-level operations tuned for an image
 * that never changes (see ops.c). Used by start.c and serve.c. */
#ifndef XAR_SERVER_FS_H
#define XAR_SERVER_FS_H

#include <float.h>
#include <stdint.h>

#include <squashfuse/ll.h>

#include "base/base.h"

#include "prefetch.h"
#include "record.h"

struct xar_fuse_fs {
	sqfs_ll ll; /* first: libsquashfuse_ll's helpers take the session's
		     * user data for a sqfs_ll * */
	uint64_t marker;   /* statfs reports it as f_ffree: ties the mount
			    * to the image's UUID (xar_mount_marker) */
	int has_xattrs;
	int no_open;       /* the kernel opens files without asking us */
	int no_opendir;    /* ... and directories */
	struct xar_prefetch *prefetch; /* the start-up's blocks, or NULL */
	struct xar_record *record;     /* mkxar --profile's record, or NULL */
	void (*on_init)(void *arg); /* called once the kernel's INIT came */
	void *on_init_arg;
};

/* Read the superblock and tables of the image at offset in fd (which the
 * caller keeps and closes) and size the caches for serving. */
int xar_fuse_fs_open(struct xar_fuse_fs *fs, int fd, uint64_t offset,
		     struct xar_err *err);
void xar_fuse_fs_close(struct xar_fuse_fs *fs);

extern const struct fuse_lowlevel_ops xar_fuse_ops;

/* Entry and attribute timeouts: for ever (libfuse clamps it to the
 * largest it can give). */
#define XAR_FUSE_FOREVER DBL_MAX

/* The kernel now knows name in parent as inode ino (a LOOKUP or
 * READDIRPLUS answered): for the record and the prefetcher's stores. */
static inline void xar_fuse_known(struct xar_fuse_fs *fs, fuse_ino_t parent,
				  const char *name, fuse_ino_t ino,
				  const sqfs_inode *inode)
{
	xar_record_lookup(fs->record, parent, name, ino);
	xar_prefetch_looked_up(fs->prefetch, ino, inode);
}

/* name is not in parent (a negative entry answered): for the record. */
static inline void xar_fuse_absent(struct xar_fuse_fs *fs, fuse_ino_t parent,
				   const char *name)
{
	xar_record_absent(fs->record, parent, name);
}

/* ops_dir.c */
void xar_fuse_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
		      off_t off, struct fuse_file_info *fi);
void xar_fuse_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi);

struct xar_server_config;
struct xar_cpus;

/* The server process (serve.c), forked by xar_server_start:
 * detach, mount cfg->mountpoint, report on report_fd, serve, exit. It
 * starts held on cpus' home core (cpus.h). */
void xar_server_run(const struct xar_server_config *cfg,
		    struct xar_fuse_fs *fs, int report_fd,
		    const struct xar_cpus *cpus)
	__attribute__((noreturn));

#endif
