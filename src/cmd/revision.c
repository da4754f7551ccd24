/* revision (alias makemigrations) and merge: write a new revision file. */
#include "cmd.h"
#include "../lib/newrev.h"

#include <stdio.h>
#include <stdlib.h>

static int create(struct app *app, struct rt_newrev *nr)
{
	struct rt_error err = RT_ERROR_INIT;
	char *path = NULL;
	if (app_load_scripts(app, &err) || rt_revision_create(&app->cfg, &app->sd, nr, &path, &err))
		return app_fail(app, &err);
	printf("  Generating %s ...  done\n", path);
	free(path);
	return 0;
}

int cmd_revision(struct app *app, const struct cmd *self, int argc, char **argv)
{
	const char *message = NULL, *rev_id = NULL, *head = NULL, *version_path = NULL;
	int splice = 0, autogen = 0;
	struct strvec labels = STRVEC_INIT, deps = STRVEC_INIT, args = STRVEC_INIT;
	const struct opt opts[] = {
		{ OPT_STRING, 'm', "message", &message, "MSG", "the revision's message" },
		{ OPT_STRING, 0, "rev-id", &rev_id, "ID", "use this id instead of a random one" },
		{ OPT_STRING, 0, "head", &head, "REV", "build on this head (default: the only head)" },
		{ OPT_BOOL, 0, "splice", &splice, NULL, "allow --head to name a non-head revision" },
		{ OPT_LIST, 0, "branch-label", &labels, "LABEL", "label the new branch (repeatable)" },
		{ OPT_LIST, 0, "depends-on", &deps, "REV", "depend on this revision (repeatable)" },
		{ OPT_STRING, 0, "version-path", &version_path, "DIR", "which version location to write to" },
		{ OPT_BOOL, 0, "autogenerate", &autogen, NULL, "not yet available" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (autogen) {
		fprintf(stderr, "retort: error: --autogenerate is not available yet; write the SQL by "
				"hand in the new file\n");
		rc = RT_EXIT_USAGE;
		goto out;
	}
	/* --branch-label a,b and --depends-on a,b work as well as repeats */
	struct strvec l2 = STRVEC_INIT, d2 = STRVEC_INIT;
	for (size_t i = 0; i < labels.nr; i++)
		strvec_split_list(&l2, labels.v[i]);
	for (size_t i = 0; i < deps.nr; i++)
		strvec_split_list(&d2, deps.v[i]);
	struct rt_newrev nr = { message, rev_id, head, NULL, splice, &l2, &d2, version_path };
	rc = create(app, &nr);
	strvec_clear(&l2);
	strvec_clear(&d2);
out:
	strvec_clear(&labels);
	strvec_clear(&deps);
	strvec_clear(&args);
	return rc;
}

int cmd_merge(struct app *app, const struct cmd *self, int argc, char **argv)
{
	const char *message = NULL, *rev_id = NULL, *label = NULL;
	struct strvec args = STRVEC_INIT, labels = STRVEC_INIT;
	const struct opt opts[] = {
		{ OPT_STRING, 'm', "message", &message, "MSG", "the merge revision's message" },
		{ OPT_STRING, 0, "branch-label", &label, "LABEL", "label the merge revision" },
		{ OPT_STRING, 0, "rev-id", &rev_id, "ID", "use this id instead of a random one" },
		OPT_END_,
	};
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 1, 1000)) >= 0)
		goto out;
	if (label)
		strvec_split_list(&labels, label);
	struct rt_newrev nr = { message, rev_id, NULL, &args, 0, &labels, NULL, NULL };
	rc = create(app, &nr);
out:
	strvec_clear(&args);
	strvec_clear(&labels);
	return rc;
}
