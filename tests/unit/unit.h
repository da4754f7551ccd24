/* Shared includes and helpers for the cmocka unit tests. */
#ifndef RT_UNIT_H
#define RT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/script.h"
#include "lib/xalloc.h"

/* Parse `text` as if read from `path`; returns the parser's status. */
static inline int parse_text(struct rt_script *s, const char *path, const char *text,
			     struct rt_error *err)
{
	rt_script_init(s);
	return rt_script_parse(s, path, xstrdup(text), strlen(text), err);
}

/* The error message contains `needle`. */
#define assert_msg_has(err, needle)                                                   \
	do {                                                                          \
		if (!strstr((err)->msg, (needle)))                                    \
			fail_msg("message '%s' lacks '%s'", (err)->msg, (needle));    \
	} while (0)

#endif
