/*
 * The whole-file reader: open, read into a stack chunk, close.  A small
 * file costs three system calls (four when a short read cannot be trusted
 * as the end) and one allocation of its exact size; loading a directory of
 * thousands of revisions is dominated by these calls.
 */
#include "fileio.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set the message for a failure with errno `e`, and leave errno as `e`. */
static int fail(struct rt_error *err, int e, const char *verb, const char *path)
{
	rt_error_set(err, RT_EXIT_ERROR, "cannot %s '%s': %s", verb, path,
		     e == EISDIR ? "it is a directory" : strerror(e));
	errno = e;
	return -1;
}

/*
 * The rest of a file larger than one chunk, read straight into a buffer of
 * the size fstat() tells (and on, should it have grown), so that a 50 MB
 * migration is neither copied through the chunk nor reallocated as it
 * doubles.  `out` holds the first chunk; `fd` is closed.
 */
static int read_rest(int fd, const char *path, struct strbuf *out, size_t max,
		     struct rt_error *err)
{
	struct stat st;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > out->len &&
	    (unsigned long long)st.st_size <= max) {
		/* its exact size, and one byte to see the end without growing */
		out->alloc = (size_t)st.st_size + 2;
		out->buf = xrealloc(out->buf, out->alloc);
	}
	for (;;) {
		if (out->alloc - out->len < 2)
			strbuf_grow(out, out->len);
		ssize_t n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			strbuf_release(out);
			return fail(err, e, "read", path);
		}
		if (!n)
			break;
		if (out->len + (size_t)n > max) {
			close(fd);
			strbuf_release(out);
			rt_error_set(err, RT_EXIT_ERROR, "'%s' is larger than %zu bytes", path, max);
			errno = EFBIG;
			return -1;
		}
		strbuf_setlen(out, out->len + (size_t)n);
	}
	close(fd);
	return 0;
}

/*
 * The reader behind both entry points.  The first chunk of a file read
 * into an empty strbuf gets a buffer of its exact size (scripts stay in
 * memory for the whole run, so rounding up would cost real memory); later
 * chunks grow it as strbuf does.
 */
static int read_path(const char *path, struct strbuf *out, size_t max, int short_is_end,
		     struct rt_error *err)
{
	char chunk[16384];
	size_t start = out->len, got = 0;
	int was_empty = !out->alloc;
	/* no O_CLOEXEC: musl emulates it with an extra fcntl() per file, and
	 * this descriptor is closed before anything could exec */
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(err, errno, "open", path);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			if (!n)
				return 0;
			if (was_empty)
				strbuf_release(out);
			else
				strbuf_setlen(out, start);
			return fail(err, e, "read", path);
		}
		got += (size_t)n;
		if (got > max) {
			close(fd);
			if (was_empty)
				strbuf_release(out);
			else
				strbuf_setlen(out, start);
			rt_error_set(err, RT_EXIT_ERROR, "'%s' is larger than %zu bytes", path, max);
			errno = EFBIG;
			return -1;
		}
		if (!out->alloc) {
			out->buf = xmalloc((size_t)n + 1);
			memcpy(out->buf, chunk, (size_t)n);
			out->buf[n] = '\0';
			out->len = (size_t)n;
			out->alloc = (size_t)n + 1;
		} else {
			strbuf_add(out, chunk, (size_t)n);
		}
		if (short_is_end && (size_t)n < sizeof(chunk)) {
			close(fd);
			return 0;
		}
		if (got == sizeof(chunk) && was_empty)
			return read_rest(fd, path, out, max, err);
	}
}

int rt_read_file(const char *path, struct strbuf *out, size_t max, struct rt_error *err)
{
	return read_path(path, out, max, 0, err);
}

int rt_read_regular_file(const char *path, struct strbuf *out, size_t max, struct rt_error *err)
{
	return read_path(path, out, max, 1, err);
}

int rt_text_check(const char *path, const char *text, size_t len, const char *what,
		  struct rt_error *err)
{
	const char *nul = memchr(text, '\0', len);
	if (!nul)
		return 0;
	const unsigned char *u = (const unsigned char *)text;
	int bom = len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff));
	int halves = len >= 4 && ((!u[0] && u[1] && !u[2] && u[3]) || (u[0] && !u[1] && u[2] && !u[3]));
	if (bom || halves)
		return rt_error_set(err, RT_EXIT_ERROR, "%s: looks like UTF-16 (%s); save it as UTF-8: "
				    "%s", path, bom ? "it starts with a UTF-16 byte order mark"
						    : "every other byte is NUL", what);
	int line = 1;
	for (const char *p = text; p < nul; p++)
		line += *p == '\n';
	return rt_error_set(err, RT_EXIT_ERROR, "%s:%d: contains a NUL byte; %s", path, line, what);
}
