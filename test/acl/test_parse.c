/*
 * The parser's error paths: each message as pfctl prints it
 * ("file:line: message"), all problems of a file in one run, and nothing
 * loaded when there is any.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <unistd.h>

#include "acl_test.h"

struct errcase {
	const char	*in;
	const char	*err;
};

static void
check_error(const char *in, const char *err)
{
	struct acl_run	r = acl_run(in, ACL_LOAD_VERBOSE, 0);

	cr_expect_eq(r.rv, -1, "accepted: %s", in);
	cr_expect_null(r.conf);
	cr_expect_str_eq(r.err, err, "input: %s", in);
	acl_run_free(&r);
}

#define E(in, err)	{ in, err }
static struct errcase errcases[] = {
	E("pass in foo\n", "stdin:1: syntax error\n"),
	E("pass in on\n", "stdin:1: syntax error\n"),
	E("pass in on lo0 proto icmp to port 22\n",
	    "stdin:1: port only applies to tcp/udp\n"
	    "stdin:1: skipping rule due to errors\n"
	    "stdin:1: rule expands to no valid combination\n"),
	E("pass proto nosuch\n", "stdin:1: unknown protocol nosuch\n"),
	E("pass proto 0\n", "stdin:1: proto 0 cannot be used\n"),
	E("pass proto 300\n", "stdin:1: protocol outside range\n"),
	E("pass proto tcp to port 65536\n",
	    "stdin:1: illegal port value 65536\n"),
	E("pass proto tcp to port nosuchport\n",
	    "stdin:1: unknown port nosuchport\n"),
	E("pass proto tcp to port 30:20\n", "stdin:1: invalid port range\n"),
	E("pass proto tcp to port < 1:2\n",
	    "stdin:1: ':' cannot be used with an other port operator\n"),
	E("pass from 10.0.0.0.1\n", "no IP address found for 10.0.0.0.1\n"
	    "stdin:1: could not parse host specification\n"),
	E("pass from 10.0.0.0/161\n", "netmask is too large: /161\n"
	    "stdin:1: could not parse host specification\n"),
	E("pass from (1lo)\n", "stdin:1: invalid interface name '1lo'\n"),
	E("pass from (lo0:bad)\n",
	    "stdin:1: interface lo0:bad has bad modifier\n"),
	E("pass from (lo0:network:peer)\n",
	    "stdin:1: illegal combination of interface modifiers\n"),
	E("pass from 10.0.0.2 - ::1\n",
	    "stdin:1: invalid address range\n"),
	E("pass $undefined\n", "stdin:1: macro 'undefined' not defined\n"
	    "stdin:1: syntax error\n"),
	E("pass proto udp flags S/SA\n", "stdin:1: flags only apply to tcp\n"),
	E("pass flags X/SA\n", "stdin:1: bad flags X\n"),
	E("pass flags SA/S\n", "stdin:1: flags always false\n"),
	E("pass label a label b\n", "stdin:1: label cannot be redefined\n"),
	E("pass keep state keep state\n",
	    "stdin:1: modulate or keep cannot be redefined\n"),
	E("pass keep state (max 1, max 2)\n",
	    "stdin:1: state option 'max' multiple definitions\n"),
	E("pass keep state (tcp.bogus 5)\n",
	    "stdin:1: illegal timeout name tcp.bogus\n"),
	E("pass keep state (frag 5)\n",
	    "stdin:1: illegal state timeout frag\n"),
	E("block keep state\n",
	    "stdin:1: keep state is great, but only for pass rules\n"
	    "stdin:1: skipping rule due to errors\n"
	    "stdin:1: rule expands to no valid combination\n"),
	E("pass icmp-type nosuch\n", "stdin:1: unknown icmp-type nosuch\n"),
	E("pass inet proto icmp icmp-type echoreq code nosuch\n",
	    "stdin:1: unknown icmp-code nosuch\n"),
	E("pass tos 300\n", "stdin:1: illegal tos value 300\n"),
	E("pass prio 9\n", "stdin:1: prio must be 0 - 7\n"),
	E("pass rtable 5\n", "stdin:1: rtable 5 does not exist\n"),
	E("pass probability 200%\n",
	    "stdin:1: invalid probability: 200%\n"),
	E("pass user nosuchuser\n", "stdin:1: unknown user nosuchuser\n"),
	E("pass proto tcp user < unknown\n",
	    "stdin:1: user unknown requires operator = or !=\n"),
	E("pass out nat-to 10.0.0.1 no state\n",
	    "stdin:1: nat-to and rdr-to require keep state\n"
	    "stdin:1: skipping rule due to errors\n"
	    "stdin:1: rule expands to no valid combination\n"),
	E("match nat-to 10.0.0.1\n",
	    "stdin:1: nat-to and rdr-to require a direction\n"
	    "stdin:1: skipping rule due to errors\n"
	    "stdin:1: rule expands to no valid combination\n"),
	E("match out nat-to 10.0.0.1 nat-to 10.0.0.2\n",
	    "stdin:1: cannot respecify nat-to/binat-to\n"),
	E("match out nat-to 10.0.0.1 bitmask random\n",
	    "stdin:1: pool type cannot be redefined\n"),
	E("pass in route-to (lo0)\n", "stdin:1: route spec requires :peer "
	    "with dynamic interface addresses\n"
	    "stdin:1: interface (lo0) is not supported by pool type\n"
	    "stdin:1: skipping rule due to errors\n"
	    "stdin:1: rule expands to no valid combination\n"),
	E("pass route-to 10.0.0.1\n", "stdin:1: direction must be explicit "
	    "with rules that specify routing\n"),
	E("set hostid 0\n", "stdin:1: hostid must be non-zero\n"),
	E("set optimization fast\n",
	    "pfctl: invalid state timeouts optimization\n"
	    "stdin:1: unknown optimization fast\n"),
	E("set timeout nosuch 5\n", "pfctl: Bad timeout name.\n"
	    "stdin:1: unknown timeout nosuch\n"),
	E("set limit nosuch 5\n", "pfctl: Bad pool name.\n"
	    "stdin:1: unable to set limit nosuch 5\n"),
	E("set reassemble maybe\n",
	    "stdin:1: invalid value 'maybe', expected 'yes' or 'no'\n"),
	E("set skip on ! lo0\n",
	    "stdin:1: skip on ! <interface> is not supported\n"
	    "stdin:1: error setting skip interface(s)\n"),
	E("set debug loud\n", "pfctl: unknown debug level \"loud\"\n"
	    "stdin:1: error setting debuglevel loud\n"),
	E("table <t> bogus\n", "stdin:1: invalid table option 'bogus'\n"),
	E("table <t> { <u> }\n", "stdin:1: tables cannot contain tables\n"),
	E("table <t> { (lo0) }\n",
	    "stdin:1: dynamic addresses are not permitted inside tables\n"),
	E("table <t> file \"/does/not/exist\"\n", "stdin:1: cannot load "
	    "\"/does/not/exist\": No such file or directory\n"),
	E("anchor\n", "stdin:1: anchors without explicit rules must specify "
	    "a name\n"),
	E("anchor \"_x\"\n", "stdin:1: anchor names beginning with '_' are "
	    "reserved for internal use\n"),
	E("anchor \"\"\n", "stdin:1: anchor name must not be empty\n"),
	E("anchor \"a/b\" {\npass\n}\n", "stdin:3: anchor paths containing "
	    "'/' cannot be used for inline anchors.\n"),
	E("anchor \"a\" keep state\n",
	    "stdin:1: cannot specify state handling on anchors\n"),
	E("anchor \"a\" {\npass\n}\nanchor \"a\" {\npass\n}\n",
	    "stdin:6: inline anchor 'a' already exists\n"),
	E("load anchor from \"x\"\n", "stdin:1: anchor name is missing\n"),
	E("load anchor \"x\" \"y\"\n", "stdin:1: syntax error\n"),
	E("include \"/does/not/exist\"\n", "pfctl: pushfile: "
	    "/does/not/exist: No such file or directory\n"
	    "stdin:1: failed to include file /does/not/exist\n"),
	E("pass in divert-to 10.0.0.1 port 0\n",
	    "stdin:1: invalid divert port: 0\n"),
	E("pass out divert-to 10.0.0.1 port 80\n",
	    "stdin:1: divert-to used with outgoing rule\n"),
	E("pass tag aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaa\n", "stdin:1: tag too long, max 63 chars\n"),
	E("pass log (to em0)\n",
	    "stdin:1: em0: should be a pflog interface\n"),
	E("pass scrub (min-ttl 300)\n", "stdin:1: illegal min-ttl value 300\n"),
	E("pass scrub (reassemble udp)\n",
	    "stdin:1: scrub reassemble supports only tcp, not 'udp'\n"),
	E("match out binat-to 10.0.0.1\n",
	    "stdin:1: binat-to cannot be specified with a direction\n"
	    "stdin:1: skipping rule due to errors\n"
	    "stdin:1: rule expands to no valid combination\n"),
	E("pass in all\n}\n", "stdin:2: syntax error\n"),
	E("a b = c\n", "stdin:1: syntax error\n"),
	/* queues: the options, each once */
	E("queue q on em0 bandwidth 1M bandwidth 2M\n",
	    "stdin:1: bandwidth cannot be respecified\n"),
	E("queue q parent a bandwidth 1M parent b\n",
	    "stdin:1: parent cannot be respecified\n"),
	E("queue q on em0 flows 1 default default\n",
	    "stdin:1: default cannot be respecified\n"),
	E("queue q on em0 flows 1 qlimit 1 qlimit 2\n",
	    "stdin:1: qlimit cannot be respecified\n"),
	E("queue q on em0 flows 1 flows 2\n",
	    "stdin:1: number of flows cannot be respecified\n"),
	E("queue q on em0 flows 1 quantum 1 quantum 2\n",
	    "stdin:1: quantum cannot be respecified\n"),
	E("queue q on em0 flows 1 qlimit 65536\n",
	    "stdin:1: qlimit out of range: max 65535\n"),
	E("queue q on em0 flows 0\n",
	    "stdin:1: number of flows out of range: max 32767\n"),
	E("queue q on em0 flows 32768\n",
	    "stdin:1: number of flows out of range: max 32767\n"),
	E("queue q on em0 flows 1 quantum 0\n",
	    "stdin:1: quantum out of range: max 65535\n"),
	E("queue q on em0 flows 1 quantum 65536\n",
	    "stdin:1: quantum out of range: max 65535\n"),
	E("queue q on em0 flows 1 qlimit\n", "stdin:1: syntax error\n"),
	E("queue q on em0\n", "stdin:1: syntax error\n"),
	E("queue q on em0 bandwidth 1M, default\n",
	    "stdin:1: syntax error\n"),
	E("queue q on em0 bandwidth 1M min 1K min 2K\n",
	    "stdin:1: syntax error\n"),
	/* bandwidths */
	E("queue q on em0 bandwidth 10%\n",
	    "stdin:1: no bandwidth in % yet\n"),
	E("queue q on em0 bandwidth 1M max 2M burst 50% for 5ms\n",
	    "stdin:1: no bandwidth in % yet\n"),
	E("queue q on em0 bandwidth 101%\n",
	    "stdin:1: bandwidth spec out of range\n"),
	E("queue q on em0 bandwidth 10X\n", "stdin:1: unknown unit \"X\"\n"),
	E("queue q on em0 bandwidth 10Mbps\n",
	    "stdin:1: unknown unit \"Mbps\"\n"),
	E("queue q on em0 bandwidth 1.5\n", "stdin:1: unknown unit \"\"\n"),
	E("queue q on em0 bandwidth 1e30G\n",
	    "stdin:1: bandwidth number too big\n"),
	E("queue q on em0 bandwidth 1M burst 2M for 1s\n",
	    "stdin:1: time in scspec must be in ms\n"),
	E("queue q on em0 bandwidth 1M burst 2M for 100\n",
	    "stdin:1: syntax error\n"),
	/* the definition as a whole */
	E("queue q bandwidth 1M\n",
	    "stdin:1: root queue without interface\n"),
	E("queue q on em0 qlimit 10 default\n",
	    "stdin:1: no bandwidth or flow specification\n"),
	E("queue q on any flows 1\n", "stdin:1: not an interface\n"),
	E("queue a on em0 flows 1\nqueue b on em0 bandwidth 1M default\n",
	    "stdin:2: A root queue is already defined on em0\n"),
	E("queue a on { em1 em0 em1 } flows 1\n",
	    "stdin:1: A root queue is already defined on em1\n"),
	E("anchor {\n queue q on em0 flows 1\n}\n", "stdin:2: syntax error\n"),
	/* the tree, once the file is read */
	E("queue r on em0 bandwidth 1M\nqueue c parent r bandwidth 1M default\n"
	    "queue c parent r bandwidth 2M\n",
	    "stdin:3: queue c respecified\n"),
	E("queue r on em0 bandwidth 1M\n"
	    "queue c on em0 parent r bandwidth 1M default\n"
	    "queue c on em0 parent r bandwidth 2M\n",
	    "stdin:3: queue c on em0 respecified\n"),
	E("queue r on em0 bandwidth 1M\nqueue c parent r bandwidth 1M default\n"
	    "queue g parent c bandwidth 1M\n",
	    "stdin:2: default queue c is not a leaf queue\n"),
	E("queue r on em0 bandwidth 1M\nqueue c parent r bandwidth 1M flows 9\n"
	    "queue g parent c bandwidth 1M default\n",
	    "stdin:2: flow queue c is not a leaf queue\n"),
	/* pfctl stops at the first line: the second is never seen there */
	E("queue r on em0 flows 9\nqueue c parent r bandwidth 1M\n",
	    "stdin:1: flow queue r is not a leaf queue\n"
	    "stdin:1: root queue r doesn't support hierarchy\n"),
	E("queue r on em0 bandwidth 1M\nqueue c parent r bandwidth 1M\n",
	    "stdin:1: no default queue specified\n"),
	E("queue r on em0 bandwidth 1M default\n"
	    "queue c parent x bandwidth 1M\n",
	    "stdin:2: queue c: parent x not found\n"),
	E("queue r on em0 bandwidth 1M default\n"
	    "queue c on em1 parent r bandwidth 1M\n",
	    "stdin:2: queue c: parent r not found\n"),
	E("queue r on em0 bandwidth 1M\nqueue c parent r flows 9 default\n",
	    "stdin:2: queue c: no bandwidth was specified\n"),
	E("queue a on em0 bandwidth 1M\n"
	    "queue a parent a bandwidth 1M default\n",
	    "stdin:2: queue a: excessive matches, loop?\n"),
	/* rules name queues that exist, and leaves */
	E("pass queue nope\n", "stdin:1: queue nope is not defined\n"),
	E("queue q on em0 flows 1\npass queue (q, nope)\n",
	    "stdin:2: queue nope is not defined\n"),
	E("pass queue q\nqueue q on em0 flows 1\n",
	    "stdin:1: queue q is not defined\n"),
	E("queue r on em0 bandwidth 1M\nqueue c parent r bandwidth 1M default\n"
	    "pass queue c\npass queue r\nanchor {\n pass queue (c, r)\n}\n",
	    "stdin:4: queue r: packets must be assigned to leaf queues only\n"
	    "stdin:6: queue r: packets must be assigned to leaf queues only\n"),
};

/*
 * One test over the table: Criterion's parameterized tests would copy
 * these pointers into a re-executed (PIE) process where they mean nothing.
 */
Test(parse, errors)
{
	size_t	i;

	for (i = 0; i < sizeof(errcases) / sizeof(errcases[0]); i++)
		check_error(errcases[i].in, errcases[i].err);
}

Test(parse, all_problems_of_a_file_are_reported)
{
	check_error("pass proto nosuch\npass in\nblock from 1.2.3\n"
	    "pass flags S\n",
	    "stdin:1: unknown protocol nosuch\n"
	    "no IP address found for 1.2.3\n"
	    "stdin:3: could not parse host specification\n"
	    "stdin:4: syntax error\n");
}

Test(parse, second_syntax_error_within_three_tokens_is_silent)
{
	/* yacc's recovery, which pfctl's outputs depend on */
	check_error("pass bad\nblock 23\nblock quick bad\n",
	    "stdin:1: syntax error\nstdin:3: syntax error\n");
}

Test(parse, errors_name_the_included_file)
{
	char		 path[] = "/tmp/acl-test-incXXXXXX";
	char		*in;
	int		 fd = mkstemp(path);
	FILE		*f = fdopen(fd, "w");
	struct acl_run	 r;
	char		 want[256];

	fprintf(f, "pass\npass bogus\n");
	fclose(f);
	if (asprintf(&in, "pass\ninclude \"%s\"\nblock bogus\n", path) < 0)
		cr_assert_fail("asprintf");
	r = acl_run(in, 0, 0);
	snprintf(want, sizeof(want), "%s:2: syntax error\n"
	    "stdin:3: syntax error\n", path);
	cr_assert_str_eq(r.err, want);
	cr_assert_eq(r.rv, -1);
	acl_run_free(&r);
	unlink(path);
	free(in);
}

Test(parse, options_are_printed_even_when_rules_fail)
{
	struct acl_run	r = acl_run("set limit states 10\npass bogus\n"
	    "table <t> { 10.0.0.1 }\n", ACL_LOAD_VERBOSE, 0);

	cr_assert_eq(r.rv, -1);
	cr_assert_str_eq(r.out, "set limit states 10\n"
	    "table <t> { 10.0.0.1 }\n");
	acl_run_free(&r);
}

Test(parse, success_builds_the_tree)
{
	struct acl_run		 r = acl_run("ext = \"em0\"\n"
	    "pass in on $ext proto tcp to port { 22 80 }\n"
	    "anchor \"vm/*\"\n"
	    "anchor \"inl\" {\n block\n}\n", 0, 0);
	const struct acl_anchor	*root, *a;

	cr_assert_eq(r.rv, 0, "%s", r.err);
	root = r.conf->root;
	cr_assert_eq(root->rs.nrules, 4);
	cr_assert_str_eq(root->rs.rules[0].ifname, "em0");
	cr_assert_eq(root->rs.rules[1].dst.port[0], 80);
	cr_assert_eq(root->rs.rules[1].nr, 1);
	cr_assert(root->rs.rules[2].anchor_wildcard);
	a = acl_anchor_find(r.conf, "vm");
	cr_assert_not_null(a);
	cr_assert_eq(root->rs.rules[2].anchor, a);
	a = acl_anchor_find(r.conf, "inl");
	cr_assert_not_null(a);
	cr_assert_eq(a->rs.nrules, 1);
	cr_assert_eq(a->rs.rules[0].action, ACL_BLOCK);
	cr_assert_str_eq(a->rs.rules[0].file, "stdin");
	cr_assert_eq(a->rs.rules[0].line, 5);
	acl_run_free(&r);
}

/* the tree in conf->queues: roots in order, each followed by its subtree */
Test(parse, queues_build_the_tree)
{
	struct acl_run		 r = acl_run(
	    "queue leaf parent mid bandwidth 2M burst 4M for 50ms default "
	    "qlimit 30\n"
	    "queue fq on em1 flows 512 quantum 1514\n"
	    "queue root on em0 bandwidth 10M max 9M\n"
	    "queue mid parent root bandwidth 5M min 1M\n"
	    "queue other on em0 parent root bandwidth 1K\n", 0, 0);
	const struct acl_queue	*q;
	size_t			 i;

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_eq(r.conf->nqueues, 5);
	q = r.conf->queues;
	cr_assert_str_eq(q[0].name, "fq");
	cr_assert_eq(q[0].parent_idx, -1);
	cr_assert_eq(q[0].flags, ACL_QF_FLOWQUEUE);
	cr_assert_eq(q[0].flows, 512);
	cr_assert_eq(q[0].quantum, 1514);
	cr_assert_eq(q[0].qlimit, 0);
	cr_assert_eq(q[0].line, 2);

	cr_assert_str_eq(q[1].name, "root");
	cr_assert_eq(q[1].parent_idx, -1);
	cr_assert_str_eq(q[1].ifname, "em0");
	cr_assert_eq(q[1].flags, ACL_QF_ROOTCLASS);
	cr_assert_eq(q[1].linkshare.m2, 10000000);
	cr_assert_eq(q[1].upperlimit.m2, 9000000);
	cr_assert_eq(q[1].realtime.m2, 0);

	cr_assert_str_eq(q[2].name, "mid");
	cr_assert_str_eq(q[2].parent, "root");
	cr_assert_eq(q[2].parent_idx, 1);
	cr_assert_str_eq(q[2].ifname, "em0");
	cr_assert_eq(q[2].flags, 0);
	cr_assert_eq(q[2].realtime.m2, 1000000);

	cr_assert_str_eq(q[3].name, "leaf");
	cr_assert_eq(q[3].parent_idx, 2);
	cr_assert_str_eq(q[3].ifname, "em0");
	cr_assert_eq(q[3].flags, ACL_QF_DEFAULT);
	cr_assert_eq(q[3].qlimit, 30);
	cr_assert_eq(q[3].linkshare.m2, 2000000);
	cr_assert_eq(q[3].linkshare.m1, 4000000);
	cr_assert_eq(q[3].linkshare.d, 50);
	cr_assert_eq(q[3].line, 1);

	cr_assert_str_eq(q[4].name, "other");
	cr_assert_eq(q[4].parent_idx, 1);
	cr_assert_eq(q[4].linkshare.m2, 1000);
	cr_assert_eq(q[4].line, 5);

	/* the file name is the conf's, as a rule's is */
	for (i = 0; i < r.conf->nqueues; i++) {
		cr_assert_str_eq(q[i].file, "stdin");
		cr_assert_eq(q[i].file, r.conf->files[0]);
	}
	acl_run_free(&r);
}

/* a floating child goes under its parent on every interface */
Test(parse, queues_on_a_list_of_interfaces)
{
	struct acl_run		 r = acl_run(
	    "queue r on { em0 em1 } bandwidth 10M\n"
	    "queue c parent r bandwidth 1M default\n"
	    "queue x on em1 parent r bandwidth 2M\n", 0, 0);
	const struct acl_queue	*q;

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_eq(r.conf->nqueues, 5);
	q = r.conf->queues;
	cr_assert_str_eq(q[0].ifname, "em0");
	cr_assert_str_eq(q[1].name, "c");
	cr_assert_str_eq(q[1].ifname, "em0");
	cr_assert_eq(q[1].parent_idx, 0);
	cr_assert_str_eq(q[2].ifname, "em1");
	cr_assert_str_eq(q[3].name, "c");
	cr_assert_str_eq(q[3].ifname, "em1");
	cr_assert_eq(q[3].parent_idx, 2);
	cr_assert_str_eq(q[4].name, "x");
	cr_assert_eq(q[4].parent_idx, 2);
	acl_run_free(&r);
}

/* pfctl keeps the one bound to the interface over a floating one */
Test(parse, queues_bound_beats_floating)
{
	struct acl_run	r = acl_run("queue r on em0 bandwidth 10M\n"
	    "queue c parent r bandwidth 1M default\n"
	    "queue c on em0 parent r bandwidth 2M default\n"
	    "queue c parent r bandwidth 3M default\n", 0, 0);

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_eq(r.conf->nqueues, 2);
	cr_assert_eq(r.conf->queues[1].linkshare.m2, 2000000);
	cr_assert_eq(r.conf->queues[1].line, 3);
	acl_run_free(&r);
}

/*
 * pfctl_leafqueue_check() finds only roots with children (the children
 * of inner queues are kept on copies): a rule may name an inner queue.
 */
Test(parse, queues_inner_queue_assignable_as_in_pfctl)
{
	struct acl_run	r = acl_run("queue r on em0 bandwidth 10M\n"
	    "queue mid parent r bandwidth 5M\n"
	    "queue leaf parent mid bandwidth 1M default\n"
	    "pass queue mid\n", 0, 0);

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_str_eq(r.conf->root->rs.rules[0].qname, "mid");
	cr_assert_eq(r.conf->root->rs.rules[0].qid, 0);
	acl_run_free(&r);
}

/* queues are the main ruleset's: an anchor's file may use them, not
 * define them */
Test(parse, queues_and_anchor_files)
{
	char		 a[] = "/tmp/acl-test-qaXXXXXX";
	char		 b[] = "/tmp/acl-test-qbXXXXXX";
	int		 fa = mkstemp(a), fb = mkstemp(b);
	FILE		*f;
	char		*in, want[256];
	struct acl_run	 r;

	f = fdopen(fa, "w");
	fprintf(f, "pass queue std\n");
	fclose(f);
	f = fdopen(fb, "w");
	fprintf(f, "pass\nqueue x on em1 flows 10\n");
	fclose(f);
	if (asprintf(&in, "queue r on em0 bandwidth 10M\n"
	    "queue std parent r bandwidth 1M default\n"
	    "anchor a\nload anchor a from \"%s\"\n", a) < 0)
		cr_assert_fail("asprintf");
	r = acl_run(in, 0, 0);
	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_str_eq(acl_anchor_find(r.conf, "a")->rs.rules[0].qname,
	    "std");
	acl_run_free(&r);
	free(in);

	if (asprintf(&in, "anchor b\nload anchor b from \"%s\"\n", b) < 0)
		cr_assert_fail("asprintf");
	r = acl_run(in, 0, 0);
	snprintf(want, sizeof(want), "%s:2: must not have queue definitions "
	    "in an anchor\npfctl: load anchors\n", b);
	cr_assert_eq(r.rv, -1);
	cr_assert_null(r.conf);
	cr_assert_str_eq(r.err, want);
	acl_run_free(&r);
	free(in);
	unlink(a);
	unlink(b);
}

/* pfctl -a: the file goes into an anchor, where queues may not be */
Test(parse, queues_not_in_an_anchor_load)
{
	struct acl_load_args	 a;
	struct acl_conf		*conf = NULL;
	const char		*text = "queue r on em0 flows 10\n";
	char			*err;
	size_t			 len;
	FILE			*in, *ef;

	in = fmemopen((void *)text, strlen(text), "r");
	ef = open_memstream(&err, &len);
	memset(&a, 0, sizeof(a));
	a.file = "-";
	a.stream = in;
	a.anchor = "x";
	a.err = ef;
	cr_assert_eq(acl_load(&a, &conf), -1);
	fclose(in);
	fclose(ef);
	cr_assert_null(conf);
	cr_assert_str_eq(err,
	    "stdin:1: must not have queue definitions in an anchor\n");
	free(err);
}

/* sluiced schedules queues: the lint has nothing to say of them */
Test(parse, queues_not_linted)
{
	struct acl_run	r = acl_run("queue r on em0 flows 10\n"
	    "queue s on em1 flows 10\n", ACL_LOAD_WARN, 0);

	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.err, "");
	acl_run_free(&r);
}

Test(parse, lint_warns_once_per_feature)
{
	struct acl_run	r = acl_run("pass in log (matches) route-to "
	    "(em1:peer)\npass out log (user)\npass log (all, to pflog1)\n",
	    ACL_LOAD_WARN, 0);

	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.err,
	    "stdin:1: warning: route-to/reply-to/dup-to (interface) not "
	    "enforced by sluice\n"
	    "stdin:2: warning: log (user): sluice has no local sockets, so "
	    "pflog's uid and pid are -1, as pf logs forwarded packets\n");
	acl_run_free(&r);
}

/* set delay: each value once in conf->delays, the rule's number in its
 * scrub flags; an eighth value is refused. */
Test(parse, set_delay_numbers_its_values)
{
	struct acl_run	r = acl_run("match proto udp set delay 100\n"
	    "match proto tcp set delay 0\npass proto icmp set delay 100\n",
	    0, 0);
	const struct acl_rule *ru;

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_expect_eq(r.conf->ndelays, 2);
	cr_expect_eq(r.conf->delays[0], 100);
	cr_expect_eq(r.conf->delays[1], 0);
	ru = r.conf->root->rs.rules;
	cr_expect_eq(ru[0].scrub_flags & ACL_SCRUB_DELAYMASK,
	    1 << ACL_SCRUB_DELAYSHIFT);
	cr_expect_eq(ru[1].scrub_flags & ACL_SCRUB_DELAYMASK,
	    2 << ACL_SCRUB_DELAYSHIFT);
	cr_expect_eq(ru[2].scrub_flags & ACL_SCRUB_DELAYMASK,
	    1 << ACL_SCRUB_DELAYSHIFT);
	acl_run_free(&r);
	r = acl_run("match set delay 1\nmatch set delay 2\nmatch set delay 3\n"
	    "match set delay 4\nmatch set delay 5\nmatch set delay 6\n"
	    "match set delay 7\nmatch set delay 1\nmatch set delay 8\n", 0, 0);
	cr_expect_eq(r.rv, -1);
	cr_expect_str_eq(r.err, "stdin:9: set delay 8: sluice keeps at most 7 "
	    "different delays\n");
	acl_run_free(&r);
}

/* Enforced as pf does on a host like sluice's: said once, not "not
 * enforced"; rtable 0 is the table there is. */
Test(parse, lint_says_what_user_route_and_rtable_mean)
{
	struct acl_run	r = acl_run("pass out proto tcp user 1000\n"
	    "pass out proto udp group 20\npass from route \"dmz\"\n"
	    "pass rtable 0\n", ACL_LOAD_WARN, 0);

	cr_assert_eq(r.rv, 0, "%s", r.err);
	cr_assert_str_eq(r.err,
	    "stdin:1: warning: user/group: sluice has no local sockets, so "
	    "every packet's user and group are unknown, as pf has them for "
	    "forwarded packets (only \"unknown\" and != match)\n"
	    "stdin:3: warning: route labels: sluice's routes carry none, so "
	    "route \"dmz\" matches no address\n");
	acl_run_free(&r);
}

/* nat-to and rdr-to either way: pfctl takes them and sluice translates
 * them all, so the lint has nothing to say. */
Test(parse, lint_quiet_on_translation_either_way)
{
	struct acl_run	r = acl_run("match out on em0 nat-to 192.0.2.1\n"
	    "pass in on em0 proto tcp rdr-to 192.0.2.2\n"
	    "pass in on em0 nat-to 192.0.2.3\n"
	    "pass out on em0 proto tcp rdr-to 192.0.2.4\n", ACL_LOAD_WARN, 0);

	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.err, "");
	acl_run_free(&r);
}

/* Every pool type and sticky-address are enforced now: quiet.  What is
 * still ignored (IPv6 translation, a range as a pool) says so. */
Test(parse, lint_pools)
{
	struct acl_run	r = acl_run("table <web> { 192.0.2.10 192.0.2.11 }\n"
	    "pass in on em0 proto tcp to port 80 rdr-to <web> round-robin "
	    "sticky-address\n"
	    "pass out on em0 nat-to 198.51.100.0/28 source-hash \"k\"\n"
	    "pass out on em0 nat-to { 198.51.100.1 198.51.100.2 } "
	    "least-states\n"
	    "pass out on em0 nat-to 198.51.100.0/28 random sticky-address\n"
	    "pass out on em0 nat-to 198.51.100.0/28 bitmask\n",
	    ACL_LOAD_WARN, 0);

	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.err, "");
	acl_run_free(&r);
	r = acl_run("pass out on em0 inet6 nat-to 2001:db8::1\n"
	    "pass out on em0 inet6 nat-to (em0)\n"
	    "pass out on em0 inet6 nat-to { 2001:db8::1, 2001:db8::2 }\n"
	    "pass out on em0 nat-to 198.51.100.1 - 198.51.100.4\n",
	    ACL_LOAD_WARN, 0);
	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.err, "stdin:4: warning: an address range as a "
	    "translation pool not enforced by sluice\n");
	acl_run_free(&r);
}

/* Every limit is kept; frags says what of it holds beyond 64
 * datagrams. */
Test(parse, lint_names_what_a_limit_does)
{
	struct acl_run	r = acl_run("set limit states 5000\n"
	    "set limit frags 64\nset limit tables 100\n"
	    "set limit { table-entries 10, anchors 3, pktdelay-pkts 9 }\n"
	    "set limit frags 100\npass all\n", ACL_LOAD_WARN, 0);

	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.err,
	    "stdin:5: warning: set limit frags 100: sluice holds 100 "
	    "fragments but reassembles at most 64 datagrams at a time\n");
	acl_run_free(&r);
}

Test(parse, no_lint_without_the_flag)
{
	struct acl_run	r = acl_run("pass in log route-to (em1:peer)\n", 0, 0);

	cr_assert_eq(r.rv, 0);
	cr_assert_str_eq(r.err, "");
	acl_run_free(&r);
}

/* what the fuzzer found (test/fuzz/crashes): load without crashing */
Test(parse, fuzz_regressions)
{
	DIR			*d = opendir(ACL_FUZZ_DIR);
	struct dirent		*e;
	struct acl_load_args	 a;
	struct acl_conf		*conf;
	FILE			*in, *null = fopen("/dev/null", "w");
	char			 path[1024];
	int			 n = 0;

	cr_assert_not_null(d, "%s", ACL_FUZZ_DIR);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", ACL_FUZZ_DIR,
		    e->d_name);
		in = fopen(path, "r");
		cr_assert_not_null(in, "%s", path);
		memset(&a, 0, sizeof(a));
		a.file = e->d_name;
		a.stream = in;
		a.flags = ACL_LOAD_VERBOSE | ACL_LOAD_VERBOSE2 |
		    ACL_LOAD_WARN | ACL_LOAD_NOFILES;
		a.out = a.err = null;
		conf = NULL;
		if (acl_load(&a, &conf) == 0)
			acl_conf_free(conf);
		fclose(in);
		n++;
	}
	closedir(d);
	fclose(null);
	cr_assert_gt(n, 0);
}
