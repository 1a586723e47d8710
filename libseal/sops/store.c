/* SPDX-License-Identifier: ISC */
/*
 * sops/store.c - choosing a store as sops does: from the file name's
 * extension (.yaml/.yml, .json, .env, .ini, anything else binary) or a
 * --input-type/--output-type word, and the parse/emit function of each.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "sops/sops.h"

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

enum seal__format
seal__format_from_path(const char *path)
{
	if (path == NULL)
		return SEAL_FMT_BINARY;
	if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
		return SEAL_FMT_YAML;
	if (ends_with(path, ".json"))
		return SEAL_FMT_JSON;
	if (ends_with(path, ".env"))
		return SEAL_FMT_DOTENV;
	if (ends_with(path, ".ini"))
		return SEAL_FMT_INI;
	return SEAL_FMT_BINARY;
}

enum seal__format
seal__format_from_name(const char *name)
{
	static const struct {
		const char *name;
		enum seal__format fmt;
	} names[] = {
	    {"yaml", SEAL_FMT_YAML},
	    {"yml", SEAL_FMT_YAML},
	    {"json", SEAL_FMT_JSON},
	    {"dotenv", SEAL_FMT_DOTENV},
	    {"env", SEAL_FMT_DOTENV},
	    {"binary", SEAL_FMT_BINARY},
	    {"ini", SEAL_FMT_INI},
	};
	size_t i;

	for (i = 0; name != NULL && i < SEAL__ARRAY_LEN(names); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].fmt;
	return 0;
}

seal__parse_fn
seal__store_parser(enum seal__format fmt)
{
	switch (fmt) {
	case SEAL_FMT_YAML:
		return seal__yaml_parse;
	case SEAL_FMT_JSON:
		return seal__json_parse;
	case SEAL_FMT_DOTENV:
		return seal__dotenv_parse;
	case SEAL_FMT_BINARY:
		return seal__binary_parse;
	default:
		return NULL;
	}
}

seal__emit_fn
seal__store_emitter(enum seal__format fmt)
{
	switch (fmt) {
	case SEAL_FMT_YAML:
		return seal__yaml_emit;
	case SEAL_FMT_JSON:
		return seal__json_emit;
	case SEAL_FMT_DOTENV:
		return seal__dotenv_emit;
	case SEAL_FMT_BINARY:
		return seal__binary_emit;
	default:
		return NULL;
	}
}
