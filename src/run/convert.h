/*
 * retort convert: .sql twins for Alembic's .py revisions, rendered by the
 * project's own Python, Alembic and env.py.
 *
 * rt_convert_run() runs the driver (src/run/convert_driver.py, built into
 * the binary as rt_py_convert_driver) under a Python that can import
 * Alembic, reads its records and turns each revision's two scripts into
 * retort's two sections: Alembic's BEGIN/COMMIT and the version-table
 * statements are removed; a section in which Alembic committed and began
 * again (op.get_context().autocommit_block()) becomes one transaction:false
 * section, run statement by statement.  rt_convert_write() then writes the
 * .sql file beside the .py, never over an existing file.
 */
#ifndef RT_CONVERT_H
#define RT_CONVERT_H

#include "../lib/error.h"
#include "../lib/script.h"
#include "../lib/strvec.h"


struct rt_convert_opts {
	const char *python;   /* the interpreter; NULL: python3 on PATH, then /usr/bin/python3 */
	const char *ini;      /* alembic.ini */
	const char *section;  /* its section ("alembic") */
	/* the script directory retort resolved, which Alembic is given (an
	 * alembic.ini may have none: Flask-Migrate's); NULL: the ini's own */
	const char *script_location;
	const char *dialect;  /* "sqlite" or "postgresql" */
	const char *dev_url;  /* the scratch database to record against, or NULL */
};

/* One section of a converted revision. */
struct rt_convert_section {
	char *sql;              /* the statements, each ending in ";\n" */
	int transactional;
	struct strvec warnings; /* "reason (file:line)", one per construct to review */
};

struct rt_convert_rev {
	char *id;
	struct rt_convert_section up, down;
	int irreversible;       /* downgrade() raises NotImplementedError */
	int done;               /* both sections were rendered */
	int needs_dev;          /* offline rendering cannot work */
	char *refused;          /* why it was not converted, or NULL */
	struct strvec flags;    /* "file:line: reason" for the summary */
};

struct rt_convert {
	struct rt_convert_rev *revs;
	int n;
	char *python;           /* the interpreter that ran */
	char *version_table;
};

void rt_convert_release(struct rt_convert *c);

/*
 * Run the driver for the revisions `scripts[0..n)` (each with py_path).
 * Fails (and converts nothing) when no Python can import Alembic, or the
 * driver fails as a whole (alembic.ini or env.py unreadable); a revision
 * that fails alone is marked refused in `out`.
 */
int rt_convert_run(const struct rt_convert_opts *o, const struct rt_script *const *scripts, int n,
		   struct rt_convert *out, struct rt_error *err);

/* One of Alembic's scripts (`text`) as a section: its statements but
 * BEGIN/COMMIT and those on the version table `vtable` (maybe quoted or
 * schema-qualified); not transactional when a statement follows a COMMIT
 * before the next BEGIN (an autocommit_block).  Replaces s->sql. */
void rt_convert_section_from(const char *text, size_t len, const char *vtable,
			     struct rt_convert_section *s);

/* The .sql text of a converted revision: the header of `s`, then the sections. */
char *rt_convert_render(const struct rt_script *s, const struct rt_convert_rev *r);
/* The twin's path: the .py path with .sql for .py. */
char *rt_convert_sql_path(const struct rt_script *s);
/* Write `text` to `path`, which must not exist (never overwritten). */
int rt_convert_write(const char *path, const char *text, struct rt_error *err);

#endif
