/* SPDX-License-Identifier: ISC */
/*
 * cmd-render.c - `unseal render [DIR]`: what an Argo CD plugin's generate
 * runs in the application's directory. A kustomization is handed to
 * kustomize.c; any other directory is read as manifests (*.yaml, *.yml,
 * *.json in name order; -r enters subdirectories). Every sealed document
 * is decrypted and checked, and the whole app comes out as one YAML
 * stream, or nothing.
 *
 * The repository is untrusted: no path may leave the checkout (the
 * directory itself, --root, or the prefix of the working directory that
 * ARGOCD_APP_SOURCE_PATH names), symlinks out of it are refused, and the
 * keys and policy must not live inside it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

static const char *const usage[] = {"[options] [-r] [--root DIR] [DIR]",
	NULL};
static const char desc[] =
    "Print the application in DIR (default .) as one YAML stream with\n"
    "every sealed document decrypted: a kustomization is built with\n"
    "kustomize (no plugins, no exec functions, no Helm, no remote bases)\n"
    "and each sealed document it outputs is matched to its verified\n"
    "source; any other directory is read as manifests. The checkout no\n"
    "path may leave is --root, else the working directory without\n"
    "ARGOCD_APP_SOURCE_PATH, else DIR.\n";
static const struct unseal_mode mode = {"unseal render", usage, desc, true};

static bool
under(const char *root, const char *p)
{
	size_t l = strlen(root);

	if (strcmp(root, "/") == 0)
		return true;
	return strncmp(p, root, l) == 0 && (p[l] == '/' || p[l] == '\0');
}

int
read_under_root(const char *root, const char *path, size_t max,
    unsigned char **out, size_t *len)
{
	char real[PATH_MAX];
	struct stat st;
	int fd;
	char *buf;

	*out = NULL;
	if (realpath(path, real) == NULL) {
		error("%s: %s", path, strerror(errno));
		return EXIT_NEGATIVE;
	}
	if (!under(root, real)) {
		error("%s: refused: it leads out of the checkout", path);
		return EXIT_NEGATIVE;
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		error("%s: %s", path, strerror(errno));
		return EXIT_NEGATIVE;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		error("%s: not a regular file", path);
		return EXIT_NEGATIVE;
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		error("%s: %lld bytes, over the limit of %zu (--max-file-size)",
		    path, (long long)st.st_size, max);
		return EXIT_NEGATIVE;
	}
	close(fd);
	if (read_file(real, max, &buf, len) != 0)
		return EXIT_NEGATIVE;
	*out = (unsigned char *)buf;
	return 0;
}

static int
is_manifest(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
	    (l > 4 && strcmp(n + l - 4, ".yml") == 0) ||
	    (l > 5 && strcmp(n + l - 5, ".json") == 0);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of dir (no dot-entries); NULL on error. */
static char **
list_dir(const char *dir, size_t *n)
{
	char **names = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		error("cannot open '%s': %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*n + 1 >= cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) *
			        sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (names == NULL && (names = calloc(1, sizeof(*names))) == NULL)
		return NULL;
	qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int
render_plain(struct unseal_run *r, const char *root, const char *dir,
    const char *rel, unsigned depth)
{
	size_t n, i;
	char **names = list_dir(dir, &n);
	int ec = 0;

	if (names == NULL)
		return EXIT_TROUBLE;
	for (i = 0; i < n; i++) {
		char path[PATH_MAX], name[PATH_MAX];
		unsigned char *buf;
		struct stat st;
		size_t len;
		int e;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "",
		    names[i]);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (r->recurse && depth < 64 &&
			    (e = render_plain(r, root, path, name, depth + 1)))
				ec = ec ? ec : e;
			continue;
		}
		if (!is_manifest(names[i]))
			continue;
		if ((e = read_under_root(root, path, r->max_file, &buf, &len))) {
			r->failures++;
			ec = ec ? ec : e;
			continue;
		}
		e = unseal_bytes(r, name, 0, buf, len, &r->out, NULL);
		ec = ec ? ec : e;
		free(buf);
	}
	free_names(names, n);
	return ec;
}

/* The checkout: --root, else the working directory minus the
 * ARGOCD_APP_SOURCE_PATH it ends with (when DIR is "."), else DIR. */
static int
find_root(struct unseal_run *r, const char *dirreal, char *root)
{
	const char *sp = getenv("ARGOCD_APP_SOURCE_PATH");
	char cwd[PATH_MAX];

	if (r->root != NULL) {
		if (realpath(r->root, root) == NULL) {
			error("--root '%s': %s", r->root, strerror(errno));
			return EXIT_TROUBLE;
		}
		return 0;
	}
	strcpy(root, dirreal);
	if (sp != NULL && *sp && strcmp(sp, ".") != 0 &&
	    getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, dirreal) == 0) {
		char s[PATH_MAX];
		size_t sl, cl = strlen(cwd);
		snprintf(s, sizeof(s), "%s", sp);
		while ((sl = strlen(s)) > 0 && s[sl - 1] == '/')
			s[sl - 1] = '\0';
		while (s[0] == '.' && s[1] == '/')
			memmove(s, s + 2, strlen(s + 2) + 1);
		sl = strlen(s);
		if (sl > 0 && sl < cl && strcmp(cwd + cl - sl, s) == 0 &&
		    cwd[cl - sl - 1] == '/' && strstr(s, "..") == NULL) {
			memcpy(root, cwd, cl - sl - 1);
			root[cl - sl - 1] = '\0';
			if (root[0] == '\0')
				strcpy(root, "/");
		}
	}
	return 0;
}

static int
outside(const char *root, const char *what, const char *path)
{
	char real[PATH_MAX];

	if (path == NULL || realpath(path, real) == NULL)
		return 0;
	if (under(root, real)) {
		error("the %s '%s' is inside the repository checkout; mount "
		      "it beside the plugin, never in the repository",
		    what, path);
		return -1;
	}
	return 0;
}

int
cmd_render(int argc, char **argv)
{
	struct unseal_run r = {0};
	char dirreal[PATH_MAX], root[PATH_MAX], path[PATH_MAX + 32];
	const char *dir = ".";
	static const char *const kfiles[] = {"kustomization.yaml",
	    "kustomization.yml", "Kustomization"};
	struct stat st;
	size_t i;
	int ec;

	if ((ec = unseal_options(&r, &argc, argv, &mode)) >= 0)
		return ec;
	if (argc > 2) {
		error("render takes one directory");
		return EXIT_TROUBLE;
	}
	if (argc == 2)
		dir = argv[1];
	if (realpath(dir, dirreal) == NULL || stat(dirreal, &st) != 0 ||
	    !S_ISDIR(st.st_mode)) {
		error("cannot render '%s': not a directory", dir);
		return EXIT_TROUBLE;
	}
	if ((ec = find_root(&r, dirreal, root)) != 0)
		return ec;
	if (!under(root, dirreal)) {
		error("'%s' is outside the checkout '%s'", dir, root);
		return EXIT_TROUBLE;
	}
	if (outside(root, "key directory", r.keys_dir) != 0 ||
	    outside(root, "policy file", r.policy_path) != 0)
		return EXIT_TROUBLE;
	if ((ec = unseal_start(&r)) != 0)
		goto out;
	if (outside(root, "policy file", r.policy_path) != 0) {
		ec = EXIT_TROUBLE;
		goto out;
	}
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirreal, kfiles[i]);
		if (lstat(path, &st) == 0)
			break;
	}
	if (i < 3)
		ec = render_kustomize(&r, root, dirreal);
	else
		ec = render_plain(&r, root, dirreal, "", 0);
	if (ec == 0 && r.failures == 0 && r.out.len == 0) {
		/* Argo CD prunes everything on empty output: never
		 * succeed with nothing */
		error("%s: nothing to render (no manifest found)", dir);
		ec = EXIT_NEGATIVE;
	}
	if (ec == 0)
		ec = unseal_finish(&r);
	else if (r.failures == 0)
		r.failures++;
out:
	unseal_end(&r);
	return ec;
}
