/* SPDX-License-Identifier: ISC */
/* placeholder: hooks/ lands with the scanner */
int seal_hooks_placeholder_;
