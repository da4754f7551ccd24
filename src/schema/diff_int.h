/* Shared by the dialect writers of diff.c: statements, notes, change lines. */
#ifndef RT_SCHEMA_DIFF_INT_H
#define RT_SCHEMA_DIFF_INT_H

#include "diff.h"

/* Append one statement, printf-style, ending it with ";\n". */
void diff_stmt(struct rt_schema_diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a "-- " note line. */
void diff_note(struct rt_schema_diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record a change line. */
void diff_change(struct rt_schema_diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Indexes, views, triggers or sequences of `from` and `to` that differ:
 * gone[i] for from's i-th (absent or changed in `to`), added[j] for to's j-th. */
void diff_objects(const struct rt_object *fv, int fn, const struct rt_object *tv, int tn,
		  char *gone, char *added);

/* The change lines of the views diff_objects marked (gone: f's, added: t's). */
void diff_view_changes(struct rt_schema_diff *d, const struct rt_schema *f, const struct rt_schema *t,
		       const char *gone, const char *added);

/* Point out a dropped and an added column of one type: maybe a rename. */
void diff_rename_hints(struct rt_schema_diff *d, const struct rt_table *from,
		       const struct rt_table *to, const char *rename_fmt);

/* Point out a dropped table whose column types match a created one's
 * (want_new[j] marks the created tables of `to`): maybe a rename. */
void diff_table_rename_hints(struct rt_schema_diff *d, const struct rt_table *gone,
			     const struct rt_schema *to, const int *want_new);

/* ALTER TABLE ... DROP COLUMN, after a data-loss warning. */
void diff_drop_column(struct rt_schema_diff *d, const struct rt_table *t, const struct rt_column *c);

/* DROP TABLE `gone`, after its rename hints and a data-loss warning. */
void diff_drop_table(struct rt_schema_diff *d, const struct rt_table *gone,
		     const struct rt_schema *to, const int *want_new);

void diff_sqlite(const struct rt_schema *from, const struct rt_schema *to, struct rt_schema_diff *d);
/* Do two optional texts differ (one NULL and not the other, or unequal)? */
int diff_differs(const char *a, const char *b);
/* A constraint that table `other` lacks or defines differently. */
int diff_con_gone(const struct rt_constraint *c, const struct rt_table *other);
/* Can new table t's foreign key c be written inline: does the table it
 * references exist by the time t is created (rank: creation order of ts)? */
int diff_fk_inline(const struct rt_schema *f, const struct rt_schema *ts, const struct rt_table *t,
		   const struct rt_constraint *c, const int *rank);
/* Drop the tables of f that `gone` marks, referencing tables first; a
 * foreign key into a table dropped earlier (a cycle) goes first, by
 * drop_fk_fmt ("ALTER TABLE %s DROP CONSTRAINT %s": table, key). */
void diff_drop_tables(struct rt_schema_diff *d, const struct rt_schema *f, const struct rt_schema *t,
		      const int *gone, const int *fresh, const char *drop_fk_fmt);

void diff_mysql(const struct rt_schema *from, const struct rt_schema *to, struct rt_schema_diff *d);
void diff_pg(const struct rt_schema *from, const struct rt_schema *to, struct rt_schema_diff *d);

#endif
