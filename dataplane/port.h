/*
 * Ports: where frames enter and leave sluice.  Every kind sits behind the
 * same five operations (open is the kind's constructor; then fd to poll,
 * rx burst, tx burst, close), so the poll loop and the stages never know
 * how a port does I/O.
 *
 * Frames are queued per output port (txq) during a batch and sent in one
 * burst at its end.  A queue entry may ask for an 802.1Q tag to be pushed
 * on the way out: that is how a vlan(4) port sends through its parent
 * without copying a frame that other queues share.
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdint.h>

#include "dataplane/pkt.h"

#define PORT_NAMESIZ	16
#define PORT_TXQ_MAX	(2 * BATCH_MAX)

enum port_kind {
	PORT_TAP,	/* owned tap; kernel side is the guest's NIC */
	PORT_VPORT,	/* tap whose kernel side stays on the host */
	PORT_IF,	/* Linux interface through AF_PACKET */
	PORT_VLAN,	/* virtual: parent + VID */
	PORT_PCAP,	/* capture files in and out */
	PORT_VETHER,	/* virtual router interface (routing: not yet) */
};

/* X(enum, name, meaning) */
#define PORT_COUNTERS(X)						\
	X(RX_PACKETS,	"rx-packets",	"frames received")		\
	X(RX_BYTES,	"rx-bytes",	"bytes received")		\
	X(TX_PACKETS,	"tx-packets",	"frames sent")			\
	X(TX_BYTES,	"tx-bytes",	"bytes sent")			\
	X(DROP_RUNT,	"drop-runt",	"dropped: shorter than an Ethernet header") \
	X(DROP_OVERSIZE, "drop-oversize", "dropped: longer than the MTU allows") \
	X(DROP_TRUNCATED, "drop-truncated", "dropped: frame did not fit a buffer") \
	X(DROP_BAD_OFFLOAD, "drop-bad-offload", "dropped: offload header points outside the frame") \
	X(DROP_NOT_MEMBER, "drop-not-member", "dropped: port is in no bridge") \
	X(DROP_VLAN_UNKNOWN, "drop-vlan-unknown", "dropped: tagged with a VID no vlan port takes, parent not bridged") \
	X(PRIO_UNTAGGED, "prio-tagged",	"priority-tagged frames (VID 0) taken untagged, as vlan(4) does") \
	X(DROP_PRIO_STACKED, "drop-prio-stacked", "dropped: a priority tag (VID 0) over another tag") \
	X(DROP_LLADDR_LOCKED, "drop-lladdr-locked", "dropped: source is not the locked lladdr") \
	X(DROP_NOT_FOR_LOCKED, "drop-not-for-locked", "not sent: unicast for another address on a locked port") \
	X(DROP_NO_BUFFER, "drop-no-buffer", "dropped: packet pool empty") \
	X(DROP_GSO,	"drop-gso",	"dropped: segmentation offload where the output cannot take it") \
	X(DROP_QUEUE_FULL, "drop-queue-full", "dropped: its pf queue held qlimit packets") \
	X(DROP_QUEUE_NOBUF, "drop-queue-no-buffer", "dropped: pf queues hold all the packet buffers they may") \
	X(DROP_DELAY_FULL, "drop-delay-full", "dropped: set limit pktdelay-pkts packets (or all the buffers they may hold) wait for their set delay") \
	X(DROP_QUEUE_DELAY, "drop-queue-delay", "dropped by CoDel: its flow queue kept packets waiting over 5 ms for 100 ms") \
	X(TX_BUSY,	"tx-busy",	"not sent: transmit would block") \
	X(TX_ERROR,	"tx-error",	"not sent: transmit failed")	\
	X(TX_DOWN,	"tx-down",	"not sent: link is down")	\
	X(RX_ERROR,	"rx-error",	"receive errors")	\
	X(RX_LONG,	"rx-long",	"frames longer than a receive ring slot (GSO, jumbo), read from the socket's queue")

#define PORT_C_ENUM(e, n, d)	PORT_C_##e,
enum { PORT_COUNTERS(PORT_C_ENUM) PORT_C__MAX };
#undef PORT_C_ENUM
extern const char *const port_counter_names[PORT_C__MAX];
extern const char *const port_counter_help[PORT_C__MAX];

struct port;
struct rif;
struct dpq;

struct txent {
	struct pkt	*p;
	uint16_t	 push_tci;	/* 0: send as is */
};

struct port_ops {
	const char	*kind;
	int		(*rx)(struct port *, struct pkt **, int);
	int		(*tx)(struct port *, struct txent *, int);
	void		(*close)(struct port *);
};

struct port {
	char		 name[PORT_NAMESIZ];	/* OpenBSD name: em1, tap0 */
	char		 ifname[PORT_NAMESIZ];	/* Linux interface, if any */
	uint16_t	 index;
	uint8_t		 kind;		/* enum port_kind */
	uint8_t		 offload;	/* tx takes partial csum and GSO */
	const char	*io;		/* how it does I/O, for views */
	int		 fd;		/* -1: nothing to poll */
	const struct port_ops *ops;
	void		*priv;		/* the kind's own state */

	uint8_t		 lladdr[6];
	uint8_t		 has_lladdr;
	uint8_t		 locked;	/* vm.conf "locked lladdr" */
	int		 bridge;	/* index in dp, -1 if none */
	struct rif	*rif;		/* router interface, if it is one */
	uint32_t	 mtu;

	/* vlan(4): parent and VID; a parent finds children by VID.  The
	 * 802.1p priority of its frames: txprio and rxprio (conf.h). */
	struct port	*parent;
	uint16_t	 vid;
	int8_t		 txprio;
	int8_t		 rxprio;
	uint8_t		 llprio;	/* its own ARP and ND frames' (0-7) */
	uint16_t	 nvlans;
	struct port	*vlans[8];

	/* The VM or namespace playing the guest, for views. */
	char		 vm[64];
	char		 netns[64];
	char		 guest_ifname[PORT_NAMESIZ];

	/* pf's queues on it (pf.conf "queue ... on"), and those its
	 * frames wait in (a vlan's own or its parent's; a vether's hold
	 * what the router sends, dp_loop()); NULL: sent at the end of
	 * the batch */
	struct dpq	*queues;
	struct dpq	*outq;

	uint16_t	 ntx;
	/* ntx at which dp_output() looks closer: PORT_TXQ_MAX, or 0 when
	 * frames leaving by it or a vlan on it wait in pf queues */
	uint16_t	 txmax;
	uint8_t		 txdirty;	/* listed in dp->dirty until dp_flush() */
	uint8_t		 txprios;	/* bit N: a frame of prio N queued */
	struct txent	 txq[PORT_TXQ_MAX];
	uint64_t	 c[PORT_C__MAX];
};

/* Open by kind; each fills in ops, fd and priv.  Return 0 or an errno. */
int	 port_tap_open(struct port *, int, char *, size_t);
int	 port_afp_open(struct port *, char *, size_t);
int	 port_pcap_open(struct port *, const char *, const char *,
	    const uint64_t *, char *, size_t);
int	 port_pcap_peek(struct port *, uint64_t *);
int	 port_tap_setup(struct port *, const char *, const char *,
	    const uint8_t *, char *, size_t);

void	 port_close(struct port *);
int	 port_link_up(const char *, int);
int	 port_get_lladdr(const char *, uint8_t *);
int	 port_set_inet(const char *, uint32_t, uint8_t);
int	 port_add_inet(const char *, uint32_t, uint8_t);
const char *port_group(const struct port *);

#endif /* DP_PORT_H */
