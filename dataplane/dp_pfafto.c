/*
 * af-to: pf's NAT64 and NAT46 (pf_translate_af(), pf_get_transaddr_af()).
 *
 * A rule with af-to passes a packet going in and gives it a header of the
 * other family: its source from the rule's `from' pool, its destination
 * from `to', or, without one, the IPv4 address embedded in its IPv6
 * destination (RFC 6052), or embedded into the `from' prefix going to
 * IPv6.  The state keeps a key of each family (nat/state.h), so the
 * replies, coming in on the other family's interface, find it and go
 * back the same way.  The router then routes the packet in its new
 * family, past pf out on the interface it leaves by (pf_route()).
 *
 * What is translated, as pf does: TCP and UDP (the checksum follows the
 * addresses; a UDP checksum of zero, allowed in IPv4 only, is computed),
 * ICMP echo requests and replies (ICMP and ICMPv6 numbers, the ICMPv6
 * pseudo-header), and other protocols' headers as they are.  Extension
 * headers and IP options do not cross.  Fragments are not translated
 * (pf translates reassembled datagrams only: set reassemble yes).
 */
#include <string.h>

#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/ip.h"
#include "fwd/l3.h"

#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_ECN		0x80

/*
 * RFC 6052 2.2: where the four bytes of an IPv4 address go in an IPv6
 * address under a prefix of PLEN bits (byte 8, bits 64-71, is left 0).
 * Returns the first byte, or -1 for a length it does not define.
 */
static int
nat64_at(int plen)
{
	switch (plen) {
	case 32: case 40: case 48: case 56: case 64: case 96:
		return plen / 8;
	}
	return -1;
}

/*
 * The IPv4 address embedded in A6 under a prefix of PLEN bits, as
 * inet_nat64_inet() reads it: RFC 6052's lengths, and, beyond 96, the
 * last 32 bits.  Other lengths are read as 96.
 */
void
dp_pf_nat64_extract(const uint8_t *a6, int plen, uint8_t *a4)
{
	int i, j;

	if (plen > 96 && plen <= 128) {
		memcpy(a4, a6 + 12, 4);
		return;
	}
	if ((i = nat64_at(plen)) < 0)
		i = 12;
	for (j = 0; j < 4; j++) {
		if (i == 8)
			i++;
		a4[j] = a6[i++];
	}
}

/*
 * PREFIX6 (PLEN bits) with A4 embedded, as inet_nat64_inet6() makes it:
 * RFC 6052's lengths; beyond 96 the prefix's bits and then A4's (all of
 * the prefix at 128: a host).  Other lengths are taken as 96.
 */
void
dp_pf_nat64_embed(const uint8_t *prefix6, int plen, const uint8_t *a4,
    uint8_t *out)
{
	int i, j;

	memcpy(out, prefix6, 16);
	if (plen > 96 && plen <= 128) {
		int keep = plen - 96;		/* the prefix's bits */
		uint32_t m = keep == 32 ? 0xffffffffu : keep == 0 ? 0 :
		    ~(0xffffffffu >> keep);
		uint32_t v = ip_get32(prefix6 + 12) & m;

		ip_put32(out + 12, v | (ip_get32(a4) & ~m));
		return;
	}
	if ((i = nat64_at(plen)) < 0)
		i = 12;
	memset(out + i, 0, 16 - i);
	for (j = 0; j < 4; j++) {
		if (i == 8)
			i++;
		out[i++] = a4[j];
	}
}

/* ICMP echo numbers across (pf_translate_icmp_af()); -1: not an echo. */
static int
afto_icmp_type(int to6, uint8_t type)
{
	if (to6)
		return type == 8 ? 128 : type == 0 ? 129 : -1;
	return type == 128 ? 8 : type == 129 ? 0 : -1;
}

/* The sum of an IPv6 pseudo-header's or IPv4's (RFC 768, RFC 8200 8.1). */
static uint32_t
afto_pseudo(int v6, const uint8_t *src, const uint8_t *dst, uint32_t len,
    uint8_t proto)
{
	uint32_t n = v6 ? 16 : 4;

	return csum_partial(src, n, csum_partial(dst, n, 0)) + (len >> 16) +
	    (len & 0xffff) + proto;
}

/*
 * Room before the transport header for NEED bytes of headers: the frame
 * moves back to its buffer's headroom when it has less.  0, or -1 for a
 * frame too long.
 */
static int
afto_room(struct pkt *p, const struct l3info *li, uint32_t need)
{
	if (p->data + li->l4off >= p->buf + need)
		return 0;
	if (p->len > PKT_DATA_MAX)
		return -1;
	memmove(p->buf + PKT_HEADROOM, p->data, p->len);
	p->data = p->buf + PKT_HEADROOM;
	return 0;
}

/*
 * An IP header of the new family at ip, as pf_translate_af() writes one:
 * IPv4's with DF, a random id and its checksum; IPv6's with no flow label.
 */
static void
afto_ip(struct dp *dp, uint8_t *ip, int v6, uint8_t tos, uint8_t ttl,
    uint8_t proto, uint32_t paylen, const uint8_t *src, const uint8_t *dst)
{
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = (uint8_t)(0x60 | tos >> 4);
		ip[1] = (uint8_t)(tos << 4);
		ether_put16(ip + 4, (uint16_t)paylen);
		ip[6] = proto;
		ip[7] = ttl;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		return;
	}
	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = tos;
	/* a GSO frame's may not fit: 0, as the kernel's super-frames */
	ether_put16(ip + 2, (uint16_t)(20 + paylen > 0xffff ? 0 : 20 + paylen));
	ether_put16(ip + 4, (uint16_t)dp_pf_random(&dp->pf));
	ether_put16(ip + 6, IP_DF);
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	csum_ip_header(ip, 20);
}

/* The traffic class of IPv6 header ip, or IPv4's tos. */
static uint8_t
afto_tos(const uint8_t *ip)
{
	return (ip[0] >> 4) == 4 ? ip[1] : (uint8_t)((ip[0] & 0x0f) << 4 |
	    ip[1] >> 4);
}

/*
 * Give packet P (as LI reads it) the header of family A->af, with A's
 * addresses and ports (or echo id), in place: the transport header stays
 * where it is, the new IP header and an untagged Ethernet header are put
 * before it (the headroom takes an IPv6 header's extra 20 bytes), and the
 * hop limit goes down by one, as pf_route() takes it.  Returns
 * PF_AFTO_OK, or why it could not.
 */
int
dp_pf_afto(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct pf_afto *a)
{
	const uint8_t *ip;
	uint8_t *l4, *nd, *nip, mac[12];
	int to6 = a->af == 6, partial = (p->off.flags & PKT_OFF_NEEDS_CSUM)
	    != 0, type = -1;
	uint32_t nhl = to6 ? 40 : 20;
	uint32_t l4len, old, new, delta;
	uint8_t proto = li->proto, tos, field_at = 0;
	int32_t moved;

	if (li->l4off == 0 || li->frag || li->fh6 != 0)
		return PF_AFTO_FRAG;
	if (li->ttl <= 1)
		return PF_AFTO_TTL;
	if (p->off.gso_type != 0 || li->l3off + li->iplen > p->len)
		l4len = p->len - li->l4off;
	else
		l4len = li->l3off + li->iplen - li->l4off;
	if (proto == L3_IPPROTO_ICMP || proto == L3_IPPROTO_ICMPV6) {
		if ((type = afto_icmp_type(to6, li->icmp_type)) < 0)
			return PF_AFTO_ICMP;
		proto = to6 ? L3_IPPROTO_ICMPV6 : L3_IPPROTO_ICMP;
	}
	if ((to6 && l4len > 0xffff) ||
	    afto_room(p, li, nhl + ETHER_HDR_LEN) != 0)
		return PF_AFTO_ROOM;
	ip = p->data + li->l3off;
	l4 = p->data + li->l4off;
	nd = p->data + li->l4off - nhl - ETHER_HDR_LEN;
	tos = afto_tos(ip);

	/* The transport header first, while the old addresses are there. */
	old = afto_pseudo(li->af == 6, ip + (li->af == 4 ? 12 : 8),
	    ip + (li->af == 4 ? 16 : 24), 0, 0);
	new = afto_pseudo(to6, a->src, a->dst, 0, 0);
	delta = (uint16_t)~csum_fold(old) + csum_fold(new);
	switch (li->proto) {
	case L3_IPPROTO_TCP:
	case L3_IPPROTO_UDP:
		field_at = li->proto == L3_IPPROTO_TCP ? 16 : 6;
		if (li->proto == L3_IPPROTO_UDP && ether_get16(l4 + 6) == 0 &&
		    !partial) {
			/* IPv4's "no checksum": IPv6 must have one */
			ether_put16(l4, a->sport);
			ether_put16(l4 + 2, a->dport);
			ether_put16(l4 + 6, (uint16_t)~csum_fold(csum_partial(l4,
			    l4len, afto_pseudo(to6, a->src, a->dst, l4len,
			    proto))));
			if (ether_get16(l4 + 6) == 0)
				ether_put16(l4 + 6, 0xffff);
			break;
		}
		if (partial) {
			/* the field holds the pseudo-header's sum */
			ether_put16(l4 + field_at, csum_fold(ether_get16(l4 +
			    field_at) + delta));
			ether_put16(l4, a->sport);
			ether_put16(l4 + 2, a->dport);
			break;
		}
		delta += ip_csum_delta16(ether_get16(l4), a->sport) +
		    ip_csum_delta16(ether_get16(l4 + 2), a->dport);
		ether_put16(l4, a->sport);
		ether_put16(l4 + 2, a->dport);
		ip_csum_adjust(l4 + field_at, delta);
		if (li->proto == L3_IPPROTO_UDP && ether_get16(l4 + 6) == 0)
			ether_put16(l4 + 6, 0xffff);
		break;
	case L3_IPPROTO_ICMP:
	case L3_IPPROTO_ICMPV6:
		/* Small and rare: summed anew, with ICMPv6's pseudo-header. */
		l4[0] = (uint8_t)type;
		ether_put16(l4 + 4, a->sport);
		l4[2] = l4[3] = 0;
		ether_put16(l4 + 2, (uint16_t)~csum_fold(csum_partial(l4, l4len,
		    to6 ? afto_pseudo(1, a->src, a->dst, l4len, proto) : 0)));
		p->off.flags &= (uint8_t)~PKT_OFF_NEEDS_CSUM;
		break;
	}

	/* Then the headers, from the MAC addresses kept aside. */
	memcpy(mac, p->data, 12);
	memcpy(nd, mac, 12);
	ether_put16(nd + 12, to6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	nip = nd + ETHER_HDR_LEN;
	/* pf_translate_af(): no more than the default hop limit */
	afto_ip(dp, nip, to6, tos, to6 && li->ttl - 1 > 64 ? 64 : li->ttl - 1,
	    proto, l4len, a->src, a->dst);
	moved = (int32_t)(nd - p->data);
	p->data = nd;
	p->len = ETHER_HDR_LEN + nhl + l4len;
	if (partial && field_at != 0)
		p->off.csum_start = (uint16_t)(p->off.csum_start - moved);
	if (p->off.gso_type != 0) {
		uint8_t ecn = p->off.gso_type & VIRTIO_NET_HDR_GSO_ECN;
		uint8_t t = p->off.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

		p->off.hdr_len = (uint16_t)(p->off.hdr_len - moved);
		if (t == VIRTIO_NET_HDR_GSO_TCPV4 ||
		    t == VIRTIO_NET_HDR_GSO_TCPV6)
			p->off.gso_type = (uint8_t)((to6 ?
			    VIRTIO_NET_HDR_GSO_TCPV6 :
			    VIRTIO_NET_HDR_GSO_TCPV4) | ecn);
	}
	p->st_tags = 0;
	p->vid = 0;
	return PF_AFTO_OK;
}

/*
 * ICMP error numbers across (pf_translate_icmp_af()): *type and *code
 * become the other family's, *mtu follows a path MTU's 20 bytes of
 * header.  -1 for what has no counterpart (a parameter problem with a
 * pointer, a redirect, ...): not translated.
 */
static int
afto_icmp_error_type(int to6, uint8_t *type, uint8_t *code, uint32_t *mtu)
{
	uint8_t t = *type, c = *code;

	if (to6) {
		switch (t) {
		case 3:				/* ICMP_UNREACH */
			switch (c) {
			case 0: case 1: case 6: case 7: case 8: case 11:
			case 12:
				*type = 1, *code = 0;	/* no route */
				return 0;
			case 3:
				*type = 1, *code = 4;	/* port */
				return 0;
			case 9: case 10: case 13: case 15:
				*type = 1, *code = 1;	/* admin */
				return 0;
			case 2:	/* protocol: the next header is wrong */
				*type = 4, *code = 1, *mtu = 6;
				return 0;
			case 4:				/* needfrag */
				*type = 2, *code = 0;
				*mtu += 20;
				return 0;
			}
			return -1;
		case 11:			/* time exceeded */
			*type = 3;
			return 0;
		}
		return -1;
	}
	switch (t) {
	case 1:					/* ICMP6_DST_UNREACH */
		switch (c) {
		case 0: case 2: case 3:
			*type = 3, *code = 1;		/* host */
			return 0;
		case 1:
			*type = 3, *code = 10;		/* host prohibited */
			return 0;
		case 4:
			*type = 3, *code = 3;		/* port */
			return 0;
		}
		return -1;
	case 2:					/* packet too big */
		*type = 3, *code = 4;
		*mtu = *mtu < 20 ? 0 : *mtu - 20 > 0xffff ? 0xffff : *mtu - 20;
		return 0;
	case 3:
		*type = 11;
		return 0;
	case 4:
		if (c != 1)
			return -1;
		*type = 3, *code = 2;			/* protocol */
		return 0;
	}
	return -1;
}

/*
 * An ICMP error about an af-to flow (pf_test_state_icmp(), af-to): the
 * outer header and the quoted packet's both become the other family's,
 * as E says, the ICMP numbers theirs, the quoted transport header takes
 * E's ports (or echo id), and the checksums follow (a quoted TCP or UDP
 * checksum that is in the quote, and the whole message's).  Returns
 * PF_AFTO_OK, or PF_AFTO_ICMP for what it cannot translate.
 */
int
dp_pf_afto_icmp(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct pf_afto_err *e)
{
	int to6 = e->outer.af == 6;
	uint32_t nhl = to6 ? 40 : 20, ihl, nihl = nhl, room, rest, msglen;
	uint32_t mtu, itot, old, new, delta;
	uint8_t *icmp, *in, *il4, *nd, *nip, *nicmp, *nin, mac[12];
	uint8_t type, code, iproto, nproto, ittl, itos, otos;

	if (li->l4off == 0 || li->frag || li->fh6 != 0)
		return PF_AFTO_FRAG;
	if (li->ttl <= 1)
		return PF_AFTO_TTL;
	if (afto_room(p, li, 2 * 20 + ETHER_HDR_LEN + 20) != 0)
		return PF_AFTO_ROOM;
	icmp = p->data + li->l4off;
	msglen = li->l3off + li->iplen <= p->len ? li->l3off + li->iplen -
	    li->l4off : p->len - li->l4off;
	if (msglen < 8 + (to6 ? 20u : 40u) + 8)
		return PF_AFTO_ICMP;
	in = icmp + 8;
	room = msglen - 8;
	if (to6) {				/* the quote is IPv4 */
		ihl = (in[0] & 0x0fu) * 4;
		if ((in[0] >> 4) != 4 || ihl < 20 || room < ihl + 8)
			return PF_AFTO_ICMP;
		iproto = in[9];
		itot = ether_get16(in + 2);
		ittl = in[8];
	} else {
		ihl = 40;
		if ((in[0] >> 4) != 6 || room < ihl + 8)
			return PF_AFTO_ICMP;
		iproto = in[6];
		itot = 40u + ether_get16(in + 4);
		ittl = in[7];
	}
	itos = afto_tos(in);
	if (iproto != L3_IPPROTO_TCP && iproto != L3_IPPROTO_UDP &&
	    iproto != (to6 ? L3_IPPROTO_ICMP : L3_IPPROTO_ICMPV6))
		return PF_AFTO_ICMP;
	type = icmp[0];
	code = icmp[1];
	mtu = to6 ? ether_get16(icmp + 6) : ip_get32(icmp + 4);
	if (afto_icmp_error_type(to6, &type, &code, &mtu) != 0)
		return PF_AFTO_ICMP;
	il4 = in + ihl;
	rest = msglen - 8 - ihl;

	/* The quoted transport header, in place. */
	nproto = iproto;
	if (iproto == L3_IPPROTO_TCP || iproto == L3_IPPROTO_UDP) {
		uint32_t at = iproto == L3_IPPROTO_TCP ? 16 : 6;

		old = afto_pseudo(!to6, in + (to6 ? 12 : 8), in + (to6 ? 16 :
		    24), 0, 0);
		new = afto_pseudo(to6, e->isrc, e->idst, 0, 0);
		delta = (uint16_t)~csum_fold(old) + csum_fold(new) +
		    ip_csum_delta16(ether_get16(il4), e->isport) +
		    ip_csum_delta16(ether_get16(il4 + 2), e->idport);
		ether_put16(il4, e->isport);
		ether_put16(il4 + 2, e->idport);
		if (rest >= at + 2 && !(iproto == L3_IPPROTO_UDP &&
		    ether_get16(il4 + 6) == 0))
			ip_csum_adjust(il4 + at, delta);
	} else {
		int t = afto_icmp_type(to6, il4[0]);

		if (t < 0)
			return PF_AFTO_ICMP;
		il4[0] = (uint8_t)t;
		ether_put16(il4 + 4, e->isport);
		nproto = to6 ? L3_IPPROTO_ICMPV6 : L3_IPPROTO_ICMP;
	}

	/* The headers before it, built from the front of the frame. */
	otos = afto_tos(p->data + li->l3off);
	nd = il4 - nihl - 8 - nhl - ETHER_HDR_LEN;
	memcpy(mac, p->data, 12);
	/* the quoted header first: it lies nearest what stays */
	{
		uint8_t q[40];

		afto_ip(dp, q, to6, itos, ittl, nproto, itot > ihl ? itot -
		    ihl : 0, e->isrc, e->idst);
		nin = il4 - nihl;
		memmove(nin, q, nihl);
	}
	nicmp = nin - 8;
	nicmp[0] = type;
	nicmp[1] = code;
	nicmp[2] = nicmp[3] = 0;
	if (to6)
		ip_put32(nicmp + 4, type == 2 ? mtu : type == 4 ? mtu : 0);
	else {
		memset(nicmp + 4, 0, 4);
		if (type == 3 && code == 4)
			ether_put16(nicmp + 6, (uint16_t)mtu);
	}
	msglen = 8 + nihl + rest;
	nip = nd + ETHER_HDR_LEN;
	afto_ip(dp, nip, to6, otos, to6 && li->ttl - 1 > 64 ? 64 :
	    li->ttl - 1, to6 ? L3_IPPROTO_ICMPV6 : L3_IPPROTO_ICMP, msglen,
	    e->outer.src, e->outer.dst);
	ether_put16(nicmp + 2, (uint16_t)~csum_fold(csum_partial(nicmp, msglen,
	    to6 ? afto_pseudo(1, e->outer.src, e->outer.dst, msglen,
	    L3_IPPROTO_ICMPV6) : 0)));
	memcpy(nd, mac, 12);
	ether_put16(nd + 12, to6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	p->data = nd;
	p->len = ETHER_HDR_LEN + nhl + msglen;
	p->off = (struct pkt_offload){ 0 };
	p->st_tags = 0;
	p->vid = 0;
	return PF_AFTO_OK;
}
