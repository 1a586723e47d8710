/* SPDX-License-Identifier: ISC */
/*
 * sops-common.h - what seal encrypt/decrypt/edit/set/unset/updatekeys/
 * rotate/status share: one option parser with sops's flag names, file
 * loading with format detection, identities, creation rules, and output
 * that is all-or-nothing (staged in guarded memory, then stdout, --output
 * or an atomic in-place replacement).
 */
#ifndef SEAL_SOPS_COMMON_H
#define SEAL_SOPS_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include <seal.h>

#include "sops/sops.h"

/* which options a command accepts */
#define SO_INPLACE   0x0001u
#define SO_TYPES     0x0002u
#define SO_KEYS      0x0004u /* -r/--age */
#define SO_RULES     0x0008u /* selection rules, --mac-only-encrypted */
#define SO_EXTRACT   0x0010u
#define SO_IGNOREMAC 0x0020u
#define SO_OUTPUT    0x0040u
#define SO_JSON      0x0080u
#define SO_YES       0x0100u
#define SO_ROTATE    0x0200u /* --add-age, --rm-age */
#define SO_SETVAL    0x0400u /* --value-file, --value-stdin, --idempotent */
#define SO_FNAME     0x0800u /* --filename-override */

struct sops_opts {
	const char *cmd;
	unsigned allow;
	bool in_place, ignore_mac, mac_only, json, yes, idempotent;
	bool value_stdin;
	const char *input_type, *output_type, *config, *extract, *output;
	const char *filename_override, *value_file;
	const char **age, **add_age, **rm_age;
	size_t nage, nadd, nrm;
	const char *rule_name, *rule_arg;
	int indent; /* -1 unset */
	char **files;
	int nfiles;
};

/* Set when invoked as `sops`: sops's exit codes. */
extern int sops_compat;

/*
 * Parse argv. usage is printed (stdout for --help, stderr on misuse).
 * Returns -1 to continue, or an exit code (0 after --help, 2 misuse).
 */
int sops_parse(int argc, char **argv, struct sops_opts *o, unsigned allow,
    const char *usage);
void sops_opts_free(struct sops_opts *o);

/* Exit code for a failure (sealed: errors about a sealed file's content
 * are negative answers, exit 1). Prints nothing. */
int sops_exit(seal_rc rc, bool sealed);
/* Print ctx's message and return sops_exit(rc, sealed). */
int sops_fail(seal_ctx *ctx, seal_rc rc, bool sealed);

/* The name used for format and creation rules (--filename-override). */
const char *sops_name(const struct sops_opts *o, const char *path);
int sops_input_format(const struct sops_opts *o, const char *path);
int sops_output_format(const struct sops_opts *o, const char *path);

/* Read and parse path ("-" stdin). Returns 0, or an exit code. */
int sops_load(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    seal_sops_file **out);
/* Identities from the environment; 0 or an exit code. */
int sops_identities(seal_ctx *ctx, seal_identity **out);
/*
 * Creation parameters for path: CLI keys/rules override the first
 * matching .sops.yaml rule (--config, SOPS_CONFIG, or found walking up
 * from the cwd). *indent gets stores.<fmt>.indent when not given.
 * kube: the file is a Kubernetes Secret (default encrypted_regex).
 * need_keys: fail without recipients. Returns 0 or an exit code.
 */
int sops_params(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    bool kube, bool need_keys, seal_sops_params **out, int *indent);
/* The config's indent for the output format, if any (or -1). */
int sops_config_indent(seal_ctx *ctx, const struct sops_opts *o, int fmt);

/*
 * Write f: in place (atomic), to --output, or stdout; staged first so a
 * failure writes nothing. extract (may be NULL) selects one value.
 * Returns 0 or an exit code.
 */
int sops_emit(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    const seal_sops_file *f, bool in_place, const char *extract);
/* Write staged bytes to in-place path / --output / stdout. */
int sops_put(const struct sops_opts *o, const char *path, bool in_place,
    const void *buf, size_t len);

/* A progress note on stderr (silenced by -q). */
void sops_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * sops_begin: sops_parse, then check min <= operands <= max (max < 0: no
 * limit; "expected <operands>" on misuse) and create *ctx. Returns -1 to go
 * on, or an exit code.
 */
int sops_begin(int argc, char **argv, struct sops_opts *o, unsigned allow,
    const char *usage, int min, int max, const char *operands,
    seal_ctx **ctx);
/*
 * sops_open: load path and refuse it unless sealed; with id != NULL, also
 * get the environment's identities and decrypt (flags as for
 * seal_sops_decrypt). Returns 0 or an exit code (message printed).
 */
int sops_open(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    unsigned flags, seal_sops_file **f, seal_identity **id);

/* Does this clear tree look like a Kubernetes Secret (every document)? */
bool sops_is_kube_secret(const seal_sops_file *f);

#endif
