/* Ed25519 key files (see trust.h): the line format, public keys and key
 * ids. Secret keys are in secret.c, which the runtime never links. */
#include "trust.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>


void xar_key_id(struct xar_pubkey *k)
{
	unsigned char md[XAR_SHA256_LEN];
	char hex[2 * XAR_SHA256_LEN + 1];

	xar_sha256_mem(k->pk, sizeof(k->pk), md);
	xar_hex(md, sizeof(md), hex);
	memcpy(k->id, hex, XAR_KEY_ID_HEX);
	k->id[XAR_KEY_ID_HEX] = '\0';
}

int xar_unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
	size_t bin_len = 0;
	const char *end = NULL;

	if (len != 2 * n ||
	    sodium_hex2bin(out, n, s, len, NULL, &bin_len, &end) ||
	    bin_len != n || end != s + len)
		return -1;
	return 0;
}

int xar_read_key_line(int fd, const char *path, const char *tag,
			 const char *what, unsigned char *out, size_t n,
			 struct xar_err *err)
{
	char line[XAR_KEY_LINE_MAX];
	long long got = xar_pread_full(fd, line, sizeof(line) - 1, 0);
	size_t tlen = strlen(tag), len;

	if (got < 0)
		return xar_err_sys(err, "cannot read '%s'", path);
	line[got] = '\0';
	len = strcspn(line, "\n");
	if (strncmp(line, tag, tlen) ||
	    xar_unhex(line + tlen, len - tlen, out, n)) {
		sodium_memzero(line, sizeof(line));
		return xar_err_set(err, EINVAL, "'%s' is not a %s key file",
				   path, what);
	}
	sodium_memzero(line, sizeof(line));
	return 0;
}

int xar_key_load_public(const char *path, struct xar_pubkey *k,
			struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	int rc;

	if (fd < 0)
		return xar_err_sys(err, "cannot open '%s'", path);
	rc = xar_read_key_line(fd, path, XAR_PUB_TAG, "public", k->pk, sizeof(k->pk), err);
	close(fd);
	if (!rc)
		xar_key_id(k);
	return rc;
}
