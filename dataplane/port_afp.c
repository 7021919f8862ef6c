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
 * Receive ring (TPACKET_V2): a ring of fixed slots, each with its own
 * status word.  The kernel marks a slot ready and wakes a sleeping reader
 * frame by frame, so a lone ping crosses at once; a busy port is read
 * slot after slot without a system call.  (TPACKET_V3 hands over whole
 * blocks, which cost one wake-up per block but held a frame until its
 * block filled or a 1 ms timer retired it: 0.57 ms a round trip through
 * an idle bridge, 40x the kernel bridge's.)
 *
 * A frame longer than a slot (a GSO super-frame, a jumbo) comes as its
 * truncated head marked TP_STATUS_COPY, and the whole frame waits on the
 * socket's receive queue (PACKET_COPY_THRESH: the kernel queues the skb
 * itself, no copy): it is read with recvmsg() when its slot comes up, in
 * the same order.  That moves the copy of a 64 KiB frame out of the
 * sender's softirq, on the sender's CPU, into sluiced.
 */
#define AFP_FRAME_SIZE	2048
#define AFP_BLOCK_SIZE	(1u << 17)
#define AFP_BLOCKS	256
#define AFP_FRAMES	(AFP_BLOCK_SIZE / AFP_FRAME_SIZE * AFP_BLOCKS)
#define AFP_RCVBUF	(16 << 20)	/* the long frames' queue */

struct afp {
	uint8_t		*ring;		/* NULL: recvmmsg instead */
	size_t		 ringlen;
	uint32_t	 slot;		/* next slot to look at */
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

/*
 * The long frame whose head is in a TP_STATUS_COPY slot, from the
 * receive queue into pk: 0, or -1 when it was dropped (and counted).
 * Always read, even to drop it: the queue must stay in step with the
 * ring.
 */
static int
afp_rx_long(struct port *p, struct pkt *pk, struct virtio_net_hdr *vh)
{
	struct iovec iov[2] = {
		{ vh, sizeof(*vh) },
		{ pk->data, PKT_DATA_MAX - VNET_TAG_ROOM },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT);

	if (n < 0) {
		p->c[PORT_C_RX_ERROR]++;
		return -1;
	}
	if ((mh.msg_flags & MSG_TRUNC) || (size_t)n < sizeof(*vh)) {
		p->c[PORT_C_DROP_TRUNCATED]++;
		return -1;
	}
	pk->len = (uint32_t)n - sizeof(*vh);
	p->c[PORT_C_RX_LONG]++;
	return 0;
}

static int
afp_rx_ring(struct port *p, struct pkt **pkts, int max)
{
	struct afp *a = p->priv;
	int got = 0;

	while (got < max) {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)(a->ring +
		    (size_t)a->slot * AFP_FRAME_SIZE);
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		struct pkt *pk = pkts[got];
		uint8_t *frame = (uint8_t *)h + h->tp_mac;
		struct virtio_net_hdr vh;
		int ok = 1;

		if (!(st & TP_STATUS_USER))
			break;
		if (st & TP_STATUS_COPY)
			ok = afp_rx_long(p, pk, &vh) == 0;
		else if (h->tp_snaplen < h->tp_len ||
		    h->tp_snaplen > PKT_DATA_MAX - VNET_TAG_ROOM) {
			p->c[PORT_C_DROP_TRUNCATED]++;
			ok = 0;
		} else {
			memcpy(pk->data, frame, h->tp_snaplen);
			pk->len = h->tp_snaplen;
			memcpy(&vh, frame - sizeof(vh), sizeof(vh));
		}
		if (ok) {
			struct tpacket_auxdata aux;

			vnet_to_pkt(&vh, pk);
			aux.tp_status = st;
			aux.tp_vlan_tci = h->tp_vlan_tci;
			aux.tp_vlan_tpid = h->tp_vlan_tpid;
			afp_restore_tag(pk, &aux);
			got++;
		}
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL,
		    __ATOMIC_RELEASE);
		a->slot = (a->slot + 1) % AFP_FRAMES;
	}
	return got;
}

/* Set up the receive ring; on any failure sluice falls back to recvmmsg. */
static int
afp_ring(int fd, struct afp *a)
{
	struct tpacket_req req;
	int v = TPACKET_V2, one = 1, rcvbuf = AFP_RCVBUF;
	void *m;

	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_COPY_THRESH, &one,
	    sizeof(one)) < 0)
		return -1;
	/* Room for the long frames in flight; FORCE as root, else capped. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	memset(&req, 0, sizeof(req));
	req.tp_block_size = AFP_BLOCK_SIZE;
	req.tp_block_nr = AFP_BLOCKS;
	req.tp_frame_size = AFP_FRAME_SIZE;
	req.tp_frame_nr = AFP_FRAMES;
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
	    "AF_PACKET, TPACKET_V2 receive ring" : "AF_PACKET, recvmmsg";
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
