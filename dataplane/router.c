/*
 * See router.h.  The input path is a straight line: ARP or IPv4; header
 * checks; for us (echo reply, else an error or a drop; with forwarding
 * off, only on the interface that holds the address); forwarding off;
 * TTL; route; MTU with DF (needfrag); TTL decrement; pf out; fragment
 * what is larger than the MTU; ARP resolve; send.  Every exit that is not
 * a send counts its reason, and every ICMP error a router owes is sent
 * (rate-limited as OpenBSD does: 100 per second).
 *
 * Fragments are forwarded as they come unless pf reassembles them (`set
 * reassemble yes', its default, on a port pf filters): then pf in or out
 * hands back the whole datagram in the frame of its last fragment, and
 * router_send_mtu() fragments it again for the outgoing MTU.  Without
 * pf, or with `set reassemble no', pf sees each fragment, and a rule with
 * ports matches the first fragment only (see acl/filter/pf_match.c).
 *
 * A frame the router changes must be its own: one that came from a bridge
 * may be shared with other output queues (a flood), and is copied first.
 */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_ast.h"
#include "dataplane/dp.h"
#include "dataplane/dhcp.h"
#include "dataplane/dhcpd.h"
#include "dataplane/router.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"

#define ROUTER_C_NAME(e, n, d)	n,
#define ROUTER_C_HELP(e, n, d)	d,
const char *const router_counter_names[ROUTER_C__MAX] = {
	ROUTER_COUNTERS(ROUTER_C_NAME)
};
const char *const router_counter_help[ROUTER_C__MAX] = {
	ROUTER_COUNTERS(ROUTER_C_HELP)
};

#define ICMP_ERRPPS	100		/* net.inet{,6}.icmp{,6}.errppslimit */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5	/* USO (Linux 6.2) */
#endif

static void	netname4(uint32_t, uint8_t, char *, size_t);
static void	rif_gratuitous(struct router *, struct rif *);
static void	router_icmp_error(struct router *, struct rif *,
		    const uint8_t *, uint32_t, uint8_t, uint8_t, uint32_t);

static uint32_t
plen_mask(uint8_t plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

static const char *
ipstr(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
	    (a >> 8) & 0xff, a & 0xff);
	return buf;
}

int
router_init(struct router *rt, struct dp *dp)
{
	memset(rt, 0, sizeof(*rt));
	rt->dp = dp;
	sysctl_defaults(rt->sysctl);
	if ((rt->arp = calloc(1, sizeof(*rt->arp))) == NULL ||
	    (rt->nd6 = calloc(1, sizeof(*rt->nd6))) == NULL)
		return ENOMEM;
	lpm6_init(&rt->lpm6);
	return lpm_init(&rt->lpm);
}

void
router_fini(struct router *rt)
{
	uint32_t i;
	int k;

	if (rt->arp != NULL)
		for (i = 0; i < ARP_SLOTS; i++)
			for (k = 0; k < rt->arp->e[i].nq; k++)
				pkt_free(&rt->dp->pool, rt->arp->e[i].q[k]);
	free(rt->arp);
	router6_fini(rt);
	free(rt->routes);
	for (k = 0; k < rt->nrifs; k++)
		free(rt->rifs[k].dhcp);
	free(rt->dhcpd);
	lpm_fini(&rt->lpm);
	memset(rt, 0, sizeof(*rt));
}

struct rif *
router_rif(struct router *rt, const struct port *p)
{
	int i;

	for (i = 0; i < rt->nrifs; i++)
		if (rt->rifs[i].port == p)
			return &rt->rifs[i];
	return NULL;
}

struct rif *
router_add_rif(struct router *rt, struct port *p, const uint8_t *mac)
{
	struct rif *r;

	if (rt->nrifs == ROUTER_MAX_RIFS)
		return NULL;
	r = &rt->rifs[rt->nrifs++];
	memset(r, 0, sizeof(*r));
	r->port = p;
	memcpy(r->mac, mac, 6);
	return r;
}

static int
route_new(struct router *rt, uint32_t dst, uint8_t plen, uint32_t gw,
    int rif, uint32_t flags, uint8_t prio)
{
	struct route *r;
	uint32_t id;
	int error;

	dst &= plen_mask(plen);
	for (id = 0; id < rt->nroutes; id++)
		if (!rt->routes[id].used)
			break;
	if (id == rt->nroutes) {
		if (rt->nroutes == rt->cap) {
			uint32_t n = rt->cap ? rt->cap * 2 : 64;
			struct route *nr = realloc(rt->routes, n * sizeof(*nr));

			if (nr == NULL)
				return ENOMEM;
			rt->routes = nr;
			rt->cap = n;
		}
		rt->nroutes++;
	}
	if ((error = lpm_add(&rt->lpm, dst, plen, id + 1)) != 0)
		return error;
	r = &rt->routes[id];
	memset(r, 0, sizeof(*r));
	r->dst = dst;
	r->plen = plen;
	r->gw = gw;
	r->rif = (int8_t)rif;
	r->flags = flags | RTF_UP;
	r->prio = prio;
	r->used = 1;
	return 0;
}

/* An address on a rif: and its connected route (UCn, priority 4). */
int
router_add_addr(struct router *rt, struct rif *r, uint32_t addr,
    uint8_t plen)
{
	if (r->naddrs == ROUTER_MAX_ADDRS)
		return ENOSPC;
	r->addrs[r->naddrs].addr = addr;
	r->addrs[r->naddrs].plen = plen;
	r->naddrs++;
	return route_new(rt, addr, plen, addr, (int)(r - rt->rifs),
	    RTF_CLONING | RTF_CONNECTED, 4);
}

/*
 * ifconfig IF inet ...: the rif's addresses become ADDRS (replacing the
 * old ones and their connected routes), announced by gratuitous ARP.
 */
int
router_set_addrs(struct router *rt, struct rif *r, const struct rif_addr *a,
    int n)
{
	const struct lpm_route *lr;
	int k, error;

	for (k = 0; k < r->naddrs; k++) {
		lr = lpm_find(&rt->lpm, r->addrs[k].addr, r->addrs[k].plen);
		if (lr != NULL && rt->routes[lr->nh - 1].flags & RTF_CONNECTED) {
			rt->routes[lr->nh - 1].used = 0;
			lpm_delete(&rt->lpm, r->addrs[k].addr,
			    r->addrs[k].plen);
		}
	}
	r->naddrs = 0;
	for (k = 0; k < n; k++)
		if ((error = router_add_addr(rt, r, a[k].addr, a[k].plen)) != 0)
			return error;
	rif_gratuitous(rt, r);
	return 0;
}

/* A static route (UGS, priority 8); the gateway must be on a rif's net. */
int
router_route_add(struct router *rt, uint32_t dst, uint8_t plen, uint32_t gw,
    char *err, size_t errlen)
{
	uint32_t id = lpm_lookup(&rt->lpm, gw);
	char a[16];

	if (id == LPM_NH_NONE || rt->routes[id - 1].rif < 0 ||
	    !(rt->routes[id - 1].flags & RTF_CONNECTED)) {
		snprintf(err, errlen, "gateway %s is on no connected network",
		    ipstr(gw, a));
		return EHOSTUNREACH;
	}
	if (lpm_find(&rt->lpm, dst, plen) != NULL) {
		snprintf(err, errlen, "route exists");
		return EEXIST;
	}
	return route_new(rt, dst, plen, gw, rt->routes[id - 1].rif,
	    RTF_GATEWAY | RTF_STATIC, 8);
}

int
router_route_delete(struct router *rt, uint32_t dst, uint8_t plen)
{
	const struct lpm_route *lr = lpm_find(&rt->lpm, dst, plen);
	uint32_t id;

	if (lr == NULL)
		return ESRCH;
	id = lr->nh;
	if (rt->routes[id - 1].flags & RTF_CONNECTED)
		return EPERM;
	lpm_delete(&rt->lpm, dst, plen);
	rt->routes[id - 1].used = 0;
	return 0;
}

/* Is addr one of ours?  Returns the rif holding it, or NULL. */
static struct rif *
router_local(struct router *rt, uint32_t addr)
{
	int i, k;

	for (i = 0; i < rt->nrifs; i++)
		for (k = 0; k < rt->rifs[i].naddrs; k++)
			if (rt->rifs[i].addrs[k].addr == addr)
				return &rt->rifs[i];
	return NULL;
}

/*
 * pf_routable()'s question: the port the route to addr (AF_INET: 4 bytes,
 * AF_INET6: 16, network order) goes out on, or NULL for no route.
 */
struct port *
router_route_port(struct router *rt, int af, const uint8_t *addr)
{
	uint32_t id;

	if (af == AF_INET) {
		id = lpm_lookup(&rt->lpm, ip_get32(addr));
		return id == LPM_NH_NONE ? NULL :
		    rt->rifs[rt->routes[id - 1].rif].port;
	}
	id = lpm6_lookup(&rt->lpm6, addr);
	return id == LPM6_NH_NONE ? NULL :
	    rt->rifs[rt->routes6[id - 1].rif].port;
}

struct pkt *
router_alloc(struct router *rt)
{
	struct pkt *p = pkt_alloc(&rt->dp->pool);

	if (p == NULL)
		rt->c[ROUTER_C_DROP_NO_BUFFER]++;
	else
		p->pf_generated = rt->pf_generating;
	return p;
}

/*
 * A link-layer frame of ours for interface r (ARP, neighbour discovery):
 * its priority is the interface's llprio, as arprequest() and
 * nd6_ns_output() give it (what a vlan's txprio packet puts in the PCP).
 */
struct pkt *
router_alloc_ll(struct router *rt, const struct rif *r)
{
	struct pkt *p = router_alloc(rt);

	if (p != NULL)
		p->prio = r->port->llprio;
	return p;
}

/*
 * A buffer for one piece of p (a fragment, a segment): p's first hdr
 * bytes, and what travels with p (pkt_inherit(): port, trace, and
 * pf's priority, tag, queue and delay).
 */
struct pkt *
router_piece(struct router *rt, const struct pkt *p, uint32_t hdr)
{
	struct pkt *f = router_alloc(rt);

	if (f == NULL)
		return NULL;
	memcpy(f->data, p->data, hdr);
	pkt_inherit(f, p);
	return f;
}

/*
 * Our ICMP error in p (its length 0 if it could not be built) about q,
 * whose sender is of the other family: pf in on ro translates it back
 * through q's af-to state, to family af, and it is routed there;
 * counted as counter.  Consumes p.
 */
void
router_afto_error(struct router *rt, struct rif *ro, struct pkt *p,
    const struct pkt *q, int af, int counter)
{
	p->traced = q->traced;
	p->id = q->id;
	p->in_port = ro->port->index;
	if (p->len != 0 && dp_pf_test(rt->dp, ro->port, ACL_IN, p) ==
	    PF_PASS && p->pf_afto == af) {
		rt->c[counter]++;
		router_afto(rt, p);
	} else
		pkt_free(&rt->dp->pool, p);
}

/* Our own copy of a frame others may hold. */
struct pkt *
router_own(struct router *rt, struct pkt *p, int shared)
{
	struct pkt *n;

	if (!shared) {
		p->refs++;
		return p;
	}
	if ((n = pkt_copy(&rt->dp->pool, p)) == NULL)
		rt->c[ROUTER_C_DROP_NO_BUFFER]++;
	return n;
}

/* Send a frame whose destination MAC is set out of a rif; consumes p. */
void
router_rif_send(struct router *rt, struct rif *r, struct pkt *p)
{
	memcpy(p->data + 6, r->mac, 6);
	if (p->traced)
		dp_trace(rt->dp, p, "router", "out %s", r->port->name);
	if (rt->sent != NULL)
		rt->sent(rt->sent_arg, r, p);
	if (r->port->kind == PORT_VETHER)
		dp_loop(rt->dp, r->port, p);	/* into the bridge */
	else
		dp_output(rt->dp, r->port, p);
	pkt_free(&rt->dp->pool, p);
}

/* Whether host-order a lies on one of r's networks: 1 + the index of
 * the (last) address whose network holds it, or 0. */
static int
rif_onlink(const struct rif *r, uint32_t a)
{
	int k;

	for (k = r->naddrs; k-- > 0;)
		if (((a ^ r->addrs[k].addr) & plen_mask(r->addrs[k].plen)) ==
		    0)
			return k + 1;
	return 0;
}

void
router_arp_request(struct router *rt, struct rif *r, uint32_t target)
{
	struct pkt *p;
	uint32_t src = r->naddrs ? r->addrs[0].addr : 0;
	int k;

	/* Ask from the address on the target's network, if there is one. */
	if ((k = rif_onlink(r, target)) > 0)
		src = r->addrs[k - 1].addr;
	if ((p = router_alloc_ll(rt, r)) == NULL)
		return;
	p->len = arp_build(p->data, 1, r->mac, src, NULL, target);
	rt->c[ROUTER_C_ARP_REQUESTS]++;
	router_rif_send(rt, r, p);
}

static void
arp_drop(struct router *rt, struct pkt *p, int reason, const char *why,
    uint32_t nh, const struct rif *r)
{
	char a[16];

	rt->c[reason]++;
	if (p->traced)
		dp_trace(rt->dp, p, "arp", "drop: %s %s on %s", why,
		    ipstr(nh, a), r->port->name);
	pkt_free(&rt->dp->pool, p);
}

/*
 * Send p to next hop nh on rif r, resolving its MAC first; consumes p.
 * As arpresolve() in OpenBSD's if_ether.c: a known MAC is used; an
 * unknown next hop is asked for and its packets held (ARP_QLEN of them;
 * OpenBSD holds 10 and drops the oldest, sluice keeps the first ones);
 * one that did not answer is down for net.inet.ip.arpdown and its packets are
 * dropped without asking again.
 */
static void
router_resolve(struct router *rt, struct rif *r, uint32_t nh, struct pkt *p)
{
	uint16_t rif = (uint16_t)(r - rt->rifs);
	struct arp_entry *e = arp_lookup(rt->arp, rif, nh);
	char a[16];

	if (e == NULL && (e = arp_insert(rt->arp, rif, nh)) == NULL) {
		arp_drop(rt, p, ROUTER_C_DROP_ARP_FULL, "ARP table full, "
		    "cannot resolve", nh, r);
		return;
	}
	if (arp_usable(e, rt->dp->now)) {
		/*
		 * In its last eighth an entry in use is asked for again
		 * once (la_refreshed), so that a busy next hop's answer
		 * comes before it expires and nothing has to wait.
		 */
		if (!(e->flags & ARP_F_STATIC) && e->tries == 0 &&
		    (int32_t)(e->expire - rt->dp->now) <
		    rt->sysctl[SYSCTL_ARPTIMEOUT] / 8) {
			e->tries = 1;
			router_arp_request(rt, r, nh);
		}
		memcpy(p->data, e->mac, 6);
		router_rif_send(rt, r, p);
		return;
	}
	if (e->state == ARP_DOWN) {
		if ((int32_t)(rt->dp->now - e->expire) < 0) {
			arp_drop(rt, p, ROUTER_C_DROP_ARP_DOWN, "no ARP "
			    "answer lately from", nh, r);
			return;
		}
		e->state = ARP_INCOMPLETE;	/* down time over: ask again */
		e->tries = 0;
	}
	if (e->state == ARP_RESOLVED) {		/* expired, not yet deleted */
		e->state = ARP_INCOMPLETE;
		e->tries = 0;
	}
	if (e->tries == 0) {
		e->tries = 1;
		e->expire = rt->dp->now + 1;
		router_arp_request(rt, r, nh);
	}
	if (e->nq == ARP_QLEN || rt->arpq >= ROUTER_ARPQ_MAX) {
		arp_drop(rt, p, ROUTER_C_DROP_ARP_QUEUE, "too many packets "
		    "waiting for", nh, r);
		return;
	}
	if (p->traced)
		dp_trace(rt->dp, p, "arp", "waiting for %s on %s",
		    ipstr(nh, a), r->port->name);
	e->q[e->nq++] = p;
	rt->arpq++;
}

/*
 * The IP length of one segment of a GSO frame whose IP header is at ip
 * (the transport header and gso_size), or 0 when it cannot be told.  A
 * super-frame's own total length says nothing about what goes on the
 * wire: the output port (or the kernel behind it) cuts it into segments.
 */
static uint32_t
router_gso_seglen(const struct pkt *p, const uint8_t *ip)
{
	uint32_t hl = (ip[0] & 0x0fu) * 4, room = p->len - (uint32_t)(ip -
	    p->data);

	switch (p->off.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (room < hl + 20)
			return 0;
		return hl + (ip[hl + 12] >> 4) * 4u + p->off.gso_size;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return hl + 8 + p->off.gso_size;
	case VIRTIO_NET_HDR_GSO_UDP:		/* UFO: segments are fragments */
		return hl + p->off.gso_size;
	default:
		return 0;
	}
}

/*
 * A GSO frame larger than the MTU without DF (one with DF got a needfrag
 * in router_input()).  OpenBSD's tcp_if_output_tso() would drop the TSO
 * flag and ip_fragment() the whole super-packet, ~47 fragments for 64 KiB
 * of which one lost loses all.  For TCP sluice lowers gso_size instead,
 * so the output port's segmentation makes segments that fit: the same
 * byte stream, cut finer, and no fragments (Linux's ip_finish_output_gso()
 * segments first too).  UFO frames (GSO_UDP) are cut into IP fragments
 * by the same means, so a smaller gso_size (a multiple of 8) is exactly
 * ip_fragment().  A UDP_L4 segment is a datagram of its own and cannot be
 * cut finer: router_uso_split() segments it in software and fragments
 * each datagram, as Linux does (a sender only makes such frames with
 * UDP_SEGMENT and DF cleared).  A frame whose segment size cannot be told
 * goes as it is, as it did before.  Returns 0 when p may go, 1 when it
 * must be segmented first, -1 when it was dropped (and freed).
 */
static int
router_gso_fit(struct router *rt, struct rif *ro, struct pkt *p)
{
	const uint8_t *ip = p->data + ETHER_HDR_LEN;
	uint32_t mtu = ro->port->mtu, seg = router_gso_seglen(p, ip), hdr, n;
	uint8_t type = p->off.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (seg == 0 || seg <= mtu)
		return 0;
	if (type == VIRTIO_NET_HDR_GSO_UDP_L4)
		return 1;
	hdr = seg - p->off.gso_size;
	n = 0;
	if (type == VIRTIO_NET_HDR_GSO_TCPV4 && hdr < mtu)
		n = mtu - hdr;
	else if (type == VIRTIO_NET_HDR_GSO_UDP && hdr + 8 <= mtu)
		n = (mtu - hdr) & ~7u;
	if (n != 0) {
		rt->c[ROUTER_C_GSO_RESEGMENTED]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "GSO segments of %u "
			    "bytes > mtu %u of %s, DF clear: segment size %u "
			    "-> %u", seg, mtu, ro->port->name,
			    p->off.gso_size, n);
		p->off.gso_size = (uint16_t)n;
		return 0;
	}
	rt->c[ROUTER_C_DROP_GSO_MTU]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router", "drop: GSO frame (type %u) whose "
		    "datagrams exceed mtu %u of %s, DF clear",
		    p->off.gso_type, mtu, ro->port->name);
	pkt_free(&rt->dp->pool, p);
	return -1;
}

static void router_send_mtu(struct router *, struct rif *, uint32_t,
    struct pkt *);

/*
 * A UDP GSO frame whose datagrams exceed the MTU, DF clear.  Linux's
 * ip_finish_output_gso() segments such a frame in software and then
 * fragments every datagram (__udp_gso_segment(), ip_fragment()); so does
 * sluice: a datagram per gso_size bytes of payload, each with the next IP
 * id (as inet_gso_segment() numbers them) and its own lengths, then cut
 * by router_send_mtu(), which finishes its UDP checksum.  Consumes p.
 */
static void
router_uso_split(struct router *rt, struct rif *ro, uint32_t nh,
    struct pkt *p)
{
	const uint8_t *ip = p->data + ETHER_HDR_LEN;
	uint32_t hl = (ip[0] & 0x0fu) * 4, iplen = ether_get16(ip + 2);
	uint32_t hdr = ETHER_HDR_LEN + hl + 8, seg = p->off.gso_size, off, n;
	uint16_t id = ether_get16(ip + 4);
	uint8_t *fip, *udp;
	struct pkt *f;

	if (iplen < hl + 8 + 1 || ETHER_HDR_LEN + iplen > p->len ||
	    seg == 0) {
		rt->c[ROUTER_C_DROP_GSO_MTU]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: UDP GSO frame of "
			    "%u bytes with a bad length", p->len);
		pkt_free(&rt->dp->pool, p);
		return;
	}
	rt->c[ROUTER_C_GSO_SEGMENTED]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router", "UDP GSO datagrams of %u bytes > "
		    "mtu %u of %s, DF clear: %u datagrams, each fragmented",
		    hl + 8 + seg, ro->port->mtu, ro->port->name,
		    (iplen - hl - 8 + seg - 1) / seg);
	for (off = 0; off < iplen - hl - 8; off += n, id++) {
		n = iplen - hl - 8 - off < seg ? iplen - hl - 8 - off : seg;
		if ((f = router_piece(rt, p, hdr)) == NULL)
			break;
		memcpy(f->data + hdr, p->data + hdr + off, n);
		f->len = hdr + n;
		fip = f->data + ETHER_HDR_LEN;
		udp = fip + hl;
		ether_put16(fip + 2, (uint16_t)(hl + 8 + n));
		ether_put16(fip + 4, id);
		csum_ip_header(fip, hl);
		/* The checksum as the kernel hands it over (the pseudo
		 * header's sum): csum_complete() or the port finishes it. */
		ether_put16(udp + 4, (uint16_t)(8 + n));
		ether_put16(udp + 6, csum_fold(csum_partial(fip + 12, 8,
		    17 + 8 + n)));
		f->off.flags = PKT_OFF_NEEDS_CSUM;
		f->off.csum_start = (uint16_t)(ETHER_HDR_LEN + hl);
		f->off.csum_offset = 6;
		router_send_mtu(rt, ro, nh, f);
	}
	pkt_free(&rt->dp->pool, p);
}

/*
 * Send p out of rif ro to next hop nh, as ip_output() does after pf:
 * whole when it fits the port's MTU, else cut by ip_fragment()'s rules
 * (fwd/ipfrag.c) unless DF is set, which only our own packets can still
 * have here (forwarded ones got a needfrag in router_input()).  Consumes p.
 */
static void
router_send_mtu(struct router *rt, struct rif *ro, uint32_t nh, struct pkt *p)
{
	const uint8_t *ip = p->data + ETHER_HDR_LEN;
	uint32_t mtu = ro->port->mtu, iplen, hl, flen, off, n;
	struct pkt *f;

	if (p->off.gso_type != 0) {
		switch (router_gso_fit(rt, ro, p)) {
		case 0:
			router_resolve(rt, ro, nh, p);
			break;
		case 1:
			router_uso_split(rt, ro, nh, p);
			break;
		}
		return;
	}
	iplen = ether_get16(ip + 2);
	if (iplen <= mtu) {
		router_resolve(rt, ro, nh, p);
		return;
	}
	hl = (ip[0] & 0x0fu) * 4;
	/* Fragments cannot carry a partial checksum: finish it first. */
	if ((ether_get16(ip + 6) & IP_DF) || iplen < hl ||
	    ETHER_HDR_LEN + iplen > p->len ||
	    (flen = ip_frag_len(ip, mtu)) == 0 || csum_complete(p) != 0) {
		rt->c[ROUTER_C_DROP_CANTFRAG]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: %u bytes > mtu "
			    "%u of %s, cannot fragment%s", iplen, mtu,
			    ro->port->name, ether_get16(ip + 6) & IP_DF ?
			    " (DF)" : "");
		pkt_free(&rt->dp->pool, p);
		return;
	}
	rt->c[ROUTER_C_FRAGMENTED]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router", "%u bytes > mtu %u of %s: %u "
		    "fragments, id %u", iplen, mtu, ro->port->name,
		    (iplen - hl + flen - 1) / flen, ether_get16(ip + 4));
	/* Each fragment in a buffer of its own, sent in order. */
	for (off = 0; off < iplen - hl; off += flen) {
		n = iplen - hl - off < flen ? iplen - hl - off : flen;
		if ((f = router_piece(rt, p, ETHER_HDR_LEN)) == NULL)
			break;
		f->len = ETHER_HDR_LEN + ip_frag_build(f->data +
		    ETHER_HDR_LEN, ip, off, n);
		rt->c[ROUTER_C_FRAGMENTS]++;
		router_resolve(rt, ro, nh, f);
	}
	pkt_free(&rt->dp->pool, p);
}

/*
 * pf out changed the destination of p to dst (rdr-to going out, or the
 * reply to a nat-to that came in): ip_output() routes it again
 * (PF_TAG_REROUTE) and does not run pf a second time.  Returns the new
 * route, or NULL (counted) when there is none or dst is one of ours,
 * which pf.conf(5) says rdr-to going out does not support.
 */
static struct route *
router_reroute(struct router *rt, struct pkt *p, uint32_t dst)
{
	uint32_t id;
	struct route *r;
	char a[16], net[32];

	rt->c[ROUTER_C_REROUTED]++;
	if (router_local(rt, dst) != NULL) {
		rt->c[ROUTER_C_DROP_REROUTE_LOCAL]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: pf out changed "
			    "the destination to %s, one of ours",
			    ipstr(dst, a));
		return NULL;
	}
	if ((id = lpm_lookup(&rt->lpm, dst)) == LPM_NH_NONE) {
		rt->c[ROUTER_C_DROP_NO_ROUTE]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: pf out changed "
			    "the destination to %s: no route", ipstr(dst, a));
		return NULL;
	}
	r = &rt->routes[id - 1];
	r->use++;
	if (p->traced) {
		netname4(r->dst, r->plen, net, sizeof(net));
		dp_trace(rt->dp, p, "router", "pf out changed the destination "
		    "to %s: routed again, route %s on %s", ipstr(dst, a), net,
		    rt->rifs[r->rif].port->name);
	}
	return r;
}

/* A tagged frame leaves the router untagged: its IP header follows. */
void
router_untag(struct pkt *p, uint32_t l3off, uint16_t type)
{
	uint32_t pull = l3off - ETHER_HDR_LEN;

	if (pull == 0)
		return;
	memmove(p->data + pull, p->data, 12);
	p->data += pull;
	p->len -= pull;
	ether_put16(p->data + 12, type);
	if (p->off.flags & PKT_OFF_NEEDS_CSUM)
		p->off.csum_start -= pull;
	if (p->off.gso_type != 0)
		p->off.hdr_len -= pull;
}

/*
 * pf_route()'s m_pkthdr.pf.routed: a packet pf routes a fifth time goes
 * round route-to rules (in on one interface to another, out there back):
 * dropped, counted.  1 then (p freed unless a dup-to's original).
 */
int
router_pf_loop(struct router *rt, struct pkt *p, int dup)
{
	if (p->pf_routed++ <= 3)
		return 0;
	rt->c[ROUTER_C_DROP_PF_LOOP]++;
	if (p->traced)
		dp_trace(rt->dp, p, "router", "drop: pf routed it a fifth "
		    "time (a loop of route-to rules)");
	if (!dup)
		pkt_free(&rt->dp->pool, p);
	return 1;
}

/*
 * A packet af-to made IPv4 (with DF, as pf_translate_af() sets it) that
 * is too big for ro, or whose GSO segments are: dropped, and its sender,
 * on the IPv6 side, learns of it as of any IPv4 router's needfrag about
 * it: one from us, about the packet as its first segment would have
 * left, goes through pf in on ro, where the af-to state makes it a packet
 * too big with the MTU 20 bytes more, to the IPv6 sender.  Returns 1 when
 * q was too big (and freed).
 */
static int
router_afto_toobig(struct router *rt, struct rif *ro, struct pkt *q)
{
	const uint8_t *ip = q->data + ETHER_HDR_LEN;
	uint32_t seg = q->off.gso_type != 0 ? (uint32_t)q->off.hdr_len -
	    ETHER_HDR_LEN + q->off.gso_size : ether_get16(ip + 2);
	uint8_t head[60 + 8];
	struct pkt *p;

	if (seg <= ro->port->mtu)
		return 0;
	rt->c[ROUTER_C_DROP_CANTFRAG]++;
	if (q->traced)
		dp_trace(rt->dp, q, "router", "drop: pf's af-to: %u bytes > mtu "
		    "%u of %s (DF): its IPv6 sender told", seg, ro->port->mtu,
		    ro->port->name);
	if (ro->naddrs != 0 && router_icmp_allowed(rt, 0) &&
	    (p = router_alloc(rt)) != NULL) {
		memcpy(head, ip, 20 + 8);
		ether_put16(head + 2, (uint16_t)seg);
		csum_ip_header(head, 20);
		p->len = icmp_error_build(p->data, PKT_DATA_MAX, head, 20 + 8,
		    ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG, ro->addrs[0].addr,
		    (uint16_t)ro->port->mtu);
		router_afto_error(rt, ro, p, q, 6, ROUTER_C_ICMP_ERRORS);
	}
	pkt_free(&rt->dp->pool, q);
	return 1;
}

/*
 * Where pf_route() sends a packet: the interface the table routes its
 * gateway to (IPv4 p->pf_rt, host order; IPv6 p->pf_rt6, a global
 * address: a link-local one names no interface here), the next hop
 * there (the gateway, or the route's own gateway when the gateway lies
 * behind one) and the route, whose use counts.
 */
struct pf_way {
	struct rif	*ro;
	uint64_t	*use;
	uint32_t	 gw4, nh4;
	uint8_t		 gw6[16];
	const uint8_t	*nh6;
};

/* 0, or -1 when no route leads to the gateway. */
static int
pf_way(struct router *rt, const struct pkt *p, int v6, struct pf_way *w)
{
	uint32_t id;

	if (v6) {
		struct route6 *r;

		memcpy(w->gw6, p->pf_rt6, 16);
		if ((id = lpm6_lookup(&rt->lpm6, w->gw6)) == LPM6_NH_NONE)
			return -1;
		r = &rt->routes6[id - 1];
		w->ro = &rt->rifs[r->rif];
		w->nh6 = r->flags & RTF_GATEWAY ? r->gw : w->gw6;
		w->use = &r->use;
	} else {
		struct route *r;

		w->gw4 = p->pf_rt;
		if ((id = lpm_lookup(&rt->lpm, w->gw4)) == LPM_NH_NONE)
			return -1;
		r = &rt->routes[id - 1];
		w->ro = &rt->rifs[r->rif];
		w->nh4 = r->gw && (r->flags & RTF_GATEWAY) ? r->gw : w->gw4;
		w->use = &r->use;
	}
	return 0;
}

/* The gateway (via 0) or the next hop behind it (via 1), for a trace. */
static const char *
pf_way_str(const struct pf_way *w, int v6, int via, char *buf)
{
	if (v6)
		return ip6str(via ? w->nh6 : w->gw6, via ? w->ro : NULL, buf);
	return ipstr(via ? w->nh4 : w->gw4, buf);
}

static int
pf_way_via(const struct pf_way *w, int v6)
{
	return v6 ? w->nh6 != w->gw6 : w->nh4 != w->gw4;
}

static void
pf_way_send(struct router *rt, const struct pf_way *w, int v6, struct pkt *q)
{
	if (v6)
		router6_resolve(rt, w->ro, w->nh6, q);
	else
		router_send_mtu(rt, w->ro, w->nh4, q);
}

/*
 * pf_route() and pf_route6(): pf said route-to, reply-to or dup-to (the
 * gateway in p->pf_rt or pf_rt6, p->pf_rt_af its family).  Out of the
 * interface the table routes the gateway to, past pf out there unless
 * it is CUR, the interface pf has just looked at the packet on, or the
 * route came from a test going out (pf_route() runs pf_test() for what
 * pf in routed only); without the ttl decrement or ICMP errors of
 * forwarding, as pf_route() sends.  A route-to that pf out there gives
 * is followed in turn.  IPv4 is fragmented for the interface, IPv6 too
 * big for it is dropped (pf_route6() sends packet too big).  Consumes p
 * and returns 1; for dup-to sends a copy and returns 0: p goes on as it
 * would.
 */
int
router_pf_route(struct router *rt, struct rif *cur, struct pkt *p,
    uint32_t l3off)
{
	int af = p->pf_rt_af, v6 = af == 6, dup = p->pf_rt_dup;
	int afto = p->pf_afto, out = p->pf_rt_out, tested, via;
	const char *stage = v6 ? "router6" : "router";
	const char *what = dup ? "dup-to" : afto ? "af-to" : "route-to";
	struct pf_way w;
	struct pkt *q = p;
	char a[IP6STR], b[IP6STR];

	p->pf_rt_af = 0;
	if (router_pf_loop(rt, p, dup))
		return !dup;
	if (pf_way(rt, p, v6, &w) != 0) {
		rt->c[ROUTER_C_DROP_PF_NOROUTE]++;
		if (p->traced)
			dp_trace(rt->dp, p, stage, "drop: no route to %s, "
			    "pf's %s", pf_way_str(&w, v6, 0, a), what);
		if (!dup)
			pkt_free(&rt->dp->pool, p);
		return !dup;
	}
	if (dup && (q = pkt_copy(&rt->dp->pool, p)) == NULL) {
		rt->c[ROUTER_C_DROP_NO_BUFFER]++;
		return 0;
	}
	router_untag(q, l3off, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	/* pf out on the new interface, for what pf in routed; its own
	 * route-to is pf_route() again (up to four) */
	tested = w.ro != cur && !out && !q->pf_generated;
	if (tested && dp_pf_test(rt->dp, w.ro->port, ACL_OUT, q) != PF_PASS) {
		pkt_free(&rt->dp->pool, q);
		return !dup;
	}
	if (tested && q->pf_rt_af == af) {
		if (router_pf_route(rt, w.ro, q, ETHER_HDR_LEN) == 0)
			pf_way_send(rt, &w, v6, q);	/* a dup-to's */
		return !dup;
	}
	q->pf_rt_af = 0;
	if (v6 ? router6_pf_toobig(rt, w.ro, q, afto) :
	    afto && router_afto_toobig(rt, w.ro, q))
		return !dup;
	(*w.use)++;
	rt->c[ROUTER_C_PF_ROUTED]++;
	via = pf_way_via(&w, v6);
	if (q->traced)
		dp_trace(rt->dp, q, stage, "pf's %s %s: on %s%s%s", what,
		    pf_way_str(&w, v6, 0, a), w.ro->port->name,
		    via ? " via " : "", via ? pf_way_str(&w, v6, 1, b) : "");
	pf_way_send(rt, &w, v6, q);
	return !dup;
}

/*
 * A packet pf's af-to made IPv4 or IPv6 (an untagged frame), forwarded to
 * its destination as pf_test() does it: marked PF_TAG_GENERATED, so pf
 * does not see it again going out, and only with the new family's
 * forwarding on.  The translation took the hop off its ttl.
 */
void
router_afto(struct router *rt, struct pkt *p)
{
	int v6 = p->pf_afto == 6;

	if (!rt->sysctl[v6 ? SYSCTL_FORWARDING6 : SYSCTL_FORWARDING]) {
		rt->c[v6 ? ROUTER_C_DROP_FORWARDING6_OFF :
		    ROUTER_C_DROP_FORWARDING_OFF]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: pf's af-to made "
			    "it IPv%d, and net.inet%s.ip%s.forwarding=0",
			    v6 ? 6 : 4, v6 ? "6" : "", v6 ? "6" : "");
		pkt_free(&rt->dp->pool, p);
		return;
	}
	if (v6) {
		router6_afto(rt, p);
		return;
	}
	p->pf_rt_af = 4;
	p->pf_rt_dup = 0;
	p->pf_rt = ip_get32(p->data + ETHER_HDR_LEN + 16);
	(void)router_pf_route(rt, NULL, p, ETHER_HDR_LEN);
}

/*
 * A packet af-to would translate whose hop limit runs out here, on rif r
 * it came in by: its sender gets a time exceeded in its own family, as
 * forwarding it would have (and traceroute sees the hop).
 */
void
router_afto_expired(struct router *rt, struct rif *r, const struct pkt *p,
    uint32_t l3off)
{
	const uint8_t *ip = p->data + l3off;

	/* as pf would let it through the af-to state: unfiltered */
	rt->pf_generating = 1;
	if ((ip[0] >> 4) == 6)
		router6_icmp_error(rt, r, ip, p->len - l3off,
		    ICMP6_TIME_EXCEEDED, 0, 0);
	else
		router_icmp_error(rt, r, ip, p->len - l3off, ICMP_TIMXCEED,
		    0, 0);
	rt->pf_generating = 0;
}

/*
 * Route an IPv4 packet of ours and send it; consumes p.  The packet's
 * IPv4 header follows an untagged Ethernet header.
 */
static void
router_output(struct router *rt, struct pkt *p, uint32_t dst)
{
	uint32_t id = lpm_lookup(&rt->lpm, dst);
	struct route *r;

	if (id == LPM_NH_NONE)
		goto drop;
	r = &rt->routes[id - 1];
	r->use++;
	/* pf's own (PF_TAG_GENERATED) pass unfiltered */
	if (p->pf_generated)
		p->pf_rt_af = 0;
	else if (dp_pf_test(rt->dp, rt->rifs[r->rif].port, ACL_OUT, p) !=
	    PF_PASS)
		goto drop;
	if (p->pf_rt_af == 4 && router_pf_route(rt, &rt->rifs[r->rif], p,
	    ETHER_HDR_LEN))
		return;
	if (ip_get32(p->data + ETHER_HDR_LEN + 16) != dst) {
		dst = ip_get32(p->data + ETHER_HDR_LEN + 16);
		if ((r = router_reroute(rt, p, dst)) == NULL)
			goto drop;
	}
	router_send_mtu(rt, &rt->rifs[r->rif], r->gw && (r->flags &
	    RTF_GATEWAY) ? r->gw : dst, p);
	return;
drop:
	pkt_free(&rt->dp->pool, p);
}

/* router_output() for the router's own daemons (dhcpd's replies to a
 * relay agent). */
void
router_send_ip(struct router *rt, struct pkt *p, uint32_t dst)
{
	router_output(rt, p, dst);
}

/*
 * icmp_ratecheck(): at most 100 errors a second, per family
 * (net.inet.icmp.errppslimit, net.inet6.icmp6.errppslimit).
 */
int
router_icmp_allowed(struct router *rt, int v6)
{
	uint32_t *second = v6 ? &rt->icmp6_second : &rt->icmp_second;
	uint32_t *sent = v6 ? &rt->icmp6_sent : &rt->icmp_sent;

	if (*second != rt->dp->now) {
		*second = rt->dp->now;
		*sent = 0;
	}
	if (*sent >= ICMP_ERRPPS) {
		rt->c[v6 ? ROUTER_C_ICMP6_RATELIMIT :
		    ROUTER_C_ICMP_RATELIMIT]++;
		return 0;
	}
	(*sent)++;
	return 1;
}

/* An ICMP error about the packet whose IP header is at ip, from rif r. */
static void
router_icmp_error(struct router *rt, struct rif *r, const uint8_t *ip,
    uint32_t room, uint8_t type, uint8_t code, uint32_t arg)
{
	uint32_t to = ip_get32(ip + 12);
	uint32_t src = r->naddrs ? r->addrs[0].addr : 0;
	struct pkt *p;
	int k;

	/* From our address on the sender's network, if it is on one: the
	 * gateway it used, which is whom a host believes a redirect from. */
	if ((k = rif_onlink(r, to)) > 0)
		src = r->addrs[k - 1].addr;
	/* Never about an ICMP error, a broadcast, or a fragment tail. */
	if ((ip[9] == 1 && room > (ip[0] & 0x0fu) * 4u &&
	    !l3_icmp_is_query(4, ip[(ip[0] & 0x0f) * 4])) ||
	    (ether_get16(ip + 6) & 0x1fff) != 0 || to == 0xffffffff ||
	    !router_icmp_allowed(rt, 0))
		return;
	if ((p = router_alloc(rt)) == NULL)
		return;
	p->len = icmp_error_build(p->data, PKT_DATA_MAX, ip, room, type, code,
	    src, arg);
	if (p->len == 0) {
		pkt_free(&rt->dp->pool, p);
		return;
	}
	rt->c[ROUTER_C_ICMP_ERRORS]++;
	router_output(rt, p, to);
}

static void
arp_release(struct router *rt, struct arp_entry *e)
{
	int k;

	for (k = 0; k < e->nq; k++) {
		memcpy(e->q[k]->data, e->mac, 6);
		rt->arpq--;
		router_rif_send(rt, &rt->rifs[e->rif], e->q[k]);
	}
	e->nq = 0;
}

/* The published entry for ip on interface rif, or NULL. */
static struct arp_pub *
router_pub_find(struct router *rt, int rif, uint32_t ip)
{
	int k;

	for (k = 0; k < rt->npub; k++)
		if (rt->pub[k].ip == ip && rt->pub[k].rif == rif)
			return &rt->pub[k];
	return NULL;
}

static void
router_arp_input(struct router *rt, struct rif *r, struct pkt *p)
{
	const struct arp_pub *pb = NULL;
	struct arp_entry *e;
	struct arp_msg m;
	struct pkt *rep;
	int k, ours = 0;
	char a[16];

	rt->c[ROUTER_C_ARP_IN]++;
	if (arp_parse(p->data, p->len, &m) != 0)
		return;
	/* Anyone who says it holds an address dhcpd is about to offer. */
	if (rt->dhcpd != NULL && m.spa != 0)
		dhcpd_arp_seen(rt->dp, m.spa, m.sha);
	for (k = 0; k < r->naddrs; k++)
		if (r->addrs[k].addr == m.tpa)
			ours = 1;
	/*
	 * RFC 826: update a known sender (also one that is down: it answers
	 * now); learn it if we are the target.  A probe (sender 0.0.0.0)
	 * teaches nothing.
	 */
	e = m.spa != 0 ? arp_lookup(rt->arp, (uint16_t)(r - rt->rifs), m.spa) :
	    NULL;
	if (e == NULL && ours && m.spa != 0)
		e = arp_insert(rt->arp, (uint16_t)(r - rt->rifs), m.spa);
	/*
	 * arpcache(): a permanent entry (arp -s ... permanent) is never
	 * overwritten; a static one takes the new address and stays static.
	 */
	if (e != NULL && (e->flags & ARP_F_PERMANENT) &&
	    memcmp(e->mac, m.sha, 6) != 0) {
		rt->c[ROUTER_C_ARP_PERMANENT]++;
		if (p->traced)
			dp_trace(rt->dp, p, "arp", "%s is a permanent entry: "
			    "not overwritten", ipstr(m.spa, a));
	} else if (e != NULL) {
		memcpy(e->mac, m.sha, 6);
		e->state = ARP_RESOLVED;
		e->tries = 0;
		if (!(e->flags & ARP_F_STATIC))
			e->expire = rt->dp->now + rt->sysctl[SYSCTL_ARPTIMEOUT];
		arp_release(rt, e);
	}
	if (m.op == 1 && !ours && rt->npub > 0)
		pb = router_pub_find(rt, (int)(r - rt->rifs), m.tpa);
	if (p->traced)
		dp_trace(rt->dp, p, "arp", "%s %u.%u.%u.%u%s", m.op == 1 ?
		    "who-has" : "reply from", (m.op == 1 ? m.tpa : m.spa) >> 24,
		    ((m.op == 1 ? m.tpa : m.spa) >> 16) & 0xff,
		    ((m.op == 1 ? m.tpa : m.spa) >> 8) & 0xff,
		    (m.op == 1 ? m.tpa : m.spa) & 0xff,
		    ours && m.op == 1 ? ": ours, replying" : pb != NULL ?
		    ": published (arp -s ... pub), replying" : "");
	if (m.op != 1 || (!ours && pb == NULL))
		return;
	if ((rep = router_alloc_ll(rt, r)) == NULL)
		return;
	rep->len = arp_build(rep->data, 2, pb != NULL ? pb->mac : r->mac,
	    m.tpa, m.sha, m.spa);
	/* in_arpinput(): the published address, from our own Ethernet */
	memcpy(rep->data + 6, r->mac, 6);
	rt->c[pb != NULL ? ROUTER_C_ARP_PROXY : ROUTER_C_ARP_REPLIES]++;
	router_rif_send(rt, r, rep);
}

/* For us: answer echo requests; UDP gets port unreachable. */
static void
router_local_input(struct router *rt, struct rif *r, struct pkt *p,
    const struct l3info *li, int shared)
{
	uint8_t *ip = p->data + li->l3off;
	uint32_t from = ip_get32(ip + 12), to = ip_get32(ip + 16);
	struct pkt *q;

	rt->c[ROUTER_C_LOCAL]++;
	if (li->proto == L3_IPPROTO_ICMP && li->icmp_type == ICMP_ECHO &&
	    !li->frag) {
		if ((q = router_own(rt, p, shared)) == NULL)
			return;
		ip = q->data + li->l3off;
		if (icmp_echo_reply(ip, q->len - li->l3off, to) != 0) {
			pkt_free(&rt->dp->pool, q);
			return;
		}
		/* Strip any tag: the reply is routed like anything we send. */
		if (li->l3off != ETHER_HDR_LEN) {
			memmove(q->data + li->l3off - ETHER_HDR_LEN, q->data,
			    12);
			q->data += li->l3off - ETHER_HDR_LEN;
			q->len -= li->l3off - ETHER_HDR_LEN;
			ether_put16(q->data + 12, ETHERTYPE_IP);
		}
		q->off = (struct pkt_offload){ 0 };
		q->st_tags = 0;		/* the reply is another key */
		q->pf_tag = 0;		/* and our own packet */
		rt->c[ROUTER_C_ECHO_REPLIES]++;
		if (q->traced)
			dp_trace(rt->dp, q, "router", "echo request for us: "
			    "reply");
		router_output(rt, q, from);
		return;
	}
	rt->c[ROUTER_C_DROP_LOCAL_PROTO]++;
	if (li->proto == L3_IPPROTO_UDP)
		router_icmp_error(rt, r, ip, p->len - li->l3off, ICMP_UNREACH,
		    ICMP_UNREACH_PORT, 0);
}

/*
 * A frame for the router on rif r.  SHARED: other queues hold the same
 * buffer, so it is copied before any change.  The caller keeps its ref.
 */
void
router_input(struct router *rt, struct rif *r, struct pkt *p, int shared)
{
	const uint8_t *dmac = ether_dst(p->data);
	struct l3info li;
	struct route *rte;
	struct arp_entry *e;
	struct rif *lr, *ro;
	uint32_t dst, id, seg, nh, hl, mlen;
	uint8_t *ip, mcopy[60 + 8];
	struct pkt *q;
	char a[16];
	int redirect;

	if (!ether_is_multicast(dmac) && memcmp(dmac, r->mac, 6) != 0) {
		rt->c[ROUTER_C_DROP_NOT_FOR_US]++;
		return;
	}
	switch (l3_parse(p->data, p->len, &li)) {
	case L3_NOT_IP:
		if (ether_type(p->data, p->len, NULL) == ETHERTYPE_ARP)
			router_arp_input(rt, r, p);
		else
			rt->c[ROUTER_C_DROP_NOT_IPV4]++;
		return;
	case L3_OK:
		break;
	default:
		rt->c[ether_type(p->data, p->len, NULL) == ETHERTYPE_IPV6 ?
		    ROUTER_C_DROP_BAD_HEADER6 : ROUTER_C_DROP_BAD_HEADER]++;
		return;
	}
	if (li.af != 4) {
		router6_input(rt, r, p, shared, &li);
		return;
	}
	ip = p->data + li.l3off;
	if (!ip_header_ok(ip, p->len - li.l3off)) {
		rt->c[ROUTER_C_DROP_BAD_HEADER]++;
		return;
	}
	/* A lease's answer goes to the client beside pf, as to bpf(4). */
	if (li.proto == L3_IPPROTO_UDP && li.dport == DHCP_CLIENT_PORT &&
	    li.sport == DHCP_SERVER_PORT && !li.frag && li.l4off != 0 &&
	    dhcp_input(rt->dp, r, p, &li))
		return;
	/* A guest's request goes to the server beside pf, as from bpf(4);
	 * a relay agent's comes from the server port. */
	if (li.proto == L3_IPPROTO_UDP && li.dport == DHCP_SERVER_PORT &&
	    (li.sport == DHCP_CLIENT_PORT || li.sport == DHCP_SERVER_PORT) &&
	    !li.frag && li.l4off != 0 &&
	    dhcpd_input(rt->dp, r, p, &li))
		return;
	rt->c[ROUTER_C_IN]++;
	/* From here the router may change the packet (NAT): own it. */
	if ((q = router_own(rt, p, shared)) == NULL)
		return;
	p = q;
	ip = p->data + li.l3off;
	if (dp_pf_test(rt->dp, r->port, ACL_IN, p) != PF_PASS)
		goto done;
	if (p->reassembled) {
		/* pf made the datagram of its fragments: a new frame. */
		(void)l3_parse(p->data, p->len, &li);
		ip = p->data + li.l3off;
	}
	if (p->pf_afto == 6) {
		/* af-to made it IPv6: routed as such, past pf out */
		router_afto(rt, p);
		return;
	}
	if (p->pf_rt_af == 4 && router_pf_route(rt, r, p, li.l3off))
		return;
	dst = ip_get32(ip + 16);
	if ((lr = router_local(rt, dst)) != NULL || dst == 0xffffffff) {
		/*
		 * in_ouraddr(): a host (forwarding off) takes an address
		 * only on the interface that holds it (ips_wrongif); a
		 * router takes any of its addresses on any interface.
		 */
		if (lr != NULL && lr != r && !rt->sysctl[SYSCTL_FORWARDING]) {
			rt->c[ROUTER_C_DROP_WRONG_IF]++;
			if (p->traced)
				dp_trace(rt->dp, p, "router", "drop: %s is on "
				    "%s, not %s, and net.inet.ip.forwarding=0",
				    ipstr(dst, a), lr->port->name,
				    r->port->name);
			goto done;
		}
		router_local_input(rt, r, p, &li, 0);
		goto done;
	}
	if (ether_is_multicast(dmac))
		goto done;	/* not routed: a broadcast for others */
	if (!rt->sysctl[SYSCTL_FORWARDING]) {
		rt->c[ROUTER_C_DROP_FORWARDING_OFF]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: not for us and "
			    "net.inet.ip.forwarding=0");
		goto done;
	}
	if (li.ttl <= 1) {
		rt->c[ROUTER_C_DROP_TTL]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: ttl %u exceeded",
			    li.ttl);
		router_icmp_error(rt, r, ip, p->len - li.l3off, ICMP_TIMXCEED,
		    0, 0);
		goto done;
	}
	if ((id = lpm_lookup(&rt->lpm, dst)) == LPM_NH_NONE) {
		rt->c[ROUTER_C_DROP_NO_ROUTE]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: no route to %s",
			    ipstr(dst, a));
		/* ip_forward(): no route is ICMP_UNREACH_HOST. */
		router_icmp_error(rt, r, ip, p->len - li.l3off, ICMP_UNREACH,
		    ICMP_UNREACH_HOST, 0);
		goto done;
	}
	rte = &rt->routes[id - 1];
	ro = &rt->rifs[rte->rif];
	nh = rte->gw && (rte->flags & RTF_GATEWAY) ? rte->gw : dst;
	/*
	 * ip_forward() keeps the head of the packet as it came in (mcopy:
	 * after pf in, before the ttl and pf out change it) for the ICMP
	 * errors that ip_output() may make it send.  Of a GSO frame what the
	 * sender must see is its first segment, as it would have been sent.
	 */
	seg = p->off.gso_type != 0 ? router_gso_seglen(p, ip) : li.iplen;
	hl = (ip[0] & 0x0fu) * 4;
	mlen = p->len - li.l3off < hl + 8 ? p->len - li.l3off : hl + 8;
	memcpy(mcopy, ip, mlen);
	if (p->off.gso_type != 0 && mlen == hl + 8) {
		ether_put16(mcopy + 2, (uint16_t)seg);
		csum_ip_header(mcopy, hl);
	}
	ip_ttl_dec(ip);
	router_untag(p, li.l3off, ETHERTYPE_IP);
	ip = p->data + ETHER_HDR_LEN;
	if (p->traced) {
		char net[32], gw[16];

		netname4(rte->dst, rte->plen, net, sizeof(net));
		dp_trace(rt->dp, p, "router", "to %s: route %s %s%s on %s, "
		    "ttl %u -> %u", ipstr(dst, a), net,
		    rte->flags & RTF_GATEWAY ? "via " : "direct",
		    rte->flags & RTF_GATEWAY ? ipstr(rte->gw, gw) : "",
		    ro->port->name, li.ttl, li.ttl - 1);
	}
	/* ip_output(): pf out first; what it refuses makes no ICMP error. */
	rte->use++;
	if (dp_pf_test(rt->dp, ro->port, ACL_OUT, p) != PF_PASS)
		goto done;
	if (p->reassembled) {
		/* Whole now (pf out reassembled it, or pf in did): mcopy
		 * stays the last fragment's, as in ip_forward(), which
		 * icmp_error() never answers. */
		ip = p->data + ETHER_HDR_LEN;
		seg = ether_get16(ip + 2);
	}
	if (p->pf_rt_af == 4 && router_pf_route(rt, ro, p, ETHER_HDR_LEN))
		return;
	if (ip_get32(ip + 16) != dst) {
		dst = ip_get32(ip + 16);
		if ((rte = router_reroute(rt, p, dst)) == NULL) {
			/* ip_forward() on EHOSTUNREACH: host unreachable. */
			if (router_local(rt, dst) == NULL)
				router_icmp_error(rt, r, mcopy, mlen,
				    ICMP_UNREACH, ICMP_UNREACH_HOST, 0);
			goto done;
		}
		ro = &rt->rifs[rte->rif];
		nh = rte->gw && (rte->flags & RTF_GATEWAY) ? rte->gw : dst;
	}
	/*
	 * DF and too big: ip_output() fails with EMSGSIZE and ip_forward()
	 * sends a needfrag with the interface's MTU.  For a GSO frame what
	 * counts is a segment (TCP from Linux always has DF): without this
	 * a guest with a larger MTU than em0's never learns the path MTU.
	 * Without DF, router_send_mtu() fragments or resegments.
	 */
	if ((ether_get16(ip + 6) & IP_DF) && seg > ro->port->mtu) {
		rt->c[ROUTER_C_DROP_NEEDFRAG]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: %s%u bytes > mtu %u "
			    "of %s, DF set: needfrag sent", p->off.gso_type ?
			    "GSO segments of " : "", seg, ro->port->mtu,
			    ro->port->name);
		router_icmp_error(rt, r, mcopy, mlen, ICMP_UNREACH,
		    ICMP_UNREACH_NEEDFRAG, (uint16_t)ro->port->mtu);
		goto done;
	}
	/*
	 * A next hop that did not answer ARP is down for a while: there
	 * arpresolve() fails with EHOSTDOWN and ip_forward() answers with a
	 * host unreachable about mcopy, so the sender learns at once.
	 */
	if ((e = arp_lookup(rt->arp, rte->rif, nh)) != NULL &&
	    e->state == ARP_DOWN && (int32_t)(rt->dp->now - e->expire) < 0) {
		rt->c[ROUTER_C_DROP_ARP_DOWN]++;
		if (p->traced)
			dp_trace(rt->dp, p, "router", "drop: next hop on %s "
			    "did not answer ARP lately: host unreachable sent",
			    ro->port->name);
		router_icmp_error(rt, r, mcopy, mlen, ICMP_UNREACH,
		    ICMP_UNREACH_HOST, 0);
		goto done;
	}
	/*
	 * ip_forward(): out the interface it came in on, from a sender on
	 * that interface's network, by a route that is not the default one
	 * and not to an address we publish: the sender could have gone to
	 * the next hop itself.  Forwarded all the same, and the sender told
	 * (a host redirect, as Router Requirements ask).
	 */
	redirect = ro == r && rt->sysctl[SYSCTL_REDIRECT] && rte->plen != 0 &&
	    rif_onlink(r, ip_get32(mcopy + 12)) &&
	    (rt->npub == 0 || router_pub_find(rt, (int)(r - rt->rifs),
	    dst) == NULL);
	if (redirect && p->traced)
		dp_trace(rt->dp, p, "router", "out %s, the interface it came "
		    "in on, from a host on its network: redirect to %s sent",
		    ro->port->name, ipstr(nh, a));
	rt->c[ROUTER_C_FORWARDED]++;
	router_send_mtu(rt, ro, nh, p);
	if (redirect) {
		rt->c[ROUTER_C_REDIRECTS]++;
		router_icmp_error(rt, r, mcopy, mlen, ICMP_REDIRECT,
		    ICMP_REDIRECT_HOST, nh);
	}
	return;
done:
	pkt_free(&rt->dp->pool, p);
}

/*
 * Once a second: ask unresolved next hops again, or give up on them after
 * ARP_RETRIES requests (their packets dropped, the entry down for
 * net.inet.ip.arpdown); delete what expired, as arptimer() does with arptfree()
 * (OpenBSD walks every arpt_prune, 5 minutes; a slot here is worth
 * freeing at once).  A deletion may move a later entry into slot i, so i
 * is looked at again; an entry moved from the start of the table to its
 * end is looked at twice, which the expiry times make harmless.
 */
void
router_tick(struct router *rt)
{
	struct arp_table *t = rt->arp;
	uint32_t i = 0;
	char a[16];
	int k;

	while (i < ARP_SLOTS) {
		struct arp_entry *e = &t->e[i];

		if (e->state == ARP_FREE || (e->flags & ARP_F_STATIC) ||
		    (int32_t)(rt->dp->now - e->expire) < 0) {
			i++;
			continue;
		}
		if (e->state != ARP_INCOMPLETE) {
			arp_delete(t, e);		/* RESOLVED or DOWN */
			continue;
		}
		if (e->tries < ARP_RETRIES) {
			e->tries++;
			e->expire = rt->dp->now + 1;
			router_arp_request(rt, &rt->rifs[e->rif], e->ip);
			i++;
			continue;
		}
		for (k = 0; k < e->nq; k++) {
			if (e->q[k]->traced)
				dp_trace(rt->dp, e->q[k], "arp", "drop: %s on "
				    "%s did not answer ARP", ipstr(e->ip, a),
				    rt->rifs[e->rif].port->name);
			pkt_free(&rt->dp->pool, e->q[k]);
			rt->arpq--;
			rt->c[ROUTER_C_DROP_ARP_TIMEOUT]++;
		}
		e->nq = 0;
		e->state = ARP_DOWN;
		e->tries = 0;
		e->expire = rt->dp->now + rt->sysctl[SYSCTL_ARPDOWN];
		i++;
	}
	router6_tick(rt);
}

/* Announce a rif's addresses (gratuitous ARP), as arp_ifinit() does. */
static void
rif_gratuitous(struct router *rt, struct rif *r)
{
	struct pkt *p;
	int k;

	for (k = 0; k < r->naddrs; k++) {
		uint32_t a = r->addrs[k].addr;

		if ((p = router_alloc_ll(rt, r)) == NULL)
			return;
		p->len = arp_build(p->data, 1, r->mac, a, NULL, a);
		router_rif_send(rt, r, p);
	}
}

/* Announce every address, at start. */
void
router_gratuitous(struct router *rt)
{
	int i;

	for (i = 0; i < rt->nrifs; i++)
		rif_gratuitous(rt, &rt->rifs[i]);
}

/* ---- views ------------------------------------------------------------- */

/* netstat's netname4(): the shortest dotted form for the mask. */
static void
netname4(uint32_t a, uint8_t plen, char *buf, size_t len)
{
	if (plen == 0)
		snprintf(buf, len, "default");
	else if (plen == 32)
		ipstr(a, buf);
	else if (plen < 9)
		snprintf(buf, len, "%u/%u", a >> 24, plen);
	else if (plen < 17)
		snprintf(buf, len, "%u.%u/%u", a >> 24, (a >> 16) & 0xff,
		    plen);
	else if (plen < 25)
		snprintf(buf, len, "%u.%u.%u/%u", a >> 24, (a >> 16) & 0xff,
		    (a >> 8) & 0xff, plen);
	else
		snprintf(buf, len, "%u.%u.%u.%u/%u", a >> 24,
		    (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, plen);
}

struct nsrow {
	uint32_t	 dst;
	uint8_t		 plen;
	char		 gw[20];
	char		 flags[8];
	unsigned	 refs;
	uint64_t	 use;
	int		 prio;
	const char	*ifname;
};

static int
nsrow_cmp(const void *a, const void *b)
{
	const struct nsrow *x = a, *y = b;

	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	return x->plen < y->plen ? -1 : x->plen > y->plen;
}

static const char *
mac_str(const uint8_t *m, char *buf)
{
	snprintf(buf, 20, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
	return buf;
}

/* netstat -rn, Internet part, from routes, addresses and neighbours. */
void
router_netstat(struct router *rt, FILE *out)
{
	struct nsrow *rows;
	size_t n = 0, cap = rt->nroutes + ARP_SLOTS + 64, i;
	char dst[32], b[20];
	int k, j;

	if ((rows = calloc(cap, sizeof(*rows))) == NULL)
		return;
	for (i = 0; i < rt->nroutes; i++) {
		const struct route *r = &rt->routes[i];
		struct nsrow *w = &rows[n++];

		if (!r->used) {
			n--;
			continue;
		}
		w->dst = r->dst;
		w->plen = r->plen;
		ipstr(r->gw, w->gw);
		snprintf(w->flags, sizeof(w->flags), "U%s%s%s%s",
		    r->flags & RTF_GATEWAY ? "G" : "",
		    r->flags & RTF_CLONING ? "C" : "",
		    r->flags & RTF_STATIC ? "S" : "",
		    r->flags & RTF_CONNECTED ? "n" : "");
		w->use = r->use;
		w->prio = r->prio;
		w->refs = r->flags & RTF_GATEWAY ? 0 : 1;
		w->ifname = rt->rifs[r->rif].port->name;
	}
	for (k = 0; k < rt->nrifs; k++)
		for (j = 0; j < rt->rifs[k].naddrs && n + 2 < cap; j++) {
			const struct rif_addr *ra = &rt->rifs[k].addrs[j];
			uint32_t bc = ra->addr | ~plen_mask(ra->plen);
			struct nsrow *w = &rows[n++];

			w->dst = ra->addr;
			w->plen = 32;
			mac_str(rt->rifs[k].mac, w->gw);
			snprintf(w->flags, sizeof(w->flags), "UHLl");
			w->prio = 1;
			w->ifname = rt->rifs[k].port->name;
			if (ra->plen >= 31)
				continue;
			w = &rows[n++];
			w->dst = bc;
			w->plen = 32;
			ipstr(ra->addr, w->gw);
			snprintf(w->flags, sizeof(w->flags), "UHb");
			w->prio = 1;
			w->ifname = rt->rifs[k].port->name;
		}
	for (i = 0; i < ARP_SLOTS && n < cap; i++) {
		const struct arp_entry *e = &rt->arp->e[i];
		struct nsrow *w;

		if (!arp_usable(e, rt->dp->now))
			continue;
		w = &rows[n++];
		w->dst = e->ip;
		w->plen = 32;
		mac_str(e->mac, w->gw);
		/* arp -s makes a static host route; ARP clones one. */
		snprintf(w->flags, sizeof(w->flags), e->flags & ARP_F_STATIC ?
		    "UHLS" : "UHLc");
		w->prio = 3;
		w->ifname = rt->rifs[e->rif].port->name;
	}
	qsort(rows, n, sizeof(*rows), nsrow_cmp);
	fprintf(out, "Routing tables\n\nInternet:\n");
	fprintf(out, "%-18.18s %-18.18s %-6.6s %5.5s %8.8s %5.5s  %4.4s %s\n",
	    "Destination", "Gateway", "Flags", "Refs", "Use", "Mtu", "Prio",
	    "Iface");
	for (i = 0; i < n; i++) {
		netname4(rows[i].dst, rows[i].plen, dst, sizeof(dst));
		fprintf(out, "%-18s %-18s %-6.6s %5u %8llu %5s %c  %2d "
		    "%-5.16s\n", dst, rows[i].gw, rows[i].flags, rows[i].refs,
		    (unsigned long long)rows[i].use, "-", ' ', rows[i].prio,
		    rows[i].ifname);
	}
	free(rows);
	(void)b;
	router6_netstat(rt, out);
}

void
router_sec2str(uint32_t t, char *buf, size_t len)
{
	uint32_t d = t / 86400, h = t / 3600 % 24, m = t / 60 % 60, s = t % 60;
	size_t o = 0;

	buf[0] = '\0';
	if (d)
		o += (size_t)snprintf(buf + o, len - o, "%ud", d);
	if (d || h)
		o += (size_t)snprintf(buf + o, len - o, "%uh", h);
	if (d || h || m)
		o += (size_t)snprintf(buf + o, len - o, "%um", m);
	snprintf(buf + o, len - o, "%us", s);
}

struct arprow {
	uint32_t	 ip;
	int		 rif;
	const uint8_t	*mac;		/* NULL: (incomplete) */
	uint8_t		 local;		/* ours: permanent, flag l */
	uint8_t		 flags;		/* ARP_F_* */
	int32_t		 left;		/* seconds; <= 0: expired */
};

static int
arprow_cmp(const void *a, const void *b)
{
	const struct arprow *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return (x->rif > y->rif) - (x->rif < y->rif);
}

/*
 * arp -an, as usr.sbin/arp prints it (dump(), print_entry()).  arp walks
 * the routing table, where our own addresses (RTF_LOCAL) and the cache
 * are host routes side by side, so the rows come sorted by address.
 */
void
router_arp_show(struct router *rt, FILE *out)
{
	struct arprow *rows;
	char host[16], mac[20], exp[16];
	size_t n = 0, i;
	int k, j;

	if ((rows = calloc(rt->arp->count + (size_t)rt->npub +
	    ROUTER_MAX_RIFS * ROUTER_MAX_ADDRS, sizeof(*rows))) == NULL)
		return;
	for (k = 0; k < rt->npub; k++)
		rows[n++] = (struct arprow){ rt->pub[k].ip, rt->pub[k].rif,
		    rt->pub[k].mac, 0, rt->pub[k].flags, 0 };
	for (k = 0; k < rt->nrifs; k++)
		for (j = 0; j < rt->rifs[k].naddrs; j++)
			rows[n++] = (struct arprow){ rt->rifs[k].addrs[j].addr,
			    k, rt->rifs[k].mac, 1, 0, 0 };
	/*
	 * An incomplete entry shows "expired", as OpenBSD's does (its expiry
	 * is the time of the last request); a down one its time left.
	 */
	for (i = 0; i < ARP_SLOTS; i++) {
		const struct arp_entry *e = &rt->arp->e[i];

		if (e->state == ARP_FREE)
			continue;
		rows[n++] = (struct arprow){ e->ip, e->rif,
		    e->state == ARP_RESOLVED ? e->mac : NULL, 0, e->flags,
		    e->state == ARP_INCOMPLETE ? 0 :
		    (int32_t)(e->expire - rt->dp->now) };
	}
	qsort(rows, n, sizeof(*rows), arprow_cmp);
	fprintf(out, "%-36.36s %-17.17s %7.7s %-9.9s %5s\n", "Host",
	    "Ethernet Address", "Netif", "Expire", "Flags");
	for (i = 0; i < n; i++) {
		const struct arprow *w = &rows[i];

		if (w->local || (w->flags & ARP_F_PERMANENT))
			snprintf(exp, sizeof(exp), "permanent");
		else if (w->flags & ARP_F_STATIC)
			snprintf(exp, sizeof(exp), "static");
		else if (w->left > 0)
			router_sec2str((uint32_t)w->left, exp, sizeof(exp));
		else
			snprintf(exp, sizeof(exp), "expired");
		fprintf(out, "%-36s %-17s %7s %-9.9s %s%s\n",
		    ipstr(w->ip, host), w->mac != NULL ? mac_str(w->mac, mac) :
		    "(incomplete)", rt->rifs[w->rif].port->name, exp,
		    w->local ? "l" : "", w->flags & ARP_F_PUB ? "p" : "");
	}
	free(rows);
}

/* The rif whose connected networks hold ip, as arp -s finds it. */
static struct rif *
router_rif_for(struct router *rt, uint32_t ip)
{
	int k, j;

	for (k = 0; k < rt->nrifs; k++)
		for (j = 0; j < rt->rifs[k].naddrs; j++) {
			const struct rif_addr *a = &rt->rifs[k].addrs[j];
			uint32_t m = a->plen ? ~0u << (32 - a->plen) : 0;

			if ((a->addr & m) == (ip & m))
				return &rt->rifs[k];
		}
	return NULL;
}

/*
 * arp -s: an entry set by hand, on the interface whose network holds ip.
 * FLAGS 0 is `temp' (an ordinary entry, good for arptimeout);
 * ARP_F_STATIC never expires; with ARP_F_PERMANENT, ARP cannot change it
 * either.  Packets waiting for ip go now.  0, or -1 and why in err.
 */
int
router_arp_set(struct router *rt, uint32_t ip, const uint8_t *mac,
    uint8_t flags, char *err, size_t errlen)
{
	struct rif *r = router_rif_for(rt, ip);
	struct arp_entry *e;
	char a[16];

	if (r == NULL) {
		snprintf(err, errlen, "set: cannot intuit interface index "
		    "and type for %s", ipstr(ip, a));
		return -1;
	}
	if (router_local(rt, ip) != NULL) {
		snprintf(err, errlen, "set: %s is an address of ours",
		    ipstr(ip, a));
		return -1;
	}
	if (flags & ARP_F_PUB) {
		struct arp_pub *pb = router_pub_find(rt, (int)(r - rt->rifs),
		    ip);

		if (pb == NULL && rt->npub == ROUTER_PUB_MAX) {
			snprintf(err, errlen, "set: %d published entries "
			    "already", ROUTER_PUB_MAX);
			return -1;
		}
		if (pb == NULL)
			pb = &rt->pub[rt->npub++];
		pb->ip = ip;
		pb->rif = (uint16_t)(r - rt->rifs);
		memcpy(pb->mac, mac, 6);
		pb->flags = flags | ARP_F_STATIC;	/* no timer here */
		return 0;
	}
	if ((e = arp_lookup(rt->arp, (uint16_t)(r - rt->rifs), ip)) == NULL &&
	    (e = arp_insert(rt->arp, (uint16_t)(r - rt->rifs), ip)) == NULL) {
		snprintf(err, errlen, "set: ARP table full (%u entries)",
		    ARP_MAX);
		return -1;
	}
	memcpy(e->mac, mac, 6);
	e->state = ARP_RESOLVED;
	e->flags = flags;
	e->tries = 0;
	e->expire = flags ? 0 : rt->dp->now + rt->sysctl[SYSCTL_ARPTIMEOUT];
	arp_release(rt, e);
	return 0;
}

/* Delete e, dropping (and counting) what waits for it. */
static void
router_arp_drop_entry(struct router *rt, struct arp_entry *e)
{
	char a[16];
	int k;

	for (k = 0; k < e->nq; k++) {
		if (e->q[k]->traced)
			dp_trace(rt->dp, e->q[k], "arp", "drop: the entry for "
			    "%s was deleted (arp -d)", ipstr(e->ip, a));
		pkt_free(&rt->dp->pool, e->q[k]);
		rt->arpq--;
		rt->c[ROUTER_C_DROP_ARP_DELETED]++;
	}
	e->nq = 0;
	arp_delete(rt->arp, e);
}

/*
 * arp -d: delete the entries for ip (every interface), or with ip 0 all
 * of them, as arp -d -a does; each deleted address goes to fn.  Returns
 * how many went.
 */
int
router_arp_delete(struct router *rt, uint32_t ip,
    void (*fn)(void *, uint32_t), void *arg)
{
	uint32_t i = 0;
	int k, n = 0;

	for (k = 0; k < rt->npub; k++) {
		if (ip != 0 && rt->pub[k].ip != ip)
			continue;
		if (fn != NULL)
			fn(arg, rt->pub[k].ip);
		rt->pub[k--] = rt->pub[--rt->npub];
		n++;
	}
	/* A deletion may move a later entry into slot i: look again. */
	while (i < ARP_SLOTS) {
		struct arp_entry *e = &rt->arp->e[i];

		if (e->state == ARP_FREE || (ip != 0 && e->ip != ip)) {
			i++;
			continue;
		}
		if (fn != NULL)
			fn(arg, e->ip);
		router_arp_drop_entry(rt, e);
		n++;
	}
	return n;
}
