/* SPDX-License-Identifier: ISC */
/*
 * age/aead.c - ChaCha20-Poly1305 (RFC 8439) for STREAM chunks through
 * OpenSSL's EVP, whose AVX-512/AVX2 code runs several times faster than
 * libsodium 1.0.18's here. One context per thread, key set once, a new
 * nonce per chunk. The context holds the payload key: free it promptly
 * (EVP_CIPHER_CTX_free cleanses it).
 */
#include "config.h"

#include <openssl/evp.h>

#include "age/age.h"

int
seal__aead_init(struct seal__aead *a, const unsigned char key[32], int enc)
{
	a->ctx = EVP_CIPHER_CTX_new();
	if (a->ctx == NULL)
		return -1;
	if (EVP_CipherInit_ex(a->ctx, EVP_chacha20_poly1305(), NULL, key,
		NULL, enc) != 1) {
		EVP_CIPHER_CTX_free(a->ctx);
		a->ctx = NULL;
		return -1;
	}
	return 0;
}

void
seal__aead_free(struct seal__aead *a)
{
	EVP_CIPHER_CTX_free(a->ctx);
	a->ctx = NULL;
}

int
seal__aead_seal(struct seal__aead *a, unsigned char *ct,
    const unsigned char *pt, size_t n, const unsigned char nonce[12])
{
	int len = 0, fin = 0;

	if (n > 0x7fffffff ||
	    EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, -1) != 1 ||
	    (n > 0 && EVP_CipherUpdate(a->ctx, ct, &len, pt, (int)n) != 1) ||
	    EVP_CipherFinal_ex(a->ctx, ct + len, &fin) != 1 ||
	    (size_t)(len + fin) != n ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, 16, ct + n) != 1)
		return -1;
	return 0;
}

/*
 * Open n bytes of ciphertext plus tag. On failure pt may hold
 * unauthenticated bytes: the caller must not release them (and wipes).
 */
int
seal__aead_open(struct seal__aead *a, unsigned char *pt,
    const unsigned char *ct, size_t n, const unsigned char nonce[12])
{
	int len = 0, fin = 0;

	if (n < 16 || n - 16 > 0x7fffffff)
		return -1;
	n -= 16;
	if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, -1) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, 16,
		(void *)(ct + n)) != 1 ||
	    (n > 0 && EVP_CipherUpdate(a->ctx, pt, &len, ct, (int)n) != 1) ||
	    EVP_CipherFinal_ex(a->ctx, pt + len, &fin) != 1 ||
	    (size_t)(len + fin) != n)
		return -1;
	return 0;
}
