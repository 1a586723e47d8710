/* SPDX-License-Identifier: ISC */
/*
 * seal.h - the libseal manual.
 *
 * libseal seals the values of Kubernetes Secret manifests (and any YAML,
 * JSON, dotenv or binary file) field by field in the SOPS v3 format with
 * age recipients, and implements age v1 natively.
 *
 * This umbrella header is the only one a program includes. The families
 * live in <seal/NAME.h>, one per concern, as libsodium does:
 *
 *   seal/common.h   contexts, return codes, output callbacks, secure memory
 *   seal/age.h      age v1: keys, recipients, identities, encrypt/decrypt
 *   seal/sops.h     SOPS v3 documents: seal, unseal, status
 *   seal/doc.h      YAML files edited in place (comments, anchors kept)
 *
 * Conventions for every function:
 *   - returns a seal_rc (SEAL_OK == 0, errors < 0); the detail of the last
 *     error is in seal_ctx_errmsg(), in git's grammar, never containing a
 *     key or a plaintext value;
 *   - out-parameters come last and are written only on success;
 *   - *_free(NULL) is a no-op; every *_free of an object that held secret
 *     bytes wipes them;
 *   - the library never prints, never exits, and never reads the
 *     environment: the tools do that.
 */
#ifndef SEAL_H
#define SEAL_H

#include <seal/common.h>
#include <seal/age.h>
#include <seal/sops.h>
#include <seal/doc.h>

#endif
