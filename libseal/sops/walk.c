/* SPDX-License-Identifier: ISC */
/*
 * sops/walk.c - the one walk behind encrypt, decrypt and the MAC (spec
 * 3-5): depth-first over every document in order, path AAD of map keys
 * (list indices excluded), the file's selection rule, SHA-512 over the
 * canonical plaintexts, and the IV stash that keeps unchanged values'
 * ciphertexts on re-encryption. It knows nothing of file formats or of
 * the sops block (the caller takes it out first).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sops/sops.h"

enum walk_mode { W_ENCRYPT, W_DECRYPT, W_MAC };

/* ---- the IV stash ------------------------------------------------------ */

struct stash_ent {
	unsigned char id[32]; /* keyed BLAKE2b(aad, plaintext) */
	unsigned char iv[SEAL_SOPS_IV_BYTES];
	bool used;
};

struct seal__stash {
	struct stash_ent *ents;
	size_t n, cap; /* cap is a power of two */
};

struct seal__stash *
seal__stash_new(void)
{
	return calloc(1, sizeof(struct seal__stash));
}

void
seal__stash_free(struct seal__stash *s)
{
	if (s == NULL)
		return;
	free(s->ents);
	free(s);
}

static void
stash_id(unsigned char id[32], const unsigned char key[32], const char *aad,
    size_t aadlen, const unsigned char *pt, size_t ptlen)
{
	crypto_generichash_state st;
	unsigned char l[8];
	size_t i;

	for (i = 0; i < 8; i++)
		l[i] = (unsigned char)((uint64_t)aadlen >> (8 * i));
	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, l, 8);
	crypto_generichash_update(&st, (const unsigned char *)aad, aadlen);
	crypto_generichash_update(&st, pt, ptlen);
	crypto_generichash_final(&st, id, 32);
	sodium_memzero(&st, sizeof(st));
}

static size_t
slot(const struct seal__stash *s, const unsigned char id[32])
{
	size_t h;

	memcpy(&h, id, sizeof(h));
	h &= s->cap - 1;
	while (s->ents[h].used && memcmp(s->ents[h].id, id, 32) != 0)
		h = (h + 1) & (s->cap - 1);
	return h;
}

static int
stash_put(struct seal__stash *s, const unsigned char id[32],
    const unsigned char iv[32])
{
	size_t i, h;

	if ((s->n + 1) * 2 > s->cap) {
		struct seal__stash ns = {0};
		ns.cap = s->cap ? s->cap * 2 : 64;
		ns.ents = calloc(ns.cap, sizeof(*ns.ents));
		if (ns.ents == NULL)
			return -1;
		for (i = 0; i < s->cap; i++) {
			if (!s->ents[i].used)
				continue;
			h = slot(&ns, s->ents[i].id);
			ns.ents[h] = s->ents[i];
		}
		free(s->ents);
		s->ents = ns.ents;
		s->cap = ns.cap;
	}
	h = slot(s, id);
	if (!s->ents[h].used)
		s->n++;
	memcpy(s->ents[h].id, id, 32);
	memcpy(s->ents[h].iv, iv, 32);
	s->ents[h].used = true;
	return 0;
}

static bool
stash_get(const struct seal__stash *s, const unsigned char id[32],
    unsigned char iv[32])
{
	size_t h;

	if (s == NULL || s->cap == 0)
		return false;
	h = slot(s, id);
	if (!s->ents[h].used)
		return false;
	memcpy(iv, s->ents[h].iv, 32);
	return true;
}

/* ---- the walk ------------------------------------------------------------ */

struct walk {
	seal_ctx *ctx;
	enum walk_mode mode;
	const struct seal__walk_opts *o;
	const unsigned char *key;
	struct seal__gcm *gcm; /* the data key's cipher session */
	struct seal__tree *t;
	struct seal__hash *mac;
	struct seal__secbuf pt, tmp;
	char *aad; /* "k1:k2:" (keys are clear text) */
	size_t aadlen, aadcap;
	/* random IVs fetched in batches: one getrandom per value was a
	 * tenth of the time on big files */
	unsigned char ivpool[SEAL_SOPS_IV_BYTES * 128];
	size_t ivleft;
	const char *keys[SEAL_LIMIT_DEPTH + 2];
	size_t lens[SEAL_LIMIT_DEPTH + 2];
	size_t depth;
};

/* "'data.password' in f.yaml" for messages */
static void
what(struct walk *w, char *buf, size_t cap)
{
	char p[400];

	seal__path_string(p, sizeof(p), w->keys, w->lens,
	    w->depth < SEAL__ARRAY_LEN(w->keys) ? w->depth
	                                        : SEAL__ARRAY_LEN(w->keys));
	snprintf(buf, cap, "'%s'", p[0] ? p : "(top level)");
}

static int
aad_push(struct walk *w, const char *k, size_t n)
{
	if (w->aadlen + n + 2 > w->aadcap) {
		size_t nc = (w->aadcap + n + 2) * 2;
		char *na = realloc(w->aad, nc);
		if (na == NULL)
			return -1;
		w->aad = na;
		w->aadcap = nc;
	}
	memcpy(w->aad + w->aadlen, k, n);
	w->aadlen += n;
	w->aad[w->aadlen++] = ':';
	return 0;
}

static seal_rc
set_text(struct walk *w, struct seal__node *n, const void *s, size_t len)
{
	if (seal__node_set_text(w->t, n, s, len) != 0)
		return seal__err(w->ctx, SEAL_ENOMEM, "out of memory");
	return SEAL_OK;
}

/*
 * IVs come from a pool filled by ChaCha20 (randombytes_buf_deterministic)
 * under a fresh 32-byte seed from the system generator: one getrandom per
 * 128 values instead of eight (libsodium reads at most 256 bytes a call).
 */
static void
fresh_iv(struct walk *w, unsigned char iv[SEAL_SOPS_IV_BYTES])
{
	unsigned char seed[randombytes_SEEDBYTES];

	if (w->ivleft == 0) {
		randombytes_buf(seed, sizeof(seed));
		randombytes_buf_deterministic(
		    w->ivpool, sizeof(w->ivpool), seed);
		sodium_memzero(seed, sizeof(seed));
		w->ivleft = sizeof(w->ivpool) / SEAL_SOPS_IV_BYTES;
	}
	w->ivleft--;
	memcpy(
	    iv, w->ivpool + w->ivleft * SEAL_SOPS_IV_BYTES, SEAL_SOPS_IV_BYTES);
	/* an IV is never handed out twice */
	sodium_memzero(
	    w->ivpool + w->ivleft * SEAL_SOPS_IV_BYTES, SEAL_SOPS_IV_BYTES);
}

static seal_rc
encrypt_value(struct walk *w, struct seal__node *n, const char *aad,
    size_t aadlen, bool comment)
{
	unsigned char iv[SEAL_SOPS_IV_BYTES], id[32];
	size_t elen;
	char *enc;
	seal_rc rc;

	if (w->o->stash != NULL) {
		stash_id(id, w->key, aad, aadlen, w->pt.buf, w->pt.len);
		if (!stash_get(w->o->stash, id, iv))
			fresh_iv(w, iv);
	} else {
		fresh_iv(w, iv);
	}
	/* the ENC text is not secret: written straight into the tree's
	 * plain arena */
	enc = seal__tree_pub_reserve(w->t, seal__enc_size(w->pt.len));
	if (enc == NULL)
		return seal__err(w->ctx, SEAL_ENOMEM, "out of memory");
	rc = seal__enc_encrypt_g(w->ctx, w->gcm, iv, w->pt.buf, w->pt.len,
	    aad, aadlen, (enum seal__type)n->type, comment, enc, &elen);
	if (rc != SEAL_OK)
		return rc;
	seal__node_set_pub(w->t, n, enc, elen);
	n->type = SEAL_T_STR;
	n->style = SEAL_S_ANY;
	n->flags |= SEAL_F_ENCRYPTED;
	n->tag = NULL;
	return SEAL_OK;
}

static seal_rc
decrypt_value(struct walk *w, struct seal__node *n, const char *aad,
    size_t aadlen, bool comment)
{
	struct seal__enc e;
	unsigned char iv[SEAL_SOPS_IV_BYTES], id[32];
	char wh[480];
	bool iv_ok;
	seal_rc rc;

	/* the field's name is formatted only on the error paths */
	rc = seal__enc_parse(w->ctx, n->text, n->len, "", &e);
	if (rc != SEAL_OK) {
		if (comment)
			return SEAL_OK; /* a comment that fails stays verbatim
			                 */
		what(w, wh, sizeof(wh));
		return seal__enc_parse(w->ctx, n->text, n->len, wh, &e);
	}
	rc = seal__enc_decrypt_g(
	    w->ctx, w->gcm, &e, aad, aadlen, &w->pt, iv, &iv_ok);
	if (rc != SEAL_OK) {
		if (comment)
			return SEAL_OK;
		what(w, wh, sizeof(wh));
		if (rc == SEAL_EAUTH)
			return seal__err(w->ctx, SEAL_EAUTH,
			    "cannot decrypt %s: authentication failed (the "
			    "value was altered or moved)",
			    wh);
		return rc;
	}
	if (w->o->stash != NULL && iv_ok) {
		stash_id(id, w->key, aad, aadlen, w->pt.buf, w->pt.len);
		if (stash_put(w->o->stash, id, iv) != 0)
			return seal__err(w->ctx, SEAL_ENOMEM, "out of memory");
	}
	if (comment)
		return set_text(w, n, w->pt.buf, w->pt.len);
	if (e.type == SEAL_T_STR || e.type == SEAL_T_BYTES ||
	    e.type == SEAL_T_TIME) {
		/* kept verbatim (seal__sops_uncanon would only copy it):
		 * no second secure buffer */
		if ((rc = set_text(w, n, (char *)w->pt.buf, w->pt.len)) !=
		    SEAL_OK)
			return rc;
		n->type = (uint8_t)(e.type == SEAL_T_BYTES ? SEAL_T_STR
		                                           : e.type);
		n->flags &= (uint8_t)~SEAL_F_ENCRYPTED;
		n->style = SEAL_S_ANY;
		return SEAL_OK;
	}
	rc = seal__sops_uncanon(
	    w->ctx, e.type, w->pt.buf, w->pt.len, "", &w->tmp);
	if (rc != SEAL_OK) {
		what(w, wh, sizeof(wh));
		return seal__sops_uncanon(
		    w->ctx, e.type, w->pt.buf, w->pt.len, wh, &w->tmp);
	}
	if ((rc = set_text(w, n, w->tmp.buf ? (char *)w->tmp.buf : "",
	         w->tmp.len)) != SEAL_OK)
		return rc;
	n->type = (uint8_t)(e.type == SEAL_T_BYTES ? SEAL_T_STR : e.type);
	n->flags &= (uint8_t)~SEAL_F_ENCRYPTED;
	n->style = SEAL_S_ANY;
	seal__secbuf_reset(&w->tmp);
	return SEAL_OK;
}

static seal_rc
leaf(struct walk *w, struct seal__node *n, bool selected)
{
	char wh[480];
	seal_rc rc;

	if (n->type == SEAL_T_NULL)
		return SEAL_OK;
	seal__secbuf_reset(&w->pt);
	if (w->mode == W_DECRYPT && selected && n->len > 0) {
		if (!seal__enc_looks(n->text, n->len)) {
			what(w, wh, sizeof(wh));
			return seal__err(w->ctx, SEAL_EAUTH,
			    "%s should be encrypted but is in the clear", wh);
		}
		if ((rc = decrypt_value(w, n, w->aad, w->aadlen, false)) !=
		    SEAL_OK)
			return rc;
	} else if ((rc = seal__sops_canon(w->ctx, n, "", &w->pt)) != SEAL_OK) {
		what(w, wh, sizeof(wh));
		seal__secbuf_reset(&w->pt);
		return seal__sops_canon(w->ctx, n, wh, &w->pt);
	}
	if (!w->o->mac_only_encrypted || selected)
		if (w->pt.len > 0 &&
		    seal__hash_update(w->mac, w->pt.buf, w->pt.len) != 0)
			return seal__err(w->ctx, SEAL_EIO, "hash failed");
	if (w->mode == W_ENCRYPT && selected && w->pt.len > 0)
		rc = encrypt_value(w, n, w->aad, w->aadlen, false);
	seal__secbuf_reset(&w->pt);
	return rc;
}

static seal_rc
comment(struct walk *w, struct seal__node *n, bool selected)
{
	const char *aad = w->aadlen ? w->aad : ":";
	size_t aadlen = w->aadlen ? w->aadlen : 1;
	seal_rc rc = SEAL_OK;

	if (!selected || n->len == 0 || w->mode == W_MAC)
		return SEAL_OK;
	if (w->mode == W_DECRYPT) {
		if (!seal__enc_looks(n->text, n->len))
			return SEAL_OK;
		return decrypt_value(w, n, aad, aadlen, true);
	}
	seal__secbuf_reset(&w->pt);
	if (seal__secbuf_append(&w->pt, n->text, n->len) != 0)
		return seal__err(w->ctx, SEAL_ENOMEM, "out of memory");
	rc = encrypt_value(w, n, aad, aadlen, true);
	seal__secbuf_reset(&w->pt);
	return rc;
}

/* The selection regex gave up on the key (or a comment) at the current
 * path: the walk stops, the caller writes nothing. */
static seal_rc
rule_failed(struct walk *w, bool comment)
{
	char wh[480];

	what(w, wh, sizeof(wh));
	/* run() puts the file's name in front */
	return seal__rule_fail(w->ctx, w->o->rule, NULL, wh, comment);
}

static seal_rc
walk_node(struct walk *w, struct seal__node *n, struct seal__rule_state st)
{
	size_t i, mark;
	seal_rc rc;

	if (n == NULL)
		return SEAL_OK;
	if (n->kind == SEAL_N_SCALAR)
		return leaf(w, n, seal__rule_state_encrypt(w->o->rule, &st));
	if (n->kind == SEAL_N_COMMENT)
		return comment(w, n, seal__rule_state_encrypt(w->o->rule, &st));
	if (w->depth >= SEAL_LIMIT_DEPTH)
		return seal__err(w->ctx, SEAL_ELIMIT,
		    "%s: nesting deeper than %u", w->o->file, SEAL_LIMIT_DEPTH);
	for (i = 0; i < n->nitems; i++) {
		struct seal__item *it = &n->items[i];
		struct seal__rule_state cst = st;

		if (it->val == NULL)
			continue;
		if (it->val->kind == SEAL_N_COMMENT) {
			/* the comment is judged before it joins the stack */
			bool sel = seal__rule_state_encrypt(w->o->rule, &st);
			struct seal__rule_state nst = st;

			/* the stack holds clear comment text */
			if (w->mode != W_DECRYPT &&
			    seal__rule_state_comment(w->o->rule, &nst,
			        it->val->text, it->val->len) != 0)
				return rule_failed(w, true);
			if ((rc = comment(w, it->val, sel)) != SEAL_OK)
				return rc;
			if (w->mode == W_DECRYPT &&
			    seal__rule_state_comment(w->o->rule, &nst,
			        it->val->text, it->val->len) != 0)
				return rule_failed(w, true);
			st = nst;
			continue;
		}
		mark = w->aadlen;
		if (n->kind == SEAL_N_MAP) {
			if (it->key == NULL)
				continue;
			w->keys[w->depth] = it->key;
			w->lens[w->depth] = it->keylen;
			w->depth++;
			if (seal__rule_state_key(
			        w->o->rule, &cst, it->key, it->keylen) != 0)
				return rule_failed(w, false);
			if (aad_push(w, it->key, it->keylen) != 0)
				return seal__err(
				    w->ctx, SEAL_ENOMEM, "out of memory");
		}
		rc = walk_node(w, it->val, cst);
		if (n->kind == SEAL_N_MAP)
			w->depth--;
		w->aadlen = mark;
		if (rc != SEAL_OK)
			return rc;
	}
	return SEAL_OK;
}

static seal_rc
run(seal_ctx *ctx, enum walk_mode mode, struct seal__tree *t,
    const unsigned char *key, const struct seal__walk_opts *o,
    char mac_hex[129])
{
	static const unsigned char only_enc_init[32] = {
	    0x8a,
	    0x3f,
	    0xd2,
	    0xad,
	    0x54,
	    0xce,
	    0x66,
	    0x52,
	    0x7b,
	    0x10,
	    0x34,
	    0xf3,
	    0xd1,
	    0x47,
	    0xbe,
	    0x0b,
	    0x0b,
	    0x97,
	    0x5b,
	    0x3b,
	    0xf4,
	    0x4f,
	    0x72,
	    0xc6,
	    0xfd,
	    0xad,
	    0xec,
	    0x81,
	    0x76,
	    0xf2,
	    0x7d,
	    0x69,
	};
	static const char hex[] = "0123456789ABCDEF";
	unsigned char digest[64];
	struct walk w;
	struct seal__rule_state st;
	size_t d, i;
	seal_rc rc = SEAL_OK;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.mode = mode;
	w.o = o;
	w.key = key;
	w.t = t;
	w.mac = seal__sha512_new();
	if (w.mac == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	if (key != NULL && (w.gcm = seal__gcm_new(key)) == NULL) {
		seal__hash_free(w.mac);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	if (o->mac_only_encrypted)
		seal__hash_update(w.mac, only_enc_init, sizeof(only_enc_init));
	for (d = 0; d < t->ndocs && rc == SEAL_OK; d++) {
		seal__rule_state_root(&st);
		w.depth = 0;
		w.aadlen = 0;
		rc = walk_node(&w, t->docs[d].root, st);
	}
	if (rc == SEAL_OK) {
		if (seal__hash_final(w.mac, digest) != 0) {
			rc = seal__err(ctx, SEAL_EIO, "hash failed");
		} else {
			for (i = 0; i < 64; i++) {
				mac_hex[2 * i] = hex[digest[i] >> 4];
				mac_hex[2 * i + 1] = hex[digest[i] & 15];
			}
			mac_hex[128] = '\0';
		}
		w.mac = NULL;
	}
	seal__hash_free(w.mac);
	seal__gcm_free(w.gcm);
	sodium_memzero(digest, sizeof(digest));
	sodium_memzero(w.ivpool, sizeof(w.ivpool));
	seal__secbuf_free(&w.pt);
	seal__secbuf_free(&w.tmp);
	free(w.aad);
	if (rc != SEAL_OK && o->file != NULL)
		seal__err_prefix(ctx, "%s", o->file);
	return rc;
}

seal_rc
seal__sops_encrypt_tree(seal_ctx *ctx, struct seal__tree *t,
    const struct seal__sops_key *key, const struct seal__walk_opts *o,
    char mac_hex[129])
{
	return run(ctx, W_ENCRYPT, t, key->k, o, mac_hex);
}

seal_rc
seal__sops_decrypt_tree(seal_ctx *ctx, struct seal__tree *t,
    const struct seal__sops_key *key, const struct seal__walk_opts *o,
    char mac_hex[129])
{
	return run(ctx, W_DECRYPT, t, key->k, o, mac_hex);
}

seal_rc
seal__sops_mac_tree(seal_ctx *ctx, struct seal__tree *t,
    const struct seal__walk_opts *o, char mac_hex[129])
{
	return run(ctx, W_MAC, t, NULL, o, mac_hex);
}
