/*
 * Reading a SQLite database's schema into the model.  SQLite keeps each
 * object's DDL as written in sqlite_schema, so tables are read by parsing
 * their CREATE TABLE text into column definitions and table constraints
 * (each normalized, so spacing, case and quoting do not count), with
 * PRAGMA foreign_key_list for the tables each one references.
 */
#include "sqlite_schema.h"
#include "version_table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/sqllex.h"
#include "../lib/xalloc.h"

static int sqlite_keyword(const char *word)
{
	return sqlite3_keyword_check(word, (int)strlen(word));
}

char *rt_sqlite_quote(const char *s)
{
	return rt_sql_quote_ident(s, sqlite_keyword);
}

/* The table constraint kind an element [b, e) starts with, or 0 for a column. */
static char element_kind(const char *b, const char *e)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	rt_sql_lexer_init(&lx, b, (size_t)(e - b), RT_LEX_SQLITE);
	if (!rt_sql_next(&lx, &t))
		return 0;
	if (rt_sql_tok_is(b, &t, "CONSTRAINT")) {
		if (!rt_sql_next(&lx, &t) || !rt_sql_next(&lx, &t))
			return 'c';
	}
	if (rt_sql_tok_is(b, &t, "PRIMARY"))
		return 'p';
	if (rt_sql_tok_is(b, &t, "UNIQUE"))
		return 'u';
	if (rt_sql_tok_is(b, &t, "CHECK"))
		return 'c';
	if (rt_sql_tok_is(b, &t, "FOREIGN"))
		return 'f';
	return 0;
}

/* Does a column definition's declared type end before this token? */
static int ends_type(const char *b, const struct rt_sql_tok *t)
{
	static const char *const kw[] = { "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK",
					   "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS", NULL };
	for (int i = 0; kw[i]; i++)
		if (rt_sql_tok_is(b, t, kw[i]))
			return 1;
	return 0;
}

/*
 * One element [b, e) of the table body: a table constraint, or a column
 * definition: its name, its text as written up to its last token (a
 * trailing comment would swallow the semicolon after it) and its declared
 * type, the tokens after the name up to a constraint keyword.
 */
static void add_element(struct rt_table *t, const char *b, const char *e)
{
	char *def = rt_sql_normalize(b, (size_t)(e - b));
	char kind = element_kind(b, e);
	struct rt_sql_lexer lx;
	struct rt_sql_tok tok;
	rt_sql_lexer_init(&lx, b, (size_t)(e - b), RT_LEX_SQLITE);
	if (kind) {
		/* a kind means a first token: the constraint as written runs from it
		 * to the last token, and CONSTRAINT gives it a name */
		rt_sql_next(&lx, &tok);
		struct rt_sql_tok first = tok, last = tok, lt;
		struct rt_sql_lexer rest = lx;
		while (rt_sql_next(&rest, &lt))
			last = lt;
		char *sql = xstrndup(b + first.off, last.off + last.len - first.off);
		struct rt_constraint *k = rt_table_add_constraint(t, def, sql, kind, def);
		if (rt_sql_tok_is(b, &first, "CONSTRAINT") && rt_sql_next(&lx, &tok))
			k->declared = rt_sql_tok_name(b, &tok);
		free(sql);
	} else if (rt_sql_next(&lx, &tok)) {
		const char *nb = b + tok.off;
		char *name = rt_sql_tok_name(b, &tok);
		char *q = rt_sqlite_quote(name);
		struct rt_column *c = rt_table_add_column(t, name, q);
		c->def = xstrdup(def);
		struct rt_sql_lexer rest = lx;
		struct rt_sql_tok last = tok, lt;
		while (rt_sql_next(&rest, &lt))
			last = lt;
		c->sql = xstrndup(nb, last.off + last.len - tok.off);
		size_t ts = 0, tend = 0;
		int depth = 0, any = 0;
		while (rt_sql_next(&lx, &tok)) {
			if (!depth && ends_type(b, &tok))
				break;
			if (tok.kind == RT_SQL_PUNCT)
				depth += b[tok.off] == '(' ? 1 : b[tok.off] == ')' ? -1 : 0;
			if (!any)
				ts = tok.off, any = 1;
			tend = tok.off + tok.len;
		}
		c->type = any ? rt_sql_normalize(b + ts, tend - ts) : xstrdup("");
		free(name);
		free(q);
	}
	free(def);
}

/*
 * Parse CREATE TABLE text: the body between the first parenthesis and its
 * match, split at top-level commas; what follows is the table options.
 */
static void parse_table(struct rt_table *t, const char *sql)
{
	size_t len = strlen(sql), el;
	struct rt_sql_lexer lx;
	struct rt_sql_tok tok;
	rt_sql_lexer_init(&lx, sql, len, RT_LEX_SQLITE);
	while (rt_sql_next(&lx, &tok) && !(tok.kind == RT_SQL_PUNCT && sql[tok.off] == '('))
		;
	if (lx.pos >= len)
		return;
	int depth = 1;
	el = lx.pos;
	while (depth && rt_sql_next(&lx, &tok)) {
		if (tok.kind != RT_SQL_PUNCT)
			continue;
		char c = sql[tok.off];
		if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth == 0)
				add_element(t, sql + el, sql + tok.off);
		} else if (c == ',' && depth == 1) {
			add_element(t, sql + el, sql + tok.off);
			el = tok.off + 1;
		}
	}
	char *opts = rt_sql_normalize(sql + lx.pos, len - lx.pos);
	if (*opts)
		t->options = opts;
	else
		free(opts);
}

static int sq_fail(sqlite3 *h, struct rt_error *err, const char *what)
{
	return rt_error_set(err, RT_EXIT_ERROR, "cannot read the schema (%s): %s", what,
			    sqlite3_errmsg(h));
}

/* The tables a table's foreign keys point at, as 'r' constraints. */
static int read_refs(sqlite3 *h, struct rt_table *t, struct rt_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)", -1, &st,
			       NULL) != SQLITE_OK)
		return sq_fail(h, err, "foreign keys");
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 0);
		if (!ref)
			continue;
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "~references %s", ref);
		struct rt_constraint *c = rt_table_add_constraint(t, sb.buf, sb.buf, 'r', sb.buf);
		c->ref = xstrdup(ref);
		strbuf_release(&sb);
	}
	sqlite3_finalize(st);
	return 0;
}

int rt_sqlite_schema_read(sqlite3 *h, const char *skip_table, struct rt_schema *out,
			  struct rt_error *err)
{
	sqlite3_stmt *st;
	rt_schema_init(out, RT_DIALECT_SQLITE);
	if (sqlite3_prepare_v2(h,
			       "SELECT type, name, tbl_name, sql FROM sqlite_schema "
			       "WHERE sql IS NOT NULL AND substr(name, 1, 7) <> 'sqlite_' "
			       "AND tbl_name NOT IN (?1, '" RT_PROGRESS_TABLE "', '" RT_HISTORY_TABLE "') ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return sq_fail(h, err, "sqlite_schema");
	sqlite3_bind_text(st, 1, skip_table ? skip_table : "", -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *tbl = (const char *)sqlite3_column_text(st, 2);
		const char *sql = (const char *)sqlite3_column_text(st, 3);
		char *q = rt_sqlite_quote(name);
		if (!strcmp(type, "table")) {
			struct rt_table *t = rt_schema_add_table(out, name, q);
			t->sql = xstrdup(sql);
			parse_table(t, sql);
		} else {
			struct rt_object *o = !strcmp(type, "index")
				? rt_schema_add_object(&out->indexes, &out->nindexes, &out->aindexes, name, q)
				: !strcmp(type, "view")
				? rt_schema_add_object(&out->views, &out->nviews, &out->aviews, name, q)
				: rt_schema_add_object(&out->triggers, &out->ntriggers, &out->atriggers, name, q);
			if (strcmp(type, "view"))
				o->table = xstrdup(tbl);
			o->sql = xstrdup(sql);
			o->def = rt_sql_normalize(sql, strlen(sql));
		}
		free(q);
	}
	if (rc != SQLITE_DONE) {
		sq_fail(h, err, "sqlite_schema");
		sqlite3_finalize(st);
		rt_schema_release(out);
		return -1;
	}
	sqlite3_finalize(st);
	for (int i = 0; i < out->ntables; i++)
		if (read_refs(h, &out->tables[i], err)) {
			rt_schema_release(out);
			return -1;
		}
	rt_schema_sort(out);
	return 0;
}
