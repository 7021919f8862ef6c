/*
 * The DHCP client of a routed port whose hostname.IF says `dhcp' (or
 * `inet autoconf'), as OpenBSD's dhcpleased(8) is for it: RFC 2131's
 * INIT -> SELECTING -> REQUESTING -> BOUND -> RENEWING -> REBINDING, the
 * lease's address and mask put on the interface, its router as the
 * default route unless mygate or a static one holds it, and all of it
 * taken back when the lease ends.
 *
 * Like dhcpleased, which talks through bpf(4), the client's messages pass
 * beside pf: a `block all' does not starve the uplink of its address.
 * The clock is the dataplane's (seconds), ticked once a second; retries
 * double from 4 s up to 64 s with the RFC's +-1 s, drawn from the xid so
 * that a replay is the same every time.
 */
#ifndef DP_DHCP_H
#define DP_DHCP_H

#include <stdint.h>
#include <stdio.h>

#include "fwd/dhcp.h"

struct dp;
struct pkt;
struct rif;
struct l3info;

enum dhcp_state {
	DHCP_INIT,		/* DISCOVER sent, waiting for an offer */
	DHCP_REQUESTING,	/* REQUEST for an offer sent */
	DHCP_BOUND,
	DHCP_RENEWING,		/* REQUEST to our server, after T1 */
	DHCP_REBINDING,		/* REQUEST to anyone, after T2 */
};

struct dhcp_client {
	uint8_t		 state;		/* enum dhcp_state */
	uint8_t		 route;		/* we put the default route there */
	uint8_t		 tries;		/* of this message */
	uint32_t	 xid;
	uint32_t	 next;		/* when to send again */
	uint32_t	 wait;		/* seconds to the next retry */
	struct dhcp_msg	 lease;		/* the offer, then the ACK */
	uint8_t		 server_mac[6];	/* where RENEWING sends */
	uint32_t	 bound;		/* when the lease began */
	uint32_t	 t1, t2, end;	/* absolute */
};

int	 dhcp_start(struct rif *);
int	 dhcp_input(struct dp *, struct rif *, struct pkt *,
	    const struct l3info *);
void	 dhcp_tick(struct dp *);
int	 dhcp_show(struct dp *, const char *, FILE *);

#endif /* DP_DHCP_H */
