/* SPDX-License-Identifier: ISC */
/*
 * util.h - what every tool file shares: git-style diagnostics on stderr
 * ("seal <cmd>: <message>"), process hardening, whole-file reads and
 * crash-safe in-place writes.
 */
#ifndef SEAL_UTIL_H
#define SEAL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <seal.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* "seal" or "seal encrypt": set by main before dispatching. */
extern const char *progname;
extern int verbosity; /* -q: -1, default 0, -v: 1.. */

void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* The exit code for a libseal return code (1 negative answer, 2 trouble). */
int exit_code_for(seal_rc rc);

/*
 * Call first in main of any program that holds keys: umask 077, core
 * dumps off (RLIMIT_CORE 0, PR_SET_DUMPABLE 0).
 */
void harden_process(void);

/*
 * Initialise OpenSSL without reading openssl.cnf: the tools need only
 * its built-in default provider, a static seal could not load a provider
 * module the file names, and reading it costs ~20 page faults. Call
 * before the first OpenSSL use; further calls do nothing.
 */
void crypto_init_noconfig(void);

/*
 * Read a whole file ("-" = stdin) into *out (malloc'd, NUL-terminated,
 * *len excludes the NUL). max = 0 means no limit. Returns 0, or -1 with
 * an error printed naming the file.
 */
int read_file(const char *path, size_t max, char **out, size_t *len);
/* The same into secure memory (for identities and plaintext). */
int read_file_secure(const char *path, size_t max, unsigned char **out,
    size_t *len);
void free_secure(void *p);

/*
 * Crash-safe replacement of path: write to a temporary file in the same
 * directory, fsync it, rename it over path, fsync the directory. An
 * interrupted write never leaves a truncated file. The temporary file is
 * always 0600 while it is written, locked (flock) and named
 * ".NAME.seal-tmp.PID.XXXXXX" so that the pre-commit check flags it and
 * the next atomic_open in that directory removes it once its process is
 * gone (a SIGKILL leaves it behind). The result keeps the mode of the
 * file it replaces; atomic_open_private makes it 0600 whatever the
 * target's mode was (plaintext). The writer is a seal_write_fn; pass
 * atomic_write_fn to the library, then atomic_commit or atomic_abort.
 */
struct atomic_file {
	char *path;
	char *tmp;
	int fd;
	int failed;
	int keep_mode; /* 1: give the result mode below after the rename */
	unsigned mode;
};
int atomic_open(struct atomic_file *af, const char *path);
int atomic_open_private(struct atomic_file *af, const char *path);
/* The marker in the name of every temporary file of atomic_open. */
#define ATOMIC_TMP_MARK ".seal-tmp."
/*
 * Remove the temporary files that dead seal processes left in dir (those
 * of live processes stay). Called by atomic_open; returns how many.
 */
int atomic_sweep(const char *dir);
int atomic_write_fn(void *arg, const void *buf, size_t len);
int atomic_commit(struct atomic_file *af);
void atomic_abort(struct atomic_file *af);

/* seal_write_fn to a file descriptor (arg = int *), retrying on EINTR
 * and short writes. */
int fd_write_fn(void *arg, const void *buf, size_t len);

/* seal_write_fn to a stdio stream (arg = FILE *). */
int stdio_write_fn(void *arg, const void *buf, size_t len);

#endif
