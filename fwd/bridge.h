/*
 * The learning bridge, as bridge(4) does it, keyed per VLAN id.  The bridge
 * knows member indexes, never ports: it decides, the dataplane moves frames.
 *
 * bridge_input() looks up a whole batch first and writes one decision per
 * packet (netmap VALE style: decide, then queue per destination).  The
 * frame is never modified here: a trunk member's tags pass untouched and
 * become part of the FDB key.
 */
#ifndef FWD_BRIDGE_H
#define FWD_BRIDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dataplane/pkt.h"
#include "fwd/fdb.h"

#define BRIDGE_MAX_MEMBERS	64
#define BRIDGE_NAMESIZ		16

/* Member flags, numbered as ifconfig(8) prints them (IFBIFBITS). */
#define BM_LEARNING	0x0001
#define BM_DISCOVER	0x0002
#define BM_BLOCKNONIP	0x0004		/* only IP, ARP, RARP in and out */
#define BM_SPAN		0x0100		/* a span port (not a member) */
#define BM_DEFAULT	(BM_LEARNING | BM_DISCOVER)
#define BRIDGE_MAX_PROTECTED	31	/* protected domains 1..31 */
#define BRIDGE_MAX_SPAN		8

/* X(enum, name, meaning): counters, in the order sluicectl stats prints. */
#define BRIDGE_COUNTERS(X)						\
	X(IN,		"in",		"frames entering the bridge")	\
	X(UNICAST,	"unicast",	"sent to the one member that has the destination") \
	X(FLOOD,	"flood",	"broadcast, multicast or unknown unicast sent to other members") \
	X(LEARNED,	"learned",	"new addresses learned")	\
	X(MOVED,	"moved",	"addresses seen on a new member")	\
	X(CACHE_FULL,	"cache-full",	"addresses not learned: maxaddr reached") \
	X(STATIC_HELD,	"static-held",	"source seen on another member than its static entry") \
	X(DROP_DOWN,	"drop-down",	"dropped: bridge is down")	\
	X(DROP_SRC_MCAST, "drop-src-multicast", "dropped: source address is multicast") \
	X(DROP_SAME_PORT, "drop-same-port", "dropped: destination is on the member it came from") \
	X(DROP_NONIP,	"drop-nonip",	"dropped: not IPv4, IPv6, ARP or RARP, from or to a blocknonip member") \
	X(DROP_PROTECTED, "drop-protected", "dropped: source and destination members share a protected domain") \
	X(DROP_NOT_MEMBER, "drop-not-member", "dropped: arrived on a port that is not a member") \
	X(SPAN,		"span",		"copies of entering frames sent to span ports") \
	X(DROP_RULE,	"drop-rule",	"dropped: a bridge rule blocks it (ifconfig bridge rule block ...)") \
	X(FRAGMENTED,	"fragmented",	"datagrams pf reassembled, fragmented again for a member with a smaller MTU") \
	X(DROP_CANTFRAG, "drop-cantfrag", "dropped: a datagram pf reassembled, larger than a member's MTU, with DF set")

#define BRIDGE_C_ENUM(e, n, d)	BRIDGE_C_##e,
enum { BRIDGE_COUNTERS(BRIDGE_C_ENUM) BRIDGE_C__MAX };
#undef BRIDGE_C_ENUM
extern const char *const bridge_counter_names[BRIDGE_C__MAX];
extern const char *const bridge_counter_help[BRIDGE_C__MAX];

/*
 * A bridge rule (ifconfig bridge0 rule ...): MAC addresses and ARP fields
 * a frame entering (in) or leaving (out) one member is matched against,
 * first match wins; pass may tag the frame for pf, as bridge(4)'s
 * bridge_filterrule() does.  An in/out rule is two rules, as there.
 */
#define BR_RULE_IN		0x01
#define BR_RULE_OUT		0x02
#define BR_RULE_SRC		0x0001
#define BR_RULE_DST		0x0002
#define BR_RULE_ARP		0x0004
#define BR_RULE_RARP		0x0008
#define BR_RULE_REQUEST		0x0010
#define BR_RULE_REPLY		0x0020
#define BR_RULE_SHA		0x0040
#define BR_RULE_SPA		0x0080
#define BR_RULE_THA		0x0100
#define BR_RULE_TPA		0x0200
#define BR_RULE_TAGSIZ		32

struct bridge_rule {
	uint8_t		 block;		/* else pass */
	uint8_t		 dir;		/* BR_RULE_IN or BR_RULE_OUT */
	uint16_t	 match;		/* BR_RULE_SRC ... */
	uint16_t	 tag;		/* pf's tag id, 0: none */
	uint8_t		 src[6], dst[6], sha[6], tha[6];
	uint32_t	 spa, tpa;	/* host order */
	char		 tagname[BR_RULE_TAGSIZ];
};

struct bridge_member {
	uint16_t	 bm_port;
	uint16_t	 bm_flags;	/* BM_* */
	uint32_t	 bm_protected;	/* domain d is bit d - 1 */
	struct bridge_rule *bm_rules;	/* in order, in and out mixed */
	uint16_t	 bm_nrules;
};

struct bridge {
	char		 br_name[BRIDGE_NAMESIZ];
	int		 br_up;
	uint16_t	 br_nmembers;
	struct bridge_member br_members[BRIDGE_MAX_MEMBERS];
	uint8_t		 br_rules;	/* some member has had rules */
	uint16_t	 br_nspan;
	uint16_t	 br_span[BRIDGE_MAX_SPAN];	/* span ports */
	struct fdb	 br_fdb;
	uint64_t	 br_c[BRIDGE_C__MAX];
};

enum bridge_verdict {
	BR_DROP,		/* br_c names why */
	BR_UNICAST,		/* to d_port */
	BR_FLOOD,		/* to every other member (unknown unicast: DISCOVER ones) */
};

struct bridge_decision {
	uint8_t		 d_verdict;	/* enum bridge_verdict */
	uint8_t		 d_reason;	/* BRIDGE_C_* that counted it */
	uint8_t		 d_learn;	/* enum fdb_learn_result, or 0xff: not learned */
	uint8_t		 d_unknown;	/* flood of an unknown unicast */
	uint16_t	 d_port;
};

int	 bridge_init(struct bridge *, const char *);
void	 bridge_fini(struct bridge *);
int	 bridge_add_member(struct bridge *, uint16_t, uint16_t);
int	 bridge_del_member(struct bridge *, uint16_t);
int	 bridge_add_span(struct bridge *, uint16_t);
int	 bridge_del_span(struct bridge *, uint16_t);
struct bridge_member *
	 bridge_member(struct bridge *, uint16_t);
void	 bridge_input(struct bridge *, struct pkt **, uint16_t,
	    struct bridge_decision *, uint32_t);
int	 bridge_flood_ports(const struct bridge *, const struct pkt *, int,
	    uint16_t *);
const char *bridge_decision_str(const struct bridge_decision *, char *, int);
int	 bridge_parse_protected(const char *, uint32_t *);
int	 bridge_rule_parse(int, char **, struct bridge_rule *, char *, size_t,
	    char *, size_t);
int	 bridge_rule_add(struct bridge_member *, const struct bridge_rule *);
void	 bridge_rule_flush(struct bridge_member *);
const struct bridge_rule *
	 bridge_rule_match(const struct bridge_member *, int,
	    const struct pkt *);
void	 bridge_rule_print(FILE *, const struct bridge_rule *, const char *);
uint16_t bridge_member_bit(const char *);

#endif /* FWD_BRIDGE_H */
