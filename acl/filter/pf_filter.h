/*
 * acl/filter/pf_filter.h: the pf rule classifier.
 *
 * At load, the anchor tree of a parsed pf.conf (acl/pf_ast.h) is flattened
 * for one (port, direction): rules whose "on" and direction cannot apply
 * there are dropped, anchor calls are replaced by the rules they evaluate
 * (wildcard calls by every child, in name order), and dynamic interface
 * addresses and tables are resolved into lookups.  The flat list is then
 * compiled into a decision tree (pf_tree.c explains the choice).
 *
 * Two evaluators give identical answers:
 *   acl_eval_linear()  the reference: every flat entry in order, as pf does;
 *   acl_classify()     the tree: cost bounded by the tree depth and a leaf
 *                      bin, not by the number of rules.
 * Both call the same per-entry match function, so they can only differ if
 * the tree loses a candidate; the differential tests check that it never
 * does.
 *
 * The classifier keeps pointers into the acl_conf it was compiled from: the
 * conf must outlive it.  Interface addresses and table contents are copied
 * at compile time: when they change (DHCP, "pfctl -t"), compile again, as
 * pf's dynaddr and table updates do.  A classifier is read-only once built
 * and may be used from any number of threads.
 */
#ifndef ACL_FILTER_PF_FILTER_H
#define ACL_FILTER_PF_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "acl/pf_ast.h"

/*
 * The header fields a rule looks at, filled by the dataplane once per
 * packet.  All-zero is a valid (if useless) packet.
 */
#define ACL_DEFPRIO	3		/* IFQ_DEFPRIO */

struct acl_pkt {
	uint8_t		 af;		/* AF_INET, AF_INET6 */
	uint8_t		 proto;		/* upper-layer protocol */
	uint8_t		 tcp_flags;	/* ACL_TH_* (TCP) */
	union {
		struct {
			uint8_t	 icmp_type;	/* ICMP, ICMPv6 */
			uint8_t	 icmp_code;
		};
		uint16_t	 osfp;		/* TCP: the pf.os signature its
						 * SYN matches, 0: none
						 * (acl_osfp_fingerprint()) */
	};
	uint8_t		 tos;		/* IPv4 tos / IPv6 traffic class */
	uint8_t		 frag;		/* a non-first fragment: no ports */
	uint8_t		 prio;		/* 0-7, ACL_DEFPRIO unless a vlan
					 * or set prio gave another */
	uint16_t	 sport;		/* host order; 0 unless TCP/UDP */
	uint16_t	 dport;
	uint16_t	 tag;		/* tag id carried (acl_tags), 0: none */
	uint16_t	 rcvif;		/* port index it was received on, */
#define ACL_RCVIF_NONE	0xffff		/* ... for "received-on" */
	union acl_ip	 src;		/* network order */
	union acl_ip	 dst;
};

/*
 * What compilation needs to know about one port.  Pass every port: "(em0)"
 * in a rule that applies on tap0 needs em0's addresses, and "self" is every
 * address of every port.  Every port is also implicitly in group "all".
 */
#define ACL_IF_MAXGROUPS	8
#define ACL_IF_MAXADDRS		16

struct acl_ifaddr {
	uint8_t		 af;		/* AF_INET, AF_INET6 */
	uint8_t		 plen;		/* prefix length */
	union acl_ip	 addr;		/* network order */
};

struct acl_ifinfo {
	char		 name[ACL_IFNAMSIZ];		/* "tap0", "em0" */
	char		 groups[ACL_IF_MAXGROUPS][ACL_IFNAMSIZ];
	int		 ngroups;	/* "tap", "vlan", "egress" ... */
	struct acl_ifaddr addrs[ACL_IF_MAXADDRS];
	int		 naddrs;	/* first of each af = "(if:0)" */
};

/*
 * Tag names to ids.  Ids outlive a ruleset, as pf's tagname2tag() table
 * does, so that packets and states keep meaning across a reload: the
 * dataplane keeps one acl_tags for its lifetime and passes it to every
 * compile.  Ids start at 1; 0 is "no tag".
 */
struct acl_tags;

struct acl_tags	*acl_tags_new(void);
void		 acl_tags_free(struct acl_tags *);
/* The id of name; with create, a new one if unknown.  0: none. */
uint16_t	 acl_tag_id(struct acl_tags *, const char *, int);
const char	*acl_tag_name(const struct acl_tags *, uint16_t);

/*
 * The flattened rule list of one (port, direction).  An anchor call stays
 * in the list as an ACL_FLAT_CALL entry at its position (it is evaluated
 * there: its criteria, its tag), followed by the rules it reaches.
 */
#define ACL_FLAT_RULE	0
#define ACL_FLAT_CALL	1

struct acl_flat_rule {
	const struct acl_rule	*fr_rule;
	const struct acl_anchor	*fr_anchor;	/* ruleset it lives in */
	const struct acl_rule	*fr_call;	/* innermost anchor call */
	uint8_t			 fr_kind;	/* ACL_FLAT_* */
	uint8_t			 fr_depth;	/* anchor nesting */
};

struct acl_flat {
	struct acl_flat_rule	*f_rules;
	size_t			 f_n;
};

/* Compilation */
/*
 * What rule r's nat-to gives a packet: given it as it was (orig) and with
 * the pool's first address as its source (np), set np's source address
 * and port to what the caller will translate it to when it makes the
 * state.  pf_get_transaddr() picks both in the match rule, and the rules
 * after it see them.  Returns 0, or -1 when the pool has no address or no
 * port is free (the packet fails: ACL_R_TRANSLATE).
 */
typedef int	(*acl_nat_fn)(void *, const struct acl_rule *,
		    const struct acl_pkt *, struct acl_pkt *);

/*
 * Whether rule r (of anchor a) may match now, from what the caller keeps
 * per rule: a `once' rule that has decided a packet has expired, a
 * `max-pkt-rate' rule over its rate stops matching.  Asked last, when
 * everything else of the rule matched (pf_match_rule(): "must be last"),
 * and counts the packet toward the rate unless dry (acl_eval_visit()'s
 * second look at a packet).  Returns 1 when the rule matches.
 */
typedef int	(*acl_live_fn)(void *, const struct acl_rule *,
		    const struct acl_anchor *, int);

/*
 * pf_routable(): the port (index in ifs) the route to ip goes out on, -1
 * for no route, ACL_ROUTE_ANY for an address every port routes (IPv6
 * link-local); for `no-route' and `urpf-failed'.
 */
#define ACL_ROUTE_ANY	(-2)
typedef int	(*acl_route_fn)(void *, uint8_t, const union acl_ip *);

struct acl_compile_args {
	const struct acl_conf	*conf;
	const struct acl_ifinfo	*ifs;		/* every port */
	size_t			 nifs;
	size_t			 port;		/* index in ifs */
	int			 dir;		/* ACL_IN or ACL_OUT */
	struct acl_tags		*tags;		/* NULL: private ids */
	int			 flags;
	acl_nat_fn		 nat;		/* NULL: the pool's first
						   address, the port kept */
	void			*nat_arg;
	acl_live_fn		 live;		/* NULL: once and max-pkt-rate
						   rules always match */
	void			*live_arg;
	acl_route_fn		 route;		/* NULL: no-route and
						   urpf-failed match nothing */
	void			*route_arg;
};
#define ACL_COMPILE_LINEAR	0x01	/* no tree: acl_classify() is linear */

struct acl_classifier;

/*
 * Returns 0, or an errno with a message in err: ENOMEM, EINVAL (port out of
 * range, anchors nested deeper than pf's 64, more than 65535 tags).
 */
int	 acl_compile(const struct acl_compile_args *, struct acl_classifier **,
	    char *, size_t);
void	 acl_classifier_free(struct acl_classifier *);
const struct acl_flat *acl_classifier_flat(const struct acl_classifier *);

/* Memory and shape of the tree, for the README, sluicectl and the bench. */
struct acl_tree_stats {
	size_t		 entries;	/* flat entries */
	size_t		 nodes;		/* inner nodes + leaves, both trees */
	size_t		 leaves;
	size_t		 leaf_refs;	/* rule references held by leaves */
	size_t		 max_leaf;	/* largest leaf */
	size_t		 max_depth;
	size_t		 bytes;		/* everything the classifier holds */
	int		 budget_hit;	/* replication limit stopped cutting */
};
void	 acl_classifier_stats(const struct acl_classifier *,
	    struct acl_tree_stats *);

/* acl_result.ar_reason */
#define ACL_R_NOMATCH	0	/* no pass/block rule: pass without state */
#define ACL_R_MATCH	1	/* a rule decided */
#define ACL_R_SKIP	2	/* "set skip on" this port */
#define ACL_R_TRANSLATE	3	/* a match rule's nat-to/rdr-to pool has no
				   address (e.g. "(em0)" without one): pf
				   drops the packet */

/*
 * The verdict.  ar_nat and ar_rdr are the last rules carrying nat-to
 * (binat-to out) and rdr-to (binat-to in) among the match rules that matched
 * before evaluation ended and the deciding rule itself, which wins, as in
 * pf_test_rule().  pf translates only packets that create a state: a rule
 * with "no state" or no decision at all leaves them unused.
 */
/*
 * Scrub options, set tos and set prio, as pf_rule_to_actions() gathers
 * them from the match rules that apply and then the deciding rule: the
 * flags accumulate, a later min-ttl, max-mss, set tos or set prio
 * replaces an earlier one.  pf_scrub() and pf_normalize_mss() apply them
 * to the packet, pf_test() the priority.
 */
struct acl_scrub {
	uint8_t		 flags;		/* ACL_SCRUB_* */
	uint8_t		 min_ttl;
	uint8_t		 set_tos;
	uint8_t		 set_prio;	/* set prio (N, M): N | M << 4 */
	uint16_t	 max_mss;
	uint8_t		 qid;		/* set queue (q, pq): acl_rule's */
	uint8_t		 pqid;
};

/* What sluice enforces: all of it. */
#define ACL_SCRUB_ENFORCED	(ACL_SCRUB_NODF | ACL_SCRUB_RANDOMID | \
				 ACL_SCRUB_TCP | ACL_SCRUB_SETTOS | \
				 ACL_SCRUB_SETPRIO)

static inline int
acl_rule_scrubs(const struct acl_rule *r)
{
	return ((r->scrub_flags & (ACL_SCRUB_ENFORCED | ACL_SCRUB_TCP |
	    ACL_SCRUB_DELAYMASK)) || r->min_ttl || r->max_mss || r->qid);
}

static inline void
acl_scrub_add(struct acl_scrub *sc, const struct acl_rule *r)
{
	sc->flags |= (uint8_t)(r->scrub_flags & (ACL_SCRUB_ENFORCED |
	    ACL_SCRUB_TCP));
	if (r->scrub_flags & ACL_SCRUB_DELAYMASK)	/* the last one's */
		sc->flags = (uint8_t)((sc->flags & ~ACL_SCRUB_DELAYMASK) |
		    (r->scrub_flags & ACL_SCRUB_DELAYMASK));
	if (r->scrub_flags & ACL_SCRUB_SETTOS)
		sc->set_tos = r->set_tos;
	if (r->scrub_flags & ACL_SCRUB_SETPRIO)
		sc->set_prio = (uint8_t)(r->set_prio[0] | r->set_prio[1] << 4);
	if (r->min_ttl)
		sc->min_ttl = r->min_ttl;
	if (r->max_mss)
		sc->max_mss = r->max_mss;
	if (r->qid) {
		sc->qid = r->qid;
		sc->pqid = r->pqid;
	}
}

static inline int
acl_scrub_any(const struct acl_scrub *sc)
{
	return ((sc->flags & (ACL_SCRUB_ENFORCED | ACL_SCRUB_DELAYMASK)) ||
	    sc->min_ttl || sc->max_mss || sc->qid);
}

/*
 * Laid out without holes: one more 8 bytes (88) makes gcc clear the
 * result with "rep stosq", ~5 ns a lookup at 10 rules.
 */
struct acl_result {
	const struct acl_rule	*ar_rule;	/* deciding rule, or NULL */
	int32_t			 ar_nr;		/* its flat index, or -1 */
	uint32_t		 ar_return;	/* ACL_RF_RETURN* of the rule */
	int32_t			 ar_match_nr;	/* ar_match's flat index, or -1 */
	uint32_t		 ar_anchor_nr;	/* ar_rule->nr there */
	uint8_t			 ar_action;	/* ACL_PASS or ACL_BLOCK */
	uint8_t			 ar_reason;	/* ACL_R_* */
	uint8_t			 ar_quick;	/* the rule was quick */
	uint8_t			 ar_quick_anchor; /* a quick anchor stopped */
	uint8_t			 ar_keep_state;	/* ACL_STATE_*, 0: none */
	uint8_t			 ar_mlog;	/* log flags of the match rules
						   that applied: acl_eval_visit()
						   says which */
	struct acl_scrub	 ar_scrub;	/* to apply on pass */
	uint16_t		 ar_tag;	/* tag to set (pf does on pass),
						   0: keep the packet's */
	const struct acl_rule	*ar_nat;	/* nat-to to apply, or NULL */
	const struct acl_rule	*ar_rdr;	/* rdr-to to apply, or NULL */
	const struct acl_rule	*ar_match;	/* last match rule, or NULL */
	const struct acl_rule	*ar_anchor_call; /* pf's "anchor rule" */
	const char		*ar_anchor;	/* path of ar_rule's ruleset */
};

/*
 * Every rule that matches a packet, in evaluation order, as pf_match_rule()
 * meets them (translations and quick stops included; anchor calls are
 * not rules): for pflog's `match log' and `log (matches)', which log at
 * each matching rule, not only at the deciding one.  A linear walk: for
 * packets a log rule concerns, when someone reads pflog.
 */
struct acl_hit {
	const struct acl_rule	*r;
	const struct acl_rule	*call;		/* innermost anchor call */
	const char		*anchor;	/* path of r's ruleset */
	uint32_t		 nr;		/* r->nr there */
};
void	 acl_eval_visit(const struct acl_classifier *, const struct acl_pkt *,
	    void (*)(void *, const struct acl_hit *), void *);

/* Per packet.  Both give the same result for every packet. */
void	 acl_eval_linear(const struct acl_classifier *, const struct acl_pkt *,
	    struct acl_result *);
void	 acl_classify(const struct acl_classifier *, const struct acl_pkt *,
	    struct acl_result *);

/*
 * A table's entries hashed as the classifier holds them, for what looks
 * an address up outside a classification (the dataplane's table
 * statistics): acl_ltable_entry() is the index in t->e of the entry
 * pfr_update_stats()'s rn_match() finds, the longest holding the address
 * ('!' entries too), or -1.  The table must not change while it is used.
 */
struct acl_ltable;
struct acl_ltable *acl_ltable_new(const struct acl_table *);
void	 acl_ltable_free(struct acl_ltable *);
long	 acl_ltable_entry(const struct acl_ltable *, uint8_t,
	    const union acl_ip *);

#endif /* ACL_FILTER_PF_FILTER_H */
