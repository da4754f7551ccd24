/* check: exit 0 when the database is at head, 1 when migrations are pending. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

/* Is the set of rows exactly the set of heads? */
static int at_heads(const struct rt_graph *g, const struct strvec *rows)
{
	if (rows->nr != (size_t)g->heads.nr)
		return 0;
	for (int i = 0; i < g->heads.nr; i++)
		if (strvec_find(rows, g->revs[g->heads.v[i]].id) < 0)
			return 0;
	return 1;
}

int cmd_check(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	struct intlist revs = { 0 };
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
	char *cur = strvec_join(&rows, ", ");
	struct strbuf heads = STRBUF_INIT;
	for (int i = 0; i < g->heads.nr; i++)
		strbuf_addf(&heads, "%s%s", i ? ", " : "", g->revs[g->heads.v[i]].id);
	if (!plan.n && at_heads(g, &rows)) {
		printf("the database is up to date at %s\n", *cur ? cur : "<base>");
		rc = 0;
	} else {
		printf("the database is not up to date: it is at %s, head is %s; %d migration%s pending\n",
		       *cur ? cur : "<base>", heads.len ? heads.buf : "<base>", plan.n,
		       plan.n == 1 ? "" : "s");
		print_pending(g, &plan);
		rc = RT_EXIT_PENDING;
	}
	free(cur);
	strbuf_release(&heads);
out:
	rt_plan_release(&plan);
	strvec_clear(&args);
	strvec_clear(&rows);
	intlist_release(&revs);
	return rc;
}
