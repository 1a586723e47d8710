/* SPDX-License-Identifier: ISC */
/*
 * keys.h - the keys layer, between libseal and the programs: age
 * identities from the environment as sops finds them (discover.c), and
 * next the cluster registry. It uses libseal's public API only, reads
 * the environment and files, returns a seal_rc with its message in the
 * seal_ctx (seal_ctx_errmsg), and never prints or exits.
 */
#ifndef SEAL_KEYS_KEYS_H
#define SEAL_KEYS_KEYS_H

#include <seal.h>

/* Longest message kept from a lower layer when wrapping it. */
#define SEAL_KEYS_MSG_MAX 400

/*
 * Gather every identity from SOPS_AGE_SSH_PRIVATE_KEY_FILE (or the
 * default SSH keys), SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD
 * and the default keys.txt. SEAL_OK and *out (*nsources: how many
 * sources gave keys); SEAL_ENOKEY when there is none (a negative
 * answer, as no key matching); SEAL_EREFUSED for
 * a key file readable by others; SEAL_EIO, SEAL_EKEY... otherwise.
 */
seal_rc keys_discover(seal_ctx *ctx, seal_identity **out, int *nsources);

/* Split a command line into argv (quotes and backslashes as a shell,
 * nothing else). Returns argc, or -1. Free with keys_free_argv. */
int keys_split_argv(const char *s, char ***out);
void keys_free_argv(char **argv);

#endif
