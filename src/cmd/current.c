/* current: the revision(s) the database is at, in Alembic's format. */
#include "cmd.h"
#include "../lib/resolve.h"
#include "../lib/url.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_current(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	struct intlist revs = { 0 }, shown = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	int verbose = 0;
	const struct opt opts[] = {
		{ OPT_BOOL, 'v', "verbose", &verbose, NULL, "show each revision in full" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (app_current(app, &rows, &revs, &err)) {
		rc = app_fail(app, &err);
		goto out;
	}
	if (verbose) {
		char *m = rt_url_mask(app->cfg.url);
		printf("Current revision(s) for %s:\n", m);
		free(m);
	}
	const struct rt_graph *g = &app->sd.graph;
	rt_all_current(g, &revs, &shown);
	for (int i = 0; i < shown.nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (verbose)
			fmt_log_entry(g, shown.v[i], 0, &sb);
		else
			fmt_head_only(g, shown.v[i], FMT_HEADS | FMT_TREE, 0, &sb);
		puts(sb.buf);
		strbuf_release(&sb);
	}
	rc = 0;
out:
	strvec_clear(&args);
	strvec_clear(&rows);
	intlist_release(&revs);
	intlist_release(&shown);
	return rc;
}
