/*
 * pf in the dataplane (see dp_pf.h): the per-packet test, loading a
 * ruleset atomically, and pfctl's live views in pfctl's own formats.
 *
 * Rule counters: Packets, Bytes and States are exact.  Evaluations cannot
 * be counted per rule without evaluating every rule, which the compiled
 * classifier exists to avoid; sluice counts the packets each (port,
 * direction) evaluated and reports, for a rule, the sum over the places
 * the rule can apply -- what pf would count without skip steps.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/random.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/filter/pf_filter.h"
#include "acl/pf.h"
#include "dataplane/dp.h"
#include "fwd/nd6.h"
#include "dataplane/dp_pf.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "fwd/ip.h"
#include "fwd/l3.h"
#include "fwd/scrub.h"
#include "nat/nat.h"

_Static_assert(ACL_REASS_ENABLED == PF_REASS_YES &&
    ACL_REASS_NODF == PF_REASS_NODF, "set reassemble's bits, both ways");
_Static_assert(ACL_REASS_DGRAMS == PF_REASS_MAX,
    "the -W lint says how many datagrams are reassembled at a time");
_Static_assert(ACL_SCRUB_NODF == SCRUB_NODF &&
    ACL_SCRUB_RANDOMID == SCRUB_RANDOMID && ACL_SCRUB_SETTOS == SCRUB_SETTOS,
    "fwd/scrub.h speaks pf.conf's scrub flags");

#define PF_C_NAME(e, n, d)	n,
#define PF_C_HELP(e, n, d)	d,
const char *const pf_counter_names[PF_C__MAX] = { PF_COUNTERS(PF_C_NAME) };
const char *const pf_counter_help[PF_C__MAX] = { PF_COUNTERS(PF_C_HELP) };

/* State rule numbers carry the ruleset generation in their top byte, so
 * a state from before a reload never bumps a new rule's counters. */
#define RULE_GEN(r)	((r) >> 24)
#define RULE_IDX(r)	((r) & 0xffffff)
#define RULE_NONE	0xffffff

static uint8_t pf_gen;

static int	pf_state_gone(struct state *, void *);
static int	pf_explain_afto(struct dp *, FILE *, const struct acl_rule *,
		    const struct acl_pkt *);
static int	pf_nat_hook(void *, const struct acl_rule *,
		    const struct acl_pkt *, struct acl_pkt *);

int
dp_pf_init(struct dp *dp)
{
	struct dp_pf *pf = &dp->pf;
	const char *env;
	char *end;

	memset(pf, 0, sizeof(*pf));
	/* pf_syncookies_init(): 25 % and 12 % of PFSTATE_HIWAT, until a
	 * rule set says otherwise */
	pf->sc.hiwat = STATE_DEFAULT_LIMIT / 100 * 25;
	pf->sc.lowat = STATE_DEFAULT_LIMIT / 100 * 12;
	if ((pf->tags = acl_tags_new()) == NULL ||
	    (pf->qnames = acl_tags_new()) == NULL)
		return ENOMEM;
	if ((pf->frags = calloc(PF_FRAG_SETS * PF_FRAG_WAYS,
	    sizeof(*pf->frags))) == NULL ||
	    (pf->reass = calloc(PF_REASS_MAX, sizeof(*pf->reass))) == NULL ||
	    (pf->ifstats = calloc(DP_MAX_PORTS, sizeof(*pf->ifstats))) ==
	    NULL)
		return ENOMEM;
	pf->ifs_tzero = dp->now;
	pf->enabled = 1;
	pf->since = dp->now_ns;
	pf->pid = (uint32_t)getpid();
	if (getrandom(&pf->rnd, sizeof(pf->rnd), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(pf->rnd))
		pf->rnd = pf->pid ^ (uint32_t)dp->now_ns;
	pf->rnd |= 1;			/* xorshift's one forbidden state: 0 */
	/* The pipeline cases replay pcaps and compare what comes out: they
	 * need the ISNs modulate state and synproxy state pick to repeat. */
	if (getenv("SLUICE_TEST_ISN_SEED") != NULL)
		pf->isn_seed = (uint32_t)strtoul(getenv("SLUICE_TEST_ISN_SEED"),
		    NULL, 0) | 1;
	pf->prefetch_min = DP_PF_PREFETCH_MIN;
	pf->src_limit = PF_SRC_DEFAULT_LIMIT;
	pf->dly_limit = PF_DELAY_DEFAULT_LIMIT;
	pf->tables_limit = PF_TABLES_DEFAULT_LIMIT;
	pf->tentries_limit = PF_TENTRIES_DEFAULT_LIMIT;
	pf->anchors_limit = PF_ANCHORS_DEFAULT_LIMIT;
	dp_pf_reass_limit(pf, PF_FRAGS_DEFAULT_LIMIT);
	if ((env = getenv("SLUICE_PREFETCH_MIN")) != NULL) {
		unsigned long v = strtoul(env, &end, 10);

		if (*env != '\0' && *end == '\0' && v <= UINT32_MAX)
			pf->prefetch_min = (uint32_t)v;
	}
	if (state_table_init(&pf->states, STATE_DEFAULT_LIMIT) != 0)
		return ENOMEM;
	/* States a full table purges to make room: the rules' counts. */
	pf->states.gone = pf_state_gone;
	pf->states.gone_arg = pf;
	return 0;
}

static void
pf_ruleset_free(struct dp_pf_ruleset *rs)
{
	uint32_t i;

	if (rs == NULL)
		return;
	if (rs->cls != NULL)
		for (i = 0; i < 2u * rs->nports; i++)
			acl_classifier_free(rs->cls[i]);
	free(rs->cls);
	free(rs->anchor_base);
	free(rs->stats);
	free(rs->stats_view);
	free(rs->evals);
	free(rs->skip);
	free(rs->tmo);
	free(rs->live);
	dp_pf_pool_free(rs);
	dp_pf_tables_index_free(rs);
	if (rs->conf != NULL)
		acl_conf_free(rs->conf);
	free(rs);
}

void
dp_pf_fini(struct dp *dp)
{
	dp_pf_delay_fini(dp);
	pf_ruleset_free(dp->pf.rs);
	dp->pf.rs = NULL;
	dp_pf_ls_clear(&dp->pf);
	acl_tags_free(dp->pf.tags);
	dp->pf.tags = NULL;
	acl_tags_free(dp->pf.qnames);
	dp->pf.qnames = NULL;
	free(dp->pf.frags);
	dp->pf.frags = NULL;
	free(dp->pf.ifstats);
	dp->pf.ifstats = NULL;
	dp_pf_reass_flush(dp);
	free(dp->pf.reass);
	dp->pf.reass = NULL;
	dp_pf_src_flush(&dp->pf);
	free(dp->pf.scrubs);
	free(dp->pf.scrub_index);
	dp->pf.scrubs = NULL;
	dp->pf.scrub_index = NULL;
	dp->pf.nscrubs = dp->pf.scrub_slots = 0;
	state_table_fini(&dp->pf.states);
}

/* ---- what the classifier must know about our ports --------------------- */

/* The port that holds the default route: the "egress" group. */
static const struct port *
pf_egress(struct dp *dp)
{
	const struct lpm_route *d;

	if (dp->router.dp == NULL ||
	    (d = lpm_find(&dp->router.lpm, 0, 0)) == NULL)
		return NULL;
	return dp->router.rifs[dp->router.routes[d->nh - 1].rif].port;
}

/* The port of the IPv6 default route: egress too (if_group_egress_build()
 * takes both families' default routes). */
static const struct port *
pf_egress6(struct dp *dp)
{
	static const uint8_t any[16];
	const struct lpm6_route *d;
	int rif;

	if (dp->router.dp == NULL ||
	    (d = lpm6_find(&dp->router.lpm6, any, 0)) == NULL ||
	    (rif = dp->router.routes6[d->nh - 1].rif) < 0)
		return NULL;
	return dp->router.rifs[rif].port;
}

static struct acl_ifinfo *
pf_ifinfo(struct dp *dp)
{
	struct acl_ifinfo *ifs = calloc(dp->nports ? dp->nports : 1,
	    sizeof(*ifs));
	const struct port *eg = pf_egress(dp), *eg6 = pf_egress6(dp);
	int i, k;

	if (ifs == NULL)
		return NULL;
	for (i = 0; i < dp->nports; i++) {
		const struct port *p = dp->ports[i];
		struct acl_ifinfo *f = &ifs[i];
		const char *g = port_group(p);

		snprintf(f->name, sizeof(f->name), "%s", p->name);
		if (g != NULL)
			snprintf(f->groups[f->ngroups++], ACL_IFNAMSIZ, "%s", g);
		if (p == eg || p == eg6)
			snprintf(f->groups[f->ngroups++], ACL_IFNAMSIZ,
			    "egress");
		if (p->rif == NULL)
			continue;
		for (k = 0; k < p->rif->naddrs && k < ROUTER_MAX_ADDRS &&
		    f->naddrs < ACL_IF_MAXADDRS; k++) {
			f->addrs[f->naddrs].af = AF_INET;
			f->addrs[f->naddrs].plen = p->rif->addrs[k].plen;
			f->addrs[f->naddrs].addr.w[0] =
			    htonl(p->rif->addrs[k].addr);
			f->naddrs++;
		}
		/*
		 * (if) holds the IPv6 addresses too, the link-local one
		 * first as the kernel lists it (so (if:0) is it, and
		 * (if:network) skips it, as pfi_instance_add() does).
		 */
		if (p->rif->inet6 && f->naddrs < ACL_IF_MAXADDRS) {
			f->addrs[f->naddrs].af = AF_INET6;
			f->addrs[f->naddrs].plen = 64;
			memcpy(&f->addrs[f->naddrs].addr, p->rif->ll6, 16);
			f->naddrs++;
		}
		for (k = 0; k < p->rif->naddrs6 && k < ROUTER_MAX_ADDRS &&
		    f->naddrs < ACL_IF_MAXADDRS; k++) {
			f->addrs[f->naddrs].af = AF_INET6;
			f->addrs[f->naddrs].plen = p->rif->addrs6[k].plen;
			memcpy(&f->addrs[f->naddrs].addr,
			    p->rif->addrs6[k].addr, 16);
			f->naddrs++;
		}
	}
	return ifs;
}

static void
pf_hostenv_addr6(struct acl_hostenv *env, const struct port *p,
    const uint8_t *addr, uint8_t plen, unsigned scope)
{
	struct acl_env_addr *a;
	int i;

	if (env->naddrs >= ACL_ENV_MAXADDR)
		return;
	a = &env->addrs[env->naddrs++];
	memset(a, 0, sizeof(*a));
	snprintf(a->ifname, sizeof(a->ifname), "%s", p->name);
	a->af = AF_INET6;
	memcpy(&a->addr, addr, 16);
	for (i = 0; i < 16; i++)
		a->mask.b[i] = plen >= (i + 1) * 8 ? 0xff : plen > i * 8 ?
		    (uint8_t)(0xff << (8 - (plen - i * 8))) : 0;
	a->scope = scope;
}

/* The parser's view of this host: our ports and their addresses. */
static void
pf_hostenv(struct dp *dp, struct acl_hostenv *env)
{
	const struct port *eg = pf_egress(dp);
	int i, k;

	acl_hostenv_default(env);
	env->nifs = 0;
	env->naddrs = 0;
	for (i = 0; i < dp->nports && env->nifs < ACL_ENV_MAXIF; i++) {
		const struct port *p = dp->ports[i];
		struct acl_env_if *e = &env->ifs[env->nifs++];
		const char *g = port_group(p);
		int ng = 0;

		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", p->name);
		e->index = p->index + 1u;
		e->flags = ACL_ENVIF_BROADCAST;
		if (g != NULL)
			snprintf(e->groups[ng++], sizeof(e->groups[0]), "%s", g);
		if (p == eg)
			snprintf(e->groups[ng++], sizeof(e->groups[0]),
			    "egress");
		if (p->rif == NULL)
			continue;
		for (k = 0; k < p->rif->naddrs && env->naddrs <
		    ACL_ENV_MAXADDR; k++) {
			struct acl_env_addr *a = &env->addrs[env->naddrs++];
			uint8_t l = p->rif->addrs[k].plen;
			uint32_t m = l ? ~0u << (32 - l) : 0;

			memset(a, 0, sizeof(*a));
			snprintf(a->ifname, sizeof(a->ifname), "%s", p->name);
			a->af = AF_INET;
			a->addr.w[0] = htonl(p->rif->addrs[k].addr);
			a->mask.w[0] = htonl(m);
			a->bcast.w[0] = htonl(p->rif->addrs[k].addr | ~m);
		}
		/* IPv6 as the kernel lists it: the link-local one (scoped to
		 * the port, printed fe80::...%em0) before the others. */
		if (p->rif->inet6)
			pf_hostenv_addr6(env, p, p->rif->ll6, 64, e->index);
		for (k = 0; k < p->rif->naddrs6; k++)
			pf_hostenv_addr6(env, p, p->rif->addrs6[k].addr,
			    p->rif->addrs6[k].plen, 0);
	}
}

static int
pf_skipped(const struct acl_conf *conf, const struct acl_ifinfo *f)
{
	size_t i;
	int g;

	for (i = 0; i < conf->nskip; i++) {
		if (strcmp(conf->skip[i], f->name) == 0)
			return 1;
		for (g = 0; g < f->ngroups; g++)
			if (strcmp(conf->skip[i], f->groups[g]) == 0)
				return 1;
	}
	return 0;
}

static uint32_t
pf_anchor_index(const struct acl_conf *conf, const struct acl_anchor *a)
{
	size_t i;

	for (i = 0; i < conf->nall; i++)
		if (conf->all[i] == a)
			return (uint32_t)i;
	return 0;
}

/*
 * What pfi_dynaddr_update() writes back into a rule's (if) address: how
 * many addresses it stands for now, so that pfctl -vsr prints (em0:1).
 * Only IPv4 addresses live on our ports.
 */
static void
pf_dyncnt_addr(struct acl_addr *a, int af, const struct acl_ifinfo *ifs,
    int nifs)
{
	int i, g, n = 0;

	if (a->type != ACL_ADDR_DYNIFTL)
		return;
	for (i = 0; i < nifs && af != AF_INET6; i++) {
		int hit = strcmp(ifs[i].name, a->ifname) == 0;

		for (g = 0; g < ifs[i].ngroups && !hit; g++)
			hit = strcmp(ifs[i].groups[g], a->ifname) == 0;
		if (hit)
			n += ifs[i].naddrs;
	}
	if ((a->iflags & ACL_IFA_NOALIAS) && n > 1)
		n = 1;
	a->dyncnt = n;
}

/*
 * The same for a <table>: its entry count once it exists (the anchor's
 * own table, else the main ruleset's, as pfr_attach_table() finds it);
 * an undefined one stays inactive and prints ":*".
 */
static void
pf_tblcnt_addr(const struct acl_conf *conf, const char *anchor,
    struct acl_addr *a)
{
	const struct acl_table *t;

	if (a->type != ACL_ADDR_TABLE)
		return;
	t = acl_table_find(conf, a->tblname, anchor);
	a->dyncnt = t != NULL ? (int32_t)t->ne + 1 : 0;
}

static void
pf_dyncnt(struct acl_conf *conf, const struct acl_ifinfo *ifs, int nifs)
{
	size_t k, i;

	for (k = 0; k < conf->nall; k++)
		for (i = 0; i < conf->all[k]->rs.nrules; i++) {
			struct acl_rule *r = &conf->all[k]->rs.rules[i];

			pf_tblcnt_addr(conf, conf->all[k]->path, &r->src.addr);
			pf_tblcnt_addr(conf, conf->all[k]->path, &r->dst.addr);

			pf_dyncnt_addr(&r->src.addr, r->af, ifs, nifs);
			pf_dyncnt_addr(&r->dst.addr, r->af, ifs, nifs);
			pf_dyncnt_addr(&r->nat.addr, r->af, ifs, nifs);
			pf_dyncnt_addr(&r->rdr.addr, r->af, ifs, nifs);
			pf_dyncnt_addr(&r->route.addr, r->af, ifs, nifs);
		}
}

/*
 * max-pkt-rate's rates start now, with the rule; nothing has expired; a
 * rule's own adaptive timeouts (or those max N gave it).
 */
static void
pf_live_init(struct dp *dp, struct dp_pf_ruleset *rs)
{
	size_t k, i;

	for (k = 0; k < rs->conf->nall; k++)
		for (i = 0; i < rs->conf->all[k]->rs.nrules; i++) {
			const struct acl_rule *r =
			    &rs->conf->all[k]->rs.rules[i];
			struct pf_rule_live *l =
			    &rs->live[rs->anchor_base[k] + i];

			l->adapt_start = r->timeout[ACL_TM_ADAPTIVE_START];
			l->adapt_end = r->timeout[ACL_TM_ADAPTIVE_END];
			if (r->os_fp != ACL_OSFP_ANY)
				rs->osfp = 1;
			if (r->pktrate.limit == 0)
				continue;
			pf_threshold_init(&l->pktrate, r->pktrate.limit,
			    r->pktrate.seconds, dp->now);
			rs->pktrate = 1;
		}
}

/*
 * acl_route_fn: pf_routable() asks the router's tables.  An IPv6
 * link-local address routes on every interface: pf_routable() skips the
 * check for addresses with an embedded scope.
 */
static int
pf_route_hook(void *arg, uint8_t af, const union acl_ip *ip)
{
	struct dp *dp = arg;
	struct port *p;

	if (af == AF_INET6 && in6_is_linklocal(ip->b))
		return ACL_ROUTE_ANY;
	p = router_route_port(&dp->router, af, ip->b);
	return p != NULL ? (int)p->index : -1;
}

/*
 * acl_live_fn: whether a once or max-pkt-rate rule matches this packet
 * (pf_match_rule(): an expired rule is skipped; the rate counts every
 * packet that matched all else of the rule, and over it the rule does not
 * match).  The rules classifying are the ones in place.
 */
static int
pf_live_hook(void *arg, const struct acl_rule *r, const struct acl_anchor *a,
    int dry)
{
	struct dp *dp = arg;
	struct dp_pf *pf = &dp->pf;
	struct dp_pf_ruleset *rs = pf->rs;
	struct pf_rule_live *l;
	struct pkt *p = pf->pool_pkt;
	uint32_t idx;

	if (rs == NULL)
		return 1;
	idx = rs->anchor_base[pf_anchor_index(rs->conf, a)] + r->nr;
	if (idx >= rs->nstats)
		return 1;
	l = &rs->live[idx];
	if (l->expired) {
		if (!dry && p != NULL && p->traced)
			dp_trace(dp, p, "pf", "rule @%u%s%s has expired (once): "
			    "skipped", r->nr, a->path[0] ? " of anchor " : "",
			    a->path);
		return 0;
	}
	if (r->pktrate.limit == 0)
		return 1;
	if (dry || pf->pool_dry)
		return !pf_threshold_over(&l->pktrate);
	pf_threshold_add(&l->pktrate, dp->now);
	if (!pf_threshold_over(&l->pktrate))
		return 1;
	pf->c[PF_C_PKTRATE]++;
	if (p != NULL && p->traced)
		dp_trace(dp, p, "pf", "rule @%u%s%s is over its max-pkt-rate "
		    "%u/%u: does not match", r->nr, a->path[0] ?
		    " of anchor " : "", a->path, r->pktrate.limit,
		    r->pktrate.seconds);
	return 0;
}

/* Compile a parsed ruleset for every port and direction. */
static int
pf_ruleset_build(struct dp *dp, struct acl_conf *conf,
    struct dp_pf_ruleset **rsp, FILE *err)
{
	struct acl_compile_args ca;
	struct dp_pf_ruleset *rs;
	struct acl_ifinfo *ifs;
	char ebuf[256];
	size_t i;
	uint32_t n = 0;
	int dir;

	if (dp_pf_queue_ids(dp, conf, err) != 0)
		return EINVAL;
	if ((rs = calloc(1, sizeof(*rs))) == NULL ||
	    (ifs = pf_ifinfo(dp)) == NULL) {
		free(rs);
		fprintf(err, "pfctl: out of memory\n");
		return ENOMEM;
	}
	rs->conf = conf;
	rs->nports = dp->nports;
	/* unset is pf's default: yes */
	rs->reass = conf->reassemble < 0 ? PF_REASS_YES :
	    (uint8_t)conf->reassemble;
	rs->cls = calloc(2u * dp->nports + 1, sizeof(*rs->cls));
	rs->evals = calloc(2u * dp->nports + 1, sizeof(*rs->evals));
	rs->skip = calloc(dp->nports + 1u, 1);
	rs->anchor_base = calloc(conf->nall + 1, sizeof(*rs->anchor_base));
	if (rs->cls == NULL || rs->evals == NULL || rs->skip == NULL ||
	    rs->anchor_base == NULL)
		goto nomem;
	for (i = 0; i < conf->nall; i++) {
		rs->anchor_base[i] = n;
		n += (uint32_t)conf->all[i]->rs.nrules;
	}
	rs->nstats = n;
	if ((rs->stats = calloc(n + 1, sizeof(*rs->stats))) == NULL ||
	    (rs->stats_view = calloc(n + 1, sizeof(*rs->stats))) == NULL ||
	    (rs->tmo = calloc(n + 1, sizeof(*rs->tmo))) == NULL ||
	    (rs->live = calloc(n + 1, sizeof(*rs->live))) == NULL ||
	    dp_pf_pool_alloc(rs) != 0 || dp_pf_tables_index(rs) != 0)
		goto nomem;
	pf_live_init(dp, rs);
	memset(&ca, 0, sizeof(ca));
	ca.conf = conf;
	ca.ifs = ifs;
	ca.nifs = dp->nports;
	ca.tags = dp->pf.tags;
	ca.nat = pf_nat_hook;
	ca.nat_arg = dp;
	ca.live = pf_live_hook;
	ca.live_arg = dp;
	ca.route = pf_route_hook;
	ca.route_arg = dp;
	for (i = 0; i < dp->nports; i++) {
		rs->skip[i] = (uint8_t)pf_skipped(conf, &ifs[i]);
		for (dir = 0; dir < 2; dir++) {
			ca.port = i;
			ca.dir = dir ? ACL_OUT : ACL_IN;
			if (acl_compile(&ca, &rs->cls[2 * i + dir], ebuf,
			    sizeof(ebuf)) != 0) {
				fprintf(err, "pfctl: %s: %s\n", ifs[i].name,
				    ebuf);
				free(ifs);
				rs->conf = NULL;
				pf_ruleset_free(rs);
				return EINVAL;
			}
		}
	}
	pf_dyncnt(conf, ifs, dp->nports);
	free(ifs);
	*rsp = rs;
	return 0;
nomem:
	free(ifs);
	rs->conf = NULL;
	pf_ruleset_free(rs);
	fprintf(err, "pfctl: out of memory\n");
	return ENOMEM;
}

/*
 * keep state (tcp.established N, ...): a rule's timeouts over the global
 * ones, as a timeout set of the state table (pf_state_expires() takes a
 * state's rule's timeout when it has one).  Sets are shared by content.
 */
static void
pf_rule_timeouts(struct dp *dp, struct dp_pf_ruleset *rs, FILE *err)
{
	struct state_table *t = &dp->pf.states;
	uint32_t tmo[ACL_TM_MAX];
	uint64_t keep = 0;	/* the sets of this ruleset's rules */
	size_t k, i;
	int tm, own, full = 0;

	for (k = 0; k < rs->conf->nall; k++)
		for (i = 0; i < rs->conf->all[k]->rs.nrules; i++) {
			const struct acl_rule *r =
			    &rs->conf->all[k]->rs.rules[i];

			memcpy(tmo, t->tmo[0], sizeof(tmo));
			own = 0;
			/* the expiry timeouts of a state, not adaptive.* or
			 * src.track, which are no state's age */
			for (tm = 0; tm <= ACL_TM_OTHER_MULTIPLE; tm++)
				if (r->timeout[tm] != 0) {
					tmo[tm] = r->timeout[tm];
					own = 1;
				}
			if (!own)
				continue;
			rs->tmo[rs->anchor_base[k] + i] = (uint8_t)
			    state_tmo_set(t, tmo, keep);
			keep |= (uint64_t)1 << rs->tmo[rs->anchor_base[k] + i];
			if (rs->tmo[rs->anchor_base[k] + i] == 0 &&
			    memcmp(tmo, t->tmo[0], sizeof(tmo)) != 0 && !full++)
				fprintf(err, "pfctl: more than %d sets of rule "
				    "timeouts in use: the global ones apply to "
				    "the rest\n", STATE_TMO_SETS - 1);
		}
}

/* set limit N of conf, or pf's default */
uint32_t
pf_conf_limit(const struct acl_conf *conf, int which)
{
	static const uint32_t def[] = { STATE_DEFAULT_LIMIT,
	    PF_SRC_DEFAULT_LIMIT, PF_FRAGS_DEFAULT_LIMIT,
	    PF_TABLES_DEFAULT_LIMIT, PF_TENTRIES_DEFAULT_LIMIT,
	    PF_DELAY_DEFAULT_LIMIT, PF_ANCHORS_DEFAULT_LIMIT };

	return conf->limit_set[which] ? conf->limit[which] : def[which];
}

/*
 * set limit tables, table-entries and anchors: pf's pools for them
 * cannot give a rule set more (pfr_ina_define(), pf_find_or_create_
 * ruleset() fail with ENOMEM and the transaction with them).  A table's
 * entries count once per table, as pfr_kentry_pl's.
 */
static int
pf_conf_over_limits(const struct acl_conf *conf, FILE *err)
{
	uint32_t lt = pf_conf_limit(conf, ACL_LIMIT_TABLES);
	uint32_t le = pf_conf_limit(conf, ACL_LIMIT_TENTRIES);
	uint32_t la = pf_conf_limit(conf, ACL_LIMIT_ANCHORS);
	size_t i, ne = 0;

	for (i = 0; i < conf->ntables; i++)
		ne += conf->tables[i].ne;
	if (conf->ntables > lt)
		fprintf(err, "pfctl: %zu tables, more than set limit tables "
		    "%u: Cannot allocate memory\n", conf->ntables, lt);
	else if (ne > le)
		fprintf(err, "pfctl: %zu table entries, more than set limit "
		    "table-entries %u: Cannot allocate memory\n", ne, le);
	else if (conf->nall - 1 > la)
		fprintf(err, "pfctl: %zu anchors, more than set limit anchors "
		    "%u: Cannot allocate memory\n", conf->nall - 1, la);
	else
		return 0;
	return ENOMEM;
}

/*
 * pf's pools (states, fragments, delayed packets) cannot shrink below
 * what they hold (pool_sethardlimit(): EBUSY), so a load that asks for it
 * fails whole and everything stays; pfctl_load_limit()'s words.
 */
static int
pf_limit_busy(const struct acl_conf *conf, int which, uint32_t held,
    FILE *err)
{
	uint32_t limit = pf_conf_limit(conf, which);

	if (limit >= held)
		return 0;
	fprintf(err, "pfctl: Current pool size exceeds requested %s limit "
	    "%u\n", pf_limit_names[which], limit);
	return EBUSY;
}

/*
 * Load FILE (a path as given; /etc/X means CONFDIR/X) and swap it in only
 * when every part parsed and compiled.  Old states stay, as in pf.
 */
/* FILE parsed as sluiced reads a pf.conf: 0, or EINVAL (said on err). */
static int
pf_parse(struct dp *dp, const char *file, FILE *err, struct acl_conf **conf)
{
	struct acl_load_args la;
	struct acl_hostenv env;

	pf_hostenv(dp, &env);
	memset(&la, 0, sizeof(la));
	la.file = file;
	la.confdir = dp->conf->dir;
	la.env = &env;
	la.err = err;
	la.out = err;
	la.flags = ACL_LOAD_WARN;	/* never silently ignore a rule's part */
	return acl_load(&la, conf) != 0 ? EINVAL : 0;
}

int
dp_pf_load(struct dp *dp, const char *file, FILE *err)
{
	struct dp_pf_ruleset *rs;
	struct acl_conf *conf;
	struct dpq **qs;
	uint32_t limit, frags, delays;
	int i, rc;

	if (pf_parse(dp, file, err, &conf) != 0)
		return EINVAL;
	if (dp_pf_tables_carry(dp->pf.rs != NULL ? dp->pf.rs->conf : NULL,
	    conf, dp->now) != 0) {
		fprintf(err, "pfctl: out of memory\n");
		acl_conf_free(conf);
		return ENOMEM;
	}
	dp_pf_tables_prune(conf);
	if (pf_ruleset_build(dp, conf, &rs, err) != 0) {
		acl_conf_free(conf);
		return EINVAL;
	}
	if (dp_pf_queues_build(dp, conf, &qs, err) != 0) {
		pf_ruleset_free(rs);
		return EINVAL;
	}
	/*
	 * The limits: checked before anything changes, and set with the
	 * rest once nothing can fail.
	 */
	if ((rc = pf_limit_busy(conf, ACL_LIMIT_FRAGS, dp->pf.reass_frags,
	    err)) != 0 || (rc = pf_conf_over_limits(conf, err)) != 0 ||
	    (rc = pf_limit_busy(conf, ACL_LIMIT_PKTDELAY, dp->pf.ndly,
	    err)) != 0 ||
	    (rc = pf_limit_busy(conf, 0, dp->pf.states.count, err)) != 0) {
		dp_pf_queues_free(dp, qs, dp->nports);
		pf_ruleset_free(rs);	/* and conf with it */
		return rc;
	}
	frags = pf_conf_limit(conf, ACL_LIMIT_FRAGS);
	delays = pf_conf_limit(conf, ACL_LIMIT_PKTDELAY);
	limit = pf_conf_limit(conf, 0);
	if (limit != dp->pf.states.limit &&
	    state_table_resize(&dp->pf.states, limit) != 0) {
		fprintf(err, "pfctl: set limit states %u: out of memory\n",
		    limit);
		dp_pf_queues_free(dp, qs, dp->nports);
		pf_ruleset_free(rs);
		return ENOMEM;
	}
	dp->pf.src_limit = pf_conf_limit(conf, 1);
	dp->pf.dly_limit = delays;
	dp->pf.tables_limit = pf_conf_limit(conf, ACL_LIMIT_TABLES);
	dp->pf.tentries_limit = pf_conf_limit(conf, ACL_LIMIT_TENTRIES);
	dp->pf.anchors_limit = pf_conf_limit(conf, ACL_LIMIT_ANCHORS);
	dp_pf_reass_limit(&dp->pf, frags);
	state_default_timeouts(dp->pf.states.tmo[0]);
	for (i = 0; i < ACL_TM_MAX; i++)
		if (conf->timeout_set[i])
			dp->pf.states.tmo[0][i] = conf->timeout[i];
	/* pfctl_load_options(): a states limit without adaptive timeouts
	 * of its own gives them 60 % and 120 % of it */
	if (conf->limit_set[0] && !conf->timeout_set[ACL_TM_ADAPTIVE_START] &&
	    !conf->timeout_set[ACL_TM_ADAPTIVE_END]) {
		dp->pf.states.tmo[0][ACL_TM_ADAPTIVE_START] = limit / 10 * 6;
		dp->pf.states.tmo[0][ACL_TM_ADAPTIVE_END] = limit / 10 * 12;
	}
	pf_rule_timeouts(dp, rs, err);
	dp_pf_syncookies_set(dp, conf, limit);
	pf_ruleset_free(dp->pf.rs);
	dp->pf.rs = rs;
	pf_gen++;
	dp_pf_ls_clear(&dp->pf);	/* least-states counts per pool */
	dp_pf_queues_install(dp, qs);	/* pf_commit_queues() */
	return 0;
}

/* Trade two configurations' tables. */
static void
pf_tables_swap(struct acl_conf *a, struct acl_conf *b)
{
	struct acl_table *tv = a->tables;
	size_t n = a->ntables;

	a->tables = b->tables;
	a->ntables = b->ntables;
	b->tables = tv;
	b->ntables = n;
}

/*
 * pfctl -T load -f FILE: FILE's table definitions over the live tables,
 * as a load commits them (dp_pf_tables_carry()), and the rules as they
 * are, compiled again with them; a table no rule names and not
 * persistent goes, as pf deactivates it.  On any error nothing changes.
 */
int
dp_pf_tables_load(struct dp *dp, const char *file, FILE *err)
{
	struct acl_conf *conf, *live;

	if (dp->pf.rs == NULL) {
		fprintf(err, "pfctl: no rules loaded\n");
		return EINVAL;
	}
	live = dp->pf.rs->conf;
	if (pf_parse(dp, file, err, &conf) != 0)
		return EINVAL;
	if (dp_pf_tables_carry(live, conf, dp->now) != 0) {
		fprintf(err, "pfctl: out of memory\n");
		acl_conf_free(conf);
		return ENOMEM;
	}
	/* the new tables in the live rules, the old ones kept aside */
	pf_tables_swap(live, conf);
	dp_pf_tables_prune(live);
	if (pf_conf_over_limits(live, err) != 0 ||
	    dp_pf_recompile(dp, err) != 0) {
		pf_tables_swap(live, conf);
		acl_conf_free(conf);
		return EINVAL;
	}
	acl_conf_free(conf);
	return 0;
}

/* ---- the per-packet test ----------------------------------------------- */

/* A TCP SYN without ACK, its header here: what pf fingerprints */
static int
pf_osfp_syn(const struct l3info *li)
{
	return li->proto == L3_IPPROTO_TCP && !li->frag && li->l4off != 0 &&
	    (li->tcp_flags & 0x12) == 0x02;
}

static void
pf_pkt(const struct l3info *li, const struct pkt *p, struct acl_pkt *ap,
    const struct port *in)
{
	const uint8_t *ip = p->data + li->l3off;

	memset(ap, 0, sizeof(*ap));
	ap->tag = p->pf_tag;
	ap->prio = p->prio;
	ap->af = li->af == 4 ? AF_INET : AF_INET6;
	ap->proto = li->proto;
	ap->tcp_flags = li->tcp_flags;
	ap->icmp_type = li->icmp_type;
	ap->icmp_code = li->icmp_code;
	ap->frag = li->frag;
	/* pf_setup_pdesc(): the TOS or traffic class without ECN */
	ap->tos = (uint8_t)((li->af == 4 ? ip[1] : ip[0] << 4 | ip[1] >> 4) &
	    0xfc);
	if (li->proto == L3_IPPROTO_TCP || li->proto == L3_IPPROTO_UDP) {
		ap->sport = li->sport;
		ap->dport = li->dport;
	}
	ap->rcvif = in != NULL ? in->index : ACL_RCVIF_NONE;
	memcpy(&ap->src, li->src, li->af == 4 ? 4 : 16);
	memcpy(&ap->dst, li->dst, li->af == 4 ? 4 : 16);
}

/* The stats index (and -vss number) of flat entry NR of classifier c. */
static uint32_t
pf_rule_index(const struct dp_pf_ruleset *rs, const struct acl_classifier *c,
    int32_t nr)
{
	const struct acl_flat *fl = acl_classifier_flat(c);
	const struct acl_flat_rule *fr;

	if (nr < 0 || (size_t)nr >= fl->f_n)
		return RULE_NONE;
	fr = &fl->f_rules[nr];
	return rs->anchor_base[pf_anchor_index(rs->conf, fr->fr_anchor)] +
	    fr->fr_rule->nr;
}

/*
 * What pf counts a packet as (pd->tot_len): its IP datagram's length, not
 * the frame's (no link-layer header, no padding).  A GSO frame's header
 * says the whole datagram's, as the kernel writes it; an IPv6 jumbo's
 * says 0, and its frame tells.
 */
static inline uint32_t
pf_tot_len(const struct pkt *p, const struct l3info *li)
{
	return li->iplen != 0 ? li->iplen : p->len - li->l3off;
}

static void
pf_count(struct dp_pf *pf, uint32_t rule, int dir, uint32_t len)
{
	struct pf_rule_stats *st;

	if (pf->rs == NULL || RULE_GEN(rule) != pf_gen ||
	    RULE_IDX(rule) >= pf->rs->nstats)
		return;
	st = &pf->rs->stats[RULE_IDX(rule)];
	st->packets[dir == ACL_OUT]++;
	st->bytes[dir == ACL_OUT] += len;
}

/* A packet's source and destination as tables take them; its family. */
static uint8_t
pf_li_addrs(const struct l3info *li, union acl_ip a[2])
{
	memset(a, 0, 2 * sizeof(*a));
	memcpy(&a[0], li->src, li->af == 4 ? 4 : 16);
	memcpy(&a[1], li->dst, li->af == 4 ? 4 : 16);
	return li->af == 4 ? AF_INET : AF_INET6;
}

/* Does rule r (a state's) name a table in its from or to? */
static inline int
pf_rule_tables(const struct dp_pf_ruleset *rs, uint32_t r)
{
	return RULE_GEN(r) == pf_gen && RULE_IDX(r) < rs->nstats &&
	    (rs->rtab[RULE_IDX(r)].tab[0] >= 0 ||
	    rs->rtab[RULE_IDX(r)].tab[1] >= 0);
}

/*
 * pf_counters_inc()'s table statistics of a packet state s passed: on the
 * tables of its rule (pass) and of its match rule (match), for the
 * state's addresses as pf takes them: the key of the stack side for a
 * state made going in, of the wire side going out (the translated
 * addresses either way), source and destination as its first packet
 * went.
 */
static void
pf_tables_state(struct dp_pf *pf, const struct state *s, int dir,
    uint32_t len)
{
	const struct dp_pf_ruleset *rs = pf->rs;
	int out = state_dir(s) == STATE_DIR_OUT, own, match;
	struct state_key k;
	uint32_t m = 0;

	/* the other flows of a rule set with a table pay this much */
	own = pf_rule_tables(rs, s->rule);
	if (rs->mtabs)
		m = pf->states.cold[state_id(&pf->states, s)].match_rule;
	match = rs->mtabs && pf_rule_tables(rs, m);
	if (!own && !match)
		return;
	state_key_get(&pf->states, s, out ? STATE_WIRE : STATE_STACK, &k);
	if (own)
		dp_pf_tables_count(pf->rs, RULE_IDX(s->rule), ACL_TOP_PASS,
		    dir, k.af, &k.addr[out], &k.addr[!out], len);
	if (match)
		dp_pf_tables_count(pf->rs, RULE_IDX(m), ACL_TOP_MATCH, dir,
		    k.af, &k.addr[out], &k.addr[!out], len);
}

/* A packet state s passed: its rule's counters, and its tables'. */
static inline void
pf_count_state(struct dp_pf *pf, const struct state *s, int dir,
    uint32_t len)
{
	pf_count(pf, s->rule, dir, len);
	if (__builtin_expect(pf->rs != NULL && pf->rs->rtab != NULL, 0))
		pf_tables_state(pf, s, dir, len);
}

/* ICMP_INFOTYPE() of ip_icmp.h: the ICMP messages pf answers. */
static int
pf_icmp_infotype(uint8_t type)
{
	return type == 0 || type == 8 || type == 9 || type == 10 ||
	    (type >= 13 && type <= 18);
}

/* A checksum over the IPv4 or IPv6 pseudo header and LEN bytes at L4. */
static uint16_t
pf_l4_csum(int af, const uint8_t *ip, uint8_t proto, const uint8_t *l4,
    uint32_t len)
{
	uint32_t sum;

	if (af == 4)
		sum = csum_partial(ip + 12, 8, proto + len);
	else
		sum = csum_partial(ip + 8, 32, 0) + proto + len;
	return (uint16_t)~csum_fold(csum_partial(l4, len, sum));
}


/*
 * A packet sluice sends back to p's sender (pf_send_tcp(),
 * pf_send_icmp()): p's MACs swapped and its tags kept, so it leaves the
 * way p came; the rule's set prio, if r has one.  Its L3 header goes at
 * l3off; NULL when no buffer is free.
 */
static struct pkt *
pf_reply_alloc(struct dp *dp, const struct pkt *p, uint32_t l3off,
    const struct acl_rule *r)
{
	struct pkt *q;

	if ((q = pkt_alloc(&dp->pool)) == NULL)
		return NULL;
	if (r != NULL && (r->scrub_flags & ACL_SCRUB_SETPRIO))
		q->prio = r->set_prio[0];
	memcpy(q->data, p->data + 6, 6);
	memcpy(q->data + 6, p->data, 6);
	memcpy(q->data + 12, p->data + 12, l3off - 12);
	return q;
}

/*
 * pf_send_tcp() back to the sender of p (li as pf sees its addresses and
 * ports): a segment from its destination to its source, out the port it
 * came in on, carrying tag.
 */
void
dp_pf_tcp_answer(struct dp *dp, const struct pkt *p, const struct l3info *li,
    const struct acl_rule *r, uint16_t tag, uint32_t seq, uint32_t ack,
    uint8_t flags, uint16_t win, uint16_t mss)
{
	struct pkt *q;

	if ((q = pf_reply_alloc(dp, p, li->l3off, r)) == NULL)
		return;
	dp_pf_tcp_build(q, li->l3off, li->af == 4, li->dst, li->src,
	    li->dport, li->sport, seq, ack, flags, win, mss);
	q->pf_tag = tag;
	q->traced = p->traced;
	dp_output(dp, dp->ports[p->in_port], q);
	pkt_free(&dp->pool, q);
}

/*
 * block return, as pf_test_rule() answers a blocked packet: TCP with
 * return-rst or return gets pf_send_tcp()'s RST|ACK (unless it is a RST);
 * otherwise a rule's return-icmp code (return: port unreachable; return-rst
 * has none, so nothing) goes back via pf_send_icmp(), for IPv4 and IPv6,
 * never about an ICMP error, and only where icmp_error() / icmp6_error()
 * would send one: not about a later fragment, a broadcast or multicast
 * frame, or to a source that cannot be answered.  Back out the port the
 * packet came in on, from the address it was sent to.  PF_RETURN_HSRST
 * (no rule) is the RST pf_tcp_track_full() sends when a handshake goes
 * out of its windows: RST alone, seq = the packet's ack.
 */
#define PF_RETURN_HSRST	0x80000000u

static void
pf_return(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct acl_rule *r, uint32_t rflags)
{
	struct port *back = dp->ports[p->in_port];
	uint32_t hdr = li->l3off, iphl = li->af == 4 ? 20 : 40, l4len;
	const uint8_t *ip = p->data + li->l3off;
	int v4 = li->af == 4, rst = 0;
	uint16_t icmp = 0;
	struct pkt *q;
	uint8_t *qip, *l4, ttl;

	if (li->proto == L3_IPPROTO_TCP && li->l4off != 0 &&
	    (rflags & (ACL_RF_RETURNRST | ACL_RF_RETURN | PF_RETURN_HSRST)) &&
	    !(li->tcp_flags & ACL_TH_RST))
		rst = 1;
	else if (r == NULL)
		return;
	else if (v4 && r->return_icmp != 0 && (li->proto != L3_IPPROTO_ICMP ||
	    pf_icmp_infotype(li->icmp_type)))
		icmp = r->return_icmp;
	else if (!v4 && r->return_icmp6 != 0 && (li->proto !=
	    L3_IPPROTO_ICMPV6 || (li->icmp_type >= 128 && li->icmp_type !=
	    137)))
		icmp = r->return_icmp6;
	else
		return;
	if (!rst) {
		if (li->frag || ether_is_multicast(p->data))
			return;
		if (v4 ? (li->src[0] >= 224 || li->dst[0] >= 224 ||
		    ip_get32(li->src) == 0) : (li->src[0] == 0xff ||
		    li->dst[0] == 0xff || memcmp(li->src,
		    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0))
			return;
	}
	if ((q = pf_reply_alloc(dp, p, hdr, r)) == NULL)
		return;
	qip = q->data + hdr;
	l4 = qip + iphl;
	ttl = rst && r != NULL && r->return_ttl ? r->return_ttl : 64;
	if (rst) {
		const uint8_t *th = p->data + li->l4off;
		uint32_t hl = (th[12] >> 4) * 4u;
		uint32_t ack = ip_get32(th + 4) + (li->l3off + li->iplen -
		    li->l4off - hl);

		/* pf_send_tcp(): seq = their ack, RST|ACK */
		if (li->tcp_flags & ACL_TH_SYN)
			ack++;
		if (li->tcp_flags & ACL_TH_FIN)
			ack++;
		l4len = 20;
		memset(l4, 0, 20);
		ether_put16(l4, li->dport);
		ether_put16(l4 + 2, li->sport);
		memcpy(l4 + 4, th + 8, 4);
		ip_put32(l4 + 8, ack);
		l4[12] = 5 << 4;
		l4[13] = ACL_TH_RST | ACL_TH_ACK;
		if (rflags & PF_RETURN_HSRST) {
			memset(l4 + 8, 0, 4);
			l4[13] = ACL_TH_RST;
		}
	} else {
		/* icmp_error(): its header and 8 bytes; icmp6_error(): as
		 * much of the packet as fits in 1280 bytes */
		uint32_t quote = li->iplen, max = v4 ? (ip[0] & 0x0f) * 4u +
		    8 : 1280 - 48;

		if (quote > max)
			quote = max;
		if (quote > p->len - hdr)
			quote = p->len - hdr;
		if (hdr + iphl + 8 + quote > PKT_DATA_MAX) {
			pkt_free(&dp->pool, q);
			return;
		}
		l4len = 8 + quote;
		memset(l4, 0, 8);
		l4[0] = (uint8_t)(icmp >> 8);
		l4[1] = (uint8_t)icmp;
		memcpy(l4 + 8, ip, quote);
	}
	if (v4) {
		memset(qip, 0, 20);
		qip[0] = 0x45;
		ether_put16(qip + 2, (uint16_t)(20 + l4len));
		qip[8] = ttl;
		qip[9] = rst ? L3_IPPROTO_TCP : L3_IPPROTO_ICMP;
		memcpy(qip + 12, ip + 16, 4);
		memcpy(qip + 16, ip + 12, 4);
		ether_put16(qip + 10, (uint16_t)~csum_fold(csum_partial(qip,
		    20, 0)));
	} else {
		memset(qip, 0, 40);
		qip[0] = 0x60;
		ether_put16(qip + 4, (uint16_t)l4len);
		qip[6] = rst ? L3_IPPROTO_TCP : L3_IPPROTO_ICMPV6;
		qip[7] = ttl;
		memcpy(qip + 8, ip + 24, 16);
		memcpy(qip + 24, ip + 8, 16);
	}
	if (rst)
		ether_put16(l4 + 16, pf_l4_csum(li->af, qip, L3_IPPROTO_TCP,
		    l4, l4len));
	else if (v4)
		ether_put16(l4 + 2, (uint16_t)~csum_fold(csum_partial(l4,
		    l4len, 0)));
	else
		ether_put16(l4 + 2, pf_l4_csum(6, qip, L3_IPPROTO_ICMPV6, l4,
		    l4len));
	q->len = hdr + iphl + l4len;
	dp_output(dp, back, q);
	pkt_free(&dp->pool, q);
}

/*
 * The ICMP error at li quotes a packet of one of our flows: find that
 * flow's state, as pf_test_state_icmp() does for the inner header.  The
 * quoted packet travelled opposite to this error, on this same wire, so
 * its key is oriented for the other direction; like any packet's, it is
 * looked up among WIRE keys when the error goes in and among STACK keys
 * when it goes out (pf_find_state() with the error's direction).  So an
 * error coming in quotes the translated form (nat-to out, the reply of a
 * rdr-to), one going out the inside form (rdr-to, binat-to in, or the
 * reply of a nat-to).  *sidx says which end of the state's keys is the
 * quoted packet's source.
 */
static __attribute__((noinline)) struct state *
pf_icmp_error_state(struct dp *dpp, struct pkt *p,
    const struct l3info *li, int dir, uint16_t ifx, uint32_t now, int *sidx,
    uint64_t *badseq)
{
	struct dp_pf *pf = &dpp->pf;
	struct state *s;
	uint8_t *in = p->data + li->l4off + 8, *l4;
	uint32_t seq, d;
	uint32_t room, hl;
	struct state_key k;
	union acl_ip src, dst;
	uint16_t sp = 0, dp = 0;
	uint8_t proto;
	int qdir = dir == ACL_IN ? STATE_DIR_OUT : STATE_DIR_IN;

	if ((uint32_t)li->l4off + 8 > p->len)
		return NULL;
	room = p->len - li->l4off - 8;
	if (li->af == 4) {
		if (room < 20 || (in[0] >> 4) != 4)
			return NULL;
		hl = (in[0] & 0x0f) * 4u;
		if (hl < 20 || (ether_get16(in + 6) & 0x1fff) != 0)
			return NULL;
		proto = in[9];
	} else {
		/* ICMPv6: the quoted header, past its extension headers */
		if (li->icmp_type >= 128 || room < 40 || (in[0] >> 4) != 6)
			return NULL;
		proto = in[6];
		for (hl = 40; proto == 0 || proto == 43 || proto == 60 ||
		    proto == 44 || proto == 51; ) {
			uint8_t cur = proto;

			if (room < hl + 8 || (cur == 44 &&
			    (ether_get16(in + hl + 2) & 0xfff8) != 0))
				return NULL;	/* no ports in a later fragment */
			proto = in[hl];
			hl += cur == 44 ? 8u : cur == 51 ? (in[hl + 1] + 2u) *
			    4u : 8u + in[hl + 1] * 8u;
		}
	}
	if (room < hl + 8)
		return NULL;
	l4 = in + hl;
	if (proto == L3_IPPROTO_TCP || proto == L3_IPPROTO_UDP) {
		sp = ether_get16(l4);
		dp = ether_get16(l4 + 2);
	} else if ((proto == L3_IPPROTO_ICMP && li->af == 4 &&
	    l3_icmp_is_query(4, l4[0])) || (proto == L3_IPPROTO_ICMPV6 &&
	    li->af == 6 && l3_icmp_is_query(6, l4[0])))
		sp = dp = ether_get16(l4 + 4);
	else
		return NULL;
	*sidx = qdir == STATE_DIR_IN ? 0 : 1;
	if (li->af == 4)
		state_key_make4(&k, proto, in + 12, in + 16, htons(sp),
		    htons(dp), qdir);
	else {
		memcpy(&src, in + 8, 16);
		memcpy(&dst, in + 24, 16);
		state_key_make(&k, AF_INET6, proto, &src, &dst, htons(sp),
		    htons(dp), qdir);
	}
	s = state_lookup_key(&pf->states, &k, dir == ACL_IN ? STATE_WIRE :
	    STATE_STACK, ifx, now);
	if (s == NULL || proto != L3_IPPROTO_TCP)
		return s;
	/* An af-to state's quote from its STACK side is its creator's
	 * packet as translated; from its WIRE side the other end's. */
	if (__builtin_expect(s->flags & STATE_F_INET6, 0) &&
	    state_afto(&pf->states, s))
		qdir = pf->states.v6[state_id(&pf->states, s)].af[STATE_WIRE] ==
		    k.af ? STATE_DIR_OUT : STATE_DIR_IN;
	/* A modulating state's segment left with its sender's offset: the
	 * sender, and the windows, know the number without it, and the
	 * ICMP checksum covers the quote (pf_test_state_icmp()). */
	seq = ip_get32(l4 + 4);
	if ((d = state_icmp_seqdiff(&pf->states, s, qdir)) != 0) {
		ip_put32(l4 + 4, seq - d);
		if (!(p->off.flags & PKT_OFF_NEEDS_CSUM))
			ip_csum_update32(p->data + li->l4off + 2, seq, seq - d);
		seq -= d;
		pf->c[PF_C_MOD_ICMP]++;
		if (p->traced)
			dp_trace(dpp, p, "pf", "%s: icmp error quoting a "
			    "modulated TCP segment: its seq given back its "
			    "sender's numbers (-%u)", dir == ACL_IN ? "in" :
			    "out", d);
	}
	/* A TCP error must quote a sequence number its sender could have
	 * sent, or it is a forgery aimed at the connection (pf's BAD ICMP). */
	if (!state_icmp_seq_ok(&pf->states, s, qdir, seq)) {
		*badseq = (uint64_t)1 << 32 | seq;
		return NULL;
	}
	return s;
}

/*
 * An ICMP error about a translated flow, found by pf_icmp_error_state():
 * the quoted packet becomes what the state's other key says, and the
 * outer addresses follow it (pf_test_state_icmp(): the inner source with
 * the outer destination, the inner destination with the outer source).
 * Going in, the other key is STACK (back to the inside); going out, WIRE.
 */
static void
pf_icmp_error_translate(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct state *s, int dir, int sidx)
{
	const struct state_k4 *from = &s->k[dir == ACL_IN ? STATE_WIRE :
	    STATE_STACK];
	const struct state_k4 *to = &s->k[dir == ACL_IN ? STATE_STACK :
	    STATE_WIRE];
	struct nat_rewrite outer, inner;
	int didx = !sidx, icmp = s->proto == L3_IPPROTO_ICMP;

	/* A query id sits in both ends of a key: it is one end's change. */
	memset(&outer, 0, sizeof(outer));
	memset(&inner, 0, sizeof(inner));
	if (from->addr[sidx] != to->addr[sidx] ||
	    from->port[sidx] != to->port[sidx]) {
		inner.src = to->addr[sidx];
		inner.sport = ntohs(to->port[sidx]);
		outer.dst = to->addr[sidx];
	}
	if (from->addr[didx] != to->addr[didx] ||
	    (!icmp && from->port[didx] != to->port[didx])) {
		inner.dst = to->addr[didx];
		inner.dport = ntohs(to->port[didx]);
		outer.src = to->addr[didx];
	}
	if (nat_rewrite_icmp_error(p, li, &outer, &inner) != 0)
		return;
	if (p->traced) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
		const uint8_t *q = p->data + li->l4off + 8;

		inet_ntop(AF_INET, q + 12, a, sizeof(a));
		inet_ntop(AF_INET, q + 16, b, sizeof(b));
		dp_trace(dp, p, "nat", "icmp error for a translated flow: "
		    "%s, now quoting %s -> %s", dir == ACL_IN ?
		    "back to its inside" : "out as the wire knows it", a, b);
	}
}

/*
 * pf_icmp_error_translate() for NAT66: the quoted packet as the other side
 * of the translation knows it (addresses, ports or echo id; a quoted UDP
 * checksum kept true), the outer header's address on that side too, and
 * the ICMPv6 checksum computed again (its pseudo-header holds the outer
 * addresses).  Only an error whose ICMPv6 header follows the IPv6 header
 * and whose quote does too.  Returns -1 when it cannot.
 */
static int
pf_icmp6_error_translate(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct state *s, int dir, int sidx)
{
	const struct state_table *t = &dp->pf.states;
	struct state_key from, to;
	uint8_t *ip = p->data + li->l3off, *icmp = p->data + li->l4off;
	uint8_t *in = icmp + 8, *q = in + 40, *uc;
	uint32_t len, delta = 0;
	uint16_t o16, n16;
	int didx = !sidx, k, echo;

	if (li->l4off != li->l3off + 40 || p->len < li->l4off + 56u ||
	    (p->off.flags & PKT_OFF_NEEDS_CSUM))
		return -1;
	len = 40u + ether_get16(ip + 4);
	if (li->l3off + len > p->len)
		return -1;
	state_key_get(t, s, dir == ACL_IN ? STATE_WIRE : STATE_STACK, &from);
	state_key_get(t, s, dir == ACL_IN ? STATE_STACK : STATE_WIRE, &to);
	echo = in[6] == L3_IPPROTO_ICMPV6 && (q[0] == 128 || q[0] == 129);
	uc = in[6] == L3_IPPROTO_UDP && ether_get16(q + 6) != 0 ? q + 6 : NULL;
	for (k = 0; k < 2; k++) {
		int i = k == 0 ? sidx : didx;
		uint8_t *qa = in + (k == 0 ? 8 : 24);
		uint8_t *oa = ip + (k == 0 ? 24 : 8);

		if (memcmp(&from.addr[i], &to.addr[i], 16) == 0 &&
		    from.port[i] == to.port[i])
			continue;
		delta += nat_addr6(qa, to.addr[i].b);
		memcpy(oa, to.addr[i].b, 16);
		if (in[6] == L3_IPPROTO_TCP || in[6] == L3_IPPROTO_UDP) {
			o16 = ether_get16(q + 2 * k);
			n16 = ntohs(to.port[i]);
			ether_put16(q + 2 * k, n16);
			delta += ip_csum_delta16(htons(o16), htons(n16));
		} else if (echo && k == 0)
			memcpy(q + 4, &to.port[i], 2);
	}
	if (uc != NULL)
		ip_csum_adjust_raw(uc, delta);
	ether_put16(icmp + 2, 0);
	ether_put16(icmp + 2, icmp6_csum(ip, len));
	p->st_tags = 0;
	if (p->traced) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

		dp_trace(dp, p, "nat", "icmp6 error for a NAT66 flow: %s, now "
		    "quoting %s -> %s", dir == ACL_IN ? "back to its inside" :
		    "out as the wire knows it", inet_ntop(AF_INET6, in + 8, a,
		    sizeof(a)), inet_ntop(AF_INET6, in + 24, b, sizeof(b)));
	}
	return 0;
}

/* For dp_pfpool.c: the id a state of the loaded rule idx carries. */
uint32_t
dp_pf_rule_key(uint32_t idx)
{
	return (uint32_t)pf_gen << 24 | idx;
}

/*
 * The address rule r's pool SIDE gives this packet's new state (network
 * order), or 0 with *why (PF_POOL_*): pf_map_addr() once a packet, the
 * classifier's hook (a match rule's nat-to) and the state sharing it.
 */
static uint32_t
pf_pool_get(struct dp *dp, const struct acl_rule *r, int side,
    const uint8_t *src, const uint8_t *dst, int *why)
{
	struct dp_pf *pf = &dp->pf;
	const struct acl_pool *pool = side == PF_POOL_NAT ? &r->nat : &r->rdr;
	struct pkt *p = pf->pool_pkt;
	char how[160], a[INET_ADDRSTRLEN];
	uint32_t to;

	*why = PF_POOL_OK;
	if (pf->pool_memo[side].pool == pool)
		return pf->pool_memo[side].addr;
	pf->pool_memo[side].sticky = 0;
	to = dp_pf_pool_map(dp, r, side, src, dst, 0, why,
	    p != NULL && p->traced ? how : NULL, sizeof(how));
	if (p != NULL && p->traced) {
		if (to != 0 && pf->pool_memo[side].sticky)
			dp_trace(dp, p, "nat", "%s", how);
		else if (to != 0)
			dp_trace(dp, p, "nat", "%s %s -> %s", side ==
			    PF_POOL_NAT ? "nat-to" : "rdr-to", how,
			    inet_ntop(AF_INET, &to, a, sizeof(a)));
		else
			dp_trace(dp, p, "nat", "%s: no address: %s", side ==
			    PF_POOL_NAT ? "nat-to" : "rdr-to", how);
	}
	if (to != 0) {
		pf->pool_memo[side].pool = pool;
		pf->pool_memo[side].addr = to;
	}
	return to;
}

/*
 * The pools that translate a packet the rules passed (the deciding
 * rule's, else the last match rule's): nat-to its source, rdr-to its
 * destination, whichever way it goes (pf_get_transaddr()).
 */
static void
pf_xlate_pools(const struct acl_result *res, const struct acl_pool **nat,
    const struct acl_pool **rdr)
{
	*nat = *rdr = NULL;
	if (res->ar_action != ACL_PASS)
		return;
	if (res->ar_nat != NULL)
		*nat = &res->ar_nat->nat;
	if (res->ar_rdr != NULL)
		*rdr = &res->ar_rdr->rdr;
}

/*
 * nat-to's port for a new flow: one that makes the translated key k
 * (source at end SIDE, nat_pick_port()) no state's.  The rules of the
 * packet chose it first (pf_nat_hook()) when a match rule translated; the
 * state takes that choice.
 */
static uint16_t
pf_nat_pick(struct dp *dp, const struct acl_pool *pool, struct state_key *k,
    int side)
{
	struct dp_pf *pf = &dp->pf;

	if (pf->nat_memo.valid && pf->nat_memo.pool == pool &&
	    memcmp(&pf->nat_memo.key, k, sizeof(*k)) == 0) {
		k->port[side] = htons(pf->nat_memo.port);
		return pf->nat_memo.port;
	}
	return nat_pick_port(&pf->states, k, side, pool->proxy_port[0],
	    pool->proxy_port[1], dp->now, (uint32_t)dp->pkt_seq);
}

/*
 * nat-to's port for key k (source at end SIDE) on the address *to that
 * rule r's pool gave, as pf_get_sport() finds it: when that address has
 * no port free, a pool that walks (random, round-robin, least-states)
 * is asked for another, until it gives the first again (or none, or
 * after POOL_RETRY_MAX more: each costs a bounded port search); the
 * other types fail.  The port, with *to, k and the packet's pool memo
 * on the address that had it; 0 when none did.
 */
#define POOL_RETRY_MAX	8

static uint16_t
pf_nat_pick_walk(struct dp *dp, const struct acl_rule *r,
    struct state_key *k, int side, const uint8_t *src, const uint8_t *dst,
    uint32_t *to)
{
	struct dp_pf *pf = &dp->pf;
	uint8_t type = r->nat.opts & ACL_POOL_TYPEMASK;
	uint32_t next = *to;
	uint16_t port;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int why, n;

	if ((port = pf_nat_pick(dp, &r->nat, k, side)) != 0)
		return port;
	if (type != ACL_POOL_RANDOM && type != ACL_POOL_ROUNDROBIN &&
	    type != ACL_POOL_LEASTSTATES)
		return 0;
	for (n = 0; n < POOL_RETRY_MAX; n++) {
		uint32_t last = next;

		next = dp_pf_pool_map(dp, r, PF_POOL_NAT, src, dst, last,
		    &why, NULL, 0);
		if (next == 0 || next == *to)
			break;
		pf->c[PF_C_POOL_NEXT]++;
		if (pf->pool_pkt != NULL && pf->pool_pkt->traced)
			dp_trace(dp, pf->pool_pkt, "nat", "nat-to: no port "
			    "free on %s, the pool's next address %s",
			    inet_ntop(AF_INET, &last, a, sizeof(a)),
			    inet_ntop(AF_INET, &next, b, sizeof(b)));
		k->addr[side].w[0] = next;
		if ((port = pf_nat_pick(dp, &r->nat, k, side)) != 0) {
			*to = next;
			pf->pool_memo[PF_POOL_NAT].addr = next;
			return port;
		}
	}
	k->addr[side].w[0] = *to;
	return 0;
}

/*
 * The classifier's acl_nat_fn: what a match rule's nat-to makes of the
 * packet, address and port, as pf_get_transaddr() gives it to the rules
 * after it (pd->nsaddr, pd->nsport).  IPv4 TCP and UDP; other packets
 * keep the classifier's view (the pool's first address; sluice
 * translates IPv4 only).
 */
static int
pf_nat_hook(void *arg, const struct acl_rule *r, const struct acl_pkt *orig,
    struct acl_pkt *np)
{
	struct dp *dp = arg;
	struct state_key k;
	uint32_t to;
	uint16_t port, sport;
	int why, dir = r->direction == ACL_IN ? STATE_DIR_IN : STATE_DIR_OUT;
	int side = dir == STATE_DIR_IN ? 0 : 1;

	if (orig->af != AF_INET || (orig->proto != L3_IPPROTO_TCP &&
	    orig->proto != L3_IPPROTO_UDP) || orig->frag)
		return 0;
	if ((to = pf_pool_get(dp, r, PF_POOL_NAT, orig->src.b, orig->dst.b,
	    &why)) == 0) {
		if (why == PF_POOL_EMPTY)
			dp->pf.c[PF_C_POOL_EMPTY]++;
		return -1;
	}
	np->src.w[0] = to;
	if (r->nat.proxy_port[0] == 0)
		return 0;		/* static-port */
	/* The key dp_pf_test() will translate: WIRE out, STACK in. */
	state_key_make4(&k, orig->proto, orig->src.b, orig->dst.b,
	    htons(orig->sport), htons(orig->dport), dir);
	k.addr[side].w[0] = to;
	dp->pf.nat_memo.valid = 0;
	sport = k.port[side];
	if ((port = pf_nat_pick_walk(dp, r, &k, side, orig->src.b,
	    orig->dst.b, &to)) == 0)
		return -1;
	np->src.w[0] = to;
	/* the key pf_xlate_key() will ask with: the port as it came */
	dp->pf.nat_memo.key = k;
	dp->pf.nat_memo.key.port[side] = sport;
	dp->pf.nat_memo.pool = &r->nat;
	dp->pf.nat_memo.port = port;
	dp->pf.nat_memo.valid = 1;
	np->sport = port;
	return 0;
}

/* The packet as a state's other key says it is (NAT on a state hit). */
static void
pf_translate(struct pkt *p, const struct l3info *li, const struct state *s,
    int sdir)
{
	const struct state_k4 *to = &s->k[sdir == STATE_DIR_IN ?
	    STATE_STACK : STATE_WIRE];
	struct nat_rewrite rw;
	int si = sdir == STATE_DIR_IN ? 0 : 1;	/* source side of the key */

	rw.src = to->addr[si];
	rw.sport = ntohs(to->port[si]);
	rw.dst = to->addr[!si];
	rw.dport = ntohs(to->port[!si]);
	nat_rewrite4(p, li, &rw);
}

/*
 * Translate key k, the one a new state's translation changes (WIRE going
 * out, STACK coming in, as pf_state_key_setup() makes them), as the
 * pools say, and fill rw for the packet: rdr-to the destination, nat-to
 * the source, with a source port that leaves no other state with the
 * same key.  -1: no port free.
 */
static int
pf_xlate_key(struct dp *dp, const struct l3info *li, struct state_key *k,
    int sdir, const struct acl_rule *nr, uint32_t *nat_to,
    const struct acl_pool *rdr, uint32_t rdr_to, struct nat_rewrite *rw)
{
	const struct acl_pool *nat = nr != NULL ? &nr->nat : NULL;
	int si = sdir == STATE_DIR_IN ? 0 : 1, di = !si;
	int ports = li->proto == L3_IPPROTO_TCP || li->proto == L3_IPPROTO_UDP;
	int icmp = li->proto == L3_IPPROTO_ICMP &&
	    l3_icmp_is_query(4, li->icmp_type);
	uint16_t np;

	memset(rw, 0, sizeof(*rw));
	/* The destination first, so the port picked below is free for the
	 * key the state will really have. */
	if (rdr != NULL) {
		k->addr[di].w[0] = rdr_to;
		rw->dst = rdr_to;
		if (rdr->proxy_port[0] != 0 && ports) {
			k->port[di] = htons(rdr->proxy_port[0]);
			rw->dport = rdr->proxy_port[0];
		}
	}
	if (nat == NULL)
		return 0;
	k->addr[si].w[0] = *nat_to;
	np = ntohs(k->port[si]);
	if ((ports || icmp) && nat->proxy_port[0] != 0 &&
	    (np = pf_nat_pick_walk(dp, nr, k, si, li->src, li->dst,
	    nat_to)) == 0)
		return -1;
	rw->src = *nat_to;
	rw->sport = np;
	k->port[si] = htons(np);
	if (li->proto == L3_IPPROTO_ICMP)
		k->port[di] = htons(np);	/* the id is both ends */
	return 0;
}

/* pf_xlate_key() for IPv6: the pools' one address each, a free port. */
static int
pf_xlate_key6(struct dp *dp, const struct l3info *li, struct state_key *k,
    int sdir, const struct acl_rule *nr, const uint8_t *nat6,
    const struct acl_pool *rdr, const uint8_t *rdr6,
    struct nat_rewrite6 *rw)
{
	const struct acl_pool *nat = nr != NULL ? &nr->nat : NULL;
	int si = sdir == STATE_DIR_IN ? 0 : 1, di = !si;
	int ports = li->proto == L3_IPPROTO_TCP || li->proto == L3_IPPROTO_UDP;
	int icmp = li->proto == L3_IPPROTO_ICMPV6 &&
	    l3_icmp_is_query(6, li->icmp_type);
	uint16_t np;

	memset(rw, 0, sizeof(*rw));
	if (rdr != NULL) {
		memcpy(k->addr[di].b, rdr6, 16);
		memcpy(rw->dst, rdr6, 16);
		rw->set |= NAT_RW6_DST;
		if (rdr->proxy_port[0] != 0 && ports) {
			k->port[di] = htons(rdr->proxy_port[0]);
			rw->dport = rdr->proxy_port[0];
		}
	}
	if (nat == NULL)
		return 0;
	memcpy(k->addr[si].b, nat6, 16);
	np = ntohs(k->port[si]);
	if ((ports || icmp) && nat->proxy_port[0] != 0 &&
	    (np = pf_nat_pick(dp, nat, k, si)) == 0)
		return -1;
	memcpy(rw->src, nat6, 16);
	rw->set |= NAT_RW6_SRC;
	rw->sport = np;
	k->port[si] = htons(np);
	if (li->proto == L3_IPPROTO_ICMPV6)
		k->port[di] = htons(np);	/* the id is both ends */
	return 0;
}

/* pf_translate() for IPv6: the packet as the state's other key has it. */
static void
pf_translate6(struct pkt *p, const struct l3info *li,
    const struct state_table *t, const struct state *s, int sdir)
{
	struct state_key to;
	struct nat_rewrite6 rw;
	int si = sdir == STATE_DIR_IN ? 0 : 1;

	state_key_get(t, s, sdir == STATE_DIR_IN ? STATE_STACK : STATE_WIRE,
	    &to);
	memset(&rw, 0, sizeof(rw));
	memcpy(rw.src, to.addr[si].b, 16);
	memcpy(rw.dst, to.addr[!si].b, 16);
	rw.set = NAT_RW6_SRC | NAT_RW6_DST;
	rw.sport = ntohs(to.port[si]);
	rw.dport = ntohs(to.port[!si]);
	nat_rewrite6(p, li, &rw);
}

/* Is rule r of an anchor that anchor-call rule call evaluates? */
static int
pf_calls(const struct acl_rule *call, const struct acl_anchor *a)
{
	if (call->anchor == NULL)
		return 0;
	return call->anchor == a ||
	    (call->anchor_wildcard && a->parent == call->anchor);
}

/* The (first) anchor rule that calls anchor a, or NULL. */
static const struct acl_rule *
pf_call_rule(const struct acl_conf *conf, const struct acl_anchor *a)
{
	size_t k, i;

	for (k = 0; k < conf->nall; k++)
		for (i = 0; i < conf->all[k]->rs.nrules; i++)
			if (pf_calls(&conf->all[k]->rs.rules[i], a))
				return &conf->all[k]->rs.rules[i];
	return NULL;
}

/*
 * The rule of RULE (a state's: generation and stats index) in the loaded
 * rules and the anchor that holds it; NULL for rules since replaced.
 */
static const struct acl_rule *
pf_rule_at(const struct dp_pf_ruleset *rs, uint32_t rule,
    const struct acl_anchor **a)
{
	uint32_t idx = RULE_IDX(rule);
	size_t k;

	if (rs == NULL || RULE_GEN(rule) != pf_gen || idx >= rs->nstats)
		return NULL;
	for (k = rs->conf->nall; k-- > 0;)
		if (rs->anchor_base[k] <= idx &&
		    idx - rs->anchor_base[k] < rs->conf->all[k]->rs.nrules)
			break;
	*a = rs->conf->all[k];
	return &(*a)->rs.rules[idx - rs->anchor_base[k]];
}

/*
 * pflog_packet(): rule r, number nr in the anchor at path (or in the main
 * ruleset: path ""), reached through anchor rule call, decided the packet
 * at li, or passed it by a state: pflogN's listeners get it, numbered as
 * pf numbers it (rule call.nr, subrule nr in the anchor named by path's
 * last component).
 */
static void
pf_log(struct dp *dp, const struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, int action, const struct acl_rule *r,
    const struct acl_rule *call, const char *path, uint32_t nr)
{
	struct pflog_rec pr;
	const char *slash;

	if (dp->ncap == 0)
		return;		/* nobody listens: pflog(4) costs nothing */
	memset(&pr, 0, sizeof(pr));
	pr.af = li->af == 4 ? AF_INET : AF_INET6;
	/* pfvar.h's PF_PASS, PF_DROP, PF_MATCH */
	pr.action = action == ACL_BLOCK ? 1 : action == ACL_MATCH ? 12 : 0;
	pr.dir = (uint8_t)dir;
	pr.logif = r->logif;
	pr.ifname = port->name;
	pr.ruleset = "";
	pr.rulenr = nr;
	pr.subrulenr = -1;
	if (path != NULL && path[0] != '\0' && call != NULL) {
		slash = strrchr(path, '/');
		pr.ruleset = slash != NULL ? slash + 1 : path;
		pr.rulenr = call->nr;
		pr.subrulenr = (int32_t)nr;
	}
	capture_pflog(dp, p, li->l3off, &pr);
}

/* A state of a `log (all)' rule passed p: log it with that rule. */
static void
pf_log_state(struct dp *dp, const struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, const struct state *s)
{
	const struct acl_anchor *a;
	const struct acl_rule *r = pf_rule_at(dp->pf.rs, s->rule, &a);

	if (r == NULL)
		return;
	pf_log(dp, p, li, port, dir, ACL_PASS, r, a != dp->pf.rs->conf->root ?
	    pf_call_rule(dp->pf.rs->conf, a) : NULL, a->path, r->nr);
}

/*
 * A packet passed by state s: it carries the state's tag, as pf_test()
 * tags every packet of a state the rules tagged (pf_tag_packet()), so
 * that `tagged' sees it wherever it goes next.  Returns the tag's name
 * for the trace ("" when none).
 */
static const char *
pf_state_tag(struct dp_pf *pf, struct pkt *p, const struct state *s)
{
	const char *name;

	if (!(s->flags & STATE_F_TAGGED))
		return "";
	p->pf_tag = pf->states.cold[state_id(&pf->states, s)].tag;
	name = acl_tag_name(pf->tags, p->pf_tag);
	return name != NULL ? name : "?";
}

/*
 * Scrub: what `match ... scrub (no-df min-ttl N random-id max-mss N)' and
 * `set tos' do to the packets that pass.  pf_test() applies pf_scrub()
 * with the options its state keeps, or without a state with those the
 * evaluation gathered (pf_rule_to_actions()), to every packet it passes,
 * in either direction: a state made going in on vether0 also clamps the
 * MSS of the SYN-ACK that leaves there.  max-mss: pf_normalize_mss().
 */
static uint64_t
pf_scrub_key(const struct acl_scrub *sc)
{
	return (uint64_t)sc->flags | (uint64_t)sc->min_ttl << 8 |
	    (uint64_t)sc->set_tos << 16 | (uint64_t)sc->max_mss << 24 |
	    (uint64_t)sc->set_prio << 40 | (uint64_t)sc->qid << 48 |
	    (uint64_t)sc->pqid << 56;
}

struct pf_scrubset {
	struct acl_scrub sc;		/* without ACL_SCRUB_DELAYMASK */
	uint16_t	 delay;		/* set delay, ms; 0: none */
};

static uint32_t
pf_scrub_slot(const struct dp_pf *pf, uint64_t key, uint16_t delay)
{
	uint64_t k = key ^ (uint64_t)delay * 0xff51afd7ed558ccdull;
	uint32_t h = (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> 32);
	const struct pf_scrubset *set;

	for (h &= pf->scrub_slots - 1; pf->scrub_index[h] != 0; h = (h + 1) &
	    (pf->scrub_slots - 1)) {
		set = &pf->scrubs[pf->scrub_index[h] - 1];
		if (pf_scrub_key(&set->sc) == key && set->delay == delay)
			break;
	}
	return h;
}

/*
 * The number of scrub set sc (with its set delay of delay ms), added if
 * new; -1 when none is left.
 */
static int
pf_scrub_intern(struct dp_pf *pf, const struct acl_scrub *sc, uint16_t delay)
{
	struct acl_scrub c = *sc;
	uint64_t key;
	uint32_t h, i, slots, *index;
	struct pf_scrubset *sets;

	c.flags &= (uint8_t)~ACL_SCRUB_DELAYMASK;
	key = pf_scrub_key(&c);
	if (pf->scrub_slots != 0) {
		h = pf_scrub_slot(pf, key, delay);
		if (pf->scrub_index[h] != 0)
			return (int)pf->scrub_index[h] - 1;
	}
	if (pf->nscrubs >= UINT16_MAX)
		return -1;
	if (2 * (pf->nscrubs + 1) > pf->scrub_slots) {
		/* at most half full: the sets fit slots / 2 */
		slots = pf->scrub_slots ? 2 * pf->scrub_slots : 16;
		if ((index = calloc(slots, sizeof(*index))) == NULL ||
		    (sets = reallocarray(pf->scrubs, slots / 2,
		    sizeof(*sets))) == NULL) {
			free(index);
			return -1;
		}
		free(pf->scrub_index);
		pf->scrubs = sets;
		pf->scrub_index = index;
		pf->scrub_slots = slots;
		for (i = 0; i < pf->nscrubs; i++)
			index[pf_scrub_slot(pf, pf_scrub_key(&sets[i].sc),
			    sets[i].delay)] = i + 1;
	}
	pf->scrubs[pf->nscrubs].sc = c;
	pf->scrubs[pf->nscrubs].delay = delay;
	pf->scrub_index[pf_scrub_slot(pf, key, delay)] = pf->nscrubs + 1;
	return (int)pf->nscrubs++;
}

/* set delay: the ms of the rule set's delay number in sc, 0 for none */
static uint16_t
pf_scrub_delay(const struct dp_pf *pf, const struct acl_scrub *sc)
{
	unsigned id = (sc->flags & ACL_SCRUB_DELAYMASK) >> ACL_SCRUB_DELAYSHIFT;

	return id != 0 && pf->rs != NULL && id <= pf->rs->conf->ndelays ?
	    pf->rs->conf->delays[id - 1] : 0;
}

/* random-id: xorshift32 (OpenBSD's ip_randomid() also avoids repeats) */
static uint16_t
pf_random_id(struct dp_pf *pf)
{
	uint32_t x = pf->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	pf->rnd = x;
	return (uint16_t)(x ^ x >> 16);
}

/*
 * The data a TCP segment carries (pd->p_len): to the IP length's end, or
 * the frame's for a GSO frame, never past the frame, never below 0.
 */
uint32_t
dp_pf_tcp_paylen(const struct pkt *p, const struct l3info *li)
{
	const uint8_t *th = p->data + li->l4off;
	uint32_t off = li->l4off + (th[12] >> 4) * 4u, end;

	end = p->off.gso_type != 0 || li->iplen == 0 ? p->len :
	    (uint32_t)li->l3off + li->iplen;
	if (end > p->len)
		end = p->len;
	return end > off ? end - off : 0;
}

/*
 * set prio (N, M) and queue (q, pq): pf_test() gives the second to a TCP
 * ACK without data and to a lowdelay TOS (the header as it came, before
 * set tos), the first to the rest.
 */
static int
pf_lowdelay(const struct pkt *p, const struct l3info *li)
{
	const uint8_t *ip = p->data + li->l3off;
	uint8_t tos = li->af == 4 ? ip[1] : (uint8_t)(ip[0] << 4 | ip[1] >> 4);

	if (tos & 0x10)			/* IPTOS_LOWDELAY */
		return 1;
	return li->proto == L3_IPPROTO_TCP && li->l4off != 0 &&
	    (li->tcp_flags & ACL_TH_ACK) && dp_pf_tcp_paylen(p, li) == 0;
}

static void
pf_scrub(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, const struct acl_scrub *sc,
    uint16_t delay)
{
	struct dp_pf *pf = &dp->pf;
	uint8_t *ip = p->data + li->l3off;
	unsigned did;
	uint16_t mss = 0;
	int prio = -1;

	if (sc->flags & ACL_SCRUB_SETPRIO) {
		prio = p->prio = pf_lowdelay(p, li) ? sc->set_prio >> 4 :
		    sc->set_prio & 0x0f;
		pf->c[PF_C_SETPRIO]++;
	}
	if (sc->qid != 0) {
		p->qid = pf_lowdelay(p, li) ? sc->pqid : sc->qid;
		pf->c[PF_C_SETQUEUE]++;
	}
	/* held where it leaves (if_enqueue() -> pf_delay_pkt()) */
	if (delay != 0) {
		p->pf_delay = 1;
		p->pf_delay_ms = delay;
		pf->c[PF_C_SETDELAY]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: set delay %u ms: it "
			    "waits that long where it leaves",
			    dir == ACL_IN ? "in" : "out", port->name, delay);
	}
	if (li->af == 4)
		did = scrub_ip4(ip, sc->flags, sc->min_ttl, sc->set_tos,
		    (sc->flags & ACL_SCRUB_RANDOMID) ? pf_random_id(pf) : 0);
	else
		did = scrub_ip6(ip, sc->flags, sc->min_ttl, sc->set_tos);
	if (sc->max_mss != 0 && li->proto == L3_IPPROTO_TCP &&
	    li->l4off != 0 && !li->frag)
		mss = scrub_mss(p->data + li->l4off, p->len - li->l4off,
		    sc->max_mss, (p->off.flags & PKT_OFF_NEEDS_CSUM) != 0);
	if (did != 0)
		pf->c[PF_C_SCRUBBED]++;
	if (mss != 0)
		pf->c[PF_C_MSS]++;
	if (p->traced && (did != 0 || mss != 0 || prio >= 0)) {
		char m[32] = "", pr[32] = "", what[160];

		if (mss != 0)
			snprintf(m, sizeof(m), ", mss %u -> %u", mss,
			    sc->max_mss);
		if (prio >= 0)
			snprintf(pr, sizeof(pr), ", set prio: prio %d", prio);
		snprintf(what, sizeof(what), "%s%s%s%s%s%s",
		    did & SCRUB_DID_DF ? ", no-df: DF cleared" : "",
		    did & SCRUB_DID_TTL ? ", min-ttl: ttl raised" : "",
		    did & SCRUB_DID_TOS ? ", tos set" : "",
		    did & SCRUB_DID_ID ? ", random-id: new id" : "", m, pr);
		dp_trace(dp, p, "pf", "%s on %s: scrub: %s",
		    dir == ACL_IN ? "in" : "out", port->name, what + 2);
	}
}

/* A packet passed by state s gets the scrub options s keeps. */
static inline void
pf_scrub_state(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, const struct state *s)
{
	struct dp_pf *pf = &dp->pf;
	const struct pf_scrubset *set;

	if (s->flags & STATE_F_SCRUB) {
		set = &pf->scrubs[pf->states.cold[state_id(&pf->states,
		    s)].scrub];
		pf_scrub(dp, p, li, port, dir, &set->sc, set->delay);
	}
}

/* A packet passed without a state gets what its evaluation gathered. */
static inline void
pf_scrub_res(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, const struct acl_result *res)
{
	if (acl_scrub_any(&res->ar_scrub))
		pf_scrub(dp, p, li, port, dir, &res->ar_scrub,
		    pf_scrub_delay(&dp->pf, &res->ar_scrub));
}

/*
 * `match log' and `log (matches)' (pf_match_rule()): a match rule with log
 * logs the packet when it applies; once a rule with log (matches) has
 * applied, every rule that matches after it does, the deciding one
 * included.  pf logs a rule reached that way once per log (matches) rule
 * and the deciding one again at the end; sluice logs each rule once.
 */
struct pf_logwalk {
	struct dp		*dp;
	const struct pkt	*p;
	const struct l3info	*li;
	const struct port	*port;
	int			 dir;
	const struct acl_rule	*decider;
	int			 matches;	/* log (matches) in force */
};

static void
pf_log_hit(void *arg, const struct acl_hit *h)
{
	struct pf_logwalk *w = arg;
	const struct acl_rule *r = h->r;
	/* a pass or block rule that does not decide: by matches only */
	int log = w->matches || ((r->action == ACL_MATCH ||
	    r == w->decider) && r->log);

	/* pf_rule_to_actions() gathers log flags of match rules only */
	if (r->action == ACL_MATCH && (r->log & ACL_LOG_MATCHES))
		w->matches = 1;
	if (log)
		pf_log(w->dp, w->p, w->li, w->port, w->dir, r->action, r,
		    h->call, h->anchor, h->nr);
}

/* Log what the rules for this packet say to (pflog readers only). */
static void
pf_log_rules(struct dp *dp, const struct acl_classifier *c,
    const struct acl_pkt *ap, const struct acl_result *res,
    const struct pkt *p, const struct l3info *li, const struct port *port,
    int dir)
{
	struct pf_logwalk w = { dp, p, li, port, dir, res->ar_rule, 0 };

	if (dp->ncap == 0)
		return;
	/* a deciding rule's own log (matches) is a plain log (pf returns
	 * early in pf_log_matches() for it) */
	if (!res->ar_mlog) {
		if (res->ar_rule != NULL && res->ar_rule->log)
			pf_log(dp, p, li, port, dir, res->ar_action,
			    res->ar_rule, res->ar_anchor_call, res->ar_anchor,
			    res->ar_anchor_nr);
		return;
	}
	acl_eval_visit(c, ap, pf_log_hit, &w);
}

/*
 * Fragments with `set reassemble no' (IPv4: later IPv6 fragments always
 * meet the rules then).  With `set reassemble yes', pf's default,
 * dp_pf_test() hands fragments of both families to dp_pfreass.c first,
 * as pf_normalize_ip() does, and filters and translates the whole
 * datagram; with `set reassemble no' every fragment,
 * the first too, meets the rules without ports and never a state
 * (pf_test(): PF_VPROTO_FRAGMENT goes straight to pf_test_rule()), so a
 * fragmented reply through nat-to is lost.  sluice does better: a first
 * fragment has its transport header and is an ordinary packet of its
 * flow; when it passes by a state, its datagram (addresses, IP id,
 * protocol, as seen on this port in this direction) is remembered, and
 * the later fragments follow that state: they pass, count, and have
 * their addresses translated as it says (no ports: they have none).  A
 * later fragment with nothing remembered (it came before its first, or
 * the first made no state) meets the rules as pf's would: no state, no
 * translation, PFRES_FRAG ("fragment") when refused.  The entry goes when
 * the last fragment (MF clear) has passed or `set timeout frag' runs out.
 */
static struct pf_frag *
pf_frag_set(struct dp_pf *pf, const uint8_t *ip, uint16_t port, int dir)
{
	uint32_t h = (ip_get32(ip + 12) * 2654435761u) ^ ip_get32(ip + 16) ^
	    ((uint32_t)ether_get16(ip + 4) << 16 | (uint32_t)ip[9] << 8 |
	    (uint32_t)port << 1 | (uint32_t)(dir == ACL_OUT));

	h *= 2246822519u;
	return &pf->frags[(h >> 16) % PF_FRAG_SETS * PF_FRAG_WAYS];
}

static int
pf_frag_is(const struct pf_frag *f, const uint8_t *ip, uint16_t port,
    int dir)
{
	return f->state != 0 && memcmp(&f->src, ip + 12, 4) == 0 &&
	    memcmp(&f->dst, ip + 16, 4) == 0 && f->id == ether_get16(ip + 4) &&
	    f->proto == ip[9] && f->port == port && f->dir == dir;
}

/* A first fragment (offset 0, MF set) passed by state s: remember it. */
static __attribute__((noinline)) void
pf_frag_first_slow(struct dp *dp, const struct port *port, int dir,
    const struct pkt *p, const struct l3info *li, const struct state *s)
{
	struct dp_pf *pf = &dp->pf;
	const uint8_t *ip = p->data + li->l3off;
	struct pf_frag *set, *f = NULL;
	int i;

	/* The addresses as the later fragments will come: untranslated. */
	{
		uint8_t hdr[20];

		memcpy(hdr, ip, 20);
		memcpy(hdr + 12, li->src, 4);
		memcpy(hdr + 16, li->dst, 4);
		set = pf_frag_set(pf, hdr, port->index, dir);
		for (i = 0; i < PF_FRAG_WAYS && f == NULL; i++)
			if (pf_frag_is(&set[i], hdr, port->index, dir))
				f = &set[i];	/* a first fragment again */
		for (i = 0; i < PF_FRAG_WAYS && f == NULL; i++)
			if (set[i].state == 0 ||
			    (int32_t)(dp->now - set[i].expire) >= 0) {
				f = &set[i];
				pf->frag_inserts++;
			}
		if (f == NULL) {
			pf->c[PF_C_FRAGFULL]++;
			if (p->traced)
				dp_trace(dp, p, "pf", "%s on %s: first "
				    "fragment not remembered (fragment table "
				    "full): its later fragments meet the rules",
				    dir == ACL_IN ? "in" : "out", port->name);
			return;
		}
		memcpy(&f->src, hdr + 12, 4);
		memcpy(&f->dst, hdr + 16, 4);
	}
	f->id = ether_get16(ip + 4);
	f->proto = ip[9];
	f->port = port->index;
	f->dir = (uint8_t)dir;
	f->state = state_id(&pf->states, s) + 1;
	f->expire = dp->now + pf->states.tmo[0][ACL_TM_FRAG];
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: first fragment (id %u): its "
		    "later fragments follow this state for %us",
		    dir == ACL_IN ? "in" : "out", port->name, f->id,
		    pf->states.tmo[0][ACL_TM_FRAG]);
}

/* Most packets are no first fragment: ask before calling. */
static inline void
pf_frag_first(struct dp *dp, const struct port *port, int dir,
    const struct pkt *p, const struct l3info *li, const struct state *s)
{
	if (li->af == 4 && !li->frag &&
	    (p->data[li->l3off + 6] & 0x20))	/* MF */
		pf_frag_first_slow(dp, port, dir, p, li, s);
}

/*
 * A later fragment: if its first fragment passed by a state here, pass
 * it as that state's packet and return 1; else 0 (the rules decide).
 */
static int
pf_frag_follow(struct dp *dp, const struct port *port, int dir,
    struct pkt *p, const struct l3info *li)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	const uint8_t *ip = p->data + li->l3off;
	int sdir = dir == ACL_IN ? STATE_DIR_IN : STATE_DIR_OUT;
	struct pf_frag *set = pf_frag_set(pf, ip, port->index, dir), *f = NULL;
	const struct state_k4 *k;
	struct state *s;
	int i, last = !(ether_get16(ip + 6) & 0x2000);
	const char *tag;

	pf->frag_searches++;
	for (i = 0; i < PF_FRAG_WAYS && f == NULL; i++)
		if (pf_frag_is(&set[i], ip, port->index, dir))
			f = &set[i];
	if (f == NULL || (int32_t)(dp->now - f->expire) >= 0) {
		if (f != NULL)
			f->state = 0;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: a later fragment "
			    "(id %u) and no first fragment passed by a state: "
			    "the rules decide", dname, port->name,
			    ether_get16(ip + 4));
		return 0;
	}
	/* The state may have gone (expired, flushed) and its slot been
	 * reused: it must still be this flow's, as this packet sees it. */
	s = f->state - 1 < pf->states.limit ? &pf->states.st[f->state - 1] :
	    NULL;
	k = s != NULL ? &s->k[sdir == STATE_DIR_IN ? STATE_WIRE :
	    STATE_STACK] : NULL;
	if (s == NULL || !(s->flags & STATE_F_USED) ||
	    (s->flags & STATE_F_INET6) || s->proto != ip[9] ||
	    memcmp(&k->addr[sdir == STATE_DIR_IN ? 0 : 1], ip + 12, 4) != 0 ||
	    memcmp(&k->addr[sdir == STATE_DIR_IN ? 1 : 0], ip + 16, 4) != 0) {
		f->state = 0;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: a later fragment "
			    "whose state is gone: the rules decide", dname,
			    port->name);
		return 0;
	}
	if (s->flags & STATE_F_NAT)
		pf_translate(p, li, s, sdir);	/* addresses only */
	state_count(&pf->states, s, sdir == state_dir(s) ? 0 : 1,
	    pf_tot_len(p, li));
	pf_count_state(pf, s, dir, pf_tot_len(p, li));
	tag = pf_state_tag(pf, p, s);
	pf_scrub_state(dp, p, li, port, dir, s);
	/* The entry stays until `timeout frag': a fragment may come after
	 * the last one, and must not leave untranslated. */
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: pass (a later fragment, id "
		    "%u, of a datagram of state of rule %u%s)%s%s", dname,
		    port->name, ether_get16(ip + 4), RULE_IDX(s->rule), last ?
		    "; the last" : "", *tag ? ", tagged " : "", tag);
	return 1;
}


/* The TCP segment at li as pf's window tracking reads it.  An offloaded
 * super-frame's IP length may be its first segment's: its payload is
 * the frame's. */
static void
pf_tcp_seg(const struct pkt *p, const struct l3info *li, struct state_seg *g)
{
	const uint8_t *th = p->data + li->l4off;

	g->seq = ip_get32(th + 4);
	g->ack = ip_get32(th + 8);
	g->win = ether_get16(th + 14);
	g->flags = th[13];
	g->len = dp_pf_tcp_paylen(p, li);
	g->wscale = (g->flags & ACL_TH_SYN) ? tcp_wscale(th, p->len -
	    li->l4off) : 0;
}

/* pf's "State failure on" digits, in words, for the trace. */
static const char *
pf_tcp_fail_text(uint8_t fail, char *buf, size_t len)
{
	static const char *const why[] = {
		"ends beyond the window the peer allows",
		"starts more than a window back",
		"acknowledges data more than a window old",
		"acknowledges data not yet sent",
		"a RST not at the next sequence number",
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if ((fail & (1u << i)) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    n ? ", " : "", why[i]);
	return buf;
}

/*
 * An ISN, or an offset to one, as pf takes them from arc4random(): never
 * 0, which stands for "none" in a state.
 */
static uint32_t
pf_isn(void *arg)
{
	struct dp_pf *pf = arg;
	uint32_t x;

	if (pf->isn_seed != 0) {
		x = pf->isn_seed;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		pf->isn_seed = x;
		return x;
	}
	while ((x = arc4random()) == 0)
		;
	return x;
}

uint32_t
dp_pf_random(struct dp_pf *pf)
{
	return pf_isn(pf);
}

/*
 * The TCP header at li gets SEQ and ACK, its checksum following them.  A
 * partial checksum is the pseudo-header sum only: the numbers are not in
 * it, the sum finished later covers them as they are then.
 */
static void
pf_tcp_seqack(struct pkt *p, const struct l3info *li, uint32_t seq,
    uint32_t ack)
{
	uint8_t *th = p->data + li->l4off;
	int full = !(p->off.flags & PKT_OFF_NEEDS_CSUM);
	uint32_t o;

	if ((o = ip_get32(th + 4)) != seq) {
		ip_put32(th + 4, seq);
		if (full)
			ip_csum_update32(th + 16, o, seq);
	}
	if ((o = ip_get32(th + 8)) != ack) {
		ip_put32(th + 8, ack);
		if (full)
			ip_csum_update32(th + 16, o, ack);
	}
}

/*
 * pf_send_tcp()'s segment, no payload, in Q after its HDR bytes of
 * Ethernet header (MACs and any tag already there): SRC:SP -> DST:DP
 * (network order; 4 or 16 bytes as V4 says), with an MSS option when
 * MSS is not 0.  Q may be the packet the addresses are read from.
 */
void
dp_pf_tcp_build(struct pkt *q, uint32_t hdr, int v4, const void *src,
    const void *dst, uint16_t sp, uint16_t dport, uint32_t seq, uint32_t ack,
    uint8_t flags, uint16_t win, uint16_t mss)
{
	uint8_t a[16], b[16], *ip = q->data + hdr, *l4;
	uint32_t iphl = v4 ? 20 : 40, thl = mss ? 24 : 20;

	memcpy(a, src, v4 ? 4 : 16);
	memcpy(b, dst, v4 ? 4 : 16);
	l4 = ip + iphl;
	memset(ip, 0, iphl + thl);
	if (v4) {
		ip[0] = 0x45;
		ether_put16(ip + 2, (uint16_t)(20 + thl));
		ether_put16(ip + 6, IP_DF);
		ip[8] = 64;
		ip[9] = L3_IPPROTO_TCP;
		memcpy(ip + 12, a, 4);
		memcpy(ip + 16, b, 4);
		ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip,
		    20, 0)));
	} else {
		ip[0] = 0x60;
		ether_put16(ip + 4, (uint16_t)thl);
		ip[6] = L3_IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, a, 16);
		memcpy(ip + 24, b, 16);
	}
	ether_put16(l4, sp);
	ether_put16(l4 + 2, dport);
	ip_put32(l4 + 4, seq);
	ip_put32(l4 + 8, ack);
	l4[12] = (uint8_t)(thl / 4 << 4);
	l4[13] = flags;
	ether_put16(l4 + 14, win);
	if (mss) {
		l4[20] = 2;
		l4[21] = 4;
		ether_put16(l4 + 22, mss);
	}
	ether_put16(l4 + 16, pf_l4_csum(v4 ? 4 : 6, ip, L3_IPPROTO_TCP, l4,
	    thl));
	q->len = hdr + iphl + thl;
	q->off = (struct pkt_offload){ 0 };
}

/*
 * The packet at li becomes the segment dp_pf_tcp_build() makes, between
 * the same addresses and ports: what synproxy state sends in place of
 * a packet it takes (the client's ACK becomes the SYN to the server, the
 * server's SYN|ACK the ACK to the client).  It goes on the way the packet
 * was going, routed, bridged and translated as it would have been.
 */
static void
pf_tcp_become(struct pkt *p, struct l3info *li, uint32_t seq, uint32_t ack,
    uint8_t flags, uint16_t win, uint16_t mss)
{
	const uint8_t *th = p->data + li->l4off;
	int v4 = li->af == 4;

	dp_pf_tcp_build(p, li->l3off, v4, li->src, li->dst, ether_get16(th),
	    ether_get16(th + 2), seq, ack, flags, win, mss);
	li->l4off = (uint16_t)(li->l3off + (v4 ? 20 : 40));
	li->iplen = p->len - li->l3off;
	li->tcp_flags = flags;
	p->st_tags = 0;
}

/*
 * modulate state (pf_tcp_track_full()): the segment G of a modulating
 * state leaves with its sender's offset added to its sequence number and
 * the other end's taken off its ack and SACK blocks; G is left as the
 * windows want it (state_tcp_modulate()).  Apart from the tracking so
 * that a state that does not modulate pays one test.
 */
static __attribute__((noinline)) void
pf_modulate(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, struct state *s, struct state_seg *g)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	uint32_t seq, ack, sack, oseq = g->seq, oack = g->ack;
	uint8_t *th = p->data + li->l4off;
	unsigned n = 0;
	int r;

	r = state_tcp_modulate(&pf->states, s, dir == ACL_IN ? STATE_DIR_IN :
	    STATE_DIR_OUT, g, pf_isn, pf, &seq, &ack, &sack);
	if (r == 0)
		return;
	pf_tcp_seqack(p, li, seq, ack);
	pf->c[PF_C_MODULATED]++;
	if (r == 2)
		pf->c[PF_C_MOD_DEFERRED]++;
	if (sack != 0 && (th[12] >> 4) > 5 && (n = tcp_sack_unmod(th,
	    p->len - li->l4off, sack, (p->off.flags & PKT_OFF_NEEDS_CSUM) !=
	    0)) != 0)
		pf->c[PF_C_MOD_SACK] += n;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: modulate state of rule %u: "
		    "seq %u -> %u, ack %u -> %u%s%s", dname, port->name,
		    RULE_IDX(s->rule), oseq, seq, oack, ack, r == 2 ?
		    " (this end's first packet: its offset drawn)" : "",
		    n ? ", SACK blocks given back the receiver's numbers" : "");
}

/* A synproxy packet dropped: counted as pf's synproxy, and traced. */
static int
pf_synproxy_drop(struct dp *dp, struct pkt *p, const struct port *port,
    int dir, const struct state *s, int bad, const char *why)
{
	struct dp_pf *pf = &dp->pf;

	pf->c[PF_C_SYNPROXY]++;
	if (bad)
		pf->c[PF_C_SP_BAD]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (synproxy state of rule "
		    "%u: %s)", dir == ACL_IN ? "in" : "out", port->name,
		    RULE_IDX(s->rule), why);
	return STATE_BAD;
}

/*
 * The SYN|ACK synproxy state answers its client's SYN with: sluice's
 * ISN, the client's MSS, window 0 (pf_send_tcp() as pf_create_state()
 * calls it), back out the port the SYN came in on.
 */
static void
pf_synproxy_synack(struct dp *dp, const struct pkt *p,
    const struct l3info *li, const struct state *s)
{
	const struct state_tcp *tc = &dp->pf.states.tcp[state_id(
	    &dp->pf.states, s)];
	const struct acl_anchor *a;

	/* li, not the packet: a new state's packet is translated already;
	 * pf_send_tcp(st->rule.ptr, ...): the rule's set prio */
	dp_pf_tcp_answer(dp, p, li, dp_pf_rule(&dp->pf, s->rule, &a),
	    p->pf_tag, tc->peer[0].seqhi, tc->peer[0].seqlo + 1,
	    ACL_TH_SYN | ACL_TH_ACK, 0, tc->peer[1].max_win);
	dp->pf.c[PF_C_SP_SYNACK]++;
}

/*
 * synproxy state: the client's bare SYN made state S going in on PORT.
 * sluice answers it (pf_create_state()): the state holds the client's
 * ISN (peer[0].seqlo), sluice's (peer[0].seqhi) and, until the server
 * speaks, the MSS to offer it (peer[1].max_win).  Nothing reaches the
 * server until the client completes this handshake: a SYN flood costs
 * states, never the server's backlog.
 */
static void
pf_synproxy_start(struct dp *dp, const struct pkt *p, const struct l3info *li,
    const struct port *port, struct state *s)
{
	struct dp_pf *pf = &dp->pf;
	struct state_tcp *tc = &pf->states.tcp[state_id(&pf->states, s)];
	const uint8_t *th = p->data + li->l4off;
	uint32_t room = li->af == 4 ? 40 : 60;
	uint16_t mss = tcp_mss(th, p->len - li->l4off);

	/* pf_get_mss(), then pf_calc_mss(): tcp_mssdflt without an
	 * option, and no more than the port's MTU carries */
	if (mss == 0)
		mss = 512;
	if (port->mtu > room && mss > port->mtu - room)
		mss = (uint16_t)(port->mtu - room);
	s->src_state = TCPS_PROXY_SRC;
	tc->peer[0].seqhi = pf_isn(pf);
	tc->peer[1].max_win = mss;
	pf_synproxy_synack(dp, p, li, s);
	pf->c[PF_C_SYNPROXY]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "in on %s: synproxy state of rule %u: "
		    "SYN answered by sluice (ISN %u, mss %u); the server is "
		    "not told until the client ACKs", port->name,
		    RULE_IDX(s->rule), tc->peer[0].seqhi, mss);
}

/*
 * pf_synproxy(): a packet of synproxy state S while sluice stands in for
 * one end.  PROXY_SRC: only the client's ACK of sluice's SYN|ACK moves
 * on (a SYN again gets the SYN|ACK again).  PROXY_DST: the client's ACK
 * becomes sluice's SYN to the server (sluice's own ISN, the client's
 * MSS) and goes on the client's way; the server's SYN|ACK becomes the
 * ACK to the client and goes on its way, while an ACK to the server is
 * made as the client would send it and run in on the client's port, so
 * that the modulation, translation and route the state gives carry it.
 * Returns STATE_PASS (the packet, rewritten, goes on) or STATE_BAD.
 */
static __attribute__((noinline)) int
pf_synproxy(struct dp *dp, struct pkt *p, struct l3info *li,
    struct port *port, int dir, struct state *s, const struct state_seg *g)
{
	struct dp_pf *pf = &dp->pf;
	struct state_tcp *tc = &pf->states.tcp[state_id(&pf->states, s)];
	struct state_peer *src = &tc->peer[0], *dst = &tc->peer[1];
	int client = (dir == ACL_IN ? STATE_DIR_IN : STATE_DIR_OUT) ==
	    state_dir(s);
	const char *dname = dir == ACL_IN ? "in" : "out";
	struct state_key k;
	struct port *in;
	struct pkt *q;
	uint32_t isn;
	uint16_t mss;

	if (s->src_state == TCPS_PROXY_SRC) {
		if (!client)
			return pf_synproxy_drop(dp, p, port, dir, s, 1,
			    "from the server's side before the client's "
			    "handshake is done");
		if (g->flags & ACL_TH_SYN) {
			if (g->seq != src->seqlo)
				return pf_synproxy_drop(dp, p, port, dir, s, 1,
				    "a SYN with another ISN");
			pf_synproxy_synack(dp, p, li, s);
			return pf_synproxy_drop(dp, p, port, dir, s, 0,
			    "the SYN again: SYN|ACK sent again");
		}
		if ((g->flags & (ACL_TH_ACK | ACL_TH_RST | ACL_TH_FIN)) !=
		    ACL_TH_ACK || g->ack != src->seqhi + 1 ||
		    g->seq != src->seqlo + 1)
			return pf_synproxy_drop(dp, p, port, dir, s, 1,
			    "not the ACK of sluice's SYN|ACK");
		s->src_state = TCPS_PROXY_DST;
	}
	if (client) {
		if ((g->flags & (ACL_TH_SYN | ACL_TH_ACK)) != ACL_TH_ACK ||
		    g->ack != src->seqhi + 1 || g->seq != src->seqlo + 1)
			return pf_synproxy_drop(dp, p, port, dir, s, 1,
			    "not the ACK of sluice's SYN|ACK");
		mss = dst->max_win;
		src->max_win = g->win ? g->win : 1;
		if (dst->seqhi == 1)
			dst->seqhi = pf_isn(pf);
		pf_tcp_become(p, li, dst->seqhi, 0, ACL_TH_SYN, 0, mss);
		pf->c[PF_C_SYNPROXY]++;
		pf->c[PF_C_SP_OPEN]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: synproxy state of rule "
			    "%u: the client ACKed: its ACK goes on as sluice's "
			    "SYN to the server (ISN %u, mss %u)", dname,
			    port->name, RULE_IDX(s->rule), dst->seqhi, mss);
		return STATE_PASS;
	}
	if ((g->flags & (ACL_TH_SYN | ACL_TH_ACK)) != (ACL_TH_SYN |
	    ACL_TH_ACK) || g->ack != dst->seqhi + 1)
		return pf_synproxy_drop(dp, p, port, dir, s, 1,
		    "not the server's SYN|ACK of sluice's SYN");
	/* The client's port (never a vlan's: pf_state_modulate_new()). */
	in = port;
	dst->max_win = g->win ? g->win : 1;
	dst->seqlo = g->seq;
	isn = src->seqhi;	/* state_synproxy_done() moves it on */
	state_synproxy_done(&pf->states, s);
	s->expire = dp->now + pf->states.tmo[s->tmo_set][s->timeout];
	if ((q = pkt_alloc(&dp->pool)) != NULL) {
		/* the ACK to the server, in the client's numbers */
		/* Bridged, the frame's MACs are the two hosts'; routed, pf
		 * sees it before the router gives it this port's, and the
		 * client's frames are for the router. */
		memcpy(q->data, p->data + 6, 6);
		memcpy(q->data + 6, p->data, 6);
		if (in->bridge < 0)
			memcpy(q->data, in->lladdr, 6);
		memcpy(q->data + 12, p->data + 12, li->l3off - 12u);
		state_key_get(&pf->states, s, STATE_WIRE, &k);
		dp_pf_tcp_build(q, li->l3off, li->af == 4, &k.addr[0], &k.addr[1],
		    ntohs(k.port[0]), ntohs(k.port[1]), src->seqlo + 1,
		    isn + 1, ACL_TH_ACK, src->max_win, 0);
		q->traced = p->traced;
		dp_loop(dp, in, q);
		pkt_free(&dp->pool, q);
	}
	pf_tcp_become(p, li, isn + 1, src->seqlo + 1, ACL_TH_ACK,
	    dst->max_win, 0);
	pf->c[PF_C_SYNPROXY]++;
	pf->c[PF_C_SP_DONE]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: synproxy state of rule %u: "
		    "the server answered: its SYN|ACK goes on as the ACK to "
		    "the client, an ACK goes to the server; offsets +%u and "
		    "+%u from here", dname, port->name, RULE_IDX(s->rule),
		    state_tcp_seqdiff(&pf->states, s, 0),
		    state_tcp_seqdiff(&pf->states, s, 1));
	return STATE_PASS;
}

/*
 * A packet its state refused (< 0 from state_update() or
 * pf_state_track_tcp()): a SYN reusing a closed state removes it; the
 * rest was counted and traced where it was found out.
 */
static __attribute__((cold, noinline)) int
pf_state_refused(struct dp *dp, struct pkt *p, const struct port *port,
    int dir, struct state *s, int verdict)
{
	struct dp_pf *pf = &dp->pf;

	if (verdict == STATE_REUSE) {
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (SYN on a "
			    "closed state: state removed)", dir == ACL_IN ?
			    "in" : "out", port->name);
		dp_pf_state_gone(dp, s);
		state_remove(&pf->states, s);
	}
	return PF_DROP;
}

/*
 * pf_tcp_track_full() for a TCP packet that hit state S: the verdict of
 * state_track_tcp(), with a window mismatch counted (PFRES_BADSTATE) and
 * traced, and the RST a broken handshake gets.  Apart from dp_pf_test()
 * so that its locals do not weigh on every other packet's path.
 */
static __attribute__((noinline)) int
pf_state_track_tcp(struct dp *dp, struct pkt *p, struct l3info *li,
    struct port *port, int dir, struct state *s)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	struct state_seg g;
	uint8_t fail;
	char why[200];
	int v;

	pf_tcp_seg(p, li, &g);
	if (__builtin_expect(s->src_state >= TCPS_PROXY_SRC, 0))
		return pf_synproxy(dp, p, li, port, dir, s, &g);
	if (__builtin_expect(pf->states.tcp[state_id(&pf->states,
	    s)].peer[0].flags & STATE_TCP_TSCRUB, 0) &&
	    dp_pf_tscrub(dp, s, p, li, g.len, port, dir) != 0)
		return STATE_BAD;
	if (__builtin_expect(pf->states.tcp[state_id(&pf->states,
	    s)].peer[0].flags & STATE_TCP_MOD, 0))
		pf_modulate(dp, p, li, port, dir, s, &g);
	v = state_track_tcp(&pf->states, s, dir == ACL_IN ? STATE_DIR_IN :
	    STATE_DIR_OUT, &g, pf_tot_len(p, li), dp->now, &fail);
	if (v == STATE_LOOSE && p->traced)
		dp_trace(dp, p, "pf", "%s on %s: loose state match (an end not "
		    "heard yet, or closing): seq %u ack %u len %u", dname,
		    port->name, g.seq, g.ack, g.len);
	if (v != STATE_BAD && v != STATE_BAD_RST)
		return v;
	pf->c[PF_C_BADSTATE]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (BAD state of rule %u: "
		    "seq %u ack %u len %u win %u: %s)%s", dname, port->name,
		    RULE_IDX(s->rule), g.seq, g.ack, g.len, g.win,
		    pf_tcp_fail_text(fail, why, sizeof(why)),
		    v == STATE_BAD_RST ? "; mid-handshake: RST sent back" : "");
	if (v == STATE_BAD_RST)
		pf_return(dp, p, li, NULL, PF_RETURN_HSRST);
	return v;
}

/*
 * Can af-to translate this packet, which its rule passed going in on
 * PORT?  pf_test_rule() and pf_translate_af() refuse fragments (pf
 * translates datagrams it reassembled) and ICMP other than echoes (and
 * errors); a spent hop limit gets the sender a time exceeded, as
 * forwarding the packet would have.  A
 * bridge member's packets are bridged, not routed: sluice translates what
 * its router forwards.  0, or the packet is dropped (counted, traced).
 */
static int
pf_afto_refused(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, int error)
{
	const char *why = NULL;

	if (port->rif == NULL)
		why = "a bridge member's packet: sluice translates what its "
		    "router forwards";
	else if (li->frag || li->fh6 != 0 || li->l4off == 0)
		why = "a fragment: af-to translates whole datagrams (set "
		    "reassemble yes)";
	else if (li->ttl <= 1) {
		/* as forwarding it would: the sender gets time exceeded */
		why = "its hop limit ran out: time exceeded sent";
		router_afto_expired(&dp->router, port->rif, p, li->l3off);
	}
	else if (!error && (li->proto == L3_IPPROTO_ICMP ||
	    li->proto == L3_IPPROTO_ICMPV6) &&
	    li->icmp_type != (li->af == 4 ? 8 : 128) &&
	    li->icmp_type != (li->af == 4 ? 0 : 129))
		why = "ICMP that is neither an echo nor an error about an "
		    "af-to flow";
	if (why == NULL)
		return 0;
	dp->pf.c[PF_C_AFTO_DROP]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (af-to: %s)", dir ==
		    ACL_IN ? "in" : "out", port->name, why);
	return 1;
}

/*
 * af-to for a packet its rule R passed (pf_get_transaddr_af()): the
 * header it gets (*a) and the state's STACK key in the other family,
 * oriented the other way round so that the replies, coming in, find it
 * (pf_state_key_setup()).  The source comes from the `from' pool, with a
 * port no other state's key has; the destination from `to', the IPv4
 * address in it taking the place of the pool's host bits, or without
 * `to' from the packet's destination (RFC 6052): going to IPv4 the
 * address embedded under the rule's destination prefix (96 bits if it
 * has none that long), going to IPv6 embedded into the `from' prefix.
 * 0, or -1 with why.
 */
static int
pf_afto_map(struct dp *dp, const struct l3info *li, const struct acl_rule *r,
    struct state_key *stack, struct pf_afto *a, const char **why)
{
	struct dp_pf *pf = &dp->pf;
	int to6 = r->naf == AF_INET6, pwhy, plen;
	uint8_t nat[16], rdr[16];
	uint16_t port = li->sport, dport = li->dport;
	uint32_t v4;

	memset(a, 0, sizeof(*a));
	memset(nat, 0, sizeof(nat));
	memset(rdr, 0, sizeof(rdr));
	a->af = to6 ? 6 : 4;
	*why = "its from pool has no address of the family";
	if (to6) {
		if (dp_pf_pool_map6(dp, r, PF_POOL_NAT, li->src, li->dst, nat,
		    &pwhy, NULL, 0) != 0)
			return -1;
	} else {
		if ((v4 = pf_pool_get(dp, r, PF_POOL_NAT, li->src, li->dst,
		    &pwhy)) == 0)
			return -1;
		memcpy(nat, &v4, 4);
	}
	memcpy(a->src, nat, 16);
	if (r->rdr.addr.type != ACL_ADDR_NONE) {
		*why = "its to pool has no address of the family";
		if (to6) {
			if (dp_pf_pool_map6(dp, r, PF_POOL_RDR, li->src,
			    li->dst, rdr, &pwhy, NULL, 0) != 0)
				return -1;
		} else {
			if ((v4 = pf_pool_get(dp, r, PF_POOL_RDR, li->src,
			    li->dst, &pwhy)) == 0)
				return -1;
			memcpy(rdr, &v4, 4);
		}
		plen = r->rdr.addr.type == ACL_ADDR_ADDRMASK ?
		    dp_pf_masklen(&r->rdr.addr.a.mask) : to6 ? 128 : 32;
		if (to6)
			dp_pf_nat64_embed(rdr, plen, li->dst, a->dst);
		else {
			/* inet_nat46(): the pool's prefix, the host bits of
			 * the address embedded last in the destination */
			uint32_t m = plen >= 32 ? 0xffffffffu : plen == 0 ? 0 :
			    ~(0xffffffffu >> plen);

			ip_put32(a->dst, (ip_get32(rdr) & m) |
			    (ip_get32(li->dst + 12) & ~m));
		}
		if (r->rdr.proxy_port[0] != 0 && (li->proto ==
		    L3_IPPROTO_TCP || li->proto == L3_IPPROTO_UDP))
			dport = r->rdr.proxy_port[0];
	} else if (to6) {
		plen = r->nat.addr.type == ACL_ADDR_ADDRMASK ?
		    dp_pf_masklen(&r->nat.addr.a.mask) : 96;
		dp_pf_nat64_embed(nat, plen > 96 ? 96 : plen, li->dst, a->dst);
	} else {
		plen = r->dst.addr.type == ACL_ADDR_ADDRMASK ?
		    dp_pf_masklen(&r->dst.addr.a.mask) : 96;
		dp_pf_nat64_extract(li->dst, plen < 32 ? 96 : plen, a->dst);
	}
	/* The key the replies will come in with. */
	memset(stack, 0, sizeof(*stack));
	stack->af = to6 ? AF_INET6 : AF_INET;
	stack->proto = li->proto == L3_IPPROTO_ICMP ? L3_IPPROTO_ICMPV6 :
	    li->proto == L3_IPPROTO_ICMPV6 ? L3_IPPROTO_ICMP : li->proto;
	memcpy(stack->addr[1].b, a->src, to6 ? 16 : 4);
	memcpy(stack->addr[0].b, a->dst, to6 ? 16 : 4);
	stack->port[1] = htons(port);
	stack->port[0] = htons(li->proto == L3_IPPROTO_ICMP ||
	    li->proto == L3_IPPROTO_ICMPV6 ? port : dport);
	if (li->proto == L3_IPPROTO_TCP || li->proto == L3_IPPROTO_UDP ||
	    li->proto == L3_IPPROTO_ICMP || li->proto == L3_IPPROTO_ICMPV6) {
		if (r->nat.proxy_port[0] != 0 && (port = nat_pick_port(
		    &pf->states, stack, 1, r->nat.proxy_port[0],
		    r->nat.proxy_port[1], dp->now, (uint32_t)dp->pkt_seq)) ==
		    0) {
			*why = "no port free on its from address";
			return -1;
		}
		if (li->proto == L3_IPPROTO_ICMP ||
		    li->proto == L3_IPPROTO_ICMPV6)
			dport = port;
	}
	a->sport = port;
	a->dport = dport;
	return 0;
}

/*
 * Is IPv6 state S an af-to state?  Then *tdir is the way its tracking
 * sees a packet of family AF: a packet of the WIRE key's family comes
 * from its creator, the other family's from the other end
 * (PF_REVERSED_KEY()), which the tracking sees as the way back.
 */
static __attribute__((noinline)) int
pf_afto_dir(const struct state_table *t, const struct state *s, uint8_t af,
    int *tdir)
{
	if (!state_afto(t, s))
		return 0;
	if (t->v6[state_id(t, s)].af[STATE_WIRE] != (af == 4 ? AF_INET :
	    AF_INET6))
		*tdir = ACL_OUT;
	return 1;
}

/* af-to found no address or port: PFRES_TRANSLATE. */
static int
pf_afto_nomap(struct dp *dp, struct pkt *p, const struct port *port, int dir,
    const char *why)
{
	dp->pf.c[PF_C_TRANSLATE]++;
	if (p->traced)
		dp_trace(dp, p, "nat", "%s on %s: drop (af-to: %s)", dir ==
		    ACL_IN ? "in" : "out", port->name, why);
	return PF_DROP;
}

/* The packet as af-to makes it, traced and counted; 0 or -1 (dropped). */
static int
pf_afto_apply(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, const struct pf_afto *a)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int f = a->af == 6 ? AF_INET6 : AF_INET;

	if (dp_pf_afto(dp, p, li, a) != PF_AFTO_OK) {
		/* pf_afto_refused() asked first: only an odd frame */
		dp->pf.c[PF_C_AFTO_DROP]++;
		return -1;
	}
	dp->pf.c[PF_C_AFTO]++;
	p->pf_afto = a->af;
	p->pf_generated = 1;	/* pf_test(): PF_TAG_GENERATED */
	if (p->traced)
		dp_trace(dp, p, "nat", "%s on %s: af-to inet%s: %s %u -> %s "
		    "%u, routed as IPv%u", dir == ACL_IN ? "in" : "out",
		    port->name, a->af == 6 ? "6" : "", inet_ntop(f, a->src, s,
		    sizeof(s)), a->sport, inet_ntop(f, a->dst, d, sizeof(d)),
		    a->dport, a->af);
	return 0;
}

/*
 * A packet that af-to state S passed: scrubbed as it came, then given the
 * header of the other key's family (pf_test_state(): pd->naf).  Each key
 * is oriented as its own packets come in, so the other one gives the new
 * source in [1] and the new destination in [0], whichever way it goes.
 */
static __attribute__((noinline)) int
pf_afto_state(struct dp *dp, struct pkt *p, const struct l3info *li,
    struct port *port, int dir, struct state *s, int from_wire)
{
	struct dp_pf *pf = &dp->pf;
	struct state_key o;
	struct pf_afto a;
	const char *tag;

	if (pf_afto_refused(dp, p, li, port, dir, 0))
		return PF_DROP;
	pf_scrub_state(dp, p, li, port, dir, s);
	state_key_get(&pf->states, s, from_wire ? STATE_STACK : STATE_WIRE,
	    &o);
	memset(&a, 0, sizeof(a));
	a.af = o.af == AF_INET6 ? 6 : 4;
	memcpy(a.src, o.addr[1].b, 16);
	memcpy(a.dst, o.addr[0].b, 16);
	a.sport = ntohs(o.port[1]);
	a.dport = ntohs(o.port[0]);
	pf_count_state(pf, s, dir, pf_tot_len(p, li));
	tag = pf_state_tag(pf, p, s);
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: pass (af-to state of rule "
		    "%u)%s%s", dir == ACL_IN ? "in" : "out", port->name,
		    RULE_IDX(s->rule), *tag ? ", tagged " : "", tag);
	return pf_afto_apply(dp, p, li, port, dir, &a) == 0 ? PF_PASS :
	    PF_DROP;
}

/*
 * An ICMP error about the flow of af-to state S (pf_test_state_icmp()):
 * it came in on one family's side quoting a packet as that side saw it
 * (key K); it leaves in the other family (key O), to the end that sent
 * the quoted packet, quoting it as that end sent it.  Each key is
 * oriented as its own packets come in, so O[0] sent it to O[1].  The
 * error's source: the far end itself is O[1]; a router between, going
 * to IPv6, is embedded as the far end is (the prefix length found by
 * what gives the far end back), going to IPv4 it cannot be: O[1] too.
 */
static __attribute__((noinline)) int
pf_afto_icmp_error(struct dp *dp, struct pkt *p, const struct l3info *li,
    struct port *port, int dir, struct state *s)
{
	static const int plens[] = { 96, 64, 56, 48, 40, 32 };
	struct dp_pf *pf = &dp->pf;
	const struct state_v6 *v = &pf->states.v6[state_id(&pf->states, s)];
	int from_wire = v->af[STATE_WIRE] == (li->af == 4 ? AF_INET :
	    AF_INET6), to6, i;
	struct state_key k, o;
	struct pf_afto_err e;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t far4[4];

	state_key_get(&pf->states, s, from_wire ? STATE_WIRE : STATE_STACK, &k);
	state_key_get(&pf->states, s, from_wire ? STATE_STACK : STATE_WIRE, &o);
	to6 = o.af == AF_INET6;
	memset(&e, 0, sizeof(e));
	e.outer.af = to6 ? 6 : 4;
	memcpy(e.outer.dst, o.addr[0].b, 16);
	memcpy(e.outer.src, o.addr[1].b, 16);
	if (to6 && memcmp(li->src, k.addr[0].b, 4) != 0)
		for (i = 0; i < 6; i++) {
			dp_pf_nat64_extract(o.addr[1].b, plens[i], far4);
			if (memcmp(far4, k.addr[0].b, 4) == 0) {
				dp_pf_nat64_embed(o.addr[1].b, plens[i],
				    li->src, e.outer.src);
				break;
			}
		}
	memcpy(e.isrc, o.addr[0].b, 16);
	memcpy(e.idst, o.addr[1].b, 16);
	e.isport = ntohs(o.port[0]);
	e.idport = ntohs(o.port[1]);
	if (pf_afto_refused(dp, p, li, port, dir, 1))
		return PF_DROP;
	if (dp_pf_afto_icmp(dp, p, li, &e) != PF_AFTO_OK) {
		pf->c[PF_C_AFTO_DROP]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (af-to: an ICMP "
			    "error about the flow of af-to state of rule %u "
			    "that has no counterpart in the other family, or "
			    "a quote too short)", dir == ACL_IN ? "in" : "out",
			    port->name, RULE_IDX(s->rule));
		return PF_DROP;
	}
	pf_count_state(pf, s, dir, pf_tot_len(p, li));
	pf->c[PF_C_AFTO]++;
	p->pf_afto = e.outer.af;
	p->pf_generated = 1;
	if (p->traced)
		dp_trace(dp, p, "nat", "%s on %s: af-to: an ICMP error about "
		    "the flow of af-to state of rule %u, translated: %s -> %s",
		    dir == ACL_IN ? "in" : "out", port->name, RULE_IDX(s->rule),
		    inet_ntop(to6 ? AF_INET6 : AF_INET, e.outer.src, a,
		    sizeof(a)), inet_ntop(to6 ? AF_INET6 : AF_INET,
		    e.outer.dst, b, sizeof(b)));
	return PF_PASS;
}

/*
 * sticky-address: the source node of (source, translating rule) keeps
 * the address its pool gave (pf_map_addr() inserts it as PF_SN_NAT or
 * PF_SN_RDR).  sluice links a state to one node: the rule's limits
 * node when there is one (*node), else this one.
 */
static int
pf_sticky_nodes(struct dp *dp, const struct acl_result *res, uint8_t af,
    const uint8_t *src, const union acl_ip to[PF_POOL_SIDES], uint32_t *node,
    const char **why)
{
	static const union acl_ip none;
	struct dp_pf *pf = &dp->pf;
	const char *path;
	union acl_ip sa;
	uint32_t idx, id, sn;
	int side;

	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, src, af == AF_INET ? 4 : 16);
	for (side = 0; side < PF_POOL_SIDES; side++) {
		const struct acl_rule *tr = side == PF_POOL_NAT ? res->ar_nat :
		    side == PF_POOL_RDR ? res->ar_rdr : res->ar_rule;
		const struct acl_pool *pl;

		if (tr == NULL || memcmp(&to[side], &none, sizeof(none)) == 0)
			continue;
		pl = side == PF_POOL_NAT ? &tr->nat : side == PF_POOL_RDR ?
		    &tr->rdr : &tr->route;
		if (!(pl->opts & ACL_POOL_STICKYADDR) ||
		    (pl->opts & ACL_POOL_TYPEMASK) == ACL_POOL_NONE ||
		    dp_pf_pool_rule(pf->rs, tr, &idx, &path) != 0)
			continue;
		id = dp_pf_rule_key(idx);
		if (*node != UINT32_MAX && pf->src[*node].rule == id)
			sn = *node;
		else if (dp_pf_src_get(dp, tr, id, af, &sa, &sn, why) != 0)
			return -1;
		pf->src[sn].raddr[side] = to[side];
		if (*node == UINT32_MAX)
			*node = sn;
	}
	return 0;
}

/*
 * least-states: state s of a least-states pool came (1) or goes (-1).
 * Its pool is the deciding rule's, else its match rule's, both when it
 * is made and when it goes, so that the counts add up; its address is
 * what the translated key holds.
 */
static void
pf_ls_state(struct dp_pf *pf, const struct state *s, int delta)
{
	const struct acl_anchor *anc;
	const struct acl_rule *dr, *mr, *r;
	const struct state_cold *c = &pf->states.cold[state_id(&pf->states,
	    s)];
	struct state_key k;
	union acl_ip a;
	uint32_t mrule, id;
	int side, si;

	if ((s->flags & STATE_F_INET6) && state_afto(&pf->states, s))
		return;		/* af-to's pools are not counted */
	dr = dp_pf_rule(pf, s->rule, &anc);
	/* route-to's next hop: the deciding rule's pool */
	if (c->rt_kind != 0 && dr != NULL && (dr->route.opts &
	    ACL_POOL_TYPEMASK) == ACL_POOL_LEASTSTATES) {
		if (s->flags & STATE_F_INET6)
			a = pf->states.v6[state_id(&pf->states, s)].rt;
		else {
			memset(&a, 0, sizeof(a));
			a.w[0] = c->rt;
		}
		dp_pf_ls_add(pf, s->rule, PF_POOL_ROUTE, &a, delta);
	}
	if (!(s->flags & STATE_F_NAT))
		return;
	mrule = c->match_rule;
	mr = dp_pf_rule(pf, mrule, &anc);
	si = state_dir(s) == STATE_DIR_IN ? 0 : 1;
	state_key_get(&pf->states, s, si == 0 ? STATE_STACK : STATE_WIRE, &k);
	for (side = 0; side < 2; side++) {
		const struct acl_pool *pl = NULL;

		r = dr;
		id = s->rule;
		if (r != NULL)
			pl = side == PF_POOL_NAT ? &r->nat : &r->rdr;
		if (pl == NULL || pl->addr.type == ACL_ADDR_NONE) {
			r = mr;
			id = mrule;
			pl = r == NULL ? NULL : side == PF_POOL_NAT ?
			    &r->nat : &r->rdr;
		}
		if (pl == NULL || pl->addr.type == ACL_ADDR_NONE ||
		    (pl->opts & ACL_POOL_TYPEMASK) != ACL_POOL_LEASTSTATES)
			continue;
		dp_pf_ls_add(pf, id, side, side == PF_POOL_NAT ?
		    &k.addr[si] : &k.addr[!si], delta);
	}
}

/*
 * A new TCP state of a modulate state or synproxy state rule, made by
 * the packet at li.  Only a bare SYN modulates (pf_create_state()): a
 * state picked up later has seen numbers it could not offset.  synproxy
 * is for states made going in (pfctl warns it is ignored going out) on a
 * bridge member or a routed port: on a vlan or a vether port the ACK
 * sluice makes for the server could not be run in as the client's (the
 * tag, the router's side); these fall back to keep state, as
 * does a synproxy state made by anything but a bare SYN.  Returns 1 when
 * sluice answered the SYN for the server: the SYN goes no further.
 */
static __attribute__((noinline)) int
pf_state_modulate_new(struct dp *dp, struct pkt *p, const struct l3info *li,
    const struct port *port, int dir, struct state *s, int keep)
{
	struct dp_pf *pf = &dp->pf;
	const char *dname = dir == ACL_IN ? "in" : "out";
	uint32_t seq, diff;

	/* a syncookie's SYN made again: the state proxies (synproxy) */
	if (pf->sc.recreating)
		return 0;
	if ((li->tcp_flags & (ACL_TH_SYN | ACL_TH_ACK)) != ACL_TH_SYN) {
		pf->c[PF_C_MOD_KEPT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: %s state of rule %u "
			    "made by a packet that is not a bare SYN: kept "
			    "without it", dname, port->name, keep ==
			    ACL_STATE_MODULATE ? "modulate" : "synproxy",
			    RULE_IDX(s->rule));
		return 0;
	}
	if (keep == ACL_STATE_SYNPROXY && dir == ACL_IN &&
	    port->kind != PORT_VLAN && port->kind != PORT_VETHER &&
	    (port->bridge >= 0 || port->rif != NULL)) {
		pf_synproxy_start(dp, p, li, port, s);
		return 1;
	}
	if (keep == ACL_STATE_SYNPROXY) {
		pf->c[PF_C_MOD_KEPT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: synproxy state of rule "
			    "%u %s: kept as keep state", dname, port->name,
			    RULE_IDX(s->rule), dir == ACL_IN ? "on a vlan or "
			    "vether port" : "going out");
		return 0;
	}
	seq = ip_get32(p->data + li->l4off + 4);
	diff = pf_isn(pf);
	state_tcp_modulate_init(&pf->states, s, diff);
	pf_tcp_seqack(p, li, seq + diff, ip_get32(p->data + li->l4off + 8));
	pf->c[PF_C_MOD_STATES]++;
	pf->c[PF_C_MODULATED]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: modulate state of rule %u: "
		    "seq %u -> %u (offset +%u)", dname, port->name,
		    RULE_IDX(s->rule), seq, seq + diff, diff);
	return 0;
}

/*
 * pf_route(): route-to and dup-to act on the packets going the rule's way
 * (RDIR), reply-to on those coming back; the router sends them to gw
 * (of family af), whatever its table says.  Only packets the router
 * forwards: a bridged one is counted and bridged as it is.
 */
static void
pf_route_set(struct dp *dp, struct pkt *p, const struct port *port, int dir,
    int kind, int rdir, int af, const union acl_ip *gw)
{
	static const char *const what[] = { "", "route-to", "dup-to",
	    "reply-to" };	/* ACL_RT_* */
	struct dp_pf *pf = &dp->pf;
	char a[INET6_ADDRSTRLEN];

	if ((kind == ACL_RT_REPLYTO) == (rdir == dir))
		return;
	if (port->rif == NULL) {
		pf->c[PF_C_RT_BRIDGED]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: %s not followed: a "
			    "bridge member's packet is bridged", dir == ACL_IN ?
			    "in" : "out", port->name, what[kind]);
		return;
	}
	pf->c[PF_C_RT_SET]++;
	if (af == AF_INET) {
		p->pf_rt_af = 4;
		p->pf_rt = ntohl(gw->w[0]);
	} else {
		p->pf_rt_af = 6;
		memcpy(p->pf_rt6, gw->b, 16);
	}
	p->pf_rt_dup = kind == ACL_RT_DUPTO;
	p->pf_rt_out = dir == ACL_OUT;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: %s %s", dir == ACL_IN ? "in" :
		    "out", port->name, what[kind], inet_ntop(af, gw, a,
		    sizeof(a)));
}

/*
 * The next hop a route-to, reply-to or dup-to rule's pool gives a new
 * state, into gw: 1.  0 for what sluice routes by the table: a pool of an
 * interface's own addresses, (em1), which names no next hop, and an IPv6
 * pool of more than one address.  -1: none, the packet is dropped
 * (pf_route(): pf_map_addr() failed, PFRES_NOROUTE).
 */
static int
pf_route_map(struct dp *dp, struct pkt *p, const struct port *port, int dir,
    const struct l3info *li, const struct acl_rule *r, union acl_ip *gw)
{
	struct dp_pf *pf = &dp->pf;
	int why;

	memset(gw, 0, sizeof(*gw));
	if (r->route.addr.type == ACL_ADDR_DYNIFTL) {
		pf->c[PF_C_RT_SKIPPED]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: route-to not followed "
			    "(an interface, not a next hop): routed by the "
			    "table", dir == ACL_IN ? "in" : "out", port->name);
		return 0;
	}
	if (li->af == 6) {
		if (dp_pf_pool_map6(dp, r, PF_POOL_ROUTE, li->src, li->dst,
		    gw->b, &why, NULL, 0) == 0)
			return 1;
	} else {
		pf->pool_pkt = p;
		gw->w[0] = dp_pf_pool_map(dp, r, PF_POOL_ROUTE, li->src,
		    li->dst, 0, &why, NULL, 0);
		pf->pool_pkt = NULL;
		if (gw->w[0] != 0)
			return 1;
	}
	pf->c[PF_C_NOROUTE]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (the route-to pool has no "
		    "address)", dir == ACL_IN ? "in" : "out", port->name);
	return -1;
}

/* A state's packet: the next hop the state keeps, if it has one. */
static void
pf_route_state(struct dp *dp, struct pkt *p, const struct port *port,
    int dir, const struct state *s)
{
	const struct state_table *t = &dp->pf.states;
	const struct state_cold *sc = &t->cold[state_id(t, s)];
	union acl_ip gw;

	if (sc->rt_kind == ACL_RT_NONE)
		return;
	if (s->flags & STATE_F_INET6)
		gw = t->v6[state_id(t, s)].rt;
	else {
		memset(&gw, 0, sizeof(gw));
		gw.w[0] = sc->rt;
	}
	pf_route_set(dp, p, port, dir, sc->rt_kind, state_dir(s) ==
	    STATE_DIR_IN ? ACL_IN : ACL_OUT, s->flags & STATE_F_INET6 ?
	    AF_INET6 : AF_INET, &gw);
}

/*
 * max-pkt-rate counts the packets of its rule's states too, those going
 * the way the state was made (requests, not replies); over the rate they
 * do not pass.  Returns 1 to drop.
 */
static int
pf_state_pktrate(struct dp *dp, struct pkt *p, const struct port *port,
    int dir, const struct state *s)
{
	struct dp_pf *pf = &dp->pf;
	struct dp_pf_ruleset *rs = pf->rs;
	struct pf_rule_live *l;

	/* the rule's threshold says whether it has a rate: no rule walk */
	if (RULE_GEN(s->rule) != pf_gen || RULE_IDX(s->rule) >= rs->nstats)
		return 0;
	l = &rs->live[RULE_IDX(s->rule)];
	if (l->pktrate.limit == 0 || state_dir(s) != (dir == ACL_IN ?
	    STATE_DIR_IN : STATE_DIR_OUT))
		return 0;
	pf_threshold_add(&l->pktrate, dp->now);
	if (!pf_threshold_over(&l->pktrate))
		return 0;
	pf->c[PF_C_PKTRATE]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: drop (state of rule %u, "
		    "which is over its max-pkt-rate %u/%u)", dir == ACL_IN ?
		    "in" : "out", port->name, RULE_IDX(s->rule),
		    l->pktrate.limit / PF_THRESHOLD_MULT, l->pktrate.seconds);
	return 1;
}

/*
 * pf_normalize_tcp(), which pf_test() runs on every TCP segment it sees
 * (not only under scrub): a SYN with RST, a segment with neither ACK nor
 * RST but no SYN, and FIN, PSH or URG without ACK are dropped (the
 * NULL, FIN and Xmas scans among them, as `normalize'); a SYN's FIN is
 * cleared, so are the reserved bits and an urgent pointer without URG.
 */
static inline int
pf_tcp_sane(const uint8_t *th, uint8_t f)
{
	if (f & ACL_TH_SYN) {
		if (f & (ACL_TH_RST | ACL_TH_FIN))
			return 0;
	} else if (!(f & (ACL_TH_ACK | ACL_TH_RST)))
		return 0;
	if (!(f & ACL_TH_ACK) && (f & (ACL_TH_FIN | ACL_TH_PUSH | ACL_TH_URG)))
		return 0;
	return (th[12] & 0x0f) == 0 && ((f & ACL_TH_URG) ||
	    (th[18] | th[19]) == 0);
}

static __attribute__((noinline)) int
pf_normalize_tcp(struct dp *dp, struct pkt *p, struct l3info *li,
    const struct port *port, int dir)
{
	struct dp_pf *pf = &dp->pf;
	uint8_t *th = p->data + li->l4off, f = li->tcp_flags;
	int full = !(p->off.flags & PKT_OFF_NEEDS_CSUM);
	const char *why = NULL;
	char did[80] = "";
	uint16_t o, n;

	if (f & ACL_TH_SYN) {
		if (f & ACL_TH_RST)
			why = "a SYN with RST";
		f &= (uint8_t)~ACL_TH_FIN;
	} else if (!(f & (ACL_TH_ACK | ACL_TH_RST)))
		why = "no SYN, ACK or RST";
	if (why == NULL && !(f & ACL_TH_ACK) &&
	    (f & (ACL_TH_FIN | ACL_TH_PUSH | ACL_TH_URG)))
		why = "FIN, PSH or URG without ACK";
	if (why != NULL) {
		pf->c[PF_C_NORM]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (normalize: TCP "
			    "flags %#x: %s)", dir == ACL_IN ? "in" : "out",
			    port->name, li->tcp_flags, why);
		return PF_DROP;
	}
	o = ether_get16(th + 12);
	n = (uint16_t)((th[12] & 0xf0) << 8 | f);
	if (n != o) {
		snprintf(did, sizeof(did), "%s%s", f != li->tcp_flags ?
		    ", a SYN's FIN cleared" : "", (th[12] & 0x0f) ?
		    ", reserved bits cleared" : "");
		ether_put16(th + 12, n);
		if (full)
			ip_csum_update16(th + 16, o, n);
		li->tcp_flags = f;
	}
	if (!(f & ACL_TH_URG) && (o = ether_get16(th + 18)) != 0) {
		snprintf(did + strlen(did), sizeof(did) - strlen(did),
		    ", urgent pointer without URG cleared");
		ether_put16(th + 18, 0);
		if (full)
			ip_csum_update16(th + 16, o, 0);
	}
	pf->c[PF_C_TCP_NORMALIZED]++;
	if (p->traced)
		dp_trace(dp, p, "pf", "%s on %s: normalize: %s",
		    dir == ACL_IN ? "in" : "out", port->name, did + 2);
	return PF_PASS;
}

static int pf_test_one(struct dp *, struct port *, int, struct pkt *,
	    uint32_t *, uint8_t *);

/* pf_test(), and pf_counters_inc()'s count on the interface. */
int
dp_pf_test(struct dp *dp, struct port *port, int dir, struct pkt *p)
{
	uint32_t len = 0;
	uint8_t v6 = 0;
	int r = pf_test_one(dp, port, dir, p, &len, &v6);

	if (len != 0 && port->index < DP_MAX_PORTS) {
		struct pf_ifstats *st = &dp->pf.ifstats[port->index];

		st->packets[v6][dir == ACL_OUT][r != PF_PASS]++;
		st->bytes[v6][dir == ACL_OUT][r != PF_PASS] += len;
	}
	return r;
}

/*
 * pf_test() of one packet going DIR on port; *len (pd->tot_len) and *v6
 * say what the interface counts, *len 0 when nothing (not filtered
 * here, not IP, a fragment held for its datagram).
 */
static int
pf_test_one(struct dp *dp, struct port *port, int dir, struct pkt *p,
    uint32_t *len, uint8_t *v6)
{
	struct dp_pf *pf = &dp->pf;
	struct dp_pf_ruleset *rs = pf->rs;
	const struct acl_classifier *c;
	const char *dname = dir == ACL_IN ? "in" : "out";
	struct acl_result res;
	const struct acl_pool *nat, *rdr;
	struct acl_pkt ap;
	struct state_key key, wire, stack;
	struct nat_rewrite rw;
	struct nat_rewrite6 rw6;
	uint8_t nat6[16], rdr6[16];
	struct state *s;
	struct l3info li;
	uint32_t rule, m, nat_to, rdr_to, node = UINT32_MAX;
	union acl_ip rtgw;
	uint16_t ifx;
	const char *tag;
	int pwhy, xfail, sdir = dir == ACL_IN ? STATE_DIR_IN : STATE_DIR_OUT;
	int rt_ok = 0, afto;
	struct pf_afto at;

	p->pf_rt_af = 0;
	p->pf_afto = 0;
	if (!dp_pf_filters(dp, port))
		return PF_PASS;
	switch (l3_parse(p->data, p->len, &li)) {
	case L3_OK:
		break;
	case L3_NOT_IP:
		return PF_PASS;
	case L3_SHORT:
		pf->c[PF_C_SHORT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (short header)",
			    dname, port->name);
		return PF_DROP;
	default:
		pf->c[PF_C_BADOFF]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (bad offset)",
			    dname, port->name);
		return PF_DROP;
	}
	*len = pf_tot_len(p, &li);
	*v6 = li.af == 6;
	/* Any state this port may use: floating ones (ifindex 0) and the
	 * ones bound to it (pf_find_state()'s kif check). */
	ifx = port->index + 1;
	pf->nat_memo.valid = 0;		/* pf_nat_pick(): this packet's only */
	/* pf_normalize_ip() and _ip6(): a fragment (an offset, or MF; for
	 * IPv6 a Fragment header) is held until its datagram is whole,
	 * which then goes on from here.  One test for the common case. */
	if (__builtin_expect(li.frag || li.fh6 != 0 || (li.af == 4 &&
	    (p->data[li.l3off + 6] & (IP_MF >> 8))), 0)) {
		if ((rs->reass & PF_REASS_YES) && (li.af == 4 ?
		    dp_pf_reass(dp, port, dir, p, &li) :
		    dp_pf_reass6(dp, port, dir, p, &li))) {
			*len = 0;	/* its datagram counts, whole */
			return PF_DROP;
		}
		if (li.frag && li.af == 4 &&
		    pf_frag_follow(dp, port, dir, p, &li))
			return PF_PASS;
	}
	if (li.proto == L3_IPPROTO_TCP && li.l4off != 0 && !li.frag &&
	    __builtin_expect(!pf_tcp_sane(p->data + li.l4off, li.tcp_flags),
	    0) && pf_normalize_tcp(dp, p, &li, port, dir) != PF_PASS)
		return PF_DROP;
	/* pf_test(): under a SYN flood a SYN coming in gets a syncookie */
	if (__builtin_expect(pf->sc.mode != PF_SYNCOOKIES_NEVER, 0) &&
	    dir == ACL_IN && li.proto == L3_IPPROTO_TCP && li.l4off != 0 &&
	    (li.tcp_flags & (ACL_TH_SYN | ACL_TH_ACK)) == ACL_TH_SYN &&
	    dp_pf_syncookie_syn(dp, p, &li, port))
		return PF_DROP;
	if (li.af == 4)
		state_key_make4(&key, li.proto, li.src, li.dst, htons(li.sport),
		    htons(li.dport), sdir);
	else {
		union acl_ip src, dst;

		memcpy(&src, li.src, 16);
		memcpy(&dst, li.dst, 16);
		state_key_make(&key, AF_INET6, li.proto, &src, &dst,
		    htons(li.sport), htons(li.dport), sdir);
	}
	if (p->st_tags & sdir)
		s = state_lookup_tag(&pf->states, &key, p->st_tag[sdir - 1],
		    p->st_hint[sdir - 1], sdir, ifx, dp->now);
	else
		s = state_lookup(&pf->states, &key, sdir, ifx, dp->now);
	if (s == NULL && (li.proto == L3_IPPROTO_ICMP ||
	    li.proto == L3_IPPROTO_ICMPV6) &&
	    !l3_icmp_is_query(li.af, li.icmp_type) && li.l4off != 0) {
		uint64_t badseq = 0;	/* 1 << 32 | seq: BAD ICMP */
		int sidx;

		s = pf_icmp_error_state(dp, p, &li, dir, ifx, dp->now, &sidx,
		    &badseq);
		if (badseq != 0) {
			pf->c[PF_C_BADSTATE]++;
			if (p->traced)
				dp_trace(dp, p, "pf", "%s on %s: drop (BAD ICMP: "
				    "the quoted TCP seq %u is outside its "
				    "state's window)", dname, port->name,
				    (uint32_t)badseq);
			return PF_DROP;
		}
		if (s != NULL && state_afto(&pf->states, s))
			return pf_afto_icmp_error(dp, p, &li, port, dir, s);
		if (s != NULL) {
			/* An error about a flow we translate: as the other
			 * side of the translation knows it. */
			if ((s->flags & STATE_F_NAT) && li.af == 4)
				pf_icmp_error_translate(dp, p, &li, s, dir,
				    sidx);
			else if ((s->flags & STATE_F_NAT) &&
			    pf_icmp6_error_translate(dp, p, &li, s, dir,
			    sidx) != 0) {
				/* NAT66: the error goes as it came */
				pf->c[PF_C_NAT66_ICMP]++;
				if (p->traced)
					dp_trace(dp, p, "nat", "%s on %s: an "
					    "ICMPv6 error about a NAT66 flow: "
					    "not translated", dname,
					    port->name);
			}
			pf_count_state(pf, s, dir, pf_tot_len(p, &li));
			tag = pf_state_tag(pf, p, s);
			pf_scrub_state(dp, p, &li, port, dir, s);
			if (p->traced)
				dp_trace(dp, p, "pf", "%s on %s: pass (icmp "
				    "error about the flow of state of rule "
				    "%u)%s%s", dname, port->name,
				    RULE_IDX(s->rule), *tag ? ", tagged " : "",
				    tag);
			return PF_PASS;
		}
	}
	/* ... and an ACK no state knows may be one of a cookie */
	if (s == NULL && __builtin_expect((pf->sc.inflight[0] |
	    pf->sc.inflight[1]) != 0, 0) && dir == ACL_IN &&
	    li.proto == L3_IPPROTO_TCP && li.l4off != 0 && (li.tcp_flags &
	    (ACL_TH_SYN | ACL_TH_ACK | ACL_TH_RST)) == ACL_TH_ACK &&
	    dp_pf_syncookie_ack(dp, p, &li, port, &key, ifx, &s) != 0)
		return PF_DROP;
	if (s != NULL) {
		/* An af-to state is found going in only, by either key. */
		int tdir = dir, up;

		afto = 0;
		if (__builtin_expect(s->flags & STATE_F_INET6, 0))
			afto = pf_afto_dir(&pf->states, s, li.af, &tdir);
		/* (STATE_DIR_IN and _OUT are ACL_IN and ACL_OUT) */
		up = s->proto == L3_IPPROTO_TCP &&
		    !(s->flags & STATE_F_SLOPPY) ?
		    pf_state_track_tcp(dp, p, &li, port, tdir, s) :
		    state_update(&pf->states, s, tdir, li.tcp_flags,
		    pf_tot_len(p, &li), dp->now);
		if (up < 0)
			return pf_state_refused(dp, p, port, dir, s, up);
		if (__builtin_expect(rs->pktrate, 0) &&
		    pf_state_pktrate(dp, p, port, tdir, s))
			return PF_DROP;
		if (up == STATE_ESTABLISHED && pf->states.aux_used) {
			const char *why;
			uint32_t r = s->rule;

			/* the handshake is complete: a source connection */
			if (dp_pf_src_connlimit(dp, s, &why)) {
				pf->c[PF_C_SRCLIMIT]++;
				if (p->traced)
					dp_trace(dp, p, "pf", "%s on %s: drop "
					    "(source broke %s of rule %u: "
					    "state killed)", dname, port->name,
					    why, RULE_IDX(r));
				return PF_DROP;
			}
		}
		if (s->flags & STATE_F_LOGALL)
			pf_log_state(dp, p, &li, port, dir, s);
		if (__builtin_expect(afto, 0))
			return pf_afto_state(dp, p, &li, port, dir, s,
			    tdir == dir);
		if ((s->flags & STATE_F_NAT) && li.af == 6)
			pf_translate6(p, &li, &pf->states, s, sdir);
		else if (s->flags & STATE_F_NAT) {
			int tagged = p->st_tags;

			pf_translate(p, &li, s, sdir);
			/* A prefetched burst's frame that goes on to an out
			 * rule elsewhere: prefetch for that lookup too. */
			if (tagged && dir == ACL_IN)
				nat_state_retag(&pf->states, p, tagged);
		}
		pf_count_state(pf, s, dir, pf_tot_len(p, &li));
		tag = pf_state_tag(pf, p, s);
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: pass (state of rule "
			    "%u)%s%s", dname, port->name, RULE_IDX(s->rule),
			    *tag ? ", tagged " : "", tag);
		if (__builtin_expect(pf->rt_used, 0))
			pf_route_state(dp, p, port, dir, s);
		pf_scrub_state(dp, p, &li, port, dir, s);
		pf_frag_first(dp, port, dir, p, &li, s);
		return PF_PASS;
	}
	c = rs->cls[2 * port->index + (dir == ACL_OUT)];
	rs->evals[2 * port->index + (dir == ACL_OUT)]++;
	pf_pkt(&li, p, &ap, dp->ports[p->in_port]);
	/* pf_osfp_fingerprint(): only when some rule has `os', as pf */
	if (__builtin_expect(rs->osfp, 0) && pf_osfp_syn(&li)) {
		ap.osfp = acl_osfp_fingerprint(rs->conf->osfp, li.af,
		    p->data + li.l3off, p->data + li.l4off, p->len - li.l4off);
		if (p->traced) {
			char os[128];

			acl_osfp_describe(rs->conf->osfp, ap.osfp, os,
			    sizeof(os));
			dp_trace(dp, p, "pf", "os fingerprint of the SYN: %s",
			    os);
		}
	}
	/* pools map once a packet, from here (a state hit never gets here) */
	memset(pf->pool_memo, 0, sizeof(pf->pool_memo));
	pf->pool_pkt = p;
	acl_classify(c, &ap, &res);
	pf->pool_pkt = NULL;
	if (res.ar_reason == ACL_R_NOMATCH) {
		if (res.ar_mlog)
			pf_log_rules(dp, c, &ap, &res, p, &li, port, dir);
		if (res.ar_tag != 0)
			p->pf_tag = res.ar_tag;	/* a match rule's */
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: no rule matched: pass "
			    "without state", dname, port->name);
		pf_scrub_res(dp, p, &li, port, dir, &res);
		return PF_PASS;
	}
	if (res.ar_reason == ACL_R_TRANSLATE) {
		pf->c[PF_C_TRANSLATE]++;
		return PF_DROP;
	}
	pf->c[PF_C_MATCH]++;
	rule = (uint32_t)pf_gen << 24 | pf_rule_index(rs, c, res.ar_nr);
	pf_count(pf, rule, dir, pf_tot_len(p, &li));
	/* a packet without state counts on its rule's tables as it is (a
	 * state's count as the state has it, from its first packet on) */
	if (__builtin_expect(rs->rtab != NULL, 0) && (res.ar_action ==
	    ACL_BLOCK || res.ar_keep_state == ACL_STATE_NONE || li.frag)) {
		union acl_ip a[2];

		dp_pf_tables_count(rs, RULE_IDX(rule), res.ar_action ==
		    ACL_BLOCK ? ACL_TOP_BLOCK : ACL_TOP_PASS, dir,
		    pf_li_addrs(&li, a), &a[0], &a[1], pf_tot_len(p, &li));
	}
	if (p->traced) {
		char text[160] = "";
		FILE *f = fmemopen(text, sizeof(text) - 1, "w");

		/* explain: the deciding rule, as pfctl prints it. */
		if (f != NULL && res.ar_rule != NULL) {
			acl_print_rule(f, res.ar_rule, 0);
			fclose(f);
		} else if (f != NULL)
			fclose(f);
		dp_trace(dp, p, "pf", "%s on %s: %s by rule @%u%s%s%s: %s",
		    dname, port->name, res.ar_action == ACL_BLOCK ? "block" :
		    "pass", res.ar_anchor_nr, res.ar_anchor &&
		    res.ar_anchor[0] ? " of anchor " : "", res.ar_anchor ?
		    res.ar_anchor : "", "", text);
		if (rs->rtab != NULL) {
			union acl_ip a[2];

			dp_pf_tables_why(rs, RULE_IDX(rule), pf_li_addrs(&li,
			    a), &a[0], &a[1], text, sizeof(text));
			if (text[0] != '\0')
				dp_trace(dp, p, "pf", "%s on %s: %s", dname,
				    port->name, text);
		}
	}
	if (res.ar_mlog || (res.ar_rule != NULL && res.ar_rule->log))
		pf_log_rules(dp, c, &ap, &res, p, &li, port, dir);
	if (res.ar_rule != NULL && (res.ar_rule->rule_flag & ACL_RF_ONCE) &&
	    RULE_IDX(rule) < rs->nstats) {
		/* pf_test_rule(): the first packet a once rule decides
		 * expires it (after pflog's walk, which saw it match) */
		rs->live[RULE_IDX(rule)].expired = 1;
		pf->c[PF_C_ONCE]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "rule @%u%s%s is once: it has "
			    "expired", res.ar_anchor_nr, res.ar_anchor &&
			    res.ar_anchor[0] ? " of anchor " : "",
			    res.ar_anchor ? res.ar_anchor : "");
	}
	if (li.frag && res.ar_action == ACL_BLOCK) {
		/* pf_test(): a fragment the rules refuse is PFRES_FRAG. */
		pf->c[PF_C_FRAG]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (a later fragment "
			    "whose first fragment made or met no state here: "
			    "the rules refused it)", dname, port->name);
		return PF_DROP;
	}
	if (res.ar_action == ACL_BLOCK) {
		pf->blocked++;
		if ((res.ar_return & (ACL_RF_RETURN | ACL_RF_RETURNRST |
		    ACL_RF_RETURNICMP)) && res.ar_rule != NULL)
			pf_return(dp, p, &li, res.ar_rule, res.ar_return);
		return PF_DROP;
	}
	/* pf_test_rule(): a passed packet carries the evaluation's tag. */
	if (res.ar_tag != 0)
		p->pf_tag = res.ar_tag;
	/*
	 * pf_test_rule() maps the translation's pools before it looks at
	 * keep state: a pool with no address (nat-to (tap1), tap1 without
	 * one) fails the packet with or without a state, PFRES_TRANSLATE.
	 * A match rule's empty pool failed it in the classifier already.
	 */
	pf_xlate_pools(&res, &nat, &rdr);
	afto = res.ar_rule != NULL && (res.ar_rule->rule_flag & ACL_RF_AFTO);
	if (__builtin_expect(afto, 0)) {
		/* af-to is the translation (a match rule's goes unused) */
		nat = rdr = NULL;
		if (pf_afto_refused(dp, p, &li, port, dir, 0))
			return PF_DROP;
	}
	nat_to = rdr_to = 0;
	pwhy = PF_POOL_OK;
	pf->pool_pkt = p;
	if (li.af == 6)
		xfail = nat != NULL && dp_pf_pool_map6(dp, res.ar_nat,
		    PF_POOL_NAT, li.src, li.dst, nat6, &pwhy, NULL, 0) != 0 ?
		    1 : rdr != NULL && dp_pf_pool_map6(dp, res.ar_rdr,
		    PF_POOL_RDR, li.src, li.dst, rdr6, &pwhy, NULL, 0) != 0 ?
		    2 : 0;
	else {
		if (nat != NULL)
			nat_to = pf_pool_get(dp, res.ar_nat, PF_POOL_NAT,
			    li.src, li.dst, &pwhy);
		if (rdr != NULL && (nat == NULL || nat_to != 0))
			rdr_to = pf_pool_get(dp, res.ar_rdr, PF_POOL_RDR,
			    li.src, li.dst, &pwhy);
		xfail = nat != NULL && nat_to == 0 ? 1 : rdr != NULL &&
		    rdr_to == 0 ? 2 : 0;
	}
	pf->pool_pkt = NULL;
	if (xfail) {
		pf->c[PF_C_TRANSLATE]++;
		if (pwhy == PF_POOL_EMPTY)
			pf->c[PF_C_POOL_EMPTY]++;
		if (p->traced)
			dp_trace(dp, p, "nat", "%s on %s: drop (%s pool has no "
			    "%s)", dname, port->name, xfail == 1 ? "nat-to" :
			    "rdr-to", li.af == 4 || pwhy == PF_POOL_EMPTY ?
			    "address" : "single IPv6 address");
		return PF_DROP;
	}
	if (res.ar_rule != NULL && res.ar_rule->rt != ACL_RT_NONE &&
	    (rt_ok = pf_route_map(dp, p, port, dir, &li, res.ar_rule,
	    &rtgw)) < 0)
		return PF_DROP;
	if (res.ar_keep_state == ACL_STATE_NONE) {
		/* (pfctl: route-to and the like require keep state) */
		pf_scrub_res(dp, p, &li, port, dir, &res);
		if (afto && (pf_afto_map(dp, &li, res.ar_rule, &stack, &at,
		    &tag) != 0 || pf_afto_apply(dp, p, &li, port, dir,
		    &at) != 0))
			return pf_afto_nomap(dp, p, port, dir, tag);
		return PF_PASS;
	}
	if (li.frag) {
		/* pf_test_rule(): no state, no translation for a fragment. */
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: pass a later fragment "
			    "by the rules alone (no state, not translated)",
			    dname, port->name);
		pf_scrub_res(dp, p, &li, port, dir, &res);
		return PF_PASS;
	}
	/* keep state (max N): pf_test_rule() refuses the state when the
	 * rule holds N already, PFRES_MAXSTATES. */
	if (res.ar_rule != NULL && res.ar_rule->max_states != 0 &&
	    RULE_IDX(rule) < rs->nstats &&
	    rs->stats[RULE_IDX(rule)].states_cur >=
	    res.ar_rule->max_states) {
		pf->c[PF_C_MAXSTATES]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (rule's max %u "
			    "states reached)", dname, port->name,
			    res.ar_rule->max_states);
		return PF_DROP;
	}
	/* if-bound (the rule's own or set state-policy's, which pfctl put
	 * in the rule): BOUND_IFACE(), else floating. */
	if (res.ar_rule == NULL || !(res.ar_rule->rule_flag & ACL_RF_IFBOUND))
		ifx = 0;
	/* an af-to state's replies come in on another interface */
	if (afto)
		ifx = 0;
	wire = key;
	stack = key;
	pf->pool_pkt = p;
	if (afto && pf_afto_map(dp, &li, res.ar_rule, &stack, &at, &tag) != 0) {
		pf->pool_pkt = NULL;
		return pf_afto_nomap(dp, p, port, dir, tag);
	}
	xfail = (nat != NULL || rdr != NULL) && (li.af == 6 ?
	    pf_xlate_key6(dp, &li, dir == ACL_IN ? &stack : &wire, sdir,
	    nat != NULL ? res.ar_nat : NULL, nat6, rdr, rdr6, &rw6) :
	    pf_xlate_key(dp, &li, dir == ACL_IN ? &stack : &wire, sdir,
	    nat != NULL ? res.ar_nat : NULL, &nat_to, rdr, rdr_to, &rw)) != 0;
	pf->pool_pkt = NULL;
	if (xfail) {
		pf->c[PF_C_TRANSLATE]++;
		if (p->traced)
			dp_trace(dp, p, "nat", "%s on %s: drop (nat-to: no free "
			    "port)", dname, port->name);
		return PF_DROP;
	}
	if (res.ar_rule != NULL && (res.ar_rule->rule_flag & ACL_RF_SRCTRACK)) {
		union acl_ip src;
		const char *why;

		memset(&src, 0, sizeof(src));
		memcpy(&src, li.src, li.af == 4 ? 4 : 16);
		if (dp_pf_src_get(dp, res.ar_rule, rule, li.af == 4 ? AF_INET :
		    AF_INET6, &src, &node, &why) != 0) {
			pf->c[PF_C_SRCLIMIT]++;
			if (p->traced)
				dp_trace(dp, p, "pf", "%s on %s: drop (no "
				    "state: %s)", dname, port->name, why);
			return PF_DROP;
		}
	}
	if ((nat != NULL && (nat->opts & ACL_POOL_STICKYADDR)) ||
	    (rdr != NULL && (rdr->opts & ACL_POOL_STICKYADDR)) ||
	    (rt_ok > 0 && (res.ar_rule->route.opts & ACL_POOL_STICKYADDR))) {
		const char *why;
		union acl_ip to[PF_POOL_SIDES];

		memset(to, 0, sizeof(to));
		if (nat != NULL)
			memcpy(&to[PF_POOL_NAT], li.af == 4 ? (void *)&nat_to :
			    (void *)nat6, li.af == 4 ? 4 : 16);
		if (rdr != NULL)
			memcpy(&to[PF_POOL_RDR], li.af == 4 ? (void *)&rdr_to :
			    (void *)rdr6, li.af == 4 ? 4 : 16);
		if (rt_ok > 0)
			to[PF_POOL_ROUTE] = rtgw;
		if (pf_sticky_nodes(dp, &res, li.af == 4 ? AF_INET : AF_INET6,
		    li.src, to, &node, &why) != 0) {
			pf->c[PF_C_SRCLIMIT]++;
			if (p->traced)
				dp_trace(dp, p, "pf", "%s on %s: drop (no "
				    "state: sticky-address: %s)", dname,
				    port->name, why);
			return PF_DROP;
		}
	}
	s = state_insert(&pf->states, &wire, &stack, sdir, ifx, dp->now,
	    RULE_IDX(rule) < rs->nstats ? rs->tmo[RULE_IDX(rule)] : 0, rule);
	if (s == NULL) {
		/* The table is pf's state pool: at its hard limit pool_get()
		 * fails and pf_create_state() says PFRES_MEMORY. */
		if (pf->states.count >= pf->states.limit)
			pf->c[PF_C_MEMORY]++;
		else
			pf->c[PF_C_STATEINS]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: drop (no state: %s)",
			    dname, port->name, pf->states.count >=
			    pf->states.limit ? "limit reached" : "key taken");
		return PF_DROP;
	}
	s->packets[0] = 1;	/* the first packet; tracking starts after */
	s->bytes[0] = pf_tot_len(p, &li);
	if (li.proto == L3_IPPROTO_TCP) {
		struct state_seg g;

		pf->sc.halfopen++;	/* until the next count: syncookies */
		pf_tcp_seg(p, &li, &g);
		state_tcp_init(&pf->states, s, &g);
		if (res.ar_rule != NULL &&
		    (res.ar_rule->rule_flag & ACL_RF_STATESLOPPY))
			s->flags |= STATE_F_SLOPPY;
	}
	if (node != UINT32_MAX)
		dp_pf_src_link(dp, s, node);
	if (res.ar_tag != 0) {
		s->flags |= STATE_F_TAGGED;
		pf->states.cold[state_id(&pf->states, s)].tag = res.ar_tag;
	}
	if (res.ar_rule != NULL && (res.ar_rule->log & ACL_LOG_ALL))
		s->flags |= STATE_F_LOGALL;
	if (res.ar_rule != NULL && (res.ar_rule->rule_flag & ACL_RF_PFLOW)) {
		pf->states.cold[state_id(&pf->states, s)].pflow = 1;
		pf->states.cold[state_id(&pf->states, s)].ifin =
		    (uint16_t)(port->index + 1);
	}
	if (acl_scrub_any(&res.ar_scrub)) {
		int n = pf_scrub_intern(pf, &res.ar_scrub,
		    pf_scrub_delay(pf, &res.ar_scrub));

		if (n >= 0) {
			s->flags |= STATE_F_SCRUB;
			pf->states.cold[state_id(&pf->states, s)].scrub =
			    (uint16_t)n;
		} else
			pf->c[PF_C_SCRUBFULL]++;
		if (n >= 0 && (res.ar_scrub.flags & ACL_SCRUB_TCP) &&
		    li.proto == L3_IPPROTO_TCP && !afto &&
		    dp_pf_tscrub_new(dp, s, p, &li, port, dir) != 0) {
			/* pf_create_state(): its first packet failed */
			dp_pf_state_gone(dp, s);
			state_remove(&pf->states, s);
			return PF_DROP;
		}
	}
	if (afto) {
		/* translated last, once all has read the packet as it came */
	} else if ((s->flags & STATE_F_NAT) && li.af == 6) {
		nat_rewrite6(p, &li, &rw6);
		if (p->traced) {
			char a[INET6_ADDRSTRLEN];

			if (rw6.set & NAT_RW6_SRC)
				dp_trace(dp, p, "nat", "%s on %s: nat-to %s[%u]",
				    dname, port->name, inet_ntop(AF_INET6,
				    rw6.src, a, sizeof(a)), rw6.sport);
			if (rw6.set & NAT_RW6_DST)
				dp_trace(dp, p, "nat", "%s on %s: rdr-to %s[%u]",
				    dname, port->name, inet_ntop(AF_INET6,
				    rw6.dst, a, sizeof(a)), rw6.dport ?
				    rw6.dport : li.dport);
		}
	} else if (s->flags & STATE_F_NAT) {
		nat_rewrite4(p, &li, &rw);
		if (p->traced) {
			char a[INET_ADDRSTRLEN];

			if (rw.src != 0)
				dp_trace(dp, p, "nat", "%s on %s: nat-to %s:%u",
				    dname, port->name, inet_ntop(AF_INET,
				    &rw.src, a, sizeof(a)), rw.sport);
			if (rw.dst != 0)
				dp_trace(dp, p, "nat", "%s on %s: rdr-to %s:%u",
				    dname, port->name, inet_ntop(AF_INET,
				    &rw.dst, a, sizeof(a)), rw.dport ?
				    rw.dport : li.dport);
		}
	}
	if (RULE_IDX(rule) < rs->nstats) {
		rs->stats[RULE_IDX(rule)].states_cur++;
		rs->stats[RULE_IDX(rule)].states_tot++;
	}
	/*
	 * pf hangs the match rules that applied on the state and counts
	 * the state's packets on them too (pf_counters_inc()).  sluice keeps
	 * the last one, and settles its packets when the state goes (the
	 * views add the live states'), so a state hit pays nothing for it.
	 */
	m = (uint32_t)pf_gen << 24 | pf_rule_index(rs, c, res.ar_match_nr);
	pf->states.cold[state_id(&pf->states, s)].match_rule = m;
	if (__builtin_expect(rs->rtab != NULL, 0))
		pf_tables_state(pf, s, dir, pf_tot_len(p, &li));
	pf->states.cold[state_id(&pf->states, s)].rt_kind = (uint8_t)
	    (rt_ok > 0 ? res.ar_rule->rt : ACL_RT_NONE);
	if (rt_ok > 0) {
		pf->rt_used = 1;
		if (li.af == 4)
			pf->states.cold[state_id(&pf->states, s)].rt =
			    rtgw.w[0];
		else
			pf->states.v6[state_id(&pf->states, s)].rt = rtgw;
		pf_route_set(dp, p, port, dir, res.ar_rule->rt,
		    res.ar_rule->direction, li.af == 4 ? AF_INET : AF_INET6,
		    &rtgw);
	}
	if (RULE_IDX(m) < rs->nstats) {
		rs->stats[RULE_IDX(m)].states_cur++;
		rs->stats[RULE_IDX(m)].states_tot++;
	}
	if (pf->pool_memo[PF_POOL_NAT].sticky ||
	    pf->pool_memo[PF_POOL_RDR].sticky ||
	    pf->pool_memo[PF_POOL_ROUTE].sticky)
		pf->c[PF_C_POOL_STICKY]++;
	if ((nat != NULL && (nat->opts & ACL_POOL_TYPEMASK) ==
	    ACL_POOL_LEASTSTATES) || (rdr != NULL && (rdr->opts &
	    ACL_POOL_TYPEMASK) == ACL_POOL_LEASTSTATES) || (rt_ok > 0 &&
	    (res.ar_rule->route.opts & ACL_POOL_TYPEMASK) ==
	    ACL_POOL_LEASTSTATES))
		pf_ls_state(pf, s, 1);
	/* sloppy is refused with these by pfctl; a SYN sluice answered
	 * goes no further (li still has the addresses as they came) */
	if (__builtin_expect(res.ar_keep_state >= ACL_STATE_MODULATE, 0) &&
	    li.proto == L3_IPPROTO_TCP && afto) {
		/* the sequence numbers are left as they are across */
		pf->c[PF_C_MOD_KEPT]++;
		if (p->traced)
			dp_trace(dp, p, "pf", "%s on %s: af-to: kept as keep "
			    "state", dname, port->name);
	} else if (__builtin_expect(res.ar_keep_state >= ACL_STATE_MODULATE,
	    0) && li.proto == L3_IPPROTO_TCP && !(s->flags & STATE_F_SLOPPY) &&
	    pf_state_modulate_new(dp, p, &li, port, dir, s,
	    res.ar_keep_state))
		return PF_DROP;
	pf_scrub_res(dp, p, &li, port, dir, &res);
	if (__builtin_expect(afto, 0))
		return pf_afto_apply(dp, p, &li, port, dir, &at) == 0 ?
		    PF_PASS : PF_DROP;
	pf_frag_first(dp, port, dir, p, &li, s);
	return PF_PASS;
}

/* The stats of rule R (a state's), if R belongs to the loaded rules. */
static struct pf_rule_stats *
pf_stats(struct dp_pf *pf, uint32_t r)
{
	if (pf->rs == NULL || RULE_GEN(r) != pf_gen ||
	    RULE_IDX(r) >= pf->rs->nstats)
		return NULL;
	return &pf->rs->stats[RULE_IDX(r)];
}

/* Add state s's packets to st, by direction (side 0 went s's way). */
static void
pf_stats_add_state(struct pf_rule_stats *st, const struct state_table *t,
    const struct state *s)
{
	int d0 = state_dir(s) == STATE_DIR_OUT;

	st->packets[d0] += state_packets(t, s, 0);
	st->packets[!d0] += state_packets(t, s, 1);
	st->bytes[d0] += s->bytes[0];
	st->bytes[!d0] += s->bytes[1];
}

static int
pf_state_gone(struct state *s, void *arg)
{
	struct dp_pf *pf = arg;
	struct pf_rule_stats *st;

	if (pf->states.cold[state_id(&pf->states, s)].pflow)
		dp_pflow_export((struct dp *)((char *)pf -
		    offsetof(struct dp, pf)), s);

	if ((st = pf_stats(pf, s->rule)) != NULL && st->states_cur > 0)
		st->states_cur--;
	dp_pf_src_unlink(pf, s);
	if (pf->ls_used != 0)
		pf_ls_state(pf, s, -1);
	st = pf_stats(pf, pf->states.cold[state_id(&pf->states,
	    s)].match_rule);
	if (st != NULL) {
		pf_stats_add_state(st, &pf->states, s);
		if (st->states_cur > 0)
			st->states_cur--;
	}
	return 0;
}

static int
pf_live_match(struct state *s, void *arg)
{
	struct dp *dp = arg;
	struct pf_rule_stats *st;

	st = pf_stats(&dp->pf, dp->pf.states.cold[state_id(&dp->pf.states,
	    s)].match_rule);
	if (st != NULL)
		pf_stats_add_state(&dp->pf.rs->stats_view[st -
		    dp->pf.rs->stats], &dp->pf.states, s);
	return 0;
}

/*
 * What pfctl -vsr shows per rule: the counters kept per packet, plus
 * those pf keeps that sluice works out here.  A match rule also counts
 * the live states hung on it.  An anchor rule counts what the rules of
 * the anchors it calls decided, since pf counts a packet on the rule
 * and on its innermost anchor rule (pf_counters_inc()); an anchor called
 * from two places shows everything on each.  Fills rs->stats_view.
 */
void
dp_pf_stats_view(struct dp *dp)
{
	struct dp_pf_ruleset *rs = dp->pf.rs;
	const struct acl_conf *conf;
	size_t k, i, j, n;

	if (rs == NULL)
		return;
	conf = rs->conf;
	memcpy(rs->stats_view, rs->stats, rs->nstats * sizeof(*rs->stats));
	state_walk(&dp->pf.states, pf_live_match, dp);
	for (k = 0; k < conf->nall; k++) {
		const struct acl_anchor *a = conf->all[k];

		for (i = 0; i < a->rs.nrules; i++) {
			const struct acl_rule *call = &a->rs.rules[i];
			struct pf_rule_stats *cs;

			if (call->anchor == NULL)
				continue;
			cs = &rs->stats_view[rs->anchor_base[k] + i];
			for (j = 0; j < conf->nall; j++) {
				const struct acl_anchor *b = conf->all[j];

				if (!pf_calls(call, b))
					continue;
				for (n = 0; n < b->rs.nrules; n++) {
					const struct pf_rule_stats *st =
					    &rs->stats[rs->anchor_base[j] + n];

					if (b->rs.rules[n].action ==
					    ACL_MATCH)
						continue;
					cs->packets[0] += st->packets[0];
					cs->packets[1] += st->packets[1];
					cs->bytes[0] += st->bytes[0];
					cs->bytes[1] += st->bytes[1];
					cs->states_cur += st->states_cur;
					cs->states_tot += st->states_tot;
				}
			}
		}
	}
}

/*
 * What pfctl -vss says of a state's rule: its number in its ruleset and,
 * for a rule in an anchor, the number of the anchor rule that called it
 * (-1: none).  A state of rules since replaced keeps its old number.
 */
void
dp_pf_rule_where(struct dp *dp, uint32_t rule, int *anchor, uint32_t *nr)
{
	const struct acl_anchor *a;
	const struct acl_rule *r = pf_rule_at(dp->pf.rs, rule, &a);

	*anchor = -1;
	*nr = RULE_IDX(rule);
	if (r == NULL)
		return;
	*nr = r->nr;
	if (a != dp->pf.rs->conf->root)
		*anchor = dp_pf_anchor_call(dp->pf.rs->conf, a);
}

/* The anchor rule that calls anchor a (its number in its ruleset), or -1. */
int
dp_pf_anchor_call(const struct acl_conf *conf, const struct acl_anchor *a)
{
	const struct acl_rule *call = pf_call_rule(conf, a);

	return call != NULL ? (int)call->nr : -1;
}

/*
 * Interface addresses changed: compile the loaded rules again, so that
 * (if), self and egress follow (pf's dynaddr).  Counters carry over.
 */
int
dp_pf_recompile(struct dp *dp, FILE *err)
{
	struct dp_pf_ruleset *old = dp->pf.rs, *rs;

	if (old == NULL)
		return 0;
	if (pf_ruleset_build(dp, old->conf, &rs, err) != 0)
		return EINVAL;
	if (rs->nstats == old->nstats)
		memcpy(rs->stats, old->stats, old->nstats * sizeof(*rs->stats));
	if (rs->nstats == old->nstats)
		memcpy(rs->tmo, old->tmo, old->nstats * sizeof(*rs->tmo));
	/* round-robin goes on where it was: a table changed, not the rules */
	if (rs->nstats == old->nstats)
		memcpy(rs->pools, old->pools, PF_POOL_SIDES *
		    (size_t)old->nstats * sizeof(*rs->pools));
	/* and once and max-pkt-rate keep what they knew */
	if (rs->nstats == old->nstats)
		memcpy(rs->live, old->live, old->nstats * sizeof(*rs->live));
	old->conf = NULL;		/* now rs's */
	pf_ruleset_free(old);
	dp->pf.rs = rs;
	return 0;
}

/*
 * explain: what pf would do with a packet, without sending one.
 *   explain in|out on IF [proto tcp|udp|icmp|N] from ADDR [port N]
 *       to ADDR [port N] [flags S|SA|A|...]
 * Prints the state it would match, or the rule that decides, the match
 * rule whose translation applies, and why nothing else did.
 */
/* explain: the scrub the rules gave, in pf.conf's words. */
static void
pf_explain_scrub(FILE *out, const struct dp_pf *pf, const struct acl_scrub *sc,
    int state)
{
	const char *sp = "";
	uint16_t delay;

	if (sc->qid != 0) {
		fprintf(out, "  queue: %s", acl_tag_name(pf->qnames, sc->qid));
		if (sc->pqid != sc->qid)
			fprintf(out, " (lowdelay and empty ACKs: %s)",
			    acl_tag_name(pf->qnames, sc->pqid));
		fprintf(out, ", on this packet%s\n", state ?
		    " and every packet of its state" : "");
	}
	if ((delay = pf_scrub_delay(pf, sc)) != 0)
		fprintf(out, "  delay: %u ms where it leaves, on this packet%s\n",
		    delay, state ? " and every packet of its state" : "");
	if ((sc->flags & ACL_SCRUB_ENFORCED) == 0 && !sc->min_ttl &&
	    !sc->max_mss)
		return;
	fputs("  normalized:", out);
	if ((sc->flags & (ACL_SCRUB_NODF | ACL_SCRUB_RANDOMID |
	    ACL_SCRUB_TCP)) || sc->min_ttl || sc->max_mss) {
		fputs(" scrub (", out);
		if (sc->flags & ACL_SCRUB_NODF) {
			fputs("no-df", out);
			sp = " ";
		}
		if (sc->flags & ACL_SCRUB_RANDOMID) {
			fprintf(out, "%srandom-id", sp);
			sp = " ";
		}
		if (sc->min_ttl) {
			fprintf(out, "%smin-ttl %u", sp, sc->min_ttl);
			sp = " ";
		}
		if (sc->max_mss) {
			fprintf(out, "%smax-mss %u", sp, sc->max_mss);
			sp = " ";
		}
		if (sc->flags & ACL_SCRUB_TCP)
			fprintf(out, "%sreassemble tcp", sp);
		fputc(')', out);
	}
	if (sc->flags & (ACL_SCRUB_SETTOS | ACL_SCRUB_SETPRIO)) {
		fputs(" set (", out);
		if (sc->flags & ACL_SCRUB_SETPRIO) {
			if (sc->set_prio >> 4 == (sc->set_prio & 0x0f))
				fprintf(out, "prio %u", sc->set_prio & 0x0f);
			else
				fprintf(out, "prio(%u, %u)", sc->set_prio &
				    0x0f, sc->set_prio >> 4);
		}
		if (sc->flags & ACL_SCRUB_SETTOS)
			fprintf(out, "%stos 0x%2.2x", sc->flags &
			    ACL_SCRUB_SETPRIO ? ", " : "", sc->set_tos);
		fputc(')', out);
	}
	fprintf(out, ", on this packet%s\n", state ?
	    " and every packet of its state" : "");
}

static const char *const pf_rt_names[] = { "", "route-to", "dup-to",
	"reply-to" };

/* Where the router sends what goes to gw (family af), in words. */
static void
pf_explain_hop(struct dp *dp, FILE *out, int af, const union acl_ip *gw)
{
	struct port *p = router_route_port(&dp->router, af, gw->b);
	char a[INET6_ADDRSTRLEN];

	inet_ntop(af, gw, a, sizeof(a));
	if (p == NULL)
		fprintf(out, "%s, to which there is no route: dropped", a);
	else
		fprintf(out, "%s, out of %s (past pf out there), whatever the "
		    "table says of the destination", a, p->name);
}

/* A pass rule's route-to, reply-to or dup-to, as pf_route() would act. */
static void
pf_explain_route(struct dp *dp, FILE *out, const struct acl_rule *r,
    const struct acl_pkt *ap, const struct port *port)
{
	const char *what = pf_rt_names[r->rt];
	union acl_ip gw;
	char how[160];
	int why;

	if (port->rif == NULL) {
		fprintf(out, "  %s: not followed on a bridge member: bridged\n",
		    what);
		return;
	}
	memset(&gw, 0, sizeof(gw));
	if (r->route.addr.type == ACL_ADDR_DYNIFTL) {
		fprintf(out, "  %s: not followed (an interface's addresses): "
		    "routed by the table\n", what);
		return;
	}
	dp->pf.pool_dry = 1;
	if (ap->af == AF_INET6)
		why = dp_pf_pool_map6(dp, r, PF_POOL_ROUTE, ap->src.b,
		    ap->dst.b, gw.b, &why, how, sizeof(how)) ? why : PF_POOL_OK;
	else
		gw.w[0] = dp_pf_pool_map(dp, r, PF_POOL_ROUTE, ap->src.b,
		    ap->dst.b, 0, &why, how, sizeof(how));
	dp->pf.pool_dry = 0;
	if (ap->af == AF_INET6 ? why != PF_POOL_OK : gw.w[0] == 0) {
		fprintf(out, "  %s: %s: its pool has no address now: drop "
		    "(no-route)\n", what, how);
		return;
	}
	if (r->rt == ACL_RT_REPLYTO) {
		fprintf(out, "  reply-to: this packet goes by the table; its "
		    "state's packets coming back go to ");
		pf_explain_hop(dp, out, ap->af, &gw);
	} else {
		fprintf(out, "  %s: %s", what, r->rt == ACL_RT_DUPTO ? "this "
		    "packet goes on, and a copy to " : "this packet and its "
		    "state's going this way go to ");
		pf_explain_hop(dp, out, ap->af, &gw);
	}
	fputc('\n', out);
	if (how[0] != '\0')
		fprintf(out, "  %s's pool: %s\n", what, how);
}

/* A state's route-to, reply-to or dup-to: does it send this packet? */
static void
pf_explain_route_state(struct dp *dp, FILE *out, const struct state *s,
    const struct port *port, int dir)
{
	const struct state_table *t = &dp->pf.states;
	const struct state_cold *sc = &t->cold[state_id(t, s)];
	int rdir = state_dir(s) == STATE_DIR_IN ? ACL_IN : ACL_OUT;
	union acl_ip gw;

	if (sc->rt_kind == ACL_RT_NONE)
		return;
	if ((sc->rt_kind == ACL_RT_REPLYTO) == (rdir == dir)) {
		fprintf(out, "  its state's %s is for the other way: by the "
		    "table\n", pf_rt_names[sc->rt_kind]);
		return;
	}
	if (port->rif == NULL) {
		fprintf(out, "  its state's %s: not followed on a bridge "
		    "member\n", pf_rt_names[sc->rt_kind]);
		return;
	}
	if (s->flags & STATE_F_INET6)
		gw = t->v6[state_id(t, s)].rt;
	else {
		memset(&gw, 0, sizeof(gw));
		gw.w[0] = sc->rt;
	}
	fprintf(out, "  its state's %s: to ", pf_rt_names[sc->rt_kind]);
	pf_explain_hop(dp, out, s->flags & STATE_F_INET6 ? AF_INET6 : AF_INET,
	    &gw);
	fputc('\n', out);
}

int
dp_pf_explain(struct dp *dp, int argc, char **argv, FILE *out)
{
	struct dp_pf *pf = &dp->pf;
	struct acl_result res;
	const struct acl_pool *nat, *rdr;
	struct acl_pkt ap;
	struct state_key key;
	struct state *s;
	struct port *port = NULL;
	union acl_ip src, dst;
	int i, dir = 0, sdir, af[2] = { AF_INET, AF_INET };
	char text[512] = "";

	memset(&ap, 0, sizeof(ap));
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	ap.af = AF_INET;
	ap.proto = 6;
	ap.tcp_flags = 0x02;
	ap.rcvif = ACL_RCVIF_NONE;
	ap.prio = ACL_DEFPRIO;
	for (i = 1; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(w, "in") == 0)
			dir = ACL_IN;
		else if (strcmp(w, "out") == 0)
			dir = ACL_OUT;
		else if (strcmp(w, "on") == 0 && v != NULL) {
			if ((port = dp_port(dp, v)) == NULL) {
				fprintf(out, "explain: %s: no such interface\n",
				    v);
				return 1;
			}
			i++;
		} else if (strcmp(w, "proto") == 0 && v != NULL) {
			ap.proto = strcmp(v, "tcp") == 0 ? 6 : strcmp(v,
			    "udp") == 0 ? 17 : strcmp(v, "icmp") == 0 ? 1 :
			    strcmp(v, "icmp6") == 0 ? 58 : (uint8_t)atoi(v);
			if (ap.proto == 1)
				ap.icmp_type = 8;
			if (ap.proto == 58)
				ap.icmp_type = 128;	/* echo request */
			i++;
		} else if ((strcmp(w, "from") == 0 || strcmp(w, "to") == 0) &&
		    v != NULL) {
			union acl_ip *a = w[0] == 'f' ? &src : &dst;
			int *f = &af[w[0] != 'f'];

			*f = strchr(v, ':') != NULL ? AF_INET6 : AF_INET;
			if (inet_pton(*f, v, a) != 1) {
				fprintf(out, "explain: %s: expected an IPv4 or "
				    "IPv6 address\n", v);
				return 1;
			}
			i++;
			if (i + 2 < argc && strcmp(argv[i + 1], "port") == 0) {
				uint16_t pt = (uint16_t)atoi(argv[i + 2]);

				if (w[0] == 'f')
					ap.sport = pt;
				else
					ap.dport = pt;
				i += 2;
			}
		} else if (strcmp(w, "tagged") == 0 && v != NULL) {
			/* As if an earlier rule (or bridge rule) tagged it. */
			if ((ap.tag = acl_tag_id(pf->tags, v, 0)) == 0) {
				fprintf(out, "explain: tag %s: no rule sets or "
				    "tests it\n", v);
				return 1;
			}
			i++;
		} else if (strcmp(w, "prio") == 0 && v != NULL) {
			/* As if a vlan's PCP or an earlier set prio gave it. */
			if (v[0] < '0' || v[0] > '7' || v[1] != '\0') {
				fprintf(out, "explain: prio %s: expected 0 to "
				    "7\n", v);
				return 1;
			}
			ap.prio = (uint8_t)(v[0] - '0');
			i++;
		} else if (strcmp(w, "flags") == 0 && v != NULL) {
			const char *f;

			ap.tcp_flags = 0;
			for (f = v; *f; f++)
				ap.tcp_flags |= *f == 'F' ? 0x01 : *f == 'S' ?
				    0x02 : *f == 'R' ? 0x04 : *f == 'P' ? 0x08 :
				    *f == 'A' ? 0x10 : 0;
			i++;
		} else {
			fprintf(out, "explain: unexpected \"%s\"; usage: "
			    "explain in|out on IF [proto P] from A [port N] to "
			    "B [port N] [flags S] [tagged NAME] [prio N]\n",
			    w);
			return 1;
		}
	}
	if (dir == 0 || port == NULL) {
		fprintf(out, "explain: say in or out, and on which interface\n");
		return 1;
	}
	if (af[0] != af[1]) {
		fprintf(out, "explain: from and to are of two families\n");
		return 1;
	}
	ap.af = (uint8_t)af[0];
	ap.src = src;
	ap.dst = dst;
	sdir = dir == ACL_IN ? STATE_DIR_IN : STATE_DIR_OUT;
	fprintf(out, "%s on %s: proto %u %s", dir == ACL_IN ? "in" : "out",
	    port->name, ap.proto, inet_ntop(ap.af, &src, text, 64));
	fprintf(out, ":%u -> %s:%u%s%s\n", ap.sport, inet_ntop(ap.af, &dst,
	    text, 64), ap.dport, ap.tag ? ", tagged " : "", ap.tag ?
	    acl_tag_name(pf->tags, ap.tag) : "");
	if (!pf->enabled || pf->rs == NULL) {
		fprintf(out, "  pf has no rules (or is disabled): pass\n");
		return 0;
	}
	if (pf->rs->skip[port->index]) {
		fprintf(out, "  set skip on %s: pass, unfiltered\n", port->name);
		return 0;
	}
	state_key_make(&key, ap.af, ap.proto, &src, &dst, htons(ap.sport),
	    htons(ap.dport), sdir);
	if (ap.proto == 1 || ap.proto == 58)
		key.port[0] = key.port[1] = 0;
	if (pf->sc.active && dir == ACL_IN && ap.proto == L3_IPPROTO_TCP &&
	    (ap.tcp_flags & (ACL_TH_SYN | ACL_TH_ACK)) == ACL_TH_SYN)
		fprintf(out, "  syncookies are on (%s): sluice answers this "
		    "SYN itself, with no state; the rules below see it when "
		    "the client ACKs\n", pf->sc.mode == PF_SYNCOOKIES_ALWAYS ?
		    "always" : "a SYN flood");
	if ((s = state_lookup(&pf->states, &key, sdir, 0, dp->now)) != NULL) {
		fprintf(out, "  matches a state (rule %u, expires in %us): "
		    "pass, rules are not evaluated\n", s->rule & 0xffffff,
		    dp_pf_state_expires_in(&dp->pf, s, dp->now));
		if (s->proto == L3_IPPROTO_TCP && !(s->flags & STATE_F_SLOPPY)) {
			const struct state_tcp *tc =
			    &pf->states.tcp[state_id(&pf->states, s)];
			int me = sdir == state_dir(s) ? 0 : 1;

			/* pfctl -vss's [seq + window], said which is whose */
			fprintf(out, "  if its segment fits the TCP windows: "
			    "this end [%u + %u], the other [%u + %u]; outside "
			    "them it is dropped (state-mismatch)\n",
			    tc->peer[me].seqlo, tc->peer[me].seqhi -
			    tc->peer[me].seqlo, tc->peer[!me].seqlo,
			    tc->peer[!me].seqhi - tc->peer[!me].seqlo);
		}
		pf_explain_route_state(dp, out, s, port, dir);
		if ((s->flags & STATE_F_INET6) && state_afto(&pf->states, s)) {
			struct state_key o;
			int f;

			/* the other key gives the header it gets */
			state_key_get(&pf->states, s, key.af == pf->states.v6[
			    state_id(&pf->states, s)].af[STATE_WIRE] ?
			    STATE_STACK : STATE_WIRE, &o);
			f = o.af;
			fprintf(out, "  af-to state: it becomes %s %u -> %s %u, "
			    "forwarded as IPv%u without pf out\n", inet_ntop(f,
			    &o.addr[1], text, 64), ntohs(o.port[1]),
			    inet_ntop(f, &o.addr[0], text + 64, 64),
			    ntohs(o.port[0]), f == AF_INET6 ? 6 : 4);
		}
		return 0;
	}
	fprintf(out, "  no state: the rules for %s %s decide (%zu of them "
	    "apply here)\n", dir == ACL_IN ? "in on" : "out on", port->name,
	    acl_classifier_flat(pf->rs->cls[2 * port->index + (dir ==
	    ACL_OUT)])->f_n);
	/* the hook maps a match rule's nat-to: asked, nothing moves */
	pf->pool_dry = 1;
	memset(pf->pool_memo, 0, sizeof(pf->pool_memo));
	acl_classify(pf->rs->cls[2 * port->index + (dir == ACL_OUT)], &ap,
	    &res);
	pf->pool_dry = 0;
	if (res.ar_reason == ACL_R_NOMATCH) {
		fprintf(out, "  no rule matches: pass, without state\n");
		pf_explain_scrub(out, pf, &res.ar_scrub, 0);
		return 0;
	}
	if (res.ar_reason == ACL_R_TRANSLATE) {
		fprintf(out, "  a translation pool has no address: drop\n");
		return 0;
	}
	{
		FILE *f = fmemopen(text, sizeof(text) - 1, "w");

		if (f != NULL) {
			acl_print_rule(f, res.ar_rule, 0);
			fclose(f);
		}
	}
	fprintf(out, "  decided by rule @%u%s%s%s: %s\n", res.ar_anchor_nr,
	    res.ar_anchor && res.ar_anchor[0] ? " of anchor \"" : "",
	    res.ar_anchor ? res.ar_anchor : "", res.ar_anchor &&
	    res.ar_anchor[0] ? "\"" : "", text);
	dp_pf_tables_why(pf->rs, RULE_IDX(pf_rule_index(pf->rs,
	    pf->rs->cls[2 * port->index + (dir == ACL_OUT)], res.ar_nr)),
	    ap.af, &ap.src, &ap.dst, text, sizeof(text));
	if (text[0] != '\0')
		fprintf(out, "  tables: %s\n", text);
	fprintf(out, "  %s%s%s\n", res.ar_action == ACL_BLOCK ? "block" :
	    "pass", res.ar_quick ? " (quick: evaluation stopped there)" :
	    " (the last matching rule)", res.ar_action == ACL_PASS &&
	    res.ar_keep_state ? ", keep state" : "");
	if (res.ar_action == ACL_PASS)
		pf_explain_scrub(out, pf, &res.ar_scrub,
		    res.ar_keep_state);
	if (res.ar_action == ACL_PASS && res.ar_rule != NULL &&
	    res.ar_rule->rt != ACL_RT_NONE)
		pf_explain_route(dp, out, res.ar_rule, &ap, port);
	if (res.ar_action == ACL_PASS && res.ar_rule != NULL &&
	    (res.ar_rule->rule_flag & ACL_RF_AFTO))
		return pf_explain_afto(dp, out, res.ar_rule, &ap);
	for (i = 0; i < 2; i++) {
		const struct acl_rule *r = i == 0 ? res.ar_nat : res.ar_rdr;
		FILE *f;

		if (r == NULL || (i == 1 && r == res.ar_nat))
			continue;	/* one rule may hold both */
		if ((f = fmemopen(text, sizeof(text) - 1, "w")) != NULL) {
			acl_print_rule(f, r, 0);
			fclose(f);
		}
		fprintf(out, "  translation from: %s\n", text);
	}
	pf_xlate_pools(&res, &nat, &rdr);
	if (ap.af == AF_INET6) {
		for (i = 0; i < 2; i++) {
			uint8_t to[16];
			char a[INET6_ADDRSTRLEN], how6[160];
			int why = PF_POOL_OK, rv;

			if ((i == 0 ? nat : rdr) == NULL)
				continue;
			dp->pf.pool_dry = 1;
			rv = dp_pf_pool_map6(dp, i == 0 ? res.ar_nat :
			    res.ar_rdr, i == 0 ? PF_POOL_NAT : PF_POOL_RDR,
			    ap.src.b, ap.dst.b, to, &why, how6, sizeof(how6));
			dp->pf.pool_dry = 0;
			if (rv != 0) {
				fprintf(out, "  %s: %s: drop\n", i == 0 ?
				    "nat-to" : "rdr-to", how6);
				break;
			}
			fprintf(out, "  %s would give %s (%s)\n", i == 0 ?
			    "nat-to" : "rdr-to", inet_ntop(AF_INET6, to, a,
			    sizeof(a)), how6);
		}
		return 0;
	}
	pf->pool_dry = 1;
	for (i = 0; i < 2; i++) {
		const struct acl_rule *r = i == 0 ? res.ar_nat : res.ar_rdr;
		char how[160], a[INET_ADDRSTRLEN];
		uint32_t to;
		int why;

		if ((i == 0 ? nat : rdr) == NULL)
			continue;
		to = dp_pf_pool_map(dp, r, i, ap.src.b, ap.dst.b, 0, &why, how,
		    sizeof(how));
		if (to == 0) {
			fprintf(out, "  %s: %s\n", i == 0 ? "nat-to" :
			    "rdr-to", how);
			fprintf(out, "  its pool has no address now: drop\n");
			break;
		}
		/* what a state made now would get, the walk left as it is */
		fprintf(out, "  %s would give %s: %s\n", i == 0 ? "nat-to" :
		    "rdr-to", inet_ntop(AF_INET, &to, a, sizeof(a)), how);
	}
	pf->pool_dry = 0;
	return 0;
}

/* explain: what af-to would make of the packet AP (a dry run: no
 * pool moves on). */
static int
pf_explain_afto(struct dp *dp, FILE *out, const struct acl_rule *r,
    const struct acl_pkt *ap)
{
	struct dp_pf *pf = &dp->pf;
	struct l3info li;
	struct state_key stack;
	struct pf_afto at;
	const char *why;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int f = r->naf, rv;

	memset(&li, 0, sizeof(li));
	li.af = ap->af == AF_INET6 ? 6 : 4;
	li.proto = ap->proto;
	li.icmp_type = ap->icmp_type;
	li.sport = ap->sport;
	li.dport = ap->dport;
	memcpy(li.src, ap->src.b, 16);
	memcpy(li.dst, ap->dst.b, 16);
	memset(pf->pool_memo, 0, sizeof(pf->pool_memo));
	pf->pool_dry = 1;
	rv = pf_afto_map(dp, &li, r, &stack, &at, &why);
	pf->pool_dry = 0;
	memset(pf->pool_memo, 0, sizeof(pf->pool_memo));
	if (rv != 0) {
		fprintf(out, "  af-to: %s: drop\n", why);
		return 0;
	}
	fprintf(out, "  af-to %s would give %s %u -> %s %u, forwarded as "
	    "IPv%u without pf out\n", f == AF_INET6 ? "inet6" : "inet",
	    inet_ntop(f, at.src, a, sizeof(a)), at.sport, inet_ntop(f, at.dst,
	    b, sizeof(b)), at.dport, at.af);
	return 0;
}

void
dp_pf_state_gone(struct dp *dp, struct state *s)
{
	pf_state_gone(s, &dp->pf);
}

/*
 * pfctl -F rules: an empty ruleset, so packets without a state pass; the
 * states stay and keep matching and translating (pf_test() looks them up
 * before it looks at rules).  What `set' put outside the rules stays too,
 * as in pf: skip flags, state-policy, limits and timeouts.
 */
int
dp_pf_flush_rules(struct dp *dp, FILE *err)
{
	struct acl_load_args la;
	struct dp_pf_ruleset *old = dp->pf.rs, *rs;
	struct acl_conf *conf, *oc;
	FILE *empty;
	int n;

	if (old == NULL)
		return 0;
	oc = old->conf;
	if ((empty = fmemopen((void *)"\n", 1, "r")) == NULL)
		return ENOMEM;
	memset(&la, 0, sizeof(la));
	la.file = "-";
	la.stream = empty;
	la.err = err;
	la.out = err;
	n = acl_load(&la, &conf);
	fclose(empty);
	if (n != 0)
		return EINVAL;
	memcpy(conf->timeout, oc->timeout, sizeof(conf->timeout));
	memcpy(conf->timeout_set, oc->timeout_set, sizeof(conf->timeout_set));
	memcpy(conf->limit, oc->limit, sizeof(conf->limit));
	memcpy(conf->limit_set, oc->limit_set, sizeof(conf->limit_set));
	conf->state_policy = oc->state_policy;
	conf->block_policy = oc->block_policy;
	conf->reassemble = oc->reassemble;	/* pf_status.reass */
	conf->skip = oc->skip;		/* moved, not copied */
	conf->nskip = oc->nskip;
	oc->skip = NULL;
	oc->nskip = 0;
	/* the fingerprints are not rules: -F osfp is their flush */
	acl_osfp_free(conf->osfp);
	conf->osfp = oc->osfp;
	oc->osfp = NULL;
	/* nor are the tables: the persistent ones stay, with what they
	 * hold, as pf deactivates only those no rule names any more */
	if (dp_pf_tables_carry(oc, conf, dp->now) != 0) {
		fprintf(err, "pfctl: out of memory\n");
		n = ENOMEM;
	} else
		dp_pf_tables_prune(conf);
	if (n != 0 || pf_ruleset_build(dp, conf, &rs, err) != 0) {
		oc->skip = conf->skip;
		oc->nskip = conf->nskip;
		conf->skip = NULL;
		conf->nskip = 0;
		oc->osfp = conf->osfp;
		conf->osfp = NULL;
		acl_conf_free(conf);
		return EINVAL;
	}
	pf_ruleset_free(old);
	dp->pf.rs = rs;
	pf_gen++;
	dp_pf_ls_clear(&dp->pf);
	/* the queues go with the main ruleset's transaction */
	dp_pf_queues_install(dp, NULL);
	return 0;
}

/*
 * pfctl -F all's last two steps.  DIOCCLRSTATUS: pf's counters, the
 * state table's and the fragments' start again from now.
 * DIOCCLRIFFLAG: no port is skipped any more ("set skip" is an interface
 * flag in pf, not part of the rules; the next load sets it again).
 */
void
dp_pf_clear_stats(struct dp *dp)
{
	struct dp_pf *pf = &dp->pf;

	memset(pf->c, 0, sizeof(pf->c));
	pf->states.c[STATE_C_SEARCHES] = pf->states.c[STATE_C_INSERTS] =
	    pf->states.c[STATE_C_REMOVALS] = 0;
	pf->frag_searches = pf->frag_inserts = 0;
	pf->reass_searches = pf->reass_inserts = pf->reass_removals = 0;
	pf->src_searches = pf->src_inserts = pf->src_removals = 0;
	memset(pf->lcounters, 0, sizeof(pf->lcounters));
	pf->since = dp->now_ns;
}

void
dp_pf_clear_iface_flags(struct dp *dp)
{
	struct dp_pf_ruleset *rs = dp->pf.rs;
	size_t i;

	if (rs == NULL)
		return;
	memset(rs->skip, 0, rs->nports);
	for (i = 0; i < rs->conf->nskip; i++)
		free(rs->conf->skip[i]);
	free(rs->conf->skip);
	rs->conf->skip = NULL;
	rs->conf->nskip = 0;
}

/*
 * pf_state_expires(): when state s goes.  Past adaptive.start states its
 * timeout shrinks, linearly to nothing at adaptive.end; a rule with its
 * own adaptive.* (max N gives 60 % and 120 % of N) counts its own states,
 * the others the table's.  A state of rules loaded before the ones in
 * place goes by the global ones.  Only the purge and the views ask, as in
 * pf: a state past this but not yet purged still matches.
 */
uint32_t
dp_pf_state_expiry(const struct dp_pf *pf, const struct state *s)
{
	const struct state_table *t = &pf->states;
	const struct dp_pf_ruleset *rs = pf->rs;
	uint32_t tmo = t->tmo[s->tmo_set][s->timeout];
	uint32_t start = t->tmo[0][ACL_TM_ADAPTIVE_START];
	uint32_t end = t->tmo[0][ACL_TM_ADAPTIVE_END], n = t->count;

	if (rs != NULL && RULE_GEN(s->rule) == pf_gen &&
	    RULE_IDX(s->rule) < rs->nstats &&
	    rs->live[RULE_IDX(s->rule)].adapt_start != 0) {
		start = rs->live[RULE_IDX(s->rule)].adapt_start;
		end = rs->live[RULE_IDX(s->rule)].adapt_end;
		n = rs->stats[RULE_IDX(s->rule)].states_cur;
	}
	if (end == 0 || n <= start || start >= end)
		return s->expire;
	if (n >= end)
		return s->expire - tmo;		/* its last packet's time */
	return s->expire - tmo + (uint32_t)((uint64_t)tmo * (end - n) /
	    (end - start));
}

/* Seconds until state s goes, for the views. */
uint32_t
dp_pf_state_expires_in(const struct dp_pf *pf, const struct state *s,
    uint32_t now)
{
	uint32_t e = dp_pf_state_expiry(pf, s);

	return (int32_t)(now - e) >= 0 ? 0 : e - now;
}

/* Once a second: purge a slice of the table, all of it per interval. */
void
dp_pf_tick(struct dp *dp)
{
	struct state_table *t = &dp->pf.states;
	uint32_t interval = t->tmo[0][ACL_TM_INTERVAL], slice, i;

	if (interval == 0)
		interval = 10;
	slice = t->limit / interval + 1;
	for (i = 0; i < slice; i++) {
		struct state *s;

		/* state_purge() (a full table's) shares the position and
		 * may leave it at the end */
		if (t->purge_pos >= t->limit)
			t->purge_pos = 0;
		s = &t->st[t->purge_pos];

		if ((s->flags & STATE_F_USED) && (int32_t)(dp->now -
		    dp_pf_state_expiry(&dp->pf, s)) >= 0) {
			pf_state_gone(s, &dp->pf);
			state_remove(t, s);
		}
		t->purge_pos = (t->purge_pos + 1) % t->limit;
	}
	dp_pf_src_purge(dp);
	dp_pf_reass_tick(dp);
	dp_pf_syncookies_tick(dp);
}


static int
pf_states_on(struct state *s, void *arg)
{
	uint32_t *n = arg;

	if (s->ifindex <= DP_MAX_PORTS)
		n[s->ifindex]++;
	return 0;
}

/*
 * The rules that hold interface or group NAME (pfi_kif_ref(...,
 * PFI_KIF_REF_RULE)): by `on', `received-on', and each `(NAME)' address
 * of theirs, pools too.
 */
static int
pf_rules_on(const struct acl_conf *conf, const char *name)
{
	size_t k, i, j;
	int n = 0;

	for (k = 0; conf != NULL && k < conf->nall; k++)
		for (i = 0; i < conf->all[k]->rs.nrules; i++) {
			const struct acl_rule *r = &conf->all[k]->rs.rules[i];
			const struct acl_addr *v[] = { &r->src.addr,
			    &r->dst.addr, &r->nat.addr, &r->rdr.addr,
			    &r->route.addr };

			n += strcmp(r->ifname, name) == 0;
			n += strcmp(r->rcv_ifname, name) == 0;
			for (j = 0; j < sizeof(v) / sizeof(v[0]); j++)
				n += v[j]->type == ACL_ADDR_DYNIFTL &&
				    strcmp(v[j]->ifname, name) == 0;
		}
	return n;
}

/* pfctl -vvsI's lines of interface NAME (print_iface()). */
static void
pf_show_iface(struct dp *dp, const char *name, const uint32_t *states,
    FILE *out)
{
	static const char *const text[2][2][2] = {
		{ { "In4/Pass:", "In4/Block:" }, { "Out4/Pass:", "Out4/Block:" } },
		{ { "In6/Pass:", "In6/Block:" }, { "Out6/Pass:", "Out6/Block:" } }
	};
	static const struct pf_ifstats none;
	const struct port *p = dp_port(dp, name);
	const struct pf_ifstats *st = p != NULL && p->index < DP_MAX_PORTS ?
	    &dp->pf.ifstats[p->index] : &none;
	int i;

	dp_pf_print_cleared(out, dp, dp->pf.ifs_tzero);
	fprintf(out, "\tReferences:  [ States:  %-18u Rules: %-18d ]\n",
	    p != NULL && p->index < DP_MAX_PORTS ? states[p->index + 1] :
	    strcmp(name, "all") == 0 ? states[0] : 0, pf_rules_on(dp->pf.rs !=
	    NULL ? dp->pf.rs->conf : NULL, name));
	for (i = 0; i < 8; i++)
		fprintf(out, "\t%-12s [ Packets: %-18llu Bytes: %-18llu ]\n",
		    text[(i >> 2) & 1][(i >> 1) & 1][i & 1],
		    (unsigned long long)st->packets[(i >> 2) & 1][(i >> 1) &
		    1][i & 1], (unsigned long long)st->bytes[(i >> 2) &
		    1][(i >> 1) & 1][i & 1]);
}

/*
 * pfctl -s Interfaces: the interfaces and groups pf knows (its kif tree:
 * "all", every port, every group), in name order; -v marks the ones
 * `set skip' skips, -vv adds each one's counters: a port's packets pf
 * tested there, the states bound to it (floating ones are "all"'s), the
 * rules that name it.  A group counts no packets, as pf's group kifs.
 * -i FILTER: that one, and if it can be a group (no final digit), the
 * ports in it (pfi_skip_if()).
 */
static int
pf_iface_shown(const struct acl_ifinfo *ifs, int nports, const char *name,
    const char *filter)
{
	size_t n;
	int i, g;

	if (filter == NULL || *filter == '\0' || strcmp(name, filter) == 0)
		return 1;
	n = strlen(filter);
	if (filter[n - 1] >= '0' && filter[n - 1] <= '9')
		return 0;
	for (i = 0; i < nports; i++)
		if (strcmp(ifs[i].name, name) == 0)
			for (g = 0; g < ifs[i].ngroups; g++)
				if (strcmp(ifs[i].groups[g], filter) == 0)
					return 1;
	return 0;
}

void
dp_pf_show_ifaces(struct dp *dp, const char *filter, int verbose, FILE *out)
{
	uint32_t *states = NULL;
	struct acl_ifinfo *ifs = pf_ifinfo(dp);
	const char **names;
	size_t n = 0, i, k;
	int g;

	if (ifs == NULL || (names = calloc(1 + (size_t)dp->nports *
	    (1 + ACL_IF_MAXGROUPS), sizeof(*names))) == NULL) {
		free(ifs);
		return;
	}
	if (verbose >= 2 && (states = calloc(DP_MAX_PORTS + 1,
	    sizeof(*states))) != NULL)
		state_walk(&dp->pf.states, pf_states_on, states);
	names[n++] = "all";
	for (i = 0; i < (size_t)dp->nports; i++) {
		names[n++] = ifs[i].name;
		for (g = 0; g < ifs[i].ngroups; g++) {
			for (k = 0; k < n; k++)
				if (strcmp(names[k], ifs[i].groups[g]) == 0)
					break;
			if (k == n)
				names[n++] = ifs[i].groups[g];
		}
	}
	qsort(names, n, sizeof(*names), conf_name_cmp);
	for (i = 0; i < n; i++) {
		struct port *p = dp_port(dp, names[i]);
		const struct dp_pf_ruleset *rs = dp->pf.rs;

		if (!pf_iface_shown(ifs, dp->nports, names[i], filter))
			continue;
		fprintf(out, "%s%s\n", names[i], verbose && p != NULL &&
		    rs != NULL && p->index < rs->nports && rs->skip[p->index] ?
		    " (skip)" : "");
		if (states != NULL)
			pf_show_iface(dp, names[i], states, out);
	}
	free(states);
	free(names);
	free(ifs);
}

/* For dp_pfsrc.c: rule id's counters, and the rule with its anchor. */
struct pf_rule_stats *
dp_pf_stats(struct dp_pf *pf, uint32_t rule)
{
	return pf_stats(pf, rule);
}

const struct acl_rule *
dp_pf_rule(struct dp_pf *pf, uint32_t rule, const struct acl_anchor **a)
{
	return pf_rule_at(pf->rs, rule, a);
}
