/*
 * Database drivers: one backend per file (db/sqlite.c, db/pg.c, db/mysql.c) behind
 * this vtable, chosen by the URL's backend and compiled in at build time
 * (RT_WITH_SQLITE, RT_WITH_PG, RT_WITH_MYSQL).  Every connection struct starts with
 * `struct rt_db` so the generic helpers can dispatch on it.
 *
 * A driver supplies primitives only: connecting, the migration lock,
 * transactions, running SQL, and the few catalog questions that differ
 * per database.  What retort does with them (Alembic's version table,
 * composing a migration) is written once, above the drivers: the version
 * table in db/version_table.c over the driver's dialect description, the
 * executor in run/exec.c.
 *
 * All calls return 0 or -1 with `err` filled.  exec() runs a block of SQL
 * whose statements the caller has already found (rt_sql_split) and, on
 * failure, fills `info` with the byte offset of the failing statement (and
 * of the error token inside it where the database says), relative to the
 * block, so callers can name file:line:col.
 */
#ifndef RT_DRIVER_H
#define RT_DRIVER_H

#include <stddef.h>

#include "../lib/config.h"
#include "../lib/error.h"
#include "../lib/sqllex.h"
#include "../lib/sqlquote.h"
#include "../lib/strvec.h"
#include "../lib/url.h"

struct rt_db;
struct rt_schema;
struct rt_vt;

struct rt_db_opts {
	int readonly;            /* don't create anything; a missing file reads as empty */
	double lock_timeout;     /* seconds to wait for the migration lock */
	const char *version_table;        /* NULL: alembic_version */
	const char *version_table_schema; /* NULL: the default schema */
	const char *schema;      /* PostgreSQL: search_path for migrations, or NULL */
	double statement_timeout;  /* seconds, 0: server default */
	double ddl_lock_timeout;   /* seconds (PostgreSQL lock_timeout), 0: server default */
	/* called once when the lock is busy and we start waiting, and then
	 * once when the wait is over and the lock ours, with how long it took */
	void (*on_lock_wait)(void *ctx, const char *what);
	void (*on_lock_got)(void *ctx, double waited_s);
	/* The lock: enum rt_lock_mode (lib/config.h).  RT_LOCK_TABLE also
	 * tells the driver to keep no session state (see rt_db.pooled). */
	int lock_mode;
	double lock_lease;         /* seconds: a lease not renewed for this long expires */
	/* called when the lock was taken in a way worth saying (an expired
	 * lease taken over, naming its holder) */
	void (*on_lock_note)(void *ctx, const char *msg);
	/* The caller takes the migration lock (rt_db_lock) right after the
	 * open: a driver may try it already in the round trip that opens, and
	 * its lock() then starts from that try. */
	int lock_now;
	/* The caller reads the version rows (rt_versions_read) right after the
	 * open and the lock: a driver may read them already in the round trip
	 * that opens, and hand them over (versions_ahead) when nothing since
	 * can have changed them. */
	int read_ahead;
	void *ctx;
};

struct rt_exec_info {
	int has_stmt;
	size_t stmt_off;         /* start of the failing statement */
	int has_token;
	size_t token_off;        /* error position inside the block */
	int statements_done;     /* statements that completed before the failure */
};

/* What exec_script found when a script failed. */
struct rt_script_fail {
	int has_result;          /* a statement failed (else: the script never ran) */
	int statements_done;     /* statements that succeeded before it */
	char sqlstate[6];        /* the failure's SQLSTATE, or "" */
	int has_token;
	size_t token_off;        /* error position: bytes into the script */
	int commits;             /* exec_batch: the transactions that committed before it */
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

/*
 * How a database spells the SQL that retort writes itself (the version
 * table's statements, composed migrations, offline scripts).  Plain data,
 * one per backend, in db/version_table.c: offline SQL needs it without a
 * connection, and with a build that lacks the driver.
 */
struct rt_sql_dialect {
	const char *backend;       /* the URL's backend: "postgresql", "sqlite", "mysql" */
	char placeholder;          /* parameters: '$' for $1, $2; '?' for ?1, ?2 */
	int schemas;               /* the version table may live in a named schema */
	int quoted_name_in_messages; /* messages name the table as quoted SQL, not 'name' */
	int offline_txn;           /* offline scripts say BEGIN; and COMMIT; (Alembic: not SQLite) */
	int offline_returning;     /* offline INSERTs end RETURNING <table>.version_num */
	/* A statement failing unless one row changed: "WITH u AS (<change>
	 * RETURNING 1) <guard>", or "<change>; <guard>" (guard_follows); NULL:
	 * the dialect has none.  It fails with
	 * `guard_sqlstate`. */
	const char *guard;
	const char *guard_sqlstate;
	/* The guard is a statement of its own right after the change, reading
	 * ROW_COUNT() (MySQL), not a WITH around it. */
	int guard_follows;
	/* The same guard folded into the history row's INSERT right after
	 * the change: an expression around the value of a NOT NULL column
	 * (printf format, the value as %s; NULL: cannot), which fails the
	 * INSERT with `guard_value_sqlstate` unless the change matched one
	 * row.  One statement fewer in every version change, and no subquery. */
	const char *guard_value;
	const char *guard_value_sqlstate;
	char ident_quote;          /* quotes names: '`' (MySQL); 0: '"' */
	unsigned lex_flags;        /* how its SQL is lexed and split (RT_LEX_MYSQL) */
	/* DDL commits implicitly (MySQL): a section holding DDL cannot be one
	 * transaction, so it runs statement by statement (driver.implicit_commit
	 * says which statements) and its version row changes after them. */
	int ddl_commits;
	/* retort_history (db/history.h): its id column, an expression for the
	 * time now as ISO 8601 UTC text, one for who runs the migration (NULL:
	 * the local user and host, as a literal), and one for the milliseconds
	 * since the transaction began (NULL: the dialect has none) */
	const char *history_id;
	const char *utc_now;
	const char *who;
	const char *ms_since_begin;
	/* The statement that starts the clock ms_since_begin reads: a composed
	 * script runs it first thing (after BEGIN, or before a MySQL
	 * migration's statement that comes before its transaction). */
	const char *script_clock;
	/* The statement that ends a migration in a batch inside the run's one
	 * transaction (exec_batch; NULL: such batches are not sent). */
	const char *step_end;
};

/* The column the dialect's step_end statement names (exec_batch). */
#define RT_STEP_END_COLUMN "retort_step_end"

struct rt_driver {
	const char *name;
	const struct rt_sql_dialect *dialect;
	/* Is `word` (lowercase) a keyword this database will not take as a bare
	 * name?  For the identifier quoter (lib/sqlquote.h). */
	rt_keyword_fn is_keyword;
	int (*open)(struct rt_db **db, const struct rt_url *url, const struct rt_db_opts *opts,
		    struct rt_error *err);
	void (*close)(struct rt_db *db);
	int (*lock)(struct rt_db *db, struct rt_error *err);
	void (*unlock)(struct rt_db *db);
	int (*begin)(struct rt_db *db, struct rt_error *err);
	int (*commit)(struct rt_db *db, struct rt_error *err);
	void (*rollback)(struct rt_db *db);
	int (*in_transaction)(struct rt_db *db);
	/* Optional: is the connection still up?  0 after the server went away
	 * (a restart, a terminated backend, a reset).  NULL: always up. */
	int (*connected)(struct rt_db *db);
	/* Run the block sql[0..len), whose statements are `stmts` (offsets into sql). */
	int (*exec)(struct rt_db *db, const char *sql, size_t len, const struct rt_stmts *stmts,
		    struct rt_exec_info *info, struct rt_error *err);
	/*
	 * One statement with `n` text parameters ($1/?1... per the dialect);
	 * `changed` (may be NULL) gets the rows it changed.  `what` names the
	 * job in the error message ("changing the version table").
	 */
	int (*exec_params)(struct rt_db *db, const char *sql, int n, const char *const *params,
			   int *changed, const char *what, struct rt_error *err);
	/* One query: the first column of every row (NULLs left out) onto `out`. */
	int (*query_column)(struct rt_db *db, const char *sql, struct strvec *out, const char *what,
			    struct rt_error *err);
	/* One query: every column of every row, row after row, onto `out`
	 * (NULL as ""); `ncols` values per row, extra columns left out. */
	int (*query_rows)(struct rt_db *db, const char *sql, int ncols, struct strvec *out,
			  const char *what, struct rt_error *err);
	/* Which of the `n` tables `names` exist (in `schema`; NULL: the
	 * default one)?  exists[i] for names[i]; one round trip. */
	int (*tables_exist)(struct rt_db *db, const char *schema, const char *const *names, int n,
			    int *exists, struct rt_error *err);
	/*
	 * Optional: what the open read ahead (opts.read_ahead), handed over
	 * once: which of the version table, RT_HISTORY_TABLE and
	 * RT_PROGRESS_TABLE exist (exists[0..2], as tables_exist would say)
	 * and the version table's rows onto `rows`.  1: handed over; 0: none
	 * to hand, or it may be stale (the lock was not ours when it was
	 * read, or a statement ran since), so the caller reads afresh.
	 */
	int (*versions_ahead)(struct rt_db *db, int *exists, struct strvec *rows);
	/* Must this statement (its first words, upper-cased) run outside a transaction? */
	int (*needs_autocommit)(struct rt_db *db, const char *words);
	/* Optional (dialects with ddl_commits): does this statement (its first
	 * words) commit the transaction around it?  NULL: no statement does. */
	int (*implicit_commit)(const char *words);
	const char *(*library_version)(void);
	/*
	 * Is the database ready for us?  One try, bounded by `timeout` seconds.
	 * Returns an rt_probe_result; err says why it is not ready (no answer,
	 * starting up: RT_PROBE_RETRY) or never will be (bad password, unknown
	 * database: RT_PROBE_NEVER, waiting cannot help).
	 */
	int (*probe)(const struct rt_url *url, double timeout, struct rt_error *err);
	/*
	 * Optional: send a script of several statements in one round trip; the
	 * server stops at the first failure.  On failure `fail` says how many
	 * statements succeeded, the SQLSTATE and the error position, and err
	 * carries the database's message.  NULL: the driver has no such path
	 * and the executor runs a migration statement by statement.
	 */
	int (*exec_script)(struct rt_db *db, const char *script, size_t len,
			   struct rt_script_fail *fail, struct rt_error *err);
	/*
	 * Optional (where rt_db.batches is set): exec_script for a script of
	 * whole transactions one after another (BEGIN ... COMMIT, BEGIN ...),
	 * in one round trip.  on_commit(ctx, k, value) is called as the k-th
	 * COMMIT's result arrives, `value` being the one value of the last
	 * statement before it that returned one row of one column (NULL:
	 * none).  The server stops at the first failure: the
	 * transactions before it stay committed (fail->commits says how many),
	 * and fail->statements_done counts from the failing one's BEGIN.  A
	 * syntax error anywhere fails the script before any of it runs on
	 * PostgreSQL; MySQL parses each statement as it comes to it, so there
	 * the ones before it run, and its transactions commit.
	 *
	 * Inside the run's one transaction (--single-transaction), where no
	 * migration has a COMMIT of its own, each ends with the dialect's
	 * `step_end` statement instead, whose one column is named
	 * RT_STEP_END_COLUMN: the driver counts those as it counts COMMITs,
	 * and nothing commits until the run does.
	 */
	int (*exec_batch)(struct rt_db *db, const char *script, size_t len,
			  void (*on_commit)(void *ctx, int k, const char *value), void *ctx,
			  struct rt_script_fail *fail, struct rt_error *err);
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

struct rt_lease;

struct rt_db {
	const struct rt_driver *drv;
	struct rt_vt *vt;        /* the version table (db/version_table.h), set by rt_db_open */
	/* Set by the driver: the connection goes through a transaction pooler
	 * (detected, or --lock=table), so nothing may rely on session state:
	 * no session SET, no session advisory lock. */
	int pooled;
	/* Set by the driver when the server turned down its advisory lock as
	 * unsupported (CockroachDB, YugabyteDB before 2.25). */
	int no_advisory;
	/* Set by the driver: exec_batch may send several migrations at once
	 * (not behind a pooler, where each COMMIT may end on another server
	 * session; not where a statement timeout would bound the whole script) */
	int batches;
	struct rt_db_opts opts;  /* as opened (rt_db_open) */
	struct rt_lease *lease;  /* the lease held (db/lock_table.c), or NULL */
	int locked;              /* rt_db_lock took the driver's own lock */
	/* Set by rt_db_close before the unlock: the session ends next, so a
	 * driver need not wait for the answer to what it sends now. */
	int closing;
};

/* The compiled-in driver for a URL's backend, or an error naming the fix. */
int rt_driver_for(const struct rt_url *url, const struct rt_driver **out, struct rt_error *err);
/* Each compiled-in driver in turn (NULL-terminated). */
extern const struct rt_driver *const rt_drivers[];

/* The shared default of needs_autocommit: statements no database runs in a
 * transaction block. */
int rt_sql_needs_autocommit(const char *words);

/* Open a connection with the driver for the URL's backend, and describe
 * its version table (opts->version_table defaults to alembic_version). */
int rt_db_open(struct rt_db **db, const struct rt_url *url, const struct rt_db_opts *opts,
	       struct rt_error *err);
void rt_db_close(struct rt_db *db);
/* Is the connection up (see rt_driver.connected)? */
int rt_db_connected(struct rt_db *db);

/*
 * Are `a` and `b` connected to one database, however their URLs spell it
 * (another host name for the server, a proxy, a pooler)?  *same is 1 or 0,
 * or -1 where this cannot be told by connecting (SQLite, MySQL: compare
 * the URLs with rt_url_same_database).  Changes nothing in either.
 */
int rt_db_same_database(struct rt_db *a, struct rt_db *b, int *same, struct rt_error *err);

/* Does table `name` exist (in `schema`; NULL: the default one)? */
int rt_db_table_exists(struct rt_db *db, const char *schema, const char *name, int *exists,
		       struct rt_error *err);

/*
 * For a driver's tables_exist: the query that finds which of `n` tables
 * exist, one `test` per name joined by UNION ALL, each selecting its
 * index.  `test` is a printf format taking the index and then the number
 * of the name's parameter (the schema is parameter 1, names[i] i + 2),
 * e.g. "SELECT %d FROM t WHERE name = ?%d".  Returns its n + 1
 * parameters (the caller frees the array, not the strings).
 * rt_tables_found marks exists[] from the indices the query returned.
 */
const char **rt_tables_query(struct strbuf *q, const char *test, const char *schema,
			     const char *const *names, int n);
void rt_tables_found(const struct strvec *indices, int *exists, int n);

/*
 * The migration lock, as opts.lock_mode chooses: the driver's own lock
 * (advisory), a lease row in the lock table (db/lock_table.c; PostgreSQL
 * only), or none.  RT_LOCK_AUTO takes the lease where the driver found a
 * pooler or no advisory locks, else the driver's lock.  `url` opens the
 * lease's heartbeat connection.  rt_db_unlock is safe without a lock.
 */
int rt_db_lock(struct rt_db *db, const struct rt_url *url, struct rt_error *err);
void rt_db_unlock(struct rt_db *db);
/* The refusal of the table lock on a backend other than PostgreSQL (exit 64). */
int rt_lock_table_refusal(const char *backend, struct rt_error *err);
/* Is the lock still ours?  Fails when a lease was lost (its heartbeat
 * could not renew it in time, and another runner may have taken it). */
int rt_db_lock_held(struct rt_db *db, struct rt_error *err);

/*
 * The migration-lock policy every driver shares: try without waiting
 * (`try` sets *got), announce the wait once through opts->on_lock_wait
 * naming what is locked (`what`; NULL: the version table) and its holder
 * (`holder` fills buf with " (held by ...)" or ""), poll with backoff and
 * jitter, say through opts->on_lock_got how long the wait took, and after
 * opts->lock_timeout fail with RT_EXIT_LOCK.  Returns 0 once the lock is
 * taken.
 */
int rt_db_poll_lock(struct rt_db *db, const struct rt_db_opts *opts, const char *what,
		    int (*try)(struct rt_db *db, int *got, struct rt_error *err),
		    void (*holder)(struct rt_db *db, char *buf, size_t n), struct rt_error *err);

#endif
