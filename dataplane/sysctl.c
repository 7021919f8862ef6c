/* See sysctl.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/sysctl.h"
#include "fwd/arp.h"

/* OpenBSD's bounds: sysctl_int_bounded() in ip_sysctl(). */
const struct sysctl_def sysctl_defs[SYSCTL__MAX] = {
	[SYSCTL_FORWARDING] = { "net.inet.ip.forwarding", 0, 1, 0 },
	[SYSCTL_ARPTIMEOUT] = { "net.inet.ip.arptimeout", 0, INT_MAX,
	    ARP_KEEP },
	[SYSCTL_ARPDOWN] = { "net.inet.ip.arpdown", 0, INT_MAX,
	    ARP_DOWNTIME },
	/* ipsendredirects: on, as IPSENDREDIRECTS has it */
	[SYSCTL_REDIRECT] = { "net.inet.ip.redirect", 0, 1, 1 },
	/* ip6_sysctl(): off by default, as IPv4's. */
	[SYSCTL_FORWARDING6] = { "net.inet6.ip6.forwarding", 0, 1, 0 },
	/* ip6_sendredirects: on, as IPV6_SENDREDIRECTS has it */
	[SYSCTL_REDIRECT6] = { "net.inet6.ip6.redirect", 0, 1, 1 },
};

void
sysctl_defaults(int *v)
{
	int i;

	for (i = 0; i < SYSCTL__MAX; i++)
		v[i] = sysctl_defs[i].def;
}

/* The index of sysctl NAME, or -1. */
int
sysctl_find(const char *name)
{
	int i;

	for (i = 0; i < SYSCTL__MAX; i++)
		if (strcmp(sysctl_defs[i].name, name) == 0)
			return i;
	return -1;
}

/* TEXT as a value of sysctl I: 0, or -1 if it is no number in bounds. */
int
sysctl_value(int i, const char *text, int *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0 ||
	    n < sysctl_defs[i].min || n > sysctl_defs[i].max)
		return -1;
	*v = (int)n;
	return 0;
}

/* What sysctl I takes, for an error message. */
const char *
sysctl_range(int i, char *buf, size_t len)
{
	if (sysctl_defs[i].min == 0 && sysctl_defs[i].max == 1)
		snprintf(buf, len, "0 or 1");
	else
		snprintf(buf, len, "a number from %d to %d",
		    sysctl_defs[i].min, sysctl_defs[i].max);
	return buf;
}
