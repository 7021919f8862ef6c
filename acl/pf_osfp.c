/*
 * pf_osfp.c: pf.os(5) read as pfctl reads it, SYNs fingerprinted and
 * matched as pf matches them (see pf_osfp.h).
 *
 * Names: each class (Linux) has versions (2.4), each version subtypes
 * (18); pfctl numbers them in the order it first sees them, from 1, and a
 * rule's `os' is the three numbers packed, 0 standing for "any" at each
 * level.  Signatures are kept in file order and the first that fits a SYN
 * wins, as pf_osfp_find() walks its list; a signature several lines share
 * holds all their OSes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl/pf_osfp.h"

#define OSFP_LEN	32		/* PF_OSFP_LEN */
#define OSFP_MAXOPTS	21		/* options a 64-bit word packs */
#define OSFP_MAXTTL_OFF	40		/* hops a SYN may have crossed */

/* 3 bits an option, the first option in the highest bits used */
#define OPT_NOP		0
#define OPT_WSCALE	1
#define OPT_MSS		2
#define OPT_SACK	3
#define OPT_TS		4
#define OPT_BITS	3

#define F_WSIZE_MOD	0x0001		/* window: a multiple of wsize */
#define F_WSIZE_DC	0x0002		/* window: any */
#define F_WSIZE_MSS	0x0004		/* window: wsize times the MSS */
#define F_WSIZE_MTU	0x0008		/* window: wsize times MSS + 40 */
#define F_PSIZE_MOD	0x0010
#define F_PSIZE_DC	0x0020
#define F_WSCALE_MOD	0x0040
#define F_WSCALE_DC	0x0080
#define F_MSS_MOD	0x0100
#define F_MSS_DC	0x0200
#define F_DF		0x0400
#define F_TS0		0x0800		/* a timestamp option of 0 */
#define F_INET6		0x1000

/* "Smart" NAT boxes and DSL routers set the MSS their link wants. */
#define SMART_MSS	1460
#define MTU_OFF		40		/* IPv4 + TCP headers */

#define PACK(c, v, s)	((uint32_t)(c) << 20 | (uint32_t)(v) << 10 | (s))
#define CLASS(os)	((os) >> 20 & 0x3ff)
#define VERSION(os)	((os) >> 10 & 0x3ff)
#define SUBTYPE(os)	((os) & 0x3ff)

struct osfp_name {
	char		  name[OSFP_LEN];
	int		  num;
	struct osfp_name **sub;		/* versions, or subtypes */
	size_t		  nsub;
	int		  lastnum;	/* the last number given in sub */
};

struct osfp_os {
	uint32_t	 os;
	char		 nm[3][OSFP_LEN];	/* class, version, subtype */
};

struct osfp_sig {
	uint64_t	 tcpopts;
	uint16_t	 wsize, psize, mss, flags;
	uint8_t		 optcnt, wscale, ttl;
	struct osfp_os	*os;
	size_t		 nos;
};

struct acl_osfp_db {
	struct osfp_name classes;	/* the root: its sub are classes */
	struct osfp_sig	*sig;
	size_t		 nsig;
	size_t		 count;		/* pfctl's fingerprint_count */
};

/* what a line of the file says before its names are numbered */
struct osfp_line {
	struct osfp_sig	 sig;
	char		 nm[3][OSFP_LEN];
};

struct acl_osfp_db *
acl_osfp_new(void)
{
	return calloc(1, sizeof(struct acl_osfp_db));
}

static void
name_free(struct osfp_name *n)
{
	size_t i;

	for (i = 0; i < n->nsub; i++) {
		name_free(n->sub[i]);
		free(n->sub[i]);
	}
	free(n->sub);
	n->sub = NULL;
	n->nsub = 0;
}

static void
osfp_clear(struct acl_osfp_db *db)
{
	size_t i;

	name_free(&db->classes);
	db->classes.lastnum = 0;
	for (i = 0; i < db->nsig; i++)
		free(db->sig[i].os);
	free(db->sig);
	db->sig = NULL;
	db->nsig = 0;
	db->count = 0;
}

void
acl_osfp_free(struct acl_osfp_db *db)
{
	if (db == NULL)
		return;
	osfp_clear(db);
	free(db);
}

size_t
acl_osfp_count(const struct acl_osfp_db *db)
{
	return db != NULL ? db->count : 0;
}

/* ---- names --------------------------------------------------------------- */

static struct osfp_name *
name_find(const struct osfp_name *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->nsub; i++)
		if (strcasecmp(list->sub[i]->name, name) == 0)
			return list->sub[i];
	return NULL;
}

/* fingerprint_name_entry(): the entry of name in list, numbered */
static struct osfp_name *
name_enter(struct osfp_name *list, const char *name)
{
	struct osfp_name *n, **ns;

	if (name[0] == '\0')
		return NULL;
	if ((n = name_find(list, name)) != NULL)
		return n;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	ns = realloc(list->sub, (list->nsub + 1) * sizeof(*ns));
	if (ns == NULL) {
		free(n);
		return NULL;
	}
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->num = ++list->lastnum;
	list->sub = ns;
	list->sub[list->nsub++] = n;
	return n;
}

static struct osfp_name *
name_by_num(const struct osfp_name *list, int num)
{
	size_t i;

	for (i = 0; i < list->nsub; i++)
		if (list->sub[i]->num == num)
			return list->sub[i];
	return NULL;
}

#define CONNECTOR(c)	((c) == '.' || (c) == ' ' || (c) == '\t' || (c) == '-')

uint32_t
acl_osfp_lookup(const struct acl_osfp_db *db, const char *name)
{
	const struct osfp_name *c, *v, *s;
	const char *rest;
	char cls[OSFP_LEN];
	size_t i, j, len, vlen;

	if (strcasecmp(name, "unknown") == 0)
		return ACL_OSFP_UNKNOWN;
	if (db == NULL)
		return ACL_OSFP_NOMATCH;
	if ((c = name_find(&db->classes, name)) != NULL)
		return PACK(c->num, 0, 0);
	/* "Class Version" or "Class Version Subtype", the last joined to
	 * the version as people write it: Linux 2.2.14, FreeBSD 4.0-STABLE */
	if ((rest = strchr(name, ' ')) == NULL ||
	    (size_t)(rest - name) >= sizeof(cls))
		return ACL_OSFP_NOMATCH;
	snprintf(cls, sizeof(cls), "%.*s", (int)(rest - name), name);
	rest++;
	if ((c = name_find(&db->classes, cls)) == NULL)
		return ACL_OSFP_NOMATCH;
	if ((v = name_find(c, rest)) != NULL)
		return PACK(c->num, v->num, 0);
	len = strlen(rest);
	for (i = 0; i < c->nsub; i++) {
		v = c->sub[i];
		vlen = strlen(v->name);
		if (len < vlen + 2 || !CONNECTOR(rest[vlen]) ||
		    strncasecmp(rest, v->name, vlen) != 0)
			continue;
		for (j = 0; j < v->nsub; j++) {
			s = v->sub[j];
			if (len == vlen + strlen(s->name) + 1 &&
			    strcasecmp(rest + vlen + 1, s->name) == 0)
				return PACK(c->num, v->num, s->num);
		}
	}
	return ACL_OSFP_NOMATCH;
}

void
acl_osfp_name(const struct acl_osfp_db *db, uint32_t os, char *buf,
    size_t len)
{
	const struct osfp_name *c, *v = NULL, *s = NULL;

	if (os == ACL_OSFP_UNKNOWN) {
		snprintf(buf, len, "unknown");
		return;
	}
	if (os == ACL_OSFP_ANY) {
		snprintf(buf, len, "any");
		return;
	}
	if (db == NULL || os == ACL_OSFP_NOMATCH ||
	    (c = name_by_num(&db->classes, CLASS(os))) == NULL ||
	    (VERSION(os) && (v = name_by_num(c, VERSION(os))) == NULL) ||
	    (v != NULL && SUBTYPE(os) &&
	    (s = name_by_num(v, SUBTYPE(os))) == NULL)) {
		snprintf(buf, len, "nomatch");
		return;
	}
	if (v == NULL)
		snprintf(buf, len, "%s", c->name);
	else if (s == NULL)
		snprintf(buf, len, "%s %s", c->name, v->name);
	else	/* 2.4 and 18: 2.4.18; NT and SP4: NT SP4 */
		snprintf(buf, len, "%s %s%c%s", c->name, v->name,
		    strchr(v->name, ' ') == NULL && strchr(v->name, '.') &&
		    isdigit((unsigned char)s->name[0]) ? '.' : ' ', s->name);
}

/* ---- the file -------------------------------------------------------------- */

#define T_DC	0x01		/* '*': any */
#define T_MSS	0x02		/* 'S': times the MSS */
#define T_MTU	0x04		/* 'T': times the MTU */
#define T_MOD	0x08		/* '%': a multiple */

struct osfp_rd {
	const char	*name;		/* the file as the user wrote it */
	int		 lineno;
	const char	*line;		/* for columns */
	FILE		*err;
};

/* "file:line:col: what", col that of at in the line; returns -1 */
static int __attribute__((format(printf, 3, 4)))
rd_err(const struct osfp_rd *rd, const char *at, const char *fmt, ...)
{
	va_list ap;

	fprintf(rd->err, "%s:%d:%d: ", rd->name, rd->lineno,
	    (int)(at - rd->line) + 1);
	va_start(ap, fmt);
	vfprintf(rd->err, fmt, ap);
	va_end(ap);
	fputc('\n', rd->err);
	return -1;
}

/* get_field(): the next ':'-separated field, trimmed; *s moves past it */
static char *
next_field(char **s, const char **at)
{
	char *f = *s, *e;

	while (isspace((unsigned char)*f))
		f++;
	*at = f;
	if ((e = strchr(f, ':')) != NULL) {
		*e = '\0';
		*s = e + 1;
	} else
		*s = f + strlen(f);
	e = f + strlen(f);
	while (e > f && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return f;
}

/* get_int(): a number, perhaps after one of the modifiers allowed */
static int
get_int(struct osfp_rd *rd, char **s, int *v, int *mod, int allow,
    const char *what, int max)
{
	const char *at;
	char *f = next_field(s, &at), *p;
	long n = 0;

	*v = 0;
	*mod = 0;
	if (*f == '\0')
		return rd_err(rd, at, "empty %s", what);
	p = f;
	switch (*p) {
	case 'S':
		*mod = allow & T_MSS;
		break;
	case 'T':
		*mod = allow & T_MTU;
		break;
	case '*':
		if (p[1] != '\0')
			return rd_err(rd, at, "long '*' %s", what);
		*mod = allow & T_DC;
		if (*mod)
			return 0;
		*mod = allow & T_MOD;
		break;
	case '%':
		*mod = allow & T_MOD;
		break;
	}
	if (strchr("ST*%", *p) != NULL) {
		if (*mod == 0)
			return rd_err(rd, at, "%s does not allow '%c'", what,
			    *p);
		p++;
		if (*p == '\0') {
			if (*mod == T_MOD)
				return rd_err(rd, at, "modulus %s must have "
				    "a value", what);
			return 0;	/* "S": any multiple of the MSS */
		}
	}
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return rd_err(rd, at, "non-digit character in "
			    "%s", what);
		if ((n = n * 10 + (*p - '0')) > max)
			return rd_err(rd, at, "%s value above %d", what, max);
	}
	*v = (int)n;
	return 0;
}

static int
get_str(struct osfp_rd *rd, char **s, char *buf, size_t minlen,
    const char *what)
{
	const char *at;
	char *f = next_field(s, &at);

	if (strlen(f) < minlen)
		return rd_err(rd, at, "too short %s", what);
	snprintf(buf, OSFP_LEN, "%s", f);
	return 0;
}

/* get_tcpopts(): "M*,N,W0,N,N,S,T" into the signature */
static int
get_tcpopts(struct osfp_rd *rd, const char *o, const char *at,
    struct osfp_sig *sig)
{
	size_t i = 0;
	int opt;

	sig->flags |= F_MSS_DC | F_WSCALE_DC;
	if (strcmp(o, ".") == 0)
		return 0;
	while (o[i] != '\0' && sig->optcnt < OSFP_MAXOPTS) {
		switch ((opt = toupper((unsigned char)o[i++]))) {
		case 'N':
			sig->tcpopts = sig->tcpopts << OPT_BITS | OPT_NOP;
			break;
		case 'S':
			sig->tcpopts = sig->tcpopts << OPT_BITS | OPT_SACK;
			break;
		case 'T':
			if (o[i] == '0') {
				sig->flags |= F_TS0;
				i++;
			}
			sig->tcpopts = sig->tcpopts << OPT_BITS | OPT_TS;
			break;
		case 'W':
		case 'M': {
			uint16_t dc = opt == 'W' ? F_WSCALE_DC : F_MSS_DC;
			uint16_t md = opt == 'W' ? F_WSCALE_MOD : F_MSS_MOD;
			long n = 0;

			sig->tcpopts = sig->tcpopts << OPT_BITS |
			    (opt == 'W' ? OPT_WSCALE : OPT_MSS);
			sig->flags &= (uint16_t)~dc;
			if (o[i] == '*' && (o[i + 1] == '\0' || o[i + 1] == ',')) {
				sig->flags |= dc;
				i++;
				break;
			}
			if (o[i] == '%') {
				sig->flags |= md;
				i++;
			}
			do {
				if (!isdigit((unsigned char)o[i]))
					return rd_err(rd, at + i, "unknown "
					    "character in the %c TCP option", opt);
				n = n * 10 + (o[i++] - '0');
				if (n > (opt == 'W' ? 0xff : 0xffff))
					return rd_err(rd, at + i, "%c TCP "
					    "option too large", opt);
			} while (o[i] != ',' && o[i] != '\0');
			if (opt == 'W')
				sig->wscale = (uint8_t)n;
			else
				sig->mss = (uint16_t)n;
			break;
		}
		default:
			return rd_err(rd, at + i - 1, "unknown TCP option "
			    "'%c'", opt);
		}
		sig->optcnt++;
		if (o[i] == '\0')
			break;
		if (o[i] != ',')
			return rd_err(rd, at + i, "',' expected after the "
			    "%c TCP option", opt);
		i++;
	}
	return 0;
}

/* pf_osfp_find_exact() */
static struct osfp_sig *
sig_find_exact(struct acl_osfp_db *db, const struct osfp_sig *f)
{
	size_t i;

	for (i = 0; i < db->nsig; i++) {
		struct osfp_sig *s = &db->sig[i];

		if (s->tcpopts == f->tcpopts && s->wsize == f->wsize &&
		    s->psize == f->psize && s->mss == f->mss &&
		    s->flags == f->flags && s->optcnt == f->optcnt &&
		    s->wscale == f->wscale && s->ttl == f->ttl)
			return s;
	}
	return NULL;
}

/* add_fingerprint() and pf_osfp_add(): number the names, keep the OS */
static int
osfp_add_one(struct acl_osfp_db *db, struct osfp_rd *rd,
    const struct osfp_line *l)
{
	struct osfp_name *c, *v = NULL, *s = NULL;
	struct osfp_sig *sig, *ns;
	struct osfp_os *os;
	uint32_t id;
	size_t i;

	if ((c = name_enter(&db->classes, l->nm[0])) == NULL)
		return -1;
	if (l->nm[1][0] != '\0' &&
	    ((v = name_enter(c, l->nm[1])) == NULL ||
	    (l->nm[2][0] != '\0' && (s = name_enter(v, l->nm[2])) == NULL)))
		return -1;
	id = PACK(c->num, v ? v->num : 0, s ? s->num : 0);
	db->count++;
	if ((sig = sig_find_exact(db, &l->sig)) != NULL) {
		for (i = 0; i < sig->nos; i++)
			if (sig->os[i].os == id &&
			    memcmp(sig->os[i].nm, l->nm, sizeof(l->nm)) == 0) {
				fprintf(rd->err, "%s:%d: duplicate signature "
				    "for %s %s %s\n", rd->name, rd->lineno,
				    l->nm[0], l->nm[1], l->nm[2]);
				return 0;
			}
	} else {
		ns = realloc(db->sig, (db->nsig + 1) * sizeof(*ns));
		if (ns == NULL)
			return -1;
		db->sig = ns;
		sig = &db->sig[db->nsig++];
		*sig = l->sig;
		sig->os = NULL;
		sig->nos = 0;
	}
	if ((os = realloc(sig->os, (sig->nos + 1) * sizeof(*os))) == NULL)
		return -1;
	sig->os = os;
	os = &sig->os[sig->nos++];
	os->os = id;
	memcpy(os->nm, l->nm, sizeof(os->nm));
	return 0;
}

/*
 * A version or subtype "2-4", "18-20" or "2.0-2.4" stands for each number
 * of the range (pfctl's EXPAND()), added besides the range itself.
 */
static int
osfp_expand(struct acl_osfp_db *db, struct osfp_rd *rd,
    const struct osfp_line *l, int field)
{
	const char *f = l->nm[field];
	struct osfp_line t;
	int dot = -1, lo, hi, i = 0;

	if (isdigit((unsigned char)f[0]) && f[1] == '.') {
		dot = f[0] - '0';
		i = 2;
	}
	if (!isdigit((unsigned char)f[i]))
		return 0;
	lo = f[i++] - '0';
	if (isdigit((unsigned char)f[i]))
		lo = lo * 10 + (f[i++] - '0');
	if (f[i++] != '-')
		return 0;
	if (isdigit((unsigned char)f[i]) && f[i + 1] == '.' &&
	    f[i] - '0' == dot)
		i += 2;
	else if (dot != -1)
		return 0;
	if (!isdigit((unsigned char)f[i]))
		return 0;
	hi = f[i++] - '0';
	if (isdigit((unsigned char)f[i]))
		hi = hi * 10 + (f[i++] - '0');
	if (isdigit((unsigned char)f[i]))
		hi = hi * 10 + (f[i++] - '0');
	if (f[i] != '\0')
		return 0;
	t = *l;
	for (; lo <= hi; lo++) {
		if (dot == -1)
			snprintf(t.nm[field], OSFP_LEN, "%d", lo);
		else
			snprintf(t.nm[field], OSFP_LEN, "%d.%d", dot, lo);
		if ((field == 1 && osfp_expand(db, rd, &t, 2) != 0) ||
		    osfp_add_one(db, rd, &t) != 0)
			return -1;
	}
	return 0;
}

static int
osfp_add(struct acl_osfp_db *db, struct osfp_rd *rd, const struct osfp_line *l)
{
	if (osfp_expand(db, rd, l, 1) != 0 || osfp_expand(db, rd, l, 2) != 0)
		return -1;
	return osfp_add_one(db, rd, l);
}

/* One line of pf.os: 0 done or skipped (reported), -1 out of memory. */
static int
osfp_line(struct acl_osfp_db *db, struct osfp_rd *rd, char *s)
{
	struct osfp_line l;
	char *cls;
	const char *at, *opts, *optsat;
	int w, wmod, ttl, df, ps, pmod, nomod;

	memset(&l, 0, sizeof(l));
	if (get_int(rd, &s, &w, &wmod, T_DC | T_MSS | T_MTU | T_MOD,
	    "window size", 0xffff) != 0 ||
	    get_int(rd, &s, &ttl, &nomod, 0, "ttl", 0xff) != 0 ||
	    get_int(rd, &s, &df, &nomod, 0, "don't fragment flag", 1) != 0 ||
	    get_int(rd, &s, &ps, &pmod, T_DC | T_MOD, "overall packet size",
	    8192) != 0)
		return 0;
	/* the fields after it end it with a NUL: it stays as it is */
	opts = next_field(&s, &optsat);
	if (opts[0] == '\0') {
		rd_err(rd, optsat, "too short TCP options");
		return 0;
	}
	if (get_str(rd, &s, l.nm[0], 1, "OS class") != 0 ||
	    get_str(rd, &s, l.nm[1], 0, "OS version") != 0 ||
	    get_str(rd, &s, l.nm[2], 0, "OS subtype") != 0)
		return 0;
	at = s;
	if (strchr(s, ':') != NULL) {
		rd_err(rd, strchr(s, ':'), "excess field");
		return 0;
	}
	while (isspace((unsigned char)*at))
		at++;
	if (strlen(at) < 2) {
		rd_err(rd, at, "too short OS description");
		return 0;
	}
	if (get_tcpopts(rd, opts, optsat, &l.sig) != 0)
		return 0;
	l.sig.wsize = (uint16_t)w;
	l.sig.ttl = (uint8_t)ttl;
	l.sig.psize = (uint16_t)ps;
	l.sig.flags |= (df ? F_DF : 0) |
	    (wmod == T_DC ? F_WSIZE_DC : wmod == T_MSS ? F_WSIZE_MSS :
	    wmod == T_MTU ? F_WSIZE_MTU : wmod == T_MOD ? F_WSIZE_MOD : 0) |
	    (pmod == T_DC ? F_PSIZE_DC : pmod == T_MOD ? F_PSIZE_MOD : 0);
	/* '@': a generic signature, '*': no detail; the name is the rest */
	cls = l.nm[0];
	if (cls[0] == '@' || cls[0] == '*')
		memmove(cls, cls + 1, strlen(cls));
	if (strcasecmp(cls, "nomatch") == 0) {
		rd_err(rd, rd->line, "fingerprint class \"nomatch\" is "
		    "reserved");
		return 0;
	}
	if (osfp_add(db, rd, &l) != 0)
		return -1;
	/* the same host over IPv6: DF always, the header 20 bytes longer */
	l.sig.flags |= F_DF | F_INET6;
	l.sig.psize += 20;
	return osfp_add(db, rd, &l);
}

int
acl_osfp_read(struct acl_osfp_db *db, const char *path, const char *name,
    FILE *err)
{
	struct osfp_rd rd = { .name = name, .err = err };
	char *line = NULL, *s, *e;
	size_t cap = 0;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	osfp_clear(db);
	while (getline(&line, &cap, f) != -1) {
		rd.lineno++;
		if ((s = strchr(line, '#')) != NULL)
			*s = '\0';
		for (e = line + strlen(line); e > line &&
		    isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		for (s = line; isspace((unsigned char)*s); s++)
			;
		if (*s == '\0')
			continue;
		rd.line = line;
		if (osfp_line(db, &rd, s) != 0) {
			errno = ENOMEM;
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/* ---- packets ---------------------------------------------------------------- */

/* pf_osfp_find(): the first signature that fits, within 40 hops */
static int
sig_fits(const struct osfp_sig *f, const struct osfp_sig *p)
{
	uint32_t mss, unit;

	if (f->tcpopts != p->tcpopts || f->optcnt != p->optcnt ||
	    f->ttl < p->ttl || f->ttl - p->ttl > OSFP_MAXTTL_OFF ||
	    (f->flags & (F_DF | F_TS0)) != (p->flags & (F_DF | F_TS0)))
		return 0;
#define FITS(mod, dc, field)						\
	if (!(f->flags & (dc)) && ((f->flags & (mod)) ?			\
	    (f->field == 0 || p->field % f->field != 0) :		\
	    f->field != p->field))					\
		return 0
	FITS(F_PSIZE_MOD, F_PSIZE_DC, psize);
	FITS(F_MSS_MOD, F_MSS_DC, mss);
	FITS(F_WSCALE_MOD, F_WSCALE_DC, wscale);
#undef FITS
	if (f->flags & F_WSIZE_DC)
		return 1;
	if (f->flags & (F_WSIZE_MSS | F_WSIZE_MTU)) {
		/* the window as so many segments (or MTUs), of the MSS
		 * the SYN gives or of the one a smart box would set */
		if ((mss = p->mss) == 0)
			return 0;
		unit = (f->flags & F_WSIZE_MSS) ? 0 : MTU_OFF;
		return (p->wsize % (mss + unit) == 0 &&
		    p->wsize / (mss + unit) == f->wsize) ||
		    (p->wsize % (SMART_MSS + unit) == 0 &&
		    p->wsize / (SMART_MSS + unit) == f->wsize);
	}
	if (f->flags & F_WSIZE_MOD)
		return f->wsize != 0 && p->wsize % f->wsize == 0;
	return f->wsize == p->wsize;
}

uint16_t
acl_osfp_fingerprint(const struct acl_osfp_db *db, int af, const uint8_t *ip,
    const uint8_t *tcp, size_t tcplen)
{
	struct osfp_sig p;
	size_t off, olen, cnt, i;
	const uint8_t *o;

	if (db == NULL || db->nsig == 0 || tcplen < 20)
		return 0;
	if ((tcp[13] & 0x12) != 0x02)		/* SYN without ACK */
		return 0;
	memset(&p, 0, sizeof(p));
	if (af == 4) {
		if ((ip[6] & 0x1f) != 0 || ip[7] != 0)	/* a later fragment */
			return 0;
		p.psize = (uint16_t)(ip[2] << 8 | ip[3]);
		p.ttl = ip[8];
		if (ip[6] & 0x40)
			p.flags |= F_DF;
	} else {
		p.psize = (uint16_t)(40 + (ip[4] << 8 | ip[5]));
		p.ttl = ip[7];
		p.flags |= F_DF | F_INET6;
	}
	p.wsize = (uint16_t)(tcp[14] << 8 | tcp[15]);
	off = (size_t)(tcp[12] >> 4) * 4;
	if (off < 20 || off > tcplen)
		return 0;
	cnt = off - 20;
	o = tcp + 20;
	for (; cnt > 0; cnt -= olen, o += olen) {
		if (o[0] == 0)			/* end of options */
			break;
		p.optcnt++;
		if (o[0] == 1) {
			p.tcpopts = p.tcpopts << OPT_BITS | OPT_NOP;
			olen = 1;
			continue;
		}
		if (cnt < 2 || (olen = o[1]) > cnt || olen < 2)
			return 0;
		switch (o[0]) {
		case 2:
			if (olen >= 4)
				p.mss = (uint16_t)(o[2] << 8 | o[3]);
			p.tcpopts = p.tcpopts << OPT_BITS | OPT_MSS;
			break;
		case 3:
			if (olen >= 3)
				p.wscale = o[2];
			p.tcpopts = p.tcpopts << OPT_BITS | OPT_WSCALE;
			break;
		case 4:
			p.tcpopts = p.tcpopts << OPT_BITS | OPT_SACK;
			break;
		case 8:
			if (olen >= 10 && (o[2] | o[3] | o[4] | o[5]) == 0)
				p.flags |= F_TS0;
			p.tcpopts = p.tcpopts << OPT_BITS | OPT_TS;
			break;
		default:		/* an option pf.os cannot say */
			return 0;
		}
	}
	for (i = 0; i < db->nsig; i++)
		if (sig_fits(&db->sig[i], &p))
			return (uint16_t)(i + 1);
	return 0;
}

int
acl_osfp_match(const struct acl_osfp_db *db, uint16_t fp, uint32_t os)
{
	const struct osfp_sig *s;
	size_t i;

	if (os == ACL_OSFP_ANY)
		return 1;
	if (fp == 0 || db == NULL || fp > db->nsig)
		return os == ACL_OSFP_UNKNOWN;
	s = &db->sig[fp - 1];
	for (i = 0; i < s->nos; i++) {
		uint32_t e = s->os[i].os;

		if ((CLASS(os) == 0 || CLASS(os) == CLASS(e)) &&
		    (VERSION(os) == 0 || VERSION(os) == VERSION(e)) &&
		    (SUBTYPE(os) == 0 || SUBTYPE(os) == SUBTYPE(e)))
			return 1;
	}
	return 0;
}

void
acl_osfp_describe(const struct acl_osfp_db *db, uint16_t fp, char *buf,
    size_t len)
{
	const struct osfp_sig *s;
	size_t i, n = 0;
	char nm[3 * OSFP_LEN + 2];

	if (fp == 0 || db == NULL || fp > db->nsig) {
		snprintf(buf, len, "unknown");
		return;
	}
	s = &db->sig[fp - 1];
	buf[0] = '\0';
	for (i = 0; i < s->nos; i++) {	/* in file order */
		acl_osfp_name(db, s->os[i].os, nm, sizeof(nm));
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    i > 0 ? ", " : "", nm);
		if (n >= len)
			break;
	}
}

static int
name_cmp(const void *a, const void *b)
{
	const struct osfp_name *const *x = a, *const *y = b;

	return strcasecmp((*x)->name, (*y)->name);
}

static void
show_names(const struct osfp_name *list, const char *prefix, FILE *out)
{
	struct osfp_name **v;
	char np[3 * OSFP_LEN + 4];
	size_t i;

	if (list->nsub == 0 ||
	    (v = malloc(list->nsub * sizeof(*v))) == NULL)
		return;
	memcpy(v, list->sub, list->nsub * sizeof(*v));
	qsort(v, list->nsub, sizeof(*v), name_cmp);
	for (i = 0; i < list->nsub; i++) {
		snprintf(np, sizeof(np), "%s%s\t", prefix, v[i]->name);
		fprintf(out, "%s\n", np);
		show_names(v[i], np, out);
	}
	free(v);
}

void
acl_osfp_show(const struct acl_osfp_db *db, FILE *out)
{
	if (db == NULL || db->classes.nsub == 0)
		return;
	fprintf(out, "Class\tVersion\tSubtype(subversion)\n");
	fprintf(out, "-----\t-------\t-------------------\n");
	show_names(&db->classes, "", out);
}
