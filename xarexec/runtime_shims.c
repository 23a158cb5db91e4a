/* Linked only into the static runtime, to keep it small (see the
 * Makefile). The decompressors of SquashFS images mkxar never writes (the
 * runtime reads only its own image, zstd, and lib/image refuses others
 * there before any block is read: XAR_IMAGE_ANY_COMPRESSION); two libfuse
 * entry points that the low-level server never
 * calls but whose objects would otherwise drag in libfuse's high-level
 * API, and with it dlopen and much of the static C library's dynamic
 * loader (about 90 KB); and libsodium's misuse handler, whose object
 * (sodium_init) would drag in every primitive's implementations (about
 * 160 KB). If an update starts to need the real ones, the link fails with
 * "multiple definition", not silently. */
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <stdlib.h>
#include <stddef.h>
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

/* zlib, xz, lzo and lz4, as libsquashfuse's decompressor table names them:
 * each fails as for corrupt input. */
int uncompress(unsigned char *dst, unsigned long *dst_len,
	       const unsigned char *src, unsigned long src_len);
int uncompress(unsigned char *dst, unsigned long *dst_len,
	       const unsigned char *src, unsigned long src_len)
{
	(void)dst, (void)dst_len, (void)src, (void)src_len;
	return -3; /* Z_DATA_ERROR */
}

int lzma_stream_buffer_decode(uint64_t *memlimit, uint32_t flags,
			      const void *allocator, const uint8_t *in,
			      size_t *in_pos, size_t in_size, uint8_t *out,
			      size_t *out_pos, size_t out_size);
int lzma_stream_buffer_decode(uint64_t *memlimit, uint32_t flags,
			      const void *allocator, const uint8_t *in,
			      size_t *in_pos, size_t in_size, uint8_t *out,
			      size_t *out_pos, size_t out_size)
{
	(void)memlimit, (void)flags, (void)allocator, (void)in, (void)in_pos;
	(void)in_size, (void)out, (void)out_pos, (void)out_size;
	return 9; /* LZMA_DATA_ERROR */
}

int lzo1x_decompress_safe(const unsigned char *src, unsigned long src_len,
			  unsigned char *dst, unsigned long *dst_len,
			  void *wrkmem);
int lzo1x_decompress_safe(const unsigned char *src, unsigned long src_len,
			  unsigned char *dst, unsigned long *dst_len,
			  void *wrkmem)
{
	(void)src, (void)src_len, (void)dst, (void)dst_len, (void)wrkmem;
	return -1; /* LZO_E_ERROR */
}

int LZ4_decompress_safe(const char *src, char *dst, int src_len, int cap);
int LZ4_decompress_safe(const char *src, char *dst, int src_len, int cap)
{
	(void)src, (void)dst, (void)src_len, (void)cap;
	return -1;
}
