/* branches: every branch point and where it leads (Alembic's format). */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

int cmd_branches(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT;
	struct intlist order = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	int verbose = 0;
	const struct opt opts[] = {
		{ OPT_BOOL, 'v', "verbose", &verbose, NULL, "show each branch point in full" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (app_load_scripts(app, &err) || rt_walk_revisions(&app->sd.graph, NULL, NULL, &order, &err)) {
		rc = app_fail(app, &err);
		goto out;
	}
	const struct rt_graph *g = &app->sd.graph;
	for (int i = 0; i < order.nr; i++) {
		const struct rt_rev *rv = &g->revs[order.v[i]];
		if (!rt_rev_is_branch_point(rv))
			continue;
		struct strbuf sb = STRBUF_INIT;
		if (verbose)
			fmt_log_entry(g, order.v[i], 0, &sb);
		else
			fmt_head_only(g, order.v[i], FMT_BRANCHES | FMT_HEADS | FMT_TREE, 0, &sb);
		strbuf_addch(&sb, '\n');
		for (int k = 0; k < rv->next.nr; k++) {
			strbuf_addf(&sb, "%s%*s -> ", k ? "\n" : "", (int)strlen(rv->id), "");
			fmt_head_only(g, rv->next.v[k],
				      FMT_BRANCHES | FMT_HEADS | FMT_TREE | (verbose ? FMT_DOC : 0), 0, &sb);
		}
		printf("%s\n\n", sb.buf);
		strbuf_release(&sb);
	}
	rc = 0;
out:
	strvec_clear(&args);
	intlist_release(&order);
	return rc;
}
