# SPDX-License-Identifier: ISC
# SOPS v3: JSON/dotenv/binary stores, ENC codec, walk, MAC, metadata,
# creation rules, key discovery; seal encrypt/decrypt/edit/...
tools_seal_SOURCES += tools/cmd-sops-stub.c
