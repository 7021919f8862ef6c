/*
 * ICMP messages the router originates.  An error quotes the offending IP
 * header and the first 8 bytes after it (RFC 792), which is all a sender
 * needs to find its socket, and all pf needs to match the error to a
 * state.
 */
#include <string.h>

#include "fwd/csum.h"
#include "fwd/ip.h"

/* Header checksum good, version 4, lengths consistent. */
int
ip_header_ok(const uint8_t *ip, uint32_t room)
{
	uint32_t hl;

	if (room < 20 || (ip[0] >> 4) != 4)
		return 0;
	hl = (ip[0] & 0x0f) * 4u;
	if (hl < 20 || hl > room)
		return 0;
	return csum_fold(csum_partial(ip, hl, 0)) == 0xffff;
}

/*
 * Write into out (room bytes) an Ethernet frame carrying an ICMP error
 * about the IPv4 packet at orig (len bytes from its IP header), from our
 * address src.  arg is what the type carries in its second word: a
 * needfrag's next-hop MTU, a redirect's gateway.  MACs are left zero for
 * the sender to fill in.  Returns the frame length, or 0 if it does not
 * fit.
 */
uint32_t
icmp_error_build(uint8_t *out, uint32_t room, const uint8_t *orig,
    uint32_t len, uint8_t type, uint8_t code, uint32_t src, uint32_t arg)
{
	uint32_t ohl = (orig[0] & 0x0f) * 4u, quote = ohl + 8, total;
	uint8_t *ip = out + ETHER_HDR_LEN, *icmp = ip + 20;
	uint16_t c;

	if (quote > len)
		quote = len;
	total = 20 + 8 + quote;
	if (ETHER_HDR_LEN + total > room)
		return 0;
	memset(out, 0, ETHER_HDR_LEN + 28);
	ether_put16(out + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)total);
	ip[8] = 64;
	ip[9] = 1;
	ip_put32(ip + 12, src);
	memcpy(ip + 16, orig + 12, 4);		/* back to the sender */
	csum_ip_header(ip, 20);
	icmp[0] = type;
	icmp[1] = code;
	if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
		ether_put16(icmp + 6, (uint16_t)arg);	/* the next-hop MTU */
	else if (type == ICMP_REDIRECT)
		ip_put32(icmp + 4, arg);		/* the better gateway */
	memcpy(icmp + 8, orig, quote);
	c = ~csum_fold(csum_partial(icmp, 8 + quote, 0));
	ether_put16(icmp + 2, c);
	return ETHER_HDR_LEN + total;
}

/*
 * Turn an echo request (IP header at ip) to our address into its reply in
 * place: swap the addresses, type 8 -> 0, checksums updated incrementally.
 */
int
icmp_echo_reply(uint8_t *ip, uint32_t room, uint32_t our)
{
	uint32_t hl = (ip[0] & 0x0f) * 4u, src = ip_get32(ip + 12);
	uint8_t *icmp = ip + hl;

	if (room < hl + 8 || icmp[0] != ICMP_ECHO)
		return -1;
	ip_put32(ip + 16, src);
	ip_put32(ip + 12, our);		/* the sum of both words is unchanged */
	ip[8] = 64;
	csum_ip_header(ip, hl);
	icmp[0] = ICMP_ECHOREPLY;
	ip_csum_update16(icmp + 2, ICMP_ECHO << 8, ICMP_ECHOREPLY << 8);
	return 0;
}
