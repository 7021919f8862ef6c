/*
 * struct dp owns everything a running sluiced has: ports, bridges, the
 * packet pool, counters, the trace ring, the clock.  There are no mutable
 * globals; one thread runs the poll loop and the control socket, so
 * nothing here needs a lock.
 */
#ifndef DP_DP_H
#define DP_DP_H

#include <stdint.h>
#include <stdio.h>

#include "dataplane/capture.h"
#include "dataplane/conf.h"
#include "dataplane/pkt.h"
#include "dataplane/dp_pf.h"
#include "dataplane/port.h"
#include "dataplane/router.h"
#include "fwd/bridge.h"

#define DP_MAX_PORTS	128
#define DP_MAX_BRIDGES	CONF_MAX_BRIDGES
#define DP_MAX_MAPS	128
#define DP_TRACE_MAX	4096

/* X(enum, name, meaning): pipeline counters outside ports and bridges. */
#define DP_COUNTERS(X)							\
	X(BATCHES,	"batches",	"receive bursts processed")	\
	X(PACKETS,	"packets",	"frames through the pipeline")	\
	X(DROP_LOOP_FULL, "drop-loop-full", "dropped: too many router frames waiting to enter a bridge") \
	X(TX_FLUSH_EARLY, "tx-flush-early", "output queue flushed before the end of a batch") \
	X(TX_PRIQ,	"tx-priq",	"output queues of several priorities sent highest first (priq)") \
	X(PFLOW_FLOWS,	"pflow-flows",	"flow records of states gone, for pflow interfaces") \
	X(PFLOW_PACKETS, "pflow-packets", "NetFlow datagrams sent to collectors") \
	X(PFLOW_ERRORS,	"pflow-errors",	"flow records not sent: no route out, no buffer, no flowsrc")

#define DP_C_ENUM(e, n, d)	DP_C_##e,
enum { DP_COUNTERS(DP_C_ENUM) DP_C__MAX };
#undef DP_C_ENUM

/* -i NAME=SPEC and -g VM=NETNS from the command line. */
struct dp_map {
	char		 name[64];
	char		 spec[512];
};

struct dp_opts {
	const char	*tap_prefix;	/* Linux names of taps: PREFIX + tapN */
	int		 nifmaps;
	struct dp_map	 ifmaps[DP_MAX_MAPS];
	int		 nguests;
	struct dp_map	 guests[DP_MAX_MAPS];
	int		 check_only;	/* -n: no kernel objects */
	int		 force;		/* attach even to a default-route interface */
	const char	*dhcpd_leases;	/* -l: dhcpd.leases to keep, or NULL */
};

struct dp_trace_ent {
	uint64_t	 ns;
	uint32_t	 pkt;
	char		 stage[12];
	char		 text[240];
};

/*
 * A pflow interface: its settings, and the flows its collector waits
 * for, one way of a state each, in no protocol's layout yet.
 */
#define PFLOW_BUFFLOWS	960
struct dp_pflow_rec {
	union acl_ip	 src, dst;
	uint64_t	 packets, bytes;
	uint32_t	 first, last;	/* dp->now of its first, last packet */
	uint16_t	 ifin, ifout;	/* ifconfig's index, 0: unknown */
	uint16_t	 sport, dport;	/* network order */
	uint8_t		 af;		/* 4 or 6 */
	uint8_t		 proto;
};
struct dp_pflow {
	struct conf_pflow c;
	int		 unit;		/* N of pflowN */
	int		 n;		/* records waiting */
	uint32_t	 first;		/* dp->now the first of them came */
	uint32_t	 seq;		/* records sent (the sequence number) */
	struct dp_pflow_rec rec[PFLOW_BUFFLOWS];
};

struct dp_vm {
	const struct conf_vm *cv;
	char		 netns[64];
	int		 ports[CONF_MAX_VMIFS];	/* port index per interface */
};

struct dp {
	struct conf	*conf;
	struct dp_opts	*opts;
	struct pkt_pool	 pool;
	uint16_t	 nports;
	struct port	*ports[DP_MAX_PORTS];
	int		 nbridges;
	struct bridge	 bridges[DP_MAX_BRIDGES];
	int		 nvms;
	struct dp_vm	 vms[CONF_MAX_VMS];

	uint64_t	 now_ns;	/* monotonic, or the capture's clock */
	uint32_t	 now;		/* seconds of now_ns */
	uint64_t	 start_ns;
	int		 replay;	/* every port is a capture file */
	/* Some bridge has had rules / span ports: only then do frames look
	 * (a flag each, never cleared: a hint for the fast path). */
	uint8_t		 bridge_rules;
	uint8_t		 bridge_spans;
	uint32_t	 pkt_seq;

	uint32_t	 trace_budget;	/* trace this many more packets */
	uint32_t	 trace_head;
	uint32_t	 trace_count;
	struct dp_trace_ent trace[DP_TRACE_MAX];

	int		 ncap;		/* sluicectl tcpdump running */
	struct capture	 cap[CAPTURE_MAX];
	uint16_t	 ndirty;
	struct port	*dirty[DP_MAX_PORTS];
	struct router	 router;
	struct dp_pf	 pf;
	/* Frames the router sends into a bridge, run after the batch. */
	uint16_t	 nloop;
	struct txent	 loopq[4 * BATCH_MAX];
	int		 npflows;
	struct dp_pflow	 pflows[CONF_MAX_PFLOWS];
	uint16_t	 nqports;	/* ports with pf queues */
	uint8_t		 qrunning;	/* in dp_queues_run() */
	uint64_t	 c[DP_C__MAX];
};

/* Whether pf looks at this port's packets at all (enabled, not skipped);
 * every frame asks. */
static inline int
dp_pf_filters(const struct dp *dp, const struct port *port)
{
	const struct dp_pf_ruleset *rs = dp->pf.rs;

	return dp->pf.enabled && rs != NULL && port->index < rs->nports &&
	    !rs->skip[port->index];
}

int	 dp_build(struct dp *, struct conf *, struct dp_opts *, FILE *);
void	 dp_destroy(struct dp *);
struct port *dp_port(struct dp *, const char *);
struct bridge *dp_bridge(struct dp *, const char *);
struct port *dp_open_vlan(struct dp *, struct conf_vlan *, FILE *);
void	 dp_clock(struct dp *, uint64_t);
void	 dp_input(struct dp *, struct port *, struct pkt **, int);
void	 dp_output_now(struct dp *, struct port *, struct pkt *);
void	 dp_pf_delay(struct dp *, struct port *, struct pkt *);

/* dp_output_now(), unless pf gave the frame a delay (dp_pfdelay.c) */
static inline void
dp_output(struct dp *dp, struct port *out, struct pkt *p)
{
	if (__builtin_expect(p->pf_delay, 0))
		dp_pf_delay(dp, out, p);
	else
		dp_output_now(dp, out, p);
}
void	 dp_loop(struct dp *, struct port *, struct pkt *);
void	 dp_drain(struct dp *);
int	 dp_bridge_rule_add(struct dp *, struct bridge *,
	    struct bridge_member *, struct bridge_rule *);
int	 dp_rif_set_addrs(struct dp *, struct rif *, const struct rif_addr *,
	    int, FILE *);
void	 dp_flush(struct dp *);
int	 dp_poll_rx(struct dp *, struct port *);
void	 dp_tick(struct dp *);
int	 dp_replay(struct dp *);
void	 dp_trace(struct dp *, const struct pkt *, const char *, const char *,
	    ...) __attribute__((format(printf, 4, 5)));

/* pflow(4) (dp_pflow.c) */
struct state;
void	 dp_pflow_export(struct dp *, const struct state *);
void	 dp_pflow_tick(struct dp *);
struct dp_pflow *dp_pflow(struct dp *, const char *);
void	 dp_pflow_show(struct dp *, const struct dp_pflow *, FILE *);
int	 dp_pflow_set(struct dp *, struct dp_pflow *, int, char **, FILE *);

/*
 * Buffers of the packet pool that pf's queues and set delays leave free
 * whatever they hold, so that receiving never starves.
 */
#define DPQ_POOL_RESERVE	(4 * BATCH_MAX)

/* pf's set delay (dp_pfdelay.c) */
void	 dp_pf_delay_run(struct dp *);
uint64_t dp_pf_delay_next(const struct dp *);
void	 dp_pf_delay_fini(struct dp *);

/* pf's queues (dp_pfqueue.c) */
struct dpq;
void	 dp_queue_output(struct dp *, struct dpq *, struct port *,
	    struct pkt *, uint16_t);
void	 dp_queues_run(struct dp *);
void	 dp_queues_tick(struct dp *);
uint64_t dp_queues_next(const struct dp *);
int	 dp_pf_queue_ids(struct dp *, struct acl_conf *, FILE *);
int	 dp_pf_queues_build(struct dp *, const struct acl_conf *,
	    struct dpq ***, FILE *);
void	 dp_pf_queues_free(struct dp *, struct dpq **, size_t);
void	 dp_pf_queues_install(struct dp *, struct dpq **);
void	 dp_pf_queues_clear(struct dp *);
void	 dp_pf_show_queues(struct dp *, const char *, int, FILE *);

/* Control commands (sluicectl and sluiced -c): returns an exit status. */
int	 dp_ctl(struct dp *, int, char **, FILE *);

extern const char *const dp_counter_names[DP_C__MAX];
extern const char *const dp_counter_help[DP_C__MAX];

#endif /* DP_DP_H */
