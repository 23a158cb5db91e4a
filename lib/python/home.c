/* Where the build interpreter keeps itself: what mkxar --bundle-python
 * copies into a hermetic xar, asked of the interpreter once. */
#include "python.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Under -I, like the probe. One line each; lib-dynload from sysconfig,
 * else the sys.path entry that ends with it. */
static const char home_script[] =
	"import os, sys, sysconfig\n"
	"p = sysconfig.get_paths()\n"
	"exe = getattr(sys, '_base_executable', None) or sys.executable\n"
	"dyn = sysconfig.get_config_var('DESTSHARED') or ''\n"
	"if not os.path.isdir(dyn):\n"
	"    dyn = ([d for d in sys.path if d.endswith('lib-dynload')] + [''])[0]\n"
	"libc = os.confstr('CS_GNU_LIBC_VERSION') if hasattr(os, 'confstr') "
	"else ''\n"
	"for v in (os.path.realpath(exe), p['stdlib'], p['platstdlib'], dyn,\n"
	"          getattr(sys, 'platlibdir', 'lib'), libc or ''):\n"
	"    print(v)\n";

enum { H_REAL, H_STDLIB, H_PLATSTDLIB, H_DYNLOAD, H_PLATLIBDIR, H_LIBC, H_N };

/* Absolute, and nothing that could break a path or a header line. */
static int sane_path(const char *p)
{
	return p[0] == '/' && !strchr(p, '"') && !strstr(p, "/../");
}

static int parse_home(char *text, const char *interp,
		      struct xar_python_home *home, struct xar_err *err)
{
	char *line[H_N];
	int i;

	if (xar_python_lines(text, line, H_N))
		return xar_err_set(err, EINVAL, "'%s' did not say where its "
				   "standard library is", interp);
	for (i = H_REAL; i <= H_DYNLOAD; i++)
		if (!sane_path(line[i]))
			return xar_err_set(err, EINVAL, "'%s' reports an odd "
					   "path '%s'", interp, line[i]);
	if (strncmp(line[H_LIBC], "glibc ", 6))
		return xar_err_set(err, EINVAL, "'%s' does not run on the GNU C "
				   "library; --bundle-python needs one that "
				   "does", interp);
	if (!xar_python_dotted_name(line[H_PLATLIBDIR], strlen(line[H_PLATLIBDIR])))
		return xar_err_set(err, EINVAL, "'%s' reports an odd platlibdir "
				   "'%s'", interp, line[H_PLATLIBDIR]);
	home->real = strdup(line[H_REAL]);
	home->stdlib = strdup(line[H_STDLIB]);
	home->platstdlib = strdup(line[H_PLATSTDLIB]);
	home->dynload = strdup(line[H_DYNLOAD]);
	home->platlibdir = strdup(line[H_PLATLIBDIR]);
	home->libc = strdup(line[H_LIBC]);
	if (!home->real || !home->stdlib || !home->platstdlib ||
	    !home->dynload || !home->platlibdir || !home->libc)
		return xar_err_set(err, ENOMEM, "out of memory");
	return 0;
}

int xar_python_home(const char *interp, struct xar_python_home *home,
		    struct xar_err *err)
{
	char *argv[] = { NULL, (char *)"-I", (char *)"-c", NULL, NULL };
	char *text = NULL;
	int rc;

	memset(home, 0, sizeof(*home));
	argv[0] = (char *)interp;
	argv[3] = (char *)home_script;
	rc = xar_python_spawn(argv, NULL, NULL, 0, &text, 16384, err);
	if (rc > 0)
		rc = xar_err_set(err, EINVAL, "'%s' failed (exit status %d) "
				 "when asked where its standard library is",
				 interp, rc);
	else if (rc == 0)
		rc = parse_home(text, interp, home, err);
	free(text);
	if (rc)
		xar_python_home_free(home);
	return rc;
}

void xar_python_home_free(struct xar_python_home *home)
{
	free(home->real);
	free(home->stdlib);
	free(home->platstdlib);
	free(home->dynload);
	free(home->platlibdir);
	free(home->libc);
	memset(home, 0, sizeof(*home));
}

const char *const xar_python_bundle_excludes[] = {
	"__pycache__",                 /* compiled again, for this image */
	"test", "tests", "idle_test",   /* test suites */
	"_test*", "_ctypes_test*", "_xxtestfuzz*", "xxlimited*",
	"idlelib", "tkinter", "_tkinter*", "turtle.py", "turtledemo",
	"ensurepip", "lib2to3",
	"site-packages", "dist-packages", /* the build machine's packages */
	"config-*",                    /* the static library, for embedding */
	"sitecustomize.py",            /* Debian's points into /etc */
	"*.exe",
	NULL
};
