/*
 * IPv4/IPv6 and transport headers, read once per packet for the filter
 * and the state table.  A frame that is not IP is no error (it is bridged
 * unfiltered); an IP packet too short or inconsistent to read is, and the
 * result names why in pf's words (pfctl -si "Counters": short, bad-offset,
 * fragment).
 */
#ifndef FWD_L3_H
#define FWD_L3_H

#include <stdint.h>
#include <string.h>

#include "fwd/ether.h"

enum l3_result {
	L3_OK,
	L3_NOT_IP,	/* ARP, LLDP, ...: not filtered */
	L3_SHORT,	/* truncated header */
	L3_BAD_OFFSET,	/* header length or total length inconsistent */
};

struct l3info {
	uint8_t		 af;		/* 4 or 6 (AF_INET/AF_INET6 by caller) */
	uint8_t		 proto;
	uint8_t		 tcp_flags;
	uint8_t		 icmp_type;
	uint8_t		 icmp_code;
	uint8_t		 frag;		/* not the first fragment */
	uint8_t		 ttl;
	uint16_t	 l3off;		/* from the frame start */
	uint16_t	 l4off;		/* 0: no transport header here */
	uint16_t	 sport;		/* host order; ICMP: id in both */
	uint16_t	 dport;
	uint32_t	 iplen;		/* IP total length */
	uint16_t	 fh6;		/* IPv6 Fragment header, from the
					 * frame start; 0: none */
	uint8_t		 src[16];	/* network order */
	uint8_t		 dst[16];
};

#define L3_IPPROTO_ICMP		1
#define L3_IPPROTO_TCP		6
#define L3_IPPROTO_UDP		17
#define L3_IPPROTO_ICMPV6	58

static inline int
l3_icmp_is_query(uint8_t af, uint8_t type)
{
	if (af == 4)
		return type == 0 || type == 8 || type == 13 || type == 14 ||
		    type == 15 || type == 16 || type == 17 || type == 18;
	return type == 128 || type == 129;
}

static inline enum l3_result
l3_transport(const uint8_t *f, uint32_t len, struct l3info *li)
{
	const uint8_t *l4 = f + li->l4off;
	uint32_t room = len - li->l4off;

	switch (li->proto) {
	case L3_IPPROTO_TCP:
		if (room < 20)
			return L3_SHORT;
		li->sport = ether_get16(l4);
		li->dport = ether_get16(l4 + 2);
		li->tcp_flags = l4[13];
		if ((l4[12] >> 4) < 5)
			return L3_BAD_OFFSET;
		break;
	case L3_IPPROTO_UDP:
		if (room < 8)
			return L3_SHORT;
		li->sport = ether_get16(l4);
		li->dport = ether_get16(l4 + 2);
		break;
	case L3_IPPROTO_ICMP:
	case L3_IPPROTO_ICMPV6:
		if (room < 8)
			return L3_SHORT;
		li->icmp_type = l4[0];
		li->icmp_code = l4[1];
		/* Queries are tracked by id, as pf does. */
		if (l3_icmp_is_query(li->af, l4[0]))
			li->sport = li->dport = ether_get16(l4 + 4);
		break;
	default:
		break;
	}
	return L3_OK;
}

/* Read the IP header of an Ethernet frame (any tags skipped). */
static inline enum l3_result
l3_parse(const uint8_t *f, uint32_t len, struct l3info *li)
{
	uint32_t off;
	uint16_t type;

	memset(li, 0, sizeof(*li));
	if (len < ETHER_HDR_LEN)
		return L3_NOT_IP;
	type = ether_type(f, len, &off);
	li->l3off = (uint16_t)off;
	if (type == ETHERTYPE_IP) {
		const uint8_t *ip = f + off;
		uint32_t hl, fragoff;

		if (len < off + 20)
			return L3_SHORT;
		if ((ip[0] >> 4) != 4)
			return L3_BAD_OFFSET;
		hl = (uint32_t)(ip[0] & 0x0f) * 4;
		li->iplen = ether_get16(ip + 2);
		if (hl < 20 || li->iplen < hl || len < off + hl)
			return L3_BAD_OFFSET;
		/* Offloaded super-frames carry total length 0 or the first
		 * segment's: only insist the header itself fits. */
		li->af = 4;
		li->proto = ip[9];
		li->ttl = ip[8];
		memcpy(li->src, ip + 12, 4);
		memcpy(li->dst, ip + 16, 4);
		fragoff = ether_get16(ip + 6) & 0x1fff;
		if (fragoff != 0) {
			li->frag = 1;
			return L3_OK;
		}
		li->l4off = (uint16_t)(off + hl);
		return l3_transport(f, len, li);
	}
	if (type == ETHERTYPE_IPV6) {
		const uint8_t *ip = f + off;
		uint8_t nh;
		uint32_t p;

		if (len < off + 40)
			return L3_SHORT;
		if ((ip[0] >> 4) != 6)
			return L3_BAD_OFFSET;
		li->af = 6;
		li->iplen = 40u + ether_get16(ip + 4);
		li->ttl = ip[7];
		memcpy(li->src, ip + 8, 16);
		memcpy(li->dst, ip + 24, 16);
		nh = ip[6];
		p = off + 40;
		/* Walk the usual extension headers to the transport. */
		for (;;) {
			if (nh == 0 || nh == 43 || nh == 60) {
				if (len < p + 8)
					return L3_SHORT;
				nh = f[p];
				p += 8u + f[p + 1] * 8u;
			} else if (nh == 51) {		/* AH: 4-byte units */
				if (len < p + 8)
					return L3_SHORT;
				nh = f[p];
				p += (f[p + 1] + 2u) * 4u;
			} else if (nh == 44) {
				if (len < p + 8)
					return L3_SHORT;
				if (li->fh6 == 0)	/* a second is pf's */
					li->fh6 = (uint16_t)p;
				if (ether_get16(f + p + 2) & 0xfff8) {
					li->proto = f[p];
					li->frag = 1;
					return L3_OK;
				}
				nh = f[p];
				p += 8;
			} else
				break;
		}
		li->proto = nh;
		if (len < p)
			return L3_SHORT;
		li->l4off = (uint16_t)p;
		return l3_transport(f, len, li);
	}
	return L3_NOT_IP;
}

#endif /* FWD_L3_H */
