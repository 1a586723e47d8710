/* SPDX-License-Identifier: ISC */
/*
 * age.c - whole age files: build and MAC the header, pick the file key
 * from the stanzas (the reference's order: identities in turn, stanzas in
 * file order, structural errors fatal), verify the MAC, then hand the
 * payload to age/stream.c. Binary or armored, streaming or all-or-nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age/age.h"

#define READ_STEP (64 * 1024)
#define STAGE_STACK 4096

/* ---- header MAC --------------------------------------------------------- */

static int
header_mac(unsigned char mac[32], const unsigned char *fk,
    const unsigned char *hdr, size_t len)
{
	unsigned char key[32];
	int rc;

	rc = seal__hkdf_sha256(key, 32, fk, SEAL__AGE_FILE_KEY, NULL, 0,
	    "header", 6);
	if (rc == 0)
		rc = seal__hmac_sha256(mac, key, 32, hdr, len);
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* ---- encryption --------------------------------------------------------- */

struct memrd {
	const unsigned char *p;
	size_t len, off;
};

static int
mem_read(void *arg, void *buf, size_t len, size_t *got)
{
	struct memrd *m = arg;
	size_t n = m->len - m->off < len ? m->len - m->off : len;

	memcpy(buf, m->p + m->off, n);
	m->off += n;
	*got = n;
	return 0;
}

static seal_rc
build_header(seal_ctx *ctx, seal_recipient *const *rcpts, size_t n,
    const unsigned char *fk, struct seal__hbuf *hb)
{
	unsigned char mac[32];
	char mac64[44];
	size_t i;
	seal_rc rc;

	if (seal__hbuf_add(hb, SEAL__AGE_VERSION "\n",
		sizeof(SEAL__AGE_VERSION)) != 0)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		switch (rcpts[i]->type) {
		case SEAL__AGE_X25519:
			rc = seal__x25519_wrap(ctx, rcpts[i], fk, hb);
			break;
		case SEAL__AGE_SCRYPT:
			rc = seal__scrypt_wrap(ctx, rcpts[i], fk, hb);
			break;
		default:
			rc = seal__ssh_wrap(ctx, rcpts[i], fk, hb);
			break;
		}
		if (rc != SEAL_OK)
			return rc;
	}
	if (seal__hbuf_add(hb, "---", 3) != 0 ||
	    header_mac(mac, fk, (const unsigned char *)hb->p, hb->len) != 0)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	mac64[0] = ' ';
	seal__b64np_encode(mac64 + 1, mac, 32);
	if (seal__hbuf_add(hb, mac64, 44) != 0 || seal__hbuf_add(hb, "\n", 1))
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	return SEAL_OK;
}

seal_rc
seal_age_encrypt(seal_ctx *ctx, seal_recipient *const *rcpts, size_t nrcpts,
    unsigned flags, seal_read_fn read, void *rarg, seal_write_fn write,
    void *warg)
{
	unsigned char fk[SEAL__AGE_FILE_KEY], nonce[16], key[32];
	struct seal__hbuf hb = { NULL, 0, 0 };
	struct seal__armor_w aw;
	seal_write_fn w = write;
	void *wa = warg;
	int armored = 0;
	size_t i;
	seal_rc rc;

	if (nrcpts == 0 || rcpts == NULL)
		return seal__err(ctx, SEAL_EINVAL, "no recipients given");
	for (i = 0; i < nrcpts; i++)
		if (rcpts[i]->type == SEAL__AGE_SCRYPT && nrcpts > 1)
			return seal__err(ctx, SEAL_EINVAL,
			    "a passphrase (scrypt) recipient must be the only "
			    "recipient");
	randombytes_buf(fk, sizeof(fk));
	randombytes_buf(nonce, sizeof(nonce));
	if ((rc = build_header(ctx, rcpts, nrcpts, fk, &hb)) != SEAL_OK)
		goto out;
	if (seal__age_payload_key(key, fk, nonce) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "key derivation failed");
		goto out;
	}
	sodium_memzero(fk, sizeof(fk));
	if (flags & SEAL_AGE_ARMOR) {
		if (seal__armor_w_init(&aw, write, warg) != 0) {
			seal__armor_w_free(&aw);
			rc = seal__err(ctx, SEAL_EIO, "cannot write output");
			goto out;
		}
		armored = 1;
		w = seal__armor_w_fn;
		wa = &aw;
	}
	if (w(wa, hb.p, hb.len) != 0 || w(wa, nonce, sizeof(nonce)) != 0) {
		rc = seal__err(ctx, SEAL_EIO, "cannot write output");
		goto out;
	}
	rc = seal__stream_encrypt(ctx, key, read, rarg, w, wa);
	if (rc == SEAL_OK && armored && seal__armor_w_finish(&aw) != 0)
		rc = seal__err(ctx, SEAL_EIO, "cannot write output");
out:
	if (armored)
		seal__armor_w_free(&aw);
	free(hb.p);
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(key, sizeof(key));
	return rc;
}

seal_rc
seal_age_encrypt_buf(seal_ctx *ctx, seal_recipient *const *rcpts,
    size_t nrcpts, unsigned flags, const void *pt, size_t ptlen,
    seal_write_fn write, void *arg)
{
	struct memrd m = { pt, ptlen, 0 };

	return seal_age_encrypt(ctx, rcpts, nrcpts, flags, mem_read, &m,
	    write, arg);
}

/* ---- file key selection ---------------------------------------------- */

static const char *
type_name(enum seal__age_type t)
{
	switch (t) {
	case SEAL__AGE_X25519:
		return "X25519";
	case SEAL__AGE_SCRYPT:
		return "scrypt";
	case SEAL__AGE_SSH_ED25519:
		return "ssh-ed25519";
	case SEAL__AGE_SSH_RSA:
		return "ssh-rsa";
	}
	return "";
}

static seal_rc
unwrap_file_key(seal_ctx *ctx, const seal_identity *id,
    const struct seal__age_header *h, unsigned char *fk)
{
	const struct seal__stanza *s;
	size_t i, j;
	bool pq = false;
	seal_rc rc;

	for (j = 0; j < h->nst; j++) {
		if (seal__arg_is(h, h->st[j].arg0, "scrypt") && h->nst > 1)
			return seal__err(ctx, SEAL_EHEADER,
			    "malformed age header: a scrypt stanza must be "
			    "the only stanza");
		if (seal__arg_is(h, h->st[j].arg0, "mlkem768x25519"))
			pq = true;
	}
	for (i = 0; id != NULL && i < id->n; i++) {
		const char *tn = type_name(id->v[i].type);
		for (j = 0; j < h->nst; j++) {
			s = &h->st[j];
			if (!seal__arg_is(h, s->arg0, tn))
				continue;
			switch (id->v[i].type) {
			case SEAL__AGE_X25519:
				rc = seal__x25519_unwrap(ctx, &id->v[i], h, s,
				    fk);
				break;
			case SEAL__AGE_SCRYPT:
				rc = seal__scrypt_unwrap(ctx, &id->v[i], h, s,
				    fk);
				break;
			default:
				rc = seal__ssh_unwrap(ctx, &id->v[i], h, s, fk);
				break;
			}
			if (rc != SEAL_ENOKEY)
				return rc;
		}
	}
	if (pq)
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "unsupported recipient type 'mlkem768x25519' "
		    "(post-quantum); no other stanza matched");
	return seal__err(ctx, SEAL_ENOKEY,
	    "no identity matched any of the file's %zu recipient(s)", h->nst);
}

/*
 * Header through payload key: parse the header at buf (complete), select
 * the file key, verify the MAC. On success key holds the payload key and
 * *off the payload offset after the nonce. need_nonce: the bytes for the
 * nonce must already be in buf.
 */
static seal_rc
open_header(seal_ctx *ctx, const seal_identity *id,
    const struct seal__age_header *h, const unsigned char *buf,
    unsigned char fk[SEAL__AGE_FILE_KEY])
{
	unsigned char mac[32];
	seal_rc rc;

	if ((rc = unwrap_file_key(ctx, id, h, fk)) != SEAL_OK)
		return rc;
	if (header_mac(mac, fk, buf, h->maclen) != 0)
		return seal__err(ctx, SEAL_ENOMEM, "key derivation failed");
	if (sodium_memcmp(mac, h->mac, 32) != 0)
		return seal__err(ctx, SEAL_EAUTH,
		    "age header MAC mismatch: file tampered with or corrupt");
	return SEAL_OK;
}

/* ---- decryption, all or nothing -------------------------------------- */

static seal_rc
decrypt_bin_buf(seal_ctx *ctx, const seal_identity *id,
    const unsigned char *in, size_t inlen, seal_write_fn write, void *arg)
{
	unsigned char fk[SEAL__AGE_FILE_KEY], key[32], stage[STAGE_STACK];
	unsigned char *pt = stage;
	struct seal__age_header h;
	size_t off, ptlen = 0, ptmax;
	seal_rc rc;

	rc = seal__age_header_parse(ctx, in, inlen, true, &h);
	if (rc != SEAL_OK)
		return rc;
	if ((rc = open_header(ctx, id, &h, in, fk)) != SEAL_OK)
		goto out;
	off = h.len;
	if (inlen - off < 16) {
		rc = seal__err(ctx, SEAL_EHEADER,
		    "truncated age file: missing payload nonce");
		goto out;
	}
	if (seal__age_payload_key(key, fk, in + off) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "key derivation failed");
		goto out;
	}
	off += 16;
	ptmax = inlen - off;
	if (ptmax > sizeof(stage)) {
		pt = seal__secalloc(ptmax);
		if (pt == NULL) {
			rc = seal__err(ctx, SEAL_ENOMEM,
			    "out of secure memory (%zu bytes)", ptmax);
			goto out;
		}
	}
	rc = seal__stream_decrypt_mem(ctx, key, in + off, inlen - off, pt,
	    &ptlen);
	if (rc == SEAL_OK && write(arg, pt, ptlen) != 0)
		rc = seal__err(ctx, SEAL_EIO, "cannot write output");
	sodium_memzero(pt, ptlen);
	if (pt != stage)
		seal__secfree(pt);
out:
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(key, sizeof(key));
	seal__age_header_free(&h);
	return rc;
}

seal_rc
seal_age_decrypt_buf(seal_ctx *ctx, const seal_identity *id, unsigned flags,
    const void *in, size_t inlen, seal_write_fn write, void *arg)
{
	unsigned char *bin = NULL;
	size_t binlen;
	seal_rc rc;

	if ((flags & SEAL_AGE_ARMOR) ||
	    ((flags & SEAL_AGE_DETECT_ARMOR) &&
		seal__armor_detect(in, inlen))) {
		rc = seal__armor_decode(ctx, in, inlen, &bin, &binlen);
		if (rc != SEAL_OK)
			return rc;
		rc = decrypt_bin_buf(ctx, id, bin, binlen, write, arg);
		free(bin);
		return rc;
	}
	return decrypt_bin_buf(ctx, id, in, inlen, write, arg);
}

/* ---- decryption, streaming ------------------------------------------- */

struct rdbuf {
	unsigned char *p;
	size_t len, cap;
	bool eof;
};

static int
rd_more(struct rdbuf *b, seal_read_fn read, void *arg, size_t want)
{
	unsigned char *np;
	size_t got;

	if (b->eof)
		return 0;
	if (b->len + want > b->cap) {
		np = realloc(b->p, b->len + want);
		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = b->len + want;
	}
	if (seal__read_full(read, arg, b->p + b->len, want, &got) != 0)
		return -1;
	b->len += got;
	b->eof = got < want;
	return 0;
}

static int
eof_read(void *arg, void *buf, size_t len, size_t *got)
{
	(void)arg;
	(void)buf;
	(void)len;
	*got = 0;
	return 0;
}

/* The binary file from read: header, key, MAC, then the payload. */
static seal_rc
decrypt_stream(seal_ctx *ctx, const seal_identity *id, struct rdbuf *b,
    seal_read_fn read, void *rarg, seal_write_fn write, void *warg)
{
	unsigned char fk[SEAL__AGE_FILE_KEY], key[32];
	struct seal__age_header h;
	size_t off;
	seal_rc rc;

	memset(&h, 0, sizeof(h));
	for (;;) {
		rc = seal__age_header_parse(ctx, b->p, b->len, b->eof, &h);
		if (rc != SEAL__AGE_NEED_MORE)
			break;
		if (rd_more(b, read, rarg, READ_STEP) != 0)
			return seal__err(ctx, SEAL_EIO, "cannot read input");
	}
	if (rc != SEAL_OK)
		return rc;
	if ((rc = open_header(ctx, id, &h, b->p, fk)) != SEAL_OK)
		goto out;
	off = h.len;
	/* the header's pointers into b die if b grows: done with them */
	seal__age_header_free(&h);
	if (b->len - off < 16 && rd_more(b, read, rarg, 16) != 0) {
		rc = seal__err(ctx, SEAL_EIO, "cannot read input");
		goto out;
	}
	if (b->len - off < 16) {
		rc = seal__err(ctx, SEAL_EHEADER,
		    "truncated age file: missing payload nonce");
		goto out;
	}
	if (seal__age_payload_key(key, fk, b->p + off) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "key derivation failed");
		goto out;
	}
	sodium_memzero(fk, sizeof(fk));
	off += 16;
	rc = seal__stream_decrypt(ctx, key, b->p + off, b->len - off,
	    b->eof ? eof_read : read, rarg, write, warg);
out:
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(key, sizeof(key));
	seal__age_header_free(&h);
	return rc;
}

seal_rc
seal_age_decrypt(seal_ctx *ctx, const seal_identity *id, unsigned flags,
    seal_read_fn read, void *rarg, seal_write_fn write, void *warg)
{
	struct rdbuf raw = { NULL, 0, 0, false }, dec = { NULL, 0, 0, false };
	struct seal__armor_r *ar = NULL;
	seal_rc rc;

	if (rd_more(&raw, read, rarg, READ_STEP) != 0) {
		rc = seal__err(ctx, SEAL_EIO, "cannot read input");
		goto out;
	}
	if (!(flags & SEAL_AGE_ARMOR) &&
	    !((flags & SEAL_AGE_DETECT_ARMOR) &&
		seal__armor_detect(raw.p, raw.len))) {
		rc = decrypt_stream(ctx, id, &raw, read, rarg, write, warg);
		goto out;
	}
	/* armored: decode as we go, so memory stays flat here too */
	ar = malloc(sizeof(*ar));
	if (ar == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	seal__armor_r_init(ar, ctx, raw.p, raw.len, raw.eof, read, rarg);
	if (rd_more(&dec, seal__armor_r_fn, ar, READ_STEP) != 0)
		rc = SEAL_EIO;
	else
		rc = decrypt_stream(ctx, id, &dec, seal__armor_r_fn, ar, write,
		    warg);
	/* an armor error surfaces as a failed read: report it as such */
	if (ar->err != SEAL_OK && (rc == SEAL_EIO || rc == SEAL_OK))
		rc = seal__err(ctx, ar->err, "%s", ar->msg);
out:
	if (ar != NULL)
		sodium_memzero(ar, sizeof(*ar));
	free(ar);
	free(dec.p);
	free(raw.p);
	return rc;
}

/* ---- peeking ------------------------------------------------------------ */

static int
has_scrypt_line(const unsigned char *p, size_t len)
{
	static const char pat[] = "\n-> scrypt ";

	return memmem(p, len, pat, sizeof(pat) - 1) != NULL;
}

int
seal_age_is_passphrase_file(const void *buf, size_t len)
{
	const unsigned char *p = buf, *nl;
	unsigned char dec[4096];
	size_t i = 0, o = 0, got, n;

	if (!seal__armor_detect(p, len))
		return has_scrypt_line(p, len);
	/* decode the first armored lines, enough for a header's start */
	nl = memchr(p, '\n', len);
	if (nl == NULL)
		return 0;
	i = (size_t)(nl - p) + 1;
	while (i < len && o + 48 <= sizeof(dec)) {
		nl = memchr(p + i, '\n', len - i);
		n = nl ? (size_t)(nl - (p + i)) : len - i;
		if (n > 0 && p[i + n - 1] == '\r')
			n--;
		if (seal__b64_decode(dec + o, 48, &got, (const char *)p + i,
			n) != 0)
			break;
		o += got;
		if (nl == NULL)
			break;
		i = (size_t)(nl - p) + 1;
	}
	return has_scrypt_line(dec, o);
}
