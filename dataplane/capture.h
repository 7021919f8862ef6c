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

/*
 * pflogN (N 0-9): what pf rules with `log' decide, each record a pfloghdr
 * (DLT_PFLOG, as OpenBSD's pflog(4) writes it) and the IP packet, so that
 * tcpdump -e prints "rule 2/(match) block in on em0: ...".
 */
#define CAPTURE_PFLOG_PORT	(UINT16_MAX - 1)

struct pflog_rec {
	uint8_t		 af;		/* AF_INET or AF_INET6 (Linux's) */
	uint8_t		 action;	/* 0 pass, 1 block (PF_PASS, PF_DROP) */
	uint8_t		 reason;	/* PFRES_*, 0: match */
	uint8_t		 dir;		/* 1 in, 2 out */
	uint8_t		 logif;		/* pflogN */
	const char	*ifname;
	const char	*ruleset;	/* the anchor's name, "" for main */
	uint32_t	 rulenr;	/* in main, or the anchor call's */
	int32_t		 subrulenr;	/* in the anchor, -1: none */
};

struct capture {
	int		 fd;		/* -1: free */
	uint16_t	 port;		/* or CAPTURE_PFLOG_PORT */
	uint8_t		 logif;		/* pflogN: N */
	uint32_t	 left;		/* frames still wanted, 0: unlimited */
	uint64_t	 dropped;
	uint32_t	 len;
	uint8_t		*buf;
};

int	 capture_start(struct dp *, int, const char *, uint32_t, char *,
	    size_t);
void	 capture_frame(struct dp *, const struct port *, const struct pkt *,
	    uint16_t);
void	 capture_pflog(struct dp *, const struct pkt *, uint32_t,
	    const struct pflog_rec *);
void	 capture_flush(struct dp *);
void	 capture_stop_all(struct dp *);

#endif /* DP_CAPTURE_H */
