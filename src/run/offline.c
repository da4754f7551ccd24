#include "offline.h"
#include "../lib/sqlquote.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void add_literal(struct strbuf *sb, const char *v)
{
	rt_sql_add_literal(sb, v);
}

static void add_ident(struct strbuf *sb, const char *s)
{
	rt_sql_add_ident(sb, s, NULL);
}

struct ctx {
	const struct rt_offline_opts *o;
	struct strbuf *out;
	const char *vt;  /* table name */
	int pg;
};

static void add_table(struct ctx *c)
{
	if (c->o->version_table_schema) {
		add_ident(c->out, c->o->version_table_schema);
		strbuf_addch(c->out, '.');
	}
	add_ident(c->out, c->vt);
}

static void vop_sql(struct ctx *c, const struct rt_vop *v)
{
	struct strbuf *sb = c->out;
	switch (v->kind) {
	case RT_VOP_INSERT:
		strbuf_addstr(sb, "INSERT INTO ");
		add_table(c);
		strbuf_addstr(sb, " (version_num) VALUES (");
		add_literal(sb, v->to);
		strbuf_addch(sb, ')');
		if (c->pg) {
			strbuf_addstr(sb, " RETURNING ");
			add_table(c);
			strbuf_addstr(sb, ".version_num");
		}
		break;
	case RT_VOP_UPDATE:
		strbuf_addstr(sb, "UPDATE ");
		add_table(c);
		strbuf_addstr(sb, " SET version_num=");
		add_literal(sb, v->to);
		strbuf_addstr(sb, " WHERE ");
		add_table(c);
		strbuf_addstr(sb, ".version_num = ");
		add_literal(sb, v->from);
		break;
	case RT_VOP_DELETE:
		strbuf_addstr(sb, "DELETE FROM ");
		add_table(c);
		strbuf_addstr(sb, " WHERE ");
		add_table(c);
		strbuf_addstr(sb, ".version_num = ");
		add_literal(sb, v->from);
		break;
	}
	strbuf_addstr(sb, ";\n\n");
}

/* The section's SQL, trimmed, ending with a semicolon, then a blank line. */
static void section_sql(struct ctx *c, const struct rt_script *sc, const struct rt_section *sec)
{
	const char *b = sc->text + sec->off, *e = b + sec->len;
	while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	if (b == e)
		return;
	strbuf_add(c->out, b, (size_t)(e - b));
	/* a trailing line comment would swallow the semicolon: end the line first */
	const char *ls = e;
	while (ls > b && ls[-1] != '\n')
		ls--;
	int comment_line = e - ls >= 2 && strstr(ls, "--") && (size_t)(strstr(ls, "--") - ls) < (size_t)(e - ls);
	if (e[-1] != ';')
		strbuf_addstr(c->out, comment_line ? "\n;" : ";");
	strbuf_addstr(c->out, "\n\n");
}

static void running(struct ctx *c, const struct rt_step *s)
{
	char *from = strvec_join(&s->from, ", "), *to = strvec_join(&s->to, ", ");
	strbuf_addf(c->out, "-- Running %s %s -> %s\n\n",
		    s->kind == RT_STEP_UPGRADE ? "upgrade" : s->kind == RT_STEP_DOWNGRADE ? "downgrade"
											: "stamp_revision",
		    from, to);
	free(from);
	free(to);
}

int rt_offline_sql(const struct rt_graph *g, const struct rt_plan *p,
		   const struct rt_offline_opts *o, struct strbuf *out, struct rt_error *err)
{
	struct ctx c = { o, out, o->version_table ? o->version_table : "alembic_version",
			 !strcmp(o->backend, "postgresql") };
	int txn_open = 0;
	/* SQLite gets no BEGIN/COMMIT in offline scripts, as in Alembic */
	const char *begin = c.pg ? "BEGIN;\n\n" : "", *commit = c.pg ? "COMMIT;\n\n" : "";

	if (o->single_txn || !p->n) {
		strbuf_addstr(out, begin);
		txn_open = 1;
	}
	if (o->create_table) {
		if (!txn_open) {
			strbuf_addstr(out, begin);
			txn_open = 1;
		}
		strbuf_addstr(out, "CREATE TABLE ");
		add_table(&c);
		struct strbuf pkc = STRBUF_INIT;
		strbuf_addf(&pkc, "%s_pkc", c.vt);
		strbuf_addstr(out, " (\n    version_num VARCHAR(32) NOT NULL, \n    CONSTRAINT ");
		add_ident(out, pkc.buf);
		strbuf_addstr(out, " PRIMARY KEY (version_num)\n);\n\n");
		strbuf_release(&pkc);
	}
	if (p->purge) {
		strbuf_addstr(out, "DELETE FROM ");
		add_table(&c);
		strbuf_addstr(out, ";\n\n");
	}
	for (int i = 0; i < p->n; i++) {
		const struct rt_step *s = &p->steps[i];
		const struct rt_section *sec = NULL;
		const struct rt_script *sc = NULL;
		if (s->kind != RT_STEP_STAMP) {
			sc = g->revs[s->rev].script;
			sec = s->kind == RT_STEP_UPGRADE ? &sc->up : &sc->downgrade;
			if (!sec->present)
				return rt_error_set(err, RT_EXIT_ERROR,
						    "%s: revision %s has no '-- migrate:downgrade' section",
						    sc->path, sc->id);
		}
		if (sec && !sec->transactional) {
			if (o->single_txn)
				return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_NO_SINGLE_TXN,
						    "%s: a 'transaction:false' section cannot run in a "
						    "single transaction", sc->path);
			/* its statements stand outside any transaction */
			if (txn_open) {
				strbuf_addstr(out, commit);
				txn_open = 0;
			}
			running(&c, s);
			section_sql(&c, sc, sec);
		}
		if (!txn_open) {
			strbuf_addstr(out, begin);
			txn_open = 1;
		}
		if (!sec || sec->transactional) {
			running(&c, s);
			if (sec)
				section_sql(&c, sc, sec);
		}
		for (int k = 0; k < s->nvops; k++)
			vop_sql(&c, &s->vops[k]);
		if (s->kind == RT_STEP_DOWNGRADE && i == p->n - 1 && !p->end_rows.nr) {
			strbuf_addstr(out, "DROP TABLE ");
			add_table(&c);
			strbuf_addstr(out, ";\n\n");
		}
		if (!o->single_txn) {
			strbuf_addstr(out, commit);
			txn_open = 0;
		}
	}
	if (txn_open)
		strbuf_addstr(out, commit);
	return 0;
}
