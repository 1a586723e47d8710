/* SPDX-License-Identifier: ISC */
/*
 * seal/age.h - age v1 (age-encryption.org/v1). Include <seal.h>.
 */
#ifndef SEAL_AGE_H
#define SEAL_AGE_H

#include <seal/common.h>

#endif
