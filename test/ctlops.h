/*
 * Bytes as a sequence of what a running pf meets: packets on three
 * ports, pfctl's table commands (-T add, delete, replace, zero, expire,
 * kill, flush, show, test), flushes, loads of one of three rule sets (or
 * of their tables only, -T load), views, and the clock moving on.  The
 * fuzz target fuzz-ctl reads its input so; test-pf runs fixed-seed
 * sequences of it under ASan.  What it exercises: the tables' entries,
 * counters and clocks as commands, loads and packets change them
 * (dataplane/dp_pftable.c), and the compiled rules built again around
 * them.
 *
 * ctlops_setup() writes the configuration (the routed segment of
 * test-pf: db01 10.50.0.20 on tap0 behind vether0, em0 198.51.100.2,
 * em2 203.0.113.2, IPv6 too); ctlops_run() plays one sequence.
 */
#ifndef TEST_CTLOPS_H
#define TEST_CTLOPS_H

#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp.h"
#include "fwd/csum.h"
#include "fwd/ether.h"
#include "test/ctl.h"
#include "test/etc.h"

#define CTLOPS_NPORTS	3

static const char *const ctlops_ports[CTLOPS_NPORTS + 1] = {
	"tap0", "em0", "em2", NULL
};
/* who sends on each port, and to whom (the router's MAC there) */
static const uint8_t ctlops_src[CTLOPS_NPORTS][6] = {
	{ 0x02, 0, 0, 0, 0, 0xdb }, { 0x02, 0, 0, 0, 0, 0x77 },
	{ 0x02, 0, 0, 0, 0, 0x78 }
};
static const uint8_t ctlops_dst[CTLOPS_NPORTS][6] = {
	{ 0xfe, 0xe1, 0xba, 0xd0, 0, 1 }, { 0x02, 0, 0, 0, 0x0e, 0 },
	{ 0x02, 0, 0, 0, 0x0e, 2 }
};

static const char *const ctlops_v4[] = {
	"192.0.2.5", "192.0.2.9", "10.50.0.20", "198.51.100.7",
	"198.51.100.1", "203.0.113.9", "10.50.0.7"
};
static const char *const ctlops_v6[] = {
	"2001:db8::5", "2001:db8::20", "2001:db8:50::20", "2001:db8:100::1"
};
/* what -T commands name: hosts, networks, negations, both families */
static const char *const ctlops_addrs[] = {
	"192.0.2.5", "192.0.2.0/24", "!192.0.2.9", "10.50.0.20",
	"198.51.100.7", "10.50.0.0/24", "!10.50.0.7", "2001:db8::/64",
	"2001:db8::20", "!2001:db8::5", "0.0.0.0/0", "203.0.113.9"
};
static const char *const ctlops_tables[] = {
	"bad", "web", "lan", "bf", "own", "new"
};

static const char *const ctlops_confs[3] = {
	"table <bad> counters { 192.0.2.0/24 !192.0.2.9 2001:db8::/64 }\n"
	"table <web> { 10.50.0.20 2001:db8:50::20 }\n"
	"table <bf> persist\n"
	"table <lan> counters { 10.50.0.0/24 !10.50.0.7 }\n"
	"match in from <lan> tag LAN\n"
	"block in quick on em0 from <bad>\n"
	"block quick from <bf>\n"
	"pass in on em0 proto { tcp udp } to <web> keep state "
	"(max-src-states 2)\n"
	"pass in on em0 proto tcp to <web> port 22 keep state "
	"(max-src-conn 1, overload <bf>)\n"
	"pass in on em2 proto udp from ! <lan> to port 53 no state\n"
	"pass in on tap0 from <lan>\n"
	"pass out\n"
	"anchor \"a\"\nload anchor \"a\" from \"/etc/a.conf\"\n",
	/* <web> without addresses keeps the live one's, <lan> is gone */
	"table <bad> counters { 192.0.2.0/25 2001:db8::/64 !2001:db8::5 }\n"
	"table <web> persist counters\n"
	"table <bf> persist\n"
	"block quick from { <bf> <bad> }\n"
	"pass in to <web>\n"
	"pass out from ! <web>\n"
	"anchor \"a\"\nload anchor \"a\" from \"/etc/a.conf\"\n",
	"pass\n"
};

static inline int
ctlops_setup(char *dir)
{
	static const char *const files[][2] = {
		{ "hostname.vether0", "lladdr fe:e1:ba:d0:00:01\n"
		    "inet 10.50.0.1 255.255.255.0\ninet6 2001:db8:50::1 64\n"
		    "up\n" },
		{ "hostname.bridge1", "add vether0\nup\n" },
		{ "hostname.em0", "lladdr 02:00:00:00:0e:00\n"
		    "inet 198.51.100.2 255.255.255.0\n"
		    "inet6 2001:db8:100::2 64\nup\n" },
		{ "hostname.em2", "lladdr 02:00:00:00:0e:02\n"
		    "inet 203.0.113.2 255.255.255.0\nup\n" },
		{ "mygate", "198.51.100.1\n2001:db8:100::1\n" },
		{ "sysctl.conf", "net.inet.ip.forwarding=1\n"
		    "net.inet6.ip6.forwarding=1\n" },
		{ "vm.conf", "switch \"isolated\" { interface bridge1 }\n"
		    "vm \"db01\" { interface { switch \"isolated\" } }\n" },
		{ "a.conf", "table <own> counters { 198.51.100.7 "
		    "10.50.0.0/28 }\npass in from <own>\n"
		    "pass in to <web>\n" },
	};
	char name[16];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (etc_put(dir, files[i][0], files[i][1]) != 0)
			return -1;
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "pf%zu.conf", i);
		if (etc_put(dir, name, ctlops_confs[i]) != 0)
			return -1;
	}
	return etc_put(dir, "pf.conf", ctlops_confs[0]);
}

/* The next input byte, 0 past the end. */
static inline uint8_t
ctlops_byte(const uint8_t **d, size_t *n)
{
	uint8_t b = 0;

	if (*n > 0) {
		b = **d;
		(*d)++;
		(*n)--;
	}
	return b;
}

/* A UDP or TCP frame from SRC to DST, IPv4 or IPv6 as they are. */
static inline uint32_t
ctlops_frame(uint8_t *b, int port, const char *src, const char *dst,
    int tcp, uint16_t sp, uint16_t dport, uint8_t flags)
{
	int v6 = strchr(src, ':') != NULL;
	uint32_t hl = v6 ? 40 : 20, l4len = tcp ? 20 : 8, ps;
	uint8_t *ip = b + 14, *l4 = ip + hl;

	memset(b, 0, 14 + 40 + 20);
	memcpy(b, ctlops_dst[port], 6);
	memcpy(b + 6, ctlops_src[port], 6);
	ether_put16(b + 12, v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	if (v6) {
		ip[0] = 0x60;
		ether_put16(ip + 4, (uint16_t)l4len);
		ip[6] = tcp ? 6 : 17;
		ip[7] = 64;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
		ps = csum_partial(ip + 8, 32, 0);
	} else {
		ip[0] = 0x45;
		ether_put16(ip + 2, (uint16_t)(20 + l4len));
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
		ether_put16(ip + 10, (uint16_t)~csum_fold(csum_partial(ip, 20,
		    0)));
		ps = csum_partial(ip + 12, 8, 0);
	}
	ether_put16(l4, sp);
	ether_put16(l4 + 2, dport);
	if (tcp) {
		ether_put16(l4 + 4, 0);
		ether_put16(l4 + 6, 1000);
		l4[12] = 5 << 4;
		l4[13] = flags;
		ether_put16(l4 + 14, 8192);
	} else
		ether_put16(l4 + 4, (uint16_t)l4len);
	ps += (uint32_t)(tcp ? 6 : 17) + l4len;
	ether_put16(l4 + (tcp ? 16 : 6), (uint16_t)~csum_fold(csum_partial(l4,
	    l4len, ps)));
	return 14 + hl + l4len;
}

#define CTLOPS_PICK(v, b)	((v)[(b) % (sizeof(v) / sizeof((v)[0]))])

/*
 * One sequence.  check, when not NULL, is called after every command
 * with what it printed (the caller's assertions).
 */
static inline void
ctlops_run(struct dp *dp, const char *dir, const uint8_t *d, size_t n,
    void (*check)(struct dp *, const char *, const char *))
{
	uint8_t frame[128];
	char line[400], *out;

	while (n > 0) {
		uint8_t op = ctlops_byte(&d, &n), a = ctlops_byte(&d, &n);
		uint8_t b = ctlops_byte(&d, &n), c = ctlops_byte(&d, &n);
		const char *t = CTLOPS_PICK(ctlops_tables, a >> 4);
		const char *anchor = t[0] == 'o' || (a & 15) == 15 ? "-a a " :
		    "";
		int k;

		line[0] = '\0';
		switch (op % 16) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6: {
			/* a packet: port, family, addresses, ports, flags */
			int port = a % CTLOPS_NPORTS, v6 = (a >> 2) & 1;
			const char *src = v6 ? CTLOPS_PICK(ctlops_v6, b) :
			    CTLOPS_PICK(ctlops_v4, b);
			const char *dst = v6 ? CTLOPS_PICK(ctlops_v6, c) :
			    CTLOPS_PICK(ctlops_v4, c);
			static const uint16_t dports[] = { 53, 22, 80, 4000 };
			struct port *p = dp_port(dp, ctlops_ports[port]);
			struct pkt *pk;

			if (p == NULL || (pk = pkt_alloc(&dp->pool)) == NULL)
				break;
			pk->len = ctlops_frame(frame, port, src, dst, op & 1,
			    (uint16_t)(1024 + (b >> 4)), dports[c >> 6],
			    (uint8_t)(c & 0x3f));
			memcpy(pk->data, frame, pk->len);
			dp_input(dp, p, &pk, 1);
			dp_flush(dp);
			continue;
		}
		case 7: case 8: {
			/* -T add, delete, replace of one to three addresses */
			static const char *const cmd[] = {
				"add", "add", "delete", "replace"
			};

			snprintf(line, sizeof(line), "pfctl %s-t %s -T %s", anchor,
			    t, cmd[(op >> 4) & 3]);
			for (k = 0; k < 1 + (a & 3) % 3; k++) {
				strcat(line, " ");
				strcat(line, CTLOPS_PICK(ctlops_addrs,
				    k == 0 ? b : k == 1 ? c : b + c));
			}
			break;
		}
		case 9:
			if (b & 1)
				snprintf(line, sizeof(line), "pfctl %s-t %s -T "
				    "zero %s", anchor, t, CTLOPS_PICK(ctlops_addrs,
				    c));
			else
				snprintf(line, sizeof(line), "pfctl %s-t %s -T "
				    "zero", anchor, t);
			break;
		case 10:
			snprintf(line, sizeof(line), "pfctl %s-t %s -T expire %u",
			    anchor, t, (unsigned)(b % 40));
			break;
		case 11:
			snprintf(line, sizeof(line), "pfctl %s-t %s -T %s", anchor,
			    t, (b & 3) == 0 ? "kill" : (b & 3) == 1 ? "flush" :
			    "show");
			break;
		case 12: {
			static const char *const views[] = {
				"-vvsT", "-vsT", "-sT", "-vvsr", "-ss", "-si",
				"-vvsI"
			};

			if (b & 1)
				snprintf(line, sizeof(line), "pfctl %s-v -t %s -T "
				    "show", anchor, t);
			else
				snprintf(line, sizeof(line), "pfctl %s%s", anchor,
				    CTLOPS_PICK(views, c));
			break;
		}
		case 13: {
			static const char *const what[] = {
				"rules", "Tables", "all", "states", "Sources"
			};

			if (b & 3)
				snprintf(line, sizeof(line), "pfctl -vvsT");
			else
				snprintf(line, sizeof(line), "pfctl %s-F %s",
				    anchor, CTLOPS_PICK(what, b >> 2));
			break;
		}
		case 14:
			/* a load, mostly of the first rule set; or of its
			 * tables only */
			snprintf(line, sizeof(line), "pfctl %s-f %s/pf%d.conf",
			    (b & 12) == 12 ? "-T load " : "", dir, (b & 3) == 3 ?
			    1 + (b >> 4) % 2 : 0);
			break;
		default:
			if (b & 1) {
				/* the clock moves on: states and entries age */
				dp_clock(dp, dp->now_ns + (uint64_t)(c % 60 + 1) *
				    1000000000ULL);
				dp_tick(dp);
				dp_flush(dp);
				continue;
			}
			if (b & 2)
				snprintf(line, sizeof(line), "pfctl %s-t %s -T test "
				    "%s", anchor, t, CTLOPS_PICK(ctlops_addrs, c));
			else
				snprintf(line, sizeof(line), "pfctl -k %s",
				    CTLOPS_PICK(ctlops_v4, c));
			break;
		}
		(void)test_ctl(dp, line, &out);
		if (check != NULL && out != NULL)
			check(dp, line, out);
		free(out);
	}
}

#endif /* TEST_CTLOPS_H */
