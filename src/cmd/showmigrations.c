/* showmigrations: every revision, oldest first, marked [X] applied or [ ] not. */
#include "cmd.h"

#include <stdio.h>

int cmd_showmigrations(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	struct intlist revs = { 0 }, order = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	int rc = cmd_parse(app, self, argc, argv, NULL, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (app_current(app, &rows, &revs, &err) ||
	    rt_walk_revisions(&app->sd.graph, NULL, NULL, &order, &err)) {
		rc = app_fail(app, &err);
		goto out;
	}
	const struct rt_graph *g = &app->sd.graph;
	struct bitset applied;
	bitset_init(&applied, g->n);
	rt_graph_ancestors(g, revs.v, revs.nr, 1, &applied);
	for (int i = order.nr - 1; i >= 0; i--) {
		int r = order.v[i];
		printf("[%c] %s %s\n", bitset_has(&applied, r) ? 'X' : ' ', g->revs[r].id,
		       g->revs[r].script->doc);
	}
	bitset_release(&applied);
	rc = 0;
out:
	strvec_clear(&args);
	strvec_clear(&rows);
	intlist_release(&revs);
	intlist_release(&order);
	return rc;
}
