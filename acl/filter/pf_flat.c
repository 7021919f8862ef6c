/*
 * pf_flat.c: from the anchor tree of a parsed pf.conf to the flat entry
 * list of one (port, direction), with everything resolved that can be.
 *
 * pf evaluates anchors with a stack (pf_match_rule()); at load time the
 * same walk is unrolled: an anchor call becomes a CALL entry, then the
 * rules it reaches follow, each remembering which call must have matched
 * for it to be evaluated at all.  A CALL is tested once, at its position,
 * as in pf: its tag and its "tagged" see the packet as it was then.  Rules
 * whose "on" or direction cannot apply to this port and direction are left
 * out here, with the anchors they call, which keeps the per-port lists
 * short: a per-VM anchor only appears on that VM's port.
 *
 * Quick anchors: pf stops after an anchor called with "quick" when the last
 * pass/block rule that matched lies directly in that anchor (not in one it
 * calls; for "x/ *" in the child just evaluated).  Each entry keeps the end
 * of the invocation it lives in; a match there sets the point where the
 * evaluators stop.
 *
 * Each entry also gets its box per address family (see pf_filter_impl.h):
 * its own criteria intersected with those of the calls around it, the
 * region the tree cuts on.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/filter/pf_filter_impl.h"
#include "acl/pf.h"

#define ACL_FLAT_MAX	(1u << 22)	/* entries per (port, direction) */
#define ACL_TAG_MAX	0xffff

struct acl_tags {
	char		**name;
	size_t		  n, cap;
};

struct acl_tags *
acl_tags_new(void)
{
	return (calloc(1, sizeof(struct acl_tags)));
}

void
acl_tags_free(struct acl_tags *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t);
}

uint16_t
acl_tag_id(struct acl_tags *t, const char *name, int create)
{
	char **nn;
	size_t i;

	if (name == NULL || name[0] == '\0')
		return (0);
	for (i = 0; i < t->n; i++)
		if (strcmp(t->name[i], name) == 0)
			return ((uint16_t)(i + 1));
	if (!create || t->n >= ACL_TAG_MAX)
		return (0);
	if (t->n == t->cap) {
		nn = reallocarray(t->name, t->cap ? t->cap * 2 : 16,
		    sizeof(*nn));
		if (nn == NULL)
			return (0);
		t->name = nn;
		t->cap = t->cap ? t->cap * 2 : 16;
	}
	if ((t->name[t->n] = strdup(name)) == NULL)
		return (0);
	return ((uint16_t)++t->n);
}

const char *
acl_tag_name(const struct acl_tags *t, uint16_t id)
{
	if (id == 0 || id > t->n)
		return (NULL);
	return (t->name[id - 1]);
}

struct acl_fstate {
	struct acl_classifier	*c;
	const struct acl_ifinfo	*port;
	size_t			 cap;
	char			*err;
	size_t			 errlen;
};

static int
acl_err(struct acl_fstate *st, int error, const char *fmt, ...)
{
	va_list ap;

	if (st->err != NULL && st->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(st->err, st->errlen, fmt, ap);
		va_end(ap);
	}
	return (error);
}

/* the "on", direction and rdomain tests, decided for this port */
static int
acl_rule_applies(const struct acl_fstate *st, const struct acl_rule *r)
{
	if (r->ifname[0] != '\0' &&
	    acl_kif_match(st->port, r->ifname) == (r->ifnot != 0))
		return (0);
	if (r->direction != ACL_INOUT && r->direction != st->c->dir)
		return (0);
	/* sluice has one routing domain, 0 */
	if (r->onrdomain >= 0 && (r->onrdomain == 0) == (r->ifnot != 0))
		return (0);
	return (1);
}

static int
acl_addr_any(const struct acl_rule_addr *ra)
{
	static const union acl_ip zero;

	return (ra->addr.type == ACL_ADDR_ADDRMASK && !ra->neg &&
	    ra->port_op == ACL_OP_NONE &&
	    memcmp(&ra->addr.a.mask, &zero, sizeof(zero)) == 0);
}

/* An anchor call that tests nothing and tags nothing does nothing. */
static int
acl_call_trivial(const struct acl_rule *r)
{
	return (r->af == 0 && r->proto == 0 && acl_addr_any(&r->src) &&
	    acl_addr_any(&r->dst) && r->flagset == 0 && r->type == 0 &&
	    r->code == 0 && r->tos == 0 && r->prio == 0 && r->prob == 0 &&
	    r->pktrate.limit == 0 && r->tagname[0] == '\0' &&
	    r->match_tagname[0] == '\0' &&
	    r->rcv_ifname[0] == '\0' && r->os_fp == ACL_OSFP_ANY &&
	    r->uid.op == ACL_OP_NONE && r->gid.op == ACL_OP_NONE &&
	    !(r->rule_flag & ACL_RF_FRAGMENT) && r->keep_state == 0);
}

static int
acl_push(struct acl_fstate *st, const struct acl_rule *r,
    const struct acl_anchor *a, uint32_t *posp)
{
	struct acl_classifier *c = st->c;
	struct acl_ent *ne;
	size_t ncap;

	if (c->nent >= ACL_FLAT_MAX)
		return (acl_err(st, E2BIG, "more than %u rules for one port",
		    ACL_FLAT_MAX));
	if (c->nent == st->cap) {
		ncap = st->cap ? st->cap * 2 : 64;
		if ((ne = reallocarray(c->ent, ncap, sizeof(*ne))) == NULL)
			return (acl_err(st, ENOMEM, "out of memory"));
		c->ent = ne;
		st->cap = ncap;
	}
	ne = &c->ent[c->nent];
	memset(ne, 0, sizeof(*ne));
	ne->r = r;
	ne->anchor = a;
	ne->pos = (uint32_t)c->nent;
	ne->call = ne->need = ne->inv_end = ACL_POS_NONE;
	*posp = (uint32_t)c->nent++;
	return (0);
}

struct acl_frame {
	uint32_t	 call;		/* innermost call, or NONE */
	uint32_t	 need;		/* innermost non-trivial call */
	uint8_t		 need_slot;
	uint8_t		 nslot;		/* slots in use below */
	uint8_t		 depth;
	uint8_t		 inquick;
};

static int acl_flat_ruleset(struct acl_fstate *, const struct acl_anchor *,
	    const struct acl_frame *);

/* Evaluate one invocation of an anchor and close it. */
static int
acl_flat_invoke(struct acl_fstate *st, const struct acl_anchor *a,
    const struct acl_frame *f)
{
	struct acl_classifier *c = st->c;
	size_t start = c->nent, i;
	int error;

	if ((error = acl_flat_ruleset(st, a, f)) != 0)
		return (error);
	for (i = start; i < c->nent; i++)
		if (c->ent[i].call == f->call)
			c->ent[i].inv_end = (uint32_t)c->nent;
	return (0);
}

static int
acl_flat_ruleset(struct acl_fstate *st, const struct acl_anchor *a,
    const struct acl_frame *f)
{
	struct acl_classifier *c = st->c;
	const struct acl_rule *r;
	struct acl_frame cf;
	struct acl_ent *e;
	uint32_t pos = 0;
	size_t i, j;
	int error;

	for (i = 0; i < a->rs.nrules; i++) {
		r = &a->rs.rules[i];
		if (!acl_rule_applies(st, r))
			continue;
		if ((error = acl_push(st, r, a, &pos)) != 0)
			return (error);
		e = &c->ent[pos];
		e->call = f->call;
		e->need = f->need;
		e->need_slot = f->need_slot;
		e->depth = f->depth;
		if (f->inquick)
			e->flags |= E_INQUICK;
		if (f->call != ACL_POS_NONE && c->ent[f->call].r->quick)
			e->flags |= E_QUICKCALL;
		if (r->anchor == NULL) {
			e->kind = ACL_FLAT_RULE;
			continue;
		}
		e->kind = ACL_FLAT_CALL;
		if (f->depth + 1 > ACL_STACK_MAX)
			return (acl_err(st, EINVAL,
			    "anchor \"%s\": nested deeper than %d",
			    r->anchor_call, ACL_STACK_MAX));
		cf = *f;
		cf.call = pos;
		cf.depth = f->depth + 1;
		cf.inquick = f->inquick || r->quick;
		if (acl_call_trivial(r))
			e->flags |= E_TRIVIAL;
		else {
			e->slot = f->nslot;
			cf.need = pos;
			cf.need_slot = f->nslot;
			cf.nslot = f->nslot + 1;
			if (cf.nslot > c->nslots)
				c->nslots = cf.nslot;
		}
		if (!r->anchor_wildcard) {
			if ((error = acl_flat_invoke(st, r->anchor, &cf)) != 0)
				return (error);
			continue;
		}
		/* "x/ *": every child of x, in name order, one at a time */
		for (j = 0; j < r->anchor->nchild; j++)
			if ((error = acl_flat_invoke(st, r->anchor->child[j],
			    &cf)) != 0)
				return (error);
	}
	return (0);
}

/* Tables: the anchor's own, else the main ruleset's (pfr_attach_table) */
static struct acl_ltable *
acl_table_get(struct acl_fstate *st, const char *name, const char *anchor)
{
	struct acl_classifier *c = st->c;
	const struct acl_table *src = acl_table_find(c->conf, name, anchor);
	struct acl_ltable *t, **nt;
	const char *where = src != NULL ? src->anchor : "";
	size_t i;

	for (i = 0; i < c->ntbl; i++)
		if (strcmp(c->tbl[i]->name, name) == 0 &&
		    strcmp(c->tbl[i]->anchor, where) == 0)
			return (c->tbl[i]);
	if ((nt = reallocarray(c->tbl, c->ntbl + 1, sizeof(*nt))) == NULL)
		return (NULL);
	c->tbl = nt;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->anchor, sizeof(t->anchor), "%s", where);
	/* an undefined table is empty: it matches nothing */
	if (acl_ltable_build(t, src) != 0) {
		acl_ltable_free(t);
		return (NULL);
	}
	c->tbl[c->ntbl++] = t;
	return (t);
}

static int
acl_alen(uint8_t af)
{
	return (af == AF_INET6 ? 16 : 4);
}

/* the prefix length of a contiguous mask, -1 if not contiguous */
static int
acl_mask_plen(const union acl_ip *m, uint8_t af)
{
	int i, b, plen = 0, end = 0;

	for (i = 0; i < acl_alen(af); i++)
		for (b = 7; b >= 0; b--) {
			if (m->b[i] & (1 << b)) {
				if (end)
					return (-1);
				plen++;
			} else
				end = 1;
		}
	return (plen);
}

static void
acl_pfx_set(struct acl_pfx *p, uint8_t af, int plen, const union acl_ip *a)
{
	int i, bits;

	memset(p, 0, sizeof(*p));
	p->af = af;
	p->plen = (uint8_t)plen;
	for (i = 0, bits = plen; i < acl_alen(af); i++, bits -= 8) {
		if (bits >= 8)
			p->addr.b[i] = a->b[i];
		else if (bits > 0)
			p->addr.b[i] = a->b[i] & (uint8_t)(0xff << (8 - bits));
	}
}

/*
 * "(if)", "(if:network)", "(if:broadcast)", "(if:0)", "(group)", "(self)":
 * the addresses the ports have now (pfi_dynaddr_update()).  ":peer" has
 * nothing to resolve to: sluice has no point-to-point ports.
 */
static int
acl_dyn_resolve(struct acl_fstate *st, const struct acl_addr *a, uint8_t raf,
    struct acl_pfx **setp, uint32_t *np)
{
	const struct acl_classifier *c = st->c;
	const struct acl_ifinfo *ifp;
	const struct acl_ifaddr *ia;
	struct acl_pfx *set = NULL, *ns;
	union acl_ip bc;
	const char *name = a->ifname;
	size_t i;
	uint32_t n = 0;
	int j, k, req, plen, max, had[2];

	if (strcmp(name, "self") == 0)
		name = "all";
	for (i = 0; i < c->nifs; i++) {
		ifp = &c->ifs[i];
		if (!acl_kif_match(ifp, name))
			continue;
		had[0] = had[1] = 0;
		for (j = 0; j < ifp->naddrs && j < ACL_IF_MAXADDRS; j++) {
			ia = &ifp->addrs[j];
			if (ia->af != AF_INET && ia->af != AF_INET6)
				continue;
			if (raf && ia->af != raf)
				continue;
			/* pfi_instance_add(): :network skips link-local */
			if ((a->iflags & ACL_IFA_NETWORK) &&
			    ia->af == AF_INET6 && ia->addr.b[0] == 0xfe &&
			    (ia->addr.b[1] & 0xc0) == 0x80)
				continue;
			if ((a->iflags & ACL_IFA_NOALIAS) &&
			    had[ia->af == AF_INET6]++)
				continue;
			max = acl_alen(ia->af) * 8;
			req = acl_mask_plen(&a->a.mask, ia->af);
			if (req <= 0)
				req = max;
			plen = ia->plen > max ? max : ia->plen;
			if (a->iflags & ACL_IFA_PEER)
				continue;
			if ((ns = reallocarray(set, n + 1, sizeof(*ns))) ==
			    NULL) {
				free(set);
				return (acl_err(st, ENOMEM, "out of memory"));
			}
			set = ns;
			if (a->iflags & ACL_IFA_BROADCAST) {
				if (ia->af != AF_INET || plen >= 31)
					continue;
				bc = ia->addr;
				for (k = plen; k < 32; k++)
					bc.b[k / 8] |= (uint8_t)(0x80 >> (k % 8));
				acl_pfx_set(&set[n++], AF_INET, 32, &bc);
			} else if (a->iflags & ACL_IFA_NETWORK)
				acl_pfx_set(&set[n++], ia->af,
				    plen < req ? plen : req, &ia->addr);
			else
				acl_pfx_set(&set[n++], ia->af, req, &ia->addr);
		}
	}
	*setp = set;
	*np = n;
	return (0);
}

static int
acl_xaddr_resolve(struct acl_fstate *st, const struct acl_ent *e,
    const struct acl_rule_addr *ra, struct acl_xaddr *x)
{
	x->a = &ra->addr;
	x->type = ra->addr.type;
	x->neg = ra->neg != 0;
	switch (x->type) {
	case ACL_ADDR_TABLE:
		x->tbl = acl_table_get(st, ra->addr.tblname,
		    e->anchor != NULL ? e->anchor->path : "");
		if (x->tbl == NULL)
			return (acl_err(st, ENOMEM, "out of memory"));
		break;
	case ACL_ADDR_DYNIFTL:
		return (acl_dyn_resolve(st, &ra->addr, e->r->af, &x->set,
		    &x->nset));
	}
	return (0);
}

/* pools are unset when typed NONE (or left all zero by a hand-built rule) */
static int
acl_pool_set(const struct acl_pool *p)
{
	static const union acl_ip zero;

	if (p->addr.type == ACL_ADDR_NONE)
		return (0);
	if (p->addr.type == ACL_ADDR_ADDRMASK &&
	    memcmp(&p->addr.a.addr, &zero, sizeof(zero)) == 0 &&
	    memcmp(&p->addr.a.mask, &zero, sizeof(zero)) == 0)
		return (0);
	return (1);
}

static int
acl_ll6(const union acl_ip *a)
{
	return (a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80);
}

/* the address a pool hands out first, per family */
static int
acl_pool_resolve(struct acl_fstate *st, const struct acl_ent *e,
    const struct acl_pool *p, struct acl_pfx out[2], uint8_t ok[2])
{
	struct acl_ltable *t;
	struct acl_pfx *set = NULL;
	uint32_t n = 0, i;
	uint8_t af;
	int afi, v6, error;

	switch (p->addr.type) {
	case ACL_ADDR_ADDRMASK:
	case ACL_ADDR_RANGE:
		af = e->r->af;
		if (af == 0) {
			/* the family of a bare address: v4 uses 4 bytes */
			for (v6 = 0, i = 4; i < 16; i++)
				if (p->addr.a.addr.b[i])
					v6 = 1;
			af = v6 ? AF_INET6 : AF_INET;
		}
		afi = af == AF_INET6 ? ACL_AF6 : ACL_AF4;
		acl_pfx_set(&out[afi], af, acl_alen(af) * 8, &p->addr.a.addr);
		ok[afi] = 1;
		break;
	case ACL_ADDR_DYNIFTL:
		if ((error = acl_dyn_resolve(st, &p->addr, e->r->af, &set,
		    &n)) != 0)
			return (error);
		/* the first of each family; for IPv6 the first global one
		 * when there is one, as sluiced's NAT66 takes it */
		for (i = n; i-- > 0;) {
			afi = set[i].af == AF_INET6 ? ACL_AF6 : ACL_AF4;
			if (ok[afi] && afi == ACL_AF6 &&
			    acl_ll6(&set[i].addr) && !acl_ll6(&out[afi].addr))
				continue;
			out[afi] = set[i];
			ok[afi] = 1;
		}
		free(set);
		break;
	case ACL_ADDR_TABLE:
		t = acl_table_get(st, p->addr.tblname,
		    e->anchor != NULL ? e->anchor->path : "");
		if (t == NULL)
			return (acl_err(st, ENOMEM, "out of memory"));
		for (afi = 0; afi < 2; afi++)
			if (t->has_first[afi]) {
				out[afi] = t->first[afi];
				ok[afi] = 1;
			}
		break;
	}
	return (0);
}

/* Boxes */
static void
acl_box_full(struct acl_box *b, int afi)
{
	memset(b, 0, sizeof(*b));
	b->hi[0] = b->hi[1] = afi == ACL_AF4 ? 0xffffffffULL : UINT64_MAX;
	b->phi[0] = b->phi[1] = 0xffff;
	b->prhi = 0xff;
}

static void
acl_box_empty(struct acl_box *b)
{
	b->lo[0] = 1;
	b->hi[0] = 0;
	b->flags = B_EMPTY;
}

static void
acl_key_range(const union acl_ip *a, int plen, int afi, uint64_t *lo,
    uint64_t *hi, int *exact)
{
	int kb = afi == ACL_AF4 ? 32 : 64;
	uint64_t all = afi == ACL_AF4 ? 0xffffffffULL : UINT64_MAX;

	*lo = acl_ip_key(a, afi);
	if (plen >= kb) {
		*hi = *lo;
		if (plen > kb)
			*exact = 0;
	} else
		*hi = *lo | (all >> plen);
}

/* the key range of one side; returns 0 if it can never match */
static int
acl_side_range(const struct acl_xaddr *x, int afi, uint64_t *lo, uint64_t *hi,
    int *exact)
{
	uint8_t af = afi == ACL_AF4 ? AF_INET : AF_INET6;
	union acl_ip m;
	uint64_t l, h;
	uint32_t i;
	int plen, j, zero = 1, any = 0;

	switch (x->type) {
	case ACL_ADDR_ADDRMASK:
		for (j = 0; j < acl_alen(af); j++)
			if (x->a->a.mask.b[j])
				zero = 0;
		if (zero)
			return (!x->neg);	/* "! any" never matches */
		if (x->neg)
			break;
		if ((plen = acl_mask_plen(&x->a->a.mask, af)) < 0) {
			*exact = 0;
			break;
		}
		for (j = 0; j < 16; j++)
			m.b[j] = x->a->a.addr.b[j] & x->a->a.mask.b[j];
		acl_key_range(&m, plen, afi, lo, hi, exact);
		return (1);
	case ACL_ADDR_RANGE:
		if (x->neg)
			break;
		*lo = acl_ip_key(&x->a->a.addr, afi);
		*hi = acl_ip_key(&x->a->a.mask, afi);
		if (afi == ACL_AF6)
			*exact = 0;
		return (*lo <= *hi);
	case ACL_ADDR_TABLE:
		if (x->neg)
			break;
		*exact = 0;
		if (x->tbl == NULL || x->tbl->npos[afi] == 0)
			return (0);
		*lo = x->tbl->hull_lo[afi];
		*hi = x->tbl->hull_hi[afi];
		return (1);
	case ACL_ADDR_DYNIFTL:
		if (x->neg)
			break;
		*lo = UINT64_MAX;
		*hi = 0;
		for (i = 0; i < x->nset; i++) {
			if (x->set[i].af != af)
				continue;
			any++;
			acl_key_range(&x->set[i].addr, x->set[i].plen, afi, &l,
			    &h, exact);
			if (l < *lo)
				*lo = l;
			if (h > *hi)
				*hi = h;
		}
		if (any != 1)
			*exact = 0;
		return (any > 0);
	case ACL_ADDR_NONE:
		return (1);
	case ACL_ADDR_NOROUTE:
	case ACL_ADDR_URPFFAILED:
		break;		/* the routes decide, at match time */
	default:	/* route label */
		return (x->neg);
	}
	*exact = 0;
	return (1);
}

/* the port range of an operator; returns 0 if empty, *exact = 0 if holes */
static int
acl_port_range(uint8_t op, uint16_t a1, uint16_t a2, uint16_t *lo,
    uint16_t *hi, int *exact)
{
	switch (op) {
	case ACL_OP_NONE:
		return (1);
	case ACL_OP_EQ:
		*lo = *hi = a1;
		return (1);
	case ACL_OP_LT:
		*hi = a1 - 1;
		return (a1 > 0);
	case ACL_OP_LE:
		*hi = a1;
		return (1);
	case ACL_OP_GT:
		*lo = a1 + 1;
		return (a1 < 0xffff);
	case ACL_OP_GE:
		*lo = a1;
		return (1);
	case ACL_OP_RRG:
		*lo = a1;
		*hi = a2;
		return (a1 <= a2);
	case ACL_OP_IRG:
		*lo = a1 + 1;
		*hi = a2 - 1;
		return (a2 > a1 + 1);
	}
	*exact = 0;		/* != and <>: two ranges, tested in full */
	return (1);
}

static void
acl_box_make(struct acl_ent *e, int afi, struct acl_box *b)
{
	const struct acl_rule *r = e->r;
	uint8_t af = afi == ACL_AF4 ? AF_INET : AF_INET6;
	int exact = 1, ok = 1;

	acl_box_full(b, afi);
	if (r->af && r->af != af) {
		acl_box_empty(b);
		return;
	}
	if (r->proto)
		b->prlo = b->prhi = r->proto;
	ok &= acl_side_range(&e->src, afi, &b->lo[0], &b->hi[0], &exact);
	ok &= acl_side_range(&e->dst, afi, &b->lo[1], &b->hi[1], &exact);
	if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
		ok &= acl_port_range(r->src.port_op, r->src.port[0],
		    r->src.port[1], &b->plo[0], &b->phi[0], &exact);
		ok &= acl_port_range(r->dst.port_op, r->dst.port[0],
		    r->dst.port[1], &b->plo[1], &b->phi[1], &exact);
		if (r->src.port_op || r->dst.port_op)
			b->flags |= B_PORTS;
	} else if (r->src.port_op || r->dst.port_op)
		exact = 0;
	if (!ok) {
		acl_box_empty(b);
		return;
	}
	if (r->flagset && (r->proto == 0 || r->proto == IPPROTO_TCP)) {
		b->tflags = r->flags;
		b->tflagset = r->flagset;
	} else if (r->flagset)
		exact = 0;
	if (r->keep_state && !(r->rule_flag & ACL_RF_STATESLOPPY) &&
	    (r->proto == 0 || r->proto == IPPROTO_ICMP ||
	    r->proto == IPPROTO_ICMPV6))
		b->flags |= B_ICMPSTATE;
	if (r->type || r->code || r->tos || r->prob || e->match_tag ||
	    r->rcv_ifname[0] != '\0' || r->prio || r->uid.op || r->gid.op ||
	    (r->rule_flag & ACL_RF_FRAGMENT) || (e->flags & E_LIVE) ||
	    r->os_fp != ACL_OSFP_ANY)
		exact = 0;
	if (exact)
		b->flags |= B_EXACT;
}

/* narrow b to the box of the call around it */
static void
acl_box_and(struct acl_box *b, const struct acl_box *cb)
{
	int i;

	if (b->flags & B_EMPTY)
		return;
	if (cb->flags & B_EMPTY) {
		acl_box_empty(b);
		return;
	}
	for (i = 0; i < 2; i++) {
		if (cb->lo[i] > b->lo[i])
			b->lo[i] = cb->lo[i];
		if (cb->hi[i] < b->hi[i])
			b->hi[i] = cb->hi[i];
		if (cb->plo[i] > b->plo[i])
			b->plo[i] = cb->plo[i];
		if (cb->phi[i] < b->phi[i])
			b->phi[i] = cb->phi[i];
	}
	if (cb->prlo > b->prlo)
		b->prlo = cb->prlo;
	if (cb->prhi < b->prhi)
		b->prhi = cb->prhi;
	if (b->lo[0] > b->hi[0] || b->lo[1] > b->hi[1] ||
	    b->plo[0] > b->phi[0] || b->plo[1] > b->phi[1] ||
	    b->prlo > b->prhi)
		acl_box_empty(b);
}

static int
acl_resolve(struct acl_fstate *st)
{
	struct acl_classifier *c = st->c;
	struct acl_ent *e;
	const struct acl_rule *r;
	uint32_t *nx;
	size_t i;
	int afi, error, xlate = 0;

	for (i = 0; i < c->nent; i++) {
		e = &c->ent[i];
		r = e->r;
		if ((error = acl_xaddr_resolve(st, e, &r->src, &e->src)) != 0 ||
		    (error = acl_xaddr_resolve(st, e, &r->dst, &e->dst)) != 0)
			return (error);
		if (r->tagname[0] != '\0' &&
		    (e->tag = acl_tag_id(c->tags, r->tagname, 1)) == 0)
			return (acl_err(st, EINVAL, "too many tags"));
		if (r->match_tagname[0] != '\0' &&
		    (e->match_tag = acl_tag_id(c->tags, r->match_tagname,
		    1)) == 0)
			return (acl_err(st, EINVAL, "too many tags"));
		if (e->kind == ACL_FLAT_RULE && acl_rule_scrubs(r))
			e->flags |= E_SCRUB;
		if (r->pktrate.limit != 0 || (e->kind == ACL_FLAT_RULE &&
		    (r->rule_flag & ACL_RF_ONCE)))
			e->flags |= E_LIVE;
		if (e->kind == ACL_FLAT_RULE && acl_pool_set(&r->nat)) {
			e->flags |= E_NAT;
			if ((error = acl_pool_resolve(st, e, &r->nat, e->nat,
			    e->nat_ok)) != 0)
				return (error);
		}
		if (e->kind == ACL_FLAT_RULE && acl_pool_set(&r->rdr)) {
			e->flags |= E_RDR;
			if ((error = acl_pool_resolve(st, e, &r->rdr, e->rdr,
			    e->rdr_ok)) != 0)
				return (error);
		}
		/*
		 * After a match rule translated the packet, the calls around
		 * a rule were tested on another packet: their boxes no
		 * longer bound it.
		 */
		if (xlate)
			e->flags |= E_AFTERXLATE;
		/*
		 * Where acl_prune() must not reach across: translating match
		 * rules, and "match quick", which ends the evaluation before
		 * the rules after it could decide.
		 */
		if (e->kind == ACL_FLAT_RULE && r->action == ACL_MATCH &&
		    ((e->flags & (E_NAT | E_RDR)) || r->quick)) {
			if (e->flags & (E_NAT | E_RDR))
				xlate = 1;
			nx = reallocarray(c->xlate, c->nxlate + 1,
			    sizeof(*nx));
			if (nx == NULL)
				return (acl_err(st, ENOMEM, "out of memory"));
			c->xlate = nx;
			c->xlate[c->nxlate++] = (uint32_t)i;
		}
		for (afi = 0; afi < 2; afi++) {
			acl_box_make(e, afi, &c->box[afi][i]);
			if (e->call != ACL_POS_NONE &&
			    !(e->flags & E_AFTERXLATE))
				acl_box_and(&c->box[afi][i],
				    &c->box[afi][e->call]);
		}
	}
	return (0);
}

/* what acl_result_make() reports of entry i when it decides */
static void
acl_dec_make(struct acl_classifier *c, size_t i)
{
	const struct acl_ent *e = &c->ent[i];
	struct acl_dec *d = &c->dec[i];

	d->r = e->r;
	d->call = e->call == ACL_POS_NONE ? NULL : c->ent[e->call].r;
	d->anchor = e->anchor != NULL ? e->anchor->path : "";
	d->ret = e->r->rule_flag &
	    (ACL_RF_RETURNRST | ACL_RF_RETURNICMP | ACL_RF_RETURN);
	d->anchor_nr = e->r->nr;
	d->action = e->r->action == ACL_BLOCK ? ACL_BLOCK : ACL_PASS;
	d->keep_state = e->r->keep_state;
	d->flags = e->flags & (E_NAT | E_RDR | E_SCRUB);
}

static int
acl_port_skipped(const struct acl_conf *conf, const struct acl_ifinfo *ifp)
{
	size_t i;

	for (i = 0; i < conf->nskip; i++)
		if (conf->skip[i] != NULL && acl_kif_match(ifp, conf->skip[i]))
			return (1);
	return (0);
}

int
acl_compile(const struct acl_compile_args *args, struct acl_classifier **cp,
    char *err, size_t errlen)
{
	struct acl_classifier *c;
	struct acl_fstate st;
	struct acl_frame f;
	size_t i;
	int error, afi;

	*cp = NULL;
	memset(&st, 0, sizeof(st));
	st.err = err;
	st.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (args->conf == NULL || args->port >= args->nifs ||
	    (args->dir != ACL_IN && args->dir != ACL_OUT))
		return (acl_err(&st, EINVAL, "bad compile arguments"));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (acl_err(&st, ENOMEM, "out of memory"));
	st.c = c;
	c->conf = args->conf;
	c->dir = args->dir;
	c->linear = (args->flags & ACL_COMPILE_LINEAR) != 0;
	if ((c->ifs = calloc(args->nifs, sizeof(*c->ifs))) == NULL) {
		error = acl_err(&st, ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(c->ifs, args->ifs, args->nifs * sizeof(*c->ifs));
	c->nifs = args->nifs;
	st.port = &c->ifs[args->port];
	c->nat = args->nat;
	c->nat_arg = args->nat_arg;
	c->live = args->live;
	c->live_arg = args->live_arg;
	c->route = args->route;
	c->route_arg = args->route_arg;
	c->port = (int)args->port;
	if ((c->tags = args->tags) == NULL) {
		if ((c->tags = acl_tags_new()) == NULL) {
			error = acl_err(&st, ENOMEM, "out of memory");
			goto fail;
		}
		c->own_tags = 1;
	}
	c->skip = acl_port_skipped(c->conf, st.port);

	memset(&f, 0, sizeof(f));
	f.call = f.need = ACL_POS_NONE;
	if (c->conf->root != NULL &&
	    (error = acl_flat_ruleset(&st, c->conf->root, &f)) != 0)
		goto fail;
	for (afi = 0; afi < 2; afi++)
		if ((c->box[afi] = calloc(c->nent ? c->nent : 1,
		    sizeof(struct acl_box))) == NULL) {
			error = acl_err(&st, ENOMEM, "out of memory");
			goto fail;
		}
	if ((error = acl_resolve(&st)) != 0)
		goto fail;

	if ((c->flat.f_rules = calloc(c->nent ? c->nent : 1,
	    sizeof(*c->flat.f_rules))) == NULL) {
		error = acl_err(&st, ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < c->nent; i++) {
		c->flat.f_rules[i].fr_rule = c->ent[i].r;
		c->flat.f_rules[i].fr_anchor = c->ent[i].anchor;
		c->flat.f_rules[i].fr_call = c->ent[i].call == ACL_POS_NONE ?
		    NULL : c->ent[c->ent[i].call].r;
		c->flat.f_rules[i].fr_kind = c->ent[i].kind;
		c->flat.f_rules[i].fr_depth = c->ent[i].depth;
	}
	c->flat.f_n = c->nent;
	if ((c->dec = calloc(c->nent ? c->nent : 1, sizeof(*c->dec))) ==
	    NULL) {
		error = acl_err(&st, ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < c->nent; i++)
		acl_dec_make(c, i);
	if (c->conf->root != NULL) {
		c->rootrules = c->conf->root->rs.rules;
		c->rootpath = c->conf->root->path;
	}

	/* tree records hold positions in 24 bits */
	if (c->nent >= ACL_NENT_MAX)
		c->linear = 1;
	if (!c->linear)
		for (i = 0; i < 4; i++) {
			error = acl_tree_build(c, (int)i / 2, (int)i % 2);
			if (error == EFBIG) {
				/* too many leaves to number: no trees */
				for (i = 0; i < 2 * 2 * ACL_NSUB; i++)
					acl_tree_free(&c->tree[i /
					    (2 * ACL_NSUB)][i / ACL_NSUB % 2]
					    [i % ACL_NSUB]);
				memset(c->nlook, 0, sizeof(c->nlook));
				c->linear = 1;
				break;
			}
			if (error != 0) {
				acl_err(&st, error, "out of memory");
				goto fail;
			}
		}
	*cp = c;
	return (0);
fail:
	acl_classifier_free(c);
	return (error);
}

void
acl_classifier_free(struct acl_classifier *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nent; i++) {
		free(c->ent[i].src.set);
		free(c->ent[i].dst.set);
	}
	free(c->ent);
	free(c->box[0]);
	free(c->box[1]);
	for (i = 0; i < c->ntbl; i++)
		acl_ltable_free(c->tbl[i]);
	free(c->tbl);
	free(c->ifs);
	free(c->flat.f_rules);
	free(c->dec);
	if (c->own_tags)
		acl_tags_free(c->tags);
	for (i = 0; i < 2 * 2 * ACL_NSUB; i++)
		acl_tree_free(&c->tree[i / (2 * ACL_NSUB)][i / ACL_NSUB % 2]
		    [i % ACL_NSUB]);
	free(c->xlate);
	free(c);
}

const struct acl_flat *
acl_classifier_flat(const struct acl_classifier *c)
{
	return (&c->flat);
}

void
acl_classifier_stats(const struct acl_classifier *c, struct acl_tree_stats *s)
{
	const struct acl_tree *t;
	size_t i;
	int afi;

	memset(s, 0, sizeof(*s));
	s->entries = c->nent;
	s->bytes = sizeof(*c) + c->nent * (sizeof(struct acl_ent) +
	    2 * sizeof(struct acl_box) + sizeof(struct acl_flat_rule) +
	    sizeof(struct acl_dec)) +
	    c->nifs * sizeof(struct acl_ifinfo);
	for (i = 0; i < c->nent; i++)
		s->bytes += (c->ent[i].src.nset + c->ent[i].dst.nset) *
		    sizeof(struct acl_pfx);
	for (i = 0; i < c->ntbl; i++)
		s->bytes += sizeof(struct acl_ltable) + ((size_t)c->tbl[i]->mask[0] +
		    c->tbl[i]->mask[1] + 2) * sizeof(struct acl_lslot);
	for (afi = 0; afi < 2 * 2 * ACL_NSUB; afi++) {
		t = &c->tree[afi / (2 * ACL_NSUB)][afi / ACL_NSUB % 2]
		    [afi % ACL_NSUB];
		s->nodes += t->nnode + t->leaves;
		s->leaves += t->leaves;
		s->leaf_refs += t->nref;
		if (t->max_leaf > s->max_leaf)
			s->max_leaf = t->max_leaf;
		if (t->max_depth > s->max_depth)
			s->max_depth = t->max_depth;
		s->budget_hit |= t->budget_hit;
		s->bytes += t->capnode * (afi / ACL_NSUB % 2 == ACL_AF4 ?
		    sizeof(struct acl_node4) : sizeof(struct acl_node6)) +
		    t->nrec *
		    (afi / ACL_NSUB % 2 == ACL_AF4 ? sizeof(struct acl_rec4) :
		    sizeof(struct acl_rec6));
	}
}
