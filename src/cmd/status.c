/* status: the database, its current revision(s) and how many migrations are pending. */
#include "cmd.h"
#include "../lib/resolve.h"
#include "../lib/url.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_status(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	struct intlist revs = { 0 }, shown = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	struct rt_plan plan;
	rt_plan_init(&plan);
	int rc = cmd_parse(app, self, argc, argv, NULL, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (app_pending(app, &rows, &revs, &plan, &err)) {
		rc = app_fail(app, &err);
		goto out;
	}
	const struct rt_graph *g = &app->sd.graph;
	char *m = rt_url_mask(app->cfg.url);
	printf("database: %s\n", m);
	free(m);
	rt_all_current(g, &revs, &shown);
	if (!shown.nr)
		printf("current:  <base>\n");
	for (int i = 0; i < shown.nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		fmt_head_only(g, shown.v[i], FMT_HEADS | FMT_DOC, 0, &sb);
		printf("current:  %s\n", sb.buf);
		strbuf_release(&sb);
	}
	printf("pending:  %d migration%s\n", plan.n, plan.n == 1 ? "" : "s");
	print_pending(g, &plan);
	rc = 0;
out:
	rt_plan_release(&plan);
	strvec_clear(&args);
	strvec_clear(&rows);
	intlist_release(&revs);
	intlist_release(&shown);
	return rc;
}
