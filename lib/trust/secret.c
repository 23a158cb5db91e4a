/* Secret keys (see trust.h): written O_EXCL with mode 0600, read only
 * from a file of ours that nobody else may read, wiped after use. */
#include "trust.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

int xar_key_load_secret(const char *path, struct xar_seckey *k,
			struct xar_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return xar_err_sys(err, "cannot open '%s'", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		xar_err_set(err, EINVAL, "'%s' is not a regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		xar_err_set(err, EPERM, "secret key '%s' is %s; it must be "
			    "yours with mode 0600 (chmod 600 '%s')", path,
			    st.st_uid != geteuid() ? "another user's" :
			    "readable or writable by others", path);
		goto out;
	}
	if (xar_read_key_line(fd, path, XAR_SEC_TAG, "secret", k->sk, sizeof(k->sk), err))
		goto out;
	if (crypto_sign_ed25519_sk_to_pk(k->pub.pk, k->sk)) {
		xar_err_set(err, EINVAL, "'%s' holds no usable key", path);
		goto out;
	}
	xar_key_id(&k->pub);
	rc = 0;
out:
	if (rc)
		xar_seckey_wipe(k);
	close(fd);
	return rc;
}

void xar_seckey_wipe(struct xar_seckey *k)
{
	sodium_memzero(k, sizeof(*k));
}

/* Write "<tag><hex>\n" to a new file path with mode. */
static int write_key_file(const char *path, mode_t mode, const char *tag,
			  const unsigned char *bytes, size_t n,
			  struct xar_err *err)
{
	char line[XAR_KEY_LINE_MAX];
	size_t tlen = strlen(tag);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int rc = 0;

	if (fd < 0)
		return xar_err_sys(err, "cannot create '%s'", path);
	memcpy(line, tag, tlen);
	sodium_bin2hex(line + tlen, sizeof(line) - tlen, bytes, n);
	strcat(line, "\n");
	if (fchmod(fd, mode) || xar_write_all(fd, line, strlen(line)) ||
	    fsync(fd))
		rc = xar_err_sys(err, "cannot write '%s'", path);
	sodium_memzero(line, sizeof(line));
	if (close(fd) && !rc)
		rc = xar_err_sys(err, "cannot write '%s'", path);
	if (rc)
		unlink(path);
	return rc;
}

int xar_key_generate(const char *name, char id[XAR_KEY_ID_HEX + 1],
		     struct xar_err *err)
{
	struct xar_seckey k;
	char *sec = NULL, *pub = NULL;
	int rc = -1;

	if (asprintf(&sec, "%s.key", name) < 0 ||
	    asprintf(&pub, "%s.pub", name) < 0) {
		xar_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (sodium_init() < 0) {
		xar_err_set(err, EIO, "cannot set up libsodium");
		goto out;
	}
	if (!access(pub, F_OK)) { /* before the secret: make neither */
		xar_err_set(err, EEXIST, "'%s' exists; not overwriting it",
			    pub);
		goto out;
	}
	crypto_sign_ed25519_keypair(k.pub.pk, k.sk);
	xar_key_id(&k.pub);
	if (write_key_file(sec, 0600, XAR_SEC_TAG, k.sk, sizeof(k.sk), err))
		goto out;
	if (write_key_file(pub, 0644, XAR_PUB_TAG, k.pub.pk, sizeof(k.pub.pk),
			   err)) {
		unlink(sec);
		goto out;
	}
	memcpy(id, k.pub.id, sizeof(k.pub.id));
	rc = 0;
out:
	xar_seckey_wipe(&k);
	free(sec);
	free(pub);
	return rc;
}
