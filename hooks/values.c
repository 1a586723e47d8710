/* SPDX-License-Identifier: ISC */
/*
 * values.c - what a value assigned to a key is: a reference to a secret
 * kept elsewhere (op://, vault:, ref+..., ${VAR}, ARNs and names of cloud
 * secret stores, ENC[...], Ansible vault), a template whose literals may
 * still be plaintext after rendering ({{ x | default "lit" }}, "lit" |
 * b64enc, ${VAR:-lit}), a placeholder, or a literal to judge; and whether
 * a key's name says it holds a secret. Pure functions on bytes: no rule
 * tables, no I/O. References and template literals are libseal's
 * seal_value_* judgement, the one `seal status` gives. rules.c and kube.c share them so the hook, `seal scan`
 * and every file type judge a value the same way.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <seal.h>

#include "hooks/text.h"
#include "hooks/values.h"

static bool
is_ident_char(unsigned char c)
{
	return isalnum(c) || c == '_';
}

/* [s, s+n) is an identifier: a letter or _, then letters, digits, _ . - */
static bool
is_name(const char *s, size_t n, bool dots)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!is_ident_char((unsigned char)s[i]) &&
		    !(dots && (s[i] == '.' || s[i] == '-')))
			return false;
	return true;
}

/* references and templates: libseal's judgement (seal/sops.h), the one
 * seal status gives too ----------------------------------------------- */

bool
scan_is_reference(const char *s, size_t n)
{
	return seal_value_is_reference(s, n);
}

size_t
scan_template_literals(const char *v, size_t n, struct scan_span *out,
    size_t max, bool *templated)
{
	struct seal_span sp[16];
	size_t i, k;

	k = seal_value_template_literals(v, n, sp, max < 16 ? max : 16,
	    templated);
	for (i = 0; i < k; i++) {
		out[i].off = sp[i].off;
		out[i].len = sp[i].len;
	}
	return k;
}

/* placeholders ----------------------------------------------------------- */

static bool
has_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* Length of an interpolation at p: ${name}, #{name}, $(name), %(name)s,
 * {{ x }}, {name}; 0 if none starts there. */
static size_t
interp_at(const char *p, size_t rest)
{
	size_t j;

	if (rest < 3)
		return 0;
	if (p[0] == '{' && p[1] == '{') {
		const char *c = memmem(p + 2, rest - 2, "}}", 2);
		return c ? (size_t)(c - p) + 2 : 0;
	}
	if (((p[0] == '$' || p[0] == '#') && p[1] == '{') ||
	    ((p[0] == '$' || p[0] == '%') && p[1] == '(')) {
		char cl = p[1] == '{' ? '}' : ')';
		for (j = 2; j < rest && (is_ident_char((unsigned char)p[j]) ||
					    p[j] == '.');
		     j++)
			;
		if (j > 2 && j < rest && p[j] == cl)
			return j + 1 + (p[0] == '%' && j + 1 < rest &&
					   isalpha((unsigned char)p[j + 1]));
		return 0;
	}
	if (p[0] == '{' && isalpha((unsigned char)p[1])) {
		for (j = 1; j < rest && (is_ident_char((unsigned char)p[j]) ||
					    p[j] == '.');
		     j++)
			;
		if (j < rest && p[j] == '}')
			return j + 1;
	}
	return 0;
}

/* The value is mostly interpolations ("${USER}:${PASS}", "{prefix}{x}"):
 * what is left once they are taken out is too short to be a secret. A
 * password with braces in it ("p#ss{w0rd}[x]$9") keeps its letters. */
static bool
has_interpolation(const char *s, size_t n)
{
	size_t i = 0, left = 0, found = 0;

	while (i < n) {
		size_t l = interp_at(s + i, n - i);
		if (l) {
			found++;
			i += l;
			continue;
		}
		if (!isspace((unsigned char)s[i]))
			left++;
		i++;
	}
	return found > 0 && left < 4;
}

bool
scan_is_placeholder(const char *s, size_t n)
{
	static const char *const words[] = { "your-", "your_", "yourpass",
		"xxxx", "****", "....", "•••", "example", "placeholder",
		"changeme", "change_me", "change-me", "redacted", "dummy",
		"replace_me", "replace-me", "replaceme", "set-me", "set_me",
		"secrets.", "insert_", "insert-", "fixme", "todo",
		"notreal", "not-real", "not_real", "fake", NULL };
	size_t i;

	if (n == 0)
		return true;
	if (scan_is_reference(s, n) || has_interpolation(s, n))
		return true;
	if (s[0] == '@' && is_name(s + 1, n - 1 - (s[n - 1] == '@'),
			       s[n - 1] == '@'))
		return true; /* @Variable, @token@ */
	if (s[0] == '<' && s[n - 1] == '>')
		return true; /* <set-me> */
	if (n >= 3 && s[0] == '[' && s[n - 1] == ']') {
		for (i = 1; i + 1 < n; i++)
			if (!is_ident_char((unsigned char)s[i]) && s[i] != ' ' &&
			    s[i] != '-')
				break;
		if (i + 1 == n)
			return true; /* [PASSWORD] */
	}
	for (i = 0; words[i]; i++)
		if (has_ci(s, n, words[i]))
			return true;
	/* one character repeated (aaaaaaaa, 00000000, ########) */
	for (i = 1; i < n && s[i] == s[0]; i++)
		;
	return i == n;
}

/* key names -------------------------------------------------------------- */

struct words {
	char w[12][24];
	size_t n;
};

/* Split snake_case, kebab-case, dotted.keys and camelCase into lower-case
 * words; digits stay with the word before them. */
static void
split_words(const char *k, size_t n, struct words *ws)
{
	size_t i = 0;

	ws->n = 0;
	while (i < n && ws->n < 12) {
		size_t l = 0;
		while (i < n && !isalnum((unsigned char)k[i]))
			i++;
		if (i >= n)
			break;
		while (i < n && isalnum((unsigned char)k[i])) {
			unsigned char c = (unsigned char)k[i];
			if (l > 0 && isupper(c)) {
				bool prev_low = islower((unsigned char)k[i - 1]) ||
				    isdigit((unsigned char)k[i - 1]);
				bool next_low = i + 1 < n &&
				    islower((unsigned char)k[i + 1]);
				bool prev_up = isupper((unsigned char)k[i - 1]);
				if (prev_low || (prev_up && next_low))
					break; /* dbPassword, APIKey */
			}
			if (l < sizeof(ws->w[0]) - 1)
				ws->w[ws->n][l++] = (char)tolower(c);
			i++;
		}
		ws->w[ws->n][l] = '\0';
		/* trailing digits: password2, token01 */
		while (l > 1 && isdigit((unsigned char)ws->w[ws->n][l - 1]))
			ws->w[ws->n][--l] = '\0';
		if (l)
			ws->n++;
	}
}

static bool
in_list(const char *w, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

static bool
ends_with(const char *w, const char *suf)
{
	size_t a = strlen(w), b = strlen(suf);

	return a >= b && strcmp(w + a - b, suf) == 0;
}

/* words that are a secret by themselves; the long ones also end
 * compound words (dbpassword, apitoken, clientsecret) */
static const char *const secret_long[] = { "password", "passwd",
	"passphrase", "passcode", "secret", "secrets", "token", "tokens",
	"apikey", "apikeys", "credential", "credentials", "privatekey",
	"secretkey", "accesskey", "signingkey", "masterkey", "authkey",
	"appkey", NULL };
static const char *const secret_short[] = { "pass", "pwd", "pw", "pword",
	"auth", "creds", "cred", "salt", "psk", "passwort",
	"contrasena", "senha", "motdepasse", NULL };
/* "key" is a secret after one of these */
static const char *const key_quals[] = { "api", "access", "secret",
	"private", "app", "application", "master", "encryption", "encrypt",
	"crypt", "crypto", "cipher", "aes", "signing", "sign", "session",
	"client", "auth", "license", "licence", "account", "shared", "hmac",
	"jwt", "consumer", "subscription", "storage", "webhook", "admin",
	"root", "service", "write", "read", "deploy", "ingest", "sdk",
	"server", "partner", "merchant", "integration", "management", NULL };
/* words after the secret word that keep its meaning */
static const char *const tails[] = { "key", "value", "str", "string", "b64",
	"base64", "plain", "plaintext", "raw", "txt", "text", "data", "hex",
	"prod", "production", "dev", "development", "staging", "stage",
	"test", "testing", "qa", "uat", "live", "local", "old", "new",
	"backup", "primary", "secondary", "current", "next", "prev",
	"previous", "main", "default", "override", "literal", "bytes", "base",
	"phrase", NULL };
/* a word anywhere that makes the key name something other than the
 * secret: its name, file, length, policy, hash... */
static const char *const deny[] = { "name", "names", "file", "files",
	"filename", "path", "paths", "dir", "directory", "header", "headers",
	"length", "len", "ttl", "second", "seconds", "timeout", "ref", "refs",
	"reference", "type", "types", "count", "url", "uri", "urls", "min",
	"max", "minimum", "maximum", "policy", "policies", "regex", "regexp",
	"pattern", "prefix", "suffix", "field", "fields", "format", "enable",
	"enabled", "disable", "disabled", "expiry", "expires", "expiration",
	"expire", "expired", "duration", "size", "endpoint", "hint", "label",
	"public", "pub", "existing", "mode", "location", "provider", "version",
	"sha", "sha1", "sha256", "sha512", "md5", "hash", "hashed", "digest",
	"checksum", "fingerprint", "id", "ids", "template",
	"selector", "param", "params", "arn", "mount", "kind",
	"usage", "rotation", "generator", "class", "ctx", "context", "prompt",
	"placeholder", "message", "msg", "error", "help", "description",
	"desc", "title", "validator", "validation", "required", "reset",
	"forgot", "policy", "strength", "complexity", "input", "column",
	"attr", "attribute", "route", "handler", "lifetime", "encrypted",
	"enc", "masked", "mask", "variable", "key_id", "keyid",
	"ssm", "secretsmanager", "parameter", "kms", "ns",
	"namespace", "algorithm", "alg", "scheme", "method", "scope",
	"scopes", "audience", "issuer", "location", "index", "idx", "schema",
	"table", "level", "days", "hours", "minutes", "ms", "interval",
	"retries", "limit", "flag", "flags", "command", "cmd", "script", "bucket",
	"region", "zone", "dns", "domain", "slot", "ui", "page", "view",
	"event", "events", "status", "state", "result", "response", "request",
	"req", "res", "callback", "util", "utils", "helper", NULL };

const char *
scan_key_secret_word(const char *k, size_t n)
{
	static __thread char hit[24];
	struct words ws;
	size_t i, last;

	split_words(k, n, &ws);
	if (ws.n == 0)
		return NULL;
	for (i = 0; i < ws.n; i++)
		if (in_list(ws.w[i], deny))
			return NULL;
	/* skip tail words back to the word that carries the meaning */
	last = ws.n - 1;
	while (last > 0 && in_list(ws.w[last], tails)) {
		/* "key" after a qualifier: api_key, secret_key */
		if (strcmp(ws.w[last], "key") == 0 &&
		    in_list(ws.w[last - 1], key_quals)) {
			snprintf(hit, sizeof(hit), "%s", ws.w[last - 1]);
			return hit;
		}
		last--;
	}
	for (i = 0; secret_long[i]; i++)
		if (ends_with(ws.w[last], secret_long[i])) {
			snprintf(hit, sizeof(hit), "%s", secret_long[i]);
			return hit;
		}
	if (in_list(ws.w[last], secret_short)) {
		snprintf(hit, sizeof(hit), "%s", ws.w[last]);
		return hit;
	}
	return NULL;
}

/* literal values ---------------------------------------------------------- */

static unsigned
value_classes(const char *s, size_t n)
{
	unsigned c = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (islower(ch))
			c |= 1;
		else if (isupper(ch))
			c |= 2;
		else if (isdigit(ch))
			c |= 4;
		else if (!strchr("_-./ ", ch))
			c |= 8;
	}
	return c;
}

/* Code, not a value: os.getenv("X"), config.db.password, getPass() */
static bool
looks_like_code(const char *s, size_t n)
{
	size_t i = 0, seg = 0;

	if (n && (s[0] == '$' || s[0] == '@'))
		i = 1;
	for (;;) {
		size_t st = i;
		while (i < n && is_ident_char((unsigned char)s[i]))
			i++;
		if (i == st || isdigit((unsigned char)s[st]))
			return false;
		seg++;
		if (i == n)
			return seg > 1;
		if (s[i] == '(' || s[i] == '[') /* a call: f(x), m[k] */
			return s[n - 1] == (s[i] == '(' ? ')' : ']');
		if (s[i] == '.' || (s[i] == ':' && i + 1 < n && s[i + 1] == ':'))
			i += s[i] == '.' ? 1 : 2;
		else if (s[i] == '-' && i + 1 < n && s[i + 1] == '>')
			i += 2;
		else
			return false;
	}
}

/* PascalCase or camelCase words only: BearerToken, ReadWriteOnce */
static bool
looks_like_identifier(const char *s, size_t n)
{
	size_t i, ups = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalpha(c))
			return false;
		if (isupper(c)) {
			ups++;
			if (i + 1 < n && !islower((unsigned char)s[i + 1]))
				return false;
		}
	}
	return ups > 0;
}

bool
scan_literal_is_secret(const char *v, size_t n, const char *word,
    bool quoted)
{
	double h, need;
	size_t k;

	if (n < 8 || n > 1000 || scan_is_placeholder(v, n))
		return false;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)v[k];
		if (c < 0x21 || c == 0x7f)
			return false; /* prose, or not one token */
	}
	if (memmem(v, n, "://", 3) || v[0] == '/' || (n > 1 && v[0] == '.' &&
		v[1] == '/') || (n > 2 && v[0] == '~' && v[1] == '/'))
		return false; /* a URL or path; URL passwords: own rule */
	if (!quoted && looks_like_code(v, n))
		return false;
	if (looks_like_identifier(v, n))
		return false;
	/* the key's own word in the value: db_password_here, mysecret */
	if (word && strlen(word) >= 4 && has_ci(v, n, word))
		return false;
	{
		unsigned c = value_classes(v, n);
		unsigned pc = (c & 1) + ((c >> 1) & 1) + ((c >> 2) & 1) +
		    ((c >> 3) & 1);
		if (pc < 2)
			return false;
	}
	/* entropy floor that grows with the length, up to 3 bits per
	 * character: a short password needs distinct characters, a long
	 * one needs variety */
	h = scan_entropy(v, n);
	need = 0.8 * log2((double)n);
	if (need > 3.0)
		need = 3.0;
	return h >= need;
}
