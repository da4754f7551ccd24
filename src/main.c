/*
 * retort: a database migration runner with Alembic's commands.
 *
 * main() parses the global options (which come before the command, as in
 * git and Alembic), resolves the configuration, and runs one command.
 */
#include "cmd/cmd.h"
#include "db/driver.h"
#include "lib/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"retort [-c FILE] [-u URL] [-d DIR] [-x KEY=VALUE] [-q] [-v] [--color=WHEN] COMMAND [ARGS]";

static const char *env_get(const char *name)
{
	return getenv(name);
}

static void print_help(const struct opt *opts)
{
	print_usage(usage, "A database migration runner with Alembic's commands, for SQLite "
			   "and PostgreSQL.", opts);
	printf("\ncommands:\n");
	for (const struct cmd *c = commands; c->name; c++) {
		const char *nl = strchr(c->summary, '\n');
		printf("  %-16s %.*s\n", c->name, nl ? (int)(nl - c->summary) : (int)strlen(c->summary),
		       c->summary);
	}
	printf("\n'retort COMMAND --help' describes a command. Exit status: 0 ok, 1 check found "
	       "pending\nmigrations, 2 error, 3 wait timeout, 4 lock timeout, 64 usage error.\n");
}

static void print_version(void)
{
	printf("retort %s\n", RETORT_VERSION);
	int has_pg = 0;
	for (int i = 0; rt_drivers[i]; i++) {
		int pg = !strcmp(rt_drivers[i]->name, "postgresql");
		has_pg |= pg;
		printf("%s %s\n", pg ? "libpq" : "sqlite", rt_drivers[i]->library_version());
	}
	if (!has_pg)
		printf("libpq: not built in (this build has no PostgreSQL driver)\n");
	const char *curl = rt_http_version();
	printf("libcurl %s\n", curl ? curl : "not built in (no HTTP wait targets or --notify)");
}

int main(int argc, char **argv)
{
	struct app app;
	struct rt_config_flags flags = { 0 };
	struct strvec xargs = STRVEC_INIT, rest = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	const char *color = "auto";
	int help = 0, version = 0, rc;
	double lock_timeout = 60;
	flags.wait_timeout = -1;
	memset(&app, 0, sizeof(app));
	const struct opt opts[] = {
		{ OPT_STRING, 'c', "config", &flags.config_file, "FILE",
		  "config file (default: retort.ini, else alembic.ini; env RETORT_CONFIG)" },
		{ OPT_STRING, 'u', "url", &flags.url, "URL", "database URL (env DATABASE_URL)" },
		{ OPT_STRING, 'd', "dir", &flags.dir, "DIR",
		  "script directory holding versions/ (env RETORT_DIR; default: migrations)" },
		{ OPT_LIST, 'x', NULL, &xargs, "KEY=VALUE", "extra value for templates (repeatable)" },
		{ OPT_BOOL, 'q', "quiet", &flags.quiet, NULL, "print only results and errors" },
		{ OPT_BOOL, 'v', "verbose", &flags.verbose, NULL, "say more about what is used" },
		{ OPT_STRING, 0, "color", &color, "WHEN", "auto, always or never (honours NO_COLOR)" },
		{ OPT_NUMBER, 0, "lock-timeout", &lock_timeout, "SECONDS",
		  "how long to wait for another retort's migration lock (default 60)" },
		{ OPT_BOOL, 0, "single-transaction", &app.single_txn, NULL,
		  "run the whole upgrade/downgrade in one transaction: all or nothing" },
		{ OPT_STRING, 0, "schema", &flags.schema_path, "PATH",
		  "declarative schema file or directory (env RETORT_SCHEMA; default DIR/schema.sql)" },
		{ OPT_STRING, 0, "search-path", &app.search_path, "NAME",
		  "PostgreSQL: search_path for migrations" },
		{ OPT_STRING, 0, "version-table", &app.version_table, "NAME",
		  "version table name (default alembic_version)" },
		{ OPT_STRING, 0, "version-table-schema", &app.version_table_schema, "NAME",
		  "PostgreSQL: schema of the version table" },
		{ OPT_NUMBER, 0, "statement-timeout", &app.statement_timeout, "SECONDS",
		  "PostgreSQL: cancel any statement running longer" },
		{ OPT_NUMBER, 0, "ddl-lock-timeout", &app.ddl_lock_timeout, "SECONDS",
		  "PostgreSQL: give up waiting for a table lock after this long (lock_timeout)" },
		{ OPT_BOOL, 0, "wait", &flags.wait, NULL,
		  "wait for the database to accept connections before using it (up to 60 s)" },
		{ OPT_NUMBER, 0, "wait-timeout", &flags.wait_timeout, "SECONDS",
		  "wait up to this long (env RETORT_WAIT_TIMEOUT; implies --wait; exit 3 on timeout)" },
		{ OPT_STRING, 0, "notify", &flags.notify_url, "URL",
		  "POST a JSON summary of each change to this webhook (env RETORT_NOTIFY_URL)" },
		{ OPT_BOOL, 0, "version", &version, NULL, "print versions and exit" },
		OPT_END_,
	};

	rt_config_init(&app.cfg);
	rt_scriptdir_init(&app.sd);

	rc = parse_opts(argc, argv, 1, opts, 1, &rest, &err);
	if (rc == PARSE_HELP)
		help = 1;
	if (!strcmp(color, "always"))
		app.color = 1;
	else if (!strcmp(color, "auto"))
		app.color = isatty(2) && !getenv("NO_COLOR") &&
			    !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	else if (strcmp(color, "never")) {
		rc = PARSE_ERROR;
		rt_error_set(&err, RT_EXIT_USAGE, "--color takes auto, always or never, not '%s'", color);
	}
	if (rc == PARSE_ERROR) {
		rc = app_fail(&app, &err);
		fprintf(stderr, "usage: %s\n", usage);
		goto out;
	}
	if (version) {
		print_version();
		rc = 0;
		goto out;
	}
	if (help || !rest.nr) {
		if (help) {
			print_help(opts);
			rc = 0;
		} else {
			fprintf(stderr, "usage: %s\n'retort --help' lists the commands.\n", usage);
			rc = RT_EXIT_USAGE;
		}
		goto out;
	}
	const struct cmd *cmd = find_command(rest.v[0]);
	if (!cmd) {
		fprintf(stderr, "retort: error: unknown command '%s'; 'retort --help' lists them\n",
			rest.v[0]);
		rc = RT_EXIT_USAGE;
		goto out;
	}
	flags.xargs = &xargs;
	flags.wait_timeout_set = flags.wait_timeout != -1;
	app.lock_timeout = lock_timeout;
	if (rt_config_load(&app.cfg, &flags, env_get, &err)) {
		rc = app_fail(&app, &err);
		goto out;
	}
	if (app.cfg.verbose)
		app_note(&app, "retort: config %s; scripts in %s",
			 app.cfg.config_file ? app.cfg.config_file : "(none)", app.cfg.script_location);
	rc = cmd->fn(&app, cmd, (int)rest.nr, rest.v);
out:
	fflush(stdout);
	if (ferror(stdout) && !rc) {
		fprintf(stderr, "retort: error: cannot write to standard output\n");
		rc = RT_EXIT_ERROR;
	}
	app_release(&app);
	rt_http_cleanup();
	strvec_clear(&xargs);
	strvec_clear(&rest);
	return rc;
}
