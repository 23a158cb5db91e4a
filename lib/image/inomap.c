#include "inomap.h"

#include <stdlib.h>

static size_t home(const struct xar_inomap *m, uint32_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 20) & (m->cap - 1);
}

static struct xar_inomap_slot *probe(const struct xar_inomap *m, uint32_t ino)
{
	size_t i = home(m, ino);

	while (m->slot[i].ino && m->slot[i].ino != ino)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static int grow(struct xar_inomap *m)
{
	struct xar_inomap bigger = { NULL, m->cap ? 2 * m->cap : 64, m->n };
	size_t i;

	if (bigger.cap < m->cap ||
	    !(bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot))))
		return -1;
	for (i = 0; i < m->cap; i++)
		if (m->slot[i].ino)
			*probe(&bigger, m->slot[i].ino) = m->slot[i];
	free(m->slot);
	*m = bigger;
	return 0;
}

struct xar_inomap_slot *xar_inomap_find(const struct xar_inomap *m,
					uint32_t ino)
{
	struct xar_inomap_slot *s;

	if (!ino || !m->cap)
		return NULL;
	s = probe(m, ino);
	return s->ino ? s : NULL;
}

struct xar_inomap_slot *xar_inomap_get(struct xar_inomap *m, uint32_t ino)
{
	struct xar_inomap_slot *s;

	if (!ino)
		return NULL;
	if (2 * (m->n + 1) > m->cap && grow(m))
		return NULL;
	s = probe(m, ino);
	if (!s->ino) {
		s->ino = ino;
		m->n++;
	}
	return s;
}

void xar_inomap_free(struct xar_inomap *m, void (*free_value)(void *))
{
	size_t i;

	for (i = 0; free_value && i < m->cap; i++)
		if (m->slot[i].ino)
			free_value(m->slot[i].value);
	free(m->slot);
	m->slot = NULL;
	m->cap = m->n = 0;
}
