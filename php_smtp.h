/*
 * php-smtp: send mail over SMTP from PHP, through libcurl.
 *
 * This header is the extension's front door: the module entry, the version
 * and the per-request globals (INI values and the last mail() result).
 */
#ifndef PHP_SMTP_H
#define PHP_SMTP_H

#include "php.h"

#define PHP_SMTP_VERSION "0.2.0"
#define PHP_SMTP_EXTNAME "smtp"
/* the INI secrets (smtp_module.c secret_names) */
#define PHP_SMTP_SECRET_COUNT 3
/* What CI's matrix proves (README "Supported: what CI proves"); php --ri smtp shows it */
#define PHP_SMTP_PROVEN "PHP 8.2 NTS, libcurl 7.88, OpenSSL 3.0 (Debian 12); the .deb install, the matrix and ZTS: not yet"

extern zend_module_entry smtp_module_entry;
#define phpext_smtp_ptr &smtp_module_entry

ZEND_BEGIN_MODULE_GLOBALS(smtp)
	/* smtp.* INI values; see src/smtp_module.c for their meaning and defaults */
	char *host;
	zend_long port;
	char *encryption;
	char *username;
	char *password;
	/* smtp.password, smtp.oauth_client_secret, smtp.oauth_refresh_token applied after
	 * startup (FPM pool, vhost, .user.ini): this thread's own copies, wiped when replaced
	 * and at GSHUTDOWN; the php.ini ones are shared by all threads */
	char *applied_secrets[PHP_SMTP_SECRET_COUNT];
	char *auth;
	double timeout;
	bool verify_peer;
	char *cafile;
	char *helo;
	char *from;
	char *from_name;
	bool override_mail;
	char *spool_dir;
	char *dkim_domain;
	char *dkim_selector;
	char *dkim_key_file;
	char *log;
	char *oauth_token_url;
	char *oauth_client_id;
	char *oauth_client_secret; /* a secret: see smtp_module.c */
	char *oauth_refresh_token; /* a secret */
	char *oauth_scope;
	bool persistent;        /* smtp.persistent */
	double persistent_idle; /* smtp.persistent_idle: seconds a kept session may idle */
	zend_long persistent_max; /* smtp.persistent_max: kept sessions per destination and identity */
	/* This thread's kept sessions (smtp_persistent.c, malloc'd): per thread
	 * so that under ZTS a session never crosses threads */
	void *kept_sessions;
	/* What happened to the last message mail() sent in this request (an array, or UNDEF) */
	zval last_result;
ZEND_END_MODULE_GLOBALS(smtp)

ZEND_EXTERN_MODULE_GLOBALS(smtp)
#define SMTP_G(v) ZEND_MODULE_GLOBALS_ACCESSOR(smtp, v)

#if defined(ZTS) && defined(COMPILE_DL_SMTP)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

#endif /* PHP_SMTP_H */
