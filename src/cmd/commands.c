/* The command table: every command, its usage line and summary. */
#include "cmd.h"

#include <string.h>


const struct cmd commands[] = {
	{ "init", cmd_init, "retort init [DIR]",
	  "Create a script directory (DIR/versions/, DIR/script.sql.tmpl) and a retort.ini.\n"
	  "DIR defaults to the configured script location; it must be new or empty." },
	{ "revision", cmd_revision,
	  "retort revision [-m MSG] [--autogenerate [--empty]] [--rev-id ID] [--head REV [--splice]] "
	  "[--branch-label L] [--depends-on REV] [--version-path DIR]",
	  "Write a new revision file on top of the current head; --autogenerate fills it with the\n"
	  "SQL that turns the database (at head) into the declarative schema (--schema)." },
	{ "makemigrations", cmd_revision, "retort makemigrations [-m MSG] [revision options]",
	  "Alias of 'revision --autogenerate', as in Django." },
	{ "merge", cmd_merge, "retort merge REV... [-m MSG] [--branch-label L] [--rev-id ID]",
	  "Write a revision that merges the given revisions ('heads' for all heads)." },
	{ "upgrade", cmd_upgrade, "retort upgrade [TARGET] [--sql]",
	  "Apply migrations up to TARGET (default: head). TARGET may be a revision id or unique\n"
	  "prefix, head, heads, LABEL@head, +N, REV+N." },
	{ "migrate", cmd_upgrade, "retort migrate [TARGET] [--sql]", "Alias of 'upgrade'." },
	{ "downgrade", cmd_downgrade, "retort downgrade TARGET [--sql]",
	  "Revert migrations down to TARGET: a revision, -N, LABEL@-N, or base." },
	{ "rollback", cmd_rollback, "retort rollback [-s N]",
	  "Revert the last N migrations (default 1); the same as 'downgrade -N'." },
	{ "stamp", cmd_stamp, "retort stamp REV... [--purge] [--sql]",
	  "Record REV(s) in the version table without running any migration." },
	{ "current", cmd_current, "retort current [-v]", "Show the database's current revision(s)." },
	{ "history", cmd_history, "retort history [-r [START]:[END]] [-v] [-i]",
	  "List revisions, newest first." },
	{ "heads", cmd_heads, "retort heads [-v] [--resolve-dependencies]",
	  "Show the head revision(s)." },
	{ "branches", cmd_branches, "retort branches [-v]", "Show branch points." },
	{ "show", cmd_show, "retort show REV", "Show one revision (or 'current') in full." },
	{ "check", cmd_check, "retort check [--json]",
	  "Exit 0 when the database is at head and matches the declarative schema (when there\n"
	  "is one); exit 1 with the pending migrations or the schema drift." },
	{ "diff", cmd_diff, "retort diff [--from SRC] [--to SRC] [--dev-url URL]",
	  "Print the SQL that turns one schema into another. SRC: database (the default --from),\n"
	  "schema (the default --to), head (the revisions applied from base), a URL, or a .sql\n"
	  "file or directory." },
	{ "dump", cmd_dump, "retort dump [-o FILE]",
	  "Write the database's schema as SQL that loads back cleanly (to start schema.sql)." },
	{ "showmigrations", cmd_showmigrations, "retort showmigrations",
	  "List every revision, oldest first, with [X] for applied and [ ] for pending." },
	{ "status", cmd_status, "retort status",
	  "Show the database, its current revision(s) and the pending migrations." },
	{ "wait", cmd_wait, "retort wait [TARGET...] [--db] [--timeout S]",
	  "Wait until the database is ready, or each TARGET (a database URL, tcp://HOST:PORT,\n"
	  "http(s)://URL; --db adds the database); exit 3 when --timeout (default 60 s) passes." },
	{ NULL, NULL, NULL, NULL },
};

const struct cmd *find_command(const char *name)
{
	for (const struct cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}
