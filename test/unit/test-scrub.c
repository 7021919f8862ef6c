/*
 * pf's header normalization (fwd/scrub.c): what each option changes, what
 * it leaves alone, and checksums that a full recomputation agrees with.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/scrub.h"
#include "fwd/siphash.h"

/* A 20-byte IPv4 header with a right checksum. */
static void
ip4_hdr(uint8_t *ip, uint8_t tos, uint16_t id, uint16_t off, uint8_t ttl)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = tos;
	ether_put16(ip + 2, 60);
	ether_put16(ip + 4, id);
	ether_put16(ip + 6, off);
	ip[8] = ttl;
	ip[9] = 6;
	ip_put32(ip + 12, 0xc0000201);
	ip_put32(ip + 16, 0xc6336401);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
}

static int
ip4_csum_ok(const uint8_t *ip)
{
	return csum_fold(csum_partial(ip, 20, 0)) == 0xffff;
}

Test(scrub, no_df_clears_df_only)
{
	uint8_t ip[20];

	ip4_hdr(ip, 0, 0x1234, 0x4000, 64);
	cr_assert_eq(scrub_ip4(ip, SCRUB_NODF, 0, 0, 0), SCRUB_DID_DF);
	cr_assert_eq(ether_get16(ip + 6), 0);
	cr_assert_eq(ether_get16(ip + 4), 0x1234);
	cr_assert(ip4_csum_ok(ip));
	/* nothing to clear: nothing done */
	cr_assert_eq(scrub_ip4(ip, SCRUB_NODF, 0, 0, 0), 0);
}

Test(scrub, min_ttl_raises_never_lowers)
{
	uint8_t ip[20];

	ip4_hdr(ip, 0, 1, 0, 3);
	cr_assert_eq(scrub_ip4(ip, 0, 64, 0, 0), SCRUB_DID_TTL);
	cr_assert_eq(ip[8], 64);
	cr_assert(ip4_csum_ok(ip));
	ip4_hdr(ip, 0, 1, 0, 200);
	cr_assert_eq(scrub_ip4(ip, 0, 64, 0, 0), 0);
	cr_assert_eq(ip[8], 200);
}

Test(scrub, set_tos_keeps_the_ecn_bits)
{
	uint8_t ip[20];

	ip4_hdr(ip, 0x03, 1, 0, 64);		/* CE */
	cr_assert_eq(scrub_ip4(ip, SCRUB_SETTOS, 0, 0x10, 0), SCRUB_DID_TOS);
	cr_assert_eq(ip[1], 0x13);
	cr_assert(ip4_csum_ok(ip));
	cr_assert_eq(scrub_ip4(ip, SCRUB_SETTOS, 0, 0x10, 0), 0);
}

Test(scrub, random_id_whole_datagrams_only)
{
	uint8_t ip[20];

	ip4_hdr(ip, 0, 0x1234, 0, 64);
	cr_assert_eq(scrub_ip4(ip, SCRUB_RANDOMID, 0, 0, 0xbeef),
	    SCRUB_DID_ID);
	cr_assert_eq(ether_get16(ip + 4), 0xbeef);
	cr_assert(ip4_csum_ok(ip));
	/* a first fragment (MF) and a later one keep their shared id */
	ip4_hdr(ip, 0, 0x1234, 0x2000, 64);
	cr_assert_eq(scrub_ip4(ip, SCRUB_RANDOMID, 0, 0, 0xbeef), 0);
	ip4_hdr(ip, 0, 0x1234, 0x00b9, 64);
	cr_assert_eq(scrub_ip4(ip, SCRUB_RANDOMID, 0, 0, 0xbeef), 0);
	cr_assert_eq(ether_get16(ip + 4), 0x1234);
	/* DF alone is no fragment: and no-df first, as pf_scrub() does */
	ip4_hdr(ip, 0, 0x1234, 0x4000, 64);
	cr_assert_eq(scrub_ip4(ip, SCRUB_NODF | SCRUB_RANDOMID, 0, 0, 7),
	    SCRUB_DID_DF | SCRUB_DID_ID);
	cr_assert_eq(ether_get16(ip + 4), 7);
	cr_assert(ip4_csum_ok(ip));
}

Test(scrub, everything_at_once_checksum)
{
	uint8_t ip[20];

	ip4_hdr(ip, 0xfe, 0xffff, 0x4000, 1);
	cr_assert_eq(scrub_ip4(ip, SCRUB_NODF | SCRUB_RANDOMID | SCRUB_SETTOS,
	    255, 0x00, 0x0001), SCRUB_DID_DF | SCRUB_DID_TTL | SCRUB_DID_TOS |
	    SCRUB_DID_ID);
	cr_assert_eq(ip[1], 0x02);
	cr_assert_eq(ip[8], 255);
	cr_assert(ip4_csum_ok(ip));
}

Test(scrub, ipv6_hop_limit_and_class)
{
	uint8_t ip6[40];

	memset(ip6, 0, sizeof(ip6));
	ip_put32(ip6, 0x6ab12345);		/* class 0xab, flow 0x12345 */
	ip6[7] = 2;
	cr_assert_eq(scrub_ip6(ip6, SCRUB_SETTOS, 64, 0x48),
	    SCRUB_DID_TTL | SCRUB_DID_TOS);
	cr_assert_eq(ip6[7], 64);
	/* DSCP replaced, ECN (the class's low two bits) and flow kept */
	cr_assert_eq(ip_get32(ip6), 0x64b12345, "%#x", ip_get32(ip6));
	cr_assert_eq(scrub_ip6(ip6, SCRUB_SETTOS, 64, 0x48), 0);
}

/* A TCP header with options opts (padded) and a right checksum. */
static size_t
tcp_hdr(uint8_t *t, const uint8_t *opts, size_t olen)
{
	size_t hl = 20 + (olen + 3) / 4 * 4;

	memset(t, 0, 60);
	ether_put16(t, 40000);
	ether_put16(t + 2, 80);
	ip_put32(t + 4, 1000);
	t[12] = (uint8_t)(hl / 4 << 4);
	t[13] = 0x02;
	ether_put16(t + 14, 65535);
	memcpy(t + 20, opts, olen);
	ether_put16(t + 16, (uint16_t)~csum_fold(csum_partial(t, hl, 0)));
	return hl;
}

static int
tcp_csum_ok(const uint8_t *t, size_t hl)
{
	return csum_fold(csum_partial(t, hl, 0)) == 0xffff;
}

Test(scrub, mss_lowered_at_even_and_odd_offsets)
{
	static const uint8_t even[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t odd[] = { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 };
	uint8_t t[60];
	size_t hl;

	hl = tcp_hdr(t, even, sizeof(even));
	cr_assert_eq(scrub_mss(t, hl, 1440, 0), 1460);
	cr_assert_eq(ether_get16(t + 22), 1440);
	cr_assert(tcp_csum_ok(t, hl));
	hl = tcp_hdr(t, odd, sizeof(odd));
	cr_assert_eq(scrub_mss(t, hl, 1300, 0), 1460);
	cr_assert_eq(ether_get16(t + 23), 1300);
	cr_assert(tcp_csum_ok(t, hl), "odd offset: checksum wrong");
}

Test(scrub, mss_below_the_limit_untouched)
{
	static const uint8_t o[] = { 2, 4, 0x04, 0x00 };
	uint8_t t[60], before[60];
	size_t hl = tcp_hdr(t, o, sizeof(o));

	memcpy(before, t, sizeof(t));
	cr_assert_eq(scrub_mss(t, hl, 1440, 0), 0);
	cr_assert_eq(memcmp(t, before, sizeof(t)), 0);
}

Test(scrub, mss_partial_checksum_left_to_the_offload)
{
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4 };
	uint8_t t[60];
	size_t hl = tcp_hdr(t, o, sizeof(o));
	uint16_t c = ether_get16(t + 16);

	cr_assert_eq(scrub_mss(t, hl, 1400, 1), 1460);
	cr_assert_eq(ether_get16(t + 22), 1400);
	cr_assert_eq(ether_get16(t + 16), c);
}

Test(scrub, mss_every_option_and_malformed_lists)
{
	/* two MSS options (pf_normalize_mss() lowers both) */
	static const uint8_t two[] = { 2, 4, 0x05, 0xb4, 2, 4, 0x23, 0x28 };
	/* a length of 0 ends the walk before the MSS after it */
	static const uint8_t zero[] = { 8, 0, 2, 4, 0x05, 0xb4 };
	/* an option running past the header */
	static const uint8_t past[] = { 1, 1, 1, 2, 8 };
	/* end of options: nothing after it counts */
	static const uint8_t eol[] = { 0, 0, 0, 0, 2, 4, 0x05, 0xb4 };
	uint8_t t[60];
	size_t hl;

	hl = tcp_hdr(t, two, sizeof(two));
	cr_assert_eq(scrub_mss(t, hl, 1000, 0), 1460);
	cr_assert_eq(ether_get16(t + 22), 1000);
	cr_assert_eq(ether_get16(t + 26), 1000);
	cr_assert(tcp_csum_ok(t, hl));
	hl = tcp_hdr(t, zero, sizeof(zero));
	cr_assert_eq(scrub_mss(t, hl, 1000, 0), 0);
	hl = tcp_hdr(t, past, sizeof(past));
	cr_assert_eq(scrub_mss(t, hl, 1000, 0), 0);
	hl = tcp_hdr(t, eol, sizeof(eol));
	cr_assert_eq(scrub_mss(t, hl, 1000, 0), 0);
	/* a header longer than the frame holds, or shorter than 20 */
	hl = tcp_hdr(t, two, sizeof(two));
	cr_assert_eq(scrub_mss(t, hl - 1, 1000, 0), 0);
	t[12] = 4 << 4;
	cr_assert_eq(scrub_mss(t, hl, 1000, 0), 0);
}

/* pf_get_wscale(): the shift with its flag, capped at 14; none, or a
 * malformed list, is 0. */
Test(scrub, tcp_window_scale_option)
{
	static const uint8_t ws7[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
	static const uint8_t ws20[] = { 1, 3, 3, 20 };
	static const uint8_t none[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t bad[] = { 2, 1, 3, 3, 7, 0, 0, 0 };
	static const uint8_t after_end[] = { 0, 3, 3, 7 };
	uint8_t t[60];
	size_t hl;

	hl = tcp_hdr(t, ws7, sizeof(ws7));
	cr_expect_eq(tcp_wscale(t, hl), TCP_WSCALE_FLAG | 7);
	cr_expect_eq(tcp_wscale(t, hl - 1), 0, "the header does not fit");
	hl = tcp_hdr(t, ws20, sizeof(ws20));
	cr_expect_eq(tcp_wscale(t, hl), TCP_WSCALE_FLAG | 14);
	hl = tcp_hdr(t, none, sizeof(none));
	cr_expect_eq(tcp_wscale(t, hl), 0);
	hl = tcp_hdr(t, bad, sizeof(bad));
	cr_expect_eq(tcp_wscale(t, hl), 0, "a length below 2 ends the walk");
	hl = tcp_hdr(t, after_end, sizeof(after_end));
	cr_expect_eq(tcp_wscale(t, hl), 0, "nothing after end of options");
}

/* A TCP header with OPTS (N bytes, a multiple of 4) and a right
 * checksum over it alone (no pseudo header: the sum only needs to hold). */
static size_t
tcp_with(uint8_t *th, const uint8_t *opts, size_t n)
{
	memset(th, 0, 20 + n);
	th[12] = (uint8_t)((20 + n) / 4 << 4);
	memcpy(th + 20, opts, n);
	ether_put16(th + 16, (uint16_t)~csum_fold(csum_partial(th, 20 + n, 0)));
	return 20 + n;
}

/*
 * pf_modulate_sack(): each SACK block's edges lose the offset, wrapping,
 * at an even and at an odd offset, with the checksum following; a
 * partial checksum is left as it is.
 */
Test(scrub, sack_blocks_unmodulated)
{
	static const uint8_t even[] = { 1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20,
	    0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 5 };
	static const uint8_t odd[] = { 1, 5, 10, 0x80, 0, 0, 0, 0x80, 0, 1, 0,
	    0 };
	uint8_t th[64];
	size_t len;
	uint16_t sum;

	len = tcp_with(th, even, sizeof(even));
	cr_expect_eq(tcp_sack_unmod(th, len, 16, 0), 2);
	cr_expect_eq(ip_get32(th + 24), (uint32_t)(10 - 16));
	cr_expect_eq(ip_get32(th + 28), 4);
	cr_expect_eq(ip_get32(th + 32), 0xffffffe0u);
	cr_expect_eq(ip_get32(th + 36), (uint32_t)(5 - 16));
	cr_expect_eq(csum_fold(csum_partial(th, len, 0)), 0xffff);
	len = tcp_with(th, odd, sizeof(odd));
	cr_expect_eq(tcp_sack_unmod(th, len, 0x01020304, 0), 1);
	cr_expect_eq(ip_get32(th + 23), 0x80000000u - 0x01020304);
	cr_expect_eq(csum_fold(csum_partial(th, len, 0)), 0xffff);
	len = tcp_with(th, even, sizeof(even));
	sum = ether_get16(th + 16);
	cr_expect_eq(tcp_sack_unmod(th, len, 16, 1), 2);
	cr_expect_eq(ether_get16(th + 16), sum, "a partial sum: untouched");
	/* a SACK option longer than the header: not read */
	len = tcp_with(th, (const uint8_t *)"\x01\x01\x05\x20", 4);
	cr_expect_eq(tcp_sack_unmod(th, len, 16, 0), 0);
}

/*
 * SipHash-2-4 against the paper's own example (appendix A): key 00..0f,
 * the 15 bytes 00..0e give a129ca6149be45e5; and the reference's
 * vectors.h for the empty message and for 00..07.
 */
Test(siphash, paper_vector)
{
	uint64_t key[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint8_t m[64];
	int i;

	for (i = 0; i < 64; i++)
		m[i] = (uint8_t)i;
	cr_expect_eq(siphash24(key, m, 15), 0xa129ca6149be45e5ULL);
	cr_expect_eq(siphash24(key, m, 0), 0x726fdb47dd0e0e31ULL);
	cr_expect_eq(siphash24(key, m, 8), 0x93f5f5799a932462ULL);
	cr_expect_neq(siphash24(key, m, 7), siphash24(key, m, 8));
}
