/*
 * Planning: the steps of an upgrade, downgrade or stamp with their exact
 * version-row changes, computed by simulating Alembic's head maintainer
 * (see plan.h).
 */
#include "plan.h"
#include "resolve.h"
#include "strbuf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void rt_plan_init(struct rt_plan *p)
{
	memset(p, 0, sizeof(*p));
	strvec_init(&p->end_rows);
}

void rt_plan_release(struct rt_plan *p)
{
	for (int i = 0; i < p->n; i++) {
		struct rt_step *s = &p->steps[i];
		strvec_clear(&s->from);
		strvec_clear(&s->to);
		for (int k = 0; k < s->nvops; k++) {
			free(s->vops[k].from);
			free(s->vops[k].to);
		}
		free(s->vops);
	}
	free(p->steps);
	strvec_clear(&p->end_rows);
	rt_plan_init(p);
}

static struct rt_step *add_step(struct rt_plan *p, enum rt_step_kind kind, int rev)
{
	ALLOC_GROW(p->steps, p->n + 1, p->alloc);
	struct rt_step *s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->rev = rev;
	strvec_init(&s->from);
	strvec_init(&s->to);
	return s;
}

/* The simulated version table: a set of ids, kept as rows change. */
struct heads {
	struct strvec ids;
};

static int heads_has(const struct heads *h, const char *id)
{
	return strvec_find(&h->ids, id) >= 0;
}

static void heads_remove(struct heads *h, const char *id)
{
	int i = strvec_find(&h->ids, id);
	if (i < 0)
		return;
	free(h->ids.v[i]);
	memmove(&h->ids.v[i], &h->ids.v[i + 1], (h->ids.nr - (size_t)i) * sizeof(char *));
	h->ids.nr--;
}

static void add_vop(struct rt_step *s, enum rt_vop_kind kind, const char *from, const char *to)
{
	ALLOC_GROW(s->vops, s->nvops + 1, s->avops);
	struct rt_vop *v = &s->vops[s->nvops++];
	v->kind = kind;
	v->from = from ? xstrdup(from) : NULL;
	v->to = to ? xstrdup(to) : NULL;
}

static int vop_insert(struct rt_step *s, struct heads *h, const char *id, struct rt_error *err)
{
	if (heads_has(h, id))
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_STAMP_REPAIR,
				       "revision %s would be recorded twice in the version table; the "
				       "version table does not match the migration files", id);
	add_vop(s, RT_VOP_INSERT, NULL, id);
	strvec_push(&h->ids, id);
	return 0;
}

static int vop_delete(struct rt_step *s, struct heads *h, const char *id, struct rt_error *err)
{
	if (!heads_has(h, id))
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_STAMP_REPAIR,
				    "cannot remove revision %s from the version table: it is not there",
				    id);
	add_vop(s, RT_VOP_DELETE, id, NULL);
	heads_remove(h, id);
	return 0;
}

static int vop_update(struct rt_step *s, struct heads *h, const char *from, const char *to,
		      struct rt_error *err)
{
	if (!heads_has(h, from))
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_STAMP_REPAIR,
				    "cannot move the version row from %s to %s: %s is not recorded",
				    from, to, from);
	if (heads_has(h, to))
		return rt_error_hinted(err, RT_EXIT_ERROR, RT_HINT_STAMP_REPAIR,
				    "cannot move the version row from %s to %s: %s is already recorded",
				    from, to, to);
	add_vop(s, RT_VOP_UPDATE, from, to);
	heads_remove(h, from);
	strvec_push(&h->ids, to);
	return 0;
}

/*
 * Version rows for upgrading through revision r (Alembic's RevisionStep
 * with HeadMaintainer.update_to_step): a revision none of whose parents
 * is recorded starts a branch (INSERT); a merge whose parents are recorded
 * more than once deletes all but one and updates the last; otherwise the
 * recorded parent is updated to r.
 */
static int upgrade_rows(const struct rt_graph *g, int r, struct heads *h, struct rt_step *s,
			struct rt_error *err)
{
	const struct rt_rev *rv = &g->revs[r];
	const struct intlist *nd = &rv->norm_down;
	int present = 0;
	for (int k = 0; k < nd->nr; k++)
		present += heads_has(h, g->revs[nd->v[k]].id);

	if (!nd->nr || !present)
		return vop_insert(s, h, rv->id, err);
	if (nd->nr > 1 && present > 1) {
		/* parents that are not ancestors of the other recorded heads */
		struct intlist others = { 0 }, from = { 0 };
		struct bitset anc;
		for (size_t i = 0; i < h->ids.nr; i++) {
			int x = rt_graph_find(g, h->ids.v[i]);
			if (x >= 0 && !intlist_has(nd, x))
				intlist_push(&others, x);
		}
		bitset_init(&anc, g->n);
		if (others.nr)
			rt_graph_ancestors(g, others.v, others.nr, 1, &anc);
		for (int k = 0; k < nd->nr; k++)
			if (!bitset_has(&anc, nd->v[k]))
				intlist_push(&from, nd->v[k]);
		bitset_release(&anc);
		intlist_release(&others);
		int rc = 0;
		for (int k = 0; k + 1 < from.nr && !rc; k++)
			rc = vop_delete(s, h, g->revs[from.v[k]].id, err);
		if (!rc && from.nr)
			rc = vop_update(s, h, g->revs[from.v[from.nr - 1]].id, rv->id, err);
		else if (!rc)
			rc = rt_error_set(err, RT_EXIT_ERROR, "cannot merge into %s: no parent row to move",
					  rv->id);
		intlist_release(&from);
		return rc;
	}
	const char *down = NULL;
	if (nd->nr == 1) {
		down = g->revs[nd->v[0]].id;
	} else {
		for (int k = 0; k < nd->nr; k++)
			if (heads_has(h, g->revs[nd->v[k]].id))
				down = g->revs[nd->v[k]].id;
	}
	return vop_update(s, h, down, rv->id, err);
}

/* Parents that r returns to when downgraded: those not already implied by
 * the other recorded heads (Alembic's _unmerge_to_revisions). */
static void unmerge_to(const struct rt_graph *g, int r, const struct heads *h, struct intlist *out)
{
	const struct intlist *nd = &g->revs[r].norm_down;
	struct intlist others = { 0 };
	struct bitset anc;
	bitset_init(&anc, g->n);
	for (size_t i = 0; i < h->ids.nr; i++) {
		int x = rt_graph_find(g, h->ids.v[i]);
		if (x >= 0 && x != r)
			intlist_push(&others, x);
	}
	if (others.nr) {
		rt_graph_ancestors(g, others.v, others.nr, 1, &anc);
	} else {
		struct bitset one;
		bitset_init(&one, g->n);
		for (int k = 0; k < nd->nr; k++) {
			bitset_clearall(&one);
			rt_graph_ancestors(g, &nd->v[k], 1, 1, &one);
			bitset_clear(&one, nd->v[k]);
			bitset_or(&anc, &one);
		}
		bitset_release(&one);
	}
	for (int k = 0; k < nd->nr; k++)
		if (!bitset_has(&anc, nd->v[k]))
			intlist_push(out, nd->v[k]);
	bitset_release(&anc);
	intlist_release(&others);
}

static int downgrade_rows(const struct rt_graph *g, int r, struct heads *h, struct rt_step *s,
			  struct rt_error *err)
{
	const struct rt_rev *rv = &g->revs[r];
	const struct intlist *nd = &rv->norm_down;
	int recorded = heads_has(h, rv->id);
	struct intlist to = { 0 };
	int rc;

	if (recorded) {
		unmerge_to(g, r, h, &to);
		if (!nd->nr || !to.nr) {
			rc = vop_delete(s, h, rv->id, err);
			intlist_release(&to);
			return rc;
		}
		if (nd->nr > 1) {
			rc = 0;
			for (int k = 0; k + 1 < to.nr && !rc; k++)
				rc = vop_insert(s, h, g->revs[to.v[k]].id, err);
			if (!rc)
				rc = vop_update(s, h, rv->id, g->revs[to.v[to.nr - 1]].id, err);
			intlist_release(&to);
			return rc;
		}
	}
	intlist_release(&to);
	if (nd->nr != 1)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "cannot downgrade %s: its parent row is ambiguous", rv->id);
	return vop_update(s, h, rv->id, g->revs[nd->v[0]].id, err);
}

static void step_labels(const struct rt_graph *g, struct rt_step *s, int r, int upgrade)
{
	const struct rt_rev *rv = &g->revs[r];
	struct strvec *downs = upgrade ? &s->from : &s->to;
	struct strvec *self = upgrade ? &s->to : &s->from;
	for (int k = 0; k < rv->down.nr; k++)
		strvec_push(downs, g->revs[rv->down.v[k]].id);
	strvec_push(self, rv->id);
}

static void heads_from_rows(struct heads *h, const struct strvec *rows)
{
	strvec_init(&h->ids);
	for (size_t i = 0; i < rows->nr; i++)
		if (strvec_find(&h->ids, rows->v[i]) < 0)
			strvec_push(&h->ids, rows->v[i]);
}

static void finish(struct rt_plan *p, struct heads *h)
{
	strvec_clear(&p->end_rows);
	p->end_rows = h->ids;
	strvec_init(&h->ids);
}

/*
 * Alembic refuses a set of revisions in which one is an ancestor of
 * another ("overlaps"): as targets that is a contradiction, as version rows
 * an inconsistent table.
 */
static int check_overlap(const struct rt_graph *g, const struct intlist *revs, const char *what,
			 struct rt_error *err)
{
	struct bitset anc;
	int rc = 0;
	if (revs->nr < 2)
		return 0;
	bitset_init(&anc, g->n);
	for (int i = 0; i < revs->nr && !rc; i++) {
		bitset_clearall(&anc);
		rt_graph_ancestors(g, &revs->v[i], 1, 1, &anc);
		for (int k = 0; k < revs->nr && !rc; k++)
			if (k != i && bitset_has(&anc, revs->v[k]))
				rc = rt_error_hinted(err, RT_EXIT_ERROR,
						     !strcmp(what, "recorded") ? RT_HINT_STAMP_PURGE
									      : RT_HINT_NONE,
						     "%s revision %s overlaps with %s, one of its "
						     "ancestors; each branch may be named only once", what,
						     g->revs[revs->v[i]].id, g->revs[revs->v[k]].id);
	}
	bitset_release(&anc);
	return rc;
}

/*
 * Alembic's _collect_upgrade_revisions: the targets and their ancestors,
 * minus what the lower revisions already imply.  `lower` NULL means the
 * current revisions `cur`; with implicit_base unset, revisions must also
 * descend from the lower ones (history ranges).
 */
static int collect_upgrade(const struct rt_graph *g, const char *upper, const struct intlist *cur,
			   int inclusive, int implicit_base, int assert_rel, struct bitset *needs,
			   struct intlist *targets, struct rt_error *err)
{
	if (rt_parse_upgrade_target(g, cur, upper, assert_rel, targets, err) ||
	    check_overlap(g, targets, "requested", err) || check_overlap(g, cur, "recorded", err))
		return -1;
	struct bitset required, have;
	bitset_init(&required, g->n);
	bitset_init(&have, g->n);
	rt_graph_ancestors(g, targets->v, targets->nr, 1, &required);
	if (!implicit_base) {
		for (int i = 0; i < cur->nr; i++)
			if (!bitset_has(&required, cur->v[i])) {
				rt_error_set(err, RT_EXIT_ERROR, "revision %s is not an ancestor of '%s'",
					     g->revs[cur->v[i]].id, upper);
				bitset_release(&required);
				bitset_release(&have);
				return -1;
			}
	}
	rt_graph_ancestors(g, cur->v, cur->nr, 1, &have);
	bitset_copy(needs, &required);
	bitset_andnot(needs, &have);
	if (inclusive)
		for (int i = 0; i < cur->nr; i++)
			bitset_set(needs, cur->v[i]);
	if (cur->nr && !implicit_base) {
		struct bitset desc;
		bitset_init(&desc, g->n);
		rt_graph_descendants(g, cur->v, cur->nr, 0, &desc);
		bitset_and(needs, &desc);
		bitset_release(&desc);
	}
	bitset_release(&required);
	bitset_release(&have);
	return 0;
}

/* An empty target names nothing: refuse it rather than plan nothing. */
static int empty_target(const char *target, struct rt_error *err)
{
	if (target && *target)
		return 0;
	return rt_error_set(err, RT_EXIT_USAGE, "the target is empty; name a revision, head, base, "
			    "+N or -N");
}

int rt_plan_upgrade(const struct rt_graph *g, const struct strvec *rows, const char *target,
		    struct rt_plan *p, struct rt_error *err)
{
	if (empty_target(target, err))
		return -1;
	struct intlist cur = { 0 }, targets = { 0 }, order = { 0 };
	struct bitset needs;
	struct heads h;
	int rc = -1;

	heads_from_rows(&h, rows);
	bitset_init(&needs, g->n);
	if (rt_resolve_current(g, rows, &cur, err))
		goto out;
	if (collect_upgrade(g, target, &cur, 0, 1, 1, &needs, &targets, err))
		goto out;
	rt_graph_toposort(g, &needs, targets.v, targets.nr, &order);
	for (int i = order.nr - 1; i >= 0; i--) {
		struct rt_step *s = add_step(p, RT_STEP_UPGRADE, order.v[i]);
		step_labels(g, s, order.v[i], 1);
		if (upgrade_rows(g, order.v[i], &h, s, err))
			goto out;
	}
	rc = 0;
out:
	finish(p, &h);
	bitset_release(&needs);
	intlist_release(&cur);
	intlist_release(&targets);
	intlist_release(&order);
	return rc;
}

int rt_plan_downgrade(const struct rt_graph *g, const struct strvec *rows, const char *target,
		      struct rt_plan *p, struct rt_error *err)
{
	if (empty_target(target, err))
		return -1;
	struct intlist cur = { 0 }, roots = { 0 }, order = { 0 };
	struct bitset drop, active;
	struct heads h;
	char *label = NULL;
	int trev, rc = -1;

	heads_from_rows(&h, rows);
	bitset_init(&drop, g->n);
	bitset_init(&active, g->n);
	if (rt_resolve_current(g, rows, &cur, err))
		goto out;
	if (rt_parse_downgrade_target(g, &cur, target, 1, &label, &trev, err))
		goto out;
	if (trev < 0) {
		for (int i = 0; i < g->n; i++)
			if (!g->revs[i].down.nr)
				intlist_push(&roots, i);
	} else {
		for (int k = 0; k < g->revs[trev].next.nr; k++)
			intlist_push(&roots, g->revs[trev].next.v[k]);
	}
	if (label && roots.nr > 1) {
		int br;
		struct bitset anc;
		struct intlist kept = { 0 };
		if (rt_resolve_one(g, label, &br, err))
			goto out;
		bitset_init(&anc, g->n);
		if (br >= 0)
			rt_graph_ancestors(g, &br, 1, 0, &anc);
		for (int i = 0; i < roots.nr; i++)
			if (bitset_has(&anc, roots.v[i]))
				intlist_push(&kept, roots.v[i]);
		bitset_release(&anc);
		intlist_release(&roots);
		roots = kept;
		if (!roots.nr) {
			rt_error_set(err, RT_EXIT_ERROR,
				     "'%s' is not a valid downgrade target from the current head(s)", target);
			goto out;
		}
	}
	rt_graph_descendants(g, roots.v, roots.nr, 1, &drop);
	rt_graph_ancestors(g, cur.v, cur.nr, 1, &active);
	bitset_and(&drop, &active);
	if (trev >= 0 && !bitset_any(&drop) && !intlist_has(&cur, trev)) {
		rt_error_set(err, RT_EXIT_ERROR,
			     "destination %s is not a valid downgrade target from the current head(s): "
			     "it is not applied", g->revs[trev].id);
		goto out;
	}
	rt_graph_toposort(g, &drop, cur.v, cur.nr, &order);
	for (int i = 0; i < order.nr; i++) {
		struct rt_step *s = add_step(p, RT_STEP_DOWNGRADE, order.v[i]);
		step_labels(g, s, order.v[i], 0);
		if (downgrade_rows(g, order.v[i], &h, s, err))
			goto out;
	}
	rc = 0;
out:
	finish(p, &h);
	free(label);
	bitset_release(&drop);
	bitset_release(&active);
	intlist_release(&cur);
	intlist_release(&roots);
	intlist_release(&order);
	return rc;
}

int rt_plan_one(const struct rt_graph *g, const struct strvec *rows, int rev,
		enum rt_step_kind kind, struct rt_plan *p, struct rt_error *err)
{
	struct intlist cur = { 0 };
	struct bitset applied;
	struct heads h;
	const struct rt_rev *rv = &g->revs[rev];
	int rc = -1;

	heads_from_rows(&h, rows);
	bitset_init(&applied, g->n);
	if (rt_resolve_current(g, rows, &cur, err))
		goto out;
	if (cur.nr)
		rt_graph_ancestors(g, cur.v, cur.nr, 1, &applied);
	if (kind == RT_STEP_UPGRADE) {
		if (bitset_has(&applied, rev)) {
			rt_error_set(err, RT_EXIT_ERROR, "%s is applied already", rv->id);
			goto out;
		}
		for (int k = 0; k < rv->norm_down.nr; k++)
			if (!bitset_has(&applied, rv->norm_down.v[k])) {
				rt_error_set(err, RT_EXIT_ERROR, "%s needs %s, which is not applied", rv->id,
					     g->revs[rv->norm_down.v[k]].id);
				goto out;
			}
	} else {
		if (!bitset_has(&applied, rev)) {
			rt_error_set(err, RT_EXIT_ERROR, "%s is not applied", rv->id);
			goto out;
		}
		for (int k = 0; k < rv->norm_up.nr; k++)
			if (bitset_has(&applied, rv->norm_up.v[k])) {
				rt_error_set(err, RT_EXIT_ERROR, "%s is needed by %s, which is applied",
					     rv->id, g->revs[rv->norm_up.v[k]].id);
				goto out;
			}
	}
	struct rt_step *s = add_step(p, kind, rev);
	step_labels(g, s, rev, kind == RT_STEP_UPGRADE);
	rc = kind == RT_STEP_UPGRADE ? upgrade_rows(g, rev, &h, s, err)
				     : downgrade_rows(g, rev, &h, s, err);
out:
	finish(p, &h);
	bitset_release(&applied);
	intlist_release(&cur);
	return rc;
}

/*
 * Alembic's _stamp_revs and StampStep: for each destination, delete rows
 * (to base), do nothing (already there), move the related heads down or up
 * onto it in one step, or start a new branch row.
 */
int rt_plan_stamp(const struct rt_graph *g, const struct strvec *rows, const struct strvec *targets,
		  int purge, struct rt_plan *p, struct rt_error *err)
{
	for (size_t i = 0; i < targets->nr; i++)
		if (empty_target(targets->v[i], err))
			return -1;
	struct intlist cur = { 0 }, filtered = { 0 }, dests = { 0 };
	struct strvec empty = STRVEC_INIT;
	struct heads h;
	int rc = -1, to_base = 0;

	p->purge = purge;
	heads_from_rows(&h, purge ? &empty : rows);
	if (!purge && rt_resolve_current(g, rows, &cur, err))
		goto out;
	for (size_t t = 0; t < targets->nr; t++) {
		struct intlist f = { 0 };
		if (rt_filter_lineage(g, &cur, targets->v[t], 1, &f, err)) {
			intlist_release(&f);
			goto out;
		}
		for (int i = 0; i < f.nr; i++)
			if (!intlist_has(&filtered, f.v[i]))
				intlist_push(&filtered, f.v[i]);
		intlist_release(&f);
		if (rt_resolve(g, targets->v[t], &dests, err))
			goto out;
	}
	for (int i = 0; i < dests.nr; i++)
		for (int k = i + 1; k < dests.nr; k++)
			if (dests.v[i] == dests.v[k]) {
				rt_error_set(err, RT_EXIT_USAGE, "revision %s is named twice; stamp it once",
					     g->revs[dests.v[i]].id);
				goto out;
			}
	if (!dests.nr)
		to_base = 1;
	if (to_base) {
		for (int i = 0; i < filtered.nr; i++) {
			struct rt_step *s = add_step(p, RT_STEP_STAMP, -1);
			strvec_push(&s->from, g->revs[filtered.v[i]].id);
			if (vop_delete(s, &h, g->revs[filtered.v[i]].id, err))
				goto out;
		}
	}
	for (int d = 0; d < dests.nr; d++) {
		int dest = dests.v[d];
		if (intlist_has(&filtered, dest))
			continue;
		struct bitset desc, anc;
		bitset_init(&desc, g->n);
		bitset_init(&anc, g->n);
		rt_graph_descendants(g, &dest, 1, 1, &desc);
		rt_graph_ancestors(g, &dest, 1, 1, &anc);
		/*
		 * Only the recorded heads on this destination's own line move onto
		 * it.  Alembic moves every head that matched any destination, so
		 * `stamp heads` with rows on two branches folds them into one row
		 * and loses the other (docs/alembic-compat.md).
		 */
		struct intlist rel = { 0 };
		int below = 0, above = 0;
		for (int i = 0; i < filtered.nr; i++) {
			int up = bitset_has(&desc, filtered.v[i]), down = bitset_has(&anc, filtered.v[i]);
			above |= up;
			below |= down;
			if (up || down)
				intlist_push(&rel, filtered.v[i]);
		}
		bitset_release(&desc);
		bitset_release(&anc);
		if (above && below) {
			/* Alembic fails an assertion here */
			intlist_release(&rel);
			rt_error_set(err, RT_EXIT_ERROR,
				     "stamping %s is ambiguous: recorded revisions lie both above and below "
				     "it; stamp each branch explicitly, or purge the version table first",
				     g->revs[dest].id);
			goto out;
		}
		struct rt_step *s = add_step(p, RT_STEP_STAMP, -1);
		const char *to = g->revs[dest].id;
		strvec_push(&s->to, to);
		if (above || below) {
			int upgrade = !above;
			for (int i = 0; i < rel.nr; i++)
				strvec_push(&s->from, g->revs[rel.v[i]].id);
			intlist_release(&rel);
			int missing = 0;
			for (size_t i = 0; i < s->from.nr; i++)
				missing |= !heads_has(&h, s->from.v[i]);
			if (upgrade && missing && !heads_has(&h, to)) {
				if (vop_insert(s, &h, to, err))
					goto out;
			} else if (s->from.nr > 1) {
				for (size_t i = 0; i + 1 < s->from.nr; i++)
					if (vop_delete(s, &h, s->from.v[i], err))
						goto out;
				if (vop_update(s, &h, s->from.v[s->from.nr - 1], to, err))
					goto out;
			} else if (vop_update(s, &h, s->from.v[0], to, err)) {
				goto out;
			}
		} else if (!heads_has(&h, to) && vop_insert(s, &h, to, err)) {
			goto out;
		}
	}
	rc = 0;
out:
	finish(p, &h);
	intlist_release(&cur);
	intlist_release(&filtered);
	intlist_release(&dests);
	return rc;
}

int rt_walk_revisions(const struct rt_graph *g, const char *base, const char *head,
		      struct intlist *out, struct rt_error *err)
{
	struct intlist lower = { 0 }, targets = { 0 };
	struct bitset needs;
	int rc = -1;
	if (!base)
		base = "base";
	if (!head)
		head = "heads";
	bitset_init(&needs, g->n);
	if (rt_resolve(g, base, &lower, err))
		goto out;
	if (collect_upgrade(g, head, &lower, 1, 0, 0, &needs, &targets, err))
		goto out;
	rt_graph_toposort(g, &needs, targets.v, targets.nr, out);
	rc = 0;
out:
	bitset_release(&needs);
	intlist_release(&lower);
	intlist_release(&targets);
	return rc;
}
