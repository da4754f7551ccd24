#include "cmd.h"
#include "../lib/clock.h"
#include "../db/version_table.h"
#include "../run/exec.h"
#include "../lib/notify.h"
#include "../run/offline.h"
#include "../lib/resolve.h"
#include "../lib/url.h"
#include "../lib/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RED "\033[1;31m"
#define YELLOW "\033[1;33m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define RESET "\033[0m"

int cmd_parse(struct app *app, const struct cmd *self, int argc, char **argv,
	      const struct opt *opts, struct strvec *args)
{
	struct rt_error err = RT_ERROR_INIT;
	static const struct opt none[] = { OPT_END_ };
	int rc = parse_opts(argc, argv, 1, opts ? opts : none, 0, args, &err);
	if (rc == PARSE_HELP) {
		print_usage(self->usage, self->summary, opts);
		return 0;
	}
	if (rc == PARSE_ERROR) {
		app_fail(app, &err);
		fprintf(stderr, "usage: %s\n", self->usage);
		return RT_EXIT_USAGE;
	}
	return -1;
}

int cmd_nargs(const struct cmd *self, const struct strvec *args, size_t min, size_t max)
{
	if (args->nr < min) {
		fprintf(stderr, "retort: error: '%s' needs %s\nusage: %s\n", self->name,
			min == 1 ? "an argument" : "more arguments", self->usage);
		return RT_EXIT_USAGE;
	}
	if (args->nr > max) {
		fprintf(stderr, "retort: error: unexpected argument '%s' to '%s'\nusage: %s\n",
			args->v[max], self->name, self->usage);
		return RT_EXIT_USAGE;
	}
	return -1;
}

/* Each library hint as the command line spells it (see enum rt_hint). */
static const char *const hint_text[RT_HINT_COUNT] = {
	[RT_HINT_LOCK_TIMEOUT] = ": wait for it, or raise --lock-timeout",
	[RT_HINT_SCRIPT_DIR] = "; run 'retort init%s%s' to create it, or point -d/--dir (or "
			       "script_location in the config) at yours",
	[RT_HINT_STAMP_REPAIR] = ": check the table with 'retort current' and repair it with "
				 "'retort stamp'",
	[RT_HINT_SEARCH_PATH] = "; create it, or set --search-path",
	[RT_HINT_SCHEMA_PATH] = "; write the desired schema there (`retort dump -o%s%s` starts one "
				"from the database) or point --schema at it",
	[RT_HINT_NO_SINGLE_TXN] = "; run without --single-transaction",
	[RT_HINT_BUILD_DRIVERS] = "; rebuild with it enabled (see 'retort --version' for the "
				  "drivers built in)",
};

int app_fail(struct app *app, const struct rt_error *err)
{
	const char *hint = err->hint > 0 && err->hint < RT_HINT_COUNT ? hint_text[err->hint] : NULL;
	fprintf(stderr, "retort: %serror:%s %s", app->color ? RED : "", app->color ? RESET : "",
		err->msg);
	/* a hint with %s%s names its subject: " DIR", or nothing */
	if (hint && strstr(hint, "%s"))
		fprintf(stderr, hint, *err->hint_subject ? " " : "", err->hint_subject);
	else if (hint)
		fputs(hint, stderr);
	fputc('\n', stderr);
	if (err->detail[0])
		fprintf(stderr, "%s\n", err->detail);
	return err->code ? err->code : RT_EXIT_ERROR;
}

void app_warn(struct app *app, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "retort: %swarning:%s ", app->color ? YELLOW : "", app->color ? RESET : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void app_note(struct app *app, const char *fmt, ...)
{
	va_list ap;
	if (app->cfg.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void app_status(struct app *app, const char *fmt, ...)
{
	va_list ap;
	if (app->cfg.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int app_load_scripts(struct app *app, struct rt_error *err)
{
	if (app->scripts_loaded)
		return 0;
	if (rt_scriptdir_load(&app->sd, &app->cfg, err))
		return -1;
	app->scripts_loaded = 1;
	return 0;
}

static void on_lock_wait(void *ctx, const char *what)
{
	struct app *app = ctx;
	app_note(app, "retort: waiting for the migration lock on %s (up to %g s)", what,
		 app->lock_timeout);
}

const char *app_db_url(struct app *app, struct rt_error *err)
{
	if (app->cfg.require_url && app->cfg.url_source == RT_SRC_DEFAULT) {
		rt_error_set(err, RT_EXIT_ERROR, "no database configured, and this installation has "
			     "no default (RETORT_REQUIRE_URL is set): set DATABASE_URL or "
			     "DATABASE_URL_FILE, or pass -u/--url");
		return NULL;
	}
	return app->cfg.url;
}

int app_open_db(struct app *app, int readonly, struct rt_error *err)
{
	struct rt_url url;
	struct rt_db_opts opts = { 0 };
	const char *u = app_db_url(app, err);
	if (!u)
		return -1;
	if (app->cfg.wait_timeout > 0 && !app->waited) {
		struct strvec one = STRVEC_INIT;
		strvec_push(&one, u);
		int rc = app_wait(app, &one, app->cfg.wait_timeout, err);
		strvec_clear(&one);
		if (rc)
			return -1;
		app->waited = 1;
	}
	if (rt_url_parse(&url, u, err))
		return -1;
	if (!strcmp(url.backend, "sqlite") && (app->search_path || app->version_table_schema)) {
		rt_url_release(&url);
		return rt_error_set(err, RT_EXIT_USAGE, "%s applies to PostgreSQL only; this database is "
				    "SQLite", app->search_path ? "--search-path" : "--version-table-schema");
	}
	if (app->cfg.url_source == RT_SRC_DEFAULT)
		app_note(app, "retort: using the embedded default database %s (set DATABASE_URL or "
			 "-u/--url to choose another)", app->cfg.url);
	if (app->cfg.verbose) {
		char *m = rt_url_mask(app->cfg.url);
		app_note(app, "retort: database %s", m);
		free(m);
	}
	opts.readonly = readonly;
	opts.lock_timeout = app->lock_timeout;
	opts.schema = app->search_path;
	opts.version_table = app->version_table;
	opts.version_table_schema = app->version_table_schema;
	opts.statement_timeout = app->statement_timeout;
	opts.ddl_lock_timeout = app->ddl_lock_timeout;
	opts.on_lock_wait = on_lock_wait;
	opts.ctx = app;
	int rc = rt_db_open(&app->db, &url, &opts, err);
	rt_url_release(&url);
	return rc;
}

void app_close_db(struct app *app)
{
	if (app->db) {
		app->db->drv->unlock(app->db);
		rt_db_close(app->db);
		app->db = NULL;
	}
}

int app_read_rows(struct app *app, struct strvec *rows, int *table_exists, struct rt_error *err)
{
	return rt_versions_read(app->db, rows, table_exists, err);
}

void app_release(struct app *app)
{
	app_close_db(app);
	rt_scriptdir_release(&app->sd); /* also after a partial, failed load */
	rt_config_release(&app->cfg);
}

/* Step reporting: one line per step on stderr, and a live counter on a TTY. */
struct run_report {
	struct app *app;
	const struct rt_graph *g;
	int tty;
	double total_ms;
	double *step_ms;   /* per step, for --notify */
	int done;          /* steps completed */
};

static void step_line(struct run_report *rr, const struct rt_plan *p, int i, double ms)
{
	struct app *app = rr->app;
	const struct rt_step *s = &p->steps[i];
	const char *verb = s->kind == RT_STEP_UPGRADE ? "upgrade"
			   : s->kind == RT_STEP_DOWNGRADE ? "downgrade" : "stamp";
	char *from = strvec_join(&s->from, ", "), *to = strvec_join(&s->to, ", ");
	const char *doc = s->rev >= 0 ? rr->g->revs[s->rev].script->doc : "";
	if (rr->tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s%s%s %s -> %s%s%s", app->color ? GREEN : "", verb, app->color ? RESET : "",
		*from ? from : "<base>", *to ? to : "<base>", *doc ? ", " : "", doc);
	if (s->kind != RT_STEP_STAMP)
		fprintf(stderr, " %s(%.0f ms)%s", app->color ? DIM : "", ms, app->color ? RESET : "");
	fputc('\n', stderr);
	if (rr->tty && i + 1 < p->n)
		fprintf(stderr, "[%d/%d] ", i + 1, p->n);
	free(from);
	free(to);
}

static void hook_done(void *ctx, const struct rt_plan *p, int i, double ms)
{
	struct run_report *rr = ctx;
	rr->total_ms += ms;
	rr->step_ms[i] = ms;
	rr->done = i + 1;
	if (!rr->app->cfg.quiet)
		step_line(rr, p, i, ms);
}

static double wall_ms(void)
{
	return rt_now() * 1e3;
}

/*
 * --notify: POST what a run did (or how it failed) to the webhook.  After
 * a failure the version rows are read again, since the steps before the
 * failing one stay applied.  A notification that cannot be delivered is a
 * warning: the migration's own outcome stands.
 */
static void notify(struct app *app, enum run_kind kind, const struct strvec *before,
		   const struct rt_plan *plan, const struct run_report *rr, double total_ms,
		   const struct rt_error *failure)
{
	static const char *const names[] = { "upgrade", "downgrade", "stamp" };
	struct strvec after = STRVEC_INIT;
	struct strbuf body = STRBUF_INIT;
	struct rt_error err = RT_ERROR_INIT;
	int exists, reread = failure && app->db && before;
	if (!failure && !plan->n) {
		if (app->cfg.verbose)
			app_note(app, "retort: nothing changed, so no notification");
		return;
	}
	if (reread && app_read_rows(app, &after, &exists, &err))
		reread = 0; /* the database is gone: say nothing about where it ended */
	char *db = rt_url_mask(app->cfg.url);
	struct rt_run_summary s = {
		names[kind], db, RETORT_VERSION, before,
		failure ? (reread ? &after : NULL) : &plan->end_rows, &app->sd.graph, plan,
		rr->step_ms, rr->done, total_ms, failure,
	};
	rt_notify_body(&s, &body);
	if (rt_notify_send(app->cfg.notify_url, body.buf, 5, 3, &err)) {
		char *where = rt_url_origin(app->cfg.notify_url);
		app_warn(app, "could not send the notification to %s: %s", where, err.msg);
		free(where);
	}
	free(db);
	strbuf_release(&body);
	strvec_clear(&after);
}

int app_run(struct app *app, enum run_kind kind, const struct strvec *targets, int purge)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	struct rt_plan plan;
	struct run_report rr = { app, &app->sd.graph, 0, 0, NULL, 0 };
	int exists = 0, have_rows = 0, rc;
	double t0 = wall_ms();

	rt_plan_init(&plan);
	/* everything that can be refused without the database is refused first */
	if (app_load_scripts(app, &err) || app_open_db(app, 0, &err) ||
	    app->db->drv->lock(app->db, &err) || app_read_rows(app, &rows, &exists, &err))
		goto fail;
	have_rows = 1;
	const struct rt_graph *g = &app->sd.graph;
	if (kind == RUN_UPGRADE)
		rc = rt_plan_upgrade(g, &rows, targets->v[0], &plan, &err);
	else if (kind == RUN_DOWNGRADE)
		rc = rt_plan_downgrade(g, &rows, targets->v[0], &plan, &err);
	else
		rc = rt_plan_stamp(g, &rows, targets, purge, &plan, &err);
	if (rc) /* rt_exec_plan checks the plan before it changes anything */
		goto fail;

	rr.step_ms = xcalloc((size_t)plan.n + 1, sizeof(double));
	rr.tty = !app->cfg.quiet && isatty(2) && plan.n >= 20;
	struct rt_exec_hooks hooks = { NULL, hook_done, &rr };
	if (rt_exec_plan(app->db, g, &plan, exists, app->single_txn, &hooks, &err)) {
		if (rr.tty)
			fputs("\r\033[K", stderr);
		goto fail;
	}
	if (!plan.n && kind != RUN_STAMP) {
		char *cur = strvec_join(&rows, ", ");
		app_note(app, "retort: nothing to %s; the database is at %s",
			 kind == RUN_UPGRADE ? "upgrade" : "downgrade", *cur ? cur : "<base>");
		free(cur);
	} else if (plan.n > 1 && kind != RUN_STAMP) {
		app_note(app, "retort: %d migrations %s in %.0f ms", plan.n,
			 kind == RUN_UPGRADE ? "applied" : "reverted", wall_ms() - t0);
	}
	rc = 0;
	goto out;
fail:
	rc = app_fail(app, &err);
out:
	if (app->cfg.notify_url)
		notify(app, kind, have_rows ? &rows : NULL, &plan, &rr, wall_ms() - t0,
		       rc ? &err : NULL);
	free(rr.step_ms);
	rt_plan_release(&plan);
	strvec_clear(&rows);
	return rc;
}

int app_current(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_error *err)
{
	int exists;
	if (app_load_scripts(app, err) || app_open_db(app, 1, err) ||
	    app_read_rows(app, rows, &exists, err))
		return -1;
	return rt_resolve_current(&app->sd.graph, rows, revs, err);
}

int app_pending(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_plan *plan,
		struct rt_error *err)
{
	if (app_current(app, rows, revs, err))
		return -1;
	return rt_plan_upgrade(&app->sd.graph, rows, "heads", plan, err);
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

void print_pending(const struct rt_graph *g, const struct rt_plan *plan)
{
	for (int i = 0; i < plan->n; i++) {
		const struct rt_rev *rv = &g->revs[plan->steps[i].rev];
		printf("  %s, %s\n", rv->id, rv->script->doc);
	}
}

int app_offline(struct app *app, enum run_kind kind, const struct strvec *targets, int purge)
{
	struct rt_error err = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT, ends = STRVEC_INIT;
	struct rt_plan plan;
	struct rt_url url;
	struct strbuf out = STRBUF_INIT;
	int rc = -1, have_url = 0;

	rt_plan_init(&plan);
	const char *u = NULL;
	if (app_load_scripts(app, &err) || !(u = app_db_url(app, &err)) ||
	    rt_url_parse(&url, u, &err))
		goto fail;
	have_url = 1;
	/* START:END; the start stands for the version rows an online run would read */
	for (size_t i = 0; i < targets->nr; i++) {
		const char *t = targets->v[i], *colon = strchr(t, ':');
		if (colon) {
			char *start = xstrndup(t, (size_t)(colon - t));
			if (*start && strcmp(start, "base")) {
				int r;
				if (rt_resolve_one(&app->sd.graph, start, &r, &err)) {
					free(start);
					goto fail;
				}
				if (r >= 0)
					strvec_push(&rows, app->sd.graph.revs[r].id);
			}
			free(start);
			strvec_push(&ends, colon + 1);
		} else {
			strvec_push(&ends, t);
		}
	}
	if (kind == RUN_DOWNGRADE && (!strchr(targets->v[0], ':') || !rows.nr)) {
		rt_error_set(&err, RT_EXIT_USAGE,
			     "downgrade with --sql needs START:END, e.g. 'downgrade %s:base --sql': "
			     "there is no database to read the start from", "head");
		goto fail;
	}
	const struct rt_graph *g = &app->sd.graph;
	int prc = kind == RUN_UPGRADE ? rt_plan_upgrade(g, &rows, ends.v[0], &plan, &err)
		  : kind == RUN_DOWNGRADE ? rt_plan_downgrade(g, &rows, ends.v[0], &plan, &err)
					  : rt_plan_stamp(g, &rows, &ends, purge, &plan, &err);
	if (prc || rt_exec_check(NULL, g, &plan, &err))
		goto fail;
	struct rt_offline_opts o = { url.backend, app->version_table, app->version_table_schema,
				     !rows.nr, app->single_txn };
	if (rt_offline_sql(g, &plan, &o, &out, &err))
		goto fail;
	fputs(out.buf, stdout);
	rc = 0;
	goto out;
fail:
	rc = app_fail(app, &err);
out:
	if (have_url)
		rt_url_release(&url);
	strbuf_release(&out);
	rt_plan_release(&plan);
	strvec_clear(&rows);
	strvec_clear(&ends);
	return rc;
}
