/*
 * The printer: pfctl -nv's normalisations, one rule at a time, and the
 * shape of anchors.
 */
#include <criterion/criterion.h>

#include "acl_test.h"

struct pcase {
	const char	*in;
	const char	*out;
};

#define P(in, out)	{ in, out }
static struct pcase pcases[] = {
	P("block\n", "block drop all\n"),
	P("set block-policy return\nblock\n",
	    "set block-policy return\nblock return all\n"),
	P("pass\n", "pass all flags S/SA\n"),
	P("pass from any to any\n", "pass all flags S/SA\n"),
	P("pass proto udp\n", "pass proto udp all\n"),
	P("pass proto tcp no state\n", "pass proto tcp all no state\n"),
	P("pass keep state\n", "pass all flags S/SA\n"),
	P("pass keep state (max 100)\n", "pass all flags S/SA keep state "
	    "(max 100, adaptive.start 60, adaptive.end 120)\n"),
	P("pass flags any\n", "pass all flags any\n"),
	P("pass in from 10/8 to ! 192.168.1.1\n",
	    "pass in inet from 10.0.0.0/8 to ! 192.168.1.1 flags S/SA\n"),
	P("pass from { 10.0.0.1 ::1 }\n",
	    "pass inet from 10.0.0.1 to any flags S/SA\n"
	    "pass inet6 from ::1 to any flags S/SA\n"),
	P("pass proto { tcp udp } to port { ssh 80:90 }\n",
	    "pass proto tcp from any to any port = 22 flags S/SA\n"
	    "pass proto tcp from any to any port 80:90 flags S/SA\n"
	    "pass proto udp from any to any port = 22\n"
	    "pass proto udp from any to any port 80:90\n"),
	P("pass proto tcp to port { != 1, <= 2, >= 3, 4 >< 9, 4 <> 9 }\n",
	    "pass proto tcp from any to any port != 1 flags S/SA\n"
	    "pass proto tcp from any to any port <= 2 flags S/SA\n"
	    "pass proto tcp from any to any port >= 3 flags S/SA\n"
	    "pass proto tcp from any to any port 4 >< 9 flags S/SA\n"
	    "pass proto tcp from any to any port 4 <> 9 flags S/SA\n"),
	P("pass on ! em0 to (em0:network)\n",
	    "pass on ! em0 from any to (em0:network) flags S/SA\n"),
	P("pass to <t> label \"$nr:$dstaddr\"\n",
	    "pass from any to <t> flags S/SA label \"0:<t>\"\n"),
	P("block return-rst proto tcp\n", "block return-rst proto tcp all\n"),
	P("block return-icmp(net-unr) inet\n",
	    "block return-icmp(net-unr) inet all\n"),
	P("pass inet proto icmp icmp-type echoreq code 0\n",
	    "pass inet proto icmp all icmp-type echoreq code 0\n"),
	P("match out on em0 from 10.0.0.0/24 nat-to (em0)\n",
	    "match out on em0 inet from 10.0.0.0/24 to any nat-to (em0) "
	    "round-robin\n"),
	P("match out nat-to 192.0.2.1 port 1024:2048\n",
	    "match out inet all nat-to 192.0.2.1 port 1024:2048\n"),
	P("pass in proto tcp to 192.0.2.1 port 80 rdr-to 10.0.0.5 port 8080\n",
	    "pass in inet proto tcp from any to 192.0.2.1 port = 80 flags S/SA "
	    "rdr-to 10.0.0.5 port 8080\n"),
	P("match on em0 from 10.0.0.1 binat-to 192.0.2.1\n",
	    "match out on em0 inet from 10.0.0.1 to any nat-to 192.0.2.1 "
	    "static-port\n"
	    "match in on em0 inet from any to 192.0.2.1 rdr-to 10.0.0.1\n"),
	P("pass out route-to { 192.0.2.1 192.0.2.2 }\n",
	    "table <__automatic_0> const { 192.0.2.1 192.0.2.2 }\n"
	    "pass out inet all flags S/SA route-to <__automatic_0> "
	    "round-robin\n"),
	P("pass in tag T\npass out tagged T\npass ! tagged T\n",
	    "pass in all flags S/SA tag T\n"
	    "pass out all flags S/SA tagged T\n"
	    "pass all flags S/SA ! tagged T\n"),
	P("table <t> persist { 10/8 !10.1.0.0/16 }\n",
	    "table <t> persist { 10.0.0.0/8 !10.1.0.0/16 }\n"),
	P("set skip on { lo0 em1 }\nset timeout tcp.first 5\n"
	    "set limit states 1000\nset state-policy if-bound\n",
	    "set skip on { lo0 em1 }\nset timeout tcp.first 5\n"
	    "set limit states 1000\nset state-policy if-bound\n"),
	P("x = \"a b\"\n", "x = \"a b\"\n"),
	P("anchor \"a\"\nanchor \"b\" in {\n pass\n anchor {\n  block\n }\n}\n",
	    "anchor \"a\" all\n"
	    "anchor \"b\" in all {\n"
	    "  pass all flags S/SA\n"
	    "  anchor all {\n"
	    "    block drop all\n"
	    "  }\n"
	    "}\n"),
	P("pass log (all, to pflog1) quick on rdomain 3\n",
	    "pass log (all, to pflog1) quick on rdomain 3 all flags S/SA\n"),
	P("pass probability 50% rtable 0 set prio (1, 2) tos 0x10\n",
	    "pass all flags S/SA tos 0x10 set (prio(1, 2)) probability 50% "
	    "rtable 0\n"),
	/* queues: OpenBSD's regress pf111, on lo0 */
	P("queue rootq on lo0 bandwidth 1M\n"
	    "queue defq parent rootq bandwidth 750K\n"
	    "queue leafq parent defq flows 100 bandwidth 500K default\n",
	    "queue rootq on lo0 bandwidth 1M\n"
	    "queue defq parent rootq bandwidth 750K\n"
	    "queue leafq parent defq flows 100 bandwidth 500K default\n"),
	P("queue rootq on em0 bandwidth 10M\n"
	    "queue std parent rootq bandwidth 8M min 1M max 9M default "
	    "qlimit 100\n",
	    "queue rootq on em0 bandwidth 10M\n"
	    "queue std parent rootq bandwidth 8M, min 1M, max 9M default "
	    "qlimit 100\n"),
	/* units; a rate no unit divides ends in a space, as in pfctl */
	P("queue r on em0 bandwidth 10Mb, max 10Mbit burst 20MB for 100ms\n"
	    "queue a parent r bandwidth 1500 default\n"
	    "queue b parent r bandwidth 1.5K, min 2Kbit\n"
	    "queue c parent r bandwidth 2G max 1000b , min 1Gb\n"
	    "queue d parent r bandwidth 1.0005M burst 3KB for 0ms\n",
	    "queue r on em0 bandwidth 10M, max 10M burst 20M for 100ms\n"
	    "queue a parent r bandwidth 1500  default\n"
	    "queue b parent r bandwidth 1500 , min 2K\n"
	    "queue c parent r bandwidth 2G, min 1G, max 1K\n"
	    "queue d parent r bandwidth 1000500 \n"),
	P("queue fq on em0 flows 1024 quantum 1514 qlimit 1024 default\n"
	    "queue f2 on em1 qlimit 10 flows 32767\n",
	    "queue fq on em0 flows 1024 quantum 1514 default qlimit 1024\n"
	    "queue f2 on em1 flows 32767 qlimit 10\n"),
	/* queues come before the rules that use them */
	P("queue r on em0 bandwidth 1M\nqueue a parent r bandwidth 1M default\n"
	    "queue b parent r bandwidth 1M\npass queue (a, b)\n",
	    "queue r on em0 bandwidth 1M\n"
	    "queue a parent r bandwidth 1M default\n"
	    "queue b parent r bandwidth 1M\n"
	    "pass all flags S/SA set (queue(a, b))\n"),
};

/* one test over the table (see test_parse.c) */
Test(print, rules)
{
	size_t	i;

	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		struct acl_run	r = acl_run(pcases[i].in, ACL_LOAD_VERBOSE, 0);

		cr_expect_eq(r.rv, 0, "input: %s\nerr: %s", pcases[i].in,
		    r.err);
		cr_expect_str_eq(r.out, pcases[i].out, "input: %s",
		    pcases[i].in);
		acl_run_free(&r);
	}
}

Test(print, verbose2_numbers_rules)
{
	struct acl_run	r = acl_run("pass\nanchor {\n block\n}\n",
	    ACL_LOAD_VERBOSE | ACL_LOAD_VERBOSE2, 0);

	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.out, "@0 pass all flags S/SA\n"
	    "@1 anchor all {\n@0 block drop all\n}\n");
	acl_run_free(&r);
}

Test(print, single_rule)
{
	struct acl_run	 r = acl_run("pass in on em0 proto tcp\n", 0, 0);
	char		*buf;
	size_t		 len;
	FILE		*f = open_memstream(&buf, &len);

	cr_assert_eq(r.rv, 0);
	acl_print_rule(f, &r.conf->root->rs.rules[0], 0);
	fclose(f);
	cr_assert_str_eq(buf, "pass in on em0 proto tcp all flags S/SA");
	free(buf);
	acl_run_free(&r);
}

Test(print, regress_host_users)
{
	struct acl_run	r = acl_run("pass proto tcp user bin group sshd\n",
	    ACL_LOAD_VERBOSE, 1);

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "pass proto tcp all user = 3 group = 27 "
	    "flags S/SA\n");
	acl_run_free(&r);
}

/*
 * The tree order pfctl loads and prints queues in: the roots as defined,
 * each followed by its subtree depth first, children in the order they
 * were defined, wherever those lines are.
 */
Test(print, queues_in_tree_order)
{
	struct acl_run	r = acl_run(
	    "queue c2 parent r1 bandwidth 2M\n"		/* before its root */
	    "queue r2 on em1 bandwidth 5M\n"
	    "queue g1 parent c1 bandwidth 1M default\n"	/* before parent */
	    "queue r1 on em0 bandwidth 10M\n"
	    "queue d2 parent r2 bandwidth 1M default\n"	/* interleaved */
	    "queue c1 parent r1 bandwidth 3M\n"
	    "queue r3 on em2 flows 64\n"
	    "queue g2 parent c1 bandwidth 1M\n",
	    ACL_LOAD_VERBOSE, 0);

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_str_eq(r.out,
	    "queue r2 on em1 bandwidth 5M\n"
	    "queue d2 parent r2 bandwidth 1M default\n"
	    "queue r1 on em0 bandwidth 10M\n"
	    "queue c2 parent r1 bandwidth 2M\n"
	    "queue c1 parent r1 bandwidth 3M\n"
	    "queue g1 parent c1 bandwidth 1M default\n"
	    "queue g2 parent c1 bandwidth 1M\n"
	    "queue r3 on em2 flows 64\n");
	acl_run_free(&r);
}

/* a floating child is printed under its parent on each interface */
Test(print, queues_on_each_interface)
{
	struct acl_run	r = acl_run("queue r on { em0 em1 } bandwidth 10M\n"
	    "queue c parent r bandwidth 1M default\n", ACL_LOAD_VERBOSE, 0);

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "queue r on em0 bandwidth 10M\n"
	    "queue c parent r bandwidth 1M default\n"
	    "queue r on em1 bandwidth 10M\n"
	    "queue c parent r bandwidth 1M default\n");
	acl_run_free(&r);
}

/* what pfctl -nv prints parses back to itself (upstream's selfpf) */
Test(print, queues_reparse_to_themselves)
{
	struct acl_run	r = acl_run("queue r on em0 bandwidth 10M burst 20M "
	    "for 5ms, min 1500 max 9M\n"
	    "queue a parent r bandwidth 1500 default qlimit 7\n"
	    "queue b parent r flows 10 quantum 300 bandwidth 2.5M\n",
	    ACL_LOAD_VERBOSE, 0);
	struct acl_run	s;

	cr_assert_eq(r.rv, 0, "%s", r.err);
	s = acl_run(r.out, ACL_LOAD_VERBOSE, 0);
	cr_assert_eq(s.rv, 0, "%s", s.err);
	cr_assert_str_eq(s.out, r.out);
	acl_run_free(&s);
	acl_run_free(&r);
}

/* the queues of a failed load are not printed, nor are they in pfctl */
Test(print, queues_not_printed_on_error)
{
	struct acl_run	r = acl_run("set limit states 10\n"
	    "queue r on em0 bandwidth 1M\nqueue c parent r bandwidth 1M\n",
	    ACL_LOAD_VERBOSE, 0);

	cr_assert_eq(r.rv, -1);
	cr_assert_str_eq(r.out, "set limit states 10\n");
	cr_assert_str_eq(r.err, "stdin:2: no default queue specified\n");
	acl_run_free(&r);
}

Test(print, single_queue)
{
	struct acl_queue	 q;
	char			*buf;
	size_t			 len;
	FILE			*f = open_memstream(&buf, &len);

	memset(&q, 0, sizeof(q));
	snprintf(q.name, sizeof(q.name), "q");
	snprintf(q.ifname, sizeof(q.ifname), "em0");
	q.linkshare.m2 = 3000000;
	q.linkshare.m1 = 12000;
	q.linkshare.d = 20;
	q.realtime.m2 = 1001;
	acl_print_queue(f, &q);
	fclose(f);
	cr_assert_str_eq(buf, "queue q on em0 bandwidth 3M burst 12K for "
	    "20ms, min 1001 \n");
	free(buf);
}
