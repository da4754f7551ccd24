/*
 * dump: the live database's schema as SQL that loads back into an empty
 * database: normalized by the database's catalogs and in a stable order
 * (referenced tables first), so it can start migrations/schema.sql.
 */
#include "cmd.h"
#include "../schema/diff.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cmd_dump(struct app *app, const struct cmd *self, int argc, char **argv)
{
	const char *outpath = NULL;
	struct strvec args = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	struct rt_schema s;
	struct strbuf sql = STRBUF_INIT;
	const struct opt opts[] = {
		{ OPT_STRING, 'o', "output", &outpath, "FILE", "write to FILE instead of standard output" },
		OPT_END_,
	};
	rt_schema_init(&s, RT_DIALECT_SQLITE);
	int rc = cmd_parse(app, self, argc, argv, opts, &args);
	if (rc >= 0 || (rc = cmd_nargs(self, &args, 0, 0)) >= 0)
		goto out;
	if (app_schema_live(app, &s, &err)) {
		rc = app_fail(app, &err);
		goto out;
	}
	strbuf_addstr(&sql, "-- schema dumped by retort (the version table left out)\n");
	rt_schema_dump(&s, &sql);
	FILE *f = outpath ? fopen(outpath, "w") : stdout;
	if (!f || fwrite(sql.buf, 1, sql.len, f) != sql.len || (outpath && fclose(f))) {
		rt_error_set(&err, RT_EXIT_ERROR, "cannot write '%s': %s", outpath ? outpath : "stdout",
			     strerror(errno));
		rc = app_fail(app, &err);
		goto out;
	}
	if (outpath)
		app_note(app, "retort: wrote %s", outpath);
	rc = 0;
out:
	rt_schema_release(&s);
	strbuf_release(&sql);
	strvec_clear(&args);
	return rc;
}
