/* SPDX-License-Identifier: ISC */
/*
 * age/sshkey.c - OpenSSH key material for age: the SSH wire format, public
 * key blobs, unencrypted private keys (OpenSSH format, or PEM that OpenSSL
 * reads) and the identity entries made from them. Passphrase-protected
 * keys are refused with a hint. The stanza crypto lives in age/ssh.c.
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

#include "age/age.h"

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"

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

void
seal__ssh_key_tag(unsigned char tag[4], const unsigned char *wire, size_t n)
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
seal_rc
seal__ssh_parse_pub(seal_ctx *ctx, const unsigned char *w, size_t wn,
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

char *
seal__ssh_line(const char *type, const unsigned char *wire, size_t n)
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

void
seal__ssh_free_key(void *rsa)
{
	EVP_PKEY_free(rsa);
}

char *
seal__ssh_recipient_string(const struct seal__age_id *id)
{
	return seal__ssh_line(id->type == SEAL__AGE_SSH_RSA ? "ssh-rsa"
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
	/* the base64 body is the key itself: it stays in guarded memory
	 * and is wiped when freed */
	clean = seal__secalloc((size_t)(e - b) + 1);
	out = seal__secalloc((size_t)(e - b) + 1);
	if (clean == NULL || out == NULL) {
		seal__secfree(clean);
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
	seal__secfree(clean);
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
	seal__ssh_key_tag(e->tag, wire, wn);
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
