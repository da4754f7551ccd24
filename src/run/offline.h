/*
 * Offline SQL (`--sql`): the script an online run would execute, rendered
 * from the same plan, in Alembic's layout so existing review and deploy
 * tooling keeps working:
 *
 *   BEGIN;                                  (PostgreSQL only, as Alembic)
 *   CREATE TABLE alembic_version (...);     (only when starting from base)
 *   -- Running upgrade  -> 1a2b3c4d5e6f
 *   <the migration's SQL>
 *   INSERT INTO alembic_version ...;        (the step's version-row change)
 *   CREATE TABLE IF NOT EXISTS retort_history (...);   (before its first row)
 *   INSERT INTO retort_history ...;         (what ran, as an online run records it)
 *   COMMIT;                                 (per migration; once with single_txn)
 *
 * A downgrade that ends at base drops the version table, as Alembic does.
 */
#ifndef RT_OFFLINE_H
#define RT_OFFLINE_H

#include "../lib/error.h"
#include "../lib/graph.h"
#include "../lib/plan.h"
#include "../lib/strbuf.h"

struct rt_offline_opts {
	const char *backend;        /* "postgresql" or "sqlite" */
	const char *version_table;  /* NULL: alembic_version */
	const char *version_table_schema;
	int create_table;           /* the run starts from base */
	int single_txn;
	/* retort's version: each migration's INSERT into retort_history after
	 * its version rows, as an online run records it (NULL: none) */
	const char *history_version;
	const struct strvec *rows;  /* the version rows the script starts from (stamps' history) */
};

int rt_offline_sql(const struct rt_graph *g, const struct rt_plan *p,
		   const struct rt_offline_opts *o, struct strbuf *out, struct rt_error *err);

#endif
