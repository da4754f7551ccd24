/* Errors: the caller-owned struct every fallible library call fills. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void rt_error_clear(struct rt_error *e)
{
	e->code = 0;
	e->hint = RT_HINT_NONE;
	e->hint_subject[0] = '\0';
	e->msg[0] = '\0';
	e->detail[0] = '\0';
}

int rt_error_set(struct rt_error *e, int code, const char *fmt, ...)
{
	va_list ap;
	e->code = code ? code : RT_EXIT_ERROR;
	e->hint = RT_HINT_NONE;
	e->hint_subject[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->detail[0] = '\0';
	return -1;
}

void rt_error_prefix(struct rt_error *e, const char *fmt, ...)
{
	char prefix[1024], old[sizeof(e->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	size_t pl = strlen(prefix);
	memcpy(old, e->msg, sizeof(old));
	if (pl + 2 >= sizeof(e->msg))
		pl = sizeof(e->msg) - 3;
	memcpy(e->msg, prefix, pl);
	memcpy(e->msg + pl, ": ", 2);
	size_t room = sizeof(e->msg) - pl - 3, ol = strlen(old);
	if (ol > room)
		ol = room;
	memcpy(e->msg + pl + 2, old, ol);
	e->msg[pl + 2 + ol] = '\0';
}

void rt_error_set_detail(struct rt_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

int rt_error_hinted(struct rt_error *e, int code, enum rt_hint hint, const char *fmt, ...)
{
	va_list ap;
	e->code = code ? code : RT_EXIT_ERROR;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->detail[0] = '\0';
	e->hint = hint;
	e->hint_subject[0] = '\0';
	return -1;
}

void rt_error_hint_subject(struct rt_error *e, const char *subject)
{
	snprintf(e->hint_subject, sizeof(e->hint_subject), "%s", subject);
}

/* Join libpq's multi-line messages ("...failed: Connection refused\n\tIs
 * the server running...") into one line, the lines separated by "; ". */
void rt_error_one_line(struct rt_error *e)
{
	char *s = e->msg, *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '\n' || *r == '\t') {
			r += strspn(r, "\n\t ") - 1;
			if (w > s && r[1]) {
				*w++ = ';';
				*w++ = ' ';
			}
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}
