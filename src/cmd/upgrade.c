/* upgrade (alias migrate): apply migrations up to a target, or print their SQL. */
#include "cmd.h"

struct upgrade_opts {
	int sql;
};

static const struct opt upgrade_options[] = {
	{ .type = OPT_BOOL, .long_name = "sql", .off = offsetof(struct upgrade_opts, sql),
	  .flags = OPTF_OFFLINE,
	  .help = "print the SQL instead of running it (offline; TARGET may be START:END)" },
	OPT_END_,
};

static int run_upgrade(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct upgrade_opts *o = opts;
	struct strvec target = STRVEC_INIT;
	strvec_push(&target, args->nr ? args->v[0] : "head");
	int rc = o->sql ? app_offline(app, RUN_UPGRADE, &target, 0, err)
			: app_run(app, RUN_UPGRADE, &target, 0, err);
	strvec_clear(&target);
	return rc;
}

#define UPGRADE_ENTRY \
	.args = "[TARGET]", .run = run_upgrade, .opts = upgrade_options, \
	.opts_size = sizeof(struct upgrade_opts), .max_args = 1, \
	.needs = NEEDS_SCRIPTS | NEEDS_DB_LOCK, .notify = "upgrade", .complete = COMPLETE_REVISIONS, \
	.per_target = 1

const struct cmd cmd_upgrade = {
	.name = "upgrade",
	.brief = "Apply migrations up to TARGET (default: head).",
	.description = "Apply migrations up to TARGET (default: head). TARGET may be a revision id "
		       "or unique prefix, head, heads, LABEL@head, +N or REV+N. Each migration and "
		       "its version-row change commit together.",
	UPGRADE_ENTRY,
};

const struct cmd cmd_migrate = {
	.name = "migrate",
	.brief = "Alias of 'upgrade', as in Django.",
	.description = "Apply migrations up to TARGET (default: head), as 'upgrade' does.",
	.alias_of = "upgrade",
	UPGRADE_ENTRY,
};
