/* Configuration directory: good files as the handbook writes them, and bad
 * ones with the exact position and wording of each error. */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "dataplane/conf.h"
#include "fwd/bridge.h"
#include "test/unit/dptest.h"

static char dir[64];
static struct conf *c;
static char *errs;
static size_t errlen;

static void
put(const char *name, const char *text)
{
	cr_assert_eq(etc_put(dir, name, text), 0, "cannot write %s", name);
}

/* Load the directory; returns conf_load's result, errors in errs. */
static int
load(void)
{
	FILE *ef;
	int r;

	free(errs);
	errs = NULL;
	ef = open_memstream(&errs, &errlen);
	r = conf_load(c, dir, ef);
	fclose(ef);
	return r;
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sluice-conf-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	c = calloc(1, sizeof(*c));
	errs = NULL;
}

static void
teardown(void)
{
	conf_free(c);
	free(c);
	free(errs);
	etc_remove(dir);
}

TestSuite(conf, .init = setup, .fini = teardown);

static const char *seed_vmconf =
    "## /etc/vm.conf — example switch and guest\n"
    "switch \"lan\" {\n"
    "    interface bridge0\n"
    "}\n"
    "\n"
    "vm \"web01\" {\n"
    "    memory 1024M\n"
    "    disk \"/var/vm/web01.img\"\n"
    "    interface { switch \"lan\" }\n"
    "}\n";

Test(conf, seed_sections_1_and_2)
{
	put("hostname.bridge0", "add em1\nup\n");
	put("hostname.vlan10", "vlandev em1\nvlan 10\nup\n");
	put("vm.conf", seed_vmconf);
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->nbridges, 1);
	cr_expect_str_eq(c->bridges[0].name, "bridge0");
	cr_expect(c->bridges[0].up);
	cr_expect_eq(c->bridges[0].maxaddr, 100);
	cr_expect_eq(c->bridges[0].timeout, 240);
	cr_expect_eq(c->bridges[0].nmembers, 1);
	cr_expect_str_eq(c->bridges[0].members[0].ifname, "em1");
	cr_expect_eq(c->bridges[0].members[0].flags, BM_LEARNING | BM_DISCOVER);
	cr_expect_eq(c->nvlans, 1);
	cr_expect_str_eq(c->vlans[0].parent, "em1");
	cr_expect_eq(c->vlans[0].vid, 10);
	cr_expect_eq(c->nvms, 1);
	cr_expect_str_eq(c->vms[0].name, "web01");
	cr_expect_eq(c->vms[0].memory, 1024ULL << 20);
	cr_expect_str_eq(c->vms[0].disk, "/var/vm/web01.img");
	cr_expect_str_eq(c->vms[0].ifs[0].tap, "tap0");
	cr_expect_str_eq(c->vms[0].ifs[0].sw, "lan");
}

Test(conf, vlan_parent_vnetid_spelling)
{
	put("hostname.vlan20", "parent em1 vnetid 20 up\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_str_eq(c->vlans[0].parent, "em1");
	cr_expect_eq(c->vlans[0].vid, 20);
}

Test(conf, bridge_options)
{
	put("hostname.bridge0", "add em1 add em2\n-learn em1\n-discover em2\n"
	    "maxaddr 2\ntimeout 30\nstatic 02:00:00:00:00:01 em2\nup\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->bridges[0].members[0].flags, BM_DISCOVER);
	cr_expect_eq(c->bridges[0].members[1].flags, BM_LEARNING);
	cr_expect_eq(c->bridges[0].maxaddr, 2);
	cr_expect_eq(c->bridges[0].timeout, 30);
	cr_expect_eq(c->bridges[0].nstatic, 1);
	cr_expect_eq(c->bridges[0].statics[0].mac[5], 1);
}

Test(conf, taps_in_file_order_skip_named)
{
	put("hostname.bridge0", "up\n");
	put("vm.conf", "switch \"s\" { interface bridge0 }\n"
	    "vm \"a\" { interface \"tap0\" { switch \"s\" } }\n"
	    "vm \"b\" { interface { switch \"s\" } ; interface }\n"
	    "vm \"c\" { interfaces 1 }\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_str_eq(c->vms[0].ifs[0].tap, "tap0");
	cr_expect_str_eq(c->vms[1].ifs[0].tap, "tap1");
	cr_expect_str_eq(c->vms[1].ifs[1].tap, "tap2");
	cr_expect_str_eq(c->vms[2].ifs[0].tap, "tap3");
	cr_expect_eq(c->vms[2].id, 3);
}

Test(conf, lladdr_and_locked)
{
	put("hostname.bridge0", "up\n");
	put("vm.conf", "switch \"s\" { interface bridge0 }\n"
	    "vm \"a\" { interface { switch \"s\"\n"
	    "  locked lladdr fe:e1:ba:d0:00:01 } }\n"
	    "vm \"b\" { interface { lladdr locked fe:e1:ba:d0:00:02 } }\n"
	    "vm \"c\" { interface { lladdr fe:e1:ba:d0:00:03 } }\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect(c->vms[0].ifs[0].locked);
	cr_expect(c->vms[1].ifs[0].locked);
	cr_expect(!c->vms[2].ifs[0].locked);
	cr_expect_eq(c->vms[2].ifs[0].lladdr[5], 3);
}

/* Each error: the position and what was expected. */
#define EXPECT_ERR(text) \
	cr_expect(errs != NULL && strstr(errs, text) != NULL, \
	    "wanted \"%s\" in:\n%s", text, errs ? errs : "(nothing)")

Test(conf, error_unknown_bridge_option)
{
	put("hostname.bridge0", "add em1\nup\nmaxaddrs 5\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("/hostname.bridge0:3:1: unknown bridge option \"maxaddrs\", "
	    "expected add,");
}

Test(conf, error_bad_number_position)
{
	put("hostname.bridge0", "add em1\ntimeout  never\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("/hostname.bridge0:2:10: timeout \"never\": expected a "
	    "number");
}

Test(conf, error_learn_non_member)
{
	put("hostname.bridge0", "-learn em1\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.bridge0:1:8: em1 is not a member of bridge0 "
	    "(add it first)");
}

/* vlan(4)'s defaults are txprio packet, rxprio outer (if_vlan.c). */
Test(conf, vlan_txprio_rxprio)
{
	put("hostname.vlan20", "parent em1 vnetid 20 up\n");
	put("hostname.vlan30", "parent em1 vnetid 30 txprio 5 rxprio packet\n"
	    "up\n");
	put("hostname.vlan40", "parent em1 vnetid 40 txprio packet rxprio 0\n"
	    "up\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_assert_eq(c->nvlans, 3);
	cr_expect_eq(c->vlans[0].txprio, CONF_HDRPRIO_PACKET);
	cr_expect_eq(c->vlans[0].rxprio, CONF_HDRPRIO_OUTER);
	cr_expect_eq(c->vlans[1].txprio, 5);
	cr_expect_eq(c->vlans[1].rxprio, CONF_HDRPRIO_PACKET);
	cr_expect_eq(c->vlans[2].txprio, CONF_HDRPRIO_PACKET);
	cr_expect_eq(c->vlans[2].rxprio, 0);
}

Test(conf, error_vlan_txprio)
{
	put("hostname.vlan10", "vlandev em1 vlan 10\ntxprio outer rxprio 8\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.vlan10:2:8: txprio \"outer\": expected 0 to 7 "
	    "or packet");
	EXPECT_ERR("hostname.vlan10:2:21: rxprio \"8\": expected 0 to 7, "
	    "packet or outer");
}

/* llprio N: the interface's own ARP and ND frames' priority. */
Test(conf, llprio)
{
	put("hostname.em0", "inet 192.0.2.1 255.255.255.0\nllprio 6\nup\n");
	put("hostname.em1", "up\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(conf_if(c, "em0")->llprio, 7, "6, kept as 6 + 1");
	cr_expect_eq(conf_if(c, "em1")->llprio, 0, "none: the default");
}

Test(conf, error_llprio)
{
	put("hostname.em1", "up\nllprio 9\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.em1:2:8: llprio \"9\": expected 0 to 7");
}

/* pflow(4): no port of its own, its collector and source. */
Test(conf, pflow)
{
	put("hostname.pflow0", "flowsrc 198.51.100.2 flowdst "
	    "198.51.100.1:2055\npflowproto 5\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_assert_eq(c->npflows, 1);
	cr_expect_str_eq(c->pflows[0].name, "pflow0");
	cr_expect_eq(c->pflows[0].src, htonl(0xc6336402));
	cr_expect_eq(c->pflows[0].dst, htonl(0xc6336401));
	cr_expect_eq(c->pflows[0].port, 2055);
	cr_expect_eq(c->pflows[0].up, 1, "up unless down");
	cr_expect_null(conf_if(c, "pflow0"), "not a port");
}

Test(conf, error_pflow)
{
	put("hostname.pflow0", "flowsrc 198.51.100.2 flowdst nowhere:2055\n"
	    "pflowproto 9\nflowdest 1.2.3.4:5\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.pflow0:1:30: flowdst \"nowhere:2055\": expected "
	    "an IPv4 address:port");
	EXPECT_ERR("hostname.pflow0:2:12: pflowproto \"9\": expected 5 "
	    "(NetFlow) or 10 (IPFIX)");
	EXPECT_ERR("hostname.pflow0:3:1: unknown pflow option \"flowdest\"");
}

Test(conf, error_vlan_range_and_missing_parent)
{
	put("hostname.vlan10", "vlan 4095\nup\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.vlan10:1:6: vlan \"4095\": expected a VLAN id "
	    "from 1 to 4094");
	EXPECT_ERR("hostname.vlan10: vlan10 has no parent interface");
}

Test(conf, error_unknown_switch)
{
	put("hostname.bridge0", "up\n");
	put("vm.conf", "switch \"lan\" { interface bridge0 }\n"
	    "vm \"web01\" {\n  interface { switch \"lna\" }\n}\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("vm.conf:3:22: vm \"web01\": unknown switch \"lna\"");
}

Test(conf, error_switch_without_bridge_file)
{
	put("vm.conf", "switch \"lan\" {\n\tinterface bridge7\n}\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("vm.conf:1:8: switch \"lan\": bridge7 has no "
	    "hostname.bridge7");
}

Test(conf, error_vm_keyword_and_brace)
{
	put("vm.conf", "vm \"a\" {\n  memroy 1G\n}\nvm \"b\" {\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("vm.conf:2:3: unknown vm option \"memroy\", expected "
	    "memory,");
	EXPECT_ERR("vm.conf:5:1: missing \"}\" after vm \"b\"");
}

Test(conf, error_member_references)
{
	put("hostname.bridge0", "add tap9\nadd vlan30\nup\n");
	put("hostname.bridge1", "add tap9\n");
	put("vm.conf", "vm \"a\" { interface \"tap9\" }\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.bridge0:2:5: vlan30 has no hostname.vlan30");
	EXPECT_ERR("hostname.bridge1:1:5: tap9 is already a member of bridge0");
}

Test(conf, error_unterminated_string_and_bad_mac)
{
	put("vm.conf", "vm \"a\" { interface { lladdr 02:00:00:zz:00:01 } }\n"
	    "switch \"oops {\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("vm.conf:1:29: bad lladdr \"02:00:00:zz:00:01\"");
	EXPECT_ERR("vm.conf:2:8: unterminated quoted string");
}

Test(conf, all_errors_reported_not_just_the_first)
{
	put("hostname.bridge0", "frob\nmaxaddr x\n");
	cr_assert_neq(load(), 0);
	cr_expect_eq(c->errors, 2, "%s", errs);
}

Test(conf, warnings_for_unenforced)
{
	put("hostname.bridge0", "add em1\nstp em1\nup\n");
	cr_assert_eq(load(), 0, "%s", errs);
	EXPECT_ERR("hostname.bridge0:2:1: warning: stp is not enforced by "
	    "sluice");
}

Test(conf, inet_lines)
{
	put("hostname.vether0", "inet 10.50.0.1 255.255.255.0\n"
	    "inet alias 10.50.1.1/24\ninet 10.50.2.1 netmask 0xffff0000\nup\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->ifs[0].naddrs, 3);
	cr_expect_eq(c->ifs[0].addrs[0].plen, 24);
	cr_expect_eq(c->ifs[0].addrs[2].plen, 16);
	put("hostname.vether0", "inet 10.50.0.1 255.0.255.0\n");
	conf_free(c);
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.vether0:1:16: netmask \"255.0.255.0\" is not "
	    "contiguous");
}

/* sysctl.conf: the three sysctls sluice has, defaults for the rest, a
 * bad value named with its place and what it takes. */
Test(conf, sysctl_conf)
{
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->sysctl[SYSCTL_FORWARDING], 0, "off by default");
	cr_expect_eq(c->sysctl[SYSCTL_ARPTIMEOUT], 1200);
	cr_expect_eq(c->sysctl[SYSCTL_ARPDOWN], 20);
	conf_free(c);
	put("sysctl.conf", "net.inet.ip.forwarding=1\n"
	    "net.inet.ip.arptimeout=300\nnet.inet.ip.arpdown=7\n"
	    "net.inet.ip.ttl=32\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->sysctl[SYSCTL_FORWARDING], 1);
	cr_expect_eq(c->sysctl[SYSCTL_ARPTIMEOUT], 300);
	cr_expect_eq(c->sysctl[SYSCTL_ARPDOWN], 7);
	EXPECT_ERR("sysctl.conf:4:1: warning: net.inet.ip.ttl is not a sysctl "
	    "sluice has");
	conf_free(c);
	put("sysctl.conf", "net.inet.ip.arpdown=soon\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("sysctl.conf:1:1: net.inet.ip.arpdown=soon: expected a "
	    "number from 0 to 2147483647");
}

/* blocknonip and protected domains per member; bad ids and non-members
 * are errors at their place. */
Test(conf, blocknonip_and_protected)
{
	put("hostname.bridge0", "add em1\nadd em2\nblocknonip em1\n"
	    "protected em1 1,31\nprotected em2 4\n-protected em2\nup\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->bridges[0].members[0].flags,
	    BM_DEFAULT | BM_BLOCKNONIP);
	cr_expect_eq(c->bridges[0].members[0].protected, 1u | 1u << 30);
	cr_expect_eq(c->bridges[0].members[1].protected, 0);
	conf_free(c);
	put("hostname.bridge0", "add em1\nprotected em1 0\nprotected em1 1,x\n"
	    "protected em2 1\nblocknonip em2\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.bridge0:2:15: protected \"0\": expected ids from "
	    "1 to 31, as 1,2");
	EXPECT_ERR("hostname.bridge0:3:15: protected \"1,x\": expected ids");
	EXPECT_ERR("hostname.bridge0:4:11: em2 is not a member of bridge0");
	EXPECT_ERR("hostname.bridge0:5:12: em2 is not a member of bridge0");
	cr_expect_eq(c->errors, 4, "%s", errs);
}

/* dhcp, and OpenBSD 7's inet autoconf, ask for a lease: no warning. */
Test(conf, dhcp_spellings)
{
	put("hostname.em0", "dhcp\nup\n");
	put("hostname.em1", "inet autoconf\nup\n");
	put("hostname.em2", "inet 192.0.2.1 255.255.255.0\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect(errs == NULL || strstr(errs, "warning") == NULL, "%s", errs);
	cr_expect_eq(c->ifs[0].dhcp, 1);
	cr_expect_eq(c->ifs[1].dhcp, 1);
	cr_expect_eq(c->ifs[1].naddrs, 0);
	cr_expect_eq(c->ifs[2].dhcp, 0);
}

/* span: any interface but a member, -span takes it back. */
Test(conf, span_ports)
{
	put("hostname.bridge0", "add em1\nspan em3\n-span em3\nspan em4\n"
	    "span em4\nup\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->bridges[0].nspans, 1);
	cr_expect_str_eq(c->bridges[0].spans[0].ifname, "em4");
	conf_free(c);
	put("hostname.bridge0", "add em1\nspan em1\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.bridge0:2:6: span em1: expected an interface "
	    "that is not a member of bridge0");
}

/* rule lines: a bad word or a non-member is named where it stands;
 * flushrule drops the member's rules read so far. */
Test(conf, bridge_rules)
{
	put("hostname.bridge0", "add em1\nrule block in on em1 src 2:0:0:0:0:d\n"
	    "rule pass out on em1 tag X\nflushrule em1\n"
	    "rule block in/out on em1 arp request\nup\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect_eq(c->bridges[0].nrules, 1);
	cr_expect_eq(c->bridges[0].rules[0].rule.dir,
	    BR_RULE_IN | BR_RULE_OUT);
	conf_free(c);
	put("hostname.bridge0", "add em1\nrule block in on em9\n"
	    "rule block in on em1 src nope\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.bridge0:2:18: em9 is not a member of bridge0");
	EXPECT_ERR("hostname.bridge0:3:22: rule: \"src\" unexpected here, or "
	    "its value bad");
}

/* inet6 in hostname.IF (both spellings, prefixlen, alias), -inet6, the
 * IPv6 line of mygate, route add -inet6, net.inet6.ip6.forwarding. */
Test(conf, inet6_lines)
{
	static const uint8_t a1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x50,
	    [15] = 1 };

	put("hostname.em0", "inet 198.51.100.2 255.255.255.0\n"
	    "inet6 2001:db8:50::1 64\ninet6 alias 2001:db8:51::1/56\n"
	    "inet6 2001:db8:52::1 prefixlen 48\n"
	    "!route add -inet6 2001:db8:200::/48 2001:db8:50::9\nup\n");
	put("hostname.em2", "inet6 2001:db8:60::1\n-inet6\nup\n");
	put("mygate", "198.51.100.1\nfe80::1%em0\n2001:db8:50::2\n");
	put("sysctl.conf", "net.inet6.ip6.forwarding=1\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect(errs == NULL || strstr(errs, "warning") == NULL, "%s", errs);
	cr_assert_eq(c->ifs[0].naddrs6, 3);
	cr_expect_eq(memcmp(c->ifs[0].addrs6[0].addr, a1, 16), 0);
	cr_expect_eq(c->ifs[0].addrs6[0].plen, 64);
	cr_expect_eq(c->ifs[0].addrs6[1].plen, 56);
	cr_expect_eq(c->ifs[0].addrs6[2].plen, 48);
	cr_expect_eq(c->ifs[1].naddrs6, 0, "-inet6 removes them");
	cr_expect_eq(c->nroutes6, 1);
	cr_expect_eq(c->routes6[0].plen, 48);
	cr_assert(c->has_mygate6 && c->has_mygate);
	cr_expect_str_eq(c->mygate6.gwif, "em0", "the first IPv6 line");
	cr_expect_eq(c->sysctl[SYSCTL_FORWARDING6], 1);
}

Test(conf, inet6_errors_name_position_and_expectation)
{
	put("hostname.em0", "inet6 2001:db8::zz 64\ninet6 2001:db8::1 129\n"
	    "inet6 fe80::1 64\ninet6 2001:db8::1/0\n"
	    "!route add -inet6 2001:db8:200::/48 fe80::1\n");
	put("mygate", "2001:db8::1::2\n");
	put("sysctl.conf", "net.inet6.ip6.forwarding=2\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("hostname.em0:1:7: bad IPv6 address \"2001:db8::zz\", "
	    "expected inet6 ADDRESS PREFIXLEN or ADDRESS/PREFIXLEN");
	EXPECT_ERR("hostname.em0:2:19: bad prefix length \"129\", expected 1 "
	    "to 128");
	EXPECT_ERR("hostname.em0:3:7: inet6 fe80::1: expected a unicast "
	    "global or unique local address");
	EXPECT_ERR("hostname.em0:4:7: bad prefix length \"0\"");
	EXPECT_ERR("hostname.em0:5:1: route add -inet6: bad gateway "
	    "\"fe80::1\", expected an IPv6 address (fe80::...%IF if "
	    "link-local)");
	EXPECT_ERR("mygate:1:1: bad gateway \"2001:db8::1::2\", expected an "
	    "IPv6 address");
	EXPECT_ERR("sysctl.conf:1:1: net.inet6.ip6.forwarding=2: expected 0 "
	    "or 1");
	cr_expect(strstr(errs, "unknown interface option") == NULL,
	    "a bad address takes its prefix length with it:\n%s", errs);
}

/* rad.conf(5): interfaces, their options over the global ones, prefixes
 * with their lifetimes, dns. */
Test(conf, radconf)
{
	put("hostname.vether0", "inet6 2001:db8:50::1 64\nup\n");
	put("hostname.em0", "inet6 2001:db8:100::2 64\nup\n");
	put("rad.conf", "# as rad.conf(5) writes it\n"
	    "router lifetime 600\n"
	    "dns {\n\tnameserver { 2001:db8::53 2001:db8::54 }\n"
	    "\tsearch example.org\n}\n"
	    "interface vether0 {\n"
	    "\tno auto prefix\n"
	    "\tprefix 2001:db8:50::1/64 {\n"
	    "\t\tpreferred lifetime 100\n"
	    "\t\tautonomous address-configuration no\n\t}\n"
	    "\thop limit 32\n"
	    "\tother configuration yes\n"
	    "}\n"
	    "interface em0\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_assert(c->has_rad);
	cr_assert_eq(c->nrad, 2);
	cr_expect_str_eq(c->rads[0].name, "vether0");
	cr_expect_eq(c->rads[0].auto_prefix, 0);
	cr_assert_eq(c->rads[0].nprefixes, 1);
	cr_expect_eq(c->rads[0].prefixes[0].addr[15], 0, "masked");
	cr_expect_eq(c->rads[0].prefixes[0].preferred, 100);
	cr_expect_eq(c->rads[0].prefixes[0].valid, 2592000);
	cr_expect_eq(c->rads[0].prefixes[0].autonomous, 0);
	cr_expect_eq(c->rads[0].o.hop_limit, 32);
	cr_expect_eq(c->rads[0].o.other, 1);
	cr_expect_eq(c->rads[0].o.router_lifetime, 600, "the global one");
	cr_expect_eq(c->rads[0].o.ndns, 2);
	cr_expect_eq(c->rads[0].o.dnssl_len, 13, "example.org, wire form");
	cr_expect_eq(c->rads[1].auto_prefix, 1);
	cr_expect_eq(c->rads[1].o.hop_limit, 64, "rad's default");
}

Test(conf, radconf_errors_name_position_and_expectation)
{
	put("hostname.em0", "up\n");
	put("rad.conf", "router lifetime 99999\n"
	    "interface em0 {\n"
	    "\tprefix 2001:db8::/200\n"
	    "\tmanaged configuration yes\n"
	    "\tfrobnicate\n"
	    "\tdns { search bad..name }\n"
	    "}\n"
	    "interface em9\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("/rad.conf:6:15: search \"bad..name\": expected a domain "
	    "name (labels of 1-63 characters), 512 bytes of them at most");
	EXPECT_ERR("/rad.conf:1:17: a router lifetime: expected a router "
	    "lifetime (0-9000), found 99999");
	EXPECT_ERR("/rad.conf:3:9: expected an IPv6 prefix (2001:db8::/64), "
	    "found 2001:db8::/200");
	EXPECT_ERR("/rad.conf:4:10: expected \"address\", found configuration");
	EXPECT_ERR("/rad.conf:5:2: unknown interface option \"frobnicate\"");
	EXPECT_ERR("/rad.conf:2:11: interface em0: no inet6 address in "
	    "hostname.em0 to advertise from");
	EXPECT_ERR("/rad.conf:8:11: interface em9: no inet6 address");
}

/* A block that the file's end cuts off is an error, whichever block. */
Test(conf, radconf_unclosed_blocks)
{
	put("hostname.em0", "inet6 2001:db8::2 64\nup\n");
	put("rad.conf", "dns {\n\tnameserver 2001:db8::53\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("/rad.conf:3:1: expected \"}\" closing dns");
	conf_free(c);
	put("rad.conf", "interface em0 {\n\tprefix 2001:db8::/64 {\n"
	    "\t\tvalid lifetime 600\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("/rad.conf:4:1: expected \"}\" closing prefix");
}

/* What is left of a line after a statement is an error, once. */
Test(conf, radconf_rest_of_line)
{
	put("hostname.em0", "inet6 2001:db8::2 64\nup\n");
	put("rad.conf", "mtu 1400 1500\n"
	    "interface em0 {\n\tmanaged configuration yes\n}\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("/rad.conf:1:10: expected end of line, found 1500");
	cr_expect_null(strstr(errs, "\"yes\""), "one error a statement:\n%s",
	    errs);
}

/* inet6 autoconf asks for SLAAC (no warning); eui64 is not enforced. */
Test(conf, inet6_autoconf)
{
	put("hostname.em0", "inet6 autoconf\nup\n");
	put("hostname.em1", "inet6 eui64\nup\n");
	cr_assert_eq(load(), 0, "%s", errs);
	cr_expect(c->ifs[0].autoconf6 + c->ifs[1].autoconf6 == 1);
	cr_expect_null(strstr(errs, "autoconf"), "%s", errs);
	EXPECT_ERR("hostname.em1:1:7: warning: inet6 eui64 is not enforced");
}

/* dhcpd.conf(5): subnets with ranges and options over the shared
 * network's and the global ones, hosts, the lease times' defaults. */
Test(conf, dhcpdconf)
{
	put("dhcpd.conf", "# as dhcpd.conf(5) writes it\n"
	    "option domain-name \"example.org\";\n"
	    "option domain-name-servers 10.50.0.1, 192.0.2.53;\n"
	    "authoritative;\n"
	    "subnet 10.50.0.0 netmask 255.255.255.0 {\n"
	    "\toption routers 10.50.0.1;\n"
	    "\trange 10.50.0.100 10.50.0.149;\n"
	    "\trange 10.50.0.200 10.50.0.209;\n"
	    "\tmax-lease-time 7200;\n"
	    "\thost db01 { hardware ethernet 02:00:00:00:00:01;"
	    " fixed-address 10.50.0.20; }\n"
	    "}\n"
	    "shared-network lab {\n"
	    "\tdefault-lease-time 600;\n"
	    "\tsubnet 192.0.2.0 netmask 255.255.255.128 {\n"
	    "\t\trange 192.0.2.10;\n"
	    "\t\toption subnet-mask 255.255.255.0;\n"
	    "\t\toption ntp-servers 192.0.2.1;\n"
	    "\t}\n"
	    "}\n"
	    "host far { hardware ethernet 02:00:00:00:00:02; }\n"
	    "filename \"pxeboot\";\n"
	    "option time-offset 3600;\n"
	    "next-server 10.50.0.1;\n"
	    "option interface-mtu 1400;\n"
	    "ddns-update-style none;\n");
	cr_assert_eq(load(), 0, "%s", errs);
	EXPECT_ERR("dhcpd.conf:22:8: warning: option time-offset: not sent "
	    "by sluice");
	EXPECT_ERR("dhcpd.conf:25:1: warning: ddns-update-style: not "
	    "supported");
	cr_expect_null(strstr(errs, "option ntp-servers:"), "%s", errs);
	cr_expect_null(strstr(errs, "filename"), "%s", errs);
	cr_assert(c->has_dhcpd);
	cr_assert_eq(c->ndsubnets, 2);
	cr_expect_eq(c->dsubnets[0].net, 0x0a320000);
	cr_expect_eq(c->dsubnets[0].mask, 0xffffff00);
	cr_assert_eq(c->dsubnets[0].nranges, 2);
	cr_expect_eq(c->dsubnets[0].ranges[0].lo, 0x0a320064);
	cr_expect_eq(c->dsubnets[0].ranges[0].hi, 0x0a320095);
	cr_expect_eq(c->dsubnets[0].o.nrouters, 1);
	cr_expect_eq(c->dsubnets[0].o.routers[0], 0x0a320001);
	cr_expect_eq(c->dsubnets[0].o.ndns, 2, "the global ones");
	cr_expect_eq(c->dsubnets[0].o.dns[1], 0xc0000235);
	cr_expect_str_eq(c->dsubnets[0].o.domain, "example.org");
	cr_expect_eq(c->dsubnets[0].o.max_lease, 7200);
	cr_expect_eq(c->dsubnets[0].o.default_lease, 43200, "dhcpd's");
	cr_expect_eq(c->dsubnets[1].o.default_lease, 600, "shared-network's");
	cr_expect_eq(c->dsubnets[1].o.max_lease, 86400, "dhcpd's");
	cr_expect_eq(c->dsubnets[1].o.mask, 0xffffff00);
	cr_expect_eq(c->dsubnets[1].o.nntp, 1);
	cr_expect_eq(c->dsubnets[1].o.ntp[0], 0xc0000201);
	cr_expect_eq(c->dsubnets[0].o.nntp, 0, "the other subnet's own");
	cr_expect_str_eq(c->dsubnets[0].o.filename, "pxeboot", "global");
	cr_expect_eq(c->dsubnets[1].o.next_server, 0x0a320001);
	cr_expect_eq(c->dsubnets[1].o.mtu, 1400);
	cr_expect_eq(c->dsubnets[1].ranges[0].lo, c->dsubnets[1].ranges[0].hi,
	    "range A; is one address");
	cr_assert_eq(c->ndhosts, 2);
	cr_expect_str_eq(c->dhosts[0].name, "db01");
	cr_expect_eq(c->dhosts[0].mac[5], 1);
	cr_expect_eq(c->dhosts[0].addr, 0x0a320014);
	cr_expect_eq(c->dhosts[1].addr, 0, "no fixed address");
}

/* sluiced -l's file: dhcpd.leases(5) as dhcpd and sluiced write it. */
static int
load_leases(const char *text)
{
	char path[128];
	FILE *ef;
	int r;

	put("dhcpd.leases", text);
	snprintf(path, sizeof(path), "%s/dhcpd.leases", dir);
	free(errs);
	errs = NULL;
	ef = open_memstream(&errs, &errlen);
	c->err = ef;
	r = conf_parse_leases(c, path);
	fclose(ef);
	c->err = NULL;
	return r;
}

Test(conf, dhcpd_leases)
{
	cr_assert_eq(load_leases("lease 10.50.0.100 {\n"
	    "\tstarts 6 2026/11/28 19:34:07 UTC;\n"
	    "\tends 0 2026/11/29 07:34:07 UTC;\n"
	    "\thardware ethernet 02:00:5e:32:00:01;\n"
	    "\tuid 01:02:00:5e:32:00:01;\n"
	    "\tclient-hostname \"db01\";\n"
	    "}\n"
	    "lease 10.50.0.101 {\n"
	    "\tstarts 6 2026/11/28 19:00:00;\n"
	    "\tends 6 2026/11/28 20:00:00;\n"
	    "\tabandoned;\n"
	    "}\n"), 0, "%s", errs);
	cr_assert_eq(c->ndleases, 2);
	cr_expect_eq(c->dleases[0].addr, 0x0a320064u);
	cr_expect(c->dleases[0].has_mac);
	cr_expect_eq(c->dleases[0].mac[5], 0x01);
	cr_expect_eq(c->dleases[0].starts, 1795894447, "2026/11/28 19:34:07");
	cr_expect_eq(c->dleases[0].ends, 1795894447 + 43200);
	cr_expect_str_eq(c->dleases[0].hostname, "db01");
	cr_expect(!c->dleases[0].abandoned);
	cr_expect(c->dleases[1].abandoned, "abandoned; (a declined address)");
	cr_expect(!c->dleases[1].has_mac);
	cr_expect_eq(c->dleases[1].ends, 1795896000, "UTC without saying so");
}

Test(conf, dhcpd_leases_errors_name_position_and_expectation)
{
	cr_assert_neq(load_leases("lease 10.50.0.100 {\n"
	    "\tstarts 6 2026/13/28 19:34:07 UTC;\n"
	    "\tends 9 2026/11/29 07:34:07 UTC;\n"
	    "\thardware ethernet 02:00:5e:32:00;\n"
	    "\tbinding state active;\n"
	    "}\n"
	    "lease 10.50.0.x { }\n"
	    "lease 10.50.0.102 { hardware ethernet 02:00:00:00:00:01; }\n"
	    "leases\n"
	    "lease 10.50.0.103 {\n"), 0);
	EXPECT_ERR("/dhcpd.leases:2:11: expected a date (YYYY/MM/DD), found "
	    "2026/13/28");
	EXPECT_ERR("/dhcpd.leases:3:7: expected a weekday (0-6), found 9");
	EXPECT_ERR("/dhcpd.leases:4:20: expected a MAC address, found "
	    "02:00:5e:32:00");
	EXPECT_ERR("/dhcpd.leases:5:2: unknown lease statement \"binding\", "
	    "expected starts, ends");
	EXPECT_ERR("/dhcpd.leases:7:7: expected an IPv4 address, found "
	    "10.50.0.x");
	EXPECT_ERR("/dhcpd.leases:8:1: lease 10.50.0.102: no ends");
	EXPECT_ERR("/dhcpd.leases:9:1: expected lease, found leases");
	EXPECT_ERR("/dhcpd.leases:11:1: expected \"}\" closing lease "
	    "10.50.0.103");
}

Test(conf, dhcpdconf_errors_name_position_and_expectation)
{
	put("dhcpd.conf", "subnet 10.50.0.0 netmask 255.255.255.0 {\n"
	    "\trange 10.50.0.100 10.50.1.5;\n"
	    "\trange 10.50.0.50 10.50.0.60;\n"
	    "\trange 10.50.0.55 10.50.0.56;\n"
	    "\toption routers 10.50.0.x;\n"
	    "\tfrobnicate;\n"
	    "\tdefault-lease-time soon;\n"
	    "}\n"
	    "subnet 10.60.0.1 netmask 255.255.0.0 { }\n"
	    "host h { hardware ethernet 02:00:00:00:00:09; "
	    "fixed-address 172.16.0.1; }\n"
	    "host g { hardware token-ring 1; }\n"
	    "subnet 10.70.0.0 mask 255.255.0.0 { }\n"
	    "bogus;\n"
	    "host nomac { fixed-address 10.50.0.9; }\n");
	cr_assert_neq(load(), 0);
	EXPECT_ERR("/dhcpd.conf:2:2: range outside subnet 10.50.0.0 netmask "
	    "255.255.255.0");
	EXPECT_ERR("/dhcpd.conf:4:2: range overlaps the one at line 3");
	EXPECT_ERR("/dhcpd.conf:5:17: expected an IPv4 address, found "
	    "10.50.0.x");
	EXPECT_ERR("/dhcpd.conf:6:2: unknown subnet statement \"frobnicate\", "
	    "expected range, host, option");
	EXPECT_ERR("/dhcpd.conf:7:21: a lease time in seconds: expected");
	EXPECT_ERR("/dhcpd.conf:9:8: subnet 10.60.0.1: bad subnet number/mask "
	    "combination");
	EXPECT_ERR("/dhcpd.conf:10:6: host h: fixed-address 172.16.0.1 is in "
	    "no subnet declared");
	EXPECT_ERR("/dhcpd.conf:11:19: expected \"ethernet\", found "
	    "token-ring");
	EXPECT_ERR("/dhcpd.conf:12:18: expected \"netmask\", found mask");
	EXPECT_ERR("/dhcpd.conf:13:1: unknown keyword \"bogus\", expected "
	    "subnet");
	EXPECT_ERR("/dhcpd.conf:14:6: host nomac: no hardware ethernet");
}
