/* Placeholder until the pf.conf parser lands. */
#include "acl/pf.h"

int
pfctl_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
