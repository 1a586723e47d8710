/* SPDX-License-Identifier: ISC */
/*
 * kustomize.c - `unseal render` of a kustomization. kustomize only ever
 * sees ciphertext: it builds the app as it is in the repository, sealed
 * documents included (it carries their sops block along, sorted and
 * transformed: namespace:, namePrefix:, labels...). Then each sealed
 * document of its output is matched to a verified source: the sops MAC
 * token names the source file, whose MAC is verified on its bytes as
 * sealed; every ENC[...] value must be a ciphertext of that one source
 * document, and is replaced by its plaintext; the sops block is dropped.
 * Tenancy is checked on the source document, and the output document
 * must stay in the namespace it was sealed for.
 *
 * kustomize runs over an untrusted repository in the container holding
 * the keys, so: no KRM functions (a file asking for one is refused) and
 * no plugin but the unseal generator. When the app lists generator
 * configs with a top-level files: list (KSOPS's field, any apiVersion
 * and kind), kustomize gets --enable-alpha-plugins and a plugin home
 * made for the run holding only this program under those names; run
 * there (UNSEAL_RENDER_PLUGIN) it prints its files still sealed, so they
 * come back like any sealed resource, matched and verified here. A
 * config under generators:, transformers: or validators: that is neither
 * a builtin nor ours is refused. No Helm (no
 * --enable-helm, and helm fields are refused), no remote bases (URLs are
 * refused, git is off PATH and HTTP goes to a dead proxy), and no path
 * or symlink may leave the checkout.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

static bool
under(const char *root, const char *p)
{
	size_t l = strlen(root);

	if (strcmp(root, "/") == 0)
		return true;
	return strncmp(p, root, l) == 0 && (p[l] == '/' || p[l] == '\0');
}

static bool
is_kustomization(const char *n)
{
	return strcmp(n, "kustomization.yaml") == 0 ||
	    strcmp(n, "kustomization.yml") == 0 ||
	    strcmp(n, "Kustomization") == 0;
}

/* Walk the app's directory and every directory its kustomizations name
 * (bases, components): refuse symlinks out of the checkout, check the
 * kustomizations, refuse KRM function configs, and note sealed files.
 * Other apps of the repository are not looked at. */
struct walk {
	const char *root;
	char **sealed;
	size_t nsealed, cap, files;
	int ec;
	struct unseal_run *r;
	char **dirs; /* visited or queued (real paths) */
	size_t ndirs, capdirs;
	/* generator configs with files: (the unseal generator, KSOPS's
	 * field): their "apiVersion/kind" pairs, each "API\0Kind" */
	char **plugins;
	size_t nplugins;
	char **checked; /* files read (real or walked paths) */
	size_t nchecked, capchecked;
	bool plugin_list; /* in a kustomization's generators: and co. */
};

/* A relative path in a kustomization line that climbs out with "..". */
static void queue_dir(struct walk *w, const char *real);
static int check_plugin_config(struct walk *w, const char *path,
    const char *rel);
static void check_file(struct walk *w, const char *path, const char *rel,
    const char *base, bool named);

static int
check_line_paths(struct walk *w, const char *root, const char *dir,
    const char *file, const char *line, size_t len)
{
	struct stat st;
	char val[PATH_MAX], joined[PATH_MAX * 2], real[PATH_MAX];
	const char *p = line, *end = line + len, *e;
	size_t vl;

	while (p < end && (*p == ' ' || *p == '-' || *p == '\t'))
		p++;
	if (p >= end)
		return 0;
	/* "key: value" or "- value" */
	e = memchr(p, ':', (size_t)(end - p));
	if (e != NULL && e + 1 < end && e[1] == ' ')
		p = e + 2;
	while (p < end && *p == ' ')
		p++;
	if (p < end && (*p == '"' || *p == '\''))
		p++;
	e = p;
	while (e < end && *e != '"' && *e != '\'' && *e != ' ' && *e != '#')
		e++;
	vl = (size_t)(e - p);
	if (vl == 0 || vl >= sizeof(val))
		return 0;
	memcpy(val, p, vl);
	val[vl] = '\0';
	if (memchr(val, '=', vl) != NULL) /* generator "key=path" */
		memmove(val, strchr(val, '=') + 1, strlen(strchr(val, '=')));
	if (val[0] == '/') {
		error("%s: refused: the absolute path '%s' (paths must stay "
		      "inside the checkout)",
		    file, val);
		return -1;
	}
	snprintf(joined, sizeof(joined), "%s/%s", dir, val);
	if (realpath(joined, real) == NULL)
		return 0; /* kustomize fails on it */
	if (!under(root, real)) {
		error("%s: refused: '%s' leads out of the checkout", file, val);
		return -1;
	}
	/* a base or component directory: walk it too; a file it names
	 * (a resource, a generator or transformer config, whatever its
	 * name) is checked as the walk checks manifests */
	if (stat(real, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		queue_dir(w, real);
	else if (S_ISREG(st.st_mode) &&
	    st.st_size <= (off_t)w->r->max_file) {
		const char *b = strrchr(real, '/');
		const char *rel = real + strlen(root) + (root[1] != '\0');
		if (w->plugin_list && check_plugin_config(w, real, rel) != 0)
			return -1;
		check_file(w, real, rel, b ? b + 1 : real, true);
		if (w->ec != 0)
			return -1;
	}
	return 0;
}

static int
check_kustomization(struct walk *w, const char *root, const char *dir,
    const char *file, const unsigned char *buf, size_t len)
{
	const char *p = (const char *)buf, *end = p + len, *nl;
	static const char *const helm[] = {"helmCharts", "helmGlobals",
	    "HelmChartInflationGenerator", "helmChartInflationGenerator"};
	size_t i;

	for (i = 0; i < sizeof(helm) / sizeof(helm[0]); i++)
		if (memmem(buf, len, helm[i], strlen(helm[i])) != NULL) {
			error("%s: refused: Helm inflation ('%s') is not "
			      "allowed in render",
			    file, helm[i]);
			return -1;
		}
	if (memmem(buf, len, "://", 3) != NULL ||
	    memmem(buf, len, "git@", 4) != NULL ||
	    memmem(buf, len, "github.com/", 11) != NULL) {
		error("%s: refused: a remote resource (render reads only the "
		      "checkout)",
		    file);
		return -1;
	}
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		/* the top-level key the line belongs to */
		if (nl > p && *p != ' ' && *p != '-' && *p != '#' && *p != '\t')
			w->plugin_list = (nl - p >= 11 &&
			                     !memcmp(p, "generators:", 11)) ||
			    (nl - p >= 13 && !memcmp(p, "transformers:", 13)) ||
			    (nl - p >= 11 && !memcmp(p, "validators:", 11));
		if (check_line_paths(w, root, dir, file, p, (size_t)(nl - p)))
			return -1;
	}
	w->plugin_list = false;
	return 0;
}

/*
 * A file listed under generators:, transformers: or validators: holds
 * plugin configs: kustomize's builtins (apiVersion builtin) or the
 * unseal generator (a top-level files: list). Anything else would be
 * another plugin: refused (it would not be found in render's plugin
 * home anyway).
 */
static int
check_plugin_config(struct walk *w, const char *path, const char *rel)
{
	struct unseal_run *r = w->r;
	seal_limits lim = {r->max_file, r->max_depth, r->max_nodes, r->max_docs};
	seal_sops_file *f = NULL;
	unsigned char *buf;
	size_t len, d;
	int ec = 0;

	if (read_under_root(w->root, path, r->max_file, &buf, &len) != 0)
		return -1;
	if (seal_sops_load_limits(r->ctx, buf, len, SEAL_SOPS_YAML, rel, &lim, &f) !=
	    SEAL_OK) {
		free(buf);
		return 0; /* kustomize fails on it */
	}
	for (d = 0; d < seal_sops_doc_count(f) && ec == 0; d++) {
		const char *t;
		size_t tl;

		if (seal_sops_doc_scalar(r->ctx, f, d, "[\"files\"][0]", &t,
		        &tl) == SEAL_OK)
			continue;
		if (seal_sops_doc_scalar(r->ctx, f, d, "[\"apiVersion\"]", &t,
		        &tl) == SEAL_OK &&
		    tl == 7 && memcmp(t, "builtin", 7) == 0)
			continue;
		error("%s: refused: a plugin other than the unseal generator "
		      "(a config with files:); render runs no other plugin",
		    rel);
		ec = -1;
	}
	seal_sops_free(f);
	free(buf);
	return ec;
}


static void
queue_dir(struct walk *w, const char *real)
{
	size_t i;

	for (i = 0; i < w->ndirs; i++)
		if (strcmp(w->dirs[i], real) == 0)
			return;
	if (w->ndirs == w->capdirs) {
		char **nd = realloc(w->dirs, (w->capdirs = w->capdirs ?
		                                  w->capdirs * 2 : 16) *
		        sizeof(*nd));
		if (nd == NULL) {
			w->ec = EXIT_TROUBLE;
			return;
		}
		w->dirs = nd;
	}
	if ((w->dirs[w->ndirs] = strdup(real)) == NULL)
		w->ec = EXIT_TROUBLE;
	else
		w->ndirs++;
}

static void
walk_dir(struct walk *w, const char *dir, unsigned depth)
{
	struct dirent *de;
	DIR *d;

	if (depth > 64 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && w->ec == 0) {
		char path[PATH_MAX], real[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".git") == 0)
			continue;
		if (++w->files > 200000u) {
			error("%s: refused: more than 200000 files in the "
			      "checkout",
			    w->root);
			w->ec = EXIT_NEGATIVE;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			if (realpath(path, real) == NULL || !under(w->root, real)) {
				error("%s: refused: a symlink out of the "
				      "checkout",
				    path + strlen(w->root) + 1);
				w->ec = EXIT_NEGATIVE;
				break;
			}
			continue; /* its target is walked where it is */
		}
		if (S_ISDIR(st.st_mode)) {
			walk_dir(w, path, depth + 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		size_t l = strlen(de->d_name);
		bool manifest = (l > 5 && !strcmp(de->d_name + l - 5, ".yaml")) ||
		    (l > 4 && !strcmp(de->d_name + l - 4, ".yml")) ||
		    (l > 5 && !strcmp(de->d_name + l - 5, ".json"));
		if (!manifest && !is_kustomization(de->d_name))
			continue;
		if (st.st_size > (off_t)w->r->max_file)
			continue; /* kustomize would read it: refused below
				     if it is sealed and used */
		check_file(w, path, path + strlen(w->root) + 1, de->d_name,
		    false);
	}
	closedir(d);
}

static bool
plugin_name_ok(const char *api, const char *kind)
{
	size_t i, slashes = 0;

	if (*api == '\0' || *kind == '\0' || strlen(api) > 253 ||
	    strlen(kind) > 63 || api[0] == '/' || api[strlen(api) - 1] == '/' ||
	    strstr(api, "..") != NULL || strstr(api, "//") != NULL ||
	    strcmp(api, "builtin") == 0)
		return false;
	for (i = 0; api[i]; i++) {
		char c = api[i];
		if (c == '/')
			slashes++;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		             (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return false;
	}
	for (i = 0; kind[i]; i++)
		if (!((kind[i] >= 'a' && kind[i] <= 'z') ||
		        (kind[i] >= 'A' && kind[i] <= 'Z') ||
		        (kind[i] >= '0' && kind[i] <= '9')))
			return false;
	return slashes <= 1 && kind[0] != '.';
}

/* The documents of a file with a top-level files: list are generator
 * configs of the unseal plugin: note their apiVersion and kind. */
static void
note_plugins(struct walk *w, const char *rel, const unsigned char *buf,
    size_t len)
{
	struct unseal_run *r = w->r;
	seal_limits lim = {r->max_file, r->max_depth, r->max_nodes, r->max_docs};
	seal_sops_file *f = NULL;
	size_t d, i;

	if (!(len >= 6 && memcmp(buf, "files:", 6) == 0) &&
	    memmem(buf, len, "\nfiles:", 7) == NULL &&
	    memmem(buf, len, "\"files\"", 7) == NULL)
		return;
	if (seal_sops_load_limits(r->ctx, buf, len, SEAL_SOPS_YAML, rel, &lim, &f) !=
	    SEAL_OK)
		return; /* kustomize fails on it */
	for (d = 0; d < seal_sops_doc_count(f) && w->ec == 0; d++) {
		const char *t, *a, *k;
		size_t tl, al, kl;
		char api[256], kind[64], *e;

		if (seal_sops_doc_scalar(r->ctx, f, d, "[\"files\"][0]", &t,
		        &tl) != SEAL_OK)
			continue;
		if (seal_sops_doc_scalar(r->ctx, f, d, "[\"apiVersion\"]", &a,
		        &al) != SEAL_OK ||
		    seal_sops_doc_scalar(r->ctx, f, d, "[\"kind\"]", &k,
		        &kl) != SEAL_OK ||
		    al >= sizeof(api) || kl >= sizeof(kind))
			continue; /* not a plugin config kustomize can use */
		memcpy(api, a, al);
		api[al] = '\0';
		memcpy(kind, k, kl);
		kind[kl] = '\0';
		if (strlen(api) != al || strlen(kind) != kl ||
		    !plugin_name_ok(api, kind)) {
			error("%s: refused: a generator config whose "
			      "apiVersion/kind cannot name a plugin",
			    rel);
			w->ec = EXIT_NEGATIVE;
			break;
		}
		for (i = 0; i < w->nplugins; i++)
			if (strcmp(w->plugins[i], api) == 0 &&
			    strcmp(w->plugins[i] + al + 1, kind) == 0)
				break;
		if (i < w->nplugins)
			continue;
		char **np = realloc(w->plugins,
		    (w->nplugins + 1) * sizeof(*np));
		if (np == NULL || (e = malloc(al + kl + 2)) == NULL) {
			if (np != NULL)
				w->plugins = np;
			w->ec = EXIT_TROUBLE;
			break;
		}
		w->plugins = np;
		memcpy(e, api, al + 1);
		memcpy(e + al + 1, kind, kl + 1);
		w->plugins[w->nplugins++] = e;
	}
	seal_sops_free(f);
}

/*
 * One file of the app (path; rel: its name in the checkout; base: its
 * base name; named: a kustomization names it, whatever its extension):
 * check a kustomization, refuse a KRM function, note a generator config
 * and a sealed file.
 */
static void
check_file(struct walk *w, const char *path, const char *rel,
    const char *base, bool named)
{
	size_t l = strlen(base), k;
	bool manifest = (l > 5 && !strcmp(base + l - 5, ".yaml")) ||
	    (l > 4 && !strcmp(base + l - 4, ".yml")) ||
	    (l > 5 && !strcmp(base + l - 5, ".json"));
	unsigned char *buf;
	size_t len;
	bool dup = false;

	if (!manifest && !named && !is_kustomization(base))
		return;
	if (named) { /* a file a kustomization names: read once */
		for (k = 0; k < w->nchecked && !dup; k++)
			dup = strcmp(w->checked[k], path) == 0;
		if (dup)
			return;
	}
	if (named && w->nchecked == w->capchecked) {
		char **nc = realloc(w->checked,
		    (w->capchecked = w->capchecked ? w->capchecked * 2 : 64) *
		        sizeof(*nc));
		if (nc == NULL) {
			w->ec = EXIT_TROUBLE;
			return;
		}
		w->checked = nc;
	}
	if (named && (w->checked[w->nchecked++] = strdup(path)) == NULL) {
		w->ec = EXIT_TROUBLE;
		return;
	}
	if (read_under_root(w->root, path, w->r->max_file, &buf, &len)) {
		w->ec = EXIT_NEGATIVE;
		return;
	}
	if (is_kustomization(base)) {
		char dir[PATH_MAX], *sl;
		snprintf(dir, sizeof(dir), "%s", path);
		if ((sl = strrchr(dir, '/')) != NULL)
			*sl = '\0';
		if (check_kustomization(w, w->root, dir, rel, buf, len) != 0)
			w->ec = EXIT_NEGATIVE;
	}
	if (memmem(buf, len, "config.kubernetes.io/function", 29) ||
	    memmem(buf, len, "config.k8s.io/function", 22)) {
		error("%s: refused: KRM functions do not run in render "
		      "(use unseal's own handling of sealed files)",
		    rel);
		w->ec = EXIT_NEGATIVE;
	}
	if (w->ec == 0 && !is_kustomization(base))
		note_plugins(w, rel, buf, len);
	for (k = 0; k < w->nsealed && !dup; k++)
		dup = strcmp(w->sealed[k], path) == 0;
	if (w->ec == 0 && !dup && manifest && looks_sealed(buf, len)) {
		if (w->nsealed == w->cap) {
			char **ns = realloc(w->sealed,
			    (w->cap = w->cap ? w->cap * 2 : 64) * sizeof(*ns));
			if (ns == NULL) {
				w->ec = EXIT_TROUBLE;
				free(buf);
				return;
			}
			w->sealed = ns;
		}
		if ((w->sealed[w->nsealed] = strdup(path)) == NULL)
			w->ec = EXIT_TROUBLE;
		else
			w->nsealed++;
	}
	free(buf);
}

/* The full path of prog on PATH, or NULL. */
static char *
which(const char *prog)
{
	const char *path = getenv("PATH"), *p, *e;
	char buf[PATH_MAX];

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p)
			continue;
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p), p, prog);
		if (access(buf, X_OK) == 0)
			return strdup(buf);
	}
	return NULL;
}

/* The child: kustomize run with stdout to wfd, in a clean environment
 * (with home, render's plugin home and what its unseal needs). */
static void
exec_kustomize(const char *bin, char **argv, const char *home, int wfd)
{
	/* a clean environment: no git or docker to find, HTTP to a
	 * dead proxy, no plugin home, no user config */
	static char *envp[20] = {(char *)"PATH=/nonexistent",
	    (char *)"HOME=/nonexistent",
	    (char *)"XDG_CONFIG_HOME=/nonexistent",
	    (char *)"HTTP_PROXY=http://127.0.0.1:9",
	    (char *)"HTTPS_PROXY=http://127.0.0.1:9",
	    (char *)"http_proxy=http://127.0.0.1:9",
	    (char *)"https_proxy=http://127.0.0.1:9",
	    (char *)"NO_PROXY=", (char *)"GIT_ALLOW_PROTOCOL=none",
	    (char *)"KUBECONFIG=/nonexistent", (char *)"LC_ALL=C", NULL};
	static char ph[PATH_MAX + 32], tmp[PATH_MAX + 16],
	    ld[PATH_MAX * 2 + 32];
	size_t ne = 11;
	const char *v;
	/* the plugin home: render's (only unseal, which the marker
	 * makes pass the sealed files through), or none */
	snprintf(ph, sizeof(ph), "KUSTOMIZE_PLUGIN_HOME=%s",
	    home ? home : "/nonexistent");
	envp[ne++] = ph;
	if (home != NULL) {
		envp[ne++] = (char *)"UNSEAL_RENDER_PLUGIN=1";
		/* kustomize writes the plugin's config there */
		if ((v = getenv("TMPDIR")) != NULL && *v == '/' &&
		    strlen(v) < PATH_MAX) {
			snprintf(tmp, sizeof(tmp), "TMPDIR=%s", v);
			envp[ne++] = tmp;
		}
		/* a build tree's unseal is linked to its libseal.so */
		if ((v = getenv("LD_LIBRARY_PATH")) != NULL &&
		    strlen(v) < sizeof(ld) - 20) {
			snprintf(ld, sizeof(ld), "LD_LIBRARY_PATH=%s", v);
			envp[ne++] = ld;
		}
	}
	envp[ne] = NULL;
	setpgid(0, 0);
	dup2(wfd, 1);
	execve(bin, argv, envp);
	_exit(127);
}

/* The child's output into *buf (grown up to max; at max it is killed and
 * *len == *cap tells). */
static void
read_child(int fd, pid_t pid, char **buf, size_t *cap, size_t max,
    size_t *len)
{
	for (;;) {
		ssize_t got;
		if (*len == *cap) {
			char *nb;
			if (*cap >= max) {
				error("render: kustomize's output is over the "
				      "limit (--max-output)");
				kill(-pid, SIGKILL);
				break;
			}
			if ((nb = realloc(*buf, *cap * 2)) == NULL)
				break;
			*buf = nb;
			*cap *= 2;
		}
		got = read(fd, *buf + *len, *cap - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		*len += (size_t)got;
	}
}

/* Run kustomize on dir; its stdout (ciphertext only) into *out. With a
 * plugin home (render's, holding only unseal), plugins are on. */
static int
run_kustomize(struct unseal_run *r, const char *dir, const char *home,
    char **out, size_t *len)
{
	char *bin, *argv[8];
	int pfd[2], status, argc = 0;
	size_t cap = 1u << 16, max = r->max_output * 4 + (1u << 20);
	char *buf;
	pid_t pid;
	bool kubectl = false;

	*out = NULL;
	*len = 0;
	if ((bin = which("kustomize")) == NULL) {
		if ((bin = which("kubectl")) == NULL) {
			error("render: a kustomization needs kustomize or "
			      "kubectl on PATH");
			return EXIT_TROUBLE;
		}
		kubectl = true;
	}
	argv[argc++] = bin;
	argv[argc++] = kubectl ? (char *)"kustomize" : (char *)"build";
	if (home != NULL)
		argv[argc++] = (char *)"--enable-alpha-plugins";
	argv[argc++] = (char *)dir;
	argv[argc] = NULL;
	if (pipe2(pfd, O_CLOEXEC) != 0 || (buf = malloc(cap)) == NULL) {
		free(bin);
		error("cannot run kustomize: %s", strerror(errno));
		return EXIT_TROUBLE;
	}
	pid = fork();
	if (pid < 0) {
		error("cannot run kustomize: %s", strerror(errno));
		free(bin);
		free(buf);
		return EXIT_TROUBLE;
	}
	if (pid == 0)
		exec_kustomize(bin, argv, home, pfd[1]);
	setpgid(pid, pid);
	unseal_set_child(pid);
	close(pfd[1]);
	read_child(pfd[0], pid, &buf, &cap, max, len);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	unseal_set_child(0);
	free(bin);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || *len == cap) {
		error("render: kustomize failed (%s %d); nothing was rendered",
		    WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		free(buf);
		*len = 0;
		return EXIT_NEGATIVE;
	}
	*out = buf;
	return 0;
}

/* The MAC tokens ("mac: ENC[...]") of bytes, any of them wanted? */
static bool
wanted_macs(const unsigned char *b, size_t len, const char *kout,
    size_t klen)
{
	const unsigned char *p = b, *end = b + len;

	while ((p = memmem(p, (size_t)(end - p), "mac", 3)) != NULL) {
		const unsigned char *q = p + 3, *e;
		p += 3;
		if (q < end && *q == '"')
			q++;
		if (q >= end || *q != ':')
			continue;
		q++;
		while (q < end && (*q == ' ' || *q == '"'))
			q++;
		if (end - q < 5 || memcmp(q, "ENC[", 4) != 0 ||
		    (e = memchr(q, ']', (size_t)(end - q))) == NULL)
			continue;
		if (memmem(kout, klen, q, (size_t)(e - q) + 1) != NULL)
			return true;
	}
	return false;
}

/* One line of a document: [p, nl). */
static const char *
next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

/* metadata.namespace of kustomize's (normalised) output document. */
static bool
out_namespace(const char *a, const char *b, char *ns, size_t cap)
{
	const char *p = a, *nl;
	bool meta = false;

	for (; p < b; p = nl) {
		nl = next_line(p, b);
		if (*p != ' ' && *p != '\n') {
			meta = (size_t)(nl - p) >= 9 && !memcmp(p, "metadata:", 9);
			continue;
		}
		if (meta && (size_t)(nl - p) > 13 &&
		    memcmp(p, "  namespace: ", 13) == 0) {
			const char *v = p + 13, *e = nl;
			while (e > v && (e[-1] == '\n' || e[-1] == ' ' ||
			                    e[-1] == '\r'))
				e--;
			if (e - v >= 2 && (*v == '"' || *v == '\'') &&
			    e[-1] == *v) {
				v++;
				e--;
			}
			if ((size_t)(e - v) >= cap)
				return false;
			memcpy(ns, v, (size_t)(e - v));
			ns[e - v] = '\0';
			return true;
		}
	}
	return false;
}

/* Where each ciphertext of an output document sits. */
struct outcheck {
	struct unseal_tokens *tk;
	size_t first, n; /* the source documents its MAC names */
	size_t docid;	 /* the one source document, once known */
	size_t nenc;	 /* ciphertext leaves seen */
};

static int
out_leaf(void *arg, size_t doc, const char *path, size_t pathlen,
    const char *text, size_t len)
{
	struct outcheck *oc = arg;
	const char *pt, *spath;
	size_t ptlen, did;

	(void)doc;
	if (memmem(text, len, "ENC[", 4) == NULL)
		return 0;
	/* the whole value is one ciphertext of the one source document,
	 * at the very path it was sealed at */
	pt = tokens_find(oc->tk, text, len, &ptlen, &did, &spath);
	if (pt == NULL || did < oc->first || did >= oc->first + oc->n ||
	    (oc->docid != (size_t)-1 && did != oc->docid) ||
	    strlen(spath) != pathlen || memcmp(spath, path, pathlen) != 0)
		return -1;
	oc->docid = did;
	oc->nenc++;
	return 0;
}

/*
 * Every ciphertext value of the output document [a, b) (its sops block
 * [sops, sops_end) left out) is a ciphertext of one source document,
 * at the path it was sealed at there: moved to another field or another
 * document, it is refused, not decrypted. *nenc: how many there are.
 */
static bool
paths_kept(struct unseal_run *r, struct outcheck *oc, const char *a,
    const char *b, const char *sops, const char *sops_end)
{
	seal_limits lim = {r->max_file, r->max_depth, r->max_nodes, r->max_docs};
	size_t l1 = (size_t)(sops - a), l2 = (size_t)(b - sops_end);
	seal_sops_file *f = NULL;
	char *buf = malloc(l1 + l2 + 1);
	bool ok = false;

	if (buf == NULL)
		return false;
	memcpy(buf, a, l1);
	memcpy(buf + l1, sops_end, l2);
	buf[l1 + l2] = '\0';
	if (seal_sops_load_limits(r->ctx, buf, l1 + l2, SEAL_SOPS_YAML,
	        "kustomize output", &lim, &f) == SEAL_OK &&
	    seal_sops_doc_count(f) == 1 &&
	    seal_sops_leaf_paths(r->ctx, f, out_leaf, oc) == SEAL_OK)
		ok = true;
	seal_sops_free(f);
	free(buf);
	return ok;
}

/*
 * The verified source of a sealed kustomize output document [a, b): its
 * top-level sops block [*sops, *sops_end) and the documents
 * [*first, *first + *n) whose MAC it carries.
 */
static int
find_source(struct unseal_tokens *tk, size_t idx, const char *a,
    const char *b, const char **sops, const char **sops_end, size_t *first,
    size_t *n)
{
	const char *p, *mac;
	size_t maclen = 0;

	/* the top-level sops block: "sops:" and its indented lines */
	for (p = a; p < b; p = next_line(p, b)) {
		if (*sops == NULL && (size_t)(b - p) >= 5 &&
		    memcmp(p, "sops:", 5) == 0) {
			*sops = p;
			for (*sops_end = next_line(p, b);
			     *sops_end < b && (**sops_end == ' ' ||
			                          **sops_end == '\n');
			     *sops_end = next_line(*sops_end, b))
				;
		}
	}
	if (*sops == NULL) {
		error("kustomize output document %zu: refused: half-sealed "
		      "(ENC[...] values without sops metadata)",
		    idx + 1);
		return -1;
	}
	/* the MAC names the verified source */
	mac = memmem(*sops, (size_t)(*sops_end - *sops), "mac: ENC[", 9);
	if (mac != NULL) {
		const char *e;
		mac += 5;
		e = memchr(mac, ']', (size_t)(*sops_end - mac));
		maclen = e ? (size_t)(e - mac) + 1 : 0;
	}
	if (maclen == 0 || !tokens_has_mac(tk, mac, maclen, first, n)) {
		error("kustomize output document %zu: refused: no verified "
		      "source in the checkout carries its sops MAC",
		    idx + 1);
		return -1;
	}
	return 0;
}

enum { COPY_OK, COPY_UNKNOWN, COPY_OVER };

/*
 * [a, b) to o, replacing each ENC[...] with the plaintext of its verified
 * source (documents [first, first + n), all one document *docid) and
 * dropping the sops block [sops, sops_end); *nrep counts replacements.
 */
static int
copy_replacing(struct unseal_tokens *tk, struct obuf *o, const char *a,
    const char *b, const char *sops, const char *sops_end, size_t first,
    size_t n, size_t *docid, size_t *nrep)
{
	const char *p;

	for (p = a; p < b;) {
		const char *t, *e, *pt, *q, *spath;
		size_t ptlen, did;
		const char *limit = p < sops ? sops : b;

		if (p == sops) {
			p = sops_end;
			continue;
		}
		t = memmem(p, (size_t)(limit - p), "ENC[", 4);
		if (t == NULL) {
			if (obuf_put(o, p, (size_t)(limit - p)) != 0)
				return COPY_OVER;
			p = limit;
			continue;
		}
		e = memchr(t, ']', (size_t)(limit - t));
		if (e == NULL)
			return COPY_UNKNOWN;
		e++;
		pt = tokens_find(tk, t, (size_t)(e - t), &ptlen, &did, &spath);
		if (pt == NULL || did < first || did >= first + n ||
		    (*docid != (size_t)-1 && did != *docid))
			return COPY_UNKNOWN;
		*docid = did;
		(*nrep)++;
		/* a quoted token is replaced with its quotes */
		q = t;
		if (t > p && (t[-1] == '"' || t[-1] == '\'') && e < limit &&
		    *e == t[-1]) {
			q = t - 1;
			e++;
		}
		if (obuf_put(o, p, (size_t)(q - p)) != 0)
			return COPY_OVER;
		if (memmem(t, (size_t)(e - t), ",type:str]", 10) != NULL ||
		    memmem(t, (size_t)(e - t), ",type:bytes]", 12) != NULL) {
			if (obuf_put_quoted(o, pt, ptlen) != 0)
				return COPY_OVER;
		} else if (obuf_put(o, pt, ptlen) != 0) {
			return COPY_OVER;
		}
		p = e;
	}
	return COPY_OK;
}

/* Rewrite one output document [a, b) into r->out. */
static int
rewrite_doc(struct unseal_run *r, struct unseal_tokens *tk, size_t idx,
    const char *a, const char *b)
{
	const char *sops = NULL, *sops_end = NULL;
	size_t first = 0, n = 0, docid = (size_t)-1, nrep = 0;
	struct outcheck oc = {NULL, 0, 0, (size_t)-1, 0};
	char ns[256];
	struct obuf *o = &r->out;

	if (find_source(tk, idx, a, b, &sops, &sops_end, &first, &n) != 0)
		return EXIT_NEGATIVE;
	oc.tk = tk;
	oc.first = first;
	oc.n = n;
	oc.docid = (size_t)-1;
	oc.nenc = 0;
	if (!paths_kept(r, &oc, a, b, sops, sops_end))
		goto unknown;
	if (obuf_separate(o) != 0)
		goto over;
	switch (copy_replacing(tk, o, a, b, sops, sops_end, first, n, &docid,
	    &nrep)) {
	case COPY_UNKNOWN:
		goto unknown;
	case COPY_OVER:
		goto over;
	}
	/* each ENC[ replaced is one ciphertext value checked above (none in
	 * a key, a comment or a longer value) */
	if (nrep != oc.nenc || (nrep > 0 && docid != oc.docid))
		goto unknown;
	if (docid == (size_t)-1)
		docid = first;
	/* tenancy after kustomize: it stays where it was sealed for */
	if (!out_namespace(a, b, ns, sizeof(ns)) || tokens_ns(tk, docid) == NULL ||
	    strcmp(ns, tokens_ns(tk, docid)) != 0) {
		error("kustomize output document %zu: refused: kustomize moved "
		      "it out of namespace '%s', which it was sealed for",
		    idx + 1, tokens_ns(tk, docid) ? tokens_ns(tk, docid) : "?");
		return EXIT_NEGATIVE;
	}
	r->docs++;
	return 0;
unknown:
	error("kustomize output document %zu: refused: a value that is not a "
	      "ciphertext of its verified source document at the path it "
	      "was sealed at",
	    idx + 1);
	return EXIT_NEGATIVE;
over:
	error("render: the output is over the limit of %zu bytes "
	      "(--max-output)",
	    r->max_output);
	return EXIT_NEGATIVE;
}

/*
 * kustomize's output stream into r->out: documents without ciphertext as
 * they are, sealed ones rewritten from their verified sources (tk).
 */
int
rewrite_stream(struct unseal_run *r, struct unseal_tokens *tk,
    const char *kout, size_t klen)
{
	size_t idx = 0;
	int ec = 0;

	{
		const char *p = kout, *end = kout + klen, *a = kout;
		for (;; idx++) {
			const char *b = a;
			int e;
			for (p = a; p < end; p = next_line(p, end)) {
				if (p != a && end - p >= 4 &&
				    memcmp(p, "---", 3) == 0 &&
				    (p[3] == '\n' || p[3] == ' ')) {
					break;
				}
			}
			b = p;
			if (memmem(a, (size_t)(b - a), "ENC[", 4) == NULL &&
			    !(memcmp(a, "sops:", b - a >= 5 ? 5 : 0) == 0 &&
			        b - a >= 5) &&
			    memmem(a, (size_t)(b - a), "\nsops:", 6) == NULL) {
				const char *s = a;
				if (end - s >= 4 && memcmp(s, "---\n", 4) == 0)
					s += 4;
				if (b > s) {
					if (obuf_separate(&r->out) != 0 ||
					    obuf_put(&r->out, s,
					        (size_t)(b - s)) != 0) {
						error("render: the output is over "
						      "the limit (--max-output)");
						ec = EXIT_NEGATIVE;
						break;
					}
					r->docs++;
				}
			} else {
				const char *s = a;
				if (end - s >= 4 && memcmp(s, "---\n", 4) == 0)
					s += 4;
				if ((e = rewrite_doc(r, tk, idx, s, b)) != 0) {
					ec = ec ? ec : e;
					r->failures++;
				}
			}
			if (b >= end)
				break;
			a = b;
		}
	}
	return ec;
}

/*
 * Render's plugin home: for each generator config's apiVersion and kind,
 * $HOME/API/kind-in-lower-case/Kind, a symlink to this very program (as
 * kustomize looks a legacy exec plugin up), and nothing else: any other
 * plugin is not found and fails the build. In a fresh directory under
 * $TMPDIR or /tmp; made is filled with what to remove, in order.
 */
static int
make_plugin_home(struct walk *w, char *home, size_t cap, char ***made,
    size_t *nmade)
{
	const char *t = getenv("TMPDIR");
	char self[PATH_MAX], p[PATH_MAX];
	ssize_t sl;
	size_t i;

	*made = NULL;
	*nmade = 0;
	if ((sl = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		error("render: cannot find unseal's own program for the "
		      "generator (is /proc mounted?): %s",
		    strerror(errno));
		return EXIT_TROUBLE;
	}
	self[sl] = '\0';
	snprintf(home, cap, "%s/unseal-plugins.XXXXXX",
	    t != NULL && *t == '/' ? t : "/tmp");
	if (mkdtemp(home) == NULL) {
		error("render: cannot make the plugin directory '%s': %s", home,
		    strerror(errno));
		return EXIT_TROUBLE;
	}
	if ((*made = calloc(w->nplugins * 4 + 1, sizeof(**made))) == NULL)
		return EXIT_TROUBLE;
	for (i = 0; i < w->nplugins; i++) {
		const char *api = w->plugins[i];
		const char *kind = api + strlen(api) + 1;
		char lower[64], *slash;
		size_t k;

		for (k = 0; kind[k]; k++)
			lower[k] = (char)(kind[k] >= 'A' && kind[k] <= 'Z' ?
			        kind[k] - 'A' + 'a' : kind[k]);
		lower[k] = '\0';
		/* the directories, one component at a time */
		snprintf(p, sizeof(p), "%s/%s", home, api);
		if ((slash = strchr(p + strlen(home) + 1, '/')) != NULL) {
			*slash = '\0';
			if (mkdir(p, 0700) == 0)
				(*made)[(*nmade)++] = strdup(p);
			*slash = '/';
		}
		if (mkdir(p, 0700) == 0)
			(*made)[(*nmade)++] = strdup(p);
		snprintf(p, sizeof(p), "%s/%s/%s", home, api, lower);
		if (mkdir(p, 0700) == 0)
			(*made)[(*nmade)++] = strdup(p);
		snprintf(p, sizeof(p), "%s/%s/%s/%s", home, api, lower, kind);
		if (symlink(self, p) != 0) {
			error("render: cannot install the generator '%s/%s': %s",
			    api, kind, strerror(errno));
			return EXIT_TROUBLE;
		}
		(*made)[(*nmade)++] = strdup(p);
	}
	return 0;
}

static void
remove_plugin_home(const char *home, char **made, size_t nmade)
{
	size_t i;

	for (i = nmade; i-- > 0;)
		if (made[i] != NULL) {
			if (unlink(made[i]) != 0)
				rmdir(made[i]);
			free(made[i]);
		}
	free(made);
	if (*home)
		rmdir(home);
}

int
render_kustomize(struct unseal_run *r, const char *root, const char *dir)
{
	struct walk w = {root, NULL, 0, 0, 0, 0, r, NULL, 0, 0};
	struct unseal_tokens *tk = NULL;
	char *kout = NULL, home[PATH_MAX] = "", **made = NULL;
	size_t klen = 0, i, nmade = 0;
	int ec;

	queue_dir(&w, dir);
	for (i = 0; i < w.ndirs && w.ec == 0; i++)
		walk_dir(&w, w.dirs[i], 0);
	if ((ec = w.ec) != 0)
		goto out;
	if (w.nplugins > 0 &&
	    (ec = make_plugin_home(&w, home, sizeof(home), &made, &nmade)) != 0)
		goto out;
	ec = run_kustomize(r, dir, w.nplugins ? home : NULL, &kout, &klen);
	if (w.nplugins > 0) {
		remove_plugin_home(home, made, nmade);
		made = NULL;
		home[0] = '\0';
	}
	if (ec != 0)
		goto out;
	if ((tk = tokens_new()) == NULL) {
		ec = EXIT_TROUBLE;
		goto out;
	}
	/* decrypt and verify the sources of what kustomize output */
	for (i = 0; i < w.nsealed; i++) {
		unsigned char *buf;
		size_t len;
		int e;

		if ((e = read_under_root(root, w.sealed[i], r->max_file, &buf,
		         &len)) != 0) {
			ec = ec ? ec : e;
			continue;
		}
		if (wanted_macs(buf, len, kout, klen)) {
			e = unseal_bytes(r, w.sealed[i] + strlen(root) + 1, 0, buf,
			    len, NULL, tk);
			ec = ec ? ec : e;
		}
		free(buf);
	}
	if (ec != 0 || r->failures)
		goto out;
	ec = rewrite_stream(r, tk, kout, klen);
out:
	if (ec != 0 && r->failures == 0)
		r->failures++;
	for (i = 0; i < w.nsealed; i++)
		free(w.sealed[i]);
	free(w.sealed);
	for (i = 0; i < w.ndirs; i++)
		free(w.dirs[i]);
	free(w.dirs);
	for (i = 0; i < w.nplugins; i++)
		free(w.plugins[i]);
	free(w.plugins);
	for (i = 0; i < w.nchecked; i++)
		free(w.checked[i]);
	free(w.checked);
	if (made != NULL || home[0])
		remove_plugin_home(home, made, nmade);
	free(kout);
	tokens_free(tk);
	return ec;
}
