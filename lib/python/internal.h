/* Shared inside the Python build side (python_*.c); not for the front ends. */
#ifndef XAR_PYTHON_INTERNAL_H
#define XAR_PYTHON_INTERNAL_H

#include <stddef.h>

#include "base/base.h"
#include "python.h"

/* Run argv (argv[0] looked up on PATH when it has no '/') with the
 * environment envp (NULL: ours) and wait for it.
 * Its stdin reads the len bytes at in (nothing when in is NULL). When out
 * is non-NULL its stdout is captured into *out (malloc'ed, NUL-terminated,
 * at most cap bytes kept); otherwise its stdout goes to our stderr. Use in
 * or out, not both. Returns the exit status (0–255), or -1 with err set
 * when it could not run or was killed by a signal. */
int xar_python_spawn(char *const argv[], char *const envp[], const void *in,
		     size_t len, char **out, size_t cap, struct xar_err *err);

/* "image path\0disk path\0" for each of files[0..n) that want accepts
 * (by image path), malloc'ed: what the build's Python helpers read on
 * their stdin. NULL when out of memory. */
char *xar_python_pairs(const struct xar_python_file *files, size_t n,
		       int (*want)(const char *image_path), size_t *len);

/* One malloc'ed block: copies of the nhead strings of head, then the
 * argc pointers of argv (borrowed), then NULL. free() releases it. NULL
 * when out of memory or absurdly many. */
char **xar_python_argv_block(const char *const *head, size_t nhead,
			     int argc, char *const argv[]);

/* Cut the first n lines of text (a child's answer) in place into line[];
 * -1 when it has fewer. */
int xar_python_lines(char *text, char **line, int n);

/* Whether s[0..len) is a dotted Python name: "a.b_c.d" (ASCII). */
int xar_python_dotted_name(const char *s, size_t len);

/* Whether entry is MODULE or MODULE:ATTR (both dotted names). */
int xar_python_valid_entry(const char *entry);

/* The entry as given, or the console script's from the image's
 * entry_points.txt files; *entry is malloc'ed "module[:attr]". */
int xar_python_resolve_entry(const struct xar_python_opts *opts,
			     const struct xar_python_file *files, size_t n,
			     char **entry, struct xar_err *err);

/* Fail unless the entry's module is in files (a package run as __main__
 * needs its __main__ module). */
/* How many of files xar_python_compile compiles. */
size_t xar_python_count_modules(const struct xar_python_file *files,
				size_t n);
int xar_python_check_entry(const char *entry,
			   const struct xar_python_file *files, size_t n,
			   struct xar_err *err);

/* Write out_dir/__xar__/bootstrap.py and bootstrap.sh for entry. */
int xar_python_write_bootstraps(const struct xar_python_info *info,
				const char *entry, const char *out_dir,
				struct xar_err *err);

/* Compile every *.py of files with the recorded interpreter into
 * out_dir/<dir>/__pycache__/<name>.<tag>.pyc (unchecked-hash pycs). */
int xar_python_compile(const struct xar_python_info *info,
		       const struct xar_python_file *files, size_t n,
		       const char *out_dir, int progress, struct xar_err *err);

#endif
