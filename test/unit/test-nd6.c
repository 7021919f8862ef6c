/*
 * The pure parts of IPv6 routing: ND messages built and parsed (and every
 * way a message can be refused), ICMPv6 checksums, the error and echo
 * builders, the modified EUI-64, the neighbour cache against a reference,
 * and the IPv6 longest-prefix match against a linear scan.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fwd/ether.h"
#include "fwd/lpm6.h"
#include "fwd/nd6.h"

static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xdb };
static const uint8_t rmac[6] = { 0xfe, 0xe1, 0xba, 0xd0, 0x00, 0x01 };

static void
a6(uint8_t *a, const char *s)
{
	cr_assert_eq(inet_pton(AF_INET6, s, a), 1, "%s", s);
}

Test(nd6, linklocal_is_modified_eui64)
{
	uint8_t ll[16], want[16];

	in6_linklocal(ll, rmac);
	a6(want, "fe80::fce1:baff:fed0:1");
	cr_expect_eq(memcmp(ll, want, 16), 0);
	in6_solicited(ll, want);
	a6(want, "ff02::1:ffd0:1");
	cr_expect_eq(memcmp(ll, want, 16), 0);
}

Test(nd6, ns_round_trip)
{
	uint8_t f[128], src[16], tgt[16], sn[16];
	struct nd6_msg m;
	uint32_t n;

	a6(src, "2001:db8:50::20");
	a6(tgt, "2001:db8:50::1");
	n = nd6_ns_build(f, mac, src, tgt, NULL, NULL);
	cr_assert_eq(n, 14 + 40 + 32);
	cr_expect_eq(memcmp(f, "\x33\x33\xff\x00\x00\x01", 6), 0,
	    "to the solicited-node group's MAC");
	in6_solicited(sn, tgt);
	cr_expect_eq(memcmp(f + 14 + 24, sn, 16), 0);
	cr_expect_eq(f[14 + 7], 255, "hop limit 255");
	cr_assert_eq(nd6_parse(f + 14, n - 14, &m), ND6_OK);
	cr_expect_eq(m.type, ND_NEIGHBOR_SOLICIT);
	cr_expect_eq(memcmp(m.target, tgt, 16), 0);
	cr_expect(m.has_lla && memcmp(m.lla, mac, 6) == 0);
	/* From the unspecified address (DAD): no source option. */
	memset(src, 0, 16);
	n = nd6_ns_build(f, mac, src, tgt, NULL, NULL);
	cr_assert_eq(n, 14 + 40 + 24);
	cr_assert_eq(nd6_parse(f + 14, n - 14, &m), ND6_OK);
	cr_expect(!m.has_lla);
}

Test(nd6, na_round_trip)
{
	uint8_t f[128], src[16], dst[16];
	struct nd6_msg m;
	uint32_t n;

	a6(src, "2001:db8:50::1");
	a6(dst, "2001:db8:50::20");
	n = nd6_na_build(f, rmac, mac, src, dst, src, ND_NA_FLAG_SOLICITED |
	    ND_NA_FLAG_OVERRIDE | ND_NA_FLAG_ROUTER);
	cr_assert_eq(nd6_parse(f + 14, n - 14, &m), ND6_OK);
	cr_expect_eq(m.type, ND_NEIGHBOR_ADVERT);
	cr_expect_eq(m.flags, 0xe0);
	cr_expect(m.has_lla && memcmp(m.lla, rmac, 6) == 0);
	cr_expect_eq(memcmp(f, mac, 6), 0);
}

/* Every refusal, each from a good message changed in one place. */
Test(nd6, parse_refuses)
{
	uint8_t f[128], g[128], src[16], tgt[16];
	struct nd6_msg m;
	uint32_t n, k;

	a6(src, "2001:db8:50::20");
	a6(tgt, "2001:db8:50::1");
	n = nd6_ns_build(f, mac, src, tgt, NULL, NULL) - 14;
	memcpy(g, f + 14, n);
	g[7] = 64;
	cr_expect_eq(nd6_parse(g, n, &m), ND6_ERR_HLIM, "hop limit");
	memcpy(g, f + 14, n);
	g[40 + 9] ^= 1;
	cr_expect_eq(nd6_parse(g, n, &m), ND6_ERR_CSUM, "checksum");
	memcpy(g, f + 14, n);
	g[40 + 1] = 1;		/* code 1, checksum fixed below */
	ether_put16(g + 42, 0);
	ether_put16(g + 42, icmp6_csum(g, n));
	cr_expect_eq(nd6_parse(g, n, &m), ND6_ERR_MALFORMED, "code");
	memcpy(g, f + 14, n);
	g[40 + 24 + 1] = 0;	/* option length 0 */
	ether_put16(g + 42, 0);
	ether_put16(g + 42, icmp6_csum(g, n));
	cr_expect_eq(nd6_parse(g, n, &m), ND6_ERR_MALFORMED, "option len 0");
	memcpy(g, f + 14, n);
	g[40 + 24 + 1] = 2;	/* option past the end */
	ether_put16(g + 42, 0);
	ether_put16(g + 42, icmp6_csum(g, n));
	cr_expect_eq(nd6_parse(g, n, &m), ND6_ERR_MALFORMED, "option long");
	memcpy(g, f + 14, n);
	g[40 + 8] = 0xff;	/* multicast target */
	ether_put16(g + 42, 0);
	ether_put16(g + 42, icmp6_csum(g, n));
	cr_expect_eq(nd6_parse(g, n, &m), ND6_ERR_MALFORMED, "target");
	/* Every truncation: payload length beyond what there is. */
	for (k = 0; k < n; k++)
		cr_expect_neq(nd6_parse(f + 14, k, &m), ND6_OK, "%u bytes", k);
	/* A payload too short for an NS, consistent otherwise. */
	memcpy(g, f + 14, n);
	ether_put16(g + 4, 20);
	cr_expect_eq(nd6_parse(g, n, &m), ND6_ERR_MALFORMED, "short");
}

Test(nd6, icmp6_error_quotes_up_to_the_minimum_mtu)
{
	static uint8_t orig[1500], out[2048];
	uint8_t src[16];
	uint32_t n;

	memset(orig, 0xab, sizeof(orig));
	orig[0] = 0x60;
	ether_put16(orig + 4, 1460);
	orig[6] = 17;
	a6(src, "2001:db8:50::1");
	n = icmp6_error_build(out, sizeof(out), orig, 1500,
	    ICMP6_PACKET_TOO_BIG, 0, src, 1400);
	cr_assert_eq(n, 14 + 1280, "%u", n);
	cr_expect_eq(icmp6_csum(out + 14, 1280), 0, "checksum");
	cr_expect_eq(out[14 + 40], ICMP6_PACKET_TOO_BIG);
	cr_expect_eq(ether_get16(out + 14 + 40 + 6), 1400, "the MTU");
	cr_expect_eq(memcmp(out + 14 + 24, orig + 8, 16), 0, "to the sender");
	cr_expect_eq(icmp6_error_build(out, 100, orig, 1500, 1, 0, src, 0), 0,
	    "no room");
}

Test(nd6, echo_reply_in_place)
{
	uint8_t p[40 + 16], a[16], b[16];

	memset(p, 0, sizeof(p));
	p[0] = 0x60;
	ether_put16(p + 4, 16);
	p[6] = 58;
	p[7] = 3;
	a6(a, "2001:db8:50::20");
	a6(b, "2001:db8:50::1");
	memcpy(p + 8, a, 16);
	memcpy(p + 24, b, 16);
	p[40] = ICMP6_ECHO_REQUEST;
	memcpy(p + 48, "sluice!!", 8);
	ether_put16(p + 42, icmp6_csum(p, sizeof(p)));
	cr_assert_eq(icmp6_echo_reply(p, sizeof(p)), 0);
	cr_expect_eq(p[40], ICMP6_ECHO_REPLY);
	cr_expect_eq(memcmp(p + 8, b, 16), 0);
	cr_expect_eq(memcmp(p + 24, a, 16), 0);
	cr_expect_eq(icmp6_csum(p, sizeof(p)), 0, "checksum still good");
	cr_expect_eq(icmp6_echo_reply(p, sizeof(p)), -1, "not a request now");
}

/* The cache: random inserts and deletes against a reference. */
Test(nd6, cache_matches_a_reference_through_deletes)
{
	static struct nd6_table t;
	static uint8_t live[ND6_MAX];
	uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint32_t i, k, count = 0;

	srand(6);
	for (i = 0; i < 200000; i++) {
		struct nd6_entry *e;

		k = (uint32_t)rand() % ND6_MAX;
		ip[14] = (uint8_t)(k >> 8);
		ip[15] = (uint8_t)k;
		e = nd6_lookup(&t, (uint16_t)(k & 1), ip);
		cr_assert_eq(e != NULL, live[k] != 0, "entry %u", k);
		if (e != NULL && rand() % 2) {
			nd6_delete(&t, e);
			live[k] = 0;
			count--;
		} else if (e == NULL) {
			e = nd6_insert(&t, (uint16_t)(k & 1), ip);
			cr_assert_not_null(e);
			cr_assert_eq(e->state, ND6_INCOMPLETE);
			live[k] = 1;
			count++;
		}
		cr_assert_eq(t.count, count);
	}
	/* Full: nothing more fits. */
	for (k = 0; k < ND6_MAX; k++) {
		ip[14] = (uint8_t)(k >> 8);
		ip[15] = (uint8_t)k;
		if (!live[k])
			cr_assert_not_null(nd6_insert(&t, (uint16_t)(k & 1),
			    ip));
	}
	ip[13] = 1;
	cr_expect_null(nd6_insert(&t, 0, ip), "ND6_MAX entries at most");
}

/* The reference: the longest matching prefix by a scan of every route. */
struct ref6 {
	uint8_t	 p[16];
	uint8_t	 len;
	uint32_t nh;
	int	 live;
};

static uint32_t
ref_lookup(const struct ref6 *r, int n, const uint8_t *a)
{
	int best = -1, i;

	for (i = 0; i < n; i++)
		if (r[i].live && in6_prefix_eq(r[i].p, a, r[i].len) &&
		    (best < 0 || r[i].len > r[best].len))
			best = i;
	return best < 0 ? LPM6_NH_NONE : r[best].nh;
}

Test(lpm6, longest_prefix_wins_and_deletes_fall_back)
{
	struct lpm6 l;
	uint8_t p[16], a[16];

	lpm6_init(&l);
	a6(p, "2001:db8::");
	cr_assert_eq(lpm6_add(&l, p, 32, 1), 0);
	a6(p, "2001:db8:50::");
	cr_assert_eq(lpm6_add(&l, p, 64, 2), 0);
	a6(p, "2001:db8:50::7");
	cr_assert_eq(lpm6_add(&l, p, 128, 3), 0);
	a6(a, "2001:db8:50::7");
	cr_expect_eq(lpm6_lookup(&l, a), 3);
	a6(a, "2001:db8:50::8");
	cr_expect_eq(lpm6_lookup(&l, a), 2);
	a6(a, "2001:db8:51::8");
	cr_expect_eq(lpm6_lookup(&l, a), 1);
	a6(a, "2001:db9::1");
	cr_expect_eq(lpm6_lookup(&l, a), LPM6_NH_NONE, "no default yet");
	memset(p, 0, 16);
	cr_assert_eq(lpm6_add(&l, p, 0, 9), 0);
	cr_expect_eq(lpm6_lookup(&l, a), 9, "the default");
	a6(p, "2001:db8:50::");
	cr_assert_eq(lpm6_delete(&l, p, 64), 0);
	a6(a, "2001:db8:50::8");
	cr_expect_eq(lpm6_lookup(&l, a), 1, "falls back to the /32");
	cr_expect_eq(lpm6_delete(&l, p, 64), ESRCH);
	cr_expect_eq(lpm6_add(&l, p, 129, 1), EINVAL);
	lpm6_fini(&l);
}

Test(lpm6, random_routes_match_a_linear_scan)
{
	static struct ref6 r[600];
	struct lpm6 l;
	uint8_t a[16];
	int i, n = 0, k, j;

	lpm6_init(&l);
	srand(66);
	for (i = 0; i < 20000; i++) {
		if (n < 600 && rand() % 3 != 0) {
			struct ref6 *w = &r[n];
			static const uint8_t lens[] = { 0, 16, 32, 48, 56, 60,
			    64, 65, 127, 128 };

			memset(w->p, 0, 16);
			w->p[0] = 0x20;
			w->p[1] = 0x01;
			for (j = 2; j < 16; j++)
				w->p[j] = (uint8_t)(rand() % 3);
			w->len = lens[rand() % 10];
			in6_mask(w->p, w->len);
			w->nh = (uint32_t)n + 1;
			/* Replacing a prefix: the old one is no longer live. */
			for (k = 0; k < n; k++)
				if (r[k].live && r[k].len == w->len &&
				    memcmp(r[k].p, w->p, 16) == 0)
					r[k].live = 0;
			w->live = 1;
			cr_assert_eq(lpm6_add(&l, w->p, w->len, w->nh), 0);
			n++;
		} else if (n > 0) {
			k = rand() % n;
			if (r[k].live) {
				cr_assert_eq(lpm6_delete(&l, r[k].p, r[k].len),
				    0);
				r[k].live = 0;
			}
		}
		memset(a, 0, 16);
		a[0] = 0x20;
		a[1] = 0x01;
		for (j = 2; j < 16; j++)
			a[j] = (uint8_t)(rand() % 3);
		cr_assert_eq(lpm6_lookup(&l, a), ref_lookup(r, n, a),
		    "step %d", i);
	}
	lpm6_fini(&l);
}

/* ND options: lengths within the message, the sizes RFC 4861 gives. */
Test(nd6, options_checked)
{
	uint8_t o[48];
	uint32_t seen;

	memset(o, 0, sizeof(o));
	o[0] = ND_OPT_SOURCE_LINKADDR;
	o[1] = 1;
	o[8] = ND_OPT_PREFIX_INFO;
	o[9] = 4;
	cr_expect_eq(nd6_opts_check(o, 40, &seen), 0);
	cr_expect_eq(seen, (1u << ND_OPT_SOURCE_LINKADDR) |
	    (1u << ND_OPT_PREFIX_INFO));
	cr_expect_eq(nd6_opts_check(o, 39, &seen), -1, "beyond the message");
	o[9] = 3;
	cr_expect_eq(nd6_opts_check(o, 32, &seen), -1, "a prefix of 3 units");
	o[9] = 0;
	cr_expect_eq(nd6_opts_check(o, 40, &seen), -1, "length 0");
	cr_expect_eq(nd6_opts_check(o, 0, &seen), 0, "no options");
}
