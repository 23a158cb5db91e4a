/* lib/elf internals: directory lists, dynamic string tokens, ld.so.conf.
 * resolve.c uses dirs.c and conf.c; conf.c uses dirs.c. */
#ifndef XAR_ELF_INTERNAL_H
#define XAR_ELF_INTERNAL_H

#include <stddef.h>

#include "elf.h"

/* A search path: directories in order, each once, at most
 * XAR_ELF_MAX_DIRS. "" is the current directory (an empty RPATH
 * element, as ld.so takes it). */
struct xar_elf_dirs {
	char **v;
	size_t n, cap;
};

/* Add the len bytes at dir, less trailing slashes ("/" stays), unless
 * already there. -1 when out of memory or over XAR_ELF_MAX_DIRS (what
 * is a name for the message: "the search path of '<what>'"). */
int xar_elf_dirs_add(struct xar_elf_dirs *d, const char *dir, size_t len,
		     const char *what, struct xar_err *err);
void xar_elf_dirs_free(struct xar_elf_dirs *d);

/* "a, b, c" into buf (cap bytes), cut with ", ... (N more)" when it
 * does not fit; "nothing" for an empty list. */
void xar_elf_dirs_format(const struct xar_elf_dirs *d, char *buf,
			 size_t cap);

/* What the dynamic string tokens of one object expand to; NULL: no value
 * (a path using it is left out). */
struct xar_elf_dst {
	const char *origin, *lib, *platform;
};

/* s with $ORIGIN, $LIB, $PLATFORM (or ${ORIGIN}, ...) replaced, as
 * ld.so's _dl_dst_substitute does: a token must not run on into a letter,
 * digit or '_'; an unknown "$NAME" stays as it is. 1 with *out malloc'ed;
 * 0 when a token has no value (*out NULL); -1 when out of memory. */
int xar_elf_dst_expand(const char *s, const struct xar_elf_dst *dst,
		       char **out, struct xar_err *err);

/* Add each element of the colon-separated list, expanded; an element
 * that does not expand is left out, as in ld.so. */
int xar_elf_dirs_add_list(struct xar_elf_dirs *d, const char *list,
			  const struct xar_elf_dst *dst, const char *what,
			  struct xar_err *err);

/* Add the directories that the ld.so.conf file at path names, following
 * its `include` lines (globs, relative to the file's directory). '#'
 * starts a comment; relative directories and `hwcap` lines are ignored.
 * A missing file names none. */
int xar_elf_conf_read(const char *path, struct xar_elf_dirs *d,
		      struct xar_err *err);

#endif
