/*
 * Where a desired schema comes from: the declarative schema files (one
 * .sql file, or every .sql file of a directory in name order), or the
 * upgrade sections of every revision from base to the heads.  Either is a
 * list of SQL pieces with their files, loaded by a driver into a scratch
 * space and read back as a model; a failure names file:line:col.
 */
#ifndef RT_SCHEMA_SOURCE_H
#define RT_SCHEMA_SOURCE_H

#include "../db/driver.h"
#include "../lib/error.h"
#include "../lib/graph.h"
#include "../lib/script.h"
#include "../lib/strvec.h"
#include "../schema/model.h"

struct rt_schema_source {
	struct rt_script *files;     /* owned: the schema files read */
	int nfiles;
	const struct rt_script **sc; /* each piece: its file and section */
	const struct rt_section **sec;
	struct rt_section whole;     /* the section of a whole schema file */
	int n;
	struct strvec notes;         /* for the command layer: what is not compared */
};

void rt_schema_source_init(struct rt_schema_source *s);
void rt_schema_source_release(struct rt_schema_source *s);

/* The schema file, or the .sql files of the directory, at `path`. */
int rt_schema_source_files(struct rt_schema_source *s, const char *path, struct rt_error *err);
/* Is `spec` a schema program (python:MODULE:ATTR or exec:COMMAND)? */
int rt_schema_is_program(const char *spec);
/*
 * A schema program's output as the schema, for `dialect` ("sqlite",
 * "postgresql", "mysql"): python:MODULE:ATTR runs `python` (with the
 * folders of `sys_path` first on sys.path) to render the models' DDL with
 * SQLAlchemy; exec:COMMAND runs COMMAND with /bin/sh, RETORT_DIALECT set
 * to the dialect.  A failure to start, a non-zero exit or an empty output
 * is an error quoting the end of its stderr.  Statements of kinds the
 * comparison does not read back are named in s->notes.
 */
int rt_schema_source_program(struct rt_schema_source *s, const char *spec, const char *python,
			     const struct strvec *sys_path, const char *dialect, struct rt_error *err);
/* Make every file read so far one whole piece (after the last is read:
 * pieces point into s->files). */
void rt_schema_source_whole_files(struct rt_schema_source *s);
/* The upgrade sections that `upgrade heads` would run on an empty database. */
int rt_schema_source_head(struct rt_schema_source *s, const struct rt_graph *g, struct rt_error *err);

/* Load the pieces into `db`'s scratch space and read the model back. */
int rt_schema_source_read(struct rt_db *db, const struct rt_schema_source *s, struct rt_schema *out,
			  struct rt_error *err);

#endif
