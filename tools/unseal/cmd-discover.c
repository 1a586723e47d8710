/* SPDX-License-Identifier: ISC */
/*
 * cmd-discover.c - `unseal discover [DIR]`: the Argo CD plugin's discover
 * rule. Files are sealed in place, keeping their names, so no name glob
 * can find them: this looks inside. Exit 0 and one line naming the first
 * sealed file when the app directory (recursively, without following
 * symlinks or entering dot-directories) holds one; exit 1 and no output
 * otherwise (Argo CD wants exit 0 and non-empty stdout for a match). It
 * needs no key and decrypts nothing.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/cmd.h"
#include "tools/common/options.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

static const char *const usage[] = {"[DIR]", NULL};
static const char desc[] =
    "Exit 0 and print the first sealed manifest under DIR (default .),\n"
    "exit 1 with no output when there is none: the discover rule of the\n"
    "Argo CD plugin. Reads *.yaml, *.yml and *.json files up to 5 MiB,\n"
    "skips dot-directories and symlinks, and needs no key.\n";

#define MAX_FILES 100000u

static int
manifest_name(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
	    (l > 4 && strcmp(n + l - 4, ".yml") == 0) ||
	    (l > 5 && strcmp(n + l - 5, ".json") == 0);
}

static int
scan(int dfd, const char *rel, unsigned depth, size_t *seen)
{
	DIR *d;
	struct dirent *de;
	int found = 0;

	if (depth > 64 || (d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (!found && (de = readdir(d)) != NULL) {
		struct stat st;
		char path[PATH_MAX];
		int fd;

		if (de->d_name[0] == '.' || ++*seen > MAX_FILES)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "",
		    de->d_name);
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				found = scan(fd, path, depth + 1, seen);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !manifest_name(de->d_name) ||
		    st.st_size > (off_t)UNSEAL_MAX_FILE)
			continue;
		fd = openat(dirfd(d), de->d_name,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		{
			unsigned char *buf = malloc((size_t)st.st_size + 1);
			ssize_t got = buf ? read(fd, buf, (size_t)st.st_size)
					  : -1;
			if (got > 0 && looks_sealed(buf, (size_t)got) &&
			    (memmem(buf, (size_t)got, "sops", 4) != NULL)) {
				printf("%s\n", path);
				found = 1;
			}
			free(buf);
		}
		close(fd);
	}
	closedir(d);
	return found;
}

int
cmd_discover(int argc, char **argv)
{
	const char *dir = ".";
	size_t seen = 0;
	int fd;

	const struct opt opts[] = {OPT_END()};
	const struct opt_cmd cmd = {.name = "unseal discover", .usage = usage,
		.desc = desc, .opts = opts};
	int n = opt_parse(&cmd, argc, argv);

	if (n < 0)
		return opt_exit(n);
	if (n > 1)
		return opt_misuse(&cmd, "discover takes one directory");
	if (n == 1)
		dir = argv[0];
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		error("cannot open '%s': %s", dir, strerror(errno));
		return EXIT_TROUBLE;
	}
	return scan(fd, "", 0, &seen) ? EXIT_OK : EXIT_NEGATIVE;
}
