/*
 * Running another program: its argument vector, extra environment, and
 * what it writes to stdout and stderr captured whole, with its exit status.
 * retort runs the project's own Python (models, convert) and schema
 * commands this way; nothing is ever passed through a shell unless the
 * caller asks for /bin/sh in argv.
 */
#ifndef RT_PROC_H
#define RT_PROC_H

#include "error.h"
#include "strbuf.h"

struct rt_proc_result {
	struct strbuf out;   /* everything written to stdout */
	struct strbuf err;   /* everything written to stderr */
	int exited;          /* 1: exited with `status`; 0: killed by signal `status` */
	int status;
};

void rt_proc_result_init(struct rt_proc_result *r);
void rt_proc_result_release(struct rt_proc_result *r);

/*
 * Run argv[0] (looked up on PATH when it has no slash) with argv, the
 * environment plus `env` ("NAME=value" strings, NULL-terminated, or NULL),
 * stdin from /dev/null, and wait for it.  Returns 0 when it ran (whatever
 * its exit status, which is in `r`), -1 with `err` set when it could not be
 * started (not found, not executable).
 */
int rt_proc_run(const char *const *argv, const char *const *env, struct rt_proc_result *r,
		struct rt_error *err);

/* The last `n` lines of `text`, for an error message (a pointer into it). */
const char *rt_proc_tail(const char *text, int n);

#endif
