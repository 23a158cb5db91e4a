/* Run side of hermetic Python xars: the command that starts the bundled
 * interpreter through the bundled loader, and the environment it gets.
 * Shared by xarexec (starting the app) and the static launcher in the
 * image (what sys.executable names, for the app's own children). */
#include "python.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Where the host keeps its CA certificates, by family: the bundled
 * OpenSSL only knows its build machine's directory. */
static const char *const ca_files[] = {
	"/etc/ssl/certs/ca-certificates.crt",     /* Debian, Ubuntu, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",       /* RHEL, Fedora */
	"/etc/ssl/ca-bundle.pem",                 /* SUSE */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",                      /* Alpine, others */
};

/* The prefix (<root>/__xar__/python) from the launcher's path
 * (<prefix>/bin/python3): its length, or 0 when the path is not one. */
static size_t prefix_len(const char *launcher)
{
	size_t n = strlen(launcher), l = strlen(XAR_PYTHON_LAUNCHER);

	if (launcher[0] != '/' || n <= l + 1 || launcher[n - l - 1] != '/' ||
	    strcmp(launcher + n - l, XAR_PYTHON_LAUNCHER))
		return 0;
	return n - l - 1;
}

static int set_ca(void)
{
	size_t i;
	struct stat st;

	if (getenv("SSL_CERT_FILE") || getenv("SSL_CERT_DIR"))
		return 0;
	for (i = 0; i < sizeof(ca_files) / sizeof(*ca_files); i++)
		if (stat(ca_files[i], &st) == 0 && S_ISREG(st.st_mode))
			return setenv("SSL_CERT_FILE", ca_files[i], 1);
	return 0;
}

/* PYTHONPATH with the image root first: root alone when replace is set
 * (a start from outside, whose PYTHONPATH xarexec kept aside), else root
 * in front of what the app set for its child. */
static int set_pythonpath(const char *root, int replace)
{
	const char *old = getenv("PYTHONPATH");
	size_t n = strlen(root);
	char *v;
	int rc;

	if (replace || !old || !*old)
		return setenv("PYTHONPATH", root, 1);
	if (!strncmp(old, root, n) && (old[n] == ':' || !old[n]))
		return 0; /* first already */
	v = malloc(n + strlen(old) + 2);
	if (!v)
		return -1;
	memcpy(v, root, n);
	v[n] = ':';
	strcpy(v + n + 1, old);
	rc = setenv("PYTHONPATH", v, 1);
	free(v);
	return rc;
}

int xar_python_hermetic_env(const char *launcher, int replace,
			    struct xar_err *err)
{
	size_t plen = prefix_len(launcher), blen = strlen(XAR_PYTHON_BUNDLE_DIR);
	size_t rlen = plen > blen ? plen - blen - 1 : 0;
	char *root;
	int rc = 0;

	if (plen <= blen || launcher[rlen] != '/' ||
	    strncmp(launcher + rlen + 1, XAR_PYTHON_BUNDLE_DIR, blen))
		return xar_err_set(err, EINVAL, "'%s' is not a bundled Python "
				   "launcher", launcher);
	root = strndup(launcher, rlen ? rlen : 1);
	if (!root)
		return xar_err_set(err, ENOMEM, "out of memory");
	if (unsetenv("PYTHONHOME") || unsetenv("PYTHONPLATLIBDIR") ||
	    set_pythonpath(root, replace) || set_ca())
		rc = xar_err_sys(err, "cannot set the Python environment");
	free(root);
	return rc;
}

char **xar_python_argv_block(const char *const *head, size_t nhead,
			     int argc, char *const argv[])
{
	size_t bytes = 0, i;
	char **v, *w;

	if (argc < 0 || nhead > 64 ||
	    (size_t)argc > (SIZE_MAX / 2) / sizeof(char *) - 65)
		return NULL;
	for (i = 0; i < nhead; i++) {
		if (strlen(head[i]) > SIZE_MAX / 4 - bytes)
			return NULL;
		bytes += strlen(head[i]) + 1;
	}
	v = malloc((nhead + (size_t)argc + 1) * sizeof(char *) + bytes);
	if (!v)
		return NULL;
	w = (char *)(v + nhead + (size_t)argc + 1);
	for (i = 0; i < nhead; i++) {
		v[i] = strcpy(w, head[i]);
		w += strlen(head[i]) + 1;
	}
	for (i = 0; i < (size_t)argc; i++)
		v[nhead + i] = argv[i];
	v[nhead + (size_t)argc] = NULL;
	return v;
}

/* One path under the prefix for each of the names that need one. */
static int hermetic_paths(const char *launcher, size_t plen, char *p[3])
{
	char *prefix = strndup(launcher, plen);

	if (!prefix)
		return -1;
	p[0] = xar_path_join(prefix, XAR_PYTHON_LOADER);
	p[1] = xar_path_join(prefix, XAR_PYTHON_LIBS);
	p[2] = xar_path_join(prefix, XAR_PYTHON_REAL);
	free(prefix);
	return p[0] && p[1] && p[2] ? 0 : -1;
}

int xar_python_hermetic_argv(const char *launcher, const char *script,
			     int argc, char *const argv[], char ***out,
			     struct xar_err *err)
{
	size_t plen = prefix_len(launcher), i;
	char *p[3] = { NULL, NULL, NULL };
	const char *head[9];
	int rc = 0;

	*out = NULL;
	if (!plen)
		return xar_err_set(err, EINVAL, "'%s' is not a bundled Python "
				   "launcher", launcher);
	if (hermetic_paths(launcher, plen, p)) {
		rc = xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	head[0] = p[0];
	head[1] = "--library-path";
	head[2] = p[1];
	head[3] = "--inhibit-cache";  /* not the host's ld.so.cache */
	head[4] = "--argv0";          /* sys.executable: the launcher */
	head[5] = launcher;
	head[6] = p[2];
	head[7] = "-s";               /* no user site-packages */
	head[8] = script;
	*out = xar_python_argv_block(head, script ? 9 : 8, argc, argv);
	if (!*out)
		rc = xar_err_set(err, ENOMEM, "out of memory or too many "
				 "arguments");
out:
	for (i = 0; i < 3; i++)
		free(p[i]);
	return rc;
}
