/*
 * IPv6 Neighbor Discovery (RFC 4861) for the router's interfaces: what
 * fwd/arp.h is to IPv4.  A cache of (interface, IPv6 address) -> MAC with
 * the states OpenBSD's nd6.c keeps and ndp -an shows (I incomplete, R
 * reachable, S stale, D delay, P probe), a small queue of packets held
 * while a next hop resolves, and pure builders and parsers of the
 * messages (Neighbor Solicitation and Advertisement with their link-layer
 * address options), ICMPv6 checksums (RFC 4443 2.3, the pseudo-header of
 * RFC 8200 8.1) and the ICMPv6 messages a router sends.
 *
 * The timers are OpenBSD's nd6.h defaults: a confirmed neighbour is
 * REACHABLE for 30 s (REACHABLE_TIME), then STALE; a STALE entry stays
 * usable, and the first packet sent to it starts DELAY (5 s, nd6_delay)
 * and then PROBE: unicast solicitations a second apart (RETRANS_TIMER),
 * 3 of them (nd6_umaxtries), after which the entry goes.  An unknown next
 * hop is asked 3 times by multicast (nd6_mmaxtries), then its held
 * packets get address unreachable and the entry goes (nd6_llinfo_timer()).
 * A STALE entry nobody uses is deleted after a day (nd6_gctimer).
 *
 * The table is the ARP cache's design: open addressing with linear probing
 * and backward-shift deletion, at most ND6_MAX entries in twice as many
 * slots.  Our own addresses are not in it; the router answers for them.
 */
#ifndef FWD_ND6_H
#define FWD_ND6_H

#include <stdint.h>
#include <string.h>

#include "dataplane/pkt.h"

#define ND6_MAX		1024		/* entries */
#define ND6_SLOTS	(2 * ND6_MAX)
#define ND6_QLEN	3		/* packets held per unresolved entry */
#define ND6_REACHABLE_TIME 30		/* REACHABLE_TIME, seconds */
#define ND6_DELAY_TIME	5		/* nd6_delay */
#define ND6_MMAXTRIES	3		/* multicast solicitations */
#define ND6_UMAXTRIES	3		/* unicast probes */
#define ND6_GCTIMER	(24 * 60 * 60)	/* nd6_gctimer: a stale entry's life */

/* ICMPv6 types (RFC 4443, RFC 4861). */
#define ICMP6_DST_UNREACH	1
#define ICMP6_DST_UNREACH_NOROUTE 0
#define ICMP6_DST_UNREACH_BEYONDSCOPE 2
#define ICMP6_DST_UNREACH_ADDR	3
#define ICMP6_DST_UNREACH_NOPORT 4
#define ICMP6_PACKET_TOO_BIG	2
#define ICMP6_TIME_EXCEEDED	3
#define ICMP6_PARAM_PROB	4
#define ICMP6_ECHO_REQUEST	128
#define ICMP6_ECHO_REPLY	129
#define ND_ROUTER_SOLICIT	133
#define ND_ROUTER_ADVERT	134
#define ND_NEIGHBOR_SOLICIT	135
#define ND_NEIGHBOR_ADVERT	136
#define ND_REDIRECT		137

#define ND_NA_FLAG_ROUTER	0x80
#define ND_NA_FLAG_SOLICITED	0x40
#define ND_NA_FLAG_OVERRIDE	0x20

#define ND_OPT_SOURCE_LINKADDR	1
#define ND_OPT_TARGET_LINKADDR	2
#define ND_OPT_PREFIX_INFO	3
#define ND_OPT_REDIRECTED_HEADER 4
#define ND_OPT_MTU		5
#define ND_OPT_RDNSS		25
#define ND_OPT_DNSSL		31

#define IP6_MMTU		1280	/* the minimum MTU: an error's limit */

enum nd6_state {
	ND6_FREE,
	ND6_INCOMPLETE,		/* solicited by multicast, packets queued */
	ND6_REACHABLE,		/* confirmed, until expire */
	ND6_STALE,		/* usable, unconfirmed */
	ND6_DELAY,		/* used while stale: probe at expire */
	ND6_PROBE,		/* unicast solicitations sent */
};

struct nd6_entry {
	uint8_t		 ip[16];
	uint16_t	 rif;
	uint8_t		 mac[6];
	uint8_t		 state;		/* enum nd6_state */
	uint8_t		 tries;		/* solicitations sent in this state */
	uint8_t		 nq;
	uint8_t		 isrouter;	/* the last NA had R set */
	uint8_t		 flags;		/* ND6_F_* (ndp -s) */
	uint32_t	 expire;	/* seconds: next timer event */
	struct pkt	*q[ND6_QLEN];
};

#define ND6_F_STATIC	0x01	/* ndp -s: never ages, no NA changes it */
#define ND6_F_PROXY	0x02	/* ndp -s ... proxy: answered for */

struct nd6_table {
	struct nd6_entry e[ND6_SLOTS];
	uint32_t	 count;
};

/* An entry a packet may be sent to at once (every state but INCOMPLETE). */
static inline int
nd6_usable(const struct nd6_entry *e)
{
	return e->state >= ND6_REACHABLE;
}

struct nd6_entry *nd6_lookup(struct nd6_table *, uint16_t, const uint8_t *);
struct nd6_entry *nd6_insert(struct nd6_table *, uint16_t, const uint8_t *);
void	 nd6_delete(struct nd6_table *, struct nd6_entry *);

/* Address helpers. */
static inline int
in6_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static inline int
in6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static inline int
in6_is_unspecified(const uint8_t *a)
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

void	 in6_linklocal(uint8_t *, const uint8_t *);
void	 in6_solicited(uint8_t *, const uint8_t *);
void	 in6_mcast_mac(uint8_t *, const uint8_t *);
int	 in6_prefix_eq(const uint8_t *, const uint8_t *, uint8_t);
void	 in6_mask(uint8_t *, uint8_t);
int	 nd6_opts_check(const uint8_t *, uint32_t, uint32_t *);
uint8_t	*nd6_headers(uint8_t *, const uint8_t *, const uint8_t *,
	    const uint8_t *, const uint8_t *, uint32_t);
uint16_t icmp6_csum(const uint8_t *, uint32_t);

/* What nd6_parse() found wrong, for the router's counters. */
enum nd6_err {
	ND6_OK,
	ND6_ERR_HLIM,		/* hop limit not 255: from off link */
	ND6_ERR_CSUM,		/* ICMPv6 checksum */
	ND6_ERR_MALFORMED,	/* short, code not 0, bad target or option */
};

struct nd6_msg {
	uint8_t		 type;		/* ND_NEIGHBOR_SOLICIT or _ADVERT */
	uint8_t		 flags;		/* NA: ND_NA_FLAG_* */
	uint8_t		 src[16];
	uint8_t		 dst[16];
	uint8_t		 target[16];
	uint8_t		 has_lla;	/* a source (NS) or target (NA) option */
	uint8_t		 lla[6];
};

enum nd6_err nd6_parse(const uint8_t *, uint32_t, struct nd6_msg *);
uint32_t nd6_ns_build(uint8_t *, const uint8_t *, const uint8_t *,
	    const uint8_t *, const uint8_t *, const uint8_t *);
uint32_t nd6_na_build(uint8_t *, const uint8_t *, const uint8_t *,
	    const uint8_t *, const uint8_t *, const uint8_t *, uint8_t);
uint32_t icmp6_error_build(uint8_t *, uint32_t, const uint8_t *, uint32_t,
	    uint8_t, uint8_t, const uint8_t *, uint32_t);
int	 icmp6_echo_reply(uint8_t *, uint32_t);
uint32_t nd6_redirect_build(uint8_t *, uint32_t, const uint8_t *, uint32_t,
	    const uint8_t *, const uint8_t *, const uint8_t *,
	    const uint8_t *);

#endif /* FWD_ND6_H */
