/* SPDX-License-Identifier: ISC */
/*
 * sops-stubs.c - TEMPORARY weak fallbacks for the YAML store (branch
 * stores) and the age layer (branch age) so this branch links before
 * they are merged. The real definitions win; this file goes away at the
 * merge.
 */
#include "config.h"

#include "tree.h"

__attribute__((weak)) seal_rc
seal__yaml_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out)
{
	(void)buf;
	(void)len;
	(void)lim;
	*out = NULL;
	return seal__err(ctx, SEAL_EUNSUPPORTED, "YAML store not built yet");
}

__attribute__((weak)) seal_rc
seal__yaml_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg)
{
	(void)t;
	(void)opts;
	(void)write;
	(void)arg;
	return seal__err(ctx, SEAL_EUNSUPPORTED, "YAML store not built yet");
}
