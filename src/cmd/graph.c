/*
 * graph: the revision graph for Graphviz (DOT) or for a Markdown page
 * (a Mermaid flowchart).  One node per revision, newest first, labelled
 * with its id, branch labels, (head) and (current) as history shows them,
 * and its message; an edge from each revision to each revision it revises
 * (child -> parent), and a dashed one to each revision it depends on.
 */
#include "cmd.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct graph_opts {
	const char *format;
};

static const struct opt graph_options[] = {
	OPT_STRING_('f', "format", struct graph_opts, format, "dot|mermaid",
		    "the output format (default dot)"),
	OPT_END_,
};

/* A DOT quoted string: the lexer knows only \" in it, and a label reads
 * backslashes as its own escapes (\n, \l, \N...), so a backslash is
 * doubled; a newline becomes a line break (\n), other control characters
 * a space. */
static void dot_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addf(sb, "\\%c", *s);
		else if (*s == '\n')
			strbuf_addstr(sb, "\\n");
		else if ((unsigned char)*s < 0x20)
			strbuf_addch(sb, ' ');
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

/* Mermaid node text in double quotes: a quote cannot be escaped there but
 * written as an entity code (#34;), '#' starts such a code, the text is
 * HTML and, where Markdown labels are on (GitHub), Markdown: so those
 * characters are all entity codes; a newline is <br>. */
static void mermaid_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '\n')
			strbuf_addstr(sb, "<br>");
		else if ((unsigned char)*s < 0x20)
			strbuf_addch(sb, ' ');
		else if (strchr("\"#&<>*_`\\[]{}|%~$", *s))
			strbuf_addf(sb, "#%d;", (unsigned char)*s);
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

static int run_graph(struct app *app, void *opts, const struct strvec *args, struct rt_error *err)
{
	struct graph_opts *o = opts;
	const struct rt_graph *g = &app->sd.graph;
	struct intlist order = { 0 }, cur = { 0 };
	struct strbuf out = STRBUF_INIT;
	int rc = -1, mermaid;
	(void)args;
	if (!o->format || !strcmp(o->format, "dot"))
		mermaid = 0;
	else if (!strcmp(o->format, "mermaid"))
		mermaid = 1;
	else
		return rt_error_set(err, RT_EXIT_USAGE, "unknown graph format '%s': dot or mermaid",
				    o->format);
	if (rt_walk_revisions(g, NULL, NULL, &order, err))
		goto out;
	app_current_if_any(app, &cur);
	/* node names: DOT quotes the revision id; Mermaid's ids are words
	 * ("end" and "o"/"x" prefixes are syntax), so rev<position> */
	int *pos = xcalloc((size_t)g->n + 1, sizeof(*pos));
	for (int i = 0; i < order.nr; i++)
		pos[order.v[i]] = i;
	if (mermaid)
		strbuf_addstr(&out, "%% retort graph: an arrow goes from a revision to the one it "
			      "revises; dashed: depends on\nflowchart TD\n");
	else
		strbuf_addstr(&out, "// retort graph: an edge goes from a revision to the one it revises; "
			      "dashed: depends on\ndigraph revisions {\n\tnode [shape=box];\n");
	for (int i = 0; i < order.nr; i++) {
		const struct rt_rev *rv = &g->revs[order.v[i]];
		struct strbuf label = STRBUF_INIT;
		int is_cur = intlist_has(&cur, order.v[i]);
		fmt_head_only(g, order.v[i], FMT_BRANCHES | FMT_HEADS, is_cur, &label);
		strbuf_addf(&label, "\n%s", rv->script->doc);
		if (mermaid) {
			strbuf_addf(&out, "    rev%d[", i);
			mermaid_quote(&out, label.buf);
			strbuf_addstr(&out, "]\n");
		} else {
			strbuf_addch(&out, '\t');
			dot_quote(&out, rv->id);
			strbuf_addstr(&out, " [label=");
			dot_quote(&out, label.buf);
			if (rt_rev_is_head(rv))
				strbuf_addstr(&out, ", peripheries=2");
			if (is_cur)
				strbuf_addstr(&out, ", style=\"bold,filled\", fillcolor=\"#cfe2ff\"");
			strbuf_addstr(&out, "];\n");
		}
		strbuf_release(&label);
	}
	for (int i = 0; i < order.nr; i++) {
		const struct rt_rev *rv = &g->revs[order.v[i]];
		for (int dep = 0; dep < 2; dep++) {
			const struct intlist *to = dep ? &rv->deps : &rv->down;
			for (int j = 0; j < to->nr; j++) {
				if (mermaid) {
					strbuf_addf(&out, "    rev%d %s rev%d\n", i, dep ? "-.->" : "-->",
						    pos[to->v[j]]);
					continue;
				}
				strbuf_addch(&out, '\t');
				dot_quote(&out, rv->id);
				strbuf_addstr(&out, " -> ");
				dot_quote(&out, g->revs[to->v[j]].id);
				strbuf_addstr(&out, dep ? " [style=dashed];\n" : ";\n");
			}
		}
	}
	if (mermaid) {
		struct strbuf heads = STRBUF_INIT, curs = STRBUF_INIT;
		for (int i = 0; i < order.nr; i++) {
			if (rt_rev_is_head(&g->revs[order.v[i]]))
				strbuf_addf(&heads, "%srev%d", heads.len ? "," : "", i);
			if (intlist_has(&cur, order.v[i]))
				strbuf_addf(&curs, "%srev%d", curs.len ? "," : "", i);
		}
		if (heads.len)
			strbuf_addf(&out, "    classDef head stroke-width:3px\n    class %s head\n",
				    heads.buf);
		if (curs.len)
			strbuf_addf(&out, "    classDef current fill:#cfe2ff,stroke-width:3px\n"
				    "    class %s current\n", curs.buf);
		strbuf_release(&heads);
		strbuf_release(&curs);
	} else {
		strbuf_addstr(&out, "}\n");
	}
	free(pos);
	fwrite(out.buf, 1, out.len, stdout);
	rc = 0;
out:
	strbuf_release(&out);
	intlist_release(&order);
	intlist_release(&cur);
	return rc;
}

const struct cmd cmd_graph = {
	.name = "graph",
	.brief = "Write the revision graph for Graphviz or Mermaid.",
	.description = "Write the revision graph as Graphviz DOT (--format dot, the default; render "
		       "it with dot -Tsvg) or as a Mermaid flowchart for a Markdown page (--format "
		       "mermaid). One node per revision, newest first, labelled with its id, branch "
		       "labels and message; an edge points from each revision to each revision it "
		       "revises (child -> parent), a dashed edge to each revision it depends on. Heads "
		       "have a double border (DOT) or a thick one (Mermaid); the current revision(s) "
		       "are marked (current) and filled when a database is configured and answers; "
		       "without one nothing is marked.",
	.run = run_graph,
	.opts = graph_options,
	.opts_size = sizeof(struct graph_opts),
	.max_args = 0,
	.needs = NEEDS_SCRIPTS | NEEDS_HEADERS_ONLY,
	.complete = COMPLETE_NONE,
};
