/* heads: the revisions nothing revises (Alembic's format). */
#include "cmd.h"

#include <stdio.h>

int cmd_heads(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	int verbose = 0, resolve = 0;
	const struct opt opts[] = {
		{ OPT_BOOL, 'v', "verbose", &verbose, NULL, "show each head in full" },
		{ OPT_BOOL, 0, "resolve-dependencies", &resolve, NULL,
		  "treat dependencies like parents (only real heads)" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (app_load_scripts(app, &err)) {
		rc = app_fail(app, &err);
		goto out;
	}
	const struct rt_graph *g = &app->sd.graph;
	const struct intlist *hs = resolve ? &g->real_heads : &g->heads;
	for (int i = 0; i < hs->nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (verbose)
			fmt_log_entry(g, hs->v[i], 0, &sb);
		else
			fmt_head_only(g, hs->v[i], FMT_BRANCHES | FMT_HEADS, 0, &sb);
		puts(sb.buf);
		strbuf_release(&sb);
	}
	rc = 0;
out:
	strvec_clear(&args);
	return rc;
}
