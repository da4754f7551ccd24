/*
 * The lint engine: the rule table, findings and where they point in the
 * file, the lint-ignore comments, and rendering as text, JSON or GitHub
 * workflow annotations.  The rules themselves live per dialect
 * (rules_pg.c, rules_sqlite.c).
 */
#include "lint_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/sqllex.h"
#include "../lib/xalloc.h"

const struct rt_lint_rule rt_lint_rules[] = {
	{ .id = "index-without-concurrently", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "CREATE INDEX or DROP INDEX without CONCURRENTLY on an existing table",
	  .instead = "use CREATE/DROP INDEX CONCURRENTLY in a section marked transaction:false" },
	{ .id = "constraint-without-not-valid", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "a FOREIGN KEY or CHECK constraint added to an existing table without NOT VALID",
	  .instead = "add it NOT VALID, then VALIDATE CONSTRAINT in a later statement or migration" },
	{ .id = "unique-without-index", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "a UNIQUE or PRIMARY KEY constraint that builds its index under the table lock",
	  .instead = "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX" },
	{ .id = "set-not-null", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL)",
	  .instead = "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it, then SET NOT NULL" },
	{ .id = "column-type-change", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "ALTER COLUMN ... TYPE on an existing table",
	  .instead = "add a new column, backfill it in batches and switch the application over; "
		     "only binary-compatible changes (varchar(n) to text or a longer varchar) are "
		     "cheap: lint-ignore those with that reason" },
	{ .id = "volatile-default", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "ADD COLUMN whose default must be computed for every existing row",
	  .instead = "add the column without the default (or with a constant one), backfill in "
		     "batches, then SET DEFAULT" },
	{ .id = "drop-table", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG | RT_LINT_SQLITE,
	  .summary = "DROP TABLE of an existing table",
	  .instead = "stop using the table in a release first; drop it in a later migration with "
		     "a lint-ignore saying so" },
	{ .id = "drop-column", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG | RT_LINT_SQLITE,
	  .summary = "DROP COLUMN on an existing table",
	  .instead = "stop using the column in a release first; drop it in a later migration with "
		     "a lint-ignore saying so" },
	{ .id = "rename-table", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG | RT_LINT_SQLITE,
	  .summary = "RENAME of an existing table",
	  .instead = "create the new table (or a view under the new name), move the application "
		     "over, then drop the old one" },
	{ .id = "rename-column", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG | RT_LINT_SQLITE,
	  .summary = "RENAME COLUMN on an existing table",
	  .instead = "add the new column, write both while backfilling, move reads over, then drop "
		     "the old one" },
	{ .id = "truncate", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "TRUNCATE of an existing table",
	  .instead = "delete the rows you mean to delete, in batches, with a WHERE clause" },
	{ .id = "drop-cascade", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "DROP ... CASCADE",
	  .instead = "drop the dependent objects by name first, so the migration says what it removes" },
	{ .id = "lock-timeout", .level = RT_LINT_WARNING,
	  .dialects = RT_LINT_PG,
	  .summary = "an ACCESS EXCLUSIVE lock taken without a lock_timeout",
	  .instead = "start the section with SET lock_timeout = '5s' (or give retort the "
		     "ddl_lock_timeout setting) so a blocked migration fails instead of stalling "
		     "traffic" },
	{ .id = "enum-recreate", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "an existing enum type dropped or renamed away and created again (value removal)",
	  .instead = "keep the type and stop writing the value; or add a new type, a new column, "
		     "backfill, and drop the old ones in later migrations" },
	{ .id = "concurrently-in-transaction", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG,
	  .summary = "CONCURRENTLY in a section that runs inside a transaction",
	  .instead = "mark the section '-- migrate:upgrade transaction:false'" },
	{ .id = "rebuild-foreign-keys", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_SQLITE,
	  .summary = "SQLite: DROP TABLE of a table other tables reference by foreign key, with "
		     "foreign keys not turned off",
	  .instead = "rebuild with foreign keys off, in a section marked transaction:false: "
		     "PRAGMA foreign_keys = OFF; BEGIN; create, fill, drop and rename; "
		     "PRAGMA foreign_key_check; COMMIT; PRAGMA foreign_keys = ON" },
	{ .id = "lint-ignore", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG | RT_LINT_SQLITE,
	  .summary = "a retort:lint-ignore comment without a reason or with an unknown rule",
	  .instead = "write '-- retort:lint-ignore RULE reason' on the line before the statement" },
	{ .id = "syntax", .level = RT_LINT_ERROR,
	  .dialects = RT_LINT_PG | RT_LINT_SQLITE,
	  .summary = "SQL that the dialect's own parser (PostgreSQL's, SQLite's) rejects",
	  .instead = "fix the statement; nothing after it in the section was linted" },
	{ .id = NULL },
};

const struct rt_lint_rule *rt_lint_rule_find(const char *id)
{
	for (const struct rt_lint_rule *r = rt_lint_rules; r->id; r++)
		if (!strcmp(r->id, id))
			return r;
	return NULL;
}

void rt_lint_init(struct rt_lint *l, const struct rt_lint_opts *opts)
{
	*l = (struct rt_lint){ .opts = *opts };
	strvec_init(&l->notnull_checks);
	strvec_init(&l->notnull_valid);
}

void rt_lint_release(struct rt_lint *l)
{
	for (int i = 0; i < l->nr; i++) {
		free(l->v[i].path);
		free(l->v[i].revision);
		free(l->v[i].msg);
	}
	free(l->v);
	strvec_clear(&l->notnull_checks);
	strvec_clear(&l->notnull_valid);
	lint_sqlite_close(l);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

void rt_lint_locate(const struct rt_script *s, const struct rt_section *sec, size_t off,
		    int *line, int *col)
{
	rt_script_position(s, sec->off + (off > sec->len ? sec->len : off), line, col);
}

int lint_has(const struct strvec *v, const char *name)
{
	return name && strvec_find(v, name) >= 0;
}

/* Add a finding at byte `off` of the body, whatever the ignores say. */
static void add_finding(struct lint_mig *m, const struct rt_lint_rule *rule, size_t off,
			const char *what)
{
	struct rt_lint *l = m->l;
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 16;
		l->v = xrealloc(l->v, (size_t)l->alloc * sizeof(*l->v));
	}
	struct rt_lint_finding *f = &l->v[l->nr++];
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s; %s", what, rule->instead);
	*f = (struct rt_lint_finding){ .rule = rule, .path = xstrdup(m->s->path),
				       .revision = xstrdup(m->s->id ? m->s->id : ""),
				       .msg = strbuf_detach(&sb) };
	rt_lint_locate(m->s, m->sec, off, &f->line, &f->col);
	if (rule->level == RT_LINT_ERROR)
		l->errors++;
	else
		l->warnings++;
}

/* Does a well-formed ignore on the lines right above the statement name
 * `rule`?  Ignores stack: each line of the run directly above counts. */
static int ignored(const struct lint_mig *m, const struct rt_lint_rule *rule)
{
	int want = m->stmt_line - 1;
	for (int i = m->nign - 1; i >= 0; i--) {
		if (m->ign[i].line > want)
			continue;
		if (m->ign[i].line < want)
			break;
		if (m->ign[i].rule == rule)
			return 1;
		want--;
	}
	return 0;
}

void lint_report(struct lint_mig *m, const char *id, size_t off, const char *fmt, ...)
{
	const struct rt_lint_rule *rule = rt_lint_rule_find(id);
	if (!rule || ignored(m, rule))
		return;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	add_finding(m, rule, off, sb.buf);
	strbuf_release(&sb);
}

void lint_begin_stmt(struct lint_mig *m, size_t loc, size_t end)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	if (end > m->body_len)
		end = m->body_len;
	if (loc > end)
		loc = end;
	rt_sql_lexer_init(&lx, m->body + loc, end - loc, m->lex_flags);
	m->stmt_off = rt_sql_next(&lx, &t) ? loc + t.off : loc;
	m->stmt_end = end;
	int col;
	rt_lint_locate(m->s, m->sec, m->stmt_off, &m->stmt_line, &col);
}

/* Does token `t` of the body spell identifier `name` (a word in any case,
 * or a quoted name exactly)? */
static int tok_names(const char *body, const struct rt_sql_tok *t, const char *name)
{
	size_t n = strlen(name);
	const char *p = body + t->off;
	if (t->kind == RT_SQL_WORD)
		return t->len == n && !strncasecmp(p, name, n);
	if (t->kind == RT_SQL_QNAME)
		return t->len == n + 2 && !strncmp(p + 1, name, n);
	return 0;
}

/* The first token at or after `from` spelling `name`: 1 and its bytes, or 0. */
static int find_tok(const struct lint_mig *m, size_t from, const char *name, struct rt_sql_tok *out)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	if (!name || !*name || from >= m->stmt_end)
		return 0;
	rt_sql_lexer_init(&lx, m->body + from, m->stmt_end - from, m->lex_flags);
	while (rt_sql_next(&lx, &t)) {
		t.off += from;
		if (tok_names(m->body, &t, name)) {
			*out = t;
			return 1;
		}
	}
	return 0;
}

size_t lint_find_name(const struct lint_mig *m, size_t from, const char *name)
{
	struct rt_sql_tok t;
	return find_tok(m, from, name, &t) ? t.off : from;
}

size_t lint_after_name(const struct lint_mig *m, size_t from, const char *name)
{
	struct rt_sql_tok t;
	return find_tok(m, from, name, &t) ? t.off + t.len : from;
}

/* Read the "-- retort:lint-ignore RULE reason" comments of the body;
 * malformed ones are findings (reported once, here). */
static void read_ignores(struct lint_mig *m)
{
	static const char tag[] = "retort:lint-ignore";
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	int alloc = 0;
	rt_sql_lexer_init(&lx, m->body, m->body_len, RT_LEX_COMMENTS | m->lex_flags);
	while (rt_sql_next(&lx, &t)) {
		if (t.kind != RT_SQL_COMMENT || t.len < 2 || m->body[t.off] != '-')
			continue;
		const char *p = m->body + t.off + 2, *end = m->body + t.off + t.len;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) < sizeof(tag) - 1 || strncmp(p, tag, sizeof(tag) - 1))
			continue;
		p += sizeof(tag) - 1;
		if (p < end && !isspace((unsigned char)*p))
			continue;
		while (p < end && isspace((unsigned char)*p))
			p++;
		const char *id = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		char *name = xstrndup(id, (size_t)(p - id));
		while (p < end && isspace((unsigned char)*p))
			p++;
		int has_reason = p < end;
		const struct rt_lint_rule *rule = *name ? rt_lint_rule_find(name) : NULL;
		const struct rt_lint_rule *bad = rt_lint_rule_find("lint-ignore");
		size_t at = (size_t)(id - m->body);
		if (!*name)
			add_finding(m, bad, at, "this lint-ignore names no rule and silences nothing");
		else if (!rule || rule == bad) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "'%s' is not a rule this linter knows; the ignore silences nothing",
				    name);
			add_finding(m, bad, at, sb.buf);
			strbuf_release(&sb);
			rule = NULL;
		} else if (!has_reason) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "the ignore of %s gives no reason, so it silences nothing", name);
			add_finding(m, bad, at, sb.buf);
			strbuf_release(&sb);
			rule = NULL;
		}
		free(name);
		if (m->nign == alloc) {
			alloc = alloc ? 2 * alloc : 4;
			m->ign = xrealloc(m->ign, (size_t)alloc * sizeof(*m->ign));
		}
		int col;
		m->ign[m->nign].rule = rule;
		rt_lint_locate(m->s, m->sec, t.off, &m->ign[m->nign].line, &col);
		m->nign++;
	}
}

/* Findings [from, l->nr) in file order: by line, then column, then as found. */
static void sort_findings(struct rt_lint *l, int from)
{
	for (int i = from + 1; i < l->nr; i++) {
		struct rt_lint_finding f = l->v[i];
		int j = i;
		while (j > from && (l->v[j - 1].line > f.line ||
				    (l->v[j - 1].line == f.line && l->v[j - 1].col > f.col))) {
			l->v[j] = l->v[j - 1];
			j--;
		}
		l->v[j] = f;
	}
}

/* Lint the upgrade section of `s` through a dialect's `section` rules. */
static void lint_script(struct rt_lint *l, const struct rt_script *s, unsigned lex_flags,
			void (*section)(struct lint_mig *m))
{
	if (!s->has_sql) {
		l->skipped++;
		return;
	}
	l->migrations++;
	if (!s->up.present)
		return;
	struct lint_mig m = { .l = l, .s = s, .sec = &s->up,
			      .body = xstrndup(s->text + s->up.off, s->up.len),
			      .body_len = s->up.len, .lex_flags = lex_flags };
	strvec_init(&m.new_tables);
	strvec_init(&m.new_indexes);
	strvec_init(&m.new_types);
	strvec_init(&m.gone_types);
	int first = l->nr;
	read_ignores(&m);
	section(&m);
	sort_findings(l, first);
	free(m.body);
	free(m.ign);
	strvec_clear(&m.new_tables);
	strvec_clear(&m.new_indexes);
	strvec_clear(&m.new_types);
	strvec_clear(&m.gone_types);
}

int rt_lint_script_pg(struct rt_lint *l, const struct rt_script *s, struct rt_error *err)
{
	(void)err;
	lint_script(l, s, 0, lint_pg_section);
	return 0;
}

int rt_lint_script_sqlite(struct rt_lint *l, const struct rt_script *s, struct rt_error *err)
{
	if (lint_sqlite_open(l, err))
		return -1;
	lint_script(l, s, RT_LEX_SQLITE, lint_sqlite_section);
	return 0;
}

int rt_lint_format_parse(const char *name)
{
	if (!strcmp(name, "text"))
		return RT_LINT_TEXT;
	if (!strcmp(name, "json"))
		return RT_LINT_JSON;
	if (!strcmp(name, "github"))
		return RT_LINT_GITHUB;
	return -1;
}

/* GitHub's escaping of a workflow command's data (and, with `prop`, of a
 * property value, where ':' and ',' delimit too). */
static void add_gh_escaped(struct strbuf *sb, const char *s, int prop)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': strbuf_addstr(sb, "%25"); break;
		case '\r': strbuf_addstr(sb, "%0D"); break;
		case '\n': strbuf_addstr(sb, "%0A"); break;
		case ':': strbuf_addstr(sb, prop ? "%3A" : ":"); break;
		case ',': strbuf_addstr(sb, prop ? "%2C" : ","); break;
		default: strbuf_addch(sb, *s);
		}
	}
}

static const char *level_name(enum rt_lint_level level)
{
	return level == RT_LINT_ERROR ? "error" : "warning";
}

void rt_lint_render(const struct rt_lint *l, enum rt_lint_format format, struct strbuf *out)
{
	if (format == RT_LINT_JSON)
		strbuf_addstr(out, "{\"findings\":[");
	for (int i = 0; i < l->nr; i++) {
		const struct rt_lint_finding *f = &l->v[i];
		switch (format) {
		case RT_LINT_TEXT:
			strbuf_addf(out, "%s:%d:%d: %s: %s%s\n", f->path, f->line, f->col, f->rule->id,
				    f->rule->level == RT_LINT_WARNING ? "(warning) " : "", f->msg);
			break;
		case RT_LINT_GITHUB:
			strbuf_addf(out, "::%s file=", level_name(f->rule->level));
			add_gh_escaped(out, f->path, 1);
			strbuf_addf(out, ",line=%d,col=%d,title=", f->line, f->col);
			add_gh_escaped(out, f->rule->id, 1);
			strbuf_addstr(out, "::");
			add_gh_escaped(out, f->msg, 0);
			strbuf_addch(out, '\n');
			break;
		case RT_LINT_JSON:
			strbuf_addstr(out, i ? ",{\"file\":" : "{\"file\":");
			strbuf_add_json(out, f->path);
			strbuf_addf(out, ",\"line\":%d,\"column\":%d,\"rule\":", f->line, f->col);
			strbuf_add_json(out, f->rule->id);
			strbuf_addf(out, ",\"level\":\"%s\",\"revision\":", level_name(f->rule->level));
			strbuf_add_json(out, f->revision);
			strbuf_addstr(out, ",\"message\":");
			strbuf_add_json(out, f->msg);
			strbuf_addch(out, '}');
			break;
		}
	}
	if (format == RT_LINT_JSON)
		strbuf_addf(out, "],\"migrations\":%d,\"errors\":%d,\"warnings\":%d}\n", l->migrations,
			    l->errors, l->warnings);
}
