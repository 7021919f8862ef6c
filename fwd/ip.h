/*
 * IPv4 header edits on the forwarding path, with incremental checksums
 * (RFC 1624: HC' = ~(~HC + ~m + m')) so a forwarded packet is never summed
 * again, the ICMP messages a router sends (RFC 792, RFC 1191), and
 * fragmentation (fwd/ipfrag.c).
 */
#ifndef FWD_IP_H
#define FWD_IP_H

#include <stdint.h>
#include <string.h>

#include "fwd/ether.h"

/* The one's complement fold of a sum of 16-bit words (any 32-bit sum). */
static inline uint16_t
ip_csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* A changed word's part of RFC 1624's sum: ~m + m'. */
static inline uint32_t
ip_csum_delta16(uint16_t old, uint16_t new)
{
	return (uint32_t)(uint16_t)~old + new;
}

static inline uint32_t
ip_csum_delta32(uint32_t old, uint32_t new)
{
	return ip_csum_delta16(old >> 16, new >> 16) +
	    ip_csum_delta16(old & 0xffff, new & 0xffff);
}

/*
 * RFC 1624 eqn. 3, HC' = ~(~HC + sum(~m + m')), on a 16-bit checksum
 * field stored big-endian at p; DELTA may sum several changed words (one's
 * complement addition does not care about order), so the field is
 * touched once.
 */
static inline void
ip_csum_adjust(uint8_t *p, uint32_t delta)
{
	ether_put16(p, (uint16_t)~ip_csum_fold((uint16_t)~ether_get16(p) +
	    delta));
}

/*
 * The same on words as they lie in memory (loaded and stored with memcpy,
 * whatever the host's byte order): a one's complement sum is
 * byte-order independent (RFC 1071 2(B)), so a rewrite that only moves
 * whole 16-bit words needs no byte swaps, as long as DELTA was summed
 * from words read the same way.
 */
static inline void
ip_csum_adjust_raw(uint8_t *p, uint32_t delta)
{
	uint16_t c;

	memcpy(&c, p, 2);
	c = (uint16_t)~ip_csum_fold((uint16_t)~c + delta);
	memcpy(p, &c, 2);
}

static inline void
ip_csum_update16(uint8_t *p, uint16_t old, uint16_t new)
{
	ip_csum_adjust(p, ip_csum_delta16(old, new));
}

static inline void
ip_csum_update32(uint8_t *p, uint32_t old, uint32_t new)
{
	ip_csum_update16(p, old >> 16, new >> 16);
	ip_csum_update16(p, old & 0xffff, new & 0xffff);
}

/* Decrement the TTL of the IPv4 header at ip; returns the new TTL. */
static inline uint8_t
ip_ttl_dec(uint8_t *ip)
{
	uint16_t old = ether_get16(ip + 8);

	ip[8]--;
	ip_csum_update16(ip + 10, old, ether_get16(ip + 8));
	return ip[8];
}

static inline uint32_t
ip_get32(const uint8_t *p)
{
	return (uint32_t)ether_get16(p) << 16 | ether_get16(p + 2);
}

static inline void
ip_put32(uint8_t *p, uint32_t v)
{
	ether_put16(p, v >> 16);
	ether_put16(p + 2, v & 0xffff);
}

#define ICMP_ECHOREPLY		0
#define ICMP_UNREACH		3
#define ICMP_UNREACH_NET	0
#define ICMP_UNREACH_HOST	1
#define ICMP_UNREACH_PORT	3
#define ICMP_UNREACH_NEEDFRAG	4
#define ICMP_REDIRECT		5
#define ICMP_REDIRECT_HOST	1
#define ICMP_ECHO		8
#define ICMP_TIMXCEED		11

#define IP_DF			0x4000	/* ip_off: don't fragment */
#define IP_MF			0x2000	/* ip_off: more fragments */

uint32_t icmp_error_build(uint8_t *, uint32_t, const uint8_t *, uint32_t,
	    uint8_t, uint8_t, uint32_t, uint32_t);
int	 icmp_echo_reply(uint8_t *, uint32_t, uint32_t);
int	 ip_header_ok(const uint8_t *, uint32_t);
uint32_t ip_frag_len(const uint8_t *, uint32_t);
uint32_t ip_frag_build(uint8_t *, const uint8_t *, uint32_t, uint32_t);
uint32_t ip6_frag_build(uint8_t *, const uint8_t *, uint32_t, uint32_t,
	    uint32_t, uint32_t, uint32_t);

#endif /* FWD_IP_H */
