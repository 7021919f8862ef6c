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
	 * pf.c 1.1185 (2023) set ctx->a when it entered an anchor and did
	 * not restore it when the anchor returned: a rule matched after a
	 * nested anchor call was credited to that call, and a quick anchor
	 * around both did not stop.  1.1218 (2025) keeps ctx->a on the
	 * anchor stack.  Set, the reference does as 1.1185; clear, as
	 * 1.1218 and acl/filter/README.md (the innermost call around the
	 * rule).  The tests only count how often the two differ.
	 */
	int			 stale_anchor;
};

/* The environment of the classifier acl_compile() made of ARGS (the
 * 1.1218 anchor rule: stale_anchor clear). */
void	ref_env_of(struct ref_env *, const struct acl_compile_args *);

/* Fills every field of struct acl_result that the library fills. */
/* The rules that match p, in order (pf_match_rule()'s walk): at most
 * max of them in hits; returns how many there were. */
size_t	ref_hits(const struct ref_env *, const struct acl_pkt *,
	    const struct acl_rule **, size_t);
void	ref_eval(const struct ref_env *, const struct acl_pkt *,
	    struct acl_result *);

#endif /* TEST_FILTER_REF_H */
