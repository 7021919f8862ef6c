/*
 * See state.h.  The index slot holds a 32-bit tag (the high half of the
 * key's xxHash, which also picks where the probe starts) and the state
 * number with the keys it stands for, so a probe rejects almost every
 * other flow without touching its state.  A state whose WIRE and STACK
 * keys are equal (no translation) takes one slot for both.  Deletion
 * shifts entries back (no tombstones), so lookups never slow down with
 * churn.
 *
 * TCP is tracked as pf's pf_tcp_track_full() does: peer states,
 * timeouts and sequence windows (state_track_tcp()), or by flags alone
 * for keep state (sloppy) (state_update()).
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Inlined: a 16-byte key hashes in a few cycles, less than the call. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "nat/state.h"

#define STATE_C_NAME(e, n, d)	n,
const char *const state_counter_names[STATE_C__MAX] = {
	STATE_COUNTERS(STATE_C_NAME)
};
#define STATE_C_HELP(e, n, d)	d,
const char *const state_counter_help[STATE_C__MAX] = {
	STATE_COUNTERS(STATE_C_HELP)
};

_Static_assert(sizeof(struct state) == 64, "a state is one cache line");
_Static_assert(STATE_TMO_SETS <= 64, "a bit per timeout set in a uint64_t");

#define SLOT_WIRE	0x1
#define SLOT_STACK	0x2
#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_ACK		0x10

/* pf's defaults (PFTM_*_VAL in pfvar.h), seconds. */
void
state_default_timeouts(uint32_t *t)
{
	static const uint32_t def[ACL_TM_MAX] = {
		[ACL_TM_TCP_FIRST_PACKET] = 120,
		[ACL_TM_TCP_OPENING] = 30,
		[ACL_TM_TCP_ESTABLISHED] = 24 * 60 * 60,
		[ACL_TM_TCP_CLOSING] = 15 * 60,
		[ACL_TM_TCP_FIN_WAIT] = 45,
		[ACL_TM_TCP_CLOSED] = 90,
		[ACL_TM_UDP_FIRST_PACKET] = 60,
		[ACL_TM_UDP_SINGLE] = 30,
		[ACL_TM_UDP_MULTIPLE] = 60,
		[ACL_TM_ICMP_FIRST_PACKET] = 20,
		[ACL_TM_ICMP_ERROR_REPLY] = 10,
		[ACL_TM_OTHER_FIRST_PACKET] = 60,
		[ACL_TM_OTHER_SINGLE] = 30,
		[ACL_TM_OTHER_MULTIPLE] = 60,
		[ACL_TM_FRAG] = 60,
		[ACL_TM_INTERVAL] = 10,
		[ACL_TM_ADAPTIVE_START] = 60000,
		[ACL_TM_ADAPTIVE_END] = 120000,
		[ACL_TM_SRC_NODE] = 0,
		[ACL_TM_TS_DIFF] = 30,
	};

	memcpy(t, def, sizeof(def));
}

/*
 * The state array and its index are big and touched at random: ask for
 * transparent huge pages, which spare most TLB misses of a lookup (the
 * bench measured 15-20% at a million states).  mmap'ed memory is zero.
 */
static void *
state_mem(size_t n, size_t size)
{
	size_t len = n * size;
	void *p;

	if (len < (2u << 20)) {
		/* Cache-line aligned: a state must not straddle two lines. */
		p = aligned_alloc(64, (len + 63) & ~(size_t)63);
		if (p != NULL)
			memset(p, 0, len);
		return p;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void
state_mem_free(void *p, size_t n, size_t size)
{
	if (p == NULL)
		return;
	if (n * size < (2u << 20))
		free(p);
	else
		munmap(p, n * size);
}

/* Four slots a state, whole cache lines of them. */
static uint32_t
state_slots_for(uint32_t limit)
{
	uint64_t n = (uint64_t)limit * 4;

	n = (n + 7) & ~(uint64_t)7;
	if (n < 64)
		n = 64;
	if (n > (1U << 31))
		n = 1U << 31;
	return (uint32_t)n;
}

int
state_table_init(struct state_table *t, uint32_t limit)
{
	uint32_t n;

	memset(t, 0, sizeof(*t));
	if (limit == 0)
		limit = 1;
	if (limit > (1U << 29))
		limit = 1U << 29;	/* 30 bits of state number in a slot */
	n = state_slots_for(limit);
	t->st = state_mem(limit, sizeof(*t->st));
	t->cold = state_mem(limit, sizeof(*t->cold));
	t->v6 = state_mem(limit, sizeof(*t->v6));
	t->tcp = state_mem(limit, sizeof(*t->tcp));
	t->mod = state_mem(limit, sizeof(*t->mod));
	t->tscrub = state_mem(limit, sizeof(*t->tscrub));
	t->aux = state_mem(limit, sizeof(*t->aux));
	t->slots = state_mem(n, sizeof(*t->slots));
	t->limit = limit;
	t->nslots = n;
	if (t->st == NULL || t->cold == NULL || t->v6 == NULL ||
	    t->tcp == NULL || t->mod == NULL || t->tscrub == NULL ||
	    t->aux == NULL || t->slots == NULL) {
		state_table_fini(t);
		return ENOMEM;
	}
	t->free = STATE_NONE;
	t->full_scan = UINT32_MAX;	/* no scan yet, whatever the clock */
	state_default_timeouts(t->tmo[0]);
	t->ntmo = 1;
	return 0;
}

void
state_table_fini(struct state_table *t)
{
	state_mem_free(t->st, t->limit, sizeof(*t->st));
	state_mem_free(t->cold, t->limit, sizeof(*t->cold));
	state_mem_free(t->v6, t->limit, sizeof(*t->v6));
	state_mem_free(t->tcp, t->limit, sizeof(*t->tcp));
	state_mem_free(t->mod, t->limit, sizeof(*t->mod));
	state_mem_free(t->tscrub, t->limit, sizeof(*t->tscrub));
	state_mem_free(t->aux, t->limit, sizeof(*t->aux));
	state_mem_free(t->slots, t->nslots, sizeof(*t->slots));
	t->st = NULL;
	t->cold = NULL;
	t->v6 = NULL;
	t->tcp = NULL;
	t->mod = NULL;
	t->tscrub = NULL;
	t->aux = NULL;
	t->slots = NULL;
}

/* What a state costs: its line, its cold record, its share of the index
 * (the IPv6 addresses only for IPv6 states, not counted). */
size_t
state_bytes_per_state(const struct state_table *t)
{
	return sizeof(struct state) + sizeof(struct state_cold) +
	    ((size_t)t->nslots * sizeof(uint64_t) + t->limit - 1) / t->limit;
}

/*
 * Intern a timeout table (a rule's own timeouts); 0 is the global one.
 * Once all STATE_TMO_SETS have been handed out, a set that no state uses
 * and KEEP (a bit per set: the caller's rules) does not name takes the
 * new values, so that reloads which keep changing rule timeouts do not
 * run out of sets over the daemon's life.  Finding one walks the states
 * (only then: a reload with a new set of timeouts when all are taken).
 * Returns 0 when every set is in use.
 */
static int
tmo_set_used(struct state *s, void *arg)
{
	*(uint64_t *)arg |= (uint64_t)1 << s->tmo_set;
	return 0;
}

int
state_tmo_set(struct state_table *t, const uint32_t *tmo, uint64_t keep)
{
	uint64_t used = keep | 1;
	uint32_t i;

	for (i = 0; i < t->ntmo; i++)
		if (memcmp(t->tmo[i], tmo, sizeof(t->tmo[i])) == 0)
			return (int)i;
	if (t->ntmo < STATE_TMO_SETS) {
		memcpy(t->tmo[t->ntmo], tmo, sizeof(t->tmo[0]));
		return (int)t->ntmo++;
	}
	(void)state_walk(t, tmo_set_used, &used);
	for (i = 1; i < STATE_TMO_SETS; i++)
		if (!(used & (uint64_t)1 << i)) {
			memcpy(t->tmo[i], tmo, sizeof(t->tmo[0]));
			return (int)i;
		}
	return 0;
}

/*
 * Orient a flow's addresses as pf does: going in, [0] is the source;
 * going out, [0] is the destination.
 */
void
state_key_make(struct state_key *k, uint8_t af, uint8_t proto,
    const union acl_ip *src, const union acl_ip *dst, uint16_t sport,
    uint16_t dport, int dir)
{
	int s = dir == STATE_DIR_IN ? 0 : 1;

	memset(k, 0, sizeof(*k));
	k->af = af;
	k->proto = proto;
	k->addr[s] = *src;
	k->addr[!s] = *dst;
	k->port[s] = sport;
	k->port[!s] = dport;
}

/*
 * The hash.  A key's two ends (address and port) go in in a fixed order,
 * whichever of them is [0]: a flow's key oriented going in and the same
 * flow's key oriented going out have one hash.  A forwarded packet meets
 * both (in on one port, out on another), so a burst hashes each frame
 * once (state_tags4()) and both keys' probes start at the same slot,
 * nearly always in one index line.  Bit 0 of the tag says which end is
 * [0], so the two keys keep different tags.  The index keeps the high
 * half of the hash, the tag; it is all a lookup needs.  An IPv4 key is
 * hashed as 16 bytes, never touching the 40-byte form's unused words.
 */
static inline uint32_t
tag4(uint32_t a0, uint32_t a1, uint16_t p0, uint16_t p1, uint8_t proto)
{
	uint64_t e0 = (uint64_t)a0 << 16 | p0, e1 = (uint64_t)a1 << 16 | p1;
	uint64_t w[2];

	w[0] = (e0 < e1 ? e0 : e1) << 16 | (uint64_t)AF_INET << 8 | proto;
	w[1] = e0 < e1 ? e1 : e0;
	return ((uint32_t)(XXH3_64bits(w, sizeof(w)) >> 32) & ~1u) |
	    (e0 > e1);
}

uint32_t
state_tag(const struct state_key *k)
{
	union acl_ip a[2];
	uint64_t seed;
	int c, swap;

	if (k->af != AF_INET6)
		return tag4(k->addr[0].w[0], k->addr[1].w[0], k->port[0],
		    k->port[1], k->proto);
	c = memcmp(&k->addr[0], &k->addr[1], sizeof(k->addr[0]));
	swap = c > 0 || (c == 0 && k->port[0] > k->port[1]);
	a[0] = k->addr[swap];
	a[1] = k->addr[!swap];
	seed = (uint64_t)k->port[swap] << 48 | (uint64_t)k->port[!swap] << 32 |
	    (uint64_t)k->af << 8 | k->proto;
	return ((uint32_t)(XXH3_64bits_withSeed(a, sizeof(a), seed) >> 32) &
	    ~1u) | (uint32_t)swap;
}

/*
 * The tags of the keys state_key_make() would make of an IPv4 packet,
 * going in (tag[0]) and going out (tag[1]), with one hash: SRC and DST as
 * 4 bytes in network order, ports in network order.
 */
static inline void
tags4(uint8_t proto, uint32_t s, uint32_t d, uint16_t sport, uint16_t dport,
    uint32_t tag[2])
{
	tag[0] = tag4(s, d, sport, dport, proto);
	/* the other orientation: the same ends the other way round */
	tag[1] = s == d && sport == dport ? tag[0] : tag[0] ^ 1;
}

void
state_tags4(uint8_t proto, const void *src, const void *dst, uint16_t sport,
    uint16_t dport, uint32_t tag[2])
{
	uint32_t s, d;

	memcpy(&s, src, 4);
	memcpy(&d, dst, 4);
	tags4(proto, s, d, sport, dport, tag);
}

/* Where a tag's probe starts: the tag scaled to the slot count. */
static inline uint32_t
tag_home(const struct state_table *t, uint32_t tag)
{
	return (uint32_t)(((uint64_t)tag * t->nslots) >> 32);
}

static inline uint32_t
slot_next(const struct state_table *t, uint32_t i)
{
	return ++i == t->nslots ? 0 : i;
}

static inline uint64_t
slot_make(uint32_t tag, uint32_t idx, uint32_t which)
{
	return (uint64_t)tag << 32 | (uint64_t)(idx + 1) << 2 | which;
}

static inline uint32_t
slot_idx(uint64_t s)
{
	return (uint32_t)((s & 0xffffffff) >> 2) - 1;
}

uint32_t
state_expires_in(const struct state *s, uint32_t now)
{
	return state_expired(s, now) ? 0 : s->expire - now;
}

/*
 * Does state S (number IDX) hold key K among its WHICH keys?  K4 is K's
 * addresses and ports as the state keeps them (IPv4), so that the usual
 * case is two word compares.
 */
static inline int
state_key_eq(const struct state_table *t, const struct state *s,
    uint32_t idx, int which, uint64_t slot, const struct state_key *k,
    const struct state_k4 *k4, int afto_too)
{
	const struct state_v6 *v;
	const struct state_k4 *sk;

	if (!(s->flags & STATE_F_INET6))
		return s->proto == k->proto && k->af != AF_INET6 &&
		    memcmp(&s->k[which], k4, sizeof(*k4)) == 0;
	v = &t->v6[idx];
	if (v->af[STATE_WIRE] != v->af[STATE_STACK]) {
		/*
		 * af-to: both keys sit among the WIRE keys (lookups going
		 * in), the STACK key's slot marked with both bits.  Going
		 * out, and for a new state's clash check, none is.
		 */
		if (which == STATE_STACK || !afto_too)
			return 0;
		which = slot & SLOT_STACK ? STATE_STACK : STATE_WIRE;
	}
	sk = &s->k[which];
	return v->af[which] == k->af && v->proto[which] == k->proto &&
	    sk->port[0] == k->port[0] && sk->port[1] == k->port[1] &&
	    memcmp(v->addr[which], k->addr, sizeof(k->addr)) == 0;
}

/*
 * The probe: slots from the tag's home on, to the first empty one.  A
 * slot is a candidate when its tag and WHICH bit are the key's (one
 * masked compare); the state's own line settles it.
 */
static inline __attribute__((always_inline)) struct state *
state_find(struct state_table *t, const struct state_key *k, uint32_t tag,
    int which, uint16_t ifindex, uint32_t now, int afto_too)
{
	uint64_t bit = which == STATE_WIRE ? SLOT_WIRE : SLOT_STACK;
	uint64_t want = (uint64_t)tag << 32 | bit;
	uint64_t mask = 0xffffffff00000000ULL | bit;
	struct state_k4 k4;
	uint32_t i;

	k4.addr[0] = k->addr[0].w[0];
	k4.addr[1] = k->addr[1].w[0];
	k4.port[0] = k->port[0];
	k4.port[1] = k->port[1];
	for (i = tag_home(t, tag);; i = slot_next(t, i)) {
		uint64_t s = t->slots[i];
		struct state *st;
		uint32_t idx;

		if ((s & mask) != want) {
			if (s == 0)
				return NULL;
			continue;
		}
		idx = slot_idx(s);
		st = &t->st[idx];
		if (!state_key_eq(t, st, idx, which, s, k, &k4, afto_too))
			continue;
		if (state_usable(st, ifindex, now))
			return st;
	}
}

/* A packet going DIR: in looks among WIRE keys, out among STACK keys. */
struct state *
state_lookup(struct state_table *t, const struct state_key *k, int dir,
    uint16_t ifindex, uint32_t now)
{
	t->c[STATE_C_SEARCHES]++;
	return state_find(t, k, state_tag(k), dir == STATE_DIR_IN ?
	    STATE_WIRE : STATE_STACK, ifindex, now, 1);
}

/*
 * state_lookup_tag() (state.h) when the hint did not fit: the probe with
 * a tag computed earlier (a burst's prefetch pass): a hit needs no hash.
 * A miss is checked against the key's own tag, so a tag that no longer
 * fits the key (the frame was changed after it was computed) costs a
 * second probe, never a wrong answer; a real miss costs the hash it
 * saved.
 */
struct state *
state_lookup_tag_probe(struct state_table *t, const struct state_key *k,
    uint32_t tag, int dir, uint16_t ifindex, uint32_t now)
{
	int which = dir == STATE_DIR_IN ? STATE_WIRE : STATE_STACK;
	struct state *s;
	uint32_t real;

	t->c[STATE_C_SEARCHES]++;
	if ((s = state_find(t, k, tag, which, ifindex, now, 1)) != NULL)
		return s;
	if ((real = state_tag(k)) == tag)
		return NULL;
	t->c[STATE_C_STALE_TAG]++;
	return state_find(t, k, real, which, ifindex, now, 1);
}

/* Look a key up among WIRE or STACK keys, whatever the direction. */
struct state *
state_lookup_key(struct state_table *t, const struct state_key *k, int which,
    uint16_t ifindex, uint32_t now)
{
	t->c[STATE_C_SEARCHES]++;
	return state_find(t, k, state_tag(k), which, ifindex, now, 1);
}

/*
 * The first two passes of a batched lookup.  Nothing here can be wrong,
 * only slow: a prefetch of the wrong line is a wasted load.  The second
 * pass reads the index line the first one asked for (by now in cache)
 * and prefetches the state of the first slot with the key's tag, and
 * returns it as the lookup's hint (state number + 1; 0: none).
 */
void
state_prefetch(const struct state_table *t, uint32_t tag)
{
	__builtin_prefetch(&t->slots[tag_home(t, tag)]);
}

static inline uint32_t
prefetch2(const struct state_table *t, uint32_t tag)
{
	uint32_t i = tag_home(t, tag), n;

	for (n = 0; n < 8; n++, i = slot_next(t, i)) {
		uint64_t s = t->slots[i];

		if (s == 0)
			return 0;
		if ((uint32_t)(s >> 32) == tag) {
			__builtin_prefetch(&t->st[slot_idx(s)], 1);
			return slot_idx(s) + 1;
		}
	}
	return 0;
}

uint32_t
state_prefetch2(const struct state_table *t, uint32_t tag)
{
	return prefetch2(t, tag);
}

/*
 * Both passes for a burst of IPv4 flows, here where the hash and the
 * index are inlined: per flow, a function call or two cost as much as
 * the hash.  The index lines of both orientations are nearly always one
 * (state_tag()): the first pass fetches one, the second finds it in the
 * cache.  (Overlapping the passes with the work on earlier packets, a
 * few packets ahead, measured no faster at a million states.)
 */
static inline __attribute__((always_inline)) void
tag_flow4(const struct state_table *t, const struct state_flow4 *f,
    int dirs, uint32_t tag[2])
{
	tags4(f->proto, f->src, f->dst, f->sport, f->dport, tag);
	__builtin_prefetch(&t->slots[tag_home(t, tag[dirs & STATE_DIR_IN ?
	    0 : 1])]);
}

static inline void
hint_flow(const struct state_table *t, int dirs, const uint32_t tag[2],
    uint32_t hint[2])
{
	hint[0] = dirs & STATE_DIR_IN ? prefetch2(t, tag[0]) : 0;
	hint[1] = dirs & STATE_DIR_OUT ? prefetch2(t, tag[1]) : 0;
}

void
state_prefetch_flow4(const struct state_table *t, const struct state_flow4 *f,
    int dirs, uint32_t tag[2])
{
	tag_flow4(t, f, dirs, tag);
}

void
state_prefetch4(const struct state_table *t, const struct state_flow4 *f,
    int n, int dirs, uint32_t (*tag)[2], uint32_t (*hint)[2])
{
	int i;

	for (i = 0; i < n; i++)
		tag_flow4(t, &f[i], dirs, tag[i]);
	for (i = 0; i < n; i++) {
		hint_flow(t, dirs, tag[i], hint[i]);
		/* a TCP hit reads its windows too: their line as well */
		if (f[i].proto == 6) {
			if (hint[i][0] != 0)
				__builtin_prefetch(&t->tcp[hint[i][0] - 1], 1);
			if (hint[i][1] != 0)
				__builtin_prefetch(&t->tcp[hint[i][1] - 1], 1);
		}
	}
}

static void
slot_insert(struct state_table *t, const struct state_key *k, uint32_t idx,
    uint32_t which)
{
	uint32_t tag = state_tag(k), i = tag_home(t, tag);

	while (t->slots[i] != 0)
		i = slot_next(t, i);
	t->slots[i] = slot_make(tag, idx, which);
}

/*
 * State IDX's slots: its WIRE key looked up going in, its STACK key (NULL:
 * the same) going out; an af-to state's STACK key going in too, its slot
 * marked with both bits (state_key_eq()).
 */
static void
slot_insert_keys(struct state_table *t, uint32_t idx,
    const struct state_key *wire, const struct state_key *stack, int afto)
{
	if (stack == NULL) {
		slot_insert(t, wire, idx, SLOT_WIRE | SLOT_STACK);
		return;
	}
	slot_insert(t, wire, idx, SLOT_WIRE);
	slot_insert(t, stack, idx, afto ? SLOT_WIRE | SLOT_STACK : SLOT_STACK);
}

static void
slot_remove(struct state_table *t, const struct state_key *k, uint32_t idx)
{
	uint32_t i = tag_home(t, state_tag(k)), j, n = t->nslots;

	while (t->slots[i] != 0 && slot_idx(t->slots[i]) != idx)
		i = slot_next(t, i);
	if (t->slots[i] == 0)
		return;
	/*
	 * Backward shift: pull later entries of the cluster into the gap, each
	 * one that the gap lies on its way to (between its home and it).
	 */
	for (j = i;;) {
		uint32_t home;

		j = slot_next(t, j);
		if (t->slots[j] == 0)
			break;
		home = tag_home(t, (uint32_t)(t->slots[j] >> 32));
		if ((j + n - home) % n >= (j + n - i) % n) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i] = 0;
}

/* Store key K as state S's WHICH key. */
static void
state_key_put(struct state_table *t, struct state *s, int which,
    const struct state_key *k)
{
	s->k[which].port[0] = k->port[0];
	s->k[which].port[1] = k->port[1];
	if (s->flags & STATE_F_INET6) {
		struct state_v6 *v = &t->v6[state_id(t, s)];

		memcpy(v->addr[which], k->addr, sizeof(k->addr));
		v->af[which] = k->af;
		v->proto[which] = k->proto;
		s->k[which].addr[0] = s->k[which].addr[1] = 0;
	} else {
		s->k[which].addr[0] = k->addr[0].w[0];
		s->k[which].addr[1] = k->addr[1].w[0];
	}
}

/* The 40-byte form of state S's WHICH key, as state_key_make() made it. */
void
state_key_get(const struct state_table *t, const struct state *s, int which,
    struct state_key *k)
{
	memset(k, 0, sizeof(*k));
	k->af = AF_INET;
	k->proto = s->proto;
	k->port[0] = s->k[which].port[0];
	k->port[1] = s->k[which].port[1];
	if (s->flags & STATE_F_INET6) {
		const struct state_v6 *v = &t->v6[state_id(t, s)];

		k->af = v->af[which];
		k->proto = v->proto[which];
		memcpy(k->addr, v->addr[which], sizeof(k->addr));
	} else {
		k->addr[0].w[0] = s->k[which].addr[0];
		k->addr[1].w[0] = s->k[which].addr[1];
	}
}

uint64_t
state_packets(const struct state_table *t, const struct state *s, int side)
{
	return (uint64_t)t->cold[state_id(t, s)].packets_hi[side] << 32 |
	    s->packets[side];
}

static int
key_same(const struct state_key *a, const struct state_key *b)
{
	if (a->af != b->af || a->proto != b->proto ||
	    a->port[0] != b->port[0] || a->port[1] != b->port[1])
		return 0;
	if (a->af == AF_INET6)
		return memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
	return a->addr[0].w[0] == b->addr[0].w[0] &&
	    a->addr[1].w[0] == b->addr[1].w[0];
}

/*
 * A free state: one given back earlier, else one never used (so the
 * array's pages are touched only as the table grows), else none.
 */
static uint32_t
state_alloc(struct state_table *t)
{
	uint32_t idx = t->free;

	if (idx != STATE_NONE) {
		t->free = t->cold[idx].next_free;
		return idx;
	}
	if (t->used < t->limit)
		return t->used++;
	return STATE_NONE;
}

/*
 * Create a state for a packet going DIR that a rule passed with keep
 * state.  Returns NULL when the table is full or the key is taken.
 */
struct state *
state_insert(struct state_table *t, const struct state_key *wire,
    const struct state_key *stack, int dir, uint16_t ifindex, uint32_t now,
    int tmo_set, uint32_t rule)
{
	int same = key_same(wire, stack), afto = wire->af != stack->af;
	struct state *s;
	uint32_t idx;

	/*
	 * The keys must be no other state's.  An af-to state's STACK key
	 * is looked up going in, among the WIRE keys; the state a rule out
	 * on the other family's interface makes for its translated packets
	 * may have that key as well, as pf lets states share a key: that
	 * one goes out, the af-to state's in, and the af-to state, older,
	 * is found first going in (slots keep their order in a probe).
	 */
	if (state_find(t, wire, state_tag(wire), STATE_WIRE, ifindex, now,
	    afto) != NULL || (!same && state_find(t, stack, state_tag(stack),
	    afto ? STATE_WIRE : STATE_STACK, ifindex, now, afto) != NULL)) {
		t->c[STATE_C_INSERT_FAIL]++;
		return NULL;
	}
	if (t->count == t->limit && t->full_scan != now) {
		/*
		 * Expired states are reclaimed before a new one is refused;
		 * the scan is over the whole table, so at most once a second
		 * (a flood of new flows into a full table must not make every
		 * packet pay it).
		 */
		t->full_scan = now;
		state_purge(t, now, t->limit);
	}
	if ((idx = state_alloc(t)) == STATE_NONE) {
		t->c[STATE_C_LIMIT]++;
		return NULL;
	}
	s = &t->st[idx];
	memset(s, 0, sizeof(*s));
	memset(&t->cold[idx], 0, sizeof(t->cold[idx]));
	s->proto = wire->proto;
	s->flags = STATE_F_USED | (same ? 0 : STATE_F_NAT) |
	    (dir == STATE_DIR_OUT ? STATE_F_OUT : 0) |
	    (wire->af == AF_INET6 || afto ? STATE_F_INET6 : 0);
	state_key_put(t, s, STATE_WIRE, wire);
	state_key_put(t, s, STATE_STACK, stack);
	s->ifindex = ifindex;
	t->cold[idx].creation = now;
	s->rule = rule;
	s->tmo_set = (uint8_t)tmo_set;
	switch (wire->proto) {
	case 6:		/* IPPROTO_TCP */
		s->src_state = TCPS_SYN_SENT;
		s->dst_state = TCPS_CLOSED;
		s->timeout = ACL_TM_TCP_FIRST_PACKET;
		break;
	case 17:	/* IPPROTO_UDP */
		s->src_state = PEER_SINGLE;
		s->dst_state = PEER_NO_TRAFFIC;
		s->timeout = ACL_TM_UDP_FIRST_PACKET;
		break;
	case 1:		/* IPPROTO_ICMP */
	case 58:	/* IPPROTO_ICMPV6 */
		s->timeout = ACL_TM_ICMP_FIRST_PACKET;
		break;
	default:
		s->src_state = PEER_SINGLE;
		s->dst_state = PEER_NO_TRAFFIC;
		s->timeout = ACL_TM_OTHER_FIRST_PACKET;
		break;
	}
	s->expire = now + t->tmo[s->tmo_set][s->timeout];
	slot_insert_keys(t, idx, wire, same ? NULL : stack, afto);
	t->count++;
	t->c[STATE_C_INSERTS]++;
	return s;
}

void
state_remove(struct state_table *t, struct state *s)
{
	uint32_t idx = state_id(t, s);
	struct state_key k;

	if (!(s->flags & STATE_F_USED))
		return;
	state_key_get(t, s, STATE_WIRE, &k);
	slot_remove(t, &k, idx);
	if (s->flags & STATE_F_NAT) {
		state_key_get(t, s, STATE_STACK, &k);
		slot_remove(t, &k, idx);
	}
	s->flags = 0;
	if (t->aux_used)
		t->aux[idx] = 0;
	t->cold[idx].next_free = t->free;
	t->free = idx;
	t->count--;
	t->c[STATE_C_REMOVALS]++;
}

/* The timeout a TCP state's two ends put it on (pf_tcp_track_full()). */
static uint8_t
tcp_timeout(const struct state *s)
{
	if (s->src_state >= TCPS_FIN_WAIT_2 && s->dst_state >= TCPS_FIN_WAIT_2)
		return ACL_TM_TCP_CLOSED;
	if (s->src_state >= TCPS_CLOSING && s->dst_state >= TCPS_CLOSING)
		return ACL_TM_TCP_FIN_WAIT;
	if (s->src_state < TCPS_ESTABLISHED || s->dst_state < TCPS_ESTABLISHED)
		return ACL_TM_TCP_OPENING;
	if (s->src_state >= TCPS_CLOSING || s->dst_state >= TCPS_CLOSING)
		return ACL_TM_TCP_CLOSING;
	return ACL_TM_TCP_ESTABLISHED;
}

/*
 * pf_tcp_track_full(): a new SYN on a connection both ends have closed
 * ("state reuse") removes the state and is dropped; the SYN sent again
 * makes a new state, which tracks the new connection from its start
 * instead of leaving it on tcp.closed.
 */
static int
tcp_reuse(struct state_table *t, const struct state *s, uint8_t flags)
{
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    s->src_state >= TCPS_FIN_WAIT_2 &&
	    s->dst_state >= TCPS_FIN_WAIT_2) {
		t->c[STATE_C_REUSE]++;
		return 1;
	}
	return 0;
}

/*
 * The flags of a packet that fits its state move the two ends along:
 * SYN, FIN, the ACK of the other end's SYN or FIN, RST.  Returns
 * STATE_ESTABLISHED when this ACK completed the handshake (the moment
 * pf_src_connlimit() counts a source's connection).  SLOPPY adds
 * pf_tcp_track_sloppy()'s two cases for a state that sees one half of
 * a connection.
 */
static __attribute__((noinline)) int
tcp_flags_move(const struct state_table *t, struct state *s, uint8_t *src,
    uint8_t *dst, uint8_t flags, int sloppy)
{
	int est = STATE_PASS;

	if ((flags & TH_SYN) && *src < TCPS_SYN_SENT)
		*src = TCPS_SYN_SENT;
	if ((flags & TH_FIN) && *src < TCPS_CLOSING)
		*src = TCPS_CLOSING;
	if (flags & TH_ACK) {
		if (*dst == TCPS_SYN_SENT) {
			*dst = TCPS_ESTABLISHED;
			if (*src == TCPS_ESTABLISHED)
				est = STATE_ESTABLISHED;
		} else if (*dst == TCPS_CLOSING)
			*dst = TCPS_FIN_WAIT_2;
		else if (sloppy && *src == TCPS_SYN_SENT &&
		    *dst < TCPS_SYN_SENT) {
			/* an ACK after our SYN, the other end never seen */
			*src = *dst = TCPS_ESTABLISHED;
			est = STATE_ESTABLISHED;
		} else if (sloppy && *src == TCPS_CLOSING &&
		    *dst == TCPS_ESTABLISHED &&
		    t->tcp[state_id(t, s)].peer[dst == &s->src_state ? 0 :
		    1].seqlo == 0)
			/* a half close whose FIN/ACK we do not see */
			*dst = TCPS_CLOSING;
	}
	if (flags & TH_RST)
		*src = *dst = TCPS_TIME_WAIT;
	s->timeout = tcp_timeout(s);
	return est;
}

/*
 * A packet going DIR matched the state: count it, track the protocol and
 * set the timeout in force.  TCP here is tracked by its flags alone, as
 * pf_tcp_track_sloppy() does (keep state (sloppy)); state_track_tcp()
 * checks the sequence windows.  Returns STATE_PASS, STATE_REUSE (the
 * packet is dropped and the state must go) or STATE_ESTABLISHED.
 */
int
state_update(struct state_table *t, struct state *s, int dir,
    uint8_t tcp_flags, uint32_t len, uint32_t now)
{
	int from_src = dir == state_dir(s);
	uint8_t *src = from_src ? &s->src_state : &s->dst_state;
	uint8_t *dst = from_src ? &s->dst_state : &s->src_state;
	int est = STATE_PASS;

	if (s->proto == 6 && tcp_reuse(t, s, tcp_flags))
		return STATE_REUSE;
	state_count(t, s, !from_src, len);
	switch (s->proto) {
	case 6:
		est = tcp_flags_move(t, s, src, dst, tcp_flags, 1);
		break;
	case 1:
	case 58:
		s->timeout = ACL_TM_ICMP_ERROR_REPLY;
		break;
	default:
		if (*src < PEER_SINGLE)
			*src = PEER_SINGLE;
		if (*dst == PEER_SINGLE)
			*dst = PEER_MULTIPLE;
		if (s->proto == 17)
			s->timeout = s->src_state == PEER_MULTIPLE &&
			    s->dst_state == PEER_MULTIPLE ?
			    ACL_TM_UDP_MULTIPLE : ACL_TM_UDP_SINGLE;
		else
			s->timeout = s->src_state == PEER_MULTIPLE &&
			    s->dst_state == PEER_MULTIPLE ?
			    ACL_TM_OTHER_MULTIPLE : ACL_TM_OTHER_SINGLE;
		break;
	}
	s->expire = now + t->tmo[s->tmo_set][s->timeout];
	return est;
}

#define SEQ_GEQ(a, b)	((int32_t)((a) - (b)) >= 0)
#define SEQ_GT(a, b)	((int32_t)((a) - (b)) > 0)
/* How far an ACK may lag: a window and a fragment's worth (pf's fudge). */
#define MAXACKWINDOW	(0xffff + 1500)

/*
 * What a packet that fits (or loosely fits) its state teaches: its
 * sender's largest window and highest sequence number, and how far the
 * other end may now send (its ack plus its window, scaled by SWS).
 */
static inline void
tcp_window_slide(struct state_peer *src, struct state_peer *dst,
    uint32_t win, uint32_t end, uint32_t ack, uint32_t sws)
{
	if (win > src->max_win)
		src->max_win = (uint16_t)win;
	if (SEQ_GT(end, src->seqlo))
		src->seqlo = end;
	if (SEQ_GEQ(ack + (win << sws), dst->seqhi))
		dst->seqhi = ack + ((win << sws) ? win << sws : 1);
}

/* A new TCP state's windows, from the packet that made it
 * (pf_create_state()): the other end has not been heard. */
void
state_tcp_init(struct state_table *t, struct state *s,
    const struct state_seg *g)
{
	struct state_tcp *tc = &t->tcp[state_id(t, s)];
	struct state_peer *src = &tc->peer[0], *dst = &tc->peer[1];

	memset(tc, 0, sizeof(*tc));
	src->seqlo = g->seq;
	src->seqhi = g->seq + g->len + 1;
	if (g->flags & TH_SYN) {
		src->seqhi++;
		src->wscale = g->wscale;
	}
	src->max_win = g->win ? g->win : 1;
	if (src->wscale & STATE_WSCALE_MASK) {
		/* a SYN's window is not scaled: keep it in scaled units */
		uint32_t sh = src->wscale & STATE_WSCALE_MASK;

		src->max_win = (uint16_t)(((uint32_t)src->max_win +
		    (1u << sh) - 1) >> sh);
	}
	if (g->flags & TH_FIN)
		src->seqhi++;
	dst->seqhi = 1;
	dst->max_win = 1;
}

/*
 * pf_tcp_track_full(): a packet going DIR that matched TCP state S must
 * fit the windows its two ends have shown, as Guido van Rooij's
 * "Real Stateful TCP Packet Filtering in IP Filter" describes them: its
 * data ends within what the receiver's window allows, starts no more
 * than a window back (a retransmission), and its ACK neither lags by
 * more than a window nor acknowledges what was never sent; a RST must
 * carry the exact next sequence number.  That is what keeps a blind
 * attacker from injecting data or resetting a connection knowing only
 * its addresses and ports.  An end not heard from yet, or a connection
 * closing, gets the loose check (a window of slack either way, and no
 * timeout refresh), which lets a state picked up mid-stream resync.
 *
 * Returns STATE_PASS, STATE_ESTABLISHED, STATE_LOOSE, or a drop:
 * STATE_REUSE, STATE_BAD, STATE_BAD_RST.  *FAIL gets STATE_FAIL_* bits.
 * A passed packet is counted; LEN is its size on the wire.
 */
int
state_track_tcp(struct state_table *t, struct state *s, int dir,
    const struct state_seg *g, uint32_t len, uint32_t now, uint8_t *fail)
{
	int from_src = dir == state_dir(s);
	struct state_tcp *tc = &t->tcp[state_id(t, s)];
	struct state_peer *src = &tc->peer[!from_src];
	struct state_peer *dst = &tc->peer[from_src];
	uint8_t *srcst = from_src ? &s->src_state : &s->dst_state;
	uint8_t *dstst = from_src ? &s->dst_state : &s->src_state;
	uint32_t seq = g->seq, ack, end, data_end, win = g->win;
	uint32_t sws = 0, dws = 0, dwin;
	int32_t ackskew;
	int est = STATE_PASS;

	*fail = 0;
	if (tcp_reuse(t, s, g->flags))
		return STATE_REUSE;
	if (src->wscale && dst->wscale && !(g->flags & TH_SYN)) {
		sws = src->wscale & STATE_WSCALE_MASK;
		dws = dst->wscale & STATE_WSCALE_MASK;
	}
	end = seq + g->len;
	if (src->seqlo == 0) {
		/* This end's first packet: its window and scale. */
		if (g->flags & TH_SYN) {
			end++;
			if (dst->wscale & STATE_WSCALE_FLAG) {
				src->wscale = g->wscale;
				if (src->wscale & STATE_WSCALE_FLAG) {
					sws = src->wscale & STATE_WSCALE_MASK;
					win = (win + (1u << sws) - 1) >> sws;
					dws = dst->wscale & STATE_WSCALE_MASK;
				} else {
					/* scaling is off: the other end's
					 * window in bytes, as it is now */
					dwin = (uint32_t)dst->max_win <<
					    (dst->wscale & STATE_WSCALE_MASK);
					dst->max_win = dwin > 0xffff ? 0xffff :
					    (uint16_t)dwin;
					dst->wscale = 0;
				}
			}
		}
		data_end = end;
		if (g->flags & TH_FIN)
			end++;
		src->seqlo = seq;
		if (*srcst < TCPS_SYN_SENT)
			*srcst = TCPS_SYN_SENT;
		/* seqhi may come from a state picked up mid-stream */
		dwin = (uint32_t)dst->max_win << dws;
		if (dwin == 0)
			dwin = 1;
		if (src->seqhi == 1 || SEQ_GEQ(end + dwin, src->seqhi))
			src->seqhi = end + dwin;
		if (win > src->max_win)
			src->max_win = (uint16_t)win;
	} else {
		if (g->flags & TH_SYN)
			end++;
		data_end = end;
		if (g->flags & TH_FIN)
			end++;
	}
	ack = g->ack;
	/* No ACK to check: a bare SYN, a broken stack's ACK of 0 on a RST,
	 * or an end that has not sent yet (nothing to acknowledge). */
	if (!(g->flags & TH_ACK) || (ack == 0 && (g->flags & (TH_ACK |
	    TH_RST)) == (TH_ACK | TH_RST)) || *dstst < TCPS_SYN_SENT)
		ack = dst->seqlo;
	if (seq == end) {
		/* no data: only the ACK is checked */
		seq = src->seqlo;
		data_end = end = seq;
	}
	ackskew = (int32_t)(dst->seqlo - ack);

	if (!SEQ_GEQ(src->seqhi, data_end))
		*fail |= STATE_FAIL_SEQHI;
	if (!SEQ_GEQ(seq, src->seqlo - ((uint32_t)dst->max_win << dws)))
		*fail |= STATE_FAIL_SEQLO;
	if (ackskew < -MAXACKWINDOW)
		*fail |= STATE_FAIL_ACKLO;
	if (ackskew > (MAXACKWINDOW << sws))
		*fail |= STATE_FAIL_ACKHI;
	if ((g->flags & TH_RST) && g->seq != src->seqlo &&
	    g->seq != src->seqlo + 1 && g->seq + 1 != src->seqlo)
		*fail |= STATE_FAIL_RST;

	if (*fail == 0) {
		tcp_window_slide(src, dst, win, end, ack, sws);
		est = tcp_flags_move(t, s, srcst, dstst, g->flags, 0);
		s->expire = now + t->tmo[s->tmo_set][s->timeout];
	} else if ((*dstst < TCPS_SYN_SENT || *dstst >= TCPS_FIN_WAIT_2 ||
	    *srcst >= TCPS_FIN_WAIT_2) &&
	    SEQ_GEQ(src->seqhi + MAXACKWINDOW, data_end) &&
	    SEQ_GEQ(seq, src->seqlo - MAXACKWINDOW)) {
		/*
		 * Loose: SYNs shot before the peer answers, a connection
		 * picked up established (after -F states), stray packets
		 * after a close.  Floods land here too, so it neither
		 * refreshes the timeout nor moves the handshake on: a
		 * right answer from the peer does that.
		 */
		tcp_window_slide(src, dst, win, end, ack, sws);
		if ((g->flags & TH_FIN) && *srcst < TCPS_CLOSING)
			*srcst = TCPS_CLOSING;
		if (g->flags & TH_RST)
			*srcst = *dstst = TCPS_TIME_WAIT;
		t->c[STATE_C_LOOSE]++;
		est = STATE_LOOSE;
	} else {
		t->c[STATE_C_MISMATCH]++;
		if (s->src_state == TCPS_SYN_SENT &&
		    s->dst_state == TCPS_SYN_SENT) {
			/* A bad answer mid-handshake: this end starts over,
			 * and is told so unless it sent a RST itself. */
			src->seqlo = 0;
			src->seqhi = 1;
			src->max_win = 1;
			if (!(g->flags & TH_RST)) {
				t->c[STATE_C_HSRST]++;
				return STATE_BAD_RST;
			}
		}
		return STATE_BAD;
	}
	state_count(t, s, !from_src, len);
	return est;
}

/*
 * modulate state: the creator's bare SYN made state S, and its sequence
 * numbers go out offset by SEQDIFF (not 0) from now on
 * (pf_create_state()); the other end gets its own at its first packet.
 */
void
state_tcp_modulate_init(struct state_table *t, struct state *s,
    uint32_t seqdiff)
{
	uint32_t id = state_id(t, s);

	t->tcp[id].peer[0].flags |= STATE_TCP_MOD;
	t->mod[id].seqdiff[0] = seqdiff;
	t->mod[id].seqdiff[1] = 0;
}

/* The offset end PEER (0: the creator) adds to its numbers, 0: none. */
uint32_t
state_tcp_seqdiff(const struct state_table *t, const struct state *s,
    int peer)
{
	uint32_t id = state_id(t, s);

	if (s->proto != 6 || !(t->tcp[id].peer[0].flags & STATE_TCP_MOD))
		return 0;
	return t->mod[id].seqdiff[peer != 0];
}

/*
 * The sequence number modulation of pf_tcp_track_full() for segment G
 * going DIR on modulated state S, before its windows are checked.  The
 * windows are kept in each end's own numbers, so the sender's sequence
 * number is checked as it is and its ACK, which is in the other end's
 * wire numbers, has that end's offset taken off (G->ack is changed).
 * An end sending for the first time when the other end modulates gets
 * its own offset, RND(ARG), not 0 ("deferred generation").
 * What goes on the wire: *SEQ and *ACK; *SACK is the offset to take off
 * the SACK blocks (the other end's, 0: none).  Returns 0 when S does not
 * modulate (the segment stays as it is), 1 when it does, 2 when this
 * segment also gave its end its offset.
 */
int
state_tcp_modulate(struct state_table *t, struct state *s, int dir,
    struct state_seg *g, uint32_t (*rnd)(void *), void *arg, uint32_t *seq,
    uint32_t *ack, uint32_t *sack)
{
	uint32_t id = state_id(t, s);
	struct state_tcp *tc = &t->tcp[id];
	struct state_mod *m = &t->mod[id];
	int from_src = dir == state_dir(s), r = 1;
	int si = !from_src, di = from_src;

	if (!(tc->peer[0].flags & STATE_TCP_MOD))
		return 0;
	if (tc->peer[si].seqlo == 0 && m->seqdiff[di] != 0 &&
	    m->seqdiff[si] == 0) {
		if ((m->seqdiff[si] = rnd(arg)) == 0)
			m->seqdiff[si] = 1;
		r = 2;
	}
	g->ack -= m->seqdiff[di];
	*seq = g->seq + m->seqdiff[si];
	*ack = g->ack;
	*sack = m->seqdiff[di];
	return r;
}

/*
 * The quoted segment of an ICMP error about modulated state S went QDIR
 * with its sender's offset added: the offset to take off (0: none), as
 * pf_test_state_icmp() demodulates it before its window check.
 */
uint32_t
state_icmp_seqdiff(const struct state_table *t, const struct state *s,
    int qdir)
{
	return state_tcp_seqdiff(t, s, qdir == state_dir(s) ? 0 : 1);
}

/*
 * pf_synproxy(): the server answered the SYN sluice sent for the client
 * of synproxy state S.  peer[0] holds the client's ISN (seqlo), sluice's
 * ISN towards it (seqhi) and its window; peer[1] the server's ISN
 * (seqlo), sluice's towards it (seqhi) and its window.  From here the
 * two handshakes are one connection: each end's numbers are offset into
 * the numbering the other end was given, with the windows as pf sets
 * them (no scaling: sluice's SYNs offered none).
 */
void
state_synproxy_done(struct state_table *t, struct state *s)
{
	uint32_t id = state_id(t, s);
	struct state_peer *src = &t->tcp[id].peer[0], *dst = &t->tcp[id].peer[1];
	struct state_mod *m = &t->mod[id];

	m->seqdiff[0] = dst->seqhi - src->seqlo;
	m->seqdiff[1] = src->seqhi - dst->seqlo;
	src->seqhi = src->seqlo + dst->max_win;
	dst->seqhi = dst->seqlo + src->max_win;
	src->wscale = dst->wscale = 0;
	src->flags |= STATE_TCP_MOD;
	s->src_state = s->dst_state = TCPS_ESTABLISHED;
	s->timeout = ACL_TM_TCP_ESTABLISHED;
}

/*
 * pf_test_state_icmp(): an ICMP error quoting a TCP packet of state S
 * that went QDIR must quote a sequence number that end could have sent
 * (within its window, at most a window back), or it is a forgery aimed
 * at the connection.
 */
int
state_icmp_seq_ok(const struct state_table *t, const struct state *s,
    int qdir, uint32_t seq)
{
	const struct state_tcp *tc = &t->tcp[state_id(t, s)];
	int from_src = qdir == state_dir(s);
	const struct state_peer *src = &tc->peer[!from_src];
	const struct state_peer *dst = &tc->peer[from_src];
	uint32_t dws = 0;

	if (s->proto != 6 || (s->flags & STATE_F_SLOPPY))
		return 1;
	if (src->wscale && dst->wscale)
		dws = dst->wscale & STATE_WSCALE_MASK;
	return SEQ_GEQ(src->seqhi, seq) &&
	    SEQ_GEQ(seq, src->seqlo - ((uint32_t)dst->max_win << dws));
}

/* Remove expired states among the next BUDGET slots of the array. */
uint32_t
state_purge(struct state_table *t, uint32_t now, uint32_t budget)
{
	uint32_t n = 0;

	if (t->used == 0)
		return 0;
	if (budget > t->used)
		budget = t->used;
	while (budget-- > 0) {
		struct state *s;

		if (t->purge_pos >= t->used)
			t->purge_pos = 0;
		s = &t->st[t->purge_pos++];
		if ((s->flags & STATE_F_USED) && state_expired(s, now)) {
			if (t->gone != NULL)
				(void)t->gone(s, t->gone_arg);
			state_remove(t, s);
			n++;
		}
	}
	return n;
}

void
state_flush(struct state_table *t)
{
	uint32_t i;

	for (i = 0; i < t->used; i++)
		if (t->st[i].flags & STATE_F_USED)
			state_remove(t, &t->st[i]);
}

int
state_walk(struct state_table *t, int (*fn)(struct state *, void *),
    void *arg)
{
	uint32_t i;
	int r;

	for (i = 0; i < t->used; i++) {
		if (!(t->st[i].flags & STATE_F_USED))
			continue;
		if ((r = fn(&t->st[i], arg)) != 0)
			return r;
	}
	return 0;
}

/*
 * `set limit states N` at reload: a new table of the new size with every
 * live state moved over (as many as fit).
 */
int
state_table_resize(struct state_table *t, uint32_t limit)
{
	struct state_table nt;
	uint32_t i;
	int error;

	if (limit == t->limit)
		return 0;
	if ((error = state_table_init(&nt, limit)) != 0)
		return error;
	memcpy(nt.tmo, t->tmo, sizeof(nt.tmo));
	nt.ntmo = t->ntmo;
	memcpy(nt.c, t->c, sizeof(nt.c));
	nt.gone = t->gone;
	nt.gone_arg = t->gone_arg;
	nt.aux_used = t->aux_used;
	for (i = 0; i < t->used && nt.used < nt.limit; i++) {
		struct state *st = &t->st[i], *d;
		struct state_key k, k2;
		uint32_t idx;

		if (!(st->flags & STATE_F_USED))
			continue;
		idx = nt.used++;
		d = &nt.st[idx];
		*d = *st;
		nt.cold[idx] = t->cold[i];
		if (st->flags & STATE_F_INET6)
			nt.v6[idx] = t->v6[i];
		if (st->proto == 6)
			nt.tcp[idx] = t->tcp[i];
		if (st->proto == 6 &&
		    (t->tcp[i].peer[0].flags & STATE_TCP_MOD))
			nt.mod[idx] = t->mod[i];
		if (st->proto == 6 &&
		    (t->tcp[i].peer[0].flags & STATE_TCP_TSCRUB))
			nt.tscrub[idx] = t->tscrub[i];
		if (t->aux_used)
			nt.aux[idx] = t->aux[i];
		state_key_get(t, st, STATE_WIRE, &k);
		state_key_get(t, st, STATE_STACK, &k2);
		slot_insert_keys(&nt, idx, &k, st->flags & STATE_F_NAT ?
		    &k2 : NULL, state_afto(t, st));
		nt.count++;
	}
	state_table_fini(t);
	*t = nt;
	return 0;
}
