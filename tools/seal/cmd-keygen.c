/* SPDX-License-Identifier: ISC */
/*
 * cmd-keygen.c - `seal keygen`, a drop-in for age-keygen: make an X25519
 * identity (file mode 0600, never overwriting), or with -y print the
 * recipients of an identity file. It does not encrypt anything.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools/seal/cmd-age.h"
#include "tools/common/cmd.h"
#include "tools/common/options.h"
#include "tools/common/util.h"

static int
open_output(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			error("refusing to overwrite existing file '%s'; "
			      "remove it or choose another -o", path);
		else
			error("cannot create '%s': %s", path, strerror(errno));
	}
	return fd;
}

static int
convert(const char *in, const char *out)
{
	seal_identity *id = NULL;
	seal_ctx *ctx = NULL;
	size_t i, n;
	char *r;
	int fd = 1, rc;

	if (seal_ctx_new(&ctx) != SEAL_OK)
		die(EXIT_TROUBLE, "out of memory");
	if ((rc = age_load_identity_file(ctx, in, &id)) != EXIT_OK)
		goto out;
	rc = EXIT_TROUBLE;
	if (out != NULL && (fd = open_output(out)) < 0)
		goto out;
	n = seal_identity_count(id);
	for (i = 0; i < n; i++) {
		if (seal_identity_recipient(ctx, id, i, &r) != SEAL_OK)
			continue; /* passphrases have none */
		if (fd_write_fn(&fd, r, strlen(r)) != 0 ||
		    fd_write_fn(&fd, "\n", 1) != 0) {
			free(r);
			error("cannot write output: %s", strerror(errno));
			goto out;
		}
		free(r);
	}
	rc = EXIT_OK;
out:
	if (fd > 1)
		close(fd);
	seal_identity_free(id);
	seal_ctx_free(ctx);
	return rc;
}

static int
generate(const char *out)
{
	seal_identity *id = NULL;
	seal_ctx *ctx = NULL;
	struct stat st;
	char *r = NULL, head[256], ts[64];
	time_t now = time(NULL);
	struct tm tm;
	int fd = 1, rc = EXIT_TROUBLE;

	if (seal_ctx_new(&ctx) != SEAL_OK ||
	    seal_identity_generate(ctx, &id) != SEAL_OK ||
	    seal_identity_recipient(ctx, id, 0, &r) != SEAL_OK) {
		error("cannot generate a key: %s", seal_ctx_errmsg(ctx));
		goto out;
	}
	if (out != NULL && (fd = open_output(out)) < 0)
		goto out;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 0004))
		warn("writing secret key to a world-readable file");
	if (isatty(fd))
		warn("writing secret key to a terminal; use -o FILE to keep "
		     "it off the screen");
	else
		fprintf(stderr, "Public key: %s\n", r);
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* RFC 3339 wants the offset as +hh:mm */
	if (strlen(ts) == 24) {
		memmove(ts + 23, ts + 22, 3);
		ts[22] = ':';
	}
	snprintf(head, sizeof(head), "# created: %s\n# public key: %s\n", ts,
	    r);
	if (fd_write_fn(&fd, head, strlen(head)) != 0 ||
	    seal_identity_write(ctx, id, 0, fd_write_fn, &fd) != SEAL_OK) {
		error("cannot write the key to '%s': %s",
		    out ? out : "stdout", strerror(errno));
		goto out;
	}
	if (fd > 1 && (fsync(fd) != 0 || close(fd) != 0)) {
		fd = -1;
		error("cannot write '%s': %s", out, strerror(errno));
		goto out;
	}
	fd = -1;
	rc = EXIT_OK;
out:
	if (fd > 1)
		close(fd);
	free(r);
	seal_identity_free(id);
	seal_ctx_free(ctx);
	return rc;
}

static const char *const usage[] = {
	"[-o OUTPUT]",
	"-y [-o OUTPUT] [INPUT]",
	NULL,
};

int
cmd_keygen(int argc, char **argv)
{
	const char *out = NULL;
	bool conv = false;
	const struct opt opts[] = {
		OPT_STRING('o', "output", &out, "OUTPUT",
		    "write the result to OUTPUT (created 0600;\n"
		    "an existing file is never overwritten)"),
		OPT_BOOL('y', "convert", &conv,
		    "print the recipient (public key) of each\n"
		    "identity in INPUT (default: stdin)"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal keygen", .usage = usage,
		.opts = opts, .flags = OPT_CMD_STOP_AT_OPERAND };

	harden_process();
	if ((argc = opt_parse(&cmd, argc, argv)) < 0)
		return opt_exit(argc);
	if (conv) {
		if (argc > 1)
			return opt_misuse(&cmd, "-y takes one INPUT");
		return convert(argc == 1 ? argv[0] : "-", out);
	}
	if (argc != 0)
		return opt_misuse(&cmd, "unexpected argument '%s'", argv[0]);
	return generate(out);
}
