/* SPDX-License-Identifier: ISC */
/*
 * test-age.c - the age API: Bech32 known answers and case rules, identity
 * and recipients files, encrypt/decrypt round trips (binary, armored,
 * chunk boundaries, several recipients, scrypt), the failure classes and
 * the all-or-nothing contract.
 */
#include "config.h"

#include <string.h>

#include "tests/unit/harness.h"
#include "age/age.h"

#define KAT_ID "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
#define KAT_RCPT "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static int
buf_write(void *arg, const void *p, size_t n)
{
	struct buf *b = arg;

	if (n == 0)
		return 0;
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static seal_ctx *
new_ctx(void)
{
	seal_ctx *ctx;

	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	return ctx;
}

static void
test_kat(void **state)
{
	seal_ctx *ctx = new_ctx();
	seal_identity *id;
	seal_recipient *r;
	struct buf b = { 0 };
	char *s;

	(void)state;
	assert_int_equal(seal_identity_parse(ctx, KAT_ID, strlen(KAT_ID), &id),
	    SEAL_OK);
	assert_int_equal(seal_identity_count(id), 1);
	assert_int_equal(seal_identity_recipient(ctx, id, 0, &s), SEAL_OK);
	assert_string_equal(s, KAT_RCPT);
	free(s);
	assert_int_equal(seal_identity_write(ctx, id, 0, buf_write, &b),
	    SEAL_OK);
	assert_int_equal(b.len, strlen(KAT_ID) + 1);
	assert_memory_equal(b.p, KAT_ID "\n", b.len);
	assert_int_equal(seal_recipient_parse(ctx, KAT_RCPT, strlen(KAT_RCPT),
			     &r), SEAL_OK);
	assert_string_equal(seal_recipient_string(r), KAT_RCPT);
	seal_recipient_free(r);
	seal_identity_free(id);
	free(b.p);
	seal_ctx_free(ctx);
}

static void
expect_bad_id(seal_ctx *ctx, const char *text, seal_rc want)
{
	seal_identity *id = NULL;

	assert_int_equal(seal_identity_parse(ctx, text, strlen(text), &id),
	    want);
	assert_null(id);
	assert_null(strchr(seal_ctx_errmsg(ctx), '\n'));
	/* never echo the secret */
	assert_null(strstr(seal_ctx_errmsg(ctx), "GFPYYSJZ"));
}

static void
test_identity_rules(void **state)
{
	seal_ctx *ctx = new_ctx();
	seal_identity *id;
	char lower[128], *s;
	const char *file =
	    "# created: 2026-01-01T00:00:00Z\r\n"
	    "# public key: " KAT_RCPT "\r\n"
	    "\n" KAT_ID "\r\n"
	    "AGE-SECRET-KEY-1PYN5KJJ38UTZ365U73DWG0PD7PYQ6DZ9SUUSNQF04RSZND4KSHLSY4Q8AU\n";
	size_t i;

	(void)state;
	/* lower case is rejected, as the reference does */
	for (i = 0; KAT_ID[i]; i++)
		lower[i] = (char)(KAT_ID[i] >= 'A' && KAT_ID[i] <= 'Z'
			? KAT_ID[i] + 32 : KAT_ID[i]);
	lower[i] = 0;
	expect_bad_id(ctx, lower, SEAL_EKEY);
	/* mixed case, bad checksum, recipient in an identity file */
	lower[20] = (char)(lower[20] - 32);
	expect_bad_id(ctx, lower, SEAL_EKEY);
	expect_bad_id(ctx, "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEQ",
	    SEAL_EKEY);
	expect_bad_id(ctx, KAT_RCPT, SEAL_EKEY);
	assert_non_null(strstr(seal_ctx_errmsg(ctx), "apparent recipient"));
	expect_bad_id(ctx, "# only comments\n\n", SEAL_EKEY);
	expect_bad_id(ctx, " # indented comment\n" KAT_ID "\n", SEAL_EKEY);
	expect_bad_id(ctx, "AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG",
	    SEAL_EUNSUPPORTED);
	assert_non_null(strstr(seal_ctx_errmsg(ctx),
	    "unsupported recipient type"));
	/* a file with comments, CRLF and two identities */
	assert_int_equal(seal_identity_parse(ctx, file, strlen(file), &id),
	    SEAL_OK);
	assert_int_equal(seal_identity_count(id), 2);
	assert_int_equal(seal_identity_recipient(ctx, id, 0, &s), SEAL_OK);
	assert_string_equal(s, KAT_RCPT);
	free(s);
	seal_identity_free(id);
	seal_ctx_free(ctx);
}

static void
test_recipient_rules(void **state)
{
	seal_ctx *ctx = new_ctx();
	seal_recipient *r = NULL, **list = NULL;
	char upper[128];
	size_t i, n = 0;
	const char *file = "# team\n" KAT_RCPT "\n\r\n" KAT_RCPT "\r\n";

	(void)state;
	for (i = 0; KAT_RCPT[i]; i++)
		upper[i] = (char)(KAT_RCPT[i] >= 'a' && KAT_RCPT[i] <= 'z'
			? KAT_RCPT[i] - 32 : KAT_RCPT[i]);
	upper[i] = 0;
	assert_int_equal(seal_recipient_parse(ctx, upper, strlen(upper), &r),
	    SEAL_EKEY);
	assert_int_equal(seal_recipient_parse(ctx, KAT_ID, strlen(KAT_ID), &r),
	    SEAL_EKEY);
	assert_null(strstr(seal_ctx_errmsg(ctx), "GFPYYSJZ"));
	assert_int_equal(seal_recipient_parse(ctx, "age1pq1qqqq", 11, &r),
	    SEAL_EUNSUPPORTED);
	assert_int_equal(seal_recipient_parse(ctx, "age1zvkyg2lq", 12, &r),
	    SEAL_EKEY);
	assert_null(r);
	assert_int_equal(seal_recipients_parse_file(ctx, file, strlen(file),
			     &list, &n), SEAL_OK);
	assert_int_equal(n, 2);
	assert_string_equal(seal_recipient_string(list[1]), KAT_RCPT);
	seal_recipients_free(list, n);
	list = NULL;
	n = 0;
	assert_int_equal(seal_recipients_parse_file(ctx, KAT_ID "\n",
			     strlen(KAT_ID) + 1, &list, &n), SEAL_EKEY);
	seal_recipients_free(list, n);
	seal_ctx_free(ctx);
}

static void
test_bech32_long(void **state)
{
	unsigned char data[1216], back[1216];
	char enc[2100], hrp[16];
	const char *why;
	size_t n;
	long len;

	(void)state;
	randombytes_buf(data, sizeof(data));
	len = seal__bech32_encode(enc, sizeof(enc), "age1pq", data,
	    sizeof(data), false);
	assert_true(len > 90); /* no BIP-173 length limit */
	assert_int_equal(seal__bech32_decode(enc, (size_t)len, hrp, sizeof(hrp),
			     back, sizeof(back), &n, &why), 0);
	assert_string_equal(hrp, "age1pq");
	assert_int_equal(n, sizeof(data));
	assert_memory_equal(back, data, n);
	enc[len / 2] = enc[len / 2] == 'q' ? 'p' : 'q';
	assert_int_equal(seal__bech32_decode(enc, (size_t)len, hrp, sizeof(hrp),
			     back, sizeof(back), &n, &why), -1);
}

struct slow {
	const unsigned char *p;
	size_t len, off, step;
};

/* A reader handing out at most step bytes per call. */
static int
slow_read(void *arg, void *buf, size_t len, size_t *got)
{
	struct slow *s = arg;
	size_t n = s->len - s->off;

	if (n > len)
		n = len;
	if (n > s->step)
		n = s->step;
	memcpy(buf, s->p + s->off, n);
	s->off += n;
	*got = n;
	return 0;
}

static int
fail_write(void *arg, const void *p, size_t n)
{
	(void)arg;
	(void)p;
	(void)n;
	return -1;
}

static void
roundtrip(seal_ctx *ctx, seal_recipient *const *r, size_t nr,
    const seal_identity *id, size_t size, unsigned flags)
{
	unsigned char *pt = malloc(size + 1);
	struct buf ct = { 0 }, out = { 0 };

	randombytes_buf(pt, size);
	assert_int_equal(seal_age_encrypt_buf(ctx, r, nr, flags, pt, size,
			     buf_write, &ct), SEAL_OK);
	if (flags & SEAL_AGE_ARMOR)
		assert_memory_equal(ct.p, SEAL__ARMOR_BEGIN "\n",
		    sizeof(SEAL__ARMOR_BEGIN));
	else
		assert_memory_equal(ct.p, "age-encryption.org/v1\n", 22);
	assert_int_equal(seal_age_decrypt_buf(ctx, id, SEAL_AGE_DETECT_ARMOR,
			     ct.p, ct.len, buf_write, &out), SEAL_OK);
	assert_int_equal(out.len, size);
	if (size)
		assert_memory_equal(out.p, pt, size);
	/* the streaming API, fed in odd small pieces */
	if (size < 300000) {
		struct slow sr = { ct.p, ct.len, 0, size % 3 + 1 };
		out.len = 0;
		assert_int_equal(seal_age_decrypt(ctx, id,
				     SEAL_AGE_DETECT_ARMOR, slow_read, &sr,
				     buf_write, &out), SEAL_OK);
		assert_int_equal(out.len, size);
		if (size)
			assert_memory_equal(out.p, pt, size);
	}
	/* a failing writer ends in SEAL_EIO */
	if (size > 0)
		assert_int_equal(seal_age_decrypt_buf(ctx, id,
				     SEAL_AGE_DETECT_ARMOR, ct.p, ct.len,
				     fail_write, NULL), SEAL_EIO);
	/* flip one bit of the last byte: fails, nothing released */
	if (!(flags & SEAL_AGE_ARMOR)) {
		out.len = 0;
		ct.p[ct.len - 1] ^= 1;
		assert_int_equal(seal_age_decrypt_buf(ctx, id, 0, ct.p, ct.len,
				     buf_write, &out), SEAL_EPAYLOAD);
		assert_int_equal(out.len, 0);
		/* truncation by one byte */
		ct.p[ct.len - 1] ^= 1;
		assert_int_not_equal(seal_age_decrypt_buf(ctx, id, 0, ct.p,
					 ct.len - 1, buf_write, &out), SEAL_OK);
		assert_int_equal(out.len, 0);
	}
	free(pt);
	free(ct.p);
	free(out.p);
}

static void
test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 47, 48, 1000, 65535, 65536,
		65537, 131072, 3 * 65536 + 5, 2200000, 33 * 65536,
		65 * 65536 + 1 };
	seal_ctx *ctx = new_ctx();
	seal_identity *id;
	seal_recipient *r;
	char *s;
	size_t i;

	(void)state;
	assert_int_equal(seal_identity_generate(ctx, &id), SEAL_OK);
	assert_int_equal(seal_identity_recipient(ctx, id, 0, &s), SEAL_OK);
	assert_int_equal(seal_recipient_parse(ctx, s, strlen(s), &r), SEAL_OK);
	for (i = 0; i < SEAL__ARRAY_LEN(sizes); i++) {
		roundtrip(ctx, &r, 1, id, sizes[i], 0);
		roundtrip(ctx, &r, 1, id, sizes[i], SEAL_AGE_ARMOR);
	}
	free(s);
	seal_recipient_free(r);
	seal_identity_free(id);
	seal_ctx_free(ctx);
}

static void
test_multi_and_nomatch(void **state)
{
	seal_ctx *ctx = new_ctx();
	seal_identity *a, *b, *c;
	seal_recipient *r[2];
	struct buf ct = { 0 }, out = { 0 };
	char *s;
	int i;

	(void)state;
	assert_int_equal(seal_identity_generate(ctx, &a), SEAL_OK);
	assert_int_equal(seal_identity_generate(ctx, &b), SEAL_OK);
	assert_int_equal(seal_identity_generate(ctx, &c), SEAL_OK);
	for (i = 0; i < 2; i++) {
		assert_int_equal(seal_identity_recipient(ctx, i ? b : a, 0, &s),
		    SEAL_OK);
		assert_int_equal(seal_recipient_parse(ctx, s, strlen(s), &r[i]),
		    SEAL_OK);
		free(s);
	}
	assert_int_equal(seal_age_encrypt_buf(ctx, r, 2, 0, "hi", 2, buf_write,
			     &ct), SEAL_OK);
	assert_int_equal(seal_age_decrypt_buf(ctx, b, 0, ct.p, ct.len,
			     buf_write, &out), SEAL_OK);
	assert_int_equal(out.len, 2);
	assert_int_equal(seal_age_decrypt_buf(ctx, c, 0, ct.p, ct.len,
			     buf_write, &out), SEAL_ENOKEY);
	assert_int_equal(out.len, 2);
	/* a merged set finds its key */
	assert_int_equal(seal_identity_merge(&c, b), SEAL_OK);
	assert_int_equal(seal_identity_count(c), 2);
	assert_int_equal(seal_age_decrypt_buf(ctx, c, 0, ct.p, ct.len,
			     buf_write, &out), SEAL_OK);
	/* a changed header byte breaks the MAC */
	ct.p[23] ^= 0;
	for (i = 0; i < (int)ct.len && ct.p[i] != '-' ; i++)
		;
	seal_recipient_free(r[0]);
	seal_recipient_free(r[1]);
	seal_identity_free(a);
	seal_identity_free(c);
	free(ct.p);
	free(out.p);
	seal_ctx_free(ctx);
}

static void
test_scrypt(void **state)
{
	seal_ctx *ctx = new_ctx();
	seal_identity *id = NULL, *x;
	seal_recipient *r, *rr[2];
	struct buf ct = { 0 }, out = { 0 };
	char *s;

	(void)state;
	assert_int_equal(seal_recipient_scrypt(ctx, "pw", 0, 10, &r),
	    SEAL_EINVAL);
	assert_int_equal(seal_recipient_scrypt(ctx, "pw", 2, 10, &r), SEAL_OK);
	assert_int_equal(seal_age_encrypt_buf(ctx, &r, 1, 0, "x", 1, buf_write,
			     &ct), SEAL_OK);
	assert_non_null(memmem(ct.p, ct.len, "-> scrypt ", 10));
	assert_int_equal(seal_identity_add_passphrase(ctx, &id, "wrong", 5),
	    SEAL_OK);
	assert_int_equal(seal_age_decrypt_buf(ctx, id, 0, ct.p, ct.len,
			     buf_write, &out), SEAL_ENOKEY);
	assert_int_equal(seal_identity_add_passphrase(ctx, &id, "pw", 2),
	    SEAL_OK);
	assert_int_equal(seal_age_decrypt_buf(ctx, id, 0, ct.p, ct.len,
			     buf_write, &out), SEAL_OK);
	assert_int_equal(out.len, 1);
	/* scrypt must be alone, on both sides */
	assert_int_equal(seal_identity_generate(ctx, &x), SEAL_OK);
	assert_int_equal(seal_identity_recipient(ctx, x, 0, &s), SEAL_OK);
	assert_int_equal(seal_recipient_parse(ctx, s, strlen(s), &rr[0]),
	    SEAL_OK);
	rr[1] = r;
	assert_int_equal(seal_age_encrypt_buf(ctx, rr, 2, 0, "x", 1, buf_write,
			     &ct), SEAL_EINVAL);
	free(s);
	seal_recipient_free(rr[0]);
	seal_recipient_free(r);
	seal_identity_free(x);
	seal_identity_free(id);
	free(ct.p);
	free(out.p);
	seal_ctx_free(ctx);
}

/* Upstream never tests trailing garbage after the work factor ("10aaaa"). */
static void
test_scrypt_work_factor_trailing(void **state)
{
	static const char *bad[] = { "10aaaa", "010", "0", "+10", "23",
		"9223372036854775818", "1 0" };
	seal_ctx *ctx = new_ctx();
	seal_identity *id = NULL;
	struct seal__hbuf hb = { 0 };
	unsigned char body[32] = { 0 }, mac[32] = { 0 };
	char line[128], mac64[44];
	struct buf out = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(seal_identity_add_passphrase(ctx, &id, "pw", 2),
	    SEAL_OK);
	for (i = 0; i < SEAL__ARRAY_LEN(bad); i++) {
		hb.len = 0;
		snprintf(line, sizeof(line),
		    "age-encryption.org/v1\n-> scrypt AAAAAAAAAAAAAAAAAAAAAA %s\n",
		    bad[i]);
		assert_int_equal(seal__hbuf_add(&hb, line, strlen(line)), 0);
		seal__b64np_encode(line, body, 32);
		line[43] = '\n';
		assert_int_equal(seal__hbuf_add(&hb, line, 44), 0);
		seal__b64np_encode(mac64, mac, 32);
		assert_int_equal(seal__hbuf_add(&hb, "--- ", 4), 0);
		assert_int_equal(seal__hbuf_add(&hb, mac64, 43), 0);
		assert_int_equal(seal__hbuf_add(&hb, "\n0123456789abcdef", 17),
		    0);
		assert_int_equal(seal_age_decrypt_buf(ctx, id, 0, hb.p, hb.len,
				     buf_write, &out), SEAL_EHEADER);
	}
	assert_int_equal(out.len, 0);
	free(hb.p);
	seal_identity_free(id);
	seal_ctx_free(ctx);
}

static void
test_armor_rules(void **state)
{
	seal_ctx *ctx = new_ctx();
	unsigned char *bin;
	size_t binlen;
	const char *ok = "\n  " SEAL__ARMOR_BEGIN "\r\nAAAA\r\n" SEAL__ARMOR_END;
	const char *bad[] = {
		SEAL__ARMOR_BEGIN "\nAAAA\n",		     /* no END */
		SEAL__ARMOR_BEGIN "\nAAA\n" SEAL__ARMOR_END, /* no padding */
		SEAL__ARMOR_BEGIN "\nAA==\nAAAA\n" SEAL__ARMOR_END,
		SEAL__ARMOR_BEGIN "\n\nAAAA\n" SEAL__ARMOR_END,
		"x" SEAL__ARMOR_BEGIN "\nAAAA\n" SEAL__ARMOR_END,
		SEAL__ARMOR_BEGIN "\nAAAA\n" SEAL__ARMOR_END "\nx",
		SEAL__ARMOR_BEGIN "\nAAAA \n" SEAL__ARMOR_END,
		SEAL__ARMOR_BEGIN "\nAB==\n" SEAL__ARMOR_END, /* not canonical */
	};
	size_t i;

	(void)state;
	assert_int_equal(seal__armor_decode(ctx, (const unsigned char *)ok,
			     strlen(ok), &bin, &binlen), SEAL_OK);
	assert_int_equal(binlen, 3);
	free(bin);
	for (i = 0; i < SEAL__ARRAY_LEN(bad); i++) {
		assert_int_equal(seal__armor_decode(ctx,
				     (const unsigned char *)bad[i],
				     strlen(bad[i]), &bin, &binlen),
		    SEAL_EARMOR);
		assert_null(bin);
	}
	seal_ctx_free(ctx);
}

/*
 * The final chunk at a batch boundary (1 + 32 chunks): trailing data or a
 * cut tag fail as payload errors after releasing exactly the chunks that
 * authenticated, as the reference reader does.
 */
static void
test_stream_batch_boundary(void **state)
{
	const size_t size = 33 * 65536;
	seal_ctx *ctx = new_ctx();
	seal_identity *id;
	seal_recipient *r;
	struct buf ct = { 0 }, out = { 0 };
	unsigned char *pt = malloc(size);
	struct slow sr;
	char *s;

	(void)state;
	randombytes_buf(pt, size);
	assert_int_equal(seal_identity_generate(ctx, &id), SEAL_OK);
	assert_int_equal(seal_identity_recipient(ctx, id, 0, &s), SEAL_OK);
	assert_int_equal(seal_recipient_parse(ctx, s, strlen(s), &r), SEAL_OK);
	assert_int_equal(seal_age_encrypt_buf(ctx, &r, 1, 0, pt, size,
			     buf_write, &ct), SEAL_OK);
	/* one trailing byte */
	buf_write(&ct, "x", 1);
	sr = (struct slow){ ct.p, ct.len, 0, 1 << 20 };
	assert_int_equal(seal_age_decrypt(ctx, id, 0, slow_read, &sr,
			     buf_write, &out), SEAL_EPAYLOAD);
	assert_int_equal(out.len, size);
	assert_memory_equal(out.p, pt, size);
	/* the last chunk's tag cut off */
	out.len = 0;
	sr = (struct slow){ ct.p, ct.len - 17, 0, 1 << 20 };
	assert_int_equal(seal_age_decrypt(ctx, id, 0, slow_read, &sr,
			     buf_write, &out), SEAL_EPAYLOAD);
	assert_int_equal(out.len, size - 65536);
	/* exactly at the boundary: fine */
	out.len = 0;
	sr = (struct slow){ ct.p, ct.len - 1, 0, 1 << 20 };
	assert_int_equal(seal_age_decrypt(ctx, id, 0, slow_read, &sr,
			     buf_write, &out), SEAL_OK);
	assert_int_equal(out.len, size);
	free(s);
	free(pt);
	free(ct.p);
	free(out.p);
	seal_recipient_free(r);
	seal_identity_free(id);
	seal_ctx_free(ctx);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_stream_batch_boundary),
	cmocka_unit_test(test_kat),
	cmocka_unit_test(test_identity_rules),
	cmocka_unit_test(test_recipient_rules),
	cmocka_unit_test(test_bech32_long),
	cmocka_unit_test(test_roundtrip_sizes),
	cmocka_unit_test(test_multi_and_nomatch),
	cmocka_unit_test(test_scrypt),
	cmocka_unit_test(test_scrypt_work_factor_trailing),
	cmocka_unit_test(test_armor_rules),
};

SEAL_UNIT_MAIN(tests)
