/*
 * The configuration directory, laid out like OpenBSD's /etc and read as
 * the handbook writes it: hostname.bridgeN, hostname.vlanN, hostname.IF,
 * vm.conf.  conf_load() reads everything into plain data and collects
 * every problem as "file:line:col: message" before giving up, the way
 * pfctl's parse.y does; nothing is applied until the whole directory is
 * good.  Which kernel object plays each interface is decided later by the
 * dataplane (dp_build), from this and the interface map.
 */
#ifndef DP_CONF_H
#define DP_CONF_H

#include <stdint.h>
#include <stdio.h>

#include "dataplane/sysctl.h"
#include "fwd/bridge.h"

#define CONF_NAMESIZ	16	/* IFNAMSIZ */
#define CONF_MAX_BRIDGES 16
#define CONF_MAX_VLANS	64
#define CONF_MAX_PFLOWS	4
#define CONF_MAX_IFS	64
#define CONF_MAX_SWITCHES 16
#define CONF_MAX_VMS	64
#define CONF_MAX_VMIFS	4
#define CONF_MAX_ADDRS	8
#define CONF_MAX_STATIC	64

struct conf_pos {
	const char	*file;		/* points into conf's file name table */
	int		 line;
	int		 col;
};

struct conf_member {
	char		 ifname[CONF_NAMESIZ];
	uint16_t	 flags;		/* BM_* */
	uint32_t	 protected;	/* domains, bridge_member's */
	struct conf_pos	 pos;
};

#define CONF_MAX_BRULES	256

/* rule ... in hostname.bridgeN, for member ifname. */
struct conf_brule {
	char		 ifname[CONF_NAMESIZ];
	struct bridge_rule rule;
	struct conf_pos	 pos;
};

struct conf_static {
	uint8_t		 mac[6];
	char		 ifname[CONF_NAMESIZ];
	struct conf_pos	 pos;
};

struct conf_bridge {
	char		 name[CONF_NAMESIZ];
	int		 up;
	uint32_t	 maxaddr;
	uint32_t	 timeout;
	int		 nmembers;
	struct conf_member members[64];
	int		 nstatic;
	struct conf_static statics[CONF_MAX_STATIC];
	int		 nspans;
	struct conf_member spans[8];	/* BRIDGE_MAX_SPAN */
	int		 nrules;
	struct conf_brule *rules;	/* CONF_MAX_BRULES of them */
	struct conf_pos	 pos;
};

/* txprio / rxprio: 0-7, or where the priority comes from (if.h's
 * IF_HDRPRIO_*: the packet's own, the outer header's). */
#define CONF_HDRPRIO_PACKET	(-1)
#define CONF_HDRPRIO_OUTER	(-3)

struct conf_vlan {
	char		 name[CONF_NAMESIZ];
	char		 parent[CONF_NAMESIZ];
	uint16_t	 vid;
	int8_t		 txprio;	/* default packet, as if_vlan.c */
	int8_t		 rxprio;	/* default outer */
	int		 up;
	struct conf_pos	 pos;
};

struct conf_addr {
	uint32_t	 addr;		/* network order */
	uint8_t		 plen;
	struct conf_pos	 pos;
};

/* inet6 ADDRESS PREFIXLEN: an IPv6 address (the link-local one is made
 * from the MAC when the interface has any). */
struct conf_addr6 {
	uint8_t		 addr[16];
	uint8_t		 plen;
	struct conf_pos	 pos;
};

/* Any other hostname.IF: a physical, tap, vether or vport interface. */
struct conf_if {
	char		 name[CONF_NAMESIZ];
	int		 up;
	char		 descr[64];
	uint32_t	 mtu;		/* 0: the default, 1500 */
	int		 has_lladdr;
	uint8_t		 lladdr[6];
	int		 naddrs;
	struct conf_addr addrs[CONF_MAX_ADDRS];
	int		 dhcp;		/* dhcp, inet autoconf: a lease */
	int		 naddrs6;
	struct conf_addr6 addrs6[CONF_MAX_ADDRS];
	int		 autoconf6;	/* inet6 autoconf: SLAAC */
	uint8_t		 llprio;	/* llprio + 1; 0: the default, 3 */
	struct conf_pos	 pos;
};

/*
 * pflow(4): hostname.pflowN's flowsrc, flowdst and pflowproto.  pf
 * exports the states of rules with keep state (pflow) to each.
 */
struct conf_pflow {
	char		 name[CONF_NAMESIZ];
	int		 up;
	uint32_t	 src;		/* network order; 0: none */
	uint32_t	 dst;		/* network order; 0: none */
	uint16_t	 port;		/* host order */
	uint8_t		 proto;		/* 5: NetFlow v5, 10: IPFIX */
	struct conf_pos	 pos;
};

struct conf_switch {
	char		 name[64];
	char		 bridge[CONF_NAMESIZ];
	int		 locked;	/* locked lladdr for every member */
	struct conf_pos	 pos;
};

struct conf_vmif {
	char		 tap[CONF_NAMESIZ];	/* given, or assigned tapN */
	int		 named;
	char		 sw[64];
	struct conf_pos	 sw_pos;
	int		 has_lladdr;
	int		 locked;
	uint8_t		 lladdr[6];
	struct conf_pos	 pos;
};

struct conf_vm {
	char		 name[64];
	int		 id;			/* 1.. in file order */
	uint64_t	 memory;		/* bytes */
	char		 disk[256];
	int		 enabled;
	int		 nifs;
	struct conf_vmif ifs[CONF_MAX_VMIFS];
	struct conf_pos	 pos;
};

/* A static route: `!route add [-net] DEST[/LEN] GATEWAY` or mygate. */
struct conf_route {
	uint32_t	 dst;		/* network order */
	uint8_t		 plen;
	uint32_t	 gw;		/* network order */
	struct conf_pos	 pos;
};

#define CONF_MAX_ROUTES	64

/* An IPv6 static route (`!route add -inet6 DEST GATEWAY`) or mygate's
 * IPv6 line; a link-local gateway names its interface (fe80::1%em0). */
struct conf_route6 {
	uint8_t		 dst[16];
	uint8_t		 plen;
	uint8_t		 gw[16];
	char		 gwif[CONF_NAMESIZ];	/* "" unless link-local */
	struct conf_pos	 pos;
};

/*
 * rad.conf(5): router advertisements, as rad(8) sends them.  Options are
 * global or an interface's own; set says which an interface gave, the
 * rest come from the global ones.
 */
#define CONF_RAD_MAX_IFS	16
#define CONF_RAD_MAX_PREFIXES	8
#define CONF_RAD_MAX_DNS	4
#define CONF_RAD_DNSSL_MAX	512

#define RAD_O_DEFROUTER	0x01
#define RAD_O_LIFETIME	0x02
#define RAD_O_HOPLIMIT	0x04
#define RAD_O_MANAGED	0x08
#define RAD_O_OTHER	0x10
#define RAD_O_MTU	0x20
#define RAD_O_DNS	0x40
#define RAD_O_REACHABLE	0x80
#define RAD_O_RETRANS	0x100

struct conf_rad_opts {
	unsigned	 set;		/* RAD_O_* given here */
	uint8_t		 default_router;	/* yes: the lifetime, no: 0 */
	uint8_t		 hop_limit;
	uint8_t		 managed;
	uint8_t		 other;
	uint16_t	 router_lifetime;	/* seconds */
	uint32_t	 reachable;	/* ms */
	uint32_t	 retrans;	/* ms */
	uint32_t	 mtu;		/* 0: no MTU option */
	uint32_t	 dns_lifetime;	/* seconds */
	int		 ndns;
	uint8_t		 dns[CONF_RAD_MAX_DNS][16];
	/* search: the domains, in DNS wire form one after the other, as
	 * the DNS search list option carries them (RFC 8106 5.2) */
	uint16_t	 dnssl_len;
	uint8_t		 dnssl[CONF_RAD_DNSSL_MAX];
};

struct conf_rad_prefix {
	uint8_t		 addr[16];
	uint8_t		 plen;
	uint8_t		 onlink;
	uint8_t		 autonomous;
	uint32_t	 valid;		/* seconds */
	uint32_t	 preferred;
	struct conf_pos	 pos;
};

struct conf_rad_if {
	char		 name[CONF_NAMESIZ];
	struct conf_pos	 pos;
	int		 auto_prefix;	/* the interface's own prefixes */
	int		 nprefixes;
	struct conf_rad_prefix prefixes[CONF_RAD_MAX_PREFIXES];
	struct conf_rad_opts o;
};

/*
 * dhcpd.conf(5): what dhcpd(8) leases on the segments it serves.  All
 * addresses in host order.  A subnet's options are its own over its
 * shared-network's over the global ones; set says which a scope gave.
 */
#define CONF_DHCPD_MAX_SUBNETS	16
#define CONF_DHCPD_MAX_RANGES	8
#define CONF_DHCPD_MAX_HOSTS	64
#define CONF_DHCPD_MAX_ADDRS	4	/* routers, name servers */

#define DHCPD_O_ROUTERS	0x01
#define DHCPD_O_DNS	0x02
#define DHCPD_O_DOMAIN	0x04
#define DHCPD_O_MASK	0x08
#define DHCPD_O_DEFLEASE 0x10
#define DHCPD_O_MAXLEASE 0x20
#define DHCPD_O_NTP	0x40
#define DHCPD_O_BCAST	0x80
#define DHCPD_O_MTU	0x100
#define DHCPD_O_NEXTSRV	0x200
#define DHCPD_O_FILE	0x400
#define DHCPD_O_SNAME	0x800
#define DHCPD_O_SEARCH	0x1000

struct conf_dhcpd_opts {
	unsigned	 set;		/* DHCPD_O_* given here */
	int		 nrouters;
	uint32_t	 routers[CONF_DHCPD_MAX_ADDRS];
	int		 ndns;
	uint32_t	 dns[CONF_DHCPD_MAX_ADDRS];
	char		 domain[128];	/* option domain-name */
	uint32_t	 mask;		/* option subnet-mask; 0: the subnet's */
	uint32_t	 default_lease;	/* seconds */
	uint32_t	 max_lease;
	int		 nntp;
	uint32_t	 ntp[CONF_DHCPD_MAX_ADDRS];	/* option ntp-servers */
	uint32_t	 bcast;		/* option broadcast-address; 0: none */
	uint16_t	 mtu;		/* option interface-mtu; 0: none */
	uint32_t	 next_server;	/* next-server: BOOTP siaddr */
	char		 filename[128];	/* filename: BOOTP file */
	char		 server_name[64];	/* server-name: BOOTP sname */
	/* option domain-search: the names in DNS wire form (RFC 3397) */
	uint8_t		 search_len;
	uint8_t		 search[255];
};

struct conf_dhcpd_range {
	uint32_t	 lo, hi;
	struct conf_pos	 pos;
};

struct conf_dhcpd_subnet {
	uint32_t	 net, mask;
	struct conf_pos	 pos;
	int		 nranges;
	struct conf_dhcpd_range ranges[CONF_DHCPD_MAX_RANGES];
	struct conf_dhcpd_opts o;
};

/* A lease of dhcpd.leases(5), as sluiced -l reads it back. */
#define CONF_DHCPD_MAX_LEASES	256
struct conf_dhcpd_lease {
	uint32_t	 addr;		/* host order */
	uint8_t		 mac[6];
	int		 has_mac;
	int		 abandoned;	/* declined: no one's until ends */
	int64_t		 starts, ends;	/* wall clock, seconds (UTC) */
	char		 hostname[64];
	struct conf_pos	 pos;
};

struct conf_dhcpd_host {
	char		 name[64];
	uint8_t		 mac[6];
	int		 has_mac;
	uint32_t	 addr;		/* fixed-address; 0: none */
	struct conf_dhcpd_opts o;	/* its own parameters (o.set) */
	struct conf_pos	 pos;
};

struct conf {
	char		 dir[512];
	int		 has_dhcpd;	/* dhcpd.conf was read */
	struct conf_dhcpd_opts dhcpd;	/* its global options */
	int		 ndsubnets;
	struct conf_dhcpd_subnet dsubnets[CONF_DHCPD_MAX_SUBNETS];
	int		 ndhosts;
	struct conf_dhcpd_host dhosts[CONF_DHCPD_MAX_HOSTS];
	int		 ndleases;	/* conf_parse_leases() */
	struct conf_dhcpd_lease dleases[CONF_DHCPD_MAX_LEASES];
	int		 has_rad;	/* rad.conf was read */
	struct conf_rad_opts rad;	/* its global options */
	int		 nrad;
	struct conf_rad_if rads[CONF_RAD_MAX_IFS];
	int		 nroutes;
	struct conf_route routes[CONF_MAX_ROUTES];
	int		 has_mygate;
	struct conf_route mygate;	/* default route */
	int		 nroutes6;
	struct conf_route6 routes6[CONF_MAX_ROUTES];
	int		 has_mygate6;
	struct conf_route6 mygate6;	/* IPv6 default route */
	int		 sysctl[SYSCTL__MAX];	/* sysctl.conf, else defaults */
	int		 nbridges;
	struct conf_bridge bridges[CONF_MAX_BRIDGES];
	int		 nvlans;
	struct conf_vlan vlans[CONF_MAX_VLANS];
	int		 npflows;
	struct conf_pflow pflows[CONF_MAX_PFLOWS];
	int		 nifs;
	struct conf_if	 ifs[CONF_MAX_IFS];
	int		 nswitches;
	struct conf_switch switches[CONF_MAX_SWITCHES];
	int		 nvms;
	struct conf_vm	 vms[CONF_MAX_VMS];

	int		 errors;
	int		 warnings;
	FILE		*err;		/* where problems are printed */
	char		*files[64];	/* file names, owned */
	int		 nfiles;
};

int	 conf_load(struct conf *, const char *, FILE *);
void	 conf_free(struct conf *);
struct conf_bridge *conf_bridge(struct conf *, const char *);
struct conf_vlan *conf_vlan(struct conf *, const char *);
struct conf_if *conf_if(struct conf *, const char *);
int		 conf_pflow_set(struct conf_pflow *, int, char **, int *,
		    char *, size_t);
struct conf_vmif *conf_vmif_by_tap(struct conf *, const char *, struct conf_vm **);
int	 conf_parse_mac(const char *, uint8_t *);
int	 conf_name_cmp(const void *, const void *);

/* For tests and the daemon: parse one file of a known kind. */
int	 conf_parse_hostname(struct conf *, const char *, const char *);
int	 conf_parse_vmconf(struct conf *, const char *);
int	 conf_parse_radconf(struct conf *, const char *);
int	 conf_parse_dhcpdconf(struct conf *, const char *);
int	 conf_parse_leases(struct conf *, const char *);
void	 conf_dhcpd_inherit(struct conf_dhcpd_opts *,
	    const struct conf_dhcpd_opts *);
const struct conf_dhcpd_subnet *conf_dhcpd_subnet(const struct conf *,
	    uint32_t);
int	 conf_check(struct conf *);

#endif /* DP_CONF_H */
