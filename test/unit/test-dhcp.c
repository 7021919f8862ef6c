/*
 * em0's DHCP client (hostname.em0: dhcp) on a fake clock, against a
 * server played here: DISCOVER, OFFER, REQUEST, ACK; the lease's address,
 * mask and default route on em0; renewal at T1 to the server's MAC,
 * rebinding at T2 to the link, the end of the lease; NAK and answers to
 * someone else.  pf blocks everything, as the client must not care.
 * Also the messages alone (fwd/dhcp.c): what a client sends, and a
 * server's answer parsed, broken ones refused.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dataplane/dhcp.h"
#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/dhcp.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "test/unit/dptest.h"
#include "test/unit/rtsent.h"

#define SERVER	0xc6336401u		/* 198.51.100.1, also the router */
#define LEASED	0xc6336432u		/* 198.51.100.50 */

static const uint8_t em0_mac[6] = { 0x02, 0, 0, 0, 0x0e, 0x00 };
static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };

static char etc[] = "/tmp/sluice-test-dhcp-XXXXXX";
static struct conf *conf;
static struct dp dp;
static struct rif *em0;

static void
put(const char *name, const char *text)
{
	cr_assert_eq(etc_put(etc, name, text), 0, "cannot write %s", name);
}

static void
setup(void)
{
	static const char *const names[2] = { "em0", "em1" };

	cr_assert_not_null(mkdtemp(etc));
	put("hostname.em0", "lladdr 02:00:00:00:0e:00\ndhcp\nup\n");
	put("hostname.em1", "lladdr 02:00:00:00:0e:01\n"
	    "inet 192.0.2.1 255.255.255.0\nup\n");
	put("pf.conf", "block all\n");
	dptest_build(&dp, &conf, etc, names, 2, NULL);
	dp_clock(&dp, 100ULL * 1000000000ULL);
	dp.router.sent = seen;
	cr_assert_not_null(em0 = router_rif(&dp.router, dp_port(&dp, "em0")));
	sent_only = em0;
	cr_assert_not_null(em0->dhcp, "hostname.em0's dhcp makes a client");
	nout = 0;
}

static void
teardown(void)
{
	dptest_destroy(&dp, conf);
	etc_remove(etc);
}

TestSuite(dhcp, .init = setup, .fini = teardown);

/* The last DHCP message em0 sent, parsed as a server would read it. */
static void
last_sent(struct dhcp_msg *m, uint32_t *src, uint32_t *dst, uint8_t *dmac)
{
	const uint8_t *f, *o, *b;
	int i;

	for (i = nout - 1; i >= 0; i--)
		if (ether_get16(out[i].f + 12) == ETHERTYPE_IP &&
		    out[i].f[23] == 17 && ether_get16(out[i].f + 36) == 67)
			break;
	cr_assert_geq(i, 0, "no DHCP message sent");
	f = out[i].f;
	b = f + 42;
	cr_assert_eq(b[0], 1, "a request");
	cr_assert_eq(csum_fold(csum_partial(f + 14, 20, 0)), 0xffff);
	memset(m, 0, sizeof(*m));
	m->xid = ip_get32(b + 4);
	m->ciaddr = ip_get32(b + 12);
	memcpy(m->chaddr, b + 28, 6);
	for (o = b + 240; *o != 255; o += 2 + o[1]) {
		if (o[0] == 53)
			m->type = o[2];
		else if (o[0] == 50)
			m->requested = ip_get32(o + 2);
		else if (o[0] == 54)
			m->server = ip_get32(o + 2);
	}
	*src = ip_get32(f + 26);
	*dst = ip_get32(f + 30);
	memcpy(dmac, f, 6);
}

/* The server's answer of TYPE to XID, broadcast, into em0. */
static void
answer(uint8_t type, uint32_t xid, uint32_t yiaddr, uint32_t lease)
{
	uint8_t f[400], *ip = f + 14, *udp = ip + 20, *b = udp + 8, *o;
	uint32_t blen = 300, sum;
	struct pkt *p;

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, srv_mac, 6);
	ether_put16(f + 12, ETHERTYPE_IP);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	ip_put32(b + 4, xid);
	ip_put32(b + 16, yiaddr);
	memcpy(b + 28, em0_mac, 6);
	ip_put32(b + 236, 0x63825363);
	o = b + 240;
	*o++ = 53, *o++ = 1, *o++ = type;
	*o++ = 54, *o++ = 4, ip_put32(o, SERVER), o += 4;
	if (type != DHCPNAK) {
		*o++ = 51, *o++ = 4, ip_put32(o, lease), o += 4;
		*o++ = 1, *o++ = 4, ip_put32(o, 0xffffff00u), o += 4;
		*o++ = 3, *o++ = 4, ip_put32(o, SERVER), o += 4;
		*o++ = 6, *o++ = 8, ip_put32(o, SERVER), o += 4;
		ip_put32(o, 0xcb007101u), o += 4;
	}
	*o = 255;
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(28 + blen));
	ip[8] = 64;
	ip[9] = 17;
	ip_put32(ip + 12, SERVER);
	ip_put32(ip + 16, 0xffffffffu);
	csum_ip_header(ip, 20);
	ether_put16(udp, 67);
	ether_put16(udp + 2, 68);
	ether_put16(udp + 4, (uint16_t)(8 + blen));
	sum = csum_partial(ip + 12, 8, 0) + 17 + 8 + blen;
	ether_put16(udp + 6, (uint16_t)~csum_fold(csum_partial(udp, 8 + blen,
	    sum)));
	cr_assert_not_null(p = pkt_alloc(&dp.pool));
	memcpy(p->data, f, 42 + blen);
	p->len = 42 + blen;
	dp_input(&dp, em0->port, &p, 1);
	dp_flush(&dp);
}

/* INIT to BOUND; returns the xid. */
static uint32_t
lease_it(uint32_t lease)
{
	struct dhcp_msg m;
	uint32_t src, dst;
	uint8_t dmac[6];

	dptest_run_to(&dp, 101);
	last_sent(&m, &src, &dst, dmac);
	cr_assert_eq(m.type, DHCPDISCOVER);
	answer(DHCPOFFER, m.xid, LEASED, lease);
	last_sent(&m, &src, &dst, dmac);
	cr_assert_eq(m.type, DHCPREQUEST);
	answer(DHCPACK, m.xid, LEASED, lease);
	return m.xid;
}

Test(dhcp, discover_offer_request_ack_binds)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct dhcp_msg m;
	uint32_t src, dst;
	uint8_t dmac[6];

	cr_assert_eq(em0->naddrs, 0, "no address before the lease");
	dptest_run_to(&dp, 101);
	last_sent(&m, &src, &dst, dmac);
	cr_expect_eq(m.type, DHCPDISCOVER);
	cr_expect_eq(src, 0, "from 0.0.0.0");
	cr_expect_eq(dst, 0xffffffffu, "to the link");
	cr_expect_eq(memcmp(dmac, bcast, 6), 0);
	cr_expect_eq(memcmp(m.chaddr, em0_mac, 6), 0);
	answer(DHCPOFFER, m.xid, LEASED, 120);
	last_sent(&m, &src, &dst, dmac);
	cr_expect_eq(m.type, DHCPREQUEST);
	cr_expect_eq(m.requested, LEASED, "asks for the offer");
	cr_expect_eq(m.server, SERVER, "of that server");
	cr_expect_eq(em0->naddrs, 0, "an offer is no lease");
	answer(DHCPACK, m.xid, LEASED, 120);
	cr_assert_eq(em0->naddrs, 1);
	cr_expect_eq(em0->addrs[0].addr, LEASED);
	cr_expect_eq(em0->addrs[0].plen, 24);
	cr_expect_neq(dp.router.lpm.default_nh, LPM_NH_NONE,
	    "the lease's router is the default route");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCP_BOUND], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCP_OUT], 2);
	cr_expect_str_eq(dptest_ctl(&dp, "dhcpleasectl show interface em0"),
	    "em0 [Bound]\n"
	    "\tinet 198.51.100.50 netmask 255.255.255.0\n"
	    "\tdefault gateway 198.51.100.1\n"
	    "\tnameservers 198.51.100.1 203.0.113.1\n"
	    "\tlease 120 seconds (120 left)\n"
	    "\tdhcp server 198.51.100.1\n");
	cr_expect(strstr(dptest_ctl(&dp, "ifconfig em0"),
	    "\tinet 198.51.100.50 netmask 0xffffff00 broadcast "
	    "198.51.100.255\n") != NULL, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "explain out on em0 proto udp from "
	    "198.51.100.50 to 203.0.113.9 port 53"), "block") != NULL,
	    "pf is there, and still blocks: %s", dptest_out);
}

/*
 * T1 (half the lease): a REQUEST to the server's MAC and address from
 * ours; its ACK renews.  Then silence: at T2 (7/8) a REQUEST to the
 * link, and at the end the address and the default route go, and the
 * client starts again.
 */
Test(dhcp, renews_rebinds_and_expires)
{
	struct dhcp_msg m;
	uint32_t src, dst, xid, b;
	uint8_t dmac[6];

	xid = lease_it(120);
	b = dp.now;
	nout = 0;
	dptest_run_to(&dp, b + 60);
	last_sent(&m, &src, &dst, dmac);
	cr_expect_eq(m.type, DHCPREQUEST);
	cr_expect_eq(m.ciaddr, LEASED, "renewing says its address");
	cr_expect_eq(src, LEASED);
	cr_expect_eq(dst, SERVER, "to its server");
	cr_expect_eq(memcmp(dmac, srv_mac, 6), 0, "at the server's MAC");
	answer(DHCPACK, xid, LEASED, 120);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCP_BOUND], 2, "renewed");
	cr_expect(strstr(dptest_ctl(&dp, "dhcpleasectl show interface em0"),
	    "(120 left)") != NULL, "%s", dptest_out);

	nout = 0;
	dptest_run_to(&dp, b + 60 + 105);		/* T2 of the renewed lease */
	last_sent(&m, &src, &dst, dmac);
	cr_expect_eq(dst, 0xffffffffu, "rebinding asks the link");
	cr_expect_eq(m.ciaddr, LEASED);
	cr_expect_str_eq(dptest_ctl(&dp, "dhcpleasectl show interface em0"),
	    "em0 [Rebinding]\n"
	    "\tinet 198.51.100.50 netmask 255.255.255.0\n"
	    "\tdefault gateway 198.51.100.1\n"
	    "\tnameservers 198.51.100.1 203.0.113.1\n"
	    "\tlease 120 seconds (15 left)\n"
	    "\tdhcp server 198.51.100.1\n");
	nout = 0;
	dptest_run_to(&dp, b + 60 + 120);
	cr_expect_eq(em0->naddrs, 0, "the address went with the lease");
	cr_expect_eq(dp.router.lpm.default_nh, LPM_NH_NONE,
	    "and the default route it brought");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCP_LOST], 1);
	dptest_run_to(&dp, dp.now + 1);
	last_sent(&m, &src, &dst, dmac);
	cr_expect_eq(m.type, DHCPDISCOVER, "and it starts again");
}

/* A NAK while renewing ends the lease at once; answers to another
 * exchange or another client are dropped and counted. */
Test(dhcp, nak_and_strangers)
{
	struct dhcp_msg m;
	uint32_t src, dst, xid, b;
	uint8_t dmac[6];

	xid = lease_it(120);
	b = dp.now;
	answer(DHCPACK, xid + 1, 0xc6336433u, 120);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_DHCP_BAD], 1);
	cr_expect_eq(em0->addrs[0].addr, LEASED, "a stranger changes nothing");
	answer(DHCPOFFER, xid, 0xc6336433u, 120);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_DHCP_BAD], 2,
	    "an offer while bound");
	dptest_run_to(&dp, b + 60);			/* renewing */
	answer(DHCPNAK, xid, 0, 0);
	cr_expect_eq(em0->naddrs, 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCP_LOST], 1);
	nout = 0;
	dptest_run_to(&dp, dp.now + 1);
	last_sent(&m, &src, &dst, dmac);
	cr_expect_eq(m.type, DHCPDISCOVER);
}

/* No answer to DISCOVER: again after 4, 8, 16, 32, 64, 64 s, each +-1 s
 * (RFC 2131 4.1), and not all of them on the second. */
Test(dhcp, discover_backs_off)
{
	static const int want[] = { 4, 8, 16, 32, 64, 64 };
	int i, n = 0, at[8], exact = 0;

	for (i = 0; i < 200 && n < 8; i++) {
		int before = nout;

		dptest_run_to(&dp, dp.now + 1);
		if (nout > before)
			at[n++] = (int)dp.now;
	}
	cr_assert_geq(n, 7);
	for (i = 0; i < 6; i++) {
		int d = at[i + 1] - at[i];

		cr_expect(d >= want[i] - 1 && d <= want[i] + 1,
		    "retry %d after %d s, not %d +- 1", i + 1, d, want[i]);
		exact += d == want[i];
	}
	cr_expect_lt(exact, 6, "no jitter at all");
}

/* fwd/dhcp.c: a message with a broken option or no cookie is refused; a
 * request parses, saying so (the client drops it, the server takes it). */
Test(dhcp, parse_refuses_broken_replies)
{
	uint8_t b[300];
	struct dhcp_msg m;

	memset(b, 0, sizeof(b));
	b[0] = 2, b[1] = 1, b[2] = 6;
	ip_put32(b + 236, 0x63825363);
	b[240] = 53, b[241] = 1, b[242] = DHCPOFFER, b[243] = 255;
	cr_expect_eq(dhcp_parse(b, sizeof(b), &m), 0);
	cr_expect_eq(m.type, DHCPOFFER);
	b[243] = 51, b[244] = 2;		/* a lease of 2 bytes */
	cr_expect_eq(dhcp_parse(b, sizeof(b), &m), -1);
	b[243] = 54, b[244] = 200;		/* past the end */
	cr_expect_eq(dhcp_parse(b, 250, &m), -1);
	b[243] = 255;
	ip_put32(b + 236, 0);
	cr_expect_eq(dhcp_parse(b, sizeof(b), &m), -1, "no cookie");
	ip_put32(b + 236, 0x63825363);
	cr_expect_eq(dhcp_parse(b, sizeof(b), &m), 0);
	cr_expect_eq(m.op, BOOTREPLY);
	b[0] = 1;
	cr_expect_eq(dhcp_parse(b, sizeof(b), &m), 0, "a request");
	cr_expect_eq(m.op, BOOTREQUEST);
	b[0] = 3;
	cr_expect_eq(dhcp_parse(b, sizeof(b), &m), -1, "neither");
}
