/*
 * Capture-file ports: frames come in from one pcap file and what the port
 * sends is written to another.  Used for deterministic pipeline tests and
 * for teaching: replay a capture through a configuration and read what
 * came out where.  In replay mode the dataplane's clock is the capture's
 * clock, so aging and timeouts replay exactly too.
 *
 * A file cannot take offloads: partial checksums are completed before
 * writing, and a GSO super-frame is counted and dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "dataplane/port.h"
#include "fwd/csum.h"
#include "fwd/ether.h"

struct pcapf {
	pcap_t		*in;
	pcap_t		*dead;
	pcap_dumper_t	*out;
	const uint64_t	*clock_ns;
	/* The next input frame, read ahead so the loop can merge by time. */
	struct pcap_pkthdr *hdr;
	const u_char	*data;
	int		 eof;
};

static void
pcapf_advance(struct pcapf *pf)
{
	if (pf->in == NULL || pf->eof)
		return;
	if (pcap_next_ex(pf->in, &pf->hdr, &pf->data) != 1)
		pf->eof = 1;
}

/* Timestamp of the next frame in ns, or -1 when the input is done. */
int
port_pcap_peek(struct port *p, uint64_t *ns)
{
	struct pcapf *pf = p->priv;

	if (pf->in == NULL || pf->eof)
		return -1;
	*ns = (uint64_t)pf->hdr->ts.tv_sec * 1000000000ULL +
	    (uint64_t)pf->hdr->ts.tv_usec * 1000ULL;
	return 0;
}

/*
 * Frames stamped with the same instant come in as one burst, as a ring
 * hands over what arrived together: a test can make the stages see a
 * burst (several priorities on one output queue, the state lookups'
 * prefetch passes).  A later stamp waits for the next call.
 */
static int
pcapf_rx(struct port *p, struct pkt **pkts, int max)
{
	struct pcapf *pf = p->priv;
	struct timeval ts;
	uint32_t len;
	int n = 0;

	if (pf->in == NULL || pf->eof)
		return 0;
	ts = pf->hdr->ts;
	while (n < max && !pf->eof && pf->hdr->ts.tv_sec == ts.tv_sec &&
	    pf->hdr->ts.tv_usec == ts.tv_usec) {
		len = pf->hdr->caplen;
		if (len > PKT_DATA_MAX - VLAN_TAG_LEN)
			p->c[PORT_C_DROP_TRUNCATED]++;
		else {
			memcpy(pkts[n]->data, pf->data, len);
			pkts[n++]->len = len;
		}
		pcapf_advance(pf);
	}
	return n;
}

static int
pcapf_tx(struct port *p, struct txent *q, int n)
{
	struct pcapf *pf = p->priv;
	struct pcap_pkthdr h;
	uint8_t frame[2048];
	int i;

	for (i = 0; i < n; i++) {
		struct pkt *pk = q[i].p;
		const uint8_t *d = pk->data;
		uint32_t len = pk->len;

		if (pk->off.gso_type != 0) {
			p->c[PORT_C_DROP_GSO]++;
			continue;
		}
		csum_complete(pk);
		if (q[i].push_tci) {
			if (len + VLAN_TAG_LEN > sizeof(frame)) {
				p->c[PORT_C_DROP_OVERSIZE]++;
				continue;
			}
			memcpy(frame, d, 12);
			ether_put16(frame + 12, ETHERTYPE_VLAN);
			ether_put16(frame + 14, q[i].push_tci);
			memcpy(frame + 16, d + 12, len - 12);
			d = frame;
			len += VLAN_TAG_LEN;
		}
		h.ts.tv_sec = (time_t)(*pf->clock_ns / 1000000000ULL);
		h.ts.tv_usec = (suseconds_t)(*pf->clock_ns % 1000000000ULL /
		    1000);
		h.caplen = h.len = len;
		if (pf->out != NULL)
			pcap_dump((u_char *)pf->out, &h, d);
		p->c[PORT_C_TX_PACKETS]++;
		p->c[PORT_C_TX_BYTES] += len;
	}
	return n;
}

static void
pcapf_close(struct port *p)
{
	struct pcapf *pf = p->priv;

	if (pf->out != NULL)
		pcap_dump_close(pf->out);
	if (pf->dead != NULL)
		pcap_close(pf->dead);
	if (pf->in != NULL)
		pcap_close(pf->in);
	free(pf);
	p->priv = NULL;
}

static const struct port_ops pcapf_ops = {
	.kind = "pcap",
	.rx = pcapf_rx,
	.tx = pcapf_tx,
	.close = pcapf_close,
};

/* Either file may be NULL or "": no input, or output thrown away. */
int
port_pcap_open(struct port *p, const char *in, const char *out,
    const uint64_t *clock_ns, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcapf *pf;

	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return ENOMEM;
	pf->clock_ns = clock_ns;
	if (in != NULL && in[0] != '\0') {
		if ((pf->in = pcap_open_offline(in, ebuf)) == NULL) {
			snprintf(err, errlen, "%s: %s", in, ebuf);
			free(pf);
			return EINVAL;
		}
		if (pcap_datalink(pf->in) != DLT_EN10MB) {
			snprintf(err, errlen, "%s: not an Ethernet capture",
			    in);
			pcap_close(pf->in);
			free(pf);
			return EINVAL;
		}
		pcapf_advance(pf);
	}
	if (out != NULL && out[0] != '\0') {
		pf->dead = pcap_open_dead(DLT_EN10MB, 65535);
		if (pf->dead == NULL ||
		    (pf->out = pcap_dump_open(pf->dead, out)) == NULL) {
			snprintf(err, errlen, "%s: %s", out, pf->dead ?
			    pcap_geterr(pf->dead) : "cannot open");
			if (pf->dead != NULL)
				pcap_close(pf->dead);
			if (pf->in != NULL)
				pcap_close(pf->in);
			free(pf);
			return EINVAL;
		}
	}
	p->kind = PORT_PCAP;
	p->fd = -1;
	p->priv = pf;
	p->ops = &pcapf_ops;
	p->offload = 0;
	return 0;
}
