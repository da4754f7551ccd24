/*
 * The MySQL and MariaDB driver (MariaDB Connector/C, libmariadb), for
 * mysql://, mariadb:// and SQLAlchemy's mysql+pymysql://... URLs.
 *
 * Connection: the URL's parts go to mysql_real_connect; its query
 * parameters charset (default utf8mb4), unix_socket, ssl_ca, ssl_cert,
 * ssl_key, ssl_mode and connect_timeout to mysql_options.  Rows changed
 * are rows matched (CLIENT_FOUND_ROWS), so a version-row UPDATE that
 * writes the same value still counts as the one row it must change.
 * Connector/C never echoes a password; URLs are masked by the caller.
 *
 * Transactions: MySQL commits implicitly before and after DDL, so only
 * DML is transactional.  The executor asks implicit_commit() which
 * statements those are (its dialect has ddl_commits) and runs a section
 * holding any of them statement by statement, with the version row
 * changed after its last statement.
 *
 * Locking: GET_LOCK on a name derived from the database and the version
 * table, tried without waiting in a polling loop with backoff (a lock
 * wait inside the server could not be bounded by --lock-timeout nor
 * report who holds the lock); the holder comes from IS_USED_LOCK and the
 * process list.  A named lock belongs to the session, so it survives the
 * implicit commits and goes with the connection.
 *
 * Running SQL: each statement of a block's list is sent on its own, so a
 * failure names its statement exactly; the server's "near '...' at line
 * N" is found in that statement's text and becomes the error position.
 * Multi-statement queries are on, so an entry of the list that holds
 * several statements still runs them all (the server stops at the first
 * failure, and the results before it count as done).  Parameters ($n as ?n in the dialect)
 * are substituted client-side as literals escaped by the connection
 * (mysql_real_escape_string knows NO_BACKSLASH_ESCAPES).
 *
 * The version table's SQL is not here: db/version_table.c writes it for
 * every dialect and runs it through exec_params, query_column and
 * table_exists below.
 */
#include "driver.h"
#include "mysql_schema.h"
#include "version_table.h"
#include "../lib/clock.h"
#include "../lib/sqllex.h"
#include "../lib/sqlquote.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <errmsg.h>
#include <math.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct my_db {
	struct rt_db base;
	MYSQL *c;
	char *lock_name;
	int locked;
	struct rt_db_opts opts;
};

#define MDB(db) ((struct my_db *)(db))

static void my_close(struct rt_db *db)
{
	struct my_db *d = MDB(db);
	if (d->c)
		mysql_close(d->c); /* ends the session: a named lock goes with it */
	free(d->lock_name);
	free(d);
}

/* "1064 (42000): message" from the connection's last error.  Returns -1. */
static int conn_error(struct my_db *d, const char *what, struct rt_error *err)
{
	return rt_error_set(err, RT_EXIT_ERROR, "%s%s%u (%s): %s", what ? what : "", what ? ": " : "",
			    mysql_errno(d->c), mysql_sqlstate(d->c), mysql_error(d->c));
}

/* Send one statement; a result set, if any, is read and dropped. */
static int run(struct my_db *d, const char *sql, size_t len, const char *what, struct rt_error *err)
{
	if (mysql_real_query(d->c, sql, (unsigned long)len))
		return conn_error(d, what, err);
	MYSQL_RES *r = mysql_store_result(d->c);
	if (r)
		mysql_free_result(r);
	else if (mysql_field_count(d->c))
		return conn_error(d, what, err);
	return 0;
}

static int run_str(struct my_db *d, const char *sql, const char *what, struct rt_error *err)
{
	return run(d, sql, strlen(sql), what, err);
}

/*
 * `sql` with its ?1, ?2... placeholders (outside quotes and comments)
 * replaced by the parameters as quoted, escaped literals; NULL
 * parameters as NULL.
 */
static void bind_params(struct my_db *d, const char *sql, int n, const char *const *params,
			struct strbuf *out)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	size_t copied = 0, len = strlen(sql);
	rt_sql_lexer_init(&lx, sql, len, RT_LEX_MYSQL | RT_LEX_COMMENTS);
	while (rt_sql_next(&lx, &t) != RT_SQL_END) {
		if (t.kind != RT_SQL_PUNCT || sql[t.off] != '?' || t.off + 1 >= len ||
		    sql[t.off + 1] < '1' || sql[t.off + 1] > '9')
			continue;
		char *end;
		long k = strtol(sql + t.off + 1, &end, 10);
		if (k < 1 || k > n)
			continue;
		strbuf_add(out, sql + copied, t.off - copied);
		const char *v = params[k - 1];
		if (!v) {
			strbuf_addstr(out, "NULL");
		} else {
			size_t vl = strlen(v);
			char *esc = xmalloc(2 * vl + 1);
			unsigned long el = mysql_real_escape_string(d->c, esc, v, (unsigned long)vl);
			strbuf_addch(out, '\'');
			strbuf_add(out, esc, el);
			strbuf_addch(out, '\'');
			free(esc);
		}
		copied = (size_t)(end - sql);
		lx.pos = copied;
	}
	strbuf_add(out, sql + copied, len - copied);
}

/* One query's rows: the first column of each (NULLs left out) onto `out`. */
static int query_rows(struct my_db *d, const char *sql, int n, const char *const *params,
		      struct strvec *out, const char *what, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	bind_params(d, sql, n, params, &q);
	int bad = mysql_real_query(d->c, q.buf, (unsigned long)q.len);
	strbuf_release(&q);
	if (bad)
		return conn_error(d, what, err);
	MYSQL_RES *r = mysql_store_result(d->c);
	if (!r)
		return mysql_field_count(d->c) ? conn_error(d, what, err) : 0;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(r)))
		if (row[0])
			strvec_push(out, row[0]);
	mysql_free_result(r);
	return 0;
}

/* A one-value query's value into buf ("" for none or NULL); -1 on failure. */
static int query_value(struct my_db *d, const char *sql, int n, const char *const *params,
		       char *buf, size_t bn, const char *what, struct rt_error *err)
{
	struct strvec rows;
	strvec_init(&rows);
	int rc = query_rows(d, sql, n, params, &rows, what, err);
	snprintf(buf, bn, "%s", !rc && rows.nr ? rows.v[0] : "");
	strvec_clear(&rows);
	return rc;
}

/* " (held by connection id 12, user 'app', host 'localhost:4242')", or "". */
static void lock_holder(struct rt_db *db, char *buf, size_t n)
{
	struct my_db *d = MDB(db);
	struct strbuf q = STRBUF_INIT;
	MYSQL_RES *r;
	MYSQL_ROW row;
	const char *p[1] = { d->lock_name };
	buf[0] = '\0';
	bind_params(d, "SELECT p.ID, p.USER, p.HOST FROM information_schema.PROCESSLIST p "
		       "WHERE p.ID = IS_USED_LOCK(?1)", 1, p, &q);
	int bad = mysql_real_query(d->c, q.buf, (unsigned long)q.len);
	strbuf_release(&q);
	if (bad || !(r = mysql_store_result(d->c)))
		return;
	if ((row = mysql_fetch_row(r)) && row[0])
		snprintf(buf, n, " (held by connection id %s, user '%s', host '%s')", row[0],
			 row[1] ? row[1] : "", row[2] ? row[2] : "");
	mysql_free_result(r);
	if (!buf[0]) {
		/* no PROCESS privilege: the process list shows only our own sessions */
		char id[32];
		if (!query_value(d, "SELECT IS_USED_LOCK(?1)", 1, p, id, sizeof(id), NULL,
				 &(struct rt_error){ 0 }) && *id)
			snprintf(buf, n, " (held by connection id %s)", id);
	}
}

/* One try at GET_LOCK, without waiting. */
static int my_try_lock(struct rt_db *db, int *got, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	const char *p[1] = { d->lock_name };
	char v[8];
	if (query_value(d, "SELECT GET_LOCK(?1, 0)", 1, p, v, sizeof(v), "taking the migration lock",
			err))
		return -1;
	if (strcmp(v, "1") && strcmp(v, "0"))
		return rt_error_set(err, RT_EXIT_ERROR, "taking the migration lock: GET_LOCK "
				    "returned %s", *v ? v : "NULL");
	*got = !strcmp(v, "1");
	return 0;
}

static int my_lock(struct rt_db *db, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	if (rt_db_poll_lock(db, &d->opts, NULL, my_try_lock, lock_holder, err))
		return -1;
	d->locked = 1;
	return 0;
}

static void my_unlock(struct rt_db *db)
{
	struct my_db *d = MDB(db);
	const char *p[1] = { d->lock_name };
	char v[8];
	if (!d->locked)
		return;
	query_value(d, "SELECT RELEASE_LOCK(?1)", 1, p, v, sizeof(v), NULL, &(struct rt_error){ 0 });
	d->locked = 0;
}

static int my_in_transaction(struct rt_db *db)
{
	unsigned int status = 0;
	if (mariadb_get_infov(MDB(db)->c, MARIADB_CONNECTION_SERVER_STATUS, &status))
		return 0;
	return (status & SERVER_STATUS_IN_TRANS) != 0;
}

static int my_begin(struct rt_db *db, struct rt_error *err)
{
	return run_str(MDB(db), "START TRANSACTION", "START TRANSACTION", err);
}

static int my_commit(struct rt_db *db, struct rt_error *err)
{
	return run_str(MDB(db), "COMMIT", "COMMIT", err);
}

static void my_rollback(struct rt_db *db)
{
	struct my_db *d = MDB(db);
	if (d->c && my_in_transaction(db))
		run_str(d, "ROLLBACK", NULL, &(struct rt_error){ 0 });
}

/*
 * Where the server points in a statement it rejected: its message ends
 * "near 'TEXT' at line N", TEXT being the statement from the offending
 * token on (cut short after some 80 characters, '' at the end).  Found
 * from the start of line N; a prefix is tried when all of TEXT is not
 * (the server may cut a multi-byte character).
 */
static int error_position(const char *msg, const char *stmt, size_t len, size_t *off)
{
	const char *near = strstr(msg, "near '");
	const char *at = near ? strstr(near, "' at line ") : NULL;
	if (!at)
		return 0;
	/* the last "' at line " is the one that ends TEXT, which may hold one */
	for (const char *q; (q = strstr(at + 1, "' at line "));)
		at = q;
	long line = atol(at + 10);
	const char *text = near + 6;
	size_t tl = (size_t)(at - text);
	size_t bol = 0;
	for (long l = 1; l < line && bol < len; bol++)
		if (stmt[bol] == '\n')
			l++;
	if (!tl) {
		*off = len;
		return 1;
	}
	for (size_t want = tl; want > 0; want = want > 8 ? want / 2 : 0) {
		for (size_t i = bol; i + want <= len; i++)
			if (!memcmp(stmt + i, text, want)) {
				*off = i;
				return 1;
			}
	}
	return 0;
}

/* The statement without a trailing ';' (and white space), as the server takes it. */
static size_t stmt_body(const char *s, size_t len)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
		       s[len - 1] == '\r'))
		len--;
	if (len && s[len - 1] == ';')
		len--;
	return len;
}

/*
 * Send sql[0..len), which may hold several statements, and read every
 * result: *done counts the statements that succeeded before the first
 * failure (the server runs nothing after it).
 */
static int run_multi(struct my_db *d, const char *sql, size_t len, int *done, struct rt_error *err)
{
	int st = mysql_real_query(d->c, sql, (unsigned long)len);
	*done = 0;
	for (;;) {
		if (st > 0)
			return conn_error(d, NULL, err);
		MYSQL_RES *r = mysql_store_result(d->c);
		if (r)
			mysql_free_result(r);
		else if (mysql_field_count(d->c))
			return conn_error(d, NULL, err);
		++*done;
		if ((st = mysql_next_result(d->c)) < 0)
			return 0;
	}
}

/*
 * A failure in a script that run_multi sent, into `fail`: whether the
 * server answered, its SQLSTATE, and for a syntax error its position.
 * `done` counts the statements of the whole script before the failing one.
 */
static void script_failed(struct my_db *d, const char *script, size_t len, int done,
			  struct rt_script_fail *fail, struct rt_error *err)
{
	fail->has_result = mysql_errno(d->c) < CR_MIN_ERROR || mysql_errno(d->c) > CR_MAX_ERROR;
	snprintf(fail->sqlstate, sizeof(fail->sqlstate), "%s", mysql_sqlstate(d->c));
	if (mysql_errno(d->c) != ER_PARSE_ERROR)
		return;
	/*
	 * "near '...' at line N" quotes the script past the failing
	 * statement: send that statement alone for the server's words about
	 * it (a syntax error runs nothing, so nothing runs twice), and place
	 * them in it.
	 */
	struct rt_stmts st;
	size_t off;
	rt_sql_split_ex(script, len, RT_LEX_MYSQL, &st);
	if (done < st.nr) {
		const char *s = script + st.v[done].off;
		size_t n = stmt_body(s, st.v[done].len);
		if (mysql_real_query(d->c, s, (unsigned long)n) && mysql_errno(d->c) == ER_PARSE_ERROR)
			conn_error(d, NULL, err);
		else
			mysql_free_result(mysql_store_result(d->c));
		if (error_position(mysql_error(d->c), s, n, &off)) {
			fail->has_token = 1;
			fail->token_off = st.v[done].off + off;
		}
	}
	rt_stmts_release(&st);
}

/*
 * A script in one round trip: a version change (START TRANSACTION ...
 * COMMIT), led by a migration's one statement at most; the server stops at
 * the first failure, whose SQLSTATE, position and the count of statements
 * before it go to `fail`.  Sections of several statements never come this
 * way: their DELIMITER blocks are the client's to split.
 */
static int my_exec_script(struct rt_db *db, const char *script, size_t len,
			  struct rt_script_fail *fail, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	int done;
	memset(fail, 0, sizeof(*fail));
	if (!run_multi(d, script, len, &done, err))
		return 0;
	fail->statements_done = done;
	script_failed(d, script, len, done, fail, err);
	return -1;
}

/* Is this statement of a script our COMMIT (what ends a migration's unit)? */
static int is_commit(const char *s, size_t n)
{
	n = stmt_body(s, n);
	while (n && (*s == ' ' || *s == '\n' || *s == '\t')) {
		s++;
		n--;
	}
	return n == 6 && !strncasecmp(s, "COMMIT", 6);
}

/*
 * Several migrations' scripts (exec_script's kind, each ending in COMMIT)
 * in one round trip (rt_driver.exec_batch).  The server runs a multi-
 * statement query statement by statement and stops at the first failure,
 * so the migrations before the failing one stay committed, as one round
 * trip each would have left them; fail->commits counts them, and
 * fail->statements_done counts from the failing one's first statement.
 * Each COMMIT is reported as its result arrives, with the value of the
 * last statement before it that returned one row of one column.  A syntax
 * error stops the script where it is, not before it runs: MySQL parses
 * each statement as it comes to it.
 */
static int my_exec_batch(struct rt_db *db, const char *script, size_t len,
			 void (*on_commit)(void *ctx, int k, const char *value), void *ctx,
			 struct rt_script_fail *fail, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	struct rt_stmts st;
	struct strbuf value = STRBUF_INIT; /* the last one-value row since the last COMMIT */
	int done = 0, unit = 0, have_value = 0;
	memset(fail, 0, sizeof(*fail));
	rt_sql_split_ex(script, len, RT_LEX_MYSQL, &st);
	int status = mysql_real_query(d->c, script, (unsigned long)len);
	for (;;) {
		if (status > 0)
			break;
		MYSQL_RES *r = mysql_store_result(d->c);
		if (r) {
			MYSQL_ROW row;
			if (mysql_num_fields(r) == 1 && mysql_num_rows(r) == 1 && (row = mysql_fetch_row(r))) {
				strbuf_reset(&value);
				if ((have_value = row[0] != NULL))
					strbuf_addstr(&value, row[0]);
			}
			mysql_free_result(r);
		} else if (mysql_field_count(d->c)) {
			break;
		}
		unit++;
		if (done < st.nr && is_commit(script + st.v[done].off, st.v[done].len)) {
			on_commit(ctx, fail->commits++, have_value ? value.buf : NULL);
			have_value = unit = 0;
		}
		done++;
		if ((status = mysql_next_result(d->c)) < 0) {
			rt_stmts_release(&st);
			strbuf_release(&value);
			return 0;
		}
	}
	rt_stmts_release(&st);
	strbuf_release(&value);
	conn_error(d, NULL, err);
	fail->statements_done = unit;
	script_failed(d, script, len, done, fail, err);
	return -1;
}

/* The block's statements one by one; the first failure stops it and says where. */
static int my_exec(struct rt_db *db, const char *sql, size_t len, const struct rt_stmts *stmts,
		   struct rt_exec_info *info, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	int done = 0;
	(void)len;
	memset(info, 0, sizeof(*info));
	for (int k = 0; k < stmts->nr; k++) {
		const char *s = sql + stmts->v[k].off;
		size_t n = stmt_body(s, stmts->v[k].len);
		int ran;
		if (!n)
			continue;
		if (run_multi(d, s, n, &ran, err)) {
			size_t off;
			info->statements_done = done + ran;
			info->has_stmt = 1;
			info->stmt_off = stmts->v[k].off;
			if (mysql_errno(d->c) == ER_PARSE_ERROR &&
			    error_position(mysql_error(d->c), s, n, &off)) {
				info->has_token = 1;
				info->token_off = stmts->v[k].off + off;
			}
			return -1;
		}
		done += ran;
	}
	return 0;
}

static int my_exec_params(struct rt_db *db, const char *sql, int n, const char *const *params,
			  int *changed, const char *what, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	struct strbuf q = STRBUF_INIT;
	bind_params(d, sql, n, params, &q);
	int rc = run(d, q.buf, q.len, what, err);
	strbuf_release(&q);
	if (!rc && changed)
		*changed = (int)mysql_affected_rows(d->c);
	return rc;
}

static int my_query_column(struct rt_db *db, const char *sql, struct strvec *out, const char *what,
			   struct rt_error *err)
{
	return query_rows(MDB(db), sql, 0, NULL, out, what, err);
}

static int my_query_rows(struct rt_db *db, const char *sql, int ncols, struct strvec *out,
			 const char *what, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	if (mysql_real_query(d->c, sql, (unsigned long)strlen(sql)))
		return conn_error(d, what, err);
	MYSQL_RES *r = mysql_store_result(d->c);
	if (!r)
		return mysql_field_count(d->c) ? conn_error(d, what, err) : 0;
	unsigned nf = mysql_num_fields(r);
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(r)))
		for (int c = 0; c < ncols; c++)
			strvec_push(out, (unsigned)c < nf && row[c] ? row[c] : "");
	mysql_free_result(r);
	return 0;
}

/* Base tables of the connection's database (MySQL has no schemas within one). */
static int my_tables_exist(struct rt_db *db, const char *schema, const char *const *names, int n,
			   int *exists, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	struct strvec found;
	strvec_init(&found);
	const char **p = rt_tables_query(&q, "SELECT %d FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
			    "COALESCE(?1, DATABASE()) AND TABLE_NAME = ?%d AND TABLE_TYPE = 'BASE TABLE'",
			schema, names, n);
	int rc = query_rows(MDB(db), q.buf, n + 1, p, &found, "looking for the version table", err);
	rt_tables_found(&found, exists, n);
	strvec_clear(&found);
	strbuf_release(&q);
	free(p);
	return rc;
}

/* No MySQL statement must leave a transaction first: those that cannot
 * run in one commit it themselves (implicit_commit). */
static int my_needs_autocommit(struct rt_db *db, const char *words)
{
	(void)db;
	(void)words;
	return 0;
}

/* Does a word list start with `p` (whole words)? */
static int starts(const char *words, const char *p)
{
	size_t n = strlen(p);
	return !strncmp(words, p, n) && (!words[n] || words[n] == ' ');
}

/*
 * The statements MySQL ends a transaction for ("Statements That Cause an
 * Implicit Commit" in its manual): data definition, account management,
 * table locking, and the administrative ones.  Temporary tables are the
 * exception.  Transaction control is refused before this is asked.
 */
static int my_implicit_commit(const char *words)
{
	static const char *const ddl[] = {
		"ALTER", "CREATE", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "LOCK TABLE",
		"LOCK TABLES", "UNLOCK TABLE", "UNLOCK TABLES", "ANALYZE", "CHECK TABLE", "OPTIMIZE",
		"REPAIR", "FLUSH", "RESET", "INSTALL", "UNINSTALL", "CACHE INDEX", "LOAD INDEX",
		"SET PASSWORD", "START SLAVE", "STOP SLAVE", "START REPLICA", "STOP REPLICA",
		"CHANGE MASTER", "CHANGE REPLICATION", NULL,
	};
	if (starts(words, "CREATE TEMPORARY") || starts(words, "DROP TEMPORARY") ||
	    starts(words, "CREATE OR REPLACE TEMPORARY"))
		return 0;
	for (int i = 0; ddl[i]; i++)
		if (starts(words, ddl[i]))
			return 1;
	return 0;
}

static int my_connected(struct rt_db *db)
{
	return mysql_ping(MDB(db)->c) == 0;
}

static const char *my_library_version(void)
{
	return mysql_get_client_info();
}

/* Leave the scratch database: back to the session's own, then drop it.
 * Failing to drop it is an error only when nothing failed before. */
static int scratch_end(struct my_db *d, const char *name, const char *home, int rc,
		       struct rt_error *err)
{
	struct rt_error e2 = RT_ERROR_INIT;
	struct strbuf q = STRBUF_INIT;
	run_str(d, "SET SESSION foreign_key_checks = 1", NULL, &e2);
	if (*home)
		mysql_select_db(d->c, home);
	strbuf_addf(&q, "DROP DATABASE IF EXISTS `%s`", name);
	if (run(d, q.buf, q.len, NULL, &e2) && !rc) {
		rc = rt_error_set(err, RT_EXIT_ERROR, "cannot drop the scratch database `%s`: %s; "
				  "drop it by hand", name, e2.msg);
	}
	if (d->opts.readonly)
		run_str(d, "SET SESSION TRANSACTION READ ONLY", NULL, &e2);
	strbuf_release(&q);
	return rc;
}

/*
 * The live schema (the connection's database), or the schema that DDL
 * builds in a scratch space.  MySQL commits DDL as it runs, so there is
 * no transaction to roll back: the scratch space is a database of its
 * own, retort_scratch_<pid>, with the current database's charset and
 * collation (a table that names none takes its database's), created,
 * loaded, read and dropped whatever happened.  Foreign-key checks are off
 * while it loads, so a file may create a table before the tables it
 * references, as mysqldump's files do.
 */
static int my_schema_read(struct rt_db *db, const struct rt_ddl *src, int n, struct rt_schema *out,
			  struct rt_ddl_fail *fail, struct rt_error *err)
{
	struct my_db *d = MDB(db);
	struct strvec cur = STRVEC_INIT;
	char name[64];
	int rc;
	if (my_query_rows(db, "SELECT COALESCE(DATABASE(), ''), @@character_set_database, "
			  "@@collation_database", 3, &cur, "reading the database's name", err))
		return -1;
	const char *home = cur.v[0];
	if (!src) {
		const struct rt_vt *vt = db->vt;
		if (!*home)
			rc = rt_error_set(err, RT_EXIT_USAGE, "the database URL names no database; add "
					  "one (mysql://user@host/NAME) to read its schema");
		else
			rc = rt_mysql_schema_read(d->c, !vt->schema || !strcmp(vt->schema, home) ?
						  vt->name : NULL, out, err);
		strvec_clear(&cur);
		return rc;
	}
	snprintf(name, sizeof(name), "retort_scratch_%ld", (long)getpid());
	struct strbuf q = STRBUF_INIT;
	strbuf_addf(&q, "DROP DATABASE IF EXISTS `%s`; CREATE DATABASE `%s` CHARACTER SET %s COLLATE %s",
		    name, name, cur.v[1], cur.v[2]);
	if ((d->opts.readonly && run_str(d, "SET SESSION TRANSACTION READ WRITE", NULL, err)) ||
	    run_multi(d, q.buf, q.len, &rc, err)) {
		rt_error_prefix(err, "cannot create a scratch database to load the schema into (grant "
				"the user ALL on `retort\\_scratch\\_%%`.*)");
		strbuf_release(&q);
		rc = scratch_end(d, name, home, -1, err);
		strvec_clear(&cur);
		return rc;
	}
	strbuf_release(&q);
	rc = mysql_select_db(d->c, name) ? conn_error(d, "using the scratch database", err) : 0;
	if (!rc)
		rc = run_str(d, "SET SESSION foreign_key_checks = 0", NULL, err);
	for (int i = 0; i < n && !rc; i++) {
		struct rt_stmts stmts;
		fail->src = i;
		rt_sql_split_ex(src[i].text, src[i].len, rt_sql_mysql.lex_flags, &stmts);
		rc = my_exec(db, src[i].text, src[i].len, &stmts, &fail->info, err);
		rt_stmts_release(&stmts);
	}
	if (!rc) {
		fail->src = -1; /* the DDL loaded; what fails now is reading it back */
		rc = rt_mysql_schema_read(d->c, NULL, out, err);
	}
	rc = scratch_end(d, name, home, rc, err);
	strvec_clear(&cur);
	return rc;
}

static int my_open(struct rt_db **out, const struct rt_url *url, const struct rt_db_opts *opts,
		   struct rt_error *err);
static int my_probe(const struct rt_url *url, double timeout, struct rt_error *err);

const struct rt_driver rt_mysql_driver = {
	.name = "mysql",
	.dialect = &rt_sql_mysql,
	/* names in SQL that retort sends are always quoted: no bare name can
	 * clash with a keyword of any server version */
	.is_keyword = rt_sql_every_word,
	.open = my_open,
	.close = my_close,
	.lock = my_lock,
	.unlock = my_unlock,
	.begin = my_begin,
	.commit = my_commit,
	.rollback = my_rollback,
	.in_transaction = my_in_transaction,
	.connected = my_connected,
	.exec = my_exec,
	.exec_params = my_exec_params,
	.query_column = my_query_column,
	.query_rows = my_query_rows,
	.tables_exist = my_tables_exist,
	.needs_autocommit = my_needs_autocommit,
	.implicit_commit = my_implicit_commit,
	.library_version = my_library_version,
	.probe = my_probe,
	.exec_script = my_exec_script,
	.exec_batch = my_exec_batch,
	.schema_read = my_schema_read,
};

/*
 * A new handle with the URL's options set; `timeout` (seconds, > 0)
 * overrides connect_timeout and bounds reads and writes too (probes).
 * The URL's value that is not understood fails here, naming it.
 */
static MYSQL *connect_handle(const struct rt_url *url, double timeout, const char **sock,
			     int *tls_required, struct rt_error *err)
{
	MYSQL *m = mysql_init(NULL);
	const char *charset = "utf8mb4";
	unsigned int ct = 0;
	*sock = NULL;
	*tls_required = 0;
	if (!m) {
		rt_error_set(err, RT_EXIT_ERROR, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < url->qkeys.nr; i++) {
		const char *k = url->qkeys.v[i], *v = url->qvals.v[i];
		if (!strcmp(k, "charset")) {
			charset = v;
		} else if (!strcmp(k, "unix_socket")) {
			*sock = v;
		} else if (!strcmp(k, "ssl_ca")) {
			mysql_optionsv(m, MYSQL_OPT_SSL_CA, v);
		} else if (!strcmp(k, "ssl_cert")) {
			mysql_optionsv(m, MYSQL_OPT_SSL_CERT, v);
		} else if (!strcmp(k, "ssl_key")) {
			mysql_optionsv(m, MYSQL_OPT_SSL_KEY, v);
		} else if (!strcmp(k, "ssl_mode")) {
			my_bool on = 1, off = 0;
			if (!strcasecmp(v, "DISABLED")) {
				mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &off);
			} else if (!strcasecmp(v, "REQUIRED")) {
				/* Connector/C 3.3 asks for TLS but does not insist
				 * without verification: checked after connecting */
				mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
				mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
				*tls_required = 1;
			} else if (!strcasecmp(v, "VERIFY_CA") || !strcasecmp(v, "VERIFY_IDENTITY")) {
				mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
				mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
			} else if (strcasecmp(v, "PREFERRED")) {
				rt_error_set(err, RT_EXIT_USAGE, "ssl_mode=%s in the database url is not one "
					     "of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY", v);
				mysql_close(m);
				return NULL;
			}
		} else if (!strcmp(k, "connect_timeout")) {
			char *end;
			double t = strtod(v, &end);
			if (*end || t <= 0) {
				rt_error_set(err, RT_EXIT_USAGE, "connect_timeout=%s in the database url is "
					     "not a positive number of seconds", v);
				mysql_close(m);
				return NULL;
			}
			ct = (unsigned int)ceil(t);
		}
		/* other parameters belong to SQLAlchemy's drivers (binary_prefix...) */
	}
	if (timeout > 0) {
		unsigned int t = (unsigned int)ceil(timeout);
		ct = t;
		mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &t);
		mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &t);
	}
	if (ct)
		mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, charset);
	return m;
}

/*
 * Connect; on failure err says why as "errno (SQLSTATE): message" and
 * *code is the error number (0: TLS was required and not agreed).
 */
static int do_connect(MYSQL *m, const struct rt_url *url, const char *sock, int tls_required,
		      unsigned int *code, struct rt_error *err)
{
	unsigned int port = url->port ? (unsigned int)atoi(url->port) : 0;
	if (!mysql_real_connect(m, url->host && *url->host ? url->host : NULL, url->user,
				url->password, url->path && *url->path ? url->path : NULL, port, sock,
				CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS)) {
		*code = mysql_errno(m);
		return rt_error_set(err, RT_EXIT_ERROR, "%u (%s): %s", mysql_errno(m), mysql_sqlstate(m),
				    mysql_error(m));
	}
	if (tls_required && !mysql_get_ssl_cipher(m)) {
		*code = 0;
		return rt_error_set(err, RT_EXIT_ERROR, "ssl_mode=REQUIRED, but the server did not "
				    "agree to TLS");
	}
	return 0;
}

/*
 * One readiness probe: a real connection, bounded by `timeout` (rounded
 * up to whole seconds, as Connector/C counts them).  The server answering
 * and refusing us (access denied, unknown database, TLS that cannot be
 * agreed) will not heal by waiting; no answer, a server starting up or
 * shutting down, or too many connections may.
 */
static int my_probe(const struct rt_url *url, double timeout, struct rt_error *err)
{
	const char *sock;
	int tls;
	unsigned int e;
	MYSQL *m = connect_handle(url, timeout, &sock, &tls, err);
	if (!m)
		return RT_PROBE_NEVER;
	int rc = do_connect(m, url, sock, tls, &e, err);
	mysql_close(m);
	if (!rc)
		return RT_PROBE_READY;
	switch (e) {
	case 0: /* TLS required, and the server does not do it */
	case ER_CON_COUNT_ERROR:        /* too many connections */
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
		return RT_PROBE_RETRY;
	case CR_SSL_CONNECTION_ERROR:
	case CR_AUTH_PLUGIN_CANNOT_LOAD:
	case CR_VERSION_MISMATCH:
		return RT_PROBE_NEVER;
	default:
		/* below 2000 the server said no; from 2000 the client could not reach it */
		return e >= 2000 ? RT_PROBE_RETRY : RT_PROBE_NEVER;
	}
}

static void session_setup(struct my_db *d, struct strvec *sql)
{
	char buf[128];
	int mariadb = strstr(mysql_get_server_info(d->c), "MariaDB") != NULL;
	if (d->opts.statement_timeout > 0) {
		if (mariadb)
			snprintf(buf, sizeof(buf), "SET SESSION max_statement_time = %.3f",
				 d->opts.statement_timeout);
		else /* MySQL bounds only SELECTs */
			snprintf(buf, sizeof(buf), "SET SESSION max_execution_time = %ld",
				 (long)(d->opts.statement_timeout * 1000));
		strvec_push(sql, buf);
	}
	if (d->opts.ddl_lock_timeout > 0) {
		/* metadata locks: what ALTER TABLE waits for */
		snprintf(buf, sizeof(buf), "SET SESSION lock_wait_timeout = %ld",
			 (long)ceil(d->opts.ddl_lock_timeout));
		strvec_push(sql, buf);
	}
	if (d->opts.readonly)
		strvec_push(sql, "SET SESSION TRANSACTION READ ONLY");
}

static int my_open(struct rt_db **out, const struct rt_url *url, const struct rt_db_opts *opts,
		   struct rt_error *err)
{
	struct my_db *d = xcalloc(1, sizeof(*d));
	const char *sock;
	struct strvec setup;
	char name[128];
	int tls;
	unsigned int code;

	d->base.drv = &rt_mysql_driver;
	/* a multi-statement query stops at its first failing statement, and
	 * a statement timeout (max_statement_time) bounds each statement of
	 * it alone: a batch of migrations keeps every semantic of one round
	 * trip each (exec_batch) */
	d->base.batches = 1;
	d->opts = *opts;
	if (!(d->c = connect_handle(url, 0, &sock, &tls, err))) {
		free(d);
		return -1;
	}
	if (do_connect(d->c, url, sock, tls, &code, err)) {
		rt_error_prefix(err, "cannot connect to the database");
		my_close(&d->base);
		return -1;
	}
	strvec_init(&setup);
	session_setup(d, &setup);
	for (size_t i = 0; i < setup.nr; i++)
		if (run_str(d, setup.v[i], "setting up the session", err)) {
			strvec_clear(&setup);
			goto fail;
		}
	strvec_clear(&setup);
	/* the lock name: database and version table, hashed to fit GET_LOCK's 64 characters */
	const char *p[1] = { opts->version_table };
	if (query_value(d, "SELECT CONCAT('retort.', SHA1(CONCAT(COALESCE(DATABASE(), ''), '.', ?1)))",
			1, p, name, sizeof(name), "computing the lock name", err))
		goto fail;
	d->lock_name = xstrdup(name);
	*out = &d->base;
	return 0;
fail:
	my_close(&d->base);
	return -1;
}
