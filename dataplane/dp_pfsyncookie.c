/*
 * pf's syncookies (pf_syncookies.c): under a SYN flood sluice answers a
 * SYN itself, with an ISN that encodes what it needs to know of it, and
 * keeps nothing; a client that ACKs that ISN proves it exists, and only
 * then is the SYN made again, filtered and given a state, which goes on
 * as a synproxy state does: sluice opens the connection to the server
 * and joins the two.  A flood of SYNs from nowhere costs no state.
 *
 * `set syncookies always' answers every SYN that comes in; `adaptive'
 * starts when more TCP states than the start watermark are half-open and
 * stops below the end one (counting the cookies in flight).  The ISN:
 *
 *   bits 31-8  the top 24 bits of a SipHash-2-4 MAC of the addresses,
 *              ports and the client's ISN under one of two keys
 *   bits 7-0   the cookie byte (the key's parity, the MSS index) XORed
 *              with the MAC's top byte, so that it does not show
 *
 * A key lives 15 seconds (PF_SYNCOOKIE_SECRET_LIFETIME); the one before
 * still validates, so a cookie is good for 15 to 30 seconds.
 */
#include <string.h>

#include <arpa/inet.h>

#include "dataplane/dp.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"
#include "fwd/scrub.h"
#include "fwd/siphash.h"

#define SC_KEY_LIFETIME	15

/*
 * The MSS a cookie can say: pf's table (Alcock and Nelson, 2011), a SYN's
 * MSS rounded down to one of them.
 */
static const uint16_t sc_msstab[8] = {
	216, 536, 1200, 1360, 1400, 1440, 1452, 1460
};

#define SC_ODDEVEN	0x01
#define SC_MSS_SHIFT	5		/* pf's union: mss_idx in the top 3 */

static void
sc_newkey(struct dp *dp)
{
	struct pf_syncookies *sc = &dp->pf.sc;
	uint32_t r[4];
	int i;

	sc->oddeven ^= 1;
	sc->inflight[sc->oddeven] = 0;
	for (i = 0; i < 4; i++)
		r[i] = dp_pf_random(&dp->pf);
	sc->key[sc->oddeven][0] = (uint64_t)r[0] << 32 | r[1];
	sc->key[sc->oddeven][1] = (uint64_t)r[2] << 32 | r[3];
	sc->rotate_at = dp->now + SC_KEY_LIFETIME;
}

/*
 * A load: the mode, and the watermarks when the rules give them, in
 * percent of `set limit states' as pfctl turns them into states.  Set to
 * always, cookies start at once; set to never or adaptive, they stop at
 * once (pf waits for its next key) and adaptive looks at the half-open
 * states again from the next SYN; the cookies in flight stay good.
 */
void
dp_pf_syncookies_set(struct dp *dp, const struct acl_conf *conf,
    uint32_t limit)
{
	struct pf_syncookies *sc = &dp->pf.sc;
	uint8_t mode = conf->syncookies < 0 ? PF_SYNCOOKIES_NEVER :
	    (uint8_t)conf->syncookies;

	if (conf->syncookies_hi != 0) {
		sc->hiwat = (uint32_t)((uint64_t)limit *
		    conf->syncookies_hi / 100);
		sc->lowat = (uint32_t)((uint64_t)limit *
		    conf->syncookies_lo / 100);
	}
	if (mode == sc->mode)
		return;
	sc->mode = mode;
	sc->active = 0;
	if (mode == PF_SYNCOOKIES_ALWAYS) {
		sc_newkey(dp);
		sc->active = 1;
	}
}

/* TCP states not yet established both ways (pfctl -si's "half-open"). */
uint32_t
dp_pf_halfopen(const struct dp_pf *pf)
{
	uint32_t i, n = 0;

	for (i = 0; i < pf->states.used; i++) {
		const struct state *s = &pf->states.st[i];

		if ((s->flags & STATE_F_USED) && s->proto == L3_IPPROTO_TCP &&
		    (s->src_state < TCPS_ESTABLISHED ||
		    s->dst_state < TCPS_ESTABLISHED))
			n++;
	}
	return n;
}

/*
 * Once a second: adaptive mode counts the half-open states (pf keeps a
 * counter through every TCP state change; here a new TCP state adds one
 * and a scan a second, ~1 ms at a million states and only in this mode,
 * puts the count right), and every 15 seconds pf_syncookie_rotate(): stop
 * when the flood is over, forget the keys when nothing is in flight,
 * else a new key.
 */
void
dp_pf_syncookies_tick(struct dp *dp)
{
	struct pf_syncookies *sc = &dp->pf.sc;

	if (sc->mode == PF_SYNCOOKIES_ADAPTIVE)
		sc->halfopen = dp_pf_halfopen(&dp->pf);
	if (sc->rotate_at == 0 || (int32_t)(dp->now - sc->rotate_at) < 0)
		return;
	if (sc->active && sc->mode == PF_SYNCOOKIES_ADAPTIVE &&
	    (uint64_t)sc->halfopen + sc->inflight[0] + sc->inflight[1] <
	    sc->lowat)
		sc->active = 0;
	if (!sc->active && sc->inflight[0] == 0 && sc->inflight[1] == 0) {
		memset(sc->key, 0, sizeof(sc->key));
		sc->rotate_at = 0;
		return;
	}
	sc_newkey(dp);
}

/* pf_synflood_check(): are SYNs answered with cookies now? */
static int
sc_flood(struct dp *dp)
{
	struct pf_syncookies *sc = &dp->pf.sc;

	if (sc->mode != PF_SYNCOOKIES_ADAPTIVE)
		return sc->mode == PF_SYNCOOKIES_ALWAYS;
	if (!sc->active && sc->halfopen > sc->hiwat) {
		sc_newkey(dp);
		sc->active = 1;
		dp->pf.lcounters[LCNT_SYNFLOODS]++;
	}
	return sc->active;
}

/* pf_syncookie_mac(): the 32 bits pf keeps of the MAC. */
static uint32_t
sc_mac(const struct pf_syncookies *sc, const struct l3info *li,
    uint8_t cookie, uint32_t seq)
{
	uint8_t m[16 + 16 + 2 + 2 + 4 + 1];
	size_t alen = li->af == 4 ? 4 : 16, n = 0;
	uint64_t h;

	memcpy(m, li->src, alen);
	memcpy(m + alen, li->dst, alen);
	n = 2 * alen;
	ether_put16(m + n, li->sport);
	ether_put16(m + n + 2, li->dport);
	ip_put32(m + n + 4, seq);
	m[n + 8] = cookie;
	h = siphash24(sc->key[cookie & SC_ODDEVEN], m, n + 9);
	return (uint32_t)h ^ (uint32_t)(h >> 32);
}

/*
 * A port where the ACK sluice owes the server can be run in as the
 * client's: what synproxy state needs (pf_state_modulate_new()).
 */
static int
sc_port_ok(const struct port *port)
{
	return port->kind != PORT_VLAN && port->kind != PORT_VETHER &&
	    (port->bridge >= 0 || port->rif != NULL);
}

/*
 * A bare SYN coming in: in a flood, pf_syncookie_send() answers it with a
 * SYN|ACK from the server's address and drops it.  Returns 1 then.
 */
int
dp_pf_syncookie_syn(struct dp *dp, struct pkt *p, const struct l3info *li,
    struct port *port)
{
	struct dp_pf *pf = &dp->pf;
	struct pf_syncookies *sc = &pf->sc;
	const uint8_t *th = p->data + li->l4off;
	uint32_t seq = ip_get32(th + 4), hash, iss;
	uint16_t mss;
	uint8_t cookie, i;

	if (sc->recreating || !sc_flood(dp))
		return 0;
	if (!sc_port_ok(port)) {
		pf->c[PF_C_SYNCOOKIE_PORT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "in on %s: syncookies: not on a "
			    "vlan or vether port (as synproxy): the SYN goes "
			    "to the rules", port->name);
		return 0;
	}
	/* pf_get_mss(), at least tcp_mssdflt (512), to a table index */
	if ((mss = tcp_mss(th, p->len - li->l4off)) < 512)
		mss = 512;
	for (i = 7; i > 0 && sc_msstab[i] > mss; i--)
		;
	cookie = (uint8_t)(i << SC_MSS_SHIFT | sc->oddeven);
	hash = sc_mac(sc, li, cookie, seq);
	iss = (hash & ~0xffu) | (uint8_t)(cookie ^ (hash >> 24));
	/* pf_send_tcp(NULL, ...): no rule yet */
	dp_pf_tcp_answer(dp, p, li, NULL, 0, iss, seq + 1,
	    ACL_TH_SYN | ACL_TH_ACK, 0, mss);
	sc->inflight[sc->oddeven]++;
	pf->lcounters[LCNT_SYNCOOKIES_SENT]++;
	pf->c[PF_C_SYNCOOKIE]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "in on %s: syncookies (%s): SYN answered "
		    "by sluice (ISN %u, mss %u), no state: the server hears of "
		    "it when the client ACKs", port->name, sc->mode ==
		    PF_SYNCOOKIES_ALWAYS ? "always" : "synflood", iss, mss);
	return 1;
}

/*
 * An ACK coming in that no state knows: if it acknowledges a cookie
 * (pf_syncookie_validate()), the SYN it answers is made again
 * (pf_syncookie_recreate_syn(): the client's ISN, the cookie's MSS) and
 * goes through pf as the SYN would have; the state it makes becomes a
 * synproxy state whose client has just ACKed (PROXY_DST), which the ACK
 * then meets.  Returns 0 with *sp the state, or NULL when the ACK is no
 * cookie's (the rules decide it); PF_DROP when the SYN does not pass.
 */
int
dp_pf_syncookie_ack(struct dp *dp, struct pkt *p, const struct l3info *li,
    struct port *port, const struct state_key *key, uint16_t ifx,
    struct state **sp)
{
	struct dp_pf *pf = &dp->pf;
	struct pf_syncookies *sc = &pf->sc;
	const uint8_t *th = p->data + li->l4off;
	uint32_t seq = ip_get32(th + 4) - 1, ack = ip_get32(th + 8) - 1;
	uint8_t cookie = (uint8_t)((ack & 0xff) ^ (ack >> 24));
	uint16_t mss = sc_msstab[cookie >> SC_MSS_SHIFT];
	struct state_tcp *tc;
	struct state *s;
	struct pkt *q;
	int v;

	*sp = NULL;
	if (sc->inflight[cookie & SC_ODDEVEN] == 0 ||
	    (ack & ~0xffu) != (sc_mac(sc, li, cookie, seq) & ~0xffu))
		return 0;
	sc->inflight[cookie & SC_ODDEVEN]--;
	pf->lcounters[LCNT_SYNCOOKIES_VALID]++;
	pf->c[PF_C_SYNCOOKIE_VALID]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "in on %s: syncookies: the ACK carries "
		    "sluice's cookie (mss %u): its SYN is made again and "
		    "filtered", port->name, mss);
	if ((q = pkt_alloc(&dp->pool)) == NULL)
		return PF_DROP;
	memcpy(q->data, p->data, li->l3off);
	dp_pf_tcp_build(q, li->l3off, li->af == 4, li->src, li->dst,
	    li->sport, li->dport, seq, 0, ACL_TH_SYN, 65535, mss);
	q->in_port = p->in_port;
	q->traced = p->traced;
	q->id = p->id;
	q->pf_tag = p->pf_tag;
	q->prio = p->prio;
	sc->recreating = 1;
	v = dp_pf_test(dp, port, ACL_IN, q);
	sc->recreating = 0;
	pkt_free(&dp->pool, q);
	if (v != PF_PASS ||
	    (s = state_lookup(&pf->states, key, STATE_DIR_IN, ifx,
	    dp->now)) == NULL || s->proto != L3_IPPROTO_TCP ||
	    (s->flags & STATE_F_SLOPPY) || state_afto(&pf->states, s)) {
		pf->c[PF_C_SYNCOOKIE_REFUSED]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "in on %s: drop (syncookies: "
			    "the SYN made again %s)", port->name, v != PF_PASS ?
			    "did not pass" : s != NULL && state_afto(&pf->states,
			    s) ? "made an af-to state: sluice proxies within "
			    "one family" : "made no state to proxy");
		if (v == PF_PASS && s != NULL && state_afto(&pf->states, s)) {
			dp_pf_state_gone(dp, s);
			state_remove(&pf->states, s);
		}
		return PF_DROP;
	}
	/* pf_test(): the client's numbers, sluice's cookie as the ISN both
	 * ways; the server is offered the cookie's MSS */
	tc = &pf->states.tcp[state_id(&pf->states, s)];
	tc->peer[0].seqhi = tc->peer[1].seqhi = ack;
	tc->peer[0].seqlo = seq;
	tc->peer[1].max_win = mss;
	s->src_state = TCPS_PROXY_DST;
	*sp = s;
	return 0;
}
