/* See dhcp.h. */
#include <string.h>

#include "fwd/csum.h"
#include "fwd/dhcp.h"
#include "fwd/ether.h"
#include "fwd/ip.h"

#define BOOTP_LEN	236		/* the fixed part, before the cookie */
#define DHCP_COOKIE	0x63825363

static uint8_t *
opt4(uint8_t *o, uint8_t code, uint32_t v)
{
	o[0] = code;
	o[1] = 4;
	ip_put32(o + 2, v);
	return o + 6;
}

/*
 * Either side's frame whose BOOTP message ends before o: padded to
 * BOOTP's 300 bytes (some relays drop less), the IPv4 and UDP headers
 * with their checksums.  The frame's length.
 */
static uint32_t
dhcp_finish(uint8_t *f, const uint8_t *o, uint32_t sip, uint32_t dip,
    uint16_t sport, uint16_t dport)
{
	uint8_t *ip = f + ETHER_HDR_LEN, *udp = ip + 20, *b = udp + 8;
	uint32_t blen, sum;

	blen = (uint32_t)(o - b) < 300 ? 300 : (uint32_t)(o - b);
	ip[0] = 0x45;
	ether_put16(ip + 2, (uint16_t)(20 + 8 + blen));
	ip[8] = 64;
	ip[9] = 17;
	ip_put32(ip + 12, sip);
	ip_put32(ip + 16, dip);
	csum_ip_header(ip, 20);
	ether_put16(udp, sport);
	ether_put16(udp + 2, dport);
	ether_put16(udp + 4, (uint16_t)(8 + blen));
	sum = csum_partial(ip + 12, 8, 0) + 17 + 8 + blen;
	sum = (uint16_t)~csum_fold(csum_partial(udp, 8 + blen, sum));
	ether_put16(udp + 6, sum != 0 ? (uint16_t)sum : 0xffff);
	return ETHER_HDR_LEN + 20 + 8 + blen;
}

/*
 * The Ethernet header and the BOOTP fields both ways share (OP, xid,
 * FLAGS, ciaddr, chaddr, the magic cookie, option 53) of message m in
 * the zeroed frame f, BOOTP at b.  Returns where the options go on.
 */
static uint8_t *
bootp_start(uint8_t *f, uint8_t *b, uint8_t op, const struct dhcp_msg *m,
    const uint8_t *dmac, const uint8_t *src, uint16_t flags)
{
	uint8_t *o = b + BOOTP_LEN + 4;

	memcpy(f, dmac, 6);
	memcpy(f + 6, src, 6);
	ether_put16(f + 12, ETHERTYPE_IP);
	b[0] = op;
	b[1] = 1;			/* Ethernet */
	b[2] = 6;
	ip_put32(b + 4, m->xid);
	ether_put16(b + 10, flags);
	ip_put32(b + 12, m->ciaddr);
	memcpy(b + 28, m->chaddr, 6);
	ip_put32(b + BOOTP_LEN, DHCP_COOKIE);
	*o++ = 53;
	*o++ = 1;
	*o++ = m->type;
	return o;
}

uint32_t
dhcp_build(uint8_t *f, const struct dhcp_msg *m, const uint8_t *src,
    uint32_t sip, const uint8_t *dmac, uint32_t dip)
{
	uint8_t *b = f + ETHER_HDR_LEN + 20 + 8, *o;

	memset(f, 0, DHCP_FRAME_MAX);
	/* No address to take a unicast answer on yet: ask for broadcast. */
	o = bootp_start(f, b, BOOTREQUEST, m, dmac, src, m->ciaddr == 0 ?
	    DHCP_FLAG_BROADCAST : 0);
	if (m->requested != 0)
		o = opt4(o, 50, m->requested);
	if (m->server != 0)
		o = opt4(o, 54, m->server);
	/* Parameter request list: mask, router, DNS, lease, T1, T2. */
	*o++ = 55;
	*o++ = 6;
	*o++ = 1;
	*o++ = 3;
	*o++ = 6;
	*o++ = 51;
	*o++ = 58;
	*o++ = 59;
	*o++ = 255;
	return dhcp_finish(f, o, sip, dip, DHCP_CLIENT_PORT, DHCP_SERVER_PORT);
}

/* An option of n addresses. */
static uint8_t *
optn(uint8_t *o, uint8_t code, const uint32_t *v, int n)
{
	int i;

	o[0] = code;
	o[1] = (uint8_t)(4 * n);
	for (i = 0; i < n; i++)
		ip_put32(o + 2 + 4 * i, v[i]);
	return o + 2 + 4 * n;
}

uint32_t
dhcp_build_reply(uint8_t *f, const struct dhcp_msg *m, const uint8_t *src,
    uint32_t sip, const uint8_t *dmac, uint32_t dip)
{
	uint8_t *b = f + ETHER_HDR_LEN + 20 + 8, *o;
	size_t n;

	memset(f, 0, DHCP_REPLY_MAX);
	o = bootp_start(f, b, BOOTREPLY, m, dmac, src, m->flags);
	ip_put32(b + 16, m->yiaddr);
	ip_put32(b + 20, m->siaddr);
	ip_put32(b + 24, m->giaddr);	/* the relay's, kept (RFC 2131 4.1) */
	memcpy(b + 44, m->sname, strnlen(m->sname, sizeof(m->sname) - 1));
	memcpy(b + 108, m->file, strnlen(m->file, sizeof(m->file) - 1));
	if (m->server != 0)
		o = opt4(o, 54, m->server);
	if (m->lease != 0)
		o = opt4(o, 51, m->lease);
	if (m->mask != 0)
		o = opt4(o, 1, m->mask);
	if (m->nrouters > 0)
		o = optn(o, 3, m->routers, m->nrouters);
	if (m->ndns > 0)
		o = optn(o, 6, m->dns, m->ndns);
	if (m->nntp > 0)
		o = optn(o, 42, m->ntp, m->nntp);
	if (m->bcast != 0)
		o = opt4(o, 28, m->bcast);
	if (m->mtu != 0) {
		*o++ = 26;
		*o++ = 2;
		ether_put16(o, m->mtu);
		o += 2;
	}
	/* sizeof(domain) keeps all of it within DHCP_REPLY_MAX */
	if ((n = strnlen(m->domain, sizeof(m->domain) - 1)) > 0) {
		*o++ = 15;
		*o++ = (uint8_t)n;
		memcpy(o, m->domain, n);
		o += n;
	}
	if (m->search_len > 0) {
		*o++ = 119;
		*o++ = m->search_len;
		memcpy(o, m->search, m->search_len);
		o += m->search_len;
	}
	if (m->rai_len > 0) {
		*o++ = 82;
		*o++ = m->rai_len;
		memcpy(o, m->rai, m->rai_len);
		o += m->rai_len;
	}
	*o++ = 255;
	/* a relay agent takes the reply on the server port */
	return dhcp_finish(f, o, sip, dip, DHCP_SERVER_PORT, m->giaddr != 0 ?
	    DHCP_SERVER_PORT : DHCP_CLIENT_PORT);
}

int
dhcp_parse(const uint8_t *b, uint32_t len, struct dhcp_msg *m)
{
	const uint8_t *o, *end = b + len;
	size_t n;
	int i;

	memset(m, 0, sizeof(*m));
	if (len < BOOTP_LEN + 4 || (b[0] != BOOTREQUEST &&
	    b[0] != BOOTREPLY) || b[1] != 1 || b[2] != 6 ||
	    ip_get32(b + BOOTP_LEN) != DHCP_COOKIE)
		return -1;
	m->op = b[0];
	m->xid = ip_get32(b + 4);
	m->flags = ether_get16(b + 10);
	m->ciaddr = ip_get32(b + 12);
	m->yiaddr = ip_get32(b + 16);
	m->giaddr = ip_get32(b + 24);
	memcpy(m->chaddr, b + 28, 6);
	for (o = b + BOOTP_LEN + 4; o < end && *o != 255;) {
		if (*o == 0) {		/* pad */
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + o[1] > end)
			return -1;
		switch (o[0]) {
		case 53:
			if (o[1] >= 1)
				m->type = o[2];
			break;
		case 12:
			n = o[1] < sizeof(m->hostname) ? o[1] :
			    sizeof(m->hostname) - 1;
			memcpy(m->hostname, o + 2, n);
			m->hostname[n] = '\0';
			break;
		case 1:
		case 3:
		case 50:
		case 51:
		case 54:
		case 58:
		case 59:
			if (o[1] < 4)
				return -1;
			if (o[0] == 1)
				m->mask = ip_get32(o + 2);
			else if (o[0] == 3)
				m->router = ip_get32(o + 2);
			else if (o[0] == 50)
				m->requested = ip_get32(o + 2);
			else if (o[0] == 51)
				m->lease = ip_get32(o + 2);
			else if (o[0] == 54)
				m->server = ip_get32(o + 2);
			else if (o[0] == 58)
				m->t1 = ip_get32(o + 2);
			else
				m->t2 = ip_get32(o + 2);
			break;
		case 6:
			for (i = 0; i + 4 <= o[1] && m->ndns < DHCP_MAX_DNS;
			    i += 4)
				m->dns[m->ndns++] = ip_get32(o + 2 + i);
			break;
		case 82:
			memcpy(m->rai, o + 2, o[1]);
			m->rai_len = o[1];
			break;
		case 119:
			memcpy(m->search, o + 2, o[1]);
			m->search_len = o[1];
			break;
		}
		o += 2 + o[1];
	}
	return m->type != 0 ? 0 : -1;
}
