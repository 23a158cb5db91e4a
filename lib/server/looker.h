/* The prefetcher's looker: a small process that looks listed files up
 * through the mount, so that the kernel knows them before the app asks
 * and their prefetched pages can be stored ahead (prefetch.c).
 *
 * Not a thread of the server: a lookup the server has taken but not yet
 * answered waits for the answer uninterruptibly, and a server killed then
 * (SIGKILL, the OOM killer) could not finish dying while one of its own
 * threads waited on its own mount: its /dev/fuse stays open, the mount
 * hangs, and so does every reader of it. The looker holds no descriptor
 * of the mount's device, so the server's death closes the connection and
 * ends the looker's lookup with an error. It reads paths from a pipe and
 * ends at its end; a double fork leaves it to init to reap. */
#ifndef XAR_SERVER_LOOKER_H
#define XAR_SERVER_LOOKER_H

/* Start one; the write end of its pipe, or -1 (then nothing is looked up
 * ahead). Called from a thread of a multi-threaded process: the child
 * only makes async-signal-safe calls. */
int xar_looker_start(void);

/* Ask for an lstat of path (absolute), or with a '/' at its end for its
 * directory to be read through (its entries come with their attributes:
 * the kernel then knows them all); dropped when the pipe is full. */
void xar_looker_ask(int fd, const char *path);

#endif
