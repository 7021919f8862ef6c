/*
 * IPv4 longest-prefix match, DIR-24-8 (Gupta, Lin, McKeown 1998; what
 * DPDK's rte_lpm does): the top 24 bits index a 2^24 table, and prefixes
 * longer than /24 hang off it in 256-entry groups.  A lookup is one memory
 * access, two for a /25../32 route, whatever the number of routes, which
 * is why it was chosen over a trie for the forwarding path.
 *
 * The 64 MiB first-level table is mmap'ed and only the ranges that routes
 * cover are ever written, so a small table costs little memory.  The
 * default route is kept apart for the same reason (it would touch all of
 * it).  The routes themselves are also kept in a plain list (the control
 * plane's truth), from which a deleted prefix's range is refilled with the
 * next shorter covering route.
 */
#ifndef FWD_LPM_H
#define FWD_LPM_H

#include <stdint.h>

#define LPM_NH_NONE	0		/* next hop ids start at 1 */
#define LPM_NH_MAX	((1u << 24) - 1)

struct lpm_route {
	uint32_t	 prefix;	/* host order, masked */
	uint8_t		 len;
	uint32_t	 nh;
};

struct lpm {
	uint32_t	*tbl24;		/* 1<<24 entries */
	uint32_t	*tbl8;		/* groups of 256 */
	uint32_t	 ngroups;
	uint32_t	 maxgroups;
	uint32_t	*freegroups;
	uint32_t	 nfreegroups;
	uint32_t	 default_nh;	/* LPM_NH_NONE: no default route */
	struct lpm_route *routes;
	uint32_t	 nroutes;
	uint32_t	 cap;
	uint32_t	*idx;		/* (prefix, len) -> route + 1, open addr. */
	uint32_t	 idxmask;
};

int	 lpm_init(struct lpm *);
void	 lpm_fini(struct lpm *);
int	 lpm_add(struct lpm *, uint32_t, uint8_t, uint32_t);
int	 lpm_delete(struct lpm *, uint32_t, uint8_t);
const struct lpm_route *lpm_find(const struct lpm *, uint32_t, uint8_t);

/* Entry: valid | group | depth(6) | value(24). */
#define LPM_VALID	0x80000000u
#define LPM_GROUP	0x40000000u
#define LPM_DEPTH(e)	(((e) >> 24) & 0x3f)
#define LPM_VALUE(e)	((e) & 0x00ffffffu)

/* Next hop id for a host-order address, or LPM_NH_NONE. */
static inline uint32_t
lpm_lookup(const struct lpm *l, uint32_t addr)
{
	uint32_t e = l->tbl24[addr >> 8];

	if (e & LPM_GROUP)
		e = l->tbl8[LPM_VALUE(e) * 256 + (addr & 0xff)];
	return (e & LPM_VALID) ? LPM_VALUE(e) : l->default_nh;
}

#endif /* FWD_LPM_H */
