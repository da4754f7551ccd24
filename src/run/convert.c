/*
 * retort convert, the library half: run the Python driver, read its
 * records, turn Alembic's offline scripts into retort's sections, and
 * write the .sql twins (see convert.h).
 */
#include "convert.h"
#include "pyhelpers.h"
#include "../lib/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/sqllex.h"
#include "../lib/strbuf.h"
#include "../lib/xalloc.h"


static void section_release(struct rt_convert_section *s)
{
	free(s->sql);
	strvec_clear(&s->warnings);
}

void rt_convert_release(struct rt_convert *c)
{
	for (int i = 0; i < c->n; i++) {
		struct rt_convert_rev *r = &c->revs[i];
		free(r->id);
		section_release(&r->up);
		section_release(&r->down);
		free(r->refused);
		strvec_clear(&r->flags);
	}
	free(c->revs);
	free(c->python);
	free(c->version_table);
	*c = (struct rt_convert){ 0 };
}

/* The last non-empty line of a child's standard error (a traceback's verdict). */
static void last_line(const struct strbuf *sb, char *out, size_t outlen)
{
	size_t end = sb->len;
	while (end && (sb->buf[end - 1] == '\n' || sb->buf[end - 1] == ' '))
		end--;
	size_t start = end;
	while (start && sb->buf[start - 1] != '\n')
		start--;
	snprintf(out, outlen, "%.*s", (int)(end - start), sb->buf + start);
}

static struct rt_convert_rev *find_rev(struct rt_convert *c, const char *id)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->revs[i].id, id))
			return &c->revs[i];
	return NULL;
}

/* Is the table named by the token at `t` (maybe schema-qualified, quoted) the version table? */
static int names_table(const char *sql, struct rt_sql_lexer *lx, const char *table)
{
	struct rt_sql_tok t;
	size_t tl = strlen(table);
	int match = 0;
	for (;;) {
		if (!rt_sql_next(lx, &t) || (t.kind != RT_SQL_WORD && t.kind != RT_SQL_QNAME))
			return 0;
		const char *p = sql + t.off;
		size_t l = t.len;
		if (t.kind == RT_SQL_QNAME && l >= 2) {
			p++;
			l -= 2;
		}
		match = l == tl && !strncasecmp(p, table, tl);
		size_t save = lx->pos;
		if (rt_sql_next(lx, &t) != RT_SQL_PUNCT || sql[t.off] != '.') {
			lx->pos = save;
			return match;
		}
	}
}

/* Does the statement create, drop or change the version table? */
static int version_table_stmt(const char *sql, size_t len, const char *table)
{
	struct rt_sql_lexer lx;
	struct rt_sql_tok a, b;
	rt_sql_lexer_init(&lx, sql, len, 0);
	if (rt_sql_next(&lx, &a) != RT_SQL_WORD)
		return 0;
	if (rt_sql_tok_is(sql, &a, "UPDATE"))
		return names_table(sql, &lx, table);
	if (rt_sql_next(&lx, &b) != RT_SQL_WORD)
		return 0;
	if ((rt_sql_tok_is(sql, &a, "CREATE") || rt_sql_tok_is(sql, &a, "DROP")) &&
	    rt_sql_tok_is(sql, &b, "TABLE"))
		return names_table(sql, &lx, table);
	if ((rt_sql_tok_is(sql, &a, "INSERT") && rt_sql_tok_is(sql, &b, "INTO")) ||
	    (rt_sql_tok_is(sql, &a, "DELETE") && rt_sql_tok_is(sql, &b, "FROM")))
		return names_table(sql, &lx, table);
	return 0;
}

/*
 * One of Alembic's scripts as a section: BEGIN/COMMIT and the version
 * table's statements dropped, the rest kept as written.  Statements that
 * follow a COMMIT before the next BEGIN ran outside a transaction in
 * Alembic (autocommit_block): the section then runs statement by statement.
 */
void rt_convert_section_from(const char *text, size_t len, const char *vtable,
			     struct rt_convert_section *s)
{
	struct rt_stmts st = { 0 };
	struct strbuf out = STRBUF_INIT;
	int began = 0, in_txn = 0, outside = 0;
	rt_sql_split(text, len, &st);
	for (int i = 0; i < st.nr; i++) {
		const char *p = text + st.v[i].off;
		size_t l = st.v[i].len;
		char words[64];
		rt_sql_words(p, l, 3, words, sizeof(words));
		if (!strcmp(words, "BEGIN") || !strcmp(words, "BEGIN TRANSACTION") ||
		    !strcmp(words, "START TRANSACTION")) {
			began = in_txn = 1;
			continue;
		}
		if (!strcmp(words, "COMMIT")) {
			in_txn = 0;
			continue;
		}
		if (version_table_stmt(p, l, vtable))
			continue;
		if (began && !in_txn)
			outside = 1;
		while (l && strchr(" \t\r\n", p[l - 1]))
			l--;
		strbuf_add(&out, p, l);
		if (!l || p[l - 1] != ';')
			strbuf_addch(&out, ';');
		strbuf_addch(&out, '\n');
	}
	rt_stmts_release(&st);
	free(s->sql);
	s->sql = strbuf_detach(&out);
	s->transactional = !outside;
}

/*
 * The driver's records: "KIND REV DIR [LINE] LEN\n" then LEN bytes and
 * "\n".  Fills `c` (whose revisions are already listed).
 */
static int read_records(const struct strbuf *sb, struct rt_convert *c, const char *const *py_paths,
			struct rt_error *err)
{
	size_t pos = 0;
	struct strvec scripts = STRVEC_INIT, keys = STRVEC_INIT;
	int rc = 0;
	while (pos < sb->len) {
		const char *nl = memchr(sb->buf + pos, '\n', sb->len - pos);
		char kind[16], rev[64], dir[8];
		long line = 0;
		unsigned long n = 0;
		char head[160];
		if (!nl || (size_t)(nl - (sb->buf + pos)) >= sizeof(head)) {
			rc = rt_error_set(err, RT_EXIT_ERROR, "convert: the Python driver wrote output "
					  "retort cannot read (at byte %zu)", pos);
			break;
		}
		memcpy(head, sb->buf + pos, (size_t)(nl - (sb->buf + pos)));
		head[nl - (sb->buf + pos)] = 0;
		int f = sscanf(head, "%15s %63s %7s %ld %lu", kind, rev, dir, &line, &n);
		if (f == 4) {
			n = (unsigned long)line;
			line = 0;
		}
		pos = (size_t)(nl - sb->buf) + 1;
		if (f < 4 || n > sb->len - pos) {
			rc = rt_error_set(err, RT_EXIT_ERROR, "convert: the Python driver wrote output "
					  "retort cannot read: '%s'", head);
			break;
		}
		char *body = xstrndup(sb->buf + pos, n);
		pos += n + 1;
		struct rt_convert_rev *r = find_rev(c, rev);
		int down = !strcmp(dir, "down");
		if (!strcmp(kind, "VTABLE")) {
			free(c->version_table);
			c->version_table = body;
			continue;
		} else if (!strcmp(kind, "ERROR")) {
			rc = rt_error_set(err, RT_EXIT_ERROR, "convert: %s", body);
			free(body);
			break;
		} else if (!r) {
			free(body);
			continue;
		} else if (!strcmp(kind, "SCRIPT")) {
			strvec_push(&keys, down ? "d" : "u");
			strvec_push(&keys, rev);
			strvec_push(&scripts, body);
		} else if (!strcmp(kind, "IRREV")) {
			r->irreversible = 1;
		} else if (!strcmp(kind, "FLAG")) {
			int idx = (int)(r - c->revs);
			struct strbuf w = STRBUF_INIT;
			strbuf_addf(&w, "%s (%s:%ld)", body, py_paths[idx], line);
			strvec_push(down ? &r->down.warnings : &r->up.warnings, w.buf);
			strbuf_reset(&w);
			strbuf_addf(&w, "%s:%ld: %s", py_paths[idx], line, body);
			strvec_push(&r->flags, w.buf);
			strbuf_release(&w);
		} else if (!strcmp(kind, "NEEDDEV")) {
			r->needs_dev = 1;
			free(r->refused);
			r->refused = xstrdup(body);
		} else if (!strcmp(kind, "FAIL")) {
			free(r->refused);
			r->refused = xstrdup(body);
		}
		free(body);
	}
	if (!rc) {
		const char *vt = c->version_table ? c->version_table : "alembic_version";
		for (size_t i = 0; i < scripts.nr; i++) {
			struct rt_convert_rev *r = find_rev(c, keys.v[2 * i + 1]);
			struct rt_convert_section *s = keys.v[2 * i][0] == 'd' ? &r->down : &r->up;
			rt_convert_section_from(scripts.v[i], strlen(scripts.v[i]), vt, s);
		}
		for (int i = 0; i < c->n; i++) {
			struct rt_convert_rev *r = &c->revs[i];
			if (r->up.sql && (r->down.sql || r->irreversible)) {
				r->done = 1;
				free(r->refused);   /* recorded with --dev-url after all */
				r->refused = NULL;
			} else if (!r->refused) {
				r->refused = xstrdup("the Python driver rendered no SQL for it");
			}
		}
	}
	strvec_clear(&scripts);
	strvec_clear(&keys);
	return rc;
}

int rt_convert_run(const struct rt_convert_opts *o, const struct rt_script *const *scripts, int n,
		   struct rt_convert *out, struct rt_error *err)
{
	static const char *const defaults[] = { "python3", "/usr/bin/python3", NULL };
	const char *const only[] = { o->python, NULL };
	const char *const *cands = o->python ? only : defaults;
	const char *offline_url = !strcmp(o->dialect, "postgresql") ? "postgresql://" : "sqlite://";
	const char **paths = xcalloc((size_t)n + 1, sizeof(*paths));
	struct strvec argv = STRVEC_INIT;
	struct strbuf tried = STRBUF_INIT;
	struct rt_proc_result res;
	int rc = -1;

	rt_proc_result_init(&res);
	*out = (struct rt_convert){ .revs = xcalloc((size_t)n + 1, sizeof(*out->revs)), .n = n };
	for (int i = 0; i < n; i++) {
		out->revs[i] = (struct rt_convert_rev){ .id = xstrdup(scripts[i]->id),
			.up = { .warnings = STRVEC_INIT }, .down = { .warnings = STRVEC_INIT },
			.flags = STRVEC_INIT };
		paths[i] = scripts[i]->py_path;
	}
	for (int k = 0; cands[k]; k++) {
		strvec_clear(&argv);
		strvec_push(&argv, cands[k]);
		strvec_push(&argv, "-c");
		strvec_push(&argv, rt_py_convert_driver);
		strvec_push(&argv, o->ini);
		strvec_push(&argv, o->section);
		strvec_push(&argv, o->script_location ? o->script_location : "");
		strvec_push(&argv, offline_url);
		strvec_push(&argv, o->dev_url ? o->dev_url : "");
		for (int i = 0; i < n; i++)
			strvec_push(&argv, scripts[i]->id);
		struct rt_error perr = RT_ERROR_INIT;
		rt_proc_result_release(&res);
		char why[512];
		/* a program that cannot be started: try the next one */
		if (rt_proc_run((const char *const *)argv.v, NULL, &res, &perr)) {
			const char *why_not = strstr(perr.msg, "': ");  /* after "cannot run 'X'" */
			strbuf_addf(&tried, "%s%s (%s)", tried.len ? ", " : "", cands[k],
				    why_not ? why_not + 3 : perr.msg);
			continue;
		}
		if (res.exited && res.status == 3) {
			last_line(&res.err, why, sizeof(why));
			strbuf_addf(&tried, "%s%s (%s)", tried.len ? ", " : "", cands[k], why);
			continue;
		}
		out->python = xstrdup(cands[k]);
		rc = read_records(&res.out, out, paths, err);
		if (!rc && !(res.exited && res.status == 0)) {
			last_line(&res.err, why, sizeof(why));
			rc = rt_error_set(err, RT_EXIT_ERROR, "convert: %s failed running Alembic (%s %d): %s",
					  cands[k], res.exited ? "exit status" : "signal", res.status,
					  why[0] ? why : "no message");
		}
		goto done;
	}
	rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_PYTHON_ALEMBIC, "convert needs Python with "
			"Alembic; run it where your project's Python is (tried %s)", tried.buf);
done:
	strvec_clear(&argv);
	strbuf_release(&tried);
	rt_proc_result_release(&res);
	free(paths);
	return rc;
}

/* "-- " before every line of `text`, "--" for an empty one. */
static void add_comment(struct strbuf *sb, const char *text)
{
	const char *p = text;
	for (;;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		strbuf_addstr(sb, l ? "-- " : "--");
		strbuf_add(sb, p, l);
		strbuf_addch(sb, '\n');
		if (!e)
			break;
		p = e + 1;
	}
}

/* The "Create Date:" line of the docstring, or NULL. */
static char *create_date(const struct rt_script *s)
{
	const char *p = s->longdoc ? strstr(s->longdoc, "Create Date:") : NULL;
	if (!p || (p != s->longdoc && p[-1] != '\n'))
		return NULL;
	p += strlen("Create Date:");
	while (*p == ' ')
		p++;
	return xstrndup(p, strcspn(p, "\n"));
}

static void add_section(struct strbuf *sb, const char *name, const struct rt_convert_section *s)
{
	strbuf_addf(sb, "\n-- migrate:%s%s\n", name, s->transactional ? "" : " transaction:false");
	for (size_t i = 0; i < s->warnings.nr; i++)
		strbuf_addf(sb, "-- WARNING: converted from Python; review: %s\n", s->warnings.v[i]);
	if (!s->transactional)
		strbuf_addstr(sb, "-- (Alembic ran part of it in an autocommit_block: the section runs "
			      "statement by statement)\n");
	strbuf_addstr(sb, s->sql ? s->sql : "");
}

char *rt_convert_render(const struct rt_script *s, const struct rt_convert_rev *r)
{
	struct strbuf sb = STRBUF_INIT;
	char *date = create_date(s);
	char *down = strvec_join(&s->down, ", ");
	char *labels = strvec_join(&s->labels, ", ");
	char *deps = strvec_join(&s->deps, ", ");
	add_comment(&sb, s->doc && *s->doc ? s->doc : "empty message");
	strbuf_addstr(&sb, "--\n");
	strbuf_addf(&sb, "-- Revision ID: %s\n-- Revises: %s\n", s->id, down);
	if (date)
		strbuf_addf(&sb, "-- Create Date: %s\n", date);
	if (*labels)
		strbuf_addf(&sb, "-- Branch Labels: %s\n", labels);
	if (*deps)
		strbuf_addf(&sb, "-- Depends On: %s\n", deps);
	const char *base = strrchr(s->py_path, '/');
	strbuf_addf(&sb, "-- Converted from %s by retort convert\n", base ? base + 1 : s->py_path);
	add_section(&sb, "upgrade", &r->up);
	if (!r->irreversible)
		add_section(&sb, "downgrade", &r->down);
	free(date);
	free(down);
	free(labels);
	free(deps);
	return strbuf_detach(&sb);
}

char *rt_convert_sql_path(const struct rt_script *s)
{
	size_t l = strlen(s->py_path);
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, s->py_path, l > 3 ? l - 3 : l);
	strbuf_addstr(&sb, ".sql");
	return strbuf_detach(&sb);
}

int rt_convert_write(const char *path, const char *text, struct rt_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return rt_error_set(err, RT_EXIT_ERROR, "%s: %s%s", path, strerror(errno),
				    errno == EEXIST ? "; an existing .sql file is never overwritten" : "");
	size_t len = strlen(text), done = 0;
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return rt_error_set(err, RT_EXIT_ERROR, "%s: cannot write: %s", path, strerror(e));
		}
		done += (size_t)w;
	}
	if (close(fd)) {
		int e = errno;
		unlink(path);
		return rt_error_set(err, RT_EXIT_ERROR, "%s: cannot write: %s", path, strerror(e));
	}
	return 0;
}
