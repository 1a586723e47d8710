/* SPDX-License-Identifier: ISC */
/*
 * engine.c - scan one named buffer: binary and UTF-16 detection, the
 * credential rules, then the Kubernetes/SOPS structure checks when the
 * cheap prefilter says the bytes may hold such a document. The helpers
 * the rules and checks share are below them (findings.c, text.c). It
 * does not read files or git objects: pool.c and the tools do.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/scan.h"

struct scan_engine {
	struct rules *rules;
	struct scan_opts opts;
};

struct scan_worker {
	const struct scan_engine *e;
	struct rules_scratch *rs;
};

/* the engine ------------------------------------------------------------- */

struct scan_engine *
scan_engine_new(const struct scan_opts *opts, char *err, size_t errlen)
{
	struct scan_engine *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts)
		e->opts = *opts;
	if (e->opts.max_size == 0)
		e->opts.max_size = SCAN_MAX_SIZE_DEFAULT;
	if ((e->rules = rules_new(e->opts.cache_dir, err, errlen)) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
scan_engine_free(struct scan_engine *e)
{
	if (e == NULL)
		return;
	rules_free(e->rules);
	free(e);
}

size_t
scan_engine_max_size(const struct scan_engine *e)
{
	return e->opts.max_size;
}

struct scan_worker *
scan_worker_new(const struct scan_engine *e)
{
	struct scan_worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->e = e;
	if ((w->rs = rules_scratch_new(e->rules)) == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

void
scan_worker_free(struct scan_worker *w)
{
	if (w == NULL)
		return;
	rules_scratch_free(w->rs);
	free(w);
}

/*
 * UTF-16 text (a BOM, or a zero in every other byte of the probe) is
 * "binary" to git and silently skipped by most scanners. Narrow it to
 * its low bytes so the rules see the ASCII in it.
 */
static char *
narrow_utf16(const char *buf, size_t len, size_t *outlen)
{
	size_t i, o = 0, probe = len < 512 ? len : 512, zodd = 0, zeven = 0;
	int lo; /* index of the byte carrying ASCII in each pair */
	char *out;

	if (len < 4)
		return NULL;
	if ((unsigned char)buf[0] == 0xff && (unsigned char)buf[1] == 0xfe)
		lo = 0;
	else if ((unsigned char)buf[0] == 0xfe && (unsigned char)buf[1] == 0xff)
		lo = 1;
	else {
		for (i = 0; i + 1 < probe; i += 2) {
			zeven += buf[i] == 0;
			zodd += buf[i + 1] == 0;
		}
		if (zodd * 10 >= probe / 2 * 9 && zeven == 0)
			lo = 0;
		else if (zeven * 10 >= probe / 2 * 9 && zodd == 0)
			lo = 1;
		else
			return NULL;
	}
	if ((out = malloc(len / 2 + 2)) == NULL) /* odd lengths round up */
		return NULL;
	for (i = (size_t)lo; i < len; i += 2)
		if (buf[i] != 0)
			out[o++] = buf[i];
	out[o] = '\0';
	*outlen = o;
	return out;
}

int
scan_buffer(struct scan_worker *w, const char *path, const char *buf,
    size_t len, struct scan_results *out)
{
	struct scan_text t = { .path = path, .buf = buf, .len = len };
	char *narrow = NULL;
	size_t nlen = 0, first = out->n, i;
	int rc = 0;

	out->files++;
	out->bytes += len;
	if (len > w->e->opts.max_size) /* it checks the name too */
		return scan_too_large(out, path, len, w->e->opts.max_size);
	if (scan_check_name(out, path) < 0)
		return -1;
	if (memchr(buf, '\0', len < SCAN_BINARY_PROBE ? len :
							SCAN_BINARY_PROBE)) {
		narrow = narrow_utf16(buf, len, &nlen);
		if (narrow) {
			t.buf = narrow;
			t.len = nlen;
		} else
			t.binary = true;
	}
	if (rules_scan(w->e->rules, w->rs, &t, out) < 0)
		rc = -1;
	/* a NUL does not make a manifest harmless: structure is checked
	 * whenever the prefilter saw the words for it */
	if (rc == 0 && kube_prefilter(&t) &&
	    kube_scan(w->e->opts.sops, &t, out) < 0)
		rc = -1;
	if (rc == 0 && scan_config_apply(w->e->opts.config, path, t.buf, t.len,
			   t.binary, out, first) < 0)
		rc = -1;
	for (i = first; i < out->n; i++) { /* nothing points into buf */
		out->v[i].sec = NULL;
		out->v[i].seclen = 0;
	}
	free(t.lines);
	free(narrow);
	return rc;
}
