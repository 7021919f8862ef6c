/*
 * The dataplane: building ports and bridges from the configuration, and
 * the pipeline every received burst runs through:
 *
 *   port rx ─► port input (sanity, vlan demux, locked lladdr)
 *           ─► bridge (learn, look up) ─► output (locked lladdr, queue)
 *           ─► per-port tx burst at the end of the batch
 *
 * Stages decide; only this file moves frames between queues.  A frame's
 * buffer is shared by every queue it is put on (refs) and returns to the
 * pool when the last one has sent it.  Every drop is counted where it is
 * decided, by reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "acl/filter/pf_filter.h"
#include "acl/pf_ast.h"
#include "dataplane/dhcp.h"
#include "dataplane/dhcpd.h"
#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "nat/nat.h"

#define DP_C_NAME(e, n, d)	n,
#define DP_C_HELP(e, n, d)	d,
const char *const dp_counter_names[DP_C__MAX] = { DP_COUNTERS(DP_C_NAME) };
const char *const dp_counter_help[DP_C__MAX] = { DP_COUNTERS(DP_C_HELP) };

/*
 * Batches, ARP queues, the loop queue, and what pf's queues hold (all
 * together at most this less 4 bursts).  Virtual memory: a buffer's
 * untouched pages cost nothing (pkt_pool_init()).
 */
#define DP_POOL_SIZE	4096

void
dp_clock(struct dp *dp, uint64_t ns)
{
	dp->now_ns = ns;
	dp->now = (uint32_t)(ns / 1000000000ULL);
}

void
dp_trace(struct dp *dp, const struct pkt *p, const char *stage,
    const char *fmt, ...)
{
	struct dp_trace_ent *te = &dp->trace[dp->trace_head];
	va_list ap;

	te->ns = dp->now_ns;
	te->pkt = p->id;
	snprintf(te->stage, sizeof(te->stage), "%s", stage);
	va_start(ap, fmt);
	vsnprintf(te->text, sizeof(te->text), fmt, ap);
	va_end(ap);
	dp->trace_head = (dp->trace_head + 1) % DP_TRACE_MAX;
	if (dp->trace_count < DP_TRACE_MAX)
		dp->trace_count++;
}

struct port *
dp_port(struct dp *dp, const char *name)
{
	int i;

	for (i = 0; i < dp->nports; i++)
		if (strcmp(dp->ports[i]->name, name) == 0)
			return dp->ports[i];
	return NULL;
}

struct bridge *
dp_bridge(struct dp *dp, const char *name)
{
	int i;

	for (i = 0; i < dp->nbridges; i++)
		if (strcmp(dp->bridges[i].br_name, name) == 0)
			return &dp->bridges[i];
	return NULL;
}

/* ---- building ---------------------------------------------------------- */

static const char *
dp_map(struct dp_map *maps, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(maps[i].name, name) == 0)
			return maps[i].spec;
	return NULL;
}

static struct port *
dp_new_port(struct dp *dp, const char *name, FILE *err)
{
	const struct conf_if *ci;
	struct port *p;

	if (dp->nports == DP_MAX_PORTS) {
		fprintf(err, "sluiced: too many ports (at most %d)\n",
		    DP_MAX_PORTS);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		fprintf(err, "sluiced: out of memory\n");
		return NULL;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->index = dp->nports;
	p->fd = -1;
	p->bridge = -1;
	p->mtu = 1500;
	p->txmax = PORT_TXQ_MAX;
	p->llprio = PKT_DEFPRIO;
	if (dp->conf != NULL && (ci = conf_if(dp->conf, name)) != NULL &&
	    ci->llprio != 0)
		p->llprio = (uint8_t)(ci->llprio - 1);
	dp->ports[dp->nports++] = p;
	return p;
}

/*
 * Open a port from its map entry: "pcap:IN:OUT" replays and records a
 * capture, anything else names a Linux interface.
 */
static int
dp_open_mapped(struct dp *dp, struct port *p, const char *spec, FILE *err)
{
	char ebuf[512], buf[512], *in, *out;

	ebuf[0] = '\0';
	if (strncmp(spec, "pcap:", 5) == 0) {
		snprintf(buf, sizeof(buf), "%s", spec + 5);
		in = buf;
		if ((out = strchr(buf, ':')) != NULL)
			*out++ = '\0';
		if (dp->opts->check_only)
			return 0;
		if (port_pcap_open(p, in, out, &dp->now_ns, ebuf,
		    sizeof(ebuf)) != 0) {
			fprintf(err, "sluiced: %s: %s\n", p->name, ebuf);
			return -1;
		}
		return 0;
	}
	snprintf(p->ifname, sizeof(p->ifname), "%s", spec);
	if (dp->opts->check_only)
		return 0;
	if (port_afp_open(p, ebuf, sizeof(ebuf)) != 0) {
		fprintf(err, "sluiced: %s\n", ebuf);
		return -1;
	}
	return 0;
}

static struct port *
dp_open_physical(struct dp *dp, const char *name, FILE *err)
{
	struct conf_if *ci;
	struct port *p;
	const char *spec;

	if ((p = dp_port(dp, name)) != NULL)
		return p;
	spec = dp_map(dp->opts->ifmaps, dp->opts->nifmaps, name);
	if (spec == NULL && dp->opts->check_only)
		return dp_new_port(dp, name, err);	/* mapped at start */
	if (spec == NULL) {
		fprintf(err, "sluiced: %s is not mapped to a Linux interface "
		    "(give -i %s=LINUXIF, or -i %s=pcap:IN:OUT)\n", name, name,
		    name);
		return NULL;
	}
	if ((p = dp_new_port(dp, name, err)) == NULL)
		return NULL;
	if (dp_open_mapped(dp, p, spec, err) != 0)
		return NULL;
	/* A bridge member's mtu too: bridge_fragment() cuts for it. */
	if ((ci = conf_if(dp->conf, name)) != NULL && ci->mtu != 0)
		p->mtu = ci->mtu;
	return p;
}

static struct port *
dp_open_tap(struct dp *dp, struct conf_vm *cv, int ifidx, FILE *err)
{
	struct conf_vmif *vi = &cv->ifs[ifidx];
	struct port *p;
	const char *spec, *netns;
	char ebuf[512], guest[PORT_NAMESIZ];

	if ((p = dp_new_port(dp, vi->tap, err)) == NULL)
		return NULL;
	snprintf(p->vm, sizeof(p->vm), "%s", cv->name);
	if (vi->has_lladdr) {
		memcpy(p->lladdr, vi->lladdr, 6);
		p->has_lladdr = 1;
	}
	p->locked = vi->locked;
	if ((spec = dp_map(dp->opts->ifmaps, dp->opts->nifmaps, vi->tap)) !=
	    NULL)
		return dp_open_mapped(dp, p, spec, err) == 0 ? p : NULL;
	snprintf(p->ifname, sizeof(p->ifname), "%s%s",
	    dp->opts->tap_prefix ? dp->opts->tap_prefix : "", vi->tap);
	if (dp->opts->check_only)
		return p;
	ebuf[0] = '\0';
	if (port_tap_open(p, 0, ebuf, sizeof(ebuf)) != 0) {
		fprintf(err, "sluiced: %s\n", ebuf);
		return NULL;
	}
	netns = dp_map(dp->opts->guests, dp->opts->nguests, cv->name);
	snprintf(guest, sizeof(guest), "vio%d", ifidx);
	if ((netns != NULL || vi->has_lladdr) &&
	    port_tap_setup(p, netns, guest, vi->has_lladdr ? vi->lladdr : NULL,
	    ebuf, sizeof(ebuf)) != 0) {
		fprintf(err, "sluiced: %s\n", ebuf);
		return NULL;
	}
	return p;
}

struct port *
dp_open_vlan(struct dp *dp, struct conf_vlan *cv, FILE *err)
{
	struct port *p, *parent;

	if ((p = dp_port(dp, cv->name)) != NULL) {
		p->txprio = cv->txprio;
		p->rxprio = cv->rxprio;
		return p;
	}
	if ((parent = dp_open_physical(dp, cv->parent, err)) == NULL)
		return NULL;
	if (parent->nvlans == sizeof(parent->vlans) / sizeof(parent->vlans[0])) {
		fprintf(err, "sluiced: %s: too many vlans on %s\n", cv->name,
		    cv->parent);
		return NULL;
	}
	if ((p = dp_new_port(dp, cv->name, err)) == NULL)
		return NULL;
	p->kind = PORT_VLAN;
	p->parent = parent;
	p->vid = cv->vid;
	p->txprio = cv->txprio;
	p->rxprio = cv->rxprio;
	memcpy(p->lladdr, parent->lladdr, 6);
	p->has_lladdr = parent->has_lladdr;
	p->outq = parent->queues;	/* its frames wait in the parent's */
	parent->vlans[parent->nvlans++] = p;
	return p;
}

static int
dp_build_vms(struct dp *dp, FILE *err)
{
	struct conf *c = dp->conf;
	int i, j;

	for (i = 0; i < c->nvms; i++) {
		struct dp_vm *vm = &dp->vms[dp->nvms++];
		const char *ns;

		vm->cv = &c->vms[i];
		if ((ns = dp_map(dp->opts->guests, dp->opts->nguests,
		    c->vms[i].name)) != NULL)
			snprintf(vm->netns, sizeof(vm->netns), "%.63s", ns);
		for (j = 0; j < c->vms[i].nifs; j++) {
			struct port *p = dp_open_tap(dp, &c->vms[i], j, err);

			if (p == NULL)
				return -1;
			vm->ports[j] = p->index;
		}
	}
	for (i = 0; i < dp->opts->nguests; i++) {
		for (j = 0; j < c->nvms; j++)
			if (strcmp(c->vms[j].name, dp->opts->guests[i].name) ==
			    0)
				break;
		if (j == c->nvms) {
			fprintf(err, "sluiced: -g %s: no vm \"%s\" in vm.conf\n",
			    dp->opts->guests[i].name, dp->opts->guests[i].name);
			return -1;
		}
	}
	return 0;
}

/*
 * vport(4): a tap whose kernel side stays on the host, with the inet
 * lines of hostname.vportN applied to it, so that host daemons (dnsmasq,
 * sshd) serve the bridge's segment.
 */
static struct port *
dp_open_vport(struct dp *dp, const char *name, FILE *err)
{
	struct conf_if *ci = conf_if(dp->conf, name);
	struct port *p;
	const char *spec;
	char ebuf[512];
	int k, error;

	if ((p = dp_new_port(dp, name, err)) == NULL)
		return NULL;
	p->kind = PORT_VPORT;
	if ((spec = dp_map(dp->opts->ifmaps, dp->opts->nifmaps, name)) != NULL)
		return dp_open_mapped(dp, p, spec, err) == 0 ? p : NULL;
	snprintf(p->ifname, sizeof(p->ifname), "%s%s",
	    dp->opts->tap_prefix ? dp->opts->tap_prefix : "", name);
	if (dp->opts->check_only)
		return p;
	ebuf[0] = '\0';
	if (port_tap_open(p, 1, ebuf, sizeof(ebuf)) != 0) {
		fprintf(err, "sluiced: %s\n", ebuf);
		return NULL;
	}
	for (k = 0; ci != NULL && k < ci->naddrs; k++) {
		if ((error = (k == 0 ? port_set_inet : port_add_inet)(p->ifname,
		    ci->addrs[k].addr, ci->addrs[k].plen)) != 0) {
			fprintf(err, "sluiced: %s: inet: %s\n", p->ifname,
			    strerror(error));
			return NULL;
		}
	}
	if ((error = port_link_up(p->ifname, 1)) != 0) {
		fprintf(err, "sluiced: %s: up: %s\n", p->ifname,
		    strerror(error));
		return NULL;
	}
	return p;
}

/* A configuration line dp_build() cannot apply: file:line:col and why. */
static int
dp_conf_err(FILE *err, const struct conf_pos *pos, const char *msg)
{
	fprintf(err, "%s:%d:%d: %s\n", pos->file, pos->line, pos->col, msg);
	return -1;
}

static struct port *
dp_member_port(struct dp *dp, const char *name, FILE *err)
{
	struct conf_vlan *cv;
	struct port *p;

	if ((p = dp_port(dp, name)) != NULL)
		return p;
	if ((cv = conf_vlan(dp->conf, name)) != NULL)
		return dp_open_vlan(dp, cv, err);
	if (strncmp(name, "vether", 6) == 0) {
		if ((p = dp_new_port(dp, name, err)) != NULL)
			p->kind = PORT_VETHER;
		return p;
	}
	if (strncmp(name, "vport", 5) == 0)
		return dp_open_vport(dp, name, err);
	return dp_open_physical(dp, name, err);
}

static int
dp_build_bridges(struct dp *dp, FILE *err)
{
	struct conf *c = dp->conf;
	int i, j;

	for (i = 0; i < c->nbridges; i++) {
		struct conf_bridge *cb = &c->bridges[i];
		struct bridge *br = &dp->bridges[dp->nbridges];

		if (bridge_init(br, cb->name) != 0 ||
		    fdb_set_max(&br->br_fdb, cb->maxaddr) != 0) {
			fprintf(err, "sluiced: %s: out of memory\n", cb->name);
			return -1;
		}
		dp->nbridges++;
		br->br_fdb.f_timeout = cb->timeout;
		br->br_up = cb->up;
		for (j = 0; j < cb->nmembers; j++) {
			struct port *p = dp_member_port(dp,
			    cb->members[j].ifname, err);

			if (p == NULL)
				return -1;
			bridge_add_member(br, p->index, cb->members[j].flags);
			bridge_member(br, p->index)->bm_protected =
			    cb->members[j].protected;
			p->bridge = dp->nbridges - 1;
		}
		for (j = 0; j < cb->nspans; j++) {
			struct port *p = dp_member_port(dp,
			    cb->spans[j].ifname, err);

			if (p == NULL)
				return -1;
			dp->bridge_spans = 1;
			if (p->bridge >= 0 || bridge_add_span(br,
			    p->index) != 0)
				return dp_conf_err(err, &cb->spans[j].pos,
				    "span: a bridge member, or a span port "
				    "already");
		}
		for (j = 0; j < cb->nstatic; j++) {
			struct port *p = dp_port(dp, cb->statics[j].ifname);

			if (p != NULL)
				fdb_add_static(&br->br_fdb, 0,
				    cb->statics[j].mac, p->index);
		}
	}
	return 0;
}

/*
 * A bridge rule on member bm, its tag named in pf's table of tags (which
 * outlives every ruleset), so that pf's `tagged' sees what it set.
 */
int
dp_bridge_rule_add(struct dp *dp, struct bridge *br, struct bridge_member *bm,
    struct bridge_rule *r)
{
	if (r->tagname[0] != '\0' &&
	    (r->tag = acl_tag_id(dp->pf.tags, r->tagname, 1)) == 0)
		return ENOSPC;
	br->br_rules = 1;	/* from now on frames look for rules */
	dp->bridge_rules = 1;
	return bridge_rule_add(bm, r);
}

/* hostname.bridgeN's rules, once pf's tags exist. */
static int
dp_build_bridge_rules(struct dp *dp, FILE *err)
{
	struct conf *c = dp->conf;
	int i, j;

	for (i = 0; i < c->nbridges; i++)
		for (j = 0; j < c->bridges[i].nrules; j++) {
			struct conf_brule *cr = &c->bridges[i].rules[j];
			struct port *p = dp_port(dp, cr->ifname);
			struct bridge *br = p != NULL && p->bridge >= 0 ?
			    &dp->bridges[p->bridge] : NULL;
			struct bridge_member *bm = br != NULL ?
			    bridge_member(br, p->index) : NULL;

			if (bm == NULL || dp_bridge_rule_add(dp, br, bm,
			    &cr->rule) != 0)
				return dp_conf_err(err, &cr->pos, "rule: its "
				    "member is gone, or too many tags");
		}
	return 0;
}

/*
 * vmd's "switch" puts every VM interface that names it into its bridge,
 * after the members hostname.bridgeN lists.
 */
static int
dp_join_switches(struct dp *dp, FILE *err)
{
	struct conf *c = dp->conf;
	int i, j, k;

	for (i = 0; i < dp->nvms; i++) {
		const struct conf_vm *cv = dp->vms[i].cv;

		for (j = 0; j < cv->nifs; j++) {
			struct port *p = dp->ports[dp->vms[i].ports[j]];
			struct bridge *br = NULL;

			if (cv->ifs[j].sw[0] == '\0' || p->bridge >= 0)
				continue;
			for (k = 0; k < c->nswitches; k++)
				if (strcmp(c->switches[k].name,
				    cv->ifs[j].sw) == 0) {
					br = dp_bridge(dp, c->switches[k].bridge);
					if (c->switches[k].locked)
						p->locked = 1;
				}
			if (br == NULL) {
				fprintf(err, "sluiced: vm %s: switch \"%s\" has "
				    "no bridge\n", cv->name, cv->ifs[j].sw);
				return -1;
			}
			bridge_add_member(br, p->index, BM_DEFAULT);
			p->bridge = (int)(br - dp->bridges);
		}
	}
	return 0;
}

/* A vlan's parent's Ethernet address, as hostname.if or Linux give it. */
static int
dp_parent_mac(struct dp *dp, const struct port *parent, uint8_t *mac)
{
	const struct conf_if *pci = conf_if(dp->conf, parent->name);

	if (pci != NULL && pci->has_lladdr)
		memcpy(mac, pci->lladdr, 6);
	else if (parent->has_lladdr)
		memcpy(mac, parent->lladdr, 6);
	else
		return 0;
	return 1;
}

/* A vether's MAC: its lladdr, or fe:e1:ba:d0:xx:xx from its name. */
static void
dp_vether_mac(const char *name, uint8_t *mac)
{
	uint32_t h = 2166136261u;
	const char *s;

	for (s = name; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	mac[0] = 0xfe;
	mac[1] = 0xe1;
	mac[2] = 0xba;
	mac[3] = 0xd0;
	mac[4] = (h >> 8) & 0xff;
	mac[5] = h & 0xff;
}

/*
 * New addresses for router interface r (ifconfig inet, a DHCP lease):
 * the router takes them (connected routes, a gratuitous ARP each), and
 * pf's rules are compiled again so that (if), self and egress follow.
 * ENOSPC: the route table is full; EINVAL: the rules did not compile
 * (err says why).
 */
int
dp_rif_set_addrs(struct dp *dp, struct rif *r, const struct rif_addr *a,
    int n, FILE *err)
{
	if (router_set_addrs(&dp->router, r, a, n) != 0)
		return ENOSPC;
	dp_drain(dp);
	return dp_pf_recompile(dp, err) != 0 ? EINVAL : 0;
}

/*
 * Router interfaces: every vether, and every other interface that has
 * addresses and is in no bridge (em0 in the handbook's routed segment).
 * Then connected routes from the addresses, static routes, mygate.
 */
static int
dp_build_router(struct dp *dp, FILE *err)
{
	struct conf *c = dp->conf;
	struct router *rt = &dp->router;
	char ebuf[256];
	int i, k;

	if (router_init(rt, dp) != 0) {
		fprintf(err, "sluiced: out of memory\n");
		return -1;
	}
	memcpy(rt->sysctl, c->sysctl, sizeof(rt->sysctl));
	for (i = 0; i < c->nifs; i++) {
		struct conf_if *ci = &c->ifs[i];
		struct port *p = dp_port(dp, ci->name);
		uint8_t mac[6];

		if (conf_vlan(c, ci->name) != NULL && ci->naddrs == 0 &&
		    ci->naddrs6 == 0 && !ci->autoconf6)
			continue;
		if (p == NULL && strncmp(ci->name, "vether", 6) == 0) {
			if ((p = dp_new_port(dp, ci->name, err)) == NULL)
				return -1;
			p->kind = PORT_VETHER;
		}
		if (p == NULL && (ci->naddrs > 0 || ci->naddrs6 > 0 ||
		    ci->dhcp || ci->autoconf6) &&
		    (p = dp_open_physical(dp, ci->name, err)) ==
		    NULL)
			return -1;
		if (p == NULL || p->kind == PORT_VPORT ||
		    (p->kind != PORT_VETHER && (p->bridge >= 0 ||
		    (ci->naddrs == 0 && ci->naddrs6 == 0 && !ci->dhcp &&
		    !ci->autoconf6))))
			continue;
		if (ci->mtu != 0)
			p->mtu = ci->mtu;
		if (ci->has_lladdr)
			memcpy(mac, ci->lladdr, 6);
		else if (p->parent != NULL && dp_parent_mac(dp, p->parent,
		    mac))
			;	/* vlan(4) takes its parent's address */
		else if (p->kind == PORT_VETHER || !p->has_lladdr)
			dp_vether_mac(p->name, mac);
		else
			memcpy(mac, p->lladdr, 6);
		memcpy(p->lladdr, mac, 6);
		p->has_lladdr = 1;
		if (p->kind == PORT_VETHER)
			p->offload = 1;	/* the router carries offloads on */
		if ((p->rif = router_add_rif(rt, p, mac)) == NULL) {
			fprintf(err, "sluiced: too many router interfaces\n");
			return -1;
		}
		for (k = 0; k < ci->naddrs; k++)
			if (router_add_addr(rt, p->rif,
			    ntohl(ci->addrs[k].addr), ci->addrs[k].plen) != 0)
				return dp_conf_err(err, &ci->addrs[k].pos,
				    "address: route table full or duplicate");
		for (k = 0; k < ci->naddrs6; k++)
			if (router6_add_addr(rt, p->rif, ci->addrs6[k].addr,
			    ci->addrs6[k].plen) != 0)
				return dp_conf_err(err, &ci->addrs6[k].pos,
				    "inet6: duplicate address or too many");
		if (ci->autoconf6 && router6_autoconf(rt, p->rif) != 0) {
			fprintf(err, "sluiced: out of memory\n");
			return -1;
		}
		if (ci->dhcp && dhcp_start(p->rif) != 0) {
			fprintf(err, "sluiced: out of memory\n");
			return -1;
		}
	}
	/* A vether only named in a bridge still gets its interface. */
	for (i = 0; i < dp->nports; i++) {
		struct port *p = dp->ports[i];
		uint8_t mac[6];

		if (p->kind != PORT_VETHER || p->rif != NULL)
			continue;
		dp_vether_mac(p->name, mac);
		memcpy(p->lladdr, mac, 6);
		p->has_lladdr = 1;
		p->offload = 1;
		if ((p->rif = router_add_rif(rt, p, mac)) == NULL)
			return -1;
	}
	if (c->has_dhcpd && dhcpd_start(dp) != 0) {
		fprintf(err, "sluiced: out of memory\n");
		return -1;
	}
	/* rad.conf: conf_check() made sure each has an inet6 address. */
	for (i = 0; i < c->nrad; i++) {
		struct port *p = dp_port(dp, c->rads[i].name);

		if (p == NULL || p->rif == NULL)
			return dp_conf_err(err, &c->rads[i].pos, "interface "
			    "is no router interface here");
		if (router6_rad(rt, p->rif, &c->rads[i]) != 0) {
			fprintf(err, "sluiced: out of memory\n");
			return -1;
		}
	}
	for (i = 0; i < c->nroutes; i++)
		if (router_route_add(rt, ntohl(c->routes[i].dst),
		    c->routes[i].plen, ntohl(c->routes[i].gw), ebuf,
		    sizeof(ebuf)) != 0)
			return dp_conf_err(err, &c->routes[i].pos, ebuf);
	if (c->has_mygate && router_route_add(rt, 0, 0, ntohl(c->mygate.gw),
	    ebuf, sizeof(ebuf)) != 0)
		return dp_conf_err(err, &c->mygate.pos, ebuf);
	for (i = 0; i <= c->nroutes6; i++) {
		const struct conf_route6 *r6 = i < c->nroutes6 ?
		    &c->routes6[i] : c->has_mygate6 ? &c->mygate6 : NULL;
		struct port *gp;

		if (r6 == NULL)
			break;
		gp = r6->gwif[0] ? dp_port(dp, r6->gwif) : NULL;
		if (router6_route_add(rt, r6->dst, r6->plen, r6->gw,
		    gp != NULL ? gp->rif : NULL, ebuf, sizeof(ebuf)) != 0)
			return dp_conf_err(err, &r6->pos, ebuf);
	}
	return 0;
}

int
dp_build(struct dp *dp, struct conf *c, struct dp_opts *opts, FILE *err)
{
	struct timespec ts;
	int i, all_pcap = 1;

	dp->conf = c;
	dp->opts = opts;
	for (i = 0; i < CAPTURE_MAX; i++)
		dp->cap[i].fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	dp_clock(dp, (uint64_t)ts.tv_sec * 1000000000ULL +
	    (uint64_t)ts.tv_nsec);
	dp->start_ns = dp->now_ns;
	if (!opts->check_only && pkt_pool_init(&dp->pool, DP_POOL_SIZE) != 0) {
		fprintf(err, "sluiced: cannot allocate the packet pool\n");
		return -1;
	}
	if (dp_build_vms(dp, err) != 0 || dp_build_bridges(dp, err) != 0 ||
	    dp_join_switches(dp, err) != 0)
		return -1;
	/* Parents of vlans that are no bridge's member are opened too. */
	for (i = 0; i < c->nvlans; i++)
		if (dp_open_vlan(dp, &c->vlans[i], err) == NULL)
			return -1;
	if (dp_build_router(dp, err) != 0)
		return -1;
	for (i = 0; i < c->npflows; i++) {
		dp->pflows[i].c = c->pflows[i];
		dp->pflows[i].unit = atoi(c->pflows[i].name + 5);
	}
	dp->npflows = c->npflows;
	if (dp_pf_init(dp) != 0) {
		fprintf(err, "sluiced: out of memory for the state table\n");
		return -1;
	}
	if (dp_build_bridge_rules(dp, err) != 0)
		return -1;
	{
		char path[sizeof(c->dir) + 16];

		snprintf(path, sizeof(path), "%s/pf.conf", c->dir);
		if (access(path, F_OK) == 0 && dp_pf_load(dp, path, err) != 0)
			return -1;
	}
	for (i = 0; i < dp->nports; i++) {
		struct port *p = dp->ports[i];

		if (p->kind != PORT_PCAP && p->kind != PORT_VLAN &&
		    p->kind != PORT_VETHER)
			all_pcap = 0;
	}
	dp->replay = all_pcap && dp->nports > 0 && !opts->check_only;
	return 0;
}

void
dp_destroy(struct dp *dp)
{
	int i;

	/* Packets held (ARP queues, the loop queue) go back to the pool
	 * before the ports go. */
	for (i = 0; i < dp->nloop; i++)
		pkt_free(&dp->pool, dp->loopq[i].p);
	dp->nloop = 0;
	dp_pf_queues_clear(dp);
	if (dp->router.dp != NULL)
		router_fini(&dp->router);
	for (i = 0; i < dp->nports; i++) {
		port_close(dp->ports[i]);
		free(dp->ports[i]);
	}
	dp->nports = 0;
	capture_stop_all(dp);
	for (i = 0; i < dp->nbridges; i++)
		bridge_fini(&dp->bridges[i]);
	dp->nbridges = 0;
	if (dp->pf.tags != NULL)
		dp_pf_fini(dp);
	pkt_pool_fini(&dp->pool);
}

/* ---- the pipeline ------------------------------------------------------- */

static void
dp_trace_rx(struct dp *dp, const struct port *in, const struct pkt *p)
{
	const uint8_t *s = ether_src(p->data), *d = ether_dst(p->data);
	uint16_t type = p->len >= ETHER_HDR_LEN ?
	    ether_type(p->data, p->len, NULL) : 0;

	dp_trace(dp, p, "rx", "%s: %02x:%02x:%02x:%02x:%02x:%02x > "
	    "%02x:%02x:%02x:%02x:%02x:%02x%s%.0u ethertype 0x%04x, %u bytes",
	    in->name, s[0], s[1], s[2], s[3], s[4], s[5], d[0], d[1], d[2],
	    d[3], d[4], d[5], p->vid ? ", vlan " : "", p->vid, type, p->len);
}

/* The outer tag off a frame, its offload offsets moved with the data. */
static void
dp_tag_pop(struct pkt *p)
{
	ether_tag_pop(&p->data, &p->len);
	if (p->off.flags & PKT_OFF_NEEDS_CSUM)
		p->off.csum_start -= VLAN_TAG_LEN;
	if (p->off.gso_type != 0)
		p->off.hdr_len -= VLAN_TAG_LEN;
}

/*
 * A priority-tagged frame (802.1Q with VID 0) is an untagged one that
 * names a priority: vlan_input() takes the tag off whatever the port
 * (not the priority: OpenBSD's own XXX), and drops it if another tag is
 * under it.  Returns 0, or -1: dropped.
 */
static int
dp_prio_untag(struct dp *dp, struct port *in, struct pkt *p)
{
	if (ether_get16(p->data + 12) != ETHERTYPE_VLAN)
		return 0;			/* 802.1ad: declined, as is */
	dp_tag_pop(p);
	if (ether_is_tagged(p->data, p->len)) {
		in->c[PORT_C_DROP_PRIO_STACKED]++;
		if (p->traced)
			dp_trace(dp, p, "vlan", "drop: a priority tag over "
			    "another tag on %s", in->name);
		return -1;
	}
	in->c[PORT_C_PRIO_UNTAGGED]++;
	if (p->traced)
		dp_trace(dp, p, "vlan", "%s: priority tag (vid 0) removed",
		    in->name);
	return 0;
}

/*
 * Port input: drop what no stage could read, hand tagged frames to the
 * vlan(4) port that takes their VID (popping the tag), enforce a locked
 * lladdr.  Returns the port the frame now belongs to, or NULL: dropped.
 */
static struct port *
dp_port_input(struct dp *dp, struct port *in, struct pkt *p)
{
	const uint8_t *src;
	uint16_t i;

	if (p->len < ETHER_HDR_LEN) {
		in->c[PORT_C_DROP_RUNT]++;
		if (p->traced)
			dp_trace(dp, p, "port-in", "drop: runt (%u bytes)",
			    p->len);
		return NULL;
	}
	if (p->off.gso_type == 0 &&
	    p->len > in->mtu + ETHER_HDR_LEN + VLAN_TAG_LEN) {
		in->c[PORT_C_DROP_OVERSIZE]++;
		if (p->traced)
			dp_trace(dp, p, "port-in", "drop: oversize (%u bytes, "
			    "mtu %u)", p->len, in->mtu);
		return NULL;
	}
	if ((p->off.flags & PKT_OFF_NEEDS_CSUM) &&
	    (uint32_t)p->off.csum_start + p->off.csum_offset + 2 > p->len) {
		in->c[PORT_C_DROP_BAD_OFFLOAD]++;
		if (p->traced)
			dp_trace(dp, p, "port-in", "drop: checksum offset "
			    "outside the frame");
		return NULL;
	}
	p->vid = 0;
	if (ether_is_tagged(p->data, p->len) &&
	    (p->vid = ether_vid(p->data, p->len)) == 0 &&
	    dp_prio_untag(dp, in, p) != 0)
		return NULL;
	if (p->vid != 0 && in->nvlans > 0) {
		for (i = 0; i < in->nvlans; i++) {
			struct port *v = in->vlans[i];

			if (v->vid != p->vid)
				continue;
			/* rxprio: outer takes the PCP, packet keeps it */
			if (v->rxprio == CONF_HDRPRIO_OUTER)
				p->prio = ether_prio_pcp((uint8_t)(ether_get16(
				    p->data + 14) >> VLAN_PCP_SHIFT));
			else if (v->rxprio >= 0)
				p->prio = (uint8_t)v->rxprio;
			dp_tag_pop(p);
			if (p->traced)
				dp_trace(dp, p, "vlan", "%s: vid %u -> %s, tag "
				    "removed, prio %u", in->name, p->vid,
				    v->name, p->prio);
			p->vid = 0;
			p->in_port = v->index;
			v->c[PORT_C_RX_PACKETS]++;
			v->c[PORT_C_RX_BYTES] += p->len;
			if (dp->ncap)
				capture_frame(dp, v, p, 0);
			in = v;
			break;
		}
	}
	if (in->bridge < 0 && in->rif != NULL) {
		/* A routed port (em0): the router has it, exclusively. */
		router_input(&dp->router, in->rif, p, 0);
		return NULL;
	}
	if (in->bridge < 0) {
		if (p->vid != 0 && in->nvlans > 0) {
			in->c[PORT_C_DROP_VLAN_UNKNOWN]++;
			if (p->traced)
				dp_trace(dp, p, "vlan", "drop: no vlan port "
				    "takes vid %u on %s", p->vid, in->name);
		} else {
			in->c[PORT_C_DROP_NOT_MEMBER]++;
			if (p->traced)
				dp_trace(dp, p, "port-in", "drop: %s is in no "
				    "bridge", in->name);
		}
		return NULL;
	}
	src = ether_src(p->data);
	if (in->locked && memcmp(src, in->lladdr, 6) != 0) {
		in->c[PORT_C_DROP_LLADDR_LOCKED]++;
		if (p->traced)
			dp_trace(dp, p, "port-in", "drop: source is not the "
			    "locked lladdr of %s", in->name);
		return NULL;
	}
	return in;
}

/*
 * priq: a queue holding frames of several priorities sends the higher
 * ones first, as OpenBSD's default interface queue does (priq(9)), and
 * frames of one priority in their order.  sluice holds frames for one
 * burst only, so that is the scale on which priority reorders.
 */
static void
dp_txq_priq(struct dp *dp, struct port *p)
{
	struct txent q[sizeof(p->txq) / sizeof(p->txq[0])];
	uint16_t n[8] = { 0 }, at[8], sum = 0;
	int i, k;

	dp->c[DP_C_TX_PRIQ]++;
	for (i = 0; i < p->ntx; i++)
		n[p->txq[i].p->prio & 7]++;
	for (k = 7; k >= 0; k--) {
		at[k] = sum;
		sum = (uint16_t)(sum + n[k]);
	}
	for (i = 0; i < p->ntx; i++) {
		struct pkt *pk = p->txq[i].p;
		uint8_t pr = pk->prio & 7;

		if (pk->traced && at[pr] != i)
			dp_trace(dp, pk, "port-out", "%s: priq: prio %u, "
			    "sent %u of %u (queued %d)", p->name, pr,
			    at[pr] + 1u, p->ntx, i + 1);
		q[at[pr]++] = p->txq[i];
	}
	memcpy(p->txq, q, p->ntx * sizeof(q[0]));
}

static void
dp_txq_flush(struct dp *dp, struct port *p)
{
	int i;

	if (p->ntx == 0)
		return;
	if (p->txprios & (p->txprios - 1))
		dp_txq_priq(dp, p);
	p->txprios = 0;
	if (p->kind == PORT_VETHER && p->rif != NULL) {
		/* The batch and this queue hold a ref each; more: shared. */
		for (i = 0; i < p->ntx; i++) {
			p->c[PORT_C_TX_PACKETS]++;
			p->c[PORT_C_TX_BYTES] += p->txq[i].p->len;
			router_input(&dp->router, p->rif, p->txq[i].p,
			    p->txq[i].p->refs > 2);
		}
	} else if (p->ops != NULL && p->ops->tx != NULL)
		p->ops->tx(p, p->txq, p->ntx);
	for (i = 0; i < p->ntx; i++)
		pkt_free(&dp->pool, p->txq[i].p);
	p->ntx = 0;
}

/*
 * Queue a frame on an output port.  A vlan port queues on its parent with
 * a tag to push; a vether (no router yet) counts and drops.
 */
void
dp_output_now(struct dp *dp, struct port *out, struct pkt *p)
{
	struct port *phys = out;
	uint16_t tci = 0;
	uint8_t prio;

	if (out->locked && !ether_is_multicast(ether_dst(p->data)) &&
	    memcmp(ether_dst(p->data), out->lladdr, 6) != 0) {
		out->c[PORT_C_DROP_NOT_FOR_LOCKED]++;
		if (p->traced)
			dp_trace(dp, p, "port-out", "%s: not sent (locked "
			    "lladdr, not its address)", out->name);
		return;
	}
	if (out->kind == PORT_VLAN) {
		/* txprio packet (< 0): the PCP says what pf's prio is */
		prio = out->txprio < 0 ? p->prio : (uint8_t)out->txprio;
		tci = (uint16_t)(out->vid |
		    ether_prio_pcp(prio) << VLAN_PCP_SHIFT);
		phys = out->parent;
		out->c[PORT_C_TX_PACKETS]++;
		out->c[PORT_C_TX_BYTES] += p->len;
	}
	if (phys->ops == NULL && phys->kind != PORT_VETHER)
		return;
	if (!phys->offload && p->off.gso_type != 0) {
		phys->c[PORT_C_DROP_GSO]++;
		return;
	}
	if (phys->ntx >= phys->txmax) {
		if (out->outq != NULL) {	/* pf's queues */
			dp_queue_output(dp, out->outq, out, p, tci);
			return;
		}
		if (phys->ntx == PORT_TXQ_MAX) {
			dp->c[DP_C_TX_FLUSH_EARLY]++;
			dp_txq_flush(dp, phys);
		}
	}
	if (dp->ncap) {
		capture_frame(dp, out, p, 0);
		if (phys != out)
			capture_frame(dp, phys, p, tci);
	}
	/* Listed once: after an early flush its queue is empty again, but
	 * the port is still on the list. */
	if (!phys->txdirty) {
		phys->txdirty = 1;
		dp->dirty[dp->ndirty++] = phys;
	}
	phys->txq[phys->ntx].p = p;
	phys->txq[phys->ntx].push_tci = tci;
	phys->txprios |= (uint8_t)(1u << (p->prio & 7));
	phys->ntx++;
	p->refs++;
	if (p->traced && tci != 0)
		dp_trace(dp, p, "port-out", "%s via %s: queued, tag pushed "
		    "(pcp %u)", out->name, phys->name, tci >> VLAN_PCP_SHIFT);
	else if (p->traced)
		dp_trace(dp, p, "port-out", "%s: queued", out->name);
}

void
dp_flush(struct dp *dp)
{
	int i;

	for (i = 0; i < dp->ndirty; i++) {
		dp_txq_flush(dp, dp->dirty[i]);
		dp->dirty[i]->txdirty = 0;
	}
	dp->ndirty = 0;
	if (dp->nqports != 0)
		dp_queues_run(dp);
}

/*
 * bridge_filterrule(): member port's rules for direction dir (first
 * match): -1 if a rule blocks p (counted, traced), else the pf tag a
 * passing rule gives it (0: none, or no rule matched).
 */
static __attribute__((noinline)) int
dp_bridge_rules_slow(struct dp *dp, struct port *port, int dir,
    const struct pkt *p)
{
	struct bridge *br = &dp->bridges[port->bridge];
	const struct bridge_member *bm;
	const struct bridge_rule *r;

	if ((bm = bridge_member(br, port->index)) == NULL ||
	    (r = bridge_rule_match(bm, dir, p)) == NULL)
		return 0;
	if (p->traced) {
		char text[256] = "";
		FILE *f = fmemopen(text, sizeof(text) - 1, "w");

		if (f != NULL) {
			bridge_rule_print(f, r, port->name);
			fclose(f);
		}
		text[strcspn(text, "\n")] = '\0';
		dp_trace(dp, p, "bridge", "%s: %s by rule %s", br->br_name,
		    r->block ? "drop" : "pass", text);
	}
	if (r->block) {
		br->br_c[BRIDGE_C_DROP_RULE]++;
		return -1;
	}
	return r->tag;
}

/* Every frame asks, and nearly every bridge has no rules: inline. */
static inline int
dp_bridge_rules(struct dp *dp, struct port *port, int dir,
    const struct pkt *p)
{
	if (!dp->bridge_rules || port->bridge < 0 ||
	    !dp->bridges[port->bridge].br_rules)
		return 0;
	return dp_bridge_rules_slow(dp, port, dir, p);
}

/*
 * A frame for one fragment of P going out OUT: P's link-layer header
 * (and any tag) and what the trace and pf need of it; the caller writes
 * the IP part.  NULL, counted, when the pool is empty.
 */
static struct pkt *
dp_frag_alloc(struct dp *dp, struct port *out, const struct pkt *p,
    uint32_t l2)
{
	struct pkt *f = pkt_alloc(&dp->pool);

	if (f == NULL) {
		out->c[PORT_C_DROP_NO_BUFFER]++;
		return NULL;
	}
	memcpy(f->data, p->data, l2);
	pkt_inherit(f, p);
	return f;
}

/*
 * bridge_fragment() for IPv6: pf_refragment6() cuts a datagram pf
 * reassembled into fragments again, no larger than the largest it came
 * in, under its own id, whatever the member's MTU; a fragment that would
 * still be larger than it is dropped and counted (the bridge has no
 * address to send a packet too big from).
 */
static void
dp_bridge_fragment6(struct dp *dp, struct port *out, struct pkt *p,
    uint32_t l2)
{
	struct bridge *br = &dp->bridges[out->bridge];
	const uint8_t *ip = p->data + l2;
	uint32_t hlen = p->frag6_hlen, len, flen, off, n;
	struct pkt *f;

	flen = p->frag6_max & ~7u;
	len = p->len >= l2 + 40 ? 40u + ether_get16(ip + 4) : 0;
	if (len == 0 || hlen < 40 || p->frag6_nhoff >= hlen ||
	    hlen + 8 > len || l2 + len > p->len || flen == 0 ||
	    hlen + 8 + flen > out->mtu) {
		br->br_c[BRIDGE_C_DROP_CANTFRAG]++;
		if (p->traced)
			dp_trace(dp, p, "bridge", "%s: drop: IPv6 datagram pf "
			    "reassembled: fragments of %u bytes > mtu %u of %s, "
			    "or cannot be cut", br->br_name, hlen + 8 + flen,
			    out->mtu, out->name);
		return;
	}
	br->br_c[BRIDGE_C_FRAGMENTED]++;
	if (p->traced)
		dp_trace(dp, p, "bridge", "%s: IPv6 datagram pf reassembled, "
		    "%u bytes: %u fragments again for %s, id %u", br->br_name,
		    len, (len - hlen + flen - 1) / flen, out->name,
		    p->frag6_id);
	for (off = 0; off < len - hlen; off += flen) {
		n = len - hlen - off < flen ? len - hlen - off : flen;
		if ((f = dp_frag_alloc(dp, out, p, l2)) == NULL)
			break;
		f->len = l2 + ip6_frag_build(f->data + l2, ip, hlen,
		    p->frag6_nhoff, p->frag6_id, off, n);
		dp_output(dp, out, f);
		pkt_free(&dp->pool, f);
	}
}

/*
 * bridge_fragment(): a frame pf reassembled that is larger than the
 * member's MTU is cut again as ip_fragment() cuts it; with DF set it is
 * dropped and counted (bridge(4) sends no needfrag either).  Frames that
 * came whole go out as they came.
 */
static __attribute__((noinline)) void
dp_bridge_fragment(struct dp *dp, struct port *out, struct pkt *p)
{
	struct bridge *br = &dp->bridges[out->bridge];
	uint32_t l2, iplen, hl, flen, off, n;
	const uint8_t *ip;
	struct pkt *f;
	uint16_t type = ether_type(p->data, p->len, &l2);

	if (type == ETHERTYPE_IPV6 && p->frag6_max != 0) {
		dp_bridge_fragment6(dp, out, p, l2);
		return;
	}
	if (type != ETHERTYPE_IP ||
	    p->len < l2 + 20 || (iplen = ether_get16(p->data + l2 + 2)) <=
	    out->mtu) {
		dp_output(dp, out, p);
		return;
	}
	ip = p->data + l2;
	hl = (ip[0] & 0x0fu) * 4;
	if ((ether_get16(ip + 6) & IP_DF) || iplen < hl ||
	    l2 + iplen > p->len || (flen = ip_frag_len(ip, out->mtu)) == 0) {
		br->br_c[BRIDGE_C_DROP_CANTFRAG]++;
		if (p->traced)
			dp_trace(dp, p, "bridge", "%s: drop: %u bytes > mtu %u "
			    "of %s, cannot fragment%s", br->br_name, iplen,
			    out->mtu, out->name, ether_get16(ip + 6) & IP_DF ?
			    " (DF)" : "");
		return;
	}
	br->br_c[BRIDGE_C_FRAGMENTED]++;
	if (p->traced)
		dp_trace(dp, p, "bridge", "%s: %u bytes > mtu %u of %s: %u "
		    "fragments, id %u", br->br_name, iplen, out->mtu,
		    out->name, (iplen - hl + flen - 1) / flen,
		    ether_get16(ip + 4));
	for (off = 0; off < iplen - hl; off += flen) {
		n = iplen - hl - off < flen ? iplen - hl - off : flen;
		if ((f = dp_frag_alloc(dp, out, p, l2)) == NULL)
			break;
		f->len = l2 + ip_frag_build(f->data + l2, ip, off, n);
		dp_output(dp, out, f);
		pkt_free(&dp->pool, f);
	}
}

/* A member's output; the router (a vether) takes a datagram whole. */
static inline void
dp_bridge_out(struct dp *dp, struct port *out, struct pkt *p)
{
	if (p->reassembled && out->kind != PORT_VETHER && out->bridge >= 0)
		dp_bridge_fragment(dp, out, p);
	else
		dp_output(dp, out, p);
}

/*
 * Out of a bridge member: pf "out on" it, unless the router is on either
 * end (see dp_process).  pf translates in place (nat-to, rdr-to, a
 * state's translation), so a frame flooded to several members gets a
 * copy of its own on each member pf filters IPv4 on: one member's
 * translation must not show on another's.
 */
static void
dp_bridge_send(struct dp *dp, struct port *out, struct pkt *p, int shared)
{
	struct pkt *q = p;
	int tag = dp_bridge_rules(dp, out, BR_RULE_OUT, p);

	if (tag < 0)
		return;
	if (out->kind == PORT_VETHER || !dp_pf_filters(dp, out) ||
	    dp->ports[p->in_port]->kind == PORT_VETHER) {
		dp_bridge_out(dp, out, p);
		return;
	}
	if (shared && ether_type(p->data, p->len, NULL) == ETHERTYPE_IP &&
	    (q = pkt_copy(&dp->pool, p)) == NULL) {
		out->c[PORT_C_DROP_NO_BUFFER]++;
		return;
	}
	/* A shared frame pf does not read keeps no member's tag. */
	if (tag > 0 && (q != p || !shared))
		q->pf_tag = (uint16_t)tag;
	if (dp_pf_test(dp, out, ACL_OUT, q) == PF_PASS)
		dp_bridge_out(dp, out, q);
	if (q != p)
		pkt_free(&dp->pool, q);
}

static void
dp_bridge_output(struct dp *dp, struct bridge *br, struct pkt *p,
    const struct bridge_decision *d)
{
	uint16_t out[BRIDGE_MAX_MEMBERS];
	char why[160];
	int i, n;

	if (p->traced)
		dp_trace(dp, p, "bridge", "%s: %s", br->br_name,
		    bridge_decision_str(d, why, sizeof(why)));
	switch (d->d_verdict) {
	case BR_UNICAST:
		dp_bridge_send(dp, dp->ports[d->d_port], p, 0);
		break;
	case BR_FLOOD:
		n = bridge_flood_ports(br, p, d->d_unknown, out);
		for (i = 0; i < n; i++)
			dp_bridge_send(dp, dp->ports[out[i]], p, n > 1);
		break;
	}
}

/*
 * Run a received burst through the pipeline.  Frames from one port may
 * belong to several bridges after vlan demux; each bridge looks up its own
 * sub-batch in one pass.
 */
/*
 * bridge_span(): a copy of a frame entering bridge br (from a member, or
 * from the router through its vether) for each span port, taken before pf
 * or the bridge can drop or change it.  A copy, since pf may translate
 * the frame in place after this.
 */
static void
dp_span(struct dp *dp, struct bridge *br, const struct pkt *p)
{
	struct pkt *q;
	int i;

	for (i = 0; i < br->br_nspan; i++) {
		struct port *sp = dp->ports[br->br_span[i]];

		if ((q = pkt_copy(&dp->pool, p)) == NULL) {
			sp->c[PORT_C_DROP_NO_BUFFER]++;
			continue;
		}
		br->br_c[BRIDGE_C_SPAN]++;
		if (p->traced)
			dp_trace(dp, p, "bridge", "%s: copy to span port %s",
			    br->br_name, sp->name);
		dp_output(dp, sp, q);
		pkt_free(&dp->pool, q);
	}
}

/* Is this frame for a vether of the bridge IN is in (the router)? */
static int
dp_for_router(struct dp *dp, const struct port *in, const struct pkt *p)
{
	const struct bridge *br;
	int i;

	if (in->bridge < 0 || dp->router.nrifs == 0 || dp->pf.rs == NULL)
		return 0;
	br = &dp->bridges[in->bridge];
	for (i = 0; i < br->br_nmembers; i++) {
		const struct port *m = dp->ports[br->br_members[i].bm_port];

		if (m->kind == PORT_VETHER &&
		    memcmp(m->lladdr, ether_dst(p->data), 6) == 0)
			return 1;
	}
	return 0;
}

static void
dp_process(struct dp *dp, struct port *in, struct pkt **pkts, int n)
{
	struct bridge_decision dec[BATCH_MAX];
	struct pkt *sub[BATCH_MAX];
	struct port *owner[BATCH_MAX];
	int i, j, nsub, b;
	uint64_t done = 0;

	dp->c[DP_C_BATCHES]++;
	dp->c[DP_C_PACKETS] += (uint64_t)n;
	/*
	 * With a big state table every lookup misses the caches twice: start
	 * the whole burst's misses now, so they overlap (nat/state.h).  What
	 * the router sends into a bridge was looked up already and is not
	 * filtered on the members.
	 */
	if (dp->pf.enabled && dp->pf.rs != NULL && in->kind != PORT_VETHER &&
	    dp->pf.states.count >= dp->pf.prefetch_min)
		nat_state_prefetch(&dp->pf.states, pkts, n, STATE_DIR_IN |
		    STATE_DIR_OUT);
	for (i = 0; i < n; i++) {
		struct pkt *p = pkts[i];

		p->in_port = in->index;
		if (p->id == 0)
			p->id = ++dp->pkt_seq;
		in->c[PORT_C_RX_PACKETS]++;
		in->c[PORT_C_RX_BYTES] += p->len;
		if (dp->ncap)
			capture_frame(dp, in, p, 0);
		if (!p->traced && dp->trace_budget > 0) {
			dp->trace_budget--;
			p->traced = 1;
			dp_trace_rx(dp, in, p);
		}
		owner[i] = dp_port_input(dp, in, p);
		if (dp->bridge_spans && owner[i] != NULL &&
		    owner[i]->bridge >= 0 &&
		    dp->bridges[owner[i]->bridge].br_nspan > 0)
			dp_span(dp, &dp->bridges[owner[i]->bridge], p);
		/* Bridge rules in, then pf in (a rule's tag is pf's). */
		if (dp->bridge_rules && owner[i] != NULL) {
			int tag = dp_bridge_rules(dp, owner[i], BR_RULE_IN, p);

			if (tag < 0)
				owner[i] = NULL;
			else if (tag > 0)
				p->pf_tag = (uint16_t)tag;
		}
		/*
		 * pf filters what the bridge forwards between members, in on
		 * one and out on the other.  Frames to or from a vether are
		 * the router's: pf sees them in or out on the vether instead,
		 * as bridge(4) delivers local traffic without member rules.
		 */
		if (owner[i] != NULL && owner[i]->kind != PORT_VETHER &&
		    dp_pf_filters(dp, owner[i]) &&
		    !dp_for_router(dp, owner[i], p) &&
		    dp_pf_test(dp, owner[i], ACL_IN, p) != PF_PASS)
			owner[i] = NULL;
		if (owner[i] == NULL)
			done |= 1ULL << i;
	}
	/* One bridge at a time: almost always there is exactly one. */
	for (i = 0; i < n; i++) {
		if (done & (1ULL << i))
			continue;
		b = owner[i]->bridge;
		nsub = 0;
		for (j = i; j < n; j++)
			if (!(done & (1ULL << j)) && owner[j]->bridge == b) {
				sub[nsub++] = pkts[j];
				done |= 1ULL << j;
			}
		bridge_input(&dp->bridges[b], sub, (uint16_t)nsub, dec, dp->now);
		for (j = 0; j < nsub; j++)
			dp_bridge_output(dp, &dp->bridges[b], sub[j], &dec[j]);
	}
	dp_flush(dp);
	for (i = 0; i < n; i++)
		pkt_free(&dp->pool, pkts[i]);
}

/* The router sends a frame into a bridge through vether port P. */
void
dp_loop(struct dp *dp, struct port *p, struct pkt *pk)
{
	if (p->queues != NULL) {	/* pf's queues on the vether */
		dp_queue_output(dp, p->queues, p, pk, 0);
		return;
	}
	if (dp->nloop == sizeof(dp->loopq) / sizeof(dp->loopq[0])) {
		dp->c[DP_C_DROP_LOOP_FULL]++;
		return;
	}
	pk->refs++;
	dp->loopq[dp->nloop].p = pk;
	dp->loopq[dp->nloop].push_tci = p->index;	/* the port, here */
	dp->nloop++;
}

/* Run what the router sent into bridges, until nothing more comes. */
void
dp_drain(struct dp *dp)
{
	struct pkt *pkts[BATCH_MAX];
	int guard = 64;

	dp_flush(dp);
	while (dp->nloop > 0 && guard-- > 0) {
		uint16_t port = dp->loopq[0].push_tci, i, j = 0, k = 0;

		for (i = 0; i < dp->nloop; i++) {
			if (dp->loopq[i].push_tci == port && k < BATCH_MAX)
				pkts[k++] = dp->loopq[i].p;
			else
				dp->loopq[j++] = dp->loopq[i];
		}
		dp->nloop = j;
		dp_process(dp, dp->ports[port], pkts, k);
	}
}

void
dp_input(struct dp *dp, struct port *in, struct pkt **pkts, int n)
{
	dp_process(dp, in, pkts, n);
	dp_drain(dp);
}

/* Read one burst from a port and run it; returns frames read. */
int
dp_poll_rx(struct dp *dp, struct port *in)
{
	struct pkt *pkts[BATCH_MAX];
	int i, n, want = BATCH_MAX;

	for (i = 0; i < want; i++)
		if ((pkts[i] = pkt_alloc(&dp->pool)) == NULL)
			break;
	if (i == 0) {
		in->c[PORT_C_DROP_NO_BUFFER]++;
		return 0;
	}
	want = i;
	n = in->ops->rx(in, pkts, want);
	for (i = n; i < want; i++)
		pkt_free(&dp->pool, pkts[i]);
	if (n > 0)
		dp_input(dp, in, pkts, n);
	return n;
}

/* Once a second: age the FDBs so counts and views stay honest. */
void
dp_tick(struct dp *dp)
{
	int i;

	for (i = 0; i < dp->nbridges; i++)
		fdb_age(&dp->bridges[i].br_fdb, dp->now);
	dp_pf_tick(dp);
	dp_pflow_tick(dp);	/* what the purge gave */
	dp_queues_tick(dp);
	if (dp->router.dp != NULL) {
		router_tick(&dp->router);
		dhcp_tick(dp);
		if (dp->router.dhcpd != NULL)
			dhcpd_tick(dp);
		dp_drain(dp);
	}
}

/*
 * Replay: what pf's queues and set delays let go before the capture's next frame at
 * until leaves at its own time, the clock moving with it.
 */
static void
dp_replay_queues(struct dp *dp, uint64_t until)
{
	uint64_t t, d;

	for (;;) {
		t = dp_queues_next(dp);
		if ((d = dp_pf_delay_next(dp)) != 0 && (t == 0 || d < t))
			t = d;
		if (t == 0 || t > until)
			break;
		if (t > dp->now_ns)
			dp_clock(dp, t);
		dp_pf_delay_run(dp);
		dp_queues_run(dp);
	}
}

/*
 * Replay: every port is a capture.  Frames are taken in timestamp order
 * across all inputs and the clock follows them.
 */
int
dp_replay(struct dp *dp)
{
	uint32_t last_tick = 0;

	for (;;) {
		struct port *next = NULL;
		uint64_t best = 0, ts;
		int i;

		for (i = 0; i < dp->nports; i++) {
			struct port *p = dp->ports[i];

			if (p->kind != PORT_PCAP || port_pcap_peek(p, &ts) != 0)
				continue;
			if (next == NULL || ts < best) {
				next = p;
				best = ts;
			}
		}
		if (next == NULL)
			break;
		dp_replay_queues(dp, best);
		if (dp->pkt_seq == 0) {
			/* From now on the capture is the clock: what was
			 * stamped with the monotonic one moves with it. */
			dp->start_ns += best - dp->now_ns;
			dp->pf.since += best - dp->now_ns;
		}
		if (best > dp->now_ns || dp->pkt_seq == 0)
			dp_clock(dp, best);
		/* Every second the capture skips still ticks (ARP retries). */
		if (last_tick == 0)
			last_tick = dp->now;
		while (last_tick < dp->now) {
			uint32_t now = dp->now;

			dp->now = ++last_tick;
			dp_tick(dp);
			dp->now = now;
		}
		dp_poll_rx(dp, next);
	}
	dp_replay_queues(dp, UINT64_MAX);
	return 0;
}
