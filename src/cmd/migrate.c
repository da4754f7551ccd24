/*
 * upgrade (alias migrate), downgrade, rollback and stamp: the commands that
 * change the database, all through app_run().
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

static const char sql_help[] =
	"print the SQL instead of running it (offline; TARGET may be START:END)";

int cmd_upgrade(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT;
	int sql = 0;
	const struct opt opts[] = { { OPT_BOOL, 0, "sql", &sql, NULL, sql_help }, OPT_END_ };
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 1)) >= 0)
		goto out;
	if (!args.nr)
		strvec_push(&args, "head");
	rc = sql ? app_offline(app, RUN_UPGRADE, &args, 0) : app_run(app, RUN_UPGRADE, &args, 0);
out:
	strvec_clear(&args);
	return rc;
}

int cmd_downgrade(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT;
	int sql = 0;
	const struct opt opts[] = { { OPT_BOOL, 0, "sql", &sql, NULL, sql_help }, OPT_END_ };
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 1, 1)) >= 0)
		goto out;
	rc = sql ? app_offline(app, RUN_DOWNGRADE, &args, 0) : app_run(app, RUN_DOWNGRADE, &args, 0);
out:
	strvec_clear(&args);
	return rc;
}

int cmd_rollback(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, target = STRVEC_INIT;
	double steps = 1;
	const struct opt opts[] = {
		{ OPT_NUMBER, 's', "steps", &steps, "N", "how many migrations to revert (default 1)" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (steps < 1 || steps != (double)(long)steps) {
		fprintf(stderr, "retort: error: --steps takes a whole number of at least 1\n");
		rc = RT_EXIT_USAGE;
		goto out;
	}
	char buf[32];
	snprintf(buf, sizeof(buf), "-%ld", (long)steps);
	strvec_push(&target, buf);
	rc = app_run(app, RUN_DOWNGRADE, &target, 0);
out:
	strvec_clear(&args);
	strvec_clear(&target);
	return rc;
}

int cmd_stamp(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT;
	int purge = 0, sql = 0;
	const struct opt opts[] = {
		{ OPT_BOOL, 0, "purge", &purge, NULL,
		  "delete every version row first (e.g. rows naming revisions that no longer exist)" },
		{ OPT_BOOL, 0, "sql", &sql, NULL, sql_help },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 1, 1000)) >= 0)
		goto out;
	rc = sql ? app_offline(app, RUN_STAMP, &args, purge) : app_run(app, RUN_STAMP, &args, purge);
out:
	strvec_clear(&args);
	return rc;
}
