/*
 * pf_load.c: acl_load() reads a pf.conf and the anchors it loads into an
 * acl_conf, printing what pfctl -nv prints on the way; pfctl_main() is
 * the offline pfctl(8) of sluicectl built on it.
 *
 * The order of output is pfctl's: set options, macros and tables are
 * printed while the file is parsed, the rules only once the whole file
 * parsed without error, and then each "load anchor" file is read, in the
 * order of the load rules, with its own macros.  A load rule whose file
 * name is a glob ("/etc/pf.vm/<star>.conf") loads every file that matches, in
 * name order, into the child "<basename without .conf>" of the anchor
 * ("vm/<star>"): that is a sluice extension, OpenBSD reads one literal file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl/pf_impl.h"

int	pf_parse(struct pf_parser *);

int	(*pfctl_live_hook)(int, char **);

struct loadq {
	struct pf_loadanchor	*head;
	struct pf_loadanchor	**tail;
};

static int
parse_one(const struct acl_load_args *args, struct acl_conf *conf,
    struct acl_anchor *into, const char *file, FILE *stream,
    struct loadq *q, struct pf_arena *qa, const struct acl_hostenv *env,
    char *const *defines)
{
	struct pf_parser	 p;
	struct pf_arena		 arena = { NULL };
	struct pf_sym		*s;
	struct pf_loadanchor	*la;
	int			 errors;
	char *const		*d;

	memset(&p, 0, sizeof(p));
	p.arena = &arena;
	p.conf = conf;
	p.err = args->err ? args->err : stderr;
	p.out = (args->flags & ACL_LOAD_VERBOSE) ?
	    (args->out ? args->out : stdout) : NULL;
	p.opts = PF_OPT_VERBOSE;
	if (args->flags & ACL_LOAD_VERBOSE2)
		p.opts |= PF_OPT_VERBOSE2;
	p.lint = (args->flags & ACL_LOAD_WARN) != 0;
	p.hc.arena = &arena;
	p.hc.env = env;
	p.hc.err = p.err;
	p.anchor = into;
	p.loadtail = &p.loads;
	p.blockpolicy = ACL_RF_DROP;
	pf_lex_init(&p.lx, &arena, p.err);
	p.lx.confdir = args->confdir;
	p.lx.nofiles = (args->flags & ACL_LOAD_NOFILES) != 0;

	for (d = defines; d != NULL && *d != NULL; d++) {
		const char	*eq = strrchr(*d, '=');
		char		*n;

		if (eq == NULL) {
			fprintf(p.err, "pfctl: could not parse macro "
			    "definition %s\n", *d);
			continue;
		}
		n = pf_strdup(&arena, *d);
		n[eq - *d] = '\0';
		pf_symset(&p.lx, n, eq + 1, 1);
	}
	if (pf_lex_pushfile(&p.lx, file, stream) == -1) {
		fprintf(p.err, "pfctl: cannot open the main config file!: "
		    "%s\n", strerror(errno));
		pf_arena_free(&arena);
		return (-1);
	}
	p.lx.topfile = p.lx.file;
	errors = pf_parse(&p);
	pf_lex_popall(&p.lx);
	/* as pfctl_rules(): the queues go with the main ruleset only */
	if (errors == 0 && into == conf->root)
		errors = pf_queues_check(&p);

	for (s = p.lx.syms; s != NULL; s = s->next)
		if ((args->flags & ACL_LOAD_VERBOSE2) && !s->used)
			fprintf(p.err, "warning: macro '%s' not used\n",
			    s->nam);
	/* pending load rules outlive this parse */
	for (la = p.loads; la != NULL; la = la->next) {
		struct pf_loadanchor	*n = pf_alloc(qa, sizeof(*n));

		n->anchorname = pf_strdup(qa, la->anchorname);
		n->filename = pf_strdup(qa, la->filename);
		n->line = la->line;
		n->from = pf_strdup(qa, la->from);
		*q->tail = n;
		q->tail = &n->next;
	}
	pf_arena_free(&arena);
	return (errors ? -1 : 0);
}

/* a loaded anchor's rules, as pfctl prints them after loading it */
static void
print_loaded(const struct acl_load_args *args, struct acl_anchor *a)
{
	if ((args->flags & ACL_LOAD_VERBOSE) &&
	    !(args->flags & ACL_LOAD_NORULES))
		acl_print_ruleset(args->out ? args->out : stdout, a, 0,
		    args->flags);
}

/* the conf keeps the names of the files it was read from */
const char *
pf_conf_file(struct acl_conf *c, const char *name)
{
	size_t	i;
	char	**n;

	for (i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i], name) == 0)
			return (c->files[i]);
	if ((n = realloc(c->files, (c->nfiles + 1) * sizeof(*n))) == NULL)
		abort();
	c->files = n;
	n[c->nfiles] = pf_conf_strdup(c, name);
	return (n[c->nfiles++]);
}

static int
has_glob(const char *s)
{
	return (strpbrk(s, "*?[") != NULL);
}

/*
 * One "load anchor" rule: a file, or (sluice) every file of a glob.
 */
static int
load_anchor(const struct acl_load_args *args, struct acl_conf *conf,
    struct pf_loadanchor *la, struct loadq *q, struct pf_arena *qa,
    const struct acl_hostenv *env)
{
	struct acl_anchor	*a;
	FILE			*err = args->err ? args->err : stderr;
	glob_t			 g;
	size_t			 i, n;
	char			*pat, *base, *dot, *shown, *name, *dir;
	int			 rv = 0, child;

	if (!has_glob(la->filename)) {
		if (args->flags & ACL_LOAD_VERBOSE)
			fprintf(err, "\nLoading anchor %s from %s\n",
			    la->anchorname, la->filename);
		a = pf_anchor_get(conf, conf->root, la->anchorname, 1);
		a->loaded = 1;
		a->file = pf_conf_file(conf, la->filename);
		if (parse_one(args, conf, a, la->filename, NULL, q, qa, env,
		    NULL) == -1)
			return (-1);
		print_loaded(args, a);
		return (0);
	}
	/*
	 * pfctl_load_anchors() hands the name to fopen(): on OpenBSD this
	 * line fails, and with it the whole "pfctl -f" (the old rules stay).
	 */
	if (args->flags & ACL_LOAD_WARN)
		fprintf(err, "%s:%d: warning: load anchor from a glob is a "
		    "sluice extension: OpenBSD's pfctl opens \"%s\" as one "
		    "file and refuses the whole ruleset\n", la->from, la->line,
		    la->filename);
	pat = pf_confpath(qa, args->confdir, la->filename);
	memset(&g, 0, sizeof(g));
	if (glob(pat, 0, NULL, &g) != 0) {
		globfree(&g);
		if (args->flags & ACL_LOAD_WARN)
			fprintf(err, "%s:%d: warning: no file matches %s\n",
			    la->from, la->line, la->filename);
		return (0);
	}
	n = strlen(la->anchorname);
	child = n >= 2 && strcmp(la->anchorname + n - 2, "/*") == 0;
	dir = pf_strdup(qa, la->filename);
	if ((base = strrchr(dir, '/')) != NULL)
		base[1] = '\0';
	else
		dir[0] = '\0';
	for (i = 0; i < g.gl_pathc && rv == 0; i++) {
		base = pf_strdup(qa, g.gl_pathv[i]);
		base = basename(base);
		shown = pf_printf(qa, "%s%s", dir, base);
		if ((dot = strrchr(base, '.')) != NULL &&
		    strcmp(dot, ".conf") == 0)
			*dot = '\0';
		if (child)
			name = pf_printf(qa, "%.*s/%s", (int)(n - 2),
			    la->anchorname, base);
		else
			name = la->anchorname;
		if (args->flags & ACL_LOAD_VERBOSE)
			fprintf(err, "\nLoading anchor %s from %s\n", name,
			    shown);
		a = pf_anchor_get(conf, conf->root, name, 1);
		a->loaded = 1;
		a->file = pf_conf_file(conf, shown);
		rv = parse_one(args, conf, a, shown, NULL, q, qa, env, NULL);
		if (rv == 0)
			print_loaded(args, a);
	}
	globfree(&g);
	return (rv);
}

static struct acl_conf *
conf_new(void)
{
	struct acl_conf	*c = calloc(1, sizeof(*c));

	if (c == NULL) {
		perror("acl_load");
		abort();
	}
	c->root = pf_anchor_new(c, "");
	if ((c->osfp = acl_osfp_new()) == NULL) {
		perror("acl_load");
		abort();
	}
	c->debug = -1;
	c->reassemble = -1;
	c->syncookies = -1;
	return (c);
}

int
acl_load(const struct acl_load_args *args, struct acl_conf **confp)
{
	struct acl_hostenv	 defenv;
	const struct acl_hostenv *env = args->env;
	struct acl_conf		*conf;
	struct acl_anchor	*into;
	struct pf_arena		 qa = { NULL };
	struct loadq		 q;
	struct pf_loadanchor	*la;
	FILE			*out = args->out ? args->out : stdout;
	FILE			*err = args->err ? args->err : stderr;
	int			 opts = args->flags;

	*confp = NULL;
	if (env == NULL) {
		acl_hostenv_default(&defenv);
		env = &defenv;
	}
	conf = conf_new();
	/* pfctl reads /etc/pf.os before the rules; none is no error here */
	if (!(opts & ACL_LOAD_NOFILES)) {
		const char *os = pf_confpath(&qa, args->confdir, "/etc/pf.os");

		if (acl_osfp_read(conf->osfp, os, os, err) == -1 &&
		    errno != ENOENT)
			fprintf(err, "pfctl: %s: %s\n", os, strerror(errno));
	}
	into = conf->root;
	if (args->anchor != NULL && args->anchor[0] != '\0')
		into = pf_anchor_get(conf, conf->root, args->anchor, 1);
	q.head = NULL;
	q.tail = &q.head;

	if (parse_one(args, conf, into, args->file ? args->file : "-",
	    args->stream, &q, &qa, env, args->defines) == -1)
		goto fail;
	/* pfctl_load_queues() prints them before the rules are loaded */
	if ((opts & ACL_LOAD_VERBOSE) && into == conf->root)
		acl_print_queues(out, conf);
	if ((opts & ACL_LOAD_VERBOSE) && !(opts & ACL_LOAD_NORULES))
		acl_print_ruleset(out, into, 0, opts);
	if (!(opts & (ACL_LOAD_NOANCHORS | ACL_LOAD_NOFILES)))
		for (la = q.head; la != NULL; la = la->next)
			if (load_anchor(args, conf, la, &q, &qa, env) == -1) {
				fprintf(err, "pfctl: load anchors\n");
				goto fail;
			}
	pf_arena_free(&qa);
	*confp = conf;
	return (0);
fail:
	pf_arena_free(&qa);
	acl_conf_free(conf);
	return (-1);
}

/* pfctl ------------------------------------------------------------------ */

static int
usage(void)
{
	fprintf(stderr, "usage: pfctl [-nqvW] [-a anchor] [-D macro=value] "
	    "[-f file] [-o level]\n"
	    "             [-H regress]\n");
	return (1);
}

/* read all of a stream, so that it can be parsed twice */
static char *
slurp(FILE *f, size_t *len)
{
	char	*b = NULL, *n;
	size_t	 cap = 0, l = 0, r;

	for (;;) {
		if (l + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if ((n = realloc(b, cap)) == NULL) {
				free(b);
				return (NULL);
			}
			b = n;
		}
		r = fread(b + l, 1, cap - l, f);
		l += r;
		if (r == 0)
			break;
	}
	*len = l;
	return (b);
}

static void
print_anchor_view(FILE *out, const struct acl_anchor *a, int wildcard,
    int flags)
{
	size_t	i, j;

	if (!wildcard) {
		acl_print_ruleset(out, a, 0, flags);
		return;
	}
	for (i = 0; i < a->nchild; i++) {
		const struct acl_anchor	*c = a->child[i];

		if (c->name[0] == '_')
			continue;
		fprintf(out, "anchor \"%s\" all {\n", c->name);
		for (j = 0; j < c->rs.nrules; j++) {
			const struct acl_rule	*r = &c->rs.rules[j];

			fprintf(out, "  ");
			acl_print_rule(out, r, flags);
			if (r->anchor && r->anchor_inline)
				acl_print_ruleset(out, r->anchor, 2, flags);
			else
				fprintf(out, "\n");
		}
		fprintf(out, "}\n");
	}
}

int
pfctl_main(int argc, char **argv)
{
	struct acl_load_args	 a;
	struct acl_hostenv	 env;
	struct acl_conf		*conf = NULL;
	char			*anchor = NULL, *file = NULL, *buf = NULL;
	char			*confdir = NULL, *d;
	char			**defines;
	int			 ch, verbose = 0, noaction = 0, lint = 0;
	int			 regress = 0, ndef = 0, rv, wildcard = 0;
	size_t			 len;
	FILE			*in = NULL;

	defines = calloc((size_t)argc + 1, sizeof(*defines));
	if (defines == NULL)
		return (1);
	optind = 0;
	opterr = 1;
	while ((ch = getopt(argc, argv,
	    "+a:C:dD:eqf:F:gH:hi:k:K:L:Nno:Pp:R:rS:s:t:T:vV:Wx:z")) != -1) {
		switch (ch) {
		case 'a':
			anchor = optarg;
			break;
		case 'C':
			confdir = optarg;
			break;
		case 'D':
			defines[ndef++] = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'g':
			verbose = 2;
			break;
		case 'H':
			if (strcmp(optarg, "regress") != 0) {
				free(defines);
				return (usage());
			}
			regress = 1;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'o':
			if (strcmp(optarg, "none") && strcmp(optarg, "basic") &&
			    strcmp(optarg, "profile")) {
				fprintf(stderr, "pfctl: Unknown optimization "
				    "'%s'\n", optarg);
				free(defines);
				return (usage());
			}
			break;
		case 'v':
			verbose++;
			break;
		case 'W':
			lint = 1;
			break;
		case 'h':
		case '?':
			free(defines);
			return (usage());
		default:
			break;	/* live-only options: ignored with -n */
		}
	}
	if (!noaction) {
		free(defines);
		if (pfctl_live_hook != NULL)
			return (pfctl_live_hook(argc, argv));
		fprintf(stderr, "pfctl: only -n works without a running "
		    "sluiced yet\n");
		return (1);
	}
	if (optind != argc) {
		fprintf(stderr, "pfctl: unknown command line argument: %s "
		    "...\n", argv[optind]);
		free(defines);
		return (usage());
	}
	if (file == NULL) {
		free(defines);
		return (0);
	}
	if (regress)
		acl_hostenv_regress(&env);
	else
		acl_hostenv_default(&env);

	memset(&a, 0, sizeof(a));
	a.file = file;
	a.env = &env;
	a.defines = defines;
	a.out = stdout;
	a.err = stderr;
	if (verbose >= 1)
		a.flags |= ACL_LOAD_VERBOSE;
	if (verbose >= 2)
		a.flags |= ACL_LOAD_VERBOSE2;
	if (lint)
		a.flags |= ACL_LOAD_WARN;
	/* offline, /etc/X means X next to the file given */
	if (confdir == NULL && strcmp(file, "-") != 0) {
		d = strdup(file);
		if (d != NULL) {
			confdir = strdup(dirname(d));
			free(d);
		}
	} else if (confdir != NULL)
		confdir = strdup(confdir);
	a.confdir = confdir;

	if (anchor != NULL) {
		size_t	l = strlen(anchor);

		if (anchor[0] == '\0') {
			fprintf(stderr, "pfctl: anchor name must not be "
			    "empty\n");
			rv = 1;
			goto done;
		}
		if (l >= 2 && strcmp(anchor + l - 2, "/*") == 0) {
			anchor[l - 2] = '\0';
			wildcard = 1;
		} else if (anchor[l - 1] == '*')
			anchor[l - 1] = '\0';
		if (strcmp(file, "-") == 0) {
			if ((buf = slurp(stdin, &len)) == NULL ||
			    (in = fmemopen(buf, len ? len : 1, "r")) == NULL) {
				perror("pfctl");
				rv = 1;
				goto done;
			}
			if (len == 0)
				buf[0] = '\0';
		}
		/*
		 * sluice: an anchor the file itself defines (inline or
		 * with "load anchor") is printed from the whole rule set;
		 * otherwise the file is loaded into the anchor, as pfctl
		 * -a does.
		 */
		{
			struct acl_load_args	 q = a;
			const struct acl_anchor	*an;
			FILE			*sink;

			q.flags &= ~(ACL_LOAD_VERBOSE | ACL_LOAD_VERBOSE2 |
			    ACL_LOAD_WARN);
			q.stream = in;
			if ((sink = fopen("/dev/null", "w")) == NULL)
				sink = stderr;
			q.err = sink;
			rv = acl_load(&q, &conf);
			if (sink != stderr)
				fclose(sink);
			if (rv == 0 && (an = acl_anchor_find(conf, anchor)) &&
			    an != conf->root &&
			    (an->rs.nrules || an->nchild)) {
				acl_conf_free(conf);
				conf = NULL;
				if (in)
					rewind(in);
				q = a;
				q.stream = in;
				q.flags &= ~ACL_LOAD_VERBOSE;
				rv = acl_load(&q, &conf);
				if (rv == 0 &&
				    (an = acl_anchor_find(conf, anchor)))
					print_anchor_view(stdout, an, wildcard,
					    a.flags);
				rv = rv == 0 ? 0 : 1;
				goto done;
			}
			acl_conf_free(conf);
			conf = NULL;
			if (in)
				rewind(in);
		}
		a.anchor = anchor;
		a.stream = in;
	}
	rv = acl_load(&a, &conf) == 0 ? 0 : 1;
done:
	acl_conf_free(conf);
	if (in)
		fclose(in);
	free(buf);
	free(confdir);
	free(defines);
	fflush(stdout);
	return (rv);
}
