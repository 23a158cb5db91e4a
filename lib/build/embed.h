/* The runtime a self-contained xar starts with (mkxar --self-contained):
 * loaded and checked before anything is built, written in front of the
 * header. Internal to lib/build. */
#ifndef XAR_BUILD_EMBED_H
#define XAR_BUILD_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

struct xar_embed {
	unsigned char *bytes; /* the runtime file */
	size_t len;
	uint64_t start;       /* len rounded up to 4096: where the header goes */
};

/* Read the runtime at path and check that it may be embedded (a fully
 * static x86-64 ELF executable, below XAR_RUNTIME_MAX). */
int xar_embed_load(struct xar_embed *e, const char *path,
		   struct xar_err *err);

/* Write it at the start of fd, zeros up to e->start. */
int xar_embed_write(const struct xar_embed *e, int fd, struct xar_err *err);

void xar_embed_free(struct xar_embed *e);

#endif
