/* SPDX-License-Identifier: ISC */
/*
 * age/scrypt.c - the scrypt (passphrase) stanza: wrap with a random salt
 * and a work factor, unwrap with strict checks (canonical 16-byte salt,
 * decimal work factor without leading zero, capped at 2^22). The "must be
 * alone" rule is enforced at header level in age.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "age/age.h"

#define SCRYPT_LABEL "age-encryption.org/v1/scrypt"

static const unsigned char zero_nonce[12];

static int
derive(unsigned char key[32], const unsigned char *pass, size_t passlen,
    const unsigned char salt16[16], int log2n)
{
	unsigned char salt[sizeof(SCRYPT_LABEL) - 1 + 16];

	memcpy(salt, SCRYPT_LABEL, sizeof(SCRYPT_LABEL) - 1);
	memcpy(salt + sizeof(SCRYPT_LABEL) - 1, salt16, 16);
	return crypto_pwhash_scryptsalsa208sha256_ll(pass, passlen, salt,
	    sizeof(salt), (uint64_t)1 << log2n, 8, 1, key, 32);
}

seal_rc
seal__scrypt_wrap(seal_ctx *ctx, const seal_recipient *r,
    const unsigned char *fk, struct seal__hbuf *hb)
{
	unsigned char salt[16], key[32], body[32];
	char salt64[23], wf[8];
	const char *args[3] = { "scrypt", salt64, wf };
	seal_rc rc = SEAL_OK;

	randombytes_buf(salt, sizeof(salt));
	if (derive(key, (const unsigned char *)r->pass, r->passlen, salt,
		r->log2n) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM,
		    "scrypt failed (work factor %d)", r->log2n);
		goto out;
	}
	if (crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, fk,
		SEAL__AGE_FILE_KEY, NULL, 0, NULL, zero_nonce, key) != 0) {
		rc = seal__err(ctx, SEAL_EKEY, "cannot wrap the file key");
		goto out;
	}
	seal__b64np_encode(salt64, salt, 16);
	salt64[22] = '\0';
	snprintf(wf, sizeof(wf), "%d", r->log2n);
	if (seal__hbuf_stanza(hb, args, 3, body, sizeof(body)) != 0)
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
out:
	sodium_memzero(key, sizeof(key));
	return rc;
}

static int
parse_work_factor(const struct seal__age_arg *a, int *out)
{
	size_t i;
	int v = 0;

	if (a->len == 0 || a->len > 2 || a->p[0] < '1' || a->p[0] > '9')
		return a->len > 2 && a->p[0] >= '1' && a->p[0] <= '9' ? 1 : -1;
	for (i = 0; i < a->len; i++) {
		if (a->p[i] < '0' || a->p[i] > '9')
			return -1;
		v = v * 10 + (a->p[i] - '0');
	}
	*out = v;
	return 0;
}

seal_rc
seal__scrypt_unwrap(seal_ctx *ctx, const struct seal__age_id *id,
    const struct seal__age_header *h, const struct seal__stanza *s,
    unsigned char *fk)
{
	const struct seal__age_arg *a = &h->args[s->arg0];
	unsigned char salt[16], key[32];
	size_t got, i;
	int log2n = 0, r;
	seal_rc rc;

	if (s->nargs != 3)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed scrypt stanza: %zu arguments, want 2",
		    s->nargs - 1);
	if (seal__b64np_decode(salt, sizeof(salt), &got, a[1].p, a[1].len) !=
		0 ||
	    got != 16)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed scrypt stanza: bad salt");
	r = parse_work_factor(&a[2], &log2n);
	if (r > 0) {
		/* all digits but too long: over the cap if well formed */
		for (i = 0; i < a[2].len; i++)
			if (a[2].p[i] < '0' || a[2].p[i] > '9')
				r = -1;
		if (r > 0)
			log2n = 99;
	}
	if (r < 0)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed scrypt stanza: bad work factor");
	if (log2n > SEAL_AGE_SCRYPT_MAX_LOG2N)
		return seal__err(ctx, SEAL_EHEADER,
		    "scrypt work factor 2^%d over the limit 2^%d", log2n,
		    SEAL_AGE_SCRYPT_MAX_LOG2N);
	if (s->bodylen != 32)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed scrypt stanza: body is %zu bytes, want 32",
		    s->bodylen);
	if (derive(key, id->sk, id->sklen, salt, log2n) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM,
		    "scrypt failed (work factor %d)", log2n);
		goto out;
	}
	if (crypto_aead_chacha20poly1305_ietf_decrypt(fk, NULL, NULL,
		h->bodies + s->body, 32, NULL, 0, zero_nonce, key) != 0)
		rc = SEAL_ENOKEY;
	else
		rc = SEAL_OK;
out:
	sodium_memzero(key, sizeof(key));
	return rc;
}
