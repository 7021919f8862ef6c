/* See dhcp.h. */
#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dhcp.h"
#include "dataplane/dp.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"

#define DHCP_RETRY_FIRST	4	/* seconds, doubling ... */
#define DHCP_RETRY_MAX		64	/* ... up to this */
#define DHCP_REQUEST_TRIES	4	/* REQUESTs for one offer */
#define DHCP_DEFAULT_LEASE	3600	/* when the server names none */

static const char *const state_names[] = {
	[DHCP_INIT] = "Init", [DHCP_REQUESTING] = "Requesting",
	[DHCP_BOUND] = "Bound", [DHCP_RENEWING] = "Renewing",
	[DHCP_REBINDING] = "Rebinding",
};

static const char *
ip4str(uint32_t a, char *buf)
{
	struct in_addr in = { htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* A trace line about r's client, on the frame p that caused it. */
#define dhcp_trace(dp, p, ...) do {					\
	if ((p) != NULL && (p)->traced)					\
		dp_trace((dp), (p), "dhcp", __VA_ARGS__);		\
} while (0)

int
dhcp_start(struct rif *r)
{
	if ((r->dhcp = calloc(1, sizeof(*r->dhcp))) == NULL)
		return ENOMEM;
	r->dhcp->state = DHCP_INIT;
	r->dhcp->next = 0;		/* the first tick sends DISCOVER */
	return 0;
}

/* Send a message of TYPE for the client's state; counted. */
static void
dhcp_send(struct dp *dp, struct rif *r, uint8_t type)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct dhcp_client *c = r->dhcp;
	struct dhcp_msg m;
	struct pkt *p;
	int renewing = c->state == DHCP_RENEWING;
	int bound = renewing || c->state == DHCP_REBINDING;

	if ((p = pkt_alloc(&dp->pool)) == NULL) {
		dp->router.c[ROUTER_C_DROP_NO_BUFFER]++;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.xid = c->xid;
	memcpy(m.chaddr, r->mac, 6);
	if (type == DHCPREQUEST && c->state == DHCP_REQUESTING) {
		m.requested = c->lease.yiaddr;
		m.server = c->lease.server;
	} else if (type == DHCPREQUEST)
		m.ciaddr = c->lease.yiaddr;	/* RFC 2131 4.3.2 */
	/* RENEWING asks its server; everything else asks the link. */
	p->len = dhcp_build(p->data, &m, r->mac, bound ? c->lease.yiaddr : 0,
	    renewing ? c->server_mac : bcast, renewing ? c->lease.server :
	    0xffffffff);
	p->in_port = r->port->index;
	dp->router.c[ROUTER_C_DHCP_OUT]++;
	router_rif_send(&dp->router, r, p);
}

/*
 * The next retry: 4, 8, 16 ... 64 s after the first try, each moved by
 * -1, 0 or +1 s (RFC 2131 4.1), so clients that started together drift
 * apart.  The "random" draw hashes the exchange's xid and the try: the
 * same capture replays the same way.
 */
static void
dhcp_retry(struct dp *dp, struct dhcp_client *c)
{
	uint32_t wait = DHCP_RETRY_FIRST << (c->tries < 5 ? c->tries : 4);
	uint32_t h = (c->xid ^ (uint32_t)c->tries * 0x9e3779b9u) *
	    2654435761u;

	if (wait > DHCP_RETRY_MAX)
		wait = DHCP_RETRY_MAX;
	c->tries++;
	c->next = dp->now + wait + (h >> 16) % 3 - 1;
}

/* Back to the start: a new exchange at the next tick. */
static void
dhcp_restart(struct dp *dp, struct dhcp_client *c)
{
	c->state = DHCP_INIT;
	c->tries = 0;
	c->next = dp->now;
}

/*
 * The lease is gone (expired, or the server said NAK): the address and
 * the default route it brought are taken away, as dhcpleased does.
 */
static void
dhcp_unbind(struct dp *dp, struct rif *r, const char *why)
{
	struct dhcp_client *c = r->dhcp;
	char a[INET_ADDRSTRLEN];

	if (c->route && router_route_delete(&dp->router, 0, 0) == 0)
		c->route = 0;
	dp_rif_set_addrs(dp, r, NULL, 0, stderr);
	dp->router.c[ROUTER_C_DHCP_LOST]++;
	fprintf(stderr, "sluiced: %s: lease of %s ended (%s)\n",
	    r->port->name, ip4str(c->lease.yiaddr, a), why);
	memset(&c->lease, 0, sizeof(c->lease));
	dhcp_restart(dp, c);
}

/* A prefix length from a mask, or the address's class when there is none. */
static uint8_t
dhcp_plen(uint32_t mask, uint32_t addr)
{
	if (mask != 0 && (~mask & (~mask + 1)) == 0)
		return (uint8_t)__builtin_popcount(mask);
	return addr < 0x80000000u ? 8 : addr < 0xc0000000u ? 16 : 24;
}

/* An ACK: the lease's address (and router) go on r; timers from now. */
static void
dhcp_bind(struct dp *dp, struct rif *r, const struct dhcp_msg *m,
    const struct pkt *p)
{
	struct dhcp_client *c = r->dhcp;
	struct rif_addr ra = { m->yiaddr, dhcp_plen(m->mask, m->yiaddr) };
	struct router *rt = &dp->router;
	uint32_t lease = m->lease != 0 ? m->lease : DHCP_DEFAULT_LEASE;
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], ebuf[128];
	int changed = r->naddrs != 1 || r->addrs[0].addr != ra.addr ||
	    r->addrs[0].plen != ra.plen;

	if (changed && dp_rif_set_addrs(dp, r, &ra, 1, stderr) != 0) {
		dhcp_trace(dp, p, "%s: cannot take %s/%u: route table full",
		    r->port->name, ip4str(ra.addr, a), ra.plen);
		return;
	}
	if (c->route && m->router != c->lease.router) {
		router_route_delete(rt, 0, 0);	/* another gateway now */
		c->route = 0;
	}
	if (m->router != 0 && !c->route &&
	    rt->lpm.default_nh == LPM_NH_NONE) {
		if (router_route_add(rt, 0, 0, m->router, ebuf,
		    sizeof(ebuf)) == 0)
			c->route = 1;
		dp_pf_recompile(dp, stderr);	/* egress follows */
	}
	c->lease = *m;
	c->lease.lease = lease;
	memcpy(c->server_mac, ether_src(p->data), 6);
	c->bound = dp->now;
	c->t1 = dp->now + (m->t1 != 0 ? m->t1 : lease / 2);
	c->t2 = dp->now + (m->t2 != 0 ? m->t2 : lease / 8 * 7);
	c->end = dp->now + lease;
	c->state = DHCP_BOUND;
	c->tries = 0;
	rt->c[ROUTER_C_DHCP_BOUND]++;
	dhcp_trace(dp, p, "%s: bound to %s/%u by %s, lease %us%s%s",
	    r->port->name, ip4str(ra.addr, a), ra.plen,
	    ip4str(m->server, g), lease, c->route ? ", default route via " :
	    "", c->route ? ip4str(m->router, a) : "");
	if (changed)
		fprintf(stderr, "sluiced: %s: %s/%u leased from %s for %us\n",
		    r->port->name, ip4str(ra.addr, a), ra.plen,
		    ip4str(m->server, g), lease);
}

/*
 * A UDP datagram to port 68 on r (router_input(), before pf): the
 * server's answer.  Consumed (1) when r has a client.
 */
int
dhcp_input(struct dp *dp, struct rif *r, struct pkt *p,
    const struct l3info *li)
{
	struct dhcp_client *c = r->dhcp;
	const uint8_t *udp = p->data + li->l4off;
	char a[INET_ADDRSTRLEN];
	uint32_t ulen;
	struct dhcp_msg m;

	if (c == NULL)
		return 0;
	dp->router.c[ROUTER_C_DHCP_IN]++;
	ulen = (uint32_t)li->l4off + 8 <= p->len ? ether_get16(udp + 4) : 0;
	if (ulen < 8 || (uint32_t)li->l4off + ulen > p->len ||
	    dhcp_parse(udp + 8, ulen - 8, &m) != 0 || m.op != BOOTREPLY ||
	    m.xid != c->xid ||
	    memcmp(m.chaddr, r->mac, 6) != 0) {
		dp->router.c[ROUTER_C_DROP_DHCP_BAD]++;
		dhcp_trace(dp, p, "%s: drop: not an answer to our request",
		    r->port->name);
		return 1;
	}
	switch (c->state) {
	case DHCP_INIT:
		if (m.type != DHCPOFFER || m.yiaddr == 0 || m.server == 0)
			break;
		c->lease = m;
		memcpy(c->server_mac, ether_src(p->data), 6);
		c->state = DHCP_REQUESTING;
		c->tries = 0;
		dhcp_trace(dp, p, "%s: offer of %s: requesting it",
		    r->port->name, ip4str(m.yiaddr, a));
		dhcp_send(dp, r, DHCPREQUEST);
		dhcp_retry(dp, c);
		return 1;
	case DHCP_REQUESTING:
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		if (m.type == DHCPACK && m.yiaddr != 0) {
			dhcp_bind(dp, r, &m, p);
			return 1;
		}
		if (m.type == DHCPNAK) {
			dhcp_trace(dp, p, "%s: NAK: starting again",
			    r->port->name);
			if (c->state != DHCP_REQUESTING)
				dhcp_unbind(dp, r, "NAK");
			else
				dhcp_restart(dp, c);
			return 1;
		}
		break;
	default:
		break;
	}
	dp->router.c[ROUTER_C_DROP_DHCP_BAD]++;
	dhcp_trace(dp, p, "%s: drop: a DHCP %u in state %s", r->port->name,
	    m.type, state_names[c->state]);
	return 1;
}

/* Once a second: retries, and the lease's T1, T2 and end. */
static void
dhcp_tick_rif(struct dp *dp, struct rif *r)
{
	struct dhcp_client *c = r->dhcp;
	uint32_t now = dp->now, left;

	switch (c->state) {
	case DHCP_INIT:
		if ((int32_t)(now - c->next) < 0)
			return;
		if (c->tries == 0)
			c->xid = (uint32_t)(dp->pkt_seq * 2654435761u) ^
			    (uint32_t)r->mac[5] << 24 ^ now;
		dhcp_send(dp, r, DHCPDISCOVER);
		dhcp_retry(dp, c);
		return;
	case DHCP_REQUESTING:
		if ((int32_t)(now - c->next) < 0)
			return;
		if (c->tries >= DHCP_REQUEST_TRIES) {
			dhcp_restart(dp, c);	/* the offer went stale */
			return;
		}
		dhcp_send(dp, r, DHCPREQUEST);
		dhcp_retry(dp, c);
		return;
	case DHCP_BOUND:
		if ((int32_t)(now - c->t1) < 0)
			return;
		c->state = DHCP_RENEWING;
		c->next = now;
		/* FALLTHROUGH */
	case DHCP_RENEWING:
		if ((int32_t)(now - c->t2) >= 0) {
			c->state = DHCP_REBINDING;
			c->next = now;
		}
		/* FALLTHROUGH */
	case DHCP_REBINDING:
		if ((int32_t)(now - c->end) >= 0) {
			dhcp_unbind(dp, r, "expired");
			return;
		}
		if ((int32_t)(now - c->next) < 0)
			return;
		/* RFC 2131 4.4.5: half the time left, again and again. */
		dhcp_send(dp, r, DHCPREQUEST);
		left = (c->state == DHCP_RENEWING ? c->t2 : c->end) - now;
		c->next = now + (left / 2 > 0 ? left / 2 : 1);
		return;
	}
}

void
dhcp_tick(struct dp *dp)
{
	int i;

	for (i = 0; i < dp->router.nrifs; i++)
		if (dp->router.rifs[i].dhcp != NULL)
			dhcp_tick_rif(dp, &dp->router.rifs[i]);
}

/*
 * dhcpleasectl show interface IF, in its layout: the state, then for a
 * lease its address and mask, gateway, nameservers, time and server.
 * 1 if IF has no client.
 */
int
dhcp_show(struct dp *dp, const char *ifname, FILE *out)
{
	struct port *p = dp_port(dp, ifname);
	struct dhcp_client *c;
	char a[INET_ADDRSTRLEN];
	uint32_t left;
	int i;

	if (p == NULL || p->rif == NULL || (c = p->rif->dhcp) == NULL) {
		fprintf(out, "dhcpleasectl: %s: not a DHCP interface (no dhcp "
		    "or inet autoconf in hostname.%s)\n", ifname, ifname);
		return 1;
	}
	fprintf(out, "%s [%s]\n", ifname, state_names[c->state]);
	if (c->state < DHCP_BOUND)
		return 0;
	fprintf(out, "\tinet %s", ip4str(c->lease.yiaddr, a));
	fprintf(out, " netmask %s\n", ip4str(p->rif->addrs[0].plen ?
	    ~0u << (32 - p->rif->addrs[0].plen) : 0, a));
	if (c->lease.router != 0)
		fprintf(out, "\tdefault gateway %s\n",
		    ip4str(c->lease.router, a));
	if (c->lease.ndns > 0) {
		fprintf(out, "\tnameservers");
		for (i = 0; i < c->lease.ndns; i++)
			fprintf(out, " %s", ip4str(c->lease.dns[i], a));
		fputc('\n', out);
	}
	left = (int32_t)(c->end - dp->now) > 0 ? c->end - dp->now : 0;
	fprintf(out, "\tlease %u seconds (%u left)\n", c->lease.lease, left);
	fprintf(out, "\tdhcp server %s\n", ip4str(c->lease.server, a));
	return 0;
}
