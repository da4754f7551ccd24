/* The PostgreSQL open's read-ahead of the version state (pg_ahead.c). */
#ifndef RT_PG_AHEAD_H
#define RT_PG_AHEAD_H

#include <libpq-fe.h>

#include "../lib/strbuf.h"
#include "../lib/strvec.h"

/* Append the FROM and WHERE that find the tables (ordinary or
 * partitioned, as pg_tables lists) whose name is the SQL expression
 * `name` in the schema the expression `schema` gives (when it is NULL,
 * the first schema on search_path), as c (pg_class) and s (its
 * namespace): the one test of the read-ahead and of tables_exist. */
void rt_pg_table_match(struct strbuf *sql, const char *schema, const char *name);

/* Append the statement that reads ahead, for the version table named by
 * the literal `table_lit` in the schema `schema_lit` (a literal, or NULL
 * for the first schema on search_path); its row's first column is named
 * "ahead". */
void rt_pg_ahead_sql(struct strbuf *sql, const char *schema_lit, const char *table_lit);

/* From that statement's result: which of the version, history and
 * progress tables exist (exists[0..2]) and the version rows onto `rows`.
 * 0, or -1 when it cannot stand for reading the table itself (read under
 * a stricter isolation than READ COMMITTED, or a version_num column that
 * is missing or not of a string type); `rows` is then left as it was. */
int rt_pg_ahead_take(const PGresult *r, int exists[3], struct strvec *rows);

#endif
