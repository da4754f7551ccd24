/*
 * Desired schemas printed by a program: `python:MODULE:ATTR`, the
 * application's SQLAlchemy models rendered as DDL by SQLAlchemy itself
 * (schema_models.py, built in as rt_py_schema_models, run with the
 * project's Python), and `exec:COMMAND`,
 * any command that prints the schema as SQL.  The output becomes one piece
 * of a schema source, loaded into the scratch space like schema.sql; it is
 * never run against the real database.
 */
#include "schema_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyhelpers.h"
#include "../lib/proc.h"
#include "../lib/sqllex.h"
#include "../lib/xalloc.h"
#include "../schema/model.h"


int rt_schema_is_program(const char *spec)
{
	return !strncmp(spec, "python:", 7) || !strncmp(spec, "exec:", 5);
}

/*
 * Which statements of a program's DDL the comparison covers, per dialect:
 * the DDL is loaded into the scratch space whole, but only what that
 * database's catalog reader reads back (db/sqlite_schema.c, pg_schema.c,
 * mysql_schema.c) is compared.  A prefix of the statement's first words
 * (rt_sql_words) covers it; `with` is more text those words must hold.
 * Temporary objects are never read back.
 */
struct covered {
	const char *prefix, *with;
};

/* SQLite stores every table (a virtual one too), index, view and trigger
 * as its DDL, which ALTER TABLE rewrites in place. */
static const struct covered sqlite_covered[] = {
	{ "CREATE TABLE", NULL }, { "CREATE VIRTUAL TABLE", NULL }, { "CREATE INDEX", NULL },
	{ "CREATE UNIQUE INDEX", NULL }, { "CREATE VIEW", NULL }, { "CREATE TRIGGER", NULL },
	{ "ALTER TABLE", NULL }, { NULL, NULL },
};

/* PostgreSQL: ordinary tables (not partitioned ones: statement_covered), their
 * columns, constraints and comments, indexes, views, free sequences and
 * enum types; no triggers.  ALTER TABLE is looked at action by action
 * (pg_alter_uncovered). */
static const struct covered pg_covered[] = {
	{ "CREATE TABLE", NULL }, { "CREATE INDEX", NULL }, { "CREATE UNIQUE INDEX", NULL },
	{ "CREATE VIEW", NULL }, { "CREATE OR REPLACE VIEW", NULL }, { "CREATE SEQUENCE", NULL },
	{ "CREATE TYPE", " AS ENUM" }, { "COMMENT ON TABLE", NULL }, { "COMMENT ON COLUMN", NULL },
	{ "SET", NULL }, { NULL, NULL },
};

/* MySQL: tables as SHOW CREATE TABLE prints them, so every ALTER TABLE
 * lands in what is compared; views; no triggers, routines, events or
 * MariaDB sequences. */
static const struct covered mysql_covered[] = {
	{ "CREATE TABLE", NULL }, { "CREATE INDEX", NULL }, { "CREATE UNIQUE INDEX", NULL },
	{ "CREATE FULLTEXT INDEX", NULL }, { "CREATE SPATIAL INDEX", NULL },
	{ "CREATE VIEW", NULL }, { "CREATE OR REPLACE VIEW", NULL }, { "ALTER TABLE", NULL },
	{ "SET", NULL }, { NULL, NULL },
};

/* Do the words start with `prefix`, a whole word at its end? */
static int starts_with_words(const char *words, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncmp(words, prefix, n) && (words[n] == ' ' || !words[n]);
}

/* Is `word` one of a statement's tokens outside parentheses? */
static int top_level_word(const char *sql, size_t len, const char *word)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	int depth = 0;
	rt_sql_lexer_init(&lx, sql, len, 0);
	while (rt_sql_next(&lx, &t)) {
		if (t.kind == RT_SQL_PUNCT)
			depth += sql[t.off] == '(' ? 1 : sql[t.off] == ')' ? -1 : 0;
		else if (!depth && rt_sql_tok_is(sql, &t, word))
			return 1;
	}
	return 0;
}

/* Is the token one of these words? */
static int tok_in(const char *sql, const struct rt_sql_tok *t, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (rt_sql_tok_is(sql, t, words[i]))
			return 1;
	return 0;
}

/* An ALTER TABLE action, from its first token `t` on: does it change only
 * columns and constraints, which PostgreSQL's comparison reads? */
static int pg_action_covered(const char *sql, struct rt_sql_lexer lx, struct rt_sql_tok t)
{
	static const char *const whole[] = { "ADD", "DROP", "RENAME", "VALIDATE", NULL };
	static const char *const set[] = { "DATA", "DEFAULT", "NOT", "GENERATED", NULL };
	static const char *const drop[] = { "DEFAULT", "NOT", "IDENTITY", "EXPRESSION", NULL };
	struct rt_sql_tok a, b;
	if (tok_in(sql, &t, whole))
		return 1;
	if (!rt_sql_tok_is(sql, &t, "ALTER") || !rt_sql_next(&lx, &t))
		return 0;
	if (rt_sql_tok_is(sql, &t, "CONSTRAINT"))
		return 1; /* deferrability: part of pg_get_constraintdef */
	if (rt_sql_tok_is(sql, &t, "COLUMN") && !rt_sql_next(&lx, &t))
		return 0;
	/* t is the column; then what is done to it */
	if (!rt_sql_next(&lx, &a))
		return 0;
	if (rt_sql_tok_is(sql, &a, "TYPE"))
		return 1;
	if (!rt_sql_next(&lx, &b))
		return 0;
	return (rt_sql_tok_is(sql, &a, "SET") && tok_in(sql, &b, set)) ||
	       (rt_sql_tok_is(sql, &a, "DROP") && tok_in(sql, &b, drop)) ||
	       (rt_sql_tok_is(sql, &a, "ADD") && rt_sql_tok_is(sql, &b, "GENERATED"));
}

/*
 * PostgreSQL's ALTER TABLE [IF EXISTS] [ONLY] name [*] action, ...: the
 * offset of the first action the comparison does not cover (ENABLE ROW
 * LEVEL SECURITY, OWNER TO, ALTER COLUMN ... SET STATISTICS...), or
 * (size_t)-1 when it covers them all.
 */
static size_t pg_alter_uncovered(const char *sql, size_t len)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok t;
	rt_sql_lexer_init(&lx, sql, len, 0);
	rt_sql_next(&lx, &t); /* ALTER */
	rt_sql_next(&lx, &t); /* TABLE */
	if (!rt_sql_next(&lx, &t))
		return (size_t)-1;
	if (rt_sql_tok_is(sql, &t, "IF") && rt_sql_next(&lx, &t))
		rt_sql_next(&lx, &t);
	if (rt_sql_tok_is(sql, &t, "ONLY"))
		rt_sql_next(&lx, &t);
	/* t is the name, maybe schema-qualified, maybe followed by * */
	rt_sql_next(&lx, &t);
	while (t.kind == RT_SQL_PUNCT && sql[t.off] == '.' && rt_sql_next(&lx, &t))
		rt_sql_next(&lx, &t);
	if (t.kind == RT_SQL_PUNCT && sql[t.off] == '*')
		rt_sql_next(&lx, &t);
	while (t.kind != RT_SQL_END && !(t.kind == RT_SQL_PUNCT && sql[t.off] == ';')) {
		if (!pg_action_covered(sql, lx, t))
			return t.off;
		int depth = 0;
		do {
			if (t.kind == RT_SQL_PUNCT)
				depth += sql[t.off] == '(' ? 1 : sql[t.off] == ')' ? -1 : 0;
		} while (rt_sql_next(&lx, &t) &&
			 !(!depth && t.kind == RT_SQL_PUNCT && (sql[t.off] == ',' || sql[t.off] == ';')));
		if (t.kind == RT_SQL_PUNCT && sql[t.off] == ',')
			rt_sql_next(&lx, &t);
	}
	return (size_t)-1;
}

/*
 * Is the statement (words: its first ones) covered by the comparison on
 * this dialect?  If not, *what names its kind for the note: the first two
 * words ("CREATE TRIGGER"), three for COMMENT ON, and for an ALTER TABLE
 * the first words of the action left out ("ALTER TABLE ... ENABLE ROW
 * LEVEL SECURITY").
 */
static int statement_covered(enum rt_dialect d, const char *sql, size_t len, const char *words,
			     struct strbuf *what)
{
	const struct covered *c = d == RT_DIALECT_PG      ? pg_covered
				  : d == RT_DIALECT_MYSQL ? mysql_covered
							  : sqlite_covered;
	for (; c->prefix; c++) {
		if (!starts_with_words(words, c->prefix) || (c->with && !strstr(words, c->with)))
			continue;
		/* partitioned tables and partitions are not compared */
		if (d == RT_DIALECT_PG && !strcmp(c->prefix, "CREATE TABLE") &&
		    top_level_word(sql, len, "PARTITION")) {
			strbuf_addstr(what, "CREATE TABLE ... PARTITION");
			return 0;
		}
		return 1;
	}
	if (d == RT_DIALECT_PG && starts_with_words(words, "ALTER TABLE")) {
		size_t off = pg_alter_uncovered(sql, len);
		if (off == (size_t)-1)
			return 1;
		char action[128];
		rt_sql_words(sql + off, len - off, 5, action, sizeof(action));
		strbuf_addf(what, "ALTER TABLE ... %s", action);
		return 0;
	}
	if (!*words) { /* it starts with no word: a parenthesis, a quoted name */
		strbuf_addstr(what, "a statement");
		return 0;
	}
	int n = starts_with_words(words, "COMMENT ON") ? 3 : 2;
	const char *e = words;
	for (int k = 0; k < n && (e = strchr(e, ' ')); k++)
		if (k + 1 < n)
			e++;
	strbuf_add(what, words, e ? (size_t)(e - words) : strlen(words));
	return 0;
}

/* The statements the comparison does not read back, as notes. */
static void note_uncovered(struct rt_schema_source *s, const struct rt_script *sc, const char *dialect)
{
	enum rt_dialect d = !strcmp(dialect, "postgresql") ? RT_DIALECT_PG
			    : !strcmp(dialect, "mysql")    ? RT_DIALECT_MYSQL
							   : RT_DIALECT_SQLITE;
	unsigned flags = d == RT_DIALECT_MYSQL ? RT_LEX_MYSQL : 0;
	struct rt_stmts st = { 0 };
	rt_sql_split_ex(sc->text, sc->text_len, flags, &st);
	for (int i = 0; i < st.nr; i++) {
		const char *sql = sc->text + st.v[i].off;
		char words[256];
		struct strbuf what = STRBUF_INIT;
		rt_sql_words_ex(sql, st.v[i].len, 8, flags, words, sizeof(words));
		if (!statement_covered(d, sql, st.v[i].len, words, &what)) {
			int line, col;
			rt_script_position(sc, st.v[i].off, &line, &col);
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "%s:%d: %s ... is loaded into the scratch space, but the "
				    "comparison does not cover it: check it by hand", sc->path, line,
				    what.buf);
			strvec_push(&s->notes, sb.buf);
			strbuf_release(&sb);
		}
		strbuf_release(&what);
	}
	rt_stmts_release(&st);
}

/* The last lines of a failed program's stderr, for the error message. */
static void add_tail(struct strbuf *msg, const char *text)
{
	const char *t = rt_proc_tail(text, 8);
	size_t n = strlen(t);
	while (n && (t[n - 1] == '\n' || t[n - 1] == ' '))
		n--;
	if (n)
		strbuf_addf(msg, ":\n%.*s", (int)n, t);
	else
		strbuf_addstr(msg, ", printing nothing on stderr");
}

/*
 * Say how the program failed.  The models helper exits 3 (4: its Python
 * lacks SQLAlchemy, so the hint names the python setting) with one line of
 * its own ("retort: ..."): that line is the message; otherwise the exit
 * status and the last lines of stderr (a Python traceback ends with the
 * exception).
 */
static int program_failed(const char *spec, int py, const struct rt_proc_result *r,
			  struct rt_error *err)
{
	struct strbuf msg = STRBUF_INIT;
	const char *last = rt_proc_tail(r->err.buf, 1);
	int own = py && r->exited && (r->status == 3 || r->status == 4) &&
		  !strncmp(last, "retort: ", 8);
	if (own) {
		strbuf_addf(&msg, "schema %s: %s", spec, last + 8);
	} else {
		if (r->exited)
			strbuf_addf(&msg, "schema %s failed with exit status %d", spec, r->status);
		else
			strbuf_addf(&msg, "schema %s was killed by signal %d", spec, r->status);
		add_tail(&msg, r->err.buf);
	}
	strbuf_rtrim(&msg);
	rt_error_hinted(err, RT_EXIT_ERROR, own && r->status == 4 ? RT_HINT_PYTHON : RT_HINT_NONE,
			"%s", msg.buf);
	strbuf_release(&msg);
	return -1;
}

int rt_schema_source_program(struct rt_schema_source *s, const char *spec, const char *python,
			     const struct strvec *sys_path, const char *dialect, struct rt_error *err)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf env_dialect = STRBUF_INIT;
	int py = !strncmp(spec, "python:", 7);
	if (py) {
		strvec_push(&argv, python);
		strvec_push(&argv, "-c");
		strvec_push(&argv, rt_py_schema_models);
		strvec_push(&argv, dialect);
		strvec_push(&argv, spec + 7);
		for (size_t i = 0; sys_path && i < sys_path->nr; i++)
			strvec_push(&argv, sys_path->v[i]);
	} else {
		strvec_push(&argv, "/bin/sh");
		strvec_push(&argv, "-c");
		strvec_push(&argv, spec + 5);
	}
	strbuf_addf(&env_dialect, "RETORT_DIALECT=%s", dialect);
	const char *env[] = { env_dialect.buf, NULL };
	struct rt_proc_result r;
	rt_proc_result_init(&r);
	int rc = rt_proc_run((const char *const *)argv.v, env, &r, err);
	if (rc && py)
		err->hint = RT_HINT_PYTHON;
	if (!rc && (!r.exited || r.status))
		rc = program_failed(spec, py, &r, err);
	if (!rc && !r.out.len)
		rc = rt_error_set(err, RT_EXIT_ERROR, "schema %s printed no SQL on stdout", spec);
	if (!rc) {
		s->files = xrealloc(s->files, (size_t)(s->nfiles + 1) * sizeof(*s->files));
		struct rt_script *sc = &s->files[s->nfiles++];
		rt_script_init(sc);
		sc->path = xstrdup(spec);
		sc->text_len = r.out.len;
		sc->text = strbuf_detach(&r.out);
		note_uncovered(s, sc, dialect);
		rt_schema_source_whole_files(s);
	}
	rt_proc_result_release(&r);
	strvec_clear(&argv);
	strbuf_release(&env_dialect);
	return rc ? -1 : 0;
}
