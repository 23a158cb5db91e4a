/* Run side of Python xars: the interpreter command line and environment
 * that xarexec execs. This is on every start's hot path: no process, no
 * PATH scan unless the recorded interpreter is gone. */
#include "python.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"


/* "3.11": what python<version> may be built from; anything else in a
 * header is refused rather than pasted into a file name. */
static int valid_version(const char *v)
{
	size_t i = 0, digits = 0, dots = 0;

	for (; v[i]; i++) {
		if (v[i] >= '0' && v[i] <= '9') {
			if (++digits > 3)
				return 0;
		} else if (v[i] == '.' && digits && !dots) {
			dots++;
			digits = 0;
		} else {
			return 0;
		}
	}
	return dots == 1 && digits > 0;
}

/* The first executable NAME in $PATH, malloc'ed; NULL when none. */
static char *path_search(const char *name)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		size_t len;
		char *cand;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p);
		cand = malloc(len + strlen(name) + 3);
		if (!cand)
			return NULL;
		if (len)
			memcpy(cand, p, len);
		else
			cand[len++] = '.';
		cand[len] = '/';
		strcpy(cand + len + 1, name);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
		if (!*end)
			return NULL;
	}
}

/* The version in an interpreter program's name ("python3.11" -> "3.11"),
 * or NULL when the name carries none (python3, a shim). */
static const char *name_version(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (strncmp(base, "python", 6) || !valid_version(base + 6))
		return NULL;
	return base + 6;
}

/* Whether the program at path is another Python than ver, as far as names
 * tell without starting it: the recorded name (mkxar records the versioned
 * program, python3.11) and that of the program its symlinks lead to (an
 * older xar's python3 -> python3.12, or python3.11 repointed). realpath
 * costs a few lstat calls, no process. */
static int other_version(const char *path, const char *ver)
{
	char real[PATH_MAX];
	const char *v = name_version(path);

	if (v && strcmp(v, ver))
		return 1;
	v = realpath(path, real) ? name_version(real) : NULL;
	return v && strcmp(v, ver) != 0;
}

/* The interpreter to exec, malloc'ed: the recorded one when present and of
 * the recorded version, else python<version> from PATH. */
static char *resolve_interp(const struct xar_header *h, struct xar_err *err)
{
	const char *rec = xar_header_get(h, "XAR_PYTHON");
	const char *ver = xar_header_get(h, "XAR_PYTHON_VERSION");
	char name[16];
	char *found = NULL;
	int other = 0;

	if (!rec || !*rec) {
		xar_err_set(err, EINVAL, "header has no XAR_PYTHON interpreter");
		return NULL;
	}
	if (ver && !valid_version(ver))
		ver = NULL;
	if (rec[0] == '/' && access(rec, X_OK) == 0)
		found = strdup(rec);
	else if (!strchr(rec, '/'))
		found = path_search(rec);
	if (found && ver && other_version(found, ver)) {
		free(found);
		found = NULL;
		other = 1;
	}
	if (!found && ver) {
		snprintf(name, sizeof(name), "python%s", ver);
		found = path_search(name);
		if (found && other_version(found, ver)) {
			free(found);
			found = NULL;
		}
	}
	if (found)
		return found;
	if (ver && other)
		xar_err_set(err, ENOENT, "this xar needs Python %s: '%s' is "
			    "another Python version and no python%s is on PATH",
			    ver, rec, ver);
	else if (ver)
		xar_err_set(err, ENOENT, "this xar needs Python %s: '%s' is "
			    "missing and no python%s is on PATH", ver, rec, ver);
	else
		xar_err_set(err, ENOENT, "this xar needs the Python interpreter "
			    "'%s', which is missing", rec);
	return NULL;
}

/* 1 for a hermetic xar, 0 for one that uses the host's Python, -1 (err
 * set) for a bundle key that names anything but the one place. */
static int hermetic(const struct xar_header *h, struct xar_err *err)
{
	const char *b = xar_header_get(h, "XAR_PYTHON_BUNDLE");

	if (!b)
		return 0;
	if (strcmp(b, XAR_PYTHON_BUNDLE_DIR))
		return xar_err_set(err, EINVAL, "header's XAR_PYTHON_BUNDLE "
				   "is not %s", XAR_PYTHON_BUNDLE_DIR);
	return 1;
}

int xar_python_interp_check(const struct xar_header *h, struct xar_err *err)
{
	char *interp;
	int bundled = hermetic(h, err);

	if (bundled)
		return bundled < 0 ? -1 : 0;
	interp = resolve_interp(h, err);
	free(interp);
	return interp ? 0 : -1;
}

/* A path inside the image: relative, no "..", no empty name. */
static int valid_image_path(const char *p)
{
	const char *c = p;

	if (!*p || *p == '/')
		return 0;
	for (;;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!c[n])
			return 1;
		c += n + 1;
	}
}

/* "<root>/<rel>" with root's trailing slashes dropped, malloc'ed. */
static char *root_join(const char *root, const char *rel)
{
	size_t n = strlen(root), m = strlen(rel);
	char *p;

	while (n > 0 && root[n - 1] == '/')
		n--;
	p = malloc(n + m + 2);
	if (!p)
		return NULL;
	memcpy(p, root, n);
	p[n] = '/';
	memcpy(p + n + 1, rel, m + 1);
	return p;
}

/* The caller's PYTHONPATH kept aside, the interpreter recorded. */
static int save_env(const char *interp, struct xar_err *err)
{
	const char *caller = getenv("PYTHONPATH");

	if ((caller && setenv("XAR_SAVED_PYTHONPATH", caller, 1) < 0) ||
	    setenv("XAR_PYTHON_COMMAND", interp, 1) < 0)
		return xar_err_sys(err, "cannot set the Python environment");
	return 0;
}

/* The host's interpreter with the bootstrap; PYTHONPATH is the image root
 * (as the bootstrap derives it from its own path: no trailing '/'). */
static int host_argv(const struct xar_header *h, const char *boot_path,
		     size_t rootlen, int app_argc, char *const app_argv[],
		     char ***out, struct xar_err *err)
{
	char *interp = resolve_interp(h, err), *root = NULL;
	const char *head[2];
	int rc = -1;

	if (!interp)
		return -1;
	root = strndup(boot_path, rootlen ? rootlen : 1);
	head[0] = interp;
	head[1] = boot_path;
	*out = root ? xar_python_argv_block(head, 2, app_argc, app_argv) : NULL;
	if (!*out) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (save_env(interp, err) ||
	    (setenv("PYTHONPATH", root, 1) < 0 &&
	     xar_err_sys(err, "cannot set the Python environment"))) {
		free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	free(root);
	free(interp);
	return rc;
}

/* The bundled interpreter through its launcher's command. */
static int bundled_argv(const char *root, const char *boot_path,
			int app_argc, char *const app_argv[], char ***out,
			struct xar_err *err)
{
	char *launcher = root_join(root, XAR_PYTHON_BUNDLE_DIR "/"
				   XAR_PYTHON_LAUNCHER);
	int rc = -1;

	if (!launcher)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (xar_python_hermetic_argv(launcher, boot_path, app_argc, app_argv,
				     out, err))
		goto out;
	if (save_env(launcher, err) ||
	    xar_python_hermetic_env(launcher, 1, err)) {
		free(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	free(launcher);
	return rc;
}

int xar_python_argv(const struct xar_header *h, const char *root,
		    int app_argc, char *const app_argv[], char ***out,
		    struct xar_err *err)
{
	const char *boot = xar_header_get(h, "XAR_PYTHON_BOOTSTRAP");
	char *boot_path;
	int bundled, rc;

	*out = NULL;
	if (app_argc < 0 || (size_t)app_argc > SIZE_MAX / sizeof(char *) - 16)
		return xar_err_set(err, EINVAL, "too many arguments");
	if (!boot || !valid_image_path(boot))
		return xar_err_set(err, EINVAL, "header has no valid "
				   "XAR_PYTHON_BOOTSTRAP path");
	bundled = hermetic(h, err);
	if (bundled < 0)
		return -1;
	boot_path = root_join(root, boot);
	if (!boot_path)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (bundled)
		rc = bundled_argv(root, boot_path, app_argc, app_argv, out, err);
	else
		rc = host_argv(h, boot_path, strlen(boot_path) - strlen(boot) - 1,
			       app_argc, app_argv, out, err);
	free(boot_path);
	return rc;
}

void xar_python_argv_free(char **argv)
{
	free(argv);
}
