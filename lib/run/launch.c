#include "run.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "python/python.h"
#include "base/base.h"

int xar_target_path_ok(const char *p)
{
	const char *c = p;
	size_t n;

	if (!*p || *p == '/' || strlen(p) >= PATH_MAX)
		return 0;
	for (;;) {
		n = strcspn(c, "/");
		if (n == 0 || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[n])
			return 1;
		c += n + 1;
	}
}

/* The raw or original-format target key in use, or NULL. */
static const char *target_key(const struct xar_header *h)
{
	if (xar_header_get(h, "XAR_EXEC"))
		return "XAR_EXEC";
	if (xar_header_get(h, "XAREXEC_TARGET"))
		return "XAREXEC_TARGET";
	return NULL;
}

const char *xar_launch_target(const struct xar_header *h)
{
	const char *key;

	if (xar_header_get(h, "XAR_PYTHON"))
		return xar_header_get(h, "XAR_PYTHON_BOOTSTRAP");
	key = target_key(h);
	return key ? xar_header_get(h, key) : NULL;
}

int xar_launch_check(const struct xar_header *h, struct xar_err *err)
{
	const char *key;

	if (xar_header_get(h, "XAR_PYTHON"))
		return 0;
	key = target_key(h);
	if (!key)
		return xar_err_set(err, EINVAL, "the header names no target "
				   "(XAR_EXEC, XAREXEC_TARGET or XAR_PYTHON)");
	if (!xar_target_path_ok(xar_header_get(h, key)))
		return xar_err_set(err, EINVAL, "%s \"%s\" is not a relative "
				   "path inside the image", key,
				   xar_header_get(h, key));
	return 0;
}

/* argv = head[0..nhead) + app_argv, NULL-terminated. */
static char **join_argv(char *const head[], int nhead, int app_argc,
			char *const app_argv[])
{
	char **argv = calloc((size_t)nhead + (size_t)app_argc + 1,
			     sizeof(*argv));
	int i;

	if (!argv)
		return NULL;
	for (i = 0; i < nhead; i++)
		argv[i] = head[i];
	for (i = 0; i < app_argc; i++)
		argv[nhead + i] = app_argv[i];
	return argv;
}

int xar_launch_plan(const struct xar_header *h, const char *root,
		    const char *xar_path, int app_argc, char *const app_argv[],
		    struct xar_launch *l, struct xar_err *err)
{
	static char sh[] = "/bin/sh", dash_e[] = "-e";
	const char *key;

	memset(l, 0, sizeof(*l));
	if (xar_header_get(h, "XAR_PYTHON")) {
		if (xar_python_argv(h, root, app_argc, app_argv, &l->argv, err))
			return -1;
		l->python = 1;
		l->path = l->argv[0];
		return 0;
	}
	if (xar_launch_check(h, err))
		return -1;
	key = target_key(h);
	l->target = xar_path_join(root, xar_header_get(h, key));
	if (!l->target)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (!strcmp(key, "XAR_EXEC")) {
		char *head[] = { (char *)xar_path };

		l->path = l->target;
		l->argv = join_argv(head, 1, app_argc, app_argv);
	} else {
		char *head[] = { sh, dash_e, l->target, (char *)xar_path };

		l->path = sh;
		l->argv = join_argv(head, 4, app_argc, app_argv);
	}
	if (!l->argv) {
		xar_launch_free(l);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

void xar_launch_free(struct xar_launch *l)
{
	if (l->python)
		xar_python_argv_free(l->argv);
	else
		free(l->argv);
	free(l->target);
	memset(l, 0, sizeof(*l));
}

int xar_launch_env(const char *xar_path, const char *root, int new_mount,
		   struct xar_err *err)
{
	if (setenv("XAR_INVOKED_NAME", xar_path, 1) ||
	    setenv("XAR_RUNTIME_FILES", root, 1) ||
	    (new_mount ? setenv("XARFUSE_NEW_MOUNT", "1", 1) :
			 unsetenv("XARFUSE_NEW_MOUNT")))
		return xar_err_sys(err, "cannot set the environment");
	return 0;
}
