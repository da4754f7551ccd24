/*
 * What the PostgreSQL open reads ahead (rt_db_opts.read_ahead): the
 * version table's rows and which of retort's tables exist, in the round
 * trip that sets up the session, after the lock's first try.  Without it
 * every command pays two more round trips before it can plan: one asks
 * the catalog, one reads the table.
 *
 * One statement has to do both without failing when the table is not
 * there (a missing table would be an error in the server's log, and
 * would end the round trip): query_to_xml is the core function that runs
 * a query made at run time, and the query is made only from a table the
 * catalog found (its OID printed as a regclass, quoted and qualified as
 * needed), so nothing runs for a missing one.  It reads version_num
 * alone, so it needs no more privilege than SELECT version_num does.  Its
 * forest is one element a row, holding a version_num element whose text
 * is the value as its type prints it, with &, <, > and carriage returns
 * escaped; rt_pg_ahead_take decodes it, and is trusted only for a
 * version_num of a string type, whose XML text is exactly what SELECT
 * version_num gives.
 *
 * The statement reads with its own snapshot only under READ COMMITTED:
 * under a stricter default isolation the whole round trip is one
 * transaction whose snapshot predates the lock, and another run may have
 * committed in between; it then says so in its first column, and the
 * caller reads afresh.
 */
#include "pg_ahead.h"
#include "version_table.h"

#include <stdlib.h>
#include <string.h>

void rt_pg_table_match(struct strbuf *sql, const char *schema, const char *name)
{
	strbuf_addf(sql, "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON "
			 "s.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND s.nspname = "
			 "coalesce(%s, pg_catalog.current_schema()) AND c.relname = %s",
		    schema, name);
}

void rt_pg_ahead_sql(struct strbuf *sql, const char *schema_lit, const char *table_lit)
{
	const char *schema = schema_lit ? schema_lit : "NULL";

	strbuf_addstr(sql, "SELECT pg_catalog.current_setting('transaction_isolation') = "
			   "'read committed' AS ahead, (SELECT pg_catalog.query_to_xml('SELECT "
			   "version_num FROM ' || c.oid::pg_catalog.regclass::text, false, true, "
			   "'')::text ");
	rt_pg_table_match(sql, schema, table_lit);
	strbuf_addstr(sql, " AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = "
			   "c.oid AND a.attname = 'version_num' AND NOT a.attisdropped AND a.atttypid "
			   "IN ('pg_catalog.text'::pg_catalog.regtype, "
			   "'pg_catalog.varchar'::pg_catalog.regtype, "
			   "'pg_catalog.bpchar'::pg_catalog.regtype)))");
	const char *names[3] = { table_lit, "'" RT_HISTORY_TABLE "'", "'" RT_PROGRESS_TABLE "'" };
	for (int i = 0; i < 3; i++) {
		strbuf_addstr(sql, ", EXISTS (SELECT 1 ");
		rt_pg_table_match(sql, schema, names[i]);
		strbuf_addch(sql, ')');
	}
}

/* Decode the entity at *p (just past its '&') onto v, moving *p past its
 * ';'.  -1 for one the server does not write. */
static int entity(const char **p, struct strbuf *v)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' } };
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (!strncmp(*p, named[i].name, strlen(named[i].name))) {
			strbuf_addch(v, named[i].c);
			*p += strlen(named[i].name);
			return 0;
		}
	if (**p != '#')
		return -1;
	char *end;
	int hex = (*p)[1] == 'x' || (*p)[1] == 'X';
	long c = strtol(*p + 1 + hex, &end, hex ? 16 : 10);
	/* the server escapes only ASCII this way (a carriage return) */
	if (end == *p + 1 + hex || *end != ';' || c <= 0 || c > 0x7f)
		return -1;
	strbuf_addch(v, (char)c);
	*p = end + 1;
	return 0;
}

/* The text of each version_num element of `x` onto `rows`; -1 if one is
 * not as the server writes them. */
static int forest_values(const char *x, struct strvec *rows)
{
	static const char open[] = "<version_num>", close[] = "</version_num>";
	struct strbuf v = STRBUF_INIT;
	const char *p = x;
	while ((p = strstr(p, open))) {
		p += sizeof(open) - 1;
		const char *e = strstr(p, close);
		if (!e)
			goto bad;
		strbuf_reset(&v);
		while (p < e) {
			if (*p != '&') {
				strbuf_addch(&v, *p++);
				continue;
			}
			p++;
			if (entity(&p, &v) || p > e)
				goto bad;
		}
		strvec_push(rows, v.buf);
		p = e + sizeof(close) - 1;
	}
	strbuf_release(&v);
	return 0;
bad:
	strbuf_release(&v);
	return -1;
}

int rt_pg_ahead_take(const PGresult *r, int exists[3], struct strvec *rows)
{
	if (PQntuples(r) != 1 || PQnfields(r) != 5 || strcmp(PQgetvalue(r, 0, 0), "t"))
		return -1;
	for (int i = 0; i < 3; i++)
		exists[i] = !strcmp(PQgetvalue(r, 0, 2 + i), "t");
	if (!exists[0])
		return 0;
	/* the table is there, but its version_num is not one to trust */
	if (PQgetisnull(r, 0, 1))
		return -1;
	struct strvec found = STRVEC_INIT;
	int rc = forest_values(PQgetvalue(r, 0, 1), &found);
	for (size_t i = 0; !rc && i < found.nr; i++)
		strvec_push(rows, found.v[i]);
	strvec_clear(&found);
	return rc;
}
