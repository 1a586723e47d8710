/* SPDX-License-Identifier: ISC */
/*
 * cmd-filter.c - `unseal [FILE|-]...`: the filter. Sealed documents come
 * out decrypted; documents with no sops metadata and no ENC[ value pass
 * through byte for byte; anything half-sealed fails. Every file is read
 * and checked before a byte reaches stdout, so a failure in the last
 * file leaves the output empty.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

extern const struct unseal_mode unseal_filter_mode;

/*
 * A KRM ResourceList (a top-level "kind: ResourceList" line, or its JSON
 * form) is what kustomize hands an exec function. Run as such without
 * "krm" (an exec spec without args: [krm], or a runner that drops them),
 * the filter would echo it back, kustomize would drop the generator's own
 * config from it and render nothing, with exit 0: the silent failure of
 * KSOPS users. So the filter refuses it.
 */
static bool
is_resource_list(const char *buf, size_t len)
{
	static const char yaml[] = "kind: ResourceList";
	const char *p = buf, *end = buf + len, *q;

	for (; p < end; p = q + 1) {
		size_t n;

		if ((q = memchr(p, '\n', (size_t)(end - p))) == NULL)
			q = end;
		n = (size_t)(q - p);
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if ((n == sizeof(yaml) - 1 && memcmp(p, yaml, n) == 0) ||
		    (n == sizeof(yaml) + 1 &&
		        memcmp(p, "kind: \"ResourceList\"", n) == 0))
			return true;
	}
	for (p = buf; (p = memmem(p, (size_t)(end - p), "\"kind\"", 6)); p += 6) {
		for (q = p + 6; q < end && (*q == ' ' || *q == ':' || *q == '\t' ||
		                               *q == '\n' || *q == '\r');
		     q++)
			;
		if (end - q >= 14 && memcmp(q, "\"ResourceList\"", 14) == 0)
			return true;
	}
	return false;
}

int
cmd_filter(int argc, char **argv)
{
	struct unseal_run r = {0};
	char *stdin_arg[] = {(char *)"-", NULL};
	char **files;
	int ec, i, nfiles;

	if ((ec = unseal_options(&r, &argc, argv, &unseal_filter_mode)) >= 0)
		return ec;
	files = argc > 1 ? argv + 1 : stdin_arg;
	nfiles = argc > 1 ? argc - 1 : 1;
	if ((ec = unseal_start(&r)) != 0)
		goto out;
	for (i = 0; i < nfiles; i++) {
		char *buf = NULL;
		size_t len;
		const char *name = strcmp(files[i], "-") == 0 ? "<stdin>"
							       : files[i];
		if (read_file(files[i], r.max_file, &buf, &len) != 0) {
			r.failures++;
			continue;
		}
		if (is_resource_list(buf, len)) {
			error("%s: a KRM ResourceList: the filter does not read "
			      "one; run 'unseal krm' (an exec function needs "
			      "args: [krm])",
			    name);
			free(buf);
			r.failures++;
			continue;
		}
		unseal_bytes(&r, name, 0, (unsigned char *)buf, len, &r.out,
		    NULL);
		free(buf);
	}
	ec = unseal_finish(&r);
out:
	unseal_end(&r);
	return ec;
}
