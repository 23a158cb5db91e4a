/* The runtime in front of a self-contained xar: the same program as
 * xarexec, but the xar is the file it runs from, and every argument
 * belongs to the app except a first one starting with --xar-, which are
 * the runtime's own (so that they never collide with the app's). */
#include "options.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "header/header.h"

/* mkxar --info finds the version here, in the runtime's bytes. */
static const char marker[] = XAR_RUNTIME_MARKER XAR_VERSION "\n";

static const char usage_text[] =
"Usage: FILE.xar [ARG]...       run the app with ARGs\n"
"  or:  FILE.xar --xar-OPTION [...]\n"
"A self-contained xar: its runtime is inside, so it runs where xarexec is\n"
"not installed. It mounts its image once (FUSE), keeps the mount for later\n"
"runs, and execs the app from it; where FUSE cannot be used it runs from\n"
"an extraction cache. A first argument starting with --xar- is the\n"
"runtime's own:\n"
"\n"
"  --xar-info [--xar-json]   header, layout, runtime version, image\n"
"  --xar-list [PATH]...      list the image's files\n"
"  --xar-extract DIR [PATH]...  extract the image (or PATHs) into DIR\n"
"  --xar-verify              check the image's digest and every block\n"
"  --xar-mount               mount (or reuse) and print the mount point\n"
"  --xar-print-path          print where it would be mounted\n"
"  --xar-unmount             unmount it if mounted\n"
"  --xar-version             the runtime's version\n"
"  --xar-help                this help\n"
"\n"
"XAR_DEBUG=1 says each decision, XAR_MOUNT_TIMEOUT=S unmounts after S idle\n"
"seconds, XAR_EXTRACT=1 runs from the extraction cache (see xarexec(1)).\n";

static const struct runtime_flag {
	const char *name;
	enum xarexec_mode mode;
	int operands; /* 0: none; 1: any number of PATHs */
} flags[] = {
	{ "--xar-info", XAREXEC_INFO, 0 },
	{ "--xar-list", XAREXEC_LIST, 1 },
	{ "--xar-extract", XAREXEC_EXTRACT, 1 },
	{ "--xar-verify", XAREXEC_VERIFY, 0 },
	{ "--xar-mount", XAREXEC_MOUNT, 0 },
	{ "--xar-print-path", XAREXEC_PRINT_PATH, 0 },
	{ "--xar-unmount", XAREXEC_UNMOUNT, 0 },
};

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "xar runtime: %s%s%s\nTry '--xar-help' for more "
		"information.\n", msg, arg ? ": " : "", arg ? arg : "");
	return 2;
}

/* The file we run from. Without /proc, the path we were run by. */
static const char *self_path(const char *argv0)
{
	static char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		return self;
	}
	return argv0 && strchr(argv0, '/') ? argv0 : NULL;
}

/* argv[1] is one of ours: which, and what follows it. */
static int runtime_flag(struct xarexec_options *o, int argc, char **argv)
{
	size_t i;
	int next = 2;

	if (!strcmp(argv[1], "--xar-help"))
		return fputs(usage_text, stdout) < 0 ? 2 : 1;
	if (!strcmp(argv[1], "--xar-version"))
		return fputs(marker + strlen(XAR_RUNTIME_MARKER), stdout) < 0 ?
		       2 : 1;
	for (i = 0; i < sizeof(flags) / sizeof(*flags); i++)
		if (!strcmp(argv[1], flags[i].name))
			break;
	if (i == sizeof(flags) / sizeof(*flags))
		return usage_error("unknown runtime option", argv[1]);
	o->mode = flags[i].mode;
	if (o->mode == XAREXEC_EXTRACT) {
		if (argc < 3)
			return usage_error("--xar-extract wants a directory",
					   NULL);
		o->extract_dir = argv[next++];
	}
	if (o->mode == XAREXEC_INFO && next < argc &&
	    !strcmp(argv[next], "--xar-json")) {
		o->json = 1;
		next++;
	}
	if (!flags[i].operands && next < argc)
		return usage_error("unexpected argument", argv[next]);
	o->app_argc = argc - next;
	o->app_argv = argv + next;
	return 0;
}

int xarexec_parse_runtime(struct xarexec_options *o, int argc, char **argv)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if ((rc = xarexec_parse_env(o)))
		return rc;
	o->xar_path = self_path(argc ? argv[0] : NULL);
	if (!o->xar_path) {
		fputs("xar runtime: error: cannot find the file it runs from "
		      "(/proc is not mounted)\n", stderr);
		return 2;
	}
	/* What the kernel would have passed a shebang: the path it was run
	 * by, or the file's when it was found by name. */
	o->invoked_name = argc && strchr(argv[0], '/') ? argv[0] : o->xar_path;
	if (argc > 1 && !strncmp(argv[1], "--xar-", 6))
		return runtime_flag(o, argc, argv);
	o->app_argc = argc > 1 ? argc - 1 : 0;
	o->app_argv = argv + 1;
	return 0;
}
