/* See arp.h. */
#include <string.h>

#include <xxhash.h>

#include "fwd/arp.h"
#include "fwd/ether.h"

#define ARP_MASK	(ARP_SLOTS - 1)

static uint32_t
arp_slot(uint16_t rif, uint32_t ip)
{
	uint64_t k = (uint64_t)rif << 32 | ip;

	return (uint32_t)XXH3_64bits(&k, sizeof(k)) & ARP_MASK;
}

/* The entry for (rif, ip) if there is one, whatever its state. */
struct arp_entry *
arp_lookup(struct arp_table *t, uint16_t rif, uint32_t ip)
{
	uint32_t i = arp_slot(rif, ip);
	struct arp_entry *e;

	/* Never every slot live (ARP_MAX), so a free one ends the probe. */
	for (;; i = (i + 1) & ARP_MASK) {
		e = &t->e[i];
		if (e->state == ARP_FREE)
			return NULL;
		if (e->ip == ip && e->rif == rif)
			return e;
	}
}

/*
 * A new entry for (rif, ip), which must not be in the table, INCOMPLETE
 * with nothing asked yet; NULL if ARP_MAX entries live.
 */
struct arp_entry *
arp_insert(struct arp_table *t, uint16_t rif, uint32_t ip)
{
	uint32_t i = arp_slot(rif, ip);
	struct arp_entry *e;

	if (t->count >= ARP_MAX)
		return NULL;
	while (t->e[i].state != ARP_FREE)
		i = (i + 1) & ARP_MASK;
	e = &t->e[i];
	memset(e, 0, sizeof(*e));
	e->ip = ip;
	e->rif = rif;
	e->state = ARP_INCOMPLETE;
	t->count++;
	return e;
}

/*
 * Delete e (its queue must be empty): backward-shift deletion.  Each
 * entry after the hole, up to the next free slot, moves back into the
 * hole unless its home slot lies between the hole and where it is; the
 * hole moves with it.  Probes never meet a tombstone.  Whatever e
 * pointed to may now hold another entry (one that was further on).
 */
void
arp_delete(struct arp_table *t, struct arp_entry *e)
{
	uint32_t hole = (uint32_t)(e - t->e), j, home;

	for (j = (hole + 1) & ARP_MASK; t->e[j].state != ARP_FREE;
	    j = (j + 1) & ARP_MASK) {
		home = arp_slot(t->e[j].rif, t->e[j].ip);
		if (((j - home) & ARP_MASK) >= ((j - hole) & ARP_MASK)) {
			t->e[hole] = t->e[j];
			hole = j;
		}
	}
	memset(&t->e[hole], 0, sizeof(t->e[hole]));
	t->count--;
}

uint32_t
arp_build(uint8_t *f, int op, const uint8_t *sha, uint32_t spa,
    const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	uint8_t *a = f + ETHER_HDR_LEN;

	memcpy(f, tha != NULL ? tha : bcast, 6);
	memcpy(f + 6, sha, 6);
	ether_put16(f + 12, ETHERTYPE_ARP);
	ether_put16(a, 1);		/* Ethernet */
	ether_put16(a + 2, ETHERTYPE_IP);
	a[4] = 6;
	a[5] = 4;
	ether_put16(a + 6, (uint16_t)op);
	memcpy(a + 8, sha, 6);
	ether_put16(a + 14, spa >> 16);
	ether_put16(a + 16, spa & 0xffff);
	memcpy(a + 18, tha != NULL ? tha : zero, 6);
	ether_put16(a + 24, tpa >> 16);
	ether_put16(a + 26, tpa & 0xffff);
	memset(a + 28, 0, 60 - ETHER_HDR_LEN - 28);	/* pad to 60 */
	return 60;
}

/* 0: an Ethernet/IPv4 ARP message; -1: anything else. */
int
arp_parse(const uint8_t *f, uint32_t len, struct arp_msg *m)
{
	uint32_t off;
	const uint8_t *a;

	if (len < ETHER_HDR_LEN || ether_type(f, len, &off) != ETHERTYPE_ARP ||
	    len < off + 28)
		return -1;
	a = f + off;
	if (ether_get16(a) != 1 || ether_get16(a + 2) != ETHERTYPE_IP ||
	    a[4] != 6 || a[5] != 4)
		return -1;
	m->op = ether_get16(a + 6);
	memcpy(m->sha, a + 8, 6);
	m->spa = (uint32_t)ether_get16(a + 14) << 16 | ether_get16(a + 16);
	memcpy(m->tha, a + 18, 6);
	m->tpa = (uint32_t)ether_get16(a + 24) << 16 | ether_get16(a + 26);
	return 0;
}
