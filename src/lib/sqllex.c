#include "sqllex.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void rt_stmts_release(struct rt_stmts *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Skip a comment or white space at p; returns p if there is none. */
static const char *skip_comment(const char *p, const char *end, int *open)
{
	if (p + 1 < end && p[0] == '-' && p[1] == '-') {
		while (p < end && *p != '\n')
			p++;
		return p;
	}
	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		int depth = 1;
		p += 2;
		while (p < end && depth) {
			if (p + 1 < end && p[0] == '/' && p[1] == '*') {
				depth++;
				p += 2;
			} else if (p + 1 < end && p[0] == '*' && p[1] == '/') {
				depth--;
				p += 2;
			} else {
				p++;
			}
		}
		if (depth)
			*open = 1;
		return p;
	}
	return p;
}

static const char *skip_blank(const char *p, const char *end)
{
	for (;;) {
		int open = 0;
		while (p < end && isspace((unsigned char)*p))
			p++;
		const char *q = skip_comment(p, end, &open);
		if (q == p)
			return p;
		p = q;
	}
}

/* A dollar-quote opening tag at p ("$$" or "$tag$"): its length, else 0. */
static size_t dollar_tag(const char *p, const char *end)
{
	const char *q = p + 1;
	if (q < end && (isdigit((unsigned char)*q)))
		return 0; /* $1 is a parameter */
	while (q < end && (isalnum((unsigned char)*q) || *q == '_' || (unsigned char)*q >= 0x80))
		q++;
	if (q < end && *q == '$')
		return (size_t)(q - p + 1);
	return 0;
}

/*
 * Does the statement head ("CREATE OR REPLACE FUNCTION ...") create a
 * function, procedure or trigger, the only statements whose BEGIN ... END
 * bodies hold semicolons?  Whole words only.
 */
static int creates_body(const char *head)
{
	static const char *const skip[] = { "OR", "REPLACE", "TEMP", "TEMPORARY", "CONSTRAINT", NULL };
	if (strncmp(head, "CREATE ", 7))
		return 0;
	const char *w = head + 7;
	for (;;) {
		int skipped = 0;
		for (int i = 0; skip[i]; i++) {
			size_t n = strlen(skip[i]);
			if (!strncmp(w, skip[i], n) && w[n] == ' ') {
				w += n + 1;
				skipped = 1;
			}
		}
		if (!skipped)
			break;
	}
	for (const char *const *k = (const char *const[]){ "FUNCTION", "PROCEDURE", "TRIGGER", NULL }; *k; k++) {
		size_t n = strlen(*k);
		if (!strncmp(w, *k, n) && (w[n] == ' ' || !w[n]))
			return 1;
	}
	return 0;
}

void rt_sql_words(const char *stmt, size_t len, int n, char *out, size_t outlen)
{
	const char *p = stmt, *end = stmt + len;
	size_t o = 0;
	out[0] = '\0';
	for (int w = 0; w < n; w++) {
		p = skip_blank(p, end);
		if (p >= end || !(isalpha((unsigned char)*p) || *p == '_'))
			break;
		if (w && o + 1 < outlen)
			out[o++] = ' ';
		while (p < end && (isalnum((unsigned char)*p) || *p == '_')) {
			if (o + 1 < outlen)
				out[o++] = (char)toupper((unsigned char)*p);
			p++;
		}
	}
	out[o] = '\0';
}

void rt_sql_split(const char *sql, size_t len, struct rt_stmts *out)
{
	const char *p = sql, *end = sql + len;
	const char *start = NULL;
	int depth = 0;          /* BEGIN ... END nesting inside a body */
	int body_ok = -1;       /* -1: unknown yet; 1: statement may hold a BEGIN body */
	int words = 0;
	char head[96] = "";

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *q;
		int open = 0;
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if ((q = skip_comment(p, end, &open)) != p) {
			if (open) {
				out->unterminated = 1;
				out->open_off = (size_t)(p - sql);
			}
			p = q;
			continue;
		}
		if (!start && *p == ';') {
			p++; /* an empty statement */
			continue;
		}
		if (!start) {
			start = p;
			depth = 0;
			body_ok = -1;
			words = 0;
		}
		if (*p == ';' && !depth) {
			ALLOC_GROW(out->v, out->nr + 1, out->alloc);
			out->v[out->nr].off = (size_t)(start - sql);
			out->v[out->nr].len = (size_t)(p + 1 - start);
			out->nr++;
			start = NULL;
			p++;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			char quote = *p;
			int backslash = quote == '\'' && p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
					(p - 1 == sql || !ident_char((unsigned char)p[-2]));
			const char *open_at = p++;
			for (;;) {
				if (p >= end) {
					out->unterminated = 1;
					out->open_off = (size_t)(open_at - sql);
					break;
				}
				if (backslash && *p == '\\' && p + 1 < end) {
					p += 2;
					continue;
				}
				if (*p == quote) {
					if (p + 1 < end && p[1] == quote) {
						p += 2;
						continue;
					}
					p++;
					break;
				}
				p++;
			}
			continue;
		}
		if (*p == '$' && (p == sql || !ident_char((unsigned char)p[-1]))) {
			size_t tl = dollar_tag(p, end);
			if (tl) {
				const char *open_at = p;
				const char *body = p + tl, *close = NULL;
				for (const char *s = body; s + tl <= end; s++)
					if (*s == '$' && !memcmp(s, p, tl)) {
						close = s;
						break;
					}
				if (!close) {
					out->unterminated = 1;
					out->open_off = (size_t)(open_at - sql);
					p = end;
				} else {
					p = close + tl;
				}
				continue;
			}
		}
		if (isalpha((unsigned char)*p) || *p == '_') {
			const char *w = p;
			while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
				p++;
			size_t n = (size_t)(p - w);
			if (words < 6) {
				size_t hl = strlen(head);
				if (!words)
					hl = 0, head[0] = '\0';
				if (hl + n + 2 < sizeof(head)) {
					if (hl)
						head[hl++] = ' ';
					for (size_t i = 0; i < n; i++)
						head[hl++] = (char)toupper((unsigned char)w[i]);
					head[hl] = '\0';
				}
				words++;
			}
			if (body_ok < 0 && words >= 2) {
				if (creates_body(head))
					body_ok = 1;
				else if (words >= 6)
					body_ok = 0;
			}
			if (body_ok == 1) {
				if (n == 5 && !strncasecmp(w, "BEGIN", 5))
					depth++;
				else if (n == 4 && !strncasecmp(w, "CASE", 4) && depth)
					depth++;
				else if (n == 3 && !strncasecmp(w, "END", 3) && depth)
					depth--;
			}
			continue;
		}
		p++;
	}
	if (start) {
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		out->v[out->nr].off = (size_t)(start - sql);
		out->v[out->nr].len = (size_t)(end - start);
		out->nr++;
	}
}

int rt_sql_is_txn_control(const char *words)
{
	static const char *const kw[] = { "BEGIN", "COMMIT", "END", "ABORT", "START TRANSACTION",
					   "ROLLBACK", NULL };
	for (int i = 0; kw[i]; i++) {
		size_t n = strlen(kw[i]);
		if (!strncmp(words, kw[i], n) && (!words[n] || words[n] == ' '))
			return strcmp(kw[i], "ROLLBACK") || (strncmp(words + n, " TO", 3) &&
							      strncmp(words + n, " TRANSACTION TO", 15));
	}
	return 0;
}
