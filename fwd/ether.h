/*
 * Ethernet and 802.1Q framing.  Inline helpers only: they sit on every
 * packet's path.  A frame is "tagged" when its outer ethertype is 0x8100
 * (or 0x88a8, a service tag passed through like any other tag).
 */
#ifndef FWD_ETHER_H
#define FWD_ETHER_H

#include <stdint.h>
#include <string.h>

#define ETHER_ADDR_LEN	6
#define ETHER_HDR_LEN	14
#define ETHER_MIN_LEN	14		/* what a bridge needs to read */
#define VLAN_TAG_LEN	4
#define ETHERTYPE_IP	0x0800
#define ETHERTYPE_ARP	0x0806
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_REVARP 0x8035
#define VLAN_VID_MASK	0x0fff

static inline uint16_t
ether_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
ether_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline int
ether_is_multicast(const uint8_t *mac)
{
	return mac[0] & 0x01;		/* broadcast included */
}

static inline int
ether_is_zero(const uint8_t *mac)
{
	return (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0;
}

static inline const uint8_t *
ether_dst(const uint8_t *frame)
{
	return frame;
}

static inline const uint8_t *
ether_src(const uint8_t *frame)
{
	return frame + ETHER_ADDR_LEN;
}

static inline int
ether_is_tagged(const uint8_t *frame, uint32_t len)
{
	uint16_t t;

	if (len < ETHER_HDR_LEN + VLAN_TAG_LEN)
		return 0;
	t = ether_get16(frame + 12);
	return t == ETHERTYPE_VLAN || t == ETHERTYPE_QINQ;
}

/* VID of the outer tag, or 0 for an untagged frame. */
static inline uint16_t
ether_vid(const uint8_t *frame, uint32_t len)
{
	if (!ether_is_tagged(frame, len))
		return 0;
	return ether_get16(frame + 14) & VLAN_VID_MASK;
}

/*
 * A priority (0-7, pf's prio) and the 802.1p PCP of a tag map one to the
 * other by this, both ways: 802.1p ranks 0 above 1 (background), so
 * OpenBSD's vlan(4) swaps those two.
 */
static inline uint8_t
ether_prio_pcp(uint8_t v)
{
	return v <= 1 ? (uint8_t)!v : v;
}

#define VLAN_PCP_SHIFT	13

/* Ethertype after any tags, and the offset of the payload (L3). */
static inline uint16_t
ether_type(const uint8_t *frame, uint32_t len, uint32_t *l3off)
{
	uint32_t off = 12;
	uint16_t t = ether_get16(frame + off);

	while ((t == ETHERTYPE_VLAN || t == ETHERTYPE_QINQ) &&
	    off + 4 + 2 <= len) {
		off += 4;
		t = ether_get16(frame + off);
	}
	if (l3off != NULL)
		*l3off = off + 2;
	return t;
}

/*
 * Insert a tag after the MAC addresses, moving the addresses down into the
 * headroom.  The caller guarantees VLAN_TAG_LEN bytes of headroom.
 */
static inline void
ether_tag_push(uint8_t **data, uint32_t *len, uint16_t tci)
{
	uint8_t *d = *data - VLAN_TAG_LEN;

	memmove(d, *data, 2 * ETHER_ADDR_LEN);
	ether_put16(d + 12, ETHERTYPE_VLAN);
	ether_put16(d + 14, tci);
	*data = d;
	*len += VLAN_TAG_LEN;
}

/* Remove the outer tag: the addresses move up over it. */
static inline void
ether_tag_pop(uint8_t **data, uint32_t *len)
{
	uint8_t *d = *data + VLAN_TAG_LEN;

	memmove(d, *data, 2 * ETHER_ADDR_LEN);
	*data = d;
	*len -= VLAN_TAG_LEN;
}

/*
 * An untagged IPv4, IPv6, ARP or RARP frame, Ethernet II or 802.3 with
 * LLC/SNAP: what a blocknonip member passes (bridge_blocknonip() of
 * if_bridge.c, which refuses tagged frames too).
 */
static inline int
ether_is_ip_like(const uint8_t *f, uint32_t len)
{
	uint16_t t;

	if (len < ETHER_HDR_LEN)
		return 0;
	t = ether_get16(f + 12);
	if (t > 1500) {
		/* Ethernet II */
	} else if (len >= ETHER_HDR_LEN + 8 && f[14] == 0xaa &&
	    f[15] == 0xaa && f[16] == 0x03 && f[17] == 0 && f[18] == 0 &&
	    f[19] == 0)
		t = ether_get16(f + 20);	/* LLC/SNAP, organisation 0 */
	else
		return 0;
	return t == ETHERTYPE_IP || t == ETHERTYPE_IPV6 ||
	    t == ETHERTYPE_ARP || t == ETHERTYPE_REVARP;
}

#endif /* FWD_ETHER_H */
