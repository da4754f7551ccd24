/*
 * The command layer: the only code that prints or decides exit statuses.
 * main.c parses global options into a `struct app`, then dispatches to a
 * command from the table in commands.c; each command lives in its own file.
 */
#ifndef RT_CMD_H
#define RT_CMD_H

#include "../db/driver.h"
#include "../lib/config.h"
#include "../lib/error.h"
#include "../lib/plan.h"
#include "../lib/scriptdir.h"
#include "../lib/strbuf.h"
#include "../schema/model.h"
#include "parseopt.h"

#define RETORT_VERSION "0.1.0"

struct app {
	struct rt_config cfg;
	int color;               /* colour stderr */
	double lock_timeout;
	const char *search_path; /* --search-path */
	const char *version_table, *version_table_schema;
	double statement_timeout, ddl_lock_timeout;
	int single_txn;          /* --single-transaction */
	int scripts_loaded;
	int waited;              /* the --wait gate has passed */
	struct rt_scriptdir sd;
	struct rt_db *db;
};

struct cmd;
typedef int (*cmd_fn)(struct app *app, const struct cmd *self, int argc, char **argv);

struct cmd {
	const char *name;
	cmd_fn fn;
	const char *usage;
	const char *summary;
};

extern const struct cmd commands[];

/* One per file in src/cmd/. */
int cmd_init(struct app *, const struct cmd *, int, char **);
int cmd_revision(struct app *, const struct cmd *, int, char **);
int cmd_merge(struct app *, const struct cmd *, int, char **);
int cmd_upgrade(struct app *, const struct cmd *, int, char **);
int cmd_downgrade(struct app *, const struct cmd *, int, char **);
int cmd_rollback(struct app *, const struct cmd *, int, char **);
int cmd_stamp(struct app *, const struct cmd *, int, char **);
int cmd_current(struct app *, const struct cmd *, int, char **);
int cmd_history(struct app *, const struct cmd *, int, char **);
int cmd_heads(struct app *, const struct cmd *, int, char **);
int cmd_branches(struct app *, const struct cmd *, int, char **);
int cmd_show(struct app *, const struct cmd *, int, char **);
int cmd_check(struct app *, const struct cmd *, int, char **);
int cmd_showmigrations(struct app *, const struct cmd *, int, char **);
int cmd_status(struct app *, const struct cmd *, int, char **);
int cmd_wait(struct app *, const struct cmd *, int, char **);
int cmd_diff(struct app *, const struct cmd *, int, char **);
int cmd_dump(struct app *, const struct cmd *, int, char **);

const struct cmd *find_command(const char *name);

/* Parse a command's options; returns -1 to continue, else the exit status
 * to return (0 after --help, 64 on a usage error). */
int cmd_parse(struct app *app, const struct cmd *self, int argc, char **argv,
	      const struct opt *opts, struct strvec *args);
/* Refuse more than `max` positional arguments (or fewer than `min`). */
int cmd_nargs(const struct cmd *self, const struct strvec *args, size_t min, size_t max);

/* Report an error on stderr ("retort: error: ...") and return its exit status. */
int app_fail(struct app *app, const struct rt_error *err);
void app_warn(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An informational line on stderr, unless --quiet. */
void app_note(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A progress line on standard output ("  Generating x ...  done"), unless -q:
 * Alembic's status messages, which its --quiet silences too. */
void app_status(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int app_load_scripts(struct app *app, struct rt_error *err);
/* Open the configured database (announcing the embedded default). */
int app_open_db(struct app *app, int readonly, struct rt_error *err);
void app_close_db(struct app *app);
/* The configured database URL, or an error when there is none (no URL
 * given and RETORT_REQUIRE_URL set, as in the container image). */
const char *app_db_url(struct app *app, struct rt_error *err);
/* Wait for each of `specs` (database URLs, tcp://, http(s)://), printing
 * progress; the wait command and the --wait gate of app_open_db(). */
int app_wait(struct app *app, const struct strvec *specs, double timeout, struct rt_error *err);
int app_read_rows(struct app *app, struct strvec *rows, int *table_exists, struct rt_error *err);
void app_release(struct app *app);

/* Shared run of upgrade/downgrade/stamp: lock, read rows, plan, execute. */
enum run_kind { RUN_UPGRADE, RUN_DOWNGRADE, RUN_STAMP };
int app_run(struct app *app, enum run_kind kind, const struct strvec *targets, int purge);
/* --sql: print the script instead of running it; never connects.  Targets
 * may be "START:END" (START defaults to base, which creates the table). */
int app_offline(struct app *app, enum run_kind kind, const struct strvec *targets, int purge);

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



/* Read-only: load scripts, read the version rows, resolve them to revisions. */
int app_current(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_error *err);
/* app_current(), plus the plan that `upgrade heads` would run. */
int app_pending(struct app *app, struct strvec *rows, struct intlist *revs, struct rt_plan *plan,
		struct rt_error *err);
/* The schema of the configured database (schema.c). */
int app_schema_live(struct app *app, struct rt_schema *out, struct rt_error *err);
/* A desired schema: the schema files at `path` (NULL: the configured
 * --schema), or the upgrade sections from base to the heads, loaded into
 * the scratch space of `scratch` (NULL: the configured database). */
enum schema_from { SCHEMA_FROM_FILES, SCHEMA_FROM_HEAD };
int app_schema_load(struct app *app, enum schema_from from, const char *path, struct rt_db *scratch,
		    struct rt_schema *out, struct rt_error *err);
/* Is there a schema to compare with: --schema given, or the default file present? */
int app_has_schema(const struct app *app);

/* Is the set of version rows exactly the set of heads? */
int app_at_heads(const struct rt_graph *g, const struct strvec *rows);
/* One "  <id>, <message>" line per pending step. */
void print_pending(const struct rt_graph *g, const struct rt_plan *plan);
#endif
