/*
 * Unit tests of retort convert's script handling (run/convert.c): what of
 * Alembic's offline scripts becomes a section (the version table's
 * statements and BEGIN/COMMIT go, whatever the table is called and however
 * it is quoted), when a section runs outside a transaction, and the twin's
 * header and WARNING lines.
 */
#include "unit.h"

#include "lib/strvec.h"
#include "run/convert.h"

static void section(const char *script, const char *vtable, const char *want, int transactional)
{
	struct rt_convert_section s = { .warnings = STRVEC_INIT };
	rt_convert_section_from(script, strlen(script), vtable, &s);
	assert_string_equal(s.sql, want);
	assert_int_equal(s.transactional, transactional);
	free(s.sql);
	strvec_clear(&s.warnings);
}

static void test_postgresql_upgrade(void **state)
{
	(void)state;
	section("BEGIN;\n\nCREATE TABLE alembic_version (\n    version_num VARCHAR(32) NOT NULL, \n"
		"    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n);\n\n"
		"-- Running upgrade  -> a1\n\nCREATE TABLE users (id SERIAL NOT NULL);\n\n"
		"INSERT INTO alembic_version (version_num) VALUES ('a1') RETURNING "
		"alembic_version.version_num;\n\nCOMMIT;\n\n",
		"alembic_version", "CREATE TABLE users (id SERIAL NOT NULL);\n", 1);
}

static void test_autocommit_block(void **state)
{
	(void)state;
	section("BEGIN;\n\n-- Running upgrade a1 -> b2\n\nALTER TABLE orders ADD COLUMN note TEXT;\n\n"
		"COMMIT;\n\nALTER TYPE s ADD VALUE 'x';\n\nBEGIN;\n\n"
		"UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1';"
		"\n\nCOMMIT;\n\n",
		"alembic_version", "ALTER TABLE orders ADD COLUMN note TEXT;\nALTER TYPE s ADD VALUE 'x';\n", 0);
}

static void test_sqlite_no_begin(void **state)
{
	(void)state;
	section("-- Running downgrade b2 -> a1\n\nDROP TABLE t;\n\nUPDATE alembic_version SET "
		"version_num='a1' WHERE alembic_version.version_num = 'b2';\n\n",
		"alembic_version", "DROP TABLE t;\n", 1);
	section("DELETE FROM alembic_version WHERE alembic_version.version_num = 'a1';\n\n"
		"DROP TABLE alembic_version;\n\n", "alembic_version", "", 1);
}

/* only the version table goes: another name, quoting and a schema are read as names */
static void test_version_table_names(void **state)
{
	(void)state;
	section("INSERT INTO \"audit\".\"my_versions\" (version_num) VALUES ('a1');\n"
		"UPDATE my_versions_log SET n = 1;\nINSERT INTO alembic_version VALUES ('x');\n"
		"DELETE FROM audit.my_versions WHERE version_num = 'a1';\n",
		"my_versions",
		"UPDATE my_versions_log SET n = 1;\nINSERT INTO alembic_version VALUES ('x');\n", 1);
	/* a semicolon inside a string does not end the statement */
	section("INSERT INTO t VALUES ('a;b')\n", "alembic_version", "INSERT INTO t VALUES ('a;b');\n", 1);
}

static void test_render(void **state)
{
	(void)state;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_script s;
	assert_int_equal(parse_text(&s, "v/b2.sql", "-- two\n-- lines\n--\n-- Revision ID: b2\n"
				    "-- Revises: a1, a2\n\n-- migrate:upgrade\n", &err), 0);
	s.py_path = xstrdup("v/b2_two.py");
	free(s.longdoc);
	s.longdoc = xstrdup("two\nlines\n\nRevision ID: b2\nCreate Date: 2026-01-02 03:04:05.000006");
	struct rt_convert_rev r = { .up = { .sql = xstrdup("SELECT 1;\n"), .transactional = 1,
					    .warnings = STRVEC_INIT },
				    .down = { .sql = xstrdup(""), .transactional = 0, .warnings = STRVEC_INIT } };
	strvec_push(&r.up.warnings, "bulk_insert of computed rows (v/b2_two.py:9)");
	char *text = rt_convert_render(&s, &r);
	assert_string_equal(text,
		"-- two\n-- lines\n--\n-- Revision ID: b2\n-- Revises: a1, a2\n"
		"-- Create Date: 2026-01-02 03:04:05.000006\n"
		"-- Converted from b2_two.py by retort convert\n\n-- migrate:upgrade\n"
		"-- WARNING: converted from Python; review: bulk_insert of computed rows (v/b2_two.py:9)\n"
		"SELECT 1;\n\n-- migrate:downgrade transaction:false\n"
		"-- (Alembic ran part of it in an autocommit_block: the section runs statement by "
		"statement)\n");
	/* the twin parses back with the same header */
	struct rt_script back;
	assert_int_equal(parse_text(&back, "v/b2_two.sql", text, &err), 0);
	assert_string_equal(back.id, "b2");
	assert_int_equal(back.down.nr, 2);
	assert_false(back.downgrade.transactional);
	char *path = rt_convert_sql_path(&s);
	assert_string_equal(path, "v/b2_two.sql");
	free(path);
	free(text);
	rt_script_release(&back);
	rt_script_release(&s);
	free(r.up.sql);
	free(r.down.sql);
	strvec_clear(&r.up.warnings);
	strvec_clear(&r.down.warnings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postgresql_upgrade),
		cmocka_unit_test(test_autocommit_block),
		cmocka_unit_test(test_sqlite_no_begin),
		cmocka_unit_test(test_version_table_names),
		cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
