/* SPDX-License-Identifier: ISC */
/*
 * tree.h - the document model every store produces and consumes and the
 * SOPS walk operates on. Stores (YAML, JSON, dotenv, binary) know formats
 * and nothing of crypto; the walk knows crypto and nothing of formats.
 *
 * A tree is a list of documents (multi-document YAML; every other store
 * has exactly one). Each document's root is a MAP (or NULL for an empty
 * YAML document). Node kinds:
 *
 *   MAP      ordered items; each item is a KV (key string + value node)
 *            or a COMMENT. Keys are strings (a store rejects non-string
 *            keys, as sops does). Order is preserved exactly.
 *   SEQ      ordered items; each is a value node or a COMMENT.
 *   SCALAR   a leaf: type (STR, INT, FLOAT, BOOL, TIME, NUL, BYTES) and
 *            its text. For STR the text is the value's bytes (may contain
 *            NULs for the binary store). For INT/FLOAT/BOOL/TIME it is the
 *            source spelling; the walk derives the SOPS canonical form.
 *   COMMENT  a comment line's text after '#' (leading space kept), as
 *            sops models comments: an item of the enclosing MAP/SEQ,
 *            placed before the item it preceded in the source.
 *
 * YAML anchors and aliases: a node written "&name ..." keeps the name in
 * anchor. An alias "*name" is read as a copy of the anchored node (the
 * expansion: every reader of values sees plain nodes, and the copy counts
 * against max_nodes) whose anchor holds the name it refers to, with
 * SEAL_F_ALIAS set. The writer writes such a copy back as "*name" while
 * it still equals the node last anchored under that name, and writes it
 * out in full once either was changed. Anchors on mapping keys and on a
 * document's root are not kept (the value is).
 *
 * Invariants:
 *   - every node and every string belongs to exactly one tree and is
 *     freed with it; strings live in the tree's secure arena (values may
 *     be plaintext), are NUL-terminated, and are wiped on free;
 *   - items arrays hold pointers only (no secrets), so they may grow
 *     with realloc;
 *   - line is 1-based in the source (0 for nodes made in memory), for
 *     messages and the scanner's file:line;
 *   - a store round-trips what it parsed: parse then emit reproduces key
 *     order, comments, scalar styles and document separators (YAML).
 */
#ifndef SEAL_TREE_H
#define SEAL_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

enum seal__kind {
	SEAL_N_MAP = 1,
	SEAL_N_SEQ,
	SEAL_N_SCALAR,
	SEAL_N_COMMENT,
};

enum seal__type {
	SEAL_T_STR = 0,
	SEAL_T_INT,
	SEAL_T_FLOAT,
	SEAL_T_BOOL,
	SEAL_T_TIME,
	SEAL_T_NULL,
	SEAL_T_BYTES, /* decrypt-only in sops; treated as STR on output */
};

/* How a YAML scalar was (or should be) written. Other stores ignore it. */
enum seal__style {
	SEAL_S_ANY = 0, /* emitter decides */
	SEAL_S_PLAIN,
	SEAL_S_SINGLE,
	SEAL_S_DOUBLE,
	SEAL_S_LITERAL,
	SEAL_S_FOLDED,
};

/* node flags */
#define SEAL_F_FLOW	    0x01 /* MAP/SEQ written in flow style {} [] */
#define SEAL_F_INLINE	    0x02 /* COMMENT was at the end of the previous
				    item's line (trailing comment) */
#define SEAL_F_ENCRYPTED    0x04 /* SCALAR/COMMENT text is an ENC[...] */
#define SEAL_F_COMPACT	    0x08 /* YAML SEQ: block "- " at the parent key's
				    column (indentless), not indented */
#define SEAL_F_BLANK	    0x10 /* YAML: a blank line preceded this item
				    (on the item's value or COMMENT node) */
#define SEAL_F_ALIAS	    0x20 /* YAML: the node is the expansion of the
				    alias "*anchor" */

struct seal__node;

struct seal__item {
	const char *key;	 /* KV in a MAP: the key; NULL otherwise */
	size_t keylen;
	uint32_t keyline;
	uint8_t keystyle;	 /* enum seal__style of the key */
	struct seal__node *val;	 /* the value, or a COMMENT node */
};

struct seal__node {
	uint8_t kind;	 /* enum seal__kind */
	uint8_t type;	 /* enum seal__type, SCALAR only */
	uint8_t style;	 /* enum seal__style, SCALAR only */
	uint8_t flags;	 /* SEAL_F_* */
	uint32_t line;
	uint16_t col;	 /* YAML COMMENT: 0-based source column (0 if unknown) */
	/* SCALAR and COMMENT */
	char *text;	 /* in the tree's arena, NUL-terminated */
	size_t len;
	/* MAP and SEQ */
	struct seal__item *items;
	size_t nitems, capitems;
	/* YAML: the scalar's explicit tag (e.g. "!!binary"), or NULL */
	const char *tag;
	/* YAML: the anchor this node defines ("&name"), or with SEAL_F_ALIAS
	 * the one it is a copy of ("*name"); NULL if none */
	const char *anchor;
};

struct seal__doc {
	struct seal__node *root;	/* MAP, or NULL for an empty document */
	/* YAML: comments after the last item of the document */
	struct seal__node *foot;	/* SEQ of COMMENT nodes, or NULL */
	bool explicit_start;		/* the source had "---" before it */
	/* YAML: comments before the first document's "---" line */
	struct seal__node *head;	/* SEQ of COMMENT nodes, or NULL */
};

struct seal__tree {
	struct seal__doc *docs;
	size_t ndocs, capdocs;
	/* store hints for a faithful re-emit */
	int indent;		/* YAML/JSON indent seen or wanted; 0 = default */
	bool trailing_newline;	/* dotenv/binary: source ended with \n */
	/* private: the secure arena, and one for text that is not secret
	 * (ENC values, node slabs) */
	struct seal__arena *arena;
	struct seal__arena *pub;
	void *nodes;		/* node slabs (not secret) */
};

/* Limits on untrusted input; zero fields take the defaults below. */
struct seal__limits {
	size_t max_bytes;	/* whole input; default 64 MiB */
	unsigned max_depth;	/* nesting; default 64 */
	size_t max_nodes;	/* after alias expansion; default 1,000,000 */
	unsigned max_docs;	/* YAML documents; default 10,000 */
};
#define SEAL_LIMIT_BYTES (64u << 20)
#define SEAL_LIMIT_DEPTH 64u
#define SEAL_LIMIT_NODES 1000000u
#define SEAL_LIMIT_DOCS	 10000u
void seal__limits_fill(struct seal__limits *out, const struct seal__limits *in);

/* tree.c ----------------------------------------------------------------- */

struct seal__tree *seal__tree_new(void);
/* A store parsing len bytes: big inputs start with big arena chunks. */
void seal__tree_size_hint(struct seal__tree *t, size_t len);
void seal__tree_free(struct seal__tree *t); /* wipes every string */

/* A new node of kind, owned by t. NULL on out-of-memory. */
struct seal__node *seal__node_new(struct seal__tree *t, enum seal__kind kind);
/* A SCALAR with a copy of (s, len) in the secure arena. */
struct seal__node *seal__scalar_new(struct seal__tree *t, enum seal__type type,
    const char *s, size_t len);
struct seal__node *seal__comment_new(struct seal__tree *t, const char *s,
    size_t len);
/* Copy bytes into the secure arena, NUL-terminated. */
char *seal__tree_strdup(struct seal__tree *t, const char *s, size_t len);
/* Replace a SCALAR's or COMMENT's text (old text is wiped). */
int seal__node_set_text(struct seal__tree *t, struct seal__node *n,
    const char *s, size_t len);
/*
 * Text that is not secret (an ENC[...] value) written in place: reserve
 * cap bytes in the tree's plain arena, write, then set the node's text to
 * the first len bytes (NUL-terminated by the caller, len + 1 <= cap); the
 * rest is given back. The old text is wiped. Only for ciphertext.
 */
char *seal__tree_pub_reserve(struct seal__tree *t, size_t cap);
void seal__node_set_pub(struct seal__tree *t, struct seal__node *n, char *p,
    size_t len);

/* Append to a MAP (key != NULL, or a COMMENT val) or a SEQ (key == NULL). */
int seal__map_append(struct seal__tree *t, struct seal__node *map,
    const char *key, size_t keylen, struct seal__node *val);
int seal__seq_append(struct seal__tree *t, struct seal__node *seq,
    struct seal__node *val);
/* Remove item i of a MAP or SEQ (the node stays in the arena). */
void seal__items_remove(struct seal__node *n, size_t i);
/* The value of key in a MAP, or NULL. */
struct seal__node *seal__map_get(const struct seal__node *map, const char *key);
/* Index of key in a MAP, or (size_t)-1. */
size_t seal__map_find(const struct seal__node *map, const char *key);
/* The same for a key of klen bytes (it may hold a NUL). */
size_t seal__map_find_n(const struct seal__node *map, const char *key,
    size_t klen);

/* Append a new document; returns it, or NULL on out-of-memory. */
struct seal__doc *seal__tree_add_doc(struct seal__tree *t);

/* Deep copy of a subtree into t (which may be the same tree), anchors
 * and alias marks included. */
struct seal__node *seal__node_clone(struct seal__tree *t,
    const struct seal__node *n);

/* stores: bytes <-> tree ------------------------------------------------- */

enum seal__format {
	SEAL_FMT_YAML = 1,
	SEAL_FMT_JSON,
	SEAL_FMT_DOTENV,
	SEAL_FMT_BINARY,
	SEAL_FMT_INI,
};

/* From a file name's extension, as sops does (.yaml/.yml, .json, .env,
 * .ini, anything else binary). */
enum seal__format seal__format_from_path(const char *path);
/* From a --input-type/--output-type word; 0 if unknown. */
enum seal__format seal__format_from_name(const char *name);

struct seal__emit_opts {
	int indent;	/* 0 = the store's default (YAML 4, JSON tab) */
};

/*
 * Every store: parse(ctx, buf, len, limits, &tree) and
 * emit(ctx, tree, opts, write, arg). parse errors name the line and say
 * what was wrong, never quoting a value. emit streams through write.
 */
typedef seal_rc (*seal__parse_fn)(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out);
typedef seal_rc (*seal__emit_fn)(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg);

seal_rc seal__yaml_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out);
seal_rc seal__yaml_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg);
seal_rc seal__json_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out);
seal_rc seal__json_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg);
seal_rc seal__dotenv_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out);
seal_rc seal__dotenv_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg);
/* binary: the whole input becomes {data: <bytes>}; emit writes the bytes */
seal_rc seal__binary_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out);
seal_rc seal__binary_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg);

#endif
