/* A zstd decompressor for libsquashfuse that keeps its context (image.h).
 *
 * libsquashfuse's own makes and frees a zstd context for every block it
 * decompresses: about a seventh of a cold start's decompression time went
 * to setting up those contexts. This one keeps one per thread (a handle's
 * caches are not thread-safe, so each thread has its own handle and now
 * its own context as well), in thread-specific data so that a thread that
 * ends frees its own. */
#include "image.h"

#include <pthread.h>
#include <squashfuse/squashfs_fs.h>
#include <zstd.h>

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int have_key;

static void free_context(void *d)
{
	ZSTD_freeDCtx(d);
}

static void make_key(void)
{
	have_key = pthread_key_create(&key, free_context) == 0;
}

/* The calling thread's context, made on first use; NULL when it cannot
 * be kept. */
static ZSTD_DCtx *context(void)
{
	ZSTD_DCtx *d;

	pthread_once(&once, make_key);
	if (!have_key)
		return NULL;
	d = pthread_getspecific(key);
	if (d)
		return d;
	d = ZSTD_createDCtx();
	if (d && pthread_setspecific(key, d)) {
		ZSTD_freeDCtx(d);
		d = NULL;
	}
	return d;
}

static sqfs_err decompress(void *in, size_t insz, void *out, size_t *outsz)
{
	ZSTD_DCtx *d = context();
	size_t n;

	if (!d)
		n = ZSTD_decompress(out, *outsz, in, insz);
	else
		n = ZSTD_decompressDCtx(d, out, *outsz, in, insz);
	if (ZSTD_isError(n))
		return SQFS_ERR;
	*outsz = n;
	return SQFS_OK;
}

void xar_decompress_keep(sqfs *fs)
{
	if (fs->sb.compression == ZSTD_COMPRESSION)
		fs->decompressor = decompress;
}

void xar_decompress_release(void)
{
	ZSTD_DCtx *d;

	pthread_once(&once, make_key);
	if (!have_key)
		return;
	d = pthread_getspecific(key);
	if (!d)
		return;
	pthread_setspecific(key, NULL);
	ZSTD_freeDCtx(d);
}
