/* FUSE requests counted by type, so that what a run costs the server can
 * be measured: the server counts every request it reads from /dev/fuse and
 * keeps the counts in a small text file beside the mount point:
 *
 *   pid 1234
 *   mountpoint /dev/shm/uid-0/ab12...-ns-4026531841
 *   state serving
 *   requests 57
 *   LOOKUP 20
 *   ...
 *
 * (one "NAME count" line per request type seen, in opcode order). */
#ifndef XAR_SERVER_STATS_H
#define XAR_SERVER_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

#define XAR_FUSE_OPCODES 64 /* the last slot counts any larger opcode */

struct xar_fuse_stats {
	uint64_t count[XAR_FUSE_OPCODES];
	uint64_t total;
};

/* Count one request: req points at its fuse_in_header, len bytes long. */
void xar_fuse_stats_count(struct xar_fuse_stats *s, const void *req,
			  size_t len);

/* "LOOKUP", "GETATTR", ...; "OTHER" for opcodes without a name. */
const char *xar_fuse_opcode_name(unsigned op);

/* Atomically replace path with preamble (lines, may be "") followed by
 * the totals and counts. */
int xar_fuse_stats_write(const struct xar_fuse_stats *s, const char *path,
			 const char *preamble, struct xar_err *err);

#endif
