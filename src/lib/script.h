/*
 * A migration script: one .sql file in DIR/versions (or an Alembic .py
 * revision, read by lib/pyrev.c into the same struct, without SQL).
 *
 *   -- Add users table                 <- message (the "doc"), one or more lines
 *   --
 *   -- Revision ID: 3f2a9c1b7d4e
 *   -- Revises: 1a2b3c4d5e6f           <- empty for a root; "a1, b2" for a merge
 *   -- Create Date: 2026-11-22 10:00:00.000000
 *   -- Branch Labels: core             <- optional
 *   -- Depends On: 9a8b7c6d5e4f        <- optional
 *
 *   -- migrate:upgrade [transaction:false]
 *   ...SQL...
 *   -- migrate:downgrade [transaction:false]
 *   ...SQL...
 *
 * The header is the leading run of "--" comment lines and blank lines; SQL
 * may appear only inside a section.  A missing downgrade section marks the
 * migration irreversible.  Parsing keeps the whole text, so the executor can
 * map an error's byte offset back to a line and column of the file.
 */
#ifndef RT_SCRIPT_H
#define RT_SCRIPT_H

#include <stddef.h>

#include "error.h"
#include "strvec.h"

struct rt_section {
	int present;
	int transactional;  /* 0 when the marker says transaction:false */
	int marker_line;    /* line of the "-- migrate:..." marker */
	size_t off, len;    /* body: bytes after the marker line up to the next marker */
};

struct rt_script {
	char *path;
	char *text;         /* whole file, NUL-terminated */
	size_t text_len;
	char *id;
	int id_line;
	struct strvec down;    /* Revises */
	int down_line;
	struct strvec deps;    /* Depends On */
	int deps_line;
	struct strvec labels;  /* Branch Labels */
	int labels_line;
	char *create_date;     /* or NULL */
	char *longdoc;         /* the whole header comment text */
	char *doc;             /* its first paragraph: the message */
	struct rt_section up, downgrade;
	int has_sql;           /* 0: an Alembic .py revision without a .sql twin */
	char *py_path;         /* the Alembic .py file of this revision, or NULL */
};

void rt_script_init(struct rt_script *s);
void rt_script_release(struct rt_script *s);
/* Parse `text` (taken over: freed by rt_script_release) read from `path`. */
int rt_script_parse(struct rt_script *s, const char *path, char *text, size_t len,
		    struct rt_error *err);
/* Read and parse a file. */
int rt_script_load(struct rt_script *s, const char *path, struct rt_error *err);
/* Read the text of a revision that came from the header cache without it
 * (lib/hdrcache.h); nothing to do when it has its text or no .sql file. */
int rt_script_load_text(struct rt_script *s, struct rt_error *err);
/* Line and column (1-based) of byte offset `off` in the script's text. */
void rt_script_position(const struct rt_script *s, size_t off, int *line, int *col);
/* The longest revision id: alembic_version.version_num is VARCHAR(32). */
#define RT_MAX_REVID 32
/* Check a revision id: not empty, at most RT_MAX_REVID characters, no
 * white space and none of "@-+:,". */
int rt_revid_check(const char *id, const char *where, struct rt_error *err);

#endif
