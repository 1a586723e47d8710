/* SPDX-License-Identifier: ISC */
/*
 * core/core.h - declarations shared between libseal's files. Never
 * installed. Internal cross-file names are seal__*, so a grep tells them
 * from the public seal_* API and the export regex skips them.
 *
 * Invariants every file keeps:
 *   - secret bytes (keys, file keys, data keys, plaintext values) live
 *     only in memory from seal__secalloc() or in a seal__secbuf, or in
 *     fixed-size stack arrays wiped with sodium_memzero() right after
 *     last use and again at the function's out: label;
 *   - secrets are compared with sodium_memcmp(), never memcmp();
 *   - a secret buffer grows by allocate-copy-wipe-free, never realloc();
 *   - error messages name the subject and never include secret bytes.
 */
#ifndef SEAL_INTERNAL_H
#define SEAL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seal.h>

#define SEAL_ERRMSG_MAX 512

struct seal_ctx {
	seal_rc last_rc;
	char errmsg[SEAL_ERRMSG_MAX];
};

/* ctx.c ------------------------------------------------------------------ */

/*
 * Record an error on ctx (which may be NULL) and return rc, so callers can
 * write `return seal__err(ctx, SEAL_EPARSE, "bad '%s'", field);`.
 * Control characters in the formatted text are replaced by '?'.
 */
seal_rc seal__err(seal_ctx *ctx, seal_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
seal_rc seal__verr(seal_ctx *ctx, seal_rc rc, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Prefix the current message: "<prefix>: <old message>". */
void seal__err_prefix(seal_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Copy at most max bytes of untrusted text for a message, escaping. */
void seal__quote(char *dst, size_t dstlen, const char *src, size_t srclen);

/* secmem.c --------------------------------------------------------------- */

/*
 * Guarded, locked memory for secrets (sodium_malloc). Dies never: returns
 * NULL on failure. seal__secfree wipes and frees; NULL is a no-op. Each
 * allocation costs 3-4 pages: use for keys and arenas, not per value.
 */
void *seal__secalloc(size_t len);
void seal__secfree(void *p);
/* Number of live seal__secalloc blocks (tests assert 0 at teardown). */
long seal__secmem_live(void);
/*
 * Big streaming buffers (MiB): 2 MiB-aligned on transparent huge pages
 * (one fault per 2 MiB), out of core dumps, not locked. Free with the
 * length asked for; the first `used` bytes are wiped.
 */
void *seal__bigalloc(size_t len);
void seal__bigfree(void *p, size_t len, size_t used);

/* bigmem.c: blocks on transparent huge pages, for big arenas and tables */
struct seal__bigmem {
	void *raw;
	size_t rawlen;
	unsigned char *p;	/* len usable bytes, huge-page aligned */
	size_t len;
	bool secret;		/* guard pages, mlock, no dump, wiped */
	bool locked;
};
/* Zero-filled block of at least len bytes (m->len); -1 on failure. */
int seal__bigmem_alloc(struct seal__bigmem *m, size_t len, bool secret);
/* Unmap; a secret block is wiped up to used bytes first. */
void seal__bigmem_free(struct seal__bigmem *m, size_t used);

/*
 * A growable secret buffer. Invariants: buf is NULL or secure memory of
 * cap bytes; len <= cap; buf[len] == 0 when buf != NULL (so text can be
 * used as a C string). Grows by allocate-copy-wipe-free.
 */
struct seal__secbuf {
	unsigned char *buf;
	size_t len;
	size_t cap;
};
#define SEAL__SECBUF_INIT { NULL, 0, 0 }
int seal__secbuf_reserve(struct seal__secbuf *sb, size_t extra);
int seal__secbuf_append(struct seal__secbuf *sb, const void *p, size_t n);
void seal__secbuf_reset(struct seal__secbuf *sb); /* wipe, keep memory */
void seal__secbuf_free(struct seal__secbuf *sb);  /* wipe and free */
/* seal_write_fn that appends to a struct seal__secbuf *arg. */
int seal__secbuf_writer(void *arg, const void *buf, size_t len);

/* crypto.c: the only file that includes OpenSSL ------------------------- */

/* HKDF-SHA-256 (RFC 5869). salt may be NULL/0 (HashLen zero bytes). */
int seal__hkdf_sha256(unsigned char *out, size_t outlen,
    const unsigned char *ikm, size_t ikmlen,
    const unsigned char *salt, size_t saltlen,
    const char *info, size_t infolen);
/* HMAC-SHA-256 over one buffer. */
int seal__hmac_sha256(unsigned char out[32], const unsigned char *key,
    size_t keylen, const unsigned char *msg, size_t msglen);

/* AES-256-GCM with an IV of any length (SOPS uses 32 bytes), 16-byte tag. */
int seal__aes256gcm_encrypt(unsigned char *ct, unsigned char tag[16],
    const unsigned char *pt, size_t ptlen, const unsigned char key[32],
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen);
/* Returns 0 on success, -1 if the tag does not verify (ct not released). */
int seal__aes256gcm_decrypt(unsigned char *pt, const unsigned char *ct,
    size_t ctlen, const unsigned char tag[16], const unsigned char key[32],
    const unsigned char *iv, size_t ivlen,
    const unsigned char *aad, size_t aadlen);

/* Incremental SHA-512 (SOPS MAC) and SHA-256. */
struct seal__hash;
struct seal__hash *seal__sha512_new(void);
struct seal__hash *seal__sha256_new(void);
int seal__hash_update(struct seal__hash *h, const void *p, size_t n);
/* Writes 64 (SHA-512) or 32 (SHA-256) bytes and frees h. */
int seal__hash_final(struct seal__hash *h, unsigned char *out);
void seal__hash_free(struct seal__hash *h);

/* util ------------------------------------------------------------------- */

#define SEAL__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
