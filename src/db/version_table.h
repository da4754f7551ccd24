/*
 * Alembic's version table, written once for every database: the CREATE
 * TABLE (byte for byte Alembic's, so either tool can take over), reading
 * the rows, and changing them.  The SQL comes in three forms:
 *
 *   - with parameters, run through a driver's exec_params (online runs);
 *   - "guarded", with literals, as one statement that fails unless it
 *     changed exactly one row, for scripts sent in one round trip;
 *   - Alembic's offline spelling, with literals, for `--sql`.
 *
 * What differs per database is data in its struct rt_sql_dialect (driver.h):
 * the placeholder style, the guard, whether offline scripts carry
 * BEGIN/COMMIT; and the driver's keyword test for the identifier quoter.
 */
#ifndef RT_VERSION_TABLE_H
#define RT_VERSION_TABLE_H

#include "driver.h"
#include "../lib/error.h"
#include "../lib/sqlquote.h"
#include "../lib/strbuf.h"
#include "../lib/strvec.h"
#include "../lib/vop.h"

#define RT_VERSION_TABLE_DEFAULT "alembic_version"
/* The history of the migrations run, beside the version table (db/history.h). */
#define RT_HISTORY_TABLE "retort_history"

extern const struct rt_sql_dialect rt_sql_postgresql;
extern const struct rt_sql_dialect rt_sql_sqlite;
extern const struct rt_sql_dialect rt_sql_mysql;
/* The dialect of a URL backend ("postgresql", "sqlite", "mysql"), or NULL. */
const struct rt_sql_dialect *rt_sql_dialect_for(const char *backend);

/* One version table, named and quoted once. */
struct rt_vt {
	const struct rt_sql_dialect *dialect;
	char *name;      /* as configured */
	char *schema;    /* as configured, or NULL: the default schema */
	char *sql;       /* quoted and schema-qualified, for SQL text */
	char *pkc;       /* its primary key constraint's name, quoted */
	char *shown;     /* how messages name it */
	char *progress;  /* the progress table beside it (RT_PROGRESS_TABLE), quoted */
	int progress_exists; /* -1: not looked for yet */
	char *history;   /* the history table beside it (RT_HISTORY_TABLE, db/history.h), quoted */
	int history_exists;  /* -1: not known (not looked for, or created in a rolled-back transaction) */
};

/* `name` NULL: alembic_version.  `is_keyword` as for rt_sql_add_ident
 * (NULL: the common keywords, for SQL written with no database to ask). */
struct rt_vt *rt_vt_new(const struct rt_sql_dialect *d, rt_keyword_fn is_keyword, const char *name,
			const char *schema);
void rt_vt_free(struct rt_vt *t);

enum rt_vt_create_form {
	RT_VT_CREATE,               /* online: tab-indented, as Alembic sends it */
	RT_VT_CREATE_IF_MISSING,    /* the same with IF NOT EXISTS, for a script */
	RT_VT_CREATE_OFFLINE,       /* indented by four spaces, as Alembic prints it */
};
/* Alembic's CREATE TABLE, without a terminating semicolon. */
void rt_vt_create_sql(const struct rt_vt *t, enum rt_vt_create_form form, struct strbuf *sb);

/* Can this dialect write guarded row changes (rt_vt_guarded_sql)? */
int rt_vt_can_guard(const struct rt_vt *t);
/* A row change as one statement that fails (with the dialect's
 * guard_sqlstate) unless it changed exactly one row, or two statements
 * where the guard follows the change (rt_vt_guarded_stmts says how many);
 * INSERT needs no guard (it adds a row or fails).  Ends with ";\n". */
void rt_vt_guarded_sql(const struct rt_vt *t, const struct rt_vop *v, struct strbuf *sb);
int rt_vt_guarded_stmts(const struct rt_vt *t, const struct rt_vop *v);
/* The same, except that where the dialect can fold a following guard
 * into the next statement (guard_value), only the change is written:
 * then it returns 1, and the next statement must carry the guard
 * (rt_history_insert_sql's `guard`); it counts as the guard's statement,
 * so rt_vt_guarded_stmts holds. */
int rt_vt_guarded_sql_fold(const struct rt_vt *t, const struct rt_vop *v, struct strbuf *sb);
/* A row change as Alembic's offline scripts spell it, without ';'. */
void rt_vt_offline_sql(const struct rt_vt *t, const struct rt_vop *v, struct strbuf *sb);
/* The revision a row change is about, for messages. */
const char *rt_vt_vop_rev(const struct rt_vop *v);
/* Fill err: the change of `rev` matched `changed` rows (-1: none, as a
 * guard reports it) instead of one.  Returns -1. */
int rt_vt_miss(const struct rt_vt *t, const char *rev, int changed, struct rt_error *err);

/* Through db's driver primitives, on db's version table (db->vt): */
/* The version rows; `exists` says whether the table exists (no rows if not). */
int rt_versions_read(struct rt_db *db, struct strvec *out, int *exists, struct rt_error *err);
/* Create the table unless it exists. */
int rt_version_table_create(struct rt_db *db, struct rt_error *err);
/* One row change, which must change exactly one row. */
int rt_version_change(struct rt_db *db, const struct rt_vop *v, struct rt_error *err);
/* Delete every row (stamp --purge). */
int rt_version_delete_all(struct rt_db *db, struct rt_error *err);

/*
 * Statement-level progress of a migration that runs outside one
 * transaction (transaction:false, or DDL on MySQL): a retort-owned table
 * beside the version table, never the version table itself, with one row
 * per statement that completed (version table, revision, direction,
 * statement number from 0, checksum of its text).  The rows of a
 * migration go in the transaction that changes its version row.
 */
#define RT_PROGRESS_TABLE "retort_progress"
/* The checksum of a statement's text, 16 hex digits (FNV-1a, 64 bits). */
void rt_progress_sum(const char *text, size_t len, char out[17]);
/* The checksums recorded for `rev` in `direction` ("upgrade"/"downgrade"),
 * in statement order; none when the table does not exist. */
int rt_progress_read(struct rt_db *db, const char *rev, const char *direction, struct strvec *sums,
		     struct rt_error *err);
/* Record statement `n`; creates the table when it is missing. */
int rt_progress_add(struct rt_db *db, const char *rev, const char *direction, int n,
		    const char *sum, struct rt_error *err);
/* The DELETE that forgets the progress of `rev` in `direction`, onto sb
 * (no semicolon): 1, or 0 when there is no table to delete from. */
int rt_progress_clear_sql(struct rt_db *db, const char *rev, const char *direction,
			  struct strbuf *sb, struct rt_error *err);
/* Forget the progress of `rev` in `direction` (nothing when there is no table). */
int rt_progress_clear(struct rt_db *db, const char *rev, const char *direction, struct rt_error *err);
/* Every migration left part-way: "revision direction count", one per entry. */
int rt_progress_list(struct rt_db *db, struct strvec *out, struct rt_error *err);

#endif
