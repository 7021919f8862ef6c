/*
 * sluice-bench nat: nat-to on em0 ("match out on em0 from 10.50.0.0/24
 * nat-to (em0)"), with the library calls dp_pf_test() makes.
 *
 * Established: N translated UDP flows (1k, 64k, 1M) are in the state
 * table, created as dp_pf_test() creates them (nat_pick_port() in
 * 50001-65535, then state_insert() with a WIRE and a STACK key).  Each
 * packet is a real 64 B IPv4/UDP frame with valid checksums, of a random
 * established flow, and goes through what an established packet costs
 * going out on em0: copy into a buffer (what receive does), l3_parse(),
 * state_key_make(), state_lookup() among STACK keys, nat_rewrite4() to the
 * WIRE key (address, port, IP and UDP checksums by RFC 1624), and
 * state_update().  The rule counters and the trace test that dp_pf_test()
 * adds are not in it; the pipeline case has them.  "batched": each burst
 * of 64 goes through nat_state_prefetch() first, as dp_process() sends
 * every received burst once there are DP_PF_PREFETCH_MIN (8192) states,
 * and each lookup is state_lookup_tag() with the tag and the hint (the
 * state the index named) that pass left with the packet; the 1k row
 * shows what the pass would cost below that.
 *
 * "batched, hot ring": the same, but each frame is written into
 * its buffer from one template and the flow's 16-byte descriptor (its
 * addresses, ports and two checksums, in random flow order), as the
 * kernel writes a receive ring that sluiced reads while it is in the
 * cache.  The other rows copy each frame from an array of N frames:
 * at a million flows that is a 64 MB stream from memory, a cost of the
 * frame source (~8 ns a packet here) that a daemon reading a ring of a
 * few thousand frames does not pay.  This row keeps a 16 MB stream.
 *
 * New flows: M more flows into the table of N (nat_pick_port() +
 * state_insert(), the two calls pf makes when a rule creates a translated
 * state; rule evaluation is the acl case).  Between runs the new states
 * are removed, off the clock.
 *
 * Memory per state: state_bytes_per_state() (the state's line, its cold
 * record and its share of the index: see nat/state.h).
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <err.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "bench/bench.h"
#include "dataplane/pkt.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"
#include "nat/nat.h"
#include "nat/state.h"

#define BENCH_NOW	1000
#define BENCH_NAT_ADDR	0xc6336402u	/* 198.51.100.2, em0 */
#define BENCH_NAT_LO	50001
#define BENCH_NAT_HI	65535
#define BENCH_STRIDE	64

struct bench_nat {
	struct state_table t;
	uint32_t	 n;		/* established flows */
	uint8_t		*frames;	/* n frames in random flow order */
	struct bench_nat_desc {		/* frame i, what differs: */
		uint32_t src, dst;	/* as in the frame (network order) */
		uint16_t sport, dport, ipsum, udpsum;
	}		*desc;		/* n */
	uint8_t		 tmpl[BENCH_STRIDE];
	int		 ring;		/* frames from tmpl + desc */
	uint32_t	 pos;
	struct pkt	 scratch[BATCH_MAX];
	uint8_t		*buf;		/* BATCH_MAX * 128 */
	/* new flows */
	uint32_t	 m;
	struct state_key *fresh;	/* m STACK keys */
	struct state	**made;
	uint32_t	 nmade;
	int		 batched;
	uint64_t	 sink;
};

/* Flow i: 10.50.0.(2 + i % 250):(1024 + i / 250) -> 203.0.113.x:port. */
static void
bench_nat_flow(uint32_t i, uint32_t *src, uint32_t *dst, uint16_t *sport,
    uint16_t *dport)
{
	static const uint16_t ports[] = { 53, 80, 123, 443 };

	*src = 0x0a320000u | (2 + i % 250);
	*sport = (uint16_t)(1024 + i / 250);
	*dst = 0xcb007100u | (1 + (i * 7919u) % 254);
	*dport = ports[(i / 254) % 4];
}

static void
bench_nat_stack(struct state_key *k, uint32_t src, uint32_t dst,
    uint16_t sport, uint16_t dport)
{
	union acl_ip s, d;

	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.w[0] = htonl(src);
	d.w[0] = htonl(dst);
	/* Going out: addr[0] is the destination, addr[1] the source. */
	state_key_make(k, AF_INET, 17, &s, &d, htons(sport), htons(dport),
	    STATE_DIR_OUT);
}

/* What dp_pf_test() does when "match ... nat-to (em0)" creates a state. */
static struct state *
bench_nat_create(struct state_table *t, const struct state_key *stack,
    uint32_t seed)
{
	struct state_key wire = *stack;
	uint16_t np;

	wire.addr[1].w[0] = htonl(BENCH_NAT_ADDR);
	np = nat_pick_port(t, &wire, 1, BENCH_NAT_LO, BENCH_NAT_HI, BENCH_NOW,
	    seed);
	if (np == 0)
		return NULL;
	wire.port[1] = htons(np);
	return state_insert(t, &wire, stack, STATE_DIR_OUT, 0, BENCH_NOW, 0,
	    1);
}

static void
bench_nat_setup(struct bench_nat *bn, uint32_t n, uint32_t m)
{
	static const uint8_t gw[6] = { 0x02, 0, 0, 0x5b, 0, 1 };
	static const uint8_t me[6] = { 0xfe, 0xe1, 0xba, 0xd0, 0, 1 };
	uint64_t seed = 0x4a7ULL + n;
	uint32_t i, *perm, src, dst;
	uint16_t sport, dport;
	struct state_key k;

	memset(bn, 0, sizeof(*bn));
	bn->n = n;
	bn->m = m;
	if (state_table_init(&bn->t, n + m) != 0)
		errx(1, "state table: out of memory");
	/* The frames stand for a receive ring, which is a few pages the
	 * TLB keeps: huge pages, so the frames of a million flows do not
	 * add a TLB miss every 64 packets. */
	bn->frames = mmap(NULL, (size_t)n * BENCH_STRIDE, PROT_READ |
	    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bn->frames == MAP_FAILED)
		err(1, "nat: frames");
	(void)madvise(bn->frames, (size_t)n * BENCH_STRIDE, MADV_HUGEPAGE);
	bn->buf = aligned_alloc(64, BATCH_MAX * 128);
	perm = calloc(n, sizeof(*perm));
	bn->desc = calloc(n, sizeof(*bn->desc));
	bn->fresh = calloc(m ? m : 1, sizeof(*bn->fresh));
	bn->made = calloc(m ? m : 1, sizeof(*bn->made));
	if (bn->buf == NULL || perm == NULL || bn->desc == NULL ||
	    bn->fresh == NULL || bn->made == NULL)
		err(1, "nat");
	for (i = 0; i < n; i++) {
		bench_nat_flow(i, &src, &dst, &sport, &dport);
		bench_nat_stack(&k, src, dst, sport, dport);
		if (bench_nat_create(&bn->t, &k, i) == NULL)
			errx(1, "nat: flow %u: no state", i);
		perm[i] = i;
	}
	bench_shuffle(perm, n, &seed);
	for (i = 0; i < n; i++) {
		uint8_t *f = bn->frames + (size_t)i * BENCH_STRIDE;

		bench_nat_flow(perm[i], &src, &dst, &sport, &dport);
		bench_udp4_frame(f, gw, me, src, dst, sport, dport);
		memcpy(&bn->desc[i].src, f + 26, 4);
		memcpy(&bn->desc[i].dst, f + 30, 4);
		memcpy(&bn->desc[i].sport, f + 34, 2);
		memcpy(&bn->desc[i].dport, f + 36, 2);
		memcpy(&bn->desc[i].ipsum, f + 24, 2);
		memcpy(&bn->desc[i].udpsum, f + 40, 2);
	}
	memcpy(bn->tmpl, bn->frames, BENCH_STRIDE);
	for (i = 0; i < n; i++) {
		uint8_t f[BENCH_STRIDE];

		memcpy(f, bn->tmpl, BENCH_STRIDE);
		memcpy(f + 24, &bn->desc[i].ipsum, 2);
		memcpy(f + 26, &bn->desc[i].src, 4);
		memcpy(f + 30, &bn->desc[i].dst, 4);
		memcpy(f + 34, &bn->desc[i].sport, 2);
		memcpy(f + 36, &bn->desc[i].dport, 2);
		memcpy(f + 40, &bn->desc[i].udpsum, 2);
		if (memcmp(f, bn->frames + (size_t)i * BENCH_STRIDE,
		    BENCH_STRIDE) != 0)
			errx(1, "nat: frame %u: the ring would differ", i);
	}
	free(perm);
	/* New flows: other source ports, same hosts and destinations. */
	for (i = 0; i < m; i++) {
		bench_nat_flow(i, &src, &dst, &sport, &dport);
		bench_nat_stack(&bn->fresh[i], src, dst,
		    (uint16_t)(sport + 10000 + i % 7), dport);
	}
	for (i = 0; i < BATCH_MAX; i++) {
		bn->scratch[i].buf = bn->buf + i * 128;
		bn->scratch[i].data = bn->scratch[i].buf;
	}
}

static void
bench_nat_fini(struct bench_nat *bn)
{
	state_table_fini(&bn->t);
	munmap(bn->frames, (size_t)bn->n * BENCH_STRIDE);
	free(bn->desc);
	free(bn->buf);
	free(bn->fresh);
	free(bn->made);
}

/* One established packet going out on em0, as dp_pf_test() treats it. */
static inline uint32_t
bench_nat_packet(struct bench_nat *bn, struct pkt *p)
{
	const struct state_k4 *to;
	struct nat_rewrite rw;
	struct state_key key;
	struct l3info li;
	struct state *s;

	if (l3_parse(p->data, p->len, &li) != L3_OK)
		errx(1, "nat: a frame does not parse");
	state_key_make4(&key, li.proto, li.src, li.dst, htons(li.sport),
	    htons(li.dport), STATE_DIR_OUT);
	if (p->st_tags & STATE_DIR_OUT)
		s = state_lookup_tag(&bn->t, &key, p->st_tag[1],
		    p->st_hint[1], STATE_DIR_OUT, 0, BENCH_NOW);
	else
		s = state_lookup(&bn->t, &key, STATE_DIR_OUT, 0, BENCH_NOW);
	if (s == NULL)
		errx(1, "nat: an established flow has no state");
	to = &s->k[STATE_WIRE];
	rw.src = to->addr[1];
	rw.sport = ntohs(to->port[1]);
	rw.dst = to->addr[0];
	rw.dport = ntohs(to->port[0]);
	nat_rewrite4(p, &li, &rw);
	state_update(&bn->t, s, STATE_DIR_OUT, li.tcp_flags, p->len,
	    BENCH_NOW);
	return ether_get16(p->data + li.l4off + 6);
}

static uint64_t
bench_nat_run(void *arg, uint64_t want)
{
	struct bench_nat *bn = arg;
	uint64_t done = 0, sum = 0;
	uint32_t pos = bn->pos, i;
	struct pkt *burst[BATCH_MAX];

	for (i = 0; i < BATCH_MAX; i++)
		burst[i] = &bn->scratch[i];
	while (done < want) {
		uint32_t cnt = bn->n - pos < BATCH_MAX ? bn->n - pos :
		    BATCH_MAX;

		for (i = 0; i < cnt; i++) {
			struct pkt *p = &bn->scratch[i];

			if (bn->ring) {
				const struct bench_nat_desc *d =
				    &bn->desc[pos + i];

				memcpy(p->data, bn->tmpl, BENCH_STRIDE);
				memcpy(p->data + 24, &d->ipsum, 2);
				memcpy(p->data + 26, &d->src, 4);
				memcpy(p->data + 30, &d->dst, 4);
				memcpy(p->data + 34, &d->sport, 2);
				memcpy(p->data + 36, &d->dport, 2);
				memcpy(p->data + 40, &d->udpsum, 2);
			} else
				memcpy(p->data, bn->frames + (size_t)(pos + i) *
				    BENCH_STRIDE, BENCH_STRIDE);
			p->len = BENCH_UDP_FRAME_LEN;
			p->st_tags = 0;		/* as pkt_alloc() leaves it */
		}
		if (bn->batched)
			nat_state_prefetch(&bn->t, burst, (int)cnt,
			    STATE_DIR_OUT);
		for (i = 0; i < cnt; i++)
			sum += bench_nat_packet(bn, &bn->scratch[i]);
		pos += cnt;
		if (pos == bn->n)
			pos = 0;
		done += cnt;
	}
	bn->pos = pos;
	bn->sink += sum;
	return done;
}

/* The last rewritten frame must be the translated flow, checksums right. */
static void
bench_nat_verify(struct bench_nat *bn)
{
	struct pkt *p = &bn->scratch[0];
	const uint8_t *ip, *udp;
	uint32_t sum;

	bn->pos = 0;
	(void)bench_nat_run(bn, 1);
	ip = p->data + ETHER_HDR_LEN;
	udp = ip + 20;
	if (ip_get32(ip + 12) != BENCH_NAT_ADDR ||
	    ether_get16(udp) < BENCH_NAT_LO)
		errx(1, "nat: the frame was not translated");
	if (csum_fold(csum_partial(ip, 20, 0)) != 0xffff)
		errx(1, "nat: bad IP checksum after the rewrite");
	sum = csum_partial(ip + 12, 8, 17 + ether_get16(udp + 4));
	if (csum_fold(csum_partial(udp, ether_get16(udp + 4), sum)) != 0xffff)
		errx(1, "nat: bad UDP checksum after the rewrite");
}

static void
bench_nat_undo(void *arg)
{
	struct bench_nat *bn = arg;
	uint32_t i;

	for (i = 0; i < bn->nmade; i++)
		state_remove(&bn->t, bn->made[i]);
	bn->nmade = 0;
}

static uint64_t
bench_nat_new_run(void *arg, uint64_t want)
{
	struct bench_nat *bn = arg;
	uint64_t done;
	struct state *s;

	for (done = 0; done < want && done < bn->m; done++) {
		s = bench_nat_create(&bn->t, &bn->fresh[done],
		    (uint32_t)done * 2654435761u);
		if (s == NULL)
			errx(1, "nat: new flow %" PRIu64 ": no state", done);
		bn->made[bn->nmade++] = s;
	}
	return done;
}

void
bench_case_nat(struct bench *b)
{
	static const uint32_t sizes[] = { 1000, 65536, 1000000 };
	struct bench_result *r;
	struct bench_nat bn;
	char v[64];
	size_t i;
	uint32_t m;
	int k;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t n = sizes[i];

		if (b->o->quick && n > 65536)
			break;
		m = n < 65536 ? n : 65536;
		if (b->o->quick && m > 4096)
			m = 4096;
		bench_nat_setup(&bn, n, m);
		bench_nat_verify(&bn);
		for (k = 0; k < 3; k++) {
			bn.batched = k > 0;
			bn.ring = k == 2;
			snprintf(v, sizeof(v), "established, %u states%s", n,
			    bn.ring ? ", batched, hot ring" :
			    bn.batched ? ", batched" : "");
			r = bench_measure(b, "nat", v, bench_nat_run, &bn);
			bench_note(r, "lookup+rewrite+update; %zu B/state "
			    "(state %zu, cold %zu, index %.0f)",
			    state_bytes_per_state(&bn.t),
			    sizeof(struct state), sizeof(struct state_cold),
			    bn.t.nslots * 8.0 / bn.t.limit);
		}
		bn.batched = bn.ring = 0;
		snprintf(v, sizeof(v), "new flow into %u states", n);
		r = bench_measure_n(b, "nat", v, bench_nat_new_run,
		    bench_nat_undo, &bn, m);
		bench_note(r, "nat_pick_port+state_insert, %u per run", m);
		bench_nat_undo(&bn);
		bench_nat_fini(&bn);
	}
}
