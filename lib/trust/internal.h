/* Shared by lib/trust's files; not for use outside lib/trust. */
#ifndef XAR_TRUST_INTERNAL_H
#define XAR_TRUST_INTERNAL_H

#include <stddef.h>

#include "trust.h"

#define XAR_PUB_TAG "xar-ed25519-public "
#define XAR_SEC_TAG "xar-ed25519-secret "
#define XAR_KEY_LINE_MAX 512

/* One line "<tag><hex of n bytes>\n" from the open file fd, a what
 * ("public" or "secret") key file. */
int xar_read_key_line(int fd, const char *path, const char *tag,
		      const char *what, unsigned char *out, size_t n,
		      struct xar_err *err);

/* Fill k->id from k->pk. */
void xar_key_id(struct xar_pubkey *k);

/* Exactly 2n hex digits in s[0..len) into out[0..n); 0 or -1. */
int xar_unhex(const char *s, size_t len, unsigned char *out, size_t n);

#endif
