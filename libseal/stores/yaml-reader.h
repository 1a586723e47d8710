/* SPDX-License-Identifier: ISC */
/*
 * yaml-reader.h - the YAML reader's state, shared by its files: the event
 * driver (yaml-read.c), tree building (yaml-build.c), comment recovery
 * (yaml-comments.c) and the anchor and duplicate-key tables
 * (yaml-index.c). Not for other areas.
 */
#ifndef SEAL_YAML_READER_H
#define SEAL_YAML_READER_H

#include "stores/yaml.h"

struct frame {
	struct seal__node *node;
	bool is_map, flow, have_key;
	bool blank_val;		/* a blank line came before the key */
	bool compact;		/* indentless sequence */
	bool hashed;		/* its keys are in the duplicate-key set */
	unsigned col;		/* column of the block's items */
	unsigned long born;	/* event number that opened it */
	long anchor;		/* index in the anchor table, or -1 */
	size_t nodes_at;	/* node count when it opened */
};

struct pcomment {
	struct seal__node *c;
	unsigned col;
	unsigned long seen;
	bool inl;
	bool after_dash;	/* below a "-" of the same gap: the item's */
};

struct anchor {
	char *name;
	struct seal__node *node;
	size_t count;	/* nodes in the subtree; 0 while still open */
	bool measured;	/* height and bytes below are known */
	unsigned height; /* collection levels in the subtree (0: scalar) */
	size_t bytes;	/* key and scalar bytes in the subtree */
};

/* maps up to this many items are checked for duplicates linearly */
#define DUP_LINEAR 16

struct dupent {
	const struct seal__node *map;
	const char *key;
	uint32_t keylen;
	uint32_t h;	/* high bits of the hash: most misses stop here */
};

struct rd {
	seal_ctx *ctx;
	struct seal__tree *t;
	struct seal__limits lim;
	const char *buf;
	size_t len;
	/* mark.index (characters) to byte offset */
	size_t cidx, boff, base;
	size_t bomc;		/* 1 if a BOM starts the input */
	/* open containers */
	struct frame *st;
	size_t depth, capst;
	/* comments seen, not yet placed */
	struct pcomment *pc;
	size_t npc, cappc;
	bool pending_blank;
	bool dash_blank;	/* a blank line came right before a "- " */
	bool dash_before;	/* the last event ended on an item's "-" */
	unsigned long evno;
	size_t nodes;
	size_t expanded;	/* key and scalar bytes copied by aliases */
	struct seal__doc *doc;
	size_t prev_end;	/* byte offset of the previous event's end */
	uint32_t prev_line;	/* its line */
	int prev_content;	/* 1: scalar/alias/end, 2: container start */
	bool root_seen;
	/* anchors of the current document, open addressing */
	struct anchor *an;
	size_t nan, capan;
	/* (map, key) set for duplicate detection */
	struct dupent *dup;
	size_t ndup, capdup;
	struct seal__bigmem dupmem;	/* dup's memory when it is big */
	int detect_indent;
	bool ascii;		/* no byte >= 0x80: offsets are indexes */
};

/* yaml-index.c */
void seal__yaml_dup_free(struct rd *r);

/* yaml-read.c */
seal_rc seal__yaml_oom(struct rd *r);
seal_rc seal__yaml_count_node(struct rd *r, size_t n, uint32_t line);

/* yaml-build.c: open a collection; attach a value; add a map key */
seal_rc seal__yaml_push_frame(struct rd *r, struct seal__node *n, bool is_map,
    bool flow, unsigned col, uint32_t line);
seal_rc seal__yaml_attach(struct rd *r, struct seal__node *n, uint32_t line);
seal_rc seal__yaml_add_key(struct rd *r, struct frame *f, const char *k,
    size_t kl, uint8_t style, uint32_t line);

/* yaml-index.c: anchors of the current document; (map, key) pairs */
void seal__yaml_anchors_clear(struct rd *r);
long seal__yaml_anchor_find(struct rd *r, const char *name);
long seal__yaml_anchor_set(struct rd *r, const char *name,
    struct seal__node *n, size_t count);
/* 1 if (map, key) was already there, 0 if added, -1 on out-of-memory */
int seal__yaml_dup_add(struct rd *r, const struct seal__node *map,
    const char *k, size_t kl);

/* yaml-comments.c: comments found between events and where they go */
int seal__yaml_pc_push(struct rd *r, struct seal__node *c, unsigned col,
    bool inl, bool after_dash);
seal_rc seal__yaml_flush_into(struct rd *r, struct frame *f, size_t n);
seal_rc seal__yaml_flush_seq(struct rd *r, struct seal__node **list);
seal_rc seal__yaml_flush_foot(struct rd *r);
seal_rc seal__yaml_scan_gap(struct rd *r, size_t a, size_t b, uint32_t line);
seal_rc seal__yaml_hoist_lone_comments(struct rd *r, struct seal__node *n);

#endif
