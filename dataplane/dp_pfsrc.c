/*
 * pf's source nodes: `max-src-states', `max-src-nodes', `max-src-conn',
 * `max-src-conn-rate', `overload <table> [flush [global]]' and
 * `source-track', as pf_insert_src_node(), pf_src_connlimit() and
 * pf_purge_expired_src_nodes() have them, and pfctl -sS.
 *
 * The classic use is the brute-force guard:
 *
 *	pass in on egress proto tcp to port ssh keep state \
 *	    (max-src-conn 15, max-src-conn-rate 5/3, \
 *	    overload <bruteforce> flush global)
 *	block quick from <bruteforce>
 *
 * A source whose completed connections pass 15, or come faster than 5 in
 * 3 seconds, goes into <bruteforce>; its states are killed (all of them
 * with `global', else those of this rule) and so is the connection that
 * broke the limit.
 *
 * Nodes live in one array that grows to `set limit src-nodes', found by
 * hash chains on (address, rule); a state names its node in the state
 * table's aux word, so a state hit costs nothing here: the node is only
 * read when a state is made, when a TCP handshake completes, and when a
 * state goes.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "acl/pf.h"
#include "dataplane/dp.h"
#include "dataplane/dp_pf.h"

static uint32_t
src_bucket(const struct dp_pf *pf, int af, const union acl_ip *a,
    uint32_t rule)
{
	return (uint32_t)XXH3_64bits_withSeed(a, af == AF_INET ? 4 : 16,
	    (uint64_t)rule << 8 | (uint64_t)af) & (2 * pf->src_cap - 1);
}

static int
src_is(const struct pf_src_node *n, int af, const union acl_ip *a,
    uint32_t rule)
{
	return n->af == af && n->rule == rule &&
	    memcmp(&n->addr, a, af == AF_INET ? 4 : 16) == 0;
}

static void
src_chain(struct dp_pf *pf, uint32_t i)
{
	struct pf_src_node *n = &pf->src[i];
	uint32_t b = src_bucket(pf, n->af, &n->addr, n->rule);

	n->next = pf->src_hash[b];
	pf->src_hash[b] = i + 1;
}

/* The number of a free node, the array grown if need be; -1: no memory. */
static int64_t
src_alloc(struct dp_pf *pf)
{
	struct pf_src_node *nodes;
	uint32_t *heads, cap, i;

	if (pf->src_free != 0) {
		i = pf->src_free - 1;
		pf->src_free = pf->src[i].next;
		return i;
	}
	if (pf->src_used == pf->src_cap) {
		cap = pf->src_cap ? 2 * pf->src_cap : 64;
		if ((nodes = reallocarray(pf->src, cap, sizeof(*nodes))) ==
		    NULL)
			return -1;
		pf->src = nodes;
		if ((heads = calloc(2 * (size_t)cap, sizeof(*heads))) == NULL)
			return -1;
		free(pf->src_hash);
		pf->src_hash = heads;
		pf->src_cap = cap;
		for (i = 0; i < pf->src_used; i++)
			if (pf->src[i].af != 0)
				src_chain(pf, i);
	}
	return pf->src_used++;
}

/*
 * pf_insert_src_node() for the state rule r (id rule) is about to make
 * for a packet from addr: the node's number in *node, or -1 with *why
 * when a limit refuses the state (PFRES_SRCLIMIT).
 */
int
dp_pf_src_get(struct dp *dp, const struct acl_rule *r, uint32_t rule,
    int af, const union acl_ip *addr, uint32_t *node, const char **why)
{
	struct dp_pf *pf = &dp->pf;
	struct pf_rule_stats *st = dp_pf_stats(pf, rule);
	/* pf_insert_src_node(): sticky-address keeps a node per rule too */
	uint32_t key = (r->rule_flag & ACL_RF_RULESRCTRACK) ||
	    (r->nat.opts & ACL_POOL_STICKYADDR) ||
	    (r->rdr.opts & ACL_POOL_STICKYADDR) ||
	    (r->route.opts & ACL_POOL_STICKYADDR) ? rule : PF_SRC_GLOBAL, i;
	struct pf_src_node *n;
	int64_t k;

	pf->src_searches++;
	if (pf->src_cap != 0)
		for (i = pf->src_hash[src_bucket(pf, af, addr, key)];
		    i != 0; i = pf->src[i - 1].next)
			if (src_is(&pf->src[i - 1], af, addr, key)) {
				n = &pf->src[i - 1];
				if (r->max_src_states &&
				    n->states >= r->max_src_states) {
					pf->lcounters[LCNT_SRCSTATES]++;
					*why = "max-src-states";
					return -1;
				}
				*node = i - 1;
				return 0;
			}
	if (r->max_src_nodes && st != NULL &&
	    st->src_nodes >= r->max_src_nodes) {
		pf->lcounters[LCNT_SRCNODES]++;
		*why = "max-src-nodes";
		return -1;
	}
	if (pf->src_count >= pf->src_limit || (k = src_alloc(pf)) < 0) {
		*why = "set limit src-nodes reached";
		return -1;
	}
	n = &pf->src[k];
	memset(n, 0, sizeof(*n));
	memcpy(&n->addr, addr, af == AF_INET ? 4 : 16);
	n->af = (uint8_t)af;
	n->rule = key;
	n->creation = dp->now;
	pf_threshold_init(&n->rate, r->max_src_conn_rate.limit,
	    r->max_src_conn_rate.seconds, dp->now);
	src_chain(pf, (uint32_t)k);
	pf->src_count++;
	pf->src_inserts++;
	if (key != PF_SRC_GLOBAL && st != NULL)
		st->src_nodes++;
	*node = (uint32_t)k;
	return 0;
}

/* The node of (addr, rule) if there is one: sticky-address asks. */
struct pf_src_node *
dp_pf_src_find(struct dp_pf *pf, int af, const union acl_ip *addr,
    uint32_t rule)
{
	uint32_t i;

	if (pf->src_cap == 0)
		return NULL;
	pf->src_searches++;
	for (i = pf->src_hash[src_bucket(pf, af, addr, rule)]; i != 0;
	    i = pf->src[i - 1].next)
		if (src_is(&pf->src[i - 1], af, addr, rule))
			return &pf->src[i - 1];
	return NULL;
}

/* State s, just made, belongs to node: pf_create_state()'s sn->states++. */
void
dp_pf_src_link(struct dp *dp, struct state *s, uint32_t node)
{
	struct state_table *t = &dp->pf.states;
	struct pf_src_node *n = &dp->pf.src[node];

	n->states++;
	n->expire = 0;
	n->timeout = t->tmo[s->tmo_set][ACL_TM_SRC_NODE];
	t->aux_used = 1;
	t->aux[state_id(t, s)] = node + 1;
}

/* State s goes: pf_src_tree_remove_state(). */
void
dp_pf_src_unlink(struct dp_pf *pf, struct state *s)
{
	struct state_table *t = &pf->states;
	uint32_t id = state_id(t, s), a;
	struct pf_src_node *n;

	if (!t->aux_used || (a = t->aux[id]) == 0)
		return;
	n = &pf->src[(a & ~PF_SRC_CONN) - 1];
	if ((a & PF_SRC_CONN) && n->conn > 0)
		n->conn--;
	if (n->states > 0)
		n->states--;
	n->packets += state_packets(t, s, 0) + state_packets(t, s, 1);
	n->bytes += s->bytes[0] + s->bytes[1];
	t->aux[id] = 0;
}

/*
 * The overload's flush: kill the states of rule, or of every rule with
 * `flush global', whose wire key holds n's address where the offending
 * state `except' has its source: addr[0] when it was made going in, as
 * pf_src_connlimit() compares them (so going in, states made going out
 * towards the source go too).
 */
static uint32_t
src_flush_states(struct dp *dp, const struct pf_src_node *n,
    const struct state *except, uint32_t rule, int global)
{
	int side = state_dir(except) == STATE_DIR_OUT ? 1 : 0;
	struct state_table *t = &dp->pf.states;
	struct state_key k;
	uint32_t i, killed = 0;

	for (i = 0; i < t->used; i++) {
		struct state *s = &t->st[i];

		if (!(s->flags & STATE_F_USED) || s == except ||
		    (!global && s->rule != rule))
			continue;
		state_key_get(t, s, STATE_WIRE, &k);
		if (k.af != n->af || memcmp(&k.addr[side], &n->addr,
		    n->af == AF_INET ? 4 : 16) != 0)
			continue;
		dp_pf_state_gone(dp, s);
		state_remove(t, s);
		killed++;
	}
	return killed;
}

/*
 * The TCP handshake of state s completed: pf_src_connlimit().  Returns 0,
 * or 1 when the source broke max-src-conn or max-src-conn-rate: it is in
 * the overload table if the rule names one (its states flushed if it
 * says so), s is gone and the packet must be dropped; *why says which.
 */
int
dp_pf_src_connlimit(struct dp *dp, struct state *s, const char **why)
{
	struct dp_pf *pf = &dp->pf;
	struct state_table *t = &pf->states;
	const struct acl_anchor *anc;
	const struct acl_rule *r;
	struct pf_src_node *n;
	uint32_t id = state_id(t, s), a;
	int bad = 0;

	if (!t->aux_used || (a = t->aux[id]) == 0 || (a & PF_SRC_CONN))
		return 0;
	n = &pf->src[a - 1];
	n->conn++;
	t->aux[id] = a | PF_SRC_CONN;
	pf_threshold_add(&n->rate, dp->now);
	/* a rule of an older load has no limits to break here */
	if ((r = dp_pf_rule(pf, s->rule, &anc)) == NULL)
		return 0;
	if (r->max_src_conn && r->max_src_conn < n->conn) {
		pf->lcounters[LCNT_SRCCONN]++;
		*why = "max-src-conn";
		bad++;
	}
	if (r->max_src_conn_rate.limit && pf_threshold_over(&n->rate)) {
		pf->lcounters[LCNT_SRCCONNRATE]++;
		*why = "max-src-conn-rate";
		bad++;
	}
	if (!bad)
		return 0;
	if (r->overload_tblname[0] != '\0') {
		pf->lcounters[LCNT_OVERLOAD_TABLE]++;
		/* compiles the rules again: r stays (the configuration does) */
		if (dp_pf_table_insert(dp, anc->path, r->overload_tblname,
		    n->af, &n->addr) < 0)
			fprintf(stderr, "sluiced: overload <%s>: cannot add "
			    "the source\n", r->overload_tblname);
		if (r->flush & ACL_FLUSH)
			pf->lcounters[LCNT_OVERLOAD_FLUSH] +=
			    src_flush_states(dp, n, s, s->rule,
			    (r->flush & ACL_FLUSH_GLOBAL) != 0);
	}
	/* kill this state */
	dp_pf_state_gone(dp, s);
	state_remove(t, s);
	return 1;
}

/* Once a second: nodes without states go after their src.track time. */
void
dp_pf_src_purge(struct dp *dp)
{
	struct dp_pf *pf = &dp->pf;
	struct pf_rule_stats *st;
	uint32_t i, *pp;

	for (i = 0; i < pf->src_used; i++) {
		struct pf_src_node *n = &pf->src[i];

		if (n->af == 0 || n->states != 0)
			continue;
		if (n->expire == 0) {
			n->expire = dp->now + n->timeout;
			if (n->timeout != 0)
				continue;
		}
		if ((int32_t)(dp->now - n->expire) < 0)
			continue;
		for (pp = &pf->src_hash[src_bucket(pf, n->af, &n->addr,
		    n->rule)]; *pp != i + 1; pp = &pf->src[*pp - 1].next)
			;
		*pp = n->next;
		if (n->rule != PF_SRC_GLOBAL &&
		    (st = dp_pf_stats(pf, n->rule)) != NULL &&
		    st->src_nodes > 0)
			st->src_nodes--;
		n->af = 0;
		n->next = pf->src_free;
		pf->src_free = i + 1;
		pf->src_count--;
		pf->src_removals++;
	}
}

/* pfctl -F Sources: nodes go, states forget them (pf_src_tree flush). */
void
dp_pf_src_flush(struct dp_pf *pf)
{
	struct state_table *t = &pf->states;

	if (t->aux_used)
		memset(t->aux, 0, (size_t)t->used * sizeof(*t->aux));
	pf->src_removals += pf->src_count;
	free(pf->src);
	free(pf->src_hash);
	pf->src = NULL;
	pf->src_hash = NULL;
	pf->src_cap = pf->src_count = pf->src_free = pf->src_used = 0;
}

static void
print_hms(FILE *out, const char *what, uint32_t t)
{
	fprintf(out, "%s%.2u:%.2u:%.2u", what, t / 3600, t / 60 % 60, t % 60);
}

/* pfctl -sS [-v]: print_src_node() for each node. */
void
dp_pf_show_src_nodes(struct dp *dp, int verbose, FILE *out)
{
	struct dp_pf *pf = &dp->pf;
	struct state_table *t = &pf->states;
	uint64_t *pk = NULL, *by = NULL;
	char a[INET6_ADDRSTRLEN];
	uint32_t i, k;

	if (pf->src_used == 0)
		return;
	if (verbose && ((pk = calloc(pf->src_used, sizeof(*pk))) == NULL ||
	    (by = calloc(pf->src_used, sizeof(*by))) == NULL)) {
		free(pk);	/* without counts, as -sS */
		pk = NULL;
		verbose = 0;
	}
	/* what live states carried, with what gone ones left */
	for (i = 0; verbose && t->aux_used && i < t->used; i++)
		if ((t->st[i].flags & STATE_F_USED) && t->aux[i] != 0) {
			k = (t->aux[i] & ~PF_SRC_CONN) - 1;
			pk[k] += state_packets(t, &t->st[i], 0) +
			    state_packets(t, &t->st[i], 1);
			by[k] += t->st[i].bytes[0] + t->st[i].bytes[1];
		}
	for (i = 0; i < pf->src_used; i++) {
		const struct pf_src_node *n = &pf->src[i];
		int anchor;
		uint32_t nr;

		if (n->af == 0)
			continue;
		inet_ntop(n->af, &n->addr, a, sizeof(a));
		fputs(a, out);
		/* pf keeps a node per type; this one holds them all,
		 * nat-to's shown first */
		for (k = 0; k < 3; k++)
			if (pf_src_sticky(n, k)) {
				fprintf(out, " %s %s", k == 0 ? "nat-to" :
				    k == 1 ? "rdr-to" : "route-to", inet_ntop(
				    n->af, &n->raddr[k], a, sizeof(a)));
				break;
			}
		fprintf(out, " ( states %u, connections %u, rate %u.%u/%us "
		    ")\n", n->states, n->conn, n->rate.count / 1000,
		    n->rate.count % 1000 / 100, n->rate.seconds);
		if (!verbose)
			continue;
		print_hms(out, "   age ", dp->now - n->creation);
		if (n->states == 0)
			print_hms(out, ", expires in ", n->expire == 0 ||
			    (int32_t)(n->expire - dp->now) < 0 ? 0 :
			    n->expire - dp->now);
		fprintf(out, ", %llu pkts, %llu bytes",
		    (unsigned long long)(n->packets + pk[i]),
		    (unsigned long long)(n->bytes + by[i]));
		if (n->rule != PF_SRC_GLOBAL) {
			dp_pf_rule_where(dp, n->rule, &anchor, &nr);
			fprintf(out, ", rule %u", nr);
		}
		fputc('\n', out);
	}
	free(pk);
	free(by);
}
