/* SPDX-License-Identifier: ISC */
/*
 * unseal-file.c - one file's bytes in, its documents out: clear documents
 * byte for byte, sealed ones decrypted after their MAC verified and their
 * tenancy checked on the document as sealed (metadata.namespace present,
 * equal to the destination when it is known, allowed for the key by the
 * policy). Every mode goes through unseal_bytes.
 *
 * A YAML stream is cut into documents at "---" lines (a "---" at column 0
 * always starts a document in YAML, even inside a block scalar). A run of
 * sealed documents sharing one sops MAC is one sops file (the MAC covers
 * them all) and is decrypted as one; any other sealed document alone.
 * This is how `cat a.yaml b.yaml | unseal` works for two sealed files.
 *
 * Kustomize matching (kustomize.c) needs each ciphertext paired with its
 * plaintext: the leaves of a sealed file are listed before decryption
 * ("ENC[...]" texts) and after (plaintext), in the same order, and kept
 * in a table whose plaintext lives in guarded arenas.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

/* ---- token table ---------------------------------------------------------- */

struct tok {
	char *text; /* ENC[...] (public), NULL: empty slot */
	size_t len;
	char *path; /* values: its tree path in the source (public) */
	const char *pt; /* in a guarded arena */
	size_t ptlen;
	size_t docid; /* mac entries: first document id */
	size_t ndocs; /* mac entries: number of documents; 0: a value */
};

struct arena {
	struct arena *next;
	size_t used, cap;
	unsigned char *mem; /* sodium_malloc */
};

struct unseal_tokens {
	struct tok *t;
	size_t cap, n;
	struct arena *ar;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	char **docns; /* source namespace by document id */
	size_t ndocns;
};

struct unseal_tokens *
tokens_new(void)
{
	struct unseal_tokens *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cap = 1024;
	if ((t->t = calloc(t->cap, sizeof(*t->t))) == NULL) {
		free(t);
		return NULL;
	}
	randombytes_buf(t->hkey, sizeof(t->hkey));
	return t;
}

void
tokens_free(struct unseal_tokens *t)
{
	struct arena *a, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++) {
		free(t->t[i].text);
		free(t->t[i].path);
	}
	free(t->t);
	for (i = 0; i < t->ndocns; i++)
		free(t->docns[i]);
	free(t->docns);
	for (a = t->ar; a != NULL; a = next) {
		next = a->next;
		sodium_free(a->mem); /* wipes */
		free(a);
	}
	free(t);
}

static size_t
tok_slot(const struct unseal_tokens *t, const char *s, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	size_t i;

	crypto_shorthash(h, (const unsigned char *)s, len, t->hkey);
	memcpy(&v, h, sizeof(v));
	for (i = (size_t)(v & (t->cap - 1));; i = (i + 1) & (t->cap - 1))
		if (t->t[i].text == NULL ||
		    (t->t[i].len == len && memcmp(t->t[i].text, s, len) == 0))
			return i;
}

static int
tok_grow(struct unseal_tokens *t)
{
	struct tok *old = t->t;
	size_t oldcap = t->cap, i;

	if ((t->t = calloc(oldcap * 2, sizeof(*t->t))) == NULL) {
		t->t = old;
		return -1;
	}
	t->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++)
		if (old[i].text != NULL)
			t->t[tok_slot(t, old[i].text, old[i].len)] = old[i];
	free(old);
	return 0;
}

static const char *
arena_copy(struct unseal_tokens *t, const char *s, size_t len)
{
	struct arena *a = t->ar;
	unsigned char *p;

	if (a == NULL || a->cap - a->used < len + 1) {
		size_t cap = len + 1 > (1u << 20) ? len + 1 : (1u << 20);
		if ((a = calloc(1, sizeof(*a))) == NULL)
			return NULL;
		if ((a->mem = sodium_malloc(cap)) == NULL) {
			free(a);
			return NULL;
		}
		a->cap = cap;
		a->next = t->ar;
		t->ar = a;
	}
	p = a->mem + a->used;
	memcpy(p, s, len);
	p[len] = '\0';
	a->used += len + 1;
	return (const char *)p;
}

/* Add a token; an existing one (the same ciphertext seen twice, e.g. a
 * file listed twice) keeps its first entry. */
static struct tok *
tok_add(struct unseal_tokens *t, const char *s, size_t len)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap && tok_grow(t) != 0)
		return NULL;
	i = tok_slot(t, s, len);
	if (t->t[i].text == NULL) {
		if ((t->t[i].text = strndup(s, len)) == NULL)
			return NULL;
		t->t[i].len = len;
		t->n++;
	}
	return &t->t[i];
}

const char *
tokens_find(const struct unseal_tokens *t, const char *tok, size_t len,
    size_t *ptlen, size_t *docid, const char **path)
{
	const struct tok *e = &t->t[tok_slot(t, tok, len)];

	if (e->text == NULL || e->ndocs != 0 || e->pt == NULL ||
	    e->path == NULL)
		return NULL;
	*ptlen = e->ptlen;
	*docid = e->docid;
	*path = e->path;
	return e->pt;
}

bool
tokens_has_mac(const struct unseal_tokens *t, const char *tok, size_t len,
    size_t *docid_first, size_t *ndocs)
{
	const struct tok *e = &t->t[tok_slot(t, tok, len)];

	if (e->text == NULL || e->ndocs == 0)
		return false;
	*docid_first = e->docid;
	*ndocs = e->ndocs;
	return true;
}

static int
tokens_set_ns(struct unseal_tokens *t, size_t docid, const char *ns)
{
	if (docid >= t->ndocns) {
		size_t n = docid + 64, i;
		char **nd = realloc(t->docns, n * sizeof(*nd));
		if (nd == NULL)
			return -1;
		for (i = t->ndocns; i < n; i++)
			nd[i] = NULL;
		t->docns = nd;
		t->ndocns = n;
	}
	free(t->docns[docid]);
	return (t->docns[docid] = strdup(ns)) == NULL ? -1 : 0;
}

const char *
tokens_ns(const struct unseal_tokens *t, size_t docid)
{
	return docid < t->ndocns ? t->docns[docid] : NULL;
}

/* ---- leaves before and after decryption ------------------------------------ */

struct leaves {
	char **text; /* sealed texts (NULL for clear leaves) */
	char **path; /* and their tree paths */
	size_t *doc;
	size_t n, cap, i;
	struct unseal_tokens *tokens;
	size_t docid0;
	bool bad;
};

static int
leaf_before(void *arg, size_t doc, const char *path, size_t pathlen,
    const char *text, size_t len)
{
	struct leaves *l = arg;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		char **nt = realloc(l->text, nc * sizeof(*nt));
		if (nt == NULL)
			return -1;
		l->text = nt;
		if ((nt = realloc(l->path, nc * sizeof(*nt))) == NULL)
			return -1;
		l->path = nt;
		size_t *nd = realloc(l->doc, nc * sizeof(*nd));
		if (nd == NULL)
			return -1;
		l->doc = nd;
		l->cap = nc;
	}
	l->text[l->n] = NULL;
	l->path[l->n] = NULL;
	l->doc[l->n] = doc;
	if (len > 4 && memcmp(text, "ENC[", 4) == 0) {
		l->n++;
		if ((l->text[l->n - 1] = strndup(text, len)) == NULL ||
		    (l->path[l->n - 1] = strndup(path, pathlen)) == NULL)
			return -1;
		return 0;
	}
	l->n++;
	return 0;
}

static int
leaf_after(void *arg, size_t doc, const char *text, size_t len)
{
	struct leaves *l = arg;
	struct tok *e;
	char *enc;

	if (l->i >= l->n || l->doc[l->i] != doc) {
		l->bad = true;
		return -1;
	}
	enc = l->text[l->i++];
	if (enc == NULL)
		return 0;
	if ((e = tok_add(l->tokens, enc, strlen(enc))) == NULL)
		return -1;
	if (e->pt == NULL) {
		if ((e->pt = arena_copy(l->tokens, text, len)) == NULL)
			return -1;
		e->ptlen = len;
		e->docid = l->docid0 + doc;
		e->path = l->path[l->i - 1];
		l->path[l->i - 1] = NULL;
	}
	return 0;
}

static void
leaves_free(struct leaves *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->text[i]);
		free(l->path[i]);
	}
	free(l->text);
	free(l->path);
	free(l->doc);
}

/* ---- documents ---------------------------------------------------------- */

bool
looks_sealed(const unsigned char *buf, size_t len)
{
	return memmem(buf, len, "ENC[", 4) != NULL ||
	    (len >= 5 && memcmp(buf, "sops:", 5) == 0) ||
	    memmem(buf, len, "\nsops:", 6) != NULL ||
	    memmem(buf, len, "\"sops\"", 6) != NULL ||
	    memmem(buf, len, "sops_mac=", 9) != NULL;
}

static bool
is_doc_start(const unsigned char *p, const unsigned char *end)
{
	if (end - p < 3 || memcmp(p, "---", 3) != 0)
		return false;
	return end - p == 3 || p[3] == '\n' || p[3] == ' ' || p[3] == '\t' ||
	    p[3] == '\r';
}

/* The offsets where documents start: 0 and every "---" line. */
static int
split_docs(const unsigned char *buf, size_t len, size_t **starts, size_t *n,
    size_t max)
{
	const unsigned char *p = buf, *end = buf + len, *nl;
	size_t cap = 16;

	*n = 0;
	if ((*starts = malloc(cap * sizeof(**starts))) == NULL)
		return -1;
	(*starts)[(*n)++] = 0;
	for (; p < end; p = nl + 1) {
		if (is_doc_start(p, end) && p != buf) {
			if (*n == max + 1)
				return 1;
			if (*n == cap) {
				size_t *ns = realloc(
				    *starts, (cap *= 2) * sizeof(**starts));
				if (ns == NULL)
					return -1;
				*starts = ns;
			}
			(*starts)[(*n)++] = (size_t)(p - buf);
		}
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
	}
	return 0;
}

/* The sops MAC token of a sealed document: the last "mac: ENC[...]" (the
 * sops block ends a document as sops writes it). Empty if none. */
static void
mac_token(const unsigned char *b, size_t len, const char **tok, size_t *tlen)
{
	const unsigned char *p = b, *end = b + len, *hit = NULL, *e;

	*tok = NULL;
	*tlen = 0;
	while (p < end &&
	    (p = memmem(p, (size_t)(end - p), "mac", 3)) != NULL) {
		const unsigned char *q = p + 3;
		if (q < end && *q == '"')
			q++;
		if (q < end && *q == ':') {
			q++;
			while (q < end && (*q == ' ' || *q == '"'))
				q++;
			if (end - q > 4 && memcmp(q, "ENC[", 4) == 0)
				hit = q;
		}
		p += 3;
	}
	if (hit == NULL || (e = memchr(hit, ']', (size_t)(end - hit))) == NULL)
		return;
	*tok = (const char *)hit;
	*tlen = (size_t)(e - hit) + 1;
}

static const char *
scalar(seal_ctx *ctx, seal_sops_file *f, size_t d, const char *path,
    char *buf, size_t cap)
{
	const char *t;
	size_t len;

	if (seal_sops_doc_scalar(ctx, f, d, path, &t, &len) != SEAL_OK ||
	    len == 0 || len >= cap || memchr(t, '\0', len) != NULL)
		return NULL;
	memcpy(buf, t, len);
	buf[len] = '\0';
	return buf;
}

/* "Secret/db" for messages (names are public; control characters are
 * replaced by error()). */
static const char *
doc_label(seal_ctx *ctx, seal_sops_file *f, size_t d, char *out, size_t cap)
{
	char kind[64], name[256];
	const char *k = scalar(ctx, f, d, "[\"kind\"]", kind, sizeof(kind));
	const char *n = scalar(
	    ctx, f, d, "[\"metadata\"][\"name\"]", name, sizeof(name));

	if (k != NULL && strncmp(k, "ENC[", 4) == 0)
		k = NULL;
	if (n != NULL && strncmp(n, "ENC[", 4) == 0)
		n = NULL;
	snprintf(out, cap, " (%s/%s)", k ? k : "?", n ? n : "?");
	return out;
}

/* Untrusted input that is malformed, over a limit or does not verify is
 * a refusal (1); memory and I/O trouble is trouble (2). */
static int
exit_for(seal_rc rc)
{
	return rc == SEAL_ENOMEM || rc == SEAL_EIO ? EXIT_TROUBLE
						   : EXIT_NEGATIVE;
}

#define FAIL(code, ...)                                                        \
	do {                                                                   \
		error(__VA_ARGS__);                                            \
		r->failures++;                                                 \
		ec = (code);                                                   \
		goto out;                                                      \
	} while (0)

/*
 * Tenancy, on the documents as sealed: every document names its namespace
 * in clear (or ns_given is the destination), equal to --namespace when
 * known; ns[d] gets each one.
 */
static int
check_tenancy(struct unseal_run *r, seal_sops_file *f, const char *name,
    size_t first, size_t ndocs, const char *ns_given, char (*ns)[256])
{
	char label[340], nsbuf[256];
	size_t d;
	int ec = 0;

	for (d = 0; d < ndocs; d++) {
		const char *v = ns_given ? ns_given : scalar(r->ctx, f, d,
		    "[\"metadata\"][\"namespace\"]", nsbuf, sizeof(nsbuf));
		doc_label(r->ctx, f, d, label, sizeof(label));
		if (v == NULL || strlen(v) >= sizeof(ns[d]))
			FAIL(EXIT_NEGATIVE,
			    "%s: document %zu%s: refused: no metadata.namespace "
			    "in the sealed source (strict tenancy); add it and "
			    "seal again",
			    name, first + d + 1, label);
		if (strncmp(v, "ENC[", 4) == 0)
			FAIL(EXIT_NEGATIVE,
			    "%s: document %zu%s: refused: metadata.namespace is "
			    "encrypted; seal with --encrypted-regex "
			    "'^(data|stringData)$'",
			    name, first + d + 1, label);
		if (r->namespace != NULL && strcmp(v, r->namespace) != 0)
			FAIL(EXIT_NEGATIVE,
			    "%s: document %zu%s: refused: sealed for namespace "
			    "'%s', the destination is '%s'",
			    name, first + d + 1, label, v, r->namespace);
		memcpy(ns[d], v, strlen(v) + 1);
	}
out:
	return ec;
}

/*
 * The key: by the recipients the metadata names, then the policy for
 * every document's namespace. *id is NULL on refusal.
 */
static int
choose_key(struct unseal_run *r, seal_sops_file *f, const char *name,
    size_t first, size_t ndocs, char (*ns)[256], const seal_identity **id)
{
	char label[340];
	const char *why = NULL, *rc_why = NULL;
	size_t d, i, nr;
	bool have_key = false;
	int ec = 0;

	*id = NULL;
	nr = seal_sops_recipient_count(f);
	for (i = 0; i < nr && *id == NULL; i++) {
		const char *rc1 = seal_sops_recipient(f, i);
		const seal_identity *cand = keyring_find(r->keys, rc1);
		bool ok = true;
		if (cand == NULL)
			continue;
		have_key = true;
		for (d = 0; d < ndocs && ok; d++)
			ok = policy_allows(
			    r->policy, rc1, r->project, ns[d], &why);
		if (ok)
			*id = cand;
		else
			rc_why = rc1;
	}
	doc_label(r->ctx, f, 0, label, sizeof(label));
	if (*id == NULL && have_key)
		FAIL(EXIT_NEGATIVE,
		    "%s: document %zu%s: refused: %s (key %.16s..., project "
		    "'%s', namespace '%s')",
		    name, first + 1, label, why, rc_why,
		    r->project ? r->project : "(unknown)", ns[0]);
	if (*id == NULL)
		FAIL(EXIT_NEGATIVE,
		    "%s: document %zu%s: no key for its %zu recipient%s "
		    "(first %.20s...); mount the cluster key in the key "
		    "directory",
		    name, first + 1, label, nr, nr == 1 ? "" : "s",
		    nr ? seal_sops_recipient(f, 0) : "none");
out:
	return ec;
}

/*
 * After decryption: pair each ciphertext listed in lv with its plaintext,
 * record the group's MAC token and each document's source namespace.
 */
static int
record_tokens(struct unseal_run *r, seal_sops_file *f, const char *name,
    const unsigned char *b, size_t len, size_t first, size_t ndocs,
    char (*ns)[256], struct unseal_tokens *tokens, struct leaves *lv)
{
	struct tok *e;
	const char *mac;
	size_t d, maclen;
	int ec = 0;

	if (seal_sops_leaves(r->ctx, f, leaf_after, lv) != SEAL_OK ||
	    lv->i != lv->n)
		FAIL(lv->bad ? EXIT_NEGATIVE : EXIT_TROUBLE,
		    "%s: document %zu: cannot pair its values with "
		    "their ciphertext",
		    name, first + 1);
	mac_token(b, len, &mac, &maclen);
	if (mac == NULL || (e = tok_add(tokens, mac, maclen)) == NULL)
		FAIL(EXIT_NEGATIVE, "%s: document %zu: no sops MAC found",
		    name, first + 1);
	e->docid = r->docs;
	e->ndocs = ndocs;
	for (d = 0; d < ndocs; d++)
		if (tokens_set_ns(tokens, r->docs + d, ns[d]) != 0)
			FAIL(EXIT_TROUBLE, "out of memory");
out:
	return ec;
}

/* The decrypted group out, as JSON objects or in out_fmt. */
static int
write_group(struct unseal_run *r, seal_sops_file *f, const char *name,
    size_t first, struct obuf *out, int out_fmt)
{
	seal_rc rc;
	int ec = 0;

	if (out->json) {
		struct obuf tmp = {0};
		tmp.max = out->max;
		rc = seal_sops_write(
		    r->ctx, f, SEAL_SOPS_JSON, 0, obuf_write_fn, &tmp);
		if (rc == SEAL_OK && obuf_put_json_objects(out, &tmp) != 0)
			rc = SEAL_ELIMIT;
		obuf_free(&tmp);
		if (rc != SEAL_OK)
			goto over;
	} else {
		size_t at = out->len, sep;
		if (obuf_separate(out) != 0)
			goto over;
		sep = out->len;
		rc = seal_sops_write(r->ctx, f, out_fmt, 0, obuf_write_fn, out);
		if (rc != SEAL_OK && out->over)
			goto over;
		if (rc != SEAL_OK)
			FAIL(EXIT_TROUBLE, "%s: document %zu: %s", name,
			    first + 1, seal_ctx_errmsg(r->ctx));
		/* the document wrote its own "---": drop ours */
		if (sep > at && out->len - sep >= 3 &&
		    is_doc_start(out->buf + sep, out->buf + out->len)) {
			size_t drop = 4; /* "---\n" */
			memmove(out->buf + sep - drop, out->buf + sep,
			    out->len - sep);
			out->len -= drop;
		}
	}
out:
	return ec;
over:
	FAIL(EXIT_NEGATIVE, "%s: the output is over the limit of %zu bytes "
			    "(--max-output)",
	    name, r->max_output);
}

/*
 * One sops file: docs [first, first+ndocs) of name, as bytes b.
 */
static int
unseal_group(struct unseal_run *r, const char *name, int fmt,
    const unsigned char *b, size_t len, size_t first, size_t ndocs,
    struct obuf *out, struct unseal_tokens *tokens, const char *ns_given,
    int out_fmt)
{
	seal_limits lim = {r->max_file, r->max_depth, r->max_nodes, r->max_docs};
	seal_sops_file *f = NULL;
	const seal_identity *id = NULL;
	struct leaves lv = {0};
	char label[340], (*ns)[256] = NULL;
	int ec = 0;
	seal_rc rc;

	rc = seal_sops_load_limits(r->ctx, b, len, fmt, name, &lim, &f);
	if (rc != SEAL_OK)
		FAIL(exit_for(rc), "%s: document %zu: cannot read it: %s", name, first + 1,
		    seal_ctx_errmsg(r->ctx));
	if (!seal_sops_is_encrypted(f))
		FAIL(EXIT_NEGATIVE,
		    "%s: document %zu: half-sealed: an ENC[...] value without "
		    "sops metadata; seal the whole file again with seal encrypt",
		    name, first + 1);
	if (fmt == SEAL_SOPS_YAML && seal_sops_doc_count(f) != ndocs)
		FAIL(EXIT_NEGATIVE,
		    "%s: document %zu: cannot tell its documents apart", name,
		    first + 1);
	ndocs = seal_sops_doc_count(f);
	if (ndocs == 0)
		FAIL(EXIT_NEGATIVE, "%s: document %zu: sops metadata and no "
				    "document",
		    name, first + 1);
	if ((ns = calloc(ndocs, sizeof(*ns))) == NULL)
		FAIL(EXIT_TROUBLE, "out of memory");
	if ((ec = check_tenancy(r, f, name, first, ndocs, ns_given, ns)) != 0 ||
	    (ec = choose_key(r, f, name, first, ndocs, ns, &id)) != 0)
		goto out;
	doc_label(r->ctx, f, 0, label, sizeof(label));
	if (tokens != NULL) {
		lv.tokens = tokens;
		lv.docid0 = r->docs;
		if (seal_sops_leaf_paths(r->ctx, f, leaf_before, &lv) != SEAL_OK)
			FAIL(EXIT_TROUBLE, "out of memory");
	}
	rc = seal_sops_decrypt(r->ctx, f, id, SEAL_SOPS_READ_ONLY);
	if (rc != SEAL_OK)
		FAIL(exit_for(rc), "%s: document %zu%s: %s", name, first + 1, label,
		    seal_ctx_errmsg(r->ctx));
	if (tokens != NULL && (ec = record_tokens(r, f, name, b, len, first,
				   ndocs, ns, tokens, &lv)) != 0)
		goto out;
	if (out != NULL && (ec = write_group(r, f, name, first, out,
				out_fmt)) != 0)
		goto out;
	r->docs += ndocs;
out:
	leaves_free(&lv);
	free(ns);
	seal_sops_free(f);
	return ec;
}

/* A clear document out: its bytes, or (JSON output) its JSON form. */
static int
put_clear(struct unseal_run *r, const char *name, int fmt,
    const unsigned char *b, size_t len, struct obuf *out)
{
	seal_limits lim = {r->max_file, r->max_depth, r->max_nodes, r->max_docs};
	struct obuf tmp = {0};
	seal_sops_file *f = NULL;
	seal_rc rc;
	int ec = 0;

	if (out == NULL)
		return 0;
	if (!out->json) {
		if (obuf_put(out, b, len) != 0)
			goto over;
		return 0;
	}
	rc = seal_sops_load_limits(r->ctx, b, len, fmt, name, &lim, &f);
	if (rc != SEAL_OK)
		FAIL(exit_for(rc), "%s: cannot read it: %s", name,
		    seal_ctx_errmsg(r->ctx));
	if (seal_sops_doc_count(f) == 0)
		goto out;
	tmp.max = out->max;
	rc = seal_sops_write(r->ctx, f, SEAL_SOPS_JSON, 0, obuf_write_fn, &tmp);
	if (rc != SEAL_OK || obuf_put_json_objects(out, &tmp) != 0) {
		obuf_free(&tmp);
		seal_sops_free(f);
		goto over;
	}
out:
	obuf_free(&tmp);
	seal_sops_free(f);
	return ec;
over:
	error("%s: the output is over the limit of %zu bytes (--max-output)",
	    name, r->max_output);
	r->failures++;
	return EXIT_NEGATIVE;
}

int
unseal_bytes(struct unseal_run *r, const char *name, int format,
    const unsigned char *buf, size_t len, struct obuf *out,
    struct unseal_tokens *tokens)
{
	size_t *starts = NULL, n = 0, i, j;
	int fmt = format, ec = 0, s;

	if (len > r->max_file)
		FAIL(EXIT_NEGATIVE,
		    "%s: %zu bytes, over the limit of %zu (--max-file-size)",
		    name, len, r->max_file);
	if (fmt == 0) {
		fmt = seal_sops_format_from_path(name);
		if (fmt != SEAL_SOPS_JSON && fmt != SEAL_SOPS_DOTENV)
			fmt = SEAL_SOPS_YAML;
	}
	if (fmt != SEAL_SOPS_YAML) {
		if (!looks_sealed(buf, len)) {
			if (out != NULL && !out->json && obuf_separate(out) != 0)
				goto over;
			ec = put_clear(r, name, fmt, buf, len, out);
			r->docs++;
			goto out;
		}
		ec = unseal_group(r, name, fmt, buf, len, 0, 1, out, tokens, NULL, 0);
		goto out;
	}
	s = split_docs(buf, len, &starts, &n, r->max_docs);
	if (s < 0)
		FAIL(EXIT_TROUBLE, "out of memory");
	if (s > 0 || r->docs + n > r->max_docs + (n > 0 && len == 0))
		FAIL(EXIT_NEGATIVE,
		    "%s: over the limit of %u documents (--max-documents)", name,
		    r->max_docs);
	for (i = 0; i < n; i = j) {
		size_t a = starts[i], b = i + 1 < n ? starts[i + 1] : len;
		const char *mac, *mac2;
		size_t maclen, maclen2;

		j = i + 1;
		if (!looks_sealed(buf + a, b - a)) {
			if (out != NULL && !out->json && a == 0 && b > 0 &&
			    out->len && obuf_separate(out) != 0)
				goto over;
			if ((s = put_clear(r, name, fmt, buf + a, b - a, out)) &&
			    ec == 0)
				ec = s;
			r->docs++;
			continue;
		}
		/* the run of documents sealed under the same MAC */
		mac_token(buf + a, b - a, &mac, &maclen);
		while (mac != NULL && j < n) {
			size_t c = starts[j], e = j + 1 < n ? starts[j + 1] : len;
			mac_token(buf + c, e - c, &mac2, &maclen2);
			if (mac2 == NULL || maclen2 != maclen ||
			    memcmp(mac, mac2, maclen) != 0)
				break;
			b = e;
			j++;
		}
		if ((s = unseal_group(r, name, fmt, buf + a, b - a, i, j - i,
		         out, tokens, NULL, 0)) != 0 &&
		    ec == 0)
			ec = s;
	}
out:
	free(starts);
	return ec;
over:
	FAIL(EXIT_NEGATIVE,
	    "%s: the output is over the limit of %zu bytes (--max-output)",
	    name, r->max_output);
}

int
unseal_content(struct unseal_run *r, const char *name, int format,
    const unsigned char *buf, size_t len, const char *ns, struct obuf *out)
{
	int fmt = format, ec = 0;

	if (len > r->max_file)
		FAIL(EXIT_NEGATIVE,
		    "%s: %zu bytes, over the limit of %zu (--max-file-size)",
		    name, len, r->max_file);
	if (fmt == 0)
		fmt = seal_sops_format_from_path(name);
	if (fmt == 0)
		fmt = SEAL_SOPS_BINARY;
	if (!looks_sealed(buf, len))
		FAIL(EXIT_NEGATIVE, "%s: refused: not sealed (a Secret is made "
				    "only from sealed files)",
		    name);
	ec = unseal_group(r, name, fmt, buf, len, 0, 1, out, NULL, ns, fmt);
out:
	return ec;
}
