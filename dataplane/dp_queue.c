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
 * What hfsc(4) does and this does not: the first segment of a two-piece
 * curve (burst ... for Nms) is taken as given but the second rate is the
 * one used, and flows (FQ-CoDel) keep their queue's order.  A time is
 * kept per class instead of hfsc's curves, which for straight curves
 * schedule the same; a class may lag its rates by DPQ_SLACK_NS, as the
 * poll loop wakes late, never more (a class idle a minute does not send
 * a minute's worth at once).
 */
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp_queue.h"

#define NS_PER_S	1000000000ull

/* ns that len bytes take at rate bit/s */
static uint64_t
dpq_cost(uint32_t len, uint64_t rate)
{
	return (uint64_t)len * 8 * NS_PER_S / rate;
}

/* A rate that lags now by more than the slack starts from there. */
static uint64_t
dpq_after(uint64_t t, uint64_t now, uint32_t len, uint64_t rate)
{
	if (now > DPQ_SLACK_NS && t < now - DPQ_SLACK_NS)
		t = now - DPQ_SLACK_NS;
	return t + dpq_cost(len, rate);
}

uint32_t
dpq_qlimit(const struct dpq_class *c)
{
	return c->spec.qlimit != 0 ? c->spec.qlimit : ACL_QLIMIT_DEFAULT;
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
struct dpq *
dpq_new(const struct acl_queue *qs, size_t nq, size_t root,
    uint8_t (*qid)(void *, const char *), void *arg)
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
		c->ls = qs[i].linkshare.m2;
		c->rt = qs[i].realtime.m2;
		c->ul = qs[i].upperlimit.m2;
		c->qlimit = dpq_qlimit(c);
		map[i] = q->ncl;
		dpq_link(q, q->ncl++);
	}
	for (k = 0; k < q->ncl; k++) {
		struct dpq_class *c = &q->cl[k];

		if (c->child >= 0)
			continue;
		if ((c->q = calloc(c->qlimit, sizeof(*c->q))) == NULL)
			goto fail;
		if (c->qid != 0)
			q->byqid[c->qid] = (uint8_t)(k + 1);
		/* a flow queue root (no bandwidth) is its own default */
		if ((c->spec.flags & ACL_QF_DEFAULT) || q->ncl == 1)
			q->def = k;
	}
	q->link = q->cl[0].ls;
	if (q->cl[0].ul != 0 && (q->link == 0 || q->cl[0].ul < q->link))
		q->link = q->cl[0].ul;
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
	for (k = 0; k < q->ncl && q->cl != NULL; k++)
		free(q->cl[k].q);
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

	if (c->rt != 0 && c->rt_e < now)
		c->rt_e = now;
	for (; i >= 0; i = q->cl[i].parent) {
		c = &q->cl[i];
		if (c->nactive++ != 0)
			return;
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

/* 0, or -1 when the class is full (hfsc_addq(): the tail drops). */
int
dpq_enqueue(struct dpq *q, int i, const struct dpq_ent *e, uint64_t now)
{
	struct dpq_class *c = &q->cl[i];

	if (c->qlen >= c->qlimit) {
		c->drop_pkts++;
		c->drop_bytes += e->len;
		return -1;
	}
	c->q[(c->head + c->qlen) % c->qlimit] = *e;
	if (c->qlen++ == 0)
		dpq_activate(q, i, now);
	q->npkts++;
	return 0;
}

/* Whether class i's upper limit lets it send now. */
static int
dpq_fits(const struct dpq_class *c, uint64_t now)
{
	return c->ul == 0 || c->ul_t <= now;
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

		if (c->rt != 0 && c->qlen != 0 && c->rt_e <= now &&
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
	int i, rt = 1;

	if (q->npkts == 0 || (q->link != 0 && q->link_t > now))
		return 0;
	if ((i = dpq_rtpick(q, now)) < 0) {
		rt = 0;
		if ((i = dpq_lspick(q, 0, now)) < 0)
			return 0;
	}
	c = &q->cl[i];
	*e = c->q[c->head];
	c->head = (c->head + 1) % c->qlimit;
	c->qlen--;
	q->npkts--;
	c->xmit_pkts++;
	c->xmit_bytes += e->len;
	if (rt)
		c->rt_e = dpq_after(c->rt_e, now, e->len, c->rt);
	/* hfsc_update_vf(): all service counts, however it was chosen */
	for (*cl = i; i > 0; i = q->cl[i].parent) {
		struct dpq_class *a = &q->cl[i];

		if (a->ls != 0)
			a->vt += dpq_cost(e->len, a->ls);
		if (a->ul != 0)
			a->ul_t = dpq_after(a->ul_t, now, e->len, a->ul);
	}
	if (q->link != 0)
		q->link_t = dpq_after(q->link_t, now, e->len, q->link);
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
		*e = c->q[c->head];
		c->head = (c->head + 1) % c->qlimit;
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
		if (q->cl[i].ul != 0 && q->cl[i].ul_t > t)
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
		if (c->rt != 0 && c->rt_e < t)
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
