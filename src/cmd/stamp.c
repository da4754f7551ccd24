/*
 * stamp: record revisions in the version table without running them;
 * --accept-checksums records instead, after review, the current checksums
 * of applied revisions whose files changed since they ran.
 */
#include "cmd.h"
#include "../lib/bitset.h"
#include "../lib/resolve.h"
#include "../run/exec.h"

#include <string.h>

struct stamp_opts {
	int purge, sql, accept;
};

static const struct opt stamp_options[] = {
	OPT_BOOL_(0, "purge", struct stamp_opts, purge,
		  "delete every version row first (e.g. rows naming revisions that no longer exist)"),
	{ .type = OPT_BOOL, .long_name = "sql", .off = offsetof(struct stamp_opts, sql),
	  .flags = OPTF_OFFLINE,
	  .help = "print the SQL instead of running it (offline; TARGET may be START:END)" },
	OPT_BOOL_(0, "accept-checksums", struct stamp_opts, accept,
		  "record the current checksum of applied REV(s) whose file changed since it ran "
		  "(after review); the version table is not changed"),
	OPT_END_,
};

/*
 * --accept-checksums: each REV must name one applied revision; its
 * upgrade section's checksum as the file reads now becomes the one check
 * compares with.
 */
static int accept_checksums(struct app *app, const struct strvec *args, struct rt_error *err)
{
	const struct rt_graph *g = &app->sd.graph;
	struct strvec rows = STRVEC_INIT;
	struct intlist revs = { 0 };
	struct bitset applied;
	int exists, rc = -1;
	bitset_init(&applied, g->n);
	if (app_read_rows(app, &rows, &exists, err))
		goto out;
	rt_exec_applied(g, &rows, &applied);
	for (size_t i = 0; i < args->nr; i++) {
		int r;
		if (rt_resolve_one(g, args->v[i], &r, err))
			goto out;
		if (r < 0 || !bitset_has(&applied, r)) {
			rt_error_set(err, RT_EXIT_ERROR, "revision '%s' is not applied to this database, "
				     "so it has no checksum to accept; nothing was recorded", args->v[i]);
			goto out;
		}
		if (!g->revs[r].script->has_sql) {
			rt_error_set(err, RT_EXIT_ERROR, "%s: revision %s has no SQL, so no checksum; "
				     "nothing was recorded", g->revs[r].script->path, g->revs[r].id);
			goto out;
		}
		if (!intlist_has(&revs, r))
			intlist_push(&revs, r);
	}
	if (rt_exec_accept(app->db, g, &revs, RETORT_VERSION, err))
		goto out;
	for (int i = 0; i < revs.nr; i++)
		app_status(app, "  Accepted the checksum of %s (%s)", g->revs[revs.v[i]].id,
			   g->revs[revs.v[i]].script->path);
	rc = 0;
out:
	bitset_release(&applied);
	strvec_clear(&rows);
	intlist_release(&revs);
	return rc;
}

static int run_stamp(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct stamp_opts *o = opts;
	if (o->accept && (o->sql || o->purge))
		return rt_error_set(err, RT_EXIT_USAGE, "--accept-checksums records checksums in the "
				    "database only: it cannot go with --%s", o->sql ? "sql" : "purge");
	if (o->accept)
		return accept_checksums(app, args, err);
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
		       "--purge first empties the table. Each revision a stamp applies or "
		       "unapplies gets a 'stamp' row in retort_history. --accept-checksums REV... "
		       "changes no version row: it records, after review, the current checksum of "
		       "applied revisions whose files changed since they ran.",
	.run = run_stamp,
	.opts = stamp_options,
	.opts_size = sizeof(struct stamp_opts),
	.min_args = 1,
	.max_args = -1,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_LOCK,
	.notify = "stamp",
	.complete = COMPLETE_REVISIONS,
	.per_target = 1,
};
