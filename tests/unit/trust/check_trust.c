/* lib/trust: key files, header signatures (every field covered, the
 * signature itself not), and the user's policy (the system's lives in
 * /etc and is tested end to end in tests/e2e/xarexec/test_trust.sh). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "trust/trust.h"
#include "tmpdir_fixture.h"

static void setup(void)
{
	tmpdir_setup("trust");
}

/* A key pair at tmpdir/name.{key,pub}, loaded into k. */
static void new_key(const char *name, struct xar_seckey *k)
{
	char id[XAR_KEY_ID_HEX + 1];
	struct xar_err err;

	ck_assert_msg(xar_key_generate(at(name), id, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(xar_key_load_secret(strcat(at(name), ".key"), k,
					     &err), 0);
	ck_assert_str_eq(k->pub.id, id);
}

static void header(struct xar_header *h)
{
	struct xar_err err;

	xar_header_init(h);
	ck_assert_int_eq(xar_header_set_shebang(h, "#!/usr/bin/env xarexec",
						&err), 0);
	ck_assert_int_eq(xar_header_set(h, "OFFSET", "4096", &err), 0);
	ck_assert_int_eq(xar_header_set(h, "UUID", "00ff", &err), 0);
	ck_assert_int_eq(xar_header_set(h, "VERSION", "1", &err), 0);
	ck_assert_int_eq(xar_header_set(h, "XAR_EXEC", "bin/app", &err), 0);
}

START_TEST(test_sign_round_trip)
{
	struct xar_seckey k;
	struct xar_pubkey signer;
	struct xar_header h;
	struct xar_err err;

	new_key("a", &k);
	header(&h);
	ck_assert_int_eq(xar_sign_check(&h, &signer, &err), XAR_SIG_NONE);
	ck_assert_int_eq(xar_sign_reserve(&h, &err), 0);
	ck_assert_int_eq(xar_sign_header(&h, &k, &err), 0);
	ck_assert_int_eq(xar_sign_check(&h, &signer, &err), XAR_SIG_GOOD);
	ck_assert_str_eq(signer.id, k.pub.id);
	xar_seckey_wipe(&k);
	xar_header_free(&h);
}
END_TEST

/* Each field, and the shebang, is covered: changing it breaks the
 * signature. */
static const char *const covered[] = { "OFFSET", "UUID", "VERSION",
				       "XAR_EXEC", "XAR_SIGNER", "shebang" };

START_TEST(test_every_field_is_covered)
{
	struct xar_seckey k, other;
	struct xar_pubkey signer;
	struct xar_header h;
	struct xar_err err;
	char hex[65];

	new_key("a", &k);
	new_key("b", &other);
	header(&h);
	ck_assert_int_eq(xar_sign_header(&h, &k, &err), 0);
	if (!strcmp(covered[_i], "shebang"))
		ck_assert_int_eq(xar_header_set_shebang(&h, "#!/bin/xarexec",
							&err), 0);
	else if (!strcmp(covered[_i], "XAR_SIGNER")) {
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", other.pub.pk[i]);
		ck_assert_int_eq(xar_header_set(&h, "XAR_SIGNER", hex, &err), 0);
	} else
		ck_assert_int_eq(xar_header_set(&h, covered[_i], "8192", &err),
				 0);
	ck_assert_int_eq(xar_sign_check(&h, &signer, &err), XAR_SIG_BAD);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not hold"));
	xar_seckey_wipe(&k);
	xar_seckey_wipe(&other);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_malformed_signature)
{
	struct xar_pubkey signer;
	struct xar_header h;
	struct xar_err err;

	header(&h);
	ck_assert_int_eq(xar_header_set(&h, "XAR_SIGNATURE", "abc", &err), 0);
	ck_assert_int_eq(xar_sign_check(&h, &signer, &err), XAR_SIG_BAD);
	ck_assert_ptr_nonnull(strstr(err.msg, "malformed"));
	xar_header_free(&h);
}
END_TEST

START_TEST(test_secret_key_permissions)
{
	struct xar_seckey k;
	struct xar_pubkey p;
	struct xar_err err;
	char id[XAR_KEY_ID_HEX + 1];

	new_key("a", &k);
	xar_seckey_wipe(&k);
	ck_assert_int_eq(chmod(at("a.key"), 0640), 0);
	ck_assert_int_eq(xar_key_load_secret(at("a.key"), &k, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "chmod 600"));
	ck_assert_int_eq(xar_key_load_public(at("a.key"), &p, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a public key file"));
	ck_assert_int_eq(xar_key_generate(at("a"), id, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not overwriting"));
}
END_TEST

/* With no system policy here, XAR_TRUSTED_KEYS alone is the policy. */
START_TEST(test_user_policy)
{
	struct xar_seckey a, b;
	struct xar_policy p;
	struct xar_header h;
	struct xar_err err;
	char both[600];

	if (!access(XAR_SYSTEM_POLICY_DIR, F_OK))
		return; /* this machine has a system policy */
	new_key("a", &a);
	new_key("b", &b);
	header(&h);
	ck_assert_int_eq(xar_sign_header(&h, &a, &err), 0);
	setenv("XAR_TRUSTED_KEYS", at("b.pub"), 1);
	ck_assert_int_eq(xar_policy_load(&p, &err), 0);
	ck_assert(p.active);
	ck_assert_int_eq(xar_policy_check(&p, &h, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not trust"));
	xar_policy_free(&p);
	snprintf(both, sizeof(both), "%s:%s", at("b.pub"), at("a.pub"));
	setenv("XAR_TRUSTED_KEYS", both, 1);
	ck_assert_int_eq(xar_policy_load(&p, &err), 0);
	ck_assert_int_eq(xar_policy_check(&p, &h, &err), 0);
	xar_policy_free(&p);
	ck_assert_int_eq(chmod(at("a.pub"), 0666), 0);
	ck_assert_int_eq(xar_policy_load(&p, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "writable by others"));
	unsetenv("XAR_TRUSTED_KEYS");
	xar_seckey_wipe(&a);
	xar_seckey_wipe(&b);
	xar_header_free(&h);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "trust");

	tcase_add_checked_fixture(tc, setup, tmpdir_teardown);
	tcase_add_test(tc, test_sign_round_trip);
	tcase_add_loop_test(tc, test_every_field_is_covered, 0,
			    sizeof(covered) / sizeof(*covered));
	tcase_add_test(tc, test_malformed_signature);
	tcase_add_test(tc, test_secret_key_permissions);
	tcase_add_test(tc, test_user_policy);
	return xar_check_run(s);
}
