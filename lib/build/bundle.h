/* mkxar --bundle-python, inside lib/build: put the build interpreter, its
 * standard library and the shared libraries everything in the image needs
 * into the tree (python.h has the layout), and mark the header hermetic. */
#ifndef XAR_BUILD_BUNDLE_H
#define XAR_BUILD_BUNDLE_H

#include "base/base.h"
#include "header/header.h"
#include "python/python.h"
#include "tree/tree.h"

/* The start-up list for a hermetic xar given none (XAR_STARTUP_LIST's
 * format): what every start of the bundled interpreter reads. */
struct xar_bundle_startup {
	char *list; /* malloc'd; the caller frees it */
	size_t len;
	char *stdlib; /* the standard library's image directory (malloc'd;
		       * the caller frees it): the app's imports are
		       * followed into it */
};

/* After the app's files are in t and before bytecode is compiled (the
 * standard library is compiled with the app). launcher: the static
 * launcher program to put at bin/python3. */
int xar_bundle_python(const struct xar_python_opts *po,
		      const struct xar_python_info *info, const char *launcher,
		      struct xar_tree *t, struct xar_header *h,
		      struct xar_bundle_startup *startup, struct xar_err *err);

#endif
