/* SPDX-License-Identifier: ISC */
/*
 * gcm.h - an AES-256-GCM session (crypto.c): the key schedule is set up
 * once and each value only changes the IV, for the SOPS walk, which
 * seals or opens every value of a document under one data key. Not for
 * the age layer (ChaCha20-Poly1305).
 */
#ifndef SEAL_GCM_H
#define SEAL_GCM_H

#include <stddef.h>

struct seal__gcm;

/* A session for key (its schedule set in one OpenSSL cipher context; the
 * key itself is not kept); NULL on failure. */
struct seal__gcm *seal__gcm_new(const unsigned char key[32]);
/* Frees the context, which clears the key schedule. NULL is a no-op. */
void seal__gcm_free(struct seal__gcm *g);
/* As seal__aes256gcm_encrypt/decrypt, with the session's key. */
int seal__gcm_encrypt(struct seal__gcm *g, unsigned char *ct,
    unsigned char tag[16], const unsigned char *pt, size_t ptlen,
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen);
int seal__gcm_decrypt(struct seal__gcm *g, unsigned char *pt,
    const unsigned char *ct, size_t ctlen, const unsigned char tag[16],
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen);

#endif
