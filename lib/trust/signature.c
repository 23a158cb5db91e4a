/* Header signatures (see trust.h). The signed message is the header as
 * lines, in order, without XAR_SIGNATURE: nothing else in the header can
 * change without breaking it, and XAR_SIGNER is part of it. */
#include "trust.h"
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define SIGNER "XAR_SIGNER"
#define SIGNATURE "XAR_SIGNATURE"
#define MESSAGE_TAG "xar-signed-header-v1\n"

/* The message: a tag, the shebang, then KEY=value lines but the
 * signature's. Keys and values hold no newline, so it parses one way. */
static unsigned char *message(const struct xar_header *h, size_t *len)
{
	size_t i, n = strlen(MESSAGE_TAG) + strlen(h->shebang) + 1, at;
	unsigned char *m;

	for (i = 0; i < h->nkv; i++)
		n += strlen(h->kv[i].key) + strlen(h->kv[i].value) + 2;
	if (!(m = malloc(n + 1))) /* sprintf's last NUL */
		return NULL;
	at = (size_t)sprintf((char *)m, "%s%s\n", MESSAGE_TAG, h->shebang);
	for (i = 0; i < h->nkv; i++)
		if (strcmp(h->kv[i].key, SIGNATURE))
			at += (size_t)sprintf((char *)m + at, "%s=%s\n",
					      h->kv[i].key, h->kv[i].value);
	*len = at;
	return m;
}

int xar_sign_reserve(struct xar_header *h, struct xar_err *err)
{
	char zeros[2 * crypto_sign_BYTES + 1];

	memset(zeros, '0', sizeof(zeros) - 1);
	zeros[sizeof(zeros) - 1] = '\0';
	if (xar_header_set(h, SIGNER, zeros + 2 * crypto_sign_BYTES -
			   2 * XAR_KEY_PUBLIC_LEN, err) ||
	    xar_header_set(h, SIGNATURE, zeros, err))
		return -1;
	return 0;
}

int xar_sign_header(struct xar_header *h, const struct xar_seckey *k,
		    struct xar_err *err)
{
	char pk[2 * XAR_KEY_PUBLIC_LEN + 1], sig_hex[2 * crypto_sign_BYTES + 1];
	unsigned char sig[crypto_sign_BYTES], *m;
	size_t len;

	sodium_bin2hex(pk, sizeof(pk), k->pub.pk, sizeof(k->pub.pk));
	if (xar_header_set(h, SIGNER, pk, err))
		return -1;
	if (!h->shebang || !(m = message(h, &len)))
		return xar_err_set(err, ENOMEM, "out of memory");
	crypto_sign_ed25519_detached(sig, NULL, m, len, k->sk);
	free(m);
	sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, sizeof(sig));
	return xar_header_set(h, SIGNATURE, sig_hex, err);
}

enum xar_sig_state xar_sign_check(const struct xar_header *h,
				  struct xar_pubkey *signer,
				  struct xar_err *err)
{
	const char *pk = xar_header_get(h, SIGNER);
	const char *sig_hex = xar_header_get(h, SIGNATURE);
	unsigned char sig[crypto_sign_BYTES], *m;
	size_t len;
	int bad;

	if (!pk && !sig_hex)
		return XAR_SIG_NONE;
	if (!pk || !sig_hex || xar_unhex(pk, strlen(pk), signer->pk,
					 sizeof(signer->pk)) ||
	    xar_unhex(sig_hex, strlen(sig_hex), sig, sizeof(sig))) {
		xar_err_set(err, EINVAL, "malformed XAR_SIGNER or "
			    "XAR_SIGNATURE in the header");
		return XAR_SIG_BAD;
	}
	xar_key_id(signer);
	if (!h->shebang || !(m = message(h, &len))) {
		xar_err_set(err, ENOMEM, "out of memory");
		return XAR_SIG_BAD;
	}
	bad = crypto_sign_ed25519_verify_detached(sig, m, len, signer->pk);
	free(m);
	if (bad) {
		xar_err_set(err, EBADMSG, "the signature of key %s does not "
			    "hold: the header was changed after it was signed",
			    signer->id);
		return XAR_SIG_BAD;
	}
	return XAR_SIG_GOOD;
}
