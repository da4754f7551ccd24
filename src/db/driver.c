/*
 * The driver registry (which drivers this build has) and the few helpers
 * every driver shares: opening a connection together with its version
 * table, closing it, the migration lock's polling, and the statements no
 * database runs in a transaction.
 */
#include "driver.h"
#include "lock_table.h"
#include "version_table.h"
#include "../lib/clock.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef RT_WITH_SQLITE
extern const struct rt_driver rt_sqlite_driver;
#endif
#ifdef RT_WITH_PG
extern const struct rt_driver rt_pg_driver;
#endif
#ifdef RT_WITH_MYSQL
extern const struct rt_driver rt_mysql_driver;
#endif

const struct rt_driver *const rt_drivers[] = {
#ifdef RT_WITH_SQLITE
	&rt_sqlite_driver,
#endif
#ifdef RT_WITH_PG
	&rt_pg_driver,
#endif
#ifdef RT_WITH_MYSQL
	&rt_mysql_driver,
#endif
	NULL,
};

int rt_driver_for(const struct rt_url *url, const struct rt_driver **out, struct rt_error *err)
{
	for (int i = 0; rt_drivers[i]; i++)
		if (!strcmp(rt_drivers[i]->name, url->backend)) {
			*out = rt_drivers[i];
			return 0;
		}
	return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_BUILD_DRIVERS,
			       "this retort was built without the '%s' driver", url->backend);
}

/*
 * Open through the backend's driver, which sees the version table's name
 * already defaulted, then name the version table once for everything
 * above (db/version_table.c).  A database without schemas ignores the
 * version table's schema.
 */
int rt_db_open(struct rt_db **db, const struct rt_url *url, const struct rt_db_opts *opts,
	       struct rt_error *err)
{
	const struct rt_driver *drv;
	struct rt_db_opts o = *opts;
	if (rt_driver_for(url, &drv, err))
		return -1;
	if (!o.version_table)
		o.version_table = RT_VERSION_TABLE_DEFAULT;
	if (!drv->dialect->schemas)
		o.version_table_schema = NULL;
	if (drv->open(db, url, &o, err))
		return -1;
	(*db)->vt = rt_vt_new(drv->dialect, drv->is_keyword, o.version_table, o.version_table_schema);
	(*db)->opts = o;
	return 0;
}

/*
 * PostgreSQL: `a` takes a transaction-level advisory lock on a key of its
 * own, and `b` looks for that lock, held by a's server process, among the
 * locks of b's database (pg_locks shows every session's locks to every
 * role).  a's transaction is rolled back, which ends the lock.
 */
int rt_db_same_database(struct rt_db *a, struct rt_db *b, int *same, struct rt_error *err)
{
	static const long probe_class = 0x72657472;   /* "retr" */
	struct strbuf q = STRBUF_INIT;
	struct strvec got = STRVEC_INIT;
	struct timespec ts;
	*same = -1;
	if (strcmp(a->drv->name, "postgresql") || strcmp(b->drv->name, "postgresql"))
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long key = (((unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 12) ^
			      (unsigned long)ts.tv_sec) & 0x7ffffffful) | 1;
	int rc = a->drv->begin(a, err);
	if (!rc) {
		strbuf_addf(&q, "SELECT pg_catalog.pg_backend_pid(), "
			    "pg_catalog.pg_try_advisory_xact_lock(%ld, %lu)", probe_class, key);
		rc = a->drv->query_rows(a, q.buf, 2, &got, "taking a probe lock", err);
	}
	/* a key someone else holds proves nothing: the answer stays -1 */
	if (!rc && got.nr == 2 && !strcmp(got.v[1], "t") && got.v[0][0] &&
	    strspn(got.v[0], "0123456789") == strlen(got.v[0])) {
		strbuf_reset(&q);
		strbuf_addf(&q, "SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' "
			    "AND classid = %ld AND objid = %lu AND objsubid = 2 AND pid = %s AND "
			    "database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = "
			    "pg_catalog.current_database())", probe_class, key, got.v[0]);
		strvec_clear(&got);
		rc = b->drv->query_column(b, q.buf, &got, "looking for the probe lock", err);
		if (!rc && got.nr == 1)
			*same = strcmp(got.v[0], "0") != 0;
	}
	a->drv->rollback(a);
	strvec_clear(&got);
	strbuf_release(&q);
	return rc;
}

void rt_db_close(struct rt_db *db)
{
	if (db) {
		db->closing = 1;
		rt_db_unlock(db);
		rt_vt_free(db->vt);
		db->drv->close(db);
	}
}

int rt_sql_needs_autocommit(const char *words)
{
	static const char *const prefixes[] = {
		"VACUUM", "CREATE DATABASE", "DROP DATABASE", "ALTER SYSTEM", "CREATE TABLESPACE",
		"DROP TABLESPACE", "CREATE INDEX CONCURRENTLY", "CREATE UNIQUE INDEX CONCURRENTLY",
		"DROP INDEX CONCURRENTLY", "REINDEX", NULL,
	};
	for (int i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(words, prefixes[i], n) && (!words[n] || words[n] == ' ')) {
			/* REINDEX only when CONCURRENTLY */
			if (!strcmp(prefixes[i], "REINDEX"))
				return strstr(words, "CONCURRENTLY") != NULL;
			return 1;
		}
	}
	return 0;
}

int rt_db_table_exists(struct rt_db *db, const char *schema, const char *name, int *exists,
		       struct rt_error *err)
{
	return db->drv->tables_exist(db, schema, &name, 1, exists, err);
}

const char **rt_tables_query(struct strbuf *q, const char *test, const char *schema,
			     const char *const *names, int n)
{
	const char **p = xcalloc((size_t)n + 1, sizeof(*p));
	p[0] = schema;
	for (int i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(q, " UNION ALL ");
		strbuf_addf(q, test, i, i + 2);
		p[i + 1] = names[i];
	}
	return p;
}

void rt_tables_found(const struct strvec *indices, int *exists, int n)
{
	for (int i = 0; i < n; i++)
		exists[i] = 0;
	for (size_t k = 0; k < indices->nr; k++) {
		int i = atoi(indices->v[k]);
		if (i >= 0 && i < n)
			exists[i] = 1;
	}
}

int rt_db_connected(struct rt_db *db)
{
	return !db->drv->connected || db->drv->connected(db);
}

int rt_db_poll_lock(struct rt_db *db, const struct rt_db_opts *opts, const char *what,
		    int (*try)(struct rt_db *db, int *got, struct rt_error *err),
		    void (*holder)(struct rt_db *db, char *buf, size_t n), struct rt_error *err)
{
	double start = rt_now(), delay = 0.05;
	int announced = 0;
	if (!what)
		what = db->vt->sql;
	for (;;) {
		int got = 0;
		if (try(db, &got, err))
			return -1;
		if (got) {
			if (announced && opts->on_lock_got)
				opts->on_lock_got(opts->ctx, rt_now() - start);
			return 0;
		}
		char who[512];
		if (!announced && opts->on_lock_wait) {
			char line[1024];
			holder(db, who, sizeof(who));
			snprintf(line, sizeof(line), "%s%s", what, who);
			opts->on_lock_wait(opts->ctx, line);
			announced = 1;
		}
		if (rt_now() - start >= opts->lock_timeout) {
			holder(db, who, sizeof(who));
			return rt_error_hinted(err, RT_EXIT_LOCK, RT_HINT_LOCK_TIMEOUT,
					    "timed out after %g s waiting for the migration lock on %s%s; "
					    "another retort is migrating this database", opts->lock_timeout,
					    what, who);
		}
		/* backoff with jitter, so waiting processes don't poll in step */
		rt_sleep(rt_jitter(delay, 0.5));
		if (delay < 0.5)
			delay *= 1.6;
	}
}

int rt_lock_table_refusal(const char *backend, struct rt_error *err)
{
	int my = !strcmp(backend, "mysql");
	return rt_error_hinted(err, RT_EXIT_USAGE, RT_HINT_LOCK_ADVISORY,
			       "the table lock (a lease row) applies to PostgreSQL only; this "
			       "database is %s, whose own lock (%s) needs no lease",
			       my ? "MySQL" : "SQLite", my ? "GET_LOCK" : "a lock on the file");
}

/*
 * Choose the lock and take it.  An explicit --lock=advisory is honoured
 * even behind a detected pooler: in session pooling it is right, and the
 * user said so.  A server without advisory locks falls back to the lease
 * only when the choice was retort's.
 */
int rt_db_lock(struct rt_db *db, const struct rt_url *url, struct rt_error *err)
{
	int mode = db->opts.lock_mode;
	if (mode == RT_LOCK_NONE)
		return 0;
	if (mode == RT_LOCK_TABLE && strcmp(db->drv->name, "postgresql"))
		return rt_lock_table_refusal(db->drv->name, err);
	if (mode == RT_LOCK_TABLE || (mode == RT_LOCK_AUTO && db->pooled))
		return rt_lease_take(db, url, err);
	if (db->drv->lock(db, err)) {
		if (mode != RT_LOCK_AUTO || !db->no_advisory)
			return -1;
		/* no advisory locks on this server: the lease instead */
		*err = (struct rt_error)RT_ERROR_INIT;
		return rt_lease_take(db, url, err);
	}
	db->locked = 1;
	return 0;
}

void rt_db_unlock(struct rt_db *db)
{
	if (db->lease)
		rt_lease_release(db);
	if (db->locked) {
		db->drv->unlock(db);
		db->locked = 0;
	}
}

int rt_db_lock_held(struct rt_db *db, struct rt_error *err)
{
	return db->lease ? rt_lease_check(db, err) : 0;
}
