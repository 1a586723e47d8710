#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# peers.sh - test peers from the npm registry, installed into
# tests/peers/node_modules (not committed): the sops-age decryptor.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/tests/peers
[ -d "$dir/node_modules/sops-age" ] && exit 0
command -v npm >/dev/null 2>&1 || { echo "peers: npm missing" >&2; exit 2; }
cd "$dir"
npm install --no-audit --no-fund --silent >/dev/null
