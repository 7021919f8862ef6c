/*
 * dp_pfdelay.c: pf's set delay.  A packet pf gave a delay (pkt.pf_delay)
 * waits that long where it leaves, then goes out of that port as it would
 * have gone (its queues, its vlan tag), as if_enqueue() hands it to
 * pf_delay_pkt() and a timeout enqueues it again.
 *
 * The waiting packets are a binary heap by release time, first in first
 * out among equal times.  `set limit pktdelay-pkts' caps them, as the hard
 * limit of pf's pf_pktdelay_pl does, and so does the packet pool: a held
 * packet keeps its buffer, and the pool's last DPQ_POOL_RESERVE buffers
 * stay for traffic that does not wait.  A packet refused is dropped and
 * counted on the port (drop-delay-full).
 */
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp.h"
#include "dataplane/dp_queue.h"

struct pf_delayed {
	uint64_t	 at;		/* release time, dp->now_ns's clock */
	uint64_t	 seq;		/* arrival order, among equal times */
	struct pkt	*p;
	uint16_t	 port;		/* index of the port it leaves by */
};

static int
dly_before(const struct pf_delayed *a, const struct pf_delayed *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void
dly_up(struct pf_delayed *h, uint32_t i)
{
	struct pf_delayed e = h[i];

	while (i > 0 && dly_before(&e, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = e;
}

static void
dly_down(struct pf_delayed *h, uint32_t n, uint32_t i)
{
	struct pf_delayed e = h[i];
	uint32_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && dly_before(&h[c + 1], &h[c]))
			c++;
		if (!dly_before(&h[c], &e))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

/* From dp_output(): hold p for its delay on out, or drop it (counted). */
void
dp_pf_delay(struct dp *dp, struct port *out, struct pkt *p)
{
	struct dp_pf *pf = &dp->pf;
	struct pf_delayed *h;
	uint32_t cap;

	if (pf->ndly >= pf->dly_limit || p->len > PKT_DATA_MAX ||
	    dp->pool.nfree < DPQ_POOL_RESERVE) {
		out->c[PORT_C_DROP_DELAY_FULL]++;
		if (p->traced)
			dp_trace(dp, p, "port-out", "%s: dropped: %u packets "
			    "wait for their set delay (set limit "
			    "pktdelay-pkts %u)%s", out->name, pf->ndly,
			    pf->dly_limit, dp->pool.nfree < DPQ_POOL_RESERVE ?
			    ", and the packet pool is low" : "");
		return;
	}
	if (pf->ndly == pf->dly_cap) {
		cap = pf->dly_cap ? 2 * pf->dly_cap : 64;
		if ((h = reallocarray(pf->dly, cap, sizeof(*h))) == NULL) {
			out->c[PORT_C_DROP_DELAY_FULL]++;
			return;
		}
		pf->dly = h;
		pf->dly_cap = cap;
	}
	p->refs++;
	h = &pf->dly[pf->ndly];
	h->at = dp->now_ns + (uint64_t)p->pf_delay_ms * 1000000;
	h->seq = pf->dly_seq++;
	h->p = p;
	h->port = out->index;
	dly_up(pf->dly, pf->ndly++);
	if (p->traced)
		dp_trace(dp, p, "port-out", "%s: held %u ms (set delay)",
		    out->name, p->pf_delay_ms);
}

/* When the next held packet is due (dp->now_ns's clock); 0: none waits. */
uint64_t
dp_pf_delay_next(const struct dp *dp)
{
	return dp->pf.ndly != 0 ? dp->pf.dly[0].at : 0;
}

/* Send what is due, each out of the port it was going to leave by. */
void
dp_pf_delay_run(struct dp *dp)
{
	struct dp_pf *pf = &dp->pf;
	struct pf_delayed e;
	int sent = 0;

	while (pf->ndly != 0 && pf->dly[0].at <= dp->now_ns) {
		e = pf->dly[0];
		pf->dly[0] = pf->dly[--pf->ndly];
		if (pf->ndly != 0)
			dly_down(pf->dly, pf->ndly, 0);
		if (e.port < dp->nports && dp->ports[e.port] != NULL) {
			if (e.p->traced)
				dp_trace(dp, e.p, "port-out", "%s: its set "
				    "delay is over", dp->ports[e.port]->name);
			/* once: pf_delay_pkt() enqueues it without */
			e.p->pf_delay = 0;
			dp_output_now(dp, dp->ports[e.port], e.p);
			sent = 1;
		}
		pkt_free(&dp->pool, e.p);
	}
	if (sent)
		dp_drain(dp);
}

/* sluiced stops: what waits is dropped. */
void
dp_pf_delay_fini(struct dp *dp)
{
	struct dp_pf *pf = &dp->pf;

	while (pf->ndly != 0)
		pkt_free(&dp->pool, pf->dly[--pf->ndly].p);
	free(pf->dly);
	pf->dly = NULL;
	pf->dly_cap = 0;
}
