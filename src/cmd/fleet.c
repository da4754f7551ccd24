/*
 * Fleets at the command layer: whether a command runs per target (its
 * table entry says, .per_target), where the targets come from (--target,
 * --targets FILE, the config's `targets =`), and what is printed.  The
 * scheduling is src/run/fleet.c's; each target runs in a forked child that
 * runs the ordinary command (cmd_run_parsed) with the target's URL and
 * schema, so every per-target command works on a fleet unchanged and one
 * target's failure cannot disturb another's run.
 * A fork, not an exec: the child inherits the parsed configuration and the
 * script directory the parent read once, so a target costs a fork and a
 * connection, not a start-up.
 *
 * Output: each target's standard output (what the command prints there:
 * current's revisions, a --sql script, status's table), as one block under
 * a "-- TARGET" line when the target finishes; its standard error (step
 * lines, notes, the error) only when it failed, or with -v, indented under
 * the target's line.  Every target that finishes gets one line on stderr
 * (outcome, target, from -> to, steps, time), and the run ends with a
 * summary table naming the failed targets.  --json prints one JSON
 * document on standard output instead of all of that.
 */
#include "cmd.h"
#include "../lib/checksum.h"
#include "../lib/clock.h"
#include "../lib/fileio.h"
#include "../lib/xalloc.h"
#include "../run/fleet.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RT_MAX_TARGETS_FILE (64 << 20)

/* "upgrade, downgrade ... and status": the commands (not aliases) that
 * the table declares per_target, for the refusal that names them. */
static void add_fleet_commands(struct strbuf *sb)
{
	int n = 0, i = 0;
	for (const struct cmd *const *c = commands; *c; c++)
		n += (*c)->per_target && !(*c)->alias_of;
	for (const struct cmd *const *c = commands; *c; c++) {
		if (!(*c)->per_target || (*c)->alias_of)
			continue;
		i++;
		strbuf_addstr(sb, i == 1 ? "" : i == n ? " and " : ", ");
		strbuf_addstr(sb, (*c)->name);
	}
}

/* Does `c` have an option of its own named --`name`? */
static int has_option(const struct cmd *c, const char *name)
{
	for (const struct opt *o = c->opts; o && o->type != OPT_END; o++)
		if (o->long_name && !strcmp(o->long_name, name))
			return 1;
	return 0;
}

/* The targets named on the command line or in the environment. */
static int targets_given(const struct rt_config *cfg)
{
	return cfg->targets.nr || (cfg->targets_file && cfg->source[RT_SET_TARGETS] >= RT_SRC_ENV);
}

/*
 * Targets and a URL resolve as every setting does, flag > environment >
 * config file: --target/--targets beside -u is a contradiction, refused;
 * RETORT_TARGETS_FILE gives way to -u, and the config's `targets =` to a
 * URL from either.  A command that does not run per database refuses
 * targets from the command line and ignores the others.
 */
int fleet_wanted(struct app *app, const struct cmd *c, struct rt_error *err)
{
	const struct rt_config *cfg = &app->cfg;
	int url = cfg->source[RT_SET_URL];
	int cli = cfg->targets.nr || (cfg->targets_file && cfg->source[RT_SET_TARGETS] == RT_SRC_FLAG);
	int fleet = cli || (cfg->targets_file && url < RT_SRC_FLAG) ||
		    (cfg->target_lines && url < RT_SRC_ENV);
	if (cli && !c->per_target) {
		struct strbuf which = STRBUF_INIT;
		add_fleet_commands(&which);
		rt_error_set(err, RT_EXIT_USAGE, "'%s' does not run per database, so it takes no "
			     "--target/--targets; fleets run %s", c->name, which.buf);
		strbuf_release(&which);
		return -1;
	}
	if (cli && url == RT_SRC_FLAG)
		return rt_error_set(err, RT_EXIT_USAGE, "-u/--url and --target/--targets both name "
				    "the database: give one or the other");
	if (fleet && c->per_target)
		return 1;
	if (cfg->json) {
		/* a command with a --json of its own: say that one is meant */
		char own[128] = "";
		if (has_option(c, "json"))
			snprintf(own, sizeof(own), "; for one database it is '%s --json'", c->name);
		return rt_error_set(err, RT_EXIT_USAGE, "--json (before the command) is the outcome of "
				    "a fleet, and there are no --target/--targets here%s", own);
	}
	return 0;
}

/* Everything a fleet run keeps, parent and children alike. */
struct fleet {
	struct app *app;
	const struct cmd *c;
	void *opts;
	const struct strvec *args;
	const unsigned char *seen;
	struct rt_targets targets;
	struct rt_fleet_result *res;
	char **labels;           /* masked, per target */
	int json, verbose, quiet;
};

/* The --target values, then the --targets file, else the config's lines. */
static int collect(struct fleet *f, struct rt_error *err)
{
	const struct rt_config *cfg = &f->app->cfg;
	if (!targets_given(cfg))
		return rt_targets_parse(&f->targets, cfg->target_lines, cfg->config_file,
					cfg->targets_line, NULL, 0, err);
	for (size_t i = 0; i < cfg->targets.nr; i++) {
		char label[64];
		size_t had = f->targets.nr;
		snprintf(label, sizeof(label), "--target #%zu", i + 1);
		if (rt_targets_parse(&f->targets, cfg->targets.v[i], NULL, 1, label, 1, err))
			return -1;
		struct rt_url u;
		struct rt_error ignored = RT_ERROR_INIT;
		rt_url_init(&u);
		if (f->targets.nr > had && !rt_url_parse(&u, f->targets.v[had].url, &ignored) &&
		    u.password)
			app_warn(f->app, "a password given with --target can be read by other users in "
				 "'ps' while retort runs; list the targets in a --targets file instead");
		rt_url_release(&u);
	}
	if (cfg->targets_file && cfg->source[RT_SET_TARGETS] >= RT_SRC_ENV) {
		struct strbuf text = STRBUF_INIT;
		int rc = rt_read_file(cfg->targets_file, &text, RT_MAX_TARGETS_FILE, err);
		if (!rc)
			rc = rt_targets_parse(&f->targets, text.buf, cfg->targets_file, 1, NULL, 0, err);
		strbuf_release(&text);
		if (rc)
			return -1;
		if (!f->targets.nr)
			return rt_error_set(err, RT_EXIT_ERROR, "%s lists no target (one a line: "
					    "'URL [schema=NAME]')", cfg->targets_file);
	}
	return 0;
}

/*
 * In the child: point the configuration at target i (its URL; its schema
 * as both search_path and the version table's schema, so the target's
 * migrations, lock and alembic_version all live there), run the command as
 * a single-target run would, and say where it went.
 */
static void child(void *ctx, size_t i, struct rt_fleet_outcome *oc)
{
	struct fleet *f = ctx;
	struct app *app = f->app;
	const struct rt_target *t = &f->targets.v[i];
	struct strvec from = STRVEC_INIT, to = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	int exists, steps = 0;

	free(app->cfg.url);
	app->cfg.url = xstrdup(t->url);
	app->cfg.url_source = app->cfg.source[RT_SET_URL] = RT_SRC_FLAG;
	if (app->url_parsed) {
		rt_url_release(&app->url);
		app->url_parsed = 0;
	}
	if (t->schema) {
		free(app->cfg.search_path);
		free(app->cfg.version_table_schema);
		app->cfg.search_path = xstrdup(t->schema);
		app->cfg.version_table_schema = xstrdup(t->schema);
	}
	int rc = cmd_run_parsed(app, f->c, f->opts, f->args, f->seen, rt_now());
	int known = app_run_outcome(app, &from, &to, &steps);
	/* a read-only command changed nothing: the rows it read are where the
	 * target is; otherwise ask */
	int readonly = !(f->c->needs & NEEDS_DB_LOCK) && app->have_last_rows;
	if (!known && (readonly || (app->db && rt_db_connected(app->db) &&
				    !app_read_rows(app, &from, &exists, &err)))) {
		if (readonly)
			for (size_t k = 0; k < app->last_rows.nr; k++)
				strvec_push(&from, app->last_rows.v[k]);
		for (size_t k = 0; k < from.nr; k++)
			strvec_push(&to, from.v[k]);
		known = 1;
	}
	if (known) {
		char *a = strvec_join(&from, ","), *b = strvec_join(&to, ",");
		snprintf(oc->from, sizeof(oc->from), "%s", a);
		snprintf(oc->to, sizeof(oc->to), "%s", known == 1 ? b : "?");
		free(a);
		free(b);
		oc->steps = steps;
		oc->reported = 1;
	}
	strvec_clear(&from);
	strvec_clear(&to);
	fflush(stdout);
	fflush(stderr);
	app_release(app);
	_exit(rc & 0xff);
}

static const char *outcome(const struct rt_fleet_result *r)
{
	if (r->state != RT_FLEET_DONE)
		return "not started";
	if (r->signal)
		return "killed";
	return r->ok ? "ok" : "failed";
}

/* "abc" / "<base>" / "a,b" / "-" when the child could not say. */
static const char *revs(const struct rt_fleet_result *r, int after)
{
	if (!r->oc.reported)
		return "-";
	const char *s = after ? r->oc.to : r->oc.from;
	return *s ? s : "<base>";
}

static void outcome_words(const struct rt_fleet_result *r, char *buf, size_t n)
{
	if (r->state == RT_FLEET_DONE && r->signal)
		snprintf(buf, n, "killed (signal %d)", r->signal);
	else if (r->state == RT_FLEET_DONE && !r->ok)
		snprintf(buf, n, "failed (exit %d)", r->status);
	else
		snprintf(buf, n, "%s", outcome(r));
}

/* Each line of `text`, indented, on stderr. */
static void indented(const struct strbuf *text)
{
	const char *p = text->buf;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(stderr, "    %.*s\n", (int)len, p);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void on_started(void *ctx, size_t i, const struct rt_fleet_result *r)
{
	struct fleet *f = ctx;
	(void)r;
	if (f->verbose && !f->json)
		fprintf(stderr, "fleet: started %s\n", f->labels[i]);
}

static void on_finished(void *ctx, size_t i, const struct rt_fleet_result *r)
{
	struct fleet *f = ctx;
	char words[64];
	if (f->json)
		return;
	if (r->out.len) {
		printf("-- %s\n", f->labels[i]);
		fwrite(r->out.buf, 1, r->out.len, stdout);
		if (r->out.buf[r->out.len - 1] != '\n')
			putchar('\n');
		fflush(stdout);
	}
	if (f->quiet && r->ok)
		return;
	outcome_words(r, words, sizeof(words));
	fprintf(stderr, "fleet: %s  %s  %s -> %s  %d step%s  %.0f ms\n", words, f->labels[i],
		revs(r, 0), revs(r, 1), r->oc.steps, r->oc.steps == 1 ? "" : "s", r->ms);
	if ((!r->ok || f->verbose) && r->errout.len)
		indented(&r->errout);
}

static void on_stopping(void *ctx, int signo)
{
	struct fleet *f = ctx;
	if (!f->json)
		fprintf(stderr, "fleet: %s: starting no more targets; the running ones stop after "
			"their current migration (a second signal stops them now)\n", signo == SIGINT ? "interrupted" : "terminated");
}

static size_t width(size_t w, const char *s)
{
	size_t n = strlen(s);
	return n > w ? n : w;
}

/* The table on stderr: every target, then one line of totals. */
static void summary(struct fleet *f, const struct rt_fleet_summary *s, double ms)
{
	size_t n = f->targets.nr, wt = 6, wf = 4, wto = 2;
	char words[64], cell[32];
	for (size_t i = 0; i < n; i++) {
		wt = width(wt, f->labels[i]);
		wf = width(wf, revs(&f->res[i], 0));
		wto = width(wto, revs(&f->res[i], 1));
	}
	fprintf(stderr, "\n%-*s  %-*s  %-*s  %5s  %9s  %s\n", (int)wt, "TARGET", (int)wf, "FROM",
		(int)wto, "TO", "STEPS", "TIME", "OUTCOME");
	for (size_t i = 0; i < n; i++) {
		const struct rt_fleet_result *r = &f->res[i];
		outcome_words(r, words, sizeof(words));
		snprintf(cell, sizeof(cell), "%.0f ms", r->ms);
		fprintf(stderr, "%-*s  %-*s  %-*s  %5d  %9s  %s\n", (int)wt, f->labels[i], (int)wf,
			revs(r, 0), (int)wto, revs(r, 1), r->oc.steps,
			r->state == RT_FLEET_DONE ? cell : "-", words);
	}
	fprintf(stderr, "fleet: %zu target%s: %zu ok, %zu failed, %zu not started, in %.0f ms\n", n,
		n == 1 ? "" : "s", s->ok, s->failed, s->not_started, ms);
	if (s->failed) {
		fprintf(stderr, "fleet: failed:");
		for (size_t i = 0; i < n; i++)
			if (f->res[i].state == RT_FLEET_DONE && !f->res[i].ok)
				fprintf(stderr, " %s", f->labels[i]);
		fputc('\n', stderr);
	}
	if (s->signal && s->not_started)
		fprintf(stderr, "fleet: stopped by a signal before starting %zu target%s\n",
			s->not_started, s->not_started == 1 ? "" : "s");
	else if (s->canary_failed)
		fprintf(stderr, "fleet: a canary failed, so no other target was started\n");
	else if (s->stopped)
		fprintf(stderr, "fleet: stopped after the failure (--keep-going runs the rest)\n");
}

static void json_revs(struct strbuf *sb, const struct rt_fleet_result *r, int after)
{
	struct strvec v = STRVEC_INIT;
	if (!r->oc.reported) {
		strbuf_addstr(sb, "null");
		return;
	}
	strvec_split_list(&v, after ? r->oc.to : r->oc.from);
	strbuf_addch(sb, '[');
	for (size_t i = 0; i < v.nr; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_add_json(sb, v.v[i]);
	}
	strbuf_addch(sb, ']');
	strvec_clear(&v);
}

/* The whole run as one JSON document on standard output. */
static void json(struct fleet *f, const struct rt_fleet_summary *s, double ms)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "{\"command\": ");
	strbuf_add_json(&sb, f->c->name);
	strbuf_addf(&sb, ", \"ok\": %s, \"targets\": [", s->ok == f->targets.nr ? "true" : "false");
	for (size_t i = 0; i < f->targets.nr; i++) {
		const struct rt_fleet_result *r = &f->res[i];
		const struct rt_target *t = &f->targets.v[i];
		char *m = rt_url_mask(t->url);
		strbuf_addstr(&sb, i ? ",\n  {\"target\": " : "\n  {\"target\": ");
		strbuf_add_json(&sb, m);
		free(m);
		strbuf_addstr(&sb, ", \"schema\": ");
		if (t->schema)
			strbuf_add_json(&sb, t->schema);
		else
			strbuf_addstr(&sb, "null");
		strbuf_addstr(&sb, ", \"outcome\": ");
		strbuf_add_json(&sb, outcome(r));
		if (r->state == RT_FLEET_DONE)
			strbuf_addf(&sb, ", \"exit_status\": %d", r->status);
		else
			strbuf_addstr(&sb, ", \"exit_status\": null");
		strbuf_addstr(&sb, ", \"from\": ");
		json_revs(&sb, r, 0);
		strbuf_addstr(&sb, ", \"to\": ");
		json_revs(&sb, r, 1);
		strbuf_addf(&sb, ", \"steps\": %d, \"duration_ms\": %.1f, \"stdout\": ", r->oc.steps, r->ms);
		strbuf_add_json(&sb, r->out.buf);
		strbuf_addstr(&sb, ", \"stderr\": ");
		strbuf_add_json(&sb, r->errout.buf);
		strbuf_addch(&sb, '}');
	}
	strbuf_addf(&sb, "\n], \"summary\": {\"targets\": %zu, \"ok\": %zu, \"failed\": %zu, "
		    "\"not_started\": %zu, \"duration_ms\": %.1f, \"failed_targets\": [",
		    f->targets.nr, s->ok, s->failed, s->not_started, ms);
	int first = 1;
	for (size_t i = 0; i < f->targets.nr; i++)
		if (f->res[i].state == RT_FLEET_DONE && !f->res[i].ok) {
			if (!first)
				strbuf_addstr(&sb, ", ");
			first = 0;
			strbuf_add_json(&sb, f->labels[i]);
		}
	strbuf_addf(&sb, "], \"canary_failed\": %s, \"stopped_after_failure\": %s, \"signal\": %s}}\n",
		    s->canary_failed ? "true" : "false", s->stopped ? "true" : "false",
		    s->signal == SIGINT ? "\"SIGINT\"" : s->signal == SIGTERM ? "\"SIGTERM\"" : "null");
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

/* 0 when every target succeeded; a fleet a signal stopped: 128 + the
 * signal; else the failures' exit status when they share one, else 2. */
static int fleet_status(const struct fleet *f, const struct rt_fleet_summary *s)
{
	int status = -1;
	if (s->signal && (s->not_started || s->failed))
		return 128 + s->signal;
	for (size_t i = 0; i < f->targets.nr; i++) {
		const struct rt_fleet_result *r = &f->res[i];
		if (r->state != RT_FLEET_DONE || r->ok)
			continue;
		status = status < 0 || status == r->status ? r->status : RT_EXIT_ERROR;
	}
	if (status > 0)
		return status;
	return s->not_started ? RT_EXIT_ERROR : 0;
}

int cmd_fleet(struct app *app, const struct cmd *c, void *opts, const struct strvec *args,
	      const unsigned char *seen)
{
	struct fleet f = { .app = app, .c = c, .opts = opts, .args = args, .seen = seen,
			   .json = app->cfg.json, .verbose = app->cfg.verbose, .quiet = app->cfg.quiet };
	struct rt_error err = RT_ERROR_INIT;
	struct rt_fleet_summary s;
	double t0 = rt_now();
	int rc;

	rt_targets_init(&f.targets);
	if (collect(&f, &err)) {
		rc = app_fail(app, &err);
		rt_targets_release(&f.targets);
		return rc;
	}
	/* the script directory is read once, before the children fork */
	if ((c->needs & NEEDS_SCRIPTS) && app_load_scripts(app, &err)) {
		rc = app_fail(app, &err);
		rt_targets_release(&f.targets);
		return rc;
	}
	/* what every child would otherwise load for itself */
	rt_checksum_preload();
	size_t n = f.targets.nr;
	f.res = xcalloc(n ? n : 1, sizeof(*f.res));
	f.labels = xcalloc(n ? n : 1, sizeof(*f.labels));
	rt_fleet_results_init(f.res, n);
	for (size_t i = 0; i < n; i++)
		f.labels[i] = rt_target_label(&f.targets.v[i]);
	struct rt_fleet_opts fo = { .jobs = app->cfg.jobs, .canary = app->cfg.canary,
				    .keep_going = app->cfg.keep_going };
	struct rt_fleet_hooks h = { .child = child, .started = on_started, .finished = on_finished,
				    .stopping = on_stopping, .ctx = &f };
	if (rt_fleet_run(n, &fo, &h, f.res, &s, &err))
		rc = app_fail(app, &err);
	else
		rc = fleet_status(&f, &s);
	if (f.json)
		json(&f, &s, (rt_now() - t0) * 1e3);
	else
		summary(&f, &s, (rt_now() - t0) * 1e3);
	int again = s.signals >= 2 ? s.signal : 0;
	for (size_t i = 0; i < n; i++)
		free(f.labels[i]);
	free(f.labels);
	rt_fleet_results_release(f.res, n);
	free(f.res);
	rt_targets_release(&f.targets);
	if (again) {
		/* a second signal ends retort as it would without a fleet */
		fflush(stdout);
		fflush(stderr);
		signal(again, SIG_DFL);
		raise(again);
	}
	return rc;
}
