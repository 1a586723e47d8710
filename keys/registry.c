/* SPDX-License-Identifier: ISC */
/*
 * registry.c - the cluster and tenant key registry in .sops.yaml (see
 * registry.h for the layout). Reads and edits the YAML tree in place:
 * the store keeps comments, order, anchors and aliases, so an edit
 * changes only the entries and rules it touches. After every edit the
 * index (keys, rules) is rebuilt from the tree.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/registry.h"
#include "stores/tree.h"

#define RETIRED "__retired-"
#define ADMIN "_admin-"
#define DATA_RULE "^(data|stringData)$"

struct keys_registry {
	struct seal__tree *t;
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
	seal__quote(q, sizeof(q), name, strlen(name));
	return seal__err(ctx, SEAL_EINVAL,
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

static const struct seal__node *
root(const keys_registry *reg)
{
	return reg->t->ndocs > 0 ? reg->t->docs[0].root : NULL;
}

static bool
is_item(const struct seal__node *n)
{
	return n != NULL && n->kind != SEAL_N_COMMENT;
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
index_age(struct keys_rule *r, const struct seal__node *age)
{
	size_t i;

	if (age == NULL)
		return 0;
	if (age->kind == SEAL_N_SCALAR) {
		if ((age->flags & SEAL_F_ALIAS) && age->anchor != NULL)
			return rule_add_anchor(r, age->anchor);
		if (age->len > 0 && age->type != SEAL_T_NULL)
			r->nplain++;
		return 0;
	}
	if (age->kind != SEAL_N_SEQ)
		return 0;
	for (i = 0; i < age->nitems; i++)
		if (is_item(age->items[i].val) &&
		    index_age(r, age->items[i].val) != 0)
			return -1;
	return 0;
}

static seal_rc
reindex(seal_ctx *ctx, keys_registry *reg)
{
	const struct seal__node *m = root(reg), *keys, *rules;
	size_t i, j;

	unindex(reg);
	keys = seal__map_get(m, "keys");
	rules = seal__map_get(m, "creation_rules");
	if (keys != NULL && !(keys->kind == SEAL_N_SEQ ||
	    (keys->kind == SEAL_N_SCALAR && keys->type == SEAL_T_NULL)))
		return seal__err(ctx, SEAL_EFORMAT,
		    "%s: keys: is not a list", reg->file);
	if (rules != NULL && !(rules->kind == SEAL_N_SEQ ||
	    (rules->kind == SEAL_N_SCALAR && rules->type == SEAL_T_NULL)))
		return seal__err(ctx, SEAL_EFORMAT,
		    "%s: creation_rules: is not a list", reg->file);
	if (keys != NULL && keys->kind == SEAL_N_SEQ) {
		reg->keys = calloc(keys->nitems + 1, sizeof(*reg->keys));
		if (reg->keys == NULL)
			goto oom;
		for (i = 0; i < keys->nitems; i++) {
			const struct seal__node *e = keys->items[i].val;
			struct keys_key *k = &reg->keys[reg->nkeys];

			if (!is_item(e))
				continue;
			if (e->kind != SEAL_N_SCALAR)
				return seal__err(ctx, SEAL_EFORMAT,
				    "%s:%u: an entry of keys: is not a string",
				    reg->file, (unsigned)e->line);
			k->recipient = e->text;
			if (!(e->flags & SEAL_F_ALIAS))
				k->anchor = e->anchor;
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
	if (rules != NULL && rules->kind == SEAL_N_SEQ) {
		reg->rules = calloc(rules->nitems + 1, sizeof(*reg->rules));
		if (reg->rules == NULL)
			goto oom;
		for (i = 0; i < rules->nitems; i++) {
			const struct seal__node *r = rules->items[i].val, *g;
			struct keys_rule *kr = &reg->rules[reg->nrules];
			const struct seal__node *p;

			if (!is_item(r))
				continue;
			if (r->kind != SEAL_N_MAP)
				return seal__err(ctx, SEAL_EFORMAT,
				    "%s:%u: a creation rule is not a map",
				    reg->file, (unsigned)r->line);
			reg->nrules++;
			p = seal__map_get(r, "path_regex");
			if (p != NULL && p->kind == SEAL_N_SCALAR &&
			    p->type != SEAL_T_NULL)
				kr->path_regex = p->text;
			if (index_age(kr, seal__map_get(r, "age")) != 0)
				goto oom;
			g = seal__map_get(r, "key_groups");
			if (g == NULL || g->kind != SEAL_N_SEQ)
				continue;
			for (j = 0; j < g->nitems; j++)
				if (is_item(g->items[j].val) &&
				    g->items[j].val->kind == SEAL_N_MAP &&
				    index_age(kr, seal__map_get(
				    g->items[j].val, "age")) != 0)
					goto oom;
		}
	}
	return SEAL_OK;
oom:
	unindex(reg);
	return seal__err(ctx, SEAL_ENOMEM, "out of memory");
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
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	if ((rc = seal__yaml_parse(ctx, buf, len, NULL, &reg->t)) != SEAL_OK) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%s", seal_ctx_errmsg(ctx));
		keys_registry_free(reg);
		return seal__err(ctx, rc, "%s: %s", file, msg);
	}
	if (reg->t->ndocs > 1) {
		keys_registry_free(reg);
		return seal__err(ctx, SEAL_EFORMAT,
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
	seal__tree_free(reg->t);
	free(reg->file);
	free(reg);
}

seal_rc
keys_registry_write(seal_ctx *ctx, const keys_registry *reg,
    seal_write_fn write, void *arg)
{
	return seal__yaml_emit(ctx, reg->t, NULL, write, arg);
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

static struct seal__node *
str_node(keys_registry *reg, const char *s)
{
	struct seal__node *n = seal__scalar_new(reg->t, SEAL_T_STR, s,
	    strlen(s));

	if (n != NULL)
		n->style = SEAL_S_ANY;
	return n;
}

/* "&anchor value" (alias false) or "*anchor" standing for value */
static struct seal__node *
anchored_node(keys_registry *reg, const char *anchor, const char *value,
    bool alias)
{
	struct seal__node *n = str_node(reg, value);

	if (n == NULL)
		return NULL;
	n->anchor = seal__tree_strdup(reg->t, anchor, strlen(anchor));
	if (n->anchor == NULL)
		return NULL;
	if (alias)
		n->flags |= SEAL_F_ALIAS;
	return n;
}

static struct seal__node *
top_map(keys_registry *reg)
{
	struct seal__doc *d;

	if (reg->t->ndocs == 0 && seal__tree_add_doc(reg->t) == NULL)
		return NULL;
	d = &reg->t->docs[0];
	if (d->root == NULL) {
		size_t i;

		d->root = seal__node_new(reg->t, SEAL_N_MAP);
		if (d->root == NULL)
			return NULL;
		/* a file of comments only: they stay on top */
		for (i = 0; d->foot != NULL && i < d->foot->nitems; i++)
			if (d->foot->items[i].val != NULL &&
			    seal__map_append(reg->t, d->root, NULL, 0,
			    d->foot->items[i].val) != 0)
				return NULL;
		d->foot = NULL;
	}
	return d->root;
}

/* The top-level list under key (made if missing or null), or NULL. */
static struct seal__node *
top_list(keys_registry *reg, const char *key, size_t before)
{
	struct seal__node *m = top_map(reg), *l;
	size_t i;

	if (m == NULL)
		return NULL;
	i = seal__map_find(m, key);
	if (i != (size_t)-1 && m->items[i].val != NULL &&
	    m->items[i].val->kind == SEAL_N_SEQ) {
		l = m->items[i].val;
		if (l->nitems == 0)
			l->flags &= (uint8_t)~SEAL_F_FLOW; /* "[]": grow as a block */
		return l;
	}
	l = seal__node_new(reg->t, SEAL_N_SEQ);
	if (l == NULL)
		return NULL;
	if (i != (size_t)-1) {
		m->items[i].val = l;
		return l;
	}
	if (seal__map_append(reg->t, m, key, strlen(key), l) != 0)
		return NULL;
	/* move it to position before */
	if (before < m->nitems - 1) {
		struct seal__item it = m->items[m->nitems - 1];

		memmove(&m->items[before + 1], &m->items[before],
		    (m->nitems - 1 - before) * sizeof(*m->items));
		m->items[before] = it;
	}
	return l;
}

static int
insert_item(keys_registry *reg, struct seal__node *seq, size_t at,
    struct seal__node *v)
{
	struct seal__item it;

	if (seal__seq_append(reg->t, seq, v) != 0)
		return -1;
	if (at >= seq->nitems - 1)
		return 0;
	it = seq->items[seq->nitems - 1];
	memmove(&seq->items[at + 1], &seq->items[at],
	    (seq->nitems - 1 - at) * sizeof(*seq->items));
	seq->items[at] = it;
	return 0;
}

static struct seal__node *
keys_list(keys_registry *reg)
{
	struct seal__node *m = top_map(reg);
	size_t at;

	if (m == NULL)
		return NULL;
	/* keys: goes before creation_rules, as in sops's own example */
	at = seal__map_find(m, "creation_rules");
	return top_list(reg, "keys", at == (size_t)-1 ? m->nitems : at);
}

static struct seal__node *
rules_list(keys_registry *reg)
{
	struct seal__node *m = top_map(reg);

	return m ? top_list(reg, "creation_rules", m->nitems) : NULL;
}

static seal_rc
oom(seal_ctx *ctx)
{
	return seal__err(ctx, SEAL_ENOMEM, "out of memory");
}

static seal_rc
check_recipient(seal_ctx *ctx, const char *r)
{
	seal_recipient *p = NULL;
	seal_rc rc;
	char q[80];

	if (strncmp(r, "age1", 4) != 0) {
		seal__quote(q, sizeof(q), r, strlen(r));
		return seal__err(ctx, SEAL_EINVAL,
		    "'%s' is not an age recipient (age1...)", q);
	}
	if ((rc = seal_recipient_parse(ctx, r, strlen(r), &p)) != SEAL_OK)
		return rc;
	seal_recipient_free(p);
	return SEAL_OK;
}

/* Append the admins' aliases to an age list that has none of them. */
static int
add_admins(keys_registry *reg, struct seal__node *age)
{
	size_t i, j;

	for (i = 0; i < reg->nkeys; i++) {
		const struct keys_key *k = &reg->keys[i];
		bool have = false;

		if (k->role != KEYS_ADMIN)
			continue;
		for (j = 0; j < age->nitems; j++) {
			const struct seal__node *v = age->items[j].val;

			if (is_item(v) && v->kind == SEAL_N_SCALAR &&
			    ((v->anchor != NULL &&
			    strcmp(v->anchor, k->anchor) == 0) ||
			    strcmp(v->text, k->recipient) == 0))
				have = true;
		}
		if (!have && seal__seq_append(reg->t, age, anchored_node(reg,
		    k->anchor, k->recipient, true)) != 0)
			return -1;
	}
	return 0;
}

/* The age lists of a rule (its own and its groups'), for edits. */
typedef int (*age_fn)(keys_registry *reg, struct seal__node *age,
    void *arg);

static int
each_age(keys_registry *reg, struct seal__node *rule, age_fn fn, void *arg)
{
	struct seal__node *a = (struct seal__node *)seal__map_get(rule, "age");
	struct seal__node *g = (struct seal__node *)seal__map_get(rule,
	    "key_groups");
	size_t j;
	int rc;

	if (a != NULL && a->kind == SEAL_N_SEQ && (rc = fn(reg, a, arg)) != 0)
		return rc;
	if (g == NULL || g->kind != SEAL_N_SEQ)
		return 0;
	for (j = 0; j < g->nitems; j++) {
		struct seal__node *grp = g->items[j].val;

		if (!is_item(grp) || grp->kind != SEAL_N_MAP)
			continue;
		a = (struct seal__node *)seal__map_get(grp, "age");
		if (a != NULL && a->kind == SEAL_N_SEQ &&
		    (rc = fn(reg, a, arg)) != 0)
			return rc;
	}
	return 0;
}

static bool
names_managed(const struct seal__node *age, const keys_registry *reg)
{
	size_t i, j;

	for (i = 0; i < age->nitems; i++) {
		const struct seal__node *v = age->items[i].val;

		if (!is_item(v) || !(v->flags & SEAL_F_ALIAS) ||
		    v->anchor == NULL)
			continue;
		for (j = 0; j < reg->nkeys; j++)
			if ((reg->keys[j].role == KEYS_CLUSTER ||
			    reg->keys[j].role == KEYS_TENANT) &&
			    strcmp(reg->keys[j].anchor, v->anchor) == 0)
				return true;
	}
	return false;
}

static int
admins_if_managed(keys_registry *reg, struct seal__node *age, void *arg)
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
	struct seal__node *keys, *rules;
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
	    insert_item(reg, keys, 0, anchored_node(reg, name, recipient,
	    false)) != 0)
		return oom(ctx);
	if ((rc = reindex(ctx, reg)) != SEAL_OK)
		return rc;
	rules = (struct seal__node *)seal__map_get(top_map(reg),
	    "creation_rules");
	for (i = 0; rules != NULL && rules->kind == SEAL_N_SEQ &&
	    i < rules->nitems; i++)
		if (is_item(rules->items[i].val) &&
		    rules->items[i].val->kind == SEAL_N_MAP &&
		    each_age(reg, rules->items[i].val, admins_if_managed,
		    NULL) != 0)
			return oom(ctx);
	return reindex(ctx, reg);
}

static struct seal__node *
make_rule(keys_registry *reg, const char *path_regex, const char *anchor,
    const char *recipient)
{
	struct seal__node *r = seal__node_new(reg->t, SEAL_N_MAP);
	struct seal__node *groups = seal__node_new(reg->t, SEAL_N_SEQ);
	struct seal__node *g = seal__node_new(reg->t, SEAL_N_MAP);
	struct seal__node *age = seal__node_new(reg->t, SEAL_N_SEQ);

	if (r == NULL || groups == NULL || g == NULL || age == NULL ||
	    seal__map_append(reg->t, r, "path_regex", 10,
	    str_node(reg, path_regex)) != 0 ||
	    seal__map_append(reg->t, r, "encrypted_regex", 15,
	    str_node(reg, DATA_RULE)) != 0 ||
	    seal__map_append(reg->t, r, "key_groups", 10, groups) != 0 ||
	    seal__seq_append(reg->t, groups, g) != 0 ||
	    seal__map_append(reg->t, g, "age", 3, age) != 0 ||
	    seal__seq_append(reg->t, age, anchored_node(reg, anchor,
	    recipient, true)) != 0 ||
	    add_admins(reg, age) != 0)
		return NULL;
	return r;
}

/* Where new rules go: before the first rule without path_regex. */
static size_t
rule_slot(const struct seal__node *rules)
{
	size_t i;

	for (i = 0; i < rules->nitems; i++) {
		const struct seal__node *r = rules->items[i].val;

		if (is_item(r) && r->kind == SEAL_N_MAP &&
		    seal__map_get(r, "path_regex") == NULL) {
			/* keep the comments above it with it */
			while (i > 0 && !is_item(rules->items[i - 1].val))
				i--;
			return i;
		}
	}
	return rules->nitems;
}

seal_rc
keys_cluster_add(seal_ctx *ctx, keys_registry *reg, const char *cluster,
    const char *recipient, const char *path_regex,
    const struct keys_tenant_spec *tenants, size_t ntenants)
{
	struct seal__node *keys, *rules, *r;
	char name[2 * KEYS_NAME_MAX + 2];
	size_t i, j, at, kat;
	seal_rc rc;

	if ((rc = keys_name_check(ctx, cluster, false)) != SEAL_OK ||
	    (rc = check_recipient(ctx, recipient)) != SEAL_OK)
		return rc;
	if (keys_has_cluster(reg, cluster) || anchor_used(reg, cluster))
		return seal__err(ctx, SEAL_EINVAL,
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
				return seal__err(ctx, SEAL_EINVAL,
				    "tenant '%s' is named twice",
				    tenants[i].name);
	}
	if ((keys = keys_list(reg)) == NULL)
		return oom(ctx);
	/* after the admins and the keys already there */
	kat = keys->nitems;
	if (insert_item(reg, keys, kat++, anchored_node(reg, cluster,
	    recipient, false)) != 0)
		return oom(ctx);
	for (i = 0; i < ntenants; i++) {
		snprintf(name, sizeof(name), "%s_%s", cluster,
		    tenants[i].name);
		if (insert_item(reg, keys, kat++, anchored_node(reg, name,
		    tenants[i].recipient, false)) != 0)
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
		if (r == NULL || insert_item(reg, rules, at++, r) != 0)
			return oom(ctx);
	}
	r = make_rule(reg, path_regex, cluster, recipient);
	if (r == NULL || insert_item(reg, rules, at, r) != 0)
		return oom(ctx);
	return reindex(ctx, reg);
}

/* -- rotation ------------------------------------------------------------- */

struct rename_arg {
	const char *from, *to, *newname, *newrecip;
};

/* In one age list: *from becomes *to, with *newname put before it. */
static int
rename_in(keys_registry *reg, struct seal__node *age, void *arg)
{
	struct rename_arg *a = arg;
	size_t i;

	for (i = 0; i < age->nitems; i++) {
		struct seal__node *v = age->items[i].val;

		if (!is_item(v) || !(v->flags & SEAL_F_ALIAS) ||
		    v->anchor == NULL || strcmp(v->anchor, a->from) != 0)
			continue;
		v->anchor = seal__tree_strdup(reg->t, a->to, strlen(a->to));
		if (v->anchor == NULL ||
		    insert_item(reg, age, i, anchored_node(reg, a->newname,
		    a->newrecip, true)) != 0)
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
	struct seal__node *keys, *rules, *e = NULL;
	char base[2 * KEYS_NAME_MAX + 2], to[sizeof(base) + 32];
	struct rename_arg ra;
	unsigned gen = 0;
	size_t i;
	seal_rc rc;

	if ((rc = check_recipient(ctx, recipient)) != SEAL_OK)
		return rc;
	cur = keys_current(reg, cluster, tenant);
	if (cur == NULL)
		return seal__err(ctx, SEAL_EINVAL,
		    "%s '%s%s%s' is not registered in %s (see 'seal cluster "
		    "list')", tenant ? "tenant" : "cluster", cluster,
		    tenant ? "/" : "", tenant ? tenant : "", reg->file);
	if (strcmp(cur->recipient, recipient) == 0)
		return seal__err(ctx, SEAL_EINVAL,
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
	for (i = 0; i < keys->nitems; i++) {
		e = keys->items[i].val;
		if (is_item(e) && e->anchor != NULL &&
		    !(e->flags & SEAL_F_ALIAS) && strcmp(e->anchor, base) == 0)
			break;
	}
	if (i == keys->nitems)
		return seal__err(ctx, SEAL_EINVAL, "no entry '%s' in keys:",
		    base);
	e->anchor = seal__tree_strdup(reg->t, to, strlen(to));
	if (e->anchor == NULL || insert_item(reg, keys, i,
	    anchored_node(reg, base, recipient, false)) != 0)
		return oom(ctx);
	ra.from = base;
	ra.to = to;
	ra.newname = base;
	ra.newrecip = recipient;
	for (i = 0; i < rules->nitems; i++)
		if (is_item(rules->items[i].val) &&
		    rules->items[i].val->kind == SEAL_N_MAP &&
		    each_age(reg, rules->items[i].val, rename_in, &ra) != 0)
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
			return seal__err(ctx, SEAL_EREFUSED,
			    "'%s' is the current key of %s%s%s: rotate first "
			    "('seal cluster rotate %s')", key, cluster,
			    k->tenant[0] ? "/" : "", k->tenant, cluster);
		*out = k;
		return SEAL_OK;
	}
	return seal__err(ctx, SEAL_EINVAL,
	    "no key '%s' of cluster %s in %s (see 'seal cluster list')", key,
	    cluster, reg->file);
}

static int
drop_in(keys_registry *reg, struct seal__node *age, void *arg)
{
	const char *a = arg;
	size_t i = 0;

	(void)reg;
	while (i < age->nitems) {
		struct seal__node *v = age->items[i].val;

		if (is_item(v) && (v->flags & SEAL_F_ALIAS) &&
		    v->anchor != NULL && strcmp(v->anchor, a) == 0)
			seal__items_remove(age, i);
		else
			i++;
	}
	return 0;
}

seal_rc
keys_remove(seal_ctx *ctx, keys_registry *reg, const char *anchor)
{
	struct seal__node *keys = keys_list(reg), *rules = rules_list(reg);
	char *a;
	size_t i;
	bool found = false;

	if (keys == NULL || rules == NULL || (a = strdup(anchor)) == NULL)
		return oom(ctx);
	for (i = 0; i < keys->nitems; i++) {
		struct seal__node *e = keys->items[i].val;

		if (is_item(e) && e->anchor != NULL &&
		    !(e->flags & SEAL_F_ALIAS) && strcmp(e->anchor, a) == 0) {
			seal__items_remove(keys, i);
			found = true;
			break;
		}
	}
	for (i = 0; i < rules->nitems; i++)
		if (is_item(rules->items[i].val) &&
		    rules->items[i].val->kind == SEAL_N_MAP)
			(void)each_age(reg, rules->items[i].val, drop_in, a);
	free(a);
	if (!found)
		return seal__err(ctx, SEAL_EINVAL, "no entry '%s' in keys:",
		    anchor);
	return reindex(ctx, reg);
}
