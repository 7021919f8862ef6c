/*
 * filter_ref.c: the reference the differential tests hold the flattener
 * (pf_flat.c) and both library evaluators to.
 *
 * acl_eval_linear() walks the flat list pf_flat.c builds, so comparing it
 * with the trees checks the trees, never the flattening.  This evaluator
 * walks the anchor tree of the acl_conf per packet instead, as OpenBSD's
 * pf_match_rule() does (pf.c 1.1218): rules in order, the last pass/block
 * match wins unless a quick rule ends the evaluation, match rules apply
 * their tag and translation and evaluation goes on with the translated
 * packet, an anchor call is tested where it stands (its criteria, its
 * tag) and then its ruleset is evaluated, "x/ *" evaluates every child of
 * x in name order, and after each invocation of a quick anchor (for "x/ *"
 * after each child) evaluation ends if the last pass/block match lies
 * directly in it.
 *
 * Written again here, without the library's code: that walk, the "on" and
 * direction tests, the flat number of the deciding rule (counted from the
 * tree: every rule that applies to the port and direction, an anchor call
 * followed by the rules it reaches whether or not it matches), and the
 * match of one rule's criteria against a packet (addresses and masks,
 * ranges, tables with their longest-prefix and "!" entries, "(if)" and
 * its modifiers, ports, TCP flags, icmp type/code, fragments, tos,
 * "tagged", "received-on", prio), from pf.conf(5) and pf_match_rule().
 * No box, no tree, no flat entry is used.
 *
 * Shared with the library, on purpose, because they are sluice's decisions
 * and not pf's (acl/filter/README.md, "What sluice cannot know"): which
 * ICMP types are replies a state-keeping rule does not match, the
 * probability hash (XXH32 of the header and the rule's flat position),
 * unknown uid/gid/os fingerprint, the pool address later rules
 * see after a nat-to/rdr-to (the pool's first one; the tests give no
 * acl_nat_fn).  Tag ids come from the classifier's acl_tags
 * (acl_tag_id()), and the answer is a struct acl_result.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>
#include <strings.h>

#include <xxhash.h>

#include "filter_ref.h"

#define REF_MAXPFX	64

/* pf_match_rule()'s enum pf_test_status */
#define REF_OK		0
#define REF_QUICK	1
#define REF_FAIL	2

struct ref_pfx {
	uint8_t		 af;
	int		 plen;
	union acl_ip	 addr;
};

struct ref_ctx {
	const struct ref_env	*env;
	const struct acl_ifinfo	*port;
	struct acl_pkt		 p;	/* as translated so far */
	int			 tag;	/* -1: none set yet */
	uint32_t		 pos;	/* flat number of the next rule */
	const struct acl_rule	*a;	/* pf's ctx->a (stale_anchor) */
	/* the last pass/block match: pf's *rm, *am, *rsm */
	const struct acl_rule	*rm;
	const struct acl_rule	*am;
	const struct acl_anchor	*rsm;
	uint32_t		 rm_nr;
	const struct acl_rule	*match, *nat, *rdr;
	uint32_t		 match_nr;
	int			 quick;		/* a quick rule ended it */
	int			 quick_anchor;	/* a quick anchor did */
	int			 fail;
	struct acl_scrub	 sc;
	uint8_t			 mlog;
	const struct acl_rule	**hits;		/* ref_hits() */
	size_t			 nhits, maxhits;
};

/* pf_rule_to_actions()'s scrub part, written again */
static void
ref_actions(struct acl_scrub *sc, const struct acl_rule *r)
{
	if (r->scrub_flags & ACL_SCRUB_NODF)
		sc->flags |= ACL_SCRUB_NODF;
	if (r->scrub_flags & ACL_SCRUB_RANDOMID)
		sc->flags |= ACL_SCRUB_RANDOMID;
	if (r->scrub_flags & ACL_SCRUB_TCP)
		sc->flags |= ACL_SCRUB_TCP;
	if (r->scrub_flags & ACL_SCRUB_SETTOS) {
		sc->flags |= ACL_SCRUB_SETTOS;
		sc->set_tos = r->set_tos;
	}
	if (r->scrub_flags & ACL_SCRUB_SETPRIO) {
		sc->flags |= ACL_SCRUB_SETPRIO;
		sc->set_prio = (uint8_t)(r->set_prio[0] | r->set_prio[1] << 4);
	}
	if (r->min_ttl != 0)
		sc->min_ttl = r->min_ttl;
	if (r->max_mss != 0)
		sc->max_mss = r->max_mss;
}

static int	ref_ruleset(struct ref_ctx *, const struct acl_anchor *,
		    const struct acl_rule *);

static int
ref_alen(uint8_t af)
{
	return (af == AF_INET6 ? 16 : 4);
}

/* pfi_kif_match(): the port, one of its groups, or "all" */
static int
ref_kif(const struct acl_ifinfo *ifp, const char *name)
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

/* "on", direction and rdomain: the first tests of pf_match_rule() */
static int
ref_applies(const struct ref_ctx *x, const struct acl_rule *r)
{
	if (r->ifname[0] != '\0' &&
	    ref_kif(x->port, r->ifname) == (r->ifnot != 0))
		return (0);
	if (r->direction != ACL_INOUT && r->direction != x->env->dir)
		return (0);
	if (r->onrdomain >= 0 && (r->onrdomain == 0) == (r->ifnot != 0))
		return (0);
	return (1);
}

/* The flat entries a rule stands for on this port: itself and its reach. */
static uint32_t
ref_size(const struct ref_ctx *x, const struct acl_rule *r)
{
	const struct acl_anchor *a;
	uint32_t n = 1;
	size_t i, j, nrs;

	if (r->anchor == NULL)
		return (n);
	nrs = r->anchor_wildcard ? r->anchor->nchild : 1;
	for (j = 0; j < nrs; j++) {
		a = r->anchor_wildcard ? r->anchor->child[j] : r->anchor;
		for (i = 0; i < a->rs.nrules; i++)
			if (ref_applies(x, &a->rs.rules[i]))
				n += ref_size(x, &a->rs.rules[i]);
	}
	return (n);
}

static int
ref_in(const union acl_ip *ip, const union acl_ip *net, int plen, uint8_t af)
{
	uint8_t m;
	int i;

	for (i = 0; i < ref_alen(af) && plen > 0; i++, plen -= 8) {
		m = plen >= 8 ? 0xff : (uint8_t)(0xff << (8 - plen));
		if ((ip->b[i] & m) != (net->b[i] & m))
			return (0);
	}
	return (1);
}

static void
ref_masked(union acl_ip *out, const union acl_ip *a, int plen, uint8_t af)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ref_alen(af) && plen > 0; i++, plen -= 8)
		out->b[i] = a->b[i] &
		    (plen >= 8 ? 0xff : (uint8_t)(0xff << (8 - plen)));
}

/* The length of a contiguous mask, -1 if it is not one. */
static int
ref_mask_len(const union acl_ip *m, uint8_t af)
{
	int i, b, n = 0, gap = 0;

	for (i = 0; i < ref_alen(af); i++)
		for (b = 7; b >= 0; b--) {
			if (!(m->b[i] & (1 << b)))
				gap = 1;
			else if (gap)
				return (-1);
			else
				n++;
		}
	return (n);
}

/*
 * "(if)" and friends: the addresses the ports have (pfi_dynaddr_update()),
 * of family raf (0: both), "self" being every port's.
 */
static size_t
ref_dyn(const struct ref_env *env, const struct acl_addr *a, uint8_t raf,
    struct ref_pfx *out)
{
	const struct acl_ifinfo *ifp;
	const struct acl_ifaddr *ia;
	const char *name = strcmp(a->ifname, "self") == 0 ? "all" : a->ifname;
	size_t i, n = 0;
	int j, k, seen[2], max, req, plen;

	for (i = 0; i < env->nifs; i++) {
		ifp = &env->ifs[i];
		if (!ref_kif(ifp, name))
			continue;
		seen[0] = seen[1] = 0;
		for (j = 0; j < ifp->naddrs && j < ACL_IF_MAXADDRS; j++) {
			ia = &ifp->addrs[j];
			if (ia->af != AF_INET && ia->af != AF_INET6)
				continue;
			if (raf != 0 && ia->af != raf)
				continue;
			/* (if:network) leaves fe80::/10 out */
			if ((a->iflags & ACL_IFA_NETWORK) &&
			    ia->af == AF_INET6 && ia->addr.b[0] == 0xfe &&
			    (ia->addr.b[1] & 0xc0) == 0x80)
				continue;
			/* (if:0): the first address of each family only */
			if ((a->iflags & ACL_IFA_NOALIAS) &&
			    seen[ia->af == AF_INET6]++)
				continue;
			if ((a->iflags & ACL_IFA_PEER) || n == REF_MAXPFX)
				continue;
			max = ref_alen(ia->af) * 8;
			plen = ia->plen > max ? max : ia->plen;
			if ((req = ref_mask_len(&a->a.mask, ia->af)) <= 0)
				req = max;
			out[n].af = ia->af;
			if (a->iflags & ACL_IFA_BROADCAST) {
				if (ia->af != AF_INET || plen >= 31)
					continue;
				out[n].addr = ia->addr;
				for (k = plen; k < 32; k++)
					out[n].addr.b[k / 8] |=
					    (uint8_t)(0x80 >> (k % 8));
				out[n].plen = 32;
			} else {
				out[n].plen = (a->iflags & ACL_IFA_NETWORK) &&
				    plen < req ? plen : req;
				ref_masked(&out[n].addr, &ia->addr, out[n].plen,
				    ia->af);
			}
			n++;
		}
	}
	return (n);
}

/* The anchor's own table, else the main ruleset's (pfr_attach_table()). */
static const struct acl_table *
ref_table(const struct acl_conf *conf, const char *name, const char *anchor)
{
	size_t i;

	for (i = 0; i < conf->ntables; i++)
		if (strcmp(conf->tables[i].name, name) == 0 &&
		    strcmp(conf->tables[i].anchor, anchor) == 0)
			return (&conf->tables[i]);
	for (i = 0; i < conf->ntables; i++)
		if (strcmp(conf->tables[i].name, name) == 0 &&
		    conf->tables[i].anchor[0] == '\0')
			return (&conf->tables[i]);
	return (NULL);
}

/* pfr_match_addr(): the longest matching prefix decides, "!" says no. */
static int
ref_table_match(const struct acl_table *t, const union acl_ip *ip,
    uint8_t af)
{
	const struct acl_table_entry *e, *best = NULL;
	size_t i;
	int plen, blen = -1;

	if (t == NULL)
		return (0);
	for (i = 0; i < t->ne; i++) {
		e = &t->e[i];
		if (e->af != af)
			continue;
		plen = e->net > ref_alen(af) * 8 ? ref_alen(af) * 8 : e->net;
		/* ">=": of two equal entries the later one counts */
		if (plen >= blen && ref_in(ip, &e->addr, plen, af)) {
			best = e;
			blen = plen;
		}
	}
	return (best != NULL && !best->neg);
}

/* PF_MISMATCHAW(), inverted */
static int
ref_side(const struct ref_ctx *x, const struct acl_rule *r,
    const struct acl_anchor *an, const struct acl_rule_addr *ra,
    const union acl_ip *ip, uint8_t af)
{
	const struct acl_addr *a = &ra->addr;
	struct ref_pfx set[REF_MAXPFX];
	size_t i, n;
	int m = 0;

	switch (a->type) {
	case ACL_ADDR_ADDRMASK:
		m = 1;
		for (i = 0; i < (size_t)ref_alen(af); i++)
			if ((ip->b[i] ^ a->a.addr.b[i]) & a->a.mask.b[i])
				m = 0;
		break;
	case ACL_ADDR_RANGE:
		m = memcmp(ip->b, a->a.addr.b, ref_alen(af)) >= 0 &&
		    memcmp(ip->b, a->a.mask.b, ref_alen(af)) <= 0;
		break;
	case ACL_ADDR_TABLE:
		m = ref_table_match(ref_table(x->env->conf, a->tblname,
		    an->path), ip, af);
		break;
	case ACL_ADDR_DYNIFTL:
		n = ref_dyn(x->env, a, r->af, set);
		for (i = 0; i < n && !m; i++)
			m = set[i].af == af && ref_in(ip, &set[i].addr,
			    set[i].plen, af);
		break;
	case ACL_ADDR_NONE:
		m = 1;
		break;
	default:	/* no-route, urpf-failed, route label: sluice's call */
		m = 0;
		break;
	}
	return (m != (ra->neg != 0));
}

/* pf_match_port(), pf_match_uid() */
static int
ref_op(uint8_t op, uint32_t a1, uint32_t a2, uint32_t v)
{
	switch (op) {
	case ACL_OP_IRG:
		return (v > a1 && v < a2);
	case ACL_OP_XRG:
		return (v < a1 || v > a2);
	case ACL_OP_RRG:
		return (v >= a1 && v <= a2);
	case ACL_OP_EQ:
		return (v == a1);
	case ACL_OP_NE:
		return (v != a1);
	case ACL_OP_LT:
		return (v < a1);
	case ACL_OP_LE:
		return (v <= a1);
	case ACL_OP_GT:
		return (v > a1);
	case ACL_OP_GE:
		return (v >= a1);
	}
	return (0);
}

/* sluice's list (pf_match.c, acl_icmp_reply()): shared on purpose */
static int
ref_icmp_reply(const struct acl_pkt *p)
{
	static const uint8_t r4[] = { 0, 9, 14, 16, 18, 34, 36 };
	static const uint8_t r6[] = { 129, 140, 200 };
	size_t i;

	if (p->frag)
		return (0);
	if (p->af == AF_INET && p->proto == IPPROTO_ICMP) {
		for (i = 0; i < sizeof(r4); i++)
			if (p->icmp_type == r4[i])
				return (1);
	} else if (p->af == AF_INET6 && p->proto == IPPROTO_ICMPV6) {
		for (i = 0; i < sizeof(r6); i++)
			if (p->icmp_type == r6[i])
				return (1);
	}
	return (0);
}

/* sluice's probability (pf_match.c, acl_prob_match()): shared on purpose */
static int
ref_prob(const struct acl_rule *r, const struct acl_pkt *p, uint32_t pos)
{
	struct {
		union acl_ip	 s, d;
		uint16_t	 sp, dp;
		uint32_t	 pos;
		uint8_t		 proto;
	} h;

	memset(&h, 0, sizeof(h));
	h.s = p->src;
	h.d = p->dst;
	h.sp = p->sport;
	h.dp = p->dport;
	h.pos = pos;
	h.proto = p->proto;
	return (r->prob > XXH32(&h, sizeof(h), 0) % (UINT32_MAX - 1) + 1);
}

/* One rule's criteria, in pf_match_rule()'s order. */
static int
ref_match(struct ref_ctx *x, const struct acl_rule *r,
    const struct acl_anchor *an, uint32_t pos)
{
	const struct acl_pkt *p = &x->p;
	uint16_t id;
	int tag, m;

	if (r->af && r->af != p->af)
		return (0);
	if (r->proto && r->proto != p->proto)
		return (0);
	if (!ref_side(x, r, an, &r->src, &p->src, p->af) ||
	    !ref_side(x, r, an, &r->dst, &p->dst, p->af))
		return (0);
	if (r->os_fp != ACL_OSFP_ANY && (p->proto != IPPROTO_TCP ||
	    !acl_osfp_match(x->env->conf->osfp, p->frag ? 0 : p->osfp,
	    r->os_fp)))
		return (0);
	if (p->frag) {
		if (r->src.port_op || r->dst.port_op ||
		    (p->proto == IPPROTO_TCP && r->flagset) ||
		    r->type || r->code || r->uid.op || r->gid.op)
			return (0);
	} else
		switch (p->proto) {
		case IPPROTO_TCP:
			if ((r->flagset & p->tcp_flags) != r->flags)
				return (0);
			/* FALLTHROUGH */
		case IPPROTO_UDP:
			if (r->src.port_op && !ref_op(r->src.port_op,
			    r->src.port[0], r->src.port[1], p->sport))
				return (0);
			if (r->dst.port_op && !ref_op(r->dst.port_op,
			    r->dst.port[0], r->dst.port[1], p->dport))
				return (0);
			/* the socket is unknown: uid and gid UID_MAX */
			if (r->uid.op && ((r->uid.op != ACL_OP_EQ &&
			    r->uid.op != ACL_OP_NE) || !ref_op(r->uid.op,
			    r->uid.id[0], r->uid.id[1], UINT32_MAX)))
				return (0);
			if (r->gid.op && ((r->gid.op != ACL_OP_EQ &&
			    r->gid.op != ACL_OP_NE) || !ref_op(r->gid.op,
			    r->gid.id[0], r->gid.id[1], UINT32_MAX)))
				return (0);
			break;
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			if (r->type && r->type != p->icmp_type + 1)
				return (0);
			if (r->code && r->code != p->icmp_code + 1)
				return (0);
			if (r->keep_state &&
			    !(r->rule_flag & ACL_RF_STATESLOPPY) &&
			    ref_icmp_reply(p))
				return (0);
			break;
		}
	if ((r->rule_flag & ACL_RF_FRAGMENT) && !p->frag)
		return (0);
	if (r->tos && r->tos != p->tos)
		return (0);
	if (r->prob && !ref_prob(r, p, pos))
		return (0);
	if (r->match_tagname[0] != '\0') {
		/* pf_match_tag(): the packet's own tag until one is set */
		id = acl_tag_id(x->env->tags, r->match_tagname, 1);
		tag = x->tag >= 0 ? x->tag : p->tag;
		if ((tag == id) == (r->match_tag_not != 0))
			return (0);
	}
	if (r->rcv_ifname[0] != '\0') {
		m = p->rcvif < x->env->nifs &&
		    ref_kif(&x->env->ifs[p->rcvif], r->rcv_ifname);
		if (m == (r->rcvifnot != 0))
			return (0);
	}
	if (r->prio && (r->prio == ACL_PRIO_ZERO ? 0 : r->prio) != p->prio)
		return (0);
	return (1);
}

static int
ref_pool_set(const struct acl_pool *pl)
{
	static const union acl_ip zero;

	if (pl->addr.type == ACL_ADDR_NONE)
		return (0);
	return (pl->addr.type != ACL_ADDR_ADDRMASK ||
	    memcmp(&pl->addr.a.addr, &zero, sizeof(zero)) != 0 ||
	    memcmp(&pl->addr.a.mask, &zero, sizeof(zero)) != 0);
}

/* The first address a pool hands out in family af; -1 if none. */
static int
ref_pool_addr(const struct ref_ctx *x, const struct acl_rule *r,
    const struct acl_anchor *an, const struct acl_pool *pl, uint8_t af,
    union acl_ip *out)
{
	const struct acl_table *t;
	struct ref_pfx set[REF_MAXPFX];
	uint8_t paf;
	size_t i, n;
	int k;

	switch (pl->addr.type) {
	case ACL_ADDR_ADDRMASK:
	case ACL_ADDR_RANGE:
		if ((paf = r->af) == 0) {
			/* a bare address: IPv4 uses the first 4 bytes */
			paf = AF_INET;
			for (i = 4; i < 16; i++)
				if (pl->addr.a.addr.b[i])
					paf = AF_INET6;
		}
		if (paf != af)
			return (-1);
		ref_masked(out, &pl->addr.a.addr, ref_alen(af) * 8, af);
		return (0);
	case ACL_ADDR_DYNIFTL:
		/* the first; of IPv6 the first global one if any */
		n = ref_dyn(x->env, &pl->addr, r->af, set);
		for (k = 0; k < 2; k++)
			for (i = 0; i < n; i++)
				if (set[i].af == af && (k == 1 ||
				    af != AF_INET6 || set[i].addr.b[0] != 0xfe ||
				    (set[i].addr.b[1] & 0xc0) != 0x80)) {
					*out = set[i].addr;
					return (0);
				}
		return (-1);
	case ACL_ADDR_TABLE:
		t = ref_table(x->env->conf, pl->addr.tblname, an->path);
		for (i = 0; t != NULL && i < t->ne; i++)
			if (t->e[i].af == af && !t->e[i].neg) {
				ref_masked(out, &t->e[i].addr, t->e[i].net >
				    ref_alen(af) * 8 ? ref_alen(af) * 8 :
				    t->e[i].net, af);
				return (0);
			}
		return (-1);
	}
	return (-1);
}

/*
 * pf_get_transaddr() in a match rule: the rules after it see the new
 * source (nat-to) and destination and port (rdr-to).
 */
static int
ref_translate(struct ref_ctx *x, const struct acl_rule *r,
    const struct acl_anchor *an)
{
	struct acl_pkt np = x->p;

	if (ref_pool_set(&r->nat) &&
	    ref_pool_addr(x, r, an, &r->nat, np.af, &np.src) != 0)
		return (-1);
	if (ref_pool_set(&r->rdr)) {
		if (ref_pool_addr(x, r, an, &r->rdr, np.af, &np.dst) != 0)
			return (-1);
		if (r->rdr.proxy_port[0] && !np.frag &&
		    (np.proto == IPPROTO_TCP || np.proto == IPPROTO_UDP))
			np.dport = r->rdr.proxy_port[0];
	}
	x->p = np;
	return (0);
}

/*
 * One invocation of an anchor's ruleset by call, then the test of
 * pf_anchor_stack_pop(): a quick anchor ends the evaluation when the last
 * pass/block match lies directly in it.
 */
static int
ref_invoke(struct ref_ctx *x, const struct acl_anchor *a,
    const struct acl_rule *call)
{
	int rv;

	if ((rv = ref_ruleset(x, a, call)) != REF_OK)
		return (rv);
	if (call->quick && x->am == call) {
		x->quick_anchor = 1;
		return (REF_QUICK);
	}
	return (REF_OK);
}

static int
ref_ruleset(struct ref_ctx *x, const struct acl_anchor *a,
    const struct acl_rule *call)
{
	const struct acl_rule *r;
	uint32_t pos;
	size_t i, j;
	int rv = REF_OK;

	for (i = 0; i < a->rs.nrules; i++) {
		r = &a->rs.rules[i];
		if (!ref_applies(x, r))
			continue;
		pos = x->pos;
		if (!ref_match(x, r, a, pos)) {
			x->pos += ref_size(x, r);
			continue;
		}
		x->pos++;
		if (r->anchor == NULL && x->hits != NULL &&
		    x->nhits++ < x->maxhits)
			x->hits[x->nhits - 1] = r;
		if (r->tagname[0] != '\0')
			x->tag = acl_tag_id(x->env->tags, r->tagname, 1);
		if (r->anchor != NULL) {
			x->a = r;
			if (!r->anchor_wildcard)
				rv = ref_invoke(x, r->anchor, r);
			else
				for (j = 0; j < r->anchor->nchild &&
				    rv == REF_OK; j++)
					rv = ref_invoke(x, r->anchor->child[j],
					    r);
			if (rv != REF_OK)
				return (rv);
			continue;
		}
		if (r->action == ACL_MATCH) {
			x->match = r;
			x->match_nr = pos;
			ref_actions(&x->sc, r);
			x->mlog |= r->log;
			if (ref_pool_set(&r->nat))
				x->nat = r;
			if (ref_pool_set(&r->rdr))
				x->rdr = r;
			if (ref_translate(x, r, a) != 0) {
				x->fail = 1;
				return (REF_FAIL);
			}
			/* pf_match_rule(): any matching quick rule ends it */
			if (r->quick)
				return (REF_QUICK);
			continue;
		}
		x->rm = r;
		x->rm_nr = pos;
		x->rsm = a;
		x->am = x->env->stale_anchor ? x->a : call;
		if (r->quick) {
			x->quick = 1;
			return (REF_QUICK);
		}
	}
	return (REF_OK);
}

void
ref_env_of(struct ref_env *env, const struct acl_compile_args *args)
{
	memset(env, 0, sizeof(*env));
	env->conf = args->conf;
	env->ifs = args->ifs;
	env->nifs = args->nifs;
	env->port = args->port;
	env->dir = args->dir;
	env->tags = args->tags;
}

/* Walk the rules for p into x (hits set up by the caller); 0: skipped. */
static int
ref_run(const struct ref_env *env, const struct acl_pkt *p,
    struct ref_ctx *x)
{
	size_t i;

	for (i = 0; i < env->conf->nskip; i++)
		if (env->conf->skip[i] != NULL &&
		    ref_kif(&env->ifs[env->port], env->conf->skip[i]))
			return 0;
	x->env = env;
	x->port = &env->ifs[env->port];
	x->p = *p;
	x->tag = -1;
	if (env->conf->root != NULL)
		(void)ref_ruleset(x, env->conf->root, NULL);
	return 1;
}

void
ref_eval(const struct ref_env *env, const struct acl_pkt *p,
    struct acl_result *res)
{
	struct ref_ctx x;

	memset(res, 0, sizeof(*res));
	res->ar_nr = res->ar_match_nr = -1;
	res->ar_action = ACL_PASS;
	res->ar_reason = ACL_R_NOMATCH;
	memset(&x, 0, sizeof(x));
	if (!ref_run(env, p, &x)) {
		res->ar_reason = ACL_R_SKIP;
		return;
	}

	if (x.match != NULL) {
		res->ar_match = x.match;
		res->ar_match_nr = (int32_t)x.match_nr;
	}
	res->ar_nat = x.nat;
	res->ar_rdr = x.rdr;
	res->ar_scrub = x.sc;
	res->ar_mlog = x.mlog;
	if (x.tag > 0)
		res->ar_tag = (uint16_t)x.tag;
	if (x.fail) {
		res->ar_action = ACL_BLOCK;
		res->ar_reason = ACL_R_TRANSLATE;
		return;
	}
	if (x.rm == NULL)
		return;
	res->ar_rule = x.rm;
	res->ar_nr = (int32_t)x.rm_nr;
	res->ar_reason = ACL_R_MATCH;
	res->ar_quick = (uint8_t)x.quick;
	res->ar_quick_anchor = (uint8_t)x.quick_anchor;
	res->ar_action = x.rm->action == ACL_BLOCK ? ACL_BLOCK : ACL_PASS;
	res->ar_keep_state = x.rm->keep_state;
	res->ar_return = x.rm->rule_flag &
	    (ACL_RF_RETURNRST | ACL_RF_RETURNICMP | ACL_RF_RETURN);
	/* the deciding rule's own pools win (pf_test_rule()) */
	if (ref_pool_set(&x.rm->nat))
		res->ar_nat = x.rm;
	if (ref_pool_set(&x.rm->rdr))
		res->ar_rdr = x.rm;
	ref_actions(&res->ar_scrub, x.rm);
	res->ar_anchor_call = x.am;
	res->ar_anchor = x.rsm->path;
	res->ar_anchor_nr = x.rm->nr;
}

size_t
ref_hits(const struct ref_env *env, const struct acl_pkt *p,
    const struct acl_rule **hits, size_t max)
{
	struct ref_ctx x;

	memset(&x, 0, sizeof(x));
	x.hits = hits;
	x.maxhits = max;
	return ref_run(env, p, &x) ? x.nhits : 0;
}
