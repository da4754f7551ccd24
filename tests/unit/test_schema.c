/*
 * The schema model and the diff writers without a database: SQL
 * normalization, SQLite's CREATE TABLE parser (on an in-memory database),
 * the foreign-key order, and the statements written for
 * hand-built PostgreSQL and SQLite models (the CLI tests run them on real
 * databases).
 */
#include "unit.h"

#include "schema/diff.h"
#include "schema/model.h"
#ifdef RT_WITH_SQLITE
#include "db/sqlite_schema.h"
#endif

static char *norm(const char *s)
{
	return rt_sql_normalize(s, strlen(s));
}

static void normalize(void **state)
{
	(void)state;
	char *a = norm("create table  \"users\"(id int, -- key\n n varchar (20))");
	char *b = norm("CREATE TABLE users (ID INT,N VARCHAR(20))");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = norm("x = 'It''s' AND \"Mixed Case\" = 1 /* c */");
	assert_string_equal(a, "X='It''s' AND \"Mixed Case\"=1");
	assert_true(rt_sql_has_word(a, "AND"));
	assert_false(rt_sql_has_word(a, "IT"));
	free(a);
}

/* Dollar-quoted strings stay whole (a quote inside does not open a
 * string), and a block comment ends where SQLite ends it. */
static void normalize_dollar_and_comments(void **state)
{
	(void)state;
	char *a = norm("create table t (a text default $$it's; \"x\"$$, b int check (b > 0) "
		       "/* x /* y */, c int -- z\n, \"d\"\"\" E'\\'')");
	assert_string_equal(a, "CREATE TABLE T(A TEXT DEFAULT $$it's; \"x\"$$,B INT CHECK(B>0),C INT,"
			       "\"d\"\"\" E'\\'')");
	assert_true(rt_sql_has_word(a, "C"));
	assert_true(rt_sql_has_word(a, "\"d\"\"\""));
	assert_false(rt_sql_has_word(a, "IT"));
	assert_false(rt_sql_has_word(a, "\"x\""));
	assert_false(rt_sql_has_word(a, "Y"));
	free(a);
	a = norm("x = $q$ a $$ b $q$ /* c */");
	assert_string_equal(a, "X=$q$ a $$ b $q$");
	free(a);
}

#ifdef RT_WITH_SQLITE
/* SQLite's CREATE TABLE text parsed into columns and constraints, with the
 * comments, quotes and defaults SQLite accepts. */
static void sqlite_parse_table(void **state)
{
	(void)state;
	sqlite3 *h;
	struct rt_schema s;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(sqlite3_open(":memory:", &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
		"CREATE TABLE t (a INT /* note /* inner */ NOT NULL, b TEXT DEFAULT 'x,''y' -- c, d\n,"
		" [c d] VARCHAR(10, 2), `e` INT CHECK (e IN (1, 2)), CONSTRAINT \"k\" UNIQUE (a, b), PRIMARY KEY (a)) WITHOUT ROWID",
		NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(rt_sqlite_schema_read(h, NULL, &s, &err), 0);
	assert_int_equal(s.ntables, 1);
	const struct rt_table *t = &s.tables[0];
	assert_int_equal(t->ncols, 4);
	assert_string_equal(t->cols[0].name, "a");
	assert_string_equal(t->cols[0].def, "A INT NOT NULL");
	assert_string_equal(t->cols[0].sql, "a INT /* note /* inner */ NOT NULL");
	assert_string_equal(t->cols[0].type, "INT");
	assert_string_equal(t->cols[1].def, "B TEXT DEFAULT 'x,''y'");
	assert_string_equal(t->cols[1].sql, "b TEXT DEFAULT 'x,''y'");
	assert_string_equal(t->cols[2].name, "c d");
	assert_string_equal(t->cols[2].q, "\"c d\"");
	assert_string_equal(t->cols[2].type, "VARCHAR(10,2)");
	assert_string_equal(t->cols[3].name, "e");
	assert_string_equal(t->cols[3].type, "INT");
	assert_int_equal(t->ncons, 2);
	assert_string_equal(t->cons[0].def, "CONSTRAINT K UNIQUE(A,B)");
	assert_int_equal(t->cons[0].kind, 'u');
	assert_string_equal(t->cons[0].q, "CONSTRAINT \"k\" UNIQUE (a, b)");
	assert_string_equal(t->cons[0].declared, "k");
	assert_string_equal(t->cons[1].def, "PRIMARY KEY(A)");
	assert_int_equal(t->cons[1].kind, 'p');
	assert_string_equal(t->cons[1].q, "PRIMARY KEY (a)");
	assert_null(t->cons[1].declared);
	assert_string_equal(t->options, "WITHOUT ROWID");
	rt_schema_release(&s);
	sqlite3_close(h);
}

/* The schema SQLite keeps for one statement, read into the model. */
static void sqlite_model(const char *ddl, struct rt_schema *s)
{
	sqlite3 *h;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(sqlite3_open(":memory:", &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, ddl, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(rt_sqlite_schema_read(h, NULL, s, &err), 0);
	sqlite3_close(h);
}

/* SQLite's constraints match by definition; a change line names one by the
 * name it was declared with (a changed definition under a kept name
 * differs), and an unnamed one by its text as written. */
static void sqlite_constraint_changes(void **state)
{
	(void)state;
	struct rt_schema from, to;
	struct rt_schema_diff d;
	sqlite_model("CREATE TABLE t (a INT, b TEXT, CONSTRAINT ck_a CHECK (a > 0),"
		     " CONSTRAINT \"Old\" CHECK (a < 9), UNIQUE (b))", &from);
	sqlite_model("CREATE TABLE t (a INT, b TEXT, constraint CK_A check (a > 1),"
		     " CONSTRAINT uq_t_a UNIQUE (a), CHECK (b <> ''))", &to);
	rt_schema_diff_init(&d);
	rt_schema_diff(&from, &to, &d);
	assert_int_equal(d.changes.nr, 5);
	assert_string_equal(d.changes.v[0], "table t: constraint ck_a differs: "
			    "CONSTRAINT ck_a CHECK (a > 0) -> constraint CK_A check (a > 1)");
	assert_string_equal(d.changes.v[1], "table t: constraint Old unexpected");
	assert_string_equal(d.changes.v[2], "table t: constraint UNIQUE (b) unexpected");
	assert_string_equal(d.changes.v[3], "table t: constraint CHECK (b <> '') missing");
	assert_string_equal(d.changes.v[4], "table t: constraint uq_t_a missing");
	assert_non_null(strstr(d.sql.buf, "rebuild table t"));
	rt_schema_diff_release(&d);
	rt_schema_release(&from);
	rt_schema_release(&to);
}
#endif

/* posts -> users, tags -> posts, and a and b in a cycle */
static void fk_order(void **state)
{
	(void)state;
	struct rt_schema s;
	rt_schema_init(&s, RT_DIALECT_PG);
	const char *names[] = { "a", "b", "posts", "tags", "users" };
	const char *refs[] = { "b", "a", "users", "posts", NULL };
	for (int i = 0; i < 5; i++)
		rt_schema_add_table(&s, names[i], names[i]);
	rt_schema_sort(&s);
	for (int i = 0; i < 5; i++)
		if (refs[i]) {
			struct rt_table *t = (struct rt_table *)rt_schema_table(&s, names[i]);
			rt_table_add_constraint(t, "fk", "fk", 'f', "FOREIGN KEY")->ref = xstrdup(refs[i]);
		}
	int n, *order = rt_schema_table_order(&s, NULL, &n);
	assert_int_equal(n, 5);
	const char *want[] = { "users", "posts", "tags", "a", "b" };
	for (int i = 0; i < n; i++)
		assert_string_equal(s.tables[order[i]].name, want[i]);
	free(order);
	rt_schema_release(&s);
}

static struct rt_column *col(struct rt_table *t, const char *name, const char *type, int notnull)
{
	struct rt_column *c = rt_table_add_column(t, name, name);
	c->type = xstrdup(type);
	c->notnull = notnull;
	return c;
}

static void pg_alter(void **state)
{
	(void)state;
	struct rt_schema from, to;
	struct rt_schema_diff d;
	rt_schema_init(&from, RT_DIALECT_PG);
	rt_schema_init(&to, RT_DIALECT_PG);
	struct rt_table *f = rt_schema_add_table(&from, "users", "users");
	col(f, "id", "integer", 1);
	col(f, "name", "text", 0);
	struct rt_table *t = rt_schema_add_table(&to, "users", "users");
	col(t, "id", "bigint", 1);
	col(t, "email", "text", 1)->dflt = xstrdup("''::text");
	rt_schema_diff_init(&d);
	rt_schema_diff(&from, &to, &d);
	assert_non_null(strstr(d.sql.buf, "ALTER TABLE users DROP COLUMN name;\n"));
	assert_non_null(strstr(d.sql.buf, "ALTER TABLE users ALTER COLUMN id TYPE bigint USING id::bigint;\n"));
	assert_non_null(strstr(d.sql.buf, "ALTER TABLE users ADD COLUMN email text DEFAULT ''::text NOT NULL;\n"));
	assert_non_null(strstr(d.sql.buf, "ALTER TABLE users RENAME COLUMN name TO email"));
	assert_true(d.destructive);
	assert_int_equal(d.changes.nr, 3);
	rt_schema_diff_release(&d);

	/* alike: nothing at all */
	rt_schema_diff_init(&d);
	rt_schema_diff(&to, &to, &d);
	assert_int_equal(d.sql.len, 0);
	assert_int_equal(d.changes.nr, 0);
	rt_schema_diff_release(&d);
	rt_schema_release(&from);
	rt_schema_release(&to);
}

static void sqlite_rename_table(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct rt_schema from, to;
	struct rt_schema_diff d;
	rt_schema_init(&from, RT_DIALECT_SQLITE);
	rt_schema_init(&to, RT_DIALECT_SQLITE);
	struct rt_table *f = rt_schema_add_table(&from, "t", "t");
	f->sql = xstrdup("CREATE TABLE IF NOT EXISTS t (a INT)");
	struct rt_column *c = col(f, "a", "INT", 0);
	c->def = xstrdup("A INT");
	c->sql = xstrdup("a INT");
	struct rt_table *t = rt_schema_add_table(&to, "t", "t");
	t->sql = xstrdup("CREATE TABLE IF NOT EXISTS t (a TEXT)");
	c = col(t, "a", "TEXT", 0);
	c->def = xstrdup("A TEXT");
	c->sql = xstrdup("a TEXT");
	rt_schema_diff_init(&d);
	rt_schema_diff(&from, &to, &d);
	strbuf_addstr(&sb, "CREATE TABLE IF NOT EXISTS \"_retort_new_t\" (a TEXT);\n"
			   "INSERT INTO \"_retort_new_t\" (a) SELECT a FROM t;\n"
			   "DROP TABLE t;\n"
			   "ALTER TABLE \"_retort_new_t\" RENAME TO t;\n");
	assert_non_null(strstr(d.sql.buf, sb.buf));
	assert_string_equal(d.changes.v[0], "table t: column a differs: a INT -> a TEXT");
	rt_schema_diff_release(&d);
	rt_schema_release(&from);
	rt_schema_release(&to);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize),
		cmocka_unit_test(normalize_dollar_and_comments),
#ifdef RT_WITH_SQLITE
		cmocka_unit_test(sqlite_parse_table),
		cmocka_unit_test(sqlite_constraint_changes),
#endif
		cmocka_unit_test(fk_order),
		cmocka_unit_test(pg_alter),
		cmocka_unit_test(sqlite_rename_table),
	};
	return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
