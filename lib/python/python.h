/* lib/python: Python apps, the run side first, then the build side.
 * The one public header of this folder; see lib/README.md. */
#ifndef XAR_PYTHON_H
#define XAR_PYTHON_H

#include <stddef.h>

#include "base/base.h"
#include "header/header.h"

/* Python apps, run side: what xarexec needs to start a Python xar.
 * (The build side, used by mkxar, follows below.)
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
 * strings, borrowed (free with xar_python_argv_free).
 *
 * A hermetic xar (XAR_PYTHON_BUNDLE) runs its bundled interpreter instead,
 * as xar_python_hermetic_argv says, whatever the host has. */
int xar_python_argv(const struct xar_header *h, const char *root,
		    int app_argc, char *const app_argv[], char ***out,
		    struct xar_err *err);
void xar_python_argv_free(char **argv);

/* Whether the interpreter that xar_python_argv would pick is here, with no
 * side effect: for checks before work that needs it (an extraction). */
int xar_python_interp_check(const struct xar_header *h, struct xar_err *err);

/* Hermetic Python xars (mkxar --bundle-python): the interpreter, its
 * standard library and every shared library it needs, down to the C
 * library and the loader, live in the image under XAR_PYTHON_BUNDLE_DIR:
 *
 *   bin/python3      a static launcher: what sys.executable names
 *   libexec/python   the interpreter program
 *   libexec/ld.so    the dynamic loader (a link into libs/)
 *   libs/            the shared libraries, by the names they are needed as
 *   lib/pythonX.Y/   the standard library and lib-dynload
 *
 * Header keys: XAR_PYTHON_BUNDLE="__xar__/python" (nothing else is
 * accepted), XAR_PYTHON_LIBC="glibc 2.36"; XAR_PYTHON still names the
 * build machine's interpreter, for --info and older runtimes.
 *
 * The interpreter runs as
 *   <prefix>/libexec/ld.so --library-path <prefix>/libs --inhibit-cache
 *     --argv0 <prefix>/bin/python3 <prefix>/libexec/python -s [SCRIPT] ARGS
 * so that no library of the host is used and nothing leaks into the app's
 * children (as LD_LIBRARY_PATH would). Its environment: PYTHONHOME and
 * PYTHONPLATLIBDIR removed; PYTHONPATH the image root (from outside, the
 * caller's is kept in XAR_SAVED_PYTHONPATH) or the image root put first
 * (a child the app starts); user site-packages off (-s); SSL_CERT_FILE set
 * to the host's CA bundle when neither SSL_CERT_FILE nor SSL_CERT_DIR is
 * set. Every other PYTHON* variable is honoured. */
#define XAR_PYTHON_BUNDLE_DIR "__xar__/python"
#define XAR_PYTHON_LAUNCHER   "bin/python3"
#define XAR_PYTHON_REAL       "libexec/python"
#define XAR_PYTHON_LOADER     "libexec/ld.so"
#define XAR_PYTHON_LIBS       "libs"

/* The command that runs the bundled interpreter whose launcher is at
 * launcher (absolute: <prefix>/bin/python3), with script (or NULL) and
 * argv after it. *out is one malloc'ed block (free() it); argv's strings
 * are borrowed. */
int xar_python_hermetic_argv(const char *launcher, const char *script,
			     int argc, char *const argv[], char ***out,
			     struct xar_err *err);

/* Prepare this process's environment for that command, as described
 * above; replace: PYTHONPATH becomes the image root alone. */
int xar_python_hermetic_env(const char *launcher, int replace,
			    struct xar_err *err);

/* Python apps, build side: what mkxar calls to package one.
 *
 *   struct xar_python_info info;
 *   xar_python_probe(opts.interp, &info, err);        interpreter facts
 *   if (xar_python_wants_pip(&opts))
 *       xar_python_pip(&opts, &info, staging, err);   deps into staging
 *   ...scan sources (+ staging) into the tree, list its regular files...
 *   xar_python_finish(&opts, &info, files, n, out_dir, &hdr, err);
 *   ...overlay out_dir onto the tree (its files replace same-named ones)...
 *   xar_python_info_free(&info);
 *
 * The library starts the interpreter as a child process; pip's and the
 * compiler's own messages go to stderr (mkxar's stdout stays clean). */


struct xar_python_opts {
	const char *interp;           /* --python; NULL: python3 on PATH */
	const char *entry;            /* --python-entry MODULE[:FUNCTION] */
	const char *console_script;   /* --console-script NAME (or entry) */
	const char *const *requirements; /* -r FILE, repeatable */
	size_t nrequirements;
	const char *const *pip_args;  /* --pip ARG, repeatable, passed as is */
	size_t npip_args;
	int no_compile;               /* --no-compile */
	int quiet;                    /* -q: pip says only its errors */
	/* SOURCE directories that are Python projects (pyproject.toml or
	 * setup.py): pip installs them offline (--no-index,
	 * --no-build-isolation) with the interpreter's own setuptools and
	 * wheel, which are checked for first. */
	const char *const *projects;
	size_t nprojects;
	/* --bundle-python: the interpreter goes into the image (see the
	 * hermetic layout above), its standard library without the default
	 * excludes (xar_python_bundle_excludes) and these (--python-exclude),
	 * keeping what these match (--python-include). */
	int bundle;
	const char *const *bundle_excludes;
	size_t nbundle_excludes;
	const char *const *bundle_includes;
	size_t nbundle_includes;
	/* Called for each file bundled (its image path, where it came
	 * from), with phase_arg; NULL for silence. */
	void (*bundled)(const char *image_path, const char *from, void *arg);
	/* Called as a long phase starts (lib/ never prints): what, and how
	 * many items it handles (0 when unknown); NULL for silence. */
	void (*phase)(const char *what, size_t n, void *arg);
	void *phase_arg;
};

/* What the probe learnt about the interpreter; strings are malloc'ed. */
struct xar_python_info {
	char *executable; /* its sys.executable: absolute, the real program
			     behind a shim (not resolved further: a venv's
			     python must stay the venv's) */
	char *version;    /* "3.11" */
	char *tag;        /* "cpython-311" (sys.implementation.cache_tag) */
};

/* One regular file of the image: where it goes and where to read it. */
struct xar_python_file {
	const char *image_path; /* relative, "pkg/mod.py" */
	const char *disk_path;
};

/* Where the interpreter keeps itself, for --bundle-python; malloc'ed. */
struct xar_python_home {
	char *real;        /* the program behind sys.executable (a venv's
			      base interpreter), symlinks resolved */
	char *stdlib;      /* sysconfig: stdlib, platstdlib */
	char *platstdlib;
	char *dynload;     /* lib-dynload */
	char *platlibdir;  /* sys.platlibdir: "lib" */
	char *libc;        /* "glibc 2.36"; other C libraries are refused */
};

int xar_python_home(const char *interp, struct xar_python_home *home,
		    struct xar_err *err);
void xar_python_home_free(struct xar_python_home *home);

/* The standard library's default excludes under --bundle-python: what an
 * app never needs (test suites, IDLE, Tk, ensurepip, lib2to3, installed
 * packages, bytecode of any tag, the static library). NULL-terminated. */
extern const char *const xar_python_bundle_excludes[];

/* Run interp (a command looked up on PATH, or a path; NULL = "python3")
 * once and record its sys.executable, version and cache tag. Python 3.7
 * or newer is required. */
int xar_python_probe(const char *interp, struct xar_python_info *info,
		     struct xar_err *err);
void xar_python_info_free(struct xar_python_info *info);

/* Whether -r or --pip was given. */
int xar_python_wants_pip(const struct xar_python_opts *opts);

/* <interp> -m pip install --target <staging> --no-compile --no-input
 * --disable-pip-version-check [-r FILE]… [ARG]…, staging being an existing
 * private directory. pip's output goes to stderr; its failure is an error. */
int xar_python_pip(const struct xar_python_opts *opts,
		   const struct xar_python_info *info, const char *staging,
		   struct xar_err *err);

/* Given every regular file the image will hold:
 *  - resolve the entry (--console-script through the entry_points.txt of a
 *    *.dist-info or *.egg-info directory at the image root; the error lists
 *    the console scripts there are) and check that its module is in the
 *    image (for a module run as __main__: a module, or a package with
 *    __main__);
 *  - write out_dir/__xar__/bootstrap.py (entry baked in) and
 *    out_dir/__xar__/bootstrap.sh (for the original runtime's
 *    /bin/sh -e <mount>/<XAREXEC_TARGET> <xar> args…);
 *  - unless no_compile, compile every *.py of files with the recorded
 *    interpreter, in one process, into
 *    out_dir/<dir>/__pycache__/<name>.<tag>.pyc as unchecked-hash pycs
 *    (valid whatever mtimes the image stores; their code names the image
 *    path, so builds are reproducible). A file that does not compile is
 *    skipped with a warning on stderr, as pip and compileall do;
 *  - set XAR_PYTHON, XAR_PYTHON_VERSION, XAR_PYTHON_TAG,
 *    XAR_PYTHON_BOOTSTRAP, XAR_PYTHON_ENTRY and XAREXEC_TARGET in hdr.
 * out_dir must exist (empty). */
int xar_python_finish(const struct xar_python_opts *opts,
		      const struct xar_python_info *info,
		      const struct xar_python_file *files, size_t nfiles,
		      const char *out_dir, struct xar_header *hdr,
		      struct xar_err *err);

/* The start-up list of a xar built without one (imports.c): after
 * xar_python_finish, the modules of files that the entry (XAR_PYTHON_ENTRY's
 * value) imports as it is imported, followed statically, in the order they
 * are met; written to out_path, a line each in XAR_STARTUP_LIST's format
 * (the caller reads it back with its bounds, and removes it). stdlib: the
 * image directory of a bundled standard library, searched after the
 * image's root as sys.path is, or NULL. */
int xar_python_guess_startup(const struct xar_python_opts *opts,
			     const struct xar_python_info *info,
			     const struct xar_python_file *files,
			     size_t nfiles, const char *entry,
			     const char *stdlib, const char *out_path,
			     struct xar_err *err);

#endif
