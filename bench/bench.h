/*
 * The harness every sluice-bench case shares (bench/sluice-bench.c): one
 * warm-up run thrown away, then at least five measured runs per variant,
 * reported as the median with min and max, in Mpps, ns and TSC cycles
 * per packet (or per lookup: a "packet" is one unit of the case's work).
 *
 * A case gets the options and a struct bench, builds its tables before
 * the clock starts, and calls bench_measure() with a function that does
 * `want` units of work and returns how many it did.  Anything the reader
 * needs to judge a row (memory per state, rules, what was left out) goes
 * in the row's note.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_RUNS_MIN		5

struct bench_opts {
	int		 quick;
	int		 runs;
	uint64_t	 packets;	/* per run */
	const char	*pcap;
	const char	*csv;
	const char	*corpus;	/* ClassBench: CORPUS/classbench/ */
	const char	*srcdir;	/* examples/handbook/etc */
	int		 cpu;		/* -1: not pinned */
};

/* One row of the report: a variant of a case, measured runs times. */
struct bench_result {
	char		 bcase[16];
	char		 variant[64];
	uint64_t	 packets;
	int		 runs;
	double		 mpps_med, mpps_min, mpps_max;
	double		 ns_med, ns_min, ns_max;
	double		 cyc_med;
	char		 status[96];	/* "ok" or why it was skipped */
	char		 note[160];
};

struct bench {
	struct bench_opts *o;
	double		 tsc_ghz;	/* 0: no TSC */
	struct bench_result *res;
	int		 nres;
	int		 maxres;
};

/* fn does `want` units and returns how many it did (it may round up). */
typedef uint64_t (*bench_fn)(void *, uint64_t);

struct bench_result *
	 bench_measure(struct bench *, const char *, const char *, bench_fn,
	    void *);
struct bench_result *
	 bench_measure_n(struct bench *, const char *, const char *, bench_fn,
	    void (*)(void *), void *, uint64_t);
void	 bench_skip(struct bench *, const char *, const char *);
void	 bench_note(struct bench_result *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

uint64_t bench_ns(void);
uint32_t bench_rand(uint64_t *);
void	 bench_shuffle(uint32_t *, uint32_t, uint64_t *);
uint16_t bench_udp4_frame(uint8_t *, const uint8_t *, const uint8_t *,
	    uint32_t, uint32_t, uint16_t, uint16_t);

#define BENCH_UDP_FRAME_LEN	60	/* 64 B on the wire with the FCS */

/*
 * DPDK's rte_acl on a ClassBench set, beside sluice's compiled row
 * (bench_acl_dpdk.c).  base: its ns for the set's first 10 rules, per
 * burst size: stored when the last argument says this is that run,
 * else the rows say how many times that they cost.
 */
struct acl_conf;
struct acl_cb_trace;
struct acl_classifier;
void	 bench_dpdk_acl_set(struct bench *, const char *,
	    const struct acl_conf *, const struct acl_cb_trace *,
	    const struct acl_classifier *, double, double[2], int);

void	 bench_case_route(struct bench *);
void	 bench_case_acl(struct bench *);
void	 bench_case_nat(struct bench *);
void	 bench_case_pipeline(struct bench *);
void	 bench_case_queue(struct bench *);

#endif /* BENCH_BENCH_H */
