/* show: one revision (or "current") in full. */
#include "cmd.h"
#include "../lib/resolve.h"

#include <stdio.h>
#include <string.h>

static int run_show(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT;
	struct intlist revs = { 0 };
	(void)opts;
	if (!*args->v[0])
		return rt_error_set(err, RT_EXIT_USAGE, "the revision is empty; give an id, a prefix of "
				    "one, a branch label, 'head' or 'current'");
	int rc = !strcmp(args->v[0], "current") ? app_current(app, &rows, &revs, err)
						 : rt_resolve(&app->sd.graph, args->v[0], &revs, err);
	for (int i = 0; !rc && i < revs.nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		fmt_log_entry(&app->sd.graph, revs.v[i], 0, &sb);
		puts(sb.buf);
		strbuf_release(&sb);
	}
	strvec_clear(&rows);
	intlist_release(&revs);
	return rc;
}

const struct cmd cmd_show = {
	.name = "show",
	.args = "REV",
	.brief = "Show one revision (or 'current') in full.",
	.run = run_show,
	.min_args = 1,
	.max_args = 1,
	.needs = NEEDS_SCRIPTS | NEEDS_HEADERS_ONLY,
	.complete = COMPLETE_REVISIONS,
};
