/* Unit tests of the whole-file reader (lib/fileio.c): exact contents at
 * every size, the size limit, the errors, and pipes read to their end. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/strbuf.h"

static char dir[] = "/tmp/rt-fileio-XXXXXX";

/* Write `len` bytes of a repeating pattern to dir/name; returns the path. */
static char *make_file(const char *name, size_t len)
{
	char *path = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < len; i++)
		fputc('a' + (int)(i % 23), f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Both readers return every byte, at sizes around the chunk size; a
 * file's buffer is its exact size (a large one read straight into it, with
 * one byte more to see the end), never rounded up to a power of two. */
static void sizes(void **state)
{
	(void)state;
	static const size_t lens[] = { 0, 1, 100, 16383, 16384, 16385, 100000 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
		char *path = make_file("f", lens[i]);
		for (int regular = 0; regular < 2; regular++) {
			struct strbuf sb = STRBUF_INIT;
			struct rt_error err = RT_ERROR_INIT;
			int rc = regular ? rt_read_regular_file(path, &sb, RT_READ_NO_LIMIT, &err)
					 : rt_read_file(path, &sb, RT_READ_NO_LIMIT, &err);
			assert_int_equal(rc, 0);
			assert_int_equal(sb.len, lens[i]);
			assert_int_equal(sb.buf[sb.len], '\0');
			for (size_t k = 0; k < lens[i]; k++)
				if (sb.buf[k] != 'a' + (int)(k % 23))
					fail_msg("size %zu: byte %zu differs", lens[i], k);
			if (lens[i] && lens[i] < 16384)
				assert_int_equal(sb.alloc, lens[i] + 1);
			if (lens[i] > 16384)
				assert_int_equal(sb.alloc, lens[i] + 2);
			strbuf_release(&sb);
		}
		free(path);
	}
}

/* Over the limit is an error that says so, and leaves `out` as it was;
 * at the limit is fine.  The file is appended to what `out` holds. */
static void limit(void **state)
{
	(void)state;
	char *path = make_file("g", 20000);
	struct strbuf sb = STRBUF_INIT;
	struct rt_error err = RT_ERROR_INIT;
	strbuf_addstr(&sb, "pre");
	assert_int_equal(rt_read_file(path, &sb, 19999, &err), -1);
	assert_int_equal(errno, EFBIG);
	assert_msg_has(&err, "is larger than 19999 bytes");
	assert_msg_has(&err, path);
	assert_string_equal(sb.buf, "pre");
	assert_int_equal(rt_read_regular_file(path, &sb, 20000, &err), 0);
	assert_int_equal(sb.len, 20003);
	assert_memory_equal(sb.buf, "preabc", 6);
	strbuf_release(&sb);
	/* a fresh strbuf stays empty and unallocated, whether the limit is
	 * passed in the first chunk or after it */
	assert_int_equal(rt_read_regular_file(path, &sb, 10, &err), -1);
	assert_int_equal(sb.alloc, 0);
	assert_int_equal(rt_read_file(path, &sb, 17000, &err), -1);
	assert_int_equal(errno, EFBIG);
	assert_msg_has(&err, "is larger than 17000 bytes");
	assert_int_equal(sb.alloc, 0);
	free(path);
}

static void errors(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct rt_error err = RT_ERROR_INIT;
	char path[64];
	snprintf(path, sizeof(path), "%s/missing.sql", dir);
	assert_int_equal(rt_read_file(path, &sb, RT_READ_NO_LIMIT, &err), -1);
	assert_int_equal(errno, ENOENT);
	assert_msg_has(&err, "cannot open '");
	assert_msg_has(&err, path);
	assert_msg_has(&err, strerror(ENOENT));
	assert_int_equal(rt_read_regular_file(dir, &sb, RT_READ_NO_LIMIT, &err), -1);
	assert_int_equal(errno, EISDIR);
	assert_msg_has(&err, "cannot read '");
	assert_msg_has(&err, "it is a directory");
	assert_int_equal(sb.alloc, 0);
}

/* A pipe whose writer pauses between two writes is still read whole. */
static void pipe_to_end(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		close(fds[0]);
		if (write(fds[1], "first,", 6) != 6)
			_exit(1);
		usleep(100000);
		if (write(fds[1], "second", 6) != 6)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	char path[64];
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	struct strbuf sb = STRBUF_INIT;
	struct rt_error err = RT_ERROR_INIT;
	assert_int_equal(rt_read_file(path, &sb, RT_READ_NO_LIMIT, &err), 0);
	assert_string_equal(sb.buf, "first,second");
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	assert_int_equal(status, 0);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(limit),
		cmocka_unit_test(errors),
		cmocka_unit_test(pipe_to_end),
	};
	return cmocka_run_group_tests_name("fileio", tests, setup, teardown);
}
