/*
 * The router: IPv4 between router interfaces (rifs).  A rif is a vether
 * (a bridge member: what the bridge sends it is the router's input, and
 * what the router sends through it enters the bridge as if received from
 * it) or a routed port (an interface with addresses and no bridge, like
 * em0).  Forwarding is gated by net.inet.ip.forwarding (off by default, as
 * on OpenBSD).
 */
#ifndef DP_ROUTER_H
#define DP_ROUTER_H

#include <stdint.h>
#include <stdio.h>

#include "dataplane/conf.h"
#include "dataplane/pkt.h"
#include "dataplane/sysctl.h"
#include "fwd/arp.h"
#include "fwd/lpm.h"
#include "fwd/lpm6.h"
#include "fwd/nd6.h"

#define ROUTER_MAX_RIFS		16
#define ROUTER_MAX_ADDRS	8
#define ROUTER_ARPQ_MAX		64	/* packets held for ARP, in all */

/* Route flags as netstat prints them (RTF_*). */
#define RTF_UP		0x0001	/* U */
#define RTF_GATEWAY	0x0002	/* G */
#define RTF_HOST	0x0004	/* H */
#define RTF_STATIC	0x0800	/* S */
#define RTF_CONNECTED	0x800000 /* n */
#define RTF_CLONING	0x0100	/* C */

#define ROUTER_COUNTERS(X)						\
	X(IN,		"in",		"IPv4 packets the router received") \
	X(FORWARDED,	"forwarded",	"packets forwarded")		\
	X(LOCAL,	"local",	"packets for our own addresses")	\
	X(ECHO_REPLIES,	"echo-replies",	"ICMP echo replies sent")	\
	X(ICMP_ERRORS,	"icmp-errors",	"ICMP errors sent")		\
	X(ARP_IN,	"arp-in",	"ARP messages received")	\
	X(ARP_REPLIES,	"arp-replies",	"ARP replies sent for our addresses") \
	X(ARP_PROXY,	"arp-proxy-replies", "ARP replies sent for published addresses (arp -s ... pub)") \
	X(ARP_REQUESTS,	"arp-requests",	"ARP requests sent")		\
	X(DROP_NOT_FOR_US, "drop-not-for-us", "dropped: unicast to another MAC (promiscuous port)") \
	X(DROP_BAD_HEADER, "drop-bad-header", "dropped: IPv4 header too short, bad version or checksum") \
	X(DROP_FORWARDING_OFF, "drop-forwarding-off", "dropped: not for us and net.inet.ip.forwarding=0") \
	X(DROP_NO_ROUTE, "drop-no-route", "dropped: no route (ICMP unreachable sent)") \
	X(DROP_TTL,	"drop-ttl-exceeded", "dropped: TTL exceeded (ICMP time exceeded sent)") \
	X(DROP_NEEDFRAG, "drop-needfrag", "dropped: DF set and larger than the MTU, or a GSO frame with DF whose segments are (ICMP sent)") \
	X(FRAGMENTED,	"fragmented",	"packets larger than the outgoing MTU sent as fragments") \
	X(FRAGMENTS,	"fragments-made", "fragments sent for them") \
	X(DROP_CANTFRAG, "drop-cantfrag", "dropped: larger than the MTU and cannot be fragmented (our own with DF, or a bad length)") \
	X(GSO_RESEGMENTED, "gso-resegmented", "GSO frames without DF (TCP, UFO) given a smaller segment size to fit the MTU") \
	X(GSO_SEGMENTED, "gso-segmented", "UDP GSO frames without DF whose datagrams exceed the MTU, segmented in software (each datagram then fragmented)") \
	X(DROP_GSO_MTU,	"drop-gso-mtu",	"dropped: GSO frame without DF whose headers alone exceed the MTU, or with a bad length") \
	X(PF_ROUTED,	"pf-routed",	"packets sent where pf's route-to, reply-to said, and dup-to's copies") \
	X(DROP_PF_NOROUTE, "drop-pf-no-route", "dropped: no route to the next hop pf's route-to, reply-to or dup-to named") \
	X(DROP_PF_LOOP,	"drop-pf-route-loop", "dropped: pf routed it a fifth time (route-to rules that send it round, as pf_route() drops it)") \
	X(REROUTED,	"rerouted",	"packets whose destination pf out changed (rdr-to going out, a reply to a nat-to coming in), routed again, IPv4 and IPv6") \
	X(DROP_REROUTE_LOCAL, "drop-rerouted-local", "dropped: pf out changed the destination to an address of ours") \
	X(DROP_WRONG_IF, "drop-wrong-if", "dropped: for an address of another interface and net.inet.ip.forwarding=0") \
	X(DROP_ARP_TIMEOUT, "drop-arp-timeout", "dropped: next hop did not answer ARP") \
	X(DROP_ARP_QUEUE, "drop-arp-queue-full", "dropped: too many packets waiting for ARP") \
	X(DROP_ARP_DOWN, "drop-arp-down", "dropped: next hop did not answer ARP in the last 20 seconds") \
	X(DHCP_OUT,	"dhcp-out",	"DHCP messages the interface's client sent") \
	X(DHCP_IN,	"dhcp-in",	"DHCP answers to the interface's client") \
	X(DHCP_BOUND,	"dhcp-bound",	"DHCP leases taken or renewed") \
	X(DHCP_LOST,	"dhcp-lost",	"DHCP leases that ended (expired or NAK): address removed") \
	X(DROP_DHCP_BAD, "drop-dhcp-bad", "dropped: a DHCP answer that is broken, not for our request, or not for the client's state") \
	X(REDIRECTS,	"redirects",	"ICMP host redirects sent: forwarded out the interface it came in on (net.inet.ip.redirect)") \
	X(DHCPD_DISCOVER, "dhcpd-discover", "DHCPDISCOVERs the server (dhcpd.conf) received") \
	X(DHCPD_PROBES,	"dhcpd-probes",	"addresses the server asked ARP about before offering them (1-2 s)") \
	X(DHCPD_CONFLICTS, "dhcpd-conflicts", "addresses another host answered ARP for: abandoned for an hour, another offered") \
	X(DHCPD_RECLAIMED, "dhcpd-reclaimed", "abandoned addresses offered again: the subnet had no free one left") \
	X(DHCPD_OFFERS,	"dhcpd-offers",	"DHCPOFFERs the server sent") \
	X(DHCPD_REQUESTS, "dhcpd-requests", "DHCPREQUESTs the server received") \
	X(DHCPD_ACKS,	"dhcpd-acks",	"DHCPACKs the server sent (leases and INFORM answers)") \
	X(DHCPD_UNICAST, "dhcpd-unicast", "DHCP replies sent to a client's address or MAC, not broadcast (RFC 2131 4.1)") \
	X(DHCPD_LEASEFILE_FAIL, "dhcpd-leasefile-fail", "writes of sluiced -l's lease file that failed (the leases stay in memory)") \
	X(DHCPD_NAKS,	"dhcpd-naks",	"DHCPNAKs the server sent (a requested address not the client's)") \
	X(DHCPD_RELEASES, "dhcpd-releases", "DHCPRELEASEs that freed a lease") \
	X(DHCPD_DECLINES, "dhcpd-declines", "DHCPDECLINEs: the address set aside for an hour") \
	X(DHCPD_INFORMS, "dhcpd-informs", "DHCPINFORMs the server received") \
	X(DHCPD_RELAYED, "dhcpd-relayed", "DHCP requests a relay agent forwarded (giaddr), served from the subnet of its address") \
	X(DROP_DHCPD_RELAYED, "drop-dhcpd-relayed", "dropped: a relayed DHCP request (giaddr) from a network dhcpd.conf has no subnet for") \
	X(DROP_DHCPD_BAD, "drop-dhcpd-malformed", "dropped: a DHCP request that is broken, not a request, or of an unknown type") \
	X(DHCPD_POOL_EMPTY, "dhcpd-pool-empty", "DHCPDISCOVERs not answered: no free address in the subnet's ranges") \
	X(DROP_ARP_DELETED, "drop-arp-deleted", "dropped: waiting for ARP when its entry was deleted (arp -d)") \
	X(ARP_PERMANENT, "arp-permanent-kept", "ARP messages that would have changed a permanent entry (arp -s ... permanent): ignored") \
	X(DROP_ARP_FULL, "drop-arp-table-full", "dropped: ARP table full (4096 next hops), not resolved") \
	X(DROP_LOCAL_PROTO, "drop-local-unhandled", "dropped: for us, but no service here (UDP: port unreachable sent)") \
	X(DROP_NOT_IPV4, "drop-not-ipv4", "dropped: neither IPv4, IPv6 nor ARP at the router") \
	X(DROP_NO_BUFFER, "drop-no-buffer", "dropped: packet pool empty") \
	X(ICMP_RATELIMIT, "icmp-ratelimited", "ICMP errors not sent: over 100 per second") \
	X(IN6,		"in6",		"IPv6 packets the router received") \
	X(FORWARDED6,	"forwarded6",	"IPv6 packets forwarded")	\
	X(LOCAL6,	"local6",	"IPv6 packets for our own addresses") \
	X(ECHO_REPLIES6, "echo-replies6", "ICMPv6 echo replies sent")	\
	X(ICMP6_ERRORS,	"icmp6-errors",	"ICMPv6 errors sent")		\
	X(REDIRECTS6,	"redirects6",	"ICMPv6 redirects sent: forwarded out the interface it came in on, from a neighbour (net.inet6.ip6.redirect)") \
	X(ICMP6_RATELIMIT, "icmp6-ratelimited", "ICMPv6 errors not sent: over 100 per second") \
	X(ND_IN,	"nd-in",	"Neighbor Solicitations and Advertisements received") \
	X(ND_ADVERTS,	"nd-advertisements", "Neighbor Advertisements sent for our addresses") \
	X(ND_SOLICITS,	"nd-solicitations", "Neighbor Solicitations sent (resolution and probes)") \
	X(ND_PROXY,	"nd-proxy-adverts", "Neighbor Advertisements sent for addresses published with ndp -s ... proxy") \
	X(DROP_NO_INET6, "drop-no-inet6", "dropped: IPv6 on a router interface without an inet6 address") \
	X(DROP_BAD_HEADER6, "drop-bad-header6", "dropped: IPv6 header too short, bad version, payload beyond the frame, or a multicast source") \
	X(DROP_MCAST6,	"drop-multicast6", "dropped: IPv6 multicast other than ND (MLD, ...): not routed") \
	X(DROP_SCOPE6,	"drop-linklocal6", "dropped: link-local source or destination, never forwarded (RFC 4291 2.5.6)") \
	X(DROP_FORWARDING6_OFF, "drop-forwarding6-off", "dropped: not for us and net.inet6.ip6.forwarding=0") \
	X(DROP_WRONG_IF6, "drop-wrong-if6", "dropped: for an address of another interface and net.inet6.ip6.forwarding=0") \
	X(DROP_HLIM,	"drop-hlim-exceeded", "dropped: IPv6 hop limit exceeded (ICMPv6 time exceeded sent)") \
	X(DROP_NO_ROUTE6, "drop-no-route6", "dropped: no IPv6 route (ICMPv6 no route to destination sent)") \
	X(DROP_TOOBIG,	"drop-too-big",	"dropped: IPv6 packet or GSO segment larger than the outgoing MTU (ICMPv6 packet too big sent: routers never fragment IPv6)") \
	X(REFRAG6,	"refragmented6", "IPv6 datagrams pf reassembled, sent in fragments again no larger than the largest received (pf_refragment6())") \
	X(FRAGMENTS6,	"fragments-made6", "IPv6 fragments sent for them, or for our own") \
	X(FRAG6_OWN,	"fragmented6-own", "our own IPv6 packets larger than the MTU (an echo reply), sent in fragments as a source does") \
	X(DROP_REFRAG6,	"drop-refrag6",	"dropped: an IPv6 datagram pf reassembled whose fragment sizes no longer fit its length, or no buffer for them") \
	X(DROP_LOCAL6_PROTO, "drop-local6-unhandled", "dropped: IPv6 for us, but no service here (UDP: port unreachable sent)") \
	X(DROP_ICMP6_BAD, "drop-icmp6-bad", "dropped: ICMPv6 echo request for us too short or with a bad checksum") \
	X(DROP_ND_HLIM,	"drop-nd-hlim",	"dropped: ND message with a hop limit other than 255 (not from a neighbour)") \
	X(DROP_ND_CSUM,	"drop-nd-checksum", "dropped: ND message with a bad ICMPv6 checksum") \
	X(DROP_ND_BAD,	"drop-nd-malformed", "dropped: ND message too short, code not 0, multicast target, or a bad option") \
	X(DROP_ND_NOT_OURS, "drop-nd-not-ours", "dropped: Neighbor Solicitation for an address not ours on that interface") \
	X(DROP_ND_UNSOLICITED, "drop-nd-unsolicited", "dropped: Neighbor Advertisement for no entry we have, or without the address we asked for") \
	X(DROP_ND_UNHANDLED, "drop-nd-unhandled", "dropped: router solicitation on an interface rad.conf does not name, an advertisement from another router, or a redirect (sluice takes none)") \
	X(RA_SENT,	"ra-sent",	"router advertisements sent (rad.conf)") \
	X(RS_IN,	"rs-in",	"router solicitations answered, or to be answered when 3 s have passed since the last advertisement") \
	X(DAD_PROBES,	"dad-probes",	"duplicate address detection: solicitations sent for our new addresses") \
	X(DAD_DUPLICATES, "dad-duplicates", "our addresses another node turned out to have (no longer used: ifconfig says duplicated)") \
	X(RS_SENT,	"rs-sent",	"router solicitations sent (inet6 autoconf)") \
	X(RA_IN,	"ra-in",	"router advertisements taken (inet6 autoconf)") \
	X(SLAAC_ADDED,	"slaac-added",	"addresses configured from advertised prefixes") \
	X(SLAAC_EXPIRED, "slaac-expired", "autoconfigured addresses whose valid lifetime ran out") \
	X(DROP_RA_BAD,	"drop-ra-malformed", "dropped: router advertisement with a hop limit other than 255, a source not link-local, a bad checksum, length or option") \
	X(DROP_RS_BAD,	"drop-rs-malformed", "dropped: router solicitation with a hop limit other than 255, a bad checksum or length, code not 0, or a source link-layer option from the unspecified address") \
	X(DROP_ND_TIMEOUT, "drop-nd-timeout", "dropped: next hop did not answer Neighbor Solicitations (ICMPv6 address unreachable sent)") \
	X(DROP_ND_QUEUE, "drop-nd-queue-full", "dropped: too many packets waiting for neighbour discovery") \
	X(DROP_ND_FULL,	"drop-nd-table-full", "dropped: neighbour cache full (1024 next hops), not resolved")

#define ROUTER_C_ENUM(e, n, d)	ROUTER_C_##e,
enum { ROUTER_COUNTERS(ROUTER_C_ENUM) ROUTER_C__MAX };
#undef ROUTER_C_ENUM
extern const char *const router_counter_names[ROUTER_C__MAX];
extern const char *const router_counter_help[ROUTER_C__MAX];

struct port;
struct dp;

struct rif_addr {
	uint32_t	 addr;		/* host order */
	uint8_t		 plen;
};

/*
 * Duplicate address detection (RFC 4862 5.4), optimistic (RFC 4429): an
 * address is used at once while one solicitation asks whether another
 * node has it; an answer within a second makes it duplicated, and no
 * longer ours.
 */
#define DAD_DONE	0
#define DAD_TENTATIVE	1	/* the solicitation not sent yet */
#define DAD_PROBING	2	/* sent: an answer until dad_until */
#define DAD_DUPLICATED	3

struct rif_addr6 {
	uint8_t		 addr[16];
	uint8_t		 plen;
	uint8_t		 dad;		/* DAD_* */
	uint32_t	 dad_until;
};

struct dhcp_client;
struct dhcpd;

/*
 * rad(8) on an interface (rad.conf): what its advertisements say, and
 * when the next unsolicited one goes.
 */
struct rif_rad {
	struct conf_rad_if cf;		/* options with the globals merged */
	uint32_t	 next;		/* dp->now of the next unsolicited */
	uint32_t	 last;		/* of the last one sent */
	uint32_t	 count;		/* sent: the first three come fast */
	uint32_t	 rnd;		/* xorshift32: the intervals */
	int		 pending;	/* a solicitation waits out the 3 s */
};

/*
 * inet6 autoconf, as slaacd(8) does it: the addresses and the default
 * router that router advertisements gave this interface.
 */
#define SLAAC_MAX_ADDRS	4

struct rif_slaac {
	uint8_t		 router[16];	/* its link-local address */
	int		 route_ours;	/* the default route is the router's */
	uint32_t	 router_until;	/* dp->now */
	int		 naddrs;
	struct {
		uint8_t	 addr[16];
		uint32_t valid_until;
		uint32_t pref_until;
	}		 a[SLAAC_MAX_ADDRS];
	uint32_t	 rs_next;	/* the next solicitation */
	int		 rs_sent;	/* 3 at most, until one is answered */
	int		 heard;
};

struct rif {
	struct dhcp_client *dhcp;	/* a DHCP lease makes its address */
	struct rif_rad	*rad;		/* rad.conf names it; NULL: silent */
	struct rif_slaac *slaac;	/* inet6 autoconf */
	struct port	*port;
	uint8_t		 mac[6];
	int		 naddrs;
	struct rif_addr	 addrs[ROUTER_MAX_ADDRS];
	int		 inet6;		/* IPv6 on: ll6 is ours */
	uint8_t		 ll6[16];	/* fe80::/64, modified EUI-64 */
	uint8_t		 ll6_dad;	/* DAD_* of ll6 */
	uint32_t	 ll6_dad_until;
	int		 naddrs6;
	struct rif_addr6 addrs6[ROUTER_MAX_ADDRS];
};

struct route {
	uint32_t	 dst;		/* host order */
	uint8_t		 plen;
	uint8_t		 prio;
	uint8_t		 used;
	int8_t		 rif;		/* -1: resolved through gw */
	uint32_t	 gw;		/* host order, 0: direct */
	uint32_t	 flags;		/* RTF_* */
	uint64_t	 use;
};

/*
 * A published entry (arp -s host ether pub): the router answers requests
 * for host with ether on the interface whose network holds host, as
 * in_arpinput() does for a proxy route (RTF_ANNOUNCE) of that interface.
 * Kept apart from the cache, as OpenBSD keeps proxy routes apart
 * (SIN_PROXY): it answers, it does not say where to send.
 */
#define ROUTER_PUB_MAX	256

struct arp_pub {
	uint32_t	 ip;		/* host order */
	uint16_t	 rif;
	uint8_t		 mac[6];
	uint8_t		 flags;		/* ARP_F_* */
};

/* An IPv6 route: connected (UCn, gw = our address) or static (UGS). */
struct route6 {
	uint8_t		 dst[16];
	uint8_t		 gw[16];
	uint8_t		 plen;
	uint8_t		 prio;
	uint8_t		 used;
	int8_t		 rif;
	uint32_t	 flags;		/* RTF_* */
	uint64_t	 use;
};

struct router {
	struct dp	*dp;
	int		 sysctl[SYSCTL__MAX];	/* sysctl.h */
	struct lpm	 lpm;
	struct route	*routes;	/* route id - 1 */
	uint32_t	 nroutes;
	uint32_t	 cap;
	struct arp_table *arp;
	uint32_t	 arpq;		/* packets held, in all */
	struct arp_pub	 pub[ROUTER_PUB_MAX];
	int		 npub;
	int		 nrifs;
	struct rif	 rifs[ROUTER_MAX_RIFS];
	uint32_t	 frag6_next;	/* the id of our last IPv6 fragments */
	uint32_t	 icmp_second;
	uint32_t	 icmp_sent;
	struct lpm6	 lpm6;
	struct route6	*routes6;	/* route id - 1 */
	uint32_t	 nroutes6;
	uint32_t	 cap6;
	struct nd6_table *nd6;
	uint32_t	 nd6q;		/* packets held, in all */
	uint32_t	 icmp6_second;
	uint32_t	 icmp6_sent;
	struct dhcpd	*dhcpd;		/* dhcpd.conf's leases; NULL: none */
	/* what router_alloc() gives now is pf's own (pkt.pf_generated) */
	int		 pf_generating;
	uint64_t	 c[ROUTER_C__MAX];
	/* Shown each frame the router sends (tests; NULL in sluiced). */
	void		(*sent)(void *, const struct rif *, const struct pkt *);
	void		*sent_arg;
};

int	 router_init(struct router *, struct dp *);
void	 router_fini(struct router *);
struct rif *router_add_rif(struct router *, struct port *, const uint8_t *);
int	 router_add_addr(struct router *, struct rif *, uint32_t, uint8_t);
int	 router_set_addrs(struct router *, struct rif *,
	    const struct rif_addr *, int);
int	 router_route_add(struct router *, uint32_t, uint8_t, uint32_t,
	    char *, size_t);
int	 router_route_delete(struct router *, uint32_t, uint8_t);
void	 router_input(struct router *, struct rif *, struct pkt *, int);
void	 router_tick(struct router *);
void	 router_arp_request(struct router *, struct rif *, uint32_t);
void	 router_gratuitous(struct router *);
void	 router_netstat(struct router *, FILE *);
void	 router_arp_show(struct router *, FILE *);
int	 router_arp_set(struct router *, uint32_t, const uint8_t *, uint8_t,
	    char *, size_t);
int	 router_arp_delete(struct router *, uint32_t,
	    void (*)(void *, uint32_t), void *);
struct rif *router_rif(struct router *, const struct port *);
struct port *router_route_port(struct router *, int, const uint8_t *);
void	 router_untag(struct pkt *, uint32_t, uint16_t);
void	 router_rif_send(struct router *, struct rif *, struct pkt *);
void	 router_send_ip(struct router *, struct pkt *, uint32_t);

/* Shared by router.c and router6.c. */
struct l3info;
int	 router_icmp_allowed(struct router *, int);
struct pkt *router_alloc(struct router *);
struct pkt *router_alloc_ll(struct router *, const struct rif *);
struct pkt *router_piece(struct router *, const struct pkt *, uint32_t);
struct pkt *router_own(struct router *, struct pkt *, int);
void	 router_sec2str(uint32_t, char *, size_t);

/* IPv6 (router6.c). */
int	 router6_add_addr(struct router *, struct rif *, const uint8_t *,
	    uint8_t);
int	 router6_route_add(struct router *, const uint8_t *, uint8_t,
	    const uint8_t *, struct rif *, char *, size_t);
int	 router6_route_delete(struct router *, const uint8_t *, uint8_t);
int	 router6_del_addr(struct router *, struct rif *, const uint8_t *);
void	 router6_input(struct router *, struct rif *, struct pkt *, int,
	    const struct l3info *);
void	 router6_tick(struct router *);
void	 router6_fini(struct router *);
int	 router6_rad(struct router *, struct rif *, const struct conf_rad_if *);
int	 router6_autoconf(struct router *, struct rif *);
int	 router6_nd_set(struct router *, const uint8_t *, const char *,
	    const uint8_t *, uint8_t, char *, size_t);
int	 router6_nd_delete(struct router *, const uint8_t *, const char *,
	    char *, size_t);
int	 router6_nd_flush(struct router *, FILE *);
void	 router6_netstat(struct router *, FILE *);
void	 router6_ndp_show(struct router *, FILE *);

/* pf's af-to gave a packet the other family: route it in that one
 * (router_afto(); router6_afto() is its IPv6 routing). */
void	 router_afto(struct router *, struct pkt *);
void	 router_afto_error(struct router *, struct rif *, struct pkt *,
	    const struct pkt *, int, int);
int	 router_pf_loop(struct router *, struct pkt *, int);
/* pf's route-to, reply-to, dup-to of either family (p->pf_rt_af) */
int	 router_pf_route(struct router *, struct rif *, struct pkt *,
	    uint32_t);
int	 router6_pf_toobig(struct router *, struct rif *, struct pkt *, int);
void	 router6_resolve(struct router *, struct rif *, const uint8_t *,
	    struct pkt *);
/* an IPv6 address as ndp prints it (IF given: link-local with %IF) */
#define IP6STR		(INET6_ADDRSTRLEN + 1 + 16)
const char *ip6str(const uint8_t *, const struct rif *, char *);
void	 router_afto_expired(struct router *, struct rif *, const struct pkt *,
	    uint32_t);
void	 router6_icmp_error(struct router *, struct rif *, const uint8_t *,
	    uint32_t, uint8_t, uint8_t, uint32_t);
void	 router6_afto(struct router *, struct pkt *);

#endif /* DP_ROUTER_H */
