/*
 * Reading the configuration directory (see conf.h).
 *
 * Two small grammars share one tokenizer: hostname.IF files, where each
 * line is a list of ifconfig(8) arguments (netstart runs `ifconfig IF
 * LINE`), and vm.conf(5), a braced block language.  Every problem is
 * printed with its position and counted; conf_load() fails if any was
 * found, after reading everything, so one run shows all mistakes.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/conf.h"
#include "fwd/bridge.h"
#include "fwd/dnsname.h"
#include "fwd/nd6.h"

enum tok_type { T_EOF, T_NL, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_EQ };

struct tok {
	enum tok_type	 type;
	char		 text[512];
	struct conf_pos	 pos;
};

struct lex {
	struct conf	*c;
	const char	*file;
	const char	*buf;
	size_t		 len;
	size_t		 off;
	int		 line;
	int		 col;
	int		 braces;	/* vm.conf: { } and = are tokens */
	struct tok	 peeked;
	int		 has_peek;
};

static void
conf_msg(struct conf *c, const struct conf_pos *pos, const char *what,
    const char *fmt, va_list ap)
{
	if (c->err == NULL)
		return;
	if (pos != NULL && pos->line > 0)
		fprintf(c->err, "%s:%d:%d: %s", pos->file, pos->line, pos->col,
		    what);
	else if (pos != NULL)
		fprintf(c->err, "%s: %s", pos->file, what);
	vfprintf(c->err, fmt, ap);
	fputc('\n', c->err);
}

static void __attribute__((format(printf, 3, 4)))
conf_err(struct conf *c, const struct conf_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_msg(c, pos, "", fmt, ap);
	va_end(ap);
	c->errors++;
}

static void __attribute__((format(printf, 3, 4)))
conf_warn(struct conf *c, const struct conf_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_msg(c, pos, "warning: ", fmt, ap);
	va_end(ap);
	c->warnings++;
}

static const char *
conf_intern(struct conf *c, const char *path)
{
	if (c->nfiles == (int)(sizeof(c->files) / sizeof(c->files[0])))
		return c->files[c->nfiles - 1];
	c->files[c->nfiles] = strdup(path);
	return c->files[c->nfiles] ? c->files[c->nfiles++] : "?";
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
		if (n < 4096)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static int
lex_getc(struct lex *lx)
{
	int ch;

	if (lx->off >= lx->len)
		return EOF;
	ch = (unsigned char)lx->buf[lx->off++];
	if (ch == '\n') {
		lx->line++;
		lx->col = 1;
	} else
		lx->col++;
	return ch;
}

static int
lex_peekc(struct lex *lx)
{
	return lx->off < lx->len ? (unsigned char)lx->buf[lx->off] : EOF;
}

static int
lex_is_word(int ch, int braces)
{
	if (ch == EOF || isspace(ch) || ch == '#' || ch == '"')
		return 0;
	if (braces && (ch == '{' || ch == '}' || ch == '=' || ch == ';' ||
	    ch == ','))
		return 0;
	return 1;
}

static void
lex_next(struct lex *lx, struct tok *t)
{
	size_t n = 0;
	int ch;

	if (lx->has_peek) {
		*t = lx->peeked;
		lx->has_peek = 0;
		return;
	}
	for (;;) {
		ch = lex_peekc(lx);
		if (ch == '\\' && lx->off + 1 < lx->len &&
		    lx->buf[lx->off + 1] == '\n') {
			lex_getc(lx);
			lex_getc(lx);
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r' ||
		    (lx->braces && (ch == ',')))
			lex_getc(lx);
		else if (ch == '#') {
			while ((ch = lex_peekc(lx)) != EOF && ch != '\n')
				lex_getc(lx);
		} else
			break;
	}
	t->pos.file = lx->file;
	t->pos.line = lx->line;
	t->pos.col = lx->col;
	t->text[0] = '\0';
	ch = lex_getc(lx);
	if (ch == EOF) {
		t->type = T_EOF;
		return;
	}
	if (ch == '\n' || (lx->braces && ch == ';')) {
		t->type = T_NL;
		return;
	}
	if (lx->braces && ch == '{') {
		t->type = T_LBRACE;
		strcpy(t->text, "{");
		return;
	}
	if (lx->braces && ch == '}') {
		t->type = T_RBRACE;
		strcpy(t->text, "}");
		return;
	}
	if (lx->braces && ch == '=') {
		t->type = T_EQ;
		strcpy(t->text, "=");
		return;
	}
	if (ch == '"') {
		t->type = T_STRING;
		while ((ch = lex_getc(lx)) != '"') {
			if (ch == EOF || ch == '\n') {
				conf_err(lx->c, &t->pos,
				    "unterminated quoted string");
				break;
			}
			if (n + 1 < sizeof(t->text))
				t->text[n++] = (char)ch;
		}
		t->text[n] = '\0';
		return;
	}
	t->type = T_WORD;
	t->text[n++] = (char)ch;
	while (lex_is_word(lex_peekc(lx), lx->braces)) {
		ch = lex_getc(lx);
		if (n + 1 < sizeof(t->text))
			t->text[n++] = (char)ch;
	}
	t->text[n] = '\0';
}

static void
lex_peek(struct lex *lx, struct tok *t)
{
	if (!lx->has_peek) {
		lex_next(lx, &lx->peeked);
		lx->has_peek = 1;
	}
	*t = lx->peeked;
}

int
conf_parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
	    &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v > max)
		return -1;
	return 0;
}

/* OpenBSD interface names: letters, then a unit number. */
static int
valid_ifname(const char *s)
{
	const char *p = s;

	if (strlen(s) >= CONF_NAMESIZ || !isalpha((unsigned char)*p))
		return 0;
	while (isalpha((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

static int
is_bridge_name(const char *s)
{
	return strncmp(s, "bridge", 6) == 0 || strncmp(s, "veb", 3) == 0;
}

static int
is_vlan_name(const char *s)
{
	return strncmp(s, "vlan", 4) == 0 && isdigit((unsigned char)s[4]);
}

/*
 * The next entry of one of struct conf's tables (c->FIELD[], counted in
 * c->nFIELD), cleared, or NULL when it is full, with the error said.
 */
static void *
conf_next(struct conf *c, const struct conf_pos *pos, void *base,
    size_t size, int *n, int max, const char *what)
{
	void *e;

	if (*n == max) {
		conf_err(c, pos, "too many %s", what);
		return NULL;
	}
	e = (char *)base + (size_t)(*n)++ * size;
	memset(e, 0, size);
	return e;
}
#define CONF_NEXT(c, pos, field, what)					\
	conf_next((c), (pos), (c)->field, sizeof((c)->field[0]),	\
	    &(c)->n##field, (int)(sizeof((c)->field) /			\
	    sizeof((c)->field[0])), (what))

static int
is_pflow_name(const char *s)
{
	return strncmp(s, "pflow", 5) == 0 && isdigit((unsigned char)s[5]);
}

/*
 * pflow(4)'s options, as ifconfig(8) takes them in hostname.pflowN or
 * on the command line: flowsrc ADDR, flowdst ADDR:PORT, pflowproto 5 or
 * 10, -flowsrc, -flowdst, up, down.  0, or -1 with why in err and the word
 * at fault in *bad.
 */
int
conf_pflow_set(struct conf_pflow *pf, int argc, char **argv, int *bad,
    char *err, size_t errlen)
{
	struct in_addr in;
	unsigned long port;
	char host[64], *colon;
	int i;

	for (i = 0; i < argc; i++) {
		*bad = i;
		if (strcmp(argv[i], "up") == 0)
			pf->up = 1;
		else if (strcmp(argv[i], "down") == 0)
			pf->up = 0;
		else if (strcmp(argv[i], "-flowsrc") == 0)
			pf->src = 0;
		else if (strcmp(argv[i], "-flowdst") == 0) {
			pf->dst = 0;
			pf->port = 0;
		} else if (i + 1 == argc && (strcmp(argv[i], "flowsrc") == 0 ||
		    strcmp(argv[i], "flowdst") == 0 ||
		    strcmp(argv[i], "pflowproto") == 0)) {
			snprintf(err, errlen, "%s: expected %s", argv[i],
			    argv[i][4] == 's' ? "an address" : argv[i][4] ==
			    'd' ? "an address:port" : "a version");
			return -1;
		} else if (strcmp(argv[i], "flowsrc") == 0) {
			*bad = ++i;
			if (inet_pton(AF_INET, argv[i], &in) != 1) {
				snprintf(err, errlen, "flowsrc \"%s\": expected "
				    "an IPv4 address", argv[i]);
				return -1;
			}
			pf->src = in.s_addr;
		} else if (strcmp(argv[i], "flowdst") == 0) {
			*bad = ++i;
			snprintf(host, sizeof(host), "%s", argv[i]);
			if ((colon = strrchr(host, ':')) == NULL ||
			    (*colon = '\0', inet_pton(AF_INET, host, &in)) !=
			    1 || parse_uint(colon + 1, 65535, &port) != 0 ||
			    port == 0) {
				snprintf(err, errlen, "flowdst \"%s\": expected "
				    "an IPv4 address:port", argv[i]);
				return -1;
			}
			pf->dst = in.s_addr;
			pf->port = (uint16_t)port;
		} else if (strcmp(argv[i], "pflowproto") == 0) {
			*bad = ++i;
			if (strcmp(argv[i], "5") != 0 &&
			    strcmp(argv[i], "10") != 0) {
				snprintf(err, errlen, "pflowproto \"%s\": "
				    "expected 5 (NetFlow) or 10 (IPFIX)",
				    argv[i]);
				return -1;
			}
			pf->proto = (uint8_t)atoi(argv[i]);
		} else {
			snprintf(err, errlen, "unknown pflow option \"%s\", "
			    "expected flowsrc, flowdst, pflowproto, up or down",
			    argv[i]);
			return -1;
		}
	}
	return 0;
}


/* ---- hostname.IF ------------------------------------------------------ */

struct hline {
	struct tok	 t[32];
	int		 n;
	int		 i;
};

static struct tok *
hline_arg(struct conf *c, struct hline *hl, const char *kw, const char *what)
{
	if (hl->i >= hl->n) {
		conf_err(c, &hl->t[hl->i - 1].pos, "%s needs %s", kw, what);
		return NULL;
	}
	return &hl->t[hl->i++];
}

static struct conf_member *
bridge_find_member(struct conf_bridge *b, const char *ifname)
{
	int i;

	for (i = 0; i < b->nmembers; i++)
		if (strcmp(b->members[i].ifname, ifname) == 0)
			return &b->members[i];
	return NULL;
}

static int
parse_inet(struct conf *c, struct hline *hl, struct conf_if *ci)
{
	struct tok *a, *m;
	struct in_addr in;
	char addr[64], *slash;
	unsigned long plen = 32;
	uint32_t mask;

	if ((a = hline_arg(c, hl, "inet", "an address")) == NULL)
		return -1;
	if (strcmp(a->text, "alias") == 0 &&
	    (a = hline_arg(c, hl, "inet alias", "an address")) == NULL)
		return -1;
	snprintf(addr, sizeof(addr), "%s", a->text);
	if ((slash = strchr(addr, '/')) != NULL) {
		*slash++ = '\0';
		if (parse_uint(slash, 32, &plen) != 0) {
			conf_err(c, &a->pos, "bad prefix length \"%s\", "
			    "expected 0 to 32", slash);
			return -1;
		}
	}
	if (inet_pton(AF_INET, addr, &in) != 1) {
		conf_err(c, &a->pos, "bad IPv4 address \"%s\"", addr);
		return -1;
	}
	if (slash == NULL && hl->i < hl->n) {
		m = &hl->t[hl->i];
		if (strcmp(m->text, "netmask") == 0) {
			hl->i++;
			if ((m = hline_arg(c, hl, "netmask", "a mask")) == NULL)
				return -1;
		} else
			hl->i++;
		if (strncmp(m->text, "0x", 2) == 0)
			mask = (uint32_t)strtoul(m->text, NULL, 16);
		else {
			struct in_addr mi;

			if (inet_pton(AF_INET, m->text, &mi) != 1) {
				conf_err(c, &m->pos, "bad netmask \"%s\", "
				    "expected a dotted or 0x mask", m->text);
				return -1;
			}
			mask = ntohl(mi.s_addr);
		}
		plen = (unsigned long)__builtin_popcount(mask);
		if (mask != (plen ? ~0U << (32 - plen) : 0)) {
			conf_err(c, &m->pos, "netmask \"%s\" is not contiguous",
			    m->text);
			return -1;
		}
	}
	/* Optional broadcast address, computed anyway. */
	if (hl->i < hl->n && (strcmp(hl->t[hl->i].text, "broadcast") == 0))
		hl->i += 2;
	else if (hl->i < hl->n && (strcmp(hl->t[hl->i].text, "NONE") == 0 ||
	    isdigit((unsigned char)hl->t[hl->i].text[0])))
		hl->i++;
	if (ci->naddrs == CONF_MAX_ADDRS) {
		conf_err(c, &a->pos, "too many addresses on %s (at most %d)",
		    ci->name, CONF_MAX_ADDRS);
		return -1;
	}
	ci->addrs[ci->naddrs].addr = in.s_addr;
	ci->addrs[ci->naddrs].plen = (uint8_t)plen;
	ci->addrs[ci->naddrs].pos = a->pos;
	ci->naddrs++;
	return 0;
}

/*
 * inet6 [alias] ADDRESS [[prefixlen] PREFIXLEN] or ADDRESS/PREFIXLEN, as
 * ifconfig(8) takes it in hostname.if(5); the prefix length defaults to
 * 64, as ifconfig's does.  The link-local address is not written: every
 * interface with an IPv6 address gets fe80::/64 from its MAC, as OpenBSD
 * configures it when inet6 is enabled.
 */
static int
parse_inet6(struct conf *c, struct hline *hl, struct conf_if *ci)
{
	struct tok *a, *l;
	struct conf_addr6 *ca;
	char addr[64], *slash;
	unsigned long plen = 64;

	if ((a = hline_arg(c, hl, "inet6", "an address")) == NULL)
		return -1;
	if (strcmp(a->text, "alias") == 0 &&
	    (a = hline_arg(c, hl, "inet6 alias", "an address")) == NULL)
		return -1;
	if (strcmp(a->text, "autoconf") == 0) {
		/* slaacd(8)'s job: addresses and a default router from
		 * router advertisements (dataplane/router6.c) */
		ci->autoconf6 = 1;
		hl->i = hl->n;
		return 0;
	}
	if (strcmp(a->text, "eui64") == 0 ||
	    strcmp(a->text, "temporary") == 0) {
		conf_warn(c, &a->pos, "inet6 %s is not enforced by sluice "
		    "(no SLAAC: give addresses as inet6 ADDRESS PREFIXLEN)",
		    a->text);
		hl->i = hl->n;
		return -1;
	}
	snprintf(addr, sizeof(addr), "%s", a->text);
	if ((slash = strchr(addr, '/')) != NULL) {
		*slash++ = '\0';
		if (parse_uint(slash, 128, &plen) != 0 || plen == 0) {
			conf_err(c, &a->pos, "bad prefix length \"%s\", "
			    "expected 1 to 128", slash);
			hl->i = hl->n;
			return -1;
		}
	}
	if (ci->naddrs6 == CONF_MAX_ADDRS) {
		conf_err(c, &a->pos, "too many inet6 addresses on %s (at most "
		    "%d)", ci->name, CONF_MAX_ADDRS);
		return -1;
	}
	ca = &ci->addrs6[ci->naddrs6];
	if (inet_pton(AF_INET6, addr, ca->addr) != 1) {
		conf_err(c, &a->pos, "bad IPv6 address \"%s\", expected "
		    "inet6 ADDRESS PREFIXLEN or ADDRESS/PREFIXLEN", addr);
		hl->i = hl->n;		/* its prefix length goes with it */
		return -1;
	}
	if (ca->addr[0] == 0xff || (ca->addr[0] == 0xfe &&
	    (ca->addr[1] & 0xc0) == 0x80) || IN6_IS_ADDR_UNSPECIFIED(
	    (struct in6_addr *)ca->addr) || IN6_IS_ADDR_LOOPBACK(
	    (struct in6_addr *)ca->addr)) {
		conf_err(c, &a->pos, "inet6 %s: expected a unicast global "
		    "or unique local address (the link-local one is made "
		    "from the MAC)", addr);
		hl->i = hl->n;
		return -1;
	}
	if (slash == NULL && hl->i < hl->n) {
		l = &hl->t[hl->i];
		if (strcmp(l->text, "prefixlen") == 0) {
			hl->i++;
			if ((l = hline_arg(c, hl, "prefixlen", "a length")) ==
			    NULL)
				return -1;
		} else if (isdigit((unsigned char)l->text[0]))
			hl->i++;
		else
			l = NULL;
		if (l != NULL && (parse_uint(l->text, 128, &plen) != 0 ||
		    plen == 0)) {
			conf_err(c, &l->pos, "bad prefix length \"%s\", "
			    "expected 1 to 128", l->text);
			return -1;
		}
	}
	ca->plen = (uint8_t)plen;
	ca->pos = a->pos;
	ci->naddrs6++;
	return 0;
}

/* Options every interface takes; returns 1 if the keyword was one. */
static int
hostname_common(struct conf *c, struct hline *hl, struct tok *kw,
    struct conf_if *ci, int *up)
{
	struct tok *a;

	if (strcmp(kw->text, "up") == 0)
		*up = 1;
	else if (strcmp(kw->text, "down") == 0)
		*up = 0;
	else if (strcmp(kw->text, "description") == 0 ||
	    strcmp(kw->text, "descr") == 0) {
		if ((a = hline_arg(c, hl, kw->text, "a text")) != NULL &&
		    ci != NULL)
			snprintf(ci->descr, sizeof(ci->descr), "%s", a->text);
	} else if (strcmp(kw->text, "lladdr") == 0) {
		if ((a = hline_arg(c, hl, "lladdr", "a MAC address")) == NULL)
			return 1;
		if (strcmp(a->text, "random") == 0)
			return 1;
		if (ci == NULL || conf_parse_mac(a->text, ci->lladdr) != 0)
			conf_err(c, &a->pos, "bad lladdr \"%s\", expected "
			    "xx:xx:xx:xx:xx:xx", a->text);
		else
			ci->has_lladdr = 1;
	} else if (strcmp(kw->text, "inet") == 0 && ci != NULL &&
	    hl->i < hl->n && strcmp(hl->t[hl->i].text, "autoconf") == 0) {
		hl->i++;
		ci->dhcp = 1;		/* OpenBSD 7's spelling of dhcp */
	} else if (strcmp(kw->text, "dhcp") == 0 && ci != NULL) {
		ci->dhcp = 1;
	} else if (strcmp(kw->text, "inet") == 0) {
		if (ci != NULL)
			parse_inet(c, hl, ci);
		else
			conf_err(c, &kw->pos, "inet is not supported here");
	} else if (strcmp(kw->text, "inet6") == 0) {
		if (ci != NULL)
			parse_inet6(c, hl, ci);
		else {
			conf_err(c, &kw->pos, "inet6 is not supported here");
			hl->i = hl->n;
		}
	} else if (strcmp(kw->text, "-inet6") == 0) {
		if (ci != NULL)
			ci->naddrs6 = 0;	/* IPv6 off: no address */
	} else if (strcmp(kw->text, "mtu") == 0 && ci != NULL) {
		unsigned long v;

		if ((a = hline_arg(c, hl, "mtu", "a number")) == NULL)
			return 1;
		if (parse_uint(a->text, 65535, &v) != 0 || v < 576)
			conf_err(c, &a->pos, "mtu \"%s\": expected 576 to "
			    "65535", a->text);
		else
			ci->mtu = (uint32_t)v;
	} else if (strcmp(kw->text, "llprio") == 0 && ci != NULL) {
		unsigned long v;

		if ((a = hline_arg(c, hl, "llprio", "a priority")) == NULL)
			return 1;
		if (parse_uint(a->text, 7, &v) != 0)
			conf_err(c, &a->pos, "llprio \"%s\": expected 0 to 7",
			    a->text);
		else
			ci->llprio = (uint8_t)(v + 1);
	} else if (strcmp(kw->text, "mtu") == 0 ||
	    strcmp(kw->text, "llprio") == 0 ||
	    strcmp(kw->text, "group") == 0 ||
	    strcmp(kw->text, "rdomain") == 0 ||
	    strcmp(kw->text, "txprio") == 0 ||
	    strcmp(kw->text, "rxprio") == 0) {
		if (hline_arg(c, hl, kw->text, "a value") != NULL)
			conf_warn(c, &kw->pos, "%s is not enforced by sluice",
			    kw->text);
	} else if (strcmp(kw->text, "dhcp") == 0 ||
	    strcmp(kw->text, "autoconf") == 0) {
		conf_warn(c, &kw->pos, "%s is not enforced by sluice",
		    kw->text);
		hl->i = hl->n;		/* the rest of the line is its */
	} else
		return 0;
	return 1;
}

/* rule block|pass in|out|in/out on IF ...: the rest of the line. */
static void
bridge_rule_line(struct conf *c, struct conf_bridge *b, struct hline *hl,
    const struct tok *kw)
{
	struct conf_brule *br;
	char *argv[32], err[256];
	int argc = 0, r;

	while (hl->i < hl->n && argc < 32)
		argv[argc++] = hl->t[hl->i++].text;
	if (b->rules == NULL &&
	    (b->rules = calloc(CONF_MAX_BRULES, sizeof(*b->rules))) == NULL) {
		conf_err(c, &kw->pos, "out of memory");
		return;
	}
	if (b->nrules == CONF_MAX_BRULES) {
		conf_err(c, &kw->pos, "too many bridge rules");
		return;
	}
	br = &b->rules[b->nrules];
	if ((r = bridge_rule_parse(argc, argv, &br->rule, br->ifname,
	    sizeof(br->ifname), err, sizeof(err))) != 0) {
		r = -1 - r;
		conf_err(c, r < argc ? &hl->t[hl->i - argc + r].pos :
		    &kw->pos, "%s", err);
		return;
	}
	if (bridge_find_member(b, br->ifname) == NULL) {
		conf_err(c, &hl->t[hl->i - argc + 3].pos, "%s is not a member "
		    "of %s (add it first)", br->ifname, b->name);
		return;
	}
	br->pos = kw->pos;
	b->nrules++;
}

static void
hostname_bridge_line(struct conf *c, struct conf_bridge *b, struct hline *hl)
{
	struct conf_member *m;
	struct tok *kw, *a;
	unsigned long v;
	uint16_t bit;

	while (hl->i < hl->n) {
		kw = &hl->t[hl->i++];
		if (hostname_common(c, hl, kw, NULL, &b->up))
			continue;
		if (strcmp(kw->text, "add") == 0) {
			if ((a = hline_arg(c, hl, "add", "an interface")) ==
			    NULL)
				continue;
			if (!valid_ifname(a->text)) {
				conf_err(c, &a->pos, "bad interface name "
				    "\"%s\"", a->text);
				continue;
			}
			if (bridge_find_member(b, a->text) != NULL) {
				conf_err(c, &a->pos, "%s is already a member "
				    "of %s", a->text, b->name);
				continue;
			}
			if (b->nmembers == BRIDGE_MAX_MEMBERS) {
				conf_err(c, &a->pos, "too many members");
				continue;
			}
			m = &b->members[b->nmembers++];
			snprintf(m->ifname, sizeof(m->ifname), "%s", a->text);
			m->flags = BM_DEFAULT;
			m->pos = a->pos;
		} else if (strcmp(kw->text, "del") == 0 ||
		    strcmp(kw->text, "delete") == 0) {
			if ((a = hline_arg(c, hl, kw->text, "an interface")) ==
			    NULL)
				continue;
			if ((m = bridge_find_member(b, a->text)) == NULL) {
				conf_err(c, &a->pos, "%s is not a member of %s",
				    a->text, b->name);
				continue;
			}
			memmove(m, m + 1, (size_t)(b->members + b->nmembers -
			    m - 1) * sizeof(*m));
			b->nmembers--;
		} else if ((bit = bridge_member_bit(kw->text)) != 0) {
			int off = kw->text[0] == '-';

			if ((a = hline_arg(c, hl, kw->text, "a member")) ==
			    NULL)
				continue;
			if ((m = bridge_find_member(b, a->text)) == NULL) {
				conf_err(c, &a->pos, "%s is not a member of %s "
				    "(add it first)", a->text, b->name);
				continue;
			}
			if (off)
				m->flags &= ~bit;
			else
				m->flags |= bit;
		} else if (strcmp(kw->text, "maxaddr") == 0 ||
		    strcmp(kw->text, "timeout") == 0) {
			if ((a = hline_arg(c, hl, kw->text, "a number")) ==
			    NULL)
				continue;
			if (parse_uint(a->text, UINT32_MAX, &v) != 0) {
				conf_err(c, &a->pos, "%s \"%s\": expected a "
				    "number", kw->text, a->text);
				continue;
			}
			if (kw->text[0] == 'm')
				b->maxaddr = (uint32_t)v;
			else
				b->timeout = (uint32_t)v;
		} else if (strcmp(kw->text, "static") == 0) {
			struct conf_static *s;
			struct tok *mac, *ifn;

			if ((mac = hline_arg(c, hl, "static", "a MAC address "
			    "and a member")) == NULL ||
			    (ifn = hline_arg(c, hl, "static", "a member")) ==
			    NULL)
				continue;
			if (b->nstatic == CONF_MAX_STATIC) {
				conf_err(c, &mac->pos, "too many static "
				    "entries");
				continue;
			}
			s = &b->statics[b->nstatic];
			if (conf_parse_mac(mac->text, s->mac) != 0) {
				conf_err(c, &mac->pos, "bad MAC address "
				    "\"%s\", expected xx:xx:xx:xx:xx:xx",
				    mac->text);
				continue;
			}
			if (bridge_find_member(b, ifn->text) == NULL) {
				conf_err(c, &ifn->pos, "%s is not a member of "
				    "%s", ifn->text, b->name);
				continue;
			}
			snprintf(s->ifname, sizeof(s->ifname), "%s", ifn->text);
			s->pos = mac->pos;
			b->nstatic++;
		} else if (strcmp(kw->text, "protected") == 0 ||
		    strcmp(kw->text, "-protected") == 0) {
			struct tok *ids = NULL;
			uint32_t mask = 0;

			if ((a = hline_arg(c, hl, kw->text, "a member")) ==
			    NULL || (kw->text[0] == 'p' && (ids = hline_arg(c,
			    hl, kw->text, "domain ids")) == NULL))
				continue;
			if ((m = bridge_find_member(b, a->text)) == NULL) {
				conf_err(c, &a->pos, "%s is not a member of %s "
				    "(add it first)", a->text, b->name);
				continue;
			}
			if (ids != NULL && bridge_parse_protected(ids->text,
			    &mask) != 0) {
				conf_err(c, &ids->pos, "protected \"%s\": "
				    "expected ids from 1 to %d, as 1,2",
				    ids->text, BRIDGE_MAX_PROTECTED);
				continue;
			}
			m->protected = mask;
		} else if (strcmp(kw->text, "span") == 0 ||
		    strcmp(kw->text, "-span") == 0) {
			int k;

			if ((a = hline_arg(c, hl, kw->text, "an interface")) ==
			    NULL)
				continue;
			for (k = 0; k < b->nspans; k++)
				if (strcmp(b->spans[k].ifname, a->text) == 0)
					break;
			if (kw->text[0] == '-') {
				if (k < b->nspans)
					b->spans[k] = b->spans[--b->nspans];
				continue;
			}
			if (!valid_ifname(a->text) ||
			    bridge_find_member(b, a->text) != NULL) {
				conf_err(c, &a->pos, "span %s: expected an "
				    "interface that is not a member of %s",
				    a->text, b->name);
				continue;
			}
			if (k == b->nspans && b->nspans == 8) {
				conf_err(c, &a->pos, "too many span ports");
				continue;
			}
			if (k == b->nspans) {
				snprintf(b->spans[k].ifname,
				    sizeof(b->spans[k].ifname), "%s", a->text);
				b->spans[k].pos = a->pos;
				b->nspans++;
			}
		} else if (strcmp(kw->text, "stp") == 0 ||
		    strcmp(kw->text, "-stp") == 0) {
			conf_warn(c, &kw->pos, "%s is not enforced by sluice",
			    kw->text);
			hl->i = hl->n;
		} else if (strcmp(kw->text, "rule") == 0) {
			bridge_rule_line(c, b, hl, kw);
		} else if (strcmp(kw->text, "flushrule") == 0) {
			int k, n = 0;

			if ((a = hline_arg(c, hl, kw->text, "a member")) ==
			    NULL)
				continue;
			for (k = 0; k < b->nrules; k++)
				if (strcmp(b->rules[k].ifname, a->text) != 0)
					b->rules[n++] = b->rules[k];
			b->nrules = n;
		} else if (strcmp(kw->text, "flush") == 0 ||
		    strcmp(kw->text, "flushall") == 0) {
			hl->i = hl->n;
		} else
			conf_err(c, &kw->pos, "unknown bridge option \"%s\", "
			    "expected add, delete, up, down, learn, -learn, "
			    "discover, -discover, blocknonip, -blocknonip, "
			    "protected, -protected, span, -span, maxaddr, "
			    "timeout or static",
			    kw->text);
	}
}

/*
 * txprio and rxprio of a vlan: a priority 0-7, "packet", or for rxprio
 * "outer" too (if_txhprio_l2_check(), if_rxhprio_l2_check()).
 */
static void
hostname_hdrprio(struct conf *c, struct hline *hl, const struct tok *kw,
    int8_t *prio)
{
	int rx = strcmp(kw->text, "rxprio") == 0;
	struct tok *a;
	unsigned long n;

	if ((a = hline_arg(c, hl, kw->text, "a priority")) == NULL)
		return;
	if (strcmp(a->text, "packet") == 0)
		*prio = CONF_HDRPRIO_PACKET;
	else if (rx && strcmp(a->text, "outer") == 0)
		*prio = CONF_HDRPRIO_OUTER;
	else if (parse_uint(a->text, 7, &n) == 0)
		*prio = (int8_t)n;
	else
		conf_err(c, &a->pos, "%s \"%s\": expected 0 to 7%s",
		    kw->text, a->text, rx ? ", packet or outer" :
		    " or packet");
}

static void
hostname_vlan_line(struct conf *c, struct conf_vlan *v, struct conf_if *ci,
    struct hline *hl)
{
	struct tok *kw, *a;
	unsigned long n;

	while (hl->i < hl->n) {
		kw = &hl->t[hl->i++];
		if (strcmp(kw->text, "txprio") == 0) {
			hostname_hdrprio(c, hl, kw, &v->txprio);
			continue;
		}
		if (strcmp(kw->text, "rxprio") == 0) {
			hostname_hdrprio(c, hl, kw, &v->rxprio);
			continue;
		}
		if (hostname_common(c, hl, kw, ci, &v->up))
			continue;
		if (strcmp(kw->text, "vlan") == 0 ||
		    strcmp(kw->text, "vnetid") == 0) {
			if ((a = hline_arg(c, hl, kw->text, "a VLAN id")) ==
			    NULL)
				continue;
			if (parse_uint(a->text, 4094, &n) != 0 || n == 0) {
				conf_err(c, &a->pos, "%s \"%s\": expected a "
				    "VLAN id from 1 to 4094", kw->text,
				    a->text);
				continue;
			}
			v->vid = (uint16_t)n;
		} else if (strcmp(kw->text, "vlandev") == 0 ||
		    strcmp(kw->text, "parent") == 0) {
			if ((a = hline_arg(c, hl, kw->text, "an interface")) ==
			    NULL)
				continue;
			if (!valid_ifname(a->text)) {
				conf_err(c, &a->pos, "bad interface name "
				    "\"%s\"", a->text);
				continue;
			}
			snprintf(v->parent, sizeof(v->parent), "%s", a->text);
		} else
			conf_err(c, &kw->pos, "unknown vlan option \"%s\", "
			    "expected vlan, vlandev, vnetid, parent, txprio, "
			    "rxprio, up or down", kw->text);
	}
}

/* a line of hostname.pflowN */
static void
hostname_pflow_line(struct conf *c, struct conf_pflow *pf, struct hline *hl)
{
	char *argv[32], err[160];
	int i, bad;

	for (i = 0; i < hl->n; i++)
		argv[i] = hl->t[i].text;
	if (conf_pflow_set(pf, hl->n, argv, &bad, err, sizeof(err)) != 0)
		conf_err(c, &hl->t[bad].pos, "%s", err);
	hl->i = hl->n;
}

static void
hostname_if_line(struct conf *c, struct conf_if *ci, struct hline *hl)
{
	struct tok *kw;

	while (hl->i < hl->n) {
		kw = &hl->t[hl->i++];
		if (!hostname_common(c, hl, kw, ci, &ci->up))
			conf_err(c, &kw->pos, "unknown interface option "
			    "\"%s\", expected inet, inet6, -inet6, up, down, "
			    "lladdr, mtu or description", kw->text);
	}
}

static int
parse_prefix(const char *s, uint32_t *addr, uint8_t *plen, int host)
{
	char buf[64], *slash;
	unsigned long l = host ? 32 : 32;
	struct in_addr in;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (parse_uint(slash, 32, &l) != 0)
			return -1;
	}
	if (strcmp(buf, "default") == 0) {
		*addr = 0;
		*plen = 0;
		return 0;
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	*addr = in.s_addr & (l ? htonl(~0U << (32 - l)) : 0);
	*plen = (uint8_t)l;
	return 0;
}

/*
 * An IPv6 gateway: ADDRESS, or a link-local ADDRESS%IF (the interface is
 * part of a link-local address).  0, or -1 with nothing set.
 */
static int
parse_gw6(const char *s, uint8_t *gw, char *gwif)
{
	char buf[80], *pct;

	snprintf(buf, sizeof(buf), "%s", s);
	gwif[0] = '\0';
	if ((pct = strchr(buf, '%')) != NULL) {
		*pct++ = '\0';
		if (strlen(pct) == 0 || strlen(pct) >= CONF_NAMESIZ)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, gw) != 1 || gw[0] == 0xff)
		return -1;
	if ((gw[0] == 0xfe && (gw[1] & 0xc0) == 0x80) != (pct != NULL))
		return -1;	/* link-local needs %IF, and only it */
	if (pct != NULL)
		snprintf(gwif, CONF_NAMESIZ, "%s", pct);
	return 0;
}

/* `!route add -inet6 DEST[/LEN] GATEWAY`: a static IPv6 route. */
static void
route6_line(struct conf *c, const struct conf_pos *pos, const char *dst,
    const char *gw)
{
	struct conf_route6 *r;
	char buf[80], *slash;
	unsigned long l = 128;

	if (c->nroutes6 == CONF_MAX_ROUTES) {
		conf_err(c, pos, "too many IPv6 routes");
		return;
	}
	r = &c->routes6[c->nroutes6];
	memset(r, 0, sizeof(*r));
	snprintf(buf, sizeof(buf), "%s", dst);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (strcmp(buf, "default") == 0)
		l = 0;
	else if ((slash != NULL && parse_uint(slash, 128, &l) != 0) ||
	    inet_pton(AF_INET6, buf, r->dst) != 1) {
		conf_err(c, pos, "route add -inet6: bad destination \"%s\", "
		    "expected ADDRESS[/LEN] or default", dst);
		return;
	}
	r->plen = (uint8_t)l;
	if (parse_gw6(gw, r->gw, r->gwif) != 0) {
		conf_err(c, pos, "route add -inet6: bad gateway \"%s\", "
		    "expected an IPv6 address (fe80::...%%IF if link-local)",
		    gw);
		return;
	}
	r->pos = *pos;
	c->nroutes6++;
}

/*
 * `!route add [-net|-host] DEST[/LEN] GATEWAY` (and `!route -q add ...`)
 * become static routes; any other command is reported as not run.
 */
static void
hostname_command(struct conf *c, struct hline *hl)
{
	struct conf_route *r;
	const char *word[8];
	int i, n = 0, net = 0, inet6 = 0;

	for (i = 0; i < hl->n; i++) {
		const char *w = hl->t[i].text;

		if (i == 0 && w[0] == '!')
			w++;
		if (w[0] == '\0' || strcmp(w, "-q") == 0 ||
		    strcmp(w, "-n") == 0 || strcmp(w, "-inet") == 0)
			continue;
		if (strcmp(w, "-net") == 0) {
			net = 1;
			continue;
		}
		if (strcmp(w, "-host") == 0)
			continue;
		if (strcmp(w, "-inet6") == 0) {
			inet6 = 1;
			continue;
		}
		if (n < 8)
			word[n++] = w;
	}
	if (n != 4 || strcmp(word[0], "route") != 0 ||
	    strcmp(word[1], "add") != 0) {
		conf_warn(c, &hl->t[0].pos, "command lines (\"!...\") other "
		    "than \"!route add DEST GATEWAY\" are not run by sluice");
		return;
	}
	if (inet6) {
		route6_line(c, &hl->t[0].pos, word[2], word[3]);
		return;
	}
	if (c->nroutes == CONF_MAX_ROUTES) {
		conf_err(c, &hl->t[0].pos, "too many routes");
		return;
	}
	r = &c->routes[c->nroutes];
	if (parse_prefix(word[2], &r->dst, &r->plen, !net) != 0) {
		conf_err(c, &hl->t[0].pos, "route add: bad destination \"%s\", "
		    "expected ADDRESS[/LEN] or default", word[2]);
		return;
	}
	if (inet_pton(AF_INET, word[3], &r->gw) != 1) {
		conf_err(c, &hl->t[0].pos, "route add: bad gateway \"%s\", "
		    "expected an IPv4 address", word[3]);
		return;
	}
	r->pos = hl->t[0].pos;
	c->nroutes++;
}

int
conf_parse_hostname(struct conf *c, const char *path, const char *ifname)
{
	struct conf_bridge *b = NULL;
	struct conf_vlan *v = NULL;
	struct conf_if *ci = NULL;
	struct conf_pflow *pfl = NULL;
	struct conf_pos fpos;
	struct lex lx = { 0 };
	struct hline hl;
	struct tok t;
	size_t len;
	char *buf;
	int errors = c->errors;

	fpos.file = conf_intern(c, path);
	fpos.line = fpos.col = 0;
	if ((buf = read_file(path, &len)) == NULL) {
		conf_err(c, &fpos, "%s", strerror(errno));
		return -1;
	}
	if (is_pflow_name(ifname)) {
		if ((pfl = CONF_NEXT(c, &fpos, pflows, "pflow interfaces")) ==
		    NULL)
			goto done;
		snprintf(pfl->name, sizeof(pfl->name), "%s", ifname);
		/* exporting once flowsrc and flowdst are set, unless down */
		pfl->up = 1;
		pfl->proto = 5;
		pfl->pos = fpos;
	} else if (is_bridge_name(ifname)) {
		if ((b = CONF_NEXT(c, &fpos, bridges, "bridges")) == NULL)
			goto done;
		snprintf(b->name, sizeof(b->name), "%s", ifname);
		b->maxaddr = FDB_DEFAULT_MAX;
		b->timeout = FDB_DEFAULT_TIMEOUT;
		b->pos = fpos;
	} else {
		if ((ci = CONF_NEXT(c, &fpos, ifs, "interfaces")) == NULL)
			goto done;
		snprintf(ci->name, sizeof(ci->name), "%s", ifname);
		ci->pos = fpos;
		if (is_vlan_name(ifname)) {
			if ((v = CONF_NEXT(c, &fpos, vlans, "vlans")) == NULL)
				goto done;
			snprintf(v->name, sizeof(v->name), "%s", ifname);
			v->txprio = CONF_HDRPRIO_PACKET;
			v->rxprio = CONF_HDRPRIO_OUTER;
			v->pos = fpos;
		}
	}

	lx.c = c;
	lx.file = fpos.file;
	lx.buf = buf;
	lx.len = len;
	lx.line = lx.col = 1;
	for (;;) {
		hl.n = hl.i = 0;
		for (;;) {
			lex_next(&lx, &t);
			if (t.type == T_NL || t.type == T_EOF)
				break;
			if (hl.n == 0 && t.text[0] == '!') {
				/* A shell command: netstart runs it; sluice
				 * understands the static routes among them. */
				struct hline cmd;

				cmd.n = cmd.i = 0;
				cmd.t[cmd.n++] = t;
				for (lex_next(&lx, &t); t.type != T_NL &&
				    t.type != T_EOF; lex_next(&lx, &t))
					if (cmd.n < 32)
						cmd.t[cmd.n++] = t;
				hostname_command(c, &cmd);
				break;
			}
			if (hl.n == (int)(sizeof(hl.t) / sizeof(hl.t[0]))) {
				conf_err(c, &t.pos, "line too long");
				continue;
			}
			hl.t[hl.n++] = t;
		}
		if (hl.n > 0) {
			if (pfl != NULL)
				hostname_pflow_line(c, pfl, &hl);
			else if (b != NULL)
				hostname_bridge_line(c, b, &hl);
			else if (v != NULL)
				hostname_vlan_line(c, v, ci, &hl);
			else
				hostname_if_line(c, ci, &hl);
		}
		if (t.type == T_EOF)
			break;
	}
	if (v != NULL) {
		v->up = v->up || ci->up;
		if (v->vid == 0)
			conf_err(c, &fpos, "%s has no VLAN id (expected \"vlan "
			    "N\" or \"vnetid N\")", v->name);
		if (v->parent[0] == '\0')
			conf_err(c, &fpos, "%s has no parent interface "
			    "(expected \"vlandev IF\" or \"parent IF\")",
			    v->name);
	}
done:
	free(buf);
	return c->errors > errors ? -1 : 0;
}

/* ---- vm.conf ---------------------------------------------------------- */

/*
 * A braced file (vm.conf, rad.conf) read whole for the lexer: the text,
 * which the caller frees, or NULL with the error reported.
 */
static char *
lex_open(struct conf *c, struct lex *lx, const char *path)
{
	size_t len;
	char *buf;

	memset(lx, 0, sizeof(*lx));
	lx->file = conf_intern(c, path);
	if ((buf = read_file(path, &len)) == NULL) {
		struct conf_pos p = { lx->file, 0, 0 };

		conf_err(c, &p, "%s", strerror(errno));
		return NULL;
	}
	lx->c = c;
	lx->buf = buf;
	lx->len = len;
	lx->line = lx->col = 1;
	lx->braces = 1;
	return buf;
}



static int
vm_expect(struct lex *lx, struct tok *t, enum tok_type type, const char *what)
{
	lex_next(lx, t);
	if (t->type == type || (type == T_WORD && t->type == T_STRING))
		return 0;
	conf_err(lx->c, &t->pos, "expected %s, found %s", what,
	    t->type == T_EOF ? "end of file" : t->type == T_NL ?
	    "end of line" : t->text);
	return -1;
}

static void
vm_skip_nl(struct lex *lx)
{
	struct tok t;

	for (;;) {
		lex_peek(lx, &t);
		if (t.type != T_NL)
			return;
		lex_next(lx, &t);
	}
}

/* The first token of a braced file's next statement; 0 at its end. */
static int
file_next(struct lex *lx, struct tok *t)
{
	vm_skip_nl(lx);
	lex_next(lx, t);
	return t->type != T_EOF;
}

/* Skip to the end of the statement, over any braced block. */
static void
vm_skip_stmt(struct lex *lx)
{
	struct tok t;
	int depth = 0;

	for (;;) {
		lex_peek(lx, &t);
		if (t.type == T_EOF)
			return;
		if ((t.type == T_NL || t.type == T_RBRACE) && depth == 0)
			return;
		lex_next(lx, &t);
		if (t.type == T_LBRACE)
			depth++;
		else if (t.type == T_RBRACE)
			depth--;
	}
}

static int
parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		v <<= 10;
		break;
	case 'M':
		v <<= 20;
		break;
	case 'G':
		v <<= 30;
		break;
	case 'T':
		v <<= 40;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0' && toupper((unsigned char)end[1]) !=
	    'B')
		return -1;
	*bytes = v;
	return 0;
}

static void
vm_parse_lladdr(struct lex *lx, struct conf_vmif *vi, int locked)
{
	struct tok t;

	lex_peek(lx, &t);
	if (t.type == T_WORD && strcmp(t.text, "locked") == 0) {
		lex_next(lx, &t);
		locked = 1;
		lex_peek(lx, &t);
	}
	vi->locked = locked;
	if (t.type == T_WORD && strchr(t.text, ':') != NULL) {
		lex_next(lx, &t);
		if (conf_parse_mac(t.text, vi->lladdr) != 0)
			conf_err(lx->c, &t.pos, "bad lladdr \"%s\", expected "
			    "xx:xx:xx:xx:xx:xx", t.text);
		else
			vi->has_lladdr = 1;
	} else if (!locked)
		conf_err(lx->c, &t.pos, "lladdr needs a MAC address");
}

static void
vm_parse_interface(struct lex *lx, struct conf_vm *vm)
{
	struct conf_vmif *vi;
	struct tok t;

	if (vm->nifs == CONF_MAX_VMIFS) {
		lex_peek(lx, &t);
		conf_err(lx->c, &t.pos, "too many interfaces for vm \"%s\" "
		    "(at most %d)", vm->name, CONF_MAX_VMIFS);
		vm_skip_stmt(lx);
		return;
	}
	vi = &vm->ifs[vm->nifs++];
	memset(vi, 0, sizeof(*vi));
	lex_peek(lx, &t);
	vi->pos = t.pos;
	if (t.type == T_WORD || t.type == T_STRING) {
		lex_next(lx, &t);
		if (!valid_ifname(t.text) || strncmp(t.text, "tap", 3) != 0)
			conf_err(lx->c, &t.pos, "bad interface name \"%s\", "
			    "expected tapN", t.text);
		snprintf(vi->tap, sizeof(vi->tap), "%s", t.text);
		vi->named = 1;
		lex_peek(lx, &t);
	}
	if (t.type != T_LBRACE)
		return;
	lex_next(lx, &t);
	for (;;) {
		vm_skip_nl(lx);
		lex_next(lx, &t);
		if (t.type == T_RBRACE)
			return;
		if (t.type == T_EOF) {
			conf_err(lx->c, &t.pos, "missing \"}\" after interface");
			return;
		}
		if (strcmp(t.text, "switch") == 0) {
			if (vm_expect(lx, &t, T_STRING, "a switch name") == 0) {
				snprintf(vi->sw, sizeof(vi->sw), "%s", t.text);
				vi->sw_pos = t.pos;
			}
		} else if (strcmp(t.text, "lladdr") == 0)
			vm_parse_lladdr(lx, vi, 0);
		else if (strcmp(t.text, "locked") == 0) {
			if (vm_expect(lx, &t, T_WORD, "lladdr") == 0 &&
			    strcmp(t.text, "lladdr") != 0)
				conf_err(lx->c, &t.pos, "expected lladdr after "
				    "locked, found %s", t.text);
			vm_parse_lladdr(lx, vi, 1);
		} else if (strcmp(t.text, "up") == 0 ||
		    strcmp(t.text, "down") == 0)
			continue;
		else if (strcmp(t.text, "rdomain") == 0 ||
		    strcmp(t.text, "group") == 0) {
			conf_warn(lx->c, &t.pos, "%s is not enforced by sluice",
			    t.text);
			vm_skip_stmt(lx);
		} else {
			conf_err(lx->c, &t.pos, "unknown interface option "
			    "\"%s\", expected switch, lladdr, locked lladdr, "
			    "group, rdomain, up or down", t.text);
			vm_skip_stmt(lx);
		}
	}
}

static void
vm_parse_vm(struct lex *lx, struct conf_vm *vm)
{
	struct tok t;
	unsigned long n;

	for (;;) {
		vm_skip_nl(lx);
		lex_next(lx, &t);
		if (t.type == T_RBRACE)
			return;
		if (t.type == T_EOF) {
			conf_err(lx->c, &t.pos, "missing \"}\" after vm \"%s\"",
			    vm->name);
			return;
		}
		if (strcmp(t.text, "memory") == 0) {
			if (vm_expect(lx, &t, T_WORD, "a size") == 0 &&
			    parse_size(t.text, &vm->memory) != 0)
				conf_err(lx->c, &t.pos, "bad memory size \"%s\", "
				    "expected a number with K, M or G", t.text);
		} else if (strcmp(t.text, "disk") == 0) {
			if (vm_expect(lx, &t, T_STRING, "a disk path") == 0)
				snprintf(vm->disk, sizeof(vm->disk), "%s",
				    t.text);
			vm_skip_stmt(lx);	/* format qcow2|raw */
		} else if (strcmp(t.text, "interface") == 0)
			vm_parse_interface(lx, vm);
		else if (strcmp(t.text, "interfaces") == 0) {
			if (vm_expect(lx, &t, T_WORD, "a count") != 0)
				continue;
			if (parse_uint(t.text, CONF_MAX_VMIFS, &n) != 0) {
				conf_err(lx->c, &t.pos, "interfaces \"%s\": "
				    "expected 0 to %d", t.text, CONF_MAX_VMIFS);
				continue;
			}
			while (vm->nifs < (int)n) {
				memset(&vm->ifs[vm->nifs], 0,
				    sizeof(vm->ifs[0]));
				vm->ifs[vm->nifs++].pos = t.pos;
			}
		} else if (strcmp(t.text, "enable") == 0)
			vm->enabled = 1;
		else if (strcmp(t.text, "disable") == 0)
			vm->enabled = 0;
		else if (strcmp(t.text, "boot") == 0 ||
		    strcmp(t.text, "cdrom") == 0 ||
		    strcmp(t.text, "owner") == 0 ||
		    strcmp(t.text, "vcpu") == 0 ||
		    strcmp(t.text, "local") == 0 ||
		    strcmp(t.text, "allow") == 0 ||
		    strcmp(t.text, "instance") == 0 ||
		    strcmp(t.text, "sev") == 0 ||
		    strcmp(t.text, "seves") == 0 ||
		    strcmp(t.text, "kernel") == 0)
			vm_skip_stmt(lx);	/* shown by vmd, not by us */
		else {
			conf_err(lx->c, &t.pos, "unknown vm option \"%s\", "
			    "expected memory, disk, interface, interfaces, "
			    "boot, cdrom, owner, vcpu, enable or disable",
			    t.text);
			vm_skip_stmt(lx);
		}
	}
}

static void
vm_parse_switch(struct lex *lx, struct conf_switch *sw)
{
	struct tok t;

	for (;;) {
		vm_skip_nl(lx);
		lex_next(lx, &t);
		if (t.type == T_RBRACE)
			return;
		if (t.type == T_EOF) {
			conf_err(lx->c, &t.pos, "missing \"}\" after switch "
			    "\"%s\"", sw->name);
			return;
		}
		if (strcmp(t.text, "interface") == 0) {
			if (vm_expect(lx, &t, T_WORD, "a bridge name") != 0)
				continue;
			if (!is_bridge_name(t.text) || !valid_ifname(t.text))
				conf_err(lx->c, &t.pos, "switch interface "
				    "\"%s\": expected a bridge (bridgeN or "
				    "vebN)", t.text);
			snprintf(sw->bridge, sizeof(sw->bridge), "%s", t.text);
		} else if (strcmp(t.text, "locked") == 0) {
			if (vm_expect(lx, &t, T_WORD, "lladdr") == 0)
				sw->locked = 1;
		} else if (strcmp(t.text, "up") == 0 ||
		    strcmp(t.text, "down") == 0)
			continue;
		else if (strcmp(t.text, "group") == 0 ||
		    strcmp(t.text, "rdomain") == 0) {
			conf_warn(lx->c, &t.pos, "%s is not enforced by sluice",
			    t.text);
			vm_skip_stmt(lx);
		} else {
			conf_err(lx->c, &t.pos, "unknown switch option \"%s\", "
			    "expected interface, locked lladdr, group, "
			    "rdomain, up or down", t.text);
			vm_skip_stmt(lx);
		}
	}
}

int
conf_parse_vmconf(struct conf *c, const char *path)
{
	struct lex lx;
	struct tok t, name;
	char *buf;
	int errors = c->errors;

	if ((buf = lex_open(c, &lx, path)) == NULL)
		return -1;
	while (file_next(&lx, &t)) {
		if (strcmp(t.text, "switch") == 0) {
			struct conf_switch *sw;

			if (vm_expect(&lx, &name, T_STRING, "a switch name") ||
			    vm_expect(&lx, &t, T_LBRACE, "\"{\"")) {
				vm_skip_stmt(&lx);
				continue;
			}
			if ((sw = CONF_NEXT(c, &name.pos, switches,
			    "switches")) == NULL) {
				vm_skip_stmt(&lx);
				continue;
			}
			snprintf(sw->name, sizeof(sw->name), "%s", name.text);
			sw->pos = name.pos;
			vm_parse_switch(&lx, sw);
			if (sw->bridge[0] == '\0')
				conf_err(c, &sw->pos, "switch \"%s\" has no "
				    "interface (expected \"interface "
				    "bridgeN\")", sw->name);
		} else if (strcmp(t.text, "vm") == 0) {
			struct conf_vm *vm;

			if (vm_expect(&lx, &name, T_STRING, "a vm name") ||
			    vm_expect(&lx, &t, T_LBRACE, "\"{\"")) {
				vm_skip_stmt(&lx);
				continue;
			}
			if ((vm = CONF_NEXT(c, &name.pos, vms, "vms")) == NULL) {
				vm_skip_stmt(&lx);
				continue;
			}
			snprintf(vm->name, sizeof(vm->name), "%s", name.text);
			vm->id = c->nvms;
			vm->enabled = 1;
			vm->pos = name.pos;
			vm_parse_vm(&lx, vm);
		} else if (strcmp(t.text, "socket") == 0 ||
		    strcmp(t.text, "local") == 0 ||
		    strcmp(t.text, "agentx") == 0 ||
		    strcmp(t.text, "staggered") == 0) {
			vm_skip_stmt(&lx);
		} else {
			conf_err(c, &t.pos, "unknown keyword \"%s\", expected "
			    "switch or vm", t.text);
			vm_skip_stmt(&lx);
		}
	}
	free(buf);
	return c->errors > errors ? -1 : 0;
}

/*
 * The next statement of a block: 1 with T its keyword, 0 at the block's
 * "}" (or at the end of the file, reported).
 */
static int
block_next(struct lex *lx, struct tok *t, const char *what)
{
	if (!file_next(lx, t)) {
		conf_err(lx->c, &t->pos, "expected \"}\" closing %s", what);
		return 0;
	}
	return t->type != T_RBRACE;
}

/* ---- rad.conf ---------------------------------------------------------- */

/* rad(8)'s defaults (rad.conf(5)): what an option not given is. */
static void
rad_defaults(struct conf_rad_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->default_router = 1;
	o->hop_limit = 64;
	o->router_lifetime = 1800;
	o->dns_lifetime = 900;
}

/* A number of the statement, after its keywords. */
static int
rad_number(struct lex *lx, unsigned long max, unsigned long *v,
    const char *what)
{
	struct tok t;

	if (vm_expect(lx, &t, T_WORD, what))
		return -1;
	if (parse_uint(t.text, max, v) != 0) {
		conf_err(lx->c, &t.pos, "%s: expected %s (0-%lu), found %s",
		    what, what, max, t.text);
		return -1;
	}
	return 0;
}

static int
rad_yesno(struct lex *lx, uint8_t *v)
{
	struct tok t;

	if (vm_expect(lx, &t, T_WORD, "yes or no"))
		return -1;
	if (strcmp(t.text, "yes") == 0 || strcmp(t.text, "no") == 0) {
		*v = t.text[0] == 'y';
		return 0;
	}
	conf_err(lx->c, &t.pos, "expected yes or no, found %s", t.text);
	return -1;
}

/* Keyword KW must come next (the rest of a multi-word option). */
static int
rad_word(struct lex *lx, const char *kw)
{
	struct tok t;

	lex_next(lx, &t);
	if (t.type == T_WORD && strcmp(t.text, kw) == 0)
		return 0;
	conf_err(lx->c, &t.pos, "expected \"%s\", found %s", kw,
	    t.type == T_EOF ? "end of file" : t.type == T_NL ? "end of line" :
	    t.text);
	return -1;
}

static int
rad_addr6(struct lex *lx, uint8_t *a, const struct tok *t)
{
	if (inet_pton(AF_INET6, t->text, a) == 1)
		return 0;
	conf_err(lx->c, &t->pos, "expected an IPv6 address, found %s",
	    t->text);
	return -1;
}

/*
 * rad.conf's `KEYWORD item' or `KEYWORD { item ... }': each item (a word
 * or a quoted string) to take(), which says what is wrong with it.
 */
static void
rad_items(struct lex *lx, const char *what,
    void (*take)(struct lex *, const struct tok *, struct conf_rad_opts *),
    struct conf_rad_opts *o)
{
	struct tok t;
	int braced;

	lex_peek(lx, &t);
	braced = t.type == T_LBRACE;
	if (braced)
		lex_next(lx, &t);
	do {
		vm_skip_nl(lx);
		lex_next(lx, &t);
		if (t.type == T_RBRACE)
			break;
		if (t.type != T_WORD && t.type != T_STRING) {
			conf_err(lx->c, &t.pos, "expected a %s", what);
			break;
		}
		take(lx, &t, o);
	} while (braced);
}

static void
rad_nameserver(struct lex *lx, const struct tok *t, struct conf_rad_opts *o)
{
	if (o->ndns == CONF_RAD_MAX_DNS)
		conf_err(lx->c, &t->pos, "more than %d nameservers",
		    CONF_RAD_MAX_DNS);
	else if (rad_addr6(lx, o->dns[o->ndns], t) == 0)
		o->ndns++;
}

/* A search domain, in the wire form the DNSSL option carries. */
static void
rad_search(struct lex *lx, const struct tok *t, struct conf_rad_opts *o)
{
	size_t n = dns_name_encode(t->text, o->dnssl + o->dnssl_len,
	    sizeof(o->dnssl) - o->dnssl_len);

	if (n == 0)
		conf_err(lx->c, &t->pos, "search \"%s\": expected a domain "
		    "name (labels of 1-63 characters), %zu bytes of them at "
		    "most", t->text, sizeof(o->dnssl));
	o->dnssl_len = (uint16_t)(o->dnssl_len + n);
}

/* dns { lifetime N; nameserver A; nameserver { A B }; search ... } */
static void
rad_parse_dns(struct lex *lx, struct conf_rad_opts *o)
{
	struct tok t;
	unsigned long v;

	if (vm_expect(lx, &t, T_LBRACE, "\"{\""))
		return;
	while (block_next(lx, &t, "dns")) {
		if (strcmp(t.text, "lifetime") == 0) {
			if (rad_number(lx, 0xffffffffUL, &v, "a lifetime") == 0)
				o->dns_lifetime = (uint32_t)v;
		} else if (strcmp(t.text, "nameserver") == 0)
			rad_items(lx, "nameserver address", rad_nameserver, o);
		else if (strcmp(t.text, "search") == 0)
			rad_items(lx, "search domain", rad_search, o);
		else {
			conf_err(lx->c, &t.pos, "unknown dns option \"%s\", "
			    "expected lifetime, nameserver or search", t.text);
			vm_skip_stmt(lx);
		}
	}
	o->set |= RAD_O_DNS;
}

/*
 * One option that may stand globally or in an interface block, its
 * first word in T.  Returns 0 if T was one, 1 if not (the caller says
 * what it expected).
 */
static int
rad_option(struct lex *lx, const struct tok *t, struct conf_rad_opts *o)
{
	unsigned long v;
	uint8_t b;

	if (strcmp(t->text, "default") == 0) {
		if (rad_word(lx, "router") == 0 && rad_yesno(lx, &b) == 0) {
			o->default_router = b;
			o->set |= RAD_O_DEFROUTER;
		}
	} else if (strcmp(t->text, "router") == 0) {
		if (rad_word(lx, "lifetime") == 0 &&
		    rad_number(lx, 9000, &v, "a router lifetime") == 0) {
			o->router_lifetime = (uint16_t)v;
			o->set |= RAD_O_LIFETIME;
		}
	} else if (strcmp(t->text, "hop") == 0) {
		if (rad_word(lx, "limit") == 0 &&
		    rad_number(lx, 255, &v, "a hop limit") == 0) {
			o->hop_limit = (uint8_t)v;
			o->set |= RAD_O_HOPLIMIT;
		}
	} else if (strcmp(t->text, "managed") == 0 ||
	    strcmp(t->text, "other") == 0) {
		int m = t->text[0] == 'm';

		if ((m ? rad_word(lx, "address") : 0) == 0 &&
		    rad_word(lx, "configuration") == 0 &&
		    rad_yesno(lx, &b) == 0) {
			if (m)
				o->managed = b;
			else
				o->other = b;
			o->set |= m ? RAD_O_MANAGED : RAD_O_OTHER;
		}
	} else if (strcmp(t->text, "mtu") == 0) {
		if (rad_number(lx, 65535, &v, "an mtu") == 0) {
			o->mtu = (uint32_t)v;
			o->set |= RAD_O_MTU;
		}
	} else if (strcmp(t->text, "reachable") == 0) {
		if (rad_word(lx, "time") == 0 &&
		    rad_number(lx, 3600000, &v, "a reachable time") == 0) {
			o->reachable = (uint32_t)v;
			o->set |= RAD_O_REACHABLE;
		}
	} else if (strcmp(t->text, "retrans") == 0) {
		if (rad_word(lx, "timer") == 0 &&
		    rad_number(lx, 0xffffffffUL, &v, "a retrans timer") == 0) {
			o->retrans = (uint32_t)v;
			o->set |= RAD_O_RETRANS;
		}
	} else if (strcmp(t->text, "dns") == 0)
		rad_parse_dns(lx, o);
	else
		return 1;
	return 0;
}

/* prefix P/LEN [{ valid lifetime N; preferred lifetime N; on-link yes|no;
 * autonomous address-configuration yes|no }] */
static void
rad_parse_prefix(struct lex *lx, struct conf_rad_if *ri)
{
	struct conf_rad_prefix *pr;
	struct tok t;
	unsigned long v;
	char *slash;

	if (vm_expect(lx, &t, T_WORD, "a prefix"))
		return;
	if (ri->nprefixes == CONF_RAD_MAX_PREFIXES) {
		conf_err(lx->c, &t.pos, "more than %d prefixes on %s",
		    CONF_RAD_MAX_PREFIXES, ri->name);
		vm_skip_stmt(lx);
		return;
	}
	pr = &ri->prefixes[ri->nprefixes];
	memset(pr, 0, sizeof(*pr));
	pr->pos = t.pos;
	pr->onlink = pr->autonomous = 1;
	pr->valid = 2592000;		/* 30 days, rad's */
	pr->preferred = 604800;		/* 7 days */
	if ((slash = strchr(t.text, '/')) == NULL ||
	    parse_uint(slash + 1, 128, &v) != 0) {
		conf_err(lx->c, &t.pos, "expected an IPv6 prefix "
		    "(2001:db8::/64), found %s", t.text);
		vm_skip_stmt(lx);
		return;
	}
	*slash = '\0';
	if (rad_addr6(lx, pr->addr, &t) != 0) {
		vm_skip_stmt(lx);
		return;
	}
	pr->plen = (uint8_t)v;
	in6_mask(pr->addr, pr->plen);
	ri->nprefixes++;
	lex_peek(lx, &t);
	if (t.type != T_LBRACE)
		return;
	lex_next(lx, &t);
	while (block_next(lx, &t, "prefix")) {
		if (strcmp(t.text, "valid") == 0 ||
		    strcmp(t.text, "preferred") == 0) {
			int valid = t.text[0] == 'v';

			if (rad_word(lx, "lifetime") == 0 &&
			    rad_number(lx, 0xffffffffUL, &v, "a lifetime") == 0) {
				if (valid)
					pr->valid = (uint32_t)v;
				else
					pr->preferred = (uint32_t)v;
			}
		} else if (strcmp(t.text, "on-link") == 0)
			rad_yesno(lx, &pr->onlink);
		else if (strcmp(t.text, "autonomous") == 0) {
			if (rad_word(lx, "address-configuration") == 0)
				rad_yesno(lx, &pr->autonomous);
		} else {
			conf_err(lx->c, &t.pos, "unknown prefix option \"%s\", "
			    "expected valid lifetime, preferred lifetime, "
			    "on-link or autonomous address-configuration",
			    t.text);
			vm_skip_stmt(lx);
		}
	}
}

/*
 * The end of a statement that began when the error count was ERRORS:
 * what is left of its line is an error of its own, unless the statement
 * had one already (then the rest is skipped quietly).
 */
static void
rad_end(struct lex *lx, int errors)
{
	struct tok t;

	lex_peek(lx, &t);
	if (t.type == T_NL || t.type == T_RBRACE || t.type == T_EOF)
		return;
	if (lx->c->errors == errors)
		conf_err(lx->c, &t.pos, "expected end of line, found %s",
		    t.text);
	vm_skip_stmt(lx);
}

static void
rad_parse_interface(struct lex *lx, struct conf_rad_if *ri)
{
	char what[CONF_NAMESIZ + 16];
	struct tok t;
	int errors;

	lex_peek(lx, &t);
	if (t.type != T_LBRACE)
		return;			/* `interface em0' alone */
	lex_next(lx, &t);
	snprintf(what, sizeof(what), "interface %s", ri->name);
	while (block_next(lx, &t, what)) {
		errors = lx->c->errors;
		if (strcmp(t.text, "prefix") == 0)
			rad_parse_prefix(lx, ri);
		else if (strcmp(t.text, "no") == 0) {
			if (rad_word(lx, "auto") == 0 &&
			    rad_word(lx, "prefix") == 0)
				ri->auto_prefix = 0;
		} else if (strcmp(t.text, "auto") == 0) {
			if (rad_word(lx, "prefix") == 0)
				ri->auto_prefix = 1;
		} else if (rad_option(lx, &t, &ri->o) != 0) {
			conf_err(lx->c, &t.pos, "unknown interface option "
			    "\"%s\", expected prefix, [no] auto prefix, "
			    "default router, router lifetime, hop limit, "
			    "managed/other configuration, mtu, reachable time, "
			    "retrans timer or dns", t.text);
			vm_skip_stmt(lx);
		}
		rad_end(lx, errors);
	}
}

/* An interface takes the global value of each option it did not set. */
static void
rad_inherit(struct conf_rad_opts *o, const struct conf_rad_opts *g)
{
	unsigned set = o->set;

	if (!(set & RAD_O_DEFROUTER))
		o->default_router = g->default_router;
	if (!(set & RAD_O_LIFETIME))
		o->router_lifetime = g->router_lifetime;
	if (!(set & RAD_O_HOPLIMIT))
		o->hop_limit = g->hop_limit;
	if (!(set & RAD_O_MANAGED))
		o->managed = g->managed;
	if (!(set & RAD_O_OTHER))
		o->other = g->other;
	if (!(set & RAD_O_MTU))
		o->mtu = g->mtu;
	if (!(set & RAD_O_REACHABLE))
		o->reachable = g->reachable;
	if (!(set & RAD_O_RETRANS))
		o->retrans = g->retrans;
	if (!(set & RAD_O_DNS)) {
		o->dns_lifetime = g->dns_lifetime;
		o->ndns = g->ndns;
		memcpy(o->dns, g->dns, sizeof(o->dns));
		o->dnssl_len = g->dnssl_len;
		memcpy(o->dnssl, g->dnssl, sizeof(o->dnssl));
	}
}

int
conf_parse_radconf(struct conf *c, const char *path)
{
	struct lex lx;
	struct tok t, name;
	char *buf;
	int errors = c->errors, serr, i;

	if ((buf = lex_open(c, &lx, path)) == NULL)
		return -1;
	c->has_rad = 1;
	rad_defaults(&c->rad);
	while (file_next(&lx, &t)) {
		serr = c->errors;
		if (strcmp(t.text, "interface") == 0) {
			struct conf_rad_if *ri;

			if (vm_expect(&lx, &name, T_WORD, "an interface name")) {
				vm_skip_stmt(&lx);
				continue;
			}
			if (c->nrad == CONF_RAD_MAX_IFS) {
				conf_err(c, &name.pos, "too many interfaces");
				vm_skip_stmt(&lx);
				continue;
			}
			ri = &c->rads[c->nrad++];
			memset(ri, 0, sizeof(*ri));
			snprintf(ri->name, sizeof(ri->name), "%s", name.text);
			ri->pos = name.pos;
			ri->auto_prefix = 1;
			rad_defaults(&ri->o);
			ri->o.set = 0;
			rad_parse_interface(&lx, ri);
		} else if (rad_option(&lx, &t, &c->rad) != 0) {
			conf_err(c, &t.pos, "unknown keyword \"%s\", expected "
			    "interface or a global option (default router, "
			    "router lifetime, hop limit, managed/other "
			    "configuration, mtu, reachable time, retrans timer, "
			    "dns)", t.text);
			vm_skip_stmt(&lx);
		}
		rad_end(&lx, serr);
	}
	for (i = 0; i < c->nrad; i++)
		rad_inherit(&c->rads[i].o, &c->rad);
	free(buf);
	return c->errors > errors ? -1 : 0;
}

/* ---- dhcpd.conf ------------------------------------------------------- */

/*
 * dhcpd.conf(5) statements sluice reads but does not act on: accepted
 * with a warning, so that a file written for OpenBSD loads as it is.
 */
static const char *const dhcpd_ignored[] = {
	"allow", "deny", "ignore", "boot-unknown-clients",
	"get-lease-hostnames", "ping-check",
	"use-host-decl-names", "dynamic-bootp-lease-cutoff",
	"dynamic-bootp-lease-length", "always-reply-rfc1048", "echo-client-id",
	"server-identifier", "ddns-update-style", "log-facility",
	"one-lease-per-client", "min-lease-time", "ipsec-tunnel",
	"group", NULL
};

static int
dhcpd_addr(struct lex *lx, const struct tok *t, uint32_t *a)
{
	struct in_addr in;

	if (t->type == T_WORD && inet_pton(AF_INET, t->text, &in) == 1) {
		*a = ntohl(in.s_addr);
		return 0;
	}
	conf_err(lx->c, &t->pos, "expected an IPv4 address, found %s",
	    t->type == T_EOF ? "end of file" : t->type == T_NL ?
	    "end of line" : t->text);
	return -1;
}

/* The next word, an IPv4 address (WHAT says what it is for). */
static int
dhcpd_next_addr(struct lex *lx, uint32_t *a, const char *what)
{
	struct tok t;

	if (vm_expect(lx, &t, T_WORD, what) != 0)
		return -1;
	return dhcpd_addr(lx, &t, a);
}

/* A list of addresses to the end of the statement (commas are blanks). */
static int
dhcpd_addr_list(struct lex *lx, uint32_t *a, int *n, const char *what)
{
	struct tok t;

	*n = 0;
	for (;;) {
		lex_peek(lx, &t);
		if (t.type != T_WORD)
			break;
		lex_next(lx, &t);
		if (*n == CONF_DHCPD_MAX_ADDRS) {
			conf_err(lx->c, &t.pos, "more than %d %s",
			    CONF_DHCPD_MAX_ADDRS, what);
			return -1;
		}
		if (dhcpd_addr(lx, &t, &a[*n]) != 0)
			return -1;
		(*n)++;
	}
	if (*n == 0) {
		conf_err(lx->c, &t.pos, "expected %s, found %s", what,
		    t.type == T_EOF ? "end of file" : t.type == T_NL ?
		    "end of line" : t.text);
		return -1;
	}
	return 0;
}

/*
 * A parameter of any scope (option ..., *-lease-time, authoritative, or
 * one sluice ignores): 0 if T began one, -1 if T is no parameter.
 */
static int
dhcpd_param(struct lex *lx, const struct tok *t, struct conf_dhcpd_opts *o)
{
	struct tok n;
	unsigned long v;
	int i;

	if (strcmp(t->text, "authoritative") == 0)
		return 0;		/* what sluice is anyway */
	if (strcmp(t->text, "not") == 0) {
		if (rad_word(lx, "authoritative") == 0)
			conf_warn(lx->c, &t->pos, "not authoritative: sluice "
			    "always answers (NAKs wrong addresses)");
		return 0;
	}
	if (strcmp(t->text, "default-lease-time") == 0 ||
	    strcmp(t->text, "max-lease-time") == 0) {
		if (rad_number(lx, 0xffffffffUL, &v, "a lease time in "
		    "seconds") != 0)
			return 0;
		if (t->text[0] == 'd') {
			o->default_lease = (uint32_t)v;
			o->set |= DHCPD_O_DEFLEASE;
		} else {
			o->max_lease = (uint32_t)v;
			o->set |= DHCPD_O_MAXLEASE;
		}
		return 0;
	}
	if (strcmp(t->text, "next-server") == 0) {
		if (dhcpd_next_addr(lx, &o->next_server, "the boot server's "
		    "address") == 0)
			o->set |= DHCPD_O_NEXTSRV;
		return 0;
	}
	if (strcmp(t->text, "filename") == 0 ||
	    strcmp(t->text, "server-name") == 0) {
		int file = t->text[0] == 'f';
		char *to = file ? o->filename : o->server_name;
		size_t cap = file ? sizeof(o->filename) :
		    sizeof(o->server_name);

		if (vm_expect(lx, &n, T_STRING, file ? "a quoted boot file "
		    "name" : "a quoted server name") != 0)
			return 0;
		if (strlen(n.text) >= cap) {
			conf_err(lx->c, &n.pos, "longer than the %zu "
			    "characters BOOTP holds", cap - 1);
			return 0;
		}
		snprintf(to, cap, "%s", n.text);
		o->set |= file ? DHCPD_O_FILE : DHCPD_O_SNAME;
		return 0;
	}
	for (i = 0; dhcpd_ignored[i] != NULL; i++)
		if (strcmp(t->text, dhcpd_ignored[i]) == 0) {
			conf_warn(lx->c, &t->pos, "%s: not supported by "
			    "sluice, ignored", t->text);
			vm_skip_stmt(lx);
			return 0;
		}
	if (strcmp(t->text, "option") != 0)
		return -1;
	if (vm_expect(lx, &n, T_WORD, "an option name") != 0)
		return 0;
	if (strcmp(n.text, "routers") == 0) {
		if (dhcpd_addr_list(lx, o->routers, &o->nrouters,
		    "a router address") == 0)
			o->set |= DHCPD_O_ROUTERS;
	} else if (strcmp(n.text, "domain-name-servers") == 0) {
		if (dhcpd_addr_list(lx, o->dns, &o->ndns,
		    "a name server address") == 0)
			o->set |= DHCPD_O_DNS;
	} else if (strcmp(n.text, "domain-name") == 0) {
		if (vm_expect(lx, &n, T_STRING, "a quoted domain name") != 0)
			return 0;
		if (strlen(n.text) >= sizeof(o->domain)) {
			conf_err(lx->c, &n.pos, "domain name longer than %zu "
			    "characters", sizeof(o->domain) - 1);
			return 0;
		}
		snprintf(o->domain, sizeof(o->domain), "%s", n.text);
		o->set |= DHCPD_O_DOMAIN;
	} else if (strcmp(n.text, "domain-search") == 0) {
		size_t k;

		o->search_len = 0;
		do {
			if (vm_expect(lx, &n, T_STRING, "a quoted domain name")
			    != 0)
				return 0;
			if ((k = dns_name_encode(n.text, o->search +
			    o->search_len, sizeof(o->search) -
			    o->search_len)) == 0) {
				conf_err(lx->c, &n.pos, "domain-search \"%s\": "
				    "expected a domain name (labels of 1-63 "
				    "characters), %zu bytes of them at most",
				    n.text, sizeof(o->search));
				vm_skip_stmt(lx);
				return 0;
			}
			o->search_len = (uint8_t)(o->search_len + k);
			lex_peek(lx, &n);
		} while (n.type == T_STRING);
		o->set |= DHCPD_O_SEARCH;
	} else if (strcmp(n.text, "subnet-mask") == 0) {
		if (dhcpd_next_addr(lx, &o->mask, "a netmask") == 0)
			o->set |= DHCPD_O_MASK;
	} else if (strcmp(n.text, "ntp-servers") == 0) {
		if (dhcpd_addr_list(lx, o->ntp, &o->nntp,
		    "an NTP server address") == 0)
			o->set |= DHCPD_O_NTP;
	} else if (strcmp(n.text, "broadcast-address") == 0) {
		if (dhcpd_next_addr(lx, &o->bcast, "a broadcast address") == 0)
			o->set |= DHCPD_O_BCAST;
	} else if (strcmp(n.text, "interface-mtu") == 0) {
		if (rad_number(lx, 65535, &v, "an MTU (68-65535)") == 0) {
			if (v < 68)
				conf_err(lx->c, &n.pos, "interface-mtu %lu: "
				    "expected an MTU (68-65535)", v);
			else {
				o->mtu = (uint16_t)v;
				o->set |= DHCPD_O_MTU;
			}
		}
	} else {
		conf_warn(lx->c, &n.pos, "option %s: not sent by sluice "
		    "(only routers, domain-name-servers, domain-name, "
		    "domain-search, subnet-mask, ntp-servers, "
		    "broadcast-address, interface-mtu), ignored", n.text);
		vm_skip_stmt(lx);
	}
	return 0;
}

/*
 * A scope takes each parameter it did not set from its parent (a host's
 * are taken over the client's subnet's when the server answers).
 */
void
conf_dhcpd_inherit(struct conf_dhcpd_opts *o, const struct conf_dhcpd_opts *g)
{
#define F(bit, field) { bit, offsetof(struct conf_dhcpd_opts, field), \
	sizeof(((struct conf_dhcpd_opts *)0)->field) }
	static const struct {
		unsigned	 bit;
		size_t		 off, len;
	} fields[] = {
		F(DHCPD_O_ROUTERS, nrouters), F(DHCPD_O_ROUTERS, routers),
		F(DHCPD_O_DNS, ndns), F(DHCPD_O_DNS, dns),
		F(DHCPD_O_DOMAIN, domain), F(DHCPD_O_MASK, mask),
		F(DHCPD_O_DEFLEASE, default_lease),
		F(DHCPD_O_MAXLEASE, max_lease),
		F(DHCPD_O_NTP, nntp), F(DHCPD_O_NTP, ntp),
		F(DHCPD_O_BCAST, bcast), F(DHCPD_O_MTU, mtu),
		F(DHCPD_O_NEXTSRV, next_server), F(DHCPD_O_FILE, filename),
		F(DHCPD_O_SNAME, server_name),
		F(DHCPD_O_SEARCH, search_len), F(DHCPD_O_SEARCH, search),
	};
#undef F
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!(o->set & fields[i].bit))
			memcpy((char *)o + fields[i].off,
			    (const char *)g + fields[i].off, fields[i].len);
	o->set |= g->set;
}

/* Open brace of a block, or an error naming it. */
static int
dhcpd_open(struct lex *lx, const char *what)
{
	struct tok t;

	vm_skip_nl(lx);
	lex_next(lx, &t);
	if (t.type == T_LBRACE)
		return 0;
	conf_err(lx->c, &t.pos, "expected \"{\" after %s, found %s", what,
	    t.type == T_EOF ? "end of file" : t.type == T_NL ? "end of line" :
	    t.text);
	vm_skip_stmt(lx);
	return -1;
}

/*
 * The next of a fixed array's max slots (*n counts those taken), zeroed;
 * when all are taken, an error at pos ("more than max WHAT") and the
 * caller's scratch, so that parsing goes on and nothing is kept.
 */
static void *
conf_slot(struct conf *c, const struct conf_pos *pos, void *base, int *n,
    int max, size_t size, void *scratch, const char *what)
{
	void *p = scratch;

	if (*n == max)
		conf_err(c, pos, "more than %d %s", max, what);
	else
		p = (char *)base + (size_t)(*n)++ * size;
	memset(p, 0, size);
	return p;
}

/* host NAME { hardware ethernet MAC; fixed-address A; } */
static void
dhcpd_parse_host(struct lex *lx)
{
	struct conf *c = lx->c;
	struct conf_dhcpd_host *h, dummy;
	struct tok t, name;
	char what[96];
	int errors, herrors = c->errors;

	if (vm_expect(lx, &name, T_WORD, "a host name") != 0) {
		vm_skip_stmt(lx);
		return;
	}
	h = conf_slot(c, &name.pos, c->dhosts, &c->ndhosts,
	    CONF_DHCPD_MAX_HOSTS, sizeof(*h), &dummy, "hosts");
	snprintf(h->name, sizeof(h->name), "%s", name.text);
	h->pos = name.pos;
	snprintf(what, sizeof(what), "host %s", h->name);
	if (dhcpd_open(lx, what) != 0)
		return;
	while (block_next(lx, &t, what)) {
		errors = c->errors;
		if (strcmp(t.text, "hardware") == 0) {
			struct tok m;

			if (rad_word(lx, "ethernet") == 0 &&
			    vm_expect(lx, &m, T_WORD, "a MAC address") == 0) {
				if (conf_parse_mac(m.text, h->mac) != 0)
					conf_err(c, &m.pos, "expected a MAC "
					    "address, found %s", m.text);
				else
					h->has_mac = 1;
			}
		} else if (strcmp(t.text, "fixed-address") == 0)
			dhcpd_next_addr(lx, &h->addr, "an IPv4 address");
		else if (dhcpd_param(lx, &t, &h->o) != 0) {
			conf_err(c, &t.pos, "unknown host statement \"%s\", "
			    "expected hardware ethernet, fixed-address, "
			    "option, filename, next-server or a lease time",
			    t.text);
			vm_skip_stmt(lx);
		}
		rad_end(lx, errors);
	}
	/* dhcpd matches hosts by MAC: one without is no host at all */
	if (!h->has_mac && c->errors == herrors)
		conf_err(c, &h->pos, "host %s: no hardware ethernet",
		    h->name);
}

/* subnet A netmask M { range ...; parameters; hosts } */
static void
dhcpd_parse_subnet(struct lex *lx)
{
	struct conf *c = lx->c;
	struct conf_dhcpd_subnet *s, dummy;
	struct tok t, a;
	char what[64];
	int errors;

	if (vm_expect(lx, &a, T_WORD, "a subnet address") != 0) {
		vm_skip_stmt(lx);
		return;
	}
	s = conf_slot(c, &a.pos, c->dsubnets, &c->ndsubnets,
	    CONF_DHCPD_MAX_SUBNETS, sizeof(*s), &dummy, "subnets");
	s->pos = a.pos;
	if (dhcpd_addr(lx, &a, &s->net) != 0 || rad_word(lx, "netmask") != 0 ||
	    dhcpd_next_addr(lx, &s->mask, "a netmask") != 0) {
		vm_skip_stmt(lx);
		return;
	}
	if ((~s->mask & (~s->mask + 1)) != 0 || (s->net & ~s->mask) != 0)
		conf_err(c, &a.pos, "subnet %s: bad subnet number/mask "
		    "combination", a.text);
	snprintf(what, sizeof(what), "subnet %s", a.text);
	if (dhcpd_open(lx, what) != 0)
		return;
	while (block_next(lx, &t, what)) {
		errors = c->errors;
		if (strcmp(t.text, "range") == 0) {
			struct conf_dhcpd_range *r, rd;
			struct tok hi;

			r = conf_slot(c, &t.pos, s->ranges, &s->nranges,
			    CONF_DHCPD_MAX_RANGES, sizeof(*r), &rd, "ranges");
			r->pos = t.pos;
			if (dhcpd_next_addr(lx, &r->lo, "a range's first "
			    "address") == 0) {
				/* range A; is the one address */
				r->hi = r->lo;
				lex_peek(lx, &hi);
				if (hi.type == T_WORD) {
					lex_next(lx, &hi);
					if (dhcpd_addr(lx, &hi, &r->hi) == 0 &&
					    r->hi < r->lo)
						conf_err(c, &hi.pos, "range "
						    "ends before it starts");
				}
			}
		} else if (strcmp(t.text, "host") == 0) {
			dhcpd_parse_host(lx);
			continue;
		} else if (dhcpd_param(lx, &t, &s->o) != 0) {
			conf_err(c, &t.pos, "unknown subnet statement \"%s\", "
			    "expected range, host, option, default-lease-time "
			    "or max-lease-time", t.text);
			vm_skip_stmt(lx);
		}
		rad_end(lx, errors);
	}
}

/* shared-network NAME { parameters; subnets } */
static void
dhcpd_parse_shared(struct lex *lx)
{
	struct conf *c = lx->c;
	struct conf_dhcpd_opts o;
	struct tok t, name;
	char what[96];
	int errors, first = c->ndsubnets, i;

	memset(&o, 0, sizeof(o));
	if (vm_expect(lx, &name, T_WORD, "a shared-network name") != 0) {
		vm_skip_stmt(lx);
		return;
	}
	snprintf(what, sizeof(what), "shared-network %s", name.text);
	if (dhcpd_open(lx, what) != 0)
		return;
	while (block_next(lx, &t, what)) {
		errors = c->errors;
		if (strcmp(t.text, "subnet") == 0) {
			dhcpd_parse_subnet(lx);
			continue;
		}
		if (strcmp(t.text, "host") == 0) {
			dhcpd_parse_host(lx);
			continue;
		}
		if (dhcpd_param(lx, &t, &o) != 0) {
			conf_err(c, &t.pos, "unknown shared-network statement "
			    "\"%s\", expected subnet, host, option, "
			    "default-lease-time or max-lease-time", t.text);
			vm_skip_stmt(lx);
		}
		rad_end(lx, errors);
	}
	/* Its subnets take its parameters before the global ones. */
	for (i = first; i < c->ndsubnets; i++)
		conf_dhcpd_inherit(&c->dsubnets[i].o, &o);
}

int
conf_parse_dhcpdconf(struct conf *c, const char *path)
{
	struct lex lx;
	struct tok t;
	char *buf;
	int errors = c->errors, serr, i;

	if ((buf = lex_open(c, &lx, path)) == NULL)
		return -1;
	c->has_dhcpd = 1;
	memset(&c->dhcpd, 0, sizeof(c->dhcpd));
	/* dhcpd(8)'s defaults: 12 hours, a day at most. */
	c->dhcpd.default_lease = 43200;
	c->dhcpd.max_lease = 86400;
	while (file_next(&lx, &t)) {
		serr = c->errors;
		if (strcmp(t.text, "subnet") == 0) {
			dhcpd_parse_subnet(&lx);
			continue;
		}
		if (strcmp(t.text, "shared-network") == 0) {
			dhcpd_parse_shared(&lx);
			continue;
		}
		if (strcmp(t.text, "host") == 0) {
			dhcpd_parse_host(&lx);
			continue;
		}
		if (t.type == T_RBRACE) {
			conf_err(c, &t.pos, "unexpected \"}\"");
			continue;
		}
		if (dhcpd_param(&lx, &t, &c->dhcpd) != 0) {
			conf_err(c, &t.pos, "unknown keyword \"%s\", expected "
			    "subnet, shared-network, host, option, "
			    "default-lease-time, max-lease-time or "
			    "authoritative", t.text);
			vm_skip_stmt(&lx);
		}
		rad_end(&lx, serr);
	}
	for (i = 0; i < c->ndsubnets; i++)
		conf_dhcpd_inherit(&c->dsubnets[i].o, &c->dhcpd);
	free(buf);
	return c->errors > errors ? -1 : 0;
}

/* starts|ends W YYYY/MM/DD HH:MM:SS [UTC]; as seconds of the epoch. */
static int
lease_date(struct lex *lx, int64_t *t)
{
	struct tok w, d, hms, z;
	struct tm tm;
	int wd;
	char tail;

	if (vm_expect(lx, &w, T_WORD, "a weekday (0-6)") != 0 ||
	    vm_expect(lx, &d, T_WORD, "a date (YYYY/MM/DD)") != 0 ||
	    vm_expect(lx, &hms, T_WORD, "a time (HH:MM:SS)") != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(w.text, "%d%c", &wd, &tail) != 1 || wd < 0 || wd > 6) {
		conf_err(lx->c, &w.pos, "expected a weekday (0-6), found %s",
		    w.text);
		return -1;
	}
	if (sscanf(d.text, "%d/%d/%d%c", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tail) != 3 || tm.tm_year < 1970 ||
	    tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31) {
		conf_err(lx->c, &d.pos, "expected a date (YYYY/MM/DD), found "
		    "%s", d.text);
		return -1;
	}
	if (sscanf(hms.text, "%d:%d:%d%c", &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec, &tail) != 3 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
	    tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
	    tm.tm_sec > 60) {
		conf_err(lx->c, &hms.pos, "expected a time (HH:MM:SS), found "
		    "%s", hms.text);
		return -1;
	}
	lex_peek(lx, &z);
	if (z.type == T_WORD && strcmp(z.text, "UTC") == 0)
		lex_next(lx, &z);
	tm.tm_year -= 1900;
	tm.tm_mon--;
	*t = (int64_t)timegm(&tm);
	return 0;
}

/*
 * dhcpd.leases(5), as dhcpd and sluiced -l write it: lease A { starts,
 * ends, hardware ethernet, client-hostname, abandoned }.  A file that
 * does not read is an error like any configuration's: sluiced then
 * refuses to start rather than rewrite it without the leases it lost.
 */
int
conf_parse_leases(struct conf *c, const char *path)
{
	struct conf_dhcpd_lease *l, dummy;
	struct in_addr in;
	struct lex lx;
	struct tok t;
	char *buf, what[64], a[INET_ADDRSTRLEN];
	int errors = c->errors, serr, lerr;

	if ((buf = lex_open(c, &lx, path)) == NULL)
		return -1;
	while (file_next(&lx, &t)) {
		if (strcmp(t.text, "lease") != 0) {
			conf_err(c, &t.pos, "expected lease, found %s",
			    t.type == T_RBRACE ? "\"}\"" : t.text);
			vm_skip_stmt(&lx);
			continue;
		}
		l = conf_slot(c, &t.pos, c->dleases, &c->ndleases,
		    CONF_DHCPD_MAX_LEASES, sizeof(*l), &dummy, "leases");
		l->pos = t.pos;
		lerr = c->errors;
		if (dhcpd_next_addr(&lx, &l->addr, "the lease's address") !=
		    0 || dhcpd_open(&lx, "lease") != 0) {
			vm_skip_stmt(&lx);
			continue;
		}
		in.s_addr = htonl(l->addr);
		snprintf(what, sizeof(what), "lease %s",
		    inet_ntop(AF_INET, &in, a, sizeof(a)));
		while (block_next(&lx, &t, what)) {
			serr = c->errors;
			if (strcmp(t.text, "starts") == 0)
				lease_date(&lx, &l->starts);
			else if (strcmp(t.text, "ends") == 0)
				lease_date(&lx, &l->ends);
			else if (strcmp(t.text, "hardware") == 0) {
				struct tok m;

				if (rad_word(&lx, "ethernet") == 0 &&
				    vm_expect(&lx, &m, T_WORD,
				    "a MAC address") == 0) {
					if (conf_parse_mac(m.text, l->mac) != 0)
						conf_err(c, &m.pos, "expected "
						    "a MAC address, found %s",
						    m.text);
					else
						l->has_mac = 1;
				}
			} else if (strcmp(t.text, "client-hostname") == 0) {
				struct tok h;

				if (vm_expect(&lx, &h, T_WORD,
				    "a host name") == 0)
					snprintf(l->hostname,
					    sizeof(l->hostname), "%s", h.text);
			} else if (strcmp(t.text, "abandoned") == 0)
				l->abandoned = 1;
			else if (strcmp(t.text, "uid") == 0 ||
			    strcmp(t.text, "client-uid") == 0 ||
			    strcmp(t.text, "client-name") == 0)
				vm_skip_stmt(&lx);	/* dhcpd's, unused */
			else {
				conf_err(c, &t.pos, "unknown lease statement "
				    "\"%s\", expected starts, ends, hardware "
				    "ethernet, client-hostname or abandoned",
				    t.text);
				vm_skip_stmt(&lx);
			}
			rad_end(&lx, serr);
		}
		if (l->ends == 0 && c->errors == lerr)
			conf_err(c, &l->pos, "%s: no ends", what);
	}
	free(buf);
	return c->errors > errors ? -1 : 0;
}

/* The subnet of dhcpd.conf that holds address a, or NULL. */
const struct conf_dhcpd_subnet *
conf_dhcpd_subnet(const struct conf *c, uint32_t a)
{
	int i;

	for (i = 0; i < c->ndsubnets; i++)
		if ((a & c->dsubnets[i].mask) == c->dsubnets[i].net)
			return &c->dsubnets[i];
	return NULL;
}

/* conf_check() for dhcpd.conf: ranges in their subnets, apart. */
static void
dhcpd_check(struct conf *c)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct in_addr in;
	int i, j, k, l;

	for (i = 0; i < c->ndsubnets; i++) {
		struct conf_dhcpd_subnet *s = &c->dsubnets[i];

		for (k = 0; k < s->nranges; k++) {
			struct conf_dhcpd_range *r = &s->ranges[k];

			if ((r->lo & s->mask) != s->net ||
			    (r->hi & s->mask) != s->net) {
				in.s_addr = htonl(s->net);
				inet_ntop(AF_INET, &in, a, sizeof(a));
				in.s_addr = htonl(s->mask);
				inet_ntop(AF_INET, &in, b, sizeof(b));
				conf_err(c, &r->pos, "range outside subnet "
				    "%s netmask %s", a, b);
			}
			for (j = 0; j <= i; j++)
				for (l = 0; l < (j == i ? k :
				    c->dsubnets[j].nranges); l++) {
					const struct conf_dhcpd_range *o =
					    &c->dsubnets[j].ranges[l];

					if (r->lo <= o->hi && o->lo <= r->hi)
						conf_err(c, &r->pos, "range "
						    "overlaps the one at "
						    "line %d", o->pos.line);
				}
		}
	}
	for (i = 0; i < c->ndhosts; i++) {
		struct conf_dhcpd_host *h = &c->dhosts[i];

		if (h->addr != 0 && conf_dhcpd_subnet(c, h->addr) == NULL) {
			in.s_addr = htonl(h->addr);
			inet_ntop(AF_INET, &in, a, sizeof(a));
			conf_err(c, &h->pos, "host %s: fixed-address %s is in "
			    "no subnet declared", h->name, a);
		}
	}
}

/* ---- the directory and cross-checks ----------------------------------- */

struct conf_bridge *
conf_bridge(struct conf *c, const char *name)
{
	int i;

	for (i = 0; i < c->nbridges; i++)
		if (strcmp(c->bridges[i].name, name) == 0)
			return &c->bridges[i];
	return NULL;
}

struct conf_vlan *
conf_vlan(struct conf *c, const char *name)
{
	int i;

	for (i = 0; i < c->nvlans; i++)
		if (strcmp(c->vlans[i].name, name) == 0)
			return &c->vlans[i];
	return NULL;
}

struct conf_if *
conf_if(struct conf *c, const char *name)
{
	int i;

	for (i = 0; i < c->nifs; i++)
		if (strcmp(c->ifs[i].name, name) == 0)
			return &c->ifs[i];
	return NULL;
}

struct conf_vmif *
conf_vmif_by_tap(struct conf *c, const char *tap, struct conf_vm **vmp)
{
	int i, j;

	for (i = 0; i < c->nvms; i++)
		for (j = 0; j < c->vms[i].nifs; j++)
			if (strcmp(c->vms[i].ifs[j].tap, tap) == 0) {
				if (vmp != NULL)
					*vmp = &c->vms[i];
				return &c->vms[i].ifs[j];
			}
	return NULL;
}

static struct conf_switch *
conf_switch(struct conf *c, const char *name)
{
	int i;

	for (i = 0; i < c->nswitches; i++)
		if (strcmp(c->switches[i].name, name) == 0)
			return &c->switches[i];
	return NULL;
}

/* vmd names taps in order of use, skipping names given explicitly. */
static void
conf_assign_taps(struct conf *c)
{
	int i, j, next = 0;
	char name[CONF_NAMESIZ];

	for (i = 0; i < c->nvms; i++) {
		for (j = 0; j < c->vms[i].nifs; j++) {
			struct conf_vmif *vi = &c->vms[i].ifs[j];

			if (vi->named)
				continue;
			do
				snprintf(name, sizeof(name), "tap%d", next++);
			while (conf_vmif_by_tap(c, name, NULL) != NULL);
			snprintf(vi->tap, sizeof(vi->tap), "%s", name);
		}
	}
}

int
conf_check(struct conf *c)
{
	int i, j, k;

	conf_assign_taps(c);
	dhcpd_check(c);
	for (i = 0; i < c->nrad; i++) {
		struct conf_rad_if *ri = &c->rads[i];
		struct conf_if *ci = conf_if(c, ri->name);

		/* rad(8) advertises from the interface's link-local
		 * address: it needs IPv6 on. */
		if (ci == NULL || ci->naddrs6 == 0)
			conf_err(c, &ri->pos, "interface %s: no inet6 address "
			    "in hostname.%s to advertise from", ri->name,
			    ri->name);
		for (j = 0; j < i; j++)
			if (strcmp(c->rads[j].name, ri->name) == 0)
				conf_err(c, &ri->pos, "interface %s given "
				    "twice", ri->name);
	}
	for (i = 0; i < c->nswitches; i++) {
		struct conf_switch *sw = &c->switches[i];

		if (sw->bridge[0] && conf_bridge(c, sw->bridge) == NULL)
			conf_err(c, &sw->pos, "switch \"%s\": %s has no "
			    "hostname.%s in %s", sw->name, sw->bridge,
			    sw->bridge, c->dir);
		for (j = 0; j < i; j++)
			if (strcmp(c->switches[j].name, sw->name) == 0)
				conf_err(c, &sw->pos, "switch \"%s\" defined "
				    "twice", sw->name);
	}
	for (i = 0; i < c->nvms; i++) {
		struct conf_vm *vm = &c->vms[i];

		for (j = 0; j < i; j++)
			if (strcmp(c->vms[j].name, vm->name) == 0)
				conf_err(c, &vm->pos, "vm \"%s\" defined twice",
				    vm->name);
		for (j = 0; j < vm->nifs; j++) {
			struct conf_vmif *vi = &vm->ifs[j];
			struct conf_vm *other;

			if (vi->sw[0] && conf_switch(c, vi->sw) == NULL)
				conf_err(c, &vi->sw_pos, "vm \"%s\": unknown "
				    "switch \"%s\"", vm->name, vi->sw);
			if (conf_vmif_by_tap(c, vi->tap, &other) != vi)
				conf_err(c, &vi->pos, "vm \"%s\": %s is "
				    "already used by vm \"%s\"", vm->name,
				    vi->tap, other->name);
			if (vi->locked && !vi->has_lladdr)
				conf_err(c, &vi->pos, "vm \"%s\": locked "
				    "lladdr needs an address here (sluice does "
				    "not learn it from the guest)", vm->name);
		}
	}
	for (i = 0; i < c->nbridges; i++) {
		struct conf_bridge *b = &c->bridges[i];

		for (j = 0; j < b->nmembers; j++) {
			struct conf_member *m = &b->members[j];

			if (is_bridge_name(m->ifname))
				conf_err(c, &m->pos, "%s: a bridge cannot be a "
				    "member of a bridge", m->ifname);
			else if (is_vlan_name(m->ifname) &&
			    conf_vlan(c, m->ifname) == NULL)
				conf_err(c, &m->pos, "%s has no hostname.%s",
				    m->ifname, m->ifname);
			else if (strncmp(m->ifname, "tap", 3) == 0 &&
			    conf_vmif_by_tap(c, m->ifname, NULL) == NULL)
				conf_err(c, &m->pos, "%s is not an interface "
				    "of any vm in vm.conf", m->ifname);
			for (k = 0; k < i; k++)
				if (bridge_find_member(&c->bridges[k],
				    m->ifname) != NULL)
					conf_err(c, &m->pos, "%s is already a "
					    "member of %s", m->ifname,
					    c->bridges[k].name);
		}
	}
	for (i = 0; i < c->nvlans; i++) {
		struct conf_vlan *v = &c->vlans[i];

		for (j = 0; j < i; j++)
			if (strcmp(c->vlans[j].parent, v->parent) == 0 &&
			    c->vlans[j].vid == v->vid && v->vid != 0)
				conf_err(c, &v->pos, "%s: vlan %u on %s is "
				    "already %s", v->name, v->vid, v->parent,
				    c->vlans[j].name);
		if (is_vlan_name(v->parent) || is_bridge_name(v->parent))
			conf_err(c, &v->pos, "%s: parent %s must be a "
			    "physical interface", v->name, v->parent);
	}
	return c->errors ? -1 : 0;
}

/*
 * Line-oriented files with '#' comments: calls fn for each meaningful
 * line with its first column.
 */
static void
conf_lines(struct conf *c, const char *path, void (*fn)(struct conf *,
    const struct conf_pos *, char *))
{
	struct conf_pos pos;
	char line[512], *p, *e;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return;
	pos.file = conf_intern(c, path);
	pos.line = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		pos.line++;
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (*p == '\0')
			continue;
		pos.col = (int)(p - line) + 1;
		fn(c, &pos, p);
	}
	fclose(f);
}

/* /etc/mygate: the default gateway, first address line. */
static void
mygate_line(struct conf *c, const struct conf_pos *pos, char *line)
{
	struct in_addr in;

	if (c->has_mygate && strchr(line, ':') == NULL)
		return;
	if (strchr(line, ':') != NULL) {
		/* mygate(5): the first IPv6 line is the IPv6 default. */
		if (c->has_mygate6)
			return;
		if (parse_gw6(line, c->mygate6.gw, c->mygate6.gwif) != 0) {
			conf_err(c, pos, "bad gateway \"%s\", expected an IPv6 "
			    "address (fe80::...%%IF if link-local)", line);
			return;
		}
		c->mygate6.pos = *pos;
		c->has_mygate6 = 1;
		return;
	}
	if (inet_pton(AF_INET, line, &in) != 1) {
		conf_err(c, pos, "bad gateway \"%s\", expected an IPv4 "
		    "address", line);
		return;
	}
	c->mygate.gw = in.s_addr;
	c->mygate.pos = *pos;
	c->has_mygate = 1;
}

/* /etc/sysctl.conf: the sysctls of sysctl.h; others are warned about. */
static void
sysctl_line(struct conf *c, const struct conf_pos *pos, char *line)
{
	char *eq = strchr(line, '='), range[48];
	int i;

	if (eq == NULL) {
		conf_err(c, pos, "expected name=value, found \"%s\"", line);
		return;
	}
	*eq++ = '\0';
	if ((i = sysctl_find(line)) < 0) {
		conf_warn(c, pos, "%s is not a sysctl sluice has", line);
		return;
	}
	if (sysctl_value(i, eq, &c->sysctl[i]) != 0)
		conf_err(c, pos, "%s=%s: expected %s", line, eq,
		    sysctl_range(i, range, sizeof(range)));
}

/* qsort() order of an array of names (char *). */
int
conf_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
conf_load(struct conf *c, const char *dir, FILE *err)
{
	char path[PATH_MAX + 64], *names[256];
	struct conf_pos dpos;
	struct dirent *de;
	DIR *d;
	int i, n = 0;

	memset(c, 0, sizeof(*c));
	sysctl_defaults(c->sysctl);
	c->err = err;
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	dpos.file = conf_intern(c, dir);
	dpos.line = dpos.col = 0;
	if ((d = opendir(dir)) == NULL) {
		conf_err(c, &dpos, "%s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < 256) {
		if (strncmp(de->d_name, "hostname.", 9) == 0 &&
		    valid_ifname(de->d_name + 9))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	/* Sorted, so that errors and tap order do not depend on readdir. */
	qsort(names, n, sizeof(names[0]), conf_name_cmp);
	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		conf_parse_hostname(c, path, names[i] + 9);
		free(names[i]);
	}
	snprintf(path, sizeof(path), "%s/vm.conf", dir);
	if (access(path, F_OK) == 0)
		conf_parse_vmconf(c, path);
	snprintf(path, sizeof(path), "%s/rad.conf", dir);
	if (access(path, F_OK) == 0)
		conf_parse_radconf(c, path);
	snprintf(path, sizeof(path), "%s/dhcpd.conf", dir);
	if (access(path, F_OK) == 0)
		conf_parse_dhcpdconf(c, path);
	snprintf(path, sizeof(path), "%s/mygate", dir);
	conf_lines(c, path, mygate_line);
	snprintf(path, sizeof(path), "%s/sysctl.conf", dir);
	conf_lines(c, path, sysctl_line);
	conf_check(c);
	return c->errors ? -1 : 0;
}

void
conf_free(struct conf *c)
{
	int i;

	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	c->nfiles = 0;
	for (i = 0; i < c->nbridges; i++) {
		free(c->bridges[i].rules);
		c->bridges[i].rules = NULL;
		c->bridges[i].nrules = 0;
	}
}
