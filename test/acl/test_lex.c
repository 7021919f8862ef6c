/*
 * The pf.conf lexer: every token class, strings, comments, line
 * continuation, macros, and its error messages.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "acl/pf_impl.h"

struct lexer {
	struct pf_arena	 arena;
	struct pf_lex	 lx;
	FILE		*in;
	FILE		*err;
	char		*errbuf;
	size_t		 errlen;
};

static void
lex_open(struct lexer *l, const char *text)
{
	memset(l, 0, sizeof(*l));
	l->err = open_memstream(&l->errbuf, &l->errlen);
	pf_lex_init(&l->lx, &l->arena, l->err);
	l->in = fmemopen((void *)text, strlen(text), "r");
	cr_assert(pf_lex_pushfile(&l->lx, "-", l->in) == 0);
}

static void
lex_close(struct lexer *l)
{
	pf_lex_popall(&l->lx);
	fclose(l->in);
	fclose(l->err);
	free(l->errbuf);
	pf_arena_free(&l->arena);
}

static int
next(struct lexer *l, struct pf_tok_val *tv)
{
	return (pf_lex_next(&l->lx, tv));
}

Test(lex, keywords_sorted)
{
	size_t	i;

	for (i = 1; i < pf_nkeywords; i++)
		cr_assert(strcmp(pf_keywords[i - 1].k_name,
		    pf_keywords[i].k_name) < 0, "%s >= %s",
		    pf_keywords[i - 1].k_name, pf_keywords[i].k_name);
	for (i = 0; i < pf_nkeywords; i++)
		cr_assert_eq(pf_kw_lookup(pf_keywords[i].k_name),
		    pf_keywords[i].k_val);
	cr_assert_eq(pf_kw_lookup("notakeyword"), T_STRING);
}

Test(lex, token_classes)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "pass in 22 -5 foo \"bar baz\" 'q' != <= >= <> >< "
	    "< > = ! { } ( ) , / - 10.0.0.1 fe80::1%lo0 1024:65535\n");
	cr_assert_eq(next(&l, &tv), K_PASS);
	cr_assert_eq(next(&l, &tv), K_IN);
	cr_assert_eq(next(&l, &tv), T_NUMBER);
	cr_assert_eq(tv.n, 22);
	cr_assert_eq(next(&l, &tv), T_NUMBER);
	cr_assert_eq(tv.n, -5);
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "foo");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "bar baz");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "q");
	cr_assert_eq(next(&l, &tv), T_NE);
	cr_assert_eq(next(&l, &tv), T_LE);
	cr_assert_eq(next(&l, &tv), T_GE);
	cr_assert_eq(next(&l, &tv), T_PORTBINARY);
	cr_assert_eq(tv.i, ACL_OP_XRG);
	cr_assert_eq(next(&l, &tv), T_PORTBINARY);
	cr_assert_eq(tv.i, ACL_OP_IRG);
	cr_assert_eq(next(&l, &tv), '<');
	cr_assert_eq(next(&l, &tv), '>');
	cr_assert_eq(next(&l, &tv), '=');
	cr_assert_eq(next(&l, &tv), '!');
	cr_assert_eq(next(&l, &tv), '{');
	cr_assert_eq(next(&l, &tv), '}');
	cr_assert_eq(next(&l, &tv), '(');
	cr_assert_eq(next(&l, &tv), ')');
	cr_assert_eq(next(&l, &tv), ',');
	cr_assert_eq(next(&l, &tv), '/');
	cr_assert_eq(next(&l, &tv), '-');
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "10.0.0.1");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "fe80::1%lo0");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "1024:65535");
	cr_assert_eq(next(&l, &tv), '\n');
	cr_assert_eq(next(&l, &tv), '\n');	/* fake newline at EOF */
	cr_assert_eq(next(&l, &tv), T_EOF);
	lex_close(&l);
}

Test(lex, numbers_end_where_pf_says)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	/* "10/8" is NUMBER '/' NUMBER; "0x10" and "1.5" are strings */
	lex_open(&l, "10/8 0x10 1.5 12)");
	cr_assert_eq(next(&l, &tv), T_NUMBER);
	cr_assert_eq(next(&l, &tv), '/');
	cr_assert_eq(next(&l, &tv), T_NUMBER);
	cr_assert_eq(tv.n, 8);
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "0x10");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "1.5");
	cr_assert_eq(next(&l, &tv), T_NUMBER);
	cr_assert_eq(next(&l, &tv), ')');
	lex_close(&l);
}

Test(lex, quoted_strings_are_never_keywords)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "\"pass\" 'a\\'b' \"x\\\"y\" \"tab\\\ty\"");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "pass");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "a'b");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "x\"y");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "tab\ty");
	lex_close(&l);
}

Test(lex, newline_inside_quotes_is_dropped_and_counted)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "\"a\nb\" c");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "ab");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_eq(tv.lineno, 2);
	lex_close(&l);
}

Test(lex, comments)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "# a comment\npass # trailing\n#\n");
	cr_assert_eq(next(&l, &tv), '\n');
	cr_assert_eq(tv.lineno, 1);
	cr_assert_eq(next(&l, &tv), K_PASS);
	cr_assert_eq(tv.lineno, 2);
	cr_assert_eq(next(&l, &tv), '\n');
	cr_assert_eq(next(&l, &tv), '\n');
	cr_assert_eq(tv.lineno, 3);
	lex_close(&l);
}

Test(lex, line_continuation)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "pass \\\n  in \\\n quick\nblock\n");
	cr_assert_eq(next(&l, &tv), K_PASS);
	cr_assert_eq(next(&l, &tv), K_IN);
	cr_assert_eq(tv.lineno, 2);
	cr_assert_eq(next(&l, &tv), K_QUICK);
	cr_assert_eq(tv.lineno, 3);
	cr_assert_eq(next(&l, &tv), '\n');
	cr_assert_eq(next(&l, &tv), K_BLOCK);
	cr_assert_eq(tv.lineno, 4);
	lex_close(&l);
}

Test(lex, continuation_inside_a_comment_continues_it)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "# comment \\\npass\nblock\n");
	cr_assert_eq(next(&l, &tv), '\n');
	cr_assert_eq(next(&l, &tv), K_BLOCK);
	lex_close(&l);
}

Test(lex, macros_expand_to_several_tokens)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "pass on $ifs\n");
	pf_symset(&l.lx, "ifs", "{ em0 em1 }", 0);
	cr_assert_eq(next(&l, &tv), K_PASS);
	cr_assert_eq(next(&l, &tv), K_ON);
	cr_assert_eq(next(&l, &tv), '{');
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "em0");
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_eq(next(&l, &tv), '}');
	cr_assert_eq(next(&l, &tv), '\n');
	lex_close(&l);
}

Test(lex, macro_values_are_not_expanded_again)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "$a\n");
	pf_symset(&l.lx, "a", "$b", 0);
	pf_symset(&l.lx, "b", "never", 0);
	/* "$b" inside an expansion is the character '$', then "b" */
	cr_assert_eq(next(&l, &tv), '$');
	cr_assert_eq(next(&l, &tv), T_STRING);
	cr_assert_str_eq(tv.s, "b");
	lex_close(&l);
}

Test(lex, persistent_macros_win)
{
	struct lexer		l;

	lex_open(&l, "");
	pf_symset(&l.lx, "x", "cmdline", 1);
	pf_symset(&l.lx, "x", "file", 0);
	cr_assert_str_eq(pf_symget(&l.lx, "x"), "cmdline");
	lex_close(&l);
}

Test(lex, undefined_macro)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "pass $nope in\nblock\n");
	cr_assert_eq(next(&l, &tv), K_PASS);
	cr_assert_eq(next(&l, &tv), T_ERROR);
	cr_assert_eq(next(&l, &tv), K_BLOCK);
	fflush(l.err);
	cr_assert_str_eq(l.errbuf, "stdin:1: macro 'nope' not defined\n");
	lex_close(&l);
}

Test(lex, string_too_long)
{
	struct lexer		 l;
	struct pf_tok_val	 tv;
	char			*s = malloc(9000);

	memset(s, 'a', 8999);
	s[0] = '"';
	s[8998] = '"';
	s[8999] = '\0';
	lex_open(&l, s);
	cr_assert_eq(next(&l, &tv), T_ERROR);
	fflush(l.err);
	cr_assert_str_eq(l.errbuf, "stdin:1: string too long\n");
	lex_close(&l);
	free(s);
}

Test(lex, number_too_large)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "99999999999999999999 x\n");
	cr_assert_eq(next(&l, &tv), T_ERROR);
	fflush(l.err);
	cr_assert_str_eq(l.errbuf,
	    "stdin:1: \"99999999999999999999\" invalid number: too large\n");
	lex_close(&l);
}

Test(lex, unterminated_string)
{
	struct lexer		l;
	struct pf_tok_val	tv;

	lex_open(&l, "\"abc");
	cr_assert_eq(next(&l, &tv), T_EOF);
	fflush(l.err);
	cr_assert_str_eq(l.errbuf, "stdin:1: reached end of file while "
	    "parsing quoted string\n");
	lex_close(&l);
}
