/* lib/verify: a xar built by xar_build (mkxar's library call) verifies;
 * one flipped bit in its header, its data, its tables or its superblock,
 * or a truncation, fails naming the problem. An original-format xar (no
 * XAR_SHA256) verifies by its structure, and a destroyed block is named
 * by the file it belongs to. */
#include <errno.h>

#include "check_main.h"
#include "build/build.h"
#include "fixture.h"
#include "image/image.h"

#define BIG_SIZE (400 * 1024 + 5)
#define SB_INODES 4        /* superblock: inode count */
#define SB_BYTES_USED 40   /* superblock: the image size */
#define SB_INODE_TABLE 64  /* superblock: where the inode table starts */

static void make_tree(void)
{
	static char big[BIG_SIZE + 1];
	size_t i;

	for (i = 0; i < BIG_SIZE; i++)
		big[i] = (char)('a' + (i * 13 + i / 777) % 26);
	fx_sh("mkdir -p '%s'", fx_at("src/pkg/sub"));
	fx_file(fx_at("src/big"), big, 0644, -1);
	fx_file(fx_at("src/pkg/a.py"), "print('a')\n", 0644, -1);
	fx_file(fx_at("src/pkg/sub/b.txt"), "bee\n", 0600, -1);
	fx_file(fx_at("src/run"), "#!/bin/sh\necho hi\n", 0755, -1);
	ck_assert_int_eq(link(fx_at("src/pkg/a.py"), fx_at("src/pkg/a-link")), 0);
	ck_assert_int_eq(symlink("pkg/a.py", fx_at("src/sym")), 0);
}

static void build_xar(const char *out)
{
	const char *sources[] = { fx_at("src") };
	struct xar_build_opts o;
	struct xar_build_result r;
	struct xar_err err;

	xar_build_opts_init(&o);
	o.output = out;
	o.sources = sources;
	o.nsources = 1;
	o.sqfs.threads = 1;
	ck_assert_msg(xar_build(&o, &r, &err) == 0, "%s", err.msg);
}

static void setup(void)
{
	fx_setup_dir("check-verify");
	make_tree();
	build_xar(fx_at("good.xar"));
	fx_build(fx_at("src"), fx_at("plain.img"), fx_at("plain.xar"), 0, 0);
}

static long long find(const char *path, const char *what)
{
	char buf[FX_OFF], *hit;
	int fd = open(path, O_RDONLY);

	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	close(fd);
	hit = memmem(buf, sizeof(buf), what, strlen(what));
	ck_assert_msg(hit != NULL, "'%s' is not in the header", what);
	return hit - buf;
}

static uint64_t le64_at(const char *path, long long off)
{
	unsigned char b[8];
	uint64_t v = 0;
	int fd = open(path, O_RDONLY), i;

	ck_assert_int_eq(pread(fd, b, 8, off), 8);
	close(fd);
	for (i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

START_TEST(test_good)
{
	struct xar_verify_result r;
	struct xar_err err;

	ck_assert_msg(xar_verify(fx_at("good.xar"), &r, &err) == 0, "%s",
		      err.msg);
	ck_assert(r.has_digest);
	ck_assert_uint_eq(r.offset, FX_OFF);
	ck_assert_uint_eq(r.entries, 8); /* pkg, sub, 5 files/links, sym */
	ck_assert_uint_eq(r.files, 4);   /* a hard link read once */
	ck_assert_uint_eq(r.bytes, BIG_SIZE + 11 + 4 + 18);
	ck_assert_uint_eq(strlen(r.sha256), 64);
	ck_assert_int_eq(strncmp(r.sha256, r.uuid, 16), 0);
}
END_TEST

START_TEST(test_original_format)
{
	struct xar_verify_result r;
	struct xar_err err;

	ck_assert_msg(xar_verify(fx_at("plain.xar"), &r, &err) == 0, "%s",
		      err.msg);
	ck_assert(!r.has_digest);
	ck_assert_uint_eq(r.files, 4);
}
END_TEST

enum where { AT_HEADER, AT_IMAGE, AT_TABLE, AT_USED, AT_END };

/* One change each to a copy of good.xar; verify must name it. */
/* A mask that turns the hex digit there into another one (0x01 alone
 * would make 'a' or 'f' a non-hex byte: the digest varies with mtimes). */
#define HEX_FLIP 0xffu

static unsigned char hex_flip(const char *path, long long off)
{
	int fd = open(path, O_RDONLY);
	unsigned char b = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &b, 1, off), 1);
	close(fd);
	return b == 'a' || b == 'f' ? 0x07 : 0x01;
}

static const struct {
	const char *name;
	enum where where;
	const char *anchor; /* AT_HEADER: text to find in the header */
	long long off;      /* from the anchor, the image, the inode table
			       or the end of the file */
	unsigned char mask; /* 0: truncate the file at that point */
	const char *error;
} broken[] = {
	{ "header key", AT_HEADER, "OFFSET=", 5, 0x01, "bad header" },
	{ "header offset", AT_HEADER, "OFFSET=\"4096", 8, 0x04, "bad header" },
	{ "header uuid", AT_HEADER, "UUID=\"", 6, 0x01, "bad header" },
	{ "header digest start", AT_HEADER, "XAR_SHA256=\"", 12 + 3, HEX_FLIP,
	  "bad header: UUID" },
	{ "header digest end", AT_HEADER, "XAR_SHA256=\"", 12 + 63, HEX_FLIP,
	  "SHA-256 does not match XAR_SHA256" },
	{ "header shebang", AT_HEADER, "#!", 0, 0x02, "bad header" },
	{ "data", AT_IMAGE, NULL, 96 + 2000, 0x10,
	  "SHA-256 does not match XAR_SHA256" },
	{ "superblock inodes", AT_IMAGE, NULL, SB_INODES, 0x01,
	  "superblock counts" },
	{ "superblock magic", AT_IMAGE, NULL, 0, 0x01, "no SquashFS image" },
	{ "inode table", AT_TABLE, NULL, 10, 0x40,
	  "SHA-256 does not match XAR_SHA256" },
	{ "padding", AT_END, NULL, -1, 0x01,
	  "SHA-256 does not match XAR_SHA256" },
	{ "truncated", AT_USED, NULL, -1, 0, "image is truncated" },
};

START_TEST(test_broken)
{
	const char *path = fx_at("broken%d.xar", _i);
	struct xar_verify_result r;
	struct xar_err err;
	struct stat st;
	long long off = broken[_i].off;

	fx_sh("cp '%s' '%s'", fx_at("good.xar"), path);
	ck_assert_int_eq(stat(path, &st), 0);
	if (broken[_i].where == AT_HEADER)
		off += find(path, broken[_i].anchor);
	else if (broken[_i].where == AT_IMAGE)
		off += FX_OFF;
	else if (broken[_i].where == AT_TABLE)
		off += FX_OFF + (long long)le64_at(path, FX_OFF + SB_INODE_TABLE);
	else if (broken[_i].where == AT_USED)
		off += FX_OFF + (long long)le64_at(path, FX_OFF + SB_BYTES_USED);
	else
		off += st.st_size;
	if (broken[_i].mask == HEX_FLIP)
		fx_flip(path, off, hex_flip(path, off));
	else if (broken[_i].mask)
		fx_flip(path, off, broken[_i].mask);
	else
		ck_assert_int_eq(truncate(path, off), 0);
	ck_assert_int_eq(xar_verify(path, &r, &err), -1);
	ck_assert_msg(strstr(err.msg, broken[_i].error), "%s: '%s' lacks '%s'",
		      broken[_i].name, err.msg, broken[_i].error);
}
END_TEST

/* Without a digest, a destroyed data block is found by reading it back. */
START_TEST(test_block_without_digest)
{
	const char *path = fx_at("plain-broken.xar");
	struct xar_err err;
	int fd;
	char zeros[64] = { 0 };

	fx_sh("cp '%s' '%s'", fx_at("plain.xar"), path);
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, zeros, sizeof(zeros), FX_OFF + 96), 64);
	close(fd);
	ck_assert_int_eq(xar_verify(path, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "file 'big' does not read back"), "%s",
		      err.msg);
}
END_TEST

START_TEST(test_not_a_xar)
{
	struct xar_err err;

	ck_assert_int_eq(xar_verify(fx_at("src/big"), NULL, &err), -1);
	ck_assert_msg(!strncmp(err.msg, "bad header: ", 12), "%s", err.msg);
	ck_assert_int_eq(xar_verify(fx_at("missing"), NULL, &err), -1);
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "verify");

	tcase_add_unchecked_fixture(tc, setup, fx_teardown_dir);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_original_format);
	tcase_add_loop_test(tc, test_broken, 0, sizeof(broken) / sizeof(*broken));
	tcase_add_test(tc, test_block_without_digest);
	tcase_add_test(tc, test_not_a_xar);
	return xar_check_run(s);
}
