/*
 * pf_rule.c: from a parsed rule (lists of interfaces, protocols, hosts,
 * ports...) to the plain expanded acl_rules of acl/pf_ast.h.
 *
 * This is parse.y's expand_rule() and its helpers: every combination of
 * the lists becomes one rule, in pfctl's nesting order (interface,
 * protocol, icmp type, source, destination, ports, os, user, group), and
 * each one is checked (rule_consistent) before it is kept.  Translation
 * and routing pools with several addresses become automatic tables, and
 * binat-to becomes a nat-to rule plus the matching rdr-to rule, exactly
 * as pfctl does, because that is what the kernel (and sluice's filter)
 * evaluates and what pfctl -nv prints.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_impl.h"

#define IPPROTO_ICMPV6_	58

#define POOL_DYNTYPE(o) \
	(((o) & ACL_POOL_TYPEMASK) == ACL_POOL_ROUNDROBIN || \
	((o) & ACL_POOL_TYPEMASK) == ACL_POOL_LEASTSTATES || \
	((o) & ACL_POOL_TYPEMASK) == ACL_POOL_RANDOM || \
	((o) & ACL_POOL_TYPEMASK) == ACL_POOL_SRCHASH)

static int
dynif_multiaddr(const struct acl_addr *a)
{
	size_t	n = strlen(a->ifname);

	return (a->type == ACL_ADDR_DYNIFTL && (!(a->iflags &
	    ACL_IFA_NOALIAS) || n == 0 ||
	    !isdigit((unsigned char)a->ifname[n - 1])));
}

void
pf_decide_af(struct node_host *n, uint8_t *af)
{
	if (*af != 0 || n == NULL)
		return;
	*af = n->af;
	while ((n = n->next) != NULL)
		if (n->af != *af) {
			*af = 0;
			return;
		}
}

static int
disallow_table(struct pf_parser *p, struct node_host *h, const char *fmt)
{
	for (; h != NULL; h = h->next)
		if (h->addr.type == ACL_ADDR_TABLE) {
			pf_yyerror(p, fmt, h->addr.tblname);
			return (1);
		}
	return (0);
}

static int
disallow_alias(struct pf_parser *p, struct node_host *h, const char *fmt)
{
	for (; h != NULL; h = h->next)
		if (dynif_multiaddr(&h->addr)) {
			pf_yyerror(p, fmt, h->addr.ifname);
			return (1);
		}
	return (0);
}

/* labels ------------------------------------------------------------------ */

static void
label_str(struct pf_parser *p, char *label, size_t len, const char *srch,
    const char *repl)
{
	char	 tmp[ACL_RULE_LABEL_SIZE * 2];
	char	*q, *s = label;
	size_t	 n = 0, l;

	tmp[0] = '\0';
	while ((q = strstr(s, srch)) != NULL) {
		l = (size_t)(q - s);
		if (n + l + strlen(repl) >= len)
			goto toolong;
		memcpy(tmp + n, s, l);
		n += l;
		memcpy(tmp + n, repl, strlen(repl));
		n += strlen(repl);
		s = q + strlen(srch);
	}
	if (n + strlen(s) >= len)
		goto toolong;
	memcpy(tmp + n, s, strlen(s) + 1);
	memcpy(label, tmp, strlen(tmp) + 1);
	return;
toolong:
	fprintf(p->err, "pfctl: expand_label: label too long\n");
	pf_yyerror(p, "label too long");
}

static void
label_addr(struct pf_parser *p, const char *name, char *label, size_t len,
    uint8_t af, struct node_host *h)
{
	char	tmp[64], tmp_not[70], a[48];
	int	bits;

	if (strstr(label, name) == NULL)
		return;
	switch (h->addr.type) {
	case ACL_ADDR_DYNIFTL:
		snprintf(tmp, sizeof(tmp), "(%s)", h->addr.ifname);
		break;
	case ACL_ADDR_TABLE:
		snprintf(tmp, sizeof(tmp), "<%s>", h->addr.tblname);
		break;
	case ACL_ADDR_NOROUTE:
		snprintf(tmp, sizeof(tmp), "no-route");
		break;
	case ACL_ADDR_URPFFAILED:
		snprintf(tmp, sizeof(tmp), "urpf-failed");
		break;
	case ACL_ADDR_ADDRMASK:
		if (!af || (pf_azero(&h->addr.a.addr, af) &&
		    pf_azero(&h->addr.a.mask, af)))
			snprintf(tmp, sizeof(tmp), "any");
		else if (inet_ntop(af, &h->addr.a.addr, a, sizeof(a)) == NULL)
			snprintf(tmp, sizeof(tmp), "?");
		else {
			bits = pf_unmask(&h->addr.a.mask);
			if ((af == AF_INET && bits < 32) ||
			    (af == AF_INET6 && bits < 128))
				snprintf(tmp, sizeof(tmp), "%s/%d", a, bits);
			else
				snprintf(tmp, sizeof(tmp), "%s", a);
		}
		break;
	default:
		snprintf(tmp, sizeof(tmp), "?");
	}
	if (h->not) {
		snprintf(tmp_not, sizeof(tmp_not), "! %s", tmp);
		label_str(p, label, len, name, tmp_not);
	} else
		label_str(p, label, len, name, tmp);
}

static void
label_port(struct pf_parser *p, const char *name, char *label, size_t len,
    struct node_port *port)
{
	char	a1[6], a2[6], op[13] = "";

	if (strstr(label, name) == NULL)
		return;
	snprintf(a1, sizeof(a1), "%u", port->port[0]);
	snprintf(a2, sizeof(a2), "%u", port->port[1]);
	switch (port->op) {
	case ACL_OP_IRG:
		snprintf(op, sizeof(op), "%s><%s", a1, a2);
		break;
	case ACL_OP_XRG:
		snprintf(op, sizeof(op), "%s<>%s", a1, a2);
		break;
	case ACL_OP_EQ:
		snprintf(op, sizeof(op), "%s", a1);
		break;
	case ACL_OP_NE:
		snprintf(op, sizeof(op), "!=%s", a1);
		break;
	case ACL_OP_LT:
		snprintf(op, sizeof(op), "<%s", a1);
		break;
	case ACL_OP_LE:
		snprintf(op, sizeof(op), "<=%s", a1);
		break;
	case ACL_OP_GT:
		snprintf(op, sizeof(op), ">%s", a1);
		break;
	case ACL_OP_GE:
		snprintf(op, sizeof(op), ">=%s", a1);
		break;
	}
	label_str(p, label, len, name, op);
}

static void
expand_label(struct pf_parser *p, char *label, size_t len,
    const char *ifname, uint8_t af, struct node_host *sh,
    struct node_port *sp, struct node_host *dh, struct node_port *dp,
    uint8_t proto)
{
	if (strstr(label, "$if") != NULL)
		label_str(p, label, len, "$if", *ifname ? ifname : "any");
	label_addr(p, "$srcaddr", label, len, af, sh);
	label_addr(p, "$dstaddr", label, len, af, dh);
	label_port(p, "$srcport", label, len, sp);
	label_port(p, "$dstport", label, len, dp);
	if (strstr(label, "$proto") != NULL) {
		const char	*n = pf_protoname(proto);
		char		 b[4];

		if (n == NULL) {
			snprintf(b, sizeof(b), "%u", proto);
			n = b;
		}
		label_str(p, label, len, "$proto", n);
	}
}

/* pools ------------------------------------------------------------------ */

static int
add_opt_table(struct pf_parser *p, struct node_host **tbl, uint8_t af,
    const struct acl_addr *addr, uint16_t weight)
{
	struct node_host	*n = pf_alloc(p->arena, sizeof(*n));

	n->af = af;
	n->addr = *addr;
	n->weight = weight;
	n->tail = n;
	if (*tbl == NULL)
		*tbl = n;
	else {
		(*tbl)->tail->next = n;
		(*tbl)->tail = n;
	}
	return (0);
}

static int
collapse_redirspec(struct pf_parser *p, struct acl_pool *rpool,
    struct acl_rule *r, struct redirspec *rs, int routing)
{
	struct node_host	*h, *hprev = NULL, *tbl = NULL;
	const char		*nofile = NULL;
	uint8_t			 af = 0;
	int			 naddr = 0;
	const char		*what = routing ? "routing" : "translation";

	if (!rs || !rs->rdr || rs->rdr->host == NULL) {
		memset(&rpool->addr, 0, sizeof(rpool->addr));
		rpool->addr.type = ACL_ADDR_NONE;
		return (0);
	}
	if (r->rule_flag & ACL_RF_AFTO)
		r->naf = (uint8_t)rs->af;

	for (h = rs->rdr->host; h != NULL; h = h->next) {
		if (routing && h->addr.type == ACL_ADDR_DYNIFTL &&
		    h->addr.iflags != ACL_IFA_PEER) {
			pf_yyerror(p, "route spec requires :peer with "
			    "dynamic interface addresses");
			return (1);
		}
		if (rs->af && !r->af && !af) {
			if (r->naf == AF_INET6)
				af = AF_INET;
			else if (r->naf == AF_INET)
				af = AF_INET6;
			else
				af = (uint8_t)rs->af;
		}
		if (h->af && !r->naf) {
			if (r->af && r->af != h->af)
				continue;
			if (!r->af && af && af != h->af) {
				pf_yyerror(p, "%s spec contains addresses "
				    "with different address families", what);
				return (1);
			}
		} else if (h->af) {
			if (rs->af && rs->af != h->af) {
				pf_yyerror(p, "%s spec contains addresses "
				    "that don't match target address family",
				    what);
				return (1);
			}
		}
		if (!r->af && !af)
			af = h->af;

		if (naddr == 0) {
			rpool->addr = h->addr;
			if (h->ifname) {
				pf_yyerror(p, "@if not permitted for %s",
				    what);
				return (1);
			}
			hprev = h;
		} else {
			if (rs->pool_opts.type &&
			    !POOL_DYNTYPE(rs->pool_opts.type)) {
				pf_yyerror(p, "pool type is not valid for "
				    "multiple translation or routing "
				    "addresses");
				return (1);
			}
			if ((hprev && hprev->addr.type != ACL_ADDR_ADDRMASK) &&
			    (hprev && hprev->addr.type != ACL_ADDR_NONE) &&
			    h->addr.type != ACL_ADDR_ADDRMASK &&
			    h->addr.type != ACL_ADDR_NONE) {
				pf_yyerror(p, "multiple tables or dynamic "
				    "interfaces not supported for translation "
				    "or routing");
				return (1);
			}
			if (h->ifname) {
				pf_yyerror(p, "@if not permitted for %s",
				    what);
				return (1);
			}
			if (hprev) {
				add_opt_table(p, &tbl, hprev->af,
				    &hprev->addr, hprev->weight);
				hprev = NULL;
			}
			add_opt_table(p, &tbl, h->af, &h->addr, h->weight);
		}
		naddr++;
	}
	if (!r->af && af)
		r->af = af;
	if (!naddr) {
		pf_yyerror(p, "af mismatch in %s spec", what);
		return (1);
	}
	if (tbl) {
		char	 name[ACL_TABLE_NAME_SIZE];
		size_t	 i;
		int	 nauto = 0;

		for (i = 0; i < p->conf->ntables; i++)
			if (p->conf->tables[i].automatic)
				nauto++;
		snprintf(name, sizeof(name), "__automatic_%d", nauto);
		pf_tabledef(p, name, ACL_TFLAG_CONST, 1, &tbl, &nofile, 1, 1);
		memset(&rpool->addr, 0, sizeof(rpool->addr));
		rpool->addr.type = ACL_ADDR_TABLE;
		snprintf(rpool->addr.tblname, sizeof(rpool->addr.tblname),
		    "%s", name);
	}
	return (0);
}

static int
apply_redirspec(struct pf_parser *p, struct acl_pool *rpool,
    struct acl_rule *r, struct redirspec *rs, int isrdr,
    struct node_port *np)
{
	(void)r;
	if (!rs || !rs->rdr)
		return (0);

	rpool->proxy_port[0] = (uint16_t)rs->rdr->rport.a;
	if (isrdr) {
		if (!rs->rdr->rport.b && rs->rdr->rport.t) {
			rpool->proxy_port[1] = (uint16_t)(rs->rdr->rport.a +
			    (np->port[1] - np->port[0]));
		} else {
			if (pf_validate_range((uint8_t)rs->rdr->rport.t,
			    (uint16_t)rs->rdr->rport.a,
			    (uint16_t)rs->rdr->rport.b)) {
				pf_yyerror(p, "invalid rdr-to port range");
				return (1);
			}
			rpool->port_op = (uint8_t)rs->rdr->rport.t;
			rpool->proxy_port[1] = (uint16_t)rs->rdr->rport.b;
		}
	} else {
		rpool->proxy_port[1] = (uint16_t)rs->rdr->rport.b;
		if (!rpool->proxy_port[0] && !rpool->proxy_port[1]) {
			rpool->proxy_port[0] = ACL_NAT_PORT_LOW;
			rpool->proxy_port[1] = ACL_NAT_PORT_HIGH;
		} else if (!rpool->proxy_port[1])
			rpool->proxy_port[1] = rpool->proxy_port[0];
	}

	rpool->opts = (uint8_t)rs->pool_opts.type;
	if ((rpool->opts & ACL_POOL_TYPEMASK) == ACL_POOL_NONE &&
	    (rpool->addr.type == ACL_ADDR_TABLE ||
	    dynif_multiaddr(&rpool->addr)))
		rpool->opts |= ACL_POOL_ROUNDROBIN;

	if (!POOL_DYNTYPE(rpool->opts) &&
	    (disallow_table(p, rs->rdr->host,
	    "tables are not supported by pool type") ||
	    disallow_alias(p, rs->rdr->host,
	    "interface (%s) is not supported by pool type")))
		return (1);

	if (rs->pool_opts.key != NULL)
		memcpy(rpool->key, rs->pool_opts.key, sizeof(rpool->key));
	if (rs->pool_opts.opts)
		rpool->opts |= rs->pool_opts.opts;

	if (rs->pool_opts.staticport) {
		if (isrdr) {
			pf_yyerror(p, "the 'static-port' option is only "
			    "valid with nat rules");
			return (1);
		}
		if (rpool->proxy_port[0] != ACL_NAT_PORT_LOW &&
		    rpool->proxy_port[1] != ACL_NAT_PORT_HIGH) {
			pf_yyerror(p, "the 'static-port' option can't be "
			    "used when specifying a port range");
			return (1);
		}
		rpool->proxy_port[0] = 0;
		rpool->proxy_port[1] = 0;
	}
	return (0);
}

/*
 * What sluice does not do with a translation pool (af-to and route-to
 * say so themselves): address ranges.
 */
static void
pool_lint(struct pf_parser *p, const struct acl_rule *r)
{
	const struct acl_pool *pl[2] = { &r->nat, &r->rdr };
	int i;

	for (i = 0; i < 2; i++) {
		if (pl[i]->addr.type == ACL_ADDR_NONE)
			continue;
		if (pl[i]->addr.type == ACL_ADDR_RANGE)
			pf_lint(p, p->lx.lineno, PF_LINT_POOLRANGE,
			    "an address range as a translation pool");
	}
}

/* checks ----------------------------------------------------------------- */

static int
rule_consistent(struct pf_parser *p, struct acl_rule *r)
{
	int	problems = 0;

	if (r->proto != IPPROTO_TCP && r->os[0]) {
		pf_yyerror(p, "os only applies to tcp");
		problems++;
	}
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
	    (r->src.port_op || r->dst.port_op)) {
		pf_yyerror(p, "port only applies to tcp/udp");
		problems++;
	}
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
	    r->uid.op) {
		pf_yyerror(p, "user only applies to tcp/udp");
		problems++;
	}
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
	    r->gid.op) {
		pf_yyerror(p, "group only applies to tcp/udp");
		problems++;
	}
	if (r->proto != IPPROTO_ICMP && r->proto != IPPROTO_ICMPV6_ &&
	    (r->type || r->code)) {
		pf_yyerror(p, "icmp-type/code only applies to icmp");
		problems++;
	}
	if (!r->af && (r->type || r->code)) {
		pf_yyerror(p, "must indicate address family with "
		    "icmp-type/code");
		problems++;
	}
	if (r->rule_flag & ACL_RF_AFTO && r->af == r->naf) {
		pf_yyerror(p, "must indicate different address family "
		    "with af-to");
		problems++;
	}
	if (r->overload_tblname[0] && r->max_src_conn == 0 &&
	    r->max_src_conn_rate.seconds == 0) {
		pf_yyerror(p, "'overload' requires 'max-src-conn' or "
		    "'max-src-conn-rate'");
		problems++;
	}
	if ((r->proto == IPPROTO_ICMP && r->af == AF_INET6) ||
	    (r->proto == IPPROTO_ICMPV6_ && r->af == AF_INET)) {
		pf_yyerror(p, "proto %s doesn't match address family %s",
		    r->proto == IPPROTO_ICMP ? "icmp" : "icmp6",
		    r->af == AF_INET ? "inet" : "inet6");
		problems++;
	}
	if (r->allow_opts && r->action != ACL_PASS) {
		pf_yyerror(p, "allow-opts can only be specified for pass "
		    "rules");
		problems++;
	}
	if (r->rule_flag & ACL_RF_FRAGMENT && (r->src.port_op ||
	    r->dst.port_op || r->flagset || r->type || r->code)) {
		pf_yyerror(p, "fragments can be filtered only on IP header "
		    "fields");
		problems++;
	}
	if (r->rule_flag & ACL_RF_RETURNRST && r->proto != IPPROTO_TCP) {
		pf_yyerror(p, "return-rst can only be applied to TCP rules");
		problems++;
	}
	if (r->max_src_nodes && !(r->rule_flag & ACL_RF_RULESRCTRACK)) {
		pf_yyerror(p, "max-src-nodes requires 'source-track rule'");
		problems++;
	}
	if (r->action != ACL_PASS && r->keep_state) {
		pf_yyerror(p, "keep state is great, but only for pass rules");
		problems++;
	}
	if (r->rt && !r->keep_state) {
		pf_yyerror(p, "route-to, reply-to and dup-to require keep "
		    "state");
		problems++;
	}
	if (r->rule_flag & ACL_RF_STATESLOPPY &&
	    (r->keep_state == ACL_STATE_MODULATE ||
	    r->keep_state == ACL_STATE_SYNPROXY)) {
		pf_yyerror(p, "sloppy state matching cannot be used with "
		    "synproxy state or modulate state");
		problems++;
	}
	if (r->keep_state == ACL_STATE_SYNPROXY && r->direction != ACL_IN)
		fprintf(p->err, "%s:%d: warning: synproxy used for inbound "
		    "rules only, ignored for outbound\n", p->lx.file->name,
		    p->lx.lineno);
	if ((r->nat.addr.type != ACL_ADDR_NONE ||
	    r->rdr.addr.type != ACL_ADDR_NONE) &&
	    r->action != ACL_MATCH && !r->keep_state) {
		pf_yyerror(p, "nat-to and rdr-to require keep state");
		problems++;
	}
	if (r->direction == ACL_INOUT && (r->nat.addr.type != ACL_ADDR_NONE ||
	    r->rdr.addr.type != ACL_ADDR_NONE)) {
		pf_yyerror(p, "nat-to and rdr-to require a direction");
		problems++;
	}
	if (r->af == AF_INET6 && (r->scrub_flags &
	    (ACL_SCRUB_NODF | ACL_SCRUB_RANDOMID))) {
		pf_yyerror(p, "address family inet6 does not support scrub "
		    "options no-df, random-id");
		problems++;
	}
	switch (r->action) {
	case ACL_MATCH:
		if (r->divert_type != ACL_DIVERT_NONE) {
			pf_yyerror(p, "divert is not supported on match rules");
			problems++;
		}
		if (r->rt) {
			pf_yyerror(p, "route-to, reply-to and dup-to are not "
			    "supported on match rules");
			problems++;
		}
		if (r->rule_flag & ACL_RF_AFTO) {
			pf_yyerror(p, "af-to is not supported on match rules");
			problems++;
		}
		break;
	case ACL_BLOCK:
		if (r->rt) {
			pf_yyerror(p, "route-to, reply-to and dup-to are not "
			    "supported on block rules");
			problems++;
		}
		break;
	}
	return (-problems);
}

int
pf_filteropts_to_rule(struct pf_parser *p, struct acl_rule *r,
    struct filter_opts *o)
{
	if (o->marker & FOM_ONCE) {
		if ((r->action != ACL_PASS && r->action != ACL_BLOCK) ||
		    r->anchor) {
			pf_yyerror(p, "'once' only applies to pass/block "
			    "rules");
			return (1);
		}
		r->rule_flag |= ACL_RF_ONCE;
	}
	r->keep_state = (uint8_t)o->keep.action;
	r->pktrate.limit = o->pktrate.limit;
	r->pktrate.seconds = o->pktrate.seconds;
	r->prob = o->prob;
	r->rtableid = o->rtableid;
	r->tos = (uint8_t)o->tos;
	if (o->nodf)
		r->scrub_flags |= ACL_SCRUB_NODF;
	if (o->randomid)
		r->scrub_flags |= ACL_SCRUB_RANDOMID;
	if (o->minttl)
		r->min_ttl = (uint8_t)o->minttl;
	if (o->max_mss)
		r->max_mss = (uint16_t)o->max_mss;
	if (o->tag) {
		if (strlen(o->tag) >= ACL_TAG_NAME_SIZE) {
			pf_yyerror(p, "tag too long, max %u chars",
			    ACL_TAG_NAME_SIZE - 1);
			return (1);
		}
		snprintf(r->tagname, sizeof(r->tagname), "%s", o->tag);
	}
	if (o->match_tag) {
		if (strlen(o->match_tag) >= ACL_TAG_NAME_SIZE) {
			pf_yyerror(p, "tag too long, max %u chars",
			    ACL_TAG_NAME_SIZE - 1);
			return (1);
		}
		snprintf(r->match_tagname, sizeof(r->match_tagname), "%s",
		    o->match_tag);
	}
	r->match_tag_not = o->match_tag_not;
	if (o->label) {
		if (strlen(o->label) >= sizeof(r->label)) {
			pf_yyerror(p, "rule label too long (max %zu chars)",
			    sizeof(r->label) - 1);
			return (1);
		}
		snprintf(r->label, sizeof(r->label), "%s", o->label);
	}
	if (o->marker & FOM_AFTO)
		r->rule_flag |= ACL_RF_AFTO;
	if ((o->marker & FOM_AFTO) && r->direction != ACL_IN) {
		pf_yyerror(p, "af-to can only be used with direction in");
		return (1);
	}
	if ((o->marker & FOM_AFTO) && o->rt) {
		pf_yyerror(p, "af-to cannot be used together with "
		    "route-to, reply-to, dup-to");
		return (1);
	}
	if (o->marker & FOM_SCRUB_TCP)
		r->scrub_flags |= ACL_SCRUB_TCP;
	if (o->marker & FOM_SETDELAY) {
		struct acl_conf *c = p->conf;
		unsigned id;

		r->delay = o->delay;
		r->rule_flag |= ACL_RF_SETDELAY;
		for (id = 0; id < c->ndelays && c->delays[id] != r->delay; id++)
			;
		if (id == ACL_DELAYS_MAX) {
			pf_yyerror(p, "set delay %u: sluice keeps at most %d "
			    "different delays", r->delay, ACL_DELAYS_MAX);
			return (1);
		}
		if (id == c->ndelays)
			c->delays[c->ndelays++] = r->delay;
		r->scrub_flags |= (uint16_t)((id + 1) << ACL_SCRUB_DELAYSHIFT);
	}
	if (o->marker & FOM_SETPRIO) {
		r->set_prio[0] = o->set_prio[0];
		r->set_prio[1] = o->set_prio[1];
		r->scrub_flags |= ACL_SCRUB_SETPRIO;
	}
	if (o->marker & FOM_SETTOS) {
		r->scrub_flags |= ACL_SCRUB_SETTOS;
		r->set_tos = (uint8_t)o->settos;
	}
	if (o->marker & FOM_PRIO)
		r->prio = o->prio ? o->prio : ACL_PRIO_ZERO;
	r->flags = o->flags.b1;
	r->flagset = o->flags.b2;
	if ((o->flags.b1 & o->flags.b2) != o->flags.b1) {
		pf_yyerror(p, "flags always false");
		return (1);
	}
	if (o->qname) {
		if (strlen(o->qname) >= sizeof(r->qname)) {
			pf_yyerror(p, "rule qname too long (max %zu chars)",
			    sizeof(r->qname) - 1);
			return (1);
		}
		snprintf(r->qname, sizeof(r->qname), "%s", o->qname);
	}
	if (o->pqname) {
		if (strlen(o->pqname) >= sizeof(r->pqname)) {
			pf_yyerror(p, "rule pqname too long (max %zu chars)",
			    sizeof(r->pqname) - 1);
			return (1);
		}
		snprintf(r->pqname, sizeof(r->pqname), "%s", o->pqname);
	}
	if (o->fragment)
		r->rule_flag |= ACL_RF_FRAGMENT;
	r->allow_opts = (uint8_t)o->allowopts;
	return (0);
}

int
pf_expand_divertspec(struct pf_parser *p, struct acl_rule *r,
    struct divertspec *ds)
{
	struct node_host	*n;

	switch (ds->type) {
	case ACL_DIVERT_NONE:
		return (0);
	case ACL_DIVERT_TO:
		if (r->direction == ACL_OUT) {
			pf_yyerror(p, "divert-to used with outgoing rule");
			return (1);
		}
		if (r->af) {
			for (n = ds->addr; n != NULL; n = n->next)
				if (n->af == r->af)
					break;
			if (n == NULL) {
				pf_yyerror(p, "divert-to address family "
				    "mismatch");
				return (1);
			}
			r->divert_addr = n->addr.a.addr;
		} else {
			r->af = ds->addr->af;
			r->divert_addr = ds->addr->addr.a.addr;
		}
		r->divert_port = ds->port;
		r->divert_type = (uint8_t)ds->type;
		return (0);
	case ACL_DIVERT_REPLY:
		if (r->direction == ACL_IN) {
			pf_yyerror(p, "divert-reply used with incoming rule");
			return (1);
		}
		r->divert_type = (uint8_t)ds->type;
		return (0);
	case ACL_DIVERT_PACKET:
		r->divert_port = ds->port;
		r->divert_type = (uint8_t)ds->type;
		return (0);
	}
	return (1);
}

static int
check_netmask(struct pf_parser *p, struct node_host *h, uint8_t af)
{
	const union acl_ip	*m;

	if (h->addr.type == ACL_ADDR_TABLE)
		return (0);
	m = &h->addr.a.mask;
	if (af == AF_INET && (m->w[1] || m->w[2] || m->w[3])) {
		fprintf(p->err, "netmask %u invalid for IPv4 address\n",
		    pf_unmask(m));
		return (1);
	}
	return (0);
}

static struct node_host *
gen_dynnode(struct pf_parser *p, struct node_host *h, uint8_t af)
{
	struct node_host	*n = pf_alloc(p->arena, sizeof(*n));

	*n = *h;
	n->ifname = NULL;
	n->next = NULL;
	n->tail = NULL;
	if (af == AF_INET && pf_unmask(&n->addr.a.mask) > 32)
		pf_set_ipmask(n, 32);
	return (n);
}

/* expansion -------------------------------------------------------------- */

#define ZERO(p, t)	((t *)pf_alloc((p)->arena, sizeof(t)))

int
pf_expand_rule(struct pf_parser *p, struct acl_rule *r, int keeprule,
    struct node_if *interfaces, struct redirspec *nat, struct redirspec *rdr,
    struct redirspec *rroute, struct node_proto *protos,
    struct node_os *src_oses, struct node_host *src_hosts,
    struct node_port *src_ports, struct node_host *dst_hosts,
    struct node_port *dst_ports, struct node_uid *uids,
    struct node_uid *gids, struct node_if *rcv, struct node_icmp *icmp_types)
{
	struct node_if		*interface;
	struct node_proto	*proto;
	struct node_icmp	*icmp_type;
	struct node_host	*src_host, *dst_host, *osrch, *odsth;
	struct node_port	*src_port, *dst_port;
	struct node_os		*src_os;
	struct node_uid		*uid, *gid;
	char			 label[ACL_RULE_LABEL_SIZE];
	char			 tagname[ACL_TAG_NAME_SIZE];
	char			 match_tagname[ACL_TAG_NAME_SIZE];
	uint8_t			 af = r->af, flags, flagset, keep_state;
	uint8_t			 dir = r->direction;
	int			 added = 0, error = 0;

	(void)keeprule;
	memcpy(label, r->label, sizeof(label));
	memcpy(tagname, r->tagname, sizeof(tagname));
	memcpy(match_tagname, r->match_tagname, sizeof(match_tagname));
	flags = r->flags;
	flagset = r->flagset;
	keep_state = r->keep_state;
	r->src.addr.type = r->dst.addr.type = ACL_ADDR_ADDRMASK;

	if (interfaces == NULL)
		interfaces = ZERO(p, struct node_if);
	if (protos == NULL)
		protos = ZERO(p, struct node_proto);
	if (icmp_types == NULL)
		icmp_types = ZERO(p, struct node_icmp);
	if (src_hosts == NULL)
		src_hosts = ZERO(p, struct node_host);
	if (dst_hosts == NULL)
		dst_hosts = ZERO(p, struct node_host);
	if (src_ports == NULL)
		src_ports = ZERO(p, struct node_port);
	if (dst_ports == NULL)
		dst_ports = ZERO(p, struct node_port);
	if (src_oses == NULL)
		src_oses = ZERO(p, struct node_os);
	if (uids == NULL)
		uids = ZERO(p, struct node_uid);
	if (gids == NULL)
		gids = ZERO(p, struct node_uid);

	for (interface = interfaces; interface; interface = interface->next)
	for (proto = protos; proto; proto = proto->next)
	for (icmp_type = icmp_types; icmp_type; icmp_type = icmp_type->next)
	for (src_host = src_hosts; src_host; src_host = src_host->next)
	for (dst_host = dst_hosts; dst_host; dst_host = dst_host->next)
	for (src_port = src_ports; src_port; src_port = src_port->next)
	for (dst_port = dst_ports; dst_port; dst_port = dst_port->next)
	for (src_os = src_oses; src_os; src_os = src_os->next)
	for (uid = uids; uid; uid = uid->next)
	for (gid = gids; gid; gid = gid->next) {
		struct node_host	*sh = src_host, *dh = dst_host;
		const char		*ifn;

		r->af = af;
		error += collapse_redirspec(p, &r->rdr, r, rdr, 0);
		error += collapse_redirspec(p, &r->nat, r, nat, 0);
		error += collapse_redirspec(p, &r->route, r, rroute, 1);

		if ((sh->addr.type == ACL_ADDR_ADDRMASK && sh->ifname) ||
		    (dh->addr.type == ACL_ADDR_ADDRMASK && dh->ifname)) {
			pf_yyerror(p, "@if syntax not permitted in from or "
			    "to");
			error++;
		}
		/* link-local addresses: the interface must match up */
		if ((r->af && sh->af && r->af != sh->af) ||
		    (r->af && dh->af && r->af != dh->af) ||
		    (sh->af && dh->af && sh->af != dh->af) ||
		    (sh->ifindex && dh->ifindex &&
		    sh->ifindex != dh->ifindex) ||
		    (sh->ifindex && *interface->ifname &&
		    sh->ifindex != pf_ifa_nametoindex(&p->hc,
		    interface->ifname)) ||
		    (dh->ifindex && *interface->ifname &&
		    dh->ifindex != pf_ifa_nametoindex(&p->hc,
		    interface->ifname)))
			continue;
		if (!r->af && sh->af)
			r->af = sh->af;
		else if (!r->af && dh->af)
			r->af = dh->af;

		if (*interface->ifname)
			snprintf(r->ifname, sizeof(r->ifname), "%s",
			    interface->ifname);
		else if ((ifn = pf_ifa_indextoname(&p->hc, sh->ifindex)))
			snprintf(r->ifname, sizeof(r->ifname), "%s", ifn);
		else if ((ifn = pf_ifa_indextoname(&p->hc, dh->ifindex)))
			snprintf(r->ifname, sizeof(r->ifname), "%s", ifn);
		else
			memset(r->ifname, 0, sizeof(r->ifname));

		r->onrdomain = interface->use_rdomain ? interface->rdomain :
		    -1;
		memcpy(r->label, label, sizeof(r->label));
		memcpy(r->tagname, tagname, sizeof(r->tagname));
		memcpy(r->match_tagname, match_tagname,
		    sizeof(r->match_tagname));
		expand_label(p, r->label, sizeof(r->label), r->ifname, r->af,
		    sh, src_port, dh, dst_port, proto->proto);
		expand_label(p, r->tagname, sizeof(r->tagname), r->ifname,
		    r->af, sh, src_port, dh, dst_port, proto->proto);
		expand_label(p, r->match_tagname, sizeof(r->match_tagname),
		    r->ifname, r->af, sh, src_port, dh, dst_port,
		    proto->proto);

		osrch = odsth = NULL;
		if (sh->addr.type == ACL_ADDR_DYNIFTL) {
			osrch = sh;
			sh = gen_dynnode(p, sh, r->af);
		}
		if (dh->addr.type == ACL_ADDR_DYNIFTL) {
			odsth = dh;
			dh = gen_dynnode(p, dh, r->af);
		}
		error += check_netmask(p, sh, r->af);
		error += check_netmask(p, dh, r->af);

		r->ifnot = interface->not;
		r->proto = proto->proto;
		r->src.addr = sh->addr;
		r->src.neg = sh->not;
		r->src.port[0] = src_port->port[0];
		r->src.port[1] = src_port->port[1];
		r->src.port_op = src_port->op;
		r->dst.addr = dh->addr;
		r->dst.neg = dh->not;
		r->dst.port[0] = dst_port->port[0];
		r->dst.port[1] = dst_port->port[1];
		r->dst.port_op = dst_port->op;
		r->uid.op = uid->op;
		r->uid.id[0] = uid->uid[0];
		r->uid.id[1] = uid->uid[1];
		r->gid.op = gid->op;
		r->gid.id[0] = gid->uid[0];
		r->gid.id[1] = gid->uid[1];
		if (rcv) {
			snprintf(r->rcv_ifname, sizeof(r->rcv_ifname), "%s",
			    rcv->ifname);
			r->rcvifnot = rcv->not;
		}
		r->type = icmp_type->type;
		r->code = icmp_type->code;

		if ((keep_state == ACL_STATE_MODULATE ||
		    keep_state == ACL_STATE_SYNPROXY) &&
		    r->proto && r->proto != IPPROTO_TCP)
			r->keep_state = ACL_STATE_NORMAL;
		else
			r->keep_state = keep_state;
		if (r->proto && r->proto != IPPROTO_TCP) {
			r->flags = 0;
			r->flagset = 0;
		} else {
			r->flags = flags;
			r->flagset = flagset;
		}
		if (icmp_type->proto && r->proto != icmp_type->proto) {
			pf_yyerror(p, "icmp-type mismatch");
			error++;
		}
		/* pfctl_get_fingerprint(), and the name pfctl prints */
		r->os_fp = ACL_OSFP_ANY;
		r->os[0] = '\0';
		if (src_os->os) {
			r->os_fp = acl_osfp_lookup(p->conf->osfp, src_os->os);
			acl_osfp_name(p->conf->osfp, r->os_fp, r->os,
			    sizeof(r->os));
			if (r->os_fp == ACL_OSFP_NOMATCH &&
			    (p->opts & PF_OPT_VERBOSE2))
				fprintf(p->err, "warning: unknown '%s' OS "
				    "fingerprint\n", src_os->os);
			else if (r->os_fp == ACL_OSFP_NOMATCH && p->lint)
				fprintf(p->err, "%s:%d: warning: OS "
				    "fingerprint '%s' is not in pf.os: the "
				    "rule matches nothing\n",
				    p->lx.file ? p->lx.file->name : "?",
				    p->lx.lineno, src_os->os);
		}

		if (nat && nat->rdr && nat->binat) {
			if (disallow_table(p, sh, "invalid use of table <%s> "
			    "as the source address of a binat-to rule") ||
			    disallow_alias(p, sh, "invalid use of interface "
			    "(%s) as the source address of a binat-to "
			    "rule")) {
				error++;
			} else if ((r->src.addr.type != ACL_ADDR_ADDRMASK &&
			    r->src.addr.type != ACL_ADDR_DYNIFTL) ||
			    (r->nat.addr.type != ACL_ADDR_ADDRMASK &&
			    r->nat.addr.type != ACL_ADDR_DYNIFTL)) {
				pf_yyerror(p, "binat-to requires a specified "
				    "source and redirect address");
				error++;
			}
			if (dynif_multiaddr(&r->src.addr) ||
			    dynif_multiaddr(&r->nat.addr)) {
				pf_yyerror(p, "dynamic interfaces must be "
				    "used with :0 in a binat-to rule");
				error++;
			}
			if (pf_azero(&r->src.addr.a.mask, af) ||
			    pf_azero(&r->nat.addr.a.mask, af)) {
				pf_yyerror(p, "source and redir addresess "
				    "must have a matching network mask in "
				    "binat-rule");
				error++;
			}
			if (r->nat.addr.type == ACL_ADDR_TABLE) {
				pf_yyerror(p, "tables cannot be used as the "
				    "redirect address of a binat-to rule");
				error++;
			}
			if (r->direction != ACL_INOUT) {
				pf_yyerror(p, "binat-to cannot be specified "
				    "with a direction");
				error++;
			}
			r->direction = ACL_OUT;
		}

		error += apply_redirspec(p, &r->nat, r, nat, 0, dst_port);
		error += apply_redirspec(p, &r->rdr, r, rdr, 1, dst_port);
		error += apply_redirspec(p, &r->route, r, rroute, 2,
		    dst_port);
		if (!(r->rule_flag & ACL_RF_AFTO))
			pool_lint(p, r);

		if (rule_consistent(p, r) < 0 || error)
			pf_yyerror(p, "skipping rule due to errors");
		else {
			pf_rule_append(p, p->astack[p->asd], r);
			added++;
		}
		r->direction = dir;

		/* binat-to: the matching inbound rdr-to rule */
		if (!error && nat && nat->rdr && nat->binat) {
			struct acl_rule		 rb;
			struct node_host	*srch, *dsth;
			struct redirspec	 binat;

			rb = *r;
			rb.direction = ACL_IN;
			srch = pf_alloc(p->arena, sizeof(*srch));
			*srch = *sh;
			srch->ifname = NULL;
			srch->next = NULL;
			srch->tail = NULL;
			dsth = pf_alloc(p->arena, sizeof(*dsth));
			dsth->addr = rb.nat.addr;
			memset(&binat, 0, sizeof(binat));
			binat.rdr = pf_alloc(p->arena, sizeof(*binat.rdr));
			*binat.rdr = *nat->rdr;
			binat.pool_opts = nat->pool_opts;
			binat.pool_opts.staticport = 0;
			binat.rdr->host = srch;
			pf_expand_rule(p, &rb, 1, interface, NULL, &binat,
			    NULL, proto, src_os, dh, dst_port, dsth, src_port,
			    uid, gid, rcv, icmp_type);
		}
		(void)osrch;
		(void)odsth;
	}

	if (!added)
		pf_yyerror(p, "rule expands to no valid combination");
	return (added);
}
