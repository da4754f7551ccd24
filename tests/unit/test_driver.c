/*
 * The driver conformance suite: every driver behind db/driver.h must pass
 * it.  Each test runs once per driver against a fresh database: SQLite in a
 * temporary file, PostgreSQL in a new database on the private test server
 * (RETORT_TEST_PG_DIR/PORT, started by tests/run.sh); without that server
 * the PostgreSQL runs are skipped, and say so.
 */
#include "unit.h"

#include <stdio.h>
#include <unistd.h>

#include "db/driver.h"
#include "lib/url.h"

static char url_buf[1024];
static char path_buf[256];
static char pg_db[64];
static int is_pg, pg_missing;

static struct rt_db *open_url(const char *url, int readonly, double lock_timeout);

static int fresh_sqlite(void **state)
{
	(void)state;
	is_pg = 0;
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
	if (db->drv->exec(db, sql, strlen(sql), &info, &err))
		fail_msg("%s: %s", sql, err.msg);
	rt_db_close(db);
}

static int fresh_pg(void **state)
{
	(void)state;
	static int counter;
	char sql[128];
	is_pg = 1;
	pg_missing = !pg_url(url_buf, sizeof(url_buf), "postgres");
	if (pg_missing)
		return 0;
	snprintf(pg_db, sizeof(pg_db), "rt_drv_%d_%d", (int)getpid(), ++counter);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg_db);
	pg_admin(sql);
	pg_url(url_buf, sizeof(url_buf), pg_db);
	return 0;
}

static int drop_db(void **state)
{
	(void)state;
	char sql[128];
	if (!is_pg) {
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
	} while (0)

static struct rt_db *open_db(int readonly, double lock_timeout)
{
	return open_url(url_buf, readonly, lock_timeout);
}

static struct rt_db *open_url(const char *url, int readonly, double lock_timeout)
{
	struct rt_url u;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_db *db = NULL;
	struct rt_db_opts opts = { 0 };
	opts.readonly = readonly;
	opts.lock_timeout = lock_timeout;
	assert_int_equal(rt_url_parse(&u, url, &err), 0);
	if (rt_db_open(&db, &u, &opts, &err))
		fail_msg("open %s: %s", url, err.msg);
	rt_url_release(&u);
	return db;
}

static void version_table(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	int exists = 1;
	assert_int_equal(d->versions_read(db, &rows, &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(rows.nr, 0);
	assert_int_equal(d->version_table_create(db, &err), 0);
	assert_int_equal(d->version_table_create(db, &err), 0); /* idempotent */
	assert_int_equal(d->version_insert(db, "aaaa", &err), 0);
	assert_int_equal(d->version_insert(db, "bbbb", &err), 0);
	assert_int_equal(d->version_update(db, "aaaa", "cccc", &err), 0);
	assert_int_equal(d->version_delete(db, "bbbb", &err), 0);
	assert_int_equal(d->versions_read(db, &rows, &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(rows.nr, 1);
	assert_string_equal(rows.v[0], "cccc");
	/* a change that matches no row is an error, never silent */
	assert_int_equal(d->version_update(db, "nope", "dddd", &err), -1);
	assert_msg_has(&err, "expected to change one row");
	assert_int_equal(d->version_delete(db, "nope", &err), -1);
	/* the primary key refuses a duplicate */
	assert_int_equal(d->version_insert(db, "cccc", &err), -1);
	strvec_clear(&rows);
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
	assert_int_equal(d->begin(db, &err), 0);
	assert_true(d->in_transaction(db));
	assert_int_equal(d->exec(db, ddl, strlen(ddl), &info, &err), 0);
	d->rollback(db);
	assert_false(d->in_transaction(db));
	/* rolled back: creating it again works */
	assert_int_equal(d->begin(db, &err), 0);
	assert_int_equal(d->exec(db, ddl, strlen(ddl), &info, &err), 0);
	assert_int_equal(d->commit(db, &err), 0);
	assert_int_equal(d->exec(db, ddl, strlen(ddl), &info, &err), -1);
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
	assert_int_equal(d->exec(db, two, strlen(two), &info, &err), -1);
	assert_true(info.has_stmt);
	assert_int_equal(info.stmt_off, strlen("CREATE TABLE t (x INTEGER);\n-- comment\n  "));
	assert_int_equal(info.statements_done, 1);
	assert_msg_has(&err, is_pg ? "42P01: relation \"nope\" does not exist" : "no such table: nope");

	const char *syntax = "SELECT 1;\nCREATE TABLEE u (x INTEGER);";
	assert_int_equal(d->exec(db, syntax, strlen(syntax), &info, &err), -1);
	assert_true(info.has_token);
	assert_int_equal(info.token_off, strlen("SELECT 1;\nCREATE "));
	assert_msg_has(&err, "syntax error");

	/* the failing statement is found after earlier successes, in a transaction too */
	const char *dup = "CREATE TABLE w (x INTEGER PRIMARY KEY);\nINSERT INTO w VALUES (1);\n"
			  "INSERT INTO w VALUES (1);";
	assert_int_equal(d->begin(db, &err), 0);
	assert_int_equal(d->exec(db, dup, strlen(dup), &info, &err), -1);
	assert_int_equal(info.statements_done, 2);
	assert_int_equal(info.stmt_off, strlen("CREATE TABLE w (x INTEGER PRIMARY KEY);\nINSERT INTO w VALUES (1);\n"));
	assert_true(d->in_transaction(db));
	d->rollback(db);
	assert_false(d->in_transaction(db));
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
	a->drv->unlock(a);
	assert_int_equal(b->drv->lock(b, &err), 0);
	rt_db_close(a);
	rt_db_close(b);
}

static void readonly_creates_nothing(void **state)
{
	(void)state;
	NEED_DB();
	struct rt_db *db = open_db(1, 1);
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	int exists = 1;
	assert_int_equal(db->drv->versions_read(db, &rows, &exists, &err), 0);
	assert_false(exists);
	rt_db_close(db);
	if (!is_pg)
		assert_int_equal(access(path_buf, F_OK), -1);
}

#define SUITE(setup)                                                        \
	{                                                                   \
		cmocka_unit_test_setup_teardown(version_table, setup, drop_db),     \
		cmocka_unit_test_setup_teardown(transactions, setup, drop_db),      \
		cmocka_unit_test_setup_teardown(error_positions, setup, drop_db),   \
		cmocka_unit_test_setup_teardown(lock_excludes, setup, drop_db),     \
		cmocka_unit_test_setup_teardown(readonly_creates_nothing, setup, drop_db), \
	}

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = SUITE(fresh_sqlite);
	const struct CMUnitTest pg_tests[] = SUITE(fresh_pg);
	int failed = cmocka_run_group_tests_name("driver_sqlite", sqlite_tests, NULL, NULL);
#ifdef RT_WITH_PG
	failed += cmocka_run_group_tests_name("driver_postgresql", pg_tests, NULL, NULL);
#else
	(void)pg_tests;
#endif
	return failed;
}
