/*
 * retort_history: what retort ran, a retort-owned table beside the
 * version table (never in it, so Alembic keeps working on the same
 * database), in the version table's schema, created when the first row
 * is written.  One row per migration run in either direction, per
 * revision a stamp marks applied or unapplied, and per checksum accepted
 * after review:
 *
 *   id              the order rows were written in
 *   version_table   the version table the row belongs to (several may share a schema)
 *   revision, direction ('upgrade' or 'downgrade')
 *   operation       'run', 'stamp' or 'accept'
 *   checksum        SHA-256 of the section's normalized text (lib/checksum.h);
 *                   NULL when there is none (a .py revision, no downgrade section)
 *   applied_at      ISO 8601 UTC, the database's clock
 *   duration_ms     NULL for stamps, accepts and offline scripts
 *   retort_version, applied_by (the database user; on SQLite the local user@host)
 *
 * A migration's row goes in the transaction that changes its version row.
 * The checksum a revision was applied with is that of its latest
 * 'upgrade' row (a downgrade and a new upgrade record anew).
 */
#ifndef RT_HISTORY_H
#define RT_HISTORY_H

#include "driver.h"
#include "version_table.h"
#include "../lib/error.h"
#include "../lib/strbuf.h"
#include "../lib/strvec.h"

/* duration_ms of a row: not known, or the database's count since BEGIN */
#define RT_HISTORY_NO_DURATION (-1L)
#define RT_HISTORY_SINCE_BEGIN (-2L)

/* One row to write. */
struct rt_history_row {
	const char *revision;
	const char *direction;   /* "upgrade", "downgrade" */
	const char *operation;   /* "run", "stamp", "accept" */
	const char *checksum;    /* NULL or "": none */
	long duration_ms;        /* or RT_HISTORY_NO_DURATION, RT_HISTORY_SINCE_BEGIN */
	const char *version;     /* retort's */
};

/* One row read back, every field as text ("" for NULL). */
struct rt_history_entry {
	char *revision, *direction, *operation, *checksum, *applied_at, *duration_ms, *version,
		*applied_by;
};
struct rt_history {
	struct rt_history_entry *v;  /* in the order they were written */
	int nr;
	int exists;                  /* the table exists */
};
void rt_history_release(struct rt_history *h);

/* The CREATE TABLE, without ';' (if_missing: IF NOT EXISTS, for scripts). */
void rt_history_create_sql(const struct rt_vt *t, int if_missing, struct strbuf *sb);
/* The INSERT of one row, with literals, without ';'; with `guard`, it
 * also is the guard of the row change right before it (the dialect's
 * guard_value, see rt_vt_guarded_sql_fold). */
void rt_history_insert_sql(const struct rt_vt *t, const struct rt_history_row *r, int guard,
			   struct strbuf *sb);

/* Is the table there (asked once, then remembered in db->vt)? */
int rt_history_exists(struct rt_db *db, int *exists, struct rt_error *err);
/* Create the table unless it exists. */
int rt_history_prepare(struct rt_db *db, struct rt_error *err);
/* Forget what is known of the table (after a rollback that may have undone its creation). */
void rt_history_forget(struct rt_db *db);
/* Write one row (the table must exist: rt_history_prepare). */
int rt_history_add(struct rt_db *db, const struct rt_history_row *r, struct rt_error *err);
/* Every row of db's version table; none (exists 0) without the table. */
int rt_history_read(struct rt_db *db, struct rt_history *out, struct rt_error *err);
/* The latest 'upgrade' row of `rev` in `h`, or NULL. */
const struct rt_history_entry *rt_history_applied(const struct rt_history *h, const char *rev);

#endif
