/*
 * sluice-bench pipeline: the seed's routed segment (handbook section 3)
 * through dp_input(), in memory.
 *
 * The configuration is the seed's own files (examples/handbook/etc:
 * hostname.vether0, hostname.em0, mygate, pf.conf.routed as pf.conf),
 * with bridge1 holding vether0 and em1, where db01's tap would be (a tap
 * needs /dev/net/tun and root; em1 is an interface port like it), and
 * net.inet.ip.forwarding=1.  conf_load() and dp_build() read it as sluiced
 * does; em0 and em1 are opened as capture ports with no files, then their
 * transmit is replaced by one that counts (and, while the flows are set
 * up, keeps copies of what em0 sent).  ARP is primed the real way: the
 * gateway asks for 198.51.100.2 on em0, db01 asks for 10.50.0.1 on em1.
 *
 * out: db01 (10.50.0.20) sends 64 B UDP to F destinations behind the
 * default route: em1 -> bridge1 -> vether0 -> router (pf in on vether0:
 * state hit; route lookup; ttl; pf out on em0: state hit, nat-to rewrite)
 * -> ARP -> em0.  in: the replies to the translated flows come back on
 * em0: pf in on em0 (state hit, translated back) -> route -> vether0 ->
 * bridge1 -> em1.  The warm-up pass creates the states (two per flow, as
 * pf does: in on vether0 and out on em0), so the measured runs are the
 * established path.  Every frame's copy into a pool buffer (what a receive
 * burst costs) is included, as in l2's dp_input rows.
 */
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "dataplane/conf.h"
#include "dataplane/dp.h"
#include "dataplane/pkt.h"
#include "dataplane/port.h"
#include "fwd/arp.h"
#include "fwd/ether.h"
#include "fwd/ip.h"

#define BENCH_STRIDE	64
#define BENCH_GW	0xc6336401u	/* 198.51.100.1 */
#define BENCH_EM0	0xc6336402u	/* 198.51.100.2 */
#define BENCH_DB01	0x0a320014u	/* 10.50.0.20 */
#define BENCH_VETHER	0x0a320001u	/* 10.50.0.1 */

static const uint8_t bench_gw_mac[6] = { 0x02, 0x00, 0x00, 0x5b, 0x00, 0x01 };
static const uint8_t bench_db01_mac[6] = { 0x02, 0x00, 0x00, 0xdb, 0x00, 0x01 };

struct bench_pipe {
	char		 dir[64];
	struct conf	*conf;
	struct dp	*dp;
	struct dp_opts	 opts;
	struct port	*em0, *em1, *vether;
	const struct port_ops *ops[2];
	void		*priv[2];
	/* frames to push, and which port they enter */
	struct port	*in;
	uint8_t		*frames;
	uint32_t	 nframes;
	/* em0's output while the flows are set up */
	uint8_t		*cap;
	uint32_t	 ncap, maxcap;
	int		 capturing;
};

static int
bench_pipe_tx(struct port *p, struct txent *q, int n)
{
	struct bench_pipe *bp = p->priv;
	int i;

	for (i = 0; i < n; i++) {
		p->c[PORT_C_TX_PACKETS]++;
		p->c[PORT_C_TX_BYTES] += q[i].p->len;
		if (bp->capturing && p == bp->em0 && bp->ncap < bp->maxcap &&
		    q[i].p->len >= BENCH_UDP_FRAME_LEN)
			memcpy(bp->cap + (size_t)bp->ncap++ * BENCH_STRIDE,
			    q[i].p->data, BENCH_STRIDE);
	}
	return n;
}

static const struct port_ops bench_pipe_ops = {
	.kind = "bench",
	.tx = bench_pipe_tx,
};

static int
bench_copy(const char *from, const char *dir, const char *name)
{
	char path[1024], buf[8192];
	FILE *in, *out;
	size_t n;

	if ((in = fopen(from, "r")) == NULL)
		return errno;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((out = fopen(path, "w")) == NULL) {
		fclose(in);
		return errno;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out) == 0 ? 0 : errno;
}

static void
bench_write(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0)
		err(1, "%s", path);
}

static void
bench_pipe_rmdir(struct bench_pipe *bp)
{
	static const char *const files[] = { "hostname.bridge1",
	    "hostname.vether0", "hostname.em0", "mygate", "pf.conf",
	    "sysctl.conf" };
	char path[1024];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", bp->dir, files[i]);
		unlink(path);
	}
	rmdir(bp->dir);
}

/* Push n frames (stride BENCH_STRIDE) into port in, BATCH_MAX at a time. */
static uint64_t
bench_pipe_push(struct bench_pipe *bp, struct port *in, const uint8_t *f,
    uint32_t nf, uint32_t len, uint64_t want)
{
	struct dp *dp = bp->dp;
	struct pkt *pkts[BATCH_MAX];
	uint64_t done = 0;
	uint32_t pos = 0;
	int i, cnt;

	while (done < want) {
		cnt = nf - pos < BATCH_MAX ? (int)(nf - pos) : BATCH_MAX;
		for (i = 0; i < cnt; i++) {
			struct pkt *p = pkt_alloc(&dp->pool);

			if (p == NULL)
				errx(1, "pipeline: packet pool ran dry");
			memcpy(p->data, f + (size_t)(pos + (uint32_t)i) *
			    BENCH_STRIDE, len);
			p->len = len;
			pkts[i] = p;
		}
		dp_input(dp, in, pkts, cnt);
		pos += (uint32_t)cnt;
		if (pos == nf)
			pos = 0;
		done += (uint64_t)cnt;
	}
	return done;
}

static uint64_t
bench_pipe_run(void *arg, uint64_t want)
{
	struct bench_pipe *bp = arg;

	return bench_pipe_push(bp, bp->in, bp->frames, bp->nframes,
	    BENCH_UDP_FRAME_LEN, want);
}

/* An ARP request, padded to 60 bytes, into port in. */
static void
bench_pipe_arp(struct bench_pipe *bp, struct port *in, const uint8_t *sha,
    uint32_t spa, uint32_t tpa)
{
	uint8_t f[BENCH_STRIDE];

	memset(f, 0, sizeof(f));
	(void)arp_build(f, 1, sha, spa, NULL, tpa);
	bench_pipe_push(bp, in, f, 1, 60, 1);
}

/* Returns 0, or an errno with why in err (the configuration is missing). */
static int
bench_pipe_setup(struct bench_pipe *bp, const char *etc, char *why,
    size_t whylen)
{
	static const char *const copies[][2] = {
		{ "hostname.vether0", "hostname.vether0" },
		{ "hostname.em0", "hostname.em0" },
		{ "mygate", "mygate" },
		{ "pf.conf.routed", "pf.conf" },
	};
	char from[1024];
	struct dp *dp;
	size_t i;
	int error;

	memset(bp, 0, sizeof(*bp));
	snprintf(bp->dir, sizeof(bp->dir), "/tmp/sluice-bench-XXXXXX");
	if (mkdtemp(bp->dir) == NULL)
		err(1, "mkdtemp");
	for (i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		snprintf(from, sizeof(from), "%s/%s", etc, copies[i][0]);
		if ((error = bench_copy(from, bp->dir, copies[i][1])) != 0) {
			snprintf(why, whylen, "%s: %s (-E)", from,
			    strerror(error));
			bench_pipe_rmdir(bp);
			return error;
		}
	}
	/* db01's tap is em1 here: see the top of the file. */
	bench_write(bp->dir, "hostname.bridge1", "add em1\nadd vether0\nup\n");
	bench_write(bp->dir, "sysctl.conf", "net.inet.ip.forwarding=1\n");
	if ((bp->conf = calloc(1, sizeof(*bp->conf))) == NULL ||
	    (bp->dp = calloc(1, sizeof(*bp->dp))) == NULL)
		err(1, "pipeline");
	if (conf_load(bp->conf, bp->dir, stderr) != 0)
		errx(1, "pipeline: %s: the configuration does not load",
		    bp->dir);
	snprintf(bp->opts.ifmaps[0].name, sizeof(bp->opts.ifmaps[0].name),
	    "em0");
	snprintf(bp->opts.ifmaps[0].spec, sizeof(bp->opts.ifmaps[0].spec),
	    "pcap:");
	snprintf(bp->opts.ifmaps[1].name, sizeof(bp->opts.ifmaps[1].name),
	    "em1");
	snprintf(bp->opts.ifmaps[1].spec, sizeof(bp->opts.ifmaps[1].spec),
	    "pcap:");
	bp->opts.nifmaps = 2;
	dp = bp->dp;
	if (dp_build(dp, bp->conf, &bp->opts, stderr) != 0)
		errx(1, "pipeline: dp_build failed");
	bp->em0 = dp_port(dp, "em0");
	bp->em1 = dp_port(dp, "em1");
	bp->vether = dp_port(dp, "vether0");
	if (bp->em0 == NULL || bp->em1 == NULL || bp->vether == NULL ||
	    bp->em0->rif == NULL || bp->vether->rif == NULL ||
	    dp->pf.rs == NULL || !dp->router.sysctl[SYSCTL_FORWARDING])
		errx(1, "pipeline: the routed segment is not as expected");
	for (i = 0; i < 2; i++) {
		struct port *p = i ? bp->em1 : bp->em0;

		bp->ops[i] = p->ops;
		bp->priv[i] = p->priv;
		p->ops = &bench_pipe_ops;
		p->priv = bp;
		p->offload = 1;
	}
	bench_pipe_arp(bp, bp->em0, bench_gw_mac, BENCH_GW, BENCH_EM0);
	bench_pipe_arp(bp, bp->em1, bench_db01_mac, BENCH_DB01, BENCH_VETHER);
	return 0;
}

static void
bench_pipe_fini(struct bench_pipe *bp)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct port *p = i ? bp->em1 : bp->em0;

		p->ops = bp->ops[i];
		p->priv = bp->priv[i];
	}
	if (bp->dp->pool.nfree != bp->dp->pool.npkts)
		errx(1, "pipeline: %zu of %zu buffers not returned",
		    bp->dp->pool.npkts - bp->dp->pool.nfree,
		    bp->dp->pool.npkts);
	dp_destroy(bp->dp);
	conf_free(bp->conf);
	free(bp->conf);
	free(bp->dp);
	free(bp->frames);
	free(bp->cap);
	bench_pipe_rmdir(bp);
}

static void
bench_pipe_flows(struct bench_pipe *bp, struct bench *b, uint32_t nflows)
{
	struct bench_result *r;
	uint8_t *out, *in;
	uint64_t tx0, want;
	uint32_t i, states0;
	char v[64];

	out = aligned_alloc(64, (size_t)nflows * BENCH_STRIDE);
	in = aligned_alloc(64, (size_t)nflows * BENCH_STRIDE);
	bp->cap = aligned_alloc(64, (size_t)nflows * BENCH_STRIDE);
	if (out == NULL || in == NULL || bp->cap == NULL)
		err(1, "pipeline");
	bp->maxcap = nflows;
	for (i = 0; i < nflows; i++)
		bench_udp4_frame(out + (size_t)i * BENCH_STRIDE,
		    bp->vether->lladdr, bench_db01_mac, BENCH_DB01,
		    0xcb007100u | (1 + i % 254), (uint16_t)(10000 + i), 9);
	/* The flows' first packets: states, translations, em0's copies. */
	states0 = bp->dp->pf.states.count;
	bp->capturing = 1;
	bench_pipe_push(bp, bp->em1, out, nflows, BENCH_UDP_FRAME_LEN, nflows);
	bp->capturing = 0;
	if (bp->ncap != nflows || bp->dp->pf.states.count - states0 !=
	    2 * nflows)
		errx(1, "pipeline: %u flows gave %u frames on em0 and %u "
		    "states (router forwarded %ju, pf state-limit %ju)",
		    nflows, bp->ncap, bp->dp->pf.states.count - states0,
		    (uintmax_t)bp->dp->router.c[ROUTER_C_FORWARDED],
		    (uintmax_t)bp->dp->pf.c[PF_C_MAXSTATES]);
	/* The replies: to 198.51.100.2 and the port nat-to picked. */
	for (i = 0; i < nflows; i++) {
		const uint8_t *c = bp->cap + (size_t)i * BENCH_STRIDE;
		const uint8_t *ip = c + ETHER_HDR_LEN, *udp = ip + 20;

		if (ip_get32(ip + 12) != BENCH_EM0)
			errx(1, "pipeline: em0 sent an untranslated frame");
		bench_udp4_frame(in + (size_t)i * BENCH_STRIDE,
		    bp->em0->lladdr, bench_gw_mac, ip_get32(ip + 16),
		    BENCH_EM0, ether_get16(udp + 2), ether_get16(udp));
	}

	want = b->o->packets / 4;	/* a pass costs ~1 us a packet */
	bp->in = bp->em1;
	bp->frames = out;
	bp->nframes = nflows;
	tx0 = bp->em0->c[PORT_C_TX_PACKETS];
	snprintf(v, sizeof(v), "out em1>vether0>nat em0, %u flow%s", nflows,
	    nflows == 1 ? "" : "s");
	r = bench_measure_n(b, "pipeline", v, bench_pipe_run, NULL, bp, want);
	bench_note(r, "em0 sent %.3f of the frames; %u states",
	    (double)(bp->em0->c[PORT_C_TX_PACKETS] - tx0) /
	    ((double)r->packets * (r->runs + 1)), bp->dp->pf.states.count);

	bp->in = bp->em0;
	bp->frames = in;
	tx0 = bp->em1->c[PORT_C_TX_PACKETS];
	snprintf(v, sizeof(v), "in em0>un-nat>vether0>em1, %u flow%s", nflows,
	    nflows == 1 ? "" : "s");
	r = bench_measure_n(b, "pipeline", v, bench_pipe_run, NULL, bp, want);
	bench_note(r, "em1 sent %.3f of the frames",
	    (double)(bp->em1->c[PORT_C_TX_PACKETS] - tx0) /
	    ((double)r->packets * (r->runs + 1)));
	if (bp->em1->c[PORT_C_TX_PACKETS] == tx0)
		errx(1, "pipeline: no reply reached em1");
	bp->frames = NULL;
	free(out);
	free(in);
	free(bp->cap);
	bp->cap = NULL;
	bp->ncap = 0;
}

void
bench_case_pipeline(struct bench *b)
{
	static const uint32_t flows[] = { 1, 1000, 10000 };
	struct bench_pipe bp;
	char why[1200];
	size_t i;

	for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		if (b->o->quick && flows[i] > 1000)
			break;
		/* A fresh dp per flow count: states of one do not help the
		 * next. */
		if (bench_pipe_setup(&bp, b->o->srcdir, why, sizeof(why)) !=
		    0) {
			bench_skip(b, "pipeline", why);
			return;
		}
		bench_pipe_flows(&bp, b, flows[i]);
		bench_pipe_fini(&bp);
	}
}
