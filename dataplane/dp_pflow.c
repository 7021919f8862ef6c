/*
 * dp_pflow.c: pflow(4).  pf hands each state of a rule with keep state
 * (pflow), or of set state-defaults pflow, to every pflow interface when
 * the state goes, as export_pflow() does: a flow record each way that
 * carried bytes, its addresses and ports as the state's key has them
 * (the wire's for a state made going in, the stack's for one made going
 * out: before nat-to), its packets and bytes, and its first and last
 * packets' times.  The records go to the interface's collector from
 * flowsrc to flowdst through the router, which pf filters going out like
 * any packet of the host, in one of two protocols:
 *
 *  - pflowproto 5, NetFlow version 5 (the default): 30 records a
 *    datagram, times in ms of uptime; it has no IPv6, so an IPv6 state
 *    is not exported;
 *  - pflowproto 10, IPFIX (RFC 7011): a message carries the templates
 *    of an IPv4 and an IPv6 flow (ids 256 and 257), then a data set of
 *    each family that has records, as many as 1400 bytes hold; times in
 *    ms since the epoch.  The templates go in every message (pflow sends
 *    them apart every 30 s): a collector that missed one loses nothing.
 *
 * A datagram not full leaves 30 s after its first record
 * (PFLOW_TIMEOUT), or when the interface is set again.  States go while
 * the state table is walked (the purge, pfctl -F, -k), where a packet
 * sent, which pf would test and might keep state for, must not touch
 * it: records wait until dp_pflow_tick() sends them, after the walk.
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"

#define PFLOW_TIMEOUT	30		/* s */
#define PFLOW_ENGINE	42		/* PFLOW_ENGINE_TYPE, _ID */
#define PFLOW_SPORT	49152		/* + the unit: pflow0's source port */
#define V5_MAXFLOWS	30		/* PFLOW_MAXFLOWS */
#define V5_HDRLEN	24
#define V5_RECLEN	48
#define IPFIX_PAYLOAD	1400		/* what a message may take */
#define IPFIX_HDRLEN	16
#define IPFIX_TMPL4	256
#define IPFIX_TMPL6	257
#define IPFIX_REC4	54
#define IPFIX_REC6	78

/* The information elements of a flow, in the order of its record. */
static const uint16_t ipfix_ie[2][12][2] = {
	{ { 8, 4 }, { 12, 4 },		/* source, destinationIPv4Address */
	  { 10, 4 }, { 14, 4 },		/* ingress, egressInterface */
	  { 2, 8 }, { 1, 8 },		/* packetDeltaCount, octet */
	  { 152, 8 }, { 153, 8 },	/* flowStart, EndMilliseconds */
	  { 7, 2 }, { 11, 2 },		/* source, destinationTransportPort */
	  { 5, 1 }, { 4, 1 } },		/* ipClassOfService, protocol */
	{ { 27, 16 }, { 28, 16 },	/* source, destinationIPv6Address */
	  { 10, 4 }, { 14, 4 }, { 2, 8 }, { 1, 8 }, { 152, 8 }, { 153, 8 },
	  { 7, 2 }, { 11, 2 }, { 5, 1 }, { 4, 1 } },
};

static const char *
pflow_ip(uint32_t a, char *buf, size_t len)
{
	struct in_addr in = { a };

	return inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

static uint8_t *
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
	return b + 2;
}

static uint8_t *
put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	return put16(b + 2, (uint16_t)v);
}

static uint8_t *
put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	return put32(b + 4, (uint32_t)v);
}

/* NetFlow v5 (pflow_pack_flow()): n records, times in ms of uptime. */
static uint32_t
pflow_v5(struct dp *dp, struct dp_pflow *f, uint8_t *h, int n,
    uint32_t unix_sec)
{
	const struct dp_pflow_rec *r;
	uint8_t *b;
	int i;

	memset(h, 0, V5_HDRLEN + n * V5_RECLEN);
	put16(h, 5);
	put16(h + 2, (uint16_t)n);
	put32(h + 4, (uint32_t)(dp->now_ns / 1000000));
	put32(h + 8, unix_sec);
	put32(h + 16, f->seq);
	h[20] = h[21] = PFLOW_ENGINE;
	for (i = 0; i < n; i++) {
		r = &f->rec[i];
		b = h + V5_HDRLEN + i * V5_RECLEN;
		memcpy(b, r->src.w, 4);
		memcpy(b + 4, r->dst.w, 4);
		put16(b + 12, r->ifin);
		put16(b + 14, r->ifout);
		/* flow_packets, flow_octets: pf's counts, cut to 32 bits */
		put32(b + 16, (uint32_t)r->packets);
		put32(b + 20, (uint32_t)r->bytes);
		put32(b + 24, r->first * 1000);
		put32(b + 28, r->last * 1000);
		memcpy(b + 32, &r->sport, 2);
		memcpy(b + 34, &r->dport, 2);
		b[38] = r->proto;
	}
	return V5_HDRLEN + n * V5_RECLEN;
}

/* A template set: both families' templates. */
static uint8_t *
ipfix_templates(uint8_t *b)
{
	uint8_t *set = b;
	int af, i;

	b += 4;
	for (af = 0; af < 2; af++) {
		b = put16(b, (uint16_t)(af ? IPFIX_TMPL6 : IPFIX_TMPL4));
		b = put16(b, 12);
		for (i = 0; i < 12; i++) {
			b = put16(b, ipfix_ie[af][i][0]);
			b = put16(b, ipfix_ie[af][i][1]);
		}
	}
	put16(set, 2);
	put16(set + 2, (uint16_t)(b - set));
	return b;
}

/* A data set of the records of family af among the first n. */
static uint8_t *
ipfix_data(uint8_t *b, const struct dp_pflow *f, int n, int af,
    uint64_t boot_ms)
{
	const struct dp_pflow_rec *r;
	uint8_t *set = b;
	int i, alen = af == 4 ? 4 : 16;

	b += 4;
	for (i = 0; i < n; i++) {
		r = &f->rec[i];
		if (r->af != af)
			continue;
		memcpy(b, r->src.b, (size_t)alen);
		memcpy(b + alen, r->dst.b, (size_t)alen);
		b += 2 * alen;
		b = put32(b, r->ifin);
		b = put32(b, r->ifout);
		b = put64(b, r->packets);
		b = put64(b, r->bytes);
		b = put64(b, boot_ms + r->first * 1000ull);
		b = put64(b, boot_ms + r->last * 1000ull);
		memcpy(b, &r->sport, 2);
		memcpy(b + 2, &r->dport, 2);
		b[4] = 0;			/* tos */
		b[5] = r->proto;
		b += 6;
	}
	if (b == set + 4)
		return set;
	put16(set, (uint16_t)(af == 4 ? IPFIX_TMPL4 : IPFIX_TMPL6));
	put16(set + 2, (uint16_t)(b - set));
	return b;
}

/* How many of the first records an IPFIX message holds. */
static int
ipfix_fits(const struct dp_pflow *f)
{
	uint32_t len = IPFIX_HDRLEN + 4 + 2 * (4 + 12 * 4) + 2 * 4;
	int n;

	for (n = 0; n < f->n; n++) {
		len += f->rec[n].af == 4 ? IPFIX_REC4 : IPFIX_REC6;
		if (len > IPFIX_PAYLOAD)
			break;
	}
	return n;
}

/* IPFIX (pflow_sendout_ipfix()): n records. */
static uint32_t
pflow_ipfix(struct dp *dp, struct dp_pflow *f, uint8_t *h, int n,
    const struct timespec *now)
{
	uint64_t boot_ms = (uint64_t)now->tv_sec * 1000 +
	    (uint64_t)now->tv_nsec / 1000000 - dp->now_ns / 1000000;
	uint8_t *b;

	b = ipfix_templates(h + IPFIX_HDRLEN);
	b = ipfix_data(b, f, n, 4, boot_ms);
	b = ipfix_data(b, f, n, 6, boot_ms);
	put16(h, 10);
	put16(h + 2, (uint16_t)(b - h));
	put32(h + 4, (uint32_t)now->tv_sec);
	put32(h + 8, f->seq);
	put32(h + 12, (uint32_t)f->unit);	/* observation domain */
	return (uint32_t)(b - h);
}

/* pflow_sendout(): the first records waiting, one UDP datagram. */
static void
pflow_send(struct dp *dp, struct dp_pflow *f)
{
	uint8_t *ip, *udp;
	struct pkt *p;
	struct timespec ts;
	uint32_t plen, ps;
	int n;

	n = f->c.proto == 10 ? ipfix_fits(f) : f->n < V5_MAXFLOWS ? f->n :
	    V5_MAXFLOWS;
	if (n == 0)
		return;
	if (dp->router.dp == NULL || f->c.src == 0 || f->c.dst == 0 ||
	    (p = router_alloc(&dp->router)) == NULL) {
		dp->c[DP_C_PFLOW_ERRORS]++;
		goto done;
	}
	ip = p->data + ETHER_HDR_LEN;
	udp = ip + 20;
	memset(p->data, 0, ETHER_HDR_LEN + 28);
	ether_put16(p->data + 12, ETHERTYPE_IP);
	clock_gettime(CLOCK_REALTIME, &ts);
	plen = f->c.proto == 10 ? pflow_ipfix(dp, f, udp + 8, n, &ts) :
	    pflow_v5(dp, f, udp + 8, n, (uint32_t)ts.tv_sec);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(28 + plen));
	ether_put16(ip + 4, (uint16_t)f->seq);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &f->c.src, 4);
	memcpy(ip + 16, &f->c.dst, 4);
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20, 0)));
	ether_put16(udp, (uint16_t)(PFLOW_SPORT + f->unit));
	ether_put16(udp + 2, f->c.port);
	ether_put16(udp + 4, (uint16_t)(8 + plen));
	ps = csum_partial(ip + 12, 8, 0) + 17 + 8 + plen;
	ps = (uint16_t)~csum_fold(csum_partial(udp, 8 + plen, ps));
	ether_put16(udp + 6, (uint16_t)(ps != 0 ? ps : 0xffff));
	p->len = ETHER_HDR_LEN + 28 + plen;
	f->seq += (uint32_t)n;
	dp->c[DP_C_PFLOW_PACKETS]++;
	router_send_ip(&dp->router, p, ip_get32(ip + 16));
done:
	f->n -= n;
	memmove(f->rec, f->rec + n, (size_t)f->n * sizeof(f->rec[0]));
}

/* Every record waiting goes, as many datagrams as it takes. */
static void
pflow_flush(struct dp *dp, struct dp_pflow *f)
{
	while (f->n > 0)
		pflow_send(dp, f);
}

/* copy_flow_data(): one direction of a state, into every interface. */
static void
pflow_record(struct dp *dp, const struct state_key *k, int src,
    uint64_t pkts, uint64_t bytes, uint32_t first, uint32_t last,
    uint16_t ifin, uint16_t ifout)
{
	struct dp_pflow_rec r;
	int i;

	memset(&r, 0, sizeof(r));
	r.ifin = ifin;
	r.ifout = ifout;
	r.af = k->af == AF_INET ? 4 : 6;
	r.proto = k->proto;
	r.src = k->addr[src];
	r.dst = k->addr[!src];
	r.sport = k->port[src];
	r.dport = k->port[!src];
	r.packets = pkts;
	r.bytes = bytes;
	r.first = first;
	r.last = last;
	for (i = 0; i < dp->npflows; i++) {
		struct dp_pflow *f = &dp->pflows[i];

		/* NetFlow v5 has no IPv6 (export_pflow()) */
		if (!f->c.up || f->c.dst == 0 || (r.af == 6 &&
		    f->c.proto != 10))
			continue;
		if (f->n == PFLOW_BUFFLOWS) {
			dp->c[DP_C_PFLOW_ERRORS]++;
			continue;
		}
		if (f->n == 0)
			f->first = dp->now;
		f->rec[f->n++] = r;
		dp->c[DP_C_PFLOW_FLOWS]++;
	}
}

/* export_pflow(): state s goes (pf_state_gone()). */
void
dp_pflow_export(struct dp *dp, const struct state *s)
{
	const struct state_table *t = &dp->pf.states;
	const struct state_cold *c = &t->cold[state_id(t, s)];
	uint32_t last = s->expire - t->tmo[s->tmo_set][s->timeout];
	struct state_key k;
	int in = state_dir(s) == STATE_DIR_IN;

	state_key_get(t, s, in ? STATE_WIRE : STATE_STACK, &k);
	/* a state made or last seen before the clock began: from 0 */
	if (c->creation > last)
		last = c->creation;
	/* the interface the state was made on: where its creator's
	 * packets came in (or went out), where the replies left (came) */
	if (s->bytes[0] != 0)
		pflow_record(dp, &k, !in, state_packets(t, s, 0), s->bytes[0],
		    c->creation, last, in ? c->ifin : 0, in ? 0 : c->ifin);
	if (s->bytes[1] != 0)
		pflow_record(dp, &k, in, state_packets(t, s, 1), s->bytes[1],
		    c->creation, last, in ? 0 : c->ifin, in ? c->ifin : 0);
}

/*
 * After a walk of the states and each second: full datagrams go, and
 * the records that waited their 30 s.
 */
void
dp_pflow_tick(struct dp *dp)
{
	struct dp_pflow *f;
	int i, full;

	for (i = 0; i < dp->npflows; i++) {
		f = &dp->pflows[i];
		if (f->n == 0)
			continue;
		if (dp->now - f->first >= PFLOW_TIMEOUT) {
			pflow_flush(dp, f);
			continue;
		}
		/* a datagram is full when the next record would not fit */
		for (;;) {
			full = f->c.proto == 10 ? ipfix_fits(f) < f->n :
			    f->n >= V5_MAXFLOWS;
			if (!full)
				break;
			pflow_send(dp, f);
		}
	}
}

struct dp_pflow *
dp_pflow(struct dp *dp, const char *name)
{
	int i;

	for (i = 0; i < dp->npflows; i++)
		if (strcmp(dp->pflows[i].c.name, name) == 0)
			return &dp->pflows[i];
	return NULL;
}

/* ifconfig pflowN: what pflow_status() prints. */
void
dp_pflow_show(struct dp *dp, const struct dp_pflow *f, FILE *out)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	(void)dp;
	fprintf(out, "%s: flags=%s\n", f->c.name, f->c.up ?
	    "41<UP,RUNNING>" : "0<>");
	fprintf(out, "\tpflow: ");
	if (f->c.src != 0)
		fprintf(out, "flowsrc %s ", pflow_ip(f->c.src, a, sizeof(a)));
	if (f->c.dst != 0)
		fprintf(out, "flowdst %s:%u ", pflow_ip(f->c.dst, b,
		    sizeof(b)), f->c.port);
	fprintf(out, "pflowproto %u\n", f->c.proto);
	fprintf(out, "\tgroups: pflow\n");
}

/*
 * ifconfig pflowN flowsrc ... flowdst ...: what waits goes first, to
 * the old collector (SIOCSETPFLOW's pflow_flush()); a bad option
 * changes nothing.
 */
int
dp_pflow_set(struct dp *dp, struct dp_pflow *f, int argc, char **argv,
    FILE *out)
{
	struct conf_pflow c = f->c;
	char err[160];
	int bad;

	if (conf_pflow_set(&c, argc, argv, &bad, err, sizeof(err)) != 0) {
		fprintf(out, "ifconfig: %s\n", err);
		return 1;
	}
	pflow_flush(dp, f);
	f->c = c;
	return 0;
}
