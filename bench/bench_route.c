/*
 * sluice-bench route: lpm_lookup() (fwd/lpm.h, DIR-24-8) over tables of
 * 1k, 10k, 100k and 1M random routes.
 *
 * The prefixes follow the shape of a real IPv4 table (a BGP full table is
 * ~60 % /24, then /22-/23, /19-/21, a few short and a few /25-/32): /8 to
 * /32, mostly <= /24, unique.  The destinations are drawn inside random
 * routes of the table, so every lookup finds a route, possibly a more
 * specific one: uniformly random addresses would mostly fall in the
 * unwritten part of the 64 MiB first level, which maps to the kernel's
 * zero page and is unrealistically cache-friendly.  1M destinations are
 * looked up in order, again and again, in batches of 64 as the router
 * gets them.
 *
 * Loading goes through lpm_add() as the router's does (routes are indexed
 * by prefix and length, so a load is linear in the routes plus the table
 * entries they write); its time is reported as a note.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "fwd/lpm.h"

#define BENCH_LPM_NDST		(1U << 20)

struct bench_lpm {
	struct lpm	 lpm;
	uint32_t	*dst;		/* BENCH_LPM_NDST, host order */
	uint64_t	 sink;
};

/* Prefix lengths in per-mille of the table, from /8 to /32. */
static uint8_t
bench_route_len(uint64_t *seed)
{
	static const struct { uint16_t upto; uint8_t len; } dist[] = {
		{ 10, 0 },	/* /8../15, spread below */
		{ 30, 16 }, { 40, 17 }, { 60, 18 }, { 100, 19 }, { 150, 20 },
		{ 210, 21 }, { 310, 22 }, { 410, 23 }, { 980, 24 },
		{ 1000, 25 },	/* /25../32, spread below */
	};
	uint32_t r = bench_rand(seed) % 1000;
	size_t i;

	for (i = 0; i < sizeof(dist) / sizeof(dist[0]); i++)
		if (r < dist[i].upto)
			break;
	if (dist[i].len == 0)
		return (uint8_t)(8 + bench_rand(seed) % 8);
	if (dist[i].len == 25)
		return (uint8_t)(25 + bench_rand(seed) % 8);
	return dist[i].len;
}

/* A set of (prefix, len) pairs, open addressing: unique prefixes. */
static int
bench_route_seen(uint64_t *set, uint32_t mask, uint32_t prefix, uint8_t len)
{
	uint64_t key = (uint64_t)prefix << 8 | len | 1ULL << 40;
	uint32_t i = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & mask;

	for (;; i = (i + 1) & mask) {
		if (set[i] == key)
			return 1;
		if (set[i] == 0) {
			set[i] = key;
			return 0;
		}
	}
}

static void
bench_route_load(struct bench_lpm *bl, uint32_t n, double *load_ms)
{
	struct lpm_route *list;
	uint64_t seed = 0x707e5ULL * 2654435761ULL + n, *set;
	uint32_t mask = 1, i, nh;
	uint64_t t0;

	while (mask < 4 * n)
		mask <<= 1;
	set = calloc(mask, sizeof(*set));
	list = calloc(n, sizeof(*list));
	if (set == NULL || list == NULL || lpm_init(&bl->lpm) != 0)
		err(1, "route table");
	mask--;
	for (i = 0; i < n; i++) {
		uint8_t len;
		uint32_t prefix;

		do {
			len = bench_route_len(&seed);
			prefix = bench_rand(&seed) & (~0u << (32 - len));
		} while (bench_route_seen(set, mask, prefix, len));
		list[i].prefix = prefix;
		list[i].len = len;
		list[i].nh = 1 + i % 64;	/* 64 next hops */
	}
	free(set);
	t0 = bench_ns();
	for (i = 0; i < n; i++)
		if (lpm_add(&bl->lpm, list[i].prefix, list[i].len,
		    list[i].nh) != 0)
			errx(1, "lpm_add");
	free(list);
	*load_ms = (double)(bench_ns() - t0) / 1e6;
	/* Destinations: a random host inside a random route. */
	if ((bl->dst = malloc(BENCH_LPM_NDST * sizeof(*bl->dst))) == NULL)
		err(1, "destinations");
	for (i = 0; i < BENCH_LPM_NDST; i++) {
		const struct lpm_route *r = &bl->lpm.routes[bench_rand(&seed) %
		    n];
		uint32_t host = r->len == 32 ? 0 : bench_rand(&seed) &
		    (0xffffffffu >> r->len);

		bl->dst[i] = r->prefix | host;
	}
	/* Every destination must find a route: the table is right. */
	for (i = 0; i < BENCH_LPM_NDST; i += 4099)
		if ((nh = lpm_lookup(&bl->lpm, bl->dst[i])) == LPM_NH_NONE)
			errx(1, "route: %08x finds no route", bl->dst[i]);
}

static uint64_t
bench_route_run(void *arg, uint64_t want)
{
	struct bench_lpm *bl = arg;
	const struct lpm *l = &bl->lpm;
	uint64_t done = 0, sum = 0;
	uint32_t pos = 0;
	int i;

	while (done < want) {
		const uint32_t *d = bl->dst + pos;

		for (i = 0; i < 64; i++)
			sum += lpm_lookup(l, d[i]);
		pos = (pos + 64) & (BENCH_LPM_NDST - 1);
		done += 64;
	}
	bl->sink += sum;
	return done;
}

void
bench_case_route(struct bench *b)
{
	static const uint32_t sizes[] = { 1000, 10000, 100000, 1000000 };
	struct bench_result *r;
	struct bench_lpm bl;
	char v[64];
	double ms;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (b->o->quick && sizes[i] > 100000)
			break;
		memset(&bl, 0, sizeof(bl));
		bench_route_load(&bl, sizes[i], &ms);
		snprintf(v, sizeof(v), "lpm_lookup, %u routes", sizes[i]);
		r = bench_measure(b, "route", v, bench_route_run, &bl);
		bench_note(r, "%u tbl8 groups (%.1f MiB)", bl.lpm.ngroups,
		    bl.lpm.ngroups * 1024.0 / 1048576);
		bench_note(r, "lpm_add load %.0f ms", ms);
		lpm_fini(&bl.lpm);
		free(bl.dst);
	}
}
