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

/* Point out a dropped and an added column of one type: maybe a rename. */
void diff_rename_hints(struct rt_schema_diff *d, const struct rt_table *from,
		       const struct rt_table *to, const char *rename_fmt);

/* Point out a dropped table whose column types match a created one's
 * (want_new[j] marks the created tables of `to`): maybe a rename. */
void diff_table_rename_hints(struct rt_schema_diff *d, const struct rt_table *gone,
			     const struct rt_schema *to, const int *want_new);

/* DROP TABLE `gone`, after its rename hints and a data-loss warning. */
void diff_drop_table(struct rt_schema_diff *d, const struct rt_table *gone,
		     const struct rt_schema *to, const int *want_new);

void diff_sqlite(const struct rt_schema *from, const struct rt_schema *to, struct rt_schema_diff *d);
void diff_mysql(const struct rt_schema *from, const struct rt_schema *to, struct rt_schema_diff *d);
void diff_pg(const struct rt_schema *from, const struct rt_schema *to, struct rt_schema_diff *d);

#endif
