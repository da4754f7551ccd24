/*
 * SQLite's writer.  ALTER TABLE in SQLite can add a plain column and drop
 * an unreferenced one; any other table change is written as the rebuild
 * SQLite's documentation prescribes: create the new table under a scratch
 * name, copy the rows of the columns both have, drop the old table, rename
 * the new one, and recreate its indexes.  A rebuild makes SQLite re-check
 * every view and trigger, so those are dropped first and recreated last.
 */
#include "diff_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/sqllex.h"
#include "../lib/xalloc.h"

enum { T_SAME, T_ALTER, T_REBUILD };

/* Does normalized text mention this column (its name as a word)? */
static int mentions(const char *norm, const struct rt_column *c)
{
	char *w = rt_sql_normalize(c->q, strlen(c->q));
	int r = rt_sql_has_word(norm, w);
	free(w);
	return r;
}

static int is_generated(const struct rt_column *c)
{
	return rt_sql_has_word(c->def, "GENERATED") || strstr(c->def, " AS(") != NULL;
}

/* Can ALTER TABLE ADD COLUMN add this column (SQLite's documented limits)? */
static int addable(const struct rt_column *c)
{
	const char *d = c->def;
	if (rt_sql_has_word(d, "PRIMARY") || rt_sql_has_word(d, "UNIQUE") ||
	    rt_sql_has_word(d, "STORED"))
		return 0;
	const char *dflt = strstr(d, "DEFAULT");
	if (strstr(d, "NOT NULL") && !dflt)
		return 0;
	if (dflt) {
		const char *v = dflt + 7;
		while (*v == ' ')
			v++;
		if (*v == '(' || !strncmp(v, "CURRENT_", 8))
			return 0;
		if (rt_sql_has_word(d, "REFERENCES") && strncmp(v, "NULL", 4))
			return 0;
	}
	return 1;
}

/* Can ALTER TABLE DROP COLUMN drop this column: nothing refers to it? */
static int droppable(const struct rt_schema *s, const struct rt_table *t, const struct rt_column *c)
{
	if (rt_sql_has_word(c->def, "PRIMARY") || rt_sql_has_word(c->def, "UNIQUE") ||
	    rt_sql_has_word(c->def, "REFERENCES") || is_generated(c))
		return 0;
	for (int i = 0; i < t->ncols; i++)
		if (&t->cols[i] != c && mentions(t->cols[i].def, c))
			return 0;
	for (int i = 0; i < t->ncons; i++)
		if (mentions(t->cons[i].def, c))
			return 0;
	for (int i = 0; i < s->nindexes; i++)
		if (!strcmp(s->indexes[i].table, t->name) && mentions(s->indexes[i].def, c))
			return 0;
	for (int i = 0; i < s->nviews; i++)
		if (mentions(s->views[i].def, c))
			return 0;
	for (int i = 0; i < s->ntriggers; i++)
		if (mentions(s->triggers[i].def, c))
			return 0;
	return 1;
}

/* A table constraint (not a reference) that `other` has no exact copy of:
 * SQLite's constraints match by their definition. */
static int unmatched(const struct rt_constraint *c, const struct rt_table *other)
{
	return c->kind != 'r' && !rt_table_constraint(other, c->name);
}

/* The unmatched constraint of `other` that is declared with c's name: c
 * changed, under a name it kept (SQLite's names ignore case). */
static const struct rt_constraint *namesake(const struct rt_constraint *c,
					    const struct rt_table *other)
{
	if (!c->declared)
		return NULL;
	for (int i = 0; i < other->ncons; i++) {
		const struct rt_constraint *o = &other->cons[i];
		if (o->declared && !strcasecmp(o->declared, c->declared) && o->kind == c->kind &&
		    strcmp(o->name, c->name))
			return o;
	}
	return NULL;
}

/* How a change line names a constraint: its name, or its text as written. */
static const char *con_label(const struct rt_constraint *c)
{
	return c->declared ? c->declared : c->q;
}

/* Compare one table on both sides: record the change lines, pick the way. */
static int table_mode(const struct rt_schema *fs, const struct rt_table *ft,
		      const struct rt_table *tt, struct rt_schema_diff *d)
{
	int mode = T_SAME;
	for (int i = 0; i < tt->ncols; i++) {
		const struct rt_column *tc = &tt->cols[i];
		const struct rt_column *fc = rt_table_column(ft, tc->name);
		if (!fc) {
			diff_change(d, "table %s: column %s missing", tt->name, tc->name);
			mode = mode > T_ALTER ? mode : addable(tc) ? T_ALTER : T_REBUILD;
		} else if (strcmp(fc->def, tc->def)) {
			diff_change(d, "table %s: column %s differs: %s -> %s", tt->name, tc->name,
				    fc->sql, tc->sql);
			mode = T_REBUILD;
		}
	}
	for (int i = 0; i < ft->ncols; i++) {
		const struct rt_column *fc = &ft->cols[i];
		if (rt_table_column(tt, fc->name))
			continue;
		diff_change(d, "table %s: column %s unexpected", ft->name, fc->name);
		mode = mode > T_ALTER ? mode : droppable(fs, ft, fc) ? T_ALTER : T_REBUILD;
	}
	for (int i = 0; i < ft->ncons; i++) {
		const struct rt_constraint *fc = &ft->cons[i];
		if (!unmatched(fc, tt))
			continue;
		const struct rt_constraint *tc = namesake(fc, tt);
		if (tc)
			diff_change(d, "table %s: constraint %s differs: %s -> %s", ft->name,
				    fc->declared, fc->q, tc->q);
		else
			diff_change(d, "table %s: constraint %s unexpected", ft->name, con_label(fc));
		mode = T_REBUILD;
	}
	for (int i = 0; i < tt->ncons; i++) {
		const struct rt_constraint *tc = &tt->cons[i];
		if (!unmatched(tc, ft))
			continue;
		if (!namesake(tc, ft))
			diff_change(d, "table %s: constraint %s missing", tt->name, con_label(tc));
		mode = T_REBUILD;
	}
	const char *fo = ft->options ? ft->options : "", *to = tt->options ? tt->options : "";
	if (strcmp(fo, to)) {
		diff_change(d, "table %s: options differ: '%s' -> '%s'", tt->name, fo, to);
		mode = T_REBUILD;
	}
	return mode;
}

/*
 * CREATE TABLE text with the table's name replaced by `newq`: the name is
 * the token after TABLE [IF NOT EXISTS], with its schema if it has one.
 */
static void create_renamed(struct strbuf *sb, const char *sql, const char *newq)
{
	struct rt_sql_lexer lx, save;
	struct rt_sql_tok t;
	rt_sql_lexer_init(&lx, sql, strlen(sql), RT_LEX_SQLITE);
	while (rt_sql_next(&lx, &t) && !rt_sql_tok_is(sql, &t, "TABLE"))
		;
	save = lx;
	if (rt_sql_next(&lx, &t) && rt_sql_tok_is(sql, &t, "IF")) {
		rt_sql_next(&lx, &t);
		rt_sql_next(&lx, &t);
	} else {
		lx = save;
	}
	rt_sql_next(&lx, &t);
	size_t ns = t.off, ne = t.off + t.len;
	if (rt_sql_next(&lx, &t) == RT_SQL_PUNCT && sql[t.off] == '.' && rt_sql_next(&lx, &t))
		ne = t.off + t.len; /* schema.table */
	strbuf_add(sb, sql, ns);
	strbuf_addstr(sb, newq);
	strbuf_addstr(sb, sql + ne);
}

static void rebuild(struct rt_schema_diff *d, const struct rt_schema *to, const struct rt_table *ft,
		    const struct rt_table *tt)
{
	struct strbuf tmpq = STRBUF_INIT, create = STRBUF_INIT, cols = STRBUF_INIT;
	strbuf_addf(&tmpq, "\"_retort_new_%s\"", tt->name);
	diff_note(d, "rebuild table %s: SQLite cannot ALTER this change in place", tt->name);
	for (int i = 0; i < ft->ncols; i++)
		if (!rt_table_column(tt, ft->cols[i].name)) {
			diff_note(d, "WARNING: drops column %s.%s and its data", tt->name, ft->cols[i].name);
			d->destructive = 1;
		}
	for (int i = 0; i < tt->ncols; i++) {
		const struct rt_column *tc = &tt->cols[i];
		if (!rt_table_column(ft, tc->name) && strstr(tc->def, "NOT NULL") &&
		    !strstr(tc->def, "DEFAULT") && !rt_sql_has_word(tc->def, "PRIMARY"))
			diff_note(d, "new column %s.%s is NOT NULL without a default: give existing "
				  "rows a value in the INSERT below", tt->name, tc->name);
		if (!rt_table_column(ft, tc->name) || is_generated(tc))
			continue;
		strbuf_addf(&cols, "%s%s", cols.len ? ", " : "", tc->q);
	}
	diff_rename_hints(d, ft, tt, "ALTER TABLE %s RENAME COLUMN %s TO %s");
	create_renamed(&create, tt->sql, tmpq.buf);
	diff_stmt(d, "%s", create.buf);
	if (cols.len)
		diff_stmt(d, "INSERT INTO %s (%s) SELECT %s FROM %s", tmpq.buf, cols.buf, cols.buf, ft->q);
	diff_stmt(d, "DROP TABLE %s", ft->q);
	diff_stmt(d, "ALTER TABLE %s RENAME TO %s", tmpq.buf, tt->q);
	for (int i = 0; i < to->nindexes; i++)
		if (!strcmp(to->indexes[i].table, tt->name))
			diff_stmt(d, "%s", to->indexes[i].sql);
	strbuf_release(&tmpq);
	strbuf_release(&create);
	strbuf_release(&cols);
}

static void alter(struct rt_schema_diff *d, const struct rt_table *ft, const struct rt_table *tt)
{
	diff_rename_hints(d, ft, tt, "ALTER TABLE %s RENAME COLUMN %s TO %s");
	for (int i = 0; i < ft->ncols; i++)
		if (!rt_table_column(tt, ft->cols[i].name)) {
			diff_note(d, "WARNING: drops column %s.%s and its data", tt->name, ft->cols[i].name);
			d->destructive = 1;
			diff_stmt(d, "ALTER TABLE %s DROP COLUMN %s", tt->q, ft->cols[i].q);
		}
	for (int i = 0; i < tt->ncols; i++) {
		const struct rt_column *tc = &tt->cols[i];
		if (rt_table_column(ft, tc->name))
			continue;
		diff_stmt(d, "ALTER TABLE %s ADD COLUMN %s", tt->q, tc->sql);
	}
}

/* Does an object's table stay (exist on both sides)? */
static int on_kept_table(const struct rt_schema *f, const struct rt_schema *t, const char *table)
{
	return rt_schema_table(f, table) && rt_schema_table(t, table);
}

static void objects_changes(struct rt_schema_diff *d, const char *what, const struct rt_schema *f,
			    const struct rt_schema *t, const struct rt_object *fv, int fn,
			    const struct rt_object *tv, int tn, const char *gone, const char *added)
{
	for (int i = 0; i < fn; i++)
		if (gone[i] && (!fv[i].table || on_kept_table(f, t, fv[i].table)))
			diff_change(d, "%s %s %s", what, fv[i].name,
				    rt_object_find(tv, tn, fv[i].name) ? "differs" : "unexpected");
	for (int j = 0; j < tn; j++)
		if (added[j] && !rt_object_find(fv, fn, tv[j].name) &&
		    (!tv[j].table || on_kept_table(f, t, tv[j].table)))
			diff_change(d, "%s %s missing", what, tv[j].name);
}

void diff_sqlite(const struct rt_schema *f, const struct rt_schema *t, struct rt_schema_diff *d)
{
	int *mode = xcalloc((size_t)t->ntables + 1, sizeof(int));
	int *want_new = xcalloc((size_t)t->ntables + 1, sizeof(int));
	int *want_gone = xcalloc((size_t)f->ntables + 1, sizeof(int));
	char *vgone = xcalloc((size_t)f->nviews + 1, 1), *vadd = xcalloc((size_t)t->nviews + 1, 1);
	char *tgone = xcalloc((size_t)f->ntriggers + 1, 1), *tadd = xcalloc((size_t)t->ntriggers + 1, 1);
	char *igone = xcalloc((size_t)f->nindexes + 1, 1), *iadd = xcalloc((size_t)t->nindexes + 1, 1);
	int reset = 0;

	for (int i = 0; i < f->ntables; i++)
		if (!rt_schema_table(t, f->tables[i].name)) {
			want_gone[i] = 1;
			diff_change(d, "table %s unexpected", f->tables[i].name);
		}
	for (int j = 0; j < t->ntables; j++) {
		const struct rt_table *ft = rt_schema_table(f, t->tables[j].name);
		if (!ft) {
			want_new[j] = 1;
			diff_change(d, "table %s missing", t->tables[j].name);
			continue;
		}
		mode[j] = table_mode(f, ft, &t->tables[j], d);
		reset |= mode[j] == T_REBUILD;
	}
	diff_objects(f->views, f->nviews, t->views, t->nviews, vgone, vadd);
	diff_objects(f->triggers, f->ntriggers, t->triggers, t->ntriggers, tgone, tadd);
	diff_objects(f->indexes, f->nindexes, t->indexes, t->nindexes, igone, iadd);
	objects_changes(d, "index", f, t, f->indexes, f->nindexes, t->indexes, t->nindexes, igone, iadd);
	objects_changes(d, "view", f, t, f->views, f->nviews, t->views, t->nviews, vgone, vadd);
	objects_changes(d, "trigger", f, t, f->triggers, f->ntriggers, t->triggers, t->ntriggers, tgone,
			tadd);
	if (reset) {
		memset(vgone, 1, (size_t)f->nviews);
		memset(vadd, 1, (size_t)t->nviews);
		memset(tgone, 1, (size_t)f->ntriggers);
		memset(tadd, 1, (size_t)t->ntriggers);
	}

	for (int i = f->nviews - 1; i >= 0; i--)
		if (vgone[i])
			diff_stmt(d, "DROP VIEW %s", f->views[i].q);
	for (int i = 0; i < f->ntriggers; i++)
		if (tgone[i])
			diff_stmt(d, "DROP TRIGGER %s", f->triggers[i].q);
	for (int i = 0; i < f->nindexes; i++) {
		const struct rt_table *tt = rt_schema_table(t, f->indexes[i].table);
		if (igone[i] && tt && mode[tt - t->tables] != T_REBUILD)
			diff_stmt(d, "DROP INDEX %s", f->indexes[i].q);
	}

	int n;
	int *order = rt_schema_table_order(f, want_gone, &n);
	for (int k = n - 1; k >= 0; k--)
		diff_drop_table(d, &f->tables[order[k]], t, want_new);
	free(order);
	order = rt_schema_table_order(t, want_new, &n);
	for (int k = 0; k < n; k++)
		diff_stmt(d, "%s", t->tables[order[k]].sql);
	free(order);
	for (int j = 0; j < t->ntables; j++) {
		const struct rt_table *ft = rt_schema_table(f, t->tables[j].name);
		if (mode[j] == T_REBUILD)
			rebuild(d, t, ft, &t->tables[j]);
		else if (mode[j] == T_ALTER)
			alter(d, ft, &t->tables[j]);
	}
	for (int j = 0; j < t->nindexes; j++) {
		const struct rt_table *tt = rt_schema_table(t, t->indexes[j].table);
		if (iadd[j] && !(tt && mode[tt - t->tables] == T_REBUILD))
			diff_stmt(d, "%s", t->indexes[j].sql);
	}
	for (int j = 0; j < t->ntriggers; j++)
		if (tadd[j])
			diff_stmt(d, "%s", t->triggers[j].sql);
	for (int j = 0; j < t->nviews; j++)
		if (vadd[j])
			diff_stmt(d, "%s", t->views[j].sql);

	free(mode);
	free(want_new);
	free(want_gone);
	free(vgone);
	free(vadd);
	free(tgone);
	free(tadd);
	free(igone);
	free(iadd);
}
