/*
 * Reading a SQLite database's schema into the model.  SQLite keeps each
 * object's DDL as written in sqlite_schema, so tables are read by parsing
 * their CREATE TABLE text into column definitions and table constraints
 * (each normalized, so spacing, case and quoting do not count), with
 * PRAGMA foreign_key_list for the tables each one references.
 */
#include "sqlite_schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/xalloc.h"

static int sqlite_keyword(const char *word)
{
	return sqlite3_keyword_check(word, (int)strlen(word));
}

char *rt_sqlite_quote(const char *s)
{
	return rt_sql_quote_ident(s, sqlite_keyword);
}

/* A name token without its quotes (doubled quotes undone). */
static char *unquote(const char *b, const char *e)
{
	if (e - b >= 2 && (*b == '"' || *b == '`' || *b == '[')) {
		struct strbuf sb = STRBUF_INIT;
		char close = *b == '[' ? ']' : *b;
		for (const char *p = b + 1; p < e - 1; p++) {
			strbuf_addch(&sb, *p);
			if (*p == close && close != ']' && p + 1 < e - 1 && p[1] == close)
				p++;
		}
		return strbuf_detach(&sb);
	}
	return xstrndup(b, (size_t)(e - b));
}

static int tok_is(const char *b, const char *e, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(e - b) == n && !strncasecmp(b, word, n);
}

/* The table constraint kind an element starts with, or 0 for a column. */
static char element_kind(const char *b, const char *end)
{
	const char *tb, *te, *p = b;
	if (!rt_sql_token(&p, end, &tb, &te))
		return 0;
	if (tok_is(tb, te, "CONSTRAINT")) {
		if (!rt_sql_token(&p, end, &tb, &te) || !rt_sql_token(&p, end, &tb, &te))
			return 'c';
	}
	if (tok_is(tb, te, "PRIMARY"))
		return 'p';
	if (tok_is(tb, te, "UNIQUE"))
		return 'u';
	if (tok_is(tb, te, "CHECK"))
		return 'c';
	if (tok_is(tb, te, "FOREIGN"))
		return 'f';
	return 0;
}

/* One element of the table body: a column definition or a table constraint. */
static void add_element(struct rt_table *t, const char *b, const char *e)
{
	char *def = rt_sql_normalize(b, (size_t)(e - b));
	char kind = element_kind(b, e);
	if (kind) {
		rt_table_add_constraint(t, def, def, kind, def);
	} else {
		const char *p = b, *tb, *te;
		if (rt_sql_token(&p, e, &tb, &te)) {
			char *name = unquote(tb, te);
			char *q = rt_sqlite_quote(name);
			struct rt_column *c = rt_table_add_column(t, name, q);
			c->def = xstrdup(def);
			/* as written, up to its last token (a trailing comment would
			 * swallow the semicolon after it) */
			const char *lp = tb, *lb, *le, *last = te;
			while (rt_sql_token(&lp, e, &lb, &le))
				last = le;
			c->sql = xstrndup(tb, (size_t)(last - tb));
			/* the declared type: the words after the name up to a constraint keyword */
			const char *ts = NULL, *tend = NULL;
			int depth = 0;
			while (rt_sql_token(&p, e, &tb, &te)) {
				if (!depth && (tok_is(tb, te, "CONSTRAINT") || tok_is(tb, te, "PRIMARY") ||
					       tok_is(tb, te, "NOT") || tok_is(tb, te, "NULL") ||
					       tok_is(tb, te, "UNIQUE") || tok_is(tb, te, "CHECK") ||
					       tok_is(tb, te, "DEFAULT") || tok_is(tb, te, "COLLATE") ||
					       tok_is(tb, te, "REFERENCES") || tok_is(tb, te, "GENERATED") ||
					       tok_is(tb, te, "AS")))
					break;
				depth += *tb == '(' ? 1 : *tb == ')' ? -1 : 0;
				if (!ts)
					ts = tb;
				tend = te;
			}
			c->type = ts ? rt_sql_normalize(ts, (size_t)(tend - ts)) : xstrdup("");
			free(name);
			free(q);
		}
	}
	free(def);
}

/*
 * Parse CREATE TABLE text: the body between the first parenthesis and its
 * match, split at top-level commas; what follows is the table options.
 */
static void parse_table(struct rt_table *t, const char *sql)
{
	const char *p = sql, *end = sql + strlen(sql), *b, *e;
	while (rt_sql_token(&p, end, &b, &e) && *b != '(')
		;
	if (p >= end)
		return;
	int depth = 1;
	const char *el = p;
	while (depth && rt_sql_token(&p, end, &b, &e)) {
		if (*b == '(') {
			depth++;
		} else if (*b == ')') {
			if (--depth == 0)
				add_element(t, el, b);
		} else if (*b == ',' && depth == 1) {
			add_element(t, el, b);
			el = e;
		}
	}
	char *opts = rt_sql_normalize(p, (size_t)(end - p));
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
			       "AND tbl_name <> ?1 ORDER BY rowid",
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
