/*
 * Reading Alembic's .py revision files without Python (see pyrev.h): a
 * small scanner for the parts of Python's lexical grammar a module's top
 * level needs (strings of every kind, comments, brackets, continuation
 * lines), the docstring, and the four header assignments.
 */
#include "pyrev.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct lx {
	const char *path, *t;
	size_t n, i;
	int line;
	size_t bol;                 /* offset where the current line starts */
	struct rt_error *err;
};

/* A header value: None, one string, or a tuple or list of strings. */
struct val {
	int is_none, is_seq;
	struct strvec items;
	int line, col;
};

static int peek(const struct lx *l, size_t k)
{
	return l->i + k < l->n ? (unsigned char)l->t[l->i + k] : -1;
}

static void adv(struct lx *l)
{
	if (l->i < l->n && l->t[l->i++] == '\n') {
		l->line++;
		l->bol = l->i;
	}
}

static int col(const struct lx *l)
{
	return (int)(l->i - l->bol) + 1;
}

static int fail(struct lx *l, const char *what)
{
	return rt_error_set(l->err, RT_EXIT_ERROR, "%s:%d:%d: %s", l->path, l->line, col(l), what);
}

static int is_ident(int c)
{
	return c == '_' || isalnum(c) || c >= 0x80;
}

static int at_eol(const struct lx *l)
{
	int c = peek(l, 0);
	return c < 0 || c == '\n' || (c == '\r' && peek(l, 1) == '\n');
}

/* Spaces, tabs and backslash continuations: white space inside a line. */
static void skip_inline(struct lx *l)
{
	for (;;) {
		int c = peek(l, 0);
		if (c == ' ' || c == '\t' || c == '\f')
			adv(l);
		else if (c == '\\' && peek(l, 1) == '\n')
			adv(l), adv(l);
		else if (c == '\\' && peek(l, 1) == '\r' && peek(l, 2) == '\n')
			adv(l), adv(l), adv(l);
		else
			return;
	}
}

static void skip_comment(struct lx *l)
{
	while (peek(l, 0) >= 0 && peek(l, 0) != '\n')
		adv(l);
}

/* Inside brackets: any white space, newlines and comments. */
static void skip_any(struct lx *l)
{
	for (;;) {
		skip_inline(l);
		int c = peek(l, 0);
		if (c == '\n' || c == '\r')
			adv(l);
		else if (c == '#')
			skip_comment(l);
		else
			return;
	}
}

/* Does a string literal start here?  Its prefix length (0-2 letters). */
static int string_start(const struct lx *l, size_t *plen)
{
	size_t k = 0;
	while (k < 2 && peek(l, k) >= 0 && strchr("rRuUbBfF", peek(l, k)))
		k++;
	int q = peek(l, k);
	if (q != '\'' && q != '"')
		return 0;
	*plen = k;
	return 1;
}

enum { STR_TEXT, STR_BYTES, STR_FORMAT };

static void put_utf8(struct strbuf *out, unsigned long cp)
{
	if (cp < 0x80) {
		strbuf_addch(out, (char)cp);
	} else if (cp < 0x800) {
		strbuf_addch(out, (char)(0xc0 | (cp >> 6)));
		strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(out, (char)(0xe0 | (cp >> 12)));
		strbuf_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(out, (char)(0xf0 | (cp >> 18)));
		strbuf_addch(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(out, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A backslash escape of a non-raw literal (the backslash is consumed). */
static int escape(struct lx *l, struct strbuf *out, int kind)
{
	int c = peek(l, 0);
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
	if (c < 0)
		return fail(l, "unterminated string literal");
	for (size_t k = 0; simple[k]; k += 2)
		if (c == simple[k]) {
			strbuf_addch(out, simple[k + 1]);
			adv(l);
			return 0;
		}
	if (c == '\n') {          /* a continued line: nothing */
		adv(l);
		return 0;
	}
	if (c == '\r' && peek(l, 1) == '\n') {
		adv(l), adv(l);
		return 0;
	}
	if (c >= '0' && c <= '7') {
		unsigned long v = 0;
		for (int k = 0; k < 3 && peek(l, 0) >= '0' && peek(l, 0) <= '7'; k++) {
			v = v * 8 + (unsigned long)(peek(l, 0) - '0');
			adv(l);
		}
		put_utf8(out, v);
		return 0;
	}
	int digits = c == 'x' ? 2 : kind == STR_TEXT && c == 'u' ? 4 : kind == STR_TEXT && c == 'U' ? 8 : 0;
	if (digits) {
		unsigned long v = 0;
		adv(l);
		for (int k = 0; k < digits; k++) {
			int d = peek(l, 0);
			if (d < 0 || !isxdigit(d))
				return fail(l, "truncated \\x, \\u or \\U escape in a string literal");
			v = v * 16 + (unsigned long)(isdigit(d) ? d - '0' : tolower(d) - 'a' + 10);
			adv(l);
		}
		if (v > 0x10ffff)
			return fail(l, "\\U escape beyond U+10FFFF in a string literal");
		put_utf8(out, v);
		return 0;
	}
	if (c == 'N' && kind == STR_TEXT)
		return fail(l, "a \\N{...} escape, which retort cannot read without Python; write "
			    "the character itself");
	/* an unknown escape keeps its backslash, as in Python */
	strbuf_addch(out, '\\');
	return 0;
}

/*
 * One string literal, decoded into `out`; `kind` says text, bytes or an
 * f-string.  Line ends inside it become "\n", as Python reads source.
 */
static int read_string(struct lx *l, struct strbuf *out, int *kind)
{
	size_t plen = 0;
	int raw = 0;
	string_start(l, &plen);
	*kind = STR_TEXT;
	for (size_t k = 0; k < plen; k++) {
		int c = tolower(peek(l, 0));
		raw |= c == 'r';
		if (c == 'b')
			*kind = STR_BYTES;
		if (c == 'f')
			*kind = STR_FORMAT;
		adv(l);
	}
	int q = peek(l, 0), line = l->line, c0 = col(l);
	int triple = peek(l, 1) == q && peek(l, 2) == q;
	for (int k = 0; k < (triple ? 3 : 1); k++)
		adv(l);
	for (;;) {
		int c = peek(l, 0);
		if (c < 0 || (!triple && c == '\n')) {
			return rt_error_set(l->err, RT_EXIT_ERROR, "%s:%d:%d: string literal is not closed",
					    l->path, line, c0);
		}
		if (c == q && (!triple || (peek(l, 1) == q && peek(l, 2) == q))) {
			for (int k = 0; k < (triple ? 3 : 1); k++)
				adv(l);
			return 0;
		}
		if (c == '\r' && peek(l, 1) == '\n') {
			adv(l);
			continue;
		}
		if (c == '\\') {
			adv(l);
			if (raw) {
				/* a raw literal keeps the backslash, and the quote after it */
				strbuf_addch(out, '\\');
				if (peek(l, 0) == q || peek(l, 0) == '\\') {
					strbuf_addch(out, (char)peek(l, 0));
					adv(l);
				}
				continue;
			}
			if (escape(l, out, *kind))
				return -1;
			continue;
		}
		strbuf_addch(out, (char)c);
		adv(l);
	}
}

/* Adjacent literals are one string, as in Python ("a" 'b' is "ab"). */
static int read_strings(struct lx *l, struct strbuf *out, int *kind, int in_brackets)
{
	int k;
	size_t plen;
	*kind = STR_TEXT;
	do {
		if (read_string(l, out, &k))
			return -1;
		if (k != STR_TEXT)
			*kind = k;
		if (in_brackets)
			skip_any(l);
		else
			skip_inline(l);
	} while (string_start(l, &plen));
	return 0;
}

/*
 * Step over one piece of an expression being skipped: a whole string
 * literal (a prefix such as r or b is part of it, not the end of a name),
 * or one character, counting bracket depth in *depth.  -1 when a string
 * is not closed (l's error says where).
 */
static int skip_piece(struct lx *l, int *depth)
{
	size_t plen;
	int c = peek(l, 0);
	if ((l->i == 0 || !is_ident((unsigned char)l->t[l->i - 1])) && string_start(l, &plen)) {
		struct strbuf junk = STRBUF_INIT;
		int kind, rc = read_string(l, &junk, &kind);
		strbuf_release(&junk);
		return rc ? -1 : 0;
	}
	if (c == '(' || c == '[' || c == '{')
		(*depth)++;
	else if ((c == ')' || c == ']' || c == '}') && *depth > 0)
		(*depth)--;
	adv(l);
	return 0;
}

/* Skip the rest of a logical line: strings, brackets and continuations included. */
static int skip_statement(struct lx *l)
{
	int depth = 0;
	for (;;) {
		int c = peek(l, 0);
		if (c < 0)
			break;
		if (c == '\n') {
			adv(l);
			if (depth <= 0)
				break;
			continue;
		}
		if (c == '#') {
			skip_comment(l);
			continue;
		}
		if (c == '\\' && (peek(l, 1) == '\n' || peek(l, 1) == '\r')) {
			skip_inline(l);
			if (peek(l, 0) == '\\')
				adv(l);
			continue;
		}
		if (skip_piece(l, &depth))
			return -1;
	}
	return 0;
}

static const char *const expected =
	"expected None, a string literal, or a tuple or list of string literals; retort reads "
	"revision headers without running Python";

/* One element: a string literal, possibly in parentheses, which are
 * counted rather than followed by recursion ("((('a')))" is 'a'). */
static int read_item(struct lx *l, struct strvec *out, int in_brackets)
{
	struct strbuf sb = STRBUF_INIT;
	size_t plen, parens = 0;
	int kind;
	while (peek(l, 0) == '(') {
		adv(l);
		skip_any(l);
		parens++;
	}
	if (parens) {
		if (read_item(l, out, 1))
			return -1;
		while (parens--) {
			if (peek(l, 0) != ')')
				return fail(l, "expected ')' after the string literal");
			adv(l);
			if (parens || in_brackets)
				skip_any(l);
			else
				skip_inline(l);
		}
		return 0;
	}
	if (!string_start(l, &plen))
		return fail(l, expected);
	int line = l->line, c0 = col(l);
	if (read_strings(l, &sb, &kind, in_brackets)) {
		strbuf_release(&sb);
		return -1;
	}
	if (kind != STR_TEXT) {
		strbuf_release(&sb);
		return rt_error_set(l->err, RT_EXIT_ERROR, "%s:%d:%d: %s literal; a revision id or "
				    "label is a plain string", l->path, line, c0,
				    kind == STR_BYTES ? "a bytes" : "an f-string");
	}
	strvec_push(out, sb.buf);
	strbuf_release(&sb);
	return 0;
}

/* The elements of a tuple or list, up to its closing bracket. */
static int read_seq(struct lx *l, int close, struct val *v)
{
	skip_any(l);
	while (peek(l, 0) != close) {
		if (read_item(l, &v->items, 1))
			return -1;
		if (peek(l, 0) == ',') {
			adv(l);
			skip_any(l);
		} else if (peek(l, 0) != close) {
			return fail(l, close == ')' ? "expected ',' or ')' in the tuple"
					: "expected ',' or ']' in the list");
		}
	}
	adv(l);
	skip_inline(l);
	return 0;
}

static int read_value(struct lx *l, struct val *v)
{
	skip_inline(l);
	v->line = l->line;
	v->col = col(l);
	int c = peek(l, 0);
	if (l->n - l->i >= 4 && !memcmp(l->t + l->i, "None", 4) && !is_ident(peek(l, 4))) {
		for (int k = 0; k < 4; k++)
			adv(l);
		v->is_none = 1;
		skip_inline(l);
	} else if (c == '[') {
		adv(l);
		v->is_seq = 1;
		if (read_seq(l, ']', v))
			return -1;
	} else if (c == '(') {
		/* "(x)" is x; "(x,)", "()" and "(x, y)" are tuples */
		struct lx save = *l;
		adv(l);
		skip_any(l);
		if (peek(l, 0) == ')') {
			adv(l);
			skip_inline(l);
			v->is_seq = 1;
		} else {
			size_t before = v->items.nr;
			if (read_item(l, &v->items, 1))
				return -1;
			if (peek(l, 0) == ')' && v->items.nr == before + 1) {
				adv(l);
				skip_inline(l);
			} else {
				*l = save;
				strvec_clear(&v->items);
				adv(l);
				v->is_seq = 1;
				if (read_seq(l, ')', v))
					return -1;
			}
		}
	} else {
		if (read_item(l, &v->items, 0))
			return -1;
	}
	/* a bare tuple: "a", "b" */
	if (peek(l, 0) == ',' && !v->is_none) {
		if (v->is_seq)
			return fail(l, expected);
		v->is_seq = 1;
		while (peek(l, 0) == ',') {
			adv(l);
			skip_inline(l);
			if (at_eol(l) || peek(l, 0) == '#' || peek(l, 0) == ';')
				break;
			if (read_item(l, &v->items, 0))
				return -1;
		}
	}
	if (!(at_eol(l) || peek(l, 0) == '#' || peek(l, 0) == ';'))
		return fail(l, v->is_none || v->items.nr ? "expected the end of the line after the value; "
			    "retort reads revision headers without running Python" : expected);
	return 0;
}

static const char *const header_names[] = { "revision", "down_revision", "branch_labels",
					    "depends_on", NULL };

struct header {
	struct val v[4];
	int seen[4];
	struct strbuf doc;
	int have_doc;
};

/* The header variable among the targets of a statement at `b` that assigns
 * several names at once ("revision, down_revision = ..."), or NULL. */
static const char *unpacked_header(const struct lx *l, size_t b)
{
	const char *found = NULL;
	int several = 0;
	for (size_t i = b; i < l->n;) {
		int c = (unsigned char)l->t[i];
		if (is_ident(c) && !isdigit(c)) {
			size_t start = i;
			while (i < l->n && is_ident((unsigned char)l->t[i]))
				i++;
			for (int k = 0; header_names[k] && !found; k++)
				if (i - start == strlen(header_names[k]) &&
				    !memcmp(l->t + start, header_names[k], i - start))
					found = header_names[k];
			continue;
		}
		if (c == '=')
			return several && (i + 1 >= l->n || l->t[i + 1] != '=') ? found : NULL;
		if (c == ',')
			several = 1;
		else if (!strchr(" \t()[]", c))
			return NULL;
		i++;
	}
	return NULL;
}

/* After the name of a header variable: an optional annotation, then "= value". */
static int read_assignment(struct lx *l, struct header *h, int which)
{
	skip_inline(l);
	if (peek(l, 0) == ':' && peek(l, 1) != '=') {
		/* the annotation: any expression up to '=' outside brackets */
		int depth = 0;
		adv(l);
		for (;;) {
			if (depth > 0)
				skip_any(l);
			else
				skip_inline(l);
			int c = peek(l, 0);
			if (depth == 0 && (at_eol(l) || c == '#' || c == ';'))
				return 0;  /* "revision: str" alone assigns nothing */
			if (c < 0)
				return fail(l, "the annotation's bracket is not closed");
			if (depth == 0 && c == '=' && peek(l, 1) != '=')
				break;
			if (skip_piece(l, &depth))
				return -1;
		}
	}
	if (peek(l, 0) != '=' || peek(l, 1) == '=') {
		if (peek(l, 0) >= 0 && strchr("+-*/%&|^<>@", peek(l, 0)) && peek(l, 1) == '=')
			return fail(l, "an augmented assignment; retort reads revision headers "
				    "without running Python, so write the whole value with '='");
		return skip_statement(l);   /* "revision.x()" or such: not an assignment */
	}
	adv(l);
	struct val *v = &h->v[which];
	strvec_clear(&v->items);
	v->is_none = v->is_seq = 0;
	if (read_value(l, v))
		return -1;
	h->seen[which] = 1;
	return 0;
}

/* One top-level statement, and those after it on its line ("a = 1; b = 2"). */
static int statement(struct lx *l, struct header *h, int first)
{
	size_t plen;
again:
	if (string_start(l, &plen)) {
		struct strbuf sb = STRBUF_INIT;
		int kind;
		if (read_strings(l, &sb, &kind, 0)) {
			strbuf_release(&sb);
			return -1;
		}
		/* the module docstring: the first statement, a lone text literal */
		if (first && kind == STR_TEXT && (at_eol(l) || peek(l, 0) == '#' || peek(l, 0) == ';')) {
			strbuf_release(&h->doc);
			h->doc = sb;
			h->have_doc = 1;
		} else {
			strbuf_release(&sb);
		}
		return skip_statement(l);
	}
	if (is_ident(peek(l, 0)) && !isdigit(peek(l, 0))) {
		size_t b = l->i;
		const char *unpacked = unpacked_header(l, b);
		if (unpacked)
			return rt_error_set(l->err, RT_EXIT_ERROR, "%s:%d:%d: '%s' is assigned together "
					    "with other names; retort reads revision headers without "
					    "running Python, so give it an assignment of its own ('%s = "
					    "...')", l->path, l->line, col(l), unpacked, unpacked);
		while (is_ident(peek(l, 0)))
			adv(l);
		for (int k = 0; header_names[k]; k++)
			if (l->i - b == strlen(header_names[k]) &&
			    !memcmp(l->t + b, header_names[k], l->i - b)) {
				if (read_assignment(l, h, k))
					return -1;
				if (peek(l, 0) == ';') {
					adv(l);
					skip_inline(l);
					if (!at_eol(l) && peek(l, 0) != '#') {
						first = 0;
						goto again;
					}
				}
				return skip_statement(l);
			}
	}
	return skip_statement(l);
}

/* Python's str.strip(): ASCII white space and the separators \x1c-\x1f. */
static int py_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static int check_ids(const struct strvec *ids, const struct val *v, const char *path,
		     const char *name, struct rt_error *err)
{
	for (size_t i = 0; i < ids->nr; i++) {
		if (rt_revid_check(ids->v[i], "", err)) {
			rt_error_prefix(err, "%s:%d:%d: %s", path, v->line, v->col, name);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ids->v[i], ids->v[j]))
				return rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: %s lists '%s' twice", path,
						    v->line, v->col, name, ids->v[i]);
	}
	return 0;
}

/* Alembic's legacy rule: a file named by a hexadecimal id needs no `revision`. */
static char *legacy_id(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strspn(base, "0123456789abcdef");
	return n && !strcmp(base + n, ".py") ? xstrndup(base, n) : NULL;
}

/*
 * The encoding a PEP 263 comment declares ("# -*- coding: latin-1 -*-"),
 * found as Python's tokenize.detect_encoding finds it: on line 1, or on
 * line 2 after a blank or comment line 1.  Lowercased into enc with '-'
 * and ' ' as '_' (as codecs.lookup compares names); 0 when none.
 */
static int coding_cookie(const char *t, size_t n, char *enc, size_t encsz)
{
	size_t b = 0;
	for (int line = 1; line <= 2 && b < n; line++) {
		const char *nl = memchr(t + b, '\n', n - b);
		size_t e = nl ? (size_t)(nl - t) : n, i = b;
		while (i < e && (t[i] == ' ' || t[i] == '\t' || t[i] == '\f'))
			i++;
		int comment = i < e && t[i] == '#';
		if (comment) {
			for (size_t k = i; k + 7 <= e; k++) {
				if (memcmp(t + k, "coding", 6) || (t[k + 6] != ':' && t[k + 6] != '='))
					continue;
				size_t v = k + 7, m = 0;
				while (v < e && (t[v] == ' ' || t[v] == '\t'))
					v++;
				while (v < e && m + 1 < encsz &&
				       (isalnum((unsigned char)t[v]) || strchr("-_.", t[v]))) {
					enc[m++] = (char)(t[v] == '-' ? '_' : tolower((unsigned char)t[v]));
					v++;
				}
				enc[m] = '\0';
				if (m)
					return line;
			}
		}
		/* line 2 counts only after a line 1 that is blank or a comment */
		if (!comment && i < e && t[i] != '\r')
			return 0;
		b = e + 1;
	}
	return 0;
}

static int name_in(const char *name, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/*
 * Python reads a module in the encoding its coding comment declares:
 * UTF-8, ASCII and Latin-1 (by any of Python's names for them) are read
 * here, Latin-1 turned into UTF-8 in *text; any other is refused, so that
 * no message prints as bytes of another encoding.
 */
static int decode_source(const char *path, char **text, size_t *len, struct rt_error *err)
{
	static const char *const utf8[] = { "utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4",
					     "cp65001", NULL };
	static const char *const latin1[] = { "latin_1", "latin1", "iso_8859_1", "iso8859_1",
					      "iso_latin_1", "8859", "cp819", "iso8859", "l1",
					      "latin", "iso_ir_100", "iso_8859_1_1987", "csisolatin1",
					      "ibm819", NULL };
	static const char *const ascii[] = { "ascii", "us_ascii", "646", "us", "cp367", "ibm367",
					     "csascii", "iso646_us", "ansi_x3.4_1968", "iso_ir_6",
					     NULL };
	char enc[64];
	const char *t = *text;
	int bom = *len >= 3 && !memcmp(t, "\xef\xbb\xbf", 3);
	int line = coding_cookie(t + 3 * bom, *len - 3 * (size_t)bom, enc, sizeof(enc));
	/* Python's tokenizer: the first 12 characters decide utf-8 and latin-1 */
	if (!line || name_in(enc, utf8) || !strncmp(enc, "utf_8_", 6))
		return 0;
	int is_latin1 = name_in(enc, latin1) || !strncmp(enc, "latin_1_", 8) ||
			!strncmp(enc, "iso_8859_1_", 11) || !strncmp(enc, "iso_latin_1_", 12);
	if (bom || (!is_latin1 && !name_in(enc, ascii)))
		return rt_error_set(err, RT_EXIT_ERROR, "%s:%d: the coding comment declares '%s'%s; "
				    "retort reads .py revisions in UTF-8, ASCII or Latin-1: save the "
				    "file as UTF-8 and drop the comment", path, line, enc, bom ?
				    " after a UTF-8 byte order mark, which Python refuses too" : "");
	struct strbuf out = STRBUF_INIT;
	int ln = 1;
	for (size_t i = 0; i < *len; i++) {
		unsigned char c = (unsigned char)t[i];
		ln += c == '\n';
		if (c < 0x80) {
			strbuf_addch(&out, (char)c);
		} else if (is_latin1) {
			strbuf_addch(&out, (char)(0xc0 | (c >> 6)));
			strbuf_addch(&out, (char)(0x80 | (c & 0x3f)));
		} else {
			strbuf_release(&out);
			return rt_error_set(err, RT_EXIT_ERROR, "%s:%d: byte 0x%02x is not ASCII, which "
					    "the coding comment on line %d declares", path, ln, c, line);
		}
	}
	free(*text);
	*len = out.len;
	*text = strbuf_detach(&out);
	return 0;
}

int rt_pyrev_parse(struct rt_script *s, const char *path, char *text, size_t len,
		   struct rt_error *err)
{
	struct lx l = { .path = path, .t = text, .n = len, .line = 1, .err = err };
	struct header h;
	int rc = -1, first = 1;

	memset(&h, 0, sizeof(h));
	strbuf_init(&h.doc);
	for (int k = 0; k < 4; k++)
		strvec_init(&h.v[k].items);
	s->path = xstrdup(path);
	s->py_path = xstrdup(path);
	s->text = text;
	s->text_len = len;
	s->has_sql = 0;
	if (rt_text_check(path, text, len, "a Python revision is text", err))
		goto out;
	if (decode_source(path, &s->text, &s->text_len, err))
		goto out;
	l.t = text = s->text;
	l.n = len = s->text_len;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		l.i = l.bol = 3;
	while (l.i < l.n) {
		int c = peek(&l, 0);
		if (c == ' ' || c == '\t' || c == '\f') {
			/* an indented line: inside a block, or blank */
			skip_inline(&l);
			if (at_eol(&l) || peek(&l, 0) == '#') {
				skip_comment(&l);
				adv(&l);
			} else if (skip_statement(&l)) {
				goto out;
			} else {
				first = 0;
			}
			continue;
		}
		if (c == '\n' || c == '\r' || c == '#') {
			skip_comment(&l);
			adv(&l);
			continue;
		}
		if (statement(&l, &h, first))
			goto out;
		first = 0;
	}

	/* what the four assignments said */
	struct strvec *lists[4] = { NULL, &s->down, &s->labels, &s->deps };
	int *lines[4] = { &s->id_line, &s->down_line, &s->labels_line, &s->deps_line };
	for (int k = 0; k < 4; k++) {
		if (!h.seen[k])
			continue;
		*lines[k] = h.v[k].line;
		if (k == 0) {
			if (h.v[0].is_none || h.v[0].is_seq) {
				rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: revision must be a string literal "
					     "(the revision id)", path, h.v[0].line, h.v[0].col);
				goto out;
			}
			s->id = xstrdup(h.v[0].items.v[0]);
			continue;
		}
		for (size_t i = 0; i < h.v[k].items.nr; i++)
			strvec_push(lists[k], h.v[k].items.v[i]);
	}
	if (!s->id && !(s->id = legacy_id(path))) {
		rt_error_set(err, RT_EXIT_ERROR, "%s: no top-level 'revision = \"<id>\"' assignment, and "
			     "the file name is not a revision id; Alembic reads the id from it", path);
		goto out;
	}
	if (rt_revid_check(s->id, "", err)) {
		if (h.seen[0])
			rt_error_prefix(err, "%s:%d:%d: revision", path, h.v[0].line, h.v[0].col);
		else
			rt_error_prefix(err, "%s", path);
		goto out;
	}
	if (!h.seen[1]) {
		rt_error_set(err, RT_EXIT_ERROR, "%s:%d:1: no top-level 'down_revision = ...' assignment "
			     "(None for the first revision)", path, s->id_line ? s->id_line : 1);
		goto out;
	}
	if (check_ids(&s->down, &h.v[1], path, "down_revision", err) ||
	    check_ids(&s->deps, &h.v[3], path, "depends_on", err))
		goto out;
	if (strvec_find(&s->down, s->id) >= 0) {
		rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: revision '%s' revises itself", path,
			     h.v[1].line, h.v[1].col, s->id);
		goto out;
	}
	if (strvec_find(&s->deps, s->id) >= 0) {
		rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: revision '%s' depends on itself", path,
			     h.v[3].line, h.v[3].col, s->id);
		goto out;
	}
	for (size_t i = 0; i < s->labels.nr; i++)
		if (!*s->labels.v[i]) {
			rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: empty branch label", path,
				     h.v[2].line, h.v[2].col);
			goto out;
		}

	/* longdoc: the docstring stripped; doc: its first paragraph */
	{
		const char *b = h.doc.buf, *e = h.doc.buf + h.doc.len;
		while (b < e && py_space((unsigned char)*b))
			b++;
		while (e > b && py_space((unsigned char)e[-1]))
			e--;
		s->longdoc = xstrndup(b, (size_t)(e - b));
		char *para = strstr(s->longdoc, "\n\n");
		s->doc = para ? xstrndup(s->longdoc, (size_t)(para - s->longdoc)) : xstrdup(s->longdoc);
	}
	rc = 0;
out:
	strbuf_release(&h.doc);
	for (int k = 0; k < 4; k++)
		strvec_clear(&h.v[k].items);
	return rc;
}

int rt_pyrev_load(struct rt_script *s, const char *path, struct rt_error *err)
{
	struct strbuf text = STRBUF_INIT;
	if (rt_read_regular_file(path, &text, RT_READ_NO_LIMIT, err))
		return -1;
	size_t len = text.len;
	return rt_pyrev_parse(s, path, strbuf_detach(&text), len, err);
}
