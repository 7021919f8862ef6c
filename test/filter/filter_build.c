/* filter_build.c: hand-built acl_conf for the classifier tests. */
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "acl/filter/pf_filter.h"
#include "filter_build.h"
#include "filter_ref.h"

static void *
fb_calloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n, sz)) == NULL)
		err(1, "calloc");
	return (p);
}

static void *
fb_realloc(void *p, size_t n, size_t sz)
{
	if ((p = reallocarray(p, n, sz)) == NULL)
		err(1, "reallocarray");
	return (p);
}

struct acl_conf *
fb_conf_new(void)
{
	struct acl_conf *conf = fb_calloc(1, sizeof(*conf));

	conf->root = fb_calloc(1, sizeof(*conf->root));
	conf->all = fb_calloc(1, sizeof(*conf->all));
	conf->all[0] = conf->root;
	conf->nall = 1;
	conf->debug = conf->reassemble = conf->syncookies = -1;
	return (conf);
}

void
fb_conf_free(struct acl_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->nall; i++) {
		free(conf->all[i]->rs.rules);
		free(conf->all[i]->child);
		free(conf->all[i]);
	}
	free(conf->all);
	for (i = 0; i < conf->ntables; i++)
		free(conf->tables[i].e);
	free(conf->tables);
	for (i = 0; i < conf->nskip; i++)
		free(conf->skip[i]);
	free(conf->skip);
	acl_osfp_free(conf->osfp);
	free(conf);
}

static struct acl_anchor *
fb_child(struct acl_conf *conf, struct acl_anchor *parent, const char *name)
{
	struct acl_anchor *a;
	size_t i, at;

	for (i = 0; i < parent->nchild; i++)
		if (strcmp(parent->child[i]->name, name) == 0)
			return (parent->child[i]);
	a = fb_calloc(1, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	if (parent->path[0] == '\0')
		snprintf(a->path, sizeof(a->path), "%s", name);
	else
		snprintf(a->path, sizeof(a->path), "%s/%s", parent->path,
		    name);
	a->parent = parent;
	/* children are kept sorted by name, as pf's RB tree is */
	for (at = 0; at < parent->nchild; at++)
		if (strcmp(parent->child[at]->name, name) > 0)
			break;
	parent->child = fb_realloc(parent->child, parent->nchild + 1,
	    sizeof(*parent->child));
	memmove(&parent->child[at + 1], &parent->child[at],
	    (parent->nchild - at) * sizeof(*parent->child));
	parent->child[at] = a;
	parent->nchild++;
	conf->all = fb_realloc(conf->all, conf->nall + 1, sizeof(*conf->all));
	conf->all[conf->nall++] = a;
	return (a);
}

struct acl_anchor *
fb_anchor(struct acl_conf *conf, const char *path)
{
	struct acl_anchor *a = conf->root;
	char buf[ACL_PATH_MAX], *p, *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf; (p = strsep(&s, "/")) != NULL;)
		if (*p != '\0')
			a = fb_child(conf, a, p);
	return (a);
}

struct acl_rule *
fb_rule(struct acl_anchor *a, int action)
{
	struct acl_rule *r;

	if (a->rs.nrules == a->rs.cap) {
		a->rs.cap = a->rs.cap ? a->rs.cap * 2 : 16;
		a->rs.rules = fb_realloc(a->rs.rules, a->rs.cap,
		    sizeof(*a->rs.rules));
	}
	r = &a->rs.rules[a->rs.nrules];
	memset(r, 0, sizeof(*r));
	r->nr = (uint32_t)a->rs.nrules++;
	r->action = (uint8_t)action;
	r->onrdomain = -1;
	r->rtableid = -1;
	r->nat.addr.type = r->rdr.addr.type = r->route.addr.type =
	    ACL_ADDR_NONE;
	return (r);
}

struct acl_rule *
fb_call(struct acl_conf *conf, struct acl_anchor *from, const char *path,
    int wildcard)
{
	struct acl_rule *r = fb_rule(from, ACL_PASS);

	r->anchor = fb_anchor(conf, path);
	r->anchor_wildcard = (uint8_t)wildcard;
	snprintf(r->anchor_call, sizeof(r->anchor_call), "%s%s", path,
	    wildcard ? "/*" : "");
	return (r);
}

void
fb_ip(union acl_ip *ip, uint8_t *af, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->b) == 1) {
		*af = AF_INET;
		return;
	}
	if (inet_pton(AF_INET6, s, ip->b) == 1) {
		*af = AF_INET6;
		return;
	}
	errx(1, "bad address %s", s);
}

static void
fb_mask(union acl_ip *m, int plen)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 16 && plen > 0; i++, plen -= 8)
		m->b[i] = plen >= 8 ? 0xff : (uint8_t)(0xff << (8 - plen));
}

static int
fb_cidr(const char *s, union acl_ip *a, uint8_t *af)
{
	char buf[64], *slash;
	int plen;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	fb_ip(a, af, buf);
	plen = *af == AF_INET ? 32 : 128;
	if (slash != NULL)
		plen = atoi(slash);
	return (plen);
}

void
fb_addr(struct acl_rule_addr *ra, const char *s)
{
	uint8_t af;
	int plen, i;

	memset(&ra->addr, 0, sizeof(ra->addr));
	ra->neg = 0;
	ra->addr.type = ACL_ADDR_ADDRMASK;
	if (*s == '!') {
		ra->neg = 1;
		s++;
	}
	if (strcmp(s, "any") == 0)
		return;
	if (strcmp(s, "no-route") == 0) {
		ra->addr.type = ACL_ADDR_NOROUTE;
		return;
	}
	plen = fb_cidr(s, &ra->addr.a.addr, &af);
	fb_mask(&ra->addr.a.mask, plen);
	for (i = 0; i < 16; i++)
		ra->addr.a.addr.b[i] &= ra->addr.a.mask.b[i];
}

void
fb_dyn(struct acl_rule_addr *ra, const char *ifname, int iflags)
{
	memset(&ra->addr, 0, sizeof(ra->addr));
	ra->addr.type = ACL_ADDR_DYNIFTL;
	ra->addr.iflags = (uint8_t)iflags;
	memset(&ra->addr.a.mask, 0xff, sizeof(ra->addr.a.mask));
	snprintf(ra->addr.ifname, sizeof(ra->addr.ifname), "%s", ifname);
}

void
fb_tbl(struct acl_rule_addr *ra, const char *name)
{
	memset(&ra->addr, 0, sizeof(ra->addr));
	ra->addr.type = ACL_ADDR_TABLE;
	snprintf(ra->addr.tblname, sizeof(ra->addr.tblname), "%s", name);
}

void
fb_port(struct acl_rule_addr *ra, int op, int a, int b)
{
	ra->port_op = (uint8_t)op;
	ra->port[0] = (uint16_t)a;
	ra->port[1] = (uint16_t)b;
}

void
fb_table(struct acl_conf *conf, const char *name, const char *anchor,
    const char **entries)
{
	struct acl_table *t;
	struct acl_table_entry *e;
	const char *s;
	size_t n;

	conf->tables = fb_realloc(conf->tables, conf->ntables + 1,
	    sizeof(*conf->tables));
	t = &conf->tables[conf->ntables++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->anchor, sizeof(t->anchor), "%s", anchor);
	for (n = 0; entries[n] != NULL; n++)
		;
	t->e = fb_calloc(n ? n : 1, sizeof(*t->e));
	for (t->ne = 0; t->ne < n; t->ne++) {
		e = &t->e[t->ne];
		s = entries[t->ne];
		if (*s == '!') {
			e->neg = 1;
			s++;
		}
		e->net = (uint8_t)fb_cidr(s, &e->addr, &e->af);
	}
}

void
fb_pool(struct acl_pool *p, const char *s)
{
	uint8_t af;

	memset(p, 0, sizeof(*p));
	if (*s == '(') {
		p->addr.type = ACL_ADDR_DYNIFTL;
		snprintf(p->addr.ifname, sizeof(p->addr.ifname), "%.*s",
		    (int)strlen(s) - 2, s + 1);
		memset(&p->addr.a.mask, 0xff, sizeof(p->addr.a.mask));
		return;
	}
	p->addr.type = ACL_ADDR_ADDRMASK;
	fb_ip(&p->addr.a.addr, &af, s);
	memset(&p->addr.a.mask, 0xff, sizeof(p->addr.a.mask));
	p->proxy_port[0] = ACL_NAT_PORT_LOW;
	p->proxy_port[1] = ACL_NAT_PORT_HIGH;
}

struct acl_pkt
fb_pkt(const char *src, const char *dst, int proto, int sport, int dport)
{
	struct acl_pkt p;
	uint8_t af;

	memset(&p, 0, sizeof(p));
	fb_ip(&p.src, &p.af, src);
	fb_ip(&p.dst, &af, dst);
	p.proto = (uint8_t)proto;
	p.sport = (uint16_t)sport;
	p.dport = (uint16_t)dport;
	p.rcvif = ACL_RCVIF_NONE;
	p.prio = ACL_DEFPRIO;
	return (p);
}

/* a port: name, space-separated groups, space-separated "addr/len" */
void
fb_if(struct acl_ifinfo *ifp, const char *name, const char *groups,
    const char *addrs)
{
	char buf[512], *p, *s;

	memset(ifp, 0, sizeof(*ifp));
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	snprintf(buf, sizeof(buf), "%s", groups ? groups : "");
	for (s = buf; (p = strsep(&s, " ")) != NULL;)
		if (*p != '\0' && ifp->ngroups < ACL_IF_MAXGROUPS)
			snprintf(ifp->groups[ifp->ngroups++], ACL_IFNAMSIZ,
			    "%s", p);
	snprintf(buf, sizeof(buf), "%s", addrs ? addrs : "");
	for (s = buf; (p = strsep(&s, " ")) != NULL;) {
		if (*p == '\0' || ifp->naddrs >= ACL_IF_MAXADDRS)
			continue;
		ifp->addrs[ifp->naddrs].plen = (uint8_t)fb_cidr(p,
		    &ifp->addrs[ifp->naddrs].addr, &ifp->addrs[ifp->naddrs].af);
		ifp->naddrs++;
	}
}

/* A TCP SYN from s:40000 to d:dport. */
struct acl_pkt
fb_syn(const char *s, const char *d, int dport)
{
	struct acl_pkt p = fb_pkt(s, d, IPPROTO_TCP, 40000, dport);

	p.tcp_flags = ACL_TH_SYN;
	return (p);
}

void
fb_same(const struct acl_result *a, const struct acl_result *b)
{
	cr_assert_eq(a->ar_nr, b->ar_nr, "linear nr %d, tree nr %d",
	    a->ar_nr, b->ar_nr);
	cr_assert_eq(a->ar_rule, b->ar_rule);
	cr_assert_eq(a->ar_action, b->ar_action);
	cr_assert_eq(a->ar_reason, b->ar_reason);
	cr_assert_eq(a->ar_quick, b->ar_quick);
	cr_assert_eq(a->ar_quick_anchor, b->ar_quick_anchor);
	cr_assert_eq(a->ar_tag, b->ar_tag);
	cr_assert_eq(a->ar_nat, b->ar_nat);
	cr_assert_eq(a->ar_rdr, b->ar_rdr);
	cr_assert_eq(a->ar_match, b->ar_match);
	cr_assert_eq(a->ar_mlog, b->ar_mlog);
	cr_assert_eq(memcmp(&a->ar_scrub, &b->ar_scrub, sizeof(a->ar_scrub)),
	    0, "scrub %#x/%u/%u/%u/%#x against %#x/%u/%u/%u/%#x",
	    a->ar_scrub.flags, a->ar_scrub.min_ttl, a->ar_scrub.set_tos,
	    a->ar_scrub.max_mss, a->ar_scrub.set_prio, b->ar_scrub.flags,
	    b->ar_scrub.min_ttl, b->ar_scrub.set_tos, b->ar_scrub.max_mss,
	    b->ar_scrub.set_prio);
}

struct acl_result
fb_eval(const struct acl_conf *conf, const struct acl_ifinfo *ifs,
    size_t nifs, size_t port, int dir, struct acl_tags *tags,
    struct acl_pkt p)
{
	struct acl_compile_args args;
	struct acl_classifier *c;
	struct acl_result lin, tree, ref;
	struct acl_tags *own = NULL;
	struct ref_env env;
	char err[128];

	memset(&args, 0, sizeof(args));
	args.conf = conf;
	args.ifs = ifs;
	args.nifs = nifs;
	args.port = port;
	args.dir = dir;
	/* the reference needs the ids the classifier gave the tags */
	if ((args.tags = tags) == NULL && (own = acl_tags_new()) == NULL)
		cr_assert_fail("out of memory");
	if (args.tags == NULL)
		args.tags = own;
	cr_assert_eq(acl_compile(&args, &c, err, sizeof(err)), 0, "%s", err);
	acl_eval_linear(c, &p, &lin);
	acl_classify(c, &p, &tree);
	fb_same(&lin, &tree);
	/* and the reference that walks the anchors (filter_ref.c) */
	ref_env_of(&env, &args);
	ref_eval(&env, &p, &ref);
	fb_same(&lin, &ref);
	cr_assert_eq(lin.ar_match_nr, ref.ar_match_nr);
	cr_assert_eq(lin.ar_keep_state, ref.ar_keep_state);
	cr_assert_eq(lin.ar_return, ref.ar_return);
	cr_assert_eq(lin.ar_anchor_call, ref.ar_anchor_call);
	cr_assert_eq(lin.ar_anchor_nr, ref.ar_anchor_nr);
	cr_assert_str_eq(lin.ar_anchor ? lin.ar_anchor : "-",
	    ref.ar_anchor ? ref.ar_anchor : "-");
	acl_classifier_free(c);
	acl_tags_free(own);
	return (lin);
}
