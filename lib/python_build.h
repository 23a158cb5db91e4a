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
#ifndef XAR_PYTHON_BUILD_H
#define XAR_PYTHON_BUILD_H

#include <stddef.h>

#include "err.h"
#include "header.h"

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

#endif
