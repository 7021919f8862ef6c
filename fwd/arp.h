/*
 * ARP (RFC 826) for the router's interfaces: a cache of (interface, IPv4)
 * -> MAC with the states OpenBSD's arp shows (incomplete, resolved with an
 * expiry, down after the next hop did not answer), a small queue of
 * packets held while a next hop resolves, and builders for requests and
 * replies.  Our own addresses are not in the cache: the router answers
 * for them from its interfaces.
 *
 * The timers are OpenBSD's (sys/netinet/if_ether.c): a resolved entry is
 * good for arpt_keep (net.inet.ip.arptimeout, 1200 s by default), a next
 * hop is asked arp_maxtries (5) times, once a second, and one that never
 * answered stays down for arpt_down (net.inet.ip.arpdown, 20 s), packets
 * to it dropped without asking again; the router keeps the two sysctls
 * (dataplane/sysctl.h).  Then, as arptimer() does with arptfree(), the
 * entry is deleted: OpenBSD's table is the routing table and has no
 * fixed size, so an entry that lingered would only cost memory; here it
 * would hold a slot.  Entries set by hand (arp -s) are ARP_F_STATIC and
 * never expire.
 *
 * The cache is open addressing with linear probing, keyed by (interface,
 * address), with backward-shift deletion (no tombstones: a probe ends at
 * the first free slot).  At most ARP_MAX entries live in twice as many
 * slots, so probe chains stay short (2.5 slots expected for a miss at
 * that load) and a full cache is a count, not a scan of every slot.
 */
#ifndef FWD_ARP_H
#define FWD_ARP_H

#include <stdint.h>

#include "dataplane/pkt.h"

#define ARP_MAX		4096		/* entries */
#define ARP_SLOTS	(2 * ARP_MAX)
#define ARP_QLEN	3		/* packets held per unresolved entry */
#define ARP_KEEP	(20 * 60)	/* net.inet.ip.arptimeout's default */
#define ARP_DOWNTIME	20		/* net.inet.ip.arpdown's default */
#define ARP_RETRIES	5		/* arp_maxtries: requests, then down */

enum arp_state {
	ARP_FREE,
	ARP_INCOMPLETE,		/* request sent, packets may be queued */
	ARP_RESOLVED,		/* until expire */
	ARP_DOWN,		/* no answer: packets dropped until expire */
};

struct arp_entry {
	uint32_t	 ip;		/* host order */
	uint16_t	 rif;
	uint8_t		 mac[6];
	uint8_t		 state;		/* enum arp_state */
	uint8_t		 tries;		/* RESOLVED: 1 once refreshed */
	uint8_t		 nq;
	uint8_t		 flags;		/* ARP_F_*: set by hand (arp -s) */
#define ARP_F_STATIC	0x01		/* never expires */
#define ARP_F_PERMANENT	0x02		/* and ARP does not change it */
#define ARP_F_PUB	0x04		/* published: arp -s ... pub */
	uint32_t	 expire;	/* RESOLVED, DOWN: until; INCOMPLETE:
					   next try */
	struct pkt	*q[ARP_QLEN];
};

struct arp_table {
	struct arp_entry e[ARP_SLOTS];
	uint32_t	 count;
};

/* An address to send to now: resolved, and static or not yet expired. */
static inline int
arp_usable(const struct arp_entry *e, uint32_t now)
{
	return e->state == ARP_RESOLVED && ((e->flags & ARP_F_STATIC) ||
	    (int32_t)(now - e->expire) < 0);
}

struct arp_entry *arp_lookup(struct arp_table *, uint16_t, uint32_t);
struct arp_entry *arp_insert(struct arp_table *, uint16_t, uint32_t);
void	 arp_delete(struct arp_table *, struct arp_entry *);

/* A 42-byte ARP frame (request if tha is NULL: broadcast). */
uint32_t arp_build(uint8_t *, int, const uint8_t *, uint32_t,
	    const uint8_t *, uint32_t);

struct arp_msg {
	uint16_t	 op;		/* 1 request, 2 reply */
	uint8_t		 sha[6];
	uint32_t	 spa;		/* host order */
	uint8_t		 tha[6];
	uint32_t	 tpa;
};

int	 arp_parse(const uint8_t *, uint32_t, struct arp_msg *);

#endif /* FWD_ARP_H */
