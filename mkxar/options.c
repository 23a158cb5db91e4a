#include "options.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"


enum {
	OPT_EXEC = 256, OPT_LEVEL, OPT_BLOCK_SIZE, OPT_SHEBANG, OPT_MOUNT_ROOT,
	OPT_HEADER, OPT_EXCLUDE, OPT_KEEP_OWNER, OPT_VERSION, OPT_PYTHON,
	OPT_PYTHON_ENTRY, OPT_CONSOLE_SCRIPT, OPT_PIP, OPT_NO_COMPILE,
	OPT_NO_STARTUP_GUESS,
	OPT_SELF_CONTAINED, OPT_RUNTIME, OPT_NEW_KEY, OPT_SIGN, OPT_NO_EXEC,
	OPT_BUNDLE_PYTHON, OPT_PYTHON_EXCLUDE, OPT_PYTHON_INCLUDE,
	OPT_PROFILE, OPT_STARTUP_LIST,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "exec", required_argument, NULL, OPT_EXEC },
	{ "no-exec", no_argument, NULL, OPT_NO_EXEC },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "block-size", required_argument, NULL, OPT_BLOCK_SIZE },
	{ "jobs", required_argument, NULL, 'j' },
	{ "shebang", required_argument, NULL, OPT_SHEBANG },
	{ "mount-root", required_argument, NULL, OPT_MOUNT_ROOT },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "keep-owner", no_argument, NULL, OPT_KEEP_OWNER },
	{ "self-contained", no_argument, NULL, OPT_SELF_CONTAINED },
	{ "runtime", required_argument, NULL, OPT_RUNTIME },
	{ "new-key", required_argument, NULL, OPT_NEW_KEY },
	{ "sign", required_argument, NULL, OPT_SIGN },
	{ "python", required_argument, NULL, OPT_PYTHON },
	{ "python-entry", required_argument, NULL, OPT_PYTHON_ENTRY },
	{ "console-script", required_argument, NULL, OPT_CONSOLE_SCRIPT },
	{ "requirement", required_argument, NULL, 'r' },
	{ "pip", required_argument, NULL, OPT_PIP },
	{ "no-compile", no_argument, NULL, OPT_NO_COMPILE },
	{ "no-startup-guess", no_argument, NULL, OPT_NO_STARTUP_GUESS },
	{ "bundle-python", no_argument, NULL, OPT_BUNDLE_PYTHON },
	{ "python-exclude", required_argument, NULL, OPT_PYTHON_EXCLUDE },
	{ "python-include", required_argument, NULL, OPT_PYTHON_INCLUDE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "startup-list", required_argument, NULL, OPT_STARTUP_LIST },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"Usage: mkxar -o OUTPUT.xar [OPTION]... SOURCE...\n"
"  or:  mkxar --new-key NAME\n"
"Pack files into one executable .xar: a XAR header and a SquashFS image.\n"
"\n"
"Each SOURCE is a directory, whose contents go to the image root, or\n"
"PATH=DEST to place a file or directory at DEST in the image. Later\n"
"sources replace files of earlier ones at the same path.\n"
"\n"
"  -o, --output FILE       the .xar to write (atomically)\n"
"      --exec PATH         executable in the image to run; makes OUTPUT 0755\n"
"      --no-exec           allow a xar without an entry point (a data image)\n"
"      --level N           zstd level, 1-22 (default 16)\n"
"      --block-size SIZE   data block size, a power of two from 4K to 1M\n"
"                          (bytes, or with K or M; default 128K)\n"
"  -j, --jobs N            compression threads (default: one per CPU)\n"
"      --shebang LINE      first line (default \"#!/usr/bin/env xarexec\")\n"
"      --mount-root DIR    MOUNT_ROOT header: where xarexec mounts it\n"
"      --header KEY=VALUE  add a header line (repeatable)\n"
"      --exclude GLOB      leave out matching paths (repeatable); a GLOB\n"
"                          with '/' matches the path below its source,\n"
"                          otherwise the name\n"
"      --keep-owner        keep owners (default: everything root:root)\n"
"      --self-contained    put the static runtime in front, so that OUTPUT\n"
"                          runs where xarexec is not installed\n"
"      --runtime FILE      the runtime to put in front (implies\n"
"                          --self-contained; default: xar-runtime beside\n"
"                          mkxar, or in ../lib/xar/ from it)\n"
"      --sign NAME.key     sign the header (and through its digests the\n"
"                          image and runtime) with this Ed25519 key\n"
"      --new-key NAME      write a new key pair NAME.key (0600) and\n"
"                          NAME.pub; overwrites nothing\n"
"      --profile ARGS      build, run the xar once with ARGS (split as the\n"
"                          shell does) on a private mount, record the files\n"
"                          its start-up reads and build again with those\n"
"                          laid out first and read ahead at each new mount\n"
"      --startup-list FILE the same from a list recorded earlier (image\n"
"                          paths, one a line; xarexec --extract DIR\n"
"                          __xar__/startup gets one), without a run\n"
"\n"
"Python apps (the interpreter runs the entry point from the mounted image):\n"
"      --python-entry MODULE[:FUNCTION]\n"
"                          run MODULE as __main__, or call FUNCTION\n"
"      --console-script NAME  the entry point NAME of a bundled distribution\n"
"      --python INTERP     interpreter to record (default: the real program\n"
"                          behind python3 on PATH)\n"
"  -r, --requirement FILE  pip-install these dependencies into the image\n"
"      --pip ARG           pass ARG to pip install (repeatable), e.g.\n"
"                          --pip=--no-index --pip=--find-links=DIR --pip=./pkg\n"
"      --no-compile        do not precompile .pyc files\n"
"      --no-startup-guess  without --profile or --startup-list, the modules\n"
"                          the entry point imports (followed statically)\n"
"                          are the start-up list; this keeps name order\n"
"      --bundle-python     put the interpreter into the image: its standard\n"
"                          library and every shared library down to the C\n"
"                          library and loader (a hermetic xar)\n"
"      --python-exclude GLOB  leave this out of the bundled standard library\n"
"                          too (repeatable; matched like --exclude)\n"
"      --python-include GLOB  keep what a default exclude would drop, e.g.\n"
"                          --python-include=tkinter (repeatable)\n"
"\n"
"  -q, --quiet             no progress, no summary; pip quiet too\n"
"  -v, --verbose           report what was written\n"
"  -h, --help              this help\n"
"      --version           mkxar's version\n"
"\n"
"SOURCE_DATE_EPOCH, when set, clamps every mtime and sets the image time.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "mkxar: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'mkxar --help' for more information.\n");
	return 2;
}

/* "131072", "128K", "1M" -> bytes; 0 when malformed. */
static uint64_t parse_size(const char *s)
{
	char num[32];
	size_t len = strlen(s);
	uint64_t v, mult = 1;

	if (!len || len >= sizeof(num))
		return 0;
	memcpy(num, s, len + 1);
	if (num[len - 1] == 'K' || num[len - 1] == 'k')
		mult = 1024;
	else if (num[len - 1] == 'M' || num[len - 1] == 'm')
		mult = 1024 * 1024;
	if (mult > 1)
		num[len - 1] = '\0';
	if (xar_parse_u64(num, 1, UINT32_MAX, &v) || v * mult > UINT32_MAX)
		return 0;
	return v * mult;
}

static int push(const char ***arr, size_t *n, const char *s)
{
	const char **p = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!p)
		return -1;
	p[(*n)++] = s;
	*arr = p;
	return 0;
}

static int source_date_epoch(struct xar_build_opts *b)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!s || !*s)
		return 0;
	if (xar_parse_u64(s, 0, UINT32_MAX, &v))
		return usage_error("SOURCE_DATE_EPOCH is not a number of "
				   "seconds", s);
	b->source_date_epoch = (int64_t)v;
	return 0;
}

static int parse_number(const char *s, uint64_t min, uint64_t max,
			const char *what, uint64_t *out)
{
	if (xar_parse_u64(s, min, max, out)) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%s must be a number from %llu to %llu",
			 what, (unsigned long long)min, (unsigned long long)max);
		return usage_error(msg, s);
	}
	return 0;
}

static int parse_one(struct mkxar_options *o, int c, const char *arg)
{
	struct xar_build_opts *b = &o->build;
	uint64_t v;

	switch (c) {
	case 'o': b->output = arg; return 0;
	case OPT_EXEC: b->exec = arg; return 0;
	case OPT_NO_EXEC: o->no_exec = 1; return 0;
	case OPT_LEVEL:
		if (parse_number(arg, 1, 22, "--level", &v))
			return 2;
		b->sqfs.level = (int)v;
		return 0;
	case OPT_BLOCK_SIZE:
		v = parse_size(arg);
		if (v < 4096 || v > 1048576 || (v & (v - 1)))
			return usage_error("--block-size must be a power of two "
					   "from 4K to 1M", arg);
		b->sqfs.block_size = (uint32_t)v;
		return 0;
	case 'j':
		if (parse_number(arg, 1, 1024, "--jobs", &v))
			return 2;
		b->sqfs.threads = (unsigned)v;
		return 0;
	case OPT_SHEBANG: b->shebang = arg; return 0;
	case OPT_MOUNT_ROOT: b->mount_root = arg; return 0;
	case OPT_HEADER: return push(&o->headers, &o->nheaders, arg) ? 2 : 0;
	case OPT_EXCLUDE: return push(&o->excludes, &o->nexcludes, arg) ? 2 : 0;
	case OPT_KEEP_OWNER: b->tree.keep_owner = 1; return 0;
	case OPT_SELF_CONTAINED: o->self_contained = 1; return 0;
	case OPT_RUNTIME: b->runtime = arg; o->self_contained = 1; return 0;
	case OPT_NEW_KEY: o->new_key = arg; return 0;
	case OPT_SIGN: b->sign_key = arg; return 0;
	case OPT_PROFILE: o->profile_args = arg; return 0;
	case OPT_STARTUP_LIST: o->startup_list = arg; return 0;
	case OPT_PYTHON: o->python.interp = arg; return 0;
	case OPT_PYTHON_ENTRY: o->python.entry = arg; return 0;
	case OPT_CONSOLE_SCRIPT: o->python.console_script = arg; return 0;
	case 'r': return push(&o->requirements, &o->nrequirements, arg) ? 2 : 0;
	case OPT_PIP: return push(&o->pip_args, &o->npip_args, arg) ? 2 : 0;
	case OPT_NO_COMPILE: o->python.no_compile = 1; return 0;
	case OPT_NO_STARTUP_GUESS: o->build.no_startup_guess = 1; return 0;
	case OPT_BUNDLE_PYTHON: o->python.bundle = 1; return 0;
	case OPT_PYTHON_EXCLUDE:
		return push(&o->py_excludes, &o->npy_excludes, arg) ? 2 : 0;
	case OPT_PYTHON_INCLUDE:
		return push(&o->py_includes, &o->npy_includes, arg) ? 2 : 0;
	case 'q': o->quiet = 1; return 0;
	case 'v': o->verbose = 1; return 0;
	case 'h': fputs(usage_text, stdout); return 1;
	case OPT_VERSION: printf("mkxar %s\n", XAR_VERSION); return 1;
	default: return usage_error("invalid option", NULL);
	}
}

/* A program installed with mkxar: NAME beside mkxar (a build directory),
 * else <prefix>/lib/xar/NAME for mkxar in <prefix>/bin; *path malloc'ed.
 * what and flag name it in the error. */
static int installed(const char *name, char **path, const char *what,
		     const char *flag)
{
	char self[PATH_MAX], *slash, msg[160];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int i;

	snprintf(msg, sizeof(msg), "no %s installed beside mkxar%s%s%s", what,
		 flag ? " (give " : "", flag ? flag : "", flag ? " FILE)" : "");
	if (n <= 0 || !(self[n] = '\0', slash = strrchr(self, '/')))
		return usage_error(msg, NULL);
	slash[1] = '\0';
	for (i = 0; i < 2; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "%s%s", i ? "../lib/xar/" : "", name);
		free(*path);
		*path = xar_path_join(self, rel);
		if (!*path)
			return usage_error("out of memory", NULL);
		if (!access(*path, R_OK))
			return 0;
	}
	return usage_error(msg, self);
}

/* A directory SOURCE (no =DEST) holding pyproject.toml or setup.py is a
 * Python project: pip installs it (python_build.h) instead of its files
 * being packed as they are. */
static int is_project(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	const char *const marks[] = { "pyproject.toml", "setup.py" };
	size_t i;

	if (strchr(dir, '=') || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (i = 0; i < 2; i++)
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     marks[i]) < sizeof(path) &&
		    access(path, F_OK) == 0)
			return 1;
	return 0;
}

static int project_sources(struct mkxar_options *o)
{
	struct xar_build_opts *b = &o->build;
	const char **kept = (const char **)b->sources;
	size_t i, n = 0;

	for (i = 0; i < b->nsources; i++) {
		if (is_project(b->sources[i])) {
			if (push(&o->projects, &o->nprojects, b->sources[i]))
				return 2;
		} else {
			kept[n++] = b->sources[i];
		}
	}
	b->nsources = n;
	o->python.projects = o->projects;
	o->python.nprojects = o->nprojects;
	return 0;
}

/* Python mode is chosen by naming an entry point. */
static int python_options(struct mkxar_options *o)
{
	struct xar_python_opts *p = &o->python;
	int any = p->interp || o->nrequirements || o->npip_args ||
		  p->no_compile || p->bundle || o->npy_excludes ||
		  o->build.no_startup_guess ||
		  o->npy_includes;

	if (p->entry && p->console_script)
		return usage_error("give --python-entry or --console-script, "
				   "not both", NULL);
	if (!p->entry && !p->console_script) {
		if (any)
			return usage_error("Python options need --python-entry "
					   "or --console-script", NULL);
		return 0;
	}
	if (o->build.exec)
		return usage_error("--exec does not go with a Python entry "
				   "point", NULL);
	p->requirements = o->requirements;
	p->nrequirements = o->nrequirements;
	p->pip_args = o->pip_args;
	p->npip_args = o->npip_args;
	p->quiet = o->quiet;
	if ((o->npy_excludes || o->npy_includes) && !p->bundle)
		return usage_error("--python-exclude and --python-include go "
				   "with --bundle-python", NULL);
	p->bundle_excludes = o->py_excludes;
	p->nbundle_excludes = o->npy_excludes;
	p->bundle_includes = o->py_includes;
	p->nbundle_includes = o->npy_includes;
	o->build.python = p;
	return project_sources(o);
}

/* A xar needs something for xarexec to run: --exec, a Python entry point
 * or an XAREXEC_TARGET header; without one only --no-exec builds it. */
static int entry_point_given(const struct mkxar_options *o)
{
	size_t i;

	if (o->build.exec || o->build.python)
		return 1;
	for (i = 0; i < o->nheaders; i++)
		if (!strncmp(o->headers[i], "XAREXEC_TARGET=", 15))
			return 1;
	return 0;
}

int mkxar_parse_options(struct mkxar_options *o, int argc, char **argv)
{
	struct xar_build_opts *b = &o->build;
	int c, rc;

	memset(o, 0, sizeof(*o));
	xar_build_opts_init(b);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:j:r:qvh", long_opts, NULL)) != -1) {
		if (c == '?')
			return usage_error(optopt ? "invalid or incomplete option" :
					   "unknown option", argv[optind - 1]);
		if ((rc = parse_one(o, c, optarg)))
			return rc;
	}
	if (o->new_key) {
		if (b->output || optind < argc)
			return usage_error("--new-key NAME takes nothing else",
					   NULL);
		return 0;
	}
	if (!b->output)
		return usage_error("no output given (-o FILE.xar)", NULL);
	b->sources = (const char *const *)argv + optind;
	b->nsources = (size_t)(argc - optind);
	b->headers = o->headers;
	b->nheaders = o->nheaders;
	b->tree.excludes = o->excludes;
	b->tree.nexcludes = o->nexcludes;
	if ((rc = python_options(o)))
		return rc;
	if (o->self_contained && !b->runtime) {
		if ((rc = installed("xar-runtime", &o->runtime_path,
				    "runtime", "--runtime")))
			return rc;
		b->runtime = o->runtime_path;
	}
	if (o->python.bundle && b->python) {
		if ((rc = installed("xar-python-launcher", &o->launcher_path,
				    "Python launcher (xar-python-launcher)",
				    NULL)))
			return rc;
		b->python_launcher = o->launcher_path;
	}
	if (!b->nsources &&
	    !(b->python && (o->nrequirements || o->npip_args || o->nprojects)))
		return usage_error("no SOURCE given", NULL);
	if (!o->no_exec && !entry_point_given(o))
		return usage_error("no entry point: give --exec PATH, "
				   "--python-entry, --console-script, or "
				   "--no-exec for a xar that runs nothing", NULL);
	if (o->no_exec && entry_point_given(o))
		return usage_error("--no-exec does not go with an entry point",
				   NULL);
	if (o->profile_args && o->startup_list)
		return usage_error("--profile and --startup-list both give the "
				   "start-up list", NULL);
	if (o->profile_args && o->no_exec)
		return usage_error("--profile runs the xar: it needs an entry "
				   "point", NULL);
	if (o->profile_args &&
	    (rc = installed("xarexec", &o->xarexec_path, "xarexec", NULL)))
		return rc;
	return source_date_epoch(b);
}

void mkxar_options_free(struct mkxar_options *o)
{
	free(o->excludes);
	free(o->headers);
	free(o->requirements);
	free(o->pip_args);
	free(o->runtime_path);
	free(o->launcher_path);
	free(o->xarexec_path);
	free(o->py_excludes);
	free(o->py_includes);
	free(o->projects);
}
