#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/pkt.h"

/*
 * One mapping for all buffers: untouched pages of a buffer (most of the
 * 64 KiB, for ordinary frames) are never backed by memory.
 */
int
pkt_pool_init(struct pkt_pool *pp, size_t n)
{
	size_t i;

	memset(pp, 0, sizeof(*pp));
	if ((pp->pkts = calloc(n, sizeof(*pp->pkts))) == NULL)
		return ENOMEM;
	pp->mem = mmap(NULL, n * PKT_BUF_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pp->mem == MAP_FAILED) {
		free(pp->pkts);
		pp->pkts = NULL;
		return ENOMEM;
	}
	pp->npkts = n;
	for (i = n; i-- > 0;) {
		struct pkt *p = &pp->pkts[i];

		p->buf = pp->mem + i * PKT_BUF_SIZE;
		p->refs = 1;
		pkt_free(pp, p);
	}
	return 0;
}

void
pkt_pool_fini(struct pkt_pool *pp)
{
	if (pp->mem != NULL && pp->mem != MAP_FAILED)
		munmap(pp->mem, pp->npkts * PKT_BUF_SIZE);
	free(pp->pkts);
	memset(pp, 0, sizeof(*pp));
}

/*
 * What a packet made from p (a copy, a fragment, a segment) keeps of it:
 * where it came from, its trace, and pf's header as m_dup_pkthdr()
 * copies it (priority, tag, queue, delay).
 */
void
pkt_inherit(struct pkt *n, const struct pkt *p)
{
	n->in_port = p->in_port;
	n->vid = p->vid;
	n->id = p->id;
	n->traced = p->traced;
	n->prio = p->prio;
	n->pf_tag = p->pf_tag;
	n->qid = p->qid;
	if ((n->pf_delay = p->pf_delay) != 0)
		n->pf_delay_ms = p->pf_delay_ms;
}

/* A private copy of p: its frame and what the stages know of it. */
struct pkt *
pkt_copy(struct pkt_pool *pp, const struct pkt *p)
{
	struct pkt *n;

	if ((n = pkt_alloc(pp)) == NULL)
		return NULL;
	memcpy(n->data, p->data, p->len);
	n->len = p->len;
	n->off = p->off;
	pkt_inherit(n, p);
	n->pf_generated = p->pf_generated;
	n->pf_routed = p->pf_routed;
	n->reassembled = p->reassembled;
	n->frag6_hlen = p->frag6_hlen;
	n->frag6_nhoff = p->frag6_nhoff;
	n->frag6_max = p->frag6_max;
	n->frag6_id = p->frag6_id;
	return n;
}
