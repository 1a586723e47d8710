/* SPDX-License-Identifier: ISC */
/*
 * discover.c - finding age identities the way sops does (spec 8): SSH
 * keys (SOPS_AGE_SSH_PRIVATE_KEY_FILE, else ~/.ssh/id_ed25519 and
 * id_rsa when present), SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, the output of
 * SOPS_AGE_KEY_CMD (split into argv, never run through a shell), and the
 * default keys.txt under $XDG_CONFIG_HOME or ~/.config. Every source
 * found is used. Key files readable by group or others are refused
 * (keys_private_file_read, keys/keyfile.h).
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

#include "keys/keys.h"
#include "keys/keyfile.h"
#include "tools/common/util.h"

#define KEYFILE_MAX (1u << 20)

static int
merge_text(seal_ctx *ctx, seal_identity **set, const char *buf, size_t len,
    const char *what)
{
	seal_identity *id = NULL;
	seal_rc rc;

	rc = seal_identity_parse(ctx, buf, len, &id);
	if (rc != SEAL_OK) {
		error("cannot read the age identities in %s: %s", what,
		    seal_ctx_errmsg(ctx));
		return -1;
	}
	if (seal_identity_merge(set, id) != SEAL_OK) {
		error("out of memory");
		return -1;
	}
	return 0;
}

static int
merge_file(seal_ctx *ctx, seal_identity **set, const char *path, bool quiet)
{
	unsigned char *buf = NULL;
	size_t len;
	char what[600];
	int rc;

	if (keys_private_file_read(ctx, path, KEYFILE_MAX, &buf, &len) !=
	    SEAL_OK) {
		error("%s", seal_ctx_errmsg(ctx));
		return -1;
	}
	snprintf(what, sizeof(what), "'%s'", path);
	if (quiet) {
		seal_identity *id = NULL;
		if (seal_identity_parse(ctx, (char *)buf, len, &id) == SEAL_OK)
			rc = seal_identity_merge(set, id) == SEAL_OK ? 0 : -1;
		else
			rc = 0; /* e.g. a passphrase-protected SSH key */
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
		fprintf(stderr, "%s: cannot run '%s': %s\n", progname, argv[0],
		    strerror(errno));
		_exit(127);
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
		return -2;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

static int
merge_cmd(seal_ctx *ctx, seal_identity **set, const char *cmd)
{
	char **argv = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	if (keys_split_argv(cmd, &argv) <= 0) {
		keys_free_argv(argv);
		error("SOPS_AGE_KEY_CMD is empty or badly quoted");
		return -1;
	}
	rc = run_capture(argv, &buf, &len);
	if (rc != 0) {
		error("SOPS_AGE_KEY_CMD '%s' failed%s", argv[0],
		    rc == -2 ? " (non-zero exit)" : "");
		keys_free_argv(argv);
		return -1;
	}
	keys_free_argv(argv);
	rc = merge_text(ctx, set, (char *)buf, len,
	    "the output of "
	    "SOPS_AGE_KEY_CMD");
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

int
keys_discover(seal_ctx *ctx, seal_identity **out, int *nsources)
{
	seal_identity *set = NULL;
	const char *v, *home = getenv("HOME");
	char path[4096];
	int n = 0;

	*out = NULL;
	if ((v = getenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE")) != NULL && *v) {
		if (merge_file(ctx, &set, v, false) != 0)
			goto fail;
		n++;
	} else if (home != NULL) {
		static const char *const ssh[] = {
		    ".ssh/id_ed25519", ".ssh/id_rsa"};
		size_t i;
		for (i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", home, ssh[i]);
			if (exists(path) &&
			    merge_file(ctx, &set, path, true) == 0 &&
			    set != NULL)
				n++;
		}
	}
	if ((v = getenv("SOPS_AGE_KEY")) != NULL && *v) {
		if (merge_text(ctx, &set, v, strlen(v), "SOPS_AGE_KEY") != 0)
			goto fail;
		n++;
	}
	if ((v = getenv("SOPS_AGE_KEY_FILE")) != NULL && *v) {
		if (merge_file(ctx, &set, v, false) != 0)
			goto fail;
		n++;
	}
	if ((v = getenv("SOPS_AGE_KEY_CMD")) != NULL && *v) {
		if (merge_cmd(ctx, &set, v) != 0)
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
		if (merge_file(ctx, &set, path, false) != 0)
			goto fail;
		n++;
	}
	if (nsources != NULL)
		*nsources = n;
	if (set == NULL || seal_identity_count(set) == 0) {
		seal_identity_free(set);
		error("no age identity found: set SOPS_AGE_KEY_FILE (or "
		      "SOPS_AGE_KEY, SOPS_AGE_KEY_CMD), or put your key in "
		      "~/.config/sops/age/keys.txt");
		return -2;
	}
	*out = set;
	return 0;
fail:
	seal_identity_free(set);
	return -1;
}
