#include "exec.h"
#include "strbuf.h"
#include "xalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int rt_exec_check(const struct rt_graph *g, const struct rt_plan *p, struct rt_error *err)
{
	for (int i = 0; i < p->n; i++) {
		const struct rt_step *s = &p->steps[i];
		if (s->kind != RT_STEP_DOWNGRADE)
			continue;
		const struct rt_script *sc = g->revs[s->rev].script;
		if (!sc->downgrade.present)
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%s: revision %s has no '-- migrate:downgrade' section, so it "
					    "cannot be downgraded; nothing was run", sc->path, sc->id);
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
static void locate_error(const struct rt_script *sc, const struct rt_section *sec,
			 const struct rt_exec_info *info, const char *what, struct rt_error *err)
{
	char msg[sizeof(err->msg)];
	snprintf(msg, sizeof(msg), "%s", err->msg);
	if (!info->has_stmt) {
		rt_error_set(err, err->code, "%s:%d: %s (%s)", sc->path, sec->marker_line, msg, what);
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

static int run_step(struct rt_db *db, const struct rt_graph *g, const struct rt_step *s,
		    int *table_exists, struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	const struct rt_script *sc = g->revs[s->rev].script;
	const struct rt_section *sec = s->kind == RT_STEP_UPGRADE ? &sc->up : &sc->downgrade;
	struct rt_exec_info info;
	struct strbuf what = STRBUF_INIT;
	step_desc(s, &what);

	if (sec->transactional) {
		if (d->begin(db, err))
			goto fail;
		if (!*table_exists && d->version_table_create(db, err))
			goto fail_rb;
		if (d->exec(db, sc->text + sec->off, sec->len, &info, err)) {
			locate_error(sc, sec, &info, what.buf, err);
			goto fail_rb;
		}
	} else {
		if (d->exec(db, sc->text + sec->off, sec->len, &info, err)) {
			locate_error(sc, sec, &info, what.buf, err);
			goto fail;
		}
		if (d->begin(db, err))
			goto fail;
		if (!*table_exists && d->version_table_create(db, err))
			goto fail_rb;
	}
	if (apply_vops(db, s, err))
		goto fail_rb;
	if (d->commit(db, err))
		goto fail_rb;
	*table_exists = 1;
	strbuf_release(&what);
	return 0;
fail_rb:
	d->rollback(db);
fail:
	strbuf_release(&what);
	return -1;
}

int rt_exec_plan(struct rt_db *db, const struct rt_graph *g, const struct rt_plan *p,
		 int table_exists, const struct rt_exec_hooks *hooks, struct rt_error *err)
{
	const struct rt_driver *d = db->drv;
	int stamping = p->purge || (p->n && p->steps[0].kind == RT_STEP_STAMP);

	if (rt_exec_check(g, p, err))
		return -1;
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
	for (int i = 0; i < p->n; i++) {
		double t0 = now_ms();
		if (hooks && hooks->step_start)
			hooks->step_start(hooks->ctx, p, i);
		if (run_step(db, g, &p->steps[i], &table_exists, err))
			return -1;
		if (hooks && hooks->step_done)
			hooks->step_done(hooks->ctx, p, i, now_ms() - t0);
	}
	return 0;
fail_rb:
	d->rollback(db);
	return -1;
}
