/*
 * See state.h.  The index slot holds a 32-bit tag (the high half of the
 * key's xxHash, which is also where the probe starts) and the state number
 * with the keys it stands for, so a probe rejects almost every other flow
 * without touching its state.  A state whose WIRE and STACK keys are equal
 * (no translation) takes one slot for both.  Deletion shifts entries back
 * (no tombstones), so lookups never slow down with churn.
 *
 * TCP is tracked as pf's pf_tcp_track_full() does for peer states and
 * timeouts; sequence-window checks are not done (pf's `sloppy` state).
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "nat/state.h"

#define STATE_C_NAME(e, n, d)	n,
const char *const state_counter_names[STATE_C__MAX] = {
	STATE_COUNTERS(STATE_C_NAME)
};

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

	if (len < (2u << 20))
		return calloc(n, size);
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

static uint32_t
state_slots_for(uint32_t limit)
{
	uint32_t n = 64;

	while (n < 4 * limit && n < (1U << 30))
		n <<= 1;
	return n;
}

int
state_table_init(struct state_table *t, uint32_t limit)
{
	uint32_t i, n = state_slots_for(limit);

	memset(t, 0, sizeof(*t));
	if (limit == 0)
		limit = 1;
	t->st = state_mem(limit, sizeof(*t->st));
	t->free = calloc(limit, sizeof(*t->free));
	t->slots = state_mem(n, sizeof(*t->slots));
	t->limit = limit;
	t->mask = n - 1;
	if (t->st == NULL || t->free == NULL || t->slots == NULL) {
		state_table_fini(t);
		return ENOMEM;
	}
	for (i = 0; i < limit; i++)
		t->free[i] = limit - 1 - i;
	t->nfree = limit;
	state_default_timeouts(t->tmo[0]);
	t->ntmo = 1;
	return 0;
}

void
state_table_fini(struct state_table *t)
{
	state_mem_free(t->st, t->limit, sizeof(*t->st));
	free(t->free);
	state_mem_free(t->slots, (size_t)t->mask + 1, sizeof(*t->slots));
	t->st = NULL;
	t->free = NULL;
	t->slots = NULL;
}

/* Intern a timeout table (a rule's own timeouts); 0 is the global one. */
int
state_tmo_set(struct state_table *t, const uint32_t *tmo)
{
	uint32_t i;

	for (i = 0; i < t->ntmo; i++)
		if (memcmp(t->tmo[i], tmo, sizeof(t->tmo[i])) == 0)
			return (int)i;
	if (t->ntmo == STATE_TMO_SETS)
		return 0;
	memcpy(t->tmo[t->ntmo], tmo, sizeof(t->tmo[0]));
	return (int)t->ntmo++;
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

static uint32_t
state_tag(const struct state_key *k)
{
	return (uint32_t)(XXH3_64bits(k, sizeof(*k)) >> 32);
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

static int
state_expired(const struct state *s, uint32_t now)
{
	return (int32_t)(now - s->expire) >= 0;
}

uint32_t
state_expires_in(const struct state *s, uint32_t now)
{
	return state_expired(s, now) ? 0 : s->expire - now;
}

static struct state *
state_find(struct state_table *t, const struct state_key *k, int which,
    uint16_t ifindex, uint32_t now, int live_only)
{
	uint32_t tag = state_tag(k), i = tag & t->mask;
	uint32_t bit = which == STATE_WIRE ? SLOT_WIRE : SLOT_STACK;

	for (;; i = (i + 1) & t->mask) {
		uint64_t s = t->slots[i];
		struct state *st;

		if (s == 0)
			return NULL;
		if ((uint32_t)(s >> 32) != tag || !(s & bit))
			continue;
		st = &t->st[slot_idx(s)];
		if (memcmp(&st->key[which], k, sizeof(*k)) != 0)
			continue;
		if (st->ifindex != 0 && ifindex != 0 && st->ifindex != ifindex)
			continue;
		if (live_only && state_expired(st, now))
			continue;
		return st;
	}
}

/* A packet going DIR: in looks among WIRE keys, out among STACK keys. */
struct state *
state_lookup(struct state_table *t, const struct state_key *k, int dir,
    uint16_t ifindex, uint32_t now)
{
	t->c[STATE_C_SEARCHES]++;
	return state_find(t, k, dir == STATE_DIR_IN ? STATE_WIRE : STATE_STACK,
	    ifindex, now, 1);
}

/* Look a key up among WIRE or STACK keys, whatever the direction. */
struct state *
state_lookup_key(struct state_table *t, const struct state_key *k, int which,
    uint16_t ifindex, uint32_t now)
{
	t->c[STATE_C_SEARCHES]++;
	return state_find(t, k, which, ifindex, now, 1);
}

static void
slot_insert(struct state_table *t, const struct state_key *k, uint32_t idx,
    uint32_t which)
{
	uint32_t tag = state_tag(k), i = tag & t->mask;

	while (t->slots[i] != 0)
		i = (i + 1) & t->mask;
	t->slots[i] = slot_make(tag, idx, which);
}

static void
slot_remove(struct state_table *t, const struct state_key *k, uint32_t idx)
{
	uint32_t i = state_tag(k) & t->mask, j;

	while (t->slots[i] != 0 && slot_idx(t->slots[i]) != idx)
		i = (i + 1) & t->mask;
	if (t->slots[i] == 0)
		return;
	/* Backward shift: pull later entries of the cluster into the gap. */
	for (j = i;;) {
		uint32_t home;

		j = (j + 1) & t->mask;
		if (t->slots[j] == 0)
			break;
		home = (uint32_t)(t->slots[j] >> 32) & t->mask;
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i] = 0;
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
	int same = memcmp(wire, stack, sizeof(*wire)) == 0;
	struct state *s;
	uint32_t idx;

	if (state_find(t, wire, STATE_WIRE, ifindex, now, 1) != NULL ||
	    (!same && state_find(t, stack, STATE_STACK, ifindex, now, 1) !=
	    NULL)) {
		t->c[STATE_C_INSERT_FAIL]++;
		return NULL;
	}
	if (t->nfree == 0) {
		/* Expired states are reclaimed before a new one is refused. */
		state_purge(t, now, t->limit);
		if (t->nfree == 0) {
			t->c[STATE_C_LIMIT]++;
			return NULL;
		}
	}
	idx = t->free[--t->nfree];
	s = &t->st[idx];
	memset(s, 0, sizeof(*s));
	s->key[STATE_WIRE] = *wire;
	s->key[STATE_STACK] = *stack;
	s->flags = STATE_F_USED | (same ? 0 : STATE_F_NAT);
	s->direction = (uint8_t)dir;
	s->ifindex = ifindex;
	s->creation = now;
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
	if (same)
		slot_insert(t, wire, idx, SLOT_WIRE | SLOT_STACK);
	else {
		slot_insert(t, wire, idx, SLOT_WIRE);
		slot_insert(t, stack, idx, SLOT_STACK);
	}
	t->count++;
	t->c[STATE_C_INSERTS]++;
	return s;
}

void
state_remove(struct state_table *t, struct state *s)
{
	uint32_t idx = (uint32_t)(s - t->st);

	if (!(s->flags & STATE_F_USED))
		return;
	slot_remove(t, &s->key[STATE_WIRE], idx);
	if (s->flags & STATE_F_NAT)
		slot_remove(t, &s->key[STATE_STACK], idx);
	s->flags = 0;
	t->free[t->nfree++] = idx;
	t->count--;
	t->c[STATE_C_REMOVALS]++;
}

/*
 * A packet going DIR matched the state: count it, track the protocol and
 * set the timeout in force.  Returns 0 (TCP sequence checks are not made,
 * so nothing is refused here yet).
 */
int
state_update(struct state_table *t, struct state *s, int dir,
    uint8_t tcp_flags, uint32_t len, uint32_t now)
{
	int from_src = dir == s->direction;
	uint8_t *src = from_src ? &s->src_state : &s->dst_state;
	uint8_t *dst = from_src ? &s->dst_state : &s->src_state;

	s->packets[!from_src]++;
	s->bytes[!from_src] += len;
	switch (s->key[STATE_WIRE].proto) {
	case 6:
		if ((tcp_flags & TH_SYN) && *src < TCPS_SYN_SENT)
			*src = TCPS_SYN_SENT;
		if ((tcp_flags & TH_FIN) && *src < TCPS_CLOSING)
			*src = TCPS_CLOSING;
		if (tcp_flags & TH_ACK) {
			if (*dst == TCPS_SYN_SENT)
				*dst = TCPS_ESTABLISHED;
			else if (*dst == TCPS_CLOSING)
				*dst = TCPS_FIN_WAIT_2;
		}
		if (tcp_flags & TH_RST)
			*src = *dst = TCPS_TIME_WAIT;
		if (s->src_state >= TCPS_FIN_WAIT_2 &&
		    s->dst_state >= TCPS_FIN_WAIT_2)
			s->timeout = ACL_TM_TCP_CLOSED;
		else if (s->src_state >= TCPS_CLOSING &&
		    s->dst_state >= TCPS_CLOSING)
			s->timeout = ACL_TM_TCP_FIN_WAIT;
		else if (s->src_state < TCPS_ESTABLISHED ||
		    s->dst_state < TCPS_ESTABLISHED)
			s->timeout = ACL_TM_TCP_OPENING;
		else if (s->src_state >= TCPS_CLOSING ||
		    s->dst_state >= TCPS_CLOSING)
			s->timeout = ACL_TM_TCP_CLOSING;
		else
			s->timeout = ACL_TM_TCP_ESTABLISHED;
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
		if (s->key[STATE_WIRE].proto == 17)
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
	return 0;
}

/* Remove expired states among the next BUDGET slots of the array. */
uint32_t
state_purge(struct state_table *t, uint32_t now, uint32_t budget)
{
	uint32_t n = 0;

	if (budget > t->limit)
		budget = t->limit;
	while (budget-- > 0) {
		struct state *s = &t->st[t->purge_pos];

		if ((s->flags & STATE_F_USED) && state_expired(s, now)) {
			state_remove(t, s);
			n++;
		}
		t->purge_pos = (t->purge_pos + 1) % t->limit;
	}
	return n;
}

void
state_flush(struct state_table *t)
{
	uint32_t i;

	for (i = 0; i < t->limit; i++)
		if (t->st[i].flags & STATE_F_USED)
			state_remove(t, &t->st[i]);
}

int
state_walk(struct state_table *t, int (*fn)(struct state *, void *),
    void *arg)
{
	uint32_t i;
	int r;

	for (i = 0; i < t->limit; i++) {
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
	for (i = 0; i < t->limit && nt.nfree > 0; i++) {
		struct state *s = &t->st[i], *d;
		uint32_t idx;

		if (!(s->flags & STATE_F_USED))
			continue;
		idx = nt.free[--nt.nfree];
		d = &nt.st[idx];
		*d = *s;
		if (s->flags & STATE_F_NAT) {
			slot_insert(&nt, &s->key[STATE_WIRE], idx, SLOT_WIRE);
			slot_insert(&nt, &s->key[STATE_STACK], idx, SLOT_STACK);
		} else
			slot_insert(&nt, &s->key[STATE_WIRE], idx,
			    SLOT_WIRE | SLOT_STACK);
		nt.count++;
	}
	state_table_fini(t);
	*t = nt;
	return 0;
}
