/* SPDX-License-Identifier: ISC */
/*
 * crypto.c - symmetric primitives that libsodium 1.0.18 lacks or that SOPS
 * needs in a form libsodium cannot give: HKDF-SHA-256 (built on libsodium's
 * HMAC, RFC 5869), AES-256-GCM with 32-byte IVs (OpenSSL EVP), incremental
 * SHA-256/512. This is the only file of libseal/ that includes OpenSSL
 * headers besides age-ssh's RSA-OAEP.
 */
#include "config.h"

#include <pthread.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "core/gcm.h"
#include "core/core.h"

int
seal__hmac_sha256(unsigned char out[32], const unsigned char *key,
    size_t keylen, const unsigned char *msg, size_t msglen)
{
	crypto_auth_hmacsha256_state st;

	if (crypto_auth_hmacsha256_init(&st, key, keylen) != 0 ||
	    crypto_auth_hmacsha256_update(&st, msg, msglen) != 0 ||
	    crypto_auth_hmacsha256_final(&st, out) != 0) {
		sodium_memzero(&st, sizeof(st));
		return -1;
	}
	sodium_memzero(&st, sizeof(st));
	return 0;
}

int
seal__hkdf_sha256(unsigned char *out, size_t outlen,
    const unsigned char *ikm, size_t ikmlen,
    const unsigned char *salt, size_t saltlen,
    const char *info, size_t infolen)
{
	static const unsigned char zero_salt[32];
	crypto_auth_hmacsha256_state st;
	unsigned char prk[32], t[32];
	unsigned char ctr;
	size_t done = 0, n;
	int rc = -1;

	if (outlen > 255 * 32)
		return -1;
	if (salt == NULL || saltlen == 0) {
		salt = zero_salt;
		saltlen = sizeof(zero_salt);
	}
	/* Extract: PRK = HMAC(salt, IKM) */
	if (crypto_auth_hmacsha256_init(&st, salt, saltlen) != 0 ||
	    crypto_auth_hmacsha256_update(&st, ikm, ikmlen) != 0 ||
	    crypto_auth_hmacsha256_final(&st, prk) != 0)
		goto out;
	/* Expand: T(i) = HMAC(PRK, T(i-1) | info | i) */
	for (ctr = 1; done < outlen; ctr++) {
		if (crypto_auth_hmacsha256_init(&st, prk, sizeof(prk)) != 0)
			goto out;
		if (ctr > 1 &&
		    crypto_auth_hmacsha256_update(&st, t, sizeof(t)) != 0)
			goto out;
		if (crypto_auth_hmacsha256_update(&st,
			(const unsigned char *)info, infolen) != 0 ||
		    crypto_auth_hmacsha256_update(&st, &ctr, 1) != 0 ||
		    crypto_auth_hmacsha256_final(&st, t) != 0)
			goto out;
		n = outlen - done < sizeof(t) ? outlen - done : sizeof(t);
		memcpy(out + done, t, n);
		done += n;
	}
	rc = 0;
out:
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return rc;
}

/*
 * OpenSSL 3 looks algorithms up by name on every implicit fetch; fetch
 * AES-256-GCM once (a measurable share of a small document's decrypt).
 * The library leaves OpenSSL's initialisation (and whether openssl.cnf
 * is read, which is the host program's policy: FIPS, providers) to the
 * program; the seal tools start it without the config file.
 */
static EVP_CIPHER *gcm;
static pthread_once_t gcm_once = PTHREAD_ONCE_INIT;

static void
gcm_fetch(void)
{
	gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

/*
 * AES-256-GCM goes through OpenSSL's EVP interface only: no cipher,
 * authenticator or tag logic of our own. A session is one cipher
 * context whose key schedule is set once, when the session is made (the
 * key is not kept); each value re-initialises only the direction and the IV
 * (EVP_CipherInit_ex with a NULL key, after EVP_CTRL_GCM_SET_IVLEN when
 * the length changes), which also resets the authenticator. GCM runs AES
 * forwards in both directions, so one schedule serves encrypt and
 * decrypt. Setting up a context and expanding the key for every value
 * was most of the cost of the SOPS walk on many small values.
 */
#define GCM_DEFAULT_IVLEN 32 /* SOPS */

struct seal__gcm {
	EVP_CIPHER_CTX *c;
	size_t ivlen;
};

struct seal__gcm *
seal__gcm_new(const unsigned char key[32])
{
	struct seal__gcm *g;

	pthread_once(&gcm_once, gcm_fetch);
	if (gcm == NULL)
		return NULL;
	g = seal__secalloc(sizeof(*g));
	if (g == NULL)
		return NULL;
	g->c = EVP_CIPHER_CTX_new();
	if (g->c == NULL ||
	    EVP_CipherInit_ex(g->c, gcm, NULL, NULL, NULL, 1) != 1 ||
	    EVP_CIPHER_CTX_ctrl(g->c, EVP_CTRL_GCM_SET_IVLEN,
		GCM_DEFAULT_IVLEN, NULL) != 1 ||
	    EVP_CipherInit_ex(g->c, NULL, NULL, key, NULL, 1) != 1) {
		seal__gcm_free(g);
		return NULL;
	}
	g->ivlen = GCM_DEFAULT_IVLEN;
	return g;
}

void
seal__gcm_free(struct seal__gcm *g)
{
	if (g == NULL)
		return;
	EVP_CIPHER_CTX_free(g->c); /* clears the key schedule */
	seal__secfree(g);	   /* wipes */
}

/* The context, positioned at a fresh message for enc with iv and aad. */
static EVP_CIPHER_CTX *
gcm_start(struct seal__gcm *g, int enc, const unsigned char *iv,
    size_t ivlen, const unsigned char *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c = g->c;
	int outl;

	if (ivlen == 0 || ivlen > 1024 || aadlen > INT_MAX)
		return NULL;
	if (ivlen != g->ivlen) {
		if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, (int)ivlen,
			NULL) != 1)
			return NULL;
		g->ivlen = ivlen;
	}
	if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, enc) != 1)
		return NULL;
	if (aadlen > 0 &&
	    EVP_CipherUpdate(c, NULL, &outl, aad, (int)aadlen) != 1)
		return NULL;
	return c;
}

int
seal__gcm_encrypt(struct seal__gcm *g, unsigned char *ct,
    unsigned char tag[16], const unsigned char *pt, size_t ptlen,
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c;
	int outl;

	if (ptlen > INT_MAX)
		return -1;
	c = gcm_start(g, 1, iv, ivlen, aad, aadlen);
	if (c == NULL)
		return -1;
	if (ptlen > 0 && EVP_EncryptUpdate(c, ct, &outl, pt, (int)ptlen) != 1)
		return -1;
	if (EVP_EncryptFinal_ex(c, ct + ptlen, &outl) != 1)
		return -1;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		return -1;
	return 0;
}

/*
 * The tag is checked by OpenSSL's EVP_DecryptFinal_ex, in constant time
 * (CRYPTO_memcmp); on any failure the output is wiped, so no
 * unauthenticated plaintext is ever released.
 */
int
seal__gcm_decrypt(struct seal__gcm *g, unsigned char *pt,
    const unsigned char *ct, size_t ctlen, const unsigned char tag[16],
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c;
	unsigned char tagcopy[16];
	int outl, rc = -1;

	if (ctlen > INT_MAX)
		return -1;
	c = gcm_start(g, 0, iv, ivlen, aad, aadlen);
	if (c == NULL)
		goto out;
	memcpy(tagcopy, tag, 16);
	if (ctlen > 0 && EVP_DecryptUpdate(c, pt, &outl, ct, (int)ctlen) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tagcopy) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(c, pt + ctlen, &outl) != 1)
		goto out;
	rc = 0;
out:
	if (rc != 0 && ctlen > 0)
		sodium_memzero(pt, ctlen); /* never release unauthenticated */
	return rc;
}

/*
 * One-shot forms: a session for one value (tag_out when encrypting,
 * tag_in when decrypting).
 */
static int
gcm_one_value(int enc, unsigned char *out, unsigned char *tag_out,
    const unsigned char *tag_in, const unsigned char *in, size_t len,
    const unsigned char key[32], const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen)
{
	struct seal__gcm *g = seal__gcm_new(key);
	int rc;

	if (g == NULL)
		return -1;
	rc = enc ? seal__gcm_encrypt(g, out, tag_out, in, len, iv, ivlen, aad,
		       aadlen)
		 : seal__gcm_decrypt(g, out, in, len, tag_in, iv, ivlen, aad,
		       aadlen);
	seal__gcm_free(g);
	return rc;
}

int
seal__aes256gcm_encrypt(unsigned char *ct, unsigned char tag[16],
    const unsigned char *pt, size_t ptlen, const unsigned char key[32],
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen)
{
	return gcm_one_value(1, ct, tag, NULL, pt, ptlen, key, iv, ivlen, aad,
	    aadlen);
}

int
seal__aes256gcm_decrypt(unsigned char *pt, const unsigned char *ct,
    size_t ctlen, const unsigned char tag[16], const unsigned char key[32],
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen)
{
	return gcm_one_value(0, pt, NULL, tag, ct, ctlen, key, iv, ivlen, aad,
	    aadlen);
}

struct seal__hash {
	int is512;
	union {
		crypto_hash_sha512_state s512;
		crypto_hash_sha256_state s256;
	} u;
};

struct seal__hash *
seal__sha512_new(void)
{
	struct seal__hash *h = malloc(sizeof(*h));

	if (h == NULL)
		return NULL;
	h->is512 = 1;
	crypto_hash_sha512_init(&h->u.s512);
	return h;
}

struct seal__hash *
seal__sha256_new(void)
{
	struct seal__hash *h = malloc(sizeof(*h));

	if (h == NULL)
		return NULL;
	h->is512 = 0;
	crypto_hash_sha256_init(&h->u.s256);
	return h;
}

int
seal__hash_update(struct seal__hash *h, const void *p, size_t n)
{
	if (h->is512)
		return crypto_hash_sha512_update(&h->u.s512, p, n);
	return crypto_hash_sha256_update(&h->u.s256, p, n);
}

int
seal__hash_final(struct seal__hash *h, unsigned char *out)
{
	int rc;

	if (h->is512)
		rc = crypto_hash_sha512_final(&h->u.s512, out);
	else
		rc = crypto_hash_sha256_final(&h->u.s256, out);
	seal__hash_free(h);
	return rc;
}

void
seal__hash_free(struct seal__hash *h)
{
	if (h == NULL)
		return;
	sodium_memzero(h, sizeof(*h));
	free(h);
}
