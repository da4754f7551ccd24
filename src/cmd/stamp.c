/* stamp: record revisions in the version table without running them. */
#include "cmd.h"

struct stamp_opts {
	int purge, sql;
};

static const struct opt stamp_options[] = {
	OPT_BOOL_(0, "purge", struct stamp_opts, purge,
		  "delete every version row first (e.g. rows naming revisions that no longer exist)"),
	{ .type = OPT_BOOL, .long_name = "sql", .off = offsetof(struct stamp_opts, sql),
	  .flags = OPTF_OFFLINE,
	  .help = "print the SQL instead of running it (offline; TARGET may be START:END)" },
	OPT_END_,
};

static int run_stamp(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct stamp_opts *o = opts;
	/* as in Alembic: offline SQL cannot know which rows a purge would find */
	if (o->sql && o->purge)
		return rt_error_set(err, RT_EXIT_USAGE,
				    "can't use --purge with --sql: offline, there are no version rows to "
				    "purge; stamp the database itself, or print a plain 'stamp --sql'");
	return o->sql ? app_offline(app, RUN_STAMP, args, o->purge, err)
		      : app_run(app, RUN_STAMP, args, o->purge, err);
}

const struct cmd cmd_stamp = {
	.name = "stamp",
	.args = "REV...",
	.brief = "Record REV(s) in the version table without running any migration.",
	.description = "Record REV(s) in the version table without running any migration; "
		       "--purge first empties the table.",
	.run = run_stamp,
	.opts = stamp_options,
	.opts_size = sizeof(struct stamp_opts),
	.min_args = 1,
	.max_args = -1,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_LOCK,
	.notify = "stamp",
	.complete = COMPLETE_REVISIONS,
};
