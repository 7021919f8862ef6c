/*
 * scrub (reassemble tcp): pf_norm.c's stateful TCP normalization, for the
 * states whose scrub options say so.  Despite the name nothing is
 * reassembled (pf's "I have a dream.... TCP segment reassembly...."):
 *
 *  - each end's packets leave with the highest TTL (hop limit) that end
 *    has sent on the connection, so that a packet cannot be made to die
 *    between sluice and the other end (an IDS evasion);
 *  - each end's RFC 1323 timestamps are offset by a random amount of its
 *    own, and the echoes given back, so that they tell nothing of its
 *    uptime (and NAT'ed hosts cannot be counted by them);
 *  - once both ends have echoed one, timestamps must stay where PAWS
 *    puts them (no older than the other end echoed, no further ahead than
 *    1.1 kHz since the last one plus tcp.tsdiff seconds, echoes within
 *    what was sent), and an end that timestamped its first data must
 *    keep doing so: else the packet is dropped as bad-timestamp.
 */
#include <string.h>

#include "dataplane/dp.h"
#include "fwd/ip.h"
#include "fwd/l3.h"
#include "fwd/scrub.h"

#define TS_MAX_IDLE	(24ULL * 24 * 60 * 60)	/* seconds: PAWS off after */
#define TS_MAX_CONN	(12U * 24 * 60 * 60)
#define TS_MAXFREQ	1100			/* 1 kHz + 10 % */

#define SEQ_LT(a, b)	((int32_t)((a) - (b)) < 0)
#define SEQ_GT(a, b)	((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b)	((int32_t)((a) - (b)) >= 0)

static void ts_init_trace(struct dp *, const struct state_tscrub_peer *,
    const struct pkt *, const struct port *, int);

/* pf_normalize_tcp_init(): an end's first packet (the creator's SYN). */
static void
ts_init(struct dp *dp, struct state_tscrub_peer *e, const struct pkt *p,
    const struct l3info *li, const struct port *port, int dir)
{
	const uint8_t *ip = p->data + li->l3off, *th = p->data + li->l4off;
	size_t at;

	memset(e, 0, sizeof(*e));
	e->flags = STATE_TS_INIT;
	e->ttl = li->af == 4 ? ip[8] : ip[7];
	/* the rest is begun only at the start of a connection */
	if ((li->tcp_flags & ACL_TH_SYN) &&
	    tcp_ts_find(th, p->len - li->l4off, &at) != 0) {
		e->flags |= STATE_TS_TIMESTAMP;
		e->ts_mod = dp_pf_random(&dp->pf);
		e->tsval0 = e->tsval = ip_get32(th + at);
		e->tsecr = ip_get32(th + at + 4);
		e->last_us = dp->now_ns / 1000;
	}
	if (p->traced)
		ts_init_trace(dp, e, p, port, dir);
}

static void
ts_init_trace(struct dp *dp, const struct state_tscrub_peer *e,
    const struct pkt *p, const struct port *port, int dir)
{
	char ts[64] = "";

	if (e->flags & STATE_TS_TIMESTAMP)
		snprintf(ts, sizeof(ts), "its timestamps offset by +%u, ",
		    e->ts_mod);
	dp_trace(dp, p, "pf", "%s on %s: scrub (reassemble tcp): this end: "
	    "%sits TTL kept at the highest it sends (%u)", dir == ACL_IN ?
	    "in" : "out", port->name, ts, e->ttl);
}

/* The TTL (hop limit) the end has sent at most, on this packet too. */
static void
ts_ttl(struct state_tscrub_peer *e, struct pkt *p, const struct l3info *li)
{
	uint8_t *ip = p->data + li->l3off, *ttl = li->af == 4 ? ip + 8 : ip + 7;
	uint16_t o;

	if (*ttl >= e->ttl) {
		e->ttl = *ttl;
		return;
	}
	if (li->af == 6) {		/* no header checksum */
		*ttl = e->ttl;
		return;
	}
	o = ether_get16(ip + 8);	/* TTL and protocol */
	*ttl = e->ttl;
	ip_csum_update16(ip + 10, o, ether_get16(ip + 8));
}

/*
 * pf_normalize_tcp_stateful() for a packet from end src of state s (the
 * other: dst; est: both ends are ESTABLISHED or beyond, exact: both
 * exactly) carrying plen bytes of data.  Returns NULL, or why the packet
 * is dropped.
 */
static const char *
ts_stateful(struct dp *dp, const struct state *s,
    struct state_tscrub_peer *src, struct state_tscrub_peer *dst, int est,
    int exact, struct pkt *p, const struct l3info *li, uint32_t plen)
{
	uint8_t *th = p->data + li->l4off;
	size_t tlen = p->len - li->l4off, at = 0;
	uint32_t tsval = 0, tsecr = 0, from_last, fudge;
	uint64_t now = dp->now_ns / 1000, idle;
	int partial = (p->off.flags & PKT_OFF_NEEDS_CSUM) != 0, got = 0, n;

	ts_ttl(src, p, li);
	if (((src->flags | dst->flags) & STATE_TS_TIMESTAMP) &&
	    (n = tcp_ts_find(th, tlen, &at)) > 0) {
		if (n > 1)
			return "more than one timestamp option";
		tsval = ip_get32(th + at);
		tsecr = ip_get32(th + at + 4);
		/* this end's clock offset; the echo of the other's taken
		 * back to its own */
		if (tsval != 0 && (src->flags & STATE_TS_TIMESTAMP))
			tcp_put32(th, at, tsval + src->ts_mod, partial);
		if (tsecr != 0 && (dst->flags & STATE_TS_TIMESTAMP)) {
			tsecr -= dst->ts_mod;
			tcp_put32(th, at + 4, tsecr, partial);
		}
		got = 1;
	}
	/* PAWS is off for an end idle 24 days (or a connection of 12):
	 * a 1 kHz clock wraps its 32 bits in 24 */
	if ((src->flags & STATE_TS_PAWS) && (now - src->last_us >
	    TS_MAX_IDLE * 1000000 || dp->now - dp->pf.states.cold[
	    state_id(&dp->pf.states, s)].creation > TS_MAX_CONN))
		src->flags = (uint8_t)((src->flags & ~STATE_TS_PAWS) |
		    STATE_TS_PAWS_IDLED);
	if ((dst->flags & STATE_TS_PAWS) &&
	    now - dst->last_us > TS_MAX_IDLE * 1000000)
		dst->flags = (uint8_t)((dst->flags & ~STATE_TS_PAWS) |
		    STATE_TS_PAWS_IDLED);
	if (got && (src->flags & STATE_TS_PAWS) &&
	    (dst->flags & STATE_TS_PAWS)) {
		if ((fudge = dp->pf.states.tmo[s->tmo_set][ACL_TM_TS_DIFF]) ==
		    0)
			fudge = 30;
		idle = now - src->last_us;
		from_last = (uint32_t)((idle / 1000000 + fudge) * TS_MAXFREQ +
		    idle % 1000000 / (1000000 / TS_MAXFREQ));
		if (est && (SEQ_LT(tsval, dst->tsecr) ||
		    SEQ_GT(tsval, src->tsval + from_last) ||
		    (tsecr != 0 && (SEQ_GT(tsecr, dst->tsval) ||
		    SEQ_LT(tsecr, dst->tsval0)))))
			return "timestamp outside what PAWS allows";
	} else if (!got && !(li->tcp_flags & ACL_TH_RST) &&
	    (exact || plen > 0 || (li->tcp_flags & ACL_TH_SYN)) &&
	    (src->flags & STATE_TS_PAWS) && (dst->flags & STATE_TS_PAWS) &&
	    plen > 0 && (src->flags & STATE_TS_DATA_TS))
		return "data without the timestamp this end always sent";
	/* an end that timestamps its first data must go on doing so */
	if (plen > 0 && (src->flags & (STATE_TS_TIMESTAMP | STATE_TS_DATA_TS |
	    STATE_TS_DATA_NOTS)) == STATE_TS_TIMESTAMP)
		src->flags |= got ? STATE_TS_DATA_TS : STATE_TS_DATA_NOTS;
	if (got && (src->flags & (STATE_TS_PAWS_IDLED | STATE_TS_TIMESTAMP)) ==
	    STATE_TS_TIMESTAMP) {
		src->last_us = now;
		if (SEQ_GEQ(tsval, src->tsval) || !(src->flags & STATE_TS_PAWS))
			src->tsval = tsval;
		if (tsecr != 0) {
			if (SEQ_GEQ(tsecr, src->tsecr) ||
			    !(src->flags & STATE_TS_PAWS))
				src->tsecr = tsecr;
			if (!(src->flags & STATE_TS_PAWS) &&
			    (SEQ_LT(tsval, src->tsval0) || src->tsval0 == 0))
				src->tsval0 = tsval;
			/* checked only once a timestamp was echoed */
			src->flags |= STATE_TS_PAWS;
		}
	}
	return NULL;
}

static int
ts_drop(struct dp *dp, struct pkt *p, const struct port *port, int dir,
    const struct state *s, const char *why)
{
	dp->pf.c[PF_C_TS]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (scrub reassemble tcp of "
		    "the state of rule %u: %s)", dir == ACL_IN ? "in" : "out",
		    port->name, s->rule & 0xffffff, why);
	return -1;
}

/* A new TCP state whose scrub says reassemble tcp, made by packet p. */
int
dp_pf_tscrub_new(struct dp *dp, struct state *s, struct pkt *p,
    const struct l3info *li, const struct port *port, int dir)
{
	struct state_table *t = &dp->pf.states;
	struct state_tscrub *ts = &t->tscrub[state_id(t, s)];
	const char *why;

	t->tcp[state_id(t, s)].peer[0].flags |= STATE_TCP_TSCRUB;
	memset(ts, 0, sizeof(*ts));
	ts_init(dp, &ts->peer[0], p, li, port, dir);
	/* pf_create_state(): "This really shouldn't happen!!!" */
	if ((why = ts_stateful(dp, s, &ts->peer[0], &ts->peer[1], 0, 0, p,
	    li, dp_pf_tcp_paylen(p, li))) != NULL)
		return ts_drop(dp, p, port, dir, s, why);
	return 0;
}

/*
 * A packet of such a state going DIR (the way the state was made: from
 * its creator, end 0), plen bytes of data (pf_tcp_seg()'s).  Returns 0,
 * or -1: dropped (counted, traced).
 */
int
dp_pf_tscrub(struct dp *dp, struct state *s, struct pkt *p,
    const struct l3info *li, uint32_t plen, const struct port *port,
    int dir)
{
	struct state_table *t = &dp->pf.states;
	struct state_tscrub *ts = &t->tscrub[state_id(t, s)];
	int me = (dir == ACL_IN ? STATE_DIR_IN : STATE_DIR_OUT) ==
	    state_dir(s) ? 0 : 1;
	uint8_t a = me ? s->dst_state : s->src_state;
	uint8_t b = me ? s->src_state : s->dst_state;
	const char *why;

	if (!(ts->peer[me].flags & STATE_TS_INIT))
		ts_init(dp, &ts->peer[me], p, li, port, dir);
	if ((why = ts_stateful(dp, s, &ts->peer[me], &ts->peer[!me],
	    a >= TCPS_ESTABLISHED && b >= TCPS_ESTABLISHED,
	    a == TCPS_ESTABLISHED && b == TCPS_ESTABLISHED, p, li, plen)) !=
	    NULL)
		return ts_drop(dp, p, port, dir, s, why);
	return 0;
}
