/* Checksums (RFC 1624), translation of IPv4/TCP/UDP/ICMP with complete
 * and partial checksums, ICMP errors translated back, port choice. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fwd/csum.h"
#include "fwd/ip.h"
#include "fwd/l3.h"
#include "nat/nat.h"

static uint16_t
full_ip_csum(const uint8_t *ip)
{
	uint8_t h[20];

	memcpy(h, ip, 20);
	h[10] = h[11] = 0;
	return (uint16_t)~csum_fold(csum_partial(h, 20, 0));
}

/* RFC 1624's example and random headers: incremental == recomputed. */
Test(csum, rfc1624_incremental_matches_full)
{
	uint8_t p[2];
	uint8_t ip[20];
	int i, k;

	/* RFC 1624 section 4: HC 0xdd2f, m 0x5555 -> 0x3285 gives 0x0000. */
	ether_put16(p, 0xdd2f);
	ip_csum_update16(p, 0x5555, 0x3285);
	cr_expect_eq(ether_get16(p), 0x0000);
	srandom(7);
	for (i = 0; i < 100000; i++) {
		uint16_t old, new;

		for (k = 0; k < 20; k++)
			ip[k] = (uint8_t)random();
		ip[0] = 0x45;
		ether_put16(ip + 10, full_ip_csum(ip));
		k = 2 * (int)(random() % 10);
		if (k == 10)
			k = 8;
		old = ether_get16(ip + k);
		new = (uint16_t)random();
		if (i % 7 == 0)
			new = (uint16_t)~old;	/* the hard corner */
		ether_put16(ip + k, new);
		ip_csum_update16(ip + 10, old, new);
		cr_assert_eq(csum_fold(csum_partial(ip, 20, 0)), 0xffff,
		    "round %d: header no longer sums to 0xffff", i);
	}
}

Test(csum, ttl_decrement)
{
	uint8_t ip[20] = { 0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, 1, 0, 0,
	    10, 50, 0, 20, 198, 51, 100, 1 };

	ether_put16(ip + 10, full_ip_csum(ip));
	cr_expect_eq(ip_ttl_dec(ip), 63);
	cr_expect_eq(ether_get16(ip + 10), full_ip_csum(ip));
}

/* A UDP/IPv4 frame from 10.50.0.20:41000 to 198.51.100.1:53. */
static uint32_t
make_udp(uint8_t *f, int partial)
{
	uint8_t *ip = f + 14, *u = ip + 20;
	uint32_t ps;
	int i;

	memset(f, 0, 14 + 20 + 8 + 20);
	ether_put16(f + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, 48);
	ip[8] = 64;
	ip[9] = 17;
	ip_put32(ip + 12, 0x0a320014);
	ip_put32(ip + 16, 0xc6336401);
	ether_put16(ip + 10, full_ip_csum(ip));
	ether_put16(u, 41000);
	ether_put16(u + 2, 53);
	ether_put16(u + 4, 28);
	for (i = 0; i < 20; i++)
		u[8 + i] = (uint8_t)(i * 13);
	ps = csum_partial(ip + 12, 8, 0) + 17 + 28;
	if (partial)
		ether_put16(u + 6, csum_fold(ps));
	else
		ether_put16(u + 6, (uint16_t)~csum_fold(csum_partial(u, 28,
		    ps)));
	return 14 + 48;
}

static int
udp_ok(const uint8_t *f)
{
	const uint8_t *ip = f + 14;
	uint32_t ps = csum_partial(ip + 12, 8, 0) + 17 + 28;

	return csum_fold(csum_partial(ip + 20, 28, ps)) == 0xffff &&
	    csum_fold(csum_partial(ip, 20, 0)) == 0xffff;
}

static void
parse(struct pkt *p, struct l3info *li)
{
	cr_assert_eq(l3_parse(p->data, p->len, li), L3_OK);
}

Test(nat, udp_complete_checksum)
{
	static uint8_t b[256];
	struct pkt p = { .data = b, .buf = b };
	struct nat_rewrite rw = { htonl(0xc6336402), 0, 50001, 0 };
	struct l3info li;

	p.len = make_udp(b, 0);
	parse(&p, &li);
	nat_rewrite4(&p, &li, &rw);
	cr_expect_eq(ip_get32(b + 26), 0xc6336402);
	cr_expect_eq(ether_get16(b + 34), 50001);
	cr_expect(udp_ok(b), "checksums hold after translation");
}

/* CHECKSUM_PARTIAL: the field must become the new pseudo-header sum, and
 * completing it then gives a correct checksum. */
Test(nat, udp_partial_checksum)
{
	static uint8_t b[256];
	struct pkt p = { .data = b, .buf = b };
	struct nat_rewrite rw = { htonl(0xc6336402), 0, 50001, 0 };
	struct l3info li;
	uint32_t ps;

	p.len = make_udp(b, 1);
	p.off.flags = PKT_OFF_NEEDS_CSUM;
	p.off.csum_start = 34;
	p.off.csum_offset = 6;
	parse(&p, &li);
	nat_rewrite4(&p, &li, &rw);
	ps = csum_partial(b + 26, 8, 0) + 17 + 28;
	cr_expect_eq(ether_get16(b + 40), csum_fold(ps),
	    "field holds the new pseudo-header sum");
	cr_assert_eq(csum_complete(&p), 0);
	cr_expect(udp_ok(b));
}

Test(nat, udp_without_checksum_keeps_none)
{
	static uint8_t b[256];
	struct pkt p = { .data = b, .buf = b };
	struct nat_rewrite rw = { htonl(0xc6336402), 0, 50001, 0 };
	struct l3info li;

	p.len = make_udp(b, 0);
	ether_put16(b + 40, 0);
	parse(&p, &li);
	nat_rewrite4(&p, &li, &rw);
	cr_expect_eq(ether_get16(b + 40), 0);
	cr_expect_eq(csum_fold(csum_partial(b + 14, 20, 0)), 0xffff);
}

Test(nat, icmp_query_id)
{
	static uint8_t b[256];
	struct pkt p = { .data = b, .buf = b };
	struct nat_rewrite rw = { htonl(0xc6336402), 0, 50007, 0 };
	uint8_t *ip = b + 14, *ic = ip + 20;
	struct l3info li;

	memset(b, 0, 14 + 20 + 16);
	ether_put16(b + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, 36);
	ip[8] = 64;
	ip[9] = 1;
	ip_put32(ip + 12, 0x0a320014);
	ip_put32(ip + 16, 0xc6336401);
	ether_put16(ip + 10, full_ip_csum(ip));
	ic[0] = 8;
	ether_put16(ic + 4, 0x1234);
	ether_put16(ic + 6, 1);
	ether_put16(ic + 2, (uint16_t)~csum_fold(csum_partial(ic, 16, 0)));
	p.len = 14 + 36;
	parse(&p, &li);
	cr_expect_eq(li.sport, 0x1234, "ICMP queries are tracked by id");
	nat_rewrite4(&p, &li, &rw);
	cr_expect_eq(ether_get16(ic + 4), 50007);
	cr_expect_eq(csum_fold(csum_partial(ic, 16, 0)), 0xffff);
	cr_expect_eq(csum_fold(csum_partial(ip, 20, 0)), 0xffff);
}

/* A port unreachable from the wan about a translated UDP packet, turned
 * back into one about the inside packet. */
Test(nat, icmp_error_translated_back)
{
	static uint8_t inside[256], wire[256], err[512];
	struct pkt p = { .data = err, .buf = err };
	struct nat_rewrite out_rw = { htonl(0xc6336402), 0, 50001, 0 };
	struct nat_rewrite outer = { 0, htonl(0x0a320014), 0, 0 };
	struct nat_rewrite inner = { htonl(0x0a320014), 0, 41000, 0 };
	struct pkt w = { .data = wire, .buf = wire };
	struct l3info li;
	uint32_t n;

	make_udp(inside, 0);
	w.len = make_udp(wire, 0);
	parse(&w, &li);
	nat_rewrite4(&w, &li, &out_rw);
	/* The error about the wire packet, from 198.51.100.1 to us. */
	n = icmp_error_build(err, sizeof(err), wire + 14, 48, ICMP_UNREACH,
	    ICMP_UNREACH_PORT, 0xc6336401, 0);
	cr_assert_gt(n, 0);
	p.len = n;
	parse(&p, &li);
	cr_assert_eq(nat_rewrite_icmp_error(&p, &li, &outer, &inner), 0);
	cr_expect_eq(ip_get32(err + 30), 0x0a320014, "outer to the inside");
	cr_expect_eq(memcmp(err + 14 + 28, inside + 14, 28), 0,
	    "the quote is the inside packet as it was sent");
	cr_expect_eq(csum_fold(csum_partial(err + 34, n - 34, 0)), 0xffff,
	    "ICMP checksum");
	cr_expect_eq(csum_fold(csum_partial(err + 14, 20, 0)), 0xffff);
}

Test(nat, port_choice_reuses_per_destination)
{
	struct state_table t;
	struct state_key k, k2;
	union acl_ip src, d1, d2, nat;
	uint16_t p1, p2, p3;

	cr_assert_eq(state_table_init(&t, 64), 0);
	memset(&src, 0, sizeof(src));
	memset(&d1, 0, sizeof(d1));
	memset(&d2, 0, sizeof(d2));
	memset(&nat, 0, sizeof(nat));
	inet_pton(AF_INET, "10.50.0.20", &src);
	inet_pton(AF_INET, "198.51.100.1", &d1);
	inet_pton(AF_INET, "203.0.113.1", &d2);
	inet_pton(AF_INET, "198.51.100.2", &nat);
	/* One port in the range: the first flow takes it... */
	state_key_make(&k, AF_INET, 17, &nat, &d1, 0, htons(53),
	    STATE_DIR_OUT);
	p1 = nat_pick_port(&t, &k, 1, 50001, 50001, 0, 1);
	cr_assert_eq(p1, 50001);
	cr_assert_not_null(state_insert(&t, &k, &k, STATE_DIR_OUT, 0, 0, 0,
	    0));
	/* ...a second flow to the same destination finds it taken... */
	state_key_make(&k2, AF_INET, 17, &nat, &d1, 0, htons(53),
	    STATE_DIR_OUT);
	p2 = nat_pick_port(&t, &k2, 1, 50001, 50001, 0, 2);
	cr_expect_eq(p2, 0, "exhausted for this destination");
	/* ...and one to another destination may use it again. */
	state_key_make(&k2, AF_INET, 17, &nat, &d2, 0, htons(53),
	    STATE_DIR_OUT);
	p3 = nat_pick_port(&t, &k2, 1, 50001, 50001, 0, 3);
	cr_expect_eq(p3, 50001, "same port, other destination");
	/* Over a real range, 2000 flows to one destination all differ. */
	{
		int i, taken = 0;

		state_table_fini(&t);
		cr_assert_eq(state_table_init(&t, 4096), 0);
		for (i = 0; i < 2000; i++) {
			state_key_make(&k, AF_INET, 17, &nat, &d1, 0,
			    htons(53), STATE_DIR_OUT);
			if (nat_pick_port(&t, &k, 1, 50001, 65535, 0,
			    (uint32_t)i) != 0 &&
			    state_insert(&t, &k, &k, STATE_DIR_OUT, 0, 0, 0,
			    0) != NULL)
				taken++;
		}
		cr_expect_eq(taken, 2000);
	}
	state_table_fini(&t);
}

/*
 * nat-to coming in translates the STACK key, the source at end 0: the
 * port must be free among STACK keys, whatever the WIRE keys hold.
 */
Test(nat, port_choice_coming_in_checks_stack_keys)
{
	struct state_table t;
	struct state_key wire, stack, k;
	union acl_ip c1, srv, nat;

	cr_assert_eq(state_table_init(&t, 64), 0);
	memset(&c1, 0, sizeof(c1));
	memset(&srv, 0, sizeof(srv));
	memset(&nat, 0, sizeof(nat));
	inet_pton(AF_INET, "198.51.100.1", &c1);
	inet_pton(AF_INET, "10.50.0.20", &srv);
	inet_pton(AF_INET, "198.51.100.9", &nat);
	/* c1:45000 -> srv:53 came in as nat:50001 -> srv:53. */
	state_key_make(&wire, AF_INET, 17, &c1, &srv, htons(45000), htons(53),
	    STATE_DIR_IN);
	state_key_make(&stack, AF_INET, 17, &nat, &srv, 0, htons(53),
	    STATE_DIR_IN);
	cr_assert_eq(nat_pick_port(&t, &stack, 0, 50001, 50001, 0, 1), 50001);
	cr_assert_not_null(state_insert(&t, &wire, &stack, STATE_DIR_IN, 0, 0,
	    0, 0));
	/* Another client to the same server: its WIRE key is new, but the
	 * one port would make the same STACK key. */
	state_key_make(&k, AF_INET, 17, &nat, &srv, 0, htons(53),
	    STATE_DIR_IN);
	cr_expect_eq(nat_pick_port(&t, &k, 0, 50001, 50001, 0, 2), 0);
	cr_expect_eq(nat_pick_port(&t, &k, 0, 50001, 50002, 0, 2), 50002);
	state_table_fini(&t);
}

/*
 * A burst's tags (nat_state_prefetch) are the tags of the keys
 * dp_pf_test() makes, both ways round; a translation drops them, and a
 * frame that is not IPv4 gets none.
 */
Test(nat, prefetch_tags_follow_the_frame)
{
	static uint8_t b[256], arp[64];
	struct pkt p = { .data = b, .buf = b }, q = { .data = arp, .buf = arp };
	struct pkt *burst[2] = { &p, &q };
	struct nat_rewrite rw = { htonl(0xc6336402), 0, 50001, 0 };
	struct state_table t;
	struct state_key k;
	union acl_ip s, d;
	struct l3info li;
	int dir;

	cr_assert_eq(state_table_init(&t, 64), 0);
	p.len = make_udp(b, 0);
	memset(arp, 0, sizeof(arp));
	ether_put16(arp + 12, 0x0806);
	q.len = 60;
	q.st_tags = STATE_DIR_IN;	/* stale: must go */
	nat_state_prefetch(&t, burst, 2, STATE_DIR_IN | STATE_DIR_OUT);
	cr_expect_eq(q.st_tags, 0);
	cr_assert_eq(p.st_tags, STATE_DIR_IN | STATE_DIR_OUT);
	parse(&p, &li);
	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	memcpy(&s, li.src, 4);
	memcpy(&d, li.dst, 4);
	for (dir = STATE_DIR_IN; dir <= STATE_DIR_OUT; dir++) {
		state_key_make(&k, AF_INET, li.proto, &s, &d, htons(li.sport),
		    htons(li.dport), dir);
		cr_expect_eq(p.st_tag[dir - 1], state_tag(&k));
	}
	nat_state_prefetch(&t, burst, 1, STATE_DIR_OUT);
	cr_expect_eq(p.st_tags, STATE_DIR_OUT);
	nat_rewrite4(&p, &li, &rw);
	cr_expect_eq(p.st_tags, 0, "a new address is a new key");
	/* tagged again (nat_state_retag()): the translated frame's keys,
	 * and no hint */
	p.st_hint[0] = p.st_hint[1] = 7;
	nat_state_retag(&t, &p, STATE_DIR_IN | STATE_DIR_OUT);
	cr_assert_eq(p.st_tags, STATE_DIR_IN | STATE_DIR_OUT);
	parse(&p, &li);
	memcpy(&s, li.src, 4);
	cr_assert_eq(s.w[0], htonl(0xc6336402), "the new source");
	for (dir = STATE_DIR_IN; dir <= STATE_DIR_OUT; dir++) {
		state_key_make(&k, AF_INET, li.proto, &s, &d, htons(li.sport),
		    htons(li.dport), dir);
		cr_expect_eq(p.st_tag[dir - 1], state_tag(&k));
		cr_expect_eq(p.st_hint[dir - 1], 0);
	}
	q.st_tags = STATE_DIR_IN;
	nat_state_retag(&t, &q, STATE_DIR_IN | STATE_DIR_OUT);
	cr_expect_eq(q.st_tags, 0, "not IPv4: no tags");
	state_table_fini(&t);
}

/*
 * Random TCP and UDP packets, random rewrites of any of the four fields,
 * complete and partial checksums: after nat_rewrite4() the IP header and
 * the transport checksum verify (the partial one once completed), and a
 * UDP checksum is never turned into 0 ("none").
 */
Test(nat, random_rewrites_keep_checksums)
{
	static uint8_t b[256];
	struct pkt p = { .data = b, .buf = b };
	struct nat_rewrite rw;
	struct l3info li;
	int i, k;

	srandom(1624);
	for (i = 0; i < 200000; i++) {
		int tcp = i & 1, partial = (i >> 1) & 1;
		uint32_t l4len = tcp ? 20 + 8 : 8 + 20, ps;
		uint8_t *ip = b + 14, *l4 = ip + 20;
		uint8_t *f = l4 + (tcp ? 16 : 6);

		memset(b, 0, 14 + 20 + l4len);
		ether_put16(b + 12, ETHERTYPE_IP);
		ip[0] = 0x45;
		ether_put16(ip + 2, (uint16_t)(20 + l4len));
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		ip_put32(ip + 12, (uint32_t)random());
		ip_put32(ip + 16, (uint32_t)random());
		ether_put16(ip + 10, full_ip_csum(ip));
		for (k = 0; k < (int)l4len; k++)
			l4[k] = (uint8_t)random();
		if (tcp)
			l4[12] = 0x50;
		else
			ether_put16(l4 + 4, (uint16_t)l4len);
		ether_put16(f, 0);
		ps = csum_partial(ip + 12, 8, 0) + ip[9] + l4len;
		if (partial)
			ether_put16(f, csum_fold(ps));
		else {
			ether_put16(f, (uint16_t)~csum_fold(csum_partial(l4,
			    l4len, ps)));
			if (!tcp && ether_get16(f) == 0)
				ether_put16(f, 0xffff);
		}
		p.len = 14 + 20 + l4len;
		p.off = (struct pkt_offload){ 0 };
		if (partial) {
			p.off.flags = PKT_OFF_NEEDS_CSUM;
			p.off.csum_start = 34;
			p.off.csum_offset = (uint16_t)(f - l4);
		}
		rw.src = random() & 1 ? htonl((uint32_t)random()) : 0;
		rw.dst = random() & 1 ? htonl((uint32_t)random()) : 0;
		rw.sport = random() & 1 ? (uint16_t)random() : 0;
		rw.dport = random() & 1 ? (uint16_t)random() : 0;
		parse(&p, &li);
		nat_rewrite4(&p, &li, &rw);
		cr_assert_eq(csum_fold(csum_partial(ip, 20, 0)), 0xffff,
		    "round %d: IP header", i);
		if (partial)
			cr_assert_eq(csum_complete(&p), 0);
		if (!tcp && !partial) {
			cr_assert_neq(ether_get16(f), 0, "round %d: UDP 0", i);
		}
		ps = csum_partial(ip + 12, 8, 0) + ip[9] + l4len;
		cr_assert_eq(csum_fold(csum_partial(l4, l4len, ps)), 0xffff,
		    "round %d: %s %s checksum", i, tcp ? "TCP" : "UDP",
		    partial ? "partial" : "complete");
	}
}

/*
 * The prefetch pass reads flows with a parser of its own: on random IPv4
 * frames (TCP, UDP, ICMP queries and errors, other protocols, fragments,
 * options, 802.1Q tags, short ones) its tags must be those of the keys
 * l3_parse() gives, wherever l3_parse() accepts the frame.
 */
Test(nat, prefetch_parser_agrees_with_l3_parse)
{
	static uint8_t b[256];
	static const uint8_t protos[] = { 6, 17, 1, 47, 6, 17 };
	struct pkt p = { .data = b, .buf = b };
	struct pkt *burst[1] = { &p };
	struct state_table t;
	struct state_key k;
	union acl_ip s, d;
	struct l3info li;
	int i, j, dir, checked = 0;

	cr_assert_eq(state_table_init(&t, 64), 0);
	srandom(4242);
	for (i = 0; i < 100000; i++) {
		uint32_t off = 14, hl = 20 + 4 * (uint32_t)(random() % 3);

		for (j = 0; j < (int)sizeof(b); j++)
			b[j] = (uint8_t)random();
		if (random() % 4 == 0) {
			ether_put16(b + 12, ETHERTYPE_VLAN);
			off = 18;
		}
		ether_put16(b + off - 2, random() % 16 ? ETHERTYPE_IP :
		    ETHERTYPE_IPV6);
		b[off] = (uint8_t)(0x40 | hl / 4);
		ether_put16(b + off + 2, 100);
		b[off + 6] = random() % 5 ? 0x40 : (uint8_t)random();
		/* mostly a first fragment or none: the parser's fast path */
		b[off + 7] = random() % 5 ? 0 : (uint8_t)random();
		b[off + 9] = protos[random() % sizeof(protos)];
		if (b[off + 9] == 1)
			b[off + hl] = random() % 2 ? 8 : 3;	/* echo, error */
		b[off + hl + 12] = 0x50;			/* TCP offset */
		p.len = random() % 2 ? 14 + (uint32_t)(random() % 80) :
		    (uint32_t)sizeof(b);
		nat_state_prefetch(&t, burst, 1, STATE_DIR_IN | STATE_DIR_OUT);
		if (l3_parse(p.data, p.len, &li) != L3_OK || li.af != 4)
			continue;
		cr_assert_eq(p.st_tags, STATE_DIR_IN | STATE_DIR_OUT,
		    "round %d: an accepted frame gets both tags", i);
		memset(&s, 0, sizeof(s));
		memset(&d, 0, sizeof(d));
		memcpy(&s, li.src, 4);
		memcpy(&d, li.dst, 4);
		for (dir = STATE_DIR_IN; dir <= STATE_DIR_OUT; dir++) {
			state_key_make(&k, AF_INET, li.proto, &s, &d,
			    htons(li.sport), htons(li.dport), dir);
			cr_assert_eq(p.st_tag[dir - 1], state_tag(&k),
			    "round %d: proto %u, dir %d", i, li.proto, dir);
		}
		checked++;
	}
	cr_expect_gt(checked, 20000, "enough accepted frames (%d)", checked);
	state_table_fini(&t);
}

/*
 * A burst longer than BATCH_MAX is prefetched in slices: every frame
 * gets its tags and, for a flow in the table, its state as the hint,
 * which state_lookup_tag() then returns.
 */
Test(nat, prefetch_long_burst_hints)
{
	enum { N = 3 * BATCH_MAX + 5 };
	static uint8_t b[N][64];
	static struct pkt p[N];
	struct pkt *burst[N];
	struct state_table t;
	struct state_key k;
	union acl_ip s, d;
	struct state *st[N];
	int i;

	cr_assert_eq(state_table_init(&t, 4 * N), 0);
	for (i = 0; i < N; i++) {
		memset(&s, 0, sizeof(s));
		memset(&d, 0, sizeof(d));
		s.w[0] = htonl(0x0a320000u + 2 + (uint32_t)i);
		d.w[0] = htonl(0xcb007101u);
		state_key_make(&k, AF_INET, 17, &s, &d, htons(40000),
		    htons(53), STATE_DIR_IN);
		st[i] = state_insert(&t, &k, &k, STATE_DIR_IN, 0, 0, 0, 1);
		cr_assert_not_null(st[i]);
		memset(b[i], 0, sizeof(b[i]));
		ether_put16(b[i] + 12, ETHERTYPE_IP);
		b[i][14] = 0x45;
		ether_put16(b[i] + 16, 28);
		b[i][23] = 17;
		memcpy(b[i] + 26, &s.w[0], 4);
		memcpy(b[i] + 30, &d.w[0], 4);
		ether_put16(b[i] + 34, 40000);
		ether_put16(b[i] + 36, 53);
		p[i].data = p[i].buf = b[i];
		p[i].len = 60;
		burst[i] = &p[i];
	}
	nat_state_prefetch(&t, burst, N, STATE_DIR_IN);
	for (i = 0; i < N; i++) {
		cr_assert_eq(p[i].st_tags, STATE_DIR_IN, "frame %d", i);
		cr_assert_eq(p[i].st_hint[0], state_id(&t, st[i]) + 1,
		    "frame %d: the hint is its state", i);
		cr_assert_eq(p[i].st_hint[1], 0, "no lookup going out asked");
		state_key_make4(&k, 17, b[i] + 26, b[i] + 30, htons(40000),
		    htons(53), STATE_DIR_IN);
		cr_assert_eq(state_lookup_tag(&t, &k, p[i].st_tag[0],
		    p[i].st_hint[0], STATE_DIR_IN, 0, 0), st[i]);
	}
	cr_expect_eq(t.c[STATE_C_STALE_TAG], 0);
	state_table_fini(&t);
}

/* IPv6 extension headers before the transport: hop-by-hop, destination
 * options, AH (whose length is in 4-byte units), then a fragment header. */
Test(nat, l3_parse_walks_ipv6_extension_headers)
{
	static uint8_t b[256];
	struct l3info li;
	uint8_t *ip = b + 14, *x;

	memset(b, 0, sizeof(b));
	ether_put16(b + 12, 0x86dd);
	ip[0] = 0x60;
	ip[6] = 0;			/* hop-by-hop */
	ip[7] = 64;
	x = ip + 40;
	x[0] = 51;			/* -> AH */
	x[1] = 0;			/* 8 bytes */
	x += 8;
	x[0] = 60;			/* AH -> destination options */
	x[1] = 4;			/* (4 + 2) * 4 = 24 bytes */
	x += 24;
	x[0] = 17;			/* -> UDP */
	x[1] = 0;
	x += 8;
	ether_put16(x, 41000);
	ether_put16(x + 2, 53);
	ether_put16(x + 4, 8);
	ether_put16(ip + 4, (uint16_t)(x + 8 - (ip + 40)));
	cr_assert_eq(l3_parse(b, (uint32_t)(x + 8 - b), &li), L3_OK);
	cr_expect_eq(li.proto, 17);
	cr_expect_eq(li.l4off, (uint16_t)(x - b));
	cr_expect_eq(li.sport, 41000);
	cr_expect_eq(li.dport, 53);
	/* cut inside the AH: short, not garbage ports */
	cr_expect_eq(l3_parse(b, 14 + 40 + 8 + 4, &li), L3_SHORT);
}
