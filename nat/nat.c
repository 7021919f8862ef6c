/* See nat.h. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <string.h>

#include <xxhash.h>

#include "fwd/ip.h"
#include "nat/nat.h"

static inline uint32_t
ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t
ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/*
 * The ports of the TCP or UDP header at l4 (0: kept) and its checksum,
 * which follows them and the addresses' change (addrs).  A partial
 * checksum (the pseudo-header sum, not complemented) follows the address
 * change in the plain sense and ignores the ports.
 */
static inline __attribute__((always_inline)) void
nat_ports(uint8_t *l4, int proto, uint16_t sport, uint16_t dport,
    int partial, uint32_t addrs)
{
	uint8_t *field = l4 + (proto == L3_IPPROTO_TCP ? 16 : 6);
	uint32_t ports = 0;
	uint16_t o16, n16;

	if (sport != 0 && (o16 = ld16(l4)) != (n16 = htons(sport))) {
		memcpy(l4, &n16, 2);
		ports += ip_csum_delta16(o16, n16);
	}
	if (dport != 0 && (o16 = ld16(l4 + 2)) != (n16 = htons(dport))) {
		memcpy(l4 + 2, &n16, 2);
		ports += ip_csum_delta16(o16, n16);
	}
	if (partial) {
		n16 = ip_csum_fold(ld16(field) + addrs);
		memcpy(field, &n16, 2);
	} else if (proto == L3_IPPROTO_TCP)
		ip_csum_adjust_raw(field, addrs + ports);
	else if (ld16(field) != 0) {
		/* A UDP checksum that sums to zero is sent as ones
		 * (RFC 768); zero means "none", kept as it is. */
		ip_csum_adjust_raw(field, addrs + ports);
		if (ld16(field) == 0)
			memset(field, 0xff, 2);
	}
}

/*
 * Rewrite an IPv4 packet's addresses and ports (or ICMP query id) as rw
 * says.  A non-first fragment has no transport header: only addresses.
 * A partial L4 checksum (the pseudo-header sum, not complemented) follows
 * the address change in the plain sense and ignores the ports.  Addresses,
 * ports and the checksums they change are handled as they lie in memory
 * (ip_csum_adjust_raw()): no byte swaps.
 */
void
nat_rewrite4(struct pkt *p, const struct l3info *li,
    const struct nat_rewrite *rw)
{
	uint8_t *ip = p->data + li->l3off, *l4;
	int partial = (p->off.flags & PKT_OFF_NEEDS_CSUM) != 0;
	uint32_t old, addrs = 0;
	uint16_t o16;

	p->st_tags = 0;		/* a new flow key from here on */
	if (rw->src != 0 && (old = ld32(ip + 12)) != rw->src) {
		memcpy(ip + 12, &rw->src, 4);
		addrs += ip_csum_delta32(old, rw->src);
	}
	if (rw->dst != 0 && (old = ld32(ip + 16)) != rw->dst) {
		memcpy(ip + 16, &rw->dst, 4);
		addrs += ip_csum_delta32(old, rw->dst);
	}
	if (addrs != 0)
		ip_csum_adjust_raw(ip + 10, addrs);
	if (li->l4off == 0 || li->frag)
		return;
	l4 = p->data + li->l4off;
	switch (li->proto) {
	case L3_IPPROTO_TCP:
	case L3_IPPROTO_UDP:
		nat_ports(l4, li->proto, rw->sport, rw->dport, partial, addrs);
		break;
	case L3_IPPROTO_ICMP:
		if (l3_icmp_is_query(4, li->icmp_type)) {
			uint16_t id = rw->sport ? rw->sport : rw->dport;

			if (id != 0 && (o16 = ether_get16(l4 + 4)) != id) {
				ether_put16(l4 + 4, id);
				if (!partial)
					ip_csum_update16(l4 + 2, o16, id);
			}
		}
		break;
	}
}

/* Put address to at at, and say what that does to a checksum. */
uint32_t
nat_addr6(uint8_t *at, const uint8_t *to)
{
	uint32_t delta = 0;
	int i;

	for (i = 0; i < 16; i += 2)
		delta += ip_csum_delta16(ld16(at + i), ld16(to + i));
	memcpy(at, to, 16);
	return delta;
}

/*
 * nat_rewrite4() for IPv6.  No header checksum: the transport checksum's
 * pseudo-header holds the addresses, ICMPv6's too (RFC 4443 2.3), so an
 * echo's checksum follows both the addresses and its id.
 */
void
nat_rewrite6(struct pkt *p, const struct l3info *li,
    const struct nat_rewrite6 *rw)
{
	uint8_t *ip = p->data + li->l3off, *l4;
	int partial = (p->off.flags & PKT_OFF_NEEDS_CSUM) != 0;
	uint32_t addrs = 0, ports = 0;
	uint16_t o16, n16;

	p->st_tags = 0;		/* a new flow key from here on */
	if (rw->set & NAT_RW6_SRC)
		addrs += nat_addr6(ip + 8, rw->src);
	if (rw->set & NAT_RW6_DST)
		addrs += nat_addr6(ip + 24, rw->dst);
	if (li->l4off == 0 || li->frag)
		return;
	l4 = p->data + li->l4off;
	switch (li->proto) {
	case L3_IPPROTO_TCP:
	case L3_IPPROTO_UDP:
		nat_ports(l4, li->proto, rw->sport, rw->dport, partial, addrs);
		break;
	case L3_IPPROTO_ICMPV6:
		if (l3_icmp_is_query(6, li->icmp_type)) {
			uint16_t id = rw->sport ? rw->sport : rw->dport;

			if (id != 0 && (o16 = ld16(l4 + 4)) !=
			    (n16 = htons(id))) {
				memcpy(l4 + 4, &n16, 2);
				ports += ip_csum_delta16(o16, n16);
			}
		}
		if (partial) {
			n16 = ip_csum_fold(ld16(l4 + 2) + addrs);
			memcpy(l4 + 2, &n16, 2);
		} else
			ip_csum_adjust_raw(l4 + 2, addrs + ports);
		break;
	}
}

/*
 * An ICMP error about a translated flow: rewrite the outer header as
 * outer says and the quoted packet as inner says, keeping the quoted IP
 * header's checksum, the (8 quoted bytes of the) transport header and the
 * ICMP checksum right.  Returns -1 if the quote is too short.
 */
int
nat_rewrite_icmp_error(struct pkt *p, const struct l3info *li,
    const struct nat_rewrite *outer, const struct nat_rewrite *inner)
{
	uint8_t *icmp = p->data + li->l4off, *in = icmp + 8, *q4;
	uint32_t room = p->len - li->l4off - 8, hl, old;
	uint16_t o16;

	if (room < 20)
		return -1;
	hl = (in[0] & 0x0f) * 4u;
	if (room < hl + 8)
		return -1;
	q4 = in + hl;
	/*
	 * A quoted address change moves the quoted header's checksum by the
	 * opposite amount, so the ICMP checksum, which covers both, stays.
	 * Quoted ports have no such partner: the ICMP checksum follows them.
	 */
	/* A quoted UDP header carries its checksum; pf keeps it true. */
	uint8_t *uc = in[9] == L3_IPPROTO_UDP && ether_get16(q4 + 6) != 0 ?
	    q4 + 6 : NULL;
	uint16_t uc0 = uc != NULL ? ether_get16(uc) : 0;

	if (inner->src != 0 && (old = ip_get32(in + 12)) != ntohl(inner->src)) {
		ip_put32(in + 12, ntohl(inner->src));
		ip_csum_update32(in + 10, old, ntohl(inner->src));
		if (uc != NULL)
			ip_csum_update32(uc, old, ntohl(inner->src));
	}
	if (inner->dst != 0 && (old = ip_get32(in + 16)) != ntohl(inner->dst)) {
		ip_put32(in + 16, ntohl(inner->dst));
		ip_csum_update32(in + 10, old, ntohl(inner->dst));
		if (uc != NULL)
			ip_csum_update32(uc, old, ntohl(inner->dst));
	}
	if (in[9] == L3_IPPROTO_TCP || in[9] == L3_IPPROTO_UDP) {
		if (inner->sport && (o16 = ether_get16(q4)) != inner->sport) {
			ether_put16(q4, inner->sport);
			ip_csum_update16(icmp + 2, o16, inner->sport);
			if (uc != NULL)
				ip_csum_update16(uc, o16, inner->sport);
		}
		if (inner->dport && (o16 = ether_get16(q4 + 2)) !=
		    inner->dport) {
			ether_put16(q4 + 2, inner->dport);
			ip_csum_update16(icmp + 2, o16, inner->dport);
			if (uc != NULL)
				ip_csum_update16(uc, o16, inner->dport);
		}
		if (uc != NULL)
			ip_csum_update16(icmp + 2, uc0, ether_get16(uc));
	} else if (in[9] == L3_IPPROTO_ICMP) {
		uint16_t id = inner->sport ? inner->sport : inner->dport;

		if (id && (o16 = ether_get16(q4 + 4)) != id) {
			ether_put16(q4 + 4, id);
			ip_csum_update16(icmp + 2, o16, id);
		}
	}
	nat_rewrite4(p, li, outer);
	return 0;
}

/*
 * Choose a port for translated key k (the side being translated is
 * addr[side]/port[side]) in [lo, hi] so that no state has that key.  A
 * nat-to going out translates the WIRE key, whose source is side 1; one
 * coming in translates the STACK key, source side 0 (nat/state.h).
 * Candidates follow a stride through the range from a hash of the flow,
 * so flows spread and a crowded range is still sampled evenly.  The
 * search is bounded: a destination whose ports are (nearly) all taken
 * costs NAT_PORT_TRIES lookups per new flow, not the whole range -- a
 * flood of new flows must not stall the dataplane.  Returns 0 when no
 * port was found.
 */
#define NAT_PORT_TRIES	512
#define NAT_PORT_STRIDE	7919u		/* a prime: visits every port */

uint16_t
nat_pick_port(struct state_table *t, struct state_key *k, int side,
    uint16_t lo, uint16_t hi, uint32_t now, uint32_t seed)
{
	uint32_t range = (uint32_t)hi - lo + 1, i, start, stride, tries;

	if (lo == 0 || hi < lo)
		return 0;
	start = (uint32_t)XXH3_64bits_withSeed(k, sizeof(*k), seed) % range;
	stride = range % NAT_PORT_STRIDE == 0 ? 1 : NAT_PORT_STRIDE % range;
	if (stride == 0)
		stride = 1;
	tries = range < NAT_PORT_TRIES ? range : NAT_PORT_TRIES;
	for (i = 0; i < tries; i++) {
		uint16_t port = (uint16_t)(lo + (start + (uint64_t)i * stride) %
		    range);

		k->port[side] = htons(port);
		if (k->proto == L3_IPPROTO_ICMP ||
		    k->proto == L3_IPPROTO_ICMPV6)
			k->port[!side] = htons(port);
		if (state_lookup(t, k, side ? STATE_DIR_IN : STATE_DIR_OUT, 0,
		    now) == NULL)
			return port;
	}
	return 0;
}

/*
 * The flow of an IPv4 frame as l3_parse() would give it to dp_pf_test(),
 * read with as little as a hint needs: no l3info to clear, no TCP flags
 * or ICMP codes.  Returns 0 for anything else (IPv6, too short, not IP):
 * those frames get no tag and are looked up the plain way.  Where the
 * two parsers could still disagree the tag is merely wrong, which
 * state_lookup_tag() notices.  Ports stay in network order.
 */
static int
flow4(const uint8_t *f, uint32_t len, struct state_flow4 *fl)
{
	const uint8_t *ip, *l4;
	uint32_t off, hl, room;

	/* Nearly every frame: untagged, a 20-byte header, TCP or UDP, not
	 * a later fragment. */
	if (len >= ETHER_HDR_LEN + 20 + 4 &&
	    ld16(f + 12) == htons(ETHERTYPE_IP) && f[14] == 0x45 &&
	    (f[23] == L3_IPPROTO_TCP || f[23] == L3_IPPROTO_UDP) &&
	    (ld16(f + 20) & htons(0x1fff)) == 0) {
		fl->src = ld32(f + 26);
		fl->dst = ld32(f + 30);
		fl->proto = f[23];
		fl->sport = ld16(f + 34);
		fl->dport = ld16(f + 36);
		return 1;
	}
	if (len < ETHER_HDR_LEN + 20 ||
	    ether_type(f, len, &off) != ETHERTYPE_IP || len < off + 20)
		return 0;
	ip = f + off;
	hl = (uint32_t)(ip[0] & 0x0f) * 4;
	if ((ip[0] >> 4) != 4 || hl < 20 || len < off + hl)
		return 0;
	fl->src = ld32(ip + 12);
	fl->dst = ld32(ip + 16);
	fl->proto = ip[9];
	fl->sport = fl->dport = 0;
	if (ether_get16(ip + 6) & 0x1fff)
		return 1;		/* not the first fragment: no ports */
	l4 = ip + hl;
	room = len - off - hl;
	switch (ip[9]) {
	case L3_IPPROTO_TCP:
	case L3_IPPROTO_UDP:
		if (room < 4)
			return 0;
		fl->sport = ld16(l4);
		fl->dport = ld16(l4 + 2);
		break;
	case L3_IPPROTO_ICMP:
		if (room < 8)
			return 0;
		if (l3_icmp_is_query(4, l4[0]))
			fl->sport = fl->dport = ld16(l4 + 4);
		break;
	}
	return 1;
}

/*
 * The first two passes of a batched state lookup (nat/state.h) for a
 * burst of frames.  Each IPv4 frame's flow is tagged as the lookups DIRS
 * will key it (going in, going out, or both: a forwarded packet meets
 * both, in on one port and out on another; one hash gives both tags) and
 * its index line prefetched; then the states the lines name.  The tags
 * and those states stay with the packet (pkt.st_tag, pkt.st_hint) so the
 * lookups neither hash nor probe again; they are hints
 * (state_lookup_tag()), and whatever rewrites a frame drops them
 * (nat_rewrite4()) to spare the second probe a stale one costs.
 */
void
nat_state_prefetch(const struct state_table *t, struct pkt *const *pkts,
    int n, int dirs)
{
	struct state_flow4 f[BATCH_MAX];
	uint32_t tag[BATCH_MAX][2], hint[BATCH_MAX][2];
	struct pkt *has[BATCH_MAX];
	int i, j, m;

	dirs &= STATE_DIR_IN | STATE_DIR_OUT;
	for (i = 0; i < n; i += BATCH_MAX) {
		for (j = i, m = 0; j < n && j < i + BATCH_MAX; j++) {
			pkts[j]->st_tags = 0;
			if (flow4(pkts[j]->data, pkts[j]->len, &f[m]))
				has[m++] = pkts[j];
		}
		state_prefetch4(t, f, m, dirs, tag, hint);
		for (j = 0; j < m; j++) {
			memcpy(has[j]->st_tag, tag[j], sizeof(tag[j]));
			memcpy(has[j]->st_hint, hint[j], sizeof(hint[j]));
			has[j]->st_tags = (uint8_t)dirs;
		}
	}
}

/*
 * A frame the state just translated (nat_rewrite4() dropped its tags) is
 * a new flow key for the lookup that comes next: going out of the router
 * after an un-NAT on em0, say, where the state of the inside flow waits.
 * Tag it again and ask for its index line now, so that the miss overlaps
 * the routing in between instead of stalling that lookup; the lookup
 * then needs no hash either.  No hint: the line has not come yet.
 */
void
nat_state_retag(const struct state_table *t, struct pkt *p, int dirs)
{
	struct state_flow4 f;

	p->st_tags = 0;
	if (!flow4(p->data, p->len, &f))
		return;
	state_prefetch_flow4(t, &f, dirs, p->st_tag);
	p->st_hint[0] = p->st_hint[1] = 0;
	p->st_tags = (uint8_t)(dirs & (STATE_DIR_IN | STATE_DIR_OUT));
}
