/*
 * A small option parser for the command line, in the spirit of git's
 * parse-options: one table per command drives parsing and --help.
 * Unlike getopt it keeps "-1", "-12" (relative revisions) as positional
 * arguments, as Alembic's argparse does.
 */
#ifndef RT_PARSEOPT_H
#define RT_PARSEOPT_H

#include "../lib/error.h"
#include "../lib/strvec.h"

enum opt_type { OPT_END, OPT_BOOL, OPT_STRING, OPT_LIST, OPT_NUMBER };

struct opt {
	enum opt_type type;
	char short_name;        /* 0: none */
	const char *long_name;  /* NULL: none */
	void *value;            /* int*, const char**, struct strvec*, double* */
	const char *argh;       /* argument name for help, e.g. "REV" */
	const char *help;
};

#define OPT_END_ { OPT_END, 0, NULL, NULL, NULL, NULL }

enum { PARSE_OK = 0, PARSE_HELP = 1, PARSE_ERROR = -1 };

/*
 * Parse argv[first..argc).  Positional arguments go to `args`.  With
 * stop_at_positional, parsing stops at the first positional (which, and
 * everything after, is left in `args`).
 */
int parse_opts(int argc, char **argv, int first, const struct opt *opts, int stop_at_positional,
	       struct strvec *args, struct rt_error *err);
/* Print "usage: ..." and the option table to stdout. */
void print_usage(const char *usage, const char *summary, const struct opt *opts);

#endif
