/*
 * diff: print the SQL that turns one schema into another.  Each side is
 * the configured database ("database", the default --from), the schema
 * files ("schema", the default --to), the revisions applied from base
 * ("head"), another database's URL, or a .sql file or directory.  Files
 * and revisions are loaded into a scratch space: --dev-url's database, or
 * the configured one's (rolled back, never kept).
 */
#include "cmd.h"
#include "../run/schema_load.h"
#include "../schema/diff.h"

#include <stdio.h>
#include <string.h>

static int is_url(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "sqlite:", 7) || !strncmp(s, "postgres", 8);
}

/* Read one side of the comparison. */
static int read_side(struct app *app, const char *spec, struct rt_db *scratch, struct rt_schema *out,
		     struct rt_error *err)
{
	if (!strcmp(spec, "database"))
		return app_schema_live(app, out, err);
	if (!strcmp(spec, "schema"))
		return app_schema_load(app, SCHEMA_FROM_FILES, NULL, scratch, out, err);
	if (!strcmp(spec, "head"))
		return app_schema_load(app, SCHEMA_FROM_HEAD, NULL, scratch, out, err);
	if (!is_url(spec) || rt_schema_is_program(spec))
		return app_schema_load(app, SCHEMA_FROM_FILES, spec, scratch, out, err);
	struct rt_db *db = NULL;
	if (app_open_other(app, spec, &db, err))
		return -1;
	struct rt_ddl_fail unused;
	int rc = db->drv->schema_read ? db->drv->schema_read(db, NULL, 0, out, &unused, err)
				      : rt_error_set(err, RT_EXIT_ERROR, "the %s driver cannot read "
						     "schemas", db->drv->name);
	rt_db_close(db);
	return rc;
}

static const char *dialect_name(const struct rt_schema *s)
{
	return s->dialect == RT_DIALECT_PG ? "PostgreSQL" : s->dialect == RT_DIALECT_MYSQL ? "MySQL"
									   : "SQLite";
}

struct diff_opts {
	const char *from, *to, *dev;
};

static const struct opt diff_options[] = {
	OPT_STRING_(0, "from", struct diff_opts, from, "SRC",
		    "database (default), schema, head, a URL or a .sql path"),
	OPT_STRING_(0, "to", struct diff_opts, to, "SRC",
		    "schema (default), database, head, a URL or a .sql path"),
	OPT_STRING_(0, "dev-url", struct diff_opts, dev, "URL",
		    "load files and revisions into this scratch database instead"),
	OPT_END_,
};

static void diff_defaults(void *opts)
{
	struct diff_opts *o = opts;
	o->from = "database";
	o->to = "schema";
}

static int run_diff(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct diff_opts *o = opts;
	struct rt_schema a, b;
	struct rt_schema_diff d;
	struct rt_db *scratch = NULL;
	int rc = -1;
	(void)args;
	rt_schema_init(&a, RT_DIALECT_SQLITE);
	rt_schema_init(&b, RT_DIALECT_SQLITE);
	rt_schema_diff_init(&d);
	if ((o->dev && app_open_other(app, o->dev, &scratch, err)) ||
	    read_side(app, o->from, scratch, &a, err) || read_side(app, o->to, scratch, &b, err))
		goto out;
	if (a.dialect != b.dialect) {
		rt_error_set(err, RT_EXIT_USAGE, "cannot compare a %s schema ('%s') with a %s one ('%s')",
			     dialect_name(&a), o->from, dialect_name(&b), o->to);
		goto out;
	}
	rt_schema_diff(&a, &b, &d);
	if (!d.changes.nr)
		app_note(app, "retort: no differences");
	fwrite(d.sql.buf, 1, d.sql.len, stdout);
	rc = 0;
out:
	if (scratch)
		rt_db_close(scratch);
	rt_schema_release(&a);
	rt_schema_release(&b);
	rt_schema_diff_release(&d);
	return rc;
}

const struct cmd cmd_diff = {
	.name = "diff",
	.brief = "Print the SQL that turns one schema into another.",
	.description = "Print the SQL that turns one schema into another. SRC: database (the "
		       "default --from), schema (the default --to), head (the revisions applied "
		       "from base), a URL, or a .sql file or directory. Files and revisions load "
		       "into a scratch space that is never kept.",
	.run = run_diff,
	.opts = diff_options,
	.opts_size = sizeof(struct diff_opts),
	.preset = diff_defaults,
	.max_args = 0,
};
