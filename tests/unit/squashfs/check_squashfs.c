/* The SquashFS writer's parts: metadata streams, block compression, the
 * superblock and determinism, checked in-process. Whole images are checked
 * against independent readers in tests/e2e/mkxar/test_writer_readers.sh. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "check_main.h"
#include "squashfs/format.h"
#include "squashfs/internal.h"
#include "squashfs/squashfs.h"

START_TEST(test_meta_positions)
{
	struct xar_meta m;
	uint8_t rec[1000];
	size_t i, off = 0, blocks = 0;

	memset(rec, 'a', sizeof(rec));
	ck_assert_int_eq(xar_meta_init(&m, 16), 0);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(xar_meta_append(&m, rec, sizeof(rec)), 0);
	/* 20000 bytes: two full blocks flushed, 3616 bytes pending */
	ck_assert_uint_eq(xar_meta_offset(&m), 20000 - 2 * SQFS_META_SIZE);
	ck_assert_int_eq(xar_meta_flush(&m), 0);
	ck_assert_uint_eq(xar_meta_offset(&m), 0);
	for (off = 0; off < m.out_len; blocks++) {
		uint16_t h = xar_get16(m.out + off);

		ck_assert_uint_eq(h & SQFS_META_UNCOMPRESSED, 0); /* 'a's compress */
		off += 2 + (h & 0x7FFF);
	}
	ck_assert_uint_eq(off, m.out_len);
	ck_assert_uint_eq(blocks, 3);
	xar_meta_free(&m);
}
END_TEST

START_TEST(test_incompressible_block_stored_raw)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	uint8_t in[4096], out[ZSTD_COMPRESSBOUND(4096)];
	size_t len, i;
	int raw;
	uint32_t x = 12345;

	for (i = 0; i < sizeof(in); i++) {
		x = x * 1103515245 + 12345;
		in[i] = (uint8_t)(x >> 16);
	}
	xar_sqfs_compress(c, 16, in, sizeof(in), out, sizeof(out), &len, &raw);
	ck_assert_int_eq(raw, 1);
	ck_assert_uint_eq(len, sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(in));
	memset(in, 0, sizeof(in));
	xar_sqfs_compress(c, 16, in, sizeof(in), out, sizeof(out), &len, &raw);
	ck_assert_int_eq(raw, 0);
	ck_assert_uint_lt(len, 100);
	ZSTD_freeCCtx(c);
}
END_TEST

static char dir[64];

static void mkfile(const char *name, size_t size, int zero)
{
	char p[128];
	size_t i;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < size; i++)
		fputc(zero ? 0 : (int)((i * 7919) % 251), f);
	fclose(f);
}

static void setup(void)
{
	strcpy(dir, "/tmp/xar-check-sqfs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	mkfile("a", 300000, 0);
	mkfile("b", 300000, 0);   /* duplicate of a */
	mkfile("zero", 4 * 4096, 1);
	mkfile("small", 10, 0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Write dir's tree with the given options into a memory buffer. */
static uint8_t *image(unsigned threads, int level, size_t *len,
		      struct xar_sqfs_result *r)
{
	struct xar_tree_opts to = { 0 };
	struct xar_sqfs_opts o = { .block_size = 4096, .level = level,
				   .threads = threads, .mkfs_time = 1234 };
	struct xar_tree t;
	struct xar_err err;
	char path[] = "/tmp/xar-check-img.XXXXXX";
	int fd = mkstemp(path);
	uint8_t *buf;
	struct stat st;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(xar_tree_init(&t, &to, &err), 0);
	ck_assert_int_eq(xar_tree_add_source(&t, dir, &err), 0);
	xar_tree_finish_times(&t, 1000);
	ck_assert_msg(xar_sqfs_write(&t, fd, 100, &o, r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len);
	ck_assert_int_eq(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	xar_tree_free(&t);
	return buf;
}

START_TEST(test_superblock)
{
	struct xar_sqfs_result r;
	size_t len;
	uint8_t *img = image(2, 16, &len, &r), *sb = img + 100;

	ck_assert_uint_eq(len, 100 + r.image_size);
	ck_assert_uint_eq(r.image_size % 4096, 0);
	ck_assert_uint_eq(xar_get32(sb), SQFS_MAGIC);
	ck_assert_uint_eq(xar_get32(sb + 4), 5);      /* root + 4 files */
	ck_assert_uint_eq(xar_get32(sb + 8), 1234);   /* mkfs time */
	ck_assert_uint_eq(xar_get32(sb + 12), 4096);
	ck_assert_uint_eq(xar_get16(sb + 20), SQFS_COMP_ZSTD);
	ck_assert_uint_eq(xar_get16(sb + 22), 12);    /* block log */
	ck_assert(xar_get16(sb + 24) & SQFS_FLAG_COMP_OPTS);
	ck_assert_uint_eq(xar_get16(sb + 28), 4);
	ck_assert_uint_eq(xar_get64(sb + 40), r.bytes_used);
	/* compressor options: an uncompressed 4-byte metadata block, level 16 */
	ck_assert_uint_eq(xar_get16(sb + 96), 4 | SQFS_META_UNCOMPRESSED);
	ck_assert_uint_eq(xar_get32(sb + 98), 16);
	ck_assert_uint_eq(r.dup_files, 1);
	free(img);
}
END_TEST

START_TEST(test_default_level_has_no_options)
{
	struct xar_sqfs_result r;
	size_t len;
	uint8_t *img = image(1, SQFS_ZSTD_DEFAULT_LEVEL, &len, &r);

	ck_assert(!(xar_get16(img + 100 + 24) & SQFS_FLAG_COMP_OPTS));
	free(img);
}
END_TEST

START_TEST(test_same_bytes_for_any_thread_count)
{
	struct xar_sqfs_result r1, r3;
	size_t l1, l3;
	uint8_t *a = image(1, 16, &l1, &r1), *b = image(3, 16, &l3, &r3);

	ck_assert_uint_eq(l1, l3);
	ck_assert_mem_eq(a, b, l1);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_bad_options_refused)
{
	struct xar_tree_opts to = { 0 };
	struct xar_sqfs_opts o = { .block_size = 3000, .level = 16 };
	struct xar_sqfs_result r;
	struct xar_tree t;
	struct xar_err err;

	ck_assert_int_eq(xar_tree_init(&t, &to, &err), 0);
	ck_assert_int_eq(xar_sqfs_write(&t, -1, 0, &o, &r, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "block size"));
	o.block_size = 4096;
	o.level = 40;
	ck_assert_int_eq(xar_sqfs_write(&t, -1, 0, &o, &r, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "level"));
	xar_tree_free(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("squashfs");
	TCase *parts = tcase_create("parts"), *img = tcase_create("image");

	tcase_add_test(parts, test_meta_positions);
	tcase_add_test(parts, test_incompressible_block_stored_raw);
	tcase_add_test(parts, test_bad_options_refused);
	tcase_add_checked_fixture(img, setup, teardown);
	tcase_add_test(img, test_superblock);
	tcase_add_test(img, test_default_level_has_no_options);
	tcase_add_test(img, test_same_bytes_for_any_thread_count);
	suite_add_tcase(s, parts);
	suite_add_tcase(s, img);
	return xar_check_run(s);
}
