/* See lpm.h. */
#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	memset(l, 0, sizeof(*l));
}

const struct lpm_route *
lpm_find(const struct lpm *l, uint32_t prefix, uint8_t len)
{
	uint32_t i;

	prefix &= lpm_mask(len);
	for (i = 0; i < l->nroutes; i++)
		if (l->routes[i].prefix == prefix && l->routes[i].len == len)
			return &l->routes[i];
	return NULL;
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
	if (l->nroutes == l->cap) {
		uint32_t n = l->cap ? l->cap * 2 : 64;
		struct lpm_route *nr = realloc(l->routes, n * sizeof(*nr));

		if (nr == NULL)
			return ENOMEM;
		l->routes = nr;
		l->cap = n;
	}
	if (len > 24 && (error = lpm_group(l, prefix >> 8)) != 0)
		return error;
	r = &l->routes[l->nroutes++];
	r->prefix = prefix;
	r->len = len;
	r->nh = nh;
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
	struct lpm_route *r;
	uint32_t i;

	prefix &= lpm_mask(len);
	if ((r = (struct lpm_route *)lpm_find(l, prefix, len)) == NULL)
		return ESRCH;
	*r = l->routes[--l->nroutes];
	if (len == 0) {
		l->default_nh = LPM_NH_NONE;
		return 0;
	}
	/* What the range falls back to: the longest shorter route over it. */
	for (i = 0; i < l->nroutes; i++) {
		const struct lpm_route *c = &l->routes[i];

		if (c->len > 0 && c->len < len &&
		    (prefix & lpm_mask(c->len)) == c->prefix &&
		    (cover == NULL || c->len > cover->len))
			cover = c;
	}
	lpm_write(l, prefix, len, cover ? lpm_entry(cover->len, cover->nh) :
	    0, 1);
	return 0;
}
