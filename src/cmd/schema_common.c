/*
 * What the schema commands share (revision --autogenerate, check, diff,
 * dump): reading the live database's schema, and the desired schema from
 * the schema files or from the revisions, through the configured
 * database's scratch space.
 */
#include "cmd.h"
#include "../run/schema_load.h"

#include <string.h>
#include <unistd.h>

static int need_reader(struct rt_db *db, struct rt_error *err)
{
	if (db->drv->schema_read)
		return 0;
	return rt_error_set(err, RT_EXIT_ERROR, "the %s driver cannot read schemas", db->drv->name);
}

int app_schema_live(struct app *app, struct rt_schema *out, struct rt_error *err)
{
	if (!app->db && app_open_db(app, 1, 0, err))
		return -1;
	if (need_reader(app->db, err))
		return -1;
	struct rt_ddl_fail unused;
	return app->db->drv->schema_read(app->db, NULL, 0, out, &unused, err);
}

int app_schema_load(struct app *app, enum schema_from from, const char *path, struct rt_db *scratch,
		    struct rt_schema *out, struct rt_error *err)
{
	struct rt_schema_source src;
	int rc;
	if (!scratch) {
		if (!app->db && app_open_db(app, 1, 0, err))
			return -1;
		scratch = app->db;
	}
	rt_schema_source_init(&src);
	if (!path)
		path = app->cfg.schema_path;
	if (from == SCHEMA_FROM_HEAD)
		rc = app_load_scripts(app, err) || rt_schema_source_head(&src, &app->sd.graph, err);
	else if (rt_schema_is_program(path))
		rc = rt_schema_source_program(&src, path, app->cfg.python, &app->cfg.python_path,
					      scratch->drv->name, err);
	else
		rc = rt_schema_source_files(&src, path, err);
	for (size_t i = 0; i < src.notes.nr; i++)
		app_note(app, "retort: note: %s", src.notes.v[i]);
	if (!rc)
		rc = need_reader(scratch, err) || rt_schema_source_read(scratch, &src, out, err);
	rt_schema_source_release(&src);
	return rc ? -1 : 0;
}

int app_has_schema(const struct app *app)
{
	return app->cfg.schema_path_set || rt_schema_is_program(app->cfg.schema_path) ||
	       !access(app->cfg.schema_path, F_OK);
}
