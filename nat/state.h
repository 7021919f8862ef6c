/*
 * The state table, as pf(4) keeps it.
 *
 * A state has two keys: the WIRE key (the flow as it is on the wire of
 * the interface that created the state) and the STACK key (the flow as the
 * other side of a translation sees it; equal to WIRE without NAT).  Keys
 * are oriented by direction as pf orients them: for a packet going in,
 * addr[0]/port[0] is its source; going out, addr[0]/port[0] is its
 * destination.  Both directions of one flow therefore give the same key on
 * one side, and a packet going in is looked up among WIRE keys, going out
 * among STACK keys.  A flow forwarded from one interface to another meets
 * two states: one `in` on the first, one `out` on the second (pf does the
 * same; a state created in does not cover the packet going out).
 *
 * Memory: a state is one cache line (struct state, 64 bytes) in an
 * array allocated at `set limit states` (no malloc per state, pages
 * touched only as states are first used).  It holds what a packet that
 * hits it reads and writes: IPv4 keys, counters, expiry, tracking.  What
 * only the views read (creation time, the high 16 bits of the 48-bit
 * packet counters) sits in a parallel array of 24-byte records, with the
 * pf tag of the few states that have one (a flag in the state says so,
 * so an untagged hit never reads the record), and an IPv6
 * state's addresses in a third, which costs memory only where IPv6
 * states live.  The index is open addressing over 8-byte slots (32-bit
 * hash tag + state number + which keys), four slots per state, so at
 * most half full even when every state is translated (two slots): a
 * probe, hit or miss, rarely leaves its first cache line.
 * IPv4: 64 + 24 + 32 = 120 bytes a state.  A TCP state's sequence
 * windows (struct state_tcp, 24 bytes) sit in a fourth array that only
 * TCP states touch: 144 bytes a TCP state.
 *
 * A hit costs the hash (xxHash of a 16-byte key), one index line and the
 * state's line.  At a million states both miss every cache, so batches
 * are looked up in three passes (state_prefetch(), state_prefetch2(),
 * then the lookups) and the misses of a batch overlap.  The second pass
 * leaves each key a hint, the state its index line named; the lookup
 * checks that state's key first and probes only when it does not fit.
 *
 * Time is passed in (seconds), so tests drive expiry with a fake clock.
 */
#ifndef NAT_STATE_H
#define NAT_STATE_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "acl/pf_ast.h"

#define STATE_WIRE	0
#define STATE_STACK	1

#define STATE_DIR_IN	1	/* = ACL_IN */
#define STATE_DIR_OUT	2	/* = ACL_OUT */

#define STATE_DEFAULT_LIMIT	100000	/* PFSTATE_HIWAT */

/* TCP peer states, numbered as pfctl prints them (tcpstates[]). */
enum {
	TCPS_CLOSED, TCPS_LISTEN, TCPS_SYN_SENT, TCPS_SYN_RECEIVED,
	TCPS_ESTABLISHED, TCPS_CLOSE_WAIT, TCPS_FIN_WAIT_1, TCPS_CLOSING,
	TCPS_LAST_ACK, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT
};
/* A synproxy state's creator while pf answers for the server
 * (PF_TCPS_PROXY_SRC/_DST): out of the range tcpstates[] names. */
#define TCPS_PROXY_SRC	254
#define TCPS_PROXY_DST	255
/* UDP and other protocols: PFUDPS_* / PFOTHERS_*. */
enum { PEER_NO_TRAFFIC, PEER_SINGLE, PEER_MULTIPLE };

/* A flow as callers build it (state_key_make()) and read it back
 * (state_key_get()); the table stores it more compactly. */
struct state_key {
	uint8_t		 af;
	uint8_t		 proto;
	uint16_t	 port[2];	/* network order; ICMP id in both */
	union acl_ip	 addr[2];
};

struct state_k4 {
	uint32_t	 addr[2];	/* network order; IPv6: see state_v6 */
	uint16_t	 port[2];
};

struct state {
	uint64_t	 bytes[2];	/* [0] from the creator's side */
	struct state_k4	 k[2];		/* STATE_WIRE, STATE_STACK */
	uint32_t	 expire;
	uint32_t	 rule;		/* rule number in the flat ruleset */
	uint32_t	 packets[2];	/* low halves: state_packets() */
	uint16_t	 ifindex;	/* 0: floating */
	uint8_t		 proto;
	uint8_t		 flags;
#define STATE_F_USED	0x01
#define STATE_F_NAT	0x02		/* WIRE and STACK differ */
#define STATE_F_OUT	0x04		/* created going out (else in) */
#define STATE_F_INET6	0x08		/* addresses in state_table.v6 */
#define STATE_F_TAGGED	0x10		/* its packets get state_cold.tag */
#define STATE_F_LOGALL	0x20		/* its rule says log (all) */
#define STATE_F_SCRUB	0x40		/* its packets get state_cold.scrub */
#define STATE_F_SLOPPY	0x80		/* keep state (sloppy): no windows */
	uint8_t		 timeout;	/* enum acl_timeout in force */
	uint8_t		 tmo_set;	/* which timeout table */
	uint8_t		 src_state;	/* the creator's peer */
	uint8_t		 dst_state;
} __attribute__((aligned(64)));

/* What only the views read, one per state, and a tagged state's tag. */
struct state_cold {
	uint32_t	 creation;
	uint16_t	 packets_hi[2];	/* 48-bit packet counts */
	uint16_t	 tag;		/* pf's tag, with STATE_F_TAGGED */
	uint16_t	 scrub;		/* dp_pf.scrubs[], with STATE_F_SCRUB */
	union {
		uint32_t next_free;	/* free list link while unused */
		uint32_t match_rule;	/* the owner's: pf's match rule */
	};
	uint32_t	 rt;		/* the owner's: route-to's IPv4 next
					   hop (network order; IPv6: in
					   state_v6) */
	uint8_t		 rt_kind;	/* ... ACL_RT_*, 0: none */
	uint8_t		 pflow;		/* keep state (pflow): exported */
	uint16_t	 ifin;		/* the interface it was made on: the
					   port's ifconfig index (pflow's
					   if_index_in), 0: none */
};

/*
 * An IPv6 state's keys, and an af-to state's (pf's NAT64: one key of
 * each family, af[] says which; an IPv4 key's addresses are in w[0] of
 * addr[which][]).  An af-to state is created going in, and both its keys
 * are looked up going in (pf_find_state()): the WIRE key as the packets
 * of its creator come, the STACK key (oriented the other way round, as
 * pf_state_key_setup() makes it) as the replies come in on the other
 * family's interface.  Going out no lookup finds it.
 */
struct state_v6 {
	union acl_ip	 addr[2][2];	/* [WIRE/STACK][0/1] */
	union acl_ip	 rt;		/* the owner's: route-to's next hop
					   (with state_cold.rt_kind) */
	uint8_t		 af[2];		/* [WIRE/STACK]: AF_INET6, or AF_INET */
	uint8_t		 proto[2];	/* [WIRE/STACK]: ICMP is ICMPV6 across */
};

/*
 * One end of a TCP connection as pf's window tracking knows it
 * (struct pf_state_peer): seqlo is the highest sequence number it has
 * sent (+ its length), seqhi the highest the other end's window lets it
 * send, max_win its largest window (in units of its own scale).
 * seqlo 0 means the end has not sent yet.
 */
#define STATE_WSCALE_FLAG	0x80	/* its SYN carried a window scale */
#define STATE_WSCALE_MASK	0x0f
#define STATE_WSCALE_MAX	14	/* TCP_MAX_WINSHIFT */

struct state_peer {
	uint32_t	 seqlo;
	uint32_t	 seqhi;
	uint16_t	 max_win;
	uint8_t		 wscale;	/* STATE_WSCALE_FLAG | shift */
	uint8_t		 flags;		/* peer[0] only: STATE_TCP_* */
};

/*
 * modulate state and synproxy state: each end's sequence numbers on the
 * wire are its own plus a random offset (pf's seqdiff), so a host
 * behind pf with guessable ISNs is not guessable outside.  The windows
 * stay in each end's own numbers.  The offsets sit in an array of their
 * own, touched only by the states that modulate (peer[0].flags says so),
 * so every other TCP state costs what it did.
 */
#define STATE_TCP_MOD	0x01		/* t->mod[state] holds the offsets */
#define STATE_TCP_TSCRUB 0x02		/* t->tscrub[state]: reassemble tcp */

struct state_mod {
	uint32_t	 seqdiff[2];	/* [peer]: 0 until that end has one */
};

/*
 * scrub (reassemble tcp), pf_norm.c's struct pf_state_scrub for each end
 * of a state whose scrub says so (peer[0].flags STATE_TCP_TSCRUB): the
 * highest TTL that end has sent (its later packets get it), and its
 * timestamps, modulated by a random offset and checked as RFC 1323's
 * PAWS allows.  In an array of their own, touched by those states only.
 */
struct state_tscrub_peer {
	uint64_t	 last_us;	/* when its last timestamp came */
	uint32_t	 ts_mod;	/* added to its TSval on the wire */
	uint32_t	 tsval0;	/* its lowest TSval */
	uint32_t	 tsval;		/* its highest */
	uint32_t	 tsecr;		/* the highest it echoed */
	uint8_t		 ttl;
	uint8_t		 flags;		/* STATE_TS_* */
};
#define STATE_TS_INIT		0x01	/* set up (pf: peer->scrub != NULL) */
#define STATE_TS_TIMESTAMP	0x02	/* PFSS_TIMESTAMP */
#define STATE_TS_PAWS		0x04	/* PFSS_PAWS: a TS was echoed */
#define STATE_TS_PAWS_IDLED	0x08	/* PFSS_PAWS_IDLED */
#define STATE_TS_DATA_TS	0x10	/* PFSS_DATA_TS */
#define STATE_TS_DATA_NOTS	0x20	/* PFSS_DATA_NOTS */

struct state_tscrub {
	struct state_tscrub_peer peer[2];
};

/* A TCP state's two ends: [0] the one whose packet made the state. */
struct state_tcp {
	struct state_peer peer[2];
};

/* A TCP segment as the tracking reads it, host order. */
struct state_seg {
	uint32_t	 seq;
	uint32_t	 ack;
	uint32_t	 len;		/* payload bytes */
	uint16_t	 win;
	uint8_t		 flags;
	uint8_t		 wscale;	/* a SYN's option: FLAG | shift, or 0 */
};

/*
 * What state_update() and state_track_tcp() say of a packet.  The
 * negative ones drop it; STATE_REUSE also wants the state removed and
 * STATE_BAD_RST a RST sent back (seq = the packet's ack).
 */
enum {
	STATE_BAD_RST = -3,	/* out of window during the handshake */
	STATE_BAD = -2,		/* out of the windows: pf's BAD state */
	STATE_REUSE = -1,	/* a SYN on a closed connection's state */
	STATE_PASS = 0,
	STATE_ESTABLISHED = 1,	/* this packet completed the handshake */
	STATE_LOOSE = 2		/* passed by pf's loose state match */
};

/* Which of pf_tcp_track_full()'s checks failed (its "State failure on"
 * digits 1-4, then 5: a RST whose sequence number is not exact). */
#define STATE_FAIL_SEQHI	0x01	/* ends beyond the window */
#define STATE_FAIL_SEQLO	0x02	/* more than a window back */
#define STATE_FAIL_ACKLO	0x04	/* acks data more than a window old */
#define STATE_FAIL_ACKHI	0x08	/* acks data not sent yet */
#define STATE_FAIL_RST		0x10	/* RST not at the expected number */

/* X(enum, name, meaning): counters, as pfctl -si names them. */
#define STATE_COUNTERS(X)						\
	X(SEARCHES,	"searches",	"state lookups")		\
	X(INSERTS,	"inserts",	"states created")		\
	X(REMOVALS,	"removals",	"states removed")		\
	X(LIMIT,	"state-limit",	"states refused: set limit states reached") \
	X(INSERT_FAIL,	"state-insert",	"states refused: the key is taken") \
	X(MISMATCH,	"state-mismatch", "TCP packets outside their state's sequence windows (pf's BAD state)") \
	X(LOOSE,	"state-loose",	"TCP packets passed by pf's loose state match (an end not heard yet, or closing)") \
	X(HSRST,	"state-handshake-rst", "RSTs sent for a packet outside the windows during the handshake") \
	X(STALE_TAG,	"stale-tag",	"lookups whose burst tag no longer fit the frame (a second probe)") \
	X(REUSE,	"state-reuse",	"dropped: a SYN on a closed TCP state, which was removed (the SYN sent again makes a new one)")

#define STATE_C_ENUM(e, n, d)	STATE_C_##e,
enum { STATE_COUNTERS(STATE_C_ENUM) STATE_C__MAX };
#undef STATE_C_ENUM
extern const char *const state_counter_names[STATE_C__MAX];
extern const char *const state_counter_help[STATE_C__MAX];

#define STATE_TMO_SETS	64

struct state_table {
	struct state	*st;		/* limit entries */
	struct state_cold *cold;	/* limit entries */
	struct state_v6	*v6;		/* limit entries, touched for IPv6 */
	struct state_tcp *tcp;		/* limit entries, touched for TCP */
	struct state_mod *mod;		/* limit entries, touched if modulated */
	struct state_tscrub *tscrub;	/* limit entries, reassemble tcp only */
	/*
	 * One word a state for the owner (the dataplane: its source node),
	 * touched only once the owner sets aux_used; a state's word is 0
	 * when it is made and cleared when it goes.
	 */
	uint32_t	*aux;
	int		 aux_used;
	uint32_t	 free;		/* first free state, or STATE_NONE */
	uint32_t	 used;		/* states ever handed out: the rest are fresh */
	uint32_t	 limit;
	uint32_t	 count;
	uint64_t	*slots;		/* tag << 32 | (state number + 1) << 2 | which */
	uint32_t	 nslots;
	uint32_t	 purge_pos;
	uint32_t	 full_scan;	/* when a full table last looked for expired states */
	uint32_t	 ntmo;
	uint32_t	 tmo[STATE_TMO_SETS][ACL_TM_MAX];
	uint64_t	 c[STATE_C__MAX];
	/* told of each state state_purge() removes (the owner's counts) */
	int		(*gone)(struct state *, void *);
	void		*gone_arg;
};

#define STATE_NONE	0xffffffffu

int	 state_table_init(struct state_table *, uint32_t);
void	 state_table_fini(struct state_table *);
int	 state_table_resize(struct state_table *, uint32_t);
void	 state_default_timeouts(uint32_t *);
int	 state_tmo_set(struct state_table *, const uint32_t *, uint64_t);

void	 state_key_make(struct state_key *, uint8_t, uint8_t,
	    const union acl_ip *, const union acl_ip *, uint16_t, uint16_t,
	    int);
struct state *
	 state_lookup(struct state_table *, const struct state_key *, int,
	    uint16_t, uint32_t);
struct state *
	 state_lookup_key(struct state_table *, const struct state_key *, int,
	    uint16_t, uint32_t);
struct state *
	 state_insert(struct state_table *, const struct state_key *,
	    const struct state_key *, int, uint16_t, uint32_t, int, uint32_t);
void	 state_remove(struct state_table *, struct state *);
int	 state_update(struct state_table *, struct state *, int, uint8_t,
	    uint32_t, uint32_t);
void	 state_tcp_init(struct state_table *, struct state *,
	    const struct state_seg *);
int	 state_track_tcp(struct state_table *, struct state *, int,
	    const struct state_seg *, uint32_t, uint32_t, uint8_t *);
void	 state_tcp_modulate_init(struct state_table *, struct state *,
	    uint32_t);
int	 state_tcp_modulate(struct state_table *, struct state *, int,
	    struct state_seg *, uint32_t (*)(void *), void *, uint32_t *,
	    uint32_t *, uint32_t *);
uint32_t state_tcp_seqdiff(const struct state_table *, const struct state *,
	    int);
uint32_t state_icmp_seqdiff(const struct state_table *, const struct state *,
	    int);
void	 state_synproxy_done(struct state_table *, struct state *);
int	 state_icmp_seq_ok(const struct state_table *, const struct state *,
	    int, uint32_t);
uint32_t state_purge(struct state_table *, uint32_t, uint32_t);
void	 state_flush(struct state_table *);
uint32_t state_expires_in(const struct state *, uint32_t);
int	 state_walk(struct state_table *, int (*)(struct state *, void *),
	    void *);

void	 state_key_get(const struct state_table *, const struct state *, int,
	    struct state_key *);
uint64_t state_packets(const struct state_table *, const struct state *,
	    int);
size_t	 state_bytes_per_state(const struct state_table *);

/*
 * Batched lookups: a key's tag (the part of its hash the index uses),
 * then its index line fetched, then its state (state_prefetch2() returns
 * it as a hint: state number + 1, 0 for none), then the lookup by tag and
 * hint.  state_tags4() gives state_tag() of the IPv4 keys made from these
 * fields going in and going out, with one hash.
 */
uint32_t state_tag(const struct state_key *);
void	 state_tags4(uint8_t, const void *, const void *, uint16_t,
	    uint16_t, uint32_t[2]);
void	 state_prefetch(const struct state_table *, uint32_t);
uint32_t state_prefetch2(const struct state_table *, uint32_t);

/* An IPv4 packet's flow as its header has it, for state_prefetch4(). */
struct state_flow4 {
	uint32_t	 src, dst;	/* network order */
	uint16_t	 sport, dport;	/* network order; ICMP: the id */
	uint8_t		 proto;
};
/* Both passes for N flows that will be looked up going DIRS (STATE_DIR_*
 * bits): tag[i] as state_tags4() gives them, hint[i] as
 * state_prefetch2() (0 for a direction not asked for). */
void	 state_prefetch4(const struct state_table *,
	    const struct state_flow4 *, int, int, uint32_t (*)[2],
	    uint32_t (*)[2]);
/* The first pass alone for one flow: its tags, its index line asked for. */
void	 state_prefetch_flow4(const struct state_table *,
	    const struct state_flow4 *, int, uint32_t[2]);
struct state *
	 state_lookup_tag_probe(struct state_table *, const struct state_key *,
	    uint32_t, int, uint16_t, uint32_t);

static inline int
state_expired(const struct state *s, uint32_t now)
{
	return (int32_t)(now - s->expire) >= 0;
}

/* May a packet on IFINDEX (0: any) use live state S (pf_find_state()'s
 * kif check: floating or bound to that interface)? */
static inline int
state_usable(const struct state *s, uint16_t ifindex, uint32_t now)
{
	if (s->ifindex != 0 && ifindex != 0 && s->ifindex != ifindex)
		return 0;
	return !state_expired(s, now);
}

/*
 * A lookup with the burst's tag and hint.  HINT (state number + 1, or 0)
 * is the state the tag's index line named first when the prefetch pass
 * read it (state_prefetch2()).  An IPv4 key tries it before probing: a
 * state that is still in use, holds the key among the keys DIR looks
 * among, may be used on IFINDEX and has not expired is what the probe
 * would return, so a hit reads neither the index nor the hash.  The burst
 * may have removed or reused that state since; then the checks fail and
 * the probe runs as without a hint.  Inline: the check is a dozen
 * instructions, less than a call's setting up.
 */
static inline struct state *
state_lookup_tag(struct state_table *t, const struct state_key *k,
    uint32_t tag, uint32_t hint, int dir, uint16_t ifindex, uint32_t now)
{
	if (hint - 1 < t->used && k->af == AF_INET) {
		struct state *s = &t->st[hint - 1];
		const struct state_k4 *sk = &s->k[dir == STATE_DIR_IN ?
		    STATE_WIRE : STATE_STACK];

		if ((s->flags & (STATE_F_USED | STATE_F_INET6)) ==
		    STATE_F_USED && s->proto == k->proto &&
		    sk->addr[0] == k->addr[0].w[0] &&
		    sk->addr[1] == k->addr[1].w[0] &&
		    sk->port[0] == k->port[0] && sk->port[1] == k->port[1] &&
		    state_usable(s, ifindex, now)) {
			t->c[STATE_C_SEARCHES]++;
			return s;
		}
	}
	return state_lookup_tag_probe(t, k, tag, dir, ifindex, now);
}

/*
 * state_key_make() for IPv4, from addresses as 4 bytes in network order
 * (straight from the header): no 16-byte address copies, which would
 * stall on the stores that just built them.
 */
static inline void
state_key_make4(struct state_key *k, uint8_t proto, const void *src,
    const void *dst, uint16_t sport, uint16_t dport, int dir)
{
	int i = dir == STATE_DIR_IN ? 0 : 1;
	uint32_t s, d;

	memcpy(&s, src, 4);
	memcpy(&d, dst, 4);
	memset(k, 0, sizeof(*k));
	k->af = AF_INET;
	k->proto = proto;
	k->addr[i].w[0] = s;
	k->addr[!i].w[0] = d;
	k->port[i] = sport;
	k->port[!i] = dport;
}

/* Is S an af-to state (its keys of two families)? */
static inline int
state_afto(const struct state_table *t, const struct state *s)
{
	const struct state_v6 *v;

	if (!(s->flags & STATE_F_INET6))
		return 0;
	v = &t->v6[s - t->st];
	return v->af[STATE_WIRE] != v->af[STATE_STACK];
}

static inline int
state_dir(const struct state *s)
{
	return s->flags & STATE_F_OUT ? STATE_DIR_OUT : STATE_DIR_IN;
}

static inline uint32_t
state_id(const struct state_table *t, const struct state *s)
{
	return (uint32_t)(s - t->st);
}

/* Count a packet DIR_SIDE (0: from the creator's side). */
static inline void
state_count(struct state_table *t, struct state *s, int side, uint32_t len)
{
	if (++s->packets[side] == 0)
		t->cold[state_id(t, s)].packets_hi[side]++;
	s->bytes[side] += len;
}

#endif /* NAT_STATE_H */
