/*
 * A Mailer's configuration: parsed once, in the constructor, from an array or
 * a DSN, with the smtp.* INI values as fallback. Every key and value is
 * checked there, so a bad one fails early and names itself.
 */
#ifndef PHP_SMTP_CONFIG_H
#define PHP_SMTP_CONFIG_H

#include "php.h"
#include "smtp_dkim.h"
#include "smtp_errors.h"
#include "smtp_oauth.h"

typedef enum {
	PHP_SMTP_ENCRYPTION_STARTTLS,
	PHP_SMTP_ENCRYPTION_TLS,
	PHP_SMTP_ENCRYPTION_NONE,
} php_smtp_encryption;

typedef enum {
	PHP_SMTP_AUTH_AUTO,
	PHP_SMTP_AUTH_PLAIN,
	PHP_SMTP_AUTH_LOGIN,
	PHP_SMTP_AUTH_CRAM_MD5,
	PHP_SMTP_AUTH_XOAUTH2,
	PHP_SMTP_AUTH_OAUTHBEARER,
} php_smtp_auth;

typedef struct php_smtp_config {
	zend_string *host;
	zend_long port;
	php_smtp_encryption encryption;
	zend_string *username; /* NULL: no AUTH */
	zend_string *password; /* wiped when freed */
	php_smtp_auth auth;
	zval token;                   /* OAuth: a string (wiped when freed), a callable, or UNDEF */
	php_smtp_oauth_grant *oauth;  /* OAuth: the grant the extension runs itself, or NULL */
	bool allow_insecure_auth;
	bool verify_peer;
	zend_string *cafile;
	double timeout;
	zend_string *helo;
	zend_string *from;
	zend_string *from_name;
	bool keepalive;
	bool persistent; /* the session outlives the request (smtp_persistent.c) */
	php_smtp_dkim_signers *dkim;
	zend_string *spool;
	struct php_smtp_config *fallback;
	bool deferred;
	zval debug; /* a callable, or UNDEF */
	/* php.ini holds credentials, and they were not used because this is not
	 * the administrator's relay: the setting that differs ("port",
	 * "smtp.host" for an ini_set, "fallback", ...; a static string), or NULL */
	const char *ini_secrets_withheld;
} php_smtp_config;

/* Fills config from a DSN string or an array (with INI fallback). Throws
 * Smtp\InvalidArgumentException and returns FAILURE on a bad key or value;
 * config is then safe to pass to php_smtp_config_dtor(). */
zend_result php_smtp_config_parse(php_smtp_config *config, zval *input);

/* Fills config from the smtp.* INI settings alone (what mail() uses). */
zend_result php_smtp_config_from_ini(php_smtp_config *config);

void php_smtp_config_dtor(php_smtp_config *config);

/* When config's server refused (failure of kind SERVER, RECIPIENT or AUTH)
 * and php.ini's credentials were withheld from it, appends to the failure's
 * message that they are kept for php.ini's relay, and which setting differed:
 * a refusal for want of AUTH then explains itself. */
void php_smtp_config_explain_withheld(const php_smtp_config *config, php_smtp_failure *failure);

const char *php_smtp_encryption_name(php_smtp_encryption encryption);

#endif
