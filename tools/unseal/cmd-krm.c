/* SPDX-License-Identifier: ISC */
/*
 * cmd-krm.c - `unseal krm [CONFIG]`: kustomize's two plugin contracts.
 *
 * With CONFIG: a legacy exec plugin. kustomize passes the generator's
 * config file and runs us in the kustomization's directory; we print the
 * decrypted documents as a YAML stream.
 * Without: a KRM function. A ResourceList comes on stdin; the one on
 * stdout holds the input items unchanged followed by the generated
 * documents (JSON, which is YAML), and any error exits non-zero (a
 * result of severity error with exit 0 is ignored by kustomize).
 *
 * The generator's config is any object with a top-level files: list
 * (KSOPS's field) naming sealed files relative to the kustomization. They
 * are read as written, so their MACs verify before kustomize transforms
 * anything. A sealed document handed in as an item cannot be verified
 * (kustomize re-serialised it) and is refused.
 *
 * The config parser is libseal's YAML store (seal_sops_load_limits plus
 * seal_sops_doc_scalar): no parser of our own.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

static const char *const usage[] = {"[options] [CONFIG]", NULL};
static const char desc[] =
    "With CONFIG, a legacy kustomize exec plugin (generator): print the\n"
    "sealed files its files: list names, relative to the kustomization\n"
    "(the working directory), decrypted. Without, a KRM function: a\n"
    "ResourceList on stdin (functionConfig with files:), one on stdout\n"
    "with the decrypted documents added. Sealed items are refused: list\n"
    "sealed files under files: instead (the generator route).\n";
static const struct unseal_mode mode = {"unseal krm", usage, desc, true};

#define MAX_FILES 10000u
#define PUTS(o, lit) obuf_put((o), (lit), sizeof(lit) - 1)

/* A path in files: must be relative and stay below the kustomization. */
static bool
safe_rel(const char *p)
{
	const char *c = p;

	if (*p == '\0' || *p == '/')
		return false;
	while (*c) {
		size_t l = strcspn(c, "/");
		if (l == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += l;
		while (*c == '/')
			c++;
	}
	return true;
}

/* Decrypt every file named at prefix["files"][i] of the config into
 * r->out. */
static int
gen_files(struct unseal_run *r, seal_sops_file *cfg, const char *prefix,
    const char *root, const char *cfgname, size_t *nfiles)
{
	char path[128], file[PATH_MAX];
	const char *t;
	size_t i, len;
	int ec = 0, e;
	seal_rc rc;

	*nfiles = 0;
	for (i = 0;; i++) {
		unsigned char *buf;
		size_t blen;

		snprintf(path, sizeof(path), "%s[\"files\"][%zu]", prefix, i);
		rc = seal_sops_doc_scalar(r->ctx, cfg, 0, path, &t, &len);
		if (rc == SEAL_EINVAL)
			break;
		if (rc != SEAL_OK || len == 0 || len >= sizeof(file) ||
		    memchr(t, '\0', len) != NULL || i >= MAX_FILES) {
			error("%s: files[%zu]: want a relative file name",
			    cfgname, i);
			r->failures++;
			return EXIT_NEGATIVE;
		}
		memcpy(file, t, len);
		file[len] = '\0';
		if (!safe_rel(file)) {
			error("%s: files[%zu]: refused: '%s' is not a path "
			      "below the kustomization",
			    cfgname, i, file);
			r->failures++;
			ec = ec ? ec : EXIT_NEGATIVE;
			continue;
		}
		if ((e = read_under_root(root, file, r->max_file, &buf,
		         &blen)) != 0) {
			r->failures++;
			ec = ec ? ec : e;
			continue;
		}
		e = unseal_bytes(r, file, 0, buf, blen, &r->out, NULL);
		ec = ec ? ec : e;
		free(buf);
		(*nfiles)++;
	}
	return ec;
}

/* A scalar of the config as a NUL-terminated copy in buf, or NULL. */
static const char *
cfg_str(struct unseal_run *r, seal_sops_file *cfg, const char *path,
    char *buf, size_t cap)
{
	const char *t;
	size_t len;

	if (seal_sops_doc_scalar(r->ctx, cfg, 0, path, &t, &len) != SEAL_OK ||
	    len == 0 || len >= cap || memchr(t, '\0', len) != NULL)
		return NULL;
	memcpy(buf, t, len);
	buf[len] = '\0';
	return buf;
}

static bool
valid_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!(k[i] == '-' || k[i] == '.' || k[i] == '_' ||
		        (k[i] >= '0' && k[i] <= '9') ||
		        (k[i] >= 'a' && k[i] <= 'z') ||
		        (k[i] >= 'A' && k[i] <= 'Z')))
			return false;
	return true;
}

/* "key": "base64(value)" into sec (guarded memory throughout). */
static int
put_entry(struct obuf *sec, bool *first, const char *k, size_t klen,
    const unsigned char *v, size_t vlen)
{
	size_t blen = sodium_base64_ENCODED_LEN(vlen,
	    sodium_base64_VARIANT_ORIGINAL);
	char *b64 = sodium_malloc(blen);
	int rc = -1;

	if (b64 == NULL)
		return -1;
	sodium_bin2base64(b64, blen, v, vlen, sodium_base64_VARIANT_ORIGINAL);
	if ((*first || obuf_put(sec, ", ", 2) == 0) &&
	    obuf_put_quoted(sec, k, klen) == 0 && obuf_put(sec, ": ", 2) == 0 &&
	    obuf_put_quoted(sec, b64, strlen(b64)) == 0)
		rc = 0;
	*first = false;
	sodium_free(b64);
	return rc;
}

/* Each KEY=VALUE line of a decrypted dotenv file as an entry. */
static int
put_env(struct obuf *sec, bool *first, const char *file,
    const struct obuf *pt)
{
	const char *p = (const char *)pt->buf, *end = p + pt->len, *nl, *eq;

	for (; p < end; p = nl + 1) {
		const char *a = p, *e;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		e = nl;
		if (e > a && e[-1] == '\r')
			e--;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		if (a == e || *a == '#')
			continue;
		if ((eq = memchr(a, '=', (size_t)(e - a))) == NULL ||
		    !valid_key(a, (size_t)(eq - a))) {
			error("%s: refused: a line that is not KEY=VALUE with a "
			      "valid Secret key",
			    file);
			return EXIT_NEGATIVE;
		}
		if (put_entry(sec, first, a, (size_t)(eq - a),
		        (const unsigned char *)eq + 1, (size_t)(e - eq - 1)))
			return EXIT_TROUBLE;
	}
	return 0;
}

static const char *const secret_fields[] = {"files", "binaryFiles", "envs"};

/*
 * One entry j of secretFrom[i].<secret_fields[f]>: its sealed file read
 * below root, decrypted for namespace ns and added to sec. *end is set
 * when the list ends (or on a refusal, with an exit code).
 */
static int
put_secret_item(struct unseal_run *r, seal_sops_file *cfg,
    const char *prefix, const char *root, const char *cfgname, size_t i,
    size_t f, size_t j, const char *ns, struct obuf *sec, bool *first,
    bool *end)
{
	char path[256], ent[PATH_MAX];
	struct obuf pt = {0};
	unsigned char *buf;
	const char *t, *file, *key, *eq;
	size_t len, blen, klen;
	int ec;

	*end = false;
	snprintf(path, sizeof(path), "%s[\"secretFrom\"][%zu][\"%s\"][%zu]",
	    prefix, i, secret_fields[f], j);
	if (cfg_str(r, cfg, path, ent, sizeof(ent)) == NULL) {
		*end = true;
		if (seal_sops_doc_scalar(r->ctx, cfg, 0, path, &t, &len) !=
		    SEAL_EINVAL) {
			error("%s: secretFrom[%zu].%s[%zu]: want a file name",
			    cfgname, i, secret_fields[f], j);
			return EXIT_NEGATIVE;
		}
		return 0;
	}
	eq = f < 2 ? strchr(ent, '=') : NULL;
	file = eq ? eq + 1 : ent;
	key = eq ? ent : strrchr(file, '/');
	key = key == NULL ? file : key == ent ? key : key + 1;
	klen = eq ? (size_t)(eq - ent) : strlen(key);
	if (!safe_rel(file) || (f < 2 && !valid_key(key, klen))) {
		error("%s: secretFrom[%zu].%s[%zu]: refused: '%s' (a relative "
		      "path below the kustomization, a valid key)",
		    cfgname, i, secret_fields[f], j, ent);
		*end = true;
		return EXIT_NEGATIVE;
	}
	if ((ec = read_under_root(root, file, r->max_file, &buf, &blen)) != 0) {
		*end = true;
		return ec;
	}
	pt.max = r->max_output;
	ec = unseal_content(
	    r, file, f == 2 ? SEAL_SOPS_DOTENV : 0, buf, blen, ns, &pt);
	free(buf);
	if (ec == 0 && f < 2 &&
	    put_entry(sec, first, key, klen,
	        pt.buf ? pt.buf : (const unsigned char *)"", pt.len) != 0)
		ec = EXIT_TROUBLE;
	if (ec == 0 && f == 2)
		ec = put_env(sec, first, file, &pt);
	obuf_free(&pt);
	return ec;
}

/*
 * The Secret's metadata of secretFrom[i]: name and namespace (required),
 * type (default Opaque).
 */
static int
secret_meta(struct unseal_run *r, seal_sops_file *cfg, const char *prefix,
    const char *cfgname, size_t i, char (*name)[256], char (*ns)[256],
    char (*type)[256])
{
	char path[256];

	snprintf(path, sizeof(path),
	    "%s[\"secretFrom\"][%zu][\"metadata\"][\"name\"]", prefix, i);
	if (cfg_str(r, cfg, path, *name, sizeof(*name)) == NULL) {
		error("%s: secretFrom[%zu]: no metadata.name", cfgname, i);
		return EXIT_NEGATIVE;
	}
	snprintf(path, sizeof(path),
	    "%s[\"secretFrom\"][%zu][\"metadata\"][\"namespace\"]", prefix, i);
	if (cfg_str(r, cfg, path, *ns, sizeof(*ns)) == NULL) {
		error("%s: secretFrom[%zu] (Secret/%s): refused: no "
		      "metadata.namespace (strict tenancy)",
		    cfgname, i, *name);
		return EXIT_NEGATIVE;
	}
	snprintf(path, sizeof(path), "%s[\"secretFrom\"][%zu][\"type\"]",
	    prefix, i);
	if (cfg_str(r, cfg, path, *type, sizeof(*type)) == NULL)
		strcpy(*type, "Opaque");
	return 0;
}

/*
 * KSOPS's secretFrom: each entry makes a Secret (metadata.name and
 * metadata.namespace, optional type) whose data holds the decrypted
 * content of sealed files (files:, binaryFiles:, as KEY=PATH or PATH,
 * the key then being its base name) and the KEY=VALUE lines of sealed
 * dotenv files (envs:). Tenancy: the entry's namespace stands for the
 * file's, checked as a sealed document's would be.
 */
static int
gen_secrets(struct unseal_run *r, seal_sops_file *cfg, const char *prefix,
    const char *root, const char *cfgname, size_t *nsecrets)
{
	char path[256], name[256], ns[256], type[256];
	const char *t;
	size_t i, j, f, len;
	bool end;
	seal_rc rc;
	int ec = 0;

	*nsecrets = 0;
	for (i = 0; ec == 0; i++) {
		struct obuf sec = {0};
		bool first = true;

		snprintf(path, sizeof(path), "%s[\"secretFrom\"][%zu]", prefix,
		    i);
		rc = seal_sops_doc_scalar(r->ctx, cfg, 0, path, &t, &len);
		if (rc == SEAL_EINVAL)
			break;
		if ((ec = secret_meta(r, cfg, prefix, cfgname, i, &name, &ns,
		         &type)) != 0)
			return ec;
		sec.max = r->max_output;
		if (PUTS(&sec, "{\"apiVersion\": \"v1\", \"kind\": "
			       "\"Secret\", \"metadata\": {\"name\": ") != 0 ||
		    obuf_put_quoted(&sec, name, strlen(name)) != 0 ||
		    PUTS(&sec, ", \"namespace\": ") != 0 ||
		    obuf_put_quoted(&sec, ns, strlen(ns)) != 0 ||
		    PUTS(&sec, "}, \"type\": ") != 0 ||
		    obuf_put_quoted(&sec, type, strlen(type)) != 0 ||
		    PUTS(&sec, ", \"data\": {") != 0)
			goto over;
		for (f = 0; f < 3 && ec == 0; f++)
			for (j = 0, end = false; ec == 0 && !end; j++)
				ec = put_secret_item(r, cfg, prefix, root,
				    cfgname, i, f, j, ns, &sec, &first, &end);
		if (ec == 0 && (obuf_put(&sec, "}}\n", 3) != 0 ||
		                   obuf_separate(&r->out) != 0 ||
		                   obuf_put(&r->out, sec.buf, sec.len) != 0)) {
			obuf_free(&sec);
			goto over;
		}
		obuf_free(&sec);
		(*nsecrets)++;
	}
	if (ec != 0)
		r->failures++;
	return ec;
over:
	error("the output is over the limit of %zu bytes (--max-output)",
	    r->max_output);
	r->failures++;
	return EXIT_NEGATIVE;
}

static int
legacy(struct unseal_run *r, const char *cfgpath, const char *root)
{
	seal_limits lim = {r->max_file, r->max_depth, r->max_nodes, r->max_docs};
	seal_sops_file *cfg = NULL;
	char *buf = NULL;
	size_t len, n;
	int ec;

	if (read_file(cfgpath, r->max_file, &buf, &len) != 0)
		return EXIT_TROUBLE;
	if (seal_sops_load_limits(r->ctx, buf, len, SEAL_SOPS_YAML, cfgpath,
	        &lim, &cfg) != SEAL_OK) {
		error("%s", seal_ctx_errmsg(r->ctx));
		free(buf);
		return EXIT_NEGATIVE;
	}
	free(buf);
	size_t ns = 0;
	ec = gen_files(r, cfg, "", root, cfgpath, &n);
	if (ec == 0)
		ec = gen_secrets(r, cfg, "", root, cfgpath, &ns);
	if (ec == 0 && n + ns == 0) {
		error("%s: no files: or secretFrom: list (name the sealed "
		      "files to decrypt)",
		    cfgpath);
		ec = EXIT_NEGATIVE;
	}
	seal_sops_free(cfg);
	return ec;
}

/*
 * The input: one ResourceList, none of its items sealed (the transformer
 * route, which cannot verify) and no ENC[...] value outside a sealed file.
 */
static int
check_resource_list(struct unseal_run *r, seal_sops_file *rl, const char *buf)
{
	char path[64];
	const char *t;
	size_t len, i;
	int ec = 0;
	seal_rc rc;

	if (seal_sops_is_encrypted(rl) || seal_sops_doc_count(rl) != 1 ||
	    seal_sops_doc_scalar(r->ctx, rl, 0, "[\"kind\"]", &t, &len) !=
	        SEAL_OK ||
	    len != 12 || memcmp(t, "ResourceList", 12) != 0) {
		error("<stdin>: want one ResourceList (kind: ResourceList)");
		return EXIT_NEGATIVE;
	}
	/* sealed items: the transformer route, which cannot verify */
	for (i = 0;; i++) {
		snprintf(path, sizeof(path), "[\"items\"][%zu]", i);
		rc = seal_sops_doc_scalar(r->ctx, rl, 0, path, &t, &len);
		if (rc == SEAL_EINVAL)
			break;
		snprintf(path, sizeof(path), "[\"items\"][%zu][\"sops\"]", i);
		rc = seal_sops_doc_scalar(r->ctx, rl, 0, path, &t, &len);
		if (rc != SEAL_EINVAL) {
			error("<ResourceList> item %zu: refused: a sealed "
			      "document handed in by kustomize cannot have "
			      "its MAC verified (it was re-serialised); list "
			      "the sealed file under files: of an unseal "
			      "generator instead",
			    i + 1);
			r->failures++;
			ec = EXIT_NEGATIVE;
		}
	}
	if (ec != 0)
		return ec;
	if (looks_sealed((unsigned char *)buf, strlen(buf)) &&
	    memmem(buf, strlen(buf), "ENC[", 4) != NULL) {
		error("<ResourceList>: refused: it carries ENC[...] values "
		      "outside a sealed file; list sealed files under files:");
		r->failures++;
		return EXIT_NEGATIVE;
	}
	return 0;
}

/*
 * r->out becomes the ResourceList: header, the input items unchanged (the
 * array without its brackets), the generated documents, footer.
 */
static int
wrap_resource_list(struct unseal_run *r, const struct obuf *items)
{
	static const char head[] = "{\"apiVersion\": "
				   "\"config.kubernetes.io/v1\", "
				   "\"kind\": \"ResourceList\", "
				   "\"items\": [\n";
	struct obuf all = {0};
	size_t ia = 0, ib = items->len;

	all.max = r->max_output + items->len + 256;
	while (ia < ib && items->buf[ia] != '[')
		ia++;
	while (ib > ia && items->buf[ib - 1] != ']')
		ib--;
	if (ib > ia + 1) {
		ia++;
		ib--;
	} else {
		ia = ib = 0;
	}
	while (ia < ib && (items->buf[ia] == ' ' || items->buf[ia] == '\n' ||
	                      items->buf[ia] == '\t'))
		ia++;
	while (ib > ia && (items->buf[ib - 1] == ' ' ||
	                      items->buf[ib - 1] == '\n' ||
	                      items->buf[ib - 1] == '\t'))
		ib--;
	if (obuf_put(&all, head, sizeof(head) - 1) != 0 ||
	    (ib > ia && (obuf_put(&all, items->buf + ia, ib - ia) != 0 ||
	                    obuf_put(&all, ",\n", 2) != 0)) ||
	    obuf_put(&all, r->out.buf, r->out.len) != 0 ||
	    obuf_put(&all, "\n]}\n", 4) != 0) {
		obuf_free(&all);
		goto over;
	}
	obuf_free(&r->out);
	r->out = all;
	return 0;
over:
	error("the output is over the limit of %zu bytes (--max-output)",
	    r->max_output);
	r->failures++;
	return EXIT_NEGATIVE;
}

static int
krm_function(struct unseal_run *r, const char *root)
{
	seal_limits lim = {r->max_output, r->max_depth, r->max_nodes * 4,
	    r->max_docs};
	seal_sops_file *rl = NULL;
	struct obuf items = {0};
	char *buf = NULL;
	size_t len, n = 0;
	int ec = 0;
	seal_rc rc;

	if (read_file("-", r->max_output, &buf, &len) != 0)
		return EXIT_TROUBLE;
	if (seal_sops_load_limits(r->ctx, buf, len, SEAL_SOPS_YAML,
	        "<ResourceList>", &lim, &rl) != SEAL_OK) {
		error("%s", seal_ctx_errmsg(r->ctx));
		ec = EXIT_NEGATIVE;
		goto out;
	}
	if ((ec = check_resource_list(r, rl, buf)) != 0)
		goto out;
	/* the input items, unchanged, as a JSON array */
	items.max = r->max_output;
	rc = seal_sops_extract(r->ctx, rl, "[\"items\"]", SEAL_SOPS_JSON, 0,
	    obuf_write_fn, &items);
	if (rc != SEAL_OK && !(rc == SEAL_EINVAL && items.len == 0)) {
		error("<ResourceList>: items: %s", seal_ctx_errmsg(r->ctx));
		ec = EXIT_NEGATIVE;
		goto out;
	}
	/* the generated documents, as JSON objects joined by commas */
	r->out.json = true;
	ec = gen_files(r, rl, "[\"functionConfig\"]", root, "functionConfig",
	    &n);
	if (ec == 0) {
		size_t ns = 0;
		ec = gen_secrets(r, rl, "[\"functionConfig\"]", root,
		    "functionConfig", &ns);
		n += ns;
	}
	if (ec != 0)
		goto out;
	if (n == 0) {
		error("functionConfig: no files: list (name the sealed files "
		      "to decrypt)");
		r->failures++;
		ec = EXIT_NEGATIVE;
		goto out;
	}
	if ((ec = wrap_resource_list(r, &items)) != 0)
		goto out;
out:
	obuf_free(&items);
	seal_sops_free(rl);
	free(buf);
	return ec;
}

/*
 * files[i] of the render plugin's config, a sealed manifest below root,
 * copied to out as it is. *end is set past the list's end.
 */
static int
copy_sealed_file(seal_ctx *ctx, seal_sops_file *cfg, const char *root,
    size_t i, struct obuf *out, bool *end)
{
	char pbuf[128], file[PATH_MAX];
	const char *t;
	unsigned char *fb;
	size_t len, fl, l;
	seal_rc rc;

	snprintf(pbuf, sizeof(pbuf), "[\"files\"][%zu]", i);
	rc = seal_sops_doc_scalar(ctx, cfg, 0, pbuf, &t, &len);
	if (rc == SEAL_EINVAL) {
		*end = true;
		return 0;
	}
	if (rc != SEAL_OK || len == 0 || len >= sizeof(file) ||
	    memchr(t, '\0', len) != NULL || i >= MAX_FILES) {
		error("generator config: files[%zu]: want a relative file name",
		    i);
		return -1;
	}
	memcpy(file, t, len);
	file[len] = '\0';
	l = strlen(file);
	if (!safe_rel(file) ||
	    !((l > 5 && strcmp(file + l - 5, ".yaml") == 0) ||
	        (l > 4 && strcmp(file + l - 4, ".yml") == 0) ||
	        (l > 5 && strcmp(file + l - 5, ".json") == 0))) {
		error("generator config: files[%zu]: refused: '%s' is not a "
		      "manifest (.yaml, .yml, .json) below the kustomization",
		    i, file);
		return -1;
	}
	if (read_under_root(root, file, UNSEAL_MAX_FILE, &fb, &fl) != 0)
		return -1;
	if (!looks_sealed(fb, fl)) {
		error("%s: refused: not sealed (files: of the generator name "
		      "sealed files)",
		    file);
		free(fb);
		return -1;
	}
	if ((out->len > 0 && PUTS(out, "---\n") != 0) ||
	    obuf_put(out, fb, fl) != 0 ||
	    (fl > 0 && fb[fl - 1] != '\n' && PUTS(out, "\n") != 0)) {
		free(fb);
		error("the output is over the limit of %zu bytes",
		    (size_t)UNSEAL_MAX_OUTPUT);
		return -1;
	}
	free(fb);
	return 0;
}

/*
 * The plugin as `unseal render` runs it (UNSEAL_RENDER_PLUGIN set in the
 * environment render gives kustomize): the sealed files of files: are
 * printed as they are, still sealed. kustomize then transforms them like
 * any sealed resource, and render matches each one back to its verified
 * source (MAC, tenancy) and decrypts it there, so no plaintext goes
 * through kustomize and no key is needed here. Same confinement as the
 * decrypting route: paths below the kustomization, no symlink out of
 * it, manifests only. secretFrom: builds a Secret from plaintext, which
 * render cannot match to a source: refused.
 */
static int
krm_render_plugin(int argc, char **argv)
{
	seal_limits lim = {UNSEAL_MAX_FILE, UNSEAL_MAX_DEPTH, UNSEAL_MAX_NODES,
	    UNSEAL_MAX_DOCS};
	struct obuf out = {0};
	seal_sops_file *cfg = NULL;
	seal_ctx *ctx = NULL;
	char root[PATH_MAX];
	const char *t;
	char *buf = NULL;
	size_t len, i;
	int ec = EXIT_NEGATIVE;

	if (argc != 2) {
		error("render's plugin takes the config file kustomize gives");
		return EXIT_TROUBLE;
	}
	if (realpath(".", root) == NULL || seal_ctx_new(&ctx) != SEAL_OK) {
		error("cannot start the plugin: %s", strerror(errno));
		return EXIT_TROUBLE;
	}
	out.max = UNSEAL_MAX_OUTPUT;
	if (read_file(argv[1], UNSEAL_MAX_FILE, &buf, &len) != 0) {
		ec = EXIT_TROUBLE;
		goto out;
	}
	if (seal_sops_load_limits(ctx, buf, len, SEAL_SOPS_YAML, argv[1], &lim,
	        &cfg) != SEAL_OK) {
		error("%s", seal_ctx_errmsg(ctx));
		goto out;
	}
	if (seal_sops_doc_scalar(ctx, cfg, 0, "[\"secretFrom\"][0][\"metadata\"]"
	        "[\"name\"]", &t, &len) == SEAL_OK) {
		error("generator config: refused: secretFrom: does not run in "
		      "render (it builds a Secret from plaintext that cannot be "
		      "matched to a verified source); seal the Secret manifest "
		      "itself and list it under files:");
		goto out;
	}
	for (i = 0;; i++) {
		bool end = false;

		if (copy_sealed_file(ctx, cfg, root, i, &out, &end) != 0)
			goto out;
		if (end)
			break;
	}
	if (i == 0) {
		error("generator config: no files: list (name the sealed files)");
		goto out;
	}
	{
		int fd = 1;
		ec = out.len && fd_write_fn(&fd, out.buf, out.len) != 0 ?
		    EXIT_TROUBLE : 0;
	}
out:
	free(buf);
	seal_sops_free(cfg);
	obuf_free(&out);
	seal_ctx_free(ctx);
	return ec;
}

int
cmd_krm(int argc, char **argv)
{
	struct unseal_run r = {0};
	char root[PATH_MAX];
	int ec;

	if (getenv("UNSEAL_RENDER_PLUGIN") != NULL)
		return krm_render_plugin(argc, argv);
	if ((ec = unseal_options(&r, &argc, argv, &mode)) >= 0)
		return ec;
	if (argc > 2) {
		error("krm takes at most one config file");
		return EXIT_TROUBLE;
	}
	if (realpath(r.root ? r.root : ".", root) == NULL) {
		error("cannot resolve the kustomization directory: %s",
		    strerror(errno));
		return EXIT_TROUBLE;
	}
	if ((ec = unseal_start(&r)) != 0)
		goto out;
	ec = argc == 2 ? legacy(&r, argv[1], root) : krm_function(&r, root);
	if (ec == 0)
		ec = unseal_finish(&r);
	else if (r.failures == 0)
		r.failures++;
out:
	unseal_end(&r);
	return ec;
}
