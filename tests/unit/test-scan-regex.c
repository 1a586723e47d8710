/* SPDX-License-Identifier: ISC */
/*
 * test-scan-regex.c - in the scanner, a regex that cannot decide is a
 * failed scan (scan_buffer returns -1 with the reason), never "no
 * finding": the match limits themselves, a .sops.yaml path_regex, and a
 * sealed file's own selection rule.
 */
#include "config.h"

#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "harness.h"
#include "hooks/checks.h"
#include "hooks/scan.h"

#define EVIL "^(?:(a|aa)+c|a+b)$"
#define EVIL_KEY "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab" /* 40 a, b */

static void
test_limits(void **state)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)EVIL, PCRE2_ZERO_TERMINATED,
	    0, &ec, &eo, NULL);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	struct scan_results r;
	int m;

	(void)state;
	assert_non_null(c);
	assert_non_null(md);
	m = scan_re_match(c, EVIL_KEY, strlen(EVIL_KEY), 0, md);
	assert_true(m < 0);
	assert_int_not_equal(m, PCRE2_ERROR_NOMATCH);
	assert_true(scan_re_match(c, "aab", 3, 0, md) >= 0);
	assert_int_equal(scan_re_match(c, "data", 4, 0, md), PCRE2_ERROR_NOMATCH);
	memset(&r, 0, sizeof(r));
	assert_int_equal(scan_re_failed(&r, "x.yaml", "rule 'r'", m), -1);
	assert_non_null(strstr(r.err, "x.yaml"));
	assert_non_null(strstr(r.err, "cannot vouch"));
	pcre2_match_data_free(md);
	pcre2_code_free(c);
}

static int
scan_one(const seal_sops_config *sr, const char *path, const char *text,
    struct scan_results *r)
{
	struct scan_opts o = { 0 };
	struct scan_engine *e;
	struct scan_worker *w;
	char err[128];
	int rc;

	o.sops = sr;
	e = scan_engine_new(&o, err, sizeof(err));
	assert_non_null(e);
	w = scan_worker_new(e);
	assert_non_null(w);
	memset(r, 0, sizeof(*r));
	rc = scan_buffer(w, path, text, strlen(text), r);
	scan_worker_free(w);
	scan_engine_free(e);
	return rc;
}

static void
test_path_regex(void **state)
{
	const char *cfg = "creation_rules:\n"
			  "  - path_regex: " EVIL "\n    age: age1prodAAA\n";
	const char *file = "a: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n"
			   "sops:\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n"
			   "  age:\n  - recipient: age1otherBBB\n    enc: x\n";
	seal_sops_config *sr = NULL;
	seal_ctx *ctx = NULL;
	struct scan_results r;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	assert_int_equal(seal_sops_config_parse(ctx, cfg, strlen(cfg), "",
	    ".sops.yaml", &sr), SEAL_OK);
	/* a path the regex rejects quickly: judged (wrong recipients) */
	assert_int_equal(scan_one(sr, "x.yaml", file, &r), 0);
	scan_results_free(&r);
	/* a path it cannot decide: the scan fails, saying why */
	assert_int_equal(scan_one(sr, EVIL_KEY, file, &r), -1);
	assert_non_null(strstr(r.err, "path_regex"));
	assert_non_null(strstr(r.err, EVIL_KEY));
	scan_results_free(&r);
	seal_sops_config_free(sr);
	seal_ctx_free(ctx);
}

static void
test_own_rule(void **state)
{
	const char *file = "data:\n  " EVIL_KEY ": plain\n"
			   "sops:\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n"
			   "  lastmodified: \"2024-01-01T00:00:00Z\"\n"
			   "  encrypted_regex: " EVIL "\n"
			   "  age:\n  - recipient: age1x\n    enc: x\n";
	struct scan_results r;

	(void)state;
	assert_int_equal(scan_one(NULL, "s.yaml", file, &r), -1);
	assert_non_null(strstr(r.err, "s.yaml"));
	assert_non_null(strstr(r.err, "encrypted_regex"));
	scan_results_free(&r);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_limits),
	cmocka_unit_test(test_path_regex),
	cmocka_unit_test(test_own_rule),
};

SEAL_UNIT_MAIN(tests)
