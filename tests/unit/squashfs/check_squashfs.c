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

/* A block compressed at the level and at alt_level keeps the smaller,
 * and it still decompresses to the records. */
START_TEST(test_meta_alt_level)
{
	struct xar_meta plain, alt;
	uint8_t rec[16 * 500], back[sizeof(rec)];
	uint64_t start = 96;
	size_t i, n;

	for (i = 0; i < 500; i++) { /* fragment table entries */
		start += 3000 + (i * 7919) % 40000;
		xar_put64(rec + 16 * i, start);
		xar_put32(rec + 16 * i + 8, (uint32_t)((i * 104729) % 60000));
		xar_put32(rec + 16 * i + 12, 0);
	}
	ck_assert_int_eq(xar_meta_init(&plain, 16), 0);
	ck_assert_int_eq(xar_meta_init(&alt, 16), 0);
	alt.alt_level = 6;
	ck_assert_int_eq(xar_meta_append(&plain, rec, sizeof(rec)), 0);
	ck_assert_int_eq(xar_meta_append(&alt, rec, sizeof(rec)), 0);
	ck_assert_int_eq(xar_meta_flush(&plain), 0);
	ck_assert_int_eq(xar_meta_flush(&alt), 0);
	ck_assert_uint_le(alt.out_len, plain.out_len);
	ck_assert_uint_eq(xar_get16(alt.out) & SQFS_META_UNCOMPRESSED, 0);
	n = ZSTD_decompress(back, sizeof(back), alt.out + 2, alt.out_len - 2);
	ck_assert_uint_eq(n, sizeof(rec));
	ck_assert_mem_eq(back, rec, sizeof(rec));
	xar_meta_free(&plain);
	xar_meta_free(&alt);
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
	xar_sqfs_compress(c, 16, 0, in, sizeof(in), out, sizeof(out), &len, &raw);
	ck_assert_int_eq(raw, 1);
	ck_assert_uint_eq(len, sizeof(in));
	ck_assert_mem_eq(in, out, sizeof(in));
	memset(in, 0, sizeof(in));
	xar_sqfs_compress(c, 16, 0, in, sizeof(in), out, sizeof(out), &len, &raw);
	ck_assert_int_eq(raw, 0);
	ck_assert_uint_lt(len, 100);
	ZSTD_freeCCtx(c);
}
END_TEST

/* Quick blocks (the bundled interpreter's) decompress to what went in and
 * are larger than the level's own; a context that made one makes the next
 * ordinary block as a fresh one would, whichever worker it lands on. */
START_TEST(test_quick_block)
{
	enum { N = 65536 };
	ZSTD_CCtx *c = ZSTD_createCCtx(), *fresh = ZSTD_createCCtx();
	static uint8_t in[N], q[ZSTD_COMPRESSBOUND(N)], o[ZSTD_COMPRESSBOUND(N)];
	static uint8_t o2[ZSTD_COMPRESSBOUND(N)], back[N];
	size_t ql, ol, ol2;
	int fd = open("/proc/self/exe", O_RDONLY), raw;

	ck_assert_int_ge(fd, 0); /* an ELF file, as the quick files are */
	ck_assert_int_eq(pread(fd, in, N, 0), N);
	close(fd);
	xar_sqfs_compress(c, 16, 1, in, N, q, sizeof(q), &ql, &raw);
	ck_assert_int_eq(raw, 0);
	ck_assert_uint_eq(ZSTD_decompress(back, N, q, ql), N);
	ck_assert_mem_eq(back, in, N);
	xar_sqfs_compress(c, 16, 0, in, N, o, sizeof(o), &ol, &raw);
	xar_sqfs_compress(fresh, 16, 0, in, N, o2, sizeof(o2), &ol2, &raw);
	ck_assert_uint_lt(ol, ql);
	ck_assert_uint_eq(ol, ol2);
	ck_assert_mem_eq(o, o2, ol);
	ZSTD_freeCCtx(c);
	ZSTD_freeCCtx(fresh);
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
static uint8_t *image_quick(unsigned threads, int level, const char *quick,
			    size_t *len, struct xar_sqfs_result *r)
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
	if (quick)
		xar_tree_lookup(&t, quick)->quick_read = 1;
	ck_assert_msg(xar_sqfs_write(&t, fd, 100, &o, r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len);
	ck_assert_int_eq(pread(fd, buf, *len, 0), (ssize_t)*len);
	close(fd);
	xar_tree_free(&t);
	return buf;
}

static uint8_t *image(unsigned threads, int level, size_t *len,
		      struct xar_sqfs_result *r)
{
	return image_quick(threads, level, NULL, len, r);
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

/* A quick file changes the image, which stays the same for any number of
 * threads; its blocks are read back by the independent readers of the
 * hermetic end-to-end tests, which run the interpreter from them. */
START_TEST(test_quick_file_any_thread_count)
{
	struct xar_sqfs_result r0, r1, r3;
	size_t l0, l1, l3;
	char cmd[160];
	uint8_t *plain, *a, *b;

	snprintf(cmd, sizeof(cmd), "head -c 40000 /proc/%ld/exe > %s/elf",
		 (long)getpid(), dir);
	ck_assert_int_eq(system(cmd), 0);
	plain = image(2, 16, &l0, &r0);
	a = image_quick(1, 16, "elf", &l1, &r1);
	b = image_quick(3, 16, "elf", &l3, &r3);

	ck_assert_uint_eq(l1, l3);
	ck_assert_mem_eq(a, b, l1);
	ck_assert(l0 != l1 || memcmp(plain, a, l0));
	ck_assert_uint_gt(r1.bytes_used, r0.bytes_used);
	free(plain);
	free(a);
	free(b);
}
END_TEST

/* Directory listings: "mixed" holds files a b d f and directories c and e
 * of 300 files each (more than a metadata block of inodes); "big" holds
 * 600 entries, a listing of about 22 KiB. */
static void setup_listing(void)
{
	const char *dirs[] = { "big", "mixed", "mixed/c", "mixed/e" };
	char name[64];
	int i;

	strcpy(dir, "/tmp/xar-check-sqfs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "%s/%s", dir, dirs[i]);
		ck_assert_int_eq(mkdir(name, 0755), 0);
	}
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "big/entry-with-a-long-name-%04d", i);
		mkfile(name, (size_t)i % 5, 0);
		snprintf(name, sizeof(name), "mixed/%c/%d", i < 300 ? 'c' : 'e', i);
		mkfile(name, 0, 0);
	}
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "mixed/%c", "abdf"[i]);
		mkfile(name, 1, 0);
	}
}

/* A metadata table, decompressed whole. Every block but the last holds
 * 8 KiB, so block k starts at k * 8 KiB of data. */
struct table {
	uint8_t data[32 * SQFS_META_SIZE];
	uint64_t pos[32]; /* block positions, relative to the table */
	size_t nblocks;
};

static void unpack(const uint8_t *img, uint64_t start, uint64_t end,
		   struct table *t)
{
	uint64_t off = 0;

	t->nblocks = 0;
	while (start + off < end) {
		uint16_t h = xar_get16(img + start + off);
		uint8_t *to = t->data + t->nblocks * SQFS_META_SIZE;
		size_t n = h & 0x7FFF, got = n;

		ck_assert_uint_lt(t->nblocks, 32);
		if (h & SQFS_META_UNCOMPRESSED)
			memcpy(to, img + start + off + 2, n);
		else
			got = ZSTD_decompress(to, SQFS_META_SIZE,
					      img + start + off + 2, n);
		ck_assert(!ZSTD_isError(got));
		t->pos[t->nblocks++] = off;
		off += 2 + n;
	}
}

/* Where (block position, offset) is in t->data. */
static size_t locate(const struct table *t, uint64_t block, uint32_t offset)
{
	size_t k;

	for (k = 0; k < t->nblocks; k++)
		if (t->pos[k] == block)
			return k * SQFS_META_SIZE + offset;
	ck_abort_msg("no metadata block at %llu", (unsigned long long)block);
	return 0;
}

/* A directory inode's listing: where it starts in dirs->data, its size,
 * and the index, if any. */
struct dir_inode {
	unsigned type;
	size_t start, size, nindex;
	const uint8_t *index;
};

static void read_dir_inode(const struct table *inodes, const struct table *dirs,
			   uint64_t ref, struct dir_inode *d)
{
	const uint8_t *p = inodes->data + locate(inodes, ref >> 16, ref & 0xFFFF);

	d->type = xar_get16(p);
	if (d->type == SQFS_DIR) {
		d->start = locate(dirs, xar_get32(p + 16), xar_get16(p + 26));
		d->size = xar_get16(p + 24) - SQFS_DIR_SIZE_BIAS;
		d->nindex = 0;
	} else {
		ck_assert_uint_eq(d->type, SQFS_LDIR);
		d->start = locate(dirs, xar_get32(p + 24), xar_get16(p + 34));
		d->size = xar_get32(p + 20) - SQFS_DIR_SIZE_BIAS;
		d->nindex = xar_get16(p + 32);
		d->index = p + SQFS_LDIR_INODE_SIZE;
	}
}

/* The reference of the entry called name in directory d. */
static uint64_t find_entry(const struct table *dirs, const struct dir_inode *d,
			   const char *name, size_t *headers)
{
	const uint8_t *p = dirs->data + d->start, *end = p + d->size;
	uint64_t ref = 0;

	*headers = 0;
	while (p < end) {
		uint32_t count = xar_get32(p) + 1, block = xar_get32(p + 4);

		p += SQFS_DIR_HEADER_SIZE;
		++*headers;
		while (count--) {
			size_t len = xar_get16(p + 6) + 1u;

			if (len == strlen(name) && !memcmp(p + 8, name, len))
				ref = xar_meta_ref(block, xar_get16(p));
			p += SQFS_DIR_ENTRY_SIZE + len;
		}
	}
	ck_assert(p == end);
	return ref;
}

/* Each index entry points at a header in the block it names, and names
 * that header's first entry; no stretch between them passes 8 KiB. */
static void check_index(const struct table *dirs, const struct dir_inode *d)
{
	const uint8_t *e = d->index;
	size_t i, last = 0;

	for (i = 0; i < d->nindex; i++) {
		size_t at = xar_get32(e), len = xar_get32(e + 8) + 1u;
		const uint8_t *h = dirs->data + d->start + at;
		size_t block = (d->start + at) / SQFS_META_SIZE;

		ck_assert_uint_gt(at, last);
		ck_assert_uint_le(at - last, SQFS_META_SIZE);
		ck_assert_uint_eq(xar_get32(e + 4), dirs->pos[block]);
		ck_assert_uint_eq(xar_get16(h + SQFS_DIR_HEADER_SIZE + 6) + 1u, len);
		ck_assert_mem_eq(h + SQFS_DIR_HEADER_SIZE + 8, e + 12, len);
		last = at;
		e += SQFS_DIR_INDEX_SIZE + len;
	}
	ck_assert_uint_le(d->size - last, SQFS_META_SIZE);
}

/* A directory's children are written together, subdirectories among
 * files, so a short listing is one header under a basic inode; a long one
 * is cut into 8 KiB stretches that its index points to. */
START_TEST(test_listings)
{
	static struct table inodes, dirs;
	struct xar_sqfs_result r;
	struct dir_inode root, mixed, big;
	size_t len, headers;
	uint8_t *img = image(1, 16, &len, &r), *sb = img + 100;
	uint64_t it = xar_get64(sb + 64), dt = xar_get64(sb + 72);
	uint64_t frag_table = xar_get64(sb + 80);

	/* the fragment table's blocks follow the directory table */
	ck_assert_uint_ne(frag_table, SQFS_NO_TABLE);
	unpack(img + 100, it, dt, &inodes);
	unpack(img + 100, dt, xar_get64(sb + frag_table), &dirs);
	read_dir_inode(&inodes, &dirs, xar_get64(sb + 32), &root);
	ck_assert_uint_eq(root.type, SQFS_DIR);
	read_dir_inode(&inodes, &dirs, find_entry(&dirs, &root, "mixed", &headers),
		       &mixed);
	ck_assert_uint_eq(headers, 1);
	ck_assert_uint_eq(mixed.type, SQFS_DIR);
	ck_assert_uint_ne(find_entry(&dirs, &mixed, "e", &headers), 0);
	ck_assert_uint_eq(headers, 1);
	read_dir_inode(&inodes, &dirs, find_entry(&dirs, &root, "big", &headers),
		       &big);
	ck_assert_uint_eq(big.type, SQFS_LDIR);
	ck_assert_uint_ge(big.nindex, 2);
	ck_assert_uint_ne(find_entry(&dirs, &big, "entry-with-a-long-name-0599",
				     &headers), 0);
	check_index(&dirs, &big);
	free(img);
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
	TCase *listing = tcase_create("listing");

	tcase_add_test(parts, test_meta_positions);
	tcase_add_test(parts, test_meta_alt_level);
	tcase_add_test(parts, test_incompressible_block_stored_raw);
	tcase_add_test(parts, test_quick_block);
	tcase_add_test(parts, test_bad_options_refused);
	tcase_set_timeout(img, 30); /* level 16 three times, under valgrind */
	tcase_add_checked_fixture(img, setup, teardown);
	tcase_add_test(img, test_superblock);
	tcase_add_test(img, test_default_level_has_no_options);
	tcase_add_test(img, test_same_bytes_for_any_thread_count);
	tcase_add_test(img, test_quick_file_any_thread_count);
	tcase_add_checked_fixture(listing, setup_listing, teardown);
	tcase_add_test(listing, test_listings);
	suite_add_tcase(s, parts);
	suite_add_tcase(s, img);
	suite_add_tcase(s, listing);
	return xar_check_run(s);
}
