/* SHA-256 through libsodium (portable C, 230 MB/s here). OpenSSL's
 * libcrypto runs 1.1-1.4 GB/s on CPUs with SHA instructions, which would
 * take a 15 MiB image's check under a trust policy from 82 to 16 ms per new
 * mount; but linked into xarexec its constructor runs CPUID at every start
 * (6.5 us each in this VM): 45 us more per run, hot runs included. */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#define HASH_CHUNK (256u * 1024u)

int xar_sha256_fd(int fd, uint64_t off, uint64_t len,
		  unsigned char out[XAR_SHA256_LEN], struct xar_err *err)
{
	crypto_hash_sha256_state ctx;
	unsigned char *buf = malloc(HASH_CHUNK);
	int rc = -1;

	if (!buf) {
		xar_err_set(err, ENOMEM, "cannot set up SHA-256");
		goto out;
	}
	crypto_hash_sha256_init(&ctx);
	while (len) {
		size_t want = len < HASH_CHUNK ? (size_t)len : HASH_CHUNK;
		long long n = xar_pread_full(fd, buf, want, off);

		if (n < 0) {
			xar_err_sys(err, "read failed");
			goto out;
		}
		if ((size_t)n != want) {
			xar_err_set(err, EIO, "file is shorter than expected");
			goto out;
		}
		crypto_hash_sha256_update(&ctx, buf, want);
		off += want;
		len -= want;
	}
	crypto_hash_sha256_final(&ctx, out);
	rc = 0;
out:
	free(buf);
	return rc;
}

int xar_sha256_path(const char *path, uint64_t size,
		    unsigned char out[XAR_SHA256_LEN], struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return xar_err_sys(err, "cannot open '%s'", path);
	rc = xar_sha256_fd(fd, 0, size, out, err);
	close(fd);
	if (rc)
		xar_err_prefix(err, "'%s'", path);
	return rc;
}

void xar_sha256_mem(const void *p, size_t len,
		    unsigned char out[XAR_SHA256_LEN])
{
	crypto_hash_sha256(out, p, len);
}

void xar_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}
