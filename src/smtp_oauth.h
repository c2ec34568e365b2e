/*
 * OAuth 2.0 access tokens for AUTH XOAUTH2 / OAUTHBEARER: where they come
 * from, and how long they are kept.
 *
 * A token comes from the `token` key (a string, or a callable asked with
 * $refresh = true after the server refused the one it gave), from the
 * password (an old way of passing a bearer token), or from the `oauth` key /
 * smtp.oauth_* INI settings, for which the extension runs the grant itself
 * (refresh token, or client credentials when no refresh token is given)
 * over libcurl. Granted tokens are cached for the life of the process, in
 * malloc'd memory shared by the threads of a ZTS build under a mutex, until
 * shortly before they expire: an FPM worker asks the token endpoint once per
 * token lifetime, not once per request.
 */
#ifndef PHP_SMTP_OAUTH_H
#define PHP_SMTP_OAUTH_H

#include "php.h"
#include "smtp_errors.h"

/* What the extension needs to run a grant. The secrets are wiped when freed. */
typedef struct {
	zend_string *token_url;
	zend_string *client_id;
	zend_string *client_secret; /* NULL for a public client */
	zend_string *refresh_token; /* NULL: the client credentials grant */
	zend_string *scope;         /* NULL: the provider's default */
	zval on_refresh_token;      /* a callable handed a rotated refresh token, or UNDEF */
} php_smtp_oauth_grant;

struct php_smtp_config;

/* Parses the `oauth` config array. Throws Smtp\InvalidArgumentException and
 * returns NULL on a bad key or value. */
php_smtp_oauth_grant *php_smtp_oauth_grant_from_array(zval *array);

/* The grant the smtp.oauth_* INI settings describe, or NULL when
 * smtp.oauth_token_url is not set. Throws (and returns NULL) when they are
 * set but incomplete. */
php_smtp_oauth_grant *php_smtp_oauth_grant_from_ini(void);

void php_smtp_oauth_grant_free(php_smtp_oauth_grant *grant);

/* True when config authenticates with XOAUTH2 or OAUTHBEARER. */
bool php_smtp_oauth_in_use(const struct php_smtp_config *config);

/* True when a refused token can be replaced by a fresh one (a callable or a grant). */
bool php_smtp_oauth_can_refresh(const struct php_smtp_config *config);

/* An access token for config; with refresh, a new one even when a cached one
 * has not expired (the server refused it). The caller wipes and releases it.
 * NULL on failure, with failure filled (an exception thrown by a user
 * callable is left pending). May call PHP code. */
zend_string *php_smtp_oauth_token(const struct php_smtp_config *config, bool refresh, php_smtp_failure *failure);

/* Wipes and frees the process-wide token cache. */
void php_smtp_oauth_mshutdown(void);

/* Drops a secret string: wiped when nobody else holds it. */
void php_smtp_release_secret(zend_string **secret);

#endif
