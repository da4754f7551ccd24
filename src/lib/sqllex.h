/*
 * The SQL lexer: one set of rules for where quotes, comments and words
 * begin and end, used by the statement splitter below, by the schema code
 * (normalizing and parsing DDL) and by the drivers.
 *
 * Rules: '...' strings with doubled quotes, E'...' with backslash escapes
 * too, dollar quotes ($tag$...$tag$, $$...$$), "..." names, line comments
 * (--) and block comments, which nest as in PostgreSQL.  With RT_LEX_SQLITE,
 * SQLite's rules for what it stores as written: `...` and [...] are quoted
 * names as well (in PostgreSQL [ is a subscript), and a block comment ends
 * at its first star-slash, as SQLite's own tokenizer ends it.  Dollar
 * quotes are known in both (SQLite has none, so they cannot appear there
 * outside strings and comments).  Offsets are bytes into the input.
 *
 * Splitting: top-level semicolons end statements; semicolons inside
 * quotes and comments never do, nor do those inside the BEGIN ... END body
 * of a CREATE FUNCTION/PROCEDURE ... BEGIN ATOMIC or a SQLite CREATE
 * TRIGGER.  Empty statements are skipped.
 *
 * RT_LEX_MYSQL, MySQL's rules, as a mode of the same lexer: `...` names,
 * "..." and '...' strings with backslash escapes, # comments, "-- "
 * comments only before white space, block comments that do not nest, no
 * dollar quotes, and version comments (/ *!50100 ... * /, / *M! ... * /)
 * whose opening and closing are comments and whose content is SQL.  The
 * splitter also obeys the mysql client's DELIMITER command (on a line of
 * its own, at a statement boundary): until the next one, the new
 * delimiter ends statements, is not part of them, and semicolons do not.
 */
#ifndef RT_SQLLEX_H
#define RT_SQLLEX_H

#include <stddef.h>

enum rt_sql_kind {
	RT_SQL_END = 0,   /* no more tokens */
	RT_SQL_WORD,      /* keyword or unquoted name (letters, digits, _, $, bytes >= 0x80);
			   * also a parameter: $1, $name */
	RT_SQL_QNAME,     /* "name"; with RT_LEX_SQLITE also `name` and [name]; with
			   * RT_LEX_MYSQL `name` only */
	RT_SQL_STRING,    /* 'text', E'text', $tag$text$tag$ (the token includes the E);
			   * with RT_LEX_MYSQL also "text" */
	RT_SQL_NUMBER,    /* starts with a digit: 42, 3.14, 1e-5, 0x1F */
	RT_SQL_PUNCT,     /* one byte of punctuation or operator: ( ) , ; . = < ... */
	RT_SQL_COMMENT,   /* -- to the end of the line, or a block comment (only with
			   * RT_LEX_COMMENTS; skipped otherwise) */
};

#define RT_LEX_COMMENTS 1u  /* return comments as tokens */
#define RT_LEX_SQLITE   2u  /* SQLite: `name` and [name] quoted, comments do not nest */
#define RT_LEX_MYSQL    4u  /* MySQL/MariaDB (see above) */

struct rt_sql_tok {
	enum rt_sql_kind kind;
	int unterminated;   /* a quote or comment that the input ends inside */
	size_t off, len;    /* the token's bytes in the input, quotes included */
};

struct rt_sql_lexer {
	const char *sql;
	size_t len;
	size_t pos;         /* where the next token is looked for */
	unsigned flags;
	int unterminated;   /* some token ran to the end of the input unclosed */
	size_t open_off;    /* where that token starts */
};

void rt_sql_lexer_init(struct rt_sql_lexer *lx, const char *sql, size_t len, unsigned flags);
/* The next token into *tok; returns its kind, RT_SQL_END (0) at the end. */
enum rt_sql_kind rt_sql_next(struct rt_sql_lexer *lx, struct rt_sql_tok *tok);
/* Is the token the unquoted word `word` (ASCII case ignored)? */
int rt_sql_tok_is(const char *sql, const struct rt_sql_tok *tok, const char *word);
/* The name a WORD or QNAME token spells, as a new string: a word as
 * written; a quoted name without its quotes, a doubled quote character in
 * it undone ("a""b" is a"b, `a``b` is a`b; [a]] has no doubling). */
char *rt_sql_tok_name(const char *sql, const struct rt_sql_tok *tok);

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
/* The same with lexer flags (0 or RT_LEX_MYSQL; other flags are ignored). */
void rt_sql_split_ex(const char *sql, size_t len, unsigned flags, struct rt_stmts *out);
void rt_stmts_release(struct rt_stmts *s);
/* The first `n` words of a statement, upper-cased and space-separated,
 * skipping comments ("CREATE INDEX CONCURRENTLY"). */
void rt_sql_words(const char *stmt, size_t len, int n, char *out, size_t outlen);
/* The same with lexer flags (RT_LEX_MYSQL: # comments, version comments). */
void rt_sql_words_ex(const char *stmt, size_t len, int n, unsigned flags, char *out, size_t outlen);

/* Do these words (from rt_sql_words, 3 or more) start a statement that
 * begins or ends a transaction: BEGIN, COMMIT, END, ABORT, START
 * TRANSACTION, ROLLBACK (but not ROLLBACK [TRANSACTION] TO a savepoint)? */
int rt_sql_is_txn_control(const char *words);

#endif
