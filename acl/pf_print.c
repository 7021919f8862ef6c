/*
 * pf_print.c: rules, addresses and rulesets printed the way OpenBSD's
 * pfctl prints them (print_rule() and friends in pfctl_parser.c and
 * pf_print_state.c, pfctl_load_ruleset() in pfctl.c).  Users grep this
 * output, and the regress tests compare it byte for byte, so every space
 * and every normalisation (block -> block drop, "all", flags S/SA, ports
 * as numbers) follows pfctl, not taste.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <string.h>

#include "acl/pf_impl.h"

#define IPPROTO_ICMPV6_	58

const char *
pf_tmname(int tm)
{
	int	i;

	for (i = 0; pf_timeouts[i].name != NULL; i++)
		if (pf_timeouts[i].timeout == tm)
			return (pf_timeouts[i].name);
	return ("inv.timeout");
}

void
pf_print_addr(FILE *f, const struct acl_addr *a, int af, int verbose)
{
	char	buf[48];
	int	bits;

	switch (a->type) {
	case ACL_ADDR_DYNIFTL:
		fprintf(f, "(%s", a->ifname);
		if (a->iflags & ACL_IFA_NETWORK)
			fprintf(f, ":network");
		if (a->iflags & ACL_IFA_BROADCAST)
			fprintf(f, ":broadcast");
		if (a->iflags & ACL_IFA_PEER)
			fprintf(f, ":peer");
		if (a->iflags & ACL_IFA_NOALIAS)
			fprintf(f, ":0");
		/* print_addr() of pfctl_parser.c: the count the kernel
		 * filled in, ":*" when there is none. */
		if (verbose && a->dyncnt <= 0)
			fprintf(f, ":*");
		else if (verbose)
			fprintf(f, ":%d", (int)a->dyncnt);
		fprintf(f, ")");
		break;
	case ACL_ADDR_TABLE:
		/* print_addr(): tblcnt of an active table, else ":*". */
		if (verbose && a->dyncnt > 0)
			fprintf(f, "<%s:%d>", a->tblname, (int)a->dyncnt - 1);
		else if (verbose)
			fprintf(f, "<%s:*>", a->tblname);
		else
			fprintf(f, "<%s>", a->tblname);
		return;
	case ACL_ADDR_RANGE:
		if (inet_ntop(af, &a->a.addr, buf, sizeof(buf)) == NULL)
			fprintf(f, "?");
		else
			fprintf(f, "%s", buf);
		if (inet_ntop(af, &a->a.mask, buf, sizeof(buf)) == NULL)
			fprintf(f, " - ?");
		else
			fprintf(f, " - %s", buf);
		return;
	case ACL_ADDR_ADDRMASK:
		if (pf_azero(&a->a.addr, AF_INET6) &&
		    pf_azero(&a->a.mask, AF_INET6))
			fprintf(f, "any");
		else if (inet_ntop(af, &a->a.addr, buf, sizeof(buf)) == NULL)
			fprintf(f, "?");
		else
			fprintf(f, "%s", buf);
		break;
	case ACL_ADDR_NOROUTE:
		fprintf(f, "no-route");
		return;
	case ACL_ADDR_URPFFAILED:
		fprintf(f, "urpf-failed");
		return;
	case ACL_ADDR_RTLABEL:
		fprintf(f, "route \"%s\"", a->rtlabel);
		return;
	default:
		fprintf(f, "?");
		return;
	}
	/* a mask unless both address and mask are zero */
	if (!(pf_azero(&a->a.addr, AF_INET6) &&
	    pf_azero(&a->a.mask, AF_INET6))) {
		bits = pf_unmask(&a->a.mask);
		if (bits < (af == AF_INET ? 32 : 128))
			fprintf(f, "/%d", bits);
	}
}

static void
print_op(FILE *f, uint8_t op, const char *a1, const char *a2)
{
	switch (op) {
	case ACL_OP_IRG:
		fprintf(f, " %s >< %s", a1, a2);
		break;
	case ACL_OP_XRG:
		fprintf(f, " %s <> %s", a1, a2);
		break;
	case ACL_OP_EQ:
		fprintf(f, " = %s", a1);
		break;
	case ACL_OP_NE:
		fprintf(f, " != %s", a1);
		break;
	case ACL_OP_LT:
		fprintf(f, " < %s", a1);
		break;
	case ACL_OP_LE:
		fprintf(f, " <= %s", a1);
		break;
	case ACL_OP_GT:
		fprintf(f, " > %s", a1);
		break;
	case ACL_OP_GE:
		fprintf(f, " >= %s", a1);
		break;
	case ACL_OP_RRG:
		fprintf(f, " %s:%s", a1, a2);
		break;
	}
}

static void
print_port(FILE *f, uint8_t op, uint16_t p1, uint16_t p2)
{
	char	a1[6], a2[6];

	snprintf(a1, sizeof(a1), "%u", p1);
	snprintf(a2, sizeof(a2), "%u", p2);
	fprintf(f, " port");
	print_op(f, op, a1, a2);
}

static void
print_ugid(FILE *f, uint8_t op, uint32_t i1, uint32_t i2, const char *t)
{
	char	a1[11], a2[11];

	snprintf(a1, sizeof(a1), "%u", i1);
	snprintf(a2, sizeof(a2), "%u", i2);
	fprintf(f, " %s", t);
	if (i1 == UINT32_MAX && (op == ACL_OP_EQ || op == ACL_OP_NE))
		print_op(f, op, "unknown", a2);
	else
		print_op(f, op, a1, a2);
}

static void
print_flags(FILE *f, uint8_t fl)
{
	static const char	*tcpflags = "FSRPAUEW";
	int			 i;

	for (i = 0; tcpflags[i]; ++i)
		if (fl & (1 << i))
			fprintf(f, "%c", tcpflags[i]);
}

static void
print_fromto(FILE *f, const struct acl_rule *r, int verbose)
{
	const struct acl_rule_addr	*src = &r->src, *dst = &r->dst;

	if (src->addr.type == ACL_ADDR_ADDRMASK &&
	    dst->addr.type == ACL_ADDR_ADDRMASK &&
	    pf_azero(&src->addr.a.addr, AF_INET6) &&
	    pf_azero(&src->addr.a.mask, AF_INET6) &&
	    pf_azero(&dst->addr.a.addr, AF_INET6) &&
	    pf_azero(&dst->addr.a.mask, AF_INET6) &&
	    !src->neg && !dst->neg && !src->port_op && !dst->port_op &&
	    !r->os[0]) {
		fprintf(f, " all");
		return;
	}
	fprintf(f, " from ");
	if (src->neg)
		fprintf(f, "! ");
	pf_print_addr(f, &src->addr, r->af, verbose);
	if (src->port_op)
		print_port(f, src->port_op, src->port[0], src->port[1]);
	if (r->os[0])
		fprintf(f, " os \"%s\"", r->os);
	fprintf(f, " to ");
	if (dst->neg)
		fprintf(f, "! ");
	pf_print_addr(f, &dst->addr, r->af, verbose);
	if (dst->port_op)
		print_port(f, dst->port_op, dst->port[0], dst->port[1]);
}

#define POOL_ROUTE	0
#define POOL_NAT	1
#define POOL_RDR	2

static void
print_pool(FILE *f, const struct acl_pool *pool, uint16_t p1, uint16_t p2,
    int af, int id, int verbose)
{
	if (pool->ifname[0]) {
		if (!pf_azero(&pool->addr.a.addr, af)) {
			pf_print_addr(f, &pool->addr, af, verbose);
			fprintf(f, "@");
		}
		fprintf(f, "%s", pool->ifname);
	} else
		pf_print_addr(f, &pool->addr, af, verbose);
	switch (id) {
	case POOL_NAT:
		if ((p1 != ACL_NAT_PORT_LOW || p2 != ACL_NAT_PORT_HIGH) &&
		    (p1 != 0 || p2 != 0)) {
			if (p1 == p2)
				fprintf(f, " port %u", p1);
			else
				fprintf(f, " port %u:%u", p1, p2);
		}
		break;
	case POOL_RDR:
		if (p1) {
			fprintf(f, " port %u", p1);
			if (p2 && (p2 != p1))
				fprintf(f, ":%u", p2);
		}
		break;
	}
	switch (pool->opts & ACL_POOL_TYPEMASK) {
	case ACL_POOL_BITMASK:
		fprintf(f, " bitmask");
		break;
	case ACL_POOL_RANDOM:
		fprintf(f, " random");
		break;
	case ACL_POOL_SRCHASH:
		fprintf(f, " source-hash 0x%08x%08x%08x%08x", pool->key[0],
		    pool->key[1], pool->key[2], pool->key[3]);
		break;
	case ACL_POOL_ROUNDROBIN:
		fprintf(f, " round-robin");
		break;
	case ACL_POOL_LEASTSTATES:
		fprintf(f, " least-states");
		break;
	}
	if (pool->opts & ACL_POOL_STICKYADDR)
		fprintf(f, " sticky-address");
	if (id == POOL_NAT && p1 == 0 && p2 == 0)
		fprintf(f, " static-port");
}

static void
print_return(FILE *f, const struct acl_rule *r)
{
	const struct pf_icmpcode	*ic, *ic6;

	if (r->rule_flag & ACL_RF_RETURN) {
		fprintf(f, " return");
		return;
	}
	if (r->rule_flag & ACL_RF_RETURNRST) {
		if (!r->return_ttl)
			fprintf(f, " return-rst");
		else
			fprintf(f, " return-rst(ttl %d)", r->return_ttl);
		return;
	}
	if (!(r->rule_flag & ACL_RF_RETURNICMP)) {
		fprintf(f, " drop");
		return;
	}
	ic = pf_icmpcode_bynum(r->return_icmp >> 8, r->return_icmp & 255,
	    AF_INET);
	ic6 = pf_icmpcode_bynum(r->return_icmp6 >> 8, r->return_icmp6 & 255,
	    AF_INET6);
	switch (r->af) {
	case AF_INET:
		fprintf(f, " return-icmp");
		if (ic == NULL)
			fprintf(f, "(%u)", r->return_icmp & 255);
		else
			fprintf(f, "(%s)", ic->name);
		break;
	case AF_INET6:
		fprintf(f, " return-icmp6");
		if (ic6 == NULL)
			fprintf(f, "(%u)", r->return_icmp6 & 255);
		else
			fprintf(f, "(%s)", ic6->name);
		break;
	default:
		fprintf(f, " return-icmp");
		if (ic == NULL)
			fprintf(f, "(%u, ", r->return_icmp & 255);
		else
			fprintf(f, "(%s, ", ic->name);
		if (ic6 == NULL)
			fprintf(f, "%u)", r->return_icmp6 & 255);
		else
			fprintf(f, "%s)", ic6->name);
		break;
	}
}

static void
print_state_opts(FILE *f, const struct acl_rule *r, int ropts)
{
	int	i, first = 1;

#define SEP()	do { if (!first) fprintf(f, ", "); first = 0; } while (0)
	if (!ropts)
		return;
	fprintf(f, " (");
	if (r->max_states) {
		SEP();
		fprintf(f, "max %u", r->max_states);
	}
	if (r->rule_flag & ACL_RF_NOSYNC) {
		SEP();
		fprintf(f, "no-sync");
	}
	if (r->rule_flag & ACL_RF_SRCTRACK) {
		SEP();
		fprintf(f, "source-track");
		if (r->rule_flag & ACL_RF_RULESRCTRACK)
			fprintf(f, " rule");
		else
			fprintf(f, " global");
	}
	if (r->max_src_states) {
		SEP();
		fprintf(f, "max-src-states %u", r->max_src_states);
	}
	if (r->max_src_conn) {
		SEP();
		fprintf(f, "max-src-conn %u", r->max_src_conn);
	}
	if (r->max_src_conn_rate.limit) {
		SEP();
		fprintf(f, "max-src-conn-rate %u/%u",
		    r->max_src_conn_rate.limit, r->max_src_conn_rate.seconds);
	}
	if (r->max_src_nodes) {
		SEP();
		fprintf(f, "max-src-nodes %u", r->max_src_nodes);
	}
	if (r->overload_tblname[0]) {
		/* pfctl does not count this one as printed */
		if (!first)
			fprintf(f, ", ");
		fprintf(f, "overload <%s>", r->overload_tblname);
		if (r->flush)
			fprintf(f, " flush");
		if (r->flush & ACL_FLUSH_GLOBAL)
			fprintf(f, " global");
	}
	if (r->rule_flag & ACL_RF_IFBOUND) {
		SEP();
		fprintf(f, "if-bound");
	}
	if (r->rule_flag & ACL_RF_STATESLOPPY) {
		SEP();
		fprintf(f, "sloppy");
	}
	if (r->rule_flag & ACL_RF_PFLOW) {
		SEP();
		fprintf(f, "pflow");
	}
	for (i = 0; i < ACL_TM_MAX; ++i)
		if (r->timeout[i]) {
			SEP();
			fprintf(f, "%s %u", pf_tmname(i), r->timeout[i]);
		}
	fprintf(f, ")");
#undef SEP
}

static void
print_rule(FILE *f, const struct acl_rule *r, const char *anchor_call,
    int opts)
{
	int		 verbose = opts & (PF_OPT_VERBOSE2 | PF_OPT_DEBUG);
	int		 ropts, i;
	const char	*p;

	if (verbose)
		fprintf(f, "@%u ", r->nr);
	if (anchor_call[0]) {
		p = strrchr(anchor_call, '/');
		if (p ? p[1] == '_' : anchor_call[0] == '_')
			fprintf(f, "anchor");
		else
			fprintf(f, "anchor \"%s\"", anchor_call);
	} else
		fprintf(f, "%s", r->action == ACL_PASS ? "pass" :
		    r->action == ACL_BLOCK ? "block" : "match");
	if (r->action == ACL_BLOCK)
		print_return(f, r);
	if (r->direction == ACL_IN)
		fprintf(f, " in");
	else if (r->direction == ACL_OUT)
		fprintf(f, " out");
	if (r->log) {
		fprintf(f, " log");
		if (r->log & ~ACL_LOG || r->logif) {
			int	count = 0;

			fprintf(f, " (");
			if (r->log & ACL_LOG_ALL)
				fprintf(f, "%sall", count++ ? ", " : "");
			if (r->log & ACL_LOG_MATCHES)
				fprintf(f, "%smatches", count++ ? ", " : "");
			if (r->log & ACL_LOG_USER)
				fprintf(f, "%suser", count++ ? ", " : "");
			if (r->logif)
				fprintf(f, "%sto pflog%u", count++ ? ", " : "",
				    r->logif);
			fprintf(f, ")");
		}
	}
	if (r->quick)
		fprintf(f, " quick");
	if (r->ifname[0])
		fprintf(f, r->ifnot ? " on ! %s" : " on %s", r->ifname);
	if (r->onrdomain >= 0)
		fprintf(f, r->ifnot ? " on ! rdomain %d" : " on rdomain %d",
		    r->onrdomain);
	if (r->af)
		fprintf(f, r->af == AF_INET ? " inet" : " inet6");
	if (r->proto) {
		const char	*n = pf_protoname(r->proto);

		if (n != NULL)
			fprintf(f, " proto %s", n);
		else
			fprintf(f, " proto %u", r->proto);
	}
	print_fromto(f, r, verbose);
	if (r->rcv_ifname[0])
		fprintf(f, " %sreceived-on %s", r->rcvifnot ? "!" : "",
		    r->rcv_ifname);
	if (r->uid.op)
		print_ugid(f, r->uid.op, r->uid.id[0], r->uid.id[1], "user");
	if (r->gid.op)
		print_ugid(f, r->gid.op, r->gid.id[0], r->gid.id[1], "group");
	if (r->flags || r->flagset) {
		fprintf(f, " flags ");
		print_flags(f, r->flags);
		fprintf(f, "/");
		print_flags(f, r->flagset);
	} else if ((r->action == ACL_PASS || r->action == ACL_MATCH) &&
	    (!r->proto || r->proto == IPPROTO_TCP) &&
	    !(r->rule_flag & ACL_RF_FRAGMENT) && !anchor_call[0] &&
	    r->keep_state)
		fprintf(f, " flags any");
	if (r->type) {
		const struct pf_icmptype	*it;

		it = pf_icmptype_bynum(r->type - 1, r->af);
		fprintf(f, r->af != AF_INET6 ? " icmp-type" : " icmp6-type");
		if (it != NULL)
			fprintf(f, " %s", it->name);
		else
			fprintf(f, " %u", r->type - 1);
		if (r->code) {
			const struct pf_icmpcode	*ic;

			ic = pf_icmpcode_bynum(r->type - 1, r->code - 1,
			    r->af);
			if (ic != NULL)
				fprintf(f, " code %s", ic->name);
			else
				fprintf(f, " code %u", r->code - 1);
		}
	}
	if (r->tos)
		fprintf(f, " tos 0x%2.2x", r->tos);
	if (r->prio)
		fprintf(f, " prio %u", r->prio == ACL_PRIO_ZERO ? 0 : r->prio);
	if (r->pktrate.limit)
		fprintf(f, " max-pkt-rate %u/%u", r->pktrate.limit,
		    r->pktrate.seconds);
	if (r->scrub_flags & (ACL_SCRUB_SETTOS | ACL_SCRUB_SETPRIO) ||
	    r->qname[0] || r->rule_flag & ACL_RF_SETDELAY) {
		const char	*comma = "";

		fprintf(f, " set (");
		if (r->scrub_flags & ACL_SCRUB_SETPRIO) {
			if (r->set_prio[0] == r->set_prio[1])
				fprintf(f, "%sprio %u", comma, r->set_prio[0]);
			else
				fprintf(f, "%sprio(%u, %u)", comma,
				    r->set_prio[0], r->set_prio[1]);
			comma = ", ";
		}
		if (r->qname[0]) {
			if (r->pqname[0])
				fprintf(f, "%squeue(%s, %s)", comma, r->qname,
				    r->pqname);
			else
				fprintf(f, "%squeue %s", comma, r->qname);
			comma = ", ";
		}
		if (r->scrub_flags & ACL_SCRUB_SETTOS) {
			fprintf(f, "%stos 0x%2.2x", comma, r->set_tos);
			comma = ", ";
		}
		if (r->rule_flag & ACL_RF_SETDELAY)
			fprintf(f, "%sdelay %u", comma, r->delay);
		fprintf(f, ")");
	}

	ropts = 0;
	if (r->max_states || r->max_src_nodes || r->max_src_states)
		ropts = 1;
	if (r->rule_flag & (ACL_RF_NOSYNC | ACL_RF_SRCTRACK | ACL_RF_IFBOUND |
	    ACL_RF_STATESLOPPY | ACL_RF_PFLOW))
		ropts = 1;
	for (i = 0; !ropts && i < ACL_TM_MAX; ++i)
		if (r->timeout[i])
			ropts = 1;

	if (!r->keep_state && r->action == ACL_PASS && !anchor_call[0])
		fprintf(f, " no state");
	else if (r->keep_state == ACL_STATE_NORMAL && ropts)
		fprintf(f, " keep state");
	else if (r->keep_state == ACL_STATE_MODULATE)
		fprintf(f, " modulate state");
	else if (r->keep_state == ACL_STATE_SYNPROXY)
		fprintf(f, " synproxy state");
	if (r->prob) {
		char	buf[20];

		snprintf(buf, sizeof(buf), "%f",
		    r->prob * 100.0 / (UINT_MAX + 1.0));
		for (i = (int)strlen(buf) - 1; i > 0; i--) {
			if (buf[i] == '0')
				buf[i] = '\0';
			else {
				if (buf[i] == '.')
					buf[i] = '\0';
				break;
			}
		}
		fprintf(f, " probability %s%%", buf);
	}
	print_state_opts(f, r, ropts);

	if (r->rule_flag & ACL_RF_FRAGMENT)
		fprintf(f, " fragment");
	if (r->scrub_flags & (ACL_SCRUB_NODF | ACL_SCRUB_RANDOMID |
	    ACL_SCRUB_TCP) || r->min_ttl || r->max_mss) {
		const char	*sp = "";

		fprintf(f, " scrub (");
		if (r->scrub_flags & ACL_SCRUB_NODF) {
			fprintf(f, "no-df");
			sp = " ";
		}
		if (r->scrub_flags & ACL_SCRUB_RANDOMID) {
			fprintf(f, "%srandom-id", sp);
			sp = " ";
		}
		if (r->min_ttl) {
			fprintf(f, "%smin-ttl %d", sp, r->min_ttl);
			sp = " ";
		}
		if (r->scrub_flags & ACL_SCRUB_TCP) {
			fprintf(f, "%sreassemble tcp", sp);
			sp = " ";
		}
		if (r->max_mss)
			fprintf(f, "%smax-mss %d", sp, r->max_mss);
		fprintf(f, ")");
	}
	if (r->allow_opts)
		fprintf(f, " allow-opts");
	if (r->label[0])
		fprintf(f, " label \"%s\"", r->label);
	if (r->rule_flag & ACL_RF_ONCE)
		fprintf(f, " once");
	if (r->tagname[0])
		fprintf(f, " tag %s", r->tagname);
	if (r->match_tagname[0]) {
		if (r->match_tag_not)
			fprintf(f, " !");
		fprintf(f, " tagged %s", r->match_tagname);
	}
	if (r->rtableid != -1)
		fprintf(f, " rtable %u", r->rtableid);
	switch (r->divert_type) {
	case ACL_DIVERT_TO: {
		char	buf[48];

		fprintf(f, " divert-to ");
		if (inet_ntop(r->af, &r->divert_addr, buf, sizeof(buf)))
			fprintf(f, "%s", buf);
		else
			fprintf(f, "?");
		fprintf(f, " port %u", r->divert_port);
		break;
	}
	case ACL_DIVERT_REPLY:
		fprintf(f, " divert-reply");
		break;
	case ACL_DIVERT_PACKET:
		fprintf(f, " divert-packet port %u", r->divert_port);
		break;
	}
	if (!anchor_call[0] && r->nat.addr.type != ACL_ADDR_NONE &&
	    r->rule_flag & ACL_RF_AFTO) {
		fprintf(f, " af-to %s from ", r->naf == AF_INET ? "inet" :
		    "inet6");
		print_pool(f, &r->nat, r->nat.proxy_port[0],
		    r->nat.proxy_port[1], r->naf ? r->naf : r->af, POOL_NAT,
		    verbose);
		if (r->rdr.addr.type != ACL_ADDR_NONE) {
			fprintf(f, " to ");
			print_pool(f, &r->rdr, r->rdr.proxy_port[0],
			    r->rdr.proxy_port[1], r->naf ? r->naf : r->af,
			    POOL_RDR, verbose);
		}
	} else if (!anchor_call[0] && r->nat.addr.type != ACL_ADDR_NONE) {
		fprintf(f, " nat-to ");
		print_pool(f, &r->nat, r->nat.proxy_port[0],
		    r->nat.proxy_port[1], r->naf ? r->naf : r->af, POOL_NAT,
		    verbose);
	} else if (!anchor_call[0] && r->rdr.addr.type != ACL_ADDR_NONE) {
		fprintf(f, " rdr-to ");
		print_pool(f, &r->rdr, r->rdr.proxy_port[0],
		    r->rdr.proxy_port[1], r->af, POOL_RDR, verbose);
	}
	if (r->rt) {
		if (r->rt == ACL_RT_ROUTETO)
			fprintf(f, " route-to");
		else if (r->rt == ACL_RT_REPLYTO)
			fprintf(f, " reply-to");
		else if (r->rt == ACL_RT_DUPTO)
			fprintf(f, " dup-to");
		fprintf(f, " ");
		print_pool(f, &r->route, 0, 0, r->af, POOL_ROUTE, verbose);
	}
}

void
acl_print_rule(FILE *f, const struct acl_rule *r, int opts)
{
	int	o = PF_OPT_VERBOSE;

	if (opts & ACL_LOAD_VERBOSE2)
		o |= PF_OPT_VERBOSE2;
	print_rule(f, r, r->anchor ? r->anchor_call : "", o);
}

static void
indent(FILE *f, int depth)
{
	while (depth-- > 0)
		fprintf(f, "  ");
}

/*
 * A ruleset as pfctl_load_ruleset() prints it with -v: inline anchors
 * (and any anchor with rules) open a brace and are printed one level
 * deeper; with -vv rules carry @nr and are not indented, but the closing
 * braces are.
 */
void
acl_print_ruleset(FILE *f, const struct acl_anchor *a, int depth, int opts)
{
	const struct acl_rule	*r;
	size_t			 i;
	int			 o = PF_OPT_VERBOSE;

	if (opts & ACL_LOAD_VERBOSE2)
		o |= PF_OPT_VERBOSE2;
	if (depth) {
		if (a->rs.nrules == 0) {
			fprintf(f, "\n");
			return;
		}
		fprintf(f, " {\n");
	}
	for (i = 0; i < a->rs.nrules; i++) {
		r = &a->rs.rules[i];
		if (!(o & PF_OPT_VERBOSE2))
			indent(f, depth);
		print_rule(f, r, r->anchor ? r->anchor_call : "", o);
		if (r->anchor && r->anchor_inline)
			acl_print_ruleset(f, r->anchor, depth + 1, opts);
		else if (r->anchor)
			fprintf(f, "\n");
		else
			fprintf(f, "\n");
	}
	if (depth) {
		indent(f, depth - 1);
		fprintf(f, "}\n");
	}
}

/*
 * pfctl's print_bwspec(): the largest unit that divides the rate, a space
 * for none.  Like pfctl, a multiple of 1000G runs past the units and
 * prints their NUL.
 */
static void
print_bwspec(FILE *f, const char *prefix, uint64_t bw)
{
	static const char	 unit[] = " KMG";
	uint64_t		 rate = bw;
	int			 i;

	if (bw == 0)
		return;
	for (i = 0; rate >= 1000 && i <= 3 && rate % 1000 == 0; i++)
		rate /= 1000;
	fprintf(f, "%s%llu%c", prefix, (unsigned long long)rate, unit[i]);
}

static void
print_scspec(FILE *f, const char *prefix, const struct acl_qsc *sc)
{
	print_bwspec(f, prefix, sc->m2);
	if (sc->d) {
		fprintf(f, " burst ");
		print_bwspec(f, "", sc->m1);
		fprintf(f, " for %ums", sc->d);
	}
}

void
acl_print_queue(FILE *f, const struct acl_queue *q)
{
	fprintf(f, "queue %s", q->name);
	if (q->parent[0])
		fprintf(f, " parent %s", q->parent);
	else if (q->ifname[0])
		fprintf(f, " on %s", q->ifname);
	if (q->flags & ACL_QF_FLOWQUEUE) {
		fprintf(f, " flows %u", q->flows);
		if (q->quantum > 0)
			fprintf(f, " quantum %u", q->quantum);
	}
	if (q->linkshare.m1 || q->linkshare.m2) {
		print_scspec(f, " bandwidth ", &q->linkshare);
		print_scspec(f, ", min ", &q->realtime);
		print_scspec(f, ", max ", &q->upperlimit);
	}
	if (q->flags & ACL_QF_DEFAULT)
		fprintf(f, " default");
	if (q->qlimit)
		fprintf(f, " qlimit %u", q->qlimit);
	fprintf(f, "\n");
}

void
acl_print_queues(FILE *f, const struct acl_conf *c)
{
	size_t	i;

	for (i = 0; i < c->nqueues; i++)
		acl_print_queue(f, &c->queues[i]);
}
