/*
 * The driver conformance suite: every driver behind db/driver.h must pass
 * it.  Each test runs once per driver against a fresh database: SQLite in a
 * temporary file, PostgreSQL in a new database on the private test server
 * (RETORT_TEST_PG_DIR/PORT, started by tests/run.sh), MySQL likewise on the
 * private MariaDB server (RETORT_TEST_MYSQL_SOCKET); without a server its
 * runs are skipped, and say so.  Where MySQL differs because its DDL
 * commits implicitly (its dialect's ddl_commits), the test says what it
 * does instead.  Between them the tests call
 * every slot of the vtable, and the version table (db/version_table.c)
 * through each driver's primitives.
 */
#include "unit.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/driver.h"
#include "db/history.h"
#include "db/version_table.h"
#include "lib/sqllex.h"
#include "lib/strbuf.h"
#include "lib/url.h"
#include "schema/model.h"

static char url_buf[1024];
static char path_buf[256];
static char pg_db[64];
static int is_pg, pg_missing, is_my, my_missing;

static struct rt_db *open_url(const char *url, int readonly, double lock_timeout);
static struct rt_db *open_url_opts(const char *url, const struct rt_db_opts *opts);

/* exec() of a block, split into statements as the executor does. */
static int exec_sql(struct rt_db *db, const char *sql, struct rt_exec_info *info,
		    struct rt_error *err)
{
	struct rt_stmts st;
	rt_sql_split(sql, strlen(sql), &st);
	int rc = db->drv->exec(db, sql, strlen(sql), &st, info, err);
	rt_stmts_release(&st);
	return rc;
}

static int fresh_sqlite(void **state)
{
	(void)state;
	is_pg = is_my = 0;
	snprintf(path_buf, sizeof(path_buf), "/tmp/retort-drv-%d-XXXXXX", (int)getpid());
	int fd = mkstemp(path_buf);
	assert_true(fd >= 0);
	close(fd);
	unlink(path_buf); /* the driver creates it */
	snprintf(url_buf, sizeof(url_buf), "sqlite:///%s", path_buf);
	return 0;
}

/* The test server's URL for database `db`, or 0 when there is no server. */
static int pg_url(char *buf, size_t n, const char *db)
{
	const char *dir = getenv("RETORT_TEST_PG_DIR"), *port = getenv("RETORT_TEST_PG_PORT");
	if (!dir || !port)
		return 0;
	snprintf(buf, n, "postgresql://postgres@/%s?host=%s&port=%s", db, dir, port);
	return 1;
}

static void pg_admin(const char *sql)
{
	char admin[1024];
	struct rt_error err = RT_ERROR_INIT;
	struct rt_exec_info info;
	assert_true(pg_url(admin, sizeof(admin), "postgres"));
	struct rt_db *db = open_url(admin, 0, 1);
	if (exec_sql(db, sql, &info, &err))
		fail_msg("%s: %s", sql, err.msg);
	rt_db_close(db);
}

static int fresh_pg(void **state)
{
	(void)state;
	static int counter;
	char sql[128];
	is_pg = 1;
	is_my = 0;
	pg_missing = !pg_url(url_buf, sizeof(url_buf), "postgres");
	if (pg_missing)
		return 0;
	snprintf(pg_db, sizeof(pg_db), "rt_drv_%d_%d", (int)getpid(), ++counter);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg_db);
	pg_admin(sql);
	pg_url(url_buf, sizeof(url_buf), pg_db);
	return 0;
}

/* The MariaDB test server's URL for database `db` ("": none), or 0. */
static int my_url(char *buf, size_t n, const char *db)
{
	const char *sock = getenv("RETORT_TEST_MYSQL_SOCKET");
	if (!sock)
		return 0;
	snprintf(buf, n, "mysql://root@localhost/%s?unix_socket=%s", db, sock);
	return 1;
}

static void my_admin(const char *sql)
{
	char admin[1024];
	struct rt_error err = RT_ERROR_INIT;
	struct rt_exec_info info;
	assert_true(my_url(admin, sizeof(admin), ""));
	struct rt_db *db = open_url(admin, 0, 1);
	if (exec_sql(db, sql, &info, &err))
		fail_msg("%s: %s", sql, err.msg);
	rt_db_close(db);
}

static int fresh_mysql(void **state)
{
	(void)state;
	static int counter;
	char sql[256];
	is_pg = 0;
	is_my = 1;
	my_missing = !my_url(url_buf, sizeof(url_buf), "");
	if (my_missing)
		return 0;
	snprintf(pg_db, sizeof(pg_db), "rt_drv_%d_%d", (int)getpid(), ++counter);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s", pg_db, pg_db);
	my_admin(sql);
	my_url(url_buf, sizeof(url_buf), pg_db);
	return 0;
}

static int drop_db(void **state)
{
	(void)state;
	char sql[128];
	if (is_my) {
		if (!my_missing) {
			snprintf(sql, sizeof(sql), "DROP DATABASE %s", pg_db);
			my_admin(sql);
		}
	} else if (!is_pg) {
		unlink(path_buf);
	} else if (!pg_missing) {
		snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", pg_db);
		pg_admin(sql);
	}
	return 0;
}

/* Skip (loudly, in the TAP output) when the driver's server is missing. */
#define NEED_DB()                                                                         \
	do {                                                                              \
		if (is_pg && pg_missing) {                                                \
			print_message("no PostgreSQL test server (apt-get install postgresql-15)\n"); \
			skip();                                                           \
		}                                                                         \
		if (is_my && my_missing) {                                                \
			print_message("no MariaDB test server (apt-get install mariadb-server)\n"); \
			skip();                                                           \
		}                                                                         \
	} while (0)

static struct rt_db *open_db(int readonly, double lock_timeout)
{
	return open_url(url_buf, readonly, lock_timeout);
}

static struct rt_db *open_url(const char *url, int readonly, double lock_timeout)
{
	return open_url_opts(url, &(struct rt_db_opts){ .readonly = readonly,
							.lock_timeout = lock_timeout });
}

static struct rt_db *open_url_opts(const char *url, const struct rt_db_opts *o)
{
	struct rt_url u;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_db *db = NULL;
	struct rt_db_opts opts = *o;
	assert_int_equal(rt_url_parse(&u, url, &err), 0);
	if (rt_db_open(&db, &u, &opts, &err))
		fail_msg("open %s: %s", url, err.msg);
	rt_url_release(&u);
	return db;
}

static struct rt_vop ins(const char *v)
{
	return (struct rt_vop){ RT_VOP_INSERT, NULL, (char *)v };
}

static struct rt_vop upd(const char *from, const char *to)
{
	return (struct rt_vop){ RT_VOP_UPDATE, (char *)from, (char *)to };
}

static struct rt_vop del(const char *v)
{
	return (struct rt_vop){ RT_VOP_DELETE, (char *)v, NULL };
}

/* The version table through the driver's primitives (version_table.c). */
static void version_table(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	int exists = 1;
	struct rt_vop v;
	/* named once, with the driver's quoting */
	assert_string_equal(db->vt->sql, is_pg ? "\"alembic_version\"" : is_my ? "`alembic_version`"
								     : "alembic_version");
	assert_int_equal(rt_versions_read(db, &rows, &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(rows.nr, 0);
	assert_int_equal(rt_version_table_create(db, &err), 0);
	assert_int_equal(rt_version_table_create(db, &err), 0); /* idempotent */
	assert_int_equal(rt_version_change(db, (v = ins("aaaa"), &v), &err), 0);
	assert_int_equal(rt_version_change(db, (v = ins("bbbb"), &v), &err), 0);
	assert_int_equal(rt_version_change(db, (v = upd("aaaa", "cccc"), &v), &err), 0);
	assert_int_equal(rt_version_change(db, (v = del("bbbb"), &v), &err), 0);
	assert_int_equal(rt_versions_read(db, &rows, &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(rows.nr, 1);
	assert_string_equal(rows.v[0], "cccc");
	/* a change that matches no row is an error, never silent */
	assert_int_equal(rt_version_change(db, (v = upd("nope", "dddd"), &v), &err), -1);
	assert_msg_has(&err, "expected to change one row of");
	assert_msg_has(&err, "for revision 'nope', changed 0; another process may have changed it");
	assert_int_equal(rt_version_change(db, (v = del("nope"), &v), &err), -1);
	assert_msg_has(&err, "changed 0");
	/* the primary key refuses a duplicate */
	assert_int_equal(rt_version_change(db, (v = ins("cccc"), &v), &err), -1);
	assert_msg_has(&err, "changing the version table");
	assert_int_equal(rt_version_delete_all(db, &err), 0);
	strvec_clear(&rows);
	assert_int_equal(rt_versions_read(db, &rows, &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(rows.nr, 0);
	rt_db_close(db);
}

/* The query primitives themselves: parameters, rows changed, one column, the catalog. */
static void primitives(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec col = STRVEC_INIT;
	char p1[4], p2[4], sql[128];
	const char *params[2] = { "x", "y" };
	int changed = -1, exists = 1;

	assert_non_null(d->dialect);
	assert_ptr_equal(rt_sql_dialect_for(d->name), d->dialect);
	assert_non_null(d->library_version());
	assert_true(strlen(d->library_version()) > 0);
	snprintf(p1, sizeof(p1), "%c1", d->dialect->placeholder);
	snprintf(p2, sizeof(p2), "%c2", d->dialect->placeholder);
	assert_int_equal(rt_db_table_exists(db, NULL, "kv", &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(d->exec_params(db, "CREATE TABLE kv (k TEXT, v TEXT)", 0, NULL, NULL, "t",
					&err), 0);
	assert_int_equal(rt_db_table_exists(db, NULL, "kv", &exists, &err), 0);
	assert_true(exists);
	{
		/* several in one round trip, each answered in its own place */
		const char *names[3] = { "nope", "kv", "it's" };
		int e[3] = { 1, 0, 1 };
		assert_int_equal(d->tables_exist(db, NULL, names, 3, e, &err), 0);
		assert_false(e[0]);
		assert_true(e[1]);
		assert_false(e[2]);
	}
	snprintf(sql, sizeof(sql), "INSERT INTO kv VALUES (%s, %s)", p1, p2);
	assert_int_equal(d->exec_params(db, sql, 2, params, &changed, "t", &err), 0);
	assert_int_equal(changed, 1);
	params[0] = "z";
	assert_int_equal(d->exec_params(db, sql, 2, params, &changed, "t", &err), 0);
	snprintf(sql, sizeof(sql), "UPDATE kv SET v = %s", p1);
	assert_int_equal(d->exec_params(db, sql, 1, params, &changed, "t", &err), 0);
	assert_int_equal(changed, 2);
	snprintf(sql, sizeof(sql), "DELETE FROM kv WHERE k = %s", p1);
	params[0] = "none";
	assert_int_equal(d->exec_params(db, sql, 1, params, &changed, "t", &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(d->query_column(db, "SELECT k FROM kv ORDER BY k", &col, "t", &err), 0);
	assert_int_equal(col.nr, 2);
	assert_string_equal(col.v[0], "x");
	assert_string_equal(col.v[1], "z");
	/* failures name the job */
	assert_int_equal(d->query_column(db, "SELECT k FROM nope", &col, "reading nope", &err), -1);
	assert_msg_has(&err, "reading nope");
	assert_int_equal(d->exec_params(db, "INSERT INTO nope VALUES (1)", 0, NULL, NULL,
					"writing nope", &err), -1);
	assert_msg_has(&err, "writing nope");
	if (is_pg)
		d->rollback(db);
	strvec_clear(&col);
	rt_db_close(db);
}

/* query_rows: `ncols` values a row, row after row, a NULL as "" (in the
 * first column too, which query_column leaves out), the columns past
 * `ncols` dropped; a failure names the job. */
static void query_rows(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	struct rt_error err = RT_ERROR_INIT;
	struct strvec cells = STRVEC_INIT;
	assert_int_equal(db->drv->query_rows(db, "SELECT 'a' AS x, NULL AS y, 1 AS k UNION ALL "
					     "SELECT NULL, 'c', 2 ORDER BY 3", 2, &cells, "t", &err), 0);
	assert_int_equal(cells.nr, 4);
	assert_string_equal(cells.v[0], "a");
	assert_string_equal(cells.v[1], "");
	assert_string_equal(cells.v[2], "");
	assert_string_equal(cells.v[3], "c");
	strvec_clear(&cells);
	/* no rows, no values */
	assert_int_equal(db->drv->query_rows(db, "SELECT 'a', 'b' FROM (SELECT 1 AS o) s WHERE o = 2",
					     2, &cells, "t", &err), 0);
	assert_int_equal(cells.nr, 0);
	assert_int_equal(db->drv->query_rows(db, "SELECT k FROM nope", 1, &cells, "reading nope", &err), -1);
	assert_msg_has(&err, "reading nope");
	if (is_pg)
		db->drv->rollback(db);
	strvec_clear(&cells);
	rt_db_close(db);
}

/* This connection's id on the server (PostgreSQL's backend pid, MySQL's
 * connection id), as text into buf. */
static void backend_id(struct rt_db *db, char *buf, size_t n)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strvec col = STRVEC_INIT;
	if (db->drv->query_column(db, is_pg ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()",
				  &col, "t", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(col.nr, 1);
	snprintf(buf, n, "%s", col.v[0]);
	strvec_clear(&col);
}

/* End the server session `id` from a second connection, and wait until the
 * server has let it go (terminating only signals it). */
static void kill_backend(const char *id)
{
	char sql[256], url[1024];
	struct rt_error err = RT_ERROR_INIT;
	struct strvec col = STRVEC_INIT;
	if (is_pg)
		assert_true(pg_url(url, sizeof(url), "postgres"));
	else
		assert_true(my_url(url, sizeof(url), ""));
	struct rt_db *admin = open_url(url, 0, 1);
	snprintf(sql, sizeof(sql), is_pg ? "SELECT pg_terminate_backend(%s)" : "KILL %s", id);
	struct rt_exec_info info;
	if (exec_sql(admin, sql, &info, &err))
		fail_msg("%s: %s", sql, err.msg);
	snprintf(sql, sizeof(sql), is_pg ? "SELECT 1 FROM pg_stat_activity WHERE pid = %s"
					 : "SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = %s", id);
	for (int i = 0; i < 500; i++) {
		strvec_clear(&col);
		if (admin->drv->query_column(admin, sql, &col, "watching", &err))
			fail_msg("%s", err.msg);
		if (!col.nr)
			break;
		usleep(10000);
	}
	assert_int_equal(col.nr, 0);
	strvec_clear(&col);
	rt_db_close(admin);
}

/*
 * connected: up after open; on a server, down once the server has ended
 * the session and a query found out (what the executor asks after a
 * failure: PostgreSQL's client learns only on its next read).  SQLite has
 * no server to lose: the slot is left out, and rt_db_connected says up.
 */
static void connected(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec col = STRVEC_INIT;
	char id[32];
	assert_true(rt_db_connected(db));
	if (!is_pg && !is_my) {
		assert_null(d->connected);
		rt_db_close(db);
		return;
	}
	assert_non_null(d->connected);
	assert_true(d->connected(db));
	backend_id(db, id, sizeof(id));
	kill_backend(id);
	assert_int_equal(d->query_column(db, "SELECT 1", &col, "after the kill", &err), -1);
	assert_msg_has(&err, "after the kill");
	assert_false(d->connected(db));
	assert_false(rt_db_connected(db));
	strvec_clear(&col);
	rt_db_close(db);
}

/* is_keyword, the identifier quoter's test: a keyword is always one;
 * SQLite leaves a plain name bare, PostgreSQL and MySQL quote every name
 * they send (so that no server version's keywords can clash). */
static void is_keyword(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(1, 1);
	const struct rt_driver *d = db->drv;
	assert_true(d->is_keyword("select"));
	assert_int_equal(d->is_keyword("users"), is_pg || is_my);
	struct strbuf sb = STRBUF_INIT;
	rt_sql_add_ident_q(&sb, "users", d->is_keyword, d->dialect->ident_quote ? d->dialect->ident_quote : '"');
	assert_string_equal(sb.buf, is_pg ? "\"users\"" : is_my ? "`users`" : "users");
	strbuf_release(&sb);
	rt_db_close(db);
}

static void transactions(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_exec_info info;
	const char *ddl = "CREATE TABLE t (x INTEGER);";
	assert_false(d->in_transaction(db));
	if (d->dialect->ddl_commits) {
		/* MySQL: DDL ends the transaction it runs in; DML rolls back */
		struct strvec col = STRVEC_INIT;
		assert_int_equal(d->begin(db, &err), 0);
		assert_true(d->in_transaction(db));
		assert_int_equal(exec_sql(db, ddl, &info, &err), 0);
		assert_false(d->in_transaction(db));
		assert_true(d->implicit_commit("CREATE TABLE T"));
		assert_false(d->implicit_commit("CREATE TEMPORARY TABLE"));
		assert_false(d->implicit_commit("INSERT INTO T"));
		assert_int_equal(d->begin(db, &err), 0);
		assert_int_equal(exec_sql(db, "INSERT INTO t VALUES (1);", &info, &err), 0);
		d->rollback(db);
		assert_false(d->in_transaction(db));
		assert_int_equal(d->query_column(db, "SELECT x FROM t", &col, "t", &err), 0);
		assert_int_equal(col.nr, 0);
		assert_int_equal(exec_sql(db, ddl, &info, &err), -1);
		assert_msg_has(&err, "already exists");
		rt_db_close(db);
		return;
	}
	assert_null(d->implicit_commit);
	assert_int_equal(d->begin(db, &err), 0);
	assert_true(d->in_transaction(db));
	assert_int_equal(exec_sql(db, ddl, &info, &err), 0);
	d->rollback(db);
	assert_false(d->in_transaction(db));
	/* rolled back: creating it again works */
	assert_int_equal(d->begin(db, &err), 0);
	assert_int_equal(exec_sql(db, ddl, &info, &err), 0);
	assert_int_equal(d->commit(db, &err), 0);
	assert_false(d->in_transaction(db));
	assert_int_equal(exec_sql(db, ddl, &info, &err), -1);
	assert_msg_has(&err, "already exists");
	if (is_pg)
		d->rollback(db);
	rt_db_close(db);
}

static void error_positions(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_exec_info info;
	const char *two = "CREATE TABLE t (x INTEGER);\n-- comment\n  INSERT INTO nope VALUES (1);\n";
	assert_int_equal(exec_sql(db, two, &info, &err), -1);
	assert_true(info.has_stmt);
	assert_int_equal(info.stmt_off, strlen("CREATE TABLE t (x INTEGER);\n-- comment\n  "));
	assert_int_equal(info.statements_done, 1);
	assert_msg_has(&err, is_pg ? "42P01: relation \"nope\" does not exist"
				   : is_my ? "1146 (42S02): Table '" : "no such table: nope");

	const char *syntax = "SELECT 1;\nCREATE TABLEE u (x INTEGER);";
	assert_int_equal(exec_sql(db, syntax, &info, &err), -1);
	assert_true(info.has_token);
	assert_int_equal(info.token_off, strlen("SELECT 1;\nCREATE "));
	assert_msg_has(&err, is_my ? "1064 (42000): You have an error in your SQL syntax" : "syntax error");

	/* the failing statement is found after earlier successes, in a transaction too
	 * (MySQL: the table first, as its DDL would end the transaction) */
	const char *dup = "CREATE TABLE w (x INTEGER PRIMARY KEY);\nINSERT INTO w VALUES (1);\n"
			  "INSERT INTO w VALUES (1);";
	size_t skip_ddl = 0;
	if (d->dialect->ddl_commits) {
		skip_ddl = strlen("CREATE TABLE w (x INTEGER PRIMARY KEY);\n");
		assert_int_equal(exec_sql(db, "CREATE TABLE w (x INTEGER PRIMARY KEY);", &info, &err), 0);
	}
	assert_int_equal(d->begin(db, &err), 0);
	assert_int_equal(exec_sql(db, dup + skip_ddl, &info, &err), -1);
	assert_int_equal(info.statements_done, skip_ddl ? 1 : 2);
	assert_int_equal(skip_ddl + info.stmt_off, strlen("CREATE TABLE w (x INTEGER PRIMARY KEY);\nINSERT INTO w VALUES (1);\n"));
	assert_true(d->in_transaction(db));
	d->rollback(db);
	assert_false(d->in_transaction(db));
	rt_db_close(db);
}

/*
 * exec() runs what the statement list covers, however coarse: one entry
 * spanning two statements still runs both (SQLite: the tail of a prepare
 * is prepared in turn), and its offsets stay relative to the block.
 */
static void exec_coarse_list(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	struct rt_error err = RT_ERROR_INIT;
	struct rt_exec_info info;
	struct strvec col = STRVEC_INIT;
	const char *sql = "CREATE TABLE c (x INTEGER); INSERT INTO c VALUES (7);\nINSERT INTO nope VALUES (1);";
	struct rt_stmt whole = { 0, strlen(sql) };
	struct rt_stmts one = { .v = &whole, .nr = 1, .alloc = 1 };
	assert_int_equal(db->drv->exec(db, sql, strlen(sql), &one, &info, &err), -1);
	assert_int_equal(info.statements_done, 2);
	if (!is_pg && !is_my) /* PostgreSQL and MySQL can only name statements of the list */
		assert_int_equal(info.stmt_off, strlen("CREATE TABLE c (x INTEGER); INSERT INTO c VALUES (7);\n"));
	if (is_pg) {
		/* one query string is one implicit transaction: nothing of it stays */
		int exists = 1;
		assert_int_equal(rt_db_table_exists(db, NULL, "c", &exists, &err), 0);
		assert_false(exists);
	} else {
		assert_int_equal(db->drv->query_column(db, "SELECT x FROM c", &col, "t", &err), 0);
		assert_int_equal(col.nr, 1);
		assert_string_equal(col.v[0], "7");
	}
	strvec_clear(&col);

	/* a block is read up to its length only: what follows is not its SQL */
	const char *buf = "CREATE TABLE k (x INTEGER)this is not SQL";
	size_t n = strlen("CREATE TABLE k (x INTEGER)");
	struct rt_stmt first = { 0, n };
	struct rt_stmts list = { .v = &first, .nr = 1, .alloc = 1 };
	if (db->drv->exec(db, buf, n, &list, &info, &err))
		fail_msg("%s", err.msg);
	rt_db_close(db);
}

/*
 * exec_script: several statements in one round trip, stopping at the
 * first failure, which it counts and locates; the guarded row change
 * fails with the dialect's SQLSTATE.  A driver without the slot has no
 * guard either (the executor composes scripts only with both).
 */
static void script_path(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_script_fail f;
	struct strvec col = STRVEC_INIT;
	struct strbuf q = STRBUF_INIT;
	if (!d->exec_script) {
		assert_false(rt_vt_can_guard(db->vt));
		rt_db_close(db);
		return;
	}
	assert_true(rt_vt_can_guard(db->vt));
	strbuf_addstr(&q, "BEGIN;\n");
	rt_vt_create_sql(db->vt, RT_VT_CREATE_IF_MISSING, &q);
	strbuf_addstr(&q, ";\nCREATE TABLE s (x int);\n");
	rt_vt_guarded_sql(db->vt, &(struct rt_vop){ RT_VOP_INSERT, NULL, "aaaa" }, &q);
	rt_vt_guarded_sql(db->vt, &(struct rt_vop){ RT_VOP_UPDATE, "aaaa", "bbbb" }, &q);
	strbuf_addstr(&q, "COMMIT;");
	assert_int_equal(d->exec_script(db, q.buf, q.len, &f, &err), 0);
	assert_false(d->in_transaction(db));
	assert_int_equal(d->query_column(db, "SELECT version_num FROM alembic_version", &col, "t", &err), 0);
	assert_int_equal(col.nr, 1);
	assert_string_equal(col.v[0], "bbbb");

	/* a failing statement: counted, located, the transaction left for the caller */
	const char *bad = "BEGIN;\nINSERT INTO s VALUES (1);\nINSERT INTO nope VALUES (1);\nCOMMIT;";
	assert_int_equal(d->exec_script(db, bad, strlen(bad), &f, &err), -1);
	assert_true(f.has_result);
	assert_int_equal(f.statements_done, 2);
	if (is_my) { /* MySQL places syntax errors only (below) */
		assert_string_equal(f.sqlstate, "42S02");
		assert_msg_has(&err, "1146 (42S02): Table ");
	} else {
		assert_string_equal(f.sqlstate, "42P01");
		assert_true(f.has_token);
		assert_int_equal(f.token_off, strlen("BEGIN;\nINSERT INTO s VALUES (1);\nINSERT INTO "));
		assert_msg_has(&err, "42P01: relation \"nope\" does not exist");
	}
	assert_true(d->in_transaction(db));
	d->rollback(db);
	assert_false(d->in_transaction(db));
	if (is_my) {
		const char *syn = "BEGIN;\nINSERT INTO s VALUES (1);\nSELEC 1;\nCOMMIT;";
		assert_int_equal(d->exec_script(db, syn, strlen(syn), &f, &err), -1);
		assert_int_equal(f.statements_done, 2);
		assert_true(f.has_token);
		assert_int_equal(f.token_off, strlen("BEGIN;\nINSERT INTO s VALUES (1);\n"));
		d->rollback(db);
	}

	/* a guarded change that matches no row stops the script before COMMIT */
	strbuf_reset(&q);
	strbuf_addstr(&q, "BEGIN;\nINSERT INTO s VALUES (2);\n");
	rt_vt_guarded_sql(db->vt, &(struct rt_vop){ RT_VOP_DELETE, "nope", NULL }, &q);
	strbuf_addstr(&q, "COMMIT;");
	assert_int_equal(d->exec_script(db, q.buf, q.len, &f, &err), -1);
	/* where the guard follows the change, the change itself succeeded */
	assert_int_equal(f.statements_done, 2 + d->dialect->guard_follows);
	assert_string_equal(f.sqlstate, d->dialect->guard_sqlstate);
	d->rollback(db);

	/* folded into the history row after it (where the dialect can), the
	 * guard fails alike and at the same count; a change that matches
	 * writes the row */
	const struct rt_history_row hrow = { .revision = "cccc", .direction = "upgrade",
					      .operation = "run", .duration_ms = 5, .version = "t" };
	for (int matches = 0; matches < 2; matches++) {
		strbuf_reset(&q);
		rt_history_create_sql(db->vt, 1, &q);
		strbuf_addstr(&q, ";\nBEGIN;\nINSERT INTO s VALUES (3);\n");
		int folded = rt_vt_guarded_sql_fold(
			db->vt, &(struct rt_vop){ RT_VOP_UPDATE, matches ? "bbbb" : "nope", "cccc" }, &q);
		assert_int_equal(folded, d->dialect->guard_value != NULL);
		rt_history_insert_sql(db->vt, &hrow, folded, &q);
		strbuf_addstr(&q, ";\nCOMMIT;");
		if (matches) {
			assert_int_equal(d->exec_script(db, q.buf, q.len, &f, &err), 0);
			break;
		}
		assert_int_equal(d->exec_script(db, q.buf, q.len, &f, &err), -1);
		assert_int_equal(f.statements_done, 3 + d->dialect->guard_follows);
		assert_string_equal(f.sqlstate, folded ? d->dialect->guard_value_sqlstate
						       : d->dialect->guard_sqlstate);
		d->rollback(db);
	}
	strvec_clear(&col);
	assert_int_equal(d->query_column(db, "SELECT revision FROM retort_history", &col, "t", &err), 0);
	assert_int_equal(col.nr, 1);
	assert_string_equal(col.v[0], "cccc");
	strvec_clear(&col);
	assert_int_equal(d->query_column(db, "SELECT x FROM s", &col, "t", &err), 0);
	assert_int_equal(col.nr, 1); /* the matching change's script */
	assert_string_equal(col.v[0], "3");
	strvec_clear(&col);
	strbuf_release(&q);
	rt_db_close(db);
}

/* What batch_path's on_commit heard: each COMMIT's number and value. */
static int batch_seen[8];
static char batch_values[8][16];
static int batch_n;

static void batch_heard(void *ctx, int k, const char *value)
{
	(void)ctx;
	if (batch_n < 8) {
		batch_seen[batch_n] = k;
		snprintf(batch_values[batch_n], sizeof(batch_values[0]), "%s", value ? value : "-");
	}
	batch_n++;
}

/*
 * exec_batch, where the connection takes batches: whole transactions in
 * one round trip, each COMMIT told with the last one-value row before it;
 * a failure leaves the ones before it committed and counts from its own
 * BEGIN; a syntax error anywhere runs nothing (PostgreSQL), or stops the
 * script where it is (MySQL).
 */
static void batch_path(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_script_fail f;
	struct strvec col = STRVEC_INIT;
	/* MySQL parses each statement as it comes to it: what ran before a
	 * syntax error stays; and only a syntax error has a position there */
	int stepwise = !strcmp(d->name, "mysql");
	if (!db->batches) { /* SQLite: no round trips to save */
		assert_false(strcmp(d->name, "sqlite"));
		rt_db_close(db);
		return;
	}
	assert_non_null(d->exec_batch);
	const char *ok = "BEGIN;\nCREATE TABLE b1 (x int);\nSELECT 7;\nCOMMIT;\n"
			 "BEGIN;\nINSERT INTO b1 VALUES (1);\nCOMMIT;\n";
	batch_n = 0;
	assert_int_equal(d->exec_batch(db, ok, strlen(ok), batch_heard, NULL, &f, &err), 0);
	assert_int_equal(batch_n, 2);
	assert_int_equal(batch_seen[0], 0);
	assert_string_equal(batch_values[0], "7");
	assert_int_equal(batch_seen[1], 1);
	assert_string_equal(batch_values[1], "-");
	assert_false(d->in_transaction(db));

	const char *bad = "BEGIN;\nINSERT INTO b1 VALUES (2);\nCOMMIT;\n"
			  "BEGIN;\nINSERT INTO b1 VALUES (3);\nINSERT INTO nope VALUES (1);\nCOMMIT;\n"
			  "BEGIN;\nINSERT INTO b1 VALUES (4);\nCOMMIT;\n";
	batch_n = 0;
	assert_int_equal(d->exec_batch(db, bad, strlen(bad), batch_heard, NULL, &f, &err), -1);
	assert_int_equal(batch_n, 1);
	assert_int_equal(f.commits, 1);
	assert_true(f.has_result);
	assert_int_equal(f.statements_done, 2);
	assert_int_equal(f.has_token, !stepwise);
	if (!stepwise)
		assert_int_equal(f.token_off, strstr(bad, "nope") - bad);
	d->rollback(db);
	assert_int_equal(d->query_column(db, "SELECT x FROM b1 ORDER BY x", &col, "t", &err), 0);
	assert_int_equal(col.nr, 2); /* 1 and 2; not 3, not 4 */
	assert_string_equal(col.v[1], "2");
	strvec_clear(&col);

	const char *syn = "BEGIN;\nINSERT INTO b1 VALUES (5);\nCOMMIT;\nBEGIN;\nSELEC 1;\nCOMMIT;\n";
	batch_n = 0;
	assert_int_equal(d->exec_batch(db, syn, strlen(syn), batch_heard, NULL, &f, &err), -1);
	assert_int_equal(batch_n, stepwise);
	assert_int_equal(f.commits, stepwise);
	assert_int_equal(f.statements_done, stepwise);
	assert_true(f.has_token);
	assert_int_equal(f.token_off, strstr(syn, "SELEC") - syn);
	d->rollback(db);
	assert_int_equal(d->query_column(db, "SELECT count(*) FROM b1", &col, "t", &err), 0);
	assert_string_equal(col.v[0], stepwise ? "3" : "2");
	strvec_clear(&col);
	rt_db_close(db);
}

/* schema_read: the live schema leaves out the version table; DDL loads
 * into a scratch space that leaves nothing behind, and a failure says
 * which piece and where. */
static void schema_read(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_exec_info info;
	struct rt_schema s;
	struct rt_ddl_fail fail = { 0 };
	int exists;
	assert_int_equal(exec_sql(db, "CREATE TABLE live (x INTEGER);", &info, &err), 0);
	assert_int_equal(rt_version_table_create(db, &err), 0);
	rt_schema_init(&s, RT_DIALECT_SQLITE);
	assert_int_equal(d->schema_read(db, NULL, 0, &s, &fail, &err), 0);
	assert_non_null(rt_schema_table(&s, "live"));
	assert_null(rt_schema_table(&s, "alembic_version"));
	assert_int_equal(s.ntables, 1);
	rt_schema_release(&s);

	const char *a = "CREATE TABLE a (x INTEGER);", *b = "CREATE TABLE b (x INTEGER);";
	struct rt_ddl ok[2] = { { a, strlen(a) }, { b, strlen(b) } };
	rt_schema_init(&s, RT_DIALECT_SQLITE);
	assert_int_equal(d->schema_read(db, ok, 2, &s, &fail, &err), 0);
	assert_non_null(rt_schema_table(&s, "a"));
	assert_non_null(rt_schema_table(&s, "b"));
	assert_null(rt_schema_table(&s, "live"));
	rt_schema_release(&s);
	assert_false(d->in_transaction(db));
	assert_int_equal(rt_db_table_exists(db, NULL, "a", &exists, &err), 0);
	assert_false(exists);

	const char *bad = "CREATE TABLE c (x INTEGER);\nCREATE TABLEE d (x INTEGER);";
	struct rt_ddl two[2] = { { a, strlen(a) }, { bad, strlen(bad) } };
	rt_schema_init(&s, RT_DIALECT_SQLITE);
	assert_int_equal(d->schema_read(db, two, 2, &s, &fail, &err), -1);
	rt_schema_release(&s);
	assert_int_equal(fail.src, 1);
	assert_true(fail.info.has_token);
	assert_int_equal(fail.info.token_off, strlen("CREATE TABLE c (x INTEGER);\nCREATE "));
	assert_false(d->in_transaction(db));
	rt_db_close(db);
}

/* probe: ready for the test database; for a place that may yet appear,
 * worth retrying. */
static void probe(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_url u;
	struct rt_error err = RT_ERROR_INIT;
	const struct rt_driver *d;
	char url[1200];
	assert_int_equal(rt_url_parse(&u, url_buf, &err), 0);
	assert_int_equal(rt_driver_for(&u, &d, &err), 0);
	assert_int_equal(d->probe(&u, 5, &err), RT_PROBE_READY);
	rt_url_release(&u);
	if (is_pg) /* a port nobody listens on: no answer yet */
		snprintf(url, sizeof(url), "postgresql://postgres@/x?host=%s&port=1",
			 getenv("RETORT_TEST_PG_DIR"));
	else if (is_my) /* a socket nobody listens on */
		snprintf(url, sizeof(url), "mysql://root@localhost/x?unix_socket=%s.none",
			 getenv("RETORT_TEST_MYSQL_SOCKET"));
	else
		snprintf(url, sizeof(url), "sqlite:///%s.d/not/yet/x.db", path_buf);
	assert_int_equal(rt_url_parse(&u, url, &err), 0);
	assert_int_equal(d->probe(&u, 1, &err), RT_PROBE_RETRY);
	assert_true(strlen(err.msg) > 0);
	rt_url_release(&u);
	if (is_pg) { /* a server that answers and refuses: waiting cannot help */
		pg_url(url, sizeof(url), "no_such_database_here");
		assert_int_equal(rt_url_parse(&u, url, &err), 0);
		assert_int_equal(d->probe(&u, 5, &err), RT_PROBE_NEVER);
		assert_msg_has(&err, "no_such_database_here");
		rt_url_release(&u);
	}
	if (is_my) {
		my_url(url, sizeof(url), "no_such_database_here");
		assert_int_equal(rt_url_parse(&u, url, &err), 0);
		assert_int_equal(d->probe(&u, 5, &err), RT_PROBE_NEVER);
		assert_msg_has(&err, "1049 (42000): Unknown database 'no_such_database_here'");
		rt_url_release(&u);
	}
}

static void needs_autocommit(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	if (is_my) { /* every statement may run in a transaction: DDL ends it (implicit_commit) */
		assert_false(d->needs_autocommit(db, "VACUUM"));
		assert_false(d->needs_autocommit(db, "CREATE DATABASE X"));
		rt_db_close(db);
		return;
	}
	assert_true(d->needs_autocommit(db, "VACUUM"));
	assert_true(d->needs_autocommit(db, "VACUUM FULL"));
	assert_false(d->needs_autocommit(db, "CREATE TABLE T"));
	assert_false(d->needs_autocommit(db, "VACUUMS"));
	/* PostgreSQL's own list; SQLite builds indexes in a transaction */
	assert_int_equal(d->needs_autocommit(db, "CREATE INDEX CONCURRENTLY I"), is_pg);
	assert_int_equal(d->needs_autocommit(db, "REINDEX INDEX CONCURRENTLY"), is_pg);
	assert_false(d->needs_autocommit(db, "REINDEX INDEX I"));
	rt_db_close(db);
}

static void lock_excludes(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *a = open_db(0, 0.3), *b = open_db(0, 0.3);
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_int_equal(b->drv->lock(b, &err), -1);
	assert_int_equal(err.code, RT_EXIT_LOCK);
	assert_msg_has(&err, "timed out after 0.3 s waiting for the migration lock");
	if (is_pg)
		assert_msg_has(&err, "application_name 'retort'");
	if (is_my)
		assert_msg_has(&err, "(held by connection id ");
	a->drv->unlock(a);
	assert_int_equal(b->drv->lock(b, &err), 0);
	rt_db_close(a);
	rt_db_close(b);
}

/*
 * opts.lock_now: the caller locks right after the open, so the driver may
 * try the lock while it opens (PostgreSQL does, in the round trip that
 * sets up the session).  Whoever opened first holds it before asking;
 * lock() then returns at once, and a later run's try at its own open
 * counts as a first try that found the lock busy: it waits like any other.
 * Closing ends the lock even though the unlock is not waited for.
 */
static void lock_at_open(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db_opts now = { .lock_timeout = 0.3, .lock_now = 1 };
	struct rt_db *a = open_url_opts(url_buf, &now), *b = open_url_opts(url_buf, &now);
	struct rt_db *c = open_db(0, 0.3);
	struct rt_error err = RT_ERROR_INIT;
	if (is_pg) { /* a has not asked yet */
		assert_int_equal(c->drv->lock(c, &err), -1);
		assert_int_equal(err.code, RT_EXIT_LOCK);
		rt_error_clear(&err);
	}
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_int_equal(b->drv->lock(b, &err), -1);
	assert_msg_has(&err, "timed out after 0.3 s waiting for the migration lock");
	rt_error_clear(&err);
	a->locked = 1; /* as rt_db_lock leaves it, so that the close unlocks */
	rt_db_close(a);
	assert_int_equal(b->drv->lock(b, &err), 0);
	assert_int_equal(c->drv->lock(c, &err), -1);
	rt_db_close(b);
	rt_db_close(c);
}

/* The version rows rt_versions_read gives, joined by '|'. */
static void versions_now(struct rt_db *db, int want_exists, const char *want)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	struct strbuf got = STRBUF_INIT;
	int exists = -1;
	if (rt_versions_read(db, &rows, &exists, &err))
		fail_msg("reading the versions: %s", err.msg);
	assert_int_equal(exists, want_exists);
	for (size_t i = 0; i < rows.nr; i++)
		strbuf_addf(&got, "%s%s", i ? "|" : "", rows.v[i]);
	assert_string_equal(got.buf, want);
	strbuf_release(&got);
	strvec_clear(&rows);
}

/* Does the driver hand over a read-ahead now?  (Used up if so.) */
static int ahead_handed(struct rt_db *db)
{
	struct strvec rows = STRVEC_INIT;
	int e[3];
	int got = db->drv->versions_ahead && db->drv->versions_ahead(db, e, &rows);
	strvec_clear(&rows);
	return got;
}

/* Unlock, waiting for it, and close: the next open finds the lock free
 * (a close alone does not wait for the unlock's answer). */
static void release(struct rt_db *db)
{
	db->drv->unlock(db);
	rt_db_close(db);
}

/*
 * What the open may read ahead (opts.read_ahead) is always what a read
 * afresh gives: on an empty database, with values that need escaping,
 * after a statement of our own, after another run changed the rows while
 * we waited for the lock, under a stricter default isolation, with a
 * version table that has no version_num, and with one we may not read.
 * On PostgreSQL it is handed over, once, where it can be trusted.
 */
static void read_ahead(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db_opts o = { .lock_timeout = 5, .lock_now = 1, .read_ahead = 1 };
	struct rt_error err = RT_ERROR_INIT;
	struct rt_vop v;
	struct rt_db *a = open_url_opts(url_buf, &o);
	assert_int_equal(a->drv->lock(a, &err), 0);
	if (is_pg) {
		assert_true(ahead_handed(a));
		assert_false(ahead_handed(a)); /* once */
	}
	versions_now(a, 0, "");
	assert_int_equal(rt_version_table_create(a, &err), 0);
	const char *odd = is_pg ? "a<&>b\r'\"\xc3\xbc" : "a<&>b";
	assert_int_equal(rt_version_change(a, (v = ins(odd), &v), &err), 0);
	release(a);

	a = open_url_opts(url_buf, &o);
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_int_equal(ahead_handed(a), is_pg);
	release(a);
	a = open_url_opts(url_buf, &o);
	assert_int_equal(a->drv->lock(a, &err), 0);
	versions_now(a, 1, odd);
	/* a statement of our own since the open */
	release(a);
	a = open_url_opts(url_buf, &o);
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_int_equal(rt_version_change(a, (v = upd(odd, "bbbb"), &v), &err), 0);
	versions_now(a, 1, "bbbb");

	/* another run holds the lock, and changes the rows before it lets
	 * go: the one that waited reads what that run left */
	struct rt_db *w = open_url_opts(url_buf, &o);
	assert_int_equal(rt_version_change(a, (v = upd("bbbb", "cccc"), &v), &err), 0);
	release(a);
	assert_int_equal(w->drv->lock(w, &err), 0);
	versions_now(w, 1, "cccc");
	release(w);

	if (!is_pg)
		return;
	/* under a stricter isolation the round trip's snapshot predates the lock */
	setenv("PGOPTIONS", "-c default_transaction_isolation=serializable", 1);
	a = open_url_opts(url_buf, &o);
	unsetenv("PGOPTIONS");
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_false(ahead_handed(a));
	release(a);
	/* not Alembic's table: read afresh, which says what is wrong */
	struct rt_db_opts other = o;
	other.version_table = "not_versions";
	a = open_url_opts(url_buf, &other);
	assert_int_equal(exec_sql(a, "CREATE TABLE not_versions (x int); INSERT INTO not_versions VALUES (1)",
				  &(struct rt_exec_info){ 0 }, &err), 0);
	rt_db_close(a);
	a = open_url_opts(url_buf, &other);
	struct strvec rows = STRVEC_INIT;
	int exists;
	assert_int_equal(rt_versions_read(a, &rows, &exists, &err), -1);
	assert_msg_has(&err, "reading the version table: 42703");
	rt_error_clear(&err);
	rt_db_close(a);
	/* a table we may not read: the open goes on without the read-ahead,
	 * and the read says so, as it would have without it */
	char url[1024];
	snprintf(url, sizeof(url), "%s", url_buf);
	char *at = strstr(url, "postgres@");
	assert_non_null(at);
	memmove(at + strlen("retort_pw@"), at + strlen("postgres@"), strlen(at + strlen("postgres@")) + 1);
	memcpy(at, "retort_pw@", strlen("retort_pw@"));
	a = open_url_opts(url, &o);
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_int_equal(rt_versions_read(a, &rows, &exists, &err), -1);
	assert_msg_has(&err, "reading the version table: 42501");
	rt_error_clear(&err);
	release(a);
	/* granted version_num alone, as SELECT version_num needs: read ahead */
	a = open_url_opts(url_buf, &(struct rt_db_opts){ .lock_timeout = 1 });
	assert_int_equal(exec_sql(a, "GRANT SELECT (version_num) ON alembic_version TO retort_pw",
				  &(struct rt_exec_info){ 0 }, &err), 0);
	rt_db_close(a);
	a = open_url_opts(url, &o);
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_true(ahead_handed(a));
	release(a);
	a = open_url_opts(url, &o);
	assert_int_equal(a->drv->lock(a, &err), 0);
	versions_now(a, 1, "cccc");
	release(a);
	strvec_clear(&rows);
}

static void readonly_creates_nothing(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(1, 1);
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	int exists = 1;
	assert_int_equal(rt_versions_read(db, &rows, &exists, &err), 0);
	assert_false(exists);
	rt_db_close(db);
	if (!is_pg)
		assert_int_equal(access(path_buf, F_OK), -1);
}

#define SUITE(setup)                                                        \
	{                                                                   \
		cmocka_unit_test_setup_teardown(version_table, setup, drop_db),     \
		cmocka_unit_test_setup_teardown(primitives, setup, drop_db),        \
		cmocka_unit_test_setup_teardown(query_rows, setup, drop_db),        \
		cmocka_unit_test_setup_teardown(connected, setup, drop_db),         \
		cmocka_unit_test_setup_teardown(is_keyword, setup, drop_db),        \
		cmocka_unit_test_setup_teardown(transactions, setup, drop_db),      \
		cmocka_unit_test_setup_teardown(error_positions, setup, drop_db),   \
		cmocka_unit_test_setup_teardown(exec_coarse_list, setup, drop_db),  \
		cmocka_unit_test_setup_teardown(script_path, setup, drop_db),       \
		cmocka_unit_test_setup_teardown(batch_path, setup, drop_db),        \
		cmocka_unit_test_setup_teardown(schema_read, setup, drop_db),       \
		cmocka_unit_test_setup_teardown(probe, setup, drop_db),             \
		cmocka_unit_test_setup_teardown(needs_autocommit, setup, drop_db),  \
		cmocka_unit_test_setup_teardown(lock_excludes, setup, drop_db),     \
		cmocka_unit_test_setup_teardown(lock_at_open, setup, drop_db),      \
		cmocka_unit_test_setup_teardown(read_ahead, setup, drop_db),        \
		cmocka_unit_test_setup_teardown(readonly_creates_nothing, setup, drop_db), \
	}

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = SUITE(fresh_sqlite);
	const struct CMUnitTest pg_tests[] = SUITE(fresh_pg);
	const struct CMUnitTest my_tests[] = SUITE(fresh_mysql);
	int failed = cmocka_run_group_tests_name("driver_sqlite", sqlite_tests, NULL, NULL);
#ifdef RT_WITH_PG
	failed += cmocka_run_group_tests_name("driver_postgresql", pg_tests, NULL, NULL);
#else
	(void)pg_tests;
#endif
#ifdef RT_WITH_MYSQL
	failed += cmocka_run_group_tests_name("driver_mysql", my_tests, NULL, NULL);
#else
	(void)my_tests;
#endif
	return failed;
}
