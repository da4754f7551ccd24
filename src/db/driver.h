/*
 * Database drivers: one backend per file (db/sqlite.c, later db/pg.c)
 * behind this vtable, chosen by the URL's backend and compiled in at build
 * time (RT_WITH_SQLITE, RT_WITH_PG).  Every connection struct starts with
 * `struct rt_db` so the generic helpers below can dispatch on it.
 *
 * All calls return 0 or -1 with `err` filled.  exec() runs a block of SQL
 * and, on failure, fills `info` with the byte offset of the failing
 * statement (and of the error token inside it where the database says),
 * relative to the block, so callers can name file:line:col.
 */
#ifndef RT_DRIVER_H
#define RT_DRIVER_H

#include <stddef.h>

#include "../lib/error.h"
#include "../lib/plan.h"
#include "../lib/strvec.h"
#include "../lib/url.h"
#include "../schema/model.h"

struct rt_db;

struct rt_db_opts {
	int readonly;            /* don't create anything; a missing file reads as empty */
	double lock_timeout;     /* seconds to wait for the migration lock */
	const char *version_table;
	const char *version_table_schema; /* NULL: the default schema */
	const char *schema;      /* PostgreSQL: search_path for migrations, or NULL */
	double statement_timeout;  /* seconds, 0: server default */
	double ddl_lock_timeout;   /* seconds (PostgreSQL lock_timeout), 0: server default */
	/* called once when the lock is busy and we start waiting */
	void (*on_lock_wait)(void *ctx, const char *what);
	void *ctx;
};

struct rt_exec_info {
	int has_stmt;
	size_t stmt_off;         /* start of the failing statement */
	int has_token;
	size_t token_off;        /* error position inside the block */
	int statements_done;     /* statements that completed before the failure */
};

/* One piece of DDL to load into a scratch space (schema_read), and where
 * loading failed: which piece, and where in it. */
struct rt_ddl {
	const char *text;
	size_t len;
};
struct rt_ddl_fail {
	int src;
	struct rt_exec_info info;
};

struct rt_driver {
	const char *name;
	int (*open)(struct rt_db **db, const struct rt_url *url, const struct rt_db_opts *opts,
		    struct rt_error *err);
	void (*close)(struct rt_db *db);
	int (*lock)(struct rt_db *db, struct rt_error *err);
	void (*unlock)(struct rt_db *db);
	int (*begin)(struct rt_db *db, struct rt_error *err);
	int (*commit)(struct rt_db *db, struct rt_error *err);
	void (*rollback)(struct rt_db *db);
	int (*in_transaction)(struct rt_db *db);
	int (*exec)(struct rt_db *db, const char *sql, size_t len, struct rt_exec_info *info,
		    struct rt_error *err);
	/* Must this statement (its first words, upper-cased) run outside a transaction? */
	int (*needs_autocommit)(struct rt_db *db, const char *words);
	/* version table primitives */
	int (*versions_read)(struct rt_db *db, struct strvec *out, int *table_exists,
			     struct rt_error *err);
	int (*version_table_create)(struct rt_db *db, struct rt_error *err);
	int (*version_insert)(struct rt_db *db, const char *v, struct rt_error *err);
	/* update and delete must match exactly one row */
	int (*version_update)(struct rt_db *db, const char *from, const char *to, struct rt_error *err);
	int (*version_delete)(struct rt_db *db, const char *v, struct rt_error *err);
	int (*version_delete_all)(struct rt_db *db, struct rt_error *err);
	const char *(*library_version)(void);
	/*
	 * Is the database ready for us?  One try, bounded by `timeout` seconds.
	 * Returns an rt_probe_result; err says why it is not ready (no answer,
	 * starting up: RT_PROBE_RETRY) or never will be (bad password, unknown
	 * database: RT_PROBE_NEVER, waiting cannot help).
	 */
	int (*probe)(const struct rt_url *url, double timeout, struct rt_error *err);
	/*
	 * Optional: one transactional migration (BEGIN, create the version
	 * table if asked, the section, its version-row changes, COMMIT) in as
	 * few round trips as the driver can, with the same guarantees and
	 * error reports as the primitives.  NULL: the executor composes it.
	 */
	int (*run_migration)(struct rt_db *db, const char *sql, size_t len, const struct rt_vop *vops,
			     int nvops, int create_table, struct rt_exec_info *info,
			     struct rt_error *err);
	/*
	 * Read the schema: of the database itself (src NULL), leaving out the
	 * version table; or of the `n` pieces of DDL loaded in turn into a
	 * scratch space that is thrown away afterwards (SQLite: a database in
	 * memory; PostgreSQL: a schema created in a transaction that is
	 * rolled back).  On a DDL failure, `fail` says where.
	 */
	int (*schema_read)(struct rt_db *db, const struct rt_ddl *src, int n, struct rt_schema *out,
			   struct rt_ddl_fail *fail, struct rt_error *err);
};

/* What one readiness probe found (see rt_driver.probe). */
enum rt_probe_result { RT_PROBE_NEVER = -1, RT_PROBE_READY = 0, RT_PROBE_RETRY = 1 };

struct rt_db {
	const struct rt_driver *drv;
};

/* The compiled-in driver for a URL's backend, or an error naming the fix. */
int rt_driver_for(const struct rt_url *url, const struct rt_driver **out, struct rt_error *err);
/* Each compiled-in driver in turn (NULL-terminated). */
extern const struct rt_driver *const rt_drivers[];

/* The shared default of needs_autocommit: statements no database runs in a
 * transaction block. */
int rt_sql_needs_autocommit(const char *words);

int rt_db_open(struct rt_db **db, const struct rt_url *url, const struct rt_db_opts *opts,
	       struct rt_error *err);
void rt_db_close(struct rt_db *db);

#endif
