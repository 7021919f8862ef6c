/*
 * pf_lex.c: the pf.conf(5) lexer.
 *
 * It behaves byte for byte like the yylex() of OpenBSD's parse.y, because
 * pfctl's error messages (and their line numbers) are part of what sluice
 * reproduces: a '\n' token ends every statement, a backslash before a
 * newline joins lines, '#' starts a comment, $macro is expanded by pushing
 * its value back into the input (so a macro may hold several tokens), and
 * end of file first yields a fake '\n' so that a last line without one
 * still ends its statement.  Included files are a stack of inputs.
 *
 * Keywords are found with bsearch in a sorted table; a test checks the
 * order.  Quoted strings are never keywords.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_impl.h"

#define START_EXPAND	1
#define DONE_EXPAND	2
#define LEX_BUFSZ	8096

/* arena ------------------------------------------------------------------ */

struct pf_arena_blk {
	struct pf_arena_blk	*next;
	max_align_t		 data[];
};

void *
pf_alloc(struct pf_arena *a, size_t n)
{
	struct pf_arena_blk	*b;

	if ((b = calloc(1, sizeof(*b) + n + 1)) == NULL) {
		perror("pf_alloc");
		abort();
	}
	b->next = a->blk;
	a->blk = b;
	return (b->data);
}

char *
pf_strdup(struct pf_arena *a, const char *s)
{
	size_t	 n = strlen(s);
	char	*p = pf_alloc(a, n + 1);

	memcpy(p, s, n + 1);
	return (p);
}

char *
pf_printf(struct pf_arena *a, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = pf_alloc(a, n + 1);
	va_start(ap, fmt);
	vsnprintf(p, n + 1, fmt, ap);
	va_end(ap);
	return (p);
}

void
pf_arena_free(struct pf_arena *a)
{
	struct pf_arena_blk	*b, *n;

	for (b = a->blk; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	a->blk = NULL;
}

/* keywords --------------------------------------------------------------- */

/* this has to be sorted always (test/acl checks it) */
const struct pf_keyword pf_keywords[] = {
	{ "af-to",		K_AFTO },
	{ "all",		K_ALL },
	{ "allow-opts",		K_ALLOWOPTS },
	{ "anchor",		K_ANCHOR },
	{ "antispoof",		K_ANTISPOOF },
	{ "any",		K_ANY },
	{ "bandwidth",		K_BANDWIDTH },
	{ "binat-to",		K_BINATTO },
	{ "bitmask",		K_BITMASK },
	{ "block",		K_BLOCK },
	{ "block-policy",	K_BLOCKPOLICY },
	{ "burst",		K_BURST },
	{ "code",		K_CODE },
	{ "debug",		K_DEBUG },
	{ "default",		K_DEFAULT },
	{ "delay",		K_DELAY },
	{ "divert-packet",	K_DIVERTPACKET },
	{ "divert-reply",	K_DIVERTREPLY },
	{ "divert-to",		K_DIVERTTO },
	{ "drop",		K_DROP },
	{ "dup-to",		K_DUPTO },
	{ "file",		K_FILENAME },
	{ "fingerprints",	K_FINGERPRINTS },
	{ "flags",		K_FLAGS },
	{ "floating",		K_FLOATING },
	{ "flows",		K_FLOWS },
	{ "flush",		K_FLUSH },
	{ "for",		K_FOR },
	{ "fragment",		K_FRAGMENT },
	{ "from",		K_FROM },
	{ "global",		K_GLOBAL },
	{ "group",		K_GROUP },
	{ "hostid",		K_HOSTID },
	{ "icmp-type",		K_ICMPTYPE },
	{ "icmp6-type",		K_ICMP6TYPE },
	{ "if-bound",		K_IFBOUND },
	{ "in",			K_IN },
	{ "include",		K_INCLUDE },
	{ "inet",		K_INET },
	{ "inet6",		K_INET6 },
	{ "keep",		K_KEEP },
	{ "label",		K_LABEL },
	{ "least-states",	K_LEASTSTATES },
	{ "limit",		K_LIMIT },
	{ "load",		K_LOAD },
	{ "log",		K_LOG },
	{ "loginterface",	K_LOGINTERFACE },
	{ "match",		K_MATCH },
	{ "matches",		K_MATCHES },
	{ "max",		K_MAXIMUM },
	{ "max-mss",		K_MAXMSS },
	{ "max-pkt-rate",	K_MAXPKTRATE },
	{ "max-src-conn",	K_MAXSRCCONN },
	{ "max-src-conn-rate",	K_MAXSRCCONNRATE },
	{ "max-src-nodes",	K_MAXSRCNODES },
	{ "max-src-states",	K_MAXSRCSTATES },
	{ "min",		K_MINIMUM },
	{ "min-ttl",		K_MINTTL },
	{ "modulate",		K_MODULATE },
	{ "nat-to",		K_NATTO },
	{ "no",			K_NO },
	{ "no-df",		K_NODF },
	{ "no-route",		K_NOROUTE },
	{ "no-sync",		K_NOSYNC },
	{ "on",			K_ON },
	{ "once",		K_ONCE },
	{ "optimization",	K_OPTIMIZATION },
	{ "os",			K_OS },
	{ "out",		K_OUT },
	{ "overload",		K_OVERLOAD },
	{ "parent",		K_PARENT },
	{ "pass",		K_PASS },
	{ "pflow",		K_PFLOW },
	{ "port",		K_PORT },
	{ "prio",		K_PRIO },
	{ "probability",	K_PROBABILITY },
	{ "proto",		K_PROTO },
	{ "qlimit",		K_QLIMIT },
	{ "quantum",		K_QUANTUM },
	{ "queue",		K_QUEUE },
	{ "quick",		K_QUICK },
	{ "random",		K_RANDOM },
	{ "random-id",		K_RANDOMID },
	{ "rdomain",		K_RDOMAIN },
	{ "rdr-to",		K_RDRTO },
	{ "reassemble",		K_REASSEMBLE },
	{ "received-on",	K_RECEIVEDON },
	{ "reply-to",		K_REPLYTO },
	{ "return",		K_RETURN },
	{ "return-icmp",	K_RETURNICMP },
	{ "return-icmp6",	K_RETURNICMP6 },
	{ "return-rst",		K_RETURNRST },
	{ "round-robin",	K_ROUNDROBIN },
	{ "route",		K_ROUTE },
	{ "route-to",		K_ROUTETO },
	{ "rtable",		K_RTABLE },
	{ "rule",		K_RULE },
	{ "ruleset-optimization", K_RULESET_OPTIMIZATION },
	{ "scrub",		K_SCRUB },
	{ "set",		K_SET },
	{ "skip",		K_SKIP },
	{ "sloppy",		K_SLOPPY },
	{ "source-hash",	K_SOURCEHASH },
	{ "source-track",	K_SOURCETRACK },
	{ "state",		K_STATE },
	{ "state-defaults",	K_STATEDEFAULTS },
	{ "state-policy",	K_STATEPOLICY },
	{ "static-port",	K_STATICPORT },
	{ "sticky-address",	K_STICKYADDRESS },
	{ "syncookies",		K_SYNCOOKIES },
	{ "synproxy",		K_SYNPROXY },
	{ "table",		K_TABLE },
	{ "tag",		K_TAG },
	{ "tagged",		K_TAGGED },
	{ "timeout",		K_TIMEOUT },
	{ "to",			K_TO },
	{ "tos",		K_TOS },
	{ "ttl",		K_TTL },
	{ "urpf-failed",	K_URPFFAILED },
	{ "user",		K_USER },
	{ "weight",		K_WEIGHT },
};
const size_t pf_nkeywords = sizeof(pf_keywords) / sizeof(pf_keywords[0]);

static int
kw_cmp(const void *k, const void *e)
{
	return (strcmp(k, ((const struct pf_keyword *)e)->k_name));
}

int
pf_kw_lookup(const char *s)
{
	const struct pf_keyword	*p;

	p = bsearch(s, pf_keywords, pf_nkeywords, sizeof(pf_keywords[0]),
	    kw_cmp);
	return (p ? p->k_val : T_STRING);
}

const char *
pf_tok_name(int t)
{
	static char	 c[4];
	size_t		 i;

	switch (t) {
	case T_EOF:
		return ("end of file");
	case T_ERROR:
		return ("error");
	case T_STRING:
		return ("string");
	case T_NUMBER:
		return ("number");
	case T_PORTBINARY:
		return ("port range operator");
	case T_NE:
		return ("!=");
	case T_LE:
		return ("<=");
	case T_GE:
		return (">=");
	case '\n':
		return ("end of line");
	}
	for (i = 0; i < pf_nkeywords; i++)
		if (pf_keywords[i].k_val == t)
			return (pf_keywords[i].k_name);
	c[0] = '\'';
	c[1] = (char)t;
	c[2] = '\'';
	c[3] = '\0';
	return (c);
}

/* messages --------------------------------------------------------------- */

void
pf_lex_verror(struct pf_lex *lx, const char *fmt, va_list ap)
{
	if (lx->file != NULL) {
		lx->file->errors++;
		fprintf(lx->err, "%s:%d: ", lx->file->name, lx->lineno);
	}
	vfprintf(lx->err, fmt, ap);
	fprintf(lx->err, "\n");
}

void
pf_lex_error(struct pf_lex *lx, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pf_lex_verror(lx, fmt, ap);
	va_end(ap);
}

/* files ------------------------------------------------------------------ */

void
pf_lex_init(struct pf_lex *lx, struct pf_arena *a, FILE *err)
{
	memset(lx, 0, sizeof(*lx));
	lx->arena = a;
	lx->err = err;
}

/*
 * A path "/etc/x" in a configuration directory that is not "/" means
 * confdir/x, so that a copy of an OpenBSD /etc works where it lies.
 */
void
acl_confpath(const char *confdir, const char *path, char *buf, size_t len)
{
	if (confdir == NULL || confdir[0] == '\0' ||
	    strcmp(confdir, "/") == 0 || strncmp(path, "/etc/", 5) != 0)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "%s/%s", confdir, path + 5);
}

char *
pf_confpath(struct pf_arena *a, const char *confdir, const char *path)
{
	char buf[PATH_MAX];

	acl_confpath(confdir, path, buf, sizeof(buf));
	return (pf_strdup(a, buf));
}

int
pf_lex_pushfile(struct pf_lex *lx, const char *name, FILE *stream)
{
	struct pf_file	*nf;

	nf = pf_alloc(lx->arena, sizeof(*nf));
	if (lx->file == NULL && stream == NULL && strcmp(name, "-") == 0) {
		nf->stream = stdin;
		nf->name = pf_strdup(lx->arena, "stdin");
	} else if (stream != NULL) {
		nf->stream = stream;
		nf->name = pf_strdup(lx->arena,
		    strcmp(name, "-") == 0 ? "stdin" : name);
	} else {
		char *path = pf_confpath(lx->arena, lx->confdir, name);

		if (lx->nofiles) {
			fprintf(lx->err, "pfctl: pushfile: %s: %s\n", name,
			    strerror(EPERM));
			return (-1);
		}
		if ((nf->stream = fopen(path, "r")) == NULL) {
			fprintf(lx->err, "pfctl: pushfile: %s: %s\n", name,
			    strerror(errno));
			return (-1);
		}
		nf->own = 1;
		nf->name = pf_strdup(lx->arena, name);
	}
	nf->lineno = lx->file == NULL ? 1 : 0;
	nf->ungetsize = 16;
	nf->ungetbuf = malloc(nf->ungetsize);
	if (nf->ungetbuf == NULL) {
		if (nf->own)
			fclose(nf->stream);
		return (-1);
	}
	nf->prev = lx->file;
	lx->file = nf;
	if (lx->topfile == NULL)
		lx->topfile = nf;
	return (0);
}

static int
popfile(struct pf_lex *lx)
{
	struct pf_file	*f = lx->file, *prev = f->prev;

	if (prev != NULL)
		prev->errors += f->errors;
	if (f->own)
		fclose(f->stream);
	free(f->ungetbuf);
	lx->file = prev;
	return (prev != NULL ? 0 : EOF);
}

void
pf_lex_popall(struct pf_lex *lx)
{
	while (lx->file != NULL)
		popfile(lx);
}

/* symbols (macros) -------------------------------------------------------- */

int
pf_symset(struct pf_lex *lx, const char *nam, const char *val, int persist)
{
	struct pf_sym	*s, **sp;

	for (sp = &lx->syms; (s = *sp) != NULL; sp = &s->next)
		if (strcmp(nam, s->nam) == 0)
			break;
	if (s != NULL) {
		if (s->persist)
			return (0);
		*sp = s->next;
	}
	s = pf_alloc(lx->arena, sizeof(*s));
	s->nam = pf_strdup(lx->arena, nam);
	s->val = pf_strdup(lx->arena, val);
	s->persist = persist;
	for (sp = &lx->syms; *sp != NULL; sp = &(*sp)->next)
		;
	*sp = s;
	return (0);
}

const char *
pf_symget(struct pf_lex *lx, const char *nam)
{
	struct pf_sym	*s;

	for (s = lx->syms; s != NULL; s = s->next)
		if (strcmp(nam, s->nam) == 0) {
			s->used = 1;
			return (s->val);
		}
	return (NULL);
}

/* characters ------------------------------------------------------------- */

static int
igetc(struct pf_lex *lx)
{
	struct pf_file	*f = lx->file;
	int		 c;

	for (;;) {
		if (f->ungetpos > 0)
			c = f->ungetbuf[--f->ungetpos];
		else
			c = getc(f->stream);
		if (c == START_EXPAND)
			lx->expanding = 1;
		else if (c == DONE_EXPAND)
			lx->expanding = 0;
		else
			break;
	}
	return (c);
}

static int
lgetc(struct pf_lex *lx, int quotec)
{
	int	c, next;

	if (quotec) {
		if ((c = igetc(lx)) == EOF) {
			pf_lex_error(lx,
			    "reached end of file while parsing quoted string");
			if (lx->file == lx->topfile || popfile(lx) == EOF)
				return (EOF);
			return (quotec);
		}
		return (c);
	}

	while ((c = igetc(lx)) == '\\') {
		next = igetc(lx);
		if (next != '\n') {
			c = next;
			break;
		}
		lx->lineno = lx->file->lineno;
		lx->file->lineno++;
	}

	if (c == EOF) {
		/*
		 * Fake EOL when hitting EOF for the first time: this gets
		 * the line count right if the last line has no newline.
		 */
		if (lx->file->eof_reached == 0) {
			lx->file->eof_reached = 1;
			return ('\n');
		}
		while (c == EOF) {
			if (lx->file == lx->topfile || popfile(lx) == EOF)
				return (EOF);
			c = igetc(lx);
		}
	}
	return (c);
}

void
pf_lex_unget(struct pf_lex *lx, int c)
{
	struct pf_file	*f = lx->file;

	if (c == EOF)
		return;
	if (f->ungetpos >= f->ungetsize) {
		void *p = realloc(f->ungetbuf, f->ungetsize * 2);

		if (p == NULL) {
			perror("pf_lex_unget");
			abort();
		}
		f->ungetbuf = p;
		f->ungetsize *= 2;
	}
	f->ungetbuf[f->ungetpos++] = c;
}

static int
findeol(struct pf_lex *lx)
{
	int	c;

	/* skip to either EOF or the first real EOL */
	for (;;) {
		c = lgetc(lx, 0);
		if (c == '\n') {
			lx->file->lineno++;
			break;
		}
		if (c == EOF)
			break;
	}
	return (T_ERROR);
}

#define allowed_to_end_number(x) \
	(isspace(x) || x == ')' || x ==',' || x == '/' || x == '}' || x == '=')

#define allowed_in_string(x) \
	(isalnum(x) || (ispunct(x) && x != '(' && x != ')' && \
	x != '{' && x != '}' && x != '<' && x != '>' && \
	x != '!' && x != '=' && x != '/' && x != '#' && \
	x != ','))

static int
lex(struct pf_lex *lx, struct pf_tok_val *tv)
{
	char		 buf[LEX_BUFSZ];
	char		*p;
	const char	*val;
	int		 quotec, next, c, token;

top:
	p = buf;
	while ((c = lgetc(lx, 0)) == ' ' || c == '\t')
		;	/* nothing */

	lx->lineno = lx->file->lineno;
	if (c == '#')
		while ((c = lgetc(lx, 0)) != '\n' && c != EOF)
			;	/* nothing */
	if (c == '$' && !lx->expanding) {
		for (;;) {
			if ((c = lgetc(lx, 0)) == EOF)
				return (T_EOF);
			if (p + 1 >= buf + sizeof(buf) - 1) {
				pf_lex_error(lx, "string too long");
				return (findeol(lx));
			}
			if (isalnum(c) || c == '_') {
				*p++ = c;
				continue;
			}
			*p = '\0';
			pf_lex_unget(lx, c);
			break;
		}
		val = pf_symget(lx, buf);
		if (val == NULL) {
			pf_lex_error(lx, "macro '%s' not defined", buf);
			return (findeol(lx));
		}
		pf_lex_unget(lx, DONE_EXPAND);
		for (p = (char *)val + strlen(val); p > val; )
			pf_lex_unget(lx, (unsigned char)*--p);
		pf_lex_unget(lx, START_EXPAND);
		goto top;
	}

	switch (c) {
	case '\'':
	case '"':
		quotec = c;
		for (;;) {
			if ((c = lgetc(lx, quotec)) == EOF)
				return (T_EOF);
			if (c == '\n') {
				lx->file->lineno++;
				continue;
			} else if (c == '\\') {
				if ((next = lgetc(lx, quotec)) == EOF)
					return (T_EOF);
				if (next == quotec || next == ' ' ||
				    next == '\t')
					c = next;
				else if (next == '\n') {
					lx->file->lineno++;
					continue;
				} else
					pf_lex_unget(lx, next);
			} else if (c == quotec) {
				*p = '\0';
				break;
			} else if (c == '\0') {
				pf_lex_error(lx, "syntax error");
				return (findeol(lx));
			}
			if (p + 1 >= buf + sizeof(buf) - 1) {
				pf_lex_error(lx, "string too long");
				return (findeol(lx));
			}
			*p++ = c;
		}
		tv->s = pf_strdup(lx->arena, buf);
		return (T_STRING);
	case '!':
		next = lgetc(lx, 0);
		if (next == '=')
			return (T_NE);
		pf_lex_unget(lx, next);
		break;
	case '<':
		next = lgetc(lx, 0);
		if (next == '>') {
			tv->i = ACL_OP_XRG;
			return (T_PORTBINARY);
		} else if (next == '=')
			return (T_LE);
		pf_lex_unget(lx, next);
		break;
	case '>':
		next = lgetc(lx, 0);
		if (next == '<') {
			tv->i = ACL_OP_IRG;
			return (T_PORTBINARY);
		} else if (next == '=')
			return (T_GE);
		pf_lex_unget(lx, next);
		break;
	}

	if (c == '-' || (c >= 0 && c < 256 && isdigit(c))) {
		do {
			*p++ = c;
			if ((size_t)(p - buf) >= sizeof(buf)) {
				pf_lex_error(lx, "string too long");
				return (findeol(lx));
			}
		} while ((c = lgetc(lx, 0)) != EOF && isdigit(c));
		pf_lex_unget(lx, c);
		if (p == buf + 1 && buf[0] == '-')
			goto nodigits;
		if (c == EOF || allowed_to_end_number(c)) {
			char	*ep;

			*p = '\0';
			errno = 0;
			tv->n = strtoll(buf, &ep, 10);
			if (errno == ERANGE || *ep != '\0') {
				pf_lex_error(lx, "\"%s\" invalid number: %s",
				    buf, tv->n < 0 ? "too small" : "too large");
				return (findeol(lx));
			}
			return (T_NUMBER);
		} else {
nodigits:
			while (p > buf + 1)
				pf_lex_unget(lx, (unsigned char)*--p);
			c = (unsigned char)*--p;
			if (c == '-')
				return (c);
		}
	}

	if (c >= 0 && c < 256 && (isalnum(c) || c == ':' || c == '_')) {
		do {
			*p++ = c;
			if ((size_t)(p - buf) >= sizeof(buf)) {
				pf_lex_error(lx, "string too long");
				return (findeol(lx));
			}
		} while ((c = lgetc(lx, 0)) != EOF && c < 256 &&
		    allowed_in_string(c));
		pf_lex_unget(lx, c);
		*p = '\0';
		if ((token = pf_kw_lookup(buf)) == T_STRING)
			tv->s = pf_strdup(lx->arena, buf);
		return (token);
	}
	if (c == '\n') {
		lx->lineno = lx->file->lineno;
		lx->file->lineno++;
	}
	if (c == EOF)
		return (T_EOF);
	return (c);
}

int
pf_lex_next(struct pf_lex *lx, struct pf_tok_val *tv)
{
	memset(tv, 0, sizeof(*tv));
	if (lx->file == NULL) {
		tv->type = T_EOF;
		return (T_EOF);
	}
	tv->type = lex(lx, tv);
	tv->lineno = lx->lineno;
	return (tv->type);
}
