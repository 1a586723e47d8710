/* SPDX-License-Identifier: ISC */
/*
 * sops/file.h - the insides of seal_sops_file and seal_sops_params,
 * shared by sops/file.c (key, MAC, sealing), sops/write.c (the sops
 * block and output) and sops/path.c (set/unset/extract).
 *
 * Invariants: t holds the documents without their sops block; sealed
 * says whether t's selected values are ENC (true after load of a sealed
 * file and after any encryption); everything taken from the metadata is
 * copied out of t (strings malloc'd, other master key lists cloned into
 * mt), so t can be replaced by an edited tree; key is secure memory.
 */
#ifndef SEAL_SOPS_FILE_H
#define SEAL_SOPS_FILE_H

#include "sops/sops.h"

struct seal__file_age {
	char *recipient;
	char *enc; /* armored age file (not secret) */
};

struct seal_sops_file {
	struct seal__tree *t;
	struct seal__tree *mt;       /* cloned non-age key lists */
	enum seal__format fmt;       /* the file's format */
	enum seal__format store_fmt; /* how t was parsed (binary: JSON) */
	char *name;
	bool sealed, has_meta, broken;
	struct seal__sops_key *key; /* NULL until unwrapped/generated */
	struct seal__stash *stash;
	struct seal__file_age *age;
	size_t nage;
	struct {
		const char *name;
		struct seal__node *val;
	} other[8];
	size_t nother, nother_keys;
	enum seal__rule_kind rule_kind;
	struct seal__rule rule;
	bool mac_only;
	char *lastmodified; /* as stored / written */
	char *mac;          /* ENC text, "" if none */
};

struct seal_sops_params {
	char **age;
	size_t nage;
	enum seal__rule_kind rule;
	char *rule_arg;
	bool mac_only;
};

#endif
