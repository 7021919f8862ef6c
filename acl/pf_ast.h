/*
 * pf_ast.h: the intermediate form of a parsed pf.conf(5).
 *
 * This is what the parser hands to everyone else: the printer (pfctl -nv),
 * and the rule compiler and evaluator of the filter engine.  It is plain
 * data on purpose: fixed-size structs and arrays, no callbacks, nothing that
 * needs the parser to be understood.  Rules are stored *expanded*, as pf
 * stores them in the kernel: every list in the source (interfaces,
 * protocols, addresses, ports, users, icmp types) has been multiplied out
 * into one rule per combination, macros are gone, names (ports, protocols,
 * users, icmp types, host names) are numbers, and address families are
 * decided.  What stays symbolic is what pf resolves at run time: tables
 * <name>, dynamic interface addresses (if), interface names and groups,
 * route labels and no-route / urpf-failed.
 *
 * Conventions:
 *  - Addresses and masks are in network byte order (16 bytes; IPv4 uses the
 *    first 4).  Ports are in host byte order.
 *  - Field names and flag values follow pf's struct pf_rule closely, so the
 *    OpenBSD manual and pfctl sources read as documentation for them.
 *  - An anchor owns a ruleset; a rule that calls an anchor points at it
 *    (anchor != NULL) and keeps the name it was called by (anchor_call).
 *    anchor "x/ *" (anchor_wildcard) points at x: every child of x, in
 *    name order, is evaluated at that position.  Anchors called by name
 *    but never loaded exist, empty, so that a later "load anchor" (or a
 *    reload) fills them.  An inline anchor { ... } (anchor_inline) holds
 *    its body in anchor->rs; anonymous ones are named "_N".
 *  - Rules are numbered (nr) per ruleset in order, and the label macros
 *    ($if, $srcaddr, ..., $nr) are already expanded, as pfctl loads them.
 *  - file/line of a rule name where it was written (file points into
 *    acl_conf.files) for diagnostics, explain and lint.
 *
 * The producer is acl_load() (acl/pf.h); acl_conf_free() frees it all.
 */
#ifndef ACL_PF_AST_H
#define ACL_PF_AST_H

#include <stddef.h>
#include <stdint.h>

#include "acl/pf_osfp.h"

#define ACL_IFNAMSIZ		16
#define ACL_TABLE_NAME_SIZE	32
#define ACL_TAG_NAME_SIZE	64
#define ACL_RULE_LABEL_SIZE	64
#define ACL_RTLABEL_LEN		32
#define ACL_QNAME_SIZE		64
#define ACL_ANCHOR_NAME_SIZE	64
#define ACL_PATH_MAX		1024

/* Address family: 0 (any), AF_INET or AF_INET6 from <sys/socket.h>. */

union acl_ip {
	uint8_t		 b[16];
	uint32_t	 w[4];		/* network byte order words */
};

/* struct acl_addr.type */
#define ACL_ADDR_ADDRMASK	0	/* a.addr / a.mask; all zero = any */
#define ACL_ADDR_NOROUTE	1
#define ACL_ADDR_DYNIFTL	2	/* (ifname[:mod]) resolved at run time */
#define ACL_ADDR_TABLE		3	/* <tblname> */
#define ACL_ADDR_RTLABEL	4	/* route "label" */
#define ACL_ADDR_URPFFAILED	5
#define ACL_ADDR_RANGE		6	/* a.addr - a.mask (mask holds the end) */
#define ACL_ADDR_NONE		7	/* unset (pools) */

/* struct acl_addr.iflags: modifiers of a dynamic interface address */
#define ACL_IFA_NETWORK		0x01	/* (if:network) */
#define ACL_IFA_BROADCAST	0x02	/* (if:broadcast) */
#define ACL_IFA_PEER		0x04	/* (if:peer) */
#define ACL_IFA_NOALIAS		0x08	/* (if:0), first address only */

struct acl_addr {
	uint8_t		 type;		/* ACL_ADDR_* */
	uint8_t		 iflags;	/* ACL_IFA_* (DYNIFTL) */
	struct {
		union acl_ip	 addr;
		union acl_ip	 mask;
	}		 a;		/* also the mask of a DYNIFTL */
	char		 ifname[ACL_IFNAMSIZ];		/* DYNIFTL */
	char		 tblname[ACL_TABLE_NAME_SIZE];	/* TABLE */
	char		 rtlabel[ACL_RTLABEL_LEN];	/* RTLABEL */
	int32_t		 dyncnt;	/* DYNIFTL: addresses the running
					   pf found (pf_addr_wrap's dyncnt),
					   0 when not known; TABLE: its
					   entries + 1 (tblcnt), 0 when not
					   known */
};

/* Port / uid / gid comparison operators (pf's PF_OP_*) */
#define ACL_OP_NONE	0
#define ACL_OP_IRG	1	/* a >< b: strictly between */
#define ACL_OP_EQ	2
#define ACL_OP_NE	3
#define ACL_OP_LT	4
#define ACL_OP_LE	5
#define ACL_OP_GT	6
#define ACL_OP_GE	7
#define ACL_OP_XRG	8	/* a <> b: outside */
#define ACL_OP_RRG	9	/* a:b inclusive */

struct acl_rule_addr {
	struct acl_addr	 addr;
	uint16_t	 port[2];	/* host order */
	uint8_t		 port_op;	/* ACL_OP_*, NONE = any port */
	uint8_t		 neg;		/* ! addr */
};

/* Translation / routing pool (nat-to, rdr-to, binat-to, route-to...) */
#define ACL_POOL_NONE		0
#define ACL_POOL_BITMASK	1
#define ACL_POOL_RANDOM		2
#define ACL_POOL_SRCHASH	3
#define ACL_POOL_ROUNDROBIN	4
#define ACL_POOL_LEASTSTATES	5
#define ACL_POOL_TYPEMASK	0x0f
#define ACL_POOL_STICKYADDR	0x20

#define ACL_NAT_PORT_LOW	50001	/* default nat-to source ports */
#define ACL_NAT_PORT_HIGH	65535

struct acl_pool {
	struct acl_addr	 addr;		/* type NONE: no pool */
	char		 ifname[ACL_IFNAMSIZ];	/* addr@if (unused) */
	uint16_t	 proxy_port[2];	/* nat: 0,0 = static-port */
	uint8_t		 port_op;	/* rdr-to port range operator */
	uint8_t		 opts;		/* ACL_POOL_* type | STICKYADDR */
	uint32_t	 key[4];	/* source-hash key */
};

/* Timeouts, in pf's order (index into acl_rule.timeout, acl_conf.timeout) */
enum acl_timeout {
	ACL_TM_TCP_FIRST_PACKET, ACL_TM_TCP_OPENING, ACL_TM_TCP_ESTABLISHED,
	ACL_TM_TCP_CLOSING, ACL_TM_TCP_FIN_WAIT, ACL_TM_TCP_CLOSED,
	ACL_TM_UDP_FIRST_PACKET, ACL_TM_UDP_SINGLE, ACL_TM_UDP_MULTIPLE,
	ACL_TM_ICMP_FIRST_PACKET, ACL_TM_ICMP_ERROR_REPLY,
	ACL_TM_OTHER_FIRST_PACKET, ACL_TM_OTHER_SINGLE, ACL_TM_OTHER_MULTIPLE,
	ACL_TM_FRAG, ACL_TM_INTERVAL, ACL_TM_ADAPTIVE_START,
	ACL_TM_ADAPTIVE_END, ACL_TM_SRC_NODE, ACL_TM_TS_DIFF, ACL_TM_MAX
};

/* acl_rule.action */
#define ACL_PASS	0
#define ACL_BLOCK	1
#define ACL_MATCH	2

/* acl_rule.direction */
#define ACL_INOUT	0
#define ACL_IN		1
#define ACL_OUT		2

/* acl_rule.log bits */
#define ACL_LOG		0x01
#define ACL_LOG_ALL	0x02
#define ACL_LOG_MATCHES	0x04
#define ACL_LOG_USER	0x08

/* acl_rule.keep_state */
#define ACL_STATE_NONE		0
#define ACL_STATE_NORMAL	1
#define ACL_STATE_MODULATE	2
#define ACL_STATE_SYNPROXY	3

/* acl_rule.rule_flag */
#define ACL_RF_DROP		0x00000000
#define ACL_RF_RETURNRST	0x00000001
#define ACL_RF_FRAGMENT		0x00000002
#define ACL_RF_RETURNICMP	0x00000004
#define ACL_RF_RETURN		0x00000008
#define ACL_RF_NOSYNC		0x00000010
#define ACL_RF_SRCTRACK		0x00000020	/* source-track (global) */
#define ACL_RF_RULESRCTRACK	0x00000040	/* source-track rule */
#define ACL_RF_SETDELAY		0x00000080
#define ACL_RF_IFBOUND		0x00010000
#define ACL_RF_STATESLOPPY	0x00020000
#define ACL_RF_PFLOW		0x00040000
#define ACL_RF_ONCE		0x00100000
#define ACL_RF_AFTO		0x00200000

/* acl_rule.scrub_flags */
#define ACL_SCRUB_NODF		0x0001
#define ACL_SCRUB_RANDOMID	0x0002
#define ACL_SCRUB_TCP		0x0004
#define ACL_SCRUB_SETTOS	0x0008
#define ACL_SCRUB_SETPRIO	0x0010
/*
 * set delay: the number (1-7) of the rule's delay in acl_conf.delays,
 * kept in the scrub flags so that it travels with the other options
 * (and in a state's scrub set) without growing them.
 */
#define ACL_SCRUB_DELAYSHIFT	5
#define ACL_SCRUB_DELAYMASK	0x00e0
#define ACL_DELAYS_MAX		7

/* acl_rule.rt */
#define ACL_RT_NONE	0
#define ACL_RT_ROUTETO	1
#define ACL_RT_DUPTO	2
#define ACL_RT_REPLYTO	3

/* acl_rule.divert_type */
#define ACL_DIVERT_NONE		0
#define ACL_DIVERT_TO		1
#define ACL_DIVERT_REPLY	2
#define ACL_DIVERT_PACKET	3

/* acl_rule.flush */
#define ACL_FLUSH		0x01
#define ACL_FLUSH_GLOBAL	0x02

/* TCP flag bits (F S R P A U E W), as in pf */
#define ACL_TH_FIN	0x01
#define ACL_TH_SYN	0x02
#define ACL_TH_RST	0x04
#define ACL_TH_PUSH	0x08
#define ACL_TH_ACK	0x10
#define ACL_TH_URG	0x20
#define ACL_TH_ECE	0x40
#define ACL_TH_CWR	0x80

#define ACL_PRIO_ZERO	0xff	/* prio 0 given explicitly */

struct acl_anchor;

struct acl_rule {
	uint32_t	 nr;		/* position in its ruleset */
	uint8_t		 action;	/* ACL_PASS, ACL_BLOCK, ACL_MATCH */
	uint8_t		 direction;	/* ACL_INOUT, ACL_IN, ACL_OUT */
	uint8_t		 quick;
	uint8_t		 log;		/* ACL_LOG* */
	uint8_t		 logif;		/* pflogN */
	uint8_t		 af;		/* 0, AF_INET, AF_INET6 */
	uint8_t		 naf;		/* af-to target family */
	uint8_t		 proto;		/* 0 = any */
	uint32_t	 rule_flag;	/* ACL_RF_* */
	uint8_t		 return_ttl;
	uint16_t	 return_icmp;	/* type << 8 | code */
	uint16_t	 return_icmp6;

	char		 ifname[ACL_IFNAMSIZ];	/* "" = any; or a group */
	uint8_t		 ifnot;			/* on ! ifname */
	int		 onrdomain;		/* -1 = none */
	char		 rcv_ifname[ACL_IFNAMSIZ];	/* received-on */
	uint8_t		 rcvifnot;

	struct acl_rule_addr src;
	struct acl_rule_addr dst;
	char		 os[96];	/* os fingerprint name as pfctl prints
					   it ("nomatch": not in pf.os), "" = any */
	uint32_t	 os_fp;		/* ACL_OSFP_* or pf.os numbers */
	struct {
		uint32_t	 id[2];
		uint8_t		 op;	/* ACL_OP_*, NONE = no check */
	}		 uid, gid;	/* id -1: "unknown" */

	uint8_t		 flags;		/* TCP flags that must be set ... */
	uint8_t		 flagset;	/* ... out of these */
	uint16_t	 type;		/* icmp type + 1, 0 = any */
	uint16_t	 code;		/* icmp code + 1, 0 = any */
	uint8_t		 tos;
	uint8_t		 prio;		/* ACL_PRIO_ZERO for 0 */
	struct {
		uint32_t	 limit;
		uint32_t	 seconds;
	}		 pktrate;	/* max-pkt-rate */

	uint8_t		 keep_state;	/* ACL_STATE_* */
	uint32_t	 max_states;
	uint32_t	 max_src_nodes;
	uint32_t	 max_src_states;
	uint32_t	 max_src_conn;
	struct {
		uint32_t	 limit;
		uint32_t	 seconds;
	}		 max_src_conn_rate;
	char		 overload_tblname[ACL_TABLE_NAME_SIZE];
	uint8_t		 flush;		/* ACL_FLUSH* */
	uint32_t	 timeout[ACL_TM_MAX];	/* 0 = default */
	uint32_t	 prob;		/* 0 = always, else p * 2^32 */

	uint16_t	 scrub_flags;	/* ACL_SCRUB_* */
	uint8_t		 min_ttl;
	uint16_t	 max_mss;
	uint8_t		 set_tos;
	uint8_t		 set_prio[2];
	uint16_t	 delay;
	char		 qname[ACL_QNAME_SIZE];
	char		 pqname[ACL_QNAME_SIZE];
	/* The numbers of qname and pqname: given by their user (sluiced
	 * numbers queue names as pf_qname2qid() does), 0: none. */
	uint8_t		 qid;
	uint8_t		 pqid;

	uint8_t		 allow_opts;
	char		 label[ACL_RULE_LABEL_SIZE];
	char		 tagname[ACL_TAG_NAME_SIZE];
	char		 match_tagname[ACL_TAG_NAME_SIZE];
	uint8_t		 match_tag_not;
	int		 rtableid;	/* -1 = none */

	uint8_t		 divert_type;	/* ACL_DIVERT_* */
	union acl_ip	 divert_addr;
	uint16_t	 divert_port;	/* host order */

	struct acl_pool	 nat;		/* nat-to, af-to from, binat out */
	struct acl_pool	 rdr;		/* rdr-to, af-to to, binat in */
	struct acl_pool	 route;		/* route-to, reply-to, dup-to */
	uint8_t		 rt;		/* ACL_RT_* */

	/* anchor call: anchor != NULL */
	struct acl_anchor *anchor;
	char		 anchor_call[ACL_PATH_MAX];	/* as printed: the name
						   as written, or the inline
						   anchor's own name */
	uint8_t		 anchor_wildcard;	/* "name/ *": all children */
	uint8_t		 anchor_inline;		/* body given in braces */

	/* where the rule came from, for diagnostics */
	const char	*file;		/* owned by acl_conf */
	int		 line;
};

struct acl_ruleset {
	struct acl_rule	*rules;
	size_t		 nrules;
	size_t		 cap;
};

/*
 * An anchor: a named ruleset in a tree.  The main ruleset is the root
 * (name and path "").  Inline anchors are named "_N" when anonymous.
 */
struct acl_anchor {
	char		 name[ACL_ANCHOR_NAME_SIZE];	/* last component */
	char		 path[ACL_PATH_MAX];		/* from the root */
	struct acl_ruleset rs;
	struct acl_anchor *parent;
	struct acl_anchor **child;	/* sorted by name */
	size_t		 nchild;
	int		 match;		/* rules of its inline body */
	int		 loaded;	/* from "load anchor" */
	const char	*file;		/* file it was loaded from, or NULL */
};

/* Tables */

/*
 * What pf counts of a table's packets (pfrkt_packets, pfrkt_bytes) and,
 * in a `counters' table, of one entry's (pfrke_counters): per direction
 * (in, out) and by the verdict of the rule that named the table.  XPASS:
 * a state's packet whose address the table no longer holds as the rule
 * said (an entry deleted after the state was made); entries have none.
 * The parser leaves them zero; the dataplane counts.
 */
enum { ACL_TOP_BLOCK, ACL_TOP_MATCH, ACL_TOP_PASS, ACL_TOP_XPASS, ACL_TOP_MAX };

struct acl_tcount {
	uint64_t	 packets[2][ACL_TOP_MAX];
	uint64_t	 bytes[2][ACL_TOP_MAX];
};

struct acl_table_entry {
	uint8_t		 af;
	uint8_t		 neg;
	uint8_t		 net;		/* prefix length */
	union acl_ip	 addr;
	uint32_t	 tzero;		/* added or zeroed at (the dataplane's
					   clock, seconds): pfctl -T expire */
	struct acl_tcount *count;	/* a `counters' table's entry once a
					   packet counted on it, else NULL;
					   the table owns it */
};

#define ACL_TFLAG_CONST		0x01
#define ACL_TFLAG_PERSIST	0x02
#define ACL_TFLAG_COUNTERS	0x04

struct acl_table {
	char		 name[ACL_TABLE_NAME_SIZE];
	char		 anchor[ACL_PATH_MAX];	/* anchor path it lives in */
	int		 flags;		/* ACL_TFLAG_* */
	int		 automatic;	/* made by pfctl for a pool */
	int		 addrs;		/* defined with a list or file (pfctl's
					   init_addr): a load replaces a live
					   table's entries, else keeps them */
	struct acl_table_entry *e;
	size_t		 ne;
	char		**files;	/* file "x" sources, already read */
	size_t		 nfiles;
	struct acl_tcount count;	/* pfctl -vvsT */
	uint32_t	 tzero;		/* made or zeroed at (dataplane clock) */
};

/* set block-policy, state-policy, reassemble... */
#define ACL_REASS_ENABLED	0x01
#define ACL_REASS_NODF		0x02

/*
 * A queue definition (pf.conf "queue", pfctl's pf_queuespec).  Rates are
 * in bit/s; a service curve is m2, or m1 for its first d ms then m2
 * ("bandwidth 1M burst 2M for 100ms").  bandwidth is the link-sharing
 * curve, min the real-time one, max the upper limit.
 */
struct acl_qsc {
	uint64_t	 m1;
	uint64_t	 m2;
	uint32_t	 d;		/* ms; 0: m2 only */
};

#define ACL_QF_FLOWQUEUE	0x0001	/* flows N: FQ-CoDel */
#define ACL_QF_ROOTCLASS	0x0002	/* a root with a bandwidth: HFSC */
#define ACL_QF_DEFAULT		0x1000	/* default */
#define ACL_QLIMIT_DEFAULT	50	/* HFSC_DEFAULT_QLIMIT */

struct acl_queue {
	char		 name[ACL_QNAME_SIZE];
	char		 parent[ACL_QNAME_SIZE];	/* "": a root */
	char		 ifname[ACL_IFNAMSIZ];	/* a child's is its root's */
	struct acl_qsc	 linkshare;	/* bandwidth */
	struct acl_qsc	 realtime;	/* min */
	struct acl_qsc	 upperlimit;	/* max */
	uint32_t	 flows;		/* ACL_QF_FLOWQUEUE */
	uint32_t	 quantum;	/* 0: the default */
	uint32_t	 qlimit;	/* 0: ACL_QLIMIT_DEFAULT */
	uint16_t	 flags;		/* ACL_QF_* */
	int		 parent_idx;	/* in acl_conf.queues; -1: a root */
	const char	*file;		/* where it was defined */
	int		 line;
};

struct acl_conf {
	struct acl_anchor *root;	/* main ruleset ("") */
	struct acl_table *tables;
	size_t		 ntables;

	/* set options */
	uint32_t	 timeout[ACL_TM_MAX];
	uint8_t		 timeout_set[ACL_TM_MAX];
	uint32_t	 limit[8];	/* in pf_limit_names order: states
					   src-nodes frags tables ... */
	uint8_t		 limit_set[8];
#define ACL_LIMIT_FRAGS		2
#define ACL_REASS_DGRAMS	64	/* datagrams sluice reassembles at a
					   time, whatever set limit frags */
	char		 loginterface[ACL_IFNAMSIZ];
	uint32_t	 hostid;
	int		 debug;		/* syslog level, -1 = unset */
	int		 reassemble;	/* ACL_REASS_*, -1 = unset */
	int		 block_policy;	/* ACL_RF_DROP or ACL_RF_RETURN */
	int		 state_policy;	/* 0 floating, ACL_RF_IFBOUND */
	int		 syncookies;	/* -1 unset, 0 never, 1 always, 2 adaptive */
	uint8_t		 syncookies_hi;	/* adaptive (start N%, end M%): N */
	uint8_t		 syncookies_lo;	/* ... M; 0: no watermarks given */
	char		**skip;		/* set skip on ... */
	size_t		 nskip;

	char		**files;	/* names of every file read */
	size_t		 nfiles;

	/* every anchor by path (root first), for lookups and the tree */
	struct acl_anchor **all;
	size_t		 nall;

	/* queue definitions, each root followed by its subtree depth
	 * first (the order pfctl loads and prints them) */
	struct acl_queue *queues;
	size_t		 nqueues;

	/* the set delay values of the rules, in ms: a rule's scrub flags
	 * name one (ACL_SCRUB_DELAYMASK) */
	uint16_t	 delays[ACL_DELAYS_MAX];
	uint8_t		 ndelays;

	/* pf.os: CONFDIR/etc/pf.os or set fingerprints (acl/pf_osfp.h) */
	struct acl_osfp_db *osfp;
};

#endif /* ACL_PF_AST_H */
