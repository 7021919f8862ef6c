/*
 * acl/pf.h: the pf.conf(5) language of sluice.
 *
 * acl_load() reads a pf.conf (and what it includes and loads as anchors)
 * into the plain data of acl/pf_ast.h.  It can print, while it reads, what
 * OpenBSD's pfctl -nv prints: that is how pfctl_main() below works offline.
 * Nothing here knows about ports or sockets.
 */
#ifndef ACL_PF_H
#define ACL_PF_H

#include <stdint.h>
#include <stdio.h>

#include "acl/pf_ast.h"

/* set limit's names, in acl_conf.limit[]'s order, NULL-terminated */
extern const char *const pf_limit_names[];

/* pfctl(8) front end used by sluicectl: returns an exit status. */
int	pfctl_main(int, char **);

/*
 * Optional hook for pfctl without -n (talking to a running sluiced).
 * NULL: pfctl_main() says only -n works and fails.
 */
extern int (*pfctl_live_hook)(int, char **);

/*
 * What the parser may know about the host: interfaces and their addresses
 * (for "host", "lo0", "(if)" lookups done at load time, and the scope of
 * link-local addresses), interface groups, host names, users and groups.
 * sluiced fills it from its configuration; offline pfctl uses
 * acl_hostenv_default().  acl_hostenv_regress() is the host OpenBSD's pfctl
 * regress tests were recorded on, for tests only.
 */
#define ACL_ENV_MAXIF		16
#define ACL_ENV_MAXADDR		32
#define ACL_ENV_MAXNAME		16

struct acl_env_if {
	char		 name[16];
	unsigned	 index;
	int		 flags;		/* ACL_ENVIF_* */
	char		 groups[4][16];	/* e.g. "egress" */
};
#define ACL_ENVIF_BROADCAST	0x0002
#define ACL_ENVIF_LOOPBACK	0x0008
#define ACL_ENVIF_POINTOPOINT	0x0010

struct acl_env_addr {
	char		 ifname[16];
	uint8_t		 af;
	union acl_ip	 addr;
	union acl_ip	 mask;
	union acl_ip	 bcast;
	union acl_ip	 peer;
	unsigned	 scope;		/* link-local: interface index */
};

struct acl_env_name {
	char		 name[32];
	uint32_t	 id;		/* uid, gid */
	uint8_t		 af;		/* hosts */
	union acl_ip	 addr;		/* hosts */
};

struct acl_hostenv {
	struct acl_env_if	 ifs[ACL_ENV_MAXIF];
	int			 nifs;
	struct acl_env_addr	 addrs[ACL_ENV_MAXADDR];
	int			 naddrs;
	struct acl_env_name	 hosts[ACL_ENV_MAXNAME];
	int			 nhosts;
	struct acl_env_name	 users[ACL_ENV_MAXNAME];
	int			 nusers;
	struct acl_env_name	 groups[ACL_ENV_MAXNAME];
	int			 ngroups;
	int			 system_users;	/* also ask getpwnam(3) */
};

void	acl_hostenv_default(struct acl_hostenv *);
void	acl_hostenv_regress(struct acl_hostenv *);

/* acl_load_args.flags */
#define ACL_LOAD_VERBOSE	0x0001	/* print as pfctl -v does */
#define ACL_LOAD_VERBOSE2	0x0002	/* ... -vv (@N rule numbers) */
#define ACL_LOAD_WARN		0x0004	/* warn: not enforced by sluice */
#define ACL_LOAD_NOANCHORS	0x0008	/* do not follow "load anchor" */
#define ACL_LOAD_NORULES	0x0010	/* do not print rules (-a x/ *) */
#define ACL_LOAD_NOFILES	0x0020	/* open no other file: include,
					   table file, load anchor (fuzzing) */

struct acl_load_args {
	const char		 *file;		/* "-": stdin */
	FILE			 *stream;	/* read this instead, if set */
	const char		 *anchor;	/* load into anchor; NULL: main */
	const char		 *confdir;	/* NULL or "/": paths as written */
	const struct acl_hostenv *env;		/* NULL: acl_hostenv_default */
	char *const		 *defines;	/* "name=value", NULL-terminated */
	int			  flags;	/* ACL_LOAD_* */
	FILE			 *out;		/* verbose output (stdout) */
	FILE			 *err;		/* messages (stderr) */
};

/*
 * Returns 0 and a configuration, or -1 when any file had errors (they were
 * printed to args->err as "file:line: message"); then *confp is NULL and
 * nothing should be applied.
 */
int	 acl_load(const struct acl_load_args *, struct acl_conf **);
/* a file as a load opens it: /etc/X is CONFDIR/X (unless CONFDIR is /) */
void	 acl_confpath(const char *, const char *, char *, size_t);
void	 acl_conf_free(struct acl_conf *);
struct acl_anchor *acl_anchor_find(const struct acl_conf *, const char *);
const struct acl_table *acl_table_find(const struct acl_conf *, const char *,
	    const char *);

/* pfctl's rule printer; opts: ACL_LOAD_VERBOSE2 prints @nr */
void	 acl_print_rule(FILE *, const struct acl_rule *, int);
/* a ruleset as pfctl -nv prints it, inline anchors indented */
void	 acl_print_ruleset(FILE *, const struct acl_anchor *, int, int);
/* pfctl's print_queuespec(): one queue, and all of them in tree order */
void	 acl_print_queue(FILE *, const struct acl_queue *);
void	 acl_print_queues(FILE *, const struct acl_conf *);

#endif /* ACL_PF_H */
