/*
 * The session: what commands work on.  The script directory (read once),
 * the configured database (opened once, after the --wait gate, with the
 * driver options the settings ask for), and the wait loop with its
 * progress lines, shared by the wait command and the gate.
 */
#include "cmd.h"
#include "../db/version_table.h"
#include "../lib/clock.h"
#include "../lib/resolve.h"
#include "../lib/url.h"
#include "../lib/xalloc.h"
#include "../run/wait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int app_load_scripts(struct app *app, struct rt_error *err)
{
	if (app->scripts_loaded)
		return 0;
	if (rt_scriptdir_load(&app->sd, &app->cfg, err))
		return -1;
	app->scripts_loaded = 1;
	if (app->cfg.verbose && app->sd.headers_only && (app->cfg.no_cache || !app->cfg.cache_dir))
		app_note(app, "retort: 0 of %d revision files read from the header cache (%s)",
			 app->sd.nfiles, app->cfg.no_cache ? "--no-cache" : "no cache directory");
	else if (app->cfg.verbose && app->sd.headers_only)
		app_note(app, "retort: %d of %d revision files read from the header cache; "
			 "%d of %d folders listed from it", app->sd.ncached, app->sd.nfiles,
			 app->sd.nlisted, app->sd.nfolders);
	return 0;
}

static void on_lock_wait(void *ctx, const char *what)
{
	struct app *app = ctx;
	app_note(app, "retort: waiting for the migration lock on %s (up to %g s)", what,
		 app->cfg.lock_timeout);
}

static void on_lock_got(void *ctx, double waited_s)
{
	app_note(ctx, "retort: got the migration lock after %.1f s", waited_s);
}

static void on_lock_note(void *ctx, const char *msg)
{
	app_warn(ctx, "%s", msg);
}

const char *app_db_url(struct app *app, struct rt_error *err)
{
	if (app->cfg.require_url && app->cfg.url_source == RT_SRC_DEFAULT) {
		rt_error_set(err, RT_EXIT_ERROR, "no database configured, and this installation has "
			     "no default (RETORT_REQUIRE_URL is set): set DATABASE_URL or "
			     "DATABASE_URL_FILE, or pass -u/--url");
		return NULL;
	}
	if (app->cfg.url_placeholder == 3) {
		rt_error_set(err, RT_EXIT_ERROR, "%s sets no sqlalchemy.url, so its env.py must build "
			     "the URL, and retort does not run env.py; set DATABASE_URL (or "
			     "DATABASE_URL_FILE), or pass -u/--url", app->cfg.config_file);
		return NULL;
	}
	if (app->cfg.url_placeholder) {
		rt_error_set(err, RT_EXIT_ERROR, "%s:%d: sqlalchemy.url is %s, not a database; set "
			     "DATABASE_URL (or DATABASE_URL_FILE), or pass -u/--url", app->cfg.config_file,
			     app->cfg.url_line, app->cfg.url_placeholder == 1 ? "empty"
			     : "Alembic's template placeholder 'driver://...'");
		return NULL;
	}
	return app->cfg.url;
}

void app_db_opts(struct app *app, int readonly, struct rt_db_opts *opts)
{
	*opts = (struct rt_db_opts){
		.readonly = readonly,
		.lock_timeout = app->cfg.lock_timeout,
		.schema = app->cfg.search_path,
		.version_table = app->cfg.version_table,
		.version_table_schema = app->cfg.version_table_schema,
		.statement_timeout = app->cfg.statement_timeout,
		.ddl_lock_timeout = app->cfg.ddl_lock_timeout,
		.on_lock_wait = on_lock_wait,
		.on_lock_got = on_lock_got,
		.lock_mode = app->cfg.lock,
		.lock_lease = app->cfg.lock_lease,
		.on_lock_note = on_lock_note,
		.ctx = app,
	};
}

/* Refuse settings that the URL's database does not have. */
static int check_backend(struct app *app, const struct rt_url *url, struct rt_error *err)
{
	if (!strcmp(url->backend, "postgresql"))
		return 0;
	if (app->cfg.lock == RT_LOCK_TABLE)
		return rt_lock_table_refusal(url->backend, err);
	if (app->cfg.search_path || app->cfg.version_table_schema)
		return rt_error_set(err, RT_EXIT_USAGE, "%s applies to PostgreSQL only; this database "
				    "is %s", app->cfg.search_path ? "--search-path"
				    : "--version-table-schema",
				    !strcmp(url->backend, "mysql") ? "MySQL" : "SQLite");
	return 0;
}

const struct rt_url *app_url(struct app *app, struct rt_error *err)
{
	const char *u;
	if (app->url_parsed)
		return &app->url;
	if (!(u = app_db_url(app, err)) || rt_url_parse(&app->url, u, err))
		return NULL;
	app->url_parsed = 1;
	return &app->url;
}

/*
 * rt_db_open on the configured database.  After the --wait gate, a
 * connection that fails (a host name that resolved a moment ago and does
 * not now, a server restarting) sends the run back to waiting, within
 * what is left of the gate's budget: the probe tells a failure that
 * waiting can heal from one it cannot (a password, an unknown database),
 * and a timeout is the gate's own exit status.  Three tries at most, so
 * that a failure past the connection itself (the session's settings)
 * still ends at once.
 */
static int open_waiting(struct app *app, const struct rt_url *url, const struct rt_db_opts *opts,
			struct rt_error *err)
{
	for (int tries = 1;; tries++) {
		if (!rt_db_open(&app->db, url, opts, err))
			return 0;
		double left = app->wait_deadline - rt_now();
		if (!app->waited || app->cfg.wait_timeout <= 0 || err->code == RT_EXIT_USAGE ||
		    tries == 3 || left <= 0)
			return -1;
		rt_error_one_line(err);
		app_note(app, "retort: %s; waiting again", err->msg);
		rt_error_clear(err);
		if (app_wait(app, 1, NULL, left, err))
			return -1;
	}
}

int app_open_db(struct app *app, int readonly, int lock, struct rt_error *err)
{
	struct rt_db_opts opts;
	const struct rt_url *url = app_url(app, err);
	if (!url)
		return -1;
	if (app->cfg.wait_timeout > 0 && !app->waited) {
		app->wait_deadline = rt_now() + app->cfg.wait_timeout;
		if (app_wait(app, 1, NULL, app->cfg.wait_timeout, err))
			return -1;
		app->waited = 1;
	}
	if (check_backend(app, url, err))
		return -1;
	if (app->cfg.url_source == RT_SRC_DEFAULT)
		app_note(app, "retort: using the embedded default database %s (set DATABASE_URL or "
			 "-u/--url to choose another)", app->cfg.url);
	if (app->cfg.verbose) {
		char *m = app_masked_url(app);
		app_note(app, "retort: database %s", m);
		free(m);
	}
	app_db_opts(app, readonly, &opts);
	opts.lock_now = lock;
	opts.read_ahead = 1; /* nearly every command reads the version rows next */
	int rc = open_waiting(app, url, &opts, err);
	if (!rc && app->cfg.verbose && app->db->pooled)
		app_note(app, "retort: %s: no session state is kept (settings by SET LOCAL in each "
			 "transaction)%s", app->cfg.lock == RT_LOCK_TABLE ? "--lock=table"
			 : "a connection pooler is in between (the server's backend pid is not the "
			 "one the connection was given)", lock && app->cfg.lock != RT_LOCK_ADVISORY &&
			 app->cfg.lock != RT_LOCK_NONE ? "; the migration lock is a lease" : "");
	if (!rc && lock && app->cfg.lock == RT_LOCK_NONE)
		app_warn(app, "--lock=none: no migration lock is taken, so another retort running "
			 "at the same time can apply the same migrations again");
	if (!rc && lock)
		rc = rt_db_lock(app->db, url, err);
	return rc;
}

int app_open_other(struct app *app, const char *u, struct rt_db **db, struct rt_error *err)
{
	struct rt_url url;
	struct rt_db_opts opts;
	if (rt_url_parse(&url, u, err))
		return -1;
	app_db_opts(app, 1, &opts);
	if (strcmp(url.backend, "postgresql"))
		opts.schema = opts.version_table_schema = NULL;
	int rc = rt_db_open(db, &url, &opts, err);
	rt_url_release(&url);
	return rc;
}

void app_close_db(struct app *app)
{
	if (app->db) {
		rt_db_close(app->db); /* frees the lock too */
		app->db = NULL;
	}
}

int app_read_rows(struct app *app, struct strvec *rows, int *table_exists, struct rt_error *err)
{
	if (rt_versions_read(app->db, rows, table_exists, err))
		return -1;
	strvec_clear(&app->last_rows);
	for (size_t i = 0; i < rows->nr; i++)
		strvec_push(&app->last_rows, rows->v[i]);
	app->have_last_rows = 1;
	return 0;
}

int app_current(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_error *err)
{
	int exists;
	if (app_load_scripts(app, err) || (!app->db && app_open_db(app, 1, 0, err)) ||
	    app_read_rows(app, rows, &exists, err))
		return -1;
	return rt_resolve_current(&app->sd.graph, rows, revs, err);
}

int app_current_if_any(struct app *app, struct intlist *revs)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	int rc = 0;
	if (app->cfg.url_source == RT_SRC_DEFAULT && !app->db)
		return 0;
	if (app_current(app, &rows, revs, &err)) {
		app_warn(app, "no revision is marked current: %s", err.msg);
		revs->nr = 0;
	} else {
		rc = 1;
	}
	strvec_clear(&rows);
	return rc;
}

int app_pending(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_plan *plan,
		struct rt_error *err)
{
	if (app_current(app, rows, revs, err))
		return -1;
	return rt_plan_upgrade(&app->sd.graph, rows, "heads", plan, err);
}

void app_release(struct app *app)
{
	app_run_release(app);
	app_close_db(app);
	if (app->url_parsed)
		rt_url_release(&app->url);
	rt_scriptdir_release(&app->sd); /* also after a partial, failed load */
	rt_config_release(&app->cfg);
	strvec_clear(&app->last_rows);
}

/* Progress of a wait: what it waits for, why not yet (once per reason), ready. */
struct wait_report {
	struct app *app;
	char last[sizeof(((struct rt_error *)0)->msg)]; /* the reason last printed */
	int tries;
};

static void on_waiting(void *ctx, const struct rt_wait_target *t, double timeout)
{
	struct wait_report *wr = ctx;
	wr->last[0] = '\0';
	wr->tries = 0;
	app_note(wr->app, "retort: waiting up to %.3g s for %s", timeout, t->shown);
}

/* Say why a try failed, once per distinct reason, so a long wait shows
 * its progress (refused, then starting up...) without flooding the log. */
static void on_retry(void *ctx, const struct rt_wait_target *t, const struct rt_error *why)
{
	struct wait_report *wr = ctx;
	(void)t;
	wr->tries++;
	if (strcmp(wr->last, why->msg)) {
		app_note(wr->app, "retort: not ready yet: %s", why->msg);
		snprintf(wr->last, sizeof(wr->last), "%s", why->msg);
	}
}

static void on_ready(void *ctx, const struct rt_wait_target *t, double elapsed)
{
	struct wait_report *wr = ctx;
	app_note(wr->app, "retort: %s is ready (%.1f s, %d %s)", t->shown, elapsed, wr->tries + 1,
		 wr->tries ? "tries" : "try");
}

/*
 * The targets in order: the configured database first when `with_db`
 * (its URL as app_url() parsed it, not parsed again), then each of
 * `specs` (NULL: none); then one wait under one deadline.
 */
int app_wait(struct app *app, int with_db, const struct strvec *specs, double timeout,
	     struct rt_error *err)
{
	size_t nspecs = specs ? specs->nr : 0, want = nspecs + (with_db ? 1 : 0);
	struct rt_wait_target *t = xcalloc(want ? want : 1, sizeof(*t));
	struct wait_report wr = { .app = app };
	struct rt_wait_hooks hooks = { on_waiting, on_retry, on_ready, &wr };
	size_t n = 0;
	int rc = 0;
	if (with_db) {
		const struct rt_url *url = app_url(app, err);
		if (!url) {
			free(t);
			return -1;
		}
		rc = rt_wait_target_init_url(&t[n++], app->cfg.url, url, err);
	}
	for (size_t i = 0; i < nspecs && !rc; i++)
		rc = rt_wait_target_init(&t[n++], specs->v[i], err);
	if (!rc)
		rc = rt_wait(t, (int)n, timeout, &hooks, err);
	for (size_t i = 0; i < n; i++)
		rt_wait_target_release(&t[i]);
	free(t);
	return rc;
}

int app_at_heads(const struct rt_graph *g, const struct strvec *rows)
{
	if (rows->nr != (size_t)g->heads.nr)
		return 0;
	for (int i = 0; i < g->heads.nr; i++)
		if (strvec_find(rows, g->revs[g->heads.v[i]].id) < 0)
			return 0;
	return 1;
}
