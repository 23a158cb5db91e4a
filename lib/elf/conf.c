/* ld.so.conf (see internal.h), read as ldconfig reads it (glibc
 * elf/ldconfig.c: parse_conf, parse_conf_include): one directory a line,
 * '#' to the end of a line is a comment, "include PATTERN..." reads the
 * files the glob patterns match, in sorted order. Deviations, for a
 * result that depends on the files alone: relative directories are
 * ignored (ldconfig takes them relative to its working directory), and
 * includes nest at most MAX_DEPTH deep (ldconfig loops on a cycle). */
#include "internal.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 8
#define MAX_LINE 4096
#define MAX_FILES 1024 /* files read for one ld.so.conf */

struct conf {
	struct xar_elf_dirs *dirs;
	const char *top;  /* the ld.so.conf asked for, for messages */
	unsigned nfiles;
};

static int parse_file(struct conf *c, const char *path, int depth,
		      struct xar_err *err);

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The files one include pattern matches, relative to the directory of
 * the including file unless absolute. */
static int parse_include(struct conf *c, const char *from, const char *pat,
			 int depth, struct xar_err *err)
{
	const char *slash = strrchr(from, '/');
	char *full = NULL;
	glob_t g;
	size_t i;
	int rc = 0, r;

	if (pat[0] != '/' && slash) {
		if (asprintf(&full, "%.*s/%s", (int)(slash - from), from,
			     pat) < 0)
			return xar_err_set(err, ENOMEM, "out of memory");
		pat = full;
	}
	r = glob(pat, 0, NULL, &g);
	if (r == GLOB_NOSPACE)
		rc = xar_err_set(err, ENOMEM, "out of memory");
	else if (r == GLOB_ABORTED)
		rc = xar_err_set(err, EIO, "cannot read the files '%s' "
				 "includes ('%s')", from, pat);
	for (i = 0; !r && !rc && i < g.gl_pathc; i++)
		rc = parse_file(c, g.gl_pathv[i], depth + 1, err);
	if (!r)
		globfree(&g);
	free(full);
	return rc;
}

/* One line, its newline and comment already cut off. */
static int parse_line(struct conf *c, const char *path, char *line,
		      int depth, struct xar_err *err)
{
	char *end = line + strlen(line), *word;
	int rc = 0;

	while (is_blank(*line))
		line++;
	while (end > line && (is_blank(end[-1]) || end[-1] == '\r'))
		*--end = '\0';
	if (!strncmp(line, "include", 7) && is_blank(line[7])) {
		line += 8;
		while (!rc && (word = strsep(&line, " \t")))
			if (*word)
				rc = parse_include(c, path, word, depth, err);
		return rc;
	}
	if (!strncasecmp(line, "hwcap", 5) && is_blank(line[5]))
		return 0;
	if (line[0] != '/')
		return 0;
	return xar_elf_dirs_add(c->dirs, line, strlen(line), c->top, err);
}

static int parse_file(struct conf *c, const char *path, int depth,
		      struct xar_err *err)
{
	char line[MAX_LINE + 2];
	int rc = -1, ch;
	FILE *f;

	if (depth > MAX_DEPTH || ++c->nfiles > MAX_FILES)
		return xar_err_set(err, ELOOP, "'%s' includes files more than "
				   "%d deep or more than %d files", c->top,
				   MAX_DEPTH, MAX_FILES);
	f = fopen(path, "re");
	if (!f && errno == ENOENT)
		return 0;
	if (!f)
		return xar_err_sys(err, "cannot open '%s'", path);
	while (fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && !feof(f)) {
			/* An overlong line: no path that long; skip it. */
			while ((ch = getc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		*strchrnul(line, '#') = '\0';
		*strchrnul(line, '\n') = '\0';
		if (parse_line(c, path, line, depth, err))
			goto out;
	}
	if (ferror(f)) {
		xar_err_sys(err, "cannot read '%s'", path);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int xar_elf_conf_read(const char *path, struct xar_elf_dirs *d,
		      struct xar_err *err)
{
	struct conf c = { .dirs = d, .top = path };

	return parse_file(&c, path, 0, err);
}
