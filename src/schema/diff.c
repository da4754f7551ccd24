/* Schema comparison: the shared part and the dispatch to a dialect writer. */
#include "diff_int.h"

#include <stdarg.h>
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

void diff_drop_table(struct rt_schema_diff *d, const struct rt_table *gone,
		     const struct rt_schema *to, const int *want_new)
{
	diff_table_rename_hints(d, gone, to, want_new);
	diff_note(d, "WARNING: drops table %s and its data", gone->name);
	d->destructive = 1;
	diff_stmt(d, "DROP TABLE %s", gone->q);
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
