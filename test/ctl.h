/*
 * What tests and fuzz targets run sluicectl's commands with: straight
 * into the dataplane's dp_ctl(), as sluiced runs a control socket's.
 */
#ifndef TEST_CTL_H
#define TEST_CTL_H

#include <stdio.h>
#include <string.h>

#include "dataplane/dp.h"

/*
 * sluicectl LINE (words split at blanks) run on dp: its exit status;
 * what it printed is in *out (the caller frees it; NULL when no stream
 * could be opened).
 */
static inline int
test_ctl(struct dp *dp, const char *line, char **out)
{
	char buf[512], *argv[16], *w;
	size_t len = 0;
	int argc = 0, rc;
	FILE *f;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok(buf, " "); w != NULL && argc < 15;
	    w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	*out = NULL;
	if ((f = open_memstream(out, &len)) == NULL)
		return -1;
	rc = dp_ctl(dp, argc, argv, f);
	fclose(f);
	return rc;
}

#endif /* TEST_CTL_H */
