/* SPDX-License-Identifier: ISC */
/*
 * age/age.h - declarations shared by libseal's age files: strict
 * base64, Bech32, armor, the header model, recipient/identity internals
 * and the STREAM payload. Nothing here is installed.
 */
#ifndef SEAL_AGE_INTERNAL_H
#define SEAL_AGE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

#define SEAL__AGE_VERSION "age-encryption.org/v1"
#define SEAL__AGE_MAX_HEADER (1024 * 1024)
#define SEAL__AGE_CT_CHUNK (SEAL_AGE_CHUNK_BYTES + 16)
#define SEAL__AGE_FILE_KEY 16

/* age/b64.c: strict base64 ------------------------------------------------ */

/* Unpadded encoded length of n bytes. */
static inline size_t
seal__b64np_len(size_t n)
{
	return (n * 4 + 2) / 3;
}
/* Encode unpadded (no NUL). */
void seal__b64np_encode(char *out, const unsigned char *in, size_t n);
/*
 * Decode canonical unpadded base64 (age header rules). Returns 0 and sets
 * *outlen, or -1 on any bad byte, length 1 mod 4, non-canonical bits or
 * output over outmax.
 */
int seal__b64np_decode(unsigned char *out, size_t outmax, size_t *outlen,
    const char *in, size_t inlen);
/* Padded base64 (armor): encode 4*ceil(n/3) chars; strict decode. */
void seal__b64_encode(char *out, const unsigned char *in, size_t n);
int seal__b64_decode(unsigned char *out, size_t outmax, size_t *outlen,
    const char *in, size_t inlen);

/* bech32.c --------------------------------------------------------------- */

/*
 * Encode hrp + data as Bech32 (BIP-173 checksum, no length limit) into
 * out (outcap bytes, NUL-terminated); upper selects upper case. Returns
 * the length or -1 if it does not fit.
 */
long seal__bech32_encode(char *out, size_t outcap, const char *hrp,
    const unsigned char *data, size_t len, bool upper);
/*
 * Decode s (len bytes). The HRP is returned as written (case kept, so
 * callers compare it case-sensitively as the reference does). Returns 0,
 * or -1 with a static reason in *why.
 */
int seal__bech32_decode(const char *s, size_t len, char *hrp, size_t hrpcap,
    unsigned char *data, size_t datacap, size_t *datalen, const char **why);

/* armor.c ---------------------------------------------------------------- */

#define SEAL__ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define SEAL__ARMOR_END "-----END AGE ENCRYPTED FILE-----"

/* Does buf start (after <= 1024 bytes of whitespace) with the BEGIN line? */
bool seal__armor_detect(const unsigned char *buf, size_t len);
/*
 * Strictly decode an armored file into out (malloc'd; *outlen). Returns
 * SEAL_OK or SEAL_EARMOR with the message set.
 */
seal_rc seal__armor_decode(seal_ctx *ctx, const unsigned char *in,
    size_t inlen, unsigned char **out, size_t *outlen);
/* Upper bound of the decoded size of inlen armored bytes. */
static inline size_t
seal__armor_decoded_max(size_t inlen)
{
	return inlen / 4 * 3 + 3;
}

/*
 * A streaming armor decoder: a seal_read_fn over another one, with the
 * same strict rules as seal__armor_decode. pre/prelen are raw bytes
 * already read (pre_eof: nothing follows them). On an error the read
 * fails and err holds SEAL_EARMOR (message set on ctx) or SEAL_EIO.
 */
struct seal__armor_r {
	seal_ctx *ctx;
	seal_read_fn read;
	void *arg;
	const unsigned char *pre;
	size_t prelen;
	bool pre_eof, eof, saw_short;
	int state; /* 0 before BEGIN, 1 body, 2 after END */
	size_t lineno;
	unsigned char raw[16384];
	size_t rlen, roff;
	unsigned char dec[48];
	size_t dlen, doff;
	seal_rc err;
	char msg[SEAL_ERRMSG_MAX]; /* the error, kept from later overwrites */
};
void seal__armor_r_init(struct seal__armor_r *ar, seal_ctx *ctx,
    const unsigned char *pre, size_t prelen, bool pre_eof, seal_read_fn read,
    void *arg);
int seal__armor_r_fn(void *arg, void *buf, size_t len, size_t *got);

/* An armoring writer: wraps a seal_write_fn. */
struct seal__armor_w {
	seal_write_fn write;
	void *arg;
	unsigned char pend[48]; /* bytes not yet making a full line */
	size_t npend;
	char *line;		/* output staging */
	size_t linecap;
	int failed;
};
int seal__armor_w_init(struct seal__armor_w *aw, seal_write_fn write,
    void *arg);
int seal__armor_w_fn(void *arg, const void *buf, size_t len);
int seal__armor_w_finish(struct seal__armor_w *aw);
void seal__armor_w_free(struct seal__armor_w *aw);

/* age/header.c ----------------------------------------------------------- */

struct seal__age_arg {
	const char *p;
	size_t len;
};

struct seal__stanza {
	size_t arg0;  /* index of the type in hdr->args */
	size_t nargs; /* including the type */
	size_t body;  /* offset in hdr->bodies */
	size_t bodylen;
};

struct seal__age_header {
	struct seal__stanza *st;
	size_t nst, capst;
	struct seal__age_arg *args;
	size_t nargs, capargs;
	unsigned char *bodies;
	size_t nbodies;
	const unsigned char *raw; /* the parsed bytes (not owned) */
	size_t maclen;		  /* bytes covered by the MAC */
	size_t len;		  /* header bytes including the MAC line */
	unsigned char mac[32];
};

#define SEAL__AGE_NEED_MORE 1
/*
 * Parse a header at the start of buf. Returns SEAL_OK (hdr filled; hdr->len
 * is the payload offset), SEAL_EHEADER, or SEAL__AGE_NEED_MORE when buf
 * ends before the MAC line and at_eof is false.
 */
int seal__age_header_parse(seal_ctx *ctx, const unsigned char *buf,
    size_t len, bool at_eof, struct seal__age_header *hdr);
void seal__age_header_free(struct seal__age_header *hdr);
static inline bool
seal__arg_is(const struct seal__age_header *h, size_t i, const char *s)
{
	size_t n = __builtin_strlen(s);
	return h->args[i].len == n && __builtin_memcmp(h->args[i].p, s, n) == 0;
}

/* Header writer: builds the header text in a malloc'd buffer. */
struct seal__hbuf {
	char *p;
	size_t len, cap;
};
int seal__hbuf_add(struct seal__hbuf *b, const void *p, size_t n);
/* Append "-> args...\n" + wrapped base64 body. */
int seal__hbuf_stanza(struct seal__hbuf *b, const char *const *args,
    size_t nargs, const unsigned char *body, size_t bodylen);

/* age/keys.c: recipient and identity internals ------------------------- */

enum seal__age_type {
	SEAL__AGE_X25519 = 1,
	SEAL__AGE_SCRYPT,
	SEAL__AGE_SSH_ED25519,
	SEAL__AGE_SSH_RSA,
};

struct seal_recipient {
	enum seal__age_type type;
	char *str;		/* canonical text; malloc'd */
	unsigned char pk[32];	/* X25519 point (Montgomery for ed25519) */
	unsigned char tag[4];	/* ssh-*: first 4 bytes of SHA-256(wire) */
	void *rsa;		/* ssh-rsa: EVP_PKEY * */
	char *pass;		/* scrypt: secure memory */
	size_t passlen;
	int log2n;
};

struct seal__age_id {
	enum seal__age_type type;
	unsigned char *sk; /* secure memory: 32-byte scalar or passphrase */
	size_t sklen;
	unsigned char pk[32];	/* precomputed public point */
	unsigned char tag[4];
	unsigned char *wire;	/* ssh: public key wire blob (malloc'd) */
	size_t wirelen;
	void *rsa;		/* ssh-rsa: EVP_PKEY * */
};

struct seal_identity {
	struct seal__age_id *v;
	size_t n, cap;
};

int seal__identity_push(seal_identity *id, const struct seal__age_id *e);

/* Stanza wrap/unwrap. fk is the 16-byte file key. */
seal_rc seal__x25519_wrap(seal_ctx *ctx, const seal_recipient *r,
    const unsigned char *fk, struct seal__hbuf *hb);
/*
 * Unwrap: SEAL_OK (fk set), SEAL_ENOKEY (not for this identity), or a
 * fatal SEAL_EHEADER/SEAL_EAUTH.
 */
seal_rc seal__x25519_unwrap(seal_ctx *ctx, const struct seal__age_id *id,
    const struct seal__age_header *h, const struct seal__stanza *s,
    unsigned char *fk);
seal_rc seal__scrypt_wrap(seal_ctx *ctx, const seal_recipient *r,
    const unsigned char *fk, struct seal__hbuf *hb);
seal_rc seal__scrypt_unwrap(seal_ctx *ctx, const struct seal__age_id *id,
    const struct seal__age_header *h, const struct seal__stanza *s,
    unsigned char *fk);
/* age/ssh.c */
seal_rc seal__ssh_recipient_parse(seal_ctx *ctx, const char *s, size_t len,
    seal_recipient **out);
seal_rc seal__ssh_identity_parse(seal_ctx *ctx, const char *buf, size_t len,
    seal_identity **out);
seal_rc seal__ssh_wrap(seal_ctx *ctx, const seal_recipient *r,
    const unsigned char *fk, struct seal__hbuf *hb);
seal_rc seal__ssh_unwrap(seal_ctx *ctx, const struct seal__age_id *id,
    const struct seal__age_header *h, const struct seal__stanza *s,
    unsigned char *fk);
/* age/sshkey.c */
void seal__ssh_free_key(void *rsa);
char *seal__ssh_recipient_string(const struct seal__age_id *id);
/* First 4 bytes of SHA-256 over a key's wire blob. */
void seal__ssh_key_tag(unsigned char tag[4], const unsigned char *wire,
    size_t n);
/* Parse a public key blob: type, X25519 point (ed25519) or EVP key (RSA). */
seal_rc seal__ssh_parse_pub(seal_ctx *ctx, const unsigned char *w,
    size_t wn, enum seal__age_type *type, unsigned char pk[32], void **rsa);
/* "type base64(wire)", malloc'd. */
char *seal__ssh_line(const char *type, const unsigned char *wire, size_t n);

/* age/aead.c: ChaCha20-Poly1305 through OpenSSL (fast path) ------------ */

struct seal__aead {
	void *ctx; /* EVP_CIPHER_CTX * */
};
int seal__aead_init(struct seal__aead *a, const unsigned char key[32],
    int enc);
void seal__aead_free(struct seal__aead *a);
/* ct gets n bytes + 16-byte tag. */
int seal__aead_seal(struct seal__aead *a, unsigned char *ct,
    const unsigned char *pt, size_t n, const unsigned char nonce[12]);
/* n includes the tag; 0 on success, -1 if it does not authenticate. */
int seal__aead_open(struct seal__aead *a, unsigned char *pt,
    const unsigned char *ct, size_t n, const unsigned char nonce[12]);

/* age/pool.c: chunks, alone or a batch on all cores --------------------- */

#define SEAL__AGE_BATCH 32 /* chunks per batch: 2 MiB of plaintext */
#define SEAL__AGE_MAX_THREADS 4
#define SEAL__AGE_SMALL_CHUNK 4096 /* below: libsodium, no EVP context */
/*
 * Chunks before this one go through libsodium (~0.8 GB/s here), the rest
 * through OpenSSL (~2.5-3.7 GB/s): OpenSSL's first cipher fetch builds
 * its provider's whole method store, ~90 page faults and 1-5 ms, which
 * only pays off after a few MiB. 64 chunks = 4 MiB.
 */
#define SEAL__AGE_EVP_FROM 64

/*
 * Seal (ct gets n + 16 bytes) or open (n includes the tag) one chunk with
 * the 11-byte counter ctr and the last flag. *a is a lazily made OpenSSL
 * context for big chunks (the caller frees it) or NULL.
 */
int seal__chunk_seal(struct seal__aead *a, unsigned char *ct,
    const unsigned char *pt, size_t n, const unsigned char key[32],
    uint64_t ctr, int last);
int seal__chunk_open(struct seal__aead *a, unsigned char *pt,
    const unsigned char *ct, size_t n, const unsigned char key[32],
    uint64_t ctr, int last);

struct seal__job {
	int encrypt;
	const unsigned char *key;
	unsigned char *in, *out;
	size_t inlen;	   /* bytes of input in the batch */
	size_t nchunks;
	uint64_t ctr0;
	int last_final;	   /* the batch's last chunk is the final one */
	uint64_t gen;
	_Atomic uint64_t claim; /* gen << 40 | nchunks << 20 | next */
	_Atomic size_t done;
	signed char res[SEAL__AGE_BATCH];
};

struct seal__pool {
	pthread_t th[SEAL__AGE_MAX_THREADS];
	int nth; /* worker threads, besides the caller */
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	struct seal__job *job;
	uint64_t gen;	/* published generation (under mu) */
	uint64_t next_gen;
	int quit;
};

void seal__job_set(struct seal__job *j, int encrypt, const unsigned char *key,
    unsigned char *in, unsigned char *out, size_t inlen, size_t nchunks,
    uint64_t ctr0, int last_final);
/* Start the worker threads (one fewer than the cores, at most 3). */
int seal__pool_start(struct seal__pool *p);
/* Hand a job to the workers; the caller may do I/O meanwhile. */
void seal__pool_publish(struct seal__pool *p, struct seal__job *j);
/* Claim what is left of the job, then wait until all of it is done. */
void seal__pool_finish(struct seal__pool *p, struct seal__job *j);
void seal__pool_stop(struct seal__pool *p);

/* age/stream.c: STREAM payload ------------------------------------------ */

/* Derive the payload key: HKDF(fk, salt nonce, "payload"). */
int seal__age_payload_key(unsigned char key[32], const unsigned char *fk,
    const unsigned char nonce[16]);

/*
 * Encrypt the whole plaintext from read into write (chunked, parallel
 * over a worker thread for large inputs). key is the payload key.
 */
seal_rc seal__stream_encrypt(seal_ctx *ctx, const unsigned char key[32],
    seal_read_fn read, void *rarg, seal_write_fn write, void *warg);
/*
 * Decrypt payload ciphertext. pre/prelen are bytes already read after the
 * nonce; the rest comes from read. Each chunk reaches write only after its
 * tag verified.
 */
seal_rc seal__stream_decrypt(seal_ctx *ctx, const unsigned char key[32],
    const unsigned char *pre, size_t prelen, seal_read_fn read, void *rarg,
    seal_write_fn write, void *warg);
/*
 * One-shot in memory (ct is the whole payload after the nonce); pt must
 * hold ctlen bytes and is wiped on failure.
 */
seal_rc seal__stream_decrypt_mem(seal_ctx *ctx, const unsigned char key[32],
    const unsigned char *ct, size_t ctlen, unsigned char *pt, size_t *ptlen);

/* Full read helper: loop read until len bytes or EOF. */
int seal__read_full(seal_read_fn read, void *arg, unsigned char *buf,
    size_t len, size_t *got);

#endif
