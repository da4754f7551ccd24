/*
 * Unit tests of the offline SQL renderer (run/offline.c): the exact text
 * `--sql` prints for each kind of plan, on PostgreSQL (BEGIN/COMMIT,
 * INSERT ... RETURNING) and SQLite (neither), in Alembic's layout; and
 * where the history rows go when they are asked for.
 */
#include "unit.h"

#include <stdio.h>

#include "lib/graph.h"
#include "lib/plan.h"
#include "lib/strbuf.h"
#include "run/offline.h"

static struct rt_script scripts[8];
static int nscripts;
static struct rt_graph g;
static struct rt_plan plan;
static struct strbuf out = STRBUF_INIT;

/* Add revision `id` (parent `down`) with an upgrade section (marker
 * suffix `up_marker`) and an optional downgrade section. */
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

static void two_revs(void)
{
	rev("aaaa", "", "", "CREATE TABLE a (x int);", "DROP TABLE a;");
	rev("bbbb", "aaaa", "", "CREATE TABLE b (x int)\n-- no semicolon", "DROP TABLE b");
}

static void build(void)
{
	struct rt_error err = RT_ERROR_INIT;
	if (rt_graph_build(&g, scripts, nscripts, &err))
		fail_msg("%s", err.msg);
}

enum kind { UP, DOWN };

/* Plan from `rows` (comma-separated) to `target`. */
static void plan_for(enum kind k, const char *rows, const char *target)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strvec r = STRVEC_INIT;
	strvec_split_list(&r, rows);
	build();
	int rc = k == UP ? rt_plan_upgrade(&g, &r, target, &plan, &err)
			 : rt_plan_downgrade(&g, &r, target, &plan, &err);
	if (rc)
		fail_msg("%s", err.msg);
	strvec_clear(&r);
}

/* Render the plan; the text, or the error message. */
static const char *render(const char *backend, int create_table, int single_txn,
			  const char *vt, const char *vt_schema)
{
	struct rt_error err = RT_ERROR_INIT;
	struct rt_offline_opts o = { backend, vt, vt_schema, create_table, single_txn, NULL, NULL };
	strbuf_reset(&out);
	if (rt_offline_sql(&g, &plan, &o, &out, &err)) {
		strbuf_reset(&out);
		strbuf_addf(&out, "error: %s", err.msg);
	}
	return out.buf;
}

static int setup(void **state)
{
	(void)state;
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
	return 0;
}

#define CREATE(name, pkc)                                                 \
	"CREATE TABLE " name " (\n    version_num VARCHAR(32) NOT NULL, \n" \
	"    CONSTRAINT " pkc " PRIMARY KEY (version_num)\n);\n\n"

static void pg_upgrade_from_base(void **state)
{
	(void)state;
	two_revs();
	plan_for(UP, "", "head");
	assert_string_equal(render("postgresql", 1, 0, NULL, NULL),
			    "BEGIN;\n\n" CREATE("alembic_version", "alembic_version_pkc")
			    "-- Running upgrade  -> aaaa\n\n"
			    "CREATE TABLE a (x int);\n\n"
			    "INSERT INTO alembic_version (version_num) VALUES ('aaaa') RETURNING "
			    "alembic_version.version_num;\n\n"
			    "COMMIT;\n\n"
			    "BEGIN;\n\n"
			    "-- Running upgrade aaaa -> bbbb\n\n"
			    "CREATE TABLE b (x int)\n-- no semicolon\n;\n\n"
			    "UPDATE alembic_version SET version_num='bbbb' WHERE "
			    "alembic_version.version_num = 'aaaa';\n\n"
			    "COMMIT;\n\n");
}

static void sqlite_upgrade_from_base(void **state)
{
	(void)state;
	two_revs();
	plan_for(UP, "", "aaaa");
	assert_string_equal(render("sqlite", 1, 0, NULL, NULL),
			    CREATE("alembic_version", "alembic_version_pkc")
			    "-- Running upgrade  -> aaaa\n\n"
			    "CREATE TABLE a (x int);\n\n"
			    "INSERT INTO alembic_version (version_num) VALUES ('aaaa');\n\n");
}

static void downgrade_to_base_drops_the_table(void **state)
{
	(void)state;
	two_revs();
	plan_for(DOWN, "bbbb", "base");
	assert_string_equal(render("postgresql", 0, 0, NULL, NULL),
			    "BEGIN;\n\n"
			    "-- Running downgrade bbbb -> aaaa\n\n"
			    "DROP TABLE b;\n\n"
			    "UPDATE alembic_version SET version_num='aaaa' WHERE "
			    "alembic_version.version_num = 'bbbb';\n\n"
			    "COMMIT;\n\n"
			    "BEGIN;\n\n"
			    "-- Running downgrade aaaa -> \n\n"
			    "DROP TABLE a;\n\n"
			    "DELETE FROM alembic_version WHERE alembic_version.version_num = 'aaaa';\n\n"
			    "DROP TABLE alembic_version;\n\n"
			    "COMMIT;\n\n");
}

/* A transaction:false section stands outside any transaction; its row
 * change commits alone after it.  In a single transaction it is refused. */
static void transaction_false(void **state)
{
	(void)state;
	rev("aaaa", "", "", "CREATE TABLE a (x int);", NULL);
	rev("bbbb", "aaaa", " transaction:false", "CREATE INDEX CONCURRENTLY i ON a (x);", NULL);
	plan_for(UP, "", "head");
	assert_string_equal(render("postgresql", 0, 0, NULL, NULL),
			    "BEGIN;\n\n"
			    "-- Running upgrade  -> aaaa\n\n"
			    "CREATE TABLE a (x int);\n\n"
			    "INSERT INTO alembic_version (version_num) VALUES ('aaaa') RETURNING "
			    "alembic_version.version_num;\n\n"
			    "COMMIT;\n\n"
			    "-- Running upgrade aaaa -> bbbb\n\n"
			    "CREATE INDEX CONCURRENTLY i ON a (x);\n\n"
			    "BEGIN;\n\n"
			    "UPDATE alembic_version SET version_num='bbbb' WHERE "
			    "alembic_version.version_num = 'aaaa';\n\n"
			    "COMMIT;\n\n");
	assert_string_equal(render("postgresql", 0, 1, NULL, NULL),
			    "error: v/bbbb.sql: a 'transaction:false' section cannot run in a single "
			    "transaction");
}

static void single_transaction(void **state)
{
	(void)state;
	two_revs();
	plan_for(UP, "", "head");
	assert_string_equal(render("postgresql", 1, 1, NULL, NULL),
			    "BEGIN;\n\n" CREATE("alembic_version", "alembic_version_pkc")
			    "-- Running upgrade  -> aaaa\n\n"
			    "CREATE TABLE a (x int);\n\n"
			    "INSERT INTO alembic_version (version_num) VALUES ('aaaa') RETURNING "
			    "alembic_version.version_num;\n\n"
			    "-- Running upgrade aaaa -> bbbb\n\n"
			    "CREATE TABLE b (x int)\n-- no semicolon\n;\n\n"
			    "UPDATE alembic_version SET version_num='bbbb' WHERE "
			    "alembic_version.version_num = 'aaaa';\n\n"
			    "COMMIT;\n\n");
}

/* Names are quoted by the common keywords and qualified by the schema,
 * the primary key's name never. */
static void quoted_and_qualified_names(void **state)
{
	(void)state;
	two_revs();
	plan_for(UP, "", "aaaa");
	assert_string_equal(render("postgresql", 1, 0, "order", "my s"),
			    "BEGIN;\n\n" CREATE("\"my s\".\"order\"", "order_pkc")
			    "-- Running upgrade  -> aaaa\n\n"
			    "CREATE TABLE a (x int);\n\n"
			    "INSERT INTO \"my s\".\"order\" (version_num) VALUES ('aaaa') RETURNING "
			    "\"my s\".\"order\".version_num;\n\n"
			    "COMMIT;\n\n");
	assert_string_equal(render("sqlite", 1, 0, "Vt", NULL),
			    CREATE("\"Vt\"", "\"Vt_pkc\"")
			    "-- Running upgrade  -> aaaa\n\n"
			    "CREATE TABLE a (x int);\n\n"
			    "INSERT INTO \"Vt\" (version_num) VALUES ('aaaa');\n\n");
}

/* A semicolon ends a section that lacks one, on a line of its own only
 * when the section ends in a line comment, which would swallow it: "--"
 * inside a string is no comment, MySQL's "#" is one, and a semicolon in
 * a comment ends nothing. */
static void section_end(void **state)
{
	(void)state;
	rev("aaaa", "", "", "INSERT INTO a VALUES ('x -- y')", NULL);
	rev("bbbb", "aaaa", "", "SELECT 1 -- note", NULL);
	rev("cccc", "bbbb", "", "SELECT 2 # note", NULL);
	rev("dddd", "cccc", "", "SELECT 3\n-- done;", NULL);
	rev("eeee", "dddd", "", "SELECT 4; -- done", NULL);
	plan_for(UP, "", "head");
	const char *sql = render("sqlite", 0, 0, NULL, NULL);
	assert_non_null(strstr(sql, "\n\nINSERT INTO a VALUES ('x -- y');\n\n"));
	assert_non_null(strstr(sql, "\n\nSELECT 1 -- note\n;\n\n"));
	assert_non_null(strstr(sql, "\n\nSELECT 3\n-- done;\n;\n\n"));
	assert_non_null(strstr(sql, "\n\nSELECT 4; -- done\n\n"));
	/* '#' opens a comment in MySQL alone */
	assert_non_null(strstr(sql, "\n\nSELECT 2 # note;\n\n"));
	sql = render("mysql", 0, 0, NULL, NULL);
	assert_non_null(strstr(sql, "\n\nSELECT 2 # note\n;\n\n"));
	assert_non_null(strstr(sql, "\n\nINSERT INTO a VALUES ('x -- y');\n\n"));
}

/* A plan with no steps still opens and closes its transaction. */
static void empty_plan(void **state)
{
	(void)state;
	two_revs();
	plan_for(UP, "bbbb", "head");
	assert_string_equal(render("postgresql", 0, 0, NULL, NULL), "BEGIN;\n\nCOMMIT;\n\n");
	assert_string_equal(render("sqlite", 0, 0, NULL, NULL), "");
}

/* With history: the table once, before its first row, and each
 * migration's row after its version row, inside its transaction, with no
 * duration (none is known offline) and the database's own clock and user. */
static void history_rows(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	two_revs();
	plan_for(DOWN, "bbbb", "base");
	struct strvec rows = STRVEC_INIT;
	strvec_push(&rows, "bbbb");
	struct rt_offline_opts o = { "postgresql", NULL, "meta", 0, 0, "1.2.3", &rows };
	strbuf_reset(&out);
	assert_int_equal(rt_offline_sql(&g, &plan, &o, &out, &err), 0);
	const char *create = strstr(out.buf, "CREATE TABLE IF NOT EXISTS meta.retort_history (id SERIAL");
	const char *row1 = strstr(out.buf, "INSERT INTO meta.retort_history (version_table, revision, "
				  "direction, operation, checksum, applied_at, duration_ms, retort_version, "
				  "applied_by) VALUES ('alembic_version', 'bbbb', 'downgrade', 'run', '");
	const char *vrow = strstr(out.buf, "UPDATE meta.alembic_version SET version_num='aaaa'");
	const char *commit = strstr(out.buf, "COMMIT;");
	assert_true(create && row1 && vrow && commit && vrow < create && create < row1 && row1 < commit);
	assert_non_null(strstr(row1, "MS\"Z\"'), NULL, '1.2.3', session_user"));
	assert_null(strstr(create + 1, "CREATE TABLE IF NOT EXISTS"));
	/* the last row goes before the version table is dropped */
	const char *row2 = strstr(row1 + 1, "VALUES ('alembic_version', 'aaaa', 'downgrade', 'run', '");
	const char *drop = strstr(out.buf, "DROP TABLE meta.alembic_version;");
	assert_true(row2 && drop && row2 < drop);
	strvec_clear(&rows);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(pg_upgrade_from_base),
		T(sqlite_upgrade_from_base),
		T(downgrade_to_base_drops_the_table),
		T(transaction_false),
		T(single_transaction),
		T(quoted_and_qualified_names),
		T(section_end),
		T(empty_plan),
		T(history_rows),
	};
	int rc = cmocka_run_group_tests_name("offline", tests, NULL, NULL);
	strbuf_release(&out);
	return rc;
}
