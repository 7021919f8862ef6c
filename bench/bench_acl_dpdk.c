/*
 * sluice-bench acl, side by side: DPDK's rte_acl on the same ClassBench
 * rules and trace as sluice's classifier.
 *
 * Why this row: issue #4 asks that 10 -> 10k rules cost at most 1.5x.
 * rte_acl is the classifier built for exactly this job (a multi-bit trie
 * over the key's bytes, run over 8 or 16 packets at once with SSE, AVX2
 * or AVX-512; see DPDK's "Packet Classification and Access Control"
 * guide).  Its lookup depth is the key's length, not a function of the
 * rule count, and so it is the fairest answer to "what does a 10k-rule
 * lookup cost on this machine, against a 10-rule one".  Both classifiers
 * see the same rules in the same order and the same headers in the same
 * order; before timing, every header of the trace is classified by both
 * and the answers must be the same rule (or none), else the run stops.
 *
 * rte_acl is measured two ways: one header per rte_acl_classify() call,
 * as sluice's acl_classify() is called, and 64 per call (a burst, what
 * rte_acl is built for: its SIMD paths interleave the packets).  It runs
 * with the best method the CPU offers, AVX-512 allowed
 * (--force-max-simd-bitwidth=512).
 *
 * Only built when libdpdk-dev is installed (meson option "dpdk");
 * otherwise sluice-bench says so in one skipped row.  The EAL runs
 * without huge pages, PCI, shared files or telemetry, on the CPU this
 * thread runs on, and this thread's CPU affinity is put back after.
 */
#ifdef SLUICE_HAVE_DPDK
#include <sched.h>
#include <rte_acl.h>
#include <rte_eal.h>
#endif

#include <sys/socket.h>

#include <arpa/inet.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/filter/pf_filter.h"
#include "acl/filter/pf_filter_bench.h"
#include "bench/bench.h"

#ifndef SLUICE_HAVE_DPDK

void
bench_dpdk_acl_set(struct bench *b, const char *name,
    const struct acl_conf *conf, const struct acl_cb_trace *t,
    const struct acl_classifier *c, double sluice_ns, double base[2],
    int is_base)
{
	static int said;

	(void)name, (void)conf, (void)t, (void)c, (void)sluice_ns;
	(void)base, (void)is_base;
	if (!said++)
		bench_skip(b, "acl", "DPDK rte_acl: not built (no "
		    "libdpdk-dev; meson option dpdk)");
}

#else /* SLUICE_HAVE_DPDK */

#define DPDK_BURST	64

/* The key rte_acl reads: its first field must be one byte. */
enum { F_PROTO, F_SRC, F_DST, F_SPORT, F_DPORT, F_N };

struct dpdk_key {
	uint8_t		 proto;
	uint8_t		 pad[3];
	uint32_t	 src;		/* network order, as in a header */
	uint32_t	 dst;
	uint16_t	 sport;
	uint16_t	 dport;
};

RTE_ACL_RULE_DEF(dpdk_rule, F_N);

static const struct rte_acl_field_def dpdk_defs[F_N] = {
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
	  .field_index = F_PROTO, .input_index = 0,
	  .offset = offsetof(struct dpdk_key, proto) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
	  .field_index = F_SRC, .input_index = 1,
	  .offset = offsetof(struct dpdk_key, src) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
	  .field_index = F_DST, .input_index = 2,
	  .offset = offsetof(struct dpdk_key, dst) },
	/* both ports are one 4-byte input, as DPDK's examples have them */
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = F_SPORT, .input_index = 3,
	  .offset = offsetof(struct dpdk_key, sport) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = F_DPORT, .input_index = 3,
	  .offset = offsetof(struct dpdk_key, dport) },
};

struct dpdk_run {
	struct rte_acl_ctx *ctx;
	const uint8_t	**data;		/* one per trace header */
	uint32_t	*res;
	size_t		 n, pos;
	uint32_t	 burst;
	uint64_t	 sink;
};

static int
dpdk_eal_up(void)
{
	static int state;	/* 0: not tried, 1: up, -1: failed */
	char lcore[16];
	char *argv[] = { "sluice-bench", "--no-huge", "--no-pci",
	    "--no-shconf", "--no-telemetry", "-m", "512", "-l", lcore,
	    "--log-level=lib.eal:error", "--force-max-simd-bitwidth=512",
	    NULL };
	cpu_set_t aff;
	int cpu;

	if (state != 0)
		return (state > 0);
	if ((cpu = sched_getcpu()) < 0)
		cpu = 0;
	snprintf(lcore, sizeof(lcore), "%d", cpu);
	CPU_ZERO(&aff);
	if (sched_getaffinity(0, sizeof(aff), &aff) != 0)
		err(1, "sched_getaffinity");
	state = rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1,
	    argv) < 0 ? -1 : 1;
	/* the EAL pins its main thread; the other rows choose their own */
	if (sched_setaffinity(0, sizeof(aff), &aff) != 0)
		err(1, "sched_setaffinity");
	return (state > 0);
}

/* A ClassBench rule of the conf as rte_acl wants it (host order). */
static void
dpdk_rule_of(const struct acl_rule *r, uint32_t i, uint32_t n,
    struct dpdk_rule *d)
{
	const struct acl_rule_addr *ra[2] = { &r->src, &r->dst };
	int k;

	memset(d, 0, sizeof(*d));
	d->data.category_mask = 1;
	d->data.priority = (int32_t)(n - i);	/* first match wins */
	d->data.userdata = i + 1;		/* 0 is "no match" */
	d->field[F_PROTO].value.u8 = r->proto;
	d->field[F_PROTO].mask_range.u8 = r->proto ? 0xff : 0;
	for (k = 0; k < 2; k++) {
		d->field[F_SRC + k].value.u32 = ntohl(ra[k]->addr.a.addr.w[0]);
		d->field[F_SRC + k].mask_range.u32 = (uint32_t)
		    __builtin_popcount(ra[k]->addr.a.mask.w[0]);
		if (ra[k]->port_op == ACL_OP_NONE) {
			d->field[F_SPORT + k].value.u16 = 0;
			d->field[F_SPORT + k].mask_range.u16 = 65535;
		} else {
			d->field[F_SPORT + k].value.u16 = ra[k]->port[0];
			d->field[F_SPORT + k].mask_range.u16 =
			    ra[k]->port_op == ACL_OP_EQ ? ra[k]->port[0] :
			    ra[k]->port[1];
		}
	}
}

static struct rte_acl_ctx *
dpdk_build(const struct acl_conf *conf, double *ms)
{
	static unsigned seq;
	const struct acl_ruleset *rs = &conf->root->rs;
	struct rte_acl_param prm;
	struct rte_acl_config cfg;
	struct rte_acl_ctx *ctx;
	struct dpdk_rule *rules;
	char name[RTE_ACL_NAMESIZE];
	uint32_t i, n = (uint32_t)rs->nrules;
	uint64_t t0;
	int rv;

	snprintf(name, sizeof(name), "sluice-bench-%u", seq++);
	memset(&prm, 0, sizeof(prm));
	prm.name = name;
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(F_N);
	prm.max_rule_num = n;
	if ((ctx = rte_acl_create(&prm)) == NULL)
		errx(1, "rte_acl_create: %s", rte_strerror(rte_errno));
	if ((rules = calloc(n ? n : 1, sizeof(*rules))) == NULL)
		err(1, "rte_acl rules");
	for (i = 0; i < n; i++)
		dpdk_rule_of(&rs->rules[i], i, n, &rules[i]);
	if ((rv = rte_acl_add_rules(ctx, (struct rte_acl_rule *)rules, n)) != 0)
		errx(1, "rte_acl_add_rules: %s", strerror(-rv));
	free(rules);
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_categories = 1;
	cfg.num_fields = F_N;
	memcpy(cfg.defs, dpdk_defs, sizeof(dpdk_defs));
	t0 = bench_ns();
	if ((rv = rte_acl_build(ctx, &cfg)) != 0)
		errx(1, "rte_acl_build: %s", strerror(-rv));
	*ms = (double)(bench_ns() - t0) / 1e6;
	return (ctx);
}

static uint64_t
dpdk_run(void *arg, uint64_t want)
{
	struct dpdk_run *d = arg;
	uint64_t done = 0;
	uint32_t m;

	while (done < want) {
		m = d->burst;
		if (d->pos + m > d->n)
			m = (uint32_t)(d->n - d->pos);
		rte_acl_classify(d->ctx, d->data + d->pos, d->res + d->pos, m,
		    1);
		d->sink += d->res[d->pos];
		d->pos += m;
		if (d->pos == d->n)
			d->pos = 0;
		done += m;
	}
	return (done);
}

void
bench_dpdk_acl_set(struct bench *b, const char *name,
    const struct acl_conf *conf, const struct acl_cb_trace *t,
    const struct acl_classifier *c, double sluice_ns, double base[2],
    int is_base)
{
	static const uint32_t bursts[] = { 1, DPDK_BURST };
	struct bench_result *r;
	struct acl_result res;
	struct dpdk_key *keys;
	struct dpdk_run d;
	char v[64];
	double ms;
	size_t i, j;

	if (!dpdk_eal_up()) {
		bench_skip(b, "acl", "DPDK rte_acl: the EAL did not start");
		return;
	}
	memset(&d, 0, sizeof(d));
	d.ctx = dpdk_build(conf, &ms);
	d.n = t->n;
	keys = calloc(t->n, sizeof(*keys));
	d.data = calloc(t->n, sizeof(*d.data));
	d.res = calloc(t->n, sizeof(*d.res));
	if (keys == NULL || d.data == NULL || d.res == NULL)
		err(1, "rte_acl trace");
	for (i = 0; i < t->n; i++) {
		keys[i].proto = t->pkt[i].proto;
		keys[i].src = t->pkt[i].src.w[0];
		keys[i].dst = t->pkt[i].dst.w[0];
		keys[i].sport = htons(t->pkt[i].sport);
		keys[i].dport = htons(t->pkt[i].dport);
		d.data[i] = (const uint8_t *)&keys[i];
	}
	/* Same work or no row: every header, both classifiers, one answer. */
	if (rte_acl_classify(d.ctx, d.data, d.res, (uint32_t)t->n, 1) != 0)
		errx(1, "rte_acl_classify failed");
	for (i = 0; i < t->n; i++) {
		acl_classify(c, &t->pkt[i], &res);
		if (d.res[i] != (uint32_t)(res.ar_nr + 1))
			errx(1, "%s: header %zu: rte_acl says rule %d, sluice "
			    "%d", name, i, (int)d.res[i] - 1, res.ar_nr);
	}
	for (j = 0; j < sizeof(bursts) / sizeof(bursts[0]); j++) {
		d.burst = bursts[j];
		d.pos = 0;
		snprintf(v, sizeof(v), "%s, DPDK rte_acl, burst %u", name,
		    d.burst);
		r = bench_measure(b, "acl", v, dpdk_run, &d);
		bench_note(r, "%.2fx sluice's compiled row; build %.0f ms",
		    r->ns_med / sluice_ns, ms);
		if (is_base)
			base[j] = r->ns_med;
		else if (base[j] > 0)
			bench_note(r, "%.1fx the 10-rule cost",
			    r->ns_med / base[j]);
	}
	rte_acl_free(d.ctx);
	free(d.res);
	free(d.data);
	free(keys);
}

#endif /* SLUICE_HAVE_DPDK */
