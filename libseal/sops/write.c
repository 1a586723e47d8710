/* SPDX-License-Identifier: ISC */
/*
 * sops/write.c - creation parameters, and writing a file out: the sops:
 * block in the sops 3.10-3.12 layout (spec 6.3, layout 2: no empty key
 * lists, version 3.10.2) appended as the last key of every document,
 * flattened to sops_* keys for dotenv, the JSON envelope for binary.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sops/file.h"

/* ---- params -------------------------------------------------------------- */

seal_rc
seal_sops_params_new(seal_ctx *ctx, seal_sops_params **out)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	return SEAL_OK;
}

void
seal_sops_params_free(seal_sops_params *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nage; i++)
		free(p->age[i]);
	free(p->age);
	free(p->rule_arg);
	free(p);
}

static seal_rc
add_one(seal_ctx *ctx, seal_sops_params *p, const char *s, size_t n)
{
	seal_recipient *r = NULL;
	char **na;
	size_t i;
	seal_rc rc;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return SEAL_OK;
	/* validate now, so a typo fails before anything is written */
	if ((rc = seal_recipient_parse(ctx, s, n, &r)) != SEAL_OK)
		return rc;
	seal_recipient_free(r);
	for (i = 0; i < p->nage; i++)
		if (strlen(p->age[i]) == n && memcmp(p->age[i], s, n) == 0)
			return SEAL_OK; /* duplicates removed, as sops */
	na = realloc(p->age, (p->nage + 1) * sizeof(*na));
	if (na == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	p->age = na;
	if ((na[p->nage] = strndup(s, n)) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	p->nage++;
	return SEAL_OK;
}

seal_rc
seal_sops_params_add_age(
    seal_ctx *ctx, seal_sops_params *p, const char *recipients)
{
	const char *s = recipients, *c;
	seal_rc rc;

	while ((c = strchr(s, ',')) != NULL) {
		if ((rc = add_one(ctx, p, s, (size_t)(c - s))) != SEAL_OK)
			return rc;
		s = c + 1;
	}
	return add_one(ctx, p, s, strlen(s));
}

size_t
seal_sops_params_age_count(const seal_sops_params *p)
{
	return p->nage;
}

seal_rc
seal_sops_regex_check(seal_ctx *ctx, const char *what, const char *pattern)
{
	const char *why = NULL;
	size_t off = 0;
	void *re;
	int err;

	if (what == NULL)
		what = "regex";
	if (pattern == NULL)
		return seal__err(ctx, SEAL_EINVAL, "%s needs a value", what);
	if (!seal__re2_check(pattern, &off, &why))
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: %s at offset %zu; sops reads regexes with Go's RE2 "
		    "syntax and could not read this one back: rewrite it "
		    "without that construct",
		    what, why, off);
	re = seal__re_compile(pattern, &err, &off);
	if (re == NULL)
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: invalid regex at offset %zu", what, off);
	seal__re_free(re);
	return SEAL_OK;
}

seal_rc
seal_sops_params_set_rule(
    seal_ctx *ctx, seal_sops_params *p, const char *name, const char *arg)
{
	enum seal__rule_kind k = seal__rule_from_name(name, strlen(name));
	struct seal__rule test;
	seal_rc rc;

	if (k == SEAL_RULE_NONE)
		return seal__err(
		    ctx, SEAL_EINVAL, "unknown selection rule '%s'", name);
	if (p->rule != SEAL_RULE_NONE &&
	    (p->rule != k || strcmp(p->rule_arg, arg) != 0))
		return seal__err(ctx, SEAL_EINVAL,
		    "only one selection rule may be given (%s and %s)",
		    seal__rule_name(p->rule), name);
	/* the rule goes into the file's metadata: sops must read it back
	 * as seal does */
	if (arg != NULL && k != SEAL_RULE_UNENCRYPTED_SUFFIX &&
	    k != SEAL_RULE_ENCRYPTED_SUFFIX &&
	    (rc = seal_sops_regex_check(ctx, name, arg)) != SEAL_OK)
		return rc;
	/* compile once to report a bad regex early */
	if ((rc = seal__rule_init(ctx, &test, k, arg)) != SEAL_OK)
		return rc;
	seal__rule_free(&test);
	free(p->rule_arg);
	if ((p->rule_arg = strdup(arg)) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	p->rule = k;
	return SEAL_OK;
}

void
seal_sops_params_set_mac_only_encrypted(seal_sops_params *p, int on)
{
	p->mac_only = on != 0;
}

/* ---- the sops block --------------------------------------------------------
 */

static int
put_str(struct seal__tree *t, struct seal__node *map, const char *k,
    const char *v, enum seal__style style, enum seal__type type)
{
	struct seal__node *n = seal__scalar_new(t, type, v, strlen(v));

	if (n == NULL)
		return -1;
	n->style = (uint8_t)style;
	return seal__map_append(t, map, k, strlen(k), n);
}

static int
put_other(struct seal__tree *t, struct seal__node *map, const seal_sops_file *f,
    const char *name)
{
	size_t i;

	for (i = 0; i < f->nother; i++) {
		if (strcmp(f->other[i].name, name) != 0)
			continue;
		return seal__map_append(t, map, name, strlen(name),
		    seal__node_clone(t, f->other[i].val));
	}
	return 0;
}

static struct seal__node *
build_block(struct seal__tree *t, const seal_sops_file *f)
{
	struct seal__node *m = seal__node_new(t, SEAL_N_MAP), *list;
	size_t i;

	if (m == NULL)
		return NULL;
	if (put_other(t, m, f, "kms") || put_other(t, m, f, "gcp_kms") ||
	    put_other(t, m, f, "hckms") || put_other(t, m, f, "azure_kv") ||
	    put_other(t, m, f, "hc_vault"))
		return NULL;
	if (f->nage > 0) {
		if ((list = seal__node_new(t, SEAL_N_SEQ)) == NULL ||
		    seal__map_append(t, m, "age", 3, list) != 0)
			return NULL;
		for (i = 0; i < f->nage; i++) {
			struct seal__node *e = seal__node_new(t, SEAL_N_MAP);
			if (e == NULL || seal__seq_append(t, list, e) != 0 ||
			    put_str(t, e, "recipient", f->age[i].recipient,
			        SEAL_S_ANY, SEAL_T_STR) ||
			    put_str(t, e, "enc", f->age[i].enc, SEAL_S_LITERAL,
			        SEAL_T_STR))
				return NULL;
		}
	}
	if (put_str(t, m, "lastmodified", f->lastmodified, SEAL_S_DOUBLE,
	        SEAL_T_STR) ||
	    put_str(t, m, "mac", f->mac, SEAL_S_ANY, SEAL_T_STR) ||
	    put_other(t, m, f, "pgp"))
		return NULL;
	if (f->rule_kind != SEAL_RULE_NONE &&
	    put_str(t, m, seal__rule_name(f->rule_kind), f->rule.arg,
	        SEAL_S_ANY, SEAL_T_STR))
		return NULL;
	if (f->mac_only &&
	    put_str(
	        t, m, "mac_only_encrypted", "true", SEAL_S_ANY, SEAL_T_BOOL))
		return NULL;
	if (put_str(t, m, "version", SEAL_SOPS_VERSION, SEAL_S_ANY, SEAL_T_STR))
		return NULL;
	return m;
}

seal_rc
seal_sops_write(seal_ctx *ctx, const seal_sops_file *cf, int format, int indent,
    seal_write_fn write, void *arg)
{
	seal_sops_file *f = (seal_sops_file *)cf; /* restored before return */
	struct seal__emit_opts eo = {indent};
	enum seal__format fmt = format ? (enum seal__format)format : f->fmt;
	struct seal__node *block = NULL;
	seal__emit_fn emit;
	size_t *saved = NULL, d;
	seal_rc rc;

	if (f->broken)
		return seal__err(ctx, SEAL_EINVAL,
		    "%s: refusing to write a file after a failed operation",
		    f->name);
	if (f->sealed && fmt == SEAL_FMT_BINARY)
		fmt = SEAL_FMT_JSON; /* the binary envelope */
	emit = seal__store_emitter(fmt);
	if (emit == NULL)
		return seal__err(
		    ctx, SEAL_EUNSUPPORTED, "cannot write this output format");
	if (!f->sealed)
		return emit(ctx, f->t, &eo, write, arg);
	if ((saved = calloc(f->t->ndocs + 1, sizeof(*saved))) == NULL ||
	    (block = build_block(f->t, f)) == NULL) {
		free(saved);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	rc = SEAL_OK;
	for (d = 0; d < f->t->ndocs; d++)
		saved[d] = (size_t)-1;
	for (d = 0; d < f->t->ndocs; d++) {
		struct seal__node *root = f->t->docs[d].root;
		if (root == NULL)
			continue;
		saved[d] = root->nitems;
		if (fmt == SEAL_FMT_DOTENV
		        ? seal__sops_flatten(f->t, root, block) != 0
		        : seal__map_append(f->t, root, "sops", 4, block) != 0) {
			rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
			break;
		}
	}
	if (rc == SEAL_OK)
		rc = emit(ctx, f->t, &eo, write, arg);
	for (d = 0; d < f->t->ndocs; d++)
		if (f->t->docs[d].root != NULL && saved[d] != (size_t)-1)
			f->t->docs[d].root->nitems = saved[d];
	free(saved);
	return rc;
}
