/* lib/base's SHA-256: a published test vector, and the file reader (which
 * hashes in 256 KiB chunks) against one call over the same bytes in memory,
 * at offsets and lengths that cross the chunks; short files refused. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check_main.h"
#include "base/base.h"

#define BIG (600u * 1024u + 17u)

static unsigned char *data;
static char path[] = "/tmp/xar-check-hash.XXXXXX";
static int fd = -1;

static void setup(void)
{
	uint32_t x = 12345;
	size_t i;

	ck_assert_int_eq(sodium_init() < 0, 0);
	ck_assert_ptr_nonnull(data = malloc(BIG));
	for (i = 0; i < BIG; i++) { /* xorshift: bytes of every value */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	ck_assert_int_ge(fd = mkstemp(path), 0);
	ck_assert_int_eq(write(fd, data, BIG), (ssize_t)BIG);
}

static void teardown(void)
{
	close(fd);
	unlink(path);
	free(data);
}

static void expect(const unsigned char *p, size_t len,
		   const unsigned char got[XAR_SHA256_LEN])
{
	unsigned char want[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(want, p, len);
	ck_assert_mem_eq(got, want, XAR_SHA256_LEN);
}

START_TEST(known_vector)
{
	unsigned char md[XAR_SHA256_LEN];
	char hex[2 * XAR_SHA256_LEN + 1];

	xar_sha256_mem("abc", 3, md);
	xar_hex(md, sizeof(md), hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
			      "b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(file_matches_memory)
{
	static const uint64_t offs[] = { 0, 1, 4096, 262143, 262144, BIG - 1 };
	unsigned char md[XAR_SHA256_LEN];
	struct xar_err err;
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint64_t len = BIG - offs[i];

		ck_assert_int_eq(xar_sha256_fd(fd, offs[i], len, md, &err), 0);
		expect(data + offs[i], (size_t)len, md);
		ck_assert_int_eq(xar_sha256_fd(fd, offs[i], len / 2, md, &err),
				 0);
		expect(data + offs[i], (size_t)(len / 2), md);
	}
	ck_assert_int_eq(xar_sha256_path(path, BIG, md, &err), 0);
	expect(data, BIG, md);
}
END_TEST

START_TEST(short_file_is_an_error)
{
	unsigned char md[XAR_SHA256_LEN];
	struct xar_err err;

	ck_assert_int_eq(xar_sha256_fd(fd, 1, BIG, md, &err), -1);
	ck_assert_int_eq(err.code, EIO);
	ck_assert_int_eq(xar_sha256_path(path, BIG + 1, md, &err), -1);
	ck_assert_int_eq(err.code, EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "hash");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, known_vector);
	tcase_add_test(tc, file_matches_memory);
	tcase_add_test(tc, short_file_is_an_error);
	return xar_check_run(s);
}
