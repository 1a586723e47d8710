/* SPDX-License-Identifier: ISC */
/*
 * age-ssh.c - OpenSSH keys as age recipients and identities, as the
 * reference's agessh package: ssh-ed25519 (X25519 on the Montgomery form
 * with an HKDF tweak) and ssh-rsa (RSA-OAEP-SHA-256). Parses public key
 * lines and unencrypted private keys (OpenSSH format, or PEM that OpenSSL
 * reads). Encrypted private keys are refused with a hint.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "age-internal.h"

#define ED_INFO "age-encryption.org/v1/ssh-ed25519"
#define RSA_LABEL "age-encryption.org/v1/ssh-rsa"
#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"

static const unsigned char zero_nonce[12];

/* ---- SSH wire format -------------------------------------------------- */

struct rd {
	const unsigned char *p;
	size_t len;
};

static int
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->len < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return 0;
}

static int
rd_str(struct rd *r, const unsigned char **s, size_t *n)
{
	uint32_t l;

	if (rd_u32(r, &l) != 0 || l > r->len)
		return -1;
	*s = r->p;
	*n = l;
	r->p += l;
	r->len -= l;
	return 0;
}

static bool
str_is(const unsigned char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

static void
key_tag(unsigned char tag[4], const unsigned char *wire, size_t n)
{
	unsigned char h[32];

	crypto_hash_sha256(h, wire, n);
	memcpy(tag, h, 4);
}

static EVP_PKEY *
rsa_from_parts(const unsigned char *n, size_t nn, const unsigned char *e,
    size_t ne, const unsigned char *d, size_t nd, const unsigned char *p,
    size_t np, const unsigned char *q, size_t nq, const unsigned char *iq,
    size_t niq)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	BIGNUM *bn[9] = { NULL };
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_PKEY *pk = NULL;
	BN_CTX *bc = NULL;
	int i, priv = d != NULL;

	if (b == NULL)
		goto out;
	bn[0] = BN_bin2bn(n, (int)nn, NULL);
	bn[1] = BN_bin2bn(e, (int)ne, NULL);
	if (bn[0] == NULL || bn[1] == NULL ||
	    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn[0]) ||
	    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, bn[1]))
		goto out;
	if (priv) {
		bc = BN_CTX_new();
		bn[2] = BN_secure_new();
		bn[3] = BN_secure_new();
		bn[4] = BN_secure_new();
		bn[5] = BN_secure_new();
		bn[6] = BN_secure_new();
		bn[7] = BN_secure_new();
		bn[8] = BN_secure_new();
		if (bc == NULL || bn[8] == NULL ||
		    !BN_bin2bn(d, (int)nd, bn[2]) ||
		    !BN_bin2bn(p, (int)np, bn[3]) ||
		    !BN_bin2bn(q, (int)nq, bn[4]) ||
		    !BN_bin2bn(iq, (int)niq, bn[5]))
			goto out;
		/* dmp1 = d mod (p-1), dmq1 = d mod (q-1) */
		if (!BN_copy(bn[8], bn[3]) || !BN_sub_word(bn[8], 1) ||
		    !BN_mod(bn[6], bn[2], bn[8], bc) ||
		    !BN_copy(bn[8], bn[4]) || !BN_sub_word(bn[8], 1) ||
		    !BN_mod(bn[7], bn[2], bn[8], bc))
			goto out;
		if (!OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_D, bn[2]) ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR1,
			bn[3]) ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR2,
			bn[4]) ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT1,
			bn[6]) ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT2,
			bn[7]) ||
		    !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
			bn[5]))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(b);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) <= 0 ||
	    EVP_PKEY_fromdata(pc, &pk,
		priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
out:
	for (i = 0; i < 9; i++)
		BN_clear_free(bn[i]);
	BN_CTX_free(bc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(pc);
	return pk;
}

/* Parse a public key blob; fills type/pk/tag/rsa of either struct. */
static seal_rc
parse_pub_wire(seal_ctx *ctx, const unsigned char *w, size_t wn,
    enum seal__age_type *type, unsigned char pk[32], void **rsa)
{
	struct rd r = { w, wn };
	const unsigned char *t, *a, *b;
	size_t tn, an, bn;

	if (rd_str(&r, &t, &tn) != 0)
		return seal__err(ctx, SEAL_EKEY, "malformed SSH public key");
	if (str_is(t, tn, "ssh-ed25519")) {
		if (rd_str(&r, &a, &an) != 0 || an != 32 || r.len != 0)
			return seal__err(ctx, SEAL_EKEY,
			    "malformed ssh-ed25519 public key");
		if (crypto_sign_ed25519_pk_to_curve25519(pk, a) != 0)
			return seal__err(ctx, SEAL_EKEY,
			    "invalid ssh-ed25519 public key");
		*type = SEAL__AGE_SSH_ED25519;
		return SEAL_OK;
	}
	if (str_is(t, tn, "ssh-rsa")) {
		/* e then n */
		if (rd_str(&r, &a, &an) != 0 || rd_str(&r, &b, &bn) != 0 ||
		    r.len != 0)
			return seal__err(ctx, SEAL_EKEY,
			    "malformed ssh-rsa public key");
		*rsa = rsa_from_parts(b, bn, a, an, NULL, 0, NULL, 0, NULL, 0,
		    NULL, 0);
		if (*rsa == NULL)
			return seal__err(ctx, SEAL_EKEY,
			    "invalid ssh-rsa public key");
		if (EVP_PKEY_get_bits(*rsa) < 2048) {
			EVP_PKEY_free(*rsa);
			*rsa = NULL;
			return seal__err(ctx, SEAL_EKEY,
			    "ssh-rsa key under 2048 bits refused");
		}
		*type = SEAL__AGE_SSH_RSA;
		return SEAL_OK;
	}
	return seal__err(ctx, SEAL_EUNSUPPORTED,
	    "unsupported SSH key type (only ssh-ed25519 and ssh-rsa)");
}

static char *
line_of(const char *type, const unsigned char *wire, size_t n)
{
	size_t tl = strlen(type), bl = (n + 2) / 3 * 4;
	char *s = malloc(tl + 1 + bl + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, type, tl);
	s[tl] = ' ';
	seal__b64_encode(s + tl + 1, wire, n);
	s[tl + 1 + bl] = '\0';
	return s;
}

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
	rc = parse_pub_wire(ctx, wire, wn, &r->type, r->pk, &r->rsa);
	if (rc != SEAL_OK)
		goto fail;
	if (strcmp(type, r->type == SEAL__AGE_SSH_RSA ? "ssh-rsa"
						      : "ssh-ed25519") != 0) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "malformed SSH public key: type mismatch");
		goto fail;
	}
	key_tag(r->tag, wire, wn);
	r->str = line_of(type, wire, wn);
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

void
seal__ssh_free_key(void *rsa)
{
	EVP_PKEY_free(rsa);
}

char *
seal__ssh_recipient_string(const struct seal__age_id *id)
{
	return line_of(id->type == SEAL__AGE_SSH_RSA ? "ssh-rsa"
						     : "ssh-ed25519",
	    id->wire, id->wirelen);
}

/* ---- private keys ------------------------------------------------------ */

/* Decode the OpenSSH PEM body into secure memory. */
static unsigned char *
openssh_body(const char *buf, size_t len, size_t *outlen)
{
	const char *b = memmem(buf, len, OPENSSH_BEGIN, strlen(OPENSSH_BEGIN));
	const char *e;
	unsigned char *out;
	char *clean;
	size_t i, n = 0;

	if (b == NULL)
		return NULL;
	b += strlen(OPENSSH_BEGIN);
	e = memmem(b, len - (size_t)(b - buf), OPENSSH_END,
	    strlen(OPENSSH_END));
	if (e == NULL)
		return NULL;
	clean = malloc((size_t)(e - b) + 1);
	out = seal__secalloc((size_t)(e - b) + 1);
	if (clean == NULL || out == NULL) {
		free(clean);
		seal__secfree(out);
		return NULL;
	}
	for (i = 0; b + i < e; i++)
		if (b[i] != '\n' && b[i] != '\r' && b[i] != ' ' && b[i] != '\t')
			clean[n++] = b[i];
	if (seal__b64_decode(out, (size_t)(e - b), outlen, clean, n) != 0) {
		seal__secfree(out);
		out = NULL;
	}
	free(clean);
	return out;
}

static seal_rc
push_ssh_id(seal_ctx *ctx, seal_identity **out, struct seal__age_id *e,
    const unsigned char *wire, size_t wn)
{
	seal_identity *id;

	e->wire = malloc(wn);
	id = calloc(1, sizeof(*id));
	if (e->wire == NULL || id == NULL) {
		free(id);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	memcpy(e->wire, wire, wn);
	e->wirelen = wn;
	key_tag(e->tag, wire, wn);
	if (seal__identity_push(id, e) != 0) {
		free(id);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	*out = id;
	return SEAL_OK;
}

static seal_rc
parse_openssh(seal_ctx *ctx, const unsigned char *k, size_t kn,
    seal_identity **out)
{
	static const char magic[] = "openssh-key-v1";
	struct rd r = { k, kn }, pr;
	const unsigned char *cipher, *kdf, *kdfo, *pub, *priv, *t, *a, *b, *c,
	    *d, *p, *q, *iq;
	size_t cn, kdn, kon, pn, prn, tn, an, bn, cnn, dn, pnn, qn, iqn;
	uint32_t nkeys, c1, c2;
	struct seal__age_id e;
	seal_rc rc;

	memset(&e, 0, sizeof(e));
	if (kn < sizeof(magic) || memcmp(k, magic, sizeof(magic)) != 0)
		return seal__err(ctx, SEAL_EKEY,
		    "malformed OpenSSH private key");
	r.p += sizeof(magic);
	r.len -= sizeof(magic);
	if (rd_str(&r, &cipher, &cn) != 0 || rd_str(&r, &kdf, &kdn) != 0 ||
	    rd_str(&r, &kdfo, &kon) != 0 || rd_u32(&r, &nkeys) != 0 ||
	    nkeys != 1 || rd_str(&r, &pub, &pn) != 0 ||
	    rd_str(&r, &priv, &prn) != 0)
		return seal__err(ctx, SEAL_EKEY,
		    "malformed OpenSSH private key");
	if (!str_is(cipher, cn, "none"))
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "passphrase-protected SSH keys are not supported; "
		    "use an unencrypted copy (ssh-keygen -p -N '')");
	pr.p = priv;
	pr.len = prn;
	if (rd_u32(&pr, &c1) != 0 || rd_u32(&pr, &c2) != 0 || c1 != c2 ||
	    rd_str(&pr, &t, &tn) != 0)
		return seal__err(ctx, SEAL_EKEY,
		    "malformed OpenSSH private key");
	if (str_is(t, tn, "ssh-ed25519")) {
		if (rd_str(&pr, &a, &an) != 0 || an != 32 ||
		    rd_str(&pr, &b, &bn) != 0 || bn != 64 ||
		    memcmp(b + 32, a, 32) != 0)
			return seal__err(ctx, SEAL_EKEY,
			    "malformed ssh-ed25519 private key");
		e.type = SEAL__AGE_SSH_ED25519;
		e.sk = seal__secalloc(32);
		if (e.sk == NULL)
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
		e.sklen = 32;
		if (crypto_sign_ed25519_sk_to_curve25519(e.sk, b) != 0 ||
		    crypto_sign_ed25519_pk_to_curve25519(e.pk, a) != 0) {
			seal__secfree(e.sk);
			return seal__err(ctx, SEAL_EKEY,
			    "invalid ssh-ed25519 private key");
		}
	} else if (str_is(t, tn, "ssh-rsa")) {
		if (rd_str(&pr, &a, &an) != 0 || rd_str(&pr, &b, &bn) != 0 ||
		    rd_str(&pr, &c, &cnn) != 0 || rd_str(&pr, &iq, &iqn) != 0 ||
		    rd_str(&pr, &p, &pnn) != 0 || rd_str(&pr, &q, &qn) != 0)
			return seal__err(ctx, SEAL_EKEY,
			    "malformed ssh-rsa private key");
		d = c;
		dn = cnn;
		/* n=a, e=b, d, iqmp, p, q */
		e.type = SEAL__AGE_SSH_RSA;
		e.rsa = rsa_from_parts(a, an, b, bn, d, dn, p, pnn, q, qn, iq,
		    iqn);
		if (e.rsa == NULL)
			return seal__err(ctx, SEAL_EKEY,
			    "invalid ssh-rsa private key");
	} else {
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "unsupported SSH key type (only ssh-ed25519 and ssh-rsa)");
	}
	rc = push_ssh_id(ctx, out, &e, pub, pn);
	if (rc != SEAL_OK) {
		seal__secfree(e.sk);
		EVP_PKEY_free(e.rsa);
		free(e.wire);
	}
	return rc;
}

/* Append bn as an SSH mpint (leading zero when the top bit is set). */
static void
put_mpint(unsigned char *w, size_t *o, const BIGNUM *bn)
{
	unsigned char *p = w + *o + 4;
	size_t n = (size_t)BN_num_bytes(bn), len = n;

	BN_bn2bin(bn, p + 1);
	if (n > 0 && (p[1] & 0x80)) {
		p[0] = 0;
		len = n + 1;
	} else {
		memmove(p, p + 1, n);
	}
	w[*o] = (unsigned char)(len >> 24);
	w[*o + 1] = (unsigned char)(len >> 16);
	w[*o + 2] = (unsigned char)(len >> 8);
	w[*o + 3] = (unsigned char)len;
	*o += 4 + len;
}

/* PEM keys OpenSSL reads (PKCS#1 "RSA PRIVATE KEY", PKCS#8). */
static seal_rc
parse_pem(seal_ctx *ctx, const char *buf, size_t len, seal_identity **out)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	EVP_PKEY *pk = NULL;
	BIGNUM *n = NULL, *e = NULL;
	unsigned char *w = NULL;
	struct seal__age_id ent;
	size_t o = 0, cap;
	seal_rc rc;

	memset(&ent, 0, sizeof(ent));
	if (bio == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	BIO_free(bio);
	if (pk == NULL)
		return seal__err(ctx, SEAL_EKEY,
		    "cannot read the PEM private key (encrypted or malformed)");
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "unsupported PEM key type; use an OpenSSH ed25519 or RSA "
		    "key");
	}
	if (!EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e)) {
		rc = seal__err(ctx, SEAL_EKEY, "invalid RSA key");
		goto out;
	}
	cap = 4 + 7 + 4 + 1 + (size_t)BN_num_bytes(e) + 4 + 1 +
	    (size_t)BN_num_bytes(n) + 8;
	w = malloc(cap);
	if (w == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(w, "\0\0\0\7ssh-rsa", 11);
	o = 11;
	put_mpint(w, &o, e);
	put_mpint(w, &o, n);
	ent.type = SEAL__AGE_SSH_RSA;
	ent.rsa = pk;
	rc = push_ssh_id(ctx, out, &ent, w, o);
	if (rc == SEAL_OK)
		pk = NULL;
	else
		free(ent.wire);
out:
	free(w);
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(pk);
	return rc;
}

seal_rc
seal__ssh_identity_parse(seal_ctx *ctx, const char *buf, size_t len,
    seal_identity **out)
{
	unsigned char *k;
	size_t kn = 0;
	seal_rc rc;

	*out = NULL;
	if (memmem(buf, len, OPENSSH_BEGIN, strlen(OPENSSH_BEGIN)) == NULL) {
		if (memmem(buf, len, "ENCRYPTED", 9) != NULL)
			return seal__err(ctx, SEAL_EUNSUPPORTED,
			    "passphrase-protected SSH keys are not "
			    "supported; use an unencrypted copy");
		return parse_pem(ctx, buf, len, out);
	}
	k = openssh_body(buf, len, &kn);
	if (k == NULL)
		return seal__err(ctx, SEAL_EKEY,
		    "malformed OpenSSH private key");
	rc = parse_openssh(ctx, k, kn, out);
	seal__secfree(k);
	return rc;
}
