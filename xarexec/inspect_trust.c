/* Who signed a xar, and the trust policy in force: --verify's signature
 * line, --info's signer, --extract's policy check, --doctor's report. */
#include "inspect.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trust/trust.h"

const char *xarexec_signer(const struct xar_header *h, char *id,
			   const char **state)
{
	struct xar_pubkey k;
	struct xar_err err;

	switch (xar_sign_check(h, &k, &err)) {
	case XAR_SIG_NONE:
		*state = NULL;
		return NULL;
	case XAR_SIG_GOOD:
		*state = "the signature holds";
		break;
	default:
		*state = "the signature does NOT hold";
		break;
	}
	memcpy(id, k.id, sizeof(k.id));
	return id;
}

/* --verify's signature check; with keyfile, the signer must be its key. */
int xarexec_verify_signature(const char *xar, const char *keyfile)
{
	struct xar_pubkey signer, want;
	struct xar_header h;
	struct xar_err err;
	int fd = open(xar, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc = 1;
	enum xar_sig_state s;

	if (fd < 0 || xar_header_read_fd(&h, fd, &err)) {
		if (fd >= 0)
			close(fd);
		return xarexec_inspect_fail(xar, &err);
	}
	close(fd);
	s = xar_sign_check(&h, &signer, &err);
	if (keyfile && xar_key_load_public(keyfile, &want, &err))
		xarexec_inspect_fail(xar, &err);
	else if (s == XAR_SIG_BAD)
		xarexec_inspect_fail(xar, &err);
	else if (s == XAR_SIG_NONE && keyfile)
		fprintf(stderr, "xarexec: error: %s: not signed\n", xar);
	else if (s == XAR_SIG_NONE)
		rc = printf("%s: not signed\n", xar) < 0;
	else if (keyfile && memcmp(want.pk, signer.pk, sizeof(want.pk)))
		fprintf(stderr, "xarexec: error: %s: signed by key %s, not by "
			"%s (key %s)\n", xar, signer.id, keyfile, want.id);
	else
		rc = printf("%s: signed by key %s: the signature holds\n", xar,
			    signer.id) < 0;
	xar_header_free(&h);
	return rc;
}

int xarexec_check_policy(const char *xar, const struct xar_header *h)
{
	struct xar_policy p;
	struct xar_err err;
	int rc;

	if (xar_policy_load(&p, &err))
		return xarexec_inspect_fail(xar, &err);
	rc = xar_policy_check(&p, h, &err) ? xarexec_inspect_fail(xar, &err) : 0;
	xar_policy_free(&p);
	return rc;
}

int xarexec_policy_doctor(void)
{
	struct xar_policy p;
	struct xar_err err;
	size_t i;
	int rc = 0;

	if (xar_policy_load(&p, &err))
		return printf("problem: %s: nothing will run until it is "
			      "fixed\n", err.msg) < 0 || 1;
	if (!p.active)
		rc = printf("ok: no trust policy (%s has no keys): every xar "
			    "runs\n", XAR_SYSTEM_POLICY_DIR) < 0;
	else {
		rc = printf("ok: trust policy from %s%s%s: %zu trusted key(s)\n",
			    p.system ? p.system : "", p.system && p.user ?
			    ", narrowed by " : "", p.user ? p.user : "",
			    p.nkeys) < 0;
		for (i = 0; i < p.nkeys; i++)
			printf("  key %s\n", p.keys[i].id);
		if (!p.nkeys)
			rc = printf("problem: the trust policy trusts no key: "
				    "no xar will run\n") < 0 || 1;
	}
	xar_policy_free(&p);
	return rc;
}
