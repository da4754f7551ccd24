/*
 * The offline SQL renderer (see offline.h): walks a plan as the executor
 * does and prints, instead of running, each migration's SQL and the
 * version table's statements in Alembic's offline spelling
 * (db/version_table.c, with the dialect of the configured backend).
 */
#include "offline.h"
#include "exec.h"
#include "../db/history.h"
#include "../db/version_table.h"
#include "../lib/bitset.h"
#include "../lib/sqllex.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct ctx {
	const struct rt_offline_opts *o;
	struct strbuf *out;
	struct rt_vt *vt;
	int history_created;     /* the script has created retort_history */
};

/* One row of retort_history, the table created first if the script has not yet. */
static void history_row(struct ctx *c, const struct rt_history_row *row)
{
	if (!c->history_created) {
		rt_history_create_sql(c->vt, 1, c->out);
		strbuf_addstr(c->out, ";\n\n");
		c->history_created = 1;
	}
	rt_history_insert_sql(c->vt, row, 0, c->out);
	strbuf_addstr(c->out, ";\n\n");
}

/* A migration's row (revision `sc`, section `sec`), with no duration offline. */
static void migration_row(struct ctx *c, const struct rt_script *sc, const struct rt_section *sec,
			  const char *direction, const char *operation)
{
	char sum[65];
	rt_exec_section_checksum(sc, sec, sum);
	struct rt_history_row row = {
		.revision = sc->id,
		.direction = direction,
		.operation = operation,
		.checksum = sum,
		.duration_ms = RT_HISTORY_NO_DURATION,
		.version = c->o->history_version,
	};
	history_row(c, &row);
}

/* A stamp's rows: each revision it unapplies, then each it applies. */
static void stamp_rows(struct ctx *c, const struct rt_graph *g, const struct rt_plan *p)
{
	struct strvec none = STRVEC_INIT;
	struct bitset before, after;
	bitset_init(&before, g->n);
	bitset_init(&after, g->n);
	rt_exec_applied(g, c->o->rows && !p->purge ? c->o->rows : &none, &before);
	rt_exec_applied(g, &p->end_rows, &after);
	for (int pass = 0; pass < 2; pass++)
		for (int r = 0; r < g->n; r++) {
			int was = bitset_has(&before, r), is = bitset_has(&after, r);
			if (was == is || (pass == 0) != was)
				continue;
			const struct rt_script *sc = g->revs[r].script;
			migration_row(c, sc, is ? &sc->up : &sc->downgrade, is ? "upgrade" : "downgrade",
				      "stamp");
		}
	bitset_release(&before);
	bitset_release(&after);
}

/*
 * The section's SQL, trimmed, ending with a semicolon, then a blank line.
 * The lexer (with the dialect's rules: MySQL's # comments) tells whether
 * the text already ends its last statement, its last token outside
 * comments being a semicolon, and whether it ends in a line comment, which
 * would swallow a semicolon put after it on the same line.
 */
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
	struct rt_sql_lexer lx;
	struct rt_sql_tok t, last = { 0 };
	int ended = 0;
	rt_sql_lexer_init(&lx, b, (size_t)(e - b), c->vt->dialect->lex_flags | RT_LEX_COMMENTS);
	while (rt_sql_next(&lx, &t) != RT_SQL_END) {
		if (t.kind != RT_SQL_COMMENT)
			ended = t.kind == RT_SQL_PUNCT && b[t.off] == ';';
		last = t;
	}
	/* a line comment: -- or MySQL's #, not a block comment */
	int line_comment = last.kind == RT_SQL_COMMENT && (b[last.off] == '-' || b[last.off] == '#');
	if (!ended)
		strbuf_addstr(c->out, line_comment ? "\n;" : ";");
	strbuf_addstr(c->out, "\n\n");
}

/* The "-- Running upgrade a -> b" line Alembic prints before each step. */
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

static int render(struct ctx *c, const struct rt_graph *g, const struct rt_plan *p,
		  struct rt_error *err)
{
	const struct rt_offline_opts *o = c->o;
	struct strbuf *out = c->out;
	int txn_open = 0;
	/* SQLite gets no BEGIN/COMMIT in offline scripts, as in Alembic */
	const char *begin = c->vt->dialect->offline_txn ? "BEGIN;\n\n" : "";
	const char *commit = c->vt->dialect->offline_txn ? "COMMIT;\n\n" : "";
	if (o->single_txn || !p->n) {
		strbuf_addstr(out, begin);
		txn_open = 1;
	}
	if (o->create_table) {
		if (!txn_open) {
			strbuf_addstr(out, begin);
			txn_open = 1;
		}
		rt_vt_create_sql(c->vt, RT_VT_CREATE_OFFLINE, out);
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
			running(c, s);
			section_sql(c, sc, sec);
		}
		if (!txn_open) {
			strbuf_addstr(out, begin);
			txn_open = 1;
		}
		if (!sec || sec->transactional) {
			running(c, s);
			if (sec)
				section_sql(c, sc, sec);
		}
		for (int k = 0; k < s->nvops; k++) {
			rt_vt_offline_sql(c->vt, &s->vops[k], out);
			strbuf_addstr(out, ";\n\n");
		}
		if (o->history_version && sec)
			migration_row(c, sc, sec, s->kind == RT_STEP_UPGRADE ? "upgrade" : "downgrade",
				      "run");
		if (o->history_version && s->kind == RT_STEP_STAMP && i == p->n - 1)
			stamp_rows(c, g, p);
		if (s->kind == RT_STEP_DOWNGRADE && i == p->n - 1 && !p->end_rows.nr) {
			strbuf_addf(out, "DROP TABLE %s;\n\n", c->vt->sql);
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

/*
 * The plan as one script.  Transactions open lazily and close after each
 * migration (once at the end with single_txn); a transaction:false
 * section stands between them.  Names are quoted by the common keywords,
 * as there is no database to ask.
 */
int rt_offline_sql(const struct rt_graph *g, const struct rt_plan *p,
		   const struct rt_offline_opts *o, struct strbuf *out, struct rt_error *err)
{
	const struct rt_sql_dialect *dia = rt_sql_dialect_for(o->backend);
	if (!dia)
		dia = &rt_sql_sqlite; /* as before: only PostgreSQL differs */
	struct ctx c = { o, out, rt_vt_new(dia, NULL, o->version_table, o->version_table_schema), 0 };
	int rc = render(&c, g, p, err);
	rt_vt_free(c.vt);
	return rc;
}
