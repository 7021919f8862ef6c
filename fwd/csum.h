/*
 * Internet checksums (RFC 1071) and completion of offloaded ones.  A frame
 * the kernel hands over with CHECKSUM_PARTIAL carries only the
 * pseudo-header sum in its L4 checksum field; whoever sends it where no
 * offload follows must finish the job, or TCP dies while ping works.
 */
#ifndef FWD_CSUM_H
#define FWD_CSUM_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/pkt.h"

uint32_t csum_partial(const void *, size_t, uint32_t);
uint16_t csum_fold(uint32_t);
int	 csum_complete(struct pkt *);
void	 csum_ip_header(uint8_t *, uint32_t);

#endif /* FWD_CSUM_H */
