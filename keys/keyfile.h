/* SPDX-License-Identifier: ISC */
/*
 * keyfile.h - reading a private key file (age identities, an OpenSSH
 * key, a cluster key) the one safe way, for seal and unseal alike.
 */
#ifndef SEAL_KEYS_KEYFILE_H
#define SEAL_KEYS_KEYFILE_H

#include <stddef.h>

#include <seal.h>

/* The largest key file read (1 MiB): a keys.txt of thousands of keys. */
#define KEYS_FILE_MAX (1u << 20)

/*
 * keys_private_file_read - open path ("-" = stdin) and read it whole into
 * guarded memory. This name is stable: unseal calls it.
 *
 * The checks are made on the opened descriptor (fstat, fstatvfs), never
 * on the path before opening it, so the file checked is the file read:
 *  - a regular file readable or writable by group or others is refused
 *    (SEAL_EREFUSED; the message names the file, its mode and the fix:
 *    chmod 600);
 *  - except on a read-only file system (ST_RDONLY), where any mode and
 *    owner are accepted: that is how Kubernetes mounts a Secret (0400,
 *    0440 or 0444 behind "..data" symlinks, owned by root, with fsGroup),
 *    and nobody can have written it there but the cluster;
 *  - a pipe, socket or character device (stdin, /dev/fd/N from a shell's
 *    process substitution) is read without a mode check;
 *  - a directory or other file type is refused (SEAL_EINVAL).
 * Symlinks are followed (Kubernetes' ..data links).
 *
 * On SEAL_OK, *out is sodium_malloc'd, NUL-terminated (*len excludes the
 * NUL): wipe and free it with keys_private_file_free. On error *out is
 * NULL and ctx holds a one-line message naming the file; nothing is
 * printed.
 */
seal_rc keys_private_file_read(seal_ctx *ctx, const char *path, size_t max,
    unsigned char **out, size_t *len);

/* Wipe and free what keys_private_file_read returned (NULL is fine). */
void keys_private_file_free(unsigned char *buf, size_t len);

#endif
