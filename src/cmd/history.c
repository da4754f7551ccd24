/* history: every revision, newest first, in Alembic's format. */
#include "cmd.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "current" in a range stands for the database's revision. */
static int substitute_current(struct app *app, char **end, struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT;
	struct intlist revs = { 0 };
	int rc = -1;
	if (app_current(app, &rows, &revs, err))
		goto out;
	if (rows.nr > 1) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "'current' in a history range with several current heads is not supported "
			     "yet; name the revisions instead");
		goto out;
	}
	free(*end);
	*end = xstrdup(rows.nr ? rows.v[0] : "base");
	rc = 0;
out:
	strvec_clear(&rows);
	intlist_release(&revs);
	return rc;
}

int cmd_history(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	struct intlist order = { 0 }, cur = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	const char *range = NULL;
	char *base = NULL, *head = NULL;
	int verbose = 0, indicate = 0;
	const struct opt opts[] = {
		{ OPT_STRING, 'r', "rev-range", &range, "[START]:[END]", "only this range" },
		{ OPT_BOOL, 'v', "verbose", &verbose, NULL, "show each revision in full" },
		{ OPT_BOOL, 'i', "indicate-current", &indicate, NULL, "mark the current revision(s)" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (range) {
		const char *colon = strchr(range, ':');
		if (!colon) {
			rt_error_set(&err, RT_EXIT_USAGE,
				     "history range '%s' needs a colon: [start]:[end], start: or :end", range);
			rc = app_fail(app, &err);
			goto out;
		}
		if (colon > range)
			base = xstrndup(range, (size_t)(colon - range));
		if (colon[1])
			head = xstrdup(colon + 1);
	}
	if (app_load_scripts(app, &err))
		goto fail;
	if (base && !strcmp(base, "current") && substitute_current(app, &base, &err))
		goto fail;
	if (head && !strcmp(head, "current") && substitute_current(app, &head, &err))
		goto fail;
	if (indicate && app_current(app, &rows, &cur, &err))
		goto fail;
	const struct rt_graph *g = &app->sd.graph;
	if (rt_walk_revisions(g, base, head, &order, &err))
		goto fail;
	for (int i = 0; i < order.nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		int is_cur = indicate && intlist_has(&cur, order.v[i]);
		if (verbose)
			fmt_log_entry(g, order.v[i], is_cur, &sb);
		else
			fmt_head_only(g, order.v[i], FMT_BRANCHES | FMT_DOC | FMT_PARENTS | FMT_TREE | FMT_HEADS,
				      is_cur, &sb);
		puts(sb.buf);
		strbuf_release(&sb);
	}
	rc = 0;
	goto out;
fail:
	rc = app_fail(app, &err);
out:
	free(base);
	free(head);
	strvec_clear(&args);
	strvec_clear(&rows);
	intlist_release(&order);
	intlist_release(&cur);
	return rc;
}
