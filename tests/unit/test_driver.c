/*
 * The driver conformance suite: every driver behind db/driver.h must pass
 * it.  Each test runs against a fresh database per driver: SQLite in a
 * temporary file (PostgreSQL joins through RETORT_TEST_PG_URL once its
 * driver exists).
 */
#include "unit.h"

#include <stdio.h>
#include <unistd.h>

#include "db/driver.h"
#include "lib/url.h"

static char url_buf[512];
static char path_buf[256];

static int fresh_db(void **state)
{
	(void)state;
	snprintf(path_buf, sizeof(path_buf), "/tmp/retort-drv-%d-XXXXXX", (int)getpid());
	int fd = mkstemp(path_buf);
	assert_true(fd >= 0);
	close(fd);
	unlink(path_buf); /* the driver creates it */
	snprintf(url_buf, sizeof(url_buf), "sqlite:///%s", path_buf);
	return 0;
}

static int drop_db(void **state)
{
	(void)state;
	unlink(path_buf);
	return 0;
}

static struct rt_db *open_db(int readonly, double lock_timeout)
{
	struct rt_url u;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_db *db = NULL;
	struct rt_db_opts opts = { 0 };
	opts.readonly = readonly;
	opts.lock_timeout = lock_timeout;
	assert_int_equal(rt_url_parse(&u, url_buf, &err), 0);
	if (rt_db_open(&db, &u, &opts, &err))
		fail_msg("open %s: %s", url_buf, err.msg);
	rt_url_release(&u);
	return db;
}

static void version_table(void **state)
{
	(void)state;
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
	rt_db_close(db);
}

static void error_positions(void **state)
{
	(void)state;
	struct rt_db *db = open_db(0, 1);
	const struct rt_driver *d = db->drv;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_exec_info info;
	const char *two = "CREATE TABLE t (x INTEGER);\n-- comment\n  INSERT INTO nope VALUES (1);\n";
	assert_int_equal(d->exec(db, two, strlen(two), &info, &err), -1);
	assert_true(info.has_stmt);
	assert_int_equal(info.stmt_off, strlen("CREATE TABLE t (x INTEGER);\n-- comment\n  "));
	assert_int_equal(info.statements_done, 1);
	assert_msg_has(&err, "no such table: nope");

	const char *syntax = "SELECT 1;\nCREATE TABLEE u (x INTEGER);";
	assert_int_equal(d->exec(db, syntax, strlen(syntax), &info, &err), -1);
	assert_true(info.has_token);
	assert_int_equal(info.token_off, strlen("SELECT 1;\nCREATE "));
	assert_msg_has(&err, "syntax error");

	/* a migration may not end the runner's transaction */
	const char *commit = "CREATE TABLE v (x INTEGER); COMMIT;";
	assert_int_equal(d->begin(db, &err), 0);
	assert_int_equal(d->exec(db, commit, strlen(commit), &info, &err), -1);
	assert_msg_has(&err, "transaction control statement");
	assert_int_equal(info.stmt_off, strlen("CREATE TABLE v (x INTEGER); "));
	assert_true(d->in_transaction(db));
	d->rollback(db);
	rt_db_close(db);
}

static void lock_excludes(void **state)
{
	(void)state;
	struct rt_db *a = open_db(0, 0.3), *b = open_db(0, 0.3);
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(a->drv->lock(a, &err), 0);
	assert_int_equal(b->drv->lock(b, &err), -1);
	assert_int_equal(err.code, RT_EXIT_LOCK);
	assert_msg_has(&err, "timed out after 0.3 s waiting for the migration lock");
	a->drv->unlock(a);
	assert_int_equal(b->drv->lock(b, &err), 0);
	rt_db_close(a);
	rt_db_close(b);
}

static void readonly_creates_nothing(void **state)
{
	(void)state;
	struct rt_db *db = open_db(1, 1);
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	int exists = 1;
	assert_int_equal(db->drv->versions_read(db, &rows, &exists, &err), 0);
	assert_false(exists);
	rt_db_close(db);
	assert_int_equal(access(path_buf, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(version_table, fresh_db, drop_db),
		cmocka_unit_test_setup_teardown(transactions, fresh_db, drop_db),
		cmocka_unit_test_setup_teardown(error_positions, fresh_db, drop_db),
		cmocka_unit_test_setup_teardown(lock_excludes, fresh_db, drop_db),
		cmocka_unit_test_setup_teardown(readonly_creates_nothing, fresh_db, drop_db),
	};
	return cmocka_run_group_tests_name("driver_sqlite", tests, NULL, NULL);
}
