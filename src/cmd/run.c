/*
 * Runs that change the database: upgrade, downgrade and stamp read the
 * version rows under the migration lock (the dispatcher took it), plan,
 * and execute, printing one line per step; with --sql the same plan is
 * rendered as a script instead, without connecting.  Afterwards --notify
 * POSTs what happened.
 */
#include "cmd.h"
#include "../lib/clock.h"
#include "../lib/notify.h"
#include "../lib/resolve.h"
#include "../lib/url.h"
#include "../lib/xalloc.h"
#include "../db/version_table.h"
#include "../run/exec.h"
#include "../run/fleet.h"
#include "../run/offline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GREEN "\033[32m"
#define DIM "\033[2m"
#define RESET "\033[0m"

/* What one run did, kept for the notification. */
struct run_state {
	enum run_kind kind;
	struct strvec rows;      /* the version rows before */
	int have_rows;
	struct rt_plan plan;
	double *step_ms;         /* per step */
	int done;                /* steps completed */
	int tty;                 /* a live [k/N] counter on stderr */
	double t0;               /* when the run began: connected, ready, the lock held */
};

static const char *const kind_names[] = { "upgrade", "downgrade", "stamp" };

static void step_line(struct app *app, const struct run_state *rs, int i, double ms)
{
	const struct rt_plan *p = &rs->plan;
	const struct rt_step *s = &p->steps[i];
	const char *verb = s->kind == RT_STEP_UPGRADE ? "upgrade"
			   : s->kind == RT_STEP_DOWNGRADE ? "downgrade" : "stamp";
	char *from = strvec_join(&s->from, ", "), *to = strvec_join(&s->to, ", ");
	const char *doc = s->rev >= 0 ? app->sd.graph.revs[s->rev].script->doc : "";
	if (rs->tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "%s%s%s %s -> %s%s%s", app->color ? GREEN : "", verb, app->color ? RESET : "",
		*from ? from : "<base>", *to ? to : "<base>", *doc ? ", " : "", doc);
	if (s->kind != RT_STEP_STAMP)
		fprintf(stderr, " %s(%.0f ms)%s", app->color ? DIM : "", ms, app->color ? RESET : "");
	fputc('\n', stderr);
	if (rs->tty && i + 1 < p->n)
		fprintf(stderr, "[%d/%d] ", i + 1, p->n);
	free(from);
	free(to);
}

struct hook_ctx {
	struct app *app;
	struct run_state *rs;
};

static void hook_done(void *ctx, const struct rt_plan *p, int i, double ms)
{
	struct hook_ctx *h = ctx;
	(void)p;
	h->rs->step_ms[i] = ms;
	h->rs->done = i + 1;
	if (!h->app->cfg.quiet)
		step_line(h->app, h->rs, i, ms);
}

/* The executor's word to the user (resuming a migration left part-way). */
static void hook_note(void *ctx, const char *msg)
{
	struct hook_ctx *h = ctx;
	app_note(h->app, "%s", msg);
}

/* In a fleet being stopped: no migration after the current one. */
static int hook_stop(void *ctx)
{
	(void)ctx;
	return rt_fleet_stop_requested();
}

static int plan_for(const struct rt_graph *g, enum run_kind kind, const struct strvec *rows,
		    const struct strvec *targets, int purge, struct rt_plan *plan,
		    struct rt_error *err)
{
	if (kind == RUN_UPGRADE)
		return rt_plan_upgrade(g, rows, targets->v[0], plan, err);
	if (kind == RUN_DOWNGRADE)
		return rt_plan_downgrade(g, rows, targets->v[0], plan, err);
	return rt_plan_stamp(g, rows, targets, purge, plan, err);
}

/*
 * A plan through Alembic .py revisions that have no .sql twin cannot run:
 * retort does not run Python.  Refuse it before anything runs, naming
 * every such revision and its file (in the detail lines, or straight to
 * stderr when they are too many for it).
 */
static int refuse_python(struct app *app, enum run_kind kind, const struct rt_plan *plan,
			 struct rt_error *err)
{
	const struct rt_graph *g = &app->sd.graph;
	struct strbuf list = STRBUF_INIT;
	struct intlist seen = { 0 };
	for (int i = 0; i < plan->n; i++) {
		const struct rt_step *s = &plan->steps[i];
		if (s->kind == RT_STEP_STAMP || s->rev < 0 || g->revs[s->rev].script->has_sql ||
		    intlist_has(&seen, s->rev))
			continue;
		intlist_push(&seen, s->rev);
		strbuf_addf(&list, "  %s  %s\n", g->revs[s->rev].id, g->revs[s->rev].script->path);
	}
	int n = seen.nr;
	intlist_release(&seen);
	if (!n) {
		strbuf_release(&list);
		return 0;
	}
	rt_error_set(err, RT_EXIT_ERROR, "%s needs the SQL of %d revision%s that %s only an Alembic "
		     ".py file, and retort does not run Python; nothing was run", kind_names[kind], n,
		     n == 1 ? "" : "s", n == 1 ? "has" : "have");
	static const char advice[] =
		"run 'retort convert' to write their .sql twins with your project's Alembic (or write "
		"each one's SQL by hand in a .sql file with the same Revision ID beside it; README: "
		"Coming from Alembic)";
	if (list.len + sizeof(advice) < sizeof(err->detail)) {
		rt_error_set_detail(err, "%s%s", list.buf, advice);
		strbuf_release(&list);
		return -1;
	}
	/* too many for the detail: report here, and the whole list after it */
	app_fail(app, err);
	fputs(list.buf, stderr);
	fprintf(stderr, "%s\n", advice);
	strbuf_release(&list);
	return RT_EXIT_ERROR;
}

static void run_state_free(struct run_state *rs)
{
	if (!rs)
		return;
	strvec_clear(&rs->rows);
	rt_plan_release(&rs->plan);
	free(rs->step_ms);
	free(rs);
}

/*
 * The connection went away mid-run (a restart, a terminated backend):
 * what committed before it did, and maybe the step that was committing.
 * Connect once more (waiting as --wait would, 10 s at least) and say
 * where the database really is, instead of guessing.
 */
static void where_after_loss(struct app *app, struct rt_error *err)
{
	struct rt_error e2 = RT_ERROR_INIT;
	struct strvec rows = STRVEC_INIT;
	int exists;
	double budget = app->cfg.wait_timeout > 10 ? app->cfg.wait_timeout : 10;
	app_close_db(app);
	int quiet = app->cfg.quiet;
	app->cfg.quiet = 1; /* the wait's progress lines would bury the error */
	int rc = app_wait(app, 1, NULL, budget, &e2) || app_open_db(app, 1, 0, &e2) ||
		 app_read_rows(app, &rows, &exists, &e2);
	app->cfg.quiet = quiet;
	char *at = strvec_join(&rows, ", ");
	if (rc)
		rt_error_set_detail(err, "could not connect again to see where it stopped: %s", e2.msg);
	else
		rt_error_set_detail(err, "connected again: the database is at %s", *at ? at : "<base>");
	free(at);
	strvec_clear(&rows);
}

int app_run(struct app *app, enum run_kind kind, const struct strvec *targets, int purge,
	    struct rt_error *err)
{
	struct run_state *rs = xcalloc(1, sizeof(*rs));
	int exists = 0;
	double t0 = rt_now();

	run_state_free(app->run);
	app->run = rs;
	rs->kind = kind;
	rs->t0 = t0;
	strvec_init(&rs->rows);
	rt_plan_init(&rs->plan);
	if (app_read_rows(app, &rs->rows, &exists, err))
		return -1;
	rs->have_rows = 1;
	const struct rt_graph *g = &app->sd.graph;
	/* rt_exec_plan checks the plan before it changes anything */
	if (plan_for(g, kind, &rs->rows, targets, purge, &rs->plan, err))
		return -1;
	int refused = refuse_python(app, kind, &rs->plan, err);
	if (refused)
		return refused;
	rs->step_ms = xcalloc((size_t)rs->plan.n + 1, sizeof(double));
	rs->tty = !app->cfg.quiet && isatty(2) && rs->plan.n >= 20;
	struct hook_ctx h = { app, rs };
	struct rt_exec_hooks hooks = { NULL, hook_done, &h, hook_note, hook_stop, RETORT_VERSION };
	if (rt_exec_plan(app->db, g, &rs->plan, exists, app->cfg.single_txn, &hooks, err)) {
		if (rs->tty)
			fputs("\r\033[K", stderr);
		if (!rt_db_connected(app->db))
			where_after_loss(app, err);
		return -1;
	}
	if (!rs->plan.n && kind != RUN_STAMP) {
		char *cur = strvec_join(&rs->rows, ", ");
		app_note(app, "retort: nothing to %s; the database is at %s", kind_names[kind],
			 *cur ? cur : "<base>");
		free(cur);
	} else if (rs->plan.n > 1 && kind != RUN_STAMP) {
		app_note(app, "retort: %d migrations %s in %.0f ms", rs->plan.n,
			 kind == RUN_UPGRADE ? "applied" : "reverted", (rt_now() - t0) * 1e3);
	}
	return 0;
}

/*
 * After a failure the version rows are read again, since the steps before
 * the failing one stay applied.  A notification that cannot be delivered
 * is a warning: the migration's own outcome stands.
 */
void app_notify(struct app *app, const struct cmd *c, double started, const struct rt_error *failure)
{
	struct run_state *rs = app->run;
	struct strvec after = STRVEC_INIT;
	struct strbuf body = STRBUF_INIT;
	struct rt_error err = RT_ERROR_INIT;
	int exists, reread = failure && app->db && rs && rs->have_rows;
	if (!failure && (!rs || !rs->plan.n)) {
		if (app->cfg.verbose)
			app_note(app, "retort: nothing changed, so no notification");
		return;
	}
	if (reread && app_read_rows(app, &after, &exists, &err))
		reread = 0; /* the database is gone: say nothing about where it ended */
	char *db = app_masked_url(app);
	struct rt_run_summary s = {
		.command = rs ? kind_names[rs->kind] : c->notify,
		.database = db,
		.version = RETORT_VERSION,
		.from = rs && rs->have_rows ? &rs->rows : NULL,
		.to = failure ? (reread ? &after : NULL) : &rs->plan.end_rows,
		.g = &app->sd.graph,
		.plan = rs ? &rs->plan : NULL,
		.step_ms = rs ? rs->step_ms : NULL,
		.steps_done = rs ? rs->done : 0,
		/* the run's own time, as stderr's "applied in"; the time before
		 * it (connecting, waiting for the database and for the lock)
		 * apart */
		.total_ms = (rt_now() - (rs ? rs->t0 : started)) * 1e3,
		.wait_ms = rs ? (rs->t0 - started) * 1e3 : 0,
		.error = failure,
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

int app_run_outcome(struct app *app, struct strvec *from, struct strvec *to, int *steps)
{
	const struct run_state *rs = app->run;
	int exists;
	struct rt_error err = RT_ERROR_INIT;
	if (!rs || !rs->have_rows)
		return 0;
	for (size_t i = 0; i < rs->rows.nr; i++)
		strvec_push(from, rs->rows.v[i]);
	*steps = rs->kind == RUN_STAMP ? 0 : rs->done;
	if (rs->plan.n && rs->done == rs->plan.n) {
		for (size_t i = 0; i < rs->plan.end_rows.nr; i++)
			strvec_push(to, rs->plan.end_rows.v[i]);
		return 1;
	}
	if (!rs->done) {
		for (size_t i = 0; i < rs->rows.nr; i++)
			strvec_push(to, rs->rows.v[i]);
		return 1;
	}
	/* part-way: where the steps that committed left it */
	if (!app->db || !rt_db_connected(app->db) || app_read_rows(app, to, &exists, &err))
		return 2;
	return 1;
}

void app_run_release(struct app *app)
{
	run_state_free(app->run);
	app->run = NULL;
}

/*
 * Split offline targets: "START:END" stands for the version rows an online
 * run would read (START, or none for base) and END.
 */
static int offline_targets(const struct rt_graph *g, const struct strvec *targets,
			   struct strvec *rows, struct strvec *ends, struct rt_error *err)
{
	for (size_t i = 0; i < targets->nr; i++) {
		const char *t = targets->v[i], *colon = strchr(t, ':');
		if (!colon) {
			strvec_push(ends, t);
			continue;
		}
		char *start = xstrndup(t, (size_t)(colon - t));
		int r = -1, rc = 0;
		if (*start && strcmp(start, "base"))
			rc = rt_resolve_one(g, start, &r, err);
		free(start);
		if (rc)
			return -1;
		if (r >= 0)
			strvec_push(rows, g->revs[r].id);
		strvec_push(ends, colon + 1);
	}
	return 0;
}

int app_offline(struct app *app, enum run_kind kind, const struct strvec *targets, int purge,
		struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT, ends = STRVEC_INIT;
	struct rt_plan plan;
	const struct rt_url *url;
	struct strbuf out = STRBUF_INIT;
	const struct rt_graph *g = &app->sd.graph;
	int rc = -1;

	rt_plan_init(&plan);
	if (!(url = app_url(app, err)))
		goto out;
	if (offline_targets(g, targets, &rows, &ends, err))
		goto out;
	if (kind == RUN_DOWNGRADE && (!strchr(targets->v[0], ':') || !rows.nr)) {
		rt_error_set(err, RT_EXIT_USAGE,
			     "downgrade with --sql needs START:END, e.g. 'downgrade head:base --sql': "
			     "there is no database to read the start from");
		goto out;
	}
	struct rt_offline_opts o = { url->backend, app->cfg.version_table,
				     app->cfg.version_table_schema, !rows.nr, app->cfg.single_txn,
				     RETORT_VERSION, &rows };
	if (plan_for(g, kind, &rows, &ends, purge, &plan, err))
		goto out;
	if ((rc = refuse_python(app, kind, &plan, err)))
		goto out;
	rc = -1;
	if (rt_exec_check_offline(rt_sql_dialect_for(url->backend), g, &plan, err) ||
	    rt_offline_sql(g, &plan, &o, &out, err))
		goto out;
	fputs(out.buf, stdout);
	rc = 0;
out:
	strbuf_release(&out);
	rt_plan_release(&plan);
	strvec_clear(&rows);
	strvec_clear(&ends);
	return rc;
}
