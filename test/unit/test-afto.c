/*
 * af-to (pf's NAT64 and NAT46) through a dataplane built from a
 * configuration directory: em1 (2001:db8:50::1/64) faces an IPv6-only
 * host, em0 (198.51.100.2/24) an IPv4 server.  The packets that leave
 * are checked header by header (addresses, ports, checksums, hop
 * limits), the replies found by the state's other key and translated
 * back, and what af-to refuses dropped with its counter.
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
static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };	/* em0 */

static char etc[] = "/tmp/sluice-test-afto-XXXXXX";
static struct conf *conf;
static struct dp dp;
static uint8_t HOST[16], SRV64[16];
static const uint8_t SRV[4] = { 198, 51, 100, 7 };
static const uint8_t E0[4] = { 198, 51, 100, 2 };

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
load(const char *rules)
{
	char cmd[128];

	put("pf.conf", rules);
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf.conf", etc);
	cr_assert_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
}

static void
setup(void)
{
	static const char *const names[2] = { "em0", "em1" };

	cr_assert_not_null(mkdtemp(etc));
	put("hostname.em0", "lladdr 02:00:00:00:0e:00\n"
	    "inet 198.51.100.2 255.255.255.0\nmtu 1400\nup\n");
	put("hostname.em1", "lladdr 02:00:00:00:0e:01\n"
	    "inet6 2001:db8:50::1/64\nup\n");
	put("sysctl.conf", "net.inet.ip.forwarding=1\n"
	    "net.inet6.ip6.forwarding=1\n");
	dptest_build(&dp, &conf, etc, names, 2, NULL);
	dptest_at(&dp, 100);
	dp.router.sent = seen;
	skip_dad = 1;
	forget();
	a6(HOST, "2001:db8:50::10");
	a6(SRV64, "64:ff9b::c633:6407");	/* 198.51.100.7 */
	cr_assert_str_eq(dptest_ctl(&dp, "arp -s 198.51.100.7 "
	    "02:00:00:00:00:77"), "");
	cr_assert_str_eq(dptest_ctl(&dp, "ndp -s 2001:db8:50::10 "
	    "02:00:00:00:00:0a"), "");
	/* nothing passes out: pf does not see what af-to made again */
	load("block\n"
	    "pass in on em1 inet6 from any to 64:ff9b::/96 "
	    "af-to inet from 198.51.100.2\n");
}

static void
teardown(void)
{
	dptest_destroy(&dp, conf);
	etc_remove(etc);
}

TestSuite(afto, .init = setup, .fini = teardown);

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

/* The transport checksum of the IP packet at ip, as a receiver sums it:
 * 0 when it is right. */
static uint16_t
l4_sum(const uint8_t *ip)
{
	int v6 = ip[0] >> 4 == 6;
	uint32_t hl = v6 ? 40 : (ip[0] & 0x0fu) * 4;
	uint32_t len = v6 ? ether_get16(ip + 4) : ether_get16(ip + 2) - hl;
	uint8_t proto = v6 ? ip[6] : ip[9];
	uint32_t s = 0;

	if (v6 || proto != 1)
		s = csum_partial(ip + (v6 ? 8 : 12), v6 ? 32 : 8, 0) + len +
		    proto;
	return (uint16_t)~csum_fold(csum_partial(ip + hl, len, s));
}

/* A TCP segment or UDP datagram with its checksum, IPv6 or IPv4. */
static uint32_t
l4frame(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, int v6,
    const uint8_t *src, const uint8_t *dst, uint8_t proto, uint16_t sport,
    uint16_t dport, uint8_t ttl, uint32_t paylen)
{
	uint8_t *ip = f + 14, *l4;
	uint32_t hl = v6 ? 40 : 20, l4len = (proto == 6 ? 20 : 8) + paylen;

	memset(f, 0, 14 + hl + l4len);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	ether_put16(f + 12, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	if (v6) {
		ip[0] = 0x60;
		ether_put16(ip + 4, (uint16_t)l4len);
		ip[6] = proto;
		ip[7] = ttl;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	} else {
		ip[0] = 0x45;
		ether_put16(ip + 2, (uint16_t)(20 + l4len));
		ip[8] = ttl;
		ip[9] = proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		csum_ip_header(ip, 20);
	}
	l4 = ip + hl;
	ether_put16(l4, sport);
	ether_put16(l4 + 2, dport);
	if (proto == 6) {
		ip_put32(l4 + 4, 1000);
		l4[12] = 5 << 4;
		l4[13] = 0x02;			/* SYN */
		ether_put16(l4 + 14, 65535);
	} else
		ether_put16(l4 + 4, (uint16_t)l4len);
	memset(l4 + (proto == 6 ? 20 : 8), 'x', paylen);
	ether_put16(l4 + (proto == 6 ? 16 : 6), l4_sum(ip));
	return 14 + hl + l4len;
}

/* NAT64: a SYN from the IPv6 host leaves em0 as IPv4, from em0's address
 * and a new port, to the address embedded in 64:ff9b::/96. */
Test(afto, tcp_six_to_four_and_back)
{
	uint8_t f[256];
	const uint8_t *ip;
	uint16_t nport;
	const char *t;

	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 6, 40000,
	    80, 64, 0));
	cr_assert_eq(nout, 1, "%d sent", nout);
	cr_expect_eq(memcmp(out[0].f, srv_mac, 6), 0, "to the server's MAC");
	cr_expect_eq(ether_get16(out[0].f + 12), ETHERTYPE_IP);
	ip = out[0].f + 14;
	cr_expect_eq(ip[0], 0x45);
	cr_expect_eq(memcmp(ip + 12, E0, 4), 0, "from em0's address");
	cr_expect_eq(memcmp(ip + 16, SRV, 4), 0, "to the embedded address");
	cr_expect_eq(ip[8], 63, "ttl: the hop limit less one");
	cr_expect_eq(ip[9], 6);
	cr_expect(ether_get16(ip + 6) & IP_DF, "DF, as pf sets it");
	cr_expect_eq(csum_fold(csum_partial(ip, 20, 0)), 0xffff,
	    "header checksum");
	cr_expect_eq(ether_get16(ip + 2), 40);
	cr_expect_eq(l4_sum(ip), 0, "TCP checksum across the families");
	nport = ether_get16(ip + 20);
	cr_expect(nport >= 50001, "a nat port: %u", nport);
	cr_expect_eq(ether_get16(ip + 22), 80);
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"), "af-to"), 1);

	/* pfctl -ss: both keys, the other way round, " -> " */
	t = dptest_ctl(&dp, "pfctl -ss");
	cr_expect(strstr(t, "all tcp 198.51.100.2:") != NULL, "%s", t);
	cr_expect(strstr(t, " (2001:db8:50::10[40000]) -> "
	    "198.51.100.7:80 (64:ff9b::c633:6407[80])") != NULL, "%s", t);

	/* The SYN|ACK comes in on em0 and goes to the host as IPv6. */
	forget();
	{
		uint32_t n = l4frame(f, em0_mac, srv_mac, 0, SRV, E0, 6, 80,
		    nport, 64, 0);
		uint8_t *th = f + 14 + 20;

		th[13] = 0x12;			/* SYN|ACK */
		ip_put32(th + 8, 1001);
		ether_put16(th + 16, 0);
		ether_put16(th + 16, l4_sum(f + 14));
		dptest_ctl(&dp, "trace on 10");
		send1("em0", f, n);
	}
	cr_assert_eq(nout, 1, "%d sent: %s", nout, dptest_ctl(&dp,
	    "trace show"));
	cr_expect_eq(memcmp(out[0].f, host_mac, 6), 0);
	cr_expect_eq(ether_get16(out[0].f + 12), ETHERTYPE_IPV6);
	ip = out[0].f + 14;
	cr_expect_eq(memcmp(ip + 8, SRV64, 16), 0, "from the NAT64 address");
	cr_expect_eq(memcmp(ip + 24, HOST, 16), 0, "to the host");
	cr_expect_eq(ip[7], 63);
	cr_expect_eq(ether_get16(ip + 40), 80);
	cr_expect_eq(ether_get16(ip + 42), 40000, "the host's port again");
	cr_expect_eq(l4_sum(ip), 0, "TCP checksum back");
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"), "af-to"), 2);
	t = dptest_ctl(&dp, "pfctl -ss");
	cr_expect(strstr(t, "SYN_SENT:ESTABLISHED") != NULL ||
	    strstr(t, "ESTABLISHED:SYN_SENT") != NULL ||
	    strstr(t, "SYN_SENT:SYN_SENT") != NULL, "the reply tracked: %s", t);
}

/* ping6 to the NAT64 address: an ICMP echo on the IPv4 side, its reply
 * an ICMPv6 echo reply; UDP too. */
Test(afto, echo_and_udp)
{
	uint8_t f[256], pl[8 + 16] = { 128, 0, 0, 0, 0x12, 0x34, 0, 1 };
	const uint8_t *ip;
	uint16_t id;
	uint32_t n;

	memset(pl + 8, 'p', 16);
	n = 14 + 40 + sizeof(pl);
	memcpy(f, em1_mac, 6);
	memcpy(f + 6, host_mac, 6);
	ether_put16(f + 12, ETHERTYPE_IPV6);
	memset(f + 14, 0, 40);
	f[14] = 0x60;
	ether_put16(f + 18, sizeof(pl));
	f[20] = 58;
	f[21] = 64;
	memcpy(f + 22, HOST, 16);
	memcpy(f + 38, SRV64, 16);
	memcpy(f + 54, pl, sizeof(pl));
	ether_put16(f + 56, icmp6_csum(f + 14, 40 + sizeof(pl)));
	send1("em1", f, n);
	cr_assert_eq(nout, 1, "%d sent", nout);
	ip = out[0].f + 14;
	cr_expect_eq(ip[9], 1, "ICMP");
	cr_expect_eq(ip[20], 8, "echo request");
	cr_expect_eq(l4_sum(ip), 0, "ICMP checksum, no pseudo-header");
	id = ether_get16(ip + 24);
	/* the reply */
	forget();
	memcpy(f, out[0].f, out[0].len);
	n = out[0].len;
	memcpy(f, em0_mac, 6);
	memcpy(f + 6, srv_mac, 6);
	memcpy(f + 14 + 12, SRV, 4);
	memcpy(f + 14 + 16, E0, 4);
	f[14 + 8] = 64;
	csum_ip_header(f + 14, 20);
	f[34] = 0;				/* echo reply */
	ether_put16(f + 36, 0);
	ether_put16(f + 36, l4_sum(f + 14));
	send1("em0", f, n);
	cr_assert_eq(nout, 1, "%d sent", nout);
	ip = out[0].f + 14;
	cr_expect_eq(ip[6], 58);
	cr_expect_eq(ip[40], 129, "echo reply");
	cr_expect_eq(ether_get16(ip + 44), 0x1234, "the host's id again");
	cr_expect_eq(icmp6_csum(ip, 40 + ether_get16(ip + 4)), 0,
	    "ICMPv6 checksum with its pseudo-header");
	cr_expect_eq(id != 0, 1);

	forget();
	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17, 5353,
	    53, 64, 11));
	cr_assert_eq(nout, 1);
	cr_expect_eq(out[0].f[14 + 9], 17);
	cr_expect_eq(l4_sum(out[0].f + 14), 0, "UDP checksum");
	cr_expect_eq(ether_get16(out[0].f + 14 + 2), 20 + 8 + 11);
}

/* What af-to cannot translate is dropped and counted; what it made is
 * forwarded only with the new family's forwarding on. */
Test(afto, refused_and_forwarding)
{
	uint8_t f[256];
	uint32_t n;

	/* the hop limit runs out: time exceeded, as forwarding would */
	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17, 1,
	    53, 1, 0));
	cr_assert_eq(nout, 1);
	cr_expect_eq(out[0].f[14 + 6], 58);
	cr_expect_eq(out[0].f[14 + 40], 3, "ICMPv6 time exceeded");
	cr_expect_eq(memcmp(out[0].f + 14 + 24, HOST, 16), 0);
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"),
	    "af-to-dropped"), 1);
	forget();
	/* an ICMPv6 that is not an echo */
	n = l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17, 1, 53, 64, 0);
	f[14 + 6] = 58;
	f[14 + 40] = 2;				/* packet too big */
	send1("em1", f, n);
	cr_expect_eq(nout, 0);
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"),
	    "af-to-dropped"), 2);
	/* IPv4 forwarding off: translated, not forwarded (ip_forward()) */
	cr_assert_str_eq(dptest_ctl(&dp, "sysctl net.inet.ip.forwarding=0"),
	    "net.inet.ip.forwarding: 1 -> 0\n");
	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17,
	    2000, 9, 64, 0));
	cr_expect_eq(nout, 0, "not forwarded");
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"), "af-to"), 1,
	    "translated, then dropped");
	cr_expect_eq(dptest_counter(dptest_out, "drop-forwarding-off"), 1);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vsr"), "af-to inet from "
	    "198.51.100.2") != NULL, "%s", dptest_out);
}

/* NAT46: an IPv4 client reaches an IPv6 server through `to'. */
Test(afto, four_to_six)
{
	uint8_t f[256], cl[4] = { 198, 51, 100, 9 }, src6[16];
	const uint8_t *ip;

	cr_assert_str_eq(dptest_ctl(&dp, "arp -s 198.51.100.9 "
	    "02:00:00:00:00:99"), "");
	load("pass\n"
	    "pass in on em0 inet proto tcp to 198.51.100.2 port 8080 "
	    "af-to inet6 from 2001:db8:50::1 to 2001:db8:50::10\n");
	send1("em0", f, l4frame(f, em0_mac, srv_mac, 0, cl, E0, 6, 33333,
	    8080, 64, 0));
	cr_assert_eq(nout, 1, "%d sent", nout);
	cr_expect_eq(memcmp(out[0].f, host_mac, 6), 0);
	ip = out[0].f + 14;
	cr_expect_eq(ip[0] >> 4, 6);
	a6(src6, "2001:db8:50::1");
	cr_expect_eq(memcmp(ip + 8, src6, 16), 0, "from the pool");
	cr_expect_eq(memcmp(ip + 24, HOST, 16), 0, "to the to address");
	cr_expect_eq(ether_get16(ip + 42), 8080);
	cr_expect_eq(l4_sum(ip), 0, "TCP checksum");
	cr_expect_eq(ether_get16(ip + 4), 20);
}

/* RFC 6052's prefix lengths, both ways. */
Test(afto, rfc6052_addresses)
{
	static const struct {
		const char *pfx;
		int plen;
		const char *with;
	} v[] = {
		{ "2001:db8::", 32, "2001:db8:c000:221::" },
		{ "2001:db8:100::", 40, "2001:db8:1c0:2:21::" },
		{ "2001:db8:122::", 48, "2001:db8:122:c000:2:2100::" },
		{ "2001:db8:122:300::", 56, "2001:db8:122:3c0:0:221::" },
		{ "2001:db8:122:344::", 64, "2001:db8:122:344:c0:2:2100:0" },
		{ "2001:db8:122:344::", 96, "2001:db8:122:344::192.0.2.33" },
	};
	const uint8_t a4[4] = { 192, 0, 2, 33 };
	uint8_t p6[16], w[16], got[16], b4[4];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		a6(p6, v[i].pfx);
		a6(w, v[i].with);
		dp_pf_nat64_embed(p6, v[i].plen, a4, got);
		cr_expect_eq(memcmp(got, w, 16), 0, "embed /%d", v[i].plen);
		dp_pf_nat64_extract(w, v[i].plen, b4);
		cr_expect_eq(memcmp(b4, a4, 4), 0, "extract /%d", v[i].plen);
	}
	a6(p6, "2001:db8::5");
	dp_pf_nat64_embed(p6, 128, a4, got);
	cr_expect_eq(memcmp(got, p6, 16), 0, "/128: the host itself");
}

/* ICMP errors about an af-to flow cross too: a router's needfrag on the
 * IPv4 side reaches the host as packet too big (the MTU 20 bytes more),
 * from the router's address embedded as the server's is, quoting the
 * host's own packet; the host's port unreachable reaches the server as
 * ICMP, quoting the server's own. */
Test(afto, icmp_errors_both_ways)
{
	uint8_t f[512], q[64], rtr6[16];
	const uint8_t rtr[4] = { 198, 51, 100, 1 };
	const uint8_t *ip;
	uint32_t n, qlen;
	uint16_t nport;

	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17, 5353,
	    53, 64, 100));
	cr_assert_eq(nout, 1);
	nport = ether_get16(out[0].f + 14 + 20);
	/* the router's needfrag quotes the IPv4 packet's head */
	qlen = 20 + 8;
	memcpy(q, out[0].f + 14, qlen);
	n = 14 + 20 + 8 + qlen;
	memcpy(f, em0_mac, 6);
	memcpy(f + 6, srv_mac, 6);
	ether_put16(f + 12, ETHERTYPE_IP);
	memset(f + 14, 0, 20 + 8);
	f[14] = 0x45;
	ether_put16(f + 16, (uint16_t)(20 + 8 + qlen));
	f[14 + 8] = 64;
	f[14 + 9] = 1;
	memcpy(f + 14 + 12, rtr, 4);
	memcpy(f + 14 + 16, E0, 4);
	csum_ip_header(f + 14, 20);
	f[34] = 3;
	f[35] = 4;
	ether_put16(f + 34 + 6, 1400);
	memcpy(f + 42, q, qlen);
	ether_put16(f + 36, (uint16_t)~csum_fold(csum_partial(f + 34, 8 + qlen,
	    0)));
	forget();
	dptest_ctl(&dp, "trace on 10");
	send1("em0", f, n);
	cr_assert_eq(nout, 1, "%d: %s", nout, dptest_ctl(&dp, "trace show"));
	ip = out[0].f + 14;
	cr_expect_eq(ip[0] >> 4, 6);
	cr_expect_eq(ip[6], 58);
	cr_expect_eq(ip[40], 2, "packet too big");
	cr_expect_eq(ip_get32(ip + 44), 1420, "the MTU plus 20");
	a6(rtr6, "64:ff9b::c633:6401");
	cr_expect_eq(memcmp(ip + 8, rtr6, 16), 0, "from the router, embedded");
	cr_expect_eq(memcmp(ip + 24, HOST, 16), 0);
	cr_expect_eq(icmp6_csum(ip, 40 + ether_get16(ip + 4)), 0);
	cr_expect_eq(ip[48] >> 4, 6, "an IPv6 quote");
	cr_expect_eq(memcmp(ip + 48 + 8, HOST, 16), 0, "the host's packet");
	cr_expect_eq(memcmp(ip + 48 + 24, SRV64, 16), 0);
	cr_expect_eq(ether_get16(ip + 88), 5353);
	cr_expect_eq(ether_get16(ip + 90), 53);

	/* the server answers; the host says port unreachable */
	forget();
	n = l4frame(f, em0_mac, srv_mac, 0, SRV, E0, 17, 53, nport, 64, 4);
	send1("em0", f, n);
	cr_assert_eq(nout, 1);
	qlen = 40 + 8;
	memcpy(q, out[0].f + 14, qlen);
	memcpy(f, em1_mac, 6);
	memcpy(f + 6, host_mac, 6);
	ether_put16(f + 12, ETHERTYPE_IPV6);
	memset(f + 14, 0, 48);
	f[14] = 0x60;
	ether_put16(f + 18, (uint16_t)(8 + qlen));
	f[20] = 58;
	f[21] = 64;
	memcpy(f + 22, HOST, 16);
	memcpy(f + 38, SRV64, 16);
	f[54] = 1;
	f[55] = 4;				/* port unreachable */
	memcpy(f + 62, q, qlen);
	ether_put16(f + 56, icmp6_csum(f + 14, 40 + 8 + qlen));
	forget();
	send1("em1", f, 14 + 40 + 8 + qlen);
	cr_assert_eq(nout, 1, "%d: %s", nout, dptest_ctl(&dp, "trace show"));
	ip = out[0].f + 14;
	cr_expect_eq(ip[9], 1);
	cr_expect_eq(ip[20], 3);
	cr_expect_eq(ip[21], 3, "port unreachable");
	cr_expect_eq(memcmp(ip + 12, E0, 4), 0, "from the host's address here");
	cr_expect_eq(memcmp(ip + 16, SRV, 4), 0, "to the server");
	cr_expect_eq(csum_fold(csum_partial(ip + 20, ether_get16(ip + 2) - 20,
	    0)), 0xffff, "ICMP checksum");
	cr_expect_eq(memcmp(ip + 28 + 12, SRV, 4), 0, "the server's packet");
	cr_expect_eq(memcmp(ip + 28 + 16, E0, 4), 0);
	cr_expect_eq(ether_get16(ip + 48), 53);
	cr_expect_eq(ether_get16(ip + 50), nport);
	cr_expect_eq(csum_fold(csum_partial(ip + 28, 20, 0)), 0xffff,
	    "quoted header checksum");
	cr_expect_eq(dptest_counter(dptest_ctl(&dp, "stats"),
	    "af-to-dropped"), 0);
}
/* explain says what af-to would make of a packet. */
Test(afto, explain)
{
	const char *t = dptest_ctl(&dp, "explain in on em1 proto tcp from "
	    "2001:db8:50::10 port 40000 to 64:ff9b::c633:6407 port 80");

	cr_expect(strstr(t, "af-to inet would give 198.51.100.2 ") != NULL,
	    "%s", t);
	cr_expect(strstr(t, " -> 198.51.100.7 80, forwarded as IPv4") != NULL,
	    "%s", t);
	cr_expect(strstr(t, "nat-to would give") == NULL, "%s", t);
}

/* A packet af-to made too big for em0 (1428 bytes, DF, mtu 1400) is
 * dropped, and the host gets a packet too big with the MTU 20 bytes more:
 * sluice's own needfrag, translated through the state. */
Test(afto, too_big_after_translation)
{
	uint8_t f[1600];
	const uint8_t *ip;

	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17, 5353,
	    53, 64, 1400));
	cr_assert_eq(nout, 1, "%d sent", nout);
	ip = out[0].f + 14;
	cr_expect_eq(memcmp(out[0].f, host_mac, 6), 0, "back to the host");
	cr_expect_eq(ip[6], 58);
	cr_expect_eq(ip[40], 2, "packet too big");
	cr_expect_eq(ip_get32(ip + 44), 1420, "em0's MTU plus 20");
	cr_expect_eq(memcmp(ip + 24, HOST, 16), 0);
	cr_expect_eq(icmp6_csum(ip, 40 + ether_get16(ip + 4)), 0);
	cr_expect_eq(memcmp(ip + 48 + 8, HOST, 16), 0, "quoting its packet");
	cr_expect_eq(ether_get16(ip + 48 + 4), 8 + 1400, "as it was");
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_CANTFRAG], 1);
}

/* set state-policy if-bound: an af-to state floats all the same, its
 * replies coming in on the other family's interface. */
Test(afto, if_bound_policy_floats)
{
	uint8_t f[256];
	uint16_t nport;

	load("set state-policy if-bound\nblock\n"
	    "pass in on em1 inet6 from any to 64:ff9b::/96 "
	    "af-to inet from 198.51.100.2\n");
	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17, 5353,
	    53, 64, 4));
	cr_assert_eq(nout, 1);
	nport = ether_get16(out[0].f + 14 + 20);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "all udp ") != NULL,
	    "floating: %s", dptest_out);
	forget();
	send1("em0", f, l4frame(f, em0_mac, srv_mac, 0, SRV, E0, 17, 53, nport,
	    64, 4));
	cr_expect_eq(nout, 1, "the reply found it");
}
/* explain on a packet an af-to state passes says what it becomes,
 * either way. */
Test(afto, explain_state)
{
	uint8_t f[256];
	uint16_t nport;
	char cmd[200], want[160];

	send1("em1", f, l4frame(f, em1_mac, host_mac, 1, HOST, SRV64, 17, 5353,
	    53, 64, 4));
	cr_assert_eq(nout, 1);
	nport = ether_get16(out[0].f + 14 + 20);
	snprintf(cmd, sizeof(cmd), "explain in on em0 proto udp from "
	    "198.51.100.7 port 53 to 198.51.100.2 port %u", nport);
	cr_expect(strstr(dptest_ctl(&dp, cmd), "af-to state: it becomes "
	    "64:ff9b::c633:6407 53 -> 2001:db8:50::10 5353, forwarded as IPv6")
	    != NULL, "%s", dptest_out);
	snprintf(want, sizeof(want), "af-to state: it becomes 198.51.100.2 %u "
	    "-> 198.51.100.7 53, forwarded as IPv4", nport);
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em1 proto udp from "
	    "2001:db8:50::10 port 5353 to 64:ff9b::c633:6407 port 53"), want)
	    != NULL, "%s", dptest_out);
}
