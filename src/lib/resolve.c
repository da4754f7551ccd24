/*
 * Target resolution: Alembic's revision grammar (ids and prefixes, labels,
 * head/heads/base, +N/-N, REV+N, LABEL@head...) turned into revisions of
 * the graph, and the database's version rows into the revisions they name.
 */
#include "resolve.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int find_key(const struct rt_graph *g, const char *s)
{
	int r = rt_graph_find(g, s);
	return r >= 0 ? r : rt_graph_find_label(g, s);
}

int rt_shares_lineage(const struct rt_graph *g, int target, const int *against, int n,
		      int with_deps)
{
	struct bitset set;
	int hit = 0;
	if (!n)
		return 1;
	bitset_init(&set, g->n);
	rt_graph_descendants(g, &target, 1, with_deps, &set);
	rt_graph_ancestors(g, &target, 1, with_deps, &set);
	for (int i = 0; i < n && !hit; i++)
		hit = against[i] >= 0 && bitset_has(&set, against[i]);
	bitset_release(&set);
	return hit;
}

/*
 * A single identifier: exact id or label, else a unique prefix of one
 * (of at least four characters' worth of key), optionally restricted to
 * the lineage of `branch` and checked to belong to it.
 */
static int resolve_branch(const struct rt_graph *g, const char *label, int *out,
			  struct rt_error *err);

static int revision_for_ident(const struct rt_graph *g, const char *ident, const char *branch,
			      int *out, struct rt_error *err)
{
	int branch_rev = -1;
	if (branch && resolve_branch(g, branch, &branch_rev, err))
		return -1;
	int r = find_key(g, ident);
	if (r < 0) {
		size_t n = strlen(ident);
		struct strvec cands = STRVEC_INIT;
		struct intlist crevs = { 0 };
		for (int i = 0; i < g->n; i++) {
			const char *id = g->revs[i].id;
			if (strlen(id) > 3 && !strncmp(id, ident, n)) {
				if (branch_rev >= 0 && !rt_shares_lineage(g, i, &branch_rev, 1, 0))
					continue;
				strvec_push(&cands, id);
				intlist_push(&crevs, i);
			}
		}
		for (size_t i = 0; i < g->label_names.nr; i++) {
			const char *l = g->label_names.v[i];
			int lr = g->label_revs.v[i];
			if (strlen(l) > 3 && !strncmp(l, ident, n)) {
				if (branch_rev >= 0 && !rt_shares_lineage(g, lr, &branch_rev, 1, 0))
					continue;
				strvec_push(&cands, l);
				intlist_push(&crevs, lr);
			}
		}
		if (!cands.nr) {
			strvec_clear(&cands);
			intlist_release(&crevs);
			/* Alembic adds "ensure at least four characters" to a short
			 * one, but a prefix of any length matches an id: say what is
			 * true instead */
			return rt_error_set(err, RT_EXIT_ERROR,
					    "can't locate revision identified by '%s': no revision id "
					    "or branch label starts with it", ident);
		}
		if (cands.nr > 1) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t i = 0; i < cands.nr && i < 10; i++)
				strbuf_addf(&sb, "%s'%s'", i ? ", " : "", cands.v[i]);
			if (cands.nr > 10)
				strbuf_addf(&sb, " and %zu more", cands.nr - 10);
			rt_error_set(err, RT_EXIT_ERROR,
				     "revision prefix '%s' is ambiguous: %s; give more characters", ident,
				     sb.buf);
			strbuf_release(&sb);
			strvec_clear(&cands);
			intlist_release(&crevs);
			return -1;
		}
		r = crevs.v[0];
		strvec_clear(&cands);
		intlist_release(&crevs);
	}
	if (branch_rev >= 0 && !rt_shares_lineage(g, r, &branch_rev, 1, 0))
		return rt_error_set(err, RT_EXIT_ERROR, "revision %s is not a member of branch '%s'",
				    g->revs[r].id, branch);
	*out = r;
	return 0;
}

static int resolve_branch(const struct rt_graph *g, const char *label, int *out,
			  struct rt_error *err)
{
	int r = rt_graph_find_label(g, label);
	if (r >= 0) {
		*out = r;
		return 0;
	}
	if (revision_for_ident(g, label, NULL, out, err))
		return rt_error_set(err, RT_EXIT_ERROR, "no such branch: '%s'", label);
	return 0;
}

static void list_ids(const struct rt_graph *g, const struct intlist *l, struct strbuf *sb)
{
	for (int i = 0; i < l->nr; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", g->revs[l->v[i]].id);
}

/*
 * Alembic's _resolve_revision_number: split "LABEL@ID" and expand the
 * symbols head/heads/base.  Symbolic results land in `revs` (resolved);
 * anything else is left in *ident for revision_for_ident.
 */
struct resolved_number {
	char *label;        /* owned, or NULL */
	struct intlist revs;
	const char *ident;  /* points into `buf`, or NULL */
	char *buf;
};

static void resolved_release(struct resolved_number *rn)
{
	free(rn->label);
	free(rn->buf);
	intlist_release(&rn->revs);
}

static int resolve_number(const struct rt_graph *g, const char *spec, struct resolved_number *rn,
			  struct rt_error *err)
{
	memset(rn, 0, sizeof(*rn));
	rn->buf = xstrdup(spec);
	char *id = rn->buf;
	char *at = strchr(id, '@');
	if (at) {
		*at = '\0';
		rn->label = xstrdup(id);
		id = at + 1;
	}
	if (!strcmp(id, "heads")) {
		if (rn->label)
			return rt_filter_lineage(g, &g->heads, rn->label, 0, &rn->revs, err);
		for (int i = 0; i < g->real_heads.nr; i++)
			intlist_push(&rn->revs, g->real_heads.v[i]);
		return 0;
	}
	if (!strcmp(id, "head")) {
		struct intlist hs = { 0 };
		if (rn->label) {
			if (rt_filter_lineage(g, &g->heads, rn->label, 0, &hs, err))
				return -1;
		} else {
			for (int i = 0; i < g->heads.nr; i++)
				intlist_push(&hs, g->heads.v[i]);
		}
		if (hs.nr > 1) {
			struct strbuf sb = STRBUF_INIT;
			list_ids(g, &hs, &sb);
			rt_error_set(err, RT_EXIT_ERROR,
				     "multiple heads are present for '%s%s%s' (%s); name one revision, "
				     "use 'LABEL@head' for one branch, or 'heads' for all of them",
				     rn->label ? rn->label : "", rn->label ? "@" : "", "head", sb.buf);
			strbuf_release(&sb);
			intlist_release(&hs);
			return -1;
		}
		if (hs.nr)
			intlist_push(&rn->revs, hs.v[0]);
		intlist_release(&hs);
		return 0;
	}
	if (!strcmp(id, "base") || !*id)
		return 0;
	rn->ident = id;
	return 0;
}

/* Is `s` an optional "LABEL@", optional word, then "+N" or "-N"? */
struct relative {
	int matched;
	int bad;      /* the number is 0 or out of range (a usage error) */
	char *label;  /* owned or NULL */
	char *symbol; /* owned or NULL */
	int n;
};

static void relative_release(struct relative *r)
{
	free(r->label);
	free(r->symbol);
}

static int is_word(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static void parse_relative(const char *s, struct relative *rel)
{
	memset(rel, 0, sizeof(*rel));
	const char *at = strchr(s, '@');
	const char *p = s;
	if (at && at > s) {
		p = at + 1;
	}
	const char *w = p;
	while (*w && is_word((unsigned char)*w))
		w++;
	/* the number: sign then digits; the word may not swallow it */
	const char *sign = w;
	if (*sign != '+' && *sign != '-')
		return;
	const char *d = sign + 1;
	if (!isdigit((unsigned char)*d))
		return;
	while (isdigit((unsigned char)*d))
		d++;
	/* re.match semantics: trailing text is allowed, ignore it */
	rel->matched = 1;
	if (at && at > s)
		rel->label = xstrndup(s, (size_t)(at - s));
	if (w > p)
		rel->symbol = xstrndup(p, (size_t)(w - p));
	/* more steps than any graph has are refused rather than wrapped around */
	errno = 0;
	long n = strtol(sign, NULL, 10);
	if (errno || n == 0 || n > RT_MAX_RELATIVE || n < -RT_MAX_RELATIVE)
		rel->bad = 1;
	else
		rel->n = (int)n;
}

/* The usage error of a relative target whose number cannot be used. */
static int relative_bad(const char *target, struct rt_error *err)
{
	return rt_error_set(err, RT_EXIT_USAGE,
			    "relative revision '%s' must move by 1 to %d steps (+N or -N, N not 0)",
			    target, RT_MAX_RELATIVE);
}

int rt_resolve(const struct rt_graph *g, const char *ident, struct intlist *out,
	       struct rt_error *err)
{
	struct resolved_number rn;
	int rc = -1;
	if (resolve_number(g, ident, &rn, err))
		goto out;
	if (rn.ident) {
		/* "LABEL@-2": walk down from the label's heads */
		const char *q = rn.ident;
		if (*q == '-' && q[1] && strspn(q + 1, "0123456789") == strlen(q + 1)) {
			errno = 0;
			long steps = -strtol(q + 1, NULL, 10);
			if (errno || !steps || steps < -RT_MAX_RELATIVE) {
				relative_bad(ident, err);
				goto out;
			}
			for (int i = 0; i < g->real_heads.nr; i++) {
				int h = g->real_heads.v[i];
				if (rn.label && strvec_find(&g->revs[h].labels, rn.label) < 0)
					continue;
				int r = h;
				for (int k = 0; k < -steps && r >= 0; k++) {
					const struct rt_rev *rv = &g->revs[r];
					if (rv->down.nr > 1) {
						rt_error_set(err, RT_EXIT_ERROR, "ambiguous walk from %s", rv->id);
						goto out;
					}
					r = rv->down.nr ? rv->down.v[0] : RT_REV_NONE;
				}
				if (r >= 0)
					intlist_push(out, r);
			}
			rc = 0;
			goto out;
		}
		int r;
		if (revision_for_ident(g, rn.ident, rn.label, &r, err))
			goto out;
		intlist_push(out, r);
	} else {
		for (int i = 0; i < rn.revs.nr; i++)
			intlist_push(out, rn.revs.v[i]);
	}
	rc = 0;
out:
	resolved_release(&rn);
	return rc;
}

int rt_resolve_one(const struct rt_graph *g, const char *ident, int *out, struct rt_error *err)
{
	struct intlist l = { 0 };
	if (rt_resolve(g, ident, &l, err)) {
		intlist_release(&l);
		return -1;
	}
	if (l.nr > 1) {
		struct strbuf sb = STRBUF_INIT;
		list_ids(g, &l, &sb);
		rt_error_set(err, RT_EXIT_ERROR,
			     "'%s' names several revisions (%s); name a single revision", ident, sb.buf);
		strbuf_release(&sb);
		intlist_release(&l);
		return -1;
	}
	*out = l.nr ? l.v[0] : RT_REV_NONE;
	intlist_release(&l);
	return 0;
}

int rt_resolve_current(const struct rt_graph *g, const struct strvec *ids, struct intlist *out,
		       struct rt_error *err)
{
	for (size_t i = 0; i < ids->nr; i++) {
		int r = rt_graph_find(g, ids->v[i]);
		if (r < 0)
			return rt_error_set(err, RT_EXIT_ERROR,
					    "the database is at revision '%s', which no migration file "
					    "defines; restore the file, or use 'stamp' to record the "
					    "right revision", ids->v[i]);
		if (!intlist_has(out, r))
			intlist_push(out, r);
	}
	return 0;
}

int rt_filter_lineage(const struct rt_graph *g, const struct intlist *in, const char *ident,
		      int with_deps, struct intlist *out, struct rt_error *err)
{
	struct resolved_number rn;
	struct intlist against = { 0 };
	int rc = -1;
	if (resolve_number(g, ident, &rn, err))
		goto out;
	if (rn.label) {
		int r = find_key(g, rn.label);
		if (r < 0 && revision_for_ident(g, rn.label, NULL, &r, err))
			goto out;
		intlist_push(&against, r);
	}
	for (int i = 0; i < rn.revs.nr; i++)
		intlist_push(&against, rn.revs.v[i]);
	if (rn.ident) {
		int r;
		if (revision_for_ident(g, rn.ident, NULL, &r, err))
			goto out;
		intlist_push(&against, r);
	}
	for (int i = 0; i < in->nr; i++)
		if (rt_shares_lineage(g, in->v[i], against.v, against.nr, with_deps))
			intlist_push(out, in->v[i]);
	rc = 0;
out:
	intlist_release(&against);
	resolved_release(&rn);
	return rc;
}

/*
 * Alembic's _walk: `steps` up (positive; through Revises children, within
 * `label` if given) or down (negative; through parents, reaching "base").
 * Start RT_REV_NONE means "before everything".  Returns RT_REV_NONE when
 * the walk runs off the graph and no_overwalk is set.
 */
static int walk_steps(const struct rt_graph *g, int start, int steps, const char *label,
		      int no_overwalk, int *out, int *walked, struct rt_error *err)
{
	int cur = start;
	for (int s = 0; s < abs(steps); s++) {
		struct intlist children = { 0 };
		if (steps > 0) {
			struct intlist up = { 0 };
			const struct intlist *src = cur < 0 ? &g->bases : &g->revs[cur].next;
			for (int i = 0; i < src->nr; i++)
				intlist_push(&up, src->v[i]);
			if (label) {
				if (rt_filter_lineage(g, &up, label, 0, &children, err)) {
					intlist_release(&up);
					return -1;
				}
				intlist_release(&up);
			} else {
				children = up;
			}
		} else if (cur != RT_REV_BASE) {
			const struct intlist *src = cur < 0 ? &g->heads : &g->revs[cur].down;
			for (int i = 0; i < src->nr; i++)
				intlist_push(&children, src->v[i]);
			if (!children.nr)
				intlist_push(&children, RT_REV_BASE);
		}
		if (!children.nr) {
			*out = no_overwalk ? RT_REV_NONE : cur;
			if (walked)
				*walked = s;
			return 0;
		}
		if (children.nr > 1) {
			intlist_release(&children);
			return rt_error_set(err, RT_EXIT_ERROR,
					    "ambiguous walk: %s has more than one %s; name a revision or "
					    "use 'LABEL@%+d'", cur >= 0 ? g->revs[cur].id : "base",
					    steps > 0 ? "child" : "parent", steps);
		}
		cur = children.v[0];
		intlist_release(&children);
	}
	*out = cur;
	return 0;
}

/* Alembic's message; `walked` >= 0 adds how far the walk got. */
static int relative_error(struct rt_error *err, int n, int walked)
{
	if (walked >= 0)
		return rt_error_set(err, RT_EXIT_ERROR,
				    "relative revision %+d didn't produce %d migrations: the walk "
				    "ends after %d step%s", n, abs(n), walked, walked == 1 ? "" : "s");
	return rt_error_set(err, RT_EXIT_ERROR, "relative revision %+d didn't produce %d migrations", n,
			    abs(n));
}

int rt_parse_upgrade_target(const struct rt_graph *g, const struct intlist *current,
			    const char *target, int assert_relative_length, struct intlist *out,
			    struct rt_error *err)
{
	struct relative rel;
	int rc = -1;
	parse_relative(target, &rel);
	if (!rel.matched)
		return rt_resolve(g, target, out, err);
	if (rel.bad) {
		relative_release(&rel);
		return relative_bad(target, err);
	}

	if (rel.n > 0) {
		int r;
		if (!rel.symbol) {
			struct intlist start = { 0 };
			if (rel.label) {
				if (rt_filter_lineage(g, current, rel.label, 0, &start, err))
					goto out;
				if (!start.nr) {
					/* the branch's tips among the applied revisions */
					struct bitset anc;
					struct intlist active = { 0 }, onbranch = { 0 };
					bitset_init(&anc, g->n);
					rt_graph_ancestors(g, current->v, current->nr, 1, &anc);
					for (int i = 0; i < g->n; i++)
						if (bitset_has(&anc, i))
							intlist_push(&active, i);
					if (rt_filter_lineage(g, &active, rel.label, 0, &onbranch, err)) {
						bitset_release(&anc);
						intlist_release(&active);
						goto out;
					}
					struct bitset isdown;
					bitset_init(&isdown, g->n);
					for (int i = 0; i < onbranch.nr; i++) {
						const struct rt_rev *rv = &g->revs[onbranch.v[i]];
						for (int k = 0; k < rv->norm_down.nr; k++)
							bitset_set(&isdown, rv->norm_down.v[k]);
					}
					for (int i = 0; i < onbranch.nr; i++)
						if (!bitset_has(&isdown, onbranch.v[i]))
							intlist_push(&start, onbranch.v[i]);
					bitset_release(&isdown);
					bitset_release(&anc);
					intlist_release(&active);
					intlist_release(&onbranch);
					if (!start.nr)
						intlist_push(&start, RT_REV_NONE);
				}
			} else {
				for (int i = 0; i < current->nr; i++)
					intlist_push(&start, current->v[i]);
				if (!start.nr)
					intlist_push(&start, RT_REV_NONE);
			}
			if (start.nr > 1) {
				intlist_release(&start);
				rt_error_set(err, RT_EXIT_ERROR,
					     "ambiguous upgrade from multiple current revisions; name a "
					     "revision or use 'LABEL@%+d'", rel.n);
				goto out;
			}
			int s0 = start.v[0], walked = 0;
			intlist_release(&start);
			if (walk_steps(g, s0, rel.n, rel.label, assert_relative_length, &r, &walked, err))
				goto out;
			if (r == RT_REV_NONE) {
				relative_error(err, rel.n, walked);
				goto out;
			}
		} else {
			int s0;
			if (rt_resolve_one(g, rel.symbol, &s0, err))
				goto out;
			if (walk_steps(g, s0, rel.n, rel.label, assert_relative_length, &r, NULL, err))
				goto out;
			if (r == RT_REV_NONE) {
				rt_error_set(err, RT_EXIT_ERROR, "walked too far: %s%+d does not exist",
					     rel.symbol, rel.n);
				goto out;
			}
		}
		if (r >= 0)
			intlist_push(out, r);
		rc = 0;
		goto out;
	}
	if (!rel.symbol) {
		relative_error(err, rel.n, -1);
		goto out;
	}
	{
		int s0, r;
		struct strbuf sym = STRBUF_INIT;
		if (rel.label)
			strbuf_addf(&sym, "%s@", rel.label);
		strbuf_addstr(&sym, rel.symbol);
		int bad = rt_resolve_one(g, sym.buf, &s0, err);
		strbuf_release(&sym);
		if (bad)
			goto out;
		if (walk_steps(g, s0, rel.n, NULL, assert_relative_length, &r, NULL, err))
			goto out;
		if (r == RT_REV_NONE) {
			rt_error_set(err, RT_EXIT_ERROR, "walked too far: %s%+d does not exist", rel.symbol,
				     rel.n);
			goto out;
		}
		if (r >= 0)
			intlist_push(out, r);
		rc = 0;
	}
out:
	relative_release(&rel);
	return rc;
}

int rt_parse_downgrade_target(const struct rt_graph *g, const struct intlist *current,
			      const char *target, int assert_relative_length, char **label,
			      int *rev, struct rt_error *err)
{
	struct relative rel;
	int rc = -1;
	*label = NULL;
	*rev = RT_REV_NONE;
	parse_relative(target, &rel);
	if (rel.matched && rel.bad) {
		relative_release(&rel);
		return relative_bad(target, err);
	}
	if (!rel.matched) {
		const char *at = strrchr(target, '@');
		if (at && at > target)
			*label = xstrndup(target, (size_t)(at - target));
		return rt_resolve_one(g, target, rev, err);
	}
	if (rel.n >= 0) {
		if (!rel.symbol) {
			relative_error(err, rel.n, -1);
			goto out;
		}
		int s0, r;
		if (rt_resolve_one(g, rel.symbol, &s0, err))
			goto out;
		if (walk_steps(g, s0, rel.n, rel.label, assert_relative_length, &r, NULL, err))
			goto out;
		if (r == RT_REV_NONE) {
			rt_error_set(err, RT_EXIT_ERROR, "walked too far: %s%+d does not exist", rel.symbol,
				     rel.n);
			goto out;
		}
		*label = rel.label ? xstrdup(rel.label) : NULL;
		*rev = r == RT_REV_BASE ? RT_REV_NONE : r;
		rc = 0;
		goto out;
	}
	{
		int relative_to_current = rel.symbol == NULL;
		char *branch = rel.label ? xstrdup(rel.label) : NULL;
		char *symbol = rel.symbol ? xstrdup(rel.symbol) : NULL;
		int start, r;
		if (relative_to_current) {
			if (branch) {
				struct intlist sl = { 0 };
				if (rt_filter_lineage(g, current, branch, 0, &sl, err)) {
					free(branch);
					goto out;
				}
				if (!sl.nr) {
					struct intlist all = { 0 };
					rt_all_current(g, current, &all);
					rt_filter_lineage(g, &all, branch, 0, &sl, err);
					intlist_release(&all);
				}
				if (sl.nr != 1) {
					rt_error_set(err, RT_EXIT_ERROR,
						     "branch '%s' has %s among the current revisions", branch,
						     sl.nr ? "several revisions" : "no revision");
					intlist_release(&sl);
					free(branch);
					goto out;
				}
				symbol = xstrdup(g->revs[sl.v[0]].id);
				intlist_release(&sl);
			} else {
				if (!current->nr) {
					rt_error_set(err, RT_EXIT_ERROR, "relative revision %+d didn't produce "
						     "%d migrations: the database is at <base>, so there is "
						     "nothing to downgrade", rel.n, abs(rel.n));
					goto out;
				}
				if (current->nr > 1) {
					/* Alembic warns and picks a row at random; refuse. */
					struct strbuf sb = STRBUF_INIT;
					list_ids(g, current, &sb);
					rt_error_set(err, RT_EXIT_ERROR,
						     "downgrade %d from several heads (%s) is ambiguous; use "
						     "'LABEL@%d' or name the target revision", rel.n, sb.buf,
						     rel.n);
					strbuf_release(&sb);
					goto out;
				}
				symbol = xstrdup(g->revs[current->v[0]].id);
				branch = xstrdup(symbol);
			}
		}
		struct strbuf sym = STRBUF_INIT;
		if (branch)
			strbuf_addf(&sym, "%s@", branch);
		strbuf_addstr(&sym, symbol);
		int bad = rt_resolve_one(g, sym.buf, &start, err), walked = 0;
		strbuf_release(&sym);
		if (bad || walk_steps(g, start, rel.n, NULL, assert_relative_length, &r, &walked, err)) {
			free(branch);
			free(symbol);
			goto out;
		}
		if (r == RT_REV_NONE) {
			if (relative_to_current)
				relative_error(err, rel.n, walked);
			else
				rt_error_set(err, RT_EXIT_ERROR, "walked too far: %s%d does not exist",
					     symbol, rel.n);
			free(branch);
			free(symbol);
			goto out;
		}
		free(symbol);
		*label = branch;
		*rev = r == RT_REV_BASE ? RT_REV_NONE : r;
		rc = 0;
	}
out:
	relative_release(&rel);
	return rc;
}

/*
 * The set (revs and their ancestors) is closed under "parent of", so a
 * member has a descendant in the set exactly when one of its direct
 * children is in it: members without such a child are the branch heads.
 */
void rt_all_current(const struct rt_graph *g, const struct intlist *revs, struct intlist *out)
{
	struct bitset top;
	bitset_init(&top, g->n);
	rt_graph_ancestors(g, revs->v, revs->nr, 1, &top);
	for (int i = 0; i < g->n; i++) {
		if (!bitset_has(&top, i))
			continue;
		const struct intlist *next = &g->revs[i].next;
		int covered = 0;
		for (int k = 0; k < next->nr && !covered; k++)
			covered = bitset_has(&top, next->v[k]);
		if (!covered)
			intlist_push(out, i);
	}
	bitset_release(&top);
}
