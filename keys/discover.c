/* SPDX-License-Identifier: ISC */
/*
 * discover.c - finding age identities the way sops does (spec 8): SSH
 * keys (SOPS_AGE_SSH_PRIVATE_KEY_FILE, else ~/.ssh/id_ed25519 and
 * id_rsa when present), SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the output of
 * SOPS_AGE_KEY_CMD (split into argv, never run through a shell), and the
 * default keys.txt under $XDG_CONFIG_HOME or ~/.config. Every source
 * found is used. Key files readable by group or others are refused
 * (keys_private_file_read, keys/keyfile.h).
 *
 * A library layer below the tools: it reads the environment and files,
 * returns a seal_rc with its message in the seal_ctx, and prints nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/keys.h"
#include "keys/keyfile.h"

#define KEYFILE_MAX (1u << 20)

static seal_rc
merge_text(seal_ctx *ctx, seal_identity **set, const char *buf, size_t len,
    const char *what)
{
	seal_identity *id = NULL;
	char msg[SEAL_KEYS_MSG_MAX];
	seal_rc rc;

	rc = seal_identity_parse(ctx, buf, len, &id);
	if (rc != SEAL_OK) {
		snprintf(msg, sizeof(msg), "%s", seal_ctx_errmsg(ctx));
		return seal_ctx_error(ctx, rc,
		    "cannot read the age identities in %s: %s", what, msg);
	}
	if (seal_identity_merge(set, id) != SEAL_OK)
		return seal_ctx_error(ctx, SEAL_ENOMEM, "out of memory");
	return SEAL_OK;
}

static seal_rc
merge_file(seal_ctx *ctx, seal_identity **set, const char *path, bool quiet)
{
	unsigned char *buf = NULL;
	size_t len;
	char what[600];
	seal_rc rc;

	if ((rc = keys_private_file_read(ctx, path, KEYFILE_MAX, &buf,
	         &len)) != SEAL_OK)
		return rc;
	snprintf(what, sizeof(what), "'%s'", path);
	if (quiet) {
		seal_identity *id = NULL;
		if (seal_identity_parse(ctx, (char *)buf, len, &id) == SEAL_OK)
			rc = seal_identity_merge(set, id) == SEAL_OK
			    ? SEAL_OK
			    : seal_ctx_error(ctx, SEAL_ENOMEM, "out of memory");
		else
			rc = SEAL_OK; /* e.g. a passphrase-protected SSH key */
	} else {
		rc = merge_text(ctx, set, (char *)buf, len, what);
	}
	keys_private_file_free(buf, len);
	return rc;
}

int
keys_split_argv(const char *s, char ***out)
{
	char **argv = NULL, *cur;
	size_t n = 0, cl = 0, slen = strlen(s);
	bool in_word = false;
	char q = 0;

	cur = malloc(slen + 1);
	if (cur == NULL)
		return -1;
	for (;; s++) {
		char c = *s;
		if (c == '\0' || (!q && (c == ' ' || c == '\t' || c == '\n'))) {
			if (in_word) {
				char **na =
				    realloc(argv, (n + 2) * sizeof(*na));
				if (na == NULL)
					goto fail;
				argv = na;
				cur[cl] = '\0';
				if ((argv[n++] = strdup(cur)) == NULL)
					goto fail;
				argv[n] = NULL;
				cl = 0;
				in_word = false;
			}
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (q) {
			if (c == q)
				q = 0;
			else if (c == '\\' && q == '"' &&
			    (s[1] == '"' || s[1] == '\\'))
				cur[cl++] = *++s;
			else
				cur[cl++] = c;
		} else if (c == '\'' || c == '"') {
			q = c;
		} else if (c == '\\' && s[1] != '\0') {
			cur[cl++] = *++s;
		} else {
			cur[cl++] = c;
		}
	}
	free(cur);
	if (q)
		goto fail2;
	if (argv == NULL && (argv = calloc(1, sizeof(*argv))) == NULL)
		return -1;
	*out = argv;
	return (int)n;
fail:
	free(cur);
fail2:
	keys_free_argv(argv);
	return -1;
}

void
keys_free_argv(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* Run argv, capture stdout in secure memory. */
static int
run_capture(char **argv, unsigned char **out, size_t *len)
{
	int pfd[2], status;
	pid_t pid;
	unsigned char *buf;
	size_t cap = 65536, n = 0;
	ssize_t r;

	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		_exit(127); /* the parent says it could not run */
	}
	close(pfd[1]);
	buf = sodium_malloc(cap + 1);
	if (buf == NULL) {
		close(pfd[0]);
		waitpid(pid, &status, 0);
		return -1;
	}
	while ((r = read(pfd[0], buf + n, cap - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)r;
		if (n == cap)
			break; /* a keys file is far smaller */
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		sodium_memzero(buf, n);
		sodium_free(buf);
		return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -3
		                                                       : -2;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

static seal_rc
merge_cmd(seal_ctx *ctx, seal_identity **set, const char *cmd)
{
	char **argv = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	seal_rc rc;
	int r;

	if (keys_split_argv(cmd, &argv) <= 0) {
		keys_free_argv(argv);
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "SOPS_AGE_KEY_CMD is empty or badly quoted");
	}
	r = run_capture(argv, &buf, &len);
	if (r != 0) {
		rc = seal_ctx_error(ctx, SEAL_EIO, "SOPS_AGE_KEY_CMD '%s' %s",
		    argv[0],
		    r == -3 ? "cannot be run"
			    : r == -2 ? "failed (non-zero exit)" : "failed");
		keys_free_argv(argv);
		return rc;
	}
	keys_free_argv(argv);
	rc = merge_text(ctx, set, (char *)buf, len,
	    "the output of SOPS_AGE_KEY_CMD");
	sodium_memzero(buf, len);
	sodium_free(buf);
	return rc;
}

static bool
exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

seal_rc
keys_discover(seal_ctx *ctx, seal_identity **out, int *nsources)
{
	seal_identity *set = NULL;
	const char *v, *home = getenv("HOME");
	char path[4096];
	int n = 0;
	seal_rc rc;

	*out = NULL;
	if ((v = getenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE")) != NULL && *v) {
		if ((rc = merge_file(ctx, &set, v, false)) != SEAL_OK)
			goto fail;
		n++;
	} else if (home != NULL) {
		static const char *const ssh[] = {
		    ".ssh/id_ed25519", ".ssh/id_rsa"};
		size_t i;
		for (i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", home, ssh[i]);
			if (exists(path) &&
			    merge_file(ctx, &set, path, true) == SEAL_OK &&
			    set != NULL)
				n++;
		}
	}
	if ((v = getenv("SOPS_AGE_KEY")) != NULL && *v) {
		if ((rc = merge_text(ctx, &set, v, strlen(v), "SOPS_AGE_KEY")) !=
		    SEAL_OK)
			goto fail;
		n++;
	}
	if ((v = getenv("SOPS_AGE_KEY_FILE")) != NULL && *v) {
		if ((rc = merge_file(ctx, &set, v, false)) != SEAL_OK)
			goto fail;
		n++;
	}
	if ((v = getenv("SOPS_AGE_KEY_CMD")) != NULL && *v) {
		if ((rc = merge_cmd(ctx, &set, v)) != SEAL_OK)
			goto fail;
		n++;
	}
	if ((v = getenv("XDG_CONFIG_HOME")) != NULL && *v)
		snprintf(path, sizeof(path), "%s/sops/age/keys.txt", v);
	else if (home != NULL)
		snprintf(
		    path, sizeof(path), "%s/.config/sops/age/keys.txt", home);
	else
		path[0] = '\0';
	if (path[0] != '\0' && exists(path)) {
		if ((rc = merge_file(ctx, &set, path, false)) != SEAL_OK)
			goto fail;
		n++;
	}
	if (nsources != NULL)
		*nsources = n;
	if (set == NULL || seal_identity_count(set) == 0) {
		seal_identity_free(set);
		return seal_ctx_error(ctx, SEAL_ENOKEY,
		    "no age identity found: set SOPS_AGE_KEY_FILE (or "
		    "SOPS_AGE_KEY, SOPS_AGE_KEY_CMD), or put your key in "
		    "~/.config/sops/age/keys.txt");
	}
	*out = set;
	return SEAL_OK;
fail:
	seal_identity_free(set);
	return rc;
}
