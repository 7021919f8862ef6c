/*
 * filter-bench: ns per classification on the ClassBench sets of the
 * corpus, compiled and linear, with the shape of each tree.  Not a test;
 * "sluice-bench acl" calls the same acl_bench_classbench().
 *
 * usage: filter-bench [-l] [set ...]   (-l: also the linear evaluator)
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/filter/pf_filter_bench.h"

/* acl1_10k has no trace in the corpus: one is drawn from its rules */
static const char *sets[] = { "acl1_1k", "fw1_1k", "ipc1_1k", "acl1_10k",
	"acl2_10k", "fw1_10k", "ipc1_10k", NULL };

int
main(int argc, char **argv)
{
	const char *corpus = getenv("SLUICE_CORPUS");
	char rules[1024], trace[1024];
	struct acl_tree_stats st;
	double ns, lns, ms;
	const char **list = sets;
	int ch, linear = 0, error, i;

	while ((ch = getopt(argc, argv, "l")) != -1) {
		switch (ch) {
		case 'l':
			linear = 1;
			break;
		default:
			fprintf(stderr, "usage: filter-bench [-l] [set ...]\n");
			return (1);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		list = (const char **)argv;
	if (corpus == NULL || *corpus == '\0')
		corpus = SLUICE_CORPUS_DEFAULT;
	printf("%-10s %6s %10s %10s %8s %8s %6s %6s %9s %8s\n", "set", "rules",
	    "tree ns", "linear ns", "nodes", "refs", "leaf", "depth", "KiB",
	    "build ms");
	for (i = 0; list[i] != NULL; i++) {
		snprintf(rules, sizeof(rules), "%s/classbench/%s", corpus,
		    list[i]);
		snprintf(trace, sizeof(trace), "%s_trace", rules);
		if ((error = acl_bench_classbench_stats(rules, trace, 1, &ns,
		    &st, &ms)) != 0)
			errx(1, "%s: %s", rules, strerror(error));
		lns = 0;
		if (linear && (error = acl_bench_classbench(rules, trace, 0,
		    &lns)) != 0)
			errx(1, "%s: %s", rules, strerror(error));
		printf("%-10s %6zu %10.1f %10.1f %8zu %8zu %6zu %6zu %9zu "
		    "%8.1f%s\n", list[i], st.entries, ns, lns, st.nodes,
		    st.leaf_refs, st.max_leaf, st.max_depth, st.bytes / 1024,
		    ms, st.budget_hit ? " budget" : "");
	}
	return (0);
}
