/*
 * check: exit 0 when the database is at head and, when there is a
 * declarative schema, matches it; exit 1 with what differs (pending
 * migrations, or schema drift such as "table users: column phone
 * missing") otherwise.  --json prints one object for CI.
 */
#include "cmd.h"
#include "../lint/lint.h"
#include "../schema/diff.h"

#include <stdio.h>
#include <stdlib.h>

static void json_list(struct strbuf *sb, const char *key, const struct strvec *v)
{
	strbuf_addf(sb, ",\"%s\":[", key);
	for (size_t i = 0; i < v->nr; i++) {
		strbuf_addstr(sb, i ? "," : "");
		strbuf_add_json(sb, v->v[i]);
	}
	strbuf_addch(sb, ']');
}

static void print_json(struct app *app, int ok, const struct strvec *rows, const struct rt_plan *plan,
		       const char *schema, const struct strvec *drift, const struct checksum_report *cs)
{
	const struct rt_graph *g = &app->sd.graph;
	struct strbuf sb = STRBUF_INIT;
	struct strvec heads = STRVEC_INIT;
	char *db = app_masked_url(app);
	for (int i = 0; i < g->heads.nr; i++)
		strvec_push(&heads, g->revs[g->heads.v[i]].id);
	strbuf_addf(&sb, "{\"ok\":%s,\"database\":", ok ? "true" : "false");
	strbuf_add_json(&sb, db);
	json_list(&sb, "current", rows);
	json_list(&sb, "heads", &heads);
	strbuf_addstr(&sb, ",\"pending\":[");
	for (int i = 0; i < plan->n; i++) {
		const struct rt_rev *rv = &g->revs[plan->steps[i].rev];
		strbuf_addstr(&sb, i ? ",{\"revision\":" : "{\"revision\":");
		strbuf_add_json(&sb, rv->id);
		strbuf_addstr(&sb, ",\"message\":");
		strbuf_add_json(&sb, rv->script->doc);
		strbuf_addch(&sb, '}');
	}
	strbuf_addstr(&sb, "],\"schema\":");
	if (schema)
		strbuf_add_json(&sb, schema);
	else
		strbuf_addstr(&sb, "null");
	json_list(&sb, "drift", drift);
	strbuf_addstr(&sb, ",\"edited\":[");
	for (int i = 0; i < cs->edited.nr; i++) {
		const struct rt_script *sc = g->revs[cs->edited.v[i]].script;
		strbuf_addstr(&sb, i ? ",{\"revision\":" : "{\"revision\":");
		strbuf_add_json(&sb, sc->id);
		strbuf_addstr(&sb, ",\"file\":");
		strbuf_add_json(&sb, sc->path);
		strbuf_addstr(&sb, ",\"applied_at\":");
		strbuf_add_json(&sb, cs->edited_at.v[i]);
		strbuf_addch(&sb, '}');
	}
	strbuf_addstr(&sb, "],\"no_record\":[");
	for (int i = 0; i < cs->unrecorded.nr; i++) {
		strbuf_addstr(&sb, i ? "," : "");
		strbuf_add_json(&sb, g->revs[cs->unrecorded.v[i]].id);
	}
	strbuf_addstr(&sb, "]}\n");
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
	strvec_clear(&heads);
	free(db);
}

/* Compare the database with the declarative schema: the drift lines. */
static int drift_of(struct app *app, struct strvec *out, struct rt_error *err)
{
	struct rt_schema live, want;
	struct rt_schema_diff d;
	rt_schema_init(&live, RT_DIALECT_SQLITE);
	rt_schema_init(&want, RT_DIALECT_SQLITE);
	rt_schema_diff_init(&d);
	int rc = app_schema_live(app, &live, err) ||
		 app_schema_load(app, SCHEMA_FROM_FILES, NULL, NULL, &want, err);
	if (!rc) {
		rt_schema_diff(&live, &want, &d);
		for (size_t i = 0; i < d.changes.nr; i++)
			strvec_push(out, d.changes.v[i]);
	}
	rt_schema_release(&live);
	rt_schema_release(&want);
	rt_schema_diff_release(&d);
	return rc ? -1 : 0;
}

struct check_opts {
	int json;
	int lint;
};

static const struct opt check_options[] = {
	OPT_BOOL_(0, "json", struct check_opts, json, "print the result as one JSON object"),
	OPT_BOOL_(0, "lint", struct check_opts, lint,
		  "lint the pending migrations too (retort lint); an error finding fails the check"),
	OPT_END_,
};

static int run_check(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct check_opts *o = opts;
	struct strvec rows = STRVEC_INIT, drift = STRVEC_INIT;
	struct intlist revs = { 0 };
	struct rt_plan plan;
	struct checksum_report cs = { .edited_at = STRVEC_INIT };
	int rc = -1;
	(void)args;
	rt_plan_init(&plan);
	if (app_pending(app, &rows, &revs, &plan, err))
		goto out;
	const struct rt_graph *g = &app->sd.graph;
	int at_head = !plan.n && app_at_heads(g, &rows);
	/* drift is only meaningful once every migration has run */
	const char *schema = at_head && app_has_schema(app) ? app->cfg.schema_path : NULL;
	if (schema && drift_of(app, &drift, err))
		goto out;
	/* applied migrations whose files changed since they ran */
	if (app_checksums(app, &rows, &cs, err))
		goto out;
	/* --lint: the pending migrations' findings first (stderr under --json) */
	int lint_errors = 0;
	struct intlist pending = { 0 };
	for (int i = 0; o->lint && i < plan.n; i++)
		intlist_push(&pending, plan.steps[i].rev);
	int lrc = pending.nr ? app_lint(app, pending.v, pending.nr, RT_LINT_TEXT, NULL,
					o->json ? stderr : stdout, &lint_errors, err) : 0;
	intlist_release(&pending);
	if (lrc)
		goto out;
	int ok = at_head && !drift.nr && !cs.edited.nr && !lint_errors;
	rc = ok ? 0 : RT_EXIT_PENDING;
	if (o->json) {
		print_json(app, ok, &rows, &plan, schema, &drift, &cs);
		goto out;
	}
	char *cur = strvec_join(&rows, ", ");
	if (!at_head) {
		struct strbuf heads = STRBUF_INIT;
		for (int i = 0; i < g->heads.nr; i++)
			strbuf_addf(&heads, "%s%s", i ? ", " : "", g->revs[g->heads.v[i]].id);
		printf("the database is not up to date: it is at %s, head is %s; %d migration%s pending\n",
		       *cur ? cur : "<base>", heads.len ? heads.buf : "<base>", plan.n,
		       plan.n == 1 ? "" : "s");
		print_pending(g, &plan);
		strbuf_release(&heads);
	} else if (drift.nr) {
		printf("the database is at head (%s) but differs from the schema in %s:\n",
		       *cur ? cur : "<base>", schema);
		for (size_t i = 0; i < drift.nr; i++)
			printf("  %s\n", drift.v[i]);
		printf("write a migration for it: retort revision --autogenerate -m MESSAGE\n");
	} else {
		printf("the database is up to date at %s\n", *cur ? cur : "<base>");
		if (schema)
			printf("and matches the schema in %s\n", schema);
	}
	free(cur);
	print_checksums(app, &cs, CHECKSUMS_CHECK);
out:
	checksum_report_release(&cs);
	rt_plan_release(&plan);
	strvec_clear(&rows);
	strvec_clear(&drift);
	intlist_release(&revs);
	return rc;
}

const struct cmd cmd_check = {
	.name = "check",
	.brief = "Exit 0 at head with no schema drift; exit 1 with what differs.",
	.description = "Exit 0 when the database is at head and matches the declarative schema "
		       "(when there is one); exit 1 with the pending migrations or the schema "
		       "drift, or when an applied migration's file changed since it ran (its "
		       "checksum in retort_history; a database without one says 'no record' and "
		       "does not fail). --json prints one object for CI.",
	.run = run_check,
	.opts = check_options,
	.opts_size = sizeof(struct check_opts),
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_READ,
	.per_target = 1,
};
