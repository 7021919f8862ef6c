/* See dhcpd.h. */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/dhcpd.h"
#include "dataplane/dp.h"
#include "fwd/dhcp.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static const char *
ip4str(uint32_t a, char *buf)
{
	struct in_addr in = { htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static const char *
macstr(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
	    m[3], m[4], m[5]);
	return buf;
}

static void dhcpd_save(struct dp *);

/* A trace line about a decision, on the frame p that caused it. */
#define dhcpd_trace(dp, p, ...) do {					\
	if ((p) != NULL && (p)->traced)					\
		dp_trace((dp), (p), "dhcpd", __VA_ARGS__);		\
} while (0)

/* Whether lease l still holds its address at now (FREE never does). */
static int
lease_live(const struct dhcpd_lease *l, uint32_t now)
{
	return l->addr != 0 && l->state != DHCPD_L_FREE &&
	    (int32_t)(l->ends - now) > 0;
}

static struct dhcpd_lease *
lease_by_addr(struct dhcpd *d, uint32_t a)
{
	int i;

	for (i = 0; i < d->nleases; i++)
		if (d->leases[i].addr == a)
			return &d->leases[i];
	return NULL;
}

/* MAC's lease in subnet s (live or not; not a declined one). */
static struct dhcpd_lease *
lease_by_mac(struct dhcpd *d, const struct conf_dhcpd_subnet *s,
    const uint8_t *mac)
{
	int i;

	for (i = 0; i < d->nleases; i++) {
		struct dhcpd_lease *l = &d->leases[i];

		if (l->addr != 0 && l->state != DHCPD_L_DECLINED &&
		    (l->addr & s->mask) == s->net &&
		    memcmp(l->mac, mac, 6) == 0)
			return l;
	}
	return NULL;
}

/* The host declaration of MAC, or NULL. */
static const struct conf_dhcpd_host *
host_by_mac(const struct conf *c, const uint8_t *mac)
{
	int i;

	for (i = 0; i < c->ndhosts; i++)
		if (c->dhosts[i].has_mac &&
		    memcmp(c->dhosts[i].mac, mac, 6) == 0)
			return &c->dhosts[i];
	return NULL;
}

/* MAC's fixed address in s, or 0. */
static uint32_t
fixed_addr(const struct conf *c, const struct conf_dhcpd_subnet *s,
    const uint8_t *mac)
{
	const struct conf_dhcpd_host *h = host_by_mac(c, mac);

	if (h != NULL && h->addr != 0 && (h->addr & s->mask) == s->net)
		return h->addr;
	return 0;
}

static int
in_ranges(const struct conf_dhcpd_subnet *s, uint32_t a)
{
	int k;

	for (k = 0; k < s->nranges; k++)
		if (a >= s->ranges[k].lo && a <= s->ranges[k].hi)
			return 1;
	return 0;
}

/* Whether a is one of s's to lease to mac: in a range, neither ours nor
 * another host's fixed address (leases aside). */
static int
addr_leasable(struct dp *dp, const struct conf_dhcpd_subnet *s, uint32_t a,
    const uint8_t *mac)
{
	const struct conf *c = dp->conf;
	int i, k;

	if (!in_ranges(s, a))
		return 0;
	for (i = 0; i < dp->router.nrifs; i++)
		for (k = 0; k < dp->router.rifs[i].naddrs; k++)
			if (dp->router.rifs[i].addrs[k].addr == a)
				return 0;
	for (i = 0; i < c->ndhosts; i++)
		if (c->dhosts[i].addr == a &&
		    (!c->dhosts[i].has_mac ||
		    memcmp(c->dhosts[i].mac, mac, 6) != 0))
			return 0;
	return 1;
}

/*
 * Whether a may be leased to mac: leasable, and held by no live lease of
 * another client.
 */
static int
addr_free(struct dp *dp, const struct conf_dhcpd_subnet *s, uint32_t a,
    const uint8_t *mac)
{
	struct dhcpd_lease *l;

	if (!addr_leasable(dp, s, a, mac))
		return 0;
	if ((l = lease_by_addr(dp->router.dhcpd, a)) != NULL &&
	    lease_live(l, dp->now) && (l->state == DHCPD_L_DECLINED ||
	    memcmp(l->mac, mac, 6) != 0))
		return 0;
	return 1;
}

/*
 * The lease slot for a: its own, else an unused one, else the one that
 * ended longest ago.  NULL when every slot holds a live lease.
 */
static struct dhcpd_lease *
lease_slot(struct dp *dp, uint32_t a)
{
	struct dhcpd *d = dp->router.dhcpd;
	struct dhcpd_lease *l, *old = NULL;
	int i;

	if ((l = lease_by_addr(d, a)) != NULL)
		return l;
	if (d->nleases < DHCPD_MAX_LEASES)
		return &d->leases[d->nleases++];
	for (i = 0; i < d->nleases; i++) {
		l = &d->leases[i];
		if (lease_live(l, dp->now))
			continue;
		if (old == NULL || (int32_t)(l->ends - old->ends) < 0)
			old = l;
	}
	return old;
}

/* Give a to mac in state st until now + secs; the lease, or NULL. */
static struct dhcpd_lease *
lease_set(struct dp *dp, uint32_t a, const struct dhcp_msg *m, uint8_t st,
    uint32_t secs)
{
	struct dhcpd_lease *l;
	int i;

	if ((l = lease_slot(dp, a)) == NULL)
		return NULL;
	if (l->addr != a || memcmp(l->mac, m->chaddr, 6) != 0)
		memset(l, 0, sizeof(*l));
	l->addr = a;
	memcpy(l->mac, m->chaddr, 6);
	l->state = st;
	if (st == DHCPD_L_ACTIVE)
		l->starts = dp->now;
	l->ends = dp->now + secs;
	if (m->hostname[0] != '\0') {
		/* the client's bytes: nothing that breaks the view's quotes */
		for (i = 0; m->hostname[i] != '\0' &&
		    i < (int)sizeof(l->hostname) - 1; i++)
			l->hostname[i] = isprint((unsigned char)m->hostname[i])
			    && m->hostname[i] != '"' && m->hostname[i] != '\\' ?
			    m->hostname[i] : '?';
		l->hostname[i] = '\0';
	}
	return l;
}

/* Someone else holds l's address: set it aside, no one's, for an hour. */
static void
lease_abandon(struct dp *dp, struct dhcpd_lease *l)
{
	memset(l->mac, 0, 6);
	l->hostname[0] = '\0';
	l->state = DHCPD_L_DECLINED;
	l->ends = dp->now + DHCPD_DECLINE_HOLD;
}

/*
 * The address to offer mac (RFC 2131 4.3.1): its fixed address, else its
 * lease (even one that ended, if still free), else the one it asks for
 * if free, else the first free one, else, as dhcpd reclaims abandoned
 * leases only then, the one abandoned longest ago, when RECLAIM (for a
 * DISCOVER, not for the probe that just found one in use: the probe
 * before the offer asks again whether someone holds it).  0: none left.
 */
static uint32_t
dhcpd_pick(struct dp *dp, const struct conf_dhcpd_subnet *s,
    const struct dhcp_msg *m, int reclaim)
{
	struct dhcpd *d = dp->router.dhcpd;
	struct dhcpd_lease *l, *old = NULL;
	char b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];
	uint32_t a;
	int k;

	if ((a = fixed_addr(dp->conf, s, m->chaddr)) != 0)
		return a;
	if ((l = lease_by_mac(dp->router.dhcpd, s, m->chaddr)) != NULL &&
	    addr_free(dp, s, l->addr, m->chaddr))
		return l->addr;
	if (m->requested != 0 && addr_free(dp, s, m->requested, m->chaddr))
		return m->requested;
	for (k = 0; k < s->nranges; k++)
		for (a = s->ranges[k].lo; a <= s->ranges[k].hi && a != 0; a++)
			if (addr_free(dp, s, a, m->chaddr))
				return a;
	for (k = 0; reclaim && k < d->nleases; k++) {
		l = &d->leases[k];
		if (l->state == DHCPD_L_DECLINED && lease_live(l, dp->now) &&
		    addr_leasable(dp, s, l->addr, m->chaddr) &&
		    (old == NULL || (int32_t)(l->ends - old->ends) < 0))
			old = l;
	}
	if (old == NULL)
		return 0;
	dp->router.c[ROUTER_C_DHCPD_RECLAIMED]++;
	fprintf(stderr, "sluiced: dhcpd: no free address in subnet %s: "
	    "reclaiming abandoned %s\n", ip4str(s->net, b),
	    ip4str(old->addr, c));
	return old->addr;
}

/*
 * The parameters mac gets on subnet s: its host declaration's over the
 * subnet's (which hold the shared network's and the global ones), in
 * buf when it has any of its own.
 */
static const struct conf_dhcpd_opts *
client_opts(struct dp *dp, const struct conf_dhcpd_subnet *s,
    const uint8_t *mac, struct conf_dhcpd_opts *buf)
{
	const struct conf_dhcpd_host *h = host_by_mac(dp->conf, mac);

	if (h == NULL || h->o.set == 0)
		return &s->o;
	*buf = h->o;
	conf_dhcpd_inherit(buf, &s->o);
	return buf;
}

/* The lease time: what the client asks, up to max-lease-time. */
static uint32_t
lease_time(struct dp *dp, const struct conf_dhcpd_subnet *s,
    const struct dhcp_msg *m)
{
	struct conf_dhcpd_opts buf;
	const struct conf_dhcpd_opts *o = client_opts(dp, s, m->chaddr, &buf);

	if (m->lease == 0)
		return o->default_lease;
	return m->lease < o->max_lease ? m->lease : o->max_lease;
}

/* A wall-clock time (a lease file's) on dp->now's clock. */
static uint32_t
lease_clock(struct dp *dp, int64_t wall)
{
	int64_t ago = (int64_t)time(NULL) - wall;

	if (ago > INT32_MAX / 2)
		ago = INT32_MAX / 2;	/* long gone is gone enough */
	else if (ago < -(int64_t)INT32_MAX / 2)
		ago = -(int64_t)INT32_MAX / 2;
	return dp->now - (uint32_t)(int32_t)ago;
}

/*
 * The server, with the leases of -l's file (already read without error
 * by conf_parse_leases()): those still running as they were, ended ones
 * remembered with their MAC, abandoned ones set aside until they end.
 */
int
dhcpd_start(struct dp *dp)
{
	const struct conf *c = dp->conf;
	struct dhcpd *d;
	int i;

	if ((d = dp->router.dhcpd = calloc(1, sizeof(*d))) == NULL)
		return ENOMEM;
	d->file = dp->opts != NULL ? dp->opts->dhcpd_leases : NULL;
	for (i = 0; i < c->ndleases && d->nleases < DHCPD_MAX_LEASES; i++) {
		const struct conf_dhcpd_lease *cl = &c->dleases[i];
		struct dhcpd_lease *l;

		if (!cl->has_mac && !cl->abandoned)
			continue;
		if ((l = lease_by_addr(d, cl->addr)) == NULL)
			l = &d->leases[d->nleases++];	/* the last one wins */
		memset(l, 0, sizeof(*l));
		l->addr = cl->addr;
		memcpy(l->mac, cl->mac, 6);
		l->starts = lease_clock(dp, cl->starts);
		l->ends = lease_clock(dp, cl->ends);
		l->state = cl->abandoned ? DHCPD_L_DECLINED :
		    (int32_t)(l->ends - dp->now) > 0 ? DHCPD_L_ACTIVE :
		    DHCPD_L_FREE;
		snprintf(l->hostname, sizeof(l->hostname), "%s",
		    cl->hostname);
	}
	return 0;
}

/* Send the reply of TYPE to request q on r, from our address sid. */
static void
dhcpd_send(struct dp *dp, struct rif *r, const struct conf_dhcpd_subnet *s,
    uint32_t sid, struct pkt *rq, const struct dhcp_msg *q,
    uint8_t type, uint32_t yiaddr, uint32_t lease)
{
	struct conf_dhcpd_opts buf;
	const struct conf_dhcpd_opts *o = client_opts(dp, s, q->chaddr, &buf);
	struct dhcp_msg m;
	struct pkt *p;
	const uint8_t *dmac = bcast;
	uint32_t dip = 0xffffffff;
	char a[INET_ADDRSTRLEN];

	if ((p = pkt_alloc(&dp->pool)) == NULL) {
		dp->router.c[ROUTER_C_DROP_NO_BUFFER]++;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.xid = q->xid;
	m.flags = q->flags;
	memcpy(m.chaddr, q->chaddr, 6);
	m.server = sid;
	if (type == DHCPNAK)
		m.flags |= DHCP_FLAG_BROADCAST;	/* RFC 2131 4.3.2 */
	else {
		if (type == DHCPACK)
			m.ciaddr = q->ciaddr;	/* RFC 2131 table 3 */
		m.yiaddr = yiaddr;
		m.lease = lease;
		m.mask = o->mask != 0 ? o->mask : s->mask;
		m.nrouters = o->nrouters;
		memcpy(m.routers, o->routers, sizeof(m.routers));
		m.ndns = o->ndns;
		memcpy(m.dns, o->dns, sizeof(m.dns));
		snprintf(m.domain, sizeof(m.domain), "%s", o->domain);
		memcpy(m.search, o->search, o->search_len);
		m.search_len = o->search_len;
		m.nntp = o->nntp;
		memcpy(m.ntp, o->ntp, sizeof(m.ntp));
		m.bcast = o->bcast;
		m.mtu = o->mtu;
		m.siaddr = o->next_server;
		snprintf(m.sname, sizeof(m.sname), "%s", o->server_name);
		snprintf(m.file, sizeof(m.file), "%s", o->filename);
	}
	/*
	 * Where it goes (RFC 2131 4.1, as dhcpd's ack_lease()): a relayed
	 * request's reply to the relay agent's port 67, routed; a client
	 * with an address (RENEWING, REBINDING, INFORM) gets it there, and
	 * may be listening on a socket bound to it, which no broadcast
	 * reaches; one without an address that did not ask for broadcast
	 * gets it at its MAC and yiaddr, as it can take that before its
	 * address is configured; the rest, and every NAK, the broadcast.
	 * The MAC is chaddr's, with no ARP: the client is on this link.
	 */
	m.giaddr = q->giaddr;
	/* RFC 3046 2.2: a relay agent's information goes back to it */
	memcpy(m.rai, q->rai, q->rai_len);
	m.rai_len = q->rai_len;
	if (q->giaddr != 0) {
		dip = q->giaddr;
		if (type == DHCPNAK)
			m.flags |= DHCP_FLAG_BROADCAST;	/* 4.3.2 */
	} else if (type != DHCPNAK && q->ciaddr != 0) {
		dmac = q->chaddr;
		dip = q->ciaddr;
	} else if (type != DHCPNAK && yiaddr != 0 &&
	    !(q->flags & DHCP_FLAG_BROADCAST)) {
		dmac = q->chaddr;
		dip = yiaddr;
	}
	p->len = dhcp_build_reply(p->data, &m, r->mac, sid, dmac, dip);
	p->in_port = r->port->index;
	dp->router.c[type == DHCPOFFER ? ROUTER_C_DHCPD_OFFERS :
	    type == DHCPACK ? ROUTER_C_DHCPD_ACKS : ROUTER_C_DHCPD_NAKS]++;
	if (dip != 0xffffffff)
		dp->router.c[ROUTER_C_DHCPD_UNICAST]++;
	dhcpd_trace(dp, rq, "%s: %s to %s (%s)", r->port->name,
	    type == DHCPOFFER ? "OFFER" : type == DHCPACK ? "ACK" : "NAK",
	    ip4str(dip, a), dip == 0xffffffff ? "broadcast" :
	    q->giaddr != 0 ? "the relay agent, port 67" :
	    dip == q->ciaddr ? "unicast: the client's address" :
	    "unicast to its MAC: no broadcast flag");
	if (q->giaddr != 0)
		router_send_ip(&dp->router, p, dip);
	else
		router_rif_send(&dp->router, r, p);
}

/*
 * Whether mac may have a outside SELECTING (INIT-REBOOT, RENEWING,
 * REBINDING): its fixed address, its own lease, or, since no lease
 * survives a restart, a free address of a range; and no other address
 * when it has a fixed one.
 */
static int
dhcpd_may_have(struct dp *dp, const struct conf_dhcpd_subnet *s,
    const struct dhcp_msg *m, uint32_t a)
{
	uint32_t fixed = fixed_addr(dp->conf, s, m->chaddr);

	if (fixed != 0)
		return a == fixed;
	return addr_free(dp, s, a, m->chaddr);
}

/* The subnet r serves and our address in it (*sid), or NULL. */
static const struct conf_dhcpd_subnet *
rif_subnet(struct dp *dp, const struct rif *r, uint32_t *sid)
{
	const struct conf_dhcpd_subnet *s;
	int k;

	for (k = 0; k < r->naddrs; k++)
		if ((s = conf_dhcpd_subnet(dp->conf, r->addrs[k].addr)) !=
		    NULL) {
			*sid = r->addrs[k].addr;
			return s;
		}
	return NULL;
}

/* The probe of mac's DISCOVER under way, or NULL. */
static struct dhcpd_probe *
probe_of(struct dhcpd *d, const uint8_t *mac)
{
	int i;

	for (i = 0; i < DHCPD_MAX_PROBES; i++)
		if (d->probes[i].addr != 0 &&
		    memcmp(d->probes[i].m.chaddr, mac, 6) == 0)
			return &d->probes[i];
	return NULL;
}

/* Ask ARP about a for m's client; 0 when no slot is free (offer now). */
static int
probe_start(struct dp *dp, struct rif *r, const struct dhcp_msg *m,
    uint32_t a)
{
	struct dhcpd *d = dp->router.dhcpd;
	struct dhcpd_probe *pr = probe_of(d, m->chaddr);
	/* m may be the slot's own message (dhcpd_tick() asks about the
	 * next address for it): a copy before the slot is cleared */
	struct dhcp_msg msg = *m;
	int i;

	for (i = 0; pr == NULL && i < DHCPD_MAX_PROBES; i++)
		if (d->probes[i].addr == 0)
			pr = &d->probes[i];
	if (pr == NULL)
		return 0;
	memset(pr, 0, sizeof(*pr));
	pr->addr = a;
	pr->until = dp->now + DHCPD_PROBE_WAIT;
	pr->rif = (int)(r - dp->router.rifs);
	pr->m = msg;
	dp->router.c[ROUTER_C_DHCPD_PROBES]++;
	router_arp_request(&dp->router, r, a);
	return 1;
}

/* ARP says spa is at sha: a conflict for a probe of spa, unless sha is
 * the client's own (a client that kept its address asks for it). */
void
dhcpd_arp_seen(struct dp *dp, uint32_t spa, const uint8_t *sha)
{
	struct dhcpd *d = dp->router.dhcpd;
	int i;

	for (i = 0; i < DHCPD_MAX_PROBES; i++) {
		struct dhcpd_probe *pr = &d->probes[i];

		if (pr->addr == spa && !pr->answered &&
		    memcmp(sha, pr->m.chaddr, 6) != 0) {
			pr->answered = 1;
			memcpy(pr->mac, sha, 6);
		}
	}
}

/*
 * Once a second: a probe that no one answered lets its offer go; one
 * that someone did abandons the address (as dhcpd does a pinged one, for
 * DHCPD_DECLINE_HOLD here) and asks about the next free one.
 */
void
dhcpd_tick(struct dp *dp)
{
	struct dhcpd *d = dp->router.dhcpd;
	struct router *rt = &dp->router;
	const struct conf_dhcpd_subnet *s;
	struct dhcpd_lease *l;
	char a[INET_ADDRSTRLEN], mac[18];
	uint32_t sid, addr;
	int i;

	for (i = 0; i < DHCPD_MAX_PROBES; i++) {
		struct dhcpd_probe *pr = &d->probes[i];
		struct rif *r = &rt->rifs[pr->rif];

		if (pr->addr == 0 || (!pr->answered &&
		    (int32_t)(dp->now - pr->until) < 0))
			continue;
		if ((s = rif_subnet(dp, r, &sid)) == NULL) {
			pr->addr = 0;	/* the interface's address went */
			continue;
		}
		if (!pr->answered) {
			if ((l = lease_by_addr(d, pr->addr)) != NULL)
				l->ends = dp->now + DHCPD_OFFER_HOLD;
			dhcpd_send(dp, r, s, sid, NULL, &pr->m, DHCPOFFER,
			    pr->addr, lease_time(dp, s, &pr->m));
			pr->addr = 0;
			continue;
		}
		rt->c[ROUTER_C_DHCPD_CONFLICTS]++;
		fprintf(stderr, "sluiced: dhcpd: %s is in use by %s (it "
		    "answered ARP): abandoned for %us\n", ip4str(pr->addr, a),
		    macstr(pr->mac, mac), DHCPD_DECLINE_HOLD);
		if ((l = lease_by_addr(d, pr->addr)) != NULL) {
			lease_abandon(dp, l);
			dhcpd_save(dp);
		}
		pr->addr = 0;
		if ((addr = dhcpd_pick(dp, s, &pr->m, 0)) == 0 ||
		    lease_set(dp, addr, &pr->m, DHCPD_L_OFFERED,
		    DHCPD_OFFER_HOLD) == NULL) {
			rt->c[ROUTER_C_DHCPD_POOL_EMPTY]++;
			continue;
		}
		if (!probe_start(dp, r, &pr->m, addr))
			dhcpd_send(dp, r, s, sid, NULL, &pr->m, DHCPOFFER,
			    addr, lease_time(dp, s, &pr->m));
	}
}

/*
 * A UDP datagram to port 67 on r (router_input(), before pf): consumed
 * (1) when r serves a subnet of dhcpd.conf.
 */
int
dhcpd_input(struct dp *dp, struct rif *r, struct pkt *p,
    const struct l3info *li)
{
	const struct conf_dhcpd_subnet *s;
	struct dhcpd *d = dp->router.dhcpd;
	struct router *rt = &dp->router;
	const uint8_t *udp = p->data + li->l4off;
	char a[INET_ADDRSTRLEN], mac[18];
	struct dhcpd_lease *l;
	struct dhcpd_probe *pr;
	struct dhcp_msg m;
	uint32_t ulen, sid = 0, addr, secs;
	int k, own;

	if (d == NULL)
		return 0;
	if ((s = rif_subnet(dp, r, &sid)) == NULL)
		return 0;		/* no subnet here: not served */
	ulen = (uint32_t)li->l4off + 8 <= p->len ? ether_get16(udp + 4) : 0;
	if (ulen < 8 || (uint32_t)li->l4off + ulen > p->len ||
	    dhcp_parse(udp + 8, ulen - 8, &m) != 0 || m.op != BOOTREQUEST) {
		rt->c[ROUTER_C_DROP_DHCPD_BAD]++;
		dhcpd_trace(dp, p, "%s: drop: not a DHCP request",
		    r->port->name);
		return 1;
	}
	if (m.giaddr != 0) {
		/* a relay agent's: the subnet of its address on the
		 * client's network, not ours (dhcpd's find_subnet()) */
		if ((s = conf_dhcpd_subnet(dp->conf, m.giaddr)) == NULL) {
			rt->c[ROUTER_C_DROP_DHCPD_RELAYED]++;
			dhcpd_trace(dp, p, "%s: drop: relayed by %s, on a "
			    "network dhcpd.conf has no subnet for",
			    r->port->name, ip4str(m.giaddr, a));
			return 1;
		}
		rt->c[ROUTER_C_DHCPD_RELAYED]++;
		dhcpd_trace(dp, p, "%s: relayed by %s: subnet %s",
		    r->port->name, ip4str(m.giaddr, a), ip4str(s->net, mac));
	}
	macstr(m.chaddr, mac);
	switch (m.type) {
	case DHCPDISCOVER:
		rt->c[ROUTER_C_DHCPD_DISCOVER]++;
		if ((pr = probe_of(d, m.chaddr)) != NULL) {
			pr->m = m;	/* a retransmission: the latest xid */
			dhcpd_trace(dp, p, "%s: DISCOVER from %s: still asking "
			    "ARP about %s", r->port->name, mac,
			    ip4str(pr->addr, a));
			return 1;
		}
		if ((addr = dhcpd_pick(dp, s, &m, 1)) == 0) {
			rt->c[ROUTER_C_DHCPD_POOL_EMPTY]++;
			dhcpd_trace(dp, p, "%s: DISCOVER from %s: no free "
			    "address", r->port->name, mac);
			return 1;
		}
		/* Its own fixed address, lease or offer needs no asking. */
		own = addr == fixed_addr(dp->conf, s, m.chaddr) ||
		    ((l = lease_by_addr(d, addr)) != NULL &&
		    lease_live(l, dp->now) && memcmp(l->mac, m.chaddr, 6) == 0);
		if (lease_set(dp, addr, &m, DHCPD_L_OFFERED,
		    DHCPD_OFFER_HOLD) == NULL) {
			rt->c[ROUTER_C_DHCPD_POOL_EMPTY]++;
			dhcpd_trace(dp, p, "%s: DISCOVER from %s: no lease "
			    "slot free", r->port->name, mac);
			return 1;
		}
		/* ARP reaches no relayed client's network */
		if (!own && m.giaddr == 0 && probe_start(dp, r, &m, addr)) {
			dhcpd_trace(dp, p, "%s: DISCOVER from %s: asking ARP "
			    "whether anyone holds %s before offering it",
			    r->port->name, mac, ip4str(addr, a));
			return 1;
		}
		dhcpd_trace(dp, p, "%s: DISCOVER from %s: offering %s",
		    r->port->name, mac, ip4str(addr, a));
		dhcpd_send(dp, r, s, sid, p, &m, DHCPOFFER, addr,
		    lease_time(dp, s, &m));
		return 1;
	case DHCPREQUEST:
		rt->c[ROUTER_C_DHCPD_REQUESTS]++;
		if (m.server != 0 && m.server != sid) {
			/* SELECTING another server: our offer is free. */
			for (k = 0; k < d->nleases; k++) {
				l = &d->leases[k];
				if (l->state == DHCPD_L_OFFERED &&
				    memcmp(l->mac, m.chaddr, 6) == 0)
					l->state = DHCPD_L_FREE;
			}
			dhcpd_trace(dp, p, "%s: REQUEST from %s to server %s: "
			    "not us", r->port->name, mac, ip4str(m.server, a));
			return 1;
		}
		addr = m.requested != 0 ? m.requested : m.ciaddr;
		if (m.server != 0) {
			/* SELECTING: the address we offered, and only it. */
			l = lease_by_addr(d, addr);
			if (l == NULL || memcmp(l->mac, m.chaddr, 6) != 0 ||
			    l->state == DHCPD_L_DECLINED ||
			    !lease_live(l, dp->now))
				addr = 0;
		} else if (addr == 0 || (addr & s->mask) != s->net ||
		    !dhcpd_may_have(dp, s, &m, addr))
			addr = 0;	/* wrong network, or not its */
		secs = lease_time(dp, s, &m);
		if (addr == 0 || lease_set(dp, addr, &m, DHCPD_L_ACTIVE,
		    secs) == NULL) {
			dhcpd_trace(dp, p, "%s: REQUEST from %s for %s: NAK",
			    r->port->name, mac, ip4str(m.requested != 0 ?
			    m.requested : m.ciaddr, a));
			dhcpd_send(dp, r, s, sid, p, &m, DHCPNAK, 0, 0);
			return 1;
		}
		dhcpd_trace(dp, p, "%s: REQUEST from %s: %s leased for %us",
		    r->port->name, mac, ip4str(addr, a), secs);
		dhcpd_send(dp, r, s, sid, p, &m, DHCPACK, addr, secs);
		dhcpd_save(dp);
		return 1;
	case DHCPRELEASE:
		if ((l = lease_by_addr(d, m.ciaddr)) != NULL &&
		    memcmp(l->mac, m.chaddr, 6) == 0 &&
		    l->state != DHCPD_L_DECLINED) {
			rt->c[ROUTER_C_DHCPD_RELEASES]++;
			l->state = DHCPD_L_FREE;
			l->ends = dp->now;
			dhcpd_trace(dp, p, "%s: RELEASE of %s by %s",
			    r->port->name, ip4str(m.ciaddr, a), mac);
			dhcpd_save(dp);
		} else
			dhcpd_trace(dp, p, "%s: RELEASE of %s by %s: not its "
			    "lease", r->port->name, ip4str(m.ciaddr, a), mac);
		return 1;
	case DHCPDECLINE:
		if ((l = lease_by_addr(d, m.requested)) != NULL &&
		    memcmp(l->mac, m.chaddr, 6) == 0) {
			rt->c[ROUTER_C_DHCPD_DECLINES]++;
			lease_abandon(dp, l);
			dhcpd_trace(dp, p, "%s: DECLINE of %s by %s: unused "
			    "for %us", r->port->name, ip4str(m.requested, a),
			    mac, DHCPD_DECLINE_HOLD);
			dhcpd_save(dp);
		} else
			dhcpd_trace(dp, p, "%s: DECLINE of %s by %s: not its "
			    "lease", r->port->name, ip4str(m.requested, a),
			    mac);
		return 1;
	case DHCPINFORM:
		rt->c[ROUTER_C_DHCPD_INFORMS]++;
		dhcpd_trace(dp, p, "%s: INFORM from %s (%s)", r->port->name,
		    mac, ip4str(m.ciaddr, a));
		/* RFC 2131 4.3.5: no yiaddr, no lease time. */
		dhcpd_send(dp, r, s, sid, p, &m, DHCPACK, 0, 0);
		return 1;
	}
	rt->c[ROUTER_C_DROP_DHCPD_BAD]++;
	dhcpd_trace(dp, p, "%s: drop: DHCP message type %u from %s",
	    r->port->name, m.type, mac);
	return 1;
}

/* t (dp->now) as dhcpd.leases writes it: W YYYY/MM/DD HH:MM:SS UTC. */
static void
lease_when(struct dp *dp, uint32_t t, char *buf, size_t len)
{
	time_t w = time(NULL) - (time_t)(int32_t)(dp->now - t);
	struct tm tm;

	gmtime_r(&w, &tm);
	strftime(buf, len, "%w %Y/%m/%d %H:%M:%S UTC", &tm);
}

/*
 * The leases as /var/db/dhcpd.leases has them, the wall clock from
 * dp->now (the dataplane's is monotonic): the view shows those in force
 * and the abandoned ones (declined, or someone answered the probe), the
 * file also the ended ones (their MAC gets the address back).
 */
static void
leases_print(struct dp *dp, FILE *out, int file)
{
	struct dhcpd *d = dp->router.dhcpd;
	char a[INET_ADDRSTRLEN], mac[18], w[64];
	int i;

	for (i = 0; i < d->nleases; i++) {
		const struct dhcpd_lease *l = &d->leases[i];
		int live = lease_live(l, dp->now);

		if (!(live && (l->state == DHCPD_L_ACTIVE ||
		    l->state == DHCPD_L_DECLINED)) && !(file &&
		    (l->state == DHCPD_L_FREE || l->state == DHCPD_L_ACTIVE)))
			continue;
		fprintf(out, "lease %s {\n", ip4str(l->addr, a));
		lease_when(dp, l->starts, w, sizeof(w));
		fprintf(out, "\tstarts %s;\n", w);
		lease_when(dp, l->ends, w, sizeof(w));
		fprintf(out, "\tends %s;\n", w);
		if (l->state == DHCPD_L_DECLINED)
			fprintf(out, "\tabandoned;\n");
		else
			fprintf(out, "\thardware ethernet %s;\n",
			    macstr(l->mac, mac));
		if (l->hostname[0] != '\0')
			fprintf(out, "\tclient-hostname \"%s\";\n",
			    l->hostname);
		fprintf(out, "}\n");
	}
}

int
dhcpd_show_leases(struct dp *dp, FILE *out)
{
	if (dp->router.dhcpd == NULL) {
		fprintf(out, "dhcpd: not running (no dhcpd.conf)\n");
		return 1;
	}
	leases_print(dp, out, 0);
	return 0;
}

/*
 * -l's file, rewritten whole after a change: a new one renamed over it,
 * so a crash leaves the old or the new, never half of one.  A failure is
 * said once (until a write works again) and serving goes on.
 */
static void
dhcpd_save(struct dp *dp)
{
	struct dhcpd *d = dp->router.dhcpd;
	char tmp[PATH_MAX];
	FILE *f;
	int bad;

	if (d->file == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", d->file);
	if ((f = fopen(tmp, "w")) == NULL)
		bad = 1;
	else {
		leases_print(dp, f, 1);
		bad = fflush(f) != 0 || ferror(f);
		bad |= fclose(f) != 0;
		bad = bad || rename(tmp, d->file) != 0;
	}
	if (bad) {
		dp->router.c[ROUTER_C_DHCPD_LEASEFILE_FAIL]++;
		if (!d->file_failed)
			fprintf(stderr, "sluiced: %s: cannot write the leases: "
			    "%s\n", d->file, strerror(errno));
		unlink(tmp);
	}
	d->file_failed = bad;
}
