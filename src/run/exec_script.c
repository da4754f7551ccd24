/*
 * Composed scripts (see exec_int.h): one migration's transaction, or the
 * version change after a section that ran outside one, composed from the
 * version table's shared pieces into one script for one round trip; and
 * batches, several migrations' transactions in one script.  The
 * executor (exec.c) decides which path a step takes.
 */
#include "exec_int.h"
#include "../db/history.h"
#include "../db/version_table.h"
#include "../lib/sqllex.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* End script q with COMMIT and send it (q is released): 0 when it ran;
 * else the transaction is rolled back and 1 says `f` explains the failure,
 * or -1 that the connection is gone (err says so). */
int rt_exec_send_script(struct rt_db *db, struct strbuf *q, struct rt_script_fail *f,
		       const char *what, struct rt_error *err)
{
	strbuf_addstr(q, "COMMIT;");
	int rc = db->drv->exec_script(db, q->buf, q->len, f, err);
	strbuf_release(q);
	if (!rc)
		return 0;
	db->drv->rollback(db);
	return rt_exec_connection_lost(db, what, err) ? -1 : 1;
}

/* A script's CREATE TABLE IF NOT EXISTS of the version table and of the
 * history table, as asked, onto q: how many statements that added. */
static int missing_tables(struct rt_db *db, int version_table, int history, struct strbuf *q)
{
	if (version_table) {
		rt_vt_create_sql(db->vt, RT_VT_CREATE_IF_MISSING, q);
		strbuf_addstr(q, ";\n");
	}
	if (history) {
		rt_history_create_sql(db->vt, 1, q);
		strbuf_addstr(q, ";\n");
	}
	return !!version_table + !!history;
}

/* Step s's row changes onto q, each guarded (rt_vt_guarded_sql); with
 * `fold` (a history row follows), the last one's guard is left to that
 * row where the dialect can: 1 says it was. */
static int guarded_changes(struct rt_db *db, const struct rt_step *s, int fold, struct strbuf *q)
{
	for (int i = 0; i < s->nvops; i++) {
		if (fold && i == s->nvops - 1)
			return rt_vt_guarded_sql_fold(db->vt, &s->vops[i], q);
		rt_vt_guarded_sql(db->vt, &s->vops[i], q);
	}
	return 0;
}

/* Did the script's statement `k` (counted from the first row change)
 * fail as a guard does?  The row changes take `changes` statements; with
 * `folded`, the last of them is the history row carrying the last guard,
 * whose SQLSTATE (23000) the change before it may also fail with, for
 * a duplicate key, so that one is taken at its own place only. */
static int guard_failed(const struct rt_db *db, const struct rt_script_fail *f, int k, int changes,
			int folded)
{
	const struct rt_sql_dialect *d = db->vt->dialect;
	if (!f->has_result || k < 0 || k >= changes)
		return 0;
	if (folded && k == changes - 1)
		return !strcmp(f->sqlstate, d->guard_value_sqlstate);
	return d->guard_sqlstate && !strcmp(f->sqlstate, d->guard_sqlstate);
}

/* How many statements step s's guarded row changes take. */
static int changes_stmts(const struct rt_db *db, const struct rt_step *s)
{
	int n = 0;
	for (int i = 0; i < s->nvops; i++)
		n += rt_vt_guarded_stmts(db->vt, &s->vops[i]);
	return n;
}

/* The version change of step s that the script's statement `k` (counted
 * from the first row change) belongs to, or NULL past the last. */
static const char *vop_at(const struct rt_db *db, const struct rt_step *s, int k)
{
	for (int i = 0; i < s->nvops; i++) {
		k -= rt_vt_guarded_stmts(db->vt, &s->vops[i]);
		if (k < 0)
			return rt_vt_vop_rev(&s->vops[i]);
	}
	return NULL;
}

/*
 * How much of a section's one statement can lead its version change's
 * script (below): its text up to its last token, when that holds no ';'
 * but a last one and no DELIMITER (a body of several statements stays
 * the mysql client's to split); 0 when it cannot.
 */
size_t rt_exec_lead_len(const char *sql, size_t n, unsigned flags)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	size_t end = 0;
	int semi = 0;
	rt_sql_lexer_init(&lx, sql, n, flags | RT_LEX_COMMENTS);
	while (rt_sql_next(&lx, &t) != RT_SQL_END) {
		if (t.unterminated || semi || rt_sql_tok_is(sql, &t, "DELIMITER"))
			return 0;
		if (t.kind == RT_SQL_COMMENT)
			continue;
		if (t.kind == RT_SQL_PUNCT && sql[t.off] == ';')
			semi = 1;
		else
			end = t.off + t.len;
	}
	return end;
}

/* Where one version change lies in a composed script (compose_version). */
struct version_layout {
	size_t start;    /* its first statement: bytes into the script */
	size_t lead;     /* how much of the section's one statement leads it (0: none) */
	size_t lead_off; /* its lead's first byte */
	int lead_at;     /* the lead's place among its statements (if any) */
	int prefix;      /* its statements before the row changes */
	int folded;      /* its history row carries its last row change's guard */
};

/*
 * The version change after a section that ran outside a transaction, onto
 * script q up to its COMMIT (the caller's): the clock of its history row,
 * the section's one statement with `lead` (MySQL: DDL commits by itself,
 * so nothing is lost by sending it with the transaction after it), BEGIN,
 * the version table and the history table when missing, the guarded row
 * changes, the history row.
 */
static void compose_version(struct rt_db *db, const struct rt_step *s, const struct rt_script *sc,
			    const struct rt_section *sec, const struct rt_stmts *stmts, size_t lead,
			    int create_table, const struct rt_history_row *hist, int create_history,
			    struct strbuf *q, struct version_layout *lay)
{
	const struct rt_sql_dialect *dia = db->vt->dialect;
	lay->start = q->len;
	lay->prefix = 1;
	lay->lead = lead;
	lay->lead_at = 0;
	if (lead && dia->script_clock) {
		strbuf_addf(q, "%s;\n", dia->script_clock);
		lay->prefix++;
		lay->lead_at++;
	}
	lay->lead_off = q->len;
	if (lead) {
		strbuf_add(q, sc->text + sec->off + stmts->v[0].off, lead);
		strbuf_addstr(q, ";\n");
		lay->prefix++;
	}
	strbuf_addstr(q, dia->ddl_commits ? "START TRANSACTION;\n" : "BEGIN;\n");
	lay->prefix += missing_tables(db, create_table, hist && create_history, q);
	lay->folded = guarded_changes(db, s, hist != NULL, q);
	if (hist) {
		rt_history_insert_sql(db->vt, hist, lay->folded, q);
		strbuf_addstr(q, ";\n");
	}
}

/*
 * Name what failed in a version change composed by compose_version: `f`
 * counts the statements from its first and points into the whole script.
 * A lead's failure is located in the file; the count says which other
 * part failed.
 */
static void locate_version(struct rt_db *db, const struct rt_step *s, const struct rt_section *sec,
			   const struct rt_script *sc, const struct rt_stmts *stmts,
			   const struct version_layout *lay, const struct rt_script_fail *f,
			   const char *what, struct rt_error *err)
{
	size_t lead = lay->lead;
	if (lead && f->has_result && f->statements_done == lay->lead_at) {
		struct rt_exec_info info = { .has_stmt = 1, .stmt_off = stmts->v[0].off };
		if (f->has_token && f->token_off >= lay->lead_off && f->token_off - lay->lead_off < lead) {
			info.has_token = 1;
			info.token_off = stmts->v[0].off + (f->token_off - lay->lead_off);
		}
		rt_exec_locate(sc, sec, &info, what, err);
		return;
	}
	int k = f->statements_done - lay->prefix;
	if (guard_failed(db, f, k, changes_stmts(db, s), lay->folded))
		rt_vt_miss(db->vt, vop_at(db, s, k), -1, err);
	else if (f->has_result)
		rt_error_prefix(err, "%s", k < 0 ? "starting the version change" : "recording the version");
	rt_error_prefix(err, "%s", what);
}

/*
 * The version change after a section that ran outside a transaction, as
 * one script in one round trip (compose_version), with the progress
 * forgotten before its COMMIT.
 */
int rt_exec_version_script(struct rt_db *db, const struct rt_step *s, const struct rt_script *sc,
			  const struct rt_section *sec, const struct rt_stmts *stmts, size_t lead,
			  int create_table, const struct rt_history_row *hist, int create_history,
			  const char *prog_rev, const char *prog_dir, const char *what,
			  struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	struct rt_script_fail f;
	struct version_layout lay;
	compose_version(db, s, sc, sec, stmts, lead, create_table, hist, create_history, &q, &lay);
	int rc = prog_rev ? rt_progress_clear_sql(db, prog_rev, prog_dir, &q, err) : 0;
	if (rc < 0) {
		strbuf_release(&q);
		rt_error_prefix(err, "%s", what);
		return -1;
	}
	if (rc)
		strbuf_addstr(&q, ";\n");
	if ((rc = rt_exec_send_script(db, &q, &f, what, err)) <= 0)
		return rc;
	locate_version(db, s, sec, sc, stmts, &lay, &f, what, err);
	return -1;
}

/* Where one migration's transaction lies in a composed script. */
struct txn_layout {
	size_t start;   /* its BEGIN: bytes into the script */
	size_t body;    /* its section's first byte */
	int prefix;     /* its statements before the section: BEGIN, the clock, tables */
	int folded;     /* its history row carries its last row change's guard */
};

/*
 * One transactional migration onto script q, up to its COMMIT (the
 * caller's): BEGIN (with `begin`: its own transaction, or the run's one
 * beginning), the clock of its history row, the version table and the history table if
 * they are missing, the section, its row changes guarded to fail unless
 * each changed one row, its history row (`returning` its duration).
 */
static void compose_txn(struct rt_db *db, const struct rt_script *sc, const struct rt_section *sec,
			const struct rt_step *s, int create_table, const struct rt_history_row *hist,
			int create_history, int begin, int returning, struct strbuf *q,
			struct txn_layout *lay)
{
	const struct rt_sql_dialect *dia = db->vt->dialect;
	lay->start = q->len;
	lay->prefix = 0;
	if (begin) {
		strbuf_addstr(q, "BEGIN;\n");
		lay->prefix++;
	}
	if (hist && dia->script_clock) {
		strbuf_addf(q, "%s;\n", dia->script_clock);
		lay->prefix++;
	}
	lay->prefix += missing_tables(db, create_table, hist && create_history, q);
	lay->body = q->len;
	strbuf_add(q, sc->text + sec->off, sec->len);
	strbuf_addstr(q, "\n;\n"); /* ends a last statement that has no semicolon or a -- comment */
	lay->folded = guarded_changes(db, s, hist != NULL, q);
	if (hist) {
		rt_history_insert_sql(db->vt, hist, lay->folded, q);
		/* the duration the server counted, for the report (a batch) */
		strbuf_addstr(q, returning ? " RETURNING duration_ms;\n" : ";\n");
	}
}

/*
 * Name what failed in a migration composed by compose_txn: `f` counts the
 * statements from its BEGIN and points into the whole script.  The count
 * says whose statement it was (ours before the section, which statement
 * of the section, or a row change's), except that a syntax error fails
 * the whole script before anything runs: then its position says.
 */
static void locate_txn(struct rt_db *db, const struct rt_script *sc, const struct rt_section *sec,
		       const struct rt_stmts *stmts, const struct rt_step *s,
		       const struct txn_layout *lay, const struct rt_script_fail *f,
		       const char *what, struct rt_error *err)
{
	struct rt_exec_info info = { 0 };
	int idx = f->statements_done - lay->prefix; /* the section's statement that failed, if any */
	if (f->has_token && f->token_off > lay->body && f->token_off - lay->body < sec->len) {
		info.has_token = 1;
		info.token_off = f->token_off - lay->body;
		for (idx = 0; idx + 1 < stmts->nr && stmts->v[idx + 1].off <= info.token_off; idx++)
			;
	}
	if (idx >= 0 && idx < stmts->nr) {
		info.statements_done = idx;
		info.has_stmt = 1;
		info.stmt_off = stmts->v[idx].off;
		rt_exec_locate(sc, sec, &info, what, err);
	} else if (idx >= stmts->nr &&
		   guard_failed(db, f, idx - stmts->nr, changes_stmts(db, s), lay->folded)) {
		rt_vt_miss(db->vt, vop_at(db, s, idx - stmts->nr), -1, err);
		rt_error_prefix(err, "%s", what);
	} else {
		rt_error_prefix(err, "%s", idx < 0 ? "starting the migration" : "recording the version");
		rt_error_prefix(err, "%s", what);
	}
}

/*
 * One transactional migration as one script in one round trip
 * (compose_txn): a transaction of its own, or with `in_txn` a part of the
 * run's one transaction (--single-transaction), without BEGIN or COMMIT;
 * a failure then leaves that transaction aborted for the caller, which
 * rolls the whole run back.
 */
int rt_exec_run_script(struct rt_db *db, const struct rt_script *sc, const struct rt_section *sec,
		       const struct rt_stmts *stmts, const struct rt_step *s, int in_txn,
		       int create_table, const struct rt_history_row *hist, int create_history,
		       const char *what, struct rt_error *err)
{
	struct strbuf q = STRBUF_INIT;
	struct txn_layout lay;
	struct rt_script_fail f;
	int rc;

	compose_txn(db, sc, sec, s, create_table, hist, create_history, !in_txn, 0, &q, &lay);
	if (!in_txn) {
		if ((rc = rt_exec_send_script(db, &q, &f, what, err)) <= 0)
			return rc;
	} else {
		rc = db->drv->exec_script(db, q.buf, q.len, &f, err);
		strbuf_release(&q);
		if (!rc)
			return 0;
		if (rt_exec_connection_lost(db, what, err))
			return -1;
	}
	if (!f.has_result)
		rt_error_prefix(err, "%s", what);
	else
		locate_txn(db, sc, sec, stmts, s, &lay, &f, what, err);
	return -1;
}

/*
 * Batches.  Over a network each round trip costs, so where the driver can
 * (rt_db.batches), consecutive transactional migrations go as one script
 * of their transactions, one after another: the server stops at the first
 * failing one, whose transaction rolls back, and those before it stay
 * committed, which is what one round trip each would have done.  Each is
 * reported as its COMMIT arrives.  A batch is bounded, so that a run being
 * stopped (a fleet's signal) is seen between batches, and the reports,
 * which the server sends when a script ends, come at least every second
 * or so: the first takes RT_BATCH_FIRST_STEPS migrations, and each after
 * a full one that ran quickly takes twice as many (rt_exec_batch_pace).
 * A batch that would leave fewer migrations behind than it may take
 * takes those too: a short last batch would cost a round trip for little
 * work, and no batch gets more than twice its bound.
 */
#define BATCH_MAX_STEPS 1024
/* a script stays under 1 MB, well below the smallest packet servers
 * take by default (MySQL 5.7: 4 MB), counting what each migration's
 * transaction adds to its section (its BEGIN, clock, version row,
 * history row and COMMIT: 0.8 KB on PostgreSQL) */
#define BATCH_MAX_BYTES ((size_t)1 << 20)
#define BATCH_STEP_BYTES 1024
#define BATCH_FAST_MS 250.0 /* a full batch quicker than this: the next doubles */
#define BATCH_SLOW_MS 1000.0 /* a batch slower than this: the next halves */

int rt_exec_batch_pace(int max_steps, int n, double ms)
{
	if (n >= max_steps && ms < BATCH_FAST_MS && max_steps < BATCH_MAX_STEPS)
		return max_steps * 2;
	if (ms > BATCH_SLOW_MS && max_steps > RT_BATCH_FIRST_STEPS)
		return max_steps / 2;
	return max_steps;
}

/* How many steps from i can go in one batch: 0 or 1 for none.  `alone`
 * is a step that must run by itself (see rt_exec_run_batch).  Where DDL
 * commits by itself (MySQL), the steps of one statement that goes with
 * its version change (rt_exec_step_lead); elsewhere, transactional ones. */
/* Does a statement begin with COMMIT?  The driver tells a batch's
 * migrations apart by their COMMITs, so a migration whose one statement
 * is a COMMIT of its own goes by itself. */
static int begins_with_commit(const char *sql, size_t n, unsigned flags)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	rt_sql_lexer_init(&lx, sql, n, flags | RT_LEX_COMMENTS);
	while (rt_sql_next(&lx, &t) != RT_SQL_END)
		if (t.kind != RT_SQL_COMMENT)
			return rt_sql_tok_is(sql, &t, "COMMIT");
	return 0;
}

/* May step s go in a batch where DDL commits by itself (rt_exec_step_lead)? */
static int lead_batchable(const struct rt_db *db, const struct rt_graph *g, const struct rt_step *s,
			  const struct rt_stmts *stmts)
{
	size_t lead = rt_exec_step_lead(db, g, s, stmts);
	const struct rt_script *sc = g->revs[s->rev].script;
	return lead && !begins_with_commit(sc->text + rt_exec_step_section(g, s)->off + stmts->v[0].off,
					   lead, db->vt->dialect->lex_flags);
}

int rt_exec_batch_extent(const struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
			 const struct rt_stmts *lists, int i, int single_txn, int alone, int max_steps)
{
	size_t bytes = 0;
	int n = 0, leads = db->vt->dialect->ddl_commits;
	if (!db->batches || !db->drv->exec_batch || db->lease || !rt_vt_can_guard(db->vt) ||
	    (single_txn && (leads || !db->vt->dialect->step_end)))
		return 0;
	int limit = p->n - i < 2 * max_steps ? p->n - i : max_steps;
	for (; i + n < p->n && n < limit && i + n != alone; n++) {
		const struct rt_step *s = &p->steps[i + n];
		if (s->kind == RT_STEP_STAMP ||
		    !(leads ? lead_batchable(db, g, s, &lists[i + n])
			    : rt_exec_step_section(g, s)->transactional))
			break;
		bytes += rt_exec_step_section(g, s)->len + BATCH_STEP_BYTES;
		if (n && bytes > BATCH_MAX_BYTES)
			break;
	}
	return n;
}

/* What reports each migration of a batch as its COMMIT arrives. */
struct batch_watch {
	const struct rt_exec_hooks *hooks;
	const struct rt_plan *p;
	int first, n;   /* the batch: its first step, and how many */
	double t0;      /* when the step now running began (rt_now ms) */
};

/* The server sends a script's results when it is done with it, so the
 * client's clock says little of one migration: its history row returns
 * the duration the server counted, which is the one reported. */
static void batch_commit(void *ctx, int k, const char *value)
{
	struct batch_watch *w = ctx;
	double now = rt_exec_now_ms();
	double ms = w->hooks && w->hooks->history_version && value ? atof(value) : now - w->t0;
	if (w->hooks && w->hooks->step_done)
		w->hooks->step_done(w->hooks->ctx, w->p, w->first + k, ms);
	if (w->hooks && w->hooks->step_start && k + 1 < w->n)
		w->hooks->step_start(w->hooks->ctx, w->p, w->first + k + 1);
	w->t0 = now;
}

/* The migration of a batch that script offset `off` lies in. */
static int txn_at(const struct txn_layout *lay, int n, size_t off)
{
	int j = 0;
	while (j + 1 < n && lay[j + 1].start <= off)
		j++;
	return j;
}

/*
 * Steps first..first+n-1 (batch_extent) as one batch.  0: all ran.  -1:
 * one failed, named as run_step would name it, the ones before it
 * committed.  1: a syntax error in step *alone failed the whole script
 * before anything ran: the caller runs the steps before it again as a
 * batch, then that one by itself, which reports its error as ever.
 * Inside the run's one transaction (txn) the steps are each ended by the
 * dialect's step_end instead of BEGIN ... COMMIT (the script of the batch
 * that comes first, RT_BATCH_BEGINS_RUN_TXN, begins that transaction), and a failure leaves it aborted for the
 * caller to roll back: a syntax error is then named at once, as nothing
 * can run again.
 */
int rt_exec_run_batch(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		     const struct rt_stmts *lists, int first, int n, enum rt_batch_txn txn,
		     int *table_exists, const struct rt_exec_hooks *hooks, int *alone,
		     struct rt_error *err)
{
	int in_txn = txn != RT_BATCH_OWN_TXNS;
	const char *hv = hooks ? hooks->history_version : NULL;
	int leads = db->vt->dialect->ddl_commits; /* version changes led by their DDL */
	struct txn_layout *lay = xcalloc((size_t)n, sizeof(*lay));
	struct version_layout *vlay = xcalloc((size_t)n, sizeof(*vlay));
	struct strbuf q = STRBUF_INIT, what = STRBUF_INIT;
	struct rt_script_fail f;
	int have_history = 1, rc = -1;

	/* where DDL commits by itself, the tables are made beforehand, as
	 * run_step makes them: CREATE TABLE would end the transaction */
	if ((leads && !*table_exists && rt_version_table_create(db, err)) ||
	    (leads && hv && rt_history_prepare(db, err)) ||
	    (hv && rt_history_exists(db, &have_history, err))) {
		rt_exec_step_desc(&p->steps[first], &what);
		if (!rt_exec_connection_lost(db, what.buf, err))
			rt_error_prefix(err, "%s", what.buf);
		goto out;
	}
	if (leads)
		*table_exists = 1;
	for (int k = 0; k < n; k++) {
		const struct rt_step *s = &p->steps[first + k];
		const struct rt_script *sc = g->revs[s->rev].script;
		const struct rt_section *sec = rt_exec_step_section(g, s);
		struct rt_history_row row;
		char sum[65];
		if (hv) {
			rt_exec_step_row(g, s, hv, sum, &row);
			row.duration_ms = RT_HISTORY_SINCE_BEGIN;
		}
		if (leads)
			compose_version(db, s, sc, sec, &lists[first + k],
					rt_exec_step_lead(db, g, s, &lists[first + k]), 0,
					hv ? &row : NULL, !k && !have_history, &q, &vlay[k]);
		else
			compose_txn(db, sc, sec, s, !k && !*table_exists, hv ? &row : NULL,
				    !k && !have_history, !in_txn || (!k && txn == RT_BATCH_BEGINS_RUN_TXN),
				    1, &q, &lay[k]);
		if (in_txn)
			strbuf_addf(&q, "%s;\n", db->vt->dialect->step_end);
		else
			strbuf_addstr(&q, "COMMIT;\n");
	}
	struct batch_watch w = { hooks, p, first, n, rt_exec_now_ms() };
	rc = db->drv->exec_batch(db, q.buf, q.len, batch_commit, &w, &f, err);
	if (f.commits) {
		*table_exists = 1;
		if (hv)
			db->vt->history_exists = 1;
	}
	if (!rc)
		goto out;
	if (!in_txn)
		db->drv->rollback(db);
	rt_history_forget(db);
	int k = f.commits < n ? f.commits : n - 1;
	/* a syntax error: nothing ran, and its position says whose */
	int syntax = !leads && rt_db_connected(db) && f.has_result && !f.commits &&
		     !f.statements_done && f.has_token;
	if (syntax && (k = txn_at(lay, n, f.token_off)) && !in_txn) {
		*alone = first + k;
		rc = 1;
		goto out;
	}
	rt_exec_step_desc(&p->steps[first + k], &what);
	if (!rt_db_connected(db)) {
		/* the server sends the results when the script ends: any of the
		 * rest may have committed, which the caller reads again */
		if (k + 2 == n)
			strbuf_addstr(&what, " or the migration sent after it in the same script");
		else if (k + 2 < n)
			strbuf_addf(&what, " or one of the %d migrations sent after it in the same "
				    "script", n - k - 1);
		rt_exec_connection_lost(db, what.buf, err);
		goto out;
	}
	if (!f.has_result) {
		rt_error_prefix(err, "%s", what.buf);
		goto out;
	}
	const struct rt_step *s = &p->steps[first + k];
	const struct rt_script *sc = g->revs[s->rev].script;
	if (leads) {
		/* MySQL parses each statement as it comes to it: the ones
		 * before a syntax error ran, and f.commits says whose it is */
		locate_version(db, s, rt_exec_step_section(g, s), sc, &lists[first + k], &vlay[k], &f,
			       what.buf, err);
		goto out;
	}
	locate_txn(db, sc, rt_exec_step_section(g, s), &lists[first + k], s, &lay[k], &f, what.buf, err);
	rc = -1;
out:
	strbuf_release(&q);
	strbuf_release(&what);
	free(lay);
	free(vlay);
	return rc;
}
