/*
 * pf's queues (pf.conf "queue"): the packets a port sends wait in the
 * leaf queue pf gave them (set queue) and leave at the rates the tree
 * allows, as hfsc(4) schedules them on OpenBSD.
 *
 * The scheduler below knows nothing of pf or ports: it holds entries,
 * picks the next one by the clock it is given, and says when the next
 * one may go.  dp.c feeds it from dp_output() and drains it from the
 * poll loop.
 */
#ifndef DP_QUEUE_H
#define DP_QUEUE_H

#include <stdint.h>
#include <stdio.h>

#include "acl/pf_ast.h"

struct pkt;
struct port;

/* A held frame: what dp_output() would have put on the txq. */
struct dpq_ent {
	struct pkt	*p;
	struct port	*out;		/* the port it leaves by (a vlan's) */
	uint32_t	 len;		/* bytes, as the rates count them */
	uint32_t	 hash;		/* its flow, for a flow queue */
	uint16_t	 tci;		/* tag to push on the way out */
};

struct dpq_fq;

#define DPQ_NSAMPLE	6	/* pfctl measures over 5 s */

/*
 * A service curve as used: m1 for its first burst bytes of a backlog
 * period, then m2 (bit/s; m2 0: none).  hfsc's two-piece curves are
 * m1 for d ms: burst is what m1 sends in d.
 */
struct dpq_sc {
	uint64_t	 m1, m2;
	uint64_t	 nsb1, nsb2;	/* dpq_nsb() of each */
	uint64_t	 burst;		/* bytes */
	uint64_t	 left;		/* of burst, this backlog period */
};

struct dpq_class {
	struct acl_queue spec;		/* as loaded (pfctl -s queue) */
	int		 parent;	/* index; -1: the root */
	int		 child;		/* first child, -1: a leaf */
	int		 sibling;	/* next child of the parent, -1 */
	uint8_t		 qid;		/* its name's number */
	struct dpq_sc	 ls, rt, ul;	/* bandwidth, min, max */
	/*
	 * Times in ns of the caller's clock.  vt: the link-sharing
	 * virtual time (service so far at the class's bandwidth); rt_e:
	 * when its real-time (min) service falls due; ul_t: when its
	 * upper limit (max) lets it send again.
	 */
	uint64_t	 vt;
	uint64_t	 rt_e;
	uint64_t	 ul_t;
	uint32_t	 nactive;	/* children holding packets (leaf: 1) */
	struct dpq_ent	*q;		/* a ring of qlimit entries, or: */
	struct dpq_fq	*fq;		/* flows N: FQ-CoDel's */
	uint32_t	 qlimit;
	uint32_t	 head;
	uint32_t	 qlen;
	uint64_t	 xmit_pkts, xmit_bytes;
	uint64_t	 drop_pkts, drop_bytes;
	/* what was sent by each of the last DPQ_NSAMPLE seconds, for the
	 * rate pfctl -vvsq measures (dpq_sample()) */
	uint64_t	 spkts[DPQ_NSAMPLE], sbytes[DPQ_NSAMPLE];
	uint32_t	 nsample;
};

/* The queues of one port: a root and its subtree, depth first. */
struct dpq {
	struct port	*port;		/* the queues are "on" */
	int		 ncl;
	struct dpq_class *cl;
	int		 def;		/* the default class */
	uint8_t		 byqid[256];	/* leaf + 1 by qid; 0: default */
	uint64_t	 link;		/* bit/s the port never exceeds; 0 */
	uint64_t	 link_nsb;	/* dpq_nsb(link) */
	uint64_t	 link_t;	/* when the link is free again */
	uint32_t	 npkts;
	/* what a flow queue drops after taking it: DPQ_DROP_* */
	void		(*drop)(void *, struct dpq *, int cl,
			    const struct dpq_ent *, int why);
	void		*drop_arg;
};

#define DPQ_DROP_FULL	0	/* the class was full: its longest flow's */
#define DPQ_DROP_DELAY	1	/* CoDel: waited too long too often */
#define DPQ_DROP_NOBUF	2	/* the queues hold all the buffers they may */

/* A class may lag its rate by this much: the poll loop wakes late. */
#define DPQ_SLACK_NS	2000000ull
/* FQ-CoDel (fq_codel.c): its qlimit, delay target and first interval */
#define DPQ_FQ_QLIMIT	1024
#define DPQ_FQ_TARGET	5000000ull
#define DPQ_FQ_INTERVAL	100000000ull

struct dpq	*dpq_new(const struct acl_queue *, size_t nq, size_t root,
		    uint8_t (*qid)(void *, const char *), void *arg,
		    uint32_t quantum);
void		 dpq_free(struct dpq *);
int		 dpq_classify(const struct dpq *, uint8_t qid);
int		 dpq_enqueue(struct dpq *, int cl, const struct dpq_ent *,
		    uint64_t now);
int		 dpq_dequeue(struct dpq *, uint64_t now, struct dpq_ent *,
		    int *cl);
int		 dpq_take(struct dpq *, struct dpq_ent *);
int		 dpq_shed(struct dpq *, int cl);
uint64_t	 dpq_next(const struct dpq *, uint64_t now);
uint32_t	 dpq_qlimit(const struct dpq_class *);
uint64_t	 dpq_nsb(uint64_t);
void		 dpq_sample(struct dpq *);
int		 dpq_rate(const struct dpq_class *, double *, double *);

#endif /* DP_QUEUE_H */
