/*
 * Errors: every fallible library call returns 0 on success or -1 on failure
 * and fills a caller-owned `struct rt_error`.  The library never prints and
 * never exits; the command layer turns an rt_error into one stderr line and
 * an exit status.
 *
 * `code` is the exit status the failure maps to (see enum rt_exit); `msg`
 * is the whole human message, lowercase, naming the subject in quotes and,
 * where a file is at fault, starting with "file:line:col: ".  `detail`
 * holds optional extra lines (a statement excerpt with a caret, a hint).
 */
#ifndef RT_ERROR_H
#define RT_ERROR_H

enum rt_exit {
	RT_EXIT_OK = 0,
	RT_EXIT_PENDING = 1,  /* check: not at head */
	RT_EXIT_ERROR = 2,
	RT_EXIT_WAIT = 3,     /* wait timeout */
	RT_EXIT_LOCK = 4,     /* lock timeout */
	RT_EXIT_USAGE = 64,
};

struct rt_error {
	int code;
	char msg[2048];
	char detail[2048];
};

#define RT_ERROR_INIT { 0, "", "" }

void rt_error_clear(struct rt_error *e);
/* Set code and message; returns -1 so callers can `return rt_error_set(...)`. */
int rt_error_set(struct rt_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the current message with "prefix: ". */
void rt_error_prefix(struct rt_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rt_error_set_detail(struct rt_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
