/* convert: write the .sql twin of each Alembic .py revision, rendered by the project's Alembic. */
#include "cmd.h"
#include "../lib/resolve.h"
#include "../lib/xalloc.h"
#include "../run/convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct convert_opts {
	const char *dialect, *python, *dev_url;
};

static const struct opt convert_options[] = {
	OPT_STRING_(0, "dialect", struct convert_opts, dialect, "NAME",
		    "render for postgresql or sqlite (default: the configured database's)"),
	OPT_STRING_(0, "python", struct convert_opts, python, "PATH",
		    "the Python that runs Alembic (default: RETORT_PYTHON, else a python3 that "
		    "can import alembic)"),
	OPT_STRING_(0, "dev-url", struct convert_opts, dev_url, "URL",
		    "a scratch database to record revisions that cannot be rendered offline"),
	OPT_END_,
};

/* The revisions to convert: the named ones, or every .py without a .sql twin. */
static int pick(struct app *app, const struct strvec *args, const struct rt_script ***out, int *n,
		struct rt_error *err)
{
	const struct rt_graph *g = &app->sd.graph;
	const struct rt_script **v = xcalloc((size_t)g->n + 1, sizeof(*v));
	*n = 0;
	if (!args->nr) {
		for (int i = 0; i < app->sd.n; i++)
			if (!app->sd.scripts[i].has_sql && app->sd.scripts[i].py_path)
				v[(*n)++] = &app->sd.scripts[i];
		*out = v;
		return 0;
	}
	for (size_t a = 0; a < args->nr; a++) {
		int r;
		if (rt_resolve_one(g, args->v[a], &r, err) || r < 0) {
			free(v);
			return r < 0 ? rt_error_set(err, RT_EXIT_USAGE, "convert: '%s' is not one revision",
						    args->v[a]) : -1;
		}
		const struct rt_script *s = g->revs[r].script;
		int dup = 0;
		for (int k = 0; k < *n; k++)
			dup |= v[k] == s;
		if (dup)
			continue;
		if (!s->py_path) {
			app_note(app, "%s: %s has no Alembic .py file; nothing to convert", s->id, s->path);
		} else if (s->has_sql) {
			app_note(app, "%s: kept %s (an existing .sql file is never overwritten)", s->id,
				 s->path);
		} else {
			v[(*n)++] = s;
		}
	}
	*out = v;
	return 0;
}

/*
 * Refuse a --dev-url that is the configured database (the embedded
 * default too: it is where retort would migrate), however it is spelled:
 * the same SQLite file, the same server database by its URL, or, when
 * both answer, by connecting to both (which changes nothing in either).
 */
static int refuse_configured(struct app *app, const struct rt_url *dev, const char *dev_raw,
			     struct rt_error *err)
{
	struct rt_url real;
	struct rt_error perr = RT_ERROR_INIT;
	const char *how = NULL;
	if (!app->cfg.url || rt_url_parse(&real, app->cfg.url, &perr))
		return 0;   /* a placeholder: no database to confuse it with */
	int sqlite = !strcmp(dev->backend, "sqlite");
	if (rt_url_same_database(dev, &real)) {
		how = sqlite ? "the same file" : "the same database on the same server";
	} else if (!sqlite && !strcmp(dev->backend, real.backend)) {
		struct rt_db *a = NULL, *b = NULL;
		int same = -1;
		if (!app_open_other(app, app->cfg.url, &a, &perr) &&
		    !app_open_other(app, dev_raw, &b, &perr))
			rt_db_same_database(a, b, &same, &perr);
		if (same > 0)
			how = "one database (retort connected to both to see)";
		else if (same < 0)
			app_note(app, "retort: --dev-url and the configured database have different "
				 "URLs; connecting to both to make sure they are not one database did "
				 "not work (%s), so the URLs decide", perr.msg[0] ? perr.msg
				 : "the server has no such test");
		rt_db_close(b);
		rt_db_close(a);
	}
	int rc = 0;
	if (how) {
		char *d = rt_url_mask(dev_raw), *r = app_masked_url(app);
		rc = rt_error_set(err, RT_EXIT_USAGE, "--dev-url is the configured database: %s and %s "
				  "are %s; convert records only against a scratch database: give "
				  "--dev-url an empty database of its own", d, r, how);
		free(d);
		free(r);
	}
	rt_url_release(&real);
	return rc;
}

static int run_convert(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct convert_opts *o = opts;
	const char *dialect = o->dialect;
	if (dialect && strcmp(dialect, "postgresql") && strcmp(dialect, "sqlite"))
		return rt_error_set(err, RT_EXIT_USAGE, "--dialect '%s': convert renders for "
				    "'postgresql' or 'sqlite'", dialect);
	/* the embedded default is no project's database: its SQLite would be a guess */
	if (!dialect && app->cfg.url_source == RT_SRC_DEFAULT)
		return rt_error_set(err, RT_EXIT_USAGE, "convert needs a dialect: set DATABASE_URL or "
				    "-u, or pass --dialect postgresql|sqlite");
	if (!dialect) {
		const struct rt_url *u = app_url(app, err);
		if (!u)
			return -1;
		dialect = u->backend;
		if (strcmp(dialect, "postgresql") && strcmp(dialect, "sqlite"))
			return rt_error_set(err, RT_EXIT_ERROR, "convert renders for PostgreSQL and SQLite "
					    "only (not yet for %s); pass --dialect to choose one",
					    dialect);
	}
	if (o->dev_url) {
		struct rt_url dev;
		rt_url_init(&dev);
		int bad = rt_url_parse(&dev, o->dev_url, err);
		if (!bad && strcmp(dev.backend, dialect))
			bad = rt_error_set(err, RT_EXIT_USAGE, "--dev-url is a %s database; convert "
					   "renders for %s", dev.backend, dialect);
		if (!bad)
			bad = refuse_configured(app, &dev, o->dev_url, err);
		rt_url_release(&dev);
		if (bad)
			return -1;
	}
	if (!app->cfg.config_file)
		return rt_error_set(err, RT_EXIT_ERROR, "convert runs the project's Alembic, which "
				    "needs its alembic.ini; none was found (pass -c/--config)");

	const struct rt_script **picked = NULL;
	int n = 0;
	if (pick(app, args, &picked, &n, err))
		return -1;
	if (!n) {
		free(picked);
		app_status(app, "  Nothing to convert: every .py revision has its .sql twin");
		return 0;
	}
	/* convert --python, else the global --python/RETORT_PYTHON/python =,
	 * else the first of python3 and /usr/bin/python3 that has Alembic */
	const char *py = o->python ? o->python
		: app->cfg.source[RT_SET_PYTHON] != RT_SRC_DEFAULT ? app->cfg.python : NULL;
	struct rt_convert_opts co = {
		.python = py && *py ? py : NULL,
		.ini = app->cfg.config_file,
		.section = app->cfg.name ? app->cfg.name : "alembic",
		.script_location = app->cfg.script_location,
		.dialect = dialect,
		.dev_url = o->dev_url,
	};
	struct rt_convert cv = { 0 };
	if (rt_convert_run(&co, picked, n, &cv, err)) {
		rt_convert_release(&cv);
		free(picked);
		return -1;
	}
	int converted = 0, flagged = 0, refused = 0, recorded = 0;
	struct strbuf ref = STRBUF_INIT, flags = STRBUF_INIT;
	for (int i = 0; i < n; i++) {
		struct rt_convert_rev *r = &cv.revs[i];
		struct rt_error werr = RT_ERROR_INIT;
		char *path = NULL;
		if (r->done) {
			path = rt_convert_sql_path(picked[i]);
			char *text = rt_convert_render(picked[i], r);
			if (rt_convert_write(path, text, &werr)) {
				free(r->refused);
				r->refused = xstrdup(werr.msg);
				r->done = 0;
			}
			free(text);
		}
		if (r->done) {
			converted++;
			recorded += r->needs_dev;
			app_status(app, "  Writing %s (%s) ...  done%s", path, dialect,
				   r->needs_dev ? ", recorded against --dev-url" : "");
		} else {
			refused++;
			strbuf_addf(&ref, "  %s  %s\n      %s%s\n", r->id, picked[i]->py_path, r->refused,
				    r->needs_dev && !o->dev_url ?
				    "\n      offline rendering cannot work: pass --dev-url URL (a scratch "
				    "database) to record what it executes" : "");
		}
		if (r->flags.nr) {
			flagged++;
			for (size_t k = 0; k < r->flags.nr; k++)
				strbuf_addf(&flags, "  %s  %s\n", r->id, r->flags.v[k]);
		}
		free(path);
	}
	printf("convert: %d converted (%d recorded against --dev-url), %d flagged for review, "
	       "%d refused\n", converted, recorded, flagged, refused);
	if (flags.len)
		printf("flagged (their effect depends on data or Python logic: the SQL is what they did "
		       "here, review it):\n%s", flags.buf);
	fflush(stdout);
	int rc = 0;
	if (refused) {
		fprintf(stderr, "refused (nothing written for them):\n%s", ref.buf);
		rc = rt_error_set(err, RT_EXIT_ERROR, "convert refused %d revision%s; the others were "
				  "converted", refused, refused == 1 ? "" : "s");
	}
	strbuf_release(&ref);
	strbuf_release(&flags);
	rt_convert_release(&cv);
	free(picked);
	return rc;
}

const struct cmd cmd_convert = {
	.name = "convert",
	.args = "[REV...]",
	.brief = "Write the .sql twins of Alembic .py revisions with the project's Alembic.",
	.description = "Write the .sql twin (same name, header and message) of every Alembic .py "
		       "revision that has none, or of the REVs named, by running the project's own "
		       "Alembic and env.py in offline mode for the configured database's dialect (or "
		       "--dialect). Revisions that cannot be rendered offline are recorded against a "
		       "scratch database given with --dev-url, never against the configured one; "
		       "revisions whose effect depends on data or on Python logic are marked "
		       "'-- WARNING: converted from Python; review: ...' and listed. Existing .sql "
		       "files are never overwritten. Exits non-zero when any revision was refused.",
	.run = run_convert,
	.opts = convert_options,
	.opts_size = sizeof(struct convert_opts),
	.min_args = 0,
	.max_args = -1,
	.needs = NEEDS_SCRIPTS,
	.complete = COMPLETE_REVISIONS,
};
