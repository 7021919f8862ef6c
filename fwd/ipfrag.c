/*
 * IPv4 fragmentation as OpenBSD's ip_fragment() and ip_optcopy() do it
 * (sys/netinet/ip_output.c): every fragment but the last carries a
 * multiple of 8 payload bytes and MF; the id, TOS, TTL and flags other
 * than MF are the original's; the offset adds to the original's, and MF
 * stays on the last piece of a packet that was itself a fragment.  The
 * first fragment keeps all options; the others only those with the
 * "copied" bit (RFC 791), NOPs kept for alignment, padded with EOL.
 */
#include <string.h>

#include "fwd/csum.h"
#include "fwd/ip.h"

#define IPOPT_EOL	0
#define IPOPT_NOP	1
#define IPOPT_COPIED(o)	((o) & 0x80)

/*
 * ip_optcopy(): the options of the header at ip (hl bytes) that later
 * fragments carry, written at out; returns their length, a multiple of
 * 4.  Options are not checked on input (sluice has no ip_dooptions()),
 * so a malformed one ends the copy instead of panicking.
 */
static uint32_t
ip_optcopy(const uint8_t *ip, uint32_t hl, uint8_t *out)
{
	const uint8_t *cp = ip + 20;
	uint32_t cnt = hl - 20, optlen, n = 0;

	for (; cnt > 0; cnt -= optlen, cp += optlen) {
		if (cp[0] == IPOPT_EOL)
			break;
		if (cp[0] == IPOPT_NOP) {
			out[n++] = IPOPT_NOP;
			optlen = 1;
			continue;
		}
		if (cnt < 2 || cp[1] < 2 || cp[1] > cnt)
			break;
		optlen = cp[1];
		if (IPOPT_COPIED(cp[0])) {
			memcpy(out + n, cp, optlen);
			n += optlen;
		}
	}
	while (n & 3)
		out[n++] = IPOPT_EOL;
	return n;
}

/* Payload bytes per fragment through MTU, or 0 when 8 do not fit. */
uint32_t
ip_frag_len(const uint8_t *ip, uint32_t mtu)
{
	uint32_t hl = (ip[0] & 0x0fu) * 4;

	if (mtu < hl + 8)
		return 0;
	return (mtu - hl) & ~7u;
}

/*
 * Write at out the fragment of the IPv4 packet at ip that carries len
 * bytes of its payload from off (a multiple of 8; the packet's own total
 * length says whether it is the last).  Returns the fragment's length.
 */
uint32_t
ip_frag_build(uint8_t *out, const uint8_t *ip, uint32_t off, uint32_t len)
{
	uint32_t hl = (ip[0] & 0x0fu) * 4, iplen = ether_get16(ip + 2), fhl;
	uint16_t ipoff = ether_get16(ip + 6), foff;

	if (off == 0) {
		memcpy(out, ip, hl);
		fhl = hl;
	} else {
		memcpy(out, ip, 20);
		fhl = 20 + ip_optcopy(ip, hl, out + 20);
		out[0] = (uint8_t)(0x40 | fhl / 4);
	}
	foff = (uint16_t)((ipoff & ~IP_MF) + off / 8);
	if ((ipoff & IP_MF) || hl + off + len < iplen)
		foff |= IP_MF;
	ether_put16(out + 2, (uint16_t)(fhl + len));
	ether_put16(out + 6, foff);
	csum_ip_header(out, fhl);
	memcpy(out + fhl, ip + hl + off, len);
	return fhl + len;
}

/*
 * Write at out the IPv6 fragment of the datagram at ip6 (no Fragment
 * header of its own) that carries len bytes of its fragmentable part
 * from off, as ip6_fragment() makes them for pf_refragment6(): the
 * unfragmentable part (hlen bytes, the IPv6 header and the extension
 * headers that precede fragmentation) with the next header byte at
 * nhoff naming the Fragment header, which carries the byte it named
 * before, the offset, M unless this is the last piece, and id.  Returns
 * the fragment's length.
 */
uint32_t
ip6_frag_build(uint8_t *out, const uint8_t *ip6, uint32_t hlen,
    uint32_t nhoff, uint32_t id, uint32_t off, uint32_t len)
{
	uint32_t plen = 40u + ether_get16(ip6 + 4) - hlen;
	uint8_t *fh = out + hlen;

	memcpy(out, ip6, hlen);
	out[nhoff] = 44;
	fh[0] = ip6[nhoff];
	fh[1] = 0;
	ether_put16(fh + 2, (uint16_t)(off | (off + len < plen ? 1 : 0)));
	ip_put32(fh + 4, id);
	memcpy(fh + 8, ip6 + hlen + off, len);
	ether_put16(out + 4, (uint16_t)(hlen - 40 + 8 + len));
	return hlen + 8 + len;
}
