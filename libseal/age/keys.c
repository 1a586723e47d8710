/* SPDX-License-Identifier: ISC */
/*
 * age/keys.c - recipients and identities: parsing "age1..." and
 * "AGE-SECRET-KEY-1..." (Bech32, case rules as the reference), identity
 * and recipients files, passphrases, generation and the text forms.
 * OpenSSH keys are delegated to age/ssh.c; stanza crypto lives elsewhere.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age/age.h"

#define ID_HRP "AGE-SECRET-KEY-"
#define RCPT_HRP "age"
#define MAX_LINE (8 * 1024)

/* ---- recipients ------------------------------------------------------ */

static seal_rc
new_recipient(seal_ctx *ctx, enum seal__age_type type, seal_recipient **out)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	(*out)->type = type;
	return SEAL_OK;
}

static bool
has_prefix(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(s, p, n) == 0;
}

seal_rc
seal_recipient_parse(seal_ctx *ctx, const char *s, size_t len,
    seal_recipient **out)
{
	unsigned char data[64];
	char hrp[16], q[64], enc[80];
	const char *why = NULL;
	size_t dlen;
	seal_recipient *r;
	seal_rc rc;

	*out = NULL;
	seal__quote(q, sizeof(q), s, len);
	if (has_prefix(s, len, "ssh-"))
		return seal__ssh_recipient_parse(ctx, s, len, out);
	if (has_prefix(s, len, "age1pq1") || has_prefix(s, len, "age1tag"))
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "unsupported recipient type '%s'", q);
	if (has_prefix(s, len, "AGE-"))
		return seal__err(ctx, SEAL_EKEY,
		    "'%s' looks like an identity (secret key), not a recipient",
		    has_prefix(s, len, "AGE-SECRET-KEY-") ? "AGE-SECRET-KEY-..."
							    : "AGE-...");
	if (!has_prefix(s, len, "age1"))
		return seal__err(ctx, SEAL_EKEY, "unknown recipient type '%s'",
		    q);
	if (seal__bech32_decode(s, len, hrp, sizeof(hrp), data, sizeof(data),
		&dlen, &why) != 0)
		return seal__err(ctx, SEAL_EKEY, "malformed recipient '%s': %s",
		    q, why);
	if (strcmp(hrp, RCPT_HRP) != 0) {
		if (strcmp(hrp, "AGE") == 0)
			return seal__err(ctx, SEAL_EKEY,
			    "malformed recipient '%s': upper case", q);
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "unsupported recipient type '%s' (plugins are not "
		    "supported)", q);
	}
	if (dlen != 32)
		return seal__err(ctx, SEAL_EKEY,
		    "malformed recipient '%s': %zu bytes, want 32", q, dlen);
	if ((rc = new_recipient(ctx, SEAL__AGE_X25519, &r)) != SEAL_OK)
		return rc;
	memcpy(r->pk, data, 32);
	if (seal__bech32_encode(enc, sizeof(enc), RCPT_HRP, r->pk, 32, false) <
		0 ||
	    (r->str = strdup(enc)) == NULL) {
		free(r);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	*out = r;
	return SEAL_OK;
}

/* Next line of buf from *pos: sets l/n (CR stripped); false at the end. */
static bool
next_line(const char *buf, size_t len, size_t *pos, const char **l,
    size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*l = buf + *pos;
	nl = memchr(*l, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *l) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	if (*n > 0 && (*l)[*n - 1] == '\r')
		(*n)--;
	return true;
}

seal_rc
seal_recipients_parse_file(seal_ctx *ctx, const char *buf, size_t len,
    seal_recipient ***list, size_t *n)
{
	size_t pos = 0, ll, lineno = 0, added = 0;
	const char *l;
	seal_recipient *r, **nl;
	seal_rc rc;

	while (next_line(buf, len, &pos, &l, &ll)) {
		lineno++;
		if (ll == 0 || l[0] == '#')
			continue;
		if (ll > MAX_LINE)
			return seal__err(ctx, SEAL_EKEY,
			    "recipients line %zu: longer than %d bytes", lineno,
			    MAX_LINE);
		if (has_prefix(l, ll, "AGE-"))
			return seal__err(ctx, SEAL_EKEY,
			    "recipients line %zu: looks like an identity "
			    "(secret key), not a recipient", lineno);
		rc = seal_recipient_parse(ctx, l, ll, &r);
		if (rc == SEAL_EUNSUPPORTED && has_prefix(l, ll, "ssh-") &&
		    !has_prefix(l, ll, "ssh-ed25519 ") &&
		    !has_prefix(l, ll, "ssh-rsa "))
			continue; /* other SSH key types: skipped as age does */
		if (rc != SEAL_OK) {
			seal__err_prefix(ctx, "recipients line %zu", lineno);
			return rc;
		}
		nl = realloc(*list, (*n + 1) * sizeof(*nl));
		if (nl == NULL) {
			seal_recipient_free(r);
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
		}
		*list = nl;
		(*list)[(*n)++] = r;
		added++;
	}
	if (added == 0)
		return seal__err(ctx, SEAL_EKEY, "no recipients found");
	return SEAL_OK;
}

seal_rc
seal_recipient_scrypt(seal_ctx *ctx, const char *pass, size_t passlen,
    int log2n, seal_recipient **out)
{
	seal_recipient *r;
	seal_rc rc;

	*out = NULL;
	if (passlen == 0)
		return seal__err(ctx, SEAL_EINVAL, "empty passphrase");
	if (log2n == 0)
		log2n = SEAL_AGE_SCRYPT_LOG2N;
	if (log2n < 1 || log2n > SEAL_AGE_SCRYPT_MAX_LOG2N)
		return seal__err(ctx, SEAL_EINVAL,
		    "scrypt work factor %d out of range 1..%d", log2n,
		    SEAL_AGE_SCRYPT_MAX_LOG2N);
	if ((rc = new_recipient(ctx, SEAL__AGE_SCRYPT, &r)) != SEAL_OK)
		return rc;
	r->pass = seal__secalloc(passlen);
	r->str = strdup("scrypt");
	if (r->pass == NULL || r->str == NULL) {
		seal_recipient_free(r);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	memcpy(r->pass, pass, passlen);
	r->passlen = passlen;
	r->log2n = log2n;
	*out = r;
	return SEAL_OK;
}

const char *
seal_recipient_string(const seal_recipient *r)
{
	return r ? r->str : NULL;
}

void
seal_recipient_free(seal_recipient *r)
{
	if (r == NULL)
		return;
	free(r->str);
	seal__secfree(r->pass);
	if (r->rsa != NULL)
		seal__ssh_free_key(r->rsa);
	free(r);
}

void
seal_recipients_free(seal_recipient **list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		seal_recipient_free(list[i]);
	free(list);
}

/* ---- identities ------------------------------------------------------ */

int
seal__identity_push(seal_identity *id, const struct seal__age_id *e)
{
	struct seal__age_id *nv;
	size_t ncap;

	if (id->n == id->cap) {
		ncap = id->cap ? id->cap * 2 : 2;
		nv = realloc(id->v, ncap * sizeof(*nv)); /* no secrets inline */
		if (nv == NULL)
			return -1;
		id->v = nv;
		id->cap = ncap;
	}
	id->v[id->n++] = *e;
	return 0;
}

static void
id_entry_free(struct seal__age_id *e)
{
	seal__secfree(e->sk);
	free(e->wire);
	if (e->rsa != NULL)
		seal__ssh_free_key(e->rsa);
	memset(e, 0, sizeof(*e));
}

void
seal_identity_free(seal_identity *id)
{
	size_t i;

	if (id == NULL)
		return;
	for (i = 0; i < id->n; i++)
		id_entry_free(&id->v[i]);
	free(id->v);
	free(id);
}

static seal_rc
push_x25519(seal_ctx *ctx, seal_identity *id, const unsigned char sk[32])
{
	struct seal__age_id e;

	memset(&e, 0, sizeof(e));
	e.type = SEAL__AGE_X25519;
	e.sk = seal__secalloc(32);
	if (e.sk == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of secure memory");
	memcpy(e.sk, sk, 32);
	e.sklen = 32;
	if (crypto_scalarmult_base(e.pk, e.sk) != 0 ||
	    seal__identity_push(id, &e) != 0) {
		seal__secfree(e.sk);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	return SEAL_OK;
}

seal_rc
seal_identity_generate(seal_ctx *ctx, seal_identity **out)
{
	unsigned char sk[32];
	seal_identity *id;
	seal_rc rc;

	*out = NULL;
	id = calloc(1, sizeof(*id));
	if (id == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	randombytes_buf(sk, sizeof(sk));
	rc = push_x25519(ctx, id, sk);
	sodium_memzero(sk, sizeof(sk));
	if (rc != SEAL_OK) {
		seal_identity_free(id);
		return rc;
	}
	*out = id;
	return SEAL_OK;
}

static seal_rc
parse_x25519_line(seal_ctx *ctx, seal_identity *id, const char *l, size_t n,
    size_t lineno)
{
	unsigned char data[40];
	char hrp[24];
	const char *why = NULL;
	size_t dlen = 0;
	seal_rc rc;

	if (seal__bech32_decode(l, n, hrp, sizeof(hrp), data, sizeof(data),
		&dlen, &why) != 0) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "malformed identity at line %zu: %s", lineno, why);
		goto out;
	}
	if (strcmp(hrp, ID_HRP) != 0) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "malformed identity at line %zu: %s", lineno,
		    strcmp(hrp, "age-secret-key-") == 0 ? "lower case"
							: "unknown type");
		goto out;
	}
	if (dlen != 32) {
		rc = seal__err(ctx, SEAL_EKEY,
		    "malformed identity at line %zu: %zu bytes, want 32",
		    lineno, dlen);
		goto out;
	}
	rc = push_x25519(ctx, id, data);
out:
	sodium_memzero(data, sizeof(data));
	return rc;
}

seal_rc
seal_identity_parse(seal_ctx *ctx, const char *buf, size_t len,
    seal_identity **out)
{
	size_t pos = 0, ll, lineno = 0, skip = 0;
	seal_identity *id;
	const char *l;
	seal_rc rc = SEAL_OK;

	*out = NULL;
	while (skip < len && (buf[skip] == ' ' || buf[skip] == '\t' ||
				 buf[skip] == '\r' || buf[skip] == '\n'))
		skip++;
	if (has_prefix(buf + skip, len - skip, "-----BEGIN"))
		return seal__ssh_identity_parse(ctx, buf, len, out);
	id = calloc(1, sizeof(*id));
	if (id == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	while (next_line(buf, len, &pos, &l, &ll)) {
		lineno++;
		if (ll == 0 || l[0] == '#')
			continue;
		if (has_prefix(l, ll, "AGE-SECRET-KEY-PQ-1") ||
		    has_prefix(l, ll, "age-secret-key-pq-1")) {
			rc = seal__err(ctx, SEAL_EUNSUPPORTED,
			    "unsupported recipient type 'mlkem768x25519' "
			    "(post-quantum identity at line %zu)", lineno);
			goto out;
		}
		if (has_prefix(l, ll, "AGE-PLUGIN-")) {
			rc = seal__err(ctx, SEAL_EUNSUPPORTED,
			    "unsupported identity type at line %zu (plugins "
			    "are not supported)", lineno);
			goto out;
		}
		if (has_prefix(l, ll, "age1")) {
			rc = seal__err(ctx, SEAL_EKEY,
			    "line %zu is an apparent recipient (age1...), not "
			    "an identity; did you mean -r?", lineno);
			goto out;
		}
		if (!has_prefix(l, ll, "AGE-SECRET-KEY-1") &&
		    !has_prefix(l, ll, "age-secret-key-1")) {
			rc = seal__err(ctx, SEAL_EKEY,
			    "malformed identity at line %zu: not an age "
			    "identity", lineno);
			goto out;
		}
		if ((rc = parse_x25519_line(ctx, id, l, ll, lineno)) != SEAL_OK)
			goto out;
	}
	if (id->n == 0)
		rc = seal__err(ctx, SEAL_EKEY, "no identities found");
out:
	if (rc != SEAL_OK) {
		seal_identity_free(id);
		return rc;
	}
	*out = id;
	return SEAL_OK;
}

seal_rc
seal_identity_add_passphrase(seal_ctx *ctx, seal_identity **id,
    const char *pass, size_t passlen)
{
	struct seal__age_id e;

	if (passlen == 0)
		return seal__err(ctx, SEAL_EINVAL, "empty passphrase");
	if (*id == NULL && (*id = calloc(1, sizeof(**id))) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	memset(&e, 0, sizeof(e));
	e.type = SEAL__AGE_SCRYPT;
	e.sk = seal__secalloc(passlen);
	if (e.sk == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of secure memory");
	memcpy(e.sk, pass, passlen);
	e.sklen = passlen;
	if (seal__identity_push(*id, &e) != 0) {
		seal__secfree(e.sk);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	return SEAL_OK;
}

seal_rc
seal_identity_merge(seal_identity **dst, seal_identity *src)
{
	size_t i;

	if (src == NULL)
		return SEAL_OK;
	if (*dst == NULL) {
		*dst = src;
		return SEAL_OK;
	}
	for (i = 0; i < src->n; i++) {
		if (seal__identity_push(*dst, &src->v[i]) != 0) {
			/* free what did not move */
			for (; i < src->n; i++)
				id_entry_free(&src->v[i]);
			free(src->v);
			free(src);
			return SEAL_ENOMEM;
		}
	}
	free(src->v);
	free(src);
	return SEAL_OK;
}

size_t
seal_identity_count(const seal_identity *id)
{
	return id ? id->n : 0;
}

seal_rc
seal_identity_recipient(seal_ctx *ctx, const seal_identity *id, size_t i,
    char **out)
{
	char enc[80];

	*out = NULL;
	if (id == NULL || i >= id->n)
		return seal__err(ctx, SEAL_EINVAL, "no identity %zu", i);
	switch (id->v[i].type) {
	case SEAL__AGE_X25519:
		if (seal__bech32_encode(enc, sizeof(enc), RCPT_HRP, id->v[i].pk,
			32, false) < 0 ||
		    (*out = strdup(enc)) == NULL)
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
		return SEAL_OK;
	case SEAL__AGE_SSH_ED25519:
	case SEAL__AGE_SSH_RSA:
		*out = seal__ssh_recipient_string(&id->v[i]);
		if (*out == NULL)
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
		return SEAL_OK;
	default:
		return seal__err(ctx, SEAL_EINVAL,
		    "a passphrase has no recipient");
	}
}

seal_rc
seal_identity_write(seal_ctx *ctx, const seal_identity *id, size_t i,
    seal_write_fn write, void *arg)
{
	char enc[80];
	long n;
	seal_rc rc = SEAL_OK;

	if (id == NULL || i >= id->n || id->v[i].type != SEAL__AGE_X25519)
		return seal__err(ctx, SEAL_EINVAL,
		    "identity %zu is not an age X25519 identity", i);
	n = seal__bech32_encode(enc, sizeof(enc) - 1, ID_HRP, id->v[i].sk, 32,
	    true);
	if (n < 0) {
		rc = seal__err(ctx, SEAL_ENOMEM, "encoding failed");
		goto out;
	}
	enc[n++] = '\n';
	if (write(arg, enc, (size_t)n) != 0)
		rc = seal__err(ctx, SEAL_EIO, "cannot write the identity");
out:
	sodium_memzero(enc, sizeof(enc));
	return rc;
}
