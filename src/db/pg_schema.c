/*
 * Reading one PostgreSQL schema (namespace) into the model, from pg_catalog
 * with the server's own deparsers (format_type, pg_get_expr,
 * pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef), so both sides of
 * a comparison are spelled the way the server spells them.  One query per
 * kind of object, whatever the number of tables.  Objects that belong to
 * an extension are left out, as are the version table, retort_progress,
 * retort_history and retort_lock.
 */
#include "pg_schema.h"
#include "lock_table.h"
#include "version_table.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/xalloc.h"

/* ordinary tables: partitioned tables and partitions are not compared yet */
#define PLAIN_TABLE "c.relkind = 'r' AND NOT c.relispartition "

#define REL_FILTER                                                                              \
	"n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = "            \
	"'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e') "

static const char q_tables[] =
	"SELECT c.relname, quote_ident(c.relname), obj_description(c.oid, 'pg_class') "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE " PLAIN_TABLE "AND c.relname NOT IN ($2, '" RT_PROGRESS_TABLE "', '" RT_HISTORY_TABLE "', '" RT_LOCK_TABLE_NAME "') AND " REL_FILTER
	"ORDER BY 1";

static const char q_columns[] =
	"SELECT c.relname, a.attname, quote_ident(a.attname), format_type(a.atttypid, a.atttypmod) || "
	"CASE WHEN a.attcollation <> 0 AND a.attcollation <> ty.typcollation THEN ' COLLATE ' || "
	"(SELECT quote_ident(co.collname) FROM pg_collation co WHERE co.oid = a.attcollation) "
	"ELSE '' END, "
	"a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated, "
	"col_description(c.oid, a.attnum), "
	"(SELECT quote_ident(s.relname) FROM pg_depend dp JOIN pg_class s ON s.oid = dp.objid "
	" WHERE dp.classid = 'pg_class'::regclass AND dp.refobjid = c.oid "
	" AND dp.refobjsubid = a.attnum AND dp.deptype = 'a' AND s.relkind = 'S' LIMIT 1) "
	"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_type ty ON ty.oid = a.atttypid "
	"LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
	"WHERE " PLAIN_TABLE "AND a.attnum > 0 AND NOT a.attisdropped AND " REL_FILTER
	"ORDER BY c.relname, a.attnum";

static const char q_constraints[] =
	"SELECT c.relname, k.conname, quote_ident(k.conname), k.contype, "
	"pg_get_constraintdef(k.oid), CASE WHEN r.relnamespace = n.oid THEN r.relname END "
	"FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class r ON r.oid = k.confrelid "
	"WHERE " PLAIN_TABLE "AND k.contype IN ('p', 'u', 'f', 'c', 'x') AND " REL_FILTER
	"ORDER BY 1, 2";

/* the index's table is always schema-qualified by pg_get_indexdef: drop that */
static const char q_indexes[] =
	"SELECT i.relname, quote_ident(i.relname), c.relname, "
	"replace(replace(pg_get_indexdef(i.oid), ' ON ONLY ' || quote_ident(n.nspname) || '.', "
	"' ON ONLY '), ' ON ' || quote_ident(n.nspname) || '.', ' ON ') "
	"FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE " PLAIN_TABLE "AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
	" WHERE k.conindid = x.indexrelid AND k.conrelid = c.oid AND k.contype IN ('p', 'u', 'x')) "
	"AND " REL_FILTER "ORDER BY 1";

static const char q_views[] =
	"SELECT c.relname, quote_ident(c.relname), "
	"rtrim(pg_get_viewdef(c.oid, true), ';') "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind = 'v' AND " REL_FILTER "ORDER BY c.oid";

static const char q_enums[] =
	"SELECT t.typname, quote_ident(t.typname), e.enumlabel "
	"FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
	"JOIN pg_namespace n ON n.oid = t.typnamespace "
	"WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
	"'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e') "
	"ORDER BY t.typname, e.enumsortorder";

/* sequences that no column owns (serial and identity sequences come with
 * their columns) */
static const char q_sequences[] =
	"SELECT c.relname, quote_ident(c.relname), format_type(s.seqtypid, NULL), s.seqincrement, "
	"s.seqmin, s.seqmax, s.seqstart, s.seqcache, s.seqcycle "
	"FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE NOT EXISTS (SELECT 1 FROM pg_depend o WHERE o.classid = 'pg_class'::regclass "
	" AND o.objid = c.oid AND o.deptype IN ('a', 'i')) AND " REL_FILTER "ORDER BY 1";

static int query(PGconn *c, const char *sql, const char *const *params, PGresult **out,
		 struct rt_error *err)
{
	*out = PQexecParams(c, sql, strstr(sql, "$2") ? 2 : 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(*out) == PGRES_TUPLES_OK)
		return 0;
	const char *msg = PQresultErrorField(*out, PG_DIAG_MESSAGE_PRIMARY);
	rt_error_set(err, RT_EXIT_ERROR, "cannot read the schema from pg_catalog: %s",
		     msg ? msg : PQerrorMessage(c));
	PQclear(*out);
	return -1;
}

static const char *val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The table a row belongs to (rows come grouped by table). */
static struct rt_table *table_of(struct rt_schema *s, const char *name)
{
	return (struct rt_table *)rt_schema_table(s, name);
}

/* A serial column: an integer type, an owned sequence (its quoted name
 * `owned_q`) and a default of nextval() of it. */
static void detect_serial(struct rt_column *col, const char *owned_q)
{
	if (!owned_q || !col->dflt || col->identity)
		return;
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, "nextval('%s'::regclass)", owned_q);
	const char *serial = !strcmp(col->type, "integer") ? "serial"
			     : !strcmp(col->type, "bigint") ? "bigserial"
			     : !strcmp(col->type, "smallint") ? "smallserial" : NULL;
	if (serial && !strcmp(col->dflt, want.buf)) {
		free(col->type);
		col->type = xstrdup(serial);
		free(col->dflt);
		col->dflt = NULL;
		col->serial = 1;
	}
	strbuf_release(&want);
}

static void read_columns(PGresult *r, struct rt_schema *s)
{
	for (int i = 0; i < PQntuples(r); i++) {
		struct rt_table *t = table_of(s, val(r, i, 0));
		if (!t)
			continue;
		struct rt_column *col = rt_table_add_column(t, val(r, i, 1), val(r, i, 2));
		col->type = xstrdup(val(r, i, 3));
		col->notnull = !strcmp(val(r, i, 4), "t");
		const char *gen = val(r, i, 7);
		if (gen && *gen)
			col->generated = dup_or_null(val(r, i, 5));
		else
			col->dflt = dup_or_null(val(r, i, 5));
		const char *ident = val(r, i, 6);
		col->identity = ident && *ident ? *ident : 0;
		col->comment = dup_or_null(val(r, i, 8));
		detect_serial(col, val(r, i, 9));
	}
}

static void read_sequences(PGresult *r, struct rt_schema *s)
{
	for (int i = 0; i < PQntuples(r); i++) {
		struct rt_object *o = rt_schema_add_object(&s->sequences, &s->nsequences, &s->asequences,
							   val(r, i, 0), val(r, i, 1));
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s",
			    val(r, i, 2), val(r, i, 3), val(r, i, 4), val(r, i, 5), val(r, i, 6),
			    val(r, i, 7), !strcmp(val(r, i, 8), "t") ? "CYCLE" : "NO CYCLE");
		o->def = strbuf_detach(&sb);
		strbuf_addf(&sb, "CREATE SEQUENCE %s %s", o->q, o->def);
		o->sql = strbuf_detach(&sb);
	}
}

int rt_pg_schema_read(PGconn *c, const char *schema, const char *skip_table, struct rt_schema *out,
		      struct rt_error *err)
{
	PGresult *r;
	const char *params[2] = { schema, skip_table ? skip_table : "" };
	rt_schema_init(out, RT_DIALECT_PG);

	if (query(c, q_tables, params, &r, err))
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		struct rt_table *t = rt_schema_add_table(out, val(r, i, 0), val(r, i, 1));
		t->comment = dup_or_null(val(r, i, 2));
	}
	PQclear(r);
	rt_schema_sort(out);

	if (query(c, q_columns, params, &r, err))
		goto fail;
	read_columns(r, out);
	PQclear(r);

	if (query(c, q_constraints, params, &r, err))
		goto fail;
	for (int i = 0; i < PQntuples(r); i++) {
		struct rt_table *t = table_of(out, val(r, i, 0));
		if (!t)
			continue;
		struct rt_constraint *k = rt_table_add_constraint(t, val(r, i, 1), val(r, i, 2),
								  *val(r, i, 3), val(r, i, 4));
		k->ref = dup_or_null(val(r, i, 5));
	}
	PQclear(r);

	if (query(c, q_indexes, params, &r, err))
		goto fail;
	for (int i = 0; i < PQntuples(r); i++) {
		if (!table_of(out, val(r, i, 2)))
			continue;
		struct rt_object *o = rt_schema_add_object(&out->indexes, &out->nindexes, &out->aindexes,
							   val(r, i, 0), val(r, i, 1));
		o->table = xstrdup(val(r, i, 2));
		o->def = xstrdup(val(r, i, 3));
		o->sql = xstrdup(val(r, i, 3));
	}
	PQclear(r);

	if (query(c, q_views, params, &r, err))
		goto fail;
	for (int i = 0; i < PQntuples(r); i++) {
		struct rt_object *o = rt_schema_add_object(&out->views, &out->nviews, &out->aviews,
							   val(r, i, 0), val(r, i, 1));
		o->def = xstrdup(val(r, i, 2));
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "CREATE VIEW %s AS\n%s", o->q, o->def);
		o->sql = strbuf_detach(&sb);
	}
	PQclear(r);

	if (query(c, q_enums, params, &r, err))
		goto fail;
	for (int i = 0; i < PQntuples(r); i++) {
		struct rt_enum *e = out->nenums ? &out->enums[out->nenums - 1] : NULL;
		if (!e || strcmp(e->name, val(r, i, 0)))
			e = rt_schema_add_enum(out, val(r, i, 0), val(r, i, 1));
		strvec_push(&e->labels, val(r, i, 2));
	}
	PQclear(r);

	if (query(c, q_sequences, params, &r, err))
		goto fail;
	read_sequences(r, out);
	PQclear(r);
	rt_schema_sort(out);
	return 0;
fail:
	rt_schema_release(out);
	return -1;
}
