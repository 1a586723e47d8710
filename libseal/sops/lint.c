/* SPDX-License-Identifier: ISC */
/*
 * sops/lint.c - "is this file fully sealed?" without any key: per
 * document the sops block, MAC and lastmodified; every ENC value well
 * formed; every leaf the file's own selection rule selects is ENC, "" or
 * null. Used by `seal status` and the pre-commit scanner. It never
 * decrypts and never copies a value into a message.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sops/sops.h"

#define MAX_PATH_KEYS 128

struct lint_walk {
	seal_ctx *ctx;
	struct seal__lint *l;
	const struct seal__rule *rule;
	size_t doc;
	const char *file;
	/* the path: keys (or NULL for a list index) */
	const char *keys[MAX_PATH_KEYS];
	size_t lens[MAX_PATH_KEYS];
	size_t idx[MAX_PATH_KEYS];
	size_t depth;
	bool oom;
	/* the rule's regex gave up here: the lint has no verdict */
	char *refail;
	bool refail_comment;
};


static char *
path_of(const struct lint_walk *w)
{
	char buf[1024], q[160];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < w->depth && o < sizeof(buf) - 1; i++) {
		int n;
		if (w->keys[i] != NULL) {
			seal__quote(q, sizeof(q), w->keys[i], w->lens[i]);
			n = snprintf(
			    buf + o, sizeof(buf) - o, "%s%s", o ? "." : "", q);
		} else {
			n = snprintf(
			    buf + o, sizeof(buf) - o, "[%zu]", w->idx[i]);
		}
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (o >= sizeof(buf))
		o = sizeof(buf) - 1;
	buf[o] = '\0';
	return strdup(buf);
}

/* Record the first place where the selection regex could not decide. */
static void
rule_failed(struct lint_walk *w, bool comment)
{
	if (w->refail != NULL)
		return;
	w->refail = path_of(w);
	if (w->refail == NULL)
		w->oom = true;
	w->refail_comment = comment;
}

static void add_problem(struct lint_walk *w, enum seal__lint_code code,
    uint32_t line, char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
add_problem(struct lint_walk *w, enum seal__lint_code code, uint32_t line,
    char *path, const char *fmt, ...)
{
	struct seal__lint *l = w->l;
	struct seal__lint_problem *np, *p;
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	np = realloc(l->problems, (l->nproblems + 1) * sizeof(*np));
	if (np == NULL) {
		free(path);
		w->oom = true;
		return;
	}
	l->problems = np;
	p = &np[l->nproblems++];
	p->code = code;
	p->doc = w->doc;
	p->line = line;
	p->path = path;
	p->text = strdup(text);
}

static void
leaf(struct lint_walk *w, const struct seal__node *n,
    const struct seal__rule_state *st, uint32_t keyline)
{
	struct seal__lint_doc *d = &w->l->docs[w->doc];
	struct seal__enc e;
	uint32_t line = n->line ? n->line : keyline;

	if (n->kind == SEAL_N_SCALAR && n->type == SEAL_T_NULL)
		return;
	if (seal__enc_looks(n->text, n->len)) {
		char *path = path_of(w), q[300];
		snprintf(q, sizeof(q), "'%s'", path ? path : "?");
		if (seal__enc_parse(w->ctx, n->text, n->len, q, &e) !=
		    SEAL_OK) {
			add_problem(w, SEAL_LINT_BAD_ENC, line, path, "%s",
			    seal_ctx_errmsg(w->ctx));
			return;
		}
		free(path);
		if (n->kind == SEAL_N_SCALAR)
			d->nenc++;
		return;
	}
	if (n->kind == SEAL_N_COMMENT)
		return;
	if (n->type == SEAL_T_STR && n->len == 0)
		return;
	if (!seal__rule_state_encrypt(w->rule, st))
		return;
	d->nplain++;
	{
		char *path = path_of(w);
		add_problem(w, SEAL_LINT_PLAINTEXT, line, path,
		    "'%s' is not encrypted", path ? path : "?");
	}
}

/* Enter item it of container n on the walk's path (its key or index). */
static void
path_push(struct lint_walk *w, const struct seal__node *n,
    const struct seal__item *it, size_t *idx)
{
	if (n->kind == SEAL_N_MAP) {
		w->keys[w->depth] = it->key;
		w->lens[w->depth] = it->keylen;
	} else {
		w->keys[w->depth] = NULL;
		w->idx[w->depth] = (*idx)++;
	}
	w->depth++;
}

static void
walk(struct lint_walk *w, const struct seal__node *n,
    struct seal__rule_state st, uint32_t keyline)
{
	size_t i, idx = 0;

	if (n == NULL || w->refail != NULL)
		return;
	if (n->kind == SEAL_N_SCALAR || n->kind == SEAL_N_COMMENT) {
		leaf(w, n, &st, keyline);
		return;
	}
	if (w->depth >= MAX_PATH_KEYS)
		return;
	for (i = 0; i < n->nitems; i++) {
		const struct seal__item *it = &n->items[i];
		struct seal__rule_state cst = st;

		if (it->val == NULL)
			continue;
		if (it->val->kind == SEAL_N_COMMENT) {
			leaf(w, it->val, &st, it->keyline);
			if (seal__rule_state_comment(w->rule, &st,
			        it->val->text, it->val->len) != 0) {
				rule_failed(w, true);
				return;
			}
			continue;
		}
		path_push(w, n, it, &idx);
		if (n->kind == SEAL_N_MAP &&
		    seal__rule_state_key(w->rule, &cst, it->key, it->keylen) !=
		        0) {
			rule_failed(w, false);
			w->depth--;
			return;
		}
		walk(w, it->val, cst, it->keyline);
		w->depth--;
		if (w->refail != NULL)
			return;
	}
}

/* ---- Kubernetes ---------------------------------------------------------- */

static bool
scalar_is(const struct seal__node *n, const char *s)
{
	return n != NULL && n->kind == SEAL_N_SCALAR && n->text != NULL &&
	    n->type != SEAL_T_NULL && strcasecmp(n->text, s) == 0;
}

/*
 * Every value under data/stringData of a Secret without a sops block:
 * what seal encrypt would seal (the default encrypted_regex). Plaintext
 * (seal_value_is_plaintext) is a problem; references, placeholders and
 * templates that render no literal are counted as references; empty and
 * ENC values are neither.
 */
static void
clear_secret_walk(struct lint_walk *w, const struct seal__node *n,
    uint32_t keyline)
{
	struct seal__lint_doc *d = &w->l->docs[w->doc];
	size_t i, idx = 0;

	if (n == NULL || n->kind == SEAL_N_COMMENT)
		return;
	if (n->kind == SEAL_N_SCALAR) {
		char *path;
		if (n->type == SEAL_T_NULL || n->len == 0 ||
		    seal__enc_looks(n->text, n->len))
			return;
		if (!seal_value_is_plaintext(n->text, n->len)) {
			d->nreference++;
			return;
		}
		d->nclear_secret++;
		path = path_of(w);
		add_problem(w, SEAL_LINT_CLEAR_SECRET,
		    n->line ? n->line : keyline, path,
		    "Kubernetes Secret value '%s' in the clear",
		    path ? path : "?");
		return;
	}
	if (w->depth >= MAX_PATH_KEYS)
		return;
	for (i = 0; i < n->nitems; i++) {
		const struct seal__item *it = &n->items[i];
		if (it->val == NULL || it->val->kind == SEAL_N_COMMENT)
			continue;
		path_push(w, n, it, &idx);
		clear_secret_walk(w, it->val, it->keyline);
		w->depth--;
	}
}

static void
k8s_doc(struct lint_walk *w, const struct seal__node *root)
{
	struct seal__lint_doc *d = &w->l->docs[w->doc];
	const struct seal__node *md, *ns;
	size_t i;

	if (root == NULL) {
		d->empty = true;
		return;
	}
	d->line = root->line;
	if (root->kind != SEAL_N_MAP ||
	    !scalar_is(seal__map_get(root, "kind"), "Secret"))
		return;
	d->k8s_secret = true;
	md = seal__map_get(root, "metadata");
	ns = md && md->kind == SEAL_N_MAP ? seal__map_get(md, "namespace")
					  : NULL;
	d->k8s_namespace = ns != NULL && ns->kind == SEAL_N_SCALAR &&
	    ns->type != SEAL_T_NULL && ns->len > 0;
	if (d->has_sops)
		return;
	for (i = 0; i < root->nitems; i++) {
		const struct seal__item *it = &root->items[i];
		if (it->key == NULL || it->val == NULL ||
		    !((it->keylen == 4 && memcmp(it->key, "data", 4) == 0) ||
		        (it->keylen == 10 &&
		            memcmp(it->key, "stringData", 10) == 0)))
			continue;
		w->keys[0] = it->key;
		w->lens[0] = it->keylen;
		w->depth = 1;
		clear_secret_walk(w, it->val, it->keyline);
		w->depth = 0;
	}
}

/* The first ENC value of a document without any sops block. */
static bool
stripped(struct lint_walk *w, const struct seal__node *n, uint32_t keyline)
{
	size_t i, idx = 0;

	if (n == NULL || n->kind == SEAL_N_COMMENT)
		return false;
	if (n->kind == SEAL_N_SCALAR) {
		char *path;
		if (!seal__enc_looks(n->text, n->len))
			return false;
		path = path_of(w);
		add_problem(w, SEAL_LINT_NO_SOPS, n->line ? n->line : keyline,
		    path,
		    "'%s' is an ENC value but the file has no sops metadata: "
		    "nothing can decrypt or verify it",
		    path ? path : "?");
		return true;
	}
	if (w->depth >= MAX_PATH_KEYS)
		return false;
	for (i = 0; i < n->nitems; i++) {
		const struct seal__item *it = &n->items[i];
		bool hit;
		if (it->val == NULL || it->val->kind == SEAL_N_COMMENT)
			continue;
		path_push(w, n, it, &idx);
		hit = stripped(w, it->val, it->keyline);
		w->depth--;
		if (hit)
			return true;
	}
	return false;
}

static bool
is_dotenv_meta(enum seal__format fmt, const struct seal__item *it)
{
	return (fmt == SEAL_FMT_DOTENV || fmt == SEAL_FMT_INI) &&
	    it->key != NULL && it->keylen > 5 &&
	    memcmp(it->key, "sops_", 5) == 0;
}

static void
check_meta(struct lint_walk *w, const struct seal__node *sops)
{
	struct seal__lint_doc *d = &w->l->docs[w->doc];
	const struct seal__node *mac, *lm;
	struct seal__enc e;
	char aad[32];

	mac = seal__map_get(sops, "mac");
	lm = seal__map_get(sops, "lastmodified");
	if (mac != NULL && mac->kind == SEAL_N_SCALAR && mac->len > 0 &&
	    mac->type != SEAL_T_NULL) {
		d->mac_present = true;
		if (seal__enc_parse(w->ctx, mac->text, mac->len, "'sops.mac'",
		        &e) == SEAL_OK)
			d->mac_enc = true;
		else
			add_problem(w, SEAL_LINT_MAC_NOT_ENC, mac->line,
			    strdup("sops.mac"), "%s", seal_ctx_errmsg(w->ctx));
	} else {
		add_problem(w, SEAL_LINT_NO_MAC, sops->line, strdup("sops.mac"),
		    "the sops metadata has no MAC");
	}
	if (lm != NULL && lm->kind == SEAL_N_SCALAR && lm->text != NULL &&
	    seal__sops_time_aad(lm->text, aad))
		d->lastmodified = true;
	else
		add_problem(w, SEAL_LINT_NO_LASTMODIFIED,
		    lm ? lm->line : sops->line, strdup("sops.lastmodified"),
		    "'sops.lastmodified' is missing or not an RFC 3339 time");
}

/* This document's own sops block: recipients, rule, mac_only_encrypted. */
static seal_rc
doc_meta(struct lint_walk *w, const struct seal__node *sops, bool report)
{
	struct seal__lint_doc *d = &w->l->docs[w->doc];
	struct seal__sops_meta m;
	size_t i;

	if (seal__sops_meta_scan(w->ctx, sops, w->file, &m) != SEAL_OK) {
		if (report)
			add_problem(w, SEAL_LINT_BAD_META, sops->line,
			    strdup("sops"), "%s", seal_ctx_errmsg(w->ctx));
		return SEAL_OK;
	}
	d->recipients = calloc(m.nage ? m.nage : 1, sizeof(char *));
	if (d->recipients == NULL ||
	    (m.rule_arg != NULL && (d->rule_arg = strdup(m.rule_arg)) == NULL)) {
		seal__sops_meta_clear(&m);
		return seal__err(w->ctx, SEAL_ENOMEM, "out of memory");
	}
	for (i = 0; i < m.nage; i++)
		if ((d->recipients[d->nrecipients] =
		            strdup(m.age[i].recipient)) != NULL)
			d->nrecipients++;
	d->nother_keys = m.nother_keys;
	for (i = 0; i < m.nother; i++) {
		const struct seal__node *list = m.other[i].val;
		size_t j;
		if (strcmp(m.other[i].name, "pgp") != 0 || list == NULL ||
		    list->kind != SEAL_N_SEQ)
			continue;
		for (j = 0; j < list->nitems; j++) {
			const struct seal__node *fp =
			    seal__map_get(list->items[j].val, "fp");
			if (fp != NULL && fp->kind == SEAL_N_SCALAR &&
			    fp->text != NULL &&
			    seal__pgp_add(&d->pgp, &d->npgp, fp->text,
				fp->len) != 0) {
				seal__sops_meta_clear(&m);
				return seal__err(
				    w->ctx, SEAL_ENOMEM, "out of memory");
			}
		}
	}
	d->rule = m.rule;
	d->mac_only_encrypted = m.mac_only_encrypted;
	if (report && m.nage == 0 && m.nother_keys == 0)
		add_problem(w, SEAL_LINT_NO_KEYS, sops->line, strdup("sops"),
		    "the sops metadata names no key");
	seal__sops_meta_clear(&m);
	return SEAL_OK;
}

static seal_rc
read_rule(
    struct lint_walk *w, const struct seal__node *sops, struct seal__rule *rule)
{
	struct seal__lint *l = w->l;
	struct seal__sops_meta m;
	size_t i;

	if (seal__sops_meta_scan(w->ctx, sops, w->file, &m) != SEAL_OK) {
		add_problem(w, SEAL_LINT_BAD_META, sops->line, strdup("sops"),
		    "%s", seal_ctx_errmsg(w->ctx));
		return seal__rule_init(w->ctx, rule, SEAL_RULE_NONE, NULL);
	}
	l->recipients = calloc(m.nage ? m.nage : 1, sizeof(char *));
	if (l->recipients == NULL) {
		seal__sops_meta_clear(&m);
		return seal__err(w->ctx, SEAL_ENOMEM, "out of memory");
	}
	for (i = 0; i < m.nage; i++)
		if ((l->recipients[l->nrecipients] =
		            strdup(m.age[i].recipient)) != NULL)
			l->nrecipients++;
	l->nother_keys = m.nother_keys;
	l->rule = m.rule;
	l->rule_arg = m.rule_arg ? strdup(m.rule_arg) : NULL;
	l->mac_only_encrypted = m.mac_only_encrypted;
	if (m.nage == 0 && m.nother_keys == 0)
		add_problem(w, SEAL_LINT_NO_KEYS, sops->line, strdup("sops"),
		    "the sops metadata names no key");
	seal__sops_meta_clear(&m);
	if (seal__rule_init(w->ctx, rule, l->rule, l->rule_arg) != SEAL_OK) {
		add_problem(w, SEAL_LINT_BAD_META, sops->line, strdup("sops"),
		    "%s", seal_ctx_errmsg(w->ctx));
		return seal__rule_init(w->ctx, rule, SEAL_RULE_NONE, NULL);
	}
	return SEAL_OK;
}

/* Reads every document's sops block; the first one gives the rule. */
static seal_rc
read_blocks(struct lint_walk *w, struct seal__tree *t, enum seal__format fmt,
    struct seal__node **blocks, struct seal__rule *rule)
{
	struct seal__lint *l = w->l;
	bool have_rule = false;
	size_t i;
	seal_rc rc;

	for (i = 0; i < t->ndocs; i++) {
		blocks[i] = seal__sops_block(t, i, fmt, false);
		if (blocks[i] == NULL)
			continue;
		l->docs[i].has_sops = true;
		l->sealed = true;
		w->doc = i;
		check_meta(w, blocks[i]);
		if ((rc = doc_meta(w, blocks[i], have_rule)) != SEAL_OK)
			return rc;
		if (!have_rule) {
			if ((rc = read_rule(w, blocks[i], rule)) != SEAL_OK)
				return rc;
			have_rule = true;
		}
	}
	return SEAL_OK;
}

/* Walks the top-level keys of document i under the file's rule. */
static void
walk_doc(struct lint_walk *w, const struct seal__node *root,
    enum seal__format fmt)
{
	struct seal__rule_state st;
	size_t j;

	if (!w->l->docs[w->doc].has_sops)
		add_problem(w, SEAL_LINT_NO_SOPS, root->line, NULL,
		    "document %zu has no sops metadata", w->doc + 1);
	seal__rule_state_root(&st);
	for (j = 0; j < root->nitems; j++) {
		const struct seal__item *it = &root->items[j];
		struct seal__rule_state cst = st;

		if (it->val == NULL)
			continue;
		if (w->refail != NULL)
			break;
		if (it->val->kind == SEAL_N_COMMENT) {
			leaf(w, it->val, &st, it->keyline);
			if (seal__rule_state_comment(w->rule, &st,
			        it->val->text, it->val->len) != 0)
				rule_failed(w, true);
			continue;
		}
		if (is_dotenv_meta(fmt, it) ||
		    (it->keylen == 4 && memcmp(it->key, "sops", 4) == 0 &&
		        fmt != SEAL_FMT_DOTENV))
			continue;
		w->keys[0] = it->key;
		w->lens[0] = it->keylen;
		w->depth = 1;
		if (seal__rule_state_key(w->rule, &cst, it->key, it->keylen) !=
		    0)
			rule_failed(w, false);
		else
			walk(w, it->val, cst, it->keyline);
		w->depth = 0;
	}
}

seal_rc
seal__sops_lint(seal_ctx *ctx, struct seal__tree *t, enum seal__format fmt,
    const char *file, struct seal__lint **out)
{
	struct seal__lint *l;
	struct lint_walk w;
	struct seal__rule rule;
	struct seal__node **blocks = NULL;
	size_t i;
	seal_rc rc = SEAL_OK;

	*out = NULL;
	memset(&rule, 0, sizeof(rule));
	memset(&w, 0, sizeof(w));
	l = calloc(1, sizeof(*l));
	if (l == NULL ||
	    (l->docs = calloc(t->ndocs ? t->ndocs : 1, sizeof(*l->docs))) ==
	        NULL ||
	    (blocks = calloc(t->ndocs ? t->ndocs : 1, sizeof(*blocks))) ==
	        NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	l->ndocs = t->ndocs;
	w.ctx = ctx;
	w.l = l;
	w.file = file;
	if ((rc = read_blocks(&w, t, fmt, blocks, &rule)) != SEAL_OK)
		goto out;
	for (i = 0; i < t->ndocs; i++) {
		w.doc = i;
		k8s_doc(&w, t->docs[i].root);
	}
	if (w.oom) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	if (!l->sealed) {
		/* ENC values with no sops block anywhere: stripped metadata */
		for (i = 0; i < t->ndocs; i++) {
			w.doc = i;
			w.depth = 0;
			stripped(&w, t->docs[i].root, 0);
		}
		if (w.oom)
			rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	w.rule = &rule;
	for (i = 0; i < t->ndocs; i++) {
		if (t->docs[i].root == NULL)
			continue;
		w.doc = i;
		walk_doc(&w, t->docs[i].root, fmt);
	}
	if (w.refail != NULL && !w.oom) {
		char q[1100];
		snprintf(q, sizeof(q), "'%s'", w.refail);
		rc = seal__rule_fail(ctx, &rule, file, q, w.refail_comment);
		goto out;
	}
	if (w.oom) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	l->whole = l->nproblems == 0;
out:
	free(w.refail);
	seal__rule_free(&rule);
	free(blocks);
	if (rc != SEAL_OK) {
		seal__lint_free(l);
		return rc;
	}
	*out = l;
	return SEAL_OK;
}

void
seal__lint_free(struct seal__lint *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nproblems; i++) {
		free(l->problems[i].path);
		free(l->problems[i].text);
	}
	for (i = 0; i < l->nrecipients; i++)
		free(l->recipients[i]);
	free(l->recipients);
	for (i = 0; i < l->ndocs; i++) {
		size_t j;
		for (j = 0; j < l->docs[i].nrecipients; j++)
			free(l->docs[i].recipients[j]);
		free(l->docs[i].recipients);
		for (j = 0; j < l->docs[i].npgp; j++)
			free(l->docs[i].pgp[j]);
		free(l->docs[i].pgp);
		free(l->docs[i].rule_arg);
	}
	free(l->problems);
	free(l->docs);
	free(l->rule_arg);
	free(l);
}

int
seal__pgp_add(char ***list, size_t *n, const char *s, size_t len)
{
	char **nl, *o;
	size_t i, k = 0;

	if ((o = malloc(len + 1)) == NULL)
		return -1;
	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			o[k++] = (char)toupper((unsigned char)s[i]);
	o[k] = '\0';
	if (k == 0) {
		free(o);
		return 0;
	}
	if ((nl = realloc(*list, (*n + 1) * sizeof(*nl))) == NULL) {
		free(o);
		return -1;
	}
	*list = nl;
	nl[(*n)++] = o;
	return 0;
}

const char *
seal__lint_code_name(enum seal__lint_code code)
{
	switch (code) {
	case SEAL_LINT_NO_SOPS:
		return "no-sops-metadata";
	case SEAL_LINT_BAD_META:
		return "bad-sops-metadata";
	case SEAL_LINT_NO_MAC:
		return "no-mac";
	case SEAL_LINT_MAC_NOT_ENC:
		return "mac-not-encrypted";
	case SEAL_LINT_NO_LASTMODIFIED:
		return "no-lastmodified";
	case SEAL_LINT_NO_KEYS:
		return "no-keys";
	case SEAL_LINT_BAD_ENC:
		return "malformed-enc";
	case SEAL_LINT_PLAINTEXT:
		return "plaintext-value";
	case SEAL_LINT_CLEAR_SECRET:
		return "clear-secret-value";
	}
	return "unknown";
}
