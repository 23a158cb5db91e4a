/* lib/python_*.c: the run-side command line and the build side (probe,
 * entry points, bootstraps, bytecode, pip) on temporary directories. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "python/python.h"
#include "python/internal.h"

static char base[64];

static char *at(const char *rel)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", base, rel);
	return p[i];
}

/* Make base/rel (and its parent directories) holding content. */
static void mk(const char *rel, const char *content)
{
	char p[512], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	for (s = p + strlen(base) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static void setup(void)
{
	strcpy(base, "/tmp/xar-check-python.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(base));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "/bin/rm -rf '%s'", base);
	ck_assert_int_eq(system(cmd), 0);
}

static void header_with(struct xar_header *h, const char *py,
			const char *ver, const char *boot)
{
	struct xar_err err;

	xar_header_init(h);
	if (py)
		ck_assert_int_eq(xar_header_set(h, "XAR_PYTHON", py, &err), 0);
	if (ver)
		ck_assert_int_eq(xar_header_set(h, "XAR_PYTHON_VERSION", ver,
						&err), 0);
	if (boot)
		ck_assert_int_eq(xar_header_set(h, "XAR_PYTHON_BOOTSTRAP", boot,
						&err), 0);
}

/* ---- run side ---- */

START_TEST(test_argv_recorded_interpreter)
{
	struct xar_header h;
	struct xar_err err;
	char *args[] = { (char *)"a b", (char *)"", (char *)"-c" };
	char **argv;

	setenv("PYTHONPATH", "/caller/path", 1);
	unsetenv("XAR_SAVED_PYTHONPATH");
	header_with(&h, "/bin/sh", "3.11", XAR_PYTHON_BOOTSTRAP_PY);
	ck_assert_int_eq(xar_python_argv(&h, "/mnt/x/", 3, args, &argv, &err), 0);
	ck_assert_str_eq(argv[0], "/bin/sh");
	ck_assert_str_eq(argv[1], "/mnt/x/__xar__/bootstrap.py");
	ck_assert_str_eq(argv[2], "a b");
	ck_assert_str_eq(argv[3], "");
	ck_assert_str_eq(argv[4], "-c");
	ck_assert_ptr_null(argv[5]);
	ck_assert_str_eq(getenv("PYTHONPATH"), "/mnt/x");
	ck_assert_str_eq(getenv("XAR_SAVED_PYTHONPATH"), "/caller/path");
	ck_assert_str_eq(getenv("XAR_PYTHON_COMMAND"), "/bin/sh");
	xar_python_argv_free(argv);
	xar_header_free(&h);
}
END_TEST

START_TEST(test_argv_falls_back_to_path)
{
	struct xar_header h;
	struct xar_err err;
	char **argv, path[1100];

	mk("bin/python9.8", "#!/bin/sh\n");
	ck_assert_int_eq(chmod(at("bin/python9.8"), 0755), 0);
	snprintf(path, sizeof(path), "%s:%s", at("nowhere"), at("bin"));
	setenv("PATH", path, 1);
	header_with(&h, "/no/such/python3", "9.8", XAR_PYTHON_BOOTSTRAP_PY);
	ck_assert_int_eq(xar_python_argv(&h, "/", 0, NULL, &argv, &err), 0);
	ck_assert_str_eq(argv[0], at("bin/python9.8"));
	ck_assert_str_eq(argv[1], "/__xar__/bootstrap.py");
	ck_assert_ptr_null(argv[2]);
	ck_assert_str_eq(getenv("PYTHONPATH"), "/");
	xar_python_argv_free(argv);
	xar_header_free(&h);
}
END_TEST

static const struct {
	const char *py, *ver, *boot, *msg;
} bad_argv[] = {
	{ "/no/such/python3", "9.7", XAR_PYTHON_BOOTSTRAP_PY,
	  "this xar needs Python 9.7: '/no/such/python3' is missing and no "
	  "python9.7 is on PATH" },
	{ "/no/such/python3", "9.7/../../bin/sh", XAR_PYTHON_BOOTSTRAP_PY,
	  "this xar needs the Python interpreter '/no/such/python3', which "
	  "is missing" },
	{ "/bin/sh", "3.11", "../escape.py", "no valid XAR_PYTHON_BOOTSTRAP" },
	{ "/bin/sh", "3.11", "/abs.py", "no valid XAR_PYTHON_BOOTSTRAP" },
	{ "/bin/sh", "3.11", "a//b.py", "no valid XAR_PYTHON_BOOTSTRAP" },
	{ "/bin/sh", "3.11", NULL, "no valid XAR_PYTHON_BOOTSTRAP" },
	{ "", "3.11", XAR_PYTHON_BOOTSTRAP_PY, "no XAR_PYTHON" },
};

START_TEST(test_argv_refuses)
{
	struct xar_header h;
	struct xar_err err;
	char **argv = (char **)&err;

	setenv("PATH", "/nonexistent", 1);
	header_with(&h, bad_argv[_i].py, bad_argv[_i].ver, bad_argv[_i].boot);
	ck_assert_int_eq(xar_python_argv(&h, "/mnt", 0, NULL, &argv, &err), -1);
	ck_assert_ptr_null(argv);
	ck_assert_msg(strstr(err.msg, bad_argv[_i].msg), "%s", err.msg);
	xar_header_free(&h);
}
END_TEST

/* ---- entry points ---- */

static const struct {
	const char *s;
	int ok;
} entries[] = {
	{ "app", 1 }, { "app.cli", 1 }, { "app.cli:main", 1 },
	{ "app:Cls.method", 1 }, { "_x9.y_:z", 1 },
	{ "", 0 }, { "9app", 0 }, { "app.", 0 }, { ".app", 0 },
	{ "app..b", 0 }, { "app:", 0 }, { ":main", 0 }, { "a:b:c", 0 },
	{ "app-x", 0 }, { "a b", 0 }, { "a;import os", 0 }, { "app:m'", 0 },
};

START_TEST(test_valid_entry)
{
	ck_assert_msg(xar_python_valid_entry(entries[_i].s) == entries[_i].ok,
		      "%s", entries[_i].s);
}
END_TEST

/* Image path and content; disk files are made under base. */
static const char *const dists[][2] = {
	{ "app-1.0.dist-info/entry_points.txt",
	  "[console_scripts]\nappcli = app.cli:main [extra]\n"
	  "other=app.other : run\n# gone = x:y\n\n[gui_scripts]\n"
	  "appgui = app.gui:main\n[other]\nhidden = x:y\n" },
	{ "bad-1.dist-info/entry_points.txt",
	  "[console_scripts]\r\nbroken = not valid!\r\n" },
	{ "lib/deep-1.dist-info/entry_points.txt",
	  "[console_scripts]\ndeep = deep:main\n" },
	{ "zzz-2.egg-info/entry_points.txt",
	  "[console_scripts]\nappcli = zzz:main\nzcli = zzz.cli\n" },
	{ "app/__init__.py", "" },
};
#define NDISTS (sizeof(dists) / sizeof(dists[0]))

static const struct {
	const char *name, *entry, *msg;
} scripts[] = {
	{ "appcli", "app.cli:main", NULL },
	{ "other", "app.other:run", NULL },
	{ "appgui", "app.gui:main", NULL },
	{ "zcli", "zzz.cli", NULL },
	{ "hidden", NULL, "no console script 'hidden' in the image; there "
	  "are: appcli, other, appgui, broken, appcli, zcli" },
	{ "deep", NULL, "no console script 'deep'" },
	{ "gone", NULL, "no console script 'gone'" },
	{ "broken", NULL, "console script 'broken' in 'bad-1.dist-info/"
	  "entry_points.txt' has an unusable entry point" },
};

static void make_files(const char *const (*spec)[2], size_t n,
		       struct xar_python_file *files, char (*disk)[512])
{
	size_t i;

	for (i = 0; i < n; i++) {
		mk(spec[i][0], spec[i][1]);
		snprintf(disk[i], 512, "%s/%s", base, spec[i][0]);
		files[i].image_path = spec[i][0];
		files[i].disk_path = disk[i];
	}
}

START_TEST(test_console_scripts)
{
	struct xar_python_file files[NDISTS];
	char disk[NDISTS][512];
	struct xar_python_opts o = { 0 };
	struct xar_err err;
	char *entry;
	int rc;

	/* reversed: the lookup order must not depend on the list's order */
	make_files(dists, NDISTS, files, disk);
	for (rc = 0; rc < (int)NDISTS / 2; rc++) {
		struct xar_python_file t = files[rc];

		files[rc] = files[NDISTS - 1 - rc];
		files[NDISTS - 1 - rc] = t;
	}
	o.console_script = scripts[_i].name;
	rc = xar_python_resolve_entry(&o, files, NDISTS, &entry, &err);
	if (scripts[_i].entry) {
		ck_assert_int_eq(rc, 0);
		ck_assert_str_eq(entry, scripts[_i].entry);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_ptr_null(entry);
		ck_assert_msg(strstr(err.msg, scripts[_i].msg), "%s", err.msg);
	}
	free(entry);
}
END_TEST

START_TEST(test_console_script_without_distributions)
{
	struct xar_python_file files[] = { { "app/__init__.py", "/x" } };
	struct xar_python_opts o = { 0 };
	struct xar_err err;
	char *entry;

	o.console_script = "app";
	ck_assert_int_eq(xar_python_resolve_entry(&o, files, 1, &entry, &err), -1);
	ck_assert_msg(strstr(err.msg, "no distribution in the image declares "
			     "console scripts"), "%s", err.msg);
	o.console_script = NULL;
	ck_assert_int_eq(xar_python_resolve_entry(&o, files, 1, &entry, &err), -1);
	ck_assert_msg(strstr(err.msg, "--python-entry"), "%s", err.msg);
	o.entry = "app:main:x";
	ck_assert_int_eq(xar_python_resolve_entry(&o, files, 1, &entry, &err), -1);
	ck_assert_msg(strstr(err.msg, "bad entry point 'app:main:x'"), "%s",
		      err.msg);
}
END_TEST

static const struct xar_python_file tree[] = {
	{ "app/__init__.py", "" }, { "app/__main__.py", "" },
	{ "app/cli.py", "" }, { "lib2/__init__.py", "" },
	{ "ns/sub/mod.py", "" }, { "fast.cpython-311-x86_64-linux-gnu.so", "" },
	{ "old.pyc", "" }, { "data/readme.txt", "" }, { "plain.so", "" },
	{ "pkgmain/__main__.pyc", "" },
};

static const struct {
	const char *entry, *msg;
} checks[] = {
	{ "app", NULL }, { "app.cli", NULL }, { "app.cli:main", NULL },
	{ "app:main", NULL }, { "lib2:f", NULL }, { "ns.sub.mod", NULL },
	{ "ns:f", NULL }, { "fast", NULL }, { "old:f", NULL },
	{ "plain", NULL }, { "pkgmain", NULL },
	{ "lib2", "entry 'lib2' is a package without a __main__ module" },
	{ "ns", "entry 'ns' is a package without a __main__ module" },
	{ "data.readme", "entry module 'data.readme' is not in the image" },
	{ "nope:main", "entry module 'nope' is not in the image" },
	{ "app.cl", "entry module 'app.cl' is not in the image" },
	{ "ap", "entry module 'ap' is not in the image" },
	{ "ns.sub.mod.x", "entry module 'ns.sub.mod.x' is not in the image" },
};

START_TEST(test_entry_module_in_image)
{
	struct xar_err err;
	size_t n = sizeof(tree) / sizeof(tree[0]);
	int rc = xar_python_check_entry(checks[_i].entry, tree, n, &err);

	if (!checks[_i].msg) {
		ck_assert_msg(rc == 0, "%s: %s", checks[_i].entry, err.msg);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(err.msg, checks[_i].msg);
	}
}
END_TEST

/* ---- the interpreter ---- */

START_TEST(test_probe_resolves_the_real_interpreter)
{
	struct xar_python_info info;
	struct xar_err err;

	ck_assert_msg(xar_python_probe(NULL, &info, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(info.executable[0], '/');
	ck_assert_int_eq(access(info.executable, X_OK), 0);
	/* a pyenv shim is a shell script; the probe must see through it */
	ck_assert_ptr_null(strstr(info.executable, "/shims/"));
	ck_assert_int_eq(strncmp(info.version, "3.", 2), 0);
	ck_assert_int_eq(strncmp(info.tag, "cpython-3", 9), 0);
	xar_python_info_free(&info);
}
END_TEST

static const struct {
	const char *interp, *msg;
} bad_probes[] = {
	{ "/no/such/python", "cannot run '/no/such/python': No such file" },
	{ "false", "'false' failed (exit status 1)" },
	{ "true", "'true' did not answer as a Python interpreter" },
};

START_TEST(test_probe_refuses)
{
	struct xar_python_info info;
	struct xar_err err;

	ck_assert_int_eq(xar_python_probe(bad_probes[_i].interp, &info, &err), -1);
	ck_assert_msg(strstr(err.msg, bad_probes[_i].msg), "%s", err.msg);
	ck_assert_ptr_null(info.executable);
}
END_TEST

/* ---- finishing: bootstraps and bytecode ---- */

static const char *const app_tree[][2] = {
	{ "img/app/__init__.py", "GREETING = 'hello'\n" },
	{ "img/app/__main__.py",
	  "import sys\nfrom app import GREETING\n"
	  "print(GREETING, sys.argv, sys.path[0].endswith('/img'))\n" },
	{ "img/app/cli.py", "import sys\n"
	  "def main():\n    print('main', sys.argv[1:])\n    return 3\n" },
	{ "img/app/broken.py", "def (:\n" },
	{ "img/app/data.txt", "not python\n" },
};
#define NAPP (sizeof(app_tree) / sizeof(app_tree[0]))

static void app_files(struct xar_python_file *files, char (*disk)[512])
{
	size_t i;

	make_files(app_tree, NAPP, files, disk);
	for (i = 0; i < NAPP; i++)
		files[i].image_path += 4; /* "img/": the image root */
}

/* The app tree made, the interpreter probed, an empty header. */
struct app_fixture {
	struct xar_python_file files[NAPP];
	char disk[NAPP][512];
	struct xar_python_opts o;
	struct xar_python_info info;
	struct xar_header h;
	struct xar_err err;
};

static void app_open(struct app_fixture *f)
{
	memset(f, 0, sizeof(*f));
	app_files(f->files, f->disk);
	ck_assert_int_eq(xar_python_probe(NULL, &f->info, &f->err), 0);
	xar_header_init(&f->h);
}

static void app_close(struct app_fixture *f)
{
	xar_header_free(&f->h);
	xar_python_info_free(&f->info);
}

static int app_finish(struct app_fixture *f, const char *out_dir)
{
	return xar_python_finish(&f->o, &f->info, f->files, NAPP, at(out_dir),
				 &f->h, &f->err);
}

static int is_hash_pyc(const char *path)
{
	unsigned char h[16];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(h, 1, sizeof(h), f) : 0;

	if (f)
		fclose(f);
	/* PEP 552: flags word 1 = hash-based, not checked against source */
	return n == 16 && h[4] == 1 && !h[5] && !h[6] && !h[7];
}

/* Run out/__xar__/bootstrap.py as xarexec would; its stdout and status. */
static int run_bootstrap(const struct xar_python_info *info, const char *out,
			 char *buf, size_t len)
{
	char cmd[2048];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "cd / && PYTHONPATH='%s' XAR_INVOKED_NAME="
		 "'inv name' '%s' '%s/__xar__/bootstrap.py' 'x y' 2>&1", out,
		 info->executable, out);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_finish_module_entry)
{
	struct app_fixture f;
	char buf[4096], pyc[128];
	struct stat st;

	app_open(&f);
	f.o.entry = "app";
	/* out_dir is the tree itself here, so the result runs in place */
	ck_assert_msg(app_finish(&f, "img") == 0, "%s", f.err.msg);
	ck_assert_str_eq(xar_header_get(&f.h, "XAR_PYTHON"), f.info.executable);
	ck_assert_str_eq(xar_header_get(&f.h, "XAR_PYTHON_VERSION"),
			 f.info.version);
	ck_assert_str_eq(xar_header_get(&f.h, "XAR_PYTHON_TAG"), f.info.tag);
	ck_assert_str_eq(xar_header_get(&f.h, "XAR_PYTHON_ENTRY"), "app");
	ck_assert_str_eq(xar_header_get(&f.h, "XAR_PYTHON_BOOTSTRAP"),
			 XAR_PYTHON_BOOTSTRAP_PY);
	ck_assert_str_eq(xar_header_get(&f.h, "XAREXEC_TARGET"),
			 XAR_PYTHON_BOOTSTRAP_SH);
	ck_assert_int_eq(stat(at("img/__xar__/bootstrap.sh"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0755);
	snprintf(pyc, sizeof(pyc), "img/app/__pycache__/cli.%s.pyc", f.info.tag);
	ck_assert(is_hash_pyc(at(pyc)));
	snprintf(pyc, sizeof(pyc), "img/app/__pycache__/broken.%s.pyc",
		 f.info.tag);
	ck_assert_int_eq(access(at(pyc), F_OK), -1);
	ck_assert_int_eq(run_bootstrap(&f.info, at("img"), buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "hello ['inv name', 'x y'] True\n");
	app_close(&f);
}
END_TEST

START_TEST(test_finish_function_entry_exit_status)
{
	struct app_fixture f;
	char buf[4096];

	app_open(&f);
	f.o.entry = "app.cli:main";
	f.o.no_compile = 1;
	ck_assert_msg(app_finish(&f, "img") == 0, "%s", f.err.msg);
	ck_assert_int_eq(access(at("img/app/__pycache__"), F_OK), -1);
	ck_assert_int_eq(run_bootstrap(&f.info, at("img"), buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "main ['x y']\n");
	app_close(&f);
}
END_TEST

START_TEST(test_finish_refuses_missing_entry_writing_nothing)
{
	struct app_fixture f;

	app_open(&f);
	f.o.entry = "app.nope:main";
	ck_assert_int_eq(mkdir(at("out"), 0755), 0);
	ck_assert_int_eq(app_finish(&f, "out"), -1);
	ck_assert_str_eq(f.err.msg, "entry module 'app.nope' is not in the image");
	ck_assert_int_eq(rmdir(at("out")), 0); /* still empty */
	ck_assert_ptr_null(xar_header_get(&f.h, "XAR_PYTHON"));
	app_close(&f);
}
END_TEST

static long mtime_of(const char *rel)
{
	struct stat st;

	ck_assert_int_eq(lstat(at(rel), &st), 0);
	return (long)st.st_mtime;
}

START_TEST(test_generated_files_get_the_sources_time)
{
	struct app_fixture f;
	struct timeval tv[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char pyc[128];
	size_t i;

	app_open(&f);
	for (i = 0; i < NAPP; i++) {
		tv[0].tv_sec = tv[1].tv_sec = i == 2 ? 1000000100 : 1000000000;
		ck_assert_int_eq(utimes(f.disk[i], tv), 0);
	}
	f.o.entry = "app";
	ck_assert_int_eq(mkdir(at("out"), 0755), 0);
	ck_assert_msg(app_finish(&f, "out") == 0, "%s", f.err.msg);
	snprintf(pyc, sizeof(pyc), "out/app/__pycache__/cli.%s.pyc", f.info.tag);
	ck_assert_int_eq(mtime_of(pyc), 1000000100);
	ck_assert_int_eq(mtime_of("out/app/__pycache__"), 1000000100);
	ck_assert_int_eq(mtime_of("out/app"), 1000000100);
	ck_assert_int_eq(mtime_of("out/__xar__"), 1000000100);
	ck_assert_int_eq(mtime_of("out/__xar__/bootstrap.sh"), 1000000100);
	app_close(&f);
}
END_TEST

START_TEST(test_bytecode_is_reproducible)
{
	struct app_fixture f;
	char cmd[1200];

	app_open(&f);
	ck_assert_int_eq(mkdir(at("o1"), 0755), 0);
	ck_assert_int_eq(mkdir(at("o2"), 0755), 0);
	ck_assert_int_eq(xar_python_compile(&f.info, f.files, NAPP, at("o1"),
					    0, &f.err), 0);
	ck_assert_int_eq(utimes(f.disk[0], NULL), 0); /* mtimes do not matter */
	ck_assert_int_eq(xar_python_compile(&f.info, f.files, NAPP, at("o2"),
					    0, &f.err), 0);
	snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s' && test -n \"$(ls '%s/app/"
		 "__pycache__')\"", at("o1"), at("o2"), at("o1"));
	ck_assert_int_eq(system(cmd), 0);
	app_close(&f);
}
END_TEST

/* ---- pip ---- */

/* Debian's interpreter: python3-setuptools and python3-wheel (scripts/
 * deps.sh) let it build a local project offline. */
#define DEBIAN_PYTHON "/usr/bin/python3"

START_TEST(test_pip_installs_local_project)
{
	const char *pip_args[] = { "--no-index", "--no-build-isolation",
				   "--quiet", NULL };
	struct xar_python_opts o = { 0 };
	struct xar_python_info info;
	struct xar_err err;

	mk("proj/tinylib/__init__.py", "def hi():\n    return 'hi'\n");
	mk("proj/setup.py", "from setuptools import setup\n"
	   "setup(name='tinylib', version='1.0', packages=['tinylib'],\n"
	   "      entry_points={'console_scripts': ['tiny=tinylib:hi']})\n");
	mk("stage/.keep", "");
	pip_args[3] = at("proj");
	o.pip_args = pip_args;
	o.npip_args = 4;
	ck_assert(xar_python_wants_pip(&o));
	ck_assert_int_eq(xar_python_probe(DEBIAN_PYTHON, &info, &err), 0);
	ck_assert_msg(xar_python_pip(&o, &info, at("stage"), &err) == 0, "%s",
		      err.msg);
	ck_assert_int_eq(access(at("stage/tinylib/__init__.py"), F_OK), 0);
	ck_assert_int_eq(access(at("stage/tinylib-1.0.dist-info/"
				   "entry_points.txt"), F_OK), 0);
	xar_python_info_free(&info);
}
END_TEST

START_TEST(test_pip_failure_is_an_error)
{
	const char *pip_args[] = { "--no-index", "--quiet",
				   "no-such-package-xar-test" };
	const char *reqs[] = { NULL };
	struct xar_python_opts o = { 0 };
	struct xar_python_info info;
	struct xar_err err;

	mk("stage/.keep", "");
	ck_assert(!xar_python_wants_pip(&o));
	o.pip_args = pip_args;
	o.npip_args = 3;
	ck_assert_int_eq(xar_python_probe(NULL, &info, &err), 0);
	ck_assert_int_eq(xar_python_pip(&o, &info, at("stage"), &err), -1);
	ck_assert_msg(strstr(err.msg, "pip install failed (exit status 1)"),
		      "%s", err.msg);
	o.npip_args = 0;
	reqs[0] = at("missing-requirements.txt");
	o.requirements = reqs;
	o.nrequirements = 1;
	ck_assert_int_eq(xar_python_pip(&o, &info, at("stage"), &err), -1);
	xar_python_info_free(&info);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("python");
	TCase *run = tcase_create("run");
	TCase *build = tcase_create("build");
	TCase *probe = tcase_create("probe_errors");

	tcase_add_checked_fixture(run, setup, teardown);
	tcase_add_test(run, test_argv_recorded_interpreter);
	tcase_add_test(run, test_argv_falls_back_to_path);
	tcase_add_loop_test(run, test_argv_refuses, 0,
			    sizeof(bad_argv) / sizeof(bad_argv[0]));
	suite_add_tcase(s, run);

	tcase_add_checked_fixture(build, setup, teardown);
	tcase_set_timeout(build, 60);
	tcase_add_loop_test(build, test_valid_entry, 0,
			    sizeof(entries) / sizeof(entries[0]));
	tcase_add_loop_test(build, test_console_scripts, 0,
			    sizeof(scripts) / sizeof(scripts[0]));
	tcase_add_test(build, test_console_script_without_distributions);
	tcase_add_loop_test(build, test_entry_module_in_image, 0,
			    sizeof(checks) / sizeof(checks[0]));
	tcase_add_test(build, test_probe_resolves_the_real_interpreter);
	tcase_add_test(build, test_finish_module_entry);
	tcase_add_test(build, test_finish_function_entry_exit_status);
	tcase_add_test(build, test_finish_refuses_missing_entry_writing_nothing);
	tcase_add_test(build, test_generated_files_get_the_sources_time);
	tcase_add_test(build, test_bytecode_is_reproducible);
	tcase_add_test(build, test_pip_installs_local_project);
	tcase_add_test(build, test_pip_failure_is_an_error);
	suite_add_tcase(s, build);

	/* Under valgrind posix_spawn forks instead of vforking, so an exec
	 * failure shows up as exit status 127: make valgrind skips this tag. */
	tcase_set_tags(probe, "spawn-errors");
	tcase_add_loop_test(probe, test_probe_refuses, 0,
			    sizeof(bad_probes) / sizeof(bad_probes[0]));
	suite_add_tcase(s, probe);

	return xar_check_run(s);
}
