/* SPDX-License-Identifier: ISC */
/*
 * rulehelp.c - what each built-in rule detects, why it matters and how to
 * fix it: the help of the SARIF and JSON reports. The same text, longer,
 * is doc/seal-scan-rules.md, one section per rule id; helpUri points there
 * (configure --with-docs-url, default the installed copy). A test checks
 * that both name the same rules. Text in `backticks` is a command: the
 * markdown help keeps the backticks, the plain text drops them.
 */
#include "config.h"

#include <string.h>

#include "hooks/report.h"

#define ROTATE "Remove it from the file, then rotate the credential at its " \
	       "issuer: it is in the commit's history, and may be in a " \
	       "shell history or a log. Keep the new one out of git, or " \
	       "seal the file it lives in with `seal encrypt -i FILE`."
#define LEAK   "A credential in a repository is readable by everyone " \
	       "who can clone it, forever: history keeps it after a " \
	       "later commit deletes it."

static const struct scan_rule_help help[] = {
	{ "private-key", "private key material",
	    "A PEM, OpenSSH or PGP private key block with a key body.",
	    "Whoever holds the key can impersonate its owner, sign as it "
	    "or decrypt what was encrypted for it. " LEAK,
	    ROTATE " For a key, make a new key pair and revoke the old "
	    "public key wherever it is trusted." },
	{ "age-identity", "age secret key",
	    "An age identity (AGE-SECRET-KEY-1...).",
	    "It decrypts every file sealed for its recipient: a cluster's "
	    "key opens all of that cluster's Secrets.",
	    "Remove it; then `seal cluster rotate NAME` (or `seal keygen`) "
	    "for a new key, `seal updatekeys .` and `seal rotate -i FILE` "
	    "for the files the old key could open." },
	{ "aws-access-key", "AWS access key id",
	    "An AWS access key id (AKIA..., ASIA...), not AWS's documented "
	    "example.",
	    "With its secret key it acts as the IAM user or role. " LEAK,
	    ROTATE " In IAM: create a new access key, then deactivate and "
	    "delete the old one." },
	{ "aws-secret-key", "AWS secret access key",
	    "A 40-character AWS secret access key assigned to an "
	    "aws_secret_access_key name.",
	    "It signs requests as the key's IAM user or role. " LEAK,
	    ROTATE " In IAM: create a new access key, then deactivate and "
	    "delete the old one." },
	{ "github-token", "GitHub token",
	    "A GitHub personal, OAuth, user-to-server, server-to-server or "
	    "refresh token (ghp_, gho_, ghu_, ghs_, ghr_).",
	    "It acts on GitHub with its owner's rights. " LEAK,
	    ROTATE " Revoke it in GitHub's developer settings." },
	{ "github-pat", "GitHub fine-grained token",
	    "A GitHub fine-grained personal access token (github_pat_).",
	    "It acts on the repositories it was granted. " LEAK,
	    ROTATE " Revoke it in GitHub's developer settings." },
	{ "gitlab-token", "GitLab token",
	    "A GitLab personal, deploy, runner or trigger token (glpat-, "
	    "gldt-, glrt-, glptt-).",
	    "It acts on GitLab with the token's scopes. " LEAK,
	    ROTATE " Revoke it in GitLab." },
	{ "slack-token", "Slack token",
	    "A Slack bot, user, app or refresh token (xoxb-, xoxp-, ...).",
	    "It reads and posts in the workspace as its owner. " LEAK,
	    ROTATE " Revoke it in the Slack app's settings." },
	{ "slack-webhook", "Slack webhook URL",
	    "A Slack incoming-webhook or workflow URL.",
	    "Anyone with it can post into the channel. " LEAK,
	    ROTATE " Regenerate the webhook in Slack." },
	{ "stripe-key", "Stripe secret key",
	    "A Stripe secret or restricted key (sk_live_, rk_live_, "
	    "sk_test_...).",
	    "A live key moves money and reads customer data. " LEAK,
	    ROTATE " Roll the key in Stripe's dashboard." },
	{ "gcp-api-key", "Google API key",
	    "A Google API key (AIza...).",
	    "It spends the project's quota and reaches the APIs it is not "
	    "restricted from. " LEAK,
	    ROTATE " Regenerate or delete it in the Google Cloud console, "
	    "and restrict the new one." },
	{ "azure-storage-key", "Azure storage account key",
	    "An Azure storage AccountKey in a connection string.",
	    "It has full access to the storage account. " LEAK,
	    ROTATE " Rotate the account key in Azure." },
	{ "vault-token", "HashiCorp Vault token",
	    "A HashiCorp Vault service token (hvs., s.).",
	    "It reads the secrets its policies allow. " LEAK,
	    ROTATE " Revoke it: `vault token revoke`." },
	{ "jwt", "JSON Web Token",
	    "A signed JSON Web Token (three base64url parts).",
	    "A bearer token: whoever presents it is its subject until it "
	    "expires. " LEAK,
	    ROTATE " Revoke the session or rotate the signing key if the "
	    "token does not expire soon." },
	{ "npm-token", "npm access token",
	    "An npm access token (npm_...).",
	    "It publishes packages as its owner: a supply-chain risk. " LEAK,
	    ROTATE " Revoke it: `npm token revoke ID`." },
	{ "npmrc-auth", "npm registry credential",
	    "An _auth or _authToken value, as in .npmrc.",
	    "It reads or publishes to the registry as its owner. " LEAK,
	    ROTATE " Use `${NPM_TOKEN}` in .npmrc and set it in CI." },
	{ "docker-auth", "Docker registry credential",
	    "A base64 \"user:password\" auth entry, as in a Docker "
	    "config.json or a .dockerconfigjson.",
	    "It pulls and pushes images as that user. " LEAK,
	    "Seal the file if it is a Kubernetes Secret "
	    "(`seal encrypt -i FILE`); otherwise remove it. Change the "
	    "registry password or token either way." },
	{ "url-credentials", "password in a URL",
	    "A user:password@host URL (databases, brokers, git remotes).",
	    "The password opens the service to anyone who reads the URL. "
	    LEAK,
	    ROTATE " Build the URL from an environment variable or a "
	    "sealed Secret." },
	{ "curl-credentials", "password on a curl command line",
	    "curl -u/--user user:password.",
	    "Scripts and docs are copied around: the password with them. "
	    LEAK,
	    ROTATE " Read it from a file or the environment "
	    "(curl --netrc-file, -u \"$USER:$PASS\")." },
	{ "generic-secret", "secret assigned in the clear",
	    "A value assigned to a secret-sounding name (password, token, "
	    "api_key, client_secret, ...) in any file type, or given to a "
	    "--password-like option, that is not a placeholder, a mask, a "
	    "template or a reference to a secret manager.",
	    LEAK,
	    ROTATE " Refer to it instead (`${VAR}`, a secretKeyRef, a "
	    "vault: or op:// reference). A false alarm: add `seal:allow` "
	    "to the line, or accept it in the baseline "
	    "(`seal scan --update-baseline`)." },
	{ "k8s-secret", "Kubernetes Secret value in the clear",
	    "A Kubernetes Secret (also a Helm or Jinja template) with a "
	    "data or stringData value that is neither sealed nor a "
	    "reference.",
	    "base64 in data: is an encoding, not encryption. Everyone who "
	    "clones the repository can read it; the hook refuses it and "
	    "the repository cannot turn this check off.",
	    "Seal it: `seal encrypt -i FILE` (the path rules in .sops.yaml "
	    "pick the clusters). If it was ever pushed, rotate the values "
	    "too." },
	{ "kustomize-literal", "secretGenerator literal in the clear",
	    "A kustomize secretGenerator literals: entry (KEY=value) with "
	    "a plaintext value.",
	    "kustomize turns it into a Secret: the value is in git in the "
	    "clear.",
	    "Move the value into an env file the generator names "
	    "(envs: or files:), and seal that file: "
	    "`seal encrypt -i FILE`." },
	{ "kustomize-secret-file", "secretGenerator names a file in the "
				  "clear",
	    "A file that a secretGenerator's files: or envs: names, and "
	    "that is not sealed.",
	    "Its content becomes a Secret: it is in git in the clear.",
	    "Seal the named file: `seal encrypt -i FILE`." },
	{ "sops-metadata-missing", "sealed file without sops metadata",
	    "A document with ENC[...] values but no sops: block.",
	    "Without the metadata nothing can decrypt the values or check "
	    "their MAC; often the block was cut by an edit or a merge.",
	    "Restore the file from git history, or seal its plaintext "
	    "again: `seal encrypt -i FILE`." },
	{ "sops-mac-missing", "sealed file without a MAC",
	    "A sops: block with no mac (or a mac that is not encrypted).",
	    "The MAC is what proves the values were not changed; without "
	    "it a decryptor must refuse the file, or trust anything.",
	    "Restore the file from git history, or seal its plaintext "
	    "again: `seal encrypt -i FILE`." },
	{ "sops-no-recipients", "sealed file with no recipient",
	    "A sops: block with no age (or other) key stanza.",
	    "No one can decrypt it: the data is lost unless history has "
	    "a good copy.",
	    "Restore the file from git history, or seal its plaintext "
	    "again: `seal encrypt -i FILE`." },
	{ "sops-enc-malformed", "malformed ENC[] value",
	    "An ENC[AES256_GCM,...] value that does not parse (data, iv, "
	    "tag or type damaged).",
	    "The value cannot be decrypted; the MAC check fails.",
	    "Restore the file from git history, or set the value again: "
	    "`seal set FILE KEYPATH VALUE`." },
	{ "sops-plaintext", "value in the clear in a sealed file",
	    "A value that should be encrypted (by encrypted_regex and "
	    "friends) but is plaintext, in an otherwise sealed file: "
	    "typically an edit without seal.",
	    "The value is readable in git, and the file's MAC no longer "
	    "matches.",
	    "Remove the clear value, then set it through seal: "
	    "`seal set FILE KEYPATH VALUE` (or `seal edit FILE`). Rotate "
	    "it if it was pushed." },
	{ "sops-bad-metadata", "malformed sops metadata",
	    "A sops: block that is malformed (a missing or invalid "
	    "lastmodified, wrong types).",
	    "sops, Flux and unseal refuse the file.",
	    "Restore the file from git history, or seal its plaintext "
	    "again: `seal encrypt -i FILE`." },
	{ "sops-wrong-recipients", "sealed for the wrong recipients",
	    "A sealed file whose recipients differ from what .sops.yaml's "
	    "creation rule requires for its path.",
	    "A cluster that should decrypt it cannot, or one that should "
	    "not, can.",
	    "Re-wrap the data key for the rule's recipients: "
	    "`seal updatekeys FILE`. If a recipient should never have had "
	    "it, also `seal rotate -i FILE` and rotate the values." },
	{ "sops-secret-no-namespace", "sealed Secret without a namespace "
				     "(warning)",
	    "A sealed Secret with no metadata.namespace.",
	    "It lands in whatever namespace it is applied to; unseal's "
	    "tenancy policy refuses it.",
	    "Add one: `seal set FILE '[\"metadata\"][\"namespace\"]' "
	    "'\"NAME\"'`." },
	{ "sops-mac-only-encrypted", "sealed Secret with "
				    "mac_only_encrypted",
	    "A sealed Secret whose sops metadata sets mac_only_encrypted.",
	    "Its clear fields (namespace, name) are outside the MAC, so "
	    "they can be changed unnoticed.",
	    "Drop mac_only_encrypted from .sops.yaml, then re-seal: "
	    "`seal decrypt -i FILE && seal encrypt -i FILE`." },
	{ "sops-unparsable", "sealed file that does not parse",
	    "A file with sops traces (ENC[...] values, a sops: key) that "
	    "the YAML/JSON reader cannot parse.",
	    "Nothing can tell which of its values are sealed: it is "
	    "refused rather than passed.",
	    "Fix the syntax (`seal status FILE` says where), or restore "
	    "it from git history." },
	{ "seal-temp-file", "temporary file of an interrupted seal",
	    "A .NAME.seal-tmp.PID.XXXXXX file that seal's in-place write "
	    "left behind.",
	    "It may hold plaintext (seal decrypt -i writes one).",
	    "Delete it; never commit it." },
	{ "too-large", "file too large to scan",
	    "A file over the scan size limit (default 32 MiB).",
	    "The scanner cannot vouch for what it did not read, so the "
	    "file is refused, not passed.",
	    "Raise the limit with `--max-size`, or list the file in "
	    ".sealignore if it holds no secret." },
	{ "unreadable", "file the scan could not read",
	    "A file (or a file a secretGenerator names) that could not be "
	    "read.",
	    "The scanner cannot vouch for what it did not read, so the "
	    "file is refused, not passed.",
	    "Make it readable, or list it in .sealignore if it holds no "
	    "secret." },
};

static const struct scan_rule_help user_help = {
	"user-rules", "secret matching a repository rule",
	"A match of a rule from the repository's .seal-scan.toml.",
	"The repository declared this format a secret. " LEAK,
	ROTATE,
};

size_t
scan_rule_help_count(void)
{
	return sizeof(help) / sizeof(help[0]);
}

const struct scan_rule_help *
scan_rule_help_at(size_t i)
{
	return i < scan_rule_help_count() ? &help[i] : NULL;
}

const struct scan_rule_help *
scan_rule_help_for(const char *id)
{
	size_t i;

	for (i = 0; i < scan_rule_help_count(); i++)
		if (strcmp(help[i].id, id) == 0)
			return &help[i];
	return &user_help;
}

const char *
scan_docs_url(void)
{
	return SEAL_DOCS_URL;
}
