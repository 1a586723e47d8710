/* SPDX-License-Identifier: ISC */
/*
 * test-scan.c - the scanner's pieces without git: redaction, entropy and
 * placeholders, each credential rule (a true and a look-alike case), the
 * forgiving YAML reader, Kubernetes/kustomize/SOPS structure checks,
 * .sealignore, baselines, .sops.yaml recipients and fingerprints.
 */
#include "config.h"

#include <string.h>

#include "harness.h"
#include "hooks/report.h"
#include "hooks/scan.h"
#include "hooks/values.h"
#include "hooks/yamlish.h"

static struct scan_engine *eng;
static struct scan_worker *wrk;

static int
setup(void **state)
{
	char err[256];

	(void)state;
	eng = scan_engine_new(NULL, err, sizeof(err));
	wrk = eng ? scan_worker_new(eng) : NULL;
	return wrk ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	scan_worker_free(wrk);
	scan_engine_free(eng);
	return 0;
}

/* Scan text as path; return the number of findings, rules into r. */
static size_t
scan(const char *path, const char *text, struct scan_results *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(scan_buffer(wrk, path, text, strlen(text), r), 0);
	scan_dedupe(r);
	return r->n;
}

static bool
has_rule(const struct scan_results *r, const char *rule, unsigned line)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].rule, rule) == 0 &&
		    (line == 0 || r->v[i].line == line))
			return true;
	return false;
}

static void
expect(const char *path, const char *text, const char *rule, unsigned line)
{
	struct scan_results r;

	scan(path, text, &r);
	if (!has_rule(&r, rule, line))
		fail_msg("%s: no %s finding at line %u (%zu findings)", path,
		    rule, line, r.n);
	scan_results_free(&r);
}

static void
clean(const char *path, const char *text)
{
	struct scan_results r;

	if (scan(path, text, &r) != 0)
		fail_msg("%s: unexpected %s at line %u", path, r.v[0].rule,
		    r.v[0].line);
	scan_results_free(&r);
}

static void
test_redact(void **state)
{
	char out[80];
	const char *t = "key: abcdefghijklmnop";

	(void)state;
	scan_redact(out, sizeof(out), t, strlen(t), 5, 16);
	assert_string_equal(out, "key: abcd********");
	scan_redact(out, sizeof(out), "k=abc", 5, 2, 3);
	assert_string_equal(out, "k=***");
	scan_redact(out, sizeof(out), "a\tb\x01", 4, 4, 0);
	assert_string_equal(out, "a?b?");
}

static void
test_entropy_placeholders(void **state)
{
	(void)state;
	assert_true(scan_entropy("aaaaaaaa", 8) < 0.01);
	assert_true(scan_entropy("q7Lw2Vb9XnT4sKd8", 16) > 3.5);
	assert_true(scan_is_placeholder("${DB_PASSWORD}", 14));
	assert_true(scan_is_placeholder("{{ .Values.pw }}", 16));
	assert_true(scan_is_placeholder("<set-me>", 8));
	assert_true(scan_is_placeholder("xoxb-xxxxxxxx", 13));
	assert_false(scan_is_placeholder("9oBdiLp4JCR0thPH", 16));
	assert_false(scan_is_placeholder("a<b", 3));
}

static void
test_tokens(void **state)
{
	(void)state;
	expect("a.go", "k := \"AKIALALEMEL33243OLIA\"\n", "aws-access-key", 1);
	clean("a.yaml", "key: AKIAIOSFODNN7EXAMPLE\n");
	clean("a.ini", "key = AKIAXXXXXXXXXXXXXXXX\n");
	expect("a.sh", "export AWS_SECRET_ACCESS_KEY=\"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\"\n",
	    "aws-secret-key", 1);
	expect("a.py", "x = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'\n",
	    "github-token", 1);
	expect("a.json", "{\"t\": \"xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD\"}\n",
	    "slack-token", 1);
	clean("a.json", "{\"t\": \"xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx\"}\n");
	expect("a.ts", "k = \"sk_live_aPOGjCe1BU8pW7r6mxlxKZnu\"\n", "stripe-key", 1);
	expect("a.sh", "token: s.ZC9Ecf4M5g9o34Q6RkzGsj0z\n", "vault-token", 1);
	clean("a.java", "s.makeKubeConfigController = args;\n");
	expect("a.http", "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
			 "eyJzdWIiOiJ1c2VybmFtZTpib2IifQ.HcfCW67Uda-0gz54ZWTqmtgJnZeNem0Q757eTa9EZuw\n",
	    "jwt", 2 - 1);
	expect("k", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n",
	    "age-identity", 1);
	expect("c.json", "{\"auths\":{\"r\":{\"auth\":\"ZGVwbG95ZXI6Zlo0THVvNURxYlNkYmJkMVZk\"}}}\n",
	    "docker-auth", 1);
	expect("u.txt", "db = postgres://app:Xq9vLm2Rt7@db.local/app\n",
	    "url-credentials", 1);
	clean("u.md", "see https://user:${PASSWORD}@host/ and https://x.org/a@b\n");
	expect("c.sh", "curl --user \"j.smith:dB2yF6@qL9vZm1P#4J\" https://x\n",
	    "curl-credentials", 1);
	clean("c.md", "curl -u <user:password> https://test.com/endpoint\n");
}

static void
test_private_keys(void **state)
{
	(void)state;
	expect("k.pem", "-----BEGIN PRIVATE KEY-----\n"
			"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8\n"
			"-----END PRIVATE KEY-----\n",
	    "private-key", 1);
	/* armor around prose is not a key, nor a lone header followed by
	 * code, a list of markers or a regex; a body cut off before its
	 * END line is */
	clean("k.md", "paste it:\n-----BEGIN PRIVATE KEY-----\nanything\n"
		      "-----END PRIVATE KEY-----\n");
	clean("k.c", "x\n-----BEGIN RSA PRIVATE KEY-----\ny = 1;\n");
	clean("m.py", "M = [\n  \"-----BEGIN RSA PRIVATE KEY-----\",\n"
		      "  \"-----BEGIN EC PRIVATE KEY-----\",\n]\n");
	clean("r.go", "re := `-----BEGIN [A-Z ]*PRIVATE KEY-----`\n");
	expect("cut.pem", "x\n-----BEGIN RSA PRIVATE KEY-----\n"
			  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8\n",
	    "private-key", 2);
	expect("j.json", "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n"
			 "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAC4AWkdwKYSd8"
			 "\\n-----END PRIVATE KEY-----\\n\"}\n",
	    "private-key", 1);
	clean("p.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINBF\n"
		       "-----END PGP PUBLIC KEY BLOCK-----\n");
}

static void
test_generic(void **state)
{
	(void)state;
	expect(".env", "DB_HOST=x\nDB_PASSWORD=8ae31cacf141669ddfb5da\n",
	    "generic-secret", 2);
	expect("v.yaml", "auth:\n  password: \"9oBdiLp4JCR0thPH\"\n",
	    "generic-secret", 2);
	expect("c.json", "{\"client_secret\" : \"6da89121079f83b2eb6acccf8219ea98\"}\n",
	    "generic-secret", 1);
	clean("t.env", "DB_PASSWORD=<set-me>\nAPI_KEY=your-api-key-here\n"
		       "SECRET_KEY=${SECRET_KEY}\nSENTRY_DSN=\n");
	clean("n.py", "LLM_SECRET_NAME = \"NEXUS-GPT4-API-KEY\"\n"
		      "API_KEY_ENV = LLM_SECRET_NAME\n");
	clean("c.yaml", "PASSWORD_MIN_LENGTH: \"12\"\nTOKEN_TTL_SECONDS: \"3600\"\n"
			"token_count_value: 1234567890abcdef\n");
	clean("v.yaml", "existingSecret: app-postgresql\npassword: \"\"\n");
	clean("m.py", "password = get_password(user)\n");
	{
		/* two assignments on one line: both kept by the dedupe */
		struct scan_results r;
		scan("two.env", "A_TOKEN=Xq9vLm2Rt7Zp B_SECRET=Lw2Vb9XnT4sK\n",
		    &r);
		assert_int_equal(r.n, 2);
		scan_results_free(&r);
	}
	expect("i.py", "k = 'sk_test_2e8Bq5uVlMAkKIc6vUhqXpIx'\n", "stripe-key", 1);
	clean("i.py", "k = 'sk_test_2e8Bq5uVlMAkKIc6vUhqXpIx'  # gitleaks:allow\n");
	clean("i.py", "k = 'sk_test_2e8Bq5uVlMAkKIc6vUhqXpIx'  # seal:allow\n");
	clean("i.py", "pw = 'sk_test_2e8Bq5uVlMAkKIc6vUhqXpIx'  # pragma: allowlist secret\n");
}

static void
test_yamlish(void **state)
{
	struct yl_doc y;
	char path[128];
	const char *t = "apiVersion: v1\ndata:\n\tpassword: abc # c\n"
			"\tblock: |\n\t  line1\n\t  line2\nkind: Secret\n---\n"
			"{\n  \"a\": {\n    \"b\": \"c\",\n  }\n}\n";

	(void)state;
	assert_int_equal(yl_parse(t, strlen(t), &y), 0);
	assert_int_equal(y.ndocs, 2);
	assert_true(y.n >= 6);
	yl_path(&y, &y.v[2], path, sizeof(path));
	assert_string_equal(path, "data.password");
	assert_int_equal(y.v[2].vallen, 3);
	assert_int_equal(y.v[2].line, 3);
	yl_path(&y, &y.v[3], path, sizeof(path));
	assert_string_equal(path, "data.block");
	assert_true(y.v[3].block);
	assert_int_equal(y.v[3].line, 5);
	assert_true(yl_key_is(&y.v[4], "kind"));
	assert_int_equal(y.v[4].parent, -1);
	yl_path(&y, &y.v[6], path, sizeof(path));
	assert_string_equal(path, "a.b");
	assert_int_equal(y.v[6].doc, 1);
	yl_free(&y);
}

static void
test_kube(void **state)
{
	(void)state;
	expect("s.yaml", "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n---\n"
			 "kind: Secret\ndata:\n  k: c2VjcmV0\n",
	    "k8s-secret", 8);
	expect("s.json", "{\n  \"kind\": \"Secret\",\n  \"stringData\": {\n"
			 "    \"t\": \"abc\"\n  }\n}\n",
	    "k8s-secret", 4);
	expect("s.yml", "data:\n\tpw: YWJj\nkind: secret\n", "k8s-secret", 2);
	clean("e.yaml", "kind: Secret\ndata:\n  a: \"\"\n  b: {{ .Values.b }}\n");
	expect("m.json", "{\"kind\":\"Secret\",\"data\":{\"a\":\"\",\"t\":\"c2Vj\"}}\n",
	    "k8s-secret", 1);
	expect("f.yaml", "kind: Secret\ndata: {a: \"\", t: c2Vj}\n", "k8s-secret", 2);
	clean("f.yaml", "kind: Secret\ndata: {a: \"\", b: \"{{ .Values.b }}\"}\n");
	clean("c.yaml", "kind: ConfigMap\ndata:\n  LOG_LEVEL: info\n  SECRET_NAME: db\n");
	expect("k.yaml", "secretGenerator:\n- name: db\n  literals:\n"
			 "  - username=app\n  - password=YSuDa23NRBry\n",
	    "kustomize-literal", 5);
	expect("x.yaml", "foo: ENC[AES256_GCM,data:9LiS,iv:B/Ad=,tag:iy==,type:str]\n",
	    "sops-metadata-missing", 1);
	expect("x.yaml", "foo: ENC[AES256_GCM,data:9LiS,iv:,tag:iy==,type:str]\n"
			 "sops:\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n",
	    "sops-enc-malformed", 1);
	expect("x.yaml", "foo: plain\nsops:\n  lastmodified: '2021-04-13T00:49:47Z'\n",
	    "sops-mac-missing", 0);
	/* a sealed file the real stores cannot parse (tabs): nothing can
	 * tell which values are sealed, so it is a finding, never clean */
	expect("x.yml", "a:\n\tb: plain\nsops:\n\tmac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n",
	    "sops-unparsable", 3);
	expect("x.yml", "a_unencrypted:\n\tb: plain\nc: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n"
		       "sops:\n\tmac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n",
	    "sops-unparsable", 3);
	/* the same file well formed: the lint judges it as seal status does */
	expect("x.yml", "a:\n  b: plain\nsops:\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n",
	    "sops-plaintext", 2);
}

static void
test_sops_rules(void **state)
{
	const char *cfg = "creation_rules:\n"
			  "  - path_regex: prod/.*\n    age: age1prodAAA,age1prodBBB\n"
			  "  - path_regex: staging/.*\n    pgp: 673f9e29\n";
	const char *file = "a: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n"
			   "sops:\n  mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\n"
			   "  pgp:\n  - fp: 673F9E29\n";
	char err[128];
	seal_ctx *ctx = NULL;
	seal_sops_config *sc = NULL;
	struct scan_engine *e;
	struct scan_worker *w;
	struct scan_opts o = { 0 };
	struct scan_results r = { 0 };

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	assert_int_equal(seal_sops_config_parse(ctx, cfg, strlen(cfg), "",
			     ".sops.yaml", &sc),
	    SEAL_OK);
	o.sops = sc;
	e = scan_engine_new(&o, err, sizeof(err));
	assert_non_null(e);
	w = scan_worker_new(e);
	/* a pgp-only rule: keys seal does not seal for, not compared */
	assert_int_equal(scan_buffer(w, "staging/s.yaml", file, strlen(file), &r), 0);
	assert_false(has_rule(&r, "sops-wrong-recipients", 0));
	assert_int_equal(scan_buffer(w, "prod/s.yaml", file, strlen(file), &r), 0);
	assert_true(has_rule(&r, "sops-wrong-recipients", 2));
	/* no rule for the path: nothing to compare with */
	scan_results_free(&r);
	memset(&r, 0, sizeof(r));
	assert_int_equal(scan_buffer(w, "dev/s.yaml", file, strlen(file), &r), 0);
	assert_false(has_rule(&r, "sops-wrong-recipients", 0));
	scan_results_free(&r);
	scan_worker_free(w);
	scan_engine_free(e);
	seal_sops_config_free(sc);
	/* a .sops.yaml seal cannot read is refused, with the line */
	assert_int_not_equal(seal_sops_config_parse(ctx,
				 "creation_rules:\n- path_regex: (x\n", 33, "",
				 ".sops.yaml", &sc),
	    SEAL_OK);
	assert_non_null(strstr(seal_ctx_errmsg(ctx), ".sops.yaml:2:"));
	seal_ctx_free(ctx);
}

static void
test_ignore(void **state)
{
	char err[128];
	const char *t = "# c\n*.lock\nvendor/\n/docs/*.yaml\n!docs/keep.yaml\n";
	struct scan_ignore *ig = scan_ignore_parse(t, strlen(t), err,
	    sizeof(err));

	(void)state;
	assert_non_null(ig);
	assert_true(scan_ignore_match(ig, "a/b/yarn.lock"));
	assert_true(scan_ignore_match(ig, "vendor/x/y.go"));
	assert_true(scan_ignore_match(ig, "a/vendor/y.go"));
	assert_false(scan_ignore_match(ig, "vendor"));
	assert_true(scan_ignore_match(ig, "docs/x.yaml"));
	assert_false(scan_ignore_match(ig, "docs/keep.yaml"));
	assert_false(scan_ignore_match(ig, "src/docs/x.yaml"));
	scan_ignore_free(ig);
	assert_null(scan_ignore_parse("ok\n!\n", 5, err, sizeof(err)));
	assert_string_equal(err, "line 2: empty pattern");
}

static void
test_baseline_fingerprints(void **state)
{
	struct scan_results a, b;
	char err[128], *buf = NULL;
	size_t len = 0, acc = 0;
	struct scan_baseline *bl, *fresh;
	struct scan_baseline_entry e;
	FILE *f;

	(void)state;
	scan("p.py", "k = 'sk_live_aPOGjCe1BU8pW7r6mxlxKZnu'\n", &a);
	scan("p.py", "# moved\n\nk = 'sk_live_aPOGjCe1BU8pW7r6mxlxKZnu'\n", &b);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.v[0].line, 3);
	assert_string_equal(a.v[0].fp, b.v[0].fp); /* survives a move */
	assert_memory_equal(a.v[0].id, b.v[0].id, sizeof(a.v[0].id));
	assert_null(strstr(a.v[0].excerpt, "aPOGjCe1"));
	/* written with a fresh salt, read back, it accepts the moved one */
	fresh = scan_baseline_new();
	assert_non_null(fresh);
	f = open_memstream(&buf, &len);
	assert_int_equal(scan_baseline_write(f, fresh, &a), 0);
	fclose(f);
	scan_baseline_free(fresh);
	assert_null(strstr(buf, "aPOGjCe1"));
	assert_null(strstr(buf, a.v[0].fp)); /* not the unsalted hash */
	bl = scan_baseline_parse(buf, len, err, sizeof(err));
	assert_non_null(bl);
	assert_int_equal(scan_baseline_count(bl), 1);
	assert_true(scan_baseline_entry(bl, 0, &e));
	assert_string_equal(e.path, "p.py");
	assert_string_equal(e.rule, "stripe-key");
	assert_false(e.live);
	assert_int_equal(scan_baseline_apply(bl, &b, true, &acc), 0);
	assert_int_equal(acc, 1);
	assert_int_equal(b.n, 0);
	assert_true(scan_baseline_entry(bl, 0, &e));
	assert_true(e.live);
	scan_baseline_free(bl);
	scan_results_free(&b);
	/* a new secret is neither accepted nor the same fingerprint */
	bl = scan_baseline_parse(buf, len, err, sizeof(err));
	assert_non_null(bl);
	scan("p.py", "k = 'sk_live_Zq8Lw2Vb9XnT4sKd8Rj3HfP6'\n", &b);
	assert_string_not_equal(a.v[0].fp, b.v[0].fp);
	assert_int_equal(scan_baseline_apply(bl, &b, true, &acc), 0);
	assert_int_equal(acc, 0);
	assert_int_equal(b.n, 1);
	assert_true(scan_baseline_entry(bl, 0, &e));
	assert_false(e.live); /* stale */
	scan_baseline_free(bl);
	free(buf);
	scan_results_free(&a);
	scan_results_free(&b);
	assert_null(scan_baseline_parse("XYZ\n", 4, err, sizeof(err)));
	assert_non_null(strstr(err, "line 1"));
	assert_null(scan_baseline_parse("0123456789abcdef\tp\tr\n", 21, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "regenerate"));
	assert_null(scan_baseline_parse("", 0, err, sizeof(err)));
}

static void
test_binary_and_limits(void **state)
{
	struct scan_results r = { 0 };
	char buf[256];
	struct scan_engine *e;
	struct scan_worker *w;
	struct scan_opts o = { .max_size = 64 };
	char err[64];
	size_t i;

	(void)state;
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 10, "AKIA4HKQ2Z7XWJ3PLM5N ", 21);
	assert_int_equal(scan_buffer(wrk, "b.bin", buf, sizeof(buf), &r), 0);
	assert_true(has_rule(&r, "aws-access-key", 1));
	scan_results_free(&r);
	/* UTF-16LE with a BOM */
	{
		const char *s = "password=Xq9vLm2Rt7Zp\n";
		size_t n = strlen(s);
		buf[0] = (char)0xff;
		buf[1] = (char)0xfe;
		for (i = 0; i < n; i++) {
			buf[2 + 2 * i] = s[i];
			buf[3 + 2 * i] = 0;
		}
		assert_int_equal(scan_buffer(wrk, "u.txt", buf, 2 + 2 * n, &r), 0);
		assert_true(has_rule(&r, "generic-secret", 1));
		scan_results_free(&r);
		/* an odd length (found by fuzz-scan: one byte past the end) */
		assert_int_equal(scan_buffer(wrk, "u.txt", buf, 1 + 2 * n, &r), 0);
		scan_results_free(&r);
	}
	e = scan_engine_new(&o, err, sizeof(err));
	w = scan_worker_new(e);
	memset(buf, 'a', 100);
	assert_int_equal(scan_buffer(w, "big", buf, 100, &r), 0);
	assert_true(has_rule(&r, "too-large", 0));
	scan_results_free(&r);
	scan_worker_free(w);
	scan_engine_free(e);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_redact),
	cmocka_unit_test(test_entropy_placeholders),
	cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
	cmocka_unit_test_setup_teardown(test_private_keys, setup, teardown),
	cmocka_unit_test_setup_teardown(test_generic, setup, teardown),
	cmocka_unit_test(test_yamlish),
	cmocka_unit_test_setup_teardown(test_kube, setup, teardown),
	cmocka_unit_test(test_sops_rules),
	cmocka_unit_test(test_ignore),
	cmocka_unit_test_setup_teardown(test_baseline_fingerprints, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_binary_and_limits, setup,
	    teardown),
};

SEAL_UNIT_MAIN(tests)
