/*
 * A database schema as a model: what the catalogs of one database say
 * about its tables, columns, constraints, indexes, views and types.  The
 * drivers fill it (db/sqlite_schema.c, db/pg_schema.c, db/mysql_schema.c) from a live
 * database or from DDL loaded into a scratch space; diff.c compares two
 * models and writes the SQL that turns one into the other.
 *
 * Every object has its name as the database stores it (`name`, for
 * messages and matching) and as SQL must spell it (`q`, quoted only when
 * needed).  Text that the database produced in canonical form (PostgreSQL's
 * format_type, pg_get_*def; MySQL's SHOW CREATE TABLE) is compared as is;
 * MySQL's fields are laid out in db/mysql_schema.c.  SQLite keeps DDL as written,
 * so its texts are normalized first (rt_sql_normalize).  Lists are kept
 * sorted by name so that output is deterministic.
 */
#ifndef RT_SCHEMA_MODEL_H
#define RT_SCHEMA_MODEL_H

#include <stddef.h>

#include "../lib/sqlquote.h"
#include "../lib/strbuf.h"
#include "../lib/strvec.h"

enum rt_dialect { RT_DIALECT_SQLITE, RT_DIALECT_PG, RT_DIALECT_MYSQL };

struct rt_column {
	char *name, *q;
	char *def;        /* SQLite: the whole column definition, normalized;
			     MySQL: the definition after the name, as the server prints it */
	char *sql;        /* SQLite: the definition as written */
	char *type;       /* as the database spells it (PostgreSQL: format_type) */
	int notnull;
	char *dflt;       /* default expression, or NULL */
	char identity;    /* PostgreSQL: 'a' (always), 'd' (by default) or 0 */
	char *generated;  /* generation expression of a stored generated column */
	int serial;       /* PostgreSQL: type is serial/bigserial/smallserial */
	char *comment;
};

/* kind: 'p' primary key, 'u' unique, 'f' foreign key, 'c' check, 'x' exclusion */
struct rt_constraint {
	char *name, *q;   /* SQLite constraints have no catalog name, so they match
			     by definition: name = def, q = the constraint as written */
	char *declared;   /* SQLite: the name given after CONSTRAINT, or NULL */
	char kind;
	char *def;        /* "FOREIGN KEY (a) REFERENCES t(id) ON DELETE CASCADE" */
	char *ref;        /* foreign key: the referenced table's name */
};

/* Indexes, views, triggers, sequences: a name, a definition to compare and
 * the statement that creates it. */
struct rt_object {
	char *name, *q;
	char *table;      /* indexes and triggers: the table's name */
	char *def;        /* compared */
	char *sql;        /* CREATE ... (no trailing semicolon) */
};

struct rt_table {
	char *name, *q;
	struct rt_column *cols;
	int ncols;
	struct rt_constraint *cons;
	int ncons;
	char *comment;    /* MySQL: the literal as the server prints it ('it''s') */
	char *sql;        /* SQLite: CREATE TABLE as stored */
	char *options;    /* SQLite: "WITHOUT ROWID", "STRICT" (normalized), or NULL;
			     MySQL: "ENGINE=InnoDB DEFAULT CHARSET=... COLLATE=..." */
};

struct rt_enum {
	char *name, *q;
	struct strvec labels;   /* in sort order */
};

struct rt_schema {
	enum rt_dialect dialect;
	struct rt_table *tables;
	int ntables, atables;
	struct rt_object *indexes, *views, *triggers, *sequences;
	int nindexes, nviews, ntriggers, nsequences;
	int aindexes, aviews, atriggers, asequences;
	struct rt_enum *enums;
	int nenums, aenums;
};

void rt_schema_init(struct rt_schema *s, enum rt_dialect d);
void rt_schema_release(struct rt_schema *s);

/* Append an empty element (zeroed) and return it. */
struct rt_table *rt_schema_add_table(struct rt_schema *s, const char *name, const char *q);
struct rt_column *rt_table_add_column(struct rt_table *t, const char *name, const char *q);
struct rt_constraint *rt_table_add_constraint(struct rt_table *t, const char *name, const char *q,
					      char kind, const char *def);
struct rt_object *rt_schema_add_object(struct rt_object **v, int *n, int *alloc, const char *name,
				       const char *q);
struct rt_enum *rt_schema_add_enum(struct rt_schema *s, const char *name, const char *q);

/* Sort every list by name (the drivers call this last). */
void rt_schema_sort(struct rt_schema *s);

/* Lookups by name; NULL/-1 when absent. */
const struct rt_table *rt_schema_table(const struct rt_schema *s, const char *name);
const struct rt_column *rt_table_column(const struct rt_table *t, const char *name);
const struct rt_constraint *rt_table_constraint(const struct rt_table *t, const char *name);
const struct rt_object *rt_object_find(const struct rt_object *v, int n, const char *name);
const struct rt_enum *rt_schema_enum(const struct rt_schema *s, const char *name);

/*
 * The order in which to create the tables of `s` that `want` selects
 * (want[i] for s->tables[i]; NULL: all): referenced tables before the
 * tables whose foreign keys point at them, ties by name.  Tables in a
 * cycle come last, by name.  Returns indexes into s->tables.
 */
int *rt_schema_table_order(const struct rt_schema *s, const int *want, int *n);

/*
 * Normalize a piece of SQL text for comparison: comments dropped, white
 * space collapsed to one space where it separates words, unquoted words
 * and plainly quoted identifiers ("users") upper-cased, string literals
 * kept.  "create table  \"users\"(id int)" and "CREATE TABLE users (ID INT)"
 * normalize alike.  Tokens follow lib/sqllex.h with SQLite's rules
 * (RT_LEX_SQLITE: `name` and [name], comments that do not nest), as this
 * is for the DDL that SQLite stores; dollar-quoted strings are kept whole.
 */
char *rt_sql_normalize(const char *sql, size_t len);

/* Is `word` (a word or a quoted name, as rt_sql_normalize writes them) one
 * of the tokens of normalized text?  Text inside strings never matches. */
int rt_sql_has_word(const char *norm, const char *word);

#endif
