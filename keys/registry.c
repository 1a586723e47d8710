/* SPDX-License-Identifier: ISC */
/*
 * registry.c - the cluster and tenant key registry in .sops.yaml (see
 * registry.h for the layout). Reads and edits the YAML tree in place:
 * libseal's YAML document (seal/doc.h) keeps comments, order, anchors
 * and aliases, so an edit changes only the entries and rules it touches.
 * After every edit the index (keys, rules) is rebuilt from the document.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/registry.h"

#define RETIRED "__retired-"
#define ADMIN "_admin-"
#define DATA_RULE "^(data|stringData)$"

struct keys_registry {
	seal_doc *t;
	char *file;
	struct keys_key *keys;
	size_t nkeys;
	struct keys_rule *rules;
	size_t nrules;
};

/* -- names ---------------------------------------------------------------- */

/* [a-z0-9] then [a-z0-9-], ending alphanumeric, no "--", <= 63 */
static bool
name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > KEYS_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '-') || c >= 0x80)
			return false;
		if (c == '-' && (i == 0 || i == n - 1 || s[i - 1] == '-'))
			return false;
	}
	return true;
}

seal_rc
keys_name_check(seal_ctx *ctx, const char *name, bool tenant)
{
	char q[80];

	if (name_ok(name, strlen(name)))
		return SEAL_OK;
	seal_quote(q, sizeof(q), name, strlen(name));
	return seal_ctx_error(ctx, SEAL_EINVAL,
	    "%s name '%s' is not allowed: use 1 to %d lower-case letters, "
	    "digits and single '-' inside (it becomes a YAML anchor%s)",
	    tenant ? "tenant" : "cluster", q, KEYS_NAME_MAX,
	    tenant ? " and is a Kubernetes namespace" : "");
}

static bool
all_digits(const char *s)
{
	if (*s == '\0' || *s == '0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * What an anchor name says. Tenants are told apart from a user's own
 * "admin_bob" by their cluster: it must be registered (a second pass).
 */
static void
classify(struct keys_key *k)
{
	const char *a = k->anchor, *r, *u;
	size_t bl;

	k->role = KEYS_OTHER;
	if (a == NULL)
		return;
	if (strncmp(a, ADMIN, strlen(ADMIN)) == 0) {
		if (all_digits(a + strlen(ADMIN)))
			k->role = KEYS_ADMIN;
		return;
	}
	r = strstr(a, RETIRED);
	bl = r ? (size_t)(r - a) : strlen(a);
	if (r != NULL) {
		if (!all_digits(r + strlen(RETIRED)) ||
		    strtoul(r + strlen(RETIRED), NULL, 10) > 1000000)
			return;
		k->retired = (unsigned)strtoul(r + strlen(RETIRED), NULL, 10);
	}
	u = memchr(a, '_', bl);
	if (u == NULL) {
		if (!name_ok(a, bl))
			return;
		memcpy(k->cluster, a, bl);
		k->cluster[bl] = '\0';
		k->role = KEYS_CLUSTER;
		return;
	}
	if (!name_ok(a, (size_t)(u - a)) ||
	    !name_ok(u + 1, bl - (size_t)(u - a) - 1))
		return;
	memcpy(k->cluster, a, (size_t)(u - a));
	k->cluster[u - a] = '\0';
	memcpy(k->tenant, u + 1, bl - (size_t)(u - a) - 1);
	k->tenant[bl - (size_t)(u - a) - 1] = '\0';
	k->role = KEYS_TENANT;
}

/* -- the index ------------------------------------------------------------ */

static seal_node *
root(const keys_registry *reg)
{
	return seal_doc_count(reg->t) > 0 ? seal_doc_root(reg->t, 0) : NULL;
}

static bool
is_item(const seal_node *n)
{
	return n != NULL && seal_node_kind(n) != SEAL_NODE_COMMENT;
}

static bool
is_kind(const seal_node *n, enum seal_node_kind k)
{
	return n != NULL && seal_node_kind(n) == k;
}

static void
unindex(keys_registry *reg)
{
	size_t i;

	for (i = 0; i < reg->nrules; i++)
		free(reg->rules[i].anchors);
	free(reg->rules);
	free(reg->keys);
	reg->rules = NULL;
	reg->keys = NULL;
	reg->nrules = reg->nkeys = 0;
}

static int
rule_add_anchor(struct keys_rule *r, const char *a)
{
	const char **p = realloc(r->anchors, (r->nanchors + 1) * sizeof(*p));

	if (p == NULL)
		return -1;
	p[r->nanchors++] = a;
	r->anchors = p;
	return 0;
}

/* An age list (a string or a list of strings) of a rule or a group. */
static int
index_age(struct keys_rule *r, const seal_node *age)
{
	size_t i;

	if (age == NULL)
		return 0;
	if (is_kind(age, SEAL_NODE_SCALAR)) {
		if (seal_node_is_alias(age))
			return rule_add_anchor(r, seal_node_anchor(age));
		if (*seal_node_text(age) != '\0' && !seal_node_is_null(age))
			r->nplain++;
		return 0;
	}
	if (!is_kind(age, SEAL_NODE_SEQ))
		return 0;
	for (i = 0; i < seal_node_size(age); i++)
		if (is_item(seal_node_at(age, i)) &&
		    index_age(r, seal_node_at(age, i)) != 0)
			return -1;
	return 0;
}

/* A list, or null (nothing yet)? */
static bool
list_or_null(const seal_node *n)
{
	return n == NULL || is_kind(n, SEAL_NODE_SEQ) || seal_node_is_null(n);
}

static seal_rc
reindex(seal_ctx *ctx, keys_registry *reg)
{
	const seal_node *m = root(reg), *keys, *rules;
	size_t i, j;

	unindex(reg);
	keys = seal_map_get(m, "keys");
	rules = seal_map_get(m, "creation_rules");
	if (!list_or_null(keys))
		return seal_ctx_error(ctx, SEAL_EFORMAT,
		    "%s: keys: is not a list", reg->file);
	if (!list_or_null(rules))
		return seal_ctx_error(ctx, SEAL_EFORMAT,
		    "%s: creation_rules: is not a list", reg->file);
	if (is_kind(keys, SEAL_NODE_SEQ)) {
		reg->keys = calloc(seal_node_size(keys) + 1, sizeof(*reg->keys));
		if (reg->keys == NULL)
			goto oom;
		for (i = 0; i < seal_node_size(keys); i++) {
			const seal_node *e = seal_node_at(keys, i);
			struct keys_key *k = &reg->keys[reg->nkeys];

			if (!is_item(e))
				continue;
			if (!is_kind(e, SEAL_NODE_SCALAR))
				return seal_ctx_error(ctx, SEAL_EFORMAT,
				    "%s:%u: an entry of keys: is not a string",
				    reg->file, seal_node_line(e));
			k->recipient = seal_node_text(e);
			if (!seal_node_is_alias(e))
				k->anchor = seal_node_anchor(e);
			classify(k);
			reg->nkeys++;
		}
		/* a tenant's cluster must be registered */
		for (i = 0; i < reg->nkeys; i++) {
			struct keys_key *k = &reg->keys[i];

			if (k->role != KEYS_TENANT)
				continue;
			for (j = 0; j < reg->nkeys; j++)
				if (reg->keys[j].role == KEYS_CLUSTER &&
				    strcmp(reg->keys[j].cluster,
				    k->cluster) == 0)
					break;
			if (j == reg->nkeys) {
				k->role = KEYS_OTHER;
				k->cluster[0] = k->tenant[0] = '\0';
				k->retired = 0;
			}
		}
	}
	if (is_kind(rules, SEAL_NODE_SEQ)) {
		reg->rules = calloc(seal_node_size(rules) + 1,
		    sizeof(*reg->rules));
		if (reg->rules == NULL)
			goto oom;
		for (i = 0; i < seal_node_size(rules); i++) {
			const seal_node *r = seal_node_at(rules, i), *g, *p;
			struct keys_rule *kr = &reg->rules[reg->nrules];

			if (!is_item(r))
				continue;
			if (!is_kind(r, SEAL_NODE_MAP))
				return seal_ctx_error(ctx, SEAL_EFORMAT,
				    "%s:%u: a creation rule is not a map",
				    reg->file, seal_node_line(r));
			reg->nrules++;
			p = seal_map_get(r, "path_regex");
			if (is_kind(p, SEAL_NODE_SCALAR) && !seal_node_is_null(p))
				kr->path_regex = seal_node_text(p);
			if (index_age(kr, seal_map_get(r, "age")) != 0)
				goto oom;
			g = seal_map_get(r, "key_groups");
			if (!is_kind(g, SEAL_NODE_SEQ))
				continue;
			for (j = 0; j < seal_node_size(g); j++) {
				const seal_node *grp = seal_node_at(g, j);
				if (is_kind(grp, SEAL_NODE_MAP) &&
				    index_age(kr, seal_map_get(grp, "age")) != 0)
					goto oom;
			}
		}
	}
	return SEAL_OK;
oom:
	unindex(reg);
	return seal_ctx_error(ctx, SEAL_ENOMEM, "out of memory");
}

/* -- reading and writing -------------------------------------------------- */

seal_rc
keys_registry_parse(seal_ctx *ctx, const char *buf, size_t len,
    const char *file, keys_registry **out)
{
	keys_registry *reg;
	seal_rc rc;

	*out = NULL;
	reg = calloc(1, sizeof(*reg));
	if (reg == NULL || (reg->file = strdup(file)) == NULL) {
		free(reg);
		return seal_ctx_error(ctx, SEAL_ENOMEM, "out of memory");
	}
	if ((rc = seal_doc_parse_yaml(ctx, buf, len, &reg->t)) != SEAL_OK) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%s", seal_ctx_errmsg(ctx));
		keys_registry_free(reg);
		return seal_ctx_error(ctx, rc, "%s: %s", file, msg);
	}
	if (seal_doc_count(reg->t) > 1) {
		keys_registry_free(reg);
		return seal_ctx_error(ctx, SEAL_EFORMAT,
		    "%s: more than one YAML document", file);
	}
	if ((rc = reindex(ctx, reg)) != SEAL_OK) {
		keys_registry_free(reg);
		return rc;
	}
	*out = reg;
	return SEAL_OK;
}

void
keys_registry_free(keys_registry *reg)
{
	if (reg == NULL)
		return;
	unindex(reg);
	seal_doc_free(reg->t);
	free(reg->file);
	free(reg);
}

seal_rc
keys_registry_write(seal_ctx *ctx, const keys_registry *reg,
    seal_write_fn write, void *arg)
{
	return seal_doc_write_yaml(ctx, reg->t, write, arg);
}

size_t
keys_count(const keys_registry *reg)
{
	return reg->nkeys;
}

const struct keys_key *
keys_get(const keys_registry *reg, size_t i)
{
	return i < reg->nkeys ? &reg->keys[i] : NULL;
}

size_t
keys_rule_count(const keys_registry *reg)
{
	return reg->nrules;
}

const struct keys_rule *
keys_rule_get(const keys_registry *reg, size_t i)
{
	return i < reg->nrules ? &reg->rules[i] : NULL;
}

const struct keys_key *
keys_current(const keys_registry *reg, const char *cluster,
    const char *tenant)
{
	size_t i;

	for (i = 0; i < reg->nkeys; i++) {
		const struct keys_key *k = &reg->keys[i];

		if (k->retired == 0 && strcmp(k->cluster, cluster) == 0 &&
		    ((tenant == NULL && k->role == KEYS_CLUSTER) ||
		    (tenant != NULL && k->role == KEYS_TENANT &&
		    strcmp(k->tenant, tenant) == 0)))
			return k;
	}
	return NULL;
}

bool
keys_has_cluster(const keys_registry *reg, const char *cluster)
{
	size_t i;

	for (i = 0; i < reg->nkeys; i++)
		if ((reg->keys[i].role == KEYS_CLUSTER ||
		    reg->keys[i].role == KEYS_TENANT) &&
		    strcmp(reg->keys[i].cluster, cluster) == 0)
			return true;
	return false;
}

/* -- building nodes ------------------------------------------------------- */

/* The top-level list under key (made if missing or null), or NULL. */
static seal_node *
top_list(keys_registry *reg, const char *key, size_t before)
{
	seal_node *m = seal_doc_top_map(reg->t), *l;
	size_t i;

	if (m == NULL)
		return NULL;
	i = seal_map_find(m, key);
	if (i != SIZE_MAX && is_kind(seal_node_at(m, i), SEAL_NODE_SEQ))
		return seal_node_at(m, i);
	if ((l = seal_doc_new_seq(reg->t)) == NULL)
		return NULL;
	if (i != SIZE_MAX) {
		seal_map_set(m, i, l);
		return l;
	}
	return seal_map_insert(reg->t, m, before, key, l) == 0 ? l : NULL;
}

static seal_node *
keys_list(keys_registry *reg)
{
	seal_node *m = seal_doc_top_map(reg->t);
	size_t at;

	if (m == NULL)
		return NULL;
	/* keys: goes before creation_rules, as in sops's own example */
	at = seal_map_find(m, "creation_rules");
	return top_list(reg, "keys", at == SIZE_MAX ? seal_node_size(m) : at);
}

static seal_node *
rules_list(keys_registry *reg)
{
	seal_node *m = seal_doc_top_map(reg->t);

	return m ? top_list(reg, "creation_rules", seal_node_size(m)) : NULL;
}

static seal_rc
oom(seal_ctx *ctx)
{
	return seal_ctx_error(ctx, SEAL_ENOMEM, "out of memory");
}

static seal_rc
check_recipient(seal_ctx *ctx, const char *r)
{
	seal_recipient *p = NULL;
	seal_rc rc;
	char q[80];

	if (strncmp(r, "age1", 4) != 0) {
		seal_quote(q, sizeof(q), r, strlen(r));
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "'%s' is not an age recipient (age1...)", q);
	}
	if ((rc = seal_recipient_parse(ctx, r, strlen(r), &p)) != SEAL_OK)
		return rc;
	seal_recipient_free(p);
	return SEAL_OK;
}

/* Append the admins' aliases to an age list that has none of them. */
static int
add_admins(keys_registry *reg, seal_node *age)
{
	size_t i, j;

	for (i = 0; i < reg->nkeys; i++) {
		const struct keys_key *k = &reg->keys[i];
		bool have = false;

		if (k->role != KEYS_ADMIN)
			continue;
		for (j = 0; j < seal_node_size(age); j++) {
			const seal_node *v = seal_node_at(age, j);
			const char *a = seal_node_anchor(v);

			if (is_kind(v, SEAL_NODE_SCALAR) &&
			    ((a != NULL && strcmp(a, k->anchor) == 0) ||
			    strcmp(seal_node_text(v), k->recipient) == 0))
				have = true;
		}
		if (!have && seal_seq_insert(reg->t, age, SIZE_MAX,
		    seal_doc_new_alias(reg->t, k->anchor, k->recipient)) != 0)
			return -1;
	}
	return 0;
}

/* The age lists of a rule (its own and its groups'), for edits. */
typedef int (*age_fn)(keys_registry *reg, seal_node *age, void *arg);

static int
each_age(keys_registry *reg, seal_node *rule, age_fn fn, void *arg)
{
	seal_node *a = seal_map_get(rule, "age");
	seal_node *g = seal_map_get(rule, "key_groups");
	size_t j;
	int rc;

	if (is_kind(a, SEAL_NODE_SEQ) && (rc = fn(reg, a, arg)) != 0)
		return rc;
	if (!is_kind(g, SEAL_NODE_SEQ))
		return 0;
	for (j = 0; j < seal_node_size(g); j++) {
		seal_node *grp = seal_node_at(g, j);

		if (!is_kind(grp, SEAL_NODE_MAP))
			continue;
		a = seal_map_get(grp, "age");
		if (is_kind(a, SEAL_NODE_SEQ) && (rc = fn(reg, a, arg)) != 0)
			return rc;
	}
	return 0;
}

/* fn on the age lists of every rule that is a map. */
static int
each_rule_age(keys_registry *reg, seal_node *rules, age_fn fn, void *arg)
{
	size_t i;
	int rc;

	for (i = 0; i < seal_node_size(rules); i++) {
		seal_node *r = seal_node_at(rules, i);

		if (is_kind(r, SEAL_NODE_MAP) &&
		    (rc = each_age(reg, r, fn, arg)) != 0)
			return rc;
	}
	return 0;
}

static bool
names_managed(const seal_node *age, const keys_registry *reg)
{
	size_t i, j;

	for (i = 0; i < seal_node_size(age); i++) {
		const seal_node *v = seal_node_at(age, i);

		if (!seal_node_is_alias(v))
			continue;
		for (j = 0; j < reg->nkeys; j++)
			if ((reg->keys[j].role == KEYS_CLUSTER ||
			    reg->keys[j].role == KEYS_TENANT) &&
			    strcmp(reg->keys[j].anchor,
			    seal_node_anchor(v)) == 0)
				return true;
	}
	return false;
}

static int
admins_if_managed(keys_registry *reg, seal_node *age, void *arg)
{
	(void)arg;
	return names_managed(age, reg) ? add_admins(reg, age) : 0;
}

/* -- edits ---------------------------------------------------------------- */

static bool
anchor_used(const keys_registry *reg, const char *a)
{
	size_t i;

	for (i = 0; i < reg->nkeys; i++)
		if (reg->keys[i].anchor != NULL &&
		    strcmp(reg->keys[i].anchor, a) == 0)
			return true;
	return false;
}

seal_rc
keys_admin_add(seal_ctx *ctx, keys_registry *reg, const char *recipient)
{
	seal_node *keys, *rules;
	char name[32];
	unsigned n = 1;
	size_t i;
	seal_rc rc;

	if ((rc = check_recipient(ctx, recipient)) != SEAL_OK)
		return rc;
	for (i = 0; i < reg->nkeys; i++) {
		if (reg->keys[i].role == KEYS_ADMIN &&
		    strcmp(reg->keys[i].recipient, recipient) == 0)
			return SEAL_OK;
		if (reg->keys[i].role == KEYS_ADMIN)
			n++;
	}
	do
		snprintf(name, sizeof(name), ADMIN "%u", n++);
	while (anchor_used(reg, name));
	if ((keys = keys_list(reg)) == NULL ||
	    seal_seq_insert(reg->t, keys, 0,
	    seal_doc_new_anchored(reg->t, name, recipient)) != 0)
		return oom(ctx);
	if ((rc = reindex(ctx, reg)) != SEAL_OK)
		return rc;
	rules = seal_map_get(seal_doc_top_map(reg->t), "creation_rules");
	if (is_kind(rules, SEAL_NODE_SEQ) &&
	    each_rule_age(reg, rules, admins_if_managed, NULL) != 0)
		return oom(ctx);
	return reindex(ctx, reg);
}

static seal_node *
make_rule(keys_registry *reg, const char *path_regex, const char *anchor,
    const char *recipient)
{
	seal_doc *d = reg->t;
	seal_node *r = seal_doc_new_map(d), *groups = seal_doc_new_seq(d);
	seal_node *g = seal_doc_new_map(d), *age = seal_doc_new_seq(d);

	if (r == NULL || groups == NULL || g == NULL || age == NULL ||
	    seal_map_insert(d, r, SIZE_MAX, "path_regex",
	    seal_doc_new_string(d, path_regex)) != 0 ||
	    seal_map_insert(d, r, SIZE_MAX, "encrypted_regex",
	    seal_doc_new_string(d, DATA_RULE)) != 0 ||
	    seal_map_insert(d, r, SIZE_MAX, "key_groups", groups) != 0 ||
	    seal_seq_insert(d, groups, SIZE_MAX, g) != 0 ||
	    seal_map_insert(d, g, SIZE_MAX, "age", age) != 0 ||
	    seal_seq_insert(d, age, SIZE_MAX,
	    seal_doc_new_alias(d, anchor, recipient)) != 0 ||
	    add_admins(reg, age) != 0)
		return NULL;
	return r;
}

/* Where new rules go: before the first rule without path_regex. */
static size_t
rule_slot(const seal_node *rules)
{
	size_t i;

	for (i = 0; i < seal_node_size(rules); i++) {
		const seal_node *r = seal_node_at(rules, i);

		if (is_kind(r, SEAL_NODE_MAP) &&
		    seal_map_get(r, "path_regex") == NULL) {
			/* keep the comments above it with it */
			while (i > 0 && !is_item(seal_node_at(rules, i - 1)))
				i--;
			return i;
		}
	}
	return seal_node_size(rules);
}

seal_rc
keys_cluster_add(seal_ctx *ctx, keys_registry *reg, const char *cluster,
    const char *recipient, const char *path_regex,
    const struct keys_tenant_spec *tenants, size_t ntenants)
{
	seal_node *keys, *rules, *r;
	char name[2 * KEYS_NAME_MAX + 2];
	size_t i, j, at, kat;
	seal_rc rc;

	if ((rc = keys_name_check(ctx, cluster, false)) != SEAL_OK ||
	    (rc = check_recipient(ctx, recipient)) != SEAL_OK)
		return rc;
	if (keys_has_cluster(reg, cluster) || anchor_used(reg, cluster))
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "cluster '%s' is already registered in %s (see 'seal "
		    "cluster list'; 'seal cluster rotate %s' makes it a new "
		    "key)", cluster, reg->file, cluster);
	for (i = 0; i < ntenants; i++) {
		if ((rc = keys_name_check(ctx, tenants[i].name, true)) !=
		    SEAL_OK ||
		    (rc = check_recipient(ctx, tenants[i].recipient)) !=
		    SEAL_OK)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(tenants[i].name, tenants[j].name) == 0)
				return seal_ctx_error(ctx, SEAL_EINVAL,
				    "tenant '%s' is named twice",
				    tenants[i].name);
	}
	if ((keys = keys_list(reg)) == NULL)
		return oom(ctx);
	/* after the admins and the keys already there */
	kat = seal_node_size(keys);
	if (seal_seq_insert(reg->t, keys, kat++,
	    seal_doc_new_anchored(reg->t, cluster, recipient)) != 0)
		return oom(ctx);
	for (i = 0; i < ntenants; i++) {
		snprintf(name, sizeof(name), "%s_%s", cluster,
		    tenants[i].name);
		if (seal_seq_insert(reg->t, keys, kat++,
		    seal_doc_new_anchored(reg->t, name,
		    tenants[i].recipient)) != 0)
			return oom(ctx);
	}
	if ((rc = reindex(ctx, reg)) != SEAL_OK)
		return rc;
	if ((rules = rules_list(reg)) == NULL)
		return oom(ctx);
	at = rule_slot(rules);
	/* tenants first: first match wins, their paths are inside */
	for (i = 0; i < ntenants; i++) {
		snprintf(name, sizeof(name), "%s_%s", cluster,
		    tenants[i].name);
		r = make_rule(reg, tenants[i].path_regex, name,
		    tenants[i].recipient);
		if (r == NULL || seal_seq_insert(reg->t, rules, at++, r) != 0)
			return oom(ctx);
	}
	r = make_rule(reg, path_regex, cluster, recipient);
	if (r == NULL || seal_seq_insert(reg->t, rules, at, r) != 0)
		return oom(ctx);
	return reindex(ctx, reg);
}

/* -- rotation ------------------------------------------------------------- */

struct rename_arg {
	const char *from, *to, *newname, *newrecip;
};

/* In one age list: *from becomes *to, with *newname put before it. */
static int
rename_in(keys_registry *reg, seal_node *age, void *arg)
{
	struct rename_arg *a = arg;
	size_t i;

	for (i = 0; i < seal_node_size(age); i++) {
		seal_node *v = seal_node_at(age, i);

		if (!seal_node_is_alias(v) ||
		    strcmp(seal_node_anchor(v), a->from) != 0)
			continue;
		if (seal_node_set_anchor(reg->t, v, a->to) != 0 ||
		    seal_seq_insert(reg->t, age, i,
		    seal_doc_new_alias(reg->t, a->newname, a->newrecip)) != 0)
			return -1;
		i++;
	}
	return 0;
}

seal_rc
keys_rotate(seal_ctx *ctx, keys_registry *reg, const char *cluster,
    const char *tenant, const char *recipient)
{
	const struct keys_key *cur;
	seal_node *keys, *rules, *e = NULL;
	char base[2 * KEYS_NAME_MAX + 2], to[sizeof(base) + 32];
	struct rename_arg ra;
	unsigned gen = 0;
	size_t i;
	seal_rc rc;

	if ((rc = check_recipient(ctx, recipient)) != SEAL_OK)
		return rc;
	cur = keys_current(reg, cluster, tenant);
	if (cur == NULL)
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "%s '%s%s%s' is not registered in %s (see 'seal cluster "
		    "list')", tenant ? "tenant" : "cluster", cluster,
		    tenant ? "/" : "", tenant ? tenant : "", reg->file);
	if (strcmp(cur->recipient, recipient) == 0)
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "the new key is the current one");
	snprintf(base, sizeof(base), "%s", cur->anchor);
	for (i = 0; i < reg->nkeys; i++)
		if (reg->keys[i].role == cur->role &&
		    strcmp(reg->keys[i].cluster, cluster) == 0 &&
		    strcmp(reg->keys[i].tenant, cur->tenant) == 0 &&
		    reg->keys[i].retired > gen)
			gen = reg->keys[i].retired;
	snprintf(to, sizeof(to), "%s" RETIRED "%u", base, gen + 1);
	keys = keys_list(reg);
	rules = rules_list(reg);
	if (keys == NULL || rules == NULL)
		return oom(ctx);
	for (i = 0; i < seal_node_size(keys); i++) {
		e = seal_node_at(keys, i);
		if (is_item(e) && !seal_node_is_alias(e) &&
		    seal_node_anchor(e) != NULL &&
		    strcmp(seal_node_anchor(e), base) == 0)
			break;
	}
	if (i == seal_node_size(keys))
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "no entry '%s' in keys:", base);
	if (seal_node_set_anchor(reg->t, e, to) != 0 ||
	    seal_seq_insert(reg->t, keys, i,
	    seal_doc_new_anchored(reg->t, base, recipient)) != 0)
		return oom(ctx);
	ra.from = base;
	ra.to = to;
	ra.newname = base;
	ra.newrecip = recipient;
	if (each_rule_age(reg, rules, rename_in, &ra) != 0)
		return oom(ctx);
	return reindex(ctx, reg);
}

seal_rc
keys_find_retired(seal_ctx *ctx, const keys_registry *reg,
    const char *cluster, const char *key, const struct keys_key **out)
{
	char alt[KEYS_NAME_MAX + 40];
	size_t i;

	*out = NULL;
	snprintf(alt, sizeof(alt), "%s__%s", cluster, key);
	for (i = 0; i < reg->nkeys; i++) {
		const struct keys_key *k = &reg->keys[i];

		if ((k->role != KEYS_CLUSTER && k->role != KEYS_TENANT) ||
		    strcmp(k->cluster, cluster) != 0)
			continue;
		if (strcmp(k->recipient, key) != 0 &&
		    strcmp(k->anchor, key) != 0 && strcmp(k->anchor, alt) != 0)
			continue;
		if (k->retired == 0)
			return seal_ctx_error(ctx, SEAL_EREFUSED,
			    "'%s' is the current key of %s%s%s: rotate first "
			    "('seal cluster rotate %s')", key, cluster,
			    k->tenant[0] ? "/" : "", k->tenant, cluster);
		*out = k;
		return SEAL_OK;
	}
	return seal_ctx_error(ctx, SEAL_EINVAL,
	    "no key '%s' of cluster %s in %s (see 'seal cluster list')", key,
	    cluster, reg->file);
}

static int
drop_in(keys_registry *reg, seal_node *age, void *arg)
{
	const char *a = arg;
	size_t i = 0;

	(void)reg;
	while (i < seal_node_size(age)) {
		seal_node *v = seal_node_at(age, i);

		if (seal_node_is_alias(v) && strcmp(seal_node_anchor(v), a) == 0)
			seal_node_remove(age, i);
		else
			i++;
	}
	return 0;
}

seal_rc
keys_remove(seal_ctx *ctx, keys_registry *reg, const char *anchor)
{
	seal_node *keys = keys_list(reg), *rules = rules_list(reg);
	char *a;
	size_t i;
	bool found = false;

	if (keys == NULL || rules == NULL || (a = strdup(anchor)) == NULL)
		return oom(ctx);
	for (i = 0; i < seal_node_size(keys); i++) {
		seal_node *e = seal_node_at(keys, i);

		if (is_item(e) && !seal_node_is_alias(e) &&
		    seal_node_anchor(e) != NULL &&
		    strcmp(seal_node_anchor(e), a) == 0) {
			seal_node_remove(keys, i);
			found = true;
			break;
		}
	}
	(void)each_rule_age(reg, rules, drop_in, a);
	free(a);
	if (!found)
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "no entry '%s' in keys:", anchor);
	return reindex(ctx, reg);
}
