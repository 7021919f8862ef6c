/*
 * sluiced: read the configuration directory, open the ports, run the poll
 * loop.  One thread: the loop serves the ports and the control socket in
 * turn, so no state is shared between threads.  Signals are blocked except
 * inside ppoll(), so SIGTERM can never be lost between a check and a wait.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/conf.h"
#include "dataplane/ctl.h"
#include "dataplane/dp.h"

#define RX_BURSTS_PER_WAKE	8	/* fairness between busy ports */

static volatile sig_atomic_t quit;
/*
 * -p USEC: after a burst, keep polling without sleeping for USEC.  A
 * sleeping sluiced is woken by an interrupt to its CPU for every frame
 * that finds it asleep, which on a VM goes through the hypervisor
 * (~40 us a crossing, measured with bench/system --only rtt); spinning
 * trades a CPU for it.  0 (the default): always sleep in ppoll().
 */
static uint64_t spin_ns;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: sluiced [-dFnv] [-C command] [-c command] "
	    "[-f confdir]\n"
	    "               "
	    "[-g vm=netns] [-i name=ifspec]\n"
	    "               [-l leasefile] [-p usec] [-s socket] "
	    "[-t tapprefix]\n");
	exit(1);
}

static int
add_map(struct dp_map *maps, int *n, const char *arg, const char *opt)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0' ||
	    (size_t)(eq - arg) >= sizeof(maps[0].name)) {
		warnx("-%s %s: expected NAME=VALUE", opt, arg);
		return -1;
	}
	if (*n == DP_MAX_MAPS) {
		warnx("-%s: too many", opt);
		return -1;
	}
	snprintf(maps[*n].name, sizeof(maps[*n].name), "%.*s",
	    (int)(eq - arg), arg);
	snprintf(maps[*n].spec, sizeof(maps[*n].spec), "%s", eq + 1);
	(*n)++;
	return 0;
}

/* The interface holding this host's default route is never ours. */
static int
is_default_route_if(const char *ifname)
{
	char line[256], name[64];
	unsigned long dst;
	FILE *f = fopen("/proc/net/route", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %lx", name, &dst) == 2 && dst == 0 &&
		    strcmp(name, ifname) == 0)
			found = 1;
	fclose(f);
	return found;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
run_commands(struct dp *dp, char **cmds, int ncmds)
{
	char *argv[64], *copy, *tok, *save;
	int i, argc, status = 0;

	for (i = 0; i < ncmds; i++) {
		if ((copy = strdup(cmds[i])) == NULL)
			return 1;
		argc = 0;
		for (tok = strtok_r(copy, " \t", &save); tok != NULL &&
		    argc < 63; tok = strtok_r(NULL, " \t", &save))
			argv[argc++] = tok;
		argv[argc] = NULL;
		if (dp_ctl(dp, argc, argv, stdout) != 0)
			status = 1;
		free(copy);
	}
	fflush(stdout);
	return status;
}

/* Wake no later than pf's queues or a set delay let a frame go. */
static void
queue_wait(struct dp *dp, struct timespec *tmo)
{
	uint64_t t = dp_queues_next(dp), d = dp_pf_delay_next(dp), now, ns;

	if (d != 0 && (t == 0 || d < t))
		t = d;
	if (t == 0)
		return;
	now = mono_ns();
	ns = t > now ? t - now : 0;
	if (ns < (uint64_t)tmo->tv_sec * 1000000000 + (uint64_t)tmo->tv_nsec) {
		tmo->tv_sec = (time_t)(ns / 1000000000);
		tmo->tv_nsec = (long)(ns % 1000000000);
	}
}

static void
loop(struct dp *dp, int ls)
{
	struct pollfd pfd[DP_MAX_PORTS + 1];
	struct port *who[DP_MAX_PORTS];
	sigset_t empty;
	uint32_t last_tick = dp->now;
	uint64_t last_rx = 0;
	int i, n, b, got;

	sigemptyset(&empty);
	while (!quit) {
		n = 0;
		for (i = 0; i < dp->nports; i++) {
			struct port *p = dp->ports[i];

			if (p->fd < 0 || p->ops == NULL)
				continue;
			pfd[n].fd = p->fd;
			pfd[n].events = POLLIN;
			who[n++] = p;
		}
		pfd[n].fd = ls;
		pfd[n].events = POLLIN;
		/* With a capture running, flush it at least every 100 ms. */
		struct timespec tmo = { dp->ncap ? 0 : 1,
		    dp->ncap ? 100000000 : 0 };
		queue_wait(dp, &tmo);
		if (spin_ns != 0 && mono_ns() - last_rx < spin_ns)
			tmo.tv_sec = tmo.tv_nsec = 0;	/* look, don't sleep */
		if (ppoll(pfd, (nfds_t)n + 1, &tmo, &empty) < 0) {
			if (errno == EINTR)
				continue;
			syslog(LOG_ERR, "poll: %m");
			break;
		}
		dp_clock(dp, mono_ns());
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLERR)))
				continue;
			for (b = 0; b < RX_BURSTS_PER_WAKE; b++) {
				got = dp_poll_rx(dp, who[i]);
				if (got > 0)
					last_rx = dp->now_ns;
				if (got < BATCH_MAX)
					break;
			}
		}
		dp_queues_run(dp);
		dp_pf_delay_run(dp);
		if (pfd[n].revents & POLLIN)
			ctl_serve(dp, ls);
		if (dp->ncap)
			capture_flush(dp);
		if (dp->now != last_tick) {
			dp_tick(dp);
			last_tick = dp->now;
		}
	}
}

int
main(int argc, char *argv[])
{
	static struct dp_opts opts;
	static struct dp dp;
	struct conf *conf;
	struct sigaction sa;
	sigset_t block;
	const char *confdir = "/etc", *sock = CTL_DEFAULT_SOCKET;
	char *confdir_abs, leasefile_abs[PATH_MAX];
	const char *leasefile = NULL;
	char *cmds[32], *pre[32], ebuf[512];
	int ch, debug = 0, verbose = 0, ncmds = 0, npre = 0, ls, i, status = 0;

	while ((ch = getopt(argc, argv, "C:c:dFf:g:i:l:np:s:t:v")) != -1) {
		switch (ch) {
		case 'C':
			if (npre == 32)
				errx(1, "-C: too many commands");
			pre[npre++] = optarg;
			break;
		case 'c':
			if (ncmds == 32)
				errx(1, "-c: too many commands");
			cmds[ncmds++] = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'F':
			opts.force = 1;
			break;
		case 'f':
			confdir = optarg;
			break;
		case 'g':
			if (add_map(opts.guests, &opts.nguests, optarg, "g"))
				return 1;
			break;
		case 'i':
			if (add_map(opts.ifmaps, &opts.nifmaps, optarg, "i"))
				return 1;
			break;
		case 'l':
			leasefile = optarg;
			break;
		case 'n':
			opts.check_only = 1;
			break;
		case 'p': {
			char *end;
			unsigned long us = strtoul(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || us > 1000000)
				errx(1, "-p %s: expected microseconds, 0 to "
				    "1000000", optarg);
			spin_ns = (uint64_t)us * 1000;
			break;
		}
		case 's':
			sock = optarg;
			break;
		case 't':
			opts.tap_prefix = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	for (i = 0; i < opts.nifmaps; i++)
		if (strncmp(opts.ifmaps[i].spec, "pcap:", 5) != 0 &&
		    !opts.force && is_default_route_if(opts.ifmaps[i].spec))
			errx(1, "refusing -i %s=%s: %s carries this host's "
			    "default route (use -F to force)",
			    opts.ifmaps[i].name, opts.ifmaps[i].spec,
			    opts.ifmaps[i].spec);

	/* Paths in the configuration (pf.conf's /etc/X, reloads) must keep
	 * meaning after daemon(3) changes to /. */
	if ((confdir_abs = realpath(confdir, NULL)) != NULL)
		confdir = confdir_abs;
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		err(1, "calloc");
	if (conf_load(conf, confdir, stderr) != 0) {
		fprintf(stderr, "sluiced: %s: %d error%s, nothing applied\n",
		    confdir, conf->errors, conf->errors == 1 ? "" : "s");
		status = 1;
		goto out;
	}
	/* -l, as dhcpd's: the leases of the last run, if it left any. */
	if (leasefile != NULL && leasefile[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			err(1, "getcwd");
		snprintf(leasefile_abs, sizeof(leasefile_abs), "%s/%s", cwd,
		    leasefile);
		leasefile = leasefile_abs;
	}
	if (leasefile != NULL && !conf->has_dhcpd)
		fprintf(stderr, "sluiced: warning: -l %s: no dhcpd.conf, no "
		    "leases to keep\n", leasefile);
	else if (leasefile != NULL && access(leasefile, F_OK) == 0 &&
	    conf_parse_leases(conf, leasefile) != 0) {
		fprintf(stderr, "sluiced: %s: %d error%s, nothing applied\n",
		    leasefile, conf->errors, conf->errors == 1 ? "" : "s");
		status = 1;
		goto out;
	}
	opts.dhcpd_leases = leasefile;
	if (opts.check_only) {
		if (dp_build(&dp, conf, &opts, stderr) != 0)
			status = 1;
		else if (verbose)
			fprintf(stderr, "configuration OK\n");
		goto out;
	}

	openlog("sluiced", LOG_PID | (debug ? LOG_PERROR : 0), LOG_DAEMON);
	if (dp_build(&dp, conf, &opts, stderr) != 0 ||
	    run_commands(&dp, pre, npre) != 0) {
		status = 1;
		goto out;
	}
	if (dp.replay) {
		/* Capture files only: replay them, answer -c, and exit. */
		dp_replay(&dp);
		status = run_commands(&dp, cmds, ncmds);
		goto out;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((ls = ctl_listen(sock, ebuf, sizeof(ebuf))) < 0) {
		fprintf(stderr, "sluiced: %s\n", ebuf);
		status = 1;
		goto out;
	}
	if (!debug && daemon(0, 0) != 0)
		err(1, "daemon");
	syslog(LOG_INFO, "started: %u ports, %d bridges, %d vms, control %s",
	    dp.nports, dp.nbridges, dp.nvms, sock);
	router_gratuitous(&dp.router);
	dp_drain(&dp);
	loop(&dp, ls);
	syslog(LOG_INFO, "stopping");
	close(ls);
	unlink(sock);
out:
	dp_destroy(&dp);		/* closing the taps removes them */
	conf_free(conf);
	free(conf);
	free(confdir_abs);
	return status;
}
