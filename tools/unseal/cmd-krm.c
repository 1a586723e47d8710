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
	ec = gen_files(r, cfg, "", root, cfgpath, &n);
	if (ec == 0 && n == 0) {
		error("%s: no files: list (name the sealed files to decrypt)",
		    cfgpath);
		ec = EXIT_NEGATIVE;
	}
	seal_sops_free(cfg);
	return ec;
}

static int
krm_function(struct unseal_run *r, const char *root)
{
	seal_limits lim = {r->max_output, r->max_depth, r->max_nodes * 4,
	    r->max_docs};
	seal_sops_file *rl = NULL;
	struct obuf items = {0};
	char path[64], *buf = NULL;
	const char *t;
	size_t len, i, n = 0;
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
	if (seal_sops_is_encrypted(rl) || seal_sops_doc_count(rl) != 1 ||
	    seal_sops_doc_scalar(r->ctx, rl, 0, "[\"kind\"]", &t, &len) !=
	        SEAL_OK ||
	    len != 12 || memcmp(t, "ResourceList", 12) != 0) {
		error("<stdin>: want one ResourceList (kind: ResourceList)");
		ec = EXIT_NEGATIVE;
		goto out;
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
		goto out;
	if (looks_sealed((unsigned char *)buf, strlen(buf)) &&
	    memmem(buf, strlen(buf), "ENC[", 4) != NULL) {
		error("<ResourceList>: refused: it carries ENC[...] values "
		      "outside a sealed file; list sealed files under files:");
		r->failures++;
		ec = EXIT_NEGATIVE;
		goto out;
	}
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
	if (ec != 0)
		goto out;
	if (n == 0) {
		error("functionConfig: no files: list (name the sealed files "
		      "to decrypt)");
		r->failures++;
		ec = EXIT_NEGATIVE;
		goto out;
	}
	/* header, the input items unchanged (the array without its
	 * brackets), the generated documents, footer */
	{
		static const char head[] = "{\"apiVersion\": "
					   "\"config.kubernetes.io/v1\", "
					   "\"kind\": \"ResourceList\", "
					   "\"items\": [\n";
		struct obuf all = {0};
		size_t ia = 0, ib = items.len;

		all.max = r->max_output + items.len + 256;
		while (ia < ib && items.buf[ia] != '[')
			ia++;
		while (ib > ia && items.buf[ib - 1] != ']')
			ib--;
		if (ib > ia + 1) {
			ia++;
			ib--;
		} else {
			ia = ib = 0;
		}
		while (ia < ib && (items.buf[ia] == ' ' || items.buf[ia] == '\n' ||
		                      items.buf[ia] == '\t'))
			ia++;
		while (ib > ia && (items.buf[ib - 1] == ' ' ||
		                      items.buf[ib - 1] == '\n' ||
		                      items.buf[ib - 1] == '\t'))
			ib--;
		if (obuf_put(&all, head, sizeof(head) - 1) != 0 ||
		    (ib > ia && (obuf_put(&all, items.buf + ia, ib - ia) != 0 ||
		                    obuf_put(&all, ",\n", 2) != 0)) ||
		    obuf_put(&all, r->out.buf, r->out.len) != 0 ||
		    obuf_put(&all, "\n]}\n", 4) != 0) {
			obuf_free(&all);
			goto over;
		}
		obuf_free(&r->out);
		r->out = all;
	}
out:
	obuf_free(&items);
	seal_sops_free(rl);
	free(buf);
	return ec;
over:
	error("the output is over the limit of %zu bytes (--max-output)",
	    r->max_output);
	r->failures++;
	ec = EXIT_NEGATIVE;
	goto out;
}

int
cmd_krm(int argc, char **argv)
{
	struct unseal_run r = {0};
	char root[PATH_MAX];
	int ec;

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
