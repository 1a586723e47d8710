/* SPDX-License-Identifier: ISC */
/*
 * seal/doc.h - a YAML file you can edit without losing its shape.
 *
 * A configuration file a person wrote (a .sops.yaml, a kustomization) is
 * edited in place: comments, key order, blank lines, scalar styles,
 * anchors ("&name") and aliases ("*name") stay as they were, and only
 * the nodes an edit touches change. This is the store the SOPS layer
 * uses, opened for programs that edit such files (seal's cluster
 * registry). It holds no secret: use seal_sops_* for sealed files.
 *
 * A seal_doc is a list of YAML documents; a document's root is a map or
 * NULL (empty). A seal_node belongs to its seal_doc and lives as long as
 * it. Node kinds:
 *
 *   SEAL_NODE_MAP      ordered items, each a key and a value, or a comment
 *   SEAL_NODE_SEQ      ordered items, each a value, or a comment
 *   SEAL_NODE_SCALAR   a leaf; its text as written (without quotes)
 *   SEAL_NODE_COMMENT  a comment line, an item of the map or sequence it
 *                      sits in, placed before the item it preceded
 *
 * Items are addressed by index, comments included, so an insertion can
 * keep a comment with the item below it. An alias is read as a copy of
 * the node it names (seal_node_is_alias() is true and seal_node_anchor()
 * gives the name it refers to); it is written back as "*name" while it
 * still equals the node anchored under that name.
 *
 * Building functions return NULL, and inserting ones -1, when out of
 * memory; nothing is changed then.
 */
#ifndef SEAL_DOC_H
#define SEAL_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include <seal/common.h>

typedef struct seal_doc seal_doc;
typedef struct seal_node seal_node;

enum seal_node_kind {
	SEAL_NODE_MAP = 1,
	SEAL_NODE_SEQ,
	SEAL_NODE_SCALAR,
	SEAL_NODE_COMMENT,
};

/*
 * Parse len bytes of YAML under the library's input limits (size, depth,
 * alias expansion). SEAL_EPARSE or SEAL_ELIMIT with a message naming the
 * line; values are never quoted in it.
 */
SEAL_API seal_rc seal_doc_parse_yaml(seal_ctx *ctx, const void *buf,
    size_t len, seal_doc **out) SEAL_WUR;
SEAL_API void seal_doc_free(seal_doc *d);
/* The YAML text, as the document is now. */
SEAL_API seal_rc seal_doc_write_yaml(seal_ctx *ctx, const seal_doc *d,
    seal_write_fn write, void *arg) SEAL_WUR;

/* How many YAML documents; the root map of document i (NULL: empty). */
SEAL_API size_t seal_doc_count(const seal_doc *d);
SEAL_API seal_node *seal_doc_root(const seal_doc *d, size_t i);
/*
 * The first document's root map, made when the file is empty (a file of
 * comments only keeps them, on top of the new map). NULL when out of
 * memory.
 */
SEAL_API seal_node *seal_doc_top_map(seal_doc *d);

/* Reading a node. */
SEAL_API enum seal_node_kind seal_node_kind(const seal_node *n);
/* 1-based source line, 0 for a node made in memory. */
SEAL_API unsigned seal_node_line(const seal_node *n);
/* A scalar's or comment's text, NUL-terminated; NULL for a map or
 * sequence. */
SEAL_API const char *seal_node_text(const seal_node *n);
/* A scalar that is YAML null ("~", "null" or nothing). */
SEAL_API bool seal_node_is_null(const seal_node *n);
/* The anchor the node defines, or with seal_node_is_alias() the one it
 * refers to; NULL if none. */
SEAL_API const char *seal_node_anchor(const seal_node *n);
SEAL_API bool seal_node_is_alias(const seal_node *n);

/* The items of a map or sequence (comments included; 0 for a scalar). */
SEAL_API size_t seal_node_size(const seal_node *n);
/* Item i's value (or comment node), NULL past the end. */
SEAL_API seal_node *seal_node_at(const seal_node *n, size_t i);
/* Item i's key in a map; NULL for a comment or in a sequence. */
SEAL_API const char *seal_node_key_at(const seal_node *n, size_t i);
/* The value of key in a map (NULL if none), or its index (SIZE_MAX). */
SEAL_API seal_node *seal_map_get(const seal_node *map, const char *key);
SEAL_API size_t seal_map_find(const seal_node *map, const char *key);

/* New nodes, owned by d; insert them to place them. */
SEAL_API seal_node *seal_doc_new_map(seal_doc *d);
SEAL_API seal_node *seal_doc_new_seq(seal_doc *d);
/* A string scalar; the writer quotes it when YAML needs it. */
SEAL_API seal_node *seal_doc_new_string(seal_doc *d, const char *s);
/* "&anchor value": a string that defines anchor. */
SEAL_API seal_node *seal_doc_new_anchored(seal_doc *d, const char *anchor,
    const char *value);
/* "*anchor": an alias of the node anchored as anchor, whose value is
 * value (written as the alias while the two agree). */
SEAL_API seal_node *seal_doc_new_alias(seal_doc *d, const char *anchor,
    const char *value);

/*
 * Editing. at >= seal_node_size() appends. An empty flow sequence ("[]")
 * that receives an item is written as a block sequence from then on.
 */
SEAL_API int seal_map_insert(seal_doc *d, seal_node *map, size_t at,
    const char *key, seal_node *value);
SEAL_API int seal_seq_insert(seal_doc *d, seal_node *seq, size_t at,
    seal_node *value);
/* Item i of map gets a new value (its key and place stay). */
SEAL_API void seal_map_set(seal_node *map, size_t i, seal_node *value);
/* Remove item i of a map or sequence. */
SEAL_API void seal_node_remove(seal_node *n, size_t i);
/* Rename the anchor a node defines, or the one an alias refers to. */
SEAL_API int seal_node_set_anchor(seal_doc *d, seal_node *n,
    const char *anchor);

#endif
