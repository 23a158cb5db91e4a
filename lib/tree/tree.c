#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

static struct xar_node *node_new(struct xar_tree *t, mode_t mode)
{
	struct xar_node *n;

	if (t->nnodes == t->capnodes &&
	    xar_grow((void **)&t->nodes, &t->capnodes, sizeof(*t->nodes), 64))
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->mode = mode;
	t->nodes[t->nnodes++] = n;
	return n;
}

static void node_free(struct xar_node *n)
{
	size_t i;

	for (i = 0; i < n->nchildren; i++)
		free(n->children[i].name);
	free(n->children);
	free(n->target);
	free(n->src);
	free(n->content);
	free(n);
}

int xar_tree_init(struct xar_tree *t, const struct xar_tree_opts *opts,
		  struct xar_err *err)
{
	memset(t, 0, sizeof(*t));
	t->opts = *opts;
	t->root = node_new(t, S_IFDIR | 0755);
	if (!t->root)
		return xar_err_set(err, ENOMEM, "out of memory");
	t->root->synthetic = 1;
	t->root->nlink = 1;
	return 0;
}

void xar_tree_free(struct xar_tree *t)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++)
		node_free(t->nodes[i]);
	free(t->nodes);
	free(t->links);
	memset(t, 0, sizeof(*t));
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct xar_entry *)a)->name,
		      ((const struct xar_entry *)b)->name);
}

static struct xar_entry *child_find(struct xar_node *dir, const char *name)
{
	struct xar_entry key = { .name = (char *)name };

	if (!dir->nchildren)
		return NULL;
	if (dir->unsorted) {
		qsort(dir->children, dir->nchildren, sizeof(*dir->children),
		      entry_cmp);
		dir->unsorted = 0;
	}
	return bsearch(&key, dir->children, dir->nchildren,
		       sizeof(*dir->children), entry_cmp);
}

static int child_append(struct xar_node *dir, const char *name,
			struct xar_node *n)
{
	struct xar_entry *e;

	if (dir->nchildren == dir->capchildren &&
	    xar_grow((void **)&dir->children, &dir->capchildren,
		     sizeof(*dir->children), 8))
		return -1;
	e = &dir->children[dir->nchildren];
	e->name = strdup(name);
	if (!e->name)
		return -1;
	e->node = n;
	if (dir->nchildren && strcmp(dir->children[dir->nchildren - 1].name,
				     name) > 0)
		dir->unsorted = 1;
	dir->nchildren++;
	n->nlink++;
	if (S_ISDIR(n->mode))
		n->parent = dir;
	return 0;
}

/* Point an existing entry at a new node (a later source wins). */
static void entry_replace(struct xar_node *dir, struct xar_entry *e,
			  struct xar_node *n)
{
	e->node->nlink--;
	e->node = n;
	n->nlink++;
	if (S_ISDIR(n->mode))
		n->parent = dir;
}

static size_t link_slot(const struct xar_tree *t, dev_t dev, ino_t ino)
{
	size_t h = (size_t)(ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev);
	size_t mask = t->caplinks - 1;

	for (h &= mask; t->links[h]; h = (h + 1) & mask)
		if (t->links[h]->src_ino == ino && t->links[h]->src_dev == dev)
			break;
	return h;
}

static struct xar_node *link_find(const struct xar_tree *t, dev_t dev,
				  ino_t ino)
{
	if (!t->caplinks)
		return NULL;
	return t->links[link_slot(t, dev, ino)];
}

static int link_add(struct xar_tree *t, struct xar_node *n)
{
	if (2 * (t->nlinks + 1) > t->caplinks) {
		struct xar_node **old = t->links;
		size_t i, oldcap = t->caplinks;

		t->caplinks = oldcap ? 2 * oldcap : 64;
		t->links = calloc(t->caplinks, sizeof(*t->links));
		if (!t->links) {
			t->links = old;
			t->caplinks = oldcap;
			return -1;
		}
		for (i = 0; i < oldcap; i++)
			if (old[i])
				t->links[link_slot(t, old[i]->src_dev,
						   old[i]->src_ino)] = old[i];
		free(old);
	}
	t->links[link_slot(t, n->src_dev, n->src_ino)] = n;
	t->nlinks++;
	return 0;
}

/* Whether one of the globs matches: with '/' the relative path, else the
 * name. */
static int glob_match(const char *const *globs, size_t n, const char *rel)
{
	const char *base = strrchr(rel, '/');
	size_t i;

	base = base ? base + 1 : rel;
	for (i = 0; i < n; i++) {
		const char *g = globs[i];

		if (strchr(g, '/') ? !fnmatch(g, rel, FNM_PATHNAME) :
				     !fnmatch(g, base, 0))
			return 1;
	}
	return 0;
}

static int excluded(const struct xar_tree *t, const char *rel)
{
	return glob_match(t->opts.excludes, t->opts.nexcludes, rel) &&
	       !glob_match(t->opts.includes, t->opts.nincludes, rel);
}

static int read_symlink(const char *path, off_t hint, char **out,
			struct xar_err *err)
{
	size_t cap = hint > 0 && hint < 65536 ? (size_t)hint + 1 : 256;

	for (;;) {
		char *buf = malloc(cap);
		ssize_t n;

		if (!buf)
			return xar_err_set(err, ENOMEM, "out of memory");
		n = readlink(path, buf, cap);
		if (n < 0) {
			free(buf);
			return xar_err_sys(err, "cannot read link '%s'", path);
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			*out = buf;
			return 0;
		}
		free(buf);
		if (cap >= 65536)
			return xar_err_set(err, ENAMETOOLONG,
					   "link target of '%s' too long", path);
		cap *= 2;
	}
}

/* The node for a non-directory found on disk (shared for hard links). */
static struct xar_node *leaf_node(struct xar_tree *t, const char *path,
				  const struct stat *st, struct xar_err *err)
{
	struct xar_node *n;

	if (st->st_nlink > 1 && (n = link_find(t, st->st_dev, st->st_ino)))
		return n;
	n = node_new(t, st->st_mode);
	if (!n)
		goto oom;
	n->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	n->rdev = st->st_rdev;
	n->src_dev = st->st_dev;
	n->src_ino = st->st_ino;
	if (S_ISREG(st->st_mode) && !(n->src = strdup(path)))
		goto oom;
	if (S_ISLNK(st->st_mode) &&
	    read_symlink(path, st->st_size, &n->target, err))
		return NULL;
	if (st->st_nlink > 1 && link_add(t, n))
		goto oom;
	return n;
oom:
	xar_err_set(err, ENOMEM, "out of memory");
	return NULL;
}

static void take_attrs(const struct xar_tree *t, struct xar_node *n,
		       const struct stat *st)
{
	n->mode = st->st_mode;
	n->mtime = st->st_mtime;
	n->uid = t->opts.keep_owner ? st->st_uid : 0;
	n->gid = t->opts.keep_owner ? st->st_gid : 0;
	n->synthetic = 0;
}

static int add_path(struct xar_tree *t, struct xar_node *dir,
		    const char *name, const char *path, const char *rel,
		    int fresh, struct xar_err *err);

/* Merge the entries of directory PATH into node DIR. */
static int add_dir_contents(struct xar_tree *t, struct xar_node *dir,
			    const char *path, const char *rel,
			    struct xar_err *err)
{
	int fresh = dir->nchildren == 0, rc = -1;
	struct dirent *de;
	char *cpath = NULL, *crel = NULL;
	DIR *d = opendir(path);

	if (!d)
		return xar_err_sys(err, "cannot open directory '%s'", path);
	for (errno = 0; (de = readdir(d)); errno = 0) {
		const char *nm = de->d_name;

		if (!strcmp(nm, ".") || !strcmp(nm, ".."))
			continue;
		free(cpath);
		free(crel);
		cpath = xar_path_join(path, nm);
		crel = xar_path_join(rel, nm);
		if (!cpath || !crel) {
			xar_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		if (excluded(t, crel))
			continue;
		if (add_path(t, dir, nm, cpath, crel, fresh, err))
			goto out;
	}
	if (errno) {
		xar_err_sys(err, "cannot read directory '%s'", path);
		goto out;
	}
	rc = 0;
out:
	free(cpath);
	free(crel);
	closedir(d);
	return rc;
}

/* Add disk object PATH as entry NAME of DIR. */
static int add_path(struct xar_tree *t, struct xar_node *dir,
		    const char *name, const char *path, const char *rel,
		    int fresh, struct xar_err *err)
{
	struct xar_entry *e = fresh ? NULL : child_find(dir, name);
	struct xar_node *n;
	struct stat st;

	if (lstat(path, &st))
		return xar_err_sys(err, "cannot stat '%s'", path);
	if (strlen(name) > SQFS_NAME_LIMIT)
		return xar_err_set(err, ENAMETOOLONG, "name too long: '%s'", path);
	if (S_ISDIR(st.st_mode)) {
		if (e && S_ISDIR(e->node->mode)) {
			n = e->node;
		} else {
			if (!(n = node_new(t, st.st_mode)))
				return xar_err_set(err, ENOMEM, "out of memory");
			if (e)
				entry_replace(dir, e, n);
			else if (child_append(dir, name, n))
				return xar_err_set(err, ENOMEM, "out of memory");
		}
		take_attrs(t, n, &st);
		return add_dir_contents(t, n, path, rel, err);
	}
	if (!(n = leaf_node(t, path, &st, err)))
		return -1;
	take_attrs(t, n, &st);
	if (e)
		entry_replace(dir, e, n);
	else if (child_append(dir, name, n))
		return xar_err_set(err, ENOMEM, "out of memory");
	return 0;
}

/* Find or make (as a synthetic directory) the directory at image path
 * components dest[0..len). */
static struct xar_node *dest_dir(struct xar_tree *t, const char *dest,
				 size_t len, struct xar_err *err)
{
	struct xar_node *dir = t->root;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		char name[SQFS_NAME_LIMIT + 1];
		struct xar_entry *e;
		struct xar_node *n;

		while (j < len && dest[j] != '/')
			j++;
		if (j - i > SQFS_NAME_LIMIT) {
			xar_err_set(err, ENAMETOOLONG, "name too long in '%s'", dest);
			return NULL;
		}
		memcpy(name, dest + i, j - i);
		name[j - i] = '\0';
		e = child_find(dir, name);
		if (e && S_ISDIR(e->node->mode)) {
			dir = e->node;
		} else {
			if (!(n = node_new(t, S_IFDIR | 0755)))
				goto oom;
			n->synthetic = 1;
			if (e)
				entry_replace(dir, e, n);
			else if (child_append(dir, name, n))
				goto oom;
			dir = n;
		}
		i = j + 1;
	}
	return dir;
oom:
	xar_err_set(err, ENOMEM, "out of memory");
	return NULL;
}

/* Normalise DEST: no leading, trailing or doubled '/', no '.' or '..'. */
static int clean_dest(const char *dest, char **out, struct xar_err *err)
{
	char *buf = malloc(strlen(dest) + 1), *w = buf;
	const char *p = dest;

	if (!buf)
		return xar_err_set(err, ENOMEM, "out of memory");
	while (*p) {
		const char *q;

		while (*p == '/')
			p++;
		q = p;
		while (*q && *q != '/')
			q++;
		if (q == p)
			break;
		if ((q - p == 1 && p[0] == '.') ||
		    (q - p == 2 && p[0] == '.' && p[1] == '.')) {
			free(buf);
			return xar_err_set(err, EINVAL,
				"destination '%s' must not contain '.' or '..'", dest);
		}
		if (w != buf)
			*w++ = '/';
		memcpy(w, p, (size_t)(q - p));
		w += q - p;
		p = q;
	}
	*w = '\0';
	*out = buf;
	return 0;
}

int xar_tree_add(struct xar_tree *t, const char *src, const char *dest,
		 struct xar_err *err)
{
	struct xar_node *dir;
	struct stat st;
	char *d = NULL;
	const char *slash, *name;
	int rc = -1;

	if (lstat(src, &st))
		return xar_err_sys(err, "cannot stat '%s'", src);
	if (clean_dest(dest, &d, err))
		return -1;
	if (!*d) {
		if (!S_ISDIR(st.st_mode)) {
			xar_err_set(err, EINVAL, "'%s' is not a directory; "
				    "place a file with PATH=DEST", src);
			goto out;
		}
		take_attrs(t, t->root, &st);
		rc = add_dir_contents(t, t->root, src, "", err);
		goto out;
	}
	slash = strrchr(d, '/');
	name = slash ? slash + 1 : d;
	dir = dest_dir(t, d, slash ? (size_t)(slash - d) : 0, err);
	if (dir)
		rc = add_path(t, dir, name, src, name, 0, err);
out:
	free(d);
	return rc;
}

int xar_tree_merge(struct xar_tree *t, const char *src, const char *dest,
		   int use_excludes, struct xar_err *err)
{
	size_t nexcludes = t->opts.nexcludes;
	struct xar_node *dir;
	char *d = NULL;
	int rc = -1;

	if (clean_dest(dest, &d, err))
		return -1;
	if (!use_excludes)
		t->opts.nexcludes = 0;
	dir = dest_dir(t, d, strlen(d), err);
	if (dir)
		rc = add_dir_contents(t, dir, src, "", err);
	t->opts.nexcludes = nexcludes;
	free(d);
	return rc;
}

int xar_tree_merge_filtered(struct xar_tree *t, const char *src,
			    const char *dest, const struct xar_tree_opts *f,
			    struct xar_err *err)
{
	struct xar_tree_opts saved = t->opts;
	int rc;

	t->opts.excludes = f->excludes;
	t->opts.nexcludes = f->nexcludes;
	t->opts.includes = f->includes;
	t->opts.nincludes = f->nincludes;
	rc = xar_tree_merge(t, src, dest, 1, err);
	t->opts = saved;
	return rc;
}

int xar_tree_add_bytes(struct xar_tree *t, const char *dest, const void *data,
		       size_t len, mode_t perm, struct xar_err *err)
{
	struct xar_node *dir, *n;
	struct xar_entry *e;
	const char *slash, *name;
	char *d = NULL;
	int rc = -1;

	if (clean_dest(dest, &d, err))
		return -1;
	slash = strrchr(d, '/');
	name = slash ? slash + 1 : d;
	if (!*name || strlen(name) > SQFS_NAME_LIMIT) {
		xar_err_set(err, EINVAL, "bad destination '%s'", dest);
		goto out;
	}
	dir = dest_dir(t, d, slash ? (size_t)(slash - d) : 0, err);
	if (!dir)
		goto out;
	n = node_new(t, S_IFREG | (perm & 07777));
	if (!n || !(n->content = malloc(len ? len : 1))) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	memcpy(n->content, data, len);
	n->size = len;
	n->synthetic = 1;
	e = child_find(dir, name);
	if (e)
		entry_replace(dir, e, n);
	else if (child_append(dir, name, n)) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(d);
	return rc;
}

int xar_tree_add_source(struct xar_tree *t, const char *spec,
			struct xar_err *err)
{
	const char *eq = strrchr(spec, '=');
	struct stat st;
	char *src;
	int rc;

	if (!eq) {
		const char *base;

		if (lstat(spec, &st))
			return xar_err_sys(err, "cannot stat '%s'", spec);
		if (S_ISDIR(st.st_mode))
			return xar_tree_add(t, spec, "", err);
		base = strrchr(spec, '/');
		return xar_tree_add(t, spec, base ? base + 1 : spec, err);
	}
	if (eq == spec)
		return xar_err_set(err, EINVAL, "source '%s' has no PATH before '='",
				   spec);
	src = strndup(spec, (size_t)(eq - spec));
	if (!src)
		return xar_err_set(err, ENOMEM, "out of memory");
	rc = xar_tree_add(t, src, eq + 1, err);
	free(src);
	return rc;
}

struct xar_node *xar_tree_lookup(const struct xar_tree *t, const char *path)
{
	struct xar_node *n = t->root;

	while (n && *path) {
		char name[SQFS_NAME_LIMIT + 1];
		size_t len = strcspn(path, "/");
		struct xar_entry *e;

		if (len == 0) {
			path++;
			continue;
		}
		if (len > SQFS_NAME_LIMIT || !S_ISDIR(n->mode))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		e = child_find(n, name);
		n = e ? e->node : NULL;
		path += len;
	}
	return n;
}

static int walk(struct xar_node *dir, char **path, size_t *cap, size_t len,
		xar_tree_visit_fn fn, void *arg)
{
	size_t i;
	int rc;

	child_find(dir, ""); /* sorts */
	for (i = 0; i < dir->nchildren; i++) {
		const struct xar_entry *e = &dir->children[i];
		size_t nl = strlen(e->name), need = len + nl + 2;

		if (need > *cap) {
			char *p = realloc(*path, need * 2);

			if (!p)
				return -ENOMEM;
			*path = p;
			*cap = need * 2;
		}
		if (len)
			(*path)[len] = '/';
		memcpy(*path + len + !!len, e->name, nl + 1);
		if ((rc = fn(e->node, *path, arg)))
			return rc;
		if (S_ISDIR(e->node->mode) &&
		    (rc = walk(e->node, path, cap, len + !!len + nl, fn, arg)))
			return rc;
		(*path)[len] = '\0';
	}
	return 0;
}

int xar_tree_walk(struct xar_tree *t, xar_tree_visit_fn fn, void *arg)
{
	size_t cap = 256;
	char *path = calloc(1, cap);
	int rc;

	if (!path)
		return -ENOMEM;
	rc = fn(t->root, "", arg);
	if (!rc)
		rc = walk(t->root, &path, &cap, 0, fn, arg);
	free(path);
	return rc;
}

static void count_links(struct xar_node *dir)
{
	size_t i;

	for (i = 0; i < dir->nchildren; i++) {
		struct xar_node *n = dir->children[i].node;

		if (n->nlink++ == 0 && S_ISDIR(n->mode))
			count_links(n);
	}
}

void xar_tree_sort(struct xar_tree *t)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		if (S_ISDIR(t->nodes[i]->mode))
			child_find(t->nodes[i], "");
		t->nodes[i]->nlink = 0;
	}
	/* Count only names still reachable: a replaced directory's
	 * subtree may hold other names of a hard-linked file. */
	t->root->nlink = 1;
	count_links(t->root);
}

static void clamp_times(struct xar_node *n, int64_t clamp, int64_t *newest)
{
	if (clamp >= 0 && n->mtime > clamp)
		n->mtime = clamp;
	if (n->mtime < 0)
		n->mtime = 0;
	if (n->mtime > (int64_t)UINT32_MAX)
		n->mtime = UINT32_MAX;
	if (!n->synthetic && n->nlink && n->mtime > *newest)
		*newest = n->mtime;
}

int64_t xar_tree_finish_times(struct xar_tree *t, int64_t clamp)
{
	int64_t newest = 0;
	size_t i;

	for (i = 0; i < t->nnodes; i++)
		clamp_times(t->nodes[i], clamp, &newest);
	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i]->synthetic)
			t->nodes[i]->mtime = newest;
	return newest;
}
