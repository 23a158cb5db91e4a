/* Recording a start-up (record.h): mkxar --profile's private mount, and a
 * first mount learning its start-up. Names are found by inode through a
 * hash index (a listing of a large directory adds thousands); the read
 * ranges, a few hundred, by a linear search. Memory failures only cut
 * the record short. */
#include "record.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "header/header.h"

#define ROOT_INO 1 /* FUSE_ROOT_ID */

struct node {
	uint64_t ino, parent;
	char *name;
};

/* Blocks first..last of ino, or (name set) name absent from parent. */
struct range {
	uint64_t ino, first, last;
	uint64_t parent;
	char *name;
};

struct xar_record {
	struct node *v;
	size_t n, cap;
	size_t *index;       /* open addressing: 1 + a node's place, or 0 */
	size_t nindex;       /* a power of two, at least twice n */
	struct range *order; /* block ranges and absent names, in order */
	size_t norder, caporder;
	size_t nabsent;      /* of them absent names, at most ABSENT_MAX */
};

/* The kernel keeps each absent name (a negative entry), so it is looked
 * up once; an app probing for many names is not followed further. */
#define ABSENT_MAX 4096

struct xar_record *xar_record_new(void)
{
	return calloc(1, sizeof(struct xar_record));
}

static size_t *slot_of(const struct xar_record *r, uint64_t ino)
{
	size_t i = (size_t)(ino * 0x9e3779b97f4a7c15ull) & (r->nindex - 1);

	while (r->index[i] && r->v[r->index[i] - 1].ino != ino)
		i = (i + 1) & (r->nindex - 1);
	return &r->index[i];
}

static struct node *find(const struct xar_record *r, uint64_t ino)
{
	size_t *slot;

	if (!r->nindex)
		return NULL;
	slot = slot_of(r, ino);
	return *slot ? &r->v[*slot - 1] : NULL;
}

/* Room in the index for one more node. */
static int grow_index(struct xar_record *r)
{
	size_t *old = r->index, nold = r->nindex, i;

	if (2 * (r->n + 1) <= r->nindex)
		return 0;
	r->nindex = nold ? nold * 2 : 512;
	if (!(r->index = calloc(r->nindex, sizeof(*r->index)))) {
		r->index = old;
		r->nindex = nold;
		return -1;
	}
	for (i = 0; i < nold; i++)
		if (old[i])
			*slot_of(r, r->v[old[i] - 1].ino) = old[i];
	free(old);
	return 0;
}

static int grow(void **v, size_t *cap, size_t n, size_t each)
{
	size_t c = *cap ? *cap * 2 : 256;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = realloc(*v, c * each)))
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

void xar_record_lookup(struct xar_record *r, uint64_t parent,
		       const char *name, uint64_t ino)
{
	struct node *n;

	if (!r || !ino || find(r, ino) || grow_index(r) ||
	    grow((void **)&r->v, &r->cap, r->n, sizeof(*r->v)))
		return; /* the first name of a hard-linked file stays */
	n = &r->v[r->n];
	if (!(n->name = strdup(name)))
		return;
	n->ino = ino;
	n->parent = parent;
	*slot_of(r, ino) = r->n + 1;
	r->n++;
}

/* Blocks of ino read before (in any recorded range). */
static int seen(const struct xar_record *r, uint64_t ino, uint64_t first,
		uint64_t last)
{
	size_t i;

	for (i = 0; i < r->norder; i++)
		if (!r->order[i].name && r->order[i].ino == ino &&
		    r->order[i].first <= first &&
		    r->order[i].last >= last)
			return 1;
	return 0;
}

void xar_record_read(struct xar_record *r, uint64_t ino, uint64_t first,
		     uint64_t last)
{
	struct range *prev;

	if (!r || !find(r, ino) || seen(r, ino, first, last))
		return;
	prev = r->norder ? &r->order[r->norder - 1] : NULL;
	if (prev && !prev->name && prev->ino == ino && first >= prev->first &&
	    first <= prev->last + 1) {
		if (last > prev->last)
			prev->last = last; /* a sequential read goes on */
		return;
	}
	if (grow((void **)&r->order, &r->caporder, r->norder,
		 sizeof(*r->order)))
		return;
	memset(&r->order[r->norder], 0, sizeof(*r->order));
	r->order[r->norder].ino = ino;
	r->order[r->norder].first = first;
	r->order[r->norder++].last = last;
}

void xar_record_absent(struct xar_record *r, uint64_t parent,
		       const char *name)
{
	char *copy;

	if (!r || r->nabsent >= ABSENT_MAX || !(copy = strdup(name)))
		return;
	if (grow((void **)&r->order, &r->caporder, r->norder,
		 sizeof(*r->order))) {
		free(copy);
		return;
	}
	memset(&r->order[r->norder], 0, sizeof(*r->order));
	r->order[r->norder].parent = parent;
	r->order[r->norder++].name = copy;
	r->nabsent++;
}

/* ino's path from the root, written backwards into the end of buf; the
 * start of it, or NULL when it does not fit or a parent is unknown. */
static char *path_of(const struct xar_record *r, uint64_t ino, char *buf,
		     size_t size)
{
	char *p = buf + size - 1;
	size_t depth = 0;

	*p = '\0';
	while (ino != ROOT_INO) {
		const struct node *n = find(r, ino);
		size_t len;

		if (!n || ++depth > 4096)
			return NULL;
		len = strlen(n->name);
		if ((size_t)(p - buf) < len + 1)
			return NULL;
		if (*p)
			*--p = '/';
		p -= len;
		memcpy(p, n->name, len);
		ino = n->parent;
	}
	return p;
}

/* One line of the list into line[0..size): its length, 0 when a path
 * cannot be made or the line does not fit. */
static size_t format_line(const struct xar_record *r, const struct range *o,
			  char *buf, size_t buf_size, char *line, size_t size)
{
	const char *p;
	int n = -1;

	if (!o->name) {
		if ((p = path_of(r, o->ino, buf, buf_size)))
			n = snprintf(line, size, "%s\t%llu-%llu\n", p,
				     (unsigned long long)o->first,
				     (unsigned long long)o->last);
	} else if ((p = path_of(r, o->parent, buf, buf_size))) {
		n = snprintf(line, size, "%s%s%s\t%s\n", p, *p ? "/" : "",
			     o->name, XAR_STARTUP_ABSENT);
	}
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The complete lines of a list (each ending in a newline), found by
 * hash: a list of up to 1 MiB is checked against every line written
 * after it in time linear in both. */
struct line_set {
	const char *text;
	size_t len;
	uint32_t *slot;  /* offset of a line + 1; 0: empty */
	size_t mask;
};

static size_t line_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return (size_t)h;
}

/* 0, or -1 when text is too long or memory short (then nothing is
 * found in it). */
static int line_set_init(struct line_set *s, const char *text, size_t len)
{
	const char *p, *nl, *end = text + len;
	size_t lines = 0, cap = 16, i;

	memset(s, 0, sizeof(*s));
	if (len > UINT32_MAX - 1)
		return -1;
	for (p = text; p < end && (nl = memchr(p, '\n', (size_t)(end - p)));
	     p = nl + 1)
		lines++;
	while (cap < 2 * lines)
		cap *= 2;
	if (!(s->slot = calloc(cap, sizeof(*s->slot))))
		return -1;
	s->text = text;
	s->len = len;
	s->mask = cap - 1;
	for (p = text; p < end && (nl = memchr(p, '\n', (size_t)(end - p)));
	     p = nl + 1) {
		i = line_hash(p, (size_t)(nl + 1 - p)) & s->mask;
		while (s->slot[i])
			i = (i + 1) & s->mask;
		s->slot[i] = (uint32_t)(p - text) + 1;
	}
	return 0;
}

/* Whether the set holds line[0..n) (with its newline) as a line. */
static int line_set_has(const struct line_set *s, const char *line, size_t n)
{
	size_t i, at;

	if (!s->slot)
		return 0;
	for (i = line_hash(line, n) & s->mask; s->slot[i];
	     i = (i + 1) & s->mask) {
		at = s->slot[i] - 1;
		if (n <= s->len - at && !memcmp(s->text + at, line, n))
			return 1; /* both start a line and end at a newline */
	}
	return 0;
}

int xar_record_empty(const struct xar_record *r)
{
	return !r || r->norder == r->nabsent; /* no block range */
}

int xar_record_write(const struct xar_record *r, const char *path)
{
	return xar_record_write_after(r, NULL, 0, path);
}

int xar_record_write_after(const struct xar_record *r, const char *head,
			   size_t head_len, const char *path)
{
	char buf[8192], line[8192 + 64], *tmp = NULL;
	struct line_set held = { 0 };
	FILE *f = NULL;
	size_t i, n;
	int fd, rc = -1;

	if (!r || asprintf(&tmp, "%s.tmp", path) < 0)
		return -1;
	while (head_len && head[head_len - 1] != '\n')
		head_len--; /* a cut last line is not kept */
	if (head_len)
		line_set_init(&held, head, head_len);
	/* one a killed writer left: its directory is ours alone (mkxar's
	 * private one, or the checked mount root's), and two servers of one
	 * image racing here cost at most a list cut short, which readers
	 * drop the cut line of */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		free(tmp);
		return -1;
	}
	if (!(f = fdopen(fd, "w")))
		goto out;
	fd = -1;
	if (head_len)
		fwrite(head, 1, head_len, f);
	for (i = 0; i < r->norder; i++) {
		n = format_line(r, &r->order[i], buf, sizeof(buf), line,
				sizeof(line));
		if (n && !line_set_has(&held, line, n))
			fwrite(line, 1, n, f);
	}
	if (fclose(f) == 0 && rename(tmp, path) == 0)
		rc = 0;
	f = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	free(held.slot);
	free(tmp);
	return rc;
}

void xar_record_free(struct xar_record *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i].name);
	for (i = 0; i < r->norder; i++)
		free(r->order[i].name);
	free(r->v);
	free(r->index);
	free(r->order);
	free(r);
}
