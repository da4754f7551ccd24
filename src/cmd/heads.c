/* heads: the revisions nothing revises (Alembic's format). */
#include "cmd.h"

#include <stdio.h>

struct heads_opts {
	int verbose, resolve;
};

static const struct opt heads_options[] = {
	OPT_BOOL_('v', "verbose", struct heads_opts, verbose, "show each head in full"),
	OPT_BOOL_(0, "resolve-dependencies", struct heads_opts, resolve,
		  "treat dependencies like parents (only real heads)"),
	OPT_END_,
};

static int run_heads(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct heads_opts *o = opts;
	(void)args;
	(void)err;
	const struct rt_graph *g = &app->sd.graph;
	const struct intlist *hs = o->resolve ? &g->real_heads : &g->heads;
	for (int i = 0; i < hs->nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (o->verbose)
			fmt_log_entry(g, hs->v[i], 0, &sb);
		else
			fmt_head_only(g, hs->v[i], FMT_BRANCHES | FMT_HEADS, 0, &sb);
		puts(sb.buf);
		strbuf_release(&sb);
	}
	return 0;
}

const struct cmd cmd_heads = {
	.name = "heads",
	.brief = "Show the head revision(s).",
	.description = "Show the head revisions; '(effective head)' marks a head that is only "
		       "depended upon.",
	.run = run_heads,
	.opts = heads_options,
	.opts_size = sizeof(struct heads_opts),
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_HEADERS_ONLY,
};
