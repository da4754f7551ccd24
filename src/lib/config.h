/*
 * Configuration: every setting retort has is one row of one table
 * (rt_settings, config.c) naming its command-line flag, its environment
 * variable and its config-file key.  rt_config_load() resolves each row in
 * the documented precedence:
 *
 *   command-line flag > environment > config file > default
 *
 * The config file is -c/--config or RETORT_CONFIG, else retort.ini
 * ([retort]), else alembic.ini ([alembic]).  Files are read with inih and
 * interpolated like Python's configparser: %(here)s is the file's
 * directory, %(key)s another key of the section or [DEFAULT], %% a literal
 * percent sign.  The command layer builds its global options, their help,
 * the man page and shell completion from the same table.
 */
#ifndef RT_CONFIG_H
#define RT_CONFIG_H

#include <stddef.h>

#include "error.h"
#include "strvec.h"

#define RT_DEFAULT_URL "sqlite:///app.db"
#define RT_DEFAULT_DIR "migrations"
#define RT_DEFAULT_FILE_TEMPLATE "%(rev)s_%(slug)s"
#define RT_DEFAULT_WAIT_TIMEOUT 60.0

/* The settings, in the order help lists them. */
enum rt_setting_id {
	RT_SET_CONFIG,
	RT_SET_URL,
	RT_SET_DIR,
	RT_SET_XARGS,
	RT_SET_QUIET,
	RT_SET_VERBOSE,
	RT_SET_COLOR,
	RT_SET_LOCK_TIMEOUT,
	RT_SET_LOCK,
	RT_SET_LOCK_LEASE,
	RT_SET_SINGLE_TXN,
	RT_SET_SCHEMA,
	RT_SET_PYTHON,
	RT_SET_NO_CACHE,
	RT_SET_CACHE_DIR,
	RT_SET_SEARCH_PATH,
	RT_SET_VERSION_TABLE,
	RT_SET_VERSION_TABLE_SCHEMA,
	RT_SET_STATEMENT_TIMEOUT,
	RT_SET_DDL_LOCK_TIMEOUT,
	RT_SET_WAIT,
	RT_SET_WAIT_TIMEOUT,
	RT_SET_NOTIFY,
	RT_SET_REQUIRE_URL,
	RT_SET_FILE_TEMPLATE,
	RT_SET_TRUNCATE_SLUG,
	RT_SET_TIMEZONE,
	RT_SET_VERSION_LOCATIONS,
	RT_SET_VERSION_PATH_SEP,
	RT_SET_RECURSIVE_VERSION_LOCATIONS,
	RT_SET_NAME,
	RT_SET_TARGET,          /* fleets (src/run/fleet.h) */
	RT_SET_TARGETS,
	RT_SET_TARGET_LINES,
	RT_SET_JOBS,
	RT_SET_CANARY,
	RT_SET_KEEP_GOING,
	RT_SET_JSON,
	RT_SET_COUNT
};

enum rt_setting_type {
	RT_SETTING_STRING,   /* char * */
	RT_SETTING_BOOL,     /* int: 1/0 (true/false, yes/no, on/off in env and files) */
	RT_SETTING_COUNT_,   /* int: a flag given N times (-q, -v) */
	RT_SETTING_SECONDS,  /* double: a non-negative number of seconds */
	RT_SETTING_INT,      /* int, within [min, max] */
	RT_SETTING_COLOR,    /* int: enum rt_color, from auto|always|never */
	RT_SETTING_LOCK,     /* int: enum rt_lock_mode, from advisory|table|none */
	RT_SETTING_LIST,     /* flag only: repeated values (-x KEY=VALUE) */
};

enum { RT_SETF_SECRET = 1 };  /* the value may hold a password: never quote it */

struct rt_setting {
	enum rt_setting_id id;
	enum rt_setting_type type;
	char short_flag;         /* 0: none */
	const char *flag;        /* long flag without "--", or NULL */
	const char *env;         /* environment variable, or NULL */
	const char *env_file;    /* a variable naming a file holding the value */
	const char *ini;         /* config-file key, or NULL */
	const char *ini_alt;     /* another spelling of the key */
	size_t off;              /* the field in struct rt_config */
	const char *argh;        /* the value's name in help ("SECONDS") */
	const char *help;        /* one line */
	long min, max;           /* RT_SETTING_INT */
	int flags;
};

extern const struct rt_setting rt_settings[RT_SET_COUNT];

/* What the command line said: string values as given (NULL: not given),
 * how often each boolean flag was given, and the repeated -x values. */
struct rt_config_flags {
	const char *value[RT_SET_COUNT];
	int count[RT_SET_COUNT];
	struct strvec xargs;
	struct strvec targets;  /* the repeated --target values */
};

/* Where a setting came from, for messages and `--verbose`. */
enum rt_source { RT_SRC_DEFAULT, RT_SRC_FILE, RT_SRC_ENV, RT_SRC_FLAG };

enum rt_color { RT_COLOR_AUTO, RT_COLOR_ALWAYS, RT_COLOR_NEVER };

/* The migration lock (--lock): chosen by retort (auto: the database's own
 * lock, or the lease table behind a connection pooler), the database's
 * own lock, a lease row in a lock table, or none at all. */
enum rt_lock_mode { RT_LOCK_AUTO, RT_LOCK_ADVISORY, RT_LOCK_TABLE, RT_LOCK_NONE };
#define RT_DEFAULT_LOCK_LEASE 30.0

struct rt_config {
	int quiet, verbose;       /* first: no string field may sit at offset 0 */
	char *config_file;        /* the file read, or NULL */
	char *script_location;
	struct strvec version_locations; /* directories holding revision files */
	int version_locations_set;       /* given explicitly in the config */
	/* configured but not there (yet), so not read; revision --version-path
	 * may name one, which it then creates, as Alembic does */
	struct strvec missing_version_locations;
	char *version_path_separator;
	int recursive_version_locations; /* read the subfolders of each location too */
	char *name;               /* the config file's section, as Alembic's -n/--name */
	char *url;
	enum rt_source url_source;
	char *file_template;
	int truncate_slug_length;
	char *timezone;           /* NULL: local time */
	struct strvec xkeys, xvals;
	int color;                /* enum rt_color */
	double lock_timeout;      /* seconds to wait for another run's migration lock */
	int lock;                 /* enum rt_lock_mode */
	double lock_lease;        /* seconds a lease lives without a heartbeat (--lock=table) */
	int single_txn;           /* the whole run in one transaction */
	char *search_path;        /* PostgreSQL: search_path for the migrations */
	char *version_table, *version_table_schema;
	double statement_timeout, ddl_lock_timeout; /* PostgreSQL; 0: the server's */
	int wait;                 /* --wait: wait for the database (default 60 s) */
	/* Seconds to wait for the database before using it; 0: do not wait.
	 * RETORT_WAIT_TIMEOUT turns waiting on as --wait-timeout does. */
	double wait_timeout;
	char *notify_url;         /* webhook for run summaries, or NULL */
	/* RETORT_REQUIRE_URL=1 (set in the container image): there is no
	 * default database; using one without a URL is an error. */
	int require_url;
	/* The declarative schema (autogenerate, check, diff): a .sql file or a
	 * directory of them; default SCRIPT_LOCATION/schema.sql. */
	char *schema_path;
	int schema_path_set;      /* given explicitly, so it must exist */
	/* The project's Python (python: schemas), default python3, and the
	 * folders prepend_sys_path puts first on its sys.path. */
	char *python;
	struct strvec python_path;
	/* The header cache (lib/hdrcache.h): its directory, default
	 * $XDG_CACHE_HOME/retort or ~/.cache/retort; NULL or no_cache: off. */
	char *cache_dir;
	int no_cache;
	enum rt_source source[RT_SET_COUNT]; /* where each setting came from */
	struct strvec warnings;   /* for the command layer to print: unknown keys... */
	struct strvec notes;      /* for -v: the Alembic keys and sections ignored */
	/* sqlalchemy.url in the file is empty (1) or Alembic's placeholder
	 * driver://... (2), at this line, or an alembic.ini sets none (3, and
	 * its env.py builds the URL): not a database to fall back on */
	int url_placeholder, url_line;
	/* A fleet (src/run/fleet.h): the --target values, a targets file,
	 * the config file's `targets =` lines (starting at targets_line of
	 * config_file), how many run at once, how many run alone first,
	 * whether a failure stops the rest, and --json. */
	struct strvec targets;
	char *targets_file;
	char *target_lines;
	int targets_line;
	int jobs, canary, keep_going, json;
};

typedef const char *(*rt_getenv_fn)(const char *name);

void rt_config_flags_init(struct rt_config_flags *f);
void rt_config_flags_release(struct rt_config_flags *f);
void rt_config_init(struct rt_config *c);
void rt_config_release(struct rt_config *c);
/* Resolve the configuration.  `env` is getenv (or a stand-in in tests). */
int rt_config_load(struct rt_config *c, const struct rt_config_flags *flags, rt_getenv_fn env,
		   struct rt_error *err);
/* Value of -x KEY, or NULL. */
const char *rt_config_xarg(const struct rt_config *c, const char *key);

#endif
