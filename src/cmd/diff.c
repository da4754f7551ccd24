/*
 * diff: print the SQL that turns one schema into another.  Each side is
 * the configured database ("database", the default --from), the schema
 * files ("schema", the default --to), the revisions applied from base
 * ("head"), another database's URL, or a .sql file or directory.  Files
 * and revisions are loaded into a scratch space: --dev-url's database, or
 * the configured one's (rolled back, never kept).
 */
#include "cmd.h"
#include "../schema/diff.h"

#include <stdio.h>
#include <string.h>

static int is_url(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "sqlite:", 7) || !strncmp(s, "postgres", 8);
}

static int open_url(struct app *app, const char *u, struct rt_db **db, struct rt_error *err)
{
	struct rt_url url;
	struct rt_db_opts opts = { 0 };
	if (rt_url_parse(&url, u, err))
		return -1;
	opts.readonly = 1;
	opts.lock_timeout = app->lock_timeout;
	opts.version_table = app->version_table;
	opts.version_table_schema = app->version_table_schema;
	int rc = rt_db_open(db, &url, &opts, err);
	rt_url_release(&url);
	return rc;
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
	if (!is_url(spec))
		return app_schema_load(app, SCHEMA_FROM_FILES, spec, scratch, out, err);
	struct rt_db *db = NULL;
	if (open_url(app, spec, &db, err))
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
	return s->dialect == RT_DIALECT_PG ? "PostgreSQL" : "SQLite";
}

int cmd_diff(struct app *app, const struct cmd *self, int argc, char **argv)
{
	const char *from = "database", *to = "schema", *dev = NULL;
	struct strvec args = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_schema a, b;
	struct rt_schema_diff d;
	struct rt_db *scratch = NULL;
	const struct opt opts[] = {
		{ OPT_STRING, 0, "from", &from, "SRC", "database (default), schema, head, a URL or a .sql path" },
		{ OPT_STRING, 0, "to", &to, "SRC", "schema (default), database, head, a URL or a .sql path" },
		{ OPT_STRING, 0, "dev-url", &dev, "URL",
		  "load files and revisions into this scratch database instead" },
		OPT_END_,
	};
	rt_schema_init(&a, RT_DIALECT_SQLITE);
	rt_schema_init(&b, RT_DIALECT_SQLITE);
	rt_schema_diff_init(&d);
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if ((dev && open_url(app, dev, &scratch, &err)) || read_side(app, from, scratch, &a, &err) ||
	    read_side(app, to, scratch, &b, &err)) {
		rc = app_fail(app, &err);
		goto out;
	}
	if (a.dialect != b.dialect) {
		rt_error_set(&err, RT_EXIT_USAGE, "cannot compare a %s schema ('%s') with a %s one ('%s')",
			     dialect_name(&a), from, dialect_name(&b), to);
		rc = app_fail(app, &err);
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
	strvec_clear(&args);
	return rc;
}
