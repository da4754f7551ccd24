/*
 * xalloc: allocation wrappers that never return NULL.
 *
 * Running out of memory is not an error a migration runner can recover from
 * in any useful way, so these print one line and exit(2) instead of making
 * every call site check.  This is the only place in the library that exits.
 */
#ifndef RT_XALLOC_H
#define RT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grow array `p` (of `nr` used elements, `alloc` capacity) to hold `want`. */
#define ALLOC_GROW(p, want, alloc)                                         \
	do {                                                               \
		if ((size_t)(want) > (size_t)(alloc)) {                    \
			size_t alloc_grow_n_ = (alloc) ? (size_t)(alloc) * 2 : 8; \
			if (alloc_grow_n_ < (size_t)(want))                \
				alloc_grow_n_ = (size_t)(want);            \
			(p) = xrealloc((p), alloc_grow_n_ * sizeof(*(p))); \
			(alloc) = alloc_grow_n_;                           \
		}                                                          \
	} while (0)

#endif
