/* Remove a directory tree relative to a directory descriptor, never
 * following a symlink, making read-only directories of ours writable
 * on the way (an extracted image keeps its modes). */
#ifndef XAR_REMOVE_TREE_H
#define XAR_REMOVE_TREE_H

/* Remove name (a tree, a file or a symlink) from the directory dirfd.
 * 0 (also when name is already gone), or -1 with errno. Uses one
 * descriptor per directory level. */
int xar_remove_tree_at(int dirfd, const char *name);

#endif
