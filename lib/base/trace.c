#include "base.h"

#include <stdarg.h>
#include <stdio.h>

void xar_tracef(const struct xar_trace *t, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!t || !t->sink)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->sink(t->ctx, msg);
}
