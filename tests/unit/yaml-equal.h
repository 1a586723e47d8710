/* SPDX-License-Identifier: ISC */
/*
 * yaml-equal.h - the round-trip oracle of the YAML tests and fuzz target
 * (not part of the library: it judges the library's output).
 */
#ifndef SEAL_TESTS_YAML_EQUAL_H
#define SEAL_TESTS_YAML_EQUAL_H

#include "stores/yaml.h"

/*
 * Do two trees hold the same YAML (what a round trip must
 * keep: documents, kinds, types, texts, keys, tags, comments and their
 * placement flags; not line numbers, not quoting styles)? On a
 * difference writes a short description (a path, never a value) to why.
 */
bool seal__yaml_tree_equal(const struct seal__tree *a,
    const struct seal__tree *b, char *why, size_t whylen);

#endif
