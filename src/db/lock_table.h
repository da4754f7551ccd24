/*
 * The lease lock (--lock=table): the migration lock as a row of a table
 * retort owns, for connections that cannot hold a session lock (a
 * transaction pooler such as PgBouncer in front of PostgreSQL, or a
 * PostgreSQL-compatible server without advisory locks).  See
 * docs/poolers.md for the design; db/lock_table.c for the SQL.
 */
#ifndef RT_LOCK_TABLE_H
#define RT_LOCK_TABLE_H

#include "driver.h"

/* The table beside the version table that holds the leases. */
#define RT_LOCK_TABLE_NAME "retort_lock"

/*
 * Take the lease on db's version table, waiting as rt_db_poll_lock does,
 * taking over a lease whose holder stopped renewing it; then keep it
 * renewed from a second connection (opened from `url`) until
 * rt_lease_release.  Sets db->lease.
 */
int rt_lease_take(struct rt_db *db, const struct rt_url *url, struct rt_error *err);
/* Fails (naming why) once the lease was lost. */
int rt_lease_check(struct rt_db *db, struct rt_error *err);
/* Stop renewing, delete the row, close the heartbeat connection. */
void rt_lease_release(struct rt_db *db);

#endif
