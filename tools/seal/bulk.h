/* SPDX-License-Identifier: ISC */
/*
 * bulk.h - many files in one process: operands (files, and directories
 * walked recursively, skipping .git and other dot-directories) become a
 * list; a pool of threads (one per core) runs a job on each, each
 * thread with its own seal_ctx and identities; a progress line shows
 * on a terminal; per-file reports come out in operand order at the end.
 * Used by updatekeys, rotate, status and the cluster commands.
 */
#ifndef SEAL_BULK_H
#define SEAL_BULK_H

#include <stdbool.h>
#include <stddef.h>

#include <seal.h>

#include "tools/seal/sops-common.h"

struct bulk_file {
	char *path;
	bool explicit;	/* named on the command line, not found in a walk */
	int ec;		/* the job's exit code for it */
	int state;	/* job-defined */
	char *report;	/* malloc'd line(s) to print, or NULL */
	char **rcpt;	/* recipients seen (jobs that ask for them) */
	size_t nrcpt;
};

struct bulk {
	struct bulk_file *f;
	size_t n, cap;
	const struct sops_opts *o;
	seal_sops_config *config;	/* NULL: none found */
	bool need_ids;
};

struct bulk_thread {
	seal_ctx *ctx;
	seal_identity *id;	/* NULL unless need_ids */
};

typedef int (*bulk_job)(struct bulk *b, struct bulk_thread *th,
    struct bulk_file *f, void *arg);

/* Add operands; directories are walked. Returns 0 or an exit code. */
int bulk_collect(struct bulk *b, char *const *args, size_t n);
/* Load the creation rules once (--config, SOPS_CONFIG, or found above
 * the current directory). Returns 0 or an exit code. */
int bulk_config(seal_ctx *ctx, struct bulk *b);
/* Run job on every file; title for the progress line. Returns the
 * worst exit code. */
int bulk_run(struct bulk *b, const char *title, bulk_job job, void *arg);
/* Print every report (stderr unless to_stdout), in order. */
void bulk_report(const struct bulk *b, bool to_stdout);
void bulk_free(struct bulk *b);

/* Helpers for jobs. */
/* Read and parse a file; *sealed set. 0, or an exit code (printed in
 * f->report). Skips (state -1) unreadable-as-sops files from walks. */
int bulk_load(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    seal_sops_file **out);
/* bulk_load, then pass over a clear file: skipped (state -1) in a
 * walk, "not sealed" and exit 1 when named. */
int bulk_load_sealed(struct bulk *b, struct bulk_thread *th,
    struct bulk_file *f, seal_sops_file **out);
/* The creation rule for f (NULL if none matches); 0 or an exit code. */
int bulk_rule(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    const seal_sops_rule **out);
/* The age recipients of the creation rule for f (NULL if none
 * matches), as params; 0 or an exit code. */
int bulk_params(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    seal_sops_params **out);
/* Write f's new content in place (temp, fsync, rename). */
int bulk_write(struct bulk_thread *th, struct bulk_file *f,
    const seal_sops_file *sf);
/* Keep f's current recipients in f->rcpt. */
int bulk_keep_recipients(struct bulk_file *f, const seal_sops_file *sf);
/* Set f->report (printf-style); replaces any. */
void bulk_say(struct bulk_file *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The updatekeys job (arg unused): re-wrap for the file's rule. */
int bulk_updatekeys(struct bulk *b, struct bulk_thread *th,
    struct bulk_file *f, void *arg);

#endif
