/* See scrub.h. */
#include <string.h>

#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/scrub.h"

#define IP_DF		0x4000
#define IPTOS_ECN_MASK	0x03

/*
 * The IPv4 header at ip (its checksum kept right).  In pf_scrub()'s
 * order: no-df, min-ttl, tos (the ECN bits stay the sender's), then
 * random-id, which is for whole datagrams only, so a datagram whose DF
 * was just cleared gets one and a fragment keeps the id its other
 * fragments share.  id is the new id (the caller's random source).
 */
unsigned
scrub_ip4(uint8_t *ip, unsigned flags, uint8_t min_ttl, uint8_t tos,
    uint16_t id)
{
	uint16_t old, off = ether_get16(ip + 6);
	unsigned did = 0;

	if ((flags & SCRUB_NODF) && (off & IP_DF)) {
		ether_put16(ip + 6, off & ~IP_DF);
		ip_csum_update16(ip + 10, off, off & ~IP_DF);
		off &= ~IP_DF;
		did |= SCRUB_DID_DF;
	}
	if (min_ttl != 0 && ip[8] < min_ttl) {
		old = ether_get16(ip + 8);
		ip[8] = min_ttl;
		ip_csum_update16(ip + 10, old, ether_get16(ip + 8));
		did |= SCRUB_DID_TTL;
	}
	if ((flags & SCRUB_SETTOS) &&
	    ip[1] != (tos | (ip[1] & IPTOS_ECN_MASK))) {
		old = ether_get16(ip);
		ip[1] = (uint8_t)(tos | (ip[1] & IPTOS_ECN_MASK));
		ip_csum_update16(ip + 10, old, ether_get16(ip));
		did |= SCRUB_DID_TOS;
	}
	if ((flags & SCRUB_RANDOMID) && (off & ~IP_DF) == 0) {
		old = ether_get16(ip + 4);
		ether_put16(ip + 4, id);
		ip_csum_update16(ip + 10, old, id);
		did |= SCRUB_DID_ID;
	}
	return did;
}

/* The IPv6 header at ip6: hop limit, and the traffic class's DSCP. */
unsigned
scrub_ip6(uint8_t *ip6, unsigned flags, uint8_t min_hlim, uint8_t tos)
{
	uint32_t w = ip_get32(ip6), nw;
	unsigned did = 0;

	if (min_hlim != 0 && ip6[7] < min_hlim) {
		ip6[7] = min_hlim;
		did |= SCRUB_DID_TTL;
	}
	if (flags & SCRUB_SETTOS) {
		/* pf_scrub() replaces the class's upper six bits */
		nw = (w & ~0x0fc00000u) | (uint32_t)tos << 20;
		if (nw != w) {
			ip_put32(ip6, nw);
			did |= SCRUB_DID_TOS;
		}
	}
	return did;
}

/*
 * The next option of the TCP header at tcp (hl bytes of header): its
 * offset, or 0 at the end.  *i walks the list; end of options or a
 * malformed length ends the walk, as pf_find_tcpopt() does.
 */
static size_t
tcp_opt_next(const uint8_t *tcp, size_t hl, size_t *i)
{
	size_t at, olen;

	while (*i < hl) {
		at = *i;
		if (tcp[at] == 0)			/* end of options */
			break;
		if (tcp[at] == 1) {			/* no-op */
			(*i)++;
			continue;
		}
		if (at + 1 >= hl || (olen = tcp[at + 1]) < 2 || at + olen > hl)
			break;
		*i = at + olen;
		return at;
	}
	*i = hl;
	return 0;
}

/* The header length of the TCP header at tcp (len bytes in the frame),
 * 0 when it does not fit. */
static size_t
tcp_hl(const uint8_t *tcp, size_t len)
{
	size_t hl;

	if (len < 20 || (hl = (size_t)(tcp[12] >> 4) * 4) < 20 || hl > len)
		return 0;
	return hl;
}

/*
 * Lower every MSS option of the TCP header at tcp (len bytes of it in the
 * frame) above max_mss to max_mss, as pf_normalize_mss() does; returns
 * the first MSS lowered, 0 when none was.  A partial checksum (the
 * pseudo-header sum only, finished later over the bytes as they are then)
 * is left alone; a full one is adjusted, with the option's value at an
 * odd offset counted byte-swapped as RFC 1071 sums it.
 */
uint16_t
scrub_mss(uint8_t *tcp, size_t len, uint16_t max_mss, int partial_csum)
{
	size_t hl = tcp_hl(tcp, len), i = 20, at;
	uint16_t mss, first = 0, o, n;

	while ((at = tcp_opt_next(tcp, hl, &i)) != 0) {
		if (tcp[at] != 2 || tcp[at + 1] != 4)
			continue;
		mss = ether_get16(tcp + at + 2);
		if (mss <= max_mss)
			continue;
		ether_put16(tcp + at + 2, max_mss);
		if (!partial_csum) {
			o = mss;
			n = max_mss;
			if ((at + 2) & 1) {
				o = (uint16_t)(o << 8 | o >> 8);
				n = (uint16_t)(n << 8 | n >> 8);
			}
			ip_csum_update16(tcp + 16, o, n);
		}
		if (first == 0)
			first = mss;
	}
	return first;
}

/*
 * The last option KIND of length OLEN in the TCP header at tcp (len bytes
 * in the frame), as pf_get_wscale() and pf_get_mss() take it: its offset,
 * 0 when there is none.
 */
static size_t
tcp_opt_last(const uint8_t *tcp, size_t len, uint8_t kind, uint8_t olen)
{
	size_t hl = tcp_hl(tcp, len), i = 20, at, last = 0;

	while ((at = tcp_opt_next(tcp, hl, &i)) != 0)
		if (tcp[at] == kind && tcp[at + 1] == olen)
			last = at;
	return last;
}

/*
 * The window scale option of a SYN's TCP header at tcp (len bytes in the
 * frame), as pf_get_wscale() reads it: TCP_WSCALE_FLAG | the shift
 * (at most 14, RFC 7323), or 0 when there is none.
 */
uint8_t
tcp_wscale(const uint8_t *tcp, size_t len)
{
	size_t at = tcp_opt_last(tcp, len, 3, 3);

	if (at == 0)
		return 0;
	return TCP_WSCALE_FLAG | (tcp[at + 2] > 14 ? 14 : tcp[at + 2]);
}

/*
 * The MSS option of a SYN's TCP header at tcp (len bytes in the frame),
 * or 0 when it has none (pf_get_mss()).
 */
uint16_t
tcp_mss(const uint8_t *tcp, size_t len)
{
	size_t at = tcp_opt_last(tcp, len, 2, 4);

	return at != 0 ? ether_get16(tcp + at + 2) : 0;
}

/*
 * pf_modulate_sack(): the SACK blocks of the TCP header at tcp (len
 * bytes in the frame) acknowledge the other end's data in the numbers
 * the sender saw, which modulate state offset by diff: take it off each
 * block's edges, so that the other end reads its own numbers.  A block
 * cut short by the option's length is left alone; so is a partial
 * checksum (see scrub_mss()).  Returns the blocks changed.
 */
unsigned
tcp_sack_unmod(uint8_t *tcp, size_t len, uint32_t diff, int partial_csum)
{
	size_t hl = tcp_hl(tcp, len), i = 20, at, b, end;
	unsigned n = 0;

	while ((at = tcp_opt_next(tcp, hl, &i)) != 0) {
		if (tcp[at] != 5)
			continue;
		end = at + 2 + (size_t)(tcp[at + 1] - 2) / 8 * 8;
		for (b = at + 2; b < end; b += 4) {
			uint32_t o = ip_get32(tcp + b), v = o - diff;

			ip_put32(tcp + b, v);
			if (!partial_csum) {
				/* an edge at an odd offset sums byte-swapped */
				if (b & 1) {
					o = (o & 0xff00ff00u) >> 8 |
					    (o & 0x00ff00ffu) << 8;
					v = (v & 0xff00ff00u) >> 8 |
					    (v & 0x00ff00ffu) << 8;
				}
				ip_csum_update32(tcp + 16, o, v);
			}
		}
		n += (unsigned)(tcp[at + 1] - 2) / 8;
	}
	return n;
}

/*
 * The timestamp options (kind 8, length 10) of the TCP header at tcp (len
 * bytes of it in the frame): how many there are, and where the first
 * one's TSval is (*at; its TSecr 4 bytes on).
 */
int
tcp_ts_find(const uint8_t *tcp, size_t len, size_t *at)
{
	size_t hl = tcp_hl(tcp, len), i = 20, o;
	int n = 0;

	while ((o = tcp_opt_next(tcp, hl, &i)) != 0)
		if (tcp[o] == 8 && tcp[o + 1] == 10 && n++ == 0)
			*at = o + 2;
	return n;
}

/*
 * Write v at byte at of the TCP header at tcp, a full checksum adjusted
 * (a value at an odd offset counts byte-swapped, as in scrub_mss()).
 */
void
tcp_put32(uint8_t *tcp, size_t at, uint32_t v, int partial_csum)
{
	uint32_t o = ip_get32(tcp + at);

	ip_put32(tcp + at, v);
	if (partial_csum || o == v)
		return;
	if (at & 1) {
		o = (o & 0x00ff00ffu) << 8 | (o >> 8 & 0x00ff00ffu);
		v = (v & 0x00ff00ffu) << 8 | (v >> 8 & 0x00ff00ffu);
	}
	ip_csum_update32(tcp + 16, o, v);
}
