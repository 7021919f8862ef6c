/*
 * sluice-bench: what each stage costs per packet, in memory, with no
 * system call on the measured path.  Frames are built here (or read from
 * a capture sluice-gen wrote) before the clock starts; a run pushes a
 * fixed number of packets through the stage in batches of BATCH_MAX, as
 * the poll loop would, and is timed twice: CLOCK_MONOTONIC for ns and
 * Mpps, the TSC for cycles (calibrated against CLOCK_MONOTONIC at start,
 * so "cycles" are TSC reference cycles, not core cycles under turbo).
 *
 * Every variant gets one warm-up run that is thrown away, then at least
 * five measured runs; the table shows the median with min and max, never
 * the best run alone.  These are upper bounds for the I/O-free part of the
 * path: bench/system measures the whole thing against the kernel.
 *
 * The l2 case and the harness live here; route, acl, nat and pipeline have
 * a file each (bench/bench_*.c), sharing bench/bench.h.
 */
#include <sys/mman.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>
#include <stdarg.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_HAVE_TSC	1
#endif

#include "bench/bench.h"
#include "dataplane/dp.h"
#include "dataplane/pkt.h"
#include "dataplane/port.h"
#include "fwd/bridge.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/fdb.h"

#define BENCH_FRAME_STRIDE	64	/* bytes of a built frame kept */
#define BENCH_FRAME_LEN		60	/* a 64 B frame without its FCS */
#define BENCH_NOW		1000	/* FDB clock: nothing ages in a run */
#define BENCH_PCAP_MAX		(1U << 20)

/* Frames in memory: headers only matter to L2, lengths are kept whole. */
struct bench_frames {
	uint8_t		*data;		/* n * stride */
	uint32_t	*len;
	uint32_t	 n;
	uint32_t	 stride;
};

/* ---- clocks ------------------------------------------------------------- */

uint64_t
bench_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t
bench_tsc(void)
{
#ifdef BENCH_HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

/* TSC ticks per ns, by spinning against CLOCK_MONOTONIC. */
static double
bench_tsc_calibrate(uint64_t spin_ns)
{
#ifdef BENCH_HAVE_TSC
	uint64_t t0 = bench_ns(), c0 = bench_tsc(), t1, c1;

	do
		t1 = bench_ns();
	while (t1 - t0 < spin_ns);
	c1 = bench_tsc();
	return (double)(c1 - c0) / (double)(t1 - t0);
#else
	(void)spin_ns;
	return 0;
#endif
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct bench_result *
bench_new_result(struct bench *b, const char *bcase, const char *variant)
{
	struct bench_result *r;

	if (b->nres == b->maxres) {
		b->maxres = b->maxres ? 2 * b->maxres : 32;
		b->res = reallocarray(b->res, (size_t)b->maxres, sizeof(*r));
		if (b->res == NULL)
			err(1, "results");
	}
	r = &b->res[b->nres++];
	memset(r, 0, sizeof(*r));
	snprintf(r->bcase, sizeof(r->bcase), "%s", bcase);
	snprintf(r->variant, sizeof(r->variant), "%s", variant);
	snprintf(r->status, sizeof(r->status), "ok");
	return r;
}

/*
 * Time fn over `packets` units (0: the configured count): one warm-up
 * run, then o->runs measured ones.  prep, if any, runs before each run,
 * off the clock (to undo what a run changed, e.g. states it created).
 */
struct bench_result *
bench_measure_n(struct bench *b, const char *bcase, const char *variant,
    bench_fn fn, void (*prep)(void *), void *arg, uint64_t packets)
{
	struct bench_result *r = bench_new_result(b, bcase, variant);
	double mpps[64], ns[64], cyc[64];
	uint64_t t0, t1, c0, c1, n = 0;
	int i;

	if (packets == 0)
		packets = b->o->packets;
	if (prep != NULL)
		prep(arg);
	(void)fn(arg, packets);
	for (i = 0; i < b->o->runs; i++) {
		if (prep != NULL)
			prep(arg);
		t0 = bench_ns();
		c0 = bench_tsc();
		n = fn(arg, packets);
		c1 = bench_tsc();
		t1 = bench_ns();
		if (n == 0)
			errx(1, "%s %s: the run did nothing", bcase, variant);
		ns[i] = (double)(t1 - t0) / (double)n;
		mpps[i] = 1e3 / ns[i];
		cyc[i] = b->tsc_ghz > 0 ? (double)(c1 - c0) / (double)n : 0;
	}
	r->packets = n;
	r->runs = b->o->runs;
	r->cyc_med = bench_median(cyc, b->o->runs);
	r->ns_med = bench_median(ns, b->o->runs);
	r->ns_min = ns[0];
	r->ns_max = ns[b->o->runs - 1];
	r->mpps_med = bench_median(mpps, b->o->runs);
	r->mpps_min = mpps[0];
	r->mpps_max = mpps[b->o->runs - 1];
	fprintf(stderr, "  %-8s %-44s %8.2f Mpps %8.1f ns\n", bcase, variant,
	    r->mpps_med, r->ns_med);
	return r;
}

struct bench_result *
bench_measure(struct bench *b, const char *bcase, const char *variant,
    bench_fn fn, void *arg)
{
	return bench_measure_n(b, bcase, variant, fn, NULL, arg, 0);
}

void
bench_note(struct bench_result *r, const char *fmt, ...)
{
	size_t len = strlen(r->note);
	va_list ap;

	if (len > 0 && len + 2 < sizeof(r->note)) {
		memcpy(r->note + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->note + len, sizeof(r->note) - len, fmt, ap);
	va_end(ap);
}

void
bench_skip(struct bench *b, const char *bcase, const char *why)
{
	struct bench_result *r = bench_new_result(b, bcase, "-");

	snprintf(r->status, sizeof(r->status), "skipped: %s", why);
	fprintf(stderr, "  %-8s %s\n", bcase, r->status);
}

/* ---- frames ------------------------------------------------------------- */

static void
bench_frames_alloc(struct bench_frames *f, uint32_t n)
{
	f->n = n;
	f->stride = BENCH_FRAME_STRIDE;
	f->data = aligned_alloc(64, (size_t)n * f->stride);
	f->len = calloc(n, sizeof(*f->len));
	if (f->data == NULL || f->len == NULL)
		err(1, "frames");
	memset(f->data, 0, (size_t)n * f->stride);
}

static void
bench_frames_free(struct bench_frames *f)
{
	free(f->data);
	free(f->len);
	memset(f, 0, sizeof(*f));
}

/* Host k of side 0 (senders, on member 0) or 1 (receivers, on member 1). */
static void
bench_mac(int side, uint32_t k, uint8_t *mac)
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = side ? 0xbb : 0xaa;
	mac[3] = (k >> 16) & 0xff;
	mac[4] = (k >> 8) & 0xff;
	mac[5] = k & 0xff;
}

uint32_t
bench_rand(uint64_t *s)
{
	/* xorshift64*: reproducible runs, no libc state. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 2685821657736338717ULL) >> 32);
}

/* Fisher-Yates, reproducible. */
void
bench_shuffle(uint32_t *v, uint32_t n, uint64_t *seed)
{
	uint32_t i;

	for (i = n; i > 1; i--) {
		uint32_t j = bench_rand(seed) % i, t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/*
 * A 60-byte IPv4/UDP frame (64 B on the wire) with correct IP and UDP
 * checksums: addresses host order, ports host order.  Returns the UDP
 * checksum.
 */
uint16_t
bench_udp4_frame(uint8_t *d, const uint8_t *dmac, const uint8_t *smac,
    uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	uint8_t *ip = d + ETHER_HDR_LEN, *udp = ip + 20;
	uint16_t ulen = BENCH_UDP_FRAME_LEN - ETHER_HDR_LEN - 20, c;
	uint32_t sum;
	int i;

	memset(d, 0, BENCH_UDP_FRAME_LEN);
	memcpy(d, dmac, 6);
	memcpy(d + 6, smac, 6);
	ether_put16(d + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(20 + ulen));
	ether_put16(ip + 4, 1);
	ip[8] = 64;
	ip[9] = 17;
	for (i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(udp, sport);
	ether_put16(udp + 2, dport);
	ether_put16(udp + 4, ulen);
	for (i = 8; i < ulen; i++)
		udp[i] = (uint8_t)i;
	sum = csum_partial(ip + 12, 8, 17 + ulen);
	c = (uint16_t)~csum_fold(csum_partial(udp, ulen, sum));
	if (c == 0)
		c = 0xffff;
	ether_put16(udp + 6, c);
	return c;
}

/*
 * nmacs senders talk to nmacs receivers: frame i comes from sender
 * perm(i) and goes to a random receiver, so the working set of the FDB is
 * 2 * nmacs entries touched in no particular order.  A UDP/IPv4 64 B frame,
 * tagged with VID 10 when vlan is set.
 */
static void
bench_frames_l2(struct bench_frames *f, uint32_t nmacs, int vlan)
{
	uint32_t n = nmacs < 4096 ? 4096 : nmacs, i, *perm;
	uint64_t seed = 0x5eed5eedULL;

	bench_frames_alloc(f, n);
	if ((perm = calloc(nmacs, sizeof(*perm))) == NULL)
		err(1, "perm");
	for (i = 0; i < nmacs; i++)
		perm[i] = i;
	for (i = nmacs; i > 1; i--) {
		uint32_t j = bench_rand(&seed) % i, t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < n; i++) {
		uint8_t *d = f->data + (size_t)i * f->stride;
		uint32_t off = 12;

		bench_mac(1, bench_rand(&seed) % nmacs, d);
		bench_mac(0, perm[i % nmacs], d + 6);
		if (vlan) {
			ether_put16(d + 12, ETHERTYPE_VLAN);
			ether_put16(d + 14, 10);
			off = 16;
		}
		ether_put16(d + off, ETHERTYPE_IP);
		d[off + 2] = 0x45;	/* the rest of IPv4/UDP: L2 never reads it */
		d[off + 11] = 17;
		f->len[i] = BENCH_FRAME_LEN;
	}
	free(perm);
}

static void
bench_frames_pcap(struct bench_frames *f, const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	uint32_t n = 0;

	if ((p = pcap_open_offline(path, ebuf)) == NULL)
		errx(1, "%s", ebuf);
	if (pcap_datalink(p) != DLT_EN10MB)
		errx(1, "%s: not an Ethernet capture", path);
	bench_frames_alloc(f, BENCH_PCAP_MAX);
	while (n < BENCH_PCAP_MAX && pcap_next_ex(p, &h, &data) == 1) {
		uint32_t keep = h->caplen < f->stride ? h->caplen : f->stride;

		if (h->caplen < ETHER_HDR_LEN)
			continue;
		memcpy(f->data + (size_t)n * f->stride, data, keep);
		f->len[n] = h->len;
		n++;
	}
	pcap_close(p);
	if (n == 0)
		errx(1, "%s: no Ethernet frames", path);
	f->n = n;
}

/* Learn every unicast destination of the frames on member 1. */
static void
bench_learn_dsts(struct fdb *fdb, const struct bench_frames *f)
{
	uint32_t i;

	for (i = 0; i < f->n; i++) {
		const uint8_t *d = f->data + (size_t)i * f->stride;

		if (!ether_is_multicast(ether_dst(d)))
			fdb_learn(fdb, ether_vid(d, f->len[i]), ether_dst(d),
			    1, BENCH_NOW);
	}
}

/* ---- l2: the bridge stage alone ----------------------------------------- */

struct bench_fwd {
	struct bridge	 br;
	struct bench_frames *f;
	struct pkt	*pkts;		/* one descriptor per frame */
	struct pkt	**ptrs;
	uint64_t	 sink;		/* keeps the decisions alive */
};

static uint64_t
bench_fwd_run(void *arg, uint64_t want)
{
	struct bench_fwd *bf = arg;
	struct bridge_decision dec[BATCH_MAX];
	uint32_t pos = 0, n = bf->f->n;
	uint64_t done = 0;
	int i;

	while (done < want) {
		uint16_t cnt = n < BATCH_MAX ? (uint16_t)n : BATCH_MAX;

		if (pos + cnt > n)
			pos = 0;
		/* What port input does before the bridge: read the tag. */
		for (i = 0; i < cnt; i++) {
			struct pkt *p = bf->ptrs[pos + i];

			p->vid = ether_vid(p->data, p->len);
		}
		bridge_input(&bf->br, bf->ptrs + pos, cnt, dec, BENCH_NOW);
		for (i = 0; i < cnt; i++)
			bf->sink += dec[i].d_verdict == BR_UNICAST ?
			    dec[i].d_port : 1000;
		pos += cnt;
		done += cnt;
	}
	return done;
}

static void
bench_fwd_setup(struct bench_fwd *bf, struct bench_frames *f, uint32_t max)
{
	uint32_t i;

	memset(bf, 0, sizeof(*bf));
	bf->f = f;
	if (bridge_init(&bf->br, "bridge0") != 0 ||
	    fdb_set_max(&bf->br.br_fdb, max) != 0)
		errx(1, "bridge: out of memory");
	bf->br.br_up = 1;
	bridge_add_member(&bf->br, 0, BM_DEFAULT);
	bridge_add_member(&bf->br, 1, BM_DEFAULT);
	bf->pkts = calloc(f->n, sizeof(*bf->pkts));
	bf->ptrs = calloc(f->n, sizeof(*bf->ptrs));
	if (bf->pkts == NULL || bf->ptrs == NULL)
		err(1, "packets");
	for (i = 0; i < f->n; i++) {
		bf->pkts[i].data = f->data + (size_t)i * f->stride;
		bf->pkts[i].len = f->len[i];
		bf->pkts[i].in_port = 0;
		bf->pkts[i].refs = 1;
		bf->ptrs[i] = &bf->pkts[i];
	}
	/* Runs wrap at a whole number of batches. */
	if (f->n >= BATCH_MAX)
		f->n -= f->n % BATCH_MAX;
	bench_learn_dsts(&bf->br.br_fdb, f);
}

static void
bench_fwd_fini(struct bench_fwd *bf)
{
	bridge_fini(&bf->br);
	free(bf->pkts);
	free(bf->ptrs);
}

/* ---- l2: the whole dp_input pipeline with null ports -------------------- */

/*
 * A struct dp built by hand: two interface ports whose tx only counts, in
 * one bridge.  Each batch takes buffers from the pool and copies whole
 * frames in, which is what a receive burst's copy costs (recvmmsg copies
 * too), then dp_input runs port input, the bridge, output queueing, the tx
 * flush and the frees, as in sluiced.
 */
struct bench_dp {
	struct dp	*dp;
	struct bench_frames *f;
	uint64_t	 txed;
};

static int
bench_null_tx(struct port *p, struct txent *q, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		p->c[PORT_C_TX_PACKETS]++;
		p->c[PORT_C_TX_BYTES] += q[i].p->len;
	}
	return n;
}

static const struct port_ops bench_null_ops = {
	.kind = "null",
	.tx = bench_null_tx,
};

static uint64_t
bench_dp_run(void *arg, uint64_t want)
{
	struct bench_dp *bd = arg;
	struct dp *dp = bd->dp;
	struct pkt *pkts[BATCH_MAX];
	uint32_t pos = 0, n = bd->f->n;
	uint64_t done = 0;
	int i;

	while (done < want) {
		int cnt = n < BATCH_MAX ? (int)n : BATCH_MAX;

		if (pos + (uint32_t)cnt > n)
			pos = 0;
		for (i = 0; i < cnt; i++) {
			struct pkt *p = pkt_alloc(&dp->pool);
			uint32_t len = bd->f->len[pos + i];

			if (p == NULL)
				errx(1, "packet pool ran dry: a leak");
			memcpy(p->data, bd->f->data + (size_t)(pos + i) *
			    bd->f->stride, len < bd->f->stride ? len :
			    bd->f->stride);
			p->len = len;
			pkts[i] = p;
		}
		dp_input(dp, dp->ports[0], pkts, cnt);
		pos += (uint32_t)cnt;
		done += (uint64_t)cnt;
	}
	return done;
}

static void
bench_dp_setup(struct bench_dp *bd, struct bench_frames *f, uint32_t max)
{
	struct dp *dp;
	int i;

	memset(bd, 0, sizeof(*bd));
	bd->f = f;
	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		err(1, "dp");
	bd->dp = dp;
	if (pkt_pool_init(&dp->pool, 4 * BATCH_MAX) != 0)
		errx(1, "packet pool");
	dp_clock(dp, (uint64_t)BENCH_NOW * 1000000000ULL);
	if (bridge_init(&dp->bridges[0], "bridge0") != 0 ||
	    fdb_set_max(&dp->bridges[0].br_fdb, max) != 0)
		errx(1, "bridge: out of memory");
	dp->bridges[0].br_up = 1;
	dp->nbridges = 1;
	for (i = 0; i < 2; i++) {
		struct port *p = calloc(1, sizeof(*p));

		if (p == NULL)
			err(1, "port");
		snprintf(p->name, sizeof(p->name), "em%d", i + 1);
		p->index = (uint16_t)i;
		p->kind = PORT_IF;
		p->fd = -1;
		p->ops = &bench_null_ops;
		p->offload = 1;
		p->mtu = 1500;
		p->txmax = PORT_TXQ_MAX;
		p->bridge = 0;
		dp->ports[dp->nports++] = p;
		bridge_add_member(&dp->bridges[0], p->index, BM_DEFAULT);
	}
	if (f->n >= BATCH_MAX)
		f->n -= f->n % BATCH_MAX;
	bench_learn_dsts(&dp->bridges[0].br_fdb, f);
}

static void
bench_dp_fini(struct bench_dp *bd)
{
	if (bd->dp->pool.nfree != bd->dp->pool.npkts)
		errx(1, "dp: %zu of %zu buffers not returned",
		    bd->dp->pool.npkts - bd->dp->pool.nfree,
		    bd->dp->pool.npkts);
	bd->txed = bd->dp->ports[1]->c[PORT_C_TX_PACKETS];
	dp_destroy(bd->dp);
	free(bd->dp);
}

/* ---- cases -------------------------------------------------------------- */

static void
bench_l2_variant(struct bench *b, struct bench_frames *f, const char *what,
    uint32_t max)
{
	struct bench_fwd bf;
	struct bench_dp bd;
	char v[64];

	bench_fwd_setup(&bf, f, max);
	snprintf(v, sizeof(v), "bridge %s", what);
	bench_measure(b, "l2", v, bench_fwd_run, &bf);
	if (bf.br.br_c[BRIDGE_C_UNICAST] == 0)
		errx(1, "l2 %s: nothing was forwarded unicast", what);
	bench_fwd_fini(&bf);

	bench_dp_setup(&bd, f, max);
	snprintf(v, sizeof(v), "dp_input %s", what);
	bench_measure(b, "l2", v, bench_dp_run, &bd);
	bench_dp_fini(&bd);
	if (bd.txed == 0)
		errx(1, "l2 %s: the pipeline sent nothing", what);
}

static void
bench_case_l2(struct bench *b)
{
	static const uint32_t macs[] = { 1, 1024, 65536 };
	struct bench_frames f;
	char what[64];
	size_t i;
	int vlan;

	if (b->o->pcap != NULL) {
		bench_frames_pcap(&f, b->o->pcap);
		snprintf(what, sizeof(what), "pcap (%u frames)", f.n);
		bench_l2_variant(b, &f, what, 2 * f.n + 16);
		bench_frames_free(&f);
		return;
	}
	for (vlan = 0; vlan <= 1; vlan++)
		for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
			bench_frames_l2(&f, macs[i], vlan);
			snprintf(what, sizeof(what), "%u MAC%s, vlan %s",
			    macs[i], macs[i] == 1 ? "" : "s",
			    vlan ? "on" : "off");
			bench_l2_variant(b, &f, what, 2 * macs[i] + 16);
			bench_frames_free(&f);
		}
}

static const struct bench_case {
	const char	*name;
	void		(*run)(struct bench *);
	const char	*what;
} bench_cases[] = {
	{ "l2", bench_case_l2, "FDB learn + lookup (bridge_input) and the "
	    "whole dp_input pipeline, 1/1k/64k MACs, VLAN off/on" },
	{ "acl", bench_case_acl, "ClassBench acl1/fw1/ipc1 1k/10k, compiled vs "
	    "linear; state-table hits, 1k/64k/1M states" },
	{ "nat", bench_case_nat, "nat-to: established flows at 1k/64k/1M "
	    "states, new-flow setup" },
	{ "route", bench_case_route, "LPM lookups, 1k/10k/100k/1M routes" },
	{ "pipeline", bench_case_pipeline, "the seed's routed segment "
	    "(pf.conf.routed, NAT) through dp_input" },
	{ "queue", bench_case_queue, "pf queues: one, an hfsc tree, FQ-CoDel "
	    "(classify, enqueue, dequeue)" },
};
#define BENCH_NCASES	(sizeof(bench_cases) / sizeof(bench_cases[0]))

/* ---- report ------------------------------------------------------------- */

static void
bench_print(const struct bench *b)
{
	int i;

	printf("%-8s %-44s %10s %8s %8s %8s %9s %8s  %s\n", "case",
	    "variant", "packets", "Mpps", "min", "max", "ns/pkt", "cyc/pkt",
	    "note");
	for (i = 0; i < b->nres; i++) {
		const struct bench_result *r = &b->res[i];

		if (strcmp(r->status, "ok") != 0) {
			printf("%-8s %s\n", r->bcase, r->status);
			continue;
		}
		printf("%-8s %-44s %10" PRIu64 " %8.2f %8.2f %8.2f %9.1f ",
		    r->bcase, r->variant, r->packets, r->mpps_med, r->mpps_min,
		    r->mpps_max, r->ns_med);
		if (b->tsc_ghz > 0)
			printf("%8.1f", r->cyc_med);
		else
			printf("%8s", "n/a");
		printf("%s%s\n", r->note[0] ? "  " : "", r->note);
	}
}

static void
bench_write_csv(const struct bench *b, const char *path)
{
	FILE *f;
	int i;

	if ((f = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	fprintf(f, "case,variant,packets,runs,mpps_median,mpps_min,mpps_max,"
	    "ns_per_pkt_median,ns_per_pkt_min,ns_per_pkt_max,"
	    "cycles_per_pkt_median,tsc_ghz,status,note\n");
	for (i = 0; i < b->nres; i++) {
		const struct bench_result *r = &b->res[i];

		fprintf(f, "%s,\"%s\",%" PRIu64 ",%d,%.4f,%.4f,%.4f,%.2f,%.2f,"
		    "%.2f,%.1f,%.3f,\"%s\",\"%s\"\n", r->bcase, r->variant,
		    r->packets, r->runs, r->mpps_med, r->mpps_min, r->mpps_max,
		    r->ns_med, r->ns_min, r->ns_max, r->cyc_med, b->tsc_ghz,
		    r->status, r->note);
	}
	if (fclose(f) != 0)
		err(1, "%s", path);
}

static void __attribute__((noreturn))
bench_usage(int status)
{
	FILE *f = status ? stderr : stdout;
	size_t i;

	fprintf(f,
"usage: sluice-bench [-q] [-c CPU] [-C CORPUS] [-E ETC] [-n PACKETS]\n"
"                    [-o FILE] [-p PCAP] [-r RUNS] [case ...]\n"
"\n"
"  -q, --quick           short smoke run (fewer packets per run)\n"
"  -r, --runs N          measured runs per variant, at least %d (default %d)\n"
"  -n, --packets N       packets per run (default 4000000, quick 200000)\n"
"  -p, --pcap FILE       l2 frames from a capture (sluice-gen -w) instead\n"
"                        of built ones\n"
"  -o, --csv FILE        also write the results as CSV\n"
"  -c, --cpu N           pin to CPU N first\n"
"  -C, --corpus DIR      ClassBench sets in DIR/classbench (default\n"
"                        $SLUICE_CORPUS, else %s)\n"
"  -E, --etc DIR         the seed's configuration for pipeline (default\n"
"                        %s)\n"
"  -l, --list            list the cases\n"
"  -h, --help            this text\n"
"\n"
"cases (default: all):\n", BENCH_RUNS_MIN, BENCH_RUNS_MIN,
	    SLUICE_CORPUS_DEFAULT, SLUICE_SOURCE_DIR "/examples/handbook/etc");
	for (i = 0; i < BENCH_NCASES; i++)
		fprintf(f, "  %-10s %s\n", bench_cases[i].name,
		    bench_cases[i].what);
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "quick",	no_argument,	   NULL, 'q' },
		{ "runs",	required_argument, NULL, 'r' },
		{ "packets",	required_argument, NULL, 'n' },
		{ "pcap",	required_argument, NULL, 'p' },
		{ "csv",	required_argument, NULL, 'o' },
		{ "cpu",	required_argument, NULL, 'c' },
		{ "corpus",	required_argument, NULL, 'C' },
		{ "etc",	required_argument, NULL, 'E' },
		{ "list",	no_argument,	   NULL, 'l' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = { .runs = BENCH_RUNS_MIN, .cpu = -1 };
	struct bench b = { .o = &o };
	char *end;
	size_t i;
	int ch, j, want[BENCH_NCASES], any = 0;

	while ((ch = getopt_long(argc, argv, "C:c:E:hln:o:p:qr:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'q':
			o.quick = 1;
			break;
		case 'r':
			o.runs = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o.runs < BENCH_RUNS_MIN ||
			    o.runs > 63)
				errx(1, "--runs %s: expected %d to 63", optarg,
				    BENCH_RUNS_MIN);
			break;
		case 'n':
			o.packets = strtoull(optarg, &end, 10);
			if (*end != '\0' || o.packets < BATCH_MAX)
				errx(1, "--packets %s: expected at least %d",
				    optarg, BATCH_MAX);
			break;
		case 'p':
			o.pcap = optarg;
			break;
		case 'o':
			o.csv = optarg;
			break;
		case 'c':
			o.cpu = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o.cpu < 0)
				errx(1, "--cpu %s: expected a CPU number",
				    optarg);
			break;
		case 'C':
			o.corpus = optarg;
			break;
		case 'E':
			o.srcdir = optarg;
			break;
		case 'l':
			for (i = 0; i < BENCH_NCASES; i++)
				printf("%-10s %s\n", bench_cases[i].name,
				    bench_cases[i].what);
			return 0;
		case 'h':
			bench_usage(0);
		default:
			bench_usage(1);
		}
	}
	memset(want, 0, sizeof(want));
	for (j = optind; j < argc; j++) {
		for (i = 0; i < BENCH_NCASES; i++)
			if (strcmp(argv[j], bench_cases[i].name) == 0)
				break;
		if (i == BENCH_NCASES)
			errx(1, "%s: no such case (sluice-bench --list)",
			    argv[j]);
		want[i] = 1;
		any = 1;
	}
	if (o.packets == 0)
		o.packets = o.quick ? 200000 : 4000000;
	if (o.corpus == NULL && (o.corpus = getenv("SLUICE_CORPUS")) == NULL)
		o.corpus = SLUICE_CORPUS_DEFAULT;
	if (o.srcdir == NULL)
		o.srcdir = SLUICE_SOURCE_DIR "/examples/handbook/etc";
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			err(1, "--cpu %d", o.cpu);
	}
	b.tsc_ghz = bench_tsc_calibrate(o.quick ? 10000000 : 100000000);
	fprintf(stderr, "sluice-bench: %d runs of %" PRIu64 " packets per "
	    "variant after a warm-up run; ", o.runs, o.packets);
	if (b.tsc_ghz > 0)
		fprintf(stderr, "TSC %.3f GHz (against CLOCK_MONOTONIC)\n",
		    b.tsc_ghz);
	else
		fprintf(stderr, "no TSC: cycles not reported\n");
	for (i = 0; i < BENCH_NCASES; i++)
		if (!any || want[i])
			bench_cases[i].run(&b);
	bench_print(&b);
	if (o.csv != NULL)
		bench_write_csv(&b, o.csv);
	free(b.res);
	return 0;
}
