/* A map from SquashFS inode numbers to a caller's value, for walks that
 * must recognise hard links (extraction links names to the first one;
 * verification counts names per inode). Open addressing; inode numbers
 * come from untrusted images, so any 32-bit value is accepted. */
#ifndef XAR_IMAGE_INOMAP_H
#define XAR_IMAGE_INOMAP_H

#include <stddef.h>
#include <stdint.h>

struct xar_inomap_slot {
	uint32_t ino;  /* 0 marks a free slot (SquashFS inode numbers start at 1) */
	uint32_t count;
	void *value;
};

struct xar_inomap {
	struct xar_inomap_slot *slot;
	size_t cap, n;
};

/* The slot for ino, added (count 0, value NULL) when absent; NULL when out
 * of memory or ino is 0. Slots move when the map grows: do not keep them
 * across calls. */
struct xar_inomap_slot *xar_inomap_get(struct xar_inomap *m, uint32_t ino);
/* The slot for ino, or NULL when absent. */
struct xar_inomap_slot *xar_inomap_find(const struct xar_inomap *m,
					uint32_t ino);
/* Free the table; free_value (may be NULL) is called on every value. */
void xar_inomap_free(struct xar_inomap *m, void (*free_value)(void *));

#endif
