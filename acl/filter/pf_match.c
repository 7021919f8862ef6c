/*
 * pf_match.c: one flat entry against one packet, with pf's semantics, and
 * the two walks built on it: the linear reference over every entry, and
 * the tree walk over the leaves of a packet (pf_tree.c builds the trees).
 *
 * The checks follow pf_match_rule() of OpenBSD 7.x in meaning: ports,
 * flags, uid/gid only for TCP/UDP, icmp type/code only for ICMP/ICMPv6, a
 * non-first fragment never matches a rule that asks for any of those,
 * "tagged" sees tags set earlier in the same evaluation, a state-keeping
 * rule does not match an ICMP reply (pf creates no state on replies).
 * What sluice cannot know is decided here, once, so that both evaluators
 * see the same thing:
 *  - no-route, urpf-failed and route labels match nothing: every address
 *    is taken as routable and no route carries a label (their negation
 *    matches everything);
 *  - uid/gid are "unknown" (a bridge has no local sockets): "user unknown"
 *    matches, other user/group tests do not;
 *  - os: the caller fingerprints a TCP SYN (acl_pkt.osfp, from the
 *    conf's pf.os); anything else, fragments too, is "unknown";
 *  - probability is decided by a hash of the header and the rule, so a
 *    flow gets one answer and the evaluators agree;
 *  - max-pkt-rate is never exceeded and "once" rules do not expire.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xxhash.h>

#include "acl/filter/pf_filter_impl.h"


uint64_t
acl_ip_key(const union acl_ip *ip, int afi)
{
	if (afi == ACL_AF4)
		return (ntohl(ip->w[0]));
	return ((uint64_t)ntohl(ip->w[0]) << 32 | ntohl(ip->w[1]));
}

/*
 * Which ICMP messages are replies (pf_icmp_mapping() sets icmp_dir to
 * PF_OUT and state_icmp to 0): pf does not let a state-keeping rule match
 * them, a reply is expected to match the state of its request.
 */
static int
acl_icmp_reply(uint8_t af, uint8_t type)
{
	if (af == AF_INET) {
		switch (type) {
		case 0:		/* echo reply */
		case 9:		/* router advertisement */
		case 14:	/* timestamp reply */
		case 16:	/* information reply */
		case 18:	/* mask reply */
		case 34:	/* IPv6 I-am-here */
		case 36:	/* mobile registration reply */
			return (1);
		}
		return (0);
	}
	switch (type) {
	case 129:	/* echo reply */
	case 140:	/* who-are-you reply */
	case 200:	/* mtrace response */
		return (1);
	}
	/* neighbour advertisements are "state_icmp": pf lets them match */
	return (0);
}

void
acl_keys_make(const struct acl_pkt *p, struct acl_keys *k)
{
	k->afi = p->af == AF_INET6 ? ACL_AF6 : ACL_AF4;
	k->k[ACL_D_SRC] = acl_ip_key(&p->src, k->afi);
	k->k[ACL_D_DST] = acl_ip_key(&p->dst, k->afi);
	k->k[ACL_D_SPORT] = p->sport;
	k->k[ACL_D_DPORT] = p->dport;
	k->k[ACL_D_PROTO] = p->proto;
	k->tflags = p->tcp_flags;
	k->frag = p->frag != 0;
	k->icmp_reply = 0;
	if (!p->frag && ((p->af == AF_INET && p->proto == IPPROTO_ICMP) ||
	    (p->af == AF_INET6 && p->proto == IPPROTO_ICMPV6)))
		k->icmp_reply = acl_icmp_reply(p->af, p->icmp_type);
}

/* pf_match(): the port and id operators */
static int
acl_op_match(uint8_t op, uint32_t a1, uint32_t a2, uint32_t p)
{
	switch (op) {
	case ACL_OP_IRG:
		return (p > a1 && p < a2);
	case ACL_OP_XRG:
		return (p < a1 || p > a2);
	case ACL_OP_RRG:
		return (p >= a1 && p <= a2);
	case ACL_OP_EQ:
		return (p == a1);
	case ACL_OP_NE:
		return (p != a1);
	case ACL_OP_LT:
		return (p < a1);
	case ACL_OP_LE:
		return (p <= a1);
	case ACL_OP_GT:
		return (p > a1);
	case ACL_OP_GE:
		return (p >= a1);
	}
	return (0);
}

/* pf_match_uid(): the id of the socket is unknown (UID_MAX) */
static int
acl_id_match(uint8_t op, const uint32_t id[2])
{
	if (op != ACL_OP_EQ && op != ACL_OP_NE)
		return (0);
	return (acl_op_match(op, id[0], id[1], UINT32_MAX));
}

static int
acl_alen(uint8_t af)
{
	return (af == AF_INET6 ? 16 : 4);
}

static void
acl_ip_mask(union acl_ip *m, int plen)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 16 && plen > 0; i++, plen -= 8)
		m->b[i] = plen >= 8 ? 0xff : (uint8_t)(0xff << (8 - plen));
}

int
acl_pfx_match(const struct acl_pfx *set, uint32_t n, const union acl_ip *ip,
    uint8_t af)
{
	union acl_ip m;
	uint32_t i;
	int j;

	for (i = 0; i < n; i++) {
		if (set[i].af != af)
			continue;
		acl_ip_mask(&m, set[i].plen);
		for (j = 0; j < acl_alen(af); j++)
			if ((ip->b[j] & m.b[j]) != set[i].addr.b[j])
				break;
		if (j == acl_alen(af))
			return (1);
	}
	return (0);
}

/* Tables: one open-addressing hash per family keyed on (length, prefix). */
static uint32_t
acl_lhash(uint8_t plen, const union acl_ip *a)
{
	uint8_t buf[17];

	buf[0] = plen;
	memcpy(buf + 1, a->b, 16);
	return ((uint32_t)XXH3_64bits(buf, sizeof(buf)));
}

static struct acl_lslot *
acl_lfind(const struct acl_ltable *t, int afi, uint8_t plen,
    const union acl_ip *a)
{
	struct acl_lslot *s;
	uint32_t h;

	if (t->slot[afi] == NULL)
		return (NULL);
	for (h = acl_lhash(plen, a) & t->mask[afi];; h = (h + 1) & t->mask[afi]) {
		s = &t->slot[afi][h];
		if (!s->used)
			return (s);
		if (s->plen == plen && memcmp(&s->addr, a, sizeof(*a)) == 0)
			return (s);
	}
}

int
acl_ltable_build(struct acl_ltable *t, const struct acl_table *src)
{
	const struct acl_table_entry *e;
	struct acl_lslot *s;
	union acl_ip m, a;
	size_t i, n[2] = { 0, 0 }, sz;
	uint64_t lo, hi, km;
	int afi, j, k, seen[2][129];

	memset(seen, 0, sizeof(seen));
	for (afi = 0; afi < 2; afi++) {
		t->hull_lo[afi] = UINT64_MAX;
		t->hull_hi[afi] = 0;
	}
	if (src == NULL)
		return (0);
	for (i = 0; i < src->ne; i++) {
		e = &src->e[i];
		if (e->af == AF_INET)
			n[ACL_AF4]++;
		else if (e->af == AF_INET6)
			n[ACL_AF6]++;
	}
	for (afi = 0; afi < 2; afi++) {
		if (n[afi] == 0)
			continue;
		for (sz = 8; sz < n[afi] * 2; sz <<= 1)
			;
		if ((t->slot[afi] = calloc(sz, sizeof(*s))) == NULL)
			return (ENOMEM);
		t->mask[afi] = (uint32_t)sz - 1;
	}
	for (i = 0; i < src->ne; i++) {
		e = &src->e[i];
		if (e->af != AF_INET && e->af != AF_INET6)
			continue;
		afi = e->af == AF_INET ? ACL_AF4 : ACL_AF6;
		k = e->net > acl_alen(e->af) * 8 ? acl_alen(e->af) * 8 : e->net;
		acl_ip_mask(&m, k);
		memset(&a, 0, sizeof(a));
		for (j = 0; j < acl_alen(e->af); j++)
			a.b[j] = e->addr.b[j] & m.b[j];
		s = acl_lfind(t, afi, (uint8_t)k, &a);
		if (!s->used) {
			s->used = 1;
			s->plen = (uint8_t)k;
			s->addr = a;
		}
		/* a duplicate keeps its last meaning, as pfr_add does not */
		s->neg = e->neg;
		s->idx = (uint32_t)i;
		seen[afi][k] = 1;
		if (e->neg)
			continue;
		t->npos[afi]++;
		if (!t->has_first[afi]) {
			t->has_first[afi] = 1;
			t->first[afi].af = e->af;
			t->first[afi].plen = (uint8_t)k;
			t->first[afi].addr = a;
		}
		lo = acl_ip_key(&a, afi);
		km = afi == ACL_AF4 ? 32 : 64;
		if ((uint64_t)k >= km)
			hi = lo;
		else
			hi = lo | ((km == 64 ? UINT64_MAX : 0xffffffffULL) >> k);
		if (lo < t->hull_lo[afi])
			t->hull_lo[afi] = lo;
		if (hi > t->hull_hi[afi])
			t->hull_hi[afi] = hi;
	}
	for (afi = 0; afi < 2; afi++)
		for (k = 128; k >= 0; k--)
			if (seen[afi][k])
				t->plens[afi][t->nplen[afi]++] = (uint8_t)k;
	return (0);
}

void
acl_ltable_free(struct acl_ltable *t)
{
	if (t == NULL)
		return;
	free(t->slot[0]);
	free(t->slot[1]);
	free(t);
}

/* rn_match(): the slot of the longest entry holding ip, or NULL */
static const struct acl_lslot *
acl_ltable_longest(const struct acl_ltable *t, const union acl_ip *ip,
    uint8_t af)
{
	const struct acl_lslot *s;
	union acl_ip m, a;
	int afi, i, j;

	afi = af == AF_INET6 ? ACL_AF6 : ACL_AF4;
	for (i = 0; i < t->nplen[afi]; i++) {
		acl_ip_mask(&m, t->plens[afi][i]);
		memset(&a, 0, sizeof(a));
		for (j = 0; j < acl_alen(af); j++)
			a.b[j] = ip->b[j] & m.b[j];
		s = acl_lfind(t, afi, t->plens[afi][i], &a);
		if (s->used)
			return (s);
	}
	return (NULL);
}

/* pfr_match_addr(): the longest prefix decides, a "!" entry says no */
static int
acl_ltable_match(const struct acl_ltable *t, const union acl_ip *ip,
    uint8_t af)
{
	const struct acl_lslot *s = acl_ltable_longest(t, ip, af);

	return (s != NULL && !s->neg);
}

struct acl_ltable *
acl_ltable_new(const struct acl_table *src)
{
	struct acl_ltable *t = calloc(1, sizeof(*t));

	if (t != NULL && acl_ltable_build(t, src) != 0) {
		acl_ltable_free(t);
		t = NULL;
	}
	return (t);
}

long
acl_ltable_entry(const struct acl_ltable *t, uint8_t af,
    const union acl_ip *ip)
{
	const struct acl_lslot *s = acl_ltable_longest(t, ip, af);

	return (s != NULL ? (long)s->idx : -1);
}

/* PF_MISMATCHAW(), inverted: does ip match this side of the rule */
static int
acl_xaddr_match(const struct acl_classifier *c, const struct acl_xaddr *x,
    const union acl_ip *ip, uint8_t af)
{
	const struct acl_addr *a = x->a;
	int i, m = 1, zero = 1, cmp, port;

	switch (x->type) {
	case ACL_ADDR_ADDRMASK:
		for (i = 0; i < acl_alen(af); i++) {
			if (a->a.mask.b[i] != 0)
				zero = 0;
			if ((ip->b[i] & a->a.mask.b[i]) !=
			    (a->a.addr.b[i] & a->a.mask.b[i]))
				m = 0;
		}
		if (zero)
			m = 1;
		break;
	case ACL_ADDR_RANGE:
		cmp = memcmp(ip->b, a->a.addr.b, acl_alen(af));
		m = cmp >= 0 && memcmp(ip->b, a->a.mask.b, acl_alen(af)) <= 0;
		break;
	case ACL_ADDR_TABLE:
		m = x->tbl != NULL && acl_ltable_match(x->tbl, ip, af);
		break;
	case ACL_ADDR_DYNIFTL:
		m = acl_pfx_match(x->set, x->nset, ip, af);
		break;
	case ACL_ADDR_NONE:
		m = 1;
		break;
	case ACL_ADDR_NOROUTE:
		m = c->route != NULL && c->route(c->route_arg, af, ip) == -1;
		break;
	case ACL_ADDR_URPFFAILED:
		/* pf_routable() with the packet's interface: no route back,
		 * or one out of another interface */
		port = c->route == NULL ? c->port : c->route(c->route_arg, af,
		    ip);
		m = port != c->port && port != ACL_ROUTE_ANY;
		break;
	default:	/* route label: see above */
		m = 0;
		break;
	}
	return (m != x->neg);
}

/* pfi_kif_match(): the port itself, one of its groups, or "all" */
int
acl_kif_match(const struct acl_ifinfo *ifp, const char *name)
{
	int i;

	if (name[0] == '\0' || strcmp(name, "all") == 0)
		return (1);
	if (strncmp(ifp->name, name, ACL_IFNAMSIZ) == 0)
		return (1);
	for (i = 0; i < ifp->ngroups && i < ACL_IF_MAXGROUPS; i++)
		if (strncmp(ifp->groups[i], name, ACL_IFNAMSIZ) == 0)
			return (1);
	return (0);
}

static int
acl_prob_match(const struct acl_rule *r, const struct acl_pkt *p, uint32_t pos)
{
	struct {
		union acl_ip	 s, d;
		uint16_t	 sp, dp;
		uint32_t	 pos;
		uint8_t		 proto;
	} h;
	uint32_t v;

	memset(&h, 0, sizeof(h));
	h.s = p->src;
	h.d = p->dst;
	h.sp = p->sport;
	h.dp = p->dport;
	h.pos = pos;
	h.proto = p->proto;
	v = XXH32(&h, sizeof(h), 0) % (UINT32_MAX - 1) + 1;
	return (r->prob > v);
}

/* Everything the box does not say, in pf_match_rule()'s order. */
static int
acl_full_match(const struct acl_classifier *c, const struct acl_ent *e,
    const struct acl_ctx *x)
{
	const struct acl_rule *r = e->r;
	const struct acl_pkt *p = &x->p;
	int tag, m;

	if (r->af && r->af != p->af)
		return (0);
	if (r->proto && r->proto != p->proto)
		return (0);
	if (!acl_xaddr_match(c, &e->src, &p->src, p->af) ||
	    !acl_xaddr_match(c, &e->dst, &p->dst, p->af))
		return (0);
	/* pf_match_rule(): an os rule never matches other than TCP */
	if (r->os_fp != ACL_OSFP_ANY && (p->proto != IPPROTO_TCP ||
	    !acl_osfp_match(c->conf->osfp, p->frag ? 0 : p->osfp, r->os_fp)))
		return (0);
	if (p->frag) {
		if (r->src.port_op || r->dst.port_op)
			return (0);
		if (p->proto == IPPROTO_TCP && r->flagset)
			return (0);
		if (r->type || r->code)
			return (0);
		if (r->uid.op || r->gid.op)
			return (0);
	} else {
		switch (p->proto) {
		case IPPROTO_TCP:
			if ((r->flagset & p->tcp_flags) != r->flags)
				return (0);
			/* FALLTHROUGH */
		case IPPROTO_UDP:
			if (r->src.port_op && !acl_op_match(r->src.port_op,
			    r->src.port[0], r->src.port[1], p->sport))
				return (0);
			if (r->dst.port_op && !acl_op_match(r->dst.port_op,
			    r->dst.port[0], r->dst.port[1], p->dport))
				return (0);
			if (r->uid.op && !acl_id_match(r->uid.op, r->uid.id))
				return (0);
			if (r->gid.op && !acl_id_match(r->gid.op, r->gid.id))
				return (0);
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			if (r->type && r->type != p->icmp_type + 1)
				return (0);
			if (r->code && r->code != p->icmp_code + 1)
				return (0);
			if (r->keep_state && x->k.icmp_reply &&
			    !(r->rule_flag & ACL_RF_STATESLOPPY))
				return (0);
			break;
		}
	}
	if ((r->rule_flag & ACL_RF_FRAGMENT) && !p->frag)
		return (0);
	if (r->tos && r->tos != p->tos)
		return (0);
	if (r->prob && !acl_prob_match(r, p, e->pos))
		return (0);
	if (e->match_tag) {
		tag = x->tag >= 0 ? x->tag : p->tag;
		if ((tag == e->match_tag) == (r->match_tag_not != 0))
			return (0);
	}
	if (r->rcv_ifname[0] != '\0') {
		m = p->rcvif < c->nifs &&
		    acl_kif_match(&c->ifs[p->rcvif], r->rcv_ifname);
		if (m == (r->rcvifnot != 0))
			return (0);
	}
	if (r->prio &&
	    (r->prio == ACL_PRIO_ZERO ? 0 : r->prio) != p->prio)
		return (0);
	return (1);
}

void
acl_ctx_init(const struct acl_classifier *c, const struct acl_pkt *p,
    struct acl_ctx *x)
{
	uint8_t i;

	x->p = *p;
	acl_keys_make(p, &x->k);
	x->decide = x->match = x->nat = x->rdr = ACL_POS_NONE;
	x->stop_at = ACL_POS_NONE;
	x->tag = -1;
	memset(&x->sc, 0, sizeof(x->sc));
	x->mlog = 0;
	x->visit = NULL;
	x->quick = x->fail = 0;
	for (i = 0; i < c->nslots; i++)
		x->ok[i] = ACL_POS_NONE;
}

/*
 * A match rule with nat-to / rdr-to changes the packet that later rules
 * see (pf_get_transaddr() rewrites pd->nsaddr / ndaddr at once).  The
 * address is the pool's first one; the source port a nat-to will pick is
 * not known yet, so later rules see the original one.
 */
static int
acl_translate(const struct acl_classifier *c, const struct acl_ent *e,
    struct acl_ctx *x)
{
	struct acl_pkt np = x->p;
	int afi = x->k.afi;

	if (e->flags & E_NAT) {
		if (!e->nat_ok[afi])
			return (-1);
		np.src = e->nat[afi].addr;
		if (c->nat != NULL && c->nat(c->nat_arg, e->r, &x->p, &np) != 0)
			return (-1);
	}
	if (e->flags & E_RDR) {
		if (!e->rdr_ok[afi])
			return (-1);
		np.dst = e->rdr[afi].addr;
		if (e->r->rdr.proxy_port[0] && !np.frag &&
		    (np.proto == IPPROTO_TCP || np.proto == IPPROTO_UDP))
			np.dport = e->r->rdr.proxy_port[0];
	}
	if (memcmp(&np, &x->p, sizeof(np)) == 0)
		return (0);
	x->p = np;
	acl_keys_make(&np, &x->k);
	return (1);
}

/*
 * Evaluate flat entry pos: the one step both evaluators take.  The caller
 * has checked pos < x->stop_at.
 */
static inline int
acl_step(const struct acl_classifier *c, struct acl_ctx *x, uint32_t pos)
{
	const struct acl_ent *e = &c->ent[pos];
	const struct acl_box *b = &c->box[x->k.afi][pos];
	int rv;

	if (!acl_box_match(b, &x->k))
		return (ACL_STEP_NEXT);
	if (e->need != ACL_POS_NONE && x->ok[e->need_slot] != e->need)
		return (ACL_STEP_NEXT);
	if (!(b->flags & B_EXACT) && !acl_full_match(c, e, x))
		return (ACL_STEP_NEXT);
	if ((e->flags & E_LIVE) && c->live != NULL &&
	    !c->live(c->live_arg, e->r, c->flat.f_rules[pos].fr_anchor,
	    x->visit != NULL))
		return (ACL_STEP_NEXT);

	if (e->tag)
		x->tag = e->tag;
	if (x->visit != NULL && e->kind != ACL_FLAT_CALL) {
		const struct acl_dec *d = &c->dec[pos];
		struct acl_hit h = { d->r, d->call, d->anchor, d->anchor_nr };

		x->visit(x->visit_arg, &h);
	}
	if (e->kind == ACL_FLAT_CALL) {
		if (!(e->flags & E_TRIVIAL))
			x->ok[e->slot] = pos;
		return (ACL_STEP_NEXT);
	}
	if (e->r->action == ACL_MATCH) {
		/*
		 * pf_match_rule() returns PF_TEST_QUICK after any matching
		 * rule with quick, a match rule too: "match quick" applies
		 * its options and ends the evaluation, and the last pass or
		 * block rule before it decides.
		 */
		x->match = pos;
		x->mlog |= e->r->log;
		if (e->flags & E_SCRUB)
			acl_scrub_add(&x->sc, e->r);
		/* it ends the evaluation itself, not the quick anchor that
		 * the last decision lies in (ar_quick_anchor) */
		if (e->r->quick)
			x->stop_at = ACL_POS_NONE;
		if (!(e->flags & (E_NAT | E_RDR)))
			return (e->r->quick ? ACL_STEP_STOP : ACL_STEP_NEXT);
		if (e->flags & E_NAT)
			x->nat = pos;
		if (e->flags & E_RDR)
			x->rdr = pos;
		rv = acl_translate(c, e, x);
		if (rv < 0) {
			x->fail = ACL_R_TRANSLATE;
			return (ACL_STEP_STOP);
		}
		if (e->r->quick)
			return (ACL_STEP_STOP);
		return (rv ? ACL_STEP_RESTART : ACL_STEP_NEXT);
	}
	x->decide = pos;
	/*
	 * pf_match_rule(): when the invocation of a quick anchor ends and
	 * the last pass/block match lies directly in it, evaluation stops.
	 */
	x->stop_at = (e->flags & E_QUICKCALL) ? e->inv_end : ACL_POS_NONE;
	if (e->r->quick) {
		x->quick = 1;
		return (ACL_STEP_STOP);
	}
	return (ACL_STEP_NEXT);
}

/*
 * The result of an evaluation; rpf, when it has R_INLINE, is the record
 * word of the deciding entry and says what its acl_dec would
 * (acl_classify()).
 */
static inline __attribute__((always_inline)) void
acl_result_fill(const struct acl_classifier *c, const struct acl_ctx *x,
    uint32_t rpf, struct acl_result *res)
{
	const struct acl_dec *d;

	memset(res, 0, sizeof(*res));
	res->ar_nr = res->ar_match_nr = -1;
	res->ar_action = ACL_PASS;
	res->ar_reason = ACL_R_NOMATCH;
	if (x->match != ACL_POS_NONE) {
		res->ar_match = c->dec[x->match].r;
		res->ar_match_nr = (int32_t)x->match;
	}
	if (x->nat != ACL_POS_NONE)
		res->ar_nat = c->dec[x->nat].r;
	if (x->rdr != ACL_POS_NONE)
		res->ar_rdr = c->dec[x->rdr].r;
	if (x->tag > 0)
		res->ar_tag = (uint16_t)x->tag;
	res->ar_scrub = x->sc;
	res->ar_mlog = x->mlog;
	if (x->fail) {
		res->ar_action = ACL_BLOCK;
		res->ar_reason = x->fail;
		return;
	}
	if (x->decide == ACL_POS_NONE)
		return;
	res->ar_nr = (int32_t)x->decide;
	res->ar_reason = ACL_R_MATCH;
	res->ar_quick = x->quick;
	/* a quick anchor's invocation ended with its own rule deciding */
	res->ar_quick_anchor = !x->quick && x->stop_at != ACL_POS_NONE;
	if (rpf & R_INLINE) {
		/* as below, for a rule of the main ruleset at its number */
		res->ar_rule = &c->rootrules[x->decide];
		res->ar_action = (rpf & R_BLOCK) ? ACL_BLOCK : ACL_PASS;
		res->ar_keep_state = (uint8_t)((rpf >> R_KSSHIFT) & R_KSMASK);
		res->ar_anchor = c->rootpath;
		res->ar_anchor_nr = x->decide;
		return;
	}
	d = &c->dec[x->decide];
	res->ar_rule = d->r;
	res->ar_action = d->action;
	res->ar_keep_state = d->keep_state;
	res->ar_return = d->ret;
	if (d->flags & E_NAT)
		res->ar_nat = d->r;
	if (d->flags & E_RDR)
		res->ar_rdr = d->r;
	/* pf_test_rule(): the deciding rule's actions come last */
	if (d->flags & E_SCRUB)
		acl_scrub_add(&res->ar_scrub, d->r);
	res->ar_anchor_call = d->call;
	res->ar_anchor = d->anchor;
	res->ar_anchor_nr = d->anchor_nr;
}

void
acl_result_make(const struct acl_classifier *c, const struct acl_ctx *x,
    struct acl_result *res)
{
	acl_result_fill(c, x, 0, res);
}

static void
acl_skip_result(struct acl_result *res)
{
	memset(res, 0, sizeof(*res));
	res->ar_nr = res->ar_match_nr = -1;
	res->ar_action = ACL_PASS;
	res->ar_reason = ACL_R_SKIP;
}

void
acl_eval_linear(const struct acl_classifier *c, const struct acl_pkt *p,
    struct acl_result *res)
{
	struct acl_ctx x;
	uint32_t pos;

	if (c->skip) {
		acl_skip_result(res);
		return;
	}
	acl_ctx_init(c, p, &x);
	for (pos = 0; pos < c->nent; pos++) {
		if (pos >= x.stop_at)
			break;
		/* a translated packet simply goes on with the next rule */
		if (acl_step(c, &x, pos) == ACL_STEP_STOP)
			break;
	}
	acl_result_make(c, &x, res);
}

void
acl_eval_visit(const struct acl_classifier *c, const struct acl_pkt *p,
    void (*fn)(void *, const struct acl_hit *), void *arg)
{
	struct acl_ctx x;
	uint32_t pos;

	if (c->skip)
		return;
	acl_ctx_init(c, p, &x);
	x.visit = fn;
	x.visit_arg = arg;
	for (pos = 0; pos < c->nent && pos < x.stop_at; pos++)
		if (acl_step(c, &x, pos) == ACL_STEP_STOP)
			break;
}

/* The record of a leaf against the packet: acl_box_match() in short. */
static inline __attribute__((always_inline)) int
acl_rec_match(const int afi, const void *rp, const struct acl_keys *k)
{
	const struct acl_rec4 *r4 = rp;
	const struct acl_rec6 *r6 = rp;
	uint8_t tflags, tflagset;
	uint32_t pf;

	if (afi == ACL_AF4) {
		if (k->k[ACL_D_SRC] < r4->lo[0] ||
		    k->k[ACL_D_SRC] > r4->hi[0] ||
		    k->k[ACL_D_DST] < r4->lo[1] ||
		    k->k[ACL_D_DST] > r4->hi[1] ||
		    k->k[ACL_D_SPORT] < r4->plo[0] ||
		    k->k[ACL_D_SPORT] > r4->phi[0] ||
		    k->k[ACL_D_DPORT] < r4->plo[1] ||
		    k->k[ACL_D_DPORT] > r4->phi[1] ||
		    k->k[ACL_D_PROTO] < r4->prlo ||
		    k->k[ACL_D_PROTO] > r4->prhi)
			return (0);
		tflags = r4->tflags;
		tflagset = r4->tflagset;
		pf = r4->pf;
	} else {
		if (k->k[ACL_D_SRC] < r6->lo[0] ||
		    k->k[ACL_D_SRC] > r6->hi[0] ||
		    k->k[ACL_D_DST] < r6->lo[1] ||
		    k->k[ACL_D_DST] > r6->hi[1] ||
		    k->k[ACL_D_SPORT] < r6->plo[0] ||
		    k->k[ACL_D_SPORT] > r6->phi[0] ||
		    k->k[ACL_D_DPORT] < r6->plo[1] ||
		    k->k[ACL_D_DPORT] > r6->phi[1] ||
		    k->k[ACL_D_PROTO] < r6->prlo ||
		    k->k[ACL_D_PROTO] > r6->prhi)
			return (0);
		tflags = r6->tflags;
		tflagset = r6->tflagset;
		pf = r6->pf;
	}
	/*
	 * B_PORTS needs no test: the trees of fragments hold no port rule,
	 * the others see no fragment.  B_EMPTY entries are in no tree.
	 */
	if ((pf & R_ICMPSTATE) && k->icmp_reply)
		return (0);
	if (tflagset && k->k[ACL_D_PROTO] == 6 &&
	    (k->frag || (k->tflags & tflagset) != tflags))
		return (0);
	return (1);
}

static inline __attribute__((always_inline)) uint32_t
acl_rec_pf(const int afi, const uint8_t *rp)
{
	if (afi == ACL_AF4)
		return (((const struct acl_rec4 *)(const void *)rp)->pf);
	return (((const struct acl_rec6 *)(const void *)rp)->pf);
}

/*
 * The lookup: one leaf per subset tree, merged in rule order.  A record
 * whose box does not hold the packet is skipped (acl_step() would say
 * so); a "decide" record settles its match itself; any other goes through
 * acl_step().  A translated packet is looked up again, from the entry
 * after the translating rule.
 */
static inline __attribute__((always_inline)) void
acl_tree_walk_af(const struct acl_classifier *c, struct acl_ctx *x,
    const int afi)
{
	const size_t rsz = afi == ACL_AF4 ? sizeof(struct acl_rec4) :
	    sizeof(struct acl_rec6);
	const struct acl_tlook *lk;
	const uint8_t *cur[ACL_NSUB], *end[ACL_NSUB];
	uint32_t w[ACL_NSUB], n, pos, pf, start = 0;
	int i, nt, nl, best, rv, down;

again:
	lk = c->look[x->k.frag][afi];
	nt = c->nlook[x->k.frag][afi];
	/*
	 * Descend the trees that hold anything side by side, a level of
	 * each in turn: their loads are independent and overlap.  (One tree
	 * after the other takes ~15 % fewer instructions at 10k rules, and
	 * was slower on ipc1_10k, whose trees are deeper.)
	 */
	for (i = 0; i < nt; i++)
		w[i] = lk[i].rtab[(x->k.k[lk[i].rdim] >> lk[i].rshift) &
		    lk[i].rmask];
	do {
		down = 0;
		for (i = 0; i < nt; i++)
			if (w[i] & ACL_W_NODE) {
				w[i] = acl_node_next(afi, lk[i].node, w[i],
				    x->k.k);
				down = 1;
			}
	} while (down);
	for (i = nl = 0; i < nt; i++) {
		if ((n = w[i] >> ACL_W_NSHIFT) == 0)
			continue;
		cur[nl] = lk[i].rec + (size_t)(w[i] & ACL_W_IDX) * rsz;
		__builtin_prefetch(cur[nl]);
		if (n == ACL_W_NBIG) {
			for (end[nl] = cur[nl]; (acl_rec_pf(afi, end[nl]) &
			    R_POSMASK) != R_END; end[nl] += rsz)
				;
		} else {
			end[nl] = cur[nl] + n * rsz;
			if (n * rsz > 64)
				__builtin_prefetch(cur[nl] + 64);
		}
		if (start > 0)
			while (cur[nl] < end[nl] &&
			    (acl_rec_pf(afi, cur[nl]) & R_POSMASK) < start)
				cur[nl] += rsz;
		if (cur[nl] < end[nl])
			nl++;
	}
	while (nl > 0) {
		best = 0;
		pf = acl_rec_pf(afi, cur[0]);
		for (i = 1; i < nl; i++)
			if ((acl_rec_pf(afi, cur[i]) & R_POSMASK) <
			    (pf & R_POSMASK)) {
				best = i;
				pf = acl_rec_pf(afi, cur[i]);
			}
		pos = pf & R_POSMASK;
		if (pos >= x->stop_at)
			return;
		/*
		 * If it decides, the result is in pf (R_INLINE) or in its
		 * acl_dec: a random line of a 40-byte-per-entry array,
		 * started before the test.
		 */
		if ((pf & (R_DECIDE | R_INLINE)) == R_DECIDE)
			__builtin_prefetch(&c->dec[pos]);
		if (acl_rec_match(afi, cur[best], &x->k)) {
			if (pf & R_DECIDE) {
				/* acl_step() on an exact pass/block rule */
				x->decide = pos;
				x->stop_at = ACL_POS_NONE;
				x->rpf = pf;
				if (pf & R_QUICK) {
					x->quick = 1;
					return;
				}
			} else {
				rv = acl_step(c, x, pos);
				if (rv == ACL_STEP_STOP)
					return;
				if (rv == ACL_STEP_RESTART) {
					/* the packet moved: its candidates
					   are elsewhere */
					start = pos + 1;
					goto again;
				}
			}
		}
		cur[best] += rsz;
		if (cur[best] == end[best]) {
			cur[best] = cur[nl - 1];
			end[best] = end[nl - 1];
			nl--;
		}
	}
}

static void
acl_tree_walk(const struct acl_classifier *c, struct acl_ctx *x)
{
	if (x->k.afi == ACL_AF4)
		acl_tree_walk_af(c, x, ACL_AF4);
	else
		acl_tree_walk_af(c, x, ACL_AF6);
}

void
acl_classify(const struct acl_classifier *c, const struct acl_pkt *p,
    struct acl_result *res)
{
	struct acl_ctx x;

	if (c->linear) {
		acl_eval_linear(c, p, res);
		return;
	}
	if (c->skip) {
		acl_skip_result(res);
		return;
	}
	acl_ctx_init(c, p, &x);
	x.rpf = R_END;
	acl_tree_walk(c, &x);
	/* decided last by an R_DECIDE record, not by acl_step() */
	acl_result_fill(c, &x, (x.rpf & R_POSMASK) == x.decide ? x.rpf : 0,
	    res);
}
