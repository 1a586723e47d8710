/* SPDX-License-Identifier: ISC */
/*
 * seal/age.h - age v1 (age-encryption.org/v1), implemented natively.
 * Include <seal.h>, not this file.
 *
 * Recipients (public): X25519 "age1...", scrypt passphrases, OpenSSH
 * "ssh-ed25519 AAAA..." and "ssh-rsa AAAA..." public key lines.
 * Identities (secret): X25519 "AGE-SECRET-KEY-1...", scrypt passphrases,
 * unencrypted OpenSSH ed25519/RSA private keys. A seal_identity is a SET
 * of one or more identities, as an identity file holds; decryption tries
 * each against every stanza.
 *
 * WARNING: a seal_identity holds secret keys in guarded memory;
 * seal_identity_free() wipes them. Never print one; to show a user which
 * key is which, print its recipient.
 */
#ifndef SEAL_AGE_H
#define SEAL_AGE_H

#include <seal/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct seal_recipient seal_recipient;
typedef struct seal_identity seal_identity;

#define SEAL_AGE_FILE_KEY_BYTES 16
#define SEAL_AGE_CHUNK_BYTES 65536
/* Default and maximum scrypt work factor (log2 N), as the reference. */
#define SEAL_AGE_SCRYPT_LOG2N 18
#define SEAL_AGE_SCRYPT_MAX_LOG2N 22

/* flags for encrypt/decrypt */
#define SEAL_AGE_ARMOR 0x1u /* write / require ASCII armor */
#define SEAL_AGE_DETECT_ARMOR 0x2u /* decrypt: armor if it looks armored */

/* ---- recipients -------------------------------------------------------- */

/*
 * Parse one recipient: "age1..." (X25519), "ssh-ed25519 <b64> [comment]",
 * "ssh-rsa <b64> [comment]" (>= 2048 bits). A post-quantum "age1pq1..."
 * recipient fails with SEAL_EUNSUPPORTED ("unsupported recipient type").
 */
SEAL_API seal_rc seal_recipient_parse(seal_ctx *ctx, const char *s,
    size_t len, seal_recipient **out) SEAL_WUR;
/*
 * Parse a recipients file (age -R): one per line, '#' comments and blank
 * lines skipped. Appends to *list (malloc'd array), updating *n.
 */
SEAL_API seal_rc seal_recipients_parse_file(seal_ctx *ctx, const char *buf,
    size_t len, seal_recipient ***list, size_t *n) SEAL_WUR;
/* A scrypt (passphrase) recipient; log2n 0 = default. Must be alone. */
SEAL_API seal_rc seal_recipient_scrypt(seal_ctx *ctx, const char *pass,
    size_t passlen, int log2n, seal_recipient **out) SEAL_WUR;
/* The canonical text form ("age1...", "ssh-ed25519 AAAA..."); owned by r. */
SEAL_API const char *seal_recipient_string(const seal_recipient *r);
SEAL_API void seal_recipient_free(seal_recipient *r);
SEAL_API void seal_recipients_free(seal_recipient **list, size_t n);

/* ---- identities -------------------------------------------------------- */

/* A fresh X25519 identity (a set of one). */
SEAL_API seal_rc seal_identity_generate(seal_ctx *ctx,
    seal_identity **out) SEAL_WUR;
/*
 * Parse identity text: an age identity file (several "AGE-SECRET-KEY-1"
 * lines, '#' comments, blank lines, CRLF tolerated; any bad line fails the
 * whole file, and a line starting with "age1" gets "apparent recipient")
 * or an unencrypted OpenSSH private key (PEM). buf may be secure memory;
 * the library keeps no reference to it.
 */
SEAL_API seal_rc seal_identity_parse(seal_ctx *ctx, const char *buf,
    size_t len, seal_identity **out) SEAL_WUR;
/* Add a passphrase (for scrypt stanzas) to a set; *id may be NULL. */
SEAL_API seal_rc seal_identity_add_passphrase(seal_ctx *ctx,
    seal_identity **id, const char *pass, size_t passlen) SEAL_WUR;
/* Move every identity of src into *dst (*dst may be NULL); frees src. */
SEAL_API seal_rc seal_identity_merge(seal_identity **dst,
    seal_identity *src) SEAL_WUR;
SEAL_API size_t seal_identity_count(const seal_identity *id);
/*
 * The recipient string of identity i of the set ("age1..." or the SSH
 * public key line); malloc'd, the caller frees. Passphrases have none.
 */
SEAL_API seal_rc seal_identity_recipient(seal_ctx *ctx,
    const seal_identity *id, size_t i, char **out) SEAL_WUR;
/*
 * Write identity i as "AGE-SECRET-KEY-1...\n" through write (used by
 * keygen); the library wipes its own copy.
 */
SEAL_API seal_rc seal_identity_write(seal_ctx *ctx, const seal_identity *id,
    size_t i, seal_write_fn write, void *arg) SEAL_WUR;
SEAL_API void seal_identity_free(seal_identity *id);

/* ---- files --------------------------------------------------------------- */

typedef int (*seal_read_fn)(void *arg, void *buf, size_t len, size_t *got);

/*
 * Encrypt a stream for the recipients (one stanza each, in order): reads
 * through read until *got == 0, writes the age file (armored with
 * SEAL_AGE_ARMOR) through write. Memory stays constant in input size.
 */
SEAL_API seal_rc seal_age_encrypt(seal_ctx *ctx,
    seal_recipient *const *rcpts, size_t nrcpts, unsigned flags,
    seal_read_fn read, void *rarg, seal_write_fn write, void *warg) SEAL_WUR;
/*
 * Decrypt a stream. Plaintext is released chunk by chunk, each only after
 * its tag verified; on a payload failure the chunks already released
 * stay released (the CLI's contract, as age's). Error classes:
 * SEAL_EARMOR, SEAL_EHEADER, SEAL_ENOKEY (no match), SEAL_EAUTH (header
 * MAC), SEAL_EPAYLOAD, SEAL_EUNSUPPORTED (post-quantum stanza only).
 */
SEAL_API seal_rc seal_age_decrypt(seal_ctx *ctx, const seal_identity *id,
    unsigned flags, seal_read_fn read, void *rarg, seal_write_fn write,
    void *warg) SEAL_WUR;

/* In-memory conveniences over the above. */
SEAL_API seal_rc seal_age_encrypt_buf(seal_ctx *ctx,
    seal_recipient *const *rcpts, size_t nrcpts, unsigned flags,
    const void *pt, size_t ptlen, seal_write_fn write, void *arg) SEAL_WUR;
/*
 * All or nothing: nothing reaches write unless the whole file decrypted
 * and authenticated (the plaintext is staged in guarded memory).
 */
SEAL_API seal_rc seal_age_decrypt_buf(seal_ctx *ctx, const seal_identity *id,
    unsigned flags, const void *in, size_t inlen, seal_write_fn write,
    void *arg) SEAL_WUR;

/*
 * Added: does this prefix of an age file (binary or armored) carry a
 * scrypt stanza, i.e. is it passphrase-encrypted? 1 yes, 0 no or cannot
 * tell. Lets a tool decide to prompt before decrypting, as age does.
 */
SEAL_API int seal_age_is_passphrase_file(const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
