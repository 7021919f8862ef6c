/*
 * pf's queue scheduler (dataplane/dp_queue.c) on a fake clock: the
 * link's rate, shares by bandwidth, borrowing, max, min, qlimit, the
 * default queue.  Queues are kept full, so each test measures what the
 * scheduler gives, not what arrived.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dataplane/dp_queue.h"
#include "test/unit/dptest.h"

#define MS	1000000ull
#define T0	(1000 * MS)	/* the clock starts at 1 s */
#define LEN	1000		/* bytes a packet */

static struct acl_queue qs[8];
static size_t nq;

static int
def(const char *name, int parent, uint64_t bw, uint64_t min, uint64_t max,
    uint16_t flags, uint32_t qlimit)
{
	struct acl_queue *q = &qs[nq];

	memset(q, 0, sizeof(*q));
	strcpy(q->name, name);
	if (parent >= 0)
		strcpy(q->parent, qs[parent].name);
	strcpy(q->ifname, "em0");
	q->parent_idx = parent;
	q->linkshare.m2 = bw;
	q->realtime.m2 = min;
	q->upperlimit.m2 = max;
	q->flags = flags;
	q->qlimit = qlimit;
	return (int)nq++;
}

/* queue names number as their index + 1 */
static uint8_t
qid(void *arg, const char *name)
{
	size_t i;

	(void)arg;
	for (i = 0; i < nq; i++)
		if (strcmp(qs[i].name, name) == 0)
			return (uint8_t)(i + 1);
	return 0;
}

static struct dpq *
build(void)
{
	struct dpq *q = dpq_new(qs, nq, 0, qid, NULL, 1514);

	cr_assert_not_null(q);
	return q;
}

static void
fill(struct dpq *q, int cl, int n, uint64_t now)
{
	struct dpq_ent e = { NULL, NULL, LEN, 0, 0 };

	while (n-- > 0)
		cr_assert_eq(dpq_enqueue(q, cl, &e, now), 0);
}

/*
 * Run the scheduler from T0 for ms milliseconds, waking every 100 us,
 * the classes in busy[] kept backlogged; bytes[] gets each class's.
 */
static void
run_at(struct dpq *q, uint64_t t0, const int *busy, int nbusy, uint64_t ms,
    uint64_t *bytes)
{
	struct dpq_ent e;
	uint64_t now;
	int cl, i;

	for (i = 0; i < nbusy; i++)
		fill(q, busy[i], 10, t0);
	for (now = t0; now < t0 + ms * MS; now += MS / 10)
		while (dpq_dequeue(q, now, &e, &cl)) {
			bytes[cl] += e.len;
			fill(q, cl, 1, now);
		}
}

static void
run(struct dpq *q, const int *busy, int nbusy, uint64_t ms, uint64_t *bytes)
{
	run_at(q, T0, busy, nbusy, ms, bytes);
}

/* bit/s over ms milliseconds */
static double
rate(uint64_t bytes, uint64_t ms)
{
	return bytes * 8.0 * 1000 / ms;
}

/* what a class sent in ms milliseconds came to lo..hi bit/s */
static void
rate_in(const char *what, uint64_t bytes, uint64_t ms, double lo, double hi)
{
	double r = rate(bytes, ms);

	cr_assert(r >= lo && r <= hi, "%s: %.0f bit/s, not %.0f-%.0f", what,
	    r, lo, hi);
}

Test(queue, root_bandwidth_is_the_link)
{
	uint64_t bytes[8] = { 0 };
	int busy[] = { 0 };
	struct dpq *q;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS | ACL_QF_DEFAULT, 0);
	q = build();
	run(q, busy, 1, 1000, bytes);
	/* 8 Mbit/s for a second, and the slack's 2 ms at most */
	rate_in("the link", bytes[0], 1000, 7.9e6, 8.1e6);
	dpq_free(q);
}

Test(queue, next_says_when)
{
	struct dpq_ent e;
	struct dpq *q;
	int cl;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS | ACL_QF_DEFAULT, 0);
	q = build();
	cr_assert_eq(dpq_next(q, T0), 0, "nothing held");
	fill(q, 0, 4, T0);
	cr_assert_eq(dpq_next(q, T0), T0);
	/* an idle link may catch up 2 ms (DPQ_SLACK_NS): 2000 B, then 1
	 * more as the time of the first 1000 B is now */
	cr_assert(dpq_dequeue(q, T0, &e, &cl));
	cr_assert(dpq_dequeue(q, T0, &e, &cl));
	cr_assert(dpq_dequeue(q, T0, &e, &cl));
	cr_assert(!dpq_dequeue(q, T0, &e, &cl), "1000 B take 1 ms");
	cr_assert_eq(dpq_next(q, T0), T0 + MS);
	cr_assert(!dpq_dequeue(q, T0 + MS - 1, &e, &cl));
	cr_assert(dpq_dequeue(q, T0 + MS, &e, &cl));
	cr_assert_eq(dpq_next(q, T0 + MS), 0);
	dpq_free(q);
}

Test(queue, siblings_share_by_bandwidth)
{
	uint64_t bytes[8] = { 0 };
	int a, b, busy[2];
	struct dpq *q;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	a = def("a", 0, 6000000, 0, 0, ACL_QF_DEFAULT, 0);
	b = def("b", 0, 2000000, 0, 0, 0, 0);
	q = build();
	busy[0] = a;
	busy[1] = b;
	run(q, busy, 2, 1000, bytes);
	rate_in("a", bytes[a], 1000, 5.8e6, 6.2e6);
	rate_in("b", bytes[b], 1000, 1.8e6, 2.2e6);
	dpq_free(q);
}

Test(queue, alone_a_class_borrows_the_link)
{
	uint64_t bytes[8] = { 0 };
	int b, busy[1];
	struct dpq *q;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	def("a", 0, 6000000, 0, 0, ACL_QF_DEFAULT, 0);
	b = def("b", 0, 2000000, 0, 0, 0, 0);
	q = build();
	busy[0] = b;
	run(q, busy, 1, 1000, bytes);
	rate_in("b alone", bytes[b], 1000, 7.9e6, 1e12);
	dpq_free(q);
}

Test(queue, max_holds_a_class_back)
{
	uint64_t bytes[8] = { 0 };
	int a, b, busy[2];
	struct dpq *q;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	a = def("a", 0, 4000000, 0, 1000000, ACL_QF_DEFAULT, 0);
	b = def("b", 0, 4000000, 0, 0, 0, 0);
	q = build();
	busy[0] = a;
	run(q, busy, 1, 1000, bytes);
	rate_in("a alone", bytes[a], 1000, 0.95e6, 1.05e6);
	/* and b takes what a may not */
	memset(bytes, 0, sizeof(bytes));
	busy[1] = b;
	run_at(q, T0 + 1000 * MS, busy, 2, 1000, bytes);
	rate_in("a", bytes[a], 1000, 0, 1.05e6);
	rate_in("b", bytes[b], 1000, 6.8e6, 1e12);
	dpq_free(q);
}

/*
 * max 1M burst 4M for 100ms: 4 Mbit/s for the first 50 kB of a backlog
 * period (what 4M sends in 100 ms), then 1 Mbit/s; after an idle spell,
 * the burst again.
 */
Test(queue, a_two_piece_max_bursts_per_backlog_period)
{
	uint64_t bytes[8] = { 0 };
	struct dpq_ent e;
	int a, busy[1];
	struct dpq *q;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	a = def("a", 0, 4000000, 0, 1000000, ACL_QF_DEFAULT, 0);
	qs[a].upperlimit.m1 = 4000000;
	qs[a].upperlimit.d = 100;
	q = build();
	busy[0] = a;
	run(q, busy, 1, 100, bytes);
	rate_in("first 100 ms", bytes[a], 100, 3.8e6, 4.2e6);
	memset(bytes, 0, sizeof(bytes));
	run_at(q, T0 + 100 * MS, busy, 1, 900, bytes);
	rate_in("then", bytes[a], 900, 0.95e6, 1.1e6);
	/* drained and idle a second: a new period bursts again */
	while (dpq_take(q, &e))
		;
	memset(bytes, 0, sizeof(bytes));
	run_at(q, T0 + 2000 * MS, busy, 1, 100, bytes);
	rate_in("again", bytes[a], 100, 3.8e6, 1e12);
	dpq_free(q);
}

Test(queue, max_of_a_parent_bounds_its_subtree)
{
	uint64_t bytes[8] = { 0 };
	int p, a, b, busy[2];
	struct dpq *q;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	p = def("p", 0, 4000000, 0, 2000000, 0, 0);
	a = def("a", p, 1000000, 0, 0, ACL_QF_DEFAULT, 0);
	b = def("b", p, 3000000, 0, 0, 0, 0);
	q = build();
	busy[0] = a;
	busy[1] = b;
	run(q, busy, 2, 1000, bytes);
	rate_in("p's subtree", bytes[a] + bytes[b], 1000, 0, 2.05e6);
	/* 1:3 inside */
	cr_assert(bytes[b] > 2 * bytes[a], "a %ju b %ju",
	    (uintmax_t)bytes[a], (uintmax_t)bytes[b]);
	dpq_free(q);
}

Test(queue, min_is_served_first)
{
	uint64_t bytes[8] = { 0 };
	int a, b, busy[2];
	struct dpq *q;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	/* a's share alone would be 1/8 of the link; its min is 5 Mbit/s */
	a = def("a", 0, 1000000, 5000000, 0, 0, 0);
	b = def("b", 0, 7000000, 0, 0, ACL_QF_DEFAULT, 0);
	q = build();
	busy[0] = a;
	busy[1] = b;
	run(q, busy, 2, 1000, bytes);
	rate_in("a", bytes[a], 1000, 4.9e6, 1e12);
	rate_in("the link", bytes[a] + bytes[b], 1000, 0, 8.1e6);
	dpq_free(q);
}

Test(queue, qlimit_drops_the_tail)
{
	struct dpq_ent e = { NULL, NULL, LEN, 0, 0 };
	struct dpq *q;
	int i, dropped = 0;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS | ACL_QF_DEFAULT,
	    10);
	q = build();
	for (i = 0; i < 15; i++)
		if (dpq_enqueue(q, 0, &e, T0) != 0)
			dropped++;
	cr_assert_eq(dropped, 5);
	cr_assert_eq(q->cl[0].drop_pkts, 5);
	cr_assert_eq(q->cl[0].drop_bytes, 5 * LEN);
	cr_assert_eq(q->npkts, 10);
	/* the default qlimit is hfsc's 50 */
	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS | ACL_QF_DEFAULT, 0);
	dpq_free(q);
	q = build();
	cr_assert_eq(q->cl[0].qlimit, 50);
	dpq_free(q);
}

Test(queue, unknown_and_inner_queues_go_to_the_default)
{
	struct dpq *q;
	int p, a, b;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	p = def("p", 0, 4000000, 0, 0, 0, 0);
	a = def("a", p, 1000000, 0, 0, 0, 0);
	b = def("b", 0, 4000000, 0, 0, ACL_QF_DEFAULT, 0);
	q = build();
	cr_assert_eq(dpq_classify(q, 0), b, "no queue");
	cr_assert_eq(dpq_classify(q, (uint8_t)(a + 1)), a);
	cr_assert_eq(dpq_classify(q, (uint8_t)(p + 1)), b, "not a leaf");
	cr_assert_eq(dpq_classify(q, 200), b, "another port's");
	dpq_free(q);
}

Test(queue, a_flow_queue_root_does_not_shape)
{
	struct dpq_ent e;
	struct dpq *q;
	int cl, n = 0;

	nq = 0;
	def("fq", -1, 0, 0, 0, ACL_QF_FLOWQUEUE, 0);
	qs[0].flows = 1024;
	q = build();
	fill(q, dpq_classify(q, 0), 20, T0);
	while (dpq_dequeue(q, T0, &e, &cl))
		n++;
	cr_assert_eq(n, 20);
	dpq_free(q);
}

Test(queue, take_empties)
{
	struct dpq_ent e;
	struct dpq *q;
	int a, b, n = 0;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS, 0);
	a = def("a", 0, 6000000, 0, 0, ACL_QF_DEFAULT, 0);
	b = def("b", 0, 2000000, 0, 0, 0, 0);
	q = build();
	fill(q, a, 3, T0);
	fill(q, b, 4, T0);
	while (dpq_take(q, &e))
		n++;
	cr_assert_eq(n, 7);
	cr_assert_eq(q->npkts, 0);
	cr_assert_eq(q->cl[0].nactive, 0);
	cr_assert_eq(dpq_next(q, T0), 0);
	dpq_free(q);
}

/* ---- flows: FQ-CoDel ---------------------------------------------------- */

static int ndrops[3];
static uint32_t dropped_hash;

static void
count_drop(void *arg, struct dpq *q, int cl, const struct dpq_ent *e, int why)
{
	(void)arg;
	(void)q;
	(void)cl;
	ndrops[why]++;
	dropped_hash = e->hash;
}

static void
fill_flow(struct dpq *q, int cl, uint32_t hash, int n, uint64_t now)
{
	struct dpq_ent e = { NULL, NULL, LEN, hash, 0 };

	while (n-- > 0)
		cr_assert_eq(dpq_enqueue(q, cl, &e, now), 0);
}

Test(queue, flows_take_turns)
{
	struct dpq_ent e;
	struct dpq *q;
	int cl, n = 0, last_b = -1;

	nq = 0;
	def("fq", -1, 0, 0, 0, ACL_QF_FLOWQUEUE, 0);
	qs[0].flows = 64;
	q = build();
	cr_assert_not_null(q->cl[0].fq);
	cr_assert_eq(q->cl[0].qlimit, 1024, "fq_codel's default qlimit");
	/* a bulk flow with 20 packets waiting, then a ping-like one */
	fill_flow(q, 0, 1, 20, T0);
	fill_flow(q, 0, 2, 2, T0);
	while (dpq_dequeue(q, T0, &e, &cl)) {
		if (e.hash == 2)
			last_b = n;
		n++;
	}
	cr_assert_eq(n, 22);
	/* a quantum (1514 B) each: two of a's, then both of b's */
	cr_assert_eq(last_b, 3, "b's last went %d-th", last_b + 1);
	dpq_free(q);
}

Test(queue, a_full_flow_queue_drops_from_its_longest_flow)
{
	struct dpq *q;

	nq = 0;
	def("fq", -1, 0, 0, 0, ACL_QF_FLOWQUEUE, 10);
	qs[0].flows = 64;
	q = build();
	q->drop = count_drop;
	ndrops[0] = ndrops[1] = ndrops[2] = 0;
	fill_flow(q, 0, 1, 9, T0);
	fill_flow(q, 0, 2, 2, T0);
	cr_assert_eq(ndrops[DPQ_DROP_FULL], 1);
	cr_assert_eq(dropped_hash, 1, "the longest flow pays");
	cr_assert_eq(q->cl[0].qlen, 10);
	cr_assert_eq(q->cl[0].drop_pkts, 1);
	dpq_free(q);
}

/*
 * A burst of 300 packets on an 8 Mbit/s link: they take 300 ms to leave.
 * A FIFO sends them all, the last 300 ms late.  CoDel lets the delay
 * stand over its 5 ms target for one 100 ms interval, then drops, ever
 * faster (100 ms / sqrt(drops)) while it stands.
 */
static void
burst(int flows, int *sent, int *first_drop)
{
	struct dpq_ent e;
	struct dpq *q;
	uint64_t now;
	int cl;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0,
	    ACL_QF_ROOTCLASS | ACL_QF_DEFAULT | (flows ? ACL_QF_FLOWQUEUE : 0),
	    1024);
	qs[0].flows = (uint32_t)flows;
	q = build();
	q->drop = count_drop;
	ndrops[0] = ndrops[1] = ndrops[2] = 0;
	*sent = 0;
	*first_drop = -1;
	fill_flow(q, 0, 7, 300, T0);
	for (now = T0; now < T0 + 1000 * MS; now += MS / 2) {
		while (dpq_dequeue(q, now, &e, &cl))
			(*sent)++;
		if (*first_drop < 0 && ndrops[DPQ_DROP_DELAY] > 0)
			*first_drop = (int)((now - T0) / MS);
	}
	cr_assert_eq(q->npkts, 0);
	dpq_free(q);
}

Test(queue, codel_drops_what_stands_in_the_queue)
{
	int sent, first;

	burst(0, &sent, &first);
	cr_assert_eq(sent, 300, "a FIFO sends it all");
	cr_assert_eq(ndrops[DPQ_DROP_DELAY], 0);
	burst(1, &sent, &first);
	cr_assert_eq(sent + ndrops[DPQ_DROP_DELAY], 300);
	/* then 100/sqrt(2), 100/sqrt(3) ms apart: at ~176 and ~234 ms */
	cr_assert(ndrops[DPQ_DROP_DELAY] >= 3, "%d", ndrops[DPQ_DROP_DELAY]);
	/* the first at 5 ms over target plus an interval: ~105 ms */
	cr_assert(first >= 100 && first <= 110, "first drop at %d ms", first);
	cr_assert_eq(ndrops[DPQ_DROP_FULL], 0);
}

/* pfctl -vvsq's rate: over the last five seconds, once there are two. */
Test(queue, rate_over_the_last_seconds)
{
	struct dpq *q;
	double pps, bps;
	int s;

	nq = 0;
	def("rootq", -1, 8000000, 0, 0, ACL_QF_ROOTCLASS | ACL_QF_DEFAULT, 0);
	q = build();
	cr_assert_eq(dpq_rate(&q->cl[0], &pps, &bps), -1);
	for (s = 0; s < 10; s++) {
		/* 100 packets of 1000 B a second for 4 s, then 300 */
		q->cl[0].xmit_pkts += s < 4 ? 100 : 300;
		q->cl[0].xmit_bytes += s < 4 ? 100000 : 300000;
		dpq_sample(q);
		if (s == 1) {
			cr_assert_eq(dpq_rate(&q->cl[0], &pps, &bps), 0);
			cr_assert_float_eq(pps, 100, 1e-9);
			cr_assert_float_eq(bps, 800000, 1e-9);
		}
	}
	cr_assert_eq(dpq_rate(&q->cl[0], &pps, &bps), 0);
	cr_assert_float_eq(pps, 300, 1e-9, "%f", pps);
	cr_assert_float_eq(bps, 2400000, 1e-9);
	dpq_free(q);
}

/* ---- in the dataplane: reloads with packets waiting ---------------------- */

static char qetc[] = "/tmp/sluice-test-queue-XXXXXX";
static const char *const qports[] = { "em1", "em2" };

static void
qput(const char *name, const char *text)
{
	cr_assert_eq(etc_put(qetc, name, text), 0, "cannot write %s", name);
}

/* em1 and em2 on bridge0, em2 behind 8 kbit/s: a 60-byte frame, 60 ms */
static void
qbuild(struct dp *dp, struct conf **conf)
{
	char cmd[128];

	cr_assert_not_null(mkdtemp(qetc));
	qput("hostname.bridge0", "add em1\nadd em2\nup\n");
	qput("pf.conf", "queue rootq on em2 bandwidth 8K default\npass\n");
	qput("pf-none.conf", "pass\n");
	qput("pf-two.conf", "queue r on em2 bandwidth 8K\n"
	    "queue a parent r bandwidth 4K default\n"
	    "queue b parent r bandwidth 4K\npass\n");
	qput("pf-bad.conf", "queue r on em9 bandwidth 8K default\npass\n");
	dptest_build(dp, conf, qetc, qports, 2, NULL);
	snprintf(cmd, sizeof(cmd), "pfctl -f %s/pf.conf", qetc);
	cr_assert_eq(dptest_ctl_rc(dp, cmd), 0, "%s", dptest_out);
}

/* n broadcast frames into em1: bridge0 floods them to em2 */
static void
qsend(struct dp *dp, int n)
{
	struct pkt *p[8];
	int i;

	for (i = 0; i < n; i++) {
		cr_assert_not_null(p[i] = pkt_alloc(&dp->pool));
		memset(p[i]->data, 0, 60);
		memset(p[i]->data, 0xff, 6);
		memcpy(p[i]->data + 6, "\x02\x00\x00\x00\x00\x0a", 6);
		p[i]->data[12] = 0x88;		/* a local experimental type */
		p[i]->data[13] = 0xb5;
		p[i]->data[14] = (uint8_t)i;
		p[i]->len = 60;
	}
	dp_input(dp, dp->ports[0], p, n);
}

static int
qload(struct dp *dp, const char *file)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "pfctl -f %s/%s", qetc, file);
	return dptest_ctl_rc(dp, cmd);
}

Test(queue, a_reload_moves_or_sends_what_waits)
{
	struct dp dp;
	struct conf *conf;
	size_t nfree;

	qbuild(&dp, &conf);
	nfree = dp.pool.nfree;
	qsend(&dp, 5);
	/* the first goes at once (the link was idle), four wait */
	cr_assert_eq(dp.ports[1]->c[PORT_C_TX_PACKETS], 1);
	cr_assert_not_null(dp.ports[1]->queues);
	cr_assert_eq(dp.ports[1]->queues->npkts, 4);
	cr_assert_eq(dp_queues_next(&dp), dp.now_ns + 60 * MS - DPQ_SLACK_NS);
	/* a load that fails changes nothing: they still wait */
	cr_assert_neq(qload(&dp, "pf-bad.conf"), 0);
	cr_assert_not_null(strstr(dptest_out, "queue r: no interface em9"),
	    "%s", dptest_out);
	cr_assert_eq(dp.ports[1]->queues->npkts, 4);
	/* a new tree: they move to its default; its link starts idle, as
	 * a new hfsc does, so one goes at once */
	cr_assert_eq(qload(&dp, "pf-two.conf"), 0, "%s", dptest_out);
	cr_assert_eq(dp.ports[1]->queues->npkts, 3);
	cr_assert_eq(dp.ports[1]->queues->cl[1].qlen, 3, "in a, the default");
	cr_assert_eq(dp.ports[1]->c[PORT_C_TX_PACKETS], 2);
	/* the time comes: one more a frame time later */
	dp_clock(&dp, dp.now_ns + 60 * MS);
	dp_queues_run(&dp);
	cr_assert_eq(dp.ports[1]->c[PORT_C_TX_PACKETS], 3);
	/* no queues: what waits goes now, every buffer comes back */
	cr_assert_eq(qload(&dp, "pf-none.conf"), 0, "%s", dptest_out);
	cr_assert_null(dp.ports[1]->queues);
	cr_assert_eq(dp.ports[1]->c[PORT_C_TX_PACKETS], 5);
	cr_assert_eq(dp.pool.nfree, nfree);
	cr_assert_eq(dp_queues_next(&dp), 0);
	dptest_destroy(&dp, conf);
	etc_remove(qetc);
}

Test(queue, flushing_the_rules_sends_what_waits)
{
	struct dp dp;
	struct conf *conf;

	qbuild(&dp, &conf);
	qsend(&dp, 3);
	cr_assert_eq(dp.ports[1]->queues->npkts, 2);
	cr_assert_eq(dptest_ctl_rc(&dp, "pfctl -F rules"), 0);
	cr_assert_null(dp.ports[1]->queues);
	cr_assert_eq(dp.ports[1]->c[PORT_C_TX_PACKETS], 3);
	/* and sluiced stopping frees what a queue still holds */
	cr_assert_eq(qload(&dp, "pf.conf"), 0);
	qsend(&dp, 3);
	cr_assert_eq(dp.ports[1]->queues->npkts, 2);
	dptest_destroy(&dp, conf);
	etc_remove(qetc);
}
