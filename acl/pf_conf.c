/*
 * pf_conf.c: the acl_conf tree the parser builds: anchors (a tree of
 * rulesets found by path), rules appended to them, tables, and freeing it
 * all.  Everything here is malloc'd and owned by the acl_conf, unlike the
 * parser's scratch memory, because the conf outlives the parse.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acl/pf_impl.h"

static void *
xcalloc(size_t n, size_t s)
{
	void	*p;

	if ((p = calloc(n, s)) == NULL) {
		perror("acl");
		abort();
	}
	return (p);
}

static void *
xrealloc(void *o, size_t n)
{
	void	*p;

	if ((p = realloc(o, n)) == NULL) {
		perror("acl");
		abort();
	}
	return (p);
}

char *
pf_conf_strdup(struct acl_conf *c, const char *s)
{
	char	*d;

	(void)c;
	if ((d = strdup(s)) == NULL) {
		perror("acl");
		abort();
	}
	return (d);
}

/* anchors ---------------------------------------------------------------- */

struct acl_anchor *
pf_anchor_new(struct acl_conf *c, const char *name)
{
	struct acl_anchor	*a = xcalloc(1, sizeof(*a));

	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->path, sizeof(a->path), "%s", name);
	c->all = xrealloc(c->all, (c->nall + 1) * sizeof(*c->all));
	c->all[c->nall++] = a;
	return (a);
}

static void
anchor_repath(struct acl_anchor *a)
{
	size_t	i;

	if (a->parent == NULL || a->parent->path[0] == '\0')
		snprintf(a->path, sizeof(a->path), "%s", a->name);
	else
		snprintf(a->path, sizeof(a->path), "%s/%s", a->parent->path,
		    a->name);
	for (i = 0; i < a->nchild; i++)
		anchor_repath(a->child[i]);
}

void
pf_anchor_link(struct acl_conf *c, struct acl_anchor *parent,
    struct acl_anchor *a)
{
	size_t	i;

	(void)c;
	parent->child = xrealloc(parent->child,
	    (parent->nchild + 1) * sizeof(*parent->child));
	for (i = parent->nchild; i > 0 &&
	    strcmp(parent->child[i - 1]->name, a->name) > 0; i--)
		parent->child[i] = parent->child[i - 1];
	parent->child[i] = a;
	parent->nchild++;
	a->parent = parent;
	anchor_repath(a);
}

static void
anchor_destroy(struct acl_anchor *a)
{
	free(a->rs.rules);
	free(a->child);
	free(a);
}

/* Drop an (empty, detached) holding anchor. */
void
pf_anchor_unlink(struct acl_conf *c, struct acl_anchor *a)
{
	size_t	i;

	for (i = 0; i < c->nall; i++)
		if (c->all[i] == a) {
			memmove(&c->all[i], &c->all[i + 1],
			    (c->nall - i - 1) * sizeof(*c->all));
			c->nall--;
			break;
		}
	anchor_destroy(a);
}

static struct acl_anchor *
anchor_child(struct acl_conf *c, struct acl_anchor *parent,
    const char *name, int create)
{
	struct acl_anchor	*a;
	size_t			 i;

	for (i = 0; i < parent->nchild; i++)
		if (strcmp(parent->child[i]->name, name) == 0)
			return (parent->child[i]);
	if (!create)
		return (NULL);
	a = pf_anchor_new(c, name);
	pf_anchor_link(c, parent, a);
	return (a);
}

/*
 * The anchor a rule in ruleset cur calls by name: "/x/y" is from the
 * root, anything else from cur; ".." goes up.  create: make what is
 * missing (an anchor called but never loaded is an empty ruleset).
 */
struct acl_anchor *
pf_anchor_get(struct acl_conf *c, struct acl_anchor *cur, const char *name,
    int create)
{
	char		 buf[ACL_PATH_MAX], *s, *e;
	struct acl_anchor *a = cur;

	if (name[0] == '/') {
		a = c->root;
		name++;
	}
	snprintf(buf, sizeof(buf), "%s", name);
	for (s = buf; s != NULL && *s; s = e) {
		if ((e = strchr(s, '/')) != NULL)
			*e++ = '\0';
		if (*s == '\0' || strcmp(s, ".") == 0)
			continue;
		if (strcmp(s, "..") == 0) {
			if (a->parent != NULL)
				a = a->parent;
			continue;
		}
		if ((a = anchor_child(c, a, s, create)) == NULL)
			return (NULL);
	}
	return (a);
}

/*
 * The table NAME as a rule of the anchor at path ANCHOR ("" for the main
 * ruleset) sees it: the anchor's own, else the main ruleset's, as
 * pfr_attach_table() finds it; NULL when neither defines it.
 */
const struct acl_table *
acl_table_find(const struct acl_conf *c, const char *name, const char *anchor)
{
	size_t i;

	for (i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i].name, name) == 0 &&
		    strcmp(c->tables[i].anchor, anchor) == 0)
			return (&c->tables[i]);
	for (i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i].name, name) == 0 &&
		    c->tables[i].anchor[0] == '\0')
			return (&c->tables[i]);
	return (NULL);
}

struct acl_anchor *
acl_anchor_find(const struct acl_conf *c, const char *path)
{
	while (*path == '/')
		path++;
	if (*path == '\0')
		return (c->root);
	return (pf_anchor_get((struct acl_conf *)c, c->root, path, 0));
}

/* rules ------------------------------------------------------------------ */

/* file names live in the conf, so that rules can point at them */
static const char *
conf_filename(struct acl_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i], name) == 0)
			return (c->files[i]);
	c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof(*c->files));
	c->files[c->nfiles] = pf_conf_strdup(c, name);
	return (c->files[c->nfiles++]);
}

/*
 * Append a copy of r to anchor a.  pfctl numbers the rules of a ruleset
 * and expands the $nr label macro at load time; doing it here gives the
 * same numbers, and the conf then holds the final labels.
 */
struct acl_rule *
pf_rule_append(struct pf_parser *p, struct acl_anchor *a,
    const struct acl_rule *r)
{
	struct acl_ruleset	*rs = &a->rs;
	struct acl_rule		*n;
	char			 nr[12];
	int			 k;

	if (rs->nrules == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->rules = xrealloc(rs->rules, rs->cap * sizeof(*rs->rules));
	}
	n = &rs->rules[rs->nrules];
	*n = *r;
	n->nr = (uint32_t)rs->nrules++;
	snprintf(nr, sizeof(nr), "%u", n->nr);
	for (k = 0; k < 3; k++) {
		char	*l = k == 0 ? n->label : k == 1 ? n->tagname :
		    n->match_tagname;
		size_t	 len = k == 0 ? sizeof(n->label) :
		    sizeof(n->tagname);
		char	 tmp[ACL_RULE_LABEL_SIZE * 2], *q, *s = l;
		size_t	 o = 0;

		if (strstr(l, "$nr") == NULL)
			continue;
		tmp[0] = '\0';
		while ((q = strstr(s, "$nr")) != NULL && o + (size_t)(q - s) +
		    strlen(nr) < sizeof(tmp)) {
			memcpy(tmp + o, s, (size_t)(q - s));
			o += (size_t)(q - s);
			memcpy(tmp + o, nr, strlen(nr));
			o += strlen(nr);
			s = q + 3;
		}
		snprintf(tmp + o, sizeof(tmp) - o, "%s", s);
		snprintf(l, len, "%s", tmp);
	}
	n->file = NULL;
	if (p != NULL && p->lx.file != NULL) {
		n->file = conf_filename(p->conf, p->lx.file->name);
		n->line = p->lx.lineno;
	}
	return (n);
}

/* tables ----------------------------------------------------------------- */

static int
table_add_host(struct acl_table *t, struct node_host *h, int not)
{
	struct acl_table_entry	*e;

	for (; h != NULL; h = h->next) {
		int	bits = h->af == AF_INET ? 32 : 128;

		if (h->af != AF_INET && h->af != AF_INET6) {
			errno = EINVAL;
			return (-1);
		}
		if (pf_unmask(&h->addr.a.mask) > bits) {
			errno = EINVAL;
			return (-1);
		}
		t->e = xrealloc(t->e, (t->ne + 1) * sizeof(*t->e));
		e = &t->e[t->ne++];
		memset(e, 0, sizeof(*e));
		e->af = h->af;
		e->neg = (uint8_t)(h->not ^ not);
		e->net = (uint8_t)pf_unmask(&h->addr.a.mask);
		e->addr = h->addr.a.addr;
	}
	return (0);
}

/*
 * A table file: addresses separated by blanks, '#' comments, as
 * pfr_buf_load() reads it.  Returns 0, or -1 with errno set (0: bad data).
 */
static int
table_load_file(struct pf_parser *p, struct acl_table *t, const char *name,
    struct node_host **hosts)
{
	FILE		*f;
	char		 w[1024], *path;
	int		 c, n, not, rv = 0;
	struct node_host *h;

	path = pf_confpath(p->arena, p->lx.confdir, name);
	if (p->lx.nofiles) {
		errno = EPERM;
		return (-1);
	}
	if (strcmp(name, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL)
		return (-1);
	for (;;) {
		while ((c = getc(f)) != EOF && (c == ' ' || c == '\t' ||
		    c == '\n' || c == '\r' || c == ','))
			;
		if (c == EOF)
			break;
		if (c == '#') {
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		n = 0;
		do {
			if (n < (int)sizeof(w) - 1)
				w[n++] = (char)c;
		} while ((c = getc(f)) != EOF && c != ' ' && c != '\t' &&
		    c != '\n' && c != '\r' && c != ',' && c != '#');
		w[n] = '\0';
		if (c == '#')
			ungetc(c, f);
		for (n = 0, not = 0; w[n] == '!'; n++)
			not = !not;
		if ((h = pf_host(&p->hc, w + n)) == NULL) {
			errno = 0;
			rv = -1;
			break;
		}
		for (struct node_host *x = h; x; x = x->next)
			x->not ^= (uint8_t)not;
		if (table_add_host(t, h, 0) == -1) {
			rv = -1;
			break;
		}
		if (*hosts == NULL)
			*hosts = h;
		else {
			(*hosts)->tail->next = h;
			(*hosts)->tail = h->tail;
		}
	}
	if (f != stdin)
		fclose(f);
	return (rv);
}

static void
print_tabledef(struct pf_parser *p, const char *name, int flags, int addrs,
    struct node_host **lists, const char **files, int n)
{
	struct node_host	*h;
	FILE			*o = p->out;
	int			 i, open = 0;

	fprintf(o, "table <%s>", name);
	if (flags & ACL_TFLAG_CONST)
		fprintf(o, " const");
	if (flags & ACL_TFLAG_PERSIST)
		fprintf(o, " persist");
	if (flags & ACL_TFLAG_COUNTERS)
		fprintf(o, " counters");
	for (i = 0; i < n; i++) {
		if (files[i]) {
			if (open)
				fprintf(o, " }");
			open = 0;
			fprintf(o, " file \"%s\"", files[i]);
			continue;
		}
		if (!open)
			fprintf(o, " {");
		open = 1;
		for (h = lists[i]; h != NULL; h = h->next) {
			fprintf(o, h->not ? " !" : " ");
			pf_print_addr(o, &h->addr, h->af, 0);
			if (h->ifname)
				fprintf(o, "@%s", h->ifname);
		}
	}
	if (open)
		fprintf(o, " }");
	if (addrs && n == 0)
		fprintf(o, " { }");
	fprintf(o, "\n");
}

/*
 * process_tabledef(): load the table's files, collect its addresses,
 * print it (-v) and keep it in the conf.  Returns -1 on error (printed).
 */
int
pf_tabledef(struct pf_parser *p, const char *name, int flags, int addrs,
    struct node_host **lists, const char **files, int n, int automatic)
{
	struct acl_table	 t, *nt;
	struct node_host	*fh;
	int			 i;

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	snprintf(t.anchor, sizeof(t.anchor), "%s", p->anchor->path);
	t.flags = flags;
	t.automatic = automatic;
	t.addrs = addrs;
	for (i = 0; i < n; i++) {
		if (files[i]) {
			fh = NULL;
			if (table_load_file(p, &t, files[i], &fh) == -1) {
				if (errno)
					pf_yyerror(p, "cannot load \"%s\": %s",
					    files[i], strerror(errno));
				else
					pf_yyerror(p, "file \"%s\" contains "
					    "bad data", files[i]);
				goto bad;
			}
			t.files = xrealloc(t.files,
			    (t.nfiles + 1) * sizeof(*t.files));
			t.files[t.nfiles++] = pf_conf_strdup(p->conf,
			    files[i]);
		} else if (table_add_host(&t, lists[i], 0) == -1) {
			pf_yyerror(p, "cannot create address buffer: %s",
			    strerror(errno));
			goto bad;
		}
	}
	if (p->out)
		print_tabledef(p, name, flags, addrs, lists, files, n);
	p->conf->tables = xrealloc(p->conf->tables,
	    (p->conf->ntables + 1) * sizeof(*p->conf->tables));
	nt = &p->conf->tables[p->conf->ntables++];
	*nt = t;
	return (0);
bad:
	for (i = 0; i < (int)t.nfiles; i++)
		free(t.files[i]);
	free(t.files);
	free(t.e);
	return (-1);
}

/* freeing ---------------------------------------------------------------- */

void
acl_conf_free(struct acl_conf *c)
{
	size_t	i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nall; i++)
		anchor_destroy(c->all[i]);
	free(c->all);
	for (i = 0; i < c->ntables; i++) {
		for (j = 0; j < c->tables[i].nfiles; j++)
			free(c->tables[i].files[j]);
		free(c->tables[i].files);
		for (j = 0; j < c->tables[i].ne; j++)
			free(c->tables[i].e[j].count);
		free(c->tables[i].e);
	}
	free(c->tables);
	for (i = 0; i < c->nskip; i++)
		free(c->skip[i]);
	free(c->skip);
	free(c->queues);
	acl_osfp_free(c->osfp);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}
