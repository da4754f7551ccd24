/*
 * graphdraw: lays a revision graph out as text lanes, the way
 * `git log --graph` does, for `retort history --graph`.
 *
 * The caller gives the nodes in display order (every node before its
 * parents, as history lists them) with each node's parents as indices
 * into that order, and gets back one line per entry in a caller-owned
 * strvec:
 *
 *   *            the node; its entry text follows on the same line
 *   |            a lane going on down to a node not yet drawn
 *   /  \         a lane moving one column left or right
 *   _            a lane carried left under other lanes, to join one
 *                that leads to the same node
 *   *-.  |\ \    a merge of three or more parents fans out to the right
 *
 * Lane k sits in text column 2k; the moves sit in the odd columns.  The
 * first parent keeps its child's lane; lanes that lead to the same node
 * are joined as soon as the node's last child has been drawn, and a lane
 * that ends (at a root) lets the lanes to its right move in; a head drawn
 * right under a root, in its column, gets a line of lanes between, so the
 * two do not read as joined.  Lines after the first of an entry's text are
 * continued beside the lanes.
 */
#ifndef RT_GRAPHDRAW_H
#define RT_GRAPHDRAW_H

#include "error.h"
#include "strvec.h"

struct rt_drawnode {
	const int *parents;   /* indices of the parents, each greater than the node's own */
	int nparents;
	const char *text;     /* the entry: one or more lines separated by '\n' */
};

/* Append the drawing of `nodes[0..n)` to `out`, one string per line
 * (trailing blanks trimmed).  Fails, adding nothing, when a parent index
 * is not after its node or out of range. */
int rt_graphdraw(const struct rt_drawnode *nodes, int n, struct strvec *out, struct rt_error *err);

#endif
