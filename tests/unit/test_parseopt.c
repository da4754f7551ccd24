/*
 * Unit tests of the option parser (lib/parseopt.c) over one table of
 * every option type: short flags bundled (-qv) and counted, values inline
 * (--x=v, -sN) or in the next argument, "--" ending the options, "-1"
 * kept as a positional (a relative revision), whole numbers with a
 * minimum, seconds in a range, repeatable lists, which options were given
 * (seen[]), help, stopping at the first positional, and how help labels
 * each option.  Every refusal is a usage error (exit 64) naming the option.
 */
#include "unit.h"

#include "lib/parseopt.h"

struct target {
	int quiet, verbose, sql;
	const char *message;
	struct strvec tags;
	long steps;
	double timeout;
};

static const struct opt table[] = {
	OPT_BOOL_('q', "quiet", struct target, quiet, "say less"),
	OPT_BOOL_('v', "verbose", struct target, verbose, "say more"),
	OPT_BOOL_(0, "sql", struct target, sql, "print SQL"),
	OPT_STRING_('m', "message", struct target, message, "TEXT", "a message"),
	OPT_LIST_('t', "tag", struct target, tags, "TAG", "a tag, repeatable"),
	OPT_INT_('s', "steps", struct target, steps, "N", 1, "how many steps"),
	OPT_SECONDS_(0, "timeout", struct target, timeout, "how long to wait"),
	OPT_END_,
};

/* Indexes into table[], for seen[]. */
enum { Q, V, SQL, M, T, S, TIMEOUT, NOPTS };

static struct target tg;
static struct strvec args = STRVEC_INIT;
static unsigned char seen[NOPTS];
static struct rt_error err;

/* Parse the NULL-terminated arguments (after a command name), from a
 * clean target; with `stop`, stop at the first positional. */
static int parse_stop(int stop, const char *const *argv)
{
	char *v[32] = { "cmd" };
	int argc = 1;
	for (; argv[argc - 1]; argc++)
		v[argc] = (char *)argv[argc - 1];
	opts_release(table, &tg);
	strvec_clear(&args);
	memset(&tg, 0, sizeof(tg));
	memset(seen, 0, sizeof(seen));
	rt_error_clear(&err);
	return parse_opts(argc, v, 1, table, &tg, stop, &args, seen, &err);
}

#define PARSE(...) parse_stop(0, (const char *const[]){ __VA_ARGS__, NULL })
#define PARSE_STOP(...) parse_stop(1, (const char *const[]){ __VA_ARGS__, NULL })

/* The parse fails as a usage error whose message contains `needle`. */
#define REFUSED(needle, ...)                                        \
	do {                                                        \
		assert_int_equal(PARSE(__VA_ARGS__), PARSE_ERROR);  \
		assert_int_equal(err.code, RT_EXIT_USAGE);          \
		assert_msg_has(&err, needle);                       \
	} while (0)

static int teardown(void **state)
{
	(void)state;
	opts_release(table, &tg);
	memset(&tg, 0, sizeof(tg));
	strvec_clear(&args);
	return 0;
}

/* Short flags bundle and count; a flag that takes a value cannot sit in
 * a bundle, and a letter no option has is refused, naming the bundle. */
static void bundled_short_flags(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-qv", "-v"), PARSE_OK);
	assert_int_equal(tg.quiet, 1);
	assert_int_equal(tg.verbose, 2);
	assert_int_equal(args.nr, 0);
	assert_int_equal(PARSE("--verbose", "--verbose", "-vvv"), PARSE_OK);
	assert_int_equal(tg.verbose, 5);
	REFUSED("unknown option '-x' in '-qx'", "-qx");
	REFUSED("unknown option '-m' in '-qm'", "-qm", "hi");
	REFUSED("unknown option '-x'; see --help", "-x");
}

/* Long options: a value after '=' (which may be empty or hold '='s) or
 * in the next argument; a flag refuses one. */
static void long_values(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--message=a=b c"), PARSE_OK);
	assert_string_equal(tg.message, "a=b c");
	assert_int_equal(PARSE("--message", "--not-an-option"), PARSE_OK);
	assert_string_equal(tg.message, "--not-an-option");
	assert_int_equal(PARSE("--message="), PARSE_OK);
	assert_string_equal(tg.message, "");
	/* the last one given wins */
	assert_int_equal(PARSE("--message=a", "-m", "b"), PARSE_OK);
	assert_string_equal(tg.message, "b");
	REFUSED("option '--quiet' takes no value", "--quiet=1");
	REFUSED("unknown option '--mess'; see --help", "--mess=x");
	REFUSED("option '--message' needs a value (TEXT)", "--message");
	REFUSED("option '-s' needs a value (N)", "-q", "-s");
}

/* Short options take their value attached (-sN) or as the next argument. */
static void short_values(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-s3"), PARSE_OK);
	assert_int_equal(tg.steps, 3);
	assert_int_equal(PARSE("-s", "4", "-mhello"), PARSE_OK);
	assert_int_equal(tg.steps, 4);
	assert_string_equal(tg.message, "hello");
	assert_int_equal(args.nr, 0);
}

/* "--" ends the options: everything after it is positional, "--" itself
 * is not; positionals and options mix before it. */
static void double_dash_ends_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE("a", "-q", "--", "-v", "--steps=2", "--", "-h"), PARSE_OK);
	assert_int_equal(tg.quiet, 1);
	assert_int_equal(tg.verbose, 0);
	assert_int_equal(tg.steps, 0);
	assert_int_equal(args.nr, 5);
	assert_string_equal(args.v[0], "a");
	assert_string_equal(args.v[1], "-v");
	assert_string_equal(args.v[2], "--steps=2");
	assert_string_equal(args.v[3], "--");
	assert_string_equal(args.v[4], "-h");
	assert_false(seen[V]);
}

/* A negative whole number is a positional (downgrade -1), as is "-";
 * a dash and a digit followed by anything else is an unknown option. */
static void negative_numbers_are_positional(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-1", "-q", "-12", "-"), PARSE_OK);
	assert_int_equal(tg.quiet, 1);
	assert_int_equal(args.nr, 3);
	assert_string_equal(args.v[0], "-1");
	assert_string_equal(args.v[1], "-12");
	assert_string_equal(args.v[2], "-");
	REFUSED("unknown option '-1'", "-1x");
	/* an option's value may be one too */
	assert_int_equal(PARSE("-m", "-1"), PARSE_OK);
	assert_string_equal(tg.message, "-1");
	assert_int_equal(args.nr, 0);
}

/* OPT_INT: a whole number, in full, no smaller than the minimum, that fits. */
static void int_minimum(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--steps=1"), PARSE_OK);
	assert_int_equal(tg.steps, 1);
	assert_int_equal(PARSE("--steps", "250"), PARSE_OK);
	assert_int_equal(tg.steps, 250);
	REFUSED("option '-s' takes a whole number of at least 1, not '0'", "-s0");
	REFUSED("option '--steps' takes a whole number of at least 1, not '-3'", "--steps", "-3");
	REFUSED("not '2.5'", "--steps", "2.5");
	REFUSED("not '3x'", "--steps=3x");
	REFUSED("not ''", "--steps=");
	REFUSED("not '99999999999999999999'", "--steps=99999999999999999999");
}

/* OPT_SECONDS: a number from 0 to 10^9 (fractions welcome), nothing else. */
static void seconds_range(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--timeout", "0"), PARSE_OK);
	assert_true(tg.timeout == 0);
	assert_int_equal(PARSE("--timeout=1.5"), PARSE_OK);
	assert_true(tg.timeout == 1.5);
	assert_int_equal(PARSE("--timeout=1e9"), PARSE_OK);
	assert_true(tg.timeout == 1e9);
	REFUSED("option '--timeout' takes a non-negative number, not '-1'", "--timeout", "-1");
	REFUSED("not '1e10'", "--timeout=1e10");
	REFUSED("not 'nan'", "--timeout=nan");
	REFUSED("not 'inf'", "--timeout=inf");
	REFUSED("not '5s'", "--timeout=5s");
	REFUSED("not ''", "--timeout=");
}

/* OPT_LIST: every value given, in order, by any spelling. */
static void repeated_lists(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-t", "a", "--tag", "b", "-tc", "--tag=d", "-t", "a"), PARSE_OK);
	assert_int_equal(tg.tags.nr, 5);
	const char *want[] = { "a", "b", "c", "d", "a" };
	for (int i = 0; i < 5; i++)
		assert_string_equal(tg.tags.v[i], want[i]);
	opts_release(table, &tg);
	assert_int_equal(tg.tags.nr, 0);
}

/* seen[]: one flag per option of the table, set when it was given in
 * any spelling (in a bundle too), even to its default value. */
static void seen_record(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-qv", "--steps=1", "--sql"), PARSE_OK);
	const unsigned char want[NOPTS] = { [Q] = 1, [V] = 1, [SQL] = 1, [S] = 1 };
	assert_memory_equal(seen, want, NOPTS);
	assert_int_equal(PARSE("pos", "--timeout", "0", "-t", "x"), PARSE_OK);
	const unsigned char want2[NOPTS] = { [TIMEOUT] = 1, [T] = 1 };
	assert_memory_equal(seen, want2, NOPTS);
	/* seen may be NULL */
	char *v[] = { "cmd", "-q", NULL };
	assert_int_equal(parse_opts(2, v, 1, table, &tg, 0, &args, NULL, &err), PARSE_OK);
}

/* -h and --help ask for help wherever they stand before "--", and stop
 * parsing there: what follows is not looked at. */
static void help(void **state)
{
	(void)state;
	assert_int_equal(PARSE("-h"), PARSE_HELP);
	assert_int_equal(PARSE("-q", "--help", "--no-such-option"), PARSE_HELP);
	assert_int_equal(tg.quiet, 1);
	assert_int_equal(PARSE("pos", "-h"), PARSE_HELP);
	assert_int_equal(PARSE("--", "-h"), PARSE_OK);
	/* a value is not a request for help */
	assert_int_equal(PARSE("-m", "-h"), PARSE_OK);
	assert_string_equal(tg.message, "-h");
}

/* With stop_at_positional (global options before a command), the first
 * positional and everything after it are left as they are. */
static void stop_at_positional(void **state)
{
	(void)state;
	assert_int_equal(PARSE_STOP("-q", "upgrade", "-v", "--", "head"), PARSE_OK);
	assert_int_equal(tg.quiet, 1);
	assert_int_equal(tg.verbose, 0);
	assert_int_equal(args.nr, 4);
	assert_string_equal(args.v[0], "upgrade");
	assert_string_equal(args.v[1], "-v");
	assert_string_equal(args.v[3], "head");
	/* a negative number is a positional there too */
	assert_int_equal(PARSE_STOP("-1", "-q"), PARSE_OK);
	assert_int_equal(tg.quiet, 0);
	assert_int_equal(args.nr, 2);
}

/* How help shows each option, and the table's length. */
static void labels(void **state)
{
	(void)state;
	static const char *const want[] = { "-q, --quiet", "-v, --verbose", "--sql", "-m, --message TEXT",
					    "-t, --tag TAG", "-s, --steps N", "--timeout SECONDS" };
	struct strbuf sb = STRBUF_INIT;
	assert_int_equal(opts_count(table), NOPTS);
	assert_int_equal(opts_count(NULL), 0);
	for (int i = 0; i < NOPTS; i++) {
		strbuf_reset(&sb);
		opt_label(&table[i], &sb);
		assert_string_equal(sb.buf, want[i]);
	}
	/* a value option without an argument name says VALUE */
	const struct opt bare = { .type = OPT_STRING, .short_name = 'x' };
	strbuf_reset(&sb);
	opt_label(&bare, &sb);
	assert_string_equal(sb.buf, "-x VALUE");
	strbuf_release(&sb);
}

#define TD(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TD(bundled_short_flags),
		TD(long_values),
		TD(short_values),
		TD(double_dash_ends_options),
		TD(negative_numbers_are_positional),
		TD(int_minimum),
		TD(seconds_range),
		TD(repeated_lists),
		TD(seen_record),
		TD(help),
		TD(stop_at_positional),
		TD(labels),
	};
	return cmocka_run_group_tests_name("parseopt", tests, NULL, NULL);
}
