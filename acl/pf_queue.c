/*
 * pf_queue.c: the queue tree of a main ruleset, built and checked once
 * it is parsed (pf_parse.c collects the definitions: children may come
 * before their parents), as pfctl_check_qassignments() and
 * pfctl_load_queues() do, into acl_conf.queues.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_impl.h"

/*
 * pfctl_check_qassignments() and pfctl_load_queues(), once the main
 * ruleset parsed: each root takes the definitions that name it as their
 * parent, and they theirs, depth first.  A child may say "on IF" to
 * belong to one interface's queue of that name only; without it, it is
 * copied under every queue of that name.  pfctl stops at the first of
 * these errors; here each is told once, at the line of its definition
 * or rule, and any makes the load fail.
 */
struct qnode {
	size_t		 def;		/* in pf_parser.queues */
	struct qnode	*up;
	struct qnode	*child;
	struct qnode	*last;
	struct qnode	*next;
};

struct qtree {
	struct pf_parser *p;
	struct qnode	**roots;	/* per definition: NULL unless a root */
	size_t		*matches;	/* per definition: times placed */
	uint8_t		*told;		/* per definition: not-a-leaf said */
	int		 errors;
	size_t		 nnodes;
};

static void __attribute__((__format__ (printf, 4, 5)))
qerror(struct qtree *t, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	t->errors++;
	fprintf(t->p->err, "%s:%d: ", file ? file : "?", line);
	va_start(ap, fmt);
	vfprintf(t->p->err, fmt, ap);
	va_end(ap);
	fprintf(t->p->err, "\n");
}

static struct qnode *
qnode_add(struct qtree *t, struct qnode *up, size_t def)
{
	struct qnode	*n = pf_alloc(t->p->arena, sizeof(*n));

	n->def = def;
	n->up = up;
	if (up != NULL) {
		if (up->last != NULL)
			up->last->next = n;
		else
			up->child = n;
		up->last = n;
	}
	t->nnodes++;
	return (n);
}

/* definition i names the queue of node qi as its parent: place it */
static void
qnode_match(struct qtree *t, struct qnode *qi, size_t i)
{
	struct acl_queue	*defs = t->p->queues, *d = &defs[i], *cq;
	struct qnode		*c;

	/* where pfctl counts to 10000: i is already on the path here */
	for (c = qi; c != NULL; c = c->up)
		if (c->def == i) {
			qerror(t, d->file, d->line,
			    "queue %s: excessive matches, loop?", d->name);
			return;
		}
	t->matches[i]++;
	for (c = qi->child; c != NULL; c = c->next)
		if (!strcmp(defs[c->def].name, d->name))
			break;
	if (c == NULL) {
		qnode_add(t, qi, i);
		return;
	}
	cq = &defs[c->def];
	if (cq->ifname[0] && d->ifname[0])
		qerror(t, d->file, d->line, "queue %s on %s respecified",
		    cq->name, cq->ifname);
	else if (!cq->ifname[0] && !d->ifname[0])
		qerror(t, d->file, d->line, "queue %s respecified", cq->name);
	else if (!cq->ifname[0])
		c->def = i;	/* bound to the interface beats floating */
}

/* pfctl_find_childqs(): the subtree of qi; returns the flags in it */
static unsigned
find_childqs(struct qtree *t, struct qnode *qi)
{
	struct acl_queue	*defs = t->p->queues, *q = &defs[qi->def];
	struct qnode		*c;
	unsigned		 flags = q->flags;
	size_t			 i;

	for (i = 0; i < t->p->nqueues; i++) {
		if (defs[i].parent[0] == '\0' ||
		    strcmp(defs[i].parent, q->name))
			continue;
		/* the node's own interface, as pfctl's copy has it */
		if (defs[i].ifname[0] && strcmp(defs[i].ifname, q->ifname))
			continue;
		qnode_match(t, qi, i);
	}
	for (c = qi->child; c != NULL; c = c->next)
		flags |= find_childqs(t, c);
	if (qi->child != NULL && !t->told[qi->def]) {
		t->told[qi->def] = 1;
		if (q->flags & ACL_QF_DEFAULT)
			qerror(t, q->file, q->line,
			    "default queue %s is not a leaf queue", q->name);
		else if (q->flags & ACL_QF_FLOWQUEUE)
			qerror(t, q->file, q->line,
			    "flow queue %s is not a leaf queue", q->name);
	}
	return (flags);
}

/*
 * pfctl_leafqueue_check() looks for the name among the roots, and among
 * the definitions of children, which pfctl never gives children of their
 * own (they go to copies): so only a root with children is refused, and
 * a rule may name an inner queue, which pf then treats as the default.
 */
static int
queue_not_leaf(struct qtree *t, const char *name)
{
	size_t	i;

	if (name[0] == '\0')
		return (0);
	for (i = 0; i < t->p->nqueues; i++)
		if (t->roots[i] != NULL && t->roots[i]->child != NULL &&
		    !strcmp(t->p->queues[i].name, name))
			return (1);
	return (0);
}

/* pfctl_check_qassignments(): the rules, inline anchors first */
static void
check_qassignments(struct qtree *t, const struct acl_anchor *a)
{
	const struct acl_rule	*r;
	size_t			 i;

	for (i = 0; i < a->rs.nrules; i++) {
		r = &a->rs.rules[i];
		if (r->anchor != NULL && r->anchor_inline)
			check_qassignments(t, r->anchor);
		if (queue_not_leaf(t, r->qname))
			qerror(t, r->file, r->line, "queue %s: packets must be "
			    "assigned to leaf queues only", r->qname);
		else if (queue_not_leaf(t, r->pqname))
			qerror(t, r->file, r->line, "queue %s: packets must be "
			    "assigned to leaf queues only", r->pqname);
	}
}

/* pfctl_load_queue(): preorder, each with its root's interface */
static size_t
queues_emit(struct qtree *t, const struct qnode *n, int up,
    const char *ifname, size_t k)
{
	struct acl_queue	*q = &t->p->conf->queues[k];
	const struct qnode	*c;
	size_t			 next = k + 1;

	*q = t->p->queues[n->def];
	q->parent_idx = up;
	snprintf(q->ifname, sizeof(q->ifname), "%s", ifname);
	for (c = n->child; c != NULL; c = c->next)
		next = queues_emit(t, c, (int)k, ifname, next);
	return (next);
}

/*
 * Build and check the queue tree of the main ruleset just parsed into
 * p->conf->queues.  Returns the number of errors, which it printed.
 */
int
pf_queues_check(struct pf_parser *p)
{
	struct qtree		 t;
	struct acl_queue	*d;
	struct acl_conf		*conf = p->conf;
	size_t			 i, k;
	unsigned		 flags;

	if (p->nqueues == 0)
		return (0);
	memset(&t, 0, sizeof(t));
	t.p = p;
	t.roots = pf_alloc(p->arena, p->nqueues * sizeof(*t.roots));
	t.matches = pf_alloc(p->arena, p->nqueues * sizeof(*t.matches));
	t.told = pf_alloc(p->arena, p->nqueues);
	for (i = 0; i < p->nqueues; i++) {
		d = &p->queues[i];
		if (d->parent[0] != '\0')
			continue;
		t.roots[i] = qnode_add(&t, NULL, i);
		flags = find_childqs(&t, t.roots[i]);
		if (!(d->flags & ACL_QF_ROOTCLASS) &&
		    t.roots[i]->child != NULL) {
			if (d->flags & ACL_QF_FLOWQUEUE)
				qerror(&t, d->file, d->line, "root queue %s "
				    "doesn't support hierarchy", d->name);
			else
				qerror(&t, d->file, d->line, "no bandwidth "
				    "was specified for root queue %s", d->name);
		}
		if ((d->flags & ACL_QF_ROOTCLASS) && !(flags & ACL_QF_DEFAULT))
			qerror(&t, d->file, d->line,
			    "no default queue specified");
	}
	check_qassignments(&t, conf->root);
	for (i = 0; i < p->nqueues; i++) {
		d = &p->queues[i];
		if (d->parent[0] == '\0')
			continue;
		if (t.matches[i] == 0)
			qerror(&t, d->file, d->line, "queue %s: parent %s "
			    "not found", d->name, d->parent);
		else if (d->linkshare.m1 == 0 && d->linkshare.m2 == 0)
			qerror(&t, d->file, d->line,
			    "queue %s: no bandwidth was specified", d->name);
	}
	if (t.errors)
		return (t.errors);
	if ((conf->queues = calloc(t.nnodes, sizeof(*conf->queues))) == NULL) {
		perror("acl");
		abort();
	}
	conf->nqueues = t.nnodes;
	for (i = 0, k = 0; i < p->nqueues; i++)
		if (t.roots[i] != NULL)
			k = queues_emit(&t, t.roots[i], -1,
			    p->queues[i].ifname, k);
	return (0);
}
