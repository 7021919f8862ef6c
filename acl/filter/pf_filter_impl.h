/*
 * pf_filter_impl.h: internals shared by the flattener (pf_flat.c), the
 * per-entry match and the two walks (pf_match.c) and the construction of
 * the decision trees (pf_tree.c).  Not for users: they see pf_filter.h.
 *
 * Every flat entry has, besides its rule, a "box" per address family: the
 * 5-tuple region (src, dst, sport, dport, proto) outside which it can never
 * match.  The trees cut on boxes; a packet is only tested against entries
 * whose box holds it.  When the box says everything about the rule
 * (B_EXACT), the box test is the whole match; otherwise the full match
 * (tables, negation, icmp types, tags ...) follows.  Both evaluators run
 * the same acl_step() on an entry, which is what makes them agree.
 */
#ifndef ACL_FILTER_PF_FILTER_IMPL_H
#define ACL_FILTER_PF_FILTER_IMPL_H

#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "acl/filter/pf_filter.h"

/* dimensions of the boxes and the tree, in key order */
enum acl_dim { ACL_D_SRC, ACL_D_DST, ACL_D_SPORT, ACL_D_DPORT, ACL_D_PROTO,
	ACL_D_MAX };

#define ACL_AF4		0	/* index of a family's boxes and tree */
#define ACL_AF6		1

#define ACL_STACK_MAX	64	/* pf's PF_ANCHOR_STACK_MAX */
#define ACL_POS_NONE	UINT32_MAX

/*
 * Key of an address: IPv4 as its 32 bits, IPv6 as its upper 64 bits (the
 * routing prefix, where rules differ; longer prefixes are exact in the
 * full match).  Ports and protocol are themselves.
 */
struct acl_box {
	uint64_t	 lo[2], hi[2];	/* src, dst keys */
	uint16_t	 plo[2], phi[2];	/* sport, dport */
	uint8_t		 prlo, prhi;	/* proto */
	uint8_t		 flags;
#define B_EMPTY		0x01	/* never matches in this family */
#define B_EXACT		0x02	/* the box (and below) is the whole match */
#define B_PORTS		0x04	/* has port ops: no non-first fragment */
#define B_ICMPSTATE	0x08	/* keeps state: no unsolicited icmp reply */
	uint8_t		 tflags, tflagset;	/* TCP flags F/S */
	uint8_t		 pad[5];
};

/* one resolved prefix (of an interface address set or a pool) */
struct acl_pfx {
	uint8_t		 af;
	uint8_t		 plen;
	union acl_ip	 addr;		/* masked */
};

/* A table compiled into one hash per family, probed longest prefix first. */
struct acl_lslot {
	uint8_t		 used;
	uint8_t		 plen;
	uint8_t		 neg;
	union acl_ip	 addr;
	uint32_t	 idx;		/* its entry in the acl_table's e[] */
};

struct acl_ltable {
	char		 name[ACL_TABLE_NAME_SIZE];
	char		 anchor[ACL_PATH_MAX];
	struct acl_lslot *slot[2];	/* per family, open addressing */
	uint32_t	 mask[2];	/* slots - 1 */
	uint8_t		 plens[2][129];	/* lengths present, longest first */
	uint8_t		 nplen[2];
	struct acl_pfx	 first[2];	/* first positive entry (pools) */
	uint8_t		 has_first[2];
	uint64_t	 hull_lo[2], hull_hi[2];	/* keys of positive entries */
	size_t		 npos[2];
};

/* one side (from / to) of an entry, resolved */
struct acl_xaddr {
	const struct acl_addr *a;
	uint8_t		 type;		/* ACL_ADDR_* */
	uint8_t		 neg;
	struct acl_ltable *tbl;		/* TABLE */
	struct acl_pfx	*set;		/* DYNIFTL, resolved */
	uint32_t	 nset;
};

struct acl_ent {
	const struct acl_rule *r;
	const struct acl_anchor *anchor;
	struct acl_xaddr src, dst;
	uint32_t	 pos;
	uint32_t	 call;		/* innermost call entry, or POS_NONE */
	uint32_t	 inv_end;	/* end of its invocation (quick anchors) */
	uint32_t	 need;		/* call entry that must have matched */
	uint8_t		 need_slot;	/* ... found in ctx ok[need_slot] */
	uint8_t		 slot;		/* CALL: the ok[] slot it writes */
	uint8_t		 kind;		/* ACL_FLAT_* */
	uint8_t		 depth;
	uint16_t	 flags;
#define E_QUICKCALL	0x0001	/* the innermost call is quick */
#define E_INQUICK	0x0002	/* some enclosing call is quick */
#define E_TRIVIAL	0x0004	/* CALL with no criteria: does nothing */
#define E_NAT		0x0008	/* has a nat pool */
#define E_RDR		0x0010	/* has an rdr pool */
#define E_AFTERXLATE	0x0020	/* after a translating match rule */
#define E_SCRUB		0x0040	/* scrub options or set tos */
#define E_LIVE		0x0080	/* once or max-pkt-rate: ask c->live */
	uint16_t	 tag;		/* tag id to set */
	uint16_t	 match_tag;	/* tagged id */
	/* pools resolved for the matching of later rules */
	struct acl_pfx	 nat[2], rdr[2];
	uint8_t		 nat_ok[2], rdr_ok[2];
};

/*
 * A leaf holds its candidates inline, in rule order: per entry a copy of
 * its box (32 bytes for IPv4, 48 for IPv6) and its position, so that the
 * scan of a leaf reads one or two cache lines and follows no pointer.  An
 * entry whose match is "decide here" (an exact pass/block rule without
 * tag, condition or quick anchor) is settled from the record alone.
 */
struct acl_rec4 {
	uint32_t	 lo[2], hi[2];	/* src, dst keys */
	uint16_t	 plo[2], phi[2];	/* sport, dport */
	uint8_t		 prlo, prhi;	/* proto */
	uint8_t		 tflags, tflagset;
	uint32_t	 pf;		/* position | R_* flags */
};

struct acl_rec6 {
	uint64_t	 lo[2], hi[2];
	uint16_t	 plo[2], phi[2];
	uint8_t		 prlo, prhi;
	uint8_t		 tflags, tflagset;
	uint32_t	 pf;
	uint32_t	 pad;
};

#define R_POSMASK	0x00ffffffu	/* the entry's position */
#define R_END		R_POSMASK	/* ends a big leaf */
#define R_ICMPSTATE	0x01000000u	/* B_ICMPSTATE */
#define R_DECIDE	0x02000000u	/* a match only sets the decision */
#define R_QUICK		0x04000000u	/* ... and ends the evaluation */
/*
 * The result of an R_DECIDE record of the main ruleset whose position is
 * its number there (no anchor before it), without return, nat-to or
 * rdr-to, is in pf: its rule is rootrules[pos] and the rest fits the
 * spare bits, so the lookup does not end with a read of its acl_dec that
 * could start only once the record had named the entry.
 */
#define R_INLINE	0x08000000u	/* the result is in pf */
#define R_BLOCK		0x10000000u	/* ... action ACL_BLOCK */
#define R_KSSHIFT	29		/* ... keep_state (ACL_STATE_*) */
#define R_KSMASK	0x3u
#define ACL_NENT_MAX	R_POSMASK	/* more entries: linear only */

/*
 * A decision tree for one family: arrays, indices instead of pointers.
 *
 * An inner node is a k-ary search on one dimension: sorted boundaries
 * (child i holds the keys up to b[i], the last child the rest; unused
 * boundaries are the largest key, which no key exceeds) and the words of
 * the children.  An IPv4 node is two cache lines, 15 boundaries then 16
 * child words: the second line's address is known as soon as the node's
 * is, so both lines load together, and a 16-way split keeps the trees of
 * 10k rules 3-4 levels deep.  Its boundaries are kept biased (xor
 * 0x80000000) for SSE2's signed compares.  An IPv6 node has 7 64-bit
 * boundaries and 8 children (96 bytes).
 *
 * A child word is either ACL_W_NODE | dimension | node index, or a leaf:
 * its record count (ACL_W_NBIG: records up to an R_END) and its first
 * record.  The word names the node's dimension so that the key is loaded
 * while the node is.  The word 0 is the empty leaf, so a zeroed tree is
 * an empty one.
 */
#define ACL_NSUB	5	/* trees per family: rule subsets */
#define ACL_NB4		15	/* boundaries per node, IPv4 */
#define ACL_NB6		7	/* ... IPv6 */
#define ACL_NBMAX	15

#define ACL_W_NODE	0x80000000u
#define ACL_W_DSHIFT	28	/* inner: the node's dimension */
#define ACL_W_NODEIDX	0x0fffffffu
#define ACL_W_NSHIFT	24	/* leaf: its record count */
#define ACL_W_NBIG	0x7fu
#define ACL_W_IDX	0x00ffffffu
#define ACL_W_IDXMAX	ACL_W_IDX	/* records and leaves per tree */

struct acl_node4 {
	uint32_t	 b[ACL_NB4];	/* ^ 0x80000000 */
	uint8_t		 nb;		/* boundaries used */
	uint8_t		 pad[3];
	uint32_t	 child[ACL_NB4 + 1];
} __attribute__((aligned(64)));

struct acl_node6 {
	uint64_t	 b[ACL_NB6];
	uint8_t		 nb;
	uint8_t		 pad[7];
	uint32_t	 child[ACL_NB6 + 1];
} __attribute__((aligned(32)));

struct acl_tree {
	uint32_t	*rtab;		/* the root: 2^k equal cuts along rdim */
	uint32_t	 rmask;		/* 2^k - 1 */
	uint8_t		 rdim, rshift;
	int		 built;
	void		*node;		/* acl_node4 or acl_node6 */
	size_t		 nnode, capnode;
	uint32_t	*ref;		/* while building: leaves' entries */
	size_t		 nref, capref;
	uint32_t	*leaf;		/* while building: leaf -> ref */
	size_t		 nleaf, capleaf;
	void		*rec;		/* leaves' records (acl_rec4/6) */
	size_t		 nrec;
	size_t		 leaves, max_leaf, max_depth;
	int		 budget_hit;
};

/*
 * What a lookup reads of a non-empty tree, in 32 bytes (an acl_tree is
 * mostly the builder's), so that a walk over the trees touches two
 * lines and never visits one that holds nothing.
 */
struct acl_tlook {
	const uint32_t	*rtab;
	const void	*node;
	const uint8_t	*rec;
	uint32_t	 rmask;
	uint8_t		 rdim, rshift;
};

/* One level of the lookup: the child of node w that holds the key. */
static inline __attribute__((always_inline)) uint32_t
acl_node_next(const int afi, const void *node, uint32_t w, const uint64_t *k)
{
	const struct acl_node4 *n4;
	const struct acl_node6 *n6;
	uint64_t v = k[(w >> ACL_W_DSHIFT) & 7];
	uint32_t c = 0;
	int j;

	if (afi == ACL_AF4) {
		n4 = (const struct acl_node4 *)node + (w & ACL_W_NODEIDX);
#ifdef __SSE2__
		/*
		 * The boundaries are sorted, so the ones below the key are a
		 * prefix: the child is the number of trailing ones of the
		 * compare mask (lane 15, the nb byte, is masked off).
		 */
		__m128i kv = _mm_set1_epi32((int32_t)((uint32_t)v ^
		    0x80000000u));
		const __m128i *bp = (const __m128i *)(const void *)n4->b;
		__m128i m = _mm_packs_epi16(
		    _mm_packs_epi32(_mm_cmpgt_epi32(kv, _mm_load_si128(bp)),
		    _mm_cmpgt_epi32(kv, _mm_load_si128(bp + 1))),
		    _mm_packs_epi32(_mm_cmpgt_epi32(kv, _mm_load_si128(bp + 2)),
		    _mm_cmpgt_epi32(kv, _mm_load_si128(bp + 3))));

		c = (uint32_t)__builtin_ctz(~(uint32_t)_mm_movemask_epi8(m) |
		    0x8000u);
#else
		for (j = 0; j < ACL_NB4; j++)
			c += ((uint32_t)v ^ 0x80000000u) > n4->b[j];
#endif
		(void)j;
		return (n4->child[c]);
	}
	n6 = (const struct acl_node6 *)node + (w & ACL_W_NODEIDX);
	for (j = 0; j < ACL_NB6; j++)
		c += v > n6->b[j];
	return (n6->child[c]);
}

/* what the result needs of a deciding entry, in one place */
struct acl_dec {
	const struct acl_rule *r;
	const struct acl_rule *call;	/* innermost anchor call */
	const char	*anchor;	/* path of its ruleset */
	uint32_t	 ret;		/* ACL_RF_RETURN* */
	uint32_t	 anchor_nr;
	uint8_t		 action;	/* ACL_PASS or ACL_BLOCK */
	uint8_t		 keep_state;
	uint16_t	 flags;		/* E_NAT, E_RDR, E_SCRUB */
};

struct acl_classifier {
	const struct acl_conf *conf;
	struct acl_flat	 flat;
	struct acl_ent	*ent;
	size_t		 nent;
	struct acl_dec	*dec;		/* per entry */
	const struct acl_rule *rootrules; /* the main ruleset's: R_INLINE */
	const char	*rootpath;	/* ... and its acl_dec.anchor */
	struct acl_box	*box[2];	/* per family, per entry */
	struct acl_ltable **tbl;
	size_t		 ntbl;
	struct acl_ifinfo *ifs;		/* copy: received-on */
	size_t		 nifs;
	struct acl_tags	*tags;
	int		 own_tags;
	int		 skip;		/* set skip on this port */
	int		 linear;	/* no tree */
	int		 dir;
	uint8_t		 nslots;	/* ok[] slots used by calls */
	/* [fragment][family][subset]: see pf_tree.c */
	struct acl_tree	 tree[2][2][ACL_NSUB];
	/* what a lookup reads of them: the non-empty ones, packed */
	struct acl_tlook look[2][2][ACL_NSUB];
	uint8_t		 nlook[2][2];
	uint32_t	*xlate;		/* translating or quick match rules */
	acl_nat_fn	 nat;		/* acl_compile_args' */
	void		*nat_arg;
	acl_live_fn	 live;
	void		*live_arg;
	acl_route_fn	 route;
	void		*route_arg;
	int		 port;		/* the one it filters on */
	size_t		 nxlate;
};

/* per-evaluation state, on the caller's stack */
struct acl_keys {
	uint64_t	 k[ACL_D_MAX];
	uint8_t		 tflags;
	uint8_t		 frag;
	uint8_t		 icmp_reply;	/* state-keeping rules skip it */
	uint8_t		 afi;		/* ACL_AF4 / ACL_AF6 */
};

struct acl_ctx {
	struct acl_pkt	 p;		/* as translated so far */
	struct acl_keys	 k;
	uint32_t	 decide;	/* last pass/block entry */
	uint32_t	 match;		/* last match entry */
	uint32_t	 nat, rdr;	/* last entries with pools */
	uint32_t	 stop_at;	/* end of a quick anchor invocation */
	int		 tag;		/* -1: none set yet */
	struct acl_scrub sc;		/* the match rules' so far */
	uint8_t		 mlog;		/* their log flags */
	/* acl_eval_visit(): told of every rule that matches */
	void		(*visit)(void *, const struct acl_hit *);
	void		*visit_arg;
	uint8_t		 quick;
	uint8_t		 fail;		/* ACL_R_TRANSLATE */
	uint32_t	 rpf;		/* tree walk: last R_INLINE decision */
	uint32_t	 ok[ACL_STACK_MAX];	/* call entries that matched */
};

/* acl_step() results (pf_match.c) */
#define ACL_STEP_NEXT		0
#define ACL_STEP_STOP		1
#define ACL_STEP_RESTART	2	/* the packet was translated */

/* pf_match.c */
void	 acl_keys_make(const struct acl_pkt *, struct acl_keys *);
void	 acl_ctx_init(const struct acl_classifier *, const struct acl_pkt *,
	    struct acl_ctx *);
void	 acl_result_make(const struct acl_classifier *, const struct acl_ctx *,
	    struct acl_result *);
int	 acl_ltable_build(struct acl_ltable *, const struct acl_table *);
int	 acl_pfx_match(const struct acl_pfx *, uint32_t, const union acl_ip *,
	    uint8_t);
int	 acl_kif_match(const struct acl_ifinfo *, const char *);
uint64_t acl_ip_key(const union acl_ip *, int);

static inline int
acl_box_match(const struct acl_box *b, const struct acl_keys *k)
{
	if (k->k[ACL_D_SRC] < b->lo[0] || k->k[ACL_D_SRC] > b->hi[0] ||
	    k->k[ACL_D_DST] < b->lo[1] || k->k[ACL_D_DST] > b->hi[1] ||
	    k->k[ACL_D_SPORT] < b->plo[0] || k->k[ACL_D_SPORT] > b->phi[0] ||
	    k->k[ACL_D_DPORT] < b->plo[1] || k->k[ACL_D_DPORT] > b->phi[1] ||
	    k->k[ACL_D_PROTO] < b->prlo || k->k[ACL_D_PROTO] > b->prhi)
		return (0);
	if (b->flags & (B_PORTS | B_ICMPSTATE | B_EMPTY)) {
		if (b->flags & B_EMPTY)
			return (0);
		if ((b->flags & B_PORTS) && k->frag)
			return (0);
		if ((b->flags & B_ICMPSTATE) && k->icmp_reply)
			return (0);
	}
	/* pf: flags on a non-first TCP fragment never match */
	if (b->tflagset && k->k[ACL_D_PROTO] == 6 &&
	    (k->frag || (k->tflags & b->tflagset) != b->tflags))
		return (0);
	return (1);
}

/* pf_tree.c */
int	 acl_tree_build(struct acl_classifier *, int, int);
void	 acl_tree_free(struct acl_tree *);

#endif /* ACL_FILTER_PF_FILTER_IMPL_H */
