/*
 * sluice-gen: frames for benchmarks and tests, built with libnet.
 *
 * libnet builds one template per flow at start (headers, checksums,
 * padding); the send loop never builds anything, it only hands templates
 * to the output in bursts.  That keeps the per-frame cost of the generator
 * to what the output itself costs, so a benchmark measures the device
 * under test and not the generator's header arithmetic.
 *
 * Outputs: a pcap file (deterministic inputs for sluice-bench and the
 * pipeline tests), a Linux interface through AF_PACKET with sendmmsg(2)
 * (one system call per burst, qdisc bypassed by default), or a tap (one
 * write(2) per frame: a tap takes nothing else).
 *
 * Sizes are Ethernet frame sizes as RFC 2544 counts them, FCS included:
 * "64 B" writes 60 bytes, the NIC (or nobody, on a veth) adds the FCS.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>

#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnet.h>
#include <pcap/pcap.h>

#define GEN_FCS_LEN	4
#define GEN_SIZE_MIN	64
#define GEN_SIZE_MAX	1518
#define GEN_BURST_MAX	1024
#define GEN_MEM_MAX	(256UL << 20)	/* templates: refuse more */
#define GEN_ETHERTYPE_RAW 0x88b5	/* IEEE local experimental */

enum gen_proto { GEN_UDP, GEN_TCP, GEN_ICMP, GEN_ARP, GEN_RAW };
enum gen_out { GEN_OUT_NONE, GEN_OUT_PCAP, GEN_OUT_IF, GEN_OUT_TAP };

struct gen_flow {
	uint32_t	 src, dst;	/* host order */
	uint16_t	 sport, dport;
	uint8_t		 ipproto;	/* --flows-from only */
};

struct gen {
	enum gen_proto	 proto;
	enum gen_out	 out;
	const char	*target;	/* file, interface or tap name */
	uint32_t	 size;		/* with FCS */
	uint16_t	 vid;		/* 0: untagged */
	uint8_t		 pcp;
	uint32_t	 flows;
	int		 flows_set;	/* -f given */
	int		 random;
	const char	*flows_from;	/* 5-tuples from a file */
	struct gen_flow	*fflows;
	uint32_t	 nsrcmacs;
	uint32_t	 ndstmacs;
	uint8_t		 srcmac[6];
	uint8_t		 dstmac[6];
	uint32_t	 srcip;		/* host order */
	uint32_t	 dstip;
	uint16_t	 sport;
	uint16_t	 dport;
	double		 rate;		/* pps, 0: as fast as possible */
	double		 duration;	/* s, 0: none */
	uint64_t	 count;		/* frames, 0: none */
	int		 burst;
	unsigned int	 seed;
	int		 bypass;
	int		 verbose;
	int		 quiet;

	uint8_t		*tmpl;		/* flows * stride bytes */
	uint32_t	 stride;
	uint32_t	 len;		/* bytes written per frame */

	uint64_t	 sent;
	uint64_t	 errors;	/* refused by the output */
};

static volatile sig_atomic_t gen_stop;

static void
gen_on_signal(int sig)
{
	(void)sig;
	gen_stop = 1;
}

static void __attribute__((noreturn))
gen_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
"usage: sluice-gen (-w FILE | -i IFNAME | -T TAP) [option ...]\n"
"\n"
"Output (exactly one):\n"
"  -w, --write FILE      write the frames to a pcap file (Ethernet)\n"
"  -i, --interface IF    send on Linux interface IF (AF_PACKET, sendmmsg)\n"
"  -T, --tap NAME        send into tap NAME (created if absent, one write\n"
"                        per frame)\n"
"\n"
"Frames:\n"
"  -p, --proto PROTO     udp (default), tcp (SYN), icmp (echo request),\n"
"                        arp (request), raw (Ethernet, type 0x88b5)\n"
"  -s, --size BYTES      frame size with the 4-byte FCS, %d..%d (default 64;\n"
"                        %d with --vlan); the FCS itself is not written\n"
"  -V, --vlan VID        add an 802.1Q tag with this VID (1..4094)\n"
"      --pcp N           priority of that tag (0..7, default 0)\n"
"  -f, --flows N         distinct flows (5-tuples), default 1; flow i uses\n"
"                        source port SPORT + i %% 32768 and source address\n"
"                        SRC-IP + i / 32768 (ARP: sender address + i)\n"
"  -R, --random          random 5-tuples instead: random ports and the last\n"
"                        octet of both addresses random\n"
"  -F, --flows-from FILE 5-tuples from FILE instead, one flow a line:\n"
"                        SRC DST SPORT DPORT PROTO [anything], addresses\n"
"                        dotted or as 32-bit numbers (a ClassBench trace\n"
"                        line); PROTO 6: TCP SYN, 17: UDP, 1: ICMP echo,\n"
"                        else IPv4 with that protocol; -f N: first N lines\n"
"  -m, --src-macs N      distinct source MACs (flow i uses MAC i %% N),\n"
"                        counting up from --src-mac; default 1\n"
"  -M, --dst-macs N      distinct destination MACs likewise; default 1\n"
"      --src-mac MAC     first source MAC (default 02:00:00:00:00:01)\n"
"      --dst-mac MAC     first destination MAC (default 02:00:00:00:01:01)\n"
"      --src-ip ADDR     first source address (default 198.51.100.1)\n"
"      --dst-ip ADDR     destination address (default 203.0.113.1)\n"
"      --sport PORT      first source port (default 1024)\n"
"      --dport PORT      destination port (default 9, discard)\n"
"\n"
"Pace:\n"
"  -r, --rate PPS        target rate in frames per second (default 0: as\n"
"                        fast as the output takes them)\n"
"  -d, --duration SEC    stop after SEC seconds (fractions allowed)\n"
"  -c, --count N         stop after N frames (default 1000 when neither\n"
"                        -d nor -c is given)\n"
"  -b, --burst N         frames per sendmmsg(2) call, 1..%d (default 64)\n"
"      --seed N          seed of --random (default 1)\n"
"      --qdisc           send through the interface's qdisc (default: bypass\n"
"                        it, PACKET_QDISC_BYPASS, as pktgen does)\n"
"\n"
"Report:\n"
"  -v, --verbose         print the rate every second on stderr\n"
"  -q, --quiet           print nothing but errors\n"
"  -h, --help            this text\n"
"\n"
"At the end sluice-gen prints one line:\n"
"  sluice-gen: sent N frames (B bytes) in T s: P pps, M Mbit/s, E refused\n"
"where refused frames are those the output would not take (no buffer\n"
"space, link down); they are not in N.  Mbit/s counts frame bytes with\n"
"the FCS, without preamble and gap.\n",
	    GEN_SIZE_MIN, GEN_SIZE_MAX, GEN_SIZE_MAX + 4, GEN_BURST_MAX);
	exit(status);
}

static uint64_t
gen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static unsigned long
gen_number(const char *s, const char *what, unsigned long min,
    unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		errx(1, "%s: %s: expected a number from %lu to %lu", what, s,
		    min, max);
	return v;
}

static double
gen_real(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0)
		errx(1, "%s: %s: expected a non-negative number", what, s);
	return v;
}

static void
gen_mac(const char *s, uint8_t *mac, const char *what)
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
	    &b[4], &b[5], &tail) != 6)
		errx(1, "%s: %s: expected a MAC address (aa:bb:cc:dd:ee:ff)",
		    what, s);
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			errx(1, "%s: %s: octet out of range", what, s);
		mac[i] = (uint8_t)b[i];
	}
}

static uint32_t
gen_ip(const char *s, const char *what)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		errx(1, "%s: %s: expected an IPv4 address", what, s);
	return ntohl(a.s_addr);
}

/* MAC number k counting up from base in the low 24 bits. */
static void
gen_mac_n(const uint8_t *base, uint32_t k, uint8_t *out)
{
	uint32_t low = (uint32_t)base[3] << 16 | base[4] << 8 | base[5];

	memcpy(out, base, 3);
	low += k;
	out[3] = (low >> 16) & 0xff;
	out[4] = (low >> 8) & 0xff;
	out[5] = low & 0xff;
}

static uint32_t
gen_l3_len(enum gen_proto proto)
{
	switch (proto) {
	case GEN_UDP:
		return LIBNET_IPV4_H + LIBNET_UDP_H;
	case GEN_TCP:
		return LIBNET_IPV4_H + LIBNET_TCP_H;
	case GEN_ICMP:
		return LIBNET_IPV4_H + LIBNET_ICMPV4_ECHO_H;
	case GEN_ARP:
		return LIBNET_ARP_ETH_IP_H;
	case GEN_RAW:
		return 0;
	}
	return 0;
}

static void
gen_flow(const struct gen *g, uint32_t i, struct gen_flow *f)
{
	if (g->fflows != NULL) {
		*f = g->fflows[i];
		return;
	}
	f->ipproto = 0;
	if (g->random) {
		f->src = (g->srcip & 0xffffff00) | (uint32_t)(rand() & 0xff);
		f->dst = (g->dstip & 0xffffff00) | (uint32_t)(rand() & 0xff);
		f->sport = (uint16_t)(1024 + rand() % 64512);
		f->dport = (uint16_t)(1024 + rand() % 64512);
		return;
	}
	f->src = g->srcip + (g->proto == GEN_ARP ? i : i / 32768);
	f->dst = g->dstip;
	f->sport = (uint16_t)(g->sport + i % 32768);
	f->dport = g->dport;
}

/* An address as dotted quad or as a 32-bit number (ClassBench traces). */
static int
gen_parse_addr(const char *s, uint32_t *a)
{
	struct in_addr in;
	char *end;
	unsigned long v;

	if (strchr(s, '.') != NULL) {
		if (inet_pton(AF_INET, s, &in) != 1)
			return -1;
		*a = ntohl(in.s_addr);
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 0xffffffffUL)
		return -1;
	*a = (uint32_t)v;
	return 0;
}

/* --flows-from: one 5-tuple a line; -f N keeps the first N. */
static void
gen_load_flows(struct gen *g)
{
	char line[512], sa[64], da[64];
	unsigned long sp, dp, pr;
	struct gen_flow *f;
	uint32_t n = 0, cap = 0, lineno = 0;
	FILE *fp;

	if ((fp = fopen(g->flows_from, "r")) == NULL)
		err(1, "%s", g->flows_from);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (g->flows_set && n == g->flows)
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((f = reallocarray(g->fflows, cap, sizeof(*f))) ==
			    NULL)
				err(1, "flows");
			g->fflows = f;
		}
		f = &g->fflows[n];
		memset(f, 0, sizeof(*f));
		if (sscanf(line, "%63s %63s %lu %lu %lu", sa, da, &sp, &dp,
		    &pr) != 5 || gen_parse_addr(sa, &f->src) != 0 ||
		    gen_parse_addr(da, &f->dst) != 0 || sp > 65535 ||
		    dp > 65535 || pr > 255)
			errx(1, "%s:%u: expected SRC DST SPORT DPORT PROTO",
			    g->flows_from, lineno);
		f->sport = (uint16_t)sp;
		f->dport = (uint16_t)dp;
		f->ipproto = (uint8_t)pr;
		n++;
	}
	if (ferror(fp))
		err(1, "%s", g->flows_from);
	fclose(fp);
	if (n == 0)
		errx(1, "%s: no flows", g->flows_from);
	g->flows = n;
	g->proto = GEN_TCP;	/* the longest headers: the size check */
}

/*
 * One template per flow.  libnet wants the headers built from the inside
 * out and reuses them by tag, so the same context serves every flow.
 */
static void
gen_build(struct gen *g)
{
	char ebuf[LIBNET_ERRBUF_SIZE];
	uint8_t payload[GEN_SIZE_MAX], smac[6], dmac[6], *frame;
	uint32_t l2 = LIBNET_ETH_H + (g->vid ? 4 : 0), l3 = gen_l3_len(g->proto);
	uint32_t plen, i, flen;
	libnet_ptag_t t4 = 0, t3 = 0, t2 = 0;
	libnet_t *l;
	struct gen_flow f;

	g->len = g->size - GEN_FCS_LEN;
	if (g->len < l2 + l3)
		errx(1, "--size %u is too small for these headers (%u bytes "
		    "and the FCS)", g->size, l2 + l3);
	plen = g->len - l2 - l3;
	g->stride = (g->len + 63) & ~63U;
	if ((uint64_t)g->stride * g->flows > GEN_MEM_MAX)
		errx(1, "%u flows of %u bytes need more than %lu MiB of "
		    "templates: use fewer flows or smaller frames", g->flows,
		    g->size, GEN_MEM_MAX >> 20);
	if ((g->tmpl = aligned_alloc(64, (size_t)g->stride * g->flows)) ==
	    NULL)
		err(1, "templates");
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	if ((l = libnet_init(LIBNET_NONE, NULL, ebuf)) == NULL)
		errx(1, "libnet: %s", ebuf);
	srand(g->seed);
	for (i = 0; i < g->flows; i++) {
		enum gen_proto fp = g->proto;
		uint32_t pl = plen;
		uint8_t ipp;

		gen_flow(g, i, &f);
		if (g->fflows != NULL) {
			/* Protocols differ by flow: headers built afresh. */
			fp = f.ipproto == IPPROTO_TCP ? GEN_TCP :
			    f.ipproto == IPPROTO_UDP ? GEN_UDP :
			    f.ipproto == IPPROTO_ICMP ? GEN_ICMP : GEN_RAW;
			pl = g->len - l2 - (fp == GEN_RAW ? LIBNET_IPV4_H :
			    gen_l3_len(fp));
			libnet_clear_packet(l);
			t4 = t3 = t2 = 0;
		}
		gen_mac_n(g->srcmac, i % g->nsrcmacs, smac);
		gen_mac_n(g->dstmac, i % g->ndstmacs, dmac);
		switch (fp) {
		case GEN_UDP:
			t4 = libnet_build_udp(f.sport, f.dport,
			    (uint16_t)(LIBNET_UDP_H + pl), 0, payload, pl,
			    l, t4);
			break;
		case GEN_TCP:
			t4 = libnet_build_tcp(f.sport, f.dport, 0x53000000 + i,
			    0, TH_SYN, 65535, 0, 0,
			    (uint16_t)(LIBNET_TCP_H + pl), payload, pl, l,
			    t4);
			break;
		case GEN_ICMP:
			t4 = libnet_build_icmpv4_echo(ICMP_ECHO, 0, 0,
			    (uint16_t)(i & 0xffff), (uint16_t)(i >> 16),
			    payload, pl, l, t4);
			break;
		case GEN_ARP: {
			uint32_t spa = htonl(f.src), tpa = htonl(f.dst);
			static const uint8_t zero[6];

			t4 = libnet_build_arp(ARPHRD_ETHER, ETHERTYPE_IP, 6, 4,
			    ARPOP_REQUEST, smac, (uint8_t *)&spa, zero,
			    (uint8_t *)&tpa, payload, pl, l, t4);
			break;
		}
		case GEN_RAW:
			break;
		}
		if (t4 == -1)
			errx(1, "libnet: %s", libnet_geterror(l));
		if (g->fflows != NULL && fp == GEN_RAW) {
			/* Any other protocol: its payload, no L4 header. */
			t3 = libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + pl),
			    0, (uint16_t)(i & 0xffff), 0, 64, f.ipproto, 0,
			    htonl(f.src), htonl(f.dst), payload, pl, l, t3);
			if (t3 == -1)
				errx(1, "libnet: %s", libnet_geterror(l));
		} else if (fp == GEN_UDP || fp == GEN_TCP || fp == GEN_ICMP) {
			ipp = fp == GEN_UDP ? IPPROTO_UDP :
			    fp == GEN_TCP ? IPPROTO_TCP : IPPROTO_ICMP;
			t3 = libnet_build_ipv4((uint16_t)(gen_l3_len(fp) + pl),
			    0, (uint16_t)(i & 0xffff), 0, 64, ipp, 0,
			    htonl(f.src), htonl(f.dst), NULL, 0, l, t3);
			if (t3 == -1)
				errx(1, "libnet: %s", libnet_geterror(l));
		}
		{
			int raw = fp == GEN_RAW && g->fflows == NULL;
			uint16_t type = fp == GEN_ARP ? ETHERTYPE_ARP :
			    raw ? GEN_ETHERTYPE_RAW : ETHERTYPE_IP;
			const uint8_t *pp = raw ? payload : NULL;
			uint32_t pls = raw ? pl : 0;

			if (g->vid)
				t2 = libnet_build_802_1q(dmac, smac,
				    ETHERTYPE_VLAN, g->pcp, 0, g->vid, type,
				    pp, pls, l, t2);
			else
				t2 = libnet_build_ethernet(dmac, smac, type,
				    pp, pls, l, t2);
			if (t2 == -1)
				errx(1, "libnet: %s", libnet_geterror(l));
		}
		if (libnet_pblock_coalesce(l, &frame, &flen) == -1)
			errx(1, "libnet: %s", libnet_geterror(l));
		if (flen != g->len)
			errx(1, "libnet built %u bytes, expected %u", flen,
			    g->len);
		memcpy(g->tmpl + (size_t)i * g->stride, frame, flen);
		libnet_adv_free_packet(l, frame);
	}
	libnet_destroy(l);
}

/* ---- outputs ------------------------------------------------------------ */

struct gen_out_state {
	int		 fd;
	pcap_t		*dead;
	pcap_dumper_t	*dump;
	struct mmsghdr	*msgs;
	struct iovec	*iov;
};

static void
gen_open(struct gen *g, struct gen_out_state *o)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int one = 1;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	switch (g->out) {
	case GEN_OUT_PCAP:
		if ((o->dead = pcap_open_dead(DLT_EN10MB, 65535)) == NULL)
			errx(1, "pcap_open_dead failed");
		if ((o->dump = pcap_dump_open(o->dead, g->target)) == NULL)
			errx(1, "%s: %s", g->target, pcap_geterr(o->dead));
		break;
	case GEN_OUT_IF:
		if ((o->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
			err(1, "packet socket");
		memset(&ifr, 0, sizeof(ifr));
		if (strlen(g->target) >= IFNAMSIZ)
			errx(1, "%s: interface name too long", g->target);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->target);
		if (ioctl(o->fd, SIOCGIFINDEX, &ifr) < 0)
			err(1, "%s", g->target);
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_ifindex = ifr.ifr_ifindex;
		sll.sll_protocol = 0;	/* send only: receive nothing */
		if (bind(o->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			err(1, "%s: bind", g->target);
		if (g->bypass && setsockopt(o->fd, SOL_PACKET,
		    PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
			warn("%s: PACKET_QDISC_BYPASS", g->target);
		o->msgs = calloc((size_t)g->burst, sizeof(*o->msgs));
		o->iov = calloc((size_t)g->burst, sizeof(*o->iov));
		if (o->msgs == NULL || o->iov == NULL)
			err(1, "calloc");
		break;
	case GEN_OUT_TAP:
		if ((o->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0)
			err(1, "/dev/net/tun");
		memset(&ifr, 0, sizeof(ifr));
		if (strlen(g->target) >= IFNAMSIZ)
			errx(1, "%s: interface name too long", g->target);
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g->target);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
		if (ioctl(o->fd, TUNSETIFF, &ifr) < 0)
			err(1, "%s: TUNSETIFF", g->target);
		break;
	case GEN_OUT_NONE:
		break;
	}
}

static void
gen_close(struct gen_out_state *o)
{
	if (o->dump != NULL)
		pcap_dump_close(o->dump);
	if (o->dead != NULL)
		pcap_close(o->dead);
	if (o->fd >= 0)
		close(o->fd);
	free(o->msgs);
	free(o->iov);
}

/*
 * Send up to n frames starting at flow *next; returns how many the output
 * took.  Frames it refused count as errors and are not retried: a
 * generator that retries hides the loss it should show.
 */
static int
gen_send(struct gen *g, struct gen_out_state *o, uint32_t *next, int n,
    uint64_t *t_ns)
{
	struct pcap_pkthdr h;
	uint32_t f = *next;
	int i, r, done = 0;

	switch (g->out) {
	case GEN_OUT_PCAP:
		for (i = 0; i < n; i++) {
			/* Timestamps follow the rate, or 1 us apart. */
			*t_ns += g->rate > 0 ? (uint64_t)(1e9 / g->rate) :
			    1000;
			h.ts.tv_sec = (time_t)(*t_ns / 1000000000ULL);
			h.ts.tv_usec = (suseconds_t)(*t_ns % 1000000000ULL /
			    1000);
			h.caplen = h.len = g->len;
			pcap_dump((u_char *)o->dump, &h,
			    g->tmpl + (size_t)f * g->stride);
			if (++f == g->flows)
				f = 0;
		}
		done = n;
		break;
	case GEN_OUT_IF:
		for (i = 0; i < n; i++) {
			o->iov[i].iov_base = g->tmpl + (size_t)f * g->stride;
			o->iov[i].iov_len = g->len;
			memset(&o->msgs[i].msg_hdr, 0, sizeof(struct msghdr));
			o->msgs[i].msg_hdr.msg_iov = &o->iov[i];
			o->msgs[i].msg_hdr.msg_iovlen = 1;
			if (++f == g->flows)
				f = 0;
		}
		while (done < n) {
			r = sendmmsg(o->fd, o->msgs + done,
			    (unsigned int)(n - done), 0);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				if (errno != ENOBUFS && errno != EAGAIN &&
				    errno != ENETDOWN && errno != ENXIO)
					err(1, "%s: sendmmsg", g->target);
				/* Skip the refused frame, keep going. */
				g->errors++;
				done++;
				continue;
			}
			done += r;
		}
		break;
	case GEN_OUT_TAP:
		for (i = 0; i < n; i++) {
			if (write(o->fd, g->tmpl + (size_t)f * g->stride,
			    g->len) < 0) {
				if (errno != EIO && errno != EAGAIN &&
				    errno != ENOBUFS)
					err(1, "%s: write", g->target);
				g->errors++;
			}
			if (++f == g->flows)
				f = 0;
		}
		done = n;
		break;
	case GEN_OUT_NONE:
		done = n;
		break;
	}
	*next = f;
	return done;
}

/* ---- the loop ----------------------------------------------------------- */

static void
gen_run(struct gen *g, struct gen_out_state *o)
{
	uint64_t start, now, deadline = 0, last_report, last_sent = 0, ts_ns;
	uint64_t sent_total = 0;
	uint32_t next = 0;
	struct timespec wall;
	int n;

	clock_gettime(CLOCK_REALTIME, &wall);
	ts_ns = (uint64_t)wall.tv_sec * 1000000000ULL + (uint64_t)wall.tv_nsec;
	start = last_report = gen_now_ns();
	if (g->duration > 0)
		deadline = start + (uint64_t)(g->duration * 1e9);
	while (!gen_stop) {
		n = g->burst;
		if (g->count > 0 && sent_total + (uint64_t)n > g->count)
			n = (int)(g->count - sent_total);
		if (n <= 0)
			break;
		now = gen_now_ns();
		if (deadline != 0 && now >= deadline)
			break;
		if (g->rate > 0) {
			/* When the next burst is due: sleep if far, spin if near. */
			uint64_t due = start + (uint64_t)((double)sent_total *
			    1e9 / g->rate);

			if (due > now + 200000) {
				struct timespec ts = { 0, (long)(due - now -
				    100000) };

				nanosleep(&ts, NULL);
				continue;
			}
			if (due > now)
				continue;
		}
		sent_total += (uint64_t)gen_send(g, o, &next, n, &ts_ns);
		if (g->verbose && now - last_report >= 1000000000ULL) {
			fprintf(stderr, "sluice-gen: %.0f pps\n",
			    (double)(sent_total - last_sent) * 1e9 /
			    (double)(now - last_report));
			last_report = now;
			last_sent = sent_total;
		}
	}
	now = gen_now_ns();
	g->sent = sent_total - g->errors;
	if (!g->quiet) {
		double secs = (double)(now - start) / 1e9;
		double pps = secs > 0 ? (double)g->sent / secs : 0;

		printf("sluice-gen: sent %" PRIu64 " frames (%" PRIu64
		    " bytes) in %.3f s: %.0f pps, %.1f Mbit/s, %" PRIu64
		    " refused\n", g->sent, g->sent * g->len, secs, pps,
		    pps * g->size * 8 / 1e6, g->errors);
	}
}

int
main(int argc, char *argv[])
{
	enum {
		O_SRCMAC = 256, O_DSTMAC, O_SRCIP, O_DSTIP, O_SPORT, O_DPORT,
		O_SEED, O_QDISC, O_PCP,
	};
	static const struct option longopts[] = {
		{ "write",	required_argument, NULL, 'w' },
		{ "interface",	required_argument, NULL, 'i' },
		{ "tap",	required_argument, NULL, 'T' },
		{ "proto",	required_argument, NULL, 'p' },
		{ "size",	required_argument, NULL, 's' },
		{ "vlan",	required_argument, NULL, 'V' },
		{ "pcp",	required_argument, NULL, O_PCP },
		{ "flows",	required_argument, NULL, 'f' },
		{ "random",	no_argument,	   NULL, 'R' },
		{ "flows-from",	required_argument, NULL, 'F' },
		{ "src-macs",	required_argument, NULL, 'm' },
		{ "dst-macs",	required_argument, NULL, 'M' },
		{ "src-mac",	required_argument, NULL, O_SRCMAC },
		{ "dst-mac",	required_argument, NULL, O_DSTMAC },
		{ "src-ip",	required_argument, NULL, O_SRCIP },
		{ "dst-ip",	required_argument, NULL, O_DSTIP },
		{ "sport",	required_argument, NULL, O_SPORT },
		{ "dport",	required_argument, NULL, O_DPORT },
		{ "rate",	required_argument, NULL, 'r' },
		{ "duration",	required_argument, NULL, 'd' },
		{ "count",	required_argument, NULL, 'c' },
		{ "burst",	required_argument, NULL, 'b' },
		{ "seed",	required_argument, NULL, O_SEED },
		{ "qdisc",	no_argument,	   NULL, O_QDISC },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct gen g;
	struct gen_out_state o;
	struct sigaction sa;
	int ch, nout = 0;

	g.proto = GEN_UDP;
	g.size = 64;
	g.flows = g.nsrcmacs = g.ndstmacs = 1;
	gen_mac("02:00:00:00:00:01", g.srcmac, "--src-mac");
	gen_mac("02:00:00:00:01:01", g.dstmac, "--dst-mac");
	g.srcip = gen_ip("198.51.100.1", "--src-ip");
	g.dstip = gen_ip("203.0.113.1", "--dst-ip");
	g.sport = 1024;
	g.dport = 9;
	g.burst = 64;
	g.seed = 1;
	g.bypass = 1;
	while ((ch = getopt_long(argc, argv, "b:c:d:F:f:hi:M:m:p:qRr:s:T:V:vw:",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			g.out = GEN_OUT_PCAP;
			g.target = optarg;
			nout++;
			break;
		case 'i':
			g.out = GEN_OUT_IF;
			g.target = optarg;
			nout++;
			break;
		case 'T':
			g.out = GEN_OUT_TAP;
			g.target = optarg;
			nout++;
			break;
		case 'p':
			if (strcmp(optarg, "udp") == 0)
				g.proto = GEN_UDP;
			else if (strcmp(optarg, "tcp") == 0)
				g.proto = GEN_TCP;
			else if (strcmp(optarg, "icmp") == 0)
				g.proto = GEN_ICMP;
			else if (strcmp(optarg, "arp") == 0)
				g.proto = GEN_ARP;
			else if (strcmp(optarg, "raw") == 0)
				g.proto = GEN_RAW;
			else
				errx(1, "--proto %s: expected udp, tcp, icmp, "
				    "arp or raw", optarg);
			break;
		case 's':
			g.size = (uint32_t)gen_number(optarg, "--size",
			    GEN_SIZE_MIN, GEN_SIZE_MAX + 4);
			break;
		case 'V':
			g.vid = (uint16_t)gen_number(optarg, "--vlan", 1, 4094);
			break;
		case O_PCP:
			g.pcp = (uint8_t)gen_number(optarg, "--pcp", 0, 7);
			break;
		case 'f':
			g.flows = (uint32_t)gen_number(optarg, "--flows", 1,
			    16U << 20);
			g.flows_set = 1;
			break;
		case 'F':
			g.flows_from = optarg;
			break;
		case 'R':
			g.random = 1;
			break;
		case 'm':
			g.nsrcmacs = (uint32_t)gen_number(optarg, "--src-macs",
			    1, 1U << 24);
			break;
		case 'M':
			g.ndstmacs = (uint32_t)gen_number(optarg, "--dst-macs",
			    1, 1U << 24);
			break;
		case O_SRCMAC:
			gen_mac(optarg, g.srcmac, "--src-mac");
			if (g.srcmac[0] & 1)
				errx(1, "--src-mac %s: a source cannot be "
				    "multicast", optarg);
			break;
		case O_DSTMAC:
			gen_mac(optarg, g.dstmac, "--dst-mac");
			break;
		case O_SRCIP:
			g.srcip = gen_ip(optarg, "--src-ip");
			break;
		case O_DSTIP:
			g.dstip = gen_ip(optarg, "--dst-ip");
			break;
		case O_SPORT:
			g.sport = (uint16_t)gen_number(optarg, "--sport", 0,
			    65535);
			break;
		case O_DPORT:
			g.dport = (uint16_t)gen_number(optarg, "--dport", 0,
			    65535);
			break;
		case 'r':
			g.rate = gen_real(optarg, "--rate");
			break;
		case 'd':
			g.duration = gen_real(optarg, "--duration");
			break;
		case 'c':
			g.count = gen_number(optarg, "--count", 1, ULONG_MAX);
			break;
		case 'b':
			g.burst = (int)gen_number(optarg, "--burst", 1,
			    GEN_BURST_MAX);
			break;
		case O_SEED:
			g.seed = (unsigned int)gen_number(optarg, "--seed", 0,
			    UINT_MAX);
			break;
		case O_QDISC:
			g.bypass = 0;
			break;
		case 'v':
			g.verbose = 1;
			break;
		case 'q':
			g.quiet = 1;
			break;
		case 'h':
			gen_usage(0);
		default:
			gen_usage(1);
		}
	}
	if (optind != argc)
		gen_usage(1);
	if (nout != 1) {
		warnx("give exactly one output: -w FILE, -i IFNAME or -T TAP");
		gen_usage(1);
	}
	if (g.size > GEN_SIZE_MAX + (g.vid ? 4U : 0U))
		errx(1, "--size %u: at most %d (%d with --vlan)", g.size,
		    GEN_SIZE_MAX, GEN_SIZE_MAX + 4);
	if (g.count == 0 && g.duration == 0)
		g.count = 1000;
	if (g.flows_from != NULL) {
		if (g.random || g.proto != GEN_UDP)
			errx(1, "--flows-from gives the 5-tuples and protocols: "
			    "no --random or --proto with it");
		gen_load_flows(&g);
	}
	/* A paced burst lasts at most about a millisecond. */
	if (g.rate > 0 && g.burst > g.rate / 1000)
		g.burst = g.rate < 1000 ? 1 : (int)(g.rate / 1000);

	gen_build(&g);
	gen_open(&g, &o);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = gen_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	gen_run(&g, &o);
	gen_close(&o);
	free(g.tmpl);
	free(g.fflows);
	return 0;
}
