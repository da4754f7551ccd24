/* merge: write a revision that merges the given revisions ('heads' for all heads). */
#include "cmd.h"
#include "../lib/newrev.h"

#include <stdio.h>
#include <stdlib.h>

struct merge_opts {
	const char *message, *rev_id, *label;
};

static const struct opt merge_options[] = {
	OPT_STRING_('m', "message", struct merge_opts, message, "MSG",
		    "the merge revision's message"),
	OPT_STRING_(0, "branch-label", struct merge_opts, label, "LABEL", "label the merge revision"),
	OPT_STRING_(0, "rev-id", struct merge_opts, rev_id, "ID", "use this id instead of a random one"),
	OPT_END_,
};

static int run_merge(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct merge_opts *o = opts;
	struct strvec labels = STRVEC_INIT;
	char *path = NULL;
	if (o->label)
		strvec_split_list(&labels, o->label);
	struct rt_newrev nr = { .message = o->message, .rev_id = o->rev_id, .parents = args,
				.labels = &labels };
	int rc = rt_revision_create(&app->cfg, &app->sd, &nr, &path, err);
	if (!rc)
		app_status(app, "  Generating %s ...  done", path);
	free(path);
	strvec_clear(&labels);
	return rc;
}

const struct cmd cmd_merge = {
	.name = "merge",
	.args = "REV...",
	.brief = "Write a revision that merges the given revisions ('heads' for all).",
	.run = run_merge,
	.opts = merge_options,
	.opts_size = sizeof(struct merge_opts),
	.min_args = 1,
	.max_args = -1,
	.needs = NEEDS_SCRIPTS,
	.complete = COMPLETE_REVISIONS,
};
