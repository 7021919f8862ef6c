/*
 * DHCP messages (RFC 2131, options RFC 2132) as a client and a server
 * send and read them: the whole frame built (Ethernet, IPv4, UDP 68 -> 67
 * or 67 -> 68, BOOTP), and the fields and options either acts on parsed.
 * No state here: dataplane/dhcp.c is the client, dataplane/dhcpd.c the
 * server.
 */
#ifndef FWD_DHCP_H
#define FWD_DHCP_H

#include <stdint.h>

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

/* Option 53, the message type. */
enum {
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK,
	DHCPNAK, DHCPRELEASE, DHCPINFORM
};

#define BOOTREQUEST	1
#define BOOTREPLY	2
#define DHCP_FLAG_BROADCAST	0x8000

#define DHCP_MAX_DNS	4

struct dhcp_msg {
	uint8_t		 op;		/* BOOTREQUEST, BOOTREPLY */
	uint8_t		 type;		/* DHCP* */
	uint16_t	 flags;
	uint32_t	 xid;
	uint8_t		 chaddr[6];
	uint32_t	 ciaddr;	/* host order, all addresses */
	uint32_t	 yiaddr;
	uint32_t	 giaddr;	/* a relay's; 0: none */
	uint32_t	 server;	/* option 54 */
	uint32_t	 requested;	/* option 50 (requests only) */
	uint32_t	 mask;		/* option 1 */
	uint32_t	 router;	/* option 3, the first */
	uint32_t	 routers[DHCP_MAX_DNS];	/* option 3, all (replies) */
	int		 nrouters;
	uint32_t	 dns[DHCP_MAX_DNS];	/* option 6 */
	int		 ndns;
	uint32_t	 lease;		/* option 51, seconds */
	uint32_t	 t1, t2;	/* options 58, 59; 0: absent */
	char		 hostname[64];	/* option 12 (requests) */
	char		 domain[128];	/* option 15 (replies) */
	uint32_t	 ntp[DHCP_MAX_DNS];	/* option 42 (replies) */
	int		 nntp;
	uint32_t	 bcast;		/* option 28 (replies); 0: none */
	uint16_t	 mtu;		/* option 26 (replies); 0: none */
	uint32_t	 siaddr;	/* the boot server (replies) */
	char		 sname[64];	/* BOOTP sname (replies) */
	char		 file[128];	/* BOOTP file (replies) */
	/* option 82, a relay agent's information (RFC 3046): a request's,
	 * which the server's reply echoes */
	uint8_t		 rai[255];
	uint8_t		 rai_len;
	/* option 119, the domain search list (RFC 3397): DNS wire form */
	uint8_t		 search[255];
	uint8_t		 search_len;
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
 * A server's message m (op BOOTREPLY: yiaddr, ciaddr, flags, siaddr,
 * sname, file, and the options 53, 54, 51, 1, 3, 6, 15, 119, 28, 26, 42
 * that m has, and 82 last, as RFC 3046 2.2 wants it) as a frame into buf (cap at
 * least DHCP_REPLY_MAX) from MAC src / sip port 67 to dmac / dip port 68.
 * Returns its length.
 */
#define DHCP_REPLY_MAX	(14 + 20 + 8 + 548 + 2 * (2 + 255))
uint32_t dhcp_build_reply(uint8_t *, const struct dhcp_msg *,
	    const uint8_t *, uint32_t, const uint8_t *, uint32_t);

/*
 * The BOOTP message in a UDP payload (len bytes), a request or a reply
 * (m->op says which: callers check): 0 and m filled, or -1 if it is none
 * (too short, not Ethernet, no magic cookie, a broken option, no message
 * type).
 */
int	 dhcp_parse(const uint8_t *, uint32_t, struct dhcp_msg *);

#endif /* FWD_DHCP_H */
