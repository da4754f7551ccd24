/*
 * The command layer: the only code that prints or decides exit statuses.
 *
 * main.c parses the global options (from the settings table of
 * lib/config.c) and hands the rest to the dispatcher (dispatch.c), which
 * looks the command up in the table (commands.c), parses its options,
 * checks its arguments, prepares what it needs (the script directory, the
 * database, the migration lock), runs it, reports its error in one place
 * and sends the notification.  Each command lives in its own file and
 * declares itself as a `struct cmd`; aliases are entries with presets.
 *
 *   commands.c the table, in --help's order
 *   dispatch.c parse, check, prepare, run, report and notify, for every command
 *   report.c   stderr lines, colours, hints as flag names, step lines
 *   session.c  the script directory, the database, the --wait gate
 *   run.c      upgrade/downgrade/stamp, online and offline, notifications
 *   help.c     --help and the man page from the tables
 *   completion.c  the bash and zsh completion scripts from the tables
 */
#ifndef RT_CMD_H
#define RT_CMD_H

#include "../db/driver.h"
#include "../db/history.h"
#include "../lib/config.h"
#include "../lib/error.h"
#include "../lib/parseopt.h"
#include "../lib/plan.h"
#include "../lib/scriptdir.h"
#include "../lib/strbuf.h"
#include "../lib/url.h"
#include "../schema/model.h"

#include <stdio.h>

#include "../lib/version.h" /* RETORT_VERSION */

struct run_state;

struct app {
	struct rt_config cfg;
	int color;               /* colour stderr */
	int scripts_loaded;
	int waited;              /* the --wait gate has passed */
	double wait_deadline;    /* when its budget ends (rt_now() time) */
	struct rt_scriptdir sd;
	struct rt_url url;       /* the configured URL, parsed once (app_url) */
	int url_parsed;
	struct rt_db *db;
	struct run_state *run;   /* what the last app_run() did, for --notify */
	/* the version rows app_read_rows found last, and whether it found any
	 * (the fleet's report of a read-only command, which changes nothing) */
	struct strvec last_rows;
	int have_last_rows;
};

/* What the dispatcher prepares before a command runs. */
enum cmd_needs {
	NEEDS_SCRIPTS = 1,  /* the script directory, read into a graph */
	NEEDS_DB_READ = 2,  /* the database, opened read-only */
	NEEDS_DB_LOCK = 4,  /* the database, opened to change it, under the migration lock */
	/* of the scripts, the headers only, no SQL: they may come from the
	 * header cache (lib/hdrcache.h) */
	NEEDS_HEADERS_ONLY = 8,
};

/* What completion offers for a command's positional arguments. */
enum cmd_complete { COMPLETE_NONE, COMPLETE_REVISIONS, COMPLETE_FILES, COMPLETE_WORDS };

/*
 * A command: how it is called and what it needs.  `run` gets the parsed
 * options (a struct of `opts_size` bytes, zeroed, then `preset`) and the
 * positional arguments; it returns an exit status, or -1 with `err` filled
 * (the dispatcher reports it).
 */
struct cmd {
	const char *name;
	const char *args;         /* positional arguments for the usage line: "[TARGET]" */
	const char *brief;        /* one line for the command list */
	const char *description;  /* what --help and the man page say, whole sentences */
	int (*run)(struct app *app, void *opts, const struct strvec *args, struct rt_error *err);
	const struct opt *opts;
	size_t opts_size;
	void (*preset)(void *opts);
	int min_args, max_args;   /* max_args -1: any number */
	int needs;                /* enum cmd_needs */
	const char *notify;       /* the event it notifies ("upgrade"), or NULL */
	enum cmd_complete complete;
	const char *words;        /* COMPLETE_WORDS: the words */
	const char *alias_of;     /* an alias: the command it presets */
	int hidden;               /* left out of --help's list */
	int url_args;             /* its arguments may be URLs (wait's targets) */
	/* runs once per database, so a fleet (--target, --targets) runs it
	 * once per target; the others read or write only the scripts */
	int per_target;
};

/* The table (commands.c), NULL-terminated. */
extern const struct cmd *const commands[];
const struct cmd *find_command(const char *name);

/* One per file in src/cmd/. */
extern const struct cmd cmd_init, cmd_revision, cmd_makemigrations, cmd_merge, cmd_upgrade,
	cmd_migrate, cmd_downgrade, cmd_rollback, cmd_stamp, cmd_current, cmd_history, cmd_graph, cmd_heads,
	cmd_branches, cmd_show, cmd_check, cmd_diff, cmd_dump, cmd_showmigrations, cmd_status,
	cmd_wait, cmd_test, cmd_completion, cmd_manpage;
extern const struct cmd cmd_convert;
extern const struct cmd cmd_lint;

/* Run `c` with argv[0] its name (dispatch.c). */
int cmd_dispatch(struct app *app, const struct cmd *c, int argc, char **argv);
/* The second half of cmd_dispatch(): options parsed and checked, prepare
 * what the command needs, run it, report, notify. */
int cmd_run_parsed(struct app *app, const struct cmd *c, void *opts, const struct strvec *args,
		   const unsigned char *seen, double started);
/* Does the command line give an option that keeps `c` offline (--sql)? */
int cmd_offline(const struct cmd *c, const unsigned char *seen);
/* Does `c` run on a fleet (fleet.c)?  1: run cmd_fleet(); 0: an ordinary
 * run; -1: a usage error (--target given to a command that has none). */
int fleet_wanted(struct app *app, const struct cmd *c, struct rt_error *err);
int cmd_fleet(struct app *app, const struct cmd *c, void *opts, const struct strvec *args,
	      const unsigned char *seen);
/* The global options: built once from lib/config.c's settings table. */
const struct opt *global_options(void);

/* help.c */
void help_usage_line(const struct cmd *c, struct strbuf *sb);
void help_command(const struct cmd *c);
void help_main(void);
void help_manpage(void);

/* report.c: stderr and the exit status of an error. */
int app_fail(struct app *app, const struct rt_error *err);
void app_warn(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An informational line on stderr, unless --quiet. */
void app_note(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A progress line on standard output ("  Generating x ...  done"), unless -q:
 * Alembic's status messages, which its --quiet silences too. */
void app_status(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The configured database URL with its password masked; free() it. */
char *app_masked_url(const struct app *app);

/* session.c */
int app_load_scripts(struct app *app, struct rt_error *err);
/* Open the configured database (announcing the embedded default), after
 * the --wait gate; `lock` also takes the migration lock. */
int app_open_db(struct app *app, int readonly, int lock, struct rt_error *err);
void app_close_db(struct app *app);
/* The driver options the settings ask for: the one place they are built. */
void app_db_opts(struct app *app, int readonly, struct rt_db_opts *opts);
/* The configured database URL, or an error when there is none (no URL
 * given and RETORT_REQUIRE_URL set, as in the container image). */
const char *app_db_url(struct app *app, struct rt_error *err);
/* Wait for the configured database (with_db) and then each of `specs`
 * (database URLs, tcp://, http(s)://; may be NULL), printing progress;
 * the wait command and the --wait gate of app_open_db(). */
int app_wait(struct app *app, int with_db, const struct strvec *specs, double timeout,
	     struct rt_error *err);
/* The configured database URL, parsed once: app_db_url() and rt_url_parse(). */
const struct rt_url *app_url(struct app *app, struct rt_error *err);
int app_read_rows(struct app *app, struct strvec *rows, int *table_exists, struct rt_error *err);
/* Read-only: read the version rows, resolve them to revisions. */
int app_current(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_error *err);
/* For output that marks the current revisions but does not need them: the
 * current revisions when a database is configured (not the embedded
 * default) and answers, and 1; otherwise none, and 0, with a warning when
 * a configured database could not be read. */
int app_current_if_any(struct app *app, struct intlist *revs);
/* app_current(), plus the plan that `upgrade heads` would run. */
int app_pending(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_plan *plan,
		struct rt_error *err);
void app_release(struct app *app);

/* run.c: upgrade/downgrade/stamp: read rows under the lock, plan, execute. */
enum run_kind { RUN_UPGRADE, RUN_DOWNGRADE, RUN_STAMP };
int app_run(struct app *app, enum run_kind kind, const struct strvec *targets, int purge,
	    struct rt_error *err);
/* --sql: print the script instead of running it; never connects.  Targets
 * may be "START:END" (START defaults to base, which creates the table). */
int app_offline(struct app *app, enum run_kind kind, const struct strvec *targets, int purge,
		struct rt_error *err);
/* What the last app_run() did, for a fleet's report: the version rows
 * before and after, the steps done; 0 when nothing ran, 2 when where it
 * ended is unknown (`to` left empty). */
int app_run_outcome(struct app *app, struct strvec *from, struct strvec *to, int *steps);
/* Free what the last app_run() kept. */
void app_run_release(struct app *app);
/* --notify: POST what the command did (or how it failed); a warning when
 * the webhook cannot be reached. */
void app_notify(struct app *app, const struct cmd *c, double started, const struct rt_error *failure);

/* lint.c: lint revisions `revs` (in running order) in `dialect` (NULL: the
 * URL's), print the findings in `format` (enum rt_lint_format) to `out`;
 * *errors gets the number of error-level findings.  check --lint too. */
int app_lint(struct app *app, const int *revs, int n, int format, const char *dialect,
	     FILE *out, int *errors, struct rt_error *err);

/* Alembic's output formats (format.c). */
enum {
	FMT_BRANCHES = 1,   /* include branch labels */
	FMT_DOC = 2,        /* ", message" */
	FMT_PARENTS = 4,    /* "parents -> " */
	FMT_TREE = 8,       /* (branchpoint) (mergepoint) */
	FMT_HEADS = 16,     /* (head) (effective head) (current) */
};
void fmt_head_only(const struct rt_graph *g, int r, int flags, int is_current, struct strbuf *sb);
void fmt_log_entry(const struct rt_graph *g, int r, int is_current, struct strbuf *sb);
/* "<base>" or the comma-joined Revises list */
void fmt_down(const struct rt_graph *g, int r, struct strbuf *sb);
/* Is the set of version rows exactly the set of heads? */
int app_at_heads(const struct rt_graph *g, const struct strvec *rows);
/* One "  <id>, <message>" line per pending step. */
void print_pending(const struct rt_graph *g, const struct rt_plan *plan);

/* Checksums of applied migrations (checksums.c): the applied revisions
 * (those `rows` make applied) whose upgrade section changed since it ran,
 * with when it ran, and those with no record to compare. */
struct checksum_report {
	struct intlist edited, unrecorded;
	struct strvec edited_at;
	int matched;
	struct rt_history history;   /* every row, for history -v */
};
int app_checksums(struct app *app, const struct strvec *rows, struct checksum_report *r,
		  struct rt_error *err);
void checksum_report_release(struct checksum_report *r);
/* The edited ones and how to accept them; after a first "checksums: N
 * match, ..." line (status), or before a line for those with no record
 * (check), or alone (current -v: nothing when none is edited, so its
 * output stays Alembic's). */
enum checksum_form { CHECKSUMS_CHECK, CHECKSUMS_SUMMARY, CHECKSUMS_EDITED };
void print_checksums(const struct app *app, const struct checksum_report *r, enum checksum_form form);

/* The schema of the configured database (schema_common.c). */
int app_schema_live(struct app *app, struct rt_schema *out, struct rt_error *err);
/* A desired schema: the schema files at `path` (NULL: the configured
 * --schema), or the upgrade sections from base to the heads, loaded into
 * the scratch space of `scratch` (NULL: the configured database). */
enum schema_from { SCHEMA_FROM_FILES, SCHEMA_FROM_HEAD };
int app_schema_load(struct app *app, enum schema_from from, const char *path, struct rt_db *scratch,
		    struct rt_schema *out, struct rt_error *err);
/* Is there a schema to compare with: --schema given, or the default file present? */
int app_has_schema(const struct app *app);
/* Open another database read-only (diff's sides and --dev-url), with the
 * same driver options as the configured one. */
int app_open_other(struct app *app, const char *url, struct rt_db **db, struct rt_error *err);

#endif
