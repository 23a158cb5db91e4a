#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount/mount.h"
#include "base/base.h"

#define TIMEOUT_MAX (10u * 365 * 24 * 3600) /* ten years is "never" enough */

#define DAYS_MAX 36500u

enum {
	OPT_TIMEOUT = 256, OPT_VERSION, OPT_INFO, OPT_JSON, OPT_LIST,
	OPT_EXTRACT, OPT_FORCE, OPT_KEEP_SETID, OPT_VERIFY, OPT_STATUS, OPT_CLEAN,
	OPT_OLDER_THAN, OPT_DOCTOR, OPT_KEY,
};

static const struct option long_opts[] = {
	{ "mount", no_argument, NULL, 'm' },
	{ "print-path", no_argument, NULL, 'n' },
	{ "unmount", no_argument, NULL, 'u' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "info", no_argument, NULL, OPT_INFO },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "extract", required_argument, NULL, OPT_EXTRACT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "keep-setid", no_argument, NULL, OPT_KEEP_SETID },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "clean", no_argument, NULL, OPT_CLEAN },
	{ "older-than", required_argument, NULL, OPT_OLDER_THAN },
	{ "doctor", no_argument, NULL, OPT_DOCTOR },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"Usage: xarexec [OPTION]... FILE.xar [ARG]...\n"
"  or:  xarexec --info [--json] | --verify [--key FILE.pub]  FILE.xar\n"
"  or:  xarexec --list  FILE.xar [PATH]...\n"
"  or:  xarexec --extract DIR [--force] [--keep-setid]  FILE.xar [PATH]...\n"
"  or:  xarexec --status | --clean [--older-than DAYS]\n"
"  or:  xarexec --doctor [FILE.xar]\n"
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
"\n"
"Looking inside, without running (nothing is mounted):\n"
"      --info         header fields, image size, compression, block size,\n"
"                     entry counts, interpreter and entry point\n"
"      --json         with --info: the same as one JSON object\n"
"      --list         one ls -l-like line per entry (only PATHs if given)\n"
"      --extract DIR  extract the image (or PATHs) into DIR, which must be\n"
"                     empty or missing\n"
"      --force        with --extract: also into a DIR that is not empty\n"
"      --keep-setid   with --extract: keep set-uid and set-gid bits (they\n"
"                     are dropped otherwise)\n"
"      --verify       check the image's SHA-256, tables and every block,\n"
"                     and who signed it\n"
"      --key FILE.pub with --verify: it must be signed by this key\n"
"\n"
"Housekeeping (no FILE.xar):\n"
"      --status       this user's run caches (size, last use, in use)\n"
"      --clean        remove run caches unused for DAYS days and\n"
"                     interrupted extractions; keep what is in use\n"
"      --older-than DAYS  with --clean (default 30; 0 = all unused)\n"
"      --doctor       check the trust policy, /dev/fuse, fusermount3, the\n"
"                     mount roots, the run\n"
"                     cache and FILE.xar's interpreter when given; print\n"
"                     each problem with its fix\n"
"  -h, --help         this help\n"
"      --version      xarexec's version\n"
"\n"
"Environment: XAR_MOUNT_ROOT (where mounts go: default the header's\n"
"MOUNT_ROOT, /mnt/xarfuse, $XDG_RUNTIME_DIR, /dev/shm, /tmp),\n"
"XAR_MOUNT_TIMEOUT, XAR_DEBUG,\n"
"XAR_EXTRACT=1 (run from an extraction in $XDG_CACHE_HOME/xar, else\n"
"~/.cache/xar, instead of mounting; also done when FUSE is unusable),\n"
"XAR_VERIFY=1 (verify the image before a new mount or extraction).\n";

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

static int parse_days(const char *s, unsigned *out)
{
	uint64_t v;

	if (xar_parse_u64(s, 0, DAYS_MAX, &v))
		return usage_error("--older-than wants a number of days", s);
	*out = (unsigned)v;
	return 0;
}

static int set_mode(struct xarexec_options *o, enum xarexec_mode m)
{
	if (o->mode != XAREXEC_RUN && o->mode != m)
		return usage_error("-m, -n, -u, --info, --list, --extract, "
				   "--verify, --status, --clean and --doctor "
				   "exclude each other", NULL);
	o->mode = m;
	return 0;
}

int xarexec_parse_env(struct xarexec_options *o)
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
	case OPT_INFO:
		return set_mode(o, XAREXEC_INFO);
	case OPT_JSON:
		o->json = 1;
		return 0;
	case OPT_LIST:
		return set_mode(o, XAREXEC_LIST);
	case OPT_EXTRACT:
		o->extract_dir = optarg;
		return set_mode(o, XAREXEC_EXTRACT);
	case OPT_FORCE:
		o->force = 1;
		return 0;
	case OPT_KEEP_SETID:
		o->keep_setid = 1;
		return 0;
	case OPT_VERIFY:
		return set_mode(o, XAREXEC_VERIFY);
	case OPT_STATUS:
		return set_mode(o, XAREXEC_STATUS);
	case OPT_CLEAN:
		return set_mode(o, XAREXEC_CLEAN);
	case OPT_DOCTOR:
		return set_mode(o, XAREXEC_DOCTOR);
	case OPT_OLDER_THAN:
		return parse_days(optarg, &o->older_than);
	case OPT_KEY:
		o->key_file = optarg;
		return 0;
	case OPT_TIMEOUT:
		o->timeout_given = 1;
		return parse_timeout(optarg, "--timeout wants a number of "
				     "seconds", &o->timeout);
	case 'h':
		fputs(usage_text, stdout);
		return 1;
	case OPT_VERSION:
		puts("xarexec " XAR_VERSION);
		return 1;
	default: /* getopt said what was wrong */
		fprintf(stderr, "Try 'xarexec --help' for more "
			"information.\n");
		return 2;
	}
}

static int no_xar_mode(enum xarexec_mode m)
{
	return m == XAREXEC_STATUS || m == XAREXEC_CLEAN ||
	       m == XAREXEC_DOCTOR;
}

/* What may follow the options in each mode. */
static int check_operands(struct xarexec_options *o, int argc, char **argv)
{
	if (o->json && o->mode != XAREXEC_INFO)
		return usage_error("--json goes with --info", NULL);
	if (o->force && o->mode != XAREXEC_EXTRACT)
		return usage_error("--force goes with --extract", NULL);
	if (o->keep_setid && o->mode != XAREXEC_EXTRACT)
		return usage_error("--keep-setid goes with --extract", NULL);
	if (o->key_file && o->mode != XAREXEC_VERIFY)
		return usage_error("--key goes with --verify", NULL);
	if (o->mode == XAREXEC_DOCTOR && optind + 1 == argc) {
		o->xar_path = argv[optind]; /* optional */
		return 0;
	}
	if (no_xar_mode(o->mode)) {
		if (optind < argc)
			return usage_error("unexpected argument",
					   argv[optind]);
		return 0;
	}
	if (optind >= argc)
		return usage_error("no xar file given", NULL);
	/* one xar each: "-u a.xar b.xar" must not quietly leave b mounted */
	if ((o->mode == XAREXEC_INFO || o->mode == XAREXEC_VERIFY ||
	     o->mode == XAREXEC_MOUNT || o->mode == XAREXEC_PRINT_PATH ||
	     o->mode == XAREXEC_UNMOUNT) && optind + 1 != argc)
		return usage_error("unexpected argument", argv[optind + 1]);
	o->xar_path = o->invoked_name = argv[optind];
	o->app_argc = argc - optind - 1;
	o->app_argv = argv + optind + 1;
	return 0;
}

int xarexec_parse_options(struct xarexec_options *o, int argc, char **argv)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->older_than = 30;
	rc = xarexec_parse_env(o);
	while (!rc && (c = getopt_long(argc, argv, "+mnuvh", long_opts,
				       NULL)) != -1)
		rc = parse_option(o, c);
	if (rc)
		return rc;
	return check_operands(o, argc, argv);
}
