/* SPDX-License-Identifier: ISC */
/*
 * cmd-age.h - what `seal age` (cmd-age.c) and `seal keygen` share from
 * cmd-age-keys.c: the parsed options, loading identity and recipient
 * arguments, and reading passphrases from the terminal.
 */
#ifndef SEAL_CMD_AGE_H
#define SEAL_CMD_AGE_H

#include <stdbool.h>
#include <stddef.h>

#include <seal.h>

struct age_opts {
	bool enc, dec, armor, pass;
	char **rcpts, **rfiles, **ids; /* -r, -R, -i in order */
	size_t nr, nrf, ni;
	const char *out, *in;
};

/* "stdin" for NULL or "-", else path: for messages. */
const char *age_disp(const char *path);

/*
 * Read and parse one identity file (refusing one readable by others or
 * an encrypted one). *out is the new set. Returns EXIT_OK or an exit
 * code with the error printed, naming the file.
 */
int age_load_identity_file(seal_ctx *ctx, const char *path,
    seal_identity **out);

/* Every -i file, merged into *out. */
int age_load_identities(seal_ctx *ctx, const struct age_opts *o,
    seal_identity **out);

/* -r, -R and (with -e) the recipients of the -i identities. */
int age_load_recipients(seal_ctx *ctx, const struct age_opts *o,
    seal_recipient ***list, size_t *n);

/*
 * A passphrase line from /dev/tty with echo off, in sodium_malloc'd
 * memory (free with sodium_free), or NULL with the error printed.
 */
char *age_read_pass(const char *prompt, size_t *len);
/* A random 20-letter passphrase in groups of five, as age makes. */
char *age_autogen_pass(size_t *len);

#endif
