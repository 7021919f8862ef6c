/*
 * Domain names in DNS wire form (RFC 1035 3.1: length-prefixed labels,
 * a zero at the end), as DHCP's domain search option (RFC 3397) and the
 * router advertisement's DNS search list (RFC 8106 5.2) carry them,
 * without compression.
 */
#ifndef FWD_DNSNAME_H
#define FWD_DNSNAME_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX	255	/* a name's wire form, at most */

/*
 * NAME ("example.org", a trailing dot allowed) appended at out (cap bytes
 * there): the bytes it took, or 0 for a name that is empty, has an empty
 * label or one longer than 63, is longer than DNS_NAME_MAX, or does not
 * fit.
 */
size_t	 dns_name_encode(const char *, uint8_t *, size_t);

#endif /* FWD_DNSNAME_H */
