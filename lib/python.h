/* Python apps: what mkxar needs to package one and what xarexec needs to
 * start one. Header keys written by mkxar for a Python xar:
 *   XAR_PYTHON="<abs path of the interpreter recorded at build time>"
 *   XAR_PYTHON_VERSION="3.11"          (major.minor)
 *   XAR_PYTHON_TAG="cpython-311"       (sys.implementation.cache_tag)
 *   XAR_PYTHON_BOOTSTRAP="<path in image of the Python bootstrap>"
 *   XAR_PYTHON_ENTRY="<module[:function]>"
 *   XAREXEC_TARGET="<path in image of the shell bootstrap>" (original runtime)
 */
#ifndef XAR_PYTHON_H
#define XAR_PYTHON_H

#include "err.h"
#include "header.h"

/* Build the argv that xarexec execs for a Python xar whose image is mounted
 * (or extracted) at root: interpreter, bootstrap, the app's arguments.
 * Resolves a missing recorded interpreter to pythonX.Y on PATH; fails with
 * a message naming the interpreter the xar needs. *out is a NULL-terminated
 * malloc'ed array of malloc'ed strings (free with xar_python_argv_free).
 * Returns 0 when the header is not a Python xar? No: callers check
 * xar_header_get(h, "XAR_PYTHON") first. */
int xar_python_argv(const struct xar_header *h, const char *root,
		    int app_argc, char *const app_argv[], char ***out,
		    struct xar_err *err);
void xar_python_argv_free(char **argv);

#endif
