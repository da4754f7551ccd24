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
 *
 * `hint` names the way out when it is a command-line setting (raise the
 * lock timeout, point at the script directory, repair with stamp...).  The
 * library knows settings, not flags: the command layer renders each hint
 * as a sentence with the flag names (cmd/report.c), so the library's
 * messages never spell `--lock-timeout` or `-d/--dir` themselves.
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

enum rt_hint {
	RT_HINT_NONE = 0,
	RT_HINT_LOCK_TIMEOUT,    /* wait for the other run, or allow a longer lock wait */
	RT_HINT_SCRIPT_DIR,      /* create the script directory, or point at another */
	RT_HINT_STAMP_REPAIR,    /* inspect the version rows and repair them with stamp */
	RT_HINT_SEARCH_PATH,     /* set the PostgreSQL search_path setting */
	RT_HINT_SCHEMA_PATH,     /* write the declarative schema, or point at it */
	RT_HINT_NO_SINGLE_TXN,   /* run without the single-transaction setting */
	RT_HINT_BUILD_DRIVERS,   /* rebuild with the driver (see the version output) */
	RT_HINT_WRITE_ACCESS,    /* write as the user who owns the directory */
	RT_HINT_PYTHON,          /* name the project's Python (the python setting) */
	RT_HINT_PYTHON_ALEMBIC,  /* name a Python that has Alembic (the python setting) */
	RT_HINT_STAMP_PURGE,     /* rewrite the version rows with stamp's purge */
	RT_HINT_NAME_HEAD,       /* name the head to build on, or merge the heads */
	RT_HINT_SPLICE,          /* allow a new branch from a revision that is no head */
	RT_HINT_VERSION_PATH,    /* choose the version location for a new revision */
	RT_HINT_LOCK_ADVISORY,   /* use the advisory lock rather than the table lock */
	RT_HINT_COUNT
};

struct rt_error {
	int code;
	enum rt_hint hint;
	char hint_subject[512];   /* what the hint is about (a path), or "" */
	char msg[2048];
	char detail[2048];
};

#define RT_ERROR_INIT { 0, RT_HINT_NONE, "", "", "" }

void rt_error_clear(struct rt_error *e);
/* Set code and message; returns -1 so callers can `return rt_error_set(...)`. */
int rt_error_set(struct rt_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the current message with "prefix: ". */
void rt_error_prefix(struct rt_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* rt_error_set() naming the way out (see enum rt_hint); the command layer words it. */
int rt_error_hinted(struct rt_error *e, int code, enum rt_hint hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The subject a hint names (e.g. the schema file to write); "" by default. */
void rt_error_hint_subject(struct rt_error *e, const char *subject);
void rt_error_set_detail(struct rt_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The message on one line: its line breaks (a driver's multi-line text) become "; ". */
void rt_error_one_line(struct rt_error *e);

#endif
