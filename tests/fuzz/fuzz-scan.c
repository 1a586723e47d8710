/* SPDX-License-Identifier: ISC */
/*
 * fuzz-scan.c - libFuzzer target for the scanner on untrusted bytes: the
 * rules, the forgiving YAML reader, the Kubernetes/SOPS checks and the
 * libseal lint bridge. The first byte picks the file name (YAML, JSON,
 * dotenv, other), so every path through scan_buffer is reached.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/report.h"
#include "hooks/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scan_engine *e;
	static struct scan_worker *w;
	static const char *const names[] = { "a.yaml", "a.json", ".env",
		"a.txt", "k.yaml.j2", "clusters/prod/s.yaml" };
	static seal_sops_config *sr;
	struct scan_results r = { 0 };
	size_t i;
	char err[128];

	if (e == NULL) {
		static const char cfg[] = "creation_rules:\n"
					  "  - path_regex: prod/.*\n"
					  "    age: age1abc\n";
		struct scan_opts o = { .max_size = 1u << 20 };
		seal_ctx *ctx = NULL;
		if (seal_ctx_new(&ctx) != SEAL_OK ||
		    seal_sops_config_parse(ctx, cfg, sizeof(cfg) - 1, "",
			".sops.yaml", &sr) != SEAL_OK)
			abort();
		seal_ctx_free(ctx);
		o.sops = sr;
		e = scan_engine_new(&o, err, sizeof(err));
		w = e ? scan_worker_new(e) : NULL;
		if (w == NULL)
			abort();
	}
	if (size == 0)
		return 0;
	if (scan_buffer(w, names[data[0] % 6], (const char *)data + 1,
		size - 1, &r) < 0)
		abort();
	scan_dedupe(&r);
	for (i = 0; i < r.n; i++) {
		/* findings are well-formed: a rule, a hex fingerprint */
		if (r.v[i].rule == NULL || strlen(r.v[i].fp) != SCAN_FP_HEX)
			abort();
	}
	scan_results_free(&r);
	return 0;
}
