/* SPDX-License-Identifier: ISC */
/*
 * cmd-edit.c - seal edit: decrypt into a private temporary file (0600,
 * in /dev/shm when available), run $SOPS_EDITOR / $EDITOR, and re-seal
 * with the same data key and IV stash, so only changed values change.
 * The temporary directory is wiped and removed on every way out: the
 * editor failing to start or exiting non-zero, an edit that does not
 * parse, and SIGINT/SIGTERM/SIGHUP while the editor runs (as git does,
 * SIGINT and SIGQUIT are the editor's own business: seal waits for it;
 * SIGTERM and SIGHUP are passed on to it; either way seal then cleans up
 * and dies of the signal). Only SIGKILL can leave the plaintext behind,
 * in memory-backed /dev/shm.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/keys.h"
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
    "you did not change keep their exact ciphertext. If the editor fails,\n"
    "is interrupted, or your edit does not parse, the file is left\n"
    "untouched and the temporary file is wiped (on a terminal, an edit\n"
    "that does not parse reopens the editor first).\n";

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

/* Overwrite a regular file with zeros (it may sit on a disk). */
static void
zero_file(int dfd, const char *name)
{
	static const char zero[4096];
	struct stat st;
	off_t left;
	int fd = openat(dfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		for (left = st.st_size; left > 0;) {
			size_t k = left > (off_t)sizeof(zero) ? sizeof(zero)
							      : (size_t)left;
			if (write(fd, zero, k) <= 0)
				break;
			left -= (off_t)k;
		}
		fsync(fd);
	}
	close(fd);
}

/*
 * Wipe and remove everything in our private directory (the edit, and
 * whatever the editor left beside it: swap and backup files), then the
 * directory itself.
 */
static void
wipe_dir_at(int dfd, int depth)
{
	struct dirent *de;
	DIR *d = fdopendir(dfd);

	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode) && depth < 8) {
			int sub = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				wipe_dir_at(sub, depth + 1);
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
			continue;
		}
		if (S_ISREG(st.st_mode))
			zero_file(dirfd(d), de->d_name);
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

static void
wipe_temp(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd >= 0)
		wipe_dir_at(dfd, 0);
	rmdir(dir);
}

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t got_signal;
static const int edit_signals[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };

static void
on_signal(int sig)
{
	if (got_signal == 0 || sig == SIGTERM || sig == SIGHUP)
		got_signal = sig;
}

/* From here on a signal is only noted: the edit is cleaned up first. */
static void
catch_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waitpid sees EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(edit_signals) / sizeof(*edit_signals); i++)
		sigaction(edit_signals[i], &sa, NULL);
}

/* Die of the signal we were sent (after cleaning up). */
static void
reraise(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	raise(sig);
	_exit(128 + sig);
}

static int
run_editor(const char *file)
{
	const char *ed = getenv("SOPS_EDITOR");
	char **argv = NULL, **full;
	bool forwarded = false;
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
	/* SIGINT and SIGQUIT are the editor's (vi takes ^C as a key);
	 * SIGTERM and SIGHUP end the edit: pass them on, then wait */
	for (;;) {
		pid_t w = waitpid(pid, &status, 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			error("cannot wait for the editor: %s",
			    strerror(errno));
			keys_free_argv(argv);
			return -1;
		}
		if ((got_signal == SIGTERM || got_signal == SIGHUP) &&
		    !forwarded) {
			kill(pid, got_signal);
			forwarded = true;
		}
	}
	keys_free_argv(argv);
	if (got_signal == SIGINT || got_signal == SIGQUIT)
		got_signal = 0; /* the editor's: it decided what to do */
	if (got_signal != 0)
		return -1;
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		error("the editor was killed by signal %d", sig);
		if (sig == SIGINT || sig == SIGQUIT)
			got_signal = sig; /* ^C: die of it as well */
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		error("the editor exited with status %d%s",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    WIFEXITED(status) && WEXITSTATUS(status) == 127
			? " (could it be started?)"
			: "");
		return -1;
	}
	return 0;
}

/*
 * On a terminal, an edit that does not parse sends the user back to the
 * editor, as sops does. true: go back; false: give up.
 */
static bool
ask_reopen(void)
{
	char line[16];
	ssize_t n;

	if (!isatty(0) || !isatty(2))
		return false;
	fprintf(stderr, "Press Enter to return to the editor, or Ctrl-C "
			"to give up the edit: ");
	n = read(0, line, sizeof(line));
	return n > 0 && got_signal == 0;
}

static void
free_edit(unsigned char **after, size_t alen)
{
	if (*after != NULL) {
		sodium_memzero(*after, alen);
		free_secure(*after);
		*after = NULL;
	}
}

/*
 * Run the editor on file until what it leaves parses and replaces f's
 * tree (before: what the file held; an edit that changes nothing ends
 * the command). Returns -1 to re-seal, else an exit code.
 */
static int
edit_loop(seal_ctx *ctx, seal_sops_file *f, const char *path,
    const char *file, const seal_secbuf *before)
{
	seal_sops_file *edited;
	unsigned char *after = NULL;
	size_t alen = 0;
	int ec = -1;
	seal_rc rc;

	for (;;) {
		if (got_signal != 0 || run_editor(file) != 0) {
			if (got_signal == 0)
				error("%s is untouched; the edit is discarded",
				    path);
			ec = sops_compat ? 1 : EXIT_TROUBLE;
			break;
		}
		free_edit(&after, alen);
		if (read_file_secure(file, 64u << 20, &after, &alen) != 0) {
			ec = EXIT_TROUBLE;
			break;
		}
		if (alen == seal_secbuf_len(before) &&
		    (alen == 0 ||
		        sodium_memcmp(after, seal_secbuf_data(before), alen) ==
		            0)) {
			sops_note("%s: file unchanged, nothing to do", path);
			ec = sops_compat ? 200 : EXIT_OK;
			break;
		}
		edited = NULL;
		rc = seal_sops_load(ctx, after, alen, seal_sops_format(f), path,
		    &edited);
		if (rc == SEAL_OK) /* takes edited, leaves f as it was on error */
			rc = seal_sops_replace(ctx, f, edited);
		if (rc == SEAL_OK)
			break;
		error("%s", seal_ctx_errmsg(ctx));
		if (!ask_reopen()) {
			error("%s is untouched; the edit is discarded", path);
			ec = sops_compat ? 1 : EXIT_TROUBLE;
			break;
		}
	}
	free_edit(&after, alen);
	return ec;
}

int
cmd_edit(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_BOOL(0, "ignore-mac", &o.ignore_mac,
		    "do not fail on a MAC mismatch"),
		SOPS_OPT_REWRITE(&o),
		OPT_END(),
	};
	const struct opt_cmd cmd = SOPS_CMD("seal edit", usage, desc, opts,
	    footer);
	seal_secbuf *before = seal_secbuf_new();
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	char *dir = NULL, *file = NULL;
	const char *path;
	int ec;
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
	if (before == NULL) {
		error("out of memory");
		ec = EXIT_TROUBLE;
		goto out;
	}
	rc = seal_sops_write(ctx, f, seal_sops_format(f),
	    o.indent > 0 ? o.indent : 0, seal_secbuf_write, before);
	if (rc != SEAL_OK) {
		ec = sops_fail(ctx, rc, false);
		goto out;
	}
	catch_signals();
	if (make_temp(path, &dir, &file) != 0 ||
	    write_temp(
	        file, seal_secbuf_data(before), seal_secbuf_len(before)) != 0) {
		ec = EXIT_TROUBLE;
		goto out;
	}
	if ((ec = edit_loop(ctx, f, path, file, before)) >= 0)
		goto out;
	if ((rc = seal_sops_reencrypt(ctx, f)) != SEAL_OK) {
		ec = sops_fail(ctx, rc, false);
		error("%s is untouched; the edit is discarded", path);
		goto out;
	}
	ec = 0;
	if (got_signal == 0) {
		ec = sops_emit(ctx, &o, path, f, true, NULL);
		if (ec != 0)
			error("%s is untouched; the edit is discarded", path);
	}
out:
	if (dir != NULL)
		wipe_temp(dir);
	free(file);
	free(dir);
	seal_secbuf_free(before);
	sops_end(ctx, f, id, &o);
	if (got_signal != 0)
		reraise(got_signal);
	return ec;
}
