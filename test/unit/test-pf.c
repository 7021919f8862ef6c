/*
 * pf in the dataplane driven the way pfctl drives a running pf: packets,
 * then a pfctl or route command, then more packets.  The pipeline tests
 * (pcap in, pcap out) run their commands after the whole replay; these
 * need a command between two packets of one flow.
 *
 * The lab is the handbook's routed segment: db01 (10.50.0.20) on tap0
 * behind vether0 (10.50.0.1), em0 198.51.100.2 towards the gateway
 * 198.51.100.1, em2 203.0.113.2 towards a second gateway 203.0.113.1.
 * What leaves a port is written to ETC/PORT.out and read back.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "test/ctlops.h"
#include "test/unit/dptest.h"

#define NPORTS	3

static const char *const ports[NPORTS + 1] = { "tap0", "em0", "em2", NULL };
static char etc[] = "/tmp/sluice-test-pf-XXXXXX";

static const uint8_t VE[6] = { 0xfe, 0xe1, 0xba, 0xd0, 0x00, 0x01 };
static const uint8_t E0[6] = { 0x02, 0x00, 0x00, 0x00, 0x0e, 0x00 };
static const uint8_t DB[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xdb };
static const uint8_t GW[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };

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
	    "inet 198.51.100.2 255.255.255.0\nup\n");
	put("hostname.em2", "lladdr 02:00:00:00:0e:02\n"
	    "inet 203.0.113.2 255.255.255.0\nup\n");
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

/* Every port writes what it sends. */
static void
build(struct dp *dp, struct conf **conf)
{
	dptest_build(dp, conf, etc, ports, NPORTS, ports);
}

static void
feed(struct dp *dp, const char *port, const uint8_t *frame, uint32_t len)
{
	struct port *p = dp_port(dp, port);
	struct pkt *k;

	cr_assert_not_null(p, "no port %s", port);
	cr_assert_not_null(k = pkt_alloc(&dp->pool));
	memcpy(k->data, frame, len);
	k->len = len;
	dp_input(dp, p, &k, 1);
}

static uint32_t
arp(uint8_t *b, int op, const uint8_t *sha, const char *spa,
    const uint8_t *tha, const char *tpa)
{
	memset(b, 0, 60);
	memcpy(b, op == 1 ? (const uint8_t *)"\xff\xff\xff\xff\xff\xff" : tha,
	    6);
	memcpy(b + 6, sha, 6);
	ether_put16(b + 12, 0x0806);
	ether_put16(b + 14, 1);
	ether_put16(b + 16, 0x0800);
	b[18] = 6;
	b[19] = 4;
	ether_put16(b + 20, (uint16_t)op);
	memcpy(b + 22, sha, 6);
	inet_pton(AF_INET, spa, b + 28);
	if (op == 2)
		memcpy(b + 32, tha, 6);
	inet_pton(AF_INET, tpa, b + 38);
	return 60;
}

/* An IPv4 frame: UDP or TCP (FLAGS) from SRC:SP to DST:DP. */
static uint32_t
ip4(uint8_t *b, const uint8_t *dmac, const uint8_t *smac, int proto,
    const char *src, uint16_t sp, const char *dst, uint16_t dport,
    uint8_t flags)
{
	uint8_t *ip = b + 14, *l4 = ip + 20;
	uint32_t l4len = proto == 6 ? 20 : 8, ps, len;

	memset(b, 0, 14 + 20 + 20 + 8);
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(l4, sp);
	ether_put16(l4 + 2, dport);
	if (proto == 6) {
		ip_put32(l4 + 4, 1000);
		if (flags & 0x10)
			ip_put32(l4 + 8, 5000);
		l4[12] = 5 << 4;
		l4[13] = flags;
	} else
		ether_put16(l4 + 4, 8);
	ps = csum_partial(ip + 12, 8, 0) + (uint32_t)proto + l4len;
	ether_put16(l4 + (proto == 6 ? 16 : 6), (uint16_t)~csum_fold(
	    csum_partial(l4, l4len, ps)));
	len = 14 + 20 + l4len;
	return len < 60 ? 60 : len;
}

/* Call fn on every frame PORT sent (after dp_destroy closed the
 * capture). */
static void
sent_each(const char *port, void (*fn)(const uint8_t *, uint32_t, void *),
    void *arg)
{
	char path[300];
	static uint8_t d[PKT_DATA_MAX];
	uint8_t hdr[24], rec[16];
	uint32_t incl;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.out", etc, port);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	cr_assert_eq(fread(hdr, 1, 24, f), 24);
	while (fread(rec, 1, 16, f) == 16) {
		memcpy(&incl, rec + 8, 4);
		cr_assert(incl <= sizeof(d));
		cr_assert_eq(fread(d, 1, incl, f), incl);
		fn(d, incl, arg);
	}
	fclose(f);
}

static void
sent_line(const uint8_t *d, uint32_t len, void *arg)
{
	FILE *out = arg;
	char s[16], t[16];

	if (len < 42 || ether_get16(d + 12) != ETHERTYPE_IP) {
		fprintf(out, "non-ip\n");
		return;
	}
	inet_ntop(AF_INET, d + 26, s, sizeof(s));
	inet_ntop(AF_INET, d + 30, t, sizeof(t));
	if (d[23] == 1)
		fprintf(out, "%s > %s icmp %u/%u\n", s, t, d[34], d[35]);
	else
		fprintf(out, "%s:%u > %s:%u proto %u\n", s,
		    ether_get16(d + 34), t, ether_get16(d + 36), d[23]);
}

/* The frames PORT sent, as "SRC:SP > DST:DP proto P" lines. */
static char *
sent(const char *port)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cr_assert_not_null(out = open_memstream(&text, &len));
	sent_each(port, sent_line, out);
	fclose(out);
	return text;
}

/* db01 is known to vether0, the gateway to em0. */
static void
neighbours(struct dp *dp)
{
	uint8_t b[64];

	feed(dp, "tap0", b, arp(b, 1, DB, "10.50.0.20", NULL, "10.50.0.1"));
	feed(dp, "em0", b, arp(b, 2, GW, "198.51.100.1", E0,
	    "198.51.100.2"));
}

TestSuite(pf, .init = setup, .fini = teardown);

#define PF_NAT \
	"match out on em0 from 10.50.0.0/24 nat-to (em0) port 50001\n" \
	"block all\n" \
	"pass in on vether0 from 10.50.0.0/24\n" \
	"pass out on em0 from (em0)\n"

/*
 * pfctl -F rules leaves the states working: the reply of a translated
 * flow still finds its state and goes home translated back (pf_test()
 * looks states up before it looks at rules).
 */
Test(pf, flush_rules_keeps_states_translating)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	char *home;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -F rules"), "rules cleared") != NULL);
	cr_expect_str_empty(dptest_ctl(&dp, "pfctl -sr"));
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", 53,
	    "198.51.100.2", 50001, 0));
	/* a flow without a state passes, untranslated */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41001,
	    "198.51.100.1", 53, 0));
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "all udp 198.51.100.2:50001 "
	    "(10.50.0.20:41000) -> 198.51.100.1:53       MULTIPLE:SINGLE\n")
	    != NULL, "%s", dptest_ctl(&dp, "pfctl -ss"));
	dptest_destroy(&dp, conf);
	home = sent("tap0");
	cr_expect(strstr(home, "198.51.100.1:53 > 10.50.0.20:41000 proto 17")
	    != NULL, "the reply did not go home translated:\n%s", home);
	free(home);
	home = sent("em0");
	cr_expect(strstr(home, "10.50.0.20:41001 > 198.51.100.1:53 proto 17")
	    != NULL, "no state, no rule: passes as it is:\n%s", home);
	free(home);
}

/*
 * egress is the group of the ports that hold the default route, and it
 * follows `route add|delete default' without a reload.
 */
Test(pf, egress_follows_the_default_route)
{
	static const char *const em0 = "explain out on em0 proto udp from "
	    "198.51.100.2 port 5000 to 198.51.100.9 port 53";
	static const char *const em2 = "explain out on em2 proto udp from "
	    "203.0.113.2 port 5000 to 203.0.113.9 port 53";
	struct dp dp;
	struct conf *conf;

	put("pf.conf", "block out all\npass out on egress all\n");
	build(&dp, &conf);
	cr_expect(strstr(dptest_ctl(&dp, em0), "  pass") != NULL, "%s",
	    dptest_ctl(&dp, em0));
	cr_expect(strstr(dptest_ctl(&dp, em2), "  block") != NULL, "%s",
	    dptest_ctl(&dp, em2));
	dptest_ctl(&dp, "route delete default");
	cr_expect(strstr(dptest_ctl(&dp, em0), "  block") != NULL,
	    "no default route, no egress:\n%s", dptest_ctl(&dp, em0));
	dptest_ctl(&dp, "route add default 203.0.113.1");
	cr_expect(strstr(dptest_ctl(&dp, em2), "  pass") != NULL,
	    "egress is em2 now:\n%s", dptest_ctl(&dp, em2));
	cr_expect(strstr(dptest_ctl(&dp, em0), "  block") != NULL, "%s",
	    dptest_ctl(&dp, em0));
	dptest_destroy(&dp, conf);
}

/* The -si counter row NAME with value V, as print_status() prints it. */
static int
has_counter(const char *text, const char *name, unsigned v)
{
	char row[80];

	snprintf(row, sizeof(row), "  %-25s %14u ", name, v);
	return strstr(text, row) != NULL;
}

/*
 * A nat-to pool with no address (tap0 has none) fails the packet even
 * where no state is made: pf_test_rule() maps the pool before it looks at
 * keep state (PFRES_TRANSLATE).  A later fragment of an unknown datagram
 * makes no state; before, it left untranslated.
 */
Test(pf, empty_pool_drops_later_fragments_too)
{
	static const char *const why = "explain out on em0 proto udp from "
	    "10.50.0.20 port 41000 to 198.51.100.1 port 53";
	struct dp dp;
	struct conf *conf;
	uint8_t b[128], *ip = b + 14;
	uint32_t n;
	const char *si;
	char *out;

	put("pf.conf", "set reassemble no\n"
	    "pass in on vether0 no state\n"
	    "pass out on em0 from 10.50.0.0/24 nat-to (tap0)\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	si = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(si, "translate", 1), "%s", si);
	/* the datagram's second fragment: offset 8, ids alike */
	n = ip4(b, VE, DB, 17, "10.50.0.20", 41001, "198.51.100.1", 53, 0);
	ether_put16(ip + 4, 0x1234);
	ether_put16(ip + 6, 1);
	ether_put16(ip + 10, 0);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	feed(&dp, "tap0", b, n);
	si = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(si, "translate", 2), "%s", si);
	cr_expect(strstr(dptest_ctl(&dp, why), "its pool has no address now: drop")
	    != NULL, "%s", dptest_ctl(&dp, why));
	cr_expect_str_empty(dptest_ctl(&dp, "pfctl -ss"));
	dptest_destroy(&dp, conf);
	out = sent("em0");
	cr_expect(strstr(out, "10.50.0.20") == NULL, "left em0:\n%s", out);
	free(out);
}

/*
 * set limit states is the size of pf's state pool: when it is full,
 * pool_get() fails and pf_create_state() counts PFRES_MEMORY; the
 * state-limit counter (PFRES_MAXSTATES) is a rule's own max.
 */
Test(pf, state_pool_full_counts_memory)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	const char *si;

	put("pf.conf", "set limit states 2\npass\n");
	build(&dp, &conf);
	neighbours(&dp);
	/* two states: in on vether0, out on em0 */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41001,
	    "198.51.100.1", 53, 0));
	si = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(si, "memory", 1), "%s", si);
	cr_expect(has_counter(si, "state-limit", 0), "%s", si);
	cr_expect(has_counter(si, "current entries", 2), "%s", si);
	dptest_destroy(&dp, conf);
}

/* keep state (max N): the rule's N-th state is its last; the next flow is
 * refused and counted as state-limit (PFRES_MAXSTATES), not memory. */
Test(pf, rule_max_states)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	const char *si;

	put("pf.conf", "pass out\n"
	    "pass in on vether0 proto udp keep state (max 1)\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41001,
	    "198.51.100.1", 53, 0));
	si = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(si, "state-limit", 1), "%s", si);
	cr_expect(has_counter(si, "memory", 0), "%s", si);
	cr_expect(has_counter(si, "current entries", 2), "%s", si);
	dptest_destroy(&dp, conf);
}

/* keep state (udp.first 7): that rule's states age by its own timeout;
 * the other rules' by the global one. */
Test(pf, rule_timeouts)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	const char *ss;

	put("pf.conf", "set timeout udp.first 50\n"
	    "pass out on em0\n"
	    "pass in on vether0 proto udp keep state (udp.first 7)\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	ss = dptest_ctl(&dp, "pfctl -vss");
	cr_expect(strstr(ss, "<- 10.50.0.20:41000       NO_TRAFFIC:SINGLE\n"
	    "   age 00:00:00, expires in 00:00:07, 1:0 pkts") != NULL,
	    "%s", ss);
	cr_expect(strstr(ss, "-> 198.51.100.1:53       SINGLE:NO_TRAFFIC\n"
	    "   age 00:00:00, expires in 00:00:50, 1:0 pkts") != NULL,
	    "%s", ss);
	dptest_destroy(&dp, conf);
}

/*
 * Reloads with ever new rule timeouts: after more than 63 sets over the
 * daemon's life the rule's own timeout still applies (a set no state and
 * no rule uses any more is reused), and a state made under an earlier
 * ruleset keeps aging by its own.
 */
Test(pf, rule_timeouts_over_many_reloads)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	char rules[160], want[160];
	const char *ss;
	int i;

	put("pf.conf", "pass out on em0\n"
	    "pass in on vether0 proto udp keep state (udp.first 9)\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 40999,
	    "198.51.100.1", 53, 0));
	for (i = 0; i < 100; i++) {
		snprintf(rules, sizeof(rules), "pass out on em0\n"
		    "pass in on vether0 proto udp keep state (udp.first "
		    "%d)\n", 100 + i);
		put("pf.conf", rules);
		cr_assert_str_eq(dptest_ctl(&dp, "pfctl -f /etc/pf.conf"), "",
		    "reload %d", i);
	}
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	ss = dptest_ctl(&dp, "pfctl -vss");
	cr_expect(strstr(ss, "<- 10.50.0.20:41000       NO_TRAFFIC:SINGLE\n"
	    "   age 00:00:00, expires in 00:03:19, 1:0 pkts") != NULL,
	    "the last reload's udp.first 199:\n%s", ss);
	snprintf(want, sizeof(want), "<- 10.50.0.20:40999       "
	    "NO_TRAFFIC:SINGLE\n   age 00:00:00, expires in 00:00:09");
	cr_expect(strstr(ss, want) != NULL, "the first state's 9 s:\n%s", ss);
	dptest_destroy(&dp, conf);
}

/* if-bound and floating per rule, over set state-policy: a bound state
 * shows its interface, a floating one "all" (pf's BOUND_IFACE()). */
Test(pf, rule_if_bound_and_floating)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	const char *ss;

	put("pf.conf", "set state-policy if-bound\n"
	    "pass out on em0 keep state (floating)\n"
	    "pass in on vether0 proto udp\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	ss = dptest_ctl(&dp, "pfctl -ss");
	cr_expect(strstr(ss, "vether0 udp 198.51.100.1:53 <- 10.50.0.20:41000")
	    != NULL, "%s", ss);
	cr_expect(strstr(ss, "all udp 10.50.0.20:41000 -> 198.51.100.1:53")
	    != NULL, "%s", ss);
	dptest_destroy(&dp, conf);
}

/*
 * pf_match_rule() translates at the match rule (pf_get_transaddr() picks
 * the address and the port) and later rules see the new source, port
 * included (pd->nsaddr, pd->nsport): a rule that passes only the
 * translated port decides.
 */
Test(pf, later_rules_see_the_translated_port)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	char *out;

	put("pf.conf",
	    "match out on em0 inet from 10.50.0.0/24 nat-to (em0) port "
	    "60000:60000\n"
	    "block out on em0 all\n"
	    "pass out on em0 proto udp from (em0) port 60000\n"
	    "pass in on tap0 all\n"
	    "pass out on tap0 all\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "all udp 198.51.100.2:60000 "
	    "(10.50.0.20:41000) -> 198.51.100.1:53") != NULL, "%s",
	    dptest_ctl(&dp, "pfctl -ss"));
	dptest_destroy(&dp, conf);
	out = sent("em0");
	cr_expect(strstr(out, "198.51.100.2:60000 > 198.51.100.1:53 proto 17")
	    != NULL, "not passed by the rule for the translated port:\n%s",
	    out);
	free(out);
}

/* A state reclaimed by state_insert()'s full-table purge leaves its
 * rule's count too (it did not, and a keep state (max N) rule then
 * refused every new flow). */
Test(pf, max_states_leak_on_full_purge)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	const char *t;
	int i;

	put("pf.conf", "set limit states 4\nset timeout udp.first 5\n"
	    "pass out\n"
	    "pass in on vether0 proto udp keep state (max 1)\n"
	    "pass in on vether0 proto tcp\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	dp_clock(&dp, 100000000000ULL);	/* udp states expired */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 6, "10.50.0.20", 42000,
	    "198.51.100.1", 80, 0x02));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 6, "10.50.0.20", 42001,
	    "198.51.100.1", 80, 0x02));
	for (i = 0; i < 30; i++) {
		dp_clock(&dp, (101ULL + i) * 1000000000ULL);
		dp_pf_tick(&dp);
	}
	t = dptest_ctl(&dp, "pfctl -ss");
	fprintf(stderr, "-ss:\n%s", t);
	t = dptest_ctl(&dp, "pfctl -vsr");
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41001,
	    "198.51.100.1", 53, 0));
	t = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(t, "state-limit", 0),
	    "udp flow refused by max 1 with no udp state alive");
	dptest_destroy(&dp, conf);
}

/* pfctl -z clears the counters, not the live states a rule's max 1 is
 * checked against (PF_GET_CLR_CNTR): no second state. */
Test(pf, z_resets_states_cur)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	const char *t;

	put("pf.conf", "pass out\n"
	    "pass in on vether0 proto udp keep state (max 1)\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	dptest_ctl(&dp, "pfctl -z");
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41001,
	    "198.51.100.1", 53, 0));
	t = dptest_ctl(&dp, "pfctl -ss");
	cr_expect(strstr(t, "41001") == NULL, "max 1 rule has two states");
	dptest_destroy(&dp, conf);
}

/* a fragment of offset OFF8 (8-byte units), MF, LEN payload bytes. */
static uint32_t
frag4(uint8_t *b, const uint8_t *dmac, const uint8_t *smac, const char *src,
    const char *dst, uint16_t off8, int mf, uint32_t len)
{
	uint8_t *ip = b + 14;

	memset(b, 0, 14 + 20 + len);
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(20 + len));
	ether_put16(ip + 4, 0x4242);
	ether_put16(ip + 6, (uint16_t)((mf ? 0x2000 : 0) | off8));
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	if (off8 == 0) {
		ether_put16(ip + 20, 41000);
		ether_put16(ip + 22, 53);
		ether_put16(ip + 24, 8 + 3 * 64 - 8);
	}
	return 14 + 20 + len;
}

/* set reassemble no: a fragment after its datagram's last one still
 * follows the state and leaves translated: the inside address never
 * reaches em0. */
Test(pf, middle_fragment_after_last)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[256];
	char *out, *q;
	int n;

	put("pf.conf", "set reassemble no\n" PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, frag4(b, VE, DB, "10.50.0.20", "198.51.100.1",
	    0, 1, 64));
	feed(&dp, "tap0", b, frag4(b, VE, DB, "10.50.0.20", "198.51.100.1",
	    16, 0, 64));	/* the last, before the middle */
	feed(&dp, "tap0", b, frag4(b, VE, DB, "10.50.0.20", "198.51.100.1",
	    8, 1, 64));
	dptest_destroy(&dp, conf);
	out = sent("em0");
	cr_expect(strstr(out, "10.50.0.20") == NULL,
	    "the inside address left on em0:\n%s", out);
	for (n = 0, q = out; (q = strstr(q, "198.51.100.2:")) != NULL; q++)
		n++;
	cr_expect_eq(n, 3, "three fragments, translated:\n%s", out);
	free(out);
}

/* -vsi's fragment removals after -F all cleared the counts: no wrap. */
Test(pf, vsi_frag_removals)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[256];
	const char *si;
	unsigned long long removals = 1;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, frag4(b, VE, DB, "10.50.0.20", "198.51.100.1",
	    0, 1, 64));
	dptest_ctl(&dp, "pfctl -F all");
	si = dptest_ctl(&dp, "pfctl -vsi");
	cr_assert_not_null(si = strstr(si, "\nFragments\n"));
	cr_assert_not_null(si = strstr(si, "  removals"));
	cr_expect_eq(sscanf(si, "  removals %llu", &removals), 1);
	cr_expect_eq(removals, 0, "%s", si);
	dptest_destroy(&dp, conf);
}

/* One pflog record read from a capture stream. */
struct logrec {
	uint8_t		 af, action, reason, dir;
	char		 ifname[17], ruleset[17];
	uint32_t	 rulenr;
	int32_t		 subrulenr;
	uint8_t		 ip[20];
};

/* The pflog records on fd so far (after the pcap header, once). */
static int
read_pflog(int fd, struct logrec *out, int max)
{
	static uint8_t buf[1 << 16];
	ssize_t n;
	size_t off;
	int k = 0;

	n = read(fd, buf, sizeof(buf));
	cr_assert_geq(n, 24, "no pcap header");
	cr_assert_eq(buf[20], 117, "linktype DLT_PFLOG");
	for (off = 24; off + 16 <= (size_t)n && k < max; k++) {
		uint32_t caplen;
		const uint8_t *h;

		memcpy(&caplen, buf + off + 8, 4);
		h = buf + off + 16;
		cr_assert_eq(h[0], 100, "pfloghdr length");
		out[k].af = h[1];
		out[k].action = h[2];
		out[k].reason = h[3];
		memcpy(out[k].ifname, h + 4, 16);
		out[k].ifname[16] = '\0';
		memcpy(out[k].ruleset, h + 20, 16);
		out[k].ruleset[16] = '\0';
		out[k].rulenr = ip_get32(h + 36);
		out[k].subrulenr = (int32_t)ip_get32(h + 40);
		out[k].dir = h[60];
		memcpy(out[k].ip, h + 100, 20);
		off += 16 + caplen;
	}
	return k;
}

/* Read pflog0 as `sluicectl tcpdump -i pflog0' does, through sv[1]. */
static void
pflog_listen(struct dp *dp, int sv[2])
{
	char err[128];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(capture_start(dp, sv[0], "pflog0", 0, err, sizeof(err)),
	    0, "%s", err);
}

/*
 * pflog0: a `log' rule's decision, pass or block, numbered as pf numbers
 * it (an anchored rule: the anchor rule's number, the anchor's name, its
 * own number); `log (all)': every packet of the state; `log (to
 * pflog1)' only there.
 */
Test(pf, pflog_records_what_log_rules_decide)
{
	struct conf *conf;
	struct dp dp;
	struct logrec r[8];
	uint8_t b[80];
	int sv[2], n;

	put("pf.conf", "block log all\n"
	    "pass in on vether0 from 10.50.0.0/24\n"
	    "anchor \"db01\" {\n"
	    "  block in log on vether0 proto udp to port 23\n"
	    "}\n"
	    "pass out log (all) on em0 proto udp\n"
	    "pass out log (to pflog1) on em0 proto tcp\n");
	build(&dp, &conf);
	neighbours(&dp);
	pflog_listen(&dp, sv);
	/* Blocked in the anchor, then by block log all (from em0). */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 5000,
	    "198.51.100.1", 23, 0));
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", 5000,
	    "198.51.100.2", 9, 0));
	/* A UDP flow out: its first packet and the next, log (all). */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	/* TCP logs to pflog1: nothing here. */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 6, "10.50.0.20", 42000,
	    "198.51.100.1", 80, 0x02));
	capture_flush(&dp);
	n = read_pflog(sv[1], r, 8);
	cr_assert_eq(n, 4, "%d records", n);
	cr_expect_eq(r[0].action, 1, "block");
	cr_expect_eq(r[0].dir, 1, "in");
	cr_expect_str_eq(r[0].ifname, "vether0");
	cr_expect_str_eq(r[0].ruleset, "db01");
	cr_expect_eq(r[0].rulenr, 2, "the anchor rule, @2");
	cr_expect_eq(r[0].subrulenr, 0, "its first rule");
	cr_expect_eq(r[0].af, 2);
	cr_expect_eq(ip_get32(r[0].ip + 16), 0xc6336401, "the packet");
	cr_expect_eq(r[1].action, 1);
	cr_expect_str_eq(r[1].ifname, "em0");
	cr_expect_str_eq(r[1].ruleset, "");
	cr_expect_eq(r[1].rulenr, 0);
	cr_expect_eq(r[1].subrulenr, -1);
	cr_expect_eq(r[2].action, 0, "pass");
	cr_expect_eq(r[2].dir, 2, "out");
	cr_expect_eq(r[2].rulenr, 3);
	cr_expect_eq(r[3].rulenr, 3, "log (all): the state's next packet");
	cr_expect_eq(r[3].action, 0);
	close(sv[0]);
	close(sv[1]);
	dptest_destroy(&dp, conf);
}

/*
 * pfctl -t -T: a table changed at run time decides the next packets (the
 * rules compiled again), with pfctl's messages and exit codes; a const
 * table refuses; a new table is made by add.
 */
Test(pf, tables_change_at_run_time)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[80];
	uint64_t blocked;

	put("pf.conf", "table <bad> { 203.0.113.0/24 !203.0.113.7 }\n"
	    "table <c> const persist { 192.0.2.9 }\n"
	    "block in quick on em0 from <bad>\n"
	    "pass all\n");
	build(&dp, &conf);
	neighbours(&dp);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bad -T show"),
	    "   203.0.113.0/24\n  !203.0.113.7\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bad -T test 203.0.113.5 "
	    "203.0.113.7"), 2);
	cr_expect_str_eq(dptest_out, "1/2 addresses match.\n");

	blocked = dp.pf.blocked;
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", 5000,
	    "10.50.0.20", 53, 0));
	cr_expect_eq(dp.pf.blocked, blocked, "not in <bad> yet");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bad -T add 198.51.100.1 "
	    "203.0.113.0/24"), "1/2 addresses added.\n", "one was there");
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", 5001,
	    "10.50.0.20", 53, 0));
	cr_expect_eq(dp.pf.blocked, blocked + 1, "in <bad> now");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bad -T delete "
	    "198.51.100.1 192.0.2.77"), "1/2 addresses deleted.\n");
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", 5002,
	    "10.50.0.20", 53, 0));
	cr_expect_eq(dp.pf.blocked, blocked + 1, "out again");

	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t new -T add 192.0.2.1"),
	    "1 table created.\n1/1 addresses added.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -s Tables"), "bad\nc\nnew\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -vsT"), "--a-r--\tbad\n"
	    "cpa----\tc\n-pa----\tnew\n", "-T add makes it persist");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t c -T add 192.0.2.10"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Operation not permitted.\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t nope -T show"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Table does not exist.\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bad -T add 300.1.2.3"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: 300.1.2.3: not an address or "
	    "network\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bad -T replace "
	    "203.0.113.0/24 2001:db8::/32"),
	    "1 addresses added.\n1 addresses deleted.\n", "the ! entry went");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bad -T flush"),
	    "2 addresses deleted.\n");
	dptest_destroy(&dp, conf);
}

/*
 * pfctl -s labels: a line a labelled rule, "label evaluations packets
 * bytes in-packets in-bytes out-packets out-bytes state-creations"; the
 * label's macros expanded as pfctl expands them.
 */
Test(pf, show_labels)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[80];
	uint32_t len;

	put("pf.conf", "block all label \"deny\"\n"
	    "pass in on vether0 from 10.50.0.0/24 label \"isol-$nr\"\n"
	    "pass out on em0\n");
	build(&dp, &conf);
	neighbours(&dp);
	len = ip4(b, VE, DB, 17, "10.50.0.20", 41000, "198.51.100.1", 53, 0);
	feed(&dp, "tap0", b, len);
	feed(&dp, "tap0", b, len);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sl"),
	    "deny 2 0 0 0 0 0 0 0\n"
	    "isol-1 1 2 56 2 56 0 0 1\n", "the second packet met the "
	    "states, not the rules");
	dptest_destroy(&dp, conf);
}

/* explain ... tagged NAME: the packet as an earlier rule tagged it. */
Test(pf, explain_tagged)
{
	struct conf *conf;
	struct dp dp;
	const char *q = "explain out on em0 proto udp from 10.50.0.20 to "
	    "198.51.100.1 port 53";
	char line[200];

	put("pf.conf", "block out on em0 all\n"
	    "pass in on vether0 tag ISOL\n"
	    "pass out on em0 tagged ISOL\n");
	build(&dp, &conf);
	cr_expect(strstr(dptest_ctl(&dp, q), "\n  block") != NULL, "%s",
	    dptest_out);
	snprintf(line, sizeof(line), "%s tagged ISOL", q);
	cr_expect(strstr(dptest_ctl(&dp, line), ", tagged ISOL\n") != NULL,
	    "%s", dptest_out);
	cr_expect(strstr(dptest_out, "\n  pass") != NULL, "%s", dptest_out);
	snprintf(line, sizeof(line), "%s tagged NOPE", q);
	cr_expect_eq(dptest_ctl_rc(&dp, line), 1);
	cr_expect_str_eq(dptest_out, "explain: tag NOPE: no rule sets or "
	    "tests it\n");
	dptest_destroy(&dp, conf);
}

/* pfctl -s Interfaces: "all", the ports and their groups, by name; -v
 * marks what set skip skips. */
Test(pf, show_interfaces)
{
	struct conf *conf;
	struct dp dp;
	const char *t;

	put("pf.conf", "set skip on em2\nblock all\n");
	build(&dp, &conf);
	t = dptest_ctl(&dp, "pfctl -vsI");
	cr_expect(strstr(t, "all\n") == t, "all first: %s", t);
	cr_expect(strstr(t, "\negress\nem0\n") != NULL, "%s", t);
	cr_expect(strstr(t, "\nem2 (skip)\n") != NULL, "%s", t);
	cr_expect(strstr(t, "\nvether\nvether0\n") != NULL, "a group, then its "
	    "member: %s", t);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sI"), "(skip)") == NULL);
	dptest_destroy(&dp, conf);
}

/* The IPv4 headers of the frames a port sent, for scrub's tests. */
struct iphdrs {
	uint8_t		 h[8][20];
	int		 n;
};

static void
sent_iphdr(const uint8_t *d, uint32_t len, void *arg)
{
	struct iphdrs *ih = arg;

	if (len >= 34 && ether_get16(d + 12) == ETHERTYPE_IP && ih->n < 8)
		memcpy(ih->h[ih->n++], d + 14, 20);
}

/* A UDP frame from db01 with IP header fields set: tos, id, frag bits. */
static uint32_t
udp_ip(uint8_t *b, uint8_t tos, uint16_t id, uint16_t off)
{
	uint32_t len = ip4(b, VE, DB, 17, "10.50.0.20", 41000, "198.51.100.1",
	    53, 0);
	uint8_t *ip = b + 14;

	ip[1] = tos;
	ether_put16(ip + 4, id);
	ether_put16(ip + 6, off);
	ether_put16(ip + 10, 0);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	return len;
}

/*
 * random-id gives every whole datagram a new id and a fragment keeps the
 * one its datagram shares; `tos' matches the DSCP without the ECN bits,
 * as pf_setup_pdesc() keeps it.
 */
Test(pf, scrub_random_id_and_tos_criterion)
{
	struct conf *conf;
	struct dp dp;
	struct iphdrs ih = { .n = 0 };
	uint8_t b[128];
	int i, changed = 0;

	put("pf.conf", "set reassemble no\n"
	    "match in all scrub (random-id)\n"
	    "block in quick on vether0 proto udp tos 0x20\n"
	    "pass all no state\n");
	build(&dp, &conf);
	neighbours(&dp);
	for (i = 0; i < 4; i++)
		feed(&dp, "tap0", b, udp_ip(b, 0, 0x1234, 0));
	feed(&dp, "tap0", b, udp_ip(b, 0x21, 0x1234, 0));   /* DSCP 0x20 */
	feed(&dp, "tap0", b, udp_ip(b, 0x22, 0x1234, 0));
	feed(&dp, "tap0", b, udp_ip(b, 0x24, 0x1234, 0x2000)); /* MF */
	cr_expect(strstr(dptest_ctl(&dp, "explain in on vether0 proto udp "
	    "from 10.50.0.20 to 198.51.100.1 port 53"), "\n  normalized: "
	    "scrub (random-id), on this packet\n") != NULL, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "stats"), " scrubbed ") != NULL);
	dptest_destroy(&dp, conf);
	sent_each("em0", sent_iphdr, &ih);
	/* 4 whole datagrams and the fragment */
	cr_assert_eq(ih.n, 5, "%d IPv4 frames left on em0", ih.n);
	for (i = 0; i < 4; i++) {
		cr_expect_eq(csum_fold(csum_partial(ih.h[i], 20, 0)), 0xffff,
		    "frame %d: IP checksum", i);
		changed += ether_get16(ih.h[i] + 4) != 0x1234;
	}
	/* each keeps 0x1234 by chance once in 65536 */
	cr_expect_geq(changed, 3, "%d of 4 ids changed", changed);
	cr_expect_eq(ih.h[4][1], 0x24);
	cr_expect_eq(ether_get16(ih.h[4] + 4), 0x1234, "a fragment's id moved");
}

/*
 * antispoof is pfctl's expansion into two block rules per interface,
 * made from the interface's addresses when the rules load: its network
 * may not come in anywhere else, its own address not at all.
 */
Test(pf, antispoof_blocks_spoofed_sources)
{
	struct conf *conf;
	struct dp dp;
	const char *sr;
	char *wan;
	uint8_t b[128];

	put("pf.conf", "antispoof quick for vether0\npass all no state\n");
	build(&dp, &conf);
	neighbours(&dp);
	sr = dptest_ctl(&dp, "pfctl -sr");
	cr_expect(strstr(sr, "block drop in quick on ! vether0 inet from "
	    "10.50.0.0/24 to any\n") != NULL, "%s", sr);
	cr_expect(strstr(sr, "block drop in quick inet from 10.50.0.1 to "
	    "any\n") != NULL, "%s", sr);
	/* a wan host claiming to be on the isolated segment, then honest */
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "10.50.0.9", 5000,
	    "198.51.100.2", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	/* vether0's own address from its own segment */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.1", 41000,
	    "198.51.100.1", 53, 0));
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em0 proto udp from "
	    "10.50.0.9 port 5000 to 198.51.100.2 port 53"), "\n  block") !=
	    NULL, "%s", dptest_out);
	dptest_destroy(&dp, conf);
	wan = sent("em0");
	cr_expect_str_eq(wan, "10.50.0.20:41000 > 198.51.100.1:53 proto 17\n",
	    "%s", wan);
	free(wan);
}

/* A TCP handshake from the wan's 198.51.100.1:SPORT to db01's ssh. */
static void
handshake(struct dp *dp, uint16_t sport)
{
	uint8_t b[128];

	feed(dp, "em0", b, ip4(b, E0, GW, 6, "198.51.100.1", sport,
	    "10.50.0.20", 22, 0x02));
	feed(dp, "tap0", b, ip4(b, VE, DB, 6, "10.50.0.20", 22,
	    "198.51.100.1", sport, 0x12));
	feed(dp, "em0", b, ip4(b, E0, GW, 6, "198.51.100.1", sport,
	    "10.50.0.20", 22, 0x10));
}

/*
 * The brute-force guard: the third completed connection breaks
 * max-src-conn 2, so the source goes into <bruteforce>, the states it
 * made coming in go (flush global), and so does the offending one; its
 * next SYN meets `block quick from <bruteforce>'.
 */
Test(pf, overload_puts_a_brute_forcer_in_its_table)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];
	char *db;

	put("pf.conf", "table <bruteforce> persist\n"
	    "block quick from <bruteforce>\n"
	    "pass in on em0 proto tcp to port 22 keep state "
	    "(max-src-conn 2, overload <bruteforce> flush global)\n"
	    "pass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	handshake(&dp, 40001);
	handshake(&dp, 40002);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sS"), "198.51.100.1 ( states "
	    "2, connections 2, rate 1.0/0s )\n");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vss"), ", rule 1, "
	    "source-track\n") != NULL, "%s", dptest_out);
	cr_expect_str_empty(dptest_ctl(&dp, "pfctl -t bruteforce -T show"));
	handshake(&dp, 40003);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bruteforce -T show"),
	    "   198.51.100.1\n");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "<- 198.51.100.1")
	    == NULL, "states in from the source stayed:\n%s", dptest_out);
	dptest_ctl(&dp, "pfctl -vsi");
	cr_expect(has_counter(dptest_out, "src-limit", 1), "%s", dptest_out);
	cr_expect(has_counter(dptest_out, "max-src-conn", 1), "%s",
	    dptest_out);
	cr_expect(has_counter(dptest_out, "overload table insertion", 1),
	    "%s", dptest_out);
	cr_expect(has_counter(dptest_out, "overload flush states", 2), "%s",
	    dptest_out);
	feed(&dp, "em0", b, ip4(b, E0, GW, 6, "198.51.100.1", 40004,
	    "10.50.0.20", 22, 0x02));
	dptest_destroy(&dp, conf);
	db = sent("tap0");
	cr_expect(strstr(db, "198.51.100.1:40003 > 10.50.0.20:22") != NULL,
	    "%s", db);
	cr_expect(strstr(db, ":40004 ") == NULL, "the overloaded source's SYN "
	    "went through:\n%s", db);
	free(db);
}

/*
 * max-src-states: a source's third state is refused, another source's
 * first is not; -vsS; a node without states goes at the next purge.
 */
Test(pf, max_src_states_and_source_nodes)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];
	uint16_t sp;

	put("pf.conf", "pass in on em0 proto udp to port 53 keep state "
	    "(max-src-states 2)\npass out all no state\n");
	build(&dp, &conf);
	neighbours(&dp);
	for (sp = 5001; sp <= 5003; sp++)
		feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", sp,
		    "10.50.0.20", 53, 0));
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.7", 5001,
	    "10.50.0.20", 53, 0));
	dptest_ctl(&dp, "pfctl -vsi");
	cr_expect(has_counter(dptest_out, "src-limit", 1), "%s", dptest_out);
	cr_expect(has_counter(dptest_out, "max-src-states", 1), "%s",
	    dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sS"), "198.51.100.1 ( states "
	    "2, connections 0, rate 0.0/0s )\n198.51.100.7 ( states 1, "
	    "connections 0, rate 0.0/0s )\n");
	/* max-src-states alone tracks sources globally: no rule named */
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vsS"), "\n   age 00:00:00, 2 "
	    "pkts, 56 bytes\n") != NULL, "%s", dptest_out);
	dptest_ctl(&dp, "pfctl -F states");
	dp_pf_tick(&dp);
	cr_expect_str_empty(dptest_ctl(&dp, "pfctl -sS"));
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vsi"), "Source Tracking "
	    "Table\n  current entries                        0 ") != NULL,
	    "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* max-src-conn-rate 2/10: the third handshake within the second is one
 * too many; without overload, only that connection's state goes. */
Test(pf, max_src_conn_rate)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "pass in on em0 proto tcp to port 22 keep state "
	    "(max-src-conn-rate 2/10)\npass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	handshake(&dp, 40001);
	handshake(&dp, 40002);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sS"), "198.51.100.1 ( states "
	    "2, connections 2, rate 2.0/10s )\n");
	handshake(&dp, 40003);
	dptest_ctl(&dp, "pfctl -vsi");
	cr_expect(has_counter(dptest_out, "max-src-conn-rate", 1), "%s",
	    dptest_out);
	cr_expect(has_counter(dptest_out, "overload table insertion", 0),
	    "%s", dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sS"), "198.51.100.1 ( states "
	    "2, connections 2, rate 3.0/10s )\n");
	dptest_destroy(&dp, conf);
}

/* pfctl -T expire, zero and kill: what a cron job does to an overload
 * table, and a table's removal under the rules that name it. */
/*
 * set limit tables, table-entries and anchors: pfctl -sm shows them, a
 * rule set over one is refused whole, pfctl -T cannot add past them.
 */
Test(pf, limits_tables_entries_anchors)
{
	struct conf *conf;
	struct dp dp;
	char cmd[128];

	put("pf.conf", "set limit { tables 2, table-entries 3, anchors 1 }\n"
	    "table <a> persist { 192.0.2.1 192.0.2.2 }\n"
	    "table <b> persist { 192.0.2.3 }\n"
	    "anchor \"x\"\npass\n");
	build(&dp, &conf);
	dptest_ctl(&dp, "pfctl -sm");
	cr_expect(strstr(dptest_out, "tables        hard limit        2\n"
	    "table-entries hard limit        3\n") != NULL, "%s", dptest_out);
	cr_expect(strstr(dptest_out, "anchors       hard limit        1\n") !=
	    NULL, "%s", dptest_out);
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t a -T add 192.0.2.4"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Cannot allocate memory (set "
	    "limit table-entries 3).\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t a -T show"),
	    "   192.0.2.1\n   192.0.2.2\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t c -T add 192.0.2.5"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Cannot allocate memory (set "
	    "limit tables 2).\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t a -T delete 192.0.2.1"), 0);
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t b -T add 192.0.2.4"), 0,
	    "%s", dptest_out);
	/* over a limit: refused whole, the old one stays */
	put("pf2.conf", "set limit tables 1\ntable <a> persist { 192.0.2.1 }\n"
	    "table <b> persist\npass\n");
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf2.conf", etc);
	cr_expect_neq(dptest_ctl_rc(&dp, cmd), 0);
	cr_expect(strstr(dptest_out, "pfctl: 2 tables, more than set limit "
	    "tables 1: Cannot allocate memory\n") != NULL, "%s", dptest_out);
	/* the live persistent <b> stays, with its 2 entries */
	put("pf2.conf", "set limit table-entries 1\n"
	    "table <a> persist { 192.0.2.1 192.0.2.2 }\npass\n");
	cr_expect_neq(dptest_ctl_rc(&dp, cmd), 0);
	cr_expect(strstr(dptest_out, "pfctl: 4 table entries, more than set "
	    "limit table-entries 1: Cannot allocate memory\n") != NULL, "%s",
	    dptest_out);
	put("pf2.conf", "anchor \"x\"\nanchor \"y\"\npass\n");
	cr_expect_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	put("pf2.conf", "set limit anchors 1\nanchor \"x\"\nanchor \"y\"\n"
	    "pass\n");
	cr_expect_neq(dptest_ctl_rc(&dp, cmd), 0);
	cr_expect(strstr(dptest_out, "pfctl: 2 anchors, more than set limit "
	    "anchors 1: Cannot allocate memory\n") != NULL, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sm"),
	    "anchors       hard limit      512\n") != NULL, "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

Test(pf, table_expire_zero_kill)
{
	static const char *const q = "explain in on em0 proto udp from "
	    "192.0.2.2 port 5 to 198.51.100.2 port 53";
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "table <bf> persist { 192.0.2.1 }\n"
	    "block quick from <bf>\npass all no state\n");
	build(&dp, &conf);
	/* loaded by the host's clock; the test's starts at 1 s */
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T zero"),
	    "1 table/stats cleared.\n");
	dp_clock(&dp, 101000000000ULL);
	dptest_ctl(&dp, "pfctl -t bf -T add 192.0.2.2");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bf -T expire soon"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: expiry time: soon\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T expire 50"),
	    "1/1 addresses expired.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   192.0.2.2\n");
	cr_expect(strstr(dptest_ctl(&dp, q), "\n  block") != NULL, "%s",
	    dptest_out);
	dp_clock(&dp, 201000000000ULL);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T zero"),
	    "1 table/stats cleared.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T expire 50"),
	    "0/0 addresses expired.\n");
	/* zero with addresses: only those entries start again */
	dptest_ctl(&dp, "pfctl -t bf -T add 192.0.2.3");
	dp_clock(&dp, 301000000000ULL);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T zero 192.0.2.3 "
	    "192.0.2.99"), "1/2 addresses cleared.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T expire 50"),
	    "1/1 addresses expired.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   192.0.2.3\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bf -T zero 300.1.1.1"), 1);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T kill"),
	    "1 table deleted.\n");
	cr_expect_str_empty(dptest_ctl(&dp, "pfctl -s Tables"));
	cr_expect(strstr(dptest_ctl(&dp, q), "\n  pass") != NULL, "%s",
	    dptest_out);
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bf -T kill"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Table does not exist.\n");
	dptest_destroy(&dp, conf);
}

/*
 * A match rule with log logs the packet when it applies (action match,
 * whatever decides); after a match rule with log (matches), every rule
 * the packet matches logs, the deciding one too.
 */
Test(pf, pflog_match_rules)
{
	struct conf *conf;
	struct dp dp;
	struct logrec r[8];
	uint8_t b[80];
	int sv[2], n;

	put("pf.conf", "match in log on vether0 proto udp to port 53\n"
	    "match in log (matches) on vether0 proto tcp\n"
	    "pass in on vether0 proto tcp to port 80\n"
	    "pass in on vether0\n"
	    "pass out on em0\n");
	build(&dp, &conf);
	neighbours(&dp);
	pflog_listen(&dp, sv);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 6, "10.50.0.20", 42000,
	    "198.51.100.1", 80, 0x02));
	capture_flush(&dp);
	n = read_pflog(sv[1], r, 8);
	cr_assert_eq(n, 4, "%d records", n);
	cr_expect_eq(r[0].action, 12, "PF_MATCH");
	cr_expect_eq(r[0].rulenr, 0);
	cr_expect_eq(r[1].action, 12);
	cr_expect_eq(r[1].rulenr, 1, "the log (matches) rule itself");
	cr_expect_eq(r[2].action, 0);
	cr_expect_eq(r[2].rulenr, 2, "matched, not deciding");
	cr_expect_eq(r[3].action, 0);
	cr_expect_eq(r[3].rulenr, 3, "the deciding rule");
	close(sv[0]);
	close(sv[1]);
	dptest_destroy(&dp, conf);
}

/* ---- set reassemble yes (pf's default) ---------------------------------- */

/* A UDP datagram, IP header on, with PAY bytes of data i * 7 and id 0x5151. */
static uint32_t
udp_big(uint8_t *ip, const char *src, uint16_t sp, const char *dst,
    uint16_t dport, uint32_t pay)
{
	uint8_t *l4 = ip + 20;
	uint32_t i, ps;

	memset(ip, 0, 28);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(28 + pay));
	ether_put16(ip + 4, 0x5151);
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(l4, sp);
	ether_put16(l4 + 2, dport);
	ether_put16(l4 + 4, (uint16_t)(8 + pay));
	for (i = 0; i < pay; i++)
		l4[8 + i] = (uint8_t)(i * 7);
	ps = csum_partial(ip + 12, 8, 0) + 17 + 8 + pay;
	ether_put16(l4 + 6, (uint16_t)~csum_fold(csum_partial(l4, 8 + pay,
	    ps)));
	return 28 + pay;
}

/* The fragment of the datagram at ip with LEN bytes from OFF, framed. */
static uint32_t
frag_of(uint8_t *b, const uint8_t *dmac, const uint8_t *smac,
    const uint8_t *ip, uint32_t off, uint32_t len)
{
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	ether_put16(b + 12, ETHERTYPE_IP);
	return 14 + ip_frag_build(b + 14, ip, off, len);
}

/* What a port sent, put together again by the test (not by sluice). */
struct rx_dgram {
	int		 n;		/* IPv4 frames */
	int		 bad_ipsum;
	uint32_t	 off[16], plen[16];
	int		 mf[16];
	uint32_t	 total;		/* payload, once the last came */
	uint8_t		 hdr[60];	/* the first's */
	uint8_t		 d[65536];
};

static void
rx_collect(const uint8_t *d, uint32_t len, void *arg)
{
	struct rx_dgram *o = arg;
	const uint8_t *ip = d + 14;
	uint32_t hl, iplen, off;

	if (len < 34 || ether_get16(d + 12) != ETHERTYPE_IP)
		return;
	hl = (ip[0] & 0x0fu) * 4;
	iplen = ether_get16(ip + 2);
	off = (ether_get16(ip + 6) & 0x1fffu) * 8;
	cr_assert(iplen >= hl && 14 + iplen <= len && off + iplen - hl <=
	    sizeof(o->d));
	if (csum_fold(csum_partial(ip, hl, 0)) != 0xffff)
		o->bad_ipsum++;
	if (o->n < 16) {
		o->off[o->n] = off;
		o->plen[o->n] = iplen - hl;
		o->mf[o->n] = (ether_get16(ip + 6) & IP_MF) != 0;
	}
	o->n++;
	memcpy(o->d + off, ip + hl, iplen - hl);
	if (off == 0)
		memcpy(o->hdr, ip, hl);
	if (!(ether_get16(ip + 6) & IP_MF))
		o->total = off + iplen - hl;
}

/* The datagram came out whole in content: PAY bytes of udp_big()'s data
 * from SRC:SP, the UDP checksum right. */
static void
rx_check(const struct rx_dgram *o, const char *src, uint16_t sp,
    uint32_t pay)
{
	uint8_t a[4];
	uint32_t i, ps;

	cr_assert_eq(o->total, 8 + pay, "%u payload bytes", o->total);
	cr_expect_eq(o->bad_ipsum, 0, "IP header checksums");
	inet_pton(AF_INET, src, a);
	cr_expect(memcmp(o->hdr + 12, a, 4) == 0, "source address");
	cr_expect_eq(ether_get16(o->d), sp, "source port %u",
	    ether_get16(o->d));
	for (i = 0; i < pay; i++)
		if (o->d[8 + i] != (uint8_t)(i * 7))
			break;
	cr_expect_eq(i, pay, "data differs at %u", i);
	ps = csum_partial(o->hdr + 12, 8, 0) + 17 + o->total;
	cr_expect_eq(csum_fold(csum_partial(o->d, o->total, ps)), 0xffff,
	    "UDP checksum");
}

/* The value of counter NAME in `stats'. */
static long
stat_of(struct dp *dp, const char *name)
{
	return dptest_counter(dptest_ctl(dp, "stats"), name);
}

static struct rx_dgram rx;

/* db01's 1200-byte datagram in fragments of 400 in ORDER[] (indexes). */
static void
feed_frags(struct dp *dp, const int *order, int n, uint16_t id)
{
	static uint8_t ip[2048], b[2048];
	uint32_t len = udp_big(ip, "10.50.0.20", 41000, "198.51.100.1", 53,
	    1192), i;

	ether_put16(ip + 4, id);
	for (i = 0; i < (uint32_t)n; i++) {
		uint32_t off = (uint32_t)order[i] * 400;

		feed(dp, "tap0", b, frag_of(b, VE, DB, ip, off,
		    len - 20 - off < 400 ? len - 20 - off : 400));
	}
}

static void
reass_nat(const int *order)
{
	struct dp dp;
	struct conf *conf;
	const char *si;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	feed_frags(&dp, order, 3, 0x5151);
	cr_expect_eq(stat_of(&dp, "reass-held"), 2);
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	si = strstr(dptest_ctl(&dp, "pfctl -vsi"), "\nFragments\n");
	cr_assert_not_null(si);
	cr_expect(has_counter(si, "current entries", 0) && has_counter(si,
	    "inserts", 1) && has_counter(si, "removals", 1), "%s", si);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "all udp "
	    "198.51.100.2:50001 (10.50.0.20:41000) -> 198.51.100.1:53") != NULL,
	    "%s", dptest_out);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_assert_eq(rx.n, 1, "%d frames on em0, expected one whole", rx.n);
	cr_expect_eq(rx.mf[0], 0);
	cr_expect_eq(rx.off[0], 0);
	rx_check(&rx, "198.51.100.2", 50001, 1192);
	cr_expect_eq(rx.hdr[8], 63, "ttl %u", rx.hdr[8]);
	cr_expect_eq(ether_get16(rx.hdr + 4), 0x5151, "the first's id");
}

/* In order: held, held, then the whole datagram meets the rules (block
 * all, pass in by address), is translated by port and leaves whole. */
Test(pf, reass_in_order_nat)
{
	static const int order[] = { 0, 1, 2 };

	reass_nat(order);
}

/* The last fragment first and the first last. */
Test(pf, reass_out_of_order_nat)
{
	static const int order[] = { 2, 1, 0 };

	reass_nat(order);
}

/* em0 has mtu 576: the whole datagram leaves cut as ip_fragment() cuts it
 * (552 bytes of payload a fragment), translated. */
Test(pf, reass_refragmented_for_em0_mtu)
{
	static const int order[] = { 1, 2, 0 };
	struct dp dp;
	struct conf *conf;

	put("hostname.em0", "lladdr 02:00:00:00:0e:00\n"
	    "inet 198.51.100.2 255.255.255.0\nmtu 576\nup\n");
	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	feed_frags(&dp, order, 3, 0x5151);
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	cr_expect_eq(stat_of(&dp, "fragments-made"), 3);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_assert_eq(rx.n, 3, "%d frames on em0", rx.n);
	cr_expect(rx.off[0] == 0 && rx.off[1] == 552 && rx.off[2] == 1104,
	    "offsets %u %u %u", rx.off[0], rx.off[1], rx.off[2]);
	cr_expect(rx.plen[0] == 552 && rx.plen[1] == 552 && rx.plen[2] == 96,
	    "lengths %u %u %u", rx.plen[0], rx.plen[1], rx.plen[2]);
	cr_expect(rx.mf[0] && rx.mf[1] && !rx.mf[2]);
	rx_check(&rx, "198.51.100.2", 50001, 1192);
}

/* The reply direction: fragments back in on em0, out of order, find the
 * state as a whole datagram and reach db01 translated back. */
Test(pf, reass_reply_translated_back)
{
	static uint8_t ip[2048], b[2048];
	struct dp dp;
	struct conf *conf;
	uint32_t len;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.1", 53, 0));
	len = udp_big(ip, "198.51.100.1", 53, "198.51.100.2", 50001, 1392);
	feed(&dp, "em0", b, frag_of(b, E0, GW, ip, 704, len - 20 - 704));
	feed(&dp, "em0", b, frag_of(b, E0, GW, ip, 0, 704));
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("tap0", rx_collect, &rx);
	cr_assert_eq(rx.n, 1, "%d frames to db01", rx.n);
	cr_expect(memcmp(rx.hdr + 16, "\x0a\x32\x00\x14", 4) == 0,
	    "not to 10.50.0.20");
	cr_expect_eq(ether_get16(rx.d + 2), 41000, "destination port");
	rx_check(&rx, "198.51.100.1", 53, 1392);
}

/* Overlapping fragments drop the whole datagram, its buffer back at once;
 * what comes of it later is dropped too, until timeout frag. */
Test(pf, reass_overlap_drops_the_datagram)
{
	static uint8_t ip[2048], b[2048];
	struct dp dp;
	struct conf *conf;
	uint32_t len;
	size_t nfree;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	nfree = dp.pool.nfree;
	len = udp_big(ip, "10.50.0.20", 41000, "198.51.100.1", 53, 1192);
	feed(&dp, "tap0", b, frag_of(b, VE, DB, ip, 0, 400));
	cr_expect_eq(dp.pool.nfree, nfree - 1, "a buffer held");
	feed(&dp, "tap0", b, frag_of(b, VE, DB, ip, 392, 400));
	cr_expect_eq(dp.pool.nfree, nfree, "the buffer is back");
	cr_expect_eq(stat_of(&dp, "reass-overlap"), 1);
	feed(&dp, "tap0", b, frag_of(b, VE, DB, ip, 400, 400));
	feed(&dp, "tap0", b, frag_of(b, VE, DB, ip, 800, len - 820));
	cr_expect_eq(stat_of(&dp, "reass-discarded"), 2);
	cr_expect_eq(stat_of(&dp, "reass-done"), 0);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_expect_eq(rx.n, 0, "%d frames left em0", rx.n);
}

/* An exact duplicate is ignored; the datagram still completes. */
Test(pf, reass_duplicate_ignored)
{
	static const int order[] = { 0, 0, 1, 2 };
	struct dp dp;
	struct conf *conf;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	feed_frags(&dp, order, 4, 0x5151);
	cr_expect_eq(stat_of(&dp, "reass-duplicate"), 1);
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_assert_eq(rx.n, 1);
	rx_check(&rx, "198.51.100.2", 50001, 1192);
}

/* set timeout frag: an incomplete datagram goes, its buffer with it. */
Test(pf, reass_timeout_frees_the_buffer)
{
	static const int first[] = { 0, 1 }, last[] = { 2 };
	struct dp dp;
	struct conf *conf;
	size_t nfree;

	put("pf.conf", "set timeout frag 5\n" PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	nfree = dp.pool.nfree;
	feed_frags(&dp, first, 2, 0x5151);
	cr_expect_eq(dp.pool.nfree, nfree - 1);
	dp_clock(&dp, 5000000000ULL);
	dp_pf_tick(&dp);
	cr_expect_eq(dp.pool.nfree, nfree - 1, "4 s: still held");
	dp_clock(&dp, 6000000000ULL);
	dp_pf_tick(&dp);
	cr_expect_eq(dp.pool.nfree, nfree, "5 s: freed");
	cr_expect_eq(stat_of(&dp, "reass-timeout"), 1);
	/* the last, late: a datagram of its own, never complete */
	feed_frags(&dp, last, 1, 0x5151);
	cr_expect_eq(stat_of(&dp, "reass-done"), 0);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_expect_eq(rx.n, 0);
}

/* 64 datagrams at a time: the 65th's fragments are dropped, counted; the
 * others still complete, and every buffer comes back. */
Test(pf, reass_in_flight_limit)
{
	static const int first[] = { 0 }, rest[] = { 1, 2 };
	struct dp dp;
	struct conf *conf;
	size_t nfree;
	int i;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	nfree = dp.pool.nfree;
	for (i = 0; i < PF_REASS_MAX + 1; i++)
		feed_frags(&dp, first, 1, (uint16_t)(0x1000 + i));
	cr_expect_eq(stat_of(&dp, "reass-table-full"), 1);
	cr_expect_eq(dp.pool.nfree, nfree - PF_REASS_MAX);
	for (i = 0; i < PF_REASS_MAX + 1; i++)
		feed_frags(&dp, rest, 2, (uint16_t)(0x1000 + i));
	cr_expect_eq(stat_of(&dp, "reass-done"), PF_REASS_MAX);
	/* the 65th's last two make a datagram of their own, incomplete */
	cr_expect_eq(dp.pool.nfree, nfree - 1);
	dp_clock(&dp, 100000000000ULL);
	dp_pf_tick(&dp);
	cr_expect_eq(dp.pool.nfree, nfree);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_expect_eq(rx.n, PF_REASS_MAX);
}

/* Bad fragments: a non-last one whose payload is no multiple of 8, one
 * ending past 65535, one with DF, more than 64 fragments. */
Test(pf, reass_bad_fragments)
{
	static uint8_t ip[2048], b[2048];
	struct dp dp;
	struct conf *conf;
	size_t nfree;
	uint32_t i;

	put("pf.conf", PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	nfree = dp.pool.nfree;
	udp_big(ip, "10.50.0.20", 41000, "198.51.100.1", 53, 1192);
	feed(&dp, "tap0", b, frag_of(b, VE, DB, ip, 0, 404));
	cr_expect_eq(stat_of(&dp, "reass-bad"), 1, "not a multiple of 8");
	/* offset 8184 * 8 + 20 + 100 bytes > 65535 */
	frag_of(b, VE, DB, ip, 0, 100);
	ether_put16(b + 14 + 6, 8184);
	ether_put16(b + 14 + 10, 0);
	ether_put16(b + 14 + 10, (uint16_t)~csum_fold(csum_partial(b + 14, 20,
	    0)));
	feed(&dp, "tap0", b, 14 + 120);
	cr_expect_eq(stat_of(&dp, "reass-bad"), 2, "past 65535");
	frag_of(b, VE, DB, ip, 0, 400);
	ether_put16(b + 14 + 6, IP_DF | IP_MF);
	ether_put16(b + 14 + 10, 0);
	ether_put16(b + 14 + 10, (uint16_t)~csum_fold(csum_partial(b + 14, 20,
	    0)));
	feed(&dp, "tap0", b, 14 + 420);
	cr_expect_eq(stat_of(&dp, "reass-df"), 1);
	cr_expect_eq(dp.pool.nfree, nfree, "nothing held");
	for (i = 0; i <= PF_REASS_FRAGS; i++)
		feed(&dp, "tap0", b, frag_of(b, VE, DB, ip, i * 8, 8));
	cr_expect_eq(stat_of(&dp, "reass-too-many"), 1);
	cr_expect_eq(dp.pool.nfree, nfree, "its buffer back");
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_expect_eq(rx.n, 0);
}

/* set reassemble no: each fragment leaves as it came, the later ones
 * following the first's state (translated), nothing held. */
Test(pf, reass_no_keeps_following)
{
	static const int order[] = { 0, 1, 2 };
	struct dp dp;
	struct conf *conf;
	size_t nfree;
	const char *si;

	put("pf.conf", "set reassemble no\n" PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	nfree = dp.pool.nfree;
	feed_frags(&dp, order, 3, 0x5151);
	cr_expect_eq(dp.pool.nfree, nfree);
	cr_expect_eq(stat_of(&dp, "reass-held"), 0);
	si = strstr(dptest_ctl(&dp, "pfctl -vsi"), "\nFragments\n");
	cr_assert_not_null(si);
	cr_expect(has_counter(si, "current entries", 2),
	    "the followed datagram, in on vether0, out on em0:\n%s", si);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em0", rx_collect, &rx);
	cr_assert_eq(rx.n, 3, "%d frames on em0", rx.n);
	rx_check(&rx, "198.51.100.2", 50001, 1192);
}

/*
 * A bridge with pf on its members: db01's fragments are reassembled in
 * on tap0, filtered whole by port, and cut again for em2, a member with
 * mtu 576 (bridge_fragment()).
 */
Test(pf, reass_bridged_refragmented_for_a_member)
{
	static const uint8_t H[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x30 };
	static uint8_t ip[2048], b[2048];
	struct dp dp;
	struct conf *conf;
	uint32_t len, off;

	put("hostname.bridge1", "add vether0\nadd em2\nup\n");
	put("hostname.em2", "mtu 576\nup\n");
	put("pf.conf", "block all\n"
	    "pass in on tap0 proto udp from 10.50.0.20 to port 53\n"
	    "pass out on em2 proto udp\n");
	build(&dp, &conf);
	len = udp_big(ip, "10.50.0.20", 41000, "10.50.0.30", 53, 1192);
	for (off = 800;; off -= 400) {
		feed(&dp, "tap0", b, frag_of(b, H, DB, ip, off,
		    len - 20 - off < 400 ? len - 20 - off : 400));
		if (off == 0)
			break;
	}
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	cr_expect_eq(stat_of(&dp, "fragmented"), 1, "%s", dptest_out);
	dptest_destroy(&dp, conf);
	memset(&rx, 0, sizeof(rx));
	sent_each("em2", rx_collect, &rx);
	cr_assert_eq(rx.n, 3, "%d frames on em2", rx.n);
	cr_expect(rx.off[0] == 0 && rx.off[1] == 552 && rx.off[2] == 1104,
	    "offsets %u %u %u", rx.off[0], rx.off[1], rx.off[2]);
	cr_expect(rx.mf[0] && rx.mf[1] && !rx.mf[2]);
	cr_expect_eq(rx.hdr[8], 64, "bridged: ttl kept");
	rx_check(&rx, "10.50.0.20", 41000, 1192);
}

/* ---- translation pools (pf_map_addr()) ------------------------------- */

/*
 * The address the state of a flow got: rdr-to's (in on em0 from
 * 198.51.100.1 port SP) or nat-to's (out on em0 from db01 port SP), as
 * the first address of its -ss line; "" when it has no state.
 */
static const char *
pool_addr(struct dp *dp, int rdr, uint16_t sp)
{
	static char a[INET_ADDRSTRLEN];
	char key[64];
	const char *t = dptest_ctl(dp, "pfctl -ss"), *l, *q;
	size_t n;

	snprintf(key, sizeof(key), rdr ? "<- 198.51.100.1:%u " :
	    "(10.50.0.20:%u)", sp);
	a[0] = '\0';
	if ((q = strstr(t, key)) == NULL)
		return a;
	for (l = q; l > t && l[-1] != '\n'; l--)
		;
	/* "all udp ADDR:PORT ..." */
	l = strstr(l, "udp ") + 4;
	n = strcspn(l, ":");
	if (n < sizeof(a)) {
		memcpy(a, l, n);
		a[n] = '\0';
	}
	return a;
}

/* A new UDP flow to the pool: in on em0 (rdr) or out from db01 (nat). */
static void
pool_flow(struct dp *dp, int rdr, uint16_t sp)
{
	uint8_t b[128];

	if (rdr)
		feed(dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", sp,
		    "198.51.100.2", 53, 0));
	else
		feed(dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", sp,
		    "198.51.100.1", 53, 0));
}

#define RDR_TO(pool) \
	"pass in on em0 proto udp to 198.51.100.2 port 53 rdr-to " pool "\n" \
	"pass out all no state\n"
#define NAT_TO(pool) \
	"pass in on vether0 no state\n" \
	"pass out on em0 from 10.50.0.0/24 nat-to " pool "\n"

/*
 * The FAQ's load balancing: rdr-to a list goes round-robin (pfctl's
 * default for a table), one server after the other, and wraps; explain
 * says who is next without moving the turn; a reload starts again.
 */
Test(pf, pool_round_robin_list_wraps_and_reload_resets)
{
	static const char *const why = "explain in on em0 proto udp from "
	    "198.51.100.1 port 9 to 198.51.100.2 port 53";
	static const char *const want[] = { "10.50.0.21", "10.50.0.22",
	    "10.50.0.23", "10.50.0.21" };
	struct conf *conf;
	struct dp dp;
	int i;

	put("pf.conf", RDR_TO("{ 10.50.0.23, 10.50.0.21, 10.50.0.22 }"));
	build(&dp, &conf);
	neighbours(&dp);
	for (i = 0; i < 4; i++) {
		pool_flow(&dp, 1, (uint16_t)(5001 + i));
		cr_expect_str_eq(pool_addr(&dp, 1, (uint16_t)(5001 + i)),
		    want[i], "connection %d", i + 1);
	}
	cr_expect(strstr(dptest_ctl(&dp, why), "rdr-to would give 10.50.0.22: "
	    "<__automatic_0>: round-robin (entry 2 of 3)") != NULL, "%s",
	    dptest_out);
	pool_flow(&dp, 1, 5005);
	cr_expect_str_eq(pool_addr(&dp, 1, 5005), "10.50.0.22",
	    "explain moved the turn");
	cr_assert_str_eq(dptest_ctl(&dp, "pfctl -f /etc/pf.conf"), "");
	pool_flow(&dp, 1, 5006);
	cr_expect_str_eq(pool_addr(&dp, 1, 5006), "10.50.0.21",
	    "a load starts the walk again");
	dptest_destroy(&dp, conf);
}

/*
 * A table's networks are walked address by address; an address a
 * nested entry holds is that entry's turn (pfr_pool_get()), a negated
 * one is nobody's.
 */
Test(pf, pool_round_robin_table_networks_nested)
{
	static const char *const want[] = { "10.50.0.32", "10.50.0.33",
	    "10.50.0.35", "10.50.0.34", "10.50.0.40", "10.50.0.32" };
	struct conf *conf;
	struct dp dp;
	int i;

	put("pf.conf", "table <web> { 10.50.0.32/30, 10.50.0.34, "
	    "10.50.0.40/31, !10.50.0.41 }\n" RDR_TO("<web> round-robin"));
	build(&dp, &conf);
	neighbours(&dp);
	for (i = 0; i < 6; i++) {
		pool_flow(&dp, 1, (uint16_t)(5001 + i));
		cr_expect_str_eq(pool_addr(&dp, 1, (uint16_t)(5001 + i)),
		    want[i], "connection %d", i + 1);
	}
	dptest_destroy(&dp, conf);
}

/* round-robin on a network: its addresses in turn, then again. */
Test(pf, pool_round_robin_network)
{
	static const char *const want[] = { "198.51.100.48", "198.51.100.49",
	    "198.51.100.50", "198.51.100.51", "198.51.100.48" };
	struct conf *conf;
	struct dp dp;
	int i;

	put("pf.conf", NAT_TO("198.51.100.48/30 round-robin"));
	build(&dp, &conf);
	neighbours(&dp);
	for (i = 0; i < 5; i++) {
		pool_flow(&dp, 0, (uint16_t)(41001 + i));
		cr_expect_str_eq(pool_addr(&dp, 0, (uint16_t)(41001 + i)),
		    want[i], "connection %d", i + 1);
	}
	dptest_destroy(&dp, conf);
}

/*
 * No pool type on a network: pf_map_addr()'s PF_POOL_NONE, the address
 * as written, whoever the source.  bitmask: the network's bits with the
 * source's host bits (nat-to), the destination's (rdr-to).
 */
Test(pf, pool_none_and_bitmask)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", NAT_TO("198.51.100.64/26"));
	build(&dp, &conf);
	neighbours(&dp);
	pool_flow(&dp, 0, 41001);
	cr_expect_str_eq(pool_addr(&dp, 0, 41001), "198.51.100.64");
	dptest_destroy(&dp, conf);

	put("pf.conf", NAT_TO("198.51.100.64/26 bitmask"));
	build(&dp, &conf);
	neighbours(&dp);
	pool_flow(&dp, 0, 41001);
	cr_expect_str_eq(pool_addr(&dp, 0, 41001), "198.51.100.84");
	dptest_destroy(&dp, conf);

	put("pf.conf", RDR_TO("10.50.0.0/24 bitmask"));
	build(&dp, &conf);
	neighbours(&dp);
	pool_flow(&dp, 1, 5001);
	cr_expect_str_eq(pool_addr(&dp, 1, 5001), "10.50.0.2");
	dptest_destroy(&dp, conf);
}

/* binat-to a network with bitmask: one to one, both ways. */
Test(pf, pool_binat_bitmask_one_to_one)
{
	static const char *const out = "explain out on em0 proto udp from "
	    "10.50.0.20 port 9 to 198.51.100.1 port 53";
	static const char *const in = "explain in on em0 proto udp from "
	    "198.51.100.1 port 9 to 203.0.113.20 port 53";
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "pass on em0 from 10.50.0.0/24 to any binat-to "
	    "203.0.113.0/24 bitmask\n");
	build(&dp, &conf);
	cr_expect(strstr(dptest_ctl(&dp, out), "nat-to would give "
	    "203.0.113.20: 203.0.113.0/24: bitmask") != NULL, "%s",
	    dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, in), "rdr-to would give "
	    "10.50.0.20: 10.50.0.0/24: bitmask") != NULL, "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* random: hosts of the network, entries of a list; not one of them. */
Test(pf, pool_random_network_and_list)
{
	struct conf *conf;
	struct dp dp;
	const char *a;
	int i, seen[4], n;

	put("pf.conf", NAT_TO("198.51.100.64/30 random"));
	build(&dp, &conf);
	neighbours(&dp);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 48; i++) {
		pool_flow(&dp, 0, (uint16_t)(41001 + i));
		a = pool_addr(&dp, 0, (uint16_t)(41001 + i));
		cr_assert(strncmp(a, "198.51.100.6", 12) == 0 &&
		    a[12] >= '4' && a[12] <= '7' && a[13] == '\0', "%s", a);
		seen[a[12] - '4'] = 1;
	}
	n = seen[0] + seen[1] + seen[2] + seen[3];
	cr_expect(n >= 2, "48 random picks gave one address");
	dptest_destroy(&dp, conf);

	put("pf.conf", RDR_TO("{ 10.50.0.21, 10.50.0.22, 10.50.0.23 } random"));
	build(&dp, &conf);
	neighbours(&dp);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 48; i++) {
		pool_flow(&dp, 1, (uint16_t)(5001 + i));
		a = pool_addr(&dp, 1, (uint16_t)(5001 + i));
		cr_assert(strncmp(a, "10.50.0.2", 9) == 0 && a[9] >= '1' &&
		    a[9] <= '3' && a[10] == '\0', "%s", a);
		seen[a[9] - '1'] = 1;
	}
	cr_expect(seen[0] + seen[1] + seen[2] >= 2, "48 random picks gave one "
	    "entry");
	dptest_destroy(&dp, conf);
}

/* A UDP flow from db01 port SP to 198.51.100.1 port DP, out em0. */
static void
nat_flow(struct dp *dp, uint16_t sp, uint16_t dp_)
{
	uint8_t b[128];

	feed(dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", sp,
	    "198.51.100.1", dp_, 0));
}

/*
 * pf_get_sport(): one port (50000) an address.  The first flow to :53
 * takes .48's, one to :54 .49's; the next to :53 is .48's turn, whose
 * port towards :53 is taken: the pool's next address has it free.
 */
Test(pf, pool_next_address_when_out_of_ports)
{
	struct conf *conf;
	struct dp dp;
	char a[INET_ADDRSTRLEN];
	const char *b;
	int i;

	put("pf.conf", NAT_TO("198.51.100.48/31 port 50000 round-robin"));
	build(&dp, &conf);
	neighbours(&dp);
	dptest_ctl(&dp, "trace on 10");
	nat_flow(&dp, 41001, 53);
	nat_flow(&dp, 41002, 54);
	nat_flow(&dp, 41003, 53);
	cr_expect_str_eq(pool_addr(&dp, 0, 41001), "198.51.100.48");
	cr_expect_str_eq(pool_addr(&dp, 0, 41002), "198.51.100.49");
	cr_expect_str_eq(pool_addr(&dp, 0, 41003), "198.51.100.49",
	    "%s", dptest_ctl(&dp, "pfctl -ss"));
	cr_expect_eq(dp.pf.c[PF_C_POOL_NEXT], 1);
	cr_expect_not_null(strstr(dptest_ctl(&dp, "trace show"), "nat-to: no "
	    "port free on 198.51.100.48, the pool's next address "
	    "198.51.100.49"), "%s", dptest_out);
	/* a fourth to :53: both ports towards it taken, back to the first */
	nat_flow(&dp, 41004, 53);
	cr_expect_str_eq(pool_addr(&dp, 0, 41004), "", "no state");
	cr_expect_eq(dp.pf.c[PF_C_TRANSLATE], 1);
	dptest_destroy(&dp, conf);

	/* random: the next address after its pick, as pf_addr_inc() */
	put("pf.conf", NAT_TO("198.51.100.48/31 port 50000 random"));
	build(&dp, &conf);
	neighbours(&dp);
	for (i = 0; i < 10; i++) {
		nat_flow(&dp, (uint16_t)(42001 + 2 * i), (uint16_t)(100 + i));
		nat_flow(&dp, (uint16_t)(42002 + 2 * i), (uint16_t)(100 + i));
		snprintf(a, sizeof(a), "%s",
		    pool_addr(&dp, 0, (uint16_t)(42001 + 2 * i)));
		b = pool_addr(&dp, 0, (uint16_t)(42002 + 2 * i));
		cr_expect(a[0] != '\0' && b[0] != '\0' && strcmp(a, b) != 0,
		    "both flows to :%d translated, one on each address: "
		    "%s, %s", 100 + i, a, b);
	}
	cr_expect_eq(dp.pf.c[PF_C_TRANSLATE], 0);
	dptest_destroy(&dp, conf);

	/* source-hash does not walk: pf_get_sport() gives up */
	put("pf.conf", NAT_TO("198.51.100.48/31 port 50000 source-hash "
	    "0x000102030405060708090a0b0c0d0e0f"));
	build(&dp, &conf);
	neighbours(&dp);
	nat_flow(&dp, 43001, 53);
	nat_flow(&dp, 43002, 53);
	cr_expect_eq(dp.pf.c[PF_C_TRANSLATE], 1, "one source, one address");
	cr_expect_eq(dp.pf.c[PF_C_POOL_NEXT], 0);
	dptest_destroy(&dp, conf);
}

/*
 * source-hash is pf_hash(): SipHash-2-4 under the rule's key.  The key
 * 0x03020100... is bytes 00..0f in memory (pfctl's key32[] words on a
 * little-endian machine), the reference vector's key; 0.1.2.3 is its
 * 4-byte message, whose hash is 0xcf2794e0277187b7.  On a /8 the low
 * word's bytes b7 87 71 27 give the host bits; on a table of three the
 * hash modulo 3 (2) picks the third entry.
 */
Test(pf, pool_source_hash_is_pf_hash)
{
	static const uint32_t key[4] = { 0x03020100, 0x07060504, 0x0b0a0908,
	    0x0f0e0d0c };
	static const uint8_t msg[4] = { 0, 1, 2, 3 };
	static const char *const why = "explain out on em0 proto udp from "
	    "0.1.2.3 port 9 to 198.51.100.1 port 53";
	struct conf *conf;
	struct dp dp;

	cr_expect_eq(dp_pf_pool_hash(key, msg), 0xcf2794e0277187b7ULL);
	put("pf.conf", "pass out on em0 nat-to 198.0.0.0/8 source-hash "
	    "0x03020100070605040b0a09080f0e0d0c\n");
	build(&dp, &conf);
	cr_expect(strstr(dptest_ctl(&dp, why), "nat-to would give "
	    "198.135.113.39: 198.0.0.0/8: source-hash\n") != NULL, "%s",
	    dptest_out);
	dptest_destroy(&dp, conf);
	put("pf.conf", "pass out on em0 nat-to { 198.51.100.61, "
	    "198.51.100.62, 198.51.100.63 } source-hash "
	    "0x03020100070605040b0a09080f0e0d0c\n");
	build(&dp, &conf);
	cr_expect(strstr(dptest_ctl(&dp, why), "nat-to would give "
	    "198.51.100.63: <__automatic_0>: source-hash (entry 3 of 3)\n")
	    != NULL, "%s", dptest_out);
	dptest_destroy(&dp, conf);
	/* a string key: its MD5, so the same source maps the same way */
	put("pf.conf", NAT_TO("198.51.100.0/24 source-hash \"sluice\""));
	build(&dp, &conf);
	neighbours(&dp);
	pool_flow(&dp, 0, 41001);
	pool_flow(&dp, 0, 41002);
	cr_expect_str_eq(pool_addr(&dp, 0, 41001), pool_addr(&dp, 0, 41002));
	dptest_destroy(&dp, conf);
}

/*
 * least-states: from where the last pick stopped, the address with the
 * fewest states; ties take turns.  With one server's state gone, the
 * next connection goes there, where round-robin would go on.
 */
Test(pf, pool_least_states)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", RDR_TO("{ 10.50.0.21, 10.50.0.22, 10.50.0.23 } "
	    "least-states"));
	build(&dp, &conf);
	neighbours(&dp);
	pool_flow(&dp, 1, 5001);
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.7", 5002,
	    "198.51.100.2", 53, 0));
	pool_flow(&dp, 1, 5003);
	cr_expect_str_eq(pool_addr(&dp, 1, 5001), "10.50.0.21");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "10.50.0.22:53 "
	    "(198.51.100.2:53) <- 198.51.100.7:5002") != NULL, "%s",
	    dptest_out);
	cr_expect_str_eq(pool_addr(&dp, 1, 5003), "10.50.0.23");
	/* the second server's state goes */
	dptest_ctl(&dp, "pfctl -k 198.51.100.7");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "10.50.0.22") == NULL,
	    "%s", dptest_out);
	pool_flow(&dp, 1, 5004);
	cr_expect_str_eq(pool_addr(&dp, 1, 5004), "10.50.0.22");
	/* all alike: once around from .22, none has fewer, .22 again */
	pool_flow(&dp, 1, 5005);
	cr_expect_str_eq(pool_addr(&dp, 1, 5005), "10.50.0.22");
	pool_flow(&dp, 1, 5006);
	cr_expect_str_eq(pool_addr(&dp, 1, 5006), "10.50.0.23");
	dptest_destroy(&dp, conf);
}

/*
 * sticky-address: a source keeps its server while its source node
 * lives (its states, then set timeout src.track); -sS shows it with
 * rdr-to.  Another source gets the next server meanwhile; once the
 * node has expired the source takes its turn again.
 */
Test(pf, pool_sticky_address)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "set timeout src.track 10\n"
	    RDR_TO("{ 10.50.0.21, 10.50.0.22, 10.50.0.23 } round-robin "
	    "sticky-address"));
	build(&dp, &conf);
	neighbours(&dp);
	pool_flow(&dp, 1, 5001);
	pool_flow(&dp, 1, 5002);
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.7", 5001,
	    "198.51.100.2", 53, 0));
	cr_expect_str_eq(pool_addr(&dp, 1, 5001), "10.50.0.21");
	cr_expect_str_eq(pool_addr(&dp, 1, 5002), "10.50.0.21");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "10.50.0.22:53 "
	    "(198.51.100.2:53) <- 198.51.100.7:5001") != NULL, "%s",
	    dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sS"), "198.51.100.1 rdr-to "
	    "10.50.0.21 ( states 2, connections 0, rate 0.0/0s )\n") != NULL,
	    "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "pool-sticky"), 1);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vss"), ", sticky-address\n")
	    != NULL, "%s", dptest_out);
	/* the states go; the node lives on for src.track */
	dptest_ctl(&dp, "pfctl -F states");
	dp_pf_tick(&dp);
	pool_flow(&dp, 1, 5003);
	cr_expect_str_eq(pool_addr(&dp, 1, 5003), "10.50.0.21");
	dptest_ctl(&dp, "pfctl -F states");
	dp_clock(&dp, 3000000000ULL);
	dp_pf_tick(&dp);
	dp_clock(&dp, 14000000000ULL);
	dp_pf_tick(&dp);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sS"), "198.51.100.1 ") ==
	    NULL, "the node outlived src.track:\n%s", dptest_out);
	pool_flow(&dp, 1, 5004);
	cr_expect_str_eq(pool_addr(&dp, 1, 5004), "10.50.0.23",
	    "an expired node still decided");
	dptest_destroy(&dp, conf);
}

/* An empty table has nothing to give: the packet is dropped, counted. */
Test(pf, pool_empty_table_drops)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "table <web> persist\n" RDR_TO("<web>"));
	build(&dp, &conf);
	neighbours(&dp);
	pool_flow(&dp, 1, 5001);
	cr_expect_str_eq(pool_addr(&dp, 1, 5001), "");
	cr_expect(has_counter(dptest_ctl(&dp, "pfctl -si"), "translate", 1),
	    "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "pool-empty"), 1);
	/* a server comes: the pool has it */
	dptest_ctl(&dp, "pfctl -t web -T add 10.50.0.21");
	pool_flow(&dp, 1, 5002);
	cr_expect_str_eq(pool_addr(&dp, 1, 5002), "10.50.0.21");
	dptest_destroy(&dp, conf);
}

/* ---- IPv6 reassembly (set reassemble yes) --------------------------------
 * On a bridge: bridge1 holds vether0, tap0 (db01) and em2, pf filters the
 * members; db01 sends to H behind em2.  A pass by port needs the whole
 * datagram: later fragments carry no ports.
 */
#define PF6_BR \
	"block all\n" \
	"pass in on tap0 inet6 proto udp to port 53\n" \
	"pass out on em2 inet6 proto udp to port 53\n"

static const uint8_t H6MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x30 };
#define ID6	0xdeadbeefu

static void
br6_setup(const char *pf, const char *em2)
{
	put("hostname.bridge1", "add vether0\nadd em2\nup\n");
	put("hostname.em2", em2);
	put("pf.conf", pf);
}

/* db01's UDP datagram to port 53, PAY bytes of i * 7: the IPv6 header on. */
static uint32_t
udp6_big(uint8_t *ip, uint32_t pay)
{
	uint8_t *l4 = ip + 40;
	uint32_t i, s;

	memset(ip, 0, 48);
	ip[0] = 0x60;
	ether_put16(ip + 4, (uint16_t)(8 + pay));
	ip[6] = 17;
	ip[7] = 64;
	inet_pton(AF_INET6, "2001:db8:50::20", ip + 8);
	inet_pton(AF_INET6, "2001:db8:50::30", ip + 24);
	ether_put16(l4, 41000);
	ether_put16(l4 + 2, 53);
	ether_put16(l4 + 4, (uint16_t)(8 + pay));
	for (i = 0; i < pay; i++)
		l4[8 + i] = (uint8_t)(i * 7);
	s = csum_partial(ip + 8, 32, 0) + 8 + pay + 17;
	ether_put16(l4 + 6, (uint16_t)~csum_fold(csum_partial(l4, 8 + pay,
	    s)));
	return 48 + pay;
}

/*
 * The fragment of the datagram at ip (no extension headers) with LEN
 * bytes of its payload from OFF, M as MORE, framed; EXT bytes of
 * destination options (a multiple of 8, 0: none) precede the Fragment
 * header as unfragmentable part, their first option byte FILL.
 */
static uint32_t
frag6_of(uint8_t *b, const uint8_t *ip, uint32_t off, uint32_t len,
    int more, uint32_t id, uint32_t ext, uint8_t fill)
{
	uint8_t *o = b + 14, *fh;

	memcpy(b, H6MAC, 6);
	memcpy(b + 6, DB, 6);
	ether_put16(b + 12, ETHERTYPE_IPV6);
	memcpy(o, ip, 40);
	if (ext != 0) {
		o[6] = 60;
		memset(o + 40, 0, ext);
		o[40] = 44;
		o[41] = (uint8_t)(ext / 8 - 1);
		o[42] = 1;		/* PadN */
		o[43] = (uint8_t)(ext - 4);
		o[44] = fill;
	} else
		o[6] = 44;
	fh = o + 40 + ext;
	fh[0] = ip[6];
	fh[1] = 0;
	ether_put16(fh + 2, (uint16_t)(off | (more ? 1 : 0)));
	ip_put32(fh + 4, id);
	memcpy(fh + 8, ip + 40 + off, len);
	ether_put16(o + 4, (uint16_t)(ext + 8 + len));
	return 14 + 40 + ext + 8 + len;
}

/* What em2 sent, put together again by the test. */
struct rx6 {
	int		 n, whole;
	uint32_t	 off[16], plen[16], id[16];
	int		 mf[16];
	uint32_t	 total;
	uint8_t		 nxt;
	uint8_t		 d[65536];
};

static void
rx6_collect(const uint8_t *d, uint32_t len, void *arg)
{
	struct rx6 *o = arg;
	const uint8_t *ip = d + 14, *fh = ip + 40;
	uint32_t plen, off, n;

	if (len < 54 || ether_get16(d + 12) != ETHERTYPE_IPV6)
		return;
	plen = ether_get16(ip + 4);
	cr_assert(14 + 40 + plen <= len);
	if (ip[6] != 44) {
		o->whole++;
		return;
	}
	off = ether_get16(fh + 2) & 0xfff8u;
	n = plen - 8;
	cr_assert(off + n <= sizeof(o->d));
	if (o->n < 16) {
		o->off[o->n] = off;
		o->plen[o->n] = n;
		o->id[o->n] = ip_get32(fh + 4);
		o->mf[o->n] = fh[3] & 1;
	}
	o->n++;
	memcpy(o->d + off, fh + 8, n);
	if (off == 0)
		o->nxt = fh[0];
	if (!(fh[3] & 1))
		o->total = off + n;
}

/* The fragments hold db01's datagram of PAY bytes, checksum right. */
static void
rx6_check(const struct rx6 *o, uint32_t pay)
{
	uint8_t a[32];
	uint32_t i, s;

	cr_assert_eq(o->total, 8 + pay, "%u payload bytes", o->total);
	cr_expect_eq(o->nxt, 17, "the first's next header");
	for (i = 0; i < pay; i++)
		if (o->d[8 + i] != (uint8_t)(i * 7))
			break;
	cr_expect_eq(i, pay, "data differs at %u", i);
	inet_pton(AF_INET6, "2001:db8:50::20", a);
	inet_pton(AF_INET6, "2001:db8:50::30", a + 16);
	s = csum_partial(a, 32, 0) + o->total + 17;
	cr_expect_eq(csum_fold(csum_partial(o->d, o->total, s)), 0xffff,
	    "UDP checksum");
}

static struct rx6 rx6;

/* 3000 bytes of UDP in fragments of SIZES (1000 1232 rest) fed in ORDER. */
static void
feed6(struct dp *dp, const int *order, int n, uint32_t id)
{
	static uint8_t ip[4096], b[4096];
	static const uint32_t at[3] = { 0, 1000, 2232 }, len[3] = { 1000,
	    1232, 3008 - 2232 };
	int i;

	udp6_big(ip, 3000);
	for (i = 0; i < n; i++)
		feed(dp, "tap0", b, frag6_of(b, ip, at[order[i]],
		    len[order[i]], order[i] < 2, id, 0, 0));
}

static void
reass6_bridged(const int *order)
{
	struct dp dp;
	struct conf *conf;
	size_t nfree;
	int i;

	br6_setup(PF6_BR, "up\n");
	build(&dp, &conf);
	nfree = dp.pool.nfree;
	feed6(&dp, order, 3, ID6);
	cr_expect_eq(stat_of(&dp, "reass-held"), 2);
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	cr_expect_eq(dp.pool.nfree, nfree, "every buffer back");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "all udp "
	    "2001:db8:50::20[41000] -> 2001:db8:50::30[53]") != NULL, "%s",
	    dptest_out);
	dptest_destroy(&dp, conf);
	memset(&rx6, 0, sizeof(rx6));
	sent_each("em2", rx6_collect, &rx6);
	/* pf_refragment6(): 1232 bytes at most, the largest that came */
	cr_assert_eq(rx6.n, 3, "%d fragments on em2, %d whole", rx6.n,
	    rx6.whole);
	cr_expect(rx6.off[0] == 0 && rx6.off[1] == 1232 &&
	    rx6.off[2] == 2464, "offsets %u %u %u", rx6.off[0], rx6.off[1],
	    rx6.off[2]);
	cr_expect(rx6.plen[0] == 1232 && rx6.plen[1] == 1232 &&
	    rx6.plen[2] == 3008 - 2464, "lengths %u %u %u", rx6.plen[0],
	    rx6.plen[1], rx6.plen[2]);
	cr_expect(rx6.mf[0] && rx6.mf[1] && !rx6.mf[2]);
	for (i = 0; i < 3; i++)
		cr_expect_eq(rx6.id[i], ID6, "fragment %d: id %#x", i,
		    rx6.id[i]);
	rx6_check(&rx6, 3000);
}

Test(pf, reass6_in_order_bridged_refragmented)
{
	static const int order[] = { 0, 1, 2 };

	reass6_bridged(order);
}

Test(pf, reass6_out_of_order_bridged_refragmented)
{
	static const int order[] = { 2, 0, 1 };

	reass6_bridged(order);
}

/* RFC 5722: overlapping fragments drop the datagram, and what comes of it
 * later until timeout frag. */
Test(pf, reass6_overlap_drops_the_datagram)
{
	static uint8_t ip[4096], b[4096];
	struct dp dp;
	struct conf *conf;
	size_t nfree;

	br6_setup(PF6_BR, "up\n");
	build(&dp, &conf);
	nfree = dp.pool.nfree;
	udp6_big(ip, 3000);
	feed(&dp, "tap0", b, frag6_of(b, ip, 0, 1232, 1, ID6, 0, 0));
	cr_expect_eq(dp.pool.nfree, nfree - 1, "a buffer held");
	feed(&dp, "tap0", b, frag6_of(b, ip, 1224, 1232, 1, ID6, 0, 0));
	cr_expect_eq(stat_of(&dp, "reass-overlap"), 1);
	cr_expect_eq(dp.pool.nfree, nfree, "the buffer is back");
	feed(&dp, "tap0", b, frag6_of(b, ip, 1232, 1232, 1, ID6, 0, 0));
	feed(&dp, "tap0", b, frag6_of(b, ip, 2464, 3008 - 2464, 0, ID6, 0,
	    0));
	cr_expect_eq(stat_of(&dp, "reass-discarded"), 2);
	cr_expect_eq(stat_of(&dp, "reass-done"), 0);
	dptest_destroy(&dp, conf);
	memset(&rx6, 0, sizeof(rx6));
	sent_each("em2", rx6_collect, &rx6);
	cr_expect_eq(rx6.n + rx6.whole, 0, "%d frames left em2",
	    rx6.n + rx6.whole);
}

/* RFC 6946: an atomic fragment is a whole packet: filtered by its ports
 * at once, nothing held, and it leaves as it came. */
Test(pf, reass6_atomic_fragment_filtered_whole)
{
	static uint8_t ip[4096], b[4096], sent6[4096];
	struct dp dp;
	struct conf *conf;
	uint32_t len;

	br6_setup(PF6_BR, "up\n");
	build(&dp, &conf);
	udp6_big(ip, 200);
	len = frag6_of(b, ip, 0, 208, 0, ID6, 0, 0);
	memcpy(sent6, b, len);
	feed(&dp, "tap0", b, len);
	cr_expect_eq(stat_of(&dp, "reass6-atomic"), 2, "in on tap0, out on "
	    "em2: %s", dptest_ctl(&dp, "stats"));
	cr_expect_eq(stat_of(&dp, "reass-held"), 0);
	dptest_destroy(&dp, conf);
	memset(&rx6, 0, sizeof(rx6));
	sent_each("em2", rx6_collect, &rx6);
	cr_assert_eq(rx6.n, 1, "the atomic fragment, as it came");
	cr_expect(rx6.off[0] == 0 && !rx6.mf[0] && rx6.id[0] == ID6);
	rx6_check(&rx6, 200);
}

/* set timeout frag: an incomplete IPv6 datagram goes with its buffer. */
Test(pf, reass6_timeout_frees_the_buffer)
{
	static const int first[] = { 0, 1 }, last[] = { 2 };
	struct dp dp;
	struct conf *conf;
	size_t nfree;

	br6_setup("set timeout frag 5\n" PF6_BR, "up\n");
	build(&dp, &conf);
	nfree = dp.pool.nfree;
	feed6(&dp, first, 2, ID6);
	cr_expect_eq(dp.pool.nfree, nfree - 1);
	dp_clock(&dp, 5000000000ULL);
	dp_pf_tick(&dp);
	cr_expect_eq(dp.pool.nfree, nfree - 1, "4 s: still held");
	dp_clock(&dp, 6000000000ULL);
	dp_pf_tick(&dp);
	cr_expect_eq(dp.pool.nfree, nfree, "5 s: freed");
	cr_expect_eq(stat_of(&dp, "reass-timeout"), 1);
	feed6(&dp, last, 1, ID6);
	cr_expect_eq(stat_of(&dp, "reass-done"), 0);
	dptest_destroy(&dp, conf);
	memset(&rx6, 0, sizeof(rx6));
	sent_each("em2", rx6_collect, &rx6);
	cr_expect_eq(rx6.n + rx6.whole, 0);
}

/*
 * set limit frags N: N fragments held at once (pf's fragment entries),
 * and min(N, 64) datagrams; pfctl -sm shows it; a reload below what is
 * held fails and changes nothing.
 */
Test(pf, reass6_frags_limit)
{
	static const int first2[] = { 0, 1 }, first[] = { 0 };
	struct dp dp;
	struct conf *conf;
	char cmd[128];

	br6_setup("set limit frags 3\n" PF6_BR, "up\n");
	build(&dp, &conf);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sm"),
	    "frags         hard limit        3\n") != NULL, "%s", dptest_out);
	feed6(&dp, first2, 2, 1);		/* 2 held */
	feed6(&dp, first2, 2, 2);		/* 1 more, then the limit */
	cr_expect_eq(stat_of(&dp, "reass-held"), 3);
	cr_expect_eq(stat_of(&dp, "reass-frag-limit"), 1);
	/* 3 held: a limit of 2 cannot be loaded, and 3 stays */
	put("pf2.conf", "set limit frags 2\n" PF6_BR);
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf2.conf", etc);
	cr_expect_neq(dptest_ctl_rc(&dp, cmd), 0);
	cr_expect(strstr(dptest_out, "Current pool size exceeds requested "
	    "frags limit 2") != NULL, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sm"),
	    "frags         hard limit        3\n") != NULL, "%s", dptest_out);
	/* timeout frag frees them; then it loads */
	dp_clock(&dp, 100000000000ULL);
	dp_pf_tick(&dp);
	cr_expect_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sm"),
	    "frags         hard limit        2\n") != NULL, "%s", dptest_out);
	/* 2 datagrams at most with a limit of 2: the third is refused */
	feed6(&dp, first, 1, 3);
	feed6(&dp, first, 1, 4);
	cr_expect_eq(stat_of(&dp, "reass-table-full"), 0);
	feed6(&dp, first, 1, 5);
	cr_expect_eq(stat_of(&dp, "reass-table-full"), 1);
	cr_expect_eq(stat_of(&dp, "reass-frag-limit"), 1);
	dptest_destroy(&dp, conf);
}

/* Malformed fragments are dropped, each with its reason. */
Test(pf, reass6_malformed)
{
	static uint8_t ip[4096], b[4096];
	struct dp dp;
	struct conf *conf;
	size_t nfree;
	uint32_t len;

	br6_setup(PF6_BR, "up\n");
	build(&dp, &conf);
	nfree = dp.pool.nfree;
	udp6_big(ip, 3000);
	/* not the last and not a multiple of 8 */
	feed(&dp, "tap0", b, frag6_of(b, ip, 0, 1004, 1, 1, 0, 0));
	cr_expect_eq(stat_of(&dp, "reass-bad"), 1, "not a multiple of 8");
	/* offset 65528 + 16 bytes: past 65535 */
	len = frag6_of(b, ip, 0, 16, 1, 2, 0, 0);
	ether_put16(b + 14 + 40 + 2, 65528 | 1);
	feed(&dp, "tap0", b, len);
	cr_expect_eq(stat_of(&dp, "reass-bad"), 2, "past 65535");
	/* payload length beyond the frame */
	len = frag6_of(b, ip, 0, 16, 1, 3, 0, 0);
	feed(&dp, "tap0", b, len - 8);
	cr_expect_eq(stat_of(&dp, "reass6-short"), 1);
	/* a second fragment header after the first */
	len = frag6_of(b, ip, 0, 16, 1, 4, 0, 0);
	b[14 + 40] = 44;
	feed(&dp, "tap0", b, len);
	cr_expect_eq(stat_of(&dp, "reass6-bad-header"), 1);
	/* the unfragmentable part differs from one fragment to the next */
	feed(&dp, "tap0", b, frag6_of(b, ip, 0, 1232, 1, 5, 8, 0));
	feed(&dp, "tap0", b, frag6_of(b, ip, 1232, 1232, 1, 5, 8, 1));
	cr_expect_eq(stat_of(&dp, "reass6-unfrag-differs"), 1);
	feed(&dp, "tap0", b, frag6_of(b, ip, 1232, 1232, 1, 5, 16, 0));
	cr_expect_eq(stat_of(&dp, "reass6-unfrag-differs"), 2);
	cr_expect_eq(stat_of(&dp, "reass-held"), 1, "id 5's first only");
	dp_clock(&dp, 100000000000ULL);
	dp_pf_tick(&dp);
	cr_expect_eq(dp.pool.nfree, nfree);
	dptest_destroy(&dp, conf);
	memset(&rx6, 0, sizeof(rx6));
	sent_each("em2", rx6_collect, &rx6);
	cr_expect_eq(rx6.n + rx6.whole, 0);
}

/* A fragment with 16 bytes of destination options before its Fragment
 * header, the options intact: collected as rx6_collect() does. */
static void
rx6_ext(const uint8_t *d, uint32_t len, void *arg)
{
	struct rx6 *o = arg;
	static uint8_t f[4096];

	if (len < 14 + 64 || ether_get16(d + 12) != ETHERTYPE_IPV6 ||
	    d[14 + 6] != 60 || d[14 + 40] != 44 || d[14 + 41] != 1 ||
	    d[14 + 42] != 1 || d[14 + 43] != 12 || len > sizeof(f)) {
		o->whole++;	/* not as it must be */
		return;
	}
	/* without the options, as rx6_collect() reads fragments */
	memcpy(f, d, 14 + 40);
	f[14 + 6] = 44;
	ether_put16(f + 14 + 4, (uint16_t)(ether_get16(d + 14 + 4) - 16));
	memcpy(f + 14 + 40, d + 14 + 56, len - 14 - 56);
	rx6_collect(f, len - 16, o);
}

/* An unfragmentable part (destination options) goes into each fragment
 * again, before the Fragment header. */
Test(pf, reass6_unfragmentable_part_kept)
{
	static uint8_t ip[4096], b[4096];
	struct dp dp;
	struct conf *conf;

	br6_setup(PF6_BR, "up\n");
	build(&dp, &conf);
	udp6_big(ip, 3000);
	feed(&dp, "tap0", b, frag6_of(b, ip, 1232, 1232, 1, 7, 16, 0));
	feed(&dp, "tap0", b, frag6_of(b, ip, 0, 1232, 1, 7, 16, 0));
	feed(&dp, "tap0", b, frag6_of(b, ip, 2464, 3008 - 2464, 0, 7, 16, 0));
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	dptest_destroy(&dp, conf);
	memset(&rx6, 0, sizeof(rx6));
	/* each: IPv6 header, 16 bytes of options naming 44, then it */
	sent_each("em2", rx6_ext, &rx6);
	cr_expect_eq(rx6.whole, 0, "%d frames without the options", rx6.whole);
	cr_expect_eq(rx6.n, 3);
	rx6_check(&rx6, 3000);
}

/* The fragments would still not fit a member's MTU: dropped, counted. */
Test(pf, reass6_bridged_member_mtu_too_small)
{
	static const int order[] = { 0, 1, 2 };
	struct dp dp;
	struct conf *conf;

	br6_setup(PF6_BR, "mtu 1276\nup\n");
	build(&dp, &conf);
	feed6(&dp, order, 3, ID6);
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	cr_expect_eq(stat_of(&dp, "drop-cantfrag"), 1, "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* The IP offset field of each IPv4 frame a port sent. */
static uint16_t ipoffs[8];
static int nipoffs;

static void
ipoff_collect(const uint8_t *d, uint32_t len, void *arg)
{
	(void)arg;
	if (len >= 34 && ether_get16(d + 12) == ETHERTYPE_IP && nipoffs < 8)
		ipoffs[nipoffs++] = ether_get16(d + 14 + 6);
}

/* Set DF on the IPv4 frame at b. */
static void
set_df(uint8_t *b)
{
	ether_put16(b + 14 + 6, ether_get16(b + 14 + 6) | IP_DF);
	ether_put16(b + 14 + 10, 0);
	ether_put16(b + 14 + 10, (uint16_t)~csum_fold(csum_partial(b + 14, 20,
	    0)));
}

/*
 * set reassemble yes no-df, as OpenBSD's pf_normalize_ip() has it: a
 * fragment with DF is taken (its DF cleared) instead of dropped; a whole
 * packet keeps its DF (scrub (no-df) is the option for those).
 */
Test(pf, reass_nodf_clears_df_of_fragments_only)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	int i;

	put("pf.conf", "set reassemble yes no-df\n" PF_NAT);
	build(&dp, &conf);
	neighbours(&dp);
	for (i = 0; i < 3; i++) {
		frag4(b, VE, DB, "10.50.0.20", "198.51.100.1", (uint16_t)(8 * i),
		    i < 2, 64);
		set_df(b);
		feed(&dp, "tap0", b, 14 + 20 + 64);
	}
	cr_expect_eq(stat_of(&dp, "reass-no-df"), 3, "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "reass-df"), 0);
	cr_expect_eq(stat_of(&dp, "reass-done"), 1);
	/* the same flow, whole: by the datagram's state (nat-to has one port) */
	ip4(b, VE, DB, 17, "10.50.0.20", 41000, "198.51.100.1", 53, 0);
	set_df(b);
	feed(&dp, "tap0", b, 60);
	cr_expect_eq(stat_of(&dp, "reass-no-df"), 3, "a whole packet: no");
	dptest_destroy(&dp, conf);
	memset(ipoffs, 0, sizeof(ipoffs));
	nipoffs = 0;
	sent_each("em0", ipoff_collect, NULL);
	cr_assert_eq(nipoffs, 2, "%d frames on em0", nipoffs);
	cr_expect_eq(ipoffs[0], 0, "the datagram: no DF, no MF, offset 0");
	cr_expect_eq(ipoffs[1], IP_DF, "the whole packet keeps its DF");
}

/* A TCP segment SRC:SP > DST:DP with its numbers, window, payload length
 * LEN (zeros) and, for WS >= 0, a window scale option. */
static uint32_t
tcp4(uint8_t *b, const uint8_t *dmac, const uint8_t *smac, const char *src,
    uint16_t sp, const char *dst, uint16_t dport, uint32_t seq, uint32_t ack,
    uint8_t flags, uint16_t win, int ws, uint32_t len)
{
	uint8_t *ip = b + 14, *l4 = ip + 20;
	uint32_t hl = ws >= 0 ? 24 : 20, ps;

	memset(b, 0, 14 + 20 + hl + len + 60);
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(20 + hl + len));
	ip[8] = 64;
	ip[9] = 6;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(l4, sp);
	ether_put16(l4 + 2, dport);
	ip_put32(l4 + 4, seq);
	ip_put32(l4 + 8, ack);
	l4[12] = (uint8_t)(hl / 4 << 4);
	l4[13] = flags;
	ether_put16(l4 + 14, win);
	if (ws >= 0) {
		l4[20] = 1;		/* nop, then wscale */
		l4[21] = 3;
		l4[22] = 3;
		l4[23] = (uint8_t)ws;
	}
	ps = csum_partial(ip + 12, 8, 0) + 6 + hl + len;
	ether_put16(l4 + 16, (uint16_t)~csum_fold(csum_partial(l4, hl + len,
	    ps)));
	return 14 + 20 + hl + len < 60 ? 60 : 14 + 20 + hl + len;
}

/* wan 198.51.100.1:40001 opens db01's ssh: ISNs 1000 and 5000, both
 * scaling by 7. */
static void
tcp_open(struct dp *dp)
{
	uint8_t b[128];

	feed(dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64240, 7, 0));
	feed(dp, "tap0", b, tcp4(b, VE, DB, "10.50.0.20", 22, "198.51.100.1",
	    40001, 5000, 1001, 0x12, 65160, 7, 0));
	feed(dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, 5001, 0x10, 502, -1, 0));
}

/* An ICMP port unreachable from the wan's gateway about db01's segment
 * with sequence number SEQ. */
static uint32_t
icmp_about_tcp(uint8_t *b, uint32_t seq)
{
	uint8_t q[128], *ip = b + 14, *icmp = ip + 20;

	tcp4(q, GW, E0, "10.50.0.20", 22, "198.51.100.1", 40001, seq, 1001,
	    0x10, 502, -1, 0);
	memset(b, 0, 14 + 20 + 8 + 28);
	memcpy(b, E0, 6);
	memcpy(b + 6, GW, 6);
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, 20 + 8 + 28);
	ip[8] = 64;
	ip[9] = 1;
	inet_pton(AF_INET, "198.51.100.1", ip + 12);
	inet_pton(AF_INET, "10.50.0.20", ip + 16);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	icmp[0] = 3;
	icmp[1] = 3;
	memcpy(icmp + 8, q + 14, 28);
	ether_put16(icmp + 2, (uint16_t)~csum_fold(csum_partial(icmp, 36, 0)));
	return 14 + 20 + 36;
}

/*
 * pf's sequence windows: a blind RST inside the window but not at the
 * next sequence number, and an ICMP error quoting a number db01 never
 * sent, are dropped as state mismatches and change nothing; the real RST
 * closes the connection.  -vss shows the windows as pfctl does.
 */
Test(pf, tcp_windows_stop_blind_resets)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	char *db;
	const char *t;

	put("pf.conf", "pass in on em0 proto tcp to port 22\npass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	tcp_open(&dp);
	t = dptest_ctl(&dp, "pfctl -vss");
	cr_expect(strstr(t, "10.50.0.20:22 <- 198.51.100.1:40001       "
	    "ESTABLISHED:ESTABLISHED\n"
	    "   [5001 + 64256] wscale 7  [1000 + 65281] wscale 7\n") != NULL,
	    "%s", t);
	t = dptest_ctl(&dp, "explain in on em0 proto tcp from 198.51.100.1 "
	    "port 40001 to 10.50.0.20 port 22");
	cr_expect(strstr(t, "  if its segment fits the TCP windows: this end "
	    "[1000 + 65281], the other [5001 + 64256]; outside them it is "
	    "dropped (state-mismatch)\n") != NULL, "%s", t);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 31001, 0, 0x04, 0, -1, 0));
	feed(&dp, "em0", b, icmp_about_tcp(b, 900000));
	t = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(t, "state-mismatch", 2), "%s", t);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "<- 198.51.100.1:40001"
	    "       ESTABLISHED:ESTABLISHED") != NULL, "%s", dptest_out);
	feed(&dp, "em0", b, icmp_about_tcp(b, 5001));
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, 0, 0x04, 0, -1, 0));
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "<- 198.51.100.1:40001"
	    "       TIME_WAIT:TIME_WAIT") != NULL, "%s", dptest_out);
	t = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(t, "state-mismatch", 2), "%s", t);
	dptest_destroy(&dp, conf);
	db = sent("tap0");
	/* (the first frame: the router's ARP for db01) */
	cr_expect_str_eq(db, "non-ip\n"
	    "198.51.100.1:40001 > 10.50.0.20:22 proto 6\n"
	    "198.51.100.1:40001 > 10.50.0.20:22 proto 6\n"
	    "198.51.100.1 > 10.50.0.20 icmp 3/3\n"
	    "198.51.100.1:40001 > 10.50.0.20:22 proto 6\n", "%s", db);
	free(db);
}

/* keep state (sloppy): no windows, as pf_tcp_track_sloppy(); -vss says
 * so. */
Test(pf, tcp_sloppy_state_has_no_windows)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];
	const char *t;

	put("pf.conf", "pass in on em0 proto tcp to port 22 keep state "
	    "(sloppy)\npass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	tcp_open(&dp);
	t = dptest_ctl(&dp, "pfctl -vss");
	cr_expect(strstr(t, ", rule 0, sloppy\n") != NULL, "%s", t);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 31001, 0, 0x04, 0, -1, 0));
	t = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(t, "state-mismatch", 1), "the out state on "
	    "vether0 is not sloppy:\n%s", t);
	dptest_destroy(&dp, conf);
}

/* A static interface name in a rule (`from em0', antispoof) stands for
 * all its addresses, IPv6 ones too, as pfctl's ifa_lookup() expands
 * them: the link-local one is scoped, so its rule is `on em0'. */
Test(pf, interface_names_expand_to_ipv6_too)
{
	struct dp dp;
	struct conf *conf;
	const char *sr;

	put("hostname.em0", "lladdr 02:00:00:00:0e:00\n"
	    "inet 198.51.100.2 255.255.255.0\ninet6 2001:db8::2 64\nup\n");
	put("pf.conf", "pass in from em0\nantispoof for em0\n");
	build(&dp, &conf);
	sr = dptest_ctl(&dp, "pfctl -sr");
	cr_expect(strstr(sr, "pass in inet from 198.51.100.2 to any flags S/SA\n"
	    "pass in on em0 inet6 from fe80::ff:fe00:e00 to any flags S/SA\n"
	    "pass in inet6 from 2001:db8::2 to any flags S/SA\n") != NULL,
	    "%s", sr);
	cr_expect(strstr(sr, "block drop in on ! em0 inet6 from 2001:db8::/64 "
	    "to any\n") != NULL, "%s", sr);
	cr_expect(strstr(sr, "block drop in inet6 from 2001:db8::2 to any\n")
	    != NULL, "%s", sr);
	dptest_destroy(&dp, conf);
}

/* The TCP segments a port sent: numbers, flags, and whether the IP and
 * TCP checksums (and an ICMP error's) hold. */
struct segs {
	int		 n;
	uint32_t	 seq[16], ack[16];
	uint8_t		 flags[16];
	int		 bad;		/* frames with a wrong checksum */
	uint32_t	 icmp_seq;	/* the last ICMP error's quoted seq */
	int		 icmps;
};

static void
seg_collect(const uint8_t *d, uint32_t len, void *arg)
{
	struct segs *sg = arg;
	const uint8_t *ip = d + 14, *l4 = ip + 20;
	uint32_t iplen, ps;

	if (len < 54 || ether_get16(d + 12) != ETHERTYPE_IP)
		return;
	iplen = ether_get16(ip + 2);
	if (csum_fold(csum_partial(ip, 20, 0)) != 0xffff)
		sg->bad++;
	if (ip[9] == 1) {
		if (csum_fold(csum_partial(l4, iplen - 20, 0)) != 0xffff)
			sg->bad++;
		sg->icmp_seq = ip_get32(l4 + 8 + 20 + 4);
		sg->icmps++;
		return;
	}
	if (ip[9] != 6 || sg->n == 16)
		return;
	ps = csum_partial(ip + 12, 8, 0) + 6 + iplen - 20;
	if (csum_fold(csum_partial(l4, iplen - 20, ps)) != 0xffff)
		sg->bad++;
	sg->seq[sg->n] = ip_get32(l4 + 4);
	sg->ack[sg->n] = ip_get32(l4 + 8);
	sg->flags[sg->n] = l4[13];
	sg->n++;
}

/* The Nth "(+D)" of pfctl -vss. */
static uint32_t
vss_seqdiff(struct dp *dp, int n)
{
	const char *t = dptest_ctl(dp, "pfctl -vss"), *q = t;
	unsigned long d = 0;

	while (n-- >= 0) {
		cr_assert_not_null(q = strstr(q, "](+"), "no seqdiff:\n%s", t);
		q += 3;
	}
	d = strtoul(q, NULL, 10);
	return (uint32_t)d;
}

/*
 * modulate state: db01's connection leaves with both ends' sequence
 * numbers offset (pf's seqdiff: the client's from its SYN, db01's from
 * its SYN|ACK), the acks given back each receiver's own numbers, every
 * checksum right; the windows keep the ends' own numbers (no mismatch),
 * -vss shows the offsets as print_seq() does, and an ICMP error quoting
 * db01's segment as the wan saw it is given back db01's number, while
 * one quoting db01's own number (not what left) is a forgery.
 */
Test(pf, modulate_state_offsets_both_ends)
{
	struct dp dp;
	struct conf *conf;
	struct segs db = { 0 }, wan = { 0 };
	uint8_t b[256];
	uint32_t d, e;
	const char *t;

	put("pf.conf", "pass in on em0 proto tcp to port 22 modulate state\n"
	    "pass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64240, 7, 0));
	d = vss_seqdiff(&dp, 0);
	cr_assert_neq(d, 0);
	t = dptest_ctl(&dp, "pfctl -vss");
	cr_expect(strstr(t, "10.50.0.20:22 <- 198.51.100.1:40001       "
	    "CLOSED:SYN_SENT\n   [0 + 1]  [1000 + 2](+") != NULL, "%s", t);
	feed(&dp, "tap0", b, tcp4(b, VE, DB, "10.50.0.20", 22, "198.51.100.1",
	    40001, 5000, 1001 + d, 0x12, 65160, 7, 0));
	e = vss_seqdiff(&dp, 0);	/* the in state's line: db01's first */
	cr_assert_neq(e, 0);
	cr_expect_eq(vss_seqdiff(&dp, 1), d, "%s", dptest_out);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, 5001 + e, 0x10, 502, -1, 0));
	feed(&dp, "tap0", b, tcp4(b, VE, DB, "10.50.0.20", 22, "198.51.100.1",
	    40001, 5001, 1001 + d, 0x18, 510, -1, 100));
	t = dptest_ctl(&dp, "pfctl -vss");
	cr_expect(strstr(t, "<- 198.51.100.1:40001       "
	    "ESTABLISHED:ESTABLISHED\n   [5101 + ") != NULL, "%s", t);
	/* the wan quotes what it got: 5101 + e; db01's own number is not */
	feed(&dp, "em0", b, icmp_about_tcp(b, 5001 + e));
	feed(&dp, "em0", b, icmp_about_tcp(b, 5001 - e));
	t = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(t, "state-mismatch", 1), "%s", t);
	cr_expect_eq(stat_of(&dp, "modulate-states"), 1);
	cr_expect_eq(stat_of(&dp, "modulate-deferred"), 1);
	cr_expect_eq(stat_of(&dp, "modulated"), 4);
	cr_expect_eq(stat_of(&dp, "modulated-icmp"), 2);
	dptest_destroy(&dp, conf);
	sent_each("tap0", seg_collect, &db);
	sent_each("em0", seg_collect, &wan);
	cr_expect_eq(db.bad + wan.bad, 0, "a checksum does not hold");
	cr_assert_eq(db.n, 2);
	cr_expect_eq(db.seq[0], 1000 + d);
	cr_expect_eq(db.ack[0], 0);
	cr_expect_eq(db.seq[1], 1001 + d);
	cr_expect_eq(db.ack[1], 5001, "the ack is db01's own number again");
	cr_assert_eq(wan.n, 2);
	cr_expect_eq(wan.seq[0], 5000 + e);
	cr_expect_eq(wan.ack[0], 1001);
	cr_expect_eq(wan.seq[1], 5001 + e);
	cr_expect_eq(wan.ack[1], 1001);
	cr_expect_eq(db.icmps, 1, "the forged quote went through");
	cr_expect_eq(db.icmp_seq, 5001, "db01 gets its own number back");
}

/*
 * synproxy state: sluice answers the wan's SYN itself, and db01 hears
 * nothing until the client ACKs sluice's SYN|ACK right (a wrong ACK is
 * dropped and counted); then db01 gets a SYN (sluice's ISN towards it,
 * the client's MSS or pf's 512), its SYN|ACK becomes the ACK to the
 * client and sluice ACKs db01 for the client; data then flows both ways
 * between the two ISNs, with right checksums and no window mismatch.
 */
Test(pf, synproxy_state_answers_for_the_server)
{
	struct dp dp;
	struct conf *conf;
	struct segs db = { 0 }, wan = { 0 };
	uint8_t b[256];
	uint32_t isn_c, isn_s;
	const char *t, *q;

	put("pf.conf", "pass in on em0 proto tcp to port 22 synproxy state\n"
	    "pass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64240, 7, 0));
	t = dptest_ctl(&dp, "pfctl -vss");
	cr_assert_not_null(q = strstr(t, "       PROXY:SRC\n   [0 + 1]  "
	    "[1000 + "), "%s", t);
	isn_c = 1000 + (uint32_t)strtoul(q + 37, NULL, 10);
	/* a blind ACK, and one from db01's side: dropped */
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, isn_c + 7, 0x10, 502, -1, 0));
	feed(&dp, "tap0", b, tcp4(b, VE, DB, "10.50.0.20", 22, "198.51.100.1",
	    40001, 5000, 1001, 0x12, 65160, 7, 0));
	cr_expect_eq(stat_of(&dp, "synproxy-bad"), 2, "%s", dptest_out);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, isn_c + 1, 0x10, 502, -1, 0));
	t = dptest_ctl(&dp, "pfctl -vss");
	cr_assert_not_null(q = strstr(t, "       PROXY:DST\n   [0 + "), "%s",
	    t);
	isn_s = (uint32_t)strtoul(q + 24, NULL, 10);
	feed(&dp, "tap0", b, tcp4(b, VE, DB, "10.50.0.20", 22, "198.51.100.1",
	    40001, 5000, isn_s + 1, 0x12, 65160, 7, 0));
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "<- 198.51.100.1:40001"
	    "       ESTABLISHED:ESTABLISHED\n") != NULL, "%s", dptest_out);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, isn_c + 1, 0x18, 502, -1, 10));
	feed(&dp, "tap0", b, tcp4(b, VE, DB, "10.50.0.20", 22, "198.51.100.1",
	    40001, 5001, isn_s + 11, 0x18, 510, -1, 20));
	t = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(t, "state-mismatch", 0), "%s", t);
	/* the SYN, the blind ACK, db01 speaking too early, the good ACK,
	 * db01's SYN|ACK */
	cr_expect(has_counter(t, "synproxy", 5), "%s", t);
	cr_expect_eq(stat_of(&dp, "synproxy-established"), 1);
	dptest_destroy(&dp, conf);
	sent_each("tap0", seg_collect, &db);
	sent_each("em0", seg_collect, &wan);
	cr_expect_eq(db.bad + wan.bad, 0, "a checksum does not hold");
	cr_assert_eq(db.n, 3, "db01 got %d segments", db.n);
	cr_expect_eq(db.flags[0], 0x02);
	cr_expect_eq(db.seq[0], isn_s);
	cr_expect_eq(db.flags[1], 0x10);
	cr_expect_eq(db.seq[1], isn_s + 1);
	cr_expect_eq(db.ack[1], 5001);
	cr_expect_eq(db.seq[2], isn_s + 1);
	cr_expect_eq(db.ack[2], 5001);
	cr_assert_eq(wan.n, 3, "the wan got %d segments", wan.n);
	cr_expect_eq(wan.flags[0], 0x12);
	cr_expect_eq(wan.seq[0], isn_c);
	cr_expect_eq(wan.ack[0], 1001);
	cr_expect_eq(wan.flags[1], 0x10);
	cr_expect_eq(wan.seq[1], isn_c + 1);
	cr_expect_eq(wan.ack[1], 1001);
	cr_expect_eq(wan.seq[2], isn_c + 1);
	cr_expect_eq(wan.ack[2], 1011);
}

/*
 * set syncookies always: sluice answers the wan's SYN with a cookie and
 * keeps nothing; an ACK of no cookie goes to the rules (and is blocked
 * here); the ACK of the cookie makes the SYN again, which the rules pass
 * and which gets a state, and from there it is synproxy: db01 gets a SYN
 * with the cookie as ISN, its SYN|ACK becomes the client's ACK, and
 * sluice ACKs db01 for the client.
 */
Test(pf, syncookies_always)
{
	struct dp dp;
	struct conf *conf;
	struct segs db = { 0 }, wan = { 0 };
	uint8_t b[256];
	uint32_t iss;
	const char *t, *q;

	put("pf.conf", "set syncookies always\nblock in on em0\n"
	    "pass in on em0 proto tcp to port 22\npass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	dptest_ctl(&dp, "trace on 10");
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64240, 7, 0));
	t = dptest_ctl(&dp, "trace show");
	cr_assert_not_null(q = strstr(t, "SYN answered by sluice (ISN "), "%s",
	    t);
	iss = (uint32_t)strtoul(q + 28, NULL, 10);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "->") == NULL,
	    "a state for a cookie: %s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em0 proto tcp from "
	    "198.51.100.1 to 10.50.0.20 port 22"), "syncookies are on "
	    "(always): sluice answers this SYN itself") != NULL, "%s",
	    dptest_out);
	/* an ACK of another number: no cookie, the rules block it */
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, iss + 2, 0x10, 502, -1, 0));
	cr_expect_eq(stat_of(&dp, "syncookie-valid"), 0, "%s", dptest_out);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, iss + 1, 0x10, 502, -1, 0));
	cr_expect_eq(stat_of(&dp, "syncookie-valid"), 1, "%s", dptest_out);
	t = dptest_ctl(&dp, "pfctl -vss");
	cr_expect(strstr(t, "PROXY:DST") != NULL, "%s", t);
	feed(&dp, "tap0", b, tcp4(b, VE, DB, "10.50.0.20", 22, "198.51.100.1",
	    40001, 5000, iss + 1, 0x12, 65160, 7, 0));
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -ss"), "<- 198.51.100.1:40001"
	    "       ESTABLISHED:ESTABLISHED\n") != NULL, "%s", dptest_out);
	t = dptest_ctl(&dp, "pfctl -vsi");
	cr_expect(has_counter(t, "syncookies sent", 1), "%s", t);
	cr_expect(has_counter(t, "syncookies validated", 1), "%s", t);
	cr_expect(has_counter(t, "synfloods detected", 0), "%s", t);
	cr_expect_eq(stat_of(&dp, "syncookie"), 1);
	dptest_destroy(&dp, conf);
	sent_each("tap0", seg_collect, &db);
	sent_each("em0", seg_collect, &wan);
	cr_expect_eq(db.bad + wan.bad, 0, "a checksum does not hold");
	cr_assert_eq(wan.n, 2, "the wan got %d segments", wan.n);
	cr_expect_eq(wan.flags[0], 0x12);
	cr_expect_eq(wan.seq[0], iss);
	cr_expect_eq(wan.ack[0], 1001);
	cr_expect_eq(wan.flags[1], 0x10);
	cr_expect_eq(wan.seq[1], iss + 1);
	cr_expect_eq(wan.ack[1], 1001);
	cr_assert_eq(db.n, 2, "db01 got %d segments", db.n);
	cr_expect_eq(db.flags[0], 0x02);
	cr_expect_eq(db.seq[0], iss);
	cr_expect_eq(db.flags[1], 0x10);
	cr_expect_eq(db.seq[1], iss + 1);
	cr_expect_eq(db.ack[1], 5001);
}

/*
 * adaptive (start 5%, end 2%) of 100 states: three SYNs routed through
 * make six half-open states (in on em0, out on vether0), and the next
 * SYN gets a cookie ("synfloods detected").  When the half-open
 * states and the cookies in flight are under the end watermark, the
 * next key rotation (every 15 s) stops the cookies.
 */
Test(pf, syncookies_adaptive)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[256];
	const char *t;
	char row[80];
	int i;

	put("pf.conf", "set limit states 100\n"
	    "set syncookies adaptive (start 5%, end 2%)\n"
	    "set timeout tcp.first 5\npass\n");
	build(&dp, &conf);
	neighbours(&dp);
	for (i = 0; i < 3; i++)
		feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1",
		    (uint16_t)(40001 + i), "10.50.0.20", 22, 1000, 0, 0x02,
		    64240, 7, 0));
	cr_expect_eq(stat_of(&dp, "syncookie"), 0);
	dptest_run_to(&dp, 2);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40009,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64240, 7, 0));
	cr_expect_eq(stat_of(&dp, "syncookie"), 1, "%s", dptest_out);
	t = dptest_ctl(&dp, "pfctl -vsi");
	cr_expect(has_counter(t, "synfloods detected", 1), "%s", t);
	snprintf(row, sizeof(row), "  %-25s %14d states\n", "start", 5);
	cr_expect(strstr(t, row) != NULL, "%s", t);
	cr_expect(has_counter(t, "half-open tcp", 6), "%s", t);
	/* tcp.first 5: the half-open states are purged by 16 s; at 17 the
	 * key turns and 0 half-open + 1 cookie in flight is under 2 */
	dptest_run_to(&dp, 18);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40011,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64240, 7, 0));
	cr_expect_eq(stat_of(&dp, "syncookie"), 1, "%s", dptest_out);
	cr_expect(has_counter(dptest_ctl(&dp, "pfctl -si"), "half-open tcp",
	    2), "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* tcp4() with a timestamp option (NOP, NOP, TS) and a TTL. */
static uint32_t
tcp4ts(uint8_t *b, const uint8_t *dmac, const uint8_t *smac, const char *src,
    uint16_t sp, const char *dst, uint16_t dport, uint32_t seq, uint32_t ack,
    uint8_t flags, uint8_t ttl, uint32_t tsval, uint32_t tsecr, uint32_t len)
{
	uint8_t *ip = b + 14, *l4 = ip + 20;
	uint32_t hl = 32, ps;

	memset(b, 0, 14 + 20 + hl + len + 60);
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(20 + hl + len));
	ip[8] = ttl;
	ip[9] = 6;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(l4, sp);
	ether_put16(l4 + 2, dport);
	ip_put32(l4 + 4, seq);
	ip_put32(l4 + 8, ack);
	l4[12] = (uint8_t)(hl / 4 << 4);
	l4[13] = flags;
	ether_put16(l4 + 14, 65535);
	l4[20] = 1;
	l4[21] = 1;
	l4[22] = 8;
	l4[23] = 10;
	ip_put32(l4 + 24, tsval);
	ip_put32(l4 + 28, tsecr);
	ps = csum_partial(ip + 12, 8, 0) + 6 + hl + len;
	ether_put16(l4 + 16, (uint16_t)~csum_fold(csum_partial(l4, hl + len,
	    ps)));
	return 14 + 20 + hl + len;
}

/* What seg_ts() keeps of the TCP segments a port sent. */
struct tsegs {
	int		 n, bad;
	uint32_t	 tsval[8], tsecr[8];
	uint8_t		 ttl[8];
};

static void
seg_ts(const uint8_t *d, uint32_t len, void *arg)
{
	struct tsegs *t = arg;
	const uint8_t *ip = d + 14, *l4 = ip + 20;
	uint32_t iplen, ps;

	if (len < 14 + 20 + 32 || ether_get16(d + 12) != ETHERTYPE_IP ||
	    ip[9] != 6 || t->n == 8)
		return;
	iplen = ether_get16(ip + 2);
	ps = csum_partial(ip + 12, 8, 0) + 6 + iplen - 20;
	if (csum_fold(csum_partial(l4, iplen - 20, ps)) != 0xffff ||
	    csum_fold(csum_partial(ip, 20, 0)) != 0xffff)
		t->bad++;
	t->ttl[t->n] = ip[8];
	t->tsval[t->n] = ip_get32(l4 + 24);
	t->tsecr[t->n] = ip_get32(l4 + 28);
	t->n++;
}

/*
 * scrub (reassemble tcp): the wan's timestamps reach db01 offset by the
 * state's random amount and db01's echoes come back without it, db01's
 * own the same way the other side; the wan's TTL is kept at the highest
 * it sent; once both ends echoed, a timestamp older than the other end
 * echoed is dropped (bad-timestamp).
 */
Test(pf, scrub_reassemble_tcp)
{
	struct dp dp;
	struct conf *conf;
	struct tsegs db = { 0 }, wan = { 0 };
	uint8_t b[256];
	uint32_t m1, m2;
	const char *t, *q;

	put("pf.conf", "match in all scrub (reassemble tcp)\n"
	    "pass in on em0 proto tcp to port 22\npass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "em0", b, tcp4ts(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64, 100000, 0, 0));
	feed(&dp, "tap0", b, tcp4ts(b, VE, DB, "10.50.0.20", 22,
	    "198.51.100.1", 40001, 5000, 1001, 0x12, 64, 7000, 0, 0));
	dptest_destroy(&dp, conf);
	sent_each("tap0", seg_ts, &db);
	sent_each("em0", seg_ts, &wan);
	cr_assert_eq(db.n, 1);
	cr_assert_eq(wan.n, 1);
	m1 = db.tsval[0] - 100000;
	cr_expect_neq(m1, 0, "the wan's clock not offset");
	m2 = wan.tsval[0] - 7000;
	cr_expect_neq(m2, 0, "db01's clock not offset");
	cr_expect_eq(db.bad + wan.bad, 0);

	/* the whole exchange: the offsets from the trace */
	memset(&db, 0, sizeof(db));
	memset(&wan, 0, sizeof(wan));
	build(&dp, &conf);
	neighbours(&dp);
	dptest_ctl(&dp, "trace on 20");
	feed(&dp, "em0", b, tcp4ts(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1000, 0, 0x02, 64, 100000, 0, 0));
	t = dptest_ctl(&dp, "trace show");
	cr_assert_not_null(q = strstr(t, "offset by +"), "%s", t);
	m1 = (uint32_t)strtoul(q + 11, NULL, 10);
	feed(&dp, "tap0", b, tcp4ts(b, VE, DB, "10.50.0.20", 22,
	    "198.51.100.1", 40001, 5000, 1001, 0x12, 64, 7000, 100000 + m1,
	    0));
	t = dptest_ctl(&dp, "trace show");
	cr_assert_not_null(q = strstr(t, "offset by +"), "%s", t);
	cr_assert_not_null(q = strstr(q + 1, "offset by +"), "%s", t);
	m2 = (uint32_t)strtoul(q + 11, NULL, 10);
	/* the ACK, then data with a lower TTL */
	feed(&dp, "em0", b, tcp4ts(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, 5001, 0x10, 64, 100010, 7000 + m2, 0));
	feed(&dp, "em0", b, tcp4ts(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, 5001, 0x18, 30, 100020, 7000 + m2, 10));
	cr_expect_eq(stat_of(&dp, "bad-timestamp"), 0, "%s", dptest_out);
	/* an old timestamp: db01 has echoed 100000 already */
	feed(&dp, "em0", b, tcp4ts(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1011, 5001, 0x18, 64, 50000, 7000 + m2, 10));
	t = dptest_ctl(&dp, "pfctl -si");
	cr_expect(has_counter(t, "bad-timestamp", 1), "%s", t);
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em0 proto tcp from "
	    "198.51.100.9 to 10.50.0.20 port 22"), "normalized: scrub "
	    "(reassemble tcp), on this packet and every packet of its state")
	    != NULL, "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "trace show"), "drop (scrub "
	    "reassemble tcp of the state of rule 1: timestamp outside what "
	    "PAWS allows)") != NULL, "%s", dptest_out);
	dptest_destroy(&dp, conf);
	sent_each("tap0", seg_ts, &db);
	sent_each("em0", seg_ts, &wan);
	cr_expect_eq(db.bad + wan.bad, 0, "a checksum does not hold");
	cr_assert_eq(db.n, 3, "db01 got %d segments", db.n);
	cr_expect_eq(db.tsval[0], 100000 + m1);
	cr_expect_eq(db.tsval[1], 100010 + m1);
	cr_expect_eq(db.tsecr[1], 7000, "db01's echo is its own again");
	cr_expect_eq(db.ttl[2], db.ttl[0], "the TTL kept at its highest");
	cr_assert_eq(wan.n, 1);
	cr_expect_eq(wan.tsval[0], 7000 + m2);
	cr_expect_eq(wan.tsecr[0], 100000, "the wan's echo is its own again");
}

/* A modulate state made by a packet that is not a bare SYN is kept
 * unmodulated (pf_create_state()), and counted. */
Test(pf, modulate_kept_without_a_syn)
{
	struct dp dp;
	struct conf *conf;
	uint8_t b[128];

	put("pf.conf", "pass in on em0 proto tcp to port 22 flags any "
	    "modulate state\npass out all\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "em0", b, tcp4(b, E0, GW, "198.51.100.1", 40001,
	    "10.50.0.20", 22, 1001, 5001, 0x10, 502, -1, 0));
	cr_expect_eq(stat_of(&dp, "modulate-kept"), 1, "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "modulate-states"), 0);
	cr_expect_null(strstr(dptest_ctl(&dp, "pfctl -vss"), "(+"), "%s",
	    dptest_out);
	dptest_destroy(&dp, conf);
}

/* The Packets counter of rule @NR in `pfctl -vvsr', or -1. */
static long
rule_packets(struct dp *dp, unsigned nr)
{
	const char *t = dptest_ctl(dp, "pfctl -vvsr"), *q;
	char at[16];

	snprintf(at, sizeof(at), "@%u ", nr);
	if ((q = strstr(t, at)) == NULL || (q = strstr(q, "Packets: ")) ==
	    NULL)
		return -1;
	return strtol(q + 9, NULL, 10);
}

static void
dns_query(struct dp *dp, uint16_t sport)
{
	uint8_t b[128];

	feed(dp, "em0", b, ip4(b, E0, GW, 17, "198.51.100.1", sport,
	    "10.50.0.20", 53, 0));
}

/*
 * max-pkt-rate 3/10: the fourth query within the second is over the rate,
 * the rule does not match it and the block before it decides; explain
 * asks without counting; ten seconds on, the rate has gone.
 */
Test(pf, max_pkt_rate_rule)
{
	struct conf *conf;
	struct dp dp;
	uint16_t sp;

	put("pf.conf", "block in on em0 proto udp\n"
	    "pass in on em0 proto udp to port 53 max-pkt-rate 3/10 no state\n"
	    "pass out all no state\n");
	build(&dp, &conf);
	neighbours(&dp);
	for (sp = 5001; sp <= 5005; sp++)
		dns_query(&dp, sp);
	cr_expect_eq(rule_packets(&dp, 1), 3, "%s", dptest_out);
	cr_expect_eq(rule_packets(&dp, 0), 2, "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "max-pkt-rate"), 2);
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em0 proto udp from "
	    "198.51.100.1 port 5006 to 10.50.0.20 port 53"), "block") != NULL,
	    "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "max-pkt-rate"), 2, "explain counted");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sr"), "max-pkt-rate 3/10") !=
	    NULL, "%s", dptest_out);
	dptest_at(&dp, 11);
	dns_query(&dp, 5007);
	cr_expect_eq(rule_packets(&dp, 1), 4, "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "max-pkt-rate"), 2);
	dptest_destroy(&dp, conf);
}

/*
 * The packets of a max-pkt-rate rule's state count too, going the way the
 * state was made: the third query of one flow is dropped; the answers,
 * going the other way, are not counted and pass.
 */
Test(pf, max_pkt_rate_state)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];
	int i;

	put("pf.conf", "pass in on em0 proto udp to port 53 max-pkt-rate 2/10\n"
	    "pass out all no state\npass in on vether0 no state\n");
	build(&dp, &conf);
	neighbours(&dp);
	dns_query(&dp, 5001);
	dns_query(&dp, 5001);
	cr_expect_eq(stat_of(&dp, "max-pkt-rate"), 0);
	for (i = 0; i < 4; i++)
		feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 53,
		    "198.51.100.1", 5001, 0));
	cr_expect_eq(stat_of(&dp, "max-pkt-rate"), 0, "answers counted");
	cr_expect_eq(rule_packets(&dp, 0), 6, "%s", dptest_out);
	dns_query(&dp, 5001);
	cr_expect_eq(stat_of(&dp, "max-pkt-rate"), 1);
	cr_expect_eq(rule_packets(&dp, 0), 6, "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/*
 * once: the first packet the rule decides expires it; it then matches
 * nothing and shows in -vvsr only, until the rules load again.
 */
Test(pf, once)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "block in on em0 proto udp\n"
	    "pass in on em0 proto udp to port 53 no state once\n"
	    "pass out all no state\n");
	build(&dp, &conf);
	neighbours(&dp);
	dns_query(&dp, 5001);
	dns_query(&dp, 5002);
	cr_expect_eq(rule_packets(&dp, 1), 1, "%s", dptest_out);
	cr_expect_eq(rule_packets(&dp, 0), 1, "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "once-expired"), 1);
	cr_expect_null(strstr(dptest_ctl(&dp, "pfctl -sr"), "once"), "%s",
	    dptest_out);
	cr_expect_null(strstr(dptest_ctl(&dp, "pfctl -vsr"), "once"), "%s",
	    dptest_out);
	cr_expect_not_null(strstr(dptest_ctl(&dp, "pfctl -vvsr"), "@1 pass in "
	    "on em0 proto udp from any to any port = 53 no state once\n"),
	    "%s", dptest_out);
	cr_assert_str_eq(dptest_ctl(&dp, "pfctl -f /etc/pf.conf"), "");
	cr_expect_not_null(strstr(dptest_ctl(&dp, "pfctl -sr"), "once"), "%s",
	    dptest_out);
	dns_query(&dp, 5003);
	cr_expect_eq(rule_packets(&dp, 1), 1, "%s", dptest_out);
	cr_expect_eq(stat_of(&dp, "once-expired"), 2);
	dptest_destroy(&dp, conf);
}

/* How many states `pfctl -ss' lists (a line each). */
static int
states_now(struct dp *dp)
{
	const char *t = dptest_ctl(dp, "pfctl -ss");
	int n = 0;

	for (; *t != '\0'; t++)
		n += *t == '\n';
	return n;
}

/*
 * Adaptive timeouts, with adaptive.start 6 and adaptive.end 12: nine UDP
 * states of one packet (udp.first 60) get 60 * (12 - 9) / (12 - 6) = 30
 * seconds; once one goes, the next gets 40, then 50, and at 6 states the
 * rest keep their 60.  The purge scans the table each second (interval 1).
 */
static void
adaptive_run(const char *pfconf)
{
	static const struct {
		uint32_t	 at;
		int		 states;
	} left[] = { { 30, 9 }, { 31, 8 }, { 40, 8 }, { 41, 7 }, { 50, 7 },
	    { 51, 6 }, { 60, 6 }, { 61, 0 } };
	struct conf *conf;
	struct dp dp;
	uint16_t sp;
	size_t i;

	put("pf.conf", pfconf);
	build(&dp, &conf);
	neighbours(&dp);
	for (sp = 5001; sp <= 5009; sp++)
		dns_query(&dp, sp);
	cr_assert_eq(states_now(&dp), 9, "%s", dptest_out);
	cr_expect_not_null(strstr(dptest_ctl(&dp, "pfctl -vss"), "expires in "
	    "00:00:30"), "%s", dptest_out);
	for (i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		dptest_run_to(&dp, left[i].at);
		cr_expect_eq(states_now(&dp), left[i].states, "at %u s: %s",
		    left[i].at, dptest_out);
	}
	dptest_destroy(&dp, conf);
}

/* set limit states 10 gives adaptive.start 6, adaptive.end 12
 * (pfctl_load_options()), counted over the whole table. */
Test(pf, adaptive_timeouts_global)
{
	adaptive_run("set limit states 10\nset timeout interval 1\n"
	    "pass in on em0 proto udp\n");
}

/* keep state (max 10): the rule's own, over its own states. */
Test(pf, adaptive_timeouts_rule)
{
	adaptive_run("set timeout interval 1\n"
	    "pass in on em0 proto udp keep state (max 10)\n"
	    "pass in on em0 proto udp to port 54\n");
}

/* What -st shows for set limit states 10 */
Test(pf, adaptive_timeouts_shown)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "set limit states 10\n");
	build(&dp, &conf);
	cr_expect_not_null(strstr(dptest_ctl(&dp, "pfctl -st"),
	    "adaptive.start                6 states\n"
	    "adaptive.end                 12 states\n"), "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* A UDP packet in on em0 or em2 (addressed to its MAC) from SRC. */
static void
udp_in(struct dp *dp, const char *port, const char *src)
{
	static const uint8_t E2[6] = { 0x02, 0x00, 0x00, 0x00, 0x0e, 0x02 };
	uint8_t b[128];

	feed(dp, port, b, ip4(b, strcmp(port, "em2") == 0 ? E2 : E0, GW, 17,
	    src, 5001, "10.50.0.20", 53, 0));
}

/*
 * urpf-failed: the route back to the source leaves by another interface,
 * or there is none.  The default route is em0's: em2 takes only its own
 * network; 10.50.0.0/24 is vether0's, not em0's.  The routes are asked
 * at match time, so a route added later counts at once.
 */
Test(pf, urpf_failed)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "pass all no state\nblock in quick from urpf-failed\n");
	build(&dp, &conf);
	neighbours(&dp);
	udp_in(&dp, "em0", "198.51.100.1");
	udp_in(&dp, "em0", "192.0.2.7");
	udp_in(&dp, "em2", "203.0.113.9");
	cr_expect_eq(rule_packets(&dp, 1), 0, "%s", dptest_out);
	udp_in(&dp, "em0", "10.50.0.99");
	cr_expect_eq(rule_packets(&dp, 1), 1, "%s", dptest_out);
	udp_in(&dp, "em2", "192.0.2.7");
	cr_expect_eq(rule_packets(&dp, 1), 2, "%s", dptest_out);
	cr_assert_str_eq(dptest_ctl(&dp, "route add 192.0.2.0/24 "
	    "203.0.113.1"), "add net 192.0.2.0/24: gateway 203.0.113.1\n");
	udp_in(&dp, "em2", "192.0.2.7");
	cr_expect_eq(rule_packets(&dp, 1), 2, "%s", dptest_out);
	udp_in(&dp, "em0", "192.0.2.7");
	cr_expect_eq(rule_packets(&dp, 1), 3, "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* no-route: no route at all (without the default route). */
Test(pf, no_route)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "pass all no state\nblock in quick from no-route\n");
	build(&dp, &conf);
	neighbours(&dp);
	udp_in(&dp, "em0", "192.0.2.7");
	cr_expect_eq(rule_packets(&dp, 1), 0, "%s", dptest_out);
	dptest_ctl(&dp, "route delete default");
	udp_in(&dp, "em0", "192.0.2.7");
	udp_in(&dp, "em0", "198.51.100.1");
	cr_expect_eq(rule_packets(&dp, 1), 1, "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* The second uplink's gateway, 203.0.113.1, known to em2. */
static const uint8_t GW2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x78 };

static void
neighbours2(struct dp *dp)
{
	static const uint8_t E2[6] = { 0x02, 0x00, 0x00, 0x00, 0x0e, 0x02 };
	uint8_t b[64];

	neighbours(dp);
	feed(dp, "em2", b, arp(b, 2, GW2, "203.0.113.1", E2, "203.0.113.2"));
}

/* Does PORT's capture hold LINE (sent() format)? */
static int
sent_has(const char *port, const char *line)
{
	char *t = sent(port);
	int has = strstr(t, line) != NULL;

	free(t);
	return has;
}

/*
 * route-to on pass in: db01's flow leaves by em2 to 203.0.113.1, not by
 * the default route's em0, its later packets too (the state keeps the
 * next hop); the reply comes back in on em0 and goes home by the table.
 */
Test(pf, route_to_in)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "pass\npass in on vether0 route-to 203.0.113.1\n");
	build(&dp, &conf);
	neighbours2(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "192.0.2.9", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "192.0.2.9", 53, 0));
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.9", 53,
	    "10.50.0.20", 41000, 0));
	cr_expect_eq(stat_of(&dp, "pf-routed"), 2);
	cr_expect_not_null(strstr(dptest_ctl(&dp, "pfctl -ss"), "all udp "
	    "192.0.2.9:53 {203.0.113.1} <- 10.50.0.20:41000       "), "%s",
	    dptest_out);
	dptest_destroy(&dp, conf);
	cr_expect(sent_has("em2", "10.50.0.20:41000 > 192.0.2.9:53 proto "
	    "17\n10.50.0.20:41000 > 192.0.2.9:53 proto 17\n"));
	cr_expect(!sent_has("em0", "10.50.0.20:41000"));
	cr_expect(sent_has("tap0", "192.0.2.9:53 > 10.50.0.20:41000"));
}

/*
 * reply-to: a flow that came in on em2 is answered by em2 again, where
 * the table would send the answer out of em0 (the default route).
 */
Test(pf, reply_to)
{
	static const uint8_t E2[6] = { 0x02, 0x00, 0x00, 0x00, 0x0e, 0x02 };
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "pass\npass in on em2 reply-to 203.0.113.1\n");
	build(&dp, &conf);
	neighbours2(&dp);
	feed(&dp, "em2", b, ip4(b, E2, GW2, 17, "192.0.2.7", 5001,
	    "10.50.0.20", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 53,
	    "192.0.2.7", 5001, 0));
	/* another flow to 192.0.2.7 goes by the table */
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 54,
	    "192.0.2.7", 5001, 0));
	dptest_destroy(&dp, conf);
	cr_expect(sent_has("tap0", "192.0.2.7:5001 > 10.50.0.20:53"));
	cr_expect(sent_has("em2", "10.50.0.20:53 > 192.0.2.7:5001"));
	cr_expect(!sent_has("em0", "10.50.0.20:53 > 192.0.2.7:5001"));
	cr_expect(sent_has("em0", "10.50.0.20:54 > 192.0.2.7:5001"));
}

/* dup-to: a copy out of em2 to 203.0.113.1, the packet on its way. */
Test(pf, dup_to)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "pass\npass out on em0 dup-to 203.0.113.1\n");
	build(&dp, &conf);
	neighbours2(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "192.0.2.9", 53, 0));
	dptest_destroy(&dp, conf);
	cr_expect(sent_has("em0", "10.50.0.20:41000 > 192.0.2.9:53"));
	cr_expect(sent_has("em2", "10.50.0.20:41000 > 192.0.2.9:53"));
}

/* A route-to pool with no address drops the packet (no-route). */
Test(pf, route_to_empty_pool)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "table <gw> persist\npass\n"
	    "pass in on vether0 route-to <gw> round-robin\n");
	build(&dp, &conf);
	neighbours2(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "198.51.100.9", 53, 0));
	cr_expect(has_counter(dptest_ctl(&dp, "pfctl -si"), "no-route", 1),
	    "%s", dptest_out);
	dptest_destroy(&dp, conf);
	cr_expect(!sent_has("em0", "10.50.0.20:41000"));
}

/* explain says where route-to and reply-to send a packet, rules or state. */
Test(pf, explain_route_to)
{
	static const char *const q = "explain in on vether0 proto udp from "
	    "10.50.0.20 port 41000 to 192.0.2.9 port 53";
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "pass\npass in on vether0 route-to 203.0.113.1\n"
	    "pass in on em2 reply-to 203.0.113.1\n");
	build(&dp, &conf);
	neighbours2(&dp);
	cr_expect_not_null(strstr(dptest_ctl(&dp, q), "  route-to: this packet "
	    "and its state's going this way go to 203.0.113.1, out of em2 "
	    "(past pf out there), whatever the table says of the "
	    "destination\n"), "%s", dptest_out);
	cr_expect_not_null(strstr(dptest_ctl(&dp, "explain in on em2 proto "
	    "udp from 192.0.2.7 port 5001 to 10.50.0.20 port 53"), "  reply-to: "
	    "this packet goes by the table; its state's packets coming back go "
	    "to 203.0.113.1, out of em2"), "%s", dptest_out);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "192.0.2.9", 53, 0));
	cr_expect_not_null(strstr(dptest_ctl(&dp, q), "  its state's route-to: "
	    "to 203.0.113.1, out of em2"), "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/*
 * The multi-uplink idiom: route-to on the way in, nat-to on the uplink
 * it chose: pf out on em2 (where route-to sends it) translates it.
 */
Test(pf, route_to_then_nat_on_the_new_uplink)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "match out on em2 from 10.50.0.0/24 nat-to (em2)\npass\n"
	    "pass in on vether0 route-to 203.0.113.1\n");
	build(&dp, &conf);
	neighbours2(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "192.0.2.9", 53, 0));
	dptest_destroy(&dp, conf);
	cr_expect(sent_has("em2", "203.0.113.2:"));
	cr_expect(sent_has("em2", " > 192.0.2.9:53 proto 17"));
	cr_expect(!sent_has("em0", "192.0.2.9"));
}

/*
 * route-to over two gateways, round-robin: a source's second flow takes
 * the other gateway, unless sticky-address keeps it on its first (the
 * source node holds route-to's pick, pfctl -sS shows it).
 */
static void
route_rr(const char *opts, int sticky)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];
	char pf[160];

	snprintf(pf, sizeof(pf), "pass\npass in on vether0 route-to "
	    "{ 203.0.113.1, 198.51.100.1 } round-robin%s\n", opts);
	put("pf.conf", pf);
	build(&dp, &conf);
	neighbours2(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "192.0.2.9", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41001,
	    "192.0.2.9", 53, 0));
	if (sticky)
		cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sS"), "10.50.0.20 "
		    "route-to 198.51.100.1 ( states 2, connections 0, rate "
		    "0.0/0s )\n");
	dptest_destroy(&dp, conf);
	/* the list's table walks in address order: 198.51.100.1 first */
	cr_expect(sent_has("em0", "10.50.0.20:41000 > 192.0.2.9:53"));
	cr_expect(sent_has(sticky ? "em0" : "em2",
	    "10.50.0.20:41001 > 192.0.2.9:53"));
}

Test(pf, route_to_round_robin)
{
	route_rr("", 0);
}

Test(pf, route_to_sticky_address)
{
	route_rr(" sticky-address", 1);
}

/* least-states counts the states each route-to gateway has. */
Test(pf, route_to_least_states)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];

	put("pf.conf", "pass\npass in on vether0 route-to "
	    "{ 203.0.113.1, 198.51.100.1 } least-states\n");
	build(&dp, &conf);
	neighbours2(&dp);
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41000,
	    "192.0.2.9", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 41001,
	    "192.0.2.9", 53, 0));
	cr_expect(strstr(dptest_ctl(&dp, "explain in on vether0 proto udp "
	    "from 10.50.0.20 port 41002 to 192.0.2.9 port 53"),
	    "least-states (1 state)") != NULL, "one state each: %s",
	    dptest_out);
	dptest_ctl(&dp, "pfctl -F states");
	cr_expect(strstr(dptest_ctl(&dp, "explain in on vether0 proto udp "
	    "from 10.50.0.20 port 41002 to 192.0.2.9 port 53"),
	    "least-states (0 states)") != NULL, "none left: %s", dptest_out);
	dptest_destroy(&dp, conf);
	cr_expect(sent_has("em0", "10.50.0.20:41000 > 192.0.2.9:53"));
	cr_expect(sent_has("em2", "10.50.0.20:41001 > 192.0.2.9:53"));
}

/* ---- pflow(4) ------------------------------------------------------------ */

struct pflow_got {
	int		 dgrams;
	uint8_t		 d[PKT_DATA_MAX];
	uint32_t	 len;
};

static void
pflow_collect(const uint8_t *d, uint32_t len, void *arg)
{
	struct pflow_got *g = arg;

	if (len >= 42 && ether_get16(d + 12) == ETHERTYPE_IP && d[23] == 17 &&
	    ether_get16(d + 36) == 2055) {
		g->dgrams++;
		memcpy(g->d, d, len);
		g->len = len;
	}
}

/*
 * A state of a pflow rule goes: nothing leaves until 30 s after the
 * record waits, then one NetFlow v5 datagram with both ways of it, from
 * flowsrc to flowdst, UDP and IP checksums right.
 */
Test(pf, pflow_exports_a_state_as_it_goes)
{
	struct conf *conf;
	struct dp dp;
	struct pflow_got g = { 0 };
	uint8_t b[80];
	const uint8_t *ip, *udp, *h, *r;
	uint32_t len;

	put("hostname.pflow0", "flowsrc 198.51.100.2 flowdst "
	    "198.51.100.1:2055\n");
	put("pf.conf", "pass in on vether0 keep state (pflow)\npass out\n");
	build(&dp, &conf);
	neighbours(&dp);
	len = ip4(b, VE, DB, 17, "10.50.0.20", 41000, "198.51.100.1", 53, 0);
	feed(&dp, "tap0", b, len);
	feed(&dp, "tap0", b, len);
	dptest_ctl(&dp, "pfctl -F states");
	cr_assert_eq(dptest_counter(dptest_ctl(&dp, "stats"), "pflow-flows"),
	    1, "one way carried bytes: %s", dptest_out);
	cr_assert_eq(dptest_counter(dptest_out, "pflow-packets"), 0,
	    "a record waits");
	dptest_run_to(&dp, dp.now + 29);
	cr_assert_eq(dptest_counter(dptest_ctl(&dp, "stats"),
	    "pflow-packets"), 0, "29 s: still waiting");
	dptest_run_to(&dp, dp.now + 1);
	cr_assert_eq(dptest_counter(dptest_ctl(&dp, "stats"),
	    "pflow-packets"), 1, "30 s: sent");
	dptest_destroy(&dp, conf);
	sent_each("em0", pflow_collect, &g);
	cr_assert_eq(g.dgrams, 1);
	ip = g.d + 14;
	udp = ip + 20;
	h = udp + 8;
	r = h + 24;
	cr_assert_eq(g.len, 14 + 20 + 8 + 24 + 48);
	cr_assert_eq(memcmp(ip + 12, "\xc6\x33\x64\x02\xc6\x33\x64\x01", 8), 0,
	    "198.51.100.2 -> 198.51.100.1");
	cr_assert_eq(csum_fold(csum_partial(ip, 20, 0)), 0xffff, "ip checksum");
	cr_assert_eq(csum_fold(csum_partial(udp, 8 + 24 + 48,
	    csum_partial(ip + 12, 8, 0) + 17 + 8 + 24 + 48)), 0xffff,
	    "udp checksum");
	cr_assert_eq(ether_get16(h), 5, "NetFlow v5");
	cr_assert_eq(ether_get16(h + 2), 1, "one record");
	cr_assert_eq(ip_get32(h + 16), 0, "the first flows");
	cr_assert(h[20] == 42 && h[21] == 42);
	/* db01 -> 198.51.100.1, udp 41000 -> 53, 2 packets of 28 B */
	cr_assert_eq(memcmp(r, "\x0a\x32\x00\x14\xc6\x33\x64\x01", 8), 0);
	cr_assert_eq(ip_get32(r + 16), 2);
	cr_assert_eq(ip_get32(r + 20), 56);
	cr_assert(ip_get32(r + 28) >= ip_get32(r + 24));
	cr_assert_eq(ether_get16(r + 32), 41000);
	cr_assert_eq(ether_get16(r + 34), 53);
	cr_assert_eq(r[38], 17);
}

Test(pf, pflow_settings_and_their_errors)
{
	struct conf *conf;
	struct dp dp;

	put("hostname.pflow0", "flowsrc 198.51.100.2\n"
	    "flowdst 198.51.100.1:2055\ndown\n");
	put("pf.conf", "set state-defaults pflow\npass\n");
	build(&dp, &conf);
	cr_assert_str_eq(dptest_ctl(&dp, "ifconfig pflow0"),
	    "pflow0: flags=0<>\n"
	    "\tpflow: flowsrc 198.51.100.2 flowdst 198.51.100.1:2055 "
	    "pflowproto 5\n\tgroups: pflow\n");
	cr_assert_eq(dptest_ctl_rc(&dp, "ifconfig pflow0 up -flowsrc"), 0);
	cr_assert_str_eq(dptest_ctl(&dp, "ifconfig pflow0"),
	    "pflow0: flags=41<UP,RUNNING>\n"
	    "\tpflow: flowdst 198.51.100.1:2055 pflowproto 5\n"
	    "\tgroups: pflow\n");
	cr_assert_neq(dptest_ctl_rc(&dp, "ifconfig pflow0 flowdst "
	    "198.51.100.1"), 0);
	cr_assert_str_eq(dptest_out, "ifconfig: flowdst \"198.51.100.1\": "
	    "expected an IPv4 address:port\n");
	cr_assert_neq(dptest_ctl_rc(&dp, "ifconfig pflow0 pflowproto 9"), 0);
	cr_assert_neq(dptest_ctl_rc(&dp, "ifconfig pflow0 flowsrc"), 0);
	cr_assert_str_eq(dptest_out, "ifconfig: flowsrc: expected an "
	    "address\n");
	dptest_destroy(&dp, conf);
}

/*
 * pflowproto 10: an IPFIX message, the templates of both families (256:
 * IPv4, 257: IPv6, twelve fields each), then a data set of the IPv4
 * record; times in ms since the epoch.
 */
Test(pf, pflow_ipfix)
{
	struct conf *conf;
	struct dp dp;
	struct pflow_got g = { 0 };
	uint8_t b[80];
	const uint8_t *h, *set, *r;
	uint32_t len;

	put("hostname.pflow0", "flowsrc 198.51.100.2 flowdst "
	    "198.51.100.1:2055 pflowproto 10\n");
	put("pf.conf", "pass keep state (pflow)\n");
	build(&dp, &conf);
	neighbours(&dp);
	len = ip4(b, VE, DB, 17, "10.50.0.20", 41000, "198.51.100.1", 53, 0);
	feed(&dp, "tap0", b, len);
	dptest_ctl(&dp, "pfctl -F states");
	/* set again: what waits goes at once */
	cr_assert_eq(dptest_ctl_rc(&dp, "ifconfig pflow0 up"), 0);
	cr_assert_eq(dptest_counter(dptest_ctl(&dp, "stats"),
	    "pflow-packets"), 1, "%s", dptest_out);
	dptest_destroy(&dp, conf);
	sent_each("em0", pflow_collect, &g);
	cr_assert_eq(g.dgrams, 1);
	h = g.d + 14 + 28;
	cr_assert_eq(ether_get16(h), 10, "IPFIX");
	cr_assert_eq(ether_get16(h + 2), g.len - 14 - 28, "its length");
	cr_assert_eq(ip_get32(h + 8), 0, "the first records");
	set = h + 16;
	cr_assert_eq(ether_get16(set), 2, "a template set");
	cr_assert_eq(ether_get16(set + 2), 4 + 2 * (4 + 12 * 4));
	cr_assert_eq(ether_get16(set + 4), 256);
	cr_assert_eq(ether_get16(set + 6), 12);
	cr_assert_eq(ether_get16(set + 8), 8, "sourceIPv4Address first");
	cr_assert_eq(ether_get16(set + 4 + 52), 257);
	cr_assert_eq(ether_get16(set + 4 + 52 + 4), 27, "sourceIPv6Address");
	set += ether_get16(set + 2);
	/* in on vether0 and out on em0: a state each way, each its record
	 * (the reply never came) */
	cr_assert_eq(ether_get16(set), 256, "IPv4 data");
	cr_assert_eq(ether_get16(set + 2), 4 + 2 * 54);
	r = set + 4;
	cr_assert_eq(memcmp(r, "\x0a\x32\x00\x14\xc6\x33\x64\x01", 8), 0);
	cr_assert_eq(ip_get32(r + 16) + ip_get32(r + 20), 1, "1 packet");
	cr_assert_eq(ip_get32(r + 24) + ip_get32(r + 28), 28, "28 bytes");
	cr_assert(((uint64_t)ip_get32(r + 32) << 32 | ip_get32(r + 36)) >
	    1546300800000ull, "ms since 1970: after 2019");
	cr_assert_eq(ether_get16(r + 48), 41000);
	cr_assert_eq(ether_get16(r + 50), 53);
	cr_assert_eq(r[53], 17);
}

/*
 * pfctl -F as pfctl takes it: a prefix of a modifier, and its order of
 * work (show, flush, kill, tables, load), so that -F all -f FILE ends
 * with FILE's rules; -F Tables takes the anchor's tables, -F osfp the
 * fingerprints, which -F rules leaves.
 */
Test(pf, flush_modifiers)
{
	struct dp dp;
	struct conf *conf;
	char load[300];

	put("pf.os", "S44:64:1:60:M*,S,T,N,W*:\tLinux:2.6:18-20:Linux 2.6\n");
	put("pf.conf", "table <t1> { 192.0.2.1 }\ntable <t2> persist\n"
	    "pass in from <t1>\n");
	snprintf(load, sizeof(load), "pfctl -F all -f %s/pf.conf", etc);
	build(&dp, &conf);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sT"), "t1\nt2\n");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -s osfp"), "Linux") != NULL,
	    "%s", dptest_out);

	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -F T"), 0);
	cr_expect_str_eq(dptest_out, "2 tables deleted.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sT"), "");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sr"), "<t1>") != NULL,
	    "the rule stays, its table is empty: %s", dptest_out);

	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -F r"), "rules cleared\n");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -s osfp"), "Linux") != NULL,
	    "-F rules keeps the fingerprints: %s", dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -F osfp"), "");
	cr_expect_null(strstr(dptest_ctl(&dp, "pfctl -s osfp"), "Linux"),
	    "%s", dptest_out);

	cr_expect_eq(dptest_ctl_rc(&dp, load), 0, "%s", dptest_out);
	cr_expect(strstr(dptest_out, "rules cleared\n") != NULL, "%s",
	    dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sr"), "pass in from <t1>") !=
	    NULL, "-F all, then the load: %s", dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sT"), "t1\nt2\n");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -s osfp"), "Linux") != NULL,
	    "the load read pf.os again: %s", dptest_out);

	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -F s"), "0 states cleared\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -F x"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Unknown flush modifier 'x'\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -F R"), 1);
	cr_expect(strstr(dptest_out, "-F Reset is not supported") != NULL,
	    "%s", dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -sr"), "<t1>") != NULL,
	    "a refused -F changes nothing: %s", dptest_out);
	dptest_destroy(&dp, conf);
}

/*
 * pfctl -sT lists the active tables: persistent, or named by a rule of
 * their anchor ('r'), or, for the main ruleset's, by a rule of an anchor
 * that has no table of that name ('h'); pf destroys the others at load.
 * -v: the flag letters, and the anchor after the name.
 */
Test(pf, show_tables_flags)
{
	struct dp dp;
	struct conf *conf;

	/* <own> of the main ruleset: kept by the anchor's table of its
	 * name; <gone> of the main ruleset: the anchor's table of its name
	 * is dropped (named by no rule), and it goes with it */
	put("pf.conf", "table <used> { 192.0.2.1 }\n"
	    "table <idle> { 192.0.2.2 }\n"
	    "table <kept> persist counters\n"
	    "table <vm> { 192.0.2.3 }\n"
	    "table <own> { 192.0.2.5 }\n"
	    "table <gone> { 192.0.2.6 }\n"
	    "pass in from <used>\n"
	    "anchor \"a\"\nload anchor \"a\" from \"/etc/a.conf\"\n");
	put("a.conf", "table <own> { 192.0.2.4 }\n"
	    "table <gone> { 192.0.2.7 }\n"
	    "pass in from <own>\npass in to <vm>\n");
	build(&dp, &conf);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sT"),
	    "kept\nown\nused\nvm\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -vsT"), "-pa---C\tkept\n"
	    "--a--h-\town\n--a-r--\tused\n--a--h-\tvm\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -a a -vsT"),
	    "--a-r--\town@a\n");
	/* -vv: the references (the anchor's rule counts on its own) */
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vvsT"), "--a--h-\tvm\n"
	    "\tAddresses:   1\n") != NULL, "%s", dptest_out);
	cr_expect(strstr(strstr(dptest_out, "\tvm\n"), "\tReferences:  [ "
	    "Anchors: 1                  Rules: 0                  ]\n") !=
	    NULL, "%s", dptest_out);
	/* pf destroyed <idle> at load: -T add makes a new, persistent one */
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t idle -T show"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Table does not exist.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t idle -T add 192.0.2.9"),
	    "1 table created.\n1/1 addresses added.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t idle -T show"),
	    "   192.0.2.9\n");
	{
		/* -v: "Cleared:" in ctime()'s form, the wall clock's now */
		const char *v = dptest_ctl(&dp, "pfctl -v -t idle -T show");
		const char *pre = "   192.0.2.9\n\tCleared:     ";
		struct tm tm;
		char *end;

		cr_assert_eq(strncmp(v, pre, strlen(pre)), 0, "%s", v);
		memset(&tm, 0, sizeof(tm));
		end = strptime(v + strlen(pre), "%a %b %d %H:%M:%S %Y", &tm);
		cr_assert_not_null(end, "%s", v);
		cr_expect_str_eq(end, "\n");
		tm.tm_isdst = -1;
		cr_expect_lt(labs((long)(mktime(&tm) - time(NULL))), 5, "%s", v);
	}
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vsT"), "-pa----\tidle\n") !=
	    NULL, "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/* The counter line of pfctl -vvsT or -T show -v named what, or NULL. */
static const char *
count_line(const char *out, const char *what)
{
	static char line[160];
	const char *at = strstr(out, what);
	size_t n;

	if (at == NULL)
		return NULL;
	n = strcspn(at, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)n, at);
	return line;
}

#define TCOUNT(what, p, b) \
	what "%*s [ Packets: %-18s Bytes: %-18s ]", 12 - (int)strlen(what), \
	"", #p, #b

/*
 * Table statistics (pfr_update_stats()): a packet without state counts
 * on its deciding rule's tables by its verdict, a state's packets on its
 * rule's tables as pass, by direction; a `counters' table's entry counts
 * too; a state's packet whose entry went is XPass; -T zero starts again.
 */
Test(pf, table_statistics)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];
	char want[160];
	const char *v;

	put("pf.conf", "table <bad> counters { 192.0.2.0/24 !192.0.2.9 }\n"
	    "table <web> { 10.50.0.20 }\n"
	    "block in quick on em0 from <bad>\n"
	    "pass in on em0 proto udp to <web> port 53\n"
	    "pass out\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.5", 4000,
	    "10.50.0.20", 53, 0));
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.9", 4000,
	    "10.50.0.20", 53, 0));
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.9", 4000,
	    "10.50.0.20", 53, 0));
	feed(&dp, "tap0", b, ip4(b, VE, DB, 17, "10.50.0.20", 53,
	    "192.0.2.9", 4000, 0));
	v = dptest_ctl(&dp, "pfctl -vvsT");
	cr_assert(strstr(v, "--a-r-C\tbad\n\tAddresses:   2\n\tCleared:     ") !=
	    NULL, "%s", v);
	cr_expect(strstr(v, "\tReferences:  [ Anchors: 0                  "
	    "Rules: 1                  ]\n\tEvaluations: [ NoMatch: 0        "
	    "          Match: 0                  ]\n") != NULL, "%s", v);
	snprintf(want, sizeof(want), TCOUNT("In/Block:", 1, 28));
	cr_expect_str_eq(count_line(v, "In/Block:"), want, "%s", v);
	/* <web>: two packets in on em0, the reply out there, all by the
	 * state of the pass rule */
	v = strstr(v, "\tweb\n");
	cr_assert_not_null(v, "%s", dptest_out);
	snprintf(want, sizeof(want), TCOUNT("In/Pass:", 2, 56));
	cr_expect_str_eq(count_line(v, "In/Pass:"), want, "%s", v);
	snprintf(want, sizeof(want), TCOUNT("Out/Pass:", 1, 28));
	cr_expect_str_eq(count_line(v, "Out/Pass:"), want, "%s", v);
	snprintf(want, sizeof(want), TCOUNT("In/Block:", 0, 0));
	cr_expect_str_eq(count_line(v, "In/Block:"), want, "%s", v);
	/* the entry of a counters table; the negated one counted nothing */
	v = dptest_ctl(&dp, "pfctl -v -t bad -T show");
	cr_expect(strstr(v, "   192.0.2.0/24\n\tCleared:     ") != NULL, "%s",
	    v);
	snprintf(want, sizeof(want), TCOUNT("In/Block:", 1, 28));
	cr_expect_str_eq(count_line(v, "In/Block:"), want, "%s", v);
	cr_expect_null(strstr(v, "XPass"), "%s", v);
	cr_expect(strstr(v, "  !192.0.2.9\n\tCleared:     ") != NULL, "%s", v);
	cr_expect_null(strstr(strstr(v, "!192.0.2.9"), "Packets"), "%s", v);
	/* a table without counters shows none for its entries */
	cr_expect_null(strstr(dptest_ctl(&dp, "pfctl -v -t web -T show"),
	    "Packets"), "%s", dptest_out);
	/* the state goes on after its entry went: XPass */
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t web -T delete 10.50.0.20"),
	    "1/1 addresses deleted.\n");
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.9", 4000,
	    "10.50.0.20", 53, 0));
	v = strstr(dptest_ctl(&dp, "pfctl -vvsT"), "\tweb\n");
	cr_assert_not_null(v, "%s", dptest_out);
	snprintf(want, sizeof(want), TCOUNT("In/XPass:", 1, 28));
	cr_expect_str_eq(count_line(v, "In/XPass:"), want, "%s", v);
	snprintf(want, sizeof(want), TCOUNT("In/Pass:", 2, 56));
	cr_expect_str_eq(count_line(v, "In/Pass:"), want, "%s", v);
	/* explain and the trace name the entry that decided */
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em0 proto udp from "
	    "192.0.2.5 port 4000 to 10.50.0.20 port 53"), "\n  tables: from "
	    "<bad>: 192.0.2.0/24 holds 192.0.2.5\n") != NULL, "%s",
	    dptest_out);
	cr_expect(strstr(dptest_ctl(&dp, "explain in on em0 proto udp from "
	    "198.51.100.50 port 4000 to 10.50.0.21 port 53"), "tables") == NULL,
	    "%s", dptest_out);
	dptest_ctl(&dp, "trace on 1");
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.6", 4000,
	    "10.50.0.20", 53, 0));
	cr_expect(strstr(dptest_ctl(&dp, "trace show"), "in on em0: from "
	    "<bad>: 192.0.2.0/24 holds 192.0.2.6") != NULL, "%s", dptest_out);
	/* -T zero: the table's and its entries' counters start again */
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bad -T zero"),
	    "1 table/stats cleared.\n");
	v = dptest_ctl(&dp, "pfctl -vvsT");
	snprintf(want, sizeof(want), TCOUNT("In/Block:", 0, 0));
	cr_expect_str_eq(count_line(v, "In/Block:"), want, "%s", v);
	cr_expect_null(strstr(dptest_ctl(&dp, "pfctl -v -t bad -T show"),
	    "Packets"), "%s", dptest_out);
	dptest_destroy(&dp, conf);
}

/*
 * A load keeps what live tables hold as pf's commit does: a persistent
 * table defined without addresses keeps its entries (the overload
 * table of the handbook's kind), one defined with addresses keeps the
 * clock and statistics of the networks it still has, a live table the
 * file does not define stays when persistent; pfctl -F rules keeps the
 * persistent tables too.  -T replace keeps an entry that stays and
 * counts a turned negation as changed.
 */
Test(pf, tables_live_across_loads)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];
	char cmd[160];
	const char *v;

	put("pf.conf", "table <bf> persist\n"
	    "table <lan> counters { 192.0.2.0/24 }\n"
	    "block in quick on em0 from <bf>\n"
	    "block in quick on em0 from <lan>\npass\n");
	build(&dp, &conf);
	neighbours(&dp);
	/* the clock of the test's, not the host's, from here */
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t lan -T zero 192.0.2.0/24"),
	    "1/1 addresses cleared.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T add 198.51.100.7"),
	    "1/1 addresses added.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t kept -T add 203.0.113.9"),
	    "1 table created.\n1/1 addresses added.\n");
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.5", 4000,
	    "10.50.0.20", 53, 0));
	dp_clock(&dp, 101000000000ULL);
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf.conf", etc);
	cr_assert_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   198.51.100.7\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t kept -T show"),
	    "   203.0.113.9\n");
	/* 192.0.2.0/24 kept its counters and its clock (set at 1 s, the
	 * load at 101 s: expire 50 takes it) */
	v = dptest_ctl(&dp, "pfctl -v -t lan -T show");
	cr_expect(strstr(v, "In/Block:    [ Packets: 1 ") != NULL, "%s", v);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t lan -T expire 50"),
	    "1/1 addresses expired.\n");
	cr_expect(strstr(dptest_ctl(&dp, "pfctl -vvsT"),
	    "In/Block:    [ Packets: 1 ") != NULL, "%s", dptest_out);
	/* -T replace: what stays keeps its clock, a turned one changes */
	dptest_ctl(&dp, "pfctl -t bf -T add 198.51.100.8");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T replace "
	    "198.51.100.7 !198.51.100.8 198.51.100.9"),
	    "1 addresses added.\n1 addresses changed.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   198.51.100.7\n  !198.51.100.8\n   198.51.100.9\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T add !198.51.100.9"),
	    "0/1 addresses added.\n");
	/* -F rules: the persistent tables stay, with what they hold */
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -F rules"), 0, "%s",
	    dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sT"), "bf\nkept\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   198.51.100.7\n  !198.51.100.8\n   198.51.100.9\n");
	dptest_destroy(&dp, conf);
}

/*
 * pfctl -t T -T add|delete|replace|test -f FILE: the command line's
 * addresses, then the file's (blanks between them, '#' comments);
 * /etc/X is the configuration directory's; show takes no file.
 */
Test(pf, table_addresses_from_a_file)
{
	struct conf *conf;
	struct dp dp;

	put("pf.conf", "table <bf> persist\nblock quick from <bf>\npass\n");
	put("blocklist", "# the week's list\n192.0.2.7 192.0.2.8\t# two\n"
	    "\n198.51.100.0/28\n!198.51.100.9\n");
	build(&dp, &conf);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T add 203.0.113.1 -f "
	    "/etc/blocklist"), "5/5 addresses added.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   192.0.2.7\n   192.0.2.8\n   198.51.100.0/28\n"
	    "  !198.51.100.9\n   203.0.113.1\n");
	put("hosts", "192.0.2.7 192.0.2.99 # one of them\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T test -f /etc/hosts"),
	    "1/2 addresses match.\n");
	put("blocklist", "192.0.2.7\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T replace -f "
	    "/etc/blocklist"), "4 addresses deleted.\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   192.0.2.7\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bf -T show -f "
	    "/etc/blocklist"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: -T show takes no -f file\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bf -T add -f /etc/none"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: cannot load /etc/none: No such "
	    "file or directory\n");
	put("blocklist", "192.0.2.300\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t bf -T add -f "
	    "/etc/blocklist"), 1);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -T show"),
	    "   192.0.2.7\n");
	dptest_destroy(&dp, conf);
}

/*
 * pfctl -T load -f FILE: the file's tables over the live ones, as a load
 * commits them, the rules unchanged; a broken file changes nothing.  -T
 * takes pfctl's abbreviations.
 */
Test(pf, table_load_and_abbreviations)
{
	struct conf *conf;
	struct dp dp;
	char cmd[160];

	put("pf.conf", "table <bf> persist\ntable <lan> { 10.50.0.0/24 }\n"
	    "block quick from <bf>\npass in from <lan>\n");
	put("tables.conf", "table <lan> { 10.50.0.0/25 192.0.2.0/24 }\n"
	    "table <bf> persist\ntable <unused> { 203.0.113.1 }\npass\n");
	put("broken.conf", "table <lan> { 10.50.0.0/25 }\npass from <\n");
	build(&dp, &conf);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -Ta 192.0.2.7"),
	    "1/1 addresses added.\n");
	snprintf(cmd, sizeof(cmd), "pfctl -Tl -f %s/tables.conf", etc);
	cr_expect_eq(dptest_ctl_rc(&dp, cmd), 0, "%s", dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t lan -Ts"),
	    "   10.50.0.0/25\n   192.0.2.0/24\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t bf -Ts"), "   192.0.2.7\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sT"), "bf\nlan\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sr"), "block drop quick from "
	    "<bf> to any\npass in from <lan> to any flags S/SA\n");
	snprintf(cmd, sizeof(cmd), "pfctl -T load -f %s/broken.conf", etc);
	cr_expect_eq(dptest_ctl_rc(&dp, cmd), 1);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -t lan -T show"),
	    "   10.50.0.0/25\n   192.0.2.0/24\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -T load"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: -T load needs -f file\n");
	cr_expect_eq(dptest_ctl_rc(&dp, "pfctl -t lan -T bogus"), 1);
	cr_expect_str_eq(dptest_out, "pfctl: Unknown table command 'bogus'\n");
	dptest_destroy(&dp, conf);
}

/*
 * pfctl -vvsI: per interface, the packets pf tested there by family,
 * direction and verdict; the states bound to it (floating ones are
 * "all"'s) and the rules that name it.
 */
Test(pf, interface_statistics)
{
	struct conf *conf;
	struct dp dp;
	uint8_t b[128];
	char want[160];
	const char *v, *em0, *all;

	put("pf.conf", "block in quick on em0 proto udp to port 9\n"
	    "pass in on em2 keep state (if-bound)\npass\n");
	build(&dp, &conf);
	neighbours(&dp);
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.5", 4000,
	    "10.50.0.20", 53, 0));
	feed(&dp, "em0", b, ip4(b, E0, GW, 17, "192.0.2.5", 4000,
	    "10.50.0.20", 9, 0));
	v = dptest_ctl(&dp, "pfctl -vvsI");
	cr_assert_not_null(em0 = strstr(v, "\nem0\n\tCleared:     "), "%s", v);
	cr_expect(strncmp(strstr(em0, "\tReferences:"), "\tReferences:  [ "
	    "States:  0                  Rules: 1                  ]\n", 67) ==
	    0, "%s", v);
	snprintf(want, sizeof(want), TCOUNT("In4/Pass:", 1, 28));
	cr_expect_str_eq(count_line(em0, "In4/Pass:"), want, "%s", v);
	snprintf(want, sizeof(want), TCOUNT("In4/Block:", 1, 28));
	cr_expect_str_eq(count_line(em0, "In4/Block:"), want, "%s", v);
	snprintf(want, sizeof(want), TCOUNT("Out4/Pass:", 0, 0));
	cr_expect_str_eq(count_line(em0, "Out4/Pass:"), want, "%s", v);
	/* the floating states of em0 and vether0 are "all"'s; em2's rule
	 * names it */
	cr_assert_not_null(all = strstr(v, "all\n\tCleared:"), "%s", v);
	cr_expect(strncmp(strstr(all, "\tReferences:"), "\tReferences:  [ "
	    "States:  2 ", 26) == 0, "%s", v);
	cr_expect(strstr(v, "em2\n\tCleared:") != NULL, "%s", v);
	cr_expect(strstr(strstr(v, "em2\n\tCleared:"), "Rules: 1 ") != NULL,
	    "%s", v);
	/* -vsI: names only; -i: one interface, or a group and its ports */
	cr_expect_null(strstr(dptest_ctl(&dp, "pfctl -vsI"), "Cleared"), "%s",
	    dptest_out);
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sI -i em0"), "em0\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sI -i egress"),
	    "egress\nem0\n");
	cr_expect_str_eq(dptest_ctl(&dp, "pfctl -sI -i em"), "");
	dptest_destroy(&dp, conf);
}

/*
 * After pfctl -vvsT: every table's "Addresses:" is what -T show lists.
 * A table's first line is its flag letters, a tab and name[@anchor];
 * its statistics' lines start with a tab.
 */
static void
ctlops_check(struct dp *dp, const char *line, const char *out)
{
	const char *at, *nl;
	char name[80], cmd[160], *shown, *an;
	int n, lines;

	if (strstr(line, "-vvsT") == NULL)
		return;
	for (at = out; *at != '\0'; at = nl + 1) {
		const char *tab = strchr(at, '\t');

		nl = strchr(at, '\n');
		cr_assert_not_null(nl, "%s", out);
		if (*at == '\t')
			continue;
		cr_assert(tab != NULL && tab < nl, "%s", out);
		snprintf(name, sizeof(name), "%.*s", (int)(nl - tab - 1),
		    tab + 1);
		cr_assert_eq(sscanf(nl + 1, "\tAddresses:   %d", &n), 1,
		    "%s: %s", line, out);
		if ((an = strchr(name, '@')) != NULL) {
			*an = '\0';
			snprintf(cmd, sizeof(cmd), "pfctl -a %s -t %s -T show",
			    an + 1, name);
		} else
			snprintf(cmd, sizeof(cmd), "pfctl -t %s -T show", name);
		cr_assert_eq(test_ctl(dp, cmd, &shown), 0, "%s", cmd);
		for (lines = 0, tab = shown; (tab = strchr(tab, '\n')) != NULL;
		    tab++)
			lines++;
		cr_expect_eq(lines, n, "%s: %d, -T show %d:\n%s\n%s", name, n,
		    lines, out, shown);
		free(shown);
	}
}

/*
 * Random sequences of packets, table commands, loads, flushes and time
 * (test/ctlops.h, the fuzz target's reader), fixed seeds: under ASan
 * this is where the tables' entries, counters and clocks meet every
 * change at once; the views must agree with each other throughout.
 */
Test(pf, table_command_sequences)
{
	struct conf *conf;
	struct dp dp;
	uint8_t bytes[1600];
	uint64_t x;
	size_t i;
	int seed;

	cr_assert_eq(ctlops_setup(etc), 0);
	for (seed = 1; seed <= 6; seed++) {
		x = 0x9e3779b97f4a7c15ULL * (uint64_t)seed;
		for (i = 0; i < sizeof(bytes); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			bytes[i] = (uint8_t)(x >> 24);
		}
		dptest_build(&dp, &conf, etc, ctlops_ports, CTLOPS_NPORTS,
		    NULL);
		ctlops_run(&dp, etc, bytes, sizeof(bytes), ctlops_check);
		/* and a last look at everything */
		free(dptest_out);
		dptest_out = NULL;
		ctlops_check(&dp, "-vvsT", dptest_ctl(&dp, "pfctl -vvsT"));
		dptest_destroy(&dp, conf);
	}
}
