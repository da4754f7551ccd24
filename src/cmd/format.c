/*
 * Alembic's text formats for revisions (Script._head_only and
 * Script.log_entry), so scripts that parse `alembic history` or
 * `alembic current` output keep working.
 */
#include "cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Python's os.path.abspath: the working directory before a relative
 * path, then "." and ".." and repeated slashes folded (no symlinks
 * resolved), as Alembic prints a revision's Path. */
static void abspath(const char *p, struct strbuf *out)
{
	struct strbuf in = STRBUF_INIT;
	char cwd[4096];
	if (*p != '/' && getcwd(cwd, sizeof(cwd)))
		strbuf_addf(&in, "%s/", cwd);
	strbuf_addstr(&in, p);
	strbuf_reset(out);
	for (const char *c = in.buf; *c;) {
		while (*c == '/')
			c++;
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if (n == 1 && c[0] == '.') {
			/* nothing */
		} else if (n == 2 && c[0] == '.' && c[1] == '.') {
			char *slash = strrchr(out->buf, '/');
			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
		} else if (n) {
			strbuf_addch(out, '/');
			strbuf_add(out, c, n);
		}
		c += n;
	}
	if (!out->len)
		strbuf_addch(out, '/');
	strbuf_release(&in);
}

static void comma_list(const struct strvec *v, struct strbuf *sb)
{
	for (size_t i = 0; i < v->nr; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, v->v[i]);
	}
}

void fmt_down(const struct rt_graph *g, int r, struct strbuf *sb)
{
	const struct rt_rev *rv = &g->revs[r];
	if (!rv->down.nr) {
		strbuf_addstr(sb, "<base>");
		return;
	}
	/* no printf on these paths: `history` formats a line a revision, and
	 * musl's printf costs thousands of instructions a call */
	for (int i = 0; i < rv->down.nr; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, g->revs[rv->down.v[i]].id);
	}
}

void fmt_head_only(const struct rt_graph *g, int r, int flags, int is_current, struct strbuf *sb)
{
	const struct rt_rev *rv = &g->revs[r];
	if (flags & FMT_PARENTS) {
		fmt_down(g, r, sb);
		if (rv->script->deps.nr) {
			strbuf_addstr(sb, " (");
			comma_list(&rv->script->deps, sb);
			strbuf_addch(sb, ')');
		}
		strbuf_addstr(sb, " -> ");
	}
	strbuf_addstr(sb, rv->id);
	if ((flags & FMT_BRANCHES) && rv->labels.nr) {
		strbuf_addstr(sb, " (");
		comma_list(&rv->labels, sb);
		strbuf_addch(sb, ')');
	}
	if (flags & (FMT_HEADS | FMT_TREE)) {
		if (rt_rev_is_real_head(rv))
			strbuf_addstr(sb, " (head)");
		else if (rt_rev_is_head(rv))
			strbuf_addstr(sb, " (effective head)");
		if (is_current)
			strbuf_addstr(sb, " (current)");
	}
	if (flags & FMT_TREE) {
		if (rt_rev_is_branch_point(rv))
			strbuf_addstr(sb, " (branchpoint)");
		if (rt_rev_is_merge_point(rv))
			strbuf_addstr(sb, " (mergepoint)");
	}
	if (flags & FMT_DOC) {
		strbuf_addstr(sb, ", ");
		strbuf_addstr(sb, rv->script->doc);
	}
}

void fmt_log_entry(const struct rt_graph *g, int r, int is_current, struct strbuf *sb)
{
	const struct rt_rev *rv = &g->revs[r];
	strbuf_addf(sb, "Rev: %s%s%s%s%s\n", rv->id, rt_rev_is_head(rv) ? " (head)" : "",
		    rt_rev_is_branch_point(rv) ? " (branchpoint)" : "",
		    rt_rev_is_merge_point(rv) ? " (mergepoint)" : "", is_current ? " (current)" : "");
	strbuf_addstr(sb, rt_rev_is_merge_point(rv) ? "Merges: " : "Parent: ");
	fmt_down(g, r, sb);
	strbuf_addch(sb, '\n');
	if (rv->script->deps.nr) {
		strbuf_addstr(sb, "Also depends on: ");
		comma_list(&rv->script->deps, sb);
		strbuf_addch(sb, '\n');
	}
	if (rt_rev_is_branch_point(rv)) {
		strbuf_addstr(sb, "Branches into: ");
		for (int i = 0; i < rv->next.nr; i++)
			strbuf_addf(sb, "%s%s", i ? ", " : "", g->revs[rv->next.v[i]].id);
		strbuf_addch(sb, '\n');
	}
	if (rv->labels.nr) {
		strbuf_addstr(sb, "Branch names: ");
		comma_list(&rv->labels, sb);
		strbuf_addch(sb, '\n');
	}
	/* a .py/.sql pair shows its .py file, as Alembic does */
	struct strbuf path = STRBUF_INIT;
	abspath(rv->script->py_path ? rv->script->py_path : rv->script->path, &path);
	strbuf_addf(sb, "Path: %s\n\n", path.buf);
	strbuf_release(&path);
	const char *p = rv->script->longdoc;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		strbuf_addf(sb, "    %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	if (!*rv->script->longdoc)
		strbuf_addch(sb, '\n');
}

void print_pending(const struct rt_graph *g, const struct rt_plan *plan)
{
	for (int i = 0; i < plan->n; i++) {
		const struct rt_rev *rv = &g->revs[plan->steps[i].rev];
		printf("  %s, %s\n", rv->id, rv->script->doc);
	}
}
