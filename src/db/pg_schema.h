/* Reading one PostgreSQL schema into the model (pg_schema.c). */
#ifndef RT_PG_SCHEMA_H
#define RT_PG_SCHEMA_H

#include <libpq-fe.h>

#include "../lib/error.h"
#include "../schema/model.h"

/* Read the tables, columns, constraints, indexes, views, enums and free
 * sequences of namespace `schema`, except the table `skip_table` (the
 * version table, when it lives there; NULL: none). */
int rt_pg_schema_read(PGconn *c, const char *schema, const char *skip_table, struct rt_schema *out,
		      struct rt_error *err);

#endif
