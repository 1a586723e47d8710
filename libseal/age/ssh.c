/* SPDX-License-Identifier: ISC */
/*
 * age/ssh.c - OpenSSH keys as age recipients, as the reference's agessh
 * package: the ssh-ed25519 stanza (X25519 on the Montgomery form with an
 * HKDF tweak) and the ssh-rsa stanza (RSA-OAEP-SHA-256), wrap and unwrap,
 * and public key lines. Key file parsing lives in age/sshkey.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "age/age.h"

#define ED_INFO "age-encryption.org/v1/ssh-ed25519"
#define RSA_LABEL "age-encryption.org/v1/ssh-rsa"

static const unsigned char zero_nonce[12];

/* ---- recipients -------------------------------------------------------- */

seal_rc
seal__ssh_recipient_parse(seal_ctx *ctx, const char *s, size_t len,
    seal_recipient **out)
{
	const char *sp, *b64, *end;
	unsigned char *wire = NULL;
	size_t tl, bl, wn;
	seal_recipient *r = NULL;
	seal_rc rc;
	char type[32];

	*out = NULL;
	sp = memchr(s, ' ', len);
	if (sp == NULL || (tl = (size_t)(sp - s)) >= sizeof(type))
		return seal__err(ctx, SEAL_EKEY,
		    "malformed SSH public key line");
	memcpy(type, s, tl);
	type[tl] = 0;
	if (strcmp(type, "ssh-ed25519") != 0 && strcmp(type, "ssh-rsa") != 0)
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "unsupported SSH key type '%s' (only ssh-ed25519 and "
		    "ssh-rsa)", type);
	b64 = sp + 1;
	end = memchr(b64, ' ', len - (size_t)(b64 - s));
	bl = end ? (size_t)(end - b64) : len - (size_t)(b64 - s);
	wire = malloc(bl + 1);
	if (wire == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	if (seal__b64_decode(wire, bl, &wn, b64, bl) != 0) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "malformed %s public key: bad base64", type);
		goto fail;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto fail;
	}
	rc = seal__ssh_parse_pub(ctx, wire, wn, &r->type, r->pk, &r->rsa);
	if (rc != SEAL_OK)
		goto fail;
	if (strcmp(type, r->type == SEAL__AGE_SSH_RSA ? "ssh-rsa"
						      : "ssh-ed25519") != 0) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "malformed SSH public key: type mismatch");
		goto fail;
	}
	seal__ssh_key_tag(r->tag, wire, wn);
	r->str = seal__ssh_line(type, wire, wn);
	if (r->str == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto fail;
	}
	/* keep the wire for ed25519's tweak: stash it after the string */
	free(wire);
	*out = r;
	return SEAL_OK;
fail:
	free(wire);
	seal_recipient_free(r);
	return rc;
}

/* Recover the wire blob from a recipient's canonical line. */
static unsigned char *
recipient_wire(const seal_recipient *r, size_t *n)
{
	const char *b = strchr(r->str, ' ') + 1;
	size_t bl = strlen(b);
	unsigned char *w = malloc(bl);

	if (w != NULL && seal__b64_decode(w, bl, n, b, bl) != 0) {
		free(w);
		w = NULL;
	}
	return w;
}

static int
ed_tweak(unsigned char t[32], const unsigned char *wire, size_t n)
{
	return seal__hkdf_sha256(t, 32, (const unsigned char *)"", 0, wire, n,
	    ED_INFO, sizeof(ED_INFO) - 1);
}

static int
ed_wrap_key(unsigned char key[32], const unsigned char s2[32],
    const unsigned char epk[32], const unsigned char rpk[32])
{
	unsigned char salt[64];

	memcpy(salt, epk, 32);
	memcpy(salt + 32, rpk, 32);
	return seal__hkdf_sha256(key, 32, s2, 32, salt, 64, ED_INFO,
	    sizeof(ED_INFO) - 1);
}

seal_rc
seal__ssh_wrap(seal_ctx *ctx, const seal_recipient *r,
    const unsigned char *fk, struct seal__hbuf *hb)
{
	unsigned char esk[32], epk[32], s1[32], s2[32], t[32], key[32],
	    body[1024], *wire = NULL;
	char tag64[8], epk64[44];
	const char *args[3];
	unsigned char *label = NULL;
	EVP_PKEY_CTX *pc = NULL;
	size_t wn = 0, blen = sizeof(body);
	seal_rc rc = SEAL_OK;

	seal__b64np_encode(tag64, r->tag, 4);
	tag64[6] = '\0';
	if (r->type == SEAL__AGE_SSH_RSA) {
		pc = EVP_PKEY_CTX_new(r->rsa, NULL);
		label = OPENSSL_malloc(sizeof(RSA_LABEL) - 1);
		if (pc == NULL || label == NULL ||
		    EVP_PKEY_encrypt_init(pc) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) <=
			0 ||
		    EVP_PKEY_CTX_set_rsa_oaep_md(pc, EVP_sha256()) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) <= 0) {
			rc = seal__err(ctx, SEAL_EKEY, "RSA-OAEP setup failed");
			goto out;
		}
		memcpy(label, RSA_LABEL, sizeof(RSA_LABEL) - 1);
		if (EVP_PKEY_CTX_set0_rsa_oaep_label(pc, label,
			sizeof(RSA_LABEL) - 1) <= 0) {
			rc = seal__err(ctx, SEAL_EKEY, "RSA-OAEP setup failed");
			goto out;
		}
		label = NULL; /* owned by pc now */
		if (EVP_PKEY_encrypt(pc, body, &blen, fk, SEAL__AGE_FILE_KEY) <=
		    0) {
			rc = seal__err(ctx, SEAL_EKEY,
			    "cannot encrypt to '%.40s...': RSA-OAEP failed",
			    r->str);
			goto out;
		}
		args[0] = "ssh-rsa";
		args[1] = tag64;
		if (seal__hbuf_stanza(hb, args, 2, body, blen) != 0)
			rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	wire = recipient_wire(r, &wn);
	if (wire == NULL || ed_tweak(t, wire, wn) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	randombytes_buf(esk, sizeof(esk));
	if (crypto_scalarmult_base(epk, esk) != 0 ||
	    crypto_scalarmult(s1, esk, r->pk) != 0 ||
	    crypto_scalarmult(s2, t, s1) != 0 ||
	    ed_wrap_key(key, s2, epk, r->pk) != 0 ||
	    crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, fk,
		SEAL__AGE_FILE_KEY, NULL, 0, NULL, zero_nonce, key) != 0) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "cannot encrypt to ssh-ed25519 key: low-order point");
		goto out;
	}
	seal__b64np_encode(epk64, epk, 32);
	epk64[43] = '\0';
	args[0] = "ssh-ed25519";
	args[1] = tag64;
	args[2] = epk64;
	if (seal__hbuf_stanza(hb, args, 3, body, 32) != 0)
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
out:
	OPENSSL_free(label);
	EVP_PKEY_CTX_free(pc);
	free(wire);
	sodium_memzero(esk, sizeof(esk));
	sodium_memzero(s1, sizeof(s1));
	sodium_memzero(s2, sizeof(s2));
	sodium_memzero(key, sizeof(key));
	return rc;
}

seal_rc
seal__ssh_unwrap(seal_ctx *ctx, const struct seal__age_id *id,
    const struct seal__age_header *h, const struct seal__stanza *s,
    unsigned char *fk)
{
	const struct seal__age_arg *a = &h->args[s->arg0];
	unsigned char tag[4], epk[32], s1[32], s2[32], t[32], key[32],
	    out[512];
	unsigned char *label = NULL;
	EVP_PKEY_CTX *pc = NULL;
	size_t got, olen = sizeof(out);
	seal_rc rc;

	if (s->nargs != (id->type == SEAL__AGE_SSH_RSA ? 2u : 3u))
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed %s stanza: wrong number of arguments",
		    id->type == SEAL__AGE_SSH_RSA ? "ssh-rsa" : "ssh-ed25519");
	if (seal__b64np_decode(tag, sizeof(tag), &got, a[1].p, a[1].len) != 0 ||
	    got != 4)
		return seal__err(ctx, SEAL_EHEADER,
		    "malformed SSH stanza: bad key tag");
	if (id->type == SEAL__AGE_SSH_ED25519) {
		if (seal__b64np_decode(epk, sizeof(epk), &got, a[2].p,
			a[2].len) != 0 ||
		    got != 32 || s->bodylen != 32)
			return seal__err(ctx, SEAL_EHEADER,
			    "malformed ssh-ed25519 stanza");
	}
	if (memcmp(tag, id->tag, 4) != 0)
		return SEAL_ENOKEY;
	if (id->type == SEAL__AGE_SSH_RSA) {
		pc = EVP_PKEY_CTX_new(id->rsa, NULL);
		label = OPENSSL_malloc(sizeof(RSA_LABEL) - 1);
		if (pc == NULL || label == NULL ||
		    EVP_PKEY_decrypt_init(pc) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_OAEP_PADDING) <=
			0 ||
		    EVP_PKEY_CTX_set_rsa_oaep_md(pc, EVP_sha256()) <= 0 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha256()) <= 0) {
			rc = seal__err(
			    ctx, SEAL_ENOMEM, "RSA-OAEP setup failed");
			goto out;
		}
		memcpy(label, RSA_LABEL, sizeof(RSA_LABEL) - 1);
		if (EVP_PKEY_CTX_set0_rsa_oaep_label(pc, label,
			sizeof(RSA_LABEL) - 1) <= 0) {
			rc = seal__err(
			    ctx, SEAL_ENOMEM, "RSA-OAEP setup failed");
			goto out;
		}
		label = NULL;
		if (EVP_PKEY_decrypt(pc, out, &olen, h->bodies + s->body,
			s->bodylen) <= 0 ||
		    olen != SEAL__AGE_FILE_KEY) {
			rc = seal__err(ctx, SEAL_EAUTH,
			    "ssh-rsa stanza for this key did not decrypt");
			goto out;
		}
		memcpy(fk, out, SEAL__AGE_FILE_KEY);
		rc = SEAL_OK;
		goto out;
	}
	if (ed_tweak(t, id->wire, id->wirelen) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "key derivation failed");
		goto out;
	}
	if (crypto_scalarmult(s1, id->sk, epk) != 0 ||
	    crypto_scalarmult(s2, t, s1) != 0) {
		rc = seal__err(ctx, SEAL_EHEADER,
		    "malformed ssh-ed25519 stanza: low-order share");
		goto out;
	}
	if (ed_wrap_key(key, s2, epk, id->pk) != 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "key derivation failed");
		goto out;
	}
	if (crypto_aead_chacha20poly1305_ietf_decrypt(fk, NULL, NULL,
		h->bodies + s->body, 32, NULL, 0, zero_nonce, key) != 0)
		rc = seal__err(ctx, SEAL_EAUTH,
		    "ssh-ed25519 stanza for this key did not decrypt");
	else
		rc = SEAL_OK;
out:
	OPENSSL_free(label);
	EVP_PKEY_CTX_free(pc);
	sodium_memzero(s1, sizeof(s1));
	sodium_memzero(s2, sizeof(s2));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(out, sizeof(out));
	return rc;
}
