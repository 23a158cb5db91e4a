/* lib/image/guard.c: its reads give the source files' bytes at every
 * offset (with and without fragments, holes, a cursor going forwards and
 * back), a directory opened at any entry's offset goes on with the next
 * entry, and images patched to make libsquashfuse overrun its buffers
 * are refused instead. Images come from mksquashfs, the patched ones with
 * uncompressed metadata so that a name can be found and its entry edited. */
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
#include "image/image.h"
#include "tmpdir_fixture.h"

#define BS 4096
#define NMANY 300


static const struct { const char *name; size_t size; } files[] = {
	{ "empty", 0 }, { "one", 1 }, { "under", BS - 1 }, { "block", BS },
	{ "over", BS + 1 }, { "three-and-tail", 3 * BS + 100 },
	{ "sparse", 6 * BS + 7 }, { "victim-entry-name", 10 },
};

/* The sparse file keeps blocks 1, 2 and 4 as holes. */
static unsigned char byte_of(const char *name, size_t i)
{
	if (!strcmp(name, "sparse") && i / BS != 0 && i / BS != 3 &&
	    i / BS != 5 && i / BS != 6)
		return 0;
	return (unsigned char)((i * 31 + i / 251 + name[0]) & 0xff);
}

/* src/<name>, or rel when given, holding byte_of(name, …). */
static void make_file(const char *rel, const char *name, size_t size)
{
	unsigned char *b = malloc(size ? size : 1);
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t i;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < size; i++)
		b[i] = byte_of(name, i);
	ck_assert_int_eq(write(fd, b, size), (ssize_t)size);
	close(fd);
	free(b);
}

static void squash(const char *img, const char *opts)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cd '%s' && mksquashfs src '%s' -comp zstd "
		 "-b %d -noappend -quiet -all-root %s >/dev/null", base, img, BS,
		 opts);
	ck_assert_int_eq(system(cmd), 0);
}

static void setup(void)
{
	char name[32];
	size_t i;

	tmpdir_setup("guard");
	ck_assert_int_eq(chdir(base), 0);
	ck_assert_int_eq(mkdir("src", 0755), 0);
	ck_assert_int_eq(mkdir("src/many", 0755), 0);
	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(name, sizeof(name), "src/%s", files[i].name);
		make_file(name, files[i].name, files[i].size);
	}
	for (i = 0; i < NMANY; i++) {
		snprintf(name, sizeof(name), "src/many/entry-%03zu", i);
		make_file(name, "", 0);
	}
	squash("frag.img", "");
	squash("nofrag.img", "-no-fragments");
	squash("raw.img", "-noI -noD -noF -noX");
}

static void teardown(void)
{
	tmpdir_teardown();
}

struct img {
	sqfs fs;
	int fd;
	char *names;
};

/* 0, or -1 with *why from xar_guard_init. */
static int img_open(struct img *m, const char *path, const char **why)
{
	m->fd = open(at(path), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(m->fd, 0);
	m->names = malloc(XAR_GUARD_NAME_BUF);
	ck_assert_ptr_nonnull(m->names);
	if (xar_guard_init(&m->fs, m->fd, 0, why) == SQFS_OK)
		return 0;
	close(m->fd);
	free(m->names);
	return -1;
}

static void img_close(struct img *m)
{
	xar_guard_destroy(&m->fs);
	close(m->fd);
	free(m->names);
}

/* The inode at "name" or "dir/name" below the root. */
static sqfs_err find(struct img *m, const char *path, sqfs_inode *in)
{
	sqfs_dir_entry e;
	const char *p = path;
	sqfs_err err;
	bool found;

	if ((err = xar_guard_inode_get(&m->fs, in, sqfs_inode_root(&m->fs))))
		return err;
	sqfs_dentry_init(&e, m->names);
	while (*p) {
		size_t n = strcspn(p, "/");

		if ((err = xar_guard_dir_lookup(&m->fs, in, p, n, &e, &found)))
			return err;
		if (!found)
			return SQFS_ERR;
		if ((err = xar_guard_inode_get(&m->fs, in, sqfs_dentry_inode(&e))))
			return err;
		p += n + (p[n] == '/');
	}
	return SQFS_OK;
}

static void expect_bytes(const char *name, const unsigned char *b,
			 uint64_t off, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		ck_assert_msg(b[i] == byte_of(name, off + i), "%s: byte %llu",
			      name, (unsigned long long)(off + i));
}

static const char *const images[] = { "frag.img", "nofrag.img", "raw.img" };

/* Every file at offsets around block edges, for lengths around them. */
START_TEST(test_read_matches_source)
{
	static const uint64_t offs[] = { 0, 1, BS - 1, BS, BS + 1, 2 * BS,
					 3 * BS + 99 };
	static const uint64_t lens[] = { 1, 100, BS, BS + 1, 3 * BS, 1 << 20 };
	unsigned char *buf = malloc(1 << 20);
	struct img m;
	const char *why;
	size_t f, o, l;

	ck_assert_int_eq(img_open(&m, images[_i], &why), 0);
	for (f = 0; f < sizeof(files) / sizeof(*files); f++) {
		sqfs_inode in;
		uint64_t size = files[f].size;

		ck_assert_int_eq(find(&m, files[f].name, &in), SQFS_OK);
		for (o = 0; o < sizeof(offs) / sizeof(*offs); o++)
			for (l = 0; l < sizeof(lens) / sizeof(*lens); l++) {
				uint64_t n = lens[l];
				uint64_t want = offs[o] >= size ? 0 :
					size - offs[o] < n ? size - offs[o] : n;

				ck_assert_int_eq(xar_guard_read_range(&m.fs, &in,
					offs[o], &n, buf, NULL), SQFS_OK);
				ck_assert_uint_eq(n, want);
				expect_bytes(files[f].name, buf, offs[o], n);
			}
	}
	img_close(&m);
	free(buf);
}
END_TEST

/* A cursor kept across reads, forwards then backwards, changes nothing. */
START_TEST(test_read_with_cursor)
{
	struct xar_guard_cursor c;
	unsigned char buf[1000];
	sqfs_inode in;
	struct img m;
	const char *why;
	uint64_t off, n;

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(img_open(&m, images[_i], &why), 0);
	ck_assert_int_eq(find(&m, "sparse", &in), SQFS_OK);
	for (off = 0; off < 6 * BS + 7; off += sizeof(buf)) {
		n = sizeof(buf);
		ck_assert_int_eq(xar_guard_read_range(&m.fs, &in, off, &n, buf,
						      &c), SQFS_OK);
		expect_bytes("sparse", buf, off, n);
	}
	for (off = 6 * BS; off + 1; off -= sizeof(buf)) {
		n = sizeof(buf);
		ck_assert_int_eq(xar_guard_read_range(&m.fs, &in, off, &n, buf,
						      &c), SQFS_OK);
		expect_bytes("sparse", buf, off, n);
		if (off < sizeof(buf))
			break;
	}
	img_close(&m);
}
END_TEST

/* Opened at the offset after entry k, a directory goes on with entry k+1;
 * an offset between entries is refused. */
START_TEST(test_dir_open_at)
{
	sqfs_off_t next[NMANY];
	sqfs_dir_entry e;
	sqfs_inode in;
	sqfs_dir d;
	struct img m;
	const char *why;
	sqfs_err err;
	char want[32];
	size_t k = 0;

	ck_assert_int_eq(img_open(&m, images[_i], &why), 0);
	ck_assert_int_eq(find(&m, "many", &in), SQFS_OK);
	ck_assert_int_eq(xar_guard_dir_open(&m.fs, &in, &d), SQFS_OK);
	sqfs_dentry_init(&e, m.names);
	while (xar_guard_dir_next(&m.fs, &d, &e, &err))
		next[k++] = sqfs_dentry_next_offset(&e);
	ck_assert_int_eq(err, SQFS_OK);
	ck_assert_uint_eq(k, NMANY);
	for (k = 0; k + 1 < NMANY; k += 7) {
		ck_assert_int_eq(xar_guard_dir_open_at(&m.fs, &in, &d, next[k],
						       m.names), SQFS_OK);
		ck_assert(xar_guard_dir_next(&m.fs, &d, &e, &err));
		snprintf(want, sizeof(want), "entry-%03zu", k + 1);
		ck_assert_str_eq(sqfs_dentry_name(&e), want);
	}
	ck_assert_int_ne(xar_guard_dir_open_at(&m.fs, &in, &d, next[3] + 1,
					       m.names), SQFS_OK);
	img_close(&m);
}
END_TEST

/* ---- hostile images: raw.img patched ---- */

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *b;
	int fd = open(at(path), O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	b = malloc(*len);
	ck_assert_int_eq(read(fd, b, *len), (ssize_t)*len);
	close(fd);
	return b;
}

static void spit(const char *path, const unsigned char *b, size_t len)
{
	int fd = open(at(path), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, b, len), (ssize_t)len);
	close(fd);
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* The directory entry of "victim-entry-name": offset, inode number
 * delta, type, size - 1, then the name. */
static unsigned char *victim_entry(unsigned char *img, size_t len)
{
	static const char name[] = "victim-entry-name";
	unsigned char *p = memmem(img, len, name, strlen(name));

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(memmem(p + 1, len - (size_t)(p + 1 - img), name,
				  strlen(name)));
	return p - 8;
}

enum patch { ROOT_OFFSET, ID_COUNT, NAME_SIZE, ENTRY_OFFSET };

static const struct {
	const char *name;
	enum patch patch;
	int at_open; /* refused by xar_guard_init, else when used */
} hostile[] = {
	{ "root inode offset past its block", ROOT_OFFSET, 1 },
	{ "more ids than the id table holds", ID_COUNT, 1 },
	{ "a name of 300 bytes", NAME_SIZE, 0 },
	{ "an inode offset past its block", ENTRY_OFFSET, 0 },
};

static void apply(enum patch what, unsigned char *img, size_t len)
{
	switch (what) {
	case ROOT_OFFSET: put16(img + 32, 0xfff0); break;
	case ID_COUNT: put16(img + 26, 3000); break;
	case NAME_SIZE: put16(victim_entry(img, len) + 6, 299); break;
	case ENTRY_OFFSET: put16(victim_entry(img, len), 0xfff0); break;
	}
}

START_TEST(test_hostile)
{
	size_t len;
	unsigned char *img = slurp("raw.img", &len);
	sqfs_inode in;
	struct img m;
	const char *why;
	char name[32];

	apply(hostile[_i].patch, img, len);
	snprintf(name, sizeof(name), "hostile%d.img", _i);
	spit(name, img, len);
	free(img);
	if (hostile[_i].at_open) {
		ck_assert_int_ne(img_open(&m, name, &why), 0);
		ck_assert_ptr_nonnull(why);
		return;
	}
	ck_assert_int_eq(img_open(&m, name, &why), 0);
	ck_assert_int_eq(find(&m, "one", &in), SQFS_OK);
	ck_assert_int_ne(find(&m, "victim-entry-name", &in), SQFS_OK);
	img_close(&m);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "image_guard");
	int nimg = sizeof(images) / sizeof(*images);

	tcase_add_unchecked_fixture(tc, setup, teardown); /* once: mksquashfs */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_read_matches_source, 0, nimg);
	tcase_add_loop_test(tc, test_read_with_cursor, 0, nimg);
	tcase_add_loop_test(tc, test_dir_open_at, 0, nimg);
	tcase_add_loop_test(tc, test_hostile, 0,
			    sizeof(hostile) / sizeof(*hostile));
	return xar_check_run(s);
}
