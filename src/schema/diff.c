/* Schema comparison: the shared part and the dispatch to a dialect writer. */
#include "diff_int.h"
#include "../lib/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void rt_schema_diff_init(struct rt_schema_diff *d)
{
	memset(d, 0, sizeof(*d));
	strbuf_init(&d->sql);
	strvec_init(&d->changes);
}

void rt_schema_diff_release(struct rt_schema_diff *d)
{
	strbuf_release(&d->sql);
	strvec_clear(&d->changes);
}

void diff_stmt(struct rt_schema_diff *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&d->sql, fmt, ap);
	va_end(ap);
	strbuf_addstr(&d->sql, ";\n");
}

void diff_note(struct rt_schema_diff *d, const char *fmt, ...)
{
	va_list ap;
	strbuf_addstr(&d->sql, "-- ");
	va_start(ap, fmt);
	strbuf_vaddf(&d->sql, fmt, ap);
	va_end(ap);
	strbuf_addch(&d->sql, '\n');
}

void diff_change(struct rt_schema_diff *d, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strvec_push(&d->changes, sb.buf);
	strbuf_release(&sb);
}

void diff_objects(const struct rt_object *fv, int fn, const struct rt_object *tv, int tn,
		  char *gone, char *added)
{
	for (int i = 0; i < fn; i++) {
		const struct rt_object *o = rt_object_find(tv, tn, fv[i].name);
		gone[i] = !o || strcmp(o->def, fv[i].def) != 0;
	}
	for (int j = 0; j < tn; j++) {
		const struct rt_object *o = rt_object_find(fv, fn, tv[j].name);
		added[j] = !o || strcmp(o->def, tv[j].def) != 0;
	}
}

void diff_view_changes(struct rt_schema_diff *d, const struct rt_schema *f, const struct rt_schema *t,
		       const char *gone, const char *added)
{
	for (int i = 0; i < f->nviews; i++)
		if (gone[i])
			diff_change(d, "view %s %s", f->views[i].name,
				    rt_object_find(t->views, t->nviews, f->views[i].name) ? "differs" : "unexpected");
	for (int j = 0; j < t->nviews; j++)
		if (added[j] && !rt_object_find(f->views, f->nviews, t->views[j].name))
			diff_change(d, "view %s missing", t->views[j].name);
}

void diff_rename_hints(struct rt_schema_diff *d, const struct rt_table *from,
		       const struct rt_table *to, const char *rename_fmt)
{
	for (int i = 0; i < from->ncols; i++) {
		const struct rt_column *fc = &from->cols[i];
		if (rt_table_column(to, fc->name))
			continue;
		for (int j = 0; j < to->ncols; j++) {
			const struct rt_column *tc = &to->cols[j];
			if (rt_table_column(from, tc->name) || strcmp(fc->type, tc->type))
				continue;
			diff_note(d, "column \"%s\" is dropped and \"%s\" added with the same type; if this "
				  "is a rename, replace both with:", fc->name, tc->name);
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, rename_fmt, to->q, fc->q, tc->q);
			diff_note(d, "  %s;", sb.buf);
			strbuf_release(&sb);
			break;
		}
	}
}

/* The same table under another name: the same column types in order. */
static int same_shape(const struct rt_table *a, const struct rt_table *b)
{
	if (a->ncols != b->ncols)
		return 0;
	for (int i = 0; i < a->ncols; i++)
		if (strcmp(a->cols[i].type, b->cols[i].type))
			return 0;
	return 1;
}

void diff_table_rename_hints(struct rt_schema_diff *d, const struct rt_table *gone,
			     const struct rt_schema *to, const int *want_new)
{
	for (int j = 0; j < to->ntables; j++)
		if (want_new[j] && same_shape(gone, &to->tables[j]))
			diff_note(d, "table %s is dropped and %s created with the same column types; "
				  "if this is a rename, use: ALTER TABLE %s RENAME TO %s",
				  gone->name, to->tables[j].name, gone->q, to->tables[j].q);
}

void diff_drop_column(struct rt_schema_diff *d, const struct rt_table *t, const struct rt_column *c)
{
	diff_note(d, "WARNING: drops column %s.%s and its data", t->name, c->name);
	d->destructive = 1;
	diff_stmt(d, "ALTER TABLE %s DROP COLUMN %s", t->q, c->q);
}

void diff_drop_table(struct rt_schema_diff *d, const struct rt_table *gone,
		     const struct rt_schema *to, const int *want_new)
{
	diff_table_rename_hints(d, gone, to, want_new);
	diff_note(d, "WARNING: drops table %s and its data", gone->name);
	d->destructive = 1;
	diff_stmt(d, "DROP TABLE %s", gone->q);
}

int diff_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

int diff_con_gone(const struct rt_constraint *c, const struct rt_table *other)
{
	const struct rt_constraint *o = other ? rt_table_constraint(other, c->name) : NULL;
	return !o || strcmp(o->def, c->def) || o->kind != c->kind;
}

int diff_fk_inline(const struct rt_schema *f, const struct rt_schema *ts, const struct rt_table *t,
		   const struct rt_constraint *c, const int *rank)
{
	const struct rt_table *r = c->ref ? rt_schema_table(ts, c->ref) : NULL;
	return !r || r == t || rank[r - ts->tables] < rank[t - ts->tables] ||
	       rt_schema_table(f, c->ref) != NULL;
}

void diff_drop_tables(struct rt_schema_diff *d, const struct rt_schema *f, const struct rt_schema *t,
		      const int *gone, const int *fresh, const char *drop_fk_fmt)
{
	int n, *order = rt_schema_table_order(f, gone, &n);
	int *pos = xcalloc((size_t)f->ntables + 1, sizeof(int));
	for (int k = 0; k < n; k++)
		pos[order[k]] = k;
	/* a foreign key that points at a table dropped earlier (a cycle) goes first */
	for (int k = n - 1; k >= 0; k--) {
		const struct rt_table *ft = &f->tables[order[k]];
		for (int i = 0; i < ft->ncons; i++) {
			const struct rt_table *r = ft->cons[i].ref ? rt_schema_table(f, ft->cons[i].ref) : NULL;
			if (r && r != ft && gone[r - f->tables] && pos[r - f->tables] > k) {
				struct strbuf sb = STRBUF_INIT;
				strbuf_addf(&sb, drop_fk_fmt, ft->q, ft->cons[i].q);
				diff_stmt(d, "%s", sb.buf);
				strbuf_release(&sb);
			}
		}
	}
	free(pos);
	for (int k = n - 1; k >= 0; k--)
		diff_drop_table(d, &f->tables[order[k]], t, fresh);
	free(order);
}

void rt_schema_diff(const struct rt_schema *from, const struct rt_schema *to,
		    struct rt_schema_diff *out)
{
	if (to->dialect == RT_DIALECT_PG)
		diff_pg(from, to, out);
	else if (to->dialect == RT_DIALECT_MYSQL)
		diff_mysql(from, to, out);
	else
		diff_sqlite(from, to, out);
}

void rt_schema_dump(const struct rt_schema *s, struct strbuf *out)
{
	struct rt_schema empty;
	struct rt_schema_diff d;
	rt_schema_init(&empty, s->dialect);
	rt_schema_diff_init(&d);
	rt_schema_diff(&empty, s, &d);
	strbuf_add(out, d.sql.buf, d.sql.len);
	rt_schema_diff_release(&d);
}
