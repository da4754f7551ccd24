/* branches: every branch point and where it leads (Alembic's format). */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

struct branches_opts {
	int verbose;
};

static const struct opt branches_options[] = {
	OPT_BOOL_('v', "verbose", struct branches_opts, verbose, "show each branch point in full"),
	OPT_END_,
};

static int run_branches(struct app *app, void *opts, const struct strvec *args,
			struct rt_error *err)
{
	struct branches_opts *o = opts;
	struct intlist order = { 0 };
	(void)args;
	if (rt_walk_revisions(&app->sd.graph, NULL, NULL, &order, err))
		return -1;
	const struct rt_graph *g = &app->sd.graph;
	for (int i = 0; i < order.nr; i++) {
		const struct rt_rev *rv = &g->revs[order.v[i]];
		if (!rt_rev_is_branch_point(rv))
			continue;
		struct strbuf sb = STRBUF_INIT;
		if (o->verbose)
			fmt_log_entry(g, order.v[i], 0, &sb);
		else
			fmt_head_only(g, order.v[i], FMT_BRANCHES | FMT_HEADS | FMT_TREE, 0, &sb);
		strbuf_addch(&sb, '\n');
		for (int k = 0; k < rv->next.nr; k++) {
			strbuf_addf(&sb, "%s%*s -> ", k ? "\n" : "", (int)strlen(rv->id), "");
			fmt_head_only(g, rv->next.v[k],
				      FMT_BRANCHES | FMT_HEADS | FMT_TREE | (o->verbose ? FMT_DOC : 0), 0,
				      &sb);
		}
		printf("%s\n\n", sb.buf);
		strbuf_release(&sb);
	}
	intlist_release(&order);
	return 0;
}

const struct cmd cmd_branches = {
	.name = "branches",
	.brief = "Show branch points and where they lead.",
	.run = run_branches,
	.opts = branches_options,
	.opts_size = sizeof(struct branches_opts),
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_HEADERS_ONLY,
};
