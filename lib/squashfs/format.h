/* SquashFS 4.0 on-disk format: sizes, type codes, flags, and little-endian
 * encoders. Every on-disk record is encoded field by field through the put
 * helpers below (no packed structs), so the sizes are asserted here once. */
#ifndef XAR_SQUASHFS_FORMAT_H
#define XAR_SQUASHFS_FORMAT_H

#include <stdint.h>
#include <string.h>

#define SQFS_MAGIC          0x73717368u
#define SQFS_VERSION_MAJOR  4
#define SQFS_VERSION_MINOR  0
#define SQFS_COMP_ZSTD      6
#define SQFS_ZSTD_DEFAULT_LEVEL 15 /* what readers assume without options */

#define SQFS_SUPER_SIZE     96
#define SQFS_META_SIZE      8192u          /* uncompressed metadata block */
#define SQFS_META_UNCOMPRESSED 0x8000u     /* in a metadata block header */
#define SQFS_DATA_UNCOMPRESSED (1u << 24)  /* in a data/fragment size word */
#define SQFS_INVALID_FRAG   0xFFFFFFFFu
#define SQFS_INVALID_XATTR  0xFFFFFFFFu
#define SQFS_NO_TABLE       0xFFFFFFFFFFFFFFFFull
#define SQFS_MIN_BLOCK      4096u
#define SQFS_MAX_BLOCK      (1u << 20)
#define SQFS_NAME_MAX       256u
#define SQFS_DIR_HEADER_MAX 256u           /* entries after one header */
#define SQFS_DIR_SIZE_BIAS  3u             /* "." and ".." */

/* Superblock flags. */
enum {
	SQFS_FLAG_ALWAYS_FRAGMENTS = 0x0020,
	SQFS_FLAG_DUPLICATES       = 0x0040,
	SQFS_FLAG_EXPORTABLE       = 0x0080,
	SQFS_FLAG_NO_XATTRS        = 0x0200,
	SQFS_FLAG_COMP_OPTS        = 0x0400,
};

/* Inode types; extended = basic + 7. */
enum {
	SQFS_DIR = 1, SQFS_REG, SQFS_SYMLINK, SQFS_BLKDEV, SQFS_CHRDEV,
	SQFS_FIFO, SQFS_SOCKET,
	SQFS_LDIR = 8, SQFS_LREG, SQFS_LSYMLINK, SQFS_LBLKDEV, SQFS_LCHRDEV,
	SQFS_LFIFO, SQFS_LSOCKET,
};

/* Encoded sizes of the fixed parts of records. */
#define SQFS_INODE_HEADER_SIZE 16
#define SQFS_DIR_INODE_SIZE    (SQFS_INODE_HEADER_SIZE + 16)
#define SQFS_LDIR_INODE_SIZE   (SQFS_INODE_HEADER_SIZE + 24)
#define SQFS_REG_INODE_SIZE    (SQFS_INODE_HEADER_SIZE + 16)
#define SQFS_LREG_INODE_SIZE   (SQFS_INODE_HEADER_SIZE + 40)
#define SQFS_DIR_HEADER_SIZE   12
#define SQFS_DIR_ENTRY_SIZE    8
#define SQFS_DIR_INDEX_SIZE    12
#define SQFS_FRAG_ENTRY_SIZE   16

_Static_assert(SQFS_DIR_INODE_SIZE == 32, "basic directory inode is 32 bytes");
_Static_assert(SQFS_LDIR_INODE_SIZE == 40, "extended directory inode is 40 bytes");
_Static_assert(SQFS_REG_INODE_SIZE == 32, "basic file inode is 32 bytes");
_Static_assert(SQFS_LREG_INODE_SIZE == 56, "extended file inode is 56 bytes");
_Static_assert(SQFS_META_SIZE % SQFS_FRAG_ENTRY_SIZE == 0, "512 fragments per block");

static inline uint8_t *xar_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static inline uint8_t *xar_put32(uint8_t *p, uint32_t v)
{
	p = xar_put16(p, (uint16_t)v);
	return xar_put16(p, (uint16_t)(v >> 16));
}

static inline uint8_t *xar_put64(uint8_t *p, uint64_t v)
{
	p = xar_put32(p, (uint32_t)v);
	return xar_put32(p, (uint32_t)(v >> 32));
}

static inline uint8_t *xar_putbytes(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static inline uint16_t xar_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t xar_get32(const uint8_t *p)
{
	return (uint32_t)xar_get16(p) | ((uint32_t)xar_get16(p + 2) << 16);
}

static inline uint64_t xar_get64(const uint8_t *p)
{
	return (uint64_t)xar_get32(p) | ((uint64_t)xar_get32(p + 4) << 32);
}

/* A metadata reference: block location (relative to its table) << 16 | offset. */
static inline uint64_t xar_meta_ref(uint64_t block, uint32_t offset)
{
	return (block << 16) | (offset & 0xFFFFu);
}

#endif
