/* The XAR header: a shell-style text block in front of the SquashFS image.
 *
 *   #!/usr/bin/env xarexec
 *   OFFSET="4096"
 *   UUID="<hex>"
 *   VERSION="<integer>"
 *   ...more KEY="value" lines...
 *   #xar_stop
 *   echo This XAR file should not be executed by sh
 *   exit 1
 *   # Actual squashfs file begins at 4096
 *   <newline padding up to OFFSET>
 *
 * Compatible with the original XAR in both directions. */
#ifndef XAR_HEADER_H
#define XAR_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "base/base.h"

#define XAR_HEADER_ALIGN 4096u
#define XAR_HEADER_MAX   (1u << 20) /* refuse headers (OFFSET) above 1 MiB */
#define XAR_DEFAULT_SHEBANG "#!/usr/bin/env xarexec"

struct xar_kv {
	char *key;   /* [A-Z0-9_]+ */
	char *value; /* no '"', no newline */
};

struct xar_header {
	char *shebang;     /* first line, with "#!", without newline */
	uint64_t start;    /* where the header starts: 0, or in the
			      self-contained layout the size of the runtime
			      in front of it (a multiple of 4096) */
	uint64_t offset;   /* where the image starts, from the start of the
			      file; multiple of 4096 */
	struct xar_kv *kv; /* every KEY="value" in order, OFFSET/UUID/VERSION included */
	size_t nkv;
};

void xar_header_init(struct xar_header *h);
void xar_header_free(struct xar_header *h);

/* Value of KEY, or NULL. */
const char *xar_header_get(const struct xar_header *h, const char *key);

/* The name a mount or an extraction of this xar goes by: its UUID, or
 * with by_digest (under a trust policy) "sha256-" and the full XAR_SHA256,
 * which no UUID can spell, so that a header claiming a trusted image's
 * UUID never meets its mount. out holds XAR_HEADER_KEY_MAX bytes. */
#define XAR_HEADER_KEY_MAX 72
int xar_header_key(const struct xar_header *h, int by_digest, char *out,
		   struct xar_err *err);

/* What runs: the Python entry point, else XAR_EXEC, else XAREXEC_TARGET
 * (NULL when none). */
const char *xar_header_entry_point(const struct xar_header *h);

/* ---- the runtime in front of a self-contained xar ----
 *
 * A self-contained xar starts with a fully static ELF executable (the
 * runtime), padded with zeros to a multiple of 4096; the header follows,
 * then the image. The runtime's size comes from its ELF headers alone
 * (the end of its section and program headers and of every segment's
 * bytes), so nothing else need record it. */

#define XAR_RUNTIME_MAX (64u << 20) /* refuse runtimes above 64 MiB */
#define XAR_RUNTIME_MARKER "\nXAR_RUNTIME_VERSION="

/* Does buf start with the ELF magic? */
int xar_runtime_is_elf(const void *buf, size_t len);

/* The ELF file in buf[0..len) (the first bytes of a file of file_size):
 * *start is where the header after it begins. Bounded: every table must
 * lie in buf and the file, and the runtime below XAR_RUNTIME_MAX. */
int xar_runtime_span(const void *buf, size_t len, uint64_t file_size,
		     uint64_t *start, struct xar_err *err);

/* Is the ELF file in buf[0..len) (all of it) a runtime mkxar may embed:
 * a 64-bit x86-64 executable with no program interpreter and no dynamic
 * section? */
int xar_runtime_check(const void *buf, size_t len, struct xar_err *err);

/* The version the runtime in fd's first start bytes says it is (the text
 * after XAR_RUNTIME_MARKER, up to a newline), into out; 0, or -1 when it
 * names none. */
int xar_runtime_version(int fd, uint64_t start, char *out, size_t cap);

/* Add KEY="value" or replace its value in place; rejects bad keys, values
 * with a quote, newline or control character, and (so that `sh app.xar`
 * stays inert) values with '$', '`' or '\\'. Setting OFFSET also updates
 * h->offset; UUID must be hex. */
int xar_header_set(struct xar_header *h, const char *key, const char *value,
		   struct xar_err *err);

int xar_header_set_shebang(struct xar_header *h, const char *line,
			   struct xar_err *err);

/* Parse and validate a header held in buf[0..len). file_size is the size of
 * the whole file (OFFSET must lie inside it); pass UINT64_MAX when unknown.
 * OFFSET, a hex UUID and VERSION are required (as the original's parser
 * requires them); empty and '#' lines before #xar_stop are skipped (as the
 * original's runtime does). h need not be initialised; on failure it is
 * left empty. Messages are one line, fit after "FILE: ". */
int xar_header_parse(struct xar_header *h, const char *buf, size_t len,
		     uint64_t file_size, struct xar_err *err);

/* Read and parse the header of an open xar: one 4 KiB pread at 0, more
 * only when OFFSET is above 4096 or an ELF runtime comes first (then the
 * header follows it, see xar_runtime_span); refuses non-regular files
 * unread. */
int xar_header_read_fd(struct xar_header *h, int fd, struct xar_err *err);

/* Render the header padded with newlines to exactly h->offset - h->start
 * bytes (4096 when unset): shebang (XAR_DEFAULT_SHEBANG when unset), OFFSET,
 * UUID, VERSION, the other keys in insertion order, #xar_stop, the guard
 * lines. When the text does not fit, OFFSET grows to the next multiple of
 * 4096 (h->offset and the OFFSET key follow). UUID and VERSION must be set.
 * *out is malloc'ed. */
int xar_header_format(struct xar_header *h, char **out, size_t *len,
		      struct xar_err *err);

/* The image's start-up list (mkxar --profile, --startup-list): what a
 * recorded start-up read, in the order it first read it, one line each:
 * an image path (a whole regular file), or a path, a tab and "FIRST-LAST"
 * (those of its blocks, counted in the image's block size from 0; a
 * fragment tail counts as the block after the last full one), or a path,
 * a tab and "absent": a name the start-up looked up and did not find (an
 * import system probes for several). The writer lays the files out first,
 * in the order of their first lines; the FUSE server decompresses what
 * the lines name ahead of the app and looks the names up before it. */
#define XAR_STARTUP_LIST "__xar__/startup"
#define XAR_STARTUP_LIST_MAX (1u << 20) /* bytes */

/* One line of it (without its newline): *path_len is the path's length;
 * *first..*last the blocks named, 0..UINT64_MAX for a whole file; 0, or 1
 * for an absent name. -1 for a range that does not read as FIRST-LAST
 * with FIRST <= LAST or as "absent". */
#define XAR_STARTUP_ABSENT "absent"
int xar_startup_line(const char *line, size_t len, size_t *path_len,
		     uint64_t *first, uint64_t *last);

#endif
