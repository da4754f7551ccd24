/*
 * Splitting SQL into statements, as the server would see them: top-level
 * semicolons end statements; quotes ('...', E'...' with backslash escapes,
 * "..."), dollar quotes ($tag$...$tag$), line and (nested) block comments
 * never do, nor do semicolons inside the BEGIN ... END body of a
 * CREATE FUNCTION/PROCEDURE ... BEGIN ATOMIC or a SQLite CREATE TRIGGER.
 * Empty statements are skipped.  Offsets are bytes into the input.
 */
#ifndef RT_SQLLEX_H
#define RT_SQLLEX_H

#include <stddef.h>

struct rt_stmt {
	size_t off;   /* first byte of the statement (after white space and comments) */
	size_t len;   /* up to and including its ';' if any */
};

struct rt_stmts {
	struct rt_stmt *v;
	int nr, alloc;
	int unterminated;    /* the input ends inside a quote or comment */
	size_t open_off;     /* where that quote or comment starts */
};

void rt_sql_split(const char *sql, size_t len, struct rt_stmts *out);
void rt_stmts_release(struct rt_stmts *s);
/* The first `n` words of a statement, upper-cased and space-separated,
 * skipping comments ("CREATE INDEX CONCURRENTLY"). */
void rt_sql_words(const char *stmt, size_t len, int n, char *out, size_t outlen);

/* Do these words (from rt_sql_words, 3 or more) start a statement that
 * begins or ends a transaction: BEGIN, COMMIT, END, ABORT, START
 * TRANSACTION, ROLLBACK (but not ROLLBACK [TRANSACTION] TO a savepoint)? */
int rt_sql_is_txn_control(const char *words);

#endif
