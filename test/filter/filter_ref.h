/*
 * filter_ref.h: an independent reference evaluator for the classifier
 * tests.  It walks the anchor tree of an acl_conf at evaluation time, as
 * pf_match_rule() does, instead of the flat list pf_flat.c builds; see
 * filter_ref.c for what it shares with the library and what it does not.
 */
#ifndef TEST_FILTER_REF_H
#define TEST_FILTER_REF_H

#include "acl/filter/pf_filter.h"

struct ref_env {
	const struct acl_conf	*conf;
	const struct acl_ifinfo	*ifs;		/* every port */
	size_t			 nifs;
	size_t			 port;		/* index in ifs */
	int			 dir;		/* ACL_IN or ACL_OUT */
	struct acl_tags		*tags;		/* the classifier's */
	/*
	 * OpenBSD's pf_match_rule() (pf.c 1.1185) sets ctx->a when it
	 * enters an anchor and does not restore it when the anchor
	 * returns: a rule matched after a nested anchor call is credited
	 * to that nested call.  Set, the reference does the same; clear,
	 * it does what acl/filter/README.md says (the innermost call
	 * around the rule).
	 */
	int			 stale_anchor;
};

/* Fills every field of struct acl_result that the library fills. */
void	ref_eval(const struct ref_env *, const struct acl_pkt *,
	    struct acl_result *);

#endif /* TEST_FILTER_REF_H */
