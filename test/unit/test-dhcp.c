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
#include "dataplane/dhcpd.h"
#include "dataplane/dp.h"
#include "fwd/arp.h"
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

/*
 * The server (dhcpd.conf, dataplane/dhcpd.c) on em1, 10.50.0.1/24: two
 * addresses in its range, a host with a fixed address; pf blocks
 * everything, as the server must not care.  Clients are played here
 * with the client's own builder.
 */
#define SRV1	0x0a320001u		/* 10.50.0.1 */
#define POOL0	0x0a320064u		/* 10.50.0.100 */
#define POOL1	0x0a320065u		/* 10.50.0.101 */
#define FIXED	0x0a320014u		/* 10.50.0.20 */

static const uint8_t cli_a[6] = { 0x02, 0, 0, 0, 0xaa, 0x01 };
static const uint8_t cli_b[6] = { 0x02, 0, 0, 0, 0xaa, 0x02 };
static const uint8_t cli_c[6] = { 0x02, 0, 0, 0, 0xaa, 0x03 };
static const uint8_t cli_fixed[6] = { 0x02, 0, 0, 0, 0xaa, 0x20 };
static struct rif *em1;

static void
setup_server(void)
{
	static const char *const names[1] = { "em1" };

	cr_assert_not_null(mkdtemp(etc));
	put("hostname.em1", "lladdr 02:00:00:00:0e:01\n"
	    "inet 10.50.0.1 255.255.255.0\nup\n");
	put("pf.conf", "block all\n");
	put("dhcpd.conf", "option domain-name-servers 10.50.0.1;\n"
	    "subnet 10.50.0.0 netmask 255.255.255.0 {\n"
	    "\toption routers 10.50.0.1;\n"
	    "\toption domain-name \"example.org\";\n"
	    "\toption domain-search \"lab.example.org\", \"example.org\";\n"
	    "\trange 10.50.0.100 10.50.0.101;\n"
	    "\tmax-lease-time 7200;\n"
	    "\tnext-server 10.50.0.1; filename \"pxelinux.0\";\n"
	    "\toption ntp-servers 10.50.0.1, 192.0.2.123;\n"
	    "\toption broadcast-address 10.50.0.255;\n"
	    "\toption interface-mtu 1400;\n"
	    "\thost db01 { hardware ethernet 02:00:00:00:aa:20;\n"
	    "\t\tfixed-address 10.50.0.20; filename \"db01.ipxe\";\n"
	    "\t\toption routers 10.50.0.254; default-lease-time 300; }\n"
	    "}\n"
	    "subnet 10.60.0.0 netmask 255.255.255.0 {\n"
	    "\toption routers 10.60.0.1;\n"
	    "\trange 10.60.0.100 10.60.0.109;\n"
	    "}\n");
	dptest_build(&dp, &conf, etc, names, 1, NULL);
	dp_clock(&dp, 100ULL * 1000000000ULL);
	dp.router.sent = seen;
	cr_assert_not_null(em1 = router_rif(&dp.router, dp_port(&dp, "em1")));
	cr_assert_not_null(dp.router.dhcpd, "dhcpd.conf starts the server");
	sent_only = NULL;
	forget();
}

TestSuite(dhcpd, .init = setup_server, .fini = teardown);

/* Clients that do not ask for broadcast (dhclient on Linux, ...). */
static int no_broadcast_flag;
/* ask() lets a DISCOVER's probe time pass (unless a test watches it). */
static int probe_wait = 1;
/* ask() as a relay agent forwards it: option 82 with these bytes */
static const uint8_t *ask_rai;
static uint8_t ask_rai_len;

/* Client MAC's message (type, requested, server, ciaddr) into em1. */
static void
ask(const uint8_t *mac, uint8_t type, uint32_t req, uint32_t sid,
    uint32_t ciaddr, uint32_t giaddr)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct dhcp_msg m;
	struct pkt *p;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.xid = 0x1000u + mac[5];
	memcpy(m.chaddr, mac, 6);
	m.requested = req;
	m.server = sid;
	m.ciaddr = ciaddr;
	cr_assert_not_null(p = pkt_alloc(&dp.pool));
	p->len = dhcp_build(p->data, &m, mac, ciaddr, bc, 0xffffffffu);
	/* a relay's address (no checksum is looked at: dhcpd uses bpf) */
	ip_put32(p->data + 42 + 24, giaddr);
	if (ask_rai != NULL) {
		/* over the end option, into BOOTP's padding to 300 bytes */
		uint8_t *o = p->data + 42 + 240;

		while (*o != 255)
			o += *o == 0 ? 1 : 2 + o[1];
		cr_assert(o + 3 + ask_rai_len < p->data + 42 + 300);
		o[0] = 82;
		o[1] = ask_rai_len;
		memcpy(o + 2, ask_rai, ask_rai_len);
		o[2 + ask_rai_len] = 255;
	}
	if (no_broadcast_flag)
		ether_put16(p->data + 42 + 10, 0);
	dp_input(&dp, em1->port, &p, 1);
	dp_flush(&dp);
	/* an offer waits for the server's ARP probe, unanswered here */
	if (type == DHCPDISCOVER && probe_wait)
		dptest_run_to(&dp, dp.now + DHCPD_PROBE_WAIT);
}

/* The last frame the server sent, parsed; 0 if it sent none since. */
static int
reply(struct dhcp_msg *m, const uint8_t **frame)
{
	const uint8_t *f;

	if (nout == 0)
		return 0;
	f = out[nout - 1].f;
	cr_assert_eq(ether_get16(f + 12), ETHERTYPE_IP);
	cr_assert_eq(f[23], 17);
	cr_assert_eq(ether_get16(f + 34), 67, "from port 67");
	cr_assert_eq(ether_get16(f + 36), 68, "to port 68");
	cr_assert_eq(dhcp_parse(f + 42, out[nout - 1].len - 42, m), 0);
	cr_assert_eq(m->op, BOOTREPLY);
	if (frame != NULL)
		*frame = f;
	forget();
	return 1;
}

/* Option CODE of the BOOTP message in frame f, or NULL. */
static const uint8_t *
option(const uint8_t *f, uint8_t code)
{
	const uint8_t *o;

	for (o = f + 42 + 240; *o != 255; o += 2 + o[1])
		if (o[0] == code)
			return o;
	return NULL;
}

/* DISCOVER, OFFER, REQUEST, ACK for mac: the address. */
static uint32_t
bind_to(const uint8_t *mac)
{
	struct dhcp_msg m;

	ask(mac, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_assert_eq(m.type, DHCPOFFER);
	ask(mac, DHCPREQUEST, m.yiaddr, SRV1, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_assert_eq(m.type, DHCPACK);
	return m.yiaddr;
}

Test(dhcpd, discover_gets_an_offer_with_the_subnets_options)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *f, *o;
	struct dhcp_msg m;

	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, &f), "an offer");
	cr_expect_eq(m.type, DHCPOFFER);
	cr_expect_eq(m.xid, 0x1000u + 1, "the client's xid");
	cr_expect_eq(memcmp(m.chaddr, cli_a, 6), 0);
	cr_expect_eq(m.yiaddr, POOL0, "the range's first address");
	cr_expect_eq(m.server, SRV1, "option 54: our address on em1");
	cr_expect_eq(m.mask, 0xffffff00u, "option 1: the subnet's mask");
	cr_expect_eq(m.router, SRV1, "option 3");
	cr_expect_eq(m.ndns, 1, "option 6, the global one");
	cr_expect_eq(m.dns[0], SRV1);
	cr_expect_eq(m.lease, 43200, "dhcpd's default-lease-time");
	cr_assert_not_null(o = option(f, 15));
	cr_expect_eq(memcmp(o + 2, "example.org", 11), 0);
	cr_expect_eq(o[1], 11);
	cr_assert_not_null(o = option(f, 119), "domain-search (RFC 3397)");
	cr_expect_eq(o[1], 17 + 13);
	cr_expect_eq(memcmp(o + 2, "\3lab\7example\3org\0\7example\3org\0",
	    30), 0, "in DNS wire form");
	cr_assert_not_null(o = option(f, 42), "ntp-servers");
	cr_expect_eq(o[1], 8);
	cr_expect_eq(ip_get32(o + 6), 0xc000027bu);
	cr_assert_not_null(o = option(f, 28), "broadcast-address");
	cr_expect_eq(ip_get32(o + 2), 0x0a3200ffu);
	cr_assert_not_null(o = option(f, 26), "interface-mtu");
	cr_expect_eq(ether_get16(o + 2), 1400);
	cr_expect_eq(ip_get32(f + 42 + 20), SRV1, "siaddr: next-server");
	cr_expect_str_eq((const char *)f + 42 + 108, "pxelinux.0", "file");
	cr_expect_eq(f[42 + 44], 0, "no server-name");
	cr_expect_eq(ip_get32(f + 26), SRV1, "from our address");
	cr_expect_eq(ip_get32(f + 30), 0xffffffffu, "to the link");
	cr_expect_eq(memcmp(f, bc, 6), 0, "Ethernet broadcast");
	cr_expect_eq(memcmp(f + 6, em1->mac, 6), 0);
	cr_expect_eq(csum_fold(csum_partial(f + 14, 20, 0)), 0xffff);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_DISCOVER], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_OFFERS], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_IN], 0, "beside pf and the router");
}

Test(dhcpd, request_is_acked_and_listed)
{
	const uint8_t *f;
	struct dhcp_msg m;
	const char *v;

	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_OFFERS], 1);
	cr_expect_eq(strcmp(dptest_ctl(&dp, "dhcpd leases"), ""), 0,
	    "an offer is no lease:\n%s", dptest_out);
	ask(cli_a, DHCPREQUEST, POOL0, SRV1, 0, 0);
	cr_assert(reply(&m, NULL), "an answer");
	cr_expect_eq(m.type, DHCPACK);
	cr_expect_eq(m.yiaddr, POOL0);
	cr_expect_eq(m.server, SRV1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_REQUESTS], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_ACKS], 1);
	v = dptest_ctl(&dp, "dhcpd leases");
	cr_expect_not_null(strstr(v, "lease 10.50.0.100 {\n\tstarts "), "%s", v);
	cr_expect_not_null(strstr(v, "\thardware ethernet 02:00:00:00:aa:01;\n"
	    "}\n"), "%s", v);
	cr_expect_not_null(strstr(v, " UTC;\n\tends "), "%s", v);
	/* RENEWING: ciaddr, no server id, no requested address */
	ask(cli_a, DHCPREQUEST, 0, 0, POOL0, 0);
	cr_assert(reply(&m, &f));
	cr_expect_eq(m.type, DHCPACK, "renewed");
	cr_expect_eq(m.yiaddr, POOL0);
	cr_expect_eq(m.ciaddr, POOL0, "ciaddr echoed (RFC 2131 table 3)");
	cr_expect_eq(ip_get32(f + 30), POOL0, "to the client's address: it "
	    "may listen on a socket bound to it");
	cr_expect_eq(memcmp(f, cli_a, 6), 0, "at its MAC, no ARP");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_UNICAST], 1);
}

Test(dhcpd, no_broadcast_flag_gets_unicast_to_its_mac)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t *f;
	struct dhcp_msg m;

	no_broadcast_flag = 1;
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, &f));
	cr_expect_eq(m.type, DHCPOFFER);
	cr_expect_eq(ip_get32(f + 30), POOL0, "to yiaddr");
	cr_expect_eq(memcmp(f, cli_a, 6), 0, "at chaddr");
	ask(cli_a, DHCPREQUEST, POOL0, SRV1, 0, 0);
	cr_assert(reply(&m, &f));
	cr_expect_eq(m.type, DHCPACK);
	cr_expect_eq(ip_get32(f + 30), POOL0);
	cr_expect_eq(memcmp(f, cli_a, 6), 0);
	/* a NAK goes to the link whatever the flag says (4.3.2) */
	ask(cli_a, DHCPREQUEST, 0xc0a80105u, 0, 0, 0);
	cr_assert(reply(&m, &f));
	cr_expect_eq(m.type, DHCPNAK);
	cr_expect_eq(ip_get32(f + 30), 0xffffffffu);
	cr_expect_eq(memcmp(f, bc, 6), 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_UNICAST], 2);
	no_broadcast_flag = 0;
}

/* An ARP frame into em1: spa is at sha (a reply to the router). */
static void
arp_says(const uint8_t *sha, uint32_t spa)
{
	struct pkt *p;

	cr_assert_not_null(p = pkt_alloc(&dp.pool));
	p->len = arp_build(p->data, 2, sha, spa, em1->mac, SRV1);
	dp_input(&dp, em1->port, &p, 1);
	dp_flush(&dp);
}

/* The server's frame i since forget() is ARP who-has a, from us. */
static void
expect_probe(int i, uint32_t a)
{
	const uint8_t *f;

	cr_assert_gt(nout, i, "a frame %d", i);
	f = out[i].f;
	cr_assert_eq(ether_get16(f + 12), ETHERTYPE_ARP, "an ARP frame");
	cr_expect_eq(ether_get16(f + 20), 1, "who-has");
	cr_expect_eq(ip_get32(f + 28), SRV1, "tell our address");
	cr_expect_eq(ip_get32(f + 38), a, "about the address to offer");
}

Test(dhcpd, offer_waits_for_an_arp_probe)
{
	struct dhcp_msg m;

	probe_wait = 0;
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_expect_eq(nout, 1, "the probe, no offer yet");
	expect_probe(0, POOL0);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_PROBES], 1);
	forget();
	dptest_run_to(&dp, dp.now + 1);
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);	/* retransmitted */
	cr_expect_eq(nout, 0, "still waiting: one probe, no offer");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_PROBES], 1);
	dptest_run_to(&dp, dp.now + 1);
	cr_assert(reply(&m, NULL), "nobody answered: the offer");
	cr_expect_eq(m.type, DHCPOFFER);
	cr_expect_eq(m.yiaddr, POOL0);
	/* its own offer (or lease) is not asked about again */
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL0);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_PROBES], 1);
	probe_wait = 1;
}

Test(dhcpd, an_address_in_use_is_abandoned)
{
	static const uint8_t squatter[6] = { 0x02, 0, 0, 0, 0xbb, 0x01 };
	struct dhcp_msg m;

	probe_wait = 0;
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	expect_probe(0, POOL0);
	forget();
	arp_says(cli_a, POOL0);		/* the client's own: no conflict */
	arp_says(squatter, POOL0);
	dptest_run_to(&dp, dp.now + 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_CONFLICTS], 1);
	expect_probe(0, POOL1);
	cr_expect_eq(nout, 1, "the next address asked about, no offer");
	forget();
	/*
	 * The second probe is a's: a's retransmission waits for it, and a's
	 * own ARP for POOL1 is no conflict.  (It once cleared the message
	 * it was asked with: the retransmission got an offer at once, a
	 * took POOL1, and its first ARP abandoned a's own lease.)
	 */
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_expect_eq(nout, 0, "a's retransmission waits for the probe");
	arp_says(cli_a, POOL1);
	dptest_run_to(&dp, dp.now + DHCPD_PROBE_WAIT);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_CONFLICTS], 1);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPOFFER);
	cr_expect_eq(m.yiaddr, POOL1, "not the one in use");
	cr_expect_eq(memcmp(m.chaddr, cli_a, 6), 0, "offered to a");
	cr_expect_neq(m.xid, 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_PROBES], 2);
	cr_expect_not_null(strstr(dptest_ctl(&dp, "dhcpd leases"),
	    "lease 10.50.0.100 {\n"), "the view shows it: %s", dptest_out);
	cr_expect_not_null(strstr(dptest_out, "\tabandoned;\n}\n"), "%s",
	    dptest_out);
	/* nothing free: the abandoned one is asked about again */
	forget();
	ask(cli_b, DHCPDISCOVER, 0, 0, 0, 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_RECLAIMED], 1);
	expect_probe(0, POOL0);
	forget();
	arp_says(squatter, POOL0);	/* still there */
	dptest_run_to(&dp, dp.now + DHCPD_PROBE_WAIT);
	cr_expect_eq(nout, 0, "no offer: .100 in use, .101 offered to a");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_CONFLICTS], 2);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_POOL_EMPTY], 1);
	/* gone: reclaimed and offered */
	ask(cli_b, DHCPDISCOVER, 0, 0, 0, 0);
	expect_probe(0, POOL0);
	forget();
	dptest_run_to(&dp, dp.now + DHCPD_PROBE_WAIT);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL0, "the squatter left: reclaimed");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_RECLAIMED], 2);
	probe_wait = 1;
}

Test(dhcpd, wrong_address_is_naked)
{
	struct dhcp_msg m;

	/* INIT-REBOOT for an address outside the range */
	ask(cli_a, DHCPREQUEST, 0x0a320096u, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPNAK);
	cr_expect_eq(m.yiaddr, 0);
	cr_expect_eq(m.server, SRV1);
	cr_expect_eq(m.flags & DHCP_FLAG_BROADCAST, DHCP_FLAG_BROADCAST);
	/* ... on another network */
	ask(cli_a, DHCPREQUEST, 0xc0a80105u, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPNAK);
	/* SELECTING us for an address we did not offer */
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	ask(cli_a, DHCPREQUEST, POOL1, SRV1, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPNAK);
	/* another's lease */
	cr_assert_eq(bind_to(cli_b), POOL1, "a's offer holds 10.50.0.100");
	ask(cli_c, DHCPREQUEST, POOL1, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPNAK, "10.50.0.101 is b's");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_NAKS], 4);
}

Test(dhcpd, fixed_address_host)
{
	const uint8_t *f;
	struct dhcp_msg m;

	ask(cli_fixed, DHCPDISCOVER, POOL1, 0, 0, 0);
	cr_assert(reply(&m, &f));
	cr_expect_eq(m.yiaddr, FIXED, "its fixed address, not the one asked");
	cr_expect_str_eq((const char *)f + 42 + 108, "db01.ipxe",
	    "the host's own filename over the subnet's");
	cr_expect_eq(m.router, 0x0a3200feu, "the host's own routers");
	cr_expect_eq(m.ndns, 1, "the rest from the subnet and globals");
	cr_expect_eq(m.lease, 300, "its own default-lease-time");
	cr_expect_eq(ip_get32(f + 42 + 20), SRV1, "the subnet's next-server");
	ask(cli_fixed, DHCPREQUEST, FIXED, SRV1, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPACK);
	cr_expect_eq(m.yiaddr, FIXED);
	cr_expect_eq(m.lease, 300);
	ask(cli_fixed, DHCPREQUEST, POOL1, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPNAK, "a fixed host has its address only");
	ask(cli_a, DHCPREQUEST, FIXED, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPNAK, "another host's fixed address");
	ask(cli_a, DHCPDISCOVER, FIXED, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL0, "never another host's fixed address");
}

Test(dhcpd, release_frees_and_the_address_comes_back)
{
	struct dhcp_msg m;

	cr_assert_eq(bind_to(cli_a), POOL0);
	ask(cli_a, DHCPRELEASE, 0, SRV1, POOL0, 0);
	cr_expect_eq(nout, 0, "no answer to a release");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_RELEASES], 1);
	cr_expect_eq(strcmp(dptest_ctl(&dp, "dhcpd leases"), ""), 0,
	    "released:\n%s", dptest_out);
	/* b would get the first free address; a asks again first */
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL0, "its old address back");
}

Test(dhcpd, pool_exhaustion_is_counted)
{
	struct dhcp_msg m;

	cr_assert_eq(bind_to(cli_a), POOL0);
	ask(cli_b, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL1);
	ask(cli_c, DHCPDISCOVER, 0, 0, 0, 0);
	cr_expect_eq(nout, 0, "no offer: the pool is empty");
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_POOL_EMPTY], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_DISCOVER], 3);
}

/* An offer holds its address 60 s on the clock, then it is free. */
Test(dhcpd, offer_expires_after_60s)
{
	struct dhcp_msg m;

	cr_assert_eq(bind_to(cli_a), POOL0);
	ask(cli_b, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL1);
	dptest_run_to(&dp, dp.now + 59);
	forget();
	ask(cli_c, DHCPDISCOVER, 0, 0, 0, 0);
	cr_expect_eq(nout, 0, "b's offer still holds 10.50.0.101");
	dptest_run_to(&dp, dp.now + 1);
	forget();
	ask(cli_c, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL), "the offer expired");
	cr_expect_eq(m.yiaddr, POOL1);
	/* b's late REQUEST for what is now c's offer */
	ask(cli_b, DHCPREQUEST, POOL1, SRV1, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.type, DHCPNAK);
}

/* SELECTING another server frees our offer, silently. */
Test(dhcpd, another_servers_id_frees_our_offer)
{
	struct dhcp_msg m;

	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL0);
	ask(cli_a, DHCPREQUEST, 0x0a3200feu, 0x0a3200feu, 0, 0);
	cr_expect_eq(nout, 0, "silent");
	ask(cli_b, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL0, "a's offer was freed");
}

Test(dhcpd, decline_sets_the_address_aside)
{
	struct dhcp_msg m;

	cr_assert_eq(bind_to(cli_a), POOL0);
	ask(cli_a, DHCPDECLINE, POOL0, SRV1, 0, 0);
	cr_expect_eq(nout, 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_DECLINES], 1);
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.yiaddr, POOL1, "not the declined one");
}

Test(dhcpd, inform_gets_options_without_an_address)
{
	const uint8_t *f;
	struct dhcp_msg m;

	ask(cli_a, DHCPINFORM, 0, 0, 0x0a320030u, 0);
	cr_assert(reply(&m, &f));
	cr_expect_eq(m.type, DHCPACK);
	cr_expect_eq(m.yiaddr, 0, "no yiaddr");
	cr_expect_eq(m.ciaddr, 0x0a320030u);
	cr_expect_null(option(f, 51), "no lease time");
	cr_expect_eq(m.router, SRV1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_INFORMS], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_ACKS], 1);
	cr_expect_eq(strcmp(dptest_ctl(&dp, "dhcpd leases"), ""), 0);
}

/* Relayed from a network dhcpd.conf has no subnet for: dropped. */
Test(dhcpd, relayed_from_elsewhere_is_dropped)
{
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0xc0000201u);
	cr_expect_eq(nout, 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_DHCPD_RELAYED], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_OFFERS], 0);
}

/*
 * A relay agent (dhcrelay on a router at 10.50.0.2, giaddr 10.60.0.1 on
 * the clients' network): the address comes from the subnet of giaddr,
 * without an ARP probe (no ARP reaches there), and the reply goes to the
 * relay's port 67, routed and past pf out like any packet of ours, with
 * giaddr kept; a NAK too, with the broadcast flag.
 */
Test(dhcpd, relayed_request_is_served)
{
	static const uint8_t relay[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	struct dhcp_msg m;
	const uint8_t *f;

	cr_assert_eq(dptest_ctl_rc(&dp, "pfctl -F rules"), 0);
	cr_assert_eq(dptest_ctl_rc(&dp, "route add 10.60.0.0/24 10.50.0.2"),
	    0, "%s", dptest_out);
	probe_wait = 0;
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0x0a3c0001u);
	cr_expect_eq(dp.router.c[ROUTER_C_DHCPD_RELAYED], 1);
	/* the relay's MAC first */
	cr_assert_eq(nout, 1);
	cr_expect_eq(ether_get16(out[0].f + 12), ETHERTYPE_ARP);
	cr_expect_eq(ip_get32(out[0].f + 38), 0x0a320002u);
	forget();
	arp_says(relay, 0x0a320002u);
	cr_assert_eq(nout, 1, "the OFFER, held for ARP");
	f = out[0].f;
	cr_expect_eq(memcmp(f, relay, 6), 0, "to the relay's MAC");
	cr_expect_eq(ip_get32(f + 30), 0x0a3c0001u, "to giaddr");
	cr_expect_eq(ether_get16(f + 36), 67, "to the relay agent's port");
	cr_assert_eq(dhcp_parse(f + 42, out[0].len - 42, &m), 0);
	cr_expect_eq(m.type, DHCPOFFER);
	cr_expect_eq(m.giaddr, 0x0a3c0001u, "giaddr kept");
	cr_expect_eq(m.yiaddr & 0xffffff00u, 0x0a3c0000u, "from 10.60.0.0/24");
	cr_expect_eq(m.router, 0x0a3c0001u, "that subnet's routers");
	cr_expect_eq(m.server, SRV1);
	forget();
	ask(cli_a, DHCPREQUEST, m.yiaddr, SRV1, 0, 0x0a3c0001u);
	cr_assert_eq(nout, 1);
	cr_assert_eq(dhcp_parse(out[0].f + 42, out[0].len - 42, &m), 0);
	cr_expect_eq(m.type, DHCPACK);
	forget();
	ask(cli_b, DHCPREQUEST, 0x0a320064u, 0, 0, 0x0a3c0001u);
	cr_assert_eq(nout, 1);
	cr_assert_eq(dhcp_parse(out[0].f + 42, out[0].len - 42, &m), 0);
	cr_expect_eq(m.type, DHCPNAK, "10.50.0.100 is not of the relay's net");
	cr_expect(ether_get16(out[0].f + 42 + 10) & DHCP_FLAG_BROADCAST);
	cr_expect_eq(ip_get32(out[0].f + 30), 0x0a3c0001u);
}

/*
 * A relay agent's information (option 82: a circuit id and a remote id,
 * RFC 3046) comes back in the reply, the last option before the end, as
 * RFC 3046 2.2 asks of a server.
 */
Test(dhcpd, relay_agent_information_echoed)
{
	static const uint8_t relay[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t rai[] = { 1, 4, 'v', 'l', '1', '0', 2, 3, 0xaa,
	    0xbb, 0xcc };
	struct dhcp_msg m;
	const uint8_t *o;

	cr_assert_eq(dptest_ctl_rc(&dp, "pfctl -F rules"), 0);
	cr_assert_eq(dptest_ctl_rc(&dp, "route add 10.60.0.0/24 10.50.0.2"),
	    0, "%s", dptest_out);
	probe_wait = 0;
	ask_rai = rai;
	ask_rai_len = sizeof(rai);
	arp_says(relay, 0x0a320002u);
	forget();
	ask(cli_a, DHCPDISCOVER, 0, 0, 0, 0x0a3c0001u);
	ask_rai = NULL;
	cr_assert_eq(nout, 1);
	cr_assert_eq(dhcp_parse(out[0].f + 42, out[0].len - 42, &m), 0);
	cr_expect_eq(m.type, DHCPOFFER);
	cr_assert_eq(m.rai_len, sizeof(rai));
	cr_expect_eq(memcmp(m.rai, rai, sizeof(rai)), 0, "echoed as it came");
	for (o = out[0].f + 42 + 240; *o != 255; o += *o == 0 ? 1 : 2 + o[1])
		if (*o == 82)
			break;
	cr_expect_eq(o[0], 82);
	cr_expect_eq(o[2 + o[1]], 255, "the last option");
}

/* A lease time the client asks for, capped by max-lease-time. */
Test(dhcpd, lease_time_capped)
{
	uint8_t *f;
	struct dhcp_msg m, q;
	struct pkt *p;
	uint32_t len;
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memset(&q, 0, sizeof(q));
	q.type = DHCPDISCOVER;
	memcpy(q.chaddr, cli_a, 6);
	cr_assert_not_null(p = pkt_alloc(&dp.pool));
	len = dhcp_build(p->data, &q, cli_a, 0, bc, 0xffffffffu);
	/* options 51 and 12 before the end: the frame is padded to 300 */
	f = p->data + 42 + 240;
	while (*f != 255)
		f += f[0] == 0 ? 1 : 2 + f[1];
	*f++ = 51, *f++ = 4, ip_put32(f, 99999), f += 4;
	*f++ = 12, *f++ = 4, memcpy(f, "db\"2", 4), f += 4;
	*f = 255;
	p->len = len;
	dp_input(&dp, em1->port, &p, 1);
	dp_flush(&dp);
	dptest_run_to(&dp, dp.now + DHCPD_PROBE_WAIT);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.lease, 7200, "max-lease-time");
	ask(cli_a, DHCPREQUEST, POOL0, SRV1, 0, 0);
	cr_assert(reply(&m, NULL));
	cr_expect_eq(m.lease, 43200, "asked for none: the default");
	cr_expect_not_null(strstr(dptest_ctl(&dp, "dhcpd leases"),
	    "\tclient-hostname \"db?2\";\n"), "%s", dptest_out);
}

/* A malformed request is counted, not answered. */
Test(dhcpd, malformed_is_dropped)
{
	struct dhcp_msg q;
	struct pkt *p;
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memset(&q, 0, sizeof(q));
	q.type = DHCPDISCOVER;
	memcpy(q.chaddr, cli_a, 6);
	cr_assert_not_null(p = pkt_alloc(&dp.pool));
	p->len = dhcp_build(p->data, &q, cli_a, 0, bc, 0xffffffffu);
	ip_put32(p->data + 42 + 236, 0);	/* no magic cookie */
	dp_input(&dp, em1->port, &p, 1);
	dp_flush(&dp);
	cr_expect_eq(nout, 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_DHCPD_BAD], 1);
}
