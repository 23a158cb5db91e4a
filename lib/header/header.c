/* The XAR header: parse, validate and write (see header.h).
 *
 * Every byte is untrusted: parsing never looks past the bytes given, past
 * OFFSET or past XAR_HEADER_MAX, and refuses anything it cannot read back
 * exactly. Compatibility notes, from the original XAR's sources:
 *  - its builder writes OFFSET, UUID and VERSION first, then its own keys
 *    (DEPENDENCIES, MOUNT_ROOT, XAREXEC_TARGET), "#xar_stop", two guard lines
 *    for sh, a comment naming the offset, and '\n' padding to OFFSET;
 *  - its parser requires OFFSET (on line 2), UUID and VERSION; its runtime
 *    skips empty and '#' lines before "#xar_stop". We accept both layouts. */
#include "header.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"

#define XAR_STOP      "#xar_stop"
#define GUARD_LINES   "echo This XAR file should not be executed by sh\nexit 1\n"
#define BEGINS_AT     "# Actual squashfs file begins at "
#define UUID_MAX      64   /* it names mount directories */
#define SHEBANG_MAX   2048 /* far above what execve reads of it */
#define KEYS_MAX      1024 /* keeps duplicate checks cheap on hostile input */
#define SHOWN_MAX     64   /* how much of a hostile token an error repeats */
#define NEED_MORE     (-2) /* parse: the buffer ends before the header does */

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

static struct xar_kv *find(const struct xar_header *h, const char *key,
			   size_t klen)
{
	size_t i;

	for (i = 0; i < h->nkv; i++)
		if (!strncmp(h->kv[i].key, key, klen) && !h->kv[i].key[klen])
			return &h->kv[i];
	return NULL;
}

const char *xar_header_get(const struct xar_header *h, const char *key)
{
	const struct xar_kv *kv = find(h, key, strlen(key));

	return kv ? kv->value : NULL;
}

/* ---- validation shared by set and parse ---- */

static int valid_key(const char *k, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return 0;
	return 1;
}

/* What is wrong with a value (without its quotes), or NULL. */
static const char *value_problem(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '"')
			return "contains a quote";
		if (c == '\n')
			return "contains a newline";
		if (c == '\0')
			return "contains a NUL byte";
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return "contains a control character";
	}
	return NULL;
}

/* OFFSET counts from the start of the file; the header text starts at
 * start (after an embedded runtime) and the image at OFFSET. */
static int check_offset(const char *v, uint64_t start, uint64_t file_size,
			uint64_t *out, struct xar_err *err)
{
	uint64_t off;

	if (xar_parse_u64(v, 0, UINT64_MAX, &off))
		return xar_err_set(err, EINVAL, "OFFSET \"%.*s\" is not a "
				   "number", SHOWN_MAX, v);
	if (off == 0 || off % XAR_HEADER_ALIGN)
		return xar_err_set(err, EINVAL, "OFFSET %" PRIu64 " is not a "
				   "positive multiple of %u", off,
				   XAR_HEADER_ALIGN);
	if (off <= start)
		return xar_err_set(err, EINVAL, "OFFSET %" PRIu64 " lies "
				   "inside the runtime in front of the header "
				   "(%" PRIu64 " bytes)", off, start);
	if (off - start > XAR_HEADER_MAX)
		return xar_err_set(err, EINVAL, "OFFSET %" PRIu64 " is above "
				   "the limit of %u bytes", off - start,
				   XAR_HEADER_MAX);
	if (file_size != UINT64_MAX && off >= file_size)
		return xar_err_set(err, EINVAL, "OFFSET %" PRIu64 " is %s the "
				   "end of the file (%" PRIu64 " bytes): no "
				   "image follows the header", off,
				   off == file_size ? "at" : "past", file_size);
	*out = off;
	return 0;
}

static int check_uuid(const char *v, struct xar_err *err)
{
	size_t i, len = strlen(v);

	if (!len)
		return xar_err_set(err, EINVAL, "UUID is empty");
	if (len > UUID_MAX)
		return xar_err_set(err, EINVAL, "UUID is longer than %d "
				   "characters", UUID_MAX);
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", v[i]))
			return xar_err_set(err, EINVAL, "UUID \"%s\" is not "
					   "hexadecimal", v);
	return 0;
}

/* ---- the key list ---- */

static int append_kv(struct xar_header *h, const char *key, size_t klen,
		     const char *value, size_t vlen, struct xar_err *err)
{
	struct xar_kv *kv;
	char *k, *v;

	if (h->nkv >= KEYS_MAX)
		return xar_err_set(err, E2BIG, "more than %d header keys",
				   KEYS_MAX);
	kv = realloc(h->kv, (h->nkv + 1) * sizeof(*kv));
	if (!kv)
		return xar_err_set(err, ENOMEM, "out of memory");
	h->kv = kv;
	k = strndup(key, klen);
	v = strndup(value, vlen);
	if (!k || !v) {
		free(k);
		free(v);
		return xar_err_set(err, ENOMEM, "out of memory");
	}
	kv[h->nkv].key = k;
	kv[h->nkv++].value = v;
	return 0;
}

int xar_header_set(struct xar_header *h, const char *key, const char *value,
		   struct xar_err *err)
{
	size_t vlen = strlen(value);
	const char *why = value_problem(value, vlen);
	struct xar_kv *kv;
	uint64_t off = 0;
	char *v;

	if (!valid_key(key, strlen(key)))
		return xar_err_set(err, EINVAL, "bad header key '%.*s' (use "
				   "A-Z, 0-9 and _)", SHOWN_MAX, key);
	if (why)
		return xar_err_set(err, EINVAL, "header value of %s %s", key,
				   why);
	/* sh reads the lines before the guard if someone runs `sh app.xar`:
	 * keep the values inert there. */
	if (strpbrk(value, "$`\\"))
		return xar_err_set(err, EINVAL, "header value of %s contains "
				   "'$', '`' or '\\', which sh would expand",
				   key);
	if (!strcmp(key, "OFFSET") &&
	    check_offset(value, h->start, UINT64_MAX, &off, err))
		return -1;
	if (!strcmp(key, "UUID") && check_uuid(value, err))
		return -1;
	kv = find(h, key, strlen(key));
	if (!kv) {
		if (append_kv(h, key, strlen(key), value, vlen, err))
			return -1;
	} else {
		if (!(v = strdup(value)))
			return xar_err_set(err, ENOMEM, "out of memory");
		free(kv->value);
		kv->value = v;
	}
	if (off)
		h->offset = off;
	return 0;
}

static int check_shebang(const char *line, size_t len, struct xar_err *err)
{
	if (len < 2 || line[0] != '#' || line[1] != '!')
		return xar_err_set(err, EINVAL, "no shebang: a XAR file "
				   "starts with '#!'");
	if (len > SHEBANG_MAX)
		return xar_err_set(err, EINVAL, "shebang line is longer than "
				   "%d bytes", SHEBANG_MAX);
	if (memchr(line, '\0', len))
		return xar_err_set(err, EINVAL, "line 1 contains a NUL byte");
	return 0;
}

int xar_header_set_shebang(struct xar_header *h, const char *line,
			   struct xar_err *err)
{
	char *s;

	if (check_shebang(line, strlen(line), err))
		return -1;
	if (strchr(line, '\n'))
		return xar_err_set(err, EINVAL, "shebang must be one line");
	if (!(s = strdup(line)))
		return xar_err_set(err, ENOMEM, "out of memory");
	free(h->shebang);
	h->shebang = s;
	return 0;
}

/* ---- parsing ---- */

/* Offsets here count from the header's first byte, which is byte start of
 * the file; h->offset (OFFSET) counts from the file's. */
struct parse {
	const char *buf;
	size_t len;         /* bytes given */
	size_t limit;       /* scan no further: min(len, OFFSET or the max) */
	uint64_t start;     /* where the header is in the file */
	uint64_t file_size; /* bytes from start to the end of the file */
	unsigned line;
	int have_offset;
	uint64_t offset;    /* OFFSET - start */
};

/* One KEY="value" line, line[0..n) without its newline. */
static int parse_kv(struct parse *p, struct xar_header *h, const char *line,
		    size_t n, struct xar_err *err)
{
	const char *eq = memchr(line, '=', n), *val;
	size_t klen, vlen;
	const char *why;

	if (!eq)
		return xar_err_set(err, EINVAL, "line %u: expected "
				   "KEY=\"value\"", p->line);
	klen = (size_t)(eq - line);
	if (!valid_key(line, klen))
		return xar_err_set(err, EINVAL, "line %u: bad key '%.*s' (use "
				   "A-Z, 0-9 and _)", p->line,
				   (int)(klen < SHOWN_MAX ? klen : SHOWN_MAX),
				   line);
	val = eq + 1;
	vlen = n - klen - 1;
	if (!vlen || val[0] != '"')
		return xar_err_set(err, EINVAL, "line %u: value of %.*s is not "
				   "in double quotes", p->line, (int)klen, line);
	if (vlen < 2 || val[vlen - 1] != '"')
		return xar_err_set(err, EINVAL, "line %u: value of %.*s has no "
				   "closing quote on its line (values cannot "
				   "contain newlines)", p->line, (int)klen, line);
	if ((why = value_problem(val + 1, vlen - 2)))
		return xar_err_set(err, EINVAL, "line %u: value of %.*s %s",
				   p->line, (int)klen, line, why);
	if (find(h, line, klen))
		return xar_err_set(err, EINVAL, "line %u: duplicate key %.*s",
				   p->line, (int)klen, line);
	if (append_kv(h, line, klen, val + 1, vlen - 2, err))
		return xar_err_prefix(err, "line %u", p->line);
	if (klen == 6 && !memcmp(line, "OFFSET", 6)) {
		if (check_offset(h->kv[h->nkv - 1].value, p->start,
				 p->file_size == UINT64_MAX ? UINT64_MAX :
				 p->start + p->file_size, &h->offset, err))
			return xar_err_prefix(err, "line %u", p->line);
		p->have_offset = 1;
		p->offset = h->offset - p->start;
		if (p->offset < p->limit)
			p->limit = (size_t)p->offset;
	}
	return 0;
}

/* Lines 2.. up to "#xar_stop"; *end is set past the stop line. Returns 1
 * when it was found, 0 when the scan limit came first. */
static int parse_lines(struct parse *p, struct xar_header *h, size_t pos,
		       size_t *end, struct xar_err *err)
{
	while (pos < p->limit) {
		const char *line = p->buf + pos;
		const char *nl = memchr(line, '\n', p->limit - pos);
		size_t n;

		if (!nl)
			break;
		n = (size_t)(nl - line);
		p->line++;
		if (memchr(line, '\0', n))
			return xar_err_set(err, EINVAL, "line %u contains a "
					   "NUL byte", p->line);
		pos += n + 1;
		if (n == strlen(XAR_STOP) && !memcmp(line, XAR_STOP, n)) {
			*end = pos;
			return 1;
		}
		/* The original runtime skips these; so do we. */
		if (n == 0 || line[0] == '#')
			continue;
		if (parse_kv(p, h, line, n, err))
			return -1;
	}
	return 0;
}

/* No "#xar_stop" within p->limit: say why, or ask for more bytes. */
static int no_stop(const struct parse *p, uint64_t *need, struct xar_err *err)
{
	uint64_t bound = p->have_offset ? p->offset : XAR_HEADER_MAX;

	if (p->len >= bound)
		return p->have_offset ?
			xar_err_set(err, EINVAL, "no #xar_stop line before "
				    "OFFSET %" PRIu64 ": the header is longer "
				    "than OFFSET", p->offset) :
			xar_err_set(err, EINVAL, "no #xar_stop line in the "
				    "first %u bytes", XAR_HEADER_MAX);
	if (p->len >= p->file_size)
		return xar_err_set(err, EINVAL, "no #xar_stop line before the "
				   "end of the file");
	*need = bound < p->file_size ? bound : p->file_size;
	xar_err_set(err, EINVAL, "header is cut off after %zu bytes (no "
		    "#xar_stop line)", p->len);
	return NEED_MORE;
}

static int check_required(const struct parse *p, const struct xar_header *h,
			  struct xar_err *err)
{
	const char *uuid = xar_header_get(h, "UUID");

	if (!p->have_offset)
		return xar_err_set(err, EINVAL, "no OFFSET line before "
				   "#xar_stop");
	if (!uuid)
		return xar_err_set(err, EINVAL, "no UUID line before #xar_stop");
	if (check_uuid(uuid, err))
		return -1;
	if (!xar_header_get(h, "VERSION"))
		return xar_err_set(err, EINVAL, "no VERSION line before "
				   "#xar_stop");
	return 0;
}

/* Parse into an empty h the header held in buf, which is byte start of a
 * file of file_size bytes. On success *need is OFFSET - start when the
 * buffer ends before it (the padding is then unchecked); on NEED_MORE it
 * is how many bytes the header may span. */
static int parse_text(struct xar_header *h, const char *buf, size_t len,
		      uint64_t start, uint64_t file_size, uint64_t *need,
		      struct xar_err *err)
{
	struct parse p = { buf, len, len < XAR_HEADER_MAX ? len : XAR_HEADER_MAX,
			   start, file_size == UINT64_MAX ? UINT64_MAX :
			   file_size - start, 1, 0, 0 };
	size_t first = p.limit < SHEBANG_MAX + 1 ? p.limit : SHEBANG_MAX + 1;
	const char *nl = memchr(buf, '\n', first);
	size_t end = 0;
	int rc;

	*need = 0;
	h->start = start;
	if (!len)
		return xar_err_set(err, EINVAL, "empty file, not a XAR");
	if (check_shebang(buf, nl ? (size_t)(nl - buf) : first, err))
		return -1;
	if (!nl)
		return no_stop(&p, need, err);
	if (!(h->shebang = strndup(buf, (size_t)(nl - buf))))
		return xar_err_set(err, ENOMEM, "out of memory");
	rc = parse_lines(&p, h, (size_t)(nl - buf) + 1, &end, err);
	if (rc <= 0)
		return rc < 0 ? -1 : no_stop(&p, need, err);
	if (check_required(&p, h, err))
		return -1;
	nl = memchr(buf + end, '\0', p.limit - end);
	if (nl)
		return xar_err_set(err, EINVAL, "NUL byte at %zu in the header "
				   "padding", (size_t)(nl - buf));
	if (len < p.offset)
		*need = p.offset;
	return 0;
}

int xar_header_parse(struct xar_header *h, const char *buf, size_t len,
		     uint64_t file_size, struct xar_err *err)
{
	uint64_t need;

	xar_header_init(h);
	if (parse_text(h, buf, len, 0, file_size, &need, err)) {
		xar_header_free(h);
		return -1;
	}
	return 0;
}

/* ---- reading from a file ---- */

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

#define AFTER_RUNTIME (-3) /* read_and_parse: an ELF runtime comes first */

/* Read n bytes at start and parse them. At 0, a file that starts with an
 * ELF runtime (the self-contained layout) gives AFTER_RUNTIME and *need =
 * where its header starts. */
static int read_and_parse(struct xar_header *h, int fd, uint64_t start,
			  size_t n, uint64_t size, uint64_t *need,
			  struct xar_err *err)
{
	char *buf = malloc(n ? n : 1);
	long long got;
	int rc = -1;

	xar_header_init(h);
	if (!buf)
		return xar_err_set(err, ENOMEM, "out of memory");
	got = xar_pread_full(fd, buf, n, start);
	if (got < 0) {
		xar_err_sys(err, "cannot read the header");
		goto out;
	}
	if ((uint64_t)got < n) /* shrank under us: judge what is there */
		size = start + (uint64_t)got;
	if (!start && xar_runtime_is_elf(buf, (size_t)got)) {
		rc = xar_runtime_span(buf, (size_t)got, size, need, err) ?
		     -1 : AFTER_RUNTIME;
		goto out;
	}
	rc = parse_text(h, buf, (size_t)got, start, size, need, err);
	if (rc == -1)
		xar_header_free(h);
out:
	free(buf);
	return rc;
}

static size_t first_read(uint64_t start, uint64_t size)
{
	return size - start < XAR_HEADER_ALIGN ? (size_t)(size - start) :
						 XAR_HEADER_ALIGN;
}

int xar_header_read_fd(struct xar_header *h, int fd, struct xar_err *err)
{
	struct stat st;
	uint64_t size, need, start = 0;
	size_t n;
	int rc;

	xar_header_init(h);
	if (fstat(fd, &st))
		return xar_err_sys(err, "cannot stat");
	if (!S_ISREG(st.st_mode))
		return xar_err_set(err, S_ISDIR(st.st_mode) ? EISDIR : EINVAL,
				   "is %s, not a XAR file",
				   file_kind(st.st_mode));
	size = (uint64_t)st.st_size;
	n = first_read(0, size);
	rc = read_and_parse(h, fd, 0, n, size, &need, err);
	if (rc == AFTER_RUNTIME) {
		start = need;
		n = first_read(start, size);
		rc = read_and_parse(h, fd, start, n, size, &need, err);
	}
	if (rc == NEED_MORE || (rc == 0 && need > n)) {
		xar_header_free(h);
		rc = read_and_parse(h, fd, start, (size_t)need, size, &need,
				    err);
	}
	if (rc) {
		xar_header_free(h);
		return -1;
	}
	return 0;
}

/* ---- writing ---- */

struct out {
	char *p;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->cap)
		memcpy(o->p + o->len, s, n < o->cap - o->len ? n : o->cap - o->len);
	o->len += n;
}

static void put_kv(struct out *o, const char *key, const char *value)
{
	put(o, key, strlen(key));
	put(o, "=\"", 2);
	put(o, value, strlen(value));
	put(o, "\"\n", 2);
}

/* The header text for OFFSET off, without padding; returns its length and
 * writes as much as fits in buf[0..cap). */
static size_t render(const struct xar_header *h, const char *shebang,
		     uint64_t off, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	char num[24];
	size_t i;

	snprintf(num, sizeof(num), "%" PRIu64, off);
	put(&o, shebang, strlen(shebang));
	put(&o, "\n", 1);
	put_kv(&o, "OFFSET", num);
	put_kv(&o, "UUID", xar_header_get(h, "UUID"));
	put_kv(&o, "VERSION", xar_header_get(h, "VERSION"));
	for (i = 0; i < h->nkv; i++) {
		const char *k = h->kv[i].key;

		if (strcmp(k, "OFFSET") && strcmp(k, "UUID") &&
		    strcmp(k, "VERSION"))
			put_kv(&o, k, h->kv[i].value);
	}
	put(&o, XAR_STOP "\n" GUARD_LINES BEGINS_AT,
	    strlen(XAR_STOP "\n" GUARD_LINES BEGINS_AT));
	put(&o, num, strlen(num));
	put(&o, "\n", 1);
	return o.len;
}

int xar_header_format(struct xar_header *h, char **out, size_t *len,
		      struct xar_err *err)
{
	const char *shebang = h->shebang ? h->shebang : XAR_DEFAULT_SHEBANG;
	uint64_t base = h->start;
	uint64_t off = h->offset > base ? h->offset : base + XAR_HEADER_ALIGN;
	char num[24], *buf;
	size_t text;

	*out = NULL;
	if (!xar_header_get(h, "UUID") || !xar_header_get(h, "VERSION"))
		return xar_err_set(err, EINVAL, "cannot write a header "
				   "without %s", xar_header_get(h, "UUID") ?
				   "VERSION" : "UUID");
	while ((text = render(h, shebang, off, NULL, 0)) > off - base) {
		if (text > XAR_HEADER_MAX)
			return xar_err_set(err, E2BIG, "header text of %zu "
					   "bytes is above the limit of %u",
					   text, XAR_HEADER_MAX);
		off = base + (text + XAR_HEADER_ALIGN - 1) / XAR_HEADER_ALIGN *
		      XAR_HEADER_ALIGN;
	}
	snprintf(num, sizeof(num), "%" PRIu64, off);
	if (xar_header_set(h, "OFFSET", num, err))
		return -1;
	if (!(buf = malloc((size_t)(off - base))))
		return xar_err_set(err, ENOMEM, "out of memory");
	render(h, shebang, off, buf, (size_t)(off - base));
	memset(buf + text, '\n', (size_t)(off - base) - text);
	*out = buf;
	*len = (size_t)(off - base);
	return 0;
}

const char *xar_header_entry_point(const struct xar_header *h)
{
	const char *v = xar_header_get(h, "XAR_PYTHON_ENTRY");

	if (!v)
		v = xar_header_get(h, "XAR_EXEC");
	if (!v)
		v = xar_header_get(h, "XAREXEC_TARGET");
	return v;
}

int xar_header_key(const struct xar_header *h, int by_digest, char *out,
		   struct xar_err *err)
{
	const char *v = xar_header_get(h, by_digest ? "XAR_SHA256" : "UUID");
	size_t i, n = v ? strlen(v) : 0;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)v[i]))
			break;
	if (!n || i < n || n > (by_digest ? 64 : UUID_MAX))
		return xar_err_set(err, EINVAL, "the header has no valid %s",
				   by_digest ? "XAR_SHA256" : "UUID");
	snprintf(out, XAR_HEADER_KEY_MAX, "%s%s", by_digest ? "sha256-" : "",
		 v);
	return 0;
}
