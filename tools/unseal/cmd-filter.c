/* SPDX-License-Identifier: ISC */
/*
 * cmd-filter.c - `unseal [FILE|-]...`: the filter. Sealed documents come
 * out decrypted; documents with no sops metadata and no ENC[ value pass
 * through byte for byte; anything half-sealed fails. Every file is read
 * and checked before a byte reaches stdout, so a failure in the last
 * file leaves the output empty.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

extern const struct unseal_mode unseal_filter_mode;

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
		unseal_bytes(&r, name, 0, (unsigned char *)buf, len, &r.out,
		    NULL);
		free(buf);
	}
	ec = unseal_finish(&r);
out:
	unseal_end(&r);
	return ec;
}
