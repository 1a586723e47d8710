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
    "kustomize (no plugin but the unseal generator, no exec functions,\n"
    "no Helm, no remote bases)\n"
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

/*
 * Read the file open on fd whole (name for messages): a regular file of
 * at most max bytes. The buffer is rb's, reused from file to file (NULL:
 * a fresh one the caller frees). One fstat and, for a file that does not
 * grow meanwhile, one read.
 */
static int
read_regular(int fd, const char *name, size_t max, struct rbuf *rb,
    unsigned char **out, size_t *len)
{
	struct rbuf own = {NULL, 0};
	struct stat st;
	size_t n = 0, want;
	ssize_t got;

	*out = NULL;
	*len = 0;
	if (rb == NULL)
		rb = &own;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		error("%s: not a regular file", name);
		return EXIT_NEGATIVE;
	}
	if ((size_t)st.st_size > max) {
		error("%s: %lld bytes, over the limit of %zu (--max-file-size)",
		    name, (long long)st.st_size, max);
		return EXIT_NEGATIVE;
	}
	want = (size_t)st.st_size + 1; /* +1: a short read is the end */
	for (;;) {
		if (rb->cap < want + 1) {
			unsigned char *nb = realloc(rb->p, want + 1);
			if (nb == NULL) {
				error("cannot read '%s': out of memory", name);
				goto fail;
			}
			rb->p = nb;
			rb->cap = want + 1;
		}
		got = read(fd, rb->p + n, want - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			error("cannot read '%s': %s", name, strerror(errno));
			goto fail;
		}
		n += (size_t)got;
		if (n > max) {
			error("%s: over the limit of %zu bytes "
			      "(--max-file-size)",
			    name, max);
			goto fail;
		}
		if (got == 0 || n < want)
			break;
		want = want * 2 > max + 1 ? max + 1 : want * 2; /* it grew */
	}
	rb->p[n] = '\0';
	*out = rb->p;
	*len = n;
	if (rb == &own)
		own.p = NULL;
	return 0;
fail:
	if (rb == &own)
		free(own.p);
	return EXIT_NEGATIVE;
}

int
read_under_root(const char *root, const char *path, size_t max,
    unsigned char **out, size_t *len)
{
	char real[PATH_MAX];
	int fd, ec;

	*out = NULL;
	if (realpath(path, real) == NULL) {
		error("%s: %s", path, strerror(errno));
		return EXIT_NEGATIVE;
	}
	if (!under(root, real)) {
		error("%s: refused: it leads out of the checkout", path);
		return EXIT_NEGATIVE;
	}
	fd = open(real,
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		error("%s: %s", path, strerror(errno));
		return EXIT_NEGATIVE;
	}
	ec = read_regular(fd, path, max, NULL, out, len);
	close(fd);
	return ec;
}

static int
is_manifest(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
	    (l > 4 && strcmp(n + l - 4, ".yml") == 0) ||
	    (l > 5 && strcmp(n + l - 5, ".json") == 0);
}

/* A directory's entries: names in one block, sorted. */
struct entries {
	char *names; /* NUL-ended names back to back */
	size_t used, cap;
	struct ent {
		size_t off;
		unsigned char type; /* d_type */
	} *e;
	size_t n, ecap;
};

static const char *sort_base;

static int
cmp_ents(const void *a, const void *b)
{
	return strcmp(sort_base + ((const struct ent *)a)->off,
	    sort_base + ((const struct ent *)b)->off);
}

/* Entries of the directory d (no dot-entries), sorted; -1 on error. */
static int
list_dir(DIR *d, struct entries *es)
{
	struct dirent *de;

	memset(es, 0, sizeof(*es));
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name) + 1;
		if (de->d_name[0] == '.')
			continue;
		if (es->n == es->ecap) {
			struct ent *ne = realloc(es->e,
			    (es->ecap = es->ecap ? es->ecap * 2 : 64) *
			        sizeof(*ne));
			if (ne == NULL)
				return -1;
			es->e = ne;
		}
		if (es->cap - es->used < l) {
			char *nn;
			while (es->cap - es->used < l)
				es->cap = es->cap ? es->cap * 2 : 4096;
			if ((nn = realloc(es->names, es->cap)) == NULL)
				return -1;
			es->names = nn;
		}
		memcpy(es->names + es->used, de->d_name, l);
		es->e[es->n].off = es->used;
		es->e[es->n].type = de->d_type;
		es->n++;
		es->used += l;
		errno = 0;
	}
	if (errno != 0)
		return -1;
	sort_base = es->names;
	if (es->n > 1)
		qsort(es->e, es->n, sizeof(*es->e), cmp_ents);
	return 0;
}

/* One manifest open on fd: read it and decrypt it into r->out. */
static int
render_fd(struct unseal_run *r, int fd, const char *path, const char *name)
{
	unsigned char *buf;
	size_t len;
	int e;

	if ((e = read_regular(fd, path, r->max_file, &r->rbuf, &buf, &len))) {
		r->failures++;
		return e;
	}
	return unseal_bytes(r, name, 0, buf, len, &r->out, NULL);
}

/*
 * The manifests of the directory open on dfd (dir: its path, for messages
 * and symlinks; rel: its name in the app), in name order. Each entry is
 * opened relative to dfd with O_NOFOLLOW, so an entry that is not a
 * symlink cannot lead out of the checkout and costs no path walk; only a
 * symlink is resolved (realpath), and refused when it leads out. Takes
 * dfd.
 */
static int
render_plain(struct unseal_run *r, const char *root, int dfd, const char *dir,
    const char *rel, unsigned depth)
{
	struct entries es;
	size_t i;
	int ec = 0;
	DIR *d = fdopendir(dfd);

	if (d == NULL) {
		error("cannot open '%s': %s", dir, strerror(errno));
		close(dfd);
		return EXIT_TROUBLE;
	}
	if (list_dir(d, &es) != 0) {
		error("cannot read '%s': %s", dir, strerror(errno));
		ec = EXIT_TROUBLE;
		goto out;
	}
	for (i = 0; i < es.n; i++) {
		const char *n = es.names + es.e[i].off;
		unsigned char type = es.e[i].type;
		char path[PATH_MAX], name[PATH_MAX];
		struct stat st;
		int fd, e = 0;

		if ((type == DT_REG && !is_manifest(n)) ||
		    (type == DT_DIR && !r->recurse))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "", n);
		fd = type == DT_LNK ? -1 : openat(dfd, n,
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 && type != DT_LNK && errno != ELOOP) {
			if (errno == ENOENT)
				continue; /* gone meanwhile */
			error("%s: %s", path, strerror(errno));
			r->failures++;
			ec = ec ? ec : EXIT_NEGATIVE;
			continue;
		}
		if (fd < 0) {
			/* a symlink: it may stay inside the checkout */
			char real[PATH_MAX];
			unsigned char *buf;
			size_t len;
			if (stat(path, &st) != 0)
				continue; /* dangling */
			if (S_ISDIR(st.st_mode)) {
				if (!r->recurse || depth >= 64)
					continue;
				if (realpath(path, real) == NULL ||
				    !under(root, real)) {
					error("%s: refused: it leads out of "
					      "the checkout",
					    path);
					r->failures++;
					ec = ec ? ec : EXIT_NEGATIVE;
					continue;
				}
				if ((fd = open(real, O_RDONLY | O_DIRECTORY |
				                 O_NOFOLLOW | O_CLOEXEC)) < 0)
					continue;
				e = render_plain(r, root, fd, path, name,
				    depth + 1);
			} else if (is_manifest(n)) {
				if ((e = read_under_root(root, path,
				         r->max_file, &buf, &len)) != 0) {
					r->failures++;
				} else {
					e = unseal_bytes(r, name, 0, buf, len,
					    &r->out, NULL);
					free(buf);
				}
			}
			ec = ec ? ec : e;
			continue;
		}
		if (type == DT_DIR ||
		    (type == DT_UNKNOWN && fstat(fd, &st) == 0 &&
		        S_ISDIR(st.st_mode))) {
			if (r->recurse && depth < 64)
				e = render_plain(r, root, fd, path, name,
				    depth + 1); /* takes fd */
			else
				close(fd);
			ec = ec ? ec : e;
			continue;
		}
		if (is_manifest(n))
			e = render_fd(r, fd, path, name);
		close(fd);
		ec = ec ? ec : e;
	}
out:
	free(es.names);
	free(es.e);
	closedir(d);
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
	int ec, dfd;

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
	else if ((dfd = open(dirreal, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error("cannot open '%s': %s", dir, strerror(errno));
		ec = EXIT_TROUBLE;
	} else {
		ec = render_plain(&r, root, dfd, dirreal, "", 0);
	}
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
