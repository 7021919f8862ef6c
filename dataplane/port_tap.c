/*
 * Tap ports.  sluiced creates the tap and holds its fd; the kernel side is
 * the guest's NIC (moved into a namespace with -g) or, for a vport, a host
 * interface.  The tap is opened with a virtio-net header and checksum and
 * TSO offloads on, so the kernel hands frames over unsegmented and with
 * partial checksums, and takes them back the same way: a TCP stream through
 * sluice then costs what it costs through a kernel bridge.
 */
#include <sys/ioctl.h>
#include <sys/uio.h>

#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/port.h"
#include "dataplane/port_vnet.h"

static int
tap_rx(struct port *p, struct pkt **pkts, int max)
{
	struct virtio_net_hdr vh;
	struct iovec iov[2];
	ssize_t n;
	int i;

	for (i = 0; i < max; i++) {
		struct pkt *pk = pkts[i];

		iov[0].iov_base = &vh;
		iov[0].iov_len = sizeof(vh);
		iov[1].iov_base = pk->data;
		iov[1].iov_len = PKT_DATA_MAX - VNET_TAG_ROOM;
		if ((n = readv(p->fd, iov, 2)) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				p->c[PORT_C_RX_ERROR]++;
			break;
		}
		if (n < (ssize_t)sizeof(vh)) {
			p->c[PORT_C_DROP_RUNT]++;
			i--;
			continue;
		}
		pk->len = (uint32_t)(n - sizeof(vh));
		vnet_to_pkt(&vh, pk);
	}
	return i;
}

static int
tap_tx(struct port *p, struct txent *q, int n)
{
	struct virtio_net_hdr vh;
	struct iovec iov[4];
	uint8_t tag[4];
	int i, niov;

	for (i = 0; i < n; i++) {
		niov = vnet_iov(&q[i], &vh, tag, iov);
		if (writev(p->fd, iov, niov) < 0) {
			if (errno == EAGAIN)
				p->c[PORT_C_TX_BUSY] += n - i;
			else if (errno == EIO)
				p->c[PORT_C_TX_DOWN] += n - i;
			else
				p->c[PORT_C_TX_ERROR] += n - i;
			break;
		}
		p->c[PORT_C_TX_PACKETS]++;
		p->c[PORT_C_TX_BYTES] += q[i].p->len + (q[i].push_tci ? 4 : 0);
	}
	return i;
}

static const struct port_ops tap_ops = {
	.kind = "tap",
	.rx = tap_rx,
	.tx = tap_tx,
	.close = NULL,		/* closing the fd removes the tap */
};

int
port_tap_open(struct port *p, int vport, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hdrsz = sizeof(struct virtio_net_hdr), error;
	unsigned int off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		error = errno;
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(error));
		return error;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		error = errno;
		snprintf(err, errlen, "creating tap %s: %s%s", p->ifname,
		    strerror(error), error == EBUSY ?
		    " (an interface of that name exists; see sluiced -t)" : "");
		close(fd);
		return error;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, off) < 0) {
		error = errno;
		snprintf(err, errlen, "%s: offload setup: %s", p->ifname,
		    strerror(error));
		close(fd);
		return error;
	}
	p->kind = vport ? PORT_VPORT : PORT_TAP;
	p->fd = fd;
	p->ops = &tap_ops;
	p->offload = 1;
	return 0;
}
