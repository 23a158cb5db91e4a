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
	const char *startup;         /* a start-up list (XAR_STARTUP_LIST), or NULL */
	size_t startup_len;
	int no_startup_guess;        /* a Python app given no start-up list:
					do not list the entry's imports */
	struct xar_tree_opts tree;
	struct xar_sqfs_opts sqfs;   /* mkfs_time is set by xar_build */
};

struct xar_build_result {
	struct xar_sqfs_result image;
	uint64_t offset;             /* where the image starts */
	uint64_t runtime_size;       /* bytes in front of the header (the
					runtime and its padding), or 0 */
	char uuid[17];
	size_t startup_files;        /* on the start-up list, in order */
	size_t startup_skipped;      /* its lines naming no regular file */
};

void xar_build_opts_init(struct xar_build_opts *o);
int xar_build(const struct xar_build_opts *o, struct xar_build_result *r,
	      struct xar_err *err);

/* Start-up lists (mkxar --profile, --startup-list; XAR_STARTUP_LIST). */

/* Read a start-up list file (a regular file of at most
 * XAR_STARTUP_LIST_MAX bytes) into *list (malloc'ed, *len bytes). */
int xar_startup_read(const char *path, char **list, size_t *len,
		     struct xar_err *err);

/* Recording one: run a xar once through xarexec on a private mount whose
 * server records what the app reads. */
struct xar_profile_run {
	const char *xarexec; /* the runtime to run it with */
	const char *xar;     /* the xar, an absolute path */
	const char *args;    /* the app's arguments, split by /bin/sh */
	const char *dir;     /* an empty private directory (absolute) for
			      * the mount root and the record */
	int quiet;           /* the app's output to /dev/null */
};

/* Run it, unmount, and return the recorded start-up list (malloc'ed, *len
 * bytes) and the app's exit status (*status, as waitpid gives it). The app
 * failing is not an error here: its record still tells what it read. */
int xar_profile_record(const struct xar_profile_run *run, char **list,
		       size_t *len, int *status, struct xar_err *err);

#endif
