/* SPDX-License-Identifier: ISC */
/*
 * test-sops-regex.c - regexes that decide what is encrypted fail closed:
 * a match that hits PCRE2's limits is an error (never "no match") in the
 * rule, the walk, the lint and .sops.yaml's path_regex; and a regex that
 * sops (Go's RE2 syntax) could not read back is refused before it is
 * written (seal_sops_regex_check).
 */
#include "config.h"

#include <string.h>

#include "harness.h"
#include "seal.h"
#include "sops/sops.h"

/* exponential backtracking on "aaaa...b": matches, but only after ~2^n
 * steps (the issue's reproducer) */
#define EVIL "^(?:(a|aa)+c|a+b)$"
#define EVIL_KEY "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab" /* 40 a, b */

static seal_ctx *ctx;

static int
setup(void **state)
{
	(void)state;
	return seal_ctx_new(&ctx) == SEAL_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	seal_ctx_free(ctx);
	return 0;
}

/* Valid RE2 that PCRE2 reads the same way: accepted. */
static const char *const good[] = {
	"^(data|stringData)$",
	"^(?:data|stringData)$",
	"password",
	"_unencrypted$",
	"(?i)^pass",
	"(?i:pass)word",
	"(?-i)a",
	"(?i-m:x)",
	"(?s).",
	"(?U)a+",
	"(?P<k>data)",
	"a{2}",
	"a{2,}",
	"a{2,5}?",
	"a*?",
	"a+?b??",
	"[[:alpha:]]+",
	"[[:^digit:]]",
	"[^]a-z]",
	"[]a]",
	"[a-]",
	"[-a]",
	"[\\d\\-]",
	"[\\x00-\\x7F]",
	"\\pL",
	"\\p{Greek}",
	"\\PN",
	"\\p{^Greek}",
	"\\x41",
	"\\x{263a}",
	"\\Qa.b*\\E+",
	"\\bword\\b",
	"\\Aabc\\z",
	"a|b|",
	"()",
	"\\.\\*\\[\\]\\{\\}\\(\\)\\|\\^\\$\\\\",
	"\\t\\n\\r\\f\\a",
	"\\0",
	"\\012",
	"\xe6\x97\xa5\xe6\x9c\xac", /* two CJK characters */
	"^metadata$",
	"(a*)*",
	"a}",
	"x]",
	"",
	"^(apiVersion|kind)$|^meta",
	"[a-zA-Z0-9_.-]+",
};

/* Outside RE2 (or read differently by RE2 and PCRE2): refused. */
static const char *const bad[] = {
	"(?=x)",	  /* lookahead */
	"a(?!x)",	  /* negative lookahead */
	"(?<=x)a",	  /* lookbehind */
	"(?<!x)a",	  /* negative lookbehind */
	"(a)\\1",	  /* backreference */
	"(?P<n>a)(?P=n)", /* named backreference */
	"(?<n>a)\\k<n>",
	"(a)\\g1",
	"(a)\\k{n}",
	"(?>a+)",	  /* atomic group */
	"a*+",		  /* possessive */
	"a++",
	"a?+",
	"a{2}+",
	"(?R)",		  /* recursion */
	"(a)(?1)",
	"(?&n)",
	"(?P>n)",
	"(?(1)a|b)",	  /* conditional */
	"(?#comment)a",	  /* comment group */
	"(?|a|b)",	  /* branch reset */
	"(*UTF)a",	  /* PCRE2 verb */
	"a(*SKIP)b",
	"(?C1)a",	  /* callout */
	"\\C",		  /* one code unit */
	"a\\K",
	"\\Ga",
	"a\\Z",
	"\\v",		  /* VT in RE2, vertical space in PCRE2 */
	"\\h",
	"\\R",
	"\\X",
	"\\e",
	"\\cA",
	"\\o{12}",
	"\\N",
	"\\u0041",
	"\\8",
	"a**",		  /* nested repetition */
	"a*??",
	"*a",		  /* nothing to repeat */
	"(*a)",
	"|+",
	"^*",
	"\\b+",
	"(?x)a b",	  /* flags RE2 lacks */
	"(?n)a",
	"(?J)a",
	"(?)",
	"(?i-)",
	"(?-)",
	"a{1001}",	  /* over RE2's limit */
	"a{3,2}",
	"a{,3}",	  /* PCRE2 10.43 reads it as a repeat, RE2 as text */
	"a{",
	"[[.a.]]",
	"[[=a=]]",
	"[[:nope:]]",
	"[a[]",
	"[\\d-z]",	  /* range from a class */
	"[a-\\d]",
	"[[:alpha:]-z]",
	"[\\b]",	  /* backspace in PCRE2, an error in RE2 */
	"\\",		  /* trailing backslash */
	"(a",
	"a)",
	"[a",
	"\\xZ1",
	"\\x{}",
	"\\p{}",
	"\\p1",
	"\\Q\\E[",
	"\xff",		  /* not UTF-8 */
	"\xc0\xaf",	  /* overlong */
	"\\\xc3\xa9",	  /* backslash before non-ASCII */
	"(?<name>a)",	  /* RE2 before Go 1.22 knows only (?P<name>) */
	"(?P<1a>x)",
};

static void
test_re2_accepts(void **state)
{
	size_t i, off;
	const char *why;

	(void)state;
	for (i = 0; i < SEAL__ARRAY_LEN(good); i++) {
		if (!seal__re2_check(good[i], &off, &why))
			fail_msg("refused '%s' at %zu: %s", good[i], off, why);
		if (seal_sops_regex_check(ctx, "encrypted_regex", good[i]) !=
		    SEAL_OK)
			fail_msg("'%s': %s", good[i], seal_ctx_errmsg(ctx));
	}
}

static void
test_re2_refuses(void **state)
{
	size_t i, off;
	const char *why;

	(void)state;
	for (i = 0; i < SEAL__ARRAY_LEN(bad); i++) {
		why = NULL;
		if (seal__re2_check(bad[i], &off, &why))
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(why);
		assert_true(off <= strlen(bad[i]));
		assert_int_equal(
		    seal_sops_regex_check(ctx, "encrypted_regex", bad[i]),
		    SEAL_EINVAL);
		assert_non_null(strstr(seal_ctx_errmsg(ctx), "encrypted_regex"));
	}
}

/* The parameters a file is sealed with take only RE2 regexes. */
static void
test_params_refuse(void **state)
{
	seal_sops_params *p;

	(void)state;
	assert_int_equal(seal_sops_params_new(ctx, &p), SEAL_OK);
	assert_int_equal(seal_sops_params_set_rule(
	                     ctx, p, "encrypted_regex", "^(?=data)"),
	    SEAL_EINVAL);
	assert_int_equal(seal_sops_params_set_rule(
	                     ctx, p, "unencrypted_comment_regex", "(a)\\1"),
	    SEAL_EINVAL);
	/* suffixes are not regexes: any text is fine */
	assert_int_equal(seal_sops_params_set_rule(
	                     ctx, p, "unencrypted_suffix", "(?=x"),
	    SEAL_OK);
	seal_sops_params_free(p);
	assert_int_equal(seal_sops_params_new(ctx, &p), SEAL_OK);
	assert_int_equal(seal_sops_params_set_rule(ctx, p, "encrypted_regex",
	                     "^(data|stringData)$"),
	    SEAL_OK);
	seal_sops_params_free(p);
}

static void
test_rule_limit(void **state)
{
	struct seal__rule r;
	struct seal__rule_state st;

	(void)state;
	assert_int_equal(
	    seal__rule_init(ctx, &r, SEAL_RULE_ENCRYPTED_REGEX, EVIL), SEAL_OK);
	/* the regex matches this key, but only after ~2^40 steps */
	assert_int_equal(seal__rule_match(&r, EVIL_KEY, strlen(EVIL_KEY)), -1);
	assert_int_equal(seal__rule_match(&r, "aab", 3), 1);
	assert_int_equal(seal__rule_match(&r, "data", 4), 0);
	seal__rule_state_root(&st);
	assert_int_equal(
	    seal__rule_state_key(&r, &st, EVIL_KEY, strlen(EVIL_KEY)), -1);
	assert_false(st.matched);
	seal__rule_free(&r);

	/* the same for a comment rule */
	assert_int_equal(seal__rule_init(ctx, &r,
	                     SEAL_RULE_ENCRYPTED_COMMENT_REGEX, EVIL),
	    SEAL_OK);
	seal__rule_state_root(&st);
	assert_int_equal(
	    seal__rule_state_comment(&r, &st, EVIL_KEY, strlen(EVIL_KEY)), -1);
	seal__rule_free(&r);
}

/* $ is RE2's: the very end, not "before a final newline" */
static void
test_dollar_endonly(void **state)
{
	struct seal__rule r;

	(void)state;
	assert_int_equal(seal__rule_init(ctx, &r, SEAL_RULE_ENCRYPTED_REGEX,
	                     "^data$"),
	    SEAL_OK);
	assert_int_equal(seal__rule_match(&r, "data", 4), 1);
	assert_int_equal(seal__rule_match(&r, "data\n", 5), 0);
	seal__rule_free(&r);
}

static struct seal__tree *
json(const char *s)
{
	struct seal__tree *t = NULL;

	assert_int_equal(seal__json_parse(ctx, s, strlen(s), NULL, &t), SEAL_OK);
	return t;
}

static void
walk_refuses(enum seal__rule_kind kind, const char *doc)
{
	struct seal__tree *t = json(doc);
	struct seal__rule r;
	struct seal__walk_opts o = { 0 };
	struct seal__sops_key k;
	char mac[129];

	memset(k.k, 7, sizeof(k.k));
	assert_int_equal(seal__rule_init(ctx, &r, kind, EVIL), SEAL_OK);
	o.rule = &r;
	o.file = "s.json";
	assert_int_equal(
	    seal__sops_encrypt_tree(ctx, t, &k, &o, mac), SEAL_EREGEX);
	assert_non_null(strstr(seal_ctx_errmsg(ctx), "s.json"));
	assert_non_null(strstr(seal_ctx_errmsg(ctx), seal__rule_name(kind)));
	seal__rule_free(&r);
	sodium_memzero(&k, sizeof(k));
	seal__tree_free(t);
}

static void
test_walk_refuses(void **state)
{
	(void)state;
	walk_refuses(SEAL_RULE_ENCRYPTED_REGEX,
	    "{\"data\": {\"" EVIL_KEY "\": \"c2VjcmV0\"}}");
	walk_refuses(SEAL_RULE_UNENCRYPTED_REGEX,
	    "{\"data\": {\"" EVIL_KEY "\": \"c2VjcmV0\"}}");
	assert_non_null(strstr(seal_ctx_errmsg(ctx), EVIL_KEY));
}

static void
test_lint_refuses(void **state)
{
	static const char doc[] =
	    "{\"data\": {\"" EVIL_KEY "\": \"plain\"},\n"
	    "\"sops\": {\"age\": [{\"recipient\": \"age1x\", \"enc\": \"x\"}],"
	    "\"lastmodified\": \"2024-01-01T00:00:00Z\", \"mac\": \"\","
	    "\"encrypted_regex\": \"" EVIL "\", \"version\": \"3.9.0\"}}";
	struct seal__tree *t = json(doc);
	struct seal__lint *l = NULL;

	(void)state;
	assert_int_equal(seal__sops_lint(ctx, t, SEAL_FMT_JSON, "s.json", &l),
	    SEAL_EREGEX);
	assert_null(l);
	assert_non_null(strstr(seal_ctx_errmsg(ctx), EVIL_KEY));
	seal__tree_free(t);
}

static void
test_path_regex(void **state)
{
	static const char cfg[] =
	    "creation_rules:\n"
	    "  - path_regex: " EVIL "\n"
	    "    age: age1first\n"
	    "  - path_regex: .*\n"
	    "    age: age1second\n";
	struct seal__sops_config *c = NULL;
	const struct seal__creation_rule *r = (void *)1;

	(void)state;
	assert_int_equal(seal__sops_config_parse(ctx, cfg, sizeof(cfg) - 1,
	                     "/repo", ".sops.yaml", &c),
	    SEAL_OK);
	/* the first rule cannot decide: not a fall-through to the second */
	assert_int_equal(
	    seal__sops_config_match(ctx, c, "/repo/" EVIL_KEY, &r),
	    SEAL_EREGEX);
	assert_null(r);
	assert_non_null(strstr(seal_ctx_errmsg(ctx), "path_regex"));
	assert_int_equal(
	    seal__sops_config_match(ctx, c, "/repo/aab", &r), SEAL_OK);
	assert_non_null(r);
	assert_string_equal(r->age[0], "age1first");
	assert_int_equal(
	    seal__sops_config_match(ctx, c, "/repo/x.yaml", &r), SEAL_OK);
	assert_string_equal(r->age[0], "age1second");
	seal__sops_config_free(c);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_re2_accepts, setup, teardown),
	cmocka_unit_test_setup_teardown(test_re2_refuses, setup, teardown),
	cmocka_unit_test_setup_teardown(test_params_refuse, setup, teardown),
	cmocka_unit_test_setup_teardown(test_rule_limit, setup, teardown),
	cmocka_unit_test_setup_teardown(test_dollar_endonly, setup, teardown),
	cmocka_unit_test_setup_teardown(test_walk_refuses, setup, teardown),
	cmocka_unit_test_setup_teardown(test_lint_refuses, setup, teardown),
	cmocka_unit_test_setup_teardown(test_path_regex, setup, teardown),
};

SEAL_UNIT_MAIN(tests)
