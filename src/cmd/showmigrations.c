/* showmigrations: every revision, oldest first, marked [X] applied or [ ] not. */
#include "cmd.h"

#include <stdio.h>

static int run_showmigrations(struct app *app, void *opts, const struct strvec *args,
			      struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT;
	struct intlist revs = { 0 }, order = { 0 };
	(void)opts;
	(void)args;
	int rc = app_current(app, &rows, &revs, err) ||
		 rt_walk_revisions(&app->sd.graph, NULL, NULL, &order, err) ? -1 : 0;
	if (!rc) {
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
	}
	strvec_clear(&rows);
	intlist_release(&revs);
	intlist_release(&order);
	return rc;
}

const struct cmd cmd_showmigrations = {
	.name = "showmigrations",
	.brief = "List every revision, oldest first: [X] applied, [ ] pending.",
	.run = run_showmigrations,
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_DB_READ,
	.per_target = 1,
};
