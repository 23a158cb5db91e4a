/* lib/trust: who made a xar, and whether this machine runs it.
 * The one public header of this folder; see lib/README.md.
 *
 * Keys are Ed25519 (libsodium), in one-line text files:
 *   NAME.pub   xar-ed25519-public <64 hex digits>
 *   NAME.key   xar-ed25519-secret <128 hex digits>   (mode 0600, ours)
 * A key's id is the first 16 hex digits of the SHA-256 of its public key.
 *
 * A signed header holds XAR_SIGNER (the public key, in hex) and
 * XAR_SIGNATURE (over every other header line and the shebang, XAR_SIGNER
 * included); through XAR_SHA256 and XAR_RUNTIME_SHA256 it covers the image
 * and the runtime too. The original XAR runtime ignores both keys.
 *
 * The trust policy: the public keys in /etc/xar/trusted.d/NAME.pub (the
 * system's: it and its files root-owned, not writable by group or others,
 * else nothing runs), narrowed by the user's own (XAR_TRUSTED_KEYS, a
 * ':'-separated list of .pub files and directories of them, each of
 * which must exist, else
 * $XDG_CONFIG_HOME/xar/trusted.d or ~/.config/xar/trusted.d), which can
 * only take keys away. With no policy every xar runs, as before. */
#ifndef XAR_TRUST_H
#define XAR_TRUST_H

#include <stddef.h>

#include "base/base.h"
#include "header/header.h"

#define XAR_KEY_PUBLIC_LEN 32
#define XAR_KEY_SECRET_LEN 64
#define XAR_KEY_ID_HEX 16
#define XAR_SYSTEM_POLICY_DIR "/etc/xar/trusted.d"

struct xar_pubkey {
	unsigned char pk[XAR_KEY_PUBLIC_LEN];
	char id[XAR_KEY_ID_HEX + 1];
};

struct xar_seckey {
	unsigned char sk[XAR_KEY_SECRET_LEN];
	struct xar_pubkey pub;
};

/* ---- keys ---- */

/* Write NAME.key (0600) and NAME.pub for a new key pair; refuses to
 * overwrite either. *id gets the key's id. */
int xar_key_generate(const char *name, char id[XAR_KEY_ID_HEX + 1],
		     struct xar_err *err);

/* Read a secret key; refuses a file others may read or write, or that is
 * not the caller's. The key is wiped by xar_seckey_wipe. */
int xar_key_load_secret(const char *path, struct xar_seckey *k,
			struct xar_err *err);
void xar_seckey_wipe(struct xar_seckey *k);

/* Read a public key file. */
int xar_key_load_public(const char *path, struct xar_pubkey *k,
			struct xar_err *err);

/* ---- signatures ---- */

/* XAR_SIGNER and XAR_SIGNATURE with placeholders of their final length,
 * so that OFFSET is settled before the image is written. */
int xar_sign_reserve(struct xar_header *h, struct xar_err *err);

/* Sign h (every key set, its digests final) with k. */
int xar_sign_header(struct xar_header *h, const struct xar_seckey *k,
		    struct xar_err *err);

enum xar_sig_state {
	XAR_SIG_NONE,  /* not signed */
	XAR_SIG_GOOD,  /* signed, and the signature holds for *signer */
	XAR_SIG_BAD,   /* signed, but malformed or not holding (err says) */
};

/* Check h's signature against the key it names. */
enum xar_sig_state xar_sign_check(const struct xar_header *h,
				  struct xar_pubkey *signer,
				  struct xar_err *err);

/* ---- the policy ---- */

struct xar_policy {
	int active;               /* a system or user policy exists */
	struct xar_pubkey *keys;  /* whom it trusts */
	size_t nkeys;
	const char *system;       /* what it came from, for messages */
	char *user;
};

/* Read the policy in force. -1 (err names the file and why) when a
 * policy exists but cannot be trusted: then nothing may run. */
int xar_policy_load(struct xar_policy *p, struct xar_err *err);
void xar_policy_free(struct xar_policy *p);

/* 0 when p lets h run: no policy, or a good signature by a trusted key;
 * else -1 with the reason (not signed, a bad signature, an unknown
 * signer). */
int xar_policy_check(const struct xar_policy *p, const struct xar_header *h,
		     struct xar_err *err);

#endif
