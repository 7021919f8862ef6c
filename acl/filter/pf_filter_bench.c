/*
 * pf_filter_bench.c: ns per classification on ClassBench sets, compiled or
 * linear, for "sluice-bench acl".  The trace is looked up in order, again
 * and again until ~0.2 s have passed and (compiled) all of it was seen;
 * the linear evaluator stops at 0.2 s, a 10k-rule trace would take
 * seconds.  The verdicts are folded into a sum so that the compiler cannot
 * drop the lookups.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "acl/filter/pf_filter_bench.h"

#define ACL_BENCH_NS	200000000.0	/* run at least this long */

static double
acl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e9 + (double)ts.tv_nsec);
}

int
acl_cb_compile(const struct acl_conf *conf, int compiled,
    struct acl_classifier **c, char *err, size_t errlen)
{
	struct acl_compile_args args;
	struct acl_ifinfo ifs[1];

	memset(ifs, 0, sizeof(ifs));
	strcpy(ifs[0].name, "em0");
	memset(&args, 0, sizeof(args));
	args.conf = conf;
	args.ifs = ifs;
	args.nifs = 1;
	args.dir = ACL_IN;
	args.flags = compiled ? 0 : ACL_COMPILE_LINEAR;
	return (acl_compile(&args, c, err, errlen));
}

int
acl_bench_classbench_stats(const char *rules, const char *trace, int compiled,
    double *ns, struct acl_tree_stats *stats, double *compile_ms)
{
	struct acl_conf *conf = NULL;
	struct acl_classifier *c = NULL;
	struct acl_cb_trace t;
	struct acl_result res;
	volatile int64_t sink = 0;
	double t0, done = 0;
	size_t i, rounds = 0;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = acl_cb_load_rules(rules, &conf)) != 0)
		return (error);
	error = acl_cb_load_trace(trace, NULL, &t);
	if (error == ENOENT)
		error = acl_cb_synth_trace(conf, 10, 1, &t);
	if (error != 0)
		goto out;
	if (t.n == 0) {
		error = EINVAL;
		goto out;
	}
	t0 = acl_now();
	if ((error = acl_cb_compile(conf, compiled, &c, NULL, 0)) != 0)
		goto out;
	if (compile_ms != NULL)
		*compile_ms = (acl_now() - t0) / 1e6;
	if (stats != NULL)
		acl_classifier_stats(c, stats);

	/* look the trace up in order, wrapping; check the clock now and then */
	t0 = acl_now();
	for (i = 0;; i = i + 1 == t.n ? 0 : i + 1) {
		if (compiled)
			acl_classify(c, &t.pkt[i], &res);
		else
			acl_eval_linear(c, &t.pkt[i], &res);
		sink += res.ar_nr;
		if ((++rounds & 255) == 0 &&
		    (done = acl_now() - t0) >= ACL_BENCH_NS &&
		    rounds >= t.n)
			break;
		if ((rounds & 255) == 0 && !compiled && done >= ACL_BENCH_NS)
			break;
	}
	*ns = done / (double)rounds;
out:
	acl_classifier_free(c);
	acl_cb_trace_free(&t);
	acl_cb_conf_free(conf);
	(void)sink;
	return (error);
}

int
acl_bench_classbench(const char *rules, const char *trace, int compiled,
    double *ns)
{
	return (acl_bench_classbench_stats(rules, trace, compiled, ns, NULL,
	    NULL));
}
