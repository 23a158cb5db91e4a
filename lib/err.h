/* Error reporting for libxar: functions return 0 on success and -1 on
 * failure, filling a struct xar_err with a one-line message (no prefix, no
 * newline) that only the front ends print. */
#ifndef XAR_ERR_H
#define XAR_ERR_H

#include <stddef.h>

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

#endif
