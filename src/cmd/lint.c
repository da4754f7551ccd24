/*
 * lint: report the statements of migrations that lock a busy table for
 * long, rewrite it, lose data or break the running application (src/lint:
 * PostgreSQL's rules, or SQLite's with SQLite's own parser), as
 * "file:line:col: RULE: ..." lines, one JSON object, or GitHub workflow
 * annotations.  By default the pending migrations (what `upgrade heads`
 * would run, which reads the database); --all or REV... work offline.
 * Exit 1 when a finding of level error remains.  check --lint uses
 * app_lint() too.
 */
#include "cmd.h"
#include "../lib/bitset.h"
#include "../lib/resolve.h"
#include "../lint/lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lint_opts {
	int all;
	const char *format;
	const char *dialect;
	int rules;
};

static const struct opt lint_options[] = {
	OPT_BOOL_(0, "all", struct lint_opts, all, "lint every migration, not only the pending ones"),
	OPT_STRING_(0, "format", struct lint_opts, format, "FORMAT",
		    "text (the default), json or github (workflow annotations)"),
	OPT_STRING_(0, "dialect", struct lint_opts, dialect, "NAME",
		    "read the migrations as postgresql, sqlite or mysql (default: the database "
		    "URL's)"),
	OPT_BOOL_(0, "rules", struct lint_opts, rules,
		  "list the rules (id, level, what each catches) and exit; with --dialect, "
		  "that dialect's"),
	OPT_END_,
};

/* Which dialect the migrations are written in: --dialect, else the URL's. */
static int lint_dialect(struct app *app, const char *given, const char **out, struct rt_error *err)
{
	if (given) {
		if (strcmp(given, "postgresql") && strcmp(given, "sqlite") && strcmp(given, "mysql"))
			return rt_error_set(err, RT_EXIT_USAGE,
					    "unknown dialect '%s': say postgresql, sqlite or mysql", given);
		*out = given;
		return 0;
	}
	const struct rt_url *u = app_url(app, err);
	if (!u)
		return -1;
	*out = u->backend;
	return 0;
}

static int by_topo(const void *a, const void *b, void *g)
{
	const struct rt_graph *graph = g;
	return graph->revs[*(const int *)a].topo - graph->revs[*(const int *)b].topo;
}

/*
 * SQLite's rules read the schema from a scratch connection: first run
 * there, parents first, the upgrades of the ancestors of `revs` that are
 * not linted themselves (what the database already has), so "existing"
 * tables and their foreign keys are known.
 */
static int replay_before(struct app *app, struct rt_lint *l, const int *revs, int n,
			 struct rt_error *err)
{
	const struct rt_graph *g = &app->sd.graph;
	struct bitset before;
	struct intlist order = { 0 };
	int rc = 0;
	bitset_init(&before, g->n);
	rt_graph_ancestors(g, revs, n, 1, &before);
	for (int i = 0; i < n; i++)
		bitset_clear(&before, revs[i]);
	for (int r = 0; r < g->n; r++)
		if (bitset_has(&before, r))
			intlist_push(&order, r);
	if (order.nr > 1) /* order.v is NULL while the list is empty */
		qsort_r(order.v, (size_t)order.nr, sizeof(int), by_topo, (void *)g);
	for (int i = 0; i < order.nr && !rc; i++)
		rc = rt_lint_replay_sqlite(l, g->revs[order.v[i]].script, err);
	intlist_release(&order);
	bitset_release(&before);
	return rc;
}

int app_lint(struct app *app, const int *revs, int n, int format, const char *dialect,
	     FILE *out, int *errors, struct rt_error *err)
{
	const char *d = NULL;
	if (lint_dialect(app, dialect, &d, err))
		return -1;
	int sqlite = !strcmp(d, "sqlite");
	if (strcmp(d, "postgresql") && !sqlite)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "lint reads PostgreSQL and SQLite migrations; %s migrations are not "
				    "linted yet (--dialect postgresql reads them as PostgreSQL)", d);
	struct rt_lint l;
	struct rt_lint_opts lo = { .session_lock_timeout = app->cfg.ddl_lock_timeout > 0 };
	rt_lint_init(&l, &lo);
	int rc = sqlite ? replay_before(app, &l, revs, n, err) : 0;
	for (int i = 0; i < n && !rc; i++)
		rc = sqlite ? rt_lint_script_sqlite(&l, app->sd.graph.revs[revs[i]].script, err)
			    : rt_lint_script_pg(&l, app->sd.graph.revs[revs[i]].script, err);
	if (!rc) {
		struct strbuf sb = STRBUF_INIT;
		rt_lint_render(&l, (enum rt_lint_format)format, &sb);
		fputs(sb.buf, out);
		strbuf_release(&sb);
		app_note(app, "retort: linted %d migration%s: %d error%s, %d warning%s", l.migrations,
			 l.migrations == 1 ? "" : "s", l.errors, l.errors == 1 ? "" : "s", l.warnings,
			 l.warnings == 1 ? "" : "s");
		if (l.skipped)
			app_note(app, "retort: %d Alembic .py revision%s without SQL not linted", l.skipped,
				 l.skipped == 1 ? "" : "s");
		*errors = l.errors;
	}
	rt_lint_release(&l);
	return rc ? -1 : 0;
}

static int run_lint(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct lint_opts *o = opts;
	struct intlist revs = { 0 }, one = { 0 };
	struct strvec rows = STRVEC_INIT;
	struct rt_plan plan;
	int format = rt_lint_format_parse(o->format ? o->format : "text"), rc = -1, errors = 0;
	const struct rt_graph *g = &app->sd.graph;
	rt_plan_init(&plan);
	if (o->rules) {
		unsigned want = !o->dialect ? RT_LINT_PG | RT_LINT_SQLITE
			      : !strcmp(o->dialect, "postgresql") ? RT_LINT_PG
			      : !strcmp(o->dialect, "sqlite") ? RT_LINT_SQLITE : 0;
		for (const struct rt_lint_rule *r = rt_lint_rules; r->id; r++)
			if (r->dialects & want)
				printf("%-29s %-8s %s\n", r->id, r->level == RT_LINT_ERROR ? "error" : "warning",
				       r->summary);
		rc = 0;
		goto out;
	}
	if (format < 0) {
		rt_error_set(err, RT_EXIT_USAGE, "unknown --format '%s': say text, json or github",
			     o->format);
		goto out;
	}
	if (o->all && args->nr) {
		rt_error_set(err, RT_EXIT_USAGE, "give --all or revisions, not both");
		goto out;
	}
	if (o->all) {
		for (int r = 0; r < g->n; r++)
			intlist_push(&revs, r);
	} else if (args->nr) {
		for (size_t i = 0; i < args->nr; i++) {
			one.nr = 0;
			if (rt_resolve(g, args->v[i], &one, err))
				goto out;
			for (int k = 0; k < one.nr; k++)
				if (one.v[k] >= 0 && !intlist_has(&revs, one.v[k]))
					intlist_push(&revs, one.v[k]);
		}
	} else {
		struct intlist cur = { 0 };
		int prc = app_pending(app, &rows, &cur, &plan, err);
		intlist_release(&cur);
		if (prc)
			goto out;
		for (int i = 0; i < plan.n; i++)
			if (plan.steps[i].rev >= 0)
				intlist_push(&revs, plan.steps[i].rev);
	}
	/* the plan is already in running order; the others run parents first */
	if ((o->all || args->nr) && revs.nr > 1)
		qsort_r(revs.v, (size_t)revs.nr, sizeof(int), by_topo, (void *)g);
	if (app_lint(app, revs.v, revs.nr, format, o->dialect, stdout, &errors, err))
		goto out;
	rc = errors ? RT_EXIT_PENDING : 0;
out:
	rt_plan_release(&plan);
	strvec_clear(&rows);
	intlist_release(&revs);
	intlist_release(&one);
	return rc;
}

const struct cmd cmd_lint = {
	.name = "lint",
	.args = "[REV...]",
	.brief = "Report migrations that lock, rewrite or break a live database's tables.",
	.description = "Read each migration's upgrade SQL with PostgreSQL's own parser (SQLite's, "
		       "for SQLite migrations) and report "
		       "the statements that take long locks on existing tables, rewrite them, or "
		       "break the running application (dropped or renamed columns and tables), as "
		       "file:line:col: RULE: what happens; what to do instead. By default the "
		       "pending migrations, which reads the database; --all or REV... lint offline. "
		       "A comment '-- retort:lint-ignore RULE reason' on the line before a statement "
		       "silences that rule for it. Exit 1 when a finding of level error remains. "
		       "The rules are in docs/lint.md.",
	.run = run_lint,
	.opts = lint_options,
	.opts_size = sizeof(struct lint_opts),
	.min_args = 0,
	.max_args = -1,
	.needs = NEEDS_SCRIPTS,
	.complete = COMPLETE_REVISIONS,
};
