/* SPDX-License-Identifier: ISC */
/*
 * seal/sops.h - SOPS v3 documents with age recipients. Include <seal.h>.
 *
 * A seal_sops_file is one parsed file (YAML, JSON, dotenv or binary),
 * sealed or clear. The life of one:
 *
 *   seal_sops_load()            parse; notes whether it carries sops metadata
 *   seal_sops_decrypt()         unwrap the data key with an identity set,
 *                               decrypt every value, verify the MAC
 *   seal_sops_set()/_unset()    change the clear tree (first document)
 *   seal_sops_reencrypt()       seal again with the same data key; values
 *                               that did not change keep their ciphertext
 *   seal_sops_encrypt()         seal a clear file under a new data key
 *   seal_sops_rotate()          new data key for a decrypted file
 *   seal_sops_unwrap() +
 *   seal_sops_set_recipients()  re-wrap the data key (updatekeys): the
 *                               values, MAC and lastmodified stay as they are
 *   seal_sops_write()           stream the current state out
 *
 * WARNING: a decrypted seal_sops_file holds plaintext values and the
 * data key in guarded memory; seal_sops_free() wipes them. Output goes
 * through seal_write_fn only: nothing is written unless the whole
 * operation succeeded (callers staging output get all or nothing).
 */
#ifndef SEAL_SOPS_H
#define SEAL_SOPS_H

#include <stdbool.h>
#include <stddef.h>

#include <seal/age.h>
#include <seal/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct seal_sops_file seal_sops_file;
typedef struct seal_sops_params seal_sops_params;

/* File formats (sops "stores"). */
#define SEAL_SOPS_YAML   1
#define SEAL_SOPS_JSON   2
#define SEAL_SOPS_DOTENV 3
#define SEAL_SOPS_BINARY 4

/* flags for seal_sops_decrypt */
#define SEAL_SOPS_IGNORE_MAC 0x1u /* report a bad MAC but do not fail */
#define SEAL_SOPS_READ_ONLY                                                    \
	0x2u /* no IV stash: the file will not be                              \
	        re-sealed (reencrypt then fails) */

/* The version written into the metadata (a sops semver, see spec 6.1). */
#define SEAL_SOPS_WRITES_VERSION "3.10.2"

/* From a file name (extension, as sops) or a type word ("yaml"...); 0 if
 * the word is unknown. */
SEAL_API int seal_sops_format_from_path(const char *path);
SEAL_API int seal_sops_format_from_name(const char *name);

/*
 * Parse buf as format. A binary-format input that is a JSON object with
 * a top-level "sops" key is read as an encrypted binary envelope. name
 * names the file in messages. Limits on size, depth and node count
 * apply (SEAL_ELIMIT).
 */
SEAL_API seal_rc seal_sops_load(seal_ctx *ctx, const void *buf, size_t len,
    int format, const char *name, seal_sops_file **out) SEAL_WUR;
/*
 * Limits on untrusted input for seal_sops_load_limits; a zero field takes
 * the default of seal_sops_load: 64 MiB, depth 64, 1,000,000 nodes after
 * alias expansion (the alias budget), 10,000 YAML documents. Over a limit
 * the load fails with SEAL_ELIMIT naming the limit.
 */
typedef struct seal_limits {
	size_t max_bytes;
	unsigned max_depth;
	size_t max_nodes;
	unsigned max_docs;
} seal_limits;

SEAL_API seal_rc seal_sops_load_limits(seal_ctx *ctx, const void *buf,
    size_t len, int format, const char *name, const seal_limits *limits,
    seal_sops_file **out) SEAL_WUR;
SEAL_API void seal_sops_free(seal_sops_file *f);
/* Does the file carry sops metadata (is it sealed)? */
SEAL_API int seal_sops_is_encrypted(const seal_sops_file *f);
SEAL_API int seal_sops_format(const seal_sops_file *f);
/* Age recipients named in the metadata (or to be written). */
SEAL_API size_t seal_sops_recipient_count(const seal_sops_file *f);
SEAL_API const char *seal_sops_recipient(const seal_sops_file *f, size_t i);

/*
 * Unwrap the data key with any identity of the set. SEAL_ENOKEY when no
 * identity opens any age entry (the message lists the recipients).
 */
SEAL_API seal_rc seal_sops_unwrap(
    seal_ctx *ctx, seal_sops_file *f, const seal_identity *id) SEAL_WUR;
/*
 * Decrypt every value and verify the MAC (SEAL_EAUTH on a mismatch
 * unless SEAL_SOPS_IGNORE_MAC). Values that do not authenticate are
 * errors naming the field. On failure the file is unusable: free it.
 */
SEAL_API seal_rc seal_sops_decrypt(seal_ctx *ctx, seal_sops_file *f,
    const seal_identity *id, unsigned flags) SEAL_WUR;

/* ---- reading documents ---------------------------------------------------- */

/* How many documents the file holds (a YAML stream may hold several). */
SEAL_API size_t seal_sops_doc_count(const seal_sops_file *f);
/*
 * The text of the scalar at path (sops's syntax) in document doc
 * (0-based), without copying: valid until the file changes or is freed.
 * Works on a sealed file too, where an encrypted value reads as its
 * "ENC[...]" text and a clear one (metadata.namespace under the usual
 * rule) as itself: that is how a decryptor checks a document's metadata
 * as sealed, before decrypting. SEAL_EINVAL when there is no value there,
 * SEAL_EFORMAT when it is a map or a list.
 */
SEAL_API seal_rc seal_sops_doc_scalar(seal_ctx *ctx, const seal_sops_file *f,
    size_t doc, const char *path, const char **text, size_t *len) SEAL_WUR;
/*
 * Call fn for every scalar leaf of every document (map values and list
 * items, depth first, in document order; keys, comments and the sops
 * block are not leaves). On a sealed file encrypted leaves read as their
 * "ENC[...]" text; after seal_sops_decrypt the same walk gives the same
 * leaves in the same order in the clear, so a caller can pair each
 * ciphertext with its plaintext (unseal matches kustomize's output to
 * verified sources this way). A non-zero return from fn stops the walk
 * (SEAL_EIO).
 * WARNING: on a decrypted file the texts are plaintext in guarded memory;
 * copy them only into guarded memory.
 */
typedef int (*seal_sops_leaf_fn)(
    void *arg, size_t doc, const char *text, size_t len);
SEAL_API seal_rc seal_sops_leaves(seal_ctx *ctx, const seal_sops_file *f,
    seal_sops_leaf_fn fn, void *arg) SEAL_WUR;
/*
 * The same walk, each leaf with its tree path in sops's syntax
 * ('["data"]["key"][0]': a '"' or '\' in a key is escaped with '\', so
 * the form is unambiguous; list indices count items, not comments). A
 * path is the same whatever the order of the keys around it, so a
 * caller can tell where a value sits after a tool re-serialised the
 * document (unseal checks that kustomize left every ciphertext at the
 * path it was sealed at). path is NUL-terminated and valid during the
 * call only. SEAL_ELIMIT for a path over 16 KiB.
 */
typedef int (*seal_sops_leaf_path_fn)(void *arg, size_t doc,
    const char *path, size_t pathlen, const char *text, size_t len);
SEAL_API seal_rc seal_sops_leaf_paths(seal_ctx *ctx,
    const seal_sops_file *f, seal_sops_leaf_path_fn fn, void *arg) SEAL_WUR;

/* ---- creation parameters ------------------------------------------------- */

SEAL_API seal_rc seal_sops_params_new(
    seal_ctx *ctx, seal_sops_params **out) SEAL_WUR;
SEAL_API void seal_sops_params_free(seal_sops_params *p);
/* Add age recipients: one, or several separated by commas. */
SEAL_API seal_rc seal_sops_params_add_age(
    seal_ctx *ctx, seal_sops_params *p, const char *recipients) SEAL_WUR;
SEAL_API size_t seal_sops_params_age_count(const seal_sops_params *p);
/*
 * The selection rule by its sops name ("encrypted_regex",
 * "unencrypted_suffix", ...). Setting a second, different rule fails
 * with SEAL_EINVAL (sops allows only one).
 */
SEAL_API seal_rc seal_sops_params_set_rule(seal_ctx *ctx, seal_sops_params *p,
    const char *name, const char *arg) SEAL_WUR;
/*
 * Can sops read this regex back, meaning what seal means by it? Go's RE2
 * syntax only: no lookaround, backreferences, atomic groups, possessive
 * quantifiers, recursion, conditionals, \C... SEAL_OK, or SEAL_EINVAL
 * with a message naming what (e.g. "encrypted_regex" or "path_regex"),
 * the offset and the construct. seal_sops_params_set_rule applies it;
 * whatever writes a .sops.yaml should too.
 */
SEAL_API seal_rc seal_sops_regex_check(
    seal_ctx *ctx, const char *what, const char *pattern) SEAL_WUR;
SEAL_API void seal_sops_params_set_mac_only_encrypted(
    seal_sops_params *p, int on);

/* ---- sealing ------------------------------------------------------------- */

/*
 * Seal a clear file: new random data key wrapped for p's age recipients,
 * every value the rule selects encrypted, MAC and lastmodified set.
 * SEAL_EREFUSED if the file is already sealed; SEAL_EINVAL for
 * mac_only_encrypted on a file with a Kubernetes Secret (kind: Secret),
 * whose metadata it would leave out of the MAC.
 */
SEAL_API seal_rc seal_sops_encrypt(
    seal_ctx *ctx, seal_sops_file *f, const seal_sops_params *p) SEAL_WUR;
/* Seal a decrypted file again with its data key and IV stash. */
SEAL_API seal_rc seal_sops_reencrypt(seal_ctx *ctx, seal_sops_file *f) SEAL_WUR;
/* Seal a decrypted file under a new data key; p (may be NULL) changes
 * the age recipients. */
SEAL_API seal_rc seal_sops_rotate(
    seal_ctx *ctx, seal_sops_file *f, const seal_sops_params *p) SEAL_WUR;
/*
 * After seal_sops_unwrap: wrap the same data key for p's age recipients
 * (non-age master keys are kept). Entries for recipients already present
 * keep their enc. Values, MAC and lastmodified are untouched. *changed
 * says whether the recipient set differs.
 */
SEAL_API seal_rc seal_sops_set_recipients(seal_ctx *ctx, seal_sops_file *f,
    const seal_sops_params *p, int *changed) SEAL_WUR;
/*
 * Edit support: replace a decrypted file's clear tree with the tree of
 * edited (a clear file, same format); edited is consumed.
 */
SEAL_API seal_rc seal_sops_replace(
    seal_ctx *ctx, seal_sops_file *f, seal_sops_file *edited) SEAL_WUR;

/*
 * Set or remove a value in the first document of a decrypted (or clear)
 * file. path is sops's syntax: ["key"][0]["sub"]; value is JSON text.
 * Missing maps are created on set. unset of a missing path fails with
 * SEAL_EINVAL.
 */
SEAL_API seal_rc seal_sops_set(seal_ctx *ctx, seal_sops_file *f,
    const char *path, const char *value, size_t len) SEAL_WUR;
SEAL_API seal_rc seal_sops_unset(
    seal_ctx *ctx, seal_sops_file *f, const char *path) SEAL_WUR;

/*
 * Write the current state in format (0: the file's own) with indent (0:
 * the format's default). Sealed files get their sops block; clear files
 * are written as they are.
 */
SEAL_API seal_rc seal_sops_write(seal_ctx *ctx, const seal_sops_file *f,
    int format, int indent, seal_write_fn write, void *arg) SEAL_WUR;
/*
 * Write one value of the first document: a string leaf raw (no newline
 * added), other scalars as text, a map in format.
 */
SEAL_API seal_rc seal_sops_extract(seal_ctx *ctx, const seal_sops_file *f,
    const char *path, int format, int indent, seal_write_fn write,
    void *arg) SEAL_WUR;

/* ---- .sops.yaml creation rules ------------------------------------------ */

/*
 * A parsed .sops.yaml and the creation rule that applies to a path, as
 * sops reads them: the first rule whose path_regex matches the path
 * relative to the config's directory (a rule without one matches
 * everything). Only age keys are used; other kinds are noted.
 */
typedef struct seal_sops_config seal_sops_config;
typedef struct seal_sops_rule seal_sops_rule;

/*
 * Find .sops.yaml walking up from dir (at most 100 levels), as sops
 * does. *path is malloc'd (release it with free()), or NULL when there
 * is none (that is SEAL_OK).
 */
SEAL_API seal_rc seal_sops_config_find(
    seal_ctx *ctx, const char *dir, char **path) SEAL_WUR;
/*
 * Parse .sops.yaml text. dir is the directory it lives in, which
 * path_regex is matched under ("" for paths relative to it); name names
 * it in messages. SEAL_EPARSE/SEAL_EFORMAT on a malformed file.
 */
SEAL_API seal_rc seal_sops_config_parse(seal_ctx *ctx, const void *buf,
    size_t len, const char *dir, const char *name,
    seal_sops_config **out) SEAL_WUR;
SEAL_API void seal_sops_config_free(seal_sops_config *c);
/* stores.yaml.indent / stores.json.indent for format, or -1 if unset. */
SEAL_API int seal_sops_config_indent(const seal_sops_config *c, int format);
/*
 * The rule for path (absolute, or relative to the config's directory),
 * valid while c lives. SEAL_EREFUSED when no rule matches (the message
 * names the path); any other error is trouble, never "no rule".
 */
SEAL_API seal_rc seal_sops_config_match(seal_ctx *ctx,
    const seal_sops_config *c, const char *path,
    const seal_sops_rule **out) SEAL_WUR;
/* The rule's age recipients. */
SEAL_API size_t seal_sops_rule_age_count(const seal_sops_rule *r);
SEAL_API const char *seal_sops_rule_age(const seal_sops_rule *r, size_t i);
/* Its pgp fingerprints (upper case, spaces dropped), for comparison. */
SEAL_API size_t seal_sops_rule_pgp_count(const seal_sops_rule *r);
SEAL_API const char *seal_sops_rule_pgp(const seal_sops_rule *r, size_t i);
/* Non-zero if it names keys of other kinds (pgp, kms...). */
SEAL_API int seal_sops_rule_other_keys(const seal_sops_rule *r);
/* Its key_groups entries (seal supports at most one). */
SEAL_API size_t seal_sops_rule_key_groups(const seal_sops_rule *r);
/* Its selection rule's sops name and argument, or NULL (sops default). */
SEAL_API const char *seal_sops_rule_selection(
    const seal_sops_rule *r, const char **arg);
SEAL_API int seal_sops_rule_mac_only_encrypted(const seal_sops_rule *r);
/* Its line in the config, and its path_regex (NULL: matches all). */
SEAL_API unsigned seal_sops_rule_line(const seal_sops_rule *r);
SEAL_API const char *seal_sops_rule_path_regex(const seal_sops_rule *r);

/*
 * Is every document of f a Kubernetes Secret (kind: Secret, spelled as
 * Kubernetes does)? seal encrypt then defaults to encrypted_regex
 * ^(data|stringData)$.
 */
SEAL_API int seal_sops_is_k8s_secret(const seal_sops_file *f);

/* ---- values of Secrets: kept elsewhere, or plaintext ---------------------- */

/*
 * Is a clear value a reference to a secret kept elsewhere rather than the
 * secret? References are the URIs of secret managers and of tools that
 * resolve them (op://, vault:, ref+..., sm://, awssm://, azkv://,
 * doppler://...), AWS secret, SSM and KMS ARNs, GCP Secret Manager names,
 * Azure Key Vault secret URIs, ENC[...] and Ansible vault values, and
 * whole-value substitutions (${VAR}, $(VAR), $VAR, %VAR%). Leading and
 * trailing blanks are ignored.
 */
SEAL_API bool seal_value_is_reference(const char *v, size_t n);

/* A span of a value: offset and length. */
struct seal_span {
	size_t off, len;
};

/*
 * The literals of a templated value that survive its rendering, as spans
 * of v (up to max; returns how many): in a Helm/Go or Jinja action
 * {{ ... }}, the argument of default/b64enc/quote/htpasswd..., a literal
 * piped into a function ("x" | b64enc) and a lone literal ({{ "x" }});
 * the default of ${VAR:-x}, ${VAR-x}, ${VAR:=x}. *templated says whether
 * v holds any template syntax at all.
 */
SEAL_API size_t seal_value_template_literals(const char *v, size_t n,
    struct seal_span *out, size_t max, bool *templated);

/*
 * Is a clear value of a Kubernetes Secret plaintext, a credential that
 * must be sealed? No for an empty value, a reference
 * (seal_value_is_reference), a <placeholder>, or a template none of whose
 * literals survive rendering; yes for anything else, however short. The
 * verdict seal_sops_lint, `seal status` and the pre-commit scanner share.
 */
SEAL_API bool seal_value_is_plaintext(const char *v, size_t n);

/* ---- status: is it sealed, whole, for whom (no key needed) --------------- */

/*
 * seal_sops_lint() judges a file structurally, without any key and
 * without decrypting: the one answer `seal status`, the pre-commit
 * scanner and the hook share. The report is opaque; read it with the
 * accessors below (indexes out of range give 0 or NULL).
 */
typedef struct seal_sops_report seal_sops_report;

/*
 * File flags (seal_sops_report_flags). SUSPECT: the file did not parse,
 * and its text names a Secret, an ENC value or a sops: block, so it must
 * be judged as possible plaintext by other means.
 */
#define SEAL_SOPS_FILE_PARSED  0x01u /* the store parsed the file */
#define SEAL_SOPS_FILE_SEALED  0x02u /* some document has sops metadata */
#define SEAL_SOPS_FILE_WHOLE   0x04u /* sealed and no problem at all */
#define SEAL_SOPS_FILE_SUSPECT 0x08u /* see above */

/*
 * Document flags (seal_sops_report_doc_flags). CLEAR: an unsealed Secret
 * with plaintext values in data/stringData (seal_value_is_plaintext).
 * REFERENCES: an unsealed Secret whose values in data/stringData are all
 * references to secrets kept elsewhere, placeholders or templates that
 * render no literal (and at least one such): clear, with nothing to seal.
 */
#define SEAL_SOPS_DOC_SEALED    0x001u /* carries a sops block */
#define SEAL_SOPS_DOC_MAC       0x002u /* its mac is present */
#define SEAL_SOPS_DOC_SECRET    0x004u /* kind: Secret (any case) */
#define SEAL_SOPS_DOC_NAMESPACE 0x008u /* metadata.namespace is set */
#define SEAL_SOPS_DOC_MAC_ONLY  0x010u /* mac_only_encrypted: true */
#define SEAL_SOPS_DOC_CLEAR     0x020u /* see above */
#define SEAL_SOPS_DOC_EMPTY     0x040u /* an empty document */
#define SEAL_SOPS_DOC_REFERENCES 0x080u /* see above */

/* Problem codes (seal_sops_report_problem_code). */
#define SEAL_SOPS_LINT_NO_SOPS         1 /* no sops block (others have) */
#define SEAL_SOPS_LINT_BAD_META        2 /* malformed sops block */
#define SEAL_SOPS_LINT_NO_MAC          3 /* mac missing or empty */
#define SEAL_SOPS_LINT_MAC_NOT_ENC     4 /* mac is not an ENC value */
#define SEAL_SOPS_LINT_NO_LASTMODIFIED 5 /* lastmodified missing or bad */
#define SEAL_SOPS_LINT_NO_KEYS         6 /* no master key at all */
#define SEAL_SOPS_LINT_BAD_ENC         7 /* a malformed ENC[...] value */
#define SEAL_SOPS_LINT_PLAINTEXT       8 /* clear; the rule says encrypt */
#define SEAL_SOPS_LINT_CLEAR_SECRET    9 /* a value of an unsealed Secret */

/*
 * Judge buf, a file in format (0: from name's extension; a binary-format
 * input that is a JSON object naming "sops" is read as JSON). name names
 * the file in texts. A file that does not parse is not an error: the
 * report says so (no SEAL_SOPS_FILE_PARSED; seal_sops_report_error()
 * has the parser's message) and whether its text looks like a Secret or
 * a sealed file. Errors: SEAL_ENOMEM, SEAL_EINVAL (unknown format).
 */
SEAL_API seal_rc seal_sops_lint(seal_ctx *ctx, const void *buf, size_t len,
    int format, const char *name, seal_sops_report **out) SEAL_WUR;
SEAL_API void seal_sops_report_free(seal_sops_report *r);
SEAL_API unsigned seal_sops_report_flags(const seal_sops_report *r);
/* Why the file did not parse (NULL when it did). */
SEAL_API const char *seal_sops_report_error(const seal_sops_report *r);

SEAL_API size_t seal_sops_report_doc_count(const seal_sops_report *r);
SEAL_API unsigned seal_sops_report_doc_flags(
    const seal_sops_report *r, size_t doc);
/* The document's first line (1-based; 0 unknown). */
SEAL_API unsigned seal_sops_report_doc_line(
    const seal_sops_report *r, size_t doc);
/* Well-formed ENC values in the document. */
SEAL_API size_t seal_sops_report_doc_encrypted(
    const seal_sops_report *r, size_t doc);
/* The age recipients of the document's sops block. */
SEAL_API size_t seal_sops_report_recipient_count(
    const seal_sops_report *r, size_t doc);
SEAL_API const char *seal_sops_report_recipient(
    const seal_sops_report *r, size_t doc, size_t i);
/* Its pgp fingerprints (upper case, spaces dropped): compared, never used. */
SEAL_API size_t seal_sops_report_pgp_count(
    const seal_sops_report *r, size_t doc);
SEAL_API const char *seal_sops_report_pgp(
    const seal_sops_report *r, size_t doc, size_t i);
/* Master keys of other kinds (pgp, kms...) in the document's block. */
SEAL_API size_t seal_sops_report_other_keys(
    const seal_sops_report *r, size_t doc);
/*
 * The selection rule of the document's block by its sops name
 * ("encrypted_regex", ...), its argument in *arg (may be NULL); NULL
 * for none stored (sops's default, unencrypted_suffix "_unencrypted").
 */
SEAL_API const char *seal_sops_report_rule(
    const seal_sops_report *r, size_t doc, const char **arg);

/*
 * Problems, in document order: each has a code, the document index, a
 * 1-based line (0 unknown), the path of keys ("data.password", NULL for
 * the whole document) and a one-line text. Texts and paths are built
 * from keys only, never from values.
 */
SEAL_API size_t seal_sops_report_problem_count(const seal_sops_report *r);
SEAL_API int seal_sops_report_problem_code(
    const seal_sops_report *r, size_t i);
SEAL_API size_t seal_sops_report_problem_doc(
    const seal_sops_report *r, size_t i);
SEAL_API unsigned seal_sops_report_problem_line(
    const seal_sops_report *r, size_t i);
SEAL_API const char *seal_sops_report_problem_path(
    const seal_sops_report *r, size_t i);
SEAL_API const char *seal_sops_report_problem_text(
    const seal_sops_report *r, size_t i);
/* A code's stable name ("plaintext-value", "no-mac", ...). */
SEAL_API const char *seal_sops_lint_code_name(int code);

#ifdef __cplusplus
}
#endif
#endif
