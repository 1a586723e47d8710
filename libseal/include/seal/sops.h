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

#ifdef __cplusplus
}
#endif
#endif
