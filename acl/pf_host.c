/*
 * pf_host.c: names the parser turns into numbers, without asking the
 * machine it runs on.
 *
 * pfctl resolves host names, interface addresses, services, protocols,
 * users and groups while it parses.  sluice does the same, but against an
 * explicit model of the host (struct acl_hostenv) and built-in tables of
 * the OpenBSD names, so that a configuration means the same thing on every
 * machine and the regress output stays byte-exact.  Host names never go to
 * DNS: a rule set that depends on DNS at load time is a bug waiting.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_impl.h"

/* host models ------------------------------------------------------------ */

static void
env_addif(struct acl_hostenv *e, const char *name, unsigned idx, int flags,
    const char *group)
{
	struct acl_env_if	*i = &e->ifs[e->nifs++];

	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->index = idx;
	i->flags = flags;
	if (group != NULL)
		snprintf(i->groups[0], sizeof(i->groups[0]), "%s", group);
}

static void
env_addaddr(struct acl_hostenv *e, const char *ifname, const char *addr,
    int bits, unsigned scope)
{
	struct acl_env_addr	*a = &e->addrs[e->naddrs++];
	struct node_host	 h;

	memset(a, 0, sizeof(*a));
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	if (inet_pton(AF_INET, addr, &a->addr) == 1)
		a->af = AF_INET;
	else {
		inet_pton(AF_INET6, addr, &a->addr);
		a->af = AF_INET6;
	}
	memset(&h, 0, sizeof(h));
	h.af = a->af;
	pf_set_ipmask(&h, bits);
	a->mask = h.addr.a.mask;
	a->scope = scope;
}

static void
env_addname(struct acl_env_name *n, int *cnt, const char *name, uint32_t id,
    const char *addr)
{
	struct acl_env_name	*x = &n[(*cnt)++];

	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->id = id;
	if (addr != NULL) {
		if (inet_pton(AF_INET, addr, &x->addr) == 1)
			x->af = AF_INET;
		else if (inet_pton(AF_INET6, addr, &x->addr) == 1)
			x->af = AF_INET6;
	}
}

/*
 * Every OpenBSD host has lo0 in group "lo" with these addresses, so a
 * pf.conf may rely on them; "localhost" is in every /etc/hosts.
 */
void
acl_hostenv_default(struct acl_hostenv *e)
{
	memset(e, 0, sizeof(*e));
	env_addif(e, "lo0", 3, ACL_ENVIF_LOOPBACK, "lo");
	env_addaddr(e, "lo0", "::1", 128, 0);
	env_addaddr(e, "lo0", "fe80::1", 64, 3);
	env_addaddr(e, "lo0", "127.0.0.1", 8, 0);
	env_addname(e->hosts, &e->nhosts, "localhost", 0, "127.0.0.1");
	env_addname(e->hosts, &e->nhosts, "localhost", 0, "::1");
	env_addname(e->users, &e->nusers, "root", 0, NULL);
	env_addname(e->groups, &e->ngroups, "wheel", 0, NULL);
	e->system_users = 1;
}

/* The host OpenBSD's regress/sbin/pfctl outputs were recorded on. */
void
acl_hostenv_regress(struct acl_hostenv *e)
{
	static const struct { const char *n; uint32_t id; } users[] = {
		{ "root", 0 }, { "daemon", 1 }, { "operator", 2 },
		{ "bin", 3 }, { "sshd", 27 }, { "nobody", 32767 },
	}, groups[] = {
		{ "wheel", 0 }, { "daemon", 1 }, { "kmem", 2 }, { "sys", 3 },
		{ "tty", 4 }, { "operator", 5 }, { "bin", 7 }, { "sshd", 27 },
		{ "nogroup", 32766 }, { "nobody", 32767 },
	};
	size_t	i;

	acl_hostenv_default(e);
	e->nusers = e->ngroups = 0;
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		env_addname(e->users, &e->nusers, users[i].n, users[i].id,
		    NULL);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		env_addname(e->groups, &e->ngroups, groups[i].n, groups[i].id,
		    NULL);
	env_addif(e, "lo1000000", 7, ACL_ENVIF_LOOPBACK, "lo");
	env_addif(e, "tun1000000", 8, ACL_ENVIF_POINTOPOINT, "tun");
	env_addif(e, "tun1000001", 9, ACL_ENVIF_POINTOPOINT, "tun");
	e->system_users = 0;
}

static int
lookup_name(const struct acl_env_name *n, int cnt, const char *name,
    uint32_t *id)
{
	int	i;

	for (i = 0; i < cnt; i++)
		if (strcmp(n[i].name, name) == 0) {
			*id = n[i].id;
			return (0);
		}
	return (-1);
}

int
pf_uid(const struct acl_hostenv *e, const char *name, uint32_t *id)
{
	struct passwd	*pw;

	if (lookup_name(e->users, e->nusers, name, id) == 0)
		return (0);
	if (e->system_users && (pw = getpwnam(name)) != NULL) {
		*id = pw->pw_uid;
		return (0);
	}
	return (-1);
}

int
pf_gid(const struct acl_hostenv *e, const char *name, uint32_t *id)
{
	struct group	*gr;

	if (lookup_name(e->groups, e->ngroups, name, id) == 0)
		return (0);
	if (e->system_users && (gr = getgrnam(name)) != NULL) {
		*id = gr->gr_gid;
		return (0);
	}
	return (-1);
}

/* masks ------------------------------------------------------------------ */

void
pf_set_ipmask(struct node_host *h, int bb)
{
	union acl_ip	*m = &h->addr.a.mask, *n = &h->addr.a.addr;
	int		 i, j = 0;
	unsigned	 b;

	memset(m, 0, sizeof(*m));
	if (bb == -1)
		b = h->af == AF_INET ? 32 : 128;
	else
		b = (unsigned)bb;
	if (b > 128)
		b = 128;
	while (b >= 32) {
		m->w[j++] = 0xffffffff;
		b -= 32;
	}
	if (b && j < 4)
		m->w[j] = htonl(~0U << (32 - b));
	/* mask off bits of the address that will never be used */
	if (h->addr.type == ACL_ADDR_ADDRMASK)
		for (i = 0; i < 4; i++)
			n->w[i] &= m->w[i];
}

int
pf_unmask(const union acl_ip *m)
{
	int		 j = 0, b = 0, i;
	uint32_t	 tmp;

	while (j < 4 && m->w[j] == 0xffffffff) {
		b += 32;
		j++;
	}
	if (j < 4) {
		tmp = ntohl(m->w[j]);
		for (i = 31; i >= 0 && (tmp & (1U << i)); --i)
			b++;
	}
	return (b);
}

int
pf_azero(const union acl_ip *a, int af)
{
	/* PF_AZERO(): only an address of a known family is zero */
	if (af == AF_INET)
		return (a->w[0] == 0);
	if (af == AF_INET6)
		return (!a->w[0] && !a->w[1] && !a->w[2] && !a->w[3]);
	return (0);
}

/* interfaces ------------------------------------------------------------- */

static const struct acl_env_if *
env_if(struct pf_hostctx *c, const char *name)
{
	int	i;

	for (i = 0; i < c->env->nifs; i++)
		if (strcmp(c->env->ifs[i].name, name) == 0)
			return (&c->env->ifs[i]);
	return (NULL);
}

static int
env_isgroup(struct pf_hostctx *c, const char *name)
{
	int	i, j;

	for (i = 0; i < c->env->nifs; i++)
		for (j = 0; j < 4; j++)
			if (c->env->ifs[i].groups[j][0] &&
			    strcmp(c->env->ifs[i].groups[j], name) == 0)
				return (1);
	return (0);
}

unsigned
pf_ifa_nametoindex(struct pf_hostctx *c, const char *name)
{
	const struct acl_env_if	*i = env_if(c, name);

	return (i ? i->index : 0);
}

const char *
pf_ifa_indextoname(struct pf_hostctx *c, unsigned idx)
{
	int	i;

	if (idx == 0)
		return (NULL);
	for (i = 0; i < c->env->nifs; i++)
		if (c->env->ifs[i].index == idx)
			return (c->env->ifs[i].name);
	return (NULL);
}

struct node_host *
pf_ifa_exists(struct pf_hostctx *c, const char *name)
{
	const struct acl_env_if	*i;
	struct node_host	*n;

	if (env_isgroup(c, name)) {
		n = pf_alloc(c->arena, sizeof(*n));
		n->ifname = pf_strdup(c->arena, name);
		return (n);
	}
	if ((i = env_if(c, name)) == NULL)
		return (NULL);
	n = pf_alloc(c->arena, sizeof(*n));
	n->ifname = pf_strdup(c->arena, name);
	n->ifa_flags = i->flags;
	n->ifindex = i->index;
	return (n);
}

static int
ifa_skip_if(const char *filter, const char *ifname)
{
	size_t	n;

	if (filter == NULL || !*filter)
		return (0);
	if (!strcmp(ifname, filter))
		return (0);	/* exact match */
	n = strlen(filter);
	if (n < 1 || n >= ACL_IFNAMSIZ)
		return (1);	/* sanity check */
	if (filter[n - 1] >= '0' && filter[n - 1] <= '9')
		return (1);	/* only do exact match in that case */
	if (strncmp(ifname, filter, n))
		return (1);	/* prefix doesn't match */
	return (ifname[n] < '0' || ifname[n] > '9');
}

static struct node_host *
ifa_grouplookup(struct pf_hostctx *c, const char *name, int flags)
{
	struct node_host	*h = NULL, *n;
	int			 i, j;

	if (!env_isgroup(c, name))
		return (NULL);
	for (i = 0; i < c->env->nifs; i++)
		for (j = 0; j < 4; j++) {
			if (strcmp(c->env->ifs[i].groups[j], name) != 0)
				continue;
			n = pf_ifa_lookup(c, c->env->ifs[i].name, flags);
			if (n == NULL)
				break;
			if (h == NULL)
				h = n;
			else {
				h->tail->next = n;
				h->tail = n->tail;
			}
			break;
		}
	return (h);
}

struct node_host *
pf_ifa_lookup(struct pf_hostctx *c, const char *name, int flags)
{
	struct node_host		*h = NULL, *n;
	const struct acl_env_addr	*p;
	const struct acl_env_if		*ifp;
	const char			*last_if = NULL;
	int				 got4 = 0, got6 = 0, i;

	if ((h = ifa_grouplookup(c, name, flags)) != NULL)
		return (h);
	if (!strcmp(name, "self"))
		name = NULL;
	for (i = 0; i < c->env->naddrs; i++) {
		p = &c->env->addrs[i];
		if (ifa_skip_if(name, p->ifname))
			continue;
		ifp = env_if(c, p->ifname);
		if ((flags & ACL_IFA_BROADCAST) && p->af != AF_INET)
			continue;
		if ((flags & ACL_IFA_BROADCAST) && (ifp == NULL ||
		    !(ifp->flags & ACL_ENVIF_BROADCAST)))
			continue;
		if ((flags & ACL_IFA_BROADCAST) && p->bcast.w[0] == 0)
			continue;
		if ((flags & ACL_IFA_PEER) && (ifp == NULL ||
		    !(ifp->flags & ACL_ENVIF_POINTOPOINT)))
			continue;
		if ((flags & ACL_IFA_NETWORK) && p->scope > 0)
			continue;
		if (last_if == NULL || strcmp(last_if, p->ifname))
			got4 = got6 = 0;
		last_if = p->ifname;
		if ((flags & ACL_IFA_NOALIAS) && p->af == AF_INET && got4)
			continue;
		if ((flags & ACL_IFA_NOALIAS) && p->af == AF_INET6 && got6)
			continue;
		if (p->af == AF_INET)
			got4 = 1;
		else
			got6 = 1;
		n = pf_alloc(c->arena, sizeof(*n));
		n->af = p->af;
		if (flags & ACL_IFA_BROADCAST)
			n->addr.a.addr = p->bcast;
		else if (flags & ACL_IFA_PEER)
			n->addr.a.addr = p->peer;
		else
			n->addr.a.addr = p->addr;
		if (flags & ACL_IFA_NETWORK)
			pf_set_ipmask(n, pf_unmask(&p->mask));
		else
			pf_set_ipmask(n, -1);
		n->ifindex = p->scope;
		n->tail = n;
		if (h == NULL)
			h = n;
		else {
			h->tail->next = n;
			h->tail = n;
		}
	}
	return (h);
}

/* host() ----------------------------------------------------------------- */

/* An interface address modifier, "(em0:network)": its ACL_IFA_* bit. */
int
pf_ifa_modifier(const char *m)
{
	if (!strcmp(m, "network"))
		return (ACL_IFA_NETWORK);
	if (!strcmp(m, "broadcast"))
		return (ACL_IFA_BROADCAST);
	if (!strcmp(m, "peer"))
		return (ACL_IFA_PEER);
	if (!strcmp(m, "0"))
		return (ACL_IFA_NOALIAS);
	return (-1);
}

static struct node_host *
host_if(struct pf_hostctx *c, const char *s, int mask)
{
	struct node_host	*n, *h = NULL;
	char			*p, *ps;
	int			 flags = 0;

	ps = pf_strdup(c->arena, s);
	while ((p = strrchr(ps, ':')) != NULL) {
		int f = pf_ifa_modifier(p + 1);

		if (f < 0)
			return (NULL);
		flags |= f;
		*p = '\0';
	}
	if (flags & (flags - 1) & (ACL_IFA_NETWORK | ACL_IFA_BROADCAST |
	    ACL_IFA_PEER)) {
		fprintf(c->err, "illegal combination of interface modifiers\n");
		return (NULL);
	}
	if ((flags & (ACL_IFA_NETWORK | ACL_IFA_BROADCAST)) && mask > -1) {
		fprintf(c->err, "network or broadcast lookup, but "
		    "extra netmask given\n");
		return (NULL);
	}
	if (pf_ifa_exists(c, ps) || !strcmp(ps, "self")) {
		h = pf_ifa_lookup(c, ps, flags);
		if (mask > -1)
			for (n = h; n != NULL; n = n->next)
				pf_set_ipmask(n, mask);
	}
	return (h);
}

/*
 * "10", "10.1", "192.168.1": the classful shorthand of inet_net_pton(3)
 * (missing octets are zero), used for "10/8".  glibc keeps
 * inet_net_pton() in libresolv; this is all pfctl needs of it.
 */
static int
net_pton4(const char *s, uint8_t *out)
{
	int		 i = 0;
	unsigned	 v;
	const char	*p = s;

	memset(out, 0, 4);
	for (;;) {
		if (i == 4 || *p < '0' || *p > '9')
			return (-1);
		v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (v > 255)
				return (-1);
		}
		out[i++] = (uint8_t)v;
		if (*p == '\0')
			return (0);
		if (*p++ != '.')
			return (-1);
	}
}

static struct node_host *
host_ip(struct pf_hostctx *c, const char *s, int mask)
{
	struct node_host	*h;
	char			*ps, *pct;
	unsigned		 scope = 0;

	h = pf_alloc(c->arena, sizeof(*h));
	if (inet_pton(AF_INET, s, &h->addr.a.addr) == 1)
		h->af = AF_INET;
	else {
		ps = pf_strdup(c->arena, s);
		if ((pct = strchr(ps, '%')) != NULL) {
			*pct++ = '\0';
			if ((scope = pf_ifa_nametoindex(c, pct)) == 0) {
				char *ep;
				unsigned long ul;

				errno = 0;
				ul = strtoul(pct, &ep, 10);
				if (*pct == '\0' || *ep != '\0' || ul == 0 ||
				    ul > UINT_MAX)
					return (NULL);
				scope = ul;
			}
		}
		if (inet_pton(AF_INET6, ps, &h->addr.a.addr) == 1) {
			h->af = AF_INET6;
			h->ifindex = scope;
		} else {
			/* ie. for 10/8 parsing */
			if (mask == -1 || pct != NULL)
				return (NULL);
			memset(&h->addr.a.addr, 0, sizeof(h->addr.a.addr));
			h->af = AF_INET;
			if (net_pton4(s, h->addr.a.addr.b) == -1)
				return (NULL);
		}
	}
	pf_set_ipmask(h, mask);
	h->tail = h;
	return (h);
}

static struct node_host *
host_dns(struct pf_hostctx *c, const char *s, int mask)
{
	struct node_host	*n, *h = NULL;
	int			 noalias = 0, got4 = 0, got6 = 0, i;
	char			*p, *ps;

	ps = pf_strdup(c->arena, s);
	if ((p = strrchr(ps, ':')) != NULL && !strcmp(p, ":0")) {
		noalias = 1;
		*p = '\0';
	}
	for (i = 0; i < c->env->nhosts; i++) {
		const struct acl_env_name *e = &c->env->hosts[i];

		if (strcmp(e->name, ps) != 0)
			continue;
		if (noalias) {
			if (e->af == AF_INET) {
				if (got4)
					continue;
				got4 = 1;
			} else {
				if (got6)
					continue;
				got6 = 1;
			}
		}
		n = pf_alloc(c->arena, sizeof(*n));
		n->af = e->af;
		n->addr.a.addr = e->addr;
		pf_set_ipmask(n, mask);
		n->tail = n;
		if (h == NULL)
			h = n;
		else {
			h->tail->next = n;
			h->tail = n;
		}
	}
	return (h);
}

struct node_host *
pf_host(struct pf_hostctx *c, const char *s)
{
	struct node_host	*h = NULL, *n;
	int			 mask = -1;
	char			*p, *ps, *ep;
	long			 l;

	ps = pf_strdup(c->arena, s);
	if ((p = strchr(ps, '/')) != NULL) {
		errno = 0;
		l = strtol(p + 1, &ep, 10);
		if (p[1] == '\0' || *ep != '\0' || errno) {
			fprintf(c->err, "netmask is invalid: %s\n", p);
			return (NULL);
		}
		if (l < 0 || l > 128) {
			fprintf(c->err, "netmask is too %s: %s\n",
			    l < 0 ? "small" : "large", p);
			return (NULL);
		}
		mask = (int)l;
		p[0] = '\0';
	}
	if ((h = host_if(c, ps, mask)) == NULL &&
	    (h = host_ip(c, ps, mask)) == NULL &&
	    (h = host_dns(c, ps, mask)) == NULL) {
		fprintf(c->err, "no IP address found for %s\n", s);
		return (NULL);
	}
	for (n = h; n != NULL; n = n->next) {
		n->addr.type = ACL_ADDR_ADDRMASK;
		n->weight = 0;
	}
	return (h);
}

/* services and protocols ------------------------------------------------- */

/* OpenBSD's /etc/services, the well-known part, tcp then udp names */
static const struct { const char *name; int port; } services[] = {
	{ "tcpmux", 1 }, { "echo", 7 }, { "discard", 9 }, { "systat", 11 },
	{ "daytime", 13 }, { "netstat", 15 }, { "qotd", 17 },
	{ "chargen", 19 }, { "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 },
	{ "telnet", 23 }, { "smtp", 25 }, { "time", 37 }, { "whois", 43 },
	{ "domain", 53 }, { "gopher", 70 }, { "finger", 79 }, { "www", 80 },
	{ "http", 80 }, { "kerberos", 88 }, { "supdup", 95 },
	{ "hostname", 101 }, { "tsap", 102 }, { "pop2", 109 },
	{ "pop3", 110 }, { "sunrpc", 111 }, { "auth", 113 },
	{ "ident", 113 }, { "sftp", 115 }, { "uucp-path", 117 },
	{ "nntp", 119 }, { "ntp", 123 }, { "netbios-ns", 137 },
	{ "netbios-dgm", 138 }, { "netbios-ssn", 139 }, { "imap", 143 },
	{ "imap2", 143 }, { "snmp", 161 }, { "snmp-trap", 162 },
	{ "xdmcp", 177 }, { "bgp", 179 }, { "irc", 194 }, { "ldap", 389 },
	{ "https", 443 }, { "microsoft-ds", 445 }, { "kpasswd", 464 },
	{ "submissions", 465 }, { "isakmp", 500 }, { "exec", 512 },
	{ "biff", 512 }, { "login", 513 }, { "who", 513 }, { "shell", 514 },
	{ "syslog", 514 }, { "printer", 515 }, { "talk", 517 },
	{ "ntalk", 518 }, { "route", 520 }, { "timed", 525 },
	{ "uucp", 540 }, { "submission", 587 }, { "ldaps", 636 },
	{ "rsync", 873 }, { "imaps", 993 }, { "pop3s", 995 },
	{ "openvpn", 1194 }, { "radius", 1812 }, { "radacct", 1813 },
	{ "nfsd", 2049 }, { "mysql", 3306 }, { "postgresql", 5432 },
	{ "x11", 6000 }, { "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 },
	{ "domain-s", 853 }, { "ipsec-nat-t", 4500 }, { "carp", 112 },
	{ "nameserver", 42 }, { "rtsp", 554 }, { "sip", 5060 },
};

static int
atoul(const char *s, unsigned long *v)
{
	char	*ep;

	errno = 0;
	*v = strtoul(s, &ep, 0);
	if (s[0] == '\0' || *ep != '\0')
		return (-1);
	if (errno == ERANGE)
		return (-1);
	return (0);
}

/*
 * Returns 0 and the port (host order), -1 for an unknown name and -2 for
 * a number out of range (*port holds it, clamped, for the message).
 */
int
pf_getservice(const char *n, int *port)
{
	unsigned long	ul;
	size_t		i;

	if (atoul(n, &ul) == 0) {
		if (ul > 65535) {
			*port = ul > INT_MAX ? INT_MAX : (int)ul;
			return (-2);
		}
		*port = (int)ul;
		return (0);
	}
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].name, n) == 0) {
			*port = services[i].port;
			return (0);
		}
	return (-1);
}

/* OpenBSD's /etc/protocols: official name first, aliases after */
static const struct { const char *name; int proto; int official; }
protocols[] = {
	{ "ip", 0, 1 }, { "icmp", 1, 1 }, { "igmp", 2, 1 }, { "ggp", 3, 1 },
	{ "ipencap", 4, 1 }, { "st", 5, 1 }, { "tcp", 6, 1 },
	{ "egp", 8, 1 }, { "igp", 9, 1 }, { "pup", 12, 1 }, { "udp", 17, 1 },
	{ "hmp", 20, 1 }, { "xns-idp", 22, 1 }, { "rdp", 27, 1 },
	{ "iso-tp4", 29, 1 }, { "xtp", 36, 1 }, { "ddp", 37, 1 },
	{ "idpr-cmtp", 38, 1 }, { "ipv6", 41, 1 }, { "ipv6-route", 43, 1 },
	{ "ipv6-frag", 44, 1 }, { "idrp", 45, 1 }, { "rsvp", 46, 1 },
	{ "gre", 47, 1 }, { "esp", 50, 1 }, { "ah", 51, 1 },
	{ "mobile", 55, 1 }, { "tlsp", 56, 1 }, { "skip", 57, 1 },
	{ "ipv6-icmp", 58, 1 }, { "icmp6", 58, 0 },
	{ "ipv6-nonxt", 59, 1 }, { "ipv6-opts", 60, 1 }, { "rspf", 73, 1 },
	{ "vmtp", 81, 1 }, { "ospf", 89, 1 }, { "ipip", 94, 1 },
	{ "encap", 98, 1 }, { "pim", 103, 1 }, { "ipcomp", 108, 1 },
	{ "carp", 112, 1 }, { "vrrp", 112, 0 }, { "l2tp", 115, 1 },
	{ "sctp", 132, 1 }, { "mpls-in-ip", 137, 1 }, { "pfsync", 240, 1 },
	{ "divert", 258, 1 },
};

int
pf_getproto(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (strcmp(protocols[i].name, name) == 0)
			return (protocols[i].proto);
	return (-1);
}

const char *
pf_protoname(int proto)
{
	size_t	i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].proto == proto && protocols[i].official)
			return (protocols[i].name);
	return (NULL);
}

/* icmp ------------------------------------------------------------------- */

static const struct pf_icmptype icmp_type[] = {
	{ "echoreq", 8 }, { "echorep", 0 }, { "unreach", 3 },
	{ "squench", 4 }, { "redir", 5 }, { "althost", 6 },
	{ "routeradv", 9 }, { "routersol", 10 }, { "timex", 11 },
	{ "paramprob", 12 }, { "timereq", 13 }, { "timerep", 14 },
	{ "inforeq", 15 }, { "inforep", 16 }, { "maskreq", 17 },
	{ "maskrep", 18 }, { "trace", 30 }, { "dataconv", 31 },
	{ "mobredir", 32 }, { "ipv6-where", 33 }, { "ipv6-here", 34 },
	{ "mobregreq", 35 }, { "mobregrep", 36 }, { "skip", 39 },
	{ "photuris", 40 },
};

static const struct pf_icmptype icmp6_type[] = {
	{ "unreach", 1 }, { "toobig", 2 }, { "timex", 3 },
	{ "paramprob", 4 }, { "echoreq", 128 }, { "echorep", 129 },
	{ "groupqry", 130 }, { "listqry", 130 }, { "grouprep", 131 },
	{ "listenrep", 131 }, { "groupterm", 132 }, { "listendone", 132 },
	{ "routersol", 133 }, { "routeradv", 134 }, { "neighbrsol", 135 },
	{ "neighbradv", 136 }, { "redir", 137 }, { "routrrenum", 138 },
	{ "wrureq", 139 }, { "wrurep", 140 }, { "fqdnreq", 139 },
	{ "fqdnrep", 140 }, { "niqry", 139 }, { "nirep", 140 },
	{ "mtraceresp", 200 }, { "mtrace", 201 }, { "listenrepv2", 143 },
};

static const struct pf_icmpcode icmp_code[] = {
	{ "net-unr", 3, 0 }, { "host-unr", 3, 1 }, { "proto-unr", 3, 2 },
	{ "port-unr", 3, 3 }, { "needfrag", 3, 4 }, { "srcfail", 3, 5 },
	{ "net-unk", 3, 6 }, { "host-unk", 3, 7 }, { "isolate", 3, 8 },
	{ "net-prohib", 3, 9 }, { "host-prohib", 3, 10 },
	{ "net-tos", 3, 11 }, { "host-tos", 3, 12 },
	{ "filter-prohib", 3, 13 }, { "host-preced", 3, 14 },
	{ "cutoff-preced", 3, 15 }, { "redir-net", 5, 0 },
	{ "redir-host", 5, 1 }, { "redir-tos-net", 5, 2 },
	{ "redir-tos-host", 5, 3 }, { "normal-adv", 9, 0 },
	{ "common-adv", 9, 16 }, { "transit", 11, 0 }, { "reassemb", 11, 1 },
	{ "badhead", 12, 0 }, { "optmiss", 12, 1 }, { "badlen", 12, 2 },
	{ "unknown-ind", 40, 1 }, { "auth-fail", 40, 2 },
	{ "decrypt-fail", 40, 3 },
};

static const struct pf_icmpcode icmp6_code[] = {
	{ "admin-unr", 1, 1 }, { "noroute-unr", 1, 0 },
	{ "beyond-unr", 1, 2 }, { "addr-unr", 1, 3 }, { "port-unr", 1, 4 },
	{ "transit", 3, 0 }, { "reassemb", 3, 1 }, { "badhead", 4, 0 },
	{ "nxthdr", 4, 1 }, { "redironlink", 137, 0 },
	{ "redirrouter", 137, 1 },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

const struct pf_icmptype *
pf_icmptype_byname(const char *w, int af)
{
	const struct pf_icmptype	*t = af != AF_INET6 ? icmp_type :
	    icmp6_type;
	size_t	n = af != AF_INET6 ? NITEMS(icmp_type) : NITEMS(icmp6_type);
	size_t	i;

	for (i = 0; i < n; i++)
		if (!strcmp(w, t[i].name))
			return (&t[i]);
	return (NULL);
}

const struct pf_icmptype *
pf_icmptype_bynum(int type, int af)
{
	const struct pf_icmptype	*t = af != AF_INET6 ? icmp_type :
	    icmp6_type;
	size_t	n = af != AF_INET6 ? NITEMS(icmp_type) : NITEMS(icmp6_type);
	size_t	i;

	for (i = 0; i < n; i++)
		if (type == t[i].type)
			return (&t[i]);
	return (NULL);
}

const struct pf_icmpcode *
pf_icmpcode_byname(int type, const char *w, int af)
{
	const struct pf_icmpcode	*t = af != AF_INET6 ? icmp_code :
	    icmp6_code;
	size_t	n = af != AF_INET6 ? NITEMS(icmp_code) : NITEMS(icmp6_code);
	size_t	i;

	for (i = 0; i < n; i++)
		if (type == t[i].type && !strcmp(w, t[i].name))
			return (&t[i]);
	return (NULL);
}

const struct pf_icmpcode *
pf_icmpcode_bynum(int type, int code, int af)
{
	const struct pf_icmpcode	*t = af != AF_INET6 ? icmp_code :
	    icmp6_code;
	size_t	n = af != AF_INET6 ? NITEMS(icmp_code) : NITEMS(icmp6_code);
	size_t	i;

	for (i = 0; i < n; i++)
		if (type == t[i].type && code == t[i].code)
			return (&t[i]);
	return (NULL);
}

const struct pf_timeout_name pf_timeouts[] = {
	{ "tcp.first",		ACL_TM_TCP_FIRST_PACKET },
	{ "tcp.opening",	ACL_TM_TCP_OPENING },
	{ "tcp.established",	ACL_TM_TCP_ESTABLISHED },
	{ "tcp.closing",	ACL_TM_TCP_CLOSING },
	{ "tcp.finwait",	ACL_TM_TCP_FIN_WAIT },
	{ "tcp.closed",		ACL_TM_TCP_CLOSED },
	{ "tcp.tsdiff",		ACL_TM_TS_DIFF },
	{ "udp.first",		ACL_TM_UDP_FIRST_PACKET },
	{ "udp.single",		ACL_TM_UDP_SINGLE },
	{ "udp.multiple",	ACL_TM_UDP_MULTIPLE },
	{ "icmp.first",		ACL_TM_ICMP_FIRST_PACKET },
	{ "icmp.error",		ACL_TM_ICMP_ERROR_REPLY },
	{ "other.first",	ACL_TM_OTHER_FIRST_PACKET },
	{ "other.single",	ACL_TM_OTHER_SINGLE },
	{ "other.multiple",	ACL_TM_OTHER_MULTIPLE },
	{ "frag",		ACL_TM_FRAG },
	{ "interval",		ACL_TM_INTERVAL },
	{ "adaptive.start",	ACL_TM_ADAPTIVE_START },
	{ "adaptive.end",	ACL_TM_ADAPTIVE_END },
	{ "src.track",		ACL_TM_SRC_NODE },
	{ NULL,			0 }
};

const char *const pf_limit_names[] = {
	"states", "src-nodes", "frags", "tables", "table-entries",
	"pktdelay-pkts", "anchors", NULL
};

/* md5 (RFC 1321), for source-hash keys given as strings ------------------ */

struct md5 {
	uint32_t	 s[4];
	uint64_t	 n;
	uint8_t		 buf[64];
};

#define ROL(x, c)	(((x) << (c)) | ((x) >> (32 - (c))))

static void
md5_block(struct md5 *m, const uint8_t *p)
{
	static const uint32_t K[64] = {
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf,
		0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af,
		0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e,
		0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
		0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6,
		0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
		0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
		0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
		0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039,
		0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97,
		0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d,
		0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
		0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391 };
	static const uint8_t R[64] = {
		7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
		5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
		4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
		6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21 };
	uint32_t	w[16], a, b, c, d, f, t;
	int		i, g;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[i * 4] | (uint32_t)p[i * 4 + 1] << 8 |
		    (uint32_t)p[i * 4 + 2] << 16 | (uint32_t)p[i * 4 + 3] << 24;
	a = m->s[0];
	b = m->s[1];
	c = m->s[2];
	d = m->s[3];
	for (i = 0; i < 64; i++) {
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		t = d;
		d = c;
		c = b;
		b = b + ROL(a + f + K[i] + w[g], R[i]);
		a = t;
	}
	m->s[0] += a;
	m->s[1] += b;
	m->s[2] += c;
	m->s[3] += d;
}

void
pf_md5(const void *data, size_t len, uint8_t out[16])
{
	struct md5	 m = { { 0x67452301, 0xefcdab89, 0x98badcfe,
	    0x10325476 }, 0, { 0 } };
	const uint8_t	*p = data;
	uint64_t	 bits = (uint64_t)len * 8;
	size_t		 i, fill = 0;

	while (len >= 64) {
		md5_block(&m, p);
		p += 64;
		len -= 64;
	}
	memcpy(m.buf, p, len);
	fill = len;
	m.buf[fill++] = 0x80;
	if (fill > 56) {
		memset(m.buf + fill, 0, 64 - fill);
		md5_block(&m, m.buf);
		fill = 0;
	}
	memset(m.buf + fill, 0, 56 - fill);
	for (i = 0; i < 8; i++)
		m.buf[56 + i] = (uint8_t)(bits >> (8 * i));
	md5_block(&m, m.buf);
	for (i = 0; i < 16; i++)
		out[i] = (uint8_t)(m.s[i / 4] >> (8 * (i % 4)));
}
