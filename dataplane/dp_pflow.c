/*
 * dp_pflow.c: pflow(4).  pf hands each state of a rule with keep state
 * (pflow), or of set state-defaults pflow, to every pflow interface when
 * the state goes, as export_pflow() does, and they send it to their
 * collector as NetFlow version 5: a record each way that carried bytes,
 * its addresses and ports as the state's key has them (the wire's for a
 * state made going in, the stack's for one made going out: before
 * nat-to), its packets and bytes, and its first and last packets' times
 * in ms of uptime.  Thirty records make a datagram (PFLOW_MAXFLOWS); one
 * not full leaves 30 s after its first record (PFLOW_TIMEOUT), or when
 * the interface is set again.  It goes from flowsrc to flowdst through
 * the router, which pf filters going out like any packet of the host.
 * NetFlow v5 has no IPv6: an IPv6 state is not exported.
 *
 * States go while the state table is walked (the purge, pfctl -F, -k),
 * where a packet sent, which pf would test and might keep state for,
 * must not touch it: records wait in a buffer of PFLOW_BUFFLOWS until
 * dp_pflow_tick() sends them, after the walk.
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

static const char *
pflow_ip(uint32_t a, char *buf, size_t len)
{
	struct in_addr in = { a };

	return inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

/* A 32-bit field of the datagram, in network order. */
static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/*
 * pflow_sendout(): f's first n records (30 at most), as one UDP datagram
 * to its collector.
 */
static void
pflow_send(struct dp *dp, struct dp_pflow *f, int n)
{
	uint8_t *ip, *udp, *h;
	struct pkt *p;
	uint32_t plen = PFLOW_HDRLEN + n * PFLOW_RECLEN, ps;
	struct timespec ts;

	if (n == 0)
		return;
	f->n -= n;
	if (dp->router.dp == NULL || f->c.src == 0 || f->c.dst == 0 ||
	    (p = router_alloc(&dp->router)) == NULL) {
		dp->c[DP_C_PFLOW_ERRORS]++;
		memmove(f->rec, f->rec[n], f->n * PFLOW_RECLEN);
		return;
	}
	ip = p->data + ETHER_HDR_LEN;
	udp = ip + 20;
	h = udp + 8;
	memset(p->data, 0, ETHER_HDR_LEN + 28 + PFLOW_HDRLEN);
	ether_put16(p->data + 12, ETHERTYPE_IP);
	/* the NetFlow v5 header: the flows sent before this datagram */
	clock_gettime(CLOCK_REALTIME, &ts);
	put16(h, 5);
	put16(h + 2, (uint16_t)n);
	put32(h + 4, (uint32_t)(dp->now_ns / 1000000));
	put32(h + 8, (uint32_t)ts.tv_sec);
	put32(h + 16, f->seq);
	h[20] = h[21] = PFLOW_ENGINE;
	memcpy(h + PFLOW_HDRLEN, f->rec, n * PFLOW_RECLEN);
	memmove(f->rec, f->rec[n], f->n * PFLOW_RECLEN);
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
}

/* Every record waiting goes, 30 a datagram. */
static void
pflow_flush(struct dp *dp, struct dp_pflow *f)
{
	while (f->n > 0)
		pflow_send(dp, f, f->n < PFLOW_MAXFLOWS ? f->n :
		    PFLOW_MAXFLOWS);
}

/* copy_flow_data(): one direction of a state, into every interface. */
static void
pflow_record(struct dp *dp, const struct state_key *k, int src,
    uint64_t pkts, uint64_t bytes, uint32_t first, uint32_t last)
{
	uint8_t r[PFLOW_RECLEN];
	int i, dst = !src;

	memset(r, 0, sizeof(r));
	memcpy(r, k->addr[src].w, 4);
	memcpy(r + 4, k->addr[dst].w, 4);
	/* flow_packets, flow_octets: pf's counts, cut to 32 bits */
	put32(r + 16, (uint32_t)pkts);
	put32(r + 20, (uint32_t)bytes);
	put32(r + 24, first * 1000);
	put32(r + 28, last * 1000);
	memcpy(r + 32, &k->port[src], 2);
	memcpy(r + 34, &k->port[dst], 2);
	r[38] = k->proto;
	for (i = 0; i < dp->npflows; i++) {
		struct dp_pflow *f = &dp->pflows[i];

		if (!f->c.up || f->c.dst == 0)
			continue;
		if (f->n == PFLOW_BUFFLOWS) {
			dp->c[DP_C_PFLOW_ERRORS]++;
			continue;
		}
		if (f->n == 0)
			f->first = dp->now;
		memcpy(f->rec[f->n++], r, sizeof(r));
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
	if (k.af != AF_INET)
		return;
	/* a state made or last seen before the clock began: from 0 */
	if (c->creation > last)
		last = c->creation;
	if (s->bytes[0] != 0)
		pflow_record(dp, &k, !in, state_packets(t, s, 0), s->bytes[0],
		    c->creation, last);
	if (s->bytes[1] != 0)
		pflow_record(dp, &k, in, state_packets(t, s, 1), s->bytes[1],
		    c->creation, last);
}

/*
 * After a walk of the states and each second: full datagrams go, and
 * one that waited its 30 s.
 */
void
dp_pflow_tick(struct dp *dp)
{
	struct dp_pflow *f;
	int i;

	for (i = 0; i < dp->npflows; i++) {
		f = &dp->pflows[i];
		if (f->n == 0)
			continue;
		if (dp->now - f->first >= PFLOW_TIMEOUT)
			pflow_flush(dp, f);
		while (f->n >= PFLOW_MAXFLOWS)
			pflow_send(dp, f, PFLOW_MAXFLOWS);
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
