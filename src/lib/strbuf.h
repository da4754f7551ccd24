/*
 * strbuf: a growable byte string.
 *
 * Invariants, true after strbuf_init() and after every call below:
 *   - buf is never NULL and buf[len] == '\0' (so it is always a C string,
 *     though it may also hold NUL bytes before len);
 *   - alloc > len, or alloc == 0 when buf points at the shared empty string
 *     (nothing has been added yet; strbuf_release() on it is a no-op).
 * strbuf_release() frees the memory and leaves the strbuf re-initialised;
 * strbuf_detach() hands the buffer to the caller (who must free() it).
 */
#ifndef RT_STRBUF_H
#define RT_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* `s` as a JSON string literal, quotes included (control characters
 * escaped; bytes >= 0x80 pass through, so UTF-8 stays UTF-8). */
void strbuf_add_json(struct strbuf *sb, const char *s);
/* Drop trailing white space. */
void strbuf_rtrim(struct strbuf *sb);

#endif
