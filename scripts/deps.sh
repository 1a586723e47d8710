#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# deps.sh - install what building and testing seal needs on Debian 12,
# as root (or through sudo). Installs only what is missing; safe to rerun.
#   scripts/deps.sh          build + test dependencies and test peers
set -eu
pkgs="build-essential autoconf automake libtool pkg-config git
libsodium-dev libssl-dev libyaml-dev libgit2-dev libpcre2-dev zlib1g-dev
libdeflate-dev liburing-dev
libcmocka-dev python3-jsonschema clang libclang-rt-14-dev age pre-commit git-secrets
hyperfine nodejs npm python3 python3-yaml python3-kubernetes xxd openssh-client
strace util-linux"
# Hyperscan needs x86-64 with SSSE3; elsewhere the scanner uses PCRE2 only.
case "$(uname -m)" in x86_64) pkgs="$pkgs libhyperscan-dev" ;; esac
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# nodejs may come from elsewhere than Debian (a node binary on PATH is enough)
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(printf '%s\n' $missing | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi
if [ -n "$(echo $missing)" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
