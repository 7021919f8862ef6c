/*
 * sluicectl: the views and controls of a running sluiced, in OpenBSD's
 * words (ifconfig, vmctl, pfctl, ...).  Everything goes over the control
 * socket except `pfctl -n`, which parses and prints a rule set offline,
 * with no daemon, exactly as pfctl -nv does.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/pf.h"
#include "dataplane/ctl.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: sluicectl [-s socket] command [argument ...]\n"
	    "commands:\n"
	    "  ifconfig [if [option ...]]   interfaces and bridges; change a bridge,\n"
	    "                               an address (inet, inet6, -inet, -inet6)\n"
	    "  vmctl status [name]          VMs, their taps and switches\n"
	    "  stats [-v]                   per-port traffic and drops by reason\n"
	    "  trace on [N] | off | show | clear\n"
	    "                               record what each stage decides\n"
	    "  pfctl [options]              pf: -f file, -s rules|states|info, ...\n"
	    "  pfctl -nv -f file            parse and print a pf.conf (no daemon)\n"
	    "  explain in|out on if [proto p] from a [port n] to b [port n]\n"
	    "                               what pf would do with such a packet, why\n"
	    "  netstat -rn | route add|delete|show | sysctl [name[=value]]\n"
	    "  arp -an | arp -s host ether [temp|permanent] | arp -d host|-a\n"
	    "  ndp -an | ndp -s addr ether [temp] | ndp -d addr | ndp -c\n"
	    "  dhcpleasectl show interface if   a DHCP uplink's lease\n"
	    "  dhcpd leases                 the DHCP server's leases (dhcpd.conf)\n"
	    "  tcpdump [-entv] [-c n] [-w file] -i if [expression]\n"
	    "                               watch a port (vether0 too), or\n"
	    "                               pflog0: what pf's log rules decide\n");
	exit(1);
}

static int
has_flag(int argc, char **argv, char flag)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] == '-' && argv[i][1] != '-' &&
		    strchr(argv[i] + 1, flag) != NULL &&
		    strchr("afosDK", argv[i][1]) == NULL)
			return 1;
	}
	return 0;
}

/*
 * sluiced reads `pfctl -f FILE` itself: a relative path is made absolute
 * here, where it means something.  /etc/X stays: sluiced reads it as
 * CONFDIR/X, like every path in its configuration.
 */
static void
pfctl_paths(int argc, char **argv)
{
	char *abs;
	int i, j;

	for (i = 1; i < argc; i++) {
		char **slot = NULL;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] != '-')
			continue;
		/* An option cluster: -f takes the rest or the next word. */
		for (j = 1; argv[i][j] != '\0'; j++) {
			if (argv[i][j] == 'f') {
				if (argv[i][j + 1] == '\0' && i + 1 < argc)
					slot = &argv[++i];
				break;
			}
			if (strchr("aFkosDKLtxip", argv[i][j]) != NULL) {
				i += argv[i][j + 1] == '\0';
				break;
			}
		}
		if (slot == NULL || (*slot)[0] == '/')
			continue;
		if (strcmp(*slot, "-") == 0)
			errx(1, "pfctl -f -: give sluiced a file to read");
		if ((abs = realpath(*slot, NULL)) == NULL)
			err(1, "%s", *slot);
		*slot = abs;
	}
}

/*
 * tcpdump [-ceAntvXx] [-w file] -i if [expression]: sluiced streams what the
 * port receives and sends as a pcap file; tcpdump reads it from stdin, so
 * filters and output are tcpdump's own.  vether0 has no Linux interface:
 * this is the only way to watch it.  pflogN streams pf's log records.
 */
static int
tcpdump(const char *sock, int argc, char **argv)
{
	char *req[4], count[16] = "0", *args[64], *ifname = NULL;
	const char *wfile = NULL;
	int32_t status;
	int ch, s, na = 0, filtered;

	args[na++] = "tcpdump";
	args[na++] = "-r";
	args[na++] = "-";
	optind = 1;
	while ((ch = getopt(argc, argv, "Ac:ei:ntvw:Xx")) != -1 && na < 40) {
		switch (ch) {
		case 'c':
			snprintf(count, sizeof(count), "%s", optarg);
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'w':
			wfile = optarg;
			break;
		case 'A':
			args[na++] = "-A";
			break;
		case 'e':
			args[na++] = "-e";
			break;
		case 'n':
			args[na++] = "-n";
			break;
		case 't':
			args[na++] = "-t";	/* -ttt: once each */
			break;
		case 'v':
			args[na++] = "-v";
			break;
		case 'X':
			args[na++] = "-X";
			break;
		case 'x':
			args[na++] = "-x";
			break;
		default:
			errx(1, "usage: sluicectl tcpdump [-Aentvx] [-c count] "
			    "[-w file] -i interface [expression]");
		}
	}
	if (ifname == NULL)
		errx(1, "tcpdump: which interface? (-i NAME, e.g. -ni vether0)");
	/*
	 * With an expression, tcpdump filters, so only it can count what
	 * matched (sluiced's count would include what the filter drops):
	 * sluiced streams until tcpdump is done and closes the socket.
	 */
	filtered = optind < argc;
	req[0] = "tcpdump";
	req[1] = ifname;
	req[2] = filtered ? "0" : count;
	req[3] = NULL;
	if ((s = ctl_open(sock, 3, req, stderr)) < 0)
		return 1;
	if (ctl_status(s, &status) != 0)
		errx(1, "%s: no answer from sluiced", sock);
	if (status != 0) {
		char buf[512];
		ssize_t n = read(s, buf, sizeof(buf) - 1);

		if (n > 0)
			fwrite(buf, 1, (size_t)n, stderr);
		return 1;
	}
	if (wfile != NULL && !filtered) {
		char buf[65536];
		FILE *f = strcmp(wfile, "-") == 0 ? stdout : fopen(wfile, "w");
		ssize_t n;

		if (f == NULL)
			err(1, "%s", wfile);
		while ((n = read(s, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, (size_t)n, f);
			fflush(f);
		}
		return 0;
	}
	if (filtered && strcmp(count, "0") != 0) {
		args[na++] = "-c";
		args[na++] = count;
	}
	if (wfile != NULL) {
		args[na++] = "-w";
		args[na++] = (char *)wfile;
	}
	args[na++] = "--";
	while (optind < argc && na < 63)
		args[na++] = argv[optind++];
	args[na] = NULL;
	if (dup2(s, 0) < 0)
		err(1, "dup2");
	execvp("tcpdump", args);
	err(1, "tcpdump (install it: apt-get install tcpdump)");
}

int
main(int argc, char *argv[])
{
	const char *sock = getenv("SLUICE_SOCKET");
	int ch;

	if (sock == NULL)
		sock = CTL_DEFAULT_SOCKET;
	while ((ch = getopt(argc, argv, "+s:h")) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "pfctl") == 0 && has_flag(argc, argv, 'n'))
		return pfctl_main(argc, argv);
	if (strcmp(argv[0], "pfctl") == 0)
		pfctl_paths(argc, argv);
	if (strcmp(argv[0], "tcpdump") == 0)
		return tcpdump(sock, argc, argv);
	return ctl_request(sock, argc, argv, stdout, stderr);
}
