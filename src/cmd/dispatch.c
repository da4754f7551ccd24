/*
 * The dispatcher: one path for every command.  It parses the command's
 * options from its table, checks the argument count, prepares what the
 * command needs (script directory, database, migration lock; an offline
 * option such as --sql skips the database), runs it, reports its error in
 * one place, and sends the notification of commands that change the
 * database.  The global options are built here from the settings table.
 */
#include "cmd.h"
#include "../lib/clock.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cmd *find_command(const char *name)
{
	for (int i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

/* The settings that have a flag, as options writing into struct
 * rt_config_flags: booleans count, everything else is kept as text for
 * lib/config.c to check in its one place. */
const struct opt *global_options(void)
{
	static struct opt opts[RT_SET_COUNT + 1];
	static int built;
	if (built)
		return opts;
	int n = 0;
	for (int i = 0; i < RT_SET_COUNT; i++) {
		const struct rt_setting *st = &rt_settings[i];
		if (!st->flag && !st->short_flag)
			continue;
		struct opt *o = &opts[n++];
		*o = (struct opt){ .short_name = st->short_flag, .long_name = st->flag,
				   .argh = st->argh, .help = st->help };
		if (st->type == RT_SETTING_BOOL || st->type == RT_SETTING_COUNT_) {
			o->type = OPT_BOOL;
			o->off = offsetof(struct rt_config_flags, count) + (size_t)i * sizeof(int);
		} else if (st->type == RT_SETTING_LIST) {
			o->type = OPT_LIST;
			o->off = i == RT_SET_TARGET ? offsetof(struct rt_config_flags, targets)
						    : offsetof(struct rt_config_flags, xargs);
		} else {
			o->type = OPT_STRING;
			o->off = offsetof(struct rt_config_flags, value) + (size_t)i * sizeof(char *);
			if (i == RT_SET_CONFIG || i == RT_SET_DIR || i == RT_SET_SCHEMA)
				o->flags = OPTF_FILE;
		}
	}
	opts[n] = (struct opt)OPT_END_;
	built = 1;
	return opts;
}

/* A global option given after the command: say where it goes. */
static void global_after_command(const struct cmd *c, int argc, char **argv, struct rt_error *err)
{
	const struct opt *g = global_options();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1])
			continue;
		for (const struct opt *o = g; o->type != OPT_END; o++) {
			size_t n = o->long_name ? strlen(o->long_name) : 0;
			int hit = a[1] == '-' ? n && !strncmp(a + 2, o->long_name, n) &&
							 (!a[2 + n] || a[2 + n] == '=')
					      : o->short_name && a[1] == o->short_name;
			if (hit) {
				/* the option by its name, never the word as typed:
				 * "--url=postgresql://u:pw@..." carries a value */
				char name[64], msg[sizeof(err->msg)];
				if (a[1] == '-')
					snprintf(name, sizeof(name), "--%s", o->long_name);
				else
					snprintf(name, sizeof(name), "-%c", o->short_name);
				snprintf(msg, sizeof(msg), "%s", err->msg);
				rt_error_set(err, RT_EXIT_USAGE, "%s ('%s' is a global option: put it "
					     "before the command, as in 'retort %s%s%s %s ...')", msg, name,
					     name, o->argh ? " " : "", o->argh ? o->argh : "", c->name);
				return;
			}
		}
	}
}

static int usage_error(struct app *app, const struct cmd *c, const struct rt_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	app_fail(app, err);
	help_usage_line(c, &sb);
	fprintf(stderr, "usage: %s\n", sb.buf);
	strbuf_release(&sb);
	return RT_EXIT_USAGE;
}

/* Does the command line give an option that keeps the command offline? */
int cmd_offline(const struct cmd *c, const unsigned char *seen)
{
	for (int i = 0; i < opts_count(c->opts); i++)
		if (seen[i] && (c->opts[i].flags & OPTF_OFFLINE))
			return 1;
	return 0;
}

int cmd_run_parsed(struct app *app, const struct cmd *c, void *o, const struct strvec *args,
		   const unsigned char *seen, double started)
{
	struct rt_error err = RT_ERROR_INIT;
	int needs = cmd_offline(c, seen) ? c->needs & NEEDS_SCRIPTS : c->needs;
	int rc = 0;
	/* (a fleet's parent has read the whole scripts already, for every target) */
	app->sd.headers_only = !!(needs & NEEDS_HEADERS_ONLY);
	if ((needs & NEEDS_SCRIPTS) && app_load_scripts(app, &err))
		rc = -1;
	else if ((needs & (NEEDS_DB_READ | NEEDS_DB_LOCK)) &&
		 app_open_db(app, !(needs & NEEDS_DB_LOCK), !!(needs & NEEDS_DB_LOCK), &err))
		rc = -1;
	if (!rc)
		rc = c->run(app, o, args, &err);
	if (rc < 0)
		rc = app_fail(app, &err);
	if (c->notify && (needs & NEEDS_DB_LOCK) && app->cfg.notify_url)
		app_notify(app, c, started, rc ? &err : NULL);
	return rc;
}

int cmd_dispatch(struct app *app, const struct cmd *c, int argc, char **argv)
{
	static const struct opt none[] = { OPT_END_ };
	const struct opt *opts = c->opts ? c->opts : none;
	struct rt_error err = RT_ERROR_INIT;
	struct strvec args = STRVEC_INIT;
	void *o = xcalloc(1, c->opts_size ? c->opts_size : 1);
	unsigned char *seen = xcalloc((size_t)opts_count(opts) + 1, 1);
	double started = rt_now();
	int rc;

	if (c->preset)
		c->preset(o);
	rc = parse_opts(argc, argv, 1, opts, o, 0, &args, seen, &err);
	if (rc == PARSE_HELP) {
		help_command(c);
		rc = 0;
		goto out;
	}
	if (rc == PARSE_ERROR) {
		global_after_command(c, argc, argv, &err);
		rc = usage_error(app, c, &err);
		goto out;
	}
	/* a URL where a revision or a target goes: refused without quoting it
	 * back, since it may carry a password */
	for (size_t i = 0; !c->url_args && i < args.nr; i++) {
		if (strstr(args.v[i], "://")) {
			rt_error_set(&err, RT_EXIT_USAGE, "argument %zu to '%s' looks like a URL; a "
				     "database URL goes before the command, as in 'retort -u URL %s "
				     "...' (or in DATABASE_URL)", i + 1, c->name, c->name);
			rc = usage_error(app, c, &err);
			goto out;
		}
	}
	if ((int)args.nr < c->min_args) {
		rt_error_set(&err, RT_EXIT_USAGE, "'%s' needs %s", c->name,
			     c->min_args == 1 ? "an argument" : "more arguments");
		rc = usage_error(app, c, &err);
		goto out;
	}
	if (c->max_args >= 0 && (int)args.nr > c->max_args) {
		rt_error_set(&err, RT_EXIT_USAGE, "unexpected argument '%s' to '%s'",
			     args.v[c->max_args], c->name);
		rc = usage_error(app, c, &err);
		goto out;
	}
	int fl = fleet_wanted(app, c, &err);
	if (fl < 0)
		rc = usage_error(app, c, &err);
	else if (fl)
		rc = cmd_fleet(app, c, o, &args, seen);
	else
		rc = cmd_run_parsed(app, c, o, &args, seen, started);
out:
	opts_release(opts, o);
	free(o);
	free(seen);
	strvec_clear(&args);
	return rc;
}
