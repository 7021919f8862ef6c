/*
 * The router's ARP state machine, on a fake clock: em1 (192.0.2.1/24)
 * and em0 (10.60.0.2/16, big enough for more next hops than the cache
 * has slots) are routed ports of a dataplane built from a configuration,
 * packets go in with router_input(), the clock moves with dp_clock() and
 * router_tick(), and every frame the router sends is seen through its
 * sent hook.  The cache itself (fwd/arp.c) is also checked against a
 * reference set through random inserts and deletes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dataplane/dp.h"
#include "fwd/arp.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "test/unit/dptest.h"
#include "test/unit/rtsent.h"


static const uint8_t em0_mac[6] = { 0x02, 0, 0, 0, 0x0e, 0x00 };
static const uint8_t em1_mac[6] = { 0x02, 0, 0, 0, 0x0e, 0x01 };
static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 0x0a };	/* on em1 */
static const uint8_t nh_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };	/* on em0 */

static char etc[] = "/tmp/sluice-test-arp-XXXXXX";
static struct conf *conf;
static struct dp dp;
static struct router *rt;
static struct rif *em0, *em1;

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
	put("hostname.em0", "lladdr 02:00:00:00:0e:00\n"
	    "inet 10.60.0.2 255.255.0.0\nup\n");
	put("hostname.em1", "lladdr 02:00:00:00:0e:01\n"
	    "inet 192.0.2.1 255.255.255.0\nup\n");
	put("sysctl.conf", "net.inet.ip.forwarding=1\n");
	dptest_build(&dp, &conf, etc, names, 2, NULL);
	dptest_at(&dp, 100);
	rt = &dp.router;
	rt->sent = seen;
	cr_assert_not_null(em0 = router_rif(rt, dp_port(&dp, "em0")));
	cr_assert_not_null(em1 = router_rif(rt, dp_port(&dp, "em1")));
	cr_assert_eq(memcmp(em0->mac, em0_mac, 6), 0);
	forget();
}

static void
teardown(void)
{
	dptest_destroy(&dp, conf);
	etc_remove(etc);
}

TestSuite(arp, .init = setup, .fini = teardown);

static uint32_t
ip4(int a, int b, int c, int d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 |
	    (uint32_t)d;
}

/* Give the router a frame on rif r (it keeps its own reference). */
static void
input(struct rif *r, const uint8_t *f, uint32_t len)
{
	struct pkt *p = pkt_alloc(&dp.pool);

	cr_assert_not_null(p);
	memcpy(p->data, f, len);
	p->len = len;
	p->in_port = r->port->index;
	router_input(rt, r, p, 0);
	pkt_free(&dp.pool, p);
}

/* A UDP packet from a host on em1 to dst, its IP id set to id. */
static void
send_udp(uint32_t dst, uint16_t id)
{
	uint8_t f[60], *ip = f + ETHER_HDR_LEN;

	memset(f, 0, sizeof(f));
	memcpy(f, em1_mac, 6);
	memcpy(f + 6, host_mac, 6);
	ether_put16(f + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, 28);
	ether_put16(ip + 4, id);
	ip[8] = 64;
	ip[9] = 17;
	ip_put32(ip + 12, ip4(192, 0, 2, 50));
	ip_put32(ip + 16, dst);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(ip + 20, 41000);
	ether_put16(ip + 22, 53);
	ether_put16(ip + 24, 8);
	input(em1, f, 42);
}

static void
send_arp(struct rif *r, int op, const uint8_t *sha, uint32_t spa,
    const uint8_t *tha, uint32_t tpa)
{
	uint8_t f[60];
	uint32_t len = arp_build(f, op, sha, spa, tha, tpa);

	input(r, f, len);
}

/* Is out[i] an ARP request out of rif r for target (from spa)? */
static void
assert_request(int i, const struct rif *r, uint32_t spa, uint32_t target)
{
	struct arp_msg m;

	cr_assert_lt(i, nout, "frame %d was not sent", i);
	cr_assert_eq(out[i].rif, r, "frame %d: wrong interface", i);
	cr_assert_eq(arp_parse(out[i].f, out[i].len, &m), 0,
	    "frame %d is no ARP", i);
	cr_assert_eq(m.op, 1);
	cr_assert(ether_is_multicast(out[i].f), "a request is broadcast");
	cr_assert_eq(memcmp(m.sha, r->mac, 6), 0);
	cr_assert_eq(m.spa, spa);
	cr_assert_eq(m.tpa, target, "frame %d asks for %08x, not %08x", i,
	    m.tpa, target);
}

static uint64_t
counter(int c)
{
	return rt->c[c];
}

/* arp -an into buf. */
static void
arp_an(char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	cr_assert_not_null(f);
	router_arp_show(rt, f);
	cr_assert_eq(fclose(f), 0);
}

Test(arp, unknown_next_hop_asks_and_queues)
{
	uint32_t nh = ip4(10, 60, 0, 9);
	size_t nfree = dp.pool.nfree;
	int i;

	for (i = 0; i < ARP_QLEN + 1; i++)
		send_udp(nh, (uint16_t)(1000 + i));
	cr_assert_eq(nout, 1, "one request for four packets, not %d", nout);
	assert_request(0, em0, ip4(10, 60, 0, 2), nh);
	cr_assert_eq(counter(ROUTER_C_ARP_REQUESTS), 1);
	cr_assert_eq(counter(ROUTER_C_DROP_ARP_QUEUE), 1,
	    "the packet past the queue is dropped and counted");
	cr_assert_eq(rt->arpq, ARP_QLEN);
	dp_flush(&dp);
	cr_assert_eq(dp.pool.nfree, nfree - ARP_QLEN, "the queue holds them");

	forget();
	send_arp(em0, 2, nh_mac, nh, em0_mac, ip4(10, 60, 0, 2));
	cr_assert_eq(nout, ARP_QLEN, "the reply releases the queue");
	for (i = 0; i < ARP_QLEN; i++) {
		const uint8_t *ip = out[i].f + ETHER_HDR_LEN;

		cr_assert_eq(out[i].rif, em0);
		cr_assert_eq(memcmp(out[i].f, nh_mac, 6), 0, "to the next hop");
		cr_assert_eq(memcmp(out[i].f + 6, em0_mac, 6), 0);
		cr_assert_eq(ether_get16(ip + 4), 1000 + i, "in order");
		cr_assert_eq(ip[8], 63);
	}
	cr_assert_eq(rt->arpq, 0);

	/* Resolved: the next packet goes at once, nothing asked. */
	forget();
	send_udp(nh, 2000);
	cr_assert_eq(nout, 1);
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0);
	cr_assert_eq(counter(ROUTER_C_ARP_REQUESTS), 1);
	dp_flush(&dp);
	cr_assert_eq(dp.pool.nfree, nfree, "no buffer lost");
}

Test(arp, retries_then_gives_up_and_is_down)
{
	uint32_t nh = ip4(10, 60, 0, 9);
	size_t nfree = dp.pool.nfree;
	char buf[1024];
	int i;

	send_udp(nh, 1);
	send_udp(nh, 2);
	dptest_run_to(&dp, 104);
	cr_assert_eq(nout, 5, "five requests, one a second (%d)", nout);
	for (i = 0; i < 5; i++)
		assert_request(i, em0, ip4(10, 60, 0, 2), nh);
	cr_assert_eq(counter(ROUTER_C_DROP_ARP_TIMEOUT), 0);

	dptest_run_to(&dp, 105);
	cr_assert_eq(nout, 5, "no sixth request");
	cr_assert_eq(counter(ROUTER_C_DROP_ARP_TIMEOUT), 2,
	    "what was queued is dropped and counted");
	cr_assert_eq(rt->arpq, 0);
	cr_assert_eq(dp.pool.nfree, nfree, "and its buffers freed");
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "\n10.60.0.9                            "
	    "(incomplete)          em0 20s       \n") != NULL, "%s", buf);

	/* Down (net.inet.ip.arpdown): dropped, nobody asked, and the
	 * sender (whose MAC the router learns first) gets a host
	 * unreachable, as ip_forward() sends on EHOSTDOWN. */
	dptest_at(&dp, 110);
	send_arp(em1, 1, host_mac, ip4(192, 0, 2, 50), NULL,
	    ip4(192, 0, 2, 1));
	forget();
	send_udp(nh, 3);
	cr_assert_eq(counter(ROUTER_C_DROP_ARP_DOWN), 1);
	cr_assert_eq(nout, 1, "no request, one ICMP error (%d)", nout);
	cr_assert_eq(out[0].rif, em1);
	cr_assert_eq(out[0].f[ETHER_HDR_LEN + 20], 3, "unreachable");
	cr_assert_eq(out[0].f[ETHER_HDR_LEN + 21], 1, "host");

	/* After 20 s the entry is gone; the next packet asks again. */
	dptest_run_to(&dp, 125);
	cr_assert_eq(rt->arp->count, 1, "the down entry is deleted (the "
	    "sender's stays)");
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "10.60.0.9 ") == NULL, "%s", buf);
	forget();
	send_udp(nh, 4);
	cr_assert_eq(nout, 1);
	assert_request(0, em0, ip4(10, 60, 0, 2), nh);
}

/*
 * ip_output() runs pf out before arpresolve(): a packet pf refuses going
 * out makes no host unreachable, even to a next hop that is down.
 */
Test(arp, down_next_hop_after_pf_out)
{
	uint32_t nh = ip4(10, 60, 0, 9);
	char line[300];

	send_udp(nh, 1);
	dptest_run_to(&dp, 105);
	cr_assert_eq(counter(ROUTER_C_DROP_ARP_TIMEOUT), 1);
	dptest_at(&dp, 110);
	send_arp(em1, 1, host_mac, ip4(192, 0, 2, 50), NULL,
	    ip4(192, 0, 2, 1));
	put("pf.conf", "block out on em0 proto udp to port 53\n");
	snprintf(line, sizeof(line), "pfctl -f %s/pf.conf", etc);
	cr_assert_eq(dptest_ctl_rc(&dp, line), 0, "%s", dptest_out);
	forget();
	send_udp(nh, 2);
	cr_expect_eq(counter(ROUTER_C_DROP_ARP_DOWN), 0);
	cr_expect_eq(nout, 0, "pf refused it: no ICMP error (%d)", nout);
	cr_expect_eq(dp.pf.blocked, 1);
}

Test(arp, answer_while_down_resolves)
{
	uint32_t nh = ip4(10, 60, 0, 9);

	send_udp(nh, 1);
	dptest_run_to(&dp, 105);
	send_arp(em0, 2, nh_mac, nh, em0_mac, ip4(10, 60, 0, 2));
	forget();
	send_udp(nh, 2);
	cr_assert_eq(nout, 1, "a late answer is taken");
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0);
}

Test(arp, resolved_entry_expires_and_is_removed)
{
	uint32_t nh = ip4(10, 60, 0, 9);
	char buf[1024];

	/* Asked for our address: we answer and learn the sender. */
	send_arp(em0, 1, nh_mac, nh, NULL, ip4(10, 60, 0, 2));
	cr_assert_eq(rt->arp->count, 1);
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "\n10.60.0.9                            "
	    "02:00:00:00:00:77     em0 20m0s     \n") != NULL, "%s", buf);
	dptest_run_to(&dp, 100 + ARP_KEEP - 1);
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, " em0 1s        \n") != NULL, "%s", buf);
	dptest_run_to(&dp, 100 + ARP_KEEP);
	cr_assert_eq(rt->arp->count, 0, "expired and deleted");
	cr_assert_null(arp_lookup(rt->arp, (uint16_t)(em0 - rt->rifs), nh));
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "10.60.0.9 ") == NULL, "%s", buf);

	/* Known no more: the next packet asks. */
	forget();
	send_udp(nh, 1);
	cr_assert_eq(nout, 1);
	assert_request(0, em0, ip4(10, 60, 0, 2), nh);
}

/*
 * An entry in use is asked for again once in its last eighth (OpenBSD's
 * la_refreshed), and the answer renews it: a busy next hop never
 * expires, and its packets never wait.
 */
Test(arp, entry_in_use_is_refreshed_before_it_expires)
{
	uint32_t nh = ip4(10, 60, 0, 9);

	send_arp(em0, 1, nh_mac, nh, NULL, ip4(10, 60, 0, 2));
	dptest_run_to(&dp, 100 + ARP_KEEP - ARP_KEEP / 8 - 1);
	forget();
	send_udp(nh, 1);
	cr_assert_eq(nout, 1, "not yet: sent, nothing asked");
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0);
	dptest_run_to(&dp, 100 + ARP_KEEP - ARP_KEEP / 8 + 1);
	forget();
	send_udp(nh, 2);
	send_udp(nh, 3);
	cr_assert_eq(nout, 3, "one request, both packets sent at once");
	assert_request(0, em0, ip4(10, 60, 0, 2), nh);
	cr_assert_eq(memcmp(out[1].f, nh_mac, 6), 0);
	cr_assert_eq(memcmp(out[2].f, nh_mac, 6), 0);
	/* The answer: good for ARP_KEEP again, asked for again later. */
	send_arp(em0, 2, nh_mac, nh, em0_mac, ip4(10, 60, 0, 2));
	dptest_run_to(&dp, 100 + ARP_KEEP + 10);
	forget();
	send_udp(nh, 4);
	cr_assert_eq(nout, 1, "still known after its first lifetime");
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0);
}

/*
 * Over time the cache takes far more next hops than it has slots: each
 * round asks for ARP_MAX new ones, which give up and go; every one of
 * them must be asked for.  Within a round, ARP_MAX live entries fill the
 * cache: one more is dropped and counted, not asked for.
 */
Test(arp, more_next_hops_over_time_than_slots)
{
	uint32_t round, i, n = 0;
	uint64_t asked;

	for (round = 0; round < 3; round++) {
		asked = counter(ROUTER_C_ARP_REQUESTS);
		for (i = 0; i < ARP_MAX; i++, n++)
			send_udp(ip4(10, 60, 1 + n / 250, 1 + n % 250),
			    (uint16_t)n);
		cr_assert_eq(counter(ROUTER_C_ARP_REQUESTS) - asked, ARP_MAX,
		    "round %u: %llu of %u next hops asked for", round,
		    (unsigned long long)(counter(ROUTER_C_ARP_REQUESTS) -
		    asked), ARP_MAX);
		cr_assert_eq(counter(ROUTER_C_DROP_ARP_FULL), round);
		send_udp(ip4(10, 60, 250, 1 + round), 1);
		cr_assert_eq(counter(ROUTER_C_DROP_ARP_FULL), round + 1,
		    "the cache is full: counted");
		cr_assert_eq(counter(ROUTER_C_ARP_REQUESTS) - asked, ARP_MAX,
		    "and nothing asked");
		dptest_run_to(&dp, dp.now + ARP_RETRIES + ARP_DOWNTIME);
		cr_assert_eq(rt->arp->count, 0, "round %u: %u entries left",
		    round, rt->arp->count);
	}
	cr_assert_gt(n, ARP_SLOTS);
}

Test(arp, answers_only_for_own_addresses)
{
	struct arp_msg m;

	send_arp(em0, 1, nh_mac, ip4(10, 60, 0, 9), NULL, ip4(10, 60, 0, 77));
	cr_assert_eq(nout, 0, "not ours: no answer");
	cr_assert_eq(rt->arp->count, 0, "and the sender is not learned");
	send_arp(em0, 1, nh_mac, ip4(10, 60, 0, 9), NULL, ip4(192, 0, 2, 1));
	cr_assert_eq(nout, 0, "em1's address is not answered on em0");
	send_arp(em0, 1, nh_mac, ip4(10, 60, 0, 9), NULL, ip4(10, 60, 0, 2));
	cr_assert_eq(nout, 1);
	cr_assert_eq(out[0].rif, em0);
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0, "unicast to the asker");
	cr_assert_eq(arp_parse(out[0].f, out[0].len, &m), 0);
	cr_assert_eq(m.op, 2);
	cr_assert_eq(memcmp(m.sha, em0_mac, 6), 0);
	cr_assert_eq(m.spa, ip4(10, 60, 0, 2));
	cr_assert_eq(memcmp(m.tha, nh_mac, 6), 0);
	cr_assert_eq(m.tpa, ip4(10, 60, 0, 9));
	cr_assert_eq(counter(ROUTER_C_ARP_REPLIES), 1);

	/* A probe (sender 0.0.0.0) is answered, and teaches nothing. */
	send_arp(em0, 1, nh_mac, 0, NULL, ip4(10, 60, 0, 2));
	cr_assert_eq(nout, 2);
	cr_assert_eq(rt->arp->count, 1);
	cr_assert_null(arp_lookup(rt->arp, (uint16_t)(em0 - rt->rifs), 0));
}

Test(arp, address_change_sends_gratuitous_arp)
{
	struct rif_addr a = { ip4(10, 60, 0, 3), 16 };
	struct arp_msg m;

	cr_assert_eq(router_set_addrs(rt, em0, &a, 1), 0);
	cr_assert_eq(nout, 1, "one announcement, on em0 only (%d)", nout);
	cr_assert_eq(out[0].rif, em0);
	cr_assert(ether_is_multicast(out[0].f));
	cr_assert_eq(arp_parse(out[0].f, out[0].len, &m), 0);
	cr_assert_eq(m.op, 1);
	cr_assert_eq(memcmp(m.sha, em0_mac, 6), 0);
	cr_assert_eq(m.spa, ip4(10, 60, 0, 3));
	cr_assert_eq(m.tpa, ip4(10, 60, 0, 3));
}

/*
 * arp -an prints rows sorted by address, our own (permanent, l) among
 * the others, as OpenBSD's does from its routing table; "(incomplete)"
 * entries show "expired", down ones their time left.
 */
Test(arp, arp_an_format_and_order)
{
	static const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x22 };
	static const char *const want =
	    "Host                                 Ethernet Address    "
	    "Netif Expire    Flags\n"
	    "10.60.0.2                            02:00:00:00:0e:00     "
	    "em0 permanent l\n"
	    "10.60.0.9                            02:00:00:00:00:77     "
	    "em0 19m55s    \n"
	    "10.60.0.10                           (incomplete)          "
	    "em0 expired   \n"
	    "10.60.0.200                          02:00:00:00:00:22     "
	    "em0 20m0s     \n"
	    "10.60.1.5                            (incomplete)          "
	    "em0 13s       \n"
	    "192.0.2.1                            02:00:00:00:0e:01     "
	    "em1 permanent l\n"
	    "192.0.2.50                           02:00:00:00:00:0a     "
	    "em1 19m53s    \n";
	char buf[2048];

	send_udp(ip4(10, 60, 1, 5), 1);			/* down at 105 */
	dptest_run_to(&dp, 105);
	send_arp(em1, 1, host_mac, ip4(192, 0, 2, 50), NULL,
	    ip4(192, 0, 2, 1));
	dptest_run_to(&dp, 107);
	send_arp(em0, 1, nh_mac, ip4(10, 60, 0, 9), NULL, ip4(10, 60, 0, 2));
	dptest_run_to(&dp, 112);
	send_arp(em0, 1, mac2, ip4(10, 60, 0, 200), NULL, ip4(10, 60, 0, 2));
	send_udp(ip4(10, 60, 0, 10), 2);
	arp_an(buf, sizeof(buf));
	cr_assert_str_eq(buf, want);
}

/*
 * arp -s: the next hop is known without asking, and stays so; ARP may
 * still change a static entry's address (arpcache() does), not its
 * lifetime.
 */
Test(arp, static_entry_needs_no_request_and_never_expires)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x78 };
	uint32_t nh = ip4(10, 60, 0, 9);
	char buf[2048];

	cr_assert_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.9 02:00:00:00:00:77"),
	    0, "%s", dptest_out);
	send_udp(nh, 1);
	cr_assert_eq(nout, 1, "sent at once, nothing asked (%d)", nout);
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0);
	cr_assert_eq(counter(ROUTER_C_ARP_REQUESTS), 0);
	dptest_run_to(&dp, 100 + 3 * ARP_KEEP);
	forget();
	send_udp(nh, 2);
	cr_assert_eq(nout, 1, "still known long after arptimeout");
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0);
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "\n10.60.0.9                            "
	    "02:00:00:00:00:77     em0 static    \n") != NULL, "%s", buf);
	cr_assert(strstr(dptest_ctl(&dp, "netstat -rn"), "\n10.60.0.9          "
	    "02:00:00:00:00:77  UHLS ") != NULL, "%s", dptest_out);

	send_arp(em0, 2, other, nh, em0_mac, ip4(10, 60, 0, 2));
	dptest_run_to(&dp, dp.now + 2 * ARP_KEEP);
	forget();
	send_udp(nh, 3);
	cr_assert_eq(nout, 1);
	cr_assert_eq(memcmp(out[0].f, other, 6), 0, "the new address");
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "02:00:00:00:00:78     em0 static") != NULL,
	    "%s", buf);
}

/* permanent: ARP cannot change it, and says so in a counter. */
Test(arp, permanent_entry_is_not_overwritten)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x78 };
	uint32_t nh = ip4(10, 60, 0, 9);
	char buf[2048];

	cr_assert_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.9 02:00:00:00:00:77 "
	    "permanent"), 0, "%s", dptest_out);
	send_arp(em0, 2, other, nh, em0_mac, ip4(10, 60, 0, 2));
	cr_assert_eq(counter(ROUTER_C_ARP_PERMANENT), 1);
	send_udp(nh, 1);
	cr_assert_eq(nout, 1);
	cr_assert_eq(memcmp(out[0].f, nh_mac, 6), 0, "the address set");
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "\n10.60.0.9                            "
	    "02:00:00:00:00:77     em0 permanent \n") != NULL, "%s", buf);
}

/* temp: an ordinary entry, good for arptimeout. */
Test(arp, temp_entry_expires)
{
	char buf[2048];

	cr_assert_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.9 02:00:00:00:00:77 "
	    "temp"), 0, "%s", dptest_out);
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "02:00:00:00:00:77     em0 20m0s ") != NULL,
	    "%s", buf);
	dptest_run_to(&dp, 100 + ARP_KEEP);
	cr_assert_eq(rt->arp->count, 0, "expired and deleted");
}

Test(arp, set_refuses_what_it_cannot_place)
{
	cr_expect_eq(dptest_ctl_rc(&dp, "arp -s 203.0.113.5 "
	    "02:00:00:00:00:77"), 1);
	cr_expect_str_eq(dptest_out, "arp: set: cannot intuit interface "
	    "index and type for 203.0.113.5\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.2 02:00:00:00:00:77"),
	    1);
	cr_expect_str_eq(dptest_out, "arp: set: 10.60.0.2 is an address of "
	    "ours\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.9 02:00:00:00:77"), 1);
	cr_expect_str_eq(dptest_out, "arp: invalid Ethernet address "
	    "'02:00:00:00:77'\n");
	cr_expect_eq(rt->arp->count, 0);
}

/*
 * arp -d: the entry goes, and what waited for it is dropped and
 * counted; arp -d -a empties the cache (our own addresses stay: they
 * are not in it).
 */
Test(arp, delete_drops_what_waits)
{
	uint32_t nh = ip4(10, 60, 0, 9);
	size_t nfree = dp.pool.nfree;
	char buf[2048];

	send_udp(nh, 1);
	send_udp(nh, 2);
	cr_assert_eq(rt->arpq, 2);
	cr_assert_str_eq(dptest_ctl(&dp, "arp -d 10.60.0.9"),
	    "10.60.0.9 (10.60.0.9) deleted\n");
	cr_assert_eq(counter(ROUTER_C_DROP_ARP_DELETED), 2);
	cr_assert_eq(rt->arpq, 0);
	dp_flush(&dp);
	cr_assert_eq(dp.pool.nfree, nfree, "their buffers freed");
	cr_assert_eq(dptest_ctl_rc(&dp, "arp -d 10.60.0.9"), 1);
	cr_assert_str_eq(dptest_out, "arp: delete: cannot locate 10.60.0.9\n");

	send_arp(em0, 1, nh_mac, nh, NULL, ip4(10, 60, 0, 2));
	send_arp(em1, 1, host_mac, ip4(192, 0, 2, 50), NULL,
	    ip4(192, 0, 2, 1));
	cr_assert_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.7 02:00:00:00:00:77 "
	    "permanent"), 0);
	cr_assert_eq(rt->arp->count, 3);
	cr_assert_eq(dptest_ctl_rc(&dp, "arp -d -a"), 0);
	cr_assert_eq(rt->arp->count, 0);
	cr_assert(strstr(dptest_out, "192.0.2.50 (192.0.2.50) deleted\n") !=
	    NULL, "%s", dptest_out);
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "10.60.0.2  ") != NULL, "ours stay: %s", buf);
}

/*
 * arp -s ... pub: a request for the published address on its interface is
 * answered with the published Ethernet address (from the interface's
 * own), on another interface it is not; the entry does not say where
 * packets for the address go; arp -an flags it p; arp -d removes it.
 */
Test(arp, published_entry_answers_requests)
{
	static const uint8_t pubmac[6] = { 0x02, 0, 0, 0, 0, 0x50 };
	uint32_t pubip = ip4(10, 60, 0, 50), nh = ip4(10, 60, 0, 9);
	const uint8_t *a;
	char buf[2048];

	cr_assert_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.50 02:00:00:00:00:50 "
	    "pub"), 0, "%s", dptest_out);
	cr_assert_eq(dptest_ctl_rc(&dp, "arp -s 10.60.0.51 02:00:00:00:00:50 "
	    "pub nonsense"), 1);
	forget();
	send_arp(em0, 1, nh_mac, nh, NULL, pubip);
	cr_assert_eq(nout, 1, "%d frames", nout);
	a = out[0].f + ETHER_HDR_LEN;
	cr_expect_eq(memcmp(out[0].f, nh_mac, 6), 0);
	cr_expect_eq(memcmp(out[0].f + 6, em0_mac, 6), 0, "from em0's own");
	cr_expect_eq(ether_get16(a + 6), 2, "a reply");
	cr_expect_eq(memcmp(a + 8, pubmac, 6), 0, "the published address");
	cr_expect_eq(ip_get32(a + 14), pubip);
	cr_expect_eq(ip_get32(a + 24), nh);
	cr_expect_eq(counter(ROUTER_C_ARP_PROXY), 1);
	forget();
	send_arp(em1, 1, host_mac, ip4(192, 0, 2, 50), NULL, pubip);
	cr_expect_eq(nout, 0, "answered on the wrong interface");
	arp_an(buf, sizeof(buf));
	cr_expect(strstr(buf, "\n10.60.0.50                           "
	    "02:00:00:00:00:50     em0 static    p\n") != NULL, "%s", buf);
	send_udp(pubip, 1);
	cr_expect_eq(counter(ROUTER_C_ARP_REQUESTS), 1,
	    "packets to it ask, as for any neighbour");
	/* the published entry and the one that asks go together */
	cr_expect_str_eq(dptest_ctl(&dp, "arp -d 10.60.0.50"),
	    "10.60.0.50 (10.60.0.50) deleted\n10.60.0.50 (10.60.0.50) "
	    "deleted\n");
	forget();
	send_arp(em0, 1, nh_mac, nh, NULL, pubip);
	cr_expect_eq(counter(ROUTER_C_ARP_PROXY), 1, "no longer published");
}

/* net.inet.ip.arptimeout and arpdown, set at run time, and their bounds. */
Test(arp, sysctl_timers)
{
	uint32_t nh = ip4(10, 60, 0, 9);
	char buf[512];

	cr_assert_str_eq(dptest_ctl(&dp, "sysctl net.inet.ip.arptimeout=60"),
	    "net.inet.ip.arptimeout: 1200 -> 60\n");
	cr_assert_eq(dptest_ctl_rc(&dp, "sysctl net.inet.ip.arpdown=5"), 0);
	send_arp(em0, 1, nh_mac, nh, NULL, ip4(10, 60, 0, 2));
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, " em0 1m0s ") != NULL, "%s", buf);
	dptest_run_to(&dp, 160);
	cr_assert_eq(rt->arp->count, 0, "gone after 60 s");

	send_udp(nh, 1);
	dptest_run_to(&dp, 165);
	cr_assert_eq(counter(ROUTER_C_DROP_ARP_TIMEOUT), 1);
	arp_an(buf, sizeof(buf));
	cr_assert(strstr(buf, "(incomplete)          em0 5s ") != NULL, "%s",
	    buf);
	dptest_run_to(&dp, 170);
	cr_assert_eq(rt->arp->count, 0, "down for 5 s only");

	cr_assert_eq(dptest_ctl_rc(&dp, "sysctl"), 0);
	cr_assert_str_eq(dptest_out, "net.inet.ip.forwarding=1\n"
	    "net.inet.ip.arptimeout=60\nnet.inet.ip.arpdown=5\n"
	    "net.inet.ip.redirect=1\nnet.inet6.ip6.forwarding=0\n"
	    "net.inet6.ip6.redirect=1\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "sysctl net.inet.ip.arptimeout=-1"),
	    1);
	cr_expect_str_eq(dptest_out, "sysctl: net.inet.ip.arptimeout: expected a "
	    "number from 0 to 2147483647\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "sysctl net.inet.ip.forwarding=2"),
	    1);
	cr_expect_str_eq(dptest_out, "sysctl: net.inet.ip.forwarding: expected 0 or "
	    "1\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "sysctl net.inet.ip.ttl=3"), 1);
	cr_expect_eq(rt->sysctl[SYSCTL_ARPTIMEOUT], 60, "unchanged");
}

/* The cache alone: random inserts and deletes against a reference. */
Test(arp, cache_matches_a_reference_through_deletes)
{
	static struct arp_table t;
	static uint8_t live[1 << 14];
	uint32_t seed = 12345, k, ip, n = 0, step;
	struct arp_entry *e;

	memset(&t, 0, sizeof(t));
	for (step = 0; step < 200000; step++) {
		seed = seed * 1103515245u + 12345u;
		k = (seed >> 8) & ((1u << 14) - 1);
		ip = 0x0a000000u | k;
		e = arp_lookup(&t, (uint16_t)(k & 1), ip);
		cr_assert_eq(e != NULL, live[k] != 0, "step %u: key %u",
		    step, k);
		if (e != NULL) {
			cr_assert_eq(e->ip, ip);
			arp_delete(&t, e);
			live[k] = 0;
			n--;
		} else if ((e = arp_insert(&t, (uint16_t)(k & 1), ip)) !=
		    NULL) {
			live[k] = 1;
			n++;
		} else
			cr_assert_eq(n, ARP_MAX, "insert fails only when full");
		cr_assert_eq(t.count, n);
	}
	for (k = 0; k < (1u << 14); k++)
		cr_assert_eq(arp_lookup(&t, (uint16_t)(k & 1), 0x0a000000u | k)
		    != NULL, live[k] != 0);
}
