/* Asking the build interpreter who it is: the real program behind a
 * command or shim (sys.executable), its version and bytecode tag. */
#include "python.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Runs under -I so that neither PYTHON* variables nor user site-packages
 * change the answer. Works far enough in Python 2 to say it is too old. */
static const char probe_script[] =
	"import sys\n"
	"if sys.version_info < (3, 7):\n"
	"    print('old %d.%d' % sys.version_info[:2]); sys.exit(0)\n"
	"print(sys.executable)\n"
	"print('%d.%d' % sys.version_info[:2])\n"
	"print(sys.implementation.cache_tag)\n";

static int valid_tag(const char *t)
{
	size_t i;

	for (i = 0; t[i]; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9')
		      || t[i] == '-' || t[i] == '_' || t[i] == '.'))
			return 0;
	return i > 0 && i < 64;
}

/* The versioned program behind exe, malloc'ed, or NULL when there is none:
 * python3 is a symlink that points at another minor version on other
 * hosts, so a xar records the program whose name carries its version
 * (python3.11), which xarexec can check without starting it. That is
 * python<version> beside exe when it is the same file (which keeps a
 * virtual environment's own program), else exe's real path when its name
 * is python<version> and exe is not in a virtual environment. */
static char *versioned_program(const char *exe, const char *version)
{
	char real[PATH_MAX], name[32], *beside;
	const char *slash = strrchr(exe, '/');
	size_t dir = (size_t)(slash - exe) + 1;
	struct stat a, b;

	snprintf(name, sizeof(name), "python%s", version);
	beside = malloc(dir + strlen(name) + sizeof("/../pyvenv.cfg"));
	if (!beside)
		return NULL;
	memcpy(beside, exe, dir);
	strcpy(beside + dir, name);
	if (stat(exe, &a) == 0 && stat(beside, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return beside;
	strcpy(beside + dir, "../pyvenv.cfg");
	if (access(beside, F_OK) == 0 || !realpath(exe, real)) {
		free(beside);
		return NULL;
	}
	free(beside);
	slash = strrchr(real, '/');
	return slash && !strcmp(slash + 1, name) ? strdup(real) : NULL;
}

int xar_python_lines(char *text, char **line, int n)
{
	char *p = text;
	int i;

	for (i = 0; i < n; i++) {
		char *nl = strchr(p, '\n');

		if (!nl)
			return -1;
		*nl = '\0';
		line[i] = p;
		p = nl + 1;
	}
	return 0;
}

/* Split the probe's three lines into info. */
static int parse_probe(char *text, const char *interp,
		       struct xar_python_info *info, struct xar_err *err)
{
	char *line[3];

	if (xar_python_lines(text, line, 3))
		return xar_err_set(err, EINVAL, "'%s' did not answer as a "
				   "Python interpreter", interp);
	if (line[0][0] != '/' || strchr(line[0], '"'))
		return xar_err_set(err, EINVAL, "'%s' reports no usable "
				   "sys.executable ('%s')", interp, line[0]);
	if (!*line[1] || strspn(line[1], "0123456789.") != strlen(line[1]))
		return xar_err_set(err, EINVAL, "'%s' reports an odd version "
				   "'%s'", interp, line[1]);
	if (!valid_tag(line[2]) || !strcmp(line[2], "None"))
		return xar_err_set(err, EINVAL, "'%s' has no bytecode cache "
				   "tag", interp);
	info->executable = strdup(line[0]);
	info->version = strdup(line[1]);
	info->tag = strdup(line[2]);
	if (!info->executable || !info->version || !info->tag) {
		xar_python_info_free(info);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	if (!strchr(info->executable, '"')) {
		char *v = versioned_program(info->executable, info->version);

		if (v && !strchr(v, '"')) {
			free(info->executable);
			info->executable = v;
		} else {
			free(v);
		}
	}
	return 0;
}

int xar_python_probe(const char *interp, struct xar_python_info *info,
		     struct xar_err *err)
{
	char *argv[] = { NULL, (char *)"-I", (char *)"-c", NULL, NULL };
	char *text = NULL;
	int rc;

	memset(info, 0, sizeof(*info));
	if (!interp)
		interp = "python3";
	argv[0] = (char *)interp;
	argv[3] = (char *)probe_script;
	rc = xar_python_spawn(argv, NULL, NULL, 0, &text, 8192, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		rc = xar_err_set(err, EINVAL, "'%s' failed (exit status %d)",
				 interp, rc);
	else if (!strncmp(text, "old ", 4))
		rc = xar_err_set(err, EINVAL, "'%s' is Python %.*s; Python 3.7 "
				 "or newer is needed", interp,
				 (int)strcspn(text + 4, "\n"), text + 4);
	else
		rc = parse_probe(text, interp, info, err);
	free(text);
	return rc;
}

void xar_python_info_free(struct xar_python_info *info)
{
	free(info->executable);
	free(info->version);
	free(info->tag);
	memset(info, 0, sizeof(*info));
}
