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

#include "tools/common/options.h"
#include "tools/common/util.h"

struct sops_opts {
	const char *cmd;
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
 * Option-table entries the SOPS commands share (see options.h); o is the
 * command's struct sops_opts *. Each command lists the ones it takes.
 */
int sops_opt_list(const struct opt *opt, const char *arg);
int sops_opt_rule(const struct opt *opt, const char *arg);
int sops_opt_indent(const struct opt *opt, const char *arg);
int sops_opt_type(const struct opt *opt, const char *arg);

#define SOPS_OPT_IN_PLACE(o, h) OPT_BOOL('i', "in-place", &(o)->in_place, h)
#define SOPS_OPT_OUTPUT(o) \
	OPT_STRING(0, "output", &(o)->output, "FILE", \
	    "write to FILE instead of stdout")
#define SOPS_OPT_LIST_(s, l, o, i, a, h) \
	{ .type = OPT_T_CALLBACK, .short_name = (s), .long_name = (l), \
		.value = (o), .argh = (a), .help = (h), .cb = sops_opt_list, \
		.defval = (i) }
#define SOPS_OPT_AGE(o) \
	SOPS_OPT_LIST_('r', "age", o, 0, "R[,R...]", \
	    "age recipient(s); repeatable")
#define SOPS_OPT_ADD_AGE(o) \
	SOPS_OPT_LIST_(0, "add-age", o, 1, "R", \
	    "also seal for R; repeatable")
#define SOPS_OPT_RM_AGE(o) \
	SOPS_OPT_LIST_(0, "rm-age", o, 2, "R", \
	    "no longer seal for R; repeatable")
#define SOPS_OPT_RULE_(l, o, i, a, h) \
	{ .type = OPT_T_CALLBACK, .long_name = (l), .value = (o), \
		.argh = (a), .help = (h), .cb = sops_opt_rule, .defval = (i) }
#define SOPS_OPT_RULES(o) \
	OPT_GROUP("Selection rule (one; default: the .sops.yaml rule's):"), \
	SOPS_OPT_RULE_("encrypted-regex", o, 0, "R", \
	    "seal the values whose key matches R"), \
	SOPS_OPT_RULE_("unencrypted-regex", o, 1, "R", \
	    "seal all but the values whose key matches R"), \
	SOPS_OPT_RULE_("encrypted-suffix", o, 2, "S", \
	    "seal the values whose key ends in S"), \
	SOPS_OPT_RULE_("unencrypted-suffix", o, 3, "S", \
	    "seal all but the values whose key ends in S"), \
	SOPS_OPT_RULE_("encrypted-comment-regex", o, 4, "R", \
	    "seal the values after a comment matching R"), \
	SOPS_OPT_RULE_("unencrypted-comment-regex", o, 5, "R", \
	    "seal all but the values after a comment\nmatching R"), \
	OPT_BOOL(0, "mac-only-encrypted", &(o)->mac_only, \
	    "the MAC covers sealed values only")
#define SOPS_OPT_TYPES(o) \
	{ .type = OPT_T_CALLBACK, .long_name = "input-type", \
		.value = &(o)->input_type, .argh = "T", \
		.help = "yaml, json, dotenv or binary", \
		.cb = sops_opt_type }, \
	{ .type = OPT_T_CALLBACK, .long_name = "output-type", \
		.value = &(o)->output_type, .argh = "T", \
		.help = "format of the output", .cb = sops_opt_type }
#define SOPS_OPT_INPUT_TYPE(o) \
	{ .type = OPT_T_CALLBACK, .long_name = "input-type", \
		.value = &(o)->input_type, .argh = "T", \
		.help = "yaml, json, dotenv or binary", \
		.cb = sops_opt_type }
#define SOPS_OPT_INDENT(o) \
	OPT_CALLBACK(0, "indent", o, "N", "indentation of the output", \
	    sops_opt_indent)
#define SOPS_OPT_CONFIG(o) \
	OPT_STRING(0, "config", &(o)->config, "FILE", "use this .sops.yaml")
#define SOPS_OPT_FNAME(o) \
	OPT_STRING(0, "filename-override", &(o)->filename_override, "NAME", \
	    "name for format detection and rules\n(stdin)")
#define SOPS_OPT_QUIET() \
	OPT_SET_INT('q', "quiet", &verbosity, -1, "no progress notes")
/* What the commands that rewrite one sealed file in place all take. */
#define SOPS_OPT_REWRITE(o) \
	SOPS_OPT_TYPES(o), SOPS_OPT_INDENT(o), SOPS_OPT_CONFIG(o), \
	    SOPS_OPT_QUIET()
/* A file command's opt_cmd: options stop at the first operand. */
#define SOPS_CMD(n, u, d, t, f) \
	{ .name = (n), .usage = (u), .desc = (d), .opts = (t), \
		.footer = (f), .flags = OPT_CMD_STOP_AT_OPERAND }

/*
 * Parse argv with cmd's table, whose entries point into o (o is cleared
 * first). Returns -1 to continue (o->files, o->nfiles: the operands), or
 * an exit code (0 after --help, 2 misuse).
 */
int sops_parse(const struct opt_cmd *cmd, int argc, char **argv,
    struct sops_opts *o);
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
/* The creation rules once, for many files: *out NULL if there is no
 * .sops.yaml. Returns 0 or an exit code (message printed). */
int sops_config_load(seal_ctx *ctx, const struct sops_opts *o,
    seal_sops_config **out);
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
int sops_begin(const struct opt_cmd *cmd, int argc, char **argv,
    struct sops_opts *o, int min, int max, const char *operands,
    seal_ctx **ctx);
/*
 * sops_begin_file: harden the process, then sops_begin for one file or
 * stdin; *path is the file or "-", and -i/--in-place on stdin is misuse.
 * Returns -1 to go on, or an exit code.
 */
int sops_begin_file(const struct opt_cmd *cmd, int argc, char **argv,
    struct sops_opts *o, seal_ctx **ctx, const char **path);
/*
 * sops_reseal: after a change to the opened file o->files[0] (rc its
 * result), re-seal it with the same data key and write it in place.
 * Returns 0 or an exit code (message printed).
 */
int sops_reseal(seal_ctx *ctx, const struct sops_opts *o, seal_sops_file *f,
    seal_rc rc);
/* Free what a file command holds (each may be NULL). */
void sops_end(seal_ctx *ctx, seal_sops_file *f, seal_identity *id,
    struct sops_opts *o);
/*
 * sops_open: load path and refuse it unless sealed; with id != NULL, also
 * get the environment's identities and decrypt (flags as for
 * seal_sops_decrypt). With SOPS_OPEN_CLEAR instead, refuse it if sealed
 * (what encrypt opens). Returns 0 or an exit code (message printed).
 */
#define SOPS_OPEN_CLEAR 0x80000000u
int sops_open(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    unsigned flags, seal_sops_file **f, seal_identity **id);

/* Does this clear tree look like a Kubernetes Secret (every document)? */
bool sops_is_kube_secret(const seal_sops_file *f);

#endif
