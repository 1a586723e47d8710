/* SPDX-License-Identifier: ISC */
/*
 * unseal.h - what the files of unseal(1) share: the run's settings
 * (limits, tenancy, keys), the staged output, the keyring and policy, and
 * the one routine that turns the bytes of one file into output. unseal
 * decrypts only: nothing here seals, re-wraps or makes keys, and the
 * program links no such call (t0503 checks its symbols).
 *
 * Invariants: plaintext lives only in guarded memory (struct obuf, the
 * library's files) and leaves the process only through obuf_flush to
 * stdout, once, after everything was decrypted, verified and allowed.
 * Messages name a file, a document and a reason, never a value.
 */
#ifndef SEAL_UNSEAL_H
#define SEAL_UNSEAL_H

#include <stdbool.h>
#include <stddef.h>

#include <seal.h>

/* Defaults of the limits (unseal(1), LIMITS). */
#define UNSEAL_MAX_FILE	   (5u << 20)
#define UNSEAL_MAX_DOCS	   10000u
#define UNSEAL_MAX_DEPTH   64u
#define UNSEAL_MAX_NODES   200000u
#define UNSEAL_MAX_OUTPUT  (100u << 20)
#define UNSEAL_MAX_SECONDS 60u

struct unseal_keyring;
struct unseal_policy;

/* Staged output in guarded memory: grows by copy, never by realloc. */
struct obuf {
	unsigned char *buf;
	size_t len, cap, max;
	bool over; /* went past max */
	bool json; /* documents are JSON objects joined by commas */
};

/* A read buffer reused from file to file (ciphertext: plain memory). */
struct rbuf {
	unsigned char *p;
	size_t cap;
};

struct unseal_run {
	/* limits */
	size_t max_file, max_output, max_nodes;
	unsigned max_docs, max_depth, seconds;
	/* tenancy: destination namespace and project when known */
	const char *namespace;
	const char *project;
	bool strict; /* always on; here for the day a scope option exists */
	/* render */
	bool recurse;
	const char *root;
	/* keys and policy */
	const char *keys_dir;
	const char *policy_path;
	char *policy_owned;	/* policy_path when found in the key directory */
	struct unseal_keyring *keys;
	struct unseal_policy *policy;
	seal_ctx *ctx;
	/* counters over the run */
	size_t docs, failures;
	struct obuf out;
	struct rbuf rbuf;
};

/* main.c: the options every mode shares ---------------------------------- */

/*
 * Parse the shared options (--keys, --policy, --namespace, --project,
 * limits, -q; with render_opts -r and --root) with tools/common/options,
 * leaving the operands in argv[1..*argc-1] in order. --help prints the
 * mode's help (exit 0), a mistake exits 2. Returns -1 to continue, else
 * an exit code.
 */
struct unseal_mode {
	const char *name;	  /* "unseal render" */
	const char *const *usage; /* synopses, NULL-ended */
	const char *desc;
	bool render_opts; /* -r, --root */
};
int unseal_options(struct unseal_run *r, int *argc, char **argv,
    const struct unseal_mode *m);
/* Load keys and policy and arm the wall-time limit. Exit code or 0. */
int unseal_start(struct unseal_run *r);
/* Write the staged output to stdout (all of it, or an error). */
int unseal_finish(struct unseal_run *r);
void unseal_end(struct unseal_run *r);
/* The kustomize child to stop on a signal or the time limit. */
void unseal_set_child(int pid);

/* output.c ---------------------------------------------------------------- */

int obuf_put(struct obuf *o, const void *p, size_t n);
/* seal_write_fn into a struct obuf */
int obuf_write_fn(void *arg, const void *p, size_t n);
/* Make the next document start on a fresh line after a "---" line. */
int obuf_separate(struct obuf *o);
void obuf_free(struct obuf *o);
/* Append src's JSON objects (one per top-level "{" line, as libseal
 * writes them) to o, joined by commas. */
int obuf_put_json_objects(struct obuf *o, const struct obuf *src);
/* A YAML double-quoted scalar for any bytes (plaintext goes through). */
int obuf_put_quoted(struct obuf *o, const char *s, size_t n);

/* keyring.c --------------------------------------------------------------- */

/*
 * Load every *.agekey and keys.txt of dir (NULL: none), then what sops's
 * SOPS_AGE_KEY_FILE, SOPS_AGE_KEY and SOPS_AGE_SSH_PRIVATE_KEY_FILE name.
 * Each identity is kept alone under its recipient in a hash table.
 */
int keyring_load(seal_ctx *ctx, const char *dir, struct unseal_keyring **out);
void keyring_free(struct unseal_keyring *k);
size_t keyring_count(const struct unseal_keyring *k);
/* The identity whose recipient is rcpt, or NULL. */
const seal_identity *keyring_find(
    const struct unseal_keyring *k, const char *rcpt);

/* policy.c ---------------------------------------------------------------- */

int policy_load(seal_ctx *ctx, const char *path, struct unseal_policy **out);
void policy_free(struct unseal_policy *p);
/*
 * May the key of recipient rcpt serve project (NULL: unknown) and
 * namespace ns? Without a policy every key may. On refusal *why says why
 * (a static string).
 */
bool policy_allows(const struct unseal_policy *p, const char *rcpt,
    const char *project, const char *ns, const char **why);

/* unseal-file.c ----------------------------------------------------------- */

/*
 * Every ciphertext of the verified sources and its plaintext (kustomize
 * matching): filled when non-NULL is passed to unseal_bytes.
 */
struct unseal_tokens;
struct unseal_tokens *tokens_new(void);
void tokens_free(struct unseal_tokens *t);
/* The plaintext of token (an "ENC[...]" text), the source document it
 * belongs to (an id unique over the run) and its tree path there
 * (seal_sops_leaf_paths's form), or NULL. */
const char *tokens_find(const struct unseal_tokens *t, const char *tok,
    size_t len, size_t *ptlen, size_t *docid, const char **path);
/* The namespace the source document docid was sealed for. */
const char *tokens_ns(const struct unseal_tokens *t, size_t docid);
/* Does a verified source carry this MAC token (a sops block's mac)? */
bool tokens_has_mac(const struct unseal_tokens *t, const char *tok,
    size_t len, size_t *docid_first, size_t *ndocs);

/*
 * The heart: bytes of one file (name for messages and the format from its
 * extension; format 0 = from name). Clear documents are copied byte for
 * byte; sealed ones are decrypted, their MAC verified and their tenancy
 * checked on the document as sealed. Output goes to out (NULL: nothing
 * is written, e.g. when only tokens are wanted). Every failure prints one
 * line "FILE: document N: reason" and counts in r->failures. Returns 0,
 * or the exit code of the first failure.
 */
int unseal_bytes(struct unseal_run *r, const char *name, int format,
    const unsigned char *buf, size_t len, struct obuf *out,
    struct unseal_tokens *tokens);
/*
 * A sealed dotenv, JSON, YAML or binary file (format from name, binary if
 * unknown) decrypted into out in its own format, for a Secret of
 * namespace ns (the generator config's, checked as a document's
 * metadata.namespace would be). A clear file is refused.
 */
int unseal_content(struct unseal_run *r, const char *name, int format,
    const unsigned char *buf, size_t len, const char *ns, struct obuf *out);
/* Is there an ENC[...] value or a sops block in these bytes (cheap)? */
bool looks_sealed(const unsigned char *buf, size_t len);

/* modes ------------------------------------------------------------------- */

int cmd_filter(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_krm(int argc, char **argv);
int cmd_discover(int argc, char **argv);

/* render.c, used by krm too: read a file under root without following a
 * symlink out of it. 0, or an exit code with the error printed. */
int read_under_root(const char *root, const char *path, size_t max,
    unsigned char **out, size_t *len);
/* kustomize.c: kustomize's output (ciphertext) into r->out, each sealed
 * document rewritten from the verified sources in tk. */
int rewrite_stream(struct unseal_run *r, struct unseal_tokens *tk,
    const char *kout, size_t klen);
/* kustomize.c: render a kustomization directory into r->out. */
int render_kustomize(struct unseal_run *r, const char *root, const char *dir);

#endif
