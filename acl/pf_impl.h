/*
 * pf_impl.h: internals shared by the pf.conf lexer, parser, name lookups
 * and printer.  Not for users of acl/: they see acl/pf.h and acl/pf_ast.h.
 *
 * All memory the parser needs while it works (token strings, the node lists
 * of a rule before expansion) comes from an arena that is freed in one go
 * when the parse ends, so that no error path has to unwind allocations one
 * by one.  Only the acl_conf it returns outlives the parse.
 */
#ifndef ACL_PF_IMPL_H
#define ACL_PF_IMPL_H

#include <stdarg.h>
#include <stdio.h>

#include "acl/pf.h"
#include "acl/pf_ast.h"

/* arena */
struct pf_arena {
	struct pf_arena_blk	*blk;
};

void	*pf_alloc(struct pf_arena *, size_t);
char	*pf_strdup(struct pf_arena *, const char *);
char	*pf_printf(struct pf_arena *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
void	 pf_arena_free(struct pf_arena *);

/* tokens: single characters are themselves, the rest start at 256 */
enum pf_tok {
	T_EOF = 0,
	T_ERROR = 256, T_STRING, T_NUMBER, T_PORTBINARY, T_NE, T_LE, T_GE,
	/* keywords, in the order of pf_keywords[] (sorted) */
	K_AFTO, K_ALL, K_ALLOWOPTS, K_ANCHOR, K_ANTISPOOF, K_ANY,
	K_BANDWIDTH, K_BINATTO, K_BITMASK, K_BLOCK, K_BLOCKPOLICY, K_BURST,
	K_CODE, K_DEBUG, K_DEFAULT, K_DELAY, K_DIVERTPACKET, K_DIVERTREPLY,
	K_DIVERTTO, K_DROP, K_DUPTO, K_FILENAME, K_FINGERPRINTS, K_FLAGS,
	K_FLOATING, K_FLOWS, K_FLUSH, K_FOR, K_FRAGMENT, K_FROM, K_GLOBAL,
	K_GROUP, K_HOSTID, K_ICMPTYPE, K_ICMP6TYPE, K_IFBOUND, K_IN,
	K_INCLUDE, K_INET, K_INET6, K_KEEP, K_LABEL, K_LEASTSTATES, K_LIMIT,
	K_LOAD, K_LOG, K_LOGINTERFACE, K_MATCH, K_MATCHES, K_MAXIMUM,
	K_MAXMSS, K_MAXPKTRATE, K_MAXSRCCONN, K_MAXSRCCONNRATE,
	K_MAXSRCNODES, K_MAXSRCSTATES, K_MINIMUM, K_MINTTL, K_MODULATE,
	K_NATTO, K_NO, K_NODF, K_NOROUTE, K_NOSYNC, K_ON, K_ONCE,
	K_OPTIMIZATION, K_OS, K_OUT, K_OVERLOAD, K_PARENT, K_PASS, K_PFLOW,
	K_PORT, K_PRIO, K_PROBABILITY, K_PROTO, K_QLIMIT, K_QUANTUM,
	K_QUEUE, K_QUICK, K_RANDOM, K_RANDOMID, K_RDOMAIN, K_RDRTO,
	K_REASSEMBLE, K_RECEIVEDON, K_REPLYTO, K_RETURN, K_RETURNICMP,
	K_RETURNICMP6, K_RETURNRST, K_ROUNDROBIN, K_ROUTE, K_ROUTETO,
	K_RTABLE, K_RULE, K_RULESET_OPTIMIZATION, K_SCRUB, K_SET, K_SKIP,
	K_SLOPPY, K_SOURCEHASH, K_SOURCETRACK, K_STATE, K_STATEDEFAULTS,
	K_STATEPOLICY, K_STATICPORT, K_STICKYADDRESS, K_SYNCOOKIES,
	K_SYNPROXY, K_TABLE, K_TAG, K_TAGGED, K_TIMEOUT, K_TO, K_TOS, K_TTL,
	K_URPFFAILED, K_USER, K_WEIGHT,
	K_LAST
};

struct pf_tok_val {
	int		 type;		/* enum pf_tok or a character */
	int		 lineno;
	char		*s;		/* T_STRING */
	long long	 n;		/* T_NUMBER */
	int		 i;		/* T_PORTBINARY: ACL_OP_IRG/XRG */
};

struct pf_keyword {
	const char	*k_name;
	int		 k_val;
};

extern const struct pf_keyword pf_keywords[];
extern const size_t pf_nkeywords;
int		 pf_kw_lookup(const char *);
const char	*pf_tok_name(int);

/* input files: the main file and what it includes */
struct pf_file {
	struct pf_file	*prev;
	FILE		*stream;
	int		 own;		/* fclose at pop */
	char		*name;		/* as shown in messages */
	unsigned char	*ungetbuf;
	size_t		 ungetpos;
	size_t		 ungetsize;
	int		 eof_reached;
	int		 lineno;
	int		 errors;
};

struct pf_sym {
	struct pf_sym	*next;
	int		 used;
	int		 persist;
	char		*nam;
	char		*val;
};

struct pf_lex {
	struct pf_file	*file;
	struct pf_file	*topfile;
	struct pf_sym	*syms;
	int		 expanding;
	int		 lineno;	/* line of the last token (yylval) */
	FILE		*err;
	struct pf_arena	*arena;
	const char	*confdir;	/* "/etc/x" means confdir/x */
};

void	 pf_lex_init(struct pf_lex *, struct pf_arena *, FILE *err);
int	 pf_lex_pushfile(struct pf_lex *, const char *, FILE *);
void	 pf_lex_popall(struct pf_lex *);
int	 pf_lex_next(struct pf_lex *, struct pf_tok_val *);
void	 pf_lex_unget(struct pf_lex *, int);
int	 pf_symset(struct pf_lex *, const char *, const char *, int);
const char *pf_symget(struct pf_lex *, const char *);
void	 pf_lex_error(struct pf_lex *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
void	 pf_lex_verror(struct pf_lex *, const char *, va_list);
char	*pf_confpath(struct pf_arena *, const char *confdir, const char *);

/* parsed host list node (before expansion) */
struct node_host {
	struct acl_addr	 addr;
	union acl_ip	 bcast;
	union acl_ip	 peer;
	uint8_t		 af;
	uint8_t		 not;
	uint32_t	 ifindex;	/* scope of a link-local address */
	char		*ifname;
	int		 ifa_flags;
	uint16_t	 weight;
	struct node_host *next;
	struct node_host *tail;
};

#define PF_IFF_BROADCAST	0x0002
#define PF_IFF_LOOPBACK		0x0008
#define PF_IFF_POINTOPOINT	0x0010

/* address helpers (pf_host.c) */
struct pf_hostctx {
	struct pf_arena		*arena;
	const struct acl_hostenv *env;
	FILE			*err;
};

void	 pf_set_ipmask(struct node_host *, int);
int	 pf_unmask(const union acl_ip *);
int	 pf_azero(const union acl_ip *, int af);
struct node_host *pf_host(struct pf_hostctx *, const char *);
struct node_host *pf_ifa_exists(struct pf_hostctx *, const char *);
struct node_host *pf_ifa_lookup(struct pf_hostctx *, const char *, int);
unsigned pf_ifa_nametoindex(struct pf_hostctx *, const char *);
const char *pf_ifa_indextoname(struct pf_hostctx *, unsigned);
int	 pf_getservice(const char *, int *port);	/* -1 unknown */
int	 pf_getproto(const char *);		/* -1 unknown */
const char *pf_protoname(int);
int	 pf_uid(const struct acl_hostenv *, const char *, uint32_t *);
int	 pf_gid(const struct acl_hostenv *, const char *, uint32_t *);

/* icmp names (pf_host.c) */
struct pf_icmptype {
	const char	*name;
	uint8_t		 type;
};
struct pf_icmpcode {
	const char	*name;
	uint8_t		 type;
	uint8_t		 code;
};
const struct pf_icmptype *pf_icmptype_byname(const char *, int af);
const struct pf_icmptype *pf_icmptype_bynum(int, int af);
const struct pf_icmpcode *pf_icmpcode_byname(int type, const char *, int);
const struct pf_icmpcode *pf_icmpcode_bynum(int type, int code, int af);

struct pf_timeout_name {
	const char	*name;
	int		 timeout;
};
extern const struct pf_timeout_name pf_timeouts[];
extern const char *const pf_limit_names[];
#define PF_NLIMITS 7

void	 pf_md5(const void *, size_t, uint8_t out[16]);

/* printer (pf_print.c) */
#define PF_OPT_VERBOSE		0x0001
#define PF_OPT_VERBOSE2		0x0002
#define PF_OPT_DEBUG		0x0004
#define PF_OPT_PORTNAMES	0x0008

void	 pf_print_addr(FILE *, const struct acl_addr *, int af, int verbose);
void	 pf_print_tabledef(FILE *, const struct acl_table *);

#endif /* ACL_PF_IMPL_H */
