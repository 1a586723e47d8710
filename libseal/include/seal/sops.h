/* SPDX-License-Identifier: ISC */
/*
 * seal/sops.h - SOPS v3 documents. Include <seal.h>.
 */
#ifndef SEAL_SOPS_H
#define SEAL_SOPS_H

#include <seal/common.h>

#endif
