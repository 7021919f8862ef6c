/* LPM: corner cases, then random routes against a naive reference. */
#include <errno.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "fwd/lpm.h"

static struct lpm l;

static void
setup(void)
{
	cr_assert_eq(lpm_init(&l), 0);
}

static void
teardown(void)
{
	lpm_fini(&l);
}

TestSuite(lpm, .init = setup, .fini = teardown);

#define IP(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

Test(lpm, longest_wins_and_default)
{
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 20)), LPM_NH_NONE);
	lpm_add(&l, 0, 0, 9);
	lpm_add(&l, IP(10, 0, 0, 0), 8, 1);
	lpm_add(&l, IP(10, 50, 0, 0), 24, 2);
	lpm_add(&l, IP(10, 50, 0, 16), 28, 3);
	lpm_add(&l, IP(10, 50, 0, 20), 32, 4);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 20)), 4);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 21)), 3);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 1)), 2);
	cr_expect_eq(lpm_lookup(&l, IP(10, 51, 0, 1)), 1);
	cr_expect_eq(lpm_lookup(&l, IP(198, 51, 100, 1)), 9);
	/* A shorter route added later must not hide longer ones. */
	lpm_add(&l, IP(10, 50, 0, 0), 16, 5);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 20)), 4);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 1, 1)), 5);
}

Test(lpm, delete_falls_back_to_cover)
{
	lpm_add(&l, IP(10, 0, 0, 0), 8, 1);
	lpm_add(&l, IP(10, 50, 0, 0), 24, 2);
	lpm_add(&l, IP(10, 50, 0, 128), 25, 3);
	cr_expect_eq(lpm_delete(&l, IP(10, 50, 0, 0), 24), 0);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 1)), 1);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 200)), 3);
	cr_expect_eq(lpm_delete(&l, IP(10, 50, 0, 128), 25), 0);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 200)), 1);
	cr_expect_eq(lpm_delete(&l, IP(10, 0, 0, 0), 8), 0);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 200)), LPM_NH_NONE);
	cr_expect_eq(lpm_delete(&l, IP(10, 0, 0, 0), 8), ESRCH);
}

Test(lpm, replace_next_hop)
{
	lpm_add(&l, IP(10, 50, 0, 0), 24, 2);
	lpm_add(&l, IP(10, 50, 0, 0), 24, 7);
	cr_expect_eq(lpm_lookup(&l, IP(10, 50, 0, 9)), 7);
	cr_expect_eq(l.nroutes, 1);
	cr_expect_eq(lpm_add(&l, IP(1, 2, 3, 4), 33, 1), EINVAL);
	cr_expect_eq(lpm_add(&l, IP(1, 2, 3, 4), 32, LPM_NH_NONE), EINVAL);
}

Test(lpm, host_bits_are_masked)
{
	lpm_add(&l, IP(192, 0, 2, 77), 24, 3);
	cr_expect_eq(lpm_lookup(&l, IP(192, 0, 2, 1)), 3);
	cr_expect_not_null(lpm_find(&l, IP(192, 0, 2, 0), 24));
}

static uint32_t
naive(const struct lpm_route *r, int n, uint32_t a)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		uint32_t m = r[i].len ? ~0u << (32 - r[i].len) : 0;

		if ((a & m) == r[i].prefix && (best < 0 || r[i].len > r[best].len))
			best = i;
	}
	return best < 0 ? LPM_NH_NONE : r[best].nh;
}

/* Random prefixes clustered in 10/8 so they overlap; adds, deletes and
 * lookups checked against a linear scan. */
Test(lpm, random_against_reference)
{
	static struct lpm_route ref[3000];
	int n = 0, i, k;

	srandom(42);
	for (i = 0; i < 3000; i++) {
		uint8_t len = (uint8_t)(8 + random() % 25);
		uint32_t p = (IP(10, 0, 0, 0) | (uint32_t)(random() & 0x3ffff) << 6);
		uint32_t m = ~0u << (32 - len);
		int dup = 0;

		p &= m;
		for (k = 0; k < n; k++)
			if (ref[k].prefix == p && ref[k].len == len)
				dup = 1;
		if (dup)
			continue;
		ref[n].prefix = p;
		ref[n].len = len;
		ref[n].nh = (uint32_t)(1 + random() % 1000);
		cr_assert_eq(lpm_add(&l, p, len, ref[n].nh), 0);
		n++;
	}
	for (i = 0; i < n / 3; i++) {
		k = (int)(random() % n);
		cr_assert_eq(lpm_delete(&l, ref[k].prefix, ref[k].len), 0);
		ref[k] = ref[--n];
	}
	for (i = 0; i < 200000; i++) {
		uint32_t a = IP(10, 0, 0, 0) | (uint32_t)(random() & 0xffffff);

		cr_assert_eq(lpm_lookup(&l, a), naive(ref, n, a),
		    "address %08x", a);
	}
}
