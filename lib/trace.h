/* Decision tracing for the runtime (XAR_DEBUG=1). lib/ never prints: a front
 * end that wants to see what was decided (root chosen, lock taken, mounted or
 * reused, ...) hands in a sink; without one tracing costs a branch. */
#ifndef XAR_TRACE_H
#define XAR_TRACE_H

struct xar_trace {
	void (*sink)(void *ctx, const char *msg); /* msg: one line, no newline */
	void *ctx;
};

/* Format one message and pass it to t's sink; t may be NULL. */
void xar_tracef(const struct xar_trace *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
