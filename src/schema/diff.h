/*
 * Comparing two schema models and writing the SQL that turns one into the
 * other (autogenerate, check, diff, dump).  Each dialect has its own
 * writer (diff_sqlite.c, diff_pg.c, diff_mysql.c); the downgrade of a change is the same
 * comparison with the sides swapped.
 */
#ifndef RT_SCHEMA_DIFF_H
#define RT_SCHEMA_DIFF_H

#include "../lib/strbuf.h"
#include "../lib/strvec.h"
#include "model.h"

struct rt_schema_diff {
	struct strbuf sql;       /* statements, each ending ";\n", with "--" notes */
	struct strvec changes;   /* one line per difference, e.g. "table users: column phone missing" */
	int destructive;         /* something that holds data is dropped or retyped */
	int manual;              /* a change was left for the author (see the notes) */
};

void rt_schema_diff_init(struct rt_schema_diff *d);
void rt_schema_diff_release(struct rt_schema_diff *d);

/*
 * The SQL that turns `from` into `to` (both of one dialect): objects are
 * created referenced-first and dropped in reverse.  "missing" in a change
 * line means `to` has it and `from` has not; "unexpected" the other way.
 * Nothing is written when the two are alike.
 */
void rt_schema_diff(const struct rt_schema *from, const struct rt_schema *to,
		    struct rt_schema_diff *out);

/* The SQL that creates `s` from nothing: the diff from an empty schema. */
void rt_schema_dump(const struct rt_schema *s, struct strbuf *out);

#endif
