/* SPDX-License-Identifier: ISC */
/*
 * cmd-edit.c - seal edit: decrypt into a private temporary file (0600,
 * in /dev/shm when available), run $SOPS_EDITOR / $EDITOR, and re-seal
 * with the same data key and IV stash, so only changed values change.
 * If the editor fails or the edit does not parse, the original stays
 * untouched and the temporary file is kept for the user.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/discover.h"
#include "core/core.h"
#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[--input-type T] [--indent N] [--ignore-mac] file",
	NULL,
};

static const char desc[] =
    "Decrypt the file into a private temporary file (mode 0600, in\n"
    "/dev/shm when available, else $TMPDIR), open it in $SOPS_EDITOR or\n"
    "$EDITOR (default vi), and re-seal it when the editor exits. Values\n"
    "you did not change keep their exact ciphertext. If the editor fails\n"
    "or your edit does not parse, the file is left untouched and you are\n"
    "told where your edit is.\n";

static const char footer[] =
    "Exit status: 0 saved or unchanged, 1 bad MAC or no matching key,\n"
    "2 trouble (editor failed, edit did not parse).\n";

static int
make_temp(const char *path, char **dir_out, char **file_out)
{
	const char *base = strrchr(path, '/'), *tmp = getenv("TMPDIR");
	char *dir = NULL, *file = NULL;
	struct stat st;

	base = base ? base + 1 : path;
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	else if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (asprintf(&dir, "%s/seal-edit.XXXXXX", tmp) < 0)
		return -1;
	if (mkdtemp(dir) == NULL) {
		error("cannot make a private directory in %s: %s", tmp,
		    strerror(errno));
		free(dir);
		return -1;
	}
	if (asprintf(&file, "%s/%s", dir, base) < 0) {
		rmdir(dir);
		free(dir);
		return -1;
	}
	*dir_out = dir;
	*file_out = file;
	return 0;
}

static int
write_temp(const char *file, const void *buf, size_t len)
{
	int fd = open(
	    file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	const char *p = buf;

	if (fd < 0) {
		error("cannot create '%s': %s", file, strerror(errno));
		return -1;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			error("cannot write '%s': %s", file, strerror(errno));
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

/* Overwrite with zeros, then remove the file and its directory. */
static void
wipe_temp(const char *dir, const char *file)
{
	struct stat st;
	int fd = open(file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0) {
		if (fstat(fd, &st) == 0 && st.st_size > 0) {
			static const char zero[4096];
			off_t left = st.st_size;
			while (left > 0) {
				size_t k = left > (off_t)sizeof(zero)
				    ? sizeof(zero)
				    : (size_t)left;
				if (write(fd, zero, k) <= 0)
					break;
				left -= (off_t)k;
			}
			fsync(fd);
		}
		close(fd);
	}
	unlink(file);
	rmdir(dir);
}

static int
run_editor(const char *file)
{
	const char *ed = getenv("SOPS_EDITOR");
	char **argv = NULL, **full;
	int n, status;
	pid_t pid;

	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	n = keys_split_argv(ed, &argv);
	if (n <= 0) {
		keys_free_argv(argv);
		error("cannot parse the editor command '%s'", ed);
		return -1;
	}
	full = calloc((size_t)n + 2, sizeof(*full));
	if (full == NULL) {
		keys_free_argv(argv);
		return -1;
	}
	memcpy(full, argv, (size_t)n * sizeof(*full));
	full[n] = (char *)file;
	pid = fork();
	if (pid == 0) {
		execvp(full[0], full);
		fprintf(stderr, "%s: cannot run editor '%s': %s\n", progname,
		    full[0], strerror(errno));
		_exit(127);
	}
	free(full);
	if (pid < 0) {
		keys_free_argv(argv);
		error("cannot start the editor: %s", strerror(errno));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	keys_free_argv(argv);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		error("the editor exited with status %d",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

int
cmd_edit(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_BOOL(0, "ignore-mac", &o.ignore_mac,
		    "do not fail on a MAC mismatch"),
		SOPS_OPT_TYPES(&o),
		SOPS_OPT_INDENT(&o),
		SOPS_OPT_CONFIG(&o),
		SOPS_OPT_QUIET(),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal edit", .usage = usage,
		.desc = desc, .opts = opts, .footer = footer,
		.flags = OPT_CMD_STOP_AT_OPERAND };
	struct seal__secbuf before = SEAL__SECBUF_INIT;
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL, *edited = NULL;
	seal_identity *id = NULL;
	unsigned char *after = NULL;
	size_t alen = 0;
	char *dir = NULL, *file = NULL;
	const char *path;
	bool keep = false;
	int ec, fmt;
	seal_rc rc;

	harden_process();
	ec = sops_begin(&cmd, argc, argv, &o, 1, 1, "one file", &ctx);
	if (ec >= 0)
		goto out;
	path = o.files[0];
	ec = sops_open(ctx, &o, path, o.ignore_mac ? SEAL_SOPS_IGNORE_MAC : 0,
	    &f, &id);
	if (ec != 0)
		goto out;
	fmt = seal_sops_format(f);
	rc = seal_sops_write(ctx, f, fmt, o.indent > 0 ? o.indent : 0,
	    seal__secbuf_writer, &before);
	if (rc != SEAL_OK) {
		ec = sops_fail(ctx, rc, false);
		goto out;
	}
	if (make_temp(path, &dir, &file) != 0 ||
	    write_temp(
	        file, before.buf ? (void *)before.buf : "", before.len) != 0) {
		ec = EXIT_TROUBLE;
		goto out;
	}
	if (run_editor(file) != 0) {
		keep = true;
		error("%s is untouched; your edit is in %s; fix it and run "
		      "'seal encrypt' on it, or run 'seal edit %s' again",
		    path, file, path);
		ec = sops_compat ? 1 : EXIT_TROUBLE;
		goto out;
	}
	if (read_file_secure(file, 64u << 20, &after, &alen) != 0) {
		keep = true;
		ec = EXIT_TROUBLE;
		goto out;
	}
	if (alen == before.len &&
	    (alen == 0 || sodium_memcmp(after, before.buf, alen) == 0)) {
		sops_note("%s: file unchanged, nothing to do", path);
		ec = sops_compat ? 200 : EXIT_OK;
		goto out;
	}
	rc = seal_sops_load(ctx, after, alen, fmt, path, &edited);
	if (rc == SEAL_OK)
		rc = seal_sops_replace(ctx, f, edited);
	if (rc != SEAL_OK) {
		keep = true;
		error("%s", seal_ctx_errmsg(ctx));
		error("%s is untouched; your edit is in %s; run 'seal edit "
		      "%s' again and paste it back, or fix it there",
		    path, file, path);
		ec = sops_compat ? 1 : EXIT_TROUBLE;
		goto out;
	}
	if ((rc = seal_sops_reencrypt(ctx, f)) != SEAL_OK) {
		keep = true;
		ec = sops_fail(ctx, rc, false);
		error("%s is untouched; your edit is in %s", path, file);
		goto out;
	}
	ec = sops_emit(ctx, &o, path, f, true, NULL);
	if (ec != 0) {
		keep = true;
		error("%s is untouched; your edit is in %s", path, file);
	}
out:
	if (file != NULL && !keep)
		wipe_temp(dir, file);
	free(file);
	free(dir);
	if (after != NULL) {
		sodium_memzero(after, alen);
		free_secure(after);
	}
	seal__secbuf_free(&before);
	seal_identity_free(id);
	seal_sops_free(f);
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
