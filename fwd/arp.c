/* See arp.h. */
#include <string.h>

#include <xxhash.h>

#include "fwd/arp.h"
#include "fwd/ether.h"

static uint32_t
arp_slot(uint16_t rif, uint32_t ip)
{
	uint64_t k = (uint64_t)rif << 32 | ip;

	return (uint32_t)XXH3_64bits(&k, sizeof(k)) & (ARP_SLOTS - 1);
}

/* The entry for (rif, ip) if there is one, whatever its state. */
struct arp_entry *
arp_lookup(struct arp_table *t, uint16_t rif, uint32_t ip)
{
	uint32_t i = arp_slot(rif, ip), n;

	for (n = 0; n < ARP_SLOTS; n++, i = (i + 1) & (ARP_SLOTS - 1)) {
		struct arp_entry *e = &t->e[i];

		if (e->state == ARP_FREE)
			return NULL;
		if (e->ip == ip && e->rif == rif)
			return e;
	}
	return NULL;
}

/* The entry for (rif, ip), made FREE -> DEAD if new; NULL if full. */
struct arp_entry *
arp_get(struct arp_table *t, uint16_t rif, uint32_t ip)
{
	uint32_t i = arp_slot(rif, ip), n;

	for (n = 0; n < ARP_SLOTS; n++, i = (i + 1) & (ARP_SLOTS - 1)) {
		struct arp_entry *e = &t->e[i];

		if (e->state == ARP_FREE) {
			memset(e, 0, sizeof(*e));
			e->ip = ip;
			e->rif = rif;
			e->state = ARP_DEAD;
			t->count++;
			return e;
		}
		if (e->ip == ip && e->rif == rif)
			return e;
	}
	return NULL;
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
