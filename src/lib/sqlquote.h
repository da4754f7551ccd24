/*
 * Quoting for SQL text that retort writes itself: the one identifier
 * quoter and the one string-literal quoter.  Every dialect quotes a name
 * the same way ("na""me"); they differ only in which bare words are
 * keywords, so the caller passes its dialect's keyword test; MySQL alone
 * quotes with backticks (`na``me`: its double quotes are strings).  A name is
 * left bare only when it is a plain lowercase word that is no keyword,
 * which is how SQLAlchemy (and so Alembic) spells names.  Literals differ
 * only where a backslash is an escape (rt_sql_add_literal_ex).
 */
#ifndef RT_SQLQUOTE_H
#define RT_SQLQUOTE_H

#include "strbuf.h"

/* Is `word` (lowercase, NUL-terminated) a keyword that must be quoted? */
typedef int (*rt_keyword_fn)(const char *word);

/* Words PostgreSQL reserves and SQLite will not take as a table name: for
 * SQL written with no database to ask (offline scripts).  Quoting a word
 * needlessly is harmless where leaving a keyword bare is a syntax error. */
int rt_sql_common_keyword(const char *word);

/* A keyword test that takes every word for a keyword: with it every name
 * is quoted (the PostgreSQL and MySQL drivers quote every name they send,
 * and MySQL's schema reader spells names as SHOW CREATE TABLE prints them). */
int rt_sql_every_word(const char *word);

/* Append `name` as an identifier: bare when plain and no keyword (by
 * `is_keyword`; NULL: rt_sql_common_keyword), else in double quotes. */
void rt_sql_add_ident(struct strbuf *sb, const char *name, rt_keyword_fn is_keyword);
/* The same with `quote` in place of '"' (MySQL: '`'). */
void rt_sql_add_ident_q(struct strbuf *sb, const char *name, rt_keyword_fn is_keyword, char quote);
/* rt_sql_add_ident, as a new string. */
char *rt_sql_quote_ident(const char *name, rt_keyword_fn is_keyword);
/* rt_sql_add_ident_q, as a new string. */
char *rt_sql_quote_ident_q(const char *name, rt_keyword_fn is_keyword, char quote);
/* Append `s` as a string literal: 'it''s'. */
void rt_sql_add_literal(struct strbuf *sb, const char *s);
/*
 * The same, and with `backslash` for a server that reads a backslash in a
 * string as an escape (MySQL unless its sql_mode has NO_BACKSLASH_ESCAPES;
 * PostgreSQL's E'...', whose E the caller writes): a backslash doubled
 * too, 'it''s a \\ b'.  Byte by byte, so for text whose encoding never
 * puts the bytes of ' and \ inside a character: UTF-8 and the single-byte
 * ones, not Big5, GBK, GB18030 or Shift JIS.
 */
void rt_sql_add_literal_ex(struct strbuf *sb, const char *s, int backslash);

#endif
