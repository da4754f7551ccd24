/*
 * New revision files: ids, slugs, file names from file_template, and the
 * script template DIR/script.sql.tmpl with ${placeholders}.
 */
#ifndef RT_NEWREV_H
#define RT_NEWREV_H

#include <time.h>

#include "config.h"
#include "error.h"
#include "scriptdir.h"
#include "strvec.h"

/* The template used when DIR/script.sql.tmpl is absent, and written by init. */
extern const char rt_default_template[];

/* 12 random lowercase hex characters. */
void rt_new_rev_id(char out[13]);
/* Alembic's slug: the message's word characters joined by '_', lowercased,
 * cut at a '_' to at most `max` characters (plus a trailing '_'). */
char *rt_slugify(const char *message, int max);

/* Local time of creation, or in `tz` (an IANA name); Python's str(datetime). */
struct rt_create_time {
	struct tm tm;
	long usec;
	time_t epoch;
	char text[64];
};
int rt_create_time_now(struct rt_create_time *t, const char *tz, struct rt_error *err);

/* Expand file_template's %(rev)s, %(slug)s, %(year)d, %(month).2d ... */
int rt_format_file_template(const char *tmpl, const char *rev, const char *slug,
			    const struct rt_create_time *t, char **out, struct rt_error *err);
/* Replace ${name} (and ${x.KEY}) in `text`; `$$` is a literal '$'. */
int rt_render_template(const char *text, const char *where, const struct strvec *keys,
		       const struct strvec *vals, char **out, struct rt_error *err);

struct rt_newrev {
	const char *message;          /* NULL: "empty message" */
	const char *rev_id;           /* NULL: random */
	const char *head;             /* NULL: "head" */
	const struct strvec *parents; /* merge: explicit parents (overrides head) */
	int splice;
	const struct strvec *labels;
	const struct strvec *depends_on;
	const char *version_path;
	/* autogenerate: the sections' SQL, as ${upgrades} and ${downgrades}; a
	 * template without those gets them after its section markers */
	const char *upgrades, *downgrades;
};

/* Write a new revision file; *path receives its path. */
int rt_revision_create(const struct rt_config *c, const struct rt_scriptdir *sd,
		       const struct rt_newrev *o, char **path, struct rt_error *err);

#endif
