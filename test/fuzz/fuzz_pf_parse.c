/*
 * libFuzzer target for the pf.conf parser and printer: any bytes in,
 * acl_load() must neither crash nor leak, whatever it prints.  Files are
 * never opened (ACL_LOAD_NOFILES): an "include" of /dev/zero would only
 * test the patience of the fuzzer.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true
 *   ninja -C build-fuzz test/fuzz/fuzz-pf-parse
 *   build-fuzz/test/fuzz/fuzz-pf-parse test/fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "acl/pf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE		*null;
	static struct acl_hostenv env;
	struct acl_load_args	 a;
	struct acl_conf		*conf = NULL;
	FILE			*in;

	if (null == NULL) {
		if ((null = fopen("/dev/null", "w")) == NULL)
			abort();
		acl_hostenv_regress(&env);
		env.system_users = 0;
	}
	if (size == 0)
		return (0);
	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		return (0);
	a = (struct acl_load_args){
		.file = "-",
		.stream = in,
		.env = &env,
		.flags = ACL_LOAD_VERBOSE | ACL_LOAD_VERBOSE2 | ACL_LOAD_WARN |
		    ACL_LOAD_NOFILES,
		.out = null,
		.err = null,
	};
	if (acl_load(&a, &conf) == 0)
		acl_conf_free(conf);
	fclose(in);
	return (0);
}
