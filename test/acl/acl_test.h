/*
 * acl_test.h: run acl_load() on a string and keep what it printed.
 */
#ifndef ACL_TEST_H
#define ACL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf.h"

struct acl_run {
	int		 rv;
	char		*out;
	char		*err;
	struct acl_conf	*conf;
};

static inline void
acl_run_free(struct acl_run *r)
{
	free(r->out);
	free(r->err);
	acl_conf_free(r->conf);
	memset(r, 0, sizeof(*r));
}

/* flags: ACL_LOAD_*; regress: the regress host model */
static inline struct acl_run
acl_run(const char *text, int flags, int regress)
{
	struct acl_run		 r;
	struct acl_load_args	 a;
	struct acl_hostenv	 env;
	size_t			 ol, el;
	FILE			*in, *out, *err;

	memset(&r, 0, sizeof(r));
	if (regress)
		acl_hostenv_regress(&env);
	else
		acl_hostenv_default(&env);
	in = fmemopen((void *)text, strlen(text), "r");
	out = open_memstream(&r.out, &ol);
	err = open_memstream(&r.err, &el);
	memset(&a, 0, sizeof(a));
	a.file = "-";
	a.stream = in;
	a.env = &env;
	a.flags = flags;
	a.out = out;
	a.err = err;
	r.rv = acl_load(&a, &r.conf);
	fclose(in);
	fclose(out);
	fclose(err);
	return (r);
}

#endif
