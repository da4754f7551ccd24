#include "exec.h"
#include "../lib/clock.h"
#include "../lib/sqllex.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	return rt_now() * 1e3;
}

static const struct rt_section *step_section(const struct rt_graph *g, const struct rt_step *s)
{
	const struct rt_script *sc = g->revs[s->rev].script;
	return s->kind == RT_STEP_UPGRADE ? &sc->up : &sc->downgrade;
}

int rt_exec_check(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		  struct rt_error *err)
{
	for (int i = 0; i < p->n; i++) {
		const struct rt_step *s = &p->steps[i];
		if (s->kind == RT_STEP_STAMP)
			continue;
		const struct rt_script *sc = g->revs[s->rev].script;
		if (s->kind == RT_STEP_DOWNGRADE && !sc->downgrade.present)
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%s: revision %s has no '-- migrate:downgrade' section, so it "
					    "cannot be downgraded; nothing was run", sc->path, sc->id);
		const struct rt_section *sec = step_section(g, s);
		struct rt_stmts st;
		int line, col, rc = 0;
		rt_sql_split(sc->text + sec->off, sec->len, &st);
		if (st.unterminated) {
			rt_script_position(sc, sec->off + st.open_off, &line, &col);
			rc = rt_error_set(err, RT_EXIT_ERROR,
					  "%s:%d:%d: this quoted string or comment is never closed; "
					  "nothing was run", sc->path, line, col);
		}
		for (int k = 0; !rc && sec->transactional && k < st.nr; k++) {
			char words[64];
			rt_sql_words(sc->text + sec->off + st.v[k].off, st.v[k].len, 4, words, sizeof(words));
			if (rt_sql_is_txn_control(words)) {
				rt_script_position(sc, sec->off + st.v[k].off, &line, &col);
				rc = rt_error_set(err, RT_EXIT_ERROR,
						  "%s:%d:%d: transaction control statement (%s) inside a "
						  "transactional section; retort wraps each migration in a "
						  "transaction itself: remove it, or mark the section "
						  "'transaction:false'; nothing was run", sc->path, line, col, words);
				break;
			}
			int autocommit = db && db->drv->needs_autocommit
						 ? db->drv->needs_autocommit(db, words)
						 : rt_sql_needs_autocommit(words);
			if (autocommit) {
				const char *stmt = sc->text + sec->off + st.v[k].off;
				int shown = (int)strcspn(stmt, "\n;");
				rt_script_position(sc, sec->off + st.v[k].off, &line, &col);
				rc = rt_error_set(err, RT_EXIT_ERROR,
						  "%s:%d:%d: '%.*s%s' cannot run inside a transaction; mark the "
						  "section '-- migrate:%s transaction:false' (line %d); nothing "
						  "was run", sc->path, line, col, shown > 60 ? 60 : shown, stmt,
						  shown > 60 ? "..." : "",
						  s->kind == RT_STEP_UPGRADE ? "upgrade" : "downgrade",
						  sec->marker_line);
			}
		}
		rt_stmts_release(&st);
		if (rc)
			return rc;
	}
	return 0;
}

static int apply_vops(struct rt_db *db, const struct rt_step *s, struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	for (int k = 0; k < s->nvops; k++) {
		const struct rt_vop *v = &s->vops[k];
		int rc = v->kind == RT_VOP_INSERT ? d->version_insert(db, v->to, err)
			: v->kind == RT_VOP_UPDATE ? d->version_update(db, v->from, v->to, err)
			: d->version_delete(db, v->from, err);
		if (rc)
			return -1;
	}
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

static void step_desc(const struct rt_step *s, struct strbuf *sb)
{
	char *from = strvec_join(&s->from, ", "), *to = strvec_join(&s->to, ", ");
	strbuf_addf(sb, "%s %s -> %s",
		    s->kind == RT_STEP_UPGRADE ? "upgrade" : s->kind == RT_STEP_DOWNGRADE ? "downgrade" : "stamp",
		    *from ? from : "<base>", *to ? to : "<base>");
	free(from);
	free(to);
}

/*
 * A transaction:false section: each statement on its own, so the server
 * runs none of them in an implicit transaction block, and a failure can
 * say how many ran before it.
 */
static int exec_each(struct rt_db *db, const char *sql, size_t len, struct rt_exec_info *info,
		     struct rt_error *err)
{
	struct rt_stmts st;
	int rc = 0;
	rt_sql_split(sql, len, &st);
	for (int k = 0; k < st.nr; k++) {
		if (db->drv->exec(db, sql + st.v[k].off, st.v[k].len, info, err)) {
			info->statements_done = k;
			info->has_stmt = 1;
			info->stmt_off = st.v[k].off;
			if (info->has_token)
				info->token_off += st.v[k].off;
			rc = -1;
			break;
		}
	}
	rt_stmts_release(&st);
	return rc;
}

/*
 * One migration: in its own transaction (BEGIN, SQL, version rows, COMMIT),
 * or inside the caller's when `in_txn` (--single-transaction); a section
 * marked transaction:false runs its statements first, then the version
 * change commits alone.
 */
static int run_step(struct rt_db *db, const struct rt_graph *g, const struct rt_step *s,
		    int *table_exists, int in_txn, struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	const struct rt_script *sc = g->revs[s->rev].script;
	const struct rt_section *sec = step_section(g, s);
	struct rt_exec_info info;
	struct strbuf what = STRBUF_INIT;
	int own = !in_txn;
	step_desc(s, &what);

	if (!sec->transactional) {
		if (exec_each(db, sc->text + sec->off, sec->len, &info, err)) {
			rt_exec_locate(sc, sec, &info, what.buf, err);
			goto fail;
		}
	}
	if (own && sec->transactional && d->run_migration) {
		if (d->run_migration(db, sc->text + sec->off, sec->len, s->vops, s->nvops, !*table_exists,
				     &info, err)) {
			if (info.has_stmt)
				rt_exec_locate(sc, sec, &info, what.buf, err);
			else
				rt_error_prefix(err, "%s", what.buf);
			goto fail;
		}
		*table_exists = 1;
		strbuf_release(&what);
		return 0;
	}
	if (own && d->begin(db, err))
		goto fail;
	if (!*table_exists && d->version_table_create(db, err))
		goto fail_rb;
	if (sec->transactional && d->exec(db, sc->text + sec->off, sec->len, &info, err)) {
		rt_exec_locate(sc, sec, &info, what.buf, err);
		goto fail_rb;
	}
	if (apply_vops(db, s, err))
		goto fail_rb;
	if (own && d->commit(db, err))
		goto fail_rb;
	*table_exists = 1;
	strbuf_release(&what);
	return 0;
fail_rb:
	if (own)
		d->rollback(db);
fail:
	strbuf_release(&what);
	return -1;
}

int rt_exec_plan(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		 int table_exists, int single_txn, const struct rt_exec_hooks *hooks,
		 struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	int stamping = p->purge || (p->n && p->steps[0].kind == RT_STEP_STAMP);

	if (rt_exec_check(db, g, p, err))
		return -1;
	if (single_txn)
		for (int i = 0; i < p->n; i++)
			if (p->steps[i].kind != RT_STEP_STAMP && !step_section(g, &p->steps[i])->transactional)
				return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_NO_SINGLE_TXN,
						    "%s: a 'transaction:false' section cannot run in a "
						    "single transaction",
						    g->revs[p->steps[i].rev].script->path);
	if (stamping || !p->n) {
		/* stamps run no SQL: all their row changes in one transaction */
		if (d->begin(db, err))
			return -1;
		if (!table_exists && d->version_table_create(db, err))
			goto fail_rb;
		if (p->purge && d->version_delete_all(db, err))
			goto fail_rb;
		for (int i = 0; i < p->n; i++) {
			if (hooks && hooks->step_start)
				hooks->step_start(hooks->ctx, p, i);
			if (apply_vops(db, &p->steps[i], err))
				goto fail_rb;
		}
		if (d->commit(db, err))
			goto fail_rb;
		for (int i = 0; hooks && hooks->step_done && i < p->n; i++)
			hooks->step_done(hooks->ctx, p, i, 0);
		return 0;
	}
	if (single_txn && d->begin(db, err))
		return -1;
	for (int i = 0; i < p->n; i++) {
		double t0 = now_ms();
		if (hooks && hooks->step_start)
			hooks->step_start(hooks->ctx, p, i);
		if (run_step(db, g, &p->steps[i], &table_exists, single_txn, err)) {
			if (single_txn) {
				char prev[sizeof(err->detail)];
				d->rollback(db);
				snprintf(prev, sizeof(prev), "%s", err->detail);
				rt_error_set_detail(err, "%s%severy migration of this run was rolled "
						    "back (one transaction for the whole run)", prev, *prev ? "\n" : "");
			}
			return -1;
		}
		if (hooks && hooks->step_done)
			hooks->step_done(hooks->ctx, p, i, now_ms() - t0);
	}
	if (single_txn && d->commit(db, err)) {
		d->rollback(db);
		return -1;
	}
	return 0;
fail_rb:
	d->rollback(db);
	return -1;
}
