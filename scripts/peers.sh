#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# peers.sh - test peers from the npm registry, installed into
# tests/peers/ (not committed): the sops-age decryptor (node_modules), and
# the OASIS SARIF 2.1.0 JSON schema every SARIF report of the tests is
# validated against (tests/peers/schemas/). No Debian package ships that
# schema; the npm package @datadog/datadog-ci (2.x) carries the final
# OASIS file unchanged, so it is taken from that package's tarball (npm
# pack: the registry's integrity check, no dependencies installed) and
# checked against a pinned digest.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/tests/peers
command -v npm >/dev/null 2>&1 || { echo "peers: npm missing" >&2; exit 2; }
if [ ! -d "$dir/node_modules/sops-age" ]; then
	(cd "$dir" && npm install --no-audit --no-fund --silent >/dev/null)
fi
schema=$dir/schemas/sarif-schema-2.1.0.json
sarif_pkg=@datadog/datadog-ci@2.48.0
sarif_path=package/dist/commands/sarif/json-schema/sarif-schema-2.1.0.json
sarif_sha256=10666d46649b52e262001e70d43e6c52f7c0279ca3dbdfe9a7dc2e4071556454
if [ ! -f "$schema" ] ||
	! echo "$sarif_sha256  $schema" | sha256sum -c --status; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && npm pack --silent "$sarif_pkg" >/dev/null &&
		tar xzf ./*.tgz "$sarif_path")
	echo "$sarif_sha256  $tmp/$sarif_path" | sha256sum -c --status || {
		echo "peers: $sarif_pkg: SARIF schema digest mismatch" >&2
		exit 2
	}
	mkdir -p "$dir/schemas"
	cp "$tmp/$sarif_path" "$schema.tmp" && mv "$schema.tmp" "$schema"
fi
