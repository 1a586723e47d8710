/* SPDX-License-Identifier: ISC */
/*
 * keys.h - age identities from the environment, as sops finds them.
 * Tool-side code: it reads the environment and files, and prints its
 * errors through tools/util.h.
 */
#ifndef SEAL_KEYS_KEYS_H
#define SEAL_KEYS_KEYS_H

#include <seal.h>

/*
 * Gather every identity from SOPS_AGE_SSH_PRIVATE_KEY_FILE (or the
 * default SSH keys), SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD
 * and the default keys.txt. 0 and *out on success; -2 with an error
 * printed when there is none (no key: a negative answer); -1 with an
 * error printed for trouble (unreadable, group/world-readable, bad key,
 * a failing SOPS_AGE_KEY_CMD).
 */
int keys_discover(seal_ctx *ctx, seal_identity **out, int *nsources);

/* Split a command line into argv (quotes and backslashes as a shell,
 * nothing else). Returns argc, or -1. Free with keys_free_argv. */
int keys_split_argv(const char *s, char ***out);
void keys_free_argv(char **argv);

#endif
