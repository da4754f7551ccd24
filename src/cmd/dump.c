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

struct dump_opts {
	const char *output;
};

static const struct opt dump_options[] = {
	{ .type = OPT_STRING, .short_name = 'o', .long_name = "output",
	  .off = offsetof(struct dump_opts, output), .argh = "FILE", .flags = OPTF_FILE,
	  .help = "write to FILE instead of standard output" },
	OPT_END_,
};

static int run_dump(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct dump_opts *o = opts;
	struct rt_schema s;
	struct strbuf sql = STRBUF_INIT;
	int rc = -1;
	(void)args;
	rt_schema_init(&s, RT_DIALECT_SQLITE);
	if (app_schema_live(app, &s, err))
		goto out;
	strbuf_addstr(&sql, "-- schema dumped by retort (the version table left out)\n");
	rt_schema_dump(&s, &sql);
	FILE *f = o->output ? fopen(o->output, "w") : stdout;
	if (!f || fwrite(sql.buf, 1, sql.len, f) != sql.len || (o->output && fclose(f))) {
		rt_error_set(err, RT_EXIT_ERROR, "cannot write '%s': %s",
			     o->output ? o->output : "stdout", strerror(errno));
		goto out;
	}
	if (o->output)
		app_note(app, "retort: wrote %s", o->output);
	rc = 0;
out:
	rt_schema_release(&s);
	strbuf_release(&sql);
	return rc;
}

const struct cmd cmd_dump = {
	.name = "dump",
	.brief = "Write the database's schema as SQL that loads back cleanly.",
	.description = "Write the database's schema as SQL that loads back into an empty database "
		       "(no pg_dump needed), to start schema.sql: dump -o migrations/schema.sql.",
	.run = run_dump,
	.opts = dump_options,
	.opts_size = sizeof(struct dump_opts),
	.max_args = 0,
	.needs = NEEDS_DB_READ,
};
