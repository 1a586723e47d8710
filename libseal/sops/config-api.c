/* SPDX-License-Identifier: ISC */
/*
 * sops/config-api.c - the public face of .sops.yaml (sops/config.c):
 * find, parse, look up the creation rule for a path, and read the rule
 * through accessors. The public handles are the internal structures
 * under opaque names.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sops/file.h"

#define CFG(c)  ((const struct seal__sops_config *)(const void *)(c))
#define RULE(r) ((const struct seal__creation_rule *)(const void *)(r))

seal_rc
seal_sops_config_find(seal_ctx *ctx, const char *dir, char **path)
{
	*path = NULL;
	if (dir == NULL)
		return seal__err(ctx, SEAL_EINVAL, "no directory to search");
	return seal__sops_config_find(ctx, dir, path);
}

seal_rc
seal_sops_config_parse(seal_ctx *ctx, const void *buf, size_t len,
    const char *dir, const char *name, seal_sops_config **out)
{
	struct seal__sops_config *c = NULL;
	seal_rc rc;

	*out = NULL;
	rc = seal__sops_config_parse(
	    ctx, buf, len, dir, name ? name : ".sops.yaml", &c);
	if (rc == SEAL_OK)
		*out = (seal_sops_config *)(void *)c;
	return rc;
}

void
seal_sops_config_free(seal_sops_config *c)
{
	seal__sops_config_free((struct seal__sops_config *)(void *)c);
}

int
seal_sops_config_indent(const seal_sops_config *c, int format)
{
	if (c == NULL)
		return -1;
	if (format == SEAL_SOPS_YAML)
		return CFG(c)->yaml_indent;
	if (format == SEAL_SOPS_JSON || format == SEAL_SOPS_BINARY)
		return CFG(c)->json_indent;
	return -1;
}

seal_rc
seal_sops_config_match(seal_ctx *ctx, const seal_sops_config *c,
    const char *path, const seal_sops_rule **out)
{
	const struct seal__creation_rule *r = NULL;
	seal_rc rc;

	*out = NULL;
	if (ctx == NULL || c == NULL || path == NULL)
		return seal__err(ctx, SEAL_EINVAL, "no config or no path");
	rc = seal__sops_config_match(ctx, CFG(c), path, &r);
	if (rc != SEAL_OK)
		return rc;
	*out = (const seal_sops_rule *)(const void *)r;
	return SEAL_OK;
}

/* A rule's age recipients or pgp fingerprints: how many, *v them. */
static size_t
rule_list(const seal_sops_rule *r, bool pgp, char *const **v)
{
	*v = NULL;
	if (r == NULL)
		return 0;
	*v = pgp ? RULE(r)->pgp : RULE(r)->age;
	return pgp ? RULE(r)->npgp : RULE(r)->nage;
}

static const char *
rule_item(const seal_sops_rule *r, bool pgp, size_t i)
{
	char *const *v;

	return i < rule_list(r, pgp, &v) ? v[i] : NULL;
}

size_t
seal_sops_rule_age_count(const seal_sops_rule *r)
{
	char *const *v;

	return rule_list(r, false, &v);
}

const char *
seal_sops_rule_age(const seal_sops_rule *r, size_t i)
{
	return rule_item(r, false, i);
}

size_t
seal_sops_rule_pgp_count(const seal_sops_rule *r)
{
	char *const *v;

	return rule_list(r, true, &v);
}

const char *
seal_sops_rule_pgp(const seal_sops_rule *r, size_t i)
{
	return rule_item(r, true, i);
}

int
seal_sops_rule_other_keys(const seal_sops_rule *r)
{
	return r ? RULE(r)->other_keys : 0;
}

size_t
seal_sops_rule_key_groups(const seal_sops_rule *r)
{
	return r ? RULE(r)->ngroups : 0;
}

const char *
seal_sops_rule_selection(const seal_sops_rule *r, const char **arg)
{
	if (arg != NULL)
		*arg = NULL;
	if (r == NULL || RULE(r)->rule == SEAL_RULE_NONE)
		return NULL;
	if (arg != NULL)
		*arg = RULE(r)->rule_arg;
	return seal__rule_name(RULE(r)->rule);
}

int
seal_sops_rule_mac_only_encrypted(const seal_sops_rule *r)
{
	return r ? RULE(r)->mac_only_encrypted : 0;
}

unsigned
seal_sops_rule_line(const seal_sops_rule *r)
{
	return r ? (unsigned)RULE(r)->line : 0;
}

const char *
seal_sops_rule_path_regex(const seal_sops_rule *r)
{
	return r ? RULE(r)->path_regex : NULL;
}

int
seal_sops_is_k8s_secret(const seal_sops_file *f)
{
	size_t d, n = 0;

	if (f == NULL || f->t == NULL)
		return 0;
	for (d = 0; d < f->t->ndocs; d++) {
		const struct seal__node *root = f->t->docs[d].root, *k;
		if (root == NULL)
			continue;
		k = seal__map_get(root, "kind");
		if (k == NULL || k->kind != SEAL_N_SCALAR ||
		    strcmp(k->text, "Secret") != 0)
			return 0;
		n++;
	}
	return n > 0;
}
