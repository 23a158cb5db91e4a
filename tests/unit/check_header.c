/* lib/header.c: the XAR header, written and parsed. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"

#define GOOD_TAIL "#xar_stop\necho This XAR file should not be executed by sh\n" \
	"exit 1\n# Actual squashfs file begins at 4096\n"

START_TEST(test_round_trip)
{
	struct xar_header h, p;
	struct xar_err err;
	char *text;
	size_t len;

	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set_shebang(&h, XAR_DEFAULT_SHEBANG, &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "OFFSET", "4096", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "UUID", "0123abcd", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "VERSION", "1700000000", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "XAR_EXEC", "bin/tool", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "DEPENDENCIES", "", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "XAR_EXEC", "bin/other", &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), 0);
	ck_assert_uint_eq(len, 4096);
	ck_assert_int_eq(strncmp(text, "#!/usr/bin/env xarexec\nOFFSET=\"4096\"\n"
				 "UUID=\"0123abcd\"\nVERSION=\"1700000000\"\n"
				 "XAR_EXEC=\"bin/other\"\nDEPENDENCIES=\"\"\n" GOOD_TAIL,
				 strlen(GOOD_TAIL) + 96), 0);
	ck_assert_int_eq(text[4095], '\n');
	ck_assert_int_eq(xar_header_parse(&p, text, len, 8192, &err), 0);
	ck_assert_str_eq(p.shebang, XAR_DEFAULT_SHEBANG);
	ck_assert_uint_eq(p.offset, 4096);
	ck_assert_str_eq(xar_header_get(&p, "XAR_EXEC"), "bin/other");
	ck_assert_str_eq(xar_header_get(&p, "DEPENDENCIES"), "");
	ck_assert_ptr_null(xar_header_get(&p, "MISSING"));
	ck_assert_uint_eq(p.nkv, 5);
	free(text);
	xar_header_free(&h);
	xar_header_free(&p);
}
END_TEST

START_TEST(test_long_header_grows_offset)
{
	struct xar_header h, p;
	struct xar_err err;
	char *text, *big = malloc(6000);
	size_t len;

	memset(big, 'v', 5999);
	big[5999] = '\0';
	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set(&h, "UUID", "ab", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "VERSION", "1", &err), 0);
	ck_assert_int_eq(xar_header_set(&h, "BIG", big, &err), 0);
	ck_assert_int_eq(xar_header_format(&h, &text, &len, &err), 0);
	ck_assert_uint_eq(len, 8192);
	ck_assert_ptr_nonnull(strstr(text, "OFFSET=\"8192\"\n"));
	ck_assert_int_eq(xar_header_parse(&p, text, len, 9000, &err), 0);
	ck_assert_str_eq(xar_header_get(&p, "BIG"), big);
	free(text);
	free(big);
	xar_header_free(&h);
	xar_header_free(&p);
}
END_TEST

/* The original XAR's builder writes this (shebang naming xarexec_fuse,
 * 8-digit UUID, trampolines and a shell target). */
START_TEST(test_original_format)
{
	static const char orig[] =
		"#!/usr/bin/env xarexec_fuse\n"
		"OFFSET=\"4096\"\n"
		"UUID=\"d770950c\"\n"
		"VERSION=\"1540232435\"\n"
		"DEPENDENCIES=\"\"\n"
		"XAREXEC_TARGET=\"xar_bootstrap.sh\"\n"
		"XAREXEC_TRAMPOLINE_NAMES=\"'__run_xar_main__.py'\"\n"
		GOOD_TAIL;
	struct xar_header h;
	struct xar_err err;

	ck_assert_int_eq(xar_header_parse(&h, orig, sizeof(orig) - 1, 100000, &err), 0);
	ck_assert_str_eq(h.shebang, "#!/usr/bin/env xarexec_fuse");
	ck_assert_str_eq(xar_header_get(&h, "UUID"), "d770950c");
	ck_assert_str_eq(xar_header_get(&h, "XAREXEC_TARGET"), "xar_bootstrap.sh");
	ck_assert_str_eq(xar_header_get(&h, "XAREXEC_TRAMPOLINE_NAMES"),
			 "'__run_xar_main__.py'");
	xar_header_free(&h);
}
END_TEST

static const struct {
	const char *text;
	uint64_t file_size;
	const char *msg;
} bad[] = {
	{ "OFFSET=\"4096\"\n", 9000, "no '#!'" },
	{ "", 9000, "no #xar_stop" },
	{ "#!/x\nUUID=\"ab\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "missing OFFSET" },
	{ "#!/x\nOFFSET=\"4k\"\nUUID=\"ab\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "not a number" },
	{ "#!/x\nOFFSET=\"4095\"\nUUID=\"ab\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "not a multiple" },
	{ "#!/x\nOFFSET=\"8192\"\nUUID=\"ab\"\nVERSION=\"1\"\n#xar_stop\n", 8192, "past the end" },
	{ "#!/x\nOFFSET=\"99999999999999999999\"\nUUID=\"ab\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "not a number" },
	{ "#!/x\nOFFSET=\"2147483648\"\nUUID=\"ab\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "limit" },
	{ "#!/x\nOFFSET=\"4096\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "missing UUID" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"xyz\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "not hexadecimal" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "not hexadecimal" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"ab\"\n#xar_stop\n", 9000, "missing VERSION" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"ab\"\nVERSION=\"1\"\nbad line\n#xar_stop\n", 9000, "line 5 is not" },
	{ "#!/x\nOFFSET=\"4096\"\nlower=\"x\"\n#xar_stop\n", 9000, "line 3 is not" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"ab\"\nVERSION=\"1\"\nK=\"a\"b\"\n#xar_stop\n", 9000, "contains a quote" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"ab\"\nVERSION=\"1\"\nK=unquoted\n#xar_stop\n", 9000, "line 5 is not" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"ab\"\nUUID=\"cd\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "duplicate key UUID" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"ab\"\nVERSION=\"1\"\n", 9000, "no #xar_stop" },
	{ "#!/x\nOFFSET=\"4096\"\nUUID=\"a\0b\"\nVERSION=\"1\"\n#xar_stop\n", 9000, "NUL byte on line 3" },
};

START_TEST(test_malformed)
{
	struct xar_header h;
	struct xar_err err = { 0 };
	size_t len = strlen(bad[_i].text);

	if (_i == (int)(sizeof(bad) / sizeof(*bad)) - 1)
		len = 45; /* the NUL case: count past the embedded NUL */
	ck_assert_int_eq(xar_header_parse(&h, bad[_i].text, len, bad[_i].file_size, &err), -1);
	ck_assert_msg(strstr(err.msg, bad[_i].msg), "case %d: '%s' lacks '%s'", _i,
		      err.msg, bad[_i].msg);
}
END_TEST

START_TEST(test_header_longer_than_offset)
{
	struct xar_header h;
	struct xar_err err;
	size_t n = 5000, used;
	char *buf = malloc(n);

	memset(buf, '\n', n);
	used = (size_t)sprintf(buf, "#!/x\nOFFSET=\"4096\"\nUUID=\"ab\"\nVERSION=\"1\"\nPAD=\"");
	memset(buf + used, 'p', 4200);
	memcpy(buf + used + 4200, "\"\n#xar_stop\n", 12);
	ck_assert_int_eq(xar_header_parse(&h, buf, n, 100000, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer than OFFSET"));
	free(buf);
}
END_TEST

START_TEST(test_set_rejects)
{
	struct xar_header h;
	struct xar_err err;

	xar_header_init(&h);
	ck_assert_int_eq(xar_header_set(&h, "bad-key", "v", &err), -1);
	ck_assert_int_eq(xar_header_set(&h, "K", "a\"b", &err), -1);
	ck_assert_int_eq(xar_header_set(&h, "K", "a\nb", &err), -1);
	ck_assert_int_eq(xar_header_set(&h, "OFFSET", "100", &err), -1);
	ck_assert_int_eq(xar_header_set_shebang(&h, "/usr/bin/env x", &err), -1);
	ck_assert_uint_eq(h.nkv, 0);
	xar_header_free(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("header");
	TCase *tc = tcase_create("header");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_long_header_grows_offset);
	tcase_add_test(tc, test_original_format);
	tcase_add_loop_test(tc, test_malformed, 0, sizeof(bad) / sizeof(*bad));
	tcase_add_test(tc, test_header_longer_than_offset);
	tcase_add_test(tc, test_set_rejects);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
