/*
 * dp_pfqueue.c: pf's queues in the dataplane.  The rule set's queue
 * definitions become a scheduler (dp_queue.c) on each port a root queue
 * is on; dp_output() hands such a port's frames to it instead of the
 * batch's txq, and the poll loop sends what it lets go, waking when the
 * next frame may leave.  A reload moves the waiting frames into the new
 * queues, as ifq_attach() does; a rule set without queues sends them.
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "acl/filter/pf_filter.h"
#include "acl/pf.h"
#include "dataplane/capture.h"
#include "dataplane/dp.h"
#include "dataplane/dp_queue.h"

static void	 pfq_txmax(struct dp *);

/* pf_qname2qid(): queue names are numbered once, for every rule set. */
static uint8_t
pfq_qid(void *arg, const char *name)
{
	struct dp *dp = arg;
	uint16_t id;

	if (name[0] == '\0')
		return 0;
	id = acl_tag_id(dp->pf.qnames, name, 1);
	return id <= UINT8_MAX ? (uint8_t)id : 0;
}

/*
 * Number the queue names of every rule of conf: a rule's queue (and its
 * second one, for lowdelay and empty ACKs; the first when none) goes
 * with the packets it passes.  -1 past 255 names.
 */
int
dp_pf_queue_ids(struct dp *dp, struct acl_conf *conf, FILE *err)
{
	size_t k, i;

	for (k = 0; k < conf->nall; k++)
		for (i = 0; i < conf->all[k]->rs.nrules; i++) {
			struct acl_rule *r = &conf->all[k]->rs.rules[i];

			if (r->qname[0] == '\0')
				continue;
			r->qid = pfq_qid(dp, r->qname);
			r->pqid = r->pqname[0] != '\0' ?
			    pfq_qid(dp, r->pqname) : r->qid;
			if (r->qid == 0 || r->pqid == 0) {
				fprintf(err, "pfctl: more than 255 queue "
				    "names\n");
				return -1;
			}
		}
	return 0;
}

static struct port *
pfq_phys(struct port *pt)
{
	return pt->kind == PORT_VLAN ? pt->parent : pt;
}

/* A flow queue dropped a packet it held: counted, traced, freed. */
static void
pfq_drop(void *arg, struct dpq *q, int cl, const struct dpq_ent *e, int why)
{
	struct dp *dp = arg;

	static const int counter[] = { PORT_C_DROP_QUEUE_FULL,
	    PORT_C_DROP_QUEUE_DELAY, PORT_C_DROP_QUEUE_NOBUF };
	static const char *const text[] = { "full, and its flow the longest",
	    "waited over 5 ms for 100 ms (CoDel)",
	    "out of buffers, and its flow the longest" };

	pfq_phys(q->port)->c[counter[why]]++;
	if (e->p->traced)
		dp_trace(dp, e->p, "queue", "%s: queue %s: dropped: %s",
		    q->port->name, q->cl[cl].spec.name, text[why]);
	pkt_free(&dp->pool, e->p);
}

/*
 * The schedulers conf's queues need, one per port (index) a root is on,
 * in *qs (dp->nports entries).  An error names the queue.
 */
int
dp_pf_queues_build(struct dp *dp, const struct acl_conf *conf,
    struct dpq ***qsp, FILE *err)
{
	struct dpq **qs;
	struct port *pt;
	size_t i;

	*qsp = NULL;
	if (conf->nqueues == 0)
		return 0;
	if ((qs = calloc(dp->nports + 1u, sizeof(*qs))) == NULL)
		goto nomem;
	for (i = 0; i < conf->nqueues; i++) {
		const struct acl_queue *aq = &conf->queues[i];

		if (aq->parent_idx >= 0)
			continue;
		if ((pt = dp_port(dp, aq->ifname)) == NULL) {
			fprintf(err, "%s:%d: queue %s: no interface %s\n",
			    aq->file ? aq->file : "pf.conf", aq->line,
			    aq->name, aq->ifname);
			goto fail;
		}
		/* fq_codel.c's quantum: the MTU and the link header */
		if ((qs[pt->index] = dpq_new(conf->queues, conf->nqueues, i,
		    pfq_qid, dp, pfq_phys(pt)->mtu + 14)) == NULL)
			goto nomem;
		qs[pt->index]->port = pt;
		qs[pt->index]->drop = pfq_drop;
		qs[pt->index]->drop_arg = dp;
	}
	*qsp = qs;
	return 0;
nomem:
	fprintf(err, "pfctl: queues: out of memory\n");
fail:
	dp_pf_queues_free(dp, qs, dp->nports);
	return -1;
}

void
dp_pf_queues_free(struct dp *dp, struct dpq **qs, size_t n)
{
	struct dpq_ent e;
	size_t i;

	if (qs == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (qs[i] == NULL)
			continue;
		while (dpq_take(qs[i], &e))
			pkt_free(&dp->pool, e.p);
		dpq_free(qs[i]);
	}
	free(qs);
}

/* Every port's queues and what they hold go (sluiced stops). */
void
dp_pf_queues_clear(struct dp *dp)
{
	uint16_t i;

	for (i = 0; i < dp->nports; i++) {
		struct dpq *q = dp->ports[i]->queues;
		struct dpq_ent e;

		if (q == NULL)
			continue;
		while (dpq_take(q, &e))
			pkt_free(&dp->pool, e.p);
		dpq_free(q);
		dp->ports[i]->queues = NULL;
	}
	for (i = 0; i < dp->nports; i++)
		dp->ports[i]->outq = NULL;
	pfq_txmax(dp);
	dp->nqports = 0;
}

/* Send what waits in old through new, or at once where new has none. */
static void
pfq_move(struct dp *dp, struct dpq *old, struct dpq *new)
{
	struct dpq_ent e;
	struct txent t;
	struct port *phys = pfq_phys(old->port);

	while (dpq_take(old, &e)) {
		if (new != NULL) {
			if (dpq_enqueue(new, dpq_classify(new, e.p->qid), &e,
			    dp->now_ns) == 0)
				continue;
			phys->c[PORT_C_DROP_QUEUE_FULL]++;
		} else if (phys->kind == PORT_VETHER) {
			dp_loop(dp, phys, e.p);
		} else if (phys->ops != NULL && phys->ops->tx != NULL) {
			t.p = e.p;
			t.push_tci = e.tci;
			phys->ops->tx(phys, &t, 1);
		}
		pkt_free(&dp->pool, e.p);
	}
}

/* Where dp_output() puts what leaves by pt. */
static void
pfq_outq(struct port *pt)
{
	pt->outq = pt->queues;
	if (pt->outq == NULL && pt->kind == PORT_VLAN && pt->parent != NULL)
		pt->outq = pt->parent->queues;
	if (pt->kind == PORT_VETHER)
		pt->outq = NULL;
}

/* dp_output() looks at outq only where a port's txmax says so. */
static void
pfq_txmax(struct dp *dp)
{
	uint16_t i;

	for (i = 0; i < dp->nports; i++)
		dp->ports[i]->txmax = PORT_TXQ_MAX;
	for (i = 0; i < dp->nports; i++)
		if (dp->ports[i]->outq != NULL)
			pfq_phys(dp->ports[i])->txmax = 0;
}

/*
 * Put the schedulers of qs on their ports (qs may be NULL: no queues),
 * moving what the old ones hold.  Nothing fails here.
 */
void
dp_pf_queues_install(struct dp *dp, struct dpq **qs)
{
	struct port *pt;
	uint16_t i;

	dp->nqports = 0;
	for (i = 0; i < dp->nports; i++) {
		struct dpq *old, *new;

		pt = dp->ports[i];
		old = pt->queues;
		new = qs != NULL ? qs[i] : NULL;
		pt->queues = new;
		if (new != NULL)
			dp->nqports++;
		if (old == NULL)
			continue;
		pfq_move(dp, old, new);
		dpq_free(old);
	}
	for (i = 0; i < dp->nports; i++)
		pfq_outq(dp->ports[i]);
	pfq_txmax(dp);
	free(qs);
	dp_drain(dp);		/* a vether's frames went to the loop */
}

/*
 * A flow queue's flow: a hash of the addresses, protocol and ports (pf
 * gives fq_codel its state's hash as the flow id; a bridged frame that
 * made no state is a flow too here).  Anything else is flow 0.
 */
static uint32_t
pfq_flow(const struct pkt *p)
{
	struct { uint8_t a[32]; uint32_t ports; uint8_t proto; } k;
	const uint8_t *d = p->data, *l4 = NULL;
	uint32_t off = 14, len = p->len, hl;
	uint16_t et;

	if (len < 14)
		return 0;
	memset(&k, 0, sizeof(k));
	et = (uint16_t)(d[12] << 8 | d[13]);
	if (et == 0x0800 && len >= off + 20) {
		hl = (d[off] & 0x0f) * 4u;
		memcpy(k.a, d + off + 12, 8);
		k.proto = d[off + 9];
		/* ports of a first fragment or an unfragmented datagram */
		if ((d[off + 6] & 0x1f) == 0 && d[off + 7] == 0 &&
		    len >= off + hl + 4)
			l4 = d + off + hl;
	} else if (et == 0x86dd && len >= off + 40) {
		memcpy(k.a, d + off + 8, 32);
		k.proto = d[off + 6];
		if (len >= off + 44)
			l4 = d + off + 40;
	} else
		return 0;
	if (l4 != NULL && (k.proto == 6 || k.proto == 17 || k.proto == 132))
		memcpy(&k.ports, l4, 4);
	return XXH32(&k, sizeof(k), 0);
}

/* hfsc_enqueue() for dp_output(): the frame waits in pf's queue for it. */
void
dp_queue_output(struct dp *dp, struct dpq *q, struct port *out,
    struct pkt *p, uint16_t tci)
{
	struct port *phys = pfq_phys(q->port);
	struct dpq_ent e = { p, out, p->len, 0, tci };
	int cl = dpq_classify(q, p->qid);

	/* Out of buffers, a flow queue makes room from its longest flow;
	 * other queues drop what comes. */
	if (p->len > PKT_DATA_MAX || (dp->pool.nfree < DPQ_POOL_RESERVE &&
	    dpq_shed(q, cl) != 0)) {
		phys->c[PORT_C_DROP_QUEUE_NOBUF]++;
		if (p->traced)
			dp_trace(dp, p, "queue", "%s: dropped: the queues "
			    "hold all the buffers they may", q->port->name);
		return;
	}
	if (q->cl[cl].fq != NULL)
		e.hash = pfq_flow(p);
	/* the packet's reference first: a flow queue may drop it at once */
	p->refs++;
	if (dpq_enqueue(q, cl, &e, dp->now_ns) != 0) {
		p->refs--;
		phys->c[PORT_C_DROP_QUEUE_FULL]++;
		if (p->traced)
			dp_trace(dp, p, "queue", "%s: queue %s full: dropped "
			    "(qlimit %u)", q->port->name, q->cl[cl].spec.name,
			    q->cl[cl].qlimit);
		return;
	}
	if (p->traced)
		dp_trace(dp, p, "queue", "%s: waits in queue %s (%u of %u)",
		    q->port->name, q->cl[cl].spec.name, q->cl[cl].qlen,
		    q->cl[cl].qlimit);
}

/*
 * A vether's queues hold what the router sends into its bridge: what
 * they let go enters the bridge from the vether, as dp_drain() runs it.
 */
static void
pfq_run_vether(struct dp *dp, struct dpq *q)
{
	struct pkt *pkts[BATCH_MAX];
	struct dpq_ent e;
	int n, cl;

	do {
		for (n = 0; n < BATCH_MAX &&
		    dpq_dequeue(q, dp->now_ns, &e, &cl); n++) {
			if (e.p->traced)
				dp_trace(dp, e.p, "port-out", "%s: sent from "
				    "queue %s", e.out->name,
				    q->cl[cl].spec.name);
			pkts[n] = e.p;
		}
		if (n > 0)
			dp_input(dp, q->port, pkts, n);
	} while (n == BATCH_MAX);
}

/* Send what one port's queues let go now. */
static void
pfq_run(struct dp *dp, struct dpq *q)
{
	struct port *phys = pfq_phys(q->port);
	struct txent batch[BATCH_MAX];
	struct dpq_ent e;
	int n = 0, cl, i;

	for (;;) {
		int more = dpq_dequeue(q, dp->now_ns, &e, &cl);

		if (more) {
			if (dp->ncap) {
				capture_frame(dp, e.out, e.p, 0);
				if (phys != e.out)
					capture_frame(dp, phys, e.p, e.tci);
			}
			if (e.p->traced)
				dp_trace(dp, e.p, "port-out", "%s: sent from "
				    "queue %s", e.out->name,
				    q->cl[cl].spec.name);
			batch[n].p = e.p;
			batch[n++].push_tci = e.tci;
		}
		if (n == BATCH_MAX || (!more && n > 0)) {
			if (phys->ops != NULL && phys->ops->tx != NULL)
				phys->ops->tx(phys, batch, n);
			for (i = 0; i < n; i++)
				pkt_free(&dp->pool, batch[i].p);
			n = 0;
		}
		if (!more)
			return;
	}
}

void
dp_queues_run(struct dp *dp)
{
	uint16_t i;

	/* a vether's frames run the pipeline, which flushes and so comes
	 * back here: once is enough */
	if (dp->nqports == 0 || dp->qrunning)
		return;
	dp->qrunning = 1;
	for (i = 0; i < dp->nports; i++) {
		struct dpq *q = dp->ports[i]->queues;

		if (q == NULL || q->npkts == 0)
			continue;
		if (q->port->kind == PORT_VETHER)
			pfq_run_vether(dp, q);
		else
			pfq_run(dp, q);
	}
	dp->qrunning = 0;
}

/* dp_tick(): each queue's rate, for pfctl -vvsq. */
void
dp_queues_tick(struct dp *dp)
{
	uint16_t i;

	for (i = 0; i < dp->nports && dp->nqports != 0; i++)
		if (dp->ports[i]->queues != NULL)
			dpq_sample(dp->ports[i]->queues);
}

/* When the poll loop must wake for the queues: 0, nothing waits. */
uint64_t
dp_queues_next(const struct dp *dp)
{
	uint64_t t = 0, n;
	uint16_t i;

	if (dp->nqports == 0)
		return 0;
	for (i = 0; i < dp->nports; i++)
		if (dp->ports[i]->queues != NULL &&
		    (n = dpq_next(dp->ports[i]->queues, dp->now_ns)) != 0 &&
		    (t == 0 || n < t))
			t = n;
	return t;
}

/*
 * pfctl [-i if] -s queue [-v]: each queue as loaded (of if's tree only),
 * with -v what it sent, dropped and holds (pfctl_print_queue_nodestat());
 * with -vv also its rate over the last 5 s, which pfctl measures by
 * asking again every 5 s (sluiced samples every second).  As in hfsc,
 * only a leaf's packets count: an inner queue holds none.
 */
/* pfctl_queue.c's rate2str(): 1.50Mb, 20Mb */
static const char *
pfq_rate2str(double rate, char *buf, size_t len)
{
	static const char unit[] = " KMG";
	int i;

	for (i = 0; rate >= 1000 && i <= 3; i++)
		rate /= 1000;
	if ((int)(rate * 100) % 100)
		snprintf(buf, len, "%.2f%cb", rate, unit[i]);
	else
		snprintf(buf, len, "%d%cb", (int)rate, unit[i]);
	return buf;
}

void
dp_pf_show_queues(struct dp *dp, const char *iface, int verbose, FILE *out)
{
	const struct acl_conf *conf;
	struct port *pt = NULL;
	size_t i, root = 0;
	double pps, bps;
	char rbuf[16];

	if (dp->pf.rs == NULL)
		return;
	conf = dp->pf.rs->conf;
	for (i = 0; i < conf->nqueues; i++) {
		const struct dpq_class *c;

		if (conf->queues[i].parent_idx < 0) {
			root = i;
			pt = iface == NULL || strcmp(iface,
			    conf->queues[i].ifname) == 0 ?
			    dp_port(dp, conf->queues[i].ifname) : NULL;
		}
		if (pt == NULL || pt->queues == NULL ||
		    i - root >= (size_t)pt->queues->ncl)
			continue;
		c = &pt->queues->cl[i - root];
		acl_print_queue(out, &c->spec);
		if (!verbose)
			continue;
		fprintf(out, "  [ pkts: %10llu  bytes: %10llu  "
		    "dropped pkts: %6llu bytes: %6llu ]\n",
		    (unsigned long long)c->xmit_pkts,
		    (unsigned long long)c->xmit_bytes,
		    (unsigned long long)c->drop_pkts,
		    (unsigned long long)c->drop_bytes);
		fprintf(out, "  [ qlength: %3u/%3u ]\n", c->qlen, c->qlimit);
		if (verbose > 1 && dpq_rate(c, &pps, &bps) == 0)
			fprintf(out, "  [ measured: %7.1f packets/s, %s/s ]\n",
			    pps, pfq_rate2str(bps, rbuf, sizeof(rbuf)));
	}
}
