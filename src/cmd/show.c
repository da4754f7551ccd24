/* show: one revision (or "current") in full. */
#include "cmd.h"
#include "../lib/resolve.h"

#include <stdio.h>
#include <string.h>

int cmd_show(struct app *app, const struct cmd *self, int argc, char **argv)
{
	struct strvec args = STRVEC_INIT, rows = STRVEC_INIT;
	struct intlist revs = { 0 };
	struct rt_error err = RT_ERROR_INIT;
	int rc = cmd_parse(app, self, argc, argv, NULL, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 1, 1)) >= 0)
		goto out;
	if (!strcmp(args.v[0], "current")) {
		if (app_current(app, &rows, &revs, &err))
			goto fail;
	} else if (app_load_scripts(app, &err) || rt_resolve(&app->sd.graph, args.v[0], &revs, &err)) {
		goto fail;
	}
	for (int i = 0; i < revs.nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		fmt_log_entry(&app->sd.graph, revs.v[i], 0, &sb);
		puts(sb.buf);
		strbuf_release(&sb);
	}
	rc = 0;
	goto out;
fail:
	rc = app_fail(app, &err);
out:
	strvec_clear(&args);
	strvec_clear(&rows);
	intlist_release(&revs);
	return rc;
}
