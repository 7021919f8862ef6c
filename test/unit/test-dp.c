/*
 * The dataplane takes a burst the way it would take its packets one at a
 * time.  dp_process() runs a burst in stages (state tags and prefetches
 * for all, then every packet in on its port, then the bridge, then out):
 * packets of one new flow in one burst must still make one state, the
 * later ones matching it, and what pf counts and keeps must be what the
 * same packets sent singly give.  Each test builds two dataplanes from
 * one configuration, sends one of them bursts and the other single
 * packets, and compares pfctl's views and the counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/ip.h"
#include "dataplane/dp_pf.h"
#include "test/unit/dptest.h"

#define NPORTS	4

static const char *const ports[NPORTS] = { "em1", "em2", "tap0", "em3" };
static char etc[] = "/tmp/sluice-test-dp-XXXXXX";

static void
put(const char *name, const char *text)
{
	cr_assert_eq(etc_put(etc, name, text), 0, "cannot write %s", name);
}

/*
 * A LAN on bridge0 (em1, em2) and web01 on tap0, filtered per VM; VLAN 10
 * of em1 bridged to em3, so one burst from em1 holds packets of two
 * ports (em1 and vlan10) and two classifiers.
 */
static void
setup(void)
{
	cr_assert_not_null(mkdtemp(etc));
	put("hostname.bridge0", "add em1\nadd em2\nup\n");
	put("hostname.vlan10", "vlandev em1\nvlan 10\nup\n");
	put("hostname.bridge1", "add vlan10\nadd em3\nup\n");
	put("vm.conf", "switch \"lan\" { interface bridge0 }\n"
	    "vm \"web01\" { interface { switch \"lan\" } }\n");
	put("pf.conf",
	    "block return in on em1 proto udp to port 23\n"
	    "pass in on em1 proto udp\n"
	    "pass in on em1 proto tcp to port { 22 80 } keep state\n"
	    "block in on em1 proto tcp from 192.0.2.66 to port 80 flags S/SA\n"
	    "pass in on em1 proto icmp no state\n"
	    "anchor \"vm/*\" on tap0\n"
	    "pass in on vlan10 proto tcp keep state\n"
	    "block return in on vlan10 proto udp to port 22\n"
	    "pass out all\n");
}

static void
teardown(void)
{
	etc_remove(etc);
}

static void
build(struct dp *dp, struct conf **conf)
{
	dptest_build(dp, conf, etc, ports, NPORTS, NULL);
	dp->pf.prefetch_min = 0;
}

/*
 * Flow f of the trace: from 192.0.2.(1 + f % 8 or 66), udp or tcp or
 * icmp by f, to 192.0.2.200, one in four on VLAN 10.  TCP opens with a
 * SYN, then ACKs.
 */
static uint32_t frame_untagged(uint8_t *, int, int);

static uint32_t
frame(uint8_t *b, int f, int nth)
{
	uint32_t len = frame_untagged(b, f, nth);

	if (f % 4 != 1)
		return len;
	memmove(b + 16, b + 12, len - 12);
	ether_put16(b + 12, ETHERTYPE_VLAN);
	ether_put16(b + 14, 10);
	return len + 4;
}

static uint32_t
frame_untagged(uint8_t *b, int f, int nth)
{
	uint8_t *ip = b + 14, *l4 = ip + 20;
	int proto = f % 5 == 4 ? 1 : f % 2 ? 6 : 17;
	uint32_t l4len = proto == 6 ? 20 : 8, ps;

	memset(b, 0, 14 + 20 + 20);
	memcpy(b, "\x02\x00\x00\x00\x00\x0b", 6);	/* to tap0's guest */
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x0a", 6);
	b[11] = (uint8_t)f;
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = (uint8_t)proto;
	ip_put32(ip + 12, 0xc0000200u | (f % 7 == 3 ? 66 : 1 + f % 8));
	ip_put32(ip + 16, 0xc00002c8u);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	if (proto == 1) {
		l4[0] = 8;			/* echo request */
		ether_put16(l4 + 4, (uint16_t)f);
		ether_put16(l4 + 6, (uint16_t)nth);
		ether_put16(l4 + 2, (uint16_t)~csum_fold(csum_partial(l4, 8,
		    0)));
		return 14 + 20 + 8;
	}
	ether_put16(l4, (uint16_t)(40000 + f));
	ether_put16(l4 + 2, (uint16_t)(f % 3 == 0 ? 23 : f % 3 == 1 ? 80 :
	    22));
	if (proto == 6) {
		ip_put32(l4 + 4, 1000u + (uint32_t)nth);
		l4[12] = 5 << 4;
		l4[13] = nth == 0 ? 0x02 : 0x10;
	} else
		ether_put16(l4 + 4, 8);
	ps = csum_partial(ip + 12, 8, 0) + (uint32_t)proto + l4len;
	ether_put16(l4 + (proto == 6 ? 16 : 6), (uint16_t)~csum_fold(
	    csum_partial(l4, l4len, ps)));
	return 14 + 20 + l4len;
}

static int
linecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * pfctl -ss, sorted: a burst's packets create their states going in
 * before any of them is bridged out, so the order of creation differs.
 */
static void
states_sorted(struct dp *dp, FILE *out)
{
	char *const cmd[] = { "pfctl", "-ss", NULL };
	char *text = NULL, *line, *lines[4096];
	size_t len = 0, n = 0, i;
	FILE *f;

	cr_assert_not_null(f = open_memstream(&text, &len));
	dp_ctl(dp, 2, (char **)cmd, f);
	fclose(f);
	for (line = strtok(text, "\n"); line != NULL && n < 4096;
	    line = strtok(NULL, "\n"))
		lines[n++] = line;
	qsort(lines, n, sizeof(lines[0]), linecmp);
	for (i = 0; i < n; i++)
		fprintf(out, "%s\n", lines[i]);
	free(text);
}

/* What pf and the ports say, as text. */
static char *
views(struct dp *dp)
{
	static char *const cmds[][3] = {
		{ "pfctl", "-vvsr", NULL }, { "pfctl", "-si", NULL },
		{ "stats", NULL, NULL },
	};
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	cr_assert_not_null(f = open_memstream(&text, &len));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int argc = cmds[i][1] == NULL ? 1 : 2;

		fprintf(f, "# %s %s\n", cmds[i][0], argc > 1 ? cmds[i][1] : "");
		dp_ctl(dp, argc, (char **)cmds[i], f);
	}
	fprintf(f, "# pfctl -ss, sorted\n");
	states_sorted(dp, f);
	fclose(f);
	return text;
}

/* Send NPKT frames of the trace in on em1, BURST at a time. */
static char *
run(const int *trace, int npkt, int burst)
{
	struct dp dp;
	struct conf *conf;
	struct port *em1;
	int seen[64] = { 0 }, i, k;
	char *text;

	build(&dp, &conf);
	cr_assert_not_null(em1 = dp_port(&dp, "em1"));
	for (i = 0; i < npkt; i += burst) {
		struct pkt *b[BATCH_MAX];
		int n = npkt - i < burst ? npkt - i : burst;

		for (k = 0; k < n; k++) {
			int f = trace[i + k];

			cr_assert_not_null(b[k] = pkt_alloc(&dp.pool));
			b[k]->len = frame(b[k]->data, f, seen[f]++);
		}
		dp_input(&dp, em1, b, n);
	}
	text = views(&dp);
	dptest_destroy(&dp, conf);
	return text;
}

/* The views but what must differ: how many bursts, and pf's uptime,
 * which is wall-clock time. */
static void
strip(char *text)
{
	static const char *const skip[] = { "Status:",
	    "  pipeline   batches" };
	char *line = text, *next, *out = text;
	size_t i;

	for (; *line != '\0'; line = next) {
		int keep = 1;

		next = strchr(line, '\n');
		next = next == NULL ? line + strlen(line) : next + 1;
		for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			if (strncmp(line, skip[i], strlen(skip[i])) == 0)
				keep = 0;
		if (keep) {
			memmove(out, line, (size_t)(next - line));
			out += next - line;
		}
	}
	*out = '\0';
}

static void
compare(const int *trace, int npkt)
{
	char *one = run(trace, npkt, 1), *burst = run(trace, npkt, BATCH_MAX);

	strip(one);
	strip(burst);
	cr_expect_str_eq(burst, one, "a burst and single packets differ:\n"
	    "%s\n----- one at a time:\n%s", burst, one);
	free(one);
	free(burst);
}

TestSuite(dp, .init = setup, .fini = teardown);

/* One new flow, 64 packets in one burst: one state, 63 hits. */
Test(dp, one_new_flow_in_a_burst)
{
	int trace[64], i;
	char *text;

	for (i = 0; i < 64; i++)
		trace[i] = 2;			/* udp to port 22: passes */
	compare(trace, 64);
	text = run(trace, 64, 64);
	/* in on em1 and out on em2 (the flood goes out on tap0 too) */
	cr_expect(strstr(text, "current entries                        2 ")
	    != NULL, "one state each way:\n%s", text);
	cr_expect(strstr(text, "@1 pass in on em1 proto udp all\n"
	    "  [ Evaluations: 1         Packets: 64        Bytes: 1792        "
	    "States: 1     ]") != NULL, "the rules ran once:\n%s", text);
	free(text);
}

/* Flows interleaved, passed, blocked, returned, without state. */
Test(dp, mixed_bursts_as_single_packets)
{
	int trace[640], i;
	char *text;

	srandom(11);
	for (i = 0; i < 640; i++)
		trace[i] = (int)(random() % 40);
	compare(trace, 640);
	/* the bursts held packets for vlan10's rules too */
	text = run(trace, 640, BATCH_MAX);
	cr_expect(strstr(text, "@7 pass in on vlan10 proto tcp all flags S/SA\n"
	    "  [ Evaluations: 36        Packets: 136       Bytes: 5440        "
	    "States: 8     ]") != NULL, "%s", text);
	free(text);
}


/* A view of a dataplane that was sent packets of trace, one at a time. */
static char *
view(struct dp *dp, const char *a1, const char *a2)
{
	char *const cmd[] = { "pfctl", (char *)a1, (char *)a2, NULL };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	cr_assert_not_null(f = open_memstream(&text, &len));
	dp_ctl(dp, a2 == NULL ? 2 : 3, (char **)cmd, f);
	fclose(f);
	return text;
}

/*
 * pf counts a state's packets on the match rules that applied and on the
 * anchor rule that called the deciding rule (pf_counters_inc()), and
 * pfctl -vss names a rule in an anchor by the anchor rule's number and
 * its own.  Match-rule counts outlive the state.
 */
Test(dp, match_and_anchor_rules_count)
{
	struct dp dp;
	struct conf *conf;
	struct port *em1;
	char *text;
	int i;

	cr_assert_eq(mkdir(strcat(strcpy((char [300]){ 0 }, etc), "/pf.vm"),
	    0755), 0);
	put("pf.vm/web01.conf", "pass in on em1 proto udp to port 22\n");
	put("pf.conf",
	    "match in on em1 proto udp\n"
	    "anchor \"vm/*\"\n"
	    "load anchor \"vm/web01\" from \"/etc/pf.vm/web01.conf\"\n"
	    "pass out all\n");
	build(&dp, &conf);
	cr_assert_not_null(em1 = dp_port(&dp, "em1"));
	for (i = 0; i < 5; i++) {
		struct pkt *b;

		cr_assert_not_null(b = pkt_alloc(&dp.pool));
		b->len = frame(b->data, 2, i);	/* udp to port 22, 42 B: pf
						   counts its 28 B of IP */
		dp_input(&dp, em1, &b, 1);
	}
	text = view(&dp, "-vvsr", NULL);
	cr_expect(strstr(text, "@0 match in on em1 proto udp all\n"
	    "  [ Evaluations: 1         Packets: 5         Bytes: 140         "
	    "States: 1     ]") != NULL, "the match rule:\n%s", text);
	/* evaluated for the first packet in on em1 and out on em2 */
	cr_expect(strstr(text, "@1 anchor \"vm/*\" all\n"
	    "  [ Evaluations: 2         Packets: 5         Bytes: 140         "
	    "States: 1     ]") != NULL, "the anchor rule:\n%s", text);
	free(text);
	text = view(&dp, "-vss", NULL);
	cr_expect(strstr(text, "5:0 pkts, 140:0 bytes, anchor 1, rule 0\n") !=
	    NULL, "the state in on em1:\n%s", text);
	free(text);
	/* The states go; what they counted stays on the match rule. */
	dp_clock(&dp, 1000000000ULL * 1000);
	for (i = 0; i < 20; i++)
		dp_pf_tick(&dp);
	text = view(&dp, "-vvsr", NULL);
	cr_expect(strstr(text, "@0 match in on em1 proto udp all\n"
	    "  [ Evaluations: 1         Packets: 5         Bytes: 140         "
	    "States: 0     ]") != NULL, "after the states:\n%s", text);
	free(text);
	dptest_destroy(&dp, conf);
}

/*
 * A reload cannot shrink the state table below what it holds: pf's pool
 * refuses (EBUSY), the load fails whole, the states and rules stay.
 */
Test(dp, reload_below_the_state_count_is_refused)
{
	struct dp dp;
	struct conf *conf;
	struct port *em1;
	char path[300], *text = NULL;
	size_t len = 0;
	FILE *err;
	int f;

	build(&dp, &conf);
	cr_assert_not_null(em1 = dp_port(&dp, "em1"));
	for (f = 0; f < 16; f += 2) {		/* udp flows: they pass */
		struct pkt *b;

		cr_assert_not_null(b = pkt_alloc(&dp.pool));
		b->len = frame(b->data, f, 0);
		dp_input(&dp, em1, &b, 1);
	}
	cr_assert_gt(dp.pf.states.count, 2);
	put("small.conf", "set limit states 2\npass all\n");
	snprintf(path, sizeof(path), "%s/small.conf", etc);
	cr_assert_not_null(err = open_memstream(&text, &len));
	cr_expect_neq(dp_pf_load(&dp, path, err), 0);
	fclose(err);
	cr_expect(strstr(text, "pfctl: Current pool size exceeds requested "
	    "states limit 2\n") != NULL, "%s", text);
	cr_expect_gt(dp.pf.states.count, 2, "the states stay");
	cr_expect_eq(dp.pf.states.limit, 100000, "the limit stays");
	free(text);
	text = view(&dp, "-sr", NULL);
	cr_expect(strstr(text, "anchor \"vm/*\" on tap0") != NULL,
	    "the old rules stay:\n%s", text);
	free(text);
	dptest_destroy(&dp, conf);
}

/*
 * More than a queue's worth of frames to one port between two flushes
 * (the router's tick can send that many ARP requests): each full queue
 * is sent early, and the port stays listed once, not once per early
 * flush (which overran dp->dirty[] after 128 of them).
 */
Test(dp, many_early_flushes_list_a_port_once)
{
	struct dp dp;
	struct conf *conf;
	struct port *em2;
	uint64_t now;
	int i;

	build(&dp, &conf);
	now = dp.now_ns;
	cr_assert_not_null(em2 = dp_port(&dp, "em2"));
	for (i = 0; i < 200 * 2 * BATCH_MAX; i++) {
		struct pkt *b;

		cr_assert_not_null(b = pkt_alloc(&dp.pool));
		b->len = frame(b->data, 2, i);
		dp_output(&dp, em2, b);
		pkt_free(&dp.pool, b);
	}
	cr_expect_eq(dp.ndirty, 1);
	cr_expect_eq(dp.now_ns, now, "struct dp is intact");
	dp_flush(&dp);
	cr_expect_eq(dp.ndirty, 0);
	cr_expect_eq(em2->ntx, 0);
	dptest_destroy(&dp, conf);
}

/* pfctl -vsi adds pf's verbose blocks, in print_status()'s order. */
Test(dp, vsi_blocks)
{
	struct dp dp;
	struct conf *conf;
	char *text, *st, *fr, *co, *li, *sy;

	build(&dp, &conf);
	text = view(&dp, "-vsi", NULL);
	st = strstr(text, "\nSource Tracking Table\n  current entries ");
	fr = strstr(text, "\nFragments\n  current entries ");
	co = strstr(text, "\nCounters\n  match ");
	li = strstr(text, "\nLimit Counters\n  max states per rule ");
	sy = strstr(text, "\nAdaptive Syncookies Watermarks\n"
	    "  start                              25000 states\n"
	    "  end                                12000 states\n");
	cr_expect(st && fr && co && li && sy && st < fr && fr < co && co < li &&
	    li < sy, "%s", text);
	free(text);
	text = view(&dp, "-si", NULL);
	cr_expect_null(strstr(text, "Fragments"), "-v only:\n%s", text);
	cr_expect_null(strstr(text, "frag-table-full"), "pf's counters only");
	free(text);
	dptest_destroy(&dp, conf);
}

/* pfctl -F all also clears the statistics and the skip flags
 * (DIOCCLRSTATUS, DIOCCLRIFFLAG), which -F rules keeps. */
Test(dp, flush_all_clears_stats_and_skip)
{
	struct dp dp;
	struct conf *conf;
	struct port *em1;
	struct pkt *b;
	char *text;

	put("pf.conf", "set skip on em2\nblock all\n");
	build(&dp, &conf);
	cr_assert_not_null(em1 = dp_port(&dp, "em1"));
	cr_assert_not_null(b = pkt_alloc(&dp.pool));
	b->len = frame(b->data, 2, 0);
	dp_input(&dp, em1, &b, 1);
	cr_assert_gt(dp.pf.c[PF_C_MATCH], 0);
	cr_assert(dp.pf.rs->skip[dp_port(&dp, "em2")->index]);
	free(view(&dp, "-F", "rules"));
	cr_expect(dp.pf.rs->skip[dp_port(&dp, "em2")->index],
	    "-F rules keeps the skip flags");
	text = view(&dp, "-F", "all");
	cr_expect(strstr(text, "pf: interface flags reset\n") != NULL, "%s",
	    text);
	free(text);
	cr_expect_eq(dp.pf.c[PF_C_MATCH], 0);
	cr_expect_eq(dp.pf.states.c[STATE_C_SEARCHES], 0);
	cr_expect_not(dp.pf.rs->skip[dp_port(&dp, "em2")->index]);
	dptest_destroy(&dp, conf);
}

/* pfctl -vvsr names a table with its entry count once it exists
 * (print_addr(): tblcnt), an undefined one with ":*". */
Test(dp, vvsr_table_counts)
{
	struct dp dp;
	struct conf *conf;
	char *text;

	put("pf.conf", "table <lan> { 192.0.2.0/24 192.0.2.66 }\n"
	    "pass in from <lan>\npass in from <none>\n");
	build(&dp, &conf);
	text = view(&dp, "-vvsr", NULL);
	cr_expect(strstr(text, "@0 pass in from <lan:2> to any flags S/SA\n") !=
	    NULL, "%s", text);
	cr_expect(strstr(text, "@1 pass in from <none:*> to any flags S/SA\n")
	    != NULL, "%s", text);
	free(text);
	text = view(&dp, "-sr", NULL);
	cr_expect(strstr(text, "pass in from <lan> to any flags S/SA\n") !=
	    NULL, "%s", text);
	free(text);
	dptest_destroy(&dp, conf);
}
