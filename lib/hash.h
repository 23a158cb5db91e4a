/* SHA-256 through OpenSSL's libcrypto: file contents for deduplication,
 * the image digest recorded in the header, and the UUID derived from it. */
#ifndef XAR_HASH_H
#define XAR_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

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

#endif
