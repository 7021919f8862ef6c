/*
 * sluice-bench queue: what pf's queues cost a packet (dataplane/dp_queue.c),
 * dpq_classify() + dpq_enqueue() + dpq_dequeue(), in bursts of 64 as
 * dp_output() and the poll loop give and take them:
 *
 *  - one queue: a root with a bandwidth, its own default (a shaped port);
 *  - the handbook-style tree: a root, std (default), ssh with a min, bulk
 *    with a max, packets spread over the three leaves;
 *  - flows 1024 (FQ-CoDel): 1024 flows, round robin over them.
 *
 * Rates are 1 Tbit/s so that the clock, moved 1 us a burst, never holds a
 * packet back: this is the scheduler's work, not the wait.
 */
#include <err.h>
#include <string.h>

#include "bench/bench.h"
#include "dataplane/dp_queue.h"

#define BQ_RATE		1000000000000ull	/* bit/s */
#define BQ_BURST	64

struct bench_q {
	struct acl_queue qs[4];
	size_t		 nq;
	struct dpq	*q;
	uint8_t		 qid[BQ_BURST];
	uint32_t	 hash[1024];
	uint64_t	 now;
	uint64_t	 sink;
};

static uint8_t
bench_q_qid(void *arg, const char *name)
{
	struct bench_q *bq = arg;
	size_t i;

	for (i = 0; i < bq->nq; i++)
		if (strcmp(bq->qs[i].name, name) == 0)
			return (uint8_t)(i + 1);
	return 0;
}

static void
bench_q_def(struct bench_q *bq, const char *name, int parent, uint64_t bw,
    uint64_t min, uint64_t max, uint16_t flags)
{
	struct acl_queue *q = &bq->qs[bq->nq++];

	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", name);
	if (parent >= 0)
		memcpy(q->parent, bq->qs[parent].name, sizeof(q->parent));
	snprintf(q->ifname, sizeof(q->ifname), "em0");
	q->parent_idx = parent;
	q->linkshare.m2 = bw;
	q->realtime.m2 = min;
	q->upperlimit.m2 = max;
	q->flags = flags;
	q->qlimit = 1024;
}

static uint64_t
bench_q_run(void *arg, uint64_t want)
{
	struct bench_q *bq = arg;
	struct dpq_ent e = { NULL, NULL, 1000, 0, 0 };
	uint64_t done = 0;
	uint32_t f = 0;
	int i, cl;

	while (done < want) {
		for (i = 0; i < BQ_BURST; i++) {
			e.hash = bq->hash[f++ & 1023];
			(void)dpq_enqueue(bq->q, dpq_classify(bq->q,
			    bq->qid[i]), &e, bq->now);
		}
		while (dpq_dequeue(bq->q, bq->now, &e, &cl))
			bq->sink += (uint64_t)cl;
		bq->now += 1000;
		done += BQ_BURST;
	}
	return done;
}

static void
bench_q_measure(struct bench *b, struct bench_q *bq, const char *v)
{
	struct bench_result *r;

	if ((bq->q = dpq_new(bq->qs, bq->nq, 0, bench_q_qid, bq,
	    1514)) == NULL)
		err(1, "queues");
	bq->now = 1000000000ull;
	r = bench_measure(b, "queue", v, bench_q_run, bq);
	bench_note(r, "%d queues, %u held at the end", bq->q->ncl,
	    bq->q->npkts);
	dpq_free(bq->q);
}

void
bench_case_queue(struct bench *b)
{
	static struct bench_q bq;
	uint64_t seed = 0x9e37;
	int i;

	for (i = 0; i < 1024; i++)
		bq.hash[i] = bench_rand(&seed);

	memset(bq.qid, 0, sizeof(bq.qid));
	bq.nq = 0;
	bench_q_def(&bq, "rootq", -1, BQ_RATE, 0, 0,
	    ACL_QF_ROOTCLASS | ACL_QF_DEFAULT);
	bench_q_measure(b, &bq, "one queue (a shaped port)");

	bq.nq = 0;
	bench_q_def(&bq, "rootq", -1, BQ_RATE, 0, 0, ACL_QF_ROOTCLASS);
	bench_q_def(&bq, "std", 0, BQ_RATE / 10 * 8, 0, 0, ACL_QF_DEFAULT);
	bench_q_def(&bq, "ssh", 0, BQ_RATE / 10, BQ_RATE / 20, 0, 0);
	bench_q_def(&bq, "bulk", 0, BQ_RATE / 10, 0, BQ_RATE / 5, 0);
	for (i = 0; i < BQ_BURST; i++)
		bq.qid[i] = (uint8_t)(2 + i % 3);	/* std, ssh, bulk */
	bench_q_measure(b, &bq, "hfsc: std, ssh (min), bulk (max)");

	memset(bq.qid, 0, sizeof(bq.qid));
	bq.nq = 0;
	bench_q_def(&bq, "outq", -1, BQ_RATE, 0, 0, ACL_QF_ROOTCLASS |
	    ACL_QF_DEFAULT | ACL_QF_FLOWQUEUE);
	bq.qs[0].flows = 1024;
	bench_q_measure(b, &bq, "flows 1024 (FQ-CoDel), 1024 flows");
}
