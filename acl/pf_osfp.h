/*
 * acl/pf_osfp.h: passive OS fingerprints, as pf(4) keeps them.
 *
 * pf.os(5) lists what the SYN of each operating system looks like (window,
 * TTL, DF, size, TCP options).  pfctl reads it before a main rule set (or
 * where `set fingerprints "file"' says) and names each OS by class,
 * version and subtype ("OpenBSD 3.3", "Linux 2.4.18"); a rule's `os "X"'
 * becomes those numbers.  pf then fingerprints every TCP SYN a rule with
 * `os' is asked about and matches it against the rule's class, version or
 * subtype; a packet no signature matches is `unknown'.
 *
 * The matching follows sys/net/pf_osfp.c (pf_osfp_fingerprint_hdr(),
 * pf_osfp_find(), pf_osfp_match()), the file and the names follow
 * sbin/pfctl/pfctl_osfp.c.
 */
#ifndef ACL_PF_OSFP_H
#define ACL_PF_OSFP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* a rule's os: class << 20 | version << 10 | subtype, as pf packs it */
#define ACL_OSFP_ANY		0u		/* no `os': every packet */
#define ACL_OSFP_UNKNOWN	0xffffffffu	/* os "unknown" */
#define ACL_OSFP_NOMATCH	0xfffffffeu	/* a name pf.os does not have */

struct acl_osfp_db;

struct acl_osfp_db *acl_osfp_new(void);
void	 acl_osfp_free(struct acl_osfp_db *);

/*
 * pfctl_file_fingerprints(): read pf.os file path into db, which starts
 * empty again.  A line pfctl would refuse is reported on err as
 * "name:line: what" and skipped, as pfctl does.  -1 (errno set) when the
 * file cannot be read.
 */
int	 acl_osfp_read(struct acl_osfp_db *, const char *path,
	    const char *name, FILE *err);

/* Signatures loaded (each line counts twice: IPv4 and IPv6). */
size_t	 acl_osfp_count(const struct acl_osfp_db *);

/* pfctl_get_fingerprint(): a name ("Linux", "OpenBSD 3.3") to its number */
uint32_t acl_osfp_lookup(const struct acl_osfp_db *, const char *);

/* pfctl_lookup_fingerprint(): the number back to its name, "nomatch"... */
void	 acl_osfp_name(const struct acl_osfp_db *, uint32_t, char *, size_t);

/*
 * The signature a TCP segment matches (1-based), 0 for none: not a SYN, a
 * header or option pf cannot read, or no signature.  ip is the IPv4 or
 * IPv6 header (af 4 or 6), tcp the TCP header with tcplen bytes readable.
 */
uint16_t acl_osfp_fingerprint(const struct acl_osfp_db *, int af,
	    const uint8_t *ip, const uint8_t *tcp, size_t tcplen);

/* pf_osfp_match(): does signature fp (0: none) say os? */
int	 acl_osfp_match(const struct acl_osfp_db *, uint16_t fp, uint32_t os);

/* The OSes signature fp stands for, "Linux 2.6, Linux 3.0" (explain) */
void	 acl_osfp_describe(const struct acl_osfp_db *, uint16_t, char *,
	    size_t);

/* pfctl -s osfp: every class, version and subtype, sorted */
void	 acl_osfp_show(const struct acl_osfp_db *, FILE *);

#endif /* ACL_PF_OSFP_H */
