/* lib/base: what every other folder uses. Errors, small utilities, SHA-256,
 * decision tracing, atomic output files, removing trees.
 * The one public header of this folder; see lib/README.md. */
#ifndef XAR_BASE_H
#define XAR_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The version of mkxar, xarexec and the runtime they embed. */
#define XAR_VERSION "0.2.0"

/* Error reporting for libxar: functions return 0 on success and -1 on
 * failure, filling a struct xar_err with a one-line message (no prefix, no
 * newline) that only the front ends print. */

struct xar_err {
	int code;       /* errno value behind the failure, or 0 */
	char msg[1024]; /* e.g. "cannot open 'app/': Permission denied" */
};

/* Set the message; returns -1 so that `return xar_err_set(...)` reads well.
 * err may be NULL. */
int xar_err_set(struct xar_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like xar_err_set with code = errno, appending ": strerror(errno)". */
int xar_err_sys(struct xar_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix an existing message: "<prefix>: <old message>". */
int xar_err_prefix(struct xar_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Small helpers shared across libxar. */

#define SQFS_NAME_LIMIT 255 /* longest name a Linux directory entry holds */

/* Grow *arr (of *cap elements of size elem) to at least double, starting
 * at initial. Returns 0, or -1 with *arr untouched when out of memory. */
int xar_grow(void **arr, size_t *cap, size_t elem, size_t initial);

/* "a" + "/" + "b" (just "b" when a is empty); malloc'ed, NULL on ENOMEM. */
char *xar_path_join(const char *a, const char *b);

/* Full write/pwrite that retries short writes and EINTR. */
int xar_write_all(int fd, const void *buf, size_t len);
int xar_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
/* Full pread; returns bytes read (short only at end of file) or -1. */
long long xar_pread_full(int fd, void *buf, size_t len, uint64_t off);

/* Parse a whole decimal number in [min, max]; 0 or -1 (errno EINVAL/ERANGE). */
int xar_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* The home directory /etc/passwd gives uid, into out; 0, or -1 when it
 * names none that fits. Read directly, not through NSS: the static
 * runtime has no NSS, and $HOME is the first choice anyway. */
int xar_passwd_home(uid_t uid, char *out, size_t cap);

/* Remove a directory tree (no symlinks followed). 0 or -1 with errno. */
int xar_rmtree(const char *path);

/* SHA-256 through libsodium: file contents for deduplication,
 * the image digest recorded in the header, and the UUID derived from it. */


#define XAR_SHA256_LEN 32

/* Digest of len bytes of fd starting at off. */
int xar_sha256_fd(int fd, uint64_t off, uint64_t len,
		  unsigned char out[XAR_SHA256_LEN], struct xar_err *err);
/* Digest of the file at path, which must be exactly size bytes long. */
int xar_sha256_path(const char *path, uint64_t size,
		    unsigned char out[XAR_SHA256_LEN], struct xar_err *err);
void xar_sha256_mem(const void *p, size_t len,
		    unsigned char out[XAR_SHA256_LEN]);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void xar_hex(const unsigned char *in, size_t n, char *out);

/* Decision tracing for the runtime (XAR_DEBUG=1). lib/ never prints: a front
 * end that wants to see what was decided (root chosen, lock taken, mounted or
 * reused, ...) hands in a sink; without one tracing costs a branch. */

struct xar_trace {
	void (*sink)(void *ctx, const char *msg); /* msg: one line, no newline */
	void *ctx;
};

/* Format one message and pass it to t's sink; t may be NULL. */
void xar_tracef(const struct xar_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Atomic output files: written under a temporary name in the target's
 * directory and renamed into place only when complete. On failure, or
 * when a signal arrives (xar_outfile_signal_cleanup from the handler), the
 * temporary file is removed and an existing output stays untouched. */


struct xar_outfile {
	char *path;  /* final name */
	char *tmp;   /* temporary name beside it */
	int fd;
};

int xar_outfile_open(struct xar_outfile *f, const char *path,
		     struct xar_err *err);
/* Set the mode (less the umask) and rename into place; the descriptor is closed. */
int xar_outfile_commit(struct xar_outfile *f, mode_t mode,
		       struct xar_err *err);
/* Remove the temporary file (no-op after commit). */
void xar_outfile_abort(struct xar_outfile *f);
/* Async-signal-safe: unlink the temporary file of the open output. */
void xar_outfile_signal_cleanup(void);

/* Remove a directory tree relative to a directory descriptor, never
 * following a symlink, making read-only directories of ours writable
 * on the way (an extracted image keeps its modes). */

/* Remove name (a tree, a file or a symlink) from the directory dirfd.
 * 0 (also when name is already gone), or -1 with errno. Uses one
 * descriptor per directory level. */
int xar_remove_tree_at(int dirfd, const char *name);

/* A build interrupted by a signal: what the front end's signal handler
 * may do, async-signal-safely, so that nothing of the build outlives it.
 *
 *  - Children (the build interpreter: probe, pip, bytecode compiler) run
 *    in their own process group, so a Ctrl-C to the terminal's group does
 *    not reach them (no Python traceback); xar_interrupt_children() kills
 *    that group and the build unwinds normally: the child is reaped, the
 *    build fails, its temporary directories are removed.
 *  - Between children, the handler removes the registered temporary
 *    directories itself (xar_interrupt_remove_dirs, syscalls only) before
 *    it dies by the signal.
 *
 * One build at a time per process. */
/* Signal handler side. 1 when a child group was running and is now being
 * killed (the handler then returns and lets the build unwind), else 0. */
int xar_interrupt_children(int sig);
/* Remove the registered directories (a handler about to die). */
void xar_interrupt_remove_dirs(void);
/* The signal that interrupted the build, or 0. */
int xar_interrupt_signal(void);

/* Build side. A child's process group (its pid), or 0 when none runs;
 * set with the interrupting signals blocked. */
void xar_interrupt_set_child(pid_t pgid);
/* Register / forget a temporary directory (an absolute path that is kept
 * alive by the caller until forgotten). At most 4 at a time; -1 when
 * full. */
int xar_interrupt_add_dir(const char *path);
void xar_interrupt_forget_dir(const char *path);

#endif
