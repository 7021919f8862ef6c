/*
 * libFuzzer target: pf's tables under pfctl's commands, loads, flushes,
 * packets and time (test/ctlops.h reads the input).  A fresh dataplane
 * each input, so that a crash replays; never a crash, a leak or
 * undefined behaviour.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp.h"
#include "test/ctlops.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/sluice-fuzz-ctl-XXXXXX";
static struct conf *conf;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_opts opts;
	struct dp dp;
	int i;

	if (conf == NULL) {
		if (mkdtemp(dir) == NULL || ctlops_setup(dir) != 0 ||
		    (conf = calloc(1, sizeof(*conf))) == NULL ||
		    conf_load(conf, dir, stderr) != 0)
			abort();
	}
	memset(&opts, 0, sizeof(opts));
	for (i = 0; i < CTLOPS_NPORTS; i++) {
		snprintf(opts.ifmaps[i].name, sizeof(opts.ifmaps[i].name),
		    "%s", ctlops_ports[i]);
		snprintf(opts.ifmaps[i].spec, sizeof(opts.ifmaps[i].spec),
		    "pcap::");
	}
	opts.nifmaps = CTLOPS_NPORTS;
	memset(&dp, 0, sizeof(dp));
	if (dp_build(&dp, conf, &opts, stderr) != 0)
		abort();
	dp_clock(&dp, 1000000000ULL);
	ctlops_run(&dp, dir, data, size, NULL);
	dp_destroy(&dp);
	return 0;
}
