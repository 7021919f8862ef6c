/*
 * The router's IPv6 half: static configuration only, as an OpenBSD router
 * with inet6 lines in hostname.if(5) and an IPv6 line in mygate(5).  The
 * input path is router.c's straight line with ip6_input()/ip6_forward()'s
 * steps: ND (beside pf, as ARP is); multicast is not routed; pf in; for
 * us (echo reply, else an error or a drop; with forwarding off only on the
 * interface that holds the address); link-local never forwarded;
 * net.inet6.ip6.forwarding; hop limit; route; hop limit decrement; pf out;
 * MTU (packet too big: a router never fragments IPv6); ND resolve; send.
 * Every exit that is not a send counts its reason and leaves a trace line.
 *
 * Neighbour discovery mirrors ARP's design in router.c: a cache per
 * (interface, address) with a small hold queue per unresolved next hop,
 * driven once a second by router6_tick(); fwd/nd6.c holds the pure parts
 * (messages, checksums, the table).  ND messages pass beside pf like ARP
 * does in sluice: a "block all" policy written for IPv4 must not cut the
 * router off its IPv6 neighbours (OpenBSD's pf does see them; see the
 * README's limits).
 *
 * pf does not translate IPv6 (no NAT66), so nothing pf out does changes
 * where a routed IPv6 packet goes: unlike the IPv4 path, there is no
 * second route lookup after pf out.
 *
 * Link-local addresses are scoped to their interface: fe80::/64 is never
 * in the route table (it would be the same prefix on every interface);
 * a packet for our link-local address is ours only on the interface that
 * holds it, and a link-local gateway names its interface.
 */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_ast.h"
#include "dataplane/dp.h"
#include "dataplane/router.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"
#include "fwd/nd6.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

/* An address as ndp and netstat print it: link-local with %IF. */
const char *
ip6str(const uint8_t *a, const struct rif *r, char *buf)
{
	char t[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, t, sizeof(t));
	if (r != NULL && in6_is_linklocal(a))
		snprintf(buf, IP6STR, "%s%%%s", t, r->port->name);
	else
		snprintf(buf, IP6STR, "%s", t);
	return buf;
}

static int
route6_new(struct router *rt, const uint8_t *dst, uint8_t plen,
    const uint8_t *gw, int rif, uint32_t flags, uint8_t prio)
{
	struct route6 *r;
	uint32_t id;
	int error;

	for (id = 0; id < rt->nroutes6; id++)
		if (!rt->routes6[id].used)
			break;
	if (id == rt->nroutes6) {
		if (rt->nroutes6 == rt->cap6) {
			uint32_t n = rt->cap6 ? rt->cap6 * 2 : 32;
			struct route6 *nr = realloc(rt->routes6,
			    n * sizeof(*nr));

			if (nr == NULL)
				return ENOMEM;
			rt->routes6 = nr;
			rt->cap6 = n;
		}
		rt->nroutes6++;
	}
	if ((error = lpm6_add(&rt->lpm6, dst, plen, id + 1)) != 0)
		return error;
	r = &rt->routes6[id];
	memset(r, 0, sizeof(*r));
	memcpy(r->dst, dst, 16);
	in6_mask(r->dst, plen);
	memcpy(r->gw, gw, 16);
	r->plen = plen;
	r->rif = (int8_t)rif;
	r->flags = flags | RTF_UP;
	r->prio = prio;
	r->used = 1;
	return 0;
}

/*
 * An IPv6 address on a rif and its connected route (UCn, priority 4);
 * the first one turns IPv6 on for the rif: its link-local address.
 */
int
router6_add_addr(struct router *rt, struct rif *r, const uint8_t *addr,
    uint8_t plen)
{
	int k;

	if (r->naddrs6 == ROUTER_MAX_ADDRS || plen == 0 || plen > 128)
		return ENOSPC;
	for (k = 0; k < r->naddrs6; k++)
		if (memcmp(r->addrs6[k].addr, addr, 16) == 0)
			return EEXIST;
	if (!r->inet6) {
		r->inet6 = 1;
		in6_linklocal(r->ll6, r->mac);
		r->ll6_dad = DAD_TENTATIVE;
	}
	memcpy(r->addrs6[r->naddrs6].addr, addr, 16);
	r->addrs6[r->naddrs6].plen = plen;
	r->addrs6[r->naddrs6].dad = DAD_TENTATIVE;
	r->naddrs6++;
	if (lpm6_find(&rt->lpm6, addr, plen) != NULL)
		return 0;	/* a second address on the same prefix */
	return route6_new(rt, addr, plen, addr, (int)(r - rt->rifs),
	    RTF_CLONING | RTF_CONNECTED, 4);
}

/*
 * ifconfig IF inet6 ADDR delete: the address goes, and its connected
 * route with it unless another address of r holds the prefix (then the
 * route names that one).  ADDR NULL (-inet6): every address, and IPv6
 * off for r, its link-local address too.
 */
int
router6_del_addr(struct router *rt, struct rif *r, const uint8_t *addr)
{
	const struct lpm6_route *lr;
	uint8_t gone[16], plen;
	int k, j;

	if (addr == NULL) {
		while (r->naddrs6 > 0)
			router6_del_addr(rt, r, r->addrs6[0].addr);
		r->inet6 = 0;
		return 0;
	}
	for (k = 0; k < r->naddrs6; k++)
		if (memcmp(r->addrs6[k].addr, addr, 16) == 0)
			break;
	if (k == r->naddrs6)
		return ESRCH;
	memcpy(gone, addr, 16);
	plen = r->addrs6[k].plen;
	memmove(&r->addrs6[k], &r->addrs6[k + 1],
	    (size_t)(r->naddrs6 - k - 1) * sizeof(r->addrs6[0]));
	r->naddrs6--;
	if ((lr = lpm6_find(&rt->lpm6, gone, plen)) == NULL ||
	    !(rt->routes6[lr->nh - 1].flags & RTF_CONNECTED) ||
	    rt->routes6[lr->nh - 1].rif != (int)(r - rt->rifs))
		return 0;
	for (j = 0; j < r->naddrs6; j++)
		if (r->addrs6[j].plen == plen &&
		    in6_prefix_eq(r->addrs6[j].addr, gone, plen)) {
			memcpy(rt->routes6[lr->nh - 1].gw, r->addrs6[j].addr,
			    16);
			return 0;
		}
	rt->routes6[lr->nh - 1].used = 0;
	lpm6_delete(&rt->lpm6, gone, plen);
	return 0;
}

/*
 * A static route (UGS, priority 8).  A global gateway must be on a
 * connected prefix; a link-local one needs its interface (gr).
 */
int
router6_route_add(struct router *rt, const uint8_t *dst, uint8_t plen,
    const uint8_t *gw, struct rif *gr, char *err, size_t errlen)
{
	char a[IP6STR];
	uint32_t id;
	int rif;

	if (in6_is_linklocal(gw)) {
		if (gr == NULL || !gr->inet6) {
			snprintf(err, errlen, "gateway %s: link-local, on no "
			    "interface with inet6", ip6str(gw, NULL, a));
			return EHOSTUNREACH;
		}
		rif = (int)(gr - rt->rifs);
	} else {
		id = lpm6_lookup(&rt->lpm6, gw);
		if (id == LPM6_NH_NONE ||
		    !(rt->routes6[id - 1].flags & RTF_CONNECTED)) {
			snprintf(err, errlen, "gateway %s is on no connected "
			    "network", ip6str(gw, NULL, a));
			return EHOSTUNREACH;
		}
		rif = rt->routes6[id - 1].rif;
	}
	if (lpm6_find(&rt->lpm6, dst, plen) != NULL) {
		snprintf(err, errlen, "route exists");
		return EEXIST;
	}
	return route6_new(rt, dst, plen, gw, rif, RTF_GATEWAY | RTF_STATIC,
	    8);
}

int
router6_route_delete(struct router *rt, const uint8_t *dst, uint8_t plen)
{
	const struct lpm6_route *lr = lpm6_find(&rt->lpm6, dst, plen);
	uint32_t id;

	if (lr == NULL)
		return ESRCH;
	id = lr->nh;
	if (rt->routes6[id - 1].flags & RTF_CONNECTED)
		return EPERM;
	lpm6_delete(&rt->lpm6, dst, plen);
	rt->routes6[id - 1].used = 0;
	return 0;
}

void
router6_fini(struct router *rt)
{
	uint32_t i;
	int k;

	if (rt->nd6 != NULL)
		for (i = 0; i < ND6_SLOTS; i++)
			for (k = 0; k < rt->nd6->e[i].nq; k++)
				pkt_free(&rt->dp->pool, rt->nd6->e[i].q[k]);
	free(rt->nd6);
	rt->nd6 = NULL;
	for (k = 0; k < rt->nrifs; k++) {
		free(rt->rifs[k].rad);
		rt->rifs[k].rad = NULL;
		free(rt->rifs[k].slaac);
		rt->rifs[k].slaac = NULL;
	}
	free(rt->routes6);
	rt->routes6 = NULL;
	lpm6_fini(&rt->lpm6);
}

/* Is a on rif r (link-local: only r's own; global: any of r's)? */
static int
rif_has6(const struct rif *r, const uint8_t *a)
{
	int k;

	if (!r->inet6)
		return 0;
	if (memcmp(a, r->ll6, 16) == 0)
		return r->ll6_dad != DAD_DUPLICATED;
	for (k = 0; k < r->naddrs6; k++)
		if (memcmp(r->addrs6[k].addr, a, 16) == 0)
			return r->addrs6[k].dad != DAD_DUPLICATED;
	return 0;
}

/* The DAD state of r's address a (duplicated ones too), or NULL. */
static uint8_t *
rif_dad(struct rif *r, const uint8_t *a)
{
	int k;

	if (!r->inet6)
		return NULL;
	if (memcmp(a, r->ll6, 16) == 0)
		return &r->ll6_dad;
	for (k = 0; k < r->naddrs6; k++)
		if (memcmp(r->addrs6[k].addr, a, 16) == 0)
			return &r->addrs6[k].dad;
	return NULL;
}

/*
 * Is dst, arriving on r, one of ours?  The rif holding it, or NULL.  A
 * link-local address is ours only on its own link.
 */
static struct rif *
router6_local(struct router *rt, struct rif *r, const uint8_t *dst)
{
	int i;

	if (in6_is_linklocal(dst))
		return rif_has6(r, dst) ? r : NULL;
	for (i = 0; i < rt->nrifs; i++)
		if (rif_has6(&rt->rifs[i], dst))
			return &rt->rifs[i];
	return NULL;
}

/*
 * Our source address towards dst on rif r: link-local for a link-local
 * destination, else the address on dst's prefix, else the first global
 * one (RFC 6724's rules 2 and 5 in short: same scope, the outgoing
 * interface), else link-local.
 */
static const uint8_t *
rif_src6(const struct rif *r, const uint8_t *dst)
{
	int k;

	if (in6_is_linklocal(dst) || r->naddrs6 == 0)
		return r->ll6;
	for (k = 0; k < r->naddrs6; k++)
		if (r->addrs6[k].dad != DAD_DUPLICATED &&
		    in6_prefix_eq(r->addrs6[k].addr, dst, r->addrs6[k].plen))
			return r->addrs6[k].addr;
	for (k = 0; k < r->naddrs6; k++)
		if (r->addrs6[k].dad != DAD_DUPLICATED)
			return r->addrs6[k].addr;
	return r->ll6;
}

static void
nd6_solicit(struct router *rt, struct rif *r, const uint8_t *target,
    const uint8_t *dmac)
{
	struct pkt *p;

	if ((p = router_alloc_ll(rt, r)) == NULL)
		return;
	/* dmac NULL: multicast to the solicited-node group; else a probe. */
	p->len = nd6_ns_build(p->data, r->mac, rif_src6(r, target), target,
	    dmac, dmac != NULL ? target : NULL);
	rt->c[ROUTER_C_ND_SOLICITS]++;
	router_rif_send(rt, r, p);
}

static void
nd6_drop(struct router *rt, struct pkt *p, int reason, const char *why,
    const uint8_t *nh, const struct rif *r)
{
	char a[IP6STR];

	rt->c[reason]++;
	if (p->traced)
		dp_trace(rt->dp, p, "nd6", "drop: %s %s on %s", why,
		    ip6str(nh, r, a), r->port->name);
	pkt_free(&rt->dp->pool, p);
}

/*
 * Send p to next hop nh on rif r, resolving its MAC first; consumes p.
 * As nd6_resolve(): a usable entry is used (a stale one starts its delay
 * before the probe); an unknown next hop is solicited and its packets
 * held, ND6_QLEN of them.
 */
void
router6_resolve(struct router *rt, struct rif *r, const uint8_t *nh,
    struct pkt *p)
{
	uint16_t rif = (uint16_t)(r - rt->rifs);
	struct nd6_entry *e = nd6_lookup(rt->nd6, rif, nh);
	char a[IP6STR];

	if (e == NULL && (e = nd6_insert(rt->nd6, rif, nh)) == NULL) {
		nd6_drop(rt, p, ROUTER_C_DROP_ND_FULL, "neighbour cache full, "
		    "cannot resolve", nh, r);
		return;
	}
	if (nd6_usable(e)) {
		if (e->state == ND6_STALE) {
			e->state = ND6_DELAY;
			e->tries = 0;
			e->expire = rt->dp->now + ND6_DELAY_TIME;
		}
		memcpy(p->data, e->mac, 6);
		router_rif_send(rt, r, p);
		return;
	}
	if (e->tries == 0) {
		e->tries = 1;
		e->expire = rt->dp->now + 1;
		nd6_solicit(rt, r, nh, NULL);
	}
	if (e->nq == ND6_QLEN || rt->nd6q >= ROUTER_ARPQ_MAX) {
		nd6_drop(rt, p, ROUTER_C_DROP_ND_QUEUE, "too many packets "
		    "waiting for", nh, r);
		return;
	}
	if (p->traced)
		dp_trace(rt->dp, p, "nd6", "waiting for %s on %s",
		    ip6str(nh, r, a), r->port->name);
	e->q[e->nq++] = p;
	rt->nd6q++;
}

static void
nd6_release(struct router *rt, struct nd6_entry *e)
{
	int k;

	for (k = 0; k < e->nq; k++) {
		memcpy(e->q[k]->data, e->mac, 6);
		rt->nd6q--;
		router_rif_send(rt, &rt->rifs[e->rif], e->q[k]);
	}
	e->nq = 0;
}

/*
 * A packet af-to made IPv6 is too big for ro: its sender, on the IPv4
 * side, learns of it as of any IPv6 router's packet too big about it
 * (RFC 7915 4.4's needfrag, as pf_test_state_icmp() translates it): one
 * from us, about the packet as it would have left, goes through pf in on
 * ro, where the af-to state makes it a needfrag with an MTU 20 bytes
 * less, to the IPv4 sender, forwarded as af-to's packets are.
 */
static void
router6_afto_toobig(struct router *rt, struct rif *ro, const struct pkt *q)
{
	const uint8_t *ip = q->data + ETHER_HDR_LEN;
	uint32_t seg = q->off.gso_type != 0 ? (uint32_t)q->off.hdr_len -
	    ETHER_HDR_LEN + q->off.gso_size : q->len - ETHER_HDR_LEN;
	uint8_t head[40 + 64];
	struct pkt *p;

	if (!ro->inet6 || !router_icmp_allowed(rt, 1) ||
	    (p = router_alloc(rt)) == NULL)
		return;
	/* the quote as the first segment would have been */
	memcpy(head, ip, seg < sizeof(head) ? seg : sizeof(head));
	ether_put16(head + 4, (uint16_t)(seg - 40));
	p->len = icmp6_error_build(p->data, PKT_DATA_MAX, head, seg <
	    sizeof(head) ? seg : sizeof(head), ICMP6_PACKET_TOO_BIG, 0,
	    rif_src6(ro, ip + 8), ro->port->mtu);
	router_afto_error(rt, ro, p, q, 4, ROUTER_C_ICMP6_ERRORS);
}

/*
 * pf_route6()'s size check: a packet, or an af-to GSO frame's segments
 * (20 bytes longer than their IPv4 ones), too big for ro is dropped, as
 * no IPv6 router fragments; an af-to packet's IPv4 sender is told.
 * 1 when q was (and is freed).
 */
int
router6_pf_toobig(struct router *rt, struct rif *ro, struct pkt *q, int afto)
{
	uint32_t len = q->off.gso_type == 0 ? q->len - ETHER_HDR_LEN :
	    afto ? (uint32_t)q->off.hdr_len - ETHER_HDR_LEN +
	    q->off.gso_size : 0;

	if (len <= ro->port->mtu)
		return 0;
	rt->c[ROUTER_C_DROP_TOOBIG]++;
	if (q->traced)
		dp_trace(rt->dp, q, "router6", "drop: pf's %s: %u bytes > mtu "
		    "%u of %s%s", afto ? "af-to" : "route-to", len,
		    ro->port->mtu, ro->port->name, afto ? ": its IPv4 sender "
		    "told" : "");
	if (afto)
		router6_afto_toobig(rt, ro, q);
	pkt_free(&rt->dp->pool, q);
	return 1;
}

/* router_afto()'s routing of a packet af-to made IPv6. */
void
router6_afto(struct router *rt, struct pkt *p)
{
	p->pf_rt_af = 6;
	p->pf_rt_dup = 0;
	memcpy(p->pf_rt6, p->data + ETHER_HDR_LEN + 24, 16);
	(void)router_pf_route(rt, NULL, p, ETHER_HDR_LEN);
}

/*
 * ip6_fragment(): send the datagram in p (hlen bytes of unfragmentable
 * part, the next header byte naming what follows it at nhoff) as
 * fragments of at most flen bytes of payload each (a multiple of 8),
 * under id, out of ro to nh.  0, or -1 when a buffer ran out (the pieces
 * sent before went).
 */
static int
router6_fragments(struct router *rt, struct rif *ro, const uint8_t *nh,
    const struct pkt *p, uint32_t hlen, uint32_t nhoff, uint32_t flen,
    uint32_t id)
{
	const uint8_t *ip = p->data + ETHER_HDR_LEN;
	uint32_t len = 40u + ether_get16(ip + 4), off, n;
	struct pkt *f;

	for (off = 0; off < len - hlen; off += flen) {
		n = len - hlen - off < flen ? len - hlen - off : flen;
		if ((f = router_piece(rt, p, ETHER_HDR_LEN)) == NULL)
			return -1;
		f->len = ETHER_HDR_LEN + ip6_frag_build(f->data +
		    ETHER_HDR_LEN, ip, hlen, nhoff, id, off, n);
		rt->c[ROUTER_C_FRAGMENTS6]++;
		router6_resolve(rt, ro, nh, f);
	}
	return 0;
}

/*
 * Route an IPv6 packet of ours (an untagged frame) and send it; consumes
 * p.  A link-local destination leaves by r, the interface it concerns.
 */
static void
router6_output(struct router *rt, struct rif *r, struct pkt *p,
    const uint8_t *dst)
{
	const uint8_t *nh = dst;
	struct route6 *rte;
	struct rif *ro = r;
	char a[IP6STR];
	uint32_t id;

	if (!in6_is_linklocal(dst)) {
		if ((id = lpm6_lookup(&rt->lpm6, dst)) == LPM6_NH_NONE) {
			rt->c[ROUTER_C_DROP_NO_ROUTE6]++;
			if (p->traced)
				dp_trace(rt->dp, p, "router6", "drop: our "
				    "packet to %s: no route",
				    ip6str(dst, NULL, a));
			goto drop;
		}
		rte = &rt->routes6[id - 1];
		rte->use++;
		ro = &rt->rifs[rte->rif];
		if (rte->flags & RTF_GATEWAY)
			nh = rte->gw;
	}
	if (ro == NULL)
		goto drop;
	/* pf's own (PF_TAG_GENERATED) pass unfiltered */
	if (p->pf_generated)
		p->pf_rt_af = 0;
	else if (dp_pf_test(rt->dp, ro->port, ACL_OUT, p) != PF_PASS)
		goto drop;
	if (p->pf_rt_af == 6 && router_pf_route(rt, ro, p, ETHER_HDR_LEN))
		return;
	if (p->len - ETHER_HDR_LEN > ro->port->mtu) {
		/*
		 * Ours (an echo reply to a datagram pf reassembled, or from
		 * a link with a larger MTU): the source fragments IPv6, as
		 * ip6_output() does, by the MTU less the Fragment header.
		 */
		uint32_t flen = (ro->port->mtu - 48) & ~7u;

		if (ro->port->mtu < 1280 || p->off.gso_type != 0 ||
		    p->len - ETHER_HDR_LEN != 40u + ether_get16(p->data +
		    ETHER_HDR_LEN + 4)) {
			rt->c[ROUTER_C_DROP_TOOBIG]++;
			if (p->traced)
				dp_trace(rt->dp, p, "router6", "drop: our "
				    "packet of %u bytes > mtu %u of %s",
				    p->len - ETHER_HDR_LEN, ro->port->mtu,
				    ro->port->name);
			goto drop;
		}
		rt->frag6_next = rt->frag6_next * 1664525u + 1013904223u;
		if (p->traced)
			dp_trace(rt->dp, p, "router6", "our packet of %u bytes "
			    "> mtu %u of %s: %u fragments, id %u",
			    p->len - ETHER_HDR_LEN, ro->port->mtu,
			    ro->port->name, (p->len - ETHER_HDR_LEN - 40 +
			    flen - 1) / flen, rt->frag6_next);
		rt->c[ROUTER_C_FRAG6_OWN]++;
		if (router6_fragments(rt, ro, nh, p, 40, 6, flen,
		    rt->frag6_next) != 0)
			rt->c[ROUTER_C_DROP_NO_BUFFER]++;
		goto drop;
	}
	router6_resolve(rt, ro, nh, p);
	return;
drop:
	pkt_free(&rt->dp->pool, p);
}

/*
 * An ICMPv6 error about the packet whose IPv6 header is at ip (room
 * bytes), from our address on r (the interface it came in on: NULL when
 * unknown, then the one the route back leaves by).  RFC 4443 2.4(e):
 * never about an ICMPv6 error, a packet from the unspecified or a
 * multicast address, or to a multicast one (packet too big aside).
 */
void
router6_icmp_error(struct router *rt, struct rif *r, const uint8_t *ip,
    uint32_t room, uint8_t type, uint8_t code, uint32_t param)
{
	const uint8_t *to = ip + 8;
	struct pkt *p;
	uint32_t id;

	if (room < 40 || (ip[6] == 58 && room > 40 && ip[40] < 128) ||
	    in6_is_unspecified(to) || in6_is_multicast(to) ||
	    (in6_is_multicast(ip + 24) && type != ICMP6_PACKET_TOO_BIG))
		return;
	if (r == NULL || !r->inet6) {
		if (in6_is_linklocal(to) || (id = lpm6_lookup(&rt->lpm6,
		    to)) == LPM6_NH_NONE)
			return;
		r = &rt->rifs[rt->routes6[id - 1].rif];
	}
	if (!router_icmp_allowed(rt, 1) || (p = router_alloc(rt)) == NULL)
		return;
	p->len = icmp6_error_build(p->data, PKT_DATA_MAX, ip, room, type, code,
	    rif_src6(r, to), param);
	if (p->len == 0) {
		pkt_free(&rt->dp->pool, p);
		return;
	}
	rt->c[ROUTER_C_ICMP6_ERRORS]++;
	router6_output(rt, r, p, to);
}

/*
 * ip6_forward() and icmp6_redirect_output(): a packet from a neighbour
 * on r (an address in one of r's prefixes) that leaves by r again is
 * forwarded, and its sender told to go to the next hop itself, for
 * dst: the router at nh, if its address is link-local (the target a
 * redirect names must be: RFC 4861 8.2; a global gateway gets none, as
 * in OpenBSD), or dst itself when it is on the link.  From r's
 * link-local address, with the target's MAC when known, quoting the
 * packet as it came (ip: head, its first 8 bytes before forwarding).
 * Returns 1 when one was sent.
 */
static int
router6_redirect(struct router *rt, struct rif *r, const uint8_t *ip,
    uint32_t len, const uint8_t *head, const struct route6 *rte,
    const uint8_t *nh, const uint8_t *dst)
{
	const uint8_t *src = ip + 8, *tmac = NULL;
	const struct nd6_entry *e;
	uint8_t q[IP6_MMTU];
	struct pkt *p;
	int k;

	if (!rt->sysctl[SYSCTL_REDIRECT6] || !r->inet6 ||
	    ((rte->flags & RTF_GATEWAY) && !in6_is_linklocal(nh)))
		return 0;
	for (k = 0; k < r->naddrs6; k++)
		if (in6_prefix_eq(src, r->addrs6[k].addr, r->addrs6[k].plen))
			break;
	if (k == r->naddrs6 || !router_icmp_allowed(rt, 1) ||
	    (p = router_alloc(rt)) == NULL)
		return 0;
	if ((e = nd6_lookup(rt->nd6, (uint16_t)(r - rt->rifs), nh)) != NULL &&
	    nd6_usable(e))
		tmac = e->mac;
	if (len > sizeof(q))
		len = sizeof(q);
	memcpy(q, ip, len);
	memcpy(q, head, 8);		/* as it came: its hop limit */
	p->len = nd6_redirect_build(p->data, PKT_DATA_MAX, q, len, r->ll6, nh,
	    dst, tmac);
	if (p->len == 0) {
		pkt_free(&rt->dp->pool, p);
		return 0;
	}
	rt->c[ROUTER_C_REDIRECTS6]++;
	router6_output(rt, r, p, src);
	return 1;
}

/* ---- neighbour discovery ----------------------------------------------- */

static void
nd6_learn(struct router *rt, struct nd6_entry *e, const uint8_t *mac,
    uint8_t state)
{
	if (e->flags & ND6_F_STATIC)
		return;		/* ndp -s: only ndp -d changes it */
	memcpy(e->mac, mac, 6);
	e->state = state;
	e->tries = 0;
	e->expire = rt->dp->now + (state == ND6_REACHABLE ?
	    ND6_REACHABLE_TIME : ND6_GCTIMER);
	nd6_release(rt, e);
}

/*
 * A Neighbor Solicitation on r: for one of r's addresses, answered with
 * an advertisement carrying our MAC (RFC 4861 7.2.4), and its sender
 * learned from the source link-layer option (7.2.3: STALE, or updated).
 */
/*
 * Duplicate address detection (RFC 4862 5.4): a solicitation from the
 * unspecified address for each new address of ours (DupAddrDetectTransmits
 * 1); the address is used meanwhile (RFC 4429's optimistic DAD).
 */
static void
dad_probe(struct router *rt, struct rif *r, const uint8_t *a, uint8_t *dad,
    uint32_t *until)
{
	static const uint8_t unspec[16];
	struct pkt *p;

	*dad = DAD_PROBING;
	*until = rt->dp->now + 1;		/* RetransTimer */
	if ((p = router_alloc_ll(rt, r)) == NULL)
		return;
	p->len = nd6_ns_build(p->data, r->mac, unspec, a, NULL, NULL);
	rt->c[ROUTER_C_DAD_PROBES]++;
	router_rif_send(rt, r, p);
}

/* Once a second: new addresses probed, probes that heard nothing done. */
static void
dad_tick(struct router *rt)
{
	uint32_t now = rt->dp->now;
	int i, k;

	for (i = 0; i < rt->nrifs; i++) {
		struct rif *r = &rt->rifs[i];

		if (!r->inet6)
			continue;
		for (k = -1; k < r->naddrs6; k++) {
			uint8_t *dad = k < 0 ? &r->ll6_dad : &r->addrs6[k].dad;
			uint32_t *until = k < 0 ? &r->ll6_dad_until :
			    &r->addrs6[k].dad_until;

			if (*dad == DAD_TENTATIVE)
				dad_probe(rt, r, k < 0 ? r->ll6 :
				    r->addrs6[k].addr, dad, until);
			else if (*dad == DAD_PROBING &&
			    (int32_t)(now - *until) >= 0)
				*dad = DAD_DONE;
		}
	}
}

/*
 * An advertisement for, or another node's probe of, an address of ours
 * still being probed: it is that node's, so no longer ours (RFC 4862
 * 5.4.3-4).  Returns 1 when that was the case.
 */
static int
dad_conflict(struct router *rt, struct rif *r, const struct pkt *p,
    const uint8_t *target, const char *why)
{
	uint8_t *dad = rif_dad(r, target);
	char a[IP6STR];

	if (dad == NULL || (*dad != DAD_TENTATIVE && *dad != DAD_PROBING))
		return 0;
	*dad = DAD_DUPLICATED;
	rt->c[ROUTER_C_DAD_DUPLICATES]++;
	fprintf(stderr, "sluiced: %s: duplicate address %s detected (%s)\n",
	    r->port->name, ip6str(target, r, a), why);
	if (p->traced)
		dp_trace(rt->dp, p, "nd6", "%s: %s is duplicated: %s",
		    r->port->name, ip6str(target, r, a), why);
	return 1;
}

static void
nd6_ns_input(struct router *rt, struct rif *r, struct pkt *p,
    const struct nd6_msg *m)
{
	uint16_t rif = (uint16_t)(r - rt->rifs);
	const uint8_t *dmac, *dst;
	struct nd6_entry *e;
	struct pkt *na;
	char a[IP6STR], b[IP6STR];
	uint8_t flags = ND_NA_FLAG_OVERRIDE;

	if (in6_is_unspecified(m->src) && dad_conflict(rt, r, p, m->target,
	    "another node asks for it"))
		return;
	if (!rif_has6(r, m->target) &&
	    ((e = nd6_lookup(rt->nd6, rif, m->target)) == NULL ||
	    !(e->flags & ND6_F_PROXY))) {
		rt->c[ROUTER_C_DROP_ND_NOT_OURS]++;
		if (p->traced)
			dp_trace(rt->dp, p, "nd6", "drop: who-has %s: not "
			    "ours on %s", ip6str(m->target, r, a),
			    r->port->name);
		return;
	}
	if (m->has_lla) {
		if ((e = nd6_lookup(rt->nd6, rif, m->src)) == NULL)
			e = nd6_insert(rt->nd6, rif, m->src);
		if (e != NULL && (!nd6_usable(e) ||
		    memcmp(e->mac, m->lla, 6) != 0))
			nd6_learn(rt, e, m->lla, ND6_STALE);
	}
	if (rt->sysctl[SYSCTL_FORWARDING6])
		flags |= ND_NA_FLAG_ROUTER;
	if (in6_is_unspecified(m->src)) {
		/* Duplicate address detection: tell every node. */
		dst = all_nodes;
		dmac = (const uint8_t *)"\x33\x33\x00\x00\x00\x01";
	} else {
		flags |= ND_NA_FLAG_SOLICITED;
		dst = m->src;
		dmac = m->has_lla ? m->lla : ether_src(p->data);
	}
	if (p->traced)
		dp_trace(rt->dp, p, "nd6", "who-has %s tell %s: ours, "
		    "advertising", ip6str(m->target, r, a),
		    ip6str(m->src, r, b));
	if ((na = router_alloc_ll(rt, r)) == NULL)
		return;
	if (!rif_has6(r, m->target)) {
		/* ndp -s ... proxy: answered with the entry's address, from
		 * our link-local one, not overriding (RFC 4861 7.2.8) */
		e = nd6_lookup(rt->nd6, rif, m->target);
		na->len = nd6_na_build(na->data, e->mac, dmac, r->ll6, dst,
		    m->target, (uint8_t)(flags & ~ND_NA_FLAG_OVERRIDE));
		rt->c[ROUTER_C_ND_PROXY]++;
	} else {
		na->len = nd6_na_build(na->data, r->mac, dmac, m->target, dst,
		    m->target, flags);
		rt->c[ROUTER_C_ND_ADVERTS]++;
	}
	router_rif_send(rt, r, na);
}

/*
 * A Neighbor Advertisement on r, for an entry we have (RFC 4861 7.2.5):
 * an incomplete one takes the MAC (REACHABLE if solicited, else STALE)
 * and sends what waited; a known one follows the override and solicited
 * flags.
 */
static void
nd6_na_input(struct router *rt, struct rif *r, struct pkt *p,
    const struct nd6_msg *m)
{
	struct nd6_entry *e = NULL;
	char a[IP6STR];
	int differs;

	if (dad_conflict(rt, r, p, m->target, "another node advertises it"))
		return;
	if (!rif_has6(r, m->target))
		e = nd6_lookup(rt->nd6, (uint16_t)(r - rt->rifs), m->target);
	if (e == NULL || (e->state == ND6_INCOMPLETE && !m->has_lla)) {
		rt->c[ROUTER_C_DROP_ND_UNSOLICITED]++;
		if (p->traced)
			dp_trace(rt->dp, p, "nd6", "drop: advertisement for "
			    "%s: %s", ip6str(m->target, r, a), e == NULL ?
			    "not in the cache" : "no link-layer address");
		return;
	}
	if (p->traced)
		dp_trace(rt->dp, p, "nd6", "%s is at %02x:%02x:%02x:%02x:"
		    "%02x:%02x%s", ip6str(m->target, r, a), m->lla[0],
		    m->lla[1], m->lla[2], m->lla[3], m->lla[4], m->lla[5],
		    m->flags & ND_NA_FLAG_SOLICITED ? " (solicited)" : "");
	if (e->flags & ND6_F_STATIC)
		return;		/* ndp -s: kept as given */
	e->isrouter = (m->flags & ND_NA_FLAG_ROUTER) != 0;
	if (e->state == ND6_INCOMPLETE) {
		nd6_learn(rt, e, m->lla, m->flags & ND_NA_FLAG_SOLICITED ?
		    ND6_REACHABLE : ND6_STALE);
		return;
	}
	differs = m->has_lla && memcmp(e->mac, m->lla, 6) != 0;
	if (!(m->flags & ND_NA_FLAG_OVERRIDE) && differs) {
		/* Not ours to overwrite; but what we had is in doubt. */
		if (e->state == ND6_REACHABLE) {
			e->state = ND6_STALE;
			e->expire = rt->dp->now + ND6_GCTIMER;
		}
		return;
	}
	if (m->flags & ND_NA_FLAG_SOLICITED)
		nd6_learn(rt, e, m->has_lla ? m->lla : e->mac, ND6_REACHABLE);
	else if (differs)
		nd6_learn(rt, e, m->lla, ND6_STALE);
}

static void
router6_nd_input(struct router *rt, struct rif *r, struct pkt *p,
    const uint8_t *ip, uint32_t room)
{
	static const char *const why[] = {
		[ND6_ERR_HLIM] = "hop limit not 255",
		[ND6_ERR_CSUM] = "bad checksum",
		[ND6_ERR_MALFORMED] = "malformed",
	};
	static const int counter[] = {
		[ND6_ERR_HLIM] = ROUTER_C_DROP_ND_HLIM,
		[ND6_ERR_CSUM] = ROUTER_C_DROP_ND_CSUM,
		[ND6_ERR_MALFORMED] = ROUTER_C_DROP_ND_BAD,
	};
	struct nd6_msg m;
	enum nd6_err err;

	rt->c[ROUTER_C_ND_IN]++;
	if ((err = nd6_parse(ip, room, &m)) != ND6_OK) {
		rt->c[counter[err]]++;
		if (p->traced)
			dp_trace(rt->dp, p, "nd6", "drop: %s message %s",
			    ip[40] == ND_NEIGHBOR_SOLICIT ? "solicitation" :
			    "advertisement", why[err]);
		return;
	}
	if (m.type == ND_NEIGHBOR_SOLICIT)
		nd6_ns_input(rt, r, p, &m);
	else
		nd6_na_input(rt, r, p, &m);
}

/* ---- router advertisements (rad.conf) ------------------------------------ */

/* rad(8)'s timing: RFC 4861 6.2.1 and 10's router constants. */
#define RAD_MIN_INTERVAL	200	/* MinRtrAdvInterval */
#define RAD_MAX_INTERVAL	600	/* MaxRtrAdvInterval */
#define RAD_INITIAL_INTERVAL	16	/* MAX_INITIAL_RTR_ADVERT_INTERVAL */
#define RAD_INITIAL_COUNT	3	/* MAX_INITIAL_RTR_ADVERTISEMENTS */
#define RAD_MIN_DELAY		3	/* MIN_DELAY_BETWEEN_RAS */
#define RAD_MAX_PREFIXES	(CONF_RAD_MAX_PREFIXES + ROUTER_MAX_ADDRS)

static const uint8_t in6_allnodes[16] = { 0xff, 0x02, [15] = 1 };

/* rad.conf names interface r: advertise on it from the next tick. */
int
router6_rad(struct router *rt, struct rif *r, const struct conf_rad_if *cf)
{
	if (r->rad == NULL && (r->rad = calloc(1, sizeof(*r->rad))) == NULL)
		return -1;
	r->rad->cf = *cf;
	r->rad->count = 0;		/* the first goes at the next tick */
	/* the intervals are random (RFC 4861 6.2.4), drawn per interface
	 * from its address so that a replay repeats them */
	r->rad->rnd = (uint32_t)r->mac[2] << 24 | (uint32_t)r->mac[3] << 16 |
	    (uint32_t)r->mac[4] << 8 | r->mac[5] | 1;
	return 0;
}

/* The prefixes an advertisement of r carries: rad.conf's, then, with
 * auto prefix, those of r's own addresses, each once. */
static int
rad_prefixes(const struct rif *r, struct conf_rad_prefix *out)
{
	const struct conf_rad_if *cf = &r->rad->cf;
	int n = 0, i, k;

	for (i = 0; i < cf->nprefixes; i++)
		out[n++] = cf->prefixes[i];
	for (k = 0; cf->auto_prefix && k < r->naddrs6; k++) {
		struct conf_rad_prefix p;

		memset(&p, 0, sizeof(p));
		memcpy(p.addr, r->addrs6[k].addr, 16);
		p.plen = r->addrs6[k].plen;
		in6_mask(p.addr, p.plen);
		for (i = 0; i < n; i++)
			if (out[i].plen == p.plen &&
			    memcmp(out[i].addr, p.addr, 16) == 0)
				break;
		if (i < n || n == RAD_MAX_PREFIXES)
			continue;
		p.onlink = p.autonomous = 1;
		p.valid = 2592000;
		p.preferred = 604800;
		out[n++] = p;
	}
	return n;
}

/*
 * Send r's advertisement to all nodes, as rad(8)'s engine builds it:
 * hop limit, M and O, the router lifetime (0 when this router does not
 * forward IPv6 or `default router no': hosts must not route through it),
 * our link-layer address, the MTU, each prefix (on-link, autonomous) and
 * the nameservers (RFC 8106).
 */
static void
rad_send(struct router *rt, struct rif *r, const char *why)
{
	const struct conf_rad_opts *o = &r->rad->cf.o;
	struct conf_rad_prefix pfx[RAD_MAX_PREFIXES];
	uint8_t mac[6], *ip6, *ra, *opt;
	uint16_t lifetime = o->default_router &&
	    rt->sysctl[SYSCTL_FORWARDING6] ? o->router_lifetime : 0;
	uint32_t plen, sl = (8u + o->dnssl_len + 7) & ~7u;
	struct pkt *p;
	int n, i;

	n = rad_prefixes(r, pfx);
	plen = 16 + 8 + (o->mtu ? 8 : 0) + 32u * (uint32_t)n +
	    (o->ndns ? 8 + 16u * (uint32_t)o->ndns : 0) +
	    (o->dnssl_len ? sl : 0);
	if ((p = router_alloc(rt)) == NULL)
		return;
	in6_mcast_mac(mac, in6_allnodes);
	ip6 = nd6_headers(p->data, mac, r->mac, r->ll6, in6_allnodes, plen);
	ra = ip6 + 40;
	ra[0] = ND_ROUTER_ADVERT;
	ra[4] = o->hop_limit;
	ra[5] = (uint8_t)((o->managed ? 0x80 : 0) | (o->other ? 0x40 : 0));
	ether_put16(ra + 6, lifetime);
	ip_put32(ra + 8, o->reachable);
	ip_put32(ra + 12, o->retrans);
	opt = ra + 16;
	opt[0] = ND_OPT_SOURCE_LINKADDR;
	opt[1] = 1;
	memcpy(opt + 2, r->mac, 6);
	opt += 8;
	if (o->mtu) {
		opt[0] = ND_OPT_MTU;
		opt[1] = 1;
		ip_put32(opt + 4, o->mtu);
		opt += 8;
	}
	for (i = 0; i < n; i++, opt += 32) {
		opt[0] = ND_OPT_PREFIX_INFO;
		opt[1] = 4;
		opt[2] = pfx[i].plen;
		opt[3] = (uint8_t)((pfx[i].onlink ? 0x80 : 0) |
		    (pfx[i].autonomous ? 0x40 : 0));
		ip_put32(opt + 4, pfx[i].valid);
		ip_put32(opt + 8, pfx[i].preferred);
		memcpy(opt + 16, pfx[i].addr, 16);
	}
	if (o->ndns) {
		opt[0] = ND_OPT_RDNSS;
		opt[1] = (uint8_t)(1 + 2 * o->ndns);
		ip_put32(opt + 4, o->dns_lifetime);
		memcpy(opt + 8, o->dns, 16u * (uint32_t)o->ndns);
		opt += 8 + 16u * (uint32_t)o->ndns;
	}
	if (o->dnssl_len) {
		/* RFC 8106 5.2: the names, zero-padded to 8 bytes */
		memset(opt, 0, sl);
		opt[0] = ND_OPT_DNSSL;
		opt[1] = (uint8_t)(sl / 8);
		ip_put32(opt + 4, o->dns_lifetime);
		memcpy(opt + 8, o->dnssl, o->dnssl_len);
	}
	ether_put16(ra + 2, icmp6_csum(ip6, 40 + plen));
	p->len = ETHER_HDR_LEN + 40 + plen;
	/* our own packet: traced while `trace on' has budget left */
	if (rt->dp->trace_budget > 0) {
		rt->dp->trace_budget--;
		p->id = ++rt->dp->pkt_seq;
		p->traced = 1;
	}
	if (p->traced)
		dp_trace(rt->dp, p, "rad", "%s: router advertisement (%s): "
		    "%d prefixes, router lifetime %u s%s", r->port->name, why,
		    n, lifetime, lifetime == 0 && o->default_router ?
		    " (net.inet6.ip6.forwarding=0: not a default router)" :
		    "");
	rt->c[ROUTER_C_RA_SENT]++;
	r->rad->last = rt->dp->now;
	r->rad->count++;
	router_rif_send(rt, r, p);
}

/* When the next unsolicited advertisement goes: the first three within
 * 16 s of each other, then every 200 to 600 s at random. */
static void
rad_schedule(struct router *rt, struct rif *r)
{
	struct rif_rad *ra = r->rad;
	uint32_t x = ra->rnd, iv;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	ra->rnd = x;
	if (ra->count < RAD_INITIAL_COUNT)
		iv = 1 + x % RAD_INITIAL_INTERVAL;
	else
		iv = RAD_MIN_INTERVAL + x % (RAD_MAX_INTERVAL -
		    RAD_MIN_INTERVAL + 1);
	ra->next = rt->dp->now + iv;
}

/* Once a second: each interface's advertisement that is due. */
static void
rad_tick(struct router *rt)
{
	uint32_t now = rt->dp->now;
	int i;

	for (i = 0; i < rt->nrifs; i++) {
		struct rif *r = &rt->rifs[i];

		struct rif_rad *ra = r->rad;
		int due;

		if (ra == NULL || !r->inet6)
			continue;
		due = ra->count == 0 || (int32_t)(now - ra->next) >= 0;
		if (!due && !ra->pending)
			continue;
		/* never two within 3 s (RFC 4861 6.2.6) */
		if (ra->count > 0 && (int32_t)(now - ra->last) < RAD_MIN_DELAY)
			continue;
		rad_send(rt, r, ra->pending && !due ? "solicited" : "periodic");
		ra->pending = 0;
		if (due)
			rad_schedule(rt, r);
	}
}

/*
 * A Router Solicitation on r (RFC 4861 6.1.1 checks, as rad(8) makes
 * them): answered by an advertisement to all nodes, right away unless
 * one went less than 3 s ago, then when the 3 s are up.
 */
static void
rad_rs_input(struct router *rt, struct rif *r, struct pkt *p,
    const uint8_t *ip, uint32_t len)
{
	const uint8_t *rs = ip + 40;
	uint32_t room = len - 40, seen;

	if (ip[7] != 255 || room < 8 || rs[1] != 0 ||
	    (!(p->off.flags & PKT_OFF_NEEDS_CSUM) && icmp6_csum(ip, len) != 0))
		goto bad;
	if (nd6_opts_check(rs + 8, room - 8, &seen) != 0 ||
	    ((seen & (1u << ND_OPT_SOURCE_LINKADDR)) &&
	    in6_is_unspecified(ip + 8)))
		goto bad;
	rt->c[ROUTER_C_RS_IN]++;
	if ((int32_t)(rt->dp->now - r->rad->last) >= RAD_MIN_DELAY &&
	    r->rad->count > 0) {
		if (p->traced)
			dp_trace(rt->dp, p, "rad", "router solicitation on "
			    "%s: answered", r->port->name);
		rad_send(rt, r, "solicited");
	} else {
		if (p->traced)
			dp_trace(rt->dp, p, "rad", "router solicitation on "
			    "%s: answered within %u s (one every %u s at most)",
			    r->port->name, RAD_MIN_DELAY, RAD_MIN_DELAY);
		r->rad->pending = 1;
	}
	return;
bad:
	rt->c[ROUTER_C_DROP_RS_BAD]++;
	if (p->traced)
		dp_trace(rt->dp, p, "rad", "drop: malformed router "
		    "solicitation on %s", r->port->name);
}

/* ---- inet6 autoconf (slaacd) ----------------------------------------------- */

#define SLAAC_RS_MAX		3	/* MAX_RTR_SOLICITATIONS */
#define SLAAC_RS_INTERVAL	4	/* RTR_SOLICITATION_INTERVAL */
#define SLAAC_TWO_HOURS		7200	/* RFC 4862 5.5.3 e) */

static const uint8_t in6_allrouters[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t in6_any[16];	/* ::/0, the default route */

/* hostname.IF says inet6 autoconf: IPv6 on (link-local), and ask. */
int
router6_autoconf(struct router *rt, struct rif *r)
{
	if (r->slaac == NULL &&
	    (r->slaac = calloc(1, sizeof(*r->slaac))) == NULL)
		return -1;
	if (!r->inet6) {
		r->inet6 = 1;
		in6_linklocal(r->ll6, r->mac);
		r->ll6_dad = DAD_TENTATIVE;
	}
	(void)rt;
	return 0;
}

static void
slaac_rs_send(struct router *rt, struct rif *r)
{
	uint8_t mac[6], *ip6, *rs;
	struct pkt *p;

	if ((p = router_alloc(rt)) == NULL)
		return;
	in6_mcast_mac(mac, in6_allrouters);
	ip6 = nd6_headers(p->data, mac, r->mac, r->ll6, in6_allrouters, 16);
	rs = ip6 + 40;
	rs[0] = ND_ROUTER_SOLICIT;
	rs[8] = ND_OPT_SOURCE_LINKADDR;
	rs[9] = 1;
	memcpy(rs + 10, r->mac, 6);
	ether_put16(rs + 2, icmp6_csum(ip6, 40 + 16));
	p->len = ETHER_HDR_LEN + 40 + 16;
	rt->c[ROUTER_C_RS_SENT]++;
	r->slaac->rs_sent++;
	router_rif_send(rt, r, p);
}

/* Something a pf rule may name ((em0), egress) changed. */
static void
slaac_changed(struct router *rt)
{
	dp_drain(rt->dp);
	dp_pf_recompile(rt->dp, stderr);
}

/* Once a second: solicitations until an advertisement comes, and what
 * ran out (an address's valid lifetime, the router's). */
static void
slaac_tick(struct router *rt)
{
	uint32_t now = rt->dp->now;
	int i, k, changed = 0;

	for (i = 0; i < rt->nrifs; i++) {
		struct rif *r = &rt->rifs[i];
		struct rif_slaac *sl = r->slaac;

		if (sl == NULL || !r->inet6)
			continue;
		if (!sl->heard && sl->rs_sent < SLAAC_RS_MAX &&
		    (sl->rs_sent == 0 || (int32_t)(now - sl->rs_next) >= 0)) {
			slaac_rs_send(rt, r);
			sl->rs_next = now + SLAAC_RS_INTERVAL;
		}
		for (k = 0; k < sl->naddrs; ) {
			if ((int32_t)(now - sl->a[k].valid_until) < 0) {
				k++;
				continue;
			}
			router6_del_addr(rt, r, sl->a[k].addr);
			sl->a[k] = sl->a[--sl->naddrs];
			rt->c[ROUTER_C_SLAAC_EXPIRED]++;
			changed = 1;
		}
		if (sl->route_ours && (int32_t)(now - sl->router_until) >= 0) {
			router6_route_delete(rt, in6_any, 0);
			sl->route_ours = 0;
			changed = 1;
		}
	}
	if (changed)
		slaac_changed(rt);
}

/* RFC 4862 5.5.3 e): how long an address may still be valid after an
 * advertisement says VALID, when it has LEFT; no one shortens it below
 * two hours without authentication. */
static uint32_t
slaac_valid(uint32_t valid, uint32_t left)
{
	if (valid > SLAAC_TWO_HOURS || valid > left)
		return valid;
	return left <= SLAAC_TWO_HOURS ? left : SLAAC_TWO_HOURS;
}

/*
 * A Router Advertisement on r with inet6 autoconf: each autonomous /64
 * gives an address (the prefix and r's modified EUI-64 identifier, as
 * with `-soii'), the router lifetime a default route through the
 * advertising router unless one is configured.
 */
static void
slaac_ra_input(struct router *rt, struct rif *r, struct pkt *p,
    const uint8_t *ip, uint32_t len)
{
	struct rif_slaac *sl = r->slaac;
	const uint8_t *ra = ip + 40, *o;
	uint32_t room = len - 40, off, now = rt->dp->now, valid, pref, seen;
	uint16_t lifetime;
	uint8_t addr[16];
	char a[IP6STR];
	int k, changed = 0;

	if (ip[7] != 255 || !in6_is_linklocal(ip + 8) || room < 16 ||
	    ra[1] != 0 ||
	    (!(p->off.flags & PKT_OFF_NEEDS_CSUM) && icmp6_csum(ip, len) != 0))
		goto bad;
	if (nd6_opts_check(ra + 16, room - 16, &seen) != 0)
		goto bad;
	rt->c[ROUTER_C_RA_IN]++;
	sl->heard = 1;
	lifetime = ether_get16(ra + 6);
	for (off = 16; off < room; off += o[1] * 8u) {
		o = ra + off;
		if (o[0] != ND_OPT_PREFIX_INFO || !(o[3] & 0x40) ||
		    o[2] != 64 || in6_is_linklocal(o + 16))
			continue;
		valid = ip_get32(o + 4);
		pref = ip_get32(o + 8);
		if (pref > valid)
			continue;	/* RFC 4862 5.5.3 c) */
		memcpy(addr, o + 16, 8);
		memcpy(addr + 8, r->ll6 + 8, 8);
		for (k = 0; k < sl->naddrs; k++)
			if (memcmp(sl->a[k].addr, addr, 16) == 0)
				break;
		if (k < sl->naddrs) {
			uint32_t left = (int32_t)(sl->a[k].valid_until - now) >
			    0 ? sl->a[k].valid_until - now : 0;

			sl->a[k].valid_until = now + slaac_valid(valid, left);
			sl->a[k].pref_until = now + pref;
			continue;
		}
		if (valid == 0 || sl->naddrs == SLAAC_MAX_ADDRS ||
		    router6_add_addr(rt, r, addr, 64) != 0)
			continue;
		memcpy(sl->a[sl->naddrs].addr, addr, 16);
		sl->a[sl->naddrs].valid_until = now + valid;
		sl->a[sl->naddrs].pref_until = now + pref;
		sl->naddrs++;
		rt->c[ROUTER_C_SLAAC_ADDED]++;
		changed = 1;
		if (p->traced)
			dp_trace(rt->dp, p, "slaac", "%s: address %s/64 from "
			    "the advertisement (valid %u s)", r->port->name,
			    ip6str(addr, r, a), valid);
	}
	if (lifetime > 0 && (sl->route_ours ||
	    lpm6_find(&rt->lpm6, in6_any, 0) == NULL)) {
		char err[96];

		if (sl->route_ours && memcmp(sl->router, ip + 8, 16) != 0) {
			router6_route_delete(rt, in6_any, 0);
			sl->route_ours = 0;
		}
		if (!sl->route_ours && router6_route_add(rt, in6_any, 0,
		    ip + 8, r, err, sizeof(err)) == 0) {
			memcpy(sl->router, ip + 8, 16);
			sl->route_ours = 1;
			changed = 1;
			if (p->traced)
				dp_trace(rt->dp, p, "slaac", "%s: default "
				    "router %s", r->port->name,
				    ip6str(ip + 8, r, a));
		}
		sl->router_until = now + lifetime;
	} else if (lifetime == 0 && sl->route_ours &&
	    memcmp(sl->router, ip + 8, 16) == 0) {
		router6_route_delete(rt, in6_any, 0);
		sl->route_ours = 0;
		changed = 1;
	}
	if (changed)
		slaac_changed(rt);
	return;
bad:
	rt->c[ROUTER_C_DROP_RA_BAD]++;
	if (p->traced)
		dp_trace(rt->dp, p, "slaac", "drop: malformed router "
		    "advertisement on %s", r->port->name);
}

/* ---- input --------------------------------------------------------------- */

/* For us: answer echo requests; UDP gets port unreachable. */
static void
router6_local_input(struct router *rt, struct rif *r, struct pkt *p,
    const struct l3info *li)
{
	uint8_t *ip = p->data + li->l3off;
	uint32_t len = 40 + ether_get16(ip + 4);
	struct pkt *q;

	rt->c[ROUTER_C_LOCAL6]++;
	if (li->proto == L3_IPPROTO_ICMPV6 && !li->frag &&
	    li->l4off == li->l3off + 40 && li->icmp_type == ICMP6_ECHO_REQUEST) {
		if (len < 48 || (!(p->off.flags & PKT_OFF_NEEDS_CSUM) &&
		    icmp6_csum(ip, len) != 0)) {
			rt->c[ROUTER_C_DROP_ICMP6_BAD]++;
			if (p->traced)
				dp_trace(rt->dp, p, "router6", "drop: echo "
				    "request with a bad checksum or length");
			return;
		}
		if ((q = router_own(rt, p, 0)) == NULL)
			return;
		ip = q->data + li->l3off;
		if (icmp6_echo_reply(ip, len) != 0) {
			pkt_free(&rt->dp->pool, q);
			return;
		}
		/* Strip any tag and any padding: the reply is routed. */
		if (li->l3off != ETHER_HDR_LEN) {
			memmove(q->data + li->l3off - ETHER_HDR_LEN, q->data,
			    12);
			q->data += li->l3off - ETHER_HDR_LEN;
			ether_put16(q->data + 12, ETHERTYPE_IPV6);
		}
		q->len = ETHER_HDR_LEN + len;
		q->off = (struct pkt_offload){ 0 };
		q->st_tags = 0;
		q->pf_tag = 0;
		rt->c[ROUTER_C_ECHO_REPLIES6]++;
		if (q->traced)
			dp_trace(rt->dp, q, "router6", "echo request for us: "
			    "reply");
		router6_output(rt, r, q, q->data + ETHER_HDR_LEN + 24);
		return;
	}
	rt->c[ROUTER_C_DROP_LOCAL6_PROTO]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router6", "drop: protocol %u for us: no "
		    "service here", li->proto);
	if (li->proto == L3_IPPROTO_UDP)
		router6_icmp_error(rt, r, ip, p->len - li->l3off,
		    ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOPORT, 0);
}

/* The IPv6 length of one segment of a GSO frame, 0 if it cannot be told. */
static uint32_t
router6_gso_seglen(const struct pkt *p, const struct l3info *li)
{
	uint32_t hl = (uint32_t)(li->l4off - li->l3off);

	if (li->l4off == 0)
		return 0;
	switch (p->off.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (p->len < li->l4off + 20u)
			return 0;
		return hl + (p->data[li->l4off + 12] >> 4) * 4u +
		    p->off.gso_size;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return hl + 8 + p->off.gso_size;
	default:
		return 0;
	}
}

/*
 * pf_refragment6(): an IPv6 datagram pf reassembled leaves in fragments
 * again, each carrying no more than the largest fragment it came in (a
 * multiple of 8), under its own id: the sender cut it for the path, and
 * a router does not fragment IPv6 of its own accord.  When even these
 * are larger than the MTU, packet too big, quoting the first fragment
 * as it came in (head: its first 8 bytes), as ip6_forward() answers
 * each.  Consumes p.
 */
static void
router6_refragment(struct router *rt, struct rif *r, struct rif *ro,
    const uint8_t *nh, struct pkt *p, const uint8_t *head)
{
	const uint8_t *ip = p->data + ETHER_HDR_LEN;
	uint32_t hlen = p->frag6_hlen, len, flen, n, mtu = ro->port->mtu;
	struct pkt *f;

	len = 40u + ether_get16(ip + 4);
	flen = p->frag6_max & ~7u;
	if (hlen < 40 || p->frag6_nhoff >= hlen || hlen + 8 > len ||
	    ETHER_HDR_LEN + len > p->len || flen == 0) {
		rt->c[ROUTER_C_DROP_REFRAG6]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router6", "drop: reassembled "
			    "datagram of %u bytes cannot be cut again at %u",
			    len, flen);
		goto done;
	}
	if (hlen + 8 + flen > mtu) {
		rt->c[ROUTER_C_DROP_TOOBIG]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router6", "drop: fragments of %u "
			    "bytes > mtu %u of %s: packet too big sent",
			    hlen + 8 + flen, mtu, ro->port->name);
		if ((f = router_alloc(rt)) != NULL) {
			n = ip6_frag_build(f->data, ip, hlen, p->frag6_nhoff,
			    p->frag6_id, 0, flen);
			/* the hop limit it came with; the chain built */
			memcpy(f->data, head, 4);
			f->data[7] = head[7];
			router6_icmp_error(rt, r, f->data, n,
			    ICMP6_PACKET_TOO_BIG, 0, mtu);
			pkt_free(&rt->dp->pool, f);
		}
		goto done;
	}
	rt->c[ROUTER_C_REFRAG6]++;
	rt->c[ROUTER_C_FORWARDED6]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router6", "reassembled datagram of %u "
		    "bytes: %u fragments of at most %u bytes again, id %u",
		    len, (len - hlen + flen - 1) / flen, hlen + 8 + flen,
		    p->frag6_id);
	if (router6_fragments(rt, ro, nh, p, hlen, p->frag6_nhoff, flen,
	    p->frag6_id) != 0)
		rt->c[ROUTER_C_DROP_REFRAG6]++;
done:
	pkt_free(&rt->dp->pool, p);
}

static void
drop6(struct router *rt, struct pkt *p, int reason, const char *fmt,
    const uint8_t *a, const struct rif *r)
{
	char b[IP6STR];

	rt->c[reason]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router6", fmt, ip6str(a, r, b));
}

/*
 * router_reroute() for IPv6: pf out changed the destination (rdr-to going
 * out, NAT66's reply to a nat-to that came in); route it again, without a
 * second pf test.  NULL (counted) when there is no route or dst is ours.
 */
static struct route6 *
router6_reroute(struct router *rt, struct rif *r, struct pkt *p,
    const uint8_t *dst)
{
	struct route6 *rte;
	uint32_t id;
	char a[IP6STR];

	if (router6_local(rt, r, dst) != NULL) {
		drop6(rt, p, ROUTER_C_DROP_REROUTE_LOCAL, "drop: pf out changed "
		    "the destination to %s, one of ours", dst, NULL);
		return NULL;
	}
	if ((id = lpm6_lookup(&rt->lpm6, dst)) == LPM6_NH_NONE) {
		drop6(rt, p, ROUTER_C_DROP_NO_ROUTE6, "drop: pf out changed the "
		    "destination to %s: no route", dst, NULL);
		return NULL;
	}
	rte = &rt->routes6[id - 1];
	rte->use++;
	rt->c[ROUTER_C_REROUTED]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router6", "pf out changed the destination "
		    "to %s: routed again, on %s", ip6str(dst, NULL, a),
		    rt->rifs[rte->rif].port->name);
	return rte;
}

/*
 * An IPv6 packet for the router on rif r (router_input() read its
 * headers into li).  SHARED: other queues hold the same buffer, so it is
 * copied before any change.  The caller keeps its ref.
 */
void
router6_input(struct router *rt, struct rif *r, struct pkt *p, int shared,
    const struct l3info *li)
{
	uint8_t *ip = p->data + li->l3off, head[8];
	uint32_t room = p->len - li->l3off, len, id, seg;
	const uint8_t *nh;
	struct route6 *rte;
	struct rif *lr, *ro;
	struct pkt *q;
	struct l3info whole;
	uint8_t dst[16];
	char a[IP6STR], g[IP6STR];

	rt->c[ROUTER_C_IN6]++;
	if (!r->inet6) {
		rt->c[ROUTER_C_DROP_NO_INET6]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router6", "drop: %s has no inet6 "
			    "address", r->port->name);
		return;
	}
	len = 40 + ether_get16(ip + 4);
	if (len > room || in6_is_multicast(ip + 8)) {
		rt->c[ROUTER_C_DROP_BAD_HEADER6]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router6", "drop: payload length "
			    "%u beyond the frame's %u bytes, or a multicast "
			    "source", len - 40, room);
		return;
	}
	/* Neighbour discovery, beside pf as ARP is. */
	if (ip[6] == 58 && room > 40 && ip[40] >= ND_ROUTER_SOLICIT &&
	    ip[40] <= ND_REDIRECT) {
		if (ip[40] == ND_NEIGHBOR_SOLICIT ||
		    ip[40] == ND_NEIGHBOR_ADVERT)
			router6_nd_input(rt, r, p, ip, len);
		else if (ip[40] == ND_ROUTER_SOLICIT && r->rad != NULL)
			rad_rs_input(rt, r, p, ip, len);
		else if (ip[40] == ND_ROUTER_ADVERT && r->slaac != NULL)
			slaac_ra_input(rt, r, p, ip, len);
		else {
			rt->c[ROUTER_C_DROP_ND_UNHANDLED]++;
			if (p->traced)
				dp_trace(rt->dp, p, "nd6", "drop: ICMPv6 type "
				    "%u: a solicitation where rad.conf does not "
				    "advertise, another router's advertisement, "
				    "or a redirect: not taken", ip[40]);
		}
		return;
	}
	memcpy(dst, ip + 24, 16);
	if (in6_is_multicast(dst)) {
		drop6(rt, p, ROUTER_C_DROP_MCAST6, "drop: to multicast %s: "
		    "not routed", dst, NULL);
		return;
	}
	/* From here the router may change the packet: own it. */
	if ((q = router_own(rt, p, shared)) == NULL)
		return;
	p = q;
	ip = p->data + li->l3off;
	if (dp_pf_test(rt->dp, r->port, ACL_IN, p) != PF_PASS)
		goto done;
	if (p->reassembled) {
		/* pf made the datagram of its fragments: a new frame. */
		(void)l3_parse(p->data, p->len, &whole);
		li = &whole;
		ip = p->data + li->l3off;
		len = 40u + ether_get16(ip + 4);
	}
	if (p->pf_afto == 4) {
		/* af-to made it IPv4: routed as such, past pf out */
		router_afto(rt, p);
		return;
	}
	if (p->pf_rt_af == 6 && router_pf_route(rt, r, p, li->l3off))
		return;
	/* pf in may have changed it: rdr-to, or a NAT66 reply going home */
	memcpy(dst, ip + 24, 16);
	if ((lr = router6_local(rt, r, dst)) != NULL) {
		/* in6_ouraddr()'s rule, as IPv4's (see router_input()). */
		if (lr != r && !rt->sysctl[SYSCTL_FORWARDING6]) {
			rt->c[ROUTER_C_DROP_WRONG_IF6]++;
			if (p->traced)
				dp_trace(rt->dp, p, "router6", "drop: %s is on "
				    "%s, not %s, and net.inet6.ip6.forwarding=0",
				    ip6str(dst, NULL, a), lr->port->name,
				    r->port->name);
			goto done;
		}
		router6_local_input(rt, r, p, li);
		goto done;
	}
	if (in6_is_linklocal(dst) || in6_is_linklocal(ip + 8)) {
		drop6(rt, p, ROUTER_C_DROP_SCOPE6, "drop: link-local "
		    "source or destination (to %s): not forwarded", dst, r);
		goto done;
	}
	if (!rt->sysctl[SYSCTL_FORWARDING6]) {
		drop6(rt, p, ROUTER_C_DROP_FORWARDING6_OFF, "drop: to %s, not "
		    "for us, and net.inet6.ip6.forwarding=0", dst, NULL);
		goto done;
	}
	if (ip[7] <= 1) {
		rt->c[ROUTER_C_DROP_HLIM]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router6", "drop: hop limit %u "
			    "exceeded", ip[7]);
		router6_icmp_error(rt, r, ip, len, ICMP6_TIME_EXCEEDED, 0, 0);
		goto done;
	}
	if ((id = lpm6_lookup(&rt->lpm6, dst)) == LPM6_NH_NONE) {
		drop6(rt, p, ROUTER_C_DROP_NO_ROUTE6, "drop: no route to %s",
		    dst, NULL);
		router6_icmp_error(rt, r, ip, len, ICMP6_DST_UNREACH,
		    ICMP6_DST_UNREACH_NOROUTE, 0);
		goto done;
	}
	rte = &rt->routes6[id - 1];
	ro = &rt->rifs[rte->rif];
	nh = rte->flags & RTF_GATEWAY ? rte->gw : dst;
	/*
	 * ip6_forward() quotes the packet as it came in (mcopy).  pf does
	 * not rewrite IPv6 here, so the header's first 8 bytes (traffic
	 * class, hop limit) are all that has to be kept for a later error.
	 */
	memcpy(head, ip, 8);
	ip[7]--;
	router_untag(p, li->l3off, ETHERTYPE_IPV6);
	ip = p->data + ETHER_HDR_LEN;
	if (p->traced) {
		char net[IP6STR + 4];

		if (rte->plen == 0)
			snprintf(net, sizeof(net), "default");
		else
			snprintf(net, sizeof(net), "%s/%u",
			    ip6str(rte->dst, NULL, g), rte->plen);
		dp_trace(rt->dp, p, "router6", "to %s: route %s %s%s on %s, "
		    "hlim %u -> %u", ip6str(dst, NULL, a), net,
		    rte->flags & RTF_GATEWAY ? "via " : "direct",
		    rte->flags & RTF_GATEWAY ? ip6str(rte->gw, ro, g) : "",
		    ro->port->name, head[7], ip[7]);
	}
	/* ip6_forward(): pf out first; what it refuses makes no error. */
	rte->use++;
	if (dp_pf_test(rt->dp, ro->port, ACL_OUT, p) != PF_PASS)
		goto done;
	if (p->pf_rt_af == 6 && router_pf_route(rt, ro, p, ETHER_HDR_LEN))
		return;
	if (memcmp(ip + 24, dst, 16) != 0) {
		memcpy(dst, ip + 24, 16);
		if ((rte = router6_reroute(rt, r, p, dst)) == NULL)
			goto done;
		ro = &rt->rifs[rte->rif];
		nh = rte->flags & RTF_GATEWAY ? rte->gw : dst;
	}
	if (p->reassembled) {
		/* pf in or pf out made it whole: it leaves as fragments. */
		router6_refragment(rt, r, ro, nh, p, head);
		return;
	}
	seg = p->off.gso_type != 0 ? router6_gso_seglen(p, li) : len;
	if (seg > ro->port->mtu) {
		rt->c[ROUTER_C_DROP_TOOBIG]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router6", "drop: %s%u bytes > mtu "
			    "%u of %s: packet too big sent", p->off.gso_type ?
			    "GSO segments of " : "", seg, ro->port->mtu,
			    ro->port->name);
		memcpy(ip, head, 8);
		if (p->off.gso_type != 0)	/* quote the first segment */
			ether_put16(ip + 4, (uint16_t)(seg - 40));
		router6_icmp_error(rt, r, ip, p->off.gso_type ? seg : len,
		    ICMP6_PACKET_TOO_BIG, 0, ro->port->mtu);
		goto done;
	}
	rt->c[ROUTER_C_FORWARDED6]++;
	if (ro == r && router6_redirect(rt, r, ip, len, head, rte, nh, dst) &&
	    p->traced)
		dp_trace(rt->dp, p, "router6", "out %s, the interface it came "
		    "in on, from a neighbour: redirect to %s sent",
		    ro->port->name, ip6str(nh, ro, a));
	router6_resolve(rt, ro, nh, p);
	return;
done:
	pkt_free(&rt->dp->pool, p);
}

/*
 * Once a second, nd6_llinfo_timer()'s walk: ask unresolved next hops
 * again (ND6_MMAXTRIES by multicast), then give up on them (what waited
 * gets address unreachable, the first packet only, as OpenBSD's ln_hold
 * does); a reachable entry whose time is over becomes stale; a delayed
 * one is probed by unicast (ND6_UMAXTRIES), then deleted; a stale one
 * nobody used for a day goes.  A deletion may move a later entry into
 * slot i, so i is looked at again.
 */
void
router6_tick(struct router *rt)
{
	struct nd6_table *t = rt->nd6;
	uint32_t i = 0, now = rt->dp->now;
	struct pkt *held[ND6_QLEN];
	uint8_t ip[16];
	char a[IP6STR];
	int k, nq;

	dad_tick(rt);
	rad_tick(rt);
	slaac_tick(rt);
	if (t == NULL || t->count == 0)
		return;
	while (i < ND6_SLOTS) {
		struct nd6_entry *e = &t->e[i];
		struct rif *r = &rt->rifs[e->rif];

		if (e->state == ND6_FREE || (e->flags & ND6_F_STATIC) ||
		    (int32_t)(now - e->expire) < 0) {
			i++;
			continue;
		}
		switch (e->state) {
		case ND6_INCOMPLETE:
			if (e->tries < ND6_MMAXTRIES) {
				e->tries++;
				e->expire = now + 1;
				nd6_solicit(rt, r, e->ip, NULL);
				break;
			}
			/* Out of the table first: the error may resolve. */
			nq = e->nq;
			memcpy(held, e->q, sizeof(held));
			memcpy(ip, e->ip, 16);
			e->nq = 0;
			nd6_delete(t, e);
			for (k = 0; k < nq; k++) {
				struct pkt *p = held[k];

				if (p->traced)
					dp_trace(rt->dp, p, "nd6", "drop: %s "
					    "on %s did not answer",
					    ip6str(ip, r, a), r->port->name);
				if (k == 0)
					router6_icmp_error(rt, NULL, p->data +
					    ETHER_HDR_LEN, p->len -
					    ETHER_HDR_LEN, ICMP6_DST_UNREACH,
					    ICMP6_DST_UNREACH_ADDR, 0);
				pkt_free(&rt->dp->pool, p);
				rt->nd6q--;
				rt->c[ROUTER_C_DROP_ND_TIMEOUT]++;
			}
			continue;
		case ND6_REACHABLE:
			e->state = ND6_STALE;
			e->expire = now + ND6_GCTIMER;
			break;
		case ND6_DELAY:
			e->state = ND6_PROBE;
			e->tries = 1;
			e->expire = now + 1;
			nd6_solicit(rt, r, e->ip, e->mac);
			break;
		case ND6_PROBE:
			if (e->tries < ND6_UMAXTRIES) {
				e->tries++;
				e->expire = now + 1;
				nd6_solicit(rt, r, e->ip, e->mac);
				break;
			}
			/* FALLTHROUGH */
		default:			/* STALE, unused for a day */
			nd6_delete(t, e);
			continue;
		}
		i++;
	}
}

/* ---- ndp -s / -d / -c ----------------------------------------------------- */

/*
 * The interface an address of ndp's is on: SCOPE's for a link-local one
 * (fe80::1%em0), else the one with a prefix holding it.
 */
static struct rif *
nd6_rif_for(struct router *rt, const uint8_t *ip, const char *scope)
{
	int i, k;

	for (i = 0; i < rt->nrifs; i++) {
		struct rif *r = &rt->rifs[i];

		if (!r->inet6)
			continue;
		if (in6_is_linklocal(ip)) {
			if (scope != NULL && strcmp(scope, r->port->name) == 0)
				return r;
			continue;
		}
		for (k = 0; k < r->naddrs6; k++)
			if (in6_prefix_eq(r->addrs6[k].addr, ip,
			    r->addrs6[k].plen))
				return r;
	}
	return NULL;
}

/*
 * ndp -s: a neighbour at MAC, static (never aging, not changed by what
 * the neighbour says) unless temp, and with proxy answered for as
 * OpenBSD publishes it.  Packets waiting for it go.
 */
int
router6_nd_set(struct router *rt, const uint8_t *ip, const char *scope,
    const uint8_t *mac, uint8_t flags, char *err, size_t errlen)
{
	struct rif *r = nd6_rif_for(rt, ip, scope);
	struct nd6_entry *e;
	uint16_t rif;

	if (r == NULL) {
		snprintf(err, errlen, "no interface has a prefix for it%s",
		    in6_is_linklocal(ip) ? " (a link-local address needs "
		    "%interface)" : "");
		return -1;
	}
	if (rif_has6(r, ip)) {
		snprintf(err, errlen, "it is an address of %s", r->port->name);
		return -1;
	}
	rif = (uint16_t)(r - rt->rifs);
	if ((e = nd6_lookup(rt->nd6, rif, ip)) == NULL &&
	    (e = nd6_insert(rt->nd6, rif, ip)) == NULL) {
		snprintf(err, errlen, "neighbour cache full");
		return -1;
	}
	e->flags = 0;
	nd6_learn(rt, e, mac, (flags & ND6_F_STATIC) ? ND6_REACHABLE :
	    ND6_STALE);
	e->flags = flags;
	return 0;
}

/* ndp -d: forget a neighbour (its waiting packets are dropped). */
int
router6_nd_delete(struct router *rt, const uint8_t *ip, const char *scope,
    char *err, size_t errlen)
{
	struct rif *r = nd6_rif_for(rt, ip, scope);
	struct nd6_entry *e;
	int k;

	if (r == NULL || (e = nd6_lookup(rt->nd6, (uint16_t)(r - rt->rifs),
	    ip)) == NULL) {
		snprintf(err, errlen, "no such neighbour");
		return -1;
	}
	for (k = 0; k < e->nq; k++) {
		pkt_free(&rt->dp->pool, e->q[k]);
		rt->nd6q--;
	}
	e->nq = 0;
	nd6_delete(rt->nd6, e);
	return 0;
}

/* ndp -c: every neighbour that is not static goes, each said on OUT as
 * ndp(8) says it. */
int
router6_nd_flush(struct router *rt, FILE *out)
{
	char a[IP6STR];
	uint32_t i = 0;
	int n = 0, k;

	while (i < ND6_SLOTS) {
		struct nd6_entry *e = &rt->nd6->e[i];

		if (e->state == ND6_FREE || (e->flags & ND6_F_STATIC)) {
			i++;
			continue;
		}
		for (k = 0; k < e->nq; k++) {
			pkt_free(&rt->dp->pool, e->q[k]);
			rt->nd6q--;
		}
		e->nq = 0;
		ip6str(e->ip, &rt->rifs[e->rif], a);
		fprintf(out, "%s (%s) deleted\n", a, a);
		nd6_delete(rt->nd6, e);		/* shifts: look at i again */
		n++;
	}
	return n;
}

/* ---- views --------------------------------------------------------------- */

struct ns6row {
	uint8_t		 dst[16];
	uint8_t		 plen;
	const struct rif *scope;	/* link-local: %IF */
	char		 gw[IP6STR];
	char		 flags[8];
	unsigned	 refs;
	uint64_t	 use;
	int		 prio;
	const char	*ifname;
};

static int
ns6row_cmp(const void *a, const void *b)
{
	const struct ns6row *x = a, *y = b;
	int c = memcmp(x->dst, y->dst, 16);

	if (c != 0)
		return c;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return (x->scope > y->scope) - (x->scope < y->scope);
}

static void
mac_str6(const uint8_t *m, char *buf)
{
	snprintf(buf, IP6STR, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
	    m[2], m[3], m[4], m[5]);
}

/*
 * netstat -rn's Internet6 section (show.c p_rtentry() with the inet6
 * widths, 43 and 39): connected, static and default routes, fe80::/64 of
 * each interface, our addresses (UHLl) and the neighbour cache (UHLc), in
 * address order.  Printed only when some interface has IPv6.
 */
void
router6_netstat(struct router *rt, FILE *out)
{
	struct ns6row *rows;
	size_t n = 0, cap, i;
	char dst[IP6STR + 8], a[IP6STR];
	int k, j, any = 0;

	for (k = 0; k < rt->nrifs; k++)
		any |= rt->rifs[k].inet6;
	if (!any)
		return;
	cap = rt->nroutes6 + ND6_MAX + (size_t)rt->nrifs *
	    (2 + ROUTER_MAX_ADDRS);
	if ((rows = calloc(cap, sizeof(*rows))) == NULL)
		return;
	for (i = 0; i < rt->nroutes6; i++) {
		const struct route6 *r = &rt->routes6[i];
		const struct rif *ri = &rt->rifs[r->rif];
		struct ns6row *w;

		if (!r->used)
			continue;
		w = &rows[n++];
		memcpy(w->dst, r->dst, 16);
		w->plen = r->plen;
		ip6str(r->gw, ri, w->gw);
		snprintf(w->flags, sizeof(w->flags), "U%s%s%s%s",
		    r->flags & RTF_GATEWAY ? "G" : "",
		    r->flags & RTF_CLONING ? "C" : "",
		    r->flags & RTF_STATIC ? "S" : "",
		    r->flags & RTF_CONNECTED ? "n" : "");
		w->use = r->use;
		w->prio = r->prio;
		w->refs = r->flags & RTF_GATEWAY ? 0 : 1;
		w->ifname = ri->port->name;
	}
	for (k = 0; k < rt->nrifs; k++) {
		const struct rif *ri = &rt->rifs[k];
		struct ns6row *w;

		if (!ri->inet6)
			continue;
		w = &rows[n++];			/* fe80::%IF/64 */
		memcpy(w->dst, ri->ll6, 16);
		in6_mask(w->dst, 64);
		w->plen = 64;
		w->scope = ri;
		ip6str(ri->ll6, ri, w->gw);
		snprintf(w->flags, sizeof(w->flags), "UCn");
		w->refs = 1;
		w->prio = 4;
		w->ifname = ri->port->name;
		for (j = -1; j < ri->naddrs6; j++) {
			w = &rows[n++];
			memcpy(w->dst, j < 0 ? ri->ll6 : ri->addrs6[j].addr,
			    16);
			w->plen = 128;
			w->scope = ri;
			mac_str6(ri->mac, w->gw);
			snprintf(w->flags, sizeof(w->flags), "UHLl");
			w->prio = 1;
			w->ifname = ri->port->name;
		}
	}
	for (i = 0; i < ND6_SLOTS && n < cap; i++) {
		const struct nd6_entry *e = &rt->nd6->e[i];
		struct ns6row *w;

		if (!nd6_usable(e))
			continue;
		w = &rows[n++];
		memcpy(w->dst, e->ip, 16);
		w->plen = 128;
		w->scope = &rt->rifs[e->rif];
		mac_str6(e->mac, w->gw);
		snprintf(w->flags, sizeof(w->flags), "UHLc");
		w->prio = 3;
		w->ifname = rt->rifs[e->rif].port->name;
	}
	qsort(rows, n, sizeof(*rows), ns6row_cmp);
	fprintf(out, "\nInternet6:\n");
	fprintf(out, "%-43.43s %-39.39s %-6.6s %5.5s %8.8s %5.5s  %4.4s %s\n",
	    "Destination", "Gateway", "Flags", "Refs", "Use", "Mtu", "Prio",
	    "Iface");
	for (i = 0; i < n; i++) {
		const struct ns6row *w = &rows[i];

		if (w->plen == 0)
			snprintf(dst, sizeof(dst), "default");
		else if (w->plen == 128)
			ip6str(w->dst, w->scope, dst);
		else if (w->scope != NULL) {	/* netname6(): fe80::%em0/64 */
			inet_ntop(AF_INET6, w->dst, a, sizeof(a));
			snprintf(dst, sizeof(dst), "%s%%%s/%u", a,
			    w->scope->port->name, w->plen);
		} else
			snprintf(dst, sizeof(dst), "%s/%u",
			    ip6str(w->dst, NULL, a), w->plen);
		fprintf(out, "%-43s %-39s %-6.6s %5u %8llu %5s %c  %2d "
		    "%-5.16s\n", dst, w->gw, w->flags, w->refs,
		    (unsigned long long)w->use, "-", ' ', w->prio, w->ifname);
	}
	free(rows);
}

struct ndprow {
	uint8_t		 ip[16];
	int		 rif;
	const uint8_t	*mac;		/* NULL: (incomplete) */
	uint8_t		 local;		/* ours: permanent, flag l */
	uint8_t		 state;
	uint8_t		 isrouter;
	uint8_t		 probes;
	uint8_t		 flags;		/* ND6_F_* */
	int32_t		 left;		/* seconds; <= 0: expired */
};

static int
ndprow_cmp(const void *a, const void *b)
{
	const struct ndprow *x = a, *y = b;
	int c = memcmp(x->ip, y->ip, 16);

	if (c != 0)
		return c;
	return (x->rif > y->rif) - (x->rif < y->rif);
}

/*
 * ndp -an, as usr.sbin/ndp's dump() prints it: columns that widen for a
 * long address and keep the rest aligned, the state letter (I R S D P),
 * flags l (ours) and R (a router), and the probes sent while it resolves.
 */
void
router6_ndp_show(struct router *rt, FILE *out)
{
	static const char st[] = { '?', 'I', 'R', 'S', 'D', 'P' };
	struct ndprow *rows;
	char host[IP6STR], mac[IP6STR], exp[16];
	size_t n = 0, i;
	int k, j, aw, lw, iw;

	if ((rows = calloc(rt->nd6->count + ROUTER_MAX_RIFS *
	    (ROUTER_MAX_ADDRS + 1), sizeof(*rows))) == NULL)
		return;
	for (k = 0; k < rt->nrifs; k++) {
		const struct rif *ri = &rt->rifs[k];

		if (!ri->inet6)
			continue;
		for (j = -1; j < ri->naddrs6; j++) {
			struct ndprow *w = &rows[n++];

			memcpy(w->ip, j < 0 ? ri->ll6 : ri->addrs6[j].addr, 16);
			w->rif = k;
			w->mac = ri->mac;
			w->local = 1;
			w->state = ND6_REACHABLE;
		}
	}
	for (i = 0; i < ND6_SLOTS; i++) {
		const struct nd6_entry *e = &rt->nd6->e[i];
		struct ndprow *w;

		if (e->state == ND6_FREE)
			continue;
		w = &rows[n++];
		memcpy(w->ip, e->ip, 16);
		w->rif = e->rif;
		w->mac = e->state == ND6_INCOMPLETE ? NULL : e->mac;
		w->state = e->state;
		w->isrouter = e->isrouter;
		w->flags = e->flags;
		w->probes = e->state == ND6_INCOMPLETE ||
		    e->state == ND6_PROBE ? e->tries : 0;
		w->left = (int32_t)(e->expire - rt->dp->now);
	}
	qsort(rows, n, sizeof(*rows), ndprow_cmp);
	fprintf(out, "%-36.36s %-17.17s %7.7s %-9.9s %1s %5s\n", "Neighbor",
	    "Linklayer Address", "Netif", "Expire", "S", "Flags");
	for (i = 0; i < n; i++) {
		const struct ndprow *w = &rows[i];
		const char *ifn = rt->rifs[w->rif].port->name;

		ip6str(w->ip, &rt->rifs[w->rif], host);
		if (w->mac != NULL)
			mac_str6(w->mac, mac);
		else
			snprintf(mac, sizeof(mac), "(incomplete)");
		aw = (int)strlen(host) > 36 ? (int)strlen(host) : 36;
		lw = (int)strlen(mac);
		if (36 + 17 - aw > lw)
			lw = 36 + 17 - aw;
		iw = (int)strlen(ifn);
		if (36 + 17 + 7 - aw - lw > iw)
			iw = 36 + 17 + 7 - aw - lw;
		if (w->local || (w->flags & ND6_F_STATIC))
			snprintf(exp, sizeof(exp), "permanent");
		else if (w->left > 0)
			router_sec2str((uint32_t)w->left, exp, sizeof(exp));
		else
			snprintf(exp, sizeof(exp), "expired");
		fprintf(out, "%-*.*s %-*.*s %*.*s %-9.9s %c %s%s%s", aw, aw,
		    host, lw, lw, mac, iw, iw, ifn, exp, st[w->state],
		    w->local ? "l" : "", w->isrouter ? "R" : "",
		    w->flags & ND6_F_PROXY ? "p" : "");
		if (w->probes)
			fprintf(out, " %d", w->probes);
		fputc('\n', out);
	}
	free(rows);
}
