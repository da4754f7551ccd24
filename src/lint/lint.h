/*
 * The migration linter: reads each migration's upgrade SQL with the real
 * PostgreSQL parser (libpg_query), or SQLite's own parser through a
 * scratch in-memory connection, and reports the statements that lock a
 * busy table for long, rewrite it, lose data or break the application
 * still running against it, each as a finding with a rule, a level and a
 * position (file:line:col) in the migration file.
 *
 * Migrations are linted in the order they would run, through one
 * struct rt_lint, because some facts carry from one to the next (a CHECK
 * (col IS NOT NULL) validated in one migration makes a later SET NOT NULL
 * cheap).  "Existing" tables, indexes and types are those the migration
 * did not create itself: earlier migrations and the database already have
 * them, or the statement would fail.
 *
 * A statement's findings are silenced by comments on the lines right
 * above it:
 *
 *   -- retort:lint-ignore drop-column the column is unused since v2.3
 *
 * A reason is required; an ignore without one, or naming an unknown rule,
 * is itself a finding (rule lint-ignore) and silences nothing.
 *
 * Library code: nothing here prints; rt_lint_render() formats findings
 * into a buffer for the command layer.
 */
#ifndef RT_LINT_H
#define RT_LINT_H

#include <stddef.h>

#include "../lib/error.h"
#include "../lib/script.h"
#include "../lib/strbuf.h"
#include "../lib/strvec.h"

enum rt_lint_level { RT_LINT_WARNING = 1, RT_LINT_ERROR = 2 };

/* The dialects a rule applies to (a bit mask). */
#define RT_LINT_PG     1u
#define RT_LINT_SQLITE 2u

struct rt_lint_rule {
	const char *id;
	enum rt_lint_level level;
	unsigned dialects;    /* RT_LINT_PG, RT_LINT_SQLITE */
	const char *summary;  /* what the rule catches, one line */
	const char *instead;  /* the safe alternative, appended to each finding */
};

/* The rules, in documentation order; the last entry has a NULL id. */
extern const struct rt_lint_rule rt_lint_rules[];
const struct rt_lint_rule *rt_lint_rule_find(const char *id);

struct rt_lint_finding {
	const struct rt_lint_rule *rule;
	char *path;
	char *revision;
	int line, col;
	char *msg;            /* what happens, then "; " and the rule's `instead` */
};

struct rt_lint_opts {
	/* retort sets lock_timeout on its PostgreSQL session (the
	 * ddl_lock_timeout setting): every migration then has one */
	int session_lock_timeout;
};

struct rt_lint {
	struct rt_lint_opts opts;
	struct rt_lint_finding *v;
	int nr, alloc;
	int errors, warnings, migrations;
	int skipped;          /* Alembic .py revisions without SQL: nothing to lint */
	/* across migrations: NOT VALID checks "table\tname\tcolumn" of the form
	 * CHECK (column IS NOT NULL), and validated ones as "table\tcolumn" */
	struct strvec notnull_checks, notnull_valid;
	/* SQLite: the scratch in-memory connection (a sqlite3 *) every
	 * migration's upgrade runs in, in plan order; NULL until first used */
	void *scratch;
};

void rt_lint_init(struct rt_lint *l, const struct rt_lint_opts *opts);
void rt_lint_release(struct rt_lint *l);

/* Lint the upgrade section of one PostgreSQL migration, adding findings
 * (a syntax error is a finding too).  An Alembic .py revision without SQL
 * is counted in `skipped`.  Never fails (returns 0); `err` keeps the
 * signature of rt_lint_script_sqlite, which can. */
int rt_lint_script_pg(struct rt_lint *l, const struct rt_script *s, struct rt_error *err);

/* Lint the upgrade section of one SQLite migration with SQLite's own
 * parser: each statement is prepared on the scratch connection (opened on
 * first use, closed by rt_lint_release) under an authorizer that says
 * what it does, checked against the scratch catalog, then run there, so
 * the next migration sees the schema this one leaves.  Fails only when
 * the scratch connection cannot be opened (or retort was built without
 * SQLite). */
int rt_lint_script_sqlite(struct rt_lint *l, const struct rt_script *s, struct rt_error *err);
/* Run one SQLite migration's upgrade on the scratch connection without
 * linting it: the migrations applied before the linted ones, so that
 * "existing" tables and their foreign keys are known.  Statements that
 * fail are skipped. */
int rt_lint_replay_sqlite(struct rt_lint *l, const struct rt_script *s, struct rt_error *err);

enum rt_lint_format { RT_LINT_TEXT, RT_LINT_JSON, RT_LINT_GITHUB };
/* "text", "json" or "github"; -1 for anything else. */
int rt_lint_format_parse(const char *name);
/* Every finding in `format`: text lines "file:line:col: RULE: message",
 * one JSON object, or GitHub workflow commands ("::error file=...::"). */
void rt_lint_render(const struct rt_lint *l, enum rt_lint_format format, struct strbuf *out);

/* "15.1": the PostgreSQL release whose grammar libpg_query carries (--version). */
const char *rt_lint_parser_version(void);

/* Byte `off` of section `sec`'s body (where the parser's locations
 * count from) as a 1-based line and column (bytes) of the script file. */
void rt_lint_locate(const struct rt_script *s, const struct rt_section *sec, size_t off,
		    int *line, int *col);

#endif
