/*
 * pf's normalization of headers: `scrub (no-df min-ttl N random-id max-mss
 * N)' and `set tos', as pf_scrub() and pf_normalize_mss() apply them to a
 * packet that passes.  No reassembly here (see dp_pf.c).
 */
#ifndef FWD_SCRUB_H
#define FWD_SCRUB_H

#include <stddef.h>
#include <stdint.h>

/* what to do: pf.conf's options (the values of ACL_SCRUB_*) */
#define SCRUB_NODF	0x01
#define SCRUB_RANDOMID	0x02
#define SCRUB_SETTOS	0x08

/* what was done, for counters and the trace */
#define SCRUB_DID_DF	0x01	/* DF cleared */
#define SCRUB_DID_TTL	0x02	/* TTL / hop limit raised to min-ttl */
#define SCRUB_DID_TOS	0x04	/* TOS / traffic class set */
#define SCRUB_DID_ID	0x08	/* a new IP id */

unsigned scrub_ip4(uint8_t *ip, unsigned flags, uint8_t min_ttl,
	    uint8_t tos, uint16_t id);
unsigned scrub_ip6(uint8_t *ip6, unsigned flags, uint8_t min_hlim,
	    uint8_t tos);
uint16_t scrub_mss(uint8_t *tcp, size_t len, uint16_t max_mss,
	    int partial_csum);

/* A SYN's window scale option, for pf's window tracking. */
#define TCP_WSCALE_FLAG	0x80
uint8_t	 tcp_wscale(const uint8_t *tcp, size_t len);
uint16_t tcp_mss(const uint8_t *tcp, size_t len);
unsigned tcp_sack_unmod(uint8_t *tcp, size_t len, uint32_t diff,
	    int partial_csum);
int	 tcp_ts_find(const uint8_t *tcp, size_t len, size_t *at);
void	 tcp_put32(uint8_t *tcp, size_t at, uint32_t v, int partial_csum);

#endif /* FWD_SCRUB_H */
