/* SPDX-License-Identifier: ISC */
/*
 * bench-yaml.c - in-process YAML store speed on one file: libyaml's bare
 * event scan (the floor every libyaml-based reader pays), seal's parse
 * to the tree, its emit, and the two together. Prints MB/s medians over
 * RUNS runs as "name mb_per_s" lines for bench-yaml.sh.
 *   bench-yaml FILE [RUNS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <yaml.h>

#include "stores/tree.h"

static int
count_write(void *arg, const void *buf, size_t len)
{
	(void)buf;
	*(size_t *)arg += len;
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmpd);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
libyaml_scan(const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int done = 0, ok = 1;

	if (!yaml_parser_initialize(&p))
		return 0;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			ok = 0;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ok;
}

int
main(int argc, char **argv)
{
	double tl[64], tp[64], te[64], tt[64], mb;
	int runs = argc > 2 ? atoi(argv[2]) : 7, i;
	seal_ctx *ctx = NULL;
	size_t len, out;
	char *buf;
	FILE *f;

	if (argc < 2 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench-yaml FILE [RUNS]\n");
		return 2;
	}
	if (sodium_init() < 0 || seal_ctx_new(&ctx) != SEAL_OK)
		return 2;
	f = fopen(argv[1], "rb");
	if (f == NULL)
		return 2;
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len);
	if (buf == NULL || fread(buf, 1, len, f) != len)
		return 2;
	fclose(f);
	mb = (double)len / 1e6;
	for (i = 0; i < runs; i++) {
		struct seal__tree *t = NULL;
		double t0, t1, t2;

		t0 = now();
		if (!libyaml_scan(buf, len))
			return 1;
		tl[i] = now() - t0;
		t0 = now();
		if (seal__yaml_parse(ctx, buf, len, NULL, &t) != SEAL_OK) {
			fprintf(stderr, "bench-yaml: %s\n",
			    seal_ctx_errmsg(ctx));
			return 1;
		}
		t1 = now();
		out = 0;
		if (seal__yaml_emit(ctx, t, NULL, count_write, &out) != SEAL_OK)
			return 1;
		t2 = now();
		tp[i] = t1 - t0;
		te[i] = t2 - t1;
		tt[i] = t2 - t0;
		seal__tree_free(t);
	}
	printf("bytes %zu\n", len);
	printf("libyaml_events %.1f\n", mb / median(tl, runs));
	printf("seal_parse %.1f\n", mb / median(tp, runs));
	printf("seal_emit %.1f\n", mb / median(te, runs));
	printf("seal_parse_emit %.1f\n", mb / median(tt, runs));
	free(buf);
	seal_ctx_free(ctx);
	return 0;
}
