dnl config.m4 for the smtp extension.
dnl
dnl   phpize && ./configure [--enable-smtp-dev] && make
dnl
dnl libcurl carries SMTP, TLS and SASL; OpenSSL signs DKIM; libidn2 turns
dnl non-ASCII domains into IDNA. All three are found with pkg-config, and a
dnl missing one stops configure naming the Debian package that provides it.

dnl On by default: PIE and docker-php-ext-install run a plain ./configure after phpize.
PHP_ARG_WITH([smtp],
  [for SMTP mail support],
  [AS_HELP_STRING([--without-smtp], [Leave out the smtp extension (SMTP over libcurl); built by default])],
  [yes])

PHP_ARG_ENABLE([smtp-dev],
  [whether to build smtp with developer warnings as errors],
  [AS_HELP_STRING([--enable-smtp-dev], [smtp: -Wall -Wextra -Werror and friends])],
  [no], [no])

if test "$PHP_SMTP" != "no"; then
  PKG_PROG_PKG_CONFIG
  if test -z "$PKG_CONFIG"; then
    AC_MSG_ERROR([pkg-config not found: apt-get install pkg-config])
  fi

  PKG_CHECK_MODULES([SMTP_CURL], [libcurl >= 7.68.0], [],
    [AC_MSG_ERROR([libcurl >= 7.68 with headers not found: apt-get install libcurl4-openssl-dev])])
  PKG_CHECK_MODULES([SMTP_OPENSSL], [openssl >= 1.1.1], [],
    [AC_MSG_ERROR([OpenSSL >= 1.1.1 with headers not found: apt-get install libssl-dev])])
  PKG_CHECK_MODULES([SMTP_IDN2], [libidn2 >= 2.0.0], [],
    [AC_MSG_ERROR([libidn2 with headers not found: apt-get install libidn2-dev])])

  dnl libcurl's headers only: smtp_curl.c dlopen()s it at the first send, so
  dnl that PHP processes which never mail do not load its ~30 libraries
  PHP_EVAL_INCLINE($SMTP_CURL_CFLAGS)
  AC_DEFINE([PHP_SMTP_CURL_DLOPEN], 1, [smtp: load libcurl at the first send])
  AC_SEARCH_LIBS([dlopen], [dl], [], [AC_MSG_ERROR([dlopen not found])])
  PHP_EVAL_INCLINE($SMTP_OPENSSL_CFLAGS)
  PHP_EVAL_LIBLINE($SMTP_OPENSSL_LIBS, SMTP_SHARED_LIBADD)
  PHP_EVAL_INCLINE($SMTP_IDN2_CFLAGS)
  PHP_EVAL_LIBLINE($SMTP_IDN2_LIBS, SMTP_SHARED_LIBADD)

  SMTP_CFLAGS="-DZEND_ENABLE_STATIC_TSRMLS_CACHE=1"
  if test "$PHP_SMTP_DEV" != "no"; then
    SMTP_CFLAGS="$SMTP_CFLAGS -Wall -Wextra -Werror -Wformat-security -Wstrict-prototypes -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare"
  fi

  dnl One line per source file: the module forwards to one init per concern.
  SMTP_SOURCES="src/smtp_module.c \
    src/smtp_errors.c \
    src/smtp_object.c \
    src/smtp_mailer.c \
    src/smtp_config.c \
    src/smtp_transport.c \
    src/smtp_curl.c \
    src/smtp_persistent.c \
    src/smtp_pipeline.c \
    src/smtp_oauth.c \
    src/smtp_oauth_sasl.c \
    src/lib/stuffing.c \
    src/lib/reply.c \
    src/lib/redact.c \
    src/lib/source.c \
    src/smtp_receipt.c \
    src/smtp_message.c \
    src/lib/address.c \
    src/lib/mail_headers.c \
    src/lib/encode.c \
    src/lib/mime.c \
    src/lib/dkim.c \
    src/lib/keyed_hash.c \
    src/smtp_mail.c \
    src/smtp_dkim.c \
    src/smtp_spool.c \
    src/lib/spool_file.c \
    src/smtp_log.c"

  PHP_NEW_EXTENSION(smtp, $SMTP_SOURCES, $ext_shared,, $SMTP_CFLAGS)
  PHP_ADD_BUILD_DIR([$ext_builddir/src])
  PHP_ADD_BUILD_DIR([$ext_builddir/src/lib])
  PHP_ADD_INCLUDE([$ext_srcdir/src])
  PHP_SUBST(SMTP_SHARED_LIBADD)
fi
