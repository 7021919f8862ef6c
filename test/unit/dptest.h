/*
 * What the dataplane's unit tests share: a dataplane built from a test's
 * configuration directory, every port a capture file (nothing to read;
 * the ports named in OUT write what they send to ETC/PORT.out), its
 * clock at one second; and the directory's removal.  OUT is NULL or a
 * NULL-terminated list.
 */
#ifndef TEST_UNIT_DPTEST_H
#define TEST_UNIT_DPTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dataplane/dp.h"
#include "test/ctl.h"
#include "test/etc.h"

static inline void
dptest_build(struct dp *dp, struct conf **conf, const char *etc,
    const char *const *ports, int nports, const char *const *out)
{
	struct dp_opts opts;
	int i, k;

	memset(&opts, 0, sizeof(opts));
	cr_assert_not_null(*conf = calloc(1, sizeof(**conf)));
	cr_assert_eq(conf_load(*conf, etc, stderr), 0);
	for (i = 0; i < nports; i++) {
		int w = 0;

		for (k = 0; out != NULL && out[k] != NULL; k++)
			w |= strcmp(out[k], ports[i]) == 0;
		snprintf(opts.ifmaps[i].name, sizeof(opts.ifmaps[i].name),
		    "%s", ports[i]);
		if (w)
			snprintf(opts.ifmaps[i].spec,
			    sizeof(opts.ifmaps[i].spec), "pcap::%s/%s.out",
			    etc, ports[i]);
		else
			snprintf(opts.ifmaps[i].spec,
			    sizeof(opts.ifmaps[i].spec), "pcap::");
	}
	opts.nifmaps = nports;
	memset(dp, 0, sizeof(*dp));
	cr_assert_eq(dp_build(dp, *conf, &opts, stderr), 0);
	dp_clock(dp, 1000000000ULL);
}

/* The fake clock at SEC seconds. */
static inline void
dptest_at(struct dp *dp, uint32_t sec)
{
	dp_clock(dp, (uint64_t)sec * 1000000000ULL);
}

/*
 * The clock moves to SEC, ticking each second on the way, and what was
 * queued for ports goes out after each tick, as in sluiced.
 */
static inline void
dptest_run_to(struct dp *dp, uint32_t sec)
{
	while (dp->now < sec) {
		dptest_at(dp, dp->now + 1);
		dp_tick(dp);
		dp_flush(dp);
	}
}

static inline void
dptest_destroy(struct dp *dp, struct conf *conf)
{
	dp_destroy(dp);
	conf_free(conf);
	free(conf);
}

/* The value of counter NAME in a `stats' text (which leaves out zeros). */
static inline long
dptest_counter(const char *t, const char *name)
{
	const char *q = t;
	size_t n = strlen(name);

	while ((q = strstr(q, name)) != NULL) {
		if (q > t && q[-1] == ' ' && q[n] == ' ')
			return strtol(q + n, NULL, 10);
		q += n;
	}
	return 0;
}

/* What the last dptest_ctl() or dptest_ctl_rc() printed. */
static char *dptest_out;

/*
 * sluicectl LINE (words split at blanks) run on dp: its exit status;
 * what it printed is in dptest_out until the next call.
 */
static inline int
dptest_ctl_rc(struct dp *dp, const char *line)
{
	int rc;

	free(dptest_out);
	rc = test_ctl(dp, line, &dptest_out);
	cr_assert_not_null(dptest_out);
	return rc;
}

/* What sluicectl LINE printed, good until the next call. */
static inline const char *
dptest_ctl(struct dp *dp, const char *line)
{
	dptest_ctl_rc(dp, line);
	return dptest_out;
}

/* rm -rf DIR: a test's configuration directory. */
static inline void
etc_remove(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0, "cannot remove %s", dir);
}

#endif /* TEST_UNIT_DPTEST_H */
