/* See nd6.h. */
#include <string.h>

#include <xxhash.h>

#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/nd6.h"

#define ND6_MASK	(ND6_SLOTS - 1)

static uint32_t
nd6_slot(uint16_t rif, const uint8_t *ip)
{
	return (uint32_t)XXH3_64bits_withSeed(ip, 16, rif) & ND6_MASK;
}

/* The entry for (rif, ip) if there is one, whatever its state. */
struct nd6_entry *
nd6_lookup(struct nd6_table *t, uint16_t rif, const uint8_t *ip)
{
	uint32_t i = nd6_slot(rif, ip);
	struct nd6_entry *e;

	/* Never every slot live (ND6_MAX), so a free one ends the probe. */
	for (;; i = (i + 1) & ND6_MASK) {
		e = &t->e[i];
		if (e->state == ND6_FREE)
			return NULL;
		if (e->rif == rif && memcmp(e->ip, ip, 16) == 0)
			return e;
	}
}

/*
 * A new entry for (rif, ip), which must not be in the table, INCOMPLETE
 * with nothing asked yet; NULL if ND6_MAX entries live.
 */
struct nd6_entry *
nd6_insert(struct nd6_table *t, uint16_t rif, const uint8_t *ip)
{
	uint32_t i = nd6_slot(rif, ip);
	struct nd6_entry *e;

	if (t->count >= ND6_MAX)
		return NULL;
	while (t->e[i].state != ND6_FREE)
		i = (i + 1) & ND6_MASK;
	e = &t->e[i];
	memset(e, 0, sizeof(*e));
	memcpy(e->ip, ip, 16);
	e->rif = rif;
	e->state = ND6_INCOMPLETE;
	t->count++;
	return e;
}

/* Delete e (its queue must be empty): arp_delete()'s backward shift. */
void
nd6_delete(struct nd6_table *t, struct nd6_entry *e)
{
	uint32_t hole = (uint32_t)(e - t->e), j, home;

	for (j = (hole + 1) & ND6_MASK; t->e[j].state != ND6_FREE;
	    j = (j + 1) & ND6_MASK) {
		home = nd6_slot(t->e[j].rif, t->e[j].ip);
		if (((j - home) & ND6_MASK) >= ((j - hole) & ND6_MASK)) {
			t->e[hole] = t->e[j];
			hole = j;
		}
	}
	memset(&t->e[hole], 0, sizeof(t->e[hole]));
	t->count--;
}

/* fe80::/64 with the modified EUI-64 of mac (RFC 4291 2.5.1, App. A). */
void
in6_linklocal(uint8_t *a, const uint8_t *mac)
{
	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	a[8] = mac[0] ^ 0x02;
	a[9] = mac[1];
	a[10] = mac[2];
	a[11] = 0xff;
	a[12] = 0xfe;
	a[13] = mac[3];
	a[14] = mac[4];
	a[15] = mac[5];
}

/* The solicited-node multicast address of a: ff02::1:ffXX:XXXX. */
void
in6_solicited(uint8_t *m, const uint8_t *a)
{
	memset(m, 0, 16);
	m[0] = 0xff;
	m[1] = 0x02;
	m[11] = 0x01;
	m[12] = 0xff;
	m[13] = a[13];
	m[14] = a[14];
	m[15] = a[15];
}

/* The Ethernet group of an IPv6 multicast address (RFC 2464 7). */
void
in6_mcast_mac(uint8_t *mac, const uint8_t *a)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, a + 12, 4);
}

int
in6_prefix_eq(const uint8_t *a, const uint8_t *b, uint8_t plen)
{
	uint8_t n = plen / 8, r = plen % 8;

	if (memcmp(a, b, n) != 0)
		return 0;
	return r == 0 || ((a[n] ^ b[n]) & (uint8_t)(0xff00 >> r)) == 0;
}

/* Clear the bits of a past plen. */
void
in6_mask(uint8_t *a, uint8_t plen)
{
	uint8_t n = plen / 8, r = plen % 8;

	if (n >= 16)
		return;
	a[n] &= (uint8_t)(0xff00 >> r);
	memset(a + n + 1, 0, 15 - n);
}

/*
 * The ICMPv6 checksum of the packet at ip6 (len bytes: the 40-byte header
 * and the message right after it), over the pseudo-header of RFC 8200
 * 8.1.  With the checksum field zero: the value to put there; with it
 * filled in: 0 when it is right.
 */
uint16_t
icmp6_csum(const uint8_t *ip6, uint32_t len)
{
	uint32_t s = csum_partial(ip6 + 8, 32, 0);

	s = csum_partial(ip6 + 40, len - 40, s + (len - 40) + 58);
	return (uint16_t)~csum_fold(s);
}

/*
 * Check an ND message (IPv6 header at ip6, len bytes of it in the frame)
 * as RFC 4861 7.1.1 and 7.1.2 say a node must before it believes one:
 * hop limit 255 (only a neighbour can send it), checksum, code 0, length,
 * a target that is not multicast, every option with a non-zero length
 * inside the message, no source link-layer option from the unspecified
 * address, no solicited advertisement to a multicast address.
 */
enum nd6_err
nd6_parse(const uint8_t *ip6, uint32_t len, struct nd6_msg *m)
{
	const uint8_t *icmp = ip6 + 40;
	uint32_t plen, off, olen;
	uint8_t want;

	memset(m, 0, sizeof(*m));
	if (len < 40 || ip6[6] != 58)
		return ND6_ERR_MALFORMED;
	plen = ether_get16(ip6 + 4);
	if (40 + plen > len || plen < 24)
		return ND6_ERR_MALFORMED;
	if (ip6[7] != 255)
		return ND6_ERR_HLIM;
	if (icmp6_csum(ip6, 40 + plen) != 0)
		return ND6_ERR_CSUM;
	m->type = icmp[0];
	if ((m->type != ND_NEIGHBOR_SOLICIT && m->type != ND_NEIGHBOR_ADVERT) ||
	    icmp[1] != 0)
		return ND6_ERR_MALFORMED;
	memcpy(m->src, ip6 + 8, 16);
	memcpy(m->dst, ip6 + 24, 16);
	memcpy(m->target, icmp + 8, 16);
	if (in6_is_multicast(m->target))
		return ND6_ERR_MALFORMED;
	if (m->type == ND_NEIGHBOR_ADVERT) {
		m->flags = icmp[4] & (ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED |
		    ND_NA_FLAG_OVERRIDE);
		if ((m->flags & ND_NA_FLAG_SOLICITED) &&
		    in6_is_multicast(m->dst))
			return ND6_ERR_MALFORMED;
		want = ND_OPT_TARGET_LINKADDR;
	} else {
		if (in6_is_unspecified(m->src) &&
		    !(m->dst[0] == 0xff && m->dst[1] == 0x02 &&
		    m->dst[11] == 1 && m->dst[12] == 0xff))
			return ND6_ERR_MALFORMED;  /* DAD: to solicited-node */
		want = ND_OPT_SOURCE_LINKADDR;
	}
	for (off = 24; off + 2 <= plen; off += olen) {
		olen = icmp[off + 1] * 8u;
		if (olen == 0 || off + olen > plen)
			return ND6_ERR_MALFORMED;
		if (icmp[off] == want && !m->has_lla) {
			if (olen < 8)
				return ND6_ERR_MALFORMED;
			memcpy(m->lla, icmp + off + 2, 6);
			m->has_lla = 1;
		}
	}
	if (off != plen)
		return ND6_ERR_MALFORMED;	/* a stray byte after the options */
	if (m->type == ND_NEIGHBOR_SOLICIT && m->has_lla &&
	    in6_is_unspecified(m->src))
		return ND6_ERR_MALFORMED;
	return ND6_OK;
}

/* Ethernet and IPv6 headers of an ND message of plen bytes (zeroed). */
uint8_t *
nd6_headers(uint8_t *f, const uint8_t *dmac, const uint8_t *smac,
    const uint8_t *src, const uint8_t *dst, uint32_t plen)
{
	uint8_t *ip6 = f + ETHER_HDR_LEN;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	ether_put16(f + 12, ETHERTYPE_IPV6);
	memset(ip6, 0, 40 + plen);
	ip6[0] = 0x60;
	ether_put16(ip6 + 4, (uint16_t)plen);
	ip6[6] = 58;
	ip6[7] = 255;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
	return ip6;
}

/*
 * A Neighbor Solicitation for target from (smac, src).  dst NULL: to the
 * target's solicited-node group (resolution); else unicast to dst at
 * dmac (a probe of a stale entry).  The source link-layer option goes
 * with it unless src is unspecified (RFC 4861 4.3).  Returns the length.
 */
uint32_t
nd6_ns_build(uint8_t *f, const uint8_t *smac, const uint8_t *src,
    const uint8_t *target, const uint8_t *dmac, const uint8_t *dst)
{
	uint8_t mdst[16], mmac[6], *ip6, *icmp;
	uint32_t plen = in6_is_unspecified(src) ? 24 : 32;

	if (dst == NULL) {
		in6_solicited(mdst, target);
		in6_mcast_mac(mmac, mdst);
		dst = mdst;
		dmac = mmac;
	}
	ip6 = nd6_headers(f, dmac, smac, src, dst, plen);
	icmp = ip6 + 40;
	icmp[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(icmp + 8, target, 16);
	if (plen == 32) {
		icmp[24] = ND_OPT_SOURCE_LINKADDR;
		icmp[25] = 1;
		memcpy(icmp + 26, smac, 6);
	}
	ether_put16(icmp + 2, icmp6_csum(ip6, 40 + plen));
	return ETHER_HDR_LEN + 40 + plen;
}

/*
 * A Neighbor Advertisement for target (ours) from (smac, src) to (dmac,
 * dst), with FLAGS and our target link-layer option.
 */
uint32_t
nd6_na_build(uint8_t *f, const uint8_t *smac, const uint8_t *dmac,
    const uint8_t *src, const uint8_t *dst, const uint8_t *target,
    uint8_t flags)
{
	uint8_t *ip6 = nd6_headers(f, dmac, smac, src, dst, 32), *icmp;

	icmp = ip6 + 40;
	icmp[0] = ND_NEIGHBOR_ADVERT;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_TARGET_LINKADDR;
	icmp[25] = 1;
	memcpy(icmp + 26, smac, 6);
	ether_put16(icmp + 2, icmp6_csum(ip6, 40 + 32));
	return ETHER_HDR_LEN + 40 + 32;
}

/*
 * Write into out (room bytes) an Ethernet frame carrying an ICMPv6 error
 * about the IPv6 packet at orig (len bytes from its header), from src.
 * RFC 4443 2.4(c): as much of the packet as fits without the error
 * exceeding the minimum MTU.  PARAM is the MTU of a packet too big, the
 * pointer of a parameter problem.  MACs are left zero.  Returns the frame
 * length, or 0 if it does not fit.
 */
uint32_t
icmp6_error_build(uint8_t *out, uint32_t room, const uint8_t *orig,
    uint32_t len, uint8_t type, uint8_t code, const uint8_t *src,
    uint32_t param)
{
	uint32_t quote = len, total;
	uint8_t *ip6 = out + ETHER_HDR_LEN, *icmp = ip6 + 40;

	if (quote > IP6_MMTU - 48)
		quote = IP6_MMTU - 48;
	total = 48 + quote;
	if (ETHER_HDR_LEN + total > room || len < 40)
		return 0;
	memset(out, 0, ETHER_HDR_LEN + 48);
	ether_put16(out + 12, ETHERTYPE_IPV6);
	ip6[0] = 0x60;
	ether_put16(ip6 + 4, (uint16_t)(8 + quote));
	ip6[6] = 58;
	ip6[7] = 64;			/* ip6_defhlim */
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, orig + 8, 16);	/* back to the sender */
	icmp[0] = type;
	icmp[1] = code;
	ip_put32(icmp + 4, param);
	memcpy(icmp + 8, orig, quote);
	ether_put16(icmp + 2, icmp6_csum(ip6, total));
	return ETHER_HDR_LEN + total;
}

/*
 * A Redirect (RFC 4861 4.5, 8.2; icmp6_redirect_output()) from src, our
 * link-local address on the link, to the sender of the packet at orig
 * (len bytes, as it came in): for dst, go to target (a router's
 * link-local address, or dst itself when it is on the link).  A target
 * link-layer address option when tmac is known, then the packet, cut to
 * 8-byte units so that the whole fits the minimum MTU.  Returns the
 * frame's length (its MACs left to the caller), 0 when room is short.
 */
uint32_t
nd6_redirect_build(uint8_t *out, uint32_t room, const uint8_t *orig,
    uint32_t len, const uint8_t *src, const uint8_t *target,
    const uint8_t *dst, const uint8_t *tmac)
{
	uint8_t *ip6 = out + ETHER_HDR_LEN, *icmp = ip6 + 40, *o;
	uint32_t fixed = 40 + 40 + (tmac != NULL ? 8 : 0) + 8, quote, total;

	quote = len;
	if (fixed + quote > IP6_MMTU)
		quote = IP6_MMTU - fixed;
	quote &= ~7u;
	total = fixed + quote;
	if (ETHER_HDR_LEN + total > room || len < 40)
		return 0;
	memset(out, 0, ETHER_HDR_LEN + fixed);
	ether_put16(out + 12, ETHERTYPE_IPV6);
	ip6[0] = 0x60;
	ether_put16(ip6 + 4, (uint16_t)(total - 40));
	ip6[6] = 58;
	ip6[7] = 255;			/* ND's hop limit */
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, orig + 8, 16);
	icmp[0] = ND_REDIRECT;
	memcpy(icmp + 8, target, 16);
	memcpy(icmp + 24, dst, 16);
	o = icmp + 40;
	if (tmac != NULL) {
		o[0] = ND_OPT_TARGET_LINKADDR;
		o[1] = 1;
		memcpy(o + 2, tmac, 6);
		o += 8;
	}
	o[0] = ND_OPT_REDIRECTED_HEADER;
	o[1] = (uint8_t)(quote / 8 + 1);
	memcpy(o + 8, orig, quote);
	ether_put16(icmp + 2, icmp6_csum(ip6, total));
	return ETHER_HDR_LEN + total;
}

/*
 * Turn an echo request (IPv6 header at ip6, the ICMPv6 message right
 * after it, room bytes) to one of our addresses into its reply in place:
 * addresses swapped (the pseudo-header's sum does not change), type 128
 * -> 129 with the checksum updated incrementally.
 */
int
icmp6_echo_reply(uint8_t *ip6, uint32_t room)
{
	uint8_t t[16], *icmp = ip6 + 40;

	if (room < 48 || ip6[6] != 58 || icmp[0] != ICMP6_ECHO_REQUEST)
		return -1;
	memcpy(t, ip6 + 8, 16);
	memcpy(ip6 + 8, ip6 + 24, 16);
	memcpy(ip6 + 24, t, 16);
	ip6[7] = 64;
	icmp[0] = ICMP6_ECHO_REPLY;
	ip_csum_update16(icmp + 2, (uint16_t)(ICMP6_ECHO_REQUEST << 8 |
	    icmp[1]), (uint16_t)(ICMP6_ECHO_REPLY << 8 | icmp[1]));
	return 0;
}

/*
 * The options of an ND message (len bytes at opts): each with a length,
 * within the message, and those we read the right size (RFC 4861 4.6:
 * a link-layer address 1 unit on Ethernet, a prefix 4, an MTU 1).
 * *seen gets a bit for each type below 32.  0 if well formed.
 */
int
nd6_opts_check(const uint8_t *opts, uint32_t len, uint32_t *seen)
{
	uint32_t off;

	*seen = 0;
	for (off = 0; off < len; off += opts[off + 1] * 8u) {
		const uint8_t *o = opts + off;

		if (off + 2 > len || o[1] == 0 || off + o[1] * 8u > len)
			return -1;
		if (((o[0] == ND_OPT_SOURCE_LINKADDR ||
		    o[0] == ND_OPT_TARGET_LINKADDR || o[0] == ND_OPT_MTU) &&
		    o[1] != 1) || (o[0] == ND_OPT_PREFIX_INFO && o[1] != 4))
			return -1;
		if (o[0] < 32)
			*seen |= 1u << o[0];
	}
	return 0;
}
