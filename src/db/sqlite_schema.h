/* Reading a SQLite database's schema into the model (sqlite_schema.c). */
#ifndef RT_SQLITE_SCHEMA_H
#define RT_SQLITE_SCHEMA_H

#include <sqlite3.h>

#include "../lib/error.h"
#include "../schema/model.h"

/* Read every table, index, view and trigger of the main database except
 * `skip_table` (the version table), retort_progress, retort_history and SQLite's own. */
int rt_sqlite_schema_read(sqlite3 *h, const char *skip_table, struct rt_schema *out,
			  struct rt_error *err);

/* `s` quoted as an identifier when it needs quotes (SQLite's keywords); a
 * new string. */
char *rt_sqlite_quote(const char *s);

#endif
