/* Linked only into the static runtime, to keep it small (see the
 * Makefile). Two libfuse entry points that the low-level server never
 * calls but whose objects would otherwise drag in libfuse's high-level
 * API, and with it dlopen and much of the static C library's dynamic
 * loader (about 90 KB); and libsodium's misuse handler, whose object
 * (sodium_init) would drag in every primitive's implementations (about
 * 160 KB). If an update starts to need the real ones, the link fails with
 * "multiple definition", not silently. */
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>

#include <fuse_lowlevel.h>

/* squashfuse_ll's usage text calls it; the runtime never prints that. */
void fuse_cmdline_help(void);
void fuse_cmdline_help(void)
{
}

/* libfuse calls it for CUSE_INIT on a CUSE session only; ours is not. */
void cuse_lowlevel_init(fuse_req_t req, fuse_ino_t nodeid, const void *inarg);
void cuse_lowlevel_init(fuse_req_t req, fuse_ino_t nodeid, const void *inarg)
{
	(void)nodeid;
	(void)inarg;
	fuse_reply_err(req, ENOSYS);
}

/* What libsodium's own does without a handler set: abort. Only called
 * when libsodium is used wrongly (a bug of ours). */
void sodium_misuse(void);
void sodium_misuse(void)
{
	abort();
}
