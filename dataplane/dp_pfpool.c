/*
 * Translation pools: the address a nat-to, rdr-to or binat-to gives a new
 * state, as pf_map_addr() and pfr_pool_get() pick it.
 *
 * A pool is a network (an address with a mask), a table (pfctl makes a
 * list `{ a, b }' one), or an interface's addresses.  The pool type says
 * how a new state gets one:
 *
 *	(none)		the address as written; a table or several
 *			interface addresses: pfctl made it round-robin
 *	bitmask		the pool's network bits, the source's host bits
 *			(rdr-to: the destination's, as pf_get_transaddr())
 *	random		a random host of the network; a table: the first
 *			address of a random entry
 *	source-hash	SipHash-2-4 of the source under the rule's 128-bit
 *			key (pf_hash()): its host bits, or an entry by the
 *			hash modulo the entries
 *	round-robin	one address after another, through the networks
 *			of a table, skipping what a nested entry holds
 *	least-states	from where it last stopped, the address with the
 *			fewest states, once around the pool at most
 *
 * The walk position (pf's counter and tblidx) is kept per rule in the
 * ruleset, so a load starts it again.  sticky-address asks the source
 * node of (source, rule) first: while it lives, its address stays the
 * source's, as long as the pool still holds it.
 *
 * Only new states come here; a state hit never does.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf.h"
#include "dataplane/dp.h"
#include "dataplane/dp_pf.h"
#include "dataplane/router.h"
#include "fwd/ip.h"
#include "fwd/siphash.h"

/* least-states walks once around the pool; a /8 is cut short here */
#define POOL_WALK_MAX	65536

/*
 * pf_hash() for IPv4: SipHash24 keyed by the 16 bytes of the pool's key
 * as pf holds them (key32[] in host order: pfctl's sscanf() of the hex
 * key, or the MD5 of the string in htonl()'d words) over the address's
 * 4 bytes.  Read as a little-endian machine reads them, which is what
 * OpenBSD on amd64 or arm64 does; on those it maps alike.
 */
uint64_t
dp_pf_pool_hash(const uint32_t key[4], const uint8_t a[4])
{
	const uint64_t k[2] = { (uint64_t)key[1] << 32 | key[0],
	    (uint64_t)key[3] << 32 | key[2] };

	return siphash24(k, a, 4);
}

static uint32_t
plen_mask(int plen)
{
	return plen <= 0 ? 0 : plen >= 32 ? 0xffffffffu :
	    ~(0xffffffffu >> plen);
}

static int
ptab_cmp(const void *a, const void *b, void *arg)
{
	const struct pf_ptab *t = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	/* radix order: by address, the longer mask of one first */
	if (t->base[i] != t->base[j])
		return t->base[i] < t->base[j] ? -1 : 1;
	if (t->mask[i] != t->mask[j])
		return t->mask[i] > t->mask[j] ? -1 : 1;
	return 0;
}

static void
ptab_free(struct pf_ptab *t)
{
	free(t->base);
	free(t->mask);
	free(t->neg);
	free(t->pos);
	memset(t, 0, sizeof(*t));
}

/* Table t's IPv4 entries as pfr_kentry_byidx() counts them; -1: ENOMEM. */
static int
ptab_build(struct pf_ptab *t, const struct acl_table *tb)
{
	uint32_t *ord = NULL, *b = NULL, *m = NULL, i, j, n = 0;
	size_t k;

	ptab_free(t);
	for (k = 0; k < tb->ne; k++)
		n += tb->e[k].af == AF_INET;
	t->base = calloc(n + 1, sizeof(*t->base));
	t->mask = calloc(n + 1, sizeof(*t->mask));
	t->neg = calloc(n + 1, 1);
	t->pos = calloc(n + 1, sizeof(*t->pos));
	ord = calloc(n + 1, sizeof(*ord));
	b = calloc(n + 1, sizeof(*b));
	m = calloc(n + 1, sizeof(*m));
	if (t->base == NULL || t->mask == NULL || t->neg == NULL ||
	    t->pos == NULL || ord == NULL || b == NULL || m == NULL)
		goto nomem;
	for (k = 0, i = 0; k < tb->ne; k++) {
		if (tb->e[k].af != AF_INET)
			continue;
		t->mask[i] = plen_mask(tb->e[k].net);
		t->base[i] = ntohl(tb->e[k].addr.w[0]) & t->mask[i];
		t->neg[i] = tb->e[k].neg;
		ord[i] = i;
		i++;
	}
	t->n = n;
	qsort_r(ord, n, sizeof(*ord), ptab_cmp, t);
	memcpy(b, t->base, n * sizeof(*b));
	memcpy(m, t->mask, n * sizeof(*m));
	{
		uint8_t *g = calloc(n + 1, 1);

		if (g == NULL)
			goto nomem;
		memcpy(g, t->neg, n);
		for (i = 0; i < n; i++) {
			t->base[i] = b[ord[i]];
			t->mask[i] = m[ord[i]];
			t->neg[i] = g[ord[i]];
		}
		free(g);
	}
	for (i = 0; i < n; i++) {
		if (!t->neg[i])
			t->pos[t->npos++] = i;
		/* sorted: whatever lies inside entry i comes after it */
		for (j = i + 1; j < n && !t->nested; j++)
			if ((t->base[j] & t->mask[i]) == t->base[i])
				t->nested = 1;
	}
	t->built = 1;
	free(ord);
	free(b);
	free(m);
	return 0;
nomem:
	free(ord);
	free(b);
	free(m);
	ptab_free(t);
	return -1;
}

/* The entry rn_match() finds for host-order a: the longest; -1: none. */
static int64_t
ptab_longest(const struct pf_ptab *t, uint32_t a)
{
	int64_t best = -1;
	uint32_t i;

	for (i = 0; i < t->n; i++)
		if ((a & t->mask[i]) == t->base[i] &&
		    (best < 0 || t->mask[i] > t->mask[best]))
			best = i;
	return best;
}

/* Does the pool table hold a (a positive entry is its longest match)? */
static int
ptab_holds(const struct pf_ptab *t, uint32_t a)
{
	int64_t i = ptab_longest(t, a);

	return i >= 0 && !t->neg[i];
}

/*
 * pfr_pool_get(): from entry rt->tblidx and address rt->counter (0: the
 * entry's first), the next address the table holds, in rt->counter, its
 * entry in rt->tblidx.  Addresses a nested entry holds are that entry's
 * turn, not this one's.  -1: the table has none.
 */
static int
ptab_get(const struct pf_ptab *t, struct pf_pool_rt *rt)
{
	uint32_t idx, start, addr, b, m;
	int64_t j;
	int loop = 0, use_counter = 0;

	if (rt->tblidx < 0 || (uint32_t)rt->tblidx >= t->npos)
		idx = 0;
	else {
		idx = (uint32_t)rt->tblidx;
		use_counter = 1;
	}
	start = idx;
	for (;;) {
		if (loop && start == idx)
			return -1;
		if (idx >= t->npos) {
			if (loop || t->npos == 0)
				return -1;
			idx = 0;
			loop++;
		}
		b = t->base[t->pos[idx]];
		m = t->mask[t->pos[idx]];
		if (use_counter && rt->counter != 0) {
			if ((rt->counter & m) != b) {
				idx++;
				use_counter = 0;
				continue;
			}
			addr = rt->counter;
		} else
			addr = b;
		for (;;) {
			if (m == 0xffffffffu || !t->nested ||
			    (j = ptab_longest(t, addr)) == t->pos[idx]) {
				rt->counter = addr;
				rt->tblidx = (int32_t)idx;
				return 0;
			}
			/* past the nested block */
			addr = (addr | ~t->mask[j]) + 1;
			if (addr == 0 || (addr & m) != b)
				break;
		}
		idx++;
		use_counter = 0;
	}
}

/* The rule's pool; and where a rule of rs lives: its stats index. */
int
dp_pf_pool_rule(const struct dp_pf_ruleset *rs, const struct acl_rule *r,
    uint32_t *idx, const char **path)
{
	size_t k;

	for (k = 0; k < rs->conf->nall; k++) {
		const struct acl_ruleset *set = &rs->conf->all[k]->rs;

		if (set->nrules != 0 && r >= set->rules &&
		    r < set->rules + set->nrules) {
			*idx = rs->anchor_base[k] + (uint32_t)(r - set->rules);
			*path = rs->conf->all[k]->path;
			return 0;
		}
	}
	return -1;
}

int
dp_pf_pool_alloc(struct dp_pf_ruleset *rs)
{
	rs->pools = calloc(PF_POOL_SIDES * ((size_t)rs->nstats + 1),
	    sizeof(*rs->pools));
	rs->ptabs = calloc(rs->conf->ntables + 1, sizeof(*rs->ptabs));
	rs->nptabs = rs->conf->ntables;	/* conf may go first */
	return rs->pools == NULL || rs->ptabs == NULL ? -1 : 0;
}

void
dp_pf_pool_free(struct dp_pf_ruleset *rs)
{
	size_t i;

	if (rs->ptabs != NULL)
		for (i = 0; i < rs->nptabs; i++)
			ptab_free(&rs->ptabs[i]);
	free(rs->ptabs);
	free(rs->pools);
	rs->ptabs = NULL;
	rs->pools = NULL;
}

/* The table a pool of a rule in anchor path names: its own, else main's. */
static struct pf_ptab *
pool_table(struct dp_pf_ruleset *rs, const char *path, const char *name)
{
	const struct acl_conf *conf = rs->conf;
	size_t i, found = conf->ntables;

	for (i = 0; i < conf->ntables; i++)
		if (strcmp(conf->tables[i].name, name) == 0) {
			if (strcmp(conf->tables[i].anchor, path) == 0) {
				found = i;
				break;
			}
			if (conf->tables[i].anchor[0] == '\0')
				found = i;
		}
	if (found == conf->ntables)
		return NULL;
	if (!rs->ptabs[found].built &&
	    ptab_build(&rs->ptabs[found], &conf->tables[found]) != 0)
		return NULL;
	return &rs->ptabs[found];
}

/* The length of a prefix mask (IPv4 in w[0]), as pfctl's unmask(). */
int
dp_pf_masklen(const union acl_ip *m)
{
	int n = 0, i;

	for (i = 0; i < 16 && m->b[i] == 0xff; i++)
		n += 8;
	if (i < 16)
		n += __builtin_clz(~(uint32_t)m->b[i] << 24 | 0x00ffffffu);
	return n;
}

/* least-states: open addressing on (pool, address); never shrinks. */
static uint32_t
ls_hash(uint64_t pool, const union acl_ip *a, uint32_t cap)
{
	uint64_t h = (pool ^ (uint64_t)(a->w[0] ^ a->w[1] ^ a->w[2] ^
	    a->w[3]) << 17) * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32) & (cap - 1);
}

static uint32_t
ls_slot(const struct dp_pf *pf, uint64_t pool, const union acl_ip *addr)
{
	uint32_t i = ls_hash(pool, addr, pf->ls_cap);

	while (pf->ls[i].pool != 0 && (pf->ls[i].pool != pool ||
	    memcmp(&pf->ls[i].addr, addr, sizeof(*addr)) != 0))
		i = (i + 1) & (pf->ls_cap - 1);
	return i;
}

static uint32_t
ls_get(const struct dp_pf *pf, uint64_t pool, const union acl_ip *addr)
{
	uint32_t i;

	if (pf->ls_cap == 0)
		return 0;
	i = ls_slot(pf, pool, addr);
	return pf->ls[i].pool != 0 ? pf->ls[i].states : 0;
}

/* ls_get() of an IPv4 address (host order). */
static uint32_t
ls_get4(const struct dp_pf *pf, uint64_t pool, uint32_t a)
{
	union acl_ip u;

	memset(&u, 0, sizeof(u));
	u.w[0] = htonl(a);
	return ls_get(pf, pool, &u);
}

/*
 * A state of pool (rule id, side) given addr (network order) came (delta
 * 1) or went (-1): pfr_states_increase(), pfr_states_decrease().
 */
void
dp_pf_ls_add(struct dp_pf *pf, uint32_t rule, int side,
    const union acl_ip *addr, int delta)
{
	uint64_t pool = (uint64_t)rule << 2 | (uint64_t)side | 1ULL << 40;
	struct pf_ls *old;
	uint32_t i, cap;

	if (delta < 0 && pf->ls_cap == 0)
		return;
	if (delta > 0 && 2 * (pf->ls_used + 1) > pf->ls_cap) {
		cap = pf->ls_cap ? 2 * pf->ls_cap : 64;
		if ((old = calloc(cap, sizeof(*old))) == NULL)
			return;		/* uncounted: least-states errs */
		for (i = 0; i < pf->ls_cap; i++)
			if (pf->ls[i].pool != 0) {
				uint32_t k = ls_hash(pf->ls[i].pool,
				    &pf->ls[i].addr, cap);

				while (old[k].pool != 0)
					k = (k + 1) & (cap - 1);
				old[k] = pf->ls[i];
			}
		free(pf->ls);
		pf->ls = old;
		pf->ls_cap = cap;
	}
	i = ls_slot(pf, pool, addr);
	if (pf->ls[i].pool == 0) {
		if (delta < 0)
			return;
		pf->ls[i].pool = pool;
		pf->ls[i].addr = *addr;
		pf->ls_used++;
	}
	if (delta > 0)
		pf->ls[i].states++;
	else if (pf->ls[i].states > 0)
		pf->ls[i].states--;
}

/* A load: the old rules' counts mean nothing to the new ones. */
void
dp_pf_ls_clear(struct dp_pf *pf)
{
	free(pf->ls);
	pf->ls = NULL;
	pf->ls_cap = pf->ls_used = 0;
}

/* What the pool is, for traces: "<web>", "198.51.100.0/30", "(em0)". */
static void
pool_name(const struct acl_pool *pool, char *buf, size_t len)
{
	const struct acl_addr *a = &pool->addr;
	char s[INET6_ADDRSTRLEN];
	int plen = 0, v6 = 0, i, max;

	switch (a->type) {
	case ACL_ADDR_TABLE:
		snprintf(buf, len, "<%s>", a->tblname);
		break;
	case ACL_ADDR_DYNIFTL:
		snprintf(buf, len, "(%s)", a->ifname);
		break;
	default:
		for (i = 4; i < 16; i++)
			v6 |= a->a.addr.b[i] | a->a.mask.b[i];
		max = v6 ? 128 : 32;
		while (plen < max &&
		    (a->a.mask.b[plen / 8] & (0x80 >> plen % 8)))
			plen++;
		inet_ntop(v6 ? AF_INET6 : AF_INET, &a->a.addr, s, sizeof(s));
		if (plen == max)
			snprintf(buf, len, "%s", s);
		else
			snprintf(buf, len, "%s/%d", s, plen);
	}
}

/* Is host-order a still one of the pool's (pf_map_addr_sticky())? */
static int
pool_holds(const struct pf_ptab *t, uint32_t base, uint32_t mask, uint32_t a)
{
	if (t != NULL)
		return ptab_holds(t, a);
	return (a & mask) == (base & mask);
}

/*
 * The address rule r's pool SIDE (PF_POOL_NAT, PF_POOL_RDR) gives a new
 * state from src to dst (network order bytes), network order; 0 when it
 * has none, *why saying which failure.  after: 0, or the address the
 * last try gave, which had no port free (pf_get_sport() asking again: a
 * random pick on a network then takes the next address, as pf's
 * pf_addr_inc() of its counter does; the other types move on as they
 * would anyway).  how, when not NULL, gets the decision in words for
 * traces and explain.  With pf->pool_dry nothing moves: the position,
 * the counts and the nodes stay as they are.
 */
uint32_t
dp_pf_pool_map(struct dp *dp, const struct acl_rule *r, int side,
    const uint8_t *src, const uint8_t *dst, uint32_t after, int *why,
    char *how, size_t hlen)
{
	struct dp_pf *pf = &dp->pf;
	struct dp_pf_ruleset *rs = pf->rs;
	const struct acl_pool *pool = side == PF_POOL_NAT ? &r->nat :
	    side == PF_POOL_RDR ? &r->rdr : &r->route;
	const struct acl_addr *a = &pool->addr;
	uint8_t type = pool->opts & ACL_POOL_TYPEMASK;
	struct pf_ptab ift, *t = NULL;
	uint32_t ifbase[ROUTER_MAX_ADDRS], ifmask[ROUTER_MAX_ADDRS];
	uint32_t ifpos[ROUTER_MAX_ADDRS];
	uint8_t ifneg[ROUTER_MAX_ADDRS];
	struct pf_pool_rt rt0 = { 0, -1 }, *rtp = &rt0, rt;
	struct pf_src_node *sn;
	struct port *pp;
	const char *path = "";
	char name[ACL_TABLE_NAME_SIZE + 8], s[INET_ADDRSTRLEN];
	uint32_t idx, base = 0, mask = 0, out = 0, sh, dh, id = 0, w;
	uint64_t h, pid = 0;
	int i, have_id;

	*why = PF_POOL_OK;
	if (how != NULL) {
		pool_name(pool, name, sizeof(name));
		how[0] = '\0';
	}
	memcpy(&w, src, 4);
	sh = ntohl(w);
	memcpy(&w, dst, 4);
	dh = ntohl(w);
	have_id = rs != NULL && dp_pf_pool_rule(rs, r, &idx, &path) == 0;
	if (have_id) {
		rtp = &rs->pools[PF_POOL_SIDES * idx + (uint32_t)side];
		id = dp_pf_rule_key(idx);
		pid = (uint64_t)id << 2 | (uint64_t)side | 1ULL << 40;
	}
	rt = *rtp;

	switch (a->type) {
	case ACL_ADDR_ADDRMASK:
		base = ntohl(a->a.addr.w[0]);
		mask = ntohl(a->a.mask.w[0]);
		break;
	case ACL_ADDR_DYNIFTL:
		pp = dp_port(dp, a->ifname);
		if (pp == NULL || pp->rif == NULL || pp->rif->naddrs == 0) {
			*why = PF_POOL_EMPTY;
			if (how != NULL)
				snprintf(how, hlen, "%s has no IPv4 address",
				    name);
			return 0;
		}
		/* pfid_addr4 for the types that take one address */
		base = pp->rif->addrs[0].addr;
		mask = (a->iflags & ACL_IFA_NETWORK) ?
		    plen_mask(pp->rif->addrs[0].plen) : 0xffffffffu;
		if (type == ACL_POOL_NONE || type == ACL_POOL_BITMASK) {
			if (a->iflags & ACL_IFA_NETWORK)
				base &= mask;
			break;
		}
		/* the others walk pfid_kt: every address, as a table */
		memset(&ift, 0, sizeof(ift));
		ift.base = ifbase;
		ift.mask = ifmask;
		ift.neg = ifneg;
		ift.pos = ifpos;
		for (i = 0; i < pp->rif->naddrs; i++) {
			uint32_t b, m;
			int j;

			m = (a->iflags & ACL_IFA_NETWORK) ?
			    plen_mask(pp->rif->addrs[i].plen) : 0xffffffffu;
			b = pp->rif->addrs[i].addr & m;
			/* in address order, as the radix tree walks them */
			for (j = i; j > 0 && ifbase[j - 1] > b; j--) {
				ifbase[j] = ifbase[j - 1];
				ifmask[j] = ifmask[j - 1];
			}
			ifbase[j] = b;
			ifmask[j] = m;
		}
		ift.n = ift.npos = (uint32_t)pp->rif->naddrs;
		memset(ifneg, 0, sizeof(ifneg));
		for (i = 0; i < pp->rif->naddrs; i++)
			ifpos[i] = (uint32_t)i;
		t = &ift;
		break;
	case ACL_ADDR_TABLE:
		if (rs == NULL ||
		    (t = pool_table(rs, path, a->tblname)) == NULL ||
		    t->npos == 0) {
			*why = PF_POOL_EMPTY;
			if (how != NULL)
				snprintf(how, hlen, "%s has no IPv4 address",
				    name);
			return 0;
		}
		break;
	default:
		*why = PF_POOL_FAIL;
		if (how != NULL)
			snprintf(how, hlen, "an address of this kind cannot "
			    "be mapped");
		return 0;
	}

	/* sticky-address: the source node of (source, rule) says */
	if ((pool->opts & ACL_POOL_STICKYADDR) && type != ACL_POOL_NONE &&
	    have_id) {
		union acl_ip sa;

		memset(&sa, 0, sizeof(sa));
		memcpy(&sa, src, 4);
		if ((sn = dp_pf_src_find(pf, AF_INET, &sa, id)) != NULL &&
		    sn->raddr[side].w[0] != 0) {
			if (pool_holds(t, base, mask,
			    ntohl(sn->raddr[side].w[0]))) {
				pf->pool_memo[side].sticky = 1;
				if (how != NULL)
					snprintf(how, hlen, "sticky-address: "
					    "source node says %s", inet_ntop(
					    AF_INET, &sn->raddr[side], s,
					    sizeof(s)));
				return sn->raddr[side].w[0];
			}
			/* stale: pf drops the node; here it forgets */
			if (!pf->pool_dry)
				sn->raddr[side].w[0] = 0;
		}
	}

	switch (type) {
	case ACL_POOL_NONE:
		if (t != NULL) {
			*why = PF_POOL_FAIL;
			if (how != NULL)
				snprintf(how, hlen, "%s: no pool type",
				    name);
			return 0;
		}
		/* pf_map_addr(): raddr, not masked */
		out = htonl(base);
		if (how != NULL && mask != 0xffffffffu)
			snprintf(how, hlen, "%s: no pool type: the address "
			    "as written", name);
		break;
	case ACL_POOL_BITMASK:
		if (side == PF_POOL_RDR)
			sh = dh;	/* pf_get_transaddr() */
		out = htonl((base & mask) | (sh & ~mask));
		if (how != NULL)
			snprintf(how, hlen, "%s: bitmask (the %s's host bits)",
			    name, side == PF_POOL_RDR ? "destination" :
			    "source");
		break;
	case ACL_POOL_RANDOM:
		if (t == NULL && after != 0) {
			out = htonl((base & mask) | ((ntohl(after) + 1) &
			    ~mask));
			if (how != NULL)
				snprintf(how, hlen, "%s: random, the next "
				    "address", name);
			break;
		}
		if (t == NULL) {
			out = htonl((base & mask) |
			    (~mask == 0xffffffffu ? arc4random() :
			    arc4random_uniform(~mask + 1)));
			if (how != NULL)
				snprintf(how, hlen, "%s: random", name);
			break;
		}
		rt.tblidx = (int32_t)arc4random_uniform(t->npos);
		rt.counter = 0;
		if (ptab_get(t, &rt) != 0)
			goto none;
		out = htonl(rt.counter);
		if (how != NULL)
			snprintf(how, hlen, "%s: random (entry %d of %u)", name,
			    rt.tblidx + 1, t->npos);
		break;
	case ACL_POOL_SRCHASH:
		h = dp_pf_pool_hash(pool->key, src);
		if (t == NULL) {
			/* pf_poolmask() on the words as they lie in memory */
			uint32_t hw = (uint32_t)h, bw = htonl(base),
			    mw = htonl(mask);

			out = (bw & mw) | (hw & ~mw);
			if (how != NULL)
				snprintf(how, hlen, "%s: source-hash", name);
			break;
		}
		rt.tblidx = (int32_t)(h % t->npos);
		rt.counter = 0;
		if (ptab_get(t, &rt) != 0)
			goto none;
		out = htonl(rt.counter);
		if (how != NULL)
			snprintf(how, hlen, "%s: source-hash (entry %d of %u)",
			    name, rt.tblidx + 1, t->npos);
		break;
	case ACL_POOL_ROUNDROBIN:
		if (t != NULL) {
			if (ptab_get(t, &rt) != 0) {
				/* its address left the table: from the top */
				rt.counter = 0;
				if (ptab_get(t, &rt) != 0)
					goto none;
			}
			out = htonl(rt.counter);
			if (how != NULL)
				snprintf(how, hlen, "%s: round-robin (entry "
				    "%d of %u)", name, rt.tblidx + 1, t->npos);
			rt.counter++;
			break;
		}
		if (rt.counter == 0 && mask == 0xffffffffu) {
			out = htonl(base);	/* one host: as none */
			break;
		}
		out = htonl((base & mask) | (rt.counter & ~mask));
		if (how != NULL)
			snprintf(how, hlen, "%s: round-robin (address %llu "
			    "of %llu)", name, (unsigned long long)(rt.counter &
			    ~mask) + 1, (unsigned long long)~mask + 1);
		rt.counter = (rt.counter + 1) & ~mask;
		break;
	case ACL_POOL_LEASTSTATES: {
		uint32_t cur, best, first, n, load, c;

		/* from where the last one stopped, once around */
		if (t != NULL) {
			if (ptab_get(t, &rt) != 0) {
				rt.counter = 0;
				if (ptab_get(t, &rt) != 0)
					goto none;
			}
			cur = rt.counter;
		} else
			cur = (base & mask) | (rt.counter & ~mask);
		first = best = cur;
		load = ls_get4(pf, pid, cur);
		for (n = 1; load > 0 && n < POOL_WALK_MAX; n++) {
			if (t != NULL) {
				rt.counter++;
				if (ptab_get(t, &rt) != 0) {
					rt.counter = 0;
					if (ptab_get(t, &rt) != 0)
						goto none;
				}
				cur = rt.counter;
			} else {
				rt.counter = (rt.counter + 1) & ~mask;
				cur = (base & mask) | rt.counter;
			}
			if (cur == first)
				break;
			if ((c = ls_get4(pf, pid, cur)) < load) {
				load = c;
				best = cur;
			}
		}
		/* pf steps past an idle one, so that ties take turns */
		if (n == 1) {
			if (t != NULL)
				rt.counter++;
			else
				rt.counter = (rt.counter + 1) & ~mask;
		}
		out = htonl(best);
		if (how != NULL)
			snprintf(how, hlen, "%s: least-states (%u state%s)",
			    name, load, load == 1 ? "" : "s");
		break;
	}
	}
	if (!pf->pool_dry)
		*rtp = rt;
	if (how != NULL && how[0] == '\0')
		snprintf(how, hlen, "%s", name);
	return out;
none:
	*why = PF_POOL_EMPTY;
	if (how != NULL)
		snprintf(how, hlen, "%s has no IPv4 address", name);
	return 0;
}

/* The table a pool names, as pool_table() finds it, unbuilt. */
static const struct acl_table *
pool_acl_table(const struct dp_pf_ruleset *rs, const char *path,
    const char *name)
{
	const struct acl_conf *conf = rs->conf;
	const struct acl_table *found = NULL;
	size_t i;

	for (i = 0; i < conf->ntables; i++)
		if (strcmp(conf->tables[i].name, name) == 0) {
			if (strcmp(conf->tables[i].anchor, path) == 0)
				return &conf->tables[i];
			if (conf->tables[i].anchor[0] == '\0')
				found = &conf->tables[i];
		}
	return found;
}

/* source-hash for IPv6: SipHash of the 16 bytes under the pool's key,
 * read as dp_pf_pool_hash() reads it. */
static uint64_t
pool_hash6(const struct acl_pool *pool, const uint8_t *src)
{
	const uint64_t k[2] = { (uint64_t)pool->key[1] << 32 | pool->key[0],
	    (uint64_t)pool->key[3] << 32 | pool->key[2] };

	return siphash24(k, src, 16);
}

/* out = the prefix of base (plen bits), the rest from host. */
static void
in6_merge(uint8_t out[16], const uint8_t base[16], int plen,
    const uint8_t host[16])
{
	int i, b;

	for (i = 0; i < 16; i++) {
		b = plen - 8 * i;
		if (b >= 8)
			out[i] = base[i];
		else if (b <= 0)
			out[i] = host[i];
		else
			out[i] = (uint8_t)((base[i] & (0xff00 >> b)) |
			    (host[i] & (0xff >> b)));
	}
}

/*
 * A table's IPv6 entries as a pool has them: hosts and networks, the
 * negated ones left out.  Entry number K (the others skipped), NULL past
 * the last.
 */
static const struct acl_table_entry *
pool6_nth(const struct acl_table *t, uint32_t k)
{
	uint32_t i;

	for (i = 0; i < t->ne; i++)
		if (t->e[i].af == AF_INET6 && !t->e[i].neg && k-- == 0)
			return &t->e[i];
	return NULL;
}

/* The low host bits a walk over network entry e counts (32 at most). */
static uint32_t
pool6_span(const struct acl_table_entry *e)
{
	return e->net >= 128 ? 0 : e->net > 96 ? 0xffffffffu >>
	    (e->net - 96) : 0xffffffffu;
}

/* The address of entry e with host counter c (a host: itself). */
static void
pool6_addr(const struct acl_table_entry *e, uint32_t c, uint8_t *out)
{
	uint8_t host[16];

	memset(host, 0, sizeof(host));
	ip_put32(host + 12, c & pool6_span(e));
	in6_merge(out, e->addr.b, e->net, host);
}

/*
 * A walk's next position over a table's N IPv6 entries (pfr_pool_get()'s
 * order): a network's addresses one by one, then the next entry.
 */
static void
pool6_step(const struct acl_table *t, uint32_t n, struct pf_pool_rt *rt)
{
	const struct acl_table_entry *e = pool6_nth(t, (uint32_t)rt->tblidx);

	if (e != NULL && rt->counter < pool6_span(e)) {
		rt->counter++;
		return;
	}
	rt->tblidx = (int32_t)(((uint32_t)rt->tblidx + 1) % n);
	rt->counter = 0;
}

/*
 * least-states over a table's N IPv6 entries: from position *rt on, the
 * first address of the fewest states of pool PID (POOL_WALK_MAX
 * addresses at most, or once around); *rt is left there, *load its
 * count.
 */
static void
pool6_least(const struct dp_pf *pf, uint64_t pid, const struct acl_table *t,
    uint32_t n, struct pf_pool_rt *rt, uint32_t *load)
{
	struct pf_pool_rt at = *rt, best = *rt;
	union acl_ip a;
	uint32_t i, c;

	for (i = 0; i < POOL_WALK_MAX; i++) {
		memset(&a, 0, sizeof(a));
		pool6_addr(pool6_nth(t, (uint32_t)at.tblidx), at.counter, a.b);
		c = ls_get(pf, pid, &a);
		if (i == 0 || c < *load) {
			*load = c;
			best = at;
		}
		pool6_step(t, n, &at);
		if (*load == 0 || (at.tblidx == rt->tblidx &&
		    at.counter == rt->counter))
			break;
	}
	*rt = best;
}

/* Is IPv6 address a still one of the pool's (pf_map_addr_sticky())? */
static int
pool6_holds(const struct acl_table *t, const uint8_t *base, int plen,
    const uint8_t *a)
{
	uint32_t i;
	int k;

	if (t != NULL) {
		for (i = 0; i < t->ne; i++)
			if (t->e[i].af == AF_INET6 && !t->e[i].neg &&
			    pool6_holds(NULL, t->e[i].addr.b, t->e[i].net, a))
				return 1;
		return 0;
	}
	for (k = 0; k < plen; k++)
		if ((a[k / 8] ^ base[k / 8]) & (0x80 >> k % 8))
			return 0;
	return 1;
}

/*
 * pf_map_addr() for IPv6 (NAT66 and route-to): into out, the address
 * pool `side' of rule r gives the packet src -> dst.  A network pool
 * (2001:db8:1::/64) maps as an IPv4 one does: as written without a type,
 * bitmask (the prefix, the source's host bits; the destination's for
 * rdr-to), random, source-hash (SipHash of the source under the pool's
 * key) or round-robin over the low 32 host bits; (if) gives its first
 * global address, or with :network that address's network, mapped the
 * same way; a list or table its IPv6 entries, hosts and networks, one
 * address after the other (round-robin, least-states: the fewest states
 * from there), at random or by the source's hash.  sticky-address keeps a source on the address
 * its node holds, as for IPv4.
 * Returns 0, or -1 with *why PF_POOL_EMPTY (nothing of IPv6 there) or
 * PF_POOL_FAIL.
 */
int
dp_pf_pool_map6(struct dp *dp, const struct acl_rule *r, int side,
    const uint8_t *src, const uint8_t *dst, uint8_t *out, int *why,
    char *how, size_t hlen)
{
	struct dp_pf *pf = &dp->pf;
	struct dp_pf_ruleset *rs = pf->rs;
	const struct acl_pool *pool = side == PF_POOL_NAT ? &r->nat :
	    side == PF_POOL_RDR ? &r->rdr : &r->route;
	const struct acl_addr *a = &pool->addr;
	uint8_t type = pool->opts & ACL_POOL_TYPEMASK, base[16], host[16];
	struct pf_pool_rt rt0 = { 0, -1 }, *rtp = &rt0;
	const struct acl_table *t = NULL;
	const char *path = "";
	char name[ACL_TABLE_NAME_SIZE + 8];
	uint32_t idx, n = 0, pick = 0, i, k, load = 0;
	uint64_t h, pid = 0;
	int plen = 128;
	struct port *pp;

	*why = PF_POOL_OK;
	if (how != NULL) {
		pool_name(pool, name, sizeof(name));
		how[0] = '\0';
	}
	if (rs != NULL && dp_pf_pool_rule(rs, r, &idx, &path) == 0) {
		rtp = &rs->pools[PF_POOL_SIDES * idx + (uint32_t)side];
		pid = (uint64_t)dp_pf_rule_key(idx) << 2 | (uint64_t)side |
		    1ULL << 40;
	}
	switch (a->type) {
	case ACL_ADDR_ADDRMASK:
		memcpy(base, a->a.addr.b, 16);
		plen = dp_pf_masklen(&a->a.mask);
		break;
	case ACL_ADDR_DYNIFTL:
		pp = dp_port(dp, a->ifname);
		for (i = 0; pp != NULL && pp->rif != NULL &&
		    i < (uint32_t)pp->rif->naddrs6; i++)
			if (!in6_is_linklocal(pp->rif->addrs6[i].addr) &&
			    pp->rif->addrs6[i].dad != DAD_DUPLICATED)
				break;
		if (pp == NULL || pp->rif == NULL ||
		    i == (uint32_t)pp->rif->naddrs6) {
			*why = PF_POOL_EMPTY;
			if (how != NULL)
				snprintf(how, hlen, "%s has no global IPv6 "
				    "address", name);
			return -1;
		}
		memcpy(base, pp->rif->addrs6[i].addr, 16);
		if (a->iflags & ACL_IFA_NETWORK)
			plen = pp->rif->addrs6[i].plen;
		break;
	case ACL_ADDR_TABLE:
		if (rs != NULL)
			t = pool_acl_table(rs, path, a->tblname);
		for (i = 0; t != NULL && i < t->ne; i++)
			n += t->e[i].af == AF_INET6 && !t->e[i].neg;
		if (n == 0) {
			*why = PF_POOL_EMPTY;
			if (how != NULL)
				snprintf(how, hlen, "%s has no IPv6 address",
				    name);
			return -1;
		}
		break;
	default:
		*why = PF_POOL_FAIL;
		if (how != NULL)
			snprintf(how, hlen, "an address of this kind cannot "
			    "be mapped");
		return -1;
	}
	/* sticky-address: the source node of (source, rule) says, while
	 * the pool still holds what it says (pf_map_addr_sticky()) */
	if ((pool->opts & ACL_POOL_STICKYADDR) && type != ACL_POOL_NONE &&
	    rs != NULL && dp_pf_pool_rule(rs, r, &idx, &path) == 0) {
		union acl_ip sa;
		struct pf_src_node *sn;
		char s6[INET6_ADDRSTRLEN];

		memcpy(&sa, src, 16);
		if ((sn = dp_pf_src_find(pf, AF_INET6, &sa,
		    dp_pf_rule_key(idx))) != NULL &&
		    !in6_is_unspecified(sn->raddr[side].b)) {
			if (pool6_holds(t, base, plen, sn->raddr[side].b)) {
				pf->pool_memo[side].sticky = 1;
				memcpy(out, sn->raddr[side].b, 16);
				if (how != NULL)
					snprintf(how, hlen, "sticky-address: "
					    "source node says %s", inet_ntop(
					    AF_INET6, out, s6, sizeof(s6)));
				return 0;
			}
			if (!pf->pool_dry)
				memset(&sn->raddr[side], 0, 16);
		}
	}
	if (t != NULL) {
		/*
		 * pfr_pool_get() over the table's IPv6 entries: random and
		 * source-hash take an entry, and in a network an address
		 * the same way; round-robin and least-states walk the
		 * entries, a network's addresses one by one (its low 32 host
		 * bits), from where the last pick stopped.
		 */
		struct pf_pool_rt at = *rtp;
		const struct acl_table_entry *e;

		if (at.tblidx < 0 || (uint32_t)at.tblidx >= n) {
			at.tblidx = 0;
			at.counter = 0;
		}
		switch (type) {
		case ACL_POOL_RANDOM:
			at.tblidx = (int32_t)arc4random_uniform(n);
			at.counter = arc4random();
			break;
		case ACL_POOL_SRCHASH:
			h = pool_hash6(pool, src);
			at.tblidx = (int32_t)(h % n);
			at.counter = (uint32_t)(h >> 32);
			break;
		case ACL_POOL_NONE:
			at.tblidx = 0;
			at.counter = 0;
			break;
		case ACL_POOL_LEASTSTATES:
			pool6_least(pf, pid, t, n, &at, &load);
			break;
		}
		e = pool6_nth(t, (uint32_t)at.tblidx);
		pool6_addr(e, at.counter, out);
		pick = (uint32_t)at.tblidx;
		if ((type == ACL_POOL_ROUNDROBIN ||
		    type == ACL_POOL_LEASTSTATES) && !pf->pool_dry) {
			/* on from the one taken; past an idle one, so that
			 * ties take turns (pf_map_addr()) */
			pool6_step(t, n, &at);
			*rtp = at;
		}
		if (how != NULL && type == ACL_POOL_LEASTSTATES)
			snprintf(how, hlen, "%s: least-states (%u state%s)",
			    name, load, load == 1 ? "" : "s");
		else if (how != NULL)
			snprintf(how, hlen, "%s: entry %u of %u%s", name,
			    pick + 1, n, e->net < 128 ? ", a network" : "");
		return 0;
	}
	if (plen == 128 || type == ACL_POOL_NONE) {
		memcpy(out, base, 16);
		if (how != NULL && plen < 128)
			snprintf(how, hlen, "%s: no pool type: the address as "
			    "written", name);
		return 0;
	}
	switch (type) {
	case ACL_POOL_BITMASK:
		memcpy(host, side == PF_POOL_RDR ? dst : src, 16);
		break;
	case ACL_POOL_RANDOM:
		for (i = 0; i < 16; i += 4)
			ip_put32(host + i, arc4random());
		break;
	case ACL_POOL_SRCHASH:
		h = pool_hash6(pool, src);
		ip_put32(host, (uint32_t)(h >> 32));
		ip_put32(host + 4, (uint32_t)h);
		memcpy(host + 8, host, 8);
		break;
	default:		/* round-robin, least-states */
		/* the counter walks the low 32 host bits, from the address
		 * as written (its host bits 0); least-states looks on to
		 * the one of the fewest states (POOL_WALK_MAX at most) */
		k = plen > 96 ? 0xffffffffu >> (plen - 96) : 0xffffffffu;
		pick = rtp->counter & k;
		if (type == ACL_POOL_LEASTSTATES) {
			union acl_ip c;
			uint32_t best = pick, cl;

			memset(host, 0, 16);
			for (i = 0; i < POOL_WALK_MAX && i <= k; i++) {
				ip_put32(host + 12, (pick + i) & k);
				in6_merge(c.b, base, plen, host);
				cl = ls_get(pf, pid, &c);
				if (i == 0 || cl < load) {
					load = cl;
					best = (pick + i) & k;
				}
				if (load == 0)
					break;
			}
			pick = best;
		}
		memset(host, 0, 16);
		ip_put32(host + 12, pick);
		if (!pf->pool_dry)
			rtp->counter = (pick + 1) & k;
		break;
	}
	in6_merge(out, base, plen, host);
	if (how != NULL && type == ACL_POOL_LEASTSTATES)
		snprintf(how, hlen, "%s: least-states (%u state%s)", name, load,
		    load == 1 ? "" : "s");
	else if (how != NULL)
		snprintf(how, hlen, "%s: %s", name, type == ACL_POOL_BITMASK ?
		    "bitmask" : type == ACL_POOL_RANDOM ? "random" :
		    type == ACL_POOL_SRCHASH ? "source-hash" : "round-robin");
	return 0;
}
