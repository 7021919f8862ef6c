/*
 * See bridge.h.  One pass per batch: learn the source, look up the
 * destination, write a decision.  Unicast to the member a frame came from
 * is dropped (bridge(4) does the same), and multicast sources are never
 * learned nor forwarded: they can only be forged or broken.  A blocknonip
 * member takes and gets only IP, ARP and RARP frames; members that share
 * a protected domain send each other nothing (ifconfig(8)).
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/bridge.h"
#include "fwd/ether.h"
#include "fwd/ip.h"

#define BRIDGE_C_NAME(e, n, d)	n,
#define BRIDGE_C_HELP(e, n, d)	d,
const char *const bridge_counter_names[BRIDGE_C__MAX] = {
	BRIDGE_COUNTERS(BRIDGE_C_NAME)
};
const char *const bridge_counter_help[BRIDGE_C__MAX] = {
	BRIDGE_COUNTERS(BRIDGE_C_HELP)
};

int
bridge_init(struct bridge *br, const char *name)
{
	memset(br, 0, sizeof(*br));
	snprintf(br->br_name, sizeof(br->br_name), "%s", name);
	return fdb_init(&br->br_fdb, FDB_DEFAULT_MAX, FDB_DEFAULT_TIMEOUT);
}

void
bridge_fini(struct bridge *br)
{
	int i;

	for (i = 0; i < br->br_nmembers; i++)
		bridge_rule_flush(&br->br_members[i]);
	fdb_fini(&br->br_fdb);
}

struct bridge_member *
bridge_member(struct bridge *br, uint16_t port)
{
	int i;

	for (i = 0; i < br->br_nmembers; i++)
		if (br->br_members[i].bm_port == port)
			return &br->br_members[i];
	return NULL;
}

int
bridge_add_member(struct bridge *br, uint16_t port, uint16_t flags)
{
	if (bridge_member(br, port) != NULL)
		return EEXIST;
	if (br->br_nmembers == BRIDGE_MAX_MEMBERS)
		return ENOSPC;
	br->br_members[br->br_nmembers].bm_port = port;
	br->br_members[br->br_nmembers].bm_flags = flags;
	br->br_nmembers++;
	return 0;
}

int
bridge_del_member(struct bridge *br, uint16_t port)
{
	struct bridge_member *bm = bridge_member(br, port);
	int i;

	if (bm == NULL)
		return ENOENT;
	bridge_rule_flush(bm);
	i = (int)(bm - br->br_members);
	memmove(bm, bm + 1, (br->br_nmembers - i - 1) * sizeof(*bm));
	br->br_nmembers--;
	fdb_flush_port(&br->br_fdb, port);
	return 0;
}

/*
 * Whether member bm may not send p to the member on port out: the
 * BRIDGE_C_DROP_* reason, or 0.  An IP frame from a member in no
 * protected domain, nearly every frame, is never refused and costs no
 * member lookup.
 */
static int
bridge_refuses(struct bridge *br, const struct bridge_member *bm,
    uint16_t out, const struct pkt *p)
{
	const struct bridge_member *dm;
	int ip = ether_is_ip_like(p->data, p->len);

	if ((bm->bm_protected == 0 && ip) ||
	    (dm = bridge_member(br, out)) == NULL)
		return 0;
	if (dm->bm_protected & bm->bm_protected)
		return BRIDGE_C_DROP_PROTECTED;
	if ((dm->bm_flags & BM_BLOCKNONIP) && !ip)
		return BRIDGE_C_DROP_NONIP;
	return 0;
}

/*
 * A span port gets a copy of every frame that enters the bridge
 * (bridge_span()); it is no member: nothing it sends is bridged.
 */
int
bridge_add_span(struct bridge *br, uint16_t port)
{
	int i;

	for (i = 0; i < br->br_nspan; i++)
		if (br->br_span[i] == port)
			return EEXIST;
	if (bridge_member(br, port) != NULL)
		return EBUSY;
	if (br->br_nspan == BRIDGE_MAX_SPAN)
		return ENOSPC;
	br->br_span[br->br_nspan++] = port;
	return 0;
}

int
bridge_del_span(struct bridge *br, uint16_t port)
{
	int i;

	for (i = 0; i < br->br_nspan; i++)
		if (br->br_span[i] == port) {
			br->br_span[i] = br->br_span[--br->br_nspan];
			return 0;
		}
	return ENOENT;
}

static void
bridge_decide(struct bridge *br, struct pkt *p, struct bridge_decision *d,
    uint32_t now, int restricted)
{
	const struct bridge_member *bm;
	const uint8_t *src = ether_src(p->data), *dst = ether_dst(p->data);
	int out, reason;

	d->d_learn = 0xff;
	d->d_unknown = 0;
	br->br_c[BRIDGE_C_IN]++;
	if (!br->br_up) {
		d->d_verdict = BR_DROP;
		d->d_reason = BRIDGE_C_DROP_DOWN;
		br->br_c[d->d_reason]++;
		return;
	}
	if ((bm = bridge_member(br, p->in_port)) == NULL) {
		d->d_verdict = BR_DROP;
		d->d_reason = BRIDGE_C_DROP_NOT_MEMBER;
		br->br_c[d->d_reason]++;
		return;
	}
	if (ether_is_multicast(src)) {
		d->d_verdict = BR_DROP;
		d->d_reason = BRIDGE_C_DROP_SRC_MCAST;
		br->br_c[d->d_reason]++;
		return;
	}
	if (bm->bm_flags & BM_LEARNING) {
		d->d_learn = fdb_learn(&br->br_fdb, p->vid, src, p->in_port, now);
		switch (d->d_learn) {
		case FDB_LEARNED:
			br->br_c[BRIDGE_C_LEARNED]++;
			break;
		case FDB_MOVED:
			br->br_c[BRIDGE_C_MOVED]++;
			break;
		case FDB_FULL:
			br->br_c[BRIDGE_C_CACHE_FULL]++;
			break;
		case FDB_STATIC_HELD:
			br->br_c[BRIDGE_C_STATIC_HELD]++;
			break;
		}
	}
	if (restricted && (bm->bm_flags & BM_BLOCKNONIP) &&
	    !ether_is_ip_like(p->data, p->len)) {
		d->d_verdict = BR_DROP;
		d->d_reason = BRIDGE_C_DROP_NONIP;
	} else if (ether_is_multicast(dst)) {
		d->d_verdict = BR_FLOOD;
		d->d_reason = BRIDGE_C_FLOOD;
	} else if ((out = fdb_lookup(&br->br_fdb, p->vid, dst, now)) < 0) {
		d->d_verdict = BR_FLOOD;
		d->d_reason = BRIDGE_C_FLOOD;
		d->d_unknown = 1;
	} else if (out == p->in_port) {
		d->d_verdict = BR_DROP;
		d->d_reason = BRIDGE_C_DROP_SAME_PORT;
	} else if (restricted &&
	    (reason = bridge_refuses(br, bm, (uint16_t)out, p)) != 0) {
		d->d_verdict = BR_DROP;
		d->d_reason = (uint8_t)reason;
	} else {
		d->d_verdict = BR_UNICAST;
		d->d_reason = BRIDGE_C_UNICAST;
		d->d_port = (uint16_t)out;
	}
	br->br_c[d->d_reason]++;
}

void
bridge_input(struct bridge *br, struct pkt **pkts, uint16_t n,
    struct bridge_decision *d, uint32_t now)
{
	uint16_t i;
	int restricted = 0;

	/* Once a batch: is any member blocknonip or protected? */
	for (i = 0; i < br->br_nmembers; i++)
		restricted |= (br->br_members[i].bm_flags & BM_BLOCKNONIP) ||
		    br->br_members[i].bm_protected != 0;
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			__builtin_prefetch(pkts[i + 1]->data);
		bridge_decide(br, pkts[i], &d[i], now, restricted);
	}
}

/*
 * Members a flooded frame p goes to: all but the one it came in on; for
 * an unknown unicast destination only those marked DISCOVER; none that
 * shares a protected domain with it; and a frame that is not IP, ARP or
 * RARP not to a blocknonip member (bridge_broadcast()).
 */
int
bridge_flood_ports(const struct bridge *br, const struct pkt *p,
    int unknown, uint16_t *out)
{
	const struct bridge_member *in = NULL;
	int i, n = 0, ip = -1;

	for (i = 0; i < br->br_nmembers; i++)
		if (br->br_members[i].bm_port == p->in_port)
			in = &br->br_members[i];
	for (i = 0; i < br->br_nmembers; i++) {
		const struct bridge_member *bm = &br->br_members[i];

		if (bm == in)
			continue;
		if (unknown && !(bm->bm_flags & BM_DISCOVER))
			continue;
		if (in != NULL && (bm->bm_protected & in->bm_protected))
			continue;
		if (bm->bm_flags & BM_BLOCKNONIP) {
			if (ip < 0)
				ip = ether_is_ip_like(p->data, p->len);
			if (!ip)
				continue;
		}
		out[n++] = bm->bm_port;
	}
	return n;
}

/* Trace text: what the bridge decided and why. */
const char *
bridge_decision_str(const struct bridge_decision *d, char *buf, int len)
{
	static const char *const learn[] = {
		[FDB_REFRESHED] = "source known",
		[FDB_LEARNED] = "source learned",
		[FDB_MOVED] = "source moved here",
		[FDB_FULL] = "source not learned (cache full)",
		[FDB_STATIC_HELD] = "source held by a static entry",
	};
	const char *l = d->d_learn <= FDB_STATIC_HELD ? learn[d->d_learn] :
	    "no learning on this member";

	switch (d->d_verdict) {
	case BR_UNICAST:
		snprintf(buf, len, "%s; destination known: unicast", l);
		break;
	case BR_FLOOD:
		snprintf(buf, len, "%s; %s: flood", l, d->d_unknown ?
		    "destination unknown" : "broadcast/multicast destination");
		break;
	default:
		snprintf(buf, len, "%s; drop (%s)", l,
		    bridge_counter_names[d->d_reason]);
		break;
	}
	return buf;
}

/*
 * Protected domain ids as ifconfig(8) takes them ("1,2,31") into a mask,
 * domain d as bit d - 1; -1 if one is not a number from 1 to 31.
 */
int
bridge_parse_protected(const char *s, uint32_t *mask)
{
	unsigned long id;
	char *end;

	*mask = 0;
	for (;;) {
		if (!isdigit((unsigned char)*s))
			return -1;
		id = strtoul(s, &end, 10);
		if (id < 1 || id > BRIDGE_MAX_PROTECTED)
			return -1;
		*mask |= 1u << (id - 1);
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

/* The member flag an ifconfig option sets or clears ("learn", "-learn",
 * "discover", "blocknonip", ...), or 0. */
uint16_t
bridge_member_bit(const char *opt)
{
	if (*opt == '-')
		opt++;
	if (strcmp(opt, "learn") == 0)
		return BM_LEARNING;
	if (strcmp(opt, "discover") == 0)
		return BM_DISCOVER;
	if (strcmp(opt, "blocknonip") == 0)
		return BM_BLOCKNONIP;
	return 0;
}

/* ether_aton(): six hex bytes, one or two digits each, ':' between. */
static int
rule_mac(const char *text, uint8_t *mac)
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
	    &b[3], &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

/*
 * ifconfig's rule syntax after the word "rule":
 *   block | pass  in | out | in/out  on IF  [src MAC] [dst MAC]
 *   [tag NAME] [arp | rarp [request | reply] [sha MAC] [spa ADDR]
 *   [tha MAC] [tpa ADDR]]
 * into r (r->dir may hold both directions; bridge_rule_add() splits it)
 * and the member's name.  0, or -1 - i where word i is wrong (err says
 * what was expected there).
 */
int
bridge_rule_parse(int argc, char **argv, struct bridge_rule *r, char *ifname,
    size_t iflen, char *err, size_t errlen)
{
	struct in_addr in;
	int i = 0;

	memset(r, 0, sizeof(*r));
	if (argc < 4 || (strcmp(argv[0], "block") != 0 &&
	    strcmp(argv[0], "pass") != 0)) {
		snprintf(err, errlen, "rule: expected block or pass, then in, "
		    "out or in/out, then on and an interface");
		return -1;
	}
	r->block = argv[0][0] == 'b';
	if (strcmp(argv[1], "in") == 0)
		r->dir = BR_RULE_IN;
	else if (strcmp(argv[1], "out") == 0)
		r->dir = BR_RULE_OUT;
	else if (strcmp(argv[1], "in/out") == 0)
		r->dir = BR_RULE_IN | BR_RULE_OUT;
	else {
		snprintf(err, errlen, "rule: expected in, out or in/out");
		return -2;
	}
	if (strcmp(argv[2], "on") != 0) {
		snprintf(err, errlen, "rule: expected on");
		return -3;
	}
	snprintf(ifname, iflen, "%s", argv[3]);
	for (i = 4; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int arp = r->match & (BR_RULE_ARP | BR_RULE_RARP);

		if (strcmp(w, "arp") == 0 || strcmp(w, "rarp") == 0) {
			if (arp)
				goto bad;
			r->match |= w[0] == 'a' ? BR_RULE_ARP : BR_RULE_RARP;
			continue;
		}
		if (arp && (strcmp(w, "request") == 0 ||
		    strcmp(w, "reply") == 0)) {
			r->match |= w[2] == 'q' ? BR_RULE_REQUEST :
			    BR_RULE_REPLY;
			continue;
		}
		if (v == NULL)
			goto bad;
		i++;
		if (strcmp(w, "src") == 0 && rule_mac(v, r->src) == 0)
			r->match |= BR_RULE_SRC;
		else if (strcmp(w, "dst") == 0 && rule_mac(v, r->dst) == 0)
			r->match |= BR_RULE_DST;
		else if (strcmp(w, "tag") == 0 && strlen(v) < BR_RULE_TAGSIZ)
			snprintf(r->tagname, sizeof(r->tagname), "%s", v);
		else if (arp && strcmp(w, "sha") == 0 && rule_mac(v,
		    r->sha) == 0)
			r->match |= BR_RULE_SHA;
		else if (arp && strcmp(w, "tha") == 0 && rule_mac(v,
		    r->tha) == 0)
			r->match |= BR_RULE_THA;
		else if (arp && (strcmp(w, "spa") == 0 ||
		    strcmp(w, "tpa") == 0) && inet_pton(AF_INET, v,
		    &in) == 1) {
			r->match |= w[0] == 's' ? BR_RULE_SPA : BR_RULE_TPA;
			*(w[0] == 's' ? &r->spa : &r->tpa) = ntohl(in.s_addr);
		} else {
			i--;
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "rule: \"%s\" unexpected here, or its value "
	    "bad (src|dst MAC, tag NAME, arp|rarp [request|reply] "
	    "[sha MAC] [spa ADDR] [tha MAC] [tpa ADDR])", argv[i]);
	return -1 - i;
}

/* Append r to bm's rules, an in/out rule as one in and one out. */
int
bridge_rule_add(struct bridge_member *bm, const struct bridge_rule *r)
{
	struct bridge_rule *n;
	int d, k = 0;

	n = realloc(bm->bm_rules, (bm->bm_nrules + 2) * sizeof(*n));
	if (n == NULL)
		return ENOMEM;
	bm->bm_rules = n;
	for (d = BR_RULE_IN; d <= BR_RULE_OUT; d <<= 1)
		if (r->dir & d) {
			n[bm->bm_nrules + k] = *r;
			n[bm->bm_nrules + k++].dir = (uint8_t)d;
		}
	bm->bm_nrules += (uint16_t)k;
	return 0;
}

void
bridge_rule_flush(struct bridge_member *bm)
{
	free(bm->bm_rules);
	bm->bm_rules = NULL;
	bm->bm_nrules = 0;
}

/* bridge_arpfilter(): r's ARP conditions on frame f. */
static int
rule_arp_matches(const struct bridge_rule *r, const uint8_t *f, uint32_t len)
{
	uint16_t type = ether_get16(f + 12), op;

	if (len < 42 || type != ((r->match & BR_RULE_ARP) ? ETHERTYPE_ARP :
	    ETHERTYPE_REVARP) || ether_get16(f + 14) != 1 ||
	    ether_get16(f + 16) != ETHERTYPE_IP || f[18] != 6 || f[19] != 4)
		return 0;
	op = ether_get16(f + 20);
	if ((r->match & BR_RULE_REQUEST) && op != (type == ETHERTYPE_ARP ? 1 :
	    3))
		return 0;
	if ((r->match & BR_RULE_REPLY) && op != (type == ETHERTYPE_ARP ? 2 :
	    4))
		return 0;
	return !((r->match & BR_RULE_SHA) && memcmp(f + 22, r->sha, 6)) &&
	    !((r->match & BR_RULE_SPA) && ip_get32(f + 28) != r->spa) &&
	    !((r->match & BR_RULE_THA) && memcmp(f + 32, r->tha, 6)) &&
	    !((r->match & BR_RULE_TPA) && ip_get32(f + 38) != r->tpa);
}

/* The first rule of bm for direction dir that frame p meets, or NULL. */
const struct bridge_rule *
bridge_rule_match(const struct bridge_member *bm, int dir,
    const struct pkt *p)
{
	const struct bridge_rule *r;
	int i;

	for (i = 0; i < bm->bm_nrules; i++) {
		r = &bm->bm_rules[i];
		if (r->dir != dir ||
		    ((r->match & BR_RULE_SRC) && memcmp(ether_src(p->data),
		    r->src, 6) != 0) ||
		    ((r->match & BR_RULE_DST) && memcmp(ether_dst(p->data),
		    r->dst, 6) != 0) ||
		    ((r->match & (BR_RULE_ARP | BR_RULE_RARP)) &&
		    !rule_arp_matches(r, p->data, p->len)))
			continue;
		return r;
	}
	return NULL;
}

/* bridge_showrule() of brconfig.c: one rule of member IFNAME. */
void
bridge_rule_print(FILE *out, const struct bridge_rule *r, const char *ifname)
{
	char buf[32];
	struct in_addr in;

	/* ether_ntoa(): no leading zeros, "0:de:ad:be:ef:0". */
#define MAC(m)	(snprintf(buf, sizeof(buf), "%x:%x:%x:%x:%x:%x", (m)[0], \
	    (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]), buf)
	fprintf(out, "%s %s on %s", r->block ? "block" : "pass",
	    r->dir == BR_RULE_IN ? "in" : "out", ifname);
	if (r->match & BR_RULE_SRC)
		fprintf(out, " src %s", MAC(r->src));
	if (r->match & BR_RULE_DST)
		fprintf(out, " dst %s", MAC(r->dst));
	if (r->tagname[0] != '\0')
		fprintf(out, " tag %s", r->tagname);
	if (r->match & BR_RULE_ARP)
		fprintf(out, " arp");
	if (r->match & BR_RULE_RARP)
		fprintf(out, " rarp");
	if (r->match & BR_RULE_REQUEST)
		fprintf(out, " request");
	if (r->match & BR_RULE_REPLY)
		fprintf(out, " reply");
	if (r->match & BR_RULE_SHA)
		fprintf(out, " sha %s", MAC(r->sha));
	if (r->match & BR_RULE_SPA) {
		in.s_addr = htonl(r->spa);
		fprintf(out, " spa %s", inet_ntoa(in));
	}
	if (r->match & BR_RULE_THA)
		fprintf(out, " tha %s", MAC(r->tha));
	if (r->match & BR_RULE_TPA) {
		in.s_addr = htonl(r->tpa);
		fprintf(out, " tpa %s", inet_ntoa(in));
	}
#undef MAC
	fputc('\n', out);
}
