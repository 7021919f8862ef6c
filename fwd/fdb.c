/*
 * See fdb.h.  The fast path is fdb_lookup() and fdb_learn(); both touch
 * one cache line in the common case.  Expired entries are misses on lookup
 * and are reused on learn, so aging needs no sweep to be correct; the
 * once-a-second fdb_age() sweep only keeps the count honest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Inlined: an 8-byte key hashes in a few instructions, fewer than the
 * call into the library takes (as in nat/state.c). */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "fwd/fdb.h"

#define FDB_KEY_USED	(1ULL << 63)
#define FDB_MIN_SLOTS	64

static uint64_t
fdb_key(uint16_t vid, const uint8_t *mac)
{
	uint64_t k = FDB_KEY_USED | (uint64_t)(vid & 0x0fff) << 48;
	int i;

	for (i = 0; i < 6; i++)
		k |= (uint64_t)mac[i] << (40 - 8 * i);
	return k;
}

void
fdb_entry_mac(const struct fdb_entry *fe, uint8_t *mac)
{
	int i;

	for (i = 0; i < 6; i++)
		mac[i] = (fe->fe_key >> (40 - 8 * i)) & 0xff;
}

static uint32_t
fdb_slot(const struct fdb *f, uint64_t key)
{
	return (uint32_t)XXH3_64bits(&key, sizeof(key)) & f->f_mask;
}

static int
fdb_expired(const struct fdb *f, const struct fdb_entry *fe, uint32_t now)
{
	if (fe->fe_flags & FDB_F_STATIC || f->f_timeout == 0)
		return 0;
	return now - fe->fe_seen >= f->f_timeout;
}

static uint32_t
fdb_slots_for(uint32_t max)
{
	uint32_t n = FDB_MIN_SLOTS;

	while (n < 2 * max && n < (1U << 30))
		n <<= 1;
	return n;
}

int
fdb_init(struct fdb *f, uint32_t max, uint32_t timeout)
{
	uint32_t n = fdb_slots_for(max);

	memset(f, 0, sizeof(*f));
	f->f_tab = calloc(n, sizeof(*f->f_tab));
	if (f->f_tab == NULL)
		return ENOMEM;
	f->f_mask = n - 1;
	f->f_max = max;
	f->f_timeout = timeout;
	return 0;
}

void
fdb_fini(struct fdb *f)
{
	free(f->f_tab);
	f->f_tab = NULL;
}

static struct fdb_entry *
fdb_find(const struct fdb *f, uint64_t key)
{
	uint32_t i = fdb_slot(f, key);

	for (;;) {
		struct fdb_entry *fe = &f->f_tab[i];

		if (fe->fe_key == key)
			return fe;
		if (fe->fe_key == 0)
			return NULL;
		i = (i + 1) & f->f_mask;
	}
}

/* Insert a key known to be absent; the table is never full (2x cap). */
static struct fdb_entry *
fdb_insert(struct fdb *f, uint64_t key)
{
	uint32_t i = fdb_slot(f, key);

	while (f->f_tab[i].fe_key != 0)
		i = (i + 1) & f->f_mask;
	f->f_tab[i].fe_key = key;
	f->f_count++;
	return &f->f_tab[i];
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void
fdb_remove(struct fdb *f, struct fdb_entry *fe)
{
	uint32_t i = (uint32_t)(fe - f->f_tab), j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & f->f_mask;
		if (f->f_tab[j].fe_key == 0)
			break;
		home = fdb_slot(f, f->f_tab[j].fe_key);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			f->f_tab[i] = f->f_tab[j];
			i = j;
		}
	}
	memset(&f->f_tab[i], 0, sizeof(f->f_tab[i]));
	f->f_count--;
}

int
fdb_set_max(struct fdb *f, uint32_t max)
{
	struct fdb nf;
	uint32_t i;
	int error;

	if (fdb_slots_for(max) == f->f_mask + 1) {
		f->f_max = max;
		return 0;
	}
	if ((error = fdb_init(&nf, max, f->f_timeout)) != 0)
		return error;
	/* Keep statics first, then as many dynamic entries as fit. */
	for (i = 0; i <= f->f_mask; i++) {
		struct fdb_entry *fe = &f->f_tab[i];

		if (fe->fe_key != 0 && fe->fe_flags & FDB_F_STATIC)
			*fdb_insert(&nf, fe->fe_key) = *fe;
	}
	for (i = 0; i <= f->f_mask; i++) {
		struct fdb_entry *fe = &f->f_tab[i];

		if (fe->fe_key != 0 && !(fe->fe_flags & FDB_F_STATIC) &&
		    nf.f_count < max)
			*fdb_insert(&nf, fe->fe_key) = *fe;
	}
	fdb_fini(f);
	*f = nf;
	return 0;
}

int
fdb_lookup(const struct fdb *f, uint16_t vid, const uint8_t *mac, uint32_t now)
{
	const struct fdb_entry *fe = fdb_find(f, fdb_key(vid, mac));

	if (fe == NULL || fdb_expired(f, fe, now))
		return -1;
	return fe->fe_port;
}

enum fdb_learn_result
fdb_learn(struct fdb *f, uint16_t vid, const uint8_t *mac, uint16_t port,
    uint32_t now)
{
	uint64_t key = fdb_key(vid, mac);
	struct fdb_entry *fe = fdb_find(f, key);

	if (fe != NULL) {
		if (fe->fe_flags & FDB_F_STATIC)
			return fe->fe_port == port ? FDB_REFRESHED :
			    FDB_STATIC_HELD;
		if (fdb_expired(f, fe, now)) {
			fe->fe_port = port;
			fe->fe_seen = now;
			return FDB_LEARNED;
		}
		fe->fe_seen = now;
		if (fe->fe_port == port)
			return FDB_REFRESHED;
		fe->fe_port = port;
		return FDB_MOVED;
	}
	if (f->f_count >= f->f_max) {
		/* Reclaim expired entries before refusing a new address. */
		if (fdb_age(f, now) == 0 || f->f_count >= f->f_max)
			return FDB_FULL;
	}
	fe = fdb_insert(f, key);
	fe->fe_port = port;
	fe->fe_seen = now;
	fe->fe_flags = 0;
	return FDB_LEARNED;
}

int
fdb_add_static(struct fdb *f, uint16_t vid, const uint8_t *mac, uint16_t port)
{
	uint64_t key = fdb_key(vid, mac);
	struct fdb_entry *fe = fdb_find(f, key);

	if (fe == NULL) {
		if (f->f_count >= f->f_max)
			return ENOSPC;
		fe = fdb_insert(f, key);
	}
	fe->fe_port = port;
	fe->fe_seen = 0;
	fe->fe_flags = FDB_F_STATIC;
	return 0;
}

/* deladdr: the MAC goes from every VLAN. */
int
fdb_delete(struct fdb *f, const uint8_t *mac)
{
	uint64_t want = fdb_key(0, mac) & 0x0000ffffffffffffULL;
	uint32_t i;
	int found = 0;

	for (i = 0; i <= f->f_mask; i++) {
		struct fdb_entry *fe = &f->f_tab[i];

		while (fe->fe_key != 0 &&
		    (fe->fe_key & 0x0000ffffffffffffULL) == want) {
			fdb_remove(f, fe);	/* may shift another entry into i */
			found = 1;
		}
	}
	return found ? 0 : ESRCH;
}

static void
fdb_remove_if(struct fdb *f, int (*pred)(const struct fdb_entry *,
    const void *), const void *arg)
{
	uint32_t i;

	for (i = 0; i <= f->f_mask; i++) {
		struct fdb_entry *fe = &f->f_tab[i];

		while (fe->fe_key != 0 && pred(fe, arg))
			fdb_remove(f, fe);
	}
}

static int
fdb_is_dynamic(const struct fdb_entry *fe, const void *arg)
{
	const int *all = arg;

	return *all || !(fe->fe_flags & FDB_F_STATIC);
}

/* flush: dynamic entries; flushall (all != 0): static ones too. */
void
fdb_flush(struct fdb *f, int all)
{
	fdb_remove_if(f, fdb_is_dynamic, &all);
}

static int
fdb_on_port(const struct fdb_entry *fe, const void *arg)
{
	return fe->fe_port == *(const uint16_t *)arg;
}

/* A member left the bridge: forget everything learned or pinned there. */
void
fdb_flush_port(struct fdb *f, uint16_t port)
{
	fdb_remove_if(f, fdb_on_port, &port);
}

struct fdb_age_arg {
	const struct fdb *f;
	uint32_t	 now;
};

static int
fdb_is_expired(const struct fdb_entry *fe, const void *arg)
{
	const struct fdb_age_arg *a = arg;

	return fdb_expired(a->f, fe, a->now);
}

/* Remove expired entries; returns how many went. */
uint32_t
fdb_age(struct fdb *f, uint32_t now)
{
	struct fdb_age_arg a = { f, now };
	uint32_t before = f->f_count;

	fdb_remove_if(f, fdb_is_expired, &a);
	return before - f->f_count;
}

int
fdb_walk(const struct fdb *f, int (*fn)(const struct fdb_entry *, void *),
    void *arg)
{
	uint32_t i;
	int r;

	for (i = 0; i <= f->f_mask; i++) {
		if (f->f_tab[i].fe_key == 0)
			continue;
		if ((r = fn(&f->f_tab[i], arg)) != 0)
			return r;
	}
	return 0;
}
