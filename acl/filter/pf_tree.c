/*
 * pf_tree.c: the compiled classifier.  Per address family, five decision
 * trees (HiCuts cutting, EffiCuts' separation of rules by where they are
 * narrow) over (src, dst, sport, dport, proto); a lookup takes one leaf of
 * each and walks their entries merged in rule order.  Once built, a tree
 * is packed (acl_tree_pack()): its leaves get their entries' records
 * inline (box and position, see pf_filter_impl.h), one copy per distinct
 * leaf, so that a leaf scan reads a line or two and chases no pointer.
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
 * Construction (Gupta and McKeown's HiCuts): a node holds the entries
 * whose box meets its region.  It is cut into 2^k equal parts along one
 * dimension; for each dimension k grows while the space measure (children
 * + references) stays under ACL_SPFAC times the node's entries, and the
 * dimension whose largest child is smallest wins.  Before cutting, the
 * entries no packet of the region can need are dropped: everything after
 * a quick rule that matches every packet of the region, and non-quick
 * pass/block rules before a rule that matches the whole region and decides
 * after them (unless a quick anchor, a tag or a translation could make
 * them count).  Neighbouring children built from the same entries, all
 * spanning both, share one subtree.  The children of a node sit side by
 * side in one array, so a level of the lookup is one shift, one mask, one
 * load.
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
 * when nodes and references of a tree would exceed ACL_BUDGET_FACTOR per
 * entry (ACL_BUDGET_MIN at least): every node still to be built becomes a
 * leaf.  acl_classifier_stats() reports the shape and the memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "acl/filter/pf_filter_impl.h"

#define ACL_BINTH		8	/* entries per leaf */
#define ACL_SPFAC		8	/* space measure factor */
#define ACL_KMAX		10	/* at most 2^10 cuts per node */
#define ACL_KMAX_ROOT		12	/* ... and 2^12 at the root */
#define ACL_MAXDEPTH		32
#define ACL_BUDGET_FACTOR	64	/* references per entry */
#define ACL_BUDGET_MIN		(1u << 20)

struct acl_region {
	uint64_t	 base[ACL_D_MAX];
	uint8_t		 bits[ACL_D_MAX];	/* width is 2^bits */
};

struct acl_tbuild {
	const struct acl_classifier *c;
	struct acl_tree	*t;
	int		 afi;
};

static uint64_t
acl_reg_hi(const struct acl_region *g, int d)
{
	if (g->bits[d] >= 64)
		return (UINT64_MAX);
	return (g->base[d] + ((1ULL << g->bits[d]) - 1));
}

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

static int
acl_box_covers(const struct acl_box *b, const struct acl_region *g)
{
	uint64_t lo, hi;
	int d;

	for (d = 0; d < ACL_D_MAX; d++) {
		acl_box_dim(b, d, &lo, &hi);
		if (lo > g->base[d] || hi < acl_reg_hi(g, d))
			return (0);
	}
	return (1);
}

static int
acl_reg_has(const struct acl_region *g, int d, uint64_t v)
{
	return (v >= g->base[d] && v <= acl_reg_hi(g, d));
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

/* Drop the entries no packet of the region can need (see above). */
static size_t
acl_prune(const struct acl_classifier *c, int afi, uint32_t *l, size_t n,
    const struct acl_region *g)
{
	const struct acl_ent *e;
	size_t i, j, q = n, lo, hi;
	uint32_t from = 0;

	for (i = 0; i < n; i++)
		if (acl_unconditional(c, afi, l[i], g)) {
			q = i;
			if (c->ent[l[i]].r->quick) {
				n = i + 1;
				break;
			}
		}
	if (q == n || q == 0)
		return (n);
	/*
	 * A match rule before q may translate the packet out of the region
	 * (it may sit in another subset's tree): keep what precedes it.
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

/* A leaf: 8-byte nodes keep its size in the mask, unless it is huge. */
static int
acl_new_leaf(struct acl_tbuild *tb, const uint32_t *l, size_t n, size_t depth,
    struct acl_node *out)
{
	struct acl_tree *t = tb->t;
	size_t big = n >= ACL_LEAF_BIG;

	memset(out, 0, sizeof(*out));
	out->dim = ACL_LEAF;
	t->leaves++;
	if (depth > t->max_depth)
		t->max_depth = depth;
	if (n == 0)
		return (0);
	if (n > UINT32_MAX - 1 || acl_grow((void **)&t->ref, &t->capref,
	    t->nref + n + big, sizeof(*t->ref)) != 0)
		return (ENOMEM);
	out->idx = (uint32_t)t->nref;
	if (big) {
		out->mask = ACL_LEAF_BIG;
		t->ref[t->nref++] = (uint32_t)n;
	} else
		out->mask = (uint16_t)n;
	memcpy(&t->ref[t->nref], l, n * sizeof(*l));
	t->nref += n;
	if (n > t->max_leaf)
		t->max_leaf = n;
	return (0);
}

/* the children of an entry's box along d, cut into 2^k parts */
static void
acl_child_span(const struct acl_box *b, const struct acl_region *g, int d,
    int k, uint64_t *clo, uint64_t *chi)
{
	uint64_t lo, hi, rhi = acl_reg_hi(g, d);
	int cb = g->bits[d] - k;

	acl_box_dim(b, d, &lo, &hi);
	if (lo < g->base[d])
		lo = g->base[d];
	if (hi > rhi)
		hi = rhi;
	*clo = (lo - g->base[d]) >> cb;
	*chi = (hi - g->base[d]) >> cb;
}

struct acl_cut {
	int		 d, k;
	size_t		 maxc, sum;
};

/* HiCuts: per dimension the largest k within the space measure */
static int
acl_choose(const struct acl_tbuild *tb, const uint32_t *l, size_t n,
    const struct acl_region *g, int kmax, struct acl_cut *best)
{
	const struct acl_box *box = tb->c->box[tb->afi];
	struct acl_cut cur;
	uint64_t clo, chi;
	size_t i, run, *diff;
	int d, k, km, found = 0;

	memset(&cur, 0, sizeof(cur));
	if ((diff = calloc(((size_t)1 << kmax) + 1, sizeof(*diff))) == NULL)
		return (ENOMEM);
	for (d = 0; d < ACL_D_MAX; d++) {
		km = g->bits[d] < kmax ? g->bits[d] : kmax;
		cur.d = d;
		cur.k = 0;
		for (k = 1; k <= km; k++) {
			memset(diff, 0, (((size_t)1 << k) + 1) * sizeof(*diff));
			cur.sum = 0;
			for (i = 0; i < n; i++) {
				acl_child_span(&box[l[i]], g, d, k, &clo, &chi);
				diff[clo]++;
				diff[chi + 1]--;
				cur.sum += chi - clo + 1;
			}
			if (k > 1 && cur.sum + ((size_t)1 << k) >
			    ACL_SPFAC * n)
				break;
			cur.k = k;
			cur.maxc = 0;
			for (i = 0, run = 0; i < ((size_t)1 << k); i++) {
				run += diff[i];
				if (run > cur.maxc)
					cur.maxc = run;
			}
			if (cur.maxc == 0)
				break;
		}
		if (cur.k == 0)
			continue;
		/* recompute the figures of the k kept */
		memset(diff, 0, (((size_t)1 << cur.k) + 1) * sizeof(*diff));
		cur.sum = 0;
		for (i = 0; i < n; i++) {
			acl_child_span(&box[l[i]], g, d, cur.k, &clo, &chi);
			diff[clo]++;
			diff[chi + 1]--;
			cur.sum += chi - clo + 1;
		}
		cur.maxc = 0;
		for (i = 0, run = 0; i < ((size_t)1 << cur.k); i++) {
			run += diff[i];
			if (run > cur.maxc)
				cur.maxc = run;
		}
		if (!found || cur.maxc < best->maxc ||
		    (cur.maxc == best->maxc && cur.sum < best->sum)) {
			*best = cur;
			found = 1;
		}
	}
	free(diff);
	return (found ? 0 : ESRCH);
}

/*
 * May children a and a + 1 along d share a subtree?  Only if every entry
 * spans both: then they see the same boxes.  Not along the protocol: what
 * acl_prune() may drop depends on whether the region holds TCP or ICMP.
 */
static int
acl_spans_both(const struct acl_tbuild *tb, const uint32_t *l, size_t n,
    const struct acl_region *g, int d, int k, uint64_t a)
{
	uint64_t clo, chi;
	size_t i;

	if (d == ACL_D_PROTO)
		return (0);
	for (i = 0; i < n; i++) {
		acl_child_span(&tb->c->box[tb->afi][l[i]], g, d, k, &clo,
		    &chi);
		if (clo > a || chi < a + 1)
			return (0);
	}
	return (1);
}

/*
 * Build the subtree of region g holding entries l[0..n) (pruned in place)
 * into *out.  The children of an inner node are stored next to each other
 * in t->node, so a level of the lookup is one load.
 */
static int
acl_build(struct acl_tbuild *tb, const struct acl_region *g, uint32_t *l,
    size_t n, size_t depth, size_t budget, struct acl_node *out)
{
	struct acl_tree *t = tb->t;
	struct acl_region cg;
	struct acl_cut cut;
	struct acl_node cnode, prev;
	uint32_t *cl = NULL, *pl = NULL, *tmp = NULL, base;
	uint64_t clo, chi, a, ncut;
	size_t i, cn, pn = 0, *cnt = NULL, *off = NULL;
	int error, cb;

	memset(&cut, 0, sizeof(cut));
	memset(&prev, 0, sizeof(prev));
	n = acl_prune(tb->c, tb->afi, l, n, g);
	if (n <= ACL_BINTH || depth >= ACL_MAXDEPTH)
		return (acl_new_leaf(tb, l, n, depth, out));
	error = acl_choose(tb, l, n, g, depth == 0 ? ACL_KMAX_ROOT : ACL_KMAX,
	    &cut);
	if (error == ESRCH || (error == 0 && cut.maxc >= n))
		return (acl_new_leaf(tb, l, n, depth, out));
	if (error != 0)
		return (error);
	/* the replication limit: leaves from here on */
	if (t->nref + t->nnode + cut.sum + (1ULL << cut.k) > budget) {
		t->budget_hit = 1;
		return (acl_new_leaf(tb, l, n, depth, out));
	}

	ncut = 1ULL << cut.k;
	cb = g->bits[cut.d] - cut.k;
	if ((cnt = calloc(ncut, sizeof(*cnt))) == NULL ||
	    (off = calloc(ncut + 1, sizeof(*off))) == NULL ||
	    (cl = calloc(cut.sum ? cut.sum : 1, sizeof(*cl))) == NULL ||
	    (tmp = calloc(n, sizeof(*tmp))) == NULL) {
		error = ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		acl_child_span(&tb->c->box[tb->afi][l[i]], g, cut.d, cut.k,
		    &clo, &chi);
		for (a = clo; a <= chi; a++)
			cnt[a]++;
	}
	for (a = 0; a < ncut; a++)
		off[a + 1] = off[a] + cnt[a];
	memset(cnt, 0, ncut * sizeof(*cnt));
	for (i = 0; i < n; i++) {
		acl_child_span(&tb->c->box[tb->afi][l[i]], g, cut.d, cut.k,
		    &clo, &chi);
		for (a = clo; a <= chi; a++)
			cl[off[a] + cnt[a]++] = l[i];
	}

	if ((error = acl_grow((void **)&t->node, &t->capnode,
	    t->nnode + ncut, sizeof(*t->node))) != 0)
		goto out;
	base = (uint32_t)t->nnode;
	t->nnode += ncut;
	memset(out, 0, sizeof(*out));
	out->dim = (uint8_t)cut.d;
	out->shift = (uint8_t)cb;
	out->mask = (uint16_t)(ncut - 1);
	out->idx = base;

	for (a = 0; a < ncut; a++) {
		cn = cnt[a];
		if (a > 0 && cn == pn && cn > 0 &&
		    memcmp(pl, &cl[off[a]], cn * sizeof(*cl)) == 0 &&
		    acl_spans_both(tb, pl, cn, g, cut.d, cut.k, a - 1)) {
			cnode = prev;
		} else {
			pl = &cl[off[a]];
			pn = cn;
			cg = *g;
			cg.base[cut.d] = g->base[cut.d] + (a << cb);
			cg.bits[cut.d] = (uint8_t)cb;
			/* prune works in place: keep cl intact for sharing */
			memcpy(tmp, pl, cn * sizeof(*tmp));
			if ((error = acl_build(tb, &cg, tmp, cn, depth + 1,
			    budget, &cnode)) != 0)
				goto out;
			prev = cnode;
		}
		t->node[base + a] = cnode;
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

/*
 * Replace the leaves' entry lists by records, one copy per distinct list:
 * equal leaves (HiCuts makes many) share their records.
 */
static int
acl_tree_pack(const struct acl_classifier *c, int afi, struct acl_tree *t)
{
	size_t rsz = afi == ACL_AF4 ? sizeof(struct acl_rec4) :
	    sizeof(struct acl_rec6);
	struct acl_leafkey *hk = NULL, *k;
	struct acl_node *nd;
	const uint32_t *l;
	uint8_t *rec = NULL;
	size_t i, n, nleaf = 0, hsz, nrec = 0, j;
	uint64_t h;
	void *np;

	for (i = 0; i <= t->nnode; i++) {
		nd = i == t->nnode ? &t->root : &t->node[i];
		if (nd->dim == ACL_LEAF && nd->mask != 0)
			nleaf++;
	}
	if (nleaf == 0)
		goto done;
	for (hsz = 16; hsz < nleaf * 2; hsz <<= 1)
		;
	if ((hk = calloc(hsz, sizeof(*hk))) == NULL ||
	    (rec = calloc(t->nref + nleaf, rsz)) == NULL) {
		free(hk);
		return (ENOMEM);
	}
	for (i = 0; i <= t->nnode; i++) {
		nd = i == t->nnode ? &t->root : &t->node[i];
		if (nd->dim != ACL_LEAF || nd->mask == 0)
			continue;
		if (nd->mask == ACL_LEAF_BIG) {
			n = t->ref[nd->idx];
			l = &t->ref[nd->idx + 1];
		} else {
			n = nd->mask;
			l = &t->ref[nd->idx];
		}
		h = XXH3_64bits(l, n * sizeof(*l));
		for (k = &hk[h & (hsz - 1)]; k->used;
		    k = &hk[(size_t)(k - hk + 1) & (hsz - 1)])
			if (k->h == h && k->n == n && memcmp(&t->ref[k->ref],
			    l, n * sizeof(*l)) == 0)
				break;
		if (!k->used) {
			k->used = 1;
			k->h = h;
			k->n = (uint32_t)n;
			k->ref = (uint32_t)(l - t->ref);
			k->rec = (uint32_t)nrec;
			for (j = 0; j < n; j++)
				acl_rec_make(c, afi, l[j], rec + nrec++ * rsz);
			if (nd->mask == ACL_LEAF_BIG) {
				/* the end mark: a position past every entry */
				memset(rec + nrec * rsz, 0xff, rsz);
				nrec++;
			}
		}
		nd->idx = k->rec;
	}
	if ((np = realloc(rec, nrec * rsz)) != NULL)
		rec = np;
done:
	free(hk);
	free(t->ref);
	t->ref = NULL;
	t->capref = 0;
	t->rec = rec;
	t->nrec = nrec;
	if (t->nnode > 0 && (np = reallocarray(t->node, t->nnode,
	    sizeof(*t->node))) != NULL) {
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
	uint64_t wide = afi == ACL_AF4 ? 1ULL << 16 : 1ULL << 48;
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
	struct acl_region g;
	uint32_t *l;
	size_t i, n, budget;
	int error = 0, d, sub;

	if ((l = calloc(c->nent ? c->nent : 1, sizeof(*l))) == NULL)
		return (ENOMEM);
	memset(&g, 0, sizeof(g));
	for (d = 0; d < ACL_D_MAX; d++)
		g.bits[d] = d == ACL_D_PROTO ? 8 : d >= ACL_D_SPORT ? 16 :
		    afi == ACL_AF4 ? 32 : 64;
	for (sub = 0; sub < ACL_NSUB && error == 0; sub++) {
		memset(&tb, 0, sizeof(tb));
		tb.c = c;
		tb.t = &c->tree[frag][afi][sub];
		tb.afi = afi;
		tb.t->root.dim = ACL_LEAF;
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
		if (n == 0)
			continue;
		budget = n * ACL_BUDGET_FACTOR;
		if (budget < ACL_BUDGET_MIN)
			budget = ACL_BUDGET_MIN;
		error = acl_build(&tb, &g, l, n, 0, budget, &tb.t->root);
		tb.t->built = 1;
		if (error == 0)
			error = acl_tree_pack(c, afi, tb.t);
	}
	free(l);
	return (error);
}

void
acl_tree_free(struct acl_tree *t)
{
	free(t->node);
	free(t->ref);
	free(t->rec);
	memset(t, 0, sizeof(*t));
}
