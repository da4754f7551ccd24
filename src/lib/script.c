/*
 * Migration scripts: reading one file, parsing its comment header
 * (revision id, parents, labels, dependencies, message) and finding its
 * upgrade and downgrade sections.
 */
#include "script.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void rt_script_init(struct rt_script *s)
{
	memset(s, 0, sizeof(*s));
	strvec_init(&s->down);
	strvec_init(&s->deps);
	strvec_init(&s->labels);
}

void rt_script_release(struct rt_script *s)
{
	free(s->path);
	free(s->text);
	free(s->id);
	strvec_clear(&s->down);
	strvec_clear(&s->deps);
	strvec_clear(&s->labels);
	free(s->create_date);
	free(s->longdoc);
	free(s->doc);
	free(s->py_path);
	rt_script_init(s);
}

int rt_revid_check(const char *id, const char *where, struct rt_error *err)
{
	if (!*id)
		return rt_error_set(err, RT_EXIT_ERROR, "%sempty revision id", where);
	const char *p = id;
	for (; *p; p++) {
		/* a switch, not strchr(): this runs for every character of every id */
		int bad;
		switch (*p) {
		case '@': case '-': case '+': case ':': case ',':
			bad = 1;
			break;
		default:
			bad = isspace((unsigned char)*p);
		}
		if (bad)
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%scharacter '%c' not allowed in revision id '%s'; ids may not "
					    "contain '@', '-', '+', ':', ',' or white space",
					    where, *p, id);
	}
	/* alembic_version.version_num is VARCHAR(32): refuse now what the
	 * database would refuse (or, SQLite, keep) only when it runs.  The
	 * servers count characters, not bytes: UTF-8's continuation bytes
	 * (10xxxxxx) do not count. */
	long chars = 0;
	for (const char *q = id; q < p; q++)
		chars += ((unsigned char)*q & 0xc0) != 0x80;
	if (chars > RT_MAX_REVID)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%srevision id '%.40s...' is %ld characters long; the version table "
				    "holds at most %d", where, id, chars, RT_MAX_REVID);
	return 0;
}

void rt_script_position(const struct rt_script *s, size_t off, int *line, int *col)
{
	int l = 1;
	size_t bol = 0;
	if (off > s->text_len)
		off = s->text_len;
	for (size_t i = 0; i < off; i++)
		if (s->text[i] == '\n') {
			l++;
			bol = i + 1;
		}
	*line = l;
	*col = (int)(off - bol) + 1;
}

/* Trim [*b, *e) of spaces and tabs (and a CR at the end). */
static void trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

static const char *const header_fields[] = {
	"Revision ID", "Revises", "Create Date", "Branch Labels", "Depends On", NULL,
};

/*
 * If the comment text [b,e) is "Field: value", return the field's index.
 * Every header line of every file comes here, so the first letter is
 * compared before the whole name.
 */
static int header_field(const char *b, const char *e, const char **val)
{
	if (b == e)
		return -1;
	int c = tolower((unsigned char)*b);
	for (int i = 0; header_fields[i]; i++) {
		if (c != tolower((unsigned char)header_fields[i][0]))
			continue;
		size_t n = strlen(header_fields[i]);
		if ((size_t)(e - b) > n && !strncasecmp(b, header_fields[i], n) && b[n] == ':') {
			*val = b + n + 1;
			return i;
		}
	}
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A long id list (tens of thousands in one Revises: line) is checked for
 * repeats by sorting a copy, not by a scan per id, so parsing stays
 * n log n.  The error names the second place the id stands.
 */
static int repeated_id(const struct strvec *ids, const char *b, const char *e, const char *path,
		       int line, const char *text, struct rt_error *err)
{
	char **v = xmalloc(ids->nr * sizeof(*v));
	const char *dup = NULL;
	memcpy(v, ids->v, ids->nr * sizeof(*v));
	qsort(v, ids->nr, sizeof(*v), cmp_str);
	for (size_t i = 1; i < ids->nr && !dup; i++)
		if (!strcmp(v[i - 1], v[i]))
			dup = v[i];
	int seen = 0, rc = 0;
	for (const char *p = b; dup && p < e;) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		const char *ie = c ? c : e, *ib = p;
		trim(&ib, &ie);
		if ((size_t)(ie - ib) == strlen(dup) && !memcmp(ib, dup, (size_t)(ie - ib)) && seen++) {
			rc = rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: '%s' is listed twice", path, line,
					  (int)(ib - text) + 1, dup);
			break;
		}
		p = c ? c + 1 : e;
	}
	free(v);
	return rc;
}

/*
 * Split a comma-separated header list into `out`, checking each id.
 * Ids in Revises and Depends On may not repeat.
 */
static int parse_id_list(struct strvec *out, const char *b, const char *e, int is_label,
			 const char *path, int line, const char *text, struct rt_error *err)
{
	const char *p = b;
	while (p < e) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		const char *ie = c ? c : e;
		const char *ib = p;
		trim(&ib, &ie);
		if (ie > ib) {
			char *id = xstrndup(ib, (size_t)(ie - ib));
			char where[1024];
			if (!is_label && rt_revid_check(id, "", err)) {
				/* name the position only on failure: this runs for every file */
				snprintf(where, sizeof(where), "%s:%d:%d: ", path, line, (int)(ib - text) + 1);
				rt_error_prefix(err, "%.*s", (int)strlen(where) - 2, where);
				free(id);
				return -1;
			}
			/* short lists (nearly all): a scan; long ones are checked once below */
			if (out->nr < 16 && strvec_find(out, id) >= 0) {
				rt_error_set(err, RT_EXIT_ERROR, "%s:%d:%d: '%s' is listed twice", path, line,
					     (int)(ib - text) + 1, id);
				free(id);
				return -1;
			}
			strvec_push(out, id);
			free(id);
		}
		p = c ? c + 1 : e;
	}
	return out->nr > 16 ? repeated_id(out, b, e, path, line, text, err) : 0;
}

static int parse_marker(struct rt_script *s, const char *path, int line, const char *lb,
			const char *b, const char *e, struct rt_section **sec, struct rt_error *err)
{
	/* b points just after "migrate:" */
	const char *w = b;
	while (w < e && (isalnum((unsigned char)*w) || *w == '_'))
		w++;
	size_t n = (size_t)(w - b);
	struct rt_section *target;
	const char *name;
	if (n == 7 && !strncmp(b, "upgrade", 7)) {
		target = &s->up;
		name = "upgrade";
	} else if (n == 9 && !strncmp(b, "downgrade", 9)) {
		target = &s->downgrade;
		name = "downgrade";
	} else {
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s:%d:%d: unknown section '-- migrate:%.*s'; expected "
				    "'-- migrate:upgrade' or '-- migrate:downgrade'",
				    path, line, (int)(b - lb) + 1, (int)n, b);
	}
	if (target->present)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s:%d:1: second '-- migrate:%s' section; the first is at line %d",
				    path, line, name, target->marker_line);
	if (target == &s->up && s->downgrade.present)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "%s:%d:1: the '-- migrate:upgrade' section must come before "
				    "'-- migrate:downgrade' (line %d)", path, line, s->downgrade.marker_line);
	target->present = 1;
	target->transactional = 1;
	target->marker_line = line;
	/* options: transaction:false|true */
	const char *p = w;
	while (p < e) {
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		const char *ob = p;
		while (p < e && *p != ' ' && *p != '\t')
			p++;
		if (p == ob)
			break;
		size_t on = (size_t)(p - ob);
		if (on == 17 && !strncmp(ob, "transaction:false", 17))
			target->transactional = 0;
		else if (on == 16 && !strncmp(ob, "transaction:true", 16))
			target->transactional = 1;
		else
			return rt_error_set(err, RT_EXIT_ERROR,
					    "%s:%d:%d: unknown section option '%.*s'; the only option is "
					    "'transaction:false'", path, line, (int)(ob - lb) + 1, (int)on, ob);
	}
	*sec = target;
	return 0;
}

int rt_script_parse(struct rt_script *s, const char *path, char *text, size_t len,
		    struct rt_error *err)
{
	struct strbuf doc = STRBUF_INIT;
	struct rt_section *cur = NULL;
	int seen_field = 0, line = 0, create_line = 0;
	const char *p = text, *end = text + len;

	s->path = xstrdup(path);
	s->text = text;
	s->text_len = len;
	s->has_sql = 1;

	if (rt_text_check(path, text, len, "migration files are text", err))
		goto fail;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p += 3; /* UTF-8 byte order mark */

	while (p < end) {
		const char *lb = p;
		const char *le = memchr(p, '\n', (size_t)(end - p));
		const char *next = le ? le + 1 : end;
		if (!le)
			le = end;
		line++;
		const char *b = lb, *e = le;
		trim(&b, &e);
		int is_comment = e - b >= 2 && b[0] == '-' && b[1] == '-';

		if (is_comment && !strncmp(b, "-- migrate:", 11) && b == lb) {
			struct rt_section *sec = NULL;
			if (cur)
				cur->len = (size_t)(lb - text) - cur->off;
			if (parse_marker(s, path, line, lb, b + 11, e, &sec, err))
				goto fail;
			cur = sec;
			cur->off = (size_t)(next - text);
			p = next;
			continue;
		}
		if (cur) {
			p = next;
			continue;
		}
		/* still in the header */
		if (b == e) {
			if (!seen_field)
				strbuf_addch(&doc, '\n');
			p = next;
			continue;
		}
		if (!is_comment) {
			rt_error_set(err, RT_EXIT_ERROR,
				     "%s:%d:%d: text before the '-- migrate:upgrade' section; only '--' "
				     "comment header lines may come first, SQL belongs after a section marker",
				     path, line, (int)(b - lb) + 1);
			goto fail;
		}
		const char *cb = b + 2, *ce = e, *val;
		if (cb < ce && *cb == ' ')
			cb++;
		int f = header_field(cb, ce, &val);
		if (f < 0) {
			/* free text: the message while no field has been seen */
			strbuf_add(&doc, cb, (size_t)(ce - cb));
			strbuf_addch(&doc, '\n');
			p = next;
			continue;
		}
		if (!seen_field) {
			/* a blank line between the message and the fields, as in Alembic's docstring */
			strbuf_rtrim(&doc);
			strbuf_addstr(&doc, doc.len ? "\n\n" : "");
		}
		seen_field = 1;
		strbuf_add(&doc, cb, (size_t)(ce - cb));
		strbuf_addch(&doc, '\n');
		const char *vb = val, *ve = ce;
		trim(&vb, &ve);
		int *field_line[] = { &s->id_line, &s->down_line, &create_line, &s->labels_line,
				      &s->deps_line };
		if (*field_line[f]) {
			rt_error_set(err, RT_EXIT_ERROR, "%s:%d:1: second '%s:' header line; the first is at line %d",
				     path, line, header_fields[f], *field_line[f]);
			goto fail;
		}
		*field_line[f] = line;
		switch (f) {
		case 0:
			s->id = xstrndup(vb, (size_t)(ve - vb));
			if (rt_revid_check(s->id, "", err)) {
				rt_error_prefix(err, "%s:%d:%d", path, line, (int)(vb - lb) + 1);
				goto fail;
			}
			break;
		case 1:
			if (parse_id_list(&s->down, vb, ve, 0, path, line, lb, err))
				goto fail;
			break;
		case 2:
			s->create_date = xstrndup(vb, (size_t)(ve - vb));
			break;
		case 3:
			if (parse_id_list(&s->labels, vb, ve, 1, path, line, lb, err))
				goto fail;
			break;
		case 4:
			if (parse_id_list(&s->deps, vb, ve, 0, path, line, lb, err))
				goto fail;
			break;
		}
		p = next;
	}
	if (cur)
		cur->len = len - cur->off;

	if (!s->id) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "%s:1:1: missing '-- Revision ID: <id>' header line", path);
		goto fail;
	}
	if (!s->down_line) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "%s:%d:1: missing '-- Revises:' header line (leave it empty for the first "
			     "revision)", path, s->id_line);
		goto fail;
	}
	if (strvec_find(&s->down, s->id) >= 0) {
		rt_error_set(err, RT_EXIT_ERROR, "%s:%d:1: revision '%s' revises itself", path,
			     s->down_line, s->id);
		goto fail;
	}
	if (strvec_find(&s->deps, s->id) >= 0) {
		rt_error_set(err, RT_EXIT_ERROR, "%s:%d:1: revision '%s' depends on itself", path,
			     s->deps_line, s->id);
		goto fail;
	}
	if (!s->up.present) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "%s: no '-- migrate:upgrade' section; add one after the header", path);
		goto fail;
	}
	strbuf_rtrim(&doc);
	{
		/* strip leading blank lines */
		size_t i = 0;
		while (i < doc.len && doc.buf[i] == '\n')
			i++;
		s->longdoc = xstrdup(doc.buf + i);
	}
	{
		char *para = strstr(s->longdoc, "\n\n");
		s->doc = para ? xstrndup(s->longdoc, (size_t)(para - s->longdoc)) : xstrdup(s->longdoc);
		/* a header with fields only: the doc must not be "Revision ID: ..." */
		const char *v;
		char *nl = strchr(s->doc, '\n');
		if (header_field(s->doc, nl ? nl : s->doc + strlen(s->doc), &v) >= 0)
			s->doc[0] = '\0';
	}
	strbuf_release(&doc);
	return 0;
fail:
	strbuf_release(&doc);
	return -1;
}

/* Read and parse one migration file (lib/fileio.c: few system calls, an
 * exactly sized buffer, which the script keeps). */
int rt_script_load(struct rt_script *s, const char *path, struct rt_error *err)
{
	struct strbuf text = STRBUF_INIT;
	if (rt_read_regular_file(path, &text, RT_READ_NO_LIMIT, err))
		return -1;
	size_t len = text.len;
	return rt_script_parse(s, path, strbuf_detach(&text), len, err);
}

/*
 * A revision that came from the header cache has no text: read its .sql
 * file now, for the callers that need the SQL after all.  The sections are
 * taken from this reading; a file whose Revision ID is no longer the same
 * is an error (it changed since the scripts were read).
 */
int rt_script_load_text(struct rt_script *s, struct rt_error *err)
{
	if (s->text || !s->has_sql)
		return 0;
	struct rt_script fresh;
	rt_script_init(&fresh);
	if (rt_script_load(&fresh, s->path, err))
		return -1;
	if (strcmp(fresh.id, s->id)) {
		rt_error_set(err, RT_EXIT_ERROR, "%s changed while retort ran: its Revision ID is now "
			     "'%s', not '%s'; run the command again", s->path, fresh.id, s->id);
		rt_script_release(&fresh);
		return -1;
	}
	s->text = fresh.text;
	s->text_len = fresh.text_len;
	s->up = fresh.up;
	s->downgrade = fresh.downgrade;
	fresh.text = NULL;
	rt_script_release(&fresh);
	return 0;
}
