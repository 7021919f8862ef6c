/* FDB: learn, move, age, cap, static, delete, resize. */
#include <errno.h>

#include <criterion/criterion.h>

#include "fwd/fdb.h"

static struct fdb f;
static const uint8_t m1[6] = { 0x02, 0, 0, 0, 0, 1 };
static const uint8_t m2[6] = { 0x02, 0, 0, 0, 0, 2 };
static const uint8_t m3[6] = { 0x02, 0, 0, 0, 0, 3 };

static void
setup(void)
{
	cr_assert_eq(fdb_init(&f, 100, 240), 0);
}

static void
teardown(void)
{
	fdb_fini(&f);
}

TestSuite(fdb, .init = setup, .fini = teardown);

Test(fdb, learn_then_lookup)
{
	cr_expect_eq(fdb_lookup(&f, 0, m1, 10), -1);
	cr_expect_eq(fdb_learn(&f, 0, m1, 3, 10), FDB_LEARNED);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 10), 3);
	cr_expect_eq(fdb_learn(&f, 0, m1, 3, 11), FDB_REFRESHED);
	cr_expect_eq(f.f_count, 1);
}

Test(fdb, per_vlan_keys)
{
	fdb_learn(&f, 10, m1, 1, 0);
	fdb_learn(&f, 20, m1, 2, 0);
	cr_expect_eq(fdb_lookup(&f, 10, m1, 0), 1);
	cr_expect_eq(fdb_lookup(&f, 20, m1, 0), 2);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 0), -1);
	cr_expect_eq(f.f_count, 2);
}

Test(fdb, move)
{
	fdb_learn(&f, 0, m1, 1, 0);
	cr_expect_eq(fdb_learn(&f, 0, m1, 2, 1), FDB_MOVED);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 1), 2);
	cr_expect_eq(f.f_count, 1);
}

Test(fdb, aging)
{
	fdb_learn(&f, 0, m1, 1, 100);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 339), 1);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 340), -1, "expired at timeout");
	cr_expect_eq(fdb_age(&f, 340), 1);
	cr_expect_eq(f.f_count, 0);
}

Test(fdb, cap_refuses_new_keeps_old)
{
	fdb_set_max(&f, 2);
	cr_expect_eq(fdb_learn(&f, 0, m1, 1, 0), FDB_LEARNED);
	cr_expect_eq(fdb_learn(&f, 0, m2, 1, 0), FDB_LEARNED);
	cr_expect_eq(fdb_learn(&f, 0, m3, 1, 0), FDB_FULL);
	cr_expect_eq(fdb_lookup(&f, 0, m3, 0), -1);
	cr_expect_eq(fdb_learn(&f, 0, m1, 2, 1), FDB_MOVED, "known ones move");
	/* Once the old ones expire there is room again. */
	cr_expect_eq(fdb_learn(&f, 0, m3, 1, 500), FDB_LEARNED);
}

Test(fdb, static_entries)
{
	cr_expect_eq(fdb_add_static(&f, 0, m1, 4), 0);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 1000000), 4, "statics never age");
	cr_expect_eq(fdb_learn(&f, 0, m1, 5, 1), FDB_STATIC_HELD);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 1), 4);
	fdb_learn(&f, 0, m2, 5, 1);
	fdb_flush(&f, 0);
	cr_expect_eq(fdb_lookup(&f, 0, m2, 1), -1, "flush drops dynamic");
	cr_expect_eq(fdb_lookup(&f, 0, m1, 1), 4, "flush keeps static");
	fdb_flush(&f, 1);
	cr_expect_eq(f.f_count, 0, "flushall drops static too");
}

Test(fdb, delete_all_vlans)
{
	fdb_learn(&f, 10, m1, 1, 0);
	fdb_learn(&f, 20, m1, 1, 0);
	fdb_learn(&f, 0, m2, 1, 0);
	cr_expect_eq(fdb_delete(&f, m1), 0);
	cr_expect_eq(f.f_count, 1);
	cr_expect_eq(fdb_lookup(&f, 0, m2, 0), 1);
	cr_expect_eq(fdb_delete(&f, m1), ESRCH);
}

Test(fdb, flush_port)
{
	fdb_learn(&f, 0, m1, 1, 0);
	fdb_learn(&f, 0, m2, 2, 0);
	fdb_flush_port(&f, 1);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 0), -1);
	cr_expect_eq(fdb_lookup(&f, 0, m2, 0), 2);
}

/* Many entries with deletions in between: probe chains must stay whole. */
Test(fdb, stress_against_reference)
{
	static int ref[4096];
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	int i, round;

	fdb_set_max(&f, 5000);
	for (i = 0; i < 4096; i++)
		ref[i] = -1;
	for (round = 0; round < 20000; round++) {
		int k = (round * 7919) % 4096;

		mac[4] = k >> 8;
		mac[5] = k & 0xff;
		if (round % 3 == 2) {
			fdb_delete(&f, mac);
			ref[k] = -1;
		} else {
			fdb_learn(&f, 0, mac, (uint16_t)(round % 50), 0);
			ref[k] = round % 50;
		}
	}
	for (i = 0; i < 4096; i++) {
		mac[4] = i >> 8;
		mac[5] = i & 0xff;
		cr_assert_eq(fdb_lookup(&f, 0, mac, 0), ref[i], "key %d", i);
	}
}

Test(fdb, resize_keeps_entries)
{
	fdb_learn(&f, 0, m1, 1, 0);
	fdb_add_static(&f, 0, m2, 2);
	cr_expect_eq(fdb_set_max(&f, 10000), 0);
	cr_expect_eq(fdb_lookup(&f, 0, m1, 0), 1);
	cr_expect_eq(fdb_lookup(&f, 0, m2, 0), 2);
	cr_expect_eq(fdb_set_max(&f, 1), 0);
	cr_expect_eq(f.f_count, 1, "shrinking keeps statics first");
	cr_expect_eq(fdb_lookup(&f, 0, m2, 0), 2);
}
