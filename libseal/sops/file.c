/* SPDX-License-Identifier: ISC */
/*
 * sops/file.c - the public SOPS API (seal/sops.h): a file's life from
 * load to write - the data key (unwrapped with age, wrapped per
 * recipient), the MAC and lastmodified, and the sops: block as sops
 * 3.10-3.12 writes it. Value paths (set/unset/extract) are in
 * sops/path.c; the walk in sops/walk.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sops/file.h"

int
seal_sops_format_from_path(const char *path)
{
	return (int)seal__format_from_path(path);
}

int
seal_sops_format_from_name(const char *name)
{
	return (int)seal__format_from_name(name);
}

/* ---- plain growable buffer (ciphertext only) --------------------------- */

struct membuf {
	char *p;
	size_t len, cap;
};

static int
membuf_write(void *arg, const void *buf, size_t len)
{
	struct membuf *m = arg;

	if (m->len + len + 1 > m->cap) {
		size_t nc = (m->len + len + 1) * 2;
		char *np = realloc(m->p, nc);
		if (np == NULL)
			return -1;
		m->p = np;
		m->cap = nc;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	m->p[m->len] = '\0';
	return 0;
}

/* ---- load / free -----------------------------------------------------------
 */

static void
free_age(struct seal__file_age *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].recipient);
		free(a[i].enc);
	}
	free(a);
}

void
seal_sops_free(seal_sops_file *f)
{
	if (f == NULL)
		return;
	seal__tree_free(f->t);
	seal__tree_free(f->mt);
	seal__rule_free(&f->rule);
	seal__secfree(f->key);
	seal__stash_free(f->stash);
	free_age(f->age, f->nage);
	free(f->name);
	free(f->lastmodified);
	free(f->mac);
	free(f);
}

static seal_rc
take_meta(seal_ctx *ctx, seal_sops_file *f, const struct seal__node *sops)
{
	struct seal__sops_meta m;
	size_t i;
	seal_rc rc;

	if ((rc = seal__sops_meta_read(ctx, sops, f->name, &m)) != SEAL_OK)
		return rc;
	f->age = calloc(m.nage ? m.nage : 1, sizeof(*f->age));
	if (f->age == NULL)
		goto oom;
	for (i = 0; i < m.nage; i++) {
		f->age[i].recipient = strdup(m.age[i].recipient);
		f->age[i].enc = strndup(m.age[i].enc, m.age[i].enc_len);
		f->nage++;
		if (f->age[i].recipient == NULL || f->age[i].enc == NULL)
			goto oom;
	}
	for (i = 0; i < m.nother; i++) {
		f->other[i].name = m.other[i].name;
		f->other[i].val = seal__node_clone(f->mt, m.other[i].val);
		if (f->other[i].val == NULL)
			goto oom;
		f->nother++;
	}
	f->nother_keys = m.nother_keys;
	f->rule_kind = m.rule;
	f->mac_only = m.mac_only_encrypted;
	f->lastmodified = strdup(m.lastmodified);
	f->mac = strdup(m.mac ? m.mac : "");
	if (f->lastmodified == NULL || f->mac == NULL)
		goto oom;
	rc = seal__rule_init(ctx, &f->rule, m.rule, m.rule_arg);
	if (rc != SEAL_OK)
		seal__err_prefix(ctx, "%s", f->name);
	seal__sops_meta_clear(&m);
	return rc;
oom:
	seal__sops_meta_clear(&m);
	return seal__err(ctx, SEAL_ENOMEM, "out of memory");
}

static bool
looks_like_envelope(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len &&
	    (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' ||
	        buf[i] == '\r'))
		i++;
	return i < len && buf[i] == '{' &&
	    memmem(buf, len, "\"sops\"", 6) != NULL;
}

seal_rc
seal_sops_load(seal_ctx *ctx, const void *buf, size_t len, int format,
    const char *name, seal_sops_file **out)
{
	return seal_sops_load_limits(ctx, buf, len, format, name, NULL, out);
}

seal_rc
seal_sops_load_limits(seal_ctx *ctx, const void *buf, size_t len, int format,
    const char *name, const seal_limits *limits, seal_sops_file **out)
{
	struct seal__limits lbuf, *lim = NULL;
	seal_sops_file *f;
	enum seal__format pf;
	seal__parse_fn parse;
	struct seal__node *sops = NULL;
	size_t i;
	seal_rc rc;

	*out = NULL;
	if (limits != NULL) {
		lbuf.max_bytes = limits->max_bytes;
		lbuf.max_depth = limits->max_depth;
		lbuf.max_nodes = limits->max_nodes;
		lbuf.max_docs = limits->max_docs;
		lim = &lbuf;
	}
	if (format == 0)
		format = (int)seal__format_from_path(name);
	if (format == SEAL_FMT_INI)
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "%s: INI files are not supported", name);
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->name = strdup(name ? name : "-")) == NULL ||
	    (f->mt = seal__tree_new()) == NULL) {
		seal_sops_free(f);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	f->fmt = (enum seal__format)format;
	pf = f->fmt;
	if (pf == SEAL_FMT_BINARY && looks_like_envelope(buf, len)) {
		rc = seal__json_parse(ctx, buf, len, lim, &f->t);
		if (rc == SEAL_OK &&
		    seal__map_find(f->t->docs[0].root, "sops") != (size_t)-1) {
			pf = SEAL_FMT_JSON;
		} else {
			seal__tree_free(f->t);
			f->t = NULL;
		}
	}
	if (f->t == NULL) {
		parse = seal__store_parser(pf);
		if (parse == NULL) {
			rc = seal__err(ctx, SEAL_EINVAL, "unknown format");
			goto fail;
		}
		if ((rc = parse(ctx, buf, len, lim, &f->t)) != SEAL_OK) {
			seal__err_prefix(ctx, "%s", f->name);
			goto fail;
		}
	}
	f->store_fmt = pf;
	for (i = 0; i < f->t->ndocs; i++) {
		struct seal__node *b = seal__sops_block(f->t, i, pf, true);
		if (sops == NULL)
			sops = b;
	}
	if (sops != NULL) {
		if ((rc = take_meta(ctx, f, sops)) != SEAL_OK)
			goto fail;
		f->sealed = true;
		f->has_meta = true;
	}
	*out = f;
	return SEAL_OK;
fail:
	seal_sops_free(f);
	return rc;
}

int
seal_sops_is_encrypted(const seal_sops_file *f)
{
	return f->sealed;
}

int
seal_sops_format(const seal_sops_file *f)
{
	return (int)f->fmt;
}

size_t
seal_sops_recipient_count(const seal_sops_file *f)
{
	return f->nage;
}

const char *
seal_sops_recipient(const seal_sops_file *f, size_t i)
{
	return i < f->nage ? f->age[i].recipient : NULL;
}

/* ---- the data key ----------------------------------------------------------
 */

seal_rc
seal_sops_unwrap(seal_ctx *ctx, seal_sops_file *f, const seal_identity *id)
{
	struct seal__secbuf sb = SEAL__SECBUF_INIT;
	char list[300];
	size_t i, o = 0;
	seal_rc rc, first = SEAL_OK;

	if (f->key != NULL)
		return SEAL_OK;
	if (!f->has_meta)
		return seal__err(ctx, SEAL_EINVAL, "%s: not sealed", f->name);
	for (i = 0; i < f->nage; i++) {
		seal__secbuf_reset(&sb);
		rc = seal_age_decrypt_buf(ctx, id, SEAL_AGE_DETECT_ARMOR,
		    f->age[i].enc, strlen(f->age[i].enc), seal__secbuf_writer,
		    &sb);
		if (rc == SEAL_OK && sb.len == SEAL_SOPS_KEY_BYTES) {
			f->key = seal__secalloc(sizeof(*f->key));
			if (f->key == NULL) {
				seal__secbuf_free(&sb);
				return seal__err(
				    ctx, SEAL_ENOMEM, "out of secure memory");
			}
			memcpy(f->key->k, sb.buf, SEAL_SOPS_KEY_BYTES);
			seal__secbuf_free(&sb);
			return SEAL_OK;
		}
		if (rc == SEAL_OK)
			rc = SEAL_EFORMAT;
		if (rc != SEAL_ENOKEY && first == SEAL_OK)
			first = rc;
	}
	seal__secbuf_free(&sb);
	list[0] = '\0';
	for (i = 0; i < f->nage && o + 70 < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
		    i ? ", " : "", f->age[i].recipient);
	if (f->nage == 0)
		return seal__err(ctx, SEAL_ENOKEY,
		    "%s: cannot get the data key: the file has no age "
		    "recipient (%zu other master keys are not supported)",
		    f->name, f->nother_keys);
	return seal__err(ctx, SEAL_ENOKEY,
	    "%s: cannot get the data key: no identity matches its age "
	    "recipient%s (%s)%s",
	    f->name, f->nage > 1 ? "s" : "", list,
	    first != SEAL_OK ? "; an entry was also malformed" : "");
}

static seal_rc
wrap_one(
    seal_ctx *ctx, seal_sops_file *f, const char *recipient, char **enc_out)
{
	seal_recipient *r = NULL;
	struct membuf m = {0};
	seal_rc rc;

	rc = seal_recipient_parse(ctx, recipient, strlen(recipient), &r);
	if (rc != SEAL_OK)
		return rc;
	rc = seal_age_encrypt_buf(ctx, &r, 1, SEAL_AGE_ARMOR, f->key->k,
	    SEAL_SOPS_KEY_BYTES, membuf_write, &m);
	seal_recipient_free(r);
	if (rc != SEAL_OK) {
		free(m.p);
		return rc;
	}
	*enc_out = m.p;
	return SEAL_OK;
}

static seal_rc
new_key(seal_ctx *ctx, seal_sops_file *f)
{
	seal__secfree(f->key);
	f->key = seal__secalloc(sizeof(*f->key));
	if (f->key == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of secure memory");
	randombytes_buf(f->key->k, sizeof(f->key->k));
	return SEAL_OK;
}

/* Wrap the current key for every recipient in list (replacing f->age). */
static seal_rc
wrap_all(seal_ctx *ctx, seal_sops_file *f, char *const *list, size_t n)
{
	struct seal__file_age *na;
	size_t i;
	seal_rc rc;

	na = calloc(n ? n : 1, sizeof(*na));
	if (na == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		na[i].recipient = strdup(list[i]);
		if (na[i].recipient == NULL) {
			free_age(na, i + 1);
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
		}
		if ((rc = wrap_one(ctx, f, list[i], &na[i].enc)) != SEAL_OK) {
			free_age(na, i + 1);
			return rc;
		}
	}
	free_age(f->age, f->nage);
	f->age = na;
	f->nage = n;
	return SEAL_OK;
}

/* ---- MAC ----------------------------------------------------------------- */

static void
walk_opts(const seal_sops_file *f, struct seal__walk_opts *o,
    struct seal__stash *stash)
{
	memset(o, 0, sizeof(*o));
	o->rule = &f->rule;
	o->mac_only_encrypted = f->mac_only;
	o->stash = stash;
	o->file = f->name;
}

static seal_rc
verify_mac(
    seal_ctx *ctx, seal_sops_file *f, const char *mac_hex, unsigned flags)
{
	struct seal__secbuf pt = SEAL__SECBUF_INIT;
	struct seal__enc e;
	char aad[32];
	seal_rc rc;

	if (f->mac == NULL || f->mac[0] == '\0') {
		if (flags & SEAL_SOPS_IGNORE_MAC)
			return SEAL_OK;
		return seal__err(ctx, SEAL_EAUTH,
		    "%s: the file has no MAC; refusing (use --ignore-mac to "
		    "read it anyway)",
		    f->name);
	}
	if (!seal__sops_time_aad(f->lastmodified, aad))
		return seal__err(ctx, SEAL_EFORMAT,
		    "%s: 'sops.lastmodified' is not an RFC 3339 time", f->name);
	rc = seal__enc_parse(ctx, f->mac, strlen(f->mac), "'sops.mac'", &e);
	if (rc == SEAL_OK)
		rc = seal__enc_decrypt(
		    ctx, f->key->k, &e, aad, strlen(aad), &pt, NULL, NULL);
	if (rc == SEAL_OK &&
	    (pt.len != 128 || sodium_memcmp(pt.buf, mac_hex, 128) != 0))
		rc = SEAL_EAUTH;
	seal__secbuf_free(&pt);
	if (rc == SEAL_OK || (flags & SEAL_SOPS_IGNORE_MAC))
		return SEAL_OK;
	if (rc == SEAL_EAUTH)
		return seal__err(ctx, SEAL_EAUTH,
		    "%s: MAC mismatch: the file was modified after it was "
		    "sealed (values, their order, or lastmodified)",
		    f->name);
	seal__err_prefix(ctx, "%s", f->name);
	return rc;
}

static seal_rc
seal_mac(seal_ctx *ctx, seal_sops_file *f, const char *mac_hex)
{
	unsigned char iv[SEAL_SOPS_IV_BYTES];
	char now[32], *enc;
	size_t n;
	seal_rc rc;

	seal__sops_time_now(now);
	enc = malloc(seal__enc_size(128));
	if (enc == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	randombytes_buf(iv, sizeof(iv));
	rc = seal__enc_encrypt(ctx, f->key->k, iv, mac_hex, 128, now,
	    strlen(now), SEAL_T_STR, false, enc, &n);
	if (rc != SEAL_OK) {
		free(enc);
		return rc;
	}
	free(f->mac);
	free(f->lastmodified);
	f->mac = enc;
	f->lastmodified = strdup(now);
	if (f->lastmodified == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	return SEAL_OK;
}

/* ---- decrypt / encrypt ------------------------------------------------------
 */

seal_rc
seal_sops_decrypt(
    seal_ctx *ctx, seal_sops_file *f, const seal_identity *id, unsigned flags)
{
	struct seal__walk_opts o;
	char mac_hex[129];
	seal_rc rc;

	if (!f->sealed)
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: not sealed (no sops metadata)", f->name);
	if ((rc = seal_sops_unwrap(ctx, f, id)) != SEAL_OK)
		return rc;
	if (!(flags & SEAL_SOPS_READ_ONLY) && f->stash == NULL &&
	    (f->stash = seal__stash_new()) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	walk_opts(f, &o, f->stash);
	rc = seal__sops_decrypt_tree(ctx, f->t, f->key, &o, mac_hex);
	if (rc == SEAL_OK)
		rc = verify_mac(ctx, f, mac_hex, flags);
	sodium_memzero(mac_hex, sizeof(mac_hex));
	if (rc == SEAL_OK)
		f->sealed = false;
	else
		f->broken = true;
	return rc;
}

static seal_rc
encrypt_now(seal_ctx *ctx, seal_sops_file *f, struct seal__stash *stash)
{
	struct seal__walk_opts o;
	char mac_hex[129];
	seal_rc rc;

	walk_opts(f, &o, stash);
	rc = seal__sops_encrypt_tree(ctx, f->t, f->key, &o, mac_hex);
	if (rc == SEAL_OK)
		rc = seal_mac(ctx, f, mac_hex);
	sodium_memzero(mac_hex, sizeof(mac_hex));
	if (rc == SEAL_OK) {
		f->sealed = true;
		f->has_meta = true;
	} else {
		f->broken = true;
	}
	return rc;
}

/* Does any document say kind: Secret (a Kubernetes Secret)? */
static bool
has_kube_secret(const struct seal__tree *t)
{
	size_t d;

	for (d = 0; d < t->ndocs; d++) {
		const struct seal__node *k =
		    seal__map_get(t->docs[d].root, "kind");
		if (k != NULL && k->kind == SEAL_N_SCALAR && k->text != NULL &&
		    strcmp(k->text, "Secret") == 0)
			return true;
	}
	return false;
}

seal_rc
seal_sops_encrypt(seal_ctx *ctx, seal_sops_file *f, const seal_sops_params *p)
{
	seal_rc rc;

	if (f->sealed || f->has_meta)
		return seal__err(ctx, SEAL_EREFUSED,
		    "%s: already sealed (it has sops metadata); use 'seal "
		    "edit', 'seal rotate' or 'seal updatekeys'",
		    f->name);
	if (p->nage == 0)
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: no age recipients: give -r/--age or a .sops.yaml "
		    "creation rule",
		    f->name);
	/* mac_only_encrypted leaves the clear values out of the MAC: a
	 * Secret's metadata (name, namespace) could then be changed freely */
	if (p->mac_only && f->fmt != SEAL_FMT_BINARY && has_kube_secret(f->t))
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: mac_only_encrypted would take a Kubernetes Secret's "
		    "metadata (name, namespace) out of the MAC; drop "
		    "--mac-only-encrypted (or mac_only_encrypted in "
		    ".sops.yaml) for Secrets",
		    f->name);
	seal__rule_free(&f->rule);
	f->rule_kind = p->rule;
	if (f->rule_kind == SEAL_RULE_NONE && f->fmt != SEAL_FMT_BINARY) {
		f->rule_kind = SEAL_RULE_UNENCRYPTED_SUFFIX;
		rc = seal__rule_init(
		    ctx, &f->rule, f->rule_kind, SEAL_RULE_DEFAULT_SUFFIX);
	} else {
		rc = seal__rule_init(ctx, &f->rule, p->rule, p->rule_arg);
	}
	if (rc != SEAL_OK)
		return rc;
	f->mac_only = p->mac_only;
	if ((rc = new_key(ctx, f)) != SEAL_OK ||
	    (rc = wrap_all(ctx, f, p->age, p->nage)) != SEAL_OK)
		return rc;
	return encrypt_now(ctx, f, NULL);
}

seal_rc
seal_sops_reencrypt(seal_ctx *ctx, seal_sops_file *f)
{
	if (f->sealed || f->key == NULL || f->broken || f->stash == NULL)
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: decrypt the file (not read-only) before re-sealing it",
		    f->name);
	return encrypt_now(ctx, f, f->stash);
}

seal_rc
seal_sops_rotate(seal_ctx *ctx, seal_sops_file *f, const seal_sops_params *p)
{
	char **list;
	size_t i, n;
	seal_rc rc;

	if (f->sealed || f->key == NULL || f->broken)
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: decrypt the file before rotating its key", f->name);
	if (f->nother_keys > 0)
		return seal__err(ctx, SEAL_EUNSUPPORTED,
		    "%s: the file also names %zu non-age master key(s) "
		    "(pgp, kms...) that seal cannot wrap a new data key for",
		    f->name, f->nother_keys);
	n = p && p->nage ? p->nage : f->nage;
	list = calloc(n ? n : 1, sizeof(*list));
	if (list == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		list[i] = p && p->nage ? p->age[i] : f->age[i].recipient;
	/* copy: wrap_all frees f->age, which list may point into */
	for (i = 0; i < n; i++)
		if ((list[i] = strdup(list[i])) == NULL)
			break;
	if (i < n || (rc = new_key(ctx, f)) != SEAL_OK ||
	    (rc = wrap_all(ctx, f, list, n)) != SEAL_OK) {
		if (i < n)
			rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
	} else {
		rc = encrypt_now(ctx, f, NULL);
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return rc;
}

seal_rc
seal_sops_set_recipients(
    seal_ctx *ctx, seal_sops_file *f, const seal_sops_params *p, int *changed)
{
	struct seal__file_age *na;
	size_t i, j, same = 0;
	seal_rc rc;

	*changed = 0;
	if (f->key == NULL)
		return seal__err(
		    ctx, SEAL_EINVAL, "%s: unwrap the data key first", f->name);
	na = calloc(p->nage ? p->nage : 1, sizeof(*na));
	if (na == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	for (i = 0; i < p->nage; i++) {
		if ((na[i].recipient = strdup(p->age[i])) == NULL) {
			free_age(na, i + 1);
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
		}
		for (j = 0; j < f->nage; j++)
			if (strcmp(f->age[j].recipient, p->age[i]) == 0)
				break;
		if (j < f->nage) {
			na[i].enc = strdup(f->age[j].enc);
			same++;
			if (na[i].enc == NULL) {
				free_age(na, i + 1);
				return seal__err(
				    ctx, SEAL_ENOMEM, "out of memory");
			}
		} else if ((rc = wrap_one(ctx, f, p->age[i], &na[i].enc)) !=
		    SEAL_OK) {
			free_age(na, i + 1);
			return rc;
		}
	}
	*changed = same != f->nage || same != p->nage;
	free_age(f->age, f->nage);
	f->age = na;
	f->nage = p->nage;
	return SEAL_OK;
}

seal_rc
seal_sops_replace(seal_ctx *ctx, seal_sops_file *f, seal_sops_file *edited)
{
	if (edited->sealed || edited->has_meta) {
		seal_sops_free(edited);
		return seal__err(ctx, SEAL_EREFUSED,
		    "%s: the edited file has sops metadata; remove it",
		    f->name);
	}
	seal__tree_free(f->t);
	f->t = edited->t;
	edited->t = NULL;
	seal_sops_free(edited);
	return SEAL_OK;
}
