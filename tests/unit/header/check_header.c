/* lib/header: the XAR header, written, parsed and read from files. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "header/header.h"

#define TAIL(n) "#xar_stop\necho This XAR file should not be executed by sh\n" \
	"exit 1\n# Actual squashfs file begins at " n "\n"
#define HEAD "#!/usr/bin/env xarexec\n"
#define OK3 "OFFSET=\"4096\"\nUUID=\"ab\"\nVERSION=\"1\"\n"
#define ANY UINT64_MAX
#define LIT(s) s, sizeof(s) - 1

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/xar-check-header.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Write len bytes of text, then `image` bytes of 'S', to dir/name. */
static const char *put_file(const char *name, const char *text, size_t len,
			    size_t image)
{
	static char path[128];
	char *buf = malloc(len + image + 1);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memcpy(buf, text, len);
	memset(buf + len, 'S', image);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len + image), (ssize_t)(len + image));
	close(fd);
	free(buf);
	return path;
}

static int read_path(struct xar_header *h, const char *path,
		     struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), rc;

	ck_assert_int_ge(fd, 0);
	rc = xar_header_read_fd(h, fd, err);
	close(fd);
	return rc;
}

/* A header padded with '\n' to pad bytes (0: no padding). */
static char *padded(const char *text, size_t pad)
{
	size_t n = strlen(text);
	char *buf = malloc(pad > n ? pad : n + 1);

	memcpy(buf, text, n);
	if (pad > n)
		memset(buf + n, '\n', pad - n);
	return buf;
}

START_TEST(test_round_trip)
{
	static const char *const kv[][2] = {
		{ "OFFSET", "4096" }, { "UUID", "0123abcd" },
		{ "VERSION", "1700000000" }, { "XAR_EXEC", "bin/tool" },
		{ "DEPENDENCIES", "" }, { "MOUNT_ROOT", "/mnt/xarfuse" },
		{ "XAR_EXEC", "bin/other" },
	};
	static const char expect[] = HEAD "OFFSET=\"4096\"\nUUID=\"0123abcd\"\n"
		"VERSION=\"1700000000\"\nXAR_EXEC=\"bin/other\"\n"
		"DEPENDENCIES=\"\"\nMOUNT_ROOT=\"/mnt/xarfuse\"\n" TAIL("4096");
	struct xar_header h, p;
	struct xar_err err;
	char *text;
	size_t len, i;

	xar_header_init(&h);
	for (i = 0; i < sizeof(kv) / sizeof(*kv); i++)
		ck_assert_int_eq(xar_header_set(&h, kv[i][0], kv[i][1], &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), 0);
	ck_assert_uint_eq(len, 4096);
	ck_assert_mem_eq(text, expect, strlen(expect));
	for (i = strlen(expect); i < len; i++)
		ck_assert_int_eq(text[i], '\n');
	ck_assert_int_eq(xar_header_parse(&p, text, len, 5000, &err), 0);
	ck_assert_str_eq(p.shebang, XAR_DEFAULT_SHEBANG);
	ck_assert_uint_eq(p.offset, 4096);
	ck_assert_uint_eq(p.nkv, h.nkv);
	for (i = 0; i < h.nkv; i++) {
		ck_assert_str_eq(p.kv[i].key, h.kv[i].key);
		ck_assert_str_eq(p.kv[i].value, h.kv[i].value);
	}
	free(text);
	xar_header_free(&h);
	xar_header_free(&p);
}
END_TEST

/* OFFSET, UUID and VERSION come first whatever order they were set in. */
START_TEST(test_format_order)
{
	struct xar_header h;
	struct xar_err err;
	static const char expect[] = "#!/opt/bin/xarexec -q\nOFFSET=\"4096\"\n"
		"UUID=\"ff\"\nVERSION=\"7\"\nZED=\"z\"\nALPHA=\"a\"\n" TAIL("4096");
	char *text;
	size_t len;

	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set_shebang(&h, "#!/opt/bin/xarexec -q", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "ZED", "z", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "VERSION", "7", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "UUID", "ff", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "ALPHA", "a", &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), 0);
	ck_assert_mem_eq(text, expect, sizeof(expect) - 1);
	ck_assert_uint_eq(h.offset, 4096);
	ck_assert_str_eq(xar_header_get(&h, "OFFSET"), "4096");
	free(text);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_format_needs_uuid_version)
{
	static const char *const have[] = { "VERSION", "UUID" };
	struct xar_header h;
	struct xar_err err;
	char *text = (char *)"x", want[64];
	size_t len;

	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set(&h, have[_i], "1", &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), -1);
	ck_assert_ptr_null(text);
	snprintf(want, sizeof(want), "cannot write a header without %s",
		 have[!_i]);
	ck_assert_str_eq(err.msg, want);
	xar_header_free(&h);
}
END_TEST

/* A value too long for 4 KiB moves the image to 8 KiB; read_fd then reads
 * past its first 4 KiB and checks the padding. */
START_TEST(test_long_header_grows_offset)
{
	struct xar_header h, p;
	struct xar_err err;
	char *text, *big = malloc(6000);
	const char *path;
	size_t len;

	memset(big, 'v', 5999);
	big[5999] = '\0';
	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set(&h, "UUID", "ab", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "VERSION", "1", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "BIG", big, &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), 0);
	ck_assert_uint_eq(len, 8192);
	ck_assert_uint_eq(h.offset, 8192);
	ck_assert_ptr_nonnull(strstr(text, "\nOFFSET=\"8192\"\n"));
	ck_assert_ptr_nonnull(strstr(text, "begins at 8192\n"));
	path = put_file("long.xar", text, len, 100);
	ck_assert_int_eq(read_path(&p, path, &err), 0);
	ck_assert_str_eq(xar_header_get(&p, "BIG"), big);
	ck_assert_uint_eq(p.offset, 8192);
	xar_header_free(&p);
	free(text);
	free(big);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_format_too_big)
{
	struct xar_header h;
	struct xar_err err;
	char *text, *big = malloc(XAR_HEADER_MAX);
	size_t len;

	memset(big, 'v', XAR_HEADER_MAX - 1);
	big[XAR_HEADER_MAX - 1] = '\0';
	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set(&h, "UUID", "ab", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "VERSION", "1", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "BIG", big, &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), -1);
	ck_assert_int_eq(err.code, E2BIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "above the limit"));
	free(big);
	xar_header_free(&h);
}
END_TEST

/* Headers as the original XAR writes them (xar_util.XarFactory.go): the
 * shebang, OFFSET/UUID/VERSION, then the builder's dict in insertion order
 * with '"' turned into ' ', the stop line, the guards, the comment and '\n'
 * padding; an 8-hex-digit uuid1 prefix and VERSION from int(time.time()).
 * Dependency XARs carry the "boring" shebang. The original runtime also
 * skips empty and '#' lines before #xar_stop. */
static const struct {
	const char *text;
	const char *shebang;
	const char *key, *value; /* one key to look up */
	size_t nkv;
} orig[] = {
	{ "#!/usr/bin/env xarexec_fuse\nOFFSET=\"4096\"\nUUID=\"d770950c\"\n"
	  "VERSION=\"1628211316\"\nDEPENDENCIES=\"\"\n"
	  "XAREXEC_TARGET=\"xar_bootstrap.sh\"\n" TAIL("4096"),
	  "#!/usr/bin/env xarexec_fuse", "XAREXEC_TARGET", "xar_bootstrap.sh", 5 },
	{ "#!/usr/local/bin/xarexec_fuse\nOFFSET=\"4096\"\nUUID=\"6f2c1a9e\"\n"
	  "VERSION=\"1540232435\"\nDEPENDENCIES=\"dep1.xar dep2.xar\"\n"
	  "MOUNT_ROOT=\"/mnt/xarfuse\"\nXAREXEC_TARGET=\"run.sh\"\n"
	  "XAREXEC_TRAMPOLINE_NAMES=\"'lookup.xar' 'invoke_xar_via_trampoline'\"\n"
	  TAIL("4096"),
	  "#!/usr/local/bin/xarexec_fuse", "XAREXEC_TRAMPOLINE_NAMES",
	  "'lookup.xar' 'invoke_xar_via_trampoline'", 7 },
	{ "#!/bin/echo This is not an executable XAR file.\nOFFSET=\"4096\"\n"
	  "UUID=\"0a1b2c3d\"\nVERSION=\"1540232435\"\nDEPENDENCIES=\"\"\n"
	  TAIL("4096"),
	  "#!/bin/echo This is not an executable XAR file.", "DEPENDENCIES", "", 4 },
	{ "#!/usr/bin/env xarexec_fuse\nOFFSET=\"4096\"\n\n# a comment\n"
	  "UUID=\"AB12\"\nVERSION=\"3\"\nCUSTOM_KEY=\"say x y \"\n" TAIL("4096"),
	  "#!/usr/bin/env xarexec_fuse", "CUSTOM_KEY", "say x y ", 4 },
};

START_TEST(test_original_format)
{
	struct xar_header h;
	struct xar_err err;
	char *text = padded(orig[_i].text, 4096);
	const char *path;

	path = put_file("orig.xar", text, 4096, 4096);
	ck_assert_msg(read_path(&h, path, &err) == 0, "case %d: %s", _i, err.msg);
	ck_assert_str_eq(h.shebang, orig[_i].shebang);
	ck_assert_uint_eq(h.offset, 4096);
	ck_assert_uint_eq(h.nkv, orig[_i].nkv);
	ck_assert_str_eq(xar_header_get(&h, orig[_i].key), orig[_i].value);
	ck_assert_ptr_nonnull(xar_header_get(&h, "UUID"));
	xar_header_free(&h);
	free(text);
}
END_TEST

static const struct {
	const char *text;
	size_t len;
	uint64_t file_size; /* ANY: unknown */
	const char *msg;
} bad[] = {
	{ LIT(""), 0, "empty file, not a XAR" },
	{ LIT("OFFSET=\"4096\"\n"), ANY, "no shebang" },
	{ LIT("\n#!/bin/sh\n"), ANY, "no shebang" },
	{ LIT("#!/x\nUUID=\"ab\"\nVERSION=\"1\"\n#xar_stop\n"), ANY, "no OFFSET line" },
	{ LIT(HEAD "OFFSET=\"4k\"\n"), ANY, "line 2: OFFSET \"4k\" is not a number" },
	{ LIT(HEAD "OFFSET=\"\"\n"), ANY, "is not a number" },
	{ LIT(HEAD "OFFSET=\"-4096\"\n"), ANY, "is not a number" },
	{ LIT(HEAD "OFFSET=\" 4096\"\n"), ANY, "is not a number" },
	{ LIT(HEAD "OFFSET=\"99999999999999999999\"\n"), ANY, "is not a number" },
	{ LIT(HEAD "OFFSET=\"4095\"\n"), ANY, "OFFSET 4095 is not a positive multiple of 4096" },
	{ LIT(HEAD "OFFSET=\"0\"\n"), ANY, "not a positive multiple" },
	{ LIT(HEAD "OFFSET=\"2097152\"\n"), ANY, "OFFSET 2097152 is above the limit of 1048576 bytes" },
	{ LIT(HEAD "OFFSET=\"8192\"\n"), 8192, "OFFSET 8192 is at the end of the file (8192 bytes)" },
	{ LIT(HEAD "OFFSET=\"12288\"\n"), 8192, "OFFSET 12288 is past the end of the file" },
	{ LIT(HEAD "OFFSET=\"4096\"\nVERSION=\"1\"\n#xar_stop\n"), ANY, "no UUID line" },
	{ LIT(HEAD "OFFSET=\"4096\"\nUUID=\"xyz\"\nVERSION=\"1\"\n#xar_stop\n"), ANY,
	  "UUID \"xyz\" is not hexadecimal" },
	{ LIT(HEAD "OFFSET=\"4096\"\nUUID=\"\"\nVERSION=\"1\"\n#xar_stop\n"), ANY, "UUID is empty" },
	{ LIT(HEAD "OFFSET=\"4096\"\nUUID=\"0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef0\"\nVERSION=\"1\"\n#xar_stop\n"), ANY,
	  "UUID is longer than 64" },
	{ LIT(HEAD "OFFSET=\"4096\"\nUUID=\"ab\"\n#xar_stop\n"), ANY, "no VERSION line" },
	{ LIT(HEAD OK3 "bad line\n#xar_stop\n"), ANY, "line 5: expected KEY=\"value\"" },
	{ LIT(HEAD "OFFSET=\"4096\"\nlower=\"x\"\n#xar_stop\n"), ANY, "line 3: bad key 'lower'" },
	{ LIT(HEAD OK3 "=\"x\"\n#xar_stop\n"), ANY, "line 5: bad key ''" },
	{ LIT(HEAD OK3 "K=unquoted\n#xar_stop\n"), ANY, "line 5: value of K is not in double quotes" },
	{ LIT(HEAD OK3 "K=\n#xar_stop\n"), ANY, "line 5: value of K is not in double quotes" },
	{ LIT(HEAD OK3 "K=\"a\"b\"\n#xar_stop\n"), ANY, "line 5: value of K contains a quote" },
	{ LIT(HEAD OK3 "K=\"\"\"\n#xar_stop\n"), ANY, "line 5: value of K contains a quote" },
	{ LIT(HEAD OK3 "K=\"two\nlines\"\n#xar_stop\n"), ANY,
	  "line 5: value of K has no closing quote on its line" },
	{ LIT(HEAD OK3 "K=\"\n#xar_stop\n"), ANY, "line 5: value of K has no closing quote" },
	{ LIT(HEAD "OFFSET=\"4096\"\r\n"), ANY, "line 2: value of OFFSET has no closing quote" },
	{ LIT(HEAD OK3 "K=\"esc\033[2J\"\n#xar_stop\n"), ANY, "line 5: value of K contains a control character" },
	{ LIT(HEAD OK3 "UUID=\"cd\"\n#xar_stop\n"), ANY, "line 5: duplicate key UUID" },
	{ LIT(HEAD OK3 "OFFSET=\"8192\"\n#xar_stop\n"), ANY, "line 5: duplicate key OFFSET" },
	{ LIT(HEAD OK3), ANY, "header is cut off after 59 bytes (no #xar_stop line)" },
	{ LIT(HEAD "UUID=\"ab\"\n"), 33, "no #xar_stop line before the end of the file" },
	{ LIT(HEAD OK3 "xar_stop\n"), ANY, "line 5: expected KEY=\"value\"" },
	{ LIT(HEAD OK3 "#xar_stop \n"), ANY, "cut off" },
	{ LIT(HEAD "OFFSET=\"4096\"\nUUID=\"a\0b\"\n"), ANY, "line 3 contains a NUL byte" },
	{ LIT("#!/x\0y\n"), ANY, "line 1 contains a NUL byte" },
	{ LIT(HEAD OK3 "#xar_stop\nexit 1\n\0\n"), ANY, "NUL byte at 76 in the header padding" },
};

START_TEST(test_malformed)
{
	struct xar_header h;
	struct xar_err err = { 0 };
	size_t len = bad[_i].len;

	ck_assert_int_eq(xar_header_parse(&h, bad[_i].text, len,
					  bad[_i].file_size, &err), -1);
	ck_assert_msg(strstr(err.msg, bad[_i].msg), "case %d: '%s' lacks '%s'",
		      _i, err.msg, bad[_i].msg);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_uint_eq(h.nkv, 0); /* left empty */
	ck_assert_ptr_null(h.shebang);
}
END_TEST

/* Malformed headers built at run time: too long for a fixed string. */
START_TEST(test_header_longer_than_offset)
{
	struct xar_header h;
	struct xar_err err;
	size_t n = 8192, used;
	char *buf = malloc(n);

	memset(buf, '\n', n);
	used = (size_t)sprintf(buf, HEAD OK3 "PAD=\"");
	memset(buf + used, 'p', 4200);
	memcpy(buf + used + 4200, "\"\n#xar_stop\n", 12);
	ck_assert_int_eq(xar_header_parse(&h, buf, n, ANY, &err), -1);
	ck_assert_str_eq(err.msg, "no #xar_stop line before OFFSET 4096: the "
			 "header is longer than OFFSET");
	/* The same through a file: read_fd does not read past OFFSET. */
	ck_assert_int_eq(read_path(&h, put_file("long", buf, n, 0), &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer than OFFSET"));
	free(buf);
}
END_TEST

START_TEST(test_shebang_too_long)
{
	struct xar_header h;
	struct xar_err err;
	char *buf = malloc(4096);

	memset(buf, 'x', 4096);
	buf[0] = '#';
	buf[1] = '!';
	ck_assert_int_eq(xar_header_parse(&h, buf, 4096, ANY, &err), -1);
	ck_assert_str_eq(err.msg, "shebang line is longer than 2048 bytes");
	buf[2049] = '\0';
	ck_assert_int_eq(xar_header_set_shebang(&h, buf, &err), -1);
	ck_assert_str_eq(err.msg, "shebang line is longer than 2048 bytes");
	free(buf);
}
END_TEST

START_TEST(test_too_many_keys)
{
	struct xar_header h;
	struct xar_err err;
	size_t cap = 64 * 1024, n, i;
	char *buf = malloc(cap);

	n = (size_t)sprintf(buf, HEAD "OFFSET=\"65536\"\n");
	for (i = 0; i < 1100; i++)
		n += (size_t)sprintf(buf + n, "K%zu=\"\"\n", i);
	memset(buf + n, '\n', cap - n);
	ck_assert_int_eq(xar_header_parse(&h, buf, cap, ANY, &err), -1);
	ck_assert_str_eq(err.msg, "line 1026: more than 1024 header keys");
	free(buf);
}
END_TEST

/* No stop line at all in a maximal header: the scan ends at the limit. */
START_TEST(test_no_stop_in_max)
{
	struct xar_header h;
	struct xar_err err;
	char *buf = malloc(XAR_HEADER_MAX + 4096);

	memset(buf, '\n', XAR_HEADER_MAX + 4096);
	memcpy(buf, "#!/x\n", 5);
	ck_assert_int_eq(xar_header_parse(&h, buf, XAR_HEADER_MAX + 4096, ANY,
					  &err), -1);
	ck_assert_str_eq(err.msg, "no #xar_stop line in the first 1048576 bytes");
	memcpy(buf, "#!/x\nOFFSET=\"1048576\"\n", 22);
	ck_assert_int_eq(read_path(&h, put_file("nostop", buf, XAR_HEADER_MAX + 4096,
						0), &err), -1);
	ck_assert_str_eq(err.msg, "no #xar_stop line before OFFSET 1048576: the "
			 "header is longer than OFFSET");
	free(buf);
}
END_TEST

START_TEST(test_set_get_replace)
{
	struct xar_header h;
	struct xar_err err;

	xar_header_init(&h);
	ck_assert_ptr_null(xar_header_get(&h, "A"));
	ck_assert_int_eq(xar_header_set(&h, "A", "1", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "B_2", "two words\tand tab", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "A", "one", &err), 0);
	ck_assert_uint_eq(h.nkv, 2);
	ck_assert_str_eq(h.kv[0].key, "A"); /* replaced in place */
	ck_assert_str_eq(xar_header_get(&h, "A"), "one");
	ck_assert_str_eq(xar_header_get(&h, "B_2"), "two words\tand tab");
	ck_assert_ptr_null(xar_header_get(&h, "B"));
	ck_assert_int_eq(xar_header_set(&h, "OFFSET", "8192", &err), 0);
	ck_assert_uint_eq(h.offset, 8192);
	ck_assert_int_eq(xar_header_set(&h, "OFFSET", "4096", &err), 0);
	ck_assert_uint_eq(h.offset, 4096);
	ck_assert_int_eq(xar_header_set(&h, "UUID", "DEADbeef", &err), 0);
	ck_assert_int_eq(xar_header_set_shebang(&h, "#!/bin/x", &err), 0);
	ck_assert_int_eq(xar_header_set_shebang(&h, "#!/bin/y", &err), 0);
	ck_assert_str_eq(h.shebang, "#!/bin/y");
	xar_header_free(&h);
	ck_assert_uint_eq(h.nkv, 0);
	xar_header_free(&h); /* twice is harmless */
}
END_TEST

static const struct {
	const char *key, *value, *msg;
} bad_set[] = {
	{ "bad-key", "v", "bad header key 'bad-key'" },
	{ "", "v", "bad header key ''" },
	{ "lower", "v", "bad header key" },
	{ "K", "a\"b", "header value of K contains a quote" },
	{ "K", "a\nb", "header value of K contains a newline" },
	{ "K", "a\rb", "contains a control character" },
	{ "K", "$(rm -rf ~)", "which sh would expand" },
	{ "K", "`id`", "which sh would expand" },
	{ "K", "ends\\", "which sh would expand" },
	{ "OFFSET", "100", "OFFSET 100 is not a positive multiple" },
	{ "OFFSET", "4096x", "is not a number" },
	{ "OFFSET", "2101248", "above the limit" },
	{ "UUID", "g1", "not hexadecimal" },
	{ "UUID", "", "UUID is empty" },
};

START_TEST(test_set_rejects)
{
	struct xar_header h;
	struct xar_err err;

	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set(&h, bad_set[_i].key, bad_set[_i].value,
					&err), -1);
	ck_assert_msg(strstr(err.msg, bad_set[_i].msg), "case %d: '%s' lacks '%s'",
		      _i, err.msg, bad_set[_i].msg);
	ck_assert_uint_eq(h.nkv, 0);
	ck_assert_uint_eq(h.offset, 0);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_shebang_rejects)
{
	struct xar_header h;
	struct xar_err err;

	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set_shebang(&h, "/usr/bin/env x", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no shebang"));
	ck_assert_int_eq(xar_header_set_shebang(&h, "#!/a\n#!/b", &err), -1);
	ck_assert_str_eq(err.msg, "shebang must be one line");
	ck_assert_ptr_null(h.shebang);
	xar_header_free(&h);
}
END_TEST

/* read_fd refuses what is not a regular file before reading from it. */
START_TEST(test_read_fd_file_kinds)
{
	struct xar_header h;
	struct xar_err err;
	char fifo[128];

	ck_assert_int_eq(read_path(&h, dir, &err), -1);
	ck_assert_str_eq(err.msg, "is a directory, not a XAR file");
	ck_assert_int_eq(err.code, EISDIR);
	ck_assert_int_eq(read_path(&h, "/dev/null", &err), -1);
	ck_assert_str_eq(err.msg, "is a character device, not a XAR file");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(read_path(&h, fifo, &err), -1); /* must not block */
	ck_assert_str_eq(err.msg, "is a FIFO, not a XAR file");
	ck_assert_int_eq(read_path(&h, put_file("empty", "", 0, 0), &err), -1);
	ck_assert_str_eq(err.msg, "empty file, not a XAR");
	ck_assert_int_eq(read_path(&h, put_file("sh", "#!/bin/sh\necho hi\n",
						18, 0), &err), -1);
	ck_assert_str_eq(err.msg, "line 2: expected KEY=\"value\"");
}
END_TEST

/* What follows OFFSET is the image: NUL bytes there are fine, and a file
 * that stops right at OFFSET has no image. */
START_TEST(test_read_fd_bounds)
{
	struct xar_header h;
	struct xar_err err;
	char *text = padded(HEAD OK3 TAIL("4096"), 4096), *big;

	ck_assert_int_eq(read_path(&h, put_file("ok", text, 4096, 1), &err), 0);
	xar_header_free(&h);
	ck_assert_int_eq(read_path(&h, put_file("noimg", text, 4096, 0), &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "at the end of the file (4096 bytes)"));
	ck_assert_int_eq(read_path(&h, put_file("short", text, 1000, 0), &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "OFFSET 4096 is past the end of the "
				     "file (1000 bytes)"));
	/* OFFSET 8192, stop line early, a NUL in the padding past 4 KiB. */
	big = padded(HEAD "OFFSET=\"8192\"\nUUID=\"ab\"\nVERSION=\"1\"\n"
		     TAIL("8192"), 8192);
	big[6000] = '\0';
	ck_assert_int_eq(read_path(&h, put_file("pad", big, 8192, 10), &err), -1);
	ck_assert_str_eq(err.msg, "NUL byte at 6000 in the header padding");
	big[6000] = '\n';
	ck_assert_int_eq(read_path(&h, put_file("pad", big, 8192, 10), &err), 0);
	ck_assert_uint_eq(h.offset, 8192);
	xar_header_free(&h);
	free(big);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "header");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_format_order);
	tcase_add_loop_test(tc, test_format_needs_uuid_version, 0, 2);
	tcase_add_test(tc, test_long_header_grows_offset);
	tcase_add_test(tc, test_format_too_big);
	tcase_add_loop_test(tc, test_original_format, 0, sizeof(orig) / sizeof(*orig));
	tcase_add_loop_test(tc, test_malformed, 0, sizeof(bad) / sizeof(*bad));
	tcase_add_test(tc, test_header_longer_than_offset);
	tcase_add_test(tc, test_shebang_too_long);
	tcase_add_test(tc, test_too_many_keys);
	tcase_add_test(tc, test_no_stop_in_max);
	tcase_add_test(tc, test_set_get_replace);
	tcase_add_loop_test(tc, test_set_rejects, 0, sizeof(bad_set) / sizeof(*bad_set));
	tcase_add_test(tc, test_shebang_rejects);
	tcase_add_test(tc, test_read_fd_file_kinds);
	tcase_add_test(tc, test_read_fd_bounds);
	return xar_check_run(s);
}
