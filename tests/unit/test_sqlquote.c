/* Unit tests of the quoters (lib/sqlquote.c): when a name stays bare and
 * how it is quoted otherwise, by each dialect's quote character and
 * keyword test; and string literals, with and without backslash escapes. */
#include "unit.h"

#include "lib/sqlquote.h"

static struct strbuf out = STRBUF_INIT;

/* The identifier quoter's text for `name`. */
static const char *ident(const char *name, rt_keyword_fn is_keyword, char quote)
{
	strbuf_reset(&out);
	rt_sql_add_ident_q(&out, name, is_keyword, quote);
	return out.buf;
}

/* The literal quoter's text for `s`. */
static const char *literal(const char *s, int backslash)
{
	strbuf_reset(&out);
	rt_sql_add_literal_ex(&out, s, backslash);
	return out.buf;
}

static int only_users(const char *word)
{
	return !strcmp(word, "users");
}

/* A plain lowercase word that is no keyword stays bare; anything else is
 * quoted, the quote character doubled inside. */
static void names(void **state)
{
	(void)state;
	assert_string_equal(ident("users", NULL, '"'), "users");
	assert_string_equal(ident("_t2", NULL, '"'), "_t2");
	assert_string_equal(ident("Users", NULL, '"'), "\"Users\"");
	assert_string_equal(ident("2t", NULL, '"'), "\"2t\"");
	assert_string_equal(ident("my table", NULL, '"'), "\"my table\"");
	assert_string_equal(ident("na\"me", NULL, '"'), "\"na\"\"me\"");
	assert_string_equal(ident("", NULL, '"'), "\"\"");
	/* NULL: the common keywords */
	assert_string_equal(ident("order", NULL, '"'), "\"order\"");
	assert_true(rt_sql_common_keyword("select"));
	assert_false(rt_sql_common_keyword("users"));
	/* the dialect's own keyword test */
	assert_string_equal(ident("order", only_users, '"'), "order");
	assert_string_equal(ident("users", only_users, '"'), "\"users\"");
	/* MySQL's backticks: a double quote inside is just a byte */
	assert_string_equal(ident("na`me", NULL, '`'), "`na``me`");
	assert_string_equal(ident("na\"me", NULL, '`'), "`na\"me`");
	/* and the forms that return a new string */
	char *q = rt_sql_quote_ident("Vt", NULL);
	assert_string_equal(q, "\"Vt\"");
	free(q);
	q = rt_sql_quote_ident_q("a`b", rt_sql_every_word, '`');
	assert_string_equal(q, "`a``b`");
	free(q);
}

/* With rt_sql_every_word every name is quoted, plain ones too. */
static void always_quoted(void **state)
{
	(void)state;
	assert_string_equal(ident("users", rt_sql_every_word, '`'), "`users`");
	assert_string_equal(ident("id", rt_sql_every_word, '"'), "\"id\"");
}

/* Quotes are doubled; backslashes only for a server that reads them as
 * escapes, where a lone one would eat the closing quote. */
static void literals(void **state)
{
	(void)state;
	assert_string_equal(literal("it's", 0), "'it''s'");
	assert_string_equal(literal("", 0), "''");
	assert_string_equal(literal("a\\b", 0), "'a\\b'");
	assert_string_equal(literal("a\\", 1), "'a\\\\'");
	assert_string_equal(literal("it's \\'x", 1), "'it''s \\\\''x'");
	/* other bytes pass as they are, UTF-8 too */
	assert_string_equal(literal("\"é\n", 1), "'\"é\n'");
	struct strbuf sb = STRBUF_INIT;
	rt_sql_add_literal(&sb, "a'\\");
	assert_string_equal(sb.buf, "'a''\\'");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(always_quoted),
		cmocka_unit_test(literals),
	};
	int rc = cmocka_run_group_tests_name("sqlquote", tests, NULL, NULL);
	strbuf_release(&out);
	return rc;
}
