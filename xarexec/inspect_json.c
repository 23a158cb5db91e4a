/* xarexec --info --json: one JSON object on one line. Header values and
 * paths are bytes from the file: they are escaped so that the output is
 * always valid JSON (bytes that are not UTF-8 become U+FFFD). */
#include "inspect.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (a byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0; /* overlong, surrogate, out of range */
	return n;
}

static void json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putchar('"');
	while (*s) {
		size_t n;

		if (*s == '"' || *s == '\\')
			printf("\\%c", *s++);
		else if (*s < 0x20 || *s == 0x7f)
			printf("\\u%04x", *s++);
		else if (*s < 0x80)
			putchar(*s++);
		else if ((n = utf8_len(s))) {
			fwrite(s, 1, n, stdout);
			s += n;
		} else {
			fputs("\\ufffd", stdout);
			s++;
		}
	}
	putchar('"');
}

/* ,"key":"value" or ,"key":null */
static void field(const char *key, const char *value)
{
	printf(",\"%s\":", key);
	if (value)
		json_string(value);
	else
		fputs("null", stdout);
}

static void number(const char *key, uint64_t v)
{
	printf(",\"%s\":%" PRIu64, key, v);
}

static void python(const struct xar_header *h)
{
	const char *py = xar_header_get(h, "XAR_PYTHON");

	if (!py) {
		fputs(",\"python\":null", stdout);
		return;
	}
	fputs(",\"python\":{\"interpreter\":", stdout);
	json_string(py);
	field("version", xar_header_get(h, "XAR_PYTHON_VERSION"));
	field("tag", xar_header_get(h, "XAR_PYTHON_TAG"));
	field("entry_point", xar_header_get(h, "XAR_PYTHON_ENTRY"));
	printf(",\"hermetic\":%s", xar_header_get(h, "XAR_PYTHON_BUNDLE") ?
	       "true" : "false");
	field("bundle", xar_header_get(h, "XAR_PYTHON_BUNDLE"));
	field("libc", xar_header_get(h, "XAR_PYTHON_LIBC"));
	putchar('}');
}

void xarexec_print_json(const struct xarexec_xar *x,
			const struct xarexec_counts *c)
{
	const struct xar_image_info *i = xar_image_info(x->img);
	const char *signer, *state;
	char id[32];
	size_t k;

	fputs("{\"file\":", stdout);
	json_string(x->path);
	field("shebang", x->h.shebang);
	field("layout", x->layout);
	field("runtime_version", x->h.start ? x->runtime_version : NULL);
	number("runtime_size", x->h.start);
	fputs(",\"header\":{", stdout);
	for (k = 0; k < x->h.nkv; k++) {
		if (k)
			putchar(',');
		json_string(x->h.kv[k].key);
		putchar(':');
		json_string(x->h.kv[k].value);
	}
	putchar('}');
	number("offset", i->offset);
	number("image_size", i->bytes_used);
	field("compression", i->compression);
	number("block_size", i->block_size);
	number("inodes", i->inodes);
	number("entries", c->entries);
	number("files", c->files);
	number("directories", c->dirs);
	number("symlinks", c->symlinks);
	number("other", c->other);
	python(&x->h);
	field("entry_point", xar_header_entry_point(&x->h));
	signer = xarexec_signer(&x->h, id, &state);
	field("signer", signer);
	field("signature", signer ? (strstr(state, "NOT") ? "bad" : "good") :
	      NULL);
	fputs("}\n", stdout);
}
