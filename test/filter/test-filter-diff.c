/*
 * Differential tests: the decision tree against the linear reference.
 *
 * ClassBench: every header of every trace of the corpus must give the
 * same rule from both evaluators, and that rule must be the one the
 * corpus's *_trace.first file names (first match, 0-based).  acl1_10k has
 * no trace: one is drawn from its rules, and only the evaluators are
 * compared.
 *
 * Random: rule sets with last-match rules, match rules (tags, nat-to and
 * rdr-to that move the packet), anchors (wildcard, nested, quick, with
 * criteria), tables, dynamic addresses, negations, flags, icmp types, for
 * several ports and both directions; random packets drawn near the rules.
 * Fixed seeds: a failure names its seed and packet and replays.
 *
 * Both evaluators walk the flat list pf_flat.c builds, so they agree even
 * when the flattening is wrong.  The random packets therefore also go
 * through filter_ref.c, which walks the anchor tree itself as
 * pf_match_rule() does, and must give the same result field by field:
 * this is what checks the flattening (anchor order, wildcards, nesting,
 * quick anchors, calls with criteria, the numbering of the result).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "acl/filter/pf_filter.h"
#include "acl/filter/pf_filter_bench.h"
#include "filter_build.h"
#include "filter_ref.h"

static const char *
corpus(void)
{
	const char *s = getenv("SLUICE_CORPUS");

	return (s != NULL && *s != '\0' ? s : SLUICE_CORPUS_DEFAULT);
}

static int
same_result(const struct acl_result *a, const struct acl_result *b)
{
	return (a->ar_nr == b->ar_nr && a->ar_rule == b->ar_rule &&
	    a->ar_action == b->ar_action && a->ar_reason == b->ar_reason &&
	    a->ar_quick == b->ar_quick &&
	    a->ar_quick_anchor == b->ar_quick_anchor &&
	    a->ar_tag == b->ar_tag && a->ar_nat == b->ar_nat &&
	    a->ar_rdr == b->ar_rdr && a->ar_match == b->ar_match &&
	    a->ar_mlog == b->ar_mlog &&
	    memcmp(&a->ar_scrub, &b->ar_scrub, sizeof(a->ar_scrub)) == 0);
}

/* acl_eval_visit() meets the rules the reference's walk matches. */
struct hits {
	const struct acl_rule	*r[64];
	size_t			 n;
};

static void
hit(void *arg, const struct acl_hit *h)
{
	struct hits *hs = arg;

	if (hs->n++ < 64)
		hs->r[hs->n - 1] = h->r;
}

static int
same_hits(const struct acl_classifier *c, const struct ref_env *env,
    const struct acl_pkt *p)
{
	const struct acl_rule *ref[64];
	struct hits got = { .n = 0 };
	size_t n = ref_hits(env, p, ref, 64);

	acl_eval_visit(c, p, hit, &got);
	return got.n == n && memcmp(got.r, ref, (n < 64 ? n : 64) *
	    sizeof(ref[0])) == 0;
}

/* The library's answer against the reference's, every field it fills. */
static int
same_ref(const struct acl_result *a, const struct acl_result *r)
{
	return (same_result(a, r) && a->ar_match_nr == r->ar_match_nr &&
	    a->ar_keep_state == r->ar_keep_state &&
	    a->ar_return == r->ar_return &&
	    a->ar_anchor_call == r->ar_anchor_call &&
	    a->ar_anchor_nr == r->ar_anchor_nr &&
	    (a->ar_anchor == r->ar_anchor || (a->ar_anchor != NULL &&
	    r->ar_anchor != NULL && strcmp(a->ar_anchor, r->ar_anchor) == 0)));
}

static const char *
ref_anchor(const struct acl_result *r)
{
	return (r->ar_anchor != NULL ? r->ar_anchor : "-");
}

static void
classbench(const char *set, size_t stride)
{
	char rules[1024], trace[1024], first[1024];
	struct acl_classifier *c;
	struct acl_conf *conf;
	struct acl_cb_trace t;
	struct acl_result lin, tree;
	struct acl_tree_stats st;
	size_t i, checked = 0;
	char err[128];

	snprintf(rules, sizeof(rules), "%s/classbench/%s", corpus(), set);
	snprintf(trace, sizeof(trace), "%s_trace", rules);
	snprintf(first, sizeof(first), "%s_trace.first", rules);
	if (access(rules, R_OK) != 0)
		cr_skip_test("no corpus at %s (set SLUICE_CORPUS)", rules);
	cr_assert_eq(acl_cb_load_rules(rules, &conf), 0, "%s", rules);
	if (access(trace, R_OK) == 0)
		cr_assert_eq(acl_cb_load_trace(trace, first, &t), 0, "%s",
		    trace);
	else	/* acl1_10k: no trace, no first; tree against linear only */
		cr_assert_eq(acl_cb_synth_trace(conf, 10, 1, &t), 0);
	cr_assert_eq(acl_cb_compile(conf, 1, &c, err, sizeof(err)), 0, "%s",
	    err);
	acl_classifier_stats(c, &st);
	cr_log_info("%s: %zu rules, %zu nodes, %zu leaves, %zu refs, "
	    "largest leaf %zu, depth %zu, %zu KiB%s", set, st.entries,
	    st.nodes, st.leaves, st.leaf_refs, st.max_leaf, st.max_depth,
	    st.bytes / 1024, st.budget_hit ? " (budget hit)" : "");
	for (i = 0; i < t.n; i++) {
		acl_classify(c, &t.pkt[i], &tree);
		if (t.first != NULL)
			cr_assert_eq(tree.ar_nr, t.first[i],
			    "%s line %zu: tree says rule %d, expected %d", set,
			    i + 1, tree.ar_nr, t.first[i]);
		if (t.first != NULL && t.first[i] >= 0)
			cr_assert(tree.ar_quick && tree.ar_action == ACL_PASS &&
			    tree.ar_rule->nr == (uint32_t)t.first[i]);
		/* the linear walk is slow on 10k rules: every stride-th */
		if (i % stride != 0)
			continue;
		acl_eval_linear(c, &t.pkt[i], &lin);
		cr_assert(same_result(&lin, &tree),
		    "%s line %zu: linear %d, tree %d", set, i + 1, lin.ar_nr,
		    tree.ar_nr);
		checked++;
	}
	cr_log_info("%s: %zu headers, %zu also linear", set, t.n, checked);
	acl_classifier_free(c);
	acl_cb_trace_free(&t);
	acl_cb_conf_free(conf);
}

/*
 * All headers through the tree; the linear reference on all the 1k
 * headers and on every 7th of the 10k traces (it walks ~5000 rules per
 * header: all of them would take seconds, and a minute under ASan).
 */
Test(diff, classbench_acl1_1k) { classbench("acl1_1k", 1); }
Test(diff, classbench_fw1_1k) { classbench("fw1_1k", 1); }
Test(diff, classbench_ipc1_1k) { classbench("ipc1_1k", 1); }
Test(diff, classbench_acl1_10k, .timeout = 120) { classbench("acl1_10k", 7); }
Test(diff, classbench_acl2_10k, .timeout = 120) { classbench("acl2_10k", 7); }
Test(diff, classbench_fw1_10k, .timeout = 120) { classbench("fw1_10k", 7); }
Test(diff, classbench_ipc1_10k, .timeout = 120) { classbench("ipc1_10k", 7); }

/* Random rule sets */
static uint64_t rng;

/*
 * The random rules' os names and the packets' signatures come from this
 * pf.os: two Linux versions and an OpenBSD, each an IPv4 and an IPv6
 * signature (and "Windows", which it does not have).
 */
static const struct acl_osfp_db *osfp;

static struct acl_osfp_db *
osfp_db(void)
{
	static const char text[] =
	    "S44:64:1:60:M*,S,T,N,W*:Linux:6:lab:Linux 6, a lab\n"
	    "S44:64:1:60:M*,S,T,N,W7:Linux:5:2:Linux 5.2\n"
	    "16384:64:1:64:M*,N,N,S,N,W3,N,N,T:OpenBSD:7.5::OpenBSD 7.5\n";
	char path[] = "/tmp/sluice-osfp-XXXXXX";
	struct acl_osfp_db *db = acl_osfp_new();
	int fd = mkstemp(path);

	cr_assert(fd >= 0 && db != NULL);
	cr_assert_eq(write(fd, text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	close(fd);
	cr_assert_eq(acl_osfp_read(db, path, path, stderr), 0);
	unlink(path);
	cr_assert_eq(acl_osfp_count(db), 6);
	return db;
}

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64*: fixed seeds, same sequence everywhere */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((uint32_t)((rng * 2685821657736338717ULL) >> 32) % n);
}

static int
chance(int pct)
{
	return ((int)rnd(100) < pct);
}

static const int ports[] = { 0, 1, 22, 53, 79, 80, 81, 443, 1023, 1024,
	8080, 50000, 65534, 65535 };
#define NPORTS_R	(sizeof(ports) / sizeof(ports[0]))

static void
rand_host(char *buf, size_t len, int v6)
{
	if (v6)
		snprintf(buf, len, "2001:db8:%x:%x::%x", rnd(3), rnd(3),
		    rnd(6));
	else
		snprintf(buf, len, "10.%u.%u.%u", rnd(3), rnd(4), rnd(8));
}

static void
rand_side(struct acl_rule_addr *ra, int v6, int proto)
{
	static const int len4[] = { 8, 16, 24, 30, 32 };
	static const int len6[] = { 32, 48, 64, 96, 128 };
	static const char *dyn[] = { "em0", "tap0", "self", "egress",
	    "vether0", "tap" };
	static const int mods[] = { 0, 0, 0, ACL_IFA_NETWORK,
	    ACL_IFA_NETWORK, ACL_IFA_BROADCAST, ACL_IFA_NOALIAS,
	    ACL_IFA_NOALIAS | ACL_IFA_NETWORK, ACL_IFA_PEER };
	char h[64], buf[80];
	uint8_t af;
	int k = (int)rnd(100);

	if (k < 30)
		fb_addr(ra, "any");
	else if (k < 75) {
		rand_host(h, sizeof(h), v6);
		snprintf(buf, sizeof(buf), "%s/%d", h,
		    v6 ? len6[rnd(5)] : len4[rnd(5)]);
		fb_addr(ra, buf);
	} else if (k < 80) {
		/* a - b, sometimes empty (b < a) */
		fb_addr(ra, "any");
		ra->addr.type = ACL_ADDR_RANGE;
		rand_host(h, sizeof(h), v6);
		fb_ip(&ra->addr.a.addr, &af, h);
		rand_host(h, sizeof(h), v6);
		fb_ip(&ra->addr.a.mask, &af, h);
	} else if (k < 90)
		fb_tbl(ra, rnd(2) ? "t1" : "t2");
	else
		fb_dyn(ra, dyn[rnd(6)], mods[rnd(9)]);
	if (chance(10))
		ra->neg = 1;
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && chance(40))
		fb_port(ra, 1 + (int)rnd(9), ports[rnd(NPORTS_R)],
		    ports[rnd(NPORTS_R)]);
}

/* draw the rarer criteria too (the anchor sets; the others keep theirs) */
static int g_more;

static void
rand_criteria(struct acl_rule *r)
{
	static const char *ons[] = { "tap0", "em0", "tap", "egress" };
	static const int protos[] = { 0, 0, IPPROTO_TCP, IPPROTO_TCP,
	    IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 };
	int v6;

	r->direction = (uint8_t)rnd(3);
	if (chance(30)) {
		snprintf(r->ifname, sizeof(r->ifname), "%s", ons[rnd(4)]);
		r->ifnot = chance(25);
	}
	r->proto = (uint8_t)protos[rnd(7)];
	v6 = r->proto == IPPROTO_ICMPV6 || (r->proto != IPPROTO_ICMP &&
	    chance(25));
	r->af = (uint8_t)(chance(30) && r->proto != IPPROTO_ICMP &&
	    r->proto != IPPROTO_ICMPV6 ? 0 : v6 ? AF_INET6 : AF_INET);
	if (r->af == 0) {
		/* "any" addresses only, as the parser would require */
		fb_addr(&r->src, "any");
		fb_addr(&r->dst, "any");
		if (chance(30))
			fb_tbl(&r->src, "t1");
	} else {
		rand_side(&r->src, v6, r->proto);
		rand_side(&r->dst, v6, r->proto);
	}
	if (r->proto == IPPROTO_TCP && chance(20)) {
		r->flags = ACL_TH_SYN;
		r->flagset = ACL_TH_SYN | ACL_TH_ACK;
	}
	if ((r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) &&
	    chance(40)) {
		r->type = (uint16_t)(rnd(2) ? 8 + 1 : 135 + 1);
		if (chance(30))
			r->code = 1;
	}
	if (chance(8))
		snprintf(r->tagname, sizeof(r->tagname), "T%u", rnd(3));
	if (chance(8)) {
		snprintf(r->match_tagname, sizeof(r->match_tagname), "T%u",
		    rnd(3));
		r->match_tag_not = chance(30);
	}
	if (chance(3)) {
		snprintf(r->rcv_ifname, sizeof(r->rcv_ifname), "tap");
		r->rcvifnot = chance(30);
	}
	if (chance(3))
		r->tos = 0x10;
	if (chance(3))
		r->prob = 0x80000000U;
	if (chance(10))
		r->log = (uint8_t)(rnd(2) ? 0x01 : 0x01 | ACL_LOG_MATCHES);
	/* scrub options: match rules gather them, the decider's last */
	if (chance(10)) {
		static const uint16_t sf[] = { ACL_SCRUB_NODF,
		    ACL_SCRUB_RANDOMID, ACL_SCRUB_TCP, ACL_SCRUB_SETTOS,
		    ACL_SCRUB_SETPRIO };

		r->scrub_flags = sf[rnd(5)];
		r->set_tos = (uint8_t)(4 * rnd(3));
		r->set_prio[0] = (uint8_t)rnd(8);
		r->set_prio[1] = (uint8_t)rnd(8);
		r->min_ttl = (uint8_t)(chance(30) ? 64 + rnd(3) : 0);
		r->max_mss = (uint16_t)(chance(50) ? 1200 + rnd(3) : 0);
	}
	if (g_more == 0)
		return;
	/* what sluice decides it cannot know, and the rest of "on" */
	if (r->ifname[0] == '\0' && chance(3)) {
		r->onrdomain = (int)rnd(2);
		r->ifnot = chance(30);
	}
	if (chance(2))
		r->prio = (uint8_t)(rnd(3) == 0 ? ACL_PRIO_ZERO : 3 + rnd(2));
	if (chance(2))
		r->rule_flag |= ACL_RF_FRAGMENT;
	if (r->proto == IPPROTO_TCP && chance(3)) {
		static const char *const os[] = { "unknown", "Linux",
		    "Linux 6", "linux 5.2", "OpenBSD", "Windows" };

		r->os_fp = acl_osfp_lookup(osfp, os[rnd(6)]);
		acl_osfp_name(osfp, r->os_fp, r->os, sizeof(r->os));
	}
	if ((r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) &&
	    chance(3)) {
		r->uid.op = (uint8_t)(rnd(2) ? ACL_OP_EQ : ACL_OP_GT);
		r->uid.id[0] = rnd(2) ? UINT32_MAX : 1000;
	}
	if (chance(2))
		fb_addr(&r->dst, "no-route");
}

struct gen {
	struct acl_conf	*conf;
	int		 quick_pct;
	int		 nanchors;
	/* anchors: chances in percent, 0 for the first three by default */
	int		 anchor_pct;	/* a rule is an anchor call */
	int		 maxdepth;
	int		 qanchor_pct;	/* a call is quick */
	int		 empty_pct;	/* an anchor gets no rules */
	int		 reuse_pct;	/* a call to an anchor made before */
	int		 around_pct;	/* match rules next to a call */
	/* anchors whose rules are complete: calls to them make no loop */
	struct acl_anchor *done[256];
	int		 ndone;
};

static void rand_ruleset(struct gen *, struct acl_anchor *, int, int);
static void rand_rule(struct gen *, struct acl_anchor *, int);

static void
gen_done(struct gen *g, struct acl_anchor *a)
{
	if (g->ndone < (int)(sizeof(g->done) / sizeof(g->done[0])))
		g->done[g->ndone++] = a;
}

/* a match rule with a tag or a translation, next to an anchor call */
static void
rand_match(struct gen *g, struct acl_anchor *a)
{
	struct acl_rule *r = fb_rule(a, ACL_MATCH);

	(void)g;
	rand_criteria(r);
	if (chance(50))
		snprintf(r->tagname, sizeof(r->tagname), "T%u", rnd(3));
	if (chance(40)) {
		if (r->af == AF_INET6)
			fb_pool(&r->nat, "2001:db8:9::1");
		else
			fb_pool(&r->nat, chance(50) ? "10.1.2.3" : "(em0)");
	}
}

/* The body of an anchor: maybe nothing, maybe rules and calls. */
static void
rand_body(struct gen *g, struct acl_anchor *a, int depth, int n)
{
	if (!chance(g->empty_pct))
		rand_ruleset(g, a, depth, n);
	gen_done(g, a);
}

static void
rand_call(struct gen *g, struct acl_anchor *a, int depth)
{
	/* not "aN": those are the names of new anchors */
	static const char *kids[] = { "x", "w", "b2", "c10", "m" };
	struct acl_anchor *t;
	struct acl_rule *r;
	char path[ACL_PATH_MAX], kid[ACL_PATH_MAX];
	int i, nkids, first, wild, reuse;

	if (chance(g->around_pct))
		rand_match(g, a);
	reuse = g->ndone > 0 && chance(g->reuse_pct);
	wild = chance(50);
	if (reuse)
		snprintf(path, sizeof(path), "%s",
		    g->done[rnd((uint32_t)g->ndone)]->path);
	else
		snprintf(path, sizeof(path), "%s%sa%d", a->path,
		    a->path[0] ? "/" : "", g->nanchors++);
	r = fb_call(g->conf, a, path, wild);
	rand_criteria(r);
	if (chance(60)) {
		r->af = 0;
		r->proto = 0;
		fb_addr(&r->src, "any");
		fb_addr(&r->dst, "any");
		r->flags = r->flagset = 0;
		r->type = r->code = 0;
	}
	r->quick = chance(g->qanchor_pct);
	t = r->anchor;
	if (!reuse && wild) {
		/*
		 * "x/ *": children made in an order that is not their name
		 * order; the anchor's own rules, if any, are not evaluated.
		 */
		nkids = g->empty_pct ? (int)rnd(4) : 2;
		first = (int)rnd(5);
		for (i = 0; i < nkids; i++) {
			/* each child once: a second fill could call itself */
			snprintf(kid, sizeof(kid), "%s/%s", path,
			    g->empty_pct ? kids[(first + 2 * i) % 5] :
			    i ? "w" : "x");
			rand_body(g, fb_anchor(g->conf, kid), depth + 1, 4);
		}
		if (chance(g->empty_pct))
			rand_ruleset(g, t, depth + 1, 2);
		gen_done(g, t);
	} else if (!reuse)
		rand_body(g, t, depth + 1, 6);
	if (chance(g->around_pct))
		rand_match(g, a);
}

static void
rand_rule(struct gen *g, struct acl_anchor *a, int depth)
{
	struct acl_rule *r;
	int k = (int)rnd(100);

	if (k < g->anchor_pct && depth < g->maxdepth) {
		rand_call(g, a, depth);
		return;
	}
	k = (int)rnd(100);
	r = fb_rule(a, k < 50 ? ACL_PASS : k < 85 ? ACL_BLOCK : ACL_MATCH);
	rand_criteria(r);
	/* "match quick" ends the evaluation too (pf_match_rule()) */
	r->quick = chance(r->action == ACL_MATCH ? g->quick_pct / 3 :
	    g->quick_pct);
	if (r->action == ACL_PASS && chance(40))
		r->keep_state = ACL_STATE_NORMAL;
	if (r->action == ACL_MATCH && chance(40)) {
		if (r->af == AF_INET6)
			fb_pool(&r->nat, chance(50) ? "2001:db8:9::1" : "(em0)");
		else
			fb_pool(&r->nat, chance(50) ? "10.1.2.3" : "(em0)");
	}
	if (r->action == ACL_MATCH && chance(15)) {
		fb_pool(&r->rdr, r->af == AF_INET6 ? "2001:db8:1:1::5" :
		    "10.2.3.4");
		r->rdr.proxy_port[0] = chance(50) ? 80 : 0;
		r->rdr.proxy_port[1] = 0;
	}
	if (r->action == ACL_PASS && chance(5))
		fb_pool(&r->nat, "192.0.2.1");
}

static void
rand_ruleset(struct gen *g, struct acl_anchor *a, int depth, int n)
{
	int i, cnt = 1 + (int)rnd((uint32_t)n);

	for (i = 0; i < cnt; i++)
		rand_rule(g, a, depth);
}

static struct acl_pkt
rand_pkt(void)
{
	static const int protos[] = { IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP,
	    IPPROTO_ICMP, 47 };
	static const int types[] = { 0, 3, 8, 135, 136, 129 };
	char s[64], d[64];
	struct acl_pkt p;
	int v6 = chance(30), proto;

	rand_host(s, sizeof(s), v6);
	rand_host(d, sizeof(d), v6);
	if (chance(10))
		snprintf(d, sizeof(d), "%s", v6 ? "2001:db8::1" : "192.0.2.1");
	if (chance(5))
		snprintf(s, sizeof(s), "%s", v6 ? "2001:db8:9::1" : "10.1.2.3");
	proto = protos[rnd(5)];
	if (proto == IPPROTO_ICMP && v6)
		proto = IPPROTO_ICMPV6;
	p = fb_pkt(s, d, proto, 0, 0);
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		p.sport = (uint16_t)(ports[rnd(NPORTS_R)] + (int)rnd(3) - 1);
		p.dport = (uint16_t)(ports[rnd(NPORTS_R)] + (int)rnd(3) - 1);
	}
	if (proto == IPPROTO_TCP) {
		p.tcp_flags = (uint8_t)(rnd(2) ? ACL_TH_SYN : rnd(256));
		/* none, or one of osfp_db()'s signatures */
		p.osfp = (uint16_t)rnd(1 + (unsigned)acl_osfp_count(osfp));
	}
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		p.icmp_type = (uint8_t)types[rnd(6)];
		p.icmp_code = (uint8_t)rnd(2);
	}
	if (chance(5)) {
		p.frag = 1;
		p.sport = p.dport = 0;
	}
	if (chance(10))
		p.tos = 0x10;
	if (chance(20))
		p.prio = (uint8_t)rnd(8);	/* from a vlan's PCP */
	p.rcvif = (uint16_t)(chance(50) ? rnd(4) : ACL_RCVIF_NONE);
	return (p);
}

/*
 * What the differential tests draw: the rule set's shape, how many
 * packets per (port, direction), and every how many of them also go
 * through the reference (0: none).
 */
struct rand_set {
	int		 nrules;
	int		 quick_pct;
	int		 npkts;
	int		 ref_stride;
	int		 anchor_pct;	/* 0: 8 % */
	int		 maxdepth;	/* 0: 3 */
	int		 qanchor_pct;	/* -1: 30 % if quick_pct, else 0 */
	int		 empty_pct;
	int		 reuse_pct;
	int		 around_pct;
	int		 local_tables;	/* anchors with their own t1, t2 */
	int		 more;		/* rdomain, prio, os, uid, ... */
};

/* packets on which pf.c's stale ctx->a would decide otherwise */
static size_t stale_diff, stale_total;
/* what the reference saw: decided in an anchor, by a quick anchor */
static size_t seen_anchor, seen_qanchor, seen_xlate_fail;

static void
rand_diff(uint64_t seed, const struct rand_set *rs)
{
	static const char *t1[] = { "10.0.0.0/16", "!10.0.1.0/24",
	    "10.0.1.4/30", "2001:db8:1::/48", NULL };
	static const char *t2[] = { "10.1.0.0/16", "10.2.3.0/24",
	    "!10.2.3.7", NULL };
	static const char *t1local[] = { "10.0.1.0/24", "!10.0.1.4/30",
	    "2001:db8:2::/48", NULL };
	static const char *t2local[] = { "10.2.0.0/16", "!10.2.3.0/24",
	    "10.2.3.7", NULL };
	struct acl_ifinfo ifs[4];
	struct acl_compile_args args;
	struct acl_classifier *c;
	struct acl_result lin, tree, ref;
	struct ref_env env;
	struct acl_tags *tags;
	struct acl_pkt p;
	struct gen g;
	int i, port, dir, tagsn;
	uint16_t tagid[3];
	char err[128];

	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	memset(&g, 0, sizeof(g));
	g.conf = fb_conf_new();
	g.conf->osfp = osfp_db();
	osfp = g.conf->osfp;
	g.quick_pct = rs->quick_pct;
	g.anchor_pct = rs->anchor_pct ? rs->anchor_pct : 8;
	g.maxdepth = rs->maxdepth ? rs->maxdepth : 3;
	g.qanchor_pct = rs->qanchor_pct >= 0 ? rs->qanchor_pct :
	    rs->quick_pct > 0 ? 30 : 0;
	g.empty_pct = rs->empty_pct;
	g.reuse_pct = rs->reuse_pct;
	g.around_pct = rs->around_pct;
	g_more = rs->more;
	fb_table(g.conf, "t1", "", t1);
	fb_table(g.conf, "t2", "", t2);
	while (g.conf->root->rs.nrules < (size_t)rs->nrules)
		rand_rule(&g, g.conf->root, 0);
	/* tables of anchors hide the main ones there, not elsewhere */
	for (i = 0; rs->local_tables && i < g.ndone; i += 3)
		fb_table(g.conf, i % 2 ? "t2" : "t1", g.done[i]->path,
		    i % 2 ? t2local : t1local);
	fb_if(&ifs[0], "em0", "em egress",
	    "192.0.2.1/24 fe80::1/64 2001:db8::1/64");
	fb_if(&ifs[1], "tap0", "tap", "");
	fb_if(&ifs[2], "vether0", "vether", "10.0.1.1/24 10.2.3.1/24");
	fb_if(&ifs[3], "tap1", "tap", "10.1.0.9/16");
	tags = acl_tags_new();
	for (tagsn = 0; tagsn < 3; tagsn++) {
		char name[8];

		snprintf(name, sizeof(name), "T%d", tagsn);
		tagid[tagsn] = acl_tag_id(tags, name, 1);
	}
	for (port = 0; port < 4; port++)
		for (dir = ACL_IN; dir <= ACL_OUT; dir++) {
			memset(&args, 0, sizeof(args));
			args.conf = g.conf;
			args.ifs = ifs;
			args.nifs = 4;
			args.port = (size_t)port;
			args.dir = dir;
			args.tags = tags;
			cr_assert_eq(acl_compile(&args, &c, err, sizeof(err)),
			    0, "seed %llu: %s", (unsigned long long)seed, err);
			ref_env_of(&env, &args);
			for (i = 0; i < rs->npkts; i++) {
				p = rand_pkt();
				if (chance(20))
					p.tag = tagid[rnd(3)];
				acl_eval_linear(c, &p, &lin);
				acl_classify(c, &p, &tree);
				cr_assert(same_result(&lin, &tree),
				    "seed %llu port %d dir %d packet %d: "
				    "linear %d/%d/%d, tree %d/%d/%d",
				    (unsigned long long)seed, port, dir, i,
				    lin.ar_nr, lin.ar_action, lin.ar_reason,
				    tree.ar_nr, tree.ar_action,
				    tree.ar_reason);
				if (rs->ref_stride == 0 ||
				    i % rs->ref_stride != 0)
					continue;
				env.stale_anchor = 0;
				cr_assert(same_hits(c, &env, &p),
				    "seed %llu port %d dir %d packet %d: the "
				    "rules that match differ",
				    (unsigned long long)seed, port, dir, i);
				ref_eval(&env, &p, &ref);
				cr_assert(same_ref(&tree, &ref) &&
				    same_ref(&lin, &ref),
				    "seed %llu port %d dir %d packet %d: "
				    "tree/linear nr %d/%d action %d reason %d "
				    "quick %d/%d tag %d match %d anchor %s:%u, "
				    "reference nr %d action %d reason %d "
				    "quick %d/%d tag %d match %d anchor %s:%u",
				    (unsigned long long)seed, port, dir, i,
				    tree.ar_nr, lin.ar_nr, tree.ar_action,
				    tree.ar_reason, tree.ar_quick,
				    tree.ar_quick_anchor, tree.ar_tag,
				    tree.ar_match_nr, ref_anchor(&tree),
				    tree.ar_anchor_nr, ref.ar_nr,
				    ref.ar_action, ref.ar_reason, ref.ar_quick,
				    ref.ar_quick_anchor, ref.ar_tag,
				    ref.ar_match_nr, ref_anchor(&ref),
				    ref.ar_anchor_nr);
				seen_anchor += ref.ar_anchor != NULL &&
				    ref.ar_anchor[0] != '\0';
				seen_qanchor += ref.ar_quick_anchor;
				seen_xlate_fail += ref.ar_reason ==
				    ACL_R_TRANSLATE;
				/* how often OpenBSD's stale ctx->a matters */
				env.stale_anchor = 1;
				ref_eval(&env, &p, &lin);
				stale_total++;
				if (lin.ar_nr != ref.ar_nr ||
				    lin.ar_quick_anchor != ref.ar_quick_anchor)
					stale_diff++;
			}
			acl_classifier_free(c);
		}
	acl_tags_free(tags);
	fb_conf_free(g.conf);
}

static void
stale_report(const char *name)
{
	cr_log_info("%s: %zu packets through the reference: %zu decided in "
	    "an anchor, %zu by a quick anchor, %zu failed a translation", name,
	    stale_total, seen_anchor, seen_qanchor, seen_xlate_fail);
	cr_log_info("%s: %zu of %zu packets decided otherwise with pf.c's "
	    "ctx->a left stale after a nested anchor", name, stale_diff,
	    stale_total);
	stale_diff = stale_total = 0;
	seen_anchor = seen_qanchor = seen_xlate_fail = 0;
}

Test(diff, random_last_match_small)
{
	struct rand_set rs = { .nrules = 20, .npkts = 300, .ref_stride = 1,
	    .qanchor_pct = -1 };
	uint64_t seed;

	for (seed = 1; seed <= 150; seed++)
		rand_diff(seed, &rs);
	stale_report("random_last_match_small");
}

Test(diff, random_last_match_large)
{
	struct rand_set rs = { .nrules = 1500, .npkts = 3000,
	    .ref_stride = 10, .qanchor_pct = -1 };
	uint64_t seed;

	for (seed = 1000; seed < 1006; seed++)
		rand_diff(seed, &rs);
	stale_report("random_last_match_large");
}

Test(diff, random_with_quick)
{
	struct rand_set rs = { .nrules = 40, .quick_pct = 15, .npkts = 300,
	    .ref_stride = 1, .qanchor_pct = -1 };
	struct rand_set big = { .nrules = 1500, .quick_pct = 5,
	    .npkts = 3000, .ref_stride = 10, .qanchor_pct = -1 };
	uint64_t seed;

	for (seed = 2000; seed < 2100; seed++)
		rand_diff(seed, &rs);
	for (seed = 3000; seed < 3004; seed++)
		rand_diff(seed, &big);
	stale_report("random_with_quick");
}

/*
 * Anchor-heavy sets, for the flattening: a call in every fourth rule,
 * nested four deep, wildcards with zero to three children made out of
 * name order (and rules of their own, which "x/ *" does not evaluate),
 * empty anchors, quick anchors with and without quick rules, calls with
 * criteria, anchors called twice, match rules with tags and nat-to right
 * before and after calls, anchors with tables of their own.
 */
Test(diff, random_anchors)
{
	struct rand_set rs = { .nrules = 12, .npkts = 200, .ref_stride = 1,
	    .anchor_pct = 25, .maxdepth = 4, .qanchor_pct = 40,
	    .empty_pct = 15, .reuse_pct = 15, .around_pct = 30,
	    .local_tables = 1, .more = 1 };
	uint64_t seed;

	for (seed = 4000; seed < 4200; seed++)
		rand_diff(seed, &rs);
	rs.quick_pct = 10;
	for (seed = 5000; seed < 5200; seed++)
		rand_diff(seed, &rs);
	stale_report("random_anchors");
}
