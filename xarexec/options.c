#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount.h"
#include "util.h"

#define XAREXEC_VERSION "0.1.0"
#define TIMEOUT_MAX (10u * 365 * 24 * 3600) /* ten years is "never" enough */

enum { OPT_TIMEOUT = 256, OPT_VERSION };

static const struct option long_opts[] = {
	{ "mount", no_argument, NULL, 'm' },
	{ "print-path", no_argument, NULL, 'n' },
	{ "unmount", no_argument, NULL, 'u' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"Usage: xarexec [OPTION]... FILE.xar [ARG]...\n"
"Run the application packed in FILE.xar with ARGs: mount its image once\n"
"(FUSE), keep the mount for later runs, exec the app from it.\n"
"A .xar's first line, #!/usr/bin/env xarexec, makes ./FILE.xar do this.\n"
"\n"
"  -m, --mount        mount (or reuse) and print the mount point; run nothing\n"
"  -n, --print-path   print where FILE.xar would be mounted; mount nothing\n"
"  -u, --unmount      unmount FILE.xar's mount if there is one\n"
"      --timeout S    unmount a mount made now after S idle seconds\n"
"                     (default $XAR_MOUNT_TIMEOUT, else 870; 0 = never)\n"
"  -v, --verbose      print each decision on stderr (as XAR_DEBUG=1)\n"
"  -h, --help         this help\n"
"      --version      xarexec's version\n"
"\n"
"Environment: XAR_MOUNT_ROOT (where mounts go: default the header's\n"
"MOUNT_ROOT, /mnt/xarfuse, $XDG_RUNTIME_DIR, /dev/shm, /tmp),\n"
"XAR_MOUNT_TIMEOUT, XAR_DEBUG.\n";

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "xarexec: %s%s%s\n", msg, arg ? ": " : "",
		arg ? arg : "");
	fprintf(stderr, "Try 'xarexec --help' for more information.\n");
	return 2;
}

static int parse_timeout(const char *s, const char *what, unsigned *out)
{
	uint64_t v;

	if (!*s) { /* the original runtime reads an empty value as 0 */
		*out = 0;
		return 0;
	}
	if (xar_parse_u64(s, 0, TIMEOUT_MAX, &v))
		return usage_error(what, s);
	*out = (unsigned)v;
	return 0;
}

static int set_mode(struct xarexec_options *o, enum xarexec_mode m)
{
	if (o->mode != XAREXEC_RUN && o->mode != m)
		return usage_error("-m, -n and -u exclude each other", NULL);
	o->mode = m;
	return 0;
}

static int parse_env(struct xarexec_options *o)
{
	const char *debug = getenv("XAR_DEBUG");
	const char *timeout = getenv("XAR_MOUNT_TIMEOUT");

	o->verbose = debug && *debug && strcmp(debug, "0");
	o->timeout = XAR_DEFAULT_MOUNT_TIMEOUT;
	if (timeout)
		return parse_timeout(timeout, "XAR_MOUNT_TIMEOUT is not a "
				     "number of seconds", &o->timeout);
	return 0;
}

static int parse_option(struct xarexec_options *o, int c)
{
	switch (c) {
	case 'm':
		return set_mode(o, XAREXEC_MOUNT);
	case 'n':
		return set_mode(o, XAREXEC_PRINT_PATH);
	case 'u':
		return set_mode(o, XAREXEC_UNMOUNT);
	case 'v':
		o->verbose = 1;
		return 0;
	case OPT_TIMEOUT:
		o->timeout_given = 1;
		return parse_timeout(optarg, "--timeout wants a number of "
				     "seconds", &o->timeout);
	case 'h':
		fputs(usage_text, stdout);
		return 1;
	case OPT_VERSION:
		puts("xarexec " XAREXEC_VERSION);
		return 1;
	default: /* getopt said what was wrong */
		fprintf(stderr, "Try 'xarexec --help' for more "
			"information.\n");
		return 2;
	}
}

int xarexec_parse_options(struct xarexec_options *o, int argc, char **argv)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	rc = parse_env(o);
	while (!rc && (c = getopt_long(argc, argv, "+mnuvh", long_opts,
				       NULL)) != -1)
		rc = parse_option(o, c);
	if (rc)
		return rc;
	if (optind >= argc)
		return usage_error("no xar file given", NULL);
	o->xar_path = argv[optind];
	o->app_argc = argc - optind - 1;
	o->app_argv = argv + optind + 1;
	return 0;
}
