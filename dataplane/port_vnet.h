/*
 * virtio-net header <-> struct pkt_offload, shared by the tap and AF_PACKET
 * ports, and the scatter list that sends a queued frame with an optional
 * pushed tag without touching the (possibly shared) buffer.
 */
#ifndef DP_PORT_VNET_H
#define DP_PORT_VNET_H

#include <sys/uio.h>

#include <linux/virtio_net.h>

#include <string.h>

#include "dataplane/port.h"
#include "fwd/ether.h"

#define VNET_TAG_ROOM	VLAN_TAG_LEN	/* rx leaves room to put a tag back */

static inline void
vnet_to_pkt(const struct virtio_net_hdr *vh, struct pkt *pk)
{
	pk->off.flags = 0;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		pk->off.flags |= PKT_OFF_NEEDS_CSUM;
	if (vh->flags & VIRTIO_NET_HDR_F_DATA_VALID)
		pk->off.flags |= PKT_OFF_DATA_VALID;
	pk->off.gso_type = vh->gso_type;
	pk->off.gso_size = vh->gso_size;
	pk->off.hdr_len = vh->hdr_len;
	pk->off.csum_start = vh->csum_start;
	pk->off.csum_offset = vh->csum_offset;
}

/* Offsets in the header move with a tag pushed in front of them. */
static inline void
vnet_from_pkt(const struct pkt *pk, struct virtio_net_hdr *vh, int shift)
{
	memset(vh, 0, sizeof(*vh));
	if (pk->off.flags & PKT_OFF_NEEDS_CSUM) {
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = pk->off.csum_start + shift;
		vh->csum_offset = pk->off.csum_offset;
	}
	vh->gso_type = pk->off.gso_type;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		vh->gso_size = pk->off.gso_size;
		vh->hdr_len = pk->off.hdr_len + shift;
	}
}

static inline int
vnet_iov(const struct txent *q, struct virtio_net_hdr *vh, uint8_t *tag,
    struct iovec *iov)
{
	const struct pkt *pk = q->p;

	iov[0].iov_base = vh;
	iov[0].iov_len = sizeof(*vh);
	if (q->push_tci == 0) {
		vnet_from_pkt(pk, vh, 0);
		iov[1].iov_base = pk->data;
		iov[1].iov_len = pk->len;
		return 2;
	}
	vnet_from_pkt(pk, vh, VLAN_TAG_LEN);
	ether_put16(tag, ETHERTYPE_VLAN);
	ether_put16(tag + 2, q->push_tci);
	iov[1].iov_base = pk->data;
	iov[1].iov_len = 2 * ETHER_ADDR_LEN;
	iov[2].iov_base = tag;
	iov[2].iov_len = VLAN_TAG_LEN;
	iov[3].iov_base = pk->data + 2 * ETHER_ADDR_LEN;
	iov[3].iov_len = pk->len - 2 * ETHER_ADDR_LEN;
	return 4;
}

#endif /* DP_PORT_VNET_H */
