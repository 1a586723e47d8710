/* SPDX-License-Identifier: ISC */
/*
 * sops/sops.h - the SOPS v3 layer inside libseal: the ENC[...] value
 * codec, the selection rules, the sops: metadata block, the walk
 * (encrypt, decrypt, MAC), the structural lint the scanner uses, and the
 * .sops.yaml creation rules. Spec: docs/sops-format.md.
 *
 * Invariants:
 *   - nothing here reads the environment or prints;
 *   - the data key lives in a struct seal__sops_key (secure memory) and
 *     plaintext values only in the tree's secure arena or a secbuf;
 *   - paths in messages are built from keys only (keys are clear text in
 *     a sops file), never from values.
 */
#ifndef SEAL_SOPS_INTERNAL_H
#define SEAL_SOPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/gcm.h"
#include "core/core.h"
#include "stores/tree.h"

#define SEAL_SOPS_KEY_BYTES 32
#define SEAL_SOPS_IV_BYTES  32
#define SEAL_SOPS_TAG_BYTES 16
/* The version we write: sops 3.10-3.12 layout (spec 6.3, layout 2). */
#define SEAL_SOPS_VERSION "3.10.2"

/* ---- ENC[...] values (sops/enc.c) --------------------------------------- */

/*
 * A parsed ENC[AES256_GCM,data:,iv:,tag:,type:] value. The base64 fields
 * point into the parsed string; the decoded lengths are checked by the
 * parser (data any length >= 0, iv >= 1 byte, tag exactly 16 bytes).
 */
struct seal__enc {
	const char *data, *iv, *tag; /* base64 text (not NUL-terminated) */
	size_t data_b64, iv_b64, tag_b64;
	size_t data_len, iv_len; /* decoded lengths */
	enum seal__type type;    /* STR INT FLOAT BOOL TIME BYTES */
	bool comment;            /* type:comment */
};

/* Does s start like an ENC value ("ENC[")? Cheap prefilter. */
bool seal__enc_looks(const char *s, size_t len);
/*
 * Parse and validate an ENC value (strict base64 with padding, known
 * type, 16-byte tag, closing bracket). what names the value for the
 * message ("'data.password'"). SEAL_EFORMAT on any defect.
 */
seal_rc seal__enc_parse(seal_ctx *ctx, const char *s, size_t len,
    const char *what, struct seal__enc *out);
/* The sops type word for a tree type ("str", "int", ...). */
const char *seal__enc_type_name(enum seal__type type, bool comment);

/*
 * Encrypt pt under key with aad; iv is the 32-byte IV to use (random or
 * from the stash). Appends the ENC text (not secret) to *out
 * (malloc'd by the caller's buffer rules: out is a plain char buffer of
 * at least seal__enc_size(ptlen, type) bytes); *outlen is the length.
 */
size_t seal__enc_size(size_t ptlen);
seal_rc seal__enc_encrypt(seal_ctx *ctx, const unsigned char key[32],
    const unsigned char iv[SEAL_SOPS_IV_BYTES], const void *pt, size_t ptlen,
    const char *aad, size_t aadlen, enum seal__type type, bool comment,
    char *out, size_t *outlen);
/* The same with a session holding the data key (the walk). */
seal_rc seal__enc_encrypt_g(seal_ctx *ctx, struct seal__gcm *g,
    const unsigned char iv[SEAL_SOPS_IV_BYTES], const void *pt, size_t ptlen,
    const char *aad, size_t aadlen, enum seal__type type, bool comment,
    char *out, size_t *outlen);
/*
 * Decrypt a parsed value into pt (reset first; secure memory). The IV
 * bytes are copied into iv_out (if not NULL and the IV is 32 bytes) for
 * the stash. SEAL_EAUTH if the tag does not verify.
 */
seal_rc seal__enc_decrypt(seal_ctx *ctx, const unsigned char key[32],
    const struct seal__enc *e, const char *aad, size_t aadlen,
    struct seal__secbuf *pt, unsigned char iv_out[SEAL_SOPS_IV_BYTES],
    bool *iv_ok);
seal_rc seal__enc_decrypt_g(seal_ctx *ctx, struct seal__gcm *g,
    const struct seal__enc *e, const char *aad, size_t aadlen,
    struct seal__secbuf *pt, unsigned char iv_out[SEAL_SOPS_IV_BYTES],
    bool *iv_ok);

/*
 * The canonical plaintext of a clear scalar as sops serialises it for
 * encryption and the MAC (spec 2.2): strings raw, ints decimal, floats Go
 * 'f' -1, bools True/False, times RFC 3339 nano. Appends to sb.
 * SEAL_EFORMAT if the source spelling cannot be converted.
 */
seal_rc seal__sops_canon(seal_ctx *ctx, const struct seal__node *n,
    const char *what, struct seal__secbuf *sb);
/* After decrypting type T: the text to put back in the tree. */
seal_rc seal__sops_uncanon(seal_ctx *ctx, enum seal__type type,
    const unsigned char *pt, size_t len, const char *what,
    struct seal__secbuf *sb);

/* Strict standard base64 with padding (Go StdEncoding). -1 on error. */
int seal__sops_b64_decode(unsigned char *out, size_t outcap, size_t *outlen,
    const char *in, size_t inlen);
size_t seal__sops_b64_encode(char *out, const unsigned char *in, size_t inlen);

/* ---- selection rules (sops/rule.c) --------------------------------------- */

enum seal__rule_kind {
	SEAL_RULE_NONE = 0, /* reader: the default unencrypted_suffix */
	SEAL_RULE_UNENCRYPTED_SUFFIX,
	SEAL_RULE_ENCRYPTED_SUFFIX,
	SEAL_RULE_UNENCRYPTED_REGEX,
	SEAL_RULE_ENCRYPTED_REGEX,
	SEAL_RULE_UNENCRYPTED_COMMENT_REGEX,
	SEAL_RULE_ENCRYPTED_COMMENT_REGEX,
};
#define SEAL_RULE_DEFAULT_SUFFIX "_unencrypted"

struct seal__rule {
	enum seal__rule_kind kind;
	char *arg;  /* suffix or regex source (malloc'd), NULL for NONE */
	void *re;   /* pcre2_code, for the regex kinds */
	void *md;   /* pcre2_match_data */
	bool owned; /* re is private (else from the per-thread cache) */
};

/* The metadata / .sops.yaml / CLI name of a kind ("encrypted_regex"). */
const char *seal__rule_name(enum seal__rule_kind kind);
/* The kind for a name, or SEAL_RULE_NONE. */
enum seal__rule_kind seal__rule_from_name(const char *name, size_t len);
/* Compile (regex kinds) a rule. arg may be NULL only for NONE. */
seal_rc seal__rule_init(seal_ctx *ctx, struct seal__rule *r,
    enum seal__rule_kind kind, const char *arg);
void seal__rule_free(struct seal__rule *r);
/*
 * Does a key (suffix/regex kinds) or a comment (comment kinds) match?
 * 1 yes, 0 no, -1 the regex engine gave up (a limit): never read -1 as
 * "no".
 */
int seal__rule_match(const struct seal__rule *r, const char *s, size_t len);
/* The SEAL_EREGEX error for a match that failed, naming file (NULL: the
 * caller prefixes it) and where ("'data.key'"); comment: the subject was
 * a comment (its text, maybe secret, is never quoted). */
seal_rc seal__rule_fail(seal_ctx *ctx, const struct seal__rule *r,
    const char *file, const char *where, bool comment);

/*
 * Every regex that decides what is encrypted (selection rules, path_regex)
 * is compiled by seal__re_compile and matched by seal__re_match under
 * these explicit limits: PCRE2's match() calls, backtracking depth, and
 * heap (KiB). seal__re_match returns 1, 0, or -1 when PCRE2 gave up.
 */
#define SEAL__RE_MATCH_LIMIT	1000000u
#define SEAL__RE_DEPTH_LIMIT	10000u
#define SEAL__RE_HEAP_LIMIT_KIB 8192u
void *seal__re_compile(const char *pat, int *err, size_t *off);
void seal__re_free(void *code);
int seal__re_match(const void *code, const char *s, size_t len, void *md);
void *seal__re_match_context(void);

/*
 * Is pat a regex that sops (Go's RE2 syntax) reads as seal (PCRE2) does?
 * Refuses lookaround, backreferences, atomic groups, possessive or nested
 * quantifiers, recursion, conditionals, \C and the escapes RE2 lacks or
 * reads otherwise. false with *off and *why (a static phrase) set.
 */
bool seal__re2_check(const char *pat, size_t *off, const char **why);

/*
 * Incremental predicate along a path. A walk keeps one state per depth:
 * start with seal__rule_state_root, derive the child state with
 * seal__rule_state_key (a map key) or seal__rule_state_comment (a comment
 * seen at this level, for the comment kinds), and ask
 * seal__rule_state_encrypt whether a leaf (or a comment) at that state is
 * to be encrypted.
 */
struct seal__rule_state {
	bool matched; /* some key in the path / some comment matched */
};
void seal__rule_state_root(struct seal__rule_state *st);
/* 0, or -1 when the regex could not be evaluated (seal__rule_fail) */
int seal__rule_state_key(const struct seal__rule *r,
    struct seal__rule_state *st, const char *key, size_t keylen) SEAL_WUR;
int seal__rule_state_comment(const struct seal__rule *r,
    struct seal__rule_state *st, const char *text, size_t len) SEAL_WUR;
bool seal__rule_state_encrypt(
    const struct seal__rule *r, const struct seal__rule_state *st);

/* ---- metadata (sops/meta.c, sops/flat.c) --------------------------------- */

struct seal__sops_age {
	const char *recipient; /* as stored */
	const char *enc;       /* armored age file wrapping the data key */
	size_t enc_len;
	uint32_t line;
};

/*
 * The sops: block of a file, read from a tree (pointers into that tree,
 * valid while it lives). Unknown fields are ignored; non-age master keys
 * are counted and kept (other[]) so a rewrite can carry them over.
 */
struct seal__sops_meta {
	struct seal__sops_age *age;
	size_t nage;
	const char *lastmodified; /* NULL if missing */
	const char *mac;          /* NULL if missing; "" if empty */
	uint32_t mac_line, line;
	enum seal__rule_kind rule; /* NONE: none stored (default) */
	const char *rule_arg;
	int nrules; /* > 1 is an error for the walk */
	bool mac_only_encrypted;
	const char *version;
	size_t ngroups; /* key_groups entries; >= 2: Shamir */
	unsigned shamir_threshold;
	/* non-age master key lists to keep on rewrite */
	struct {
		const char *name;
		struct seal__node *val;
	} other[8];
	size_t nother;
	size_t nother_keys; /* entries in those lists */
};

/*
 * Read a sops: MAP node into m (malloc'd age array; free with
 * seal__sops_meta_clear). file names the file for messages.
 * SEAL_EFORMAT for a malformed block (wrong types, two rules, bad
 * lastmodified), SEAL_EUNSUPPORTED for >= 2 key groups.
 */
seal_rc seal__sops_meta_read(seal_ctx *ctx, const struct seal__node *sops,
    const char *file, struct seal__sops_meta *m);
/* The same without the lastmodified and no-keys checks (for the lint). */
seal_rc seal__sops_meta_scan(seal_ctx *ctx, const struct seal__node *sops,
    const char *file, struct seal__sops_meta *m);
void seal__sops_meta_clear(struct seal__sops_meta *m);

/*
 * The sops block of document i of a tree: for YAML/JSON the value of
 * the top-level "sops" key; for dotenv the flattened sops_* keys are
 * gathered into a new MAP node (in t's arena). NULL if absent. With
 * remove, the sops key(s) are taken out of the document.
 */
struct seal__node *seal__sops_block(
    struct seal__tree *t, size_t doc, enum seal__format fmt, bool remove);
/* Flatten a sops MAP into sops_* keys appended to map (dotenv). */
int seal__sops_flatten(struct seal__tree *t, struct seal__node *map,
    const struct seal__node *sops);

/* Is lastmodified well-formed RFC 3339? Writes the AAD form (UTC, Z). */
bool seal__sops_time_aad(const char *s, char out[32]);
/* Now as RFC 3339 UTC seconds ("2024-11-12T13:33:42Z"). */
void seal__sops_time_now(char out[32]);

/* ---- lint: the structural check the scanner uses (sops/lint.c) ----------- */

enum seal__lint_code {
	SEAL_LINT_NO_SOPS = 1,     /* document has no sops block (others do) */
	SEAL_LINT_BAD_META,        /* sops block malformed (message in text) */
	SEAL_LINT_NO_MAC,          /* mac missing or empty */
	SEAL_LINT_MAC_NOT_ENC,     /* mac present but not an ENC value */
	SEAL_LINT_NO_LASTMODIFIED, /* lastmodified missing or malformed */
	SEAL_LINT_NO_KEYS,         /* no master key at all */
	SEAL_LINT_BAD_ENC,         /* an ENC[...] value is malformed */
	SEAL_LINT_PLAINTEXT, /* the file's rule says encrypt; it is clear */
	SEAL_LINT_CLEAR_SECRET, /* unsealed Kubernetes Secret data value */
};

struct seal__lint_problem {
	enum seal__lint_code code;
	size_t doc;    /* document index */
	uint32_t line; /* 1-based source line, 0 unknown */
	char *path;    /* "data.password" (keys only), malloc'd */
	char *text;    /* one-line description, malloc'd */
};

struct seal__lint_doc {
	bool has_sops;     /* this document carries a sops block */
	bool mac_present;  /* non-empty mac */
	bool mac_enc;      /* mac is a well-formed ENC value */
	bool lastmodified; /* present and RFC 3339 */
	size_t nenc;       /* well-formed ENC values (not comments) */
	size_t nplain;     /* leaves that should be encrypted but are not */
	bool empty;        /* no root (an empty document) */
	bool k8s_secret;   /* kind: Secret (any case, as the scanner reads it) */
	bool k8s_namespace; /* metadata.namespace is a non-empty scalar */
	bool mac_only_encrypted; /* this document's sops block says so */
	size_t nclear_secret;    /* unsealed Secret values in the clear */
	size_t nreference;       /* ... references, placeholders, templates */
	uint32_t line;           /* first line of the document */
	/* this document's own sops block (NULL/0 without one) */
	char **recipients;
	size_t nrecipients, nother_keys;
	char **pgp; /* pgp fingerprints, upper case, no spaces */
	size_t npgp;
	enum seal__rule_kind rule;
	char *rule_arg;
};

struct seal__lint {
	bool sealed; /* some document has a sops block */
	bool whole;  /* sealed and no problems at all */
	struct seal__lint_doc *docs;
	size_t ndocs;
	struct seal__lint_problem *problems;
	size_t nproblems;
	char **recipients; /* age recipients of the (first) sops block */
	size_t nrecipients;
	size_t nother_keys;        /* pgp/kms/... entries */
	enum seal__rule_kind rule; /* as stored (NONE = default) */
	char *rule_arg;
	bool mac_only_encrypted;
};

/*
 * Check a parsed tree structurally, without any key: per document the
 * sops block, MAC and lastmodified, every ENC value well-formed, every
 * leaf the file's own rule selects either ENC, "" or null. The tree is
 * not modified (dotenv sops_* keys are read in place). file names the
 * file in texts. Returns SEAL_OK with *out filled even when problems are
 * found; errors only for out-of-memory.
 */
seal_rc seal__sops_lint(seal_ctx *ctx, struct seal__tree *t,
    enum seal__format fmt, const char *file, struct seal__lint **out);
void seal__lint_free(struct seal__lint *l);
/* Append a pgp fingerprint (spaces dropped, upper case); -1 on ENOMEM. */
int seal__pgp_add(char ***list, size_t *n, const char *s, size_t len);
const char *seal__lint_code_name(enum seal__lint_code code);

/* ---- .sops.yaml creation rules (sops/config.c) --------------------------- */

struct seal__creation_rule {
	const char *path_regex; /* NULL: matches everything */
	char **age;             /* recipients (comma list or YAML list) */
	size_t nage;
	bool other_keys; /* pgp/kms/... named: we cannot seal for them */
	char **pgp;      /* pgp fingerprints (upper case, no spaces) */
	size_t npgp;
	size_t ngroups;  /* key_groups entries (>= 2 unsupported) */
	enum seal__rule_kind rule; /* NONE: sops default */
	const char *rule_arg;
	bool mac_only_encrypted;
	uint32_t line;
	void *re; /* compiled path_regex */
};

struct seal__sops_config {
	char *dir; /* directory of the config (no trailing /) */
	struct seal__tree *tree;
	struct seal__creation_rule *rules;
	size_t nrules;
	int yaml_indent, json_indent; /* -1: not set */
};

/*
 * Parse .sops.yaml text (YAML). dir is the directory the file lives in
 * (path_regex is matched relative to it). file names it in messages.
 */
seal_rc seal__sops_config_parse(seal_ctx *ctx, const char *buf, size_t len,
    const char *dir, const char *file, struct seal__sops_config **out);
void seal__sops_config_free(struct seal__sops_config *c);
/*
 * The first rule matching path (absolute, or relative to the config's
 * directory) in *out. SEAL_EREFUSED when none matches, SEAL_EREGEX when
 * a path_regex could not be evaluated (never read as "no match"), with
 * the message set; *out is then NULL.
 */
seal_rc seal__sops_config_match(seal_ctx *ctx,
    const struct seal__sops_config *c, const char *path,
    const struct seal__creation_rule **out);
/*
 * Find .sops.yaml walking up from dir (at most 100 levels), as sops
 * does. *out is a malloc'd path, or NULL if none (returns SEAL_OK).
 */
seal_rc seal__sops_config_find(seal_ctx *ctx, const char *dir, char **out);

/* ---- the walk (sops/walk.c) ---------------------------------------------- */

/* The data key, in secure memory. */
struct seal__sops_key {
	unsigned char k[SEAL_SOPS_KEY_BYTES];
};

/*
 * IV stash: per (AAD, plaintext) the IV seen on decryption, so a
 * re-encryption with the same data key keeps unchanged ciphertexts.
 * Entries are keyed by a keyed BLAKE2b of (aad, plaintext) under the data
 * key, so the table itself holds nothing secret.
 */
struct seal__stash;
struct seal__stash *seal__stash_new(void);
void seal__stash_free(struct seal__stash *s);

struct seal__walk_opts {
	const struct seal__rule *rule;
	bool mac_only_encrypted;
	bool ignore_mac;           /* decrypt: do not fail on a MAC mismatch */
	struct seal__stash *stash; /* record (decrypt) / reuse (encrypt) */
	const char *file;          /* for messages */
};

/*
 * Encrypt every selected clear leaf and comment of every document in
 * place, compute the MAC over all documents; write the 128-char hex MAC
 * into mac_hex (NUL-terminated). ENC values already present are errors
 * (the file is already encrypted).
 */
seal_rc seal__sops_encrypt_tree(seal_ctx *ctx, struct seal__tree *t,
    const struct seal__sops_key *key, const struct seal__walk_opts *o,
    char mac_hex[129]);
/*
 * Decrypt every ENC leaf in place (types restored), compute the MAC and
 * write it to mac_hex.
 */
seal_rc seal__sops_decrypt_tree(seal_ctx *ctx, struct seal__tree *t,
    const struct seal__sops_key *key, const struct seal__walk_opts *o,
    char mac_hex[129]);
/* The MAC of a clear tree (used by updatekeys checks and tests). */
seal_rc seal__sops_mac_tree(seal_ctx *ctx, struct seal__tree *t,
    const struct seal__walk_opts *o, char mac_hex[129]);

/* Format support (sops/store.c): parse/emit by format, with the sops
 * conventions (binary is stored as JSON when encrypted). */
seal__parse_fn seal__store_parser(enum seal__format fmt);
seal__emit_fn seal__store_emitter(enum seal__format fmt);

/* A path of keys as "a.b.c" into buf (truncated safely). */
void seal__path_string(char *buf, size_t cap, const char *const *keys,
    const size_t *lens, size_t n);

#endif
