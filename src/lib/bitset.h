/* bitset: a fixed-size set of small integers (revision indexes). */
#ifndef RT_BITSET_H
#define RT_BITSET_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct bitset {
	uint64_t *w;
	int n;
};

static inline void bitset_init(struct bitset *b, int n)
{
	b->n = n;
	b->w = xcalloc((size_t)(n / 64 + 1), sizeof(uint64_t));
}
static inline void bitset_release(struct bitset *b)
{
	free(b->w);
	b->w = NULL;
	b->n = 0;
}
static inline void bitset_clearall(struct bitset *b)
{
	memset(b->w, 0, (size_t)(b->n / 64 + 1) * sizeof(uint64_t));
}
static inline void bitset_copy(struct bitset *dst, const struct bitset *src)
{
	memcpy(dst->w, src->w, (size_t)(src->n / 64 + 1) * sizeof(uint64_t));
}
static inline void bitset_set(struct bitset *b, int i) { b->w[i >> 6] |= (uint64_t)1 << (i & 63); }
static inline void bitset_clear(struct bitset *b, int i) { b->w[i >> 6] &= ~((uint64_t)1 << (i & 63)); }
static inline int bitset_has(const struct bitset *b, int i) { return (int)((b->w[i >> 6] >> (i & 63)) & 1); }
static inline int bitset_any(const struct bitset *b)
{
	for (int i = 0; i <= b->n / 64; i++)
		if (b->w[i])
			return 1;
	return 0;
}
static inline int bitset_intersects(const struct bitset *a, const struct bitset *b)
{
	for (int i = 0; i <= a->n / 64; i++)
		if (a->w[i] & b->w[i])
			return 1;
	return 0;
}
static inline void bitset_or(struct bitset *a, const struct bitset *b)
{
	for (int i = 0; i <= a->n / 64; i++)
		a->w[i] |= b->w[i];
}
static inline void bitset_and(struct bitset *a, const struct bitset *b)
{
	for (int i = 0; i <= a->n / 64; i++)
		a->w[i] &= b->w[i];
}
static inline void bitset_andnot(struct bitset *a, const struct bitset *b)
{
	for (int i = 0; i <= a->n / 64; i++)
		a->w[i] &= ~b->w[i];
}

#endif
