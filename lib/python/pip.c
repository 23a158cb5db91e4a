/* Installing an app's dependencies with the recorded interpreter's pip into
 * a staging directory that mkxar then packs. */
#include "python.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int xar_python_wants_pip(const struct xar_python_opts *opts)
{
	return opts->nrequirements > 0 || opts->npip_args > 0 ||
	       opts->nprojects > 0;
}

/* Bytecode is left out (--no-compile): xar_python_finish compiles the
 * whole image in one go, the dependencies included. */
static const char *const pip_fixed[] = {
	"-m", "pip", "install", "--no-compile", "--no-input",
	"--disable-pip-version-check", "--no-warn-script-location", "--target",
};
#define NFIXED (sizeof(pip_fixed) / sizeof(pip_fixed[0]))
#define MAX_ARGS 65536u /* far beyond a command line, far from overflow */

extern char **environ;

/* Ours plus PIP_ROOT_USER_ACTION=ignore: pip's warning against running as
 * root is about installing into the system, which --target does not do.
 * The array is malloc'ed; its strings are borrowed. */
static char **pip_environ(void)
{
	static char quiet[] = "PIP_ROOT_USER_ACTION=ignore";
	size_t n = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(char *));
	if (!env)
		return NULL;
	memcpy(env, environ, n * sizeof(char *));
	if (!getenv("PIP_ROOT_USER_ACTION"))
		env[n] = quiet;
	return env;
}

/* Building a project offline needs setuptools and wheel in the build
 * interpreter itself: name what is missing before pip fails obscurely. */
static int check_build_backend(const struct xar_python_info *info,
			       struct xar_err *err)
{
	static const char script[] =
		"import importlib.util as u\n"
		"print(' and '.join(m for m in ('setuptools', 'wheel') "
		"if u.find_spec(m) is None))\n";
	char *argv[] = { info->executable, (char *)"-I", (char *)"-c",
			 (char *)script, NULL };
	char *text = NULL;
	int rc = xar_python_spawn(argv, NULL, NULL, 0, &text, 256, err);

	if (rc > 0)
		rc = xar_err_set(err, EINVAL, "'%s' failed (exit status %d)",
				 info->executable, rc);
	else if (rc == 0 && text[0] && text[0] != '\n')
		rc = xar_err_set(err, ENOENT, "installing a Python project "
				 "offline needs setuptools and wheel in '%s', "
				 "which lacks %.*s (install them for it, e.g. "
				 "python3-setuptools python3-wheel, or give "
				 "--python an interpreter that has them)",
				 info->executable, (int)strcspn(text, "\n"),
				 text);
	free(text);
	return rc < 0 ? -1 : 0;
}

int xar_python_pip(const struct xar_python_opts *opts,
		   const struct xar_python_info *info, const char *staging,
		   struct xar_err *err)
{
	size_t n = 0, i, total;
	char **argv, **env;
	int rc;

	if (opts->nrequirements > MAX_ARGS || opts->npip_args > MAX_ARGS ||
	    opts->nprojects > MAX_ARGS)
		return xar_err_set(err, EINVAL, "too many pip arguments");
	if (opts->nprojects && check_build_backend(info, err) < 0)
		return -1;
	total = 1 + NFIXED + 1 + 2 * opts->nrequirements + opts->npip_args +
		opts->nprojects + 4;
	argv = calloc(total, sizeof(char *));
	env = pip_environ();
	if (!argv || !env) {
		free(argv);
		free(env);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	argv[n++] = info->executable;
	for (i = 0; i < NFIXED; i++)
		argv[n++] = (char *)pip_fixed[i];
	argv[n++] = (char *)staging;
	if (opts->quiet)
		argv[n++] = (char *)"--quiet";
	for (i = 0; i < opts->nrequirements; i++) {
		argv[n++] = (char *)"-r";
		argv[n++] = (char *)opts->requirements[i];
	}
	for (i = 0; i < opts->npip_args; i++)
		argv[n++] = (char *)opts->pip_args[i];
	if (opts->nprojects) {
		argv[n++] = (char *)"--no-index";
		argv[n++] = (char *)"--no-build-isolation";
	}
	for (i = 0; i < opts->nprojects; i++)
		argv[n++] = (char *)opts->projects[i];
	rc = xar_python_spawn(argv, env, NULL, 0, NULL, 0, err);
	if (rc > 0)
		rc = xar_err_set(err, EINVAL, "pip install failed (exit status "
				 "%d); see its messages above", rc);
	free(argv);
	free(env);
	return rc < 0 ? -1 : 0;
}
