/* SPDX-License-Identifier: ISC */
/*
 * registry.h - clusters and tenants as named age keys, kept in the
 * repository's .sops.yaml so that every sops 3.x reads it:
 *
 *   keys:
 *       - &_admin-1 age1...              the platform team (admin)
 *       - &prod-eu age1...               cluster prod-eu, current key
 *       - &prod-eu__retired-1 age1...    its previous key, retired
 *       - &prod-eu_team-a age1...        tenant team-a of prod-eu
 *   creation_rules:
 *       - path_regex: ^clusters/prod-eu/team-a/
 *         encrypted_regex: ^(data|stringData)$
 *         key_groups:
 *             - age:
 *                   - *prod-eu_team-a
 *                   - *_admin-1
 *       - path_regex: ^clusters/prod-eu/
 *         ...   age: [*prod-eu, *prod-eu__retired-1, *_admin-1]
 *
 * The anchor names carry everything: "NAME" is the cluster's current
 * key, "NAME_TENANT" a tenant's, a "__retired-N" suffix a retired one,
 * "_admin-N" an admin recipient. sops ignores the top-level keys: list
 * and reads the aliases as the strings they stand for. Cluster and
 * tenant names may hold letters, digits and '-' (a YAML anchor's
 * characters, minus '_' which separates the parts); tenant names are
 * Kubernetes namespaces (lower case).
 *
 * A library layer: functions return a seal_rc with the message in ctx
 * and print nothing. Editing keeps the file's comments, order, anchors
 * and aliases; only what an operation touches changes.
 */
#ifndef SEAL_KEYS_REGISTRY_H
#define SEAL_KEYS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include <seal.h>

#define KEYS_NAME_MAX 63 /* a Kubernetes namespace's length */

enum keys_role {
	KEYS_OTHER = 0, /* an entry of keys: seal does not manage */
	KEYS_ADMIN,
	KEYS_CLUSTER,
	KEYS_TENANT,
};

struct keys_key {
	const char *anchor;	/* its anchor name, NULL for KEYS_OTHER */
	const char *recipient;	/* age1... */
	enum keys_role role;
	char cluster[KEYS_NAME_MAX + 1];
	char tenant[KEYS_NAME_MAX + 1];	/* "" unless KEYS_TENANT */
	unsigned retired;	/* 0: current; N: the Nth retired */
};

/* A creation rule as seal sees it: its path and the anchors its age
 * lists name (by alias). */
struct keys_rule {
	const char *path_regex;	/* NULL: matches every path */
	const char **anchors;
	size_t nanchors;
	size_t nplain;		/* recipients written out, not by alias */
};

typedef struct keys_registry keys_registry;

/*
 * Read .sops.yaml text (len 0: a new, empty registry). file names it in
 * messages. SEAL_EFORMAT for what sops would not read (creation_rules
 * not a list, keys: not a list of strings) or an anchor that looks like
 * seal's but is malformed.
 */
seal_rc keys_registry_parse(seal_ctx *ctx, const char *buf, size_t len,
    const char *file, keys_registry **out);
void keys_registry_free(keys_registry *reg);
/* The YAML text, as it is now. */
seal_rc keys_registry_write(seal_ctx *ctx, const keys_registry *reg,
    seal_write_fn write, void *arg);

size_t keys_count(const keys_registry *reg);
const struct keys_key *keys_get(const keys_registry *reg, size_t i);
size_t keys_rule_count(const keys_registry *reg);
const struct keys_rule *keys_rule_get(const keys_registry *reg, size_t i);
/* The current key of cluster (tenant NULL) or of its tenant, or NULL. */
const struct keys_key *keys_current(const keys_registry *reg,
    const char *cluster, const char *tenant);
/* Is anything (a key) registered for this cluster? */
bool keys_has_cluster(const keys_registry *reg, const char *cluster);

/*
 * Check a cluster (tenant == false) or tenant name. SEAL_EINVAL with a
 * message naming it and saying what is allowed.
 */
seal_rc keys_name_check(seal_ctx *ctx, const char *name, bool tenant);

/*
 * Record an admin recipient and add it to every rule that names a
 * cluster or tenant key. SEAL_EINVAL if it is not an age recipient;
 * recording one twice does nothing.
 */
seal_rc keys_admin_add(seal_ctx *ctx, keys_registry *reg,
    const char *recipient);

struct keys_tenant_spec {
	const char *name;	/* namespace */
	const char *path_regex;
	const char *recipient;
};

/*
 * Register a cluster: its key, and one key per tenant; a rule per tenant
 * (tenant key + admins) and then the cluster's rule (cluster key +
 * admins), all with encrypted_regex ^(data|stringData)$, placed before
 * the first rule without path_regex (else last). SEAL_EEXIST-like
 * SEAL_EINVAL if the cluster is already registered.
 */
seal_rc keys_cluster_add(seal_ctx *ctx, keys_registry *reg,
    const char *cluster, const char *recipient, const char *path_regex,
    const struct keys_tenant_spec *tenants, size_t ntenants);

/*
 * A new current key for the cluster (tenant NULL) or its tenant: the
 * old one is renamed "..__retired-N" everywhere and stays in every rule
 * that named it, after the new one.
 */
seal_rc keys_rotate(seal_ctx *ctx, keys_registry *reg, const char *cluster,
    const char *tenant, const char *recipient);

/*
 * Find a retired key of cluster (or one of its tenants) by anchor name,
 * "retired-N" (the cluster's own), or recipient. SEAL_EINVAL if none,
 * SEAL_EREFUSED if the key is current (rotate first).
 */
seal_rc keys_find_retired(seal_ctx *ctx, const keys_registry *reg,
    const char *cluster, const char *key, const struct keys_key **out);
/* Remove a key from keys: and from every rule's age list. */
seal_rc keys_remove(seal_ctx *ctx, keys_registry *reg, const char *anchor);

#endif
