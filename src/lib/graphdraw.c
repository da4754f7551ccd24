/*
 * graphdraw: the text lanes of `history --graph` (see graphdraw.h for
 * the symbols).  The state between lines is the list of lanes, each the
 * node it leads to, or a gap (-1) while lanes move over.  Every line in
 * between two entries moves each lane by at most one column, except the
 * one lane a line joins to another, which runs left under the lanes in
 * between ('_').
 */
#include "graphdraw.h"
#include "graph.h"
#include "strbuf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static void put(struct strbuf *sb, size_t col, char c)
{
	while (sb->len <= col)
		strbuf_addch(sb, ' ');
	sb->buf[col] = c;
}

static void emit(struct strbuf *sb, struct strvec *out)
{
	strbuf_rtrim(sb);
	strvec_push(out, sb->buf);
	strbuf_reset(sb);
}

static void lane_insert(struct intlist *l, int at, int x)
{
	intlist_push(l, x);
	memmove(l->v + at + 1, l->v + at, sizeof(*l->v) * (size_t)(l->nr - 1 - at));
	l->v[at] = x;
}

static void lane_remove(struct intlist *l, int at)
{
	memmove(l->v + at, l->v + at + 1, sizeof(*l->v) * (size_t)(l->nr - 1 - at));
	l->nr--;
}

/* Lines that join lanes leading to one node and close gaps, one change a
 * line, until every node has one lane and no gap has a lane after it. */
static void normalize(struct intlist *lanes, struct strbuf *sb, struct strvec *out)
{
	for (;;) {
		while (lanes->nr && lanes->v[lanes->nr - 1] < 0)
			lanes->nr--;            /* a gap at the end closes by itself */
		int q, t = -1;
		for (q = 0; q < lanes->nr; q++) {
			if (lanes->v[q] < 0)
				break;
			for (t = 0; t < q && lanes->v[t] != lanes->v[q]; t++)
				;
			if (t < q)
				break;
			t = -1;
		}
		if (q == lanes->nr)
			return;
		for (int s = 0; s < q; s++)
			put(sb, (size_t)(2 * s), '|');
		if (t >= 0) {                   /* lane q joins lane t */
			for (int s = t; s < q - 1; s++)
				put(sb, (size_t)(2 * s + 1), '_');
			put(sb, (size_t)(2 * q - 1), '/');
		}
		for (int s = q + 1; s < lanes->nr; s++)
			if (lanes->v[s] >= 0)
				put(sb, (size_t)(2 * s - 1), '/');
		lane_remove(lanes, q);
		emit(sb, out);
	}
}

int rt_graphdraw(const struct rt_drawnode *nodes, int n, struct strvec *out, struct rt_error *err)
{
	struct intlist lanes = { 0 }, parents = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct strvec lines = STRVEC_INIT;
	int rc = -1, root_col = -1;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < nodes[i].nparents; j++)
			if (nodes[i].parents[j] <= i || nodes[i].parents[j] >= n) {
				rt_error_set(err, RT_EXIT_ERROR, "graph drawing: node %d has parent %d, "
					     "which is not drawn after it", i, nodes[i].parents[j]);
				goto out;
			}
	for (int i = 0; i < n; i++) {
		int c, k;
		parents.nr = 0;
		for (int j = 0; j < nodes[i].nparents; j++)
			if (!intlist_has(&parents, nodes[i].parents[j]))
				intlist_push(&parents, nodes[i].parents[j]);
		k = parents.nr;
		for (c = 0; c < lanes.nr && lanes.v[c] != i; c++)
			;
		if (c == lanes.nr) {                    /* a head: a new lane on the right */
			if (c == root_col) {
				/* right under a root: a line between says they are not joined */
				for (int s = 0; s < lanes.nr; s++)
					if (lanes.v[s] >= 0)
						put(&sb, (size_t)(2 * s), '|');
				emit(&sb, &lines);
			}
			intlist_push(&lanes, i);
		}
		int right = c + 1 < lanes.nr;
		/* make room on the right for a fan of three or more parents */
		for (int j = 0; right && j < k - 2; j++) {
			for (int s = 0; s < lanes.nr; s++)
				if (lanes.v[s] >= 0)
					put(&sb, (size_t)(s <= c ? 2 * s : 2 * s + 1), s <= c ? '|' : '\\');
			lane_insert(&lanes, c + 1, -1);
			emit(&sb, &lines);
		}
		/* the entry's line */
		for (int s = 0; s < lanes.nr; s++)
			if (lanes.v[s] >= 0)
				put(&sb, (size_t)(2 * s), s == c ? '*' : '|');
		for (int j = 1; j < 2 * (k - 2); j++)
			put(&sb, (size_t)(2 * c + j), '-');
		if (k > 2)
			put(&sb, (size_t)(2 * c + 2 * (k - 2)), '.');
		size_t col = sb.len + 1;
		const char *p = nodes[i].text ? nodes[i].text : "";
		for (int first = 1;; first = 0) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			if (!first)
				for (int s = 0; s < lanes.nr; s++)
					if (lanes.v[s] >= 0 && (s != c || k))
						put(&sb, (size_t)(2 * s), '|');
			if (len) {
				while (sb.len < col)
					strbuf_addch(&sb, ' ');
				strbuf_add(&sb, p, len);
			}
			emit(&sb, &lines);
			if (!nl)
				break;
			p = nl + 1;
		}
		/* the parents take the node's lane and the ones after it */
		if (k < 2) {
			lanes.v[c] = k ? parents.v[0] : -1;
		} else {
			for (int s = 0; s < lanes.nr; s++) {
				if (lanes.v[s] < 0 && s != c)
					continue;
				if (s < c)
					put(&sb, (size_t)(2 * s), '|');
				else if (s == c)
					put(&sb, (size_t)(2 * s), '|');
				else
					put(&sb, (size_t)(2 * s + 1), '\\');
			}
			for (int j = 1; j < k; j++)
				put(&sb, (size_t)(2 * c + 2 * j - 1), '\\');
			emit(&sb, &lines);
			struct intlist next = { 0 };
			for (int s = 0; s < c; s++)
				intlist_push(&next, lanes.v[s]);
			for (int j = 0; j < k; j++)
				intlist_push(&next, parents.v[j]);
			for (int s = c + 1; s < lanes.nr; s++)
				if (lanes.v[s] >= 0)
					intlist_push(&next, lanes.v[s]);
			intlist_release(&lanes);
			lanes = next;
		}
		size_t entry_end = lines.nr;
		normalize(&lanes, &sb, &lines);
		root_col = !k && lines.nr == entry_end ? c : -1;
	}
	for (size_t i = 0; i < lines.nr; i++)
		strvec_push(out, lines.v[i]);
	rc = 0;
out:
	intlist_release(&lanes);
	intlist_release(&parents);
	strbuf_release(&sb);
	strvec_clear(&lines);
	return rc;
}
