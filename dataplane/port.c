/*
 * What all port kinds share: counter names, closing, and the few kernel
 * calls on Linux interfaces (link up, hardware address, moving a tap into
 * the namespace that plays its VM).  Netlink is spoken directly for the
 * move rather than by running ip(8): sluiced must not depend on a shell.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/port.h"

#define PORT_C_NAME(e, n, d)	n,
#define PORT_C_HELP(e, n, d)	d,
const char *const port_counter_names[PORT_C__MAX] = {
	PORT_COUNTERS(PORT_C_NAME)
};
const char *const port_counter_help[PORT_C__MAX] = {
	PORT_COUNTERS(PORT_C_HELP)
};

void
port_close(struct port *p)
{
	if (p->ops != NULL && p->ops->close != NULL)
		p->ops->close(p);
	else if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->ops = NULL;
}

static int
port_ifreq(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int s, error = 0;

	if (strlen(ifname) >= IFNAMSIZ)
		return ENAMETOOLONG;
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(s, req, ifr) < 0)
		error = errno;
	close(s);
	return error;
}

int
port_link_up(const char *ifname, int up)
{
	struct ifreq ifr;
	int error;

	memset(&ifr, 0, sizeof(ifr));
	if ((error = port_ifreq(ifname, SIOCGIFFLAGS, &ifr)) != 0)
		return error;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return port_ifreq(ifname, SIOCSIFFLAGS, &ifr);
}

/* Give a host-side interface (a vport's) an IPv4 address and mask. */
int
port_set_inet(const char *ifname, uint32_t addr, uint8_t plen)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int error;

	memset(&ifr, 0, sizeof(ifr));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = addr;
	if ((error = port_ifreq(ifname, SIOCSIFADDR, &ifr)) != 0)
		return error;
	memset(&ifr, 0, sizeof(ifr));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = plen ? htonl(~0u << (32 - plen)) : 0;
	return port_ifreq(ifname, SIOCSIFNETMASK, &ifr);
}

int
port_get_lladdr(const char *ifname, uint8_t *mac)
{
	struct ifreq ifr;
	int error;

	memset(&ifr, 0, sizeof(ifr));
	if ((error = port_ifreq(ifname, SIOCGIFHWADDR, &ifr)) != 0)
		return error;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/*
 * Append an attribute to the request MSG (a struct starting with its
 * nlmsghdr, CAP bytes in all).  MSG is the whole request, not its
 * header: the attribute lies beyond the header, and gcc -O3 rightly
 * refuses a write past the member a pointer came from.
 */
static void
nl_attr(void *msg, size_t cap, int type, const void *data, size_t len)
{
	struct nlmsghdr *n = msg;
	struct rtattr *rta = (struct rtattr *)((char *)msg +
	    NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len) > cap)
		return;
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len);
}

/* Send one rtnetlink request; 0 or the errno its acknowledgement says. */
static int
nl_request(struct nlmsghdr *n)
{
	struct {
		struct nlmsghdr	 n;
		struct nlmsgerr	 e;
		char		 buf[256];
	} ack;
	int s, error = 0;

	if ((s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) <
	    0)
		return errno;
	if (send(s, n, n->nlmsg_len, 0) < 0 ||
	    recv(s, &ack, sizeof(ack), 0) < 0)
		error = errno;
	else if (ack.n.nlmsg_type == NLMSG_ERROR && ack.e.error != 0)
		error = -ack.e.error;
	close(s);
	return error;
}

/*
 * Add an IPv4 address to a Linux interface, beside those it has (what
 * SIOCSIFADDR cannot: it replaces the primary one), as a second "inet"
 * line of hostname.IF does on OpenBSD.
 */
int
port_add_inet(const char *ifname, uint32_t addr, uint8_t plen)
{
	struct {
		struct nlmsghdr	 n;
		struct ifaddrmsg ifa;
		char		 buf[64];
	} req;
	struct ifreq ifr;
	int error;

	memset(&ifr, 0, sizeof(ifr));
	if ((error = port_ifreq(ifname, SIOCGIFINDEX, &ifr)) != 0)
		return error;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifa));
	req.n.nlmsg_type = RTM_NEWADDR;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
	    NLM_F_EXCL;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = plen;
	req.ifa.ifa_index = (unsigned)ifr.ifr_ifindex;
	nl_attr(&req, sizeof(req), IFA_LOCAL, &addr, 4);
	nl_attr(&req, sizeof(req), IFA_ADDRESS, &addr, 4);
	return nl_request(&req.n);
}

/*
 * Give the kernel side of a tap its MAC (the guest's lladdr) and, with
 * NETNS, move it into that network namespace (a name from `ip netns add`)
 * under NEWNAME; the fd sluice holds keeps working across the move.  The
 * MAC first, in a request of its own: in one request the kernel moves
 * and renames the interface before it sets the address, so the guest
 * could see NEWNAME with the tap's first MAC for a moment (and a DHCP
 * client started then asks with it).
 */
int
port_tap_setup(struct port *p, const char *netns, const char *newname,
    const uint8_t *mac, char *err, size_t errlen)
{
	struct {
		struct nlmsghdr	 n;
		struct ifinfomsg ifi;
		char		 buf[256];
	} req;
	struct ifreq ifr;
	char path[128];
	int nsfd, error, ifindex, step;

	memset(&ifr, 0, sizeof(ifr));
	if ((error = port_ifreq(p->ifname, SIOCGIFINDEX, &ifr)) != 0) {
		snprintf(err, errlen, "%s: %s", p->ifname, strerror(error));
		return error;
	}
	ifindex = ifr.ifr_ifindex;
	nsfd = -1;
	if (netns != NULL) {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (netns != NULL && nsfd < 0) {
		error = errno;
		snprintf(err, errlen, "network namespace %s: %s (make it with "
		    "\"ip netns add %s\")", netns, strerror(error), netns);
		return error;
	}
	for (step = 0, error = 0; step < 2 && error == 0; step++) {
		if ((step == 0 && mac == NULL) || (step == 1 && netns == NULL))
			continue;
		memset(&req, 0, sizeof(req));
		req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
		req.n.nlmsg_type = RTM_NEWLINK;
		req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		req.ifi.ifi_family = AF_UNSPEC;
		req.ifi.ifi_index = ifindex;
		if (step == 0)
			nl_attr(&req, sizeof(req), IFLA_ADDRESS, mac, 6);
		else {
			nl_attr(&req, sizeof(req), IFLA_NET_NS_FD, &nsfd,
			    sizeof(nsfd));
			nl_attr(&req, sizeof(req), IFLA_IFNAME, newname,
			    strlen(newname) + 1);
		}
		error = nl_request(&req.n);
	}
	if (nsfd >= 0)
		close(nsfd);
	if (error)
		snprintf(err, errlen, "setting up tap %s%s%s: %s", p->ifname,
		    netns ? " in namespace " : "", netns ? netns : "",
		    strerror(error));
	else if (netns != NULL) {
		snprintf(p->netns, sizeof(p->netns), "%s", netns);
		snprintf(p->guest_ifname, sizeof(p->guest_ifname), "%s",
		    newname);
	}
	return error;
}

/* The interface group a port's kind puts it in ("tap", "vlan", ...), as
 * ifconfig prints it and as pf matches "on tap". */
const char *
port_group(const struct port *p)
{
	switch (p->kind) {
	case PORT_TAP:
		return "tap";
	case PORT_VPORT:
		return "vport";
	case PORT_VLAN:
		return "vlan";
	case PORT_VETHER:
		return "vether";
	default:
		return NULL;
	}
}
