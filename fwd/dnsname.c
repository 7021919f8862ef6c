/* See dnsname.h. */
#include <string.h>

#include "fwd/dnsname.h"

size_t
dns_name_encode(const char *name, uint8_t *out, size_t cap)
{
	size_t n = 0, len;
	const char *dot;

	if (*name == '\0' || strcmp(name, ".") == 0)
		return 0;
	while (*name != '\0') {
		dot = strchr(name, '.');
		len = dot != NULL ? (size_t)(dot - name) : strlen(name);
		if (len == 0 || len > 63 || n + 1 + len + 1 > DNS_NAME_MAX ||
		    n + 1 + len + 1 > cap)
			return 0;
		out[n++] = (uint8_t)len;
		memcpy(out + n, name, len);
		n += len;
		name += len;
		if (*name == '.')
			name++;
	}
	out[n++] = 0;
	return n;
}
