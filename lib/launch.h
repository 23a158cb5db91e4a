/* What xarexec execs once the image is mounted at root, chosen by the
 * header:
 *  - XAR_PYTHON: the interpreter on the image's bootstrap (python.h);
 *  - XAR_EXEC="path": <root>/<path> itself, argv[0] = the name the xar
 *    was invoked by (our raw xars: no shell in between);
 *  - else XAREXEC_TARGET="path": what the original runtime does,
 *    /bin/sh -e <root>/<path> <xar path> args...
 * Target paths must be relative and stay inside the image (no ".."). */
#ifndef XAR_LAUNCH_H
#define XAR_LAUNCH_H

#include "err.h"
#include "header.h"

struct xar_launch {
	char *path;    /* what to execv */
	char **argv;   /* NULL-terminated */
	int python;    /* argv is xar_python_argv's */
	char *target;  /* <root>/<target>, malloc'ed */
};

/* 1 when p is a usable target path: non-empty, relative, no ".."
 * component, no empty component, shorter than PATH_MAX. */
int xar_target_path_ok(const char *p);

/* Check that the header says how to run the app, before mounting. */
int xar_launch_check(const struct xar_header *h, struct xar_err *err);

/* Plan the exec. xar_path is the xar as invoked; app_argv the app's own
 * arguments. For Python xars this also prepares the environment
 * (python.h). Strings of app_argv are borrowed. */
int xar_launch_plan(const struct xar_header *h, const char *root,
		    const char *xar_path, int app_argc, char *const app_argv[],
		    struct xar_launch *l, struct xar_err *err);
void xar_launch_free(struct xar_launch *l);

/* XAR_INVOKED_NAME, XAR_RUNTIME_FILES, and XARFUSE_NEW_MOUNT=1 on the run
 * that mounted (removed otherwise, so that a nested xar does not inherit
 * its parent's). */
int xar_launch_env(const char *xar_path, const char *root, int new_mount,
		   struct xar_err *err);

#endif
