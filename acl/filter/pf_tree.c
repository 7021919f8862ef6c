/*
 * pf_tree.c: the compiled classifier.  Per address family, five decision
 * trees (k-ary splits on rule boundaries, EffiCuts' separation of rules by
 * where they are narrow) over (src, dst, sport, dport, proto); a lookup
 * takes one leaf of each and walks their entries merged in rule order.
 * Once built, a tree is packed (acl_tree_pack()): its leaves get their
 * entries' records inline (box and position, see pf_filter_impl.h), one
 * copy per distinct leaf, so that a leaf scan reads a line or two and
 * chases no pointer.
 *
 * Why decision trees: pf's answer is not "the first match" but a walk with
 * side effects (last match wins, quick stops, quick anchors stop, match
 * rules carry options and may translate the packet, tags, anchor calls
 * with criteria of their own).  A scheme that returns one rule (tuple
 * space search with priorities, bit vectors that yield the best match)
 * would have to be bent for each of those; a tree instead returns the few
 * entries that can match this packet, in rule order, and the exact walk
 * (acl_step(), the very step the linear reference takes) runs over them.
 * Every entry whose box holds the packet is in one of its leaves, so the
 * walk sees every rule that could match it, in order: the two evaluators
 * cannot disagree unless a box is wrong or an entry was pruned wrongly,
 * which is what the differential tests look for.
 *
 * Construction: the root of a tree is HiCuts' (Gupta and McKeown): 2^k
 * equal cuts of one dimension, a table of child words looked up with a
 * shift and a mask, no compare (see acl_root_build()).  Below it the cuts
 * are HyperSplit's, on rule boundaries, several per node: a node holds
 * the entries whose box meets its region, an interval per dimension.
 * Along each dimension the ends of the entries' boxes cut the region into
 * elementary segments, each weighted by the entries that overlap it; up
 * to ACL_NB4 boundaries (ACL_NB6) go where the running weight passes a
 * (ACL_NB4 + 1)-th of the total, so the children share the references
 * about evenly, and the dimension whose largest child is smallest wins.
 * Cutting where rules begin and end, rather than into equal parts, leaves
 * no empty child and no child equal to its neighbour: below the root
 * HiCuts made ClassBench's 10k sets 30k-330k 8-byte nodes and up to 12
 * levels, these cuts make a few thousand 128-byte nodes and 1-4 levels.
 * Why both: a level of equal cuts is the cheapest there is (one load),
 * but past the root it multiplies nodes and depth where rules are
 * uneven; a k-ary level costs a compare of 15 boundaries (SSE2) but
 * follows the rules.  Before cutting, the entries no packet of the region
 * can need are dropped: everything after a quick rule that matches every
 * packet of the region (up to the next translating match rule, see
 * acl_prune()), and non-quick pass/block rules before a rule that matches
 * the whole region and decides after them (unless a quick anchor, a tag,
 * a translation or a "match quick" could make them count).
 *
 * Separation (Vamanan et al., EffiCuts): an entry wide in a dimension is
 * copied into every child of a cut along it, and a tree mixing wide and
 * narrow entries either replicates without end or stops with fat leaves.
 * So entries go to one of ACL_NSUB trees by where they are narrow (source
 * and destination, source, destination, destination port, nothing), each
 * cut where its entries are narrow.  A lookup pays one descent per tree
 * that holds entries, not per rule.
 *
 * Fragments: a port rule never matches a non-first fragment, so "matches
 * the whole region" would be false for them; fragments get trees of their
 * own without the port rules, and the main trees may prune freely.
 *
 * What is not cut: entries that test what the box cannot say (tables and
 * negations are wildcards in their dimension, "!=" and "<>" ports too;
 * flags, icmp types, tags are not dimensions) sit in every leaf their box
 * reaches and are checked in full there.  Rules that are wildcards in
 * every dimension (a "block all", a "match out ... nat-to", an anchor call
 * with criteria) are in every leaf of the last tree.
 *
 * Limits: a node stops being cut at ACL_BINTH entries, at depth
 * ACL_MAXDEPTH, when no cut makes its largest child smaller (the leaf is
 * then bigger than the bin and only the packets that reach it pay), or
 * when references and child words of a tree would exceed
 * ACL_BUDGET_FACTOR per entry (ACL_BUDGET_MIN at least): every node still
 * to be built becomes a leaf.  Leaves and records are numbered in 24 bits
 * (ACL_W_IDXMAX); a tree that would need more is not built (EFBIG) and
 * the classifier evaluates linearly.  acl_classifier_stats() reports the
 * shape and the memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "acl/filter/pf_filter_impl.h"

#define ACL_BINTH		4	/* entries per leaf */
#define ACL_KROOT		12	/* at most 2^12 cuts at the root */
#define ACL_SPFAC		8	/* ... within 8 x the entries */
#define ACL_MAXDEPTH		32
/*
 * An address range this wide or wider is "wide" for the separation: a
 * prefix shorter than /8 (IPv6: than /8 of the upper 64 bits).  A /8 to
 * /16 is still narrow enough to cut on: at the root's 2^12 cuts it spans
 * at most 16 children.  (With /16, ClassBench acl2's /9-/16 pairs all
 * fell into the last tree, cut only on ports and protocol, 5 levels deep.)
 */
#define ACL_WIDE4		(1ULL << 24)
#define ACL_WIDE6		(1ULL << 56)
#define ACL_BUDGET_FACTOR	64	/* references per entry */
#define ACL_BUDGET_MIN		(1u << 20)

struct acl_region {
	uint64_t	 lo[ACL_D_MAX], hi[ACL_D_MAX];	/* inclusive */
};

struct acl_tbuild {
	const struct acl_classifier *c;
	struct acl_tree	*t;
	int		 afi;
	size_t		 nsz;		/* sizeof(struct acl_node4/6) */
	int		 nb;		/* ACL_NB4 / ACL_NB6 */
	size_t		 budget;
	uint64_t	*pts;		/* acl_choose()'s scratch, 2n + 2 */
	uint64_t	*wt;
};

static void
acl_box_dim(const struct acl_box *b, int d, uint64_t *lo, uint64_t *hi)
{
	switch (d) {
	case ACL_D_SRC:
	case ACL_D_DST:
		*lo = b->lo[d];
		*hi = b->hi[d];
		break;
	case ACL_D_SPORT:
	case ACL_D_DPORT:
		*lo = b->plo[d - ACL_D_SPORT];
		*hi = b->phi[d - ACL_D_SPORT];
		break;
	default:
		*lo = b->prlo;
		*hi = b->prhi;
		break;
	}
}

/* the box along d, clipped to the region (they meet: the node holds it) */
static void
acl_box_clip(const struct acl_box *b, const struct acl_region *g, int d,
    uint64_t *lo, uint64_t *hi)
{
	acl_box_dim(b, d, lo, hi);
	if (*lo < g->lo[d])
		*lo = g->lo[d];
	if (*hi > g->hi[d])
		*hi = g->hi[d];
}

static int
acl_box_covers(const struct acl_box *b, const struct acl_region *g)
{
	uint64_t lo, hi;
	int d;

	for (d = 0; d < ACL_D_MAX; d++) {
		acl_box_dim(b, d, &lo, &hi);
		if (lo > g->lo[d] || hi < g->hi[d])
			return (0);
	}
	return (1);
}

static int
acl_reg_has(const struct acl_region *g, int d, uint64_t v)
{
	return (v >= g->lo[d] && v <= g->hi[d]);
}

/* Does the entry match every packet of the region, whatever came before? */
static int
acl_unconditional(const struct acl_classifier *c, int afi, uint32_t pos,
    const struct acl_region *g)
{
	const struct acl_ent *e = &c->ent[pos];
	const struct acl_box *b = &c->box[afi][pos];

	if (e->kind != ACL_FLAT_RULE || e->r->action == ACL_MATCH)
		return (0);
	/*
	 * B_PORTS does not count: fragments, which port rules never match,
	 * have trees of their own without those rules.
	 */
	if (!(b->flags & B_EXACT) || (b->flags & B_EMPTY) ||
	    e->need != ACL_POS_NONE)
		return (0);
	if (b->tflagset && acl_reg_has(g, ACL_D_PROTO, 6))
		return (0);
	if ((b->flags & B_ICMPSTATE) && (acl_reg_has(g, ACL_D_PROTO, 1) ||
	    acl_reg_has(g, ACL_D_PROTO, 58)))
		return (0);
	return (acl_box_covers(b, g));
}

/* the first translating match rule after pos, or ACL_POS_NONE */
static uint32_t
acl_xlate_after(const struct acl_classifier *c, uint32_t pos)
{
	size_t lo, hi;

	for (lo = 0, hi = c->nxlate; lo < hi;) {
		if (c->xlate[(lo + hi) / 2] <= pos)
			lo = (lo + hi) / 2 + 1;
		else
			hi = (lo + hi) / 2;
	}
	return (lo < c->nxlate ? c->xlate[lo] : ACL_POS_NONE);
}

/* Drop the entries no packet of the region can need (see above). */
static size_t
acl_prune(const struct acl_classifier *c, int afi, uint32_t *l, size_t n,
    const struct acl_region *g)
{
	const struct acl_ent *e;
	size_t i, j, q = n, lo, hi;
	uint32_t from = 0, upto;

	for (i = 0; i < n; i++)
		if (acl_unconditional(c, afi, l[i], g)) {
			q = i;
			if (c->ent[l[i]].r->quick)
				break;
		}
	if (q < n && c->ent[l[q]].r->quick) {
		/*
		 * Every packet of the region that reaches the quick rule
		 * stops there, but one that a later match rule translates
		 * into the region is looked up again from the entry after
		 * that rule, past the quick one: what follows the next
		 * translating rule stays for it.
		 */
		upto = acl_xlate_after(c, l[q]);
		for (i = j = q + 1; i < n; i++)
			if (upto != ACL_POS_NONE && l[i] > upto)
				l[j++] = l[i];
		n = j;
	}
	if (q == n || q == 0)
		return (n);
	/*
	 * A match rule before q may translate the packet out of the region,
	 * or end the evaluation before q if it is "match quick" (it may sit
	 * in another subset's tree): keep what precedes it.
	 */
	for (lo = 0, hi = c->nxlate; lo < hi;) {
		if (c->xlate[(lo + hi) / 2] < l[q])
			lo = (lo + hi) / 2 + 1;
		else
			hi = (lo + hi) / 2;
	}
	if (lo > 0)
		from = c->xlate[lo - 1] + 1;
	for (i = j = 0; i < n; i++) {
		e = &c->ent[l[i]];
		if (l[i] >= from && i < q && e->kind == ACL_FLAT_RULE &&
		    e->r->action != ACL_MATCH && !e->r->quick && e->tag == 0 &&
		    !(e->flags & E_INQUICK))
			continue;
		l[j++] = l[i];
	}
	return (j);
}

static int
acl_grow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return (0);
	for (ncap = *cap ? *cap : 64; ncap < need; ncap *= 2)
		;
	if ((np = reallocarray(*p, ncap, sz)) == NULL)
		return (ENOMEM);
	*p = np;
	*cap = ncap;
	return (0);
}

/* The nodes: aligned so that an IPv4 node is exactly one cache line. */
static int
acl_grow_nodes(struct acl_tree *t, size_t need, size_t nsz)
{
	size_t ncap;
	void *np;

	if (need <= t->capnode)
		return (0);
	for (ncap = t->capnode ? t->capnode : 64; ncap < need; ncap *= 2)
		;
	if (ncap > SIZE_MAX / nsz ||
	    (np = aligned_alloc(64, ncap * nsz)) == NULL)
		return (ENOMEM);
	if (t->nnode > 0)
		memcpy(np, t->node, t->nnode * nsz);
	free(t->node);
	t->node = np;
	t->capnode = ncap;
	return (0);
}

/*
 * A leaf, while building: its entries go to t->ref, the word says how
 * many and which leaf (acl_tree_pack() turns it into its records).
 */
static int
acl_new_leaf(struct acl_tbuild *tb, const uint32_t *l, size_t n, size_t depth,
    uint32_t *out)
{
	struct acl_tree *t = tb->t;

	*out = 0;
	t->leaves++;
	if (depth > t->max_depth)
		t->max_depth = depth;
	if (n == 0)
		return (0);
	if (t->nleaf >= ACL_W_IDXMAX || n > UINT32_MAX - t->nref)
		return (EFBIG);
	if (acl_grow((void **)&t->ref, &t->capref, t->nref + n,
	    sizeof(*t->ref)) != 0 ||
	    acl_grow((void **)&t->leaf, &t->capleaf, 2 * (t->nleaf + 1),
	    sizeof(*t->leaf)) != 0)
		return (ENOMEM);
	t->leaf[2 * t->nleaf] = (uint32_t)t->nref;
	t->leaf[2 * t->nleaf + 1] = (uint32_t)n;
	*out = (n < ACL_W_NBIG ? (uint32_t)n : ACL_W_NBIG) << ACL_W_NSHIFT |
	    (uint32_t)t->nleaf;
	t->nleaf++;
	memcpy(&t->ref[t->nref], l, n * sizeof(*l));
	t->nref += n;
	if (n > t->max_leaf)
		t->max_leaf = n;
	return (0);
}

struct acl_cut {
	int		 d;
	int		 nb;		/* boundaries: nb + 1 children */
	uint64_t	 b[ACL_NBMAX];	/* child i ends at b[i] */
	size_t		 maxc, sum;	/* largest child, references */
};

/* the child of cut u holding key v */
static int
acl_cut_child(const struct acl_cut *u, uint64_t v)
{
	int c = 0;

	while (c < u->nb && v > u->b[c])
		c++;
	return (c);
}

static int
acl_u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

/* how many of the m sorted points are <= v: the segment holding v */
static size_t
acl_seg(const uint64_t *pts, size_t m, uint64_t v)
{
	size_t lo = 0, hi = m, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (pts[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

/*
 * Per dimension, the boundaries at the weighted quantiles of the
 * elementary segments (see above), and what they give; the dimension
 * with the smallest largest child wins, then the fewest references.
 */
static int
acl_choose(const struct acl_tbuild *tb, const uint32_t *l, size_t n,
    const struct acl_region *g, struct acl_cut *best)
{
	const struct acl_box *box = tb->c->box[tb->afi];
	uint64_t *pts = tb->pts, *wt = tb->wt, lo, hi, acc, tot, run;
	size_t i, np, m, cnt[ACL_NBMAX + 2];
	struct acl_cut cur;
	int d, a, found = 0;

	for (d = 0; d < ACL_D_MAX; d++) {
		if (g->lo[d] == g->hi[d])
			continue;
		for (i = np = 0; i < n; i++) {
			acl_box_clip(&box[l[i]], g, d, &lo, &hi);
			if (lo > g->lo[d])
				pts[np++] = lo;
			if (hi < g->hi[d])
				pts[np++] = hi + 1;
		}
		if (np == 0)
			continue;
		qsort(pts, np, sizeof(*pts), acl_u64cmp);
		for (i = m = 1; i < np; i++)
			if (pts[i] != pts[m - 1])
				pts[m++] = pts[i];
		/* segment s is [pts[s - 1], pts[s]), its weight the entries
		   over it (a difference array, then running sums) */
		memset(wt, 0, (m + 2) * sizeof(*wt));
		for (i = 0; i < n; i++) {
			acl_box_clip(&box[l[i]], g, d, &lo, &hi);
			wt[acl_seg(pts, m, lo)]++;
			wt[acl_seg(pts, m, hi) + 1]--;
		}
		for (i = 0, run = tot = 0; i <= m; i++) {
			run += wt[i];
			wt[i] = run;
			tot += run;
		}
		memset(&cur, 0, sizeof(cur));
		cur.d = d;
		for (i = 0, acc = 0; i < m && cur.nb < tb->nb; i++) {
			acc += wt[i];
			/* every boundary when they fit, else the quantiles */
			if (m <= (size_t)tb->nb ||
			    acc * (uint64_t)(tb->nb + 1) >=
			    (uint64_t)(cur.nb + 1) * tot)
				cur.b[cur.nb++] = pts[i] - 1;
		}
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++) {
			acl_box_clip(&box[l[i]], g, d, &lo, &hi);
			a = acl_cut_child(&cur, lo);
			cnt[a]++;
			cnt[acl_cut_child(&cur, hi) + 1]--;
			cur.sum += (size_t)(acl_cut_child(&cur, hi) - a + 1);
		}
		for (a = 0, run = 0; a <= cur.nb; a++) {
			run += cnt[a];
			if (run > cur.maxc)
				cur.maxc = run;
		}
		if (!found || cur.maxc < best->maxc ||
		    (cur.maxc == best->maxc && cur.sum < best->sum)) {
			*best = cur;
			found = 1;
		}
	}
	return (found ? 0 : ESRCH);
}

static void
acl_node_set(struct acl_tbuild *tb, size_t idx, const struct acl_cut *u,
    const uint32_t *w)
{
	struct acl_node4 *n4;
	struct acl_node6 *n6;
	int j;

	if (tb->afi == ACL_AF4) {
		n4 = (struct acl_node4 *)tb->t->node + idx;
		memset(n4, 0, sizeof(*n4));
		n4->nb = (uint8_t)u->nb;
		/* biased for signed compares (acl_node_next()) */
		for (j = 0; j < ACL_NB4; j++)
			n4->b[j] = (j < u->nb ? (uint32_t)u->b[j] :
			    UINT32_MAX) ^ 0x80000000u;
		for (j = 0; j <= u->nb; j++)
			n4->child[j] = w[j];
		return;
	}
	n6 = (struct acl_node6 *)tb->t->node + idx;
	memset(n6, 0, sizeof(*n6));
	n6->nb = (uint8_t)u->nb;
	for (j = 0; j < ACL_NB6; j++)
		n6->b[j] = j < u->nb ? u->b[j] : UINT64_MAX;
	for (j = 0; j <= u->nb; j++)
		n6->child[j] = w[j];
}

/*
 * Build the subtree of region g holding entries l[0..n) (pruned in place)
 * and put its word in *out.
 */
static int
acl_build(struct acl_tbuild *tb, const struct acl_region *g, uint32_t *l,
    size_t n, size_t depth, uint32_t *out)
{
	struct acl_tree *t = tb->t;
	struct acl_region cg;
	struct acl_cut cut;
	uint32_t *cl = NULL, *tmp = NULL, w[ACL_NBMAX + 1];
	uint64_t lo, hi;
	size_t i, idx, cnt[ACL_NBMAX + 1], off[ACL_NBMAX + 2];
	int error, a, a0, a1;

	memset(&cut, 0, sizeof(cut));
	n = acl_prune(tb->c, tb->afi, l, n, g);
	if (n <= ACL_BINTH || depth >= ACL_MAXDEPTH)
		return (acl_new_leaf(tb, l, n, depth, out));
	error = acl_choose(tb, l, n, g, &cut);
	if (error == ESRCH || (error == 0 && cut.maxc >= n))
		return (acl_new_leaf(tb, l, n, depth, out));
	if (error != 0)
		return (error);
	/* the replication limit: leaves from here on */
	if (t->nref + (t->nnode + 1) * (size_t)(tb->nb + 1) + cut.sum >
	    tb->budget) {
		t->budget_hit = 1;
		return (acl_new_leaf(tb, l, n, depth, out));
	}

	if ((cl = calloc(cut.sum, sizeof(*cl))) == NULL ||
	    (tmp = calloc(n, sizeof(*tmp))) == NULL) {
		error = ENOMEM;
		goto out;
	}
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++) {
		acl_box_clip(&tb->c->box[tb->afi][l[i]], g, cut.d, &lo, &hi);
		a1 = acl_cut_child(&cut, hi);
		for (a = acl_cut_child(&cut, lo); a <= a1; a++)
			cnt[a]++;
	}
	for (a = 0, off[0] = 0; a <= cut.nb; a++)
		off[a + 1] = off[a] + cnt[a];
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++) {
		acl_box_clip(&tb->c->box[tb->afi][l[i]], g, cut.d, &lo, &hi);
		a0 = acl_cut_child(&cut, lo);
		a1 = acl_cut_child(&cut, hi);
		for (a = a0; a <= a1; a++)
			cl[off[a] + cnt[a]++] = l[i];
	}

	/* the node first: parents before children, the top levels together */
	if (t->nnode >= ACL_W_NODEIDX) {
		error = EFBIG;
		goto out;
	}
	if ((error = acl_grow_nodes(t, t->nnode + 1, tb->nsz)) != 0)
		goto out;
	idx = t->nnode++;
	for (a = 0; a <= cut.nb; a++) {
		cg = *g;
		if (a > 0)
			cg.lo[cut.d] = cut.b[a - 1] + 1;
		if (a < cut.nb)
			cg.hi[cut.d] = cut.b[a];
		/* prune works in place: the lists of the next children stay */
		memcpy(tmp, &cl[off[a]], cnt[a] * sizeof(*tmp));
		if ((error = acl_build(tb, &cg, tmp, cnt[a], depth + 1,
		    &w[a])) != 0)
			goto out;
	}
	acl_node_set(tb, idx, &cut, w);
	*out = ACL_W_NODE | (uint32_t)cut.d << ACL_W_DSHIFT | (uint32_t)idx;
out:
	free(cl);
	free(tmp);
	return (error);
}

/*
 * The root: HiCuts' equal cuts, 2^k of them along one dimension, looked
 * up by a shift and a mask with no compare.  Below a table of up to
 * 2^ACL_KROOT words the nodes cut on rule boundaries.  Per dimension k
 * grows while the space measure (children + references) stays under
 * ACL_SPFAC times the entries; the dimension whose largest child is
 * smallest wins.
 */
static int
acl_dim_bits(int afi, int d)
{
	if (d == ACL_D_PROTO)
		return (8);
	if (d >= ACL_D_SPORT)
		return (16);
	return (afi == ACL_AF4 ? 32 : 64);
}

static void
acl_root_span(const struct acl_tbuild *tb, uint32_t pos, int d, int cb,
    uint64_t *clo, uint64_t *chi)
{
	uint64_t lo, hi;

	acl_box_dim(&tb->c->box[tb->afi][pos], d, &lo, &hi);
	*clo = lo >> cb;
	*chi = hi >> cb;
}

static int
acl_root_choose(const struct acl_tbuild *tb, const uint32_t *l, size_t n,
    int *bd, int *bk)
{
	size_t i, sum, maxc, run, bmax = SIZE_MAX, bsum = 0, *diff;
	uint64_t clo, chi, a;
	int d, k, km, bits;

	*bd = 0;
	*bk = 0;
	if ((diff = calloc(((size_t)1 << ACL_KROOT) + 1, sizeof(*diff))) ==
	    NULL)
		return (ENOMEM);
	for (d = 0; d < ACL_D_MAX; d++) {
		bits = acl_dim_bits(tb->afi, d);
		km = bits < ACL_KROOT ? bits : ACL_KROOT;
		for (k = km; k >= 1; k--) {
			memset(diff, 0, (((size_t)1 << k) + 1) * sizeof(*diff));
			for (i = sum = 0; i < n; i++) {
				acl_root_span(tb, l[i], d, bits - k, &clo,
				    &chi);
				diff[clo]++;
				diff[chi + 1]--;
				sum += chi - clo + 1;
			}
			if (sum + ((size_t)1 << k) <= ACL_SPFAC * n)
				break;
		}
		if (k == 0)
			continue;
		for (a = 0, run = maxc = 0; a < ((uint64_t)1 << k); a++) {
			run += diff[a];
			if (run > maxc)
				maxc = run;
		}
		if (maxc < bmax || (maxc == bmax && sum < bsum)) {
			bmax = maxc;
			bsum = sum;
			*bd = d;
			*bk = k;
		}
	}
	if (bmax >= n)
		*bk = 0;
	free(diff);
	return (0);
}

static int
acl_root_build(struct acl_tbuild *tb, uint32_t *l, size_t n)
{
	struct acl_tree *t = tb->t;
	struct acl_region g, cg;
	uint32_t *cl = NULL, *tmp = NULL, *pl = NULL;
	size_t i, sum = 0, pn = 0, *cnt = NULL, *off = NULL, ncut;
	uint64_t clo, chi, a, b;
	int d, k, cb, error = 0;

	for (d = 0; d < ACL_D_MAX; d++) {
		g.lo[d] = 0;
		g.hi[d] = acl_dim_bits(tb->afi, d) == 64 ? UINT64_MAX :
		    (1ULL << acl_dim_bits(tb->afi, d)) - 1;
	}
	/* pruned here once: the whole space is a region too */
	n = acl_prune(tb->c, tb->afi, l, n, &g);
	if ((error = acl_root_choose(tb, l, n, &d, &k)) != 0)
		return (error);
	if (n <= ACL_BINTH)
		k = 0;
	ncut = (size_t)1 << k;
	cb = acl_dim_bits(tb->afi, d) - k;
	if ((t->rtab = calloc(ncut, sizeof(*t->rtab))) == NULL)
		return (ENOMEM);
	t->rdim = (uint8_t)d;
	t->rshift = k == 0 ? 0 : (uint8_t)cb;
	t->rmask = (uint32_t)(ncut - 1);
	if (k == 0)
		return (acl_build(tb, &g, l, n, 1, &t->rtab[0]));

	if ((cnt = calloc(ncut, sizeof(*cnt))) == NULL ||
	    (off = calloc(ncut + 1, sizeof(*off))) == NULL ||
	    (tmp = calloc(n, sizeof(*tmp))) == NULL) {
		error = ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		acl_root_span(tb, l[i], d, cb, &clo, &chi);
		for (a = clo; a <= chi; a++)
			cnt[a]++;
		sum += chi - clo + 1;
	}
	if ((cl = calloc(sum, sizeof(*cl))) == NULL) {
		error = ENOMEM;
		goto out;
	}
	for (a = 0; a < ncut; a++)
		off[a + 1] = off[a] + cnt[a];
	memset(cnt, 0, ncut * sizeof(*cnt));
	for (i = 0; i < n; i++) {
		acl_root_span(tb, l[i], d, cb, &clo, &chi);
		for (a = clo; a <= chi; a++)
			cl[off[a] + cnt[a]++] = l[i];
	}
	for (a = 0; a < ncut; a++) {
		/*
		 * Neighbours whose entries all span both see the same boxes
		 * and no boundary along d: they share one subtree.  Not along
		 * the protocol: what acl_prune() drops depends on whether
		 * the region holds TCP or ICMP.
		 */
		if (a > 0 && cnt[a] == pn && d != ACL_D_PROTO &&
		    memcmp(pl, &cl[off[a]], pn * sizeof(*cl)) == 0) {
			for (b = 0; b < pn; b++) {
				acl_root_span(tb, pl[b], d, cb, &clo, &chi);
				if (clo > a - 1 || chi < a)
					break;
			}
			if (b == pn) {
				t->rtab[a] = t->rtab[a - 1];
				continue;
			}
		}
		pl = &cl[off[a]];
		pn = cnt[a];
		cg = g;
		cg.lo[d] = a << cb;
		cg.hi[d] = cg.lo[d] + ((1ULL << cb) - 1);
		memcpy(tmp, pl, pn * sizeof(*tmp));
		if ((error = acl_build(tb, &cg, tmp, pn, 1, &t->rtab[a])) != 0)
			goto out;
	}
out:
	free(cnt);
	free(off);
	free(cl);
	free(tmp);
	return (error);
}

/* The record of entry pos in family afi: its box, and how a match acts. */
static void
acl_rec_make(const struct acl_classifier *c, int afi, uint32_t pos, void *out)
{
	const struct acl_box *b = &c->box[afi][pos];
	const struct acl_ent *e = &c->ent[pos];
	const struct acl_dec *d = &c->dec[pos];
	struct acl_rec4 *r4 = out;
	struct acl_rec6 *r6 = out;
	uint32_t pf = pos;
	int i;

	if (b->flags & B_ICMPSTATE)
		pf |= R_ICMPSTATE;
	/* what acl_step() does with such an entry, once its box holds */
	if (e->kind == ACL_FLAT_RULE && e->r->action != ACL_MATCH &&
	    e->tag == 0 && e->need == ACL_POS_NONE && (b->flags & B_EXACT) &&
	    !(e->flags & E_QUICKCALL)) {
		pf |= R_DECIDE;
		if (e->r->quick)
			pf |= R_QUICK;
		if (d->call == NULL && d->anchor == c->rootpath &&
		    c->rootrules != NULL && d->r == &c->rootrules[pos] &&
		    d->anchor_nr == pos && d->ret == 0 && d->flags == 0 &&
		    d->keep_state <= R_KSMASK) {
			pf |= R_INLINE | (uint32_t)d->keep_state << R_KSSHIFT;
			if (d->action == ACL_BLOCK)
				pf |= R_BLOCK;
		}
	}
	if (afi == ACL_AF4) {
		memset(r4, 0, sizeof(*r4));
		for (i = 0; i < 2; i++) {
			r4->lo[i] = (uint32_t)b->lo[i];
			r4->hi[i] = (uint32_t)b->hi[i];
			r4->plo[i] = b->plo[i];
			r4->phi[i] = b->phi[i];
		}
		r4->prlo = b->prlo;
		r4->prhi = b->prhi;
		r4->tflags = b->tflags;
		r4->tflagset = b->tflagset;
		r4->pf = pf;
		return;
	}
	memset(r6, 0, sizeof(*r6));
	for (i = 0; i < 2; i++) {
		r6->lo[i] = b->lo[i];
		r6->hi[i] = b->hi[i];
		r6->plo[i] = b->plo[i];
		r6->phi[i] = b->phi[i];
	}
	r6->prlo = b->prlo;
	r6->prhi = b->prhi;
	r6->tflags = b->tflags;
	r6->tflagset = b->tflagset;
	r6->pf = pf;
}

struct acl_leafkey {
	uint64_t	 h;
	uint32_t	 ref;		/* its entries in t->ref */
	uint32_t	 n;
	uint32_t	 rec;		/* its records in t->rec */
	uint32_t	 used;
};

/* the child words of node i (i == nnode: the root) */
static uint32_t *
acl_words(struct acl_tree *t, int afi, size_t i, size_t *nw)
{
	struct acl_node4 *n4;
	struct acl_node6 *n6;

	if (i == t->nnode) {
		*nw = (size_t)t->rmask + 1;
		return (t->rtab);
	}
	if (afi == ACL_AF4) {
		n4 = (struct acl_node4 *)t->node + i;
		*nw = (size_t)n4->nb + 1;
		return (n4->child);
	}
	n6 = (struct acl_node6 *)t->node + i;
	*nw = (size_t)n6->nb + 1;
	return (n6->child);
}

/*
 * Replace the leaves' entry lists by records, one copy per distinct list:
 * pruning makes many equal leaves, which share their records.
 */
static int
acl_tree_pack(const struct acl_classifier *c, int afi, struct acl_tree *t)
{
	size_t rsz = afi == ACL_AF4 ? sizeof(struct acl_rec4) :
	    sizeof(struct acl_rec6), nsz = afi == ACL_AF4 ?
	    sizeof(struct acl_node4) : sizeof(struct acl_node6);
	struct acl_leafkey *hk = NULL, *k;
	const uint32_t *l;
	uint32_t *w, *done = NULL, id;
	uint8_t *rec = NULL;
	size_t i, nw, iw, n, hsz, nrec = 0, j;
	uint64_t h;
	void *np;
	int error = 0;

	if (t->nleaf == 0)
		goto done;
	for (hsz = 16; hsz < t->nleaf * 2; hsz <<= 1)
		;
	if ((hk = calloc(hsz, sizeof(*hk))) == NULL ||
	    (done = calloc(t->nleaf, sizeof(*done))) == NULL ||
	    (rec = calloc(t->nref + t->nleaf, rsz)) == NULL) {
		error = ENOMEM;
		goto done;
	}
	for (i = 0; i <= t->nnode; i++) {
		w = acl_words(t, afi, i, &nw);
		for (iw = 0; iw < nw; iw++) {
			if ((w[iw] & ACL_W_NODE) || w[iw] == 0)
				continue;
			id = w[iw] & ACL_W_IDX;
			/* a leaf the root shares between cuts: done */
			if (done[id] != 0) {
				w[iw] = done[id];
				continue;
			}
			n = t->leaf[2 * id + 1];
			l = &t->ref[t->leaf[2 * id]];
			h = XXH3_64bits(l, n * sizeof(*l));
			for (k = &hk[h & (hsz - 1)]; k->used;
			    k = &hk[(size_t)(k - hk + 1) & (hsz - 1)])
				if (k->h == h && k->n == n && memcmp(
				    &t->ref[k->ref], l, n * sizeof(*l)) == 0)
					break;
			if (!k->used) {
				if (nrec + n + 1 > ACL_W_IDXMAX) {
					error = EFBIG;
					goto done;
				}
				k->used = 1;
				k->h = h;
				k->n = (uint32_t)n;
				k->ref = (uint32_t)(l - t->ref);
				k->rec = (uint32_t)nrec;
				for (j = 0; j < n; j++)
					acl_rec_make(c, afi, l[j],
					    rec + nrec++ * rsz);
				if (n >= ACL_W_NBIG) {
					/* the end mark: a position past
					   every entry */
					memset(rec + nrec * rsz, 0xff, rsz);
					nrec++;
				}
			}
			w[iw] = (w[iw] & ~ACL_W_IDX) | k->rec;
			done[id] = w[iw];
		}
	}
	if (nrec > 0 && (np = realloc(rec, nrec * rsz)) != NULL)
		rec = np;
done:
	free(hk);
	free(done);
	free(t->ref);
	free(t->leaf);
	t->ref = t->leaf = NULL;
	t->capref = t->capleaf = 0;
	if (error != 0) {
		free(rec);
		return (error);
	}
	t->rec = rec;
	t->nrec = nrec;
	/* the nodes, trimmed: they are most of what a lookup reads */
	if (t->nnode > 0 && t->nnode < t->capnode && (np = aligned_alloc(64,
	    (t->nnode * nsz + 63) & ~(size_t)63)) != NULL) {
		memcpy(np, t->node, t->nnode * nsz);
		free(t->node);
		t->node = np;
		t->capnode = t->nnode;
	}
	return (0);
}

/*
 * EffiCuts' separable trees: an entry wide in a dimension is copied into
 * every child of a cut along it, so entries are sorted by where they are
 * narrow (source, destination, both, destination port, nothing) and each
 * subset gets a tree of its own, cut where its entries are narrow.
 */
static int
acl_subset(const struct acl_box *b, int afi)
{
	uint64_t wide = afi == ACL_AF4 ? ACL_WIDE4 : ACL_WIDE6;
	int sn = b->hi[0] - b->lo[0] < wide, dn = b->hi[1] - b->lo[1] < wide;

	if (sn && dn)
		return (0);
	if (sn)
		return (1);
	if (dn)
		return (2);
	if (b->phi[1] - b->plo[1] < 1024)
		return (3);
	return (4);
}

int
acl_tree_build(struct acl_classifier *c, int afi, int frag)
{
	struct acl_tbuild tb;
	uint32_t *l;
	size_t i, n;
	int error = 0, sub;

	memset(&tb, 0, sizeof(tb));
	if ((l = calloc(c->nent ? c->nent : 1, sizeof(*l))) == NULL ||
	    (tb.pts = calloc(2 * c->nent + 2, sizeof(*tb.pts))) == NULL ||
	    (tb.wt = calloc(2 * c->nent + 2, sizeof(*tb.wt))) == NULL) {
		error = ENOMEM;
		goto out;
	}
	tb.c = c;
	tb.afi = afi;
	tb.nsz = afi == ACL_AF4 ? sizeof(struct acl_node4) :
	    sizeof(struct acl_node6);
	tb.nb = afi == ACL_AF4 ? ACL_NB4 : ACL_NB6;
	for (sub = 0; sub < ACL_NSUB && error == 0; sub++) {
		tb.t = &c->tree[frag][afi][sub];
		for (i = n = 0; i < c->nent; i++) {
			if (c->box[afi][i].flags & B_EMPTY)
				continue;
			if (c->ent[i].flags & E_TRIVIAL)
				continue;
			/* port rules never match a non-first fragment */
			if (frag && (c->box[afi][i].flags & B_PORTS))
				continue;
			if (acl_subset(&c->box[afi][i], afi) != sub)
				continue;
			l[n++] = (uint32_t)i;
		}
		if (n == 0) {
			/* an empty tree: a root of one empty leaf */
			if ((tb.t->rtab = calloc(1, sizeof(*tb.t->rtab))) ==
			    NULL)
				error = ENOMEM;
			continue;
		}
		tb.budget = n * ACL_BUDGET_FACTOR;
		if (tb.budget < ACL_BUDGET_MIN)
			tb.budget = ACL_BUDGET_MIN;
		error = acl_root_build(&tb, l, n);
		tb.t->built = 1;
		if (error == 0)
			error = acl_tree_pack(c, afi, tb.t);
		if (error == 0) {
			struct acl_tlook *lk =
			    &c->look[frag][afi][c->nlook[frag][afi]++];

			lk->rtab = tb.t->rtab;
			lk->node = tb.t->node;
			lk->rec = tb.t->rec;
			lk->rmask = tb.t->rmask;
			lk->rdim = tb.t->rdim;
			lk->rshift = tb.t->rshift;
		}
	}
out:
	free(l);
	free(tb.pts);
	free(tb.wt);
	return (error);
}

void
acl_tree_free(struct acl_tree *t)
{
	free(t->rtab);
	free(t->node);
	free(t->ref);
	free(t->leaf);
	free(t->rec);
	memset(t, 0, sizeof(*t));
}
