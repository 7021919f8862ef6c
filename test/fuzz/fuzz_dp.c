/*
 * libFuzzer target: any frame, on any port, through the whole pipeline of
 * the handbook's configuration (bridge with a trunk and a vlan, the routed
 * vether0 segment, NAT out of em0, pf with block return, nat-to, rdr-to
 * and tags on bridge members too, NAT66, route-to, reply-to, dup-to, once,
 * max-pkt-rate, urpf-failed, bridge rules, and em2's DHCP client,
 * whose answers it may forge).  Every port is a capture-file port with no
 * files, so nothing leaves the process.  A frame must be dropped with a
 * counter or forwarded; never a crash, a leak or undefined behaviour.
 *
 * The first input byte picks the port, the second the offload flags and
 * checksum offsets (as the kernel could hand them over), or with 0x40
 * alone a GSO type and segment size, the rest is the frame.
 */
#include <linux/virtio_net.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/dp.h"
#include "test/etc.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5	/* USO (Linux 6.2) */
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct dp dp;
static struct dp_opts opts;
static struct conf *conf;

static void
put(const char *dir, const char *name, const char *text)
{
	if (etc_put(dir, name, text) != 0)
		abort();
}

static void
setup(void)
{
	static char dir[] = "/tmp/sluice-fuzz-XXXXXX";
	static const char *ports[] = { "em0", "em1", "tap0", "tap1", "em2" };
	size_t i;

	if (mkdtemp(dir) == NULL)
		abort();
	put(dir, "hostname.bridge0", "add em1\nadd vlan20\n"
	    "rule block in on em1 src 2:0:0:0:0:d\n"
	    "rule pass in on em1 arp request tpa 192.0.2.1 tag ARPQ\n"
	    "rule block out on em1 rarp\nup\n");
	put(dir, "hostname.vlan10", "vlandev em1\nvlan 10\nup\n");
	put(dir, "hostname.vlan20", "vlandev em1\nvlan 20\ntxprio 5 "
	    "rxprio packet\nup\n");
	put(dir, "hostname.bridge1", "add vether0\nup\n");
	put(dir, "hostname.vether0", "inet 10.50.0.1 255.255.255.0\n"
	    "inet6 2001:db8:50::1 64\nup\n");
	put(dir, "hostname.em0", "inet 198.51.100.2 255.255.255.0\nmtu 1400\n"
	    "inet6 2001:db8:100::2/64\nup\n");
	put(dir, "mygate", "198.51.100.1\n2001:db8:100::1\n");
	put(dir, "hostname.pflow0", "flowsrc 198.51.100.2 flowdst "
	    "198.51.100.1:2055\n");
	put(dir, "hostname.pflow1", "flowsrc 198.51.100.2 flowdst "
	    "198.51.100.1:4739 pflowproto 10\n");
	put(dir, "hostname.em2", "lladdr 02:00:00:00:0e:02\ndhcp\nup\n");
	put(dir, "sysctl.conf", "net.inet.ip.forwarding=1\n"
	    "net.inet6.ip6.forwarding=1\n");
	put(dir, "vm.conf", "switch \"lan\" { interface bridge0 }\n"
	    "switch \"isolated\" { interface bridge1 }\n"
	    "vm \"web01\" { interface { switch \"lan\" } }\n"
	    "vm \"db01\" { interface { switch \"isolated\" } }\n");
	put(dir, "rad.conf", "mtu 1400\ndns { nameserver 2001:db8::53 }\n"
	    "interface vether0\n");
	put(dir, "dhcpd.conf", "subnet 10.50.0.0 netmask 255.255.255.0 {\n"
	    "range 10.50.0.100 10.50.0.103;\noption routers 10.50.0.1;\n"
	    "host db01 { hardware ethernet 02:00:00:00:00:db; "
	    "fixed-address 10.50.0.20; }\n}\n");
	put(dir, "pf.os", "S44:64:1:60:M*,S,T,N,W*:Linux:6::Linux\n"
	    "%8192:128:1:*:M*,N,W%2,N,N,T0:Windows:10:1-3:Windows\n"
	    "T4:64:0:44:M%20:NMap:OS::scan\n");
	/* first: the rules after it decide where they match */
	put(dir, "pf.conf", "set limit pktdelay-pkts 8\n"
	    "pass in on vether0 keep state (pflow)\n"
	    "match in all scrub (no-df random-id max-mss 1440 "
	    "reassemble tcp)\n"
	    "match out on em0 from 10.50.0.0/24 to any "
	    "nat-to (em0)\n"
	    "block quick from <bf>\n"
	    "pass in on em0 proto tcp to port 8080 rdr-to 10.50.0.20 port 80 "
	    "keep state (max-src-conn 2, max-src-conn-rate 3/5, "
	    "overload <bf> flush global)\n"
	    "pass in on em0 proto udp to port 53 keep state "
	    "(max-src-states 3, max-src-nodes 4)\n"
	    "block return in on em1 proto { tcp udp } to port 23\n"
	    "pass in on em1 proto udp from any port 53 tag DNS\n"
	    "pass out on tap0 proto udp nat-to 192.0.2.99\n"
	    "block out on tap0 proto udp from any port 53 ! tagged DNS\n"
	    "pass in on em1 proto tcp to port 25 rdr-to 192.0.2.25\n"
	    "pass in on em0 proto tcp to port 22 synproxy state\n"
	    "pass in on em1 proto tcp to port 443 modulate state\n"
	    "pass in on em1 proto tcp to port 444 keep state (sloppy)\n"
	    "pass in on em0 proto tcp to port 8081 rdr-to { 10.50.0.20, "
	    "10.50.0.21 } round-robin sticky-address\n"
	    "pass in on vether0 from 10.50.0.0/24 keep state scrub "
	    "(min-ttl 90) set tos 0x10\n"
	    "pass out on em0 from (em0) keep state\n"
	    "pass in on vether0 proto udp to port 5353 route-to 198.51.100.1\n"
	    "pass in on em0 proto udp to port 5354 reply-to 198.51.100.1\n"
	    "pass out on em0 proto tcp to port 7 dup-to 198.51.100.7\n"
	    "pass in on em0 proto icmp max-pkt-rate 5/2\n"
	    "pass in on em0 proto udp to port 69 once\n"
	    "block in quick on em0 proto udp from urpf-failed to port 9\n"
	    "block in quick on em0 proto udp from no-route to port 10\n"
	    "pass in on em0 proto udp to port 70 keep state (max 10)\n"
	    "match out on em0 inet6 from 2001:db8:50::/64 nat-to (em0)\n"
	    "pass in on em0 inet6 proto tcp to port 8082 rdr-to "
	    "2001:db8:50::20 port 80\n"
	    "pass in on vether0 inet6 to 2001:db8:9::/64 route-to "
	    "2001:db8:100::1\n"
	    "pass out on em0 inet6 proto udp to port 5355 nat-to "
	    "2001:db8:77::/64 source-hash\n"
	    "pass out on em0 inet6 proto tcp to port 5356 nat-to "
	    "{ 2001:db8:100::7, 2001:db8:100::8 } round-robin\n"
	    "pass out on em0 inet6 proto udp to port 5357 nat-to "
	    "{ 2001:db8:100::7, 2001:db8:77::/126 } least-states "
	    "sticky-address\n"
	    "block in quick on vlan20 prio 1\n"
	    "match in on vlan20 proto tcp set prio (2, 6)\n"
	    "pass out on vlan10 proto udp set prio 7\n"
	    "pass in on vether0 inet6 to 64:ff9b::/96 af-to inet from (em0)\n"
	    "pass in on em0 inet proto { tcp udp } to port 8090 "
	    "af-to inet6 from 2001:db8:50::1 to 2001:db8:50::20\n"
	    "pass in on em0 inet proto icmp af-to inet6 from 2001:db8:50::/96 "
	    "to 2001:db8:50::/96\n"
	    "queue rootq on em1 bandwidth 10M\n"
	    "queue std parent rootq bandwidth 9M default qlimit 20\n"
	    "queue ssh parent rootq bandwidth 1M, min 500K, max 2M\n"
	    "queue vq on vether0 bandwidth 1M default qlimit 10\n"
	    "queue fq on em0 flows 64 qlimit 5\n"
	    "queue tq on tap0 bandwidth 64K max 64K default qlimit 4\n"
	    "pass out on em1 proto tcp to port 22 set queue (std, ssh)\n"
	    "block in quick on em1 proto tcp from any os { Linux, "
	    "\"Windows 10.2\" } to port 5001\n"
	    "pass in on em0 proto tcp from any os unknown to port 5002\n"
	    "match out on em1 proto udp to port 5003 set delay 20\n"
	    "match in on vether0 proto icmp set delay 5\n");
	conf = calloc(1, sizeof(*conf));
	if (conf == NULL || conf_load(conf, dir, stderr) != 0)
		abort();
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		snprintf(opts.ifmaps[i].name, sizeof(opts.ifmaps[i].name), "%s",
		    ports[i]);
		snprintf(opts.ifmaps[i].spec, sizeof(opts.ifmaps[i].spec),
		    "pcap::");
	}
	opts.nifmaps = (int)i;
	if (dp_build(&dp, conf, &opts, stderr) != 0)
		abort();
	dp.pf.prefetch_min = 0;		/* every burst takes the batched path */
	dp_clock(&dp, 1000000000ULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt *p;
	struct port *in;

	if (conf == NULL)
		setup();
	if (size < 2 || size - 2 > 9000)
		return 0;
	in = dp.ports[data[0] % dp.nports];
	if (in->ops == NULL || (p = pkt_alloc(&dp.pool)) == NULL)
		return 0;
	memcpy(p->data, data + 2, size - 2);
	p->len = (uint32_t)(size - 2);
	/* What a kernel could claim about the frame's offloads. */
	if (data[1] & 0x80) {
		p->off.flags = PKT_OFF_NEEDS_CSUM;
		p->off.csum_start = (uint16_t)(14 + (data[1] & 0x3f));
		p->off.csum_offset = (data[1] & 0x40) ? 16 : 6;
	} else if (data[1] & 0x40) {
		static const uint8_t types[4] = { VIRTIO_NET_HDR_GSO_TCPV4,
		    VIRTIO_NET_HDR_GSO_UDP, VIRTIO_NET_HDR_GSO_UDP_L4,
		    VIRTIO_NET_HDR_GSO_TCPV6 };

		p->off.flags = PKT_OFF_NEEDS_CSUM;
		p->off.gso_type = types[data[1] & 3];
		p->off.gso_size = (uint16_t)(8 + ((data[1] >> 2) & 0xf) * 97);
		p->off.csum_start = 34;
		p->off.csum_offset = (data[1] & 1) ? 6 : 16;
		p->off.hdr_len = 54;
	}
	dp_input(&dp, in, &p, 1);
	/* Now and then the clock moves: ARP retries, aging, purge. */
	if (data[1] == 0x7f) {
		dp_clock(&dp, dp.now_ns + 2000000000ULL);
		dp_tick(&dp);
		dp_queues_run(&dp);	/* what pf's queues held goes */
		dp_pf_delay_run(&dp);	/* and what set delay held */
	}
	return 0;
}
