/*
 * wait: block until the database (and any other TARGET) is ready, for CI
 * jobs and containers that start together.  The same loop gates every
 * command under --wait / --wait-timeout / RETORT_WAIT_TIMEOUT (app_open_db).
 */
#include "cmd.h"
#include "../run/wait.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int app_wait(struct app *app, const struct strvec *specs, double timeout, struct rt_error *err)
{
	struct rt_wait_target *t = xcalloc(specs->nr ? specs->nr : 1, sizeof(*t));
	struct wait_report wr = { app, "", 0 };
	struct rt_wait_hooks hooks = { on_waiting, on_retry, on_ready, &wr };
	size_t n = 0;
	int rc = 0;
	for (; n < specs->nr && !rc; n++)
		rc = rt_wait_target_init(&t[n], specs->v[n], err);
	if (!rc)
		rc = rt_wait(t, (int)n, timeout, &hooks, err);
	for (size_t i = 0; i < n; i++)
		rt_wait_target_release(&t[i]);
	free(t);
	return rc;
}

int cmd_wait(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, specs = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	double timeout = app->cfg.wait_timeout > 0 ? app->cfg.wait_timeout : RT_DEFAULT_WAIT_TIMEOUT;
	int db = 0;
	const struct opt opts[] = {
		{ OPT_NUMBER, 't', "timeout", &timeout, "SECONDS",
		  "give up after this long, with exit status 3 (default: --wait-timeout, else 60)" },
		{ OPT_BOOL, 0, "db", &db, NULL,
		  "wait for the configured database too when TARGETs are given" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0)
		goto out;
	if (timeout < 0) {
		fprintf(stderr, "retort: error: --timeout must not be negative\n");
		rc = RT_EXIT_USAGE;
		goto out;
	}
	if (!args.nr || db) {
		const char *u = app_db_url(app, &err);
		if (!u) {
			rc = app_fail(app, &err);
			goto out;
		}
		strvec_push(&specs, u);
	}
	for (size_t i = 0; i < args.nr; i++)
		strvec_push(&specs, args.v[i]);
	app->waited = 1; /* this command is the wait: the --wait gate has nothing to add */
	rc = app_wait(app, &specs, timeout, &err) ? app_fail(app, &err) : 0;
out:
	strvec_clear(&args);
	strvec_clear(&specs);
	return rc;
}
