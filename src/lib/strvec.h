/*
 * strvec: a growable, NULL-terminated array of owned strings.
 * v is never NULL after strvec_init(); v[nr] == NULL.
 */
#ifndef RT_STRVEC_H
#define RT_STRVEC_H

#include <stddef.h>

struct strvec {
	char **v;
	size_t nr;
	size_t alloc;
};

extern char *strvec_empty[];
#define STRVEC_INIT { strvec_empty, 0, 0 }

void strvec_init(struct strvec *sv);
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushn(struct strvec *sv, const char *s, size_t n);
void strvec_clear(struct strvec *sv);
int strvec_find(const struct strvec *sv, const char *s);
/* Split `s` on commas and/or white space, pushing the non-empty pieces. */
void strvec_split_list(struct strvec *sv, const char *s);
/* Join with `sep` into a new string. */
char *strvec_join(const struct strvec *sv, const char *sep);

#endif
