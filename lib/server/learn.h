/* A start-up list learnt on this machine. An image built without
 * mkxar --profile has no list of its own (or only the interpreter's, for a
 * hermetic xar): its first mount records the reads that reach the server
 * until requests first pause and writes them beside the mount point; the
 * next mounts of the same image prefetch them after the image's own list.
 * It is kept for the name the xar was run by too, for the first mount of
 * the next build installed under it (xar_server_config.carry_path).
 * The file is only a hint: lines are parsed as the image's are, and a bad
 * or missing one costs speed, never bytes. See learn.c. */
#ifndef XAR_SERVER_LEARN_H
#define XAR_SERVER_LEARN_H

#include <stddef.h>

/* Read the list at path (its first XAR_STARTUP_LIST_MAX bytes) into a new
 * *buf of *len bytes: 0; 1 when there is none (then it may be learnt); -1
 * when something else is there (a link, not a regular file, not ours,
 * empty, unreadable: leave it). */
int xar_learnt_read(const char *path, char **buf, size_t *len);

#endif
