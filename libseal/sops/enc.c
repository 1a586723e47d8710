/* SPDX-License-Identifier: ISC */
/*
 * sops/enc.c - the ENC[AES256_GCM,data:,iv:,tag:,type:] value codec:
 * strict parsing, AES-256-GCM with 32-byte IVs and the path AAD, and
 * strict standard base64. It knows nothing of trees or of the MAC.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sops/sops.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * ENC fields hold ciphertext, IVs and tags, which are public: a table
 * lookup is fine here (secret strings never pass through this decoder).
 */
/* clang-format off */
static const signed char dtab[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};
/* clang-format on */

int
seal__sops_b64_decode(unsigned char *out, size_t outcap, size_t *outlen,
    const char *in, size_t inlen)
{
	size_t i, o = 0, pad = 0;
	uint32_t acc;
	int v, k;

	if (inlen % 4 != 0)
		return -1;
	if (inlen >= 1 && in[inlen - 1] == '=')
		pad++;
	if (pad == 1 && inlen >= 2 && in[inlen - 2] == '=')
		pad++;
	if (inlen / 4 * 3 - pad > outcap)
		return -1;
	for (i = 0; i < inlen; i += 4) {
		acc = 0;
		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in[i + k];
			if (c == '=' && i + 4 == inlen && k >= 4 - (int)pad) {
				v = 0;
			} else {
				v = dtab[c];
				if (v < 0)
					return -1;
			}
			acc = (acc << 6) | (uint32_t)v;
		}
		out[o++] = (unsigned char)(acc >> 16);
		if (i + 4 < inlen || pad < 2)
			out[o++] = (unsigned char)(acc >> 8);
		if (i + 4 < inlen || pad < 1)
			out[o++] = (unsigned char)acc;
		/* strict: the bits under the padding must be zero */
		if (i + 4 == inlen &&
		    ((pad == 1 && (acc & 0xff)) ||
		        (pad == 2 && (acc & 0xffff))))
			return -1;
	}
	*outlen = o;
	return 0;
}

size_t
seal__sops_b64_encode(char *out, const unsigned char *in, size_t inlen)
{
	size_t i, o = 0;
	uint32_t acc;

	for (i = 0; i + 3 <= inlen; i += 3) {
		acc = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64chars[(acc >> 18) & 63];
		out[o++] = b64chars[(acc >> 12) & 63];
		out[o++] = b64chars[(acc >> 6) & 63];
		out[o++] = b64chars[acc & 63];
	}
	if (inlen - i == 1) {
		acc = (uint32_t)in[i] << 16;
		out[o++] = b64chars[(acc >> 18) & 63];
		out[o++] = b64chars[(acc >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (inlen - i == 2) {
		acc = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[(acc >> 18) & 63];
		out[o++] = b64chars[(acc >> 12) & 63];
		out[o++] = b64chars[(acc >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/*
 * Validate a base64 field without decoding it: alphabet, length, padding
 * only at the end, zero bits under the padding. Decoded length out.
 */
static int
b64_check(const char *s, size_t n, size_t *declen)
{
	size_t i, pad = 0;
	unsigned char tail[4];
	size_t got;

	if (n % 4 != 0)
		return -1;
	if (n >= 1 && s[n - 1] == '=')
		pad++;
	if (pad && n >= 2 && s[n - 2] == '=')
		pad++;
	for (i = 0; i + 4 < n; i++)
		if (dtab[(unsigned char)s[i]] < 0)
			return -1;
	/* the last quad through the strict decoder */
	if (n > 0 &&
	    seal__sops_b64_decode(tail, sizeof(tail), &got, s + n - 4, 4) != 0)
		return -1;
	*declen = n / 4 * 3 - pad;
	return 0;
}

static const struct {
	const char *name;
	enum seal__type type;
	bool comment;
} types[] = {
    {"str", SEAL_T_STR, false},
    {"int", SEAL_T_INT, false},
    {"float", SEAL_T_FLOAT, false},
    {"bool", SEAL_T_BOOL, false},
    {"time", SEAL_T_TIME, false},
    {"bytes", SEAL_T_BYTES, false},
    {"comment", SEAL_T_STR, true},
};

const char *
seal__enc_type_name(enum seal__type type, bool comment)
{
	size_t i;

	if (comment)
		return "comment";
	for (i = 0; i < SEAL__ARRAY_LEN(types); i++)
		if (types[i].type == type && !types[i].comment)
			return type == SEAL_T_BYTES ? "str" : types[i].name;
	return "str";
}

bool
seal__enc_looks(const char *s, size_t len)
{
	return len >= 4 && memcmp(s, "ENC[", 4) == 0;
}

/* Find needle in [s, s+n) from the left; NULL if absent. */
static const char *
find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

seal_rc
seal__enc_parse(seal_ctx *ctx, const char *s, size_t len, const char *what,
    struct seal__enc *out)
{
	static const char pfx[] = "ENC[AES256_GCM,data:";
	const char *p, *end, *iv, *tag, *type;
	size_t i, tlen, taglen;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(pfx) - 1 || memcmp(s, pfx, sizeof(pfx) - 1) != 0)
		return seal__err(ctx, SEAL_EFORMAT,
		    "malformed ENC value %s: expected 'ENC[AES256_GCM,data:'",
		    what);
	if (s[len - 1] != ']')
		return seal__err(ctx, SEAL_EFORMAT,
		    "malformed ENC value %s: missing closing ']'", what);
	p = s + sizeof(pfx) - 1;
	end = s + len - 1;
	iv = find(p, (size_t)(end - p), ",iv:");
	tag = iv ? find(iv, (size_t)(end - iv), ",tag:") : NULL;
	type = tag ? find(tag, (size_t)(end - tag), ",type:") : NULL;
	if (iv == NULL || tag == NULL || type == NULL)
		return seal__err(ctx, SEAL_EFORMAT,
		    "malformed ENC value %s: missing iv, tag or type", what);
	out->data = p;
	out->data_b64 = (size_t)(iv - p);
	out->iv = iv + 4;
	out->iv_b64 = (size_t)(tag - out->iv);
	out->tag = tag + 5;
	out->tag_b64 = (size_t)(type - out->tag);
	type += 6;
	tlen = (size_t)(end - type);
	if (b64_check(out->data, out->data_b64, &out->data_len) != 0)
		return seal__err(ctx, SEAL_EFORMAT,
		    "malformed ENC value %s: bad base64 in data", what);
	if (b64_check(out->iv, out->iv_b64, &out->iv_len) != 0 ||
	    out->iv_len == 0)
		return seal__err(
		    ctx, SEAL_EFORMAT, "malformed ENC value %s: bad iv", what);
	if (b64_check(out->tag, out->tag_b64, &taglen) != 0 ||
	    taglen != SEAL_SOPS_TAG_BYTES)
		return seal__err(ctx, SEAL_EFORMAT,
		    "malformed ENC value %s: bad tag (want 16 bytes)", what);
	for (i = 0; i < SEAL__ARRAY_LEN(types); i++) {
		if (strlen(types[i].name) == tlen &&
		    memcmp(types[i].name, type, tlen) == 0) {
			out->type = types[i].type;
			out->comment = types[i].comment;
			return SEAL_OK;
		}
	}
	return seal__err(
	    ctx, SEAL_EFORMAT, "malformed ENC value %s: unknown type", what);
}

size_t
seal__enc_size(size_t ptlen)
{
	/* prefix + data + iv + tag + type + ']' + NUL, generously */
	return 64 + (ptlen + 2) / 3 * 4 + 44 + 24 + 16;
}

/* Values up to this size need no heap buffer for their ciphertext. */
#define SMALL_VALUE 1024u

seal_rc
seal__enc_encrypt_g(seal_ctx *ctx, struct seal__gcm *g,
    const unsigned char iv[SEAL_SOPS_IV_BYTES], const void *pt, size_t ptlen,
    const char *aad, size_t aadlen, enum seal__type type, bool comment,
    char *out, size_t *outlen)
{
	unsigned char tag[SEAL_SOPS_TAG_BYTES], small[SMALL_VALUE];
	unsigned char *ct = small;
	const char *tn;
	size_t o, tl;

	/* the ciphertext is not secret: plain memory is fine */
	if (ptlen > sizeof(small) && (ct = malloc(ptlen)) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	if (seal__gcm_encrypt(g, ct, tag, pt, ptlen, iv, SEAL_SOPS_IV_BYTES,
	        (const unsigned char *)aad, aadlen) != 0) {
		if (ct != small)
			free(ct);
		return seal__err(ctx, SEAL_EIO, "AES-GCM encryption failed");
	}
	memcpy(out, "ENC[AES256_GCM,data:", 20);
	o = 20;
	o += seal__sops_b64_encode(out + o, ct, ptlen);
	memcpy(out + o, ",iv:", 4);
	o += 4;
	o += seal__sops_b64_encode(out + o, iv, SEAL_SOPS_IV_BYTES);
	memcpy(out + o, ",tag:", 5);
	o += 5;
	o += seal__sops_b64_encode(out + o, tag, sizeof(tag));
	memcpy(out + o, ",type:", 6);
	o += 6;
	tn = seal__enc_type_name(type, comment);
	tl = strlen(tn);
	memcpy(out + o, tn, tl);
	o += tl;
	out[o++] = ']';
	out[o] = '\0';
	*outlen = o;
	if (ct != small)
		free(ct);
	return SEAL_OK;
}

seal_rc
seal__enc_encrypt(seal_ctx *ctx, const unsigned char key[32],
    const unsigned char iv[SEAL_SOPS_IV_BYTES], const void *pt, size_t ptlen,
    const char *aad, size_t aadlen, enum seal__type type, bool comment,
    char *out, size_t *outlen)
{
	struct seal__gcm *g = seal__gcm_new(key);
	seal_rc rc;

	if (g == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	rc = seal__enc_encrypt_g(ctx, g, iv, pt, ptlen, aad, aadlen, type,
	    comment, out, outlen);
	seal__gcm_free(g);
	return rc;
}

/* Decode a field known (by seal__enc_parse) to be valid base64. */
static int
b64_field(unsigned char *out, size_t cap, size_t *n, const char *s, size_t len)
{
	return seal__sops_b64_decode(out, cap, n, s, len);
}

seal_rc
seal__enc_decrypt_g(seal_ctx *ctx, struct seal__gcm *g,
    const struct seal__enc *e, const char *aad, size_t aadlen,
    struct seal__secbuf *pt, unsigned char iv_out[SEAL_SOPS_IV_BYTES],
    bool *iv_ok)
{
	unsigned char tag[SEAL_SOPS_TAG_BYTES + 2];
	unsigned char ivbuf[256], *iv = ivbuf, small[SMALL_VALUE + 3];
	unsigned char *ct = small;
	size_t n, ctn;
	seal_rc rc = SEAL_OK;

	if (iv_ok != NULL)
		*iv_ok = false;
	seal__secbuf_reset(pt);
	if (e->iv_len > sizeof(ivbuf)) {
		iv = malloc(e->iv_len + 2);
		if (iv == NULL)
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	if (e->data_len > SMALL_VALUE &&
	    (ct = malloc(e->data_len + 3)) == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	if (b64_field(iv, e->iv_len + 2, &n, e->iv, e->iv_b64) != 0 ||
	    b64_field(tag, sizeof(tag), &n, e->tag, e->tag_b64) != 0 ||
	    b64_field(ct, e->data_len + 3, &ctn, e->data, e->data_b64) != 0) {
		rc = seal__err(ctx, SEAL_EFORMAT, "malformed ENC value");
		goto out;
	}
	if (seal__secbuf_reserve(pt, ctn + 1) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of secure memory");
		goto out;
	}
	if (seal__gcm_decrypt(g, pt->buf, ct, ctn, tag, iv, e->iv_len,
	        (const unsigned char *)aad, aadlen) != 0) {
		sodium_memzero(pt->buf, ctn);
		rc = SEAL_EAUTH;
		goto out;
	}
	pt->len = ctn;
	pt->buf[ctn] = '\0';
	if (iv_out != NULL && e->iv_len == SEAL_SOPS_IV_BYTES) {
		memcpy(iv_out, iv, SEAL_SOPS_IV_BYTES);
		if (iv_ok != NULL)
			*iv_ok = true;
	}
out:
	if (iv != ivbuf)
		free(iv);
	if (ct != small)
		free(ct);
	return rc;
}

seal_rc
seal__enc_decrypt(seal_ctx *ctx, const unsigned char key[32],
    const struct seal__enc *e, const char *aad, size_t aadlen,
    struct seal__secbuf *pt, unsigned char iv_out[SEAL_SOPS_IV_BYTES],
    bool *iv_ok)
{
	struct seal__gcm *g = seal__gcm_new(key);
	seal_rc rc;

	if (g == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	rc = seal__enc_decrypt_g(ctx, g, e, aad, aadlen, pt, iv_out, iv_ok);
	seal__gcm_free(g);
	return rc;
}
