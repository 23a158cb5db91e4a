/* The in-memory tree mkxar packs: directories, files, links and special
 * files gathered from one or more sources, merged into one image tree.
 * Hard links share one struct xar_node; directory children are kept sorted
 * by name (bytewise), as SquashFS lookups require. */
#ifndef XAR_TREE_H
#define XAR_TREE_H

#include <stdint.h>
#include <sys/types.h>

#include "base/base.h"

struct xar_entry;

/* What the SquashFS writer records for a regular file's data. Shared by
 * files with identical contents. */
struct xar_file_data {
	uint64_t start;       /* image offset of the first block */
	uint32_t *blocks;     /* size word per full block (bit 24: stored raw) */
	uint64_t nblocks;
	uint64_t sparse;      /* bytes saved by holes */
	uint32_t frag_index;  /* SQFS_INVALID_FRAG when no tail fragment */
	uint32_t frag_offset;
	unsigned char digest[32]; /* SHA-256 when hashed for deduplication */
	int hashed;
	struct xar_node *owner;   /* the file whose blocks these are */
};

struct xar_node {
	mode_t mode;          /* type and permission bits */
	uint32_t uid, gid;
	int64_t mtime;
	uint64_t size;        /* regular files */
	dev_t rdev;           /* devices */
	char *target;         /* symlinks */
	char *src;            /* regular files: path to read the data from, */
	unsigned char *content; /* or the data itself (generated files) */
	uint32_t nlink;       /* entries naming this node */
	uint32_t ino;         /* SquashFS inode number, assigned by the writer */
	uint64_t ref;         /* inode reference, once written */
	int written;
	int synthetic;        /* directory made up to hold a DEST path */
	uint32_t seq;         /* regular files: place in a depth-first walk
			       * in name order, assigned by the writer */
	uint32_t rank;        /* regular files: place on the start-up list
			       * (1 first), whose data the writer lays out
			       * first and in that order; 0: not on it */
	int quick_read;       /* regular files: compress for decompression
			       * speed over size (read at every start) */
	struct xar_file_data *data;      /* regular files */
	struct xar_node *parent;         /* directories */
	struct xar_entry *children;      /* directories */
	size_t nchildren, capchildren;
	int unsorted;                    /* children need sorting by name */
	dev_t src_dev;        /* identity on disk, to find hard links */
	ino_t src_ino;
};

struct xar_entry {
	char *name;
	struct xar_node *node;
};

struct xar_tree_opts {
	const char *const *excludes; /* fnmatch globs; with '/' they match the
					relative path, else the name */
	size_t nexcludes;
	const char *const *includes; /* globs, matched alike, that keep what
					an exclude would drop */
	size_t nincludes;
	int keep_owner;              /* else every entry is root:root */
};

struct xar_tree {
	struct xar_node *root;
	struct xar_tree_opts opts;
	struct xar_node **nodes;     /* every node made, for freeing */
	size_t nnodes, capnodes;
	struct xar_node **links;     /* open-addressing set keyed by (dev, ino) */
	size_t nlinks, caplinks;
};

int xar_tree_init(struct xar_tree *t, const struct xar_tree_opts *opts,
		  struct xar_err *err);
void xar_tree_free(struct xar_tree *t);

/* Add SRC (a directory, file, symlink, …) at image path DEST ("" or "/" is
 * the root: a directory's contents are merged into it). Later additions
 * replace earlier files at the same path; directories merge. */
int xar_tree_add(struct xar_tree *t, const char *src, const char *dest,
		 struct xar_err *err);

/* Merge the contents of directory SRC into image directory DEST without
 * taking SRC's own attributes (for staging directories); the excludes
 * apply only when use_excludes is set (not to generated files). */
int xar_tree_merge(struct xar_tree *t, const char *src, const char *dest,
		   int use_excludes, struct xar_err *err);

/* Merge directory SRC into DEST like xar_tree_merge, with these excludes
 * and includes in place of the tree's own (for a bundled interpreter's
 * standard library). */
int xar_tree_merge_filtered(struct xar_tree *t, const char *src,
			    const char *dest, const struct xar_tree_opts *f,
			    struct xar_err *err);

/* Add a generated regular file with the given contents at DEST, owned by
 * root, with the newest mtime of the tree (set by finish_times). */
int xar_tree_add_bytes(struct xar_tree *t, const char *dest, const void *data,
		       size_t len, mode_t perm, struct xar_err *err);

/* Parse "PATH=DEST" or "PATH" and add it; DEST is relative to the root. */
int xar_tree_add_source(struct xar_tree *t, const char *spec,
			struct xar_err *err);

/* Sort every directory's children by name (bytewise) and recount each
 * node's links over the names reachable from the root. */
void xar_tree_sort(struct xar_tree *t);

/* Look an image path up; NULL if absent. */
struct xar_node *xar_tree_lookup(const struct xar_tree *t, const char *path);

/* Clamp every mtime to clamp (when clamp >= 0), give made-up directories
 * the newest remaining mtime, and return that newest mtime. */
int64_t xar_tree_finish_times(struct xar_tree *t, int64_t clamp);

/* Visit every entry, depth first, parents before children, children in
 * name order; a hard-linked node is visited once per name. path is the
 * image path ("" for the root). Stops at the first non-zero return. */
typedef int (*xar_tree_visit_fn)(struct xar_node *n, const char *path,
				 void *arg);
int xar_tree_walk(struct xar_tree *t, xar_tree_visit_fn fn, void *arg);

#endif
