/*
 * pfctl -t TABLE -T show | add | delete | flush | replace | test [addr ...]
 * and pfctl -s Tables, against the loaded rules (pfctl_table.c's
 * commands and messages).  A table lives in the rules' configuration;
 * the classifier copies its entries when it is compiled, so a change is
 * made on the configuration and the rules are compiled again, as a
 * change of interface address is: the states stay, and a compile that
 * fails leaves the table as it was.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/filter/pf_filter.h"
#include "acl/pf.h"
#include "dataplane/dp.h"
#include "dataplane/dp_pf.h"

/* The table NAME of anchor PATH ("" for the main ruleset), or NULL. */
static struct acl_table *
table_find(struct acl_conf *conf, const char *path, const char *name)
{
	size_t i;

	for (i = 0; i < conf->ntables; i++)
		if (strcmp(conf->tables[i].name, name) == 0 &&
		    strcmp(conf->tables[i].anchor, path) == 0)
			return &conf->tables[i];
	return NULL;
}

/* "[!]addr[/len]", IPv4 or IPv6; 0, or -1 if it is none. */
static int
entry_parse(const char *text, struct acl_table_entry *e)
{
	int bits;

	memset(e, 0, sizeof(*e));
	if (*text == '!') {
		e->neg = 1;
		text++;
	}
	if (dp_pf_parse_net(text, &e->af, &e->addr, &bits) != 0)
		return -1;
	e->net = (uint8_t)bits;
	return 0;
}

/* Do e's network and a's first e->net bits agree (af alike)? */
static int
entry_covers(const struct acl_table_entry *e, uint8_t af,
    const union acl_ip *a)
{
	int i, bits = e->net;

	if (e->af != af)
		return 0;
	for (i = 0; bits > 0; i++, bits -= 8) {
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((e->addr.b[i] ^ a->b[i]) & m)
			return 0;
	}
	return 1;
}

/* pfr_match_addr(): the longest entry holding a decides; '!' says no. */
static int
table_match(const struct acl_table *t, uint8_t af, const union acl_ip *a)
{
	const struct acl_table_entry *best = NULL;
	size_t i;

	for (i = 0; i < t->ne; i++)
		if (entry_covers(&t->e[i], af, a) &&
		    (best == NULL || t->e[i].net > best->net))
			best = &t->e[i];
	return best != NULL && !best->neg;
}

/* The index of an entry like e (same network and negation), or -1. */
static long
entry_find(const struct acl_table *t, const struct acl_table_entry *e)
{
	size_t i;

	for (i = 0; i < t->ne; i++)
		if (t->e[i].af == e->af && t->e[i].net == e->net &&
		    t->e[i].neg == e->neg &&
		    memcmp(&t->e[i].addr, &e->addr, sizeof(e->addr)) == 0)
			return (long)i;
	return -1;
}

/*
 * The index of the entry for e's network, whatever its negation
 * (pfr_lookup_addr(..., exact)): what -T add finds there already, -T
 * zero clears and -T replace and a load keep.  -1: none.
 */
static long
entry_find_addr(const struct acl_table *t, const struct acl_table_entry *e)
{
	size_t i;

	for (i = 0; i < t->ne; i++)
		if (t->e[i].af == e->af && t->e[i].net == e->net &&
		    memcmp(&t->e[i].addr, &e->addr, sizeof(e->addr)) == 0)
			return (long)i;
	return -1;
}

#define ENTRY_NET	(INET6_ADDRSTRLEN + 4)

/* An entry's network as pfctl writes it: address[/len], no negation. */
static const char *
entry_net(const struct acl_table_entry *e, char *buf)
{
	inet_ntop(e->af, &e->addr, buf, ENTRY_NET);
	if (e->net < (e->af == AF_INET ? 32 : 128))
		snprintf(buf + strlen(buf), ENTRY_NET - strlen(buf), "/%u",
		    e->net);
	return buf;
}

static void
entry_print(FILE *out, const struct acl_table_entry *e)
{
	char buf[ENTRY_NET];

	/* print_addrx(): feedback column, negation, address[/len] */
	fprintf(out, "  %c%s\n", e->neg ? '!' : ' ', entry_net(e, buf));
}

static int
table_ptr_cmp(const void *a, const void *b)
{
	const struct acl_table *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct acl_table_entry *x = a, *y = b;
	int c;

	if (x->af != y->af)
		return x->af < y->af ? -1 : 1;
	if ((c = memcmp(&x->addr, &y->addr, sizeof(x->addr))) != 0)
		return c;
	return (x->net > y->net) - (x->net < y->net);
}


/* What a table holds apart from its struct (acl_conf_free()'s part). */
static void
table_free_parts(struct acl_table *t)
{
	size_t j;

	for (j = 0; j < t->nfiles; j++)
		free(t->files[j]);
	free(t->files);
	for (j = 0; j < t->ne; j++)
		free(t->e[j].count);
	free(t->e);
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return (x > y) - (x < y);
}

/*
 * After a change of t's entries went through: the counters of the
 * entries of was[0..n) that t no longer holds go with them (an entry t
 * kept holds the same counters).  A change that fails puts was back and
 * calls nothing.
 */
static void
entries_release(const struct acl_table *t, const struct acl_table_entry *was,
    size_t n)
{
	struct acl_tcount **kept;
	size_t i, k = 0;

	for (i = 0; i < n && was[i].count == NULL; i++)
		;
	if (i == n)
		return;		/* the common case: nothing counted */
	if ((kept = calloc(t->ne + 1, sizeof(*kept))) == NULL)
		return;		/* leaks a few counters rather than
				   freeing one still in use */
	for (i = 0; i < t->ne; i++)
		if (t->e[i].count != NULL)
			kept[k++] = t->e[i].count;
	qsort(kept, k, sizeof(*kept), ptr_cmp);
	for (i = 0; i < n; i++)
		if (was[i].count != NULL && bsearch(&was[i].count, kept, k,
		    sizeof(*kept), ptr_cmp) == NULL)
			free(was[i].count);
	free(kept);
}

/*
 * How often the rules of anchor a name table NAME: addresses, pools and
 * overload, each a pfr_attach_table() of pf_ioctl.c (pfctl -vvsT's
 * "Rules:").
 */
static int
rules_naming(const struct acl_anchor *a, const char *name)
{
	size_t i, k;
	int n = 0;

	for (i = 0; i < a->rs.nrules; i++) {
		const struct acl_rule *r = &a->rs.rules[i];
		const struct acl_addr *v[] = { &r->src.addr, &r->dst.addr,
		    &r->nat.addr, &r->rdr.addr, &r->route.addr };

		n += strcmp(r->overload_tblname, name) == 0;
		for (k = 0; k < sizeof(v) / sizeof(v[0]); k++)
			n += v[k]->type == ACL_ADDR_TABLE &&
			    strcmp(v[k]->tblname, name) == 0;
	}
	return n;
}

/*
 * pfctl -vvsT's "Anchors:" of table t: for a main table, the anchors with
 * a table of that name, defined there or made by a rule naming it; pf
 * links each to the main one (pfrkt_root), which then counts as
 * referenced ('h') and stays active.  0 for an anchor's table.
 */
static int
anchors_naming(const struct acl_conf *conf, const struct acl_table *t)
{
	size_t i;
	int n = 0;

	for (i = 0; t->anchor[0] == '\0' && i < conf->nall; i++) {
		const struct acl_anchor *a = conf->all[i];

		n += a->path[0] != '\0' && (table_find((struct acl_conf *)conf,
		    a->path, t->name) != NULL || rules_naming(a, t->name) > 0);
	}
	return n;
}

/*
 * pf's table flags (PFR_TFLAG_*): persist, const and counters as
 * written; referenced ('r') when a rule of its anchor names it;
 * referenced by an anchor ('h') when, being the main ruleset's, an
 * anchor has a table of its name (anchors_naming()).  A table neither
 * persistent nor referenced is not active: pf drops it at load
 * (pfr_setflags_ktable()), and pfctl -sT does not list it.
 */
#define TF_CONST	0x01
#define TF_PERSIST	0x02
#define TF_ACTIVE	0x04
#define TF_REF		0x10
#define TF_REFANCHOR	0x20
#define TF_COUNTERS	0x40

static int
table_flags(const struct acl_conf *conf, const struct acl_table *t)
{
	const struct acl_anchor *own = acl_anchor_find(conf, t->anchor);
	int f = 0;

	if (t->flags & ACL_TFLAG_CONST)
		f |= TF_CONST;
	if (t->flags & ACL_TFLAG_PERSIST)
		f |= TF_PERSIST;
	if (t->flags & ACL_TFLAG_COUNTERS)
		f |= TF_COUNTERS;
	if (own != NULL && rules_naming(own, t->name) > 0)
		f |= TF_REF;
	if (anchors_naming(conf, t) > 0)
		f |= TF_REFANCHOR;
	if (f & (TF_PERSIST | TF_REF | TF_REFANCHOR))
		f |= TF_ACTIVE;
	return f;
}

/*
 * At load, as pf's commit does: a table neither persistent nor named by
 * a rule is destroyed, so `pfctl -T show' says it does not exist and
 * `-T add' makes a new, persistent one.  The anchors' tables go first:
 * a main table that only an anchor's table so dropped kept active goes
 * with it (pfr_setflags_ktable() unlinks it from its root).
 */
void
dp_pf_tables_prune(struct acl_conf *conf)
{
	uint8_t *live;
	size_t i, k;
	int main_pass;

	for (main_pass = 0; main_pass < 2; main_pass++) {
		if (conf->ntables == 0 ||
		    (live = calloc(conf->ntables, 1)) == NULL)
			return;		/* keeping them all is harmless */
		for (i = 0; i < conf->ntables; i++)
			live[i] = (conf->tables[i].anchor[0] == '\0') !=
			    main_pass || (table_flags(conf, &conf->tables[i]) &
			    TF_ACTIVE) != 0;
		for (i = k = 0; i < conf->ntables; i++) {
			struct acl_table *t = &conf->tables[i];

			if (live[i])
				conf->tables[k++] = *t;
			else
				table_free_parts(t);
		}
		conf->ntables = k;
		free(live);
	}
}

/* The wall clock's time of dataplane second t, as ctime() prints it. */
void
dp_pf_print_cleared(FILE *out, const struct dp *dp, uint32_t t)
{
	time_t at = time(NULL) - (time_t)(dp->now >= t ? dp->now - t : 0);

	fprintf(out, "\tCleared:     %s", ctime(&at));
}

static const char *const top_text[2][ACL_TOP_MAX] = {
	{ "In/Block:", "In/Match:", "In/Pass:", "In/XPass:" },
	{ "Out/Block:", "Out/Match:", "Out/Pass:", "Out/XPass:" }
};

/* print_tstats()'s and print_astats()'s counter lines: ops 0..nop-1. */
static void
print_tcount(FILE *out, const struct acl_tcount *c, int nop)
{
	int d, op;

	for (d = 0; d < 2; d++)
		for (op = 0; op < nop; op++)
			fprintf(out, "\t%-12s [ Packets: %-18llu Bytes: %-18llu "
			    "]\n", top_text[d][op],
			    (unsigned long long)c->packets[d][op],
			    (unsigned long long)c->bytes[d][op]);
}

/*
 * pfctl -vvsT's statistics of t (print_tstats()).  The evaluations are
 * not counted: the compiled classifier does not look a table up per
 * rule as pfr_match_addr() does (0 0, as -vsr's count is per port).
 */
static void
print_tstats(FILE *out, const struct dp *dp, const struct acl_conf *conf,
    const struct acl_table *t)
{
	const struct acl_anchor *own = acl_anchor_find(conf, t->anchor);

	fprintf(out, "\tAddresses:   %zu\n", t->ne);
	dp_pf_print_cleared(out, dp, t->tzero);
	fprintf(out, "\tReferences:  [ Anchors: %-18d Rules: %-18d ]\n",
	    anchors_naming(conf, t), own != NULL ? rules_naming(own,
	    t->name) : 0);
	fprintf(out, "\tEvaluations: [ NoMatch: %-18llu Match: %-18llu ]\n",
	    0ULL, 0ULL);
	print_tcount(out, &t->count, ACL_TOP_MAX);
}

/* dst gets counters of its own, a copy of src's (none if src has none). */
static int
count_dup(struct acl_table_entry *dst, const struct acl_table_entry *src)
{
	dst->count = NULL;
	if (src->count == NULL)
		return 0;
	if ((dst->count = malloc(sizeof(*dst->count))) == NULL)
		return -1;
	*dst->count = *src->count;
	return 0;
}

/*
 * src's entries into dst (whose own are freed), each with its clock and
 * a copy of its counters.  -1: no memory (dst unchanged).
 */
static int
entries_copy(struct acl_table *dst, const struct acl_table *src)
{
	struct acl_table_entry *e;
	size_t i;

	if ((e = calloc(src->ne + 1, sizeof(*e))) == NULL)
		return -1;
	for (i = 0; i < src->ne; i++) {
		e[i] = src->e[i];
		if (count_dup(&e[i], &src->e[i]) != 0) {
			while (i-- > 0)
				free(e[i].count);
			free(e);
			return -1;
		}
	}
	for (i = 0; i < dst->ne; i++)
		free(dst->e[i].count);
	free(dst->e);
	dst->e = e;
	dst->ne = src->ne;
	return 0;
}

/*
 * A load's tables over the live ones (old; NULL at the first load), as
 * pf's commit goes (pfr_commit_ktable()).  A table the file defines
 * that lives already keeps its statistics; given no addresses (`table
 * <bruteforce> persist'), its entries too, so a reload does not empty
 * what overload and pfctl -T put there; given some, the entries for a
 * network it had keep their clock and counters, a turned negation
 * starts again.  A live table the file does not define is kept for the
 * new rules (dp_pf_tables_prune() then drops it unless persistent or
 * named by them: what pf's deactivation does).  Everything new starts
 * its clock at now.  0, or -1 when out of memory (conf is to be freed).
 */
int
dp_pf_tables_carry(const struct acl_conf *old, struct acl_conf *conf,
    uint32_t now)
{
	size_t i, j, n = conf->ntables;
	struct acl_table *v;

	for (i = 0; i < n; i++) {
		struct acl_table *t = &conf->tables[i];
		const struct acl_table *o = old != NULL ?
		    table_find((struct acl_conf *)old, t->anchor, t->name) :
		    NULL;

		t->tzero = now;
		for (j = 0; j < t->ne; j++)
			t->e[j].tzero = now;
		if (o == NULL)
			continue;
		t->tzero = o->tzero;
		t->count = o->count;
		if (!t->addrs) {
			if (entries_copy(t, o) != 0)
				return -1;
			continue;
		}
		for (j = 0; j < t->ne; j++) {
			long k = entry_find_addr(o, &t->e[j]);

			if (k < 0 || o->e[k].neg != t->e[j].neg)
				continue;
			t->e[j].tzero = o->e[k].tzero;
			if (count_dup(&t->e[j], &o->e[k]) != 0)
				return -1;
		}
	}
	for (i = 0; old != NULL && i < old->ntables; i++) {
		const struct acl_table *o = &old->tables[i];
		struct acl_table *t;

		if (table_find(conf, o->anchor, o->name) != NULL)
			continue;
		v = realloc(conf->tables, (conf->ntables + 1) * sizeof(*v));
		if (v == NULL)
			return -1;
		conf->tables = v;
		t = &v[conf->ntables];
		*t = *o;
		/* what the new conf owns: its own copies */
		t->e = NULL;
		t->ne = 0;
		t->files = NULL;
		t->nfiles = 0;
		conf->ntables++;
		if (entries_copy(t, o) != 0)
			return -1;
	}
	return 0;
}

/*
 * pfctl -s Tables: the active tables of anchor PATH, by name; -v puts
 * pfctl's flag letters before each (print_table()) and the anchor
 * after it, -vv adds the table's statistics.
 */
void
dp_pf_show_tables(struct dp *dp, const char *path, int verbose, FILE *out)
{
	const struct acl_conf *conf = dp->pf.rs != NULL ? dp->pf.rs->conf :
	    NULL;
	const struct acl_table **tv;
	size_t i, n = 0;

	if (conf == NULL || conf->ntables == 0 ||
	    (tv = calloc(conf->ntables, sizeof(*tv))) == NULL)
		return;
	/* every table is active: the load dropped the others */
	for (i = 0; i < conf->ntables; i++)
		if (strcmp(conf->tables[i].anchor, path) == 0)
			tv[n++] = &conf->tables[i];
	qsort(tv, n, sizeof(*tv), table_ptr_cmp);
	for (i = 0; i < n; i++) {
		if (verbose) {
			int f = table_flags(conf, tv[i]);

			fprintf(out, "%c%c%c%c%c%c%c\t",
			    f & TF_CONST ? 'c' : '-',
			    f & TF_PERSIST ? 'p' : '-',
			    f & TF_ACTIVE ? 'a' : '-', '-',
			    f & TF_REF ? 'r' : '-',
			    f & TF_REFANCHOR ? 'h' : '-',
			    f & TF_COUNTERS ? 'C' : '-');
		}
		fprintf(out, "%s", tv[i]->name);
		if (verbose && tv[i]->anchor[0] != '\0')
			fprintf(out, "@%s", tv[i]->anchor);
		fputc('\n', out);
		if (verbose >= 2)
			print_tstats(out, dp, conf, tv[i]);
	}
	free(tv);
}

/*
 * pfctl -F Tables (and -F all's first step): the tables of anchor PATH
 * go, but not the pools' own `__automatic_N' (sluice's choice: without
 * them `nat-to { a b }' would have no address left until the next load);
 * rules that name one then see it empty, as pf's deactivated table.  The
 * number deleted, or -1 when the rules did not compile again (said on
 * out; nothing changed).
 */
int
dp_pf_tables_flush(struct dp *dp, const char *path, FILE *out)
{
	struct acl_conf *conf;
	struct acl_table *was;
	size_t i, k, n;

	if (dp->pf.rs == NULL)
		return 0;
	conf = dp->pf.rs->conf;
	n = conf->ntables;
	if (n == 0)
		return 0;
	if ((was = malloc(n * sizeof(*was))) == NULL) {
		fprintf(out, "pfctl: out of memory\n");
		return -1;
	}
	memcpy(was, conf->tables, n * sizeof(*was));
	for (i = k = 0; i < n; i++)
		if (was[i].automatic || strcmp(was[i].anchor, path) != 0)
			conf->tables[k++] = was[i];
	conf->ntables = k;
	if (k < n && dp_pf_recompile(dp, out) != 0) {
		memcpy(conf->tables, was, n * sizeof(*was));
		conf->ntables = n;
		free(was);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!was[i].automatic && strcmp(was[i].anchor, path) == 0)
			table_free_parts(&was[i]);
	free(was);
	return (int)(n - conf->ntables);
}

/*
 * set limit tables and table-entries: what pfctl -T may add (pf's pools
 * fail the ioctl with ENOMEM).  1, said on out, when over.
 */
static int
table_over_limits(const struct dp *dp, const struct acl_conf *conf,
    int created, int nadd, FILE *out)
{
	size_t i, ne = 0;

	if (created && conf->ntables > dp->pf.tables_limit) {
		fprintf(out, "pfctl: Cannot allocate memory (set limit "
		    "tables %u).\n", dp->pf.tables_limit);
		return 1;
	}
	for (i = 0; nadd > 0 && i < conf->ntables; i++)
		ne += conf->tables[i].ne;
	if (ne > dp->pf.tentries_limit) {
		fprintf(out, "pfctl: Cannot allocate memory (set limit "
		    "table-entries %u).\n", dp->pf.tentries_limit);
		return 1;
	}
	return 0;
}

/* A table NAME in anchor PATH, empty, as pfctl -T add makes one. */
static struct acl_table *
table_create(struct acl_conf *conf, const char *path, const char *name)
{
	struct acl_table *t;

	t = realloc(conf->tables, (conf->ntables + 1) * sizeof(*t));
	if (t == NULL)
		return NULL;
	conf->tables = t;
	t = &conf->tables[conf->ntables++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->anchor, sizeof(t->anchor), "%s", path);
	return t;
}

/*
 * Put e in t unless its network is there (pfr_add_addrs(): negated or
 * not, the entry there stays); 1 if it was added, -1: no memory.
 */
static int
entry_add(struct acl_table *t, const struct acl_table_entry *e)
{
	struct acl_table_entry *n;

	if (entry_find_addr(t, e) >= 0)
		return 0;
	if ((n = realloc(t->e, (t->ne + 1) * sizeof(*n))) == NULL)
		return -1;
	t->e = n;
	t->e[t->ne++] = *e;
	return 1;
}

/* An entry's clock starts again and its counters go (pfr_clstats_kentries). */
static void
entry_zero(struct acl_table_entry *e, uint32_t now)
{
	e->tzero = now;
	free(e->count);
	e->count = NULL;
}

/* Take e out of t; 1 if it was there. */
static int
entry_del(struct acl_table *t, const struct acl_table_entry *e)
{
	long i = entry_find(t, e);

	if (i < 0)
		return 0;
	t->e[i] = t->e[--t->ne];
	return 1;
}

/*
 * The commands on a whole table, as pfctl_table.c words them: expire N
 * (the entries added or zeroed N seconds ago or earlier go: the
 * companion of `overload <t>', run from cron as `pfctl -t bruteforce -T
 * expire 86400'), zero (their clocks start again; given addresses,
 * only those entries'), kill (the table goes;
 * rules naming it then see an empty one).  -1 when CMD is none of them.
 */
static int
table_cmd(struct dp *dp, struct acl_conf *conf, struct acl_table *t,
    const char *cmd, int nargs, char **args, FILE *out)
{
	struct acl_table_entry *old;
	unsigned long n = 0;
	size_t i, j, oldn;
	uint32_t before;
	char *end;
	int cand = 0;

	if (strcmp(cmd, "expire") != 0 && strcmp(cmd, "zero") != 0 &&
	    strcmp(cmd, "kill") != 0)
		return -1;
	if (strcmp(cmd, "expire") == 0 && (nargs != 1 || *args[0] == '\0' ||
	    (n = strtoul(args[0], &end, 10), *end != '\0') ||
	    n > UINT32_MAX)) {
		fprintf(out, "pfctl: expiry time: %s\n", nargs == 1 ?
		    args[0] : "missing");
		return 1;
	}
	if (strcmp(cmd, "kill") == 0 && nargs != 0) {
		fprintf(out, "pfctl: -T %s takes no address\n", cmd);
		return 1;
	}
	if (t == NULL) {
		fprintf(out, "pfctl: Table does not exist.\n");
		return 1;
	}
	if (strcmp(cmd, "zero") == 0 && nargs > 0) {
		/* pfr_clr_astats(): the entries written so, found exactly */
		struct acl_table_entry e;
		long k;

		for (i = 0; i < (size_t)nargs; i++) {
			if (entry_parse(args[i], &e) != 0) {
				fprintf(out, "pfctl: %s: not an address or "
				    "network\n", args[i]);
				return 1;
			}
		}
		for (i = 0; i < (size_t)nargs; i++) {
			(void)entry_parse(args[i], &e);
			if ((k = entry_find_addr(t, &e)) >= 0) {
				entry_zero(&t->e[k], dp->now);
				cand++;
			}
		}
		fprintf(out, "%d/%d addresses cleared.\n", cand, nargs);
		return 0;
	}
	if (strcmp(cmd, "zero") == 0) {
		/* pfr_clr_tstats() with PFR_FLAG_ADDRSTOO */
		for (i = 0; i < t->ne; i++)
			entry_zero(&t->e[i], dp->now);
		memset(&t->count, 0, sizeof(t->count));
		t->tzero = dp->now;
		fprintf(out, "1 table/stats cleared.\n");
		return 0;
	}
	if (t->flags & ACL_TFLAG_CONST) {
		fprintf(out, "pfctl: Operation not permitted.\n");
		return 1;
	}
	if (strcmp(cmd, "kill") == 0) {
		struct acl_table gone = *t;

		*t = conf->tables[--conf->ntables];
		if (dp_pf_recompile(dp, out) != 0) {
			conf->tables[conf->ntables++] = *t;
			*t = gone;
			return 1;
		}
		table_free_parts(&gone);
		fprintf(out, "1 table deleted.\n");
		return 0;
	}
	/* expire: keep what was there, a compile that fails puts it back */
	oldn = t->ne;
	if ((old = malloc((oldn + 1) * sizeof(*old))) == NULL) {
		fprintf(out, "pfctl: out of memory\n");
		return 1;
	}
	if (oldn > 0)
		memcpy(old, t->e, oldn * sizeof(*old));
	before = n > dp->now ? 0 : dp->now - (uint32_t)n;
	for (i = j = 0; i < t->ne; i++) {
		if (n <= dp->now && t->e[i].tzero <= before) {
			cand++;
			continue;
		}
		t->e[j++] = t->e[i];
	}
	t->ne = j;
	if (cand > 0 && dp_pf_recompile(dp, out) != 0) {
		if (oldn > 0)
			memcpy(t->e, old, oldn * sizeof(*old));
		t->ne = oldn;
		free(old);
		return 1;
	}
	entries_release(t, old, oldn);
	free(old);
	fprintf(out, "%d/%d addresses expired.\n", cand, cand);
	return 0;
}

/*
 * pfctl [-a PATH] -t NAME -T CMD [ADDR ...]: 0, 1 on error, and for
 * test 2 when not every address matches (pfctl's exit codes).  -T show
 * -v adds each entry's "Cleared:" time and, for an entry of a `counters'
 * table that counted a packet, its counters (print_astats(); an entry
 * without them prints none, PFR_FB_NOCOUNT).
 */
int
dp_pf_table(struct dp *dp, const char *path, const char *name,
    const char *cmd, int naddr, char **addrs, int verbose, FILE *out)
{
	struct acl_conf *conf;
	struct acl_table *t;
	struct acl_table_entry *args = NULL, *old = NULL;
	size_t oldn = 0, i;
	int k, nadd = 0, ndel = 0, nchg = 0, nmatch = 0, created = 0, rc = 1;
	int r;

	if (dp->pf.rs == NULL) {
		fprintf(out, "pfctl: no rules loaded\n");
		return 1;
	}
	conf = dp->pf.rs->conf;
	t = table_find(conf, path, name);
	if ((r = table_cmd(dp, conf, t, cmd, naddr, addrs, out)) >= 0)
		return r;
	if (naddr > 0 && (args = calloc((size_t)naddr, sizeof(*args))) ==
	    NULL)
		goto nomem;
	for (k = 0; k < naddr; k++) {
		if (entry_parse(addrs[k], &args[k]) != 0) {
			fprintf(out, "pfctl: %s: not an address or network\n",
			    addrs[k]);
			goto done;
		}
		args[k].tzero = dp->now;
	}
	if (strcmp(cmd, "show") == 0 || strcmp(cmd, "test") == 0 ||
	    strcmp(cmd, "delete") == 0 || strcmp(cmd, "flush") == 0) {
		if (t == NULL) {
			fprintf(out, "pfctl: Table does not exist.\n");
			goto done;
		}
	} else if (strcmp(cmd, "add") == 0 || strcmp(cmd, "replace") == 0) {
		if (t == NULL) {
			if ((t = table_create(conf, path, name)) == NULL)
				goto nomem;
			/* CREATE_TABLE: pfctl makes it persist */
			t->flags |= ACL_TFLAG_PERSIST;
			t->tzero = dp->now;
			created = 1;
		}
	} else {
		fprintf(out, "pfctl: Unknown command '%s'.\n", cmd);
		goto done;
	}
	if (strcmp(cmd, "show") == 0) {
		struct acl_table_entry *e = calloc(t->ne + 1, sizeof(*e));

		if (e == NULL)
			goto nomem;
		if (t->ne > 0)	/* an empty table may have no array */
			memcpy(e, t->e, t->ne * sizeof(*e));
		qsort(e, t->ne, sizeof(*e), entry_cmp);
		for (i = 0; i < t->ne; i++) {
			entry_print(out, &e[i]);
			if (!verbose)
				continue;
			/* print_astats(): no counters, no lines
			 * (PFR_FB_NOCOUNT) */
			dp_pf_print_cleared(out, dp, e[i].tzero);
			if (e[i].count != NULL)
				print_tcount(out, e[i].count, ACL_TOP_XPASS);
		}
		free(e);
		rc = 0;
		goto done;
	}
	if (strcmp(cmd, "test") == 0) {
		for (k = 0; k < naddr; k++)
			nmatch += table_match(t, args[k].af, &args[k].addr);
		fprintf(out, "%d/%d addresses match.\n", nmatch, naddr);
		rc = nmatch == naddr ? 0 : 2;
		goto done;
	}
	if (t->flags & ACL_TFLAG_CONST) {
		fprintf(out, "pfctl: Operation not permitted.\n");
		goto done;
	}
	/* Keep what was there: a compile that fails puts it back. */
	oldn = t->ne;
	if (oldn > 0 && (old = malloc(oldn * sizeof(*old))) == NULL)
		goto nomem;
	if (oldn > 0)
		memcpy(old, t->e, oldn * sizeof(*old));
	if (strcmp(cmd, "flush") == 0) {
		ndel = (int)t->ne;
		t->ne = 0;
	} else if (strcmp(cmd, "delete") == 0) {
		for (k = 0; k < naddr; k++)
			ndel += entry_del(t, &args[k]);
	} else if (strcmp(cmd, "add") == 0) {
		for (k = 0; k < naddr; k++) {
			if ((r = entry_add(t, &args[k])) < 0)
				goto nomem;
			nadd += r;
		}
	} else {
		/*
		 * pfr_set_addrs(): an entry for a network that stays keeps
		 * its clock and counters, one whose negation turns is
		 * changed (and zeroed), the rest are added or deleted.
		 */
		struct acl_table was = { .e = old, .ne = oldn };

		t->ne = 0;
		for (k = 0; k < naddr; k++) {
			long o = old != NULL ? entry_find_addr(&was, &args[k]) :
			    -1;
			struct acl_table_entry e = o >= 0 ? old[o] : args[k];

			if (o >= 0 && e.neg != args[k].neg) {
				e.neg = args[k].neg;
				e.tzero = dp->now;
				e.count = NULL;	/* released below */
			}
			if ((r = entry_add(t, &e)) < 0)
				goto nomem;
			if (r > 0 && o < 0)
				nadd++;
			else if (r > 0 && old[o].neg != e.neg)
				nchg++;
		}
		for (i = 0; i < oldn; i++)
			ndel += entry_find_addr(t, &old[i]) < 0;
	}
	if (table_over_limits(dp, conf, created, nadd, out) ||
	    ((nadd > 0 || ndel > 0 || nchg > 0 || created) &&
	    dp_pf_recompile(dp, out) != 0)) {
		free(t->e);
		t->e = old;
		t->ne = oldn;
		old = NULL;
		if (created)
			conf->ntables--;
		goto done;
	}
	entries_release(t, old, oldn);
	if (created)
		fprintf(out, "1 table created.\n");
	if (strcmp(cmd, "add") == 0)
		fprintf(out, "%d/%d addresses added.\n", nadd, naddr);
	else if (strcmp(cmd, "delete") == 0)
		fprintf(out, "%d/%d addresses deleted.\n", ndel, naddr);
	else if (strcmp(cmd, "flush") == 0)
		fprintf(out, "%d addresses deleted.\n", ndel);
	else {
		if (nadd > 0)
			fprintf(out, "%d addresses added.\n", nadd);
		if (ndel > 0)
			fprintf(out, "%d addresses deleted.\n", ndel);
		if (nchg > 0)
			fprintf(out, "%d addresses changed.\n", nchg);
		if (nadd == 0 && ndel == 0 && nchg == 0)
			fprintf(out, "no changes.\n");
	}
	rc = 0;
	goto done;
nomem:
	fprintf(out, "pfctl: out of memory\n");
done:
	free(args);
	free(old);
	return rc;
}

/*
 * overload <NAME>: pf_src_connlimit() puts a source that broke its rule's
 * max-src-conn or max-src-conn-rate in the table (pfr_insert_kentry()):
 * the rule's anchor's table of that name, else the main ruleset's, else
 * one made in the rule's anchor; then the rules are compiled again, so
 * `block quick from <NAME>' decides the source's next packet.  Returns 1
 * if it was added, 0 if it was there, -1 on failure (nothing changed).
 */
int
dp_pf_table_insert(struct dp *dp, const char *path, const char *name,
    uint8_t af, const union acl_ip *addr)
{
	struct acl_conf *conf;
	struct acl_table *t;
	struct acl_table_entry e;
	int created = 0, r;

	if (dp->pf.rs == NULL)
		return -1;
	conf = dp->pf.rs->conf;
	if ((t = table_find(conf, path, name)) == NULL &&
	    (t = table_find(conf, "", name)) == NULL) {
		if ((t = table_create(conf, path, name)) == NULL)
			return -1;
		t->tzero = dp->now;
		created = 1;
	}
	if (t->flags & ACL_TFLAG_CONST)
		return -1;
	memset(&e, 0, sizeof(e));
	e.af = af;
	e.net = af == AF_INET ? 32 : 128;
	e.addr = *addr;
	e.tzero = dp->now;
	if ((r = entry_add(t, &e)) <= 0)
		return r;
	if (dp_pf_recompile(dp, stderr) != 0) {
		entry_del(t, &e);
		if (created)
			conf->ntables--;
		return -1;
	}
	return 1;
}

/* ---- statistics: pfr_update_stats() ------------------------------------ */

/*
 * The table a rule of anchor PATH names NAME by: the anchor's own, else
 * the main ruleset's (pfr_attach_table(), then pfr_ktable_select_active()
 * when it counts); its index in conf->tables, or -1.
 */
static int32_t
table_named(const struct acl_conf *conf, const char *path, const char *name)
{
	struct acl_conf *c = (struct acl_conf *)conf;
	const struct acl_table *t = table_find(c, path, name);

	if (t == NULL && path[0] != '\0')
		t = table_find(c, "", name);
	return t != NULL ? (int32_t)(t - conf->tables) : -1;
}

/*
 * At a build of the rules: per rule, the tables its from and to name,
 * which count the packets it decides.  rs->rtab stays NULL when no rule
 * names one, so the packet path tests a pointer and nothing more; the
 * tables' lookups are built when a packet first needs them.  -1: no
 * memory.
 */
int
dp_pf_tables_index(struct dp_pf_ruleset *rs)
{
	const struct acl_conf *conf = rs->conf;
	size_t k, i;
	int side;

	if ((rs->tidx = calloc(conf->ntables + 1, sizeof(*rs->tidx))) == NULL)
		return -1;
	rs->ntidx = conf->ntables;
	for (k = 0; k < conf->nall; k++) {
		const struct acl_anchor *a = conf->all[k];

		for (i = 0; i < a->rs.nrules; i++) {
			const struct acl_rule *r = &a->rs.rules[i];
			const struct acl_rule_addr *v[2] = { &r->src, &r->dst };
			struct pf_rtab *rt;
			uint32_t j;

			if (v[0]->addr.type != ACL_ADDR_TABLE &&
			    v[1]->addr.type != ACL_ADDR_TABLE)
				continue;
			if (rs->rtab == NULL) {
				rs->rtab = calloc(rs->nstats + 1,
				    sizeof(*rs->rtab));
				if (rs->rtab == NULL)
					return -1;
				for (j = 0; j < rs->nstats; j++)
					rs->rtab[j].tab[0] =
					    rs->rtab[j].tab[1] = -1;
			}
			rt = &rs->rtab[rs->anchor_base[k] + i];
			for (side = 0; side < 2; side++) {
				if (v[side]->addr.type == ACL_ADDR_TABLE)
					rt->tab[side] = table_named(conf,
					    a->path, v[side]->addr.tblname);
				rt->neg[side] = v[side]->neg;
			}
			if (r->action == ACL_MATCH)
				rs->mtabs = 1;
		}
	}
	return 0;
}

void
dp_pf_tables_index_free(struct dp_pf_ruleset *rs)
{
	size_t i;

	for (i = 0; rs->tidx != NULL && i < rs->ntidx; i++)
		acl_ltable_free(rs->tidx[i]);
	free(rs->tidx);
	free(rs->rtab);
	rs->tidx = NULL;
	rs->rtab = NULL;
}

/*
 * The entry of table ti (index ti < rs->ntidx) that rn_match() finds for
 * a, the longest holding it, or NULL; the table's lookup is built the
 * first time (rs->tidx[ti] stays NULL when there is no memory for it).
 */
static struct acl_table_entry *
table_entry(struct dp_pf_ruleset *rs, int32_t ti, uint8_t af,
    const union acl_ip *a)
{
	struct acl_table *t = &rs->conf->tables[ti];
	long k;

	if (rs->tidx[ti] == NULL && (rs->tidx[ti] = acl_ltable_new(t)) == NULL)
		return NULL;
	k = acl_ltable_entry(rs->tidx[ti], af, a);
	return k >= 0 ? &t->e[k] : NULL;
}

/*
 * One packet of LEN bytes going DIR on table ti, for address a, by a rule
 * whose verdict is op (ACL_TOP_*) and that says `! <table>' when notrule:
 * the table counts it, as XPASS when the table no longer agrees with the
 * rule (a state's packet after its entry went); a `counters' table's
 * entry counts it too, its counters made at its first packet.
 */
static void
table_count(struct dp_pf_ruleset *rs, int32_t ti, int op, int notrule,
    int dir, uint8_t af, const union acl_ip *a, uint64_t len)
{
	struct acl_table *t = &rs->conf->tables[ti];
	struct acl_table_entry *e;
	int d = dir == ACL_OUT;

	if ((size_t)ti >= rs->ntidx)
		return;
	e = table_entry(rs, ti, af, a);
	if (rs->tidx[ti] == NULL)
		return;		/* no memory for its lookup: not counted */
	if ((e == NULL || e->neg) != notrule)
		op = ACL_TOP_XPASS;
	t->count.packets[d][op]++;
	t->count.bytes[d][op] += len;
	if (e == NULL || op == ACL_TOP_XPASS ||
	    !(t->flags & ACL_TFLAG_COUNTERS))
		return;
	/* pf's pool_get(PR_NOWAIT) may fail so too */
	if (e->count == NULL && (e->count = calloc(1, sizeof(*e->count))) ==
	    NULL)
		return;
	e->count->packets[d][op]++;
	e->count->bytes[d][op] += len;
}

/*
 * pf_counters_inc()'s table part: a packet rule idx decided (op
 * ACL_TOP_BLOCK or PASS), or that a state of it passed, or of whose state
 * it is the match rule (ACL_TOP_MATCH), on the tables of its from (for
 * src) and to (for dst).  af: AF_INET or AF_INET6.
 */
void
dp_pf_tables_count(struct dp_pf_ruleset *rs, uint32_t idx, int op, int dir,
    uint8_t af, const union acl_ip *src, const union acl_ip *dst,
    uint64_t len)
{
	const struct pf_rtab *rt;

	if (rs == NULL || rs->rtab == NULL || idx >= rs->nstats)
		return;
	rt = &rs->rtab[idx];
	if (rt->tab[0] >= 0)
		table_count(rs, rt->tab[0], op, rt->neg[0], dir, af, src, len);
	if (rt->tab[1] >= 0)
		table_count(rs, rt->tab[1], op, rt->neg[1], dir, af, dst, len);
}

/*
 * For explain and the trace: what the tables rule idx's from and to name
 * say of a packet's addresses, as "from <bad>: 192.0.2.0/24 holds
 * 192.0.2.5; to ! <lan>: no entry holds 10.50.0.9" (the longest entry
 * decides; a '!' one says no).  "" when the rule names none.
 */
void
dp_pf_tables_why(struct dp_pf_ruleset *rs, uint32_t idx, uint8_t af,
    const union acl_ip *src, const union acl_ip *dst, char *buf, size_t len)
{
	const struct pf_rtab *rt;
	size_t at = 0;
	int side;

	buf[0] = '\0';
	if (rs == NULL || rs->rtab == NULL || idx >= rs->nstats)
		return;
	rt = &rs->rtab[idx];
	for (side = 0; side < 2; side++) {
		const union acl_ip *a = side == 0 ? src : dst;
		const struct acl_table *t;
		char addr[INET6_ADDRSTRLEN], ent[ENTRY_NET];
		const struct acl_table_entry *e;
		int32_t ti = rt->tab[side];

		if (ti < 0 || (size_t)ti >= rs->ntidx || at >= len)
			continue;
		t = &rs->conf->tables[ti];
		e = table_entry(rs, ti, af, a);
		inet_ntop(af, a, addr, sizeof(addr));
		at += (size_t)snprintf(buf + at, len - at, "%s%s %s<%s>: %s%s "
		    "holds %s%s", at > 0 ? "; " : "", side == 0 ? "from" :
		    "to", rt->neg[side] ? "! " : "", t->name, e == NULL ?
		    "no entry" : e->neg ? "!" : "", e == NULL ? "" :
		    entry_net(e, ent), addr, e != NULL && e->neg ?
		    " (negated: not in it)" : "");
	}
}
