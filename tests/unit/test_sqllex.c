/* Unit tests of the SQL lexer (lib/sqllex.c): the token iterator's kinds
 * and offsets, and the statement splitter built on it: what ends a
 * statement and what never does; and the same for MySQL's rules
 * (RT_LEX_MYSQL), which leave the others unchanged. */
#include "unit.h"

#include "lib/sqllex.h"

/* Split `sql` with `flags` and compare the statements' texts with `expect`
 * (NULL-terminated). */
static void check_split_ex(const char *sql, unsigned flags, const char *const *expect)
{
	struct rt_stmts st;
	if (flags)
		rt_sql_split_ex(sql, strlen(sql), flags, &st);
	else
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

#define SPLIT(sql, ...) check_split_ex(sql, 0, (const char *const[]){ __VA_ARGS__, NULL })
#define MYSPLIT(sql, ...) check_split_ex(sql, RT_LEX_MYSQL, (const char *const[]){ __VA_ARGS__, NULL })

/* Lex `sql` with `flags` and compare each token's kind and text with
 * `expect`: pairs of a kind letter (w q s n p c) and the text, NULL-ended. */
static void check_tokens(const char *sql, unsigned flags, const char *const *expect)
{
	static const char kinds[] = "?wqsnpc";
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	int i = 0;
	rt_sql_lexer_init(&lx, sql, strlen(sql), flags);
	while (rt_sql_next(&lx, &t)) {
		if (!expect[i])
			fail_msg("'%s': extra token '%.*s'", sql, (int)t.len, sql + t.off);
		if (kinds[t.kind] != expect[i][0] || strlen(expect[i + 1]) != t.len ||
		    memcmp(sql + t.off, expect[i + 1], t.len))
			fail_msg("'%s': token %d is %c '%.*s', expected %c '%s'", sql, i / 2,
				 kinds[t.kind], (int)t.len, sql + t.off, expect[i][0], expect[i + 1]);
		i += 2;
	}
	if (expect[i])
		fail_msg("'%s': missing token '%s'", sql, expect[i + 1]);
	assert_int_equal(t.off, strlen(sql));
	assert_false(lx.unterminated);
}

#define TOKENS(sql, flags, ...) check_tokens(sql, flags, (const char *const[]){ __VA_ARGS__, NULL })

static void tokens(void **state)
{
	(void)state;
	TOKENS("SELECT \"Na\"\"me\", E'a\\'b', $q$it's $$ $q$, 1.5e-3, $1 FROM t_1;", 0,
	       "w", "SELECT", "q", "\"Na\"\"me\"", "p", ",", "s", "E'a\\'b'", "p", ",",
	       "s", "$q$it's $$ $q$", "p", ",", "n", "1.5e-3", "p", ",", "w", "$1", "w", "FROM",
	       "w", "t_1", "p", ";");
	/* comments are skipped, nested ones whole, unless asked for */
	TOKENS("a -- x 'y\n/* b /* c */ d' */ e", 0, "w", "a", "w", "e");
	TOKENS("a -- x\n/* b /* c */ d */ e", RT_LEX_COMMENTS, "w", "a", "c", "-- x", "c",
	       "/* b /* c */ d */", "w", "e");
	/* '$' inside a name is part of it; a dollar quote opens only after one */
	TOKENS("a$b$ x$$y", 0, "w", "a$b$", "w", "x$$y");
	/* nor right after one that ends in '$', and E' is not a prefix there */
	TOKENS("$$x$$$$y$$ $a$b$a$E'\\'", 0, "s", "$$x$$", "w", "$$y$$", "s", "$a$b$a$", "w", "E",
	       "s", "'\\'");
	/* E' opens a backslash string only as a word of its own */
	TOKENS("SOME'x\\' e'\\''", 0, "w", "SOME", "s", "'x\\'", "s", "e'\\''");
	/* SQLite's extra quotes, and PostgreSQL's subscripts without them */
	TOKENS("[a b] `c``d` x[1]]", RT_LEX_SQLITE, "q", "[a b]", "q", "`c``d`", "w", "x", "q", "[1]",
	       "p", "]");
	TOKENS("/* a /* b */ c", RT_LEX_SQLITE | RT_LEX_COMMENTS, "c", "/* a /* b */", "w", "c");
	TOKENS("x[1]", 0, "w", "x", "p", "[", "n", "1", "p", "]");
	TOKENS("1.x 2e+ 0x1F .5", 0, "n", "1", "p", ".", "w", "x", "n", "2e", "p", "+", "n", "0x1F",
	       "p", ".", "n", "5");
}

/* The iterator reports where an unclosed quote or comment starts. */
static void tokens_unterminated(void **state)
{
	(void)state;
	static const char *const cases[] = { "SELECT $t$ x $t", "SELECT 'it''s",
					     "SELECT E'\\'", "SELECT \"x" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct rt_sql_lexer lx;
		struct rt_sql_tok t;
		rt_sql_lexer_init(&lx, cases[i], strlen(cases[i]), 0);
		assert_int_equal(rt_sql_next(&lx, &t), RT_SQL_WORD);
		assert_int_not_equal(rt_sql_next(&lx, &t), RT_SQL_END);
		assert_true(t.unterminated);
		assert_int_equal(t.off + t.len, strlen(cases[i]));
		assert_int_equal(rt_sql_next(&lx, &t), RT_SQL_END);
		assert_true(lx.unterminated);
		assert_int_equal(lx.open_off, 7);
	}
	/* the comment case returns no token at all for the comment */
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	const char *sql = "x /* a /* b */ open";
	rt_sql_lexer_init(&lx, sql, strlen(sql), 0);
	assert_int_equal(rt_sql_next(&lx, &t), RT_SQL_WORD);
	assert_true(rt_sql_tok_is(sql, &t, "X"));
	assert_false(rt_sql_tok_is(sql, &t, "XY"));
	assert_int_equal(rt_sql_next(&lx, &t), RT_SQL_END);
	assert_true(lx.unterminated);
	assert_int_equal(lx.open_off, 2);
}

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
	/* an E'' string is reported at its quote, a nested comment at its start */
	sql = "SELECT E'x\\';";
	rt_sql_split(sql, strlen(sql), &st);
	assert_true(st.unterminated);
	assert_int_equal(st.open_off, 8);
	assert_int_equal(st.nr, 1);
	rt_stmts_release(&st);
	sql = "SELECT $$x;";
	rt_sql_split(sql, strlen(sql), &st);
	assert_true(st.unterminated);
	assert_int_equal(st.open_off, 7);
	rt_stmts_release(&st);
	sql = "SELECT 1; /* a /* b */ SELECT 2;";
	rt_sql_split(sql, strlen(sql), &st);
	assert_true(st.unterminated);
	assert_int_equal(st.open_off, 10);
	assert_int_equal(st.nr, 1);
	rt_stmts_release(&st);
}

/* MySQL's tokens: backtick names, "..." strings, backslash escapes, # and
 * "-- " comments, version comments whose content is SQL, no dollar quotes. */
static void mysql_tokens(void **state)
{
	(void)state;
	TOKENS("SELECT `a``b`, \"it\\\"s\", 'x\\'y', $x$ # rest; of line\n", RT_LEX_MYSQL | RT_LEX_COMMENTS,
	       "w", "SELECT", "q", "`a``b`", "p", ",", "s", "\"it\\\"s\"", "p", ",", "s", "'x\\'y'",
	       "p", ",", "w", "$x$", "c", "# rest; of line");
	TOKENS("1--1 -- c\n/*!50100 KEY */ /*M!100100 x */ /* a /* b */ c", RT_LEX_MYSQL | RT_LEX_COMMENTS,
	       "n", "1", "p", "-", "p", "-", "n", "1", "c", "-- c", "c", "/*!50100", "w", "KEY", "c", "*/",
	       "c", "/*M!100100", "w", "x", "c", "*/", "c", "/* a /* b */", "w", "c");
	/* the same text by the common rules: # is punctuation, ` too, "..." a name */
	TOKENS("`a` # \"b\"", 0, "p", "`", "w", "a", "p", "`", "p", "#", "q", "\"b\"");
}

/* The name a token spells: its quotes off and doubled quotes undone, by
 * each dialect's quotes; a word as written; an unclosed name to its end. */
static void names(void **state)
{
	(void)state;
	static const struct {
		const char *sql;
		unsigned flags;
		const char *name;
	} cases[] = {
		{ "\"Na\"\"me\" x", 0, "Na\"me" },
		{ "`a``b` x", RT_LEX_MYSQL, "a`b" },
		{ "`a\"b` x", RT_LEX_SQLITE, "a\"b" },
		{ "[a]] x", RT_LEX_SQLITE, "a" },
		{ "\"\" x", 0, "" },
		{ "Mixed_1 x", 0, "Mixed_1" },
		{ "\"open", 0, "open" },
		{ "`op``en", RT_LEX_MYSQL, "op`en" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct rt_sql_lexer lx;
		struct rt_sql_tok t;
		rt_sql_lexer_init(&lx, cases[i].sql, strlen(cases[i].sql), cases[i].flags);
		assert_int_not_equal(rt_sql_next(&lx, &t), RT_SQL_END);
		char *name = rt_sql_tok_name(cases[i].sql, &t);
		assert_string_equal(name, cases[i].name);
		free(name);
	}
}

/* MySQL's statements: semicolons in its quotes and comments, version
 * comments as statements, and the client's DELIMITER command. */
static void mysql_split(void **state)
{
	(void)state;
	MYSPLIT("INSERT INTO t VALUES ('a\\';b'); # x; y\nSELECT `;`;",
		"INSERT INTO t VALUES ('a\\';b');", "SELECT `;`;");
	MYSPLIT("/*!40101 SET @x = 1 */;\n/*!40014 SET a=b; */\nSELECT 1",
		"/*!40101 SET @x = 1 */;", "/*!40014 SET a=b; */\nSELECT 1");
	MYSPLIT("DELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  IF x THEN SELECT 2; END IF;\nEND //\n"
		"DELIMITER ;\nCALL p();\nSELECT 3;",
		"CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  IF x THEN SELECT 2; END IF;\nEND ",
		"CALL p();", "SELECT 3;");
	MYSPLIT("delimiter $$\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1$$\n"
		"SELECT 'a$$b'$$\nDELIMITER ;",
		"CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1", "SELECT 'a$$b'");
	/* DELIMITER is a command only at the start of a line and of a statement */
	MYSPLIT("SELECT 1 DELIMITER //;", "SELECT 1 DELIMITER //;");
	/* the common rules never knew DELIMITER, and still do not */
	SPLIT("DELIMITER //\nSELECT 1; //", "DELIMITER //\nSELECT 1;", "//");
	/* an unclosed "..." is reported at its quote (the fuzzer found it one past) */
	struct rt_stmts st;
	rt_sql_split_ex("SELECT \"ab", 10, RT_LEX_MYSQL, &st);
	assert_true(st.unterminated);
	assert_int_equal(st.open_off, 7);
	rt_stmts_release(&st);
	/* rt_sql_words skips MySQL's comments */
	char w[64];
	const char *v = "/*!50003 CREATE*/ /*!50017 DEFINER=x*/ # c\n TRIGGER";
	rt_sql_words_ex(v, strlen(v), 3, RT_LEX_MYSQL, w, sizeof(w));
	assert_string_equal(w, "CREATE DEFINER");
}

static void words(void **state)
{
	(void)state;
	char w[64];
	const char *s = "  /* c */ create  index\n-- x\n concurrently i ON t (x);";
	rt_sql_words(s, strlen(s), 3, w, sizeof(w));
	assert_string_equal(w, "CREATE INDEX CONCURRENTLY");
	/* words stop at a byte that is not a letter, digit or '_' */
	s = "ROLLBACK$x TO";
	rt_sql_words(s, strlen(s), 3, w, sizeof(w));
	assert_string_equal(w, "ROLLBACK");
	s = "begin; commit";
	rt_sql_words(s, strlen(s), 3, w, sizeof(w));
	assert_string_equal(w, "BEGIN");
	rt_sql_words(s, strlen(s), 3, w, 4);
	assert_string_equal(w, "BEG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tokens),
		cmocka_unit_test(tokens_unterminated),
		cmocka_unit_test(basics),
		cmocka_unit_test(quotes),
		cmocka_unit_test(bodies),
		cmocka_unit_test(unterminated),
		cmocka_unit_test(words),
		cmocka_unit_test(names),
		cmocka_unit_test(mysql_tokens),
		cmocka_unit_test(mysql_split),
	};
	return cmocka_run_group_tests_name("sqllex", tests, NULL, NULL);
}
