/*
 * Alembic's .py revision files, read without running Python.
 *
 * Alembic imports each .py module of the version locations and reads four module-level
 * variables and the module docstring.  retort reads the same facts from
 * the source text:
 *
 *   """Add users table                  <- the docstring: longdoc (stripped),
 *                                          doc is its first paragraph
 *   Revision ID: 3f2a9c1b7d4e
 *   """
 *   revision = '3f2a9c1b7d4e'
 *   down_revision: Union[str, Sequence[str], None] = ("1a2b", "9c8d")
 *   branch_labels = None
 *   depends_on = ['5e6f']
 *
 * An assignment may carry a type annotation; its value is None, a string
 * literal (any quotes and prefixes but b and f, adjacent literals joined),
 * or a tuple or list of string literals, parenthesised over several lines
 * or not.  Only statements at the module's top level count; a later
 * assignment wins, as in Python.  Any other value (a name, a call...)
 * cannot be read statically and is an error naming file:line:col and what
 * was expected.  The rest of the file is Python that retort never runs.
 */
#ifndef RT_PYREV_H
#define RT_PYREV_H

#include <stddef.h>

#include "error.h"
#include "script.h"

/*
 * Parse `text` (taken over, as rt_script_parse does) read from `path`
 * into `s`: id, down, labels, deps, their lines, longdoc and doc.  The
 * script has no SQL (s->has_sql is 0, no sections).  A file without a
 * `revision` variable takes its id from a hexadecimal file name, as
 * Alembic's legacy rule does, or is an error.
 */
int rt_pyrev_parse(struct rt_script *s, const char *path, char *text, size_t len,
		   struct rt_error *err);
/* Read and parse a file. */
int rt_pyrev_load(struct rt_script *s, const char *path, struct rt_error *err);

#endif
