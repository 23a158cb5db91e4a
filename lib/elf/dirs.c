/* Search paths (see internal.h): directory lists, and the dynamic string
 * tokens of DT_RPATH, DT_RUNPATH and DT_NEEDED expanded as ld.so expands
 * them (glibc elf/dl-load.c: is_dst, _dl_dst_substitute, fillin_rpath). */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH 4096      /* an expanded element longer cannot be opened */
#define MAX_LIST (64 << 10) /* bytes of one colon-separated list */

int xar_elf_dirs_add(struct xar_elf_dirs *d, const char *dir, size_t len,
		     const char *what, struct xar_err *err)
{
	size_t i;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (i = 0; i < d->n; i++)
		if (strlen(d->v[i]) == len && !memcmp(d->v[i], dir, len))
			return 0;
	if (d->n == XAR_ELF_MAX_DIRS)
		return xar_err_set(err, E2BIG, "the search path of '%s' has "
				   "more than %u directories", what,
				   XAR_ELF_MAX_DIRS);
	if (d->n == d->cap &&
	    xar_grow((void **)&d->v, &d->cap, sizeof(*d->v), 16))
		return xar_err_set(err, ENOMEM, "out of memory");
	d->v[d->n] = strndup(dir, len);
	if (!d->v[d->n])
		return xar_err_set(err, ENOMEM, "out of memory");
	d->n++;
	return 0;
}

void xar_elf_dirs_free(struct xar_elf_dirs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void xar_elf_dirs_format(const struct xar_elf_dirs *d, char *buf,
			 size_t cap)
{
	const size_t reserve = 32; /* room for ", ... (N more)" */
	size_t used = 0, i, len;
	const char *name;

	snprintf(buf, cap, "%s", d->n ? "" : "nothing");
	for (i = 0; i < d->n; i++) {
		name = d->v[i][0] ? d->v[i] : ".";
		len = strlen(name) + (i ? 2 : 0);
		if (used + len + reserve >= cap) {
			snprintf(buf + used, cap - used, "%s... (%zu more)",
				 i ? ", " : "", d->n - i);
			return;
		}
		used += (size_t)snprintf(buf + used, cap - used, "%s%s",
					 i ? ", " : "", name);
	}
}

static int is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* The length of the token ref at p (just after a '$'), as "NAME" or
 * "{NAME}", or 0 when p does not start with it. */
static size_t is_dst(const char *p, const char *ref)
{
	size_t n = strlen(ref);
	int curly = *p == '{';

	if (curly)
		p++;
	if (strncmp(p, ref, n))
		return 0;
	if (curly)
		return p[n] == '}' ? n + 2 : 0;
	return is_word_char(p[n]) ? 0 : n;
}

static size_t token(const char *p, const struct xar_elf_dst *dst,
		    const char **val)
{
	size_t n;

	*val = NULL;
	if ((n = is_dst(p, "ORIGIN")))
		*val = dst->origin;
	else if ((n = is_dst(p, "PLATFORM")))
		*val = dst->platform;
	else if ((n = is_dst(p, "LIB")))
		*val = dst->lib;
	return n;
}

/* s expanded into out (when not NULL); its length, or SIZE_MAX when a
 * token has no value or the result would be longer than MAX_PATH. */
static size_t substitute(const char *s, const struct xar_elf_dst *dst,
			 char *out)
{
	size_t len = 0, n, vlen;
	const char *val;

	while (*s && len <= MAX_PATH) {
		n = *s == '$' ? token(s + 1, dst, &val) : 0;
		if (!n) {
			if (out)
				out[len] = *s;
			len++;
			s++;
			continue;
		}
		if (!val)
			return SIZE_MAX;
		vlen = strnlen(val, MAX_PATH + 1);
		if (vlen > MAX_PATH - len)
			return SIZE_MAX;
		if (out)
			memcpy(out + len, val, vlen);
		len += vlen;
		s += 1 + n;
	}
	if (len > MAX_PATH)
		return SIZE_MAX;
	if (out)
		out[len] = '\0';
	return len;
}

int xar_elf_dst_expand(const char *s, const struct xar_elf_dst *dst,
		       char **out, struct xar_err *err)
{
	size_t len = substitute(s, dst, NULL);

	*out = NULL;
	if (len == SIZE_MAX)
		return 0;
	*out = malloc(len + 1);
	if (!*out)
		return xar_err_set(err, ENOMEM, "out of memory");
	substitute(s, dst, *out);
	return 1;
}

/* One element of a list: "" (the current directory, as ld.so takes an
 * empty element), or expanded, or left out. */
static int add_element(struct xar_elf_dirs *d, char *elem,
		       const struct xar_elf_dst *dst, const char *what,
		       struct xar_err *err)
{
	char *dir;
	int rc;

	if (!*elem)
		return xar_elf_dirs_add(d, "", 0, what, err);
	rc = xar_elf_dst_expand(elem, dst, &dir, err);
	if (rc <= 0)
		return rc;
	rc = *dir ? xar_elf_dirs_add(d, dir, strlen(dir), what, err) : 0;
	free(dir);
	return rc;
}

int xar_elf_dirs_add_list(struct xar_elf_dirs *d, const char *list,
			  const struct xar_elf_dst *dst, const char *what,
			  struct xar_err *err)
{
	char *copy, *rest, *elem;
	int rc = 0;

	if (strnlen(list, MAX_LIST + 1) > MAX_LIST)
		return xar_err_set(err, E2BIG, "the search path of '%s' is "
				   "longer than %d bytes", what, MAX_LIST);
	copy = strdup(list);
	if (!copy)
		return xar_err_set(err, ENOMEM, "out of memory");
	rest = copy;
	while (!rc && (elem = strsep(&rest, ":")))
		rc = add_element(d, elem, dst, what, err);
	free(copy);
	return rc;
}
