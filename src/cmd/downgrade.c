/* downgrade (alias rollback): revert migrations down to a target, or print their SQL. */
#include "cmd.h"

#include <stdio.h>

struct downgrade_opts {
	int sql;
	long steps;   /* rollback: revert this many (the target is then -N) */
};

static const struct opt downgrade_options[] = {
	{ .type = OPT_BOOL, .long_name = "sql", .off = offsetof(struct downgrade_opts, sql),
	  .flags = OPTF_OFFLINE,
	  .help = "print the SQL instead of running it (offline; needs START:END)" },
	OPT_END_,
};

static const struct opt rollback_options[] = {
	OPT_INT_('s', "steps", struct downgrade_opts, steps, "N", 1,
		 "how many migrations to revert (default 1)"),
	OPT_END_,
};

static int run_downgrade(struct app *app, void *opts, const struct strvec *args,
			 struct rt_error *err)
{
	struct downgrade_opts *o = opts;
	struct strvec target = STRVEC_INIT;
	if (args->nr) {
		strvec_push(&target, args->v[0]);
	} else {
		char buf[32];
		snprintf(buf, sizeof(buf), "-%ld", o->steps);
		strvec_push(&target, buf);
	}
	int rc = o->sql ? app_offline(app, RUN_DOWNGRADE, &target, 0, err)
			: app_run(app, RUN_DOWNGRADE, &target, 0, err);
	strvec_clear(&target);
	return rc;
}

static void preset_one_step(void *opts)
{
	((struct downgrade_opts *)opts)->steps = 1;
}

const struct cmd cmd_downgrade = {
	.name = "downgrade",
	.args = "TARGET",
	.brief = "Revert migrations down to TARGET (-1, a revision, LABEL@-2, base).",
	.description = "Revert migrations down to TARGET: a revision, -N, LABEL@-N, or base. A "
		       "revision without a downgrade section cannot be reverted; that is refused "
		       "before anything runs.",
	.run = run_downgrade,
	.opts = downgrade_options,
	.opts_size = sizeof(struct downgrade_opts),
	.min_args = 1,
	.max_args = 1,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_LOCK,
	.notify = "downgrade",
	.complete = COMPLETE_REVISIONS,
	.per_target = 1,
};

const struct cmd cmd_rollback = {
	.name = "rollback",
	.brief = "Revert the last N migrations (default 1): 'downgrade -N'.",
	.description = "Revert the last N migrations (default 1); the same as 'downgrade -N'.",
	.alias_of = "downgrade",
	.run = run_downgrade,
	.opts = rollback_options,
	.opts_size = sizeof(struct downgrade_opts),
	.preset = preset_one_step,
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_LOCK,
	.notify = "downgrade",
	.per_target = 1,
};
