/* See lpm.h. */
#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "fwd/lpm.h"

#define TBL24_SIZE	(1u << 24)

static uint32_t
lpm_entry(uint8_t depth, uint32_t nh)
{
	return LPM_VALID | (uint32_t)depth << 24 | nh;
}

static uint32_t
lpm_mask(uint8_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

int
lpm_init(struct lpm *l)
{
	memset(l, 0, sizeof(*l));
	l->tbl24 = mmap(NULL, TBL24_SIZE * sizeof(uint32_t),
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	    -1, 0);
	if (l->tbl24 == MAP_FAILED) {
		l->tbl24 = NULL;
		return ENOMEM;
	}
	return 0;
}

void
lpm_fini(struct lpm *l)
{
	if (l->tbl24 != NULL)
		munmap(l->tbl24, TBL24_SIZE * sizeof(uint32_t));
	free(l->tbl8);
	free(l->routes);
	free(l->idx);
	memset(l, 0, sizeof(*l));
}

static uint32_t
lpm_hash(const struct lpm *l, uint32_t prefix, uint8_t len)
{
	uint64_t k = (uint64_t)len << 32 | prefix;

	return (uint32_t)XXH3_64bits(&k, sizeof(k)) & l->idxmask;
}

/* The index slot holding (prefix, len), or the empty slot it would go in. */
static uint32_t
lpm_slot(const struct lpm *l, uint32_t prefix, uint8_t len)
{
	uint32_t i = lpm_hash(l, prefix, len);

	while (l->idx[i] != 0) {
		const struct lpm_route *r = &l->routes[l->idx[i] - 1];

		if (r->prefix == prefix && r->len == len)
			break;
		i = (i + 1) & l->idxmask;
	}
	return i;
}

/* Room for one more route in the list and in the index (kept <= 1/2). */
static int
lpm_grow(struct lpm *l)
{
	uint32_t n, i, slots;
	struct lpm_route *nr;

	if (l->nroutes < l->cap)
		return 0;
	n = l->cap ? l->cap * 2 : 64;
	if ((nr = realloc(l->routes, n * sizeof(*nr))) == NULL)
		return ENOMEM;
	l->routes = nr;
	l->cap = n;
	slots = 2 * n;
	free(l->idx);
	if ((l->idx = calloc(slots, sizeof(*l->idx))) == NULL)
		return ENOMEM;
	l->idxmask = slots - 1;
	for (i = 0; i < l->nroutes; i++)
		l->idx[lpm_slot(l, l->routes[i].prefix, l->routes[i].len)] =
		    i + 1;
	return 0;
}

const struct lpm_route *
lpm_find(const struct lpm *l, uint32_t prefix, uint8_t len)
{
	uint32_t s;

	if (l->idx == NULL)
		return NULL;
	prefix &= lpm_mask(len);
	s = lpm_slot(l, prefix, len);
	return l->idx[s] ? &l->routes[l->idx[s] - 1] : NULL;
}

/* Backward-shift deletion of index slot i (no tombstones). */
static void
lpm_unindex(struct lpm *l, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		const struct lpm_route *r;
		uint32_t home;

		j = (j + 1) & l->idxmask;
		if (l->idx[j] == 0)
			break;
		r = &l->routes[l->idx[j] - 1];
		home = lpm_hash(l, r->prefix, r->len);
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			l->idx[i] = l->idx[j];
			i = j;
		}
	}
	l->idx[i] = 0;
}

/* A new group for tbl24[i], holding what the entry held. */
static int
lpm_group(struct lpm *l, uint32_t i)
{
	uint32_t e = l->tbl24[i], g, k;

	if (e & LPM_GROUP)
		return 0;
	if (l->ngroups == l->maxgroups) {
		uint32_t n = l->maxgroups ? l->maxgroups * 2 : 64;
		uint32_t *t8 = realloc(l->tbl8, (size_t)n * 256 *
		    sizeof(uint32_t));

		if (t8 == NULL)
			return ENOMEM;
		l->tbl8 = t8;
		l->maxgroups = n;
	}
	g = l->ngroups++;
	for (k = 0; k < 256; k++)
		l->tbl8[g * 256 + k] = e;
	l->tbl24[i] = LPM_VALID | LPM_GROUP | g;
	return 0;
}

/* Set every entry of [from, from + n) in a group whose depth is at most
 * depth (add) or exactly depth (delete: replace). */
static void
lpm_fill(uint32_t *t, uint32_t n, uint8_t depth, uint32_t e, int del)
{
	uint32_t k;

	for (k = 0; k < n; k++) {
		uint32_t old = t[k];

		if (del ? ((old & LPM_VALID) && LPM_DEPTH(old) == depth) :
		    (!(old & LPM_VALID) || LPM_DEPTH(old) <= depth))
			t[k] = e;
	}
}

static void
lpm_write(struct lpm *l, uint32_t prefix, uint8_t len, uint32_t e, int del)
{
	uint32_t i, n;

	if (len <= 24) {
		uint32_t first = prefix >> 8;

		n = 1u << (24 - len);
		for (i = first; i < first + n; i++) {
			uint32_t old = l->tbl24[i];

			if (old & LPM_GROUP)
				lpm_fill(&l->tbl8[LPM_VALUE(old) * 256], 256,
				    len, e, del);
			else
				lpm_fill(&l->tbl24[i], 1, len, e, del);
		}
		return;
	}
	i = prefix >> 8;
	n = 1u << (32 - len);
	lpm_fill(&l->tbl8[LPM_VALUE(l->tbl24[i]) * 256 + (prefix & 0xff)], n,
	    len, e, del);
}

int
lpm_add(struct lpm *l, uint32_t prefix, uint8_t len, uint32_t nh)
{
	struct lpm_route *r;
	int error;

	if (len > 32 || nh == LPM_NH_NONE || nh > LPM_NH_MAX)
		return EINVAL;
	prefix &= lpm_mask(len);
	if ((r = (struct lpm_route *)lpm_find(l, prefix, len)) != NULL) {
		/* Replace: the old entries have this depth; rewrite them. */
		r->nh = nh;
		if (len == 0)
			l->default_nh = nh;
		else
			lpm_write(l, prefix, len, lpm_entry(len, nh), 1);
		return 0;
	}
	if ((error = lpm_grow(l)) != 0)
		return error;
	if (len > 24 && (error = lpm_group(l, prefix >> 8)) != 0)
		return error;
	r = &l->routes[l->nroutes++];
	r->prefix = prefix;
	r->len = len;
	r->nh = nh;
	l->idx[lpm_slot(l, prefix, len)] = l->nroutes;
	if (len == 0)
		l->default_nh = nh;
	else
		lpm_write(l, prefix, len, lpm_entry(len, nh), 0);
	return 0;
}

int
lpm_delete(struct lpm *l, uint32_t prefix, uint8_t len)
{
	const struct lpm_route *cover = NULL;
	uint32_t s, pos, last;
	int k;

	prefix &= lpm_mask(len);
	if (l->idx == NULL || l->idx[s = lpm_slot(l, prefix, len)] == 0)
		return ESRCH;
	pos = l->idx[s] - 1;
	lpm_unindex(l, s);
	last = --l->nroutes;
	if (pos != last) {
		/* The last route moves into the hole: re-point its slot. */
		l->routes[pos] = l->routes[last];
		l->idx[lpm_slot(l, l->routes[pos].prefix,
		    l->routes[pos].len)] = pos + 1;
	}
	if (len == 0) {
		l->default_nh = LPM_NH_NONE;
		return 0;
	}
	/* What the range falls back to: the longest shorter route over it. */
	for (k = len - 1; k > 0 && cover == NULL; k--)
		cover = lpm_find(l, prefix, (uint8_t)k);
	lpm_write(l, prefix, len, cover ? lpm_entry(cover->len, cover->nh) :
	    0, 1);
	return 0;
}
