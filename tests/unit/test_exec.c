/*
 * Unit tests of the executor (run/exec.c) against a recording fake
 * driver: a vtable in this file that writes each call it gets, one line
 * each, and can be told to fail at call N.  The tests assert the exact
 * sequence of calls a plan makes (BEGIN, the version table only from
 * base, the section, the row changes, COMMIT), that a failure rolls back
 * and stops, and how the one-round-trip script is composed and its
 * failures reported; when the caller asks for it, where each
 * migration's retort_history row goes (with its version row) and what a
 * failure of it undoes; and how a batch's size follows its speed.
 */
#include "unit.h"

#include <stdio.h>

#include "db/driver.h"
#include "db/version_table.h"
#include "lib/graph.h"
#include "lib/plan.h"
#include "lib/strbuf.h"
#include "run/exec.h"
#include "run/exec_int.h"

/* ---- the recording fake driver ---- */

static struct strbuf calls = STRBUF_INIT;
static struct strvec callv = STRVEC_INIT; /* the same, one call each */
static int ncalls;
static int fail_at;           /* fail the call with this number (1-based); 0: none */
static int in_txn;
static int rows_changed = 1;  /* what exec_params reports */
static int table_there;       /* what table_exists reports */
static struct rt_script_fail script_fail; /* what a failing exec_script reports */
static struct rt_exec_info exec_fail;     /* what a failing exec reports */

/* Record one call; is it the one to fail? */
static int record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int record(const char *fmt, ...)
{
	va_list ap;
	size_t at = calls.len;
	va_start(ap, fmt);
	strbuf_vaddf(&calls, fmt, ap);
	va_end(ap);
	strvec_push(&callv, calls.buf + at);
	strbuf_addch(&calls, '\n');
	return ++ncalls == fail_at;
}

static int fake_lock(struct rt_db *db, struct rt_error *err)
{
	(void)db;
	return record("LOCK") ? rt_error_set(err, RT_EXIT_LOCK, "boom") : 0;
}

static void fake_unlock(struct rt_db *db)
{
	(void)db;
	record("UNLOCK");
}

static int fake_begin(struct rt_db *db, struct rt_error *err)
{
	(void)db;
	if (record("BEGIN"))
		return rt_error_set(err, RT_EXIT_ERROR, "boom");
	in_txn = 1;
	return 0;
}

static int fake_commit(struct rt_db *db, struct rt_error *err)
{
	(void)db;
	if (record("COMMIT"))
		return rt_error_set(err, RT_EXIT_ERROR, "boom");
	in_txn = 0;
	return 0;
}

static void fake_rollback(struct rt_db *db)
{
	(void)db;
	record("ROLLBACK");
	in_txn = 0;
}

static int fake_in_transaction(struct rt_db *db)
{
	(void)db;
	return in_txn;
}

/* "EXEC a; | b;": the statements of the block as the executor split them. */
static int fake_exec(struct rt_db *db, const char *sql, size_t len, const struct rt_stmts *stmts,
		     struct rt_exec_info *info, struct rt_error *err)
{
	(void)db;
	struct strbuf sb = STRBUF_INIT;
	assert_true(stmts->nr == 0 || stmts->v[stmts->nr - 1].off + stmts->v[stmts->nr - 1].len <= len);
	for (int k = 0; k < stmts->nr; k++) {
		size_t n = stmts->v[k].len;
		while (n && (sql[stmts->v[k].off + n - 1] == '\n' || sql[stmts->v[k].off + n - 1] == ' '))
			n--;
		strbuf_addf(&sb, "%s%.*s", k ? " | " : "", (int)n, sql + stmts->v[k].off);
	}
	int failed = record("EXEC %s", sb.buf);
	strbuf_release(&sb);
	memset(info, 0, sizeof(*info));
	if (!failed)
		return 0;
	*info = exec_fail;
	return rt_error_set(err, RT_EXIT_ERROR, "boom");
}

static int fake_exec_params(struct rt_db *db, const char *sql, int n, const char *const *params,
			    int *changed, const char *what, struct rt_error *err)
{
	(void)db;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : " [", params[i]);
	if (n)
		strbuf_addch(&sb, ']');
	int failed = record("SQL %s%s", sql, sb.buf);
	strbuf_release(&sb);
	if (failed)
		return rt_error_set(err, RT_EXIT_ERROR, "%s: boom", what);
	if (changed)
		*changed = rows_changed;
	return 0;
}

static int fake_query_column(struct rt_db *db, const char *sql, struct strvec *out,
			     const char *what, struct rt_error *err)
{
	(void)db;
	(void)out;
	return record("QUERY %s", sql) ? rt_error_set(err, RT_EXIT_ERROR, "%s: boom", what) : 0;
}

static int fake_tables_exist(struct rt_db *db, const char *schema, const char *const *names, int n,
			     int *exists, struct rt_error *err)
{
	(void)db;
	for (int i = 0; i < n; i++) {
		exists[i] = table_there;
		if (record("TABLE? %s%s%s", schema ? schema : "", schema ? "." : "", names[i]))
			return rt_error_set(err, RT_EXIT_ERROR, "boom");
	}
	return 0;
}

static int fake_exec_script(struct rt_db *db, const char *script, size_t len,
			    struct rt_script_fail *fail, struct rt_error *err)
{
	(void)db;
	assert_int_equal(strlen(script), len);
	memset(fail, 0, sizeof(*fail));
	if (!record("SCRIPT\n%s", script))
		return 0;
	in_txn = 1; /* the server left the transaction aborted */
	*fail = script_fail;
	return rt_error_set(err, RT_EXIT_ERROR, "boom");
}

static int fake_needs_autocommit(struct rt_db *db, const char *words)
{
	(void)db;
	return rt_sql_needs_autocommit(words);
}

/* Without a script path, as SQLite. */
static const struct rt_driver fake_plain = {
	.name = "sqlite",
	.dialect = &rt_sql_sqlite,
	.lock = fake_lock,
	.unlock = fake_unlock,
	.begin = fake_begin,
	.commit = fake_commit,
	.rollback = fake_rollback,
	.in_transaction = fake_in_transaction,
	.exec = fake_exec,
	.exec_params = fake_exec_params,
	.query_column = fake_query_column,
	.tables_exist = fake_tables_exist,
	.needs_autocommit = fake_needs_autocommit,
};

/* With one, as PostgreSQL. */
static const struct rt_driver fake_script = {
	.name = "postgresql",
	.dialect = &rt_sql_postgresql,
	.lock = fake_lock,
	.unlock = fake_unlock,
	.begin = fake_begin,
	.commit = fake_commit,
	.rollback = fake_rollback,
	.in_transaction = fake_in_transaction,
	.exec = fake_exec,
	.exec_params = fake_exec_params,
	.query_column = fake_query_column,
	.tables_exist = fake_tables_exist,
	.needs_autocommit = fake_needs_autocommit,
	.exec_script = fake_exec_script,
};

static struct rt_db db;

static void use(const struct rt_driver *drv)
{
	db.drv = drv;
	db.vt = rt_vt_new(drv->dialect, NULL, NULL, NULL);
}

/* ---- revisions and plans ---- */

static struct rt_script scripts[8];
static int nscripts;
static struct rt_graph g;
static struct rt_plan plan;

/* Add revision `id` (parent `down`, "" at base) with these sections. */
static void rev(const char *id, const char *down, const char *up_marker, const char *up,
		const char *downgrade)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	char path[64];
	strbuf_addf(&sb, "-- %s\n--\n-- Revision ID: %s\n-- Revises: %s\n"
		    "-- Create Date: 2026-11-22 10:00:00.000000\n\n-- migrate:upgrade%s\n%s\n", id, id,
		    down, up_marker, up);
	if (downgrade)
		strbuf_addf(&sb, "\n-- migrate:downgrade\n%s\n", downgrade);
	snprintf(path, sizeof(path), "v/%s.sql", id);
	if (parse_text(&scripts[nscripts++], path, sb.buf, &err))
		fail_msg("%s", err.msg);
	strbuf_release(&sb);
}

static void build(void)
{
	struct rt_error err = RT_ERROR_INIT;
	if (rt_graph_build(&g, scripts, nscripts, &err))
		fail_msg("%s", err.msg);
}

/* Plan an upgrade from `rows` (comma-separated) to `target`. */
static void plan_upgrade(const char *rows, const char *target)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strvec r = STRVEC_INIT;
	strvec_split_list(&r, rows);
	build();
	rt_plan_init(&plan);
	if (rt_plan_upgrade(&g, &r, target, &plan, &err))
		fail_msg("%s", err.msg);
	strvec_clear(&r);
}

static int setup(void **state)
{
	(void)state;
	strbuf_reset(&calls);
	strvec_clear(&callv);
	ncalls = fail_at = in_txn = table_there = 0;
	rows_changed = 1;
	memset(&script_fail, 0, sizeof(script_fail));
	memset(&exec_fail, 0, sizeof(exec_fail));
	rt_graph_init(&g);
	rt_plan_init(&plan);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rt_plan_release(&plan);
	rt_graph_release(&g);
	for (int i = 0; i < nscripts; i++)
		rt_script_release(&scripts[i]);
	nscripts = 0;
	rt_vt_free(db.vt);
	db.vt = NULL;
	return 0;
}

static int run(int single_txn, struct rt_error *err)
{
	return rt_exec_plan(&db, &g, &plan, table_there, single_txn, NULL, err);
}

#define CREATE_VT                                                                     \
	"SQL CREATE TABLE alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\t" \
	"CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n)\n"

/* Two linear revisions, a and b, with two statements in a. */
static void two_revs(void)
{
	rev("aaaa", "", "", "CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
	rev("bbbb", "aaaa", "", "CREATE TABLE b (x int);", "DROP TABLE b;");
}

/* ---- statement by statement (no script path) ---- */

static void upgrade_from_base(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	two_revs();
	plan_upgrade("", "head");
	assert_int_equal(run(0, &err), 0);
	assert_string_equal(calls.buf,
			    "BEGIN\n"
			    "TABLE? alembic_version\n" CREATE_VT
			    "EXEC CREATE TABLE a (x int); | INSERT INTO a VALUES (1);\n"
			    "SQL INSERT INTO alembic_version (version_num) VALUES (?1) [aaaa]\n"
			    "COMMIT\n"
			    "BEGIN\n"
			    "EXEC CREATE TABLE b (x int);\n"
			    "SQL UPDATE alembic_version SET version_num = ?2 WHERE version_num = ?1 [aaaa, bbbb]\n"
			    "COMMIT\n");
}

static void table_exists_no_create(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	two_revs();
	plan_upgrade("aaaa", "head");
	table_there = 1;
	assert_int_equal(run(0, &err), 0);
	assert_string_equal(calls.buf,
			    "BEGIN\n"
			    "EXEC CREATE TABLE b (x int);\n"
			    "SQL UPDATE alembic_version SET version_num = ?2 WHERE version_num = ?1 [aaaa, bbbb]\n"
			    "COMMIT\n");
}

/* Nothing to apply: no transaction at all, unless the version table is
 * still to be made (as Alembic makes it on an empty database). */
static void nothing_to_do(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	two_revs();
	plan_upgrade("bbbb", "head");
	assert_int_equal(plan.n, 0);
	table_there = 1;
	assert_int_equal(run(0, &err), 0);
	assert_string_equal(calls.buf, "");
	table_there = 0;
	assert_int_equal(run(0, &err), 0);
	assert_string_equal(calls.buf, "BEGIN\nTABLE? alembic_version\n" CREATE_VT "COMMIT\n");
}

/*
 * Fail each call in turn: the run stops there, an open transaction is
 * rolled back, nothing after it runs, and what committed before stays.
 */
static void failure_at_each_call(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	two_revs();
	plan_upgrade("", "head");
	assert_int_equal(run(0, &err), 0);
	struct strvec good = callv;
	strvec_init(&callv);
	for (int n = 1; n <= (int)good.nr; n++) {
		strvec_clear(&callv);
		strbuf_reset(&calls);
		ncalls = in_txn = 0;
		fail_at = n;
		assert_int_equal(run(0, &err), -1);
		assert_false(in_txn);
		/* the calls up to the failing one are those of the good run */
		for (int i = 0; i < n; i++)
			assert_string_equal(callv.v[i], good.v[i]);
		/* a failing BEGIN or COMMIT (a full disk) names the migration */
		if (!strcmp(good.v[n - 1], "BEGIN") || !strcmp(good.v[n - 1], "COMMIT"))
			assert_true(!strncmp(err.msg, "upgrade ", 8) && strstr(err.msg, ": boom"));
		/* then only a rollback, unless BEGIN itself failed */
		if (!strcmp(good.v[n - 1], "BEGIN")) {
			assert_int_equal(callv.nr, n);
		} else {
			assert_int_equal(callv.nr, n + 1);
			assert_string_equal(callv.v[n], "ROLLBACK");
		}
	}
	strvec_clear(&good);
}

static void execution_error_names_file_line_col(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	two_revs();
	plan_upgrade("", "head");
	fail_at = 4; /* aaaa's section */
	exec_fail.has_stmt = 1;
	exec_fail.stmt_off = strlen("CREATE TABLE a (x int);\n");
	assert_int_equal(run(0, &err), -1);
	/* the header is 5 lines, a blank, the marker: the section starts on line 8 */
	assert_string_equal(err.msg, "v/aaaa.sql:9:1: boom (upgrade <base> -> aaaa)");
	assert_non_null(strstr(err.detail, "LINE 9: INSERT INTO a VALUES (1);\n        ^"));
}

static void missed_row_rolls_back(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	two_revs();
	plan_upgrade("aaaa", "head");
	table_there = 1;
	rows_changed = 0;
	assert_int_equal(run(0, &err), -1);
	/* named by its migration, as the one-round-trip path names it */
	assert_string_equal(err.msg, "upgrade aaaa -> bbbb: expected to change one row of "
				     "'alembic_version' for revision 'aaaa', changed 0; another process "
				     "may have changed it");
	assert_non_null(strstr(calls.buf, "[aaaa, bbbb]\nROLLBACK\n"));
	assert_null(strstr(calls.buf, "COMMIT"));
}

static void single_transaction(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain); /* without a script path: one transaction, statement by statement */
	two_revs();
	plan_upgrade("", "head");
	assert_int_equal(run(1, &err), 0);
	assert_string_equal(calls.buf,
			    "BEGIN\n"
			    "TABLE? alembic_version\n" CREATE_VT
			    "EXEC CREATE TABLE a (x int); | INSERT INTO a VALUES (1);\n"
			    "SQL INSERT INTO alembic_version (version_num) VALUES (?1) [aaaa]\n"
			    "EXEC CREATE TABLE b (x int);\n"
			    "SQL UPDATE alembic_version SET version_num = ?2 WHERE version_num = ?1 [aaaa, bbbb]\n"
			    "COMMIT\n");
	/* a failure in the second migration takes the first with it */
	strbuf_reset(&calls);
	ncalls = 0;
	fail_at = 6;
	assert_int_equal(run(1, &err), -1);
	assert_true(calls.len > 9 && !strcmp(calls.buf + calls.len - 9, "ROLLBACK\n"));
	assert_null(strstr(calls.buf, "COMMIT"));
	assert_non_null(strstr(err.detail, "every migration of this run was rolled back"));
}

/* With a script path, each migration inside the one transaction is one
 * script of its own, without BEGIN or COMMIT: a round trip a migration. */
static void single_transaction_scripts(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_script);
	two_revs();
	plan_upgrade("", "head");
	assert_int_equal(run(1, &err), 0);
	const char *first = strstr(calls.buf, "SCRIPT\n");
	const char *second = first ? strstr(first + 1, "SCRIPT\n") : NULL;
	assert_true(!strncmp(calls.buf, "BEGIN\nSCRIPT\nCREATE TABLE IF NOT EXISTS alembic_version", 55));
	assert_non_null(second);
	assert_null(strstr(second + 1, "SCRIPT\n"));
	assert_non_null(strstr(first, "CREATE TABLE a (x int);"));
	assert_true(strstr(first, "INSERT INTO alembic_version") < second);
	assert_non_null(strstr(second, "CREATE TABLE b (x int);"));
	assert_null(strstr(second, "CREATE TABLE IF NOT EXISTS"));
	assert_null(strstr(calls.buf, "BEGIN;"));
	assert_null(strstr(calls.buf, "COMMIT;"));
	assert_true(calls.len > 7 && !strcmp(calls.buf + calls.len - 7, "COMMIT\n"));
	/* a failure in the second script rolls the first back with it */
	strbuf_reset(&calls);
	ncalls = 0;
	fail_at = 3;
	assert_int_equal(run(1, &err), -1);
	assert_true(calls.len > 9 && !strcmp(calls.buf + calls.len - 9, "ROLLBACK\n"));
	assert_null(strstr(calls.buf, "COMMIT"));
	assert_non_null(strstr(err.msg, "upgrade aaaa -> bbbb"));
	assert_non_null(strstr(err.detail, "every migration of this run was rolled back"));
}

static void transaction_false_section(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_script);
	rev("aaaa", "", " transaction:false",
	    "CREATE INDEX CONCURRENTLY i ON a (x);\nCREATE INDEX CONCURRENTLY j ON a (y);", NULL);
	plan_upgrade("", "head");
	table_there = 1;
	assert_int_equal(run(0, &err), 0);
	/* each statement on its own, outside a transaction, its completion
	 * recorded (after looking for an earlier run's progress); then the row
	 * alone, and the progress goes with it, as one script */
	assert_string_equal(calls.buf,
			    "TABLE? retort_progress\n"
			    "QUERY SELECT checksum FROM retort_progress WHERE version_table = "
			    "'alembic_version' AND revision = 'aaaa' AND direction = 'upgrade' ORDER BY statement\n"
			    "EXEC CREATE INDEX CONCURRENTLY i ON a (x);\n"
			    "SQL INSERT INTO retort_progress (version_table, revision, direction, statement, "
			    "checksum) VALUES ('alembic_version','aaaa','upgrade', 0, '6eb3943e3007bf48')\n"
			    "EXEC CREATE INDEX CONCURRENTLY j ON a (y);\n"
			    "SQL INSERT INTO retort_progress (version_table, revision, direction, statement, "
			    "checksum) VALUES ('alembic_version','aaaa','upgrade', 1, '44294047a68bb78e')\n"
			    "SCRIPT\n"
			    "BEGIN;\n"
			    "INSERT INTO alembic_version (version_num) VALUES ('aaaa');\n"
			    "DELETE FROM retort_progress WHERE version_table = 'alembic_version' AND "
			    "revision = 'aaaa' AND direction = 'upgrade';\n"
			    "COMMIT;\n");
	/* the second fails: the first stays applied, and the report says so */
	strbuf_reset(&calls);
	ncalls = 0;
	fail_at = 4; /* the progress table is known by now: no second TABLE? */
	exec_fail.has_stmt = 1;
	assert_int_equal(run(0, &err), -1);
	assert_non_null(strstr(calls.buf, "EXEC CREATE INDEX CONCURRENTLY i ON a (x);\n"
				       "SQL INSERT INTO retort_progress"));
	assert_true(calls.len > 43 &&
		    !strcmp(calls.buf + calls.len - 43, "EXEC CREATE INDEX CONCURRENTLY j ON a (y);\n"));
	assert_string_equal(err.msg, "v/aaaa.sql:9:1: boom (upgrade <base> -> aaaa)");
	assert_non_null(strstr(err.detail, "1 statement(s) before it ran outside a transaction"));
	assert_non_null(strstr(err.detail, "1 of 2 statements ran; the next run resumes after them"));
	/* and it cannot run in a single transaction: refused before any call */
	strbuf_reset(&calls);
	ncalls = fail_at = 0;
	assert_int_equal(run(1, &err), -1);
	assert_msg_has(&err, "cannot run in a single transaction");
	assert_int_equal(ncalls, 0);
}

static void stamps_in_one_transaction(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT, targets = STRVEC_INIT;
	use(&fake_plain);
	two_revs();
	build();
	strvec_push(&rows, "aaaa");
	strvec_push(&targets, "bbbb");
	assert_int_equal(rt_plan_stamp(&g, &rows, &targets, 1, &plan, &err), 0);
	assert_int_equal(run(0, &err), 0);
	/* stamps run no SQL of the revisions; purge first empties the table */
	assert_string_equal(calls.buf,
			    "BEGIN\n"
			    "TABLE? alembic_version\n" CREATE_VT
			    "SQL DELETE FROM alembic_version\n"
			    "SQL INSERT INTO alembic_version (version_num) VALUES (?1) [bbbb]\n"
			    "COMMIT\n");
	strvec_clear(&rows);
	strvec_clear(&targets);
}

static void refused_before_anything_runs(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	rev("aaaa", "", "", "CREATE TABLE a (x int);", "DROP TABLE a;");
	rev("bbbb", "aaaa", "", "CREATE INDEX CONCURRENTLY i ON a (x);", NULL);
	plan_upgrade("", "head");
	assert_int_equal(run(0, &err), -1);
	assert_string_equal(err.msg, "v/bbbb.sql:8:1: 'CREATE INDEX CONCURRENTLY i ON a (x)' cannot "
				     "run inside a transaction; mark the section '-- migrate:upgrade "
				     "transaction:false' (line 7); nothing was run");
	assert_int_equal(ncalls, 0);
	teardown(NULL);
	setup(NULL);
	use(&fake_plain);
	rev("aaaa", "", "", "CREATE TABLE a (x int);\nCOMMIT;", NULL);
	plan_upgrade("", "head");
	assert_int_equal(run(0, &err), -1);
	assert_msg_has(&err, "v/aaaa.sql:9:1: transaction control statement (COMMIT)");
	assert_int_equal(ncalls, 0);
}

/* ---- one round trip (exec_script) ---- */

#define SCRIPT_CREATE                                                                           \
	"CREATE TABLE IF NOT EXISTS alembic_version (\n\tversion_num VARCHAR(32) NOT NULL, \n\t" \
	"CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);\n"

static void script_composed(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_script);
	two_revs();
	plan_upgrade("", "head");
	assert_int_equal(run(0, &err), 0);
	assert_string_equal(calls.buf,
			    "SCRIPT\nBEGIN;\n" SCRIPT_CREATE
			    "CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\n\n\n;\n"
			    "INSERT INTO alembic_version (version_num) VALUES ('aaaa');\nCOMMIT;\n"
			    "SCRIPT\nBEGIN;\n"
			    "CREATE TABLE b (x int);\n\n\n;\n"
			    "WITH u AS (UPDATE alembic_version SET version_num = 'bbbb' WHERE "
			    "version_num = 'aaaa' RETURNING 1) SELECT 1 / count(*)::int FROM u;\n"
			    "COMMIT;\n");
}

/* Which statement failed, from the count of those that succeeded. */
static void script_failures(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_script);
	two_revs();
	plan_upgrade("", "aaaa");
	fail_at = 1;
	script_fail.has_result = 1;

	/* BEGIN, CREATE TABLE, then the section's second statement */
	script_fail.statements_done = 3;
	assert_int_equal(run(0, &err), -1);
	assert_string_equal(err.msg, "v/aaaa.sql:9:1: boom (upgrade <base> -> aaaa)");
	assert_string_equal(calls.buf + calls.len - 9, "ROLLBACK\n");
	assert_false(in_txn);

	/* a syntax error: nothing ran, the position names the statement and column */
	ncalls = 0;
	strbuf_reset(&calls);
	script_fail.statements_done = 0;
	script_fail.has_token = 1;
	script_fail.token_off = strlen("BEGIN;\n" SCRIPT_CREATE "CREATE TABLE a (x int);\nINSERT ");
	assert_int_equal(run(0, &err), -1);
	assert_string_equal(err.msg, "v/aaaa.sql:9:8: boom (upgrade <base> -> aaaa)");

	/* the guard: the row change after the section's two statements */
	ncalls = 0;
	script_fail.has_token = 0;
	script_fail.statements_done = 4;
	strcpy(script_fail.sqlstate, "22012");
	assert_int_equal(run(0, &err), -1);
	assert_string_equal(err.msg, "upgrade <base> -> aaaa: expected to change one row of "
				     "alembic_version for revision 'aaaa', changed none; another "
				     "process may have changed it");

	/* the same statement failing otherwise: the version's recording */
	ncalls = 0;
	strcpy(script_fail.sqlstate, "23505");
	assert_int_equal(run(0, &err), -1);
	assert_string_equal(err.msg, "upgrade <base> -> aaaa: recording the version: boom");

	/* BEGIN itself */
	ncalls = 0;
	script_fail.statements_done = 0;
	assert_int_equal(run(0, &err), -1);
	assert_string_equal(err.msg, "upgrade <base> -> aaaa: starting the migration: boom");

	/* never sent */
	ncalls = 0;
	script_fail.has_result = 0;
	assert_int_equal(run(0, &err), -1);
	assert_string_equal(err.msg, "upgrade <base> -> aaaa: boom");
}

/* ---- retort_history ---- */

static const struct rt_exec_hooks record_history = { .history_version = "9.9.9" };

#define CREATE_HISTORY "CREATE TABLE retort_history (id INTEGER PRIMARY KEY, version_table"
#define INSERT_HISTORY "INSERT INTO retort_history (version_table, revision, direction, operation, " \
		       "checksum, applied_at, duration_ms, retort_version, applied_by) VALUES ("

/* The index of the first call starting with `prefix` from call `from` on, or -1. */
static int call_at(const char *prefix, int from)
{
	for (int i = from; i < (int)callv.nr; i++)
		if (!strncmp(callv.v[i], prefix, strlen(prefix)))
			return i;
	return -1;
}

/*
 * Statement by statement: the history table is created in the first
 * migration's transaction, and each migration's row, with its section's
 * checksum, goes after its version row and before its COMMIT.
 */
static void history_row_in_the_version_transaction(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	char sum[65], want[256];
	use(&fake_plain);
	two_revs();
	plan_upgrade("", "head");
	assert_int_equal(rt_exec_plan(&db, &g, &plan, 0, 0, &record_history, &err), 0);
	int v1 = call_at("SQL INSERT INTO alembic_version", 0);
	int look = call_at("TABLE? retort_history", 0), create = call_at("SQL " CREATE_HISTORY, 0);
	int h1 = call_at("SQL " INSERT_HISTORY, 0), c1 = call_at("COMMIT", 0);
	assert_true(v1 > 0 && look > v1 && create == look + 1 && h1 == create + 1 && c1 == h1 + 1);
	rt_exec_section_checksum(&scripts[0], &scripts[0].up, sum);
	assert_int_equal(strlen(sum), 64);
	snprintf(want, sizeof(want), "'alembic_version', 'aaaa', 'upgrade', 'run', '%s', "
		 "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now'), ", sum);
	assert_non_null(strstr(callv.v[h1], want));
	assert_non_null(strstr(callv.v[h1], ", '9.9.9', '"));
	/* the second migration: the table is known now */
	int v2 = call_at("SQL UPDATE alembic_version", c1), h2 = call_at("SQL " INSERT_HISTORY, c1);
	assert_true(v2 > c1 && h2 == v2 + 1 && !strcmp(callv.v[h2 + 1], "COMMIT"));
	assert_int_equal(call_at("TABLE? retort_history", c1), -1);
	assert_non_null(strstr(callv.v[h2], "'bbbb', 'upgrade', 'run'"));
}

/* A failing history row rolls its migration back, and the table is looked
 * for again afterwards: the rollback undid its creation. */
static void history_failure_rolls_back(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_plain);
	two_revs();
	plan_upgrade("", "aaaa");
	fail_at = 7; /* BEGIN, TABLE?, CREATE, EXEC, INSERT version, TABLE? history, CREATE history */
	assert_int_equal(rt_exec_plan(&db, &g, &plan, 0, 0, &record_history, &err), -1);
	assert_string_equal(callv.v[6], "SQL " CREATE_HISTORY
			    " VARCHAR(128) NOT NULL, revision VARCHAR(32) NOT NULL, direction VARCHAR(9) "
			    "NOT NULL, operation VARCHAR(6) NOT NULL, checksum VARCHAR(64), applied_at "
			    "VARCHAR(32) NOT NULL, duration_ms INTEGER, retort_version VARCHAR(32) NOT "
			    "NULL, applied_by VARCHAR(255))");
	assert_string_equal(callv.v[7], "ROLLBACK");
	assert_int_equal(callv.nr, 8);
	assert_msg_has(&err, "upgrade <base> -> aaaa: creating the history table: boom");
	assert_int_equal(db.vt->history_exists, -1);
	/* the row itself failing */
	strvec_clear(&callv);
	strbuf_reset(&calls);
	ncalls = 0;
	fail_at = 8;
	assert_int_equal(rt_exec_plan(&db, &g, &plan, 0, 0, &record_history, &err), -1);
	assert_int_equal(call_at("TABLE? retort_history", 0), 5);
	assert_true(!strncmp(callv.v[7], "SQL " INSERT_HISTORY, strlen("SQL " INSERT_HISTORY)));
	assert_string_equal(callv.v[8], "ROLLBACK");
	assert_int_equal(call_at("COMMIT", 0), -1);
	assert_msg_has(&err, "recording the migration's history: boom");
	assert_int_equal(db.vt->history_exists, -1);
}

/* One round trip: the table (when missing) and the row are in the script,
 * the row after the guarded version change, its duration counted by the
 * database from the clock the script starts right after its BEGIN. */
static void history_in_the_script(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	use(&fake_script);
	two_revs();
	plan_upgrade("", "head");
	assert_int_equal(rt_exec_plan(&db, &g, &plan, 0, 0, &record_history, &err), 0);
	const char *first = strstr(calls.buf, "SCRIPT\n");
	const char *second = strstr(first + 1, "SCRIPT\n");
	assert_non_null(second);
	const char *create = strstr(first, "CREATE TABLE IF NOT EXISTS retort_history (id SERIAL PRIMARY KEY");
	const char *row = strstr(first, INSERT_HISTORY "'alembic_version', 'aaaa', 'upgrade', 'run', '");
	const char *vrow = strstr(first, "INSERT INTO alembic_version");
	assert_true(create && create < second && vrow && row && vrow < row && row < second);
	assert_non_null(strstr(first, "BEGIN;\nSELECT pg_catalog.set_config('retort.t0', "
				      "pg_catalog.clock_timestamp()::text, true);\n"));
	assert_non_null(strstr(row, "CAST(EXTRACT(EPOCH FROM clock_timestamp() - pg_catalog.current_setting("
				    "'retort.t0', true)::timestamptz) * 1000 AS INTEGER), '9.9.9', session_user"));
	assert_non_null(strstr(row, ");\nCOMMIT;\n"));
	/* the second script has no CREATE: the first committed it */
	assert_null(strstr(second, "CREATE TABLE IF NOT EXISTS retort_history"));
	assert_non_null(strstr(second, INSERT_HISTORY "'alembic_version', 'bbbb', 'upgrade', 'run', '"));
	/* a failing script leaves the table unknown again */
	strvec_clear(&callv);
	strbuf_reset(&calls);
	ncalls = 0;
	fail_at = 1;
	script_fail.has_result = 1;
	script_fail.statements_done = 1;
	db.vt->history_exists = 1;
	assert_int_equal(rt_exec_plan(&db, &g, &plan, 0, 0, &record_history, &err), -1);
	assert_int_equal(db.vt->history_exists, -1);
}

/* A batch's size: it doubles after each full batch that ran quickly, up
 * to a bound, halves after a slow one, never below the first's. */
static void batch_pace(void **state)
{
	(void)state;
	int m = RT_BATCH_FIRST_STEPS;
	assert_int_equal(rt_exec_batch_pace(m, m, 40.0), 2 * m);
	assert_int_equal(rt_exec_batch_pace(2 * m, 2 * m, 40.0), 4 * m);
	/* not full (the plan's end, a step that goes alone): no growth */
	assert_int_equal(rt_exec_batch_pace(m, m - 1, 40.0), m);
	/* full but not quick */
	assert_int_equal(rt_exec_batch_pace(m, m, 600.0), m);
	assert_int_equal(rt_exec_batch_pace(8 * m, 8 * m, 1500.0), 4 * m);
	assert_int_equal(rt_exec_batch_pace(m, m, 1500.0), m);
	/* bounded */
	int top = m;
	for (int i = 0; i < 40; i++)
		top = rt_exec_batch_pace(top, top, 1.0);
	assert_true(top > m && top <= 1024);
	assert_int_equal(rt_exec_batch_pace(top, top, 1.0), top);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(upgrade_from_base),
		T(table_exists_no_create),
		T(nothing_to_do),
		T(failure_at_each_call),
		T(execution_error_names_file_line_col),
		T(missed_row_rolls_back),
		T(single_transaction),
		T(single_transaction_scripts),
		T(transaction_false_section),
		T(stamps_in_one_transaction),
		T(refused_before_anything_runs),
		T(script_composed),
		T(script_failures),
		T(history_row_in_the_version_transaction),
		T(history_failure_rolls_back),
		T(history_in_the_script),
		cmocka_unit_test(batch_pace),
	};
	int rc = cmocka_run_group_tests_name("exec", tests, NULL, NULL);
	strbuf_release(&calls);
	strvec_clear(&callv);
	return rc;
}
