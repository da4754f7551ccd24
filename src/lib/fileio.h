/*
 * Reading a whole file into memory: migration scripts, the declarative
 * schema, the revision template, DATABASE_URL_FILE.  One reader, with one
 * way of saying what went wrong: the path and the system's reason, or
 * that the file is over the caller's size limit (never a silent cut).
 */
#ifndef RT_FILEIO_H
#define RT_FILEIO_H

#include <stddef.h>

#include "error.h"
#include "strbuf.h"

#define RT_READ_NO_LIMIT ((size_t)-1)

/*
 * Append the whole file at `path` to `out` (usually empty; then its buffer
 * is sized to the file, not rounded up).  More than `max` bytes is an
 * error.  Reads until read() reports the end, so pipes and FIFOs work.
 * On failure `out` is as it was and errno tells why (EFBIG: over `max`).
 */
int rt_read_file(const char *path, struct strbuf *out, size_t max, struct rt_error *err);

/*
 * The same for a file known to be a regular file (a migration script):
 * a short read is taken as its end, as it is for regular files, which
 * saves the last read() of every small file.
 */
int rt_read_regular_file(const char *path, struct strbuf *out, size_t max, struct rt_error *err);

/*
 * Is text[0..len), read from `path`, text?  A NUL byte says it is not:
 * err then names the line it is on, or says the file looks like UTF-16 (a
 * byte order mark, or ASCII with every other byte NUL: Windows' "Unicode"
 * editors) and to save it as UTF-8.  `what` ends the message: "migration
 * files are text".  Returns -1 with err filled, else 0.
 */
int rt_text_check(const char *path, const char *text, size_t len, const char *what,
		  struct rt_error *err);

#endif
