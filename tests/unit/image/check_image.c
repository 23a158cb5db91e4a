/* lib/image/image.c: reading an image made by mksquashfs, placed 4096 bytes into
 * a file as in a .xar, through libsquashfuse; refusing broken ones. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "check_main.h"
#include "image/image.h"
#include "tmpdir_fixture.h"

#define OFF 4096
#define BIG_SIZE (300 * 1024 + 17) /* three blocks and a fragment */
#define MTIME 1600000000

static char xar[128];   /* image at OFF, zstd */
static char gzxar[128]; /* image at OFF, gzip */
static uint64_t image_size;

static void mkfile(const char *rel, const char *text, mode_t mode)
{
	FILE *f = fopen(at(rel), "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(at(rel), mode), 0);
}

static unsigned char big_byte(size_t i)
{
	return (unsigned char)((i * 7 + i / 1000) & 0xff);
}

static void mkbig(const char *rel)
{
	FILE *f = fopen(at(rel), "w");
	size_t i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < BIG_SIZE; i++)
		fputc(big_byte(i), f);
	fclose(f);
}

/* Header bytes, then the image file appended. */
static uint64_t make_xar(const char *out, const char *img)
{
	char cmd[512];
	struct stat st;

	snprintf(cmd, sizeof(cmd), "head -c %d /dev/zero | tr '\\0' '\\n' > '%s' "
		 "&& cat '%s' >> '%s'", OFF, out, img, out);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(stat(img, &st), 0);
	return (uint64_t)st.st_size;
}

static void build(const char *comp, const char *img, char *out)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mksquashfs '%s' '%s' -comp %s -noappend "
		 "-quiet -force-uid 1234 -force-gid 5678 >/dev/null",
		 at("src"), img, comp);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(out, 128, "%s/%s.xar", base, comp);
	image_size = make_xar(out, img);
}

static void setup(void)
{
	struct timeval tv[2] = { { MTIME, 0 }, { MTIME, 0 } };

	tmpdir_setup("image");
	ck_assert_int_eq(mkdir(at("src"), 0755), 0);
	ck_assert_int_eq(mkdir(at("src/sub"), 0750), 0);
	ck_assert_int_eq(mkdir(at("src/sub/deeper"), 0755), 0);
	mkfile("src/hello", "hello, world\n", 0644);
	mkfile("src/empty", "", 0600);
	mkfile("src/setuid", "#!/bin/sh\n", 04755);
	mkfile("src/sub/deeper/leaf", "leaf\n", 0444);
	mkbig("src/big");
	ck_assert_int_eq(link(at("src/hello"), at("src/sub/hello-link")), 0);
	ck_assert_int_eq(symlink("../hello", at("src/sub/sym")), 0);
	ck_assert_int_eq(mkfifo(at("src/fifo"), 0640), 0);
	ck_assert_int_eq(lutimes(at("src/hello"), tv), 0);
	build("gzip", at("gz.img"), gzxar);
	build("zstd", at("zstd.img"), xar);
}

static void teardown(void)
{
	tmpdir_teardown();
}

static struct xar_image *open_ok(const char *path)
{
	struct xar_image *img;
	struct xar_err err;

	ck_assert_msg(xar_image_open(&img, path, OFF, 0, &err) == 0, "%s",
		      err.msg);
	return img;
}

START_TEST(test_info)
{
	struct xar_image *img = open_ok(xar);
	const struct xar_image_info *i = xar_image_info(img);

	ck_assert_str_eq(i->compression, "zstd");
	ck_assert_uint_eq(i->offset, OFF);
	ck_assert_uint_eq(i->block_size, 131072);
	ck_assert_uint_le(i->bytes_used, image_size);
	ck_assert_uint_gt(i->bytes_used, image_size - 4096);
	ck_assert_uint_eq(i->inodes, 10); /* root, 2 dirs, 6 files, 1 link */
	xar_image_close(img);
}
END_TEST

/* Every path in walk order, one per line, with a type letter. */
struct listing {
	char text[1024];
	size_t len;
	struct xar_image_entry hello, link, sym, fifo, setuid, sub, root;
	char target[64];
};

static int list_one(void *ctx, const char *path, const struct xar_image_entry *e,
		    const char *target, struct xar_err *err)
{
	struct listing *l = ctx;
	const char *type = S_ISDIR(e->mode) ? "d" : S_ISLNK(e->mode) ? "l" :
			   S_ISFIFO(e->mode) ? "p" : "f";

	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len,
				   "%s %s\n", type, path);
	ck_assert_int_eq(!target, !S_ISLNK(e->mode));
	if (target)
		snprintf(l->target, sizeof(l->target), "%s", target);
	if (!strcmp(path, "hello"))
		l->hello = *e;
	else if (!strcmp(path, "sub/hello-link"))
		l->link = *e;
	else if (!strcmp(path, "sub/sym"))
		l->sym = *e;
	else if (!strcmp(path, "fifo"))
		l->fifo = *e;
	else if (!strcmp(path, "setuid"))
		l->setuid = *e;
	else if (!strcmp(path, "sub"))
		l->sub = *e;
	else if (!*path)
		l->root = *e;
	return 0;
}

START_TEST(test_walk)
{
	struct xar_image *img = open_ok(xar);
	struct listing l = { .len = 0 };
	struct xar_err err;

	ck_assert_int_eq(xar_image_walk(img, list_one, &l, &err), 0);
	ck_assert_str_eq(l.text, "d \nf big\nf empty\np fifo\nf hello\nf setuid\n"
			 "d sub\nd sub/deeper\nf sub/deeper/leaf\n"
			 "f sub/hello-link\nl sub/sym\n");
	ck_assert_uint_eq(l.hello.mode, S_IFREG | 0644);
	ck_assert_uint_eq(l.hello.size, 13);
	ck_assert_uint_eq(l.hello.uid, 1234);
	ck_assert_uint_eq(l.hello.gid, 5678);
	ck_assert_int_eq(l.hello.mtime, MTIME);
	ck_assert_uint_eq(l.hello.nlink, 2);
	ck_assert_uint_eq(l.link.ino, l.hello.ino);
	ck_assert_uint_ne(l.sym.ino, l.hello.ino);
	ck_assert_uint_eq(l.sym.mode & S_IFMT, S_IFLNK);
	ck_assert_uint_eq(l.sym.size, 8);
	ck_assert_str_eq(l.target, "../hello");
	ck_assert_uint_eq(l.fifo.mode, S_IFIFO | 0640);
	ck_assert_uint_eq(l.setuid.mode, S_IFREG | 04755);
	ck_assert_uint_eq(l.sub.mode, S_IFDIR | 0750);
	ck_assert_uint_eq(l.sub.nlink, 3);
	ck_assert_uint_eq(l.root.mode & S_IFMT, S_IFDIR);
	xar_image_close(img);
}
END_TEST

static int stop_at_sub(void *ctx, const char *path,
		       const struct xar_image_entry *e, const char *target,
		       struct xar_err *err)
{
	(*(int *)ctx)++;
	return strcmp(path, "sub") ? 0 : 42;
}

START_TEST(test_walk_stops)
{
	struct xar_image *img = open_ok(xar);
	struct xar_err err;
	int n = 0;

	ck_assert_int_eq(xar_image_walk(img, stop_at_sub, &n, &err), 42);
	ck_assert_int_eq(n, 7);
	xar_image_close(img);
}
END_TEST

static const struct {
	const char *path;
	int rc, code;
	uint32_t type;
	const char *msg;
} lookups[] = {
	{ "", 0, 0, S_IFDIR, NULL },
	{ "/", 0, 0, S_IFDIR, NULL },
	{ "hello", 0, 0, S_IFREG, NULL },
	{ "/sub//deeper/leaf", 0, 0, S_IFREG, NULL },
	{ "sub/deeper/", 0, 0, S_IFDIR, NULL },
	{ "sub/sym", 0, 0, S_IFLNK, NULL },
	{ "missing", -1, ENOENT, 0, "no such file in the image: 'missing'" },
	{ "sub/../hello", -1, ENOENT, 0, "no such file in the image" },
	{ "hello/x", -1, ENOTDIR, 0, "not a directory in the image: 'hello/x'" },
	{ "sub/sym/x", -1, ENOTDIR, 0, "not a directory" },
	{ "new\nline", -1, ENOENT, 0, "'new?line'" },
};

START_TEST(test_lookup)
{
	struct xar_image *img = open_ok(xar);
	struct xar_image_entry e;
	struct xar_err err;

	ck_assert_int_eq(xar_image_lookup(img, lookups[_i].path, &e, &err),
			 lookups[_i].rc);
	if (lookups[_i].rc == 0) {
		ck_assert_uint_eq(e.mode & S_IFMT, lookups[_i].type);
	} else {
		ck_assert_int_eq(err.code, lookups[_i].code);
		ck_assert_msg(strstr(err.msg, lookups[_i].msg), "'%s'", err.msg);
	}
	xar_image_close(img);
}
END_TEST

/* Whole and partial reads, in odd-sized pieces across block edges. */
START_TEST(test_read)
{
	static const size_t pieces[] = { 1, 4095, 65536, 131072, 200000 };
	struct xar_image *img = open_ok(xar);
	struct xar_image_entry e, d;
	struct xar_err err;
	unsigned char *buf = malloc(BIG_SIZE + 10);
	size_t p, i;
	uint64_t off;

	ck_assert_int_eq(xar_image_lookup(img, "big", &e, &err), 0);
	ck_assert_uint_eq(e.size, BIG_SIZE);
	for (p = 0; p < sizeof(pieces) / sizeof(*pieces); p++) {
		memset(buf, 0xaa, BIG_SIZE + 10);
		for (off = 0; off < BIG_SIZE;) {
			long long n = xar_image_read(img, &e, buf + off, pieces[p],
						     off, &err);

			ck_assert_int_gt(n, 0);
			ck_assert_int_le(n, (long long)pieces[p]);
			off += (uint64_t)n;
		}
		for (i = 0; i < BIG_SIZE; i++)
			ck_assert_uint_eq(buf[i], big_byte(i));
	}
	ck_assert_int_eq(xar_image_read(img, &e, buf, 100, BIG_SIZE - 3, &err), 3);
	ck_assert_int_eq(xar_image_read(img, &e, buf, 100, BIG_SIZE, &err), 0);
	ck_assert_int_eq(xar_image_read(img, &e, buf, 100, UINT64_MAX, &err), 0);
	ck_assert_int_eq(xar_image_lookup(img, "hello", &e, &err), 0);
	ck_assert_int_eq(xar_image_read(img, &e, buf, 100, 0, &err), 13);
	ck_assert_mem_eq(buf, "hello, world\n", 13);
	ck_assert_int_eq(xar_image_lookup(img, "empty", &e, &err), 0);
	ck_assert_int_eq(xar_image_read(img, &e, buf, 100, 0, &err), 0);
	ck_assert_int_eq(xar_image_lookup(img, "sub", &d, &err), 0);
	ck_assert_int_eq(xar_image_read(img, &d, buf, 100, 0, &err), -1);
	ck_assert_str_eq(err.msg, "not a regular file");
	free(buf);
	xar_image_close(img);
}
END_TEST

START_TEST(test_readlink)
{
	struct xar_image *img = open_ok(xar);
	struct xar_image_entry e;
	struct xar_err err;
	char *t;

	ck_assert_int_eq(xar_image_lookup(img, "sub/sym", &e, &err), 0);
	ck_assert_int_eq(xar_image_readlink(img, &e, &t, &err), 0);
	ck_assert_str_eq(t, "../hello");
	free(t);
	ck_assert_int_eq(xar_image_lookup(img, "hello", &e, &err), 0);
	ck_assert_int_eq(xar_image_readlink(img, &e, &t, &err), -1);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(err.msg, "not a symlink");
	xar_image_close(img);
}
END_TEST

/* The caller's descriptor stays its own. */
START_TEST(test_open_fd)
{
	struct xar_image *img;
	struct xar_image_entry e;
	struct xar_err err;
	int fd = open(xar, O_RDONLY);

	ck_assert_int_eq(xar_image_open_fd(&img, fd, OFF, 0, &err), 0);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(xar_image_lookup(img, "sub/deeper/leaf", &e, &err), 0);
	xar_image_close(img);
	xar_image_close(NULL);
}
END_TEST

START_TEST(test_other_compression)
{
	struct xar_image *img;
	struct xar_image_entry e;
	struct xar_err err;
	char buf[16];

	ck_assert_int_eq(xar_image_open(&img, gzxar, OFF, 0, &err), -1);
	ck_assert_ptr_null(img);
	ck_assert_str_eq(err.msg, "image is compressed with gzip; xar images "
			 "use zstd");
	ck_assert_int_eq(xar_image_open(&img, gzxar, OFF,
					XAR_IMAGE_ANY_COMPRESSION, &err), 0);
	ck_assert_str_eq(xar_image_info(img)->compression, "gzip");
	ck_assert_int_eq(xar_image_lookup(img, "hello", &e, &err), 0);
	ck_assert_int_eq(xar_image_read(img, &e, buf, sizeof(buf), 0, &err), 13);
	xar_image_close(img);
}
END_TEST

/* Broken files: a copy of the good one, patched or cut. */
static const struct {
	const char *name;
	long patch_at;          /* offset into the image; -1: none */
	const char *bytes;
	size_t nbytes;
	long long keep;         /* bytes of the file kept; 0: all */
	uint64_t offset;
	const char *msg;
} broken[] = {
	{ "wrong magic", 0, "hsqt", 4, 0, OFF,
	  "no SquashFS image at offset 4096 (bad magic)" },
	{ "header as image", -1, NULL, 0, 0, 0, "no SquashFS image at offset 0 (bad magic)" },
	{ "misaligned", -1, NULL, 0, 0, OFF + 1, "bad magic" },
	{ "truncated", -1, NULL, 0, OFF + 1024, OFF, "image is truncated: it should be" },
	{ "cut in superblock", -1, NULL, 0, OFF + 50, OFF,
	  "no SquashFS image at offset 4096: the file ends inside the superblock" },
	{ "offset past end", -1, NULL, 0, OFF, OFF,
	  "no SquashFS image at offset 4096: the file is only 4096 bytes" },
	{ "version 3.1", 28, "\3\0\1\0", 4, 0, OFF, "SquashFS 3.1 is not supported (only 4.0)" },
	{ "unknown compression", 20, "\x2a\0", 2, 0, OFF, "unknown compression 42" },
	{ "lz4", 20, "\5\0", 2, 0, OFF, "compressed with lz4; xar images use zstd" },
	{ "block size", 12, "\0\x30\0\0", 4, 0, OFF, "bad superblock: block size 12288" },
	{ "block log", 22, "\x10\0", 2, 0, OFF, "bad superblock: block size 131072 (log 16)" },
	{ "bytes_used", 40, "\x10\0\0\0\0\0\0\0", 8, 0, OFF,
	  "bad superblock: the image is 16 bytes" },
	{ "huge bytes_used", 40, "\0\0\0\0\0\0\0\x80", 8, 0, OFF, "image is truncated" },
	{ "inode table", 64, "\xff\xff\xff\xff\0\0\0\0", 8, 0, OFF,
	  "bad superblock: the inode table at 4294967295 is outside the image" },
	{ "id table", 48, "\0\0\0\0\0\0\0\0", 8, 0, OFF, "the id table at 0 is outside" },
	{ "root inode", 32, "\0\0\0\0\xff\xff\0\0", 8, 0, OFF,
	  "bad superblock: the root inode is outside the inode table" },
	{ "no ids", 26, "\0\0", 2, 0, OFF, "bad superblock: no ids" },
	{ "fragment count", 16, "\xff\xff\xff\xff", 4, 0, OFF,
	  "bad superblock: a table's index runs past the end of the image" },
};

START_TEST(test_broken)
{
	struct xar_image *img = (struct xar_image *)1;
	struct xar_err err = { 0 };
	const char *path = at("broken.xar");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", xar, path);
	ck_assert_int_eq(system(cmd), 0);
	if (broken[_i].patch_at >= 0) {
		int fd = open(path, O_WRONLY);

		ck_assert_int_eq(pwrite(fd, broken[_i].bytes, broken[_i].nbytes,
					OFF + broken[_i].patch_at),
				 (ssize_t)broken[_i].nbytes);
		close(fd);
	}
	if (broken[_i].keep)
		ck_assert_int_eq(truncate(path, broken[_i].keep), 0);
	ck_assert_int_eq(xar_image_open(&img, path, broken[_i].offset, 0, &err), -1);
	ck_assert_ptr_null(img);
	ck_assert_msg(strstr(err.msg, broken[_i].msg), "%s: '%s' lacks '%s'",
		      broken[_i].name, err.msg, broken[_i].msg);
}
END_TEST

START_TEST(test_garbage)
{
	struct xar_image *img;
	struct xar_err err;
	const char *path = at("garbage");
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "head -c 65536 /dev/urandom > '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(xar_image_open(&img, path, OFF, 0, &err), -1);
	ck_assert_str_eq(err.msg, "no SquashFS image at offset 4096 (bad magic)");
	ck_assert_int_eq(xar_image_open(&img, at("nonexistent"), 0, 0, &err), -1);
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
	ck_assert_int_eq(xar_image_open(&img, base, 0, 0, &err), -1);
	ck_assert_str_eq(err.msg, "not a regular file");
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "image");

	tcase_add_unchecked_fixture(tc, setup, teardown); /* once: mksquashfs */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_walk_stops);
	tcase_add_loop_test(tc, test_lookup, 0, sizeof(lookups) / sizeof(*lookups));
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_readlink);
	tcase_add_test(tc, test_open_fd);
	tcase_add_test(tc, test_other_compression);
	tcase_add_loop_test(tc, test_broken, 0, sizeof(broken) / sizeof(*broken));
	tcase_add_test(tc, test_garbage);
	return xar_check_run(s);
}
