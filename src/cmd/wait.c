/*
 * wait: block until the database (and any other TARGET) is ready, for CI
 * jobs and containers that start together.  The same loop (app_wait in
 * session.c) gates every command under --wait / --wait-timeout /
 * RETORT_WAIT_TIMEOUT.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wait_opts {
	double timeout;
	int db;
};

static const struct opt wait_options[] = {
	OPT_SECONDS_('t', "timeout", struct wait_opts, timeout,
		     "give up after this long, with exit status 3 (default: --wait-timeout, else 60)"),
	OPT_BOOL_(0, "db", struct wait_opts, db,
		  "wait for the configured database too when TARGETs are given"),
	OPT_END_,
};

static void no_timeout(void *opts)
{
	((struct wait_opts *)opts)->timeout = -1;
}

static int run_wait(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct wait_opts *o = opts;
	double timeout = o->timeout >= 0 ? o->timeout
			 : app->cfg.wait_timeout > 0 ? app->cfg.wait_timeout : RT_DEFAULT_WAIT_TIMEOUT;
	app->waited = 1; /* this command is the wait: the --wait gate has nothing to add */
	return app_wait(app, !args->nr || o->db, args, timeout, err);
}

const struct cmd cmd_wait = {
	.name = "wait",
	.args = "[TARGET...]",
	.brief = "Wait until the database, or each TARGET, is ready.",
	.description = "Wait until the database is ready, or each TARGET (a database URL, "
		       "tcp://HOST:PORT, http(s)://URL; --db adds the database); exit 3 when the "
		       "timeout (default 60 s) passes, and exit 2 at once when waiting cannot help "
		       "(a wrong password, an unknown database).",
	.run = run_wait,
	.opts = wait_options,
	.opts_size = sizeof(struct wait_opts),
	.preset = no_timeout,
	.max_args = -1,
	.url_args = 1,
};
