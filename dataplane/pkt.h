/*
 * Packets and batches: the one currency every stage takes and hands on.
 *
 * A packet is a fixed buffer from a pool made at start (no malloc on the
 * fast path).  Buffers are large enough for a GSO super-frame (64 KiB):
 * the kernel hands veth and tap traffic over unsegmented when offloads are
 * on, and sluice carries the offload description (struct pkt_offload, the
 * virtio_net_hdr fields) with the frame instead of segmenting it, so a TCP
 * stream through sluice costs one trip per 64 KiB, as it does in the kernel.
 * The buffer memory is mmap'ed, so pages a small frame never touches cost
 * nothing.
 *
 * A batch is an array of up to BATCH_MAX packet pointers.  Stages fill a
 * parallel next[] array with each packet's disposition; the dispatcher in
 * dataplane/dp.c hands sub-batches on.  Flooding shares one buffer between
 * several output queues through a reference count; a port that must change
 * a shared frame (VLAN push) does so with scatter I/O, never in place.
 */
#ifndef DP_PKT_H
#define DP_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BATCH_MAX	64
#define PKT_HEADROOM	128		/* room to push tags in place */
#define PKT_DEFPRIO	3	/* IFQ_DEFPRIO: what a frame arrives with */
#define PKT_DATA_MAX	(65536 + 64)	/* GSO frame + Ethernet and VLAN */
#define PKT_BUF_SIZE	(PKT_HEADROOM + PKT_DATA_MAX)

/* Offload state as the kernel describes it (virtio_net_hdr, relative to data). */
struct pkt_offload {
	uint8_t		 flags;		/* PKT_OFF_* */
	uint8_t		 gso_type;	/* VIRTIO_NET_HDR_GSO_* */
	uint16_t	 hdr_len;
	uint16_t	 gso_size;
	uint16_t	 csum_start;	/* from data */
	uint16_t	 csum_offset;	/* from csum_start */
};
#define PKT_OFF_NEEDS_CSUM	0x01	/* L4 checksum holds the pseudo-header sum only */
#define PKT_OFF_DATA_VALID	0x02

struct pkt {
	uint8_t		*data;		/* first byte of the Ethernet header */
	uint32_t	 len;		/* bytes from data */
	uint16_t	 in_port;	/* index of the port it came in on */
	uint16_t	 vid;		/* outer 802.1Q VID, 0 when untagged */
	uint32_t	 id;		/* sequence number, for traces */
	uint16_t	 refs;		/* output queues holding it */
	uint8_t		 traced;	/* record trace entries for this packet */
	/* The priority (0-7) pf's prio matches, set prio sets and a vlan
	 * port's txprio packet puts into the 802.1p PCP (mbuf pf.prio). */
	uint8_t		 prio;
	uint16_t	 pf_tag;	/* pf's tag (tag, tagged), 0: none */
	/* pf's route-to, reply-to, dup-to: the next hop the last
	 * dp_pf_test() gave it (pf_rt_af 4: pf_rt, host order; 6: pf_rt6;
	 * 0: none); pf_rt_dup: send a copy */
	uint8_t		 pf_rt_af;
	uint8_t		 pf_rt_dup;
	/* the test that gave it was going out: pf_route() then runs no pf
	 * again on the interface it routes to */
	uint8_t		 pf_rt_out;
	/* pf's af-to gave it a header of the other family: 4 or 6, to be
	 * routed in it (pf_route()); 0: not */
	uint8_t		 pf_afto;
	/* pf's queue for it (set queue): a number of dp->pf.qnames, 0:
	 * the port's default queue (mbuf pf.qid) */
	uint8_t		 qid;
	/* pf's set delay: it waits pf_delay_ms where it leaves (mbuf
	 * pf.delay; the value is off the hot lines, read only then) */
	uint8_t		 pf_delay;

	uint32_t	 pf_rt;
	uint8_t		 pf_rt6[16];
	/* pf made this frame of the fragments of a datagram: stages that
	 * read it before pf read it again, and a bridge member with a
	 * smaller MTU gets it fragmented again (bridge_fragment()). */
	uint8_t		 reassembled;
	/* (beside reassembled and st_tags: pkt_alloc() clears the four
	 * with one store) pf made it, as for af-to: pf lets it pass
	 * unfiltered (PF_TAG_GENERATED) */
	uint8_t		 pf_generated;
	/* times pf_route() took it (m_pkthdr.pf.routed): past four, a loop
	 * of route-to rules, it is dropped */
	uint8_t		 pf_routed;
	/*
	 * The state-table tags of this frame's flow keys (nat/nat.h), set
	 * for a burst before its lookups.  They are hints: whatever changes
	 * the addresses or ports of a frame in place should clear st_tags,
	 * or each lookup pays a second probe.
	 */
	uint8_t		 st_tags;	/* STATE_DIR_* bits: st_tag[] is good */
	uint32_t	 st_tag[2];	/* [dir - 1] */
	/* [dir - 1]: the state (number + 1) the tag's index line named
	 * first, or 0; checked before it is believed (state_lookup_tag()). */
	uint32_t	 st_hint[2];
	struct pkt_offload off;
	struct pkt	*next_free;
	uint8_t		*buf;		/* PKT_BUF_SIZE bytes */
	/*
	 * Of an IPv6 datagram pf reassembled, what pf_refragment6() cuts
	 * it again by (pf's fragment tag): the unfragmentable part's
	 * length, the offset in it of the next header byte that named the
	 * Fragment header, the largest fragment's payload and the id.  Read
	 * only when reassembled is set, so last: off the lines every packet
	 * touches.
	 */
	uint16_t	 pf_delay_ms;
	uint16_t	 frag6_hlen;
	uint16_t	 frag6_nhoff;
	uint16_t	 frag6_max;
	uint32_t	 frag6_id;
};

struct batch {
	uint16_t	 n;
	struct pkt	*p[BATCH_MAX];
};

struct pkt_pool {
	struct pkt	*free;
	struct pkt	*pkts;
	uint8_t		*mem;
	size_t		 npkts;
	size_t		 nfree;
};

int		 pkt_pool_init(struct pkt_pool *, size_t);
void		 pkt_pool_fini(struct pkt_pool *);
struct pkt	*pkt_copy(struct pkt_pool *, const struct pkt *);
void		 pkt_inherit(struct pkt *, const struct pkt *);

static inline struct pkt *
pkt_alloc(struct pkt_pool *pp)
{
	struct pkt *p = pp->free;

	if (p == NULL)
		return NULL;
	pp->free = p->next_free;
	pp->nfree--;
	p->data = p->buf + PKT_HEADROOM;
	p->len = 0;
	p->vid = 0;
	p->refs = 1;
	p->traced = 0;
	p->prio = PKT_DEFPRIO;
	p->qid = 0;
	p->pf_delay = 0;
	p->pf_tag = 0;
	p->reassembled = 0;
	p->pf_generated = 0;
	p->pf_routed = 0;
	p->st_tags = 0;
	p->id = 0;
	p->off = (struct pkt_offload){ 0 };
	return p;
}

static inline void
pkt_free(struct pkt_pool *pp, struct pkt *p)
{
	if (--p->refs > 0)
		return;
	p->next_free = pp->free;
	pp->free = p;
	pp->nfree++;
}

#endif /* DP_PKT_H */
