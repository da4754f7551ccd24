/*
 * The SQL lexer and splitter, by the common rules and by MySQL's.  The
 * input is copied into a buffer of exactly its size, so a read past `len`
 * is an ASan error.  Properties:
 * statements are non-empty, in order, inside the input and do not
 * overlap; tokens likewise, and the token iterator always ends; word
 * lists are NUL-terminated inside their buffer.
 */
#include "fuzz.h"

#include <string.h>

#include "lib/sqllex.h"

static void tokens(const char *sql, size_t len, unsigned flags)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok tok;
	size_t end = 0, n = 0;

	rt_sql_lexer_init(&lx, sql, len, flags);
	while (rt_sql_next(&lx, &tok) != RT_SQL_END) {
		FUZZ_CHECK(tok.len > 0);
		FUZZ_CHECK(tok.off >= end);
		FUZZ_CHECK(tok.off <= len && tok.len <= len - tok.off);
		FUZZ_CHECK(tok.kind != RT_SQL_COMMENT || (flags & RT_LEX_COMMENTS));
		if (tok.kind == RT_SQL_PUNCT)
			FUZZ_CHECK(tok.len == 1);
		(void)rt_sql_tok_is(sql, &tok, "BEGIN");
		end = tok.off + tok.len;
		FUZZ_CHECK(++n <= len);  /* every token takes at least one byte */
	}
	if (lx.unterminated)
		FUZZ_CHECK(lx.open_off < len);
}

/* The splitter with `flags` (0: the common rules, RT_LEX_MYSQL). */
static void split(const char *sql, size_t size, unsigned flags)
{
	struct rt_stmts st = { 0 };
	char words[64];
	size_t end = 0;

	rt_sql_split_ex(sql, size, flags, &st);
	FUZZ_CHECK(st.nr >= 0 && st.nr <= st.alloc);
	for (int i = 0; i < st.nr; i++) {
		const struct rt_stmt *s = &st.v[i];
		FUZZ_CHECK(s->len > 0);
		FUZZ_CHECK(s->off >= end);
		FUZZ_CHECK(s->off <= size && s->len <= size - s->off);
		end = s->off + s->len;
		rt_sql_words_ex(sql + s->off, s->len, 3, flags, words, sizeof(words));
		FUZZ_CHECK(memchr(words, '\0', sizeof(words)) != NULL);
		(void)rt_sql_is_txn_control(words);
		rt_sql_words_ex(sql + s->off, s->len, 8, flags, words, 8);  /* a short buffer */
		FUZZ_CHECK(memchr(words, '\0', 8) != NULL);
	}
	if (st.unterminated)
		FUZZ_CHECK(st.open_off < size);
	rt_stmts_release(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sql = malloc(size ? size : 1);

	if (!sql)
		return 0;
	memcpy(sql, data, size);
	split(sql, size, 0);
	split(sql, size, RT_LEX_MYSQL);
	/* every combination of the flags, MySQL's among them */
	for (unsigned flags = 0; flags < 8; flags++)
		tokens(sql, size, flags);
	free(sql);
	return 0;
}
