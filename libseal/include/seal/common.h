/* SPDX-License-Identifier: ISC */
/*
 * seal/common.h - contexts, return codes and output callbacks shared by
 * every libseal family. Include <seal.h>, not this file.
 */
#ifndef SEAL_COMMON_H
#define SEAL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SEAL_API __attribute__((visibility("default")))
#define SEAL_WUR __attribute__((warn_unused_result))
#else
#define SEAL_API
#define SEAL_WUR
#endif

/*
 * Return codes. Negative values are errors. The tools map them to exit
 * codes: SEAL_EAUTH, SEAL_ENOKEY and SEAL_EREFUSED are "negative answers"
 * (exit 1); the rest are trouble (exit 2).
 */
typedef enum seal_rc {
	SEAL_OK = 0,
	SEAL_ENOMEM = -1,	 /* out of (secure) memory */
	SEAL_EIO = -2,		 /* read/write failed; errno text in errmsg */
	SEAL_EPARSE = -3,	 /* malformed input (YAML, JSON, header...) */
	SEAL_EFORMAT = -4,	 /* well-formed but not what the format allows */
	SEAL_EKEY = -5,		 /* malformed key, recipient or identity */
	SEAL_ENOKEY = -6,	 /* no identity could unwrap the file key */
	SEAL_EAUTH = -7,	 /* authentication failed (tag, MAC) */
	SEAL_EINVAL = -8,	 /* invalid argument from the caller */
	SEAL_EUNSUPPORTED = -9,	 /* valid but not implemented (e.g. PQ) */
	SEAL_ELIMIT = -10,	 /* input over a configured limit */
	SEAL_EREFUSED = -11,	 /* policy refused the operation */
	SEAL_EARMOR = -12,	 /* malformed ASCII armor */
	SEAL_EPAYLOAD = -13,	 /* age payload (STREAM) failure */
	SEAL_EHEADER = -14,	 /* age header failure */
	SEAL_EREGEX = -15,	 /* a selection regex could not be evaluated
				    (engine limit): trouble, never "no match" */
} seal_rc;

/* A short constant English description of rc ("authentication failed"). */
SEAL_API const char *seal_strerror(seal_rc rc);

/*
 * Output callback: the library streams its output through it and wipes
 * its own chunks afterwards. Return 0 to continue, non-zero to abort (the
 * library then returns SEAL_EIO).
 */
typedef int (*seal_write_fn)(void *arg, const void *buf, size_t len);

/*
 * A context holds the last error text. Use one per thread. Creating the
 * first context initialises libsodium (idempotent).
 */
typedef struct seal_ctx seal_ctx;

SEAL_API seal_rc seal_ctx_new(seal_ctx **out) SEAL_WUR;
SEAL_API void seal_ctx_free(seal_ctx *ctx);

/*
 * The detail of the last error on ctx: "cannot decrypt 'data.password':
 * authentication failed". Valid until the next call that uses ctx. Never
 * contains key material or plaintext; control characters from the input
 * are replaced by '?'.
 */
SEAL_API const char *seal_ctx_errmsg(const seal_ctx *ctx);

/*
 * Record an error on ctx as the library does and return rc, so a layer
 * above libseal (keys/, the tools' helpers) reports through the same
 * seal_ctx_errmsg(): `return seal_ctx_error(ctx, SEAL_EIO, "cannot read
 * '%s'", path);`. Control characters in the text become '?'.
 */
SEAL_API seal_rc seal_ctx_error(seal_ctx *ctx, seal_rc rc, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/*
 * Copy srclen bytes of untrusted text (a name from a file, an argument)
 * into dst for a message: control characters become '?', and text that
 * does not fit ends in "...". dst is always NUL-terminated.
 */
SEAL_API void seal_quote(char *dst, size_t dstlen, const char *src,
    size_t srclen);

/*
 * A growable buffer in guarded, locked memory, for staging plaintext
 * output: pass seal_secbuf_write and the buffer as a seal_write_fn and
 * its argument. The data is NUL-terminated ("" while empty); freeing
 * wipes it. seal_secbuf_new returns NULL when out of memory.
 */
typedef struct seal_secbuf seal_secbuf;
SEAL_API seal_secbuf *seal_secbuf_new(void);
SEAL_API void seal_secbuf_free(seal_secbuf *b);
SEAL_API int seal_secbuf_write(void *arg, const void *buf, size_t len);
SEAL_API const unsigned char *seal_secbuf_data(const seal_secbuf *b);
SEAL_API size_t seal_secbuf_len(const seal_secbuf *b);

/*
 * Big buffers (MiB) on transparent huge pages, zero-filled, kept out of
 * core dumps; secret ones also get guard pages and are locked. size is
 * at least the length asked for. Freeing wipes the first `used` bytes.
 * seal_bigbuf_new returns NULL on failure.
 */
typedef struct seal_bigbuf seal_bigbuf;
SEAL_API seal_bigbuf *seal_bigbuf_new(size_t len, int secret);
SEAL_API unsigned char *seal_bigbuf_data(seal_bigbuf *b);
SEAL_API size_t seal_bigbuf_size(const seal_bigbuf *b);
SEAL_API void seal_bigbuf_free(seal_bigbuf *b, size_t used);

/* The library's version string ("0.1.0"). */
SEAL_API const char *seal_version(void);

#ifdef __cplusplus
}
#endif
#endif
