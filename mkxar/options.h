/* mkxar's command line. */
#ifndef MKXAR_OPTIONS_H
#define MKXAR_OPTIONS_H

#include "build/build.h"

struct mkxar_options {
	struct xar_build_opts build;
	struct xar_python_opts python;
	int quiet, verbose, no_exec;
	int self_contained;          /* --self-contained or --runtime */
	const char *new_key;         /* --new-key NAME: only make a key pair */
	char *runtime_path;          /* the default runtime, when found */
	char *launcher_path;         /* the Python launcher, when bundling */
	const char *profile_args;    /* --profile ARGS */
	const char *startup_list;    /* --startup-list FILE */
	char *xarexec_path;          /* the runtime --profile runs with */
	/* storage behind build's arrays */
	const char **excludes, **headers, **requirements, **pip_args,
		   **projects, **py_excludes, **py_includes;
	size_t nexcludes, nheaders, nrequirements, npip_args, nprojects,
	       npy_excludes, npy_includes;
};

/* Parse argv. Returns 0 to go on, 1 when --help/--version was handled
 * (exit 0), 2 on a usage error (already reported on stderr). */
int mkxar_parse_options(struct mkxar_options *o, int argc, char **argv);
void mkxar_options_free(struct mkxar_options *o);

#endif
