/* Bridge decisions, flood sets, VLAN tags and checksum completion. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dataplane/pkt.h"
#include "fwd/bridge.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"

static struct bridge br;
static uint8_t bufs[4][256];
static struct pkt pk[4];

static struct pkt *
frame(int i, const char *dst, const char *src, uint16_t in_port)
{
	struct pkt *p = &pk[i];
	unsigned int d[6], s[6];
	int k;

	memset(p, 0, sizeof(*p));
	p->buf = bufs[i];
	p->data = bufs[i] + 64;
	p->len = 60;
	memset(p->data, 0, 60);
	sscanf(dst, "%x:%x:%x:%x:%x:%x", &d[0], &d[1], &d[2], &d[3], &d[4],
	    &d[5]);
	sscanf(src, "%x:%x:%x:%x:%x:%x", &s[0], &s[1], &s[2], &s[3], &s[4],
	    &s[5]);
	for (k = 0; k < 6; k++) {
		p->data[k] = (uint8_t)d[k];
		p->data[6 + k] = (uint8_t)s[k];
	}
	ether_put16(p->data + 12, 0x88b5);
	p->in_port = in_port;
	return p;
}

static void
setup(void)
{
	cr_assert_eq(bridge_init(&br, "bridge0"), 0);
	br.br_up = 1;
	bridge_add_member(&br, 1, BM_DEFAULT);
	bridge_add_member(&br, 2, BM_DEFAULT);
	bridge_add_member(&br, 3, BM_LEARNING);		/* -discover */
}

static void
teardown(void)
{
	bridge_fini(&br);
}

TestSuite(bridge, .init = setup, .fini = teardown);

Test(bridge, broadcast_floods_all_but_ingress)
{
	struct bridge_decision d;
	struct pkt *p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);
	uint16_t out[8];
	int n;

	bridge_input(&br, &p, 1, &d, 0);
	cr_assert_eq(d.d_verdict, BR_FLOOD);
	cr_expect_eq(d.d_unknown, 0);
	n = bridge_flood_ports(&br, p, d.d_unknown, out);
	cr_assert_eq(n, 2, "to 2 and 3 (broadcast ignores -discover)");
	cr_expect_eq(out[0], 2);
	cr_expect_eq(out[1], 3);
}

Test(bridge, unknown_unicast_only_to_discover)
{
	struct bridge_decision d;
	struct pkt *p = frame(0, "02:00:00:00:00:09", "02:00:00:00:00:01", 1);
	uint16_t out[8];

	bridge_input(&br, &p, 1, &d, 0);
	cr_assert_eq(d.d_verdict, BR_FLOOD);
	cr_expect_eq(d.d_unknown, 1);
	cr_expect_eq(bridge_flood_ports(&br, p, 1, out), 1);
	cr_expect_eq(out[0], 2);
}

Test(bridge, learned_unicast_and_same_port)
{
	struct bridge_decision d[2];
	struct pkt *p[2];

	p[0] = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);
	p[1] = frame(1, "02:00:00:00:00:01", "02:00:00:00:00:02", 2);
	bridge_input(&br, p, 2, d, 0);
	cr_expect_eq(d[0].d_learn, FDB_LEARNED);
	cr_expect_eq(d[1].d_verdict, BR_UNICAST);
	cr_expect_eq(d[1].d_port, 1);
	p[0] = frame(0, "02:00:00:00:00:02", "02:00:00:00:00:03", 2);
	bridge_input(&br, p, 1, d, 0);
	cr_expect_eq(d[0].d_verdict, BR_DROP);
	cr_expect_eq(d[0].d_reason, BRIDGE_C_DROP_SAME_PORT);
	cr_expect_eq(br.br_c[BRIDGE_C_DROP_SAME_PORT], 1);
}

Test(bridge, per_vlan_learning)
{
	struct bridge_decision d;
	struct pkt *p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);

	p->vid = 10;
	bridge_input(&br, &p, 1, &d, 0);
	p = frame(1, "02:00:00:00:00:01", "02:00:00:00:00:02", 2);
	p->vid = 20;
	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(d.d_verdict, BR_FLOOD, "known on vlan 10 only");
	p->vid = 10;
	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(d.d_verdict, BR_UNICAST);
}

Test(bridge, down_and_not_member_and_mcast_source)
{
	struct bridge_decision d;
	struct pkt *p = frame(0, "ff:ff:ff:ff:ff:ff", "03:00:00:00:00:01", 1);

	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(d.d_reason, BRIDGE_C_DROP_SRC_MCAST);
	p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 7);
	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(d.d_reason, BRIDGE_C_DROP_NOT_MEMBER);
	br.br_up = 0;
	p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);
	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(d.d_reason, BRIDGE_C_DROP_DOWN);
}

Test(bridge, del_member_forgets_its_addresses)
{
	struct bridge_decision d;
	struct pkt *p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);

	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(bridge_del_member(&br, 1), 0);
	cr_expect_eq(fdb_lookup(&br.br_fdb, 0, p->data + 6, 0), -1);
	cr_expect_eq(bridge_del_member(&br, 1), ENOENT);
}

/* The frame's ethertype, or an 802.3 length with an LLC/SNAP header. */
static struct pkt *
typed(int i, const char *dst, const char *src, uint16_t in_port,
    uint16_t type, int snap)
{
	struct pkt *p = frame(i, dst, src, in_port);

	ether_put16(p->data + 12, snap ? 46 : type);
	if (snap) {
		static const uint8_t llc[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };

		memcpy(p->data + 14, llc, 6);
		ether_put16(p->data + 20, type);
	}
	return p;
}

/*
 * blocknonip (member 2): IP, ARP and RARP in and out, also in LLC/SNAP;
 * anything else (another ethertype, a tagged frame, plain LLC) neither
 * from it nor to it, unicast or flooded.
 */
Test(bridge, blocknonip_both_ways)
{
	struct bridge_decision d;
	struct pkt *p;
	uint16_t out[8];
	static const struct { uint16_t type; int snap, ok; } f[] = {
		{ ETHERTYPE_IP, 0, 1 }, { ETHERTYPE_IPV6, 0, 1 },
		{ ETHERTYPE_ARP, 0, 1 }, { ETHERTYPE_REVARP, 0, 1 },
		{ ETHERTYPE_IP, 1, 1 }, { 0x88b5, 0, 0 },
		{ ETHERTYPE_VLAN, 0, 0 }, { 0x88cc, 1, 0 },
	};
	size_t i;

	bridge_member(&br, 2)->bm_flags |= BM_BLOCKNONIP;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		/* From the blocknonip member. */
		p = typed(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:02", 2,
		    f[i].type, f[i].snap);
		bridge_input(&br, &p, 1, &d, 0);
		cr_expect_eq(d.d_verdict, f[i].ok ? BR_FLOOD : BR_DROP,
		    "frame %zu from member 2", i);
		/* To it: flooded... */
		p = typed(1, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1,
		    f[i].type, f[i].snap);
		bridge_input(&br, &p, 1, &d, 0);
		cr_assert_eq(d.d_verdict, BR_FLOOD);
		cr_expect_eq(bridge_flood_ports(&br, p, 0, out), f[i].ok ? 2 : 1,
		    "frame %zu flooded from member 1", i);
		/* ...and unicast to the address learned on it. */
		p = typed(1, "02:00:00:00:00:02", "02:00:00:00:00:01", 1,
		    f[i].type, f[i].snap);
		bridge_input(&br, &p, 1, &d, 0);
		cr_expect_eq(d.d_verdict, f[i].ok ? BR_UNICAST : BR_DROP,
		    "frame %zu unicast to member 2", i);
	}
	cr_expect_eq(br.br_c[BRIDGE_C_DROP_NONIP], 6, "3 refused in, 3 out");
}

/* Members 1 and 2 share domain 5: nothing between them, either way. */
Test(bridge, protected_domains)
{
	struct bridge_decision d;
	struct pkt *p;
	uint16_t out[8];

	bridge_member(&br, 1)->bm_protected = 1u << 4 | 1u << 0;
	bridge_member(&br, 2)->bm_protected = 1u << 4;
	bridge_member(&br, 3)->bm_protected = 1u << 1;
	p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);
	bridge_input(&br, &p, 1, &d, 0);
	cr_assert_eq(d.d_verdict, BR_FLOOD);
	cr_assert_eq(bridge_flood_ports(&br, p, 0, out), 1, "only member 3");
	cr_expect_eq(out[0], 3);
	p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:02", 2);
	bridge_input(&br, &p, 1, &d, 0);
	p = frame(0, "02:00:00:00:00:02", "02:00:00:00:00:01", 1);
	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(d.d_verdict, BR_DROP);
	cr_expect_eq(d.d_reason, BRIDGE_C_DROP_PROTECTED);
	p = frame(0, "02:00:00:00:00:01", "02:00:00:00:00:03", 3);
	bridge_input(&br, &p, 1, &d, 0);
	cr_expect_eq(d.d_verdict, BR_UNICAST, "3 shares no domain with 1");
	cr_expect_eq(br.br_c[BRIDGE_C_DROP_PROTECTED], 1);
}

Test(ether, tag_push_pop_roundtrip)
{
	struct pkt *p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);
	uint8_t orig[60];
	uint32_t l3;

	memcpy(orig, p->data, 60);
	cr_expect_eq(ether_vid(p->data, p->len), 0);
	ether_tag_push(&p->data, &p->len, 10);
	cr_expect_eq(p->len, 64);
	cr_expect(ether_is_tagged(p->data, p->len));
	cr_expect_eq(ether_vid(p->data, p->len), 10);
	cr_expect_eq(ether_type(p->data, p->len, &l3), 0x88b5);
	cr_expect_eq(l3, 18);
	cr_expect_arr_eq(p->data, orig, 12, "addresses unchanged");
	ether_tag_pop(&p->data, &p->len);
	cr_expect_eq(p->len, 60);
	cr_expect_arr_eq(p->data, orig, 60);
}

Test(ether, short_frame_is_not_tagged)
{
	uint8_t f[16] = { 0 };

	f[12] = 0x81;
	cr_expect(!ether_is_tagged(f, 16), "no room for the tag");
	cr_expect_eq(ether_vid(f, 16), 0);
}

/* A UDP/IPv4 frame whose checksum field holds only the pseudo-header sum,
 * as the kernel hands CHECKSUM_PARTIAL frames over. */
Test(csum, complete_matches_full_computation)
{
	static uint8_t b[256];
	struct pkt p = { 0 };
	uint8_t *ip, *udp;
	uint32_t ps;
	uint16_t full;
	int i;

	p.buf = b;
	p.data = b;
	p.len = 14 + 20 + 8 + 33;
	ip = b + 14;
	udp = ip + 20;
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ip[9] = 17;
	memcpy(ip + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	ether_put16(udp, 5353);
	ether_put16(udp + 2, 53);
	ether_put16(udp + 4, 8 + 33);
	for (i = 0; i < 33; i++)
		udp[8 + i] = (uint8_t)(i * 7 + 1);
	/* Reference: checksum over pseudo header + UDP with field zero. */
	ps = csum_partial(ip + 12, 8, 0) + 17 + (8 + 33);
	full = ~csum_fold(csum_partial(udp, 8 + 33, ps));
	/* Partial: the field holds the folded pseudo-header sum. */
	ether_put16(udp + 6, csum_fold(ps));
	p.off.flags = PKT_OFF_NEEDS_CSUM;
	p.off.csum_start = 34;
	p.off.csum_offset = 6;
	cr_assert_eq(csum_complete(&p), 0);
	cr_expect_eq(ether_get16(udp + 6), full ? full : 0xffff);
	cr_expect(!(p.off.flags & PKT_OFF_NEEDS_CSUM));
	cr_expect_eq(csum_complete(&p), 0, "idempotent once done");
	/* A checksum field outside the frame is refused, not written. */
	p.off.flags = PKT_OFF_NEEDS_CSUM;
	p.off.csum_start = 70;
	cr_expect_eq(csum_complete(&p), EINVAL);
}

static int
parse_rule(const char *line, struct bridge_rule *r, char *ifname)
{
	char buf[256], *argv[32], *w, err[256];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok(buf, " "); w != NULL; w = strtok(NULL, " "))
		argv[argc++] = w;
	return bridge_rule_parse(argc, argv, r, ifname, 16, err, sizeof(err));
}

/*
 * Bridge rules: first match, in and out apart (in/out is one of each),
 * MACs and ARP fields; a wrong word is named by its index.
 */
Test(bridge, rules_parse_match_and_print)
{
	struct bridge_member *bm = bridge_member(&br, 1);
	struct bridge_rule r;
	struct pkt *p;
	char ifn[16], text[128];
	FILE *f;

	cr_assert_eq(parse_rule("block in/out on em1 src 2:0:0:0:0:d", &r,
	    ifn), 0);
	cr_expect_str_eq(ifn, "em1");
	cr_assert_eq(bridge_rule_add(bm, &r), 0);
	cr_expect_eq(bm->bm_nrules, 2, "in/out is two rules");
	cr_assert_eq(parse_rule("pass in on em1 arp reply spa 192.0.2.9 tag T",
	    &r, ifn), 0);
	cr_assert_eq(bridge_rule_add(bm, &r), 0);
	cr_assert_eq(parse_rule("block in on em1 arp", &r, ifn), 0);
	cr_assert_eq(bridge_rule_add(bm, &r), 0);

	p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0d", 1);
	cr_expect(bridge_rule_match(bm, BR_RULE_IN, p)->block);
	cr_expect(bridge_rule_match(bm, BR_RULE_OUT, p)->block);
	p = frame(0, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 1);
	cr_expect_null(bridge_rule_match(bm, BR_RULE_IN, p), "not ARP");
	/* An ARP reply from 192.0.2.9: the pass rule, before block arp. */
	ether_put16(p->data + 12, ETHERTYPE_ARP);
	ether_put16(p->data + 14, 1);
	ether_put16(p->data + 16, ETHERTYPE_IP);
	p->data[18] = 6;
	p->data[19] = 4;
	ether_put16(p->data + 20, 2);
	ip_put32(p->data + 28, 0xc0000209);
	cr_expect_eq(bridge_rule_match(bm, BR_RULE_IN, p)->block, 0);
	ip_put32(p->data + 28, 0xc000020a);
	cr_expect(bridge_rule_match(bm, BR_RULE_IN, p)->block,
	    "another sender: block arp");
	ether_put16(p->data + 12, ETHERTYPE_REVARP);
	cr_expect_null(bridge_rule_match(bm, BR_RULE_IN, p), "RARP is not ARP");

	cr_assert_not_null(f = fmemopen(text, sizeof(text), "w"));
	bridge_rule_print(f, &bm->bm_rules[2], "em1");
	fclose(f);
	cr_expect_str_eq(text, "pass in on em1 tag T arp reply spa 192.0.2.9\n");

	cr_expect_eq(parse_rule("drop in on em1", &r, ifn), -1);
	cr_expect_eq(parse_rule("block up on em1", &r, ifn), -2);
	cr_expect_eq(parse_rule("block in at em1", &r, ifn), -3);
	cr_expect_eq(parse_rule("block in on em1 src 2:0:0:0:0", &r, ifn),
	    -1 - 4, "the word before the bad value");
	cr_expect_eq(parse_rule("block in on em1 spa 192.0.2.1", &r, ifn),
	    -1 - 4, "spa without arp");
	bridge_rule_flush(bm);
	cr_expect_eq(bm->bm_nrules, 0);
}
