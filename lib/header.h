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

#include "err.h"

#define XAR_HEADER_ALIGN 4096u
#define XAR_HEADER_MAX   (1u << 20) /* refuse headers (OFFSET) above 1 MiB */
#define XAR_DEFAULT_SHEBANG "#!/usr/bin/env xarexec"

struct xar_kv {
	char *key;   /* [A-Z0-9_]+ */
	char *value; /* no '"', no newline */
};

struct xar_header {
	char *shebang;     /* first line, with "#!", without newline */
	uint64_t offset;   /* where the image starts; multiple of 4096 */
	struct xar_kv *kv; /* every KEY="value" in order, OFFSET/UUID/VERSION included */
	size_t nkv;
};

void xar_header_init(struct xar_header *h);
void xar_header_free(struct xar_header *h);

/* Value of KEY, or NULL. */
const char *xar_header_get(const struct xar_header *h, const char *key);

/* Add KEY="value" or replace its value; rejects bad keys and values.
 * Setting OFFSET also updates h->offset. */
int xar_header_set(struct xar_header *h, const char *key, const char *value,
		   struct xar_err *err);

int xar_header_set_shebang(struct xar_header *h, const char *line,
			   struct xar_err *err);

/* Parse and validate a header held in buf[0..len). file_size is the size of
 * the whole file (OFFSET must lie inside it); pass UINT64_MAX when unknown. */
int xar_header_parse(struct xar_header *h, const char *buf, size_t len,
		     uint64_t file_size, struct xar_err *err);

/* Read and parse the header of an open xar (one 4 KiB read when it fits). */
int xar_header_read_fd(struct xar_header *h, int fd, struct xar_err *err);

/* Render the header padded with newlines to exactly h->offset bytes; when
 * the text does not fit, OFFSET grows to the next multiple of 4096.
 * *out is malloc'ed. */
int xar_header_format(struct xar_header *h, char **out, size_t *len,
		      struct xar_err *err);

#endif
