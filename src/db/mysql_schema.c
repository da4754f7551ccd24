/*
 * Reading the current MySQL or MariaDB database into the model.  The
 * lists come from information_schema: the base tables, every column with
 * its type and nullability in order, the views.  The definitions come from
 * SHOW CREATE TABLE, the server's own deparser: each column, key and
 * constraint as the server spells it and takes it back, so both sides of
 * a comparison read alike when they mean the same (MySQL says "int(11)"
 * however the DDL said INTEGER).  One SHOW CREATE TABLE per table, all
 * sent in one round trip.
 *
 * What lands where in the model (schema/model.h):
 *   column def     the definition after the name ("int(11) NOT NULL AUTO_INCREMENT")
 *   column type    information_schema's COLUMN_TYPE ("bigint(20) unsigned")
 *   constraints    'p' the primary key (named PRIMARY, as MySQL names it),
 *                  'f' foreign keys (ref: the table they reference), 'c' checks
 *   indexes        every other key (UNIQUE, plain, FULLTEXT, SPATIAL), named
 *                  "table.key" as MySQL names keys per table; def is the key
 *                  as printed, sql the ALTER TABLE ... ADD that creates it
 *   table options  ENGINE, charset, collation, row format...: what follows
 *                  the column list, without AUTO_INCREMENT=n (a counter,
 *                  not a shape) and COMMENT, which goes to comment as the
 *                  literal the server printed ('it''s')
 *   views          def and sql: CREATE [SQL SECURITY INVOKER] VIEW ... AS,
 *                  the definition with the database's own name taken out
 * Triggers, routines, events and MariaDB sequences are not read.
 */
#include "mysql_schema.h"
#include "lock_table.h"
#include "version_table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/sqllex.h"
#include "../lib/sqlquote.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

static int fail(MYSQL *c, const char *what, struct rt_error *err)
{
	return rt_error_set(err, RT_EXIT_ERROR, "cannot read the schema (%s): %u (%s): %s", what,
			    mysql_errno(c), mysql_sqlstate(c), mysql_error(c));
}

/* One query's whole result; NULL with err set on failure. */
static MYSQL_RES *query(MYSQL *c, const char *sql, const char *what, struct rt_error *err)
{
	if (mysql_real_query(c, sql, (unsigned long)strlen(sql))) {
		fail(c, what, err);
		return NULL;
	}
	MYSQL_RES *r = mysql_store_result(c);
	if (!r)
		fail(c, what, err);
	return r;
}

/* A name as SHOW CREATE TABLE prints it, always quoted: `na``me`. */
static char *quote_ident(const char *s)
{
	return rt_sql_quote_ident_q(s, rt_sql_every_word, rt_sql_mysql.ident_quote);
}

/* Append `s` as a string literal, as this connection's server reads it:
 * a backslash is an escape unless the sql_mode says NO_BACKSLASH_ESCAPES. */
static void add_literal(MYSQL *c, struct strbuf *sb, const char *s)
{
	rt_sql_add_literal_ex(sb, s, !(c->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES));
}

/* The lexer over SHOW CREATE TABLE's text: the server's own SQL, which
 * it reads back by MySQL's rules. */
static void lex(struct rt_sql_lexer *lx, const char *s, size_t n)
{
	rt_sql_lexer_init(lx, s, n, RT_LEX_MYSQL);
}

/* Is the token the punctuation `ch`? */
static int punct(const char *s, const struct rt_sql_tok *t, char ch)
{
	return t->kind == RT_SQL_PUNCT && s[t->off] == ch;
}

/* The table a foreign key references: the name after REFERENCES, or NULL
 * when it lives in another database (`db`.`t`). */
static char *fk_target(const char *def)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t, name;
	lex(&lx, def, strlen(def));
	while (rt_sql_next(&lx, &t))
		if (rt_sql_tok_is(def, &t, "REFERENCES")) {
			if (rt_sql_next(&lx, &name) != RT_SQL_QNAME ||
			    (rt_sql_next(&lx, &t) && punct(def, &t, '.')))
				return NULL;
			return rt_sql_tok_name(def, &name);
		}
	return NULL;
}

/* The text after token t to the end of the entry (`n` bytes at it),
 * without the white space before it, as a new string. */
static char *rest_after(const char *it, size_t n, const struct rt_sql_tok *t)
{
	size_t i = t->off + t->len;
	while (i < n && it[i] == ' ')
		i++;
	return xstrndup(it + i, n - i);
}

/* One entry of the column list: a column, the primary key, a constraint
 * or a key. */
static int read_item(struct rt_schema *s, struct rt_table *t, const char *it, size_t n,
		     struct rt_error *err)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok a, b;
	struct strbuf sb = STRBUF_INIT;
	lex(&lx, it, n);
	rt_sql_next(&lx, &a);
	rt_sql_next(&lx, &b);
	if (a.kind == RT_SQL_QNAME) {
		char *name = rt_sql_tok_name(it, &a);
		struct rt_column *col = NULL;
		for (int k = 0; k < t->ncols; k++)
			if (!strcmp(t->cols[k].name, name))
				col = &t->cols[k];
		free(name);
		if (!col)
			return rt_error_set(err, RT_EXIT_ERROR, "cannot read the schema: SHOW CREATE "
					    "TABLE %s names a column information_schema does not show (the "
					    "user needs SELECT on the table to see its columns there): %.*s",
					    t->q, (int)n, it);
		col->def = rest_after(it, n, &a);
		return 0;
	}
	if (rt_sql_tok_is(it, &a, "PRIMARY") && rt_sql_tok_is(it, &b, "KEY")) {
		char *def = xstrndup(it, n);
		rt_table_add_constraint(t, "PRIMARY", "PRIMARY KEY", 'p', def);
		free(def);
		return 0;
	}
	if (rt_sql_tok_is(it, &a, "CONSTRAINT") && b.kind == RT_SQL_QNAME) {
		char *name = rt_sql_tok_name(it, &b);
		char *def = rest_after(it, n, &b);
		char kind = !strncmp(def, "FOREIGN KEY", 11) ? 'f' : 'c';
		char *q = quote_ident(name);
		struct rt_constraint *c = rt_table_add_constraint(t, name, q, kind, def);
		if (kind == 'f')
			c->ref = fk_target(c->def);
		free(q);
		free(name);
		free(def);
		return 0;
	}
	/* a key: UNIQUE KEY `n` (...), KEY `n` (...), FULLTEXT KEY, SPATIAL KEY */
	struct rt_sql_tok k = b;
	while (k.kind != RT_SQL_QNAME && k.kind != RT_SQL_END)
		rt_sql_next(&lx, &k);
	if (k.kind != RT_SQL_QNAME)
		return rt_error_set(err, RT_EXIT_ERROR, "cannot read the schema: SHOW CREATE TABLE %s "
				    "has an entry retort does not know: %.*s", t->q, (int)n, it);
	char *key = rt_sql_tok_name(it, &k);
	strbuf_addf(&sb, "%s.%s", t->name, key);
	char *q = quote_ident(key);
	struct rt_object *o = rt_schema_add_object(&s->indexes, &s->nindexes, &s->aindexes, sb.buf, q);
	o->table = xstrdup(t->name);
	o->def = xstrndup(it, n);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "ALTER TABLE %s ADD %.*s", t->q, (int)n, it);
	o->sql = strbuf_detach(&sb);
	free(q);
	free(key);
	return 0;
}

static int starts(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);
	return n >= l && !strncmp(s, p, l);
}

/* The table options after the column list (`n` bytes at p), option by
 * option (tokens with no white space between them: COMMENT='a b'),
 * without AUTO_INCREMENT=n; COMMENT='...' goes to t->comment. */
static void read_options(const char *p, size_t n, struct rt_table *t)
{
	struct strbuf opts = STRBUF_INIT;
	struct rt_sql_lexer lx;
	struct rt_sql_tok tok;
	rt_sql_lexer_init(&lx, p, n, RT_LEX_MYSQL | RT_LEX_COMMENTS);
	int more = rt_sql_next(&lx, &tok) != RT_SQL_END;
	while (more) {
		size_t w = tok.off, e = tok.off + tok.len;
		while ((more = rt_sql_next(&lx, &tok) != RT_SQL_END) && tok.off == e)
			e = tok.off + tok.len;
		if (starts(p + w, e - w, "AUTO_INCREMENT="))
			continue;
		if (starts(p + w, e - w, "COMMENT=")) {
			free(t->comment);
			t->comment = xstrndup(p + w + 8, e - w - 8);
			continue;
		}
		if (opts.len)
			strbuf_addch(&opts, ' ');
		strbuf_add(&opts, p + w, e - w);
	}
	t->options = opts.len ? strbuf_detach(&opts) : NULL;
	strbuf_release(&opts);
}

/* SHOW CREATE TABLE's text into table t: CREATE TABLE `name` (, then its
 * entries, split at the commas outside parentheses, then its options. */
static int read_create(struct rt_schema *s, struct rt_table *t, const char *sql, struct rt_error *err)
{
	size_t n = strlen(sql);
	struct rt_sql_lexer lx;
	struct rt_sql_tok tok;
	lex(&lx, sql, n);
	while (rt_sql_next(&lx, &tok) && !punct(sql, &tok, '('))
		;
	size_t start = lx.pos;
	int depth = 1;
	while (depth && rt_sql_next(&lx, &tok)) {
		if (punct(sql, &tok, '(')) {
			depth++;
		} else if ((punct(sql, &tok, ')') && !--depth) || (punct(sql, &tok, ',') && depth == 1)) {
			size_t a = start, b = tok.off;
			while (a < b && isspace((unsigned char)sql[a]))
				a++;
			while (b > a && isspace((unsigned char)sql[b - 1]))
				b--;
			if (b > a && read_item(s, t, sql + a, b - a, err))
				return -1;
			start = tok.off + 1;
		}
	}
	read_options(sql + lx.pos, n - lx.pos, t);
	for (int k = 0; k < t->ncols; k++)
		if (!t->cols[k].def)
			return rt_error_set(err, RT_EXIT_ERROR, "cannot read the schema: SHOW CREATE "
					    "TABLE %s leaves out column %s", t->q, t->cols[k].name);
	return 0;
}

static int read_tables(MYSQL *c, const char *skip, struct rt_schema *s, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	strbuf_addstr(&q, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
		      "DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT IN ('"
		      RT_PROGRESS_TABLE "', '" RT_HISTORY_TABLE "', '" RT_LOCK_TABLE_NAME "'");
	if (skip) {
		strbuf_addstr(&q, ", ");
		add_literal(c, &q, skip);
	}
	strbuf_addstr(&q, ") ORDER BY TABLE_NAME");
	MYSQL_RES *r = query(c, q.buf, "tables", err);
	strbuf_release(&q);
	if (!r)
		return -1;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(r))) {
		char *tq = quote_ident(row[0]);
		rt_schema_add_table(s, row[0], tq);
		free(tq);
	}
	mysql_free_result(r);
	rt_schema_sort(s); /* for the lookups below */

	r = query(c, "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM "
		  "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
		  "ORDER BY TABLE_NAME, ORDINAL_POSITION", "columns", err);
	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r))) {
		struct rt_table *t = (struct rt_table *)rt_schema_table(s, row[0]);
		if (!t)
			continue;
		char *cq = quote_ident(row[1]);
		struct rt_column *col = rt_table_add_column(t, row[1], cq);
		col->type = xstrdup(row[2]);
		col->notnull = !strcmp(row[3], "NO");
		free(cq);
	}
	mysql_free_result(r);
	return 0;
}

/* SHOW CREATE TABLE for every table, in one round trip. */
static int read_creates(MYSQL *c, struct rt_schema *s, struct rt_error *err)
{
	if (!s->ntables)
		return 0;
	struct strbuf q = STRBUF_INIT;
	for (int i = 0; i < s->ntables; i++)
		strbuf_addf(&q, "SHOW CREATE TABLE %s;", s->tables[i].q);
	int rc = mysql_real_query(c, q.buf, (unsigned long)q.len);
	strbuf_release(&q);
	if (rc)
		return fail(c, "SHOW CREATE TABLE", err);
	for (int i = 0;; i++) {
		MYSQL_RES *r = mysql_store_result(c);
		if (!r)
			return fail(c, "SHOW CREATE TABLE", err);
		MYSQL_ROW row = mysql_fetch_row(r);
		if (i < s->ntables && row && row[1])
			rc = rc ? rc : read_create(s, &s->tables[i], row[1], err);
		mysql_free_result(r);
		int more = mysql_next_result(c);
		if (more > 0)
			return fail(c, "SHOW CREATE TABLE", err);
		if (more < 0)
			break;
	}
	return rc;
}

/* A view's definition onto sb, without the database `db` that it names
 * this database's tables by: `db`.`t`.`c` as `t`.`c`.  Only names lose it,
 * never a string that happens to spell one. */
static void add_view_body(struct strbuf *sb, const char *def, const char *db)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t, dot;
	size_t copied = 0;
	rt_sql_lexer_init(&lx, def, strlen(def), RT_LEX_MYSQL | RT_LEX_COMMENTS);
	while (rt_sql_next(&lx, &t)) {
		if (t.kind != RT_SQL_QNAME)
			continue;
		char *name = rt_sql_tok_name(def, &t);
		int ours = !strcmp(name, db);
		free(name);
		size_t after = lx.pos;
		if (ours && rt_sql_next(&lx, &dot) && punct(def, &dot, '.') && dot.off == t.off + t.len) {
			strbuf_add(sb, def + copied, t.off - copied);
			copied = lx.pos;
		} else {
			lx.pos = after;
		}
	}
	strbuf_addstr(sb, def + copied);
}

static int read_views(MYSQL *c, struct rt_schema *s, struct rt_error *err)
{
	MYSQL_RES *r = query(c, "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, "
			     "DATABASE() FROM information_schema.VIEWS WHERE TABLE_SCHEMA = "
			     "DATABASE() ORDER BY TABLE_NAME", "views", err);
	if (!r)
		return -1;
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(r))) {
		struct strbuf sb = STRBUF_INIT;
		char *q = quote_ident(row[0]);
		strbuf_addf(&sb, "CREATE %sVIEW %s AS ",
			    !strcmp(row[3], "INVOKER") ? "SQL SECURITY INVOKER " : "", q);
		add_view_body(&sb, row[1] ? row[1] : "", row[4]);
		if (strcmp(row[2], "NONE"))
			strbuf_addf(&sb, " WITH %s CHECK OPTION", row[2]);
		struct rt_object *o = rt_schema_add_object(&s->views, &s->nviews, &s->aviews, row[0], q);
		o->def = xstrdup(sb.buf);
		o->sql = strbuf_detach(&sb);
		free(q);
	}
	mysql_free_result(r);
	return 0;
}

int rt_mysql_schema_read(MYSQL *c, const char *skip_table, struct rt_schema *out,
			 struct rt_error *err)
{
	rt_schema_init(out, RT_DIALECT_MYSQL);
	if (read_tables(c, skip_table, out, err) || read_creates(c, out, err) ||
	    read_views(c, out, err)) {
		rt_schema_release(out);
		return -1;
	}
	rt_schema_sort(out);
	return 0;
}
