/* SPDX-License-Identifier: ISC */
/*
 * values.h - what a value assigned to a key is (values.c): a reference
 * to a secret kept elsewhere, a template and the literals that survive
 * its rendering, a placeholder, or a literal that looks like a
 * credential; and whether a key's name says it holds a secret. Shared by
 * the credential rules (rules.c) and the structure checks (kube.c); pure
 * functions on bytes, below both.
 */
#ifndef SEAL_HOOKS_VALUES_H
#define SEAL_HOOKS_VALUES_H

#include <stdbool.h>
#include <stddef.h>

/* ${X}, {{ x }}, <set-me>, xxxx, your-..., changeme-ish placeholders,
 * and every reference (scan_is_reference) */
bool scan_is_placeholder(const char *s, size_t n);
/* A reference to a secret kept elsewhere, the whole value: op://...,
 * vault:..., ref+..., secret-manager ARNs and names, ${VAR}, $(VAR),
 * $VAR, %VAR%, ENC[...], Ansible vault. */
bool scan_is_reference(const char *s, size_t n);
struct scan_span {
	size_t off, len;
};
/* The literals of a templated value that survive rendering: arguments
 * of default/b64enc/quote..., a literal piped into a function, a lone
 * literal action, the default of ${VAR:-x}. Fills up to max spans
 * (offsets into v) and returns how many; *templated says whether v holds
 * any template syntax at all. */
size_t scan_template_literals(const char *v, size_t n, struct scan_span *out,
    size_t max, bool *templated);
/* If the key's name says it holds a secret (DB_PASS, apiKey,
 * spring.datasource.password, PW), the word that says so (a static
 * per-thread buffer); NULL for names, files, lengths, hashes... */
const char *scan_key_secret_word(const char *k, size_t n);
/* A literal value (quotes removed) that is a credential: long enough, not
 * a placeholder, path, URL or code, several character classes, entropy
 * growing with the length. word: the key's secret word, or NULL. */
bool scan_literal_is_secret(const char *v, size_t n, const char *word,
    bool quoted);

#endif
