/*
 * The DHCP server of the router's segments, as OpenBSD's dhcpd(8) with
 * dhcpd.conf(5): a router interface serves when one of its IPv4 addresses
 * lies in a subnet declaration (what dhcpd does without interface
 * arguments).  RFC 2131's DISCOVER -> OFFER (after an ARP probe of the
 * address, struct dhcpd_probe), REQUEST -> ACK or NAK, RELEASE, DECLINE
 * and INFORM.
 *
 * Like dhcpd, which reads bpf(4), the requests pass beside pf: a `block
 * all' does not keep the segment's guests from their addresses.  Replies
 * go where RFC 2131 4.1 says (dhcpd's ack_lease()): to the client's
 * address when it has one (ciaddr: renewing, rebinding, inform), else to
 * its MAC and the offered address unless it set the broadcast flag, else
 * (and every NAK) to the link's broadcast; never through ARP, since the
 * client is on the link.  Relayed requests (giaddr set) are not served.
 *
 * With sluiced -l FILE the leases are kept in FILE as dhcpd keeps
 * /var/db/dhcpd.leases, read at start (conf_parse_leases()) and written
 * whole, through a rename, whenever one is granted, released or declined;
 * without it they live in memory only, and a client that asks for its old
 * address after a restart gets it back if it is still free in a range.
 */
#ifndef DP_DHCPD_H
#define DP_DHCPD_H

#include <stdint.h>
#include <stdio.h>

#include "fwd/dhcp.h"

struct dp;
struct pkt;
struct rif;
struct l3info;

#define DHCPD_MAX_LEASES	256
#define DHCPD_OFFER_HOLD	60	/* seconds an offer keeps its address */
#define DHCPD_DECLINE_HOLD	3600	/* ... and a declined address */
#define DHCPD_MAX_PROBES	16	/* addresses asked about at once */
#define DHCPD_PROBE_WAIT	2	/* ticks: an answer has 1-2 s to come */

enum dhcpd_lease_state {
	DHCPD_L_FREE,		/* released or expired: the MAC remembered */
	DHCPD_L_OFFERED,	/* until ends */
	DHCPD_L_ACTIVE,		/* ACKed, until ends */
	DHCPD_L_DECLINED,	/* someone else has it: unused until ends */
};

struct dhcpd_lease {
	uint32_t	 addr;		/* host order; 0: slot unused */
	uint8_t		 mac[6];
	uint8_t		 state;		/* enum dhcpd_lease_state */
	uint32_t	 starts, ends;	/* dp->now */
	char		 hostname[64];
};

/*
 * Before an address is offered, ARP asks whether anyone holds it, as
 * dhcpd pings it (a guest given it by hand, one that kept a lease this
 * server forgot): the DISCOVER waits here meanwhile.  ARP, not ICMP
 * echo: the client is on the link, and a host that drops pings still
 * answers ARP.
 */
struct dhcpd_probe {
	uint32_t	 addr;		/* host order; 0: slot unused */
	uint32_t	 until;		/* dp->now the offer goes out */
	uint8_t		 mac[6];	/* of whoever answered for addr */
	uint8_t		 answered;
	int		 rif;		/* the router interface asked on */
	struct dhcp_msg	 m;		/* the client's latest DISCOVER */
};

struct dhcpd {
	const char	*file;		/* -l, or NULL */
	int		 file_failed;	/* the last write failed (said once) */
	int		 nleases;
	struct dhcpd_lease leases[DHCPD_MAX_LEASES];
	struct dhcpd_probe probes[DHCPD_MAX_PROBES];
};

int	 dhcpd_start(struct dp *);
int	 dhcpd_input(struct dp *, struct rif *, struct pkt *,
	    const struct l3info *);
int	 dhcpd_show_leases(struct dp *, FILE *);
void	 dhcpd_arp_seen(struct dp *, uint32_t, const uint8_t *);
void	 dhcpd_tick(struct dp *);

#endif /* DP_DHCPD_H */
