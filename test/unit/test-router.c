/*
 * The router's MTU checks on GSO frames.  A capture file cannot carry a
 * virtio-net header, so the pipeline tests (pcap in, pcap out) cannot
 * send a super-frame; these tests hand one to the dataplane directly, as
 * a tap or AF_PACKET port would, and read what came back to db01 from
 * tap0's output capture.  The setup is the handbook's section 3 (db01
 * behind vether0, em0 with an MTU of 1400 towards the wan).
 */
#include <linux/virtio_net.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <pcap/pcap.h>

#include "dataplane/dp.h"
#include "fwd/arp.h"
#include "fwd/csum.h"
#include "fwd/ip.h"
#include "test/unit/dptest.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

static char etc[] = "/tmp/sluice-test-router-XXXXXX";
static const uint8_t ve[6] = { 0xfe, 0xe1, 0xba, 0xd0, 0x00, 0x01 };
static const uint8_t e0[6] = { 0x02, 0x00, 0x00, 0x00, 0x0e, 0x00 };
static const uint8_t db[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xdb };
static const uint8_t gw[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };

static void
put(const char *name, const char *text)
{
	cr_assert_eq(etc_put(etc, name, text), 0, "cannot write %s", name);
}

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(etc));
	put("hostname.vether0", "lladdr fe:e1:ba:d0:00:01\n"
	    "inet 10.50.0.1 255.255.255.0\nup\n");
	put("hostname.bridge1", "add vether0\nup\n");
	put("hostname.em0", "lladdr 02:00:00:00:0e:00\n"
	    "inet 198.51.100.2 255.255.255.0\nmtu 1400\nup\n");
	put("mygate", "198.51.100.1\n");
	put("sysctl.conf", "net.inet.ip.forwarding=1\n");
	put("vm.conf", "switch \"isolated\" { interface bridge1 }\n"
	    "vm \"db01\" { interface { switch \"isolated\" } }\n");
}

static void
teardown(void)
{
	etc_remove(etc);
}

/* em0 and tap0; both write what they send. */
static void
build(struct dp *dp, struct conf **conf)
{
	static const char *const ports[] = { "em0", "tap0" };
	static const char *const out[] = { "tap0", "em0", NULL };

	dptest_build(dp, conf, etc, ports, 2, out);
}

static void
send1(struct dp *dp, const char *port, const uint8_t *f, uint32_t len,
    const struct pkt_offload *off)
{
	struct port *in = dp_port(dp, port);
	struct pkt *p;

	cr_assert_not_null(in);
	cr_assert_not_null(p = pkt_alloc(&dp->pool));
	memcpy(p->data, f, len);
	p->len = len;
	if (off != NULL)
		p->off = *off;
	dp_input(dp, in, &p, 1);
}

/* db01 learned on vether0 (its ARP for us), the gateway on em0. */
static void
neighbours(struct dp *dp)
{
	uint8_t f[64];
	uint32_t n;

	n = arp_build(f, 1, db, 0x0a320014, NULL, 0x0a320001);
	memcpy(f, "\xff\xff\xff\xff\xff\xff", 6);
	send1(dp, "tap0", f, n, NULL);
	n = arp_build(f, 2, gw, 0xc6336401, e0, 0xc6336402);
	memcpy(f, e0, 6);
	send1(dp, "em0", f, n, NULL);
}

/*
 * A GSO super-frame from db01 to 198.51.100.1: NSEG segments of SEG
 * bytes of payload, TCP (header 20) or UDP, DF or not, the L4 checksum
 * partial, as the kernel hands it over.
 */
static uint32_t
gso_frame(uint8_t *f, int tcp, int df, uint16_t seg, int nseg,
    struct pkt_offload *off)
{
	uint8_t *ip = f + 14, *l4 = ip + 20;
	uint32_t l4h = tcp ? 20 : 8, iplen = 20 + l4h + (uint32_t)seg * nseg;

	memset(f, 0, 14 + iplen);
	memcpy(f, ve, 6);
	memcpy(f + 6, db, 6);
	ether_put16(f + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)iplen);
	ether_put16(ip + 4, 0x1234);
	ether_put16(ip + 6, df ? IP_DF : 0);
	ip[8] = 64;
	ip[9] = tcp ? 6 : 17;
	ip_put32(ip + 12, 0x0a320014);
	ip_put32(ip + 16, 0xc6336401);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(l4, 40000);
	ether_put16(l4 + 2, tcp ? 80 : 53);
	if (tcp) {
		ip_put32(l4 + 4, 1000);
		l4[12] = 5 << 4;
		l4[13] = 0x18;
	} else
		ether_put16(l4 + 4, (uint16_t)(8 + seg));
	memset(off, 0, sizeof(*off));
	off->flags = PKT_OFF_NEEDS_CSUM;
	off->gso_type = tcp ? VIRTIO_NET_HDR_GSO_TCPV4 :
	    VIRTIO_NET_HDR_GSO_UDP_L4;
	off->gso_size = seg;
	off->hdr_len = (uint16_t)(14 + 20 + l4h);
	off->csum_start = 34;
	off->csum_offset = tcp ? 16 : 6;
	return 14 + iplen;
}

/* The IPv4 frames PORT sent, in a buffer of n * 2048 bytes. */
static int
ip_frames(const char *port, uint8_t *out, uint32_t *lens, int max)
{
	char path[300], ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s.out", etc, port);
	cr_assert_not_null(pc = pcap_open_offline(path, ebuf), "%s", ebuf);
	while (n < max && pcap_next_ex(pc, &h, &d) == 1)
		if (h->caplen >= 14 && h->caplen <= 2048 &&
		    ether_get16(d + 12) == ETHERTYPE_IP) {
			memcpy(out + n * 2048, d, h->caplen);
			lens[n++] = h->caplen;
		}
	pcap_close(pc);
	return n;
}

TestSuite(router, .init = setup, .fini = teardown);

/*
 * TCP with DF whose segments (20 + 20 + 1448) exceed em0's 1400: a
 * needfrag with the MTU goes back to db01, quoting the first segment.
 */
Test(router, gso_df_segments_get_needfrag)
{
	static uint8_t f[14 + 40 + 4 * 1448], got[4 * 2048];
	struct pkt_offload off;
	struct conf *conf;
	struct dp dp;
	uint32_t len, lens[4];
	const uint8_t *icmp, *quote;
	int n;

	build(&dp, &conf);
	neighbours(&dp);
	len = gso_frame(f, 1, 1, 1448, 4, &off);
	send1(&dp, "tap0", f, len, &off);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_NEEDFRAG], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_FORWARDED], 0);
	dptest_destroy(&dp, conf);

	n = ip_frames("tap0", got, lens, 4);
	cr_assert_eq(n, 1, "one ICMP error back to db01, got %d", n);
	cr_assert_eq(lens[0], 14 + 20 + 8 + 28);
	icmp = got + 14 + 20;
	quote = icmp + 8;
	cr_expect_eq(got[14 + 9], 1, "ICMP");
	cr_expect_eq(ip_get32(got + 14 + 16), 0x0a320014, "to db01");
	cr_expect(icmp[0] == ICMP_UNREACH && icmp[1] ==
	    ICMP_UNREACH_NEEDFRAG, "needfrag, got %u/%u", icmp[0], icmp[1]);
	cr_expect_eq(ether_get16(icmp + 6), 1400, "next-hop MTU");
	cr_expect_eq(csum_fold(csum_partial(icmp, 8 + 28, 0)), 0xffff,
	    "ICMP checksum");
	cr_expect_eq(ether_get16(quote + 2), 20 + 20 + 1448,
	    "the quote is the first segment");
	cr_expect_eq(csum_fold(csum_partial(quote, 20, 0)), 0xffff,
	    "the quote's header checksum");
	cr_expect_eq(ether_get16(quote + 20), 40000, "the quote's ports");
}

/*
 * ip_output() runs pf out before its MTU check: segments pf refuses on
 * em0 make no needfrag.  Under nat-to the needfrag quotes the packet as
 * it came in (ip_forward()'s mcopy), db01's own address.
 */
Test(router, needfrag_only_after_pf_out)
{
	static uint8_t f[14 + 40 + 4 * 1448], got[4 * 2048];
	struct pkt_offload off;
	struct conf *conf;
	struct dp dp;
	uint32_t len, lens[4];
	int n;

	put("pf.conf", "block out on em0 proto tcp to port 80\n");
	build(&dp, &conf);
	neighbours(&dp);
	len = gso_frame(f, 1, 1, 1448, 4, &off);
	send1(&dp, "tap0", f, len, &off);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_NEEDFRAG], 0);
	cr_expect_eq(dp.pf.blocked, 1);
	dptest_destroy(&dp, conf);
	n = ip_frames("tap0", got, lens, 4);
	cr_expect_eq(n, 0, "pf refused it: no ICMP error, got %d", n);

	put("pf.conf", "match out on em0 from 10.50.0.0/24 nat-to (em0)\n");
	build(&dp, &conf);
	neighbours(&dp);
	send1(&dp, "tap0", f, len, &off);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_NEEDFRAG], 1);
	dptest_destroy(&dp, conf);
	n = ip_frames("tap0", got, lens, 4);
	cr_assert_eq(n, 1, "one ICMP error back to db01, got %d", n);
	cr_expect_eq(ip_get32(got + 14 + 28 + 12), 0x0a320014,
	    "the quote's source is db01's, as it came in");
}

/* The same segments that fit (1300 + 40 <= 1400) are forwarded. */
Test(router, gso_segments_that_fit_pass)
{
	static uint8_t f[14 + 40 + 4 * 1300];
	struct pkt_offload off;
	struct conf *conf;
	struct dp dp;
	uint32_t len;

	build(&dp, &conf);
	neighbours(&dp);
	len = gso_frame(f, 1, 1, 1300, 4, &off);
	send1(&dp, "tap0", f, len, &off);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_NEEDFRAG], 0);
	cr_expect_eq(dp.router.c[ROUTER_C_GSO_RESEGMENTED], 0);
	cr_expect_eq(dp.router.c[ROUTER_C_FORWARDED], 1);
	dptest_destroy(&dp, conf);
}

/* TCP without DF: forwarded with a segment size that fits em0. */
Test(router, gso_no_df_tcp_resegmented)
{
	static uint8_t f[14 + 40 + 4 * 1448];
	struct pkt_offload off;
	struct conf *conf;
	struct dp dp;
	uint32_t len;
	const char *text;

	build(&dp, &conf);
	neighbours(&dp);
	dptest_ctl(&dp, "trace on 10");
	len = gso_frame(f, 1, 0, 1448, 4, &off);
	send1(&dp, "tap0", f, len, &off);
	cr_expect_eq(dp.router.c[ROUTER_C_GSO_RESEGMENTED], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_FORWARDED], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_NEEDFRAG], 0);
	text = dptest_ctl(&dp, "trace show");
	cr_expect(strstr(text, "GSO segments of 1488 bytes > mtu 1400 of em0, "
	    "DF clear: segment size 1448 -> 1360") != NULL, "%s", text);
	dptest_destroy(&dp, conf);
}

/*
 * UDP segments without DF are datagrams of their own: each is made a
 * datagram in software (the next IP ids, full checksums) and fragmented
 * for em0's 1400, as Linux's ip_finish_output_gso() does.
 */
Test(router, gso_no_df_udp_segmented_and_fragmented)
{
	static uint8_t f[14 + 28 + 4 * 1448], got[16 * 2048], dg[1456];
	struct pkt_offload off;
	struct conf *conf;
	struct dp dp;
	uint32_t len, lens[16], i, ps;
	const uint8_t *a, *b;
	int n, k;

	build(&dp, &conf);
	neighbours(&dp);
	len = gso_frame(f, 0, 0, 1448, 4, &off);
	for (i = 0; i < 4 * 1448; i++)
		f[42 + i] = (uint8_t)(i * 7 + i / 1448);
	send1(&dp, "tap0", f, len, &off);
	cr_expect_eq(dp.router.c[ROUTER_C_GSO_SEGMENTED], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_FRAGMENTED], 4);
	cr_expect_eq(dp.router.c[ROUTER_C_FRAGMENTS], 8);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_GSO_MTU], 0);
	cr_expect_eq(dp.router.c[ROUTER_C_DROP_NEEDFRAG], 0);
	dptest_destroy(&dp, conf);

	n = ip_frames("em0", got, lens, 16);
	cr_assert_eq(n, 8, "4 datagrams in 2 fragments each, got %d", n);
	for (k = 0; k < 4; k++) {
		a = got + 2 * k * 2048 + 14;
		b = got + (2 * k + 1) * 2048 + 14;
		cr_expect_eq(ether_get16(a + 4), 0x1234 + k, "datagram %d id", k);
		cr_expect_eq(ether_get16(b + 4), 0x1234 + k);
		cr_expect_eq(ether_get16(a + 6), 0x2000, "MF, offset 0");
		cr_expect_eq(ether_get16(b + 6), 1376 / 8, "the rest at 1376");
		cr_assert_eq(ether_get16(a + 2), 20 + 1376);
		cr_assert_eq(ether_get16(b + 2), 20 + 80);
		memcpy(dg, a + 20, 1376);
		memcpy(dg + 1376, b + 20, 80);
		cr_expect_eq(ether_get16(dg + 4), 8 + 1448, "UDP length");
		ps = csum_partial(a + 12, 8, 0) + 17 + 1456;
		cr_expect_eq(csum_fold(csum_partial(dg, 1456, ps)), 0xffff,
		    "datagram %d: UDP checksum", k);
		cr_expect_eq(memcmp(dg + 8, f + 42 + k * 1448, 1448), 0,
		    "datagram %d: its share of the payload", k);
	}
}

/*
 * ip_forward()'s redirect: db01 sends to 203.0.113.5, whose route leads
 * back out vether0 to a router beside it (10.50.0.2): the packet is
 * forwarded there and db01 told, from the gateway it used, to go to
 * 10.50.0.2 itself.  net.inet.ip.redirect=0 forwards without telling.
 */
Test(router, same_interface_forward_sends_a_redirect)
{
	static const uint8_t r2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	static uint8_t f[14 + 128], got[4 * 2048];
	struct pkt_offload off;
	struct conf *conf;
	struct dp dp;
	uint32_t len, lens[4], n;
	uint8_t a[64], *ip = f + 14, *icmp;
	int k, fwd = -1, red = -1;

	put("pf.conf", "pass\n");
	build(&dp, &conf);
	neighbours(&dp);
	n = arp_build(a, 1, r2, 0x0a320002, NULL, 0x0a320001);
	send1(&dp, "tap0", a, n, NULL);
	cr_assert_eq(dptest_ctl_rc(&dp, "route add 203.0.113.0/24 10.50.0.2"),
	    0, "%s", dptest_out);
	len = gso_frame(f, 0, 0, 100, 1, &off);
	ip_put32(ip + 16, 0xcb007105);		/* 203.0.113.5 */
	ether_put16(ip + 10, 0);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(ip + 26, 0);		/* UDP: no checksum */
	send1(&dp, "tap0", f, len, NULL);
	cr_expect_eq(dp.router.c[ROUTER_C_REDIRECTS], 1);
	cr_assert_eq(dptest_ctl_rc(&dp, "sysctl net.inet.ip.redirect=0"), 0);
	send1(&dp, "tap0", f, len, NULL);
	cr_expect_eq(dp.router.c[ROUTER_C_REDIRECTS], 1, "redirect=0");
	cr_expect_eq(dp.router.c[ROUTER_C_FORWARDED], 2, "forwarded both");
	dptest_destroy(&dp, conf);
	n = (uint32_t)ip_frames("tap0", got, lens, 4);
	cr_assert_eq(n, 3, "two forwarded, one redirect: %u", n);
	for (k = 0; k < 3; k++) {
		const uint8_t *g = got + k * 2048;

		if (g[14 + 9] == 1 && red < 0)
			red = k;
		else if (ip_get32(g + 14 + 16) == 0xcb007105 && fwd < 0)
			fwd = k;
	}
	cr_assert(fwd >= 0 && red >= 0);
	cr_expect_eq(memcmp(got + fwd * 2048, r2, 6), 0, "to 10.50.0.2");
	icmp = got + red * 2048 + 14 + 20;
	cr_expect_eq(memcmp(got + red * 2048, db, 6), 0, "to db01");
	cr_expect_eq(ip_get32(got + red * 2048 + 14 + 12), 0x0a320001,
	    "from the gateway db01 used");
	cr_expect_eq(icmp[0], ICMP_REDIRECT);
	cr_expect_eq(icmp[1], ICMP_REDIRECT_HOST);
	cr_expect_eq(ip_get32(icmp + 4), 0x0a320002, "the better gateway");
	cr_expect_eq(ip_get32(icmp + 8 + 16), 0xcb007105, "the quote");
	cr_expect_eq(csum_fold(csum_partial(icmp, lens[red] - 34, 0)), 0xffff);
}

/* Not by the default route: the sender's own default is the shortcut. */
Test(router, no_redirect_by_the_default_route)
{
	static const uint8_t r2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	static uint8_t f[14 + 128];
	struct pkt_offload off;
	struct conf *conf;
	struct dp dp;
	uint32_t len, n;
	uint8_t a[64], *ip = f + 14;

	put("pf.conf", "pass\n");
	put("mygate", "10.50.0.2\n");
	build(&dp, &conf);
	neighbours(&dp);
	n = arp_build(a, 1, r2, 0x0a320002, NULL, 0x0a320001);
	send1(&dp, "tap0", a, n, NULL);
	len = gso_frame(f, 0, 0, 100, 1, &off);
	ip_put32(ip + 16, 0xcb007105);
	ether_put16(ip + 10, 0);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(ip + 26, 0);
	send1(&dp, "tap0", f, len, NULL);
	cr_expect_eq(dp.router.c[ROUTER_C_FORWARDED], 1);
	cr_expect_eq(dp.router.c[ROUTER_C_REDIRECTS], 0);
	dptest_destroy(&dp, conf);
}
