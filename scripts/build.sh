#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# build.sh [BUILDDIR [configure args...]] - bootstrap and build out of tree.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ $# -gt 0 ] && shift
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] &&
	[ -z "$(find mk -newer Makefile.in)" ] || autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ] || [ $# -gt 0 ]; then
	"$top/configure" -q "$@"
fi
make -s -j"$(nproc)"
