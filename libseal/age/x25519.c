/* SPDX-License-Identifier: ISC */
/*
 * age/x25519.c - the native X25519 stanza: wrap a file key for an
 * "age1..." recipient, unwrap it with an "AGE-SECRET-KEY-1..." identity.
 * Structural checks on a recognised stanza are fatal (header failure);
 * an AEAD failure only means "not for this identity".
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "age/age.h"

#define X25519_INFO "age-encryption.org/v1/X25519"

static const unsigned char zero_nonce[12];

static int
wrap_key(unsigned char key[32], const unsigned char shared[32],
    const unsigned char epk[32], const unsigned char rpk[32])
{
	unsigned char salt[64];

	memcpy(salt, epk, 32);
	memcpy(salt + 32, rpk, 32);
	return seal__hkdf_sha256(key, 32, shared, 32, salt, sizeof(salt),
	    X25519_INFO, sizeof(X25519_INFO) - 1);
}

seal_rc
seal__x25519_wrap(seal_ctx *ctx, const seal_recipient *r,
    const unsigned char *fk, struct seal__hbuf *hb)
{
	unsigned char esk[32], epk[32], shared[32], key[32], body[32];
	char epk64[44];
	const char *args[2] = { "X25519", epk64 };
	seal_rc rc = SEAL_OK;

	randombytes_buf(esk, sizeof(esk));
	if (crypto_scalarmult_base(epk, esk) != 0 ||
	    crypto_scalarmult(shared, esk, r->pk) != 0) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "cannot encrypt to '%s': low-order recipient key", r->str);
		goto out;
	}
	if (wrap_key(key, shared, epk, r->pk) != 0 ||
	    crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, fk,
		SEAL__AGE_FILE_KEY, NULL, 0, NULL, zero_nonce, key) != 0) {
		rc = seal__err(ctx, SEAL_EKEY, "cannot wrap the file key");
		goto out;
	}
	seal__b64np_encode(epk64, epk, 32);
	epk64[43] = '\0';
	if (seal__hbuf_stanza(hb, args, 2, body, sizeof(body)) != 0)
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
out:
	sodium_memzero(esk, sizeof(esk));
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(key, sizeof(key));
	return rc;
}

seal_rc
seal__x25519_unwrap(seal_ctx *ctx, const struct seal__age_id *id,
    const struct seal__age_header *h, const struct seal__stanza *s,
    unsigned char *fk)
{
	unsigned char epk[32], shared[32], key[32];
	const struct seal__age_arg *a = &h->args[s->arg0];
	size_t got;
	seal_rc rc;

	if (s->nargs != 2)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed X25519 stanza: %zu arguments, want 1",
		    s->nargs - 1);
	if (seal__b64np_decode(epk, sizeof(epk), &got, a[1].p, a[1].len) != 0 ||
	    got != 32)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed X25519 stanza: bad ephemeral share");
	if (s->bodylen != 32)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed X25519 stanza: body is %zu bytes, want 32",
		    s->bodylen);
	if (crypto_scalarmult(shared, id->sk, epk) != 0) {
		rc = seal__err(ctx, SEAL_EHEADER,
		    "malformed X25519 stanza: low-order ephemeral share");
		goto out;
	}
	if (wrap_key(key, shared, epk, id->pk) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "key derivation failed");
		goto out;
	}
	if (crypto_aead_chacha20poly1305_ietf_decrypt(fk, NULL, NULL,
		h->bodies + s->body, 32, NULL, 0, zero_nonce, key) != 0)
		rc = SEAL_ENOKEY;
	else
		rc = SEAL_OK;
out:
	sodium_memzero(shared, sizeof(shared));
	sodium_memzero(key, sizeof(key));
	return rc;
}
