/* The state table: orientation of keys, TCP and UDP tracking, timeouts on
 * a fake clock, the limit, translated (two-key) states, purge. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <criterion/criterion.h>

#include "nat/state.h"

static struct state_table t;
static union acl_ip A, B, N;

#define SYN 0x02
#define ACK 0x10
#define FIN 0x01
#define RST 0x04
#define TCP_WS(n) (STATE_WSCALE_FLAG | (n))

static void
setup(void)
{
	cr_assert_eq(state_table_init(&t, 8), 0);
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	memset(&N, 0, sizeof(N));
	inet_pton(AF_INET, "192.0.2.1", &A);
	inet_pton(AF_INET, "192.0.2.2", &B);
	inet_pton(AF_INET, "198.51.100.2", &N);
}

static void
teardown(void)
{
	state_table_fini(&t);
}

TestSuite(state, .init = setup, .fini = teardown);

static struct state *
flow(int proto, int dir, uint32_t now)
{
	struct state_key k;

	state_key_make(&k, AF_INET, (uint8_t)proto, &A, &B, htons(40000),
	    htons(80), dir);
	return state_insert(&t, &k, &k, dir, 0, now, 0, 7);
}

/* nat-to going out: A:41000 -> B:53 leaves as N:50001.  Its keys are
 * left in *wire and *stack. */
static struct state *
translated(uint32_t now, uint32_t rule, struct state_key *wire,
    struct state_key *stack)
{
	state_key_make(stack, AF_INET, 17, &A, &B, htons(41000), htons(53),
	    STATE_DIR_OUT);
	state_key_make(wire, AF_INET, 17, &N, &B, htons(50001), htons(53),
	    STATE_DIR_OUT);
	return state_insert(&t, wire, stack, STATE_DIR_OUT, 0, now, 0, rule);
}

static struct state *
find(int proto, const union acl_ip *s, const union acl_ip *d, uint16_t sp,
    uint16_t dp, int dir, uint32_t now)
{
	struct state_key k;

	state_key_make(&k, AF_INET, (uint8_t)proto, s, d, htons(sp),
	    htons(dp), dir);
	return state_lookup(&t, &k, dir, 0, now);
}

Test(state, both_directions_on_one_side)
{
	struct state *s = flow(6, STATE_DIR_IN, 0);

	cr_assert_not_null(s);
	cr_expect_eq(find(6, &A, &B, 40000, 80, STATE_DIR_IN, 0), s,
	    "the creator's packets, in");
	cr_expect_eq(find(6, &B, &A, 80, 40000, STATE_DIR_OUT, 0), s,
	    "the replies, out the same interface");
	cr_expect_null(find(6, &A, &B, 40000, 80, STATE_DIR_OUT, 0),
	    "the same packet going out elsewhere needs its own state");
	cr_expect_null(find(17, &A, &B, 40000, 80, STATE_DIR_IN, 0));
	cr_expect_null(find(6, &A, &B, 40001, 80, STATE_DIR_IN, 0));
}

/* A TCP segment for state_track_tcp(). */
static struct state_seg
seg(uint32_t seq, uint32_t ack, uint32_t len, uint16_t win, uint8_t flags,
    uint8_t wscale)
{
	struct state_seg g = { .seq = seq, .ack = ack, .len = len, .win = win,
	    .flags = flags, .wscale = wscale };

	return g;
}

/* A TCP state made by A's SYN (ISN 1000, window WIN, scale WS) going in. */
static struct state *
tcp_flow(uint16_t win, uint8_t ws)
{
	struct state *s = flow(6, STATE_DIR_IN, 0);
	struct state_seg g = seg(1000, 0, 0, win, SYN, ws);

	cr_assert_not_null(s);
	state_tcp_init(&t, s, &g);
	return s;
}

/* Track one segment; returns the verdict, *fail the failed checks. */
static int
track(struct state *s, int dir, struct state_seg g, uint32_t now,
    uint8_t *fail)
{
	uint8_t f;

	return state_track_tcp(&t, s, dir, &g, 40 + g.len, now,
	    fail != NULL ? fail : &f);
}

/* A -> B: SYN 1000; B: SYN 5000 ACK 1001; A: ACK 5001.  Windows 8192. */
static struct state *
tcp_established(void)
{
	struct state *s = tcp_flow(8192, 0);

	cr_assert_eq(track(s, STATE_DIR_OUT, seg(5000, 1001, 0, 8192,
	    SYN | ACK, 0), 1, NULL), STATE_PASS);
	cr_assert_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 0, 8192, ACK, 0),
	    2, NULL), STATE_ESTABLISHED);
	return s;
}

Test(state, tcp_handshake_and_close)
{
	struct state *s = tcp_flow(8192, 0);

	cr_expect_eq(s->src_state, TCPS_SYN_SENT);
	cr_expect_eq(s->dst_state, TCPS_CLOSED);
	cr_expect_eq(s->timeout, ACL_TM_TCP_FIRST_PACKET);
	cr_expect_eq(state_expires_in(s, 0), 120);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1000, 0, 0, 8192, SYN, 0), 0,
	    NULL), STATE_PASS, "the SYN sent again");
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5000, 1001, 0, 8192,
	    SYN | ACK, 0), 1, NULL), STATE_PASS);
	cr_expect_eq(s->src_state, TCPS_ESTABLISHED);
	cr_expect_eq(s->dst_state, TCPS_SYN_SENT);
	cr_expect_eq(s->timeout, ACL_TM_TCP_OPENING);
	cr_expect_eq(state_expires_in(s, 1), 30);
	/* the handshake's last ACK says so, once (pf_src_connlimit()) */
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 0, 8192, ACK, 0),
	    2, NULL), STATE_ESTABLISHED);
	cr_expect_eq(s->dst_state, TCPS_ESTABLISHED);
	cr_expect_eq(s->timeout, ACL_TM_TCP_ESTABLISHED);
	cr_expect_eq(state_expires_in(s, 2), 86400);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 12, 8192,
	    FIN | ACK, 0), 3, NULL), STATE_PASS);
	cr_expect_eq(s->src_state, TCPS_CLOSING);
	cr_expect_eq(s->dst_state, TCPS_ESTABLISHED);
	cr_expect_eq(s->timeout, ACL_TM_TCP_CLOSING);
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5001, 1014, 0, 8192,
	    FIN | ACK, 0), 4, NULL), STATE_PASS);
	cr_expect_eq(s->src_state, TCPS_FIN_WAIT_2);
	cr_expect_eq(s->dst_state, TCPS_CLOSING);
	cr_expect_eq(s->timeout, ACL_TM_TCP_FIN_WAIT);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1014, 5002, 0, 8192, ACK, 0),
	    5, NULL), STATE_PASS);
	cr_expect_eq(s->dst_state, TCPS_FIN_WAIT_2);
	cr_expect_eq(s->timeout, ACL_TM_TCP_CLOSED);
	cr_expect_eq(state_expires_in(s, 5), 90);
	cr_expect_eq(s->packets[0], 4);
	cr_expect_eq(s->packets[1], 2);
	cr_expect_eq(s->bytes[1], 80);
	cr_expect_eq(t.c[STATE_C_MISMATCH], 0);
}

/* The windows: what each end may send is what the other's ACK + window
 * allows; a retransmission may reach one window back. */
Test(state, tcp_data_must_fit_the_window)
{
	struct state *s = tcp_established();
	uint8_t fail;

	/* B's window is 8192 from A's 1001: 1001 + 8192 = 9193 is its end */
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 8192, 8192, ACK,
	    0), 3, &fail), STATE_PASS, "data filling the window exactly");
	cr_expect_eq(track(s, STATE_DIR_IN, seg(9193, 5001, 1, 8192, ACK, 0),
	    4, &fail), STATE_BAD, "one byte past it");
	cr_expect_eq(fail, STATE_FAIL_SEQHI);
	cr_expect_eq(t.c[STATE_C_MISMATCH], 1);
	cr_expect_eq(s->packets[0], 2, "a refused packet is not counted");
	/* B acknowledges it all and opens the window */
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5001, 9193, 0, 8192, ACK, 0),
	    5, NULL), STATE_PASS);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(9193, 5001, 1000, 8192, ACK,
	    0), 6, NULL), STATE_PASS, "the window moved on");
	cr_expect_eq(track(s, STATE_DIR_IN, seg(3000, 5001, 1000, 8192, ACK,
	    0), 7, NULL), STATE_PASS, "a retransmission within a window back");
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1000 - 8192, 5001, 100, 8192,
	    ACK, 0), 8, &fail), STATE_BAD, "more than a window back");
	cr_expect_eq(fail, STATE_FAIL_SEQLO);
}

Test(state, tcp_ack_must_be_of_sent_data)
{
	struct state *s = tcp_established();
	uint8_t fail;

	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001 + 70000, 0, 8192,
	    ACK, 0), 3, &fail), STATE_BAD, "acks what B never sent");
	cr_expect_eq(fail, STATE_FAIL_ACKLO);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001 - 70000, 0, 8192,
	    ACK, 0), 4, &fail), STATE_BAD, "acks far behind");
	cr_expect_eq(fail, STATE_FAIL_ACKHI);
	cr_expect_eq(s->src_state, TCPS_ESTABLISHED, "nothing moved");
	cr_expect_eq(s->dst_state, TCPS_ESTABLISHED);
}

/* A blind RST must guess the exact sequence number: one in the window but
 * not at the edge is refused (RFC 5961's concern, pf's check). */
Test(state, tcp_rst_must_be_exact)
{
	struct state *s = tcp_established();
	uint8_t fail;

	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5001 + 4000, 0, 0, 0, RST,
	    0), 3, &fail), STATE_BAD);
	cr_expect_eq(fail, STATE_FAIL_RST);
	cr_expect_eq(s->src_state, TCPS_ESTABLISHED);
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5001, 0, 0, 0, RST, 0), 4,
	    &fail), STATE_PASS);
	cr_expect_eq(s->src_state, TCPS_TIME_WAIT);
	cr_expect_eq(s->dst_state, TCPS_TIME_WAIT);
	cr_expect_eq(s->timeout, ACL_TM_TCP_CLOSED);
}

/* Window scaling counts only when both SYNs offer it (RFC 7323). */
Test(state, tcp_window_scale)
{
	struct state *s = tcp_flow(64240, TCP_WS(7));
	uint8_t fail;

	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5000, 1001, 0, 65160,
	    SYN | ACK, TCP_WS(7)), 1, NULL), STATE_PASS);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 0, 502, ACK, 0), 2,
	    NULL), STATE_ESTABLISHED);
	/* B's window 509 << 7 = 65152 bytes from 1001 */
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5001, 1001, 0, 509, ACK, 0),
	    3, NULL), STATE_PASS);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 60000, 502, ACK,
	    0), 4, &fail), STATE_PASS, "60000 bytes in a scaled window");
	cr_expect_eq(t.tcp[0].peer[0].wscale, TCP_WS(7));
	cr_expect_eq(t.tcp[0].peer[1].wscale, TCP_WS(7));

	/* B does not scale: A's scale is dropped, its window is bytes */
	state_remove(&t, s);
	s = tcp_flow(64240, TCP_WS(7));
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5000, 1001, 0, 8192,
	    SYN | ACK, 0), 1, NULL), STATE_PASS);
	cr_expect_eq(t.tcp[state_id(&t, s)].peer[0].wscale, 0);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 0, 502, ACK, 0), 2,
	    NULL), STATE_ESTABLISHED);
	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 5001, 60000, 502, ACK,
	    0), 3, &fail), STATE_BAD, "8192 bytes is B's window, unscaled");
	cr_expect_eq(fail, STATE_FAIL_SEQHI);
}

/* A state picked up mid-stream (made by an ACK, `flags any', after
 * -F states) resyncs through the loose check, both ways. */
Test(state, tcp_picked_up_mid_stream)
{
	struct state *s = flow(6, STATE_DIR_IN, 0);
	struct state_seg g = seg(777000, 123000, 100, 1000, ACK, 0);

	state_tcp_init(&t, s, &g);
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(123000, 777100, 0, 1000, ACK,
	    0), 1, NULL), STATE_PASS, "B's first packet sets its end");
	cr_expect_eq(track(s, STATE_DIR_IN, seg(777100, 123000, 100, 1000,
	    ACK, 0), 2, NULL), STATE_ESTABLISHED, "both ends heard: established");
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(123000, 777200, 500, 1000,
	    ACK, 0), 3, NULL), STATE_PASS);
	cr_expect_eq(t.c[STATE_C_MISMATCH], 0);
}

/* Before the other end is heard, a packet beyond the window is let
 * through loosely (a second SYN with new data, say) and does not refresh
 * the timeout. */
Test(state, tcp_loose_before_the_peer_answers)
{
	struct state *s = tcp_flow(8192, 0);
	uint32_t exp = s->expire;

	cr_expect_eq(track(s, STATE_DIR_IN, seg(1001, 0, 500, 8192, 0, 0), 5,
	    NULL), STATE_LOOSE);
	cr_expect_eq(t.c[STATE_C_LOOSE], 1);
	cr_expect_eq(s->expire, exp, "no refresh");
	cr_expect_eq(s->packets[0], 1, "but counted: it passed");
}

/* A SYN|ACK that answers no SYN of ours, with both ends SYN_SENT: the
 * responder is told RST and starts over (pf_tcp_track_full()). */
Test(state, tcp_bad_handshake_gets_rst)
{
	struct state *s = tcp_flow(8192, 0);
	uint8_t fail;

	/* simultaneous open: B's own SYN first */
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5000, 0, 0, 8192, SYN, 0), 1,
	    NULL), STATE_PASS);
	cr_expect_eq(s->dst_state, TCPS_SYN_SENT);
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5000, 1001 + 200000, 0,
	    8192, SYN | ACK, 0), 2, &fail), STATE_BAD_RST);
	cr_expect_eq(fail, STATE_FAIL_ACKLO);
	cr_expect_eq(t.c[STATE_C_HSRST], 1);
	cr_expect_eq(t.tcp[state_id(&t, s)].peer[1].seqlo, 0,
	    "B's end starts over");
	cr_expect_eq(track(s, STATE_DIR_OUT, seg(5000, 1001, 0, 8192,
	    SYN | ACK, 0), 3, NULL), STATE_PASS, "a right answer then passes");
}

/* An ICMP error about a TCP flow must quote a sequence number its sender
 * could have sent. */
Test(state, tcp_icmp_error_quotes_the_window)
{
	struct state *s = tcp_established();

	/* a packet A sent in: its seq must be in A's window */
	cr_expect(state_icmp_seq_ok(&t, s, STATE_DIR_IN, 1001));
	cr_expect(state_icmp_seq_ok(&t, s, STATE_DIR_IN, 1001 + 8192));
	cr_expect_not(state_icmp_seq_ok(&t, s, STATE_DIR_IN, 1001 + 8193));
	cr_expect_not(state_icmp_seq_ok(&t, s, STATE_DIR_IN, 1000 - 8193));
	/* B's packet, going out */
	cr_expect(state_icmp_seq_ok(&t, s, STATE_DIR_OUT, 5001));
	cr_expect_not(state_icmp_seq_ok(&t, s, STATE_DIR_OUT, 900000));
	s->flags |= STATE_F_SLOPPY;
	cr_expect(state_icmp_seq_ok(&t, s, STATE_DIR_OUT, 900000),
	    "sloppy: no check");
}

/* keep state (sloppy): flags only (pf_tcp_track_sloppy()), with its two
 * cases for a state that sees one half of a connection. */
Test(state, tcp_sloppy_half_connection)
{
	struct state *s = tcp_flow(8192, 0);

	s->flags |= STATE_F_SLOPPY;
	cr_expect_eq(state_update(&t, s, STATE_DIR_IN, ACK, 52, 1),
	    STATE_ESTABLISHED, "an ACK after the SYN, B never seen");
	cr_expect_eq(s->src_state, TCPS_ESTABLISHED);
	cr_expect_eq(s->dst_state, TCPS_ESTABLISHED);
	state_update(&t, s, STATE_DIR_IN, FIN | ACK, 52, 3);
	cr_expect_eq(s->src_state, TCPS_CLOSING);
	cr_expect_eq(s->dst_state, TCPS_CLOSING,
	    "B's FIN we will not see");
}

/* pf_tcp_track_full()'s "state reuse": a SYN on a closed connection's
 * state is refused (the caller removes the state); one on a live one is
 * tracked as usual. */
Test(state, syn_on_a_closed_state)
{
	struct state *s = flow(6, STATE_DIR_IN, 0);

	cr_expect_eq(state_update(&t, s, STATE_DIR_IN, SYN, 60, 1), 0,
	    "a SYN sent again while opening");
	state_update(&t, s, STATE_DIR_OUT, RST, 40, 2);
	cr_expect_eq(state_update(&t, s, STATE_DIR_IN, SYN, 60, 3), -1);
	cr_expect_eq(t.c[STATE_C_REUSE], 1);
	cr_expect_eq(s->packets[0], 1, "the refused SYN is not counted");
	cr_expect_eq(state_update(&t, s, STATE_DIR_IN, SYN | ACK, 60, 4), 0,
	    "only a bare SYN opens a new connection");
}

Test(state, tcp_reset)
{
	struct state *s = flow(6, STATE_DIR_IN, 0);

	state_update(&t, s, STATE_DIR_OUT, RST, 40, 1);
	cr_expect_eq(s->src_state, TCPS_TIME_WAIT);
	cr_expect_eq(s->dst_state, TCPS_TIME_WAIT);
	cr_expect_eq(s->timeout, ACL_TM_TCP_CLOSED);
}

Test(state, udp_single_multiple)
{
	struct state *s = flow(17, STATE_DIR_OUT, 0);

	cr_expect_eq(s->timeout, ACL_TM_UDP_FIRST_PACKET);
	state_update(&t, s, STATE_DIR_OUT, 0, 100, 0);
	cr_expect_eq(s->timeout, ACL_TM_UDP_SINGLE);
	cr_expect_eq(state_expires_in(s, 0), 30);
	state_update(&t, s, STATE_DIR_IN, 0, 100, 1);
	cr_expect_eq(s->src_state, PEER_MULTIPLE);
	cr_expect_eq(s->dst_state, PEER_SINGLE);
	state_update(&t, s, STATE_DIR_OUT, 0, 100, 2);
	cr_expect_eq(s->dst_state, PEER_MULTIPLE);
	cr_expect_eq(s->timeout, ACL_TM_UDP_MULTIPLE);
	cr_expect_eq(state_expires_in(s, 2), 60);
}

Test(state, expiry_on_fake_clock)
{
	struct state *s = flow(1, STATE_DIR_IN, 100);

	cr_expect_eq(s->timeout, ACL_TM_ICMP_FIRST_PACKET);
	cr_expect_not_null(find(1, &A, &B, 40000, 80, STATE_DIR_IN, 119));
	cr_expect_null(find(1, &A, &B, 40000, 80, STATE_DIR_IN, 120),
	    "expired states do not match");
	cr_expect_eq(state_purge(&t, 120, 8), 1);
	cr_expect_eq(t.count, 0);
}

Test(state, limit_refuses_and_counts)
{
	struct state_key k;
	int i;

	for (i = 0; i < 8; i++) {
		state_key_make(&k, AF_INET, 17, &A, &B, htons(1000 + i),
		    htons(53), STATE_DIR_IN);
		cr_assert_not_null(state_insert(&t, &k, &k, STATE_DIR_IN, 0, 0,
		    0, 0));
	}
	state_key_make(&k, AF_INET, 17, &A, &B, htons(999), htons(53),
	    STATE_DIR_IN);
	cr_expect_null(state_insert(&t, &k, &k, STATE_DIR_IN, 0, 0, 0, 0));
	cr_expect_eq(t.c[STATE_C_LIMIT], 1);
	cr_expect_not_null(find(17, &A, &B, 1000, 53, STATE_DIR_IN, 0),
	    "existing flows go on");
	/* Once old ones expire, a new one gets in. */
	cr_expect_not_null(state_insert(&t, &k, &k, STATE_DIR_IN, 0, 100, 0,
	    0));
}

Test(state, duplicate_key_refused)
{
	cr_assert_not_null(flow(6, STATE_DIR_IN, 0));
	cr_expect_null(flow(6, STATE_DIR_IN, 0));
	cr_expect_eq(t.c[STATE_C_INSERT_FAIL], 1);
	cr_expect_not_null(flow(6, STATE_DIR_OUT, 0), "other direction: fine");
}

/* nat-to on the way out: the wire key carries the translated source. */
Test(state, translated_state_has_two_keys)
{
	struct state_key wire, stack;
	struct state *s = translated(0, 0, &wire, &stack);

	cr_assert_not_null(s);
	cr_expect(s->flags & STATE_F_NAT);
	cr_expect_eq(find(17, &A, &B, 41000, 53, STATE_DIR_OUT, 0), s,
	    "outbound before translation: the stack key");
	cr_expect_eq(find(17, &B, &N, 53, 50001, STATE_DIR_IN, 0), s,
	    "the reply on the wire: the wire key");
	cr_expect_null(find(17, &B, &A, 53, 41000, STATE_DIR_IN, 0));
	state_remove(&t, s);
	cr_expect_null(find(17, &B, &N, 53, 50001, STATE_DIR_IN, 0));
	cr_expect_eq(t.count, 0);
}

Test(state, churn_keeps_index_whole)
{
	struct state_table big;
	struct state_key k;
	static struct state *live[4096];
	union acl_ip x;
	int i, round;

	cr_assert_eq(state_table_init(&big, 4096), 0);
	memset(&x, 0, sizeof(x));
	for (round = 0; round < 30000; round++) {
		i = (round * 2654435761u) % 4096;
		x.w[0] = htonl(0xc6336400u + (uint32_t)i);
		state_key_make(&k, AF_INET, 6, &x, &B, htons(1), htons(2),
		    STATE_DIR_IN);
		if (live[i] != NULL) {
			cr_assert_eq(state_lookup(&big, &k, STATE_DIR_IN, 0, 0),
			    live[i]);
			state_remove(&big, live[i]);
			live[i] = NULL;
		} else
			cr_assert_not_null(live[i] = state_insert(&big, &k, &k,
			    STATE_DIR_IN, 0, 0, 0, 0));
	}
	for (i = 0; i < 4096; i++) {
		x.w[0] = htonl(0xc6336400u + (uint32_t)i);
		state_key_make(&k, AF_INET, 6, &x, &B, htons(1), htons(2),
		    STATE_DIR_IN);
		cr_assert_eq(state_lookup(&big, &k, STATE_DIR_IN, 0, 0),
		    live[i]);
	}
	cr_expect_eq(state_table_resize(&big, 8192), 0);
	cr_expect_eq(state_table_resize(&big, 8192), 0);
	state_table_fini(&big);
}

Test(state, per_rule_timeouts)
{
	uint32_t tmo[ACL_TM_MAX];
	struct state_key k;
	struct state *s;
	int set;

	state_default_timeouts(tmo);
	tmo[ACL_TM_TCP_FIRST_PACKET] = 5;
	set = state_tmo_set(&t, tmo, 0);
	cr_expect_eq(set, 1);
	cr_expect_eq(state_tmo_set(&t, tmo, 0), 1, "interned");
	state_key_make(&k, AF_INET, 6, &A, &B, 1, 2, STATE_DIR_IN);
	s = state_insert(&t, &k, &k, STATE_DIR_IN, 0, 0, set, 0);
	cr_expect_eq(state_expires_in(s, 0), 5);
}

/*
 * Timeout sets are reused once all are taken: never one a state still
 * ages by, nor one the caller keeps; with every set in use, the global
 * one (0).
 */
Test(state, timeout_sets_reused)
{
	uint32_t tmo[ACL_TM_MAX];
	struct state_key k;
	struct state *s;
	int i, set;

	state_default_timeouts(tmo);
	for (i = 1; i < STATE_TMO_SETS; i++) {
		tmo[ACL_TM_UDP_FIRST_PACKET] = 100 + (uint32_t)i;
		cr_assert_eq(state_tmo_set(&t, tmo, 0), i);
	}
	/* set 5 (udp.first 105) ages a state */
	state_key_make(&k, AF_INET, 17, &A, &B, 1, 2, STATE_DIR_IN);
	s = state_insert(&t, &k, &k, STATE_DIR_IN, 0, 0, 5, 0);
	cr_assert_not_null(s);
	tmo[ACL_TM_UDP_FIRST_PACKET] = 7;
	set = state_tmo_set(&t, tmo, 0x1e);	/* keep 1-4 */
	cr_expect_eq(set, 6, "the first set neither kept nor used: %d", set);
	cr_expect_eq(t.tmo[6][ACL_TM_UDP_FIRST_PACKET], 7);
	cr_expect_eq(t.tmo[5][ACL_TM_UDP_FIRST_PACKET], 105,
	    "the state's set is untouched");
	cr_expect_eq(state_expires_in(s, 0), 105);
	tmo[ACL_TM_UDP_FIRST_PACKET] = 8;
	cr_expect_eq(state_tmo_set(&t, tmo, ~(uint64_t)0x20), 0,
	    "all kept or used: the global set");
	state_remove(&t, s);
	cr_expect_eq(state_tmo_set(&t, tmo, ~(uint64_t)0x20), 5,
	    "free again once its state is gone");
}

/* An IPv6 state keeps its addresses apart; it is found, read back and
 * removed like an IPv4 one. */
Test(state, ipv6_keys)
{
	union acl_ip a6, b6;
	struct state_key k, back;
	struct state *s;

	memset(&a6, 0, sizeof(a6));
	memset(&b6, 0, sizeof(b6));
	inet_pton(AF_INET6, "2001:db8::1", &a6);
	inet_pton(AF_INET6, "2001:db8::2", &b6);
	state_key_make(&k, AF_INET6, 17, &a6, &b6, htons(5000), htons(53),
	    STATE_DIR_IN);
	s = state_insert(&t, &k, &k, STATE_DIR_IN, 0, 0, 0, 1);
	cr_assert_not_null(s);
	cr_expect(s->flags & STATE_F_INET6);
	cr_expect_eq(state_lookup(&t, &k, STATE_DIR_IN, 0, 0), s);
	state_key_get(&t, s, STATE_WIRE, &back);
	cr_expect_eq(memcmp(&back, &k, sizeof(k)), 0, "read back as made");
	/* The same low words as an IPv4 key: another flow. */
	k.af = AF_INET;
	cr_expect_null(state_lookup(&t, &k, STATE_DIR_IN, 0, 0));
	k.af = AF_INET6;
	b6.b[15] = 3;
	state_key_make(&k, AF_INET6, 17, &a6, &b6, htons(5000), htons(53),
	    STATE_DIR_IN);
	cr_expect_null(state_lookup(&t, &k, STATE_DIR_IN, 0, 0));
	state_remove(&t, s);
	cr_expect_eq(t.count, 0);
}

/*
 * The tags made from packet fields are the tags of the keys made from
 * them; a flow's key going in and going out hash alike and differ in
 * bit 0, so both probes start at the same slot (or the next).
 */
Test(state, tags4_are_the_key_tags)
{
	struct state_key k;
	uint32_t i, tag[2];
	int dir;

	for (i = 0; i < 1000; i++) {
		union acl_ip s, d;
		uint16_t sp = (uint16_t)(i * 7919), dp = (uint16_t)(i * 31);

		memset(&s, 0, sizeof(s));
		memset(&d, 0, sizeof(d));
		s.w[0] = htonl(0xc0000200u + i);
		d.w[0] = htonl(0xc6336400u + i * 3);
		if (i % 100 == 0)
			d = s;			/* an address to itself */
		if (i % 200 == 0)
			dp = sp;		/* ... even from its own port */
		state_tags4((uint8_t)(i % 3 ? 6 : 17), &s, &d, sp, dp, tag);
		for (dir = STATE_DIR_IN; dir <= STATE_DIR_OUT; dir++) {
			state_key_make(&k, AF_INET, (uint8_t)(i % 3 ? 6 : 17),
			    &s, &d, sp, dp, dir);
			cr_assert_eq(tag[dir - 1], state_tag(&k));
		}
		cr_assert_eq(tag[0] | 1, tag[1] | 1);
		cr_assert(tag[0] != tag[1] || (i % 200 == 0),
		    "two keys of a flow keep two tags");
	}
}

/* The same for IPv6 keys (state_tag() only). */
Test(state, v6_orientations_hash_alike)
{
	struct state_key in, out;
	union acl_ip s, d;
	uint32_t i;

	for (i = 0; i < 1000; i++) {
		memset(&s, 0, sizeof(s));
		memset(&d, 0, sizeof(d));
		s.w[0] = htonl(0x20010db8u);
		s.w[3] = htonl(i);
		d.w[0] = htonl(0x20010db8u);
		d.w[3] = htonl(i % 7 == 0 ? i : i * 31 + 5);
		state_key_make(&in, AF_INET6, 6, &s, &d, htons(1000 + i),
		    htons(443), STATE_DIR_IN);
		state_key_make(&out, AF_INET6, 6, &s, &d, htons(1000 + i),
		    htons(443), STATE_DIR_OUT);
		cr_assert_eq(state_tag(&in) | 1, state_tag(&out) | 1);
		cr_assert_neq(state_tag(&in), state_tag(&out));
	}
}

/* Batched lookups by tag find what one-by-one lookups find; a tag that
 * is not the key's (the frame changed after its tag was made) still
 * finds it, and a miss stays a miss. */
Test(state, lookup_by_tag)
{
	struct state_key k;
	struct state *s = flow(17, STATE_DIR_IN, 0);

	state_key_make(&k, AF_INET, 17, &A, &B, htons(40000), htons(80),
	    STATE_DIR_IN);
	state_prefetch(&t, state_tag(&k));
	cr_expect_eq(state_prefetch2(&t, state_tag(&k)), state_id(&t, s) + 1,
	    "the second pass names the state as the hint");
	cr_expect_eq(state_lookup_tag(&t, &k, state_tag(&k), 0, STATE_DIR_IN,
	    0, 0), s);
	cr_expect_eq(state_lookup_tag(&t, &k, state_tag(&k) + 1, 0,
	    STATE_DIR_IN, 0, 0), s,
	    "a stale tag costs a second probe, not the state");
	cr_expect_eq(t.c[STATE_C_STALE_TAG], 1, "and is counted");
	state_key_make(&k, AF_INET, 17, &A, &B, htons(40001), htons(80),
	    STATE_DIR_IN);
	cr_expect_null(state_lookup_tag(&t, &k, state_tag(&k), 0, STATE_DIR_IN,
	    0, 0));
	cr_expect_null(state_lookup_tag(&t, &k, 12345, 0, STATE_DIR_IN, 0, 0));
	cr_expect_eq(state_prefetch2(&t, state_tag(&k)), 0, "no hint for a miss");
}

/*
 * A hint is believed only for a state that still holds the key: one the
 * burst removed, reused for another flow, let expire, or bound to another
 * interface, or a number out of range, leaves the answer to the probe.
 */
Test(state, lookup_hint_is_checked)
{
	struct state_key k, k2, k3;
	struct state *s = flow(17, STATE_DIR_IN, 0), *other, *s2, *bound;
	uint32_t tag, hint;

	state_key_make(&k, AF_INET, 17, &A, &B, htons(40000), htons(80),
	    STATE_DIR_IN);
	tag = state_tag(&k);
	hint = state_prefetch2(&t, tag);
	cr_assert_eq(hint, state_id(&t, s) + 1);
	cr_expect_eq(state_lookup_tag(&t, &k, tag, hint, STATE_DIR_IN, 0, 0),
	    s);
	/* A hint naming another flow's state: the probe finds the right one. */
	state_key_make(&k2, AF_INET, 17, &A, &B, htons(40002), htons(80),
	    STATE_DIR_IN);
	other = state_insert(&t, &k2, &k2, STATE_DIR_IN, 0, 0, 0, 7);
	cr_assert_not_null(other);
	cr_expect_eq(state_lookup_tag(&t, &k, tag, state_id(&t, other) + 1,
	    STATE_DIR_IN, 0, 0), s);
	cr_expect_eq(state_lookup_tag(&t, &k, tag, 0xfffffff0u, STATE_DIR_IN,
	    0, 0), s, "a hint out of range");
	/* Bound to interface 3: not for a packet on 4. */
	state_key_make(&k3, AF_INET, 17, &A, &B, htons(40003), htons(80),
	    STATE_DIR_IN);
	bound = state_insert(&t, &k3, &k3, STATE_DIR_IN, 3, 0, 0, 9);
	cr_assert_not_null(bound);
	cr_expect_null(state_lookup_tag(&t, &k3, state_tag(&k3),
	    state_id(&t, bound) + 1, STATE_DIR_IN, 4, 0));
	cr_expect_eq(state_lookup_tag(&t, &k3, state_tag(&k3),
	    state_id(&t, bound) + 1, STATE_DIR_IN, 3, 0), bound);
	/* Removed: the hint must not bring it back. */
	state_remove(&t, s);
	cr_expect_null(state_lookup_tag(&t, &k, tag, hint, STATE_DIR_IN, 0, 0));
	/* Reused for another flow (the free list hands the number out
	 * again): the key does not match, so no hit. */
	s2 = state_insert(&t, &k2, &k2, STATE_DIR_IN, 0, 0, 0, 8);
	cr_expect_null(s2, "k2 is taken");
	state_key_make(&k2, AF_INET, 6, &A, &B, htons(40000), htons(80),
	    STATE_DIR_IN);
	s2 = state_insert(&t, &k2, &k2, STATE_DIR_IN, 0, 0, 0, 8);
	cr_assert_not_null(s2);
	cr_expect_eq(state_id(&t, s2) + 1, hint, "the number is reused");
	cr_expect_null(state_lookup_tag(&t, &k, tag, hint, STATE_DIR_IN, 0, 0),
	    "another protocol's state under the same number");
	/* Expired: the probe would not return it, nor does the hint. */
	cr_expect_eq(state_lookup_tag(&t, &k2, state_tag(&k2), hint,
	    STATE_DIR_IN, 0, 0), s2);
	cr_expect_null(state_lookup_tag(&t, &k2, state_tag(&k2), hint,
	    STATE_DIR_IN, 0, 1000000));
}

/* 32-bit packet counters carry into the cold record. */
Test(state, packet_counter_carries)
{
	struct state *s = flow(17, STATE_DIR_IN, 0);

	s->packets[1] = 0xffffffffu;
	state_update(&t, s, STATE_DIR_OUT, 0, 100, 1);
	cr_expect_eq(s->packets[1], 0);
	cr_expect_eq(state_packets(&t, s, 1), 0x100000000ULL);
	cr_expect_eq(state_packets(&t, s, 0), 0);
}

/* A full table looks for expired states at most once a second. */
Test(state, full_table_scans_once_a_second)
{
	struct state_key k;
	int i;

	for (i = 0; i < 8; i++) {
		state_key_make(&k, AF_INET, 17, &A, &B, htons(1000 + i),
		    htons(53), STATE_DIR_IN);
		cr_assert_not_null(state_insert(&t, &k, &k, STATE_DIR_IN, 0,
		    (uint32_t)i * 10, 0, 0));
	}
	/* udp.first 60: the first state (made at 0) expires at 60. */
	state_key_make(&k, AF_INET, 17, &A, &B, htons(999), htons(53),
	    STATE_DIR_IN);
	cr_expect_null(state_insert(&t, &k, &k, STATE_DIR_IN, 0, 59, 0, 0));
	cr_expect_eq(t.c[STATE_C_LIMIT], 1);
	cr_expect_null(state_insert(&t, &k, &k, STATE_DIR_IN, 0, 59, 0, 0),
	    "the same second: no second scan");
	cr_expect_not_null(state_insert(&t, &k, &k, STATE_DIR_IN, 0, 60, 0,
	    0), "a second later the expired one is reclaimed");
	cr_expect_eq(t.count, 8);
}

/* Freed states are reused before fresh ones; fresh ones in order. */
Test(state, free_list_and_fresh_states)
{
	struct state *a = flow(6, STATE_DIR_IN, 0), *b, *c;

	b = flow(17, STATE_DIR_IN, 0);
	cr_expect_eq(state_id(&t, a), 0);
	cr_expect_eq(state_id(&t, b), 1);
	cr_expect_eq(t.used, 2);
	state_remove(&t, a);
	c = flow(6, STATE_DIR_OUT, 0);
	cr_expect_eq(c, a, "the freed state first");
	cr_expect_eq(t.used, 2);
	cr_expect_eq(sizeof(struct state), 64, "one cache line");
}

/* `set limit states` at reload: IPv4, translated and IPv6 states move
 * to the new table with their keys, counters and creation time. */
Test(state, resize_keeps_every_kind_of_state)
{
	struct state_key k4, wire, stack, k6;
	union acl_ip a6, b6;
	struct state *s;

	state_key_make(&k4, AF_INET, 6, &A, &B, htons(1), htons(2),
	    STATE_DIR_IN);
	cr_assert_not_null(state_insert(&t, &k4, &k4, STATE_DIR_IN, 0, 5, 0,
	    1));
	s = translated(6, 2, &wire, &stack);
	cr_assert_not_null(s);
	state_update(&t, s, STATE_DIR_IN, 0, 100, 7);
	memset(&a6, 0, sizeof(a6));
	memset(&b6, 0, sizeof(b6));
	inet_pton(AF_INET6, "2001:db8::1", &a6);
	inet_pton(AF_INET6, "2001:db8::2", &b6);
	state_key_make(&k6, AF_INET6, 17, &a6, &b6, htons(5000), htons(53),
	    STATE_DIR_IN);
	cr_assert_not_null(state_insert(&t, &k6, &k6, STATE_DIR_IN, 0, 8, 0,
	    3));
	cr_assert_eq(state_table_resize(&t, 1000), 0);
	cr_expect_eq(t.count, 3);
	cr_expect_not_null(state_lookup(&t, &k4, STATE_DIR_IN, 0, 9));
	s = state_lookup(&t, &stack, STATE_DIR_OUT, 0, 9);
	cr_assert_not_null(s, "the translated state by its stack key");
	cr_expect_eq(state_lookup_key(&t, &wire, STATE_WIRE, 0, 9), s,
	    "and by its wire key");
	cr_expect_eq(state_packets(&t, s, 1), 1);
	cr_expect_eq(s->bytes[1], 100);
	cr_expect_eq(t.cold[state_id(&t, s)].creation, 6);
	s = state_lookup(&t, &k6, STATE_DIR_IN, 0, 9);
	cr_assert_not_null(s, "the IPv6 state");
	state_key_get(&t, s, STATE_WIRE, &wire);
	cr_expect_eq(memcmp(&wire, &k6, sizeof(k6)), 0);
}

static uint32_t fixed_rnd;

static uint32_t
rnd_fixed(void *arg)
{
	(void)arg;
	return fixed_rnd;
}

/* Modulate segment G going DIR, then track it as state_track_tcp()
 * would see it; *wseq / *wack: what leaves. */
static int
mod_track(struct state *s, int dir, struct state_seg g, uint32_t now,
    uint32_t *wseq, uint32_t *wack)
{
	uint32_t sack;

	cr_assert_neq(state_tcp_modulate(&t, s, dir, &g, rnd_fixed, NULL, wseq,
	    wack, &sack), 0);
	return track(s, dir, g, now, NULL);
}

/*
 * modulate state: the creator's offset wraps the 32-bit space; the other
 * end draws its own at its first packet (deferred generation) and not
 * again; acks leave in the receiver's own numbers, and the windows keep
 * the ends' own numbers, so the connection tracks without mismatch.
 */
Test(state, modulate_offsets_wrap_and_defer)
{
	struct state *s = tcp_flow(8192, 0);
	uint32_t seq, ack, d = 0xfffffc18u;	/* 1000 + d wraps to 0 */

	state_tcp_modulate_init(&t, s, d);
	cr_expect_eq(state_tcp_seqdiff(&t, s, 0), d);
	cr_expect_eq(state_tcp_seqdiff(&t, s, 1), 0, "not drawn yet");
	fixed_rnd = 0;		/* an offset of 0 is none: 1 instead */
	cr_expect_eq(mod_track(s, STATE_DIR_OUT, seg(5000, 1001 + d, 0, 8192,
	    SYN | ACK, 0), 1, &seq, &ack), STATE_PASS);
	cr_expect_eq(state_tcp_seqdiff(&t, s, 1), 1);
	cr_expect_eq(seq, 5001);
	cr_expect_eq(ack, 1001, "the ack leaves in A's own numbers");
	fixed_rnd = 77;		/* drawn once only */
	cr_expect_eq(mod_track(s, STATE_DIR_IN, seg(1001, 5002, 0, 8192, ACK,
	    0), 2, &seq, &ack), STATE_ESTABLISHED);
	cr_expect_eq(seq, 1001 + d);
	cr_expect_eq(seq, 1, "wrapped");
	cr_expect_eq(ack, 5001);
	cr_expect_eq(state_tcp_seqdiff(&t, s, 1), 1);
	cr_expect_eq(mod_track(s, STATE_DIR_OUT, seg(5001, 1001 + d, 100,
	    8192, ACK, 0), 3, &seq, &ack), STATE_PASS);
	cr_expect_eq(seq, 5002);
	cr_expect_eq(ack, 1001);
	/* the windows are in each end's own numbers */
	cr_expect_eq(t.tcp[state_id(&t, s)].peer[1].seqlo, 5101);
	cr_expect_eq(t.tcp[state_id(&t, s)].peer[0].seqlo, 1000);
	cr_expect_eq(t.c[STATE_C_MISMATCH], 0);
	/* an ICMP error quoting B's segment as it left: B's offset */
	cr_expect_eq(state_icmp_seqdiff(&t, s, STATE_DIR_OUT), 1);
	cr_expect_eq(state_icmp_seqdiff(&t, s, STATE_DIR_IN), d);
}

/* A state that does not modulate is left alone. */
Test(state, modulate_only_when_asked)
{
	struct state *s = tcp_flow(8192, 0);
	struct state_seg g = seg(5000, 1001, 0, 8192, SYN | ACK, 0);
	uint32_t seq, ack, sack;

	cr_expect_eq(state_tcp_modulate(&t, s, STATE_DIR_OUT, &g, rnd_fixed,
	    NULL, &seq, &ack, &sack), 0);
	cr_expect_eq(g.ack, 1001);
	cr_expect_eq(state_tcp_seqdiff(&t, s, 0), 0);
}

/* pf_synproxy(): the two handshakes joined, offsets between the ISNs. */
Test(state, synproxy_joins_the_handshakes)
{
	struct state *s = tcp_flow(8192, 0);
	struct state_peer *c = &t.tcp[state_id(&t, s)].peer[0];
	struct state_peer *v = &t.tcp[state_id(&t, s)].peer[1];
	uint32_t seq, ack;

	c->seqhi = 0x90000000u;		/* sluice's ISN to the client */
	c->max_win = 502;
	v->seqhi = 0x10;		/* sluice's ISN to the server */
	v->seqlo = 5000;		/* the server's */
	v->max_win = 6000;
	state_synproxy_done(&t, s);
	cr_expect_eq(s->src_state, TCPS_ESTABLISHED);
	cr_expect_eq(s->dst_state, TCPS_ESTABLISHED);
	cr_expect_eq(state_tcp_seqdiff(&t, s, 0), (uint32_t)(0x10 - 1000));
	cr_expect_eq(state_tcp_seqdiff(&t, s, 1), 0x90000000u - 5000);
	cr_expect_eq(mod_track(s, STATE_DIR_IN, seg(1001, 0x90000001u, 10, 502,
	    ACK, 0), 1, &seq, &ack), STATE_PASS);
	cr_expect_eq(seq, 0x11, "the server sees sluice's ISN + 1");
	cr_expect_eq(ack, 5001);
	cr_expect_eq(mod_track(s, STATE_DIR_OUT, seg(5001, 0x1b, 20, 6000,
	    ACK, 0), 2, &seq, &ack), STATE_PASS);
	cr_expect_eq(seq, 0x90000001u);
	cr_expect_eq(ack, 1011);
	cr_expect_eq(t.c[STATE_C_MISMATCH], 0);
}

/*
 * af-to: a key of each family.  A (IPv6 2001:db8::a) to 64:ff9b::B goes
 * out as N:50001 -> B.  Going in, the WIRE key finds it as the host's
 * packets come, the STACK key as B's replies come on the IPv4 side; going
 * out nothing does.  A state out on the IPv4 side for the translated
 * packet may share the STACK key (pf lets states share keys); going in,
 * the older af-to state is found first.  Both keys go with the state,
 * also through a resize.
 */
Test(state, afto_keys_of_two_families)
{
	union acl_ip h6, d6;
	struct state_key wire, stack, k, out;
	struct state *s, *o;

	memset(&h6, 0, sizeof(h6));
	memset(&d6, 0, sizeof(d6));
	inet_pton(AF_INET6, "2001:db8::a", &h6);
	inet_pton(AF_INET6, "64:ff9b::c000:202", &d6);
	state_key_make(&wire, AF_INET6, 6, &h6, &d6, htons(40000), htons(80),
	    STATE_DIR_IN);
	/* oriented as B's reply comes in: B is [0], N:50001 [1] */
	state_key_make(&stack, AF_INET, 6, &B, &N, htons(80), htons(50001),
	    STATE_DIR_IN);
	cr_assert_not_null(s = state_insert(&t, &wire, &stack, STATE_DIR_IN, 0,
	    100, 0, 3));
	cr_expect(state_afto(&t, s));
	cr_expect_eq(state_lookup(&t, &wire, STATE_DIR_IN, 0, 100), s);
	cr_expect_eq(state_lookup(&t, &stack, STATE_DIR_IN, 0, 100), s,
	    "the reply finds it going in");
	/* the translated packet going out: N:50001 -> B, oriented out */
	state_key_make(&out, AF_INET, 6, &N, &B, htons(50001), htons(80),
	    STATE_DIR_OUT);
	cr_expect_eq(memcmp(&out, &stack, sizeof(out)), 0, "the same key");
	cr_expect_null(state_lookup(&t, &out, STATE_DIR_OUT, 0, 100),
	    "going out no lookup finds an af-to state");
	state_key_make(&k, AF_INET6, 6, &h6, &d6, htons(40000), htons(80),
	    STATE_DIR_OUT);
	cr_expect_null(state_lookup(&t, &k, STATE_DIR_OUT, 0, 100));
	state_key_get(&t, s, STATE_STACK, &k);
	cr_expect_eq(k.af, AF_INET);
	cr_expect_eq(memcmp(&k, &stack, sizeof(k)), 0, "the STACK key back");
	state_key_get(&t, s, STATE_WIRE, &k);
	cr_expect_eq(memcmp(&k, &wire, sizeof(k)), 0, "the WIRE key back");
	/* a second af-to state may not take either key */
	cr_expect_null(state_insert(&t, &k, &stack, STATE_DIR_IN, 0, 100, 0,
	    3));
	/* an out state for the translated packet shares the STACK key */
	cr_assert_not_null(o = state_insert(&t, &out, &out, STATE_DIR_OUT, 0,
	    100, 0, 4));
	cr_expect_eq(state_lookup(&t, &out, STATE_DIR_OUT, 0, 100), o);
	cr_expect_eq(state_lookup(&t, &stack, STATE_DIR_IN, 0, 100), s,
	    "going in, the af-to state first");
	cr_assert_eq(state_table_resize(&t, 16), 0);
	s = state_lookup(&t, &wire, STATE_DIR_IN, 0, 100);
	cr_assert_not_null(s);
	cr_expect_eq(state_lookup(&t, &stack, STATE_DIR_IN, 0, 100), s,
	    "resized: the reply still finds it");
	cr_expect(state_afto(&t, s));
	state_remove(&t, s);
	cr_expect_null(state_lookup(&t, &wire, STATE_DIR_IN, 0, 100));
	o = state_lookup(&t, &stack, STATE_DIR_IN, 0, 100);
	cr_expect(o != NULL && !state_afto(&t, o),
	    "removed: the out state's own WIRE key is what is left");
	cr_expect_eq(t.count, 1);
}
