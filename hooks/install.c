/* SPDX-License-Identifier: ISC */
/*
 * install.c - put the pre-commit shim (hooks/pre-commit.in) where git runs
 * it: core.hooksPath if set (relative to the work tree, as git reads it),
 * else the common git directory's hooks/. Executable bit set; a hook that
 * is not ours is never replaced silently (refused, or with --force moved
 * to pre-commit.seal-backup and restored by uninstall). No scanning here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "hooks/repo.h"

#define HOOK_MARK "# seal-hook: installed by `seal hook install`"

static int
hooks_dir(char *out, size_t outlen, char *msg, size_t msglen)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_buf hp = GIT_BUF_INIT;
	const char *wd;
	int rc = -1;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, NULL, GIT_REPOSITORY_OPEN_FROM_ENV,
		NULL) < 0) {
		snprintf(msg, msglen, "not in a git repository");
		return -1;
	}
	wd = git_repository_workdir(repo);
	if (git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_string_buf(&hp, cfg, "core.hooksPath") == 0 &&
	    hp.size) {
		if (hp.ptr[0] == '/')
			snprintf(out, outlen, "%s", hp.ptr);
		else if (hp.ptr[0] == '~' && hp.ptr[1] == '/' && getenv("HOME"))
			snprintf(out, outlen, "%s/%s", getenv("HOME"),
			    hp.ptr + 2);
		else
			snprintf(out, outlen, "%s%s", wd ? wd :
			    git_repository_commondir(repo), hp.ptr);
	} else
		snprintf(out, outlen, "%shooks",
		    git_repository_commondir(repo));
	rc = 0;
	git_buf_dispose(&hp);
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}

static int
is_ours(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? -1 : 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, HOOK_MARK) != NULL;
}

static int
write_hook(const char *path, const char *seal, char *msg, size_t msglen)
{
	char tmp[4400];
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.seal-tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(msg, msglen, "cannot write '%s': %s", tmp,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* the same three lines as hooks/pre-commit.in */
	fprintf(f, "#!/bin/sh\n%s\nexec '%s' hook pre-commit \"$@\"\n",
	    HOOK_MARK, seal);
	if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0) {
		snprintf(msg, msglen, "cannot write '%s': %s", tmp,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* git ignores a hook without the executable bit */
	if (chmod(tmp, 0755) < 0 || rename(tmp, path) < 0) {
		snprintf(msg, msglen, "cannot install '%s': %s", path,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
one_hook(enum hook_action act, bool force, const char *dir, const char *name,
    const char *seal_path, char *msg, size_t msglen)
{
	char path[4200], backup[4300];
	int ours;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(backup, sizeof(backup), "%s.seal-backup", path);
	ours = is_ours(path);
	if (act == HOOK_UNINSTALL) {
		if (ours < 0) {
			snprintf(msg, msglen, "no %s hook in '%s'", name, dir);
			return 0;
		}
		if (!ours) {
			snprintf(msg, msglen, "'%s' is not seal's hook; left "
			    "alone", path);
			return 1;
		}
		if (unlink(path) < 0) {
			snprintf(msg, msglen, "cannot remove '%s': %s", path,
			    strerror(errno));
			return -1;
		}
		if (access(backup, F_OK) == 0 && rename(backup, path) == 0)
			snprintf(msg, msglen, "removed '%s'; restored the hook "
			    "it replaced", path);
		else
			snprintf(msg, msglen, "removed '%s'", path);
		return 0;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(msg, msglen, "cannot create '%s': %s", dir,
		    strerror(errno));
		return -1;
	}
	if (ours == 0) {
		if (!force) {
			snprintf(msg, msglen, "'%s' exists and is not seal's; "
			    "chain it yourself, or use --force to move it to "
			    "'%s'", path, backup);
			return 1;
		}
		if (access(backup, F_OK) == 0) {
			snprintf(msg, msglen, "'%s' already exists; move it "
			    "away first", backup);
			return 1;
		}
		if (rename(path, backup) < 0) {
			snprintf(msg, msglen, "cannot back up '%s': %s", path,
			    strerror(errno));
			return -1;
		}
	}
	if (write_hook(path, seal_path, msg, msglen) < 0)
		return -1;
	snprintf(msg, msglen, "installed '%s'%s", path,
	    ours == 0 ? " (the old hook is in *.seal-backup)" : "");
	return 0;
}

/*
 * pre-commit, and pre-merge-commit: a merge without conflicts runs only
 * the latter (git >= 2.24), and brings in content this repository's hook
 * never saw. Both run the same staged check.
 */
int
hook_install(enum hook_action act, bool force, const char *seal_path,
    char *msg, size_t msglen)
{
	static const char *const names[] = { "pre-commit",
		"pre-merge-commit" };
	char dir[4096], path[4200], first[2048] = "";
	size_t i;
	int rc = 0, r;

	if (hooks_dir(dir, sizeof(dir), msg, msglen) < 0)
		return -1;
	/* refuse before touching anything: never half-installed */
	for (i = 0; act == HOOK_INSTALL && !force && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (is_ours(path) == 0) {
			snprintf(msg, msglen, "'%s' exists and is not seal's; "
			    "chain it yourself, or use --force to move it to "
			    "'%s.seal-backup'", path, path);
			return 1;
		}
	}
	for (i = 0; i < 2; i++) {
		r = one_hook(act, force, dir, names[i], seal_path, msg, msglen);
		if (r < 0)
			return -1;
		if (r > rc)
			rc = r;
		if (i == 0 || r > 0)
			snprintf(first, sizeof(first), "%s", msg);
	}
	snprintf(msg, msglen, "%s%s", first,
	    act == HOOK_INSTALL && rc == 0 ? " and pre-merge-commit" : "");
	return rc;
}
