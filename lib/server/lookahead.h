/* What the prefetcher has looked up through the mount ahead of the app
 * (prefetch.c), by its looker process (looker.h). For each start-up list
 * line, in order:
 *   - the directories above a listed module (.py, .pyc, .so) are read
 *     through, as Python's import system lists them (not __pycache__,
 *     which it never lists): the kernel then knows all their entries, with
 *     their attributes (READDIRPLUS);
 *   - a listed file is looked up, unless the kernel knows it already, so
 *     that its prefetched pages can be stored before the app opens it;
 *   - a name the list says is absent is looked up: the kernel keeps the
 *     negative answer (the import system probes for several a package).
 * The app's own lookups and listings then find the kernel's caches filled.
 * Every path stays below the mount point (no ".."); the caller has walked
 * it in the image (no symbolic link on the way). Bounded: at most
 * XAR_LOOKAHEAD_MAX requests, each keeps the mount busy a moment (an
 * unmount waits). Used by the prefetcher's thread alone, except
 * xar_lookahead_started. */
#ifndef XAR_SERVER_LOOKAHEAD_H
#define XAR_SERVER_LOOKAHEAD_H

#include <stddef.h>
#include <stdint.h>

#define XAR_LOOKAHEAD_MAX 1024
#define XAR_LOOKAHEAD_DIRS 1024 /* directories remembered (a power of 2) */

struct xar_lookahead {
	char *mnt;                  /* the mount point; NULL: nothing asked */
	const char *const *launch;  /* paths the launch looks up itself */
	int fd;                     /* the looker's pipe, -1 before it starts */
	int failed;                 /* it could not be started */
	int started;                /* it has (read without a lock) */
	unsigned asked;
	uint64_t dirs[XAR_LOOKAHEAD_DIRS]; /* hashes of directories asked */
	size_t ndirs;
};

/* launch: the launch's own paths (NULL-terminated, kept by the caller). */
void xar_lookahead_init(struct xar_lookahead *la, const char *const *launch);

/* The mount is made (mountpoint copied; on failure nothing is asked). */
void xar_lookahead_attach(struct xar_lookahead *la, const char *mountpoint);

/* path[0..len), a listed regular file of the image: its module
 * directories, then itself unless known (the kernel knows it already). */
void xar_lookahead_file(struct xar_lookahead *la, const char *path,
			size_t len, int known);

/* path[0..len), a name absent from the image below a directory of it. */
void xar_lookahead_absent(struct xar_lookahead *la, const char *path,
			  size_t len);

/* Whether the looker has started: requests are mostly its own since. */
int xar_lookahead_started(const struct xar_lookahead *la);

/* Nothing more to ask: the looker ends once through. */
void xar_lookahead_end(struct xar_lookahead *la);

void xar_lookahead_free(struct xar_lookahead *la);

#endif
