dnl SPDX-License-Identifier: ISC
dnl SEAL_CHECK_CFLAG(FLAG, ACTION-IF-OK): compile a trivial program with
dnl FLAG and -Werror; our own six lines instead of autoconf-archive.
AC_DEFUN([SEAL_CHECK_CFLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	seal_save_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS -Werror $1"
	AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
	    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
	CFLAGS=$seal_save_CFLAGS
])
AC_DEFUN([SEAL_CHECK_LDFLAG], [
	AC_MSG_CHECKING([whether the linker accepts $1])
	seal_save_LDFLAGS=$LDFLAGS
	LDFLAGS="$LDFLAGS -Werror $1"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
	    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
	LDFLAGS=$seal_save_LDFLAGS
])
