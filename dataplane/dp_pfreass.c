/*
 * Reassembly in pf (`set reassemble yes', pf's default): what
 * pf_normalize_ip()/pf_reassemble() and pf_normalize_ip6()/
 * pf_reassemble6() do in sys/net/pf_norm.c, so that the rules, the state
 * table and nat-to see a fragmented datagram whole.
 *
 * Each fragment's payload is copied into a pool buffer held per datagram;
 * the fragment itself is dropped by the caller (its bytes are ours now).
 * The fragment that completes a datagram becomes the datagram: its frame
 * is rebuilt with its own link-layer header, the first fragment's IP
 * header (IPv4: offset and MF cleared, length and checksum new; IPv6: the
 * unfragmentable part, Fragment header gone) and the whole payload, and
 * pf goes on with it as with any packet.  IPv4 is cut again only where
 * an MTU is smaller (the router's ip_fragment(), the bridge's
 * bridge_fragment()); IPv6 always leaves as fragments again, as
 * pf_refragment6() cuts it: no larger than the largest fragment that
 * came, under the same id (the packet carries both, pf's fragment tag),
 * and a router sends packet too big when even those do not fit.
 * An IPv6 atomic fragment (offset 0, M clear: RFC 6946) is no fragment
 * of anything and goes on whole.  The extension headers before the
 * Fragment header are walked again here, as pf_walk_header6() does (20
 * at most); every fragment of a datagram must carry the same ones.
 *
 * `set limit frags N' is pf's: N fragments held at once
 * (reass-frag-limit); a reload below what is held fails, as
 * pool_sethardlimit() does.  Each datagram holds a 64 KiB buffer of the
 * pool, so min(N, PF_REASS_MAX) datagrams are reassembled at a time
 * (reass-table-full).
 *
 * Differences from pf, on purpose: overlapping IPv4 fragments drop the
 * whole datagram too (RFC 5722's rule for IPv6, which pf applies to IPv6
 * only; it trims IPv4 overlaps), so no byte is ever chosen between two
 * versions; at the frags limit the new fragment is dropped where pf
 * flushes the oldest datagrams; datagrams are keyed by port too.
 *
 * Fragments are rare: the table is searched linearly, and nothing here
 * runs for a packet that is not one (dp_pf_test() asks first).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_ast.h"
#include "dataplane/dp.h"
#include "dataplane/dp_pf.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"

#define REASS_FREE	0
#define REASS_LIVE	1
#define REASS_DEAD	2	/* dropped: the rest of it is dropped too */

#define IP_MAXPACKET	65535
#define PF_HDR_LIMIT	20	/* pf_walk_header6(): headers at most */

void
dp_pf_reass_limit(struct dp_pf *pf, uint32_t frags)
{
	pf->frag_limit = frags;
	pf->reass_max = frags < PF_REASS_MAX ? frags : PF_REASS_MAX;
}

static void
reass_free(struct dp *dp, struct pf_reass *r)
{
	struct dp_pf *pf = &dp->pf;

	if (r->buf != NULL)
		pkt_free(&dp->pool, r->buf);
	if (r->used == REASS_LIVE)
		pf->reass_frags -= r->nfr;
	r->buf = NULL;
	r->used = REASS_FREE;
	pf->reass_count--;
	pf->reass_removals++;
}

/* Drop the datagram but remember it until `timeout frag' (RFC 5722). */
static void
reass_kill(struct dp *dp, struct pf_reass *r)
{
	if (r->buf != NULL)
		pkt_free(&dp->pool, r->buf);
	if (r->used == REASS_LIVE)
		dp->pf.reass_frags -= r->nfr;
	r->buf = NULL;
	r->nfr = 0;
	r->used = REASS_DEAD;
}

static struct pf_reass *
reass_find(struct dp_pf *pf, int af, const uint8_t *src, const uint8_t *dst,
    uint32_t id, uint8_t proto, uint16_t port, int dir)
{
	size_t alen = af == 4 ? 4 : 16;
	int i;

	pf->reass_searches++;
	for (i = 0; i < PF_REASS_MAX; i++) {
		struct pf_reass *r = &pf->reass[i];

		if (r->used != REASS_FREE && r->af == af && r->id == id &&
		    r->proto == proto && r->port == port && r->dir == dir &&
		    memcmp(r->src, src, alen) == 0 &&
		    memcmp(r->dst, dst, alen) == 0)
			return r;
	}
	return NULL;
}

/*
 * A new datagram for a fragment, within `set limit frags' and the pool
 * buffers it may take; NULL when p is to be dropped (counted, traced).
 */
static struct pf_reass *
reass_new(struct dp *dp, const struct port *port, int dir,
    const struct pkt *p, int af, const uint8_t *src, const uint8_t *dst,
    uint32_t id, uint8_t proto)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	struct pf_reass *r;
	int i;

	if (pf->reass_count >= pf->reass_max) {
		pf->c[PF_C_REASS_FULL]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (a fragment of "
			    "a new datagram, id %u: %u being reassembled "
			    "already)", dname, port->name, id,
			    pf->reass_count);
		return NULL;
	}
	for (i = 0; i < PF_REASS_MAX && pf->reass[i].used != REASS_FREE; i++)
		;
	if (i == PF_REASS_MAX)
		return NULL;	/* reass_max <= PF_REASS_MAX: never */
	r = &pf->reass[i];
	memset(r, 0, sizeof(*r) - sizeof(r->fr));
	if ((r->buf = pkt_alloc(&dp->pool)) == NULL) {
		pf->c[PF_C_REASS_NOBUF]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (no buffer for "
			    "datagram id %u)", dname, port->name, id);
		return NULL;
	}
	r->af = (uint8_t)af;
	memcpy(r->src, src, af == 4 ? 4 : 16);
	memcpy(r->dst, dst, af == 4 ? 4 : 16);
	r->id = id;
	r->proto = proto;
	r->port = port->index;
	r->dir = (uint8_t)dir;
	r->used = REASS_LIVE;
	r->expire = dp->now + pf->states.tmo[0][ACL_TM_FRAG];
	pf->reass_count++;
	pf->reass_inserts++;
	return r;
}

/*
 * Hold the LEN bytes at PAY of datagram r from OFF.  Returns 1 when the
 * caller is to drop p and hold nothing (a duplicate, an overlap that
 * drops the datagram, one fragment too many, `set limit frags'), counted
 * and traced; 0 when they are held.
 */
static int
reass_place(struct dp *dp, const struct port *port, int dir,
    const struct pkt *p, struct pf_reass *r, uint32_t off, uint32_t len,
    int last, const uint8_t *pay)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	uint32_t end = off + len;
	int i;

	/* Held ranges, sorted, never overlapping. */
	for (i = 0; i < r->nfr && r->fr[i].end <= off; i++)
		;
	if (i < r->nfr && r->fr[i].off == off && r->fr[i].end == end) {
		pf->c[PF_C_REASS_DUP]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: fragment of id %u, %u "
			    "bytes at %u: a duplicate, ignored", dname,
			    port->name, r->id, len, off);
		return 1;
	}
	if (i < r->nfr && r->fr[i].off < end) {
		pf->c[PF_C_REASS_OVERLAP]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (fragment of id "
			    "%u, %u bytes at %u, overlaps %u at %u: the "
			    "datagram is dropped)", dname, port->name, r->id,
			    len, off, r->fr[i].end - r->fr[i].off,
			    r->fr[i].off);
		reass_kill(dp, r);
		return 1;
	}
	if (r->nfr == PF_REASS_FRAGS) {
		pf->c[PF_C_REASS_TOOMANY]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (datagram id %u: "
			    "more than %u fragments)", dname, port->name,
			    r->id, PF_REASS_FRAGS);
		reass_kill(dp, r);
		return 1;
	}
	/* pf's fragment entries (pf_frent_pl) are what the limit counts. */
	if (pf->reass_frags >= pf->frag_limit) {
		pf->c[PF_C_REASS_LIMIT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (fragment of id "
			    "%u: set limit frags %u reached)", dname,
			    port->name, r->id, pf->frag_limit);
		if (r->nfr == 0)
			reass_free(dp, r);	/* its first: nothing held */
		return 1;
	}
	memmove(&r->fr[i + 1], &r->fr[i], (r->nfr - i) * sizeof(r->fr[0]));
	r->fr[i].off = off;
	r->fr[i].end = end;
	r->nfr++;
	pf->reass_frags++;
	memcpy(r->buf->buf + off, pay, len);
	r->have += len;
	if (last)
		r->total = end;
	return 0;
}

/* The frame of p from l2 bytes of link-layer header, before ip goes. */
static void
reass_reframe(struct pkt *p, uint32_t l2)
{
	uint8_t *out = p->buf + PKT_HEADROOM;

	memmove(out, p->data, l2);
	p->data = out;
	p->off = (struct pkt_offload){ 0 };
	p->st_tags = 0;		/* now with ports: other keys */
	p->reassembled = 1;
}

/*
 * Rebuild p as the datagram of r: p's own link-layer header, the first
 * fragment's IP header, the payload, in p's own buffer.
 */
/*
 * What both families refuse in a fragment ending at END (LAST: the last
 * one) besides their own header checks: a GSO or partly checksummed
 * frame, whose payload is not what goes on the wire, and an end that
 * does not fit what the datagram's other fragments said.
 */
static int
reass_len_bad(const struct pf_reass *r, const struct pkt *p, uint32_t end,
    int last)
{
	if (p->off.gso_type != 0 || (p->off.flags & PKT_OFF_NEEDS_CSUM))
		return 1;
	if (r == NULL)
		return 0;
	if (r->total != 0)
		return end > r->total || (last && end != r->total);
	return last && r->nfr > 0 && end < r->fr[r->nfr - 1].end;
}

/* A bad fragment: counted, traced, dropped (returns 1: the caller's
 * "the fragment is ours"). */
static int
reass_drop_bad(struct dp *dp, struct pkt *p, const char *dname,
    const struct port *port, uint32_t id, uint32_t len, uint32_t off,
    int last)
{
	dp->pf.c[PF_C_REASS_BAD]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (bad fragment: id %u, %u "
		    "bytes at %u%s)", dname, port->name, id, len, off, last ?
		    ", the last" : "");
	return 1;
}

static int
reass_build(struct dp *dp, struct pf_reass *r, struct pkt *p, uint32_t l2)
{
	uint8_t *ip;
	uint16_t ipoff;

	if (l2 + r->hlen + r->total > PKT_DATA_MAX)
		return -1;
	reass_reframe(p, l2);
	ip = p->data + l2;
	memcpy(ip, r->hdr, r->hlen);
	memcpy(ip + r->hlen, r->buf->buf, r->total);
	/* DF of a fragment was refused, or cleared by no-df. */
	ipoff = ether_get16(ip + 6) & ~(IP_MF | IP_DF | 0x1fff);
	ether_put16(ip + 6, ipoff);
	ether_put16(ip + 2, (uint16_t)(r->hlen + r->total));
	csum_ip_header(ip, r->hlen);
	p->len = l2 + r->hlen + r->total;
	p->frag6_max = 0;
	(void)dp;
	return 0;
}

/*
 * The same for IPv6 (pf_reassemble6()): the unfragmentable part, the
 * Fragment header gone and the byte that named it naming what the
 * offset-0 fragment's did, the payload length new; what
 * pf_refragment6() needs to cut it again goes with the packet.
 */
static int
reass_build6(struct pf_reass *r, struct pkt *p, uint32_t l2)
{
	uint8_t *ip;

	if (l2 + r->hlen + r->total > PKT_DATA_MAX)
		return -1;
	reass_reframe(p, l2);
	ip = p->data + l2;
	memcpy(ip, r->hdr, r->hlen);
	ip[r->nhoff] = r->nxt;
	memcpy(ip + r->hlen, r->buf->buf, r->total);
	ether_put16(ip + 4, (uint16_t)(r->hlen - 40 + r->total));
	p->len = l2 + r->hlen + r->total;
	p->frag6_hlen = r->hlen;
	p->frag6_nhoff = r->nhoff;
	p->frag6_max = r->maxlen;
	p->frag6_id = r->id;
	return 0;
}

/* p is its datagram now: read its headers again. */
static int
reass_reparse(struct dp *dp, const struct port *port, int dir,
    struct pkt *p, struct l3info *li)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";

	switch (l3_parse(p->data, p->len, li)) {
	case L3_OK:
		return 0;
	case L3_SHORT:
		pf->c[PF_C_SHORT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (short header)",
			    dname, port->name);
		return 1;
	default:
		pf->c[PF_C_BADOFF]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (bad offset)",
			    dname, port->name);
		return 1;
	}
}

/*
 * The fragment just placed: held while its datagram is incomplete, else
 * the whole datagram built in P's frame (pf_reassemble()'s "complete")
 * and handed on to be filtered.  Returns as dp_pf_reass().
 */
static int
reass_complete(struct dp *dp, const struct port *port, int dir,
    struct pkt *p, struct l3info *li, struct pf_reass *r, uint32_t len,
    uint32_t off, int last)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	const char *fam = r->af == 6 ? "IPv6 " : "";

	if (r->total == 0 || r->have != r->total) {
		pf->c[PF_C_REASS_HELD]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: %sfragment of id %u, "
			    "%u bytes at %u%s: held for reassembly (%u bytes "
			    "of %u held)", dname, port->name, fam, r->id, len,
			    off, last ? ", the last" : "", r->have, r->total);
		return 1;
	}
	if ((r->af == 6 ? reass_build6(r, p, li->l3off) :
	    reass_build(dp, r, p, li->l3off)) != 0) {
		pf->c[PF_C_REASS_BAD]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (%sdatagram id %u "
			    "of %u bytes does not fit a frame)", dname,
			    port->name, fam, r->id, r->hlen + r->total);
		reass_kill(dp, r);
		return 1;
	}
	pf->c[PF_C_REASS_DONE]++;
	if (p->traced) {
		char largest[24] = "";

		if (r->af == 6)		/* what pf_refragment6() cuts by */
			snprintf(largest, sizeof(largest), ", the largest %u",
			    r->maxlen);
		dp_trace(dp, p, "pf", "%s on %s: %sdatagram id %u reassembled: "
		    "%u fragments, %u bytes%s", dname, port->name, fam, r->id,
		    r->nfr, r->hlen + r->total, largest);
	}
	reass_free(dp, r);
	return reass_reparse(dp, port, dir, p, li);
}

/*
 * An IPv4 fragment (MF or an offset) on a port pf filters, with `set
 * reassemble yes'.  Returns 1 when the caller is to drop p: held for its
 * datagram (its bytes copied) or refused, counted and traced either way;
 * 0 when p is now the whole datagram, with li read again.
 */
int
dp_pf_reass(struct dp *dp, const struct port *port, int dir, struct pkt *p,
    struct l3info *li)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	uint8_t *ip = p->data + li->l3off;
	uint32_t hl = (ip[0] & 0x0fu) * 4, iplen = li->iplen, len, off, end;
	uint16_t ipoff = ether_get16(ip + 6), id = ether_get16(ip + 4);
	struct pf_reass *r;
	int last = !(ipoff & IP_MF);

	off = (uint32_t)(ipoff & 0x1fff) * 8;
	len = iplen - hl;
	end = off + len;
	r = reass_find(pf, 4, ip + 12, ip + 16, id, ip[9], port->index, dir);
	if (r != NULL && r->used == REASS_DEAD) {
		pf->c[PF_C_REASS_DEAD]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (a fragment of "
			    "datagram id %u, dropped already)", dname,
			    port->name, id);
		return 1;
	}
	/*
	 * pf_normalize_ip(): no fragment with DF, unless `set reassemble
	 * yes no-df' clears it, which OpenBSD's pf does to fragments only
	 * (a whole packet keeps its DF; scrub (no-df) is the rule option
	 * for those).
	 */
	if ((ipoff & IP_DF) && !(pf->rs->reass & PF_REASS_NODF)) {
		pf->c[PF_C_REASS_DF]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (a fragment with "
			    "DF set, id %u)", dname, port->name, id);
		return 1;
	}
	if (ipoff & IP_DF) {
		pf->c[PF_C_REASS_NODF]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: set reassemble no-df: "
			    "DF of fragment id %u cleared", dname, port->name,
			    id);
	}
	/*
	 * Lengths: the frame must hold what the header says, a fragment
	 * carries bytes, all but the last a multiple of 8, and no datagram
	 * ends past 65535.  A GSO or partly checksummed frame is no real
	 * fragment: its payload is not what goes on the wire.
	 */
	if (p->len < li->l3off + iplen || len == 0 || (!last && (len & 7)) ||
	    hl + end > IP_MAXPACKET || reass_len_bad(r, p, end, last))
		return reass_drop_bad(dp, p, dname, port, id, len, off, last);
	if (r == NULL && (r = reass_new(dp, port, dir, p, 4, ip + 12, ip + 16,
	    id, ip[9])) == NULL)
		return 1;
	if (reass_place(dp, port, dir, p, r, off, len, last, ip + hl))
		return 1;
	if (off == 0) {
		r->hlen = (uint16_t)hl;
		memcpy(r->hdr, ip, hl);
	}
	return reass_complete(dp, port, dir, p, li, r, len, off, last);
}

/*
 * An IPv6 packet with a Fragment header (li->fh6) on a port pf filters,
 * with `set reassemble yes': pf_normalize_ip6() and pf_reassemble6().
 * The extension headers are walked again from the IPv6 header, as
 * pf_walk_header6() does, to learn the unfragmentable part.  An atomic
 * fragment (offset 0, M clear; RFC 6946) is no fragment of anything: it
 * goes on as it is.  Returns as dp_pf_reass().
 */
int
dp_pf_reass6(struct dp *dp, const struct port *port, int dir, struct pkt *p,
    struct l3info *li)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	uint8_t *ip = p->data + li->l3off, *fh, nh;
	uint32_t room = p->len - li->l3off, plen, hlen = 40, nhoff = 6, n;
	uint32_t off, len, end, id;
	struct pf_reass *r;
	int hdrs, last;

	plen = 40u + ether_get16(ip + 4);
	if (plen > room || plen < 48) {
		pf->c[PF_C_REASS6_SHORT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (IPv6 fragment: "
			    "payload length %u, frame %u bytes)", dname,
			    port->name, plen - 40, room);
		return 1;
	}
	nh = ip[6];
	for (hdrs = 0; nh != 44; hdrs++) {
		if (hdrs == PF_HDR_LIMIT || hlen + 8 > plen)
			goto badhdr;
		switch (nh) {
		case 0:		/* hop-by-hop: only first */
			if (hdrs != 0)
				goto badhdr;
			/* FALLTHROUGH */
		case 43:	/* routing */
		case 60:	/* destination options */
			n = 8u + ip[hlen + 1] * 8u;
			break;
		case 51:	/* AH */
			n = (ip[hlen + 1] + 2u) * 4u;
			break;
		default:
			goto badhdr;
		}
		nhoff = hlen;
		nh = ip[hlen];
		hlen += n;
	}
	if (hlen + 8 > plen || hlen > PF_REASS_HDR || li->l3off + hlen !=
	    li->fh6 || ip[hlen] == 44)
		goto badhdr;
	fh = ip + hlen;
	off = ether_get16(fh + 2) & 0xfff8u;
	last = !(fh[3] & 1);
	id = ip_get32(fh + 4);
	if (off == 0 && last) {
		pf->c[PF_C_REASS6_ATOMIC]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: atomic fragment (id "
			    "%u): filtered as a whole packet", dname,
			    port->name, id);
		return 0;
	}
	len = plen - hlen - 8;
	end = off + len;
	r = reass_find(pf, 6, ip + 8, ip + 24, id, 0, port->index, dir);
	if (r != NULL && r->used == REASS_DEAD) {
		pf->c[PF_C_REASS_DEAD]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (a fragment of "
			    "datagram id %u, dropped already)", dname,
			    port->name, id);
		return 1;
	}
	if (len == 0) {
		pf->c[PF_C_REASS6_SHORT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (IPv6 fragment "
			    "id %u: no byte after the fragment header)", dname,
			    port->name, id);
		return 1;
	}
	/* As for IPv4, and the payload length of the whole in 16 bits. */
	if ((!last && (len & 7)) || end > IP_MAXPACKET ||
	    hlen - 40 + end > IP_MAXPACKET || reass_len_bad(r, p, end, last))
		return reass_drop_bad(dp, p, dname, port, id, len, off, last);
	if (r != NULL && (r->hlen != hlen ||
	    memcmp(r->hdr + 40, ip + 40, hlen - 40) != 0)) {
		pf->c[PF_C_REASS6_UNFRAG]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (fragment of id "
			    "%u: its unfragmentable part, %u bytes, is unlike "
			    "the one of %u bytes held)", dname, port->name, id,
			    hlen, r->hlen);
		return 1;
	}
	if (r == NULL) {
		if ((r = reass_new(dp, port, dir, p, 6, ip + 8, ip + 24, id,
		    0)) == NULL)
			return 1;
		r->hlen = (uint16_t)hlen;
		r->nhoff = (uint16_t)nhoff;
		memcpy(r->hdr, ip, hlen);
	}
	if (reass_place(dp, port, dir, p, r, off, len, last, fh + 8))
		return 1;
	if (off == 0) {
		memcpy(r->hdr, ip, 40);
		r->nxt = fh[0];
	}
	if (len > r->maxlen)
		r->maxlen = (uint16_t)len;
	return reass_complete(dp, port, dir, p, li, r, len, off, last);
badhdr:
	pf->c[PF_C_REASS6_HDR]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (IPv6 fragment: bad "
		    "extension headers before or after its fragment header)",
		    dname, port->name);
	return 1;
}

/* Once a second: what `timeout frag' did not see completed goes. */
void
dp_pf_reass_tick(struct dp *dp)
{
	struct dp_pf *pf = &dp->pf;
	int i;

	if (pf->reass_count == 0)
		return;
	for (i = 0; i < PF_REASS_MAX; i++) {
		struct pf_reass *r = &pf->reass[i];

		if (r->used == REASS_FREE ||
		    (int32_t)(dp->now - r->expire) < 0)
			continue;
		if (r->used == REASS_LIVE)
			pf->c[PF_C_REASS_TIMEOUT]++;
		reass_free(dp, r);
	}
}

/* Before the pool goes: every buffer back. */
void
dp_pf_reass_flush(struct dp *dp)
{
	struct dp_pf *pf = &dp->pf;
	int i;

	if (pf->reass == NULL)
		return;
	for (i = 0; i < PF_REASS_MAX; i++)
		if (pf->reass[i].used != REASS_FREE)
			reass_free(dp, &pf->reass[i]);
}
