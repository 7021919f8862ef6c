/* See capture.h. */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/capture.h"
#include "dataplane/dp.h"
#include "fwd/ether.h"

struct pcap_file_hdr {
	uint32_t	 magic;
	uint16_t	 major;
	uint16_t	 minor;
	int32_t		 zone;
	uint32_t	 sigfigs;
	uint32_t	 snaplen;
	uint32_t	 linktype;
};

struct pcap_rec_hdr {
	uint32_t	 sec;
	uint32_t	 usec;
	uint32_t	 caplen;
	uint32_t	 len;
};

#define CAPTURE_SNAPLEN	65535

static void
capture_close(struct capture *c)
{
	close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}

#define DLT_EN10MB	1
#define DLT_PFLOG	117

/*
 * struct pfloghdr of OpenBSD's if_pflog.h, 100 bytes, multi-byte fields
 * in network order; tcpdump knows it as DLT_PFLOG.
 */
struct pfloghdr {
	uint8_t		 length;
	uint8_t		 af;
	uint8_t		 action;
	uint8_t		 reason;
	char		 ifname[16];
	char		 ruleset[16];
	uint32_t	 rulenr;
	uint32_t	 subrulenr;
	uint32_t	 uid;
	int32_t		 pid;
	uint32_t	 rule_uid;
	int32_t		 rule_pid;
	uint8_t		 dir;
	uint8_t		 rewritten;
	uint8_t		 naf;
	uint8_t		 pad;
	uint8_t		 saddr[16];
	uint8_t		 daddr[16];
	uint16_t	 sport;
	uint16_t	 dport;
};

#define BSD_AF_INET	2		/* as OpenBSD numbers them */
#define BSD_AF_INET6	24

/* pflogN: N, or -1 if NAME is no pflog interface. */
static int
pflog_unit(const char *name)
{
	if (strncmp(name, "pflog", 5) != 0 || name[5] < '0' ||
	    name[5] > '9' || name[6] != '\0')
		return -1;
	return name[5] - '0';
}

/* Register fd (the control connection) as a capture of port NAME. */
int
capture_start(struct dp *dp, int fd, const char *name, uint32_t count,
    char *err, size_t errlen)
{
	struct pcap_file_hdr h = { 0xa1b2c3d4, 2, 4, 0, 0, CAPTURE_SNAPLEN,
	    DLT_EN10MB };
	struct port *p = dp_port(dp, name);
	struct capture *c = NULL;
	int i, unit = pflog_unit(name);

	if (p == NULL && unit < 0) {
		snprintf(err, errlen, "tcpdump: %s: no such interface", name);
		return -1;
	}
	if (unit >= 0)
		h.linktype = DLT_PFLOG;
	for (i = 0; i < CAPTURE_MAX; i++)
		if (dp->cap[i].buf == NULL) {
			c = &dp->cap[i];
			break;
		}
	if (c == NULL) {
		snprintf(err, errlen, "tcpdump: %d captures already running",
		    CAPTURE_MAX);
		return -1;
	}
	if ((c->buf = malloc(CAPTURE_BUF)) == NULL) {
		snprintf(err, errlen, "tcpdump: out of memory");
		return -1;
	}
	c->fd = fd;
	c->port = p != NULL ? p->index : CAPTURE_PFLOG_PORT;
	c->logif = unit >= 0 ? (uint8_t)unit : 0;
	c->left = count;
	c->dropped = 0;
	memcpy(c->buf, &h, sizeof(h));
	c->len = sizeof(h);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	dp->ncap++;
	return 0;
}

/* Append a record of LEN bytes from two pieces; 0 if it did not fit. */
static int
capture_put(struct capture *c, const void *a, uint32_t alen, const void *b,
    uint32_t blen, uint32_t len)
{
	struct pcap_rec_hdr r;
	struct timespec ts;

	if (c->len + sizeof(r) + alen + blen > CAPTURE_BUF) {
		c->dropped++;
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	r.sec = (uint32_t)ts.tv_sec;
	r.usec = (uint32_t)(ts.tv_nsec / 1000);
	r.caplen = alen + blen;
	r.len = len;
	memcpy(c->buf + c->len, &r, sizeof(r));
	memcpy(c->buf + c->len + sizeof(r), a, alen);
	if (blen > 0)
		memcpy(c->buf + c->len + sizeof(r) + alen, b, blen);
	c->len += (uint32_t)sizeof(r) + alen + blen;
	if (c->left > 0 && --c->left == 0)
		c->port = UINT16_MAX;	/* done: flush, then close */
	return 1;
}

/* A frame seen on port P; push_tci: the tag it leaves with, 0: none. */
void
capture_frame(struct dp *dp, const struct port *p, const struct pkt *pk,
    uint16_t push_tci)
{
	uint32_t len = pk->len + (push_tci ? VLAN_TAG_LEN : 0), cap;
	uint8_t head[16];
	int i;

	if (push_tci) {
		memcpy(head, pk->data, 12);
		ether_put16(head + 12, ETHERTYPE_VLAN);
		ether_put16(head + 14, push_tci);
	}
	for (i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &dp->cap[i];

		if (c->buf == NULL || c->port != p->index)
			continue;
		cap = len < CAPTURE_SNAPLEN ? len : CAPTURE_SNAPLEN;
		if (push_tci)
			capture_put(c, head, 16, pk->data + 12, cap - 16, len);
		else
			capture_put(c, pk->data, cap, NULL, 0, len);
	}
}

/*
 * pf logged the packet at pk->data + l3off (pflog_packet()): a record
 * for every pflogN capture of the rule's N.  Nothing is built when none
 * listens, as pflog(4) without a bpf listener costs nothing.
 */
void
capture_pflog(struct dp *dp, const struct pkt *pk, uint32_t l3off,
    const struct pflog_rec *pr)
{
	struct pfloghdr h;
	uint32_t len = pk->len - l3off, cap;
	int i, built = 0;

	for (i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &dp->cap[i];

		if (c->buf == NULL || c->port != CAPTURE_PFLOG_PORT ||
		    c->logif != pr->logif)
			continue;
		if (!built) {
			memset(&h, 0, sizeof(h));
			h.length = sizeof(h);
			h.af = pr->af == AF_INET6 ? BSD_AF_INET6 : BSD_AF_INET;
			h.action = pr->action;
			h.reason = pr->reason;
			snprintf(h.ifname, sizeof(h.ifname), "%s", pr->ifname);
			snprintf(h.ruleset, sizeof(h.ruleset), "%s",
			    pr->ruleset);
			h.rulenr = htonl(pr->rulenr);
			h.subrulenr = htonl((uint32_t)pr->subrulenr);
			h.uid = h.rule_uid = UINT32_MAX;	/* UID_MAX */
			h.pid = h.rule_pid = htonl(UINT32_MAX);	/* NO_PID */
			h.dir = pr->dir;
			built = 1;
		}
		cap = len < CAPTURE_SNAPLEN - sizeof(h) ? len :
		    CAPTURE_SNAPLEN - (uint32_t)sizeof(h);
		capture_put(c, &h, sizeof(h), pk->data + l3off, cap,
		    (uint32_t)sizeof(h) + len);
	}
}

/* Once per loop: write what is buffered; close finished or gone ones. */
void
capture_flush(struct dp *dp)
{
	ssize_t n;
	int i;

	for (i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &dp->cap[i];

		if (c->buf == NULL)
			continue;
		if (c->len > 0) {
			n = send(c->fd, c->buf, c->len, MSG_NOSIGNAL |
			    MSG_DONTWAIT);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				capture_close(c);
				dp->ncap--;
				continue;
			}
			if (n > 0) {
				memmove(c->buf, c->buf + n, c->len - (size_t)n);
				c->len -= (uint32_t)n;
			}
		}
		if (c->port == UINT16_MAX && c->len == 0) {
			capture_close(c);
			dp->ncap--;
		}
	}
}

void
capture_stop_all(struct dp *dp)
{
	int i;

	for (i = 0; i < CAPTURE_MAX; i++)
		if (dp->cap[i].buf != NULL)
			capture_close(&dp->cap[i]);
	dp->ncap = 0;
}
