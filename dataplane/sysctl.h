/*
 * The sysctls sluice has, named as sysctl(8) names them: forwarding (off
 * by default, as on OpenBSD), redirects (on) and ARP's two timers (sys/netinet/if_ether.c:
 * arpt_keep, how long an answer is good, and arpt_down, how long a next
 * hop that never answered is left alone).  /etc/sysctl.conf sets them at
 * start, `sluicectl sysctl NAME=VALUE' at run time; both take the same
 * names and bounds from here.
 */
#ifndef DP_SYSCTL_H
#define DP_SYSCTL_H

#include <stddef.h>

enum {
	SYSCTL_FORWARDING,
	SYSCTL_ARPTIMEOUT,
	SYSCTL_ARPDOWN,
	SYSCTL_REDIRECT,
	SYSCTL_FORWARDING6,
	SYSCTL_REDIRECT6,
	SYSCTL__MAX
};

struct sysctl_def {
	const char	*name;
	int		 min, max, def;
};

extern const struct sysctl_def sysctl_defs[SYSCTL__MAX];

void	 sysctl_defaults(int *);
int	 sysctl_find(const char *);
int	 sysctl_value(int, const char *, int *);
const char *sysctl_range(int, char *, size_t);

#endif /* DP_SYSCTL_H */
