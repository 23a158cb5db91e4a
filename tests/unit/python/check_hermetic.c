/* lib/python/hermetic.c and the hermetic branch of xar_python_argv: the
 * command that runs a bundled interpreter through its loader, the
 * environment it gets, and header values that must not steer it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "python/python.h"

#define L "/m/x/" XAR_PYTHON_BUNDLE_DIR "/" XAR_PYTHON_LAUNCHER

START_TEST(test_command_goes_through_the_bundled_loader)
{
	struct xar_err err;
	char *args[] = { (char *)"-c", (char *)"print(1)" };
	char **v;

	ck_assert_int_eq(xar_python_hermetic_argv(L, "/m/x/boot.py", 2, args,
						  &v, &err), 0);
	ck_assert_str_eq(v[0], "/m/x/__xar__/python/libexec/ld.so");
	ck_assert_str_eq(v[1], "--library-path");
	ck_assert_str_eq(v[2], "/m/x/__xar__/python/libs");
	ck_assert_str_eq(v[3], "--inhibit-cache");
	ck_assert_str_eq(v[4], "--argv0");
	ck_assert_str_eq(v[5], L);
	ck_assert_str_eq(v[6], "/m/x/__xar__/python/libexec/python");
	ck_assert_str_eq(v[7], "-s");
	ck_assert_str_eq(v[8], "/m/x/boot.py");
	ck_assert_ptr_eq(v[9], args[0]);
	ck_assert_ptr_eq(v[10], args[1]);
	ck_assert_ptr_null(v[11]);
	free(v);
	ck_assert_int_eq(xar_python_hermetic_argv(L, NULL, 0, NULL, &v, &err), 0);
	ck_assert_str_eq(v[7], "-s");
	ck_assert_ptr_null(v[8]);
	free(v);
}
END_TEST

static const char *const not_launchers[] = {
	"bin/python3",                          /* relative */
	"/m/x/__xar__/python/bin/python3.11",   /* another name */
	"/bin/python3",                         /* no prefix */
	"/m/x/elsewhere/bin/python3",           /* not under __xar__/python */
};

START_TEST(test_not_a_launcher_is_refused)
{
	struct xar_err err;
	char **v = (char **)&err;
	int a = xar_python_hermetic_argv(not_launchers[_i], NULL, 0, NULL, &v,
					 &err);

	if (_i < 3) {
		ck_assert_int_eq(a, -1);
		ck_assert_ptr_null(v);
	} else {
		free(v);
	}
	ck_assert_int_eq(xar_python_hermetic_env(not_launchers[_i], 1, &err), -1);
	ck_assert_msg(strstr(err.msg, "not a bundled Python launcher"), "%s",
		      err.msg);
}
END_TEST

START_TEST(test_environment_from_outside)
{
	struct xar_err err;

	setenv("PYTHONPATH", "/host/site", 1);
	setenv("PYTHONHOME", "/host", 1);
	setenv("PYTHONPLATLIBDIR", "lib64", 1);
	setenv("PYTHONUNBUFFERED", "1", 1);
	ck_assert_int_eq(xar_python_hermetic_env(L, 1, &err), 0);
	ck_assert_str_eq(getenv("PYTHONPATH"), "/m/x");
	ck_assert_ptr_null(getenv("PYTHONHOME"));
	ck_assert_ptr_null(getenv("PYTHONPLATLIBDIR"));
	ck_assert_str_eq(getenv("PYTHONUNBUFFERED"), "1"); /* honoured */
}
END_TEST

START_TEST(test_environment_of_a_child)
{
	struct xar_err err;

	setenv("PYTHONPATH", "/app/extra", 1);
	ck_assert_int_eq(xar_python_hermetic_env(L, 0, &err), 0);
	ck_assert_str_eq(getenv("PYTHONPATH"), "/m/x:/app/extra");
	/* once is enough: a grandchild does not grow it */
	ck_assert_int_eq(xar_python_hermetic_env(L, 0, &err), 0);
	ck_assert_str_eq(getenv("PYTHONPATH"), "/m/x:/app/extra");
	unsetenv("PYTHONPATH");
	ck_assert_int_eq(xar_python_hermetic_env(L, 0, &err), 0);
	ck_assert_str_eq(getenv("PYTHONPATH"), "/m/x");
}
END_TEST

START_TEST(test_ca_bundle_only_when_unset)
{
	struct xar_err err;
	const char *f;

	unsetenv("SSL_CERT_FILE");
	setenv("SSL_CERT_DIR", "/mine", 1);
	ck_assert_int_eq(xar_python_hermetic_env(L, 1, &err), 0);
	ck_assert_ptr_null(getenv("SSL_CERT_FILE"));
	unsetenv("SSL_CERT_DIR");
	ck_assert_int_eq(xar_python_hermetic_env(L, 1, &err), 0);
	f = getenv("SSL_CERT_FILE");
	/* this Debian host has its bundle; a host without any gets none */
	if (access("/etc/ssl/certs/ca-certificates.crt", F_OK) == 0)
		ck_assert_str_eq(f, "/etc/ssl/certs/ca-certificates.crt");
	setenv("SSL_CERT_FILE", "/given.pem", 1);
	ck_assert_int_eq(xar_python_hermetic_env(L, 1, &err), 0);
	ck_assert_str_eq(getenv("SSL_CERT_FILE"), "/given.pem");
}
END_TEST

static void hermetic_header(struct xar_header *h, const char *bundle)
{
	struct xar_err err;

	xar_header_init(h);
	ck_assert_int_eq(xar_header_set(h, "XAR_PYTHON", "/no/such/python3.11",
					&err), 0);
	ck_assert_int_eq(xar_header_set(h, "XAR_PYTHON_VERSION", "3.11", &err), 0);
	ck_assert_int_eq(xar_header_set(h, "XAR_PYTHON_BOOTSTRAP",
					XAR_PYTHON_BOOTSTRAP_PY, &err), 0);
	ck_assert_int_eq(xar_header_set(h, "XAR_PYTHON_BUNDLE", bundle, &err), 0);
}

START_TEST(test_xar_argv_runs_the_bundle_whatever_the_host_has)
{
	struct xar_header h;
	struct xar_err err;
	char *args[] = { (char *)"--help" };
	char **v;

	setenv("PATH", "/nonexistent", 1);
	setenv("PYTHONPATH", "/caller", 1);
	hermetic_header(&h, XAR_PYTHON_BUNDLE_DIR);
	ck_assert_int_eq(xar_python_interp_check(&h, &err), 0);
	ck_assert_int_eq(xar_python_argv(&h, "/m/x", 1, args, &v, &err), 0);
	ck_assert_str_eq(v[0], "/m/x/__xar__/python/libexec/ld.so");
	ck_assert_str_eq(v[5], L);
	ck_assert_str_eq(v[8], "/m/x/" XAR_PYTHON_BOOTSTRAP_PY);
	ck_assert_str_eq(v[9], "--help");
	ck_assert_ptr_null(v[10]);
	ck_assert_str_eq(getenv("PYTHONPATH"), "/m/x");
	ck_assert_str_eq(getenv("XAR_SAVED_PYTHONPATH"), "/caller");
	ck_assert_str_eq(getenv("XAR_PYTHON_COMMAND"), L);
	xar_python_argv_free(v);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_bundle_elsewhere_is_refused)
{
	struct xar_header h;
	struct xar_err err;
	char **v = (char **)&err;

	hermetic_header(&h, "../../tmp/evil");
	ck_assert_int_eq(xar_python_interp_check(&h, &err), -1);
	ck_assert_int_eq(xar_python_argv(&h, "/m/x", 0, NULL, &v, &err), -1);
	ck_assert_ptr_null(v);
	ck_assert_msg(strstr(err.msg, "XAR_PYTHON_BUNDLE"), "%s", err.msg);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_default_excludes_keep_what_apps_use)
{
	size_t i;
	int saw_test = 0;

	for (i = 0; xar_python_bundle_excludes[i]; i++) {
		const char *g = xar_python_bundle_excludes[i];

		saw_test |= !strcmp(g, "test");
		ck_assert_str_ne(g, "json");
		ck_assert_str_ne(g, "email");
		ck_assert_msg(!strchr(g, '/'), "%s", g);
	}
	ck_assert(saw_test);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc = xar_check_case(&s, "hermetic");

	tcase_add_test(tc, test_command_goes_through_the_bundled_loader);
	tcase_add_loop_test(tc, test_not_a_launcher_is_refused, 0,
			    sizeof(not_launchers) / sizeof(*not_launchers));
	tcase_add_test(tc, test_environment_from_outside);
	tcase_add_test(tc, test_environment_of_a_child);
	tcase_add_test(tc, test_ca_bundle_only_when_unset);
	tcase_add_test(tc, test_xar_argv_runs_the_bundle_whatever_the_host_has);
	tcase_add_test(tc, test_bundle_elsewhere_is_refused);
	tcase_add_test(tc, test_default_excludes_keep_what_apps_use);
	return xar_check_run(s);
}
