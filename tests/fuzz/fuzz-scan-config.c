/* SPDX-License-Identifier: ISC */
/*
 * fuzz-scan-config.c - libFuzzer target for the scanner's config parsers:
 * .sealignore (and matching against a few paths), the baseline file and
 * .sops.yaml creation rules. Each must accept or reject with a message,
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
	struct sops_rules *sr;

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
		(void)scan_baseline_has(bl, "0123456789abcdef");
		scan_baseline_free(bl);
	} else if (err[0] == '\0')
		abort();
	err[0] = '\0';
	sr = sops_rules_parse(buf, size, "", err, sizeof(err));
	if (sr == NULL && err[0] == '\0')
		abort();
	sops_rules_free(sr);
	return 0;
}
