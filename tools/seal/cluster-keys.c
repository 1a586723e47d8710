/* SPDX-License-Identifier: ISC */
/*
 * cluster-keys.c - new cluster and tenant keys and how they leave seal:
 * a key file (0600, O_EXCL, refused inside the git work tree unless git
 * ignores it: asked by running git, seal does not link libgit2), or
 * Kubernetes Secret manifests on stdout, never to a terminal unless
 * asked. Private keys are staged only in guarded memory.
 *
 * Secret layouts:
 *   flux    Secret "sops-age" with one "<anchor>.agekey" entry per key,
 *           the cluster's in flux-system (or --namespace), a tenant's
 *           in the tenant's namespace (what kustomize-controller's
 *           spec.decryption.secretRef reads);
 *   unseal  one Secret "unseal-keys-<cluster>" (namespace argocd or
 *           --namespace) for unseal's key directory: "<anchor>.agekey"
 *           entries and "policy.yaml" in unseal(1)'s POLICY FILE format
 *           (the cluster key serves every namespace, a tenant's key its
 *           namespace only; any project).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/seal/cluster.h"

extern char **environ;

int
cluster_run_git(const char *dir, const char *const *argv, char **out)
{
	char *av[16];
	posix_spawn_file_actions_t fa;
	int p[2] = { -1, -1 }, status, n = 0, i;
	pid_t pid;
	size_t len = 0, cap = 0;
	char *buf = NULL;

	if (out != NULL)
		*out = NULL;
	/* posix_spawn takes char *const[]; it does not write them */
	av[n++] = (char *)(uintptr_t)"git";
	if (dir != NULL) {
		av[n++] = (char *)(uintptr_t)"-C";
		av[n++] = (char *)(uintptr_t)dir;
	}
	for (i = 1; argv[i] != NULL && n < 15; i++)
		av[n++] = (char *)(uintptr_t)argv[i];
	av[n] = NULL;
	if (pipe(p) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
	    O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	if (posix_spawnp(&pid, "git", &fa, NULL, av, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	for (;;) {
		ssize_t r;

		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = 2 * cap + 8192);

			if (nb == NULL)
				break;
			buf = nb;
		}
		r = read(p[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(buf);
			return -1;
		}
	if (buf != NULL)
		buf[len] = '\0';
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* May a private key be written at path? Not into the git work tree,
 * unless git ignores it. Fails closed when git cannot tell. */
static int
key_path_ok(const char *path)
{
	char *d = strdup(path), *b = strdup(path), *out = NULL;
	const char *dir, *base;
	int st, ec = 0;

	if (d == NULL || b == NULL)
		die(EXIT_TROUBLE, "out of memory");
	dir = dirname(d);
	base = basename(b);
	st = cluster_run_git(dir, (const char *[]){ "git", "rev-parse",
	    "--is-inside-work-tree", NULL }, &out);
	if (st == -1) {
		error("cannot run git to tell whether '%s' is inside a git "
		    "work tree; install git or write the key elsewhere",
		    path);
		ec = EXIT_TROUBLE;
	} else if (st == 0 && out != NULL && strncmp(out, "true", 4) == 0) {
		st = cluster_run_git(dir, (const char *[]){ "git",
		    "check-ignore", "-q", "--no-index", "--", base, NULL },
		    NULL);
		if (st == 1) {
			error("'%s' is inside the git work tree and not "
			    "ignored: a private key must never be committed; "
			    "write it outside the repository or add it to "
			    ".gitignore", path);
			ec = EXIT_NEGATIVE;
		} else if (st != 0) {
			error("git check-ignore failed for '%s'; write the "
			    "key outside the repository", path);
			ec = EXIT_TROUBLE;
		}
	}
	free(out);
	free(d);
	free(b);
	return ec;
}

int
cluster_keys_make(seal_ctx *ctx, struct cluster_keys *ks,
    const char *cluster, const struct keys_tenant_spec *tenants,
    size_t ntenants)
{
	size_t i;

	memset(ks, 0, sizeof(*ks));
	if (ntenants + 1 > (sizeof(ks->k) / sizeof(ks->k[0]))) {
		error("at most %zu tenants at once",
		    (sizeof(ks->k) / sizeof(ks->k[0])) - 1);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < ntenants + 1; i++) {
		struct cluster_key *k = &ks->k[i];
		char *r = NULL;

		if (seal_identity_generate(ctx, &k->id) != SEAL_OK ||
		    seal_identity_recipient(ctx, k->id, 0, &r) != SEAL_OK) {
			error("cannot make a key: %s", seal_ctx_errmsg(ctx));
			return EXIT_TROUBLE;
		}
		snprintf(k->recipient, sizeof(k->recipient), "%s", r);
		free(r);
		k->tenant = i > 0 ? tenants[i - 1].name : NULL;
		if (i == 0)
			snprintf(k->anchor, sizeof(k->anchor), "%s", cluster);
		else
			snprintf(k->anchor, sizeof(k->anchor), "%s_%s",
			    cluster, k->tenant);
		ks->n++;
	}
	return 0;
}

void
cluster_keys_free(struct cluster_keys *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		seal_identity_free(ks->k[i].id);
	ks->n = 0;
}

/* FILE for the first key; a tenant's beside it: x.agekey ->
 * x_TENANT.agekey, x -> x_TENANT */
static char *
key_file_name(const char *file, const struct cluster_key *k, bool first)
{
	const char *ext = strrchr(file, '.'), *slash = strrchr(file, '/');
	char *out = NULL;

	if (first || k->tenant == NULL)
		return strdup(file);
	if (ext != NULL && (slash == NULL || ext > slash) && ext != file &&
	    ext[-1] != '/') {
		if (asprintf(&out, "%.*s_%s%s", (int)(ext - file), file,
		    k->tenant, ext) < 0)
			out = NULL;
	} else if (asprintf(&out, "%s_%s", file, k->tenant) < 0) {
		out = NULL;
	}
	return out;
}

static int
write_key_file(seal_ctx *ctx, const char *path, const struct cluster_key *k)
{
	int fd, ec;

	if ((ec = key_path_ok(path)) != 0)
		return ec;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		error("cannot create '%s': %s%s", path, strerror(errno),
		    errno == EEXIST ? " (seal never overwrites a key file)" :
		    "");
		return EXIT_TROUBLE;
	}
	if (dprintf(fd, "# %s (seal cluster)\n# public key: %s\n", k->anchor,
	    k->recipient) < 0 ||
	    seal_identity_write(ctx, k->id, 0, fd_write_fn, &fd) != SEAL_OK ||
	    fsync(fd) != 0) {
		error("cannot write '%s': %s", path, seal_ctx_errmsg(ctx));
		close(fd);
		unlink(path);
		return EXIT_TROUBLE;
	}
	if (close(fd) != 0) {
		error("cannot write '%s': %s", path, strerror(errno));
		unlink(path);
		return EXIT_TROUBLE;
	}
	info("%s: private key of %s (recipient %s)", path, k->anchor,
	    k->recipient);
	return 0;
}

/* -- Secret manifests ----------------------------------------------------- */

static int
add(seal_secbuf *sb, const char *s)
{
	return seal_secbuf_write(sb, s, strlen(s));
}

/* The identity's text as a YAML literal block's lines, indented. */
static int
add_key_block(seal_ctx *ctx, seal_secbuf *sb,
    const struct cluster_key *k, const char *indent)
{
	seal_secbuf *id = seal_secbuf_new();
	const unsigned char *t;
	size_t i, n, start = 0;
	int rc = 0;
	char hdr[400];

	snprintf(hdr, sizeof(hdr), "# %s (seal cluster)\n# public key: %s\n",
	    k->anchor, k->recipient);
	if (id == NULL || seal_secbuf_write(id, hdr, strlen(hdr)) != 0 ||
	    seal_identity_write(ctx, k->id, 0, seal_secbuf_write, id) !=
	    SEAL_OK) {
		seal_secbuf_free(id);
		return -1;
	}
	t = seal_secbuf_data(id);
	n = seal_secbuf_len(id);
	for (i = 0; i < n && rc == 0; i++) {
		if (t[i] != '\n')
			continue;
		rc = add(sb, indent) | seal_secbuf_write(sb, t + start,
		    i + 1 - start);
		start = i + 1;
	}
	seal_secbuf_free(id);
	return rc;
}

static int
add_header(seal_secbuf *sb, const char *name, const char *ns,
    const char *cluster, const char *tenant, const char *layout)
{
	char b[1024];

	snprintf(b, sizeof(b),
	    "---\n"
	    "apiVersion: v1\n"
	    "kind: Secret\n"
	    "metadata:\n"
	    "  name: %s\n"
	    "  namespace: %s\n"
	    "  labels:\n"
	    "    app.kubernetes.io/managed-by: seal\n"
	    "    seal.io/cluster: %s\n"
	    "%s%s%s"
	    "  annotations:\n"
	    "    seal.io/layout: %s\n"
	    "type: Opaque\n"
	    "stringData:\n",
	    name, ns, cluster, tenant ? "    seal.io/tenant: " : "",
	    tenant ? tenant : "", tenant ? "\n" : "", layout);
	return add(sb, b);
}

static int
flux_manifests(seal_ctx *ctx, seal_secbuf *sb,
    const struct cluster_opts *o, const char *cluster,
    const struct cluster_keys *ks)
{
	char b[256];
	size_t i;

	for (i = 0; i < ks->n; i++) {
		const struct cluster_key *k = &ks->k[i];
		const char *ns = k->tenant ? k->tenant :
		    o->namespace ? o->namespace : "flux-system";

		snprintf(b, sizeof(b), "  %s.agekey: |\n", k->anchor);
		if (add_header(sb, "sops-age", ns, cluster, k->tenant,
		    "flux") != 0 || add(sb, b) != 0 ||
		    add_key_block(ctx, sb, k, "    ") != 0)
			return -1;
	}
	return 0;
}

static int
unseal_manifest(seal_ctx *ctx, seal_secbuf *sb,
    const struct cluster_opts *o, const keys_registry *reg,
    const char *cluster, const struct cluster_keys *ks)
{
	char b[512];
	size_t i;

	snprintf(b, sizeof(b), "unseal-keys-%s", cluster);
	if (add_header(sb, b, o->namespace ? o->namespace : "argocd", cluster,
	    NULL, "unseal") != 0)
		return -1;
	for (i = 0; i < ks->n; i++) {
		snprintf(b, sizeof(b), "  %s.agekey: |\n", ks->k[i].anchor);
		if (add(sb, b) != 0 ||
		    add_key_block(ctx, sb, &ks->k[i], "    ") != 0)
			return -1;
	}
	/* the policy names every key of the cluster, current and retired,
	 * so files still sealed for an older key keep their tenancy */
	if (add(sb, "  policy.yaml: |\n    keys:\n") != 0)
		return -1;
	for (i = 0; i < keys_count(reg); i++) {
		const struct keys_key *k = keys_get(reg, i);

		if ((k->role != KEYS_CLUSTER && k->role != KEYS_TENANT) ||
		    strcmp(k->cluster, cluster) != 0)
			continue;
		snprintf(b, sizeof(b),
		    "      - recipient: %s  # %s\n"
		    "        projects: [\"*\"]\n"
		    "        namespaces: [%s%s%s]\n",
		    k->recipient, k->anchor,
		    k->role == KEYS_TENANT ? "" : "\"",
		    k->role == KEYS_TENANT ? k->tenant : "*",
		    k->role == KEYS_TENANT ? "" : "\"");
		if (add(sb, b) != 0)
			return -1;
	}
	return 0;
}

int
cluster_keys_deliver(seal_ctx *ctx, const struct cluster_opts *o,
    const keys_registry *reg, const struct cluster_keys *ks)
{
	seal_secbuf *sb;
	const char *cluster = o->args[0];
	char name[KEYS_NAME_MAX + 1];
	size_t i;
	int ec = 0, fd = STDOUT_FILENO;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cluster, "/"),
	    cluster);
	if (o->key_file != NULL) {
		for (i = 0; i < ks->n && ec == 0; i++) {
			char *p = key_file_name(o->key_file, &ks->k[i], i == 0);

			if (p == NULL)
				die(EXIT_TROUBLE, "out of memory");
			ec = write_key_file(ctx, p, &ks->k[i]);
			free(p);
		}
		return ec;
	}
	sb = seal_secbuf_new();
	if (sb == NULL || (strcmp(o->layout, "unseal") == 0 ?
	    unseal_manifest(ctx, sb, o, reg, name, ks) :
	    flux_manifests(ctx, sb, o, name, ks)) != 0) {
		error("cannot make the Secret manifests: out of memory");
		ec = EXIT_TROUBLE;
	} else if (fd_write_fn(&fd, seal_secbuf_data(sb), seal_secbuf_len(sb)) != 0) {
		error("cannot write the Secret manifests to stdout: %s",
		    strerror(errno));
		ec = EXIT_TROUBLE;
	}
	seal_secbuf_free(sb);
	return ec;
}
