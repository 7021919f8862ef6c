/*
 * Interface ports: a Linux interface through an AF_PACKET socket, in
 * promiscuous mode, read and written in bursts with recvmmsg/sendmmsg.
 *
 * Two kernel habits are undone here.  The kernel strips a received 802.1Q
 * tag into metadata before packet sockets see the frame (auxdata
 * tp_vlan_tci): it is pushed back, so a trunk's tags survive the bridge.
 * And frames come with CHECKSUM_PARTIAL and GSO when the peer offloads:
 * PACKET_VNET_HDR describes them, and the same header hands them back to
 * the kernel on transmit, which finishes the job.  Our own transmissions
 * are not looped back to us (PACKET_IGNORE_OUTGOING).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/port.h"
#include "dataplane/port_vnet.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING	23
#endif

/*
 * Receive ring (TPACKET_V3): the kernel fills blocks of frames and hands
 * a block over whole, so a busy port costs one poll per block instead of
 * a system call per burst.  Frames are copied out into pool buffers (the
 * pipeline may hold them past the block's release).  Sizes: a block holds
 * at least one GSO super-frame; a block is retired after 1 ms even when
 * not full, which bounds the latency a ring adds at low rates.
 */
#define AFP_BLOCK_SIZE	(1u << 18)
#define AFP_BLOCKS	128
#define AFP_FRAME_SIZE	2048
#define AFP_RETIRE_MS	1
/*
 * Frames this long are not copied: the packet points into the ring and
 * its block goes back to the kernel when the last such packet is freed
 * (a 64 KiB GSO frame costs one copy, on transmit, instead of two).
 * Short frames are copied, so blocks are handed back at once.
 */
#define AFP_ZC_MIN	2048

struct afp {
	uint8_t		*ring;		/* NULL: recvmmsg instead */
	size_t		 ringlen;
	uint32_t	 blk;		/* current block */
	uint32_t	 left;		/* frames left in it */
	struct tpacket3_hdr *next;	/* next frame in it */
	uint32_t	 held[AFP_BLOCKS];	/* packets lent from a block */
	uint8_t		 walked[AFP_BLOCKS];	/* read, waiting for them */
	struct mmsghdr	 msgs[BATCH_MAX];
	struct iovec	 iov[BATCH_MAX][4];
	struct virtio_net_hdr vh[BATCH_MAX];
	uint8_t		 tags[BATCH_MAX][4];
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	}		 cmsg[BATCH_MAX];
};

static void
afp_restore_tag(struct pkt *pk, const struct tpacket_auxdata *aux)
{
	uint16_t tpid = ETHERTYPE_VLAN;

	if (!(aux->tp_status & TP_STATUS_VLAN_VALID))
		return;
	if (aux->tp_status & TP_STATUS_VLAN_TPID_VALID)
		tpid = aux->tp_vlan_tpid;
	ether_tag_push(&pk->data, &pk->len, aux->tp_vlan_tci);
	ether_put16(pk->data + 12, tpid);
	if (pk->off.flags & PKT_OFF_NEEDS_CSUM)
		pk->off.csum_start += VLAN_TAG_LEN;
	if (pk->off.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		pk->off.hdr_len += VLAN_TAG_LEN;
}

static struct tpacket_block_desc *
afp_block(struct afp *a, uint32_t i)
{
	return (struct tpacket_block_desc *)(a->ring +
	    (size_t)i * AFP_BLOCK_SIZE);
}

static void
afp_block_release(struct afp *a, uint32_t i)
{
	__atomic_store_n(&afp_block(a, i)->hdr.bh1.block_status,
	    TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

/* The last reference to a lent frame went: maybe its block can go. */
static void
afp_unref(struct pkt *pk)
{
	struct afp *a = pk->lender;

	if (--a->held[pk->lent] == 0 && a->walked[pk->lent]) {
		a->walked[pk->lent] = 0;
		afp_block_release(a, pk->lent);
	}
}

static int
afp_rx_ring(struct port *p, struct pkt **pkts, int max)
{
	struct afp *a = p->priv;
	int got = 0;

	while (got < max) {
		struct tpacket_block_desc *b = afp_block(a, a->blk);
		struct tpacket3_hdr *h;
		struct pkt *pk = pkts[got];

		if (a->left == 0) {
			/* Still lent out since the last lap: not new. */
			if (a->walked[a->blk] || !(__atomic_load_n(
			    &b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
			    TP_STATUS_USER))
				break;
			a->left = b->hdr.bh1.num_pkts;
			a->next = (struct tpacket3_hdr *)((uint8_t *)b +
			    b->hdr.bh1.offset_to_first_pkt);
			if (a->left == 0)
				goto release;
		}
		h = a->next;
		if (h->tp_snaplen < h->tp_len)
			p->c[PORT_C_DROP_TRUNCATED]++;
		else if (h->tp_snaplen > PKT_DATA_MAX - VNET_TAG_ROOM)
			p->c[PORT_C_DROP_TRUNCATED]++;
		else {
			uint8_t *frame = (uint8_t *)h + h->tp_mac;
			struct tpacket_auxdata aux;

			if (h->tp_snaplen >= AFP_ZC_MIN) {
				pk->data = frame;
				pk->unref = afp_unref;
				pk->lender = a;
				pk->lent = a->blk;
				a->held[a->blk]++;
			} else
				memcpy(pk->data, frame, h->tp_snaplen);
			pk->len = h->tp_snaplen;
			vnet_to_pkt((const struct virtio_net_hdr *)(frame -
			    sizeof(struct virtio_net_hdr)), pk);
			aux.tp_status = h->tp_status;
			aux.tp_vlan_tci = h->hv1.tp_vlan_tci;
			aux.tp_vlan_tpid = h->hv1.tp_vlan_tpid;
			afp_restore_tag(pk, &aux);
			got++;
		}
		a->next = (struct tpacket3_hdr *)((uint8_t *)h +
		    h->tp_next_offset);
		if (--a->left > 0)
			continue;
release:
		if (a->held[a->blk] > 0)
			a->walked[a->blk] = 1;	/* the last unref releases */
		else
			afp_block_release(a, a->blk);
		a->blk = (a->blk + 1) % AFP_BLOCKS;
	}
	return got;
}

/* Set up the receive ring; on any failure sluice falls back to recvmmsg. */
static int
afp_ring(int fd, struct afp *a)
{
	struct tpacket_req3 req;
	int v = TPACKET_V3;
	void *m;

	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = AFP_BLOCK_SIZE;
	req.tp_block_nr = AFP_BLOCKS;
	req.tp_frame_size = AFP_FRAME_SIZE;
	req.tp_frame_nr = AFP_BLOCK_SIZE / AFP_FRAME_SIZE * AFP_BLOCKS;
	req.tp_retire_blk_tov = AFP_RETIRE_MS;
	if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return -1;
	m = mmap(NULL, (size_t)AFP_BLOCK_SIZE * AFP_BLOCKS, PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd, 0);
	if (m == MAP_FAILED)
		m = mmap(NULL, (size_t)AFP_BLOCK_SIZE * AFP_BLOCKS, PROT_READ |
		    PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	a->ring = m;
	a->ringlen = (size_t)AFP_BLOCK_SIZE * AFP_BLOCKS;
	return 0;
}

static int
afp_rx(struct port *p, struct pkt **pkts, int max)
{
	struct afp *a = p->priv;
	int i, n, got = 0;

	if (a->ring != NULL)
		return afp_rx_ring(p, pkts, max);
	for (i = 0; i < max; i++) {
		struct msghdr *mh = &a->msgs[i].msg_hdr;

		a->iov[i][0].iov_base = &a->vh[i];
		a->iov[i][0].iov_len = sizeof(a->vh[i]);
		a->iov[i][1].iov_base = pkts[i]->data;
		a->iov[i][1].iov_len = PKT_DATA_MAX - VNET_TAG_ROOM;
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = a->iov[i];
		mh->msg_iovlen = 2;
		mh->msg_control = a->cmsg[i].buf;
		mh->msg_controllen = sizeof(a->cmsg[i].buf);
	}
	if ((n = recvmmsg(p->fd, a->msgs, max, MSG_DONTWAIT, NULL)) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			p->c[PORT_C_RX_ERROR]++;
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct msghdr *mh = &a->msgs[i].msg_hdr;
		struct pkt *pk = pkts[got];
		struct cmsghdr *cm;
		uint32_t len = a->msgs[i].msg_len;

		if (mh->msg_flags & MSG_TRUNC) {
			p->c[PORT_C_DROP_TRUNCATED]++;
			continue;
		}
		if (len < sizeof(struct virtio_net_hdr)) {
			p->c[PORT_C_DROP_RUNT]++;
			continue;
		}
		/* The buffers were handed out in order; compact on drops. */
		if (pk->data != a->iov[i][1].iov_base)
			memcpy(pk->data, a->iov[i][1].iov_base,
			    len - sizeof(struct virtio_net_hdr));
		pk->len = len - sizeof(struct virtio_net_hdr);
		vnet_to_pkt(&a->vh[i], pk);
		for (cm = CMSG_FIRSTHDR(mh); cm != NULL;
		    cm = CMSG_NXTHDR(mh, cm))
			if (cm->cmsg_level == SOL_PACKET &&
			    cm->cmsg_type == PACKET_AUXDATA)
				afp_restore_tag(pk,
				    (struct tpacket_auxdata *)CMSG_DATA(cm));
		got++;
	}
	return got;
}

static int
afp_tx(struct port *p, struct txent *q, int n)
{
	struct afp *a = p->priv;
	int i, sent = 0, r;

	if (n > BATCH_MAX)
		n = BATCH_MAX;
	for (i = 0; i < n; i++) {
		struct msghdr *mh = &a->msgs[i].msg_hdr;

		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = a->iov[i];
		mh->msg_iovlen = vnet_iov(&q[i], &a->vh[i], a->tags[i],
		    a->iov[i]);
	}
	while (sent < n) {
		r = sendmmsg(p->fd, a->msgs + sent, n - sent, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EAGAIN || errno == ENOBUFS)
				p->c[PORT_C_TX_BUSY] += n - sent;
			else if (errno == ENETDOWN)
				p->c[PORT_C_TX_DOWN] += n - sent;
			else {
				/* Skip the one frame the kernel refused. */
				p->c[PORT_C_TX_ERROR]++;
				sent++;
				continue;
			}
			break;
		}
		for (i = sent; i < sent + r; i++) {
			p->c[PORT_C_TX_PACKETS]++;
			p->c[PORT_C_TX_BYTES] += q[i].p->len +
			    (q[i].push_tci ? VLAN_TAG_LEN : 0);
		}
		sent += r;
	}
	return sent;
}

static void
afp_close(struct port *p)
{
	struct afp *a = p->priv;

	if (a->ring != NULL)
		munmap(a->ring, a->ringlen);
	close(p->fd);
	free(p->priv);
	p->priv = NULL;
}

static const struct port_ops afp_ops = {
	.kind = "interface",
	.rx = afp_rx,
	.tx = afp_tx,
	.close = afp_close,
};

int
port_afp_open(struct port *p, char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	struct ifreq ifr;
	int fd, one = 1, error;

	if ((fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(ETH_P_ALL))) < 0) {
		error = errno;
		snprintf(err, errlen, "%s: packet socket: %s", p->ifname,
		    strerror(error));
		return error;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		error = errno;
		snprintf(err, errlen, "%s: no such Linux interface (for %s)",
		    p->ifname, p->name);
		goto fail;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
	    sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
	    sizeof(one)) < 0) {
		error = errno;
		snprintf(err, errlen, "%s: packet socket options: %s",
		    p->ifname, strerror(error));
		goto fail;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		error = errno;
		snprintf(err, errlen, "%s: bind: %s", p->ifname,
		    strerror(error));
		goto fail;
	}
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifr.ifr_ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) < 0) {
		error = errno;
		snprintf(err, errlen, "%s: promiscuous mode: %s", p->ifname,
		    strerror(error));
		goto fail;
	}
	if ((error = port_link_up(p->ifname, 1)) != 0) {
		snprintf(err, errlen, "%s: link up: %s", p->ifname,
		    strerror(error));
		goto fail;
	}
	if ((p->priv = calloc(1, sizeof(struct afp))) == NULL) {
		error = ENOMEM;
		snprintf(err, errlen, "%s: out of memory", p->ifname);
		goto fail;
	}
	if (getenv("SLUICE_NO_RING") == NULL && afp_ring(fd, p->priv) != 0) {
		/* Older kernels: bursts of recvmmsg work everywhere. */
		struct afp *a = p->priv;

		a->ring = NULL;
	}
	p->io = ((struct afp *)p->priv)->ring != NULL ?
	    "AF_PACKET, TPACKET_V3 receive ring" : "AF_PACKET, recvmmsg";
	p->kind = PORT_IF;
	p->fd = fd;
	p->ops = &afp_ops;
	p->offload = 1;
	if (!p->has_lladdr && port_get_lladdr(p->ifname, p->lladdr) == 0)
		p->has_lladdr = 1;
	return 0;
fail:
	close(fd);
	return error;
}
