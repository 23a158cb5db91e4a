/* xarexec-inspect: xarexec's inspection options (xarexec/inspect.c) behind
 * the command line xarexec gives them, for tests to run them before and
 * independently of xarexec's own option parser:
 *
 *   xarexec-inspect --info [--json] X.xar
 *   xarexec-inspect --list X.xar [PATH...]
 *   xarexec-inspect --extract DIR [--force] X.xar [PATH...]
 *   xarexec-inspect --verify X.xar
 *
 * Usage errors exit 2. */
#include <getopt.h>
#include <stdio.h>

#include "image/image.h"
#include "inspect.h"

enum { INFO = 256, JSON, LIST, EXTRACT, FORCE, VERIFY };

static const struct option opts[] = {
	{ "info", no_argument, NULL, INFO },
	{ "json", no_argument, NULL, JSON },
	{ "list", no_argument, NULL, LIST },
	{ "extract", required_argument, NULL, EXTRACT },
	{ "force", no_argument, NULL, FORCE },
	{ "verify", no_argument, NULL, VERIFY },
	{ NULL, 0, NULL, 0 },
};

static int usage(void)
{
	fputs("usage: xarexec-inspect --info [--json] | --list | --extract DIR "
	      "[--force] | --verify  X.xar [PATH...]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int mode = 0, json = 0, force = 0, c;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == JSON)
			json = 1;
		else if (c == FORCE)
			force = 1;
		else if (c == INFO || c == LIST || c == VERIFY || c == EXTRACT) {
			if (mode)
				return usage();
			mode = c;
			dir = c == EXTRACT ? optarg : dir;
		} else {
			return usage();
		}
	}
	if (!mode || optind >= argc ||
	    ((mode == INFO || mode == VERIFY) && optind + 1 != argc))
		return usage();
	if (mode == INFO)
		return xarexec_info(argv[optind], json);
	if (mode == VERIFY)
		return xarexec_verify(argv[optind], NULL);
	if (mode == LIST)
		return xarexec_list(argv[optind], argv + optind + 1,
				    argc - optind - 1);
	return xarexec_extract(dir, argv[optind], argv + optind + 1,
			       argc - optind - 1, force ? XAR_EXTRACT_FORCE : 0);
}
