/*
 * Configuration: where the migrations live, which database, and how new
 * revision files are named.  Sources in order of precedence:
 *   command-line flags > environment (DATABASE_URL, DATABASE_URL_FILE,
 *   RETORT_CONFIG, RETORT_DIR, RETORT_WAIT_TIMEOUT, RETORT_NOTIFY_URL,
 *   RETORT_SCHEMA)
 *   > config file (retort.ini [retort]; else alembic.ini [alembic])
 *   > defaults (script location "migrations", database sqlite:///app.db).
 * Config files are read with inih and interpolated like Python's
 * configparser: %(here)s is the file's directory, %(key)s another key of
 * the section or [DEFAULT], and %% a literal percent sign.
 */
#ifndef RT_CONFIG_H
#define RT_CONFIG_H

#include "error.h"
#include "strvec.h"

#define RT_DEFAULT_URL "sqlite:///app.db"
#define RT_DEFAULT_DIR "migrations"
#define RT_DEFAULT_FILE_TEMPLATE "%(rev)s_%(slug)s"
#define RT_DEFAULT_WAIT_TIMEOUT 60.0

/* What the command line said; NULL/0 for "not given". */
struct rt_config_flags {
	const char *config_file;
	const char *url;
	const char *dir;
	const struct strvec *xargs;
	int quiet, verbose;
	int wait;                 /* --wait */
	int wait_timeout_set;     /* --wait-timeout given */
	double wait_timeout;
	const char *notify_url;
	const char *schema_path;  /* --schema */
};

/* Where a setting came from, for messages and `--verbose`. */
enum rt_source { RT_SRC_DEFAULT, RT_SRC_FILE, RT_SRC_ENV, RT_SRC_FLAG };

struct rt_config {
	char *config_file;        /* the file read, or NULL */
	char *script_location;
	struct strvec version_locations; /* directories holding revision files */
	int version_locations_set;       /* given explicitly in the config */
	char *url;
	enum rt_source url_source;
	char *file_template;
	int truncate_slug_length;
	char *timezone;           /* NULL: local time */
	struct strvec xkeys, xvals;
	int quiet, verbose;
	/* Seconds to wait for the database before using it; 0: do not wait.
	 * RETORT_WAIT_TIMEOUT turns waiting on as --wait-timeout does. */
	double wait_timeout;
	char *notify_url;         /* webhook for run summaries, or NULL */
	/* RETORT_REQUIRE_URL=1 (set in the container image): there is no
	 * default database; using one without a URL is an error. */
	int require_url;
	/* The declarative schema (autogenerate, check, diff): a .sql file or a
	 * directory of them; default SCRIPT_LOCATION/schema.sql.  Set by
	 * --schema, RETORT_SCHEMA or "schema =" in the config file. */
	char *schema_path;
	int schema_path_set;      /* given explicitly, so it must exist */
};

typedef const char *(*rt_getenv_fn)(const char *name);

void rt_config_init(struct rt_config *c);
void rt_config_release(struct rt_config *c);
/* Resolve the configuration.  `env` is getenv (or a stand-in in tests). */
int rt_config_load(struct rt_config *c, const struct rt_config_flags *flags, rt_getenv_fn env,
		   struct rt_error *err);
/* Value of -x KEY, or NULL. */
const char *rt_config_xarg(const struct rt_config *c, const char *key);

#endif
