/* The entry point of a Python xar: MODULE[:FUNCTION] as given, or a console
 * script looked up in the entry_points.txt of a distribution in the image;
 * and the build-time check that its module is really there. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

#define EP_MAX (1u << 20) /* entry_points.txt beyond 1 MiB is not one */

int xar_python_dotted_name(const char *s, size_t len)
{
	size_t i;
	int start = 1;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (start)
				return 0;
			start = 1;
			continue;
		}
		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (!start && c >= '0' && c <= '9')))
			return 0;
		start = 0;
	}
	return len > 0 && !start;
}

int xar_python_valid_entry(const char *entry)
{
	const char *colon = strchr(entry, ':');

	if (!colon)
		return xar_python_dotted_name(entry, strlen(entry));
	return xar_python_dotted_name(entry, (size_t)(colon - entry)) &&
	       xar_python_dotted_name(colon + 1, strlen(colon + 1));
}

/* "<name>.dist-info/entry_points.txt" or "<name>.egg-info/…" at the root. */
static int is_entry_points(const char *p)
{
	const char *slash = strchr(p, '/');
	size_t n;

	if (!slash || strcmp(slash + 1, "entry_points.txt"))
		return 0;
	n = (size_t)(slash - p);
	return (n > 10 && !memcmp(slash - 10, ".dist-info", 10)) ||
	       (n > 9 && !memcmp(slash - 9, ".egg-info", 9));
}

static char *read_small(const char *path, struct xar_err *err)
{
	char *buf;
	long long n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		xar_err_sys(err, "cannot open '%s'", path);
		return NULL;
	}
	buf = malloc(EP_MAX + 1);
	if (!buf) {
		xar_err_set(err, ENOMEM, "out of memory");
	} else if ((n = xar_pread_full(fd, buf, EP_MAX + 1, 0)) < 0) {
		xar_err_sys(err, "cannot read '%s'", path);
		free(buf);
		buf = NULL;
	} else if (n > EP_MAX) {
		xar_err_set(err, EFBIG, "'%s' is too large", path);
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
	}
	close(fd);
	return buf;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "mod.sub : func.attr [extra1, extra2]" → "mod.sub:func.attr", in place. */
static char *normalize_value(char *v)
{
	char *colon, *r, *w;

	v[strcspn(v, "[")] = '\0';
	for (r = w = v; *r; r++)
		if (*r != ' ' && *r != '\t' && *r != '\r')
			*w++ = *r;
	*w = '\0';
	colon = strchr(v, ':');
	if (colon && strchr(colon + 1, ':'))
		return NULL;
	return xar_python_valid_entry(v) ? v : NULL;
}

struct ep_scan {
	const char *want;  /* console script name */
	char *found;       /* its normalized value, malloc'ed */
	char *names;       /* "a, b, c": what there is, for the error */
	size_t len, cap;
};

static int add_name(struct ep_scan *s, const char *name)
{
	size_t n = strlen(name);

	while (s->len + n + 3 > s->cap)
		if (xar_grow((void **)&s->names, &s->cap, 1, 256) < 0)
			return -1;
	if (s->len) {
		memcpy(s->names + s->len, ", ", 2);
		s->len += 2;
	}
	memcpy(s->names + s->len, name, n + 1);
	s->len += n;
	return 0;
}

/* One entry_points.txt: 1 found, 0 not there, -1 error. */
static int scan_text(char *text, const char *where, struct ep_scan *s,
		     struct xar_err *err)
{
	int in_scripts = 0;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line), *eq, *key, *val;

		if (*l == '[') {
			in_scripts = !strcmp(l, "[console_scripts]") ||
				     !strcmp(l, "[gui_scripts]");
			continue;
		}
		eq = strchr(l, '=');
		if (!in_scripts || *l == '#' || *l == ';' || !eq ||
		    line[0] == ' ' || line[0] == '\t')
			continue;
		*eq = '\0';
		key = trim(l);
		if (strcmp(key, s->want)) {
			if (add_name(s, key) < 0)
				return xar_err_set(err, ENOMEM, "out of memory");
			continue;
		}
		val = normalize_value(eq + 1);
		if (!val)
			return xar_err_set(err, EINVAL, "console script '%s' in "
					   "'%s' has an unusable entry point",
					   s->want, where);
		s->found = strdup(val);
		return s->found ? 1 : xar_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static int by_image_path(const void *a, const void *b)
{
	const struct xar_python_file *const *x = a, *const *y = b;

	return strcmp((*x)->image_path, (*y)->image_path);
}

/* Every root-level entry_points.txt, in name order (the first distribution
 * declaring the script wins, the same on every build). */
static const struct xar_python_file **entry_point_files(
	const struct xar_python_file *files, size_t n, size_t *count)
{
	const struct xar_python_file **v = calloc(n ? n : 1, sizeof(*v));
	size_t i, k = 0;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		if (is_entry_points(files[i].image_path))
			v[k++] = &files[i];
	qsort(v, k, sizeof(*v), by_image_path);
	*count = k;
	return v;
}

static int find_console_script(const char *name,
			       const struct xar_python_file *files, size_t n,
			       char **entry, struct xar_err *err)
{
	struct ep_scan s = { name, NULL, NULL, 0, 0 };
	const struct xar_python_file **eps;
	size_t neps, i;
	int rc = 0;

	eps = entry_point_files(files, n, &neps);
	if (!eps)
		return xar_err_set(err, ENOMEM, "out of memory");
	for (i = 0; i < neps && rc == 0; i++) {
		char *text = read_small(eps[i]->disk_path, err);

		if (!text) {
			rc = -1;
			break;
		}
		rc = scan_text(text, eps[i]->image_path, &s, err);
		free(text);
	}
	if (rc == 0 && s.len)
		xar_err_set(err, ENOENT, "no console script '%s' in the image; "
			    "there are: %s", name, s.names);
	else if (rc == 0)
		xar_err_set(err, ENOENT, "no console script '%s': no "
			    "distribution in the image declares console "
			    "scripts (*.dist-info or *.egg-info "
			    "entry_points.txt); a SOURCE that is a Python "
			    "project (pyproject.toml or setup.py) is installed "
			    "with its entry points", name);
	*entry = s.found;
	free(s.names);
	free(eps);
	return rc == 1 ? 0 : -1;
}

int xar_python_resolve_entry(const struct xar_python_opts *opts,
			     const struct xar_python_file *files, size_t n,
			     char **entry, struct xar_err *err)
{
	*entry = NULL;
	if (opts->console_script)
		return find_console_script(opts->console_script, files, n,
					   entry, err);
	if (!opts->entry)
		return xar_err_set(err, EINVAL, "a Python xar needs "
				   "--python-entry or --console-script");
	if (!xar_python_valid_entry(opts->entry))
		return xar_err_set(err, EINVAL, "bad entry point '%s': expected "
				   "MODULE or MODULE:FUNCTION", opts->entry);
	*entry = strdup(opts->entry);
	return *entry ? 0 : xar_err_set(err, ENOMEM, "out of memory");
}

enum module_kind { MOD_ABSENT, MOD_FILE, MOD_PACKAGE };

/* Whether image path p holds module rel ("pkg/mod"): pkg/mod.py, .pyc, an
 * extension pkg/mod[.<abi tag>].so, or the directory pkg/mod/ (a package,
 * with or without __init__). */
static enum module_kind module_at(const char *p, const char *rel, size_t len)
{
	const char *rest = p + len, *dot;

	if (strncmp(p, rel, len))
		return MOD_ABSENT;
	if (*rest == '/')
		return MOD_PACKAGE;
	if (*rest != '.' || strchr(rest, '/'))
		return MOD_ABSENT;
	if (!strcmp(rest, ".py") || !strcmp(rest, ".pyc"))
		return MOD_FILE;
	dot = strrchr(rest, '.');
	return !strcmp(dot, ".so") ? MOD_FILE : MOD_ABSENT;
}

static enum module_kind module_kind(const char *module,
				    const struct xar_python_file *files,
				    size_t n)
{
	char rel[4096];
	size_t len = strlen(module), i;
	enum module_kind kind = MOD_ABSENT;

	if (len >= sizeof(rel))
		return MOD_ABSENT;
	for (i = 0; i <= len; i++)
		rel[i] = module[i] == '.' ? '/' : module[i];
	for (i = 0; i < n && kind != MOD_FILE; i++) {
		enum module_kind k = module_at(files[i].image_path, rel, len);

		if (k != MOD_ABSENT)
			kind = k;
	}
	return kind;
}

int xar_python_check_entry(const char *entry,
			   const struct xar_python_file *files, size_t n,
			   struct xar_err *err)
{
	size_t mlen = strcspn(entry, ":");
	char *module = strndup(entry, mlen), *main_mod = NULL;
	enum module_kind kind;
	int rc = 0;

	if (!module)
		return xar_err_set(err, ENOMEM, "out of memory");
	kind = module_kind(module, files, n);
	if (kind == MOD_ABSENT) {
		rc = xar_err_set(err, ENOENT, "entry module '%s' is not in the "
				 "image", module);
	} else if (kind == MOD_PACKAGE && !entry[mlen]) {
		/* run as __main__: a package needs its __main__ module */
		main_mod = malloc(mlen + sizeof(".__main__"));
		if (!main_mod) {
			rc = xar_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		sprintf(main_mod, "%s.__main__", module);
		if (module_kind(main_mod, files, n) != MOD_FILE)
			rc = xar_err_set(err, ENOENT, "entry '%s' is a package "
					 "without a __main__ module", module);
	}
out:
	free(main_mod);
	free(module);
	return rc;
}
