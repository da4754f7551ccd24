/*
 * The SQLite driver.
 *
 * Transactions are BEGIN IMMEDIATE ... COMMIT, so a migration and its
 * version-row change land together or not at all.  The migration lock is
 * flock() on the database file, held for the whole command: it serialises
 * retort processes without touching SQLite's own POSIX locks (the lock fd
 * is closed only after SQLite has closed the database, because closing any
 * fd of a file drops the process's POSIX locks on it).
 *
 * Running SQL: the caller hands exec the block's statements already
 * split, and each is prepared from its own bytes only (SQLite copies the
 * text it is given, so handing it the rest of a big section each time
 * would cost the square of the section's size).  The version table's SQL
 * is not here: db/version_table.c writes it for every dialect and runs it
 * through exec_params, query_column and table_exists below.
 */
#include "driver.h"
#include "sqlite_schema.h"
#include "version_table.h"
#include "../lib/clock.h"
#include "../lib/sqllex.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sqlite_db {
	struct rt_db base;
	sqlite3 *h;
	char *path;            /* "" in memory */
	int missing;           /* read-only open of a file that does not exist */
	int lock_fd;
	int own_txn;           /* retort's BEGIN IMMEDIATE is open (not the script's BEGIN) */
	struct rt_db_opts opts;
};

#define SDB(db) ((struct sqlite_db *)(db))

static int sq_error(struct sqlite_db *d, struct rt_error *err, const char *what)
{
	return rt_error_set(err, RT_EXIT_ERROR, "sqlite: %s: %s", what, sqlite3_errmsg(d->h));
}

static void sq_close(struct rt_db *db)
{
	struct sqlite_db *d = SDB(db);
	if (d->h)
		sqlite3_close_v2(d->h);
	if (d->lock_fd >= 0)
		close(d->lock_fd); /* after SQLite: closing first would drop its POSIX locks */
	free(d->path);
	free(d);
}

static int sq_open(struct rt_db **out, const struct rt_url *url, const struct rt_db_opts *opts,
		   struct rt_error *err);
static int sq_probe(const struct rt_url *url, double timeout, struct rt_error *err);

/* Run SQL text with no parameters; the error names the statement. */
static int simple_exec(struct sqlite_db *d, const char *sql, struct rt_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rt_error_set(err, RT_EXIT_ERROR, "sqlite: %s: %s", sql, msg ? msg : sqlite3_errmsg(d->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The pid holding a flock on our file, from /proc/locks, or 0. */
static long lock_holder(int fd)
{
	struct stat st;
	char line[256];
	long pid = 0;
	if (fstat(fd, &st))
		return 0;
	FILE *f = fopen("/proc/locks", "r");
	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		long p;
		unsigned maj, min;
		unsigned long ino;
		char kind[16];
		if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%lu", kind, &p, &maj, &min, &ino) == 5 &&
		    !strcmp(kind, "FLOCK") && ino == (unsigned long)st.st_ino && p != (long)getpid())
			pid = p;
	}
	fclose(f);
	return pid;
}

/* One try at the file's lock, for rt_db_poll_lock. */
static int sq_try_lock(struct rt_db *db, int *got, struct rt_error *err)
{
	struct sqlite_db *d = SDB(db);
	*got = !flock(d->lock_fd, LOCK_EX | LOCK_NB);
	if (!*got && errno != EWOULDBLOCK && errno != EINTR)
		return rt_error_set(err, RT_EXIT_ERROR, "cannot lock '%s': %s", d->path,
				    strerror(errno));
	return 0;
}

static void sq_holder(struct rt_db *db, char *buf, size_t n)
{
	long pid = lock_holder(SDB(db)->lock_fd);
	if (pid)
		snprintf(buf, n, " (held by pid %ld)", pid);
	else
		snprintf(buf, n, "%s", "");
}

static int sq_lock(struct rt_db *db, struct rt_error *err)
{
	struct sqlite_db *d = SDB(db);
	if (d->missing || !*d->path)
		return 0;
	if (d->lock_fd < 0) {
		d->lock_fd = open(d->path, O_RDONLY | O_CLOEXEC);
		if (d->lock_fd < 0)
			return rt_error_set(err, RT_EXIT_ERROR, "cannot open '%s' to lock it: %s", d->path,
					    strerror(errno));
	}
	struct strbuf what = STRBUF_INIT;
	strbuf_addf(&what, "'%s'", d->path);
	int rc = rt_db_poll_lock(db, &d->opts, what.buf, sq_try_lock, sq_holder, err);
	strbuf_release(&what);
	return rc;
}

static void sq_unlock(struct rt_db *db)
{
	struct sqlite_db *d = SDB(db);
	if (d->lock_fd >= 0)
		flock(d->lock_fd, LOCK_UN); /* keep the fd open: see the note at the top */
}

static int sq_begin(struct rt_db *db, struct rt_error *err)
{
	int rc = simple_exec(SDB(db), "BEGIN IMMEDIATE", err);
	SDB(db)->own_txn = !rc;
	return rc;
}

static int sq_commit(struct rt_db *db, struct rt_error *err)
{
	SDB(db)->own_txn = 0;
	return simple_exec(SDB(db), "COMMIT", err);
}

static void sq_rollback(struct rt_db *db)
{
	struct sqlite_db *d = SDB(db);
	d->own_txn = 0;
	if (d->h && !sqlite3_get_autocommit(d->h))
		sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_in_transaction(struct rt_db *db)
{
	struct sqlite_db *d = SDB(db);
	return d->h && !sqlite3_get_autocommit(d->h);
}

/* Past the white space and comments at p (SQLite's rules), as SQLite's
 * own prepare skips them: where the statement's first token starts. */
static const char *skip_space(const char *p, const char *end)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	rt_sql_lexer_init(&lx, p, (size_t)(end - p), RT_LEX_SQLITE);
	return rt_sql_next(&lx, &t) == RT_SQL_END ? end : p + t.off;
}

/*
 * Run one statement of ours, sql[off..off+len) of the block: prepared from
 * its own bytes, and again on whatever tail SQLite leaves (should its
 * split ever be finer than ours).  Offsets in `info` are into the block.
 */
static int exec_one(struct sqlite_db *d, const char *sql, size_t off, size_t len,
		    struct rt_exec_info *info, struct rt_error *err)
{
	const char *p = sql + off, *end = p + len;
	while (p < end) {
		sqlite3_stmt *st = NULL;
		const char *tail = NULL;
		const char *start = skip_space(p, end);
		if (start >= end)
			break;
		if (sqlite3_prepare_v2(d->h, p, (int)(end - p), &st, &tail) != SQLITE_OK) {
			info->has_stmt = 1;
			info->stmt_off = (size_t)(start - sql);
			int eo = sqlite3_error_offset(d->h);
			if (eo >= 0) {
				info->has_token = 1;
				info->token_off = (size_t)(p - sql) + (size_t)eo;
			}
			return rt_error_set(err, RT_EXIT_ERROR, "%s", sqlite3_errmsg(d->h));
		}
		if (!st) {
			p = tail;
			continue;
		}
		char words[64];
		rt_sql_words(start, (size_t)(end - start), 3, words, sizeof(words));
		/* the script's own BEGIN ... COMMIT in a transaction:false section is its business */
		if (d->own_txn && !sqlite3_get_autocommit(d->h) && rt_sql_is_txn_control(words)) {
			sqlite3_finalize(st);
			info->has_stmt = 1;
			info->stmt_off = (size_t)(start - sql);
			return rt_error_set(err, RT_EXIT_ERROR,
					    "transaction control statement inside a transactional section; "
					    "retort wraps each migration in a transaction itself: remove it, "
					    "or mark the section 'transaction:false'");
		}
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			info->has_stmt = 1;
			info->stmt_off = (size_t)(start - sql);
			rt_error_set(err, RT_EXIT_ERROR, "%s", sqlite3_errmsg(d->h));
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
		info->statements_done++;
		p = tail;
	}
	return 0;
}

/*
 * Run every statement of a block in turn.  sqlite3_error_offset says
 * where a syntax error is.
 */
static int sq_exec(struct rt_db *db, const char *sql, size_t len, const struct rt_stmts *stmts,
		   struct rt_exec_info *info, struct rt_error *err)
{
	(void)len;
	memset(info, 0, sizeof(*info));
	for (int k = 0; k < stmts->nr; k++)
		if (exec_one(SDB(db), sql, stmts->v[k].off, stmts->v[k].len, info, err))
			return -1;
	return 0;
}

/* Prepare one statement and bind `n` text parameters to ?1, ?2... */
static int prepare_bound(struct sqlite_db *d, const char *sql, int n, const char *const *params,
			 sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(d->h, sql, -1, st, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(*st, i + 1, params[i], -1, SQLITE_STATIC);
	return 0;
}

/* One statement with text parameters; `changed`: the rows it changed. */
static int sq_exec_params(struct rt_db *db, const char *sql, int n, const char *const *params,
			  int *changed, const char *what, struct rt_error *err)
{
	struct sqlite_db *d = SDB(db);
	sqlite3_stmt *st;
	int rc;
	if (prepare_bound(d, sql, n, params, &st))
		return sq_error(d, err, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_error(d, err, what);
	if (changed)
		*changed = sqlite3_changes(d->h);
	return 0;
}

static int sq_query_column(struct rt_db *db, const char *sql, struct strvec *out, const char *what,
			   struct rt_error *err)
{
	struct sqlite_db *d = SDB(db);
	sqlite3_stmt *st;
	int rc;
	if (prepare_bound(d, sql, 0, NULL, &st))
		return sq_error(d, err, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);
		if (v)
			strvec_push(out, (const char *)v);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_error(d, err, what);
	return 0;
}

static int sq_query_rows(struct rt_db *db, const char *sql, int ncols, struct strvec *out,
			 const char *what, struct rt_error *err)
{
	struct sqlite_db *d = SDB(db);
	sqlite3_stmt *st;
	int rc;
	if (prepare_bound(d, sql, 0, NULL, &st))
		return sq_error(d, err, what);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < ncols; c++) {
			const unsigned char *v = c < sqlite3_column_count(st) ? sqlite3_column_text(st, c)
									      : NULL;
			strvec_push(out, v ? (const char *)v : "");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_error(d, err, what);
	return 0;
}

/* Tables of the main database (views are not tables); none in a file that
 * is not there (read-only open).  SQLite has no schemas: `schema` is unused.
 * SQLite reads the whole schema into memory before it prepares anything,
 * and looks a table up there by name, as every later statement will (so
 * case-insensitively): a scan of sqlite_master instead cost a twentieth
 * of a cached `current` at 1,000 tables.  The first prepare is the one
 * that reads the schema, so a bad file fails there, with SQLite's message,
 * and a failed lookup after it can only mean "no such table". */
static int sq_tables_exist(struct rt_db *db, const char *schema, const char *const *names, int n,
			   int *exists, struct rt_error *err)
{
	struct sqlite_db *d = SDB(db);
	sqlite3_stmt *st;
	(void)schema;
	for (int i = 0; i < n; i++)
		exists[i] = 0;
	if (d->missing || n == 0)
		return 0;
	if (sqlite3_prepare_v2(d->h, "SELECT 1 FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
		return sq_error(d, err, "reading the schema");
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++)
		exists[i] = sqlite3_table_column_metadata(d->h, "main", names[i], NULL, NULL, NULL,
							  NULL, NULL, NULL) == SQLITE_OK;
	return 0;
}

/* SQLite's own keyword list decides which names the quoter leaves bare. */
static int sq_keyword(const char *word)
{
	return sqlite3_keyword_check(word, (int)strlen(word));
}

static int sq_needs_autocommit(struct rt_db *db, const char *words)
{
	(void)db;
	return !strncmp(words, "VACUUM", 6) && (!words[6] || words[6] == ' ');
}

static const char *sq_library_version(void)
{
	return sqlite3_libversion();
}

/*
 * The live schema, or the schema that DDL builds in a fresh in-memory
 * database (normalized by SQLite itself, the same way as the live one).
 */
extern const struct rt_driver rt_sqlite_driver;

static int sq_schema_read(struct rt_db *db, const struct rt_ddl *src, int n, struct rt_schema *out,
			  struct rt_ddl_fail *fail, struct rt_error *err)
{
	struct sqlite_db *d = SDB(db);
	if (!src) {
		if (d->missing) {
			rt_schema_init(out, RT_DIALECT_SQLITE);
			return 0;
		}
		return rt_sqlite_schema_read(d->h, db->vt->name, out, err);
	}
	struct sqlite_db scratch = { .base.drv = &rt_sqlite_driver, .lock_fd = -1 };
	if (sqlite3_open_v2(":memory:", &scratch.h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		sqlite3_close(scratch.h);
		return rt_error_set(err, RT_EXIT_ERROR, "cannot open a scratch database in memory");
	}
	int rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		struct rt_stmts stmts;
		fail->src = i;
		rt_sql_split(src[i].text, src[i].len, &stmts);
		rc = sq_exec(&scratch.base, src[i].text, src[i].len, &stmts, &fail->info, err);
		rt_stmts_release(&stmts);
	}
	if (!rc) {
		fail->src = -1; /* the DDL loaded; what fails now is reading it back */
		rc = rt_sqlite_schema_read(scratch.h, db->vt->name, out, err);
	}
	sqlite3_close(scratch.h);
	return rc;
}

const struct rt_driver rt_sqlite_driver = {
	.name = "sqlite",
	.dialect = &rt_sql_sqlite,
	.is_keyword = sq_keyword,
	.open = sq_open,
	.close = sq_close,
	.lock = sq_lock,
	.unlock = sq_unlock,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_transaction = sq_in_transaction,
	.exec = sq_exec,
	.exec_params = sq_exec_params,
	.query_column = sq_query_column,
	.query_rows = sq_query_rows,
	.tables_exist = sq_tables_exist,
	.needs_autocommit = sq_needs_autocommit,
	.library_version = sq_library_version,
	.probe = sq_probe,
	.exec_script = NULL, /* every statement is a local call: no round trips to save */
	.schema_read = sq_schema_read,
};

/*
 * A SQLite database is ready once the directory that holds it exists (a
 * volume being mounted); open() creates the file itself.
 */
static int sq_probe(const struct rt_url *url, double timeout, struct rt_error *err)
{
	(void)timeout;
	if (url->memory)
		return RT_PROBE_READY;
	char *dir = xstrdup(url->path), *slash = strrchr(dir, '/');
	struct stat st;
	int rc = RT_PROBE_READY;
	if (slash) {
		*slash = '\0';
		if (stat(*dir ? dir : "/", &st) || !S_ISDIR(st.st_mode)) {
			rt_error_set(err, RT_EXIT_ERROR, "directory '%s' does not exist (yet)", dir);
			rc = RT_PROBE_RETRY;
		}
	}
	free(dir);
	return rc;
}

/* Before SQLite's first use: no memory statistics, which retort never
 * reads and which take a global mutex around every allocation (a twentieth
 * of the instructions of a cached `current` at 1,000 tables).  Too late
 * once SQLite is initialized, and then harmless. */
static void sq_configure(void)
{
	static int done;
	if (!done) {
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
		done = 1;
	}
}

static int sq_open(struct rt_db **out, const struct rt_url *url, const struct rt_db_opts *opts,
		   struct rt_error *err)
{
	sq_configure();
	struct sqlite_db *d = xcalloc(1, sizeof(*d));
	d->base.drv = &rt_sqlite_driver;
	d->lock_fd = -1;
	d->opts = *opts;
	d->path = xstrdup(url->memory ? "" : url->path);
	for (size_t i = 0; i < url->qkeys.nr; i++) {
		rt_error_set(err, RT_EXIT_USAGE,
			     "sqlite url parameter '%s' is not supported; remove it from the url",
			     url->qkeys.v[i]);
		sq_close(&d->base);
		return -1;
	}
	if (opts->readonly && *d->path && access(d->path, F_OK)) {
		d->missing = 1;
		*out = &d->base;
		return 0;
	}
	int flags = opts->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(*d->path ? d->path : ":memory:", &d->h, flags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rt_error_set(err, RT_EXIT_ERROR, "cannot open sqlite database '%s': %s", d->path,
			     d->h ? sqlite3_errmsg(d->h) : "out of memory");
		sq_close(&d->base);
		return -1;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, (int)(opts->lock_timeout * 1000));
	*out = &d->base;
	return 0;
}
