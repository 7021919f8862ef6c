/*
 * libFuzzer target for the configuration directory's own parsers: any
 * bytes as hostname.em0, vm.conf, rad.conf, dhcpd.conf, a lease file of
 * sluiced -l or hostname.pflow0 (the first byte says which) must neither
 * crash nor leak,
 * whatever conf_load() or conf_parse_leases() says of them.
 *
 *   ninja -C build-fuzz test/fuzz/fuzz-conf
 *   build-fuzz/test/fuzz/fuzz-conf
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char dir[] = "/tmp/sluice-fuzz-conf-XXXXXX";

static void
put(const char *name, const uint8_t *data, size_t size)
{
	char path[sizeof(dir) + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "hostname.em0", "vm.conf",
	    "rad.conf", "dhcpd.conf", "dhcpd.leases", "hostname.pflow0" };
	const int nkinds = sizeof(kinds) / sizeof(kinds[0]);
	static FILE *null;
	static struct conf *c;
	char path[sizeof(dir) + 32];
	int k;

	if (null == NULL) {
		if (mkdtemp(dir) == NULL ||
		    (null = fopen("/dev/null", "w")) == NULL ||
		    (c = malloc(sizeof(*c))) == NULL)
			abort();
	}
	if (size == 0)
		return 0;
	/* a valid interface for rad.conf and vm.conf to name */
	put("hostname.vether0", (const uint8_t *)"inet6 2001:db8::1 64\nup\n",
	    24);
	for (k = 0; k < nkinds; k++) {
		snprintf(path, sizeof(path), "%s/%s", dir, kinds[k]);
		unlink(path);
	}
	put(kinds[data[0] % nkinds], data + 1, size - 1);
	conf_load(c, dir, null);
	if (data[0] % nkinds == 4) {
		snprintf(path, sizeof(path), "%s/dhcpd.leases", dir);
		conf_parse_leases(c, path);
	}
	conf_free(c);
	return 0;
}
