/*
 * What a router test saw the router send (struct router's `sent' hook):
 * the first RTSENT_MAX frames with the interface each left by, and how
 * many went in all.  With sent_only set, frames of other interfaces are
 * not kept.  One copy per test program (static): set the hook to seen()
 * in the suite's setup.
 */
#ifndef TEST_UNIT_RTSENT_H
#define TEST_UNIT_RTSENT_H

#include <stdint.h>
#include <string.h>

#include "dataplane/router.h"

#define RTSENT_MAX	32

static struct {
	const struct rif *rif;
	uint32_t	 len;
	uint8_t		 f[1600];
} out[RTSENT_MAX];
static int nout;
static uint64_t nsent;
static const struct rif *sent_only;
/* leave out duplicate address detection's probes (NS from ::) */
static int skip_dad;

static void
seen(void *arg, const struct rif *r, const struct pkt *p)
{
	static const uint8_t unspec[16];

	(void)arg;
	if (sent_only != NULL && r != sent_only)
		return;
	if (skip_dad && p->len >= 14 + 41 && p->data[12] == 0x86 &&
	    p->data[13] == 0xdd && p->data[14 + 40] == 135 &&
	    memcmp(p->data + 14 + 8, unspec, 16) == 0)
		return;
	nsent++;
	if (nout == RTSENT_MAX)
		return;
	out[nout].rif = r;
	out[nout].len = p->len < sizeof(out[0].f) ? p->len :
	    (uint32_t)sizeof(out[0].f);
	memcpy(out[nout].f, p->data, out[nout].len);
	nout++;
}

/* Start counting again. */
static inline void
forget(void)
{
	nout = 0;
	nsent = 0;
}

#endif /* TEST_UNIT_RTSENT_H */
