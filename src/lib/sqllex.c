/*
 * The SQL lexer and what is built on it: the token iterator, the statement
 * splitter the executor and the PostgreSQL driver run every migration
 * section through, and the first-words helper for transaction checks.
 * One scanner (scan()) holds every quote and comment rule; the splitter
 * calls it directly so that the compiler can inline it into its loop.
 */
#include "sqllex.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Byte classes: white space, name characters, name starts, digits; and
 * for rt_sql_words, ASCII letters, digits and '_', and ASCII letters and '_'. */
enum { C_SP = 1, C_ID = 2, C_ST = 4, C_DG = 8, C_AW = 16, C_AA = 32 };

static const unsigned char cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 0, 0, 0, 0, 0, 0,
	0, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54,
	54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 0, 0, 0, 0, 54,
	0, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54,
	54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 54, 0, 0, 0, 0, 0,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
};

#define CLS(c) cls[(unsigned char)(c)]

void rt_stmts_release(struct rt_stmts *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/*
 * The end of a quote opened at s[p] that closes with `close`; a doubled
 * closing character stands for itself (unless `doubling` is off, as for
 * SQLite's [name]), and with `backslash` a backslash escapes the next
 * byte (E'...').  Sets *open when the input ends first.
 */
static size_t quote_end(const char *s, size_t len, size_t p, char close, int doubling, int backslash,
			int *open)
{
	p++;
	for (;;) {
		if (!backslash) {
			const char *q = memchr(s + p, close, len - p);
			if (!q)
				break;
			p = (size_t)(q - s) + 1;
		} else {
			while (p < len && s[p] != close) {
				if (s[p] == '\\' && p + 1 < len)
					p++;
				p++;
			}
			if (p >= len)
				break;
			p++;
		}
		if (doubling && p < len && s[p] == close) {
			p++;
			continue;
		}
		return p;
	}
	*open = 1;
	return len;
}

/* The length of a dollar-quote opening tag at s[p] ("$$", "$tag$"), else 0:
 * "$1" is a parameter, and so is "$name" without a closing '$'. */
static size_t dollar_tag(const char *s, size_t len, size_t p)
{
	size_t q = p + 1;
	if (q < len && (CLS(s[q]) & C_DG))
		return 0;
	while (q < len && (CLS(s[q]) & C_ID) && s[q] != '$')
		q++;
	return q < len && s[q] == '$' ? q - p + 1 : 0;
}

/* The end of the dollar-quoted string opened by the tag s[p, p+tl). */
static size_t dollar_end(const char *s, size_t len, size_t p, size_t tl, int *open)
{
	size_t q = p + tl;
	while (q + tl <= len) {
		const char *d = memchr(s + q, '$', len - q);
		if (!d || (size_t)(d - s) + tl > len)
			break;
		q = (size_t)(d - s);
		if (!memcmp(s + q, s + p, tl))
			return q + tl;
		q++;
	}
	*open = 1;
	return len;
}

/* The end of a block comment at s[p] ("/" "*"); with `nest` (PostgreSQL)
 * comments nest, without (SQLite) the first star-slash ends it. */
static size_t block_comment_end(const char *s, size_t len, size_t p, int nest, int *open)
{
	int depth = 1;
	p += 2;
	while (p < len) {
		char c = s[p];
		if (c == '*' && p + 1 < len && s[p + 1] == '/') {
			p += 2;
			if (!--depth)
				return p;
		} else if (nest && c == '/' && p + 1 < len && s[p + 1] == '*') {
			depth++;
			p += 2;
		} else {
			p++;
		}
	}
	*open = 1;
	return len;
}

/*
 * MySQL's version comment at s[p]: "/" "*!" or "/" "*M!" (MariaDB), then an
 * optional version number.  MySQL runs what it holds as SQL, so only its
 * opening (a comment token) and its
 * closing star-slash (a comment token of its own) are comments; the text
 * between lexes as SQL, semicolons and all.  Returns where the opening
 * ends, or 0 when s[p] opens no version comment.
 */
static size_t version_comment(const char *s, size_t len, size_t p)
{
	size_t q = p + 2;
	if (q >= len || s[p + 1] != '*')
		return 0;
	if (s[q] == 'M' && q + 1 < len && s[q + 1] == '!')
		q++;
	if (s[q] != '!')
		return 0;
	q++;
	while (q < len && (CLS(s[q]) & C_DG))
		q++;
	return q;
}

/*
 * The scanner: skip white space from s[p], then describe the token there
 * in *t (comments included: callers skip them) and return where it ends.
 * Whether '$' opens a dollar quote and whether E' opens a backslash string
 * depends on the byte before, so that "a$b$" and "SOME'x'" stay names.
 */
static inline __attribute__((always_inline)) size_t scan(const char *s, size_t len, size_t p, unsigned flags, struct rt_sql_tok *t)
{
	int open = 0;
	size_t q;
	while (p < len && (CLS(s[p]) & C_SP))
		p++;
	t->off = p;
	if (p >= len) {
		t->kind = RT_SQL_END;
		t->unterminated = 0;
		t->len = 0;
		return p;
	}
	unsigned char c = (unsigned char)s[p];
	unsigned k = cls[c];
	if (k & C_ST) {
		if ((c == 'E' || c == 'e') && p + 1 < len && s[p + 1] == '\'' &&
		    (p == 0 || !(CLS(s[p - 1]) & C_ID))) {
			t->kind = RT_SQL_STRING;
			q = quote_end(s, len, p + 1, '\'', 1, 1, &open);
		} else {
			t->kind = RT_SQL_WORD;
			q = p + 1;
			while (q < len && (CLS(s[q]) & C_ID))
				q++;
		}
	} else if (k & C_DG) {
		t->kind = RT_SQL_NUMBER;
		q = p + 1;
		for (; q < len; q++) {
			char d = s[q];
			if (CLS(d) & C_ID)
				continue;
			if (q + 1 < len && (CLS(s[q + 1]) & C_DG) &&
			    (d == '.' || ((d == '+' || d == '-') && (s[q - 1] == 'e' || s[q - 1] == 'E'))))
				continue;
			break;
		}
	} else {
		switch (c) {
		case '\'':
			/* MySQL: backslash escapes in every string */
			t->kind = RT_SQL_STRING;
			q = quote_end(s, len, p, '\'', 1, !!(flags & RT_LEX_MYSQL), &open);
			break;
		case '"':
			/* MySQL: "..." is a string, as '...' (without ANSI_QUOTES) */
			t->kind = flags & RT_LEX_MYSQL ? RT_SQL_STRING : RT_SQL_QNAME;
			q = quote_end(s, len, p, '"', 1, !!(flags & RT_LEX_MYSQL), &open);
			break;
		case '#':
			if (flags & RT_LEX_MYSQL) {
				const char *nl = memchr(s + p, '\n', len - p);
				t->kind = RT_SQL_COMMENT;
				q = nl ? (size_t)(nl - s) : len;
			} else {
				t->kind = RT_SQL_PUNCT;
				q = p + 1;
			}
			break;
		case '*':
			/* MySQL: the end of a version comment (see '/') */
			if ((flags & RT_LEX_MYSQL) && p + 1 < len && s[p + 1] == '/') {
				t->kind = RT_SQL_COMMENT;
				q = p + 2;
			} else {
				t->kind = RT_SQL_PUNCT;
				q = p + 1;
			}
			break;
		case '`':
			if (flags & (RT_LEX_SQLITE | RT_LEX_MYSQL)) {
				t->kind = RT_SQL_QNAME;
				q = quote_end(s, len, p, '`', 1, 0, &open);
			} else {
				t->kind = RT_SQL_PUNCT;
				q = p + 1;
			}
			break;
		case '[':
			if (flags & RT_LEX_SQLITE) {
				t->kind = RT_SQL_QNAME;
				q = quote_end(s, len, p, ']', 0, 0, &open);
			} else {
				t->kind = RT_SQL_PUNCT;
				q = p + 1;
			}
			break;
		case '-':
			/* MySQL: "--" opens a comment only before white space or a
			 * control character ("1--1" is 1 - -1) */
			if (p + 1 < len && s[p + 1] == '-' &&
			    (!(flags & RT_LEX_MYSQL) || p + 2 >= len || (unsigned char)s[p + 2] <= ' ')) {
				const char *nl = memchr(s + p, '\n', len - p);
				t->kind = RT_SQL_COMMENT;
				q = nl ? (size_t)(nl - s) : len;
			} else {
				t->kind = RT_SQL_PUNCT;
				q = p + 1;
			}
			break;
		case '/':
			if ((flags & RT_LEX_MYSQL) && (q = version_comment(s, len, p))) {
				t->kind = RT_SQL_COMMENT;
			} else if (p + 1 < len && s[p + 1] == '*') {
				t->kind = RT_SQL_COMMENT;
				q = block_comment_end(s, len, p, !(flags & (RT_LEX_SQLITE | RT_LEX_MYSQL)), &open);
			} else {
				t->kind = RT_SQL_PUNCT;
				q = p + 1;
			}
			break;
		case '$': {
			/* MySQL has no dollar quotes: '$' is a name character */
			size_t tl = !(flags & RT_LEX_MYSQL) && (p == 0 || !(CLS(s[p - 1]) & C_ID))
					    ? dollar_tag(s, len, p) : 0;
			if (tl) {
				t->kind = RT_SQL_STRING;
				q = dollar_end(s, len, p, tl, &open);
			} else {
				/* a parameter ($1, $name), or a stray '$' */
				t->kind = RT_SQL_WORD;
				q = p + 1;
				while (q < len && (CLS(s[q]) & C_ID))
					q++;
			}
			break;
		}
		default:
			t->kind = RT_SQL_PUNCT;
			q = p + 1;
		}
	}
	t->unterminated = open;
	t->len = q - p;
	return q;
}

void rt_sql_lexer_init(struct rt_sql_lexer *lx, const char *sql, size_t len, unsigned flags)
{
	memset(lx, 0, sizeof(*lx));
	lx->sql = sql;
	lx->len = len;
	lx->flags = flags;
}

/* The iterator: scan() until a token the caller wants (comments only when
 * asked for), remembering an unclosed quote or comment. */
enum rt_sql_kind rt_sql_next(struct rt_sql_lexer *lx, struct rt_sql_tok *tok)
{
	for (;;) {
		lx->pos = scan(lx->sql, lx->len, lx->pos, lx->flags, tok);
		if (tok->unterminated) { /* then it is the last token */
			lx->unterminated = 1;
			lx->open_off = tok->off;
		}
		if (tok->kind != RT_SQL_COMMENT || (lx->flags & RT_LEX_COMMENTS))
			return tok->kind;
	}
}

int rt_sql_tok_is(const char *sql, const struct rt_sql_tok *tok, const char *word)
{
	size_t n = strlen(word);
	return tok->kind == RT_SQL_WORD && tok->len == n && !strncasecmp(sql + tok->off, word, n);
}

/* The quotes come off a QNAME; a doubled closing quote inside stands for
 * one (not in SQLite's [...]); an unterminated name runs to its end. */
char *rt_sql_tok_name(const char *sql, const struct rt_sql_tok *tok)
{
	const char *s = sql + tok->off;
	if (tok->kind != RT_SQL_QNAME || tok->len < 1)
		return xstrndup(s, tok->len);
	char close = *s == '[' ? ']' : *s;
	size_t end = tok->len - !tok->unterminated;
	char *out = xmalloc(tok->len), *o = out;
	for (size_t i = 1; i < end; i++) {
		*o++ = s[i];
		if (s[i] == close && close != ']' && i + 1 < end && s[i + 1] == close)
			i++;
	}
	*o = '\0';
	return out;
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

static int ascii_alpha(char c)
{
	return CLS(c) & C_AA;
}

/*
 * Words are those that start with a letter or '_'; each is copied up to
 * its first byte that is not an ASCII letter, digit or '_', and a word cut
 * short that way ends the list.  E'...' counts as the word E, so that the
 * words stop where they always did.
 */
void rt_sql_words_ex(const char *stmt, size_t len, int n, unsigned flags, char *out, size_t outlen)
{
	size_t p = 0, o = 0;
	out[0] = '\0';
	for (int w = 0; w < n; w++) {
		struct rt_sql_tok t;
		do
			p = scan(stmt, len, p, flags, &t);
		while (t.kind == RT_SQL_COMMENT);
		const char *b = stmt + t.off;
		if (!(t.kind == RT_SQL_WORD || t.kind == RT_SQL_STRING) || !ascii_alpha(*b))
			break;
		if (w && o + 1 < outlen)
			out[o++] = ' ';
		size_t i = 0;
		for (; i < t.len && (CLS(b[i]) & C_AW); i++)
			if (o + 1 < outlen)
				out[o++] = (char)(b[i] >= 'a' && b[i] <= 'z' ? b[i] - 'a' + 'A' : b[i]);
		if (i < t.len)
			break;
	}
	out[o] = '\0';
}

void rt_sql_words(const char *stmt, size_t len, int n, char *out, size_t outlen)
{
	rt_sql_words_ex(stmt, len, n, 0, out, outlen);
}

/*
 * The mysql client's DELIMITER command at s[p] (the word DELIMITER at the
 * start of a line, then the new delimiter up to white space): the
 * delimiter in *d and *dl, and where the command's line ends; else 0.
 */
static size_t delimiter_command(const char *s, size_t len, size_t p, const char **d, size_t *dl)
{
	if (len - p < 10 || strncasecmp(s + p, "DELIMITER", 9) || (s[p + 9] != ' ' && s[p + 9] != '\t'))
		return 0;
	for (size_t b = p; b > 0 && s[b - 1] != '\n'; b--)
		if (s[b - 1] != ' ' && s[b - 1] != '\t' && s[b - 1] != '\r')
			return 0;
	size_t q = p + 9;
	while (q < len && (s[q] == ' ' || s[q] == '\t'))
		q++;
	size_t e = q;
	while (e < len && !(CLS(s[e]) & C_SP))
		e++;
	if (e == q)
		return 0;
	*d = s + q;
	*dl = e - q;
	while (e < len && s[e] != '\n')
		e++;
	return e;
}

/*
 * Statement boundaries from the token stream.  The first words of each
 * statement (its head) tell whether it may hold a BEGIN ... END body; in
 * one that may, BEGIN and CASE open a level and END closes one, and only
 * a semicolon outside every level ends the statement.
 */
static inline __attribute__((always_inline)) void split(const char *sql, size_t len, unsigned flags,
							      struct rt_stmts *out)
{
	size_t p = 0, start = 0;
	const char *delim = NULL;  /* MySQL: the DELIMITER in force, NULL: ';' */
	size_t dl = 0;
	int in_vc = 0;             /* MySQL: inside a version comment, which ';' does not end */
	int in_stmt = 0;
	int depth = 0;          /* BEGIN ... END nesting inside a body */
	int body_ok = -1;       /* -1: unknown yet; 1: statement may hold a BEGIN body */
	int words = 0;
	char head[96] = "";
	size_t hl = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct rt_sql_tok t;
		p = scan(sql, len, p, flags, &t);
		if (t.kind == RT_SQL_END)
			break;
		if (flags & RT_LEX_MYSQL) {
			const char *nd;
			size_t nl, e;
			if (!in_stmt && t.kind == RT_SQL_WORD && (e = delimiter_command(sql, len, t.off, &nd, &nl))) {
				/* a client command, not SQL: it sends nothing */
				delim = nl == 1 && *nd == ';' ? NULL : nd;
				dl = nl;
				p = e;
				continue;
			}
			/* the delimiter, anywhere outside quotes and comments (also
			 * glued to a word: "END$$"), ends the statement and is not
			 * part of it */
			size_t at = t.off, stop = t.off + 1;
			if (delim && t.kind != RT_SQL_STRING && t.kind != RT_SQL_QNAME && t.kind != RT_SQL_COMMENT)
				stop = t.off + t.len;
			while (delim && at < stop && !(at + dl <= len && !memcmp(sql + at, delim, dl)))
				at++;
			if (delim && at < stop) {
				if (in_stmt || at > t.off) {
					if (!in_stmt)
						start = t.off;
					ALLOC_GROW(out->v, out->nr + 1, out->alloc);
					out->v[out->nr].off = start;
					out->v[out->nr].len = at - start;
					out->nr++;
					in_stmt = 0;
				}
				p = at + dl;
				continue;
			}
			/* a version comment's opening starts its statement if none
			 * has started; until its closing star-slash, ';' ends nothing */
			if (t.kind == RT_SQL_COMMENT && t.len == 2 && sql[t.off] == '*') {
				in_vc = 0;
			} else if (t.kind == RT_SQL_COMMENT && t.len >= 3 && sql[t.off + 1] == '*' &&
				   (sql[t.off + 2] == '!' || sql[t.off + 2] == 'M')) {
				in_vc = 1;
				if (!in_stmt) {
					start = t.off;
					in_stmt = 1;
					depth = 0;
					body_ok = -1;
					words = 0;
					hl = 0;
					head[0] = '\0';
				}
				continue;
			}
		}
		if (t.unterminated) {
			/* an E'...' string is reported at its quote */
			out->unterminated = 1;
			out->open_off = t.off + (t.kind == RT_SQL_STRING && sql[t.off] != '\'' &&
						 sql[t.off] != '$' && sql[t.off] != '"');
		}
		if (t.kind == RT_SQL_COMMENT)
			continue;
		const char *w = sql + t.off;
		if (!in_stmt) {
			if (t.kind == RT_SQL_PUNCT && *w == ';')
				continue; /* an empty statement */
			start = t.off;
			in_stmt = 1;
			depth = 0;
			body_ok = -1;
			words = 0;
			hl = 0;
			head[0] = '\0';
		}
		if (t.kind == RT_SQL_PUNCT) {
			if (*w == ';' && !depth && !delim && !in_vc) {
				ALLOC_GROW(out->v, out->nr + 1, out->alloc);
				out->v[out->nr].off = start;
				out->v[out->nr].len = p - start;
				out->nr++;
				in_stmt = 0;
			}
			continue;
		}
		if (!body_ok || !ascii_alpha(*w))
			continue;
		if (t.kind != RT_SQL_WORD)
			continue;
		size_t n = t.len;
		if (words < 6) {
			if (hl + n + 2 < sizeof(head)) {
				if (hl)
					head[hl++] = ' ';
				for (size_t i = 0; i < n; i++)
					head[hl++] = (char)(w[i] >= 'a' && w[i] <= 'z' ? w[i] - 'a' + 'A' : w[i]);
				head[hl] = '\0';
			}
			words++;
			/* only a CREATE statement can have a body */
			if (words == 1 && strcmp(head, "CREATE"))
				body_ok = 0;
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
	}
	if (in_stmt) {
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		out->v[out->nr].off = start;
		out->v[out->nr].len = len - start;
		out->nr++;
	}
}

void rt_sql_split(const char *sql, size_t len, struct rt_stmts *out)
{
	split(sql, len, 0, out);
}

void rt_sql_split_ex(const char *sql, size_t len, unsigned flags, struct rt_stmts *out)
{
	if (flags & RT_LEX_MYSQL)
		split(sql, len, RT_LEX_MYSQL, out);
	else
		split(sql, len, 0, out);
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
