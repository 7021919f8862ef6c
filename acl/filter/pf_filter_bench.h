/*
 * acl/filter/pf_filter_bench.h: ClassBench filter sets and traces as pf
 * rules and packets, for the differential tests and "sluice-bench acl".
 *
 * A ClassBench rule is first-match; it becomes "pass in quick inet [proto
 * P] from S [port SP] to D [port DP] no state" in file order, so the first
 * matching line decides, and rule i (0-based) is number i of the main
 * ruleset.  The sixth field (flags-like) is ignored, as the *.first files
 * of the corpus do.
 */
#ifndef ACL_FILTER_PF_FILTER_BENCH_H
#define ACL_FILTER_PF_FILTER_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "acl/filter/pf_filter.h"

int	 acl_cb_load_rules(const char *, struct acl_conf **);
void	 acl_cb_conf_free(struct acl_conf *);

struct acl_cb_trace {
	struct acl_pkt	*pkt;
	int32_t		*first;		/* expected rule, -1: none; or NULL */
	size_t		 n;
};

/* first: the "*_trace.first" file, or NULL */
int	 acl_cb_load_trace(const char *, const char *, struct acl_cb_trace *);
void	 acl_cb_trace_free(struct acl_cb_trace *);
/* a trace drawn from the rules, n headers per rule, when there is none */
int	 acl_cb_synth_trace(const struct acl_conf *, size_t, uint64_t,
	    struct acl_cb_trace *);

/* Compile a set for one port ("em0", in), as a tree or (linear) not. */
int	 acl_cb_compile(const struct acl_conf *, int, struct acl_classifier **,
	    char *, size_t);

/*
 * Compile rules for one port ("em0", in) and time a lookup of every trace
 * header, repeated to at least ~0.2 s: compiled (acl_classify) or not
 * (acl_eval_linear).  A trace file that does not exist is drawn from the
 * rules (10 headers per rule).  Returns 0 or an errno; stats may be NULL.
 */
int	 acl_bench_classbench(const char *, const char *, int, double *);
int	 acl_bench_classbench_stats(const char *, const char *, int, double *,
	    struct acl_tree_stats *, double *);

#endif /* ACL_FILTER_PF_FILTER_BENCH_H */
