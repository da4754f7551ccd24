/* Reading the current MySQL/MariaDB database into the model (mysql_schema.c). */
#ifndef RT_MYSQL_SCHEMA_H
#define RT_MYSQL_SCHEMA_H

#include <mysql.h>

#include "../lib/error.h"
#include "../schema/model.h"

/* Read the tables (with their columns, keys, indexes and constraints) and
 * views of the connection's current database, except the table
 * `skip_table` (the version table; NULL: none) and retort's own tables. */
int rt_mysql_schema_read(MYSQL *c, const char *skip_table, struct rt_schema *out,
			 struct rt_error *err);

#endif
