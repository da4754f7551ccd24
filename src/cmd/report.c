/*
 * Reporting: the one place errors, warnings and notes reach stderr.  An
 * error is "retort: error: MESSAGE", its library hint worded with the
 * flag names (the library knows settings, not flags), then its detail
 * lines; its code is the exit status.
 */
#include "cmd.h"
#include "../lib/url.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RED "\033[1;31m"
#define YELLOW "\033[1;33m"
#define RESET "\033[0m"

/* Each library hint as the command line spells it (see enum rt_hint).  A
 * hint with "%s%s" names its subject: " DIR", or nothing. */
static const char *const hint_text[RT_HINT_COUNT] = {
	[RT_HINT_LOCK_TIMEOUT] = ": wait for it, or raise --lock-timeout",
	[RT_HINT_SCRIPT_DIR] = "; run 'retort init%s%s' to create it, or point -d/--dir (or "
			       "script_location in the config) at yours",
	[RT_HINT_STAMP_REPAIR] = ": check the table with 'retort current' and repair it with "
				 "'retort stamp'",
	[RT_HINT_SEARCH_PATH] = "; create it, or set --search-path",
	[RT_HINT_SCHEMA_PATH] = "; write the desired schema there (`retort dump -o%s%s` starts one "
				"from the database) or point --schema at it",
	[RT_HINT_NO_SINGLE_TXN] = "; run without --single-transaction",
	[RT_HINT_BUILD_DRIVERS] = "; rebuild with it enabled (see 'retort --version' for the "
				  "drivers built in)",
	[RT_HINT_WRITE_ACCESS] = "; run retort as the user who owns that directory (from a "
				 "container: ./scripts/migrate.sh runs it as your user; with compose, "
				 "set RETORT_UID and RETORT_GID to your ids)",
	[RT_HINT_PYTHON] = "; give the project's Python, one that imports its models and "
			   "SQLAlchemy, with --python PATH or RETORT_PYTHON",
	[RT_HINT_PYTHON_ALEMBIC] = "; give the interpreter with --python PATH or RETORT_PYTHON, "
				   "e.g. a virtualenv's bin/python",
	[RT_HINT_STAMP_PURGE] = " (fix the version table with 'retort stamp --purge')",
	[RT_HINT_NAME_HEAD] = " with --head, or merge them first ('retort merge heads -m ...')",
	[RT_HINT_SPLICE] = "; pass --splice to start a new branch from it",
	[RT_HINT_VERSION_PATH] = "; choose one with --version-path",
	[RT_HINT_LOCK_ADVISORY] = ": use --lock=advisory",
};

int app_fail(struct app *app, const struct rt_error *err)
{
	const char *hint = err->hint > 0 && err->hint < RT_HINT_COUNT ? hint_text[err->hint] : NULL;
	fprintf(stderr, "retort: %serror:%s %s", app->color ? RED : "", app->color ? RESET : "",
		err->msg);
	if (hint && strstr(hint, "%s"))
		fprintf(stderr, hint, *err->hint_subject ? " " : "", err->hint_subject);
	else if (hint)
		fputs(hint, stderr);
	fputc('\n', stderr);
	if (err->detail[0])
		fprintf(stderr, "%s\n", err->detail);
	return err->code ? err->code : RT_EXIT_ERROR;
}

void app_warn(struct app *app, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "retort: %swarning:%s ", app->color ? YELLOW : "", app->color ? RESET : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void app_note(struct app *app, const char *fmt, ...)
{
	va_list ap;
	if (app->cfg.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void app_status(struct app *app, const char *fmt, ...)
{
	va_list ap;
	if (app->cfg.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

char *app_masked_url(const struct app *app)
{
	return rt_url_mask(app->cfg.url);
}
