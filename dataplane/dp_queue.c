/*
 * dp_queue.c: the scheduler of pf's queues, hfsc(4) with straight
 * service curves.
 *
 * A port with a root queue sends through it.  Packets wait in leaf
 * classes (qlimit each, the tail dropped when full); a class gets three
 * rates from its definition, as pfctl hands them to hfsc_addqueue():
 *
 *  - min (real-time): a leaf backlogged below it is served first, the one
 *    whose service fell due earliest (hfsc_dequeue()'s eligible list);
 *  - bandwidth (link-sharing): otherwise each level of the tree serves
 *    its backlogged child with the least service for its bandwidth (the
 *    smallest virtual time), so siblings share what is free in proportion
 *    to their bandwidths, and a class alone may take it all;
 *  - max (upper limit): a class that reached it is passed over by the
 *    link-sharing pick until its time comes (real-time service ignores
 *    it, as in hfsc).
 *
 * The root's bandwidth (or its max, if lower) is the link's speed, and
 * the port never sends faster.  On OpenBSD that speed is the NIC's; a
 * veth or tap has none, so the speed the root declares is the one
 * emulated.
 *
 * A leaf with flows N keeps its packets as OpenBSD's fq_codel.c does
 * (RFC 8290): N flow queues served by deficit round robin, a quantum of
 * bytes each turn, new flows first; each drops what waited longer than
 * 5 ms for 100 ms (CoDel, RFC 8289), and a full class drops from its
 * longest flow.
 *
 * A two-piece curve ("max 2M burst 8M for 100ms") serves the first
 * bytes of each backlog period, what its first rate sends in its time,
 * at that rate, then the second: a class that had nothing waiting may
 * burst again (hfsc re-anchors its curves when a class becomes active;
 * this forgets what it served before).  The root's burst is not used:
 * the link's speed is its second rate.
 *
 * What hfsc(4) does and this does not: a time is kept per class instead
 * of hfsc's curves, which for straight curves schedule the same, and for
 * two-piece ones as said; a class may lag its rates by
 * DPQ_SLACK_NS, as the poll loop wakes late, never more (a class idle a
 * minute does not send a minute's worth at once).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp_queue.h"

#define NS_PER_S	1000000000ull
#define FQ_NONE		UINT32_MAX

/* One flow of a flow queue: its packets, its turn, its CoDel state. */
struct dpq_flow {
	uint32_t	 head, tail;	/* slots, FQ_NONE: empty */
	uint32_t	 backlog;	/* bytes */
	int32_t		 deficit;
	uint32_t	 next;		/* in the new or old list */
	uint8_t		 active;	/* on a list */
	uint8_t		 dropping;
	uint16_t	 count, lastcount;
	uint64_t	 first_above;	/* when the delay went over target */
	uint64_t	 drop_next;
};

struct dpq_fq {
	uint32_t	 nflows;
	uint32_t	 quantum;
	struct dpq_flow	*flows;
	uint32_t	 nslots;	/* qlimit + 1: one over, then a drop */
	struct dpq_ent	*ent;
	uint64_t	*ts;		/* when each slot was enqueued */
	uint32_t	*enext;		/* next slot of its flow, or free */
	uint32_t	 free;
	uint32_t	 newh, newt, oldh, oldt;	/* flow lists */
};

/*
 * A rate as the ns a byte takes, in 1/65536 ns: a packet's time is then
 * a multiply, not a division (1 Tbit/s is 524/65536 ns a byte, 0.2 %
 * off at worst).
 */
uint64_t
dpq_nsb(uint64_t rate)
{
	return rate != 0 ? 8 * NS_PER_S * 65536 / rate : 0;
}

/* ns that len bytes take at nsb (dpq_nsb()); 128 bits for slow rates */
static uint64_t
dpq_cost(uint32_t len, uint64_t nsb)
{
	return (uint64_t)((unsigned __int128)len * nsb >> 16);
}

/* ns that len bytes take on a curve: at m1 while its burst lasts */
static uint64_t
sc_cost(struct dpq_sc *sc, uint32_t len)
{
	if (sc->left >= len) {
		sc->left -= len;
		return dpq_cost(len, sc->nsb1);
	}
	sc->left = 0;
	return dpq_cost(len, sc->nsb2);
}

static void
sc_init(struct dpq_sc *sc, const struct acl_qsc *q)
{
	sc->m1 = q->m1;
	sc->m2 = q->m2;
	sc->nsb1 = dpq_nsb(q->m1);
	sc->nsb2 = dpq_nsb(q->m2);
	/* bytes m1 sends in d ms */
	sc->burst = q->m1 != 0 && q->m2 != 0 ? q->m1 / 8 * q->d / 1000 : 0;
}

/* A time that lags now by more than the slack starts from there. */
static uint64_t
dpq_after(uint64_t t, uint64_t now, uint64_t ns)
{
	if (now > DPQ_SLACK_NS && t < now - DPQ_SLACK_NS)
		t = now - DPQ_SLACK_NS;
	return t + ns;
}

uint32_t
dpq_qlimit(const struct dpq_class *c)
{
	if (c->spec.qlimit != 0)
		return c->spec.qlimit;
	return (c->spec.flags & ACL_QF_FLOWQUEUE) ? DPQ_FQ_QLIMIT :
	    ACL_QLIMIT_DEFAULT;
}

static void
dpq_link(struct dpq *q, int i)
{
	struct dpq_class *c = &q->cl[i], *p;
	int k;

	if (c->parent < 0)
		return;
	p = &q->cl[c->parent];
	if (p->child < 0) {
		p->child = i;
		return;
	}
	for (k = p->child; q->cl[k].sibling >= 0; k = q->cl[k].sibling)
		;
	q->cl[k].sibling = i;
}

/*
 * The queues of the root at qs[root] and its subtree (the entries after
 * it whose parents lead back to it: acl_conf keeps each subtree together).
 * qid numbers a queue name.  NULL: out of memory.
 */
static struct dpq_fq *
fq_new(uint32_t nflows, uint32_t quantum, uint32_t qlimit)
{
	struct dpq_fq *fq;
	uint32_t i;

	if ((fq = calloc(1, sizeof(*fq))) == NULL)
		return NULL;
	fq->nflows = nflows;
	fq->quantum = quantum;
	fq->nslots = qlimit + 1;
	fq->flows = calloc(nflows, sizeof(*fq->flows));
	fq->ent = calloc(fq->nslots, sizeof(*fq->ent));
	fq->ts = calloc(fq->nslots, sizeof(*fq->ts));
	fq->enext = calloc(fq->nslots, sizeof(*fq->enext));
	if (fq->flows == NULL || fq->ent == NULL || fq->ts == NULL ||
	    fq->enext == NULL) {
		free(fq->flows);
		free(fq->ent);
		free(fq->ts);
		free(fq->enext);
		free(fq);
		return NULL;
	}
	for (i = 0; i < nflows; i++)
		fq->flows[i].head = fq->flows[i].tail = FQ_NONE;
	for (i = 0; i < fq->nslots; i++)
		fq->enext[i] = i + 1 < fq->nslots ? i + 1 : FQ_NONE;
	fq->newh = fq->newt = fq->oldh = fq->oldt = FQ_NONE;
	return fq;
}

static void
fq_free(struct dpq_fq *fq)
{
	if (fq == NULL)
		return;
	free(fq->flows);
	free(fq->ent);
	free(fq->ts);
	free(fq->enext);
	free(fq);
}

/*
 * quantum: what a flow queue without its own gives a flow each turn
 * (fq_codel.c: the interface's MTU and link header).
 */
struct dpq *
dpq_new(const struct acl_queue *qs, size_t nq, size_t root,
    uint8_t (*qid)(void *, const char *), void *arg, uint32_t quantum)
{
	struct dpq *q;
	size_t i, end;
	int *map = NULL, k;

	for (end = root + 1; end < nq && qs[end].parent_idx >= 0; end++)
		;
	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->cl = calloc(end - root, sizeof(*q->cl))) == NULL ||
	    (map = calloc(nq, sizeof(*map))) == NULL)
		goto fail;
	q->def = -1;
	for (i = root; i < end; i++) {
		struct dpq_class *c = &q->cl[q->ncl];

		c->spec = qs[i];
		c->parent = qs[i].parent_idx >= 0 ? map[qs[i].parent_idx] : -1;
		c->child = c->sibling = -1;
		c->qid = qid(arg, qs[i].name);
		sc_init(&c->ls, &qs[i].linkshare);
		sc_init(&c->rt, &qs[i].realtime);
		sc_init(&c->ul, &qs[i].upperlimit);
		c->qlimit = dpq_qlimit(c);
		map[i] = q->ncl;
		dpq_link(q, q->ncl++);
	}
	for (k = 0; k < q->ncl; k++) {
		struct dpq_class *c = &q->cl[k];

		if (c->child >= 0)
			continue;
		if (c->spec.flags & ACL_QF_FLOWQUEUE) {
			if ((c->fq = fq_new(c->spec.flows, c->spec.quantum ?
			    c->spec.quantum : quantum, c->qlimit)) == NULL)
				goto fail;
		} else if ((c->q = calloc(c->qlimit, sizeof(*c->q))) == NULL)
			goto fail;
		if (c->qid != 0)
			q->byqid[c->qid] = (uint8_t)(k + 1);
		/* a flow queue root (no bandwidth) is its own default */
		if ((c->spec.flags & ACL_QF_DEFAULT) || q->ncl == 1)
			q->def = k;
	}
	q->link = q->cl[0].ls.m2;
	if (q->cl[0].ul.m2 != 0 && (q->link == 0 || q->cl[0].ul.m2 < q->link))
		q->link = q->cl[0].ul.m2;
	q->link_nsb = dpq_nsb(q->link);
	free(map);
	return q;
fail:
	free(map);
	dpq_free(q);
	return NULL;
}

/* The caller has taken the packets out first (dpq_take()). */
void
dpq_free(struct dpq *q)
{
	int k;

	if (q == NULL)
		return;
	for (k = 0; k < q->ncl && q->cl != NULL; k++) {
		free(q->cl[k].q);
		fq_free(q->cl[k].fq);
	}
	free(q->cl);
	free(q);
}

/* hfsc_enqueue(): the class of qid, or the default for an unknown qid. */
int
dpq_classify(const struct dpq *q, uint8_t qid)
{
	return q->byqid[qid] != 0 ? q->byqid[qid] - 1 : q->def;
}

/* The least virtual time among c's active siblings, or c's own. */
static uint64_t
dpq_minvt(const struct dpq *q, int i)
{
	const struct dpq_class *c = &q->cl[i];
	uint64_t vt = c->vt;
	int k;

	for (k = q->cl[c->parent].child; k >= 0; k = q->cl[k].sibling)
		if (k != i && q->cl[k].nactive != 0 && q->cl[k].vt < vt)
			vt = q->cl[k].vt;
	return vt;
}

/*
 * A leaf got its first packet: it and every ancestor that had nothing
 * become active.  A class coming back starts level with its busiest
 * sibling's service, not with the credit of its idle time
 * (hfsc_init_vf()).
 */
static void
dpq_activate(struct dpq *q, int i, uint64_t now)
{
	struct dpq_class *c = &q->cl[i];

	if (c->rt.m2 != 0 && c->rt_e < now)
		c->rt_e = now;
	c->rt.left = c->rt.burst;
	for (; i >= 0; i = q->cl[i].parent) {
		c = &q->cl[i];
		if (c->nactive++ != 0)
			return;
		/* a new backlog period: the curves' bursts again */
		c->ls.left = c->ls.burst;
		c->ul.left = c->ul.burst;
		if (c->parent >= 0) {
			uint64_t vt = dpq_minvt(q, i);

			if (vt > c->vt)
				c->vt = vt;
		}
	}
}

static void
dpq_passivate(struct dpq *q, int i)
{
	for (; i >= 0; i = q->cl[i].parent)
		if (--q->cl[i].nactive != 0)
			return;
}

/* ---- FQ-CoDel ---------------------------------------------------------- */

static void
fq_push(struct dpq_fq *fq, uint32_t *h, uint32_t *t, uint32_t f)
{
	fq->flows[f].next = FQ_NONE;
	if (*t == FQ_NONE)
		*h = f;
	else
		fq->flows[*t].next = f;
	*t = f;
}

static uint32_t
fq_shift(struct dpq_fq *fq, uint32_t *h, uint32_t *t)
{
	uint32_t f = *h;

	if ((*h = fq->flows[f].next) == FQ_NONE)
		*t = FQ_NONE;
	return f;
}

/* Flow f's first packet goes; its slot is free again. */
static uint64_t
fq_pop(struct dpq_fq *fq, struct dpq_flow *f, struct dpq_ent *e)
{
	uint32_t s = f->head;

	*e = fq->ent[s];
	if ((f->head = fq->enext[s]) == FQ_NONE)
		f->tail = FQ_NONE;
	f->backlog -= e->len;
	fq->enext[s] = fq->free;
	fq->free = s;
	return fq->ts[s];
}

static void
fq_drop(struct dpq *q, int i, const struct dpq_ent *e, int why)
{
	struct dpq_class *c = &q->cl[i];

	c->drop_pkts++;
	c->drop_bytes += e->len;
	if (q->drop != NULL)
		q->drop(q->drop_arg, q, i, e, why);
}

/* A flow's packet as CoDel sees it (RFC 8289 dodequeue()): 0, none. */
static int
codel_pop(struct dpq *q, int i, struct dpq_flow *f, uint64_t now,
    struct dpq_ent *e, int *ok_to_drop)
{
	struct dpq_class *c = &q->cl[i];
	uint32_t backlog = f->backlog;
	uint64_t ts;

	*ok_to_drop = 0;
	if (f->head == FQ_NONE) {
		f->first_above = 0;
		return 0;
	}
	ts = fq_pop(c->fq, f, e);
	c->qlen--;
	q->npkts--;
	/* less than a packet's worth waiting is no standing queue */
	if (now < ts + DPQ_FQ_TARGET || backlog <= c->fq->quantum)
		f->first_above = 0;
	else if (f->first_above == 0)
		f->first_above = now + DPQ_FQ_INTERVAL;
	else if (now >= f->first_above)
		*ok_to_drop = 1;
	return 1;
}

/* The next drop comes interval / sqrt(count) after the last. */
static uint64_t
codel_next(uint64_t t, uint16_t count)
{
	return t + (uint64_t)((double)DPQ_FQ_INTERVAL / sqrt(count));
}

/* CoDel's dequeue (RFC 8289): what waited too long goes, then a packet. */
static int
codel_dequeue(struct dpq *q, int i, struct dpq_flow *f, uint64_t now,
    struct dpq_ent *e)
{
	int ok, got;
	uint16_t delta;

	if (!codel_pop(q, i, f, now, e, &ok)) {
		f->dropping = 0;
		return 0;
	}
	if (f->dropping) {
		if (!ok)
			f->dropping = 0;
		while (f->dropping && now >= f->drop_next) {
			fq_drop(q, i, e, DPQ_DROP_DELAY);
			f->count++;
			if (!codel_pop(q, i, f, now, e, &ok)) {
				f->dropping = 0;
				return 0;
			}
			if (!ok)
				f->dropping = 0;
			else
				f->drop_next = codel_next(f->drop_next,
				    f->count);
		}
	} else if (ok) {
		fq_drop(q, i, e, DPQ_DROP_DELAY);
		got = codel_pop(q, i, f, now, e, &ok);
		f->dropping = 1;
		/* dropping again soon after the last time: go on faster */
		delta = (uint16_t)(f->count - f->lastcount);
		f->count = delta > 1 && (now < f->drop_next ||
		    now - f->drop_next < 16 * DPQ_FQ_INTERVAL) ? delta : 1;
		f->drop_next = codel_next(now, f->count);
		f->lastcount = f->count;
		if (!got)
			return 0;
	}
	return 1;
}

/* fqcodel_enq(): into its flow, new flows to the new list. */
static void
fq_enqueue(struct dpq_fq *fq, const struct dpq_ent *e, uint64_t now)
{
	uint32_t s = fq->free, n = e->hash % fq->nflows;
	struct dpq_flow *f = &fq->flows[n];

	fq->free = fq->enext[s];
	fq->ent[s] = *e;
	fq->ts[s] = now;
	fq->enext[s] = FQ_NONE;
	if (f->tail == FQ_NONE)
		f->head = s;
	else
		fq->enext[f->tail] = s;
	f->tail = s;
	f->backlog += e->len;
	if (!f->active) {
		fq_push(fq, &fq->newh, &fq->newt, n);
		f->deficit = (int32_t)fq->quantum;
		f->active = 1;
	}
}

/* Over qlimit: the longest flow's first packet goes (fqcodel_enq()). */
static void
fq_overflow(struct dpq *q, int i, int why)
{
	struct dpq_class *c = &q->cl[i];
	struct dpq_fq *fq = c->fq;
	struct dpq_ent e;
	uint32_t k, fat = 0;

	for (k = 1; k < fq->nflows; k++)
		if (fq->flows[k].backlog > fq->flows[fat].backlog)
			fat = k;
	fq_pop(fq, &fq->flows[fat], &e);
	c->qlen--;
	q->npkts--;
	fq_drop(q, i, &e, why);
}

/*
 * fqcodel_deq_begin(): new flows first, each while its deficit lasts;
 * a flow found empty leaves its list (a new one for the old list's end,
 * when that has flows).  0: CoDel dropped all there was.
 */
static int
fq_dequeue(struct dpq *q, int i, uint64_t now, struct dpq_ent *e)
{
	struct dpq_fq *fq = q->cl[i].fq;
	struct dpq_flow *f;
	uint32_t *h, *t, n;

	for (;;) {
		if (fq->newh != FQ_NONE) {
			h = &fq->newh;
			t = &fq->newt;
		} else if (fq->oldh != FQ_NONE) {
			h = &fq->oldh;
			t = &fq->oldt;
		} else
			return 0;
		f = &fq->flows[*h];
		if (f->deficit <= 0) {
			f->deficit += (int32_t)fq->quantum;
			fq_push(fq, &fq->oldh, &fq->oldt, fq_shift(fq, h, t));
			continue;
		}
		if (codel_dequeue(q, i, f, now, e)) {
			f->deficit -= (int32_t)e->len;
			return 1;
		}
		n = fq_shift(fq, h, t);
		if (h == &fq->newh && fq->oldh != FQ_NONE)
			fq_push(fq, &fq->oldh, &fq->oldt, n);
		else
			f->active = 0;
	}
}

/* Any packet of a flow queue, for moving or freeing them. */
static void
fq_take(struct dpq_class *c, struct dpq_ent *e)
{
	struct dpq_fq *fq = c->fq;
	uint32_t k;

	for (k = 0; fq->flows[k].head == FQ_NONE; k++)
		;
	fq_pop(fq, &fq->flows[k], e);
	if (c->qlen == 1) {	/* the last: every flow is idle again */
		for (k = 0; k < fq->nflows; k++)
			fq->flows[k].active = 0;
		fq->newh = fq->newt = fq->oldh = fq->oldt = FQ_NONE;
	}
}

/* ---- classes ------------------------------------------------------------ */

/*
 * 0, or -1 when the class is full (hfsc_addq(): the tail drops).  A flow
 * queue takes it and drops from its longest flow instead.
 */
int
dpq_enqueue(struct dpq *q, int i, const struct dpq_ent *e, uint64_t now)
{
	struct dpq_class *c = &q->cl[i];

	if (c->fq == NULL && c->qlen >= c->qlimit) {
		c->drop_pkts++;
		c->drop_bytes += e->len;
		return -1;
	}
	if (c->fq != NULL)
		fq_enqueue(c->fq, e, now);
	else
		c->q[(c->head + c->qlen) % c->qlimit] = *e;
	if (c->qlen++ == 0)
		dpq_activate(q, i, now);
	q->npkts++;
	if (c->qlen > c->qlimit)
		fq_overflow(q, i, DPQ_DROP_FULL);
	return 0;
}

/*
 * Make room as a full flow queue does: its longest flow's first packet
 * goes.  0, or -1 for a class that is no flow queue or holds nothing.
 */
int
dpq_shed(struct dpq *q, int i)
{
	if (q->cl[i].fq == NULL || q->cl[i].qlen == 0)
		return -1;
	fq_overflow(q, i, DPQ_DROP_NOBUF);
	if (q->cl[i].qlen == 0)
		dpq_passivate(q, i);
	return 0;
}

/* The class's next packet: 1, or 0 if CoDel dropped all it held. */
static int
dpq_pop(struct dpq *q, int i, uint64_t now, struct dpq_ent *e)
{
	struct dpq_class *c = &q->cl[i];

	if (c->fq != NULL)
		return fq_dequeue(q, i, now, e);
	*e = c->q[c->head];
	c->head = (c->head + 1) % c->qlimit;
	c->qlen--;
	q->npkts--;
	return 1;
}

/* Whether class i's upper limit lets it send now. */
static int
dpq_fits(const struct dpq_class *c, uint64_t now)
{
	return c->ul.m2 == 0 || c->ul_t <= now;
}

/*
 * Link-sharing: the leaf under i to serve, -1 if none may send now.
 * Children are tried by virtual time; one whose subtree is held back by
 * an upper limit gives way to the next (hfsc_actlist_firstfit()).
 */
static int
dpq_lspick(const struct dpq *q, int i, uint64_t now)
{
	int tried[64], ntried = 0, best, k, t, leaf;
	uint64_t vt;

	if (q->cl[i].child < 0)
		return q->cl[i].qlen != 0 ? i : -1;
	for (;;) {
		best = -1;
		vt = 0;
		for (k = q->cl[i].child; k >= 0; k = q->cl[k].sibling) {
			const struct dpq_class *c = &q->cl[k];

			if (c->nactive == 0 || !dpq_fits(c, now))
				continue;
			for (t = 0; t < ntried && tried[t] != k; t++)
				;
			if (t < ntried)
				continue;
			if (best < 0 || c->vt < vt) {
				best = k;
				vt = c->vt;
			}
		}
		if (best < 0)
			return -1;
		if ((leaf = dpq_lspick(q, best, now)) >= 0 ||
		    ntried == (int)(sizeof(tried) / sizeof(tried[0])))
			return leaf;
		tried[ntried++] = best;
	}
}

/* Real-time: the backlogged leaf whose min service fell due first. */
static int
dpq_rtpick(const struct dpq *q, uint64_t now)
{
	int k, best = -1;

	for (k = 0; k < q->ncl; k++) {
		const struct dpq_class *c = &q->cl[k];

		if (c->rt.m2 != 0 && c->qlen != 0 && c->rt_e <= now &&
		    (best < 0 || c->rt_e < q->cl[best].rt_e))
			best = k;
	}
	return best;
}

/*
 * The next entry to send at now: 1 and *e (its class in *cl), or 0 when
 * nothing may go yet (dpq_next() says when).
 */
int
dpq_dequeue(struct dpq *q, uint64_t now, struct dpq_ent *e, int *cl)
{
	struct dpq_class *c;
	int i, rt;

	for (;;) {
		if (q->npkts == 0 || (q->link != 0 && q->link_t > now))
			return 0;
		rt = 1;
		if ((i = dpq_rtpick(q, now)) < 0) {
			rt = 0;
			if ((i = dpq_lspick(q, 0, now)) < 0)
				return 0;
		}
		if (dpq_pop(q, i, now, e))
			break;
		dpq_passivate(q, i);	/* CoDel emptied it */
	}
	c = &q->cl[i];
	c->xmit_pkts++;
	c->xmit_bytes += e->len;
	if (rt)
		c->rt_e = dpq_after(c->rt_e, now, sc_cost(&c->rt, e->len));
	/* hfsc_update_vf(): all service counts, however it was chosen */
	for (*cl = i; i > 0; i = q->cl[i].parent) {
		struct dpq_class *a = &q->cl[i];

		if (a->ls.m2 != 0)
			a->vt += sc_cost(&a->ls, e->len);
		if (a->ul.m2 != 0)
			a->ul_t = dpq_after(a->ul_t, now,
			    sc_cost(&a->ul, e->len));
	}
	if (q->link != 0)
		q->link_t = dpq_after(q->link_t, now,
		    dpq_cost(e->len, q->link_nsb));
	if (c->qlen == 0)
		dpq_passivate(q, *cl);
	return 1;
}

/* Any entry, for moving or freeing them: 1 and *e, or 0 when empty. */
int
dpq_take(struct dpq *q, struct dpq_ent *e)
{
	int k;

	for (k = 0; k < q->ncl; k++) {
		struct dpq_class *c = &q->cl[k];

		if (c->qlen == 0)
			continue;
		if (c->fq != NULL)
			fq_take(c, e);
		else {
			*e = c->q[c->head];
			c->head = (c->head + 1) % c->qlimit;
		}
		if (--c->qlen == 0)
			dpq_passivate(q, k);
		q->npkts--;
		return 1;
	}
	return 0;
}

/* When a leaf's link-sharing service may go: its and its ancestors' max. */
static uint64_t
dpq_lstime(const struct dpq *q, int i)
{
	uint64_t t = 0;

	for (; i > 0; i = q->cl[i].parent)
		if (q->cl[i].ul.m2 != 0 && q->cl[i].ul_t > t)
			t = q->cl[i].ul_t;
	return t;
}

/*
 * When dpq_dequeue() will next give something: 0 when nothing is held,
 * now or earlier when it would now.
 */
uint64_t
dpq_next(const struct dpq *q, uint64_t now)
{
	uint64_t t = UINT64_MAX, lt;
	int k;

	if (q->npkts == 0)
		return 0;
	for (k = 0; k < q->ncl; k++) {
		const struct dpq_class *c = &q->cl[k];

		if (c->qlen == 0)
			continue;
		if (c->rt.m2 != 0 && c->rt_e < t)
			t = c->rt_e;
		if ((lt = dpq_lstime(q, k)) < t)
			t = lt;
	}
	if (q->link != 0 && q->link_t > t)
		t = q->link_t;
	if (t <= now)
		t = now;
	return t != 0 ? t : 1;
}

/* Once a second: what each class has sent so far. */
void
dpq_sample(struct dpq *q)
{
	int k;

	for (k = 0; k < q->ncl; k++) {
		struct dpq_class *c = &q->cl[k];
		uint32_t i = c->nsample++ % DPQ_NSAMPLE;

		c->spkts[i] = c->xmit_pkts;
		c->sbytes[i] = c->xmit_bytes;
	}
}

/*
 * Packets and bytes a second over the last samples (5 s once there are
 * six): 0, or -1 before the second sample, as pfctl -vvsq waits for two.
 */
int
dpq_rate(const struct dpq_class *c, double *pps, double *bps)
{
	uint32_t n = c->nsample < DPQ_NSAMPLE ? c->nsample : DPQ_NSAMPLE;
	uint32_t last = (c->nsample - 1) % DPQ_NSAMPLE;
	uint32_t first = (c->nsample - n) % DPQ_NSAMPLE;

	if (n < 2)
		return -1;
	*pps = (double)(c->spkts[last] - c->spkts[first]) / (n - 1);
	*bps = (double)(c->sbytes[last] - c->sbytes[first]) * 8 / (n - 1);
	return 0;
}
