/*
 * libcurl, loaded when the first message is sent rather than when PHP starts.
 *
 * Linking libcurl makes the dynamic loader map and relocate it and its ~30
 * libraries (GnuTLS for librtmp, Kerberos, LDAP, SASL, libssh2, nghttp2...)
 * at every PHP start, whether the process sends mail or not: about 75% of what
 * loading this extension cost (callgrind, `php -n -r 1`), and most of its
 * resident memory. On POSIX builds (config.m4 defines PHP_SMTP_CURL_DLOPEN)
 * smtp.so does not link libcurl: smtp_curl.c defines the libcurl functions
 * the extension calls (hidden, so no other library binds to them), and the
 * first of them that needs libcurl dlopen()s it. Elsewhere libcurl is linked
 * as before and only curl_global_init() is deferred.
 */
#ifndef PHP_SMTP_CURL_H
#define PHP_SMTP_CURL_H

#include <stdbool.h>

/* Loads libcurl and runs curl_global_init(), once per process (pthread_once:
 * libcurl < 7.84 says curl_global_init is not thread-safe). False when either
 * failed; php_smtp_curl_error() says why. Call it before making a handle. */
bool php_smtp_curl_ready(void);

/* Why php_smtp_curl_ready() failed ("" when it did not). */
const char *php_smtp_curl_error(void);

/* Loads libcurl without initialising it (curl_version_info for phpinfo()). */
bool php_smtp_curl_load(void);

/* MSHUTDOWN: curl_global_cleanup() if curl_global_init() ran. The library
 * stays mapped (other code of the process may use it too). */
void php_smtp_curl_shutdown(void);

#endif
