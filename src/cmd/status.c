/* status: the database, its current revision(s) and how many migrations are pending. */
#include "cmd.h"
#include "../lib/resolve.h"

#include <stdio.h>
#include <stdlib.h>

static int run_status(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT;
	struct intlist revs = { 0 }, shown = { 0 };
	struct rt_plan plan;
	(void)opts;
	(void)args;
	rt_plan_init(&plan);
	int rc = app_pending(app, &rows, &revs, &plan, err);
	if (!rc) {
		const struct rt_graph *g = &app->sd.graph;
		char *m = app_masked_url(app);
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
		struct checksum_report cs;
		rc = app_checksums(app, &rows, &cs, err);
		if (!rc)
			print_checksums(app, &cs, CHECKSUMS_SUMMARY);
		checksum_report_release(&cs);
	}
	rt_plan_release(&plan);
	strvec_clear(&rows);
	intlist_release(&revs);
	intlist_release(&shown);
	return rc;
}

const struct cmd cmd_status = {
	.name = "status",
	.brief = "Show the database, its current revision(s) and the pending migrations.",
	.run = run_status,
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_READ,
	.per_target = 1,
};
