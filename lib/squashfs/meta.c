/* Metadata streams of the SquashFS writer: records are appended to an
 * 8 KiB block; full blocks are compressed (or kept raw when that does not
 * help) and stored behind a 16-bit size header, all in memory until the
 * writer places the table in the image. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "base/base.h"

int xar_meta_init(struct xar_meta *m, int level)
{
	memset(m, 0, sizeof(*m));
	m->level = level;
	m->cctx = ZSTD_createCCtx();
	return m->cctx ? 0 : -1;
}

void xar_meta_free(struct xar_meta *m)
{
	free(m->out);
	ZSTD_freeCCtx(m->cctx);
	memset(m, 0, sizeof(*m));
}

/* Compress the current block at m->level and, when set, at m->alt_level,
 * keeping the smaller result in out. */
static void compress_block(struct xar_meta *m, uint8_t *out, size_t *len,
			   int *raw)
{
	uint8_t alt[SQFS_META_SIZE];
	size_t alt_len;
	int alt_raw;

	xar_sqfs_compress(m->cctx, m->level, 0, m->block, m->used, out,
			  SQFS_META_SIZE, len, raw);
	if (!m->alt_level || m->alt_level == m->level)
		return;
	xar_sqfs_compress(m->cctx, m->alt_level, 0, m->block, m->used, alt,
			  sizeof(alt), &alt_len, &alt_raw);
	if (alt_len < *len) {
		memcpy(out, alt, alt_len);
		*len = alt_len;
		*raw = alt_raw;
	}
}

static int flush_block(struct xar_meta *m)
{
	uint8_t tmp[SQFS_META_SIZE];
	size_t len;
	int raw;

	while (m->out_cap - m->out_len < 2 + SQFS_META_SIZE)
		if (xar_grow((void **)&m->out, &m->out_cap, 1, 65536))
			return -1;
	compress_block(m, tmp, &len, &raw);
	xar_put16(m->out + m->out_len,
		  (uint16_t)(len | (raw ? SQFS_META_UNCOMPRESSED : 0)));
	memcpy(m->out + m->out_len + 2, tmp, len);
	m->out_len += 2 + len;
	m->used = 0;
	return 0;
}

int xar_meta_append(struct xar_meta *m, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len) {
		size_t n = SQFS_META_SIZE - m->used;

		if (n > len)
			n = len;
		memcpy(m->block + m->used, p, n);
		m->used += n;
		p += n;
		len -= n;
		if (m->used == SQFS_META_SIZE && flush_block(m))
			return -1;
	}
	return 0;
}

int xar_meta_flush(struct xar_meta *m)
{
	return m->used ? flush_block(m) : 0;
}
