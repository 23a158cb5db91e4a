/* What mkxar does, as a library call: gather the sources into a tree,
 * write the SquashFS image behind a XAR header into a temporary file beside
 * the output, derive the UUID from the image, and rename into place. */
#ifndef XAR_BUILD_H
#define XAR_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "python/python.h"
#include "squashfs/squashfs.h"
#include "tree/tree.h"

struct xar_build_opts {
	const char *output;
	const char *const *sources;  /* DIR, FILE or PATH=DEST */
	size_t nsources;
	const char *exec;            /* target inside the image, or NULL */
	const char *shebang;         /* NULL: XAR_DEFAULT_SHEBANG */
	const char *mount_root;      /* MOUNT_ROOT, or NULL */
	const char *runtime;         /* self-contained: the static runtime
					to put in front, or NULL */
	const char *python_launcher; /* --bundle-python: the static launcher
					to carry as the bundle's bin/python3 */
	const char *sign_key;        /* a secret key file to sign with, or
					NULL */
	const char *const *headers;  /* extra KEY=VALUE lines */
	size_t nheaders;
	int64_t source_date_epoch;   /* -1 when unset */
	const struct xar_python_opts *python; /* a Python app, or NULL */
	struct xar_tree_opts tree;
	struct xar_sqfs_opts sqfs;   /* mkfs_time is set by xar_build */
};

struct xar_build_result {
	struct xar_sqfs_result image;
	uint64_t offset;             /* where the image starts */
	uint64_t runtime_size;       /* bytes in front of the header (the
					runtime and its padding), or 0 */
	char uuid[17];
};

void xar_build_opts_init(struct xar_build_opts *o);
int xar_build(const struct xar_build_opts *o, struct xar_build_result *r,
	      struct xar_err *err);

#endif
