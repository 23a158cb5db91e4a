/* Helpers for the unit tests of extraction, verification and the run
 * cache: a scratch directory, files in it, images made by mksquashfs and
 * wrapped in a XAR header, bytes patched in place. Header-only (static
 * functions): each check_*.c is its own program. */
#ifndef XAR_TEST_FIXTURE_H
#define XAR_TEST_FIXTURE_H

#include <check.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/base.h"

#define FX_OFF 4096
#define FX static __attribute__((unused))

static char fx_dir[64];

/* fx_dir/rel, from a small ring of buffers. */
FX const char *fx_at(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
FX const char *fx_at(const char *fmt, ...)
{
	static char p[8][512];
	static int k;
	char rel[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	k = (k + 1) % 8;
	snprintf(p[k], sizeof(p[k]), "%s/%s", fx_dir, rel);
	return p[k];
}

FX void fx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
FX void fx_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

FX void fx_setup_dir(const char *name)
{
	snprintf(fx_dir, sizeof(fx_dir), "/tmp/xar-%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(fx_dir));
	ck_assert_int_eq(chmod(fx_dir, 0755), 0);
}

FX void fx_teardown_dir(void)
{
	/* read-only directories from extractions: make them removable */
	fx_sh("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", fx_dir, fx_dir);
}

FX void fx_file(const char *path, const char *text, mode_t mode,
		    long long mtime)
{
	struct timeval tv[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	if (mtime >= 0)
		ck_assert_int_eq(utimes(path, tv), 0);
}

FX void fx_read(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

FX int fx_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* A XAR header (OFFSET 4096, UUID and XAR_SHA256 of the image bytes when
 * digest, else a fixed UUID) in front of the image file img. */
FX void fx_wrap(const char *img, const char *xar, int digest)
{
	unsigned char md[XAR_SHA256_LEN];
	char hex[2 * XAR_SHA256_LEN + 1], head[FX_OFF];
	struct stat st;
	int fd, n;

	ck_assert_int_eq(stat(img, &st), 0);
	ck_assert_int_eq(xar_sha256_path(img, (uint64_t)st.st_size, md, NULL), 0);
	xar_hex(md, sizeof(md), hex);
	memset(head, '\n', sizeof(head));
	if (digest)
		n = snprintf(head, sizeof(head), "#!/usr/bin/env xarexec\n"
			     "OFFSET=\"4096\"\nUUID=\"%.16s\"\nVERSION=\"1\"\n"
			     "XAR_SHA256=\"%s\"\n#xar_stop\n", hex, hex);
	else
		n = snprintf(head, sizeof(head), "#!/usr/bin/env xarexec\n"
			     "OFFSET=\"4096\"\nUUID=\"0123abcd\"\n"
			     "VERSION=\"1\"\n#xar_stop\n");
	head[n] = '\n';
	fd = open(xar, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, head, sizeof(head)), (ssize_t)sizeof(head));
	close(fd);
	fx_sh("cat '%s' >> '%s'", img, xar);
}

/* mksquashfs src into img (zstd), wrapped into xar. With raw_meta the
 * metadata is stored uncompressed, so that names can be patched, and all
 * times are fixed, so that the image is the same on every run. */
FX void fx_build(const char *src, const char *img, const char *xar,
		     int raw_meta, int digest)
{
	fx_sh("mksquashfs '%s' '%s' -comp zstd -noappend -quiet -no-progress "
	      "%s >/dev/null", src, img, raw_meta ? "-noI -all-time 1600000000 "
	      "-mkfs-time 1600000000" : "");
	fx_wrap(img, xar, digest);
}

/* Replace the only occurrence of from with to (same length) in path. */
FX void fx_patch(const char *path, const char *from, const char *to)
{
	size_t len = strlen(from), n;
	char *buf, *hit;
	struct stat st;
	FILE *f;

	ck_assert_uint_eq(len, strlen(to));
	ck_assert_int_eq(stat(path, &st), 0);
	buf = malloc((size_t)st.st_size);
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, (size_t)st.st_size, f);
	ck_assert_uint_eq(n, (size_t)st.st_size);
	hit = memmem(buf, n, from, len);
	ck_assert_msg(hit != NULL, "'%s' is not in %s", from, path);
	ck_assert_msg(!memmem(hit + 1, n - (size_t)(hit - buf) - 1, from, len),
		      "'%s' is in %s twice", from, path);
	fseek(f, hit - buf, SEEK_SET);
	fwrite(to, 1, len, f);
	fclose(f);
	free(buf);
}

/* XOR one byte of path at off with mask. */
FX void fx_flip(const char *path, long long off, unsigned char mask)
{
	int fd = open(path, O_RDWR);
	unsigned char b;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &b, 1, off), 1);
	b ^= mask;
	ck_assert_int_eq(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

#endif
