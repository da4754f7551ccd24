/*
 * The lease lock (see lock_table.h): one row per version table in
 * retort_lock (name, holder, acquired, heartbeat, expires), beside the
 * version table.  Every step is a short transaction of its own, so it
 * works through a transaction pooler, which hands each transaction to
 * whichever server connection is free:
 *
 *   take:   BEGIN; SELECT the row FOR UPDATE; no row: INSERT ... ON
 *           CONFLICT DO NOTHING; an expired row: UPDATE it to us; COMMIT.
 *   renew:  UPDATE ... SET heartbeat = now(), expires = now() + lease
 *           WHERE name = ... AND holder = us  (one row, or we lost it)
 *   free:   DELETE ... WHERE name = ... AND holder = us
 *
 * Times are the server's (now()), so clocks of the runners never matter.
 * A runner killed with SIGKILL stops renewing; its lease expires after
 * --lock-lease seconds and the next runner takes it over, saying whose
 * it was.
 *
 * The heartbeat runs on a second connection, in a thread of its own,
 * every third of the lease: the migration's connection may be busy for
 * minutes in one statement (CREATE INDEX on a big table), and renewing
 * only between statements would make the lease as long as the longest
 * statement.  The thread touches only its own connection; the main
 * thread asks rt_lease_check between migrations whether it was lost.
 */
#include "lock_table.h"
#include "version_table.h"
#include "../lib/clock.h"
#include "../lib/sqlquote.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct rt_lease {
	char *table;          /* the lock table, quoted and schema-qualified */
	char *name;           /* our row: the version table's name */
	char *holder;         /* who we are, as the row says */
	char lease_iv[32];    /* the lease as an interval: "30 seconds" */
	double lease;
	char busy[512];       /* the holder the last try found, described */
	char took[512];       /* the expired holder we took over, described */
	struct rt_db *hb;     /* the heartbeat's connection */
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, lost;       /* under mu */
	char lost_why[sizeof(((struct rt_error *)0)->msg)]; /* under mu */
};

/* Who we are: host, pid and a random tag (pids repeat across containers). */
static char *holder_name(void)
{
	char host[256] = "";
	struct timespec ts;
	struct strbuf sb = STRBUF_INIT;
	if (gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "unknown host");
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned tag = (unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 16) ^ (unsigned)ts.tv_sec;
	strbuf_addf(&sb, "retort pid %ld on %s (%08x)", (long)getpid(), host, tag);
	return strbuf_detach(&sb);
}

static void lease_free(struct rt_lease *l)
{
	free(l->table);
	free(l->name);
	free(l->holder);
	free(l);
}

/* The lock table beside the version table: its schema, else the one
 * the connection's search_path puts first (asked once, here). */
static int name_table(struct rt_db *db, struct rt_lease *l, struct rt_error *err)
{
	struct strvec v = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	const char *schema = db->vt->schema;
	if (!schema) {
		if (db->drv->query_column(db, "SELECT pg_catalog.current_schema()", &v,
					  "finding the lock table's schema", err))
			return -1;
		if (!v.nr) {
			strvec_clear(&v);
			return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SEARCH_PATH,
					       "no schema on search_path exists, so the lock table "
					       "has nowhere to go");
		}
		schema = v.v[0];
	}
	rt_sql_add_ident(&sb, schema, db->drv->is_keyword);
	strbuf_addch(&sb, '.');
	rt_sql_add_ident(&sb, RT_LOCK_TABLE_NAME, db->drv->is_keyword);
	l->table = strbuf_detach(&sb);
	strvec_clear(&v);
	return 0;
}

/*
 * CREATE TABLE unless the table is there, in its own transaction.
 * Runners starting together may race on it (the loser fails on the
 * catalog's unique index once the winner commits): then the table is
 * there, which is all we need.  Not IF NOT EXISTS, whose notice would
 * reach the user.
 */
static int create_table(struct rt_db *db, struct rt_lease *l, struct rt_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE TABLE %s (name TEXT PRIMARY KEY, holder TEXT NOT NULL, "
		    "acquired TIMESTAMPTZ NOT NULL, heartbeat TIMESTAMPTZ NOT NULL, "
		    "expires TIMESTAMPTZ NOT NULL)", l->table);
	int rc = -1, exists = 0;
	if (rt_db_table_exists(db, db->vt->schema, RT_LOCK_TABLE_NAME, &exists, err) || exists) {
		strbuf_release(&sb);
		return exists ? 0 : -1;
	}
	rc = db->drv->exec_params(db, sb.buf, 0, NULL, NULL, "creating the lock table", err);
	strbuf_release(&sb);
	if (rc) {
		struct rt_error e2 = RT_ERROR_INIT;
		if (!rt_db_table_exists(db, db->vt->schema, RT_LOCK_TABLE_NAME, &exists, &e2) &&
		    exists) {
			*err = (struct rt_error)RT_ERROR_INIT;
			return 0;
		}
	}
	return rc;
}

/* Split "a\tb\tc\td" into its four fields (in place); 0 if it has them. */
static int fields(char *s, char *f[4])
{
	for (int i = 0; i < 4; i++) {
		f[i] = s;
		char *tab = strchr(s, '\t');
		if (i < 3) {
			if (!tab)
				return -1;
			*tab = '\0';
			s = tab + 1;
		}
	}
	return 0;
}

/*
 * One try, in one transaction: lock our row if there is one; no row:
 * insert ours (a racing runner's insert wins the conflict, and we try
 * again); a live lease: busy; an expired one: ours now, and say whose.
 */
static int lease_try(struct rt_db *db, int *got, struct rt_error *err)
{
	struct rt_lease *l = db->lease;
	const struct rt_driver *d = db->drv;
	const char *p[3] = { l->name, l->holder, l->lease_iv };
	struct strbuf q = STRBUF_INIT;
	struct strvec rows = STRVEC_INIT;
	int changed = 0;

	*got = 0;
	l->busy[0] = '\0';
	if (d->begin(db, err))
		return -1;
	strbuf_addf(&q, "SELECT holder || E'\\t' || CASE WHEN expires <= now() THEN 'expired' ELSE "
		    "'live' END || E'\\t' || floor(extract(epoch FROM now() - heartbeat))::bigint || "
		    "E'\\t' || ceil(extract(epoch FROM expires - now()))::bigint FROM %s WHERE name = ",
		    l->table);
	rt_sql_add_literal(&q, l->name);
	strbuf_addstr(&q, " FOR UPDATE");
	if (d->query_column(db, q.buf, &rows, "reading the migration lease", err))
		goto fail;
	strbuf_reset(&q);
	char *f[4];
	if (!rows.nr) {
		strbuf_addf(&q, "INSERT INTO %s (name, holder, acquired, heartbeat, expires) VALUES "
			    "($1, $2, now(), now(), now() + $3::interval) ON CONFLICT (name) DO NOTHING",
			    l->table);
		if (d->exec_params(db, q.buf, 3, p, &changed, "taking the migration lease", err))
			goto fail;
		*got = changed == 1;
	} else if (fields(rows.v[0], f)) {
		rt_error_set(err, RT_EXIT_ERROR, "the migration lease in %s is unreadable", l->table);
		goto fail;
	} else if (!strcmp(f[1], "live")) {
		snprintf(l->busy, sizeof(l->busy), " (a lease held by %s, last renewed %s s ago, "
			 "expiring in %s s unless renewed)", f[0], f[2], f[3]);
	} else {
		strbuf_addf(&q, "UPDATE %s SET holder = $2, acquired = now(), heartbeat = now(), "
			    "expires = now() + $3::interval WHERE name = $1", l->table);
		if (d->exec_params(db, q.buf, 3, p, &changed, "taking over the migration lease", err))
			goto fail;
		*got = changed == 1;
		snprintf(l->took, sizeof(l->took), "%s, last renewed %s s ago", f[0], f[2]);
	}
	if (d->commit(db, err))
		goto fail;
	strbuf_release(&q);
	strvec_clear(&rows);
	return 0;
fail:
	d->rollback(db);
	strbuf_release(&q);
	strvec_clear(&rows);
	return -1;
}

static void lease_holder(struct rt_db *db, char *buf, size_t n)
{
	snprintf(buf, n, "%s", db->lease->busy);
}

/* Renew once; returns 0, or -1 with why (the row is gone or not ours: 1). */
static int renew(struct rt_lease *l, int *taken, struct rt_error *err)
{
	const char *p[3] = { l->name, l->holder, l->lease_iv };
	struct strbuf q = STRBUF_INIT;
	int changed = 0;
	*taken = 0;
	strbuf_addf(&q, "UPDATE %s SET heartbeat = now(), expires = now() + $3::interval "
		    "WHERE name = $1 AND holder = $2", l->table);
	int rc = l->hb->drv->exec_params(l->hb, q.buf, 3, p, &changed, "renewing the migration lease",
					 err);
	strbuf_release(&q);
	if (!rc && changed != 1) {
		*taken = 1;
		return rt_error_set(err, RT_EXIT_ERROR, "its row in %s is no longer ours", l->table);
	}
	return rc;
}

/*
 * The heartbeat: renew every third of the lease until told to stop.  A
 * failed renewal is tried again at the next beat; the lease is lost when
 * the row is not ours any more, or when no renewal has succeeded for a
 * whole lease (another runner may take it from then on).
 */
static void *heartbeat(void *arg)
{
	struct rt_lease *l = arg;
	double last_ok = rt_now(), every = l->lease / 3;
	pthread_mutex_lock(&l->mu);
	while (!l->stop && !l->lost) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		double at = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + every;
		ts.tv_sec = (time_t)at;
		ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
		while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &ts) == 0)
			;
		if (l->stop)
			break;
		pthread_mutex_unlock(&l->mu);
		struct rt_error e = RT_ERROR_INIT;
		int taken, rc = renew(l, &taken, &e);
		pthread_mutex_lock(&l->mu);
		if (!rc) {
			last_ok = rt_now();
		} else if (taken || rt_now() - last_ok >= l->lease) {
			l->lost = 1;
			snprintf(l->lost_why, sizeof(l->lost_why), "%s", e.msg);
		}
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* The heartbeat connection and its thread (signals stay with the main thread). */
static int start_heartbeat(struct rt_db *db, const struct rt_url *url, struct rt_error *err)
{
	struct rt_lease *l = db->lease;
	struct rt_db_opts o = db->opts;
	pthread_condattr_t ca;
	sigset_t all, old;

	o.readonly = 0;
	o.lock_mode = RT_LOCK_TABLE; /* no session state on it either */
	o.statement_timeout = o.ddl_lock_timeout = 0;
	o.on_lock_wait = NULL;
	o.on_lock_note = NULL;
	o.lock_now = o.read_ahead = 0; /* it only renews the lease */
	if (rt_db_open(&l->hb, url, &o, err)) {
		rt_error_prefix(err, "opening the migration lease's heartbeat connection");
		return -1;
	}
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&l->thread, NULL, heartbeat, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot start the migration lease's heartbeat: %s",
				    strerror(rc));
	}
	l->started = 1;
	return 0;
}

/* Delete our row on `db` (the heartbeat's connection, or the main one). */
static void delete_row(struct rt_db *db, struct rt_lease *l)
{
	const char *p[2] = { l->name, l->holder };
	struct strbuf q = STRBUF_INIT;
	strbuf_addf(&q, "DELETE FROM %s WHERE name = $1 AND holder = $2", l->table);
	db->drv->exec_params(db, q.buf, 2, p, NULL, NULL, &(struct rt_error)RT_ERROR_INIT);
	strbuf_release(&q);
}

/*
 * The table first (created by whoever comes first), then the polling of
 * rt_db_poll_lock over lease_try, then the heartbeat; a takeover is said
 * once the lease is ours and renewed from then on.
 */
int rt_lease_take(struct rt_db *db, const struct rt_url *url, struct rt_error *err)
{
	struct rt_lease *l = xcalloc(1, sizeof(*l));
	l->name = xstrdup(db->vt->name);
	l->holder = holder_name();
	l->lease = db->opts.lock_lease >= 1 ? db->opts.lock_lease : RT_DEFAULT_LOCK_LEASE;
	snprintf(l->lease_iv, sizeof(l->lease_iv), "%.3f seconds", l->lease);
	if (name_table(db, l, err) || create_table(db, l, err)) {
		lease_free(l);
		return -1;
	}
	db->lease = l;
	if (rt_db_poll_lock(db, &db->opts, NULL, lease_try, lease_holder, err)) {
		db->lease = NULL;
		lease_free(l);
		return -1;
	}
	if (start_heartbeat(db, url, err)) {
		delete_row(db, l);
		rt_db_close(l->hb);
		db->lease = NULL;
		lease_free(l);
		return -1;
	}
	if (l->took[0] && db->opts.on_lock_note) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "took over an expired migration lease on %s from %s",
			 db->vt->sql, l->took);
		db->opts.on_lock_note(db->opts.ctx, msg);
	}
	return 0;
}

int rt_lease_check(struct rt_db *db, struct rt_error *err)
{
	struct rt_lease *l = db->lease;
	pthread_mutex_lock(&l->mu);
	int lost = l->lost;
	if (lost)
		rt_error_set(err, RT_EXIT_LOCK, "the migration lease on %s was lost (%s): another "
			     "runner may hold it now, so this one stops here; run it again to finish what is left",
			     db->vt->sql, l->lost_why);
	pthread_mutex_unlock(&l->mu);
	return lost ? -1 : 0;
}

void rt_lease_release(struct rt_db *db)
{
	struct rt_lease *l = db->lease;
	db->lease = NULL;
	if (l->started) {
		pthread_mutex_lock(&l->mu);
		l->stop = 1;
		pthread_cond_signal(&l->cv);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->thread, NULL);
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
	}
	if (l->hb) {
		delete_row(l->hb, l);
		rt_db_close(l->hb);
	}
	lease_free(l);
}
