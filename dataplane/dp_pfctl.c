/*
 * pfctl(8) against the running dataplane: load (-f), show (-s rules,
 * states, info, memory, timeouts, Tables), flush (-F), kill states (-k),
 * enable and disable (-e, -d), tables (-t -T: dp_pftable.c), in pfctl's
 * own output formats (formats/README.md, section 4) so that greps written
 * for OpenBSD keep working.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/filter/pf_filter.h"
#include "acl/pf.h"
#include "dataplane/dp.h"
#include "dataplane/dp_pf.h"


#define RULE_IDX(r)	((r) & 0xffffff)

static const char *const tcpstates[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2",
	"TIME_WAIT",
};
static const char *const peerstates[] = {
	"NO_TRAFFIC", "SINGLE", "MULTIPLE"
};

struct pfctl_opts {
	int		 verbose;
	const char	*anchor;
	int		 wildcard;
	int		 labels;	/* -s labels: a counter line a label */
};

/* Evaluations of a rule: packets evaluated where it can apply. */
static uint64_t
rule_evals(struct dp_pf_ruleset *rs, const struct acl_rule *r)
{
	uint64_t n = 0;
	uint32_t c;
	size_t i;

	for (c = 0; c < 2u * rs->nports; c++) {
		const struct acl_flat *fl = acl_classifier_flat(rs->cls[c]);

		for (i = 0; i < fl->f_n; i++)
			if (fl->f_rules[i].fr_rule == r) {
				n += rs->evals[c];
				break;
			}
	}
	return n;
}

/* The stats index of rule i of anchor a. */
static uint32_t
rule_stat(const struct dp_pf_ruleset *rs, const struct acl_anchor *a,
    size_t i)
{
	size_t k;

	for (k = 0; k < rs->conf->nall; k++)
		if (rs->conf->all[k] == a)
			break;
	return rs->anchor_base[k] + (uint32_t)i;
}

static void
print_counters(struct dp *dp, const struct acl_anchor *a, size_t i,
    FILE *out, int verbose)
{
	struct dp_pf_ruleset *rs = dp->pf.rs;
	const struct pf_rule_stats *st;

	if (!verbose)
		return;
	st = &rs->stats_view[rule_stat(rs, a, i)];
	fprintf(out, "  [ Evaluations: %-8llu  Packets: %-8llu  Bytes: %-10llu"
	    "  States: %-6u]\n",
	    (unsigned long long)rule_evals(rs, &a->rs.rules[i]),
	    (unsigned long long)(st->packets[0] + st->packets[1]),
	    (unsigned long long)(st->bytes[0] + st->bytes[1]), st->states_cur);
	fprintf(out, "  [ Inserted: uid %lu pid %lu State Creations: %-6u]\n",
	    0UL, (unsigned long)dp->pf.pid, st->states_tot);
}

/*
 * pfctl -s labels (pfctl_show_rules(), PFCTL_SHOW_LABELS): for a rule
 * with a label, "label evaluations packets bytes in-packets in-bytes
 * out-packets out-bytes state-creations", what monitoring scripts read.
 */
static void
print_label(struct dp *dp, const struct acl_anchor *a, size_t i, FILE *out)
{
	struct dp_pf_ruleset *rs = dp->pf.rs;
	const struct acl_rule *r = &a->rs.rules[i];
	const struct pf_rule_stats *st;

	if (r->label[0] == '\0')
		return;
	st = &rs->stats_view[rule_stat(rs, a, i)];
	fprintf(out, "%s %llu %llu %llu %llu %llu %llu %llu %u\n", r->label,
	    (unsigned long long)rule_evals(rs, r),
	    (unsigned long long)(st->packets[0] + st->packets[1]),
	    (unsigned long long)(st->bytes[0] + st->bytes[1]),
	    (unsigned long long)st->packets[0],
	    (unsigned long long)st->bytes[0],
	    (unsigned long long)st->packets[1],
	    (unsigned long long)st->bytes[1], st->states_tot);
}

static void
indent(FILE *out, int depth, int verbose)
{
	if (verbose)
		return;		/* pfctl does not indent in -v modes */
	while (depth-- > 0)
		fputs("  ", out);
}

static void show_anchor_rules(struct dp *, const struct acl_anchor *, FILE *,
    const struct pfctl_opts *, int);

static void
show_rule(struct dp *dp, const struct acl_anchor *a, size_t i, FILE *out,
    const struct pfctl_opts *o, int depth)
{
	const struct acl_rule *r = &a->rs.rules[i];

	/* pfctl's print_rule(): an expired once rule shows in -vv only */
	if (o->verbose < 2 && dp->pf.rs->live[rule_stat(dp->pf.rs, a, i)].
	    expired)
		return;
	if (o->labels) {
		print_label(dp, a, i, out);
		if (r->anchor != NULL && r->anchor_inline)
			show_anchor_rules(dp, r->anchor, out, o, depth + 1);
		return;
	}
	indent(out, depth, o->verbose);
	acl_print_rule(out, r, o->verbose >= 2 ? ACL_LOAD_VERBOSE2 : 0);
	/* Unnamed (inline) anchors print their body, as pfctl does. */
	if (r->anchor != NULL && r->anchor_inline) {
		fputs(" {\n", out);
		print_counters(dp, a, i, out, o->verbose);
		show_anchor_rules(dp, r->anchor, out, o, depth + 1);
		indent(out, depth, o->verbose);
		fputs("}\n", out);
		return;
	}
	fputc('\n', out);
	print_counters(dp, a, i, out, o->verbose);
}

static void
show_anchor_rules(struct dp *dp, const struct acl_anchor *a, FILE *out,
    const struct pfctl_opts *o, int depth)
{
	size_t i;

	for (i = 0; i < a->rs.nrules; i++)
		show_rule(dp, a, i, out, o, depth);
}

static int
show_rules(struct dp *dp, FILE *out, const struct pfctl_opts *o)
{
	struct dp_pf_ruleset *rs = dp->pf.rs;
	const struct acl_anchor *a;
	size_t i;

	if (rs == NULL)
		return 0;
	if (o->verbose || o->labels)
		dp_pf_stats_view(dp);
	if (o->anchor == NULL) {
		show_anchor_rules(dp, rs->conf->root, out, o, 0);
		return 0;
	}
	if ((a = acl_anchor_find(rs->conf, o->anchor)) == NULL) {
		fprintf(out, "pfctl: Anchor does not exist.\n");
		return 1;
	}
	if (!o->wildcard) {
		show_anchor_rules(dp, a, out, o, 0);
		return 0;
	}
	/* -a 'x/ *': every child as an anchor block, in name order. */
	for (i = 0; i < a->nchild; i++) {
		if (!o->labels)
			fprintf(out, "anchor \"%s\" all {\n",
			    a->child[i]->name);
		show_anchor_rules(dp, a->child[i], out, o, 1);
		if (!o->labels)
			fputs("}\n", out);
	}
	return 0;
}

static void
print_host(FILE *out, const union acl_ip *a, uint16_t port, uint8_t af)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(af, a, buf, sizeof(buf));
	fputs(buf, out);
	if (port != 0)
		fprintf(out, af == AF_INET6 ? "[%u]" : ":%u", ntohs(port));
}

/* A route-to state's next hop, " {rt_addr}", on its side (print_state()). */
static void
print_rt(FILE *out, const struct state_table *t, const struct state *s)
{
	const struct state_cold *sc = &t->cold[state_id(t, s)];
	char a[INET6_ADDRSTRLEN];

	if (sc->rt_kind == 0)
		return;
	if (s->flags & STATE_F_INET6)
		inet_ntop(AF_INET6, &t->v6[state_id(t, s)].rt, a, sizeof(a));
	else
		inet_ntop(AF_INET, &sc->rt, a, sizeof(a));
	fprintf(out, " {%s}", a);
}

static int
key_differs(const struct state_key *a, const struct state_key *b, int i)
{
	return a->af != b->af || memcmp(&a->addr[i], &b->addr[i],
	    sizeof(a->addr[i])) != 0 || a->port[i] != b->port[i];
}

/*
 * pfctl -s all (PF_OPT_SHOWALL): each view under its title, a blank line
 * between them; the titles of views that may be empty (queues, states,
 * source nodes, labels, tables) only over something.  sec is the text a
 * view wrote, or NULL for one that always has its title.
 */
struct showall {
	FILE	*out;
	int	 first;
};

static void
showall_section(struct showall *sa, const char *title, const char *sec)
{
	if (sec != NULL && sec[0] == '\0')
		return;
	fprintf(sa->out, "%s%s\n", sa->first ? "" : "\n", title);
	sa->first = 0;
	if (sec != NULL)
		fputs(sec, sa->out);
}

/* One -k host or network: what DIOCKILLSTATES gets as psk_src/psk_dst. */
struct kill_net {
	uint8_t		 af;		/* 0: any (no second -k) */
	union acl_ip	 addr;
	union acl_ip	 mask;
};

struct ss_walk {
	struct dp	*dp;
	FILE		*out;
	int		 verbose;
	const char	*iface;		/* -i: only this one's ("all") */
	struct kill_net	 kill[2];	/* -k src [-k dst] */
	uint32_t	 killed;
};

/*
 * print_state()'s sequence line: each end's [seqlo + seqhi - seqlo] and,
 * when both scale, its shift; the state's creator first for a state made
 * going out, its peer first for one made going in (SWAP).
 */
static void
show_seq(FILE *out, const struct state_table *t, const struct state *s,
    int swap)
{
	const struct state_tcp *tc = &t->tcp[state_id(t, s)];
	const struct state_peer *src = &tc->peer[swap], *dst = &tc->peer[!swap];
	uint32_t sd = state_tcp_seqdiff(t, s, swap);
	uint32_t dd = state_tcp_seqdiff(t, s, !swap);
	int ws = src->wscale && dst->wscale;

	/* print_seq(): a modulating end's offset after its window */
	fprintf(out, "   [%u + %u]", src->seqlo, src->seqhi - src->seqlo);
	if (sd != 0)
		fprintf(out, "(+%u)", sd);
	if (ws)
		fprintf(out, " wscale %u", src->wscale & STATE_WSCALE_MASK);
	fprintf(out, "  [%u + %u]", dst->seqlo, dst->seqhi - dst->seqlo);
	if (dd != 0)
		fprintf(out, "(+%u)", dd);
	if (ws)
		fprintf(out, " wscale %u", dst->wscale & STATE_WSCALE_MASK);
	fputc('\n', out);
}

/* print_state() of pf_print_state.c. */
static int
show_state(struct state *s, void *arg)
{
	struct ss_walk *w = arg;
	FILE *out = w->out;
	const struct state_key *sk, *nk;
	struct protoent *pe;
	uint8_t psrc, pdst;
	const struct state_table *t = &w->dp->pf.states;
	uint8_t proto = s->proto;
	int afto = state_afto(t, s), idx;
	uint32_t age = w->dp->now - t->cold[state_id(t, s)].creation;
	uint32_t exp = dp_pf_state_expires_in(&w->dp->pf, s,
	    w->dp->now);
	struct state_key skc, nkc;
	const char *ifname;

	nk = &nkc;
	if (state_dir(s) == STATE_DIR_OUT) {
		state_key_get(t, s, STATE_STACK, &skc);
		state_key_get(t, s, STATE_WIRE, &nkc);
		psrc = s->src_state;
		pdst = s->dst_state;
		/* An ICMP id is one "port": only its own side counts. */
		if (proto == 1 || proto == 58)
			skc.port[0] = nk->port[0];
	} else {
		state_key_get(t, s, STATE_WIRE, &skc);
		state_key_get(t, s, STATE_STACK, &nkc);
		psrc = s->dst_state;
		pdst = s->src_state;
		if (proto == 1 || proto == 58)
			skc.port[1] = nk->port[1];
	}
	sk = &skc;
	ifname = s->ifindex ? w->dp->ports[s->ifindex - 1]->name : "all";
	if (w->iface != NULL && strcmp(w->iface, ifname) != 0)
		return 0;
	fprintf(out, "%s ", ifname);
	if ((pe = getprotobynumber(proto)) != NULL)
		fprintf(out, "%s ", pe->p_name);
	else
		fprintf(out, "%u ", proto);
	/* af-to: the keys are oriented the other way round */
	print_host(out, &nk->addr[1], nk->port[1], nk->af);
	if (key_differs(nk, sk, 1)) {
		idx = afto ? 0 : 1;
		fputs(" (", out);
		print_host(out, &sk->addr[idx], sk->port[idx], sk->af);
		fputc(')', out);
	}
	if (state_dir(s) == STATE_DIR_IN)
		print_rt(out, t, s);
	fputs(state_dir(s) == STATE_DIR_OUT || afto ? " -> " : " <- ", out);
	print_host(out, &nk->addr[0], nk->port[0], nk->af);
	if (key_differs(nk, sk, 0)) {
		idx = afto ? 1 : 0;
		fputs(" (", out);
		print_host(out, &sk->addr[idx], sk->port[idx], sk->af);
		fputc(')', out);
	}
	if (state_dir(s) == STATE_DIR_OUT)
		print_rt(out, t, s);
	fputs("    ", out);
	if (proto == 6) {
		/* a synproxy's creator is PROXY:SRC, then PROXY:DST */
		if (psrc <= TCPS_TIME_WAIT && pdst <= TCPS_TIME_WAIT)
			fprintf(out, "   %s:%s\n", tcpstates[psrc],
			    tcpstates[pdst]);
		else if (psrc == TCPS_PROXY_SRC || pdst == TCPS_PROXY_SRC)
			fputs("   PROXY:SRC\n", out);
		else if (psrc == TCPS_PROXY_DST || pdst == TCPS_PROXY_DST)
			fputs("   PROXY:DST\n", out);
		else
			fprintf(out, "   <BAD STATE LEVELS %u:%u>\n", psrc, pdst);
		if (w->verbose)
			show_seq(out, t, s, state_dir(s) != STATE_DIR_OUT);
	} else if (proto == 1 || proto == 58)
		fprintf(out, "   %u:%u\n", psrc, pdst);
	else
		fprintf(out, "   %s:%s\n", peerstates[psrc % 3],
		    peerstates[pdst % 3]);
	if (w->verbose) {
		int anchor;
		uint32_t nr;

		dp_pf_rule_where(w->dp, s->rule, &anchor, &nr);
		fprintf(out, "   age %.2u:%.2u:%.2u, expires in %.2u:%.2u:%.2u, "
		    "%llu:%llu pkts, %llu:%llu bytes", age / 3600,
		    age / 60 % 60, age % 60, exp / 3600, exp / 60 % 60,
		    exp % 60, (unsigned long long)state_packets(t, s, 0),
		    (unsigned long long)state_packets(t, s, 1),
		    (unsigned long long)s->bytes[0],
		    (unsigned long long)s->bytes[1]);
		if (anchor >= 0)
			fprintf(out, ", anchor %d", anchor);
		fprintf(out, ", rule %u", nr);
		if (s->flags & STATE_F_SLOPPY)
			fputs(", sloppy", out);
		if (t->aux_used && t->aux[state_id(t, s)] != 0) {
			/* pf's sync flags: a node of limits (SRCNODE), one
			 * that keeps a sticky address (NATSRCNODE) */
			const struct pf_src_node *n = &w->dp->pf.src[
			    (t->aux[state_id(t, s)] & ~PF_SRC_CONN) - 1];

			if (!pf_src_sticky(n, 0) && !pf_src_sticky(n, 1) &&
			    !pf_src_sticky(n, 2))
				fputs(", source-track", out);
			else
				fputs(", sticky-address", out);
		}
		fputc('\n', out);
		if (w->verbose > 1)
			fprintf(out, "   id: %016llx creatorid: %08x\n",
			    (unsigned long long)((uint64_t)t->cold[state_id(t,
			    s)].creation << 32 | state_id(t, s)),
			    w->dp->pf.pid);
	}
	return 0;
}

static void
stat_row(FILE *out, const char *name, uint64_t v, double secs, int rate)
{
	fprintf(out, "  %-25s %14llu ", name, (unsigned long long)v);
	if (rate && secs > 0)
		fprintf(out, "%14.1f/s\n", (double)v / secs);
	else
		fprintf(out, "%14s\n", "");
}

/* print_status() of pfctl_parser.c. */
static void
show_info(struct dp *dp, FILE *out, int verbose)
{
	struct dp_pf *pf = &dp->pf;
	uint64_t up = (dp->now_ns - pf->since) / 1000000000ULL;
	double secs = (double)up;
	char status[64];
	uint32_t half = 0, i;

	if (up != 0)
		snprintf(status, sizeof(status), "Status: %s for %llu days "
		    "%.2u:%.2u:%.2u", pf->enabled ? "Enabled" : "Disabled",
		    (unsigned long long)(up / 86400), (unsigned)(up / 3600 %
		    24), (unsigned)(up / 60 % 60), (unsigned)(up % 60));
	else
		snprintf(status, sizeof(status), "Status: %s",
		    pf->enabled ? "Enabled" : "Disabled");
	fprintf(out, "%-44s%15s\n\n", status, "Debug: err");
	if (verbose)
		fprintf(out, "Hostid:   0x%08x\nChecksum: 0x%032x\n\n",
		    pf->pid, 0);
	half = dp_pf_halfopen(pf);
	fprintf(out, "%-27s %14s %16s\n", "State Table", "Total", "Rate");
	fprintf(out, "  %-25s %14u %14s\n", "current entries",
	    pf->states.count, "");
	fprintf(out, "  %-25s %14u %14s\n", "half-open tcp", half, "");
	stat_row(out, "searches", pf->states.c[STATE_C_SEARCHES], secs, 1);
	stat_row(out, "inserts", pf->states.c[STATE_C_INSERTS], secs, 1);
	stat_row(out, "removals", pf->states.c[STATE_C_REMOVALS], secs, 1);
	if (verbose) {
		uint32_t nfrag = 0;

		fprintf(out, "Source Tracking Table\n");
		fprintf(out, "  %-25s %14u %14s\n", "current entries",
		    pf->src_count, "");
		stat_row(out, "searches", pf->src_searches, secs, 1);
		stat_row(out, "inserts", pf->src_inserts, secs, 1);
		stat_row(out, "removals", pf->src_removals, secs, 1);
		fprintf(out, "Fragments\n");
		if (dp_pf_reassembles(pf)) {
			/* pf's: datagrams being reassembled */
			fprintf(out, "  %-25s %14u %14s\n", "current entries",
			    pf->reass_count, "");
			stat_row(out, "searches", pf->reass_searches, secs, 1);
			stat_row(out, "inserts", pf->reass_inserts, secs, 1);
			stat_row(out, "removals", pf->reass_removals, secs, 1);
		} else {
			/* set reassemble no: datagrams whose later fragments
			 * follow their first's state */
			for (i = 0; i < PF_FRAG_SETS * PF_FRAG_WAYS; i++)
				if (pf->frags[i].state != 0 && (int32_t)(dp->now -
				    pf->frags[i].expire) < 0)
					nfrag++;
			fprintf(out, "  %-25s %14u %14s\n", "current entries",
			    nfrag, "");
			stat_row(out, "searches", pf->frag_searches, secs, 1);
			stat_row(out, "inserts", pf->frag_inserts, secs, 1);
			/* after -F all cleared the counts, entries may
			 * outlive them */
			stat_row(out, "removals", pf->frag_inserts > nfrag ?
			    pf->frag_inserts - nfrag : 0, secs, 1);
		}
	}
	fprintf(out, "Counters\n");
	for (i = 0; i < PF_C__PFCTL; i++)
		stat_row(out, pf_counter_names[i], pf->c[i], secs, 1);
	if (verbose) {
		static const char *const lnames[] = { "max states per rule",
		    "max-src-states", "max-src-nodes", "max-src-conn",
		    "max-src-conn-rate", "overload table insertion",
		    "overload flush states", "synfloods detected",
		    "syncookies sent", "syncookies validated" };

		/* A rule's max is PFRES_MAXSTATES, counted with LCNT_STATES
		 * in pf_create_state(). */
		fprintf(out, "Limit Counters\n");
		for (i = 0; i < LCNT_MAX; i++)
			stat_row(out, lnames[i], i == LCNT_STATES ?
			    pf->c[PF_C_MAXSTATES] : pf->lcounters[i], secs, 1);
		fprintf(out, "Adaptive Syncookies Watermarks\n");
		fprintf(out, "  %-25s %14d states\n", "start",
		    (int)pf->sc.hiwat);
		fprintf(out, "  %-25s %14d states\n", "end", (int)pf->sc.lowat);
	}
}

static void
show_timeouts(struct dp *dp, FILE *out)
{
	static const char *const names[ACL_TM_MAX] = {
		"tcp.first", "tcp.opening", "tcp.established", "tcp.closing",
		"tcp.finwait", "tcp.closed", "udp.first", "udp.single",
		"udp.multiple", "icmp.first", "icmp.error", "other.first",
		"other.single", "other.multiple", "frag", "interval",
		"adaptive.start", "adaptive.end", "src.track", "tcp.tsdiff",
	};
	/* pfctl's order: tcp.tsdiff sits after tcp.closed. */
	static const int order[ACL_TM_MAX] = {
		0, 1, 2, 3, 4, 5, 19, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18,
	};
	int i;

	for (i = 0; i < ACL_TM_MAX; i++) {
		int t = order[i];

		fprintf(out, "%-20s %10d%s\n", names[t],
		    (int)dp->pf.states.tmo[0][t],
		    t == ACL_TM_ADAPTIVE_START || t == ACL_TM_ADAPTIVE_END ?
		    " states" : "s");
	}
}

static void
show_limits(struct dp *dp, FILE *out)
{
	fprintf(out, "%-13s hard limit %8u\n", "states", dp->pf.states.limit);
	fprintf(out, "%-13s hard limit %8u\n", "src-nodes", dp->pf.src_limit);
	fprintf(out, "%-13s hard limit %8u\n", "frags", dp->pf.frag_limit);
	fprintf(out, "%-13s hard limit %8u\n", "tables", dp->pf.tables_limit);
	fprintf(out, "%-13s hard limit %8u\n", "table-entries",
	    dp->pf.tentries_limit);
	fprintf(out, "%-13s hard limit %8u\n", "pktdelay-pkts",
	    dp->pf.dly_limit);
	fprintf(out, "%-13s hard limit %8u\n", "anchors",
	    dp->pf.anchors_limit);
}

/* PF_MATCHA: ADDR is in the network K (any address when K has no af). */
static int
kill_match(const struct kill_net *k, uint8_t af, const union acl_ip *addr)
{
	int i;

	if (k->af == 0)
		return 1;
	if (k->af != af)
		return 0;
	for (i = 0; i < 4; i++)
		if ((addr->w[i] & k->mask.w[i]) != k->addr.w[i])
			return 0;
	return 1;
}

/*
 * DIOCKILLSTATES (pf_ioctl.c): a state's source and destination are its
 * originator's view, the STACK key of a state made going out and the
 * WIRE key of one made going in; the other key (the translated side)
 * does not count, so -k of a nat-to address kills nothing.
 */
static int
kill_state(struct state *s, void *arg)
{
	struct ss_walk *w = arg;
	struct state_key key;
	int out = state_dir(s) == STATE_DIR_OUT;

	state_key_get(&w->dp->pf.states, s, out ? STATE_STACK : STATE_WIRE,
	    &key);
	if (!kill_match(&w->kill[0], key.af, &key.addr[out ? 1 : 0]) ||
	    !kill_match(&w->kill[1], key.af, &key.addr[out ? 0 : 1]))
		return 0;
	dp_pf_state_gone(w->dp, s);
	state_remove(&w->dp->pf.states, s);
	w->killed++;
	return 0;
}

/*
 * HOST or NETWORK/BITS, numeric, IPv4 or IPv6, as pfctl takes them for
 * -k and -T: 0 with *af, the address and *bits (the host's full length
 * without /BITS), or -1.
 */
int
dp_pf_parse_net(const char *arg, uint8_t *af, union acl_ip *addr, int *bits)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long b;
	int max;

	memset(addr, 0, sizeof(*addr));
	snprintf(buf, sizeof(buf), "%s", arg);
	if ((slash = strrchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		*af = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*af = AF_INET6;
	else
		return -1;
	max = *af == AF_INET ? 32 : 128;
	*bits = max;
	if (slash != NULL) {
		b = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || b < 0 || b > max)
			return -1;
		*bits = (int)b;
	}
	return 0;
}

/* pfctl_net_kill_states(): the network to kill states from or to. */
static int
kill_parse(const char *arg, struct kill_net *k)
{
	int i, bits;

	memset(k, 0, sizeof(*k));
	if (dp_pf_parse_net(arg, &k->af, &k->addr, &bits) != 0)
		return -1;
	for (i = 0; i < 4; i++) {
		long b = bits - 32 * i;

		k->mask.w[i] = htonl(b >= 32 ? 0xffffffffu : b <= 0 ? 0 :
		    ~0u << (32 - b));
		k->addr.w[i] &= k->mask.w[i];
	}
	return 0;
}

/*
 * pfctl -s all, in pfctl's order: rules, queues, states, source nodes,
 * info, labels, timeouts, limits, tables, OS fingerprints.
 */
static int
show_all(struct dp *dp, FILE *out, const struct pfctl_opts *o,
    struct ss_walk *w)
{
	struct showall sa = { out, 1 };
	struct pfctl_opts lo = *o;
	char *buf = NULL;
	size_t len, n;
	FILE *f;

#define SECTION(title, view) do {					\
	if ((f = open_memstream(&buf, &len)) == NULL)			\
		return 1;						\
	view;								\
	fclose(f);							\
	showall_section(&sa, title, buf);				\
	free(buf);							\
	buf = NULL;							\
} while (0)
	showall_section(&sa, "FILTER RULES:", NULL);
	show_rules(dp, out, o);
	SECTION("QUEUES:", dp_pf_show_queues(dp, w->iface, o->verbose, f));
	SECTION("STATES:", (w->out = f, state_walk(&dp->pf.states, show_state,
	    w)));
	w->out = out;
	SECTION("SOURCE TRACKING NODES:", dp_pf_show_src_nodes(dp, o->verbose,
	    f));
	showall_section(&sa, "INFO:", NULL);
	show_info(dp, out, o->verbose);
	lo.labels = 1;
	SECTION("LABEL COUNTERS:", show_rules(dp, f, &lo));
	showall_section(&sa, "TIMEOUTS:", NULL);
	show_timeouts(dp, out);
	showall_section(&sa, "LIMITS:", NULL);
	show_limits(dp, out);
	SECTION("TABLES:", dp_pf_show_tables(dp, o->anchor != NULL ?
	    o->anchor : "", o->verbose, f));
#undef SECTION
	n = acl_osfp_count(dp->pf.rs != NULL ? dp->pf.rs->conf->osfp : NULL);
	if (n > 0) {
		showall_section(&sa, "OS FINGERPRINTS:", NULL);
		fprintf(out, "%zu fingerprints loaded\n", n);
	}
	return 0;
}

static int
kill_state_all(struct state *s, void *arg)
{
	struct ss_walk *w = arg;

	dp_pf_state_gone(w->dp, s);
	state_remove(&w->dp->pf.states, s);
	return 0;
}

/* pfctl -s MODIFIER */
static int
pfctl_show(struct dp *dp, const char *show, struct pfctl_opts *op,
    struct ss_walk *wp, FILE *out)
{
	struct pfctl_opts o = *op;
	struct ss_walk w = *wp;

	if (strncmp(show, "all", strlen(show)) == 0)
		return show_all(dp, out, &o, &w);
	if (strncmp(show, "rules", strlen(show)) == 0 || strcmp(show, "r") == 0)
		return show_rules(dp, out, &o);
	if (strncmp(show, "labels", strlen(show)) == 0) {
		o.labels = 1;
		return show_rules(dp, out, &o);
	}
	if (strncmp(show, "states", strlen(show)) == 0) {
		state_walk(&dp->pf.states, show_state, &w);
		return 0;
	}
	if (strncmp(show, "info", strlen(show)) == 0) {
		show_info(dp, out, o.verbose);
		return 0;
	}
	if (strncmp(show, "memory", strlen(show)) == 0) {
		show_limits(dp, out);
		return 0;
	}
	if (strncmp(show, "queue", strlen(show)) == 0) {
		dp_pf_show_queues(dp, w.iface, o.verbose, out);
		return 0;
	}
	if (strncmp(show, "timeouts", strlen(show)) == 0) {
		show_timeouts(dp, out);
		return 0;
	}
	if (show[0] == 'S' && strncmp(show, "Sources", strlen(show)) == 0) {
		dp_pf_show_src_nodes(dp, o.verbose, out);
		return 0;
	}
	if (strcmp(show, "Interfaces") == 0 || strcmp(show, "I") == 0) {
		dp_pf_show_ifaces(dp, w.iface, o.verbose, out);
		return 0;
	}
	if (strcmp(show, "Tables") == 0 || strcmp(show, "T") == 0) {
		dp_pf_show_tables(dp, o.anchor != NULL ? o.anchor : "",
		    o.verbose, out);
		return 0;
	}
	if (strcmp(show, "Anchors") == 0 || strcmp(show, "A") == 0) {
		size_t i;

		if (dp->pf.rs != NULL)
			for (i = 1; i < dp->pf.rs->conf->nall; i++)
				fprintf(out, "  %s\n",
				    dp->pf.rs->conf->all[i]->path);
		return 0;
	}
	if (show[0] == 'o' && strncmp(show, "osfp", strlen(show)) == 0) {
		acl_osfp_show(dp->pf.rs != NULL ? dp->pf.rs->conf->osfp : NULL,
		    out);
		return 0;
	}
	fprintf(out, "pfctl: Unknown show modifier '%s'\n", show);
	return 1;
}

/*
 * pfctl_lookup_option(): the word of list that MOD begins, or NULL, said
 * on out (unknown as WHAT, or ambiguous).
 */
static const char *
lookup_option(const char *mod, const char *const *list, const char *what,
    FILE *out)
{
	const char *const *m, *hit = NULL;

	for (m = list; *mod != '\0' && *m != NULL; m++)
		if (strncmp(mod, *m, strlen(mod)) == 0) {
			if (hit != NULL) {
				fprintf(out, "pfctl: %s is ambiguous\n", mod);
				return NULL;
			}
			hit = *m;
		}
	if (hit == NULL)
		fprintf(out, "pfctl: Unknown %s '%s'\n", what, mod);
	return hit;
}

/* -F MOD: "s" is states, "S" Sources. */
static const char *
flush_lookup(const char *mod, FILE *out)
{
	static const char *const mods[] = { "rules", "Sources", "states",
	    "info", "Tables", "osfp", "Reset", "all", NULL };

	return lookup_option(mod, mods, "flush modifier", out);
}

/* -T CMD: "s" is show, "l" load (pfctl's tblcmdopt_list). */
static const char *
table_cmd_lookup(const char *cmd, FILE *out)
{
	static const char *const cmds[] = { "kill", "flush", "add", "delete",
	    "load", "replace", "show", "test", "zero", "expire", NULL };

	return lookup_option(cmd, cmds, "table command", out);
}

/*
 * pfctl -t TABLE -T add|delete|replace|test|zero ADDR... -f FILE: the
 * addresses on the command line, then FILE's (load_addr() and
 * pfr_buf_load()): words between blanks, '#' to the end of its line a
 * comment; numeric, as on the command line.  /etc/X is the configuration
 * directory's X, as for a load.  -T show, flush, kill and expire take
 * no file (pfctl's usage()).
 */
static int
pfctl_table_file(struct dp *dp, const char *path, const char *table,
    const char *cmd, int nargs, char **args, const char *file, int verbose,
    FILE *out)
{
	static const char *const takes[] = {
		"add", "delete", "replace", "test", "zero"
	};
	char name[sizeof(dp->conf->dir) + 256], *text = NULL, *w, **v = NULL;
	size_t len = 0, i;
	int n = 0, rc = 1, ok = 0, c;
	FILE *f, *t;

	for (i = 0; i < sizeof(takes) / sizeof(takes[0]); i++)
		ok |= strcmp(cmd, takes[i]) == 0;
	if (!ok) {
		fprintf(out, "pfctl: -T %s takes no -f file\n", cmd);
		return 1;
	}
	acl_confpath(dp->conf->dir, file, name, sizeof(name));
	if ((f = fopen(name, "r")) == NULL) {
		fprintf(out, "pfctl: cannot load %s: %s\n", file,
		    strerror(errno));
		return 1;
	}
	/* the file with its comments blanked out */
	if ((t = open_memstream(&text, &len)) == NULL) {
		fclose(f);
		fprintf(out, "pfctl: out of memory\n");
		return 1;
	}
	while ((c = getc(f)) != EOF) {
		if (c == '#')
			while ((c = getc(f)) != EOF && c != '\n')
				;
		if (c != EOF)
			putc(c, t);
	}
	fclose(f);
	fclose(t);
	if ((v = calloc((size_t)nargs + len / 2 + 2, sizeof(*v))) == NULL) {
		fprintf(out, "pfctl: out of memory\n");
		goto done;
	}
	for (n = 0; n < nargs; n++)
		v[n] = args[n];
	for (w = strtok(text, " \t\r\n"); w != NULL;
	    w = strtok(NULL, " \t\r\n"))
		v[n++] = w;
	rc = dp_pf_table(dp, path, table, cmd, n, v, verbose, out);
done:
	free(v);
	free(text);
	return rc;
}

/*
 * pfctl -F: rules, Sources, states, info, Tables, osfp, all (pfctl's
 * order: the tables, the rules, then for the main ruleset the states,
 * source tracking, the statistics, the fingerprints and the interface
 * flags).  Reset is refused: loading a pf.conf sets every option.
 */
static int
pfctl_flush(struct dp *dp, const char *flush, struct pfctl_opts *o,
    struct ss_walk *w, FILE *out)
{
	const char *path = o->anchor != NULL ? o->anchor : "";
	int all = flush[0] == 'a', n;
	/* -a ANCHOR -F all: that anchor's tables and rules, nothing else */
	int rest = all && path[0] == '\0';

	if (all || flush[0] == 'T') {
		if ((n = dp_pf_tables_flush(dp, path, out)) < 0)
			return 1;
		fprintf(out, "%d tables deleted.\n", n);
	}
	if (all || flush[0] == 'r') {
		if (dp_pf_flush_rules(dp, out) != 0)
			return 1;
		fprintf(out, "rules cleared\n");
	}
	if (rest || flush[0] == 's') {
		uint32_t nst = dp->pf.states.count;

		state_walk(&dp->pf.states, kill_state_all, w);
		fprintf(out, "%u states cleared\n", nst);
	}
	if (rest || flush[0] == 'S') {
		dp_pf_src_flush(&dp->pf);
		fprintf(out, "source tracking entries cleared\n");
	}
	if (rest || flush[0] == 'i') {
		dp_pf_clear_stats(dp);
		fprintf(out, "pf: statistics cleared\n");
	}
	if ((rest || flush[0] == 'o') && dp->pf.rs != NULL) {
		/* DIOCOSFPFLUSH, silent: only `os unknown' matches now */
		acl_osfp_free(dp->pf.rs->conf->osfp);
		dp->pf.rs->conf->osfp = NULL;
	}
	if (rest) {
		dp_pf_clear_iface_flags(dp);
		fprintf(out, "pf: interface flags reset\n");
	}
	if (flush[0] == 'R') {
		fprintf(out, "pfctl: -F Reset is not supported by sluice "
		    "(loading a pf.conf sets every option, to its default "
		    "where the file says nothing)\n");
		return 1;
	}
	return 0;
}

int
dp_pf_ctl(struct dp *dp, int argc, char **argv, FILE *out)
{
	struct pfctl_opts o = { 0 };
	struct ss_walk w;
	const char *load = NULL, *show = NULL, *flush = NULL, *kill[2];
	const char *table = NULL, *tcmd = NULL;
	int ch, check_only = 0, status = 0, nkill = 0;

	memset(&w, 0, sizeof(w));
	w.dp = dp;
	w.out = out;

	optind = 0;
	while ((ch = getopt(argc, argv, "a:deF:f:gi:k:nNo:qrs:T:t:vz")) != -1) {
		switch (ch) {
		case 'a':
			o.anchor = optarg;
			break;
		case 'i':
			w.iface = optarg;
			break;
		case 'd':
			/* DIOCSTOP: since is when pf last started or stopped */
			if (dp->pf.enabled)
				dp->pf.since = dp->now_ns;
			dp->pf.enabled = 0;
			fprintf(out, "pf disabled\n");
			break;
		case 'e':
			if (!dp->pf.enabled)
				dp->pf.since = dp->now_ns;
			dp->pf.enabled = 1;
			fprintf(out, "pf enabled\n");
			break;
		case 'F':
			flush = optarg;
			break;
		case 'f':
			load = optarg;
			break;
		case 'k':
			if (nkill >= 2) {
				fprintf(out, "pfctl: can only specify -k "
				    "twice\n");
				return 1;
			}
			kill[nkill++] = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 's':
			show = optarg;
			break;
		case 't':
			table = optarg;
			break;
		case 'T':
			tcmd = optarg;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'z':
			/* PF_GET_CLR_CNTR: the counters, not the live states
			 * a rule's max is checked against. */
			if (dp->pf.rs != NULL) {
				size_t k;

				for (k = 0; k < dp->pf.rs->nstats; k++) {
					struct pf_rule_stats *st =
					    &dp->pf.rs->stats[k];
					uint32_t cur = st->states_cur;

					memset(st, 0, sizeof(*st));
					st->states_cur = cur;
				}
			}
			break;
		case 'g':
		case 'N':
		case 'o':
		case 'q':
		case 'r':
			break;
		default:
			fprintf(out, "usage: pfctl [-denvz] [-a anchor] "
			    "[-F modifier] [-f file] [-i interface] [-k host] "
			    "[-s modifier] [-t table -T command [address ...]]\n");
			return 1;
		}
	}
	w.verbose = o.verbose;
	if (o.anchor != NULL) {
		size_t l = strlen(o.anchor);
		static char base[1024];

		if (l >= 2 && strcmp(o.anchor + l - 2, "/*") == 0) {
			snprintf(base, sizeof(base), "%.*s", (int)(l - 2),
			    o.anchor);
			o.anchor = base;
			o.wildcard = 1;
		}
	}
	/*
	 * pfctl's order: show, flush, kill, tables, then load, so that
	 * "pfctl -F all -f /etc/pf.conf" ends with the new rules loaded.
	 */
	if (flush != NULL && (flush = flush_lookup(flush, out)) == NULL)
		return 1;
	if (show != NULL && (status = pfctl_show(dp, show, &o, &w, out)) != 0)
		return status;
	if (flush != NULL && pfctl_flush(dp, flush, &o, &w, out) != 0)
		return 1;
	if (nkill > 0) {
		int i;

		for (i = 0; i < nkill; i++)
			if (kill_parse(kill[i], &w.kill[i]) != 0) {
				fprintf(out, "pfctl: %s: not an address or "
				    "network\n", kill[i]);
				return 1;
			}
		state_walk(&dp->pf.states, kill_state, &w);
		fprintf(out, "killed %u states from 1 sources and %d "
		    "destinations\n", w.killed, nkill - 1);
	}
	/* the states -F and -k took: their flows go (pflow) */
	if (flush != NULL || nkill > 0)
		dp_pflow_tick(dp);
	if (tcmd != NULL && (tcmd = table_cmd_lookup(tcmd, out)) == NULL)
		return 1;
	if (tcmd != NULL && strcmp(tcmd, "load") == 0) {
		/* -T load -f FILE: its tables, not its rules */
		if (load == NULL) {
			fprintf(out, "pfctl: -T load needs -f file\n");
			return 1;
		}
		return check_only ? 0 : dp_pf_tables_load(dp, load, out) != 0;
	}
	if (tcmd != NULL || table != NULL) {
		if (tcmd == NULL || table == NULL) {
			fprintf(out, "pfctl: -t and -T go together\n");
			return 1;
		}
		if (load != NULL)
			return pfctl_table_file(dp, o.anchor != NULL ?
			    o.anchor : "", table, tcmd, argc - optind,
			    argv + optind, load, o.verbose, out);
		return dp_pf_table(dp, o.anchor != NULL ? o.anchor : "", table,
		    tcmd, argc - optind, argv + optind, o.verbose, out);
	}
	if (load != NULL && !check_only && dp_pf_load(dp, load, out) != 0)
		return 1;
	return status;
}
