/* Python apps, run side: what xarexec needs to start a Python xar.
 * (The build side, used by mkxar, is in python_build.h.)
 *
 * Header keys written by mkxar for a Python xar:
 *   XAR_PYTHON="<abs path of the interpreter recorded at build time>"
 *   XAR_PYTHON_VERSION="3.11"          (major.minor)
 *   XAR_PYTHON_TAG="cpython-311"       (sys.implementation.cache_tag)
 *   XAR_PYTHON_BOOTSTRAP="__xar__/bootstrap.py"  (path in the image)
 *   XAR_PYTHON_ENTRY="<module[:function]>"       (informational)
 *   XAREXEC_TARGET="__xar__/bootstrap.sh"  (for the original XAR runtime)
 *
 * The bootstrap has the entry point baked in; it sets sys.argv[0] from
 * XAR_INVOKED_NAME, puts the image root first on sys.path and runs the
 * entry. xarexec itself sets XAR_INVOKED_NAME and XAR_RUNTIME_FILES. */
#ifndef XAR_PYTHON_H
#define XAR_PYTHON_H

#include "err.h"
#include "header.h"

#define XAR_PYTHON_BOOTSTRAP_PY "__xar__/bootstrap.py"
#define XAR_PYTHON_BOOTSTRAP_SH "__xar__/bootstrap.sh"

/* Build the argv that xarexec execs for a Python xar whose image is mounted
 * (or extracted) at root:
 *   { interpreter, "<root>/<XAR_PYTHON_BOOTSTRAP>", app_argv[0..app_argc) }
 * app_argv are the app's own arguments (what follows the xar path; not the
 * invoked name, which travels in XAR_INVOKED_NAME).
 *
 * The interpreter is XAR_PYTHON when it exists (one access() call, no PATH
 * scan) and its name does not say another version than XAR_PYTHON_VERSION
 * (mkxar records the versioned program, python3.11; an unversioned name
 * is followed through its symlinks: no process is started); otherwise
 * python<XAR_PYTHON_VERSION> on PATH; otherwise it fails naming the
 * interpreter the xar needs.
 *
 * It also prepares this process's environment for the exec, as the original
 * XAR runtime did: XAR_PYTHON_COMMAND=<interpreter>; PYTHONPATH=<root>, so
 * that the interpreter finds nothing of the caller's PYTHONPATH before the
 * app's own tree and the app's children can run its modules with
 * sys.executable -m; a caller's PYTHONPATH is kept in XAR_SAVED_PYTHONPATH.
 *
 * Callers check xar_header_get(h, "XAR_PYTHON") first. *out is a
 * NULL-terminated malloc'ed array whose app arguments are app_argv's own
 * strings, borrowed (free with xar_python_argv_free). */
int xar_python_argv(const struct xar_header *h, const char *root,
		    int app_argc, char *const app_argv[], char ***out,
		    struct xar_err *err);
void xar_python_argv_free(char **argv);

/* Whether the interpreter that xar_python_argv would pick is here, with no
 * side effect: for checks before work that needs it (an extraction). */
int xar_python_interp_check(const struct xar_header *h, struct xar_err *err);

#endif
