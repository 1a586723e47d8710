/* SPDX-License-Identifier: ISC */
/*
 * test-sops-lint.c - the structural lint the scanner relies on: fully
 * sealed, half sealed, malformed ENC values, missing MAC/lastmodified,
 * the file's own selection rule, the recipients list.
 */
#include "config.h"

#include <string.h>

#include "harness.h"
#include "sops/sops.h"

static char enc_a[512], enc_b[512], enc_mac[1024];

static void
make_enc(char *out, const char *pt, const char *aad)
{
	unsigned char key[32] = {1}, iv[32] = {2};
	size_t n;

	assert_int_equal(seal__enc_encrypt(NULL, key, iv, pt, strlen(pt), aad,
	                     strlen(aad), SEAL_T_STR, false, out, &n),
	    SEAL_OK);
	assert_int_equal(n, strlen(out));
}

static void
setup_encs(void)
{
	make_enc(enc_a, "hunter2", "data:password:");
	make_enc(enc_b, "admin", "data:user:");
	make_enc(enc_mac, "0123", "2024-11-12T13:33:42Z");
}

static struct seal__lint *
lint_json(const char *text)
{
	struct seal__tree *t = NULL;
	struct seal__lint *l = NULL;
	seal_ctx *ctx = NULL;

	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	assert_int_equal(
	    seal__json_parse(ctx, text, strlen(text), NULL, &t), SEAL_OK);
	assert_int_equal(
	    seal__sops_lint(ctx, t, SEAL_FMT_JSON, "f.json", &l), SEAL_OK);
	seal__tree_free(t);
	seal_ctx_free(ctx);
	return l;
}

static char *
doc(const char *data, const char *mac, const char *extra)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
	    "{\n\"kind\": \"Secret\",\n\"data\": {%s},\n\"sops\": {\n"
	    "\"age\": [{\"recipient\": \"age1abc\", \"enc\": \"x\"}],\n"
	    "%s\"mac\": \"%s\",\n\"encrypted_regex\": \"^(data|stringData)$\","
	    "\n\"version\": \"3.10.2\"}}\n",
	    data, extra, mac);
	return buf;
}

static void
test_whole(void **state)
{
	char data[2048];
	struct seal__lint *l;

	(void)state;
	setup_encs();
	snprintf(data, sizeof(data),
	    "\"password\": \"%s\", \"user\": \"%s\","
	    " \"empty\": \"\", \"nothing\": null",
	    enc_a, enc_b);
	l = lint_json(doc(
	    data, enc_mac, "\"lastmodified\": \"2024-11-12T13:33:42Z\",\n"));
	assert_true(l->sealed);
	assert_true(l->whole);
	assert_int_equal(l->nproblems, 0);
	assert_int_equal(l->ndocs, 1);
	assert_int_equal(l->docs[0].nenc, 2);
	assert_true(l->docs[0].mac_enc);
	assert_true(l->docs[0].lastmodified);
	assert_int_equal(l->nrecipients, 1);
	assert_string_equal(l->recipients[0], "age1abc");
	assert_int_equal(l->rule, SEAL_RULE_ENCRYPTED_REGEX);
	assert_string_equal(l->rule_arg, "^(data|stringData)$");
	seal__lint_free(l);
}

static void
test_half_sealed(void **state)
{
	char data[2048];
	struct seal__lint *l;

	(void)state;
	setup_encs();
	snprintf(data, sizeof(data),
	    "\"password\": \"%s\",\n"
	    "\"user\": \"admin\", \"port\": 5432",
	    enc_a);
	l = lint_json(doc(
	    data, enc_mac, "\"lastmodified\": \"2024-11-12T13:33:42Z\",\n"));
	assert_true(l->sealed);
	assert_false(l->whole);
	assert_int_equal(l->nproblems, 2);
	assert_int_equal(l->problems[0].code, SEAL_LINT_PLAINTEXT);
	assert_string_equal(l->problems[0].path, "data.user");
	assert_int_equal(l->problems[0].line, 4);
	assert_string_equal(l->problems[1].path, "data.port");
	assert_int_equal(l->docs[0].nplain, 2);
	/* kind is outside the rule: not a problem */
	seal__lint_free(l);
}

static void
test_bad_enc_and_meta(void **state)
{
	char data[2048];
	struct seal__lint *l;

	(void)state;
	setup_encs();
	snprintf(data, sizeof(data), "\"password\": \"%.60s]\"", enc_a);
	l = lint_json(doc(data, "", ""));
	assert_true(l->sealed);
	assert_false(l->whole);
	assert_int_equal(l->nproblems, 3);
	assert_int_equal(l->problems[0].code, SEAL_LINT_NO_MAC);
	assert_int_equal(l->problems[1].code, SEAL_LINT_NO_LASTMODIFIED);
	assert_int_equal(l->problems[2].code, SEAL_LINT_BAD_ENC);
	assert_string_equal(l->problems[2].path, "data.password");
	/* the message never carries the value */
	assert_null(strstr(l->problems[2].text, enc_a + 20));
	seal__lint_free(l);

	l = lint_json(doc("", "not-enc", "\"lastmodified\": \"yesterday\",\n"));
	assert_int_equal(l->problems[0].code, SEAL_LINT_MAC_NOT_ENC);
	assert_int_equal(l->problems[1].code, SEAL_LINT_NO_LASTMODIFIED);
	seal__lint_free(l);
}

static void
test_not_sealed(void **state)
{
	struct seal__lint *l;

	(void)state;
	l = lint_json("{\"kind\": \"Secret\", \"data\": {\"a\": \"b\"}}");
	assert_false(l->sealed);
	assert_false(l->whole);
	/* a clear Secret: its values are named, nothing else */
	assert_int_equal(l->nproblems, 1);
	assert_int_equal(l->problems[0].code, SEAL_LINT_CLEAR_SECRET);
	assert_string_equal(l->problems[0].path, "data.a");
	assert_true(l->docs[0].k8s_secret);
	assert_false(l->docs[0].k8s_namespace);
	seal__lint_free(l);

	l = lint_json("{\"kind\": \"ConfigMap\", \"data\": {\"a\": \"b\"}}");
	assert_false(l->sealed);
	assert_int_equal(l->nproblems, 0);
	assert_false(l->docs[0].k8s_secret);
	seal__lint_free(l);
}

/* The public report: what seal status and the hook read. */
static seal_sops_report *
report(const char *name, const char *text)
{
	seal_ctx *ctx = NULL;
	seal_sops_report *r = NULL;

	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	assert_int_equal(
	    seal_sops_lint(ctx, text, strlen(text), 0, name, &r), SEAL_OK);
	assert_non_null(r);
	seal_ctx_free(ctx);
	return r;
}

static void
test_report(void **state)
{
	char text[4096];
	seal_sops_report *r;
	const char *arg;

	(void)state;
	setup_encs();
	/* clear Secret: templates, empty and null values are not secrets */
	r = report("s.yaml", "kind: Secret\nmetadata:\n  namespace: prod\n"
			     "stringData:\n  a: \"{{ .Values.a }}\"\n"
			     "  b: ${B}\n  c: \"\"\n  d: ~\n  e: real\n");
	assert_int_equal(seal_sops_report_flags(r), SEAL_SOPS_FILE_PARSED);
	assert_int_equal(seal_sops_report_doc_flags(r, 0),
	    SEAL_SOPS_DOC_SECRET | SEAL_SOPS_DOC_NAMESPACE |
		SEAL_SOPS_DOC_CLEAR);
	assert_int_equal(seal_sops_report_problem_count(r), 1);
	assert_string_equal(seal_sops_report_problem_path(r, 0), "stringData.e");
	assert_int_equal(seal_sops_report_problem_line(r, 0), 9);
	assert_int_equal(seal_sops_report_problem_code(r, 0),
	    SEAL_SOPS_LINT_CLEAR_SECRET);
	assert_string_equal(seal_sops_lint_code_name(SEAL_SOPS_LINT_CLEAR_SECRET),
	    "clear-secret-value");
	seal_sops_report_free(r);

	/* sealed Secret, no namespace, mac_only_encrypted, a recipient */
	snprintf(text, sizeof(text),
	    "kind: Secret\ndata:\n  password: %s\nsops:\n"
	    "  age:\n  - recipient: age1abc\n    enc: x\n"
	    "  lastmodified: \"2024-11-12T13:33:42Z\"\n  mac: %s\n"
	    "  encrypted_regex: ^(data|stringData)$\n"
	    "  mac_only_encrypted: true\n  version: 3.10.2\n",
	    enc_a, enc_mac);
	r = report("s.yaml", text);
	assert_int_equal(seal_sops_report_flags(r),
	    SEAL_SOPS_FILE_PARSED | SEAL_SOPS_FILE_SEALED |
		SEAL_SOPS_FILE_WHOLE);
	assert_int_equal(seal_sops_report_doc_flags(r, 0),
	    SEAL_SOPS_DOC_SEALED | SEAL_SOPS_DOC_MAC | SEAL_SOPS_DOC_SECRET |
		SEAL_SOPS_DOC_MAC_ONLY);
	assert_int_equal(seal_sops_report_recipient_count(r, 0), 1);
	assert_string_equal(seal_sops_report_recipient(r, 0, 0), "age1abc");
	assert_null(seal_sops_report_recipient(r, 0, 1));
	assert_string_equal(seal_sops_report_rule(r, 0, &arg), "encrypted_regex");
	assert_string_equal(arg, "^(data|stringData)$");
	assert_int_equal(seal_sops_report_doc_encrypted(r, 0), 1);
	assert_int_equal(seal_sops_report_doc_flags(r, 1), 0);
	seal_sops_report_free(r);

	/* does not parse: said so, and suspect when it names a Secret */
	r = report("t.yaml", "kind: Secret\ndata:\n  pw: {{ .Values.pw }}\n");
	assert_int_equal(seal_sops_report_flags(r), SEAL_SOPS_FILE_SUSPECT);
	assert_non_null(seal_sops_report_error(r));
	assert_int_equal(seal_sops_report_doc_count(r), 0);
	seal_sops_report_free(r);
	r = report("t.yaml", "a: [\n");
	assert_int_equal(seal_sops_report_flags(r), 0);
	assert_non_null(seal_sops_report_error(r));
	seal_sops_report_free(r);
	r = report("t.json", "{\"kind\": \"Secret\", \"data\": {\"a\": }}");
	assert_int_equal(seal_sops_report_flags(r), SEAL_SOPS_FILE_SUSPECT);
	seal_sops_report_free(r);
}

static void
test_default_rule(void **state)
{
	struct seal__lint *l;
	char text[4096];

	(void)state;
	setup_encs();
	/* no rule stored: unencrypted_suffix _unencrypted */
	snprintf(text, sizeof(text),
	    "{\"a\": \"%s\", \"b_unencrypted\": "
	    "\"clear\", \"c\": {\"d\": true}, \"sops\": {\"age\": "
	    "[{\"recipient\": \"age1x\", \"enc\": \"e\"}], \"lastmodified\": "
	    "\"2024-11-12T13:33:42Z\", \"mac\": \"%s\"}}",
	    enc_a, enc_mac);
	l = lint_json(text);
	assert_int_equal(l->nproblems, 1);
	assert_string_equal(l->problems[0].path, "c.d");
	assert_int_equal(l->rule, SEAL_RULE_NONE);
	seal__lint_free(l);
}

static void
test_enc_parse(void **state)
{
	struct seal__enc e;
	char bad[600];

	(void)state;
	setup_encs();
	assert_int_equal(
	    seal__enc_parse(NULL, enc_a, strlen(enc_a), "'x'", &e), SEAL_OK);
	assert_int_equal(e.data_len, 7);
	assert_int_equal(e.iv_len, 32);
	assert_int_equal(e.type, SEAL_T_STR);
	/* unknown type */
	snprintf(bad, sizeof(bad), "%.*sfoo]", (int)(strlen(enc_a) - 4), enc_a);
	assert_int_equal(
	    seal__enc_parse(NULL, bad, strlen(bad), "'x'", &e), SEAL_EFORMAT);
	/* base64 without padding */
	assert_int_equal(
	    seal__enc_parse(NULL,
	        "ENC[AES256_GCM,data:QQ,iv:QUFB,tag:QUFBQUFBQUFBQUFBQUFBQQ==,"
	        "type:str]",
	        63, "'x'", &e),
	    SEAL_EFORMAT);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_whole),
    cmocka_unit_test(test_half_sealed),
    cmocka_unit_test(test_bad_enc_and_meta),
    cmocka_unit_test(test_not_sealed),
    cmocka_unit_test(test_report),
    cmocka_unit_test(test_default_rule),
    cmocka_unit_test(test_enc_parse),
};

SEAL_UNIT_MAIN(tests)
