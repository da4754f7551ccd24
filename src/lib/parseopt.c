/* The command-line option parser (see parseopt.h). */
#include "parseopt.h"
#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_negative_number(const char *s)
{
	if (*s != '-' || !isdigit((unsigned char)s[1]))
		return 0;
	for (s++; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int opts_count(const struct opt *opts)
{
	int n = 0;
	while (opts && opts[n].type != OPT_END)
		n++;
	return n;
}

/* Store one option's value, refusing values of the wrong shape. */
static int set_value(const struct opt *o, void *target, const char *name, const char *val,
		     struct rt_error *err)
{
	char *at = (char *)target + o->off, *end;
	switch (o->type) {
	case OPT_STRING:
		*(const char **)at = val;
		return 0;
	case OPT_LIST:
		strvec_push((struct strvec *)at, val);
		return 0;
	case OPT_INT: {
		errno = 0;
		long n = strtol(val, &end, 10);
		if (!*val || *end || errno || n < o->min)
			return rt_error_set(err, RT_EXIT_USAGE,
					    "option '%s' takes a whole number of at least %ld, not '%s'",
					    name, o->min, val);
		*(long *)at = n;
		return 0;
	}
	case OPT_SECONDS: {
		double d = strtod(val, &end);
		if (!*val || *end || !(d >= 0) || d > 1e9)
			return rt_error_set(err, RT_EXIT_USAGE,
					    "option '%s' takes a non-negative number, not '%s'", name, val);
		*(double *)at = d;
		return 0;
	}
	default:
		return 0;
	}
}

static const struct opt *find_long(const struct opt *opts, const char *name, size_t n)
{
	for (const struct opt *p = opts; p->type != OPT_END; p++)
		if (p->long_name && strlen(p->long_name) == n && !strncmp(p->long_name, name, n))
			return p;
	return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (const struct opt *p = opts; p->type != OPT_END; p++)
		if (p->short_name && p->short_name == c)
			return p;
	return NULL;
}

static void mark(const struct opt *opts, const struct opt *o, unsigned char *seen)
{
	if (seen)
		seen[o - opts] = 1;
}

int parse_opts(int argc, char **argv, int first, const struct opt *opts, void *target,
	       int stop_at_positional, struct strvec *args, unsigned char *seen,
	       struct rt_error *err)
{
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			for (i++; i < argc; i++)
				strvec_push(args, argv[i]);
			break;
		}
		if (a[0] != '-' || !a[1] || is_negative_number(a)) {
			if (stop_at_positional) {
				for (; i < argc; i++)
					strvec_push(args, argv[i]);
				break;
			}
			strvec_push(args, a);
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return PARSE_HELP;
		const struct opt *o;
		const char *inline_val = NULL;
		char name[128];
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = find_long(opts, a + 2, n);
			snprintf(name, sizeof(name), "--%.*s", (int)n, a + 2);
			if (eq)
				inline_val = eq + 1;
		} else {
			o = find_short(opts, a[1]);
			snprintf(name, sizeof(name), "-%c", a[1]);
			if (a[2])
				inline_val = a + 2;
		}
		if (!o)
			return rt_error_set(err, RT_EXIT_USAGE, "unknown option '%s'; see --help", name);
		mark(opts, o, seen);
		if (o->type == OPT_BOOL) {
			if (inline_val && a[1] == '-')
				return rt_error_set(err, RT_EXIT_USAGE, "option '%s' takes no value", name);
			(*(int *)((char *)target + o->off))++;
			/* bundled short flags: -qv */
			for (const char *c = inline_val; c && *c; c++) {
				const struct opt *b = find_short(opts, *c);
				if (!b || b->type != OPT_BOOL)
					return rt_error_set(err, RT_EXIT_USAGE, "unknown option '-%c' in '%s'",
							    *c, a);
				mark(opts, b, seen);
				(*(int *)((char *)target + b->off))++;
			}
			continue;
		}
		if (!inline_val) {
			if (i + 1 >= argc)
				return rt_error_set(err, RT_EXIT_USAGE, "option '%s' needs a value (%s)", name,
						    o->argh ? o->argh : "VALUE");
			inline_val = argv[++i];
		}
		if (set_value(o, target, name, inline_val, err))
			return PARSE_ERROR;
	}
	return PARSE_OK;
}

void opts_release(const struct opt *opts, void *target)
{
	for (const struct opt *o = opts; o && o->type != OPT_END; o++)
		if (o->type == OPT_LIST)
			strvec_clear((struct strvec *)((char *)target + o->off));
}

void opt_label(const struct opt *o, struct strbuf *sb)
{
	if (o->short_name)
		strbuf_addf(sb, "-%c", o->short_name);
	if (o->short_name && o->long_name)
		strbuf_addstr(sb, ", ");
	if (o->long_name)
		strbuf_addf(sb, "--%s", o->long_name);
	if (o->type != OPT_BOOL)
		strbuf_addf(sb, " %s", o->argh ? o->argh : "VALUE");
}
