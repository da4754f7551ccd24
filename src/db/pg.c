/*
 * The PostgreSQL driver (libpq).
 *
 * Connection: the URL's parts become libpq keywords (the SQLAlchemy driver
 * suffix is dropped; asyncpg's ssl=... becomes sslmode); anything the URL
 * leaves out comes from libpq's environment (PGHOST, PGPASSWORD,
 * PGPASSFILE, PGSSLMODE...).  Passwords never reach an error message: libpq
 * does not echo them, and URLs are masked by the caller.
 *
 * Locking: a session-level advisory lock keyed on the database, schema and
 * version table, taken with pg_try_advisory_lock in a polling loop with
 * backoff (a blocking pg_advisory_lock would deadlock against CREATE INDEX
 * CONCURRENTLY waiting for our session's snapshot).  When the caller will
 * lock at once (opts.lock_now), the first try rides on the round trip that
 * sets up the session; on a direct connection the unlock at the end is not
 * waited for, since the session ends right after it.
 *
 * Behind a transaction pooler (PgBouncer with pool_mode=transaction; see
 * docs/poolers.md) each transaction may run on another server session,
 * so nothing may live in the session.  retort finds a pooler by the
 * backend pid: libpq's (from the BackendKeyData message of the startup)
 * is the server's own pid on a direct connection, while a pooler makes
 * up its own key, so pg_backend_pid() differs.  With a pooler found, or
 * --lock=table: no session SET (search_path, statement_timeout,
 * lock_timeout, read-only: SET LOCAL at the start of every transaction,
 * and a statement outside one runs in a short transaction of its own
 * that sets them), none of the keepalive settings of the session (the
 * lease's expiry covers a holder that vanished), and the lock is the
 * lease (db/lock_table.c).  libpq's unnamed prepared statements
 * (PQexecParams) live within one round trip, which poolers keep together.
 *
 * Errors: a section is sent as one simple-query string; libpq returns one
 * result per statement, so the number of results before the failure names
 * the failing statement, and the server's error position (characters into
 * the string) names the token.  exec_script sends a whole composed
 * migration the same way, so each migration is one round trip.
 *
 * The version table's SQL is not here: db/version_table.c writes it for
 * every dialect and runs it through exec_params, query_column and
 * table_exists below.  The one exception is the read-ahead (pg_ahead.c):
 * with opts.read_ahead the open's round trip also reads the version
 * rows, which versions_ahead hands over while they can be trusted.
 */
#include "driver.h"
#include "pg_ahead.h"
#include "pg_schema.h"
#include "version_table.h"
#include "../lib/clock.h"
#include "../lib/sqllex.h"
#include "../lib/sqlquote.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <libpq-fe.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct pg_db {
	struct rt_db base;
	PGconn *c;
	int64_t lock_key;
	int locked;
	/* the try at the lock the open made (opts.lock_now): 1 got it,
	 * -1 busy, 0 none made or already counted by pg_try_lock */
	int pretried;
	/* what the open read ahead (pg_ahead.c), while it can be trusted:
	 * until handed over, or until anything else is sent */
	int ahead;
	int ahead_exists[3];
	struct strvec ahead_rows;
	struct rt_db_opts opts;
	/* pooled (base.pooled): what every transaction begins with ("BEGIN;
	 * SET LOCAL ..."), and whether it sets anything beyond BEGIN */
	char *begin_sql;
	int has_local;
};

#define PDB(db) ((struct pg_db *)(db))

/* How long a silent peer is tolerated, on both ends of the connection
 * (see conn_params and session_setup; documented in the README). */
#define RT_PG_KEEPALIVES_IDLE "30"
#define RT_PG_KEEPALIVES_INTERVAL "10"
#define RT_PG_KEEPALIVES_COUNT "3"
#define RT_PG_TCP_USER_TIMEOUT_MS "60000"
#define RT_PG_IDLE_SESSION_TIMEOUT "10min"

static void pg_close(struct rt_db *db)
{
	struct pg_db *d = PDB(db);
	if (d->c)
		PQfinish(d->c); /* ends the session: any advisory lock goes with it */
	strvec_clear(&d->ahead_rows);
	free(d->begin_sql);
	free(d);
}

/* libpq's message without its trailing newline. */
static const char *conn_msg(PGconn *c)
{
	static _Thread_local char buf[1024]; /* the lease's heartbeat thread has its own */
	snprintf(buf, sizeof(buf), "%s", c ? PQerrorMessage(c) : "out of memory");
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

/*
 * Fill err from a failed result: "SQLSTATE: message", with DETAIL and HINT
 * as detail lines.  Returns -1.
 */
static int result_error(PGresult *r, PGconn *c, const char *what, struct rt_error *err)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *det = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
	if (msg)
		rt_error_set(err, RT_EXIT_ERROR, "%s%s%s%s%s", what ? what : "", what ? ": " : "",
			     state ? state : "", state ? ": " : "", msg);
	else
		rt_error_set(err, RT_EXIT_ERROR, "%s%s%s", what ? what : "", what ? ": " : "", conn_msg(c));
	struct strbuf sb = STRBUF_INIT;
	if (det)
		strbuf_addf(&sb, "DETAIL:  %s", det);
	if (hint)
		strbuf_addf(&sb, "%sHINT:  %s", sb.len ? "\n" : "", hint);
	if (sb.len)
		rt_error_set_detail(err, "%s", sb.buf);
	strbuf_release(&sb);
	return -1;
}

/* Run one statement with optional text parameters; `out` gets the result on success. */
static int run_raw(struct pg_db *d, const char *sql, int n, const char *const *params,
		   PGresult **out, const char *what, struct rt_error *err)
{
	d->ahead = 0;
	PGresult *r = n ? PQexecParams(d->c, sql, n, NULL, params, NULL, NULL, 0) : PQexec(d->c, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		result_error(r, d->c, what, err);
		PQclear(r);
		return -1;
	}
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

/* Behind a pooler, outside a transaction, with settings to apply: the
 * statement needs a transaction of its own that sets them first. */
static int needs_own_txn(struct pg_db *d)
{
	return d->base.pooled && d->has_local && PQtransactionStatus(d->c) == PQTRANS_IDLE;
}

/*
 * run_raw, except that behind a pooler a statement outside a transaction
 * runs in one of its own, after the SET LOCALs: BEGIN pins one server
 * session until COMMIT, so the settings and the statement meet there.
 */
static int run(struct pg_db *d, const char *sql, int n, const char *const *params, PGresult **out,
	       const char *what, struct rt_error *err)
{
	if (!needs_own_txn(d))
		return run_raw(d, sql, n, params, out, what, err);
	if (run_raw(d, d->begin_sql, 0, NULL, NULL, "BEGIN", err))
		return -1;
	PGresult *r = NULL;
	if (run_raw(d, sql, n, params, &r, what, err) || run_raw(d, "COMMIT", 0, NULL, NULL, "COMMIT", err)) {
		PQclear(r);
		if (PQtransactionStatus(d->c) != PQTRANS_IDLE)
			PQclear(PQexec(d->c, "ROLLBACK"));
		return -1;
	}
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

/*
 * " (held by pid 123, application_name 'x')" for the session holding our
 * lock, or "".  A holder that has sat idle for ORPHAN_IDLE_S or more is not
 * a retort at work (a migrating run is never idle that long): most likely
 * its client died without the server noticing, so say how to end it.
 */
#define ORPHAN_IDLE_S 10
static void lock_holder(struct rt_db *db, char *buf, size_t n)
{
	struct pg_db *d = PDB(db);
	char classid[16], objid[16];
	const char *p[2] = { classid, objid };
	PGresult *r;
	buf[0] = '\0';
	snprintf(classid, sizeof(classid), "%u", (unsigned)((uint64_t)d->lock_key >> 32));
	snprintf(objid, sizeof(objid), "%u", (unsigned)((uint64_t)d->lock_key & 0xffffffffu));
	if (run(d, "SELECT a.pid, coalesce(a.application_name, ''), "
		   "CASE WHEN a.state = 'idle' THEN extract(epoch FROM now() - a.state_change)::bigint "
		   "ELSE 0 END FROM pg_catalog.pg_locks l "
		   "JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
		   "AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1",
		2, p, &r, NULL, &(struct rt_error){ 0 }))
		return;
	if (PQntuples(r)) {
		const char *pid = PQgetvalue(r, 0, 0);
		long idle = atol(PQgetvalue(r, 0, 2));
		if (idle >= ORPHAN_IDLE_S)
			snprintf(buf, n,
				 " (held by pid %s, application_name '%s', idle for %ld s: it looks orphaned, "
				 "since a run at work is never idle that long; if its client is gone, "
				 "SELECT pg_terminate_backend(%s) frees the lock)",
				 pid, PQgetvalue(r, 0, 1), idle, pid);
		else
			snprintf(buf, n, " (held by pid %s, application_name '%s')", pid, PQgetvalue(r, 0, 1));
	}
	PQclear(r);
}

/* Did the server turn down an advisory lock as something it lacks
 * (CockroachDB, YugabyteDB before 2.25)? */
static int lacks_advisory_locks(const struct rt_error *err)
{
	return strstr(err->msg, "0A000:") || strstr(err->msg, "42883:");
}

/* One try at the advisory lock, without waiting; the first one may have
 * been made by the open already. */
static int pg_try_lock(struct rt_db *db, int *got, struct rt_error *err)
{
	struct pg_db *d = PDB(db);
	PGresult *r;
	char key[32];
	const char *p[1] = { key };
	if (d->pretried) {
		*got = d->pretried > 0;
		d->pretried = 0;
		return 0;
	}
	snprintf(key, sizeof(key), "%lld", (long long)d->lock_key);
	if (run_raw(d, "SELECT pg_catalog.pg_try_advisory_lock($1::bigint)", 1, p, &r,
		    "taking the migration lock", err)) {
		if (lacks_advisory_locks(err))
			d->base.no_advisory = 1;
		return -1;
	}
	*got = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return 0;
}

static int pg_lock(struct rt_db *db, struct rt_error *err)
{
	struct pg_db *d = PDB(db);
	if (rt_db_poll_lock(db, &d->opts, NULL, pg_try_lock, lock_holder, err))
		return -1;
	d->locked = 1;
	return 0;
}

static void pg_unlock(struct rt_db *db)
{
	struct pg_db *d = PDB(db);
	char key[32];
	const char *p[1] = { key };
	if (!d->locked)
		return;
	snprintf(key, sizeof(key), "%lld", (long long)d->lock_key);
	/* When the session ends next (a direct connection: behind a pooler
	 * the server session outlives ours), the server runs the unlock
	 * before it reads the end of the session: nothing need wait for the
	 * answer. */
	static const char sql[] = "SELECT pg_catalog.pg_advisory_unlock($1::bigint)";
	if (d->base.closing && !d->base.pooled)
		PQsendQueryParams(d->c, sql, 1, NULL, p, NULL, NULL, 0);
	else
		run_raw(d, sql, 1, p, NULL, NULL, &(struct rt_error){ 0 });
	d->locked = 0;
}

static int pg_begin(struct rt_db *db, struct rt_error *err)
{
	struct pg_db *d = PDB(db);
	return run_raw(d, d->base.pooled ? d->begin_sql : "BEGIN", 0, NULL, NULL, "BEGIN", err);
}

static int pg_commit(struct rt_db *db, struct rt_error *err)
{
	return run_raw(PDB(db), "COMMIT", 0, NULL, NULL, "COMMIT", err);
}

static void pg_rollback(struct rt_db *db)
{
	struct pg_db *d = PDB(db);
	if (PQtransactionStatus(d->c) != PQTRANS_IDLE)
		PQclear(PQexec(d->c, "ROLLBACK"));
}

static int pg_in_transaction(struct rt_db *db)
{
	PGTransactionStatusType st = PQtransactionStatus(PDB(db)->c);
	return st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

static int pg_needs_autocommit(struct rt_db *db, const char *words);

/* Byte offset of the (1-based) character position `pos` in UTF-8 text. */
static size_t char_to_byte(const char *s, size_t len, long pos)
{
	size_t i = 0;
	long ch = 1;
	while (i < len && ch < pos) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		ch++;
	}
	return i;
}

/* Who hears of the end of each migration of a batch as its result
 * arrives (pg_exec_batch): its COMMIT, or its step_end. */
struct commit_watch {
	void (*on_commit)(void *ctx, int k, const char *value);
	void *ctx;
	int commits;
	char *value;   /* the last one-value row since the last COMMIT, or NULL */
};

/* Does result r end one migration of a batch: its COMMIT, or inside the
 * run's one transaction the dialect's step_end? */
static int ends_unit(PGresult *r)
{
	return !strcmp(PQcmdStatus(r), "COMMIT") ||
	       (PQnfields(r) == 1 && !strcmp(PQfname(r, 0), RT_STEP_END_COLUMN));
}

/*
 * Send `text` as one simple query and collect its results: the statements
 * that succeeded before the first failure, and that failure (NULL: none;
 * the caller clears it).  The server stops at the first error, so nothing
 * after it ran.  With `watch`, each migration's end (ends_unit) is told
 * as it arrives and *done counts only the statements after the last one.
 */
static int send_collect(struct pg_db *d, const char *text, int *done, PGresult **failed,
			struct commit_watch *watch, struct rt_error *err)
{
	PGresult *r;
	*done = 0;
	*failed = NULL;
	d->ahead = 0;
	if (!PQsendQuery(d->c, text))
		return rt_error_set(err, RT_EXIT_ERROR, "%s", conn_msg(d->c));
	while ((r = PQgetResult(d->c))) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			if (*failed) {
				/* nothing after a failure counts */
			} else if (watch && ends_unit(r)) {
				watch->on_commit(watch->ctx, watch->commits++, watch->value);
				free(watch->value);
				watch->value = NULL;
				*done = 0;
			} else {
				++*done;
				if (watch && PQntuples(r) == 1 && PQnfields(r) == 1) {
					free(watch->value);
					watch->value = PQgetisnull(r, 0, 0) ? NULL : xstrdup(PQgetvalue(r, 0, 0));
				}
			}
			PQclear(r);
		} else if (st == PGRES_EMPTY_QUERY || *failed) {
			PQclear(r);
		} else {
			*failed = r;
		}
	}
	return 0;
}

/* The server's error position in `failed`, as a byte offset into text[0..len). */
static int error_offset(PGresult *failed, const char *text, size_t len, size_t *off)
{
	const char *pos = PQresultErrorField(failed, PG_DIAG_STATEMENT_POSITION);
	if (!pos || atol(pos) <= 0)
		return 0;
	*off = char_to_byte(text, len, atol(pos));
	return 1;
}

/*
 * Send the block as one query string; the count of per-statement results
 * names the failing statement in the caller's list, and the server's error
 * position the token.
 */
static int pg_exec(struct rt_db *db, const char *sql, size_t len, const struct rt_stmts *stmts,
		   struct rt_exec_info *info, struct rt_error *err)
{
	struct pg_db *d = PDB(db);
	char *text;
	PGresult *failed;
	int done, rc, own = 0;

	memset(info, 0, sizeof(*info));
	if (needs_own_txn(d)) {
		/* a transaction:false statement behind a pooler: in a transaction
		 * of its own that applies the settings, unless it cannot run in
		 * one at all; then the settings cannot reach it */
		char words[64];
		rt_sql_words(sql, len, 4, words, sizeof(words));
		if (pg_needs_autocommit(db, words)) {
			int shown = (int)strcspn(sql, "\n;");
			shown = shown > (int)len ? (int)len : shown;
			return rt_error_set(err, RT_EXIT_ERROR,
					    "'%.*s%s' must run outside a transaction, and through a "
					    "connection pooler (or with the table lock) retort applies "
					    "the search path, statement timeout and DDL lock timeout "
					    "settings only inside one (SET LOCAL): set them on the role "
					    "instead (ALTER ROLE ... SET), or run this migration on a "
					    "direct connection", shown > 60 ? 60 : shown, sql, shown > 60 ? "..." : "");
		}
		if (run_raw(d, d->begin_sql, 0, NULL, NULL, "BEGIN", err))
			return -1;
		own = 1;
	}
	text = xstrndup(sql, len);
	rc = send_collect(d, text, &done, &failed, NULL, err);
	if (own && !rc && !failed)
		rc = run_raw(d, "COMMIT", 0, NULL, NULL, "COMMIT", err);
	if (!rc && failed) {
		info->statements_done = done;
		if (done < stmts->nr) {
			info->has_stmt = 1;
			info->stmt_off = stmts->v[done].off;
		}
		info->has_token = error_offset(failed, sql, len, &info->token_off);
		rc = result_error(failed, d->c, NULL, err);
		PQclear(failed);
	}
	if (own && PQtransactionStatus(d->c) != PQTRANS_IDLE)
		PQclear(PQexec(d->c, "ROLLBACK"));
	free(text);
	return rc;
}

/* What a failed script leaves in `fail`: how far it got, its SQLSTATE and
 * where the server pointed; err gets the message.  Clears `failed`. */
static int script_failed(struct pg_db *d, PGresult *failed, int done, const char *script,
			 size_t len, struct rt_script_fail *fail, struct rt_error *err)
{
	const char *state = PQresultErrorField(failed, PG_DIAG_SQLSTATE);
	fail->has_result = 1;
	fail->statements_done = done;
	snprintf(fail->sqlstate, sizeof(fail->sqlstate), "%s", state ? state : "");
	fail->has_token = error_offset(failed, script, len, &fail->token_off);
	result_error(failed, d->c, NULL, err);
	PQclear(failed);
	return -1;
}

/*
 * A composed script (NUL-terminated at `len`) in one round trip.  On a
 * failure the transaction it began is left aborted for the caller to roll
 * back; `fail` says how far it got and where the server pointed.
 */
static int pg_exec_script(struct rt_db *db, const char *script, size_t len,
			  struct rt_script_fail *fail, struct rt_error *err)
{
	struct pg_db *d = PDB(db);
	PGresult *failed;
	int done;

	memset(fail, 0, sizeof(*fail));
	/* behind a pooler the settings come first, in the same transaction:
	 * the script's own BEGIN then only warns, and still counts as one
	 * statement that succeeded */
	if (needs_own_txn(d) && run_raw(d, d->begin_sql, 0, NULL, NULL, "BEGIN", err))
		return -1;
	if (send_collect(d, script, &done, &failed, NULL, err))
		return -1;
	return failed ? script_failed(d, failed, done, script, len, fail, err) : 0;
}

/* Several whole transactions in one round trip (rt_driver.exec_batch);
 * never behind a pooler (rt_db.batches is not set there). */
static int pg_exec_batch(struct rt_db *db, const char *script, size_t len,
			 void (*on_commit)(void *ctx, int k, const char *value), void *ctx,
			 struct rt_script_fail *fail, struct rt_error *err)
{
	struct pg_db *d = PDB(db);
	struct commit_watch watch = { on_commit, ctx, 0, NULL };
	PGresult *failed;
	int done;

	memset(fail, 0, sizeof(*fail));
	if (!db->batches)
		return rt_error_set(err, RT_EXIT_ERROR, "internal error: a batch of migrations on a "
				    "connection that takes none");
	int rc = send_collect(d, script, &done, &failed, &watch, err);
	free(watch.value);
	fail->commits = watch.commits;
	if (rc)
		return -1;
	return failed ? script_failed(d, failed, done, script, len, fail, err) : 0;
}

/* One statement with text parameters ($1...); `changed`: the rows it changed. */
static int pg_exec_params(struct rt_db *db, const char *sql, int n, const char *const *params,
			  int *changed, const char *what, struct rt_error *err)
{
	PGresult *r;
	if (run(PDB(db), sql, n, params, &r, what, err))
		return -1;
	if (changed)
		*changed = atoi(PQcmdTuples(r));
	PQclear(r);
	return 0;
}

static int pg_query_column(struct rt_db *db, const char *sql, struct strvec *out, const char *what,
			   struct rt_error *err)
{
	PGresult *r;
	if (run(PDB(db), sql, 0, NULL, &r, what, err))
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		if (!PQgetisnull(r, i, 0))
			strvec_push(out, PQgetvalue(r, i, 0));
	PQclear(r);
	return 0;
}

static int pg_query_rows(struct rt_db *db, const char *sql, int ncols, struct strvec *out,
			 const char *what, struct rt_error *err)
{
	PGresult *r;
	if (run(PDB(db), sql, 0, NULL, &r, what, err))
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		for (int c = 0; c < ncols; c++)
			strvec_push(out, c < PQnfields(r) && !PQgetisnull(r, i, c) ? PQgetvalue(r, i, c) : "");
	PQclear(r);
	return 0;
}

/* Tables (ordinary or partitioned, as pg_tables lists) of `schema` (NULL:
 * the first schema on search_path), by the catalog. */
static int pg_tables_exist(struct rt_db *db, const char *schema, const char *const *names, int n,
			   int *exists, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	PGresult *r;
	struct strbuf test = STRBUF_INIT;
	strbuf_addstr(&test, "SELECT %d ");
	rt_pg_table_match(&test, "$1", "$%d");
	const char **p = rt_tables_query(&q, test.buf, schema, names, n);
	strbuf_release(&test);
	int rc = run(PDB(db), q.buf, n + 1, p, &r, "looking for the version table", err);
	if (!rc) {
		struct strvec found;
		strvec_init(&found);
		for (int i = 0; i < PQntuples(r); i++)
			strvec_push(&found, PQgetvalue(r, i, 0));
		rt_tables_found(&found, exists, n);
		strvec_clear(&found);
		PQclear(r);
	}
	strbuf_release(&q);
	free(p);
	return rc;
}

/* What the open read ahead, once, if nothing has been sent since. */
static int pg_versions_ahead(struct rt_db *db, int *exists, struct strvec *rows)
{
	struct pg_db *d = PDB(db);
	if (!d->ahead)
		return 0;
	d->ahead = 0;
	memcpy(exists, d->ahead_exists, sizeof(d->ahead_exists));
	for (size_t i = 0; i < d->ahead_rows.nr; i++)
		strvec_push(rows, d->ahead_rows.v[i]);
	strvec_clear(&d->ahead_rows);
	return 1;
}

static int pg_needs_autocommit(struct rt_db *db, const char *words)
{
	struct pg_db *d = PDB(db);
	/* ALTER TYPE ... ADD VALUE could not run in a transaction before PostgreSQL 12 */
	if (PQserverVersion(d->c) < 120000 && !strncmp(words, "ALTER TYPE", 10) &&
	    strstr(words, "ADD VALUE"))
		return 1;
	return rt_sql_needs_autocommit(words);
}

static int pg_connected(struct rt_db *db)
{
	return PQstatus(PDB(db)->c) == CONNECTION_OK;
}

static const char *pg_library_version(void)
{
	static char buf[32];
	int v = PQlibVersion();
	snprintf(buf, sizeof(buf), "%d.%d", v / 10000, v % 10000);
	return buf;
}

/*
 * The live schema (the first one on search_path), or the schema that DDL
 * builds in a scratch namespace: created inside a transaction, put first
 * on search_path, read, and rolled back, so nothing of it ever lands.
 */
static int pg_schema_read(struct rt_db *db, const struct rt_ddl *src, int n, struct rt_schema *out,
			  struct rt_ddl_fail *fail, struct rt_error *err)
{
	struct pg_db *d = PDB(db);
	PGresult *r;
	if (!src) {
		/* behind a pooler, every query of the read in one transaction */
		int own = needs_own_txn(d);
		if (own && run_raw(d, d->begin_sql, 0, NULL, NULL, "BEGIN", err))
			return -1;
		if (run(d, "SELECT current_schema()", 0, NULL, &r, "current_schema()", err)) {
			if (own)
				pg_rollback(db);
			return -1;
		}
		char *ns = PQgetisnull(r, 0, 0) ? NULL : xstrdup(PQgetvalue(r, 0, 0));
		PQclear(r);
		int rc;
		if (!ns) {
			rc = rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_SEARCH_PATH,
					     "no schema on search_path exists");
		} else {
			const struct rt_vt *vt = db->vt;
			int skip = !vt->schema || !strcmp(vt->schema, ns);
			rc = rt_pg_schema_read(d->c, ns, skip ? vt->name : NULL, out, err);
		}
		if (own)
			pg_rollback(db);
		free(ns);
		return rc;
	}
	char ns[64], sql[200];
	snprintf(ns, sizeof(ns), "retort_scratch_%ld", (long)getpid());
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s; SET LOCAL search_path TO %s", ns, ns);
	/* READ WRITE: a read-only session may still build the throw-away copy */
	if (run_raw(d, "BEGIN READ WRITE", 0, NULL, NULL, "BEGIN", err) ||
	    run(d, sql, 0, NULL, NULL, "scratch schema", err)) {
		pg_rollback(db);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		struct rt_stmts stmts;
		fail->src = i;
		rt_sql_split(src[i].text, src[i].len, &stmts);
		rc = pg_exec(db, src[i].text, src[i].len, &stmts, &fail->info, err);
		rt_stmts_release(&stmts);
	}
	if (!rc) {
		fail->src = -1; /* the DDL loaded; what fails now is reading it back */
		rc = rt_pg_schema_read(d->c, ns, NULL, out, err);
	}
	pg_rollback(db);
	return rc;
}

static int pg_open(struct rt_db **out, const struct rt_url *url, const struct rt_db_opts *opts,
		   struct rt_error *err);
static int pg_probe(const struct rt_url *url, double timeout, struct rt_error *err);

const struct rt_driver rt_pg_driver = {
	.name = "postgresql",
	.dialect = &rt_sql_postgresql,
	/* names in SQL that retort sends are always quoted, as PQescapeIdentifier
	 * does: no bare name can clash with a keyword of any server version */
	.is_keyword = rt_sql_every_word,
	.open = pg_open,
	.close = pg_close,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_transaction = pg_in_transaction,
	.connected = pg_connected,
	.exec = pg_exec,
	.exec_params = pg_exec_params,
	.query_column = pg_query_column,
	.query_rows = pg_query_rows,
	.tables_exist = pg_tables_exist,
	.versions_ahead = pg_versions_ahead,
	.needs_autocommit = pg_needs_autocommit,
	.library_version = pg_library_version,
	.probe = pg_probe,
	.exec_script = pg_exec_script,
	.exec_batch = pg_exec_batch,
	.schema_read = pg_schema_read,
};

/* Keyword/value pairs for PQconnectdbParams. */
struct kv {
	struct strvec k, v;
};

static void kv_set(struct kv *kv, const char *k, const char *v)
{
	int i = strvec_find(&kv->k, k);
	if (i >= 0) {
		free(kv->v.v[i]);
		kv->v.v[i] = xstrdup(v);
		return;
	}
	strvec_push(&kv->k, k);
	strvec_push(&kv->v, v);
}

/* asyncpg spells TLS as ssl=require|true|disable...; libpq as sslmode. */
static const char *sslmode_of(const char *ssl)
{
	if (!strcasecmp(ssl, "true") || !strcasecmp(ssl, "1") || !strcasecmp(ssl, "on"))
		return "require";
	if (!strcasecmp(ssl, "false") || !strcasecmp(ssl, "0") || !strcasecmp(ssl, "off"))
		return "disable";
	return ssl; /* require, prefer, allow, disable, verify-ca, verify-full */
}

/*
 * Resolve the host name here and hand libpq its addresses (host=h,h...
 * hostaddr=a1,a2...; host still names the server for TLS and .pgpass).
 * Why: musl's resolver, in the static binary, asks every nameserver at
 * once and takes the first answer; where they disagree (podman gives a
 * container its network's DNS and the host's) a service name fails to
 * resolve now and then.  A failed lookup is retried a few times; if it
 * keeps failing, libpq does the lookup and reports it.  Socket paths,
 * numeric addresses, host lists and an explicit hostaddr are left alone.
 */
static void pin_addresses(struct kv *kv)
{
	int hi = strvec_find(&kv->k, "host");
	struct addrinfo hints = { 0 }, *ai = NULL;
	int rc = EAI_NONAME;
	if (hi < 0 || strvec_find(&kv->k, "hostaddr") >= 0)
		return;
	const char *h = kv->v.v[hi];
	if (!*h || *h == '/' || *h == '@' || strchr(h, ',') || strchr(h, ':') ||
	    strspn(h, "0123456789.") == strlen(h))
		return;
	hints.ai_socktype = SOCK_STREAM;
	for (int i = 0; i < 5 && rc; i++) {
		if (i)
			rt_sleep(0.02);
		rc = getaddrinfo(h, NULL, &hints, &ai);
		if (rc && rc != EAI_NONAME && rc != EAI_AGAIN && rc != EAI_FAIL)
			return;
	}
	if (rc)
		return;
	struct strbuf hosts = STRBUF_INIT, addrs = STRBUF_INIT;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		char buf[NI_MAXHOST];
		if (getnameinfo(a->ai_addr, a->ai_addrlen, buf, sizeof(buf), NULL, 0, NI_NUMERICHOST))
			continue;
		strbuf_addf(&hosts, "%s%s", hosts.len ? "," : "", h);
		strbuf_addf(&addrs, "%s%s", addrs.len ? "," : "", buf);
	}
	freeaddrinfo(ai);
	if (addrs.len) {
		kv_set(kv, "host", hosts.buf);
		kv_set(kv, "hostaddr", addrs.buf);
	}
	strbuf_release(&hosts);
	strbuf_release(&addrs);
}

/* The URL as libpq keywords; anything it leaves out comes from libpq's
 * environment (PGHOST, PGPASSWORD...).  Free with kv_release(). */
static void conn_params(const struct rt_url *url, struct kv *kv)
{
	strvec_init(&kv->k);
	strvec_init(&kv->v);
	if (url->host && *url->host)
		kv_set(kv, "host", url->host);
	if (url->port)
		kv_set(kv, "port", url->port);
	if (url->user && *url->user)
		kv_set(kv, "user", url->user);
	if (url->password)
		kv_set(kv, "password", url->password);
	if (url->path && *url->path)
		kv_set(kv, "dbname", url->path);
	if (!getenv("PGAPPNAME"))
		kv_set(kv, "application_name", "retort");
	/* A network path that goes silent must end in an error, not a wait
	 * forever: with these, a TCP connection that gets no answer fails
	 * within about a minute (idle 30 s, then probes every 10 s; data
	 * unacknowledged for 60 s).  The URL may override any of them. */
	kv_set(kv, "keepalives", "1");
	kv_set(kv, "keepalives_idle", RT_PG_KEEPALIVES_IDLE);
	kv_set(kv, "keepalives_interval", RT_PG_KEEPALIVES_INTERVAL);
	kv_set(kv, "keepalives_count", RT_PG_KEEPALIVES_COUNT);
	kv_set(kv, "tcp_user_timeout", RT_PG_TCP_USER_TIMEOUT_MS);
	for (size_t i = 0; i < url->qkeys.nr; i++) {
		const char *k = url->qkeys.v[i], *v = url->qvals.v[i];
		if (!strcmp(k, "ssl"))
			kv_set(kv, "sslmode", sslmode_of(v));
		else if (!strcmp(k, "prepared_statement_cache_size") || !strcmp(k, "client_encoding"))
			continue; /* driver-side settings of SQLAlchemy dialects */
		else
			kv_set(kv, k, v);
	}
	kv_set(kv, "client_encoding", "UTF8");
	pin_addresses(kv);
}

static void kv_release(struct kv *kv)
{
	strvec_clear(&kv->k);
	strvec_clear(&kv->v);
}

/* A literal for `s` as this connection's server reads it: with
 * standard_conforming_strings off (libpq knows the setting), a backslash
 * is an escape and is doubled in an E'' string. */
static void add_literal(struct strbuf *sql, PGconn *c, const char *s)
{
	const char *scs = PQparameterStatus(c, "standard_conforming_strings");
	if (!scs || !strcmp(scs, "on")) {
		rt_sql_add_literal(sql, s);
		return;
	}
	strbuf_addch(sql, 'E');
	rt_sql_add_literal_ex(sql, s, 1);
}

/*
 * Append a statement that sets `name` to `value` for this session, if
 * `direct` (an SQL condition: not behind a pooler) holds.  With `off_only`
 * only where the setting is off ('0'): a value the administrator, the role
 * or PGOPTIONS chose stays, and a server too old to know the setting
 * (current_setting gives NULL) is left alone.
 */
static void session_set(struct strbuf *sql, PGconn *c, const char *direct, const char *name,
			const char *value, int off_only)
{
	strbuf_addf(sql, "SELECT pg_catalog.set_config('%s', ", name);
	add_literal(sql, c, value);
	strbuf_addf(sql, ", false) WHERE %s", direct);
	if (off_only)
		strbuf_addf(sql, " AND pg_catalog.current_setting('%s', true) = '0'", name);
	strbuf_addch(sql, ';');
}

/*
 * Behind a pooler: what begins every transaction, the session settings
 * as SET LOCAL (read-only as the transaction's mode), so they last
 * exactly as long as the transaction on whichever session runs it.
 */
static void local_setup(struct pg_db *d)
{
	struct strbuf sql = STRBUF_INIT;
	strbuf_addstr(&sql, d->opts.readonly ? "BEGIN READ ONLY;" : "BEGIN;");
	size_t base = sql.len;
	if (d->opts.schema) {
		strbuf_addstr(&sql, "SET LOCAL search_path TO ");
		rt_sql_add_ident(&sql, d->opts.schema, rt_sql_every_word);
		strbuf_addch(&sql, ';');
	}
	if (d->opts.statement_timeout > 0)
		strbuf_addf(&sql, "SET LOCAL statement_timeout = %ld;",
			    (long)(d->opts.statement_timeout * 1000));
	if (d->opts.ddl_lock_timeout > 0)
		strbuf_addf(&sql, "SET LOCAL lock_timeout = %ld;", (long)(d->opts.ddl_lock_timeout * 1000));
	d->has_local = sql.len > base || d->opts.readonly;
	d->begin_sql = strbuf_detach(&sql);
}

/*
 * What a connection begins with, as one round trip: the session's
 * settings, then a row with the backend's pid (a pooler in between? see
 * the top of this file), the lock key (database, schema and version
 * table) and, with `lock`, a first try at the lock; with `ahead`, the
 * version state read ahead after it (pg_ahead.c).  Several statements in
 * one string are one implicit transaction on one server session, so each
 * setting, and the lock, is guarded by `direct`: on a pooled connection
 * it sets nothing that outlives the round trip, except that search_path
 * is set for the round trip itself, which the lock key reads.
 */
static void open_sql(struct pg_db *d, const char *direct, int lock, int ahead, struct strbuf *sql)
{
	PGconn *c = d->c;
	char v[32];
	if (d->opts.schema) {
		struct strbuf path = STRBUF_INIT;
		rt_sql_add_ident(&path, d->opts.schema, rt_sql_every_word);
		strbuf_addstr(sql, "SELECT pg_catalog.set_config('search_path', ");
		add_literal(sql, c, path.buf);
		strbuf_addf(sql, ", NOT (%s));", direct);
		strbuf_release(&path);
	}
	if (d->opts.statement_timeout > 0) {
		snprintf(v, sizeof(v), "%ld", (long)(d->opts.statement_timeout * 1000));
		session_set(sql, c, direct, "statement_timeout", v, 0);
	}
	if (d->opts.ddl_lock_timeout > 0) {
		snprintf(v, sizeof(v), "%ld", (long)(d->opts.ddl_lock_timeout * 1000));
		session_set(sql, c, direct, "lock_timeout", v, 0);
	}
	if (d->opts.readonly)
		session_set(sql, c, direct, "default_transaction_read_only", "on", 0);
	/* A retort killed mid-statement would leave its session running the
	 * statement, holding the migration lock, until the statement ends;
	 * from PostgreSQL 14 the server checks every few seconds that we are
	 * still there, and ends the session (and frees the lock) if not. */
	if (PQserverVersion(c) >= 140000)
		session_set(sql, c, direct, "client_connection_check_interval", "5s", 0);
	/* The other way round: if our host vanishes, or we stop answering,
	 * the server ends our session (and frees the lock) by itself.  Over
	 * TCP, the keepalives where the server's setting is still its default
	 * (a setting of 0 shows the system's value, so only pg_settings.source
	 * tells); over a Unix socket they mean nothing and are left out. */
	const char *host = PQhost(c);
	if (host && *host != '/' && *host != '@')
		strbuf_addf(sql, "SELECT count(pg_catalog.set_config(name, CASE name "
				 "WHEN 'tcp_keepalives_idle' THEN '%s' WHEN 'tcp_keepalives_interval' "
				 "THEN '%s' WHEN 'tcp_keepalives_count' THEN '%s' ELSE '%s' END, false)) "
				 "FROM pg_catalog.pg_settings WHERE name IN ('tcp_keepalives_idle', "
				 "'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout') "
				 "AND source = 'default' AND %s;",
			    RT_PG_KEEPALIVES_IDLE, RT_PG_KEEPALIVES_INTERVAL, RT_PG_KEEPALIVES_COUNT,
			    RT_PG_TCP_USER_TIMEOUT_MS, direct);
	/* and a session left idle ends, where the server leaves that off
	 * (current_setting's missing_ok is from 9.6; the settings from 9.6
	 * and 14) */
	if (PQserverVersion(c) >= 90600) {
		session_set(sql, c, direct, "idle_in_transaction_session_timeout",
			    RT_PG_IDLE_SESSION_TIMEOUT, 1);
		session_set(sql, c, direct, "idle_session_timeout", RT_PG_IDLE_SESSION_TIMEOUT, 1);
	}
	/* rt_db_open has defaulted the version table's name */
	strbuf_addstr(sql, "SELECT pid, k, ");
	if (lock)
		strbuf_addf(sql, "CASE WHEN %s THEN pg_catalog.pg_try_advisory_lock(k) END", direct);
	else
		strbuf_addstr(sql, "NULL");
	strbuf_addstr(sql, " FROM (SELECT pg_catalog.pg_backend_pid() AS pid, "
			   "pg_catalog.hashtextextended('retort:' || "
			   "pg_catalog.current_database() || ':' || coalesce(");
	if (d->opts.version_table_schema)
		add_literal(sql, c, d->opts.version_table_schema);
	else
		strbuf_addstr(sql, "NULL");
	strbuf_addstr(sql, ", pg_catalog.current_schema(), '') || '.' || ");
	add_literal(sql, c, d->opts.version_table);
	strbuf_addstr(sql, ", 0) AS k) AS s");
	if (ahead) {
		struct strbuf schema = STRBUF_INIT, table = STRBUF_INIT;
		if (d->opts.version_table_schema)
			add_literal(&schema, c, d->opts.version_table_schema);
		add_literal(&table, c, d->opts.version_table);
		strbuf_addch(sql, ';');
		rt_pg_ahead_sql(sql, schema.len ? schema.buf : NULL, table.buf);
		strbuf_release(&schema);
		strbuf_release(&table);
	}
}

/*
 * The open's round trip (open_sql): the session's row (its first column
 * "pid") onto *row and the read-ahead's ("ahead") onto *ahead; the
 * settings' own rows are dropped.  When it fails, *row may still be set:
 * then the session's statements all ran, and what failed came after them.
 */
static int open_trip(struct pg_db *d, const char *sql, PGresult **row, PGresult **ahead,
		     struct rt_error *err)
{
	PGresult *r;
	int rc = 0;
	*row = *ahead = NULL;
	if (!PQsendQuery(d->c, sql))
		return rt_error_set(err, RT_EXIT_ERROR, "setting up the session: %s", conn_msg(d->c));
	while ((r = PQgetResult(d->c))) {
		ExecStatusType st = PQresultStatus(r);
		const char *col = st == PGRES_TUPLES_OK && PQnfields(r) ? PQfname(r, 0) : "";
		if (!*row && !strcmp(col, "pid"))
			*row = r;
		else if (!*ahead && !strcmp(col, "ahead"))
			*ahead = r;
		else {
			if (!rc && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
				rc = result_error(r, d->c, "setting up the session", err);
			PQclear(r);
		}
	}
	if (!rc && !*row)
		rc = rt_error_set(err, RT_EXIT_ERROR, "setting up the session: no answer");
	return rc;
}

/* From the session's row: a pooler in between?  The lock key, and what
 * the lock's try found (NULL where it was not made: not asked for, or a
 * pooler). */
static void session_row(struct pg_db *d, int forced, int lock, PGresult *r)
{
	d->base.pooled = forced || atol(PQgetvalue(r, 0, 0)) != PQbackendPID(d->c);
	d->lock_key = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	if (lock && !PQgetisnull(r, 0, 2)) {
		d->pretried = !strcmp(PQgetvalue(r, 0, 2), "t") ? 1 : -1;
		d->locked = d->pretried > 0;
	}
}

/*
 * One readiness probe.  A real connection, driven with PQconnectPoll so
 * the caller's deadline holds even while a host drops packets.  When it
 * fails, PQping on the same parameters says whether waiting can help: no
 * response, or a server that rejects connections while it starts up, will
 * heal; a server that answers and still refuses us (password, unknown
 * database, pg_hba.conf) will not.
 */
static int pg_probe(const struct rt_url *url, double timeout, struct rt_error *err)
{
	struct kv kv;
	double deadline = rt_now() + timeout;
	PostgresPollingStatusType st;
	int rc = RT_PROBE_RETRY, confirmed = 0;

	conn_params(url, &kv);
	/* bounds the PQping below; the connection itself is bounded by `deadline` */
	kv_set(&kv, "connect_timeout", "2");
	const char *const *k = (const char *const *)kv.k.v, *const *v = (const char *const *)kv.v.v;
	PGconn *c = NULL;
again:
	if (c)
		PQfinish(c);
	c = PQconnectStartParams(k, v, 0);
	if (!c) {
		rt_error_set(err, RT_EXIT_ERROR, "out of memory");
		rc = RT_PROBE_NEVER;
		goto out;
	}
	/* a host name that does not resolve fails already here */
	st = PQstatus(c) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		double left = deadline - rt_now();
		if (left <= 0) {
			rt_error_set(err, RT_EXIT_ERROR, "no answer within %.1f s", timeout);
			goto out;
		}
		struct pollfd p = { PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0 };
		if (poll(&p, 1, (int)(left * 1000) + 1) == 0)
			continue;
		st = PQconnectPoll(c);
	}
	if (st == PGRES_POLLING_OK) {
		rc = RT_PROBE_READY;
		goto out;
	}
	rt_error_set(err, RT_EXIT_ERROR, "%s", conn_msg(c));
	PGPing ping = PQpingParams(k, v, 0);
	/* The server answers the ping.  If it did not answer our connection a
	 * moment ago (it was not up, or its name did not resolve yet), try
	 * once more before calling the refusal final. */
	if (ping == PQPING_OK && !confirmed++ && rt_now() < deadline)
		goto again;
	if (ping == PQPING_OK || ping == PQPING_NO_ATTEMPT)
		rc = RT_PROBE_NEVER;
out:
	if (c)
		PQfinish(c);
	kv_release(&kv);
	return rc;
}

/* libpq's receiver of notices, which the one below passes everything on to. */
static PQnoticeReceiver default_receiver;

/*
 * Behind a pooler a composed script's BEGIN comes after the one that
 * applied the settings (pg_exec_script), and the server warns that a
 * transaction is already in progress (25001): that warning is ours and
 * is dropped; every other notice goes where libpq sends it.
 */
static void pooled_notices(void *arg, const PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state && !strcmp(state, "25001"))
		return;
	if (default_receiver)
		default_receiver(arg, r);
}

static int pg_open(struct rt_db **out, const struct rt_url *url, const struct rt_db_opts *opts,
		   struct rt_error *err)
{
	struct pg_db *d = xcalloc(1, sizeof(*d));
	struct kv kv;
	struct strbuf sql = STRBUF_INIT;
	PGresult *r;

	d->base.drv = &rt_pg_driver;
	d->opts = *opts;
	conn_params(url, &kv);
	d->c = PQconnectdbParams((const char *const *)kv.k.v, (const char *const *)kv.v.v, 0);
	kv_release(&kv);
	if (!d->c || PQstatus(d->c) != CONNECTION_OK) {
		rt_error_set(err, RT_EXIT_ERROR, "cannot connect to the database: %s", conn_msg(d->c));
		pg_close(&d->base);
		return -1;
	}
	PQsetNoticeProcessor(d->c, NULL, NULL);

	/* --lock=table: as behind a pooler, whatever the pid says */
	int forced = opts->lock_mode == RT_LOCK_TABLE;
	char direct[64] = "false";
	if (!forced)
		snprintf(direct, sizeof(direct), "pg_catalog.pg_backend_pid() = %d", PQbackendPID(d->c));
	int lock = opts->lock_now && !forced && opts->lock_mode != RT_LOCK_NONE;
	PGresult *a;
	open_sql(d, direct, lock, opts->read_ahead, &sql);
	int rc = open_trip(d, sql.buf, &r, &a, err);
	if (r)
		session_row(d, forced, lock, r);
	if (rc) {
		/* What failed was the read-ahead (a version table we may not
		 * read), or the lock's try on a server without advisory locks
		 * (pg_lock then finds out the same, and the policy above it
		 * chooses).  Either way the settings went with the failed round
		 * trip, one transaction, so they go again alone; a lock the try
		 * took outlives it, and the reads are done afresh. */
		int row_seen = r != NULL;
		PQclear(r);
		PQclear(a);
		if (!(row_seen ? opts->read_ahead : lock && lacks_advisory_locks(err)))
			goto fail;
		rt_error_clear(err);
		strbuf_reset(&sql);
		open_sql(d, direct, 0, 0, &sql);
		if (open_trip(d, sql.buf, &r, &a, err)) {
			PQclear(r);
			PQclear(a);
			goto fail;
		}
		if (!row_seen)
			session_row(d, forced, 0, r);
	}
	PQclear(r);
	/* Trusted only on a direct connection.  Where the lock's try did not
	 * get the lock, taking it sends more, which drops the read-ahead
	 * (run_raw): what is handed over was read with the lock ours. */
	if (a && !d->base.pooled)
		d->ahead = !rt_pg_ahead_take(a, d->ahead_exists, &d->ahead_rows);
	PQclear(a);
	/* before 13 a statement timeout bounded a whole multi-statement query */
	d->base.batches = !d->base.pooled && PQserverVersion(d->c) >= 130000;
	local_setup(d);
	if (d->base.pooled) {
		PQnoticeReceiver old = PQsetNoticeReceiver(d->c, pooled_notices, NULL);
		if (old != pooled_notices)
			default_receiver = old;
	}
	strbuf_release(&sql);
	*out = &d->base;
	return 0;
fail:
	strbuf_release(&sql);
	pg_close(&d->base);
	return -1;
}
