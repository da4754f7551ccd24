/*
 * retort: a database migration runner with Alembic's commands.
 *
 * main() parses the global options (which come before the command, as in
 * git and Alembic) into the configuration, then hands the command and its
 * arguments to the dispatcher.
 */
#include "cmd/cmd.h"
#include "db/driver.h"
#include "lib/http.h"
#include "lint/lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *env_get(const char *name)
{
	return getenv(name);
}

static void print_version(void)
{
	printf("retort %s\n", RETORT_VERSION);
	int has_pg = 0, has_my = 0;
	for (int i = 0; rt_drivers[i]; i++) {
		int pg = !strcmp(rt_drivers[i]->name, "postgresql");
		int my = !strcmp(rt_drivers[i]->name, "mysql");
		has_pg |= pg;
		has_my |= my;
		printf("%s %s\n", pg ? "libpq" : my ? "libmariadb" : "sqlite",
		       rt_drivers[i]->library_version());
	}
	if (!has_pg)
		printf("libpq: not built in (this build has no PostgreSQL driver)\n");
	if (!has_my)
		printf("libmariadb: not built in (this build has no MySQL driver)\n");
	const char *curl = rt_http_version();
	printf("libcurl %s\n", curl ? curl : "not built in (no HTTP wait targets or --notify)");
	printf("libpg_query %s (PostgreSQL's parser, for lint)\n", rt_lint_parser_version());
}

/* Colour on stderr: always, never, or (auto) on a terminal without NO_COLOR. */
static int use_color(const struct rt_config *c)
{
	if (c->color != RT_COLOR_AUTO)
		return c->color == RT_COLOR_ALWAYS;
	const char *term = getenv("TERM");
	return isatty(2) && !getenv("NO_COLOR") && !(term && !strcmp(term, "dumb"));
}

/* The global options plus --version, which only main() knows. */
struct global_args {
	struct rt_config_flags flags;
	int version;
};

int main(int argc, char **argv)
{
	struct app app = { .last_rows = STRVEC_INIT };
	struct global_args ga;
	struct strvec rest = STRVEC_INIT;
	struct rt_error err = RT_ERROR_INIT;
	struct opt opts[RT_SET_COUNT + 2];
	int n = opts_count(global_options()), rc;

	memcpy(opts, global_options(), (size_t)n * sizeof(*opts));
	opts[n] = (struct opt)OPT_BOOL_(0, "version", struct global_args, version,
					"print versions and exit");
	opts[n + 1] = (struct opt)OPT_END_;
	rt_config_flags_init(&ga.flags);
	ga.version = 0;
	rt_config_init(&app.cfg);
	rt_scriptdir_init(&app.sd);

	rc = parse_opts(argc, argv, 1, opts, &ga, 1, &rest, NULL, &err);
	if (rc == PARSE_ERROR) {
		rc = app_fail(&app, &err);
		fprintf(stderr, "usage: retort [GLOBAL OPTIONS] COMMAND [ARGS]; 'retort --help' "
				"lists them\n");
		goto out;
	}
	if (ga.version) {
		print_version();
		rc = 0;
		goto out;
	}
	if (rc == PARSE_HELP || !rest.nr) {
		if (rc == PARSE_HELP) {
			help_main();
			rc = 0;
		} else {
			fprintf(stderr, "usage: retort [GLOBAL OPTIONS] COMMAND [ARGS]\n"
					"'retort --help' lists the commands.\n");
			rc = RT_EXIT_USAGE;
		}
		goto out;
	}
	const struct cmd *cmd = find_command(rest.v[0]);
	if (!cmd) {
		rt_error_set(&err, RT_EXIT_USAGE, "unknown command '%s'; 'retort --help' lists them",
			     rest.v[0]);
		rc = app_fail(&app, &err);
		goto out;
	}
	if (rt_config_load(&app.cfg, &ga.flags, env_get, &err)) {
		app.color = ga.flags.value[RT_SET_COLOR] && !strcmp(ga.flags.value[RT_SET_COLOR], "always");
		rc = app_fail(&app, &err);
		goto out;
	}
	app.color = use_color(&app.cfg);
	for (size_t i = 0; i < app.cfg.warnings.nr; i++)
		app_warn(&app, "%s", app.cfg.warnings.v[i]);
	if (app.cfg.source[RT_SET_URL] == RT_SRC_FLAG) {
		struct rt_error ignored = RT_ERROR_INIT;
		const struct rt_url *u = app_url(&app, &ignored);
		if (u && (u->password || rt_url_query(u, "password")))
			app_warn(&app, "a password given with -u/--url can be read by other users in "
				 "'ps' while retort runs; set DATABASE_URL or DATABASE_URL_FILE instead");
	}
	if (app.cfg.verbose) {
		app_note(&app, "retort: config %s%s%s%s; scripts in %s",
			 app.cfg.config_file ? app.cfg.config_file : "(none)",
			 app.cfg.name ? " [" : "", app.cfg.name ? app.cfg.name : "",
			 app.cfg.name ? "]" : "", app.cfg.script_location);
		for (size_t i = 0; i < app.cfg.notes.nr; i++)
			app_note(&app, "retort: %s", app.cfg.notes.v[i]);
	}
	rc = cmd_dispatch(&app, cmd, (int)rest.nr, rest.v);
out:
	fflush(stdout);
	if (ferror(stdout) && !rc) {
		rt_error_set(&err, RT_EXIT_ERROR, "cannot write to standard output");
		rc = app_fail(&app, &err);
	}
	app_release(&app);
	rt_http_cleanup();
	rt_config_flags_release(&ga.flags);
	strvec_clear(&rest);
	return rc;
}
