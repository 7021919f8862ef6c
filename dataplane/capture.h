/*
 * sluicectl tcpdump: a copy of what a port receives and sends, streamed to
 * the client as a pcap file (which sluicectl hands to tcpdump -r -).  The
 * dataplane never waits for a slow reader: records go into a buffer that
 * is written without blocking once per loop; what does not fit is
 * counted as dropped, as a kernel capture does.
 */
#ifndef DP_CAPTURE_H
#define DP_CAPTURE_H

#include <stdint.h>

#define CAPTURE_MAX	4
#define CAPTURE_BUF	(1 << 20)

struct dp;
struct pkt;
struct port;

struct capture {
	int		 fd;		/* -1: free */
	uint16_t	 port;
	uint32_t	 left;		/* frames still wanted, 0: unlimited */
	uint64_t	 dropped;
	uint32_t	 len;
	uint8_t		*buf;
};

int	 capture_start(struct dp *, int, const char *, uint32_t, char *,
	    size_t);
void	 capture_frame(struct dp *, const struct port *, const struct pkt *,
	    uint16_t);
void	 capture_flush(struct dp *);
void	 capture_stop_all(struct dp *);

#endif /* DP_CAPTURE_H */
