/* SPDX-License-Identifier: ISC */
/*
 * sops/config.c - .sops.yaml: finding it as sops does (walk up from a
 * directory, at most 100 levels), parsing creation_rules (path_regex,
 * age as a comma string or a list, one key group, the selection rule,
 * mac_only_encrypted) and stores.{yaml,json}.indent, and the first-match
 * lookup. Keys other than age are noted, never used.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sops/sops.h"

static const char *
scalar(const struct seal__node *n)
{
	if (n == NULL || n->kind != SEAL_N_SCALAR || n->type == SEAL_T_NULL)
		return NULL;
	return n->text;
}

static int
add_age(struct seal__creation_rule *r, const char *s, size_t len)
{
	char **na;

	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return 0;
	na = realloc(r->age, (r->nage + 1) * sizeof(*na));
	if (na == NULL)
		return -1;
	r->age = na;
	if ((na[r->nage] = strndup(s, len)) == NULL)
		return -1;
	r->nage++;
	return 0;
}

static int
add_pgp(struct seal__creation_rule *r, const char *s, size_t len)
{
	return seal__pgp_add(&r->pgp, &r->npgp, s, len) != 0 ? -1 : 0;
}

/*
 * A key list, "a,b" or [a, b], each item given to add: age recipients,
 * and pgp fingerprints, kept to compare with a file's (the hook).
 */
static int
read_list(struct seal__creation_rule *r, const struct seal__node *n,
    int (*add)(struct seal__creation_rule *, const char *, size_t))
{
	size_t i;

	if (n == NULL)
		return 0;
	if (n->kind == SEAL_N_SCALAR) {
		const char *s = scalar(n), *c;
		if (s == NULL)
			return 0;
		while ((c = strchr(s, ',')) != NULL) {
			if (add(r, s, (size_t)(c - s)) != 0)
				return -1;
			s = c + 1;
		}
		return add(r, s, strlen(s));
	}
	if (n->kind != SEAL_N_SEQ)
		return -2;
	for (i = 0; i < n->nitems; i++) {
		const struct seal__node *e = n->items[i].val;
		if (e == NULL || e->kind == SEAL_N_COMMENT)
			continue;
		if (scalar(e) == NULL)
			return -2;
		if (read_list(r, e, add) != 0)
			return -1;
	}
	return 0;
}

static const char *const other_keys[] = {"pgp", "kms", "gcp_kms",
    "azure_keyvault", "hc_vault_transit_uri", "hc_vault", "hckms"};

static int
read_group(
    struct seal__creation_rule *r, const struct seal__node *g, unsigned depth)
{
	size_t i, j;
	int rc;

	if (g == NULL || g->kind != SEAL_N_MAP || depth > 8)
		return -2;
	for (i = 0; i < g->nitems; i++) {
		const struct seal__item *it = &g->items[i];
		if (it->key == NULL)
			continue;
		if (strcmp(it->key, "age") == 0) {
			if ((rc = read_list(r, it->val, add_age)) != 0)
				return rc;
		} else if (strcmp(it->key, "merge") == 0 && it->val &&
		    it->val->kind == SEAL_N_SEQ) {
			for (j = 0; j < it->val->nitems; j++)
				if (it->val->items[j].val->kind !=
				        SEAL_N_COMMENT &&
				    (rc = read_group(r, it->val->items[j].val,
				         depth + 1)) != 0)
					return rc;
		} else {
			if (strcmp(it->key, "pgp") == 0 &&
			    (rc = read_list(r, it->val, add_pgp)) != 0)
				return rc;
			for (j = 0; j < SEAL__ARRAY_LEN(other_keys); j++)
				if (strcmp(it->key, other_keys[j]) == 0 &&
				    it->val != NULL &&
				    !(it->val->kind == SEAL_N_SCALAR &&
				        (it->val->len == 0 ||
				            it->val->type == SEAL_T_NULL)) &&
				    !(it->val->kind == SEAL_N_SEQ &&
				        it->val->nitems == 0))
					r->other_keys = true;
		}
	}
	return 0;
}

static seal_rc
read_rule(seal_ctx *ctx, struct seal__creation_rule *r,
    const struct seal__node *n, const char *file, size_t idx)
{
	size_t i;
	int nrules = 0, rc;

	if (n == NULL || n->kind != SEAL_N_MAP)
		return seal__err(ctx, SEAL_EFORMAT,
		    "%s: creation_rules[%zu] is not a map", file, idx);
	r->line = n->line;
	if ((rc = read_group(r, n, 0)) != 0)
		goto bad;
	for (i = 0; i < n->nitems; i++) {
		const struct seal__item *it = &n->items[i];
		enum seal__rule_kind k;

		if (it->key == NULL)
			continue;
		if (strcmp(it->key, "path_regex") == 0) {
			r->path_regex = scalar(it->val);
		} else if (strcmp(it->key, "mac_only_encrypted") == 0) {
			const char *v = scalar(it->val);
			r->mac_only_encrypted = v &&
			    (strcmp(v, "true") == 0 || strcmp(v, "True") == 0);
		} else if (strcmp(it->key, "key_groups") == 0 && it->val &&
		    it->val->kind == SEAL_N_SEQ) {
			size_t j;
			for (j = 0; j < it->val->nitems; j++) {
				const struct seal__node *g =
				    it->val->items[j].val;
				if (g->kind == SEAL_N_COMMENT)
					continue;
				r->ngroups++;
				if ((rc = read_group(r, g, 0)) != 0)
					goto bad;
			}
		} else if ((k = seal__rule_from_name(it->key, it->keylen)) !=
		        SEAL_RULE_NONE &&
		    scalar(it->val) != NULL && it->val->len > 0) {
			r->rule = k;
			r->rule_arg = scalar(it->val);
			nrules++;
		}
	}
	if (nrules > 1)
		return seal__err(ctx, SEAL_EFORMAT,
		    "%s:%u: creation rule names %d selection rules; only one "
		    "is allowed",
		    file, (unsigned)r->line, nrules);
	if (r->path_regex != NULL) {
		int err;
		size_t off;
		r->re = seal__re_compile(r->path_regex, &err, &off);
		if (r->re == NULL)
			return seal__err(ctx, SEAL_EFORMAT,
			    "%s:%u: invalid path_regex at offset %zu", file,
			    (unsigned)r->line, off);
	}
	return SEAL_OK;
bad:
	if (rc == -1)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	return seal__err(ctx, SEAL_EFORMAT,
	    "%s:%u: creation rule keys must be a string or a list of strings",
	    file, (unsigned)r->line);
}

static int
indent_of(const struct seal__node *stores, const char *which)
{
	const struct seal__node *s = seal__map_get(stores, which);
	const char *v = scalar(seal__map_get(s, "indent"));

	return v ? atoi(v) : -1;
}

seal_rc
seal__sops_config_parse(seal_ctx *ctx, const char *buf, size_t len,
    const char *dir, const char *file, struct seal__sops_config **out)
{
	struct seal__sops_config *c;
	const struct seal__node *root, *rules, *stores;
	size_t i;
	seal_rc rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->dir = strdup(dir ? dir : ".")) == NULL) {
		free(c);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	c->yaml_indent = c->json_indent = -1;
	while (strlen(c->dir) > 1 && c->dir[strlen(c->dir) - 1] == '/')
		c->dir[strlen(c->dir) - 1] = '\0';
	if ((rc = seal__yaml_parse(ctx, buf, len, NULL, &c->tree)) != SEAL_OK) {
		seal__err_prefix(ctx, "%s", file);
		goto fail;
	}
	root = c->tree->ndocs ? c->tree->docs[0].root : NULL;
	stores = seal__map_get(root, "stores");
	c->yaml_indent = indent_of(stores, "yaml");
	c->json_indent = indent_of(stores, "json");
	rules = seal__map_get(root, "creation_rules");
	if (rules == NULL || rules->kind != SEAL_N_SEQ) {
		*out = c;
		return SEAL_OK;
	}
	c->rules = calloc(rules->nitems ? rules->nitems : 1, sizeof(*c->rules));
	if (c->rules == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < rules->nitems; i++) {
		if (rules->items[i].val->kind == SEAL_N_COMMENT)
			continue;
		rc = read_rule(
		    ctx, &c->rules[c->nrules], rules->items[i].val, file, i);
		c->nrules++;
		if (rc != SEAL_OK)
			goto fail;
	}
	*out = c;
	return SEAL_OK;
fail:
	seal__sops_config_free(c);
	return rc;
}

void
seal__sops_config_free(struct seal__sops_config *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrules; i++) {
		for (j = 0; j < c->rules[i].nage; j++)
			free(c->rules[i].age[j]);
		free(c->rules[i].age);
		for (j = 0; j < c->rules[i].npgp; j++)
			free(c->rules[i].pgp[j]);
		free(c->rules[i].pgp);
		if (c->rules[i].re != NULL)
			pcre2_code_free(c->rules[i].re);
	}
	free(c->rules);
	seal__tree_free(c->tree);
	free(c->dir);
	free(c);
}

seal_rc
seal__sops_config_match(seal_ctx *ctx, const struct seal__sops_config *c,
    const char *path, const struct seal__creation_rule **out)
{
	size_t i, dl = strlen(c->dir);
	pcre2_match_data *md;
	const char *rel = path;
	char q[256];

	*out = NULL;
	if (strncmp(path, c->dir, dl) == 0 && path[dl] == '/')
		rel = path + dl + 1;
	else if (strcmp(c->dir, "/") == 0 && path[0] == '/')
		rel = path + 1;
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	seal__quote(q, sizeof(q), rel, strlen(rel));
	for (i = 0; i < c->nrules; i++) {
		const struct seal__creation_rule *r = &c->rules[i];
		int m = r->re == NULL ? 1
		                      : seal__re_match(r->re, rel, strlen(rel), md);
		if (m < 0) {
			/* a rule that cannot decide does not fall through
			 * to the next one (which may name other keys) */
			pcre2_match_data_free(md);
			return seal__err(ctx, SEAL_EREGEX,
			    "creation_rules[%zu] (line %u): path_regex could "
			    "not be evaluated on '%s' (the regex engine "
			    "reached its step or memory limit); nothing was "
			    "written: simplify the regex",
			    i, (unsigned)r->line, q);
		}
		if (m == 1) {
			pcre2_match_data_free(md);
			*out = r;
			return SEAL_OK;
		}
	}
	pcre2_match_data_free(md);
	return seal__err(ctx, SEAL_EREFUSED,
	    "no creation rule in the config matches '%s'", q);
}

seal_rc
seal__sops_config_find(seal_ctx *ctx, const char *dir, char **out)
{
	char *cur, *p;
	struct stat st;
	int level;

	*out = NULL;
	cur = malloc(strlen(dir) + 16);
	if (cur == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	strcpy(cur, dir);
	for (level = 0; level < 100; level++) {
		size_t l = strlen(cur);
		while (l > 1 && cur[l - 1] == '/')
			cur[--l] = '\0';
		strcpy(cur + l,
		    l == 1 && cur[0] == '/' ? ".sops.yaml" : "/.sops.yaml");
		if (stat(cur, &st) == 0 && S_ISREG(st.st_mode)) {
			*out = cur;
			return SEAL_OK;
		}
		cur[l] = '\0';
		if (strcmp(cur, "/") == 0 || l == 0)
			break;
		p = strrchr(cur, '/');
		if (p == NULL)
			break;
		if (p == cur)
			p[1] = '\0';
		else
			*p = '\0';
	}
	free(cur);
	return SEAL_OK;
}
