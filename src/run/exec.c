/*
 * The executor (see exec.h): runs a plan through a driver's primitives.
 * Each section is split into statements once, before anything runs; the
 * check and the drivers work from that list.  Each step takes one path:
 * a batch of transactional migrations, one composed script
 * (exec_script.c: BEGIN, the version table when missing, the section, its
 * guarded row changes, COMMIT), or, where the driver has no scripts,
 * statement by statement; where a section ran outside a transaction
 * (transaction:false, MySQL's DDL), its version change still goes as one
 * script.
 */
#include "exec.h"
#include "exec_int.h"
#include "../db/history.h"
#include "../db/version_table.h"
#include "../lib/bitset.h"
#include "../lib/checksum.h"
#include "../lib/clock.h"
#include "../lib/sqllex.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double rt_exec_now_ms(void)
{
	return rt_now() * 1e3;
}

const struct rt_section *rt_exec_step_section(const struct rt_graph *g, const struct rt_step *s)
{
	const struct rt_script *sc = g->revs[s->rev].script;
	return s->kind == RT_STEP_UPGRADE ? &sc->up : &sc->downgrade;
}

/* The SQL text of a step's section. */
static const char *section_text(const struct rt_graph *g, const struct rt_step *s)
{
	return g->revs[s->rev].script->text + rt_exec_step_section(g, s)->off;
}

/* How the database's SQL is lexed (MySQL's rules, or the common ones). */
static unsigned lex_flags(const struct rt_db *db)
{
	return db && db->vt ? db->vt->dialect->lex_flags : 0;
}

/* Split every step's section into statements (stamps: none), once for the run. */
static struct rt_stmts *split_plan(unsigned flags, const struct rt_graph *g, const struct rt_plan *p)
{
	struct rt_stmts *lists = xcalloc(p->n ? (size_t)p->n : 1, sizeof(*lists));
	for (int i = 0; i < p->n; i++)
		if (p->steps[i].kind != RT_STEP_STAMP)
			rt_sql_split_ex(section_text(g, &p->steps[i]), rt_exec_step_section(g, &p->steps[i])->len,
					flags, &lists[i]);
	return lists;
}

/*
 * On a database whose DDL commits implicitly (MySQL): the first statement
 * of a transactional section that would commit it, or -1 (DML only, or
 * any other database).  Such a section runs statement by statement.
 */
static int first_implicit_commit(const struct rt_db *db, const char *sql, const struct rt_stmts *st)
{
	if (!db || !db->vt->dialect->ddl_commits || !db->drv->implicit_commit)
		return -1;
	for (int k = 0; k < st->nr; k++) {
		char words[64];
		rt_sql_words_ex(sql + st->v[k].off, st->v[k].len, 4, lex_flags(db), words, sizeof(words));
		if (db->drv->implicit_commit(words))
			return k;
	}
	return -1;
}

static void release_lists(struct rt_stmts *lists, int n)
{
	for (int i = 0; i < n; i++)
		rt_stmts_release(&lists[i]);
	free(lists);
}

/*
 * The checks of rt_exec_check on a plan whose sections are split already:
 * step by step, the first problem found refuses the whole plan.
 */
static int check_plan(struct rt_db *db, const struct rt_sql_dialect *dia, const struct rt_graph *g,
		      const struct rt_plan *p, const struct rt_stmts *lists, struct rt_error *err)
{
	unsigned flags = db ? lex_flags(db) : dia ? dia->lex_flags : 0;
	/* where DDL commits implicitly no statement has to leave a transaction */
	int no_autocommit = db ? 0 : dia && dia->ddl_commits;
	for (int i = 0; i < p->n; i++) {
		const struct rt_step *s = &p->steps[i];
		if (s->kind == RT_STEP_STAMP)
			continue;
		const struct rt_script *sc = g->revs[s->rev].script;
		if (s->kind == RT_STEP_DOWNGRADE && !sc->downgrade.present)
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%s: revision %s has no '-- migrate:downgrade' section, so it "
					    "cannot be downgraded; nothing was run", sc->path, sc->id);
		const struct rt_section *sec = rt_exec_step_section(g, s);
		const struct rt_stmts *st = &lists[i];
		int line, col;
		if (st->unterminated) {
			rt_script_position(sc, sec->off + st->open_off, &line, &col);
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%s:%d:%d: this quoted string or comment is never closed; "
					    "nothing was run", sc->path, line, col);
		}
		for (int k = 0; sec->transactional && k < st->nr; k++) {
			char words[64];
			rt_sql_words_ex(sc->text + sec->off + st->v[k].off, st->v[k].len, 4, flags, words,
					sizeof(words));
			if (rt_sql_is_txn_control(words)) {
				rt_script_position(sc, sec->off + st->v[k].off, &line, &col);
				return rt_error_set(err, RT_EXIT_ERROR,
						    "%s:%d:%d: transaction control statement (%s) inside a "
						    "transactional section; retort wraps each migration in a "
						    "transaction itself: remove it, or mark the section "
						    "'transaction:false'; nothing was run", sc->path, line, col, words);
			}
			int autocommit = db && db->drv->needs_autocommit
						 ? db->drv->needs_autocommit(db, words)
						 : !no_autocommit && rt_sql_needs_autocommit(words);
			if (autocommit) {
				const char *stmt = sc->text + sec->off + st->v[k].off;
				int shown = (int)strcspn(stmt, "\n;");
				rt_script_position(sc, sec->off + st->v[k].off, &line, &col);
				return rt_error_set(err, RT_EXIT_ERROR,
						    "%s:%d:%d: '%.*s%s' cannot run inside a transaction; mark the "
						    "section '-- migrate:%s transaction:false' (line %d); nothing "
						    "was run", sc->path, line, col, shown > 60 ? 60 : shown, stmt,
						    shown > 60 ? "..." : "",
						    s->kind == RT_STEP_UPGRADE ? "upgrade" : "downgrade",
						    sec->marker_line);
			}
		}
	}
	return 0;
}

int rt_exec_check(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		  struct rt_error *err)
{
	struct rt_stmts *lists = split_plan(lex_flags(db), g, p);
	int rc = check_plan(db, NULL, g, p, lists, err);
	release_lists(lists, p->n);
	return rc;
}

int rt_exec_check_offline(const struct rt_sql_dialect *dia, const struct rt_graph *g,
			  const struct rt_plan *p, struct rt_error *err)
{
	struct rt_stmts *lists = split_plan(dia ? dia->lex_flags : 0, g, p);
	int rc = check_plan(NULL, dia, g, p, lists, err);
	release_lists(lists, p->n);
	return rc;
}

void rt_exec_section_checksum(const struct rt_script *sc, const struct rt_section *sec,
			      char out[65])
{
	out[0] = '\0';
	if (sc->has_sql && sec->present)
		rt_checksum_text(sc->text + sec->off, sec->len, out);
}

/* The history row of a migration step (its checksum goes in `sum`). */
void rt_exec_step_row(const struct rt_graph *g, const struct rt_step *s, const char *version,
		     char sum[65], struct rt_history_row *row)
{
	const struct rt_script *sc = g->revs[s->rev].script;
	rt_exec_section_checksum(sc, rt_exec_step_section(g, s), sum);
	*row = (struct rt_history_row){
		.revision = sc->id,
		.direction = s->kind == RT_STEP_UPGRADE ? "upgrade" : "downgrade",
		.operation = "run",
		.checksum = sum,
		.duration_ms = RT_HISTORY_NO_DURATION,
		.version = version,
	};
}

static int apply_vops(struct rt_db *db, const struct rt_step *s, struct rt_error *err)
{
	for (int k = 0; k < s->nvops; k++)
		if (rt_version_change(db, &s->vops[k], err))
			return -1;
	return 0;
}

/*
 * Turn a driver failure inside a section into "file:line:col: message",
 * with the statement's first line and a caret as detail, psql-style.
 */
void rt_exec_locate(const struct rt_script *sc, const struct rt_section *sec,
			 const struct rt_exec_info *info, const char *what, struct rt_error *err)
{
	char msg[sizeof(err->msg)], driver_detail[sizeof(err->detail)];
	snprintf(msg, sizeof(msg), "%s", err->msg);
	snprintf(driver_detail, sizeof(driver_detail), "%s", err->detail);
	if (!info->has_stmt) {
		rt_error_set(err, err->code, "%s:%d: %s (%s)", sc->path, sec->marker_line, msg, what);
		rt_error_set_detail(err, "%s", driver_detail);
		return;
	}
	size_t off = sec->off + (info->has_token ? info->token_off : info->stmt_off);
	int line, col;
	rt_script_position(sc, off, &line, &col);
	int code = err->code;
	rt_error_set(err, code, "%s:%d:%d: %s (%s)", sc->path, line, col, msg, what);
	/* the line holding the error, with a caret under the column */
	size_t bol = off;
	while (bol > 0 && sc->text[bol - 1] != '\n')
		bol--;
	size_t eol = off;
	while (eol < sc->text_len && sc->text[eol] != '\n')
		eol++;
	char prefix[32];
	int plen = snprintf(prefix, sizeof(prefix), "LINE %d: ", line);
	struct strbuf sb = STRBUF_INIT;
	if (*driver_detail)
		strbuf_addf(&sb, "%s\n", driver_detail); /* DETAIL and HINT, as psql prints them */
	strbuf_addf(&sb, "%s%.*s\n", prefix, (int)(eol - bol), sc->text + bol);
	for (int i = 0; i < plen + col - 1; i++)
		strbuf_addch(&sb, (i >= plen && sc->text[bol + (size_t)(i - plen)] == '\t') ? '\t' : ' ');
	strbuf_addch(&sb, '^');
	if (!sec->transactional && info->statements_done)
		strbuf_addf(&sb, "\n%d statement(s) before it ran outside a transaction and stay "
			    "applied; the version row was not advanced", info->statements_done);
	rt_error_set_detail(err, "%s", sb.buf);
	strbuf_release(&sb);
}

/*
 * After a failure: when the connection itself is gone (a restart, a
 * terminated backend), say so instead of pinning the driver's message
 * to a line of the file.  Returns 1 when it rewrote err.
 */
int rt_exec_connection_lost(struct rt_db *db, const char *what, struct rt_error *err)
{
	char why[sizeof(err->msg)];
	if (rt_db_connected(db))
		return 0;
	snprintf(why, sizeof(why), "%s", err->msg);
	rt_error_set(err, RT_EXIT_ERROR, "the connection to the database was lost during %s: %s",
		     what, why);
	return 1;
}

void rt_exec_step_desc(const struct rt_step *s, struct strbuf *sb)
{
	char *from = strvec_join(&s->from, ", "), *to = strvec_join(&s->to, ", ");
	strbuf_addf(sb, "%s %s -> %s",
		    s->kind == RT_STEP_UPGRADE ? "upgrade" : s->kind == RT_STEP_DOWNGRADE ? "downgrade" : "stamp",
		    *from ? from : "<base>", *to ? to : "<base>");
	free(from);
	free(to);
}

/* Where one migration's progress is recorded (see rt_progress_*), or none. */
struct progress {
	const char *rev;        /* NULL: not recorded (a single statement needs no resume) */
	const char *direction;
};

/*
 * A transaction:false section: each statement on its own, so the server
 * runs none of them in an implicit transaction block, and a failure can
 * say how many ran before it.  From statement `from` on (the ones before
 * ran in an earlier run); each one that completes is recorded in the
 * progress table.  Returns -1 when a statement failed (info says where),
 * -2 when recording it did.
 */
static int exec_each(struct rt_db *db, const char *sql, const struct rt_stmts *st, int from,
		     const struct progress *pr, struct rt_exec_info *info, struct rt_error *err)
{
	for (int k = from; k < st->nr; k++) {
		struct rt_stmt whole = { 0, st->v[k].len };
		struct rt_stmts one = { .v = &whole, .nr = 1, .alloc = 1 };
		if (db->drv->exec(db, sql + st->v[k].off, st->v[k].len, &one, info, err)) {
			info->statements_done = k;
			info->has_stmt = 1;
			info->stmt_off = st->v[k].off;
			if (info->has_token)
				info->token_off += st->v[k].off;
			return -1;
		}
		char sum[17];
		rt_progress_sum(sql + st->v[k].off, st->v[k].len, sum);
		if (pr->rev && rt_progress_add(db, pr->rev, pr->direction, k, sum, err))
			return -2;
	}
	return 0;
}

/*
 * How far an earlier run got through this section: the statements it
 * recorded, each of which must still read as it did then (by checksum).
 * Sets *from to their number; an edited one is refused, naming it.
 */
static int resume_point(struct rt_db *db, const struct rt_script *sc, const struct rt_section *sec,
			const struct rt_stmts *st, const struct progress *pr, int *from,
			struct rt_error *err)
{
	struct strvec sums = STRVEC_INIT;
	const char *sql = sc->text + sec->off;
	*from = 0;
	if (!pr->rev)
		return 0;
	if (rt_progress_read(db, pr->rev, pr->direction, &sums, err))
		return -1;
	int ran = (int)sums.nr, rc = 0;
	for (int k = 0; k < ran && !rc; k++) {
		char sum[17];
		int line, col;
		if (k < st->nr)
			rt_progress_sum(sql + st->v[k].off, st->v[k].len, sum);
		if (k < st->nr && !strcmp(sum, sums.v[k]))
			continue;
		rt_script_position(sc, sec->off + (k < st->nr ? st->v[k].off : sec->len), &line, &col);
		rc = rt_error_set(err, RT_EXIT_ERROR,
				  "%s:%d:%d: statement %d was %s since an earlier run applied it (%d of "
				  "its statements ran then); retort resumes only past statements that "
				  "are unchanged: restore it, or undo what ran by hand and delete the "
				  "migration's rows from %s (revision '%s')", sc->path, line, col, k + 1,
				  k < st->nr ? "edited" : "removed", ran, RT_PROGRESS_TABLE, pr->rev);
	}
	strvec_clear(&sums);
	*from = ran;
	return rc;
}

size_t rt_exec_step_lead(const struct rt_db *db, const struct rt_graph *g, const struct rt_step *s,
			 const struct rt_stmts *stmts)
{
	const struct rt_section *sec = rt_exec_step_section(g, s);
	const char *sql = section_text(g, s);
	if (!db->vt->dialect->ddl_commits || stmts->nr != 1 || !db->drv->exec_script ||
	    !rt_vt_can_guard(db->vt) || (sec->transactional && first_implicit_commit(db, sql, stmts) < 0))
		return 0;
	return rt_exec_lead_len(sql + stmts->v[0].off, stmts->v[0].len, db->vt->dialect->lex_flags);
}

/*
 * One migration: in its own transaction (BEGIN, SQL, version rows, COMMIT),
 * or inside the caller's when `in_txn` (--single-transaction); a section
 * marked transaction:false runs its statements first, then the version
 * change commits alone.  So does a section holding DDL on a database
 * whose DDL commits implicitly (MySQL): it cannot be one transaction, and
 * its version row changes only after its last statement.  There the
 * version table, being DDL too, is created before the transaction begins.
 */
static int run_step(struct rt_db *db, const struct rt_graph *g, const struct rt_step *s,
		    const struct rt_stmts *stmts, int *table_exists, int in_txn,
		    const struct rt_exec_hooks *hooks, struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	const struct rt_script *sc = g->revs[s->rev].script;
	const struct rt_section *sec = rt_exec_step_section(g, s);
	const char *sql = sc->text + sec->off;
	struct rt_exec_info info;
	struct strbuf what = STRBUF_INIT;
	int own = !in_txn;
	const char *hv = hooks ? hooks->history_version : NULL;
	struct rt_history_row row;
	char sum[65];
	double t0 = rt_exec_now_ms();
	rt_exec_step_desc(s, &what);
	if (hv)
		rt_exec_step_row(g, s, hv, sum, &row);
	struct rt_section eff;
	if (sec->transactional && first_implicit_commit(db, sql, stmts) >= 0) {
		eff = *sec;
		eff.transactional = 0; /* what it is on this database */
		sec = &eff;
	}
	if (!*table_exists && db->vt->dialect->ddl_commits) {
		if (rt_version_table_create(db, err))
			goto fail_named;
		*table_exists = 1;
	}
	if (hv && db->vt->dialect->ddl_commits && rt_history_prepare(db, err))
		goto fail_named;

	/* outside a transaction, a migration of several statements can stop
	 * part-way: its progress is recorded, and the next run resumes it */
	struct progress pr = { NULL, s->kind == RT_STEP_UPGRADE ? "upgrade" : "downgrade" };
	if (!sec->transactional && stmts->nr > 1)
		pr.rev = sc->id;
	/* MySQL runs a section statement by statement even so: its DELIMITER
	 * blocks are the client's, not the server's */
	int scripted = own && d->exec_script && rt_vt_can_guard(db->vt);
	size_t lead = 0;
	if (!sec->transactional) {
		int from, rc;
		if (resume_point(db, sc, sec, stmts, &pr, &from, err)) {
			if (rt_exec_connection_lost(db, what.buf, err))
				goto fail;
			goto fail_named;
		}
		if (from && hooks && hooks->note) {
			char msg[512];
			snprintf(msg, sizeof(msg), "retort: resuming %s: %d of %d statements ran in an "
				 "earlier run and are unchanged; running the rest", what.buf, from,
				 stmts->nr);
			hooks->note(hooks->ctx, msg);
		}
		/* one statement of DDL on MySQL goes with its version change */
		if (own && !pr.rev)
			lead = rt_exec_step_lead(db, g, s, stmts);
		if (!lead && (rc = exec_each(db, sql, stmts, from, &pr, &info, err))) {
			if (rt_exec_connection_lost(db, what.buf, err))
				goto fail;
			if (rc == -2)
				goto fail_named;
			rt_exec_locate(sc, sec, &info, what.buf, err);
			if (pr.rev) {
				char prev[sizeof(err->detail)];
				snprintf(prev, sizeof(prev), "%s", err->detail);
				rt_error_set_detail(err, "%s\n%d of %d statements ran; the next run resumes "
						    "after them", prev, info.statements_done, stmts->nr);
			}
			goto fail;
		}
	}
	/* one composed script: a transactional section where DDL does not
	 * commit by itself (inside the run's one transaction too, without
	 * BEGIN and COMMIT, where no pooler is in between), or the version
	 * change after a section run outside a transaction */
	int in_run_txn = !own && d->exec_script && rt_vt_can_guard(db->vt) && sec->transactional &&
			 !db->vt->dialect->ddl_commits && !db->pooled;
	if ((scripted && (!sec->transactional || !db->vt->dialect->ddl_commits)) || in_run_txn) {
		int have_history = 1, bad;
		if (hv && rt_history_exists(db, &have_history, err))
			goto fail_named;
		if (sec->transactional) {
			/* the database counts the milliseconds since the script's BEGIN */
			row.duration_ms = RT_HISTORY_SINCE_BEGIN;
			bad = rt_exec_run_script(db, sc, sec, stmts, s, in_run_txn, !*table_exists,
						 hv ? &row : NULL, !have_history, what.buf, err);
		} else {
			row.duration_ms = lead && db->vt->dialect->script_clock
						  ? RT_HISTORY_SINCE_BEGIN
						  : (long)(rt_exec_now_ms() - t0 + 0.5);
			bad = rt_exec_version_script(db, s, sc, sec, stmts, lead, !*table_exists,
					     hv ? &row : NULL, !have_history, pr.rev, pr.direction,
					     what.buf, err);
		}
		if (bad) {
			rt_history_forget(db);
			goto fail;
		}
		*table_exists = 1;
		if (hv)
			db->vt->history_exists = 1;
		strbuf_release(&what);
		return 0;
	}
	if (own && d->begin(db, err))
		goto fail_named;
	if (!*table_exists && rt_version_table_create(db, err))
		goto fail_rb_named;
	if (sec->transactional && d->exec(db, sql, sec->len, stmts, &info, err)) {
		if (!rt_exec_connection_lost(db, what.buf, err))
			rt_exec_locate(sc, sec, &info, what.buf, err);
		goto fail_rb;
	}
	if (apply_vops(db, s, err))
		goto fail_rb_named;
	/* what ran, and how long it took, goes with the version row too */
	if (hv) {
		row.duration_ms = (long)(rt_exec_now_ms() - t0 + 0.5);
		if (rt_history_prepare(db, err) || rt_history_add(db, &row, err))
			goto fail_rb_named;
	}
	/* the progress goes with the version row it led to */
	if (pr.rev && rt_progress_clear(db, pr.rev, pr.direction, err))
		goto fail_rb_named;
	if (own && d->commit(db, err))
		goto fail_rb_named;
	*table_exists = 1;
	strbuf_release(&what);
	return 0;
fail_rb_named:
	/* not the section's SQL: name the migration ("... disk is full") */
	if (!rt_exec_connection_lost(db, what.buf, err))
		rt_error_prefix(err, "%s", what.buf);
fail_rb:
	if (own)
		d->rollback(db);
	rt_history_forget(db); /* a rollback may have undone its creation */
	goto fail;
fail_named:
	if (!rt_exec_connection_lost(db, what.buf, err))
		rt_error_prefix(err, "%s", what.buf);
fail:
	strbuf_release(&what);
	return -1;
}

void rt_exec_applied(const struct rt_graph *g, const struct strvec *rows, struct bitset *out)
{
	int n = 0;
	int *idx = xcalloc(rows->nr + 1, sizeof(*idx));
	for (size_t i = 0; i < rows->nr; i++)
		if ((idx[n] = rt_graph_find(g, rows->v[i])) >= 0)
			n++;
	bitset_clearall(out);
	rt_graph_ancestors(g, idx, n, 1, out);
	free(idx);
}

/* The revisions the database's version rows make applied. */
static int applied_now(struct rt_db *db, const struct rt_graph *g, struct bitset *out,
		       struct rt_error *err)
{
	struct strvec rows = STRVEC_INIT;
	int exists;
	int rc = rt_versions_read(db, &rows, &exists, err);
	if (!rc)
		rt_exec_applied(g, &rows, out);
	strvec_clear(&rows);
	return rc;
}

/*
 * After a stamp's row changes: a 'stamp' row for each revision it
 * unapplied (direction downgrade, the downgrade section's checksum) and
 * for each it applied (upgrade, the upgrade section's: what the database
 * is declared to match), in the transaction of the row changes.
 */
static int stamp_history(struct rt_db *db, const struct rt_graph *g, const struct bitset *before,
			 const char *version, struct rt_error *err)
{
	struct bitset after;
	bitset_init(&after, g->n);
	int rc = applied_now(db, g, &after, err) || rt_history_prepare(db, err) ? -1 : 0;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (int r = 0; r < g->n && !rc; r++) {
			int was = bitset_has(before, r), is = bitset_has(&after, r);
			if (was == is || (pass == 0) != was)
				continue; /* downgrades first, then upgrades */
			const struct rt_script *sc = g->revs[r].script;
			char sum[65];
			rt_exec_section_checksum(sc, is ? &sc->up : &sc->downgrade, sum);
			struct rt_history_row row = {
				.revision = sc->id,
				.direction = is ? "upgrade" : "downgrade",
				.operation = "stamp",
				.checksum = sum,
				.duration_ms = RT_HISTORY_NO_DURATION,
				.version = version,
			};
			rc = rt_history_add(db, &row, err);
		}
	}
	bitset_release(&after);
	return rc;
}

int rt_exec_accept(struct rt_db *db, const struct rt_graph *g, const struct intlist *revs,
		   const char *version, struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	if (db->vt->dialect->ddl_commits && rt_history_prepare(db, err))
		return -1;
	if (d->begin(db, err))
		return -1;
	int rc = rt_history_prepare(db, err);
	for (int i = 0; i < revs->nr && !rc; i++) {
		const struct rt_script *sc = g->revs[revs->v[i]].script;
		char sum[65];
		rt_exec_section_checksum(sc, &sc->up, sum);
		struct rt_history_row row = {
			.revision = sc->id,
			.direction = "upgrade",
			.operation = "accept",
			.checksum = sum,
			.duration_ms = RT_HISTORY_NO_DURATION,
			.version = version,
		};
		rc = rt_history_add(db, &row, err);
	}
	if (!rc && !d->commit(db, err))
		return 0;
	d->rollback(db);
	rt_history_forget(db);
	return -1;
}

/* A migration of the run's one transaction failed (err says how): roll
 * it all back, and say so.  -1. */
static int roll_back_run(struct rt_db *db, struct rt_error *err)
{
	char prev[sizeof(err->detail)];
	db->drv->rollback(db);
	rt_history_forget(db);
	snprintf(prev, sizeof(prev), "%s", err->detail);
	rt_error_set_detail(err, "%s%severy migration of this run was rolled back (one transaction "
			    "for the whole run)", prev, *prev ? "\n" : "");
	return -1;
}

static int run_plan(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		    const struct rt_stmts *lists, int table_exists, int single_txn,
		    const struct rt_exec_hooks *hooks, struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	int stamping = p->purge || (p->n && p->steps[0].kind == RT_STEP_STAMP);
	struct bitset before; /* a stamp's applied revisions, before it */

	if (check_plan(db, NULL, g, p, lists, err))
		return -1;
	if (single_txn)
		for (int i = 0; i < p->n; i++)
			if (p->steps[i].kind != RT_STEP_STAMP && !rt_exec_step_section(g, &p->steps[i])->transactional)
				return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_NO_SINGLE_TXN,
						    "%s: a 'transaction:false' section cannot run in a "
						    "single transaction",
						    g->revs[p->steps[i].rev].script->path);
	if (single_txn && db->vt->dialect->ddl_commits)
		for (int i = 0; i < p->n; i++) {
			const struct rt_step *s = &p->steps[i];
			if (s->kind == RT_STEP_STAMP)
				continue;
			const struct rt_script *sc = g->revs[s->rev].script;
			const struct rt_section *sec = rt_exec_step_section(g, s);
			int k = first_implicit_commit(db, sc->text + sec->off, &lists[i]);
			if (k < 0)
				continue;
			int line, col;
			const char *stmt = sc->text + sec->off + lists[i].v[k].off;
			int shown = (int)strcspn(stmt, "\n;");
			rt_script_position(sc, sec->off + lists[i].v[k].off, &line, &col);
			return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_NO_SINGLE_TXN,
					    "%s:%d:%d: '%.*s%s' is DDL, which MySQL commits implicitly, so "
					    "this run cannot be one transaction, which needs every pending "
					    "section to be DML only; nothing was run", sc->path,
					    line, col, shown > 60 ? 60 : shown, stmt, shown > 60 ? "..." : "");
		}
	if (db->vt->dialect->ddl_commits && !table_exists && (single_txn || stamping || !p->n)) {
		/* DDL would commit the transaction it ran in: create it first */
		if (rt_version_table_create(db, err))
			return -1;
		table_exists = 1;
	}
	if (!p->n && !p->purge && table_exists)
		return 0; /* nothing to do, and no transaction to do it in */
	if (stamping || !p->n) {
		/* stamps run no SQL: all their row changes in one transaction,
		 * with a history row for each revision they apply or unapply */
		const char *hv = hooks && p->n ? hooks->history_version : NULL;
		bitset_init(&before, g->n);
		if (hv && db->vt->dialect->ddl_commits && rt_history_prepare(db, err)) {
			bitset_release(&before);
			return -1;
		}
		if (d->begin(db, err)) {
			bitset_release(&before);
			return -1;
		}
		if (!table_exists && rt_version_table_create(db, err))
			goto fail_stamp;
		if (hv && applied_now(db, g, &before, err))
			goto fail_stamp;
		if (p->purge && rt_version_delete_all(db, err))
			goto fail_stamp;
		for (int i = 0; i < p->n; i++) {
			if (hooks && hooks->step_start)
				hooks->step_start(hooks->ctx, p, i);
			if (apply_vops(db, &p->steps[i], err))
				goto fail_stamp;
		}
		if (hv && stamp_history(db, g, &before, hv, err))
			goto fail_stamp;
		if (d->commit(db, err))
			goto fail_stamp;
		bitset_release(&before);
		for (int i = 0; hooks && hooks->step_done && i < p->n; i++)
			hooks->step_done(hooks->ctx, p, i, 0);
		return 0;
	}
	int alone = -1; /* a step that must run by itself (run_batch) */
	int begun = 0;  /* with single_txn: the run's transaction (see below) */
	int batch_max = RT_BATCH_FIRST_STEPS;
	for (int i = 0; i < p->n; i++) {
		double t0 = rt_exec_now_ms();
		if (i && !single_txn && hooks && hooks->stop && hooks->stop(hooks->ctx))
			return rt_error_set(err, RT_EXIT_ERROR, "stopped by a signal after %d of %d "
					    "migrations, which stay applied; the rest were not started",
					    i, p->n);
		/* a lease lost to a stalled heartbeat: stop before the next migration */
		if (rt_db_lock_held(db, err)) {
			if (single_txn)
				d->rollback(db);
			return -1;
		}
		if (hooks && hooks->step_start)
			hooks->step_start(hooks->ctx, p, i);
		int n = rt_exec_batch_extent(db, g, p, lists, i, single_txn, alone, batch_max);
		if (n > 1) {
			/* the run's one transaction: begun by the first batch's
			 * script, or before the first step that runs alone */
			enum rt_batch_txn txn = !single_txn ? RT_BATCH_OWN_TXNS
						: begun ? RT_BATCH_IN_RUN_TXN : RT_BATCH_BEGINS_RUN_TXN;
			begun = 1;
			int rc = rt_exec_run_batch(db, g, p, lists, i, n, txn, &table_exists, hooks,
						   &alone, err);
			if (rc < 0)
				return single_txn ? roll_back_run(db, err) : -1;
			if (!rc)
				batch_max = rt_exec_batch_pace(batch_max, n, rt_exec_now_ms() - t0);
			i += rc ? -1 : n - 1; /* after a syntax error: again, up to that step */
			continue;
		}
		if (single_txn && !begun++ && d->begin(db, err))
			return -1;
		if (run_step(db, g, &p->steps[i], &lists[i], &table_exists, single_txn, hooks, err))
			return single_txn ? roll_back_run(db, err) : -1;
		if (hooks && hooks->step_done)
			hooks->step_done(hooks->ctx, p, i, rt_exec_now_ms() - t0);
	}
	if (single_txn && d->commit(db, err)) {
		rt_error_prefix(err, "committing the run's one transaction (%d migrations)", p->n);
		d->rollback(db);
		rt_history_forget(db);
		return -1;
	}
	return 0;
fail_stamp:
	d->rollback(db);
	rt_history_forget(db);
	bitset_release(&before);
	return -1;
}

/*
 * The whole plan: checked first (nothing runs if any step would be
 * refused), then stamps as one transaction of row changes, or migrations
 * one transaction each (one for the whole run with single_txn).
 */
int rt_exec_plan(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		 int table_exists, int single_txn, const struct rt_exec_hooks *hooks,
		 struct rt_error *err)
{
	struct rt_stmts *lists = split_plan(lex_flags(db), g, p);
	int rc = run_plan(db, g, p, lists, table_exists, single_txn, hooks, err);
	release_lists(lists, p->n);
	return rc;
}
