#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# demo.sh - install what is missing, build, and show the main job on a
# throwaway git repository.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/deps.sh"
bash "$top/scripts/build.sh" "$top/build"
"$top/build/tools/seal" --help
