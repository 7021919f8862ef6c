/*
 * Translation (nat-to, rdr-to, binat-to): rewriting IPv4 addresses, ports
 * and ICMP query ids in place with incremental checksums, and choosing a
 * translated source port.
 *
 * Checksums: a complete L4 checksum is updated by RFC 1624 for every
 * changed word.  A partial one (CHECKSUM_PARTIAL, the kernel's offload:
 * the field holds the pseudo-header sum, not its complement) only follows
 * the pseudo-header words -- the addresses -- in the opposite sense; the
 * ports are summed by whoever completes it later.
 *
 * Batches: nat_state_prefetch() runs the first two passes of a batched
 * state lookup for a burst of frames before the pipeline looks them up
 * one by one (see nat/state.h).
 *
 * Ports: the translated key (address, port, destination, destination
 * port) must be unique, not the port alone, so a port is reused towards
 * different destinations and 16 bits are no cap on a host's flows.
 */
#ifndef NAT_NAT_H
#define NAT_NAT_H

#include <stdint.h>

#include "dataplane/pkt.h"
#include "fwd/l3.h"
#include "nat/state.h"

/* New values (network order addresses, host order ports); 0: keep. */
struct nat_rewrite {
	uint32_t	 src;
	uint32_t	 dst;
	uint16_t	 sport;
	uint16_t	 dport;
};

void	 nat_rewrite4(struct pkt *, const struct l3info *,
	    const struct nat_rewrite *);

/* The same for IPv6 (NAT66): addresses as set says, ports when not 0. */
struct nat_rewrite6 {
	uint8_t		 src[16];
	uint8_t		 dst[16];
	uint16_t	 sport;
	uint16_t	 dport;
	uint8_t		 set;
#define NAT_RW6_SRC	0x01
#define NAT_RW6_DST	0x02
};

void	 nat_rewrite6(struct pkt *, const struct l3info *,
	    const struct nat_rewrite6 *);
uint32_t nat_addr6(uint8_t *, const uint8_t *);
int	 nat_rewrite_icmp_error(struct pkt *, const struct l3info *,
	    const struct nat_rewrite *, const struct nat_rewrite *);
void	 nat_state_prefetch(const struct state_table *, struct pkt *const *,
	    int, int);
void	 nat_state_retag(const struct state_table *, struct pkt *, int);
uint16_t nat_pick_port(struct state_table *, struct state_key *, int,
	    uint16_t, uint16_t, uint32_t, uint32_t);

#endif /* NAT_NAT_H */
