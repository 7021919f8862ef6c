/*
 * pf in the dataplane: the loaded ruleset, one compiled classifier per
 * (port, direction), the state table, and pf's counters.  Where it runs:
 *
 *   bridge input   in on the member it came from (not from a vether: the
 *                  router already filtered it out on vether0)
 *   bridge output  out on each member it goes to (not to a vether: the
 *                  router filters it in on vether0)
 *   router         in on the rif it arrived on; out on the rif it leaves by
 *
 * State lookup comes first; rules run on a flow's first packet only.
 * Non-IP frames pass unfiltered.  A reload compiles everything first and
 * swaps only when all of it worked; states survive it (as in pf).
 */
#ifndef DP_DP_PF_H
#define DP_DP_PF_H

#include <stdint.h>
#include <stdio.h>

#include "dataplane/pkt.h"
#include "nat/state.h"

/* pfctl -si "Counters", in pf's order (PFRES_*), and sluice's own. */
#define PF_COUNTERS(X)							\
	X(MATCH,	"match",	"packets that matched a rule")	\
	X(BADOFF,	"bad-offset",	"dropped: bad header offset or length") \
	X(FRAG,		"fragment",	"dropped: a fragment the rules refused") \
	X(SHORT,	"short",	"dropped: truncated header")	\
	X(NORM,		"normalize",	"dropped by normalization")	\
	X(MEMORY,	"memory",	"dropped: out of memory (set limit states reached)") \
	X(TS,		"bad-timestamp", "dropped: bad TCP timestamp")	\
	X(CONGEST,	"congestion",	"dropped: congestion")		\
	X(IPOPTIONS,	"ip-option",	"dropped: IP options")		\
	X(PROTCKSUM,	"proto-cksum",	"dropped: protocol checksum")	\
	X(BADSTATE,	"state-mismatch", "dropped: did not fit its state") \
	X(STATEINS,	"state-insert",	"dropped: state key taken")	\
	X(MAXSTATES,	"state-limit",	"dropped: a rule's max states reached") \
	X(SRCLIMIT,	"src-limit",	"dropped: source limits")	\
	X(SYNPROXY,	"synproxy",	"synproxy")			\
	X(TRANSLATE,	"translate",	"dropped: no address or port to give") \
	X(NOROUTE,	"no-route",	"dropped: no route")		\
	X(POOL_NEXT,	"pool-next-address", "nat-to's address had no port free: the pool's next one was tried (pf_get_sport())") \
	X(POOL_EMPTY,	"pool-empty",	"dropped (as translate): a table, list or interface pool had no IPv4 address") \
	X(POOL_STICKY,	"pool-sticky",	"new states given their source node's address (sticky-address)") \
	X(FRAGFULL,	"frag-table-full", "first fragments not followed: table full") \
	X(SCRUBBED,	"scrubbed",	"packets whose IP header scrub or set tos changed (no-df, min-ttl, tos, random-id)") \
	X(MSS,		"max-mss",	"TCP packets whose MSS option max-mss lowered") \
	X(TCP_NORMALIZED, "tcp-normalized", "TCP segments pf_normalize_tcp() rewrote: a SYN's FIN, reserved bits, an urgent pointer without URG cleared") \
	X(SETPRIO,	"set-prio",	"packets given a priority by set prio (a vlan port's 802.1p PCP)") \
	X(SETQUEUE,	"set-queue",	"packets given a queue by set queue (where they wait to leave)") \
	X(SETDELAY,	"set-delay",	"packets given a delay by set delay (they wait that long where they leave)") \
	X(SCRUBFULL,	"scrub-table-full", "states that could not keep their scrub options: 65535 distinct sets in use") \
	X(REASS_HELD,	"reass-held",	"fragments held for reassembly, IPv4 and IPv6 (set reassemble yes)") \
	X(REASS_DONE,	"reass-done",	"datagrams reassembled and filtered whole, IPv4 and IPv6") \
	X(REASS_DUP,	"reass-duplicate", "fragments ignored: exact duplicates of one held") \
	X(REASS_OVERLAP, "reass-overlap", "datagrams dropped: overlapping fragments (RFC 5722)") \
	X(REASS_BAD,	"reass-bad",	"fragments dropped: bad length or offset (not a multiple of 8, beyond 65535 bytes, past the last)") \
	X(REASS_DF,	"reass-df",	"IPv4 fragments dropped: DF set (set reassemble yes no-df clears it)") \
	X(REASS_TOOMANY, "reass-too-many", "datagrams dropped: more than 64 fragments") \
	X(REASS_DEAD,	"reass-discarded", "fragments dropped: their datagram was dropped already") \
	X(REASS_TIMEOUT, "reass-timeout", "datagrams dropped: not complete within set timeout frag") \
	X(REASS_FULL,	"reass-table-full", "fragments dropped: as many datagrams being reassembled as set limit frags allows (64 at most: pool buffers)") \
	X(REASS_NOBUF,	"reass-no-buffer", "fragments dropped: no packet buffer for their datagram") \
	X(REASS_LIMIT,	"reass-frag-limit", "fragments dropped: set limit frags fragments held already") \
	X(REASS_NODF,	"reass-no-df",	"IPv4 fragments whose DF set reassemble yes no-df cleared (pf clears it on fragments only)") \
	X(REASS6_ATOMIC, "reass6-atomic", "IPv6 atomic fragments (offset 0, M clear: RFC 6946) filtered as whole packets") \
	X(REASS6_HDR,	"reass6-bad-header", "IPv6 fragments dropped: extension headers truncated, too many, a second fragment header, or an unfragmentable part over 256 bytes") \
	X(REASS6_UNFRAG, "reass6-unfrag-differs", "IPv6 fragments dropped: unfragmentable part unlike the datagram's other fragments") \
	X(REASS6_SHORT,	"reass6-short", "IPv6 fragments dropped: payload length beyond the frame, or no byte after the fragment header") \
	X(MOD_STATES,	"modulate-states", "TCP states whose creator's SYN got a random sequence number offset (modulate state)") \
	X(MOD_DEFERRED,	"modulate-deferred", "TCP ends given their offset at their first packet (modulate state, the other end)") \
	X(MODULATED,	"modulated",	"TCP packets whose sequence and ack numbers modulate state or synproxy state rewrote") \
	X(MOD_SACK,	"modulated-sack", "SACK blocks given back the numbers their receiver knows (modulate state)") \
	X(MOD_ICMP,	"modulated-icmp", "ICMP errors whose quoted TCP sequence number was given back its sender's numbers") \
	X(SP_SYNACK,	"synproxy-synack", "SYN|ACKs sluice sent a synproxy state's client (its SYN, or that SYN again)") \
	X(SP_OPEN,	"synproxy-connect", "SYNs sluice sent a synproxy state's server after its client's ACK") \
	X(SP_DONE,	"synproxy-established", "synproxy handshakes joined: the server answered, both ends ACKed") \
	X(SP_BAD,	"synproxy-bad",	"dropped (and counted as synproxy): did not fit a synproxy state's handshake") \
	X(SYNCOOKIE,	"syncookie",	"SYNs answered by sluice with a syncookie, no state made (set syncookies)") \
	X(SYNCOOKIE_VALID, "syncookie-valid", "ACKs of a syncookie: the SYN made again, filtered, proxied to the server") \
	X(SYNCOOKIE_REFUSED, "syncookie-refused", "dropped: the ACK of a syncookie whose SYN made again did not pass or made no state") \
	X(SYNCOOKIE_PORT, "syncookie-port", "SYNs not answered with a syncookie: a vlan or vether port (as synproxy), to the rules") \
	X(PKTRATE,	"max-pkt-rate",	"packets a max-pkt-rate rule did not match, or its state did not pass going its way: over the rule's rate") \
	X(ONCE,		"once-expired",	"once rules expired by the first packet they decided") \
	X(NAT66_ICMP,	"nat66-icmp-untranslated", "ICMPv6 errors about a NAT66 flow passed as they came: an extension header before the ICMPv6 header or in the quote, or a pending checksum offload") \
	X(RT_SET,	"route-to",	"packets pf gave the router a next hop for (route-to, reply-to, dup-to)") \
	X(RT_BRIDGED,	"route-to-bridged", "packets a route-to, reply-to or dup-to passed on a bridge member: bridged as they were (sluice routes only what its router forwards)") \
	X(RT_SKIPPED,	"route-to-skipped", "packets a route-to, reply-to or dup-to passed that sluice routes by the table: a pool of an interface's addresses") \
	X(MOD_KEPT,	"modulate-kept", "modulate or synproxy states kept as plain keep state: made by a packet that is not a bare SYN, synproxy going out or on a vlan or vether port, or with af-to") \
	X(AFTO,		"af-to",	"packets af-to gave a header of the other family (NAT64, NAT46), routed in it") \
	X(AFTO_DROP,	"af-to-dropped", "dropped: af-to could not translate them (a fragment, ICMP without a counterpart in the other family, a spent hop limit, a bridge member's packet)")

#define PF_C_ENUM(e, n, d)	PF_C_##e,
enum { PF_COUNTERS(PF_C_ENUM) PF_C__MAX };
/* pfctl -si shows pf's own (PFRES_*), up to no-route; stats shows all. */
#define PF_C__PFCTL	(PF_C_NOROUTE + 1)
#undef PF_C_ENUM
extern const char *const pf_counter_names[PF_C__MAX];
extern const char *const pf_counter_help[PF_C__MAX];

/* Per rule, as pfctl -vsr shows them. */
struct pf_rule_stats {
	uint64_t	 evaluations;
	uint64_t	 packets[2];	/* in, out */
	uint64_t	 bytes[2];
	uint32_t	 states_cur;
	uint32_t	 states_tot;
	uint32_t	 src_nodes;	/* for max-src-nodes */
};

/*
 * A source node (pf's struct pf_src_node): what one source address holds
 * under a rule with max-src-states, max-src-nodes, max-src-conn or
 * max-src-conn-rate (or source-track): its states, its completed TCP
 * connections and their rate (pf_threshold: count in thousandths, decaying
 * over `seconds').  Keyed on (address, rule), or on the address alone for
 * `source-track global'.  A state names its node in the state table's
 * aux word (node number + 1, PF_SRC_CONN when it counts as a connection).
 */
/*
 * pf's struct pf_threshold: a rate, as a count in thousandths that decays
 * linearly over `seconds' (max-src-conn-rate, max-pkt-rate).
 */
#define PF_THRESHOLD_MULT	1000
struct pf_threshold {
	uint32_t	 limit;		/* x 1000 */
	uint32_t	 seconds;
	uint32_t	 count;		/* x 1000 */
	uint32_t	 last;		/* dp->now seconds */
};

static inline void
pf_threshold_init(struct pf_threshold *t, uint32_t limit, uint32_t seconds,
    uint32_t now)
{
	t->limit = limit * PF_THRESHOLD_MULT;
	t->seconds = seconds;
	t->count = 0;
	t->last = now;
}

/* pf_add_threshold() */
static inline void
pf_threshold_add(struct pf_threshold *t, uint32_t now)
{
	uint32_t diff = now - t->last;

	if (t->seconds == 0 || diff >= t->seconds)
		t->count = 0;
	else
		t->count -= (uint32_t)((uint64_t)t->count * diff / t->seconds);
	t->count += PF_THRESHOLD_MULT;
	t->last = now;
}

/* pf_check_threshold() */
static inline int
pf_threshold_over(const struct pf_threshold *t)
{
	return t->count > t->limit;
}

struct pf_src_node {
	union acl_ip	 addr;
	uint32_t	 rule;		/* rule id, or PF_SRC_GLOBAL */
	uint32_t	 states;
	uint32_t	 conn;
	uint32_t	 creation;	/* dp->now seconds */
	uint32_t	 expire;	/* once states is 0 */
	struct pf_threshold rate;	/* of its connections */
	uint32_t	 timeout;	/* src.track of the rule, once linked */
	uint32_t	 next;		/* hash chain or free list: number + 1 */
	uint64_t	 packets;	/* of its states gone */
	uint64_t	 bytes;
	union acl_ip	 raddr[3];	/* sticky-address: what nat-to,
					   rdr-to, route-to gave it
					   ([PF_POOL_*], network order; IPv4
					   in w[0]); all 0: none */
	uint8_t		 af;		/* AF_INET, AF_INET6; 0: free */
};

/* Does node n keep an address for pool side k (sticky-address)? */
static inline int
pf_src_sticky(const struct pf_src_node *n, int k)
{
	return (n->raddr[k].w[0] | n->raddr[k].w[1] | n->raddr[k].w[2] |
	    n->raddr[k].w[3]) != 0;
}

#define PF_SRC_GLOBAL	0xffffffffu
#define PF_SRC_CONN	0x80000000u	/* aux: the state counted a connection */
#define PF_SRC_DEFAULT_LIMIT	10000	/* PFSNODE_HIWAT */
#define PF_DELAY_DEFAULT_LIMIT	10000	/* PF_PKTDELAY_MAXPKTS */
#define PF_TABLES_DEFAULT_LIMIT	1000	/* PFR_KTABLE_HIWAT */
#define PF_TENTRIES_DEFAULT_LIMIT 200000 /* PFR_KENTRY_HIWAT */
#define PF_ANCHORS_DEFAULT_LIMIT 512	/* PF_ANCHOR_HIWAT */
/* in acl_conf.limit[], pf_limit_names' order */
#define ACL_LIMIT_TABLES	3
#define ACL_LIMIT_TENTRIES	4
#define ACL_LIMIT_PKTDELAY	5
#define ACL_LIMIT_ANCHORS	6
uint32_t pf_conf_limit(const struct acl_conf *, int);

/* pfctl -vsi's "Limit Counters" (LCNT_*) */
enum { LCNT_STATES, LCNT_SRCSTATES, LCNT_SRCNODES, LCNT_SRCCONN,
	LCNT_SRCCONNRATE, LCNT_OVERLOAD_TABLE, LCNT_OVERLOAD_FLUSH,
	LCNT_SYNFLOODS, LCNT_SYNCOOKIES_SENT, LCNT_SYNCOOKIES_VALID,
	LCNT_MAX };

struct dp;
struct port;
struct acl_conf;
struct acl_anchor;
struct acl_classifier;
struct acl_tags;
struct acl_scrub;

/*
 * What pf keeps in a rule's pool between two mappings (struct pf_pool's
 * counter and tblidx): where round-robin and least-states go on from.
 * Per rule and pool side, in the ruleset: a load starts them again, a
 * compile for a table or address change carries them over.
 */
#define PF_POOL_NAT	0
#define PF_POOL_RDR	1
#define PF_POOL_ROUTE	2	/* route-to, reply-to, dup-to */
#define PF_POOL_SIDES	3

struct pf_pool_rt {
	uint32_t	 counter;	/* host order; 0: from the start */
	int32_t		 tblidx;	/* the table entry counter is in */
};

/* A table as a pool walks it: its IPv4 entries in pf's radix order. */
struct pf_ptab {
	uint32_t	*base;		/* host order, masked */
	uint32_t	*mask;
	uint8_t		*neg;
	uint32_t	*pos;		/* the entries not negated, by number */
	uint32_t	 n, npos;
	int		 nested;	/* an entry lies inside another */
	int		 built;
};

/* least-states: states per (pool, address), pf's pfrke_counters. */
struct pf_ls {
	uint64_t	 pool;		/* rule id << 1 | side; 0: free */
	union acl_ip	 addr;		/* network order; IPv4 in w[0] */
	uint32_t	 states;
};

/*
 * Per rule, what pf keeps in the rule itself and packets change: the rate
 * of max-pkt-rate, the expiry of once (PFRULE_EXPIRED).  A reload starts
 * them afresh, as pf's new rules do.
 */
struct pf_rule_live {
	struct pf_threshold pktrate;
	uint32_t	 adapt_start;	/* the rule's own adaptive.*: */
	uint32_t	 adapt_end;	/* 0 0: the global ones */
	uint8_t		 expired;
};

struct dp_pf_ruleset {
	struct acl_conf	*conf;
	struct acl_classifier **cls;	/* [port * 2 + (dir == out)] */
	uint16_t	 nports;
	uint32_t	*anchor_base;	/* first stat index of each anchor */
	uint32_t	 nstats;
	struct pf_rule_stats *stats;
	struct pf_rule_stats *stats_view; /* dp_pf_stats_view() */
	uint64_t	*evals;		/* packets evaluated per classifier */
	uint8_t		*skip;		/* per port: set skip on */
	uint8_t		*tmo;		/* per rule: its states' timeout set */
	struct pf_rule_live *live;	/* per rule */
	uint8_t		 pktrate;	/* some rule has max-pkt-rate */
	uint8_t		 osfp;		/* some rule has os: fingerprint SYNs */
	struct pf_pool_rt *pools;	/* [PF_POOL_SIDES * rule + side] */
	struct pf_ptab	*ptabs;		/* per conf table, built on use */
	size_t		 nptabs;
	uint8_t		 reass;		/* PF_REASS_*: set reassemble */
	uint8_t		 mtabs;		/* a match rule names a table */
	struct pf_rtab	*rtab;		/* per rule; NULL: no rule names one */
	struct acl_ltable **tidx;	/* per conf table, built on use */
	size_t		 ntidx;
};

/*
 * The tables a rule's from and to name (index in conf->tables, -1:
 * none), and whether the rule says `! <table>': what pf_counters_inc()
 * counts a packet the rule decided on (pfr_update_stats()).
 */
struct pf_rtab {
	int32_t		 tab[2];	/* from, to */
	uint8_t		 neg[2];
};

/*
 * A fragmented IPv4 datagram whose first fragment passed by a state: its
 * later fragments, which carry no ports and so no state key, follow that
 * state (pass, counters, address translation).  Keyed as the fragments
 * are seen here: addresses, IP id, protocol, port and direction.  A small
 * set-associative table; an entry lives until the last fragment (MF
 * clear) passes or `set timeout frag' runs out.
 */
struct pf_frag {
	uint32_t	 src;		/* network order, as on the wire here */
	uint32_t	 dst;
	uint32_t	 state;		/* state number + 1; 0: free */
	uint32_t	 expire;
	uint16_t	 id;
	uint16_t	 port;
	uint8_t		 proto;
	uint8_t		 dir;
};

/*
 * A datagram being reassembled (set reassemble yes, pf's default; pf's
 * pf_fragment): IPv4 keyed as pf keys it (addresses, IP id, protocol,
 * direction), IPv6 by addresses and the Fragment header's id (protocol
 * 0, as pf_ip6hdr2key() has it), both by port too, since sluice runs pf
 * on each port a frame crosses where a kernel has one stack.  The
 * payload is copied into a packet buffer of the pool at its offset;
 * fr[] are the byte ranges held, which never overlap.  A datagram
 * dropped (overlap, too many fragments, a bad one) keeps its entry,
 * without buffer, until `timeout frag', so that the rest of it is
 * dropped too (RFC 5722).
 *
 * hdr holds the IPv4 header of the first fragment, or for IPv6 the
 * unfragmentable part (IPv6 header and the extension headers before the
 * Fragment header) of the first fragment seen, which every other one
 * must repeat; the offset-0 fragment's IPv6 header replaces its first
 * 40 bytes.
 */
#define PF_REASS_YES	0x01	/* ACL_REASS_ENABLED */
#define PF_REASS_NODF	0x02	/* ACL_REASS_NODF */
#define PF_REASS_MAX	64	/* datagrams in flight at most: pool buffers */
#define PF_REASS_FRAGS	64	/* PF_FRAG_ENTRY_LIMIT */
#define PF_REASS_HDR	256	/* IPv6 unfragmentable part we keep */
#define PF_FRAGS_DEFAULT_LIMIT	65536	/* set limit frags: pfctl -sm */

struct pf_reass {
	struct pkt	*buf;		/* payload at buf->buf; NULL: dead */
	uint8_t		 src[16];	/* network order; IPv4: 4 bytes */
	uint8_t		 dst[16];
	uint32_t	 id;		/* IPv4: 16 bits */
	uint32_t	 expire;
	uint32_t	 total;		/* payload bytes, once the last came */
	uint32_t	 have;		/* payload bytes held */
	uint16_t	 port;
	uint16_t	 hlen;		/* of hdr; 0: not yet */
	uint16_t	 nhoff;		/* IPv6: hdr's byte that named 44 */
	uint16_t	 maxlen;	/* IPv6: largest fragment's payload */
	uint8_t		 af;		/* 4 or 6 */
	uint8_t		 proto;		/* IPv4; IPv6: 0 */
	uint8_t		 nxt;		/* IPv6: offset 0's next header */
	uint8_t		 dir;
	uint8_t		 used;
	uint8_t		 nfr;
	uint8_t		 hdr[PF_REASS_HDR];
	struct {
		uint32_t off, end;
	}		 fr[PF_REASS_FRAGS];
};

#define PF_FRAG_WAYS	4
#define PF_FRAG_SETS	256	/* 1024 datagrams in flight */

/* set syncookies (pf_syncookies.c's state; dp_pfsyncookie.c) */
#define PF_SYNCOOKIES_NEVER	0
#define PF_SYNCOOKIES_ALWAYS	1
#define PF_SYNCOOKIES_ADAPTIVE	2

struct pf_syncookies {
	uint8_t		 mode;		/* PF_SYNCOOKIES_* */
	uint8_t		 active;	/* SYNs get cookies now */
	uint8_t		 oddeven;	/* the key cookies are made with */
	uint8_t		 recreating;	/* a SYN made again is in pf */
	uint32_t	 hiwat, lowat;	/* half-open states: start, end */
	uint32_t	 halfopen;	/* adaptive: counted each second */
	uint32_t	 inflight[2];	/* cookies sent, not ACKed, per key */
	uint32_t	 rotate_at;	/* next key (dp->now), 0: none */
	uint64_t	 key[2][2];	/* SipHash keys */
};

/*
 * What pf counts per interface (pfik_packets, pfik_bytes): every IP packet
 * pf tests there, by family, direction and whether it passed.
 */
struct pf_ifstats {
	uint64_t	 packets[2][2][2];	/* [inet6][out][blocked] */
	uint64_t	 bytes[2][2][2];
};

struct dp_pf {
	int		 enabled;
	struct dp_pf_ruleset *rs;	/* NULL: no rules, everything passes */
	struct pf_ifstats *ifstats;	/* per port (DP_MAX_PORTS) */
	uint32_t	 ifs_tzero;	/* their counting began (pfctl -vvsI) */
	struct acl_tags	*tags;
	struct acl_tags	*qnames;	/* queue names by number (qid) */
	struct state_table states;
	uint64_t	 c[PF_C__MAX];
	uint64_t	 blocked;	/* dropped by a block rule (stats) */
	uint64_t	 since;		/* enabled at, ns */
	uint32_t	 purge_tick;
	uint32_t	 pid;
	uint32_t	 prefetch_min;	/* states before bursts are prefetched */
	/*
	 * The port pf_nat_hook() chose while the rules of this packet ran,
	 * for the state dp_pf_test() then makes of it: one pick, not two.
	 * Valid within one dp_pf_test() only.
	 */
	struct {
		struct state_key key;	/* translated, before the pick */
		const struct acl_pool *pool;
		uint16_t	 port;
		int		 valid;
	}		 nat_memo;
	/*
	 * The addresses the pools gave this packet, so that a pool the
	 * classifier's hook mapped (a match rule's nat-to) is not mapped
	 * again when the state is made: round-robin moves once.  pool_dry:
	 * explain asks, nothing moves (pools, rule rates).  pool_pkt: the
	 * packet, for traces.
	 */
	struct {
		const struct acl_pool *pool;
		uint32_t	 addr;
		uint32_t	 sticky;	/* a source node gave it */
	}		 pool_memo[PF_POOL_SIDES];
	int		 pool_dry;
	struct pkt	*pool_pkt;
	int		 rt_used;	/* a state has had a route-to */
	struct pf_ls	*ls;		/* least-states: open addressing */
	uint32_t	 ls_cap, ls_used;
	/*
	 * The scrub options states keep: each distinct set once, so a state
	 * holds a 16-bit number (state_cold.scrub).  The table only grows,
	 * so a reload never renumbers what live states hold.  A set's
	 * delay is in ms: the rule set's number for it (the scrub flags')
	 * means nothing after a reload.
	 */
	struct pf_scrubset *scrubs;	/* dp_pf.c */
	/* set delay: the packets waiting (dp_pfdelay.c), a heap */
	struct pf_delayed *dly;
	uint32_t	 ndly, dly_cap;
	uint32_t	 dly_limit;	/* set limit pktdelay-pkts */
	uint64_t	 dly_seq;
	uint32_t	*scrub_index;	/* open addressing: number + 1 */
	uint32_t	 nscrubs, scrub_slots;
	uint32_t	 rnd;		/* random-id's xorshift32 state */
	uint32_t	 isn_seed;	/* tests: ISNs from xorshift32, not arc4random() */
	/* source nodes: an array, hash chains through next, a free list */
	struct pf_src_node *src;
	uint32_t	*src_hash;	/* src_cap * 2 heads: number + 1 */
	uint32_t	 src_cap, src_count, src_free, src_used;
	uint32_t	 src_limit;	/* set limit src-nodes */
	/* set limit tables, table-entries, anchors: of a rule set, and
	 * what pfctl -T may add to it */
	uint32_t	 tables_limit, tentries_limit, anchors_limit;
	uint64_t	 src_searches, src_inserts, src_removals;
	uint64_t	 lcounters[LCNT_MAX];
	struct pf_frag	*frags;		/* PF_FRAG_SETS * PF_FRAG_WAYS */
	uint64_t	 frag_searches;	/* for pfctl -vsi's "Fragments" */
	uint64_t	 frag_inserts;
	struct pf_reass	*reass;		/* PF_REASS_MAX */
	uint32_t	 reass_count;	/* entries in use, dead ones too */
	uint32_t	 reass_frags;	/* fragments held: set limit frags */
	uint32_t	 frag_limit;	/* set limit frags */
	uint32_t	 reass_max;	/* datagrams: min(frag_limit, 64) */
	uint64_t	 reass_searches, reass_inserts, reass_removals;
	struct pf_syncookies sc;
};

/*
 * Below this many states the table and its index stay in the caches and
 * a burst's prefetch pass costs more than it saves (~10 ns a packet for
 * the extra parse); SLUICE_PREFETCH_MIN overrides it (0: every burst, as
 * the test suites run it so that the batched path is what they test).
 */
#define DP_PF_PREFETCH_MIN	8192

#define PF_PASS	0
#define PF_DROP	1

int	 dp_pf_init(struct dp *);
void	 dp_pf_fini(struct dp *);
int	 dp_pf_load(struct dp *, const char *, FILE *);
int	 dp_pf_tables_load(struct dp *, const char *, FILE *);
int	 dp_pf_table_insert(struct dp *, const char *, const char *, uint8_t,
	    const union acl_ip *);
int	 dp_pf_table(struct dp *, const char *, const char *, const char *,
	    int, char **, int, FILE *);
void	 dp_pf_show_tables(struct dp *, const char *, int, FILE *);
int	 dp_pf_tables_flush(struct dp *, const char *, FILE *);
void	 dp_pf_tables_prune(struct acl_conf *);
int	 dp_pf_tables_carry(const struct acl_conf *, struct acl_conf *,
	    uint32_t);
int	 dp_pf_tables_index(struct dp_pf_ruleset *);
void	 dp_pf_tables_index_free(struct dp_pf_ruleset *);
void	 dp_pf_tables_count(struct dp_pf_ruleset *, uint32_t, int, int,
	    uint8_t, const union acl_ip *, const union acl_ip *, uint64_t);
void	 dp_pf_tables_why(struct dp_pf_ruleset *, uint32_t, uint8_t,
	    const union acl_ip *, const union acl_ip *, char *, size_t);
void	 dp_pf_show_ifaces(struct dp *, const char *, int, FILE *);
void	 dp_pf_print_cleared(FILE *, const struct dp *, uint32_t);
int	 dp_pf_parse_net(const char *, uint8_t *, union acl_ip *, int *);
int	 dp_pf_test(struct dp *, struct port *, int, struct pkt *);
void	 dp_pf_tick(struct dp *);
uint32_t dp_pf_state_expiry(const struct dp_pf *, const struct state *);
uint32_t dp_pf_state_expires_in(const struct dp_pf *, const struct state *,
	    uint32_t);
int	 dp_pf_ctl(struct dp *, int, char **, FILE *);
void	 dp_pf_state_gone(struct dp *, struct state *);
void	 dp_pf_stats_view(struct dp *);
void	 dp_pf_rule_where(struct dp *, uint32_t, int *, uint32_t *);
int	 dp_pf_anchor_call(const struct acl_conf *, const struct acl_anchor *);
int	 dp_pf_flush_rules(struct dp *, FILE *);
void	 dp_pf_clear_stats(struct dp *);
void	 dp_pf_clear_iface_flags(struct dp *);
int	 dp_pf_recompile(struct dp *, FILE *);
int	 dp_pf_explain(struct dp *, int, char **, FILE *);
struct pf_rule_stats *dp_pf_stats(struct dp_pf *, uint32_t);
const struct acl_rule *dp_pf_rule(struct dp_pf *, uint32_t,
	    const struct acl_anchor **);

/* dp_pfreass.c: IPv4 and IPv6 reassembly (set reassemble yes) */
struct l3info;
int	 dp_pf_reass(struct dp *, const struct port *, int, struct pkt *,
	    struct l3info *);
int	 dp_pf_reass6(struct dp *, const struct port *, int, struct pkt *,
	    struct l3info *);
void	 dp_pf_reass_limit(struct dp_pf *, uint32_t);
void	 dp_pf_reass_tick(struct dp *);
void	 dp_pf_reass_flush(struct dp *);

/* Does pf reassemble (the loaded rules say, or pf's default, yes)? */
static inline int
dp_pf_reassembles(const struct dp_pf *pf)
{
	return pf->rs == NULL || (pf->rs->reass & PF_REASS_YES);
}

/* dp_pfpool.c: translation pools (pf_map_addr()) */
#define PF_POOL_OK	0
#define PF_POOL_FAIL	1	/* no address for this packet */
#define PF_POOL_EMPTY	2	/* a table, list or interface without one */
int	 dp_pf_pool_map6(struct dp *, const struct acl_rule *, int,
	    const uint8_t *, const uint8_t *, uint8_t *, int *, char *,
	    size_t);
uint32_t dp_pf_pool_map(struct dp *, const struct acl_rule *, int,
	    const uint8_t *, const uint8_t *, uint32_t, int *, char *, size_t);
int	 dp_pf_pool_rule(const struct dp_pf_ruleset *, const struct acl_rule *,
	    uint32_t *, const char **);
void	 dp_pf_pool_free(struct dp_pf_ruleset *);
int	 dp_pf_pool_alloc(struct dp_pf_ruleset *);
void	 dp_pf_ls_add(struct dp_pf *, uint32_t, int, const union acl_ip *,
	    int);
int	 dp_pf_masklen(const union acl_ip *);
void	 dp_pf_ls_clear(struct dp_pf *);
uint64_t dp_pf_pool_hash(const uint32_t[4], const uint8_t[4]);
uint32_t dp_pf_rule_key(uint32_t);

/* dp_pfsrc.c: source nodes */
struct state;
struct l3info;
struct pkt;
int	 dp_pf_src_get(struct dp *, const struct acl_rule *, uint32_t, int,
	    const union acl_ip *, uint32_t *, const char **);
void	 dp_pf_src_link(struct dp *, struct state *, uint32_t);
void	 dp_pf_src_unlink(struct dp_pf *, struct state *);
int	 dp_pf_src_connlimit(struct dp *, struct state *, const char **);
void	 dp_pf_src_purge(struct dp *);
void	 dp_pf_src_flush(struct dp_pf *);
void	 dp_pf_show_src_nodes(struct dp *, int, FILE *);
struct pf_src_node *dp_pf_src_find(struct dp_pf *, int, const union acl_ip *,
	    uint32_t);

/* dp_pfsyncookie.c: set syncookies */
struct port;
struct state_key;
void	 dp_pf_syncookies_set(struct dp *, const struct acl_conf *, uint32_t);
void	 dp_pf_syncookies_tick(struct dp *);
uint32_t dp_pf_halfopen(const struct dp_pf *);
int	 dp_pf_syncookie_syn(struct dp *, struct pkt *, const struct l3info *,
	    struct port *);
int	 dp_pf_syncookie_ack(struct dp *, struct pkt *, const struct l3info *,
	    struct port *, const struct state_key *, uint16_t,
	    struct state **);

/* dp_pftcpscrub.c: scrub (reassemble tcp) */
int	 dp_pf_tscrub_new(struct dp *, struct state *, struct pkt *,
	    const struct l3info *, const struct port *, int);
int	 dp_pf_tscrub(struct dp *, struct state *, struct pkt *,
	    const struct l3info *, uint32_t, const struct port *, int);

/* dp_pfafto.c: af-to (NAT64, NAT46) */
struct pf_afto {
	uint8_t		 af;		/* 4 or 6: the family it gets */
	uint8_t		 src[16];	/* network order; IPv4: 4 bytes */
	uint8_t		 dst[16];
	uint16_t	 sport;		/* host order; ICMP: the echo id */
	uint16_t	 dport;
};
enum {
	PF_AFTO_OK,
	PF_AFTO_FRAG,		/* a fragment, or no transport header */
	PF_AFTO_TTL,		/* its hop limit ran out */
	PF_AFTO_ICMP,		/* ICMP that is not an echo */
	PF_AFTO_ROOM		/* no headroom, or too long for IPv6 */
};
/* An ICMP error's: its outer header's (outer.src, outer.dst) and its
 * quoted packet's addresses and ports (an echo's id in isport). */
struct pf_afto_err {
	struct pf_afto	 outer;
	uint8_t		 isrc[16];
	uint8_t		 idst[16];
	uint16_t	 isport;
	uint16_t	 idport;
};
int	 dp_pf_afto_icmp(struct dp *, struct pkt *, const struct l3info *,
	    const struct pf_afto_err *);
void	 dp_pf_nat64_extract(const uint8_t *, int, uint8_t *);
void	 dp_pf_nat64_embed(const uint8_t *, int, const uint8_t *, uint8_t *);
int	 dp_pf_afto(struct dp *, struct pkt *, const struct l3info *,
	    const struct pf_afto *);

/* dp_pf.c, for the files above */
uint32_t dp_pf_random(struct dp_pf *);
uint32_t dp_pf_tcp_paylen(const struct pkt *, const struct l3info *);
void	 dp_pf_tcp_answer(struct dp *, const struct pkt *,
	    const struct l3info *, const struct acl_rule *, uint16_t,
	    uint32_t, uint32_t, uint8_t, uint16_t, uint16_t);
void	 dp_pf_tcp_build(struct pkt *, uint32_t, int, const void *,
	    const void *, uint16_t, uint16_t, uint32_t, uint32_t, uint8_t,
	    uint16_t, uint16_t);

#endif /* DP_DP_PF_H */
