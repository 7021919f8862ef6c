/*
 * sluice-bench acl: the cost of pf's decision for a packet.
 *
 * Rules: the ClassBench sets of the corpus (acl1, fw1, ipc1 at 1k and
 * 10k; acl1_10k has no trace in the corpus, so acl2_10k stands in for the
 * 10k ACL set) as pf rules "pass in quick ... no state", one per line, in
 * order (acl/filter/pf_filter_bench.h converts them), compiled for one
 * port and direction.  Each lookup classifies the next header of the
 * set's own trace, in the trace's order, with acl_classify() (the
 * decision tree) and with acl_eval_linear() (the reference, every rule in
 * order).  The linear runs are shorter (a 10k-rule lookup takes ~15 us)
 * and so see a prefix of the trace; the trace is in random order.  The
 * first 10 rules of each 10k set, with the same trace, give the baseline
 * for "cost does not grow with the rule count".
 *
 * States: a table of 1k, 64k and 1M UDP states (no translation: one index
 * slot each), looked up by existing keys in a random order, as
 * dp_pf_test() does for every packet before any rule: one at a time
 * (state_lookup()), and in batches of 64 the way the dataplane does it
 * (dp_pf_prefetch(): every key of the batch hashed and its index line
 * prefetched, then every state prefetched, then the lookups).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/filter/pf_filter.h"
#include "acl/filter/pf_filter_bench.h"
#include "bench/bench.h"
#include "dataplane/pkt.h"
#include "nat/state.h"

#define BENCH_NOW	1000	/* state clock: nothing expires in a run */

/* ---- ClassBench ----------------------------------------------------------- */

struct bench_cls {
	struct acl_classifier *c;
	const struct acl_cb_trace *t;
	size_t		 pos;
	int		 compiled;
	int64_t		 sink;
};

static uint64_t
bench_cls_run(void *arg, uint64_t want)
{
	struct bench_cls *bc = arg;
	const struct acl_cb_trace *t = bc->t;
	struct acl_result res;
	uint64_t done;
	size_t pos = bc->pos;
	int64_t sum = 0;

	for (done = 0; done < want; done++) {
		if (bc->compiled)
			acl_classify(bc->c, &t->pkt[pos], &res);
		else
			acl_eval_linear(bc->c, &t->pkt[pos], &res);
		sum += res.ar_nr;
		if (++pos == t->n)
			pos = 0;
	}
	bc->pos = pos;
	bc->sink += sum;
	return done;
}

/* Compile conf for em0 in; returns compile ms. */
static double
bench_cls_compile(const struct acl_conf *conf, int compiled,
    struct acl_classifier **c)
{
	char ebuf[256];
	uint64_t t0;

	t0 = bench_ns();
	if (acl_cb_compile(conf, compiled, c, ebuf, sizeof(ebuf)) != 0)
		errx(1, "acl_compile: %s", ebuf);
	return (double)(bench_ns() - t0) / 1e6;
}

/*
 * One set, both evaluators; returns the compiled median ns.  nrules > 0
 * keeps only the first nrules rules.
 */
static double
bench_cls_set(struct bench *b, const char *name, struct acl_conf *conf,
    const struct acl_cb_trace *t, size_t nrules, double base_ns,
    double dbase[2])
{
	struct acl_tree_stats st;
	struct bench_result *r;
	struct bench_cls bc;
	size_t keep = conf->root->rs.nrules;
	uint64_t lin;
	double ms, ns = 0;
	char set[48], v[64];
	int compiled;

	if (nrules > 0 && nrules < keep)
		conf->root->rs.nrules = nrules;
	if (nrules > 0)
		snprintf(set, sizeof(set), "%s first %zu rules", name,
		    conf->root->rs.nrules);
	else
		snprintf(set, sizeof(set), "%s (%zu rules)", name,
		    conf->root->rs.nrules);
	for (compiled = 1; compiled >= 0; compiled--) {
		memset(&bc, 0, sizeof(bc));
		bc.t = t;
		bc.compiled = compiled;
		ms = bench_cls_compile(conf, compiled, &bc.c);
		snprintf(v, sizeof(v), "%s, %s", set, compiled ? "compiled" :
		    "linear");
		/* A linear run sees ~40M rule steps whatever the set. */
		lin = 40000000 / (conf->root->rs.nrules + 1);
		if (b->o->quick)
			lin /= 10;
		if (lin < 256)
			lin = 256;
		if (lin > b->o->packets)
			lin = b->o->packets;
		r = bench_measure_n(b, "acl", v, bench_cls_run, NULL, &bc,
		    compiled ? 0 : lin);
		if (compiled) {
			acl_classifier_stats(bc.c, &st);
			ns = r->ns_med;
			bench_note(r, "tree %zu KiB, depth %zu, compile %.0f ms",
			    st.bytes / 1024, st.max_depth, ms);
			if (base_ns > 0)
				bench_note(r, "%.1fx the 10-rule cost",
				    ns / base_ns);
			bench_dpdk_acl_set(b, set, conf, t, bc.c, ns, dbase,
			    nrules > 0);
		} else if (lin < t->n)
			bench_note(r, "first %" PRIu64 " of the %zu trace "
			    "headers per run", lin, t->n);
		else
			bench_note(r, "%" PRIu64 " lookups per run over the "
			    "%zu trace headers", lin, t->n);
		acl_classifier_free(bc.c);
	}
	conf->root->rs.nrules = keep;
	return ns;
}

static void
bench_acl_classbench(struct bench *b)
{
	static const struct {
		const char *rules, *trace;
		int ten;	/* also its first 10 rules */
	} sets[] = {
		{ "acl1_1k", "acl1_1k_trace", 0 },
		{ "fw1_1k", "fw1_1k_trace", 0 },
		{ "ipc1_1k", "ipc1_1k_trace", 0 },
		{ "acl2_10k", "acl2_10k_trace", 1 },
		{ "fw1_10k", "fw1_10k_trace", 1 },
		{ "ipc1_10k", "ipc1_10k_trace", 1 },
	};
	char rules[1024], trace[1024], why[160];
	struct acl_cb_trace t;
	struct acl_conf *conf;
	double base, dbase[2];	/* 10-rule ns: sluice; rte_acl per burst */
	size_t i;
	int error;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		snprintf(rules, sizeof(rules), "%s/classbench/%s",
		    b->o->corpus, sets[i].rules);
		snprintf(trace, sizeof(trace), "%s/classbench/%s",
		    b->o->corpus, sets[i].trace);
		if (access(rules, R_OK) != 0 || access(trace, R_OK) != 0) {
			snprintf(why, sizeof(why), "no ClassBench %s in %s "
			    "(-C)", sets[i].rules, b->o->corpus);
			bench_skip(b, "acl", why);
			continue;
		}
		if ((error = acl_cb_load_rules(rules, &conf)) != 0)
			errx(1, "%s: %s", rules, strerror(error));
		if ((error = acl_cb_load_trace(trace, NULL, &t)) != 0 ||
		    t.n == 0)
			errx(1, "%s: %s", trace, strerror(error ? error :
			    EINVAL));
		base = dbase[0] = dbase[1] = 0;
		if (sets[i].ten)
			base = bench_cls_set(b, sets[i].rules, conf, &t, 10, 0,
			    dbase);
		bench_cls_set(b, sets[i].rules, conf, &t, 0, base, dbase);
		acl_cb_trace_free(&t);
		acl_cb_conf_free(conf);
	}
}

/* ---- state hits ----------------------------------------------------------- */

struct bench_states {
	struct state_table t;
	struct state_key *look;		/* keys in lookup order */
	uint32_t	 n;
	uint32_t	 pos;
	int		 batched;
	int		 tcp;		/* established TCP, windows tracked */
	uint64_t	 sink;
};

static void
bench_key(struct state_key *k, uint64_t *seed, int dir, uint8_t proto)
{
	union acl_ip s, d;

	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	/* 10.50.0.0/16 inside, 203.0.113.0/24 outside: addresses only. */
	s.w[0] = htonl(0x0a320000u | (bench_rand(seed) & 0xffff));
	d.w[0] = htonl(0xcb007100u | (bench_rand(seed) & 0xff));
	state_key_make(k, AF_INET, proto, &s, &d,
	    htons((uint16_t)(1024 + bench_rand(seed) % 64512)),
	    htons((uint16_t)(1 + bench_rand(seed) % 1024)), dir);
}

/*
 * The handshake of an established connection on state s (A's ISN 1000,
 * B's 5000, windows 65535 scaled by 7), so that the data packets of the
 * run are tracked through pf's full window check.
 */
static void
bench_tcp_open(struct state_table *t, struct state *s)
{
	struct state_seg g = { .seq = 1000, .win = 65535, .flags = 0x02,
	    .wscale = STATE_WSCALE_FLAG | 7 };
	uint8_t fail;

	state_tcp_init(t, s, &g);
	g = (struct state_seg){ .seq = 5000, .ack = 1001, .win = 65535,
	    .flags = 0x12, .wscale = STATE_WSCALE_FLAG | 7 };
	state_track_tcp(t, s, STATE_DIR_OUT, &g, 60, BENCH_NOW, &fail);
	g = (struct state_seg){ .seq = 1001, .ack = 5001, .win = 512,
	    .flags = 0x10 };
	if (state_track_tcp(t, s, STATE_DIR_IN, &g, 52, BENCH_NOW,
	    &fail) != STATE_ESTABLISHED)
		errx(1, "tcp state: the handshake did not complete");
}

static void
bench_states_setup(struct bench_states *bs, uint32_t n, int tcp)
{
	uint64_t seed = 0x57a7e5ULL + n;
	uint32_t i, *perm;
	struct state_key *keys;
	struct state *s;

	memset(bs, 0, sizeof(*bs));
	bs->n = n;
	bs->tcp = tcp;
	if (state_table_init(&bs->t, n) != 0)
		errx(1, "state table: out of memory");
	keys = calloc(n, sizeof(*keys));
	bs->look = calloc(n, sizeof(*bs->look));
	perm = calloc(n, sizeof(*perm));
	if (keys == NULL || bs->look == NULL || perm == NULL)
		err(1, "states");
	for (i = 0; i < n; i++) {
		do
			bench_key(&keys[i], &seed, STATE_DIR_IN, tcp ? 6 : 17);
		while ((s = state_insert(&bs->t, &keys[i], &keys[i],
		    STATE_DIR_IN, 0, BENCH_NOW, 0, i)) == NULL);
		if (tcp)
			bench_tcp_open(&bs->t, s);
		perm[i] = i;
	}
	bench_shuffle(perm, n, &seed);
	for (i = 0; i < n; i++)
		bs->look[i] = keys[perm[i]];
	free(perm);
	free(keys);
}

static uint64_t
bench_states_run(void *arg, uint64_t want)
{
	struct bench_states *bs = arg;
	uint64_t done, sum = 0;
	uint32_t h[BATCH_MAX], hint[BATCH_MAX];
	uint32_t pos = bs->pos, i, cnt;
	struct state *s;

	for (done = 0; done < want; done += cnt) {
		cnt = bs->n - pos < BATCH_MAX ? bs->n - pos : BATCH_MAX;
		if (bs->batched) {
			for (i = 0; i < cnt; i++) {
				h[i] = state_tag(&bs->look[pos + i]);
				state_prefetch(&bs->t, h[i]);
			}
			for (i = 0; i < cnt; i++) {
				hint[i] = state_prefetch2(&bs->t, h[i]);
				/* as state_prefetch4() does for TCP */
				if (bs->tcp && hint[i] != 0)
					__builtin_prefetch(&bs->t.tcp[hint[i] -
					    1], 1);
			}
		}
		for (i = 0; i < cnt; i++) {
			s = bs->batched ? state_lookup_tag(&bs->t,
			    &bs->look[pos + i], h[i], hint[i], STATE_DIR_IN, 0,
			    BENCH_NOW) : state_lookup(&bs->t, &bs->look[pos + i],
			    STATE_DIR_IN, 0, BENCH_NOW);
			if (s == NULL)
				errx(1, "state: an existing key was not found");
			if (bs->tcp) {
				/* 100 bytes of data, in the window: the same
				 * ones again (B never acks, so new data would
				 * leave the window), the same checks */
				struct state_seg g = { .seq = 1001,
				    .ack = 5001, .len = 100, .win = 512,
				    .flags = 0x10 };
				uint8_t fail;

				if (state_track_tcp(&bs->t, s, STATE_DIR_IN,
				    &g, 152, BENCH_NOW, &fail) < 0)
					errx(1, "tcp state: out of window");
			}
			sum += s->rule;
		}
		pos += cnt;
		if (pos == bs->n)
			pos = 0;
	}
	bs->pos = pos;
	bs->sink += sum;
	return done;
}

static void
bench_acl_states(struct bench *b)
{
	static const uint32_t sizes[] = { 1000, 65536, 1000000 };
	struct bench_states bs;
	struct bench_result *r;
	char v[80];
	size_t i;
	int tcp;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];

		if (b->o->quick && n > 65536)
			break;
		for (tcp = 0; tcp < 2; tcp++) {
			bench_states_setup(&bs, n, tcp);
			for (bs.batched = 0; bs.batched < 2; bs.batched++) {
				snprintf(v, sizeof(v), "state_lookup hit%s, %u "
				    "states%s", tcp ? " + TCP windows" : "", n,
				    bs.batched ? ", batched" : "");
				r = bench_measure(b, "acl", v, bench_states_run,
				    &bs);
				bench_note(r, "%zu B/state (state %zu, index %u "
				    "slots, TCP windows %zu)",
				    state_bytes_per_state(&bs.t) + (tcp ?
				    sizeof(struct state_tcp) : 0),
				    sizeof(struct state), bs.t.nslots, tcp ?
				    sizeof(struct state_tcp) : (size_t)0);
			}
			state_table_fini(&bs.t);
			free(bs.look);
		}
	}
}

void
bench_case_acl(struct bench *b)
{
	bench_acl_classbench(b);
	bench_acl_states(b);
}
