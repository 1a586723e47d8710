/* SPDX-License-Identifier: ISC */
/*
 * cluster.h - what the files of `seal cluster` share: options, the
 * registry file, new keys and how they are handed out (cluster-keys.c),
 * and the repository-wide work: counting and re-wrapping the files of a
 * cluster (cluster-files.c).
 */
#ifndef SEAL_CLUSTER_H
#define SEAL_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include <seal.h>

#include "keys/registry.h"

struct cluster_opts {
	const char **admins;
	size_t nadmins;
	const char *path;
	struct keys_tenant_spec *tenants;
	size_t ntenants;
	const char *key_file;
	bool secret, force_tty, json;
	const char *layout;	/* "flux" or "unseal" */
	const char *namespace;
	char *config;		/* the .sops.yaml */
	const char *action;	/* init, add, list, rotate, retire */
	char **args;		/* the action's operands */
	int nargs;
};

/* A new key: the identity (guarded memory) and its recipient. */
struct cluster_key {
	seal_identity *id;
	char recipient[100];
	char anchor[2 * KEYS_NAME_MAX + 2];	/* NAME or NAME_TENANT */
	const char *tenant;			/* NULL: the cluster's */
};

struct cluster_keys {
	struct cluster_key k[1 + 64];
	size_t n;
};

/* Load the registry (create: a missing file is an empty one). Returns 0
 * or an exit code, message printed. */
int cluster_load(seal_ctx *ctx, struct cluster_opts *o, bool create,
    keys_registry **out);
/* Write it back in place (temp file, fsync, rename). */
int cluster_save(seal_ctx *ctx, const struct cluster_opts *o,
    const keys_registry *reg);

/* Make the cluster's key and one per tenant (k[0] the cluster's). */
int cluster_keys_make(seal_ctx *ctx, struct cluster_keys *ks,
    const char *cluster, const struct keys_tenant_spec *tenants,
    size_t ntenants);
void cluster_keys_free(struct cluster_keys *ks);
/* Write the private keys: --key-file or --secret. */
int cluster_keys_deliver(seal_ctx *ctx, const struct cluster_opts *o,
    const keys_registry *reg, const struct cluster_keys *ks);

/* Run git with argv (argv[0] "git") in dir (NULL: here); its stdout in
 * *out if out != NULL. Returns git's exit status, or -1. */
int cluster_run_git(const char *dir, const char *const *argv, char **out);

/* seal cluster list */
int cluster_list(seal_ctx *ctx, struct cluster_opts *o);
/*
 * retire: with key, refuse (exit 1, listing them) while any file sealed
 * for key is not also sealed for the current key of its owner; with
 * retired (key NULL), re-wrap every file still sealed for that
 * recipient for its rule.
 */
int cluster_retire_files(seal_ctx *ctx, const struct cluster_opts *o,
    const keys_registry *reg, const struct keys_key *key,
    const char *retired);

#endif
