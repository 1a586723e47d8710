/* SPDX-License-Identifier: ISC */
/*
 * stores/yaml.h - what the YAML store's files share: plain-scalar type
 * resolution as go-yaml v3 does it (yaml-resolve.c), used by the reader
 * to type scalars and by the writer to decide when a string needs quotes.
 */
#ifndef SEAL_YAML_INTERNAL_H
#define SEAL_YAML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "stores/tree.h"

/* How a plain scalar resolves. */
enum seal__yaml_res {
	SEAL_YR_STR = 0,
	SEAL_YR_INT,
	SEAL_YR_FLOAT,
	SEAL_YR_BOOL,
	SEAL_YR_TIME,
	SEAL_YR_NULL,
	SEAL_YR_MERGE,	  /* "<<" */
	SEAL_YR_BIGINT,	  /* integer syntax that does not fit 64 bits */
};

/* Resolve an untagged plain scalar (s, len) the way go-yaml v3 does. */
enum seal__yaml_res seal__yaml_resolve(const char *s, size_t len);

/* go-yaml quotes these strings although YAML 1.2 reads them as strings:
 * YAML 1.1 booleans (yes/no/on/off/y/n) and base-60 floats (1:20). */
bool seal__yaml_needs_compat_quote(const char *s, size_t len);

/* Map a resolution onto the tree's scalar type. */
enum seal__type seal__yaml_res_type(enum seal__yaml_res r);

#endif
