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


int rt_schema_is_program(const char *spec)
{
	return !strncmp(spec, "python:", 7) || !strncmp(spec, "exec:", 5);
}

/*
 * The statements the comparison does not read back, as notes: the DDL is
 * loaded into the scratch space whole, but only the kinds the catalog
 * readers know (tables, columns, constraints, indexes, views, triggers,
 * sequences, enum types, comments) are compared.
 */
static void note_uncovered(struct rt_schema_source *s, const struct rt_script *sc)
{
	static const char *const covered[] = {
		"CREATE TABLE", "CREATE INDEX", "CREATE UNIQUE", "CREATE VIEW", "CREATE TRIGGER",
		"CREATE SEQUENCE", "CREATE TYPE", "COMMENT ON", "ALTER TABLE", "CREATE OR",
		"CREATE TEMP", "CREATE VIRTUAL", "SET ", NULL,
	};
	struct rt_stmts st = { 0 };
	rt_sql_split(sc->text, sc->text_len, &st);
	for (int i = 0; i < st.nr; i++) {
		char words[256], *sp;
		rt_sql_words(sc->text + st.v[i].off, st.v[i].len, 8, words, sizeof(words));
		int ok = 0;
		for (int k = 0; covered[k] && !ok; k++)
			ok = !strncmp(words, covered[k], strlen(covered[k]));
		/* CREATE TYPE ... AS ENUM only; CREATE OR REPLACE VIEW only */
		if (ok && !strncmp(words, "CREATE TYPE", 11))
			ok = strstr(words, " AS ENUM") != NULL;
		if (ok && !strncmp(words, "CREATE OR", 9))
			ok = strstr(words, " VIEW ") != NULL;
		if (ok)
			continue;
		/* name the kind by its first two words */
		if ((sp = strchr(words, ' ')) && (sp = strchr(sp + 1, ' ')))
			*sp = 0;
		int line, col;
		rt_script_position(sc, st.v[i].off, &line, &col);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s:%d: %s ... is loaded into the scratch space, but the comparison "
			    "does not cover it: check it by hand", sc->path, line, words);
		strvec_push(&s->notes, sb.buf);
		strbuf_release(&sb);
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
		note_uncovered(s, sc);
		rt_schema_source_whole_files(s);
	}
	rt_proc_result_release(&r);
	strvec_clear(&argv);
	strbuf_release(&env_dialect);
	return rc ? -1 : 0;
}
