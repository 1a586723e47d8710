/* SPDX-License-Identifier: ISC */
/*
 * test-sops.c - the SOPS layer: canonical plaintexts (spec 2.2), the
 * path AAD (spec 3), the six selection rules (spec 4), the MAC computed
 * independently here (spec 5), the IV stash, metadata readers, and
 * round-trip property tests (encrypt -> decrypt -> same tree) over
 * generated JSON, YAML, dotenv and binary documents.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "harness.h"
#include "sops/file.h"

static seal_ctx *ctx;

/* ---- helpers ------------------------------------------------------------- */

static struct seal__tree *
json(const char *text)
{
	struct seal__tree *t = NULL;

	assert_int_equal(
	    seal__json_parse(ctx, text, strlen(text), NULL, &t), SEAL_OK);
	return t;
}

static char *
canon(enum seal__type type, const char *text)
{
	static char out[512];
	struct seal__secbuf sb = SEAL__SECBUF_INIT;
	struct seal__tree *t = seal__tree_new();
	struct seal__node *n = seal__scalar_new(t, type, text, strlen(text));
	seal_rc rc = seal__sops_canon(ctx, n, "'x'", &sb);

	if (rc != SEAL_OK)
		snprintf(out, sizeof(out), "ERROR");
	else
		snprintf(out, sizeof(out), "%.*s", (int)sb.len,
		    sb.buf ? (char *)sb.buf : "");
	seal__secbuf_free(&sb);
	seal__tree_free(t);
	return out;
}

static void
test_canon(void **state)
{
	static const struct {
		enum seal__type type;
		const char *in, *want;
	} cases[] = {
		{ SEAL_T_FLOAT, "3.14", "3.14" },
		{ SEAL_T_FLOAT, "2.0", "2" },
		{ SEAL_T_FLOAT, "1e21", "1000000000000000000000" },
		{ SEAL_T_FLOAT, "0.1", "0.1" },
		{ SEAL_T_FLOAT, "1e-7", "0.0000001" },
		{ SEAL_T_FLOAT, "-0.5", "-0.5" },
		{ SEAL_T_FLOAT, "123456789.125", "123456789.125" },
		{ SEAL_T_FLOAT, "0.30000000000000004", "0.30000000000000004" },
		{ SEAL_T_FLOAT, "1_000.5", "1000.5" },
		{ SEAL_T_FLOAT, ".inf", "+Inf" },
		{ SEAL_T_FLOAT, "-.inf", "-Inf" },
		{ SEAL_T_FLOAT, ".nan", "NaN" },
		{ SEAL_T_FLOAT, "7", "7" },
		{ SEAL_T_FLOAT, "x1", "ERROR" },
		{ SEAL_T_INT, "42", "42" },
		{ SEAL_T_INT, "-42", "-42" },
		{ SEAL_T_INT, "+7", "7" },
		{ SEAL_T_INT, "0x1F", "31" },
		{ SEAL_T_INT, "0o17", "15" },
		{ SEAL_T_INT, "0b101", "5" },
		{ SEAL_T_INT, "1_000", "1000" },
		{ SEAL_T_INT, "9223372036854775807", "9223372036854775807" },
		{ SEAL_T_INT, "9223372036854775808", "ERROR" },
		{ SEAL_T_INT, "-9223372036854775808", "-9223372036854775808" },
		{ SEAL_T_BOOL, "true", "True" },
		{ SEAL_T_BOOL, "FALSE", "False" },
		{ SEAL_T_BOOL, "yes", "ERROR" },
		{ SEAL_T_TIME, "2024-01-01", "2024-01-01T00:00:00Z" },
		{ SEAL_T_TIME, "2001-12-14t21:59:43.10-05:00",
		    "2001-12-14T21:59:43.1-05:00" },
		{ SEAL_T_TIME, "2001-12-14 21:59:43.10",
		    "2001-12-14T21:59:43.1Z" },
		{ SEAL_T_TIME, "2001-12-14T21:59:43+00:00",
		    "2001-12-14T21:59:43Z" },
		{ SEAL_T_TIME, "2001-13-14", "ERROR" },
		{ SEAL_T_STR, "as is", "as is" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const char *got = canon(cases[i].type, cases[i].in);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("canon(%d, \"%s\") = \"%s\", want \"%s\"",
			    cases[i].type, cases[i].in, got, cases[i].want);
	}
}

static void
test_time_aad(void **state)
{
	static const struct {
		const char *in, *want; /* want NULL: refused */
	} cases[] = {
		{ "2024-11-12T13:33:42Z", "2024-11-12T13:33:42Z" },
		{ "2024-11-12T13:33:42.123456Z", "2024-11-12T13:33:42Z" },
		{ "2024-11-12T15:33:42+02:00", "2024-11-12T13:33:42Z" },
		{ "2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z" },
		{ "2024-11-12 13:33:42", NULL },
		{ "yesterday", NULL },
	};
	char out[32];
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		bool ok = seal__sops_time_aad(cases[k].in, out);

		if (ok != (cases[k].want != NULL))
			fail_msg("\"%s\": %s", cases[k].in,
			    ok ? "accepted" : "refused");
		if (ok && strcmp(out, cases[k].want) != 0)
			fail_msg("\"%s\" -> \"%s\", want \"%s\"", cases[k].in,
			    out, cases[k].want);
	}
	/* against libc's calendar: random instants, written in UTC and
	 * with a random offset, come back as the UTC spelling */
	{
		char in[64], want[32], loc[32];
		unsigned i;

		for (i = 0; i < 2000; i++) {
			time_t t = (time_t)(randombytes_uniform(2000000000u)) *
			    (time_t)(i % 2 ? 1 : 126);
			int off = (int)randombytes_uniform(2 * 1439 + 1) - 1439;
			time_t lt = t + off * 60;
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
			assert_true(seal__sops_time_aad(want, out));
			assert_string_equal(out, want);
			gmtime_r(&lt, &tm);
			strftime(loc, sizeof(loc), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(in, sizeof(in), "%s%c%02d:%02d", loc,
			    off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
			assert_true(seal__sops_time_aad(in, out));
			assert_string_equal(out, want);
		}
		seal__sops_time_now(out);
		assert_int_equal(strlen(out), 20);
		assert_true(seal__sops_time_aad(out, loc));
		assert_string_equal(out, loc);
	}
}

static const unsigned char key0[32] = {7, 7, 7};

/* Decrypt the ENC text of n with aad; return the plaintext or NULL. */
static char *
dec_with(const struct seal__node *n, const char *aad)
{
	static char out[256];
	struct seal__enc e;
	struct seal__secbuf pt = SEAL__SECBUF_INIT;
	seal_rc rc;

	assert_int_equal(
	    seal__enc_parse(ctx, n->text, n->len, "'x'", &e), SEAL_OK);
	rc =
	    seal__enc_decrypt(ctx, key0, &e, aad, strlen(aad), &pt, NULL, NULL);
	if (rc != SEAL_OK) {
		seal__secbuf_free(&pt);
		return NULL;
	}
	snprintf(out, sizeof(out), "%.*s", (int)pt.len, (char *)pt.buf);
	seal__secbuf_free(&pt);
	return out;
}

static void
encrypt_with(struct seal__tree *t, enum seal__rule_kind kind, const char *arg,
    bool mac_only, char mac[129])
{
	struct seal__rule r;
	struct seal__walk_opts o = {0};
	struct seal__sops_key k;

	memcpy(k.k, key0, 32);
	assert_int_equal(seal__rule_init(ctx, &r, kind, arg), SEAL_OK);
	o.rule = &r;
	o.mac_only_encrypted = mac_only;
	assert_int_equal(seal__sops_encrypt_tree(ctx, t, &k, &o, mac), SEAL_OK);
	seal__rule_free(&r);
}

static void
test_aad(void **state)
{
	struct seal__tree *t;
	struct seal__node *root, *b, *c, *top;
	char mac[129];

	(void)state;
	t = json("{\"a\": {\"b\": [\"x\", {\"c\": \"y\"}, [\"z\"]]}}");
	root = t->docs[0].root;
	top = seal__comment_new(t, " top", 4);
	assert_int_equal(seal__map_append(t, root, NULL, 0, top), 0);
	encrypt_with(t, SEAL_RULE_NONE, NULL, false, mac);
	b = seal__map_get(seal__map_get(root, "a"), "b");
	/* list indices are not part of the path */
	assert_string_equal(dec_with(b->items[0].val, "a:b:"), "x");
	assert_null(dec_with(b->items[0].val, "a:b:0:"));
	c = seal__map_get(b->items[1].val, "c");
	assert_string_equal(dec_with(c, "a:b:c:"), "y");
	assert_string_equal(
	    dec_with(b->items[2].val->items[0].val, "a:b:"), "z");
	/* a top-level comment has AAD ":" and type comment */
	assert_non_null(strstr(top->text, "type:comment]"));
	assert_string_equal(dec_with(top, ":"), " top");
	seal__tree_free(t);
}

static char
is_enc(const struct seal__node *n)
{
	return seal__enc_looks(n->text, n->len) ? 'E' : '-';
}

/* Which leaves of {a_x: 1, b: {s_x: 2, t: 3}, c: 4} end up encrypted. */
static char *
selected(enum seal__rule_kind kind, const char *arg)
{
	static char out[8];
	struct seal__tree *t = json("{\"a_x\": \"1\", \"b\": {\"s_x\": \"2\", "
	                            "\"t\": \"3\"}, \"c\": \"4\"}");
	struct seal__node *root = t->docs[0].root, *b;
	char mac[129];

	encrypt_with(t, kind, arg, false, mac);
	b = seal__map_get(root, "b");
	out[0] = is_enc(seal__map_get(root, "a_x"));
	out[1] = is_enc(seal__map_get(b, "s_x"));
	out[2] = is_enc(seal__map_get(b, "t"));
	out[3] = is_enc(seal__map_get(root, "c"));
	out[4] = '\0';
	seal__tree_free(t);
	return out;
}

static void
test_rules(void **state)
{
	(void)state;
	assert_string_equal(selected(SEAL_RULE_NONE, NULL), "EEEE");
	assert_string_equal(
	    selected(SEAL_RULE_UNENCRYPTED_SUFFIX, "_x"), "--EE");
	assert_string_equal(selected(SEAL_RULE_ENCRYPTED_SUFFIX, "_x"), "EE--");
	/* "b" matches: its whole subtree is selected (any key in the path) */
	assert_string_equal(
	    selected(SEAL_RULE_ENCRYPTED_REGEX, "^(b|c)$"), "-EEE");
	assert_string_equal(
	    selected(SEAL_RULE_UNENCRYPTED_REGEX, "^b$"), "E--E");
	/* unanchored search, RE2 syntax */
	assert_string_equal(selected(SEAL_RULE_ENCRYPTED_REGEX, "_"), "EE--");
	assert_string_equal(
	    selected(SEAL_RULE_ENCRYPTED_REGEX, "(?i)^C$"), "---E");
}

static void
test_comment_rules(void **state)
{
	struct seal__tree *t;
	struct seal__node *root;
	char mac[129];

	(void)state;
	/* encrypted_comment_regex: values after a matching comment are
	 * encrypted; the matching comment itself stays clear */
	t = json("{\"a\": \"1\", \"b\": \"2\", \"c\": \"3\"}");
	root = t->docs[0].root;
	{
		struct seal__item it = {0};
		struct seal__node *cm = seal__comment_new(t, " sops:enc", 9);
		seal__map_append(t, root, NULL, 0, cm);
		it = root->items[3];
		memmove(&root->items[2], &root->items[1],
		    2 * sizeof(root->items[0]));
		root->items[1] = it;
	}
	encrypt_with(
	    t, SEAL_RULE_ENCRYPTED_COMMENT_REGEX, "sops:enc", false, mac);
	assert_int_equal(is_enc(root->items[0].val), '-'); /* a */
	assert_string_equal(root->items[1].val->text, " sops:enc");
	assert_int_equal(is_enc(root->items[2].val), 'E'); /* b */
	assert_int_equal(is_enc(root->items[3].val), 'E'); /* c */
	seal__tree_free(t);
}

static void
hex_upper(char out[129], const unsigned char d[64])
{
	static const char hx[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < 64; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[128] = '\0';
}

static void
test_mac(void **state)
{
	struct seal__tree *t;
	crypto_hash_sha512_state h;
	unsigned char d[64], sops256[32];
	char mac[129], want[129];
	static const char fed[] = "x5True2.5";
	static const char fed_enc[] = "5";

	(void)state;
	/* every non-null leaf, canonical form, document order; no keys */
	t = json("{\"a\": \"x\", \"n\": null, \"e\": \"\", \"b\": [5, true], "
	         "\"c_unencrypted\": 2.50}");
	encrypt_with(t, SEAL_RULE_NONE, NULL, false, mac);
	crypto_hash_sha512(d, (const unsigned char *)fed, strlen(fed));
	hex_upper(want, d);
	assert_string_equal(mac, want);
	seal__tree_free(t);

	/* mac_only_encrypted: SHA-256("sops") first, selected leaves only */
	crypto_hash_sha256(sops256, (const unsigned char *)"sops", 4);
	assert_int_equal(sops256[0], 0x8a);
	t = json("{\"a\": \"x\", \"b\": 5}");
	encrypt_with(t, SEAL_RULE_ENCRYPTED_REGEX, "^b$", true, mac);
	crypto_hash_sha512_init(&h);
	crypto_hash_sha512_update(&h, sops256, 32);
	crypto_hash_sha512_update(&h, (const unsigned char *)fed_enc, 1);
	crypto_hash_sha512_final(&h, d);
	hex_upper(want, d);
	assert_string_equal(mac, want);
	seal__tree_free(t);
}

static void
test_stash(void **state)
{
	struct seal__tree *t;
	struct seal__rule r;
	struct seal__walk_opts o = {0};
	struct seal__sops_key k;
	struct seal__node *root;
	char mac1[129], mac2[129], a1[300], b1[300];

	(void)state;
	memcpy(k.k, key0, 32);
	assert_int_equal(
	    seal__rule_init(ctx, &r, SEAL_RULE_NONE, NULL), SEAL_OK);
	o.rule = &r;
	o.stash = seal__stash_new();
	t = json("{\"a\": \"same\", \"b\": \"old\"}");
	root = t->docs[0].root;
	assert_int_equal(
	    seal__sops_encrypt_tree(ctx, t, &k, &o, mac1), SEAL_OK);
	snprintf(a1, sizeof(a1), "%s", root->items[0].val->text);
	snprintf(b1, sizeof(b1), "%s", root->items[1].val->text);
	assert_int_equal(
	    seal__sops_decrypt_tree(ctx, t, &k, &o, mac2), SEAL_OK);
	assert_string_equal(mac1, mac2);
	assert_int_equal(
	    seal__node_set_text(t, root->items[1].val, "new", 3), 0);
	assert_int_equal(
	    seal__sops_encrypt_tree(ctx, t, &k, &o, mac2), SEAL_OK);
	assert_string_equal(root->items[0].val->text, a1); /* unchanged */
	assert_string_not_equal(root->items[1].val->text, b1);
	assert_string_not_equal(mac1, mac2);
	seal__stash_free(o.stash);
	seal__rule_free(&r);
	seal__tree_free(t);
}

static void
test_meta_read(void **state)
{
	struct seal__tree *t;
	struct seal__sops_meta m;
	struct seal__node *b;

	(void)state;
	/* 3.13 alphabetical layout, enc before recipient */
	t = json(
	    "{\"sops\": {\"age\": [{\"enc\": \"E\", \"recipient\": "
	    "\"age1x\"}], \"encrypted_suffix\": \"_s\", \"lastmodified\": "
	    "\"2024-01-01T00:00:00Z\", \"mac\": \"M\", \"mac_only_encrypted\":"
	    " true, \"pgp\": [{\"fp\": \"F\", \"enc\": \"P\"}], \"version\": "
	    "\"3.13.1\"}}");
	b = seal__sops_block(t, 0, SEAL_FMT_JSON, true);
	assert_non_null(b);
	assert_int_equal(t->docs[0].root->nitems, 0);
	assert_int_equal(seal__sops_meta_read(ctx, b, "f", &m), SEAL_OK);
	assert_int_equal(m.nage, 1);
	assert_string_equal(m.age[0].recipient, "age1x");
	assert_int_equal(m.rule, SEAL_RULE_ENCRYPTED_SUFFIX);
	assert_true(m.mac_only_encrypted);
	assert_int_equal(m.nother_keys, 1);
	seal__sops_meta_clear(&m);
	seal__tree_free(t);

	/* two rules: refused */
	t = json("{\"sops\": {\"age\": [{\"enc\": \"E\", \"recipient\": "
	         "\"a\"}], \"encrypted_regex\": \"x\", \"unencrypted_suffix\": "
	         "\"y\", \"lastmodified\": \"2024-01-01T00:00:00Z\"}}");
	b = seal__sops_block(t, 0, SEAL_FMT_JSON, false);
	assert_int_equal(seal__sops_meta_read(ctx, b, "f", &m), SEAL_EFORMAT);
	seal__tree_free(t);

	/* key groups >= 2: unsupported */
	t = json("{\"sops\": {\"key_groups\": [{\"age\": []}, {\"age\": []}], "
	         "\"lastmodified\": \"2024-01-01T00:00:00Z\"}}");
	b = seal__sops_block(t, 0, SEAL_FMT_JSON, false);
	assert_int_equal(
	    seal__sops_meta_read(ctx, b, "f", &m), SEAL_EUNSUPPORTED);
	assert_non_null(strstr(seal_ctx_errmsg(ctx), "key groups"));
	seal__tree_free(t);
}

static void
test_dotenv_flat(void **state)
{
	static const char env[] =
	    "A=ENC[x]\nsops_version=3.7.1\nsops_age__list_0__map_recipient=r1\n"
	    "sops_lastmodified=2021-10-14T15:35:45Z\n"
	    "sops_age__list_1__map_enc=e2\nsops_age__list_0__map_enc=e1\\nx\n"
	    "sops_age__list_1__map_recipient=r2\nsops_mac=M\n";
	struct seal__tree *t = NULL, *t2 = NULL;
	struct seal__sops_meta m;
	struct seal__node *b, *root;

	(void)state;
	assert_int_equal(
	    seal__dotenv_parse(ctx, env, strlen(env), NULL, &t), SEAL_OK);
	b = seal__sops_block(t, 0, SEAL_FMT_DOTENV, true);
	assert_non_null(b);
	assert_int_equal(t->docs[0].root->nitems, 1);
	assert_int_equal(seal__sops_meta_read(ctx, b, "f", &m), SEAL_OK);
	assert_int_equal(m.nage, 2);
	assert_string_equal(m.age[0].recipient, "r1");
	assert_string_equal(m.age[0].enc, "e1\nx");
	assert_string_equal(m.age[1].enc, "e2");
	assert_string_equal(m.version, "3.7.1");
	seal__sops_meta_clear(&m);
	/* flatten back: sorted sops_* keys */
	t2 = seal__tree_new();
	root = seal__node_new(t2, SEAL_N_MAP);
	assert_int_equal(seal__sops_flatten(t2, root, b), 0);
	assert_int_equal(root->nitems, 7);
	assert_string_equal(root->items[0].key, "sops_age__list_0__map_enc");
	assert_string_equal(root->items[6].key, "sops_version");
	seal__tree_free(t2);
	seal__tree_free(t);
}

/* ---- round-trip properties ---------------------------------------------- */

static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

static void
gen_str(char *buf, size_t *o, size_t cap, bool json_escape)
{
	static const char *const parts[] = {"a", "B", " ", ":", "-", "é", "\\n",
	    "\\\"", "\\\\", "\\u00e9", "\\t", "#", "{", "ENC[", "0", "true",
	    "\\u2028", "<&>"};
	size_t k = rnd(12), i;

	for (i = 0; i < k && *o + 10 < cap; i++) {
		const char *p = parts[rnd(SEAL__ARRAY_LEN(parts))];
		if (!json_escape && p[0] == '\\')
			p = "x";
		*o += (size_t)snprintf(buf + *o, cap - *o, "%s", p);
	}
}

static void
gen_json(char *buf, size_t *o, size_t cap, int depth)
{
	static const char *const scalars[] = {"7", "-42", "0.5", "3.25",
	    "1000.5", "0.001", "true", "false", "null", "123456789012"};
	size_t n = 1 + rnd(4), i;
	bool list = depth > 0 && rnd(4) == 0;

	*o += (size_t)snprintf(buf + *o, cap - *o, list ? "[" : "{");
	for (i = 0; i < n && *o + 200 < cap; i++) {
		if (i)
			buf[(*o)++] = ',';
		if (!list)
			*o += (size_t)snprintf(buf + *o, cap - *o,
			    "\"k%u_%zu\": ", (unsigned)rnd(100), i);
		if (depth < 3 && rnd(4) == 0) {
			gen_json(buf, o, cap, depth + 1);
		} else if (rnd(2) == 0) {
			buf[(*o)++] = '"';
			gen_str(buf, o, cap, true);
			buf[(*o)++] = '"';
		} else {
			*o += (size_t)snprintf(buf + *o, cap - *o, "%s",
			    scalars[rnd(SEAL__ARRAY_LEN(scalars))]);
		}
	}
	*o += (size_t)snprintf(buf + *o, cap - *o, list ? "]" : "}");
	buf[*o] = '\0';
}

static void
roundtrip(const char *in, size_t len, int fmt, const seal_identity *id,
    const char *rcpt)
{
	struct seal__secbuf a = SEAL__SECBUF_INIT, b = SEAL__SECBUF_INIT;
	struct seal__secbuf sealed = SEAL__SECBUF_INIT;
	seal_sops_file *f = NULL;
	seal_sops_params *p = NULL;
	int cmpfmt = fmt == SEAL_SOPS_YAML ? SEAL_SOPS_JSON : fmt;

	assert_int_equal(seal_sops_load(ctx, in, len, fmt, "gen", &f), SEAL_OK);
	assert_int_equal(
	    seal_sops_write(ctx, f, cmpfmt, 0, seal__secbuf_writer, &a),
	    SEAL_OK);
	assert_int_equal(seal_sops_params_new(ctx, &p), SEAL_OK);
	assert_int_equal(seal_sops_params_add_age(ctx, p, rcpt), SEAL_OK);
	assert_int_equal(seal_sops_encrypt(ctx, f, p), SEAL_OK);
	assert_int_equal(
	    seal_sops_write(ctx, f, fmt, 0, seal__secbuf_writer, &sealed),
	    SEAL_OK);
	seal_sops_free(f);
	f = NULL;
	assert_int_equal(
	    seal_sops_load(ctx, sealed.buf, sealed.len, fmt, "gen", &f),
	    SEAL_OK);
	assert_true(seal_sops_is_encrypted(f));
	assert_int_equal(seal_sops_decrypt(ctx, f, id, 0), SEAL_OK);
	assert_int_equal(
	    seal_sops_write(ctx, f, cmpfmt, 0, seal__secbuf_writer, &b),
	    SEAL_OK);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0) {
		print_message("# in:\n%.*s\n# out:\n%.*s\n", (int)a.len,
		    (char *)a.buf, (int)b.len, (char *)b.buf);
		fail();
	}
	seal_sops_params_free(p);
	seal_sops_free(f);
	seal__secbuf_free(&a);
	seal__secbuf_free(&b);
	seal__secbuf_free(&sealed);
}

static void
test_roundtrip(void **state)
{
	seal_identity *id = NULL;
	char *rcpt = NULL, buf[16384];
	struct seal__secbuf y = SEAL__SECBUF_INIT;
	int i;

	(void)state;
	assert_int_equal(seal_identity_generate(ctx, &id), SEAL_OK);
	assert_int_equal(seal_identity_recipient(ctx, id, 0, &rcpt), SEAL_OK);
	for (i = 0; i < 150; i++) {
		size_t o = 0;
		struct seal__tree *t;

		gen_json(buf, &o, sizeof(buf), 0);
		roundtrip(buf, o, SEAL_SOPS_JSON, id, rcpt);
		/* the same tree as YAML */
		t = json(buf);
		seal__secbuf_reset(&y);
		assert_int_equal(
		    seal__yaml_emit(ctx, t, NULL, seal__secbuf_writer, &y),
		    SEAL_OK);
		seal__tree_free(t);
		roundtrip((char *)y.buf, y.len, SEAL_SOPS_YAML, id, rcpt);
	}
	for (i = 0; i < 100; i++) {
		size_t o = 0, k, n = 1 + rnd(8);
		for (k = 0; k < n; k++) {
			if (rnd(5) == 0)
				o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				    "# note %zu\n", k);
			o += (size_t)snprintf(
			    buf + o, sizeof(buf) - o, "KEY_%zu=", k);
			gen_str(buf, &o, sizeof(buf), false);
			buf[o++] = '\n';
		}
		roundtrip(buf, o, SEAL_SOPS_DOTENV, id, rcpt);
	}
	for (i = 0; i < 50; i++) {
		size_t n = rnd(2000), k;
		for (k = 0; k < n; k++)
			buf[k] = (char)rnd(256);
		roundtrip(buf, n, SEAL_SOPS_BINARY, id, rcpt);
	}
	seal__secbuf_free(&y);
	free(rcpt);
	seal_identity_free(id);
}

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

/* ---- the AES-GCM session ------------------------------------------------ */

/* The reference: OpenSSL's EVP AES-256-GCM, any IV length. */
static void
evp_gcm(int enc, const unsigned char *key, const unsigned char *iv,
    size_t ivlen, const unsigned char *aad, size_t aadlen,
    const unsigned char *in, size_t len, unsigned char *out,
    unsigned char tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n;

	assert_non_null(c);
	assert_int_equal(EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL,
	    NULL, enc), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN,
	    (int)ivlen, NULL), 1);
	assert_int_equal(EVP_CipherInit_ex(c, NULL, NULL, key, iv, enc), 1);
	if (aadlen > 0)
		assert_int_equal(EVP_CipherUpdate(c, NULL, &n, aad,
		    (int)aadlen), 1);
	if (len > 0)
		assert_int_equal(EVP_CipherUpdate(c, out, &n, in, (int)len),
		    1);
	if (!enc)
		assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG,
		    16, tag), 1);
	assert_int_equal(EVP_CipherFinal_ex(c, out + len, &n), 1);
	if (enc)
		assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG,
		    16, tag), 1);
	EVP_CIPHER_CTX_free(c);
}

/*
 * The session (one OpenSSL context, the key schedule kept, encrypt and
 * decrypt interleaved on it) must give, value by value, exactly OpenSSL's one-shot
 * result, for every length around the 16- and 64-byte block edges, IVs
 * of 12, 32 and odd lengths, and empty and long AADs; and it must
 * refuse a wrong AAD, key, tag or ciphertext bit, wiping the output.
 */
static void
test_gcm_session(void **state)
{
	unsigned char key[32], other[32], iv[100], aad[80];
	unsigned char ct[300], ct1[300], pt[300], tag[16], tag1[16];
	unsigned char msg[300];
	static const size_t ivlens[] = { 12, 32, 1, 16, 17, 64, 100 };
	struct seal__gcm *g, *h;
	size_t i, len, ivlen, aadlen, k;

	(void)state;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(other, sizeof(other));
	randombytes_buf(msg, sizeof(msg));
	g = seal__gcm_new(key);
	h = seal__gcm_new(other);
	assert_non_null(g);
	assert_non_null(h);
	for (i = 0; i < 700; i++) {
		len = i < 300 ? i : randombytes_uniform(sizeof(msg));
		ivlen = ivlens[i % SEAL__ARRAY_LEN(ivlens)];
		aadlen = (i * 7) % sizeof(aad);
		randombytes_buf(iv, sizeof(iv));
		randombytes_buf(aad, sizeof(aad));
		assert_int_equal(seal__gcm_encrypt(g, ct, tag, msg, len, iv,
		    ivlen, aad, aadlen), 0);
		evp_gcm(1, key, iv, ivlen, aad, aadlen, msg, len, ct1, tag1);
		if (len > 0)
			assert_memory_equal(ct, ct1, len);
		assert_memory_equal(tag, tag1, 16);
		/* OpenSSL opens what the session sealed */
		evp_gcm(0, key, iv, ivlen, aad, aadlen, ct, len, pt, tag);
		if (len > 0)
			assert_memory_equal(pt, msg, len);
		/* a wrong AAD, key, tag or ciphertext bit, then the right */
		if (aadlen > 0) {
			aad[0] ^= 1;
			assert_int_equal(seal__gcm_decrypt(g, pt, ct, len, tag,
			    iv, ivlen, aad, aadlen), -1);
			aad[0] ^= 1;
		}
		assert_int_equal(seal__gcm_decrypt(h, pt, ct, len, tag, iv,
		    ivlen, aad, aadlen), -1);
		tag[i % 16] ^= 0x80;
		assert_int_equal(seal__gcm_decrypt(g, pt, ct, len, tag, iv,
		    ivlen, aad, aadlen), -1);
		tag[i % 16] ^= 0x80;
		if (len > 0) {
			ct[i % len] ^= 4;
			memset(pt, 0xaa, sizeof(pt));
			assert_int_equal(seal__gcm_decrypt(g, pt, ct, len, tag,
			    iv, ivlen, aad, aadlen), -1);
			for (k = 0; k < len; k++)
				assert_int_equal(pt[k], 0);
			ct[i % len] ^= 4;
		}
		memset(pt, 0xaa, sizeof(pt));
		assert_int_equal(seal__gcm_decrypt(g, pt, ct, len, tag, iv,
		    ivlen, aad, aadlen), 0);
		if (len > 0)
			assert_memory_equal(pt, msg, len);
	}
	seal__gcm_free(g);
	seal__gcm_free(h);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_canon, setup, teardown),
    cmocka_unit_test_setup_teardown(test_time_aad, setup, teardown),
    cmocka_unit_test_setup_teardown(test_aad, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
    cmocka_unit_test_setup_teardown(test_comment_rules, setup, teardown),
    cmocka_unit_test_setup_teardown(test_mac, setup, teardown),
    cmocka_unit_test_setup_teardown(test_stash, setup, teardown),
    cmocka_unit_test_setup_teardown(test_gcm_session, setup, teardown),
    cmocka_unit_test_setup_teardown(test_meta_read, setup, teardown),
    cmocka_unit_test_setup_teardown(test_dotenv_flat, setup, teardown),
    cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
};

SEAL_UNIT_MAIN(tests)
