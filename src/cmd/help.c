/*
 * What the tables say about themselves: `retort --help`, `retort COMMAND
 * --help` and the man page (`retort manpage`, installed by `make
 * install`); completion.c writes the shell completion from the same
 * tables.  All of it is generated from the command table and the settings
 * table, so a new command or option appears everywhere at once.
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

static const char synopsis[] = "retort [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]";
/* What retort is, for --help and the man page alike. */
static const char about[] =
	"retort applies SQL migrations to SQLite, PostgreSQL and MySQL/MariaDB with Alembic's "
	"commands, target grammar and alembic_version table, so a database migrated by Alembic "
	"can be taken over by retort and the other way round.";
static const char exit_statuses[] =
	"0 ok, 1 check found pending migrations or drift, 2 error, 3 wait timeout, "
	"4 lock timeout, 64 usage error.";

void help_usage_line(const struct cmd *c, struct strbuf *sb)
{
	strbuf_addf(sb, "retort %s", c->name);
	for (const struct opt *o = c->opts; o && o->type != OPT_END; o++) {
		strbuf_addstr(sb, " [");
		if (o->short_name)
			strbuf_addf(sb, "-%c", o->short_name);
		else
			strbuf_addf(sb, "--%s", o->long_name);
		if (o->type != OPT_BOOL)
			strbuf_addf(sb, " %s", o->argh ? o->argh : "VALUE");
		strbuf_addch(sb, ']');
		if (o->type == OPT_LIST)
			strbuf_addstr(sb, "...");
	}
	if (c->args && *c->args)
		strbuf_addf(sb, " %s", c->args);
}

/*
 * Print `text` from column `col` on, wrapped at word boundaries to 100
 * columns, each continuation line indented by `indent`; newlines in the
 * text are kept.  Ends the line.
 */
static void wrap(const char *text, int col, int indent)
{
	const int width = 100;
	while (*text) {
		if (*text == '\n') {
			printf("\n%*s", indent, "");
			col = indent;
			text++;
			continue;
		}
		size_t w = strcspn(text, " \n");
		if (col > indent && col + (int)w > width) {
			printf("\n%*s", indent, "");
			col = indent;
		}
		col += printf("%.*s", (int)w, text);
		text += w;
		if (*text == ' ') {
			text++;
			if (*text && *text != '\n' && col + 1 + (int)strcspn(text, " \n") <= width)
				col += printf(" ");
			else
				col = width + 1; /* the next word starts a line */
		}
	}
	putchar('\n');
}

/* One "  LABEL  text" line of help; a label too wide for its column gets
 * the text on the next line. */
static void help_line(const char *label, const char *text)
{
	const int indent = 31;
	int col = printf("  %-28s ", label);
	if (col > indent) {
		printf("\n%*s", indent, "");
		col = indent;
	}
	wrap(text, col, indent);
}

static void print_opts(const struct opt *opts)
{
	for (const struct opt *o = opts; o && o->type != OPT_END; o++) {
		struct strbuf sb = STRBUF_INIT;
		opt_label(o, &sb);
		help_line(sb.buf, o->help);
		strbuf_release(&sb);
	}
}

void help_command(const struct cmd *c)
{
	struct strbuf sb = STRBUF_INIT;
	help_usage_line(c, &sb);
	printf("usage: ");
	wrap(sb.buf, 7, 7 + (int)strlen(c->name) + 8);
	putchar('\n');
	wrap(c->description ? c->description : c->brief, 0, 0);
	if (c->alias_of)
		printf("\nAn alias: 'retort %s' with preset options.\n", c->alias_of);
	printf("\noptions:\n");
	print_opts(c->opts);
	help_line("-h, --help", "show this help");
	strbuf_release(&sb);
}

/* "(env X; config key y)" for a setting, or "". */
static void setting_sources(const struct rt_setting *st, struct strbuf *sb)
{
	if (!st->env && !st->ini)
		return;
	strbuf_addstr(sb, " (");
	if (st->env)
		strbuf_addf(sb, "env %s%s%s", st->env, st->env_file ? " or " : "",
			    st->env_file ? st->env_file : "");
	if (st->env && st->ini)
		strbuf_addstr(sb, "; ");
	if (st->ini)
		strbuf_addf(sb, "config %s", st->ini);
	strbuf_addch(sb, ')');
}

/* A global option's "-u, --url URL" and its help with its other sources. */
static void setting_help(const struct rt_setting *st, struct strbuf *label, struct strbuf *help)
{
	if (st->short_flag)
		strbuf_addf(label, "-%c%s", st->short_flag, st->flag ? ", " : "");
	if (st->flag)
		strbuf_addf(label, "--%s", st->flag);
	if (st->argh)
		strbuf_addf(label, " %s", st->argh);
	strbuf_addstr(help, st->help);
	setting_sources(st, help);
}

/* Hand every global option, --version included, to `emit` (help or man). */
static void each_global_option(void (*emit)(const char *label, const char *text))
{
	for (int i = 0; i < RT_SET_COUNT; i++) {
		const struct rt_setting *st = &rt_settings[i];
		if (!st->flag && !st->short_flag)
			continue;
		struct strbuf label = STRBUF_INIT, help = STRBUF_INIT;
		setting_help(st, &label, &help);
		emit(label.buf, help.buf);
		strbuf_release(&label);
		strbuf_release(&help);
	}
	emit("--version", "print versions and exit");
}

void help_main(void)
{
	printf("usage: %s\n\n", synopsis);
	wrap(about, 0, 0);
	printf("\nglobal options (before the command):\n");
	each_global_option(help_line);
	help_line("-h, --help", "show this help");
	printf("\ncommands:\n");
	for (int i = 0; commands[i]; i++)
		if (!commands[i]->hidden)
			printf("  %-16s %s\n", commands[i]->name, commands[i]->brief);
	printf("\n'retort COMMAND --help' describes a command; 'man retort' all of them.\n");
	fputs("Exit status: ", stdout);
	wrap(exit_statuses, 13, 0);
}

/* roff text: backslashes and leading dots/quotes escaped, dashes as \- */
static void roff(const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", stdout);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else if (*s == '\n' && (s[1] == '.' || s[1] == '\''))
			fputs("\n\\&", stdout);
		else
			putchar(*s);
	}
}

static void man_opt(const char *label, const char *help)
{
	fputs(".TP\n.B ", stdout);
	roff(label);
	putchar('\n');
	roff(help);
	putchar('\n');
}

void help_manpage(void)
{
	printf(".TH RETORT 1 \"\" \"retort %s\" \"User Commands\"\n.SH NAME\n", RETORT_VERSION);
	printf("retort \\- a database migration runner with Alembic's commands\n.SH SYNOPSIS\n.B ");
	roff(synopsis);
	printf("\n.SH DESCRIPTION\n");
	roff(about);
	printf("\n.SH GLOBAL OPTIONS\nGlobal options come before the command.\n");
	each_global_option(man_opt);
	printf(".SH COMMANDS\n");
	for (int i = 0; commands[i]; i++) {
		const struct cmd *c = commands[i];
		struct strbuf sb = STRBUF_INIT;
		if (c->hidden)
			continue;
		help_usage_line(c, &sb);
		printf(".SS %s\n.B ", c->name);
		roff(sb.buf);
		printf("\n.PP\n");
		roff(c->description ? c->description : c->brief);
		putchar('\n');
		if (c->alias_of)
			printf(".PP\nAn alias of \\fB%s\\fR with preset options.\n", c->alias_of);
		for (const struct opt *o = c->opts; o && o->type != OPT_END; o++) {
			strbuf_reset(&sb);
			opt_label(o, &sb);
			man_opt(sb.buf, o->help);
		}
		strbuf_release(&sb);
	}
	printf(".SH ENVIRONMENT\n");
	for (int i = 0; i < RT_SET_COUNT; i++) {
		const struct rt_setting *st = &rt_settings[i];
		if (st->env)
			man_opt(st->env, st->help);
		if (st->env_file)
			man_opt(st->env_file, "a file whose first line is the value of the variable above");
	}
	man_opt("NO_COLOR", "with --color=auto (the default), no colour");
	printf(".SH CONFIGURATION\nretort.ini (section [retort]), else alembic.ini (section "
	       "[alembic]), or the file given with \\-c; values interpolated as Python's "
	       "configparser does (%%(here)s, %%(key)s, %%%%).\n");
	for (int i = 0; i < RT_SET_COUNT; i++) {
		const struct rt_setting *st = &rt_settings[i];
		if (!st->ini)
			continue;
		struct strbuf label = STRBUF_INIT;
		strbuf_addf(&label, "%s%s%s", st->ini, st->ini_alt ? ", " : "",
			    st->ini_alt ? st->ini_alt : "");
		man_opt(label.buf, st->help);
		strbuf_release(&label);
	}
	printf(".SH EXIT STATUS\n");
	roff(exit_statuses);
	printf("\n.SH SEE ALSO\n.BR alembic (1)\n");
}
