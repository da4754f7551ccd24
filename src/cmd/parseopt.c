#include "parseopt.h"
#include "../lib/strbuf.h"

#include <ctype.h>
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

static int set_value(const struct opt *o, const char *name, const char *val, struct rt_error *err)
{
	switch (o->type) {
	case OPT_STRING:
		*(const char **)o->value = val;
		return 0;
	case OPT_LIST:
		strvec_push(o->value, val);
		return 0;
	case OPT_NUMBER: {
		char *end;
		double d = strtod(val, &end);
		if (!*val || *end || d < 0)
			return rt_error_set(err, RT_EXIT_USAGE,
					    "option '%s' takes a non-negative number, not '%s'", name, val);
		*(double *)o->value = d;
		return 0;
	}
	default:
		return 0;
	}
}

int parse_opts(int argc, char **argv, int first, const struct opt *opts, int stop_at_positional,
	       struct strvec *args, struct rt_error *err)
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
		const struct opt *o = NULL;
		const char *inline_val = NULL;
		char name[128];
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			for (const struct opt *p = opts; p->type != OPT_END; p++)
				if (p->long_name && strlen(p->long_name) == n && !strncmp(p->long_name, a + 2, n))
					o = p;
			snprintf(name, sizeof(name), "--%.*s", (int)n, a + 2);
			if (eq)
				inline_val = eq + 1;
		} else {
			for (const struct opt *p = opts; p->type != OPT_END; p++)
				if (p->short_name && p->short_name == a[1])
					o = p;
			snprintf(name, sizeof(name), "-%c", a[1]);
			if (a[2])
				inline_val = a + 2;
		}
		if (!o)
			return rt_error_set(err, RT_EXIT_USAGE, "unknown option '%s'; see --help", name);
		if (o->type == OPT_BOOL) {
			if (inline_val && a[1] == '-')
				return rt_error_set(err, RT_EXIT_USAGE, "option '%s' takes no value", name);
			(*(int *)o->value)++;
			if (inline_val) {
				/* bundled short flags: -qv */
				for (const char *c = inline_val; *c; c++) {
					const struct opt *b = NULL;
					for (const struct opt *p = opts; p->type != OPT_END; p++)
						if (p->short_name == *c && p->type == OPT_BOOL)
							b = p;
					if (!b)
						return rt_error_set(err, RT_EXIT_USAGE,
								    "unknown option '-%c' in '%s'", *c, a);
					(*(int *)b->value)++;
				}
			}
			continue;
		}
		if (!inline_val) {
			if (i + 1 >= argc)
				return rt_error_set(err, RT_EXIT_USAGE, "option '%s' needs a value (%s)", name,
						    o->argh ? o->argh : "VALUE");
			inline_val = argv[++i];
		}
		if (set_value(o, name, inline_val, err))
			return PARSE_ERROR;
	}
	return PARSE_OK;
}

void print_usage(const char *usage, const char *summary, const struct opt *opts)
{
	printf("usage: %s\n\n%s\n", usage, summary);
	if (!opts || opts->type == OPT_END)
		return;
	printf("\noptions:\n");
	for (const struct opt *o = opts; o->type != OPT_END; o++) {
		struct strbuf sb = STRBUF_INIT;
		if (o->short_name)
			strbuf_addf(&sb, "-%c", o->short_name);
		if (o->short_name && o->long_name)
			strbuf_addstr(&sb, ", ");
		if (o->long_name)
			strbuf_addf(&sb, "--%s", o->long_name);
		if (o->type != OPT_BOOL)
			strbuf_addf(&sb, " %s", o->argh ? o->argh : "VALUE");
		printf("  %-28s %s\n", sb.buf, o->help);
		strbuf_release(&sb);
	}
	printf("  %-28s %s\n", "-h, --help", "show this help");
}
