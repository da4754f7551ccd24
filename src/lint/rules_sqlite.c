/*
 * The SQLite rules, read with SQLite's own parser.  One in-memory scratch
 * connection per lint run holds the schema the migrations build: each
 * statement of an upgrade section (split as retort's executor splits
 * them) is prepared there under an authorizer, whose callbacks name what
 * the statement does (SQLITE_DROP_TABLE and its table, SQLITE_ALTER_TABLE
 * and its table, with the column for DROP COLUMN, SQLITE_PRAGMA with name
 * and value, SQLITE_TRANSACTION ...), then run there, so later statements
 * and migrations find the tables it made.  Whether a table existed before
 * the migration, and which tables reference it by foreign key
 * (pragma_foreign_key_list), come from that catalog.  retort's lexer only
 * tells apart what the authorizer does not (ALTER TABLE ... RENAME TO,
 * RENAME COLUMN, DROP COLUMN) and finds the names' positions.
 *
 * A statement SQLite's parser rejects is a `syntax` finding at the
 * position sqlite3_error_offset gives; one that parses but names a table
 * the scratch schema lacks (made outside the SQL migrations) is read by
 * the lexer alone, as on an existing table.  What each rule catches is in
 * docs/lint.md.
 */
#include "lint_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/sqllex.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#ifdef RT_WITH_SQLITE
#include <sqlite3.h>

/* What the authorizer saw a statement do: its first action of interest. */
struct sq_auth {
	int action;           /* SQLITE_DROP_TABLE, SQLITE_ALTER_TABLE, ...; 0: none */
	char *table;          /* its table, as the catalog spells it */
	char *column;         /* ALTER TABLE ... DROP COLUMN's column */
	char *pragma, *value; /* SQLITE_PRAGMA */
	char *txn;            /* SQLITE_TRANSACTION: "BEGIN", "COMMIT" or "ROLLBACK" */
	int savepoint;        /* SQLITE_SAVEPOINT "BEGIN" */
	int no_run;           /* not to run on the scratch connection */
};

static void sq_auth_release(struct sq_auth *a)
{
	free(a->table);
	free(a->column);
	free(a->pragma);
	free(a->value);
	free(a->txn);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/*
 * The authorizer during prepare: records, allows everything.  SQLite's
 * ALTER TABLE prepares nested statements on sqlite_schema too, so only the
 * first classifying action counts.
 */
static int authorize(void *u, int code, const char *a1, const char *a2, const char *a3,
		     const char *a4)
{
	struct sq_auth *a = u;
	(void)a4;
	switch (code) {
	case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_TEMP_TABLE:
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_TEMP_TABLE:
		if (!a->action) {
			a->action = code;
			a->table = dup_or_null(a1);
		}
		break;
	case SQLITE_ALTER_TABLE:
		if (!a->action) {
			a->action = code;
			a->table = dup_or_null(a2);
			a->column = dup_or_null(a3);
		}
		break;
	case SQLITE_PRAGMA:
		if (!a->action) {
			a->action = code;
			a->pragma = dup_or_null(a1);
			a->value = dup_or_null(a2);
		}
		break;
	case SQLITE_TRANSACTION:
		if (!a->action) {
			a->action = code;
			a->txn = dup_or_null(a1);
		}
		a->no_run = 1;
		break;
	case SQLITE_SAVEPOINT:
		a->savepoint = a1 && !strcmp(a1, "BEGIN");
		a->no_run = 1;
		break;
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		a->no_run = 1;  /* ATTACH would create files */
		break;
	default:
		break;
	}
	return SQLITE_OK;
}

/* Stop a statement of the replay that runs too long (a data migration's
 * generated rows): about 10^8 virtual machine steps. */
static int progress(void *u)
{
	long *n = u;
	return ++*n > 100000;
}

int lint_sqlite_open(struct rt_lint *l, struct rt_error *err)
{
	sqlite3 *db = NULL;
	if (l->scratch)
		return 0;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return rt_error_set(err, RT_EXIT_ERROR,
				    "cannot open the scratch SQLite database lint reads migrations in");
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	l->scratch = db;
	return 0;
}

void lint_sqlite_close(struct rt_lint *l)
{
	sqlite3_close(l->scratch);
	l->scratch = NULL;
}

/* Is this prepare error SQLite's parser rejecting the text (not a name it
 * cannot resolve)? */
static int parse_error(const char *msg)
{
	return strstr(msg, "syntax error") || !strcmp(msg, "incomplete input") ||
	       !strncmp(msg, "unrecognized token", 18);
}

/* One token of a statement, by the lexer (SQLite's quoting rules). */
struct sq_tok {
	struct rt_sql_tok t;
	const char *p;        /* its bytes */
};

/* The statement's tokens, at most `max`; returns how many. */
static int tokens(const struct lint_mig *m, struct sq_tok *v, int max)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	int n = 0;
	rt_sql_lexer_init(&lx, m->body + m->stmt_off, m->stmt_end - m->stmt_off, m->lex_flags);
	while (n < max && rt_sql_next(&lx, &t)) {
		t.off += m->stmt_off;
		v[n++] = (struct sq_tok){ .t = t, .p = m->body + t.off };
	}
	return n;
}

static int is_word(const struct sq_tok *v, int n, int i, const char *word)
{
	return i < n && v[i].t.kind == RT_SQL_WORD && strlen(word) == v[i].t.len &&
	       !strncasecmp(v[i].p, word, v[i].t.len);
}

static int is_name(const struct sq_tok *v, int n, int i)
{
	return i < n && (v[i].t.kind == RT_SQL_WORD || v[i].t.kind == RT_SQL_QNAME ||
			 v[i].t.kind == RT_SQL_STRING);
}

/* A name token's text: unquoted, doubled quotes undone. */
static char *name_text(const struct sq_tok *t)
{
	if (t->t.kind == RT_SQL_WORD)
		return xstrndup(t->p, t->t.len);
	struct strbuf sb = STRBUF_INIT;
	char close = t->p[0] == '[' ? ']' : t->p[0];
	for (size_t i = 1; i + 1 < t->t.len; i++) {
		strbuf_addch(&sb, t->p[i]);
		if (t->p[i] == close && close != ']' && i + 2 < t->t.len && t->p[i + 1] == close)
			i++;
	}
	return strbuf_detach(&sb);
}

/* Index of the table name's token after `i` ([schema.]name), or -1. */
static int table_tok(const struct sq_tok *v, int n, int i)
{
	if (!is_name(v, n, i))
		return -1;
	if (i + 2 < n && v[i + 1].t.kind == RT_SQL_PUNCT && v[i + 1].p[0] == '.' &&
	    is_name(v, n, i + 2))
		return i + 2;
	return i;
}

static int has_ci(const struct strvec *v, const char *name)
{
	for (size_t i = 0; name && i < v->nr; i++)
		if (!strcasecmp(v->v[i], name))
			return 1;
	return 0;
}

/* A DROP TABLE of an existing table, judged at the end of the migration:
 * a table created again under its name (the rebuild) is no loss. */
struct sq_drop {
	char *table;
	size_t off, stmt_off;
	int stmt_line;
};

/* A migration's state beyond what the engine keeps. */
struct sq_mig {
	struct lint_mig *m;
	sqlite3 *db;
	int in_txn;           /* a transaction is open: PRAGMA foreign_keys does nothing */
	int fk_off;           /* PRAGMA foreign_keys = OFF ran outside a transaction */
	int fk_noop_line;     /* line of a PRAGMA foreign_keys = OFF that did nothing */
	struct sq_drop *drops;
	int ndrops;
	struct strvec recreated;
};

/* The tables other than `table` whose foreign keys reference it, quoted
 * and comma-separated, or NULL. */
static char *referencing(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	struct strbuf sb = STRBUF_INIT;
	if (sqlite3_prepare_v2(db,
			       "SELECT DISTINCT m.name FROM sqlite_schema AS m, "
			       "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' AND "
			       "f.\"table\" = ?1 COLLATE NOCASE AND m.name <> ?1 COLLATE NOCASE "
			       "ORDER BY m.name", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		strbuf_addf(&sb, "%s\"%s\"", sb.len ? ", " : "", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* PRAGMA foreign_keys = value: is the value one that turns them off? */
static int fk_value_off(const char *v)
{
	return v && (!strcasecmp(v, "off") || !strcasecmp(v, "0") || !strcasecmp(v, "no") ||
		     !strcasecmp(v, "false"));
}

static void drop_table(struct sq_mig *q, const struct sq_tok *v, int n, const struct sq_auth *a)
{
	struct lint_mig *m = q->m;
	int i = 2;
	if (is_word(v, n, i, "if") && is_word(v, n, i + 1, "exists"))
		i += 2;
	int ti = table_tok(v, n, i);
	char *lexed = ti >= 0 ? name_text(&v[ti]) : NULL;
	const char *table = a && a->table ? a->table : lexed;
	size_t off = ti >= 0 ? v[ti].t.off : m->stmt_off;
	if (!table || has_ci(&m->new_tables, table)) {
		free(lexed);
		return;
	}
	char *refs = a ? referencing(q->db, table) : NULL;
	if (refs && !q->fk_off) {
		if (q->fk_noop_line)
			lint_report(m, "rebuild-foreign-keys", off,
				    "dropping \"%s\", which %s reference%s by foreign key: the PRAGMA "
				    "foreign_keys = OFF of line %d did nothing, since it ran inside a "
				    "transaction, so with foreign keys on the DROP first deletes every "
				    "row of \"%s\" and each reference's ON DELETE action runs (CASCADE "
				    "deletes their rows, SET NULL clears them) or the DROP fails",
				    table, refs, strchr(refs, ',') ? "" : "s", q->fk_noop_line, table);
		else
			lint_report(m, "rebuild-foreign-keys", off,
				    "dropping \"%s\", which %s reference%s by foreign key, with foreign "
				    "keys not turned off: where they are on, the DROP first deletes every "
				    "row of \"%s\" and each reference's ON DELETE action runs (CASCADE "
				    "deletes their rows, SET NULL clears them) or the DROP fails",
				    table, refs, strchr(refs, ',') ? "" : "s", table);
	}
	free(refs);
	q->drops = xrealloc(q->drops, (size_t)(q->ndrops + 1) * sizeof(*q->drops));
	q->drops[q->ndrops++] = (struct sq_drop){ .table = xstrdup(table), .off = off,
						  .stmt_off = m->stmt_off, .stmt_line = m->stmt_line };
	free(lexed);
}

static void alter_table(struct sq_mig *q, const struct sq_tok *v, int n, const struct sq_auth *a)
{
	struct lint_mig *m = q->m;
	int ti = table_tok(v, n, 2);
	if (ti < 0)
		return;
	char *lexed = name_text(&v[ti]);
	const char *table = a && a->table ? a->table : lexed;
	int old = !has_ci(&m->new_tables, table), i = ti + 1;
	if (is_word(v, n, i, "rename") && is_word(v, n, i + 1, "to") && is_name(v, n, i + 2)) {
		char *to = name_text(&v[i + 2]);
		if (old)
			lint_report(m, "rename-table", v[ti].t.off,
				    "renaming table \"%s\" to \"%s\" breaks the running application's "
				    "queries that use the old name", table, to);
		strvec_push(&m->new_tables, to);
		strvec_push(&q->recreated, to);
		free(to);
	} else if (is_word(v, n, i, "rename")) {
		i += is_word(v, n, i + 1, "column") ? 2 : 1;
		if (old && is_name(v, n, i) && is_word(v, n, i + 1, "to") && is_name(v, n, i + 2)) {
			char *from = name_text(&v[i]), *to = name_text(&v[i + 2]);
			lint_report(m, "rename-column", v[i].t.off,
				    "renaming column \"%s\" of \"%s\" to \"%s\" breaks the running "
				    "application's queries that use the old name", from, table, to);
			free(from);
			free(to);
		}
	} else if (is_word(v, n, i, "drop")) {
		i += is_word(v, n, i + 1, "column") ? 2 : 1;
		if (old && is_name(v, n, i)) {
			char *col = a && a->column ? xstrdup(a->column) : name_text(&v[i]);
			lint_report(m, "drop-column", v[i].t.off,
				    "dropping column \"%s\" of \"%s\" breaks the running application's "
				    "queries that name it, and its data is gone", col, table);
			free(col);
		}
	}
	free(lexed);
}

/* Classify the statement m->stmt_off..stmt_end by what the authorizer saw
 * (`a`, or NULL when it did not prepare) and its first words. */
static void classify(struct sq_mig *q, const struct sq_auth *a)
{
	struct lint_mig *m = q->m;
	struct sq_tok v[16];
	int n = tokens(m, v, 16);
	if (a && (a->action == SQLITE_CREATE_TABLE || a->action == SQLITE_CREATE_TEMP_TABLE) &&
	    a->table) {
		strvec_push(&m->new_tables, a->table);
		strvec_push(&q->recreated, a->table);
	} else if (is_word(v, n, 0, "drop") && is_word(v, n, 1, "table") &&
		   (!a || a->action == SQLITE_DROP_TABLE || a->action == SQLITE_DROP_TEMP_TABLE)) {
		drop_table(q, v, n, a);
	} else if (is_word(v, n, 0, "alter") && is_word(v, n, 1, "table") &&
		   (!a || a->action == SQLITE_ALTER_TABLE)) {
		alter_table(q, v, n, a);
	} else if (a && a->action == SQLITE_PRAGMA && a->pragma &&
		   !strcasecmp(a->pragma, "foreign_keys") && a->value) {
		int off = fk_value_off(a->value);
		if (off && (q->in_txn || m->sec->transactional)) {
			int col;
			rt_lint_locate(m->s, m->sec, m->stmt_off, &q->fk_noop_line, &col);
		} else if (!q->in_txn && !m->sec->transactional) {
			q->fk_off = off;
		}
	} else if (a && a->action == SQLITE_TRANSACTION && a->txn) {
		q->in_txn = !strcmp(a->txn, "BEGIN");
	} else if (a && a->savepoint) {
		q->in_txn = 1;
	}
}

/* The deferred drop-table findings: tables not created again under their name. */
static void report_drops(struct sq_mig *q)
{
	struct lint_mig *m = q->m;
	for (int i = 0; i < q->ndrops; i++) {
		struct sq_drop *d = &q->drops[i];
		if (!has_ci(&q->recreated, d->table)) {
			m->stmt_off = d->stmt_off;
			m->stmt_line = d->stmt_line;
			lint_report(m, "drop-table", d->off,
				    "dropping table \"%s\" breaks the running application's queries "
				    "that use it, and its data is gone", d->table);
		}
		free(d->table);
	}
	free(q->drops);
}

/* Run a prepared statement to its end on the scratch connection; what it
 * returns, and whether it fails, does not matter here. */
static void run(sqlite3 *db, sqlite3_stmt *st)
{
	long steps = 0;
	sqlite3_progress_handler(db, 1000, progress, &steps);
	while (sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_progress_handler(db, 0, NULL, NULL);
}

/*
 * Every statement of `body` (the upgrade section), split as retort's
 * executor splits them and prepared from its own bytes: classified when
 * `q` is given (linting; `m` is q->m), then run.  Returns early, after a
 * syntax finding, when SQLite's parser rejects one.
 */
static void statements(sqlite3 *db, const char *body, size_t len, struct sq_mig *q)
{
	struct rt_stmts stmts;
	rt_sql_split(body, len, &stmts);
	for (int i = 0; i < stmts.nr; i++) {
		const char *p = body + stmts.v[i].off, *end = p + stmts.v[i].len;
		while (p < end) {
			struct sq_auth a = { 0 };
			sqlite3_stmt *st = NULL;
			const char *tail = NULL;
			if (q)
				sqlite3_set_authorizer(db, authorize, &a);
			int rc = sqlite3_prepare_v2(db, p, (int)(end - p), &st, &tail);
			sqlite3_set_authorizer(db, NULL, NULL);
			size_t at = (size_t)(p - body), next = tail ? (size_t)(tail - body) : (size_t)(end - body);
			if (rc != SQLITE_OK) {
				const char *msg = sqlite3_errmsg(db);
				if (q) {
					lint_begin_stmt(q->m, at, (size_t)(end - body));
					if (parse_error(msg)) {
						int eo = sqlite3_error_offset(db);
						size_t off = eo >= 0 ? at + (size_t)eo : q->m->stmt_off;
						q->m->stmt_line = 0; /* a syntax error cannot be ignored */
						lint_report(q->m, "syntax", off, "SQLite's parser says: %s", msg);
						sq_auth_release(&a);
						rt_stmts_release(&stmts);
						return;
					}
					classify(q, NULL);
				}
				sq_auth_release(&a);
				break;  /* the rest of this piece: where SQLite stopped is unknown */
			}
			if (!st) {
				sq_auth_release(&a);
				p = tail;
				continue;
			}
			if (q) {
				lint_begin_stmt(q->m, at, next);
				classify(q, &a);
			}
			char words[16];
			rt_sql_words(p, (size_t)(end - p), 1, words, sizeof(words));
			if (!a.no_run && strcmp(words, "VACUUM"))
				run(db, st);
			sqlite3_finalize(st);
			sq_auth_release(&a);
			p = tail;
		}
	}
	rt_stmts_release(&stmts);
}

void lint_sqlite_section(struct lint_mig *m)
{
	struct sq_mig q = { .m = m, .db = m->l->scratch, .in_txn = 0 };
	strvec_init(&q.recreated);
	statements(q.db, m->body, m->body_len, &q);
	report_drops(&q);
	strvec_clear(&q.recreated);
}

int rt_lint_replay_sqlite(struct rt_lint *l, const struct rt_script *s, struct rt_error *err)
{
	if (lint_sqlite_open(l, err))
		return -1;
	if (s->has_sql && s->up.present)
		statements(l->scratch, s->text + s->up.off, s->up.len, NULL);
	return 0;
}

#else /* !RT_WITH_SQLITE */

int lint_sqlite_open(struct rt_lint *l, struct rt_error *err)
{
	(void)l;
	return rt_error_set(err, RT_EXIT_ERROR,
			    "this retort is built without SQLite, whose parser lints SQLite migrations");
}

void lint_sqlite_close(struct rt_lint *l)
{
	(void)l;
}

void lint_sqlite_section(struct lint_mig *m)
{
	(void)m;
}

int rt_lint_replay_sqlite(struct rt_lint *l, const struct rt_script *s, struct rt_error *err)
{
	(void)s;
	return lint_sqlite_open(l, err);
}

#endif
