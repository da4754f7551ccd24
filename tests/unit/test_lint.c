/* Unit tests of the linter's position mapping (lint/lint.c): a parser
 * location (bytes into the upgrade section's body) becomes the exact
 * file:line:col of the migration file, past the header, the marker,
 * comments, several statements on one line, CRLF line ends and multi-byte
 * text; and findings come out in file order.  SQLite (lint/rules_sqlite.c):
 * the scratch connection carries the schema from one migration to the
 * next, the authorizer's names are the catalog's, and a syntax error is at
 * sqlite3_error_offset. */
#include "unit.h"

#include "lint/lint.h"

#include <stdio.h>

static const char head[] =
	"-- positions\n"
	"--\n"
	"-- Revision ID: 1b1b1b1b1b1b\n"
	"-- Revises: 0a0a0a0a0a0a\n"
	"-- Create Date: 2026-11-22 10:00:00.000000\n"
	"\n";

/* Lint `body` as the upgrade section of a migration; the caller releases both. */
static void lint_body(struct rt_script *s, struct rt_lint *l, const char *body)
{
	struct rt_error err = RT_ERROR_INIT;
	struct rt_lint_opts o = { .session_lock_timeout = 1 };
	char text[4096];
	snprintf(text, sizeof(text), "%s-- migrate:upgrade\n%s", head, body);
	assert_int_equal(parse_text(s, "v/1b.sql", text, &err), 0);
	rt_lint_init(l, &o);
	assert_int_equal(rt_lint_script_pg(l, s, &err), 0);
}

static void locate_maps_body_offsets_to_file_lines(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_lint l;
	lint_body(&s, &l, "SELECT 1;\n  SELECT 2;\n");
	int line, col;
	rt_lint_locate(&s, &s.up, 0, &line, &col);
	assert_int_equal(line, 8);
	assert_int_equal(col, 1);
	rt_lint_locate(&s, &s.up, 12, &line, &col); /* the second SELECT */
	assert_int_equal(line, 9);
	assert_int_equal(col, 3);
	rt_lint_locate(&s, &s.up, 100000, &line, &col); /* clamped to the section's end */
	assert_int_equal(line, 10);
	assert_int_equal(col, 1);
	assert_int_equal(l.nr, 0);
	rt_lint_release(&l);
	rt_script_release(&s);
}

static void findings_point_at_the_node(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_lint l;
	/* columns count bytes (é is two); two statements on line 9 */
	lint_body(&s, &l,
		  "/* note: caf\xc3\xa9 */ TRUNCATE orders;\n"
		  "SELECT 1; ALTER TABLE users DROP COLUMN legacy;\n"
		  "ALTER TABLE users\n"
		  "  ADD COLUMN token uuid DEFAULT gen_random_uuid();\n");
	assert_int_equal(l.nr, 3);
	assert_string_equal(l.v[0].rule->id, "truncate");
	assert_int_equal(l.v[0].line, 8);
	assert_int_equal(l.v[0].col, 28);
	assert_string_equal(l.v[1].rule->id, "drop-column");
	assert_int_equal(l.v[1].line, 9);
	assert_int_equal(l.v[1].col, 41);
	assert_string_equal(l.v[2].rule->id, "volatile-default");
	assert_int_equal(l.v[2].line, 11);
	assert_int_equal(l.v[2].col, 33);
	assert_string_equal(l.v[2].path, "v/1b.sql");
	assert_string_equal(l.v[2].revision, "1b1b1b1b1b1b");
	assert_int_equal(l.errors, 3);
	rt_lint_release(&l);
	rt_script_release(&s);
}

static void crlf_lines_count_once(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_lint l;
	lint_body(&s, &l, "SELECT 1;\r\n\r\nTRUNCATE orders;\r\n");
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.v[0].rule->id, "truncate");
	assert_int_equal(l.v[0].line, 10);
	assert_int_equal(l.v[0].col, 10);
	rt_lint_release(&l);
	rt_script_release(&s);
}

static void findings_come_in_file_order(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_lint l;
	/* the malformed ignore (line 8) is read before any statement, yet the
	 * CASCADE (col 16) sorts after the table (col 12) on line 9 */
	lint_body(&s, &l, "-- retort:lint-ignore drop-table\nDROP TABLE old CASCADE;\n");
	assert_int_equal(l.nr, 3);
	assert_string_equal(l.v[0].rule->id, "lint-ignore");
	assert_int_equal(l.v[0].line, 8);
	assert_int_equal(l.v[0].col, 23);
	assert_string_equal(l.v[1].rule->id, "drop-table");
	assert_int_equal(l.v[1].col, 12);
	assert_string_equal(l.v[2].rule->id, "drop-cascade");
	assert_int_equal(l.v[2].col, 16);
	rt_lint_release(&l);
	rt_script_release(&s);
}

static void a_column_named_like_its_table_is_found_after_the_table(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_lint l;
	lint_body(&s, &l, "ALTER TABLE status ALTER COLUMN status SET NOT NULL;\n"
			  "ALTER TABLE \"Mail\" RENAME COLUMN \"Mail\" TO mail;\n"
			  "ALTER TABLE t DROP COLUMN ab, DROP COLUMN b;\n");
	assert_int_equal(l.nr, 4);
	/* each subcommand's column is looked for after the one before it */
	assert_int_equal(l.v[2].col, 27);
	assert_int_equal(l.v[3].col, 43);
	assert_string_equal(l.v[0].rule->id, "set-not-null");
	assert_int_equal(l.v[0].col, 33);
	assert_string_equal(l.v[1].rule->id, "rename-column");
	assert_int_equal(l.v[1].col, 34);
	rt_lint_release(&l);
	rt_script_release(&s);
}

static void a_syntax_error_points_at_the_token(void **state)
{
	(void)state;
	struct rt_script s;
	struct rt_lint l;
	lint_body(&s, &l, "SELECT 1;\nSELEC 2;\n");
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.v[0].rule->id, "syntax");
	assert_int_equal(l.v[0].line, 9);
	assert_int_equal(l.v[0].col, 1);
	assert_non_null(strstr(l.v[0].msg, "syntax error at or near \"SELEC\""));
	rt_lint_release(&l);
	rt_script_release(&s);
}

/* A SQLite migration `id` whose upgrade section is `body`. */
static void sqlite_script(struct rt_script *s, const char *id, const char *body)
{
	struct rt_error err = RT_ERROR_INIT;
	char text[4096];
	snprintf(text, sizeof(text),
		 "-- m\n--\n-- Revision ID: %s\n-- Revises: \n-- Create Date: 2026-11-22 10:00:00\n"
		 "\n-- migrate:upgrade\n%s", id, body);
	assert_int_equal(parse_text(s, "v/m.sql", text, &err), 0);
}

static void sqlite_schema_carries_from_migration_to_migration(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_script base, mine, next;
	struct rt_lint l;
	struct rt_lint_opts o = { 0 };
	sqlite_script(&base, "0a", "CREATE TABLE users (id integer PRIMARY KEY);\n"
			     "CREATE TABLE orders (id integer, u integer REFERENCES users (id));\n");
	/* café is 5 bytes: `Users` starts at byte 23 of line 8 */
	sqlite_script(&mine, "1b", "/* caf\xc3\xa9 */ DROP TABLE `Users`;\n"
			     "CREATE TABLE t (a, b);\nALTER TABLE t DROP COLUMN b;\n");
	sqlite_script(&next, "2c", "ALTER TABLE t DROP COLUMN a;\n");
	rt_lint_init(&l, &o);
	assert_int_equal(rt_lint_replay_sqlite(&l, &base, &err), 0);
	assert_int_equal(rt_lint_script_sqlite(&l, &mine, &err), 0);
	assert_int_equal(l.migrations, 1);
	assert_int_equal(l.nr, 2);
	assert_string_equal(l.v[0].rule->id, "rebuild-foreign-keys");
	assert_int_equal(l.v[0].line, 8);
	assert_int_equal(l.v[0].col, 24);
	/* the catalog's spelling of the name, and the referencing table */
	assert_non_null(strstr(l.v[0].msg, "dropping \"users\", which \"orders\" references"));
	assert_string_equal(l.v[1].rule->id, "drop-table");
	assert_int_equal(l.v[1].col, 24);
	/* t was new in 1b; in 2c it exists */
	assert_int_equal(rt_lint_script_sqlite(&l, &next, &err), 0);
	assert_int_equal(l.nr, 3);
	assert_string_equal(l.v[2].rule->id, "drop-column");
	assert_int_equal(l.v[2].line, 8);
	assert_int_equal(l.v[2].col, 27);
	rt_lint_release(&l);
	rt_script_release(&base);
	rt_script_release(&mine);
	rt_script_release(&next);
}

static void sqlite_syntax_error_is_at_sqlites_offset(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_script s;
	struct rt_lint l;
	struct rt_lint_opts o = { 0 };
	sqlite_script(&s, "1b", "SELECT 1;\r\n  SELECT 1 FROM;\r\nDROP TABLE gone;\r\n");
	rt_lint_init(&l, &o);
	assert_int_equal(rt_lint_script_sqlite(&l, &s, &err), 0);
	assert_int_equal(l.nr, 1);
	assert_string_equal(l.v[0].rule->id, "syntax");
	assert_int_equal(l.v[0].line, 9);
	assert_int_equal(l.v[0].col, 16);
	assert_non_null(strstr(l.v[0].msg, "SQLite's parser says: near \";\": syntax error"));
	rt_lint_release(&l);
	rt_script_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(locate_maps_body_offsets_to_file_lines),
		cmocka_unit_test(findings_point_at_the_node),
		cmocka_unit_test(crlf_lines_count_once),
		cmocka_unit_test(findings_come_in_file_order),
		cmocka_unit_test(a_column_named_like_its_table_is_found_after_the_table),
		cmocka_unit_test(a_syntax_error_points_at_the_token),
		cmocka_unit_test(sqlite_schema_carries_from_migration_to_migration),
		cmocka_unit_test(sqlite_syntax_error_is_at_sqlites_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
