/* Looking inside a xar without running or mounting it: xarexec's --info,
 * --list, --extract and --verify. Each prints its result on stdout, its
 * errors as "xarexec: error: FILE: ..." on stderr, and returns the exit
 * status (0, or 1 on any error). */
#ifndef XAREXEC_INSPECT_H
#define XAREXEC_INSPECT_H

#include <stdint.h>

#include "header/header.h"
#include "image/image.h"

/* --info [--json]: header fields, image size, compression, block size,
 * entry counts, the Python interpreter and entry point (or the target);
 * with json, the same as one JSON object. */
int xarexec_info(const char *xar, int json);

/* --list X.xar [PATH...]: one ls -l-like line per entry in image order
 * (mode, uid/gid, size, mtime, path relative to the root, "-> target"),
 * only PATHs and what lies below them when given. Control bytes and '\'
 * in names are printed as \ooo. */
int xarexec_list(const char *xar, char **paths, int npaths);

/* --extract DIR [--force] [--keep-setid] X.xar [PATH...]: see
 * lib/image/image.h; owners are kept when run as root; flags adds
 * XAR_EXTRACT_FORCE or XAR_EXTRACT_KEEP_SETID. */
int xarexec_extract(const char *dir, const char *xar, char **paths,
		    int npaths, unsigned flags);

/* --verify [--key FILE.pub] X.xar: see lib/image/image.h, then who
 * signed it (with keyfile, it must be that key). */
int xarexec_verify(const char *xar, const char *keyfile);

/* Shared by xarexec/inspect*.c: a xar's header and image, opened for
 * reading (any compression libsquashfuse reads). */
struct xarexec_xar {
	const char *path;
	struct xar_header h;
	struct xar_image *img;
	const char *layout;       /* "shebang" or "self-contained" */
	char runtime_version[64]; /* self-contained: what its runtime says it
				     is, or "unknown" */
};

/* 0, or 1 after printing the error. */
int xarexec_xar_open(struct xarexec_xar *x, const char *path);
void xarexec_xar_close(struct xarexec_xar *x);
struct xarexec_counts {
	uint64_t entries, files, dirs, symlinks, other; /* below the root */
};

/* --info --json's object, on stdout. */
void xarexec_print_json(const struct xarexec_xar *x,
			const struct xarexec_counts *c);

/* The id of h's signer into id (XAR_KEY_ID_HEX + 1 bytes), and whether
 * its signature holds; NULL when not signed. */
const char *xarexec_signer(const struct xar_header *h, char *id,
			   const char **state);

/* --verify's second half: who signed xar, and does it hold. */
int xarexec_verify_signature(const char *xar, const char *keyfile);

/* 0 when the trust policy lets h run (or there is none), else 1 after
 * printing why. */
int xarexec_check_policy(const char *xar, const struct xar_header *h);

/* --doctor: the policy in force, or what is wrong with it; 1 on a
 * problem. */
int xarexec_policy_doctor(void);

/* Print "xarexec: error: FILE: message"; returns 1. */
int xarexec_inspect_fail(const char *file, const struct xar_err *err);

#endif
