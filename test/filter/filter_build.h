/*
 * filter_build.h: build acl_conf structures by hand for the classifier
 * tests, so that they do not depend on the pf.conf parser.
 *
 * A rule pointer returned by fb_rule() stays valid until the next rule is
 * added to the same anchor.
 */
#ifndef TEST_FILTER_BUILD_H
#define TEST_FILTER_BUILD_H

#include "acl/filter/pf_filter.h"

struct acl_conf		*fb_conf_new(void);
void			 fb_conf_free(struct acl_conf *);
/* the anchor at path ("" is main), created with its parents if needed */
struct acl_anchor	*fb_anchor(struct acl_conf *, const char *);
/* append a rule: inout, any af, no state, no pools */
struct acl_rule		*fb_rule(struct acl_anchor *, int);
/* append an anchor call to path; wildcard: "path/ *" */
struct acl_rule		*fb_call(struct acl_conf *, struct acl_anchor *,
			    const char *, int);
/* "any", "192.0.2.0/24", "2001:db8::1", "!198.51.100.1" */
void			 fb_addr(struct acl_rule_addr *, const char *);
void			 fb_dyn(struct acl_rule_addr *, const char *, int);
void			 fb_tbl(struct acl_rule_addr *, const char *);
void			 fb_port(struct acl_rule_addr *, int, int, int);
/* a table; entries like "10.0.0.0/8", "!10.1.0.0/16", NULL-terminated */
void			 fb_table(struct acl_conf *, const char *, const char *,
			    const char **);
void			 fb_pool(struct acl_pool *, const char *);
struct acl_pkt		 fb_pkt(const char *, const char *, int, int, int);
struct acl_pkt		 fb_syn(const char *, const char *, int);
/* Compile for (port, dir), evaluate linearly, with the tree and with
 * filter_ref.c, assert that all agree in every field, return the answer.
 * tags NULL: a private acl_tags. */
struct acl_result	 fb_eval(const struct acl_conf *, const struct acl_ifinfo *,
			    size_t, size_t, int, struct acl_tags *,
			    struct acl_pkt);
void			 fb_same(const struct acl_result *,
			    const struct acl_result *);
void			 fb_ip(union acl_ip *, uint8_t *, const char *);
void			 fb_if(struct acl_ifinfo *, const char *, const char *,
			    const char *);

#endif /* TEST_FILTER_BUILD_H */
