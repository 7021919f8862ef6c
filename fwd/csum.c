#include <errno.h>
#include <string.h>

#include "fwd/csum.h"
#include "fwd/ip.h"

/* One's complement sum of 16-bit big-endian words, not yet folded. */
uint32_t
csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		w = __builtin_bswap64(w);
		s += (w >> 48) + ((w >> 32) & 0xffff) + ((w >> 16) & 0xffff) +
		    (w & 0xffff);
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		s += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
csum_fold(uint32_t sum)
{
	return ip_csum_fold(sum);
}

/* Write the checksum of an IPv4 header of HL bytes anew. */
void
csum_ip_header(uint8_t *ip, uint32_t hl)
{
	ip[10] = ip[11] = 0;
	ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, hl, 0)));
}

/*
 * Finish a partial checksum in place: sum from csum_start to the end (the
 * field already holds the pseudo-header sum) and store the complement.
 * Writing a complete checksum is harmless for every other queue that
 * shares the buffer, which is why it may be done in place.
 */
int
csum_complete(struct pkt *p)
{
	uint32_t start = p->off.csum_start, field = start + p->off.csum_offset;
	uint16_t c;

	if (!(p->off.flags & PKT_OFF_NEEDS_CSUM))
		return 0;
	if (field + 2 > p->len || start >= p->len)
		return EINVAL;
	c = ~csum_fold(csum_partial(p->data + start, p->len - start, 0));
	/* UDP sends a computed zero as 0xffff (RFC 768); harmless for TCP. */
	if (c == 0 && p->off.csum_offset == 6)
		c = 0xffff;
	p->data[field] = c >> 8;
	p->data[field + 1] = c & 0xff;
	p->off.flags &= ~PKT_OFF_NEEDS_CSUM;
	p->off.flags |= PKT_OFF_DATA_VALID;
	return 0;
}
