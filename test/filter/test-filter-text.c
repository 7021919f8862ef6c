/*
 * The classifier on rule sets read by the pf.conf parser (acl_load()):
 * the handbook's section 4 as written, and as corrected in examples/.
 * The other tests build their rules by hand and do not need the parser.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "acl/pf.h"
#include "acl/filter/pf_filter.h"
#include "filter_build.h"

static struct acl_conf *
load(const char *file, const char *confdir, const char *text)
{
	struct acl_load_args a;
	struct acl_conf *conf;
	char path[1024];
	FILE *fp = NULL;

	memset(&a, 0, sizeof(a));
	snprintf(path, sizeof(path), "%s/%s", SLUICE_SOURCE_DIR, file);
	a.file = path;
	if (text != NULL) {
		fp = fmemopen((void *)text, strlen(text), "r");
		cr_assert_not_null(fp);
		a.stream = fp;
	}
	a.confdir = confdir;
	a.out = stdout;
	a.err = stderr;
	cr_assert_eq(acl_load(&a, &conf), 0, "%s does not load", path);
	if (fp != NULL)
		fclose(fp);
	return (conf);
}

static struct acl_result
eval(struct acl_conf *conf, struct acl_ifinfo *ifs, size_t nifs, size_t port,
    int dir, struct acl_pkt p)
{
	return (fb_eval(conf, ifs, nifs, port, dir, NULL, p));
}

/*
 * As written: the anchors come before "block all", so without quick the
 * block wins; and "to (tap3)" names the tap's addresses, it has none.
 */
Test(text, handbook_section4_as_written)
{
	char confdir[1024];
	struct acl_ifinfo ifs[3];
	struct acl_conf *conf;
	struct acl_result res;
	size_t i;

	snprintf(confdir, sizeof(confdir), "%s/examples/handbook/etc",
	    SLUICE_SOURCE_DIR);
	conf = load("examples/handbook/etc/pf.conf", confdir, NULL);
	fb_if(&ifs[0], "em0", "em egress", "198.51.100.2/24");
	fb_if(&ifs[1], "tap3", "tap", "");
	fb_if(&ifs[2], "tap4", "tap", "");
	res = eval(conf, ifs, 3, 1, ACL_IN, fb_syn("203.0.113.5",
	    "192.0.2.11", 80));
	cr_expect_eq(res.ar_action, ACL_BLOCK);
	cr_expect_str_eq(res.ar_anchor, "");
	/* with "anchor "vm/ *" quick": still blocked, tap3 has no address */
	for (i = 0; i < conf->root->rs.nrules; i++)
		if (conf->root->rs.rules[i].anchor != NULL)
			conf->root->rs.rules[i].quick = 1;
	res = eval(conf, ifs, 3, 1, ACL_IN, fb_syn("203.0.113.5",
	    "192.0.2.11", 80));
	cr_expect_eq(res.ar_action, ACL_BLOCK);
	cr_expect(!res.ar_quick_anchor);
	/* ... until it has one */
	fb_if(&ifs[1], "tap3", "tap", "192.0.2.11/32");
	res = eval(conf, ifs, 3, 1, ACL_IN, fb_syn("203.0.113.5",
	    "192.0.2.11", 80));
	cr_expect_eq(res.ar_action, ACL_PASS);
	cr_expect(res.ar_quick_anchor);
	cr_expect_str_eq(res.ar_anchor, "vm/web01");
	/* the host's own traffic leaves by the egress rule */
	res = eval(conf, ifs, 3, 0, ACL_OUT, fb_syn("198.51.100.2",
	    "203.0.113.5", 443));
	cr_expect_eq(res.ar_action, ACL_PASS);
	cr_expect_eq(res.ar_keep_state, ACL_STATE_NORMAL);
	acl_conf_free(conf);
}

Test(text, handbook_section4_corrected)
{
	char confdir[1024];
	struct acl_ifinfo ifs[3];
	struct acl_conf *conf;
	struct acl_result res;

	snprintf(confdir, sizeof(confdir), "%s/examples/handbook-fixed",
	    SLUICE_SOURCE_DIR);
	conf = load("examples/handbook-fixed/pf.conf", confdir, NULL);
	fb_if(&ifs[0], "em0", "em egress", "198.51.100.2/24");
	fb_if(&ifs[1], "em1", "em", "");
	fb_if(&ifs[2], "tap0", "tap", "");
	res = eval(conf, ifs, 3, 2, ACL_OUT, fb_syn("203.0.113.5",
	    "192.0.2.11", 80));
	cr_expect_eq(res.ar_action, ACL_PASS);
	cr_expect_str_eq(res.ar_anchor, "vm/web01");
	res = eval(conf, ifs, 3, 2, ACL_OUT, fb_syn("203.0.113.5",
	    "192.0.2.11", 22));
	cr_expect_eq(res.ar_action, ACL_BLOCK);
	res = eval(conf, ifs, 3, 2, ACL_OUT, fb_syn("10.10.0.7",
	    "192.0.2.11", 22));
	cr_expect_eq(res.ar_action, ACL_PASS);
	acl_conf_free(conf);
}

/* a quick anchor call and a match rule with nat-to, from text */
Test(text, quick_anchor_and_nat_from_text)
{
	static const char pfconf[] =
	    "match out on egress inet from 10.50.0.0/24 nat-to (egress)\n"
	    "anchor \"vm\" quick {\n"
	    "  pass out on tap0 proto tcp to port 80\n"
	    "}\n"
	    "block all\n"
	    "pass out on egress\n";
	struct acl_ifinfo ifs[2];
	struct acl_conf *conf;
	struct acl_result res;

	conf = load("test/filter/inline.conf", NULL, pfconf);
	fb_if(&ifs[0], "em0", "em egress", "198.51.100.2/24");
	fb_if(&ifs[1], "tap0", "tap", "");
	res = eval(conf, ifs, 2, 1, ACL_OUT, fb_syn("10.50.0.5", "10.50.0.9",
	    80));
	cr_expect_eq(res.ar_action, ACL_PASS);
	cr_expect(res.ar_quick_anchor);
	res = eval(conf, ifs, 2, 0, ACL_OUT, fb_syn("10.50.0.5", "203.0.113.9",
	    80));
	cr_expect_eq(res.ar_action, ACL_PASS);
	cr_expect_not_null(res.ar_nat);
	cr_expect_eq(res.ar_nat->action, ACL_MATCH);
	acl_conf_free(conf);
}

/*
 * A quick rule that covers a region of the tree does not end the lookup
 * of a packet that a later match rule translates into that region: it is
 * looked up again from the entry after the translating rule, past the
 * quick one, and the rules that follow still apply (here the tag).  The
 * /28s make any tree cut into small regions inside 10.1.0.0/16, which the
 * quick rule covers.
 */
Test(text, translated_into_a_quick_region)
{
	char pfconf[16384];
	struct acl_ifinfo ifs[1];
	struct acl_conf *conf;
	struct acl_result res;
	size_t len;
	int i;

	len = (size_t)snprintf(pfconf, sizeof(pfconf),
	    "pass out quick inet from 10.1.0.0/16 no state\n"
	    "match out inet from 10.0.0.1 nat-to 10.1.0.5\n"
	    "match out inet from 10.1.0.0/16 tag T\n");
	for (i = 0; i < 64; i++)
		len += (size_t)snprintf(pfconf + len, sizeof(pfconf) - len,
		    "pass out inet from 10.1.%d.%d/28\n", i / 16, i % 16 * 16);
	cr_assert_lt(len, sizeof(pfconf));
	conf = load("test/filter/inline.conf", NULL, pfconf);
	fb_if(&ifs[0], "em0", "em egress", "198.51.100.2/24");
	res = eval(conf, ifs, 1, 0, ACL_OUT, fb_syn("10.0.0.1", "192.0.2.77",
	    80));
	/* nat-to 10.1.0.5, tagged, then passed by 10.1.0.0/28 */
	cr_expect_eq(res.ar_reason, ACL_R_MATCH);
	cr_expect_eq(res.ar_rule, &conf->root->rs.rules[3]);
	cr_expect_not_null(res.ar_nat);
	cr_expect_neq(res.ar_tag, 0);
	cr_expect_not_null(res.ar_match);
	cr_expect_neq(res.ar_match, res.ar_nat);
	acl_conf_free(conf);
}

/*
 * An interface's IPv6 addresses in (if): the link-local one first, as the
 * kernel lists it, so (if:0) is it; (if:network) leaves it out, as
 * pfi_instance_add() does.
 */
Test(text, dynamic_ipv6_link_local)
{
	struct acl_ifinfo ifs[1];
	struct acl_conf *conf;
	struct acl_result res;

	conf = load("test/filter/inline.conf", NULL,
	    "block all\n"
	    "pass in inet6 from (em0:network)\n"
	    "pass in inet6 proto udp to (em0:0) port 7\n");
	fb_if(&ifs[0], "em0", "em egress", "fe80::1/64 2001:db8::1/64");
	res = eval(conf, ifs, 1, 0, ACL_IN, fb_pkt("2001:db8::5",
	    "2001:db8:9::9", IPPROTO_UDP, 5000, 53));
	cr_expect_eq(res.ar_action, ACL_PASS, "from the global network");
	res = eval(conf, ifs, 1, 0, ACL_IN, fb_pkt("fe80::5",
	    "2001:db8:9::9", IPPROTO_UDP, 5000, 53));
	cr_expect_eq(res.ar_action, ACL_BLOCK, "link-local is no network");
	res = eval(conf, ifs, 1, 0, ACL_IN, fb_pkt("2001:db8:7::7",
	    "fe80::1", IPPROTO_UDP, 5000, 7));
	cr_expect_eq(res.ar_action, ACL_PASS, "(em0:0) is the link-local");
	res = eval(conf, ifs, 1, 0, ACL_IN, fb_pkt("2001:db8:7::7",
	    "2001:db8::1", IPPROTO_UDP, 5000, 7));
	cr_expect_eq(res.ar_action, ACL_BLOCK, "... and only it");
	acl_conf_free(conf);
}
