/*
 * pf_classbench.c: ClassBench filter sets and traces (see
 * ../shared/corpus/classbench/README.md for the formats) turned into an
 * acl_conf and acl_pkt arrays.  The conf is built here, not by the pf.conf
 * parser, so the tests of the classifier do not depend on it; it is freed
 * with acl_cb_conf_free(), not acl_conf_free().
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/filter/pf_filter_bench.h"

static void
acl_cb_prefix(struct acl_rule_addr *ra, uint32_t a, unsigned len)
{
	uint32_t m = len == 0 ? 0 : 0xffffffffU << (32 - len);

	ra->addr.type = ACL_ADDR_ADDRMASK;
	ra->addr.a.addr.w[0] = htonl(a & m);
	ra->addr.a.mask.w[0] = htonl(m);
}

static void
acl_cb_port(struct acl_rule_addr *ra, unsigned lo, unsigned hi)
{
	if (lo == 0 && hi == 65535)
		return;
	ra->port[0] = (uint16_t)lo;
	ra->port[1] = (uint16_t)hi;
	ra->port_op = lo == hi ? ACL_OP_EQ : ACL_OP_RRG;
}

static int
acl_cb_parse(const char *line, struct acl_rule *r)
{
	unsigned s[4], d[4], sl, dl, splo, sphi, dplo, dphi, pv, pm;
	int i;

	if (sscanf(line, "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u "
	    "%x/%x", &s[0], &s[1], &s[2], &s[3], &sl, &d[0], &d[1], &d[2],
	    &d[3], &dl, &splo, &sphi, &dplo, &dphi, &pv, &pm) != 16)
		return (EINVAL);
	for (i = 0; i < 4; i++)
		if (s[i] > 255 || d[i] > 255)
			return (EINVAL);
	if (sl > 32 || dl > 32 || splo > sphi || sphi > 65535 ||
	    dplo > dphi || dphi > 65535)
		return (EINVAL);
	memset(r, 0, sizeof(*r));
	r->action = ACL_PASS;
	r->direction = ACL_IN;
	r->quick = 1;
	r->af = AF_INET;
	r->proto = (pm & 0xff) == 0xff ? (uint8_t)pv : 0;
	r->onrdomain = -1;
	r->rtableid = -1;
	r->keep_state = ACL_STATE_NONE;
	r->nat.addr.type = r->rdr.addr.type = r->route.addr.type =
	    ACL_ADDR_NONE;
	acl_cb_prefix(&r->src, s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3], sl);
	acl_cb_prefix(&r->dst, d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3], dl);
	acl_cb_port(&r->src, splo, sphi);
	acl_cb_port(&r->dst, dplo, dphi);
	return (0);
}

void
acl_cb_conf_free(struct acl_conf *conf)
{
	if (conf == NULL)
		return;
	if (conf->root != NULL)
		free(conf->root->rs.rules);
	free(conf->root);
	free(conf->all);
	free(conf);
}

int
acl_cb_load_rules(const char *path, struct acl_conf **confp)
{
	struct acl_conf *conf;
	struct acl_ruleset *rs;
	struct acl_rule *nr;
	FILE *fp;
	char line[512];
	int error = 0;

	*confp = NULL;
	if ((fp = fopen(path, "r")) == NULL)
		return (errno);
	if ((conf = calloc(1, sizeof(*conf))) == NULL ||
	    (conf->root = calloc(1, sizeof(*conf->root))) == NULL ||
	    (conf->all = calloc(1, sizeof(*conf->all))) == NULL) {
		error = ENOMEM;
		goto out;
	}
	conf->all[0] = conf->root;
	conf->nall = 1;
	conf->debug = conf->reassemble = conf->syncookies = -1;
	rs = &conf->root->rs;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] != '@')
			continue;
		if (rs->nrules == rs->cap) {
			rs->cap = rs->cap ? rs->cap * 2 : 1024;
			if ((nr = reallocarray(rs->rules, rs->cap,
			    sizeof(*nr))) == NULL) {
				error = ENOMEM;
				goto out;
			}
			rs->rules = nr;
		}
		if ((error = acl_cb_parse(line, &rs->rules[rs->nrules])) != 0)
			goto out;
		rs->rules[rs->nrules].nr = (uint32_t)rs->nrules;
		rs->nrules++;
	}
	if (ferror(fp))
		error = EIO;
out:
	fclose(fp);
	if (error != 0) {
		acl_cb_conf_free(conf);
		return (error);
	}
	*confp = conf;
	return (0);
}

void
acl_cb_trace_free(struct acl_cb_trace *t)
{
	free(t->pkt);
	free(t->first);
	memset(t, 0, sizeof(*t));
}

int
acl_cb_load_trace(const char *path, const char *first, struct acl_cb_trace *t)
{
	struct acl_pkt *np;
	FILE *fp;
	char line[256];
	unsigned long sip, dip, sp, dp, proto;
	size_t cap = 0, i;
	int32_t *nf;
	long v;
	int error = 0;

	memset(t, 0, sizeof(*t));
	if ((fp = fopen(path, "r")) == NULL)
		return (errno);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%lu %lu %lu %lu %lu", &sip, &dip, &sp, &dp,
		    &proto) != 5 || sip > 0xffffffffUL || dip > 0xffffffffUL ||
		    sp > 65535 || dp > 65535 || proto > 255) {
			error = EINVAL;
			break;
		}
		if (t->n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((np = reallocarray(t->pkt, cap, sizeof(*np))) ==
			    NULL) {
				error = ENOMEM;
				break;
			}
			t->pkt = np;
		}
		np = &t->pkt[t->n++];
		memset(np, 0, sizeof(*np));
		np->af = AF_INET;
		np->proto = (uint8_t)proto;
		np->src.w[0] = htonl((uint32_t)sip);
		np->dst.w[0] = htonl((uint32_t)dip);
		np->sport = (uint16_t)sp;
		np->dport = (uint16_t)dp;
		np->rcvif = ACL_RCVIF_NONE;
		np->prio = ACL_DEFPRIO;
	}
	fclose(fp);
	if (error == 0 && first != NULL) {
		if ((fp = fopen(first, "r")) == NULL)
			error = errno;
		else {
			if ((nf = calloc(t->n ? t->n : 1, sizeof(*nf))) == NULL)
				error = ENOMEM;
			t->first = nf;
			for (i = 0; error == 0 && i < t->n; i++) {
				if (fscanf(fp, "%ld", &v) != 1)
					error = EINVAL;
				else
					t->first[i] = (int32_t)v;
			}
			fclose(fp);
		}
	}
	if (error != 0)
		acl_cb_trace_free(t);
	return (error);
}

/*
 * A trace for a set that has none (the corpus lacks acl1_10k_trace):
 * per rule, n headers drawn inside its 5-tuple, as ClassBench's trace
 * generator does, from a fixed seed.
 */
static uint32_t
acl_cb_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((uint32_t)((*s * 2685821657736338717ULL) >> 32));
}

static uint32_t
acl_cb_pick(uint64_t *s, uint32_t lo, uint32_t hi)
{
	if (hi <= lo)
		return (lo);
	return (lo + acl_cb_rand(s) % (hi - lo + 1));
}

static uint32_t
acl_cb_pick_pfx(uint64_t *s, const struct acl_rule_addr *ra)
{
	uint32_t a = ntohl(ra->addr.a.addr.w[0]);
	uint32_t m = ntohl(ra->addr.a.mask.w[0]);

	return ((a & m) | (acl_cb_rand(s) & ~m));
}

static uint16_t
acl_cb_pick_port(uint64_t *s, const struct acl_rule_addr *ra)
{
	if (ra->port_op == ACL_OP_EQ)
		return (ra->port[0]);
	if (ra->port_op == ACL_OP_RRG)
		return ((uint16_t)acl_cb_pick(s, ra->port[0], ra->port[1]));
	return ((uint16_t)acl_cb_pick(s, 0, 65535));
}

int
acl_cb_synth_trace(const struct acl_conf *conf, size_t per_rule,
    uint64_t seed, struct acl_cb_trace *t)
{
	const struct acl_ruleset *rs = &conf->root->rs;
	const struct acl_rule *r;
	struct acl_pkt *p;
	uint64_t st = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	if (rs->nrules == 0 || per_rule == 0)
		return (EINVAL);
	if ((t->pkt = calloc(rs->nrules * per_rule, sizeof(*t->pkt))) == NULL)
		return (ENOMEM);
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		for (j = 0; j < per_rule; j++) {
			p = &t->pkt[t->n++];
			p->af = AF_INET;
			p->proto = r->proto ? r->proto :
			    (uint8_t)acl_cb_pick(&st, 0, 255);
			p->src.w[0] = htonl(acl_cb_pick_pfx(&st, &r->src));
			p->dst.w[0] = htonl(acl_cb_pick_pfx(&st, &r->dst));
			p->sport = acl_cb_pick_port(&st, &r->src);
			p->dport = acl_cb_pick_port(&st, &r->dst);
			p->rcvif = ACL_RCVIF_NONE;
		}
	}
	return (0);
}
