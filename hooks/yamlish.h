/* SPDX-License-Identifier: ISC */
/*
 * yamlish.h - the scanner's forgiving line reader for YAML-shaped text.
 * Entries point into the caller's buffer, which must outlive them. Each
 * entry is a "key: value" line or a "- scalar" item; parent is the index
 * of the enclosing container key (-1 at the top of a document).
 */
#ifndef SEAL_HOOKS_YAMLISH_H
#define SEAL_HOOKS_YAMLISH_H

#include <stdbool.h>
#include <stddef.h>

#define YL_MAX_ENTRIES (1u << 22)

struct yl_ent {
	const char *key;	/* NULL for a "- scalar" item */
	size_t keylen;
	const char *val;	/* block scalars: the first content line */
	size_t vallen;		/* 0: empty or a container */
	int parent;
	unsigned depth;
	unsigned line;		/* of the value */
	unsigned doc;
	bool seq;		/* the line began a "- " item */
	bool quoted;
	bool block;
};

struct yl_doc {
	struct yl_ent *v;
	size_t n, cap;
	unsigned ndocs;
};

/* 0, or -1 on out-of-memory or more than YL_MAX_ENTRIES entries. */
int yl_parse(const char *buf, size_t len, struct yl_doc *y);
void yl_free(struct yl_doc *y);
bool yl_key_is(const struct yl_ent *e, const char *k);
const struct yl_ent *yl_root(const struct yl_doc *y, const struct yl_ent *e);
/* Is some ancestor of e the key k? */
bool yl_under(const struct yl_doc *y, const struct yl_ent *e, const char *k);
/* "a.b.c" into out; returns its length. */
size_t yl_path(const struct yl_doc *y, const struct yl_ent *e, char *out,
    size_t outlen);

#endif
