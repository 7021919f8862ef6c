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
	    "  ifconfig [if [option ...]]   interfaces and bridges; change a bridge\n"
	    "  vmctl status [name]          VMs, their taps and switches\n"
	    "  stats [-v]                   per-port traffic and drops by reason\n"
	    "  trace on [N] | off | show | clear\n"
	    "                               record what each stage decides\n"
	    "  pfctl -nv -f file            parse and print a pf.conf (no daemon)\n");
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
	return ctl_request(sock, argc, argv, stdout, stderr);
}
