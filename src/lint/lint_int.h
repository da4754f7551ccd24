/*
 * Inside the linter: what the engine (lint.c) shares with the rules of a
 * dialect (rules_pg.c, rules_sqlite.c): the migration being linted, the
 * statement being looked at, and the one way to report a finding.
 */
#ifndef RT_LINT_INT_H
#define RT_LINT_INT_H

#include "lint.h"

struct lint_ignore {
	int line;
	const struct rt_lint_rule *rule;  /* NULL: malformed (reported, silences nothing) */
};

/* One migration's upgrade section under lint. */
struct lint_mig {
	struct rt_lint *l;
	const struct rt_script *s;
	const struct rt_section *sec;
	char *body;                 /* the section's text, NUL-terminated */
	size_t body_len;
	unsigned lex_flags;         /* RT_LEX_SQLITE for SQLite's quoting rules */
	struct lint_ignore *ign;
	int nign;
	/* what this migration created: not "existing" for the rules */
	struct strvec new_tables, new_indexes, new_types;
	/* existing types this migration dropped or renamed away */
	struct strvec gone_types;
	int lock_timeout;           /* a SET lock_timeout has run */
	int lock_reported;          /* lock-timeout said once per migration */
	/* the statement under lint: its first token and its end */
	size_t stmt_off, stmt_end;
	int stmt_line;
};

/* Report rule `id` at byte `off` of the section body, unless an ignore
 * above the current statement silences it.  `fmt` says what happens; the
 * rule's alternative is appended. */
void lint_report(struct lint_mig *m, const char *id, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Is `name` in `v`? */
int lint_has(const struct strvec *v, const char *name);

/* Offset of the first token at or after `from` (within the statement)
 * that spells identifier `name`, or `from` when there is none. */
size_t lint_find_name(const struct lint_mig *m, size_t from, const char *name);
/* The offset just past that token, or `from` when there is none. */
size_t lint_after_name(const struct lint_mig *m, size_t from, const char *name);

/* The upgrade SQL of `m` through PostgreSQL's parser and rules (rules_pg.c). */
void lint_pg_section(struct lint_mig *m);
/* The upgrade SQL of `m` through SQLite's parser and rules (rules_sqlite.c). */
void lint_sqlite_section(struct lint_mig *m);
/* Open the scratch connection of `l` if it is not open yet. */
int lint_sqlite_open(struct rt_lint *l, struct rt_error *err);
/* Close it (rt_lint_release). */
void lint_sqlite_close(struct rt_lint *l);
/* Start a statement whose text begins at or after byte `loc`: finds its
 * first token and line (engine, lint.c). */
void lint_begin_stmt(struct lint_mig *m, size_t loc, size_t end);

#endif
