/* sqfs-manifest: a canonical listing of a SquashFS image, read through
 * libsquashfuse (lib/image), for tests to diff against tree-manifest.py's
 * listing of a directory on disk.
 *
 * usage: sqfs-manifest [--any-compression] [--no-nlink-check] IMAGE [OFFSET]
 *
 * Manifest format (the same in tree-manifest.py): one line per entry below
 * the root (the root itself is not listed), sorted by escaped path as
 * bytes, nine TAB-separated fields:
 *
 *   path  type  mode  uid  gid  mtime  size  digest  hardlink-group
 *
 *   path    relative to the root, '/'-separated; every byte < 0x21, '\\'
 *           and every byte >= 0x7f written as '\\' and three octal digits
 *           (so a space is \040 and a newline \012)
 *   type    file, dir, symlink, fifo, sock, chr or blk
 *   mode    permission bits with setuid/setgid/sticky, 4 octal digits
 *   uid gid numeric owners
 *   mtime   seconds since the epoch
 *   size    file: bytes; symlink: target length; others: '-'
 *   digest  file: sha256 of the contents; symlink: sha256 of the target;
 *           chr/blk: MAJOR,MINOR; others: '-'
 *   hardlink-group  for a non-directory that shares its inode with other
 *           listed paths: the (escaped) lexicographically first of them;
 *           otherwise '-'
 *
 * Directory sizes and link counts are not listed. Instead this tool checks
 * them against the image's structure (a non-directory's nlink equals the
 * number of its names, a directory's is 2 + its subdirectories, the root
 * included) and, unless --no-nlink-check, exits 1 naming any mismatch
 * after printing the manifest. Other errors exit 2. */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/image.h"
#include "base/base.h"

#define CHUNK (1u << 20)

struct item {
	char *path;    /* escaped */
	char *parent;  /* escaped path of the directory holding it */
	char digest[65];
	const char *group;
	struct xar_image_entry e;
	uint32_t subdirs;
};

struct manifest {
	struct xar_image *img;
	struct item *items;
	size_t n, cap;
	uint32_t root_nlink, root_subdirs;
	unsigned char *buf;
};

static char *escape(const char *s, size_t n)
{
	char *out = malloc(4 * n + 1), *p = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c == '\\' || c >= 0x7f)
			p += sprintf(p, "\\%03o", c);
		else
			*p++ = (char)c;
	}
	*p = '\0';
	return out;
}

static void hex(const unsigned char *md, unsigned n, char *out)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static int sha_file(struct manifest *m, const struct xar_image_entry *e,
		    char *out, struct xar_err *err)
{
	crypto_hash_sha256_state c;
	unsigned char md[crypto_hash_sha256_BYTES];
	uint64_t off = 0;

	crypto_hash_sha256_init(&c);
	while (off < e->size) {
		long long n = xar_image_read(m->img, e, m->buf, CHUNK, off, err);

		if (n <= 0) {
			if (!n)
				xar_err_set(err, EIO, "file ends early");
			return -1;
		}
		crypto_hash_sha256_update(&c, m->buf, (size_t)n);
		off += (uint64_t)n;
	}
	crypto_hash_sha256_final(&c, md);
	hex(md, sizeof(md), out);
	return 0;
}

static void digest(struct manifest *m, struct item *it, const char *target,
		   struct xar_err *err, int *rc)
{
	unsigned char md[crypto_hash_sha256_BYTES];
	uint32_t mode = it->e.mode;

	strcpy(it->digest, "-");
	if (S_ISREG(mode))
		*rc = sha_file(m, &it->e, it->digest, err);
	else if (S_ISLNK(mode)) {
		crypto_hash_sha256(md, (const unsigned char *)target,
				   strlen(target));
		hex(md, sizeof(md), it->digest);
	} else if (S_ISCHR(mode) || S_ISBLK(mode))
		snprintf(it->digest, sizeof(it->digest), "%" PRIu32 ",%" PRIu32,
			 it->e.rdev_major, it->e.rdev_minor);
}

static int collect(void *ctx, const char *path, const struct xar_image_entry *e,
		   const char *target, struct xar_err *err)
{
	struct manifest *m = ctx;
	const char *slash = strrchr(path, '/');
	struct item *it;
	int rc = 0;

	if (!*path) {
		m->root_nlink = e->nlink;
		return 0;
	}
	if (m->n == m->cap &&
	    xar_grow((void **)&m->items, &m->cap, sizeof(*it), 1024))
		return xar_err_set(err, ENOMEM, "out of memory");
	it = &m->items[m->n];
	memset(it, 0, sizeof(*it));
	it->e = *e;
	m->n++;
	it->path = escape(path, strlen(path));
	it->parent = escape(path, slash ? (size_t)(slash - path) : 0);
	if (!it->path || !it->parent)
		return xar_err_set(err, ENOMEM, "out of memory");
	digest(m, it, target, err, &rc);
	if (rc)
		return xar_err_prefix(err, "%s", it->path);
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path,
		      ((const struct item *)b)->path);
}

static int by_inode(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a;
	const struct item *y = *(struct item *const *)b;

	if (x->e.ino != y->e.ino)
		return x->e.ino < y->e.ino ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Hard-link groups, and each non-directory's nlink against its names. */
static int link_groups(struct manifest *m, int *mismatch)
{
	struct item **v = malloc((m->n ? m->n : 1) * sizeof(*v));
	size_t nv = 0, i, j, k;

	if (!v)
		return -1;
	for (i = 0; i < m->n; i++)
		if (!S_ISDIR(m->items[i].e.mode))
			v[nv++] = &m->items[i];
	qsort(v, nv, sizeof(*v), by_inode);
	for (i = 0; i < nv; i = j) {
		for (j = i + 1; j < nv && v[j]->e.ino == v[i]->e.ino; j++)
			;
		for (k = i; k < j; k++) {
			v[k]->group = j - i > 1 ? v[i]->path : "-";
			if (v[k]->e.nlink != j - i) {
				fprintf(stderr, "sqfs-manifest: %s: nlink %" PRIu32
					", but %zu names\n", v[k]->path,
					v[k]->e.nlink, j - i);
				*mismatch = 1;
			}
		}
	}
	free(v);
	return 0;
}

/* A directory's nlink is 2 + its subdirectories. */
static void dir_links(struct manifest *m, int *mismatch)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		struct item key = { .path = m->items[i].parent }, *parent;

		if (!S_ISDIR(m->items[i].e.mode))
			continue;
		if (!*key.path) {
			m->root_subdirs++;
			continue;
		}
		parent = bsearch(&key, m->items, m->n, sizeof(key), by_path);
		if (parent)
			parent->subdirs++;
	}
	for (i = 0; i < m->n; i++) {
		const struct item *it = &m->items[i];

		if (S_ISDIR(it->e.mode) && it->e.nlink != 2 + it->subdirs) {
			fprintf(stderr, "sqfs-manifest: %s: directory nlink %"
				PRIu32 ", but %" PRIu32 " subdirectories\n",
				it->path, it->e.nlink, it->subdirs);
			*mismatch = 1;
		}
	}
	if (m->root_nlink != 2 + m->root_subdirs) {
		fprintf(stderr, "sqfs-manifest: root: directory nlink %" PRIu32
			", but %" PRIu32 " subdirectories\n", m->root_nlink,
			m->root_subdirs);
		*mismatch = 1;
	}
}

static const char *type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	}
	return "unknown";
}

static void print(const struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct item *it = &m->items[i];
		char size[24] = "-";

		if (S_ISREG(it->e.mode) || S_ISLNK(it->e.mode))
			snprintf(size, sizeof(size), "%" PRIu64, it->e.size);
		printf("%s\t%s\t%04o\t%" PRIu32 "\t%" PRIu32 "\t%" PRId64
		       "\t%s\t%s\t%s\n", it->path, type_name(it->e.mode),
		       (unsigned)(it->e.mode & 07777), it->e.uid, it->e.gid,
		       it->e.mtime, size, it->digest,
		       S_ISDIR(it->e.mode) ? "-" : it->group);
	}
}

static void usage(void)
{
	fputs("usage: sqfs-manifest [--any-compression] [--no-nlink-check] "
	      "IMAGE [OFFSET]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct manifest m = { 0 };
	struct xar_err err = { 0 };
	unsigned flags = 0;
	int check_links = 1, mismatch = 0, rc = 2, a = 1;
	uint64_t offset = 0;
	size_t i;

	for (; a < argc && !strncmp(argv[a], "--", 2); a++) {
		if (!strcmp(argv[a], "--any-compression"))
			flags |= XAR_IMAGE_ANY_COMPRESSION;
		else if (!strcmp(argv[a], "--no-nlink-check"))
			check_links = 0;
		else
			usage();
	}
	if (argc - a < 1 || argc - a > 2 ||
	    (argc - a == 2 && xar_parse_u64(argv[a + 1], 0, UINT64_MAX, &offset)))
		usage();
	if (!(m.buf = malloc(CHUNK)) ||
	    xar_image_open(&m.img, argv[a], offset, flags, &err) ||
	    xar_image_walk(m.img, collect, &m, &err))
		goto out;
	qsort(m.items, m.n, sizeof(*m.items), by_path);
	if (link_groups(&m, &mismatch)) {
		xar_err_set(&err, ENOMEM, "out of memory");
		goto out;
	}
	dir_links(&m, &mismatch);
	print(&m);
	rc = check_links && mismatch ? 1 : 0;
out:
	if (rc == 2)
		fprintf(stderr, "sqfs-manifest: %s: %s\n", argv[a],
			err.msg[0] ? err.msg : "out of memory");
	for (i = 0; i < m.n; i++) {
		free(m.items[i].path);
		free(m.items[i].parent);
	}
	free(m.items);
	free(m.buf);
	xar_image_close(m.img);
	return rc;
}
