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
	int		 nofiles;	/* refuse to open files */
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
int	 pf_ifa_modifier(const char *);
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
#define PF_NLIMITS 7

void	 pf_md5(const void *, size_t, uint8_t out[16]);

/* printer (pf_print.c) */
#define PF_OPT_VERBOSE		0x0001
#define PF_OPT_VERBOSE2		0x0002
#define PF_OPT_DEBUG		0x0004
#define PF_OPT_PORTNAMES	0x0008

void	 pf_print_addr(FILE *, const struct acl_addr *, int af, int verbose);
void	 pf_print_host(FILE *, const struct node_host *);
const char *pf_tmname(int);

/*
 * Parser internals (pf_parse.c, pf_rule.c).  These mirror the node lists
 * of OpenBSD's parse.y: a rule is collected as lists, checked, and then
 * multiplied out by pf_expand_rule() into plain acl_rules.
 */
struct node_if {
	char		 ifname[ACL_IFNAMSIZ];
	uint8_t		 not;
	uint8_t		 dynamic;	/* antispoof (if) */
	uint8_t		 use_rdomain;
	int		 rdomain;
	int		 ifa_flags;
	struct node_if	*next;
	struct node_if	*tail;
};

struct node_proto {
	uint8_t		 proto;
	struct node_proto *next;
	struct node_proto *tail;
};

struct node_port {
	uint16_t	 port[2];	/* host order */
	uint8_t		 op;
	struct node_port *next;
	struct node_port *tail;
};

struct node_uid {
	uint32_t	 uid[2];
	uint8_t		 op;
	struct node_uid	*next;
	struct node_uid	*tail;
};

struct node_icmp {
	uint16_t	 code;		/* code + 1, 0 = any */
	uint16_t	 type;		/* type + 1, 0 = any */
	uint8_t		 proto;
	struct node_icmp *next;
	struct node_icmp *tail;
};

struct node_os {
	char		*os;
	struct node_os	*next;
	struct node_os	*tail;
};

enum { PF_STATE_OPT_MAX, PF_STATE_OPT_NOSYNC, PF_STATE_OPT_SRCTRACK,
	PF_STATE_OPT_MAX_SRC_STATES, PF_STATE_OPT_MAX_SRC_CONN,
	PF_STATE_OPT_MAX_SRC_CONN_RATE, PF_STATE_OPT_MAX_SRC_NODES,
	PF_STATE_OPT_OVERLOAD, PF_STATE_OPT_STATELOCK,
	PF_STATE_OPT_TIMEOUT, PF_STATE_OPT_SLOPPY, PF_STATE_OPT_PFLOW };

enum { PF_SRCTRACK_NONE, PF_SRCTRACK, PF_SRCTRACK_GLOBAL,
	PF_SRCTRACK_RULE };

struct node_state_opt {
	int		 type;
	uint32_t	 v;		/* max, counts, statelock, src_track */
	uint32_t	 limit;		/* max-src-conn-rate */
	uint32_t	 seconds;	/* max-src-conn-rate, timeout */
	int		 number;	/* timeout */
	uint8_t		 flush;
	char		 tblname[ACL_TABLE_NAME_SIZE];
	struct node_state_opt *next;
	struct node_state_opt *tail;
};

struct pf_range {
	int		 a;		/* host order */
	int		 b;
	int		 t;		/* ACL_OP_* */
};

struct redirection {
	struct node_host *host;
	struct pf_range	 rport;
};

struct pool_opts {
	int		 marker;
#define POM_TYPE		0x01
#define POM_STICKYADDRESS	0x02
	uint8_t		 opts;
	int		 type;
	int		 staticport;
	uint32_t	*key;		/* 4 words */
};

struct divertspec {
	struct node_host *addr;
	uint16_t	 port;
	int		 type;
};

struct redirspec {
	struct redirection *rdr;
	struct pool_opts pool_opts;
	int		 binat;
	int		 af;
};

struct filter_opts {
	int		 marker;
#define FOM_FLAGS	0x0001
#define FOM_ICMP	0x0002
#define FOM_TOS		0x0004
#define FOM_KEEP	0x0008
#define FOM_SRCTRACK	0x0010
#define FOM_MINTTL	0x0020
#define FOM_MAXMSS	0x0040
#define FOM_AFTO	0x0080
#define FOM_SETTOS	0x0100
#define FOM_SCRUB_TCP	0x0200
#define FOM_SETPRIO	0x0400
#define FOM_ONCE	0x1000
#define FOM_PRIO	0x2000
#define FOM_SETDELAY	0x4000
	struct node_uid	*uid;
	struct node_uid	*gid;
	struct node_if	*rcv;
	struct {
		uint8_t	 b1;
		uint8_t	 b2;
	}		 flags;
	struct node_icmp *icmpspec;
	uint32_t	 tos;
	uint32_t	 prob;
	struct {
		int			 action;
		struct node_state_opt	*options;
	}		 keep;
	int		 fragment;
	int		 allowopts;
	char		*label;
	char		*qname;
	char		*pqname;
	char		*tag;
	char		*match_tag;
	uint8_t		 match_tag_not;
	int		 rtableid;
	uint8_t		 prio;
	uint8_t		 set_prio[2];
	uint16_t	 delay;
	struct divertspec divert;
	struct redirspec nat;
	struct redirspec rdr;
	struct redirspec rroute;
	uint8_t		 rt;
	int		 nodf;
	int		 minttl;
	int		 settos;
	int		 randomid;
	int		 max_mss;
	struct {
		uint32_t limit;
		uint32_t seconds;
	}		 pktrate;
	int		 line;		/* for lint warnings */
};

struct pf_loadanchor {
	struct pf_loadanchor *next;
	char		*anchorname;
	char		*filename;	/* as written (or the glob match) */
	int		 line;
	const char	*from;		/* file holding the load rule */
};

#define PF_ANCHOR_STACK	64

struct pf_parser {
	struct pf_lex	 lx;
	struct pf_arena	*arena;
	struct pf_hostctx hc;
	struct acl_conf	*conf;
	FILE		*out;		/* verbose output, NULL: none */
	FILE		*err;
	int		 opts;		/* PF_OPT_* */
	int		 lint;		/* ACL_LOAD_WARN */
	uint32_t	 linted;	/* features warned about once */

	struct pf_tok_val tok;		/* lookahead */
	int		 have;
	int		 errflag;	/* yacc's error recovery state */
	int		 depth;		/* nested braces in host lists */
	void		*jb;		/* jmp_buf of the statement loop */

	uint16_t	 returnicmpdefault;
	uint16_t	 returnicmp6default;
	int		 blockpolicy;
	int		 default_statelock;
	struct node_state_opt *keep_state_defaults;

	struct acl_anchor *anchor;	/* ruleset rules are added to */
	struct acl_anchor *astack[PF_ANCHOR_STACK];
	int		 asd;
	int		 bn;		/* brace anchors seen */

	/* queue definitions as written, in order (parent_idx unused) */
	struct acl_queue *queues;
	size_t		 nqueues;
	size_t		 qcap;

	struct pf_loadanchor *loads, **loadtail;
};

void	 pf_yyerror(struct pf_parser *, const char *, ...)
	    __attribute__((__format__ (printf, 2, 3)));
void	 pf_lint(struct pf_parser *, int line, unsigned bit, const char *);
int	 pf_expand_rule(struct pf_parser *, struct acl_rule *, int keeprule,
	    struct node_if *, struct redirspec *, struct redirspec *,
	    struct redirspec *, struct node_proto *, struct node_os *,
	    struct node_host *, struct node_port *, struct node_host *,
	    struct node_port *, struct node_uid *, struct node_uid *,
	    struct node_if *, struct node_icmp *);
int	 pf_filteropts_to_rule(struct pf_parser *, struct acl_rule *,
	    struct filter_opts *);
int	 pf_expand_divertspec(struct pf_parser *, struct acl_rule *,
	    struct divertspec *);
void	 pf_decide_af(struct node_host *, uint8_t *);
int	 pf_validate_range(uint8_t, uint16_t, uint16_t);
int	 pf_tabledef(struct pf_parser *, const char *, int flags,
	    int addrs, struct node_host **lists, const char **files, int n,
	    int automatic);
void	 pf_anchor_unlink(struct acl_conf *, struct acl_anchor *);
struct acl_rule *pf_rule_append(struct pf_parser *, struct acl_anchor *,
	    const struct acl_rule *);
struct acl_anchor *pf_anchor_get(struct acl_conf *, struct acl_anchor *,
	    const char *, int create);
struct acl_anchor *pf_anchor_new(struct acl_conf *, const char *name);
void	 pf_anchor_link(struct acl_conf *, struct acl_anchor *parent,
	    struct acl_anchor *);
char	*pf_conf_strdup(struct acl_conf *, const char *);
const char *pf_conf_file(struct acl_conf *, const char *);
int	 pf_queues_check(struct pf_parser *);

/* lint bits: each warned once per load */
#define PF_LINT_ROUTE		0x00000002
#define PF_LINT_DIVERT		0x00000004
#define PF_LINT_USER		0x00000020
#define PF_LINT_SRCTRACK	0x00000200
#define PF_LINT_LOG		0x00000800
#define PF_LINT_PROB		0x00001000
#define PF_LINT_RCVON		0x00020000
#define PF_LINT_RDR		0x00040000
#define PF_LINT_BINAT		0x00080000
#define PF_LINT_ANTISPOOF	0x00100000
#define PF_LINT_TOS		0x00200000
#define PF_LINT_RTLABEL		0x01000000
#define PF_LINT_TIMEOUT		0x04000000
#define PF_LINT_POOLRANGE	0x80000000

#endif /* ACL_PF_IMPL_H */
