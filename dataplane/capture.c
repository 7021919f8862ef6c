/* See capture.h. */
#include <sys/socket.h>

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

/* Register fd (the control connection) as a capture of port NAME. */
int
capture_start(struct dp *dp, int fd, const char *name, uint32_t count,
    char *err, size_t errlen)
{
	struct pcap_file_hdr h = { 0xa1b2c3d4, 2, 4, 0, 0, CAPTURE_SNAPLEN,
	    1 };
	struct port *p = dp_port(dp, name);
	struct capture *c = NULL;
	int i;

	if (p == NULL) {
		snprintf(err, errlen, "tcpdump: %s: no such interface", name);
		return -1;
	}
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
	c->port = p->index;
	c->left = count;
	c->dropped = 0;
	memcpy(c->buf, &h, sizeof(h));
	c->len = sizeof(h);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	dp->ncap++;
	return 0;
}

/* A frame seen on port P; push_tci: the tag it leaves with, 0: none. */
void
capture_frame(struct dp *dp, const struct port *p, const struct pkt *pk,
    uint16_t push_tci)
{
	struct pcap_rec_hdr r;
	struct timespec ts;
	uint32_t len = pk->len + (push_tci ? VLAN_TAG_LEN : 0), cap;
	int i;

	for (i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = &dp->cap[i];

		if (c->buf == NULL || c->port != p->index)
			continue;
		cap = len < CAPTURE_SNAPLEN ? len : CAPTURE_SNAPLEN;
		if (c->len + sizeof(r) + cap > CAPTURE_BUF) {
			c->dropped++;
			continue;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		r.sec = (uint32_t)ts.tv_sec;
		r.usec = (uint32_t)(ts.tv_nsec / 1000);
		r.caplen = cap;
		r.len = len;
		memcpy(c->buf + c->len, &r, sizeof(r));
		c->len += sizeof(r);
		if (push_tci) {
			memcpy(c->buf + c->len, pk->data, 12);
			ether_put16(c->buf + c->len + 12, ETHERTYPE_VLAN);
			ether_put16(c->buf + c->len + 14, push_tci);
			memcpy(c->buf + c->len + 16, pk->data + 12, cap - 16);
		} else
			memcpy(c->buf + c->len, pk->data, cap);
		c->len += cap;
		if (c->left > 0 && --c->left == 0)
			c->port = UINT16_MAX;	/* done: flush, then close */
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
