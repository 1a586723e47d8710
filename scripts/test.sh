#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# test.sh - install what is missing, build, and run the whole test suite
# (`make check`: cmocka unit tests and shell end-to-end tests, TAP).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/deps.sh"
bash "$top/scripts/peers.sh"
bash "$top/scripts/build.sh" "${SEAL_BUILD:-$top/build}" ${SEAL_CONFIGURE_FLAGS:-}
cd "${SEAL_BUILD:-$top/build}"
make -j"$(nproc)" check
