/*
 * A small option parser for the command line, in the spirit of git's
 * parse-options: a declarative table drives parsing, --help, the man page
 * and shell completion alike.  Each option names its type and where its
 * value goes: a byte offset into a caller-chosen struct (a command's
 * options struct, or struct rt_config_flags for the global options), so
 * the tables are constant data that other code can walk.
 *
 * Unlike getopt it keeps "-1", "-12" (relative revisions) as positional
 * arguments, as Alembic's argparse does.
 */
#ifndef RT_PARSEOPT_H
#define RT_PARSEOPT_H

#include <stddef.h>

#include "error.h"
#include "strbuf.h"
#include "strvec.h"

enum opt_type {
	OPT_END,
	OPT_BOOL,     /* int, counts repeats (-vv) */
	OPT_STRING,   /* const char * */
	OPT_LIST,     /* struct strvec, repeatable */
	OPT_INT,      /* long, a whole number >= opt.min */
	OPT_SECONDS,  /* double, a non-negative number of seconds */
};

/* Option flags. */
enum {
	OPTF_OFFLINE = 1,  /* when given, the command never connects (--sql) */
	OPTF_REVISION = 2, /* completion: the value is a revision */
	OPTF_FILE = 4,     /* completion: the value is a path */
};

struct opt {
	enum opt_type type;
	char short_name;        /* 0: none */
	const char *long_name;  /* NULL: none */
	size_t off;             /* where the value goes in the target struct */
	const char *argh;       /* argument name for help, e.g. "REV" */
	const char *help;
	int flags;
	long min;               /* OPT_INT: the smallest value allowed */
};

#define OPT_BOOL_(s, l, T, f, h) \
	{ .type = OPT_BOOL, .short_name = (s), .long_name = (l), .off = offsetof(T, f), .help = (h) }
#define OPT_STRING_(s, l, T, f, a, h) \
	{ .type = OPT_STRING, .short_name = (s), .long_name = (l), .off = offsetof(T, f), \
	  .argh = (a), .help = (h) }
#define OPT_LIST_(s, l, T, f, a, h) \
	{ .type = OPT_LIST, .short_name = (s), .long_name = (l), .off = offsetof(T, f), \
	  .argh = (a), .help = (h) }
#define OPT_INT_(s, l, T, f, a, lo, h) \
	{ .type = OPT_INT, .short_name = (s), .long_name = (l), .off = offsetof(T, f), \
	  .argh = (a), .min = (lo), .help = (h) }
#define OPT_SECONDS_(s, l, T, f, h) \
	{ .type = OPT_SECONDS, .short_name = (s), .long_name = (l), .off = offsetof(T, f), \
	  .argh = "SECONDS", .help = (h) }
#define OPT_END_ { .type = OPT_END }

enum { PARSE_OK = 0, PARSE_HELP = 1, PARSE_ERROR = -1 };

/*
 * Parse argv[first..argc) into `target`.  Positional arguments go to
 * `args`.  With stop_at_positional, parsing stops at the first positional
 * (which, and everything after, is left in `args`).  `seen`, when not
 * NULL, gets one flag per option of `opts` (in order) that was given.
 */
int parse_opts(int argc, char **argv, int first, const struct opt *opts, void *target,
	       int stop_at_positional, struct strvec *args, unsigned char *seen,
	       struct rt_error *err);
/* Release what parsing allocated in `target` (the lists). */
void opts_release(const struct opt *opts, void *target);
/* "-s, --long ARG" as help shows it. */
void opt_label(const struct opt *o, struct strbuf *sb);
/* The number of options in a table. */
int opts_count(const struct opt *opts);

#endif
