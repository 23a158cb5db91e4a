/* lib/image/decompress.c: the zstd decompressor that keeps one context
 * per thread gives the bytes zstd compressed, block after block, from
 * several threads and after a release; refuses corrupt input and output
 * that does not fit; and is installed only for zstd images. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "check_main.h"
#include "image/image.h"

#define BLOCK 131072

struct sample {
	char plain[BLOCK];
	char packed[BLOCK + 1024];
	size_t packed_len;
};

static struct sample samples[3];

static void make_samples(void)
{
	size_t i, k;

	for (k = 0; k < 3; k++) {
		struct sample *s = &samples[k];

		for (i = 0; i < BLOCK; i++)
			s->plain[i] = (char)('a' + (i * (k + 3) + i / 4096) % 26);
		s->packed_len = ZSTD_compress(s->packed, sizeof(s->packed),
					      s->plain, BLOCK, 16);
		ck_assert(!ZSTD_isError(s->packed_len));
	}
}

static sqfs zstd_fs(void)
{
	sqfs fs;

	memset(&fs, 0, sizeof(fs));
	fs.sb.compression = 6; /* zstd */
	xar_decompress_keep(&fs);
	ck_assert_ptr_nonnull(fs.decompressor);
	return fs;
}

/* Each sample, twice, through fs: the same bytes every time. */
static void round_trips(sqfs *fs)
{
	static char out[BLOCK];
	size_t k, n, pass;

	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < 3; k++) {
			n = sizeof(out);
			memset(out, 0, sizeof(out));
			ck_assert_int_eq(fs->decompressor(samples[k].packed,
							  samples[k].packed_len,
							  out, &n), SQFS_OK);
			ck_assert_uint_eq(n, BLOCK);
			ck_assert(memcmp(out, samples[k].plain, BLOCK) == 0);
		}
	}
}

START_TEST(test_blocks)
{
	sqfs fs;

	make_samples();
	fs = zstd_fs();
	round_trips(&fs);
	xar_decompress_release();
	round_trips(&fs); /* a new context */
	xar_decompress_release();
	xar_decompress_release(); /* nothing kept: nothing to free */
}
END_TEST

static void *thread_round_trips(void *arg)
{
	char *out = malloc(BLOCK);
	size_t k, n, bad = 0;
	sqfs *fs = arg;

	if (!out)
		return (void *)1;
	for (k = 0; k < 3 * 50; k++) {
		n = BLOCK;
		if (fs->decompressor(samples[k % 3].packed,
				     samples[k % 3].packed_len, out, &n) ||
		    n != BLOCK || memcmp(out, samples[k % 3].plain, BLOCK))
			bad++;
	}
	free(out);
	return (void *)(uintptr_t)bad;
}

START_TEST(test_threads)
{
	pthread_t t[4];
	void *bad;
	sqfs fs;
	int i;

	make_samples();
	fs = zstd_fs();
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL,
						thread_round_trips, &fs), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &bad), 0);
		ck_assert_ptr_null(bad);
	}
	round_trips(&fs);
	xar_decompress_release();
}
END_TEST

START_TEST(test_bad_input)
{
	static char out[BLOCK];
	char junk[64];
	size_t n;
	sqfs fs;

	make_samples();
	fs = zstd_fs();
	memset(junk, 0x5a, sizeof(junk));
	n = sizeof(out);
	ck_assert_int_eq(fs.decompressor(junk, sizeof(junk), out, &n), SQFS_ERR);
	n = BLOCK / 2; /* does not fit */
	ck_assert_int_eq(fs.decompressor(samples[0].packed,
					 samples[0].packed_len, out, &n),
			 SQFS_ERR);
	n = sizeof(out); /* truncated */
	ck_assert_int_eq(fs.decompressor(samples[0].packed,
					 samples[0].packed_len / 2, out, &n),
			 SQFS_ERR);
	round_trips(&fs); /* the context survives the failures */
	xar_decompress_release();
}
END_TEST

START_TEST(test_other_compression)
{
	sqfs fs;

	memset(&fs, 0, sizeof(fs));
	fs.sb.compression = 1; /* zlib: libsquashfuse's own stays */
	xar_decompress_keep(&fs);
	ck_assert_ptr_null(fs.decompressor);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "decompress");

	tcase_add_test(tc, test_blocks);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_other_compression);
	return xar_check_run(s);
}
