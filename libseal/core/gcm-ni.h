/* SPDX-License-Identifier: ISC */
/*
 * gcm-ni.h - AES-256-GCM on AES-NI and PCLMULQDQ (gcm-ni.c), behind the
 * session of gcm.h; crypto.c falls back to OpenSSL where it is unusable.
 */
#ifndef SEAL_GCM_NI_H
#define SEAL_GCM_NI_H

#include <stdbool.h>
#include <stddef.h>

/* Expanded key and hash key: secret, keep in secure memory. */
struct seal__gcm_ni {
	unsigned char rk[15][16];
	unsigned char h[16];
};

/* Does this CPU have AES-NI, PCLMULQDQ, SSSE3 and SSE4.1? */
bool seal__gcm_ni_usable(void);
void seal__gcm_ni_init(struct seal__gcm_ni *g, const unsigned char key[32]);
void seal__gcm_ni_encrypt(const struct seal__gcm_ni *g, unsigned char *ct,
    unsigned char tag[16], const unsigned char *pt, size_t len,
    const unsigned char *iv, size_t ivlen, const unsigned char *aad,
    size_t aadlen);
/* -1 (and pt wiped) if the tag does not verify. */
int seal__gcm_ni_decrypt(const struct seal__gcm_ni *g, unsigned char *pt,
    const unsigned char *ct, size_t len, const unsigned char tag[16],
    const unsigned char *iv, size_t ivlen, const unsigned char *aad,
    size_t aadlen);

#endif
