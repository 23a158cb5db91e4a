#include "base.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int xar_grow(void **arr, size_t *cap, size_t elem, size_t initial)
{
	size_t n = *cap ? *cap * 2 : initial;
	void *p;

	if (n < *cap || n > SIZE_MAX / elem)
		return -1;
	p = realloc(*arr, n * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = n;
	return 0;
}

char *xar_path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = malloc(la + lb + 2);

	if (!p)
		return NULL;
	if (!la) {
		memcpy(p, b, lb + 1);
		return p;
	}
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

int xar_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int xar_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

long long xar_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (long long)done;
}

int xar_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s) {
		errno = EINVAL;
		return -1;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			errno = EINVAL;
			return -1;
		}
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) ? -1 : 0;
}

int xar_rmtree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Field i (from 0) of a passwd line, or NULL. */
static const char *passwd_field(const char *line, int i, size_t *len)
{
	while (i-- > 0 && (line = strchr(line, ':')))
		line++;
	if (!line)
		return NULL;
	*len = strcspn(line, ":\n");
	return line;
}

int xar_passwd_home(uid_t uid, char *out, size_t cap)
{
	FILE *f = fopen("/etc/passwd", "re");
	char line[4096], want[24];
	int rc = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lu", (unsigned long)uid);
	while (rc && fgets(line, sizeof(line), f)) {
		size_t ulen, hlen;
		const char *u = passwd_field(line, 2, &ulen);
		const char *h = passwd_field(line, 5, &hlen);

		if (!u || !h || ulen != strlen(want) || memcmp(u, want, ulen) ||
		    !hlen || hlen >= cap || h[0] != '/')
			continue;
		memcpy(out, h, hlen);
		out[hlen] = '\0';
		rc = 0;
	}
	fclose(f);
	return rc;
}
