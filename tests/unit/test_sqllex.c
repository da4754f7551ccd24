/* Unit tests of the SQL statement splitter (lib/sqllex.c): what ends a
 * statement and what never does. */
#include "unit.h"

#include "lib/sqllex.h"

/* Split `sql` and compare the statements' texts with `expect` (NULL-terminated). */
static void check_split(const char *sql, const char *const *expect)
{
	struct rt_stmts st;
	rt_sql_split(sql, strlen(sql), &st);
	int n = 0;
	while (expect[n])
		n++;
	if (st.nr != n)
		fail_msg("'%s': %d statements, expected %d", sql, st.nr, n);
	for (int i = 0; i < n; i++) {
		if (strlen(expect[i]) != st.v[i].len || memcmp(sql + st.v[i].off, expect[i], st.v[i].len))
			fail_msg("statement %d is '%.*s', expected '%s'", i, (int)st.v[i].len,
				 sql + st.v[i].off, expect[i]);
	}
	assert_false(st.unterminated);
	rt_stmts_release(&st);
}

#define SPLIT(sql, ...) check_split(sql, (const char *const[]){ __VA_ARGS__, NULL })

static void basics(void **state)
{
	(void)state;
	SPLIT("CREATE TABLE a (x int);\n  -- note; not a statement\nINSERT INTO a VALUES (1);",
	      "CREATE TABLE a (x int);", "INSERT INTO a VALUES (1);");
	SPLIT("SELECT 1;;  ;SELECT 2", "SELECT 1;", "SELECT 2");
	SPLIT("/* a; /* nested; */ still; */ SELECT 1;", "SELECT 1;");
}

static void quotes(void **state)
{
	(void)state;
	SPLIT("INSERT INTO t VALUES ('a;b', 'it''s;');SELECT \"we;ird\" FROM t;",
	      "INSERT INTO t VALUES ('a;b', 'it''s;');", "SELECT \"we;ird\" FROM t;");
	SPLIT("SELECT E'back\\'slash;', 'plain\\';SELECT 2;", "SELECT E'back\\'slash;', 'plain\\';",
	      "SELECT 2;");
	SPLIT("CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;"
	      "SELECT $$;$$, $1;",
	      "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;",
	      "SELECT $$;$$, $1;");
}

static void bodies(void **state)
{
	(void)state;
	SPLIT("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
	      "SELECT CASE WHEN true THEN 2 END; END;\nSELECT 3;",
	      "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
	      "SELECT CASE WHEN true THEN 2 END; END;",
	      "SELECT 3;");
	SPLIT("CREATE TRIGGER tr AFTER INSERT ON a BEGIN INSERT INTO log VALUES (1); END;\nSELECT 1;",
	      "CREATE TRIGGER tr AFTER INSERT ON a BEGIN INSERT INTO log VALUES (1); END;", "SELECT 1;");
	/* a table merely named like a trigger has no body */
	SPLIT("CREATE TABLE trigger_log (begin_at int);SELECT 1;",
	      "CREATE TABLE trigger_log (begin_at int);", "SELECT 1;");
	SPLIT("BEGIN;COMMIT;", "BEGIN;", "COMMIT;");
}

static void unterminated(void **state)
{
	(void)state;
	struct rt_stmts st;
	const char *sql = "SELECT 1;\nSELECT 'oops;";
	rt_sql_split(sql, strlen(sql), &st);
	assert_true(st.unterminated);
	assert_int_equal(st.open_off, strlen("SELECT 1;\nSELECT "));
	rt_stmts_release(&st);
}

static void words(void **state)
{
	(void)state;
	char w[64];
	const char *s = "  /* c */ create  index\n-- x\n concurrently i ON t (x);";
	rt_sql_words(s, strlen(s), 3, w, sizeof(w));
	assert_string_equal(w, "CREATE INDEX CONCURRENTLY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(basics),
		cmocka_unit_test(quotes),
		cmocka_unit_test(bodies),
		cmocka_unit_test(unterminated),
		cmocka_unit_test(words),
	};
	return cmocka_run_group_tests_name("sqllex", tests, NULL, NULL);
}
