/* The extraction cache's part of xarexec --status, --clean and --doctor
 * (lib/run/run.h). Each prints on stdout, errors as
 * "xarexec: error: ..." on stderr, and returns the exit status. */
#ifndef XAREXEC_CACHE_STATUS_H
#define XAREXEC_CACHE_STATUS_H

/* --status: one line per cache (UUID, size, last use, in use) and per
 * partial extraction, under a heading naming the cache directory. */
int xarexec_cache_status(void);

/* --clean [--older-than DAYS]: remove caches unused for DAYS days (0: all
 * unused) and interrupted extractions; keep what is in use. One line per
 * entry removed or kept. */
int xarexec_cache_clean(unsigned days);

/* --doctor: one line, "ok: ..." or "problem: ... (with the fix)"; 0 when
 * ok, 1 when not. */
int xarexec_cache_doctor(void);

#endif
