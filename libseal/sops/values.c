/* SPDX-License-Identifier: ISC */
/*
 * sops/values.c - what a clear value of a Kubernetes Secret is: a
 * reference to a secret kept elsewhere (op://, vault:, ref+..., ${VAR},
 * ARNs and names of cloud secret stores, ENC[...], Ansible vault), a
 * template and the literals that survive its rendering (default "x",
 * "x" | b64enc, ${VAR:-x}), a placeholder (<set-me>), or plaintext. The
 * one judgement seal_sops_lint (so `seal status`) and the pre-commit
 * scanner share (seal/sops.h). Pure functions on bytes.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

static bool
prefix_ci(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && strncasecmp(s, p, k) == 0;
}

static bool
is_ident_char(unsigned char c)
{
	return isalnum(c) || c == '_';
}

/* [s, s+n) is an identifier: a letter or _, then letters, digits, _ */
static bool
is_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!is_ident_char((unsigned char)s[i]))
			return false;
	return true;
}

/* Schemes of secret managers and of tools that resolve references. */
static const char *const ref_schemes[] = { "op://", "vault:", "vaults://",
	"ref+", "sm://", "sm@", "gcpsm://", "gcp-sm://", "gcpsecrets://",
	"gsm://", "secretmanager://", "awssm://", "aws-sm://",
	"awssecrets://", "secretsmanager:", "ssm://", "ssm:", "azkv://",
	"akv://", "keyvault://", "azurekeyvault://", "bws://", "doppler://",
	"infisical://", "sops://", "conjur://", "k8s-secret://",
	"secret://", "secretref:", "@microsoft.keyvault(", "!vault",
	"$ansible_vault;", "enc[", NULL };

bool
seal_value_is_reference(const char *s, size_t n)
{
	size_t i;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return false;
	for (i = 0; ref_schemes[i]; i++)
		if (prefix_ci(s, n, ref_schemes[i]))
			return true;
	/* arn:aws:secretsmanager:region:acct:secret:name, ssm parameters,
	 * KMS keys: names of secrets, never their values */
	if (prefix_ci(s, n, "arn:aws") && n > 8) {
		const char *c = memchr(s + 4, ':', n - 4);
		if (c && (prefix_ci(c + 1, n - (size_t)(c + 1 - s),
			      "secretsmanager:") ||
			     prefix_ci(c + 1, n - (size_t)(c + 1 - s), "ssm:") ||
			     prefix_ci(c + 1, n - (size_t)(c + 1 - s), "kms:")))
			return true;
	}
	/* GCP Secret Manager: projects/P/secrets/S[/versions/V] */
	if (prefix_ci(s, n, "projects/") && memmem(s, n, "/secrets/", 9))
		return true;
	/* Azure Key Vault secret URIs */
	if (memmem(s, n, ".vault.azure.net/secrets/", 25))
		return true;
	/* whole-value substitutions: ${VAR}, $(VAR), $VAR, %VAR%,
	 * {{ expr }}: rendered later from elsewhere */
	if (n >= 3 && s[0] == '$' && (s[1] == '{' || s[1] == '(') &&
	    s[n - 1] == (s[1] == '{' ? '}' : ')')) {
		size_t k = 2;
		while (k < n - 1 && (is_ident_char((unsigned char)s[k]) ||
					s[k] == '.'))
			k++;
		/* ${VAR:-literal} has a default: judged as a template;
		 * ${sm://name}, ${vault:x}: a reference inside */
		if (k == n - 1 && k > 2)
			return true;
		return s[1] == '{' && seal_value_is_reference(s + 2, n - 3);
	}
	if (s[0] == '$' && is_name(s + 1, n - 1))
		return true;
	if (n >= 3 && s[0] == '%' && s[n - 1] == '%' &&
	    is_name(s + 1, n - 2))
		return true;
	return false;
}

/* templates -------------------------------------------------------------- */

/* Functions whose string argument is rendered into the output. */
static bool
renders_arg(const char *w, size_t n)
{
	static const char *const fns[] = { "default", "d", "b64enc",
		"b64encode", "base64", "base64encode", "base64_encode",
		"quote", "squote", "toString", "string", "htpasswd", "trim",
		"upper", "lower", "sha256sum", "to_json", "tojson", "toJson",
		"toYaml", "to_yaml", NULL };
	size_t i;

	for (i = 0; fns[i]; i++)
		if (strlen(fns[i]) == n && strncmp(fns[i], w, n) == 0)
			return true;
	return false;
}

/*
 * One {{ ... }} action: literals that survive rendering. A literal is
 * rendered when it is the argument of default/b64enc/quote/htpasswd...
 * (the token before it), when it heads a pipeline segment that goes on
 * ("x" | b64enc), or when it is the whole action ({{ "x" }}). Arguments
 * of other functions (required "msg", index .V "k", printf "%s") are not.
 */
static size_t
action_literals(const char *v, size_t s, size_t e, struct seal_span *out,
    size_t max, size_t k)
{
	const char *word = NULL;
	size_t wordn = 0, i = s, ntok = 0, segtok = 0;

	while (i < e) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\'' || c == '`') {
			size_t ls = i + 1, j = ls;
			bool lit_ok;
			while (j < e && v[j] != (char)c) {
				if (v[j] == '\\' && c == '"' && j + 1 < e)
					j++;
				j++;
			}
			{
				size_t after = j < e ? j + 1 : e, a = after;
				while (a < e && (isspace((unsigned char)v[a]) ||
						    v[a] == '-'))
					a++;
				lit_ok = (word && renders_arg(word, wordn)) ||
				    (segtok == 0 && a < e && v[a] == '|') ||
				    (ntok == 0 && a >= e);
				if (lit_ok && j > ls && k < max) {
					out[k].off = ls;
					out[k].len = j - ls;
					k++;
				}
				i = after;
			}
			ntok++;
			segtok++;
			continue;
		}
		if (isalpha(c) || c == '_' || c == '.' || c == '$') {
			size_t ws = i;
			while (i < e && (is_ident_char((unsigned char)v[i]) ||
					    v[i] == '.' || v[i] == '$'))
				i++;
			word = v + ws;
			wordn = i - ws;
			ntok++;
			segtok++;
			continue;
		}
		if (c == '|') {
			word = NULL;
			wordn = 0;
			segtok = 0;
		} else if (c == ')') {
			word = NULL; /* lookup("env", "X") | b64enc */
		}
		i++;
	}
	return k;
}

size_t
seal_value_template_literals(const char *v, size_t n, struct seal_span *out,
    size_t max, bool *templated)
{
	size_t i = 0, k = 0;

	*templated = false;
	while (i + 1 < n) {
		if (v[i] == '{' && (v[i + 1] == '{' || v[i + 1] == '%')) {
			const char *close = NULL;
			size_t s = i + 2, e;
			char cl = v[i + 1] == '{' ? '}' : '%';
			size_t j;
			for (j = s; j + 1 < n; j++)
				if (v[j] == cl && v[j + 1] == '}') {
					close = v + j;
					break;
				}
			if (close == NULL) {
				i++; /* m{{h}o)p: no action, just braces */
				continue;
			}
			e = (size_t)(close - v);
			*templated = true;
			if (cl == '}')
				k = action_literals(v, s, e, out, max, k);
			i = close ? e + 2 : n;
			continue;
		}
		/* ${NAME:-default}, ${NAME-default}, ${NAME:=default} */
		if (v[i] == '$' && v[i + 1] == '{') {
			size_t s = i + 2, j = s, depth = 1;
			while (j < n && is_ident_char((unsigned char)v[j]))
				j++;
			if (j == s || memchr(v + j, '}', n - j) == NULL) {
				i++;
				continue;
			}
			*templated = true;
			if (j + 1 < n && (v[j] == ':' || v[j] == '-' ||
					     v[j] == '=')) {
				size_t ls = j + 1, le;
				if (v[j] == ':' && (v[j + 1] == '-' ||
						       v[j + 1] == '='))
					ls = j + 2; /* ${X:-lit}, ${X:=lit} */
				else if (v[j] == ':' && (v[j + 1] == '?' ||
							    v[j + 1] == '+'))
					ls = n; /* ${X:?msg}, ${X:+alt} */
				/* else ${X-lit}, and Spring's ${X:lit} */
				for (le = ls; le < n; le++) {
					if (v[le] == '{')
						depth++;
					else if (v[le] == '}' && --depth == 0)
						break;
				}
				if (ls < n && le > ls && k < max &&
				    !(v[ls] == '$') &&
				    !seal_value_is_reference(v + ls, le - ls)) {
					out[k].off = ls;
					out[k].len = le - ls;
					k++;
				}
				i = le < n ? le + 1 : n;
				continue;
			}
			i = j;
			continue;
		}
		i++;
	}
	return k;
}


/* ---- plaintext ------------------------------------------------------------ */

bool
seal_value_is_plaintext(const char *v, size_t n)
{
	struct seal_span lits[8];
	bool templated;
	size_t k, nl;

	if (v == NULL || n == 0)
		return false;
	if (seal_value_is_reference(v, n) ||
	    (n >= 2 && v[0] == '<' && v[n - 1] == '>'))
		return false;
	nl = seal_value_template_literals(v, n, lits, 8, &templated);
	if (!templated)
		return true;
	for (k = 0; k < nl; k++)
		if (lits[k].len > 0)
			return true;
	return false;
}
