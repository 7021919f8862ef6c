/* See lpm6.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "fwd/lpm6.h"
#include "fwd/nd6.h"

void
lpm6_init(struct lpm6 *l)
{
	memset(l, 0, sizeof(*l));
}

void
lpm6_fini(struct lpm6 *l)
{
	free(l->routes);
	free(l->idx);
	memset(l, 0, sizeof(*l));
}

static uint32_t
lpm6_hash(const struct lpm6 *l, const uint8_t *prefix, uint8_t len)
{
	return (uint32_t)XXH3_64bits_withSeed(prefix, 16, len) & l->idxmask;
}

/* The index slot holding (prefix, len), or the empty slot it would go in. */
static uint32_t
lpm6_slot(const struct lpm6 *l, const uint8_t *prefix, uint8_t len)
{
	uint32_t i = lpm6_hash(l, prefix, len);

	while (l->idx[i] != 0) {
		const struct lpm6_route *r = &l->routes[l->idx[i] - 1];

		if (r->len == len && memcmp(r->prefix, prefix, 16) == 0)
			break;
		i = (i + 1) & l->idxmask;
	}
	return i;
}

/* Index the list again (the control plane's rare path: add, delete). */
static void
lpm6_reindex(struct lpm6 *l)
{
	uint32_t i;
	int k, n = 0;

	memset(l->idx, 0, (l->idxmask + 1) * sizeof(*l->idx));
	for (i = 0; i < l->nroutes; i++)
		l->idx[lpm6_slot(l, l->routes[i].prefix, l->routes[i].len)] =
		    i + 1;
	for (k = 128; k > 0; k--)
		if (l->count[k] != 0)
			l->lens[n++] = (uint8_t)k;
	l->nlens = (uint8_t)n;
}

const struct lpm6_route *
lpm6_find(const struct lpm6 *l, const uint8_t *prefix, uint8_t len)
{
	uint8_t p[16];
	uint32_t s;

	if (l->idx == NULL || len > 128)
		return NULL;
	memcpy(p, prefix, 16);
	in6_mask(p, len);
	s = lpm6_slot(l, p, len);
	return l->idx[s] ? &l->routes[l->idx[s] - 1] : NULL;
}

int
lpm6_add(struct lpm6 *l, const uint8_t *prefix, uint8_t len, uint32_t nh)
{
	struct lpm6_route *r;

	if (len > 128 || nh == LPM6_NH_NONE)
		return EINVAL;
	if ((r = (struct lpm6_route *)lpm6_find(l, prefix, len)) != NULL) {
		r->nh = nh;
		if (len == 0)
			l->default_nh = nh;
		return 0;
	}
	if (l->nroutes == l->cap) {
		uint32_t n = l->cap ? l->cap * 2 : 32;
		struct lpm6_route *nr = realloc(l->routes, n * sizeof(*nr));
		uint32_t *ni;

		if (nr == NULL)
			return ENOMEM;
		l->routes = nr;
		/* The index stays at most half full. */
		if ((ni = calloc(2 * n, sizeof(*ni))) == NULL)
			return ENOMEM;
		free(l->idx);
		l->idx = ni;
		l->idxmask = 2 * n - 1;
		l->cap = n;
	}
	r = &l->routes[l->nroutes++];
	memcpy(r->prefix, prefix, 16);
	in6_mask(r->prefix, len);
	r->len = len;
	r->nh = nh;
	l->count[len]++;
	if (len == 0)
		l->default_nh = nh;
	lpm6_reindex(l);
	return 0;
}

int
lpm6_delete(struct lpm6 *l, const uint8_t *prefix, uint8_t len)
{
	const struct lpm6_route *r = lpm6_find(l, prefix, len);
	uint32_t pos;

	if (r == NULL)
		return ESRCH;
	pos = (uint32_t)(r - l->routes);
	l->routes[pos] = l->routes[--l->nroutes];
	l->count[len]--;
	if (len == 0)
		l->default_nh = LPM6_NH_NONE;
	lpm6_reindex(l);
	return 0;
}

/* Next hop id for addr, or LPM6_NH_NONE. */
uint32_t
lpm6_lookup(const struct lpm6 *l, const uint8_t *addr)
{
	uint8_t p[16];
	int k;

	for (k = 0; k < l->nlens; k++) {
		uint8_t len = l->lens[k];
		uint32_t i;

		memcpy(p, addr, 16);
		in6_mask(p, len);
		for (i = lpm6_hash(l, p, len); l->idx[i] != 0;
		    i = (i + 1) & l->idxmask) {
			const struct lpm6_route *r = &l->routes[l->idx[i] - 1];

			if (r->len == len && memcmp(r->prefix, p, 16) == 0)
				return r->nh;
		}
	}
	return l->default_nh;
}
