/* The start-up list of a build (mkxar --profile, --startup-list): which
 * files a start-up reads, in order, so that the writer lays their data out
 * first and the server can decompress them ahead of the app. */
#ifndef XAR_BUILD_STARTUP_H
#define XAR_BUILD_STARTUP_H

#include <stddef.h>

#include "base/base.h"
#include "tree/tree.h"

/* Rank the tree's regular files named by list[0..len) (image paths, one a
 * line, as XAR_STARTUP_LIST holds them) and add XAR_STARTUP_LIST with the
 * ranked ones. Fails on a list longer than XAR_STARTUP_LIST_MAX, a NUL
 * byte, or a tree that has XAR_STARTUP_LIST already. */
/* *files counts the files ranked, *skipped the lines naming no regular
 * file of the tree, the whole of a file named before, or a range that
 * does not parse; the other lines are stored as given. */
int xar_startup_apply(struct xar_tree *t, const char *list, size_t len,
		      size_t *files, size_t *skipped, struct xar_err *err);

#endif
