/*
 * ARP (RFC 826) for the router's interfaces: a cache of (interface, IPv4)
 * -> MAC with the states OpenBSD's arp shows (incomplete, resolved with an
 * expiry, permanent for our own addresses), a small queue of packets held
 * while a next hop resolves, and builders for requests and replies.
 *
 * The cache is open addressing keyed by (interface, address); entries are
 * never removed, only reused (an expired entry keeps its slot until the
 * same key comes back), so probe chains stay whole without deletion.
 */
#ifndef FWD_ARP_H
#define FWD_ARP_H

#include <stdint.h>

#include "dataplane/pkt.h"

#define ARP_SLOTS	4096
#define ARP_QLEN	3		/* packets held per unresolved entry */
#define ARP_KEEP	(20 * 60)	/* arpt_keep: 20 minutes */
#define ARP_RETRIES	5		/* requests before giving up */

enum arp_state {
	ARP_FREE,
	ARP_INCOMPLETE,		/* request sent, packets may be queued */
	ARP_RESOLVED,		/* until expire */
	ARP_PERMANENT,		/* our own address */
	ARP_DEAD,		/* expired or given up; slot kept for its key */
};

struct arp_entry {
	uint32_t	 ip;		/* host order */
	uint16_t	 rif;
	uint8_t		 mac[6];
	uint8_t		 state;		/* enum arp_state */
	uint8_t		 tries;
	uint8_t		 nq;
	uint32_t	 expire;	/* RESOLVED: until; INCOMPLETE: next try */
	struct pkt	*q[ARP_QLEN];
};

struct arp_table {
	struct arp_entry e[ARP_SLOTS];
	uint32_t	 count;
};

struct arp_entry *arp_lookup(struct arp_table *, uint16_t, uint32_t);
struct arp_entry *arp_get(struct arp_table *, uint16_t, uint32_t);

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
