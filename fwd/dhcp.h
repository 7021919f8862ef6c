/*
 * DHCP messages (RFC 2131, options RFC 2132) as a client sends and reads
 * them: the whole frame built (Ethernet, IPv4, UDP 68 -> 67, BOOTP), and
 * the fields and options a client acts on parsed from a server's answer.
 * No state here: dataplane/dhcp.c is the client.
 */
#ifndef FWD_DHCP_H
#define FWD_DHCP_H

#include <stdint.h>

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

/* Option 53, the message type. */
enum {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK,
	DHCPNAK, DHCPRELEASE
};

#define DHCP_MAX_DNS	4

struct dhcp_msg {
	uint8_t		 type;		/* DHCP* */
	uint32_t	 xid;
	uint8_t		 chaddr[6];
	uint32_t	 ciaddr;	/* host order, all addresses */
	uint32_t	 yiaddr;
	uint32_t	 server;	/* option 54 */
	uint32_t	 requested;	/* option 50 (requests only) */
	uint32_t	 mask;		/* option 1 */
	uint32_t	 router;	/* option 3, the first */
	uint32_t	 dns[DHCP_MAX_DNS];	/* option 6 */
	int		 ndns;
	uint32_t	 lease;		/* option 51, seconds */
	uint32_t	 t1, t2;	/* options 58, 59; 0: absent */
};

/*
 * A client's message m as a frame into buf (cap bytes at least
 * DHCP_FRAME_MAX), from MAC src and IPv4 address sip (0 before one is
 * bound) to dmac / dip (broadcast while the client has no server to
 * talk to).  Returns its length.
 */
#define DHCP_FRAME_MAX	(14 + 20 + 8 + 300)
uint32_t dhcp_build(uint8_t *, const struct dhcp_msg *, const uint8_t *,
	    uint32_t, const uint8_t *, uint32_t);

/*
 * The BOOTP reply in a UDP payload (len bytes): 0 and m filled, or -1 if
 * it is no reply a client can use (too short, not a reply, no magic
 * cookie, a broken option, no message type).
 */
int	 dhcp_parse(const uint8_t *, uint32_t, struct dhcp_msg *);

#endif /* FWD_DHCP_H */
