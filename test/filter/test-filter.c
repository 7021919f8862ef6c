/*
 * The pf rule classifier: semantics, one rule of pf.conf(5) at a time.
 * Every packet goes through both evaluators (linear and tree) and the
 * reference that walks the anchors (filter_ref.c), and they must agree
 * before the answer is checked.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "acl/filter/pf_filter.h"
#include "filter_build.h"

enum { EM0, TAP0, VETHER0, TAP1, NPORTS };

static struct acl_ifinfo ifs[NPORTS];
static struct acl_conf *conf;
static struct acl_anchor *root;
static struct acl_tags *tags;

static void
setup(void)
{
	fb_if(&ifs[EM0], "em0", "em egress", "192.0.2.1/24 2001:db8::1/64");
	fb_if(&ifs[TAP0], "tap0", "tap", "");
	fb_if(&ifs[VETHER0], "vether0", "vether", "10.50.0.1/24");
	fb_if(&ifs[TAP1], "tap1", "tap", "");
	conf = fb_conf_new();
	root = conf->root;
	tags = acl_tags_new();
}

static void
teardown(void)
{
	fb_conf_free(conf);
	acl_tags_free(tags);
}

TestSuite(filter, .init = setup, .fini = teardown);


static struct acl_result
eval(int port, int dir, struct acl_pkt p)
{
	return (fb_eval(conf, ifs, NPORTS, (size_t)port, dir, tags, p));
}

static struct acl_pkt
udp(const char *s, const char *d, int dport)
{
	return (fb_pkt(s, d, IPPROTO_UDP, 40000, dport));
}

#define PASSES(res, n) do {						\
	cr_expect_eq((res).ar_action, ACL_PASS, "expected pass");	\
	cr_expect_eq((res).ar_nr, (n), "deciding entry %d, expected %d",\
	    (res).ar_nr, (n));						\
} while (0)
#define BLOCKS(res, n) do {						\
	cr_expect_eq((res).ar_action, ACL_BLOCK, "expected block");	\
	cr_expect_eq((res).ar_nr, (n), "deciding entry %d, expected %d",\
	    (res).ar_nr, (n));						\
} while (0)

Test(filter, last_match_wins)
{
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->proto = IPPROTO_TCP;
	fb_port(&r->dst, ACL_OP_EQ, 80, 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 81)), 0);
	BLOCKS(eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 80)), 0);
}

Test(filter, quick_stops)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_PASS);
	r->quick = 1;
	r->proto = IPPROTO_TCP;
	fb_rule(root, ACL_BLOCK);
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 22));
	PASSES(res, 0);
	cr_expect(res.ar_quick);
	res = eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 53));
	BLOCKS(res, 1);
	cr_expect(!res.ar_quick);
}

/*
 * "match quick" ends the evaluation where it matches, as any quick rule
 * does in pf_match_rule(): its options apply, the last pass or block
 * rule before it decides, and no rule after it is looked at.
 */
Test(filter, match_quick_ends_evaluation)
{
	struct acl_result res;
	struct acl_rule *r;

	fb_rule(root, ACL_PASS);
	r = fb_rule(root, ACL_MATCH);
	r->quick = 1;
	r->proto = IPPROTO_TCP;
	fb_rule(root, ACL_BLOCK);
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 22));
	PASSES(res, 0);
	cr_expect_eq(res.ar_match, &root->rs.rules[1]);
	cr_expect(!res.ar_quick, "the deciding rule is not quick");
	res = eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 53));
	BLOCKS(res, 2);
	cr_expect_null(res.ar_match);
}

Test(filter, nothing_matched_passes_without_state)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_BLOCK);
	r->proto = IPPROTO_UDP;
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 22));
	cr_expect_eq(res.ar_action, ACL_PASS);
	cr_expect_eq(res.ar_reason, ACL_R_NOMATCH);
	cr_expect_eq(res.ar_nr, -1);
	cr_expect_null(res.ar_rule);
	cr_expect_eq(res.ar_keep_state, 0);
}

Test(filter, keep_state_and_return_as_on_the_rule)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_PASS);
	r->keep_state = ACL_STATE_NORMAL;
	r = fb_rule(root, ACL_BLOCK);
	r->proto = IPPROTO_UDP;
	r->rule_flag = ACL_RF_RETURN;
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 22));
	cr_expect_eq(res.ar_keep_state, ACL_STATE_NORMAL);
	res = eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 53));
	BLOCKS(res, 1);
	cr_expect_eq(res.ar_return, ACL_RF_RETURN);
}

/* match ... nat-to applies, evaluation goes on, later rules see it */
Test(filter, match_then_pass_carries_nat)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_MATCH);
	r->direction = ACL_OUT;
	snprintf(r->ifname, sizeof(r->ifname), "egress");
	r->af = AF_INET;
	fb_addr(&r->src, "10.50.0.0/24");
	fb_pool(&r->nat, "(egress)");
	r = fb_rule(root, ACL_PASS);
	r->direction = ACL_OUT;
	res = eval(EM0, ACL_OUT, fb_syn("10.50.0.7", "203.0.113.5", 443));
	PASSES(res, 1);
	cr_expect_eq(res.ar_nat, &root->rs.rules[0]);
	cr_expect_eq(res.ar_match, &root->rs.rules[0]);
	cr_expect_null(res.ar_rdr);
	/* on another port the match rule is not there */
	res = eval(TAP0, ACL_OUT, fb_syn("10.50.0.7", "203.0.113.5", 443));
	PASSES(res, 0);
	cr_expect_null(res.ar_nat);
}

Test(filter, later_rules_see_the_translated_source)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_MATCH);
	r->direction = ACL_OUT;
	r->af = AF_INET;
	fb_addr(&r->src, "10.50.0.0/24");
	fb_pool(&r->nat, "(em0)");
	r = fb_rule(root, ACL_PASS);
	r = fb_rule(root, ACL_BLOCK);
	fb_addr(&r->src, "10.50.0.0/24");	/* no longer the source */
	res = eval(EM0, ACL_OUT, fb_syn("10.50.0.7", "203.0.113.5", 443));
	PASSES(res, 1);
	r = fb_rule(root, ACL_BLOCK);
	fb_addr(&r->src, "192.0.2.1");	/* em0's address is */
	res = eval(EM0, ACL_OUT, fb_syn("10.50.0.7", "203.0.113.5", 443));
	BLOCKS(res, 3);
	cr_expect_eq(res.ar_nat, &root->rs.rules[0]);
}

/* NAT66 to (em0): later rules see em0's first global address, not the
 * link-local one listed before it (what sluiced translates to). */
Test(filter, later_rules_see_the_global_ipv6_of_if)
{
	struct acl_result res;
	struct acl_rule *r;

	fb_if(&ifs[EM0], "em0", "em egress",
	    "192.0.2.1/24 fe80::1/64 2001:db8::1/64");
	r = fb_rule(root, ACL_MATCH);
	r->direction = ACL_OUT;
	r->af = AF_INET6;
	fb_pool(&r->nat, "(em0)");
	r = fb_rule(root, ACL_PASS);
	r = fb_rule(root, ACL_BLOCK);
	fb_addr(&r->src, "fe80::1");
	r = fb_rule(root, ACL_BLOCK);
	r->quick = 1;
	fb_addr(&r->src, "2001:db8::1");
	res = eval(EM0, ACL_OUT, fb_syn("2001:db8:50::7", "2001:db8:9::5",
	    443));
	BLOCKS(res, 3);
}

Test(filter, last_nat_wins_and_the_deciding_rule_wins_over_match)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_MATCH);
	fb_pool(&r->nat, "198.51.100.1");
	r = fb_rule(root, ACL_MATCH);
	fb_pool(&r->nat, "198.51.100.2");
	r = fb_rule(root, ACL_PASS);
	res = eval(EM0, ACL_OUT, fb_syn("10.50.0.7", "203.0.113.5", 443));
	PASSES(res, 2);
	cr_expect_eq(res.ar_nat, &root->rs.rules[1]);
	r = fb_rule(root, ACL_PASS);
	fb_pool(&r->nat, "198.51.100.3");
	res = eval(EM0, ACL_OUT, fb_syn("10.50.0.7", "203.0.113.5", 443));
	PASSES(res, 3);
	cr_expect_eq(res.ar_nat, &root->rs.rules[3]);
}

Test(filter, rdr_to_moves_the_destination)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_MATCH);
	r->direction = ACL_IN;
	r->af = AF_INET;
	r->proto = IPPROTO_TCP;
	fb_port(&r->dst, ACL_OP_EQ, 80, 0);
	fb_pool(&r->rdr, "10.50.0.10");
	r->rdr.proxy_port[0] = 8080;
	r->rdr.proxy_port[1] = 0;
	r = fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->proto = IPPROTO_TCP;
	fb_addr(&r->dst, "10.50.0.10");
	fb_port(&r->dst, ACL_OP_EQ, 8080, 0);
	res = eval(EM0, ACL_IN, fb_syn("203.0.113.5", "192.0.2.1", 80));
	PASSES(res, 2);
	cr_expect_eq(res.ar_rdr, &root->rs.rules[0]);
	BLOCKS(eval(EM0, ACL_IN, fb_syn("203.0.113.5", "192.0.2.1", 81)), 1);
}

Test(filter, nat_to_an_interface_without_address_drops)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_MATCH);
	fb_pool(&r->nat, "(tap1)");
	fb_rule(root, ACL_PASS);
	res = eval(EM0, ACL_OUT, fb_syn("10.50.0.7", "203.0.113.5", 443));
	cr_expect_eq(res.ar_action, ACL_BLOCK);
	cr_expect_eq(res.ar_reason, ACL_R_TRANSLATE);
}

/* the handbook's section 4: anchors before "block all" lose */
Test(filter, wildcard_anchor_before_block_all)
{
	struct acl_anchor *web, *db;
	struct acl_result res;
	struct acl_rule *r;

	fb_call(conf, root, "vm", 1);
	fb_rule(root, ACL_BLOCK);
	web = fb_anchor(conf, "vm/web01");
	r = fb_rule(web, ACL_PASS);
	r->direction = ACL_OUT;
	snprintf(r->ifname, sizeof(r->ifname), "tap0");
	r->proto = IPPROTO_TCP;
	fb_port(&r->dst, ACL_OP_EQ, 80, 0);
	db = fb_anchor(conf, "vm/db01");
	r = fb_rule(db, ACL_PASS);
	r->direction = ACL_OUT;
	snprintf(r->ifname, sizeof(r->ifname), "tap1");
	res = eval(TAP0, ACL_OUT, fb_syn("10.50.0.5", "10.50.0.10", 80));
	BLOCKS(res, 2);
	/* with quick, the anchor's pass stands */
	root->rs.rules[0].quick = 1;
	res = eval(TAP0, ACL_OUT, fb_syn("10.50.0.5", "10.50.0.10", 80));
	PASSES(res, 1);
	cr_expect(res.ar_quick_anchor);
	cr_expect(!res.ar_quick);
	cr_expect_str_eq(res.ar_anchor, "vm/web01");
	cr_expect_eq(res.ar_anchor_nr, 0);
	cr_expect_eq(res.ar_anchor_call, &root->rs.rules[0]);
	/* no rule of the anchor matched: evaluation goes on */
	res = eval(TAP0, ACL_OUT, fb_syn("10.50.0.5", "10.50.0.10", 22));
	BLOCKS(res, 2);
}

Test(filter, wildcard_children_in_name_order)
{
	struct acl_rule *r;

	fb_call(conf, root, "vm", 1);
	/* created out of order: evaluation is by name */
	r = fb_rule(fb_anchor(conf, "vm/b"), ACL_BLOCK);
	r = fb_rule(fb_anchor(conf, "vm/a"), ACL_PASS);
	(void)r;
	/* flat: 0 call, 1 vm/a pass, 2 vm/b block: last match blocks */
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 2);
	/* quick anchor: stops after the first child with a match */
	root->rs.rules[0].quick = 1;
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 1);
}

Test(filter, nested_anchors)
{
	struct acl_anchor *outer, *inner;
	struct acl_result res;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	outer = fb_anchor(conf, "outer");
	fb_call(conf, root, "outer", 0);
	inner = fb_anchor(conf, "outer/inner");
	r = fb_rule(outer, ACL_BLOCK);
	r->proto = IPPROTO_UDP;
	fb_call(conf, outer, "outer/inner", 0);
	r = fb_rule(inner, ACL_PASS);
	r->proto = IPPROTO_TCP;
	/* flat: 0 block, 1 call outer, 2 block udp, 3 call inner, 4 pass */
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80));
	PASSES(res, 4);
	cr_expect_str_eq(res.ar_anchor, "outer/inner");
	BLOCKS(eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 53)), 2);
	cr_expect_eq(acl_tag_id(tags, "none", 0), 0);
}

Test(filter, anchor_criteria_are_anded)
{
	struct acl_anchor *a;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_call(conf, root, "x", 0);
	r->direction = ACL_IN;
	r->proto = IPPROTO_TCP;
	fb_addr(&r->src, "10.0.0.0/8");
	a = fb_anchor(conf, "x");
	fb_rule(a, ACL_PASS);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.1.1.1", "10.0.0.2", 80)), 2);
	BLOCKS(eval(TAP0, ACL_IN, udp("10.1.1.1", "10.0.0.2", 80)), 0);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("192.0.2.9", "10.0.0.2", 80)), 0);
	BLOCKS(eval(TAP0, ACL_OUT, fb_syn("10.1.1.1", "10.0.0.2", 80)), 0);
	/* an anchor called "on tap0" is not there on tap1 */
	snprintf(root->rs.rules[1].ifname, ACL_IFNAMSIZ, "tap0");
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.1.1.1", "10.0.0.2", 80)), 2);
	BLOCKS(eval(TAP1, ACL_IN, fb_syn("10.1.1.1", "10.0.0.2", 80)), 0);
}

/*
 * pf stops after a quick anchor only when the last match lies directly in
 * it: a match in an anchor it calls does not stop evaluation.
 */
Test(filter, quick_anchor_stops_only_for_its_own_rules)
{
	struct acl_anchor *a, *b;
	struct acl_result res;
	struct acl_rule *r;

	r = fb_call(conf, root, "a", 0);
	r->quick = 1;
	fb_rule(root, ACL_BLOCK);
	a = fb_anchor(conf, "a");
	b = fb_anchor(conf, "a/b");
	fb_call(conf, a, "a/b", 0);
	fb_rule(b, ACL_PASS);
	/* flat: 0 call a (quick), 1 call b, 2 pass (in b), 3 block */
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 3);
	/* a rule of a itself matching after b: now it stops */
	fb_rule(a, ACL_PASS);
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80));
	PASSES(res, 3);
	cr_expect(res.ar_quick_anchor);
}

Test(filter, quick_rule_in_anchor_ends_everything)
{
	struct acl_anchor *a;
	struct acl_rule *r;

	fb_call(conf, root, "a", 0);
	fb_rule(root, ACL_BLOCK);
	a = fb_anchor(conf, "a");
	r = fb_rule(a, ACL_PASS);
	r->quick = 1;
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 1);
}

Test(filter, tables_with_negated_entries)
{
	static const char *lan[] = { "10.0.0.0/8", "!10.1.0.0/16",
	    "10.1.2.0/24", "2001:db8:1::/48", NULL };
	struct acl_rule *r;

	fb_table(conf, "lan", "", lan);
	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	fb_tbl(&r->src, "lan");
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.2.3.4", "192.0.2.1", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.1.3.4", "192.0.2.1", 80)), 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.1.2.3", "192.0.2.1", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("198.51.100.1", "192.0.2.1", 80)), 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("2001:db8:1:5::1", "2001:db8::1", 80)),
	    1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("2001:db8:2::1", "2001:db8::1", 80)), 0);
	/* ! <lan> */
	r->src.neg = 1;
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.2.3.4", "192.0.2.1", 80)), 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.1.3.4", "192.0.2.1", 80)), 1);
}

Test(filter, table_of_an_anchor_then_main)
{
	static const char *main_t[] = { "192.0.2.0/24", NULL };
	static const char *anch_t[] = { "198.51.100.0/24", NULL };
	struct acl_anchor *a, *b;
	struct acl_rule *r;

	fb_table(conf, "t", "", main_t);
	fb_table(conf, "t", "a", anch_t);
	fb_call(conf, root, "a", 0);
	fb_call(conf, root, "b", 0);
	a = fb_anchor(conf, "a");
	b = fb_anchor(conf, "b");
	r = fb_rule(a, ACL_PASS);
	fb_tbl(&r->dst, "t");
	r = fb_rule(b, ACL_BLOCK);
	fb_tbl(&r->dst, "t");
	r = fb_rule(b, ACL_BLOCK);
	fb_tbl(&r->dst, "undefined");
	/* flat: 0 call a, 1 pass <t> (a's), 2 call b, 3 block <t> (main) */
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "198.51.100.7", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.7", 80)), 3);
}

Test(filter, negation_and_any)
{
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	fb_addr(&r->src, "!10.0.0.0/8");
	fb_addr(&r->dst, "192.0.2.0/24");
	PASSES(eval(TAP0, ACL_IN, fb_syn("198.51.100.1", "192.0.2.9", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.9.9.9", "192.0.2.9", 80)), 0);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("198.51.100.1", "192.0.3.9", 80)), 0);
	r = fb_rule(root, ACL_PASS);
	fb_addr(&r->src, "!any");	/* matches nothing */
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.9.9.9", "192.0.2.9", 80)), 0);
}

Test(filter, no_route_and_urpf_match_nothing)
{
	struct acl_rule *r;

	fb_rule(root, ACL_PASS);
	r = fb_rule(root, ACL_BLOCK);
	fb_addr(&r->src, "no-route");
	r = fb_rule(root, ACL_BLOCK);
	r->src.addr.type = ACL_ADDR_URPFFAILED;
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
	fb_addr(&root->rs.rules[1].dst, "!no-route");
	root->rs.rules[1].src.addr.type = ACL_ADDR_ADDRMASK;
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 1);
}

struct portcase {
	int	 op, a, b;
	int	 port;
	int	 match;
};

Test(filter, every_port_operator)
{
	static const struct portcase pc[] = {
		{ ACL_OP_EQ, 80, 0, 80, 1 }, { ACL_OP_EQ, 80, 0, 81, 0 },
		{ ACL_OP_NE, 80, 0, 80, 0 }, { ACL_OP_NE, 80, 0, 79, 1 },
		{ ACL_OP_LT, 1024, 0, 1023, 1 }, { ACL_OP_LT, 1024, 0, 1024, 0 },
		{ ACL_OP_LE, 1024, 0, 1024, 1 }, { ACL_OP_LE, 1024, 0, 1025, 0 },
		{ ACL_OP_GT, 1024, 0, 1025, 1 }, { ACL_OP_GT, 1024, 0, 1024, 0 },
		{ ACL_OP_GE, 1024, 0, 1024, 1 }, { ACL_OP_GE, 1024, 0, 1023, 0 },
		{ ACL_OP_RRG, 6000, 6010, 6000, 1 },
		{ ACL_OP_RRG, 6000, 6010, 6010, 1 },
		{ ACL_OP_RRG, 6000, 6010, 6011, 0 },
		{ ACL_OP_RRG, 6000, 6010, 5999, 0 },
		{ ACL_OP_IRG, 6000, 6010, 6001, 1 },
		{ ACL_OP_IRG, 6000, 6010, 6009, 1 },
		{ ACL_OP_IRG, 6000, 6010, 6000, 0 },
		{ ACL_OP_IRG, 6000, 6010, 6010, 0 },
		{ ACL_OP_XRG, 6000, 6010, 5999, 1 },
		{ ACL_OP_XRG, 6000, 6010, 6011, 1 },
		{ ACL_OP_XRG, 6000, 6010, 6000, 0 },
		{ ACL_OP_XRG, 6000, 6010, 6010, 0 },
		{ ACL_OP_LT, 0, 0, 0, 0 }, { ACL_OP_GT, 65535, 0, 65535, 0 },
		{ ACL_OP_IRG, 5, 6, 5, 0 }, { ACL_OP_GE, 0, 0, 0, 1 },
	};
	struct acl_result res;
	struct acl_rule *r;
	size_t i;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->proto = IPPROTO_UDP;
	for (i = 0; i < sizeof(pc) / sizeof(pc[0]); i++) {
		fb_port(&root->rs.rules[1].dst, pc[i].op, pc[i].a, pc[i].b);
		res = eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2",
		    pc[i].port));
		cr_expect_eq(res.ar_nr, pc[i].match ? 1 : 0,
		    "op %d %d %d, port %d", pc[i].op, pc[i].a, pc[i].b,
		    pc[i].port);
		/* the same on the source port */
		fb_port(&root->rs.rules[1].dst, ACL_OP_NONE, 0, 0);
		fb_port(&root->rs.rules[1].src, pc[i].op, pc[i].a, pc[i].b);
		res = eval(TAP0, ACL_IN, fb_pkt("10.0.0.1", "10.0.0.2",
		    IPPROTO_UDP, pc[i].port, 53));
		cr_expect_eq(res.ar_nr, pc[i].match ? 1 : 0,
		    "src op %d %d %d, port %d", pc[i].op, pc[i].a, pc[i].b,
		    pc[i].port);
		fb_port(&root->rs.rules[1].src, ACL_OP_NONE, 0, 0);
	}
}

Test(filter, fragments_never_match_port_rules)
{
	struct acl_pkt p;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->proto = IPPROTO_UDP;
	fb_port(&r->dst, ACL_OP_GE, 0, 0);
	r = fb_rule(root, ACL_PASS);
	r->proto = IPPROTO_UDP;
	r->rule_flag = ACL_RF_FRAGMENT;
	p = udp("10.0.0.1", "10.0.0.2", 0);
	p.sport = 0;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	p.frag = 1;
	PASSES(eval(TAP0, ACL_IN, p), 2);
	root->rs.rules[2].rule_flag = 0;
	root->rs.rules[2].proto = IPPROTO_TCP;
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
}

/* "(tap0)" of a port without address matches nothing */
Test(filter, dynamic_address_of_a_port_without_address)
{
	struct acl_result res;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	snprintf(r->ifname, sizeof(r->ifname), "tap0");
	fb_dyn(&r->dst, "tap0", 0);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "0.0.0.0", 80)), 0);
	root->rs.rules[1].dst.neg = 1;	/* ! (tap0): everything */
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80));
	PASSES(res, 1);
}

Test(filter, dynamic_addresses_of_other_ports_and_groups)
{
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	snprintf(r->ifname, sizeof(r->ifname), "tap0");
	fb_dyn(&r->dst, "em0", 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.1", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.2", 80)), 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("2001:db8::5", "2001:db8::1", 80)), 1);
	fb_dyn(&root->rs.rules[1].dst, "em0", ACL_IFA_NETWORK);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.2", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.3.2", 80)), 0);
	fb_dyn(&root->rs.rules[1].dst, "egress", 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.1", 80)), 1);
	fb_dyn(&root->rs.rules[1].dst, "self", 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.50.0.1", 80)), 1);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.1", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.50.0.2", 80)), 0);
	fb_dyn(&root->rs.rules[1].dst, "vether0", ACL_IFA_BROADCAST);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.50.0.255", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.50.0.1", 80)), 0);
	/* (em0:0): the first address of each family only */
	ifs[EM0].addrs[2] = ifs[EM0].addrs[0];
	ifs[EM0].addrs[2].addr.b[3] = 77;
	ifs[EM0].naddrs = 3;
	fb_dyn(&root->rs.rules[1].dst, "em0", ACL_IFA_NOALIAS);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.1", 80)), 1);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.77", 80)), 0);
	fb_dyn(&root->rs.rules[1].dst, "em0", 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.77", 80)), 1);
}

Test(filter, interface_groups_and_negated_on)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_PASS);
	snprintf(r->ifname, sizeof(r->ifname), "tap");
	r = fb_rule(root, ACL_BLOCK);
	snprintf(r->ifname, sizeof(r->ifname), "em0");
	r->ifnot = 1;
	r->proto = IPPROTO_UDP;
	r = fb_rule(root, ACL_BLOCK);
	snprintf(r->ifname, sizeof(r->ifname), "egress");
	r->proto = IPPROTO_ICMP;
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
	PASSES(eval(TAP1, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
	cr_expect_eq(eval(EM0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)).ar_nr,
	    -1);
	BLOCKS(eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 53)), 1);
	cr_expect_eq(eval(EM0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 53)).ar_nr,
	    -1);
	/* on em0 only rule 2 is there: entry 0 of its list */
	res = eval(EM0, ACL_IN, fb_pkt("10.0.0.1", "10.0.0.2", IPPROTO_ICMP,
	    0, 0));
	BLOCKS(res, 0);
	cr_expect_eq(res.ar_rule, &root->rs.rules[2]);
	PASSES(eval(TAP0, ACL_IN, fb_pkt("10.0.0.1", "10.0.0.2", IPPROTO_ICMP,
	    0, 0)), 0);
	/* "all" is every port */
	snprintf(root->rs.rules[0].ifname, ACL_IFNAMSIZ, "all");
	PASSES(eval(EM0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
}

Test(filter, direction)
{
	struct acl_rule *r;

	r = fb_rule(root, ACL_PASS);
	r->direction = ACL_IN;
	r = fb_rule(root, ACL_BLOCK);
	r->direction = ACL_OUT;
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
	/* the out list holds only the block rule */
	BLOCKS(eval(TAP0, ACL_OUT, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
	cr_expect_eq(eval(TAP0, ACL_OUT, fb_syn("10.0.0.1", "10.0.0.2",
	    80)).ar_rule, &root->rs.rules[1]);
}

Test(filter, tcp_flags)
{
	struct acl_pkt p;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->proto = IPPROTO_TCP;
	r->flags = ACL_TH_SYN;
	r->flagset = ACL_TH_SYN | ACL_TH_ACK;
	p = fb_syn("10.0.0.1", "10.0.0.2", 80);
	p.tcp_flags = ACL_TH_SYN;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	p.tcp_flags = ACL_TH_SYN | ACL_TH_ECE | ACL_TH_CWR;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	p.tcp_flags = ACL_TH_SYN | ACL_TH_ACK;
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
	p.tcp_flags = ACL_TH_ACK;
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
	/* flags any */
	root->rs.rules[1].flags = root->rs.rules[1].flagset = 0;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	/* a flags rule without proto tests TCP packets only */
	root->rs.rules[1].proto = 0;
	root->rs.rules[1].flags = ACL_TH_SYN;
	root->rs.rules[1].flagset = ACL_TH_SYN | ACL_TH_ACK;
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
	PASSES(eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 53)), 1);
}

Test(filter, icmp_type_and_code)
{
	struct acl_pkt p;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->af = AF_INET;
	r->proto = IPPROTO_ICMP;
	r->type = 8 + 1;	/* echoreq */
	r->code = 0 + 1;
	p = fb_pkt("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, 0);
	p.icmp_type = 8;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	p.icmp_code = 1;
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
	p.icmp_type = 3;
	root->rs.rules[1].code = 0;
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
	root->rs.rules[1].type = 3 + 1;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	/* icmp6-type */
	r = fb_rule(root, ACL_PASS);
	r->af = AF_INET6;
	r->proto = IPPROTO_ICMPV6;
	r->type = 135 + 1;
	p = fb_pkt("2001:db8::5", "2001:db8::1", IPPROTO_ICMPV6, 0, 0);
	p.icmp_type = 135;
	PASSES(eval(TAP0, ACL_IN, p), 2);
	p.icmp_type = 136;
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
}

/* pf creates no state from a reply: a state-keeping rule skips it */
Test(filter, keep_state_rules_skip_icmp_replies)
{
	struct acl_pkt p;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->keep_state = ACL_STATE_NORMAL;
	p = fb_pkt("10.0.0.1", "10.0.0.2", IPPROTO_ICMP, 0, 0);
	p.icmp_type = 8;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	p.icmp_type = 0;	/* echo reply */
	BLOCKS(eval(TAP0, ACL_IN, p), 0);
	p.icmp_type = 3;	/* unreachable: an error, not a reply */
	PASSES(eval(TAP0, ACL_IN, p), 1);
	root->rs.rules[1].keep_state = ACL_STATE_NONE;
	p.icmp_type = 0;
	PASSES(eval(TAP0, ACL_IN, p), 1);
	root->rs.rules[1].keep_state = ACL_STATE_NORMAL;
	root->rs.rules[1].rule_flag = ACL_RF_STATESLOPPY;
	PASSES(eval(TAP0, ACL_IN, p), 1);
}

Test(filter, tags_set_and_tested)
{
	struct acl_result res;
	struct acl_pkt p;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_MATCH);
	fb_addr(&r->src, "10.0.0.0/8");
	snprintf(r->tagname, sizeof(r->tagname), "LAN");
	r = fb_rule(root, ACL_PASS);
	snprintf(r->match_tagname, sizeof(r->match_tagname), "LAN");
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.1", 80));
	PASSES(res, 2);
	cr_expect_str_eq(acl_tag_name(tags, res.ar_tag), "LAN");
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("198.51.100.1", "192.0.2.1", 80)), 0);
	/* a tag the packet carries from another port */
	p = fb_syn("198.51.100.1", "192.0.2.1", 80);
	p.tag = acl_tag_id(tags, "LAN", 0);
	PASSES(eval(TAP0, ACL_IN, p), 2);
	/* ! tagged */
	root->rs.rules[2].match_tag_not = 1;
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "192.0.2.1", 80)), 0);
	PASSES(eval(TAP0, ACL_IN, fb_syn("198.51.100.1", "192.0.2.1", 80)), 2);
}

/* an anchor call's tag is set when the call matches, before its rules */
Test(filter, anchor_call_tags)
{
	struct acl_anchor *a;
	struct acl_rule *r;

	r = fb_call(conf, root, "a", 0);
	snprintf(r->tagname, sizeof(r->tagname), "VIA_A");
	r->proto = IPPROTO_TCP;
	a = fb_anchor(conf, "a");
	r = fb_rule(a, ACL_BLOCK);
	snprintf(r->match_tagname, sizeof(r->match_tagname), "VIA_A");
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 1);
	cr_expect_eq(eval(TAP0, ACL_IN, udp("10.0.0.1", "10.0.0.2", 80)).ar_nr,
	    -1);
}

Test(filter, address_families)
{
	struct acl_rule *r;

	r = fb_rule(root, ACL_PASS);
	r->af = AF_INET;
	r = fb_rule(root, ACL_BLOCK);
	r->af = AF_INET6;
	fb_addr(&r->dst, "2001:db8:0:0:1::/80");
	PASSES(eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
	BLOCKS(eval(TAP0, ACL_IN, fb_syn("2001:db8::5", "2001:db8::1:0:0:9",
	    80)), 1);
	cr_expect_eq(eval(TAP0, ACL_IN, fb_syn("2001:db8::5", "2001:db8::2:0:0:9",
	    80)).ar_nr, -1);
}

Test(filter, received_on)
{
	struct acl_pkt p;
	struct acl_rule *r;

	fb_rule(root, ACL_BLOCK);
	r = fb_rule(root, ACL_PASS);
	r->direction = ACL_OUT;
	snprintf(r->rcv_ifname, sizeof(r->rcv_ifname), "tap");
	p = fb_syn("10.0.0.1", "10.0.0.2", 80);
	BLOCKS(eval(EM0, ACL_OUT, p), 0);
	p.rcvif = TAP1;
	PASSES(eval(EM0, ACL_OUT, p), 1);
	p.rcvif = VETHER0;
	BLOCKS(eval(EM0, ACL_OUT, p), 0);
}

/* prio N: the packet's priority (a vlan's PCP, an earlier set prio);
 * prio 0 is its own value, not "no test" (ACL_PRIO_ZERO). */
Test(filter, prio)
{
	struct acl_pkt p;
	struct acl_rule *r;

	fb_rule(root, ACL_PASS);
	r = fb_rule(root, ACL_BLOCK);
	r->prio = ACL_PRIO_ZERO;
	r = fb_rule(root, ACL_BLOCK);
	r->prio = 5;
	p = fb_syn("10.0.0.1", "10.0.0.2", 80);
	cr_expect_eq(p.prio, ACL_DEFPRIO);
	PASSES(eval(TAP0, ACL_IN, p), 0);
	p.prio = 0;
	BLOCKS(eval(TAP0, ACL_IN, p), 1);
	p.prio = 5;
	BLOCKS(eval(TAP0, ACL_IN, p), 2);
	p.prio = 7;
	PASSES(eval(TAP0, ACL_IN, p), 0);
}

/* set prio goes into the scrub the rules gather: a later one replaces
 * an earlier one, (N, M) keeps both. */
Test(filter, set_prio_gathered)
{
	struct acl_result res;
	struct acl_rule *r;

	r = fb_rule(root, ACL_MATCH);
	r->scrub_flags |= ACL_SCRUB_SETPRIO;
	r->set_prio[0] = r->set_prio[1] = 2;
	r = fb_rule(root, ACL_PASS);
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80));
	cr_expect(res.ar_scrub.flags & ACL_SCRUB_SETPRIO);
	cr_expect_eq(res.ar_scrub.set_prio, 2 | 2 << 4);
	r->scrub_flags |= ACL_SCRUB_SETPRIO;
	r->set_prio[0] = 4;
	r->set_prio[1] = 6;
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80));
	cr_expect_eq(res.ar_scrub.set_prio, 4 | 6 << 4);
	cr_expect(acl_scrub_any(&res.ar_scrub));
}

Test(filter, set_skip_on)
{
	struct acl_result res;

	fb_rule(root, ACL_BLOCK);
	conf->skip = calloc(1, sizeof(*conf->skip));
	conf->skip[0] = strdup("tap");
	conf->nskip = 1;
	res = eval(TAP0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80));
	cr_expect_eq(res.ar_reason, ACL_R_SKIP);
	cr_expect_eq(res.ar_action, ACL_PASS);
	BLOCKS(eval(EM0, ACL_IN, fb_syn("10.0.0.1", "10.0.0.2", 80)), 0);
}

Test(filter, flat_list_and_stats)
{
	struct acl_compile_args args;
	struct acl_classifier *c;
	const struct acl_flat *f;
	struct acl_tree_stats st;
	struct acl_rule *r;

	fb_call(conf, root, "vm", 1);
	r = fb_rule(fb_anchor(conf, "vm/web01"), ACL_PASS);
	snprintf(r->ifname, sizeof(r->ifname), "tap0");
	r = fb_rule(fb_anchor(conf, "vm/db01"), ACL_PASS);
	snprintf(r->ifname, sizeof(r->ifname), "tap1");
	fb_rule(root, ACL_BLOCK);
	memset(&args, 0, sizeof(args));
	args.conf = conf;
	args.ifs = ifs;
	args.nifs = NPORTS;
	args.port = TAP0;
	args.dir = ACL_IN;
	cr_assert_eq(acl_compile(&args, &c, NULL, 0), 0);
	f = acl_classifier_flat(c);
	cr_assert_eq(f->f_n, 3);	/* db01's rule is not on tap0 */
	cr_expect_eq(f->f_rules[0].fr_kind, ACL_FLAT_CALL);
	cr_expect_str_eq(f->f_rules[1].fr_anchor->path, "vm/web01");
	cr_expect_eq(f->f_rules[1].fr_call, &root->rs.rules[0]);
	cr_expect_eq(f->f_rules[1].fr_depth, 1);
	acl_classifier_stats(c, &st);
	cr_expect_eq(st.entries, 3);
	cr_expect_gt(st.bytes, 0);
	acl_classifier_free(c);
	args.port = 99;
	cr_expect_eq(acl_compile(&args, &c, NULL, 0), EINVAL);
}

/*
 * Rules no cut can separate end up in one leaf, however many: 700 calls
 * of an anchor of 100 rules that test the tos (not a dimension) make a
 * leaf of 70000 entries, beyond what a node counts in place.
 */
Test(filter, huge_leaf_falls_back_gracefully)
{
	struct acl_compile_args args;
	struct acl_classifier *c;
	struct acl_tree_stats st;
	struct acl_result lin, tree;
	struct acl_anchor *a;
	struct acl_pkt p;
	struct acl_rule *r;
	int i;

	a = fb_anchor(conf, "many");
	for (i = 0; i < 100; i++) {
		r = fb_rule(a, i % 2 ? ACL_PASS : ACL_BLOCK);
		r->tos = 0x10;
	}
	for (i = 0; i < 700; i++)
		fb_call(conf, root, "many", 0);
	memset(&args, 0, sizeof(args));
	args.conf = conf;
	args.ifs = ifs;
	args.nifs = NPORTS;
	args.port = TAP0;
	args.dir = ACL_IN;
	cr_assert_eq(acl_compile(&args, &c, NULL, 0), 0);
	acl_classifier_stats(c, &st);
	cr_expect_eq(st.entries, 70700);
	cr_expect_geq(st.max_leaf, 70000);
	p = fb_syn("10.0.0.1", "10.0.0.2", 80);
	p.tos = 0x10;
	acl_eval_linear(c, &p, &lin);
	acl_classify(c, &p, &tree);
	fb_same(&lin, &tree);
	PASSES(tree, 70699);
	p.tos = 0;
	acl_classify(c, &p, &tree);
	cr_expect_eq(tree.ar_nr, -1);
	acl_classifier_free(c);
}
