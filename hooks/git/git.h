/* SPDX-License-Identifier: ISC */
/*
 * hooks/git/git.h - a small reader for what the staged check needs from a git
 * repository without libgit2: the index file (hooks/git/index.c) and loose
 * objects, refs and tree objects (hooks/git/objects.c). Anything it does not
 * handle (split or sparse index, packed objects, unusual repository
 * layouts) is reported as GIX_UNSUPPORTED so the caller falls back to
 * libgit2; it never guesses.
 */
#ifndef SEAL_HOOKS_GITINDEX_H
#define SEAL_HOOKS_GITINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GIX_OIDLEN 20
#define GIX_MAX_PATH 4096	   /* longer paths: refused */
#define GIX_MAX_ENTRIES 5000000	   /* index entries */
#define GIX_MAX_INDEX (1024u << 20) /* index file size */
#define GIX_MAX_DEPTH 256	   /* cache-tree and tree nesting */

enum {
	GIX_OK = 0,
	GIX_CORRUPT = -1,     /* malformed: libgit2 gets to say why */
	GIX_UNSUPPORTED = -2, /* valid, but not for this reader */
	GIX_NOMEM = -3,
};

struct gix_entry {
	const char *path; /* NUL-terminated, in the index's buffer or paths */
	uint32_t pathlen;
	uint32_t mode;
	uint32_t mtime_s, mtime_ns, ino, size;
	uint8_t oid[GIX_OIDLEN];
	uint16_t flags; /* stage in bits 12-13 */
	uint16_t xflags; /* v3+: skip-worktree 0x4000, intent-to-add 0x2000 */
};

/* One node of the cache-tree ("TREE") extension. */
struct gix_tree {
	const char *name; /* component, not NUL-terminated */
	uint32_t namelen;
	int32_t entries; /* index entries below; -1: invalidated */
	uint8_t oid[GIX_OIDLEN];
	uint32_t nsub;
	struct gix_tree *child, *next; /* first child, next sibling */
};

struct gix_index {
	uint32_t version;
	size_t n;
	struct gix_entry *e; /* mapped, elen bytes */
	size_t elen;
	char *paths; /* v4: the expanded paths */
	struct gix_tree *tree; /* NULL when the extension is absent */
	struct gix_tree *nodes; /* storage for tree */
	size_t nnodes;
	bool has_unmerged, has_ita;
};

/*
 * Parse an index file held in buf (which must outlive the result):
 * versions 2, 3 and 4, checksum verified, entries sorted, optional
 * extensions skipped, TREE read. GIX_UNSUPPORTED for a split or sparse
 * index, an unknown required extension or a missing checksum
 * (index.skipHash); GIX_CORRUPT for anything malformed. err says why.
 */
int gix_index_parse(const unsigned char *buf, size_t len,
    struct gix_index **out, char *err, size_t errlen);
void gix_index_free(struct gix_index *ix);
/* The stage-0 entry for path, or NULL. */
const struct gix_entry *gix_index_find(const struct gix_index *ix,
    const char *path);

/* hooks/git/objects.c ------------------------------------------------------------- */

struct gix_pack {
	const unsigned char *idx, *pack; /* mapped */
	size_t idxlen, packlen;
	uint32_t n;
};

struct gix_repo {
	struct gix_pack *packs; /* gix_repo_packs() */
	size_t npacks;
	char gitdir[GIX_MAX_PATH];    /* with a trailing '/' */
	char commondir[GIX_MAX_PATH]; /* with a trailing '/' */
	char workdir[GIX_MAX_PATH];   /* with a trailing '/' */
	char indexpath[GIX_MAX_PATH];
};

/* Find the repository as git does from cwd and the environment; only
 * the plain layouts (GIX_UNSUPPORTED for anything else). */
int gix_repo_discover(struct gix_repo *r);
/* Map the pack indexes (objects/pack/NAME.idx) and packs; then close. */
int gix_repo_packs(struct gix_repo *r);
void gix_repo_close(struct gix_repo *r);
/* Read and parse the index; *map is the file, mapped (gix_unmap() it
 * after freeing the index). */
int gix_repo_index(const struct gix_repo *r, struct gix_index **out,
    unsigned char **map, size_t *maplen, char *err, size_t errlen);
void gix_unmap(unsigned char *map, size_t len);
/* HEAD's tree id: GIX_OK, 1 unborn HEAD, or an error. */
int gix_head_tree(const struct gix_repo *r, uint8_t tree[GIX_OIDLEN]);
/*
 * An object of the given type ("blob", "tree", "commit"), loose or in a
 * pack: GIX_OK with *buf (malloc'd, NUL-terminated) and *len; 1 when it
 * is bigger than max (*size tells how big); GIX_UNSUPPORTED if not
 * found or beyond this reader (ask libgit2); GIX_CORRUPT if malformed.
 */
int gix_read_object(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
    const char *type, size_t max, char **buf, size_t *len, uint64_t *size);

/*
 * A loose object's bytes as read from objects/xx/...: the zlib stream of
 * "<type> <size>\0<content>" (whole = false: only its first bytes, when
 * the file is too big to be under max). As gix_read_object.
 */
int gix_loose_decode(const unsigned char *in, size_t inlen, bool whole,
    const char *type, size_t max, char **out, size_t *outlen,
    uint64_t *size);

/* hooks/git/pack.c: an object from a pack (as gix_read_object); a zlib stream
 * started as raw deflate, its header checked */
int gix_pack_read(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
    const char *type, size_t max, char **out, size_t *outlen,
    uint64_t *size);
/*
 * The entry at offset `at` of one pack, deltas resolved within it (a
 * REF_DELTA base is looked up in pk's index): as gix_read_object, with
 * *type the object type (1 commit, 2 tree, 3 blob, 4 tag). Each object
 * of a delta chain is checked against max before it is inflated or
 * built; 1 and *size when one is over. For tests and fuzzing.
 */
int gix_pack_entry(const struct gix_pack *pk, uint64_t at, size_t max,
    int *type, char **out, size_t *len, uint64_t *size);
int gix_inflate(const unsigned char *in, size_t inlen, char *out, size_t n);
int gix_inflate_some(const unsigned char *in, size_t inlen, char *out,
    size_t cap, size_t *got);
/* a whole loose object (libdeflate builds): 2 if its size was guessed
 * too small, else as gix_read_object */
int gix_loose_guess(const unsigned char *in, size_t inlen, const char *type,
    size_t max, char **out, size_t *outlen, uint64_t *size);
struct z_stream_s;
int gix_zstart(struct z_stream_s *z, const unsigned char *in, size_t inlen);
/* A pack delta applied to base: GIX_OK with *out (malloc'd). */
int gix_delta_apply(const char *base, size_t blen, const char *delta,
    size_t dlen, char **out, size_t *olen);

/*
 * hooks/git/diff.c: a tree object's content ("<octal mode> <name>\0<20-byte
 * id>"...) parsed as the staged walk reads it: GIX_OK with the number of
 * entries, or GIX_CORRUPT. For tests and fuzzing.
 */
int gix_tree_check(const char *buf, size_t len, size_t *n);

/* Called for each staged file: path, blob id, mode. Non-zero stops. */
typedef int (*gix_staged_fn)(void *arg, const struct gix_entry *e);
/*
 * What the next commit adds or changes: index entries whose id or mode
 * differ from HEAD's tree (head NULL: unborn, everything). Directories
 * whose cache-tree id equals HEAD's are skipped unread.
 */
int gix_staged(const struct gix_repo *r, const struct gix_index *ix,
    const uint8_t *head, gix_staged_fn fn, void *arg);

#endif
