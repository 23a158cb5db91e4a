/* xarexec's command line. Options come before the xar path only; what
 * follows the path belongs to the app, untouched. */
#ifndef XAREXEC_OPTIONS_H
#define XAREXEC_OPTIONS_H

enum xarexec_mode {
	XAREXEC_RUN,        /* mount or reuse, exec the target */
	XAREXEC_MOUNT,      /* -m: mount or reuse, print the mount point */
	XAREXEC_PRINT_PATH, /* -n: print where it would mount */
	XAREXEC_UNMOUNT,    /* -u: unmount it if mounted */
	XAREXEC_INFO,       /* --info [--json] */
	XAREXEC_LIST,       /* --list X.xar [PATH...] */
	XAREXEC_EXTRACT,    /* --extract DIR [--force] X.xar [PATH...] */
	XAREXEC_VERIFY,     /* --verify X.xar */
	XAREXEC_STATUS,     /* --status: no xar */
	XAREXEC_CLEAN,      /* --clean [--older-than DAYS]: no xar */
	XAREXEC_DOCTOR,     /* --doctor [X.xar] */
};

struct xarexec_options {
	enum xarexec_mode mode;
	int verbose;           /* -v, or XAR_DEBUG set and not "0" */
	int timeout_given;     /* --timeout */
	unsigned timeout;      /* idle timeout in seconds for a new mount */
	int json;              /* --json (with --info) */
	int force;             /* --force (with --extract) */
	int keep_setid;        /* --keep-setid (with --extract) */
	const char *extract_dir;
	const char *key_file;  /* --key FILE.pub (with --verify) */
	unsigned older_than;   /* --older-than DAYS, default 30 */
	const char *xar_path;  /* NULL for --status, --clean, maybe --doctor */
	const char *invoked_name; /* what the app is told it was run as:
				     xar_path, or for a self-contained xar
				     run by name, its argv[0] */
	int app_argc;
	char **app_argv;
};

/* Parse argv and the environment (XAR_DEBUG, XAR_MOUNT_TIMEOUT). Returns
 * 0 to go on, 1 when --help/--version was handled (exit 0), 2 on a usage
 * error (already reported on stderr). */
int xarexec_parse_options(struct xarexec_options *o, int argc, char **argv);

/* XAR_DEBUG and XAR_MOUNT_TIMEOUT into o; 0, or 2 after reporting. */
int xarexec_parse_env(struct xarexec_options *o);

/* The runtime in front of a self-contained xar (xarexec/runtime.c, linked
 * only into it): the file is itself; argv[1] may be one of its --xar-*
 * options, else every argument is the app's. Returns as
 * xarexec_parse_options. */
int xarexec_parse_runtime(struct xarexec_options *o, int argc, char **argv);

#endif
