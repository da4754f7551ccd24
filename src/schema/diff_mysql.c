/*
 * MySQL's and MariaDB's writer.  Definitions are compared as SHOW CREATE
 * TABLE prints them (db/mysql_schema.c), and a column that differs is
 * rewritten whole with MODIFY COLUMN, which InnoDB does in place or
 * instantly where it can (a default, a longer VARCHAR); a type change
 * copies the table, and says so.  The order keeps every statement valid
 * when the previous ones have run (MySQL checks foreign keys as DDL runs):
 *   views that go or change are dropped; foreign keys, then checks, then
 *   keys that go are dropped; tables that go are dropped (referencing
 *   tables first); new tables are created whole (referenced tables first);
 *   table options, the primary key and columns change; keys, checks and
 *   foreign keys are added (a key that changes is dropped and added in one
 *   statement, so a foreign key it backs is never left without an index);
 *   and views are created, each after the views it reads.
 */
#include "diff_int.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/xalloc.h"

static int generated(const struct rt_column *c)
{
	return strstr(c->def, "GENERATED ALWAYS AS ") != NULL;
}

/* The value of table option `name` (e.g. "COLLATE=") in `opts`, as a
 * length into *v; 0 when absent. */
static size_t option(const char *opts, const char *name, const char **v)
{
	size_t l = strlen(name);
	for (const char *p = opts; p && (p = strstr(p, name)); p += l)
		if (p == opts || p[-1] == ' ') {
			*v = p + l;
			return strcspn(*v, " ");
		}
	return 0;
}

/* Do the tables' default charset or collation differ? */
static int charset_changes(const struct rt_table *ft, const struct rt_table *tt)
{
	static const char *const names[] = { "CHARSET=", "COLLATE=" };
	for (int i = 0; i < 2; i++) {
		const char *a = "", *b = "";
		size_t la = option(ft->options, names[i], &a), lb = option(tt->options, names[i], &b);
		if (la != lb || strncmp(a, b, la))
			return 1;
	}
	return 0;
}

/* A column of a string type that takes its table's charset (SHOW CREATE
 * TABLE names a charset only when it is not the table's). */
static int follows_table_charset(const struct rt_column *c)
{
	static const char *const types[] = { "char", "varchar", "tinytext", "text", "mediumtext",
					     "longtext", "enum", "set", NULL };
	size_t n = strcspn(c->type, "( ");
	for (int i = 0; types[i]; i++)
		if (strlen(types[i]) == n && !strncmp(c->type, types[i], n))
			return !strstr(c->def, "CHARACTER SET ") && !strstr(c->def, " COLLATE ");
	return 0;
}

/* The primary key of a table, or NULL. */
static const struct rt_constraint *pkey(const struct rt_table *t)
{
	for (int i = 0; t && i < t->ncons; i++)
		if (t->cons[i].kind == 'p')
			return &t->cons[i];
	return NULL;
}

static void table_tail(struct strbuf *sb, const struct rt_table *t)
{
	if (t->options)
		strbuf_addf(sb, " %s", t->options);
	if (t->comment)
		strbuf_addf(sb, " COMMENT=%s", t->comment);
}

/* CREATE TABLE as SHOW CREATE TABLE would print it, but for the foreign
 * keys that must wait for a table created later. */
static void create_table(struct rt_schema_diff *d, const struct rt_schema *f, const struct rt_table *t,
			 const struct rt_schema *ts, const int *rank)
{
	struct strbuf sb = STRBUF_INIT;
	const struct rt_constraint *pk = pkey(t);
	strbuf_addf(&sb, "CREATE TABLE %s (", t->q);
	for (int i = 0; i < t->ncols; i++)
		strbuf_addf(&sb, "%s\n  %s %s", i ? "," : "", t->cols[i].q, t->cols[i].def);
	if (pk)
		strbuf_addf(&sb, ",\n  %s", pk->def);
	for (int i = 0; i < ts->nindexes; i++)
		if (!strcmp(ts->indexes[i].table, t->name))
			strbuf_addf(&sb, ",\n  %s", ts->indexes[i].def);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < t->ncons; i++) {
			const struct rt_constraint *c = &t->cons[i];
			if (c->kind != (pass ? 'c' : 'f') || (c->kind == 'f' && !diff_fk_inline(f, ts, t, c, rank)))
				continue;
			strbuf_addf(&sb, ",\n  CONSTRAINT %s %s", c->q, c->def);
		}
	strbuf_addstr(&sb, "\n)");
	table_tail(&sb, t);
	diff_stmt(d, "%s", sb.buf);
	strbuf_release(&sb);
}

/* The column before `c` in table t, as AFTER wants it: "FIRST" or "AFTER `b`". */
static void position(struct strbuf *sb, const struct rt_table *t, const struct rt_column *c)
{
	long i = c - t->cols;
	if (i == 0)
		strbuf_addstr(sb, " FIRST");
	else
		strbuf_addf(sb, " AFTER %s", t->cols[i - 1].q);
}

static void add_column(struct rt_schema_diff *d, const struct rt_table *tt, const struct rt_column *c)
{
	struct strbuf sb = STRBUF_INIT;
	position(&sb, tt, c);
	diff_stmt(d, "ALTER TABLE %s ADD COLUMN %s %s%s", tt->q, c->q, c->def, sb.buf);
	strbuf_release(&sb);
}

/* Options, comment, primary key and columns of a table on both sides. */
static void alter_table(struct rt_schema_diff *d, const struct rt_table *ft, const struct rt_table *tt)
{
	const struct rt_constraint *fpk = pkey(ft), *tpk = pkey(tt);
	if (diff_differs(ft->options, tt->options) || diff_differs(ft->comment, tt->comment)) {
		struct strbuf sb = STRBUF_INIT;
		if (diff_differs(ft->options, tt->options))
			diff_change(d, "table %s: options differ: '%s' -> '%s'", tt->name,
				    ft->options ? ft->options : "", tt->options ? tt->options : "");
		if (diff_differs(ft->comment, tt->comment))
			diff_change(d, "table %s: comment differs", tt->name);
		table_tail(&sb, tt);
		if (ft->comment && !tt->comment)
			strbuf_addstr(&sb, " COMMENT=''");
		diff_stmt(d, "ALTER TABLE %s%s", tt->q, sb.buf);
		strbuf_release(&sb);
	}
	if (fpk && !tpk) {
		diff_change(d, "table %s: primary key unexpected", tt->name);
		diff_stmt(d, "ALTER TABLE %s DROP PRIMARY KEY", tt->q);
	}
	diff_rename_hints(d, ft, tt, "ALTER TABLE %s RENAME COLUMN %s TO %s");
	for (int i = 0; i < ft->ncols; i++) {
		const struct rt_column *fc = &ft->cols[i], *tc = rt_table_column(tt, fc->name);
		if (!tc) {
			diff_change(d, "table %s: column %s unexpected", tt->name, fc->name);
			diff_drop_column(d, tt, fc);
		} else if (generated(fc) != generated(tc) && strcmp(fc->def, tc->def)) {
			diff_change(d, "table %s: column %s: generation differs", tt->name, tc->name);
			diff_drop_column(d, tt, fc);
			add_column(d, tt, tc);
		}
	}
	int recharset = charset_changes(ft, tt);
	for (int j = 0; j < tt->ncols; j++) {
		const struct rt_column *tc = &tt->cols[j], *fc = rt_table_column(ft, tc->name);
		if (!fc) {
			diff_change(d, "table %s: column %s missing", tt->name, tc->name);
			add_column(d, tt, tc);
			continue;
		}
		if (generated(fc) != generated(tc))
			continue;
		if (!strcmp(fc->def, tc->def)) {
			/* ALTER TABLE ... CHARSET changes only the default: a column
			 * that followed the old one keeps it unless told */
			if (recharset && follows_table_charset(tc) && follows_table_charset(fc))
				diff_stmt(d, "ALTER TABLE %s MODIFY COLUMN %s %s", tt->q, tc->q, tc->def);
			continue;
		}
		if (strcmp(fc->type, tc->type)) {
			diff_change(d, "table %s: column %s: type %s -> %s", tt->name, tc->name, fc->type,
				    tc->type);
			diff_note(d, "WARNING: changes the type of %s.%s, copying the table; values may "
				  "not convert or may lose precision", tt->name, tc->name);
			d->destructive = 1;
		} else {
			diff_change(d, "table %s: column %s differs: %s -> %s", tt->name, tc->name, fc->def,
				    tc->def);
		}
		diff_stmt(d, "ALTER TABLE %s MODIFY COLUMN %s %s", tt->q, tc->q, tc->def);
	}
	if (tpk && (!fpk || strcmp(fpk->def, tpk->def))) {
		diff_change(d, "table %s: primary key %s", tt->name, fpk ? "differs" : "missing");
		diff_stmt(d, "ALTER TABLE %s %sADD %s", tt->q, fpk ? "DROP PRIMARY KEY, " : "", tpk->def);
	}
}

/* Does view `v`'s definition read view `w`? */
static int reads(const struct rt_object *v, const struct rt_object *w)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s", w->q);
	const char *as = strstr(v->def, " AS ");
	int hit = v != w && as && strstr(as, sb.buf) != NULL;
	strbuf_release(&sb);
	return hit;
}

/* The views of `v` that `want` selects, each after the ones it reads
 * (views in a cycle, which MySQL cannot have, by name). */
static int *view_order(const struct rt_object *v, int n, const char *want, int *count)
{
	int *order = xcalloc((size_t)n + 1, sizeof(int));
	char *done = xcalloc((size_t)n + 1, 1);
	int k = 0, progress = 1;
	for (int i = 0; i < n; i++)
		done[i] = !want[i];
	while (progress) {
		progress = 0;
		for (int i = 0; i < n; i++) {
			if (done[i])
				continue;
			int ready = 1;
			for (int j = 0; j < n && ready; j++)
				ready = done[j] || !reads(&v[i], &v[j]);
			if (ready) {
				order[k++] = i;
				done[i] = 1;
				progress = 1;
			}
		}
	}
	for (int i = 0; i < n; i++)
		if (!done[i])
			order[k++] = i;
	free(done);
	*count = k;
	return order;
}

void diff_mysql(const struct rt_schema *f, const struct rt_schema *t, struct rt_schema_diff *d)
{
	int nf = f->ntables, nt = t->ntables, n, *order;
	int *gone = xcalloc((size_t)nf + 1, sizeof(int)), *fresh = xcalloc((size_t)nt + 1, sizeof(int));
	int *rank = xcalloc((size_t)nt + 1, sizeof(int));
	char *vgone = xcalloc((size_t)f->nviews + 1, 1), *vadd = xcalloc((size_t)t->nviews + 1, 1);
	char *igone = xcalloc((size_t)f->nindexes + 1, 1), *iadd = xcalloc((size_t)t->nindexes + 1, 1);

	for (int i = 0; i < nf; i++)
		if (!rt_schema_table(t, f->tables[i].name)) {
			gone[i] = 1;
			diff_change(d, "table %s unexpected", f->tables[i].name);
		}
	for (int j = 0; j < nt; j++)
		if ((fresh[j] = !rt_schema_table(f, t->tables[j].name)))
			diff_change(d, "table %s missing", t->tables[j].name);
	diff_objects(f->views, f->nviews, t->views, t->nviews, vgone, vadd);
	diff_objects(f->indexes, f->nindexes, t->indexes, t->nindexes, igone, iadd);
	diff_view_changes(d, f, t, vgone, vadd);

	order = view_order(f->views, f->nviews, vgone, &n);
	for (int k = n - 1; k >= 0; k--)
		diff_stmt(d, "DROP VIEW %s", f->views[order[k]].q);
	free(order);
	/* foreign keys, then checks, of the tables that stay */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nf; i++) {
			const struct rt_table *ft = &f->tables[i], *tt = rt_schema_table(t, ft->name);
			for (int k = 0; tt && k < ft->ncons; k++) {
				const struct rt_constraint *c = &ft->cons[k];
				if (c->kind != (pass ? 'c' : 'f') || !diff_con_gone(c, tt))
					continue;
				diff_change(d, "table %s: constraint %s %s", ft->name, c->name,
					    rt_table_constraint(tt, c->name) ? "differs" : "unexpected");
				diff_stmt(d, "ALTER TABLE %s DROP %s %s", ft->q,
					  pass ? "CONSTRAINT" : "FOREIGN KEY", c->q);
			}
		}
	for (int i = 0; i < f->nindexes; i++) {
		const struct rt_object *o = &f->indexes[i];
		const struct rt_table *ft = rt_schema_table(f, o->table);
		if (!igone[i] || !rt_schema_table(t, o->table) ||
		    rt_object_find(t->indexes, t->nindexes, o->name))
			continue; /* a key that changes is dropped where it is added again */
		diff_change(d, "index %s unexpected", o->name);
		diff_stmt(d, "ALTER TABLE %s DROP INDEX %s", ft->q, o->q);
	}

	diff_drop_tables(d, f, t, gone, fresh, "ALTER TABLE %s DROP FOREIGN KEY %s");

	order = rt_schema_table_order(t, NULL, &n);
	for (int k = 0; k < n; k++)
		rank[order[k]] = k;
	for (int k = 0; k < n; k++)
		if (fresh[order[k]])
			create_table(d, f, &t->tables[order[k]], t, rank);
	free(order);

	for (int j = 0; j < nt; j++) {
		const struct rt_table *ft = rt_schema_table(f, t->tables[j].name);
		if (ft)
			alter_table(d, ft, &t->tables[j]);
	}
	for (int i = 0; i < t->nindexes; i++) {
		const struct rt_object *o = &t->indexes[i];
		const struct rt_table *tt = rt_schema_table(t, o->table);
		const struct rt_object *old = rt_object_find(f->indexes, f->nindexes, o->name);
		if (!iadd[i] || !rt_schema_table(f, o->table))
			continue;
		diff_change(d, "index %s %s", o->name, old ? "differs" : "missing");
		diff_stmt(d, "ALTER TABLE %s %s%s%sADD %s", tt->q, old ? "DROP INDEX " : "",
			  old ? o->q : "", old ? ", " : "", o->def);
	}
	/* checks, then foreign keys: of the tables that were there, and the
	 * keys of new tables that had to wait */
	for (int pass = 0; pass < 2; pass++)
		for (int j = 0; j < nt; j++) {
			const struct rt_table *tt = &t->tables[j], *ft = rt_schema_table(f, tt->name);
			for (int k = 0; k < tt->ncons; k++) {
				const struct rt_constraint *c = &tt->cons[k];
				if (c->kind != (pass ? 'f' : 'c'))
					continue;
				if (ft ? !diff_con_gone(c, ft) : (!pass || diff_fk_inline(f, t, tt, c, rank)))
					continue;
				if (ft && !rt_table_constraint(ft, c->name))
					diff_change(d, "table %s: constraint %s missing", tt->name, c->name);
				diff_stmt(d, "ALTER TABLE %s ADD CONSTRAINT %s %s", tt->q, c->q, c->def);
			}
		}
	order = view_order(t->views, t->nviews, vadd, &n);
	for (int k = 0; k < n; k++)
		diff_stmt(d, "%s", t->views[order[k]].sql);
	free(order);

	free(gone);
	free(fresh);
	free(rank);
	free(vgone);
	free(vadd);
	free(igone);
	free(iadd);
}
