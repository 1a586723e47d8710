/* SPDX-License-Identifier: ISC */
/*
 * fuzz-scan-config.c - libFuzzer target for the scanner's config parsers:
 * .sealignore (and matching against a few paths), the baseline file,
 * .sops.yaml creation rules and .seal-scan.toml (the repository's rules,
 * applied to a short buffer when they parse). Each must accept or reject with a message,
 * never crash or leak.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char err[256] = "";
	struct scan_ignore *ig;
	struct scan_baseline *bl;
	seal_sops_config *sr = NULL;
	seal_ctx *ctx = NULL;
	struct scan_config *cfg;

	ig = scan_ignore_parse(buf, size, err, sizeof(err));
	if (ig) {
		(void)scan_ignore_match(ig, "a/b/c.yaml");
		(void)scan_ignore_match(ig, "vendor/x");
		(void)scan_ignore_match(ig, "x");
		scan_ignore_free(ig);
	} else if (err[0] == '\0')
		abort(); /* a rejection always says why */
	err[0] = '\0';
	bl = scan_baseline_parse(buf, size, err, sizeof(err));
	if (bl) {
		struct scan_baseline_entry e;
		size_t i;
		/* the entries as an audit lists them (no key derivation:
		 * Argon2id per input would starve the fuzzer) */
		for (i = 0; scan_baseline_entry(bl, i, &e); i++)
			if (e.path[0] == '\0' || e.rule[0] == '\0')
				abort();
		scan_baseline_free(bl);
	} else if (err[0] == '\0')
		abort();
	err[0] = '\0';
	/* .sops.yaml: libseal's reader, the one seal encrypt uses */
	if (seal_ctx_new(&ctx) != SEAL_OK)
		abort();
	if (seal_sops_config_parse(ctx, buf, size, "", ".sops.yaml", &sr) ==
	    SEAL_OK) {
		const seal_sops_rule *rule = NULL;
		(void)seal_sops_config_match(ctx, sr, "a/b/c.yaml", &rule);
		seal_sops_config_free(sr);
	} else if (seal_ctx_errmsg(ctx)[0] == '\0')
		abort();
	seal_ctx_free(ctx);
	err[0] = '\0';
	cfg = scan_config_parse(buf, size, err, sizeof(err));
	if (cfg) {
		static const char text[] = "token = \"acme_0123456789abcdef\"\n"
					   "password: Xk9#mP2$vQ\n";
		struct scan_results res = { 0 };
		size_t i;
		(void)scan_results_add(&res, "a/b.txt", 2, "generic-secret",
		    "x", "", (const unsigned char *)text + 41, 10, false);
		(void)scan_config_apply(cfg, "a/b.txt", text, sizeof(text) - 1,
		    false, &res, 0);
		for (i = 0; i < res.n; i++)
			res.v[i].sec = NULL;
		scan_results_free(&res);
		scan_config_free(cfg);
	} else if (err[0] == '\0')
		abort();
	return 0;
}
