/*
 * AUTH XOAUTH2 and AUTH OAUTHBEARER (RFC 7628), spoken by us over the session
 * libcurl opened.
 *
 * libcurl 7.88's own SASL code sends an XOAUTH2 or OAUTHBEARER token, but
 * cannot do what OAuth needs beyond that: a refused XOAUTH2 token's error
 * challenge (334 + base64 JSON) is not answered, so the server's own
 * explanation is lost; and a refused token cannot be swapped for a fresh one
 * within the session. So for these two mechanisms libcurl connects, greets,
 * starts TLS and stops (CURLOPT_CONNECT_ONLY, no credentials), and this file
 * authenticates over curl_easy_send/recv: initial response when the AUTH
 * line stays within RFC 5321's 512 octets (RFC 4954 4), else the two-step
 * exchange; an error challenge answered (empty line for XOAUTH2, %x01 for
 * OAUTHBEARER) and the provider's JSON kept for the error message; a refused
 * token replaced once by a fresh one (the callable asked with true, or the
 * grant run again) and AUTH tried again on the same connection.
 *
 * The exchange blocks (one or two round trips per session, plus the token's
 * own request when it is not cached); transcript lines go through the same
 * redactor as libcurl's, so no token reaches a transcript.
 */
#ifndef PHP_SMTP_OAUTH_SASL_H
#define PHP_SMTP_OAUTH_SASL_H

#include "smtp_transport.h"

/* Authenticates the session on easy (socket fd) whose set-up just succeeded.
 * offered: the server's EHLO named the mechanism. Lines go to
 * outcome->transcript; on failure, outcome->ok is false and outcome->failure
 * says why. May call PHP code (the token callables). */
bool php_smtp_oauth_authenticate(CURL *easy, curl_socket_t fd, const php_smtp_config *config, bool offered,
                                 php_smtp_outcome *outcome);

#endif
