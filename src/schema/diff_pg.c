/*
 * PostgreSQL's writer: fine-grained ALTERs, in an order that keeps every
 * statement valid when the previous ones have run:
 *   types and sequences are created first; views that may depend on what
 *   changes are dropped; foreign keys, then other constraints and indexes
 *   that go or change are dropped; tables that go are dropped (referencing
 *   tables first); new tables are created (referenced tables first);
 *   columns are added, dropped and altered; constraints, indexes and
 *   foreign keys are added; views are created; comments set; and the types
 *   and sequences that go are dropped last.
 */
#include "diff_int.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/xalloc.h"

/* serial columns change type through their integer type */
static const char *base_type(const struct rt_column *c)
{
	if (!c->serial)
		return c->type;
	return !strcmp(c->type, "bigserial") ? "bigint"
	       : !strcmp(c->type, "smallserial") ? "smallint" : "integer";
}

static void column_sql(struct strbuf *sb, const struct rt_column *c)
{
	strbuf_addf(sb, "%s %s", c->q, c->type);
	if (c->generated)
		strbuf_addf(sb, " GENERATED ALWAYS AS (%s) STORED", c->generated);
	if (c->identity)
		strbuf_addf(sb, " GENERATED %s AS IDENTITY", c->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
	if (c->dflt)
		strbuf_addf(sb, " DEFAULT %s", c->dflt);
	if (c->notnull && !c->serial && !c->identity)
		strbuf_addstr(sb, " NOT NULL");
}

static void comment_stmt(struct rt_schema_diff *d, const char *what, const char *comment)
{
	struct strbuf sb = STRBUF_INIT;
	if (comment)
		rt_sql_add_literal(&sb, comment);
	else
		strbuf_addstr(&sb, "NULL");
	diff_stmt(d, "COMMENT ON %s IS %s", what, sb.buf);
	strbuf_release(&sb);
}

static void enums(const struct rt_schema *f, const struct rt_schema *t, struct rt_schema_diff *d)
{
	for (int j = 0; j < t->nenums; j++) {
		const struct rt_enum *te = &t->enums[j], *fe = rt_schema_enum(f, te->name);
		struct strbuf sb = STRBUF_INIT;
		if (!fe) {
			diff_change(d, "type %s missing", te->name);
			for (size_t k = 0; k < te->labels.nr; k++) {
				strbuf_addstr(&sb, k ? ", " : "");
				rt_sql_add_literal(&sb, te->labels.v[k]);
			}
			diff_stmt(d, "CREATE TYPE %s AS ENUM (%s)", te->q, sb.buf);
			strbuf_release(&sb);
			continue;
		}
		/* values can be added (in place), never removed or reordered */
		size_t k = 0;
		for (size_t i = 0; i < te->labels.nr && k < fe->labels.nr; i++)
			if (!strcmp(te->labels.v[i], fe->labels.v[k]))
				k++;
		if (k < fe->labels.nr) {
			diff_change(d, "type %s: values differ beyond additions", te->name);
			diff_note(d, "MANUAL: type %s loses or reorders values; PostgreSQL cannot drop an "
				  "enum value: write this change by hand", te->name);
			d->manual = 1;
			strbuf_release(&sb);
			continue;
		}
		for (size_t i = 0; i < te->labels.nr; i++) {
			if (strvec_find(&fe->labels, te->labels.v[i]) >= 0)
				continue;
			diff_change(d, "type %s: value '%s' missing", te->name, te->labels.v[i]);
			strbuf_reset(&sb);
			rt_sql_add_literal(&sb, te->labels.v[i]);
			if (i + 1 < te->labels.nr) {
				strbuf_addstr(&sb, " BEFORE ");
				rt_sql_add_literal(&sb, te->labels.v[i + 1]);
			}
			diff_stmt(d, "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s", te->q, sb.buf);
		}
		strbuf_release(&sb);
	}
}

/* Does column fc become tc only by dropping and adding it again? */
static int needs_readd(const struct rt_column *fc, const struct rt_column *tc)
{
	return diff_differs(fc->generated, tc->generated);
}

static void column_changes(struct rt_schema_diff *d, const struct rt_table *tt,
			   const struct rt_column *fc, const struct rt_column *tc)
{
	const char *tq = tt->q, *cq = tc->q;
	if (fc->serial != tc->serial) {
		diff_change(d, "table %s: column %s: serial %s", tt->name, tc->name,
			    tc->serial ? "missing" : "unexpected");
		diff_note(d, "MANUAL: column %s.%s changes to or from serial; write the sequence "
			  "change by hand", tt->name, tc->name);
		d->manual = 1;
	}
	if (strcmp(base_type(fc), base_type(tc))) {
		diff_change(d, "table %s: column %s: type %s -> %s", tt->name, tc->name, fc->type, tc->type);
		diff_note(d, "WARNING: changes the type of %s.%s; values may not convert or may lose "
			  "precision", tt->name, tc->name);
		d->destructive = 1;
		diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s", tq, cq, base_type(tc),
			  cq, base_type(tc));
	}
	if (diff_differs(fc->dflt, tc->dflt)) {
		diff_change(d, "table %s: column %s: default %s -> %s", tt->name, tc->name,
			    fc->dflt ? fc->dflt : "none", tc->dflt ? tc->dflt : "none");
		if (tc->dflt)
			diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tq, cq, tc->dflt);
		else
			diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tq, cq);
	}
	if (fc->notnull != tc->notnull && !tc->identity && !fc->identity) {
		diff_change(d, "table %s: column %s: %s", tt->name, tc->name,
			    tc->notnull ? "nullable, should be NOT NULL" : "NOT NULL, should be nullable");
		diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s %s NOT NULL", tq, cq,
			  tc->notnull ? "SET" : "DROP");
	}
	if (fc->identity != tc->identity) {
		diff_change(d, "table %s: column %s: identity differs", tt->name, tc->name);
		if (!tc->identity)
			diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY", tq, cq);
		else if (!fc->identity)
			diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY", tq, cq,
				  tc->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
		else
			diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s", tq, cq,
				  tc->identity == 'a' ? "ALWAYS" : "BY DEFAULT");
		if (fc->notnull != tc->notnull)
			diff_stmt(d, "ALTER TABLE %s ALTER COLUMN %s %s NOT NULL", tq, cq,
				  tc->notnull ? "SET" : "DROP");
	}
}

static void add_column(struct rt_schema_diff *d, const struct rt_table *tt, const struct rt_column *c)
{
	struct strbuf sb = STRBUF_INIT;
	column_sql(&sb, c);
	if (c->notnull && !c->dflt && !c->identity && !c->serial && !c->generated)
		diff_note(d, "%s.%s is NOT NULL without a default: this fails if %s has rows", tt->name,
			  c->name, tt->name);
	diff_stmt(d, "ALTER TABLE %s ADD COLUMN %s", tt->q, sb.buf);
	strbuf_release(&sb);
}

/* Column changes of a table on both sides. */
static void alter_columns(struct rt_schema_diff *d, const struct rt_table *ft, const struct rt_table *tt)
{
	diff_rename_hints(d, ft, tt, "ALTER TABLE %s RENAME COLUMN %s TO %s");
	for (int i = 0; i < ft->ncols; i++) {
		const struct rt_column *fc = &ft->cols[i], *tc = rt_table_column(tt, fc->name);
		if (!tc) {
			diff_change(d, "table %s: column %s unexpected", tt->name, fc->name);
			diff_drop_column(d, tt, fc);
		} else if (needs_readd(fc, tc)) {
			diff_change(d, "table %s: column %s: generation differs", tt->name, tc->name);
			diff_drop_column(d, tt, fc);
			add_column(d, tt, tc);
		}
	}
	for (int j = 0; j < tt->ncols; j++) {
		const struct rt_column *tc = &tt->cols[j], *fc = rt_table_column(ft, tc->name);
		if (!fc) {
			diff_change(d, "table %s: column %s missing", tt->name, tc->name);
			add_column(d, tt, tc);
		} else if (!needs_readd(fc, tc)) {
			column_changes(d, tt, fc, tc);
		}
	}
}

/* Does a table change in a way that views over it may block? */
static int blocks_views(const struct rt_table *ft, const struct rt_table *tt)
{
	for (int i = 0; i < ft->ncols; i++) {
		const struct rt_column *fc = &ft->cols[i], *tc = rt_table_column(tt, fc->name);
		if (!tc || needs_readd(fc, tc) || strcmp(base_type(fc), base_type(tc)))
			return 1;
	}
	return 0;
}


static void create_table(struct rt_schema_diff *d, const struct rt_schema *f, const struct rt_table *t,
			 const struct rt_schema *ts, const int *rank)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "CREATE TABLE %s (", t->q);
	for (int i = 0; i < t->ncols; i++) {
		strbuf_addstr(&sb, i ? ",\n    " : "\n    ");
		column_sql(&sb, &t->cols[i]);
	}
	for (int i = 0; i < t->ncons; i++) {
		const struct rt_constraint *c = &t->cons[i];
		if (c->kind == 'f' && !diff_fk_inline(f, ts, t, c, rank))
			continue; /* added once every table exists */
		strbuf_addf(&sb, ",\n    CONSTRAINT %s %s", c->q, c->def);
	}
	strbuf_addstr(&sb, "\n)");
	diff_stmt(d, "%s", sb.buf);
	strbuf_release(&sb);
}

void diff_pg(const struct rt_schema *f, const struct rt_schema *t, struct rt_schema_diff *d)
{
	int nf = f->ntables, nt = t->ntables;
	int *gone = xcalloc((size_t)nf + 1, sizeof(int)), *fresh = xcalloc((size_t)nt + 1, sizeof(int));
	int *rank = xcalloc((size_t)nt + 1, sizeof(int));
	char *vgone = xcalloc((size_t)f->nviews + 1, 1), *vadd = xcalloc((size_t)t->nviews + 1, 1);
	char *igone = xcalloc((size_t)f->nindexes + 1, 1), *iadd = xcalloc((size_t)t->nindexes + 1, 1);
	char *sgone = xcalloc((size_t)f->nsequences + 1, 1), *sadd = xcalloc((size_t)t->nsequences + 1, 1);
	int reset = 0, n, *order;

	for (int i = 0; i < nf; i++)
		if (!rt_schema_table(t, f->tables[i].name)) {
			gone[i] = 1;
			diff_change(d, "table %s unexpected", f->tables[i].name);
			reset = 1;
		}
	for (int j = 0; j < nt; j++) {
		const struct rt_table *ft = rt_schema_table(f, t->tables[j].name);
		if (!ft)
			diff_change(d, "table %s missing", t->tables[j].name);
		fresh[j] = !ft;
		reset |= ft && blocks_views(ft, &t->tables[j]);
	}
	diff_objects(f->views, f->nviews, t->views, t->nviews, vgone, vadd);
	diff_objects(f->indexes, f->nindexes, t->indexes, t->nindexes, igone, iadd);
	diff_objects(f->sequences, f->nsequences, t->sequences, t->nsequences, sgone, sadd);
	diff_view_changes(d, f, t, vgone, vadd);
	if (reset) {
		memset(vgone, 1, (size_t)f->nviews);
		memset(vadd, 1, (size_t)t->nviews);
	}

	enums(f, t, d);
	for (int j = 0; j < t->nsequences; j++) {
		const struct rt_object *s = &t->sequences[j];
		if (!sadd[j])
			continue;
		int exists = rt_object_find(f->sequences, f->nsequences, s->name) != NULL;
		diff_change(d, "sequence %s %s", s->name, exists ? "differs" : "missing");
		if (exists)
			diff_stmt(d, "ALTER SEQUENCE %s %s", s->q, s->def);
		else
			diff_stmt(d, "%s", s->sql);
	}

	for (int i = f->nviews - 1; i >= 0; i--)
		if (vgone[i])
			diff_stmt(d, "DROP VIEW %s", f->views[i].q);
	/* foreign keys first: other constraints may back them */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nf; i++) {
			const struct rt_table *ft = &f->tables[i], *tt = rt_schema_table(t, ft->name);
			for (int k = 0; tt && k < ft->ncons; k++) {
				const struct rt_constraint *c = &ft->cons[k];
				if ((c->kind == 'f') != !pass || !diff_con_gone(c, tt))
					continue;
				diff_change(d, "table %s: constraint %s %s", ft->name, c->name,
					    rt_table_constraint(tt, c->name) ? "differs" : "unexpected");
				diff_stmt(d, "ALTER TABLE %s DROP CONSTRAINT %s", ft->q, c->q);
			}
		}
	for (int i = 0; i < f->nindexes; i++) {
		const struct rt_object *o = &f->indexes[i];
		if (!igone[i] || !rt_schema_table(t, o->table))
			continue;
		diff_change(d, "index %s %s", o->name,
			    rt_object_find(t->indexes, t->nindexes, o->name) ? "differs" : "unexpected");
		diff_stmt(d, "DROP INDEX %s", o->q);
	}
	diff_drop_tables(d, f, t, gone, fresh, "ALTER TABLE %s DROP CONSTRAINT %s");

	order = rt_schema_table_order(t, NULL, &n);
	for (int k = 0; k < n; k++)
		rank[order[k]] = k;
	for (int k = 0; k < n; k++) {
		int j = order[k];
		if (!fresh[j])
			continue;
		create_table(d, f, &t->tables[j], t, rank);
	}
	free(order);

	for (int j = 0; j < nt; j++) {
		const struct rt_table *ft = rt_schema_table(f, t->tables[j].name);
		if (ft)
			alter_columns(d, ft, &t->tables[j]);
	}
	for (int pass = 0; pass < 2; pass++)
		for (int j = 0; j < nt; j++) {
			const struct rt_table *tt = &t->tables[j], *ft = rt_schema_table(f, tt->name);
			for (int k = 0; k < tt->ncons; k++) {
				const struct rt_constraint *c = &tt->cons[k];
				if ((c->kind == 'f') != pass)
					continue;
				if (ft ? !diff_con_gone(c, ft) : (!pass || diff_fk_inline(f, t, tt, c, rank)))
					continue;
				if (ft && !rt_table_constraint(ft, c->name))
					diff_change(d, "table %s: constraint %s missing", tt->name, c->name);
				diff_stmt(d, "ALTER TABLE %s ADD CONSTRAINT %s %s", tt->q, c->q, c->def);
			}
			if (pass)
				continue;
			for (int i = 0; i < t->nindexes; i++) {
				const struct rt_object *o = &t->indexes[i];
				if (!iadd[i] || strcmp(o->table, tt->name))
					continue;
				if (ft && !rt_object_find(f->indexes, f->nindexes, o->name))
					diff_change(d, "index %s missing", o->name);
				diff_stmt(d, "%s", o->sql);
			}
		}
	for (int j = 0; j < t->nviews; j++)
		if (vadd[j])
			diff_stmt(d, "%s", t->views[j].sql);

	for (int j = 0; j < nt; j++) {
		const struct rt_table *tt = &t->tables[j], *ft = rt_schema_table(f, tt->name);
		struct strbuf what = STRBUF_INIT;
		if (diff_differs(ft ? ft->comment : NULL, tt->comment)) {
			if (ft)
				diff_change(d, "table %s: comment differs", tt->name);
			strbuf_addf(&what, "TABLE %s", tt->q);
			comment_stmt(d, what.buf, tt->comment);
		}
		for (int k = 0; k < tt->ncols; k++) {
			const struct rt_column *tc = &tt->cols[k];
			const struct rt_column *fc = ft ? rt_table_column(ft, tc->name) : NULL;
			if (!diff_differs(fc ? fc->comment : NULL, tc->comment))
				continue;
			if (fc)
				diff_change(d, "table %s: column %s: comment differs", tt->name, tc->name);
			strbuf_reset(&what);
			strbuf_addf(&what, "COLUMN %s.%s", tt->q, tc->q);
			comment_stmt(d, what.buf, tc->comment);
		}
		strbuf_release(&what);
	}

	for (int i = 0; i < f->nsequences; i++)
		if (!rt_object_find(t->sequences, t->nsequences, f->sequences[i].name)) {
			diff_change(d, "sequence %s unexpected", f->sequences[i].name);
			diff_stmt(d, "DROP SEQUENCE %s", f->sequences[i].q);
		}
	for (int i = 0; i < f->nenums; i++)
		if (!rt_schema_enum(t, f->enums[i].name)) {
			diff_change(d, "type %s unexpected", f->enums[i].name);
			diff_stmt(d, "DROP TYPE %s", f->enums[i].q);
		}

	free(gone);
	free(fresh);
	free(rank);
	free(vgone);
	free(vadd);
	free(igone);
	free(iadd);
	free(sgone);
	free(sadd);
}
