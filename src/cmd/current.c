/* current: the revision(s) the database is at, in Alembic's format. */
#include "cmd.h"
#include "../db/version_table.h"
#include "../lib/resolve.h"

#include <stdio.h>
#include <stdlib.h>

struct current_opts {
	int verbose;
};

static const struct opt current_options[] = {
	OPT_BOOL_('v', "verbose", struct current_opts, verbose, "show each revision in full"),
	OPT_END_,
};

static int run_current(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct current_opts *o = opts;
	struct strvec rows = STRVEC_INIT;
	struct intlist revs = { 0 }, shown = { 0 };
	(void)args;
	int rc = app_current(app, &rows, &revs, err);
	if (rc)
		goto out;
	if (o->verbose) {
		char *m = app_masked_url(app);
		printf("Current revision(s) for %s:\n", m);
		free(m);
	}
	const struct rt_graph *g = &app->sd.graph;
	rt_all_current(g, &revs, &shown);
	for (int i = 0; i < shown.nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (o->verbose)
			fmt_log_entry(g, shown.v[i], 0, &sb);
		else
			fmt_head_only(g, shown.v[i], FMT_HEADS | FMT_TREE, 0, &sb);
		puts(sb.buf);
		strbuf_release(&sb);
	}
	if (o->verbose) {
		/* migrations that stopped part-way (outside a transaction) */
		struct strvec left = STRVEC_INIT;
		rc = rt_progress_list(app->db, &left, err);
		for (size_t i = 0; !rc && i < left.nr; i++) {
			char rev[64], dir[16];
			int n;
			if (sscanf(left.v[i], "%63s %15s %d", rev, dir, &n) == 3)
				printf("Left part-way: %s of %s, %d statement(s) ran; the next %s "
				       "resumes after them\n", dir, rev, n, dir);
		}
		strvec_clear(&left);
		struct checksum_report cs;
		if (!rc && !(rc = app_checksums(app, &rows, &cs, err)))
			print_checksums(app, &cs, CHECKSUMS_EDITED);
		if (!rc)
			checksum_report_release(&cs);
	}
out:
	strvec_clear(&rows);
	intlist_release(&revs);
	intlist_release(&shown);
	return rc;
}

const struct cmd cmd_current = {
	.name = "current",
	.brief = "Show the database's current revision(s).",
	.description = "Show the database's current revision(s), as Alembic prints them. Never "
		       "creates the version table or the database file.",
	.run = run_current,
	.opts = current_options,
	.opts_size = sizeof(struct current_opts),
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_READ | NEEDS_HEADERS_ONLY,
	.per_target = 1,
};
