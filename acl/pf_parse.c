/*
 * pf_parse.c: a recursive-descent parser for pf.conf(5).
 *
 * The grammar, the checks and the messages are those of OpenBSD's
 * sbin/pfctl/parse.y, because pfctl's output (and its error output) is
 * what sluice has to reproduce byte for byte.  The parser is hand-written
 * rather than generated: each nonterminal is one function, and the
 * semantic actions are the code that follows the tokens they need.
 *
 * Errors work as yacc's do there.  A syntax error or a failed action
 * (YYERROR) unwinds to the statement loop with longjmp; the loop then
 * throws tokens away up to the end of the line and goes on, so that every
 * problem of a file is reported in one run.  yacc's rule that a second
 * syntax error within three tokens of the last one is not reported is
 * kept too (errflag), since the regress outputs depend on it.  All memory
 * taken while parsing comes from the arena, so unwinding leaks nothing.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_impl.h"

#define IPPROTO_ICMPV6_	58
#define IFQ_MAXPRIO	7
#define RT_TABLEID_MAX	255
#define PF_THRESHOLD_MAX 0xffffffff / 1000

#define ICMP_UNREACH		3
#define ICMP_UNREACH_PORT	3
#define ICMP6_DST_UNREACH	1
#define ICMP6_DST_UNREACH_NOPORT 4

static void	 stmt(struct pf_parser *);
static void	 pfrule(struct pf_parser *);
static void	 anchorrule(struct pf_parser *);

/* tokens ----------------------------------------------------------------- */

static int
peek(struct pf_parser *p)
{
	if (!p->have) {
		pf_lex_next(&p->lx, &p->tok);
		p->have = 1;
	}
	return (p->tok.type);
}

/* consume the lookahead: yacc's "shift" */
static void
shift(struct pf_parser *p)
{
	peek(p);
	p->have = 0;
	if (p->errflag > 0)
		p->errflag--;
}

static int
tok_accept(struct pf_parser *p, int t)
{
	if (peek(p) != t)
		return (0);
	shift(p);
	return (1);
}

static void __attribute__((__noreturn__))
yyerror_jmp(struct pf_parser *p)
{
	longjmp(*(jmp_buf *)p->jb, 1);
}

void
pf_yyerror(struct pf_parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pf_lex_verror(&p->lx, fmt, ap);
	va_end(ap);
}

/* a semantic action failed: YYERROR */
static void __attribute__((__noreturn__, __format__ (printf, 2, 3)))
fail(struct pf_parser *p, const char *fmt, ...)
{
	va_list	ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		pf_lex_verror(&p->lx, fmt, ap);
		va_end(ap);
	}
	yyerror_jmp(p);
}

static void __attribute__((__noreturn__))
syntax(struct pf_parser *p)
{
	peek(p);
	if (p->errflag == 0)
		pf_yyerror(p, "syntax error");
	else if (p->lx.file != NULL)
		p->lx.file->errors++;
	yyerror_jmp(p);
}

static void
expect(struct pf_parser *p, int t)
{
	if (!tok_accept(p, t))
		syntax(p);
}

static char *
xstring(struct pf_parser *p)
{
	char	*s;

	if (peek(p) != T_STRING)
		syntax(p);
	s = p->tok.s;
	shift(p);
	return (s);
}

static long long
xnumber(struct pf_parser *p)
{
	long long	n;

	if (peek(p) != T_NUMBER)
		syntax(p);
	n = p->tok.n;
	shift(p);
	return (n);
}

/* optnl: '\n' optnl | empty */
static void
optnl(struct pf_parser *p)
{
	while (tok_accept(p, '\n'))
		;
}

/* comma: ',' | empty */
static void
comma(struct pf_parser *p)
{
	tok_accept(p, ',');
}

/* string: STRING string | STRING -- consecutive words joined by spaces */
static char *
string(struct pf_parser *p)
{
	char	*s = xstring(p);

	while (peek(p) == T_STRING) {
		s = pf_printf(p->arena, "%s %s", s, p->tok.s);
		shift(p);
	}
	return (s);
}

/* numberstring: NUMBER | STRING */
static char *
numberstring(struct pf_parser *p)
{
	char	*s;

	if (peek(p) == T_NUMBER) {
		s = pf_printf(p->arena, "%lld", p->tok.n);
		shift(p);
		return (s);
	}
	return (xstring(p));
}

static int
atoul(const char *s, unsigned long *v)
{
	char	*ep;

	errno = 0;
	*v = strtoul(s, &ep, 0);
	if (s[0] == '\0' || *ep != '\0')
		return (-1);
	if (errno == ERANGE && *v == ULONG_MAX)
		return (-1);
	return (0);
}

/* -W: "file:line: warning: ...", once per kind (bit) and file */
static void __attribute__((format(printf, 4, 5)))
pf_lint_say(struct pf_parser *p, int line, unsigned bit, const char *fmt,
    ...)
{
	va_list	ap;

	if (!p->lint || (p->linted & bit))
		return;
	p->linted |= bit;
	fprintf(p->err, "%s:%d: warning: ", p->lx.file ? p->lx.file->name :
	    "?", line);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
}

void
pf_lint(struct pf_parser *p, int line, unsigned bit, const char *what)
{
	pf_lint_say(p, line, bit, "%s not enforced by sluice", what);
}

/* options ---------------------------------------------------------------- */

static const struct {
	const char	*name;
	struct { const char *t; int v; } tm[8];
} hints[] = {
	{ "normal", { { "tcp.first", 2 * 60 }, { "tcp.opening", 30 },
	    { "tcp.established", 24 * 60 * 60 }, { "tcp.closing", 15 * 60 },
	    { "tcp.finwait", 45 }, { "tcp.closed", 90 },
	    { "tcp.tsdiff", 30 }, { NULL, 0 } } },
	{ "satellite", { { "tcp.first", 3 * 60 }, { "tcp.opening", 30 + 5 },
	    { "tcp.established", 24 * 60 * 60 },
	    { "tcp.closing", 15 * 60 + 5 }, { "tcp.finwait", 45 + 5 },
	    { "tcp.closed", 90 + 5 }, { "tcp.tsdiff", 60 }, { NULL, 0 } } },
	{ "high-latency", { { "tcp.first", 3 * 60 },
	    { "tcp.opening", 30 + 5 }, { "tcp.established", 24 * 60 * 60 },
	    { "tcp.closing", 15 * 60 + 5 }, { "tcp.finwait", 45 + 5 },
	    { "tcp.closed", 90 + 5 }, { "tcp.tsdiff", 60 }, { NULL, 0 } } },
	{ "conservative", { { "tcp.first", 60 * 60 },
	    { "tcp.opening", 15 * 60 }, { "tcp.established", 5 * 24 * 60 * 60 },
	    { "tcp.closing", 60 * 60 }, { "tcp.finwait", 10 * 60 },
	    { "tcp.closed", 3 * 90 }, { "tcp.tsdiff", 60 }, { NULL, 0 } } },
	{ "aggressive", { { "tcp.first", 30 }, { "tcp.opening", 5 },
	    { "tcp.established", 5 * 60 * 60 }, { "tcp.closing", 60 },
	    { "tcp.finwait", 30 }, { "tcp.closed", 30 }, { "tcp.tsdiff", 10 },
	    { NULL, 0 } } },
};

static int
set_timeout(struct pf_parser *p, const char *opt, long long seconds,
    int quiet)
{
	int	i;

	for (i = 0; pf_timeouts[i].name; i++)
		if (strcasecmp(opt, pf_timeouts[i].name) == 0) {
			p->conf->timeout[pf_timeouts[i].timeout] =
			    (uint32_t)seconds;
			p->conf->timeout_set[pf_timeouts[i].timeout] = 1;
			break;
		}
	if (pf_timeouts[i].name == NULL) {
		fprintf(p->err, "pfctl: Bad timeout name.\n");
		return (1);
	}
	if (p->out && !quiet)
		fprintf(p->out, "set timeout %s %d\n", opt, (int)seconds);
	return (0);
}

static void
timeout_spec(struct pf_parser *p)
{
	char		*s = xstring(p);
	long long	 n = xnumber(p);

	if (n < 0 || n > UINT_MAX)
		fail(p, "only positive values permitted");
	if (set_timeout(p, s, n, 0) != 0)
		fail(p, "unknown timeout %s", s);
}

static void
limit_spec(struct pf_parser *p)
{
	char		*s = xstring(p);
	long long	 n = xnumber(p);
	int		 i;

	if (n < 0 || n > UINT_MAX)
		fail(p, "only positive values permitted");
	for (i = 0; pf_limit_names[i]; i++)
		if (strcasecmp(s, pf_limit_names[i]) == 0)
			break;
	if (pf_limit_names[i] == NULL) {
		fprintf(p->err, "pfctl: Bad pool name.\n");
		fail(p, "unable to set limit %s %lld", s, n);
	}
	p->conf->limit[i] = (uint32_t)n;
	p->conf->limit_set[i] = 1;
	if (p->out)
		fprintf(p->out, "set limit %s %d\n", s, (int)n);
	/*
	 * Every limit is enforced.  Fragments are held as pf holds them,
	 * but each datagram
	 * being reassembled takes a 64 KiB buffer of the packet pool, of
	 * which 64 at most go to reassembly: say so where that is less.
	 */
	if (i == ACL_LIMIT_FRAGS && n > ACL_REASS_DGRAMS && p->lint)
		fprintf(p->err, "%s:%d: warning: set limit frags %lld: "
		    "sluice holds %lld fragments but reassembles at most %d "
		    "datagrams at a time\n",
		    p->lx.file ? p->lx.file->name : "?", p->lx.lineno, n, n,
		    ACL_REASS_DGRAMS);
}

static const char *const loglevels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

static int
string_to_loglevel(const char *name)
{
	char	buf[40];
	size_t	i;

	if (isdigit((unsigned char)*name)) {
		char	*ep;
		long	 v = strtol(name, &ep, 10);

		if (*ep != '\0' || v < 0 || v > 7)
			return (-1);
		return ((int)v);
	}
	for (i = 0; name[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
	for (i = 0; i < 8; i++)
		if (strcmp(buf, loglevels[i]) == 0)
			return ((int)i);
	if (strcmp(buf, "panic") == 0)
		return (0);
	if (strcmp(buf, "error") == 0)
		return (3);
	if (strcmp(buf, "warn") == 0)
		return (4);
	return (-1);
}

static void
set_debug(struct pf_parser *p, const char *d)
{
	int	level;

	if ((level = string_to_loglevel(d)) < 0) {
		fprintf(p->err, "pfctl: unknown debug level \"%s\"\n", d);
		fail(p, "error setting debuglevel %s", d);
	}
	p->conf->debug = level;
	if (p->out)
		fprintf(p->out, "set debug %s\n", d);
}

static struct node_if *if_item(struct pf_parser *);
static struct node_if *interface(struct pf_parser *);
static struct node_state_opt *state_opt_list(struct pf_parser *);

static void
skip_interfaces(struct pf_parser *p, struct node_if *ifs, int line)
{
	struct node_if	*i;
	int		 errs = 0;

	if (ifs == NULL || (ifs->next == NULL && !ifs->not &&
	    !strcmp(ifs->ifname, "none"))) {
		if (p->out)
			fprintf(p->out, "set skip on none\n");
		while (p->conf->nskip > 0)
			free(p->conf->skip[--p->conf->nskip]);
		return;
	}
	if (p->out)
		fprintf(p->out, "set skip on {");
	for (i = ifs; i != NULL; i = i->next) {
		if (p->out)
			fprintf(p->out, " %s", i->ifname);
		if (i->not) {
			pf_yyerror(p, "skip on ! <interface> is not supported");
			errs++;
		} else if (i->use_rdomain) {
			pf_yyerror(p,
			    "skip on rdomain <num> is not supported");
			errs++;
		} else {
			char **n = realloc(p->conf->skip,
			    (p->conf->nskip + 1) * sizeof(*n));

			if (n == NULL)
				abort();
			p->conf->skip = n;
			n[p->conf->nskip++] = pf_conf_strdup(p->conf,
			    i->ifname);
		}
	}
	if (p->out)
		fprintf(p->out, " }\n");
	(void)line;
	if (errs)
		fail(p, "error setting skip interface(s)");
}

static void
option(struct pf_parser *p)
{
	char		*s;
	long long	 n;
	int		 line = p->lx.lineno;

	expect(p, K_SET);
	switch (peek(p)) {
	case K_REASSEMBLE: {
		int yes, nodf = 0;

		shift(p);
		if (tok_accept(p, K_NO))
			yes = 0;
		else {
			s = xstring(p);
			if (strcmp(s, "yes"))
				fail(p, "invalid value '%s', expected 'yes' "
				    "or 'no'", s);
			yes = 1;
		}
		if (tok_accept(p, K_NODF))
			nodf = 1;
		p->conf->reassemble = yes ? ACL_REASS_ENABLED |
		    (nodf ? ACL_REASS_NODF : 0) : 0;
		if (p->out)
			fprintf(p->out, "set reassemble %s %s\n",
			    yes ? "yes" : "no", nodf ? "no-df" : "");
		break;
	}
	case K_OPTIMIZATION: {
		size_t	i;
		int	j;

		shift(p);
		s = xstring(p);
		for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
			if (strcasecmp(s, hints[i].name) == 0)
				break;
		if (i == sizeof(hints) / sizeof(hints[0])) {
			fprintf(p->err, "pfctl: invalid state timeouts "
			    "optimization\n");
			fail(p, "unknown optimization %s", s);
		}
		for (j = 0; hints[i].tm[j].t; j++)
			set_timeout(p, hints[i].tm[j].t, hints[i].tm[j].v, 1);
		if (p->out)
			fprintf(p->out, "set optimization %s\n", s);
		break;
	}
	case K_RULESET_OPTIMIZATION:
		shift(p);
		s = string(p);
		if (strcmp(s, "none") && strcmp(s, "basic") &&
		    strcmp(s, "profile"))
			fail(p, "unknown ruleset-optimization %s", s);
		break;
	case K_TIMEOUT:
		shift(p);
		if (tok_accept(p, '{')) {
			optnl(p);
			for (;;) {
				timeout_spec(p);
				optnl(p);
				if (tok_accept(p, '}'))
					break;
				comma(p);
			}
		} else
			timeout_spec(p);
		break;
	case K_LIMIT:
		shift(p);
		if (tok_accept(p, '{')) {
			optnl(p);
			for (;;) {
				limit_spec(p);
				optnl(p);
				if (tok_accept(p, '}'))
					break;
				comma(p);
			}
		} else
			limit_spec(p);
		break;
	case K_LOGINTERFACE:
		shift(p);
		if (tok_accept(p, K_ALL))
			s = "all";
		else
			s = xstring(p);
		if (!strcmp(s, "none"))
			p->conf->loginterface[0] = '\0';
		else
			snprintf(p->conf->loginterface,
			    sizeof(p->conf->loginterface), "%s", s);
		if (p->out)
			fprintf(p->out, "set loginterface %s\n", s);
		break;
	case K_HOSTID: {
		unsigned long	ul;

		shift(p);
		if (peek(p) == T_STRING) {
			s = xstring(p);
			if (atoul(s, &ul) == -1)
				fail(p, "%s is not a number", s);
			n = (long long)ul;
		} else
			n = xnumber(p);
		if (n == 0 || n > UINT_MAX)
			fail(p, "hostid must be non-zero");
		p->conf->hostid = (uint32_t)n;
		if (p->out)
			fprintf(p->out, "set hostid 0x%08x\n", (uint32_t)n);
		break;
	}
	case K_BLOCKPOLICY:
		shift(p);
		if (tok_accept(p, K_DROP)) {
			if (p->out)
				fprintf(p->out, "set block-policy drop\n");
			p->blockpolicy = ACL_RF_DROP;
		} else if (tok_accept(p, K_RETURN)) {
			if (p->out)
				fprintf(p->out, "set block-policy return\n");
			p->blockpolicy = ACL_RF_RETURN;
		} else
			syntax(p);
		p->conf->block_policy = p->blockpolicy;
		break;
	case K_FINGERPRINTS:
		shift(p);
		s = xstring(p);
		if (p->out)
			fprintf(p->out, "set fingerprints \"%s\"\n", s);
		/* read now: the rules after it name what it holds */
		if (p->anchor == p->conf->root && !p->lx.nofiles) {
			const char *path = pf_confpath(p->arena, p->lx.confdir,
			    s);

			if (acl_osfp_read(p->conf->osfp, path, path, p->err)
			    == -1) {
				fprintf(p->err, "pfctl: %s: %s\n", path,
				    strerror(errno));
				fail(p, "error loading fingerprints %s", s);
			}
		}
		break;
	case K_STATEPOLICY:
		shift(p);
		if (tok_accept(p, K_IFBOUND)) {
			if (p->out)
				fprintf(p->out, "set state-policy if-bound\n");
			p->default_statelock = ACL_RF_IFBOUND;
		} else if (tok_accept(p, K_FLOATING)) {
			if (p->out)
				fprintf(p->out, "set state-policy floating\n");
			p->default_statelock = 0;
		} else
			syntax(p);
		p->conf->state_policy = p->default_statelock;
		break;
	case K_DEBUG:
		shift(p);
		if (tok_accept(p, K_DEBUG))
			set_debug(p, "debug");
		else
			set_debug(p, xstring(p));
		break;
	case K_SKIP:
		shift(p);
		skip_interfaces(p, interface(p), line);
		break;
	case K_STATEDEFAULTS: {
		struct node_state_opt	*o;

		shift(p);
		o = state_opt_list(p);
		if (p->keep_state_defaults != NULL)
			fail(p, "cannot redefine state-defaults");
		p->keep_state_defaults = o;
		break;
	}
	case K_SYNCOOKIES: {
		int	val;
		double	hi = 0, lo = 0;
		int	wm = 0;

		shift(p);
		s = xstring(p);
		if (!strcmp(s, "never"))
			val = 0;
		else if (!strcmp(s, "always"))
			val = 1;
		else if (!strcmp(s, "adaptive"))
			val = 2;
		else
			fail(p, "illegal value for syncookies");
		if (tok_accept(p, '(')) {
			wm = 1;
			for (;;) {
				char	*k = xstring(p), *v = xstring(p);
				char	*cp;
				double	 d = strtod(v, &cp);

				if (strcmp(cp, "%"))
					fail(p, NULL);
				if (d <= 0 || d > 100)
					fail(p, "illegal percentage value");
				if (!strcmp(k, "start"))
					hi = d;
				else if (!strcmp(k, "end"))
					lo = d;
				else
					fail(p, "illegal syncookie option");
				if (tok_accept(p, ')'))
					break;
				comma(p);
			}
		}
		if (val != 2 && wm) {
			fprintf(p->err, "pfctl: syncookies start/end only "
			    "apply to adaptive\n");
			fail(p, "error setting syncookies");
		}
		if (wm) {
			if (!hi)
				hi = 25;
			if (!lo)
				lo = (unsigned)hi / 2;
			if (lo >= hi) {
				fprintf(p->err, "pfctl: start must be higher "
				    "than end\n");
				fail(p, "error setting syncookies");
			}
		}
		if (p->out) {
			if (val == 0)
				fprintf(p->out, "set syncookies never\n");
			else if (val == 1)
				fprintf(p->out, "set syncookies always\n");
			else if (wm)
				fprintf(p->out, "set syncookies adaptive "
				    "(start %u%%, end %u%%)\n", (unsigned)hi,
				    (unsigned)lo);
			else
				fprintf(p->out, "set syncookies adaptive\n");
		}
		p->conf->syncookies = val;
		if (wm) {
			p->conf->syncookies_hi = (uint8_t)hi;
			p->conf->syncookies_lo = (uint8_t)lo;
		}
		break;
	}
	default:
		syntax(p);
	}
}

/* interfaces, protocols ---------------------------------------------------- */

static struct node_if *
if_item(struct pf_parser *p)
{
	struct node_if		*n;
	struct node_host	*h;
	char			*s;
	long long		 d;

	n = pf_alloc(p->arena, sizeof(*n));
	n->tail = n;
	switch (peek(p)) {
	case T_STRING:
		s = xstring(p);
		if (strlen(s) >= sizeof(n->ifname))
			fail(p, "interface name too long");
		snprintf(n->ifname, sizeof(n->ifname), "%s", s);
		if ((h = pf_ifa_exists(&p->hc, s)) != NULL)
			n->ifa_flags = h->ifa_flags;
		break;
	case K_ANY:
		shift(p);
		snprintf(n->ifname, sizeof(n->ifname), "any");
		break;
	case K_RDOMAIN:
		shift(p);
		d = xnumber(p);
		if (d < 0 || d > RT_TABLEID_MAX)
			pf_yyerror(p, "rdomain %lld outside range", d);
		n->use_rdomain = 1;
		n->rdomain = (int)d;
		break;
	default:
		syntax(p);
	}
	return (n);
}

/*
 * item | '{' optnl item (comma item optnl)* '}': parse.y's typed lists
 * (if_list, proto_list, port_list, uid_list, icmp_list) have one shape for
 * every node type with next and tail members.  ITEM, a call, is evaluated
 * once per element; the list's head is the value.
 */
#define BRACE_LIST(p, item) __extension__ ({				\
	__typeof__(item) h_, n_;					\
									\
	if (!tok_accept((p), '{'))					\
		h_ = (item);						\
	else {								\
		optnl(p);						\
		h_ = (item);						\
		optnl(p);						\
		while (!tok_accept((p), '}')) {				\
			comma(p);					\
			n_ = (item);					\
			optnl(p);					\
			h_->tail->next = n_;				\
			h_->tail = n_;					\
		}							\
	}								\
	h_;								\
})

static struct node_if *
if_item_not(struct pf_parser *p)
{
	int		 not = tok_accept(p, '!');
	struct node_if	*n = if_item(p);

	n->not = not;
	return (n);
}

/* interface: empty | ON if_item_not | ON '{' optnl if_list '}' */
static struct node_if *
interface(struct pf_parser *p)
{
	if (!tok_accept(p, K_ON))
		return (NULL);
	return (BRACE_LIST(p, if_item_not(p)));
}

static uint8_t
af(struct pf_parser *p)
{
	if (tok_accept(p, K_INET))
		return (AF_INET);
	if (tok_accept(p, K_INET6))
		return (AF_INET6);
	return (0);
}

static struct node_proto *
proto_item(struct pf_parser *p)
{
	struct node_proto	*n;
	long long		 v;
	char			*s;

	if (peek(p) == T_STRING) {
		s = xstring(p);
		if ((v = pf_getproto(s)) < 0)
			fail(p, "unknown protocol %s", s);
	} else {
		v = xnumber(p);
		if (v < 0 || v > 255)
			fail(p, "protocol outside range");
	}
	if ((uint8_t)v == 0)
		fail(p, "proto 0 cannot be used");
	n = pf_alloc(p->arena, sizeof(*n));
	n->proto = (uint8_t)v;
	n->tail = n;
	return (n);
}

static struct node_proto *
proto(struct pf_parser *p)
{
	if (!tok_accept(p, K_PROTO))
		return (NULL);
	return (BRACE_LIST(p, proto_item(p)));
}

/* hosts ------------------------------------------------------------------- */

static struct node_host *
host_or_fail(struct pf_parser *p, const char *s)
{
	struct node_host	*h;

	if ((h = pf_host(&p->hc, s)) == NULL)
		fail(p, "could not parse host specification");
	return (h);
}

static struct node_host *
dynaddr(struct pf_parser *p)
{
	struct node_host	*h;
	char			*s, *c;
	int			 flags = 0;

	expect(p, '(');
	s = xstring(p);
	expect(p, ')');
	if (!isalpha((unsigned char)s[0]))
		fail(p, "invalid interface name '%s'", s);
	s = pf_strdup(p->arena, s);
	while ((c = strrchr(s, ':')) != NULL) {
		int f = pf_ifa_modifier(c + 1);

		if (f < 0)
			fail(p, "interface %s has bad modifier", s);
		else
			flags |= f;
		*c = '\0';
	}
	if (flags & (flags - 1) & (ACL_IFA_NETWORK | ACL_IFA_BROADCAST |
	    ACL_IFA_PEER))
		fail(p, "illegal combination of interface modifiers");
	h = pf_alloc(p->arena, sizeof(*h));
	h->af = 0;
	pf_set_ipmask(h, 128);
	h->addr.type = ACL_ADDR_DYNIFTL;
	h->addr.iflags = (uint8_t)flags;
	if (strlen(s) >= sizeof(h->addr.ifname))
		fail(p, "interface name too long");
	snprintf(h->addr.ifname, sizeof(h->addr.ifname), "%s", s);
	h->tail = h;
	return (h);
}

static struct node_host *
host(struct pf_parser *p)
{
	struct node_host	*h, *b, *e, *n;
	char			*s, *s2;
	long long		 m;

	switch (peek(p)) {
	case T_STRING:
		s = xstring(p);
		if (tok_accept(p, '-')) {
			s2 = xstring(p);
			b = pf_host(&p->hc, s);
			e = b ? pf_host(&p->hc, s2) : NULL;
			if (b == NULL || e == NULL)
				fail(p, "could not parse host specification");
			if (b->af != e->af ||
			    b->addr.type != ACL_ADDR_ADDRMASK ||
			    e->addr.type != ACL_ADDR_ADDRMASK ||
			    pf_unmask(&b->addr.a.mask) !=
			    (b->af == AF_INET ? 32 : 128) ||
			    pf_unmask(&e->addr.a.mask) !=
			    (e->af == AF_INET ? 32 : 128) ||
			    b->next != NULL || b->not ||
			    e->next != NULL || e->not)
				fail(p, "invalid address range");
			b->addr.a.mask = e->addr.a.addr;
			b->addr.type = ACL_ADDR_RANGE;
			return (b);
		}
		if (tok_accept(p, '/')) {
			m = xnumber(p);
			s = pf_printf(p->arena, "%s/%lld", s, m);
		}
		return (host_or_fail(p, s));
	case T_NUMBER:
		m = xnumber(p);
		expect(p, '/');
		s = pf_printf(p->arena, "%lld/%lld", m, xnumber(p));
		return (host_or_fail(p, s));
	case '(':
		h = dynaddr(p);
		if (tok_accept(p, '/')) {
			m = xnumber(p);
			if (m < 0 || m > 128)
				fail(p, "bit number too big");
			for (n = h; n != NULL; n = n->next)
				pf_set_ipmask(n, (int)m);
		}
		return (h);
	case '<':
		shift(p);
		s = xstring(p);
		expect(p, '>');
		if (strlen(s) >= ACL_TABLE_NAME_SIZE)
			fail(p, "table name '%s' too long", s);
		h = pf_alloc(p->arena, sizeof(*h));
		h->addr.type = ACL_ADDR_TABLE;
		snprintf(h->addr.tblname, sizeof(h->addr.tblname), "%s", s);
		h->tail = h;
		return (h);
	case K_ROUTE:
		shift(p);
		s = xstring(p);
		h = pf_alloc(p->arena, sizeof(*h));
		h->addr.type = ACL_ADDR_RTLABEL;
		if (strlen(s) >= sizeof(h->addr.rtlabel))
			fail(p, "route label too long, max %zu chars",
			    sizeof(h->addr.rtlabel) - 1);
		snprintf(h->addr.rtlabel, sizeof(h->addr.rtlabel), "%s", s);
		h->tail = h;
		pf_lint_say(p, p->lx.lineno, PF_LINT_RTLABEL, "route labels: "
		    "sluice's routes carry none, so route \"%s\" matches no "
		    "address", s);
		return (h);
	default:
		syntax(p);
	}
}

/* xhost: not host | not NOROUTE | not URPFFAILED */
static struct node_host *
xhost(struct pf_parser *p)
{
	struct node_host	*h, *n;
	int			 not = tok_accept(p, '!');

	if (tok_accept(p, K_NOROUTE)) {
		h = pf_alloc(p->arena, sizeof(*h));
		h->addr.type = ACL_ADDR_NOROUTE;
		h->not = (uint8_t)not;
		h->tail = h;
		return (h);
	}
	if (tok_accept(p, K_URPFFAILED)) {
		h = pf_alloc(p->arena, sizeof(*h));
		h->addr.type = ACL_ADDR_URPFFAILED;
		h->not = (uint8_t)not;
		h->tail = h;
		return (h);
	}
	h = host(p);
	for (n = h; n != NULL; n = n->next)
		n->not = (uint8_t)not;
	return (h);
}

static struct node_host *ipspec(struct pf_parser *, int *);

/*
 * ipspec: ANY | xhost | '{' optnl host_list '}'.  NULL means "any";
 * *isany tells it from an empty result.
 */
static struct node_host *
host_list(struct pf_parser *p, int *isany)
{
	struct node_host	*h, *n;
	int			 any, hany;

	h = ipspec(p, &hany);
	optnl(p);
	while (!tok_accept(p, '}')) {
		comma(p);
		n = ipspec(p, &any);
		optnl(p);
		if (hany)
			continue;
		if (any) {
			h = NULL;
			hany = 1;
			continue;
		}
		h->tail->next = n;
		h->tail = n->tail;
	}
	*isany = hany;
	return (h);
}

/*
 * Braces nest in host lists; yacc's stack (YYMAXDEPTH) bounds them in
 * pfctl, this bounds the recursion here.
 */
#define PF_MAXNEST	256

static void
nest(struct pf_parser *p, int d)
{
	p->depth += d;
	if (p->depth > PF_MAXNEST) {
		p->depth = 0;
		fail(p, "yacc stack overflow");
	}
}

static struct node_host *
ipspec(struct pf_parser *p, int *isany)
{
	struct node_host	*h;

	*isany = 0;
	if (tok_accept(p, K_ANY)) {
		*isany = 1;
		return (NULL);
	}
	if (tok_accept(p, '{')) {
		nest(p, 1);
		optnl(p);
		h = host_list(p, isany);
		nest(p, -1);
		return (h);
	}
	return (xhost(p));
}

/* ports ------------------------------------------------------------------ */

static int
getservice(struct pf_parser *p, const char *n)
{
	int	port, r;

	if ((r = pf_getservice(n, &port)) == -2) {
		pf_yyerror(p, "illegal port value %d", port);
		return (-1);
	}
	if (r == -1) {
		pf_yyerror(p, "unknown port %s", n);
		return (-1);
	}
	return (port);
}

#define PPORT_RANGE	1
#define PPORT_STAR	2

static int
parseport(struct pf_parser *p, char *port, struct pf_range *r, int ext)
{
	char	*c = strchr(port, ':');

	if (c == NULL) {
		if ((r->a = getservice(p, port)) == -1)
			return (-1);
		r->b = 0;
		r->t = ACL_OP_NONE;
		return (0);
	}
	if ((ext & PPORT_STAR) && !strcmp(c + 1, "*")) {
		*c = 0;
		if ((r->a = getservice(p, port)) == -1)
			return (-1);
		r->b = 0;
		r->t = ACL_OP_IRG;
		return (0);
	}
	if (ext & PPORT_RANGE) {
		*c++ = 0;
		if ((r->a = getservice(p, port)) == -1 ||
		    (r->b = getservice(p, c)) == -1)
			return (-1);
		if (r->a == r->b) {
			r->b = 0;
			r->t = ACL_OP_NONE;
		} else
			r->t = ACL_OP_RRG;
		return (0);
	}
	pf_yyerror(p, "port is invalid: %s", port);
	return (-1);
}

static struct pf_range
portx(struct pf_parser *p, int ext)
{
	struct pf_range	 r;
	char		*s = pf_strdup(p->arena, numberstring(p));

	if (parseport(p, s, &r, ext) == -1)
		fail(p, NULL);
	return (r);
}

int
pf_validate_range(uint8_t op, uint16_t a, uint16_t b)
{
	if ((op == ACL_OP_RRG && a > b) || (op == ACL_OP_IRG && a >= b) ||
	    (op == ACL_OP_XRG && a > b))
		return (1);
	return (0);
}

static int
unaryop(struct pf_parser *p)
{
	switch (peek(p)) {
	case '=':
		shift(p);
		return (ACL_OP_EQ);
	case T_NE:
		shift(p);
		return (ACL_OP_NE);
	case T_LE:
		shift(p);
		return (ACL_OP_LE);
	case '<':
		shift(p);
		return (ACL_OP_LT);
	case T_GE:
		shift(p);
		return (ACL_OP_GE);
	case '>':
		shift(p);
		return (ACL_OP_GT);
	}
	return (0);
}

static struct node_port *
port_item(struct pf_parser *p)
{
	struct node_port	*n;
	struct pf_range		 a, b;
	int			 op;

	n = pf_alloc(p->arena, sizeof(*n));
	n->tail = n;
	if ((op = unaryop(p)) != 0) {
		a = portx(p, PPORT_RANGE);
		if (a.t)
			fail(p, "':' cannot be used with an other "
			    "port operator");
		n->port[0] = (uint16_t)a.a;
		n->port[1] = (uint16_t)a.b;
		n->op = (uint8_t)op;
		return (n);
	}
	a = portx(p, PPORT_RANGE);
	if (peek(p) == T_PORTBINARY) {
		op = p->tok.i;
		shift(p);
		b = portx(p, PPORT_RANGE);
		if (a.t || b.t)
			fail(p, "':' cannot be used with an other "
			    "port operator");
		n->port[0] = (uint16_t)a.a;
		n->port[1] = (uint16_t)b.a;
		n->op = (uint8_t)op;
		if (pf_validate_range(n->op, n->port[0], n->port[1]))
			fail(p, "invalid port range");
		return (n);
	}
	n->port[0] = (uint16_t)a.a;
	n->port[1] = (uint16_t)a.b;
	if (a.t) {
		n->op = ACL_OP_RRG;
		if (pf_validate_range(n->op, n->port[0], n->port[1]))
			fail(p, "invalid port range");
	} else
		n->op = ACL_OP_EQ;
	return (n);
}

static struct node_port *
portspec(struct pf_parser *p)
{
	return (BRACE_LIST(p, port_item(p)));
}

struct peer {
	struct node_host *host;
	struct node_port *port;
};

static struct peer
ipportspec(struct pf_parser *p)
{
	struct peer	r = { NULL, NULL };
	int		any;

	if (!tok_accept(p, K_PORT)) {
		r.host = ipspec(p, &any);
		if (!tok_accept(p, K_PORT))
			return (r);
	}
	r.port = portspec(p);
	return (r);
}

struct fromto {
	struct peer	 src, dst;
	struct node_os	*src_os;
};

static struct node_os *
xos(struct pf_parser *p)
{
	struct node_os	*n = pf_alloc(p->arena, sizeof(*n));

	n->os = xstring(p);
	n->tail = n;
	return (n);
}

static struct fromto
fromto(struct pf_parser *p)
{
	struct fromto	 ft;
	struct node_host *h;
	struct node_os	*n;

	memset(&ft, 0, sizeof(ft));
	if (tok_accept(p, K_ALL))
		return (ft);
	if (tok_accept(p, K_FROM))
		ft.src = ipportspec(p);
	if (tok_accept(p, K_OS)) {
		if (tok_accept(p, '{')) {
			optnl(p);
			ft.src_os = xos(p);
			optnl(p);
			while (!tok_accept(p, '}')) {
				comma(p);
				n = xos(p);
				optnl(p);
				ft.src_os->tail->next = n;
				ft.src_os->tail = n;
			}
		} else
			ft.src_os = xos(p);
	}
	if (tok_accept(p, K_TO)) {
		ft.dst = ipportspec(p);
		for (h = ft.dst.host; h != NULL; h = h->next)
			if (h->addr.type == ACL_ADDR_URPFFAILED)
				fail(p, "\"urpf-failed\" is not permitted in "
				    "a destination address");
	}
	return (ft);
}

/* filter options --------------------------------------------------------- */

static long long
uid(struct pf_parser *p, int group)
{
	long long	 n;
	uint32_t	 id;
	char		*s;

	if (peek(p) == T_STRING) {
		s = xstring(p);
		if (!strcmp(s, "unknown"))
			return (-1);
		if ((group ? pf_gid(p->hc.env, s, &id) :
		    pf_uid(p->hc.env, s, &id)) == -1)
			fail(p, "unknown %s %s", group ? "group" : "user", s);
		return (id);
	}
	n = xnumber(p);
	if (n < 0 || n >= UINT_MAX)
		fail(p, "illegal %s value %lld", group ? "gid" : "uid", n);
	return (n);
}

static struct node_uid *
uid_item(struct pf_parser *p, int group)
{
	struct node_uid	*n;
	long long	 a, b;
	int		 op;

	n = pf_alloc(p->arena, sizeof(*n));
	n->tail = n;
	if ((op = unaryop(p)) != 0) {
		a = uid(p, group);
		if (a == -1 && op != ACL_OP_EQ && op != ACL_OP_NE)
			fail(p, "%s unknown requires operator = or !=",
			    group ? "group" : "user");
		n->uid[0] = n->uid[1] = (uint32_t)a;
		n->op = (uint8_t)op;
		return (n);
	}
	a = uid(p, group);
	if (peek(p) == T_PORTBINARY) {
		op = p->tok.i;
		shift(p);
		b = uid(p, group);
		if (a == -1 || b == -1)
			fail(p, "%s unknown requires operator = or !=",
			    group ? "group" : "user");
		n->uid[0] = (uint32_t)a;
		n->uid[1] = (uint32_t)b;
		n->op = (uint8_t)op;
		return (n);
	}
	n->uid[0] = n->uid[1] = (uint32_t)a;
	n->op = ACL_OP_EQ;
	return (n);
}

static struct node_uid *
uids(struct pf_parser *p, int group)
{
	return (BRACE_LIST(p, uid_item(p, group)));
}

static int
parse_flags(const char *s)
{
	static const char	*tcpflags = "FSRPAUEW";
	const char		*q;
	int			 f = 0;

	for (; *s; s++) {
		if ((q = strchr(tcpflags, *s)) == NULL)
			return (-1);
		f |= 1 << (q - tcpflags);
	}
	return (f ? f : 0xff);
}

static uint8_t
flag(struct pf_parser *p)
{
	char	*s = xstring(p);
	int	 f;

	if ((f = parse_flags(s)) < 0)
		fail(p, "bad flags %s", s);
	return ((uint8_t)f);
}

static void
flags(struct pf_parser *p, uint8_t *b1, uint8_t *b2)
{
	expect(p, K_FLAGS);
	if (tok_accept(p, K_ANY)) {
		*b1 = *b2 = 0;
		return;
	}
	if (tok_accept(p, '/')) {
		*b1 = 0;
		*b2 = flag(p);
		return;
	}
	*b1 = flag(p);
	expect(p, '/');
	*b2 = flag(p);
}

static struct node_icmp *
icmp_item(struct pf_parser *p, int v6)
{
	const struct pf_icmptype	*t;
	const struct pf_icmpcode	*c;
	struct node_icmp		*n;
	long long			 v;
	int				 type;
	char				*s;

	if (peek(p) == T_STRING) {
		s = xstring(p);
		if ((t = pf_icmptype_byname(s, v6 ? AF_INET6 : AF_INET)) ==
		    NULL)
			fail(p, "unknown icmp%s-type %s", v6 ? "6" : "", s);
		type = t->type + 1;
	} else {
		v = xnumber(p);
		if (v < 0 || v > 255)
			fail(p, "illegal icmp%s-type %lld", v6 ? "6" : "", v);
		type = (int)v + 1;
	}
	n = pf_alloc(p->arena, sizeof(*n));
	n->type = (uint16_t)type;
	n->proto = v6 ? IPPROTO_ICMPV6_ : IPPROTO_ICMP;
	n->tail = n;
	if (tok_accept(p, K_CODE)) {
		if (peek(p) == T_STRING) {
			s = xstring(p);
			if ((c = pf_icmpcode_byname(type - 1, s,
			    v6 ? AF_INET6 : AF_INET)) == NULL)
				fail(p, "unknown icmp%s-code %s",
				    v6 ? "6" : "", s);
			n->code = c->code + 1;
		} else {
			v = xnumber(p);
			if (v < 0 || v > 255)
				fail(p, "illegal icmp-code %lld", v);
			n->code = (uint16_t)(v + 1);
		}
	}
	return (n);
}

static struct node_icmp *
icmpspec(struct pf_parser *p)
{
	int	 v6 = peek(p) == K_ICMP6TYPE;

	shift(p);
	return (BRACE_LIST(p, icmp_item(p, v6)));
}

static int
map_tos(const char *s, int *val)
{
	static const struct { const char *n; int v; } tos[] = {
		{ "af11", 0x28 }, { "af12", 0x30 }, { "af13", 0x38 },
		{ "af21", 0x48 }, { "af22", 0x50 }, { "af23", 0x58 },
		{ "af31", 0x68 }, { "af32", 0x70 }, { "af33", 0x78 },
		{ "af41", 0x88 }, { "af42", 0x90 }, { "af43", 0x98 },
		{ "critical", 0xa0 }, { "cs0", 0x00 }, { "cs1", 0x20 },
		{ "cs2", 0x40 }, { "cs3", 0x60 }, { "cs4", 0x80 },
		{ "cs5", 0xa0 }, { "cs6", 0xc0 }, { "cs7", 0xe0 },
		{ "ef", 0xb8 }, { "inetcontrol", 0xc0 }, { "lowdelay", 0x10 },
		{ "netcontrol", 0xe0 }, { "reliability", 0x04 },
		{ "throughput", 0x08 },
	};
	size_t	i;

	for (i = 0; i < sizeof(tos) / sizeof(tos[0]); i++)
		if (strcasecmp(s, tos[i].n) == 0) {
			*val = tos[i].v;
			return (1);
		}
	return (0);
}

static int
tos(struct pf_parser *p)
{
	long long	 v;
	int		 val;
	char		*s, *end;

	if (peek(p) == T_STRING) {
		s = xstring(p);
		if (map_tos(s, &val))
			v = val;
		else if (s[0] == '0' && s[1] == 'x') {
			errno = 0;
			v = (long long)strtoul(s, &end, 16);
			if (errno || *end != '\0')
				v = 256;
		} else
			v = 256;
		if (v < 0 || v > 255)
			fail(p, "illegal tos value %s", s);
		return ((int)v);
	}
	v = xnumber(p);
	if (v < 0 || v > 255)
		fail(p, "illegal tos value %lld", v);
	return ((int)v);
}

static struct node_state_opt *
state_opt_item(struct pf_parser *p)
{
	struct node_state_opt	*o;
	long long		 n, m;
	char			*s;
	int			 i;

	o = pf_alloc(p->arena, sizeof(*o));
	o->tail = o;
	switch (peek(p)) {
	case K_MAXIMUM:
	case K_MAXSRCSTATES:
	case K_MAXSRCCONN:
	case K_MAXSRCNODES: {
		int	t = peek(p);

		shift(p);
		n = xnumber(p);
		if (n < 0 || n > UINT_MAX)
			fail(p, "only positive values permitted");
		o->type = t == K_MAXIMUM ? PF_STATE_OPT_MAX :
		    t == K_MAXSRCSTATES ? PF_STATE_OPT_MAX_SRC_STATES :
		    t == K_MAXSRCCONN ? PF_STATE_OPT_MAX_SRC_CONN :
		    PF_STATE_OPT_MAX_SRC_NODES;
		o->v = (uint32_t)n;
		break;
	}
	case K_NOSYNC:
		shift(p);
		o->type = PF_STATE_OPT_NOSYNC;
		break;
	case K_MAXSRCCONNRATE:
		shift(p);
		n = xnumber(p);
		expect(p, '/');
		m = xnumber(p);
		if (n < 0 || n > UINT_MAX || m < 0 || m > UINT_MAX)
			fail(p, "only positive values permitted");
		o->type = PF_STATE_OPT_MAX_SRC_CONN_RATE;
		o->limit = (uint32_t)n;
		o->seconds = (uint32_t)m;
		break;
	case K_OVERLOAD:
		shift(p);
		expect(p, '<');
		s = xstring(p);
		expect(p, '>');
		if (strlen(s) >= ACL_TABLE_NAME_SIZE)
			fail(p, "table name '%s' too long", s);
		snprintf(o->tblname, sizeof(o->tblname), "%s", s);
		o->type = PF_STATE_OPT_OVERLOAD;
		if (tok_accept(p, K_FLUSH)) {
			o->flush = ACL_FLUSH;
			if (tok_accept(p, K_GLOBAL))
				o->flush |= ACL_FLUSH_GLOBAL;
		}
		break;
	case K_SOURCETRACK:
		shift(p);
		o->type = PF_STATE_OPT_SRCTRACK;
		if (tok_accept(p, K_GLOBAL))
			o->v = PF_SRCTRACK_GLOBAL;
		else if (tok_accept(p, K_RULE))
			o->v = PF_SRCTRACK_RULE;
		else
			o->v = PF_SRCTRACK;
		break;
	case K_IFBOUND:
		shift(p);
		o->type = PF_STATE_OPT_STATELOCK;
		o->v = ACL_RF_IFBOUND;
		break;
	case K_FLOATING:
		shift(p);
		o->type = PF_STATE_OPT_STATELOCK;
		o->v = 0;
		break;
	case K_SLOPPY:
		shift(p);
		o->type = PF_STATE_OPT_SLOPPY;
		break;
	case K_PFLOW:
		shift(p);
		o->type = PF_STATE_OPT_PFLOW;
		break;
	case T_STRING:
		s = xstring(p);
		n = xnumber(p);
		if (n < 0 || n > UINT_MAX)
			fail(p, "only positive values permitted");
		for (i = 0; pf_timeouts[i].name &&
		    strcmp(pf_timeouts[i].name, s); ++i)
			;
		if (!pf_timeouts[i].name)
			fail(p, "illegal timeout name %s", s);
		if (strchr(pf_timeouts[i].name, '.') == NULL)
			fail(p, "illegal state timeout %s", s);
		o->type = PF_STATE_OPT_TIMEOUT;
		o->number = pf_timeouts[i].timeout;
		o->seconds = (uint32_t)n;
		break;
	default:
		syntax(p);
	}
	return (o);
}

static struct node_state_opt *
state_opt_list(struct pf_parser *p)
{
	struct node_state_opt	*h, *n;

	h = state_opt_item(p);
	for (;;) {
		comma(p);
		switch (peek(p)) {
		case K_MAXIMUM: case K_MAXSRCSTATES: case K_MAXSRCCONN:
		case K_MAXSRCNODES: case K_NOSYNC: case K_MAXSRCCONNRATE:
		case K_OVERLOAD: case K_SOURCETRACK: case K_IFBOUND:
		case K_FLOATING: case K_SLOPPY: case K_PFLOW: case T_STRING:
			n = state_opt_item(p);
			h->tail->next = n;
			h->tail = n;
			continue;
		}
		return (h);
	}
}

static void
scrub_opts(struct pf_parser *p, struct filter_opts *fo)
{
	int		 nodf = 0, randomid = 0, reass = 0, marker = 0;
	int		 minttl = 0, maxmss = 0;
	long long	 n;
	char		*s;

	for (;;) {
		switch (peek(p)) {
		case K_NODF:
			shift(p);
			if (nodf)
				fail(p, "no-df cannot be respecified");
			nodf = 1;
			break;
		case K_MINTTL:
			shift(p);
			n = xnumber(p);
			if (marker & FOM_MINTTL)
				fail(p, "min-ttl cannot be respecified");
			if (n < 0 || n > 255)
				fail(p, "illegal min-ttl value %lld", n);
			marker |= FOM_MINTTL;
			minttl = (int)n;
			break;
		case K_MAXMSS:
			shift(p);
			n = xnumber(p);
			if (marker & FOM_MAXMSS)
				fail(p, "max-mss cannot be respecified");
			if (n < 0 || n > 65535)
				fail(p, "illegal max-mss value %lld", n);
			marker |= FOM_MAXMSS;
			maxmss = (int)n;
			break;
		case K_REASSEMBLE:
			shift(p);
			s = xstring(p);
			if (strcasecmp(s, "tcp") != 0)
				fail(p, "scrub reassemble supports only tcp, "
				    "not '%s'", s);
			if (reass)
				fail(p, "reassemble tcp cannot be respecified");
			reass = 1;
			break;
		case K_RANDOMID:
			shift(p);
			if (randomid)
				fail(p, "random-id cannot be respecified");
			randomid = 1;
			break;
		default:
			syntax(p);
		}
		if (tok_accept(p, ')'))
			break;
		comma(p);
	}
	fo->nodf = nodf;
	fo->minttl = minttl;
	fo->randomid = randomid;
	fo->max_mss = maxmss;
	if (reass)
		fo->marker |= FOM_SCRUB_TCP;
	fo->marker |= marker;
}

/* redirection pools ------------------------------------------------------- */

static uint16_t
optweight(struct pf_parser *p)
{
	long long	n;

	if (!tok_accept(p, K_WEIGHT))
		return (0);
	n = xnumber(p);
	if (n < 1 || n > USHRT_MAX)
		fail(p, "weight out of range");
	return ((uint16_t)n);
}

static void
setweight(struct node_host *h, uint16_t w)
{
	if (w > 0)
		for (; h != NULL; h = h->next)
			h->weight = w;
}

static struct node_host *
redirspec(struct pf_parser *p)
{
	struct node_host	*h, *n;

	if (!tok_accept(p, '{')) {
		h = host(p);
		setweight(h, optweight(p));
		return (h);
	}
	optnl(p);
	h = host(p);
	setweight(h, optweight(p));
	optnl(p);
	if (h->addr.type != ACL_ADDR_ADDRMASK)
		fail(p, "only addresses can be listed for redirection "
		    "pools ");
	while (!tok_accept(p, '}')) {
		comma(p);
		n = host(p);
		setweight(n, optweight(p));
		optnl(p);
		h->tail->next = n;
		h->tail = n->tail;
	}
	return (h);
}

static struct redirection *
redirpool(struct pf_parser *p)
{
	struct redirection	*r = pf_alloc(p->arena, sizeof(*r));

	r->host = redirspec(p);
	if (tok_accept(p, K_PORT))
		r->rport = portx(p, PPORT_RANGE | PPORT_STAR);
	return (r);
}

static void
pool_opts(struct pf_parser *p, struct pool_opts *po)
{
	char	*s;

	memset(po, 0, sizeof(*po));
	for (;;) {
		int	t = peek(p), type = 0;

		switch (t) {
		case K_BITMASK:
			type = ACL_POOL_BITMASK;
			break;
		case K_RANDOM:
			type = ACL_POOL_RANDOM;
			break;
		case K_SOURCEHASH:
			type = ACL_POOL_SRCHASH;
			break;
		case K_ROUNDROBIN:
			type = ACL_POOL_ROUNDROBIN;
			break;
		case K_LEASTSTATES:
			type = ACL_POOL_LEASTSTATES;
			break;
		case K_STATICPORT:
			shift(p);
			if (po->staticport)
				fail(p, "static-port cannot be redefined");
			po->staticport = 1;
			continue;
		case K_STICKYADDRESS:
			shift(p);
			if (po->marker & POM_STICKYADDRESS)
				fail(p, "sticky-address cannot be redefined");
			po->marker |= POM_STICKYADDRESS;
			po->opts |= ACL_POOL_STICKYADDR;
			continue;
		default:
			return;
		}
		shift(p);
		if (t == K_SOURCEHASH) {
			uint32_t	*k = pf_alloc(p->arena, 16);

			if (peek(p) == T_STRING) {
				s = string(p);
				if (!strncmp(s, "0x", 2)) {
					if (strlen(s) != 34)
						fail(p, "hex key must be 128 "
						    "bits (32 hex digits) "
						    "long");
					if (sscanf(s, "0x%8x%8x%8x%8x", &k[0],
					    &k[1], &k[2], &k[3]) != 4)
						fail(p, "invalid hex key");
				} else {
					uint8_t	d[16];
					int	i;

					pf_md5(s, strlen(s), d);
					for (i = 0; i < 4; i++)
						k[i] = (uint32_t)d[4 * i] <<
						    24 | (uint32_t)d[4 * i +
						    1] << 16 | (uint32_t)d[4 *
						    i + 2] << 8 | d[4 * i + 3];
				}
			} else {
				int	i;

				for (i = 0; i < 4; i++)
					k[i] = (uint32_t)random();
			}
			if (po->type)
				fail(p, "pool type cannot be redefined");
			po->key = k;
		} else if (po->type)
			fail(p, "pool type cannot be redefined");
		po->type = type;
	}
}

static void
routespec(struct pf_parser *p, struct filter_opts *fo, int rt)
{
	struct redirection	*r;
	struct node_host	*h = redirspec(p);
	struct pool_opts	 po;

	pool_opts(p, &po);
	if (fo->rt != ACL_RT_NONE)
		fail(p, "cannot respecify route-to/reply-to/dup-to");
	/* sluice routes to next-hop addresses, not to an interface's own */
	if (h != NULL && h->addr.type == ACL_ADDR_DYNIFTL)
		pf_lint(p, p->lx.lineno, PF_LINT_ROUTE,
		    "route-to/reply-to/dup-to (interface)");
	r = pf_alloc(p->arena, sizeof(*r));
	r->host = h;
	fo->rroute.rdr = r;
	fo->rroute.pool_opts = po;
	fo->rt = (uint8_t)rt;
}

static int
lookup_rtable(struct pf_parser *p, long long id)
{
	(void)p;
	return (id == 0);
}

static int
prio(struct pf_parser *p, uint8_t *b1, uint8_t *b2)
{
	long long	a, b;

	expect(p, K_PRIO);
	if (tok_accept(p, '(')) {
		a = xnumber(p);
		comma(p);
		b = xnumber(p);
		expect(p, ')');
		if (a < 0 || a > IFQ_MAXPRIO || b < 0 || b > IFQ_MAXPRIO)
			fail(p, "prio must be 0 - %u", IFQ_MAXPRIO);
	} else {
		a = b = xnumber(p);
		if (a < 0 || a > IFQ_MAXPRIO)
			fail(p, "prio must be 0 - %u", IFQ_MAXPRIO);
	}
	*b1 = (uint8_t)a;
	*b2 = (uint8_t)b;
	return (0);
}

/*
 * A queue named so far in this file, or (for an anchor loaded after the
 * main ruleset) in the main ruleset, whose queues pfctl keeps until all
 * anchors are loaded.
 */
static int
queue_defined(struct pf_parser *p, const char *q)
{
	size_t	i;

	for (i = 0; i < p->nqueues; i++)
		if (!strcmp(p->queues[i].name, q))
			return (1);
	for (i = 0; i < p->conf->nqueues; i++)
		if (!strcmp(p->conf->queues[i].name, q))
			return (1);
	return (0);
}

static void
qname(struct pf_parser *p, struct filter_opts *fo)
{
	char	*q, *pq = NULL;

	if (tok_accept(p, '(')) {
		q = xstring(p);
		if (peek(p) != ')') {
			comma(p);
			pq = xstring(p);
		}
		expect(p, ')');
	} else
		q = xstring(p);
	if (!queue_defined(p, q))
		fail(p, "queue %s is not defined", q);
	if (pq != NULL && !queue_defined(p, pq))
		fail(p, "queue %s is not defined", pq);
	if (fo->qname)
		fail(p, "queue cannot be redefined");
	fo->qname = q;
	fo->pqname = pq;
}

static void
filter_set(struct pf_parser *p, struct filter_opts *fo)
{
	long long	n;
	int		t;

	switch (peek(p)) {
	case K_PRIO: {
		uint8_t	a, b;

		prio(p, &a, &b);
		if (fo->marker & FOM_SETPRIO)
			fail(p, "prio cannot be redefined");
		fo->marker |= FOM_SETPRIO;
		fo->set_prio[0] = a;
		fo->set_prio[1] = b;
		break;
	}
	case K_QUEUE:
		shift(p);
		qname(p, fo);
		break;
	case K_TOS:
		shift(p);
		t = tos(p);
		if (fo->marker & FOM_SETTOS)
			fail(p, "tos cannot be respecified");
		fo->marker |= FOM_SETTOS;
		fo->settos = t;
		break;
	case K_DELAY:
		shift(p);
		n = xnumber(p);
		if (fo->delay)
			fail(p, "delay cannot be respecified");
		if (n < 0 || n > 0xffff)
			fail(p, "illegal delay value %lld (0-%u)", n, 0xffff);
		fo->marker |= FOM_SETDELAY;
		fo->delay = (uint16_t)n;
		break;
	default:
		syntax(p);
	}
}

static double
probability(struct pf_parser *p)
{
	char	*s, *e;
	double	 d;

	if (peek(p) == T_NUMBER)
		return ((double)xnumber(p));
	s = xstring(p);
	d = strtod(s, &e);
	if (*e == '%') {
		d *= 0.01;
		e++;
	}
	if (*e)
		fail(p, "invalid probability: %s", s);
	return (d);
}

/*
 * filter_opts: any number of filter options in any order.  Returns with
 * the first token that is not one.
 */
static void
filter_opts(struct pf_parser *p, struct filter_opts *fo)
{
	struct node_uid		*u;
	struct redirection	*rd;
	struct pool_opts	 po;
	long long		 n, m;
	char			*s;
	int			 not, t;

	memset(fo, 0, sizeof(*fo));
	fo->rtableid = -1;
	fo->line = p->lx.lineno;
	for (;;) {
		t = peek(p);
		switch (t) {
		case K_USER:
		case K_GROUP:
			shift(p);
			u = uids(p, t == K_GROUP);
			/* enforced, but it may not say what was meant */
			pf_lint_say(p, p->lx.lineno, PF_LINT_USER, "user/group: "
			    "sluice has no local sockets, so every packet's "
			    "user and group are unknown, as pf has them for "
			    "forwarded packets (only \"unknown\" and != match)");
			if (t == K_USER) {
				if (fo->uid)
					u->tail->next = fo->uid;
				fo->uid = u;
			} else {
				if (fo->gid)
					u->tail->next = fo->gid;
				fo->gid = u;
			}
			break;
		case K_FLAGS: {
			uint8_t	b1, b2;

			flags(p, &b1, &b2);
			if (fo->marker & FOM_FLAGS)
				fail(p, "flags cannot be redefined");
			fo->marker |= FOM_FLAGS;
			fo->flags.b1 |= b1;
			fo->flags.b2 |= b2;
			break;
		}
		case K_ICMPTYPE:
		case K_ICMP6TYPE: {
			struct node_icmp *ic = icmpspec(p);

			if (fo->marker & FOM_ICMP)
				fail(p, "icmp-type cannot be redefined");
			fo->marker |= FOM_ICMP;
			fo->icmpspec = ic;
			break;
		}
		case K_PRIO:
			shift(p);
			n = xnumber(p);
			if (fo->marker & FOM_PRIO)
				fail(p, "prio cannot be redefined");
			if (n < 0 || n > IFQ_MAXPRIO)
				fail(p, "prio must be 0 - %u", IFQ_MAXPRIO);
			fo->marker |= FOM_PRIO;
			fo->prio = (uint8_t)n;
			break;
		case K_TOS:
			shift(p);
			n = tos(p);
			if (fo->marker & FOM_TOS)
				fail(p, "tos cannot be redefined");
			fo->marker |= FOM_TOS;
			fo->tos = (uint32_t)n;
			break;
		case K_NO:
		case K_KEEP:
		case K_MODULATE:
		case K_SYNPROXY: {
			int			 action;
			struct node_state_opt	*o = NULL;

			shift(p);
			expect(p, K_STATE);
			action = t == K_NO ? ACL_STATE_NONE :
			    t == K_KEEP ? ACL_STATE_NORMAL :
			    t == K_MODULATE ? ACL_STATE_MODULATE :
			    ACL_STATE_SYNPROXY;
			if (t != K_NO && tok_accept(p, '(')) {
				o = state_opt_list(p);
				expect(p, ')');
			}
			if (fo->marker & FOM_KEEP)
				fail(p, "modulate or keep cannot be "
				    "redefined");
			fo->marker |= FOM_KEEP;
			fo->keep.action = action;
			fo->keep.options = o;
			break;
		}
		case K_FRAGMENT:
			shift(p);
			fo->fragment = 1;
			break;
		case K_ALLOWOPTS:
			shift(p);
			fo->allowopts = 1;
			break;
		case K_LABEL:
			shift(p);
			s = xstring(p);
			if (fo->label)
				fail(p, "label cannot be redefined");
			fo->label = s;
			break;
		case K_QUEUE:
			shift(p);
			qname(p, fo);
			break;
		case K_TAG:
			shift(p);
			fo->tag = string(p);
			break;
		case '!':
		case K_TAGGED:
		case K_RECEIVEDON:
			not = tok_accept(p, '!');
			if (tok_accept(p, K_TAGGED)) {
				fo->match_tag = string(p);
				fo->match_tag_not = (uint8_t)not;
			} else if (tok_accept(p, K_RECEIVEDON)) {
				struct node_if	*i = if_item(p);

				if (fo->rcv)
					fail(p, "cannot respecify "
					    "received-on");
				fo->rcv = i;
				fo->rcv->not = (uint8_t)not;
			} else
				syntax(p);
			break;
		case K_PROBABILITY: {
			double	d, pr;

			shift(p);
			d = probability(p);
			pr = floor(d * UINT_MAX + 0.5);
			if (pr < 0.0 || pr > UINT_MAX)
				fail(p, "invalid probability: %g%%", d * 100);
			fo->prob = (uint32_t)pr;
			if (fo->prob == 0)
				fo->prob = 1;
			break;
		}
		case K_RTABLE:
			shift(p);
			n = xnumber(p);
			if (n < 0 || n > RT_TABLEID_MAX)
				fail(p, "invalid rtable id");
			else if (!lookup_rtable(p, n))
				fail(p, "rtable %lld does not exist", n);
			/* only 0 exists: the table sluice routes by anyway */
			fo->rtableid = (int)n;
			break;
		case K_DIVERTTO: {
			struct pf_range	r;

			shift(p);
			s = xstring(p);
			expect(p, K_PORT);
			r = portx(p, 0);
			if (fo->divert.type != ACL_DIVERT_NONE)
				fail(p, "more than one divert option");
			fo->divert.type = ACL_DIVERT_TO;
			if ((fo->divert.addr = pf_host(&p->hc, s)) == NULL)
				fail(p, "could not parse divert address: %s",
				    s);
			fo->divert.port = (uint16_t)r.a;
			if (!fo->divert.port)
				fail(p, "invalid divert port: %u", r.a);
			pf_lint(p, p->lx.lineno, PF_LINT_DIVERT, "divert");
			break;
		}
		case K_DIVERTREPLY:
			shift(p);
			if (fo->divert.type != ACL_DIVERT_NONE)
				fail(p, "more than one divert option");
			fo->divert.type = ACL_DIVERT_REPLY;
			pf_lint(p, p->lx.lineno, PF_LINT_DIVERT, "divert");
			break;
		case K_DIVERTPACKET: {
			struct pf_range	r;

			shift(p);
			expect(p, K_PORT);
			r = portx(p, 0);
			if (fo->divert.type != ACL_DIVERT_NONE)
				fail(p, "more than one divert option");
			fo->divert.type = ACL_DIVERT_PACKET;
			if (p->conf->reassemble & ACL_REASS_ENABLED)
				fo->marker |= FOM_SCRUB_TCP;
			fo->divert.port = (uint16_t)r.a;
			if (!fo->divert.port)
				fail(p, "invalid divert port: %u", r.a);
			pf_lint(p, p->lx.lineno, PF_LINT_DIVERT, "divert");
			break;
		}
		case K_SCRUB:
			shift(p);
			expect(p, '(');
			scrub_opts(p, fo);
			break;
		case K_NATTO:
		case K_RDRTO:
		case K_BINATTO:
			shift(p);
			rd = redirpool(p);
			pool_opts(p, &po);
			if (t == K_RDRTO) {
				if (fo->rdr.rdr)
					fail(p, "cannot respecify rdr-to");
				fo->rdr.rdr = rd;
				fo->rdr.pool_opts = po;
				break;
			}
			if (fo->nat.rdr)
				fail(p, "cannot respecify nat-to/binat-to");
			fo->nat.rdr = rd;
			fo->nat.pool_opts = po;
			if (t == K_BINATTO) {
				fo->nat.binat = 1;
				fo->nat.pool_opts.staticport = 1;
			}
			break;
		case K_AFTO: {
			uint8_t		 naf;
			struct redirection *r2 = NULL;
			struct pool_opts po2;

			shift(p);
			naf = af(p);
			expect(p, K_FROM);
			rd = redirpool(p);
			pool_opts(p, &po);
			if (tok_accept(p, K_TO)) {
				r2 = redirpool(p);
				pool_opts(p, &po2);
			}
			if (fo->nat.rdr)
				fail(p, "cannot respecify af-to");
			if (naf == 0)
				fail(p, r2 ? "no address family specified" :
				    "no target address family specified");
			if (r2 && ((rd->host->af && rd->host->af != naf) ||
			    (r2->host->af && r2->host->af != naf)))
				fail(p, "af-to addresses must be in the "
				    "target address family");
			fo->nat.af = naf;
			fo->nat.rdr = rd;
			fo->nat.pool_opts = po;
			if (r2) {
				fo->rdr.af = naf;
				fo->rdr.rdr = r2;
				fo->nat.pool_opts = po2;
			} else {
				fo->rdr.rdr = pf_alloc(p->arena,
				    sizeof(*fo->rdr.rdr));
				memset(&fo->rdr.pool_opts, 0,
				    sizeof(fo->rdr.pool_opts));
			}
			fo->marker |= FOM_AFTO;
			break;
		}
		case K_ROUTETO:
			shift(p);
			routespec(p, fo, ACL_RT_ROUTETO);
			break;
		case K_REPLYTO:
			shift(p);
			routespec(p, fo, ACL_RT_REPLYTO);
			break;
		case K_DUPTO:
			shift(p);
			routespec(p, fo, ACL_RT_DUPTO);
			break;
		case K_ONCE:
			shift(p);
			fo->marker |= FOM_ONCE;
			break;
		case K_MAXPKTRATE:
			shift(p);
			n = xnumber(p);
			expect(p, '/');
			m = xnumber(p);
			if (n < 0 || n > UINT_MAX || m < 0 || m > UINT_MAX)
				fail(p, "only positive values permitted");
			if (fo->pktrate.limit)
				fail(p, "cannot respecify max-pkt-rate");
			fo->pktrate.limit = (uint32_t)n;
			fo->pktrate.seconds = (uint32_t)m;
			break;
		case K_SET:
			shift(p);
			if (tok_accept(p, '(')) {
				for (;;) {
					filter_set(p, fo);
					if (tok_accept(p, ')'))
						break;
					comma(p);
				}
			} else
				filter_set(p, fo);
			break;
		default:
			return;
		}
	}
}

/* rules ------------------------------------------------------------------ */

struct logquick {
	uint8_t	log;
	uint8_t	logif;
	uint8_t	quick;
};

static void
logopt(struct pf_parser *p, struct logquick *lq)
{
	const char	*s;
	char		*ep;
	long		 i;

	switch (peek(p)) {
	case K_ALL:
		shift(p);
		lq->log |= ACL_LOG_ALL;
		return;
	case K_MATCHES:
		shift(p);
		lq->log |= ACL_LOG_MATCHES;
		return;
	case K_USER:
		shift(p);
		lq->log |= ACL_LOG_USER;
		return;
	case K_TO:
		shift(p);
		s = string(p);
		if (strncmp(s, "pflog", 5))
			fail(p, "%s: should be a pflog interface", s);
		errno = 0;
		i = strtol(s + 5, &ep, 10);
		if (s[5] == '\0' || *ep != '\0')
			fail(p, "%s: invalid", s);
		if (i < 0)
			fail(p, "%s: too small", s);
		if (i > 255)
			fail(p, "%s: too large", s);
		if (i != 0)
			lq->logif = (uint8_t)i;
		return;
	default:
		syntax(p);
	}
}

/* log: LOG | LOG '(' logopts ')' */
static void
log_(struct pf_parser *p, struct logquick *lq)
{
	expect(p, K_LOG);
	lq->log = ACL_LOG;
	lq->logif = 0;
	if (tok_accept(p, '(')) {
		for (;;) {
			logopt(p, lq);
			if (tok_accept(p, ')'))
				break;
			comma(p);
		}
	}
	/* sluice has no sockets to look up the owners of */
	if (lq->log & ACL_LOG_USER)
		pf_lint_say(p, p->lx.lineno, PF_LINT_LOG, "log (user): sluice "
		    "has no local sockets, so pflog's uid and pid are -1, as "
		    "pf logs forwarded packets");
}

static struct logquick
logquick(struct pf_parser *p)
{
	struct logquick	lq = { 0, 0, 0 };

	if (tok_accept(p, K_QUICK)) {
		lq.quick = 1;
		if (peek(p) == K_LOG)
			log_(p, &lq);
	} else if (peek(p) == K_LOG) {
		log_(p, &lq);
		if (tok_accept(p, K_QUICK))
			lq.quick = 1;
	}
	return (lq);
}

static uint8_t
dir(struct pf_parser *p)
{
	if (tok_accept(p, K_IN))
		return (ACL_IN);
	if (tok_accept(p, K_OUT))
		return (ACL_OUT);
	return (ACL_INOUT);
}

static uint16_t
parseicmpspec(struct pf_parser *p, const char *w, int v6)
{
	const struct pf_icmpcode	*c;
	unsigned long			 ul;
	uint8_t				 type;

	type = v6 ? p->returnicmp6default >> 8 : p->returnicmpdefault >> 8;
	if (atoul(w, &ul) == -1) {
		if ((c = pf_icmpcode_byname(type, w,
		    v6 ? AF_INET6 : AF_INET)) == NULL) {
			pf_yyerror(p, "unknown icmp code %s", w);
			return (0);
		}
		ul = c->code;
	}
	if (ul > 255) {
		pf_yyerror(p, "invalid icmp code %lu", ul);
		return (0);
	}
	return ((uint16_t)(type << 8 | ul));
}

static uint16_t
reticmpspec(struct pf_parser *p, int v6)
{
	long long	n;
	uint16_t	r;

	if (peek(p) == T_STRING) {
		if (!(r = parseicmpspec(p, xstring(p), v6)))
			fail(p, NULL);
		return (r);
	}
	n = xnumber(p);
	if (n < 0 || n > 255)
		fail(p, "invalid icmp code %lld", n);
	return ((uint16_t)(((v6 ? p->returnicmp6default :
	    p->returnicmpdefault) >> 8) << 8 | n));
}

struct action {
	uint8_t		b1;	/* action */
	uint32_t	b2;	/* rule_flag return bits */
	uint16_t	w;
	uint16_t	w2;
};

static struct action
action(struct pf_parser *p)
{
	struct action	a;
	long long	n;

	memset(&a, 0, sizeof(a));
	switch (peek(p)) {
	case K_PASS:
		shift(p);
		a.b1 = ACL_PASS;
		return (a);
	case K_MATCH:
		shift(p);
		a.b1 = ACL_MATCH;
		return (a);
	case K_BLOCK:
		shift(p);
		break;
	default:
		syntax(p);
	}
	a.b1 = ACL_BLOCK;
	switch (peek(p)) {
	case K_DROP:
		shift(p);
		a.b2 = ACL_RF_DROP;
		break;
	case K_RETURNRST:
		shift(p);
		a.b2 = ACL_RF_RETURNRST;
		if (tok_accept(p, '(')) {
			expect(p, K_TTL);
			n = xnumber(p);
			expect(p, ')');
			if (n < 0 || n > 255)
				fail(p, "illegal ttl value %lld", n);
			a.w = (uint16_t)n;
		}
		break;
	case K_RETURNICMP:
		shift(p);
		a.b2 = ACL_RF_RETURNICMP;
		a.w = p->returnicmpdefault;
		a.w2 = p->returnicmp6default;
		if (tok_accept(p, '(')) {
			a.w = reticmpspec(p, 0);
			a.w2 = p->returnicmpdefault;
			if (!tok_accept(p, ')')) {
				comma(p);
				a.w2 = reticmpspec(p, 1);
				expect(p, ')');
			}
		}
		break;
	case K_RETURNICMP6:
		shift(p);
		a.b2 = ACL_RF_RETURNICMP;
		a.w = p->returnicmpdefault;
		a.w2 = p->returnicmp6default;
		if (tok_accept(p, '(')) {
			a.w2 = reticmpspec(p, 1);
			expect(p, ')');
		}
		break;
	case K_RETURN:
		shift(p);
		a.b2 = ACL_RF_RETURN;
		a.w = p->returnicmpdefault;
		a.w2 = p->returnicmp6default;
		break;
	default:
		a.b2 = (uint32_t)p->blockpolicy;
		a.w = p->returnicmpdefault;
		a.w2 = p->returnicmp6default;
	}
	return (a);
}

static void
pfrule(struct pf_parser *p)
{
	struct acl_rule		 r;
	struct action		 a;
	struct logquick		 lq;
	struct node_if		*ifs;
	struct node_proto	*protos, *pr;
	struct fromto		 ft;
	struct filter_opts	 fo;
	struct node_state_opt	*o;
	int			 srctrack = 0, statelock = 0, adaptive = 0;
	uint8_t			 direction, raf;

	a = action(p);
	direction = dir(p);
	lq = logquick(p);
	ifs = interface(p);
	raf = af(p);
	protos = proto(p);
	ft = fromto(p);
	filter_opts(p, &fo);
	/* as in yacc, a stray token is a syntax error before any action */
	if (peek(p) != '\n')
		syntax(p);

	memset(&r, 0, sizeof(r));
	r.onrdomain = -1;
	r.rtableid = -1;
	r.action = a.b1;
	switch (a.b2) {
	case ACL_RF_RETURNRST:
		r.rule_flag |= ACL_RF_RETURNRST;
		r.return_ttl = (uint8_t)a.w;
		break;
	case ACL_RF_RETURNICMP:
		r.rule_flag |= ACL_RF_RETURNICMP;
		r.return_icmp = a.w;
		r.return_icmp6 = a.w2;
		break;
	case ACL_RF_RETURN:
		r.rule_flag |= ACL_RF_RETURN;
		r.return_icmp = a.w;
		r.return_icmp6 = a.w2;
		break;
	}
	r.direction = direction;
	r.log = lq.log;
	r.logif = lq.logif;
	r.quick = lq.quick;
	r.af = raf;

	if (pf_filteropts_to_rule(p, &r, &fo))
		fail(p, NULL);

	if (fo.flags.b1 || fo.flags.b2 || ft.src_os) {
		for (pr = protos; pr != NULL && pr->proto != IPPROTO_TCP;
		    pr = pr->next)
			;
		if (pr == NULL && protos != NULL) {
			if (fo.flags.b1 || fo.flags.b2)
				pf_yyerror(p, "flags only apply to tcp");
			if (ft.src_os)
				pf_yyerror(p, "OS fingerprinting only "
				    "apply to tcp");
			fail(p, NULL);
		}
	}

	r.keep_state = (uint8_t)fo.keep.action;
	o = fo.keep.options;
	/* keep state by default on pass rules */
	if (!r.keep_state && r.action == ACL_PASS &&
	    !(fo.marker & FOM_KEEP)) {
		r.keep_state = ACL_STATE_NORMAL;
		o = p->keep_state_defaults;
	}
	for (; o != NULL; o = o->next) {
		switch (o->type) {
		case PF_STATE_OPT_MAX:
			if (r.max_states)
				fail(p, "state option 'max' multiple "
				    "definitions");
			r.max_states = o->v;
			break;
		case PF_STATE_OPT_NOSYNC:
			if (r.rule_flag & ACL_RF_NOSYNC)
				fail(p, "state option 'sync' multiple "
				    "definitions");
			r.rule_flag |= ACL_RF_NOSYNC;
			break;
		case PF_STATE_OPT_SRCTRACK:
			if (srctrack)
				fail(p, "state option 'source-track' "
				    "multiple definitions");
			srctrack = (int)o->v;
			r.rule_flag |= ACL_RF_SRCTRACK;
			break;
		case PF_STATE_OPT_MAX_SRC_STATES:
			if (r.max_src_states)
				fail(p, "state option 'max-src-states' "
				    "multiple definitions");
			if (o->v == 0)
				fail(p, "'max-src-states' must be > 0");
			r.max_src_states = o->v;
			r.rule_flag |= ACL_RF_SRCTRACK;
			break;
		case PF_STATE_OPT_OVERLOAD:
			if (r.overload_tblname[0])
				fail(p, "multiple 'overload' table "
				    "definitions");
			snprintf(r.overload_tblname,
			    sizeof(r.overload_tblname), "%s", o->tblname);
			r.flush = o->flush;
			break;
		case PF_STATE_OPT_MAX_SRC_CONN:
			if (r.max_src_conn)
				fail(p, "state option 'max-src-conn' "
				    "multiple definitions");
			if (o->v == 0)
				fail(p, "'max-src-conn' must be > 0");
			r.max_src_conn = o->v;
			r.rule_flag |= ACL_RF_SRCTRACK | ACL_RF_RULESRCTRACK;
			break;
		case PF_STATE_OPT_MAX_SRC_CONN_RATE:
			if (r.max_src_conn_rate.limit)
				fail(p, "state option 'max-src-conn-rate' "
				    "multiple definitions");
			if (!o->limit || !o->seconds)
				fail(p, "'max-src-conn-rate' values must "
				    "be > 0");
			if (o->limit > PF_THRESHOLD_MAX)
				fail(p, "'max-src-conn-rate' maximum rate "
				    "must be < %u", PF_THRESHOLD_MAX);
			r.max_src_conn_rate.limit = o->limit;
			r.max_src_conn_rate.seconds = o->seconds;
			r.rule_flag |= ACL_RF_SRCTRACK | ACL_RF_RULESRCTRACK;
			break;
		case PF_STATE_OPT_MAX_SRC_NODES:
			if (r.max_src_nodes)
				fail(p, "state option 'max-src-nodes' "
				    "multiple definitions");
			if (o->v == 0)
				fail(p, "'max-src-nodes' must be > 0");
			r.max_src_nodes = o->v;
			r.rule_flag |= ACL_RF_SRCTRACK | ACL_RF_RULESRCTRACK;
			break;
		case PF_STATE_OPT_STATELOCK:
			if (statelock)
				fail(p, "state locking option: multiple "
				    "definitions");
			statelock = 1;
			r.rule_flag |= o->v;
			break;
		case PF_STATE_OPT_SLOPPY:
			if (r.rule_flag & ACL_RF_STATESLOPPY)
				fail(p, "state sloppy option: multiple "
				    "definitions");
			r.rule_flag |= ACL_RF_STATESLOPPY;
			break;
		case PF_STATE_OPT_PFLOW:
			if (r.rule_flag & ACL_RF_PFLOW)
				fail(p, "state pflow option: multiple "
				    "definitions");
			r.rule_flag |= ACL_RF_PFLOW;
			break;
		case PF_STATE_OPT_TIMEOUT:
			if (o->number == ACL_TM_ADAPTIVE_START ||
			    o->number == ACL_TM_ADAPTIVE_END)
				adaptive = 1;
			if (r.timeout[o->number])
				fail(p, "state timeout %s multiple "
				    "definitions", pf_tmname(o->number));
			r.timeout[o->number] = o->seconds;
			break;
		}
	}

	/* flags S/SA by default on stateful rules */
	if (!r.action && !r.flags && !r.flagset && !fo.fragment &&
	    !(fo.marker & FOM_FLAGS) && r.keep_state) {
		r.flags = ACL_TH_SYN;
		r.flagset = ACL_TH_SYN | ACL_TH_ACK;
	}
	if (!adaptive && r.max_states) {
		r.timeout[ACL_TM_ADAPTIVE_START] = (r.max_states / 10) * 6;
		r.timeout[ACL_TM_ADAPTIVE_END] = (r.max_states / 10) * 12;
	}
	if (r.rule_flag & ACL_RF_SRCTRACK) {
		if (srctrack == PF_SRCTRACK_GLOBAL && r.max_src_nodes)
			fail(p, "'max-src-nodes' is incompatible with "
			    "'source-track global'");
		if (srctrack == PF_SRCTRACK_GLOBAL && r.max_src_conn)
			fail(p, "'max-src-conn' is incompatible with "
			    "'source-track global'");
		if (srctrack == PF_SRCTRACK_GLOBAL &&
		    r.max_src_conn_rate.seconds)
			fail(p, "'max-src-conn-rate' is incompatible with "
			    "'source-track global'");
		if (r.timeout[ACL_TM_SRC_NODE] < r.max_src_conn_rate.seconds)
			r.timeout[ACL_TM_SRC_NODE] =
			    r.max_src_conn_rate.seconds;
		r.rule_flag |= ACL_RF_SRCTRACK;
		if (srctrack == PF_SRCTRACK_RULE)
			r.rule_flag |= ACL_RF_RULESRCTRACK;
	}
	if (r.keep_state && !statelock)
		r.rule_flag |= (uint32_t)p->default_statelock;

	pf_decide_af(ft.src.host, &r.af);
	pf_decide_af(ft.dst.host, &r.af);

	if (fo.rt) {
		if (fo.rt != ACL_RT_DUPTO && !r.direction)
			fail(p, "direction must be explicit with rules "
			    "that specify routing");
		r.rt = fo.rt;
	}
	if (pf_expand_divertspec(p, &r, &fo.divert))
		fail(p, NULL);

	pf_expand_rule(p, &r, 0, ifs, &fo.nat, &fo.rdr, &fo.rroute, protos,
	    ft.src_os, ft.src.host, ft.src.port, ft.dst.host, ft.dst.port,
	    fo.uid, fo.gid, fo.rcv, fo.icmpspec);
}

/* anchors ---------------------------------------------------------------- */

static char *
anchorname(struct pf_parser *p)
{
	char	*s;

	if (peek(p) != T_STRING)
		return (NULL);
	s = xstring(p);
	if (s[0] == '\0')
		fail(p, "anchor name must not be empty");
	if (strlen(p->anchor->path) + 1 + strlen(s) >= ACL_PATH_MAX)
		fail(p, "anchor name is longer than %u", ACL_PATH_MAX - 1);
	if (s[0] == '_' || strstr(s, "/_") != NULL)
		fail(p, "anchor names beginning with '_' are reserved for "
		    "internal use");
	return (s);
}

/*
 * pfa_anchor: '{' '\n' pfa_anchorlist '}'.  The body is parsed into a
 * fresh holding anchor, as pfctl does, because the rule that calls it is
 * only complete (and its name known) after the closing brace.
 */
static struct acl_anchor *
pfa_anchor(struct pf_parser *p)
{
	struct acl_anchor	*a;
	char			 ta[ACL_ANCHOR_NAME_SIZE];

	if (!tok_accept(p, '{'))
		return (NULL);
	if (p->asd + 1 >= PF_ANCHOR_STACK) {
		fprintf(p->err, "pfctl: pfa_anchor: anchors too deep\n");
		fail(p, NULL);
	}
	p->bn++;
	snprintf(ta, sizeof(ta), "_%d", p->bn);
	a = pf_anchor_new(p->conf, ta);
	p->asd++;
	p->astack[p->asd] = a;
	p->anchor = a;
	expect(p, '\n');
	for (;;) {
		switch (peek(p)) {
		case '\n':
			shift(p);
			continue;
		case '}':
			shift(p);
			break;
		case K_PASS:
		case K_BLOCK:
		case K_MATCH:
			pfrule(p);
			expect(p, '\n');
			continue;
		case K_ANCHOR:
			anchorrule(p);
			expect(p, '\n');
			continue;
		case K_INCLUDE:
			stmt(p);
			continue;
		default:
			syntax(p);
		}
		break;
	}
	p->asd--;
	p->anchor = p->astack[p->asd];
	return (a);
}

static void
anchorrule(struct pf_parser *p)
{
	struct acl_rule		 r;
	struct acl_anchor	*body, *cur;
	struct node_if		*ifs;
	struct node_proto	*protos, *pr;
	struct fromto		 ft;
	struct filter_opts	 fo;
	char			*name;
	uint8_t			 direction, quick, raf;
	size_t			 i;

	expect(p, K_ANCHOR);
	name = anchorname(p);
	direction = dir(p);
	quick = (uint8_t)tok_accept(p, K_QUICK);
	ifs = interface(p);
	raf = af(p);
	protos = proto(p);
	ft = fromto(p);
	filter_opts(p, &fo);
	if (peek(p) != '{' && peek(p) != '\n')
		syntax(p);
	body = pfa_anchor(p);
	if (peek(p) != '\n')
		syntax(p);

	memset(&r, 0, sizeof(r));
	r.onrdomain = -1;
	r.rtableid = -1;
	cur = p->astack[p->asd];
	if (body != NULL) {
		struct acl_anchor *a;

		if (name && strchr(name, '/') != NULL)
			fail(p, "anchor paths containing '/' cannot be used "
			    "for inline anchors.");
		a = pf_anchor_get(p->conf, cur, name ? name : body->name, 1);
		if (a->match)
			fail(p, "inline anchor '%s' already exists", a->name);
		/* move the rules of the holding anchor */
		for (i = 0; i < body->rs.nrules; i++) {
			struct acl_rule	*nr = pf_rule_append(p, a,
			    &body->rs.rules[i]);

			nr->nr = body->rs.rules[i].nr;
			nr->file = body->rs.rules[i].file;
			nr->line = body->rs.rules[i].line;
		}
		a->match = (int)body->rs.nrules;
		/* children of the holding anchor move along */
		for (i = 0; i < body->nchild; i++) {
			struct acl_anchor *c = body->child[i];

			c->parent = NULL;
			pf_anchor_link(p->conf, a, c);
		}
		body->nchild = 0;
		pf_anchor_unlink(p->conf, body);
		r.anchor = a;
		r.anchor_inline = 1;
		snprintf(r.anchor_call, sizeof(r.anchor_call), "%s",
		    a->match ? a->name : a->path);
	} else {
		const char	*c;

		if (!name)
			fail(p, "anchors without explicit rules must "
			    "specify a name");
		if ((c = strrchr(name, '/')) != NULL && strlen(c) == 1)
			fail(p, "anchorrule: bad anchor name %s", name);
		snprintf(r.anchor_call, sizeof(r.anchor_call), "%s", name);
		if ((c = strrchr(name, '/')) != NULL && !strcmp(c, "/*")) {
			char	*d = pf_strdup(p->arena, name);

			d[c - name] = '\0';
			r.anchor_wildcard = 1;
			r.anchor = pf_anchor_get(p->conf, cur, d, 1);
		} else
			r.anchor = pf_anchor_get(p->conf, cur, name, 1);
	}

	r.direction = direction;
	r.quick = quick;
	r.af = raf;

	if (fo.flags.b1 || fo.flags.b2 || ft.src_os) {
		for (pr = protos; pr != NULL && pr->proto != IPPROTO_TCP;
		    pr = pr->next)
			;
		if (pr == NULL && protos != NULL) {
			if (fo.flags.b1 || fo.flags.b2)
				pf_yyerror(p, "flags only apply to tcp");
			if (ft.src_os)
				pf_yyerror(p, "OS fingerprinting only "
				    "applies to tcp");
			fail(p, NULL);
		}
	}
	if (pf_filteropts_to_rule(p, &r, &fo))
		fail(p, NULL);
	if (fo.keep.action)
		fail(p, "cannot specify state handling on anchors");
	if (fo.rt)
		fail(p, "cannot specify route handling on anchors");

	pf_decide_af(ft.src.host, &r.af);
	pf_decide_af(ft.dst.host, &r.af);

	pf_expand_rule(p, &r, 0, ifs, NULL, NULL, NULL, protos, ft.src_os,
	    ft.src.host, ft.src.port, ft.dst.host, ft.dst.port, fo.uid,
	    fo.gid, fo.rcv, fo.icmpspec);
}

static void
loadrule(struct pf_parser *p)
{
	struct pf_loadanchor	*la;
	char			*name, *file;
	int			 line;

	expect(p, K_LOAD);
	expect(p, K_ANCHOR);
	name = anchorname(p);
	expect(p, K_FROM);
	file = string(p);
	line = p->lx.lineno;
	if (name == NULL)
		fail(p, "anchor name is missing");
	la = pf_alloc(p->arena, sizeof(*la));
	if (p->anchor->name[0])
		la->anchorname = pf_printf(p->arena, "%s/%s",
		    p->anchor->path, name);
	else
		la->anchorname = pf_strdup(p->arena, name);
	la->filename = file;
	la->line = line;
	la->from = p->lx.file->name;
	*p->loadtail = la;
	p->loadtail = &la->next;
}

static void
antispoof(struct pf_parser *p)
{
	struct logquick		 lq;
	struct node_if		*ifs, *i, *j;
	struct node_host	*h, *hh;
	struct acl_rule		 r;
	char			*label = NULL;
	int			 rtableid = -1;
	uint8_t			 raf;
	long long		 n;

	expect(p, K_ANTISPOOF);
	lq = logquick(p);
	expect(p, K_FOR);
	if (tok_accept(p, '{')) {
		optnl(p);
		ifs = NULL;
		for (;;) {
			int dyn = tok_accept(p, '(');

			i = if_item(p);
			if (dyn) {
				expect(p, ')');
				i->dynamic = 1;
			}
			optnl(p);
			if (ifs == NULL)
				ifs = i;
			else {
				ifs->tail->next = i;
				ifs->tail = i;
			}
			if (tok_accept(p, '}'))
				break;
			comma(p);
		}
	} else {
		int dyn = tok_accept(p, '(');

		ifs = if_item(p);
		if (dyn) {
			expect(p, ')');
			ifs->dynamic = 1;
		}
	}
	raf = af(p);
	for (;;) {
		if (tok_accept(p, K_LABEL)) {
			char *s = xstring(p);

			if (label)
				fail(p, "label cannot be redefined");
			label = s;
		} else if (tok_accept(p, K_RTABLE)) {
			n = xnumber(p);
			if (n < 0 || n > RT_TABLEID_MAX)
				fail(p, "invalid rtable id");
			else if (!lookup_rtable(p, n))
				fail(p, "rtable %lld does not exist", n);
			rtableid = (int)n;
		} else
			break;
	}
	peek(p);

	for (i = ifs; i != NULL; i = i->next) {
		memset(&r, 0, sizeof(r));
		r.onrdomain = -1;
		r.action = ACL_BLOCK;
		r.direction = ACL_IN;
		r.log = lq.log;
		r.logif = lq.logif;
		r.quick = lq.quick;
		r.af = raf;
		if (label && strlen(label) >= sizeof(r.label))
			fail(p, "rule label too long (max %zu chars)",
			    sizeof(r.label) - 1);
		if (label)
			snprintf(r.label, sizeof(r.label), "%s", label);
		r.rtableid = rtableid;
		j = pf_alloc(p->arena, sizeof(*j));
		snprintf(j->ifname, sizeof(j->ifname), "%s", i->ifname);
		j->not = 1;
		j->tail = j;
		if (i->dynamic) {
			h = pf_alloc(p->arena, sizeof(*h));
			h->addr.type = ACL_ADDR_DYNIFTL;
			pf_set_ipmask(h, 128);
			snprintf(h->addr.ifname, sizeof(h->addr.ifname), "%s",
			    i->ifname);
			h->tail = h;
			hh = pf_alloc(p->arena, sizeof(*hh));
			*hh = *h;
			hh->tail = hh;
			h->addr.iflags = ACL_IFA_NETWORK;
		} else {
			h = pf_ifa_lookup(&p->hc, j->ifname,
			    ACL_IFA_NETWORK);
			hh = NULL;
		}
		if (h != NULL)
			pf_expand_rule(p, &r, 0, j, NULL, NULL, NULL, NULL,
			    NULL, h, NULL, NULL, NULL, NULL, NULL, NULL,
			    NULL);
		if ((i->ifa_flags & PF_IFF_LOOPBACK) == 0) {
			memset(&r, 0, sizeof(r));
			r.onrdomain = -1;
			r.action = ACL_BLOCK;
			r.direction = ACL_IN;
			r.log = lq.log;
			r.logif = lq.logif;
			r.quick = lq.quick;
			r.af = raf;
			if (label)
				snprintf(r.label, sizeof(r.label), "%s",
				    label);
			r.rtableid = rtableid;
			if (hh != NULL)
				h = hh;
			else
				h = pf_ifa_lookup(&p->hc, i->ifname, 0);
			if (h != NULL)
				pf_expand_rule(p, &r, 0, NULL, NULL, NULL,
				    NULL, NULL, NULL, h, NULL, NULL, NULL,
				    NULL, NULL, NULL, NULL);
		}
	}
}

/* tables ----------------------------------------------------------------- */

static struct node_host *table_host_list(struct pf_parser *);

/* tablespec: xhost optweight | '{' optnl table_host_list '}' */
static struct node_host *
tablespec(struct pf_parser *p)
{
	struct node_host	*h;

	if (tok_accept(p, '{')) {
		nest(p, 1);
		optnl(p);
		h = table_host_list(p);
		nest(p, -1);
		return (h);
	}
	h = xhost(p);
	setweight(h, optweight(p));
	return (h);
}

static struct node_host *
table_host_list(struct pf_parser *p)
{
	struct node_host	*h, *n;

	h = tablespec(p);
	optnl(p);
	while (!tok_accept(p, '}')) {
		comma(p);
		n = tablespec(p);
		optnl(p);
		h->tail->next = n;
		h->tail = n->tail;
	}
	return (h);
}

#define PF_MAXTINIT	64

static void
tabledef(struct pf_parser *p)
{
	struct node_host	*lists[PF_MAXTINIT], *n, *head;
	const char		*files[PF_MAXTINIT];
	int			 nl = 0, flags = 0, init = 0;
	char			*name, *s;

	expect(p, K_TABLE);
	expect(p, '<');
	name = xstring(p);
	expect(p, '>');
	for (;;) {
		if (peek(p) == T_STRING) {
			s = xstring(p);
			if (!strcmp(s, "const"))
				flags |= ACL_TFLAG_CONST;
			else if (!strcmp(s, "persist"))
				flags |= ACL_TFLAG_PERSIST;
			else if (!strcmp(s, "counters"))
				flags |= ACL_TFLAG_COUNTERS;
			else
				fail(p, "invalid table option '%s'", s);
		} else if (tok_accept(p, '{')) {
			optnl(p);
			init = 1;
			if (tok_accept(p, '}'))
				continue;
			head = table_host_list(p);
			for (n = head; n != NULL; n = n->next) {
				switch (n->addr.type) {
				case ACL_ADDR_ADDRMASK:
					continue;
				case ACL_ADDR_RANGE:
					fail(p, "address ranges are not "
					    "permitted inside tables");
				case ACL_ADDR_DYNIFTL:
					fail(p, "dynamic addresses are not "
					    "permitted inside tables");
				case ACL_ADDR_TABLE:
					fail(p, "tables cannot contain tables");
				case ACL_ADDR_NOROUTE:
					fail(p, "\"no-route\" is not "
					    "permitted inside tables");
				case ACL_ADDR_URPFFAILED:
					fail(p, "\"urpf-failed\" is not "
					    "permitted inside tables");
				default:
					fail(p, "unknown address type %d",
					    n->addr.type);
				}
			}
			if (nl >= PF_MAXTINIT)
				fail(p, "too many table initialisers");
			files[nl] = NULL;
			lists[nl++] = head;
		} else if (tok_accept(p, K_FILENAME)) {
			s = xstring(p);
			if (nl >= PF_MAXTINIT)
				fail(p, "too many table initialisers");
			files[nl] = s;
			lists[nl++] = NULL;
			init = 1;
		} else
			break;
	}
	if (strlen(name) >= ACL_TABLE_NAME_SIZE)
		fail(p, "table name too long, max %d chars",
		    ACL_TABLE_NAME_SIZE - 1);
	if (pf_tabledef(p, name, flags, init, lists, files, nl, 0))
		fail(p, NULL);
}

/* statements ------------------------------------------------------------- */

static void
varset(struct pf_parser *p)
{
	char	*name, *val, *s;

	name = xstring(p);
	expect(p, '=');
	val = numberstring(p);
	while (peek(p) == T_STRING || peek(p) == T_NUMBER)
		val = pf_printf(p->arena, "%s %s", val, numberstring(p));
	if (p->out)
		fprintf(p->out, "%s = \"%s\"\n", name, val);
	for (s = name; *s++; )
		if (isspace((unsigned char)*s))
			fail(p, "macro name cannot contain whitespace");
	pf_symset(&p->lx, name, val, 0);
}

/* queues ----------------------------------------------------------------- */

struct queue_bw {
	uint64_t	 absolute;	/* bit/s */
	unsigned	 percent;	/* "N%": refused by scspec */
};

#define QOM_BWSPEC	0x01
#define QOM_PARENT	0x02
#define QOM_DEFAULT	0x04
#define QOM_QLIMIT	0x08
#define QOM_FLOWS	0x10
#define QOM_QUANTUM	0x20

struct queue_opts {
	int		 marker;
	char		*parent;
	struct acl_qsc	 linkshare;
	struct acl_qsc	 realtime;
	struct acl_qsc	 upperlimit;
	uint32_t	 flows;
	uint32_t	 quantum;
	uint32_t	 qlimit;
	uint16_t	 flags;
};

/*
 * bandwidth: NUMBER | STRING.  The string is read with strtod(3), so
 * "1.5M" and "2e3K" work as they do in pfctl; the unit letter may be
 * followed by "bit", "Bit", "b" or "B", which mean nothing.
 */
static struct queue_bw
bandwidth(struct pf_parser *p)
{
	struct queue_bw	 bw = { 0, 0 };
	long long	 n;
	double		 bps;
	char		*s, *cp;

	if (peek(p) == T_NUMBER) {
		if ((n = xnumber(p)) < 0)
			fail(p, "bandwidth number too big");
		bw.absolute = (uint64_t)n;
		return (bw);
	}
	s = xstring(p);
	bps = strtod(s, &cp);
	if (strlen(cp) > 1 && (!strcmp(cp + 1, "Bit") ||
	    !strcmp(cp + 1, "B") || !strcmp(cp + 1, "bit") ||
	    !strcmp(cp + 1, "b")))
		cp[1] = '\0';
	if (!strcmp(cp, "b"))
		;
	else if (!strcmp(cp, "K"))
		bps *= 1000;
	else if (!strcmp(cp, "M"))
		bps *= 1000 * 1000;
	else if (!strcmp(cp, "G"))
		bps *= 1000 * 1000 * 1000;
	else if (!strcmp(cp, "%")) {
		/* pfctl: bps < 0 || bps > 100, which lets NaN through to
		 * an undefined conversion; here it is out of range */
		if (!(bps >= 0 && bps <= 100))
			fail(p, "bandwidth spec out of range");
		bw.percent = (unsigned)bps;
		bps = 0;
	} else
		fail(p, "unknown unit \"%s\"", cp);
	if (!(bps >= 0 && bps <= (double)LLONG_MAX))
		fail(p, "bandwidth number too big");
	bw.absolute = (uint64_t)bps;
	return (bw);
}

/* scspec: bandwidth | bandwidth BURST bandwidth FOR STRING */
static void
scspec(struct pf_parser *p, struct acl_qsc *sc)
{
	struct queue_bw	 m1 = { 0, 0 }, m2;
	unsigned long	 ul = 0;
	char		*s, *cp;

	m2 = bandwidth(p);
	if (tok_accept(p, K_BURST)) {
		m1 = bandwidth(p);
		expect(p, K_FOR);
		s = xstring(p);
		ul = strtoul(s, &cp, 10);
		if (strcmp(cp, "ms"))
			fail(p, "time in scspec must be in ms");
	}
	if (m1.percent || m2.percent)
		fail(p, "no bandwidth in %% yet");
	sc->m1 = m1.absolute;
	sc->m2 = m2.absolute;
	sc->d = (uint32_t)ul;
}

/* the MINIMUM or MAXIMUM of optscs, after an optional comma; 0: none */
static int
optsc(struct pf_parser *p)
{
	int	t;

	if (tok_accept(p, ',') && peek(p) != K_MINIMUM &&
	    peek(p) != K_MAXIMUM)
		syntax(p);
	t = peek(p);
	if (t != K_MINIMUM && t != K_MAXIMUM)
		return (0);
	shift(p);
	return (t);
}

/*
 * optscs: empty | comma MINIMUM scspec [comma MAXIMUM scspec]
 *	| comma MAXIMUM scspec [comma MINIMUM scspec]
 */
static void
optscs(struct pf_parser *p, struct acl_qsc *rt, struct acl_qsc *ul)
{
	int	t, u;

	memset(rt, 0, sizeof(*rt));
	memset(ul, 0, sizeof(*ul));
	if ((t = optsc(p)) == 0)
		return;
	scspec(p, t == K_MINIMUM ? rt : ul);
	if ((u = optsc(p)) == 0)
		return;
	if (u == t)
		syntax(p);
	scspec(p, u == K_MINIMUM ? rt : ul);
}

/* each option of a queue may be given once */
static void
queue_once(struct pf_parser *p, struct queue_opts *qo, int bit,
    const char *what)
{
	if (qo->marker & bit)
		fail(p, "%s cannot be respecified", what);
	qo->marker |= bit;
}

/* qlimit, flows, quantum: KEYWORD NUMBER, the number from min to max */
static uint32_t
queue_number(struct pf_parser *p, struct queue_opts *qo, int bit,
    const char *what, long long min, long long max)
{
	long long	 n;

	shift(p);
	n = xnumber(p);
	queue_once(p, qo, bit, what);
	if (n < min || n > max)
		fail(p, "%s out of range: max %lld", what, max);
	return ((uint32_t)n);
}

/* one option of a queue */
static void
queue_opt(struct pf_parser *p, struct queue_opts *qo)
{
	struct acl_qsc	 ls, rt, ul;
	char		*s;

	switch (peek(p)) {
	case K_BANDWIDTH:
		shift(p);
		scspec(p, &ls);
		optscs(p, &rt, &ul);
		queue_once(p, qo, QOM_BWSPEC, "bandwidth");
		qo->linkshare = ls;
		qo->realtime = rt;
		qo->upperlimit = ul;
		break;
	case K_PARENT:
		shift(p);
		s = xstring(p);
		queue_once(p, qo, QOM_PARENT, "parent");
		qo->parent = s;
		break;
	case K_DEFAULT:
		shift(p);
		queue_once(p, qo, QOM_DEFAULT, "default");
		qo->flags |= ACL_QF_DEFAULT;
		break;
	case K_QLIMIT:
		qo->qlimit = queue_number(p, qo, QOM_QLIMIT, "qlimit", 0, 65535);
		break;
	case K_FLOWS:
		qo->flows = queue_number(p, qo, QOM_FLOWS, "number of flows",
		    1, 32767);
		qo->flags |= ACL_QF_FLOWQUEUE;
		break;
	case K_QUANTUM:
		qo->quantum = queue_number(p, qo, QOM_QUANTUM, "quantum", 1,
		    65535);
		break;
	default:
		syntax(p);
	}
}

static int
is_queue_opt(int t)
{
	return (t == K_BANDWIDTH || t == K_PARENT || t == K_DEFAULT ||
	    t == K_QLIMIT || t == K_FLOWS || t == K_QUANTUM);
}

/*
 * pfctl_add_queue(): queues belong to the main ruleset, and an interface
 * has one root.  pfctl prints these messages bare on stdout and then
 * "file:line: cannot add queue"; here the message is the error of the
 * line.
 */
static int
add_queue(struct pf_parser *p, const struct acl_queue *q)
{
	struct acl_queue	*n;
	size_t			 i;

	if (p->anchor->name[0]) {
		pf_yyerror(p, "must not have queue definitions in an anchor");
		return (-1);
	}
	for (i = 0; q->parent[0] == '\0' && i < p->nqueues; i++)
		if (p->queues[i].parent[0] == '\0' &&
		    !strcmp(p->queues[i].ifname, q->ifname)) {
			pf_yyerror(p, "A root queue is already defined on %s",
			    q->ifname);
			return (-1);
		}
	if (p->nqueues == p->qcap) {
		p->qcap = p->qcap ? p->qcap * 2 : 8;
		n = pf_alloc(p->arena, p->qcap * sizeof(*n));
		if (p->nqueues)
			memcpy(n, p->queues, p->nqueues * sizeof(*n));
		p->queues = n;
	}
	p->queues[p->nqueues++] = *q;
	return (0);
}

/* expand_queue(): one definition per interface of the list */
static void
expand_queue(struct pf_parser *p, const char *name, struct node_if *ifs,
    struct queue_opts *qo, int line)
{
	struct acl_queue	 q;
	struct node_if		 none, *i;

	if (!qo->parent && (qo->marker & QOM_BWSPEC))
		qo->flags |= ACL_QF_ROOTCLASS;
	if (!(qo->marker & (QOM_BWSPEC | QOM_FLOWS))) {
		pf_yyerror(p, "no bandwidth or flow specification");
		return;
	}
	if (strlen(name) >= sizeof(q.name)) {
		pf_yyerror(p, "queuename too long");
		return;
	}
	if (qo->parent && strlen(qo->parent) >= sizeof(q.parent)) {
		pf_yyerror(p, "parent too long");
		return;
	}
	memset(&none, 0, sizeof(none));
	for (i = ifs ? ifs : &none; i != NULL; i = i->next) {
		memset(&q, 0, sizeof(q));
		snprintf(q.name, sizeof(q.name), "%s", name);
		if (qo->parent)
			snprintf(q.parent, sizeof(q.parent), "%s", qo->parent);
		snprintf(q.ifname, sizeof(q.ifname), "%s", i->ifname);
		q.linkshare = qo->linkshare;
		q.realtime = qo->realtime;
		q.upperlimit = qo->upperlimit;
		q.flows = qo->flows;
		q.quantum = qo->quantum;
		q.qlimit = qo->qlimit;
		q.flags = qo->flags;
		q.parent_idx = -1;
		q.file = pf_conf_file(p->conf, p->lx.file->name);
		q.line = line;
		if (add_queue(p, &q) == -1)
			return;
	}
}

/*
 * queuespec: QUEUE STRING interface queue_opts.  Only the definitions
 * are collected here: the tree is built and checked once the whole main
 * ruleset is read (pf_queues_check()), since children may come before
 * their parents.
 */
static void
queuespec(struct pf_parser *p)
{
	struct queue_opts	 qo;
	struct node_if		*ifs;
	char			*name;
	int			 line = p->lx.lineno;

	expect(p, K_QUEUE);
	name = xstring(p);
	ifs = interface(p);
	memset(&qo, 0, sizeof(qo));
	do
		queue_opt(p, &qo);
	while (is_queue_opt(peek(p)));
	if (ifs == NULL && qo.parent == NULL)
		fail(p, "root queue without interface");
	/* pfctl asks the kernel; interface names are free here, but "any"
	 * and "rdomain N" are not interfaces anywhere */
	if (ifs != NULL && (ifs->use_rdomain || !strcmp(ifs->ifname, "any")))
		fail(p, "not an interface");
	expand_queue(p, name, ifs, &qo, line);
}

static void
include(struct pf_parser *p)
{
	char	*s;

	expect(p, K_INCLUDE);
	s = xstring(p);
	if (pf_lex_pushfile(&p->lx, s, NULL) == -1)
		fail(p, "failed to include file %s", s);
	/* the lookahead, if any, belongs to the new file's first line */
	pf_lex_unget(&p->lx, '\n');
}

static void
stmt(struct pf_parser *p)
{
	switch (peek(p)) {
	case '\n':
		shift(p);
		return;
	case K_INCLUDE:
		include(p);
		break;
	case K_SET:
		option(p);
		break;
	case K_PASS:
	case K_BLOCK:
	case K_MATCH:
		pfrule(p);
		break;
	case K_ANCHOR:
		anchorrule(p);
		break;
	case K_LOAD:
		loadrule(p);
		break;
	case K_QUEUE:
		queuespec(p);
		break;
	case K_ANTISPOOF:
		antispoof(p);
		break;
	case K_TABLE:
		tabledef(p);
		break;
	case T_STRING:
		varset(p);
		break;
	default:
		syntax(p);
	}
	expect(p, '\n');
}

/*
 * Parse the file on top of p->lx into p->anchor.  Returns the number of
 * errors.
 */
int	pf_parse(struct pf_parser *);

int
pf_parse(struct pf_parser *p)
{
	jmp_buf		 jb;
	volatile int	 t;

	p->jb = &jb;
	p->returnicmpdefault = (ICMP_UNREACH << 8) | ICMP_UNREACH_PORT;
	p->returnicmp6default = (ICMP6_DST_UNREACH << 8) |
	    ICMP6_DST_UNREACH_NOPORT;
	p->blockpolicy = ACL_RF_DROP;
	p->astack[0] = p->anchor;
	p->asd = 0;
	for (;;) {
		if (setjmp(jb) != 0) {
			/* error recovery: drop tokens up to the end of line */
			p->lx.file->errors++;
			p->errflag = 3;
			p->asd = 0;
			p->depth = 0;
			p->anchor = p->astack[0];
			while ((t = peek(p)) != '\n' && t != T_EOF)
				p->have = 0;
			if (t == T_EOF)
				break;
			shift(p);
			continue;
		}
		if (peek(p) == T_EOF)
			break;
		stmt(p);
	}
	return (p->lx.file ? p->lx.file->errors : 0);
}
