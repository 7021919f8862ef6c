/*
 * fuzz_osfp.c: libFuzzer target for pf.os(5) files and the SYN
 * fingerprinter.  The input is read as a pf.os; then its names are looked
 * up and printed, and its last 100 bytes (if there are so many) are taken
 * for an IPv4 and an IPv6 SYN to fingerprint against what it loaded.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acl/pf_osfp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	static FILE *null;
	static const char *const names[] = { "Linux", "Linux 2.6",
	    "Linux 2.6.18", "OpenBSD 3.0-STABLE", "unknown", "a b c" };
	struct acl_osfp_db *db;
	char buf[128];
	size_t i;

	if (fd == -1) {
		if ((fd = memfd_create("pf.os", 0)) == -1 ||
		    (null = fopen("/dev/null", "w")) == NULL)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 ||
	    pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	if ((db = acl_osfp_new()) == NULL)
		return 0;
	if (acl_osfp_read(db, path, "pf.os", null) == 0) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			acl_osfp_name(db, acl_osfp_lookup(db, names[i]), buf,
			    sizeof(buf));
		acl_osfp_show(db, null);
		if (size >= 100) {
			const uint8_t *p = data + size - 100;
			uint16_t f;

			f = acl_osfp_fingerprint(db, 4, p, p + 40, 60);
			acl_osfp_describe(db, f, buf, sizeof(buf));
			(void)acl_osfp_match(db, f, acl_osfp_lookup(db,
			    "Linux"));
			f = acl_osfp_fingerprint(db, 6, p, p + 40, 60);
			acl_osfp_describe(db, f, buf, sizeof(buf));
		}
	}
	acl_osfp_free(db);
	return 0;
}
