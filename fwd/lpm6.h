/*
 * IPv6 longest-prefix match: one hash index of (prefix, length) and the
 * list of the lengths in use, longest first; a lookup masks the address
 * to each length in turn and probes (Waldvogel et al.'s "binary search on
 * prefix lengths" without the binary search and its markers).  A router
 * with static configuration has a handful of lengths (/64 connected, a
 * /48 or two static, the default), so a lookup is a few probes of one
 * small table; a DIR-24-8 over 128 bits would not fit memory, and a trie
 * would cost a dependent load per level.  The default route is kept apart,
 * as fwd/lpm.c does.
 */
#ifndef FWD_LPM6_H
#define FWD_LPM6_H

#include <stdint.h>

#define LPM6_NH_NONE	0		/* next hop ids start at 1 */

struct lpm6_route {
	uint8_t		 prefix[16];	/* masked */
	uint8_t		 len;
	uint32_t	 nh;
};

struct lpm6 {
	struct lpm6_route *routes;
	uint32_t	 nroutes;
	uint32_t	 cap;
	uint32_t	*idx;		/* route + 1, open addressing */
	uint32_t	 idxmask;
	uint32_t	 default_nh;
	uint32_t	 count[129];	/* routes per length */
	uint8_t		 lens[129];	/* lengths in use (not 0), longest first */
	uint8_t		 nlens;
};

void	 lpm6_init(struct lpm6 *);
void	 lpm6_fini(struct lpm6 *);
int	 lpm6_add(struct lpm6 *, const uint8_t *, uint8_t, uint32_t);
int	 lpm6_delete(struct lpm6 *, const uint8_t *, uint8_t);
const struct lpm6_route *lpm6_find(const struct lpm6 *, const uint8_t *,
	    uint8_t);
uint32_t lpm6_lookup(const struct lpm6 *, const uint8_t *);

#endif /* FWD_LPM6_H */
