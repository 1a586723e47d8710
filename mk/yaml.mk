# SPDX-License-Identifier: ISC
# YAML store: comment-, order- and style-preserving, multi-document.
