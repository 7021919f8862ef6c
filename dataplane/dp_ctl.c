/*
 * Control commands and views.  The views print what OpenBSD's own tools
 * print (formats from ../shared/formats: ifconfig's status() and
 * bridge_status(), vmctl's print_vm_info()) so that habits and greps carry
 * over; `stats` and `trace` are sluice's own.  Every command returns an
 * exit status and writes to one stream: the control socket sends both
 * back to sluicectl, and sluiced -c prints them after a replay.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "dataplane/dhcp.h"
#include "dataplane/dhcpd.h"
#include "dataplane/dp.h"
#include "fwd/ether.h"

#define IFF_UP_		0x1
#define IFF_BROADCAST_	0x2
#define IFF_RUNNING_	0x40
#define IFF_PROMISC_	0x100
#define IFF_SIMPLEX_	0x800
#define IFF_MULTICAST_	0x8000

/* printb() from ifconfig.c: "flags=%x<NAME,...>" over a bit table. */
static void
printb(FILE *out, const char *label, unsigned int v, const char *const *bits,
    int nbits)
{
	int i, first = 1;

	fprintf(out, "%s=%x<", label, v);
	for (i = 0; i < nbits; i++) {
		if (bits[i] == NULL || !(v & (1U << i)))
			continue;
		fprintf(out, "%s%s", first ? "" : ",", bits[i]);
		first = 0;
	}
	fputc('>', out);
}

static const char *const iff_bits[] = {
	"UP", "BROADCAST", "DEBUG", "LOOPBACK", "POINTOPOINT", "STATICARP",
	"RUNNING", "NOARP", "PROMISC", "ALLMULTI", "OACTIVE", "SIMPLEX",
	"LINK0", "LINK1", "LINK2", "MULTICAST",
};
static const char *const ifbif_bits[] = { "LEARNING", "DISCOVER",
    "BLOCKNONIP", "STP", "EDGE", "AUTOEDGE", "PTP", "AUTOPTP", "SPAN" };
static const char *const ifbaf_bits[] = { "STATIC" };

static void
print_mac(FILE *out, const uint8_t *m)
{
	fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
	    m[4], m[5]);
}

static unsigned int
bridge_ifindex(struct dp *dp, const struct bridge *br)
{
	return dp->nports + (unsigned int)(br - dp->bridges) + 1;
}

struct addr_walk {
	struct dp	*dp;
	struct bridge	*br;
	FILE		*out;
};

static int
print_fdb_entry(const struct fdb_entry *fe, void *arg)
{
	struct addr_walk *w = arg;
	uint8_t mac[6];
	uint32_t age;

	fdb_entry_mac(fe, mac);
	/* bridge(4) ages in two sweeps: 1 = seen since the last one. */
	age = fe->fe_flags & FDB_F_STATIC ? 0 :
	    w->dp->now - fe->fe_seen < w->br->br_fdb.f_timeout / 2 + 1;
	fprintf(w->out, "\t\t");
	print_mac(w->out, mac);
	fprintf(w->out, " %s %u ", w->dp->ports[fe->fe_port]->name, age);
	printb(w->out, "flags", fe->fe_flags & FDB_F_STATIC, ifbaf_bits, 1);
	if (fdb_entry_vid(fe) != 0)
		fprintf(w->out, " vlan %u", fdb_entry_vid(fe));
	fputc('\n', w->out);
	return 0;
}

static void
show_bridge(struct dp *dp, struct bridge *br, FILE *out)
{
	struct addr_walk w = { dp, br, out };
	const char *sep;
	int i, d, k;

	fprintf(out, "%s: ", br->br_name);
	printb(out, "flags", br->br_up ? IFF_UP_ | IFF_RUNNING_ : 0, iff_bits,
	    16);
	fprintf(out, " mtu 1500\n");
	fprintf(out, "\tindex %u llprio 3\n", bridge_ifindex(dp, br));
	fprintf(out, "\tgroups: bridge\n");
	fprintf(out, "\tpriority 32768 hellotime 2 fwddelay 15 maxage 20 "
	    "holdcnt 6 proto rstp\n");
	fprintf(out, "\tdesignated: id 00:00:00:00:00:00 priority 0\n");
	for (i = 0; i < br->br_nmembers; i++) {
		const struct bridge_member *bm = &br->br_members[i];

		fprintf(out, "\t%s ", dp->ports[bm->bm_port]->name);
		printb(out, "flags", bm->bm_flags, ifbif_bits, 9);
		fprintf(out, "\n\t\tport %u ifpriority 0 ifcost 0",
		    bm->bm_port + 1);
		/* brconfig.c: " protected 1,2" */
		for (d = 0, sep = " protected "; d < BRIDGE_MAX_PROTECTED;
		    d++)
			if (bm->bm_protected & 1u << d) {
				fprintf(out, "%s%d", sep, d + 1);
				sep = ",";
			}
		fputc('\n', out);
		/* bridge_rules(): in rules, then out rules, a tab each. */
		for (d = BR_RULE_IN; d <= BR_RULE_OUT; d <<= 1)
			for (k = 0; k < bm->bm_nrules; k++)
				if (bm->bm_rules[k].dir == d) {
					fputc('\t', out);
					bridge_rule_print(out, &bm->bm_rules[k],
					    dp->ports[bm->bm_port]->name);
				}
	}
	/* bridge_list(): a span port, without the port line. */
	for (i = 0; i < br->br_nspan; i++) {
		fprintf(out, "\t%s ", dp->ports[br->br_span[i]]->name);
		printb(out, "flags", BM_SPAN, ifbif_bits, 9);
		fputc('\n', out);
	}
	fprintf(out, "\tAddresses (max cache: %u, timeout: %u):\n",
	    br->br_fdb.f_max, br->br_fdb.f_timeout);
	fdb_walk(&br->br_fdb, print_fdb_entry, &w);
}

static void
show_port(struct dp *dp, struct port *p, FILE *out)
{
	unsigned int flags = IFF_BROADCAST_ | IFF_SIMPLEX_ | IFF_MULTICAST_;
	const char *group = port_group(p);
	int running = p->ops != NULL || p->kind == PORT_VLAN ||
	    p->kind == PORT_VETHER;

	if (running)
		flags |= IFF_UP_ | IFF_RUNNING_;
	if (p->kind == PORT_IF)
		flags |= IFF_PROMISC_;
	fprintf(out, "%s: ", p->name);
	printb(out, "flags", flags, iff_bits, 16);
	fprintf(out, " mtu %u\n", p->mtu);
	if (p->has_lladdr) {
		fprintf(out, "\tlladdr ");
		print_mac(out, p->lladdr);
		fputc('\n', out);
	}
	if (p->vm[0] != '\0' && p->netns[0] != '\0')
		fprintf(out, "\tdescription: vm %s (%s in %s)\n", p->vm,
		    p->guest_ifname, p->netns);
	else if (p->vm[0] != '\0')
		fprintf(out, "\tdescription: vm %s\n", p->vm);
	else if (p->kind == PORT_IF)
		fprintf(out, "\tdescription: Linux %s (%s)\n", p->ifname,
		    p->io ? p->io : "AF_PACKET");
	else if (p->kind == PORT_PCAP)
		fprintf(out, "\tdescription: capture file port\n");
	fprintf(out, "\tindex %u priority 0 llprio %u\n", p->index + 1u,
	    p->llprio);
	if (p->kind == PORT_VLAN) {
		fprintf(out, "\tencap: vnetid %u parent %s txprio ", p->vid,
		    p->parent->name);
		if (p->txprio < 0)
			fputs("packet", out);
		else
			fprintf(out, "%d", p->txprio);
		fputs(" rxprio ", out);
		if (p->rxprio == CONF_HDRPRIO_OUTER)
			fputs("outer", out);
		else if (p->rxprio < 0)
			fputs("packet", out);
		else
			fprintf(out, "%d", p->rxprio);
		fputc('\n', out);
	}
	if (group != NULL)
		fprintf(out, "\tgroups: %s\n", group);
	if (p->kind == PORT_IF || p->kind == PORT_VLAN ||
	    p->kind == PORT_VETHER)
		fprintf(out, "\tmedia: Ethernet autoselect\n");
	fprintf(out, "\tstatus: %s\n", running ? "active" : "no carrier");
	if (p->rif != NULL) {
		int k;

		for (k = 0; k < p->rif->naddrs; k++) {
			uint32_t a = p->rif->addrs[k].addr;
			uint8_t l = p->rif->addrs[k].plen;
			uint32_t m = l ? ~0u << (32 - l) : 0, b = a | ~m;

			fprintf(out, "\tinet %u.%u.%u.%u netmask 0x%08x",
			    a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
			    a & 0xff, m);
			if (l < 31)
				fprintf(out, " broadcast %u.%u.%u.%u", b >> 24,
				    (b >> 16) & 0xff, (b >> 8) & 0xff,
				    b & 0xff);
			fputc('\n', out);
		}
		/* in6_status(): link-local with its scope, then the rest. */
		if (p->rif->inet6) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(AF_INET6, p->rif->ll6, a, sizeof(a));
			fprintf(out, "\tinet6 %s%%%s prefixlen 64%s scopeid "
			    "0x%x\n", a, p->name, p->rif->ll6_dad ==
			    DAD_DUPLICATED ? " duplicated" : "",
			    p->index + 1u);
		}
		for (k = 0; k < p->rif->naddrs6; k++) {
			const struct rif_slaac *sl = p->rif->slaac;
			char a[INET6_ADDRSTRLEN];
			int j;

			inet_ntop(AF_INET6, p->rif->addrs6[k].addr, a,
			    sizeof(a));
			fprintf(out, "\tinet6 %s prefixlen %u%s", a,
			    p->rif->addrs6[k].plen, p->rif->addrs6[k].dad ==
			    DAD_DUPLICATED ? " duplicated" : "");
			/* in6_status(): an autoconf address's lifetimes */
			for (j = 0; sl != NULL && j < sl->naddrs; j++)
				if (memcmp(sl->a[j].addr,
				    p->rif->addrs6[k].addr, 16) == 0)
					fprintf(out, " autoconf pltime %d "
					    "vltime %d", (int32_t)(sl->a[j].
					    pref_until - dp->now) > 0 ?
					    (int)(sl->a[j].pref_until -
					    dp->now) : 0, (int)(sl->a[j].
					    valid_until - dp->now));
			fputc('\n', out);
		}
	}
}

static int
ctl_ifconfig_show(struct dp *dp, const char *name, FILE *out)
{
	struct dp_pflow *pf;
	struct bridge *br;
	struct port *p;
	int i;

	if (name == NULL) {
		for (i = 0; i < dp->nports; i++)
			show_port(dp, dp->ports[i], out);
		for (i = 0; i < dp->nbridges; i++)
			show_bridge(dp, &dp->bridges[i], out);
		for (i = 0; i < dp->npflows; i++)
			dp_pflow_show(dp, &dp->pflows[i], out);
		return 0;
	}
	if ((br = dp_bridge(dp, name)) != NULL) {
		show_bridge(dp, br, out);
		return 0;
	}
	if ((pf = dp_pflow(dp, name)) != NULL) {
		dp_pflow_show(dp, pf, out);
		return 0;
	}
	if ((p = dp_port(dp, name)) != NULL) {
		show_port(dp, p, out);
		return 0;
	}
	fprintf(out, "ifconfig: %s: no such interface\n", name);
	return 1;
}

static int
ctl_need(int argc, int i, FILE *out, const char *cmd, const char *what)
{
	if (i + 1 < argc)
		return 0;
	fprintf(out, "ifconfig: %s needs %s\n", cmd, what);
	return 1;
}

static struct port *
ctl_member(struct dp *dp, struct bridge *br, const char *name, FILE *out)
{
	struct port *p = dp_port(dp, name);

	if (p == NULL || bridge_member(br, p->index) == NULL) {
		fprintf(out, "ifconfig: %s: %s is not a member\n", br->br_name,
		    name);
		return NULL;
	}
	return p;
}

static int
ctl_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' || end == s || *v > max ? -1 : 0;
}

/* ifconfig bridgeN OPTION... at run time, as brconfig takes them. */
static int
ctl_ifconfig_bridge(struct dp *dp, struct bridge *br, int argc, char **argv,
    FILE *out)
{
	struct bridge_member *bm;
	struct port *p;
	unsigned long v;
	uint32_t mask;
	uint16_t bit;
	uint8_t mac[6];
	int i;

	for (i = 0; i < argc; i++) {
		const char *o = argv[i];

		if (strcmp(o, "up") == 0)
			br->br_up = 1;
		else if (strcmp(o, "down") == 0)
			br->br_up = 0;
		else if (strcmp(o, "add") == 0) {
			if (ctl_need(argc, i, out, o, "an interface"))
				return 1;
			p = dp_port(dp, argv[++i]);
			if (p == NULL) {
				struct conf_vlan *cv = conf_vlan(dp->conf,
				    argv[i]);

				p = cv != NULL ? dp_open_vlan(dp, cv, out) :
				    NULL;
			}
			if (p == NULL) {
				fprintf(out, "ifconfig: %s: no such "
				    "interface\n", argv[i]);
				return 1;
			}
			if (p->bridge >= 0) {
				fprintf(out, "ifconfig: %s: %s is already a "
				    "member of %s\n", br->br_name, p->name,
				    dp->bridges[p->bridge].br_name);
				return 1;
			}
			bridge_add_member(br, p->index, BM_DEFAULT);
			p->bridge = (int)(br - dp->bridges);
		} else if (strcmp(o, "del") == 0 || strcmp(o, "delete") == 0) {
			if (ctl_need(argc, i, out, o, "an interface") ||
			    (p = ctl_member(dp, br, argv[++i], out)) == NULL)
				return 1;
			bridge_del_member(br, p->index);
			p->bridge = -1;
		} else if ((bit = bridge_member_bit(o)) != 0) {
			if (ctl_need(argc, i, out, o, "a member") ||
			    (p = ctl_member(dp, br, argv[++i], out)) == NULL)
				return 1;
			bm = bridge_member(br, p->index);
			if (o[0] == '-')
				bm->bm_flags &= ~bit;
			else
				bm->bm_flags |= bit;
		} else if (strcmp(o, "rule") == 0) {
			struct bridge_rule r;
			char ifname[32], err[256];
			int rc;

			/* The rest of the line is the rule. */
			rc = bridge_rule_parse(argc - i - 1, argv + i + 1, &r,
			    ifname, sizeof(ifname), err, sizeof(err));
			if (rc != 0) {
				fprintf(out, "ifconfig: %s\n", err);
				return 1;
			}
			if ((p = ctl_member(dp, br, ifname, out)) == NULL)
				return 1;
			if (dp_bridge_rule_add(dp, br, bridge_member(br,
			    p->index), &r) != 0) {
				fprintf(out, "ifconfig: rule: out of memory or "
				    "tags\n");
				return 1;
			}
			break;
		} else if (strcmp(o, "flushrule") == 0) {
			if (ctl_need(argc, i, out, o, "a member") ||
			    (p = ctl_member(dp, br, argv[++i], out)) == NULL)
				return 1;
			bridge_rule_flush(bridge_member(br, p->index));
		} else if (strcmp(o, "span") == 0 || strcmp(o, "-span") == 0) {
			if (ctl_need(argc, i, out, o, "an interface"))
				return 1;
			if ((p = dp_port(dp, argv[++i])) == NULL) {
				fprintf(out, "ifconfig: %s: no such "
				    "interface\n", argv[i]);
				return 1;
			}
			dp->bridge_spans |= o[0] != '-';
			if (o[0] == '-' ? bridge_del_span(br, p->index) != 0 :
			    p->bridge >= 0 || bridge_add_span(br,
			    p->index) != 0) {
				fprintf(out, "ifconfig: %s: %s %s\n",
				    br->br_name, p->name, o[0] == '-' ?
				    "is not a span port" : "is a bridge "
				    "member or a span port already");
				return 1;
			}
		} else if (strcmp(o, "protected") == 0 ||
		    strcmp(o, "-protected") == 0) {
			if (ctl_need(argc, i, out, o, "a member") ||
			    (o[0] == 'p' && ctl_need(argc, i + 1, out, o,
			    "domain ids")) ||
			    (p = ctl_member(dp, br, argv[++i], out)) == NULL)
				return 1;
			mask = 0;
			if (o[0] == 'p' && bridge_parse_protected(argv[++i],
			    &mask) != 0) {
				fprintf(out, "ifconfig: protected: %s: expected "
				    "ids from 1 to %d, as 1,2\n", argv[i],
				    BRIDGE_MAX_PROTECTED);
				return 1;
			}
			bridge_member(br, p->index)->bm_protected = mask;
		} else if (strcmp(o, "maxaddr") == 0) {
			if (ctl_need(argc, i, out, o, "a number") ||
			    ctl_parse_uint(argv[++i], UINT32_MAX, &v) != 0) {
				fprintf(out, "ifconfig: maxaddr: expected a "
				    "number\n");
				return 1;
			}
			if (fdb_set_max(&br->br_fdb, (uint32_t)v) != 0) {
				fprintf(out, "ifconfig: maxaddr: out of "
				    "memory\n");
				return 1;
			}
		} else if (strcmp(o, "timeout") == 0) {
			if (ctl_need(argc, i, out, o, "seconds") ||
			    ctl_parse_uint(argv[++i], UINT32_MAX, &v) != 0) {
				fprintf(out, "ifconfig: timeout: expected "
				    "seconds\n");
				return 1;
			}
			br->br_fdb.f_timeout = (uint32_t)v;
		} else if (strcmp(o, "flush") == 0)
			fdb_flush(&br->br_fdb, 0);
		else if (strcmp(o, "flushall") == 0)
			fdb_flush(&br->br_fdb, 1);
		else if (strcmp(o, "static") == 0) {
			if (ctl_need(argc, i, out, o, "a MAC address") ||
			    ctl_need(argc, i + 1, out, o, "a member"))
				return 1;
			if (conf_parse_mac(argv[++i], mac) != 0) {
				fprintf(out, "ifconfig: static: bad MAC "
				    "address %s\n", argv[i]);
				return 1;
			}
			if ((p = ctl_member(dp, br, argv[++i], out)) == NULL)
				return 1;
			if (fdb_add_static(&br->br_fdb, 0, mac, p->index) !=
			    0) {
				fprintf(out, "ifconfig: static: address cache "
				    "full (maxaddr %u)\n", br->br_fdb.f_max);
				return 1;
			}
		} else if (strcmp(o, "deladdr") == 0) {
			if (ctl_need(argc, i, out, o, "a MAC address"))
				return 1;
			if (conf_parse_mac(argv[++i], mac) != 0) {
				fprintf(out, "ifconfig: deladdr: bad MAC "
				    "address %s\n", argv[i]);
				return 1;
			}
			if (fdb_delete(&br->br_fdb, mac) != 0) {
				fprintf(out, "ifconfig: deladdr: %s: no such "
				    "address\n", argv[i]);
				return 1;
			}
		} else {
			fprintf(out, "ifconfig: %s: unknown option, expected "
			    "add, delete, up, down, learn, -learn, discover, "
			    "-discover, blocknonip, -blocknonip, protected, "
			    "-protected, span, -span, rule, flushrule, maxaddr, "
			    "timeout, static, deladdr, flush or flushall\n", o);
			return 1;
		}
	}
	return 0;
}

/* ifconfig IF inet ADDR[/LEN | MASK] [alias] | -inet, on a router port. */
static int
ctl_ifconfig_inet(struct dp *dp, struct port *p, int argc, char **argv,
    FILE *out)
{
	struct rif_addr a[ROUTER_MAX_ADDRS];
	struct rif *r = p->rif;
	struct in_addr in, m;
	char buf[64], *slash;
	unsigned long plen = 32;
	int n = 0, alias = 0, i;

	if (r == NULL) {
		fprintf(out, "ifconfig: %s: not a router interface (vether or "
		    "an interface with an inet line)\n", p->name);
		return 1;
	}
	if (strcmp(argv[0], "-inet") != 0) {
		if (argc < 2) {
			fprintf(out, "ifconfig: inet needs an address\n");
			return 1;
		}
		snprintf(buf, sizeof(buf), "%s", argv[1]);
		if ((slash = strchr(buf, '/')) != NULL) {
			*slash++ = '\0';
			if (ctl_parse_uint(slash, 32, &plen) != 0) {
				fprintf(out, "ifconfig: bad prefix length\n");
				return 1;
			}
		}
		if (inet_pton(AF_INET, buf, &in) != 1) {
			fprintf(out, "ifconfig: %s: bad address\n", buf);
			return 1;
		}
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "alias") == 0)
				alias = 1;
			else if (strcmp(argv[i], "netmask") == 0 && i + 1 <
			    argc && inet_pton(AF_INET, argv[++i], &m) == 1)
				plen = (unsigned long)__builtin_popcount(
				    m.s_addr);
			else if (inet_pton(AF_INET, argv[i], &m) == 1)
				plen = (unsigned long)__builtin_popcount(
				    m.s_addr);
		}
		if (alias)
			for (i = 0; i < r->naddrs && n < ROUTER_MAX_ADDRS - 1;
			    i++)
				a[n++] = r->addrs[i];
		else
			for (i = 1; i < r->naddrs && n < ROUTER_MAX_ADDRS - 1;
			    i++)
				a[n++] = r->addrs[i];	/* keep aliases */
		if (!alias && n < ROUTER_MAX_ADDRS) {
			memmove(a + 1, a, n * sizeof(a[0]));
			n++;
			a[0].addr = ntohl(in.s_addr);
			a[0].plen = (uint8_t)plen;
		} else {
			a[n].addr = ntohl(in.s_addr);
			a[n++].plen = (uint8_t)plen;
		}
	}
	if (dp_rif_set_addrs(dp, r, a, n, out) == ENOSPC) {
		fprintf(out, "ifconfig: %s: route table full\n", p->name);
		return 1;
	}
	return 0;
}

/*
 * ifconfig IF inet6 ADDR[/LEN] [prefixlen N] [alias | delete | -alias],
 * ifconfig IF -inet6: IPv6 addresses are added (alias or not, as
 * OpenBSD's in6_ifaddr keeps them), deleted, or all of them and IPv6
 * itself turned off.  Routes and pf's (if) follow.
 */
static int
ctl_ifconfig_inet6(struct dp *dp, struct port *p, int argc, char **argv,
    FILE *out)
{
	struct rif *r = p->rif;
	char buf[64], *slash;
	unsigned long plen = 64;
	uint8_t a[16];
	int del = 0, i, rc;

	if (r == NULL) {
		fprintf(out, "ifconfig: %s: not a router interface (vether or "
		    "an interface with an inet or inet6 line)\n", p->name);
		return 1;
	}
	if (strcmp(argv[0], "-inet6") == 0)
		rc = router6_del_addr(&dp->router, r, NULL);
	else {
		if (argc < 2) {
			fprintf(out, "ifconfig: inet6 needs an address\n");
			return 1;
		}
		snprintf(buf, sizeof(buf), "%s", argv[1]);
		if ((slash = strchr(buf, '/')) != NULL) {
			*slash++ = '\0';
			if (ctl_parse_uint(slash, 128, &plen) != 0 ||
			    plen == 0) {
				fprintf(out, "ifconfig: bad prefix length\n");
				return 1;
			}
		}
		if (inet_pton(AF_INET6, buf, a) != 1 || in6_is_linklocal(a) ||
		    in6_is_multicast(a)) {
			fprintf(out, "ifconfig: %s: bad address (a global or "
			    "unique local one)\n", buf);
			return 1;
		}
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "delete") == 0 ||
			    strcmp(argv[i], "-alias") == 0)
				del = 1;
			else if (strcmp(argv[i], "alias") == 0)
				continue;
			else if (strcmp(argv[i], "prefixlen") == 0 &&
			    i + 1 < argc && ctl_parse_uint(argv[i + 1], 128,
			    &plen) == 0 && plen > 0)
				i++;
			else {
				fprintf(out, "ifconfig: inet6: unexpected "
				    "\"%s\"\n", argv[i]);
				return 1;
			}
		}
		rc = del ? router6_del_addr(&dp->router, r, a) :
		    router6_add_addr(&dp->router, r, a, (uint8_t)plen);
		if (rc == ESRCH) {
			fprintf(out, "ifconfig: %s: %s: no such address\n",
			    p->name, buf);
			return 1;
		}
		if (rc == EEXIST) {
			fprintf(out, "ifconfig: %s: %s: already there\n",
			    p->name, buf);
			return 1;
		}
		if (rc != 0) {
			fprintf(out, "ifconfig: %s: too many addresses, or "
			    "route table full\n", p->name);
			return 1;
		}
	}
	dp_drain(dp);
	return dp_pf_recompile(dp, out) != 0;
}

static int
ctl_ifconfig(struct dp *dp, int argc, char **argv, FILE *out)
{
	struct dp_pflow *pf;
	struct bridge *br;
	struct port *p;

	if (argc < 2 || strcmp(argv[1], "-a") == 0)
		return ctl_ifconfig_show(dp, NULL, out);
	if (argc == 2)
		return ctl_ifconfig_show(dp, argv[1], out);
	if ((p = dp_port(dp, argv[1])) != NULL &&
	    (strcmp(argv[2], "inet") == 0 || strcmp(argv[2], "-inet") == 0))
		return ctl_ifconfig_inet(dp, p, argc - 2, argv + 2, out);
	if (p != NULL && (strcmp(argv[2], "inet6") == 0 ||
	    strcmp(argv[2], "-inet6") == 0))
		return ctl_ifconfig_inet6(dp, p, argc - 2, argv + 2, out);
	if (p != NULL && strcmp(argv[2], "llprio") == 0) {
		char *end;
		long v = argc == 4 ? strtol(argv[3], &end, 10) : -1;

		if (argc != 4 || *argv[3] == '\0' || *end != '\0' || v < 0 ||
		    v > 7) {
			fprintf(out, "ifconfig: llprio: expected 0 to 7\n");
			return 1;
		}
		p->llprio = (uint8_t)v;
		return 0;
	}
	if ((pf = dp_pflow(dp, argv[1])) != NULL)
		return dp_pflow_set(dp, pf, argc - 2, argv + 2, out);
	if ((br = dp_bridge(dp, argv[1])) == NULL) {
		fprintf(out, "ifconfig: %s: only bridges, pflow interfaces, "
		    "llprio and inet and inet6 addresses can be changed at run "
		    "time\n", argv[1]);
		return 1;
	}
	return ctl_ifconfig_bridge(dp, br, argc - 2, argv + 2, out);
}

/* fmt_scaled(3) as vmctl uses it: "512M", "1.0G". */
static void
fmt_scaled(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;
	uint64_t whole = v, frac = 0;

	while (whole >= 1024 && u < 6) {
		frac = (whole % 1024) * 10 / 1024;
		whole /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", (unsigned long long)whole);
	else if (whole < 100)
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)whole,
		    (unsigned long long)frac, units[u]);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)whole,
		    units[u]);
}

static int
ctl_vmctl(struct dp *dp, int argc, char **argv, FILE *out)
{
	char mem[16];
	int i, j;

	if (argc < 2 || (strcmp(argv[1], "status") != 0 &&
	    strcmp(argv[1], "show") != 0)) {
		fprintf(out, "vmctl: only \"vmctl status\" is supported\n");
		return 1;
	}
	fprintf(out, "%5s %5s %5s %7s %7s %7s %12s %8s %s\n", "ID", "PID",
	    "VCPUS", "MAXMEM", "CURMEM", "TTY", "OWNER", "STATE", "NAME");
	for (i = 0; i < dp->nvms; i++) {
		const struct conf_vm *cv = dp->vms[i].cv;
		int running = cv->nifs > 0;

		for (j = 0; j < cv->nifs; j++)
			if (dp->ports[dp->vms[i].ports[j]]->ops == NULL)
				running = 0;
		if (argc > 2 && strcmp(argv[2], cv->name) != 0)
			continue;
		fmt_scaled(cv->memory, mem, sizeof(mem));
		if (running)
			fprintf(out, "%5d %5d %5d %7s %7s %7s %12s %8s %s\n",
			    cv->id, (int)getpid(), 1, mem, "-", "-", "root",
			    "running", cv->name);
		else
			fprintf(out, "%5d %5s %5d %7s %7s %7s %12s %8s %s\n",
			    cv->id, "-", 1, mem, "-", "-", "root", "stopped",
			    cv->name);
	}
	/* What vmctl leaves to ifconfig: where each VM is plugged in. */
	fprintf(out, "\n%5s %-16s %-6s %-10s %-12s %-8s %-17s %s\n", "ID",
	    "NAME", "IF", "TAP", "SWITCH", "BRIDGE", "LLADDR", "GUEST");
	for (i = 0; i < dp->nvms; i++) {
		const struct conf_vm *cv = dp->vms[i].cv;

		if (argc > 2 && strcmp(argv[2], cv->name) != 0)
			continue;
		for (j = 0; j < cv->nifs; j++) {
			const struct port *p = dp->ports[dp->vms[i].ports[j]];
			char ll[32], guest[96];

			if (p->has_lladdr)
				snprintf(ll, sizeof(ll), "%s%02x:%02x:%02x:"
				    "%02x:%02x:%02x", "", p->lladdr[0],
				    p->lladdr[1], p->lladdr[2], p->lladdr[3],
				    p->lladdr[4], p->lladdr[5]);
			else
				snprintf(ll, sizeof(ll), "-");
			if (p->netns[0])
				snprintf(guest, sizeof(guest), "%s in %s%s",
				    p->guest_ifname, p->netns,
				    p->locked ? " (locked)" : "");
			else
				snprintf(guest, sizeof(guest), "%s on host%s",
				    p->ifname[0] ? p->ifname : "-",
				    p->locked ? " (locked)" : "");
			fprintf(out, "%5d %-16s %-6d %-10s %-12s %-8s %-17s "
			    "%s\n", cv->id, cv->name, j, p->name,
			    cv->ifs[j].sw[0] ? cv->ifs[j].sw : "-",
			    p->bridge >= 0 ? dp->bridges[p->bridge].br_name :
			    "-", ll, guest);
		}
	}
	return 0;
}

static const char *const port_kind_names[] = {
	[PORT_TAP] = "tap", [PORT_VPORT] = "vport", [PORT_IF] = "interface",
	[PORT_VLAN] = "vlan", [PORT_PCAP] = "pcap", [PORT_VETHER] = "vether",
};

static int
ctl_stats(struct dp *dp, int argc, char **argv, FILE *out)
{
	int i, j, verbose = argc > 1 && strcmp(argv[1], "-v") == 0;

	fprintf(out, "%-10s %-9s %12s %14s %12s %14s %10s\n", "PORT", "KIND",
	    "RX-PKTS", "RX-BYTES", "TX-PKTS", "TX-BYTES", "DROPS");
	for (i = 0; i < dp->nports; i++) {
		const struct port *p = dp->ports[i];
		uint64_t drops = 0;

		for (j = PORT_C_DROP_RUNT; j < PORT_C__MAX; j++)
			drops += p->c[j];
		fprintf(out, "%-10s %-9s %12llu %14llu %12llu %14llu %10llu\n",
		    p->name, port_kind_names[p->kind],
		    (unsigned long long)p->c[PORT_C_RX_PACKETS],
		    (unsigned long long)p->c[PORT_C_RX_BYTES],
		    (unsigned long long)p->c[PORT_C_TX_PACKETS],
		    (unsigned long long)p->c[PORT_C_TX_BYTES],
		    (unsigned long long)drops);
	}
	fprintf(out, "\nDrops and other events by reason%s:\n", verbose ? "" :
	    " (non-zero; -v for all)");
	for (i = 0; i < dp->nports; i++)
		for (j = PORT_C_DROP_RUNT; j < PORT_C__MAX; j++)
			if (verbose || dp->ports[i]->c[j])
				fprintf(out, "  %-10s %-22s %12llu  %s\n",
				    dp->ports[i]->name, port_counter_names[j],
				    (unsigned long long)dp->ports[i]->c[j],
				    port_counter_help[j]);
	for (i = 0; i < dp->nbridges; i++)
		for (j = 0; j < BRIDGE_C__MAX; j++)
			if (verbose || dp->bridges[i].br_c[j])
				fprintf(out, "  %-10s %-22s %12llu  %s\n",
				    dp->bridges[i].br_name,
				    bridge_counter_names[j],
				    (unsigned long long)dp->bridges[i].br_c[j],
				    bridge_counter_help[j]);
	if (verbose || dp->pf.blocked)
		fprintf(out, "  %-10s %-22s %12llu  %s\n", "pf", "drop-blocked",
		    (unsigned long long)dp->pf.blocked,
		    "dropped: a block rule decided (pfctl -vsr says which)");
	for (j = 0; j < PF_C__MAX; j++)
		if (j != PF_C_MATCH && (verbose || dp->pf.c[j]))
			fprintf(out, "  %-10s %-22s %12llu  %s\n", "pf",
			    pf_counter_names[j],
			    (unsigned long long)dp->pf.c[j], pf_counter_help[j]);
	for (j = 0; j < STATE_C__MAX; j++)
		if (verbose || dp->pf.states.c[j])
			fprintf(out, "  %-10s %-22s %12llu  %s\n", "state",
			    state_counter_names[j],
			    (unsigned long long)dp->pf.states.c[j],
			    state_counter_help[j]);
	for (j = 0; j < ROUTER_C__MAX; j++)
		if (verbose || dp->router.c[j])
			fprintf(out, "  %-10s %-22s %12llu  %s\n", "router",
			    router_counter_names[j],
			    (unsigned long long)dp->router.c[j],
			    router_counter_help[j]);
	for (j = 0; j < DP_C__MAX; j++)
		if (verbose || dp->c[j])
			fprintf(out, "  %-10s %-22s %12llu  %s\n", "pipeline",
			    dp_counter_names[j], (unsigned long long)dp->c[j],
			    dp_counter_help[j]);
	return 0;
}

static int
ctl_trace(struct dp *dp, int argc, char **argv, FILE *out)
{
	unsigned long n = 100;
	uint32_t i, start;

	if (argc >= 2 && strcmp(argv[1], "on") == 0) {
		if (argc >= 3 && ctl_parse_uint(argv[2], 1000000, &n) != 0) {
			fprintf(out, "trace: on N: expected a count of "
			    "packets\n");
			return 1;
		}
		dp->trace_budget = (uint32_t)n;
		dp->trace_count = dp->trace_head = 0;	/* a fresh trace */
		fprintf(out, "tracing the next %lu packets\n", n);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "off") == 0) {
		dp->trace_budget = 0;
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "clear") == 0) {
		dp->trace_count = dp->trace_head = 0;
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "show") != 0) {
		fprintf(out, "trace: expected on [N], off, show or clear\n");
		return 1;
	}
	start = (dp->trace_head + DP_TRACE_MAX - dp->trace_count) %
	    DP_TRACE_MAX;
	for (i = 0; i < dp->trace_count; i++) {
		const struct dp_trace_ent *te =
		    &dp->trace[(start + i) % DP_TRACE_MAX];
		uint64_t rel = te->ns - dp->start_ns;

		fprintf(out, "%6llu.%06llu pkt %-6u %-9s %s\n",
		    (unsigned long long)(rel / 1000000000ULL),
		    (unsigned long long)(rel % 1000000000ULL / 1000), te->pkt,
		    te->stage, te->text);
	}
	return 0;
}

static int
ctl_prefix(const char *s, uint32_t *a, uint8_t *plen)
{
	char buf[64], *slash;
	unsigned long l = 32;
	struct in_addr in;

	snprintf(buf, sizeof(buf), "%s", s);
	if (strcmp(buf, "default") == 0) {
		*a = 0;
		*plen = 0;
		return 0;
	}
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (ctl_parse_uint(slash, 32, &l) != 0)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	*plen = (uint8_t)l;
	*a = ntohl(in.s_addr) & (l ? ~0u << (32 - l) : 0);
	return 0;
}

/*
 * The default route moved: the ports that hold it are the egress group,
 * and pf's "on egress" must follow at once: OpenBSD's rtrequest() calls
 * if_group_routechange(), which rebuilds the group (if_group_egress_build())
 * when a default route comes or goes, and pf sees the group change.
 */
static int
ctl_route_egress(struct dp *dp, uint8_t plen, FILE *out)
{
	if (plen != 0)
		return 0;
	return dp_pf_recompile(dp, out) != 0;
}

/* route delete's outcome ERROR for destination NAME, as route(8) words it. */
static int
ctl_route_deleted(struct dp *dp, const char *name, uint8_t plen, int error,
    FILE *out)
{
	if (error != 0) {
		fprintf(out, "route: %s: %s\n", name, error == EPERM ?
		    "a connected route goes with its address" :
		    "not in table");
		return 1;
	}
	fprintf(out, "delete net %s\n", name);
	return ctl_route_egress(dp, plen, out);
}

/* DEST[/LEN] or default, IPv6. */
static int
ctl_prefix6(const char *s, uint8_t *a, uint8_t *plen)
{
	char buf[80], *slash;
	unsigned long l = 128;

	snprintf(buf, sizeof(buf), "%s", s);
	if (strcmp(buf, "default") == 0) {
		memset(a, 0, 16);
		*plen = 0;
		return 0;
	}
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (ctl_parse_uint(slash, 128, &l) != 0)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, a) != 1)
		return -1;
	*plen = (uint8_t)l;
	in6_mask(a, *plen);
	return 0;
}

/* route add|delete -inet6 DEST GATEWAY (fe80::...%IF if link-local). */
static int
ctl_route6(struct dp *dp, int add, int argc, char **argv, int i, FILE *out)
{
	uint8_t dst[16], gw[16], plen;
	struct port *gp = NULL;
	char ebuf[128], buf[80], *pct = NULL;

	if (i >= argc || ctl_prefix6(argv[i], dst, &plen) != 0) {
		fprintf(out, "route: expected an IPv6 destination "
		    "ADDRESS[/LEN] or default\n");
		return 1;
	}
	if (!add)
		return ctl_route_deleted(dp, argv[i], plen, router6_route_delete(
		    &dp->router, dst, plen), out);
	if (i + 1 < argc) {
		snprintf(buf, sizeof(buf), "%s", argv[i + 1]);
		if ((pct = strchr(buf, '%')) != NULL) {
			*pct++ = '\0';
			gp = dp_port(dp, pct);
		}
	}
	if (i + 1 >= argc || inet_pton(AF_INET6, buf, gw) != 1 ||
	    (pct != NULL && gp == NULL)) {
		fprintf(out, "route: expected an IPv6 gateway address "
		    "(fe80::...%%IF if link-local)\n");
		return 1;
	}
	if (router6_route_add(&dp->router, dst, plen, gw, gp != NULL ?
	    gp->rif : NULL, ebuf, sizeof(ebuf)) != 0) {
		fprintf(out, "route: %s: %s\n", argv[i], ebuf);
		return 1;
	}
	fprintf(out, "add net %s: gateway %s\n", argv[i], argv[i + 1]);
	return ctl_route_egress(dp, plen, out);
}

/* route add|delete|show, as route(8) takes them (-inet6: IPv6). */
static int
ctl_route(struct dp *dp, int argc, char **argv, FILE *out)
{
	struct in_addr gw;
	uint32_t dst;
	uint8_t plen;
	char ebuf[128];
	int i = 1, inet6 = 0;

	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "-net") != 0)
		inet6 |= strcmp(argv[i++], "-inet6") == 0;
	/* route add -inet6 ...: the family may follow the command too. */
	if (i + 1 < argc && strcmp(argv[i + 1], "-inet6") == 0 &&
	    (strcmp(argv[i], "add") == 0 || strcmp(argv[i], "delete") == 0)) {
		inet6 = 1;
		memmove(argv + i + 1, argv + i + 2, (size_t)(argc - i - 2) *
		    sizeof(*argv));
		argc--;
	}
	if (i >= argc || strcmp(argv[i], "show") == 0) {
		router_netstat(&dp->router, out);
		return 0;
	}
	if (strcmp(argv[i], "add") == 0 || strcmp(argv[i], "delete") == 0) {
		int add = argv[i][0] == 'a';

		if (++i < argc && (strcmp(argv[i], "-net") == 0 ||
		    strcmp(argv[i], "-host") == 0))
			i++;
		if (inet6)
			return ctl_route6(dp, add, argc, argv, i, out);
		if (i >= argc || ctl_prefix(argv[i], &dst, &plen) != 0) {
			fprintf(out, "route: expected a destination "
			    "ADDRESS[/LEN] or default\n");
			return 1;
		}
		if (!add)
			return ctl_route_deleted(dp, argv[i], plen,
			    router_route_delete(&dp->router, dst, plen), out);
		if (i + 1 >= argc || inet_pton(AF_INET, argv[i + 1], &gw) !=
		    1) {
			fprintf(out, "route: expected a gateway address\n");
			return 1;
		}
		if (router_route_add(&dp->router, dst, plen, ntohl(gw.s_addr),
		    ebuf, sizeof(ebuf)) != 0) {
			fprintf(out, "route: %s: %s\n", argv[i], ebuf);
			return 1;
		}
		fprintf(out, "add net %s: gateway %s\n", argv[i], argv[i + 1]);
		return ctl_route_egress(dp, plen, out);
	}
	fprintf(out, "route: expected add, delete or show\n");
	return 1;
}

static int
ctl_netstat(struct dp *dp, int argc, char **argv, FILE *out)
{
	if (argc < 2 || strncmp(argv[1], "-r", 2) != 0) {
		fprintf(out, "netstat: only -rn is supported\n");
		return 1;
	}
	router_netstat(&dp->router, out);
	return 0;
}

static void
arp_deleted(void *arg, uint32_t ip)
{
	struct in_addr in = { htonl(ip) };
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &in, a, sizeof(a));
	fprintf(arg, "%s (%s) deleted\n", a, a);
}

/*
 * arp -an; arp -s host ether [temp | permanent]; arp -d host; arp -d -a.
 * Hosts are numeric (-n): sluiced resolves no names.
 */
static int
ctl_arp(struct dp *dp, int argc, char **argv, FILE *out)
{
	const char *op = argc >= 2 && argv[1][0] == '-' ? argv[1] + 1 : "";
	struct in_addr in;
	uint8_t mac[6], flags = ARP_F_STATIC;
	char err[128];
	int all;

	if (strchr(op, 's') != NULL) {
		int i, bad = argc < 4 || argc > 6;

		/* arp.c set(): temp or permanent, and pub, in any order */
		for (i = 4; !bad && i < argc; i++) {
			if (strcmp(argv[i], "pub") == 0)
				flags |= ARP_F_PUB;
			else if (strcmp(argv[i], "temp") == 0 &&
			    !(flags & ARP_F_PERMANENT))
				flags &= (uint8_t)~ARP_F_STATIC;
			else if (strcmp(argv[i], "permanent") == 0 &&
			    (flags & ARP_F_STATIC))
				flags |= ARP_F_PERMANENT;
			else
				bad = 1;
		}
		if (bad) {
			fprintf(out, "usage: arp -s host ether_addr "
			    "[temp | permanent] [pub]\n");
			return 1;
		}
		if (inet_pton(AF_INET, argv[2], &in) != 1) {
			fprintf(out, "arp: %s: bad address\n", argv[2]);
			return 1;
		}
		if (conf_parse_mac(argv[3], mac) != 0) {
			fprintf(out, "arp: invalid Ethernet address '%s'\n",
			    argv[3]);
			return 1;
		}
		if (router_arp_set(&dp->router, ntohl(in.s_addr), mac, flags,
		    err, sizeof(err)) != 0) {
			fprintf(out, "arp: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (strchr(op, 'd') != NULL) {
		all = strchr(op, 'a') != NULL || (argc == 3 &&
		    strcmp(argv[2], "-a") == 0);
		if (!all && (argc != 3 || inet_pton(AF_INET, argv[2],
		    &in) != 1)) {
			fprintf(out, "usage: arp -d host | arp -d -a\n");
			return 1;
		}
		if (router_arp_delete(&dp->router, all ? 0 :
		    ntohl(in.s_addr), arp_deleted, out) == 0 && !all) {
			fprintf(out, "arp: delete: cannot locate %s\n",
			    argv[2]);
			return 1;
		}
		return 0;
	}
	if (strchr(op, 'a') == NULL) {
		fprintf(out, "usage: arp -an | arp -s host ether_addr "
		    "[temp | permanent] [pub] | arp -d host | arp -d -a\n");
		return 1;
	}
	router_arp_show(&dp->router, out);
	return 0;
}

/* ndp -an: the IPv6 neighbour cache (numeric: -n is implied). */
static int
ctl_ndp(struct dp *dp, int argc, char **argv, FILE *out)
{
	const char *op = argc >= 2 && argv[1][0] == '-' ? argv[1] + 1 : "";
	uint8_t ip[16], mac[6], flags = ND6_F_STATIC;
	char host[80], err[128], *scope;
	int i, bad;

	if (strchr(op, 'a') != NULL) {
		router6_ndp_show(&dp->router, out);
		return 0;
	}
	if (strchr(op, 'c') != NULL) {
		router6_nd_flush(&dp->router, out);
		return 0;
	}
	if ((strchr(op, 's') == NULL && strchr(op, 'd') == NULL) ||
	    argc < 3) {
		fprintf(out, "usage: ndp -an | -c | -d hostname | "
		    "-s nodename ether_addr [temp] [proxy]\n");
		return 1;
	}
	/* fe80::1%em0: the scope names the interface */
	snprintf(host, sizeof(host), "%s", argv[2]);
	if ((scope = strchr(host, '%')) != NULL)
		*scope++ = '\0';
	if (inet_pton(AF_INET6, host, ip) != 1) {
		fprintf(out, "ndp: %s: bad address\n", argv[2]);
		return 1;
	}
	if (strchr(op, 'd') != NULL) {
		if (router6_nd_delete(&dp->router, ip, scope, err,
		    sizeof(err)) != 0) {
			fprintf(out, "ndp: %s: %s\n", argv[2], err);
			return 1;
		}
		fprintf(out, "%s (%s) deleted\n", argv[2], argv[2]);
		return 0;
	}
	/* ndp.c set(): temp and proxy, in any order */
	for (bad = argc < 4 || argc > 6, i = 4; !bad && i < argc; i++) {
		if (strcmp(argv[i], "temp") == 0)
			flags &= (uint8_t)~ND6_F_STATIC;
		else if (strcmp(argv[i], "proxy") == 0)
			flags |= ND6_F_PROXY;
		else
			bad = 1;
	}
	if (bad) {
		fprintf(out, "usage: ndp -s nodename ether_addr [temp] "
		    "[proxy]\n");
		return 1;
	}
	if (conf_parse_mac(argv[3], mac) != 0) {
		fprintf(out, "ndp: invalid Ethernet address '%s'\n", argv[3]);
		return 1;
	}
	if (router6_nd_set(&dp->router, ip, scope, mac, flags, err,
	    sizeof(err)) != 0) {
		fprintf(out, "ndp: %s: %s\n", argv[2], err);
		return 1;
	}
	return 0;
}

/* sysctl [NAME[=VALUE]], for the sysctls of sysctl.h, as sysctl(8). */
static int
ctl_sysctl(struct dp *dp, int argc, char **argv, FILE *out)
{
	int *v = dp->router.sysctl, i, old;
	char *eq, range[48];

	if (argc < 2) {
		for (i = 0; i < SYSCTL__MAX; i++)
			fprintf(out, "%s=%d\n", sysctl_defs[i].name, v[i]);
		return 0;
	}
	if ((eq = strchr(argv[1], '=')) != NULL)
		*eq++ = '\0';
	if ((i = sysctl_find(argv[1])) < 0) {
		fprintf(out, "sysctl: %s: no such sysctl in sluice (it has",
		    argv[1]);
		for (i = 0; i < SYSCTL__MAX; i++)
			fprintf(out, " %s", sysctl_defs[i].name);
		fprintf(out, ")\n");
		return 1;
	}
	if (eq == NULL) {
		fprintf(out, "%s=%d\n", sysctl_defs[i].name, v[i]);
		return 0;
	}
	old = v[i];
	if (sysctl_value(i, eq, &v[i]) != 0) {
		fprintf(out, "sysctl: %s: expected %s\n", sysctl_defs[i].name,
		    sysctl_range(i, range, sizeof(range)));
		return 1;
	}
	fprintf(out, "%s: %d -> %d\n", sysctl_defs[i].name, old, v[i]);
	return 0;
}

static int
ctl_dispatch(struct dp *dp, int argc, char **argv, FILE *out)
{
	if (argc < 1) {
		fprintf(out, "sluicectl: no command\n");
		return 1;
	}
	if (strcmp(argv[0], "ifconfig") == 0)
		return ctl_ifconfig(dp, argc, argv, out);
	if (strcmp(argv[0], "vmctl") == 0)
		return ctl_vmctl(dp, argc, argv, out);
	if (strcmp(argv[0], "stats") == 0)
		return ctl_stats(dp, argc, argv, out);
	if (strcmp(argv[0], "trace") == 0)
		return ctl_trace(dp, argc, argv, out);
	if (strcmp(argv[0], "pfctl") == 0)
		return dp_pf_ctl(dp, argc, argv, out);
	if (strcmp(argv[0], "explain") == 0)
		return dp_pf_explain(dp, argc, argv, out);
	if (strcmp(argv[0], "route") == 0)
		return ctl_route(dp, argc, argv, out);
	if (strcmp(argv[0], "netstat") == 0)
		return ctl_netstat(dp, argc, argv, out);
	if (strcmp(argv[0], "arp") == 0)
		return ctl_arp(dp, argc, argv, out);
	if (strcmp(argv[0], "sysctl") == 0)
		return ctl_sysctl(dp, argc, argv, out);
	if (strcmp(argv[0], "ndp") == 0)
		return ctl_ndp(dp, argc, argv, out);
	if (strcmp(argv[0], "dhcpleasectl") == 0) {
		/* dhcpleasectl show interface IF */
		if (argc != 4 || strcmp(argv[1], "show") != 0 ||
		    strcmp(argv[2], "interface") != 0) {
			fprintf(out, "usage: dhcpleasectl show interface "
			    "IF\n");
			return 1;
		}
		return dhcp_show(dp, argv[3], out);
	}
	if (strcmp(argv[0], "dhcpd") == 0) {
		/* dhcpd leases: /var/db/dhcpd.leases, from memory */
		if (argc != 2 || strcmp(argv[1], "leases") != 0) {
			fprintf(out, "usage: dhcpd leases\n");
			return 1;
		}
		return dhcpd_show_leases(dp, out);
	}
	if (strcmp(argv[0], "ping") == 0) {
		fprintf(out, "pong\n");
		return 0;
	}
	fprintf(out, "sluicectl: unknown command \"%s\" (expected ifconfig, "
	    "vmctl, pfctl, explain, netstat, arp, ndp, route, sysctl, "
	    "dhcpleasectl, dhcpd, "
	    "stats or trace)\n",
	    argv[0]);
	return 1;
}

/*
 * A command's own frames (a gratuitous ARP, a flow export) leave now,
 * not with the next burst.
 */
int
dp_ctl(struct dp *dp, int argc, char **argv, FILE *out)
{
	int rc = ctl_dispatch(dp, argc, argv, out);

	dp_drain(dp);
	return rc;
}
