/*
 * test: prove that every downgrade undoes its upgrade (a "stairway" test).
 * On an empty scratch database, each revision in order from base is
 * upgraded alone, its downgrade run, the schema compared with the one
 * before the upgrade, and the upgrade run again; at the end `downgrade
 * base` must leave no table behind.  The scratch database is --dev-url's
 * (which must be empty); else a temporary SQLite file when the project's
 * database is SQLite, or on PostgreSQL and MySQL a database of its own that retort
 * creates on the configured server and drops at the end.  The configured
 * database itself is only used to create and drop that one.
 */
#include "cmd.h"
#include "../run/exec.h"
#include "../schema/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct test_opts {
	const char *dev;
	int strict;
};

static const struct opt test_options[] = {
	OPT_STRING_(0, "dev-url", struct test_opts, dev, "URL",
		    "the empty scratch database to test on (default: a temporary SQLite file, "
		    "or a temporary database on the configured PostgreSQL or MySQL server)"),
	OPT_BOOL_(0, "strict", struct test_opts, strict,
		  "fail on a revision without a downgrade section too"),
	OPT_END_,
};

/* Run one plan on the scratch database (app->db). */
static int run_plan(struct app *app, struct rt_plan *p, int table_exists, struct rt_error *err)
{
	int rc = rt_exec_check(app->db, &app->sd.graph, p, err);
	return rc ? rc : rt_exec_plan(app->db, &app->sd.graph, p, table_exists, 0, NULL, err);
}

/* Plan and run one step of `rev` from the scratch database's rows. */
static int one_step(struct app *app, int rev, enum rt_step_kind kind, struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT;
	struct rt_plan p;
	int exists;
	rt_plan_init(&p);
	int rc = app_read_rows(app, &rows, &exists, err) ||
		 rt_plan_one(&app->sd.graph, &rows, rev, kind, &p, err) || run_plan(app, &p, exists, err);
	rt_plan_release(&p);
	strvec_clear(&rows);
	return rc ? -1 : 0;
}

/* Objects in a schema read back from the database: 0 when it is empty. */
static int schema_objects(const struct rt_schema *s)
{
	return s->ntables + s->nindexes + s->nviews + s->ntriggers + s->nsequences + s->nenums;
}

/* Read the scratch database's schema (the version table left out) into s. */
static int schema_now(struct app *app, struct rt_schema *s, struct rt_error *err)
{
	rt_schema_release(s);
	rt_schema_init(s, RT_DIALECT_SQLITE);
	return app_schema_live(app, s, err);
}

/*
 * Run one statement on the configured database, opened for it alone and
 * closed again (CREATE and DROP DATABASE cannot run inside the database
 * they name, nor in a transaction).
 */
static int on_server(struct app *app, const char *sql, const char *what, struct rt_error *err)
{
	if (app_open_db(app, 0, 0, err))
		return -1;
	int rc = app->db->drv->exec_params(app->db, sql, 0, NULL, NULL, what, err);
	app_close_db(app);
	return rc;
}

/*
 * A PostgreSQL or MySQL project without --dev-url: point *url (a copy of
 * the configured URL `conf`) at the database `name`, and create it on that
 * server.  The configured user needs CREATEDB (MySQL: CREATE on it);
 * without it the error says to give --dev-url.
 */
static int make_server_scratch(struct app *app, const struct rt_url *conf, const char *name,
			       struct rt_url *url, struct rt_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	rt_url_copy(url, conf);
	free(url->path);
	url->path = xstrdup(name);
	strbuf_addf(&sql, "CREATE DATABASE %s", name);
	int rc = on_server(app, sql.buf, "creating the scratch database", err);
	strbuf_release(&sql);
	if (rc) {
		if (err->code == RT_EXIT_ERROR)
			rt_error_prefix(err, "retort test makes a scratch database on the server when "
					"no --dev-url is given, and that failed (give --dev-url URL: an "
					"empty %s database to test on)",
					!strcmp(url->backend, "mysql") ? "MySQL" : "PostgreSQL");
		return -1;
	}
	return 0;
}

/* Drop the scratch database `name` again; a failure is said, not fatal. */
static void drop_server_scratch(struct app *app, const char *name)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strbuf sql = STRBUF_INIT;
	strbuf_addf(&sql, "DROP DATABASE %s", name);
	if (on_server(app, sql.buf, "dropping the scratch database", &err))
		app_note(app, "retort: could not drop the scratch database %s (%s); drop it by hand",
			 name, err.msg);
	strbuf_release(&sql);
}

/*
 * Open the scratch database writable, holding the lock, as app->db: the
 * --dev-url's, a new SQLite file whose path goes to *tmp (to remove), or
 * a new PostgreSQL or MySQL database whose name goes to *made (to drop).
 */
static int open_scratch(struct app *app, const char *dev, char **tmp, char **made,
			struct rt_error *err)
{
	struct rt_url url;
	struct rt_db_opts opts;
	char *u = NULL;
	int rc;
	*tmp = *made = NULL;
	rt_url_init(&url);
	if (!dev) {
		const struct rt_url *conf = app_url(app, err);
		if (!conf)
			return -1;
		if (!strcmp(conf->backend, "postgresql") || !strcmp(conf->backend, "mysql")) {
			struct strbuf name = STRBUF_INIT;
			strbuf_addf(&name, "retort_test_%ld", (long)getpid());
			if (make_server_scratch(app, conf, name.buf, &url, err)) {
				strbuf_release(&name);
				rt_url_release(&url);
				return -1;
			}
			*made = strbuf_detach(&name);
			app_note(app, "retort: testing in a scratch database %s on the configured "
				 "server, dropped at the end", *made);
			goto open;
		}
		if (strcmp(conf->backend, "sqlite"))
			return rt_error_set(err, RT_EXIT_USAGE,
					    "give --dev-url URL: an empty %s database to test on (a "
					    "temporary SQLite file stands in only for SQLite projects)",
					    conf->backend);
		const char *dir = getenv("TMPDIR");
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s/retort-test.XXXXXX", dir && *dir ? dir : "/tmp");
		char *path = strbuf_detach(&sb);
		int fd = mkstemp(path);
		if (fd < 0) {
			rt_error_set(err, RT_EXIT_ERROR, "cannot create a scratch file '%s': %m", path);
			free(path);
			return -1;
		}
		close(fd);
		*tmp = path;
		strbuf_addf(&sb, "sqlite:///%s", path);
		dev = u = strbuf_detach(&sb);
	}
	rc = rt_url_parse(&url, dev, err);
	free(u);
	if (rc) {
		rt_url_release(&url);
		return -1;
	}
open:
	app_db_opts(app, 0, &opts);
	if (strcmp(url.backend, "postgresql"))
		opts.schema = opts.version_table_schema = NULL;
	opts.lock_now = 1;
	opts.read_ahead = 1;
	rc = rt_db_open(&app->db, &url, &opts, err) || rt_db_lock(app->db, &url, err);
	rt_url_release(&url);
	return rc ? -1 : 0;
}

static int run_test(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct test_opts *o = opts;
	const struct rt_graph *g = &app->sd.graph;
	struct rt_schema before, after;
	struct rt_schema_diff d;
	struct intlist order = { 0 };
	struct strvec rows = STRVEC_INIT;
	char *tmp = NULL, *made = NULL;
	int rc = -1, exists, tested = 0, irreversible = 0;
	(void)args;

	rt_schema_init(&before, RT_DIALECT_SQLITE);
	rt_schema_init(&after, RT_DIALECT_SQLITE);
	rt_schema_diff_init(&d);
	if (open_scratch(app, o->dev, &tmp, &made, err) || app_read_rows(app, &rows, &exists, err) ||
	    schema_now(app, &before, err))
		goto out;
	if (rows.nr || schema_objects(&before)) {
		rt_error_set(err, RT_EXIT_USAGE,
			     "the scratch database is not empty (%s); give an empty one with --dev-url",
			     rows.nr ? "it has version rows" : "it has tables or other objects");
		goto out;
	}
	/* history order puts every revision before its parents: walk it backwards */
	if (rt_walk_revisions(g, NULL, NULL, &order, err))
		goto out;
	for (int i = order.nr - 1; i >= 0; i--) {
		int r = order.v[i];
		const struct rt_rev *rv = &g->revs[r];
		const char *msg = rv->script->doc ? rv->script->doc : "";
		if (schema_now(app, &before, err) || one_step(app, r, RT_STEP_UPGRADE, err))
			goto out;
		tested++;
		if (!rv->script->downgrade.present) {
			irreversible++;
			printf("irreversible %s %s: no '-- migrate:downgrade' section\n", rv->id, msg);
			if (o->strict) {
				rt_error_set(err, RT_EXIT_PENDING,
					     "%s: revision %s has no downgrade section (--strict)",
					     rv->script->path, rv->id);
				goto out;
			}
			continue;
		}
		if (one_step(app, r, RT_STEP_DOWNGRADE, err) || schema_now(app, &after, err))
			goto out;
		rt_schema_diff_release(&d);
		rt_schema_diff_init(&d);
		rt_schema_diff(&after, &before, &d);
		if (d.changes.nr) {
			printf("FAILED %s %s\n", rv->id, msg);
			rt_error_set(err, RT_EXIT_PENDING,
				     "%s: the downgrade of %s does not restore the schema before its "
				     "upgrade; what would restore it:\n%s",
				     rv->script->path, rv->id, d.sql.buf);
			goto out;
		}
		if (one_step(app, r, RT_STEP_UPGRADE, err))
			goto out;
		printf("ok %s %s\n", rv->id, msg);
	}
	/* and the whole way down */
	struct rt_plan p;
	rt_plan_init(&p);
	strvec_clear(&rows);
	rc = app_read_rows(app, &rows, &exists, err) ||
	     (rows.nr && !irreversible && (rt_plan_downgrade(g, &rows, "base", &p, err) || run_plan(app, &p, exists, err))) ||
	     schema_now(app, &after, err);
	rt_plan_release(&p);
	if (rc) {
		rc = -1;
		goto out;
	}
	if (schema_objects(&after) && !irreversible) {
		struct rt_schema empty;
		rt_schema_init(&empty, after.dialect);
		rt_schema_diff_release(&d);
		rt_schema_diff_init(&d);
		rt_schema_diff(&after, &empty, &d);
		rt_schema_release(&empty);
		rt_error_set(err, RT_EXIT_PENDING, "'downgrade base' leaves objects behind; what would "
			     "remove them:\n%s", d.sql.buf);
		rc = -1;
		goto out;
	}
	app_note(app, "retort: %d revision(s) tested: %d reversible, %d without a downgrade; "
		 "'downgrade base' %s", tested, tested - irreversible, irreversible,
		 irreversible ? "not tried, since those cannot be downgraded"
			      : "leaves no table behind");
	rc = 0;
out:
	if (app->db) {
		rt_db_unlock(app->db);
		app_close_db(app);
	}
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	if (made) {
		drop_server_scratch(app, made);
		free(made);
	}
	intlist_release(&order);
	strvec_clear(&rows);
	rt_schema_release(&before);
	rt_schema_release(&after);
	rt_schema_diff_release(&d);
	return rc;
}

const struct cmd cmd_test = {
	.name = "test",
	.brief = "Prove on a scratch database that every downgrade undoes its upgrade.",
	.description = "On an empty scratch database (--dev-url; else a temporary SQLite file for "
		       "a SQLite project, or a temporary database on the configured PostgreSQL or MySQL "
		       "server, dropped at the end), upgrade each revision alone from base, "
		       "downgrade it, "
		       "compare the schema with the one before, and upgrade again; then "
		       "'downgrade base' must leave no table. Exit 1 at the first revision whose "
		       "downgrade does not restore the schema, with the SQL that would.",
	.run = run_test,
	.opts = test_options,
	.opts_size = sizeof(struct test_opts),
	.max_args = 0,
	.needs = NEEDS_SCRIPTS,
};
