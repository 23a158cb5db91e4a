/* The XAR header: parse, validate and write (see header.h). Every byte is
 * untrusted: parsing never looks past the bytes given, past OFFSET or past
 * XAR_HEADER_MAX. */
#include "header.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define XAR_STOP "#xar_stop"
#define UUID_MAX 64

void xar_header_init(struct xar_header *h)
{
	memset(h, 0, sizeof(*h));
}

void xar_header_free(struct xar_header *h)
{
	size_t i;

	for (i = 0; i < h->nkv; i++) {
		free(h->kv[i].key);
		free(h->kv[i].value);
	}
	free(h->kv);
	free(h->shebang);
	memset(h, 0, sizeof(*h));
}

const char *xar_header_get(const struct xar_header *h, const char *key)
{
	size_t i;

	for (i = 0; i < h->nkv; i++)
		if (!strcmp(h->kv[i].key, key))
			return h->kv[i].value;
	return NULL;
}

static int valid_key(const char *k, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') ||
		      k[i] == '_'))
			return 0;
	return 1;
}

static int parse_offset(const char *v, uint64_t *out, struct xar_err *err)
{
	uint64_t off;

	if (xar_parse_u64(v, 1, UINT64_MAX, &off))
		return xar_err_set(err, EINVAL, "OFFSET \"%s\" is not a number", v);
	if (off % XAR_HEADER_ALIGN)
		return xar_err_set(err, EINVAL, "OFFSET %" PRIu64 " is not a "
				   "multiple of %u", off, XAR_HEADER_ALIGN);
	if (off > XAR_HEADER_MAX)
		return xar_err_set(err, EINVAL, "OFFSET %" PRIu64 " is larger "
				   "than the %u-byte limit", off, XAR_HEADER_MAX);
	*out = off;
	return 0;
}

int xar_header_set(struct xar_header *h, const char *key, const char *value,
		   struct xar_err *err)
{
	struct xar_kv *kv;
	char *k, *v;
	size_t i;

	if (!valid_key(key, strlen(key)))
		return xar_err_set(err, EINVAL, "bad header key '%s' (use A-Z, "
				   "0-9 and _)", key);
	if (strpbrk(value, "\"\n"))
		return xar_err_set(err, EINVAL, "header value of %s contains "
				   "a quote or a newline", key);
	if (!strcmp(key, "OFFSET") && parse_offset(value, &h->offset, err))
		return -1;
	if (!(v = strdup(value)))
		return xar_err_set(err, ENOMEM, "out of memory");
	for (i = 0; i < h->nkv; i++)
		if (!strcmp(h->kv[i].key, key)) {
			free(h->kv[i].value);
			h->kv[i].value = v;
			return 0;
		}
	kv = realloc(h->kv, (h->nkv + 1) * sizeof(*kv));
	k = strdup(key);
	if (!kv || !k) {
		free(v);
		free(k);
		if (kv)
			h->kv = kv;
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	h->kv = kv;
	h->kv[h->nkv].key = k;
	h->kv[h->nkv++].value = v;
	return 0;
}

int xar_header_set_shebang(struct xar_header *h, const char *line,
			   struct xar_err *err)
{
	char *s;

	if (strncmp(line, "#!", 2) || strchr(line, '\n') ||
	    strlen(line) > XAR_HEADER_ALIGN / 2)
		return xar_err_set(err, EINVAL, "shebang '%s' must be one line "
				   "starting with '#!'", line);
	if (!(s = strdup(line)))
		return xar_err_set(err, ENOMEM, "out of memory");
	free(h->shebang);
	h->shebang = s;
	return 0;
}

/* One KEY="value" line (without its newline). */
static int parse_line(struct xar_header *h, const char *line, size_t len,
		      unsigned no, struct xar_err *err)
{
	const char *eq = memchr(line, '=', len), *val;
	char key[128], *value;
	size_t klen, vlen;
	int rc;

	if (!eq || (klen = (size_t)(eq - line)) >= sizeof(key) ||
	    !valid_key(line, klen) || len - klen < 3 || eq[1] != '"' ||
	    line[len - 1] != '"')
		return xar_err_set(err, EINVAL, "line %u is not KEY=\"value\"", no);
	memcpy(key, line, klen);
	key[klen] = '\0';
	val = eq + 2;
	vlen = len - klen - 3;
	if (memchr(val, '"', vlen))
		return xar_err_set(err, EINVAL, "value of %s on line %u contains "
				   "a quote", key, no);
	if (xar_header_get(h, key))
		return xar_err_set(err, EINVAL, "duplicate key %s on line %u",
				   key, no);
	if (!(value = strndup(val, vlen)))
		return xar_err_set(err, ENOMEM, "out of memory");
	rc = xar_header_set(h, key, value, err);
	free(value);
	return rc;
}

static int check_required(const struct xar_header *h, struct xar_err *err)
{
	const char *uuid = xar_header_get(h, "UUID");
	size_t i, n;

	if (!xar_header_get(h, "OFFSET"))
		return xar_err_set(err, EINVAL, "missing OFFSET");
	if (!uuid)
		return xar_err_set(err, EINVAL, "missing UUID");
	n = strlen(uuid);
	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF", uuid[i]))
			break;
	if (!n || i < n || n > UUID_MAX)
		return xar_err_set(err, EINVAL, "UUID \"%s\" is not hexadecimal "
				   "(1 to %d digits)", uuid, UUID_MAX);
	if (!xar_header_get(h, "VERSION"))
		return xar_err_set(err, EINVAL, "missing VERSION");
	return 0;
}

/* Walk the lines up to "#xar_stop"; *end is the offset after it. */
static int parse_lines(struct xar_header *h, const char *buf, size_t len,
		       size_t *end, struct xar_err *err)
{
	size_t pos = 0;
	unsigned no = 0;

	for (;;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t llen;

		no++;
		if (!nl)
			return xar_err_set(err, EINVAL, "no %s line in the first "
					   "%zu bytes", XAR_STOP, len);
		llen = (size_t)(nl - (buf + pos));
		if (memchr(buf + pos, '\0', llen))
			return xar_err_set(err, EINVAL, "NUL byte on line %u", no);
		if (no == 1) {
			if (llen < 2 || buf[0] != '#' || buf[1] != '!')
				return xar_err_set(err, EINVAL, "not a xar: no "
						   "'#!' line at the start");
			if (!(h->shebang = strndup(buf, llen)))
				return xar_err_set(err, ENOMEM, "out of memory");
		} else if (llen == strlen(XAR_STOP) &&
			   !memcmp(buf + pos, XAR_STOP, llen)) {
			*end = pos + llen + 1;
			return 0;
		} else if (parse_line(h, buf + pos, llen, no, err)) {
			return -1;
		}
		pos += llen + 1;
	}
}

int xar_header_parse(struct xar_header *h, const char *buf, size_t len,
		     uint64_t file_size, struct xar_err *err)
{
	size_t end = 0;

	xar_header_init(h);
	if (len > XAR_HEADER_MAX)
		len = XAR_HEADER_MAX;
	if (parse_lines(h, buf, len, &end, err) || check_required(h, err))
		goto fail;
	if (end > h->offset) {
		xar_err_set(err, EINVAL, "header (%zu bytes) is longer than "
			    "OFFSET %" PRIu64, end, h->offset);
		goto fail;
	}
	if (file_size != UINT64_MAX && h->offset >= file_size) {
		xar_err_set(err, EINVAL, "OFFSET %" PRIu64 " is past the end of "
			    "the file (%" PRIu64 " bytes)", h->offset, file_size);
		goto fail;
	}
	return 0;
fail:
	xar_header_free(h);
	return -1;
}

int xar_header_read_fd(struct xar_header *h, int fd, struct xar_err *err)
{
	struct stat st;
	size_t want = XAR_HEADER_ALIGN;
	char *buf = NULL;
	int rc = -1;

	if (fstat(fd, &st))
		return xar_err_sys(err, "cannot stat");
	if (!S_ISREG(st.st_mode))
		return xar_err_set(err, EINVAL, "not a regular file");
	for (;;) {
		long long n;

		if (want > (uint64_t)st.st_size)
			want = (size_t)st.st_size;
		free(buf);
		if (!(buf = malloc(want ? want : 1)))
			return xar_err_set(err, ENOMEM, "out of memory");
		n = xar_pread_full(fd, buf, want, 0);
		if (n < 0) {
			xar_err_sys(err, "cannot read the header");
			break;
		}
		rc = xar_header_parse(h, buf, (size_t)n, (uint64_t)st.st_size, err);
		/* A header longer than 4 KiB is rare: read more only then. */
		if (!rc || want >= XAR_HEADER_MAX || (uint64_t)n < want ||
		    !strstr(err->msg, XAR_STOP))
			break;
		want = XAR_HEADER_MAX;
	}
	free(buf);
	return rc;
}

__attribute__((format(printf, 4, 5)))
static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	while (*len + (size_t)n + 1 > *cap)
		if (xar_grow((void **)buf, cap, 1, 4096))
			return -1;
	va_start(ap, fmt);
	vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
	return 0;
}

/* The header text without padding, for the current OFFSET. */
static int render(const struct xar_header *h, char **buf, size_t *len)
{
	static const char *const first[] = { "OFFSET", "UUID", "VERSION" };
	char off[32];
	size_t cap = 0, i, k;
	int rc = 0;

	*buf = NULL;
	*len = 0;
	snprintf(off, sizeof(off), "%" PRIu64, h->offset);
	rc |= append(buf, len, &cap, "%s\n", h->shebang);
	for (k = 0; k < 3; k++)
		if (xar_header_get(h, first[k]))
			rc |= append(buf, len, &cap, "%s=\"%s\"\n", first[k],
				     xar_header_get(h, first[k]));
	for (i = 0; i < h->nkv; i++) {
		for (k = 0; k < 3 && strcmp(h->kv[i].key, first[k]); k++)
			;
		if (k == 3)
			rc |= append(buf, len, &cap, "%s=\"%s\"\n", h->kv[i].key,
				     h->kv[i].value);
	}
	rc |= append(buf, len, &cap, "%s\necho This XAR file should not be "
		     "executed by sh\nexit 1\n# Actual squashfs file begins at "
		     "%s\n", XAR_STOP, off);
	return rc ? -1 : 0;
}

int xar_header_format(struct xar_header *h, char **out, size_t *len,
		      struct xar_err *err)
{
	char *text = NULL, num[32], *pad;
	size_t tlen;

	if (!h->shebang && xar_header_set_shebang(h, XAR_DEFAULT_SHEBANG, err))
		return -1;
	if (!h->offset)
		h->offset = XAR_HEADER_ALIGN;
	for (;;) {
		snprintf(num, sizeof(num), "%" PRIu64, h->offset);
		if (xar_header_set(h, "OFFSET", num, err))
			return -1;
		free(text);
		if (render(h, &text, &tlen))
			return xar_err_set(err, ENOMEM, "out of memory");
		if (tlen <= h->offset)
			break;
		h->offset = (tlen + XAR_HEADER_ALIGN - 1) /
			    XAR_HEADER_ALIGN * XAR_HEADER_ALIGN;
		if (h->offset > XAR_HEADER_MAX) {
			free(text);
			return xar_err_set(err, E2BIG, "header is larger than "
					   "%u bytes", XAR_HEADER_MAX);
		}
	}
	if (!(pad = realloc(text, h->offset))) {
		free(text);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	memset(pad + tlen, '\n', h->offset - tlen);
	*out = pad;
	*len = h->offset;
	return 0;
}
