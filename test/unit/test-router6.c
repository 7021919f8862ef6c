/*
 * The router's IPv6 half through a dataplane built from a configuration
 * directory (capture-file ports): neighbour discovery both ways and its
 * timers, forwarding with the hop limit, the ICMPv6 errors, pf in and out
 * on routed IPv6, every malformed frame dropped with its own counter, and
 * the views.  em1 (2001:db8:50::1/64) faces a host, em0
 * (2001:db8:100::2/64) the gateway 2001:db8:100::1 (mygate).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/nd6.h"
#include "test/unit/dptest.h"
#include "test/unit/rtsent.h"


static const uint8_t em0_mac[6] = { 0x02, 0, 0, 0, 0x0e, 0x00 };
static const uint8_t em1_mac[6] = { 0x02, 0, 0, 0, 0x0e, 0x01 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x0a };	/* em1 */
static const uint8_t gw_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };	/* em0 */

static char etc[] = "/tmp/sluice-test-router6-XXXXXX";
static struct conf *conf;
static struct dp dp;
static struct router *rt;
static uint8_t R1[16], HOST[16], E0[16], GW[16], FAR[16];

static void
put(const char *name, const char *text)
{
	cr_assert_eq(etc_put(etc, name, text), 0, "cannot write %s", name);
}

static void
a6(uint8_t *a, const char *s)
{
	cr_assert_eq(inet_pton(AF_INET6, s, a), 1, "%s", s);
}

static void
setup(void)
{
	static const char *const names[2] = { "em0", "em1" };

	cr_assert_not_null(mkdtemp(etc));
	put("hostname.em0", "lladdr 02:00:00:00:0e:00\n"
	    "inet6 2001:db8:100::2 64\nup\n");
	put("hostname.em1", "lladdr 02:00:00:00:0e:01\n"
	    "inet6 2001:db8:50::1/64\nup\n");
	put("mygate", "2001:db8:100::1\n");
	put("sysctl.conf", "net.inet6.ip6.forwarding=1\n");
	dptest_build(&dp, &conf, etc, names, 2, NULL);
	dptest_at(&dp, 100);
	rt = &dp.router;
	rt->sent = seen;
	skip_dad = 1;		/* but in the test of it */
	nout = 0;
	a6(R1, "2001:db8:50::1");
	a6(HOST, "2001:db8:50::10");
	a6(E0, "2001:db8:100::2");
	a6(GW, "2001:db8:100::1");
	a6(FAR, "2001:db8:999::9");
}

static void
teardown(void)
{
	dptest_destroy(&dp, conf);
	etc_remove(etc);
}

TestSuite(router6, .init = setup, .fini = teardown);

/* An IPv6 frame; ICMPv6 and UDP checksums set. */
static uint32_t
frame6(uint8_t *f, const uint8_t *dmac, const uint8_t *smac,
    const uint8_t *src, const uint8_t *dst, uint8_t nh, uint8_t hlim,
    const uint8_t *pl, uint32_t plen)
{
	uint8_t *ip = f + 14;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	ether_put16(f + 12, ETHERTYPE_IPV6);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ether_put16(ip + 4, (uint16_t)plen);
	ip[6] = nh;
	ip[7] = hlim;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memcpy(ip + 40, pl, plen);
	if (nh == 58 && plen >= 4) {
		ether_put16(ip + 42, 0);
		ether_put16(ip + 42, icmp6_csum(ip, 40 + plen));
	}
	if (nh == 17 && plen >= 8) {
		/* UDP's pseudo-header sum is the same as ICMPv6's but 58. */
		uint32_t s;

		ether_put16(ip + 46, 0);
		s = csum_partial(ip + 8, 32, 0) + plen + 17;
		s = csum_partial(ip + 40, plen, s);
		ether_put16(ip + 46, (uint16_t)~csum_fold(s));
	}
	return 14 + 40 + plen;
}

static uint32_t
echo(uint8_t *f, const uint8_t *dmac, const uint8_t *src, const uint8_t *dst,
    uint8_t hlim)
{
	uint8_t pl[8 + 32] = { ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 7, 0, 1 };

	return frame6(f, dmac, host_mac, src, dst, 58, hlim, pl, sizeof(pl));
}

/* A frame in on PORT through the whole dataplane. */
static void
send1(const char *port, const uint8_t *f, uint32_t len)
{
	struct port *in = dp_port(&dp, port);
	struct pkt *p;

	cr_assert_not_null(in);
	cr_assert_not_null(p = pkt_alloc(&dp.pool));
	memcpy(p->data, f, len);
	p->len = len;
	dp_input(&dp, in, &p, 1);
}

static uint64_t
counter(int c)
{
	return rt->c[c];
}

/* The host asks for its gateway on em1. */
static void
host_asks(void)
{
	uint8_t f[128];

	send1("em1", f, nd6_ns_build(f, host_mac, HOST, R1, NULL, NULL));
}

Test(router6, ns_answered_and_sender_learned_stale)
{
	struct nd6_entry *e;
	struct nd6_msg m;

	host_asks();
	cr_assert_eq(nout, 1);
	cr_assert_eq(nd6_parse(out[0].f + 14, out[0].len - 14, &m), ND6_OK);
	cr_expect_eq(m.type, ND_NEIGHBOR_ADVERT);
	cr_expect_eq(m.flags, ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED |
	    ND_NA_FLAG_OVERRIDE);
	cr_expect_eq(memcmp(m.target, R1, 16), 0);
	cr_expect_eq(memcmp(m.dst, HOST, 16), 0);
	cr_expect(m.has_lla && memcmp(m.lla, em1_mac, 6) == 0);
	cr_expect_eq(memcmp(out[0].f, host_mac, 6), 0);
	cr_expect_eq(counter(ROUTER_C_ND_ADVERTS), 1);
	e = nd6_lookup(rt->nd6, (uint16_t)(router_rif(rt, dp_port(&dp,
	    "em1")) - rt->rifs), HOST);
	cr_assert_not_null(e);
	cr_expect_eq(e->state, ND6_STALE);
	cr_expect_eq(memcmp(e->mac, host_mac, 6), 0);
}

/*
 * Forwarded to the gateway: an NS out of em0 and the packet held; the NA
 * releases it (hop limit 63); the entry is REACHABLE for 30 s, STALE
 * then; used while stale it is probed after 5 s by unicast, 3 times,
 * then deleted.
 */
Test(router6, forward_resolve_and_nud_timers)
{
	uint8_t f[256], sn[16];
	struct nd6_entry *e;
	struct nd6_msg m;
	uint16_t r0 = 0;
	uint32_t n, nfree;

	host_asks();
	nfree = dp.pool.nfree;
	nout = 0;
	n = echo(f, em1_mac, HOST, GW, 64);
	send1("em1", f, n);
	cr_assert_eq(nout, 1, "an NS, the packet held");
	cr_assert_eq(nd6_parse(out[0].f + 14, out[0].len - 14, &m), ND6_OK);
	cr_expect_eq(m.type, ND_NEIGHBOR_SOLICIT);
	cr_expect_eq(memcmp(m.target, GW, 16), 0);
	in6_solicited(sn, GW);
	cr_expect_eq(memcmp(m.dst, sn, 16), 0, "to the solicited-node group");
	cr_expect_eq(memcmp(m.src, E0, 16), 0);
	cr_expect(m.has_lla && memcmp(m.lla, em0_mac, 6) == 0);
	cr_expect_eq(rt->nd6q, 1);
	/* The NA. */
	nout = 0;
	n = nd6_na_build(f, gw_mac, em0_mac, GW, E0, GW, ND_NA_FLAG_SOLICITED |
	    ND_NA_FLAG_OVERRIDE | ND_NA_FLAG_ROUTER);
	send1("em0", f, n);
	cr_assert_eq(nout, 1, "the held packet");
	cr_expect_eq(memcmp(out[0].f, gw_mac, 6), 0);
	cr_expect_eq(memcmp(out[0].f + 6, em0_mac, 6), 0);
	cr_expect_eq(out[0].f[14 + 7], 63, "hop limit one less");
	cr_expect_eq(counter(ROUTER_C_FORWARDED6), 1);
	cr_expect_eq(rt->nd6q, 0);
	cr_expect_eq(dp.pool.nfree, nfree, "its buffer went");
	r0 = (uint16_t)(router_rif(rt, dp_port(&dp, "em0")) - rt->rifs);
	cr_assert_not_null(e = nd6_lookup(rt->nd6, r0, GW));
	cr_expect_eq(e->state, ND6_REACHABLE);
	cr_expect(e->isrouter);
	cr_expect(strstr(dptest_ctl(&dp, "ndp -an"), "\n2001:db8:100::1"
	    "                      02:00:00:00:00:77     em0 30s       R R\n")
	    != NULL, "%s", dptest_out);

	dptest_run_to(&dp, 131);
	cr_expect_eq(e->state, ND6_STALE, "30 s later");
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, GW, 64));
	cr_assert_eq(nout, 1, "a stale entry is used at once");
	cr_expect_eq(e->state, ND6_DELAY);
	nout = 0;
	dptest_run_to(&dp, 136);
	cr_assert_eq(nout, 1, "probe after the delay");
	cr_assert_eq(nd6_parse(out[0].f + 14, out[0].len - 14, &m), ND6_OK);
	cr_expect_eq(memcmp(m.dst, GW, 16), 0, "unicast");
	cr_expect_eq(memcmp(out[0].f, gw_mac, 6), 0);
	cr_expect_eq(e->state, ND6_PROBE);
	dptest_run_to(&dp, 140);
	cr_expect_eq(nout, 3, "three probes");
	cr_expect_null(nd6_lookup(rt->nd6, r0, GW), "then deleted");
}

/*
 * A next hop that never answers: 3 solicitations a second apart, then
 * what waited is dropped and counted (3 held, the 4th refused), the
 * first's sender gets address unreachable, and the buffers are back.
 */
Test(router6, unanswered_next_hop_gives_up)
{
	uint8_t f[256];
	uint32_t nfree;
	int i;

	host_asks();
	nfree = dp.pool.nfree;
	for (i = 0; i < 4; i++)
		send1("em1", f, echo(f, em1_mac, HOST, GW, 64));
	cr_expect_eq(counter(ROUTER_C_DROP_ND_QUEUE), 1);
	cr_expect_eq(rt->nd6q, 3);
	nout = 0;
	dptest_run_to(&dp, 102);
	cr_expect_eq(nout, 2, "asked again twice");
	nout = 0;
	dptest_run_to(&dp, 103);
	cr_expect_eq(counter(ROUTER_C_DROP_ND_TIMEOUT), 3);
	cr_assert_eq(nout, 1, "one address unreachable");
	cr_expect_eq(out[0].f[14 + 40], ICMP6_DST_UNREACH);
	cr_expect_eq(out[0].f[14 + 41], ICMP6_DST_UNREACH_ADDR);
	cr_expect_eq(memcmp(out[0].f + 14 + 24, HOST, 16), 0);
	cr_expect_eq(rt->nd6q, 0);
	cr_expect_eq(dp.pool.nfree, nfree);
	cr_expect(strstr(dptest_ctl(&dp, "ndp -an"), "2001:db8:100::1 ") ==
	    NULL, "%s", dptest_out);
}

/* Each kind of bad or unroutable frame: its own counter, nothing sent. */
Test(router6, bad_frames_dropped_with_a_reason)
{
	uint8_t f[256], g[256], pl[64], ll[16], mc[16];
	uint32_t n;

	host_asks();
	nout = 0;
	/* Payload length beyond the frame. */
	n = echo(f, em1_mac, HOST, GW, 64);
	ether_put16(f + 18, 200);
	send1("em1", f, n);
	cr_expect_eq(counter(ROUTER_C_DROP_BAD_HEADER6), 1);
	/* An IPv6 header cut short. */
	send1("em1", f, 14 + 30);
	cr_expect_eq(counter(ROUTER_C_DROP_BAD_HEADER6), 2);
	/* ND: hop limit, checksum, malformed (truncated ICMPv6). */
	n = nd6_ns_build(f, host_mac, HOST, R1, NULL, NULL);
	memcpy(g, f, n);
	g[14 + 7] = 254;
	send1("em1", g, n);
	cr_expect_eq(counter(ROUTER_C_DROP_ND_HLIM), 1);
	memcpy(g, f, n);
	g[14 + 40 + 20] ^= 0x40;
	send1("em1", g, n);
	cr_expect_eq(counter(ROUTER_C_DROP_ND_CSUM), 1);
	memcpy(g, f, n);
	g[14 + 40 + 25] = 0;		/* option length 0 */
	ether_put16(g + 14 + 42, 0);
	ether_put16(g + 14 + 42, icmp6_csum(g + 14, n - 14));
	send1("em1", g, n);
	cr_expect_eq(counter(ROUTER_C_DROP_ND_BAD), 1);
	/* ICMPv6 shorter than its header: the header parse refuses it. */
	memcpy(g, f, n);
	ether_put16(g + 18, 6);
	send1("em1", g, 14 + 46);
	cr_expect_eq(counter(ROUTER_C_DROP_BAD_HEADER6), 3);
	/* An NS for someone else; an NA nobody asked for; a router
	 * solicitation. */
	send1("em1", f, nd6_ns_build(f, host_mac, HOST, HOST, NULL, NULL));
	cr_expect_eq(counter(ROUTER_C_DROP_ND_NOT_OURS), 1);
	send1("em1", f, nd6_na_build(f, host_mac, em1_mac, HOST, R1, FAR,
	    ND_NA_FLAG_SOLICITED));
	cr_expect_eq(counter(ROUTER_C_DROP_ND_UNSOLICITED), 1);
	memset(pl, 0, sizeof(pl));
	pl[0] = ND_ROUTER_SOLICIT;
	a6(mc, "ff02::2");
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, mc, 58, 255, pl, 8));
	cr_expect_eq(counter(ROUTER_C_DROP_ND_UNHANDLED), 1);
	/* MLD-like multicast, link-local destination. */
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, mc, 17, 1, pl, 8));
	cr_expect_eq(counter(ROUTER_C_DROP_MCAST6), 1);
	a6(ll, "fe80::99");
	send1("em1", f, echo(f, em1_mac, HOST, ll, 64));
	cr_expect_eq(counter(ROUTER_C_DROP_SCOPE6), 1);
	/* An echo request for us with a bad checksum. */
	n = echo(f, em1_mac, HOST, R1, 64);
	f[n - 1] ^= 1;
	send1("em1", f, n);
	cr_expect_eq(counter(ROUTER_C_DROP_ICMP6_BAD), 1);
	cr_expect_eq(nout, 0, "%d frames sent", nout);
	/* UDP for us: port unreachable. */
	memset(pl, 0, 16);
	ether_put16(pl, 4000);
	ether_put16(pl + 2, 9);
	ether_put16(pl + 4, 16);
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, R1, 17, 64, pl, 16));
	cr_expect_eq(counter(ROUTER_C_DROP_LOCAL6_PROTO), 1);
	cr_assert_eq(nout, 1);
	cr_expect_eq(out[0].f[14 + 40], ICMP6_DST_UNREACH);
	cr_expect_eq(out[0].f[14 + 41], ICMP6_DST_UNREACH_NOPORT);
}

/* Echo, hop limit, no route, too big: what goes back to the host. */
Test(router6, icmp6_answers)
{
	uint8_t f[1600], pl[1500];
	uint32_t n;

	host_asks();
	nout = 0;
	n = echo(f, em1_mac, HOST, R1, 64);
	send1("em1", f, n);
	cr_assert_eq(nout, 1);
	cr_expect_eq(out[0].f[14 + 40], ICMP6_ECHO_REPLY);
	cr_expect_eq(icmp6_csum(out[0].f + 14, n - 14), 0, "checksum");
	cr_expect_eq(counter(ROUTER_C_ECHO_REPLIES6), 1);

	send1("em1", f, echo(f, em1_mac, HOST, GW, 1));
	cr_assert_eq(nout, 2);
	cr_expect_eq(out[1].f[14 + 40], ICMP6_TIME_EXCEEDED);
	cr_expect_eq(counter(ROUTER_C_DROP_HLIM), 1);

	cr_assert_eq(dptest_ctl_rc(&dp, "route delete -inet6 default"), 0,
	    "%s", dptest_out);
	send1("em1", f, echo(f, em1_mac, HOST, FAR, 64));
	cr_assert_eq(nout, 3);
	cr_expect_eq(out[2].f[14 + 40], ICMP6_DST_UNREACH);
	cr_expect_eq(out[2].f[14 + 41], ICMP6_DST_UNREACH_NOROUTE);
	cr_expect_eq(memcmp(out[2].f + 14 + 8, R1, 16), 0, "from em1's address");
	cr_expect_eq(counter(ROUTER_C_DROP_NO_ROUTE6), 1);
	cr_assert_eq(dptest_ctl_rc(&dp, "route add -inet6 2001:db8:999::/48 "
	    "2001:db8:100::1"), 0, "%s", dptest_out);

	dp_port(&dp, "em0")->mtu = 1280;
	memset(pl, 0, sizeof(pl));
	ether_put16(pl, 4000);
	ether_put16(pl + 2, 9);
	ether_put16(pl + 4, 1300);
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, FAR, 17, 64, pl,
	    1300));
	cr_assert_eq(nout, 4);
	cr_expect_eq(out[3].f[14 + 40], ICMP6_PACKET_TOO_BIG);
	cr_expect_eq(ether_get16(out[3].f + 14 + 46), 1280, "the MTU");
	cr_expect_eq(out[3].len, 14 + 1280, "quoting what fits in 1280");
	cr_expect_eq(out[3].f[14 + 48 + 7], 64, "the quote's hop limit as it "
	    "came");
	cr_expect_eq(counter(ROUTER_C_DROP_TOOBIG), 1);
	cr_expect_eq(counter(ROUTER_C_ICMP6_ERRORS), 3);
}

/* Forwarding off: a host takes an address only on its interface. */
Test(router6, forwarding_off)
{
	uint8_t f[256];

	cr_assert_eq(dptest_ctl_rc(&dp, "sysctl net.inet6.ip6.forwarding=0"),
	    0);
	host_asks();
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, GW, 64));
	cr_expect_eq(counter(ROUTER_C_DROP_FORWARDING6_OFF), 1);
	send1("em1", f, echo(f, em1_mac, HOST, E0, 64));
	cr_expect_eq(counter(ROUTER_C_DROP_WRONG_IF6), 1);
	cr_expect_eq(nout, 0);
}

/* pf sees routed IPv6 in on em1 and out on em0, as it does IPv4. */
Test(router6, pf_in_and_out)
{
	uint8_t f[256], pl[16];
	char cmd[128];

	put("pf.conf", "pass all\nblock in on em1 inet6 proto tcp\n"
	    "block out on em0 inet6 proto udp\n");
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf.conf", etc);
	cr_assert_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	host_asks();
	send1("em0", f, nd6_na_build(f, gw_mac, em0_mac, GW, E0, GW,
	    ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE));
	memset(pl, 0, sizeof(pl));
	ether_put16(pl, 4000);
	ether_put16(pl + 2, 9);
	ether_put16(pl + 4, 16);
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, GW, 17, 64, pl, 16));
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, GW, 6, 64, pl, 16));
	cr_expect_eq(counter(ROUTER_C_FORWARDED6), 0, "neither passed");
	cr_expect_eq(counter(ROUTER_C_IN6), 3);
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, GW, 64));
	cr_expect_eq(counter(ROUTER_C_FORWARDED6), 1);
	cr_expect_eq(nout, 1, "the echo went, the NA made the entry");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "2001:db8:50::10") !=
	    NULL, "pf keeps state for routed IPv6: %s", dptest_out);
}

Test(router6, views)
{
	const char *s;

	s = dptest_ctl(&dp, "ifconfig em1");
	cr_expect(strstr(s, "\tinet6 fe80::ff:fe00:e01%em1 prefixlen 64 "
	    "scopeid 0x") != NULL, "%s", s);
	cr_expect(strstr(s, "\tinet6 2001:db8:50::1 prefixlen 64\n") != NULL,
	    "%s", s);
	s = dptest_ctl(&dp, "netstat -rn");
	cr_expect(strstr(s, "\nInternet6:\nDestination                       "
	    "          Gateway                                 Flags   Refs   "
	    "   Use   Mtu  Prio Iface\n") != NULL, "%s", s);
	cr_expect(strstr(s, "\ndefault                                     "
	    "2001:db8:100::1                         UGS        0        0     "
	    "-     8 em0  \n") != NULL, "%s", s);
	cr_expect(strstr(s, "\nfe80::%em1/64 ") != NULL, "%s", s);
	cr_expect_eq(dptest_ctl_rc(&dp, "route add -inet6 2001:db8:7::/48 "
	    "2001:db8:77::1"), 1);
	cr_expect_str_eq(dptest_out, "route: 2001:db8:7::/48: gateway "
	    "2001:db8:77::1 is on no connected network\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "route add -inet6 2001:db8:7::/48 "
	    "fe80::1%em0"), 0, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "netstat -rn"), "\n2001:db8:7::/48"
	    "                             fe80::1%em0 ") != NULL, "%s",
	    dptest_out);
	cr_expect_eq(dptest_ctl_rc(&dp, "route delete -inet6 2001:db8:50::/64"),
	    1);
	cr_expect_str_eq(dptest_out, "route: 2001:db8:50::/64: a connected "
	    "route goes with its address\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "ndp -an"), 0);
	cr_expect_str_eq(dptest_out, "Neighbor                             "
	    "Linklayer Address   Netif Expire    S Flags\n"
	    "2001:db8:50::1                       02:00:00:00:0e:01     em1 "
	    "permanent R l\n"
	    "2001:db8:100::2                      02:00:00:00:0e:00     em0 "
	    "permanent R l\n"
	    "fe80::ff:fe00:e00%em0                02:00:00:00:0e:00     em0 "
	    "permanent R l\n"
	    "fe80::ff:fe00:e01%em1                02:00:00:00:0e:01     em1 "
	    "permanent R l\n");
}

/*
 * (if) holds the interface's IPv6 addresses (link-local first), and the
 * port of the IPv6 default route is in the egress group, as OpenBSD's
 * if_group_egress_build() makes it for either family.
 */
Test(router6, pf_dynamic_addresses_and_egress)
{
	uint8_t f[256];
	char cmd[128];

	put("pf.conf", "block all\n"
	    "pass in on em1 inet6 proto icmp6 to (em1)\n"
	    "pass out on egress inet6 proto icmp6\n");
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf.conf", etc);
	cr_assert_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -s Interfaces"),
	    "em0\n") != NULL, "%s", dptest_out);
	host_asks();
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, R1, 64));
	cr_expect_eq(nout, 1, "(em1) holds 2001:db8:50::1: answered");
	send1("em0", f, nd6_na_build(f, gw_mac, em0_mac, GW, E0, GW,
	    ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE));
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, GW, 64));
	cr_expect_eq(counter(ROUTER_C_FORWARDED6), 0,
	    "in on em1 to a stranger: blocked");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -s Interfaces"),
	    "egress\n") != NULL, "%s", dptest_out);
	/* and explain says so, for IPv6 as for IPv4 */
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em1 proto icmp6 from "
	    "2001:db8:50::10 to 2001:db8:50::1"), "\n  pass") != NULL, "%s",
	    dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em1 proto icmp6 from "
	    "2001:db8:50::10 to 2001:db8:100::1"), "\n  block") != NULL,
	    "%s", dptest_out);
	cr_expect_eq(dptest_ctl_rc(&dp, "explain in on em1 from 10.0.0.1 to "
	    "2001:db8::1"), 1);
}

/* ---- router advertisements (rad.conf) ---------------------------------- */

/* The daemon again, with the files as they are now. */
static void
rebuild(void)
{
	static const char *const names[2] = { "em0", "em1" };

	dptest_destroy(&dp, conf);
	dptest_build(&dp, &conf, etc, names, 2, NULL);
	dptest_at(&dp, 100);
	rt = &dp.router;
	rt->sent = seen;
	forget();
}

/* The option of TYPE in the advertisement at ra (len bytes), or NULL. */
static const uint8_t *
ra_opt(const uint8_t *ra, uint32_t len, uint8_t type)
{
	uint32_t off;

	for (off = 16; off + 8 <= len && ra[off + 1] != 0;
	    off += ra[off + 1] * 8u)
		if (ra[off] == type)
			return ra + off;
	return NULL;
}

/* out[i] is an advertisement from em1's link-local address to all
 * nodes, checksum right: its ICMPv6 part, and its length in *len. */
static const uint8_t *
ra_of(int i, uint32_t *len)
{
	static const uint8_t allnodes[16] = { 0xff, 0x02, [15] = 1 };
	const uint8_t *ip = out[i].f + 14;
	struct rif *em1 = router_rif(rt, dp_port(&dp, "em1"));

	cr_assert_eq(out[i].rif, em1, "sent by em1");
	cr_assert_eq(ether_get16(out[i].f + 12), ETHERTYPE_IPV6);
	cr_expect_eq(memcmp(out[i].f, "\x33\x33\x00\x00\x00\x01", 6), 0);
	cr_expect_eq(ip[7], 255, "hop limit 255");
	cr_expect_eq(memcmp(ip + 8, em1->ll6, 16), 0, "from fe80::");
	cr_expect_eq(memcmp(ip + 24, allnodes, 16), 0, "to ff02::1");
	cr_assert_eq(ip[40], ND_ROUTER_ADVERT);
	*len = ether_get16(ip + 4);
	cr_expect_eq(icmp6_csum(ip, 40 + *len), 0, "checksum");
	return ip + 40;
}

/* A Router Solicitation from the host, with its link-layer option. */
static void
host_solicits(void)
{
	static const uint8_t allrouters[16] = { 0xff, 0x02, [15] = 2 };
	uint8_t f[128], pl[16] = { ND_ROUTER_SOLICIT, 0, 0, 0, 0, 0, 0, 0,
	    ND_OPT_SOURCE_LINKADDR, 1 };

	memcpy(pl + 10, host_mac, 6);
	send1("em1", f, frame6(f, (const uint8_t *)"\x33\x33\x00\x00\x00\x02",
	    host_mac, HOST, allrouters, 58, 255, pl, sizeof(pl)));
}

/*
 * `interface em1' alone: at once and then every so often, em1's prefix
 * is advertised (on-link, autonomous, rad's lifetimes) with this router
 * as the default one (forwarding is on); a solicitation is answered,
 * never less than 3 s after the last advertisement.
 */
Test(router6, rad_advertises_and_answers_solicitations)
{
	const uint8_t *ra, *o;
	uint8_t pfx[16];
	uint32_t len;

	put("rad.conf", "interface em1\n");
	rebuild();
	dptest_run_to(&dp, 101);

	cr_assert_eq(nout, 1, "the first advertisement at once");
	ra = ra_of(0, &len);
	cr_expect_eq(ra[4], 64, "hop limit");
	cr_expect_eq(ra[5], 0, "no M, no O");
	cr_expect_eq(ether_get16(ra + 6), 1800, "router lifetime");
	cr_assert_not_null(o = ra_opt(ra, len, ND_OPT_SOURCE_LINKADDR));
	cr_expect_eq(memcmp(o + 2, em1_mac, 6), 0);
	cr_assert_not_null(o = ra_opt(ra, len, ND_OPT_PREFIX_INFO));
	a6(pfx, "2001:db8:50::");
	cr_expect_eq(o[2], 64);
	cr_expect_eq(o[3], 0xc0, "on-link, autonomous");
	cr_expect_eq(ip_get32(o + 4), 2592000);
	cr_expect_eq(ip_get32(o + 8), 604800);
	cr_expect_eq(memcmp(o + 16, pfx, 16), 0);
	cr_expect_null(ra_opt(ra, len, ND_OPT_MTU));
	cr_expect_null(ra_opt(ra, len, ND_OPT_RDNSS));

	host_solicits();
	cr_expect_eq(counter(ROUTER_C_RS_IN), 1);
	cr_expect_eq(nout, 1, "not within 3 s of the last");
	dptest_run_to(&dp, 104);
	cr_assert_eq(nout, 2, "answered when the 3 s were up");
	ra_of(1, &len);
	/* (a periodic one that falls due within the 3 s goes with the
	 * answer) */
	dptest_run_to(&dp, 104 + 16);
	cr_expect_geq(counter(ROUTER_C_RA_SENT), 3, "the next unsolicited "
	    "one within 16 s");
	dptest_run_to(&dp, 130);
	forget();
	host_solicits();
	cr_expect_eq(nout, 1, "answered at once");
}

/* Global options, an interface's own, its prefixes instead of the
 * automatic ones; forwarding off makes the router lifetime 0. */
Test(router6, rad_options)
{
	const uint8_t *ra, *o;
	uint8_t a[16];
	uint32_t len;

	put("rad.conf", "mtu 1400\n"
	    "dns { nameserver 2001:db8::53\n\tsearch lab.example\n"
	    "\tsearch { example.org } }\n"
	    "router lifetime 600\n"
	    "interface em1 {\n"
	    "\tno auto prefix\n"
	    "\tprefix 2001:db8:77::/64 { valid lifetime 3600 }\n"
	    "\tmanaged address configuration yes\n"
	    "}\n");
	rebuild();
	dptest_run_to(&dp, 101);
	cr_assert_eq(nout, 1);
	ra = ra_of(0, &len);
	cr_expect_eq(ra[5], 0x80, "M");
	cr_expect_eq(ether_get16(ra + 6), 600);
	cr_assert_not_null(o = ra_opt(ra, len, ND_OPT_MTU));
	cr_expect_eq(ip_get32(o + 4), 1400);
	cr_assert_not_null(o = ra_opt(ra, len, ND_OPT_RDNSS));
	a6(a, "2001:db8::53");
	cr_expect_eq(o[1], 3);
	cr_expect_eq(memcmp(o + 8, a, 16), 0);
	/* RFC 8106 5.2: the names in wire form, padded to 8 bytes */
	cr_assert_not_null(o = ra_opt(ra, len, ND_OPT_DNSSL));
	cr_expect_eq(o[1], 5, "8 + 13 + 13 bytes, padded to 40");
	cr_expect_eq(ip_get32(o + 4), 900, "the nameservers' lifetime");
	cr_expect_eq(memcmp(o + 8, "\3lab\7example\0\7example\3org\0"
	    "\0\0\0\0\0\0", 32), 0);
	cr_assert_not_null(o = ra_opt(ra, len, ND_OPT_PREFIX_INFO));
	a6(a, "2001:db8:77::");
	cr_expect_eq(memcmp(o + 16, a, 16), 0);
	cr_expect_eq(ip_get32(o + 4), 3600);
	cr_expect_eq(len, 16 + 8 + 8 + 32 + 24 + 40, "one prefix only");

	put("sysctl.conf", "net.inet6.ip6.forwarding=0\n");
	rebuild();
	dptest_run_to(&dp, 101);
	cr_assert_eq(nout, 1);
	ra = ra_of(0, &len);
	cr_expect_eq(ether_get16(ra + 6), 0, "not a default router");
}

/* No rad.conf, or one for another interface: a solicitation is not
 * answered, and counted. */
Test(router6, rs_without_rad_not_answered)
{
	host_solicits();
	dptest_run_to(&dp, 110);
	cr_expect_eq(nout, 0);
	cr_expect_eq(counter(ROUTER_C_DROP_ND_UNHANDLED), 1);
}

/* ---- ndp -s / -d / -c --------------------------------------------------- */

/*
 * ndp -s: the gateway at a given address is used at once (no
 * solicitation), kept whatever its advertisements say, never aged, shown
 * permanent; ndp -d forgets it.
 */
Test(router6, ndp_static_entry)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x66 };
	uint8_t f[256];
	const char *t;
	uint32_t n;

	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:100::1 "
	    "02:00:00:00:00:77"), "");
	host_asks();
	forget();
	n = echo(f, em1_mac, HOST, GW, 64);
	send1("em1", f, n);
	cr_assert_eq(nout, 1, "forwarded without a solicitation");
	cr_expect_eq(memcmp(out[0].f, gw_mac, 6), 0);
	send1("em0", f, nd6_na_build(f, other, em0_mac, GW, E0, GW,
	    ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE));
	/* two days on at once: one tick sees every timer that ran out */
	dptest_at(&dp, 100 + 2 * 86400);
	dp_tick(&dp);
	t = dptest_ctl(&dp, "ndp -an");
	cr_expect(strstr(t, "2001:db8:100::1                      "
	    "02:00:00:00:00:77     em0 permanent R \n") != NULL, "%s", t);
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -d 2001:db8:100::1"),
	    "2001:db8:100::1 (2001:db8:100::1) deleted\n");
	cr_expect_null(strstr(dptest_ctl(&dp, "ndp -an"), "2001:db8:100::1 "));
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -d 2001:db8:100::1"),
	    "ndp: 2001:db8:100::1: no such neighbour\n");
}

/* ndp -s ... proxy: a solicitation for the address is answered with
 * the given link-layer address, from our link-local one, no override. */
Test(router6, ndp_proxy_answers)
{
	static const uint8_t pub[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct nd6_msg m;
	uint8_t f[128], target[16];
	struct rif *em1 = router_rif(rt, dp_port(&dp, "em1"));

	a6(target, "2001:db8:50::99");
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:50::99 "
	    "02:00:00:00:00:99 proxy"), "");
	forget();
	send1("em1", f, nd6_ns_build(f, host_mac, HOST, target, NULL, NULL));
	cr_assert_eq(nout, 1);
	cr_assert_eq(nd6_parse(out[0].f + 14, out[0].len - 14, &m), ND6_OK);
	cr_expect_eq(m.type, ND_NEIGHBOR_ADVERT);
	cr_expect_eq(memcmp(m.target, target, 16), 0);
	cr_expect(m.has_lla && memcmp(m.lla, pub, 6) == 0);
	cr_expect_eq(m.flags & ND_NA_FLAG_OVERRIDE, 0);
	cr_expect_eq(memcmp(out[0].f + 14 + 8, em1->ll6, 16), 0);
	cr_expect_eq(counter(ROUTER_C_ND_PROXY), 1);
	cr_expect(strstr(dptest_ctl(&dp, "ndp -an"), " permanent R p\n") !=
	    NULL, "%s", dptest_out);
}

/* ndp -c forgets what was learnt, not what ndp -s set; errors say why. */
Test(router6, ndp_flush_and_errors)
{
	host_asks();
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:100::7 "
	    "02:00:00:00:00:07 temp"), "");
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:100::8 "
	    "02:00:00:00:00:08"), "");
	cr_expect(strstr(dptest_ctl(&dp, "ndp -an"), "2001:db8:100::7 ") !=
	    NULL && strstr(dptest_out, "permanent") != NULL);
	dptest_ctl(&dp, "ndp -c");
	cr_expect(strstr(dptest_out, "2001:db8:50::10 (2001:db8:50::10) "
	    "deleted\n") != NULL, "%s", dptest_out);
	cr_expect(strstr(dptest_out, "2001:db8:100::7 ") != NULL, "temp goes");
	cr_expect_null(strstr(dptest_out, "2001:db8:100::8 "));
	cr_expect(strstr(dptest_ctl(&dp, "ndp -an"), "2001:db8:100::8 ") !=
	    NULL, "static stays");
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:999::1 "
	    "02:00:00:00:00:01"), "ndp: 2001:db8:999::1: no interface has a "
	    "prefix for it\n");
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:50::1 "
	    "02:00:00:00:00:01"), "ndp: 2001:db8:50::1: it is an address of "
	    "em1\n");
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:50::2 02:00"),
	    "ndp: invalid Ethernet address '02:00'\n");
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s fe80::1 02:00:00:00:00:01"),
	    "ndp: fe80::1: no interface has a prefix for it (a link-local "
	    "address needs %interface)\n");
	cr_expect_str_eq(dptest_ctl(&dp, "ndp -s fe80::1%em0 "
	    "02:00:00:00:00:01"), "");
}

/* ---- ifconfig IF inet6 at run time -------------------------------------- */

/* An address added makes its connected route; a second one on the same
 * prefix shares it; delete moves the route to the one left, then takes
 * it away; -inet6 turns IPv6 off on the interface. */
Test(router6, ifconfig_inet6_at_run_time)
{
	uint8_t f[256];
	const char *t;

	cr_expect_str_eq(dptest_ctl(&dp, "ifconfig em1 inet6 2001:db8:60::1/64"),
	    "");
	cr_expect_str_eq(dptest_ctl(&dp, "ifconfig em1 inet6 2001:db8:60::2 "
	    "prefixlen 64 alias"), "");
	t = dptest_ctl(&dp, "netstat -rn");
	cr_expect(strstr(t, "2001:db8:60::/64") != NULL, "%s", t);
	t = dptest_ctl(&dp, "ifconfig em1");
	cr_expect(strstr(t, "\tinet6 2001:db8:60::2 prefixlen 64\n") != NULL,
	    "%s", t);
	cr_expect_str_eq(dptest_ctl(&dp, "ifconfig em1 inet6 2001:db8:60::1 "
	    "delete"), "");
	cr_expect(strstr(dptest_ctl(&dp, "netstat -rn"), "2001:db8:60::/64") !=
	    NULL, "the other address still holds the prefix");
	cr_expect_str_eq(dptest_ctl(&dp, "ifconfig em1 inet6 2001:db8:60::2 "
	    "-alias"), "");
	cr_expect_null(strstr(dptest_ctl(&dp, "netstat -rn"), "2001:db8:60::/64"),
	    "%s", dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "ifconfig em1 inet6 2001:db8:60::2 "
	    "delete"), "ifconfig: em1: 2001:db8:60::2: no such address\n");
	cr_expect_str_eq(dptest_ctl(&dp, "ifconfig em1 inet6 fe80::5"),
	    "ifconfig: fe80::5: bad address (a global or unique local one)\n");

	cr_expect_str_eq(dptest_ctl(&dp, "ifconfig em1 -inet6"), "");
	cr_expect_null(strstr(dptest_ctl(&dp, "ifconfig em1"), "inet6"), "%s",
	    dptest_out);
	forget();
	send1("em1", f, echo(f, em1_mac, HOST, R1, 64));
	cr_expect_eq(nout, 0, "IPv6 is off on em1");
	cr_expect_eq(counter(ROUTER_C_DROP_NO_INET6), 1);
}

/* ---- inet6 autoconf (slaacd) ------------------------------------------- */

/* The wan router (fe80::77 on em0) advertises 2001:db8:100::/64. */
static void
gw_advertises(uint16_t lifetime, uint32_t valid, uint32_t pref)
{
	static const uint8_t allnodes[16] = { 0xff, 0x02, [15] = 1 };
	uint8_t f[160], pl[16 + 32] = { ND_ROUTER_ADVERT, 0, 0, 0, 64, 0 };
	uint8_t src[16];

	a6(src, "fe80::77");
	ether_put16(pl + 6, lifetime);
	pl[16] = ND_OPT_PREFIX_INFO;
	pl[17] = 4;
	pl[18] = 64;
	pl[19] = 0xc0;
	ip_put32(pl + 20, valid);
	ip_put32(pl + 24, pref);
	a6(pl + 32, "2001:db8:100::");
	send1("em0", f, frame6(f, (const uint8_t *)"\x33\x33\x00\x00\x00\x01",
	    gw_mac, src, allnodes, 58, 255, pl, sizeof(pl)));
}

/*
 * inet6 autoconf on em0: three solicitations 4 s apart; the
 * advertisement gives em0 the prefix with its EUI-64 identifier and a
 * default route through the router; lifetimes as RFC 4862 5.5.3 says;
 * the address goes when its valid lifetime runs out, the route when the
 * router says lifetime 0.
 */
Test(router6, slaac_address_and_default_router)
{
	const char *t;

	put("hostname.em0", "lladdr 02:00:00:00:0e:00\ninet6 autoconf\nup\n");
	put("mygate", "");
	rebuild();
	dptest_run_to(&dp, 101);
	cr_assert_eq(nout, 1, "a solicitation at once");
	cr_expect_eq(out[0].f[14 + 40], ND_ROUTER_SOLICIT);
	cr_expect_eq(memcmp(out[0].f, "\x33\x33\x00\x00\x00\x02", 6), 0);
	dptest_run_to(&dp, 120);
	cr_expect_eq(counter(ROUTER_C_RS_SENT), 3, "three, then quiet");

	gw_advertises(1800, 600, 300);
	cr_expect_eq(counter(ROUTER_C_SLAAC_ADDED), 1);
	t = dptest_ctl(&dp, "ifconfig em0");
	cr_expect(strstr(t, "\tinet6 2001:db8:100::ff:fe00:e00 prefixlen 64 "
	    "autoconf pltime 300 vltime 600\n") != NULL, "%s", t);
	t = dptest_ctl(&dp, "netstat -rn");
	cr_expect(strstr(t, "default") != NULL && strstr(t, "fe80::77%em0") !=
	    NULL, "%s", t);

	/* a shorter valid lifetime under two hours left is ignored */
	gw_advertises(1800, 10, 5);
	dptest_run_to(&dp, 120 + 100);
	cr_expect(strstr(dptest_ctl(&dp, "ifconfig em0"), "2001:db8:100::ff:"
	    "fe00:e00") != NULL, "still there after 100 s");
	dptest_run_to(&dp, 120 + 601);
	cr_expect_null(strstr(dptest_ctl(&dp, "ifconfig em0"),
	    "2001:db8:100::"), "%s", dptest_out);
	cr_expect_eq(counter(ROUTER_C_SLAAC_EXPIRED), 1);

	gw_advertises(0, 600, 300);
	cr_expect_null(strstr(dptest_ctl(&dp, "netstat -rn"), "fe80::77"),
	    "router lifetime 0: no default route:\n%s", dptest_out);
}

/* ---- duplicate address detection ---------------------------------------- */

/*
 * At the first tick each new address is probed (NS from ::); an address
 * another node advertises meanwhile is duplicated: no longer answered
 * for, shown so by ifconfig.  One that heard nothing for a second stays.
 */
Test(router6, dad_probes_and_duplicates)
{
	static const uint8_t unspec[16];
	uint8_t f[128];
	struct nd6_msg m;
	const char *t;
	int i, probes = 0;

	skip_dad = 0;
	rebuild();
	skip_dad = 0;
	dptest_run_to(&dp, 101);
	for (i = 0; i < nout; i++) {
		cr_assert_eq(nd6_parse(out[i].f + 14, out[i].len - 14, &m),
		    ND6_OK);
		if (m.type == ND_NEIGHBOR_SOLICIT &&
		    memcmp(m.src, unspec, 16) == 0)
			probes++;
		cr_expect(!m.has_lla, "no link-layer option from ::");
	}
	cr_expect_eq(probes, 4, "em0 and em1: link-local and global");
	cr_expect_eq(counter(ROUTER_C_DAD_PROBES), 4);

	/* the host says 2001:db8:50::1 is its own: em1 gives it up */
	send1("em1", f, nd6_na_build(f, host_mac, em1_mac, R1, R1, R1,
	    ND_NA_FLAG_OVERRIDE));
	cr_expect_eq(counter(ROUTER_C_DAD_DUPLICATES), 1);
	t = dptest_ctl(&dp, "ifconfig em1");
	cr_expect(strstr(t, "\tinet6 2001:db8:50::1 prefixlen 64 duplicated\n")
	    != NULL, "%s", t);
	forget();
	host_asks();
	cr_expect_eq(nout, 0, "a duplicated address is not answered for");

	/* em0's probes heard nothing: after a second, an NA is a conflict
	 * to defend against, not a reason to give the address up */
	dptest_run_to(&dp, 103);
	send1("em0", f, nd6_na_build(f, gw_mac, em0_mac, E0, E0, E0,
	    ND_NA_FLAG_OVERRIDE));
	cr_expect_eq(counter(ROUTER_C_DAD_DUPLICATES), 1);
	cr_expect_null(strstr(dptest_ctl(&dp, "ifconfig em0"), "duplicated"));
}

/* The redirect among the frames sent, or NULL. */
static const uint8_t *
sent_redirect(void)
{
	int i;

	for (i = 0; i < nout && i < RTSENT_MAX; i++)
		if (out[i].len > 14 + 40 && out[i].f[14 + 6] == 58 &&
		    out[i].f[14 + 40] == ND_REDIRECT)
			return out[i].f;
	return NULL;
}

/*
 * ip6_forward()'s redirect: the host sends to 2001:db8:7::1, routed via
 * fe80::77 on em1, the link it came from; the packet is forwarded and
 * the host told to use fe80::77 (from em1's link-local address, hop
 * limit 255, with the router's MAC once known and the packet as it came
 * in).  Not with net.inet6.ip6.redirect=0, nor by a global gateway.
 */
Test(router6, redirect_to_a_router_on_the_link)
{
	static const uint8_t rtr_mac[6] = { 0x02, 0, 0, 0, 0, 0x78 };
	uint8_t f[256], rtr[16], d7[16], ll[16];
	const uint8_t *r, *ip, *icmp;
	uint32_t n, plen;

	a6(rtr, "fe80::77");
	a6(d7, "2001:db8:7::1");
	in6_linklocal(ll, em1_mac);
	host_asks();
	cr_assert_eq(dptest_ctl_rc(&dp, "route add -inet6 2001:db8:7::/48 "
	    "fe80::77%em1"), 0, "%s", dptest_out);
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, d7, 64));
	cr_assert_not_null(r = sent_redirect(), "%d frames, no redirect",
	    nout);
	ip = r + 14;
	icmp = ip + 40;
	plen = ether_get16(ip + 4);
	cr_expect_eq(memcmp(r, host_mac, 6), 0, "to the host's MAC");
	cr_expect_eq(ip[7], 255);
	cr_expect_eq(memcmp(ip + 8, ll, 16), 0, "from em1's link-local");
	cr_expect_eq(memcmp(ip + 24, HOST, 16), 0);
	cr_expect_eq(icmp6_csum(ip, 40 + plen), 0, "checksum");
	cr_expect_eq(memcmp(icmp + 8, rtr, 16), 0, "target: the router");
	cr_expect_eq(memcmp(icmp + 24, d7, 16), 0, "destination");
	cr_expect_eq(icmp[40], ND_OPT_REDIRECTED_HEADER, "no MAC known yet");
	cr_expect_eq(icmp[48 + 7], 64, "quoted as it came: hop limit 64");
	cr_expect_eq(counter(ROUTER_C_REDIRECTS6), 1);
	cr_expect_eq(counter(ROUTER_C_FORWARDED6), 1);
	/* the router answers; the next redirect names its MAC */
	send1("em1", f, nd6_na_build(f, rtr_mac, em1_mac, rtr, ll, rtr,
	    ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE | ND_NA_FLAG_ROUTER));
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, d7, 64));
	cr_assert_not_null(r = sent_redirect());
	icmp = r + 14 + 40;
	cr_expect_eq(icmp[40], ND_OPT_TARGET_LINKADDR);
	cr_expect_eq(memcmp(icmp + 42, rtr_mac, 6), 0);
	cr_expect_eq(icmp[48], ND_OPT_REDIRECTED_HEADER);
	cr_expect_eq(counter(ROUTER_C_REDIRECTS6), 2);
	/* off */
	cr_assert_eq(dptest_ctl_rc(&dp, "sysctl net.inet6.ip6.redirect=0"), 0);
	nout = 0;
	send1("em1", f, echo(f, em1_mac, HOST, d7, 64));
	cr_expect_null(sent_redirect());
	cr_expect_eq(counter(ROUTER_C_FORWARDED6), 3);
	/* on again, but the route's gateway is global: no redirect */
	cr_assert_eq(dptest_ctl_rc(&dp, "sysctl net.inet6.ip6.redirect=1"), 0);
	cr_assert_eq(dptest_ctl_rc(&dp, "route delete -inet6 2001:db8:7::/48"),
	    0);
	cr_assert_eq(dptest_ctl_rc(&dp, "route add -inet6 2001:db8:7::/48 "
	    "2001:db8:50::77"), 0, "%s", dptest_out);
	nout = 0;
	n = echo(f, em1_mac, HOST, d7, 64);
	send1("em1", f, n);
	cr_expect_null(sent_redirect());
	cr_expect_eq(counter(ROUTER_C_REDIRECTS6), 2);
}

/* The source address of the IPv6 frame out[i]. */
static const uint8_t *
out_src6(int i)
{
	return out[i].f + 14 + 8;
}

/*
 * NAT66 pools of more than one address (pf_map_addr()): a list walked
 * round-robin, a network by bitmask (the source's host bits), by
 * source-hash (one address a source) and as written without a type.
 */
Test(router6, nat66_pools)
{
	uint8_t f[256], pl[16], a[16], b[16];
	char cmd[128];
	int i;

	put("pf.conf", "match out on em0 inet6 proto udp to port 9 nat-to "
	    "{ 2001:db8:100::7, 2001:db8:100::8 } round-robin\n"
	    "match out on em0 inet6 proto udp to port 10 nat-to "
	    "2001:db8:77::/64 bitmask\n"
	    "match out on em0 inet6 proto udp to port 11 nat-to "
	    "2001:db8:77::/64 source-hash\n"
	    "match out on em0 inet6 proto udp to port 12 nat-to "
	    "2001:db8:77::/64\npass\n"
	    "pass in on em1 inet6 proto udp to port 20 route-to "
	    "{ 2001:db8:100::1, 2001:db8:100::9 } round-robin\n");
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf.conf", etc);
	cr_assert_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	cr_expect_str_eq(dptest_out, "", "no warning");
	host_asks();
	send1("em1", f, echo(f, em1_mac, HOST, GW, 64));	/* GW asked */
	send1("em0", f, nd6_na_build(f, gw_mac, em0_mac, GW, E0, GW,
	    ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE));
	memset(pl, 0, sizeof(pl));
	ether_put16(pl + 4, 16);
	nout = 0;
	for (i = 0; i < 8; i++) {
		ether_put16(pl, (uint16_t)(4000 + i));
		ether_put16(pl + 2, (uint16_t)(9 + i / 2));
		send1("em1", f, frame6(f, em1_mac, host_mac, HOST, GW, 17, 64,
		    pl, 16));
	}
	cr_assert_eq(nout, 8, "%d sent", nout);
	a6(a, "2001:db8:100::7");
	a6(b, "2001:db8:100::8");
	cr_expect_eq(memcmp(out_src6(0), a, 16), 0, "round-robin: first");
	cr_expect_eq(memcmp(out_src6(1), b, 16), 0, "round-robin: second");
	a6(a, "2001:db8:77::10");	/* HOST is 2001:db8:50::10 */
	cr_expect_eq(memcmp(out_src6(2), a, 16), 0, "bitmask");
	cr_expect_eq(memcmp(out_src6(3), a, 16), 0, "bitmask");
	cr_expect_eq(memcmp(out_src6(4), out_src6(5), 16), 0,
	    "source-hash: one address a source");
	cr_expect_eq(memcmp(out_src6(4), "\x20\x01\x0d\xb8\x00\x77\0\0", 8),
	    0, "source-hash: in the prefix");
	a6(a, "2001:db8:77::");
	cr_expect_eq(memcmp(out_src6(6), a, 16), 0, "no type: as written");
	cr_expect(strstr(dptest_ctl(&dp, "explain out on em0 proto udp from "
	    "2001:db8:50::10 port 5000 to 2001:db8:100::1 port 10"),
	    "nat-to would give 2001:db8:77::10 (2001:db8:77::/64: bitmask)")
	    != NULL, "%s", dptest_out);
	/* an IPv6 route-to list is followed, round-robin */
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em1 proto udp from "
	    "2001:db8:50::10 port 5000 to 2001:db8:9::1 port 20"),
	    "2001:db8:100::1, out of em0") != NULL, "%s", dptest_out);
	ether_put16(pl, 4100);
	ether_put16(pl + 2, 20);
	nout = 0;
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, FAR, 17, 64, pl,
	    16));
	ether_put16(pl, 4101);
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, FAR, 17, 64, pl,
	    16));
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"), "route-to-skipped"), 0);
	cr_assert_eq(nout, 2, "to ::1, then an NS for ::9: %d", nout);
	cr_expect_eq(memcmp(out[0].f, gw_mac, 6), 0, "the first by ::1");
	a6(a, "2001:db8:100::9");
	cr_expect_eq(out[1].f[14 + 40], ND_NEIGHBOR_SOLICIT);
	cr_expect_eq(memcmp(out[1].f + 14 + 40 + 8, a, 16), 0,
	    "the second by ::9, asked for");
}

/*
 * The pool tests' start: RULES loaded, the gateway's MAC given, the host
 * known; pl a UDP header of length 16 to port DPORT.
 */
static void
pool_start(const char *rules, uint8_t *pl, uint16_t dport)
{
	char cmd[128];

	put("pf.conf", rules);
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf.conf", etc);
	cr_assert_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	cr_expect_str_eq(dptest_out, "", "no warning");
	cr_assert_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:100::1 "
	    "02:00:00:00:00:77"), "");
	host_asks();
	memset(pl, 0, 16);
	ether_put16(pl + 2, dport);
	ether_put16(pl + 4, 16);
	forget();
}

/*
 * sticky-address on an IPv6 pool: the source node keeps the address the
 * pool gave a source first, so a round-robin list gives it that one
 * again for its next flows (pf_map_addr_sticky()); pfctl -sS shows it.
 * Another source walks on from where the list stands.
 */
Test(router6, nat66_sticky_address)
{
	uint8_t f[256], pl[16], a[16], host2[16];
	const char *t;
	int i;

	pool_start("match out on em0 inet6 proto udp nat-to "
	    "{ 2001:db8:100::7, 2001:db8:100::8 } round-robin sticky-address\n"
	    "pass\n", pl, 9);
	for (i = 0; i < 3; i++) {
		ether_put16(pl, (uint16_t)(5000 + i));
		send1("em1", f, frame6(f, em1_mac, host_mac, HOST, GW, 17, 64,
		    pl, 16));
	}
	a6(host2, "2001:db8:50::11");
	ether_put16(pl, 6000);
	send1("em1", f, frame6(f, em1_mac, host_mac, host2, GW, 17, 64, pl,
	    16));
	cr_assert_eq(nout, 4, "%d sent", nout);
	a6(a, "2001:db8:100::7");
	for (i = 0; i < 3; i++)
		cr_expect_eq(memcmp(out_src6(i), a, 16), 0,
		    "flow %d: the node's address", i);
	a6(a, "2001:db8:100::8");
	cr_expect_eq(memcmp(out_src6(3), a, 16), 0, "another source: the next");
	t = dptest_ctl(&dp, "pfctl -sS");
	cr_expect(strstr(t, "2001:db8:50::10 nat-to 2001:db8:100::7 ") != NULL,
	    "%s", t);
	cr_expect(strstr(t, "2001:db8:50::11 nat-to 2001:db8:100::8 ") != NULL,
	    "%s", t);
	cr_expect(strstr(dptest_ctl(&dp, "explain out on em0 proto udp from "
	    "2001:db8:50::10 port 5009 to 2001:db8:100::1 port 9"),
	    "sticky-address: source node says 2001:db8:100::7") != NULL, "%s",
	    dptest_out);
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"), "pool-sticky"),
	    2, "the second and third flows");
}

/*
 * least-states on an IPv6 pool: each address's states are counted, made
 * and gone, and a new state gets the address of the fewest from where
 * the last one stopped (pf_map_addr()): ::7 and ::8 one state each, the
 * state on ::8 killed, the next goes to ::8 where round-robin would have
 * given ::7.
 */
Test(router6, nat66_least_states)
{
	uint8_t f[256], pl[16], a[16], host2[16];

	pool_start("match out on em0 inet6 proto udp nat-to "
	    "{ 2001:db8:100::7, 2001:db8:100::8 } least-states\npass\n", pl, 9);
	a6(host2, "2001:db8:50::11");
	ether_put16(pl, 5000);
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, GW, 17, 64, pl, 16));
	ether_put16(pl, 5001);
	send1("em1", f, frame6(f, em1_mac, host_mac, host2, GW, 17, 64, pl,
	    16));
	cr_assert_eq(nout, 2, "%d sent", nout);
	a6(a, "2001:db8:100::7");
	cr_expect_eq(memcmp(out_src6(0), a, 16), 0, "the first: ::7");
	a6(a, "2001:db8:100::8");
	cr_expect_eq(memcmp(out_src6(1), a, 16), 0, "then the idle ::8");
	/* its states in on em1 and out on em0 */
	cr_assert_str_eq(dptest_ctl(&dp, "pfctl -k 2001:db8:50::11"),
	    "killed 2 states from 1 sources and 0 destinations\n");
	cr_expect(strstr(dptest_ctl(&dp, "explain out on em0 proto udp from "
	    "2001:db8:50::10 port 5009 to 2001:db8:100::1 port 9"),
	    "nat-to would give 2001:db8:100::8 (<__automatic_0>: "
	    "least-states (0 states))") != NULL, "%s",
	    dptest_out);
	forget();
	ether_put16(pl, 5002);
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, GW, 17, 64, pl, 16));
	cr_assert_eq(nout, 1);
	cr_expect_eq(memcmp(out_src6(0), a, 16), 0,
	    "::7 holds a state, ::8 none: ::8");
}

/*
 * pf_route() again: what a route-to of pf in sends out em0 meets pf out
 * there, and that test's own route-to (an out rule's) takes it on, to a
 * next hop on em1, with no pf test more (pf_route() from a test going
 * out runs none).  Here the next hop is asked for first.
 */
Test(router6, route_to_followed_twice)
{
	uint8_t f[256], pl[16], a[16];

	pool_start("pass\n"
	    "pass in on em1 inet6 proto udp to port 30 route-to "
	    "2001:db8:100::1\n"
	    "pass out on em0 inet6 proto udp to port 30 route-to "
	    "2001:db8:50::77\n", pl, 30);
	ether_put16(pl, 4000);
	dptest_ctl(&dp, "trace on 5");
	send1("em1", f, frame6(f, em1_mac, host_mac, HOST, FAR, 17, 64, pl,
	    16));
	cr_assert_eq(nout, 1, "%d: %s", nout, dptest_ctl(&dp, "trace show"));
	a6(a, "2001:db8:50::77");
	cr_expect_eq(out[0].f[14 + 40], ND_NEIGHBOR_SOLICIT,
	    "the second next hop asked for, on em1: %s",
	    dptest_ctl(&dp, "trace show"));
	cr_expect_eq(memcmp(out[0].f + 14 + 40 + 8, a, 16), 0);
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"), "route-to"), 2,
	    "both routes set");
}

/*
 * A table pool of IPv6 hosts and networks (pfr_pool_get()): round-robin
 * gives the host, then the network's addresses one by one, then the
 * host again; sticky-address holds a source within a network entry too.
 */
Test(router6, nat66_table_with_a_network)
{
	static const char *const want[] = { "2001:db8:100::7",
	    "2001:db8:77::", "2001:db8:77::1", "2001:db8:77::2",
	    "2001:db8:77::3", "2001:db8:100::7" };
	uint8_t f[256], pl[16], a[16];
	int i;

	pool_start("table <n6> { 2001:db8:100::7, 2001:db8:77::/126 }\n"
	    "match out on em0 inet6 proto udp nat-to <n6> round-robin\n"
	    "pass\n", pl, 9);
	for (i = 0; i < 6; i++) {
		ether_put16(pl, (uint16_t)(7000 + i));
		send1("em1", f, frame6(f, em1_mac, host_mac, HOST, GW, 17, 64,
		    pl, 16));
	}
	cr_assert_eq(nout, 6, "%d sent", nout);
	for (i = 0; i < 6; i++) {
		a6(a, want[i]);
		cr_expect_eq(memcmp(out_src6(i), a, 16), 0, "flow %d: %s", i,
		    want[i]);
	}
	cr_expect(strstr(dptest_ctl(&dp, "explain out on em0 proto udp from "
	    "2001:db8:50::10 port 7009 to 2001:db8:100::1 port 9"),
	    "nat-to would give 2001:db8:77:: (<n6>: entry 2 of 2, a network)")
	    != NULL, "%s", dptest_out);
}
